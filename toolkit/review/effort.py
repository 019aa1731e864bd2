"""What annotators did to the pre-annotations they were given, and how long it took.

Each answer record is joined to its pre-annotated record by ``meta.id`` and, layer by layer, every
pre-annotation ends up in one state: **kept** as it was, **changed** (how: ``boundary``, ``label``, ``role``,
``kind``, ``trigger``, ``merge``, ``split``, ``resolution``, ``link``) or **deleted**; what the answer holds
beyond that was **added**. Items are paired before they are counted, so one fix is counted once:

- entities: same offsets and label = kept; same offsets, another label = label change; one answer span over
  several pre spans = merge (each pre span changed), the reverse = split; overlapping spans = boundary change
  (with a label change when the labels differ); the rest deleted or added;
- quotes: paired by the largest content overlap; a pair is changed when its content boundary, speaker or cue
  (``role``), kind, speaker resolution or cross-sentence links differ;
- events: paired by type (the trigger may have moved), then by overlapping trigger (the type changed);
  the rest deleted or added.

An **edit** is one thing an annotator had to do: add or delete an item, merge or split spans, or change one
field of an item (an entity whose boundary and label both changed is two edits, as is a quote whose speaker
and kind changed). Edits per 100 words divide by the words (whitespace-separated) of the answers compared.

Rejected and ignored answers are counted, not compared: they say the task was unusable, not what it should
hold. An answer compares only the layers it answered when the tool says which (Prodigy's ``_view_id``:
``ner_manual`` and ``spans_manual`` entities, ``relations`` quotes, ``choice`` events), else every layer of
``tasks``. Time per task (answer) comes from Label Studio's ``lead_time`` (kept in ``meta.label_studio`` by
``toolkit import labelstudio``; an answer without one is untimed), and for other tools from the gaps between
consecutive ``_timestamp``s of one annotator's session (Prodigy): the first answer of a session has no gap,
and gaps longer than ``idle_seconds`` are breaks, counted but left out.
"""

from __future__ import annotations

import itertools
import statistics
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from toolkit.errors import InputError, UsageError
from toolkit.formats.prodigy import VIEW_IDS as PRODIGY_VIEW_IDS
from toolkit.jsonl import read_records_with_lines
from toolkit.record import Event, Quote, Record, Role, Span
from toolkit.spans import overlap_size, overlaps

TASKS: tuple[str, ...] = ("entities", "quotes", "events")
STATES: tuple[str, ...] = ("pre", "kept", "changed", "deleted", "added", "final")
ASPECTS: tuple[str, ...] = (
    "boundary",
    "label",
    "role",
    "kind",
    "trigger",
    "merge",
    "split",
    "resolution",
    "link",
)
# Prodigy's interfaces and the task each answers: its view, the spans view being entities too.
VIEW_TASKS: dict[str, str] = {
    interface: "entities" if view == "spans" else view for interface, view in PRODIGY_VIEW_IDS.items()
}
SKIPPED_ANSWERS = frozenset({"reject", "ignore"})
DEFAULT_IDLE_SECONDS = 600.0

T = TypeVar("T")
U = TypeVar("U")


@dataclass
class LabelCounts:
    """What happened to the pre-annotations of one task and label."""

    pre: int = 0
    kept: int = 0
    changed: int = 0
    deleted: int = 0
    added: int = 0
    final: int = 0
    edits: int = 0
    how: Counter = field(default_factory=Counter)

    def add(self, other: LabelCounts) -> None:
        for name in (*STATES, "edits"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.how.update(other.how)

    def to_dict(self) -> dict[str, Any]:
        counts: dict[str, Any] = {name: getattr(self, name) for name in (*STATES, "edits")}
        counts["changed_how"] = {a: self.how[a] for a in ASPECTS if self.how[a]}
        return counts


@dataclass
class Tally:
    """Counts per task and label, each correction with the words it concerned (for the report)."""

    labels: dict[str, dict[str, LabelCounts]] = field(default_factory=lambda: {t: {} for t in TASKS})
    cases: dict[tuple[str, str], list[str]] = field(default_factory=lambda: defaultdict(list))

    def at(self, task: str, label: str) -> LabelCounts:
        return self.labels[task].setdefault(label, LabelCounts())

    def kept(self, task: str, label: str) -> None:
        self.at(task, label).kept += 1

    def changed(self, task: str, label: str, aspects: Iterable[str], *, edits: int | None = None) -> None:
        counts = self.at(task, label)
        aspects = tuple(aspects)
        counts.changed += 1
        counts.how.update(aspects)
        counts.edits += len(aspects) if edits is None else edits

    def deleted(self, task: str, label: str, case: str) -> None:
        counts = self.at(task, label)
        counts.deleted += 1
        counts.edits += 1
        self.note(task, f"deleted: {label}", case)

    def added(self, task: str, label: str, case: str) -> None:
        counts = self.at(task, label)
        counts.added += 1
        counts.edits += 1
        self.note(task, f"added: {label}", case)

    def note(self, task: str, category: str, case: str) -> None:
        self.cases[(task, category)].append(case)

    def totals(self, task: str) -> LabelCounts:
        total = LabelCounts()
        for counts in self.labels[task].values():
            total.add(counts)
        return total


# Pairing --------------------------------------------------------------------------------------------------


def pair_up(
    firsts: list[T], seconds: list[U], score: Callable[[T, U], tuple[int, ...] | None]
) -> tuple[list[tuple[T, U]], list[T], list[U]]:
    """Greedy one-to-one pairs, best score first (None: never pair); ties broken by list position."""
    options = [
        (s, i, j)
        for i, a in enumerate(firsts)
        for j, b in enumerate(seconds)
        if (s := score(a, b)) is not None
    ]
    options.sort(key=lambda o: (tuple(-x for x in o[0]), o[1], o[2]))
    used_a: set[int] = set()
    used_b: set[int] = set()
    pairs = []
    for _, i, j in options:
        if i not in used_a and j not in used_b:
            used_a.add(i)
            used_b.add(j)
            pairs.append((firsts[i], seconds[j]))
    rest_a = [a for i, a in enumerate(firsts) if i not in used_a]
    rest_b = [b for j, b in enumerate(seconds) if j not in used_b]
    return pairs, rest_a, rest_b


def _unit(record: Record) -> str:
    """The record's unit number for cases (``:12``), or its id when it has none."""
    key = record.meta.id or "?"
    return key.rsplit(":", 1)[1] if ":" in key else key


# Entities -------------------------------------------------------------------------------------------------


def _surface(text: str, span: Span) -> str:
    return f"'{text[span.start : span.end]}' {span.label}"


def _key(span: Span) -> tuple[int, int]:
    return (span.start, span.end)


def _same_place(a: Span, b: Span) -> tuple[int, ...] | None:
    return (1,) if _key(a) == _key(b) else None


def _nearby(a: Span, b: Span) -> tuple[int, ...] | None:
    """Overlapping spans pair up, same label first, then the larger overlap."""
    if not overlaps(_key(a), _key(b)):
        return None
    return (int(a.label == b.label), overlap_size(_key(a), _key(b)))


def _merges_and_splits(text: str, pre: list[Span], done: list[Span], tally: Tally, unit: str) -> None:
    """One answer span over several pre spans (merge) or the reverse (split), taken out of both lists."""
    for big_side, small_side, name in ((done, pre, "merge"), (pre, done, "split")):
        for big in list(big_side):
            inside = [s for s in small_side if overlaps(_key(s), _key(big))]
            if len(inside) < 2:
                continue
            parts = " + ".join(_surface(text, s) for s in inside)
            labels = " + ".join(s.label for s in inside)
            if name == "merge":
                for i, span in enumerate(inside):  # one edit, however many spans went into it
                    tally.changed("entities", span.label, ("merge",), edits=int(i == 0))
                tally.note(
                    "entities", f"merge: {labels} -> {big.label}", f"{unit}: {parts} -> {_surface(text, big)}"
                )
            else:
                tally.changed("entities", big.label, ("split",), edits=1)
                tally.note(
                    "entities", f"split: {big.label} -> {labels}", f"{unit}: {_surface(text, big)} -> {parts}"
                )
            big_side.remove(big)
            for span in inside:
                small_side.remove(span)


def entity_effort(pre: Record, done: Record, tally: Tally) -> None:
    text, unit = done.text, _unit(done)
    done_items = {(s.start, s.end, s.label) for s in done.spans}
    pre_items = {(s.start, s.end, s.label) for s in pre.spans}
    for span in pre.spans:
        if (span.start, span.end, span.label) in done_items:
            tally.kept("entities", span.label)
    pre_rest = [s for s in pre.spans if (s.start, s.end, s.label) not in done_items]
    done_rest = [s for s in done.spans if (s.start, s.end, s.label) not in pre_items]
    relabelled, pre_rest, done_rest = pair_up(pre_rest, done_rest, _same_place)
    for a, b in relabelled:
        tally.changed("entities", a.label, ("label",))
        tally.note("entities", f"label change: {a.label} -> {b.label}", f"{unit}: '{text[a.start : a.end]}'")
    _merges_and_splits(text, pre_rest, done_rest, tally, unit)
    moved, pre_rest, done_rest = pair_up(pre_rest, done_rest, _nearby)
    for a, b in moved:
        same = a.label == b.label
        tally.changed("entities", a.label, ("boundary",) if same else ("boundary", "label"))
        category = "boundary change" if same else f"boundary and label change: {a.label} -> {b.label}"
        tally.note("entities", category, f"{unit}: {_surface(text, a)} -> {_surface(text, b)}")
    for span in pre_rest:
        tally.deleted("entities", span.label, f"{unit}: '{text[span.start : span.end]}'")
    for span in done_rest:
        tally.added("entities", span.label, f"{unit}: '{text[span.start : span.end]}'")


# Quotes ---------------------------------------------------------------------------------------------------


def _role(role: Role | None) -> tuple[int, int] | None:
    return None if role is None else (role.start, role.end)


def _words(text: str, role: Role | None) -> str:
    return "null" if role is None else repr(text[role.start : role.end])


def _resolved(quote: Quote) -> tuple[str, str] | None:
    r = quote.speaker_resolved
    return None if r is None else (r.text, r.record_id)


def _overlap(a: Role | None, b: Role | None) -> tuple[int, ...] | None:
    """Two roles (contents, triggers) pair by the characters they share; an absent one never pairs."""
    first, second = _role(a), _role(b)
    if first is None or second is None or not overlaps(first, second):
        return None
    return (overlap_size(first, second),)


def quote_effort(pre: Record, done: Record, tally: Tally) -> None:
    text, unit = done.text, _unit(done)
    pairs, deleted, added = pair_up(pre.quotes, done.quotes, lambda a, b: _overlap(a.content, b.content))
    for a, b in pairs:
        aspects = []
        for name, aspect in (("content", "boundary"), ("speaker", "role"), ("cue", "role")):
            before, after = getattr(a, name), getattr(b, name)
            if _role(before) != _role(after):
                aspects.append(aspect)
                category = "content boundary change" if name == "content" else f"{name} change"
                tally.note("quotes", category, f"{unit}: {_words(text, before)} -> {_words(text, after)}")
        if a.kind != b.kind:
            aspects.append("kind")
            tally.note("quotes", f"kind change: {a.kind} -> {b.kind}", unit)
        if _resolved(a) != _resolved(b):
            aspects.append("resolution")
            before = "none" if a.speaker_resolved is None else a.speaker_resolved.text
            after = "none" if b.speaker_resolved is None else b.speaker_resolved.text
            tally.note("quotes", "speaker resolution change", f"{unit}: {before} -> {after}")
        if sorted(a.linked_records) != sorted(b.linked_records):
            aspects.append("link")
            tally.note(
                "quotes", "cross-sentence link change", f"{unit}: {a.linked_records} -> {b.linked_records}"
            )
        if aspects:
            tally.changed("quotes", a.kind, aspects)
        else:
            tally.kept("quotes", a.kind)
    for quote in deleted:
        tally.deleted("quotes", quote.kind, f"{unit}: {_words(text, quote.content)}")
    for quote in added:
        tally.added("quotes", quote.kind, f"{unit}: {_words(text, quote.content)}")


# Events ---------------------------------------------------------------------------------------------------


def event_effort(pre: Record, done: Record, tally: Tally) -> None:
    text, unit = done.text, _unit(done)

    def trigger(event: Event) -> str:
        return _words(text, event.trigger)

    same_type, pre_rest, done_rest = pair_up(
        pre.events, done.events, lambda a, b: (1,) if a.label == b.label else None
    )
    for a, b in same_type:
        if _role(a.trigger) == _role(b.trigger):
            tally.kept("events", a.label)
        else:
            tally.changed("events", a.label, ("trigger",))
            tally.note("events", f"trigger change: {a.label}", f"{unit}: {trigger(a)} -> {trigger(b)}")
    retyped, pre_rest, done_rest = pair_up(pre_rest, done_rest, lambda a, b: _overlap(a.trigger, b.trigger))
    for a, b in retyped:
        moved = _role(a.trigger) != _role(b.trigger)
        tally.changed("events", a.label, ("label", "trigger") if moved else ("label",))
        where = f"{trigger(a)} -> {trigger(b)}" if moved else trigger(a)
        tally.note("events", f"type change: {a.label} -> {b.label}", f"{unit}: {where}")
    for event in pre_rest:
        tally.deleted("events", event.label, f"{unit}: {trigger(event)}")
    for event in done_rest:
        tally.added("events", event.label, f"{unit}: {trigger(event)}")


COMPARE: dict[str, tuple[Callable[[Record, Record, Tally], None], str, Callable[[Any], str]]] = {
    "entities": (entity_effort, "spans", lambda item: item.label),
    "quotes": (quote_effort, "quotes", lambda item: item.kind),
    "events": (event_effort, "events", lambda item: item.label),
}


# Time -----------------------------------------------------------------------------------------------------


@dataclass
class Timing:
    """Seconds per answer of one annotator in one answers file."""

    file: str
    annotator: str
    view: str | None
    source: str  # "lead_time" (Label Studio) or "_timestamp" gaps (Prodigy)
    seconds: list[float] = field(default_factory=list)
    breaks: int = 0
    untimed: int = 0

    def to_dict(self) -> dict[str, Any]:
        timed = self.seconds
        return {
            "file": self.file,
            "annotator": self.annotator,
            "view": self.view,
            "source": self.source,
            "timed": len(timed),
            "untimed": self.untimed,
            "breaks": self.breaks,
            "median_seconds": round(statistics.median(timed), 3) if timed else None,
            "mean_seconds": round(statistics.fmean(timed), 3) if timed else None,
            "total_seconds": round(sum(timed), 3),
        }


def _lead_time(record: Record) -> float | None:
    studio = record.meta.extra.get("label_studio")
    value = studio.get("lead_time") if isinstance(studio, dict) else None
    return (
        float(value)
        if isinstance(value, int | float) and not isinstance(value, bool) and value >= 0
        else None
    )


def answer_times(path: str, answers: list[Record], *, idle_seconds: float) -> list[Timing]:
    """Per annotator: Label Studio's lead times; for other tools, the gaps between the ``_timestamp``s of
    one session (Prodigy). Label Studio's timestamps are when an annotation was last saved, not when work on
    it began, so its answers without a lead time are untimed rather than guessed."""
    by_annotator: dict[str, list[Record]] = defaultdict(list)
    for record in answers:
        by_annotator[record.annotator_id or "(unnamed)"].append(record)
    timings = []
    for annotator, records in sorted(by_annotator.items()):
        view = ",".join(sorted({r.view_id for r in records if r.view_id})) or None
        studio = [r for r in records if "label_studio" in r.meta.extra]
        if studio:
            leads = [_lead_time(r) for r in studio]
            timing = Timing(path, annotator, view, "lead_time")
            timing.seconds = [lead for lead in leads if lead is not None]
            timing.untimed = len(records) - len(timing.seconds)
            timings.append(timing)
            continue
        stamped = [r for r in records if isinstance(r.timestamp, int | float)]
        if not stamped:
            continue
        timing = Timing(path, annotator, view, "_timestamp")
        timing.untimed = len(records) - len(stamped)
        sessions: dict[str, list[float]] = defaultdict(list)
        for record in stamped:
            sessions[record.session_id or annotator].append(float(record.timestamp))  # type: ignore[arg-type]
        for stamps in sessions.values():
            stamps.sort()
            timing.untimed += 1  # the session's first answer: when work on it began is not recorded
            for before, after in itertools.pairwise(stamps):
                if after - before > idle_seconds:
                    timing.breaks += 1
                else:
                    timing.seconds.append(after - before)
        timings.append(timing)
    return timings


# The whole comparison -------------------------------------------------------------------------------------


@dataclass
class EffortReport:
    pre: str
    answers: list[str]
    tasks: tuple[str, ...]
    tally: Tally
    compared: int = 0
    changed_records: int = 0
    skipped: Counter = field(default_factory=Counter)  # reject / ignore
    words: Counter = field(default_factory=Counter)  # task -> words of the answers compared for it
    total_words: int = 0  # words of the answers compared, each once
    annotators: dict[str, Counter] = field(default_factory=dict)  # annotator -> answers, words, edits
    timings: list[Timing] = field(default_factory=list)

    def task_totals(self) -> dict[str, LabelCounts]:
        return {task: self.tally.totals(task) for task in self.tasks}

    def edits_per_100_words(self, task: str | None = None) -> float:
        tasks = self.tasks if task is None else (task,)
        edits = sum(self.tally.totals(t).edits for t in tasks)
        words = self.total_words if task is None else self.words[task]
        return 100.0 * edits / words if words else 0.0

    def corrections(self) -> list[dict[str, Any]]:
        """One row per (task, category): task order, then most frequent, then name."""
        order = {task: i for i, task in enumerate(TASKS)}
        cases = self.tally.cases
        keys = sorted(cases, key=lambda k: (order[k[0]], -len(cases[k]), k[1]))
        return [
            {
                "task": task,
                "correction": category,
                "count": len(cases[(task, category)]),
                "cases": cases[(task, category)],
            }
            for task, category in keys
        ]

    def to_dict(self) -> dict[str, Any]:
        tasks = {}
        for task in self.tasks:
            totals = self.tally.totals(task)
            tasks[task] = {
                "total": totals.to_dict(),
                "edits_per_100_words": round(self.edits_per_100_words(task), 3),
                "words": self.words[task],
                "labels": {label: c.to_dict() for label, c in sorted(self.tally.labels[task].items())},
            }
        return {
            "pre": self.pre,
            "answers": self.answers,
            "tasks": list(self.tasks),
            "compared": self.compared,
            "words": self.total_words,
            "changed_records": self.changed_records,
            "skipped_answers": dict(sorted(self.skipped.items())),
            "edits": sum(self.tally.totals(t).edits for t in self.tasks),
            "edits_per_100_words": round(self.edits_per_100_words(), 3),
            "by_task": tasks,
            "by_annotator": {
                name: {**dict(counts), "edits_per_100_words": _per_100(counts["edits"], counts["words"])}
                for name, counts in sorted(self.annotators.items())
            },
            "corrections": self.corrections(),
            "time": [t.to_dict() for t in self.timings],
        }


def _per_100(edits: int, words: int) -> float:
    return round(100.0 * edits / words, 3) if words else 0.0


def parse_tasks(tasks: str | Iterable[str] | None) -> tuple[str, ...]:
    if tasks is None:
        return TASKS
    names = [t.strip() for t in (tasks.split(",") if isinstance(tasks, str) else tasks) if t.strip()]
    unknown = sorted(set(names) - set(TASKS))
    if unknown or not names:
        raise UsageError(
            f"--tasks: unknown or empty task list {','.join(unknown) or '(none)'}",
            hint=f"choose from {','.join(TASKS)}",
        )
    return tuple(t for t in TASKS if t in names)


def read_pre(path: str | Path) -> dict[str, Record]:
    """The pre-annotated records by ``meta.id`` (each id once)."""
    found: dict[str, Record] = {}
    for line, record in read_records_with_lines(path):
        if record.meta.id is None:
            raise InputError(
                "record without meta.id: answers are joined to it by id",
                path=str(path),
                line=line,
                rule="missing-id",
            )
        if record.meta.id in found:
            raise InputError(
                f"meta.id {record.meta.id!r} occurs twice", path=str(path), line=line, rule="duplicate-id"
            )
        found[record.meta.id] = record
    return found


def _answered_tasks(record: Record, tasks: tuple[str, ...]) -> tuple[str, ...]:
    view = VIEW_TASKS.get(record.view_id or "")
    return tuple(t for t in tasks if t == view) if view else tasks


def _answers(path: str, pre: dict[str, Record], pre_path: str) -> Iterator[tuple[Record, Record]]:
    for line, record in read_records_with_lines(path):
        before = pre.get(record.meta.id) if record.meta.id is not None else None
        if before is None:
            raise InputError(
                f"answer {record.meta.id or '(no meta.id)'} is not among the records of {pre_path}",
                path=path,
                line=line,
                rule="unknown-id",
                hint="give the pre-annotated file these answers were made from",
            )
        if before.text != record.text:
            raise InputError(
                f"answer {record.meta.id}: its text differs from the pre-annotated record's in {pre_path}",
                path=path,
                line=line,
                rule="text-differs",
            )
        yield before, record


def measure_effort(
    *,
    pre: str | Path,
    answers: Iterable[str | Path],
    tasks: str | Iterable[str] | None = None,
    idle_seconds: float = DEFAULT_IDLE_SECONDS,
) -> EffortReport:
    """Compare every answer with the pre-annotated record it started from; see the module's notes."""
    chosen = parse_tasks(tasks)
    files = [str(a) for a in answers]
    if not files:
        raise UsageError("no answers file given")
    if idle_seconds <= 0:
        raise UsageError(f"--idle {idle_seconds}: must be a positive number of seconds")
    before_by_id = read_pre(pre)
    report = EffortReport(pre=str(pre), answers=files, tasks=chosen, tally=Tally())
    for path in files:
        answered: list[Record] = []
        for before, record in _answers(path, before_by_id, str(pre)):
            answered.append(record)
            who = report.annotators.setdefault(record.annotator_id or "(unnamed)", Counter())
            who["answers"] += 1
            if record.answer in SKIPPED_ANSWERS:
                report.skipped[record.answer] += 1
                continue
            _compare(before, record, _answered_tasks(record, chosen), report, who)
        report.timings += answer_times(path, answered, idle_seconds=idle_seconds)
    return report


def compare_record(before: Record, record: Record, tasks: Iterable[str], tally: Tally) -> None:
    """Count one answer's layers against the pre-annotated record: items before and after, and the fate of
    each pre-annotation."""
    for task in tasks:
        compare, layer, label_of = COMPARE[task]
        for item in getattr(before, layer):
            tally.at(task, label_of(item)).pre += 1
        for item in getattr(record, layer):
            tally.at(task, label_of(item)).final += 1
        compare(before, record, tally)


def _compare(
    before: Record, record: Record, tasks: tuple[str, ...], report: EffortReport, who: Counter
) -> None:
    tally = report.tally
    edits_before = sum(tally.totals(t).edits for t in TASKS)
    words = len(record.text.split())
    compare_record(before, record, tasks, tally)
    for task in tasks:
        report.words[task] += words
    edits = sum(tally.totals(t).edits for t in TASKS) - edits_before
    report.compared += 1
    report.total_words += words
    report.changed_records += edits > 0
    who["compared"] += 1
    who["words"] += words
    who["edits"] += edits


# Rendering ------------------------------------------------------------------------------------------------


def _how(counts: LabelCounts) -> str:
    return ", ".join(f"{a} {counts.how[a]}" for a in ASPECTS if counts.how[a]) or "-"


def markdown(report: EffortReport, *, cases: bool = True) -> str:
    """The report as Markdown: totals, a table per task and label, corrections with their cases, time."""
    totals = report.task_totals()
    skipped = ", ".join(f"{n} {answer}" for answer, n in sorted(report.skipped.items()))
    lines = [
        f"{report.compared} answers compared with the pre-annotations, {report.changed_records} with edits"
        + (f"; not compared: {skipped}" if skipped else "")
        + "; "
        + ", ".join(f"{task} {totals[task].pre} -> {totals[task].final}" for task in report.tasks)
        + ".",
        "",
        "| task | label | pre | kept | changed (how) | deleted | added | final | edits |",
        "| --- | --- | ---: | ---: | --- | ---: | ---: | ---: | ---: |",
    ]
    for task in report.tasks:
        for label, counts in sorted(report.tally.labels[task].items()):
            lines.append(_row(task, label, counts))
        lines.append(_row(task, "**all**", totals[task]))
    edits = ", ".join(
        f"{task} {totals[task].edits} ({report.edits_per_100_words(task):.1f} per 100 words)"
        for task in report.tasks
    )
    lines += ["", f"Edits: {edits}; {report.edits_per_100_words():.1f} per 100 words in all."]
    if len(report.annotators) > 1:
        lines += [
            "",
            "| annotator | answers | compared | words | edits | per 100 words |",
            "| --- | ---: | ---: | ---: | ---: | ---: |",
        ]
        for name, c in sorted(report.annotators.items()):
            per_100 = _per_100(c["edits"], c["words"])
            lines.append(
                f"| {name} | {c['answers']} | {c['compared']} | {c['words']} | {c['edits']} | {per_100:.1f} |"
            )
    if cases:
        lines += ["", "| task | correction | n | cases (record: surface) |", "| --- | --- | ---: | --- |"]
        for row in report.corrections():
            listed = "; ".join(row["cases"]).replace("|", "\\|")
            lines.append(f"| {row['task']} | {row['correction']} | {row['count']} | {listed} |")
    lines += ["", *_time_lines(report)]
    return "\n".join(lines) + "\n"


def _row(task: str, label: str, counts: LabelCounts) -> str:
    changed = f"{counts.changed} ({_how(counts)})" if counts.changed else "0"
    cells = [
        task,
        label,
        counts.pre,
        counts.kept,
        changed,
        counts.deleted,
        counts.added,
        counts.final,
        counts.edits,
    ]
    return "| " + " | ".join(str(cell) for cell in cells) + " |"


def _time_lines(report: EffortReport) -> list[str]:
    if not report.timings:
        return ["Time per task: not recorded (no Prodigy `_timestamp`, no Label Studio `lead_time`)."]
    lines = [
        "| file | annotator | view | timed answers | median s | mean s | total s | breaks left out | from |",
        "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for timing in report.timings:
        t = timing.to_dict()
        median = "-" if t["median_seconds"] is None else f"{t['median_seconds']:.1f}"
        mean = "-" if t["mean_seconds"] is None else f"{t['mean_seconds']:.1f}"
        lines.append(
            f"| {t['file']} | {t['annotator']} | {t['view'] or '-'} | {t['timed']} | {median} | {mean} | "
            f"{t['total_seconds']:.1f} | {t['breaks']} | {t['source']} |"
        )
    return ["Time per task (answer):", "", *lines]
