"""Agreement between annotators: pairwise span F1, alpha and kappa on event types, and a list of conflicts."""

from __future__ import annotations

import itertools
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toolkit.errors import InputError
from toolkit.jsonl import read_records_with_lines
from toolkit.labels import PLOVER_TYPES, QUOTE_ROLES
from toolkit.record import ANSWERS, Record, text_sha256

ACCEPT = "accept"
# What is compared: entity spans, and each quote role on its own.
SPAN_KINDS: tuple[str, ...] = ("entities", *(f"quote.{role}" for role in QUOTE_ROLES))

Item = tuple[int, int, str]


@dataclass(frozen=True)
class Answer:
    """One annotator's answer to one task."""

    task: str
    annotator: str
    state: str
    record: Record
    file: str
    line: int


def task_key(record: Record) -> str:
    """The id that groups answers to the same task: meta.id, else Prodigy's input hash, else the text."""
    if record.meta.id:
        return record.meta.id
    if record.input_hash is not None:
        return f"input_hash:{record.input_hash}"
    return f"text:{text_sha256(record.text)[:16]}"


def answer_state(record: Record) -> str:
    # A record without an answer (a model's pre-annotation, say) counts as that source's accepted annotation.
    return record.answer or ACCEPT


def check_answer(record: Record, *, path: str, line: int) -> None:
    """Only Prodigy's three answers mean something; any other (a typo, "maybe") would be counted as its own
    decision and could win a majority."""
    if record.answer is not None and record.answer not in ANSWERS:
        raise InputError(
            f"answer {record.answer!r} is not one of {', '.join(ANSWERS)}",
            path=path,
            line=line,
            rule="answer-value",
            hint="fix the answer, or leave it out for an accepted annotation",
        )


def read_answers(paths: Iterable[str | Path]) -> Iterator[Answer]:
    """Every answer row of the files, with its annotator (``_annotator_id``, else the file's name)."""
    for path in paths:
        fallback = "stdin" if str(path) == "-" else Path(path).stem
        for line, record in read_records_with_lines(path):
            check_answer(record, path=str(path), line=line)
            yield Answer(
                task_key(record),
                record.annotator_id or fallback,
                answer_state(record),
                record,
                str(path),
                line,
            )


def group_answers(answers: Iterable[Answer]) -> tuple[dict[str, dict[str, Answer]], int]:
    """Answers by task and annotator; a repeated answer replaces the earlier one (counted)."""
    tasks: dict[str, dict[str, Answer]] = defaultdict(dict)
    repeats = 0
    for answer in answers:
        repeats += answer.annotator in tasks[answer.task]
        tasks[answer.task][answer.annotator] = answer
    return dict(tasks), repeats


def span_items(record: Record, kind: str) -> set[Item]:
    """The comparable items of one kind: (start, end, label) for entities, (start, end, role) for roles."""
    if kind == "entities":
        return {(s.start, s.end, s.label) for s in record.spans}
    role = kind.split(".", 1)[1]
    return {(r.start, r.end, role) for q in record.quotes if (r := getattr(q, role)) is not None}


def event_types(record: Record) -> set[str]:
    return {event.label for event in record.events}


def overlap_matches(first: set[Item], second: set[Item]) -> int:
    """One-to-one matches of items with the same label whose ranges overlap (exact matches first)."""
    exact = first & second
    rest_second = sorted(second - exact)
    used: set[Item] = set()
    matched = len(exact)
    for start, end, label in sorted(first - exact):
        for other in rest_second:
            if other not in used and other[2] == label and other[0] < end and start < other[1]:
                used.add(other)
                matched += 1
                break
    return matched


@dataclass
class SpanAgreement:
    """Micro-averaged F1 between two annotators (or summed over all pairs) for one kind of span."""

    pairs: int = 0
    first: int = 0
    second: int = 0
    exact: int = 0
    overlap: int = 0

    def add(self, first: set[Item], second: set[Item]) -> None:
        self.pairs += 1
        self.first += len(first)
        self.second += len(second)
        self.exact += len(first & second)
        self.overlap += overlap_matches(first, second)

    def f1(self, matched: int) -> float | None:
        total = self.first + self.second
        return round(2 * matched / total, 4) if total else None

    def to_dict(self) -> dict[str, Any]:
        return {
            "task_pairs": self.pairs,
            "items": self.first + self.second,
            "exact_f1": self.f1(self.exact),
            "overlap_f1": self.f1(self.overlap),
        }


def cohen_kappa(first: list[int], second: list[int]) -> float | None:
    """Cohen's kappa of two coders' binary decisions on the same units; None when chance agreement is 1."""
    n = len(first)
    if n == 0:
        return None
    observed = sum(a == b for a, b in zip(first, second, strict=True)) / n
    p1, p2 = sum(first) / n, sum(second) / n
    expected = p1 * p2 + (1 - p1) * (1 - p2)
    return None if math.isclose(expected, 1.0) else round((observed - expected) / (1 - expected), 4)


def krippendorff_alpha(matrix: list[list[float]]) -> float | None:
    """Nominal alpha over coders x units (NaN: not coded); None when undefined (one value, one coder)."""
    import krippendorff
    import numpy as np

    data = np.array(matrix, dtype=float)
    if data.shape[0] < 2 or data.shape[1] == 0:
        return None
    try:
        value = krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
    except ValueError:
        return None  # every decision the same: alpha is 0/0
    return None if math.isnan(value) else round(float(value), 4)


@dataclass
class EventAgreement:
    """Per-record, per-type binary decisions (the type is there or not) of every accepting annotator."""

    annotators: list[str]
    types: list[str]
    alpha: float | None = None
    kappa: float | None = None
    units: int = 0
    observed: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "types": self.types,
            "units": self.units,
            "observed_agreement": self.observed,
            "krippendorff_alpha": self.alpha,
            "cohen_kappa": self.kappa,
        }


def event_agreement(
    tasks: dict[str, dict[str, Answer]], annotators: list[str], types: list[str]
) -> EventAgreement:
    """Alpha over every (task, type) unit; kappa too when exactly two annotators took part."""
    result = EventAgreement(annotators=annotators, types=types)
    rows: list[list[float]] = [[] for _ in annotators]
    agree = pairs = 0
    for key in sorted(tasks):
        accepted = {a: ans for a, ans in tasks[key].items() if ans.state == ACCEPT}
        if len(accepted) < 2:
            continue
        chosen = {a: event_types(ans.record) for a, ans in accepted.items()}
        for event_type in types:
            decisions = {a: float(event_type in labels) for a, labels in chosen.items()}
            for row, annotator in zip(rows, annotators, strict=True):
                row.append(decisions.get(annotator, math.nan))
            values = list(decisions.values())
            pairs += len(values) * (len(values) - 1) // 2
            agree += sum(a == b for a, b in itertools.combinations(values, 2))
            result.units += 1
    result.observed = round(agree / pairs, 4) if pairs else None
    result.alpha = krippendorff_alpha(rows)
    if len(annotators) == 2:
        both = [(a, b) for a, b in zip(rows[0], rows[1], strict=True) if not (math.isnan(a) or math.isnan(b))]
        result.kappa = cohen_kappa([int(a) for a, _ in both], [int(b) for _, b in both])
    return result


def _describe(record: Record, item: Item) -> str:
    start, end, label = item
    return f"{label} {start}-{end} {record.text[start:end]!r}"


def task_conflicts(key: str, answers: dict[str, Answer]) -> dict[str, Any] | None:
    """What differs between the answers to one task, or None when they agree."""
    differences: list[dict[str, Any]] = []
    states = {a: ans.state for a, ans in sorted(answers.items())}
    if len(set(states.values())) > 1:
        differences.append({"what": "answer", "values": states})
    accepted = {a: ans for a, ans in sorted(answers.items()) if ans.state == ACCEPT}
    if len(accepted) >= 2:
        record = next(iter(accepted.values())).record
        for kind in SPAN_KINDS:
            chosen = {a: span_items(ans.record, kind) for a, ans in accepted.items()}
            union = set().union(*chosen.values())
            split = [
                {"item": _describe(record, item), "by": [a for a, items in chosen.items() if item in items]}
                for item in sorted(union)
                if not all(item in items for items in chosen.values())
            ]
            if split:
                differences.append({"what": kind, "items": split})
        events = {a: event_types(ans.record) for a, ans in accepted.items()}
        union_events = set().union(*events.values())
        split_events = [
            {"item": label, "by": [a for a, labels in events.items() if label in labels]}
            for label in sorted(union_events)
            if not all(label in labels for labels in events.values())
        ]
        if split_events:
            differences.append({"what": "events", "items": split_events})
    if not differences:
        return None
    return {"id": key, "annotators": sorted(answers), "differences": differences}


@dataclass
class AgreementReport:
    """Agreement over every task answered by two or more annotators."""

    files: list[str]
    annotators: list[str]
    tasks: int
    shared_tasks: int
    answers: dict[str, int]
    repeated_answers: int
    spans: dict[str, SpanAgreement]
    pairs: dict[str, dict[str, SpanAgreement]]
    events: EventAgreement
    conflicts: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "files": self.files,
            "annotators": self.annotators,
            "tasks": self.tasks,
            "shared_tasks": self.shared_tasks,
            "answers": self.answers,
            "repeated_answers": self.repeated_answers,
            "spans": {kind: score.to_dict() for kind, score in self.spans.items()},
            "pairs": {
                pair: {k: s.to_dict() for k, s in scores.items()} for pair, scores in self.pairs.items()
            },
            "events": self.events.to_dict(),
            "conflicts": self.conflicts,
        }


def agreement(*, paths: Iterable[str | Path]) -> AgreementReport:
    """Read answer files (untouched) and measure how far the annotators agree."""
    files = [str(p) for p in paths]
    if not files:
        raise InputError("no files given", rule="no-input")
    tasks, repeats = group_answers(read_answers(files))
    annotators = sorted({a for answers in tasks.values() for a in answers})
    states = Counter(ans.state for answers in tasks.values() for ans in answers.values())
    spans = {kind: SpanAgreement() for kind in SPAN_KINDS}
    pairs: dict[str, dict[str, SpanAgreement]] = {}
    shared = 0
    conflicts = []
    for key in sorted(tasks):
        answers = tasks[key]
        shared += len(answers) >= 2
        accepted = sorted((a, ans) for a, ans in answers.items() if ans.state == ACCEPT)
        for (a, first), (b, second) in itertools.combinations(accepted, 2):
            by_kind = pairs.setdefault(f"{a} ~ {b}", {kind: SpanAgreement() for kind in SPAN_KINDS})
            for kind in SPAN_KINDS:
                one, other = span_items(first.record, kind), span_items(second.record, kind)
                spans[kind].add(one, other)
                by_kind[kind].add(one, other)
        conflict = task_conflicts(key, answers) if len(answers) >= 2 else None
        if conflict:
            conflicts.append(conflict)
    seen = {
        label for answers in tasks.values() for ans in answers.values() for label in event_types(ans.record)
    }
    types = [*PLOVER_TYPES, *sorted(seen - set(PLOVER_TYPES))]
    return AgreementReport(
        files=files,
        annotators=annotators,
        tasks=len(tasks),
        shared_tasks=shared,
        answers={state: states[state] for state in sorted(states)},
        repeated_answers=repeats,
        spans=spans,
        pairs=dict(sorted(pairs.items())),
        events=event_agreement(tasks, annotators, types),
        conflicts=conflicts,
    )
