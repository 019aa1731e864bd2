"""Label Studio: tasks JSON with predictions plus the labeling config; the raw JSON export read back.

Offsets go out in code points (Label Studio stores what it is sent, and its editor has counted code
points since its emoji fix). It validates nothing in results, so every region is checked on the way
back: its text against the task text, UTF-16 and CRLF readings tried on a mismatch, labels against
the label sets. A malformed result item (a region without offsets or labels, of a span control the
config does not have, a relation or per-region choice naming a region that is not there) stops the
import naming its task, or is skipped and counted under ``skip_invalid``. A cancelled (skipped)
annotation becomes ``answer: "ignore"``, Prodigy's word for a skipped task, with ``was_cancelled`` kept
in ``meta.extra.label_studio``; every other annotation is ``accept``. Task, annotation, user and region
ids are kept, so a second round trip joins back.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import IO, Any, ClassVar
from xml.sax.saxutils import quoteattr

import msgspec
import orjson

from toolkit.errors import InputError
from toolkit.formats.base import ParsedAnswer, ReadContext, ToolFormat, human_source
from toolkit.formats.layers import (
    RELATION_LABELS,
    ROLE_LABELS,
    RegionIn,
    event_parts,
    quote_carry,
    quote_graph,
    shared_anchor_problems,
)
from toolkit.labels import PLOVER_TYPES, QUOTE_KINDS
from toolkit.record import Meta, Record, Span, Token, record_to_dict

# Control tag names in the labeling config; result items name them in ``from_name``.
ENTITY_TAG = "label"
ROLE_TAG = "quote_role"
KIND_TAG = "quote_kind"
TRIGGER_TAG = "event_trigger"
EVENT_TAG = "event_type"
TEXT_TAG = "text"
SPAN_TAG_VIEW = {ENTITY_TAG: "entities", ROLE_TAG: "quotes", TRIGGER_TAG: "events"}
# Result types that mark a span of the text; one from a control the config does not have is malformed.
SPAN_TYPES = frozenset({"labels", "hypertextlabels"})
# Keys of a JSON_MIN row (flat: data fields and one key per control, no annotations list).
JSON_MIN_KEYS = frozenset({"annotation_id", "annotator", "lead_time"})
MALFORMED = "malformed Label Studio result items"
ANNOTATION_META_KEYS = (
    "id",
    "completed_by",
    "was_cancelled",
    "ground_truth",
    "created_at",
    "updated_at",
    "lead_time",
    "last_action",
    "project",
    "parent_prediction",
    "parent_annotation",
)


class LabelStudioFormat(ToolFormat):
    name = "labelstudio"
    views: ClassVar[tuple[str, ...]] = ("entities", "spans", "quotes", "events")
    multi_view = True
    suffix = ".json"

    def export_problems(self, record: Record, views: tuple[str, ...]) -> list[str]:
        return shared_anchor_problems(record.quotes) if "quotes" in views else []

    def task(self, record: Record, views: tuple[str, ...]) -> dict[str, Any]:
        layer_views = tuple("entities" if v == "spans" else v for v in views)
        data: dict[str, Any] = {
            TEXT_TAG: record.text,
            "record_id": record.meta.id,
            "meta": record_to_dict(record)["meta"],
            "tokens": [msgspec.to_builtins(t) for t in record.tokens],
            "toolkit_views": list(layer_views),
        }
        if "quotes" in layer_views:
            data.update(quote_carry(record.quotes))
        result: list[dict[str, Any]] = []
        sources: set[str] = set()
        if "entities" in layer_views:
            result += _entity_regions(record, sources)
        if "quotes" in layer_views:
            result += _quote_regions(record, sources)
        if "events" in layer_views:
            result += _event_regions(record, sources)
        task: dict[str, Any] = {"data": data}
        if result:
            task["predictions"] = [
                {"model_version": ",".join(sorted(sources)) or "toolkit", "result": result}
            ]
        return task

    @contextlib.contextmanager
    def task_writer(self, handle: IO[bytes]) -> Iterator[Callable[[dict[str, Any]], None]]:
        # Label Studio imports a JSON list; one task a line keeps the file diffable.
        count = 0

        def write(task: dict[str, Any]) -> None:
            nonlocal count
            handle.write(b"[\n" if count == 0 else b",\n")
            handle.write(orjson.dumps(task))
            count += 1

        yield write
        handle.write(b"\n]\n" if count else b"[]\n")

    def sidecars(
        self, output: str | Path, views: tuple[str, ...], entity_labels: Sequence[str]
    ) -> dict[Path, str]:
        if str(output) == "-":
            return {}
        path = Path(output)
        return {path.with_name(f"{path.stem}.config.xml"): labeling_config(views, entity_labels)}

    def read_answers(self, path: str | Path, context: ReadContext) -> Iterator[ParsedAnswer]:
        tasks = _load_export(path)
        for number, task in enumerate(tasks, start=1):
            if not isinstance(task, dict) or not isinstance(task.get("data"), dict):
                if isinstance(task, dict) and JSON_MIN_KEYS & set(task):
                    raise InputError(
                        "this is a JSON_MIN export (flat rows, no data and annotations): it drops "
                        "relations and skipped annotations",
                        path=str(path),
                        rule="labelstudio-json-min",
                        hint="export the project as JSON (the raw format), not JSON_MIN",
                    )
                raise InputError(
                    f"task {number} has no data object",
                    path=str(path),
                    rule="labelstudio-shape",
                    hint="export the project as JSON (the raw format), not JSON_MIN or CSV",
                )
            annotations = task.get("annotations") or []
            if not annotations:
                context.skip("tasks without annotations")
            for annotation in annotations:
                yield _parse_annotation(task, annotation, str(path), context)


def labeling_config(views: Sequence[str], entity_labels: Sequence[str]) -> str:
    """The labeling config XML for the chosen views; tag names match the result items the exporter writes."""
    lines = ["<View>"]
    layer_views = {"entities" if v == "spans" else v for v in views}

    def labels(name: str, values: Sequence[str]) -> None:
        lines.append(f'  <Labels name="{name}" toName="{TEXT_TAG}">')
        lines.extend(f"    <Label value={quoteattr(v)}/>" for v in values)
        lines.append("  </Labels>")

    if "entities" in layer_views:
        labels(ENTITY_TAG, entity_labels)
    if "quotes" in layer_views:
        labels(ROLE_TAG, list(ROLE_LABELS.values()))
        lines.append("  <Relations>")
        lines.extend(f"    <Relation value={quoteattr(v)}/>" for v in RELATION_LABELS.values())
        lines.append("  </Relations>")
    if "events" in layer_views:
        labels(TRIGGER_TAG, PLOVER_TYPES)
    lines.append(f'  <Text name="{TEXT_TAG}" value="${TEXT_TAG}"/>')
    if "quotes" in layer_views:
        # Shown only while a CONTENT region is selected, and stored on that region.
        lines.append(
            f'  <Choices name="{KIND_TAG}" toName="{TEXT_TAG}" perRegion="true" visibleWhen="region-selected"'
            f' whenTagName="{ROLE_TAG}" whenLabelValue="CONTENT" choice="single">'
        )
        lines.extend(f"    <Choice value={quoteattr(k)}/>" for k in QUOTE_KINDS)
        lines.append("  </Choices>")
    if "events" in layer_views:
        lines.append(
            f'  <Choices name="{EVENT_TAG}" toName="{TEXT_TAG}" choice="multiple" showInline="true">'
        )
        lines.extend(f"    <Choice value={quoteattr(t)}/>" for t in PLOVER_TYPES)
        lines.append("  </Choices>")
    lines.append("</View>")
    return "\n".join(lines) + "\n"


def _region(region_id: str, tag: str, text: str, start: int, end: int, label: str) -> dict[str, Any]:
    return {
        "id": region_id,
        "from_name": tag,
        "to_name": TEXT_TAG,
        "type": "labels",
        "value": {"start": start, "end": end, "text": text[start:end], "labels": [label]},
    }


def _entity_regions(record: Record, sources: set[str]) -> list[dict[str, Any]]:
    regions = []
    for i, span in enumerate(record.spans):
        if span.source:
            sources.add(span.source)
        regions.append(
            _region(span.id or f"ent{i}", ENTITY_TAG, record.text, span.start, span.end, span.label)
        )
    _unique_ids(regions)
    return regions


def _unique_ids(regions: list[dict[str, Any]]) -> None:
    # Relations point at region ids, so two regions must never share one (kept ids can collide).
    seen: set[str] = set()
    for n, region in enumerate(regions):
        if region["id"] in seen:
            region["id"] = f"{region['id']}~{n}"
        seen.add(region["id"])


def _quote_regions(record: Record, sources: set[str]) -> list[dict[str, Any]]:
    roles, relations = quote_graph(record.quotes)
    sources.update(q.source for q in record.quotes if q.source)
    items = []
    for i, role in enumerate(roles):
        items.append(_region(f"role{i}", ROLE_TAG, record.text, role.start, role.end, role.label))
        if role.kind is not None:
            items.append(
                {
                    "id": f"role{i}",
                    "from_name": KIND_TAG,
                    "to_name": TEXT_TAG,
                    "type": "choices",
                    "value": {
                        "start": role.start,
                        "end": role.end,
                        "text": record.text[role.start : role.end],
                        "choices": [role.kind],
                    },
                }
            )
    items.extend(
        {
            "from_id": f"role{r.head}",
            "to_id": f"role{r.child}",
            "type": "relation",
            "direction": "right",
            "labels": [r.label],
        }
        for r in relations
    )
    return items


def _event_regions(record: Record, sources: set[str]) -> list[dict[str, Any]]:
    labels, triggers = event_parts(record.events)
    sources.update(e.source for e in record.events if e.source)
    items = [
        _region(f"trig{i}", TRIGGER_TAG, record.text, s, e, label) for i, (s, e, label) in enumerate(triggers)
    ]
    if labels:
        items.append(
            {
                "id": "events",
                "from_name": EVENT_TAG,
                "to_name": TEXT_TAG,
                "type": "choices",
                "value": {"choices": labels},
            }
        )
    return items


def _load_export(path: str | Path) -> list[Any]:
    p = Path(path)
    if str(path) != "-" and not p.is_file():
        raise InputError("no such file", path=str(path), rule="missing-path")
    import sys

    raw = sys.stdin.buffer.read() if str(path) == "-" else p.read_bytes()
    try:
        tasks = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise InputError(f"not valid JSON: {exc}", path=str(path), rule="invalid-json") from None
    if not isinstance(tasks, list):
        raise InputError(
            "a Label Studio JSON export is a list of tasks",
            path=str(path),
            rule="labelstudio-shape",
            hint="export the project as JSON (not JSON_MIN or CSV)",
        )
    return tasks


def _annotator(completed_by: Any) -> str | None:
    """An annotator name: the user's email when the export carries it, else ``labelstudio-user-<id>``."""
    if isinstance(completed_by, dict):
        email = completed_by.get("email") or completed_by.get("username")
        return str(email) if email else _annotator(completed_by.get("id"))
    return None if completed_by is None else f"labelstudio-user-{completed_by}"


def _timestamp(annotation: dict[str, Any]) -> int | None:
    stamp = annotation.get("updated_at") or annotation.get("created_at")
    if not isinstance(stamp, str):
        return None
    try:
        return int(datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp())
    except ValueError:
        return None


def _parse_annotation(task: dict[str, Any], annotation: Any, path: str, context: ReadContext) -> ParsedAnswer:
    data = task["data"]
    if not isinstance(annotation, dict):
        raise InputError(
            f"task {task.get('id')} has an annotation that is not an object",
            path=path,
            rule="labelstudio-shape",
        )
    where = f"{path} [task {task.get('id')}, annotation {annotation.get('id')}]"
    text = data.get(TEXT_TAG)
    if not isinstance(text, str):
        raise InputError(
            f"task {task.get('id')} has no text in data.{TEXT_TAG}", path=path, rule="labelstudio-shape"
        )
    annotator = _annotator(annotation.get("completed_by")) or context.annotator
    record = _answer_record(task, annotation, text, annotator)
    if not record.tokens:
        record.tokens = context.tokens_for(record.meta.id, text)
    result = annotation.get("result") or []
    if not isinstance(result, list):
        raise InputError(
            f"task {task.get('id')}, annotation {annotation.get('id')}: result is not a list",
            path=path,
            rule="labelstudio-shape",
        )
    result = well_formed(result, task, annotation, path, context)
    views = _answer_views(data, result, context)
    parsed = ParsedAnswer(record, views, where, None, record.meta.id)
    _read_result(parsed, result, human_source(annotator), context, carried=data)
    return parsed


def well_formed(
    result: list[Any], task: dict[str, Any], annotation: dict[str, Any], path: str, context: ReadContext
) -> list[dict[str, Any]]:
    """The result items that can be read; a malformed one raises naming its task, or is skipped and counted.

    Label Studio stores whatever it is sent, so a region can lack offsets or labels, name a control that is
    not in the config, or a relation can name a region that is not there; dropping one silently would
    lose a span the annotator drew.
    """
    kept: list[dict[str, Any]] = []
    regions: set[Any] = set()
    later: list[dict[str, Any]] = []
    for item in result:
        problem = _region_problem(item)
        if problem is None and isinstance(item, dict) and (_is_relation(item) or _is_region_choice(item)):
            later.append(item)  # checked once every region is known
            continue
        if problem is not None:
            _malformed(problem, item, task, annotation, path, context)
            continue
        kept.append(item)
        if _is_span(item):
            regions.add(item.get("id"))
    for item in later:
        if _is_relation(item):
            missing = [end for end in ("from_id", "to_id") if item.get(end) not in regions]
            problem = f"relation names {', '.join(missing)} {', '.join(repr(item.get(e)) for e in missing)}, "
            problem += "which is not a region of the annotation"
        else:
            missing = [] if item.get("id") in regions else ["id"]
            problem = f"per-region {item.get('from_name')} choice names region {item.get('id')!r}, not there"
        if missing:
            _malformed(problem, item, task, annotation, path, context)
        else:
            kept.append(item)
    return kept


def _is_span(item: dict[str, Any]) -> bool:
    return item.get("type") in SPAN_TYPES or item.get("from_name") in SPAN_TAG_VIEW


def _is_relation(item: dict[str, Any]) -> bool:
    return item.get("type") == "relation"


def _is_region_choice(item: dict[str, Any]) -> bool:
    return item.get("from_name") == KIND_TAG


def _region_problem(item: Any) -> str | None:
    """Why a result item cannot be read (None when it can): checked by shape, before any offset is placed."""
    if not isinstance(item, dict):
        return f"result item {item!r} is not an object"
    kind, name = item.get("type"), item.get("from_name")
    if _is_relation(item):
        return None if "from_id" in item and "to_id" in item else "relation without from_id or to_id"
    value = item.get("value")
    if not isinstance(value, dict):
        return f"{kind or 'item'} {item.get('id')!r} has no value object"
    if _is_span(item):
        if name not in SPAN_TAG_VIEW:
            return (
                f"region {item.get('id')!r} comes from {name!r}, a control the labeling config does not have"
            )
        for key in ("start", "end"):
            if key not in value:
                return f"region {item.get('id')!r} has no value.{key}"
            if isinstance(value[key], bool) or not isinstance(value[key], int):
                return f"region {item.get('id')!r} value.{key} is {value[key]!r}, not an integer offset"
        labels = value.get("labels")
        if not isinstance(labels, list) or not labels or not all(isinstance(x, str) for x in labels):
            return f"region {item.get('id')!r} has no labels (value.labels {labels!r})"
        if "text" in value and not isinstance(value["text"], str):
            return f"region {item.get('id')!r} value.text is not a string"
        return None
    if name in (KIND_TAG, EVENT_TAG):
        choices = value.get("choices")
        if not isinstance(choices, list) or not all(isinstance(x, str) for x in choices):
            return f"{name} {item.get('id')!r} value.choices is {choices!r}, not a list of strings"
        if name == KIND_TAG and len(choices) != 1:
            return f"{name} {item.get('id')!r} has {len(choices)} kinds; a quote has one"
    return None


def _malformed(
    problem: str,
    item: Any,
    task: dict[str, Any],
    annotation: dict[str, Any],
    path: str,
    context: ReadContext,
) -> None:
    if context.skip_invalid:
        context.skip(MALFORMED)
        return
    raise InputError(
        f"task {task.get('id')}, annotation {annotation.get('id')}: {problem}",
        path=path,
        rule="labelstudio-region",
        hint="fix it in Label Studio and export again, or pass --skip-invalid to skip such items",
    )


def _answer_record(
    task: dict[str, Any], annotation: dict[str, Any], text: str, annotator: str | None
) -> Record:
    data = task["data"]
    meta_obj = data.get("meta") if isinstance(data.get("meta"), dict) else {}
    try:
        meta = msgspec.convert(_meta_fields(meta_obj), Meta)
        tokens = msgspec.convert(data.get("tokens") or [], list[Token])
    except msgspec.ValidationError:
        meta, tokens = Meta(), []
    if meta.id is None and isinstance(data.get("record_id"), str):
        meta.id = data["record_id"]
    kept = {k: annotation[k] for k in ANNOTATION_META_KEYS if k in annotation}
    kept["task_id"] = task.get("id")
    meta.extra = {**meta.extra, "label_studio": dict(sorted(kept.items()))}
    return Record(
        text=text,
        tokens=tokens,
        meta=meta,
        answer="ignore" if annotation.get("was_cancelled") else "accept",
        annotator_id=annotator,
        timestamp=_timestamp(annotation),
    )


def _meta_fields(meta: dict[str, Any]) -> dict[str, Any]:
    from toolkit.record import META_KEYS

    known = {k: v for k, v in meta.items() if k in META_KEYS}
    extra = {k: v for k, v in meta.items() if k not in META_KEYS}
    return {**known, "extra": extra} if extra else known


def _answer_views(data: dict[str, Any], result: Any, context: ReadContext) -> tuple[str, ...]:
    if context.view:
        return ("entities" if context.view == "spans" else context.view,)
    marked = data.get("toolkit_views")
    if isinstance(marked, list) and marked and all(v in ("entities", "quotes", "events") for v in marked):
        return tuple(marked)
    names = (
        {item.get("from_name") for item in result if isinstance(item, dict)}
        if isinstance(result, list)
        else set()
    )
    found = {SPAN_TAG_VIEW[n] for n in names if n in SPAN_TAG_VIEW}
    found |= {"quotes"} if KIND_TAG in names else set()
    found |= {"events"} if EVENT_TAG in names else set()
    return tuple(v for v in ("entities", "quotes", "events") if v in found) or ("entities",)


def _read_result(
    parsed: ParsedAnswer,
    result: list[dict[str, Any]],
    source: str,
    context: ReadContext,
    *,
    carried: dict[str, Any],
) -> None:
    record = parsed.record
    spans: list[Span] = []
    roles: list[RegionIn] = []
    kinds: dict[Any, str] = {}
    triggers: list[tuple[int, int, str]] = []
    chosen: list[str] = []
    relations: list[dict[str, Any]] = []
    other: list[dict[str, Any]] = []
    for item in result:
        kind, name = item.get("type"), item.get("from_name")
        value: dict[str, Any] = item["value"] if isinstance(item.get("value"), dict) else {}
        if kind == "relation":
            relations.append(item)
        elif _is_span(item):
            for label in value["labels"]:
                placed = parsed.place(
                    value.get("start"),
                    value.get("end"),
                    expected_text=value.get("text"),
                    what=f"region {item.get('id')} {label}",
                )
                if placed is None:
                    continue
                if name == ENTITY_TAG:
                    span = _entity_span(parsed, placed, label, item.get("id"), source, context)
                    if span is not None:
                        spans.append(span)
                elif name == ROLE_TAG:
                    roles.append(RegionIn(item.get("id"), placed[0], placed[1], str(label)))
                else:
                    triggers.append((placed[0], placed[1], str(label)))
        elif name == KIND_TAG:
            kinds[item.get("id")] = value["choices"][0]
        elif name == EVENT_TAG:
            chosen.extend(value["choices"])
        else:
            other.append(item)  # a control the toolkit does not know: kept, not dropped
    # Relations between quote roles rebuild quotes; any other relation is kept as it came.
    role_keys = {r.key for r in roles}
    is_quote_link = [item.get("from_id") in role_keys or item.get("to_id") in role_keys for item in relations]
    other += [item for item, quote_link in zip(relations, is_quote_link, strict=True) if not quote_link]
    links = [
        (item.get("from_id"), item.get("to_id"))
        for item, q in zip(relations, is_quote_link, strict=True)
        if q
    ]
    if other:
        record.meta.extra["label_studio"]["other_results"] = other
    if "entities" in parsed.views:
        record.spans = sorted((s for s in spans if s is not None), key=lambda s: (s.start, s.end, s.label))
    if "quotes" in parsed.views:
        roles = [RegionIn(r.key, r.start, r.end, r.label, kinds.get(r.key)) for r in roles]
        record.quotes = parsed.rebuilt_quotes(roles, links, source=source, carried=carried)
    if "events" in parsed.views:
        record.events = parsed.ticked_events(chosen, triggers, source=source)


def _entity_span(
    parsed: ParsedAnswer,
    placed: tuple[int, int],
    label: Any,
    region_id: Any,
    source: str,
    context: ReadContext,
) -> Span | None:
    if label not in context.entity_labels:
        parsed.problem(
            "unknown-label", f"entity label {label!r} is not in the label set (add it with --labels)"
        )
        return None
    return parsed.entity(placed, label, source=source, span_id=region_id)
