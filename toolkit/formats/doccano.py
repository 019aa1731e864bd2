"""doccano (v1.x) JSONL: sequence labeling (entities), relation mode (quotes) and classification (events).

doccano turns every column it does not know into example metadata and writes it back at the top level
on export, so the record id (``record_id``), the view, quote kinds and event triggers travel as such
columns. It has no accept/reject/skip: an exported row is an ``accept``. It exports every example for
every member, annotated or not, so a row without labels is skipped unless ``keep_empty`` says the file
holds only approved examples. A per-member export is named after the member (``alice.jsonl``): that
name is the annotator; ``all.jsonl`` (collaborative mode) names nobody.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

from toolkit.formats.base import ParsedAnswer, ReadContext, ToolFormat, human_source
from toolkit.formats.layers import RegionIn, event_parts, events_from, quote_graph, quotes_from_graph
from toolkit.formats.offsets import overlapping_pairs
from toolkit.jsonl import read_json_lines
from toolkit.record import Meta, Record, Span

# Columns the exporter adds and the importer reads back; doccano keeps them as metadata.
OWN_COLUMNS = ("record_id", "toolkit_view", "quote_kinds", "event_triggers")
DOCCANO_COLUMNS = ("id", "text", "label", "entities", "relations", "Comments", "cats")
COLLABORATIVE_FILE = "all"


class DoccanoFormat(ToolFormat):
    name = "doccano"
    views: ClassVar[tuple[str, ...]] = ("entities", "quotes", "events")

    def __init__(self, *, allow_overlap: bool = False) -> None:
        self.allow_overlap = allow_overlap

    def export_problems(self, record: Record, views: tuple[str, ...]) -> list[str]:
        if self.allow_overlap or views[0] == "events":
            return []
        if views[0] == "entities":
            spans = [(s.start, s.end, s.label) for s in record.spans]
        else:
            spans = [(r.start, r.end, r.label) for r in quote_graph(record.quotes)[0]]
        return [
            f"overlapping spans {_show(spans[i])} and {_show(spans[j])}"
            for i, j in overlapping_pairs([(s, e) for s, e, _ in spans])
        ]

    def refusal_hint(self, views: tuple[str, ...]) -> str:
        return (
            "doccano drops overlapping spans on import unless the project allows overlap: "
            "tick 'Allow overlapping spans' in the project and pass --allow-overlap"
        )

    def task(self, record: Record, views: tuple[str, ...]) -> dict[str, Any]:
        view = views[0]
        task: dict[str, Any] = {"text": record.text}
        if view == "entities":
            task["label"] = [[s.start, s.end, s.label] for s in sorted(record.spans, key=_span_key)]
        elif view == "quotes":
            task.update(_relation_task(record))
        else:
            labels, triggers = event_parts(record.events)
            task["label"] = labels
            if triggers:
                task["event_triggers"] = [list(t) for t in triggers]
        task["record_id"] = record.meta.id
        task["toolkit_view"] = view
        return task

    def read_answers(self, path: str | Path, context: ReadContext) -> Iterator[ParsedAnswer]:
        stem = Path(str(path)).stem
        annotator = context.annotator or (None if stem in (COLLABORATIVE_FILE, "-", "") else stem)
        for line, obj in read_json_lines(path):
            parsed = _parse_row(obj, str(path), line, annotator, context)
            if parsed is None:
                context.skip("rows without labels (not annotated; pass --keep-empty to keep them)")
                continue
            yield parsed


def _show(span: tuple[int, int, str]) -> str:
    return f"{span[0]}-{span[1]} {span[2]}"


def _span_key(span: Span) -> tuple[int, int, str]:
    return span.start, span.end, span.label


def _relation_task(record: Record) -> dict[str, Any]:
    roles, relations = quote_graph(record.quotes)
    entities = [
        {"id": i + 1, "start_offset": r.start, "end_offset": r.end, "label": r.label}
        for i, r in enumerate(roles)
    ]
    rels = [
        {"id": n + 1, "from_id": r.head + 1, "to_id": r.child + 1, "type": r.label}
        for n, r in enumerate(relations)
    ]
    task: dict[str, Any] = {"entities": entities, "relations": rels}
    # doccano renumbers entities on import, so kinds are keyed by what survives: label and offsets.
    kinds = {f"{r.label}:{r.start}-{r.end}": r.kind for r in roles if r.kind is not None}
    if kinds:
        task["quote_kinds"] = kinds
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


def _entities(parsed: ParsedAnswer, obj: dict[str, Any], source: str, context: ReadContext) -> list[Span]:
    spans: list[Span] = []
    raw = obj.get("label") if "entities" not in obj else obj.get("entities")
    for item in raw or []:
        if isinstance(item, dict):
            start, end, label, span_id = (
                item.get("start_offset"),
                item.get("end_offset"),
                item.get("label"),
                item.get("id"),
            )
        elif isinstance(item, list) and len(item) == 3:
            (start, end, label), span_id = item, None
        else:
            parsed.problem("record-shape", f"label {item!r} is not [start, end, label]")
            continue
        if label not in context.entity_labels:
            parsed.problem(
                "unknown-label", f"entity label {label!r} is not in the label set (add it with --labels)"
            )
            continue
        placed = parsed.place(start, end, what=f"span {label}")
        if placed is None:
            continue
        spans.append(parsed.entity(placed, label, source=source, span_id=span_id))
    return sorted(spans, key=_span_key)


def _quotes(parsed: ParsedAnswer, obj: dict[str, Any], source: str) -> list[Any]:
    kinds = obj.get("quote_kinds") if isinstance(obj.get("quote_kinds"), dict) else {}
    regions: list[RegionIn] = []
    for item in obj.get("entities") or []:
        if not isinstance(item, dict):
            parsed.problem("record-shape", f"entity {item!r} is not an object")
            continue
        label = item.get("label")
        start, end = item.get("start_offset"), item.get("end_offset")
        placed = parsed.place(start, end, what=f"quote role {label}")
        if placed is not None:
            kind = kinds.get(f"{label}:{placed[0]}-{placed[1]}")
            regions.append(RegionIn(item.get("id"), placed[0], placed[1], str(label), kind))
    links = [
        (rel.get("from_id"), rel.get("to_id")) for rel in obj.get("relations") or [] if isinstance(rel, dict)
    ]
    quotes, problems = quotes_from_graph(parsed.record.text, regions, links, source=source)
    for rule, message in problems:
        parsed.problem(rule, message)
    return quotes


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
        if label not in labels:
            continue  # the annotator removed this type; its trigger goes with it
        placed = parsed.place(start, end, what=f"trigger {label}")
        if placed is not None:
            triggers.append((placed[0], placed[1], str(label)))
    events, problems = events_from(labels, triggers, source=source)
    for rule, message in problems:
        parsed.problem(rule, message)
    return events
