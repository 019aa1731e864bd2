"""Metrics for extraction systems: entities, quotes and PLOVER events scored from gold and predicted records.

Scoring works in two steps. ``tally_pair`` turns one gold record and its prediction into integer counts
(a ``Counter`` keyed by ``(task, metric, label, field)``); counts add up over records, documents and bootstrap
resamples. The ``summarize_*`` and ``headline_scores`` functions turn summed counts into precision, recall
and F1. Because every score is a function of summed counts, the same code gives the point estimate and,
fed numpy columns, the bootstrap distribution.

Definitions (also in docs/benchmark.md):

- Entities, strict: a predicted span is correct when its start, end and label equal a gold span's
  (duplicates collapse, as in seqeval). Partial: the largest one-to-one pairing of gold and predicted spans
  that share a label and at least one character.
- Quotes: the content span of each quote. ``exact``: same start and end. ``overlap_0.3`` / ``overlap_0.8``:
  the Gender Gap Tracker's ratio, characters shared by gold and predicted content divided by the gold
  content's length, at least the threshold (GGT itself uses "greater than"); pairs are one-to-one, the
  largest pairing, best ratio first. Among paired quotes, the speaker matches when both are absent or the
  two speaker spans share a character (GGT's rule: predicted speakers may include a title); the cue matches
  when both are absent or their texts are equal ignoring case. ``per_kind`` scores each quote kind alone.
- Events: each record's set of PLOVER types is a multi-label prediction. Micro and macro F1 over
  (record, type) pairs; the exact-match ratio is the share of records whose predicted set equals the gold
  set. Confusion: correct types count on the diagonal; in a record where types were missed and others
  were spurious, each missed x spurious pair counts once; a miss with no spurious type beside it counts in
  ``(missed)``, a spurious type with no miss beside it in ``(spurious)``.
- A ratio with a zero denominator is 0, as seqeval's ``zero_division=0``.
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping
from typing import Any

import numpy as np

from toolkit.packaging.splits import doc_id_of
from toolkit.record import Quote, Record, Role
from toolkit.spans import overlap_size

ALL = "*"
MISSED = "(missed)"
SPURIOUS = "(spurious)"
TASKS: tuple[str, ...] = ("entities", "quotes", "events")
QUOTE_LEVELS: dict[str, float | None] = {"exact": None, "overlap_0.3": 0.3, "overlap_0.8": 0.8}

Key = tuple[str, str, str, str]
Getter = Callable[[Key], Any]


def prf(tp: Any, npred: Any, ngold: Any) -> tuple[Any, Any, Any]:
    """Precision, recall and F1 from counts; works on numbers and on numpy arrays alike."""
    tp, npred, ngold = (np.asarray(x, dtype=float) for x in (tp, npred, ngold))
    precision = np.divide(tp, npred, out=np.zeros_like(tp), where=npred > 0)
    recall = np.divide(tp, ngold, out=np.zeros_like(tp), where=ngold > 0)
    total = precision + recall
    f1 = np.divide(2 * precision * recall, total, out=np.zeros_like(tp), where=total > 0)
    return _plain(precision), _plain(recall), _plain(f1)


def ratio(numerator: Any, denominator: Any) -> Any:
    """numerator / denominator, 0 where the denominator is 0; numbers or numpy arrays."""
    num, den = np.asarray(numerator, dtype=float), np.asarray(denominator, dtype=float)
    return _plain(np.divide(num, den, out=np.zeros_like(num * den), where=den > 0))


def _plain(value: np.ndarray) -> Any:
    return float(value) if value.ndim == 0 else value


def max_pairing(candidates: list[list[int]]) -> dict[int, int]:
    """The largest one-to-one pairing of gold items (list index) with predicted items (candidate ids).

    ``candidates[g]`` lists the predictions gold item ``g`` may pair with, best first; augmenting paths
    (Kuhn's algorithm) make the pairing maximal while the order keeps it deterministic.
    """
    owner: dict[int, int] = {}

    def assign(gold: int, seen: set[int]) -> bool:
        for pred in candidates[gold]:
            if pred in seen:
                continue
            seen.add(pred)
            if pred not in owner or assign(owner[pred], seen):
                owner[pred] = gold
                return True
        return False

    for gold in range(len(candidates)):
        assign(gold, set())
    return {gold: pred for pred, gold in owner.items()}


def _add_prf(tally: Counter, key: tuple[str, str, str], tp: int, npred: int, ngold: int) -> None:
    tally[(*key, "tp")] += tp
    tally[(*key, "pred")] += npred
    tally[(*key, "gold")] += ngold


# Entities --------------------------------------------------------------------------------------------------


def _closeness(gold: tuple[int, int, str], pred_spans: list[tuple[int, int, str]], i: int) -> tuple[int, int]:
    """Sort key of candidate predictions for a gold span: most overlap first, then input order."""
    return -overlap_size(gold[:2], pred_spans[i][:2]), i


def entity_set(record: Record) -> set[tuple[int, int, str]]:
    return {(span.start, span.end, span.label) for span in record.spans}


def tally_entities(
    gold: Record, pred: Record, tally: Counter, *, known_labels: Collection[str] | None
) -> None:
    gold_spans, pred_spans = sorted(entity_set(gold)), sorted(entity_set(pred))
    correct = set(gold_spans) & set(pred_spans)
    candidates = [
        sorted(
            (i for i, p in enumerate(pred_spans) if p[2] == g[2] and overlap_size(g[:2], p[:2]) > 0),
            key=functools.partial(_closeness, g, pred_spans),
        )
        for g in gold_spans
    ]
    pairing = max_pairing(candidates)
    for metric, hits in (
        ("strict", [g for g in gold_spans if g in correct]),
        ("partial", [gold_spans[i] for i in pairing]),
    ):
        _add_prf(tally, ("entities", metric, ALL), len(hits), len(pred_spans), len(gold_spans))
        for label in sorted({s[2] for s in gold_spans} | {s[2] for s in pred_spans}):
            _add_prf(
                tally,
                ("entities", metric, label),
                sum(1 for h in hits if h[2] == label),
                sum(1 for p in pred_spans if p[2] == label),
                sum(1 for g in gold_spans if g[2] == label),
            )
    if known_labels is not None:
        for span in pred_spans:
            if span[2] not in known_labels:
                tally[("entities", "unknown", span[2], "pred")] += 1


# Quotes ----------------------------------------------------------------------------------------------------


def _role(role: Role | None) -> tuple[int, int] | None:
    return None if role is None else (role.start, role.end)


def quote_overlap(gold: tuple[int, int], pred: tuple[int, int]) -> float:
    """The Gender Gap Tracker's match score: shared characters over the gold content's length."""
    length = gold[1] - gold[0]
    return overlap_size(gold, pred) / length if length > 0 else 0.0


def _speaker_matches(gold: Role | None, pred: Role | None) -> bool:
    if gold is None or pred is None:
        return gold is None and pred is None
    return overlap_size((gold.start, gold.end), (pred.start, pred.end)) > 0


def _content(quote: Quote) -> tuple[int, int]:
    """The content range of a quote that has one (the scorers keep only those)."""
    assert quote.content is not None
    return quote.content.start, quote.content.end


def _cue_matches(text: str, gold: Role | None, pred: Role | None) -> bool:
    if gold is None or pred is None:
        return gold is None and pred is None
    return text[gold.start : gold.end].strip().lower() == text[pred.start : pred.end].strip().lower()


def _quote_pairing(
    gold_quotes: list[Quote], pred_quotes: list[Quote], threshold: float | None
) -> dict[int, int]:
    candidates = []
    for g in gold_quotes:
        scored = []
        for i, p in enumerate(pred_quotes):
            score = quote_overlap(_content(g), _content(p))
            if (threshold is None and _content(g) == _content(p)) or (
                threshold is not None and score >= threshold
            ):
                scored.append((-score, i))
        candidates.append([i for _, i in sorted(scored)])
    return max_pairing(candidates)


def tally_quotes(gold: Record, pred: Record, tally: Counter) -> None:
    gold_quotes = [q for q in gold.quotes if q.content is not None and q.content.end > q.content.start]
    pred_quotes = [q for q in pred.quotes if q.content is not None and q.content.end > q.content.start]
    kinds = sorted({q.kind for q in gold_quotes} | {q.kind for q in pred_quotes})
    for level, threshold in QUOTE_LEVELS.items():
        pairing = _quote_pairing(gold_quotes, pred_quotes, threshold)
        _add_prf(tally, ("quotes", level, ALL), len(pairing), len(pred_quotes), len(gold_quotes))
        for g, p in pairing.items():
            gq, pq = gold_quotes[g], pred_quotes[p]
            tally[("quotes", level, ALL, "speaker_match")] += _speaker_matches(gq.speaker, pq.speaker)
            tally[("quotes", level, ALL, "cue_match")] += _cue_matches(gold.text, gq.cue, pq.cue)
        for kind in kinds:
            gk = [q for q in gold_quotes if q.kind == kind]
            pk = [q for q in pred_quotes if q.kind == kind]
            _add_prf(tally, ("quotes", level, kind), len(_quote_pairing(gk, pk, threshold)), len(pk), len(gk))


# Events ----------------------------------------------------------------------------------------------------


def tally_events(gold: Record, pred: Record, tally: Counter, *, known_types: Collection[str] | None) -> None:
    gold_types = {event.label for event in gold.events}
    pred_types = {event.label for event in pred.events}
    _add_prf(tally, ("events", "types", ALL), len(gold_types & pred_types), len(pred_types), len(gold_types))
    for label in sorted(gold_types | pred_types):
        _add_prf(
            tally,
            ("events", "types", label),
            int(label in gold_types and label in pred_types),
            int(label in pred_types),
            int(label in gold_types),
        )
    tally[("events", "exact_match", ALL, "hit")] += gold_types == pred_types
    tally[("events", "exact_match", ALL, "records")] += 1
    missed, spurious = gold_types - pred_types, pred_types - gold_types
    for label in gold_types & pred_types:
        tally[("events", "confusion", label, label)] += 1
    for g in missed:
        for p in spurious or [MISSED]:
            tally[("events", "confusion", g, p)] += 1
    if not missed:
        for p in spurious:
            tally[("events", "confusion", SPURIOUS, p)] += 1
    if known_types is not None:
        for label in pred_types - set(known_types):
            tally[("events", "unknown", label, "pred")] += 1


def tally_pair(
    gold: Record,
    pred: Record,
    *,
    tasks: Collection[str] = TASKS,
    entity_labels: Collection[str] | None = None,
    event_types: Collection[str] | None = None,
) -> Counter:
    """The counts one predicted record earns against its gold record, for the tasks asked."""
    tally: Counter = Counter()
    if "entities" in tasks:
        tally_entities(gold, pred, tally, known_labels=entity_labels)
    if "quotes" in tasks:
        tally_quotes(gold, pred, tally)
    if "events" in tasks:
        tally_events(gold, pred, tally, known_types=event_types)
    return tally


def tally_records(gold: Iterable[Record], pred: Iterable[Record], **options: Any) -> Counter:
    """Summed counts over aligned gold and predicted records (``options`` as for ``tally_pair``)."""
    total: Counter = Counter()
    for g, p in zip(gold, pred, strict=True):
        total.update(tally_pair(g, p, **options))
    return total


# Summaries -------------------------------------------------------------------------------------------------


def _labels(tally: Mapping[Key, int], task: str, metric: str) -> list[str]:
    return sorted({k[2] for k in tally if k[0] == task and k[1] == metric and k[2] != ALL})


def _scores(tally: Mapping[Key, int], task: str, metric: str, label: str) -> dict[str, float | int]:
    tp, npred, ngold = (tally.get((task, metric, label, f), 0) for f in ("tp", "pred", "gold"))
    precision, recall, f1 = prf(tp, npred, ngold)
    return {"precision": precision, "recall": recall, "f1": f1, "tp": tp, "pred": npred, "gold": ngold}


def _prf_table(tally: Mapping[Key, int], task: str, metric: str) -> dict[str, Any]:
    per_label = {label: _scores(tally, task, metric, label) for label in _labels(tally, task, metric)}
    macro = float(np.mean([s["f1"] for s in per_label.values()])) if per_label else 0.0
    return {"micro": _scores(tally, task, metric, ALL), "macro_f1": macro, "per_label": per_label}


def _unknown(tally: Mapping[Key, int], task: str) -> dict[str, int]:
    return {k[2]: n for k, n in sorted(tally.items()) if k[0] == task and k[1] == "unknown"}


def summarize_entities(tally: Mapping[Key, int]) -> dict[str, Any]:
    return {
        "strict": _prf_table(tally, "entities", "strict"),
        "partial": _prf_table(tally, "entities", "partial"),
        "unknown_labels": _unknown(tally, "entities"),
    }


def summarize_quotes(tally: Mapping[Key, int]) -> dict[str, Any]:
    summary: dict[str, Any] = {}
    for level in QUOTE_LEVELS:
        micro = _scores(tally, "quotes", level, ALL)
        paired = micro["tp"]
        summary[level] = {
            "micro": micro,
            "speaker_accuracy": ratio(tally.get(("quotes", level, ALL, "speaker_match"), 0), paired),
            "cue_accuracy": ratio(tally.get(("quotes", level, ALL, "cue_match"), 0), paired),
            "per_kind": {
                kind: _scores(tally, "quotes", level, kind) for kind in _labels(tally, "quotes", level)
            },
        }
    return summary


def summarize_events(tally: Mapping[Key, int]) -> dict[str, Any]:
    table = _prf_table(tally, "events", "types")
    records = tally.get(("events", "exact_match", ALL, "records"), 0)
    confusion: dict[str, dict[str, int]] = {}
    for key, count in sorted(tally.items()):
        if key[:2] == ("events", "confusion") and count:
            confusion.setdefault(key[2], {})[key[3]] = count
    return {
        "micro": table["micro"],
        "macro_f1": table["macro_f1"],
        "per_type": table["per_label"],
        "exact_match_ratio": ratio(tally.get(("events", "exact_match", ALL, "hit"), 0), records),
        "records": records,
        "confusion": confusion,
        "unknown_types": _unknown(tally, "events"),
    }


SUMMARIES: dict[str, Callable[[Mapping[Key, int]], dict[str, Any]]] = {
    "entities": summarize_entities,
    "quotes": summarize_quotes,
    "events": summarize_events,
}


def summarize(tally: Mapping[Key, int], *, tasks: Collection[str] = TASKS) -> dict[str, Any]:
    """Every score of every task asked, from summed counts."""
    return {task: SUMMARIES[task](tally) for task in TASKS if task in tasks}


# Headline scores: the few numbers that get confidence intervals and paired tests ------------------------


def headline_scores(
    get: Getter, *, tasks: Collection[str], event_labels: Iterable[str] = ()
) -> dict[str, Any]:
    """Headline scores from a count getter; ``get`` may return numbers or numpy columns (bootstrap)."""

    def micro(task: str, metric: str) -> tuple[Any, Any, Any]:
        return prf(*(get((task, metric, ALL, f)) for f in ("tp", "pred", "gold")))

    scores: dict[str, Any] = {}
    if "entities" in tasks:
        p, r, f = micro("entities", "strict")
        scores |= {"entities.strict.precision": p, "entities.strict.recall": r, "entities.strict.f1": f}
        scores["entities.partial.f1"] = micro("entities", "partial")[2]
    if "quotes" in tasks:
        for level in QUOTE_LEVELS:
            scores[f"quotes.{level}.f1"] = micro("quotes", level)[2]
    if "events" in tasks:
        scores["events.micro.f1"] = micro("events", "types")[2]
        scores["events.macro.f1"] = _macro_f1(get, "events", "types", event_labels)
        scores["events.exact_match_ratio"] = ratio(
            get(("events", "exact_match", ALL, "hit")), get(("events", "exact_match", ALL, "records"))
        )
    return scores


def _macro_f1(get: Getter, task: str, metric: str, labels: Iterable[str]) -> Any:
    """Mean F1 over the labels that occur (in gold or predictions) in the counts given, as seqeval does."""
    f1_sum, present = 0.0, 0.0
    for label in labels:
        tp, npred, ngold = (get((task, metric, label, f)) for f in ("tp", "pred", "gold"))
        f1_sum = f1_sum + prf(tp, npred, ngold)[2]
        present = present + (np.asarray(npred) + np.asarray(ngold) > 0)
    return ratio(f1_sum, present)


def event_labels_of(tally: Mapping[Key, int]) -> list[str]:
    return _labels(tally, "events", "types")


# Uncertainty: bootstrap over documents (or smaller units), paired tests between systems ------------------


def resampling_units(records: Iterable[Record]) -> tuple[str, list[str]]:
    """The unit the bootstrap resamples and each record's unit key, in record order.

    Documents (``meta.doc_id``, else the part of ``meta.id`` before its last colon) when there are two or
    more; with a single document, its paragraphs when the records know them, else the records themselves.
    """
    metas = [(doc_id_of({"doc_id": r.meta.doc_id, "id": r.meta.id}), r.meta.paragraph) for r in records]
    docs = [doc if doc is not None else f"#record{i}" for i, (doc, _) in enumerate(metas)]
    if len(set(docs)) >= 2 or len(docs) < 2:
        return "document", docs
    paragraphs = [para for _, para in metas]
    if None not in paragraphs and len(set(paragraphs)) >= 2:
        return "paragraph", [f"{doc}#{para}" for doc, para in zip(docs, paragraphs, strict=True)]
    return "record", [f"#record{i}" for i in range(len(metas))]


def _is_additive(key: Key) -> bool:
    return key[1] not in ("confusion", "unknown")


def bootstrap_scores(
    groups: list[Counter],
    *,
    tasks: Collection[str],
    event_labels: Iterable[str] = (),
    n_bootstrap: int = 1000,
    seed: int = 0,
    chunk: int = 100,
) -> dict[str, np.ndarray]:
    """Headline scores on ``n_bootstrap`` resamples of the units, drawn with replacement.

    The draws depend only on ``seed`` and the number of units, so two systems scored on the same split
    see the same resamples: that pairing is what ``paired_p_value`` relies on.
    """
    keys = sorted({key for group in groups for key in group if _is_additive(key)})
    column = {key: i for i, key in enumerate(keys)}
    counts = np.array([[group.get(key, 0) for key in keys] for group in groups], dtype=float).reshape(
        len(groups), len(keys)
    )
    rng = np.random.default_rng(seed)
    n_units = len(groups)
    event_labels = list(event_labels)
    pieces: dict[str, list[np.ndarray]] = {}
    for start in range(0, n_bootstrap, chunk):
        size = min(chunk, n_bootstrap - start)
        weights = (
            rng.multinomial(n_units, np.full(n_units, 1.0 / n_units), size=size)
            if n_units
            else (np.zeros((size, 0)))
        )
        sums = weights @ counts
        zeros = np.zeros(size)

        def get(key: Key, sums: np.ndarray = sums, zeros: np.ndarray = zeros) -> np.ndarray:
            return sums[:, column[key]] if key in column else zeros

        for name, values in headline_scores(get, tasks=tasks, event_labels=event_labels).items():
            pieces.setdefault(name, []).append(np.broadcast_to(values, (size,)))
    return {name: np.concatenate(parts) for name, parts in pieces.items()}


def confidence_interval(samples: np.ndarray, *, level: float = 0.95) -> tuple[float, float]:
    """The percentile interval of bootstrap samples."""
    if len(samples) == 0:
        return (float("nan"), float("nan"))
    tail = (1.0 - level) / 2 * 100
    low, high = np.percentile(samples, [tail, 100 - tail])
    return float(low), float(high)


def paired_p_value(samples_a: np.ndarray, samples_b: np.ndarray, observed: float) -> float:
    """Two-sided paired bootstrap p-value for a score difference ``observed`` = score(a) - score(b).

    The resampled differences are centred on the observed one to approximate the null distribution
    (Berg-Kirkpatrick et al., 2012): p = (1 + #{|d_i - observed| >= |observed|}) / (1 + n).
    """
    deltas = np.asarray(samples_a) - np.asarray(samples_b)
    extreme = np.count_nonzero(np.abs(deltas - observed) >= abs(observed) - 1e-12)
    return float((1 + extreme) / (1 + len(deltas)))
