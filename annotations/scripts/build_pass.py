"""Build one annotator's pass (JSONL records) from a readable authoring file and the tasks file.

The authoring file (YAML or JSON) names every annotation by its surface text, never by offset:

    annotator: annotator-b
    records:
      "<record id>":
        text: <the record's text, copied as a check that the entry belongs to this record>
        entities:  [[surface, LABEL, occurrence], ...]
        quotes:    [{content, speaker, cue, kind, link?, resolved?}, ...]
        events:    [[TYPE, trigger or null, occurrence?], ...]

A role or trigger is a surface string, or ``[surface, occurrence]`` when the string occurs more than once.
Occurrences count only matches that start and end on token boundaries of the record (0 = first), so
"Russia" never counts the start of "Russian". ``resolved: [text, record, LABEL]`` names who a pronoun or
role speaker stands for (``record`` is a record id or a unit number in the same document). Quote pieces
that share a ``link`` name are one quote: interrupted by its attribution in one record ("“A,” he said,
“B.”", one piece per content, each with the speaker and cue) or running across records; they get one id
and list the other records holding pieces in ``linked_records``.

Every problem is reported with its record and the run fails (exit 1): a string that is not in the text,
not on token boundaries or ambiguous, an unknown label, overlapping entities, a role inside its own
content, a missing or extra record. Nothing is guessed or shifted.

    .venv/bin/python annotations/scripts/build_pass.py annotations/src/annotator-b.yaml \
        --tasks annotations/tasks/seed.jsonl -o annotations/passes/annotator-b.jsonl [--check]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from toolkit.jsonl import read_records, write_json_lines
from toolkit.labels import ONTONOTES_LABELS, PLOVER_TYPES, QUOTE_KINDS
from toolkit.record import Event, Quote, Record, ResolvedSpeaker, Role, Span, record_to_dict

SENTENCE_END = (".", "!", "?")


class AuthoringError(Exception):
    """An annotation that does not fit its record's text; carries the record id."""

    def __init__(self, record_id: str, message: str) -> None:
        super().__init__(f"{record_id}: {message}")


@dataclass
class Problems:
    """Every problem found, so one run reports them all instead of stopping at the first."""

    messages: list[str] = field(default_factory=list)

    def add(self, error: AuthoringError) -> None:
        self.messages.append(str(error))


def load_authoring(path: Path) -> dict[str, Any]:
    """The authoring file as a dict: YAML for .yaml/.yml, JSON otherwise."""
    raw = path.read_text(encoding="utf-8")
    if path.suffix in (".yaml", ".yml"):
        import yaml  # a dependency of datasets and huggingface-hub, so always installed with the toolkit

        data = yaml.safe_load(raw)
    else:
        data = json.loads(raw)
    if not isinstance(data, dict) or not isinstance(data.get("records"), dict):
        raise ValueError(f"{path}: expected a mapping with a 'records' mapping")
    return data


def token_aligned_matches(record: Record, surface: str) -> list[tuple[int, int]]:
    """Every (start, end) where ``surface`` occurs in the text starting and ending on token boundaries."""
    starts = {t.start for t in record.tokens}
    ends = {t.end for t in record.tokens}
    found = []
    at = record.text.find(surface)
    while at != -1:
        if at in starts and at + len(surface) in ends:
            found.append((at, at + len(surface)))
        at = record.text.find(surface, at + 1)
    return found


def locate(record: Record, surface: str, occurrence: int | None) -> tuple[int, int]:
    """Offsets of one token-aligned occurrence; an unnumbered surface must occur exactly once."""
    rid = record.meta.id or "?"
    if not isinstance(surface, str) or not surface:
        raise AuthoringError(rid, f"expected a non-empty string, got {surface!r}")
    matches = token_aligned_matches(record, surface)
    if not matches:
        where = "not on token boundaries" if surface in record.text else "not in the text"
        raise AuthoringError(rid, f"{surface!r} is {where}")
    if occurrence is None:
        if len(matches) > 1:
            raise AuthoringError(rid, f"{surface!r} occurs {len(matches)} times: give an occurrence index")
        return matches[0]
    if not 0 <= occurrence < len(matches):
        raise AuthoringError(rid, f"{surface!r} occurrence {occurrence} asked, {len(matches)} found")
    return matches[occurrence]


def _surface(spec: Any) -> tuple[str, int | None]:
    if isinstance(spec, list) and len(spec) == 2 and isinstance(spec[1], int):
        return spec[0], spec[1]
    return spec, None


def role(record: Record, spec: Any) -> Role | None:
    """A quote role or trigger from ``surface`` or ``[surface, occurrence]``; None stays None."""
    if spec is None:
        return None
    surface, occurrence = _surface(spec)
    start, end = locate(record, surface, occurrence)
    return Role(start=start, end=end, text=record.text[start:end])


def token_index(record: Record, start: int, end: int) -> tuple[int, int]:
    """First and last (inclusive, as in Prodigy) token of a token-aligned range."""
    first = next(t.id for t in record.tokens if t.start == start)
    last = next(t.id for t in record.tokens if t.end == end)
    return first, last


def build_span(record: Record, entry: Any, source: str) -> Span:
    """One entity from ``[surface, LABEL, occurrence]``."""
    rid = record.meta.id or "?"
    if not (isinstance(entry, list) and len(entry) == 3 and isinstance(entry[2], int)):
        raise AuthoringError(rid, f"entity {entry!r} is not [surface, LABEL, occurrence]")
    surface, label, occurrence = entry
    if label not in ONTONOTES_LABELS:
        raise AuthoringError(rid, f"entity {surface!r}: unknown label {label!r}")
    start, end = locate(record, surface, occurrence)
    first, last = token_index(record, start, end)
    text = record.text[start:end]
    return Span(
        start=start, end=end, label=label, token_start=first, token_end=last, text=text, source=source
    )


def overlapping_spans(record: Record, spans: list[Span]) -> list[AuthoringError]:
    """Prodigy's ner.manual and the CoNLL/IOB exports allow no overlapping entities."""
    ordered = sorted(spans, key=lambda s: (s.start, s.end))
    return [
        AuthoringError(record.meta.id or "?", f"entities {a.text!r} and {b.text!r} overlap")
        for a, b in zip(ordered, ordered[1:], strict=False)
        if b.start < a.end
    ]


def _resolved(record: Record, spec: Any, records: dict[str, Record]) -> ResolvedSpeaker:
    rid = record.meta.id or "?"
    if not (isinstance(spec, list) and len(spec) == 3):
        raise AuthoringError(rid, f"resolved {spec!r} is not [text, record, LABEL]")
    text, where, label = spec
    target_id = f"{record.meta.doc_id}:{where}" if isinstance(where, int) else str(where)
    target = records.get(target_id)
    if target is None:
        raise AuthoringError(rid, f"resolved speaker points at unknown record {target_id!r}")
    if not token_aligned_matches(target, text):
        raise AuthoringError(rid, f"resolved speaker {text!r} is not a token-aligned string of {target_id}")
    if label is not None and label not in ONTONOTES_LABELS:
        raise AuthoringError(rid, f"resolved speaker label {label!r} is unknown")
    return ResolvedSpeaker(text=text, record_id=target_id, label=label)


def build_quote(
    record: Record, entry: dict[str, Any], index: int, source: str, records: dict[str, Record]
) -> Quote:
    rid = record.meta.id or "?"
    unknown = set(entry) - {"content", "speaker", "cue", "kind", "link", "resolved"}
    if unknown:
        raise AuthoringError(rid, f"quote {index}: unknown keys {sorted(unknown)}")
    kind = entry.get("kind")
    if kind not in QUOTE_KINDS:
        raise AuthoringError(rid, f"quote {index}: kind {kind!r} is not one of {', '.join(QUOTE_KINDS)}")
    content = role(record, entry.get("content"))
    if content is None:
        raise AuthoringError(rid, f"quote {index} has no content")
    speaker, cue = role(record, entry.get("speaker")), role(record, entry.get("cue"))
    for name, part in (("speaker", speaker), ("cue", cue)):
        if part is not None and part.start < content.end and content.start < part.end:
            raise AuthoringError(rid, f"quote {index}: {name} {part.text!r} lies inside the content")
    if kind == "indirect" and record.text[content.end - 1] in SENTENCE_END:
        raise AuthoringError(rid, f"quote {index}: indirect content leaves out the final punctuation")
    quote = Quote(content=content, speaker=speaker, cue=cue, kind=kind, source=source, id=f"{rid}:q{index}")
    if entry.get("resolved") is not None:
        quote.speaker_resolved = _resolved(record, entry["resolved"], records)
    return quote


def build_event(record: Record, entry: Any, source: str) -> Event:
    """One event from ``[TYPE, trigger]`` or ``[TYPE, trigger, occurrence]``; the trigger may be null."""
    rid = record.meta.id or "?"
    if not (isinstance(entry, list) and len(entry) in (2, 3)):
        raise AuthoringError(rid, f"event {entry!r} is not [TYPE, trigger(, occurrence)]")
    label, trigger = entry[0], entry[1]
    if label not in PLOVER_TYPES:
        raise AuthoringError(rid, f"event type {label!r} is not a PLOVER type")
    spec = [trigger, entry[2]] if len(entry) == 3 else trigger
    return Event(label=label, trigger=role(record, spec), source=source)


def repeated_types(record: Record, events: list[Event]) -> list[AuthoringError]:
    """The guidelines code each type once per sentence, with its clearest trigger."""
    repeated = sorted(label for label, n in Counter(e.label for e in events).items() if n > 1)
    if not repeated:
        return []
    return [
        AuthoringError(record.meta.id or "?", f"event types repeated in one sentence: {', '.join(repeated)}")
    ]


def collect(items: list[Any], make: Callable[[int, Any], Any], problems: Problems) -> list[Any]:
    """``make`` applied to every item; an item that does not fit is reported and left out."""
    made = []
    for index, item in enumerate(items):
        try:
            made.append(make(index, item))
        except AuthoringError as error:
            problems.add(error)
    return made


def link_quotes(pieces: dict[str, list[tuple[str, Quote]]], problems: Problems) -> None:
    """Pieces of one quote share the first piece's id and list the other records holding pieces."""
    for name, linked in pieces.items():
        record_ids = [rid for rid, _ in linked]
        if len(linked) < 2:
            problems.add(AuthoringError(record_ids[0], f"link {name!r} joins no other piece"))
            continue
        shared = linked[0][1].id
        for rid, quote in linked:
            quote.id = shared
            quote.linked_records = [other for other in dict.fromkeys(record_ids) if other != rid]


def annotate(
    record: Record,
    entry: dict[str, Any],
    annotator: str,
    records: dict[str, Record],
    pieces: dict[str, list[tuple[str, Quote]]],
    problems: Problems,
) -> Record:
    """The task record with this annotator's entities, quotes and events, accepted."""
    rid = record.meta.id or "?"
    if entry.get("text") is not None and entry["text"] != record.text:
        problems.add(AuthoringError(rid, "the entry's text differs from the task's text (wrong record?)"))
    source = f"human:{annotator}"
    spans = collect(entry.get("entities") or [], lambda _, e: build_span(record, e, source), problems)
    spans.sort(key=lambda s: (s.start, s.end))
    problems.messages += [str(error) for error in overlapping_spans(record, spans)]

    def linked_quote(index: int, quote_entry: dict[str, Any]) -> Quote:
        quote = build_quote(record, quote_entry, index, source, records)
        if quote_entry.get("link"):
            pieces.setdefault(str(quote_entry["link"]), []).append((rid, quote))
        return quote

    quotes = collect(entry.get("quotes") or [], linked_quote, problems)
    events = collect(entry.get("events") or [], lambda _, e: build_event(record, e, source), problems)
    problems.messages += [str(error) for error in repeated_types(record, events)]
    return Record(
        text=record.text,
        tokens=record.tokens,
        spans=spans,
        quotes=quotes,
        events=events,
        meta=record.meta,
        answer="accept",
        annotator_id=annotator,
        extra=record.extra,
    )


def build_pass(*, authoring: dict[str, Any], tasks: list[Record]) -> tuple[list[Record], list[str]]:
    """Annotated records in task order, and every problem found (an empty list means success)."""
    annotator = authoring.get("annotator")
    problems = Problems()
    if not isinstance(annotator, str) or not annotator:
        return [], ["authoring file: 'annotator' is missing"]
    entries: dict[str, Any] = authoring["records"]
    records = {r.meta.id: r for r in tasks if r.meta.id}
    missing = [rid for rid in records if rid not in entries]
    extra = [rid for rid in entries if rid not in records]
    problems.messages += [f"{rid}: record of the tasks file has no entry" for rid in missing]
    problems.messages += [f"{rid}: entry names no record of the tasks file" for rid in extra]
    out: list[Record] = []
    pieces: dict[str, list[tuple[str, Quote]]] = {}
    for record in tasks:
        entry = entries.get(record.meta.id or "")
        if entry is None:
            continue
        out.append(annotate(record, entry or {}, annotator, records, pieces, problems))
    link_quotes(pieces, problems)
    return out, problems.messages


def pass_objects(records: list[Record]) -> list[dict[str, Any]]:
    """The JSON objects to write. Empty lists stay in: an accepted record with ``"spans": []`` says the
    annotator found no entities, which a missing key would not."""
    objects = []
    for record in records:
        obj = record_to_dict(record)
        for key in ("spans", "quotes", "events"):
            obj.setdefault(key, [])
        objects.append(obj)
    return objects


def counts(records: list[Record]) -> dict[str, Counter]:
    """How many entities per label, quotes per kind and events per type the pass holds."""
    return {
        "entities": Counter(s.label for r in records for s in r.spans),
        "quotes": Counter(q.kind for r in records for q in r.quotes),
        "events": Counter(e.label for r in records for e in r.events),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("authoring", type=Path, help="authoring file (.yaml or .json)")
    parser.add_argument("--tasks", required=True, type=Path, help="tasks JSONL the pass annotates")
    parser.add_argument("-o", "--output", required=True, type=Path, help="pass JSONL to write")
    parser.add_argument("--check", action="store_true", help="write nothing; fail if the output is stale")
    args = parser.parse_args(argv)
    try:
        authoring = load_authoring(args.authoring)
        tasks = list(read_records(args.tasks))
    except (OSError, ValueError) as error:
        print(f"build_pass: {error}", file=sys.stderr)
        return 2
    records, problems = build_pass(authoring=authoring, tasks=tasks)
    if problems:
        for message in problems:
            print(f"build_pass: {args.authoring}: {message}", file=sys.stderr)
        print(f"build_pass: {len(problems)} problem(s), nothing written", file=sys.stderr)
        return 1
    if args.check:
        fresh = b"".join(orjson.dumps(obj) + b"\n" for obj in pass_objects(records))
        if not args.output.exists() or args.output.read_bytes() != fresh:
            print(f"build_pass: {args.output} is out of date: rebuild it", file=sys.stderr)
            return 1
    else:
        write_json_lines(args.output, pass_objects(records))
    summary = "; ".join(
        f"{name} " + ", ".join(f"{k} {v}" for k, v in sorted(by_label.items()))
        for name, by_label in counts(records).items()
    )
    print(f"build_pass: {len(records)} records -> {args.output} ({summary})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
