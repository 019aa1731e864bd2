"""Prodigy: tasks for ner.manual / spans.manual, rel.manual (quotes) and choice (events); db-out answers back.

Prodigy's own keys (``_input_hash``, ``_task_hash``, ``_view_id``, ``_session_id``, ``_annotator_id``,
``_timestamp``, ``answer``) are kept verbatim and never made up: its hash recipe is not public, and it
hashes tasks that lack them when it loads them.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import msgspec

from toolkit.errors import InputError
from toolkit.formats.base import ParsedAnswer, ReadContext, ToolFormat, human_source
from toolkit.formats.layers import (
    RegionIn,
    event_parts,
    quote_carry,
    quote_graph,
    shared_anchor_problems,
)
from toolkit.formats.offsets import overlapping_pairs, token_indices
from toolkit.jsonl import ReadStats, read_json_lines
from toolkit.labels import PLOVER_TYPES
from toolkit.record import ANSWERS, Record, Span, record_from_dict, record_to_dict

# Keys an earlier answer left on a record; a new task must not carry them (a stale _task_hash would make
# Prodigy skip the task as already answered). _input_hash stays: it names the same text.
ANSWER_KEYS = ("answer", "_task_hash", "_annotator_id", "_session_id", "_timestamp", "_view_id")
# Prodigy's interface ids and the view each one answers. Binary "ner" answers judge one suggestion,
# not the whole sentence, so they cannot stand in for a sentence's entities.
VIEW_IDS: dict[str, str] = {
    "ner_manual": "entities",
    "spans_manual": "spans",
    "relations": "quotes",
    "choice": "events",
}
SHAPE_VIEW_IDS = frozenset({"review", "blocks"})
# Keys a view's task uses to show its layer; they are read back into the layer, not kept as extras.
LAYER_KEYS: dict[str, tuple[str, ...]] = {
    "quotes": ("spans", "relations", "quote_ids", "quote_cues", "quote_links"),
    "events": ("spans", "options", "accept", "config"),
}


class ProdigyFormat(ToolFormat):
    name = "prodigy"
    views: ClassVar[tuple[str, ...]] = ("entities", "spans", "quotes", "events")

    def export_problems(self, record: Record, views: tuple[str, ...]) -> list[str]:
        view = views[0]
        if view == "entities":
            spans = record.spans
            return [
                f"overlapping entity spans {_span_str(spans[i])} and {_span_str(spans[j])}"
                for i, j in overlapping_pairs([(s.start, s.end) for s in spans])
            ]
        if view == "quotes" and record.quotes:
            if not record.tokens:
                return ["no tokens (rel.manual joins spans by token)"]
            roles, _ = quote_graph(record.quotes)
            return shared_anchor_problems(record.quotes) + [
                f"quote role {r.label} {r.start}-{r.end} does not start and end on token boundaries"
                for r in roles
                if token_indices(r.start, r.end, record.tokens) is None
            ]
        return []

    def refusal_hint(self, views: tuple[str, ...]) -> str:
        if views[0] == "entities":
            return "ner.manual forbids overlapping spans; export with --view spans for spans.manual"
        return "re-tokenise the records (toolkit convert) so every span starts and ends on a token"

    def task(self, record: Record, views: tuple[str, ...]) -> dict[str, Any]:
        view = views[0]
        if view in ("entities", "spans"):
            task = record_to_dict(record)
            for key in ANSWER_KEYS:
                task.pop(key, None)
            return task
        task = {"text": record.text, "tokens": [msgspec.to_builtins(t) for t in record.tokens]}
        task.update(_quotes_task(record) if view == "quotes" else _events_task(record))
        task["meta"] = record_to_dict(record)["meta"]
        if record.input_hash is not None:
            task["_input_hash"] = record.input_hash
        return task

    def read_answers(self, path: str | Path, context: ReadContext) -> Iterator[ParsedAnswer]:
        stats = ReadStats()
        for line, obj in read_json_lines(path, skip_invalid=context.skip_invalid, stats=stats):
            if "answer" not in obj:
                context.skip("lines without an answer (tasks, not annotations)")
                continue
            view = context.view or _answer_view(obj, path, line)
            yield _parse_answer(obj, view, str(path), line, context)
        context.skip("lines that are not JSON objects", len(stats.skipped))


def _span_str(span: Span) -> str:
    return f"{span.start}-{span.end} {span.label}"


def _span_dict(start: int, end: int, label: str, tokens: list[Any]) -> dict[str, Any]:
    span: dict[str, Any] = {"start": start, "end": end, "label": label}
    indices = token_indices(start, end, tokens)
    if indices is not None:
        span["token_start"], span["token_end"] = indices
    return span


def _quotes_task(record: Record) -> dict[str, Any]:
    roles, relations = quote_graph(record.quotes)
    spans = []
    for role in roles:
        span = _span_dict(role.start, role.end, role.label, record.tokens)
        if role.kind is not None:
            span["kind"] = role.kind  # Prodigy keeps unknown keys on spans it did not redraw
        spans.append(span)
    rels = [
        {
            "head": spans[r.head]["token_end"],
            "child": spans[r.child]["token_end"],
            "label": r.label,
            "head_span": dict(spans[r.head]),
            "child_span": dict(spans[r.child]),
        }
        for r in relations
    ]
    return {"spans": spans, "relations": rels, **quote_carry(record.quotes)}


def _events_task(record: Record) -> dict[str, Any]:
    labels, triggers = event_parts(record.events)
    options = list(PLOVER_TYPES) + [label for label in labels if label not in PLOVER_TYPES]
    return {
        "spans": [_span_dict(s, e, label, record.tokens) for s, e, label in triggers],
        "options": [{"id": label, "text": label} for label in options],
        "accept": labels,
        "config": {"choice_style": "multiple"},
    }


def _answer_view(obj: dict[str, Any], path: str | Path, line: int) -> str:
    view_id = obj.get("_view_id")
    if view_id in VIEW_IDS:
        return VIEW_IDS[view_id]
    if view_id is not None and view_id not in SHAPE_VIEW_IDS:
        raise InputError(
            f"Prodigy answers from the {view_id!r} interface cannot be imported",
            path=str(path),
            line=line,
            rule="prodigy-view",
            hint="use ner.manual/ner.correct/spans.manual, rel.manual or a choice task, or pass --view",
        )
    if "relations" in obj:
        return "quotes"
    if "options" in obj or "accept" in obj:
        return "events"
    return "entities"


def _parse_answer(obj: dict[str, Any], view: str, path: str, line: int, context: ReadContext) -> ParsedAnswer:
    consumed = LAYER_KEYS.get(view, ())
    try:
        record = record_from_dict({k: v for k, v in obj.items() if k not in consumed})
    except msgspec.ValidationError as exc:
        raise InputError(f"not a Prodigy answer: {exc}", path=path, line=line, rule="record-shape") from None
    view_layer = "entities" if view == "spans" else view
    parsed = ParsedAnswer(record, (view_layer,), path, line, record.meta.id, record.input_hash)
    if record.answer not in ANSWERS:
        parsed.problem("answer-state", f"answer {record.answer!r} is not one of {', '.join(ANSWERS)}")
    source = human_source(record.annotator_id or record.session_id or context.annotator)
    raw_spans = obj.get("spans") or []
    if not isinstance(raw_spans, list) or not all(isinstance(s, dict) for s in raw_spans):
        parsed.problem("record-shape", "spans must be a list of objects")
        raw_spans = []
    if view_layer == "entities":
        record.spans = _entities(parsed, raw_spans, source, context)
    elif view_layer == "quotes":
        record.spans = []
        record.quotes = _quotes(parsed, raw_spans, obj.get("relations") or [], source, carried=obj)
    else:
        record.spans = []
        record.events = _events(parsed, raw_spans, obj.get("accept") or [], source)
    return parsed


def _placed(parsed: ParsedAnswer, raw: dict[str, Any], what: str) -> tuple[int, int] | None:
    placed = parsed.place(raw.get("start"), raw.get("end"), expected_text=raw.get("text"), what=what)
    if placed is None or not parsed.record.tokens:
        return placed
    # Prodigy's manual interfaces snap spans to tokens, so token indices that disagree with the
    # character offsets mean one of the two was changed after the fact.
    given = (raw.get("token_start"), raw.get("token_end"))
    found = token_indices(*placed, parsed.record.tokens)
    if None not in given and found != given:
        where = "cut through tokens" if found is None else f"cover tokens {found[0]}-{found[1]}"
        parsed.problem(
            "span-token-mismatch",
            f"{what} {placed[0]}-{placed[1]} {where}, but token_start/token_end say {given[0]}-{given[1]}",
        )
        return None
    return placed


def _entities(
    parsed: ParsedAnswer, raw_spans: list[dict[str, Any]], source: str, context: ReadContext
) -> list[Span]:
    spans: list[Span] = []
    for raw in raw_spans:
        label = raw.get("label")
        if label not in context.entity_labels:
            parsed.problem(
                "unknown-label", f"entity label {label!r} is not in the label set (add it with --labels)"
            )
            continue
        placed = _placed(parsed, raw, f"span {label}")
        if placed is None:
            continue
        spans.append(parsed.entity(placed, label, source=source, span_id=raw.get("id")))
    return sorted(spans, key=lambda s: (s.start, s.end, s.label))


def _quotes(
    parsed: ParsedAnswer,
    raw_spans: list[dict[str, Any]],
    raw_relations: Any,
    source: str,
    *,
    carried: dict[str, Any],
) -> list[Any]:
    regions: list[RegionIn] = []
    by_offsets: dict[tuple[Any, Any, Any], int] = {}
    by_token_end: dict[Any, list[int]] = {}
    for i, raw in enumerate(raw_spans):
        placed = _placed(parsed, raw, f"quote role {raw.get('label')}")
        if placed is None:
            continue
        regions.append(RegionIn(i, placed[0], placed[1], str(raw.get("label")), raw.get("kind")))
        by_offsets[(raw.get("start"), raw.get("end"), raw.get("label"))] = i
        by_token_end.setdefault(raw.get("token_end"), []).append(i)
    links = []
    for rel in raw_relations if isinstance(raw_relations, list) else []:
        ends = [_relation_end(rel, side, by_offsets, by_token_end) for side in ("head", "child")]
        if None in ends:
            parsed.problem(
                "relation-target",
                f"relation {rel.get('head')} -> {rel.get('child')} does not join two spans of the answer",
            )
            continue
        links.append((ends[0], ends[1]))
    return parsed.rebuilt_quotes(regions, links, source=source, carried=carried)


def _relation_end(
    rel: Any, side: str, by_offsets: dict[Any, int], by_token_end: dict[Any, list[int]]
) -> int | None:
    """The span a relation end names: by its copied span object, else by the token it ends on."""
    if not isinstance(rel, dict):
        return None
    span = rel.get(f"{side}_span")
    if isinstance(span, dict):
        key = (span.get("start"), span.get("end"), span.get("label"))
        if key in by_offsets:
            return by_offsets[key]
    candidates = by_token_end.get(rel.get(side), [])
    return candidates[0] if len(candidates) == 1 else None


def _events(parsed: ParsedAnswer, raw_spans: list[dict[str, Any]], accept: Any, source: str) -> list[Any]:
    if not isinstance(accept, list) or not all(isinstance(a, str) for a in accept):
        parsed.problem("record-shape", f"accept must be a list of option ids, got {accept!r}")
        accept = []
    triggers = []
    for raw in raw_spans:
        placed = _placed(parsed, raw, f"trigger {raw.get('label')}")
        if placed is not None:
            triggers.append((placed[0], placed[1], str(raw.get("label"))))
    # The choice view shows the task's trigger spans but cannot remove them: the ticked options decide.
    return parsed.ticked_events(accept, triggers, source=source)
