"""Training the trainable PLOVER baseline: spaCy's ``textcat_multilabel`` fitted on gold records' events.

The result is a spaCy pipeline folder (``nlp.to_disk``) plus ``events_meta.json`` (labels, counts, settings,
losses, toolkit version); ``toolkit preannotate --events-model DIR`` loads it through EventModelAnnotator.
Training is CPU-only, small and deterministic for a given seed.
"""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import tempfile
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from toolkit import __version__
from toolkit.errors import InputError, ModelNotFoundError, UsageError
from toolkit.jsonl import STDIO, read_records_with_lines, remove_stale_temporaries, temporary_prefix
from toolkit.labels import PLOVER_TYPES
from toolkit.preannotate.events import TEXTCAT, score_event_labels

if TYPE_CHECKING:
    from spacy.language import Language

META_FILE = "events_meta.json"
ARCHITECTURES: tuple[str, ...] = ("bow", "ensemble")
PIPELINE_NAME = "plover_events"
# Rejected and ignored answers are states of a task, not "this sentence has no event".
_SKIPPED_ANSWERS = frozenset({"reject", "ignore"})


def read_gold_events(
    path: str | Path, *, skip_invalid: bool = False
) -> tuple[list[tuple[str, set[str]]], int]:
    """(text, event labels) of every usable gold record, and the number of rejected/ignored answers."""
    examples: list[tuple[str, set[str]]] = []
    skipped = 0
    for line, record in read_records_with_lines(path, skip_invalid=skip_invalid):
        if record.answer in _SKIPPED_ANSWERS:
            skipped += 1
            continue
        labels = {event.label for event in record.events}
        unknown = sorted(labels.difference(PLOVER_TYPES))
        if unknown:
            raise InputError(
                f"unknown PLOVER event type {unknown[0]!r}",
                path=str(path),
                line=line,
                rule="event-label",
                hint=f"use one of {', '.join(PLOVER_TYPES)}",
            )
        examples.append((record.text, labels))
    return examples, skipped


def label_counts(examples: Iterable[tuple[str, set[str]]]) -> dict[str, int]:
    """Positive examples per PLOVER type, in the ontology's order (zeros included)."""
    counts = Counter(label for _, labels in examples for label in labels)
    return {label: counts.get(label, 0) for label in PLOVER_TYPES}


def train_events(
    *,
    gold: str | Path,
    output_dir: str | Path,
    base_model: str | None = None,
    epochs: int = 10,
    seed: int = 0,
    architecture: str = "bow",
    dropout: float = 0.2,
    batch_size: int = 16,
    eval_path: str | Path | None = None,
    threshold: float = 0.5,
    force: bool = False,
    skip_invalid: bool = False,
) -> dict[str, Any]:
    """Fit ``textcat_multilabel`` on the events of ``gold`` and write the pipeline to ``output_dir``.

    Returns the summary that is also written to ``events_meta.json``.
    """
    _check_settings(
        output_dir=output_dir,
        epochs=epochs,
        architecture=architecture,
        dropout=dropout,
        batch_size=batch_size,
        threshold=threshold,
        force=force,
    )
    examples, skipped = read_gold_events(gold, skip_invalid=skip_invalid)
    with_events = sum(1 for _, labels in examples if labels)
    if with_events == 0:
        raise UsageError(
            f"{gold}: no record has events, so there is nothing to learn",
            hint="give gold records with an 'events' list (see toolkit validate)",
        )
    held_out = read_gold_events(eval_path, skip_invalid=skip_invalid)[0] if eval_path is not None else None

    nlp = _blank_pipeline(base_model, architecture=architecture, threshold=threshold)
    # spaCy's max_length guards the parser's and NER's memory; this pipeline is a tokenizer and a bag-of-words
    # classifier, linear in the text, so a long unit is safe to learn from.
    longest = max(len(text) for text, _ in [*examples, *(held_out or [])])
    nlp.max_length = max(nlp.max_length, longest + 1)
    losses = _fit(nlp, examples, epochs=epochs, seed=seed, dropout=dropout, batch_size=batch_size)
    summary: dict[str, Any] = {
        "architecture": architecture,
        "base_model": base_model or "blank:en",
        "batch_size": batch_size,
        "counts": label_counts(examples),
        "dropout": dropout,
        "epochs": epochs,
        "labels": list(PLOVER_TYPES),
        "losses": losses,
        "records": len(examples),
        "records_with_events": with_events,
        "seed": seed,
        "skipped_answers": skipped,
        "spacy_version": _spacy_version(),
        "threshold": threshold,
        "toolkit_version": __version__,
    }
    if held_out is not None:
        summary["eval"] = _score(nlp, held_out, threshold=threshold) | {"path": str(eval_path)}
    _write_model(nlp, summary, Path(output_dir), force=force)
    return summary | {"output": str(output_dir)}


def _check_settings(
    *,
    output_dir: str | Path,
    epochs: int,
    architecture: str,
    dropout: float,
    batch_size: int,
    threshold: float,
    force: bool,
) -> None:
    if str(output_dir) == STDIO:
        raise UsageError("-o -: a model is a folder, not a stream; give a folder path")
    if epochs < 1:
        raise UsageError(f"--epochs {epochs}: must be at least 1")
    if architecture not in ARCHITECTURES:
        raise UsageError(f"--arch {architecture}: must be one of {', '.join(ARCHITECTURES)}")
    if not 0.0 <= dropout < 1.0:
        raise UsageError(f"--dropout {dropout}: must be in [0, 1)")
    if batch_size < 1:
        raise UsageError(f"--batch-size {batch_size}: must be at least 1")
    if not 0.0 <= threshold <= 1.0:
        raise UsageError(f"--threshold {threshold}: must be between 0 and 1")
    target = Path(output_dir)
    if target.exists() and not target.is_dir():
        raise UsageError(f"-o {target}: exists and is not a folder")
    if target.is_dir() and any(target.iterdir()) and not force:
        raise UsageError(f"-o {target}: folder exists and is not empty", hint="pass --force to replace it")


def _blank_pipeline(base_model: str | None, *, architecture: str, threshold: float) -> Language:
    """A pipeline with only the classifier: a blank English one, or a base model's tokenizer and vocab."""
    import spacy

    if base_model is None:
        nlp = spacy.blank("en")
    else:
        try:
            # A fresh load, not the cached one: the classifier is added to this object.
            nlp = spacy.load(base_model)
        except (OSError, ValueError) as exc:
            raise ModelNotFoundError(
                f"--base-model {base_model}: cannot load it ({exc})",
                hint="give an installed spaCy pipeline name or a pipeline folder",
            ) from None
        for name in list(nlp.pipe_names):
            nlp.remove_pipe(name)
    config: dict[str, Any] = {"threshold": threshold}
    if architecture == "bow":
        # Bag of words and bigrams: trains in seconds on CPU and is a fair first baseline.
        config["model"] = {
            "@architectures": "spacy.TextCatBOW.v3",
            "exclusive_classes": False,
            "ngram_size": 2,
            "no_output_layer": False,
            "length": 2**16,
        }
    textcat = nlp.add_pipe(TEXTCAT, config=config)
    for label in PLOVER_TYPES:
        textcat.add_label(label)
    nlp.meta["name"] = PIPELINE_NAME
    nlp.meta["version"] = __version__
    nlp.meta["description"] = (
        "PLOVER event types per sentence (textcat_multilabel), trained by toolkit train-events"
    )
    return nlp


def _fit(
    nlp: Language,
    examples: list[tuple[str, set[str]]],
    *,
    epochs: int,
    seed: int,
    dropout: float,
    batch_size: int,
) -> list[float]:
    """Train with a fixed seed and a seeded shuffle; returns the loss of each epoch."""
    from spacy.training import Example
    from spacy.util import fix_random_seed, minibatch

    fix_random_seed(seed)
    shuffler = random.Random(seed)
    train = [
        Example.from_dict(
            nlp.make_doc(text), {"cats": {label: float(label in labels) for label in PLOVER_TYPES}}
        )
        for text, labels in examples
    ]
    # Only the new classifier is initialised: a base model's own [initialize] section may name lookup
    # tables that are not installed, and its tokenizer and vocab are ready as loaded.
    nlp.get_pipe(TEXTCAT).initialize(lambda: train, nlp=nlp)
    optimizer = nlp.create_optimizer()
    losses_by_epoch: list[float] = []
    for _ in range(epochs):
        shuffler.shuffle(train)
        losses: dict[str, float] = {}
        for batch in minibatch(train, size=batch_size):
            nlp.update(batch, drop=dropout, sgd=optimizer, losses=losses)
        losses_by_epoch.append(round(float(losses.get(TEXTCAT, 0.0)), 6))
    return losses_by_epoch


def _score(nlp: Language, examples: list[tuple[str, set[str]]], *, threshold: float) -> dict[str, Any]:
    predicted = [
        {label for label, score in doc.cats.items() if score >= threshold}
        for doc in nlp.pipe(text for text, _ in examples)
    ]
    return score_event_labels((labels for _, labels in examples), predicted)


def _spacy_version() -> str:
    import spacy

    return str(spacy.__version__)


def _write_model(nlp: Language, summary: dict[str, Any], target: Path, *, force: bool) -> None:
    """Write the pipeline beside ``target`` and move it into place only once it is complete."""
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(target.parent, target.name)  # staging folders of killed runs
    staging = Path(tempfile.mkdtemp(prefix=temporary_prefix(target.name), suffix=".tmp", dir=target.parent))
    try:
        nlp.to_disk(staging)
        meta = orjson.dumps(summary, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n"
        (staging / META_FILE).write_bytes(meta)
        if target.exists():
            if not force and any(target.iterdir()):
                raise UsageError(
                    f"-o {target}: folder exists and is not empty", hint="pass --force to replace it"
                )
            shutil.rmtree(target)
        os.replace(staging, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            shutil.rmtree(staging)
        raise
