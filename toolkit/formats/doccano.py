"""doccano (v1.x) JSONL: sequence labeling (entities), relation mode (quotes) and classification (events).

doccano turns every column it does not know into example metadata and writes it back at the top level
on export, so the record id (``record_id``), the view, the offset unit, quote kinds, quote ids and links
and event triggers travel as such columns.

Offsets: doccano's editor counts UTF-16 code units (it is JavaScript), and a project in grapheme mode
counts grapheme clusters, so span offsets go out in UTF-16 units by default (``offsets="codepoint"`` or
``"grapheme"`` to match the project) and the unit is named in a ``toolkit_offsets`` column. doccano rows
carry no span text, so on import the unit is decided per row (see ``offsets.place_row``): the only unit
that places every span, else the only one that puts them on the base record's token boundaries, else
the declared one; rows whose readings disagree with nothing to decide are refused. The toolkit's own
columns (quote kinds and ids keyed ``LABEL:start-end``, event triggers) are in code points.

doccano has no accept/reject/skip: an exported row is an ``accept``. It exports every example for
every member, annotated or not, so a row without labels is skipped unless ``keep_empty`` says the file
holds only approved examples. A per-member export is named after the member (``alice.jsonl``): that
name is the annotator; ``all.jsonl`` (collaborative mode) names nobody.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

from toolkit.errors import UsageError
from toolkit.formats.base import ParsedAnswer, ReadContext, ToolFormat, human_source
from toolkit.formats.layers import (
    RegionIn,
    event_parts,
    quote_carry,
    quote_graph,
    role_key,
    shared_anchor_problems,
)
from toolkit.formats.offsets import READING_NAMES, UNITS, OffsetMap, overlapping_pairs
from toolkit.jsonl import ReadStats, read_json_lines
from toolkit.record import Meta, Record, Span

# Columns the exporter adds and the importer reads back; doccano keeps them as metadata.
OWN_COLUMNS = (
    "record_id",
    "toolkit_view",
    "toolkit_offsets",
    "quote_kinds",
    "quote_ids",
    "quote_cues",
    "quote_links",
    "event_triggers",
)
# doccano's editor is JavaScript: String indices count UTF-16 code units.
DEFAULT_UNIT = "utf16"
DOCCANO_COLUMNS = ("id", "text", "label", "entities", "relations", "Comments", "cats")
COLLABORATIVE_FILE = "all"


class DoccanoFormat(ToolFormat):
    name = "doccano"
    views: ClassVar[tuple[str, ...]] = ("entities", "quotes", "events")

    def __init__(self, *, allow_overlap: bool = False, offsets: str | None = None) -> None:
        self.allow_overlap = allow_overlap
        self.unit = offsets or DEFAULT_UNIT
        if self.unit not in UNITS:
            raise UsageError(f"--offsets {self.unit}: choose from {', '.join(UNITS)}")

    def export_problems(self, record: Record, views: tuple[str, ...]) -> list[str]:
        if views[0] == "events":
            return []
        if views[0] == "entities":
            spans = [(s.start, s.end, s.label) for s in record.spans]
            problems = []
        else:
            spans = [(r.start, r.end, r.label) for r in quote_graph(record.quotes)[0]]
            problems = shared_anchor_problems(record.quotes)
        if not self.allow_overlap:
            problems += [
                f"overlapping spans {_show(spans[i])} and {_show(spans[j])}"
                for i, j in overlapping_pairs([(s, e) for s, e, _ in spans])
            ]
        offsets = OffsetMap(record.text)
        problems += [
            f"span {_show(span)} does not start and end on {READING_NAMES[self.unit]}"
            for span in spans
            if offsets.to_unit(self.unit, span[0]) is None or offsets.to_unit(self.unit, span[1]) is None
        ]
        return problems

    def refusal_hint(self, views: tuple[str, ...]) -> str:
        return (
            "doccano drops overlapping spans on import unless the project allows overlap: "
            "tick 'Allow overlapping spans' in the project and pass --allow-overlap; a span inside a "
            "grapheme cluster cannot be shown in grapheme mode (export with --offsets utf16)"
        )

    def task(self, record: Record, views: tuple[str, ...]) -> dict[str, Any]:
        view = views[0]
        task: dict[str, Any] = {"text": record.text}
        offsets = OffsetMap(record.text)

        def unit(offset: int) -> int:
            return offsets.to_unit(self.unit, offset)  # type: ignore[return-value]  # checked on export

        if view == "entities":
            task["label"] = [
                [unit(s.start), unit(s.end), s.label] for s in sorted(record.spans, key=_span_key)
            ]
        elif view == "quotes":
            task.update(_relation_task(record, unit))
        else:
            labels, triggers = event_parts(record.events)
            task["label"] = labels
            if triggers:
                task["event_triggers"] = [list(t) for t in triggers]
        task["record_id"] = record.meta.id
        task["toolkit_view"] = view
        if view != "events":
            task["toolkit_offsets"] = self.unit
        return task

    def read_answers(self, path: str | Path, context: ReadContext) -> Iterator[ParsedAnswer]:
        stem = Path(str(path)).stem
        annotator = context.annotator or (None if stem in (COLLABORATIVE_FILE, "-", "") else stem)
        stats = ReadStats()
        for line, obj in read_json_lines(path, skip_invalid=context.skip_invalid, stats=stats):
            parsed = _parse_row(obj, str(path), line, annotator, context)
            if parsed is None:
                context.skip("rows without labels (not annotated; pass --keep-empty to keep them)")
                continue
            yield parsed
        context.skip("lines that are not JSON objects", len(stats.skipped))


def _show(span: tuple[int, int, str]) -> str:
    return f"{span[0]}-{span[1]} {span[2]}"


def _span_key(span: Span) -> tuple[int, int, str]:
    return span.start, span.end, span.label


def _relation_task(record: Record, unit: Any) -> dict[str, Any]:
    roles, relations = quote_graph(record.quotes)
    entities = [
        {"id": i + 1, "start_offset": unit(r.start), "end_offset": unit(r.end), "label": r.label}
        for i, r in enumerate(roles)
    ]
    rels = [
        {"id": n + 1, "from_id": r.head + 1, "to_id": r.child + 1, "type": r.label}
        for n, r in enumerate(relations)
    ]
    task: dict[str, Any] = {"entities": entities, "relations": rels}
    # doccano renumbers entities on import, so kinds are keyed by what survives: label and offsets.
    kinds = {r.key: r.kind for r in roles if r.kind is not None}
    if kinds:
        task["quote_kinds"] = kinds
    task.update(quote_carry(record.quotes))
    return task


def _row_view(obj: dict[str, Any], context: ReadContext) -> str:
    if context.view:
        return "entities" if context.view == "spans" else context.view
    marked = obj.get("toolkit_view")
    if marked in ("entities", "quotes", "events"):
        return marked
    if "relations" in obj:
        return "quotes"
    labels = obj.get("label") or []
    if labels and all(isinstance(label, str) for label in labels):
        return "events"
    return "entities"


def _parse_row(
    obj: dict[str, Any], path: str, line: int, annotator: str | None, context: ReadContext
) -> ParsedAnswer | None:
    text = obj.get("text")
    view = _row_view(obj, context)
    record_id = obj.get("record_id") if isinstance(obj.get("record_id"), str) else None
    kept = {"example_id": obj.get("id"), "user": annotator}
    if obj.get("Comments"):
        kept["comments"] = obj["Comments"]
    record = Record(
        text=text if isinstance(text, str) else "",
        tokens=context.tokens_for(record_id, text) if isinstance(text, str) else [],
        meta=Meta(id=record_id, extra={"doccano": kept}),
        answer="accept",
        annotator_id=annotator,
        extra={k: v for k, v in obj.items() if k not in OWN_COLUMNS and k not in DOCCANO_COLUMNS},
    )
    parsed = ParsedAnswer(record, (view,), path, line, record_id)
    if not isinstance(text, str):
        parsed.problem("record-shape", "row has no text")
        return parsed
    source = human_source(annotator)
    if view == "entities":
        record.spans = _entities(parsed, obj, source, context)
        empty = not record.spans
    elif view == "quotes":
        record.quotes = _quotes(parsed, obj, source)
        empty = not obj.get("entities")
    else:
        record.events = _events(parsed, obj, source)
        empty = not record.events
    return None if empty and not context.keep_empty and not parsed.problems else parsed


def _declared_unit(obj: dict[str, Any]) -> str | None:
    unit = obj.get("toolkit_offsets")
    return unit if unit in UNITS else None


def _entities(parsed: ParsedAnswer, obj: dict[str, Any], source: str, context: ReadContext) -> list[Span]:
    items: list[tuple[Any, Any, Any, Any]] = []
    raw = obj.get("label") if "entities" not in obj else obj.get("entities")
    for item in raw or []:
        if isinstance(item, dict):
            items.append(
                (item.get("start_offset"), item.get("end_offset"), item.get("label"), item.get("id"))
            )
        elif isinstance(item, list) and len(item) == 3:
            items.append((*item, None))
        else:
            parsed.problem("record-shape", f"label {item!r} is not [start, end, label]")
    placed_all = parsed.place_all(
        [(start, end) for start, end, _, _ in items],
        [f"span {label}" for _, _, label, _ in items],
        declared=_declared_unit(obj),
    )
    spans: list[Span] = []
    for (_, _, label, span_id), placed in zip(items, placed_all, strict=True):
        if label not in context.entity_labels:
            parsed.problem(
                "unknown-label", f"entity label {label!r} is not in the label set (add it with --labels)"
            )
            continue
        if placed is not None:
            spans.append(parsed.entity(placed, label, source=source, span_id=span_id))
    return sorted(spans, key=_span_key)


def _quotes(parsed: ParsedAnswer, obj: dict[str, Any], source: str) -> list[Any]:
    kinds: dict[str, Any] = obj["quote_kinds"] if isinstance(obj.get("quote_kinds"), dict) else {}
    items = []
    for item in obj.get("entities") or []:
        if not isinstance(item, dict):
            parsed.problem("record-shape", f"entity {item!r} is not an object")
            continue
        items.append(item)
    placed_all = parsed.place_all(
        [(item.get("start_offset"), item.get("end_offset")) for item in items],
        [f"quote role {item.get('label')}" for item in items],
        declared=_declared_unit(obj),
    )
    regions: list[RegionIn] = []
    for item, placed in zip(items, placed_all, strict=True):
        if placed is not None:
            label = str(item.get("label"))
            kind = kinds.get(role_key(label, *placed))
            regions.append(RegionIn(item.get("id"), placed[0], placed[1], label, kind))
    links = [
        (rel.get("from_id"), rel.get("to_id")) for rel in obj.get("relations") or [] if isinstance(rel, dict)
    ]
    return parsed.rebuilt_quotes(regions, links, source=source, carried=obj)


def _events(parsed: ParsedAnswer, obj: dict[str, Any], source: str) -> list[Any]:
    labels = obj.get("label") or []
    if not all(isinstance(label, str) for label in labels):
        parsed.problem("record-shape", f"classification labels must be strings, got {labels!r}")
        return []
    triggers = []
    for item in obj.get("event_triggers") or []:
        if not (isinstance(item, list) and len(item) == 3):
            parsed.problem("record-shape", f"event trigger {item!r} is not [start, end, type]")
            continue
        start, end, label = item
        placed = parsed.place(start, end, what=f"trigger {label}")
        if placed is not None:
            triggers.append((placed[0], placed[1], str(label)))
    return parsed.ticked_events(labels, triggers, source=source)
