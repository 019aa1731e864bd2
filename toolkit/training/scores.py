"""A trained pipeline scored on a release's split with the benchmark's own metrics (entities strict F1, quote
content F1, event micro/macro F1), so ``toolkit train`` and ``train-curve`` print the numbers ``toolkit
benchmark --system spacy:DIR`` would."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from toolkit.record import Record

if TYPE_CHECKING:
    from spacy.language import Language

    from toolkit.training.release import TrainingRelease

# The figures train and train-curve print, in this order; report.json of a benchmark holds the same names.
HEADLINE: tuple[tuple[str, str], ...] = (
    ("entities.strict.f1", "entities strict F1"),
    ("quotes.exact.f1", "quotes exact F1"),
    ("quotes.overlap_0.3.f1", "quotes F1 (overlap >= 0.3)"),
    ("events.micro.f1", "events micro F1"),
    ("events.macro.f1", "events macro F1"),
)


def score_records(nlp: Language, gold: Iterable[Record], tasks: Sequence[str]) -> dict[str, float]:
    """Headline scores of ``nlp`` on gold records, for the tasks it was trained on."""
    from toolkit.benchmark import scoring
    from toolkit.benchmark.run import strip_annotations
    from toolkit.models import model_source
    from toolkit.training.predict import doc_for_record, predicted_record

    source = model_source(nlp)
    records = list(gold)
    bare = [strip_annotations(r) for r in records]
    total: Counter = Counter()
    for doc, record, truth in zip(nlp.pipe(doc_for_record(nlp, r) for r in bare), bare, records, strict=True):
        prediction, _ = predicted_record(doc, record, source=source)
        total.update(scoring.tally_pair(truth, prediction, tasks=tasks))
    scores: dict[str, Any] = scoring.headline_scores(
        lambda key: total.get(key, 0), tasks=tasks, event_labels=scoring.event_labels_of(total)
    )
    return {name: float(scores[name]) for name, _ in HEADLINE if name in scores}


def release_scores(
    nlp: Language, release: TrainingRelease, split: str, tasks: Sequence[str]
) -> dict[str, float]:
    from toolkit.packaging.release import read_split_records

    return score_records(nlp, read_split_records(release.folder, split), tasks)
