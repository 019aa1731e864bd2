"""Count what a human pass changed in the pre-annotations, by category, for entities, quotes and events.

Records are joined by meta.id. Within a record, items are paired before they are counted, so one fix is
one count:

- entities: same offsets and label = kept; same offsets, other label = label change; one pass span that
  covers several pre spans = merge (and the reverse = split); overlapping spans = boundary fix (with or
  without a label change); what is left = removed (pre only) or added (pass only);
- quotes: paired by overlapping content; a pair counts content-boundary, speaker, cue, kind, speaker
  resolution and cross-sentence link fixes; unpaired quotes are added or removed;
- events: paired by type (trigger changed when the trigger moved), then by overlapping trigger (type
  changed); what is left is added or removed, by type.

    .venv/bin/python annotations/scripts/corrections.py annotations/pre/seed.jsonl \
        annotations/passes/annotator-a.jsonl [--format markdown|json]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from toolkit.errors import ToolkitError
from toolkit.jsonl import read_records
from toolkit.record import Event, Quote, Record, Role, Span

T = TypeVar("T")
U = TypeVar("U")


@dataclass
class Tally:
    """Counts per category line, each with the surface forms that make it up (for the report)."""

    counts: Counter = field(default_factory=Counter)
    examples: dict[tuple[str, str], list[str]] = field(default_factory=lambda: defaultdict(list))

    def add(self, task: str, category: str, example: str) -> None:
        self.counts[(task, category)] += 1
        self.examples[(task, category)].append(example)


def overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def overlap_size(a: tuple[int, int], b: tuple[int, int]) -> int:
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def pair_up(
    firsts: list[T], seconds: list[U], score: Callable[[T, U], tuple[int, ...] | None]
) -> tuple[list[tuple[T, U]], list[T], list[U]]:
    """Greedy one-to-one pairs, best score first (None = never pair); ties broken by list position."""
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


def _surface(text: str, span: Span) -> str:
    return f"'{text[span.start : span.end]}' {span.label}"


def _key(span: Span) -> tuple[int, int]:
    return (span.start, span.end)


def group_fixes(text: str, pre: list[Span], done: list[Span], tally: Tally, unit: str) -> None:
    """Merges (one human span over several pre spans) and splits (the reverse), taken out of both lists."""
    for big_side, small_side, name in ((done, pre, "merge"), (pre, done, "split")):
        for big in list(big_side):
            inside = [s for s in small_side if overlaps(_key(s), _key(big))]
            if len(inside) < 2:
                continue
            parts = " + ".join(_surface(text, s) for s in inside)
            labels = " + ".join(s.label for s in inside)
            if name == "merge":
                tally.add(
                    "entities", f"merge: {labels} -> {big.label}", f"{unit}: {parts} -> {_surface(text, big)}"
                )
            else:
                tally.add(
                    "entities", f"split: {big.label} -> {labels}", f"{unit}: {_surface(text, big)} -> {parts}"
                )
            big_side.remove(big)
            for s in inside:
                small_side.remove(s)


def _same_place(a: Span, b: Span) -> tuple[int, ...] | None:
    return (1,) if _key(a) == _key(b) else None


def _nearby(a: Span, b: Span) -> tuple[int, ...] | None:
    """Overlapping spans pair up, same label first, then the larger overlap."""
    if not overlaps(_key(a), _key(b)):
        return None
    return (int(a.label == b.label), overlap_size(_key(a), _key(b)))


def entity_fixes(pre: Record, done: Record, tally: Tally) -> None:
    text, unit = done.text, (done.meta.id or "?").rsplit(":", 1)[1]
    pre_items = {(s.start, s.end, s.label) for s in pre.spans}
    done_items = {(s.start, s.end, s.label) for s in done.spans}
    pre_rest = [s for s in pre.spans if (s.start, s.end, s.label) not in done_items]
    done_rest = [s for s in done.spans if (s.start, s.end, s.label) not in pre_items]
    relabelled, pre_rest, done_rest = pair_up(pre_rest, done_rest, _same_place)
    for a, b in relabelled:
        tally.add("entities", f"label change: {a.label} -> {b.label}", f"{unit}: '{text[a.start : a.end]}'")
    group_fixes(text, pre_rest, done_rest, tally, unit)
    moved, pre_rest, done_rest = pair_up(pre_rest, done_rest, _nearby)
    for a, b in moved:
        category = "boundary fix" if a.label == b.label else f"boundary and label fix: {a.label} -> {b.label}"
        tally.add("entities", category, f"{unit}: {_surface(text, a)} -> {_surface(text, b)}")
    for span in pre_rest:
        tally.add("entities", f"removed: {span.label}", f"{unit}: '{text[span.start : span.end]}'")
    for span in done_rest:
        tally.add("entities", f"added: {span.label}", f"{unit}: '{text[span.start : span.end]}'")


def _role(role: Role | None) -> tuple[int, int] | None:
    return None if role is None else (role.start, role.end)


def _words(text: str, role: Role | None) -> str:
    return "null" if role is None else repr(text[role.start : role.end])


def _resolved(quote: Quote) -> tuple[str, str] | None:
    r = quote.speaker_resolved
    return None if r is None else (r.text, r.record_id)


def quote_fixes(pre: Record, done: Record, tally: Tally) -> None:
    text, unit = done.text, (done.meta.id or "?").rsplit(":", 1)[1]
    pairs, removed, added = pair_up(
        pre.quotes,
        done.quotes,
        lambda a, b: (
            (overlap_size(_role(a.content), _role(b.content)),)
            if a.content and b.content and overlaps(_role(a.content), _role(b.content))
            else None
        ),
    )
    for a, b in pairs:
        for name in ("content", "speaker", "cue"):
            before, after = getattr(a, name), getattr(b, name)
            if _role(before) != _role(after):
                label = "content boundary fixed" if name == "content" else f"{name} fixed"
                tally.add("quotes", label, f"{unit}: {_words(text, before)} -> {_words(text, after)}")
        if a.kind != b.kind:
            tally.add("quotes", f"kind changed: {a.kind} -> {b.kind}", f"{unit}")
        if _resolved(a) != _resolved(b):
            before = "none" if a.speaker_resolved is None else a.speaker_resolved.text
            after = "none" if b.speaker_resolved is None else b.speaker_resolved.text
            tally.add("quotes", "speaker resolution fixed", f"{unit}: {before} -> {after}")
        if sorted(a.linked_records) != sorted(b.linked_records):
            links = f"{unit}: linked {a.linked_records} -> {b.linked_records}"
            tally.add("quotes", "cross-sentence link fixed", links)
    for quote in removed:
        tally.add("quotes", f"removed: {quote.kind}", f"{unit}: {_words(text, quote.content)}")
    for quote in added:
        tally.add("quotes", f"added: {quote.kind}", f"{unit}: {_words(text, quote.content)}")


def event_fixes(pre: Record, done: Record, tally: Tally) -> None:
    text, unit = done.text, (done.meta.id or "?").rsplit(":", 1)[1]

    def trigger(event: Event) -> str:
        return _words(text, event.trigger)

    same_type, pre_rest, done_rest = pair_up(
        pre.events, done.events, lambda a, b: (1,) if a.label == b.label else None
    )
    for a, b in same_type:
        if _role(a.trigger) != _role(b.trigger):
            tally.add("events", f"trigger changed: {a.label}", f"{unit}: {trigger(a)} -> {trigger(b)}")
    retyped, pre_rest, done_rest = pair_up(
        pre_rest,
        done_rest,
        lambda a, b: (
            (overlap_size(_role(a.trigger), _role(b.trigger)),)
            if a.trigger and b.trigger and overlaps(_role(a.trigger), _role(b.trigger))
            else None
        ),
    )
    for a, b in retyped:
        moved = "" if _role(a.trigger) == _role(b.trigger) else f" -> {trigger(b)}"
        tally.add("events", f"type changed: {a.label} -> {b.label}", f"{unit}: {trigger(a)}{moved}")
    for event in pre_rest:
        tally.add("events", f"removed: {event.label}", f"{unit}: {trigger(event)}")
    for event in done_rest:
        tally.add("events", f"added: {event.label}", f"{unit}: {trigger(event)}")


def compare(pre: Iterable[Record], done: Iterable[Record]) -> tuple[Tally, dict[str, Any]]:
    """The tally of fixes and a summary (records compared, records changed, items before and after)."""
    by_id = {r.meta.id: r for r in pre}
    tally = Tally()
    summary: Counter = Counter()
    missing = []
    for record in done:
        before = by_id.get(record.meta.id)
        if before is None:
            missing.append(record.meta.id)
            continue
        if before.text != record.text:
            raise ValueError(f"{record.meta.id}: the two files hold different texts")
        seen = sum(tally.counts.values())
        entity_fixes(before, record, tally)
        quote_fixes(before, record, tally)
        event_fixes(before, record, tally)
        summary["records"] += 1
        summary["records changed"] += sum(tally.counts.values()) > seen
        for name in ("spans", "quotes", "events"):
            summary[f"{name} before"] += len(getattr(before, name))
            summary[f"{name} after"] += len(getattr(record, name))
    if missing:
        names = ", ".join(map(str, missing))
        raise ValueError(f"records of the pass missing from the pre-annotations: {names}")
    return tally, dict(summary)


def rows(tally: Tally) -> list[dict[str, Any]]:
    """One row per (task, category), in a stable order: task, then most frequent, then name."""
    order = {"entities": 0, "quotes": 1, "events": 2}
    keys = sorted(tally.counts, key=lambda k: (order[k[0]], -tally.counts[k], k[1]))
    return [
        {
            "task": task,
            "category": category,
            "count": tally.counts[(task, category)],
            "cases": tally.examples[(task, category)],
        }
        for task, category in keys
    ]


def markdown(table: list[dict[str, Any]], summary: dict[str, Any]) -> str:
    lines = [
        f"{summary.get('records', 0)} records compared, {summary.get('records changed', 0)} changed; "
        f"entities {summary.get('spans before', 0)} -> {summary.get('spans after', 0)}, "
        f"quotes {summary.get('quotes before', 0)} -> {summary.get('quotes after', 0)}, "
        f"events {summary.get('events before', 0)} -> {summary.get('events after', 0)}.",
        "",
        "| task | correction | n | cases (record: surface) |",
        "| --- | --- | ---: | --- |",
    ]
    for row in table:
        cases = "; ".join(row["cases"]).replace("|", "\\|")
        lines.append(f"| {row['task']} | {row['category']} | {row['count']} | {cases} |")
    totals = Counter()
    for row in table:
        totals[row["task"]] += row["count"]
    spelled = ", ".join(f"{task} {n}" for task, n in totals.items()) or "none"
    lines += ["", f"Total corrections: {spelled}."]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pre", type=Path, help="pre-annotated JSONL (the starting point)")
    parser.add_argument("done", type=Path, help="the corrected pass JSONL")
    parser.add_argument("--format", choices=("markdown", "json"), default="markdown")
    args = parser.parse_args(argv)
    try:
        tally, summary = compare(read_records(args.pre), read_records(args.done))
    except (OSError, ValueError, ToolkitError) as error:
        print(f"corrections: {error}", file=sys.stderr)
        return 2
    table = rows(tally)
    if args.format == "json":
        print(json.dumps({"summary": summary, "corrections": table}, ensure_ascii=False, indent=2))
    else:
        sys.stdout.write(markdown(table, summary))
    return 0


if __name__ == "__main__":
    sys.exit(main())
