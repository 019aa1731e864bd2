"""Adjudication by majority: one gold record per task from several annotators' answers; ties go to people."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import msgspec

from toolkit.errors import InputError, UsageError
from toolkit.jsonl import STDIO, write_json_lines, write_records
from toolkit.record import Event, Quote, Record, Role, Span, record_to_dict
from toolkit.review.agree import ACCEPT, Answer, group_answers, read_answers

ADJUDICATOR = "adjudicated"
METHOD = "majority"
T = TypeVar("T", Span, Quote, Event)


def _range(role: Role | None) -> tuple[int, int] | None:
    return None if role is None else (role.start, role.end)


def span_key(span: Span) -> Hashable:
    return (span.start, span.end, span.label)


def quote_key(quote: Quote) -> Hashable:
    # Who a pronoun stands for is part of the annotation: two readings of "he" are a disagreement.
    resolved = quote.speaker_resolved
    who = None if resolved is None else (resolved.text, resolved.record_id)
    return (_range(quote.content), _range(quote.speaker), _range(quote.cue), quote.kind, who)


def event_key(event: Event) -> Hashable:
    return (event.label, _range(event.trigger))


def _sort_key(key: Hashable) -> str:
    # Keys mix ints, strings and None; their repr orders them deterministically.
    return repr(key)


@dataclass
class Outcome:
    """What adjudication decided for one task: a gold record, a tie for a person, or no record."""

    task: str
    decision: str  # gold | reject | ignore | tie
    record: Record | None = None
    reason: str | None = None
    tied: list[str] = field(default_factory=list)


def majority_state(answers: dict[str, Answer]) -> str | None:
    """The answer state most annotators gave; None when two states share the top count."""
    ranked = Counter(answer.state for answer in answers.values()).most_common()
    if len(ranked) > 1 and ranked[0][1] == ranked[1][1]:
        return None
    return ranked[0][0]


def vote(
    versions: list[tuple[str, list[T]]], key: Callable[[T], Hashable]
) -> tuple[list[tuple[str, T]], list[tuple[T, list[str]]]]:
    """Items chosen by a strict majority of ``versions``, each with the first annotator who chose it, and
    the items chosen by exactly half, each with who chose it: those are ties."""
    voters: dict[Hashable, list[str]] = {}
    first: dict[Hashable, tuple[str, T]] = {}
    for annotator, items in versions:
        for k, item in {key(i): i for i in items}.items():
            voters.setdefault(k, []).append(annotator)
            first.setdefault(k, (annotator, item))
    size = len(versions)
    ordered = sorted(voters, key=_sort_key)
    kept = [first[k] for k in ordered if 2 * len(voters[k]) > size]
    tied = [(first[k][1], voters[k]) for k in ordered if 2 * len(voters[k]) == size]
    return kept, tied


def _describe(text: str, kind: str, item: Span | Quote | Event, voters: list[str]) -> str:
    """A tied item as a person reads it: what, where, the words, and who chose it."""
    if isinstance(item, Span):
        what = f"{item.label} {item.start}-{item.end} {text[item.start : item.end]!r}"
    elif isinstance(item, Quote):
        roles = [
            (n, r) for n, r in (("speaker", item.speaker), ("cue", item.cue), ("content", item.content)) if r
        ]
        what = f"{item.kind} " + " ".join(f"{n}={text[r.start : r.end]!r}" for n, r in roles)
    else:
        trigger = f" {text[item.trigger.start : item.trigger.end]!r}" if item.trigger else ""
        what = f"{item.label}{trigger}"
    return f"{kind} {what} chosen by {', '.join(voters)}"


def _with_source(annotator: str, item: T) -> T:
    """Keep the annotator's own provenance; an item without one is that annotator's work."""
    return item if item.source else msgspec.structs.replace(item, source=f"human:{annotator}")


def gold_record(answers: dict[str, Answer]) -> tuple[Record | None, list[str]]:
    """The majority record of the accepting answers, or None and the descriptions of tied items."""
    accepting = sorted((a, ans.record) for a, ans in answers.items() if ans.state == ACCEPT)
    if len({record.text for _, record in accepting}) > 1:
        return None, ["the accepting answers have different texts"]
    base = accepting[0][1]
    spans, tied_spans = vote([(a, r.spans) for a, r in accepting], span_key)
    quotes, tied_quotes = vote([(a, r.quotes) for a, r in accepting], quote_key)
    events, tied_events = vote([(a, r.events) for a, r in accepting], event_key)
    tied = [
        _describe(base.text, kind, item, voters)
        for kind, ties in (("span", tied_spans), ("quote", tied_quotes), ("event", tied_events))
        for item, voters in ties
    ]
    if tied:
        return None, tied
    adjudication = {"annotators": sorted(answers), "accepted_by": [a for a, _ in accepting], "method": METHOD}
    meta = msgspec.structs.replace(base.meta, extra={**base.meta.extra, "adjudication": adjudication})
    record = msgspec.structs.replace(
        base,
        spans=[_with_source(a, s) for a, s in spans],
        quotes=[_with_source(a, q) for a, q in quotes],
        events=[_with_source(a, e) for a, e in events],
        meta=meta,
        answer=ACCEPT,
        annotator_id=ADJUDICATOR,
        session_id=None,
        timestamp=None,
        task_hash=None,  # Prodigy's task hash covers the annotation, which is new here
    )
    return record, []


def decide(task: str, answers: dict[str, Answer], *, min_annotators: int = 1) -> Outcome:
    """Adjudicate one task."""
    if len(answers) < min_annotators:
        return Outcome(task, "tie", reason="too-few-annotators", tied=[f"{len(answers)} of {min_annotators}"])
    state = majority_state(answers)
    if state is None:
        states = ", ".join(f"{a}: {ans.state}" for a, ans in sorted(answers.items()))
        return Outcome(task, "tie", reason="answer-tie", tied=[states])
    if state != ACCEPT:
        return Outcome(task, state)
    record, tied = gold_record(answers)
    if record is None:
        return Outcome(task, "tie", reason="item-tie", tied=tied)
    return Outcome(task, "gold", record=record)


def _order(outcome_answers: tuple[Outcome, dict[str, Answer]]) -> tuple[str, int, str]:
    outcome, answers = outcome_answers
    meta = next(iter(sorted(answers.items())))[1].record.meta
    return (meta.doc_id or "", meta.unit if meta.unit is not None else -1, outcome.task)


def adjudicate_tasks(
    tasks: dict[str, dict[str, Answer]], *, min_annotators: int = 1
) -> Iterator[tuple[Outcome, dict[str, Answer]]]:
    """Outcomes in document order (doc_id, unit, id), each with the answers it came from."""
    decided = [
        (decide(task, answers, min_annotators=min_annotators), answers) for task, answers in tasks.items()
    ]
    yield from sorted(decided, key=_order)


def tie_row(outcome: Outcome, answers: dict[str, Answer]) -> dict[str, Any]:
    """One line of the ties file: why, and every version for a person to choose from."""
    return {
        "id": outcome.task,
        "reason": outcome.reason,
        "tied": outcome.tied,
        "answers": {a: ans.state for a, ans in sorted(answers.items())},
        "versions": [record_to_dict(ans.record) for _, ans in sorted(answers.items())],
    }


@dataclass
class AdjudicationReport:
    files: list[str]
    gold_path: str
    ties_path: str
    tasks: int
    answers: int
    gold: int = 0
    rejected: int = 0
    ignored: int = 0
    ties: dict[str, int] = field(default_factory=dict)
    repeated_answers: int = 0

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def default_ties_path(output: str | Path) -> Path:
    gold = Path(output)
    return gold.with_name(f"{gold.stem}.ties.jsonl")


def _check_outputs(inputs: list[str], outputs: list[str]) -> None:
    """Inputs are never overwritten: refuse an output path that is one of them."""
    resolved = {Path(p).resolve() for p in inputs if p != STDIO}
    for out in outputs:
        if out != STDIO and Path(out).resolve() in resolved:
            raise UsageError(f"{out} is also an input; inputs are never overwritten")


def adjudicate(
    *,
    paths: Iterable[str | Path],
    output: str | Path,
    ties: str | Path | None = None,
    min_annotators: int = 1,
) -> AdjudicationReport:
    """Write one gold record per task decided by majority to ``output`` and every tie to ``ties``."""
    files = [str(p) for p in paths]
    if not files:
        raise InputError("no files given", rule="no-input")
    if min_annotators < 1:
        raise UsageError("--min-annotators must be at least 1")
    if ties is None and str(output) == STDIO:
        raise UsageError("give --ties PATH when the gold records go to standard output")
    ties_path = str(ties if ties is not None else default_ties_path(output))
    _check_outputs(files, [str(output), ties_path])
    answers = list(read_answers(files))
    tasks, repeats = group_answers(answers)
    report = AdjudicationReport(
        files=files,
        gold_path=str(output),
        ties_path=ties_path,
        tasks=len(tasks),
        answers=len(answers),
        repeated_answers=repeats,
    )
    outcomes = list(adjudicate_tasks(tasks, min_annotators=min_annotators))
    counts = Counter(o.decision for o, _ in outcomes)
    report.gold, report.rejected, report.ignored = counts["gold"], counts["reject"], counts["ignore"]
    reasons = Counter(o.reason for o, _ in outcomes if o.decision == "tie" and o.reason is not None)
    report.ties = dict(sorted(reasons.items()))
    write_records(output, (o.record for o, _ in outcomes if o.record is not None))
    write_json_lines(ties_path, (tie_row(o, a) for o, a in outcomes if o.decision == "tie"))
    return report
