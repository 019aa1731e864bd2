"""Turn pre-annotated records into a starting authoring file for build_pass.py, to be corrected by hand.

Every entity, quote role and trigger is written by its surface text, with an occurrence index counted the
way build_pass.py counts (token-aligned matches, 0 = first), so building the untouched output gives back
the pre-annotations as a pass. The annotator then edits the file record by record; this script is only the
starting point and is never run over a corrected file.

    .venv/bin/python annotations/scripts/pre_to_authoring.py annotations/pre/seed.jsonl \
        --annotator annotator-a -o /tmp/annotator-a.start.yaml
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from build_pass import token_aligned_matches  # noqa: E402

from toolkit.jsonl import read_records  # noqa: E402
from toolkit.record import Quote, Record, Role  # noqa: E402


def yaml_str(value: str) -> str:
    """A YAML double-quoted scalar: JSON's escaping is a subset of YAML's, so json.dumps is exact."""
    return json.dumps(value, ensure_ascii=False)


def occurrence(record: Record, start: int, end: int) -> int:
    """Which token-aligned match of the surface at [start, end) this is."""
    return token_aligned_matches(record, record.text[start:end]).index((start, end))


def surface(record: Record, role: Role | None) -> str:
    """A role as ``"surface"`` or ``["surface", n]`` when the surface occurs more than once."""
    if role is None:
        return "null"
    text = record.text[role.start : role.end]
    if len(token_aligned_matches(record, text)) == 1:
        return yaml_str(text)
    return f"[{yaml_str(text)}, {occurrence(record, role.start, role.end)}]"


def quote_lines(record: Record, quote: Quote) -> list[str]:
    lines = [
        f"      - content: {surface(record, quote.content)}",
        f"        speaker: {surface(record, quote.speaker)}",
        f"        cue: {surface(record, quote.cue)}",
        f"        kind: {quote.kind}",
    ]
    if quote.linked_records:
        lines.append(f"        link: {yaml_str(quote.id or '')}")
    resolved = quote.speaker_resolved
    if resolved is not None:
        unit = resolved.record_id.rsplit(":", 1)[1]
        lines.append(f"        resolved: [{yaml_str(resolved.text)}, {unit}, {resolved.label or 'null'}]")
    return lines


def record_lines(record: Record) -> list[str]:
    """One record's entry: text, entities, quotes, events, in the order the text reads."""
    lines = [f"  {yaml_str(record.meta.id or '')}:", f"    text: {yaml_str(record.text)}"]
    spans = sorted(record.spans, key=lambda s: (s.start, s.end))
    lines.append("    entities:" + ("" if spans else " []"))
    for span in spans:
        text = record.text[span.start : span.end]
        lines.append(f"      - [{yaml_str(text)}, {span.label}, {occurrence(record, span.start, span.end)}]")
    lines.append("    quotes:" + ("" if record.quotes else " []"))
    for quote in record.quotes:
        lines += quote_lines(record, quote)
    lines.append("    events:" + ("" if record.events else " []"))
    for event in record.events:
        lines.append(f"      - [{event.label}, {surface(record, event.trigger)}]")
    return [*lines, ""]


def authoring_text(records: list[Record], annotator: str) -> str:
    lines = [f"annotator: {annotator}", "records:"]
    for record in records:
        lines += record_lines(record)
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pre", type=Path, help="pre-annotated JSONL")
    parser.add_argument("--annotator", required=True, help="annotator id written into the file")
    parser.add_argument("-o", "--output", required=True, type=Path, help="authoring YAML to write")
    args = parser.parse_args(argv)
    if args.output.exists():
        print(
            f"pre_to_authoring: {args.output} exists (it may hold corrections): not overwritten",
            file=sys.stderr,
        )
        return 2
    records = list(read_records(args.pre))
    args.output.write_text(authoring_text(records, args.annotator), encoding="utf-8")
    print(f"pre_to_authoring: {len(records)} records -> {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
