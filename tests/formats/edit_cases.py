"""Annotators' edits made the way each tool writes them, and the records an import must give back for them.

An ``EditPlan`` says, in the record's own terms, what an annotator changes in one record: delete, relabel,
move and add an entity; delete a quote, move its speaker or cue, change its kind, add a quote or an
interrupted quote (two content pieces sharing a speaker and a cue); untick and tick event types, and in
Label Studio add or delete a trigger region. ``expected`` applies the plan to the record directly;
the ``edit_*`` functions make the same change to the exported task, reading and writing the tool's own
format (Prodigy spans and relations, Label Studio regions, choices and relations, doccano rows with
UTF-16 offsets), never through the toolkit's exporter or importer. A test then imports the edited
answers and compares with ``expected`` field by field.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

import msgspec

from toolkit.labels import PLOVER_TYPES
from toolkit.record import Event, Quote, Record, Role, Span

Key = tuple[int, int, str]  # a span in the tool: start, end (code points), label
RELATION_OF = {"SPEAKER": "SPEAKER_OF", "CUE": "CUE_OF"}


@dataclass
class EditPlan:
    """One annotator's changes to one record (None: that edit is not made here)."""

    entity_delete: Key | None = None
    entity_relabel: tuple[Key, str] | None = None
    entity_move: tuple[Key, tuple[int, int]] | None = None
    entity_add: Key | None = None
    quote_delete: Quote | None = None
    speaker_move: tuple[Quote, tuple[int, int]] | None = None
    cue_move: tuple[Quote, tuple[int, int]] | None = None
    kind_change: tuple[Quote, str] | None = None  # Label Studio only: the other tools show no kind
    quote_add: tuple[tuple[int, int], tuple[int, int], tuple[int, int]] | None = None
    interrupted_add: (
        tuple[tuple[tuple[int, int], tuple[int, int]], tuple[int, int], tuple[int, int]] | None
    ) = None
    event_untick: str | None = None
    event_tick: str | None = None
    trigger_add: tuple[int, int] | None = None  # Label Studio only: a trigger region for the ticked type
    trigger_delete: tuple[str, tuple[int, int]] | None = None  # Label Studio only
    # The kind an added quote is given: Label Studio shows a kind choice; elsewhere none is drawn.
    added_kind: str | None = None

    def edits(self) -> list[str]:
        return [name for name, value in vars(self).items() if value is not None and name != "added_kind"]


def _words(record: Record) -> list[tuple[int, int]]:
    return [(t.start, t.end) for t in record.tokens if t.text.isalpha()]


def _free(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    return all(end <= s or start >= e for s, e in spans)


def plan_for(record: Record, n: int, *, label_studio: bool = False) -> EditPlan:
    """Edits for the n-th record: every kind of edit across a file, several in most records, none in every
    sixth (an answer accepted as it came)."""
    plan = EditPlan()
    if n % 6 == 5:
        return plan
    words = _words(record)
    # Entities: delete the first, relabel the second, move the third one token wider, add one on a free word.
    spans = sorted((s.start, s.end, s.label) for s in record.spans)
    taken = [(s, e) for s, e, _ in spans]
    if spans:
        plan.entity_delete = spans[0]
    if len(spans) > 1:
        plan.entity_relabel = (spans[1], "ORG" if spans[1][2] != "ORG" else "GPE")
    if len(spans) > 2:
        s, e, _ = spans[2]
        after = next((w for w in words if w[0] >= e), None)
        others = [x for x in taken if x != (s, e)]
        if after is not None and _free(others, s, after[1]):
            plan.entity_move = (spans[2], (s, after[1]))
            taken = [*others, (s, after[1])]
    free = [w for w in words if _free(taken, *w)]
    if free:
        plan.entity_add = (*free[0], "NORP")
    # Quotes: pieces linked to other records stay as they are; the others are edited by turns.
    roles = [(r.start, r.end) for q in record.quotes for r in (q.content, q.speaker, q.cue) if r is not None]
    pool = [w for w in words if _free(roles, *w)]
    editable = [q for q in record.quotes if not q.linked_records and q.content and q.speaker and q.cue]
    mode = n % 3
    if editable and mode == 0:
        plan.quote_delete = editable[0]
    if editable and mode == 1 and pool:
        plan.speaker_move = (editable[0], pool.pop(0))
    if editable and mode == 2 and pool:
        plan.cue_move = (editable[0], pool.pop(0))
        if label_studio:
            plan.kind_change = (editable[0], "mixed" if editable[0].kind != "mixed" else "direct")
    if mode == 0 and len(pool) >= 4:
        c1, speaker, cue, c2 = pool[:4]
        plan.interrupted_add = ((c1, c2), speaker, cue)
        pool = pool[4:]
    elif len(pool) >= 3:
        plan.quote_add = (pool[0], pool[1], pool[2])
        plan.added_kind = "mixed" if label_studio else None
    # Events: untick the first type, tick one that is not there.
    labels = sorted({e.label for e in record.events}, key=PLOVER_TYPES.index)
    if labels:
        plan.event_untick = labels[0]
    plan.event_tick = next(t for t in PLOVER_TYPES if t not in labels)
    if label_studio:
        if words:
            plan.trigger_add = words[-1]
        kept = [e for e in record.events if e.trigger is not None and e.label != plan.event_untick]
        if kept:
            plan.trigger_delete = (kept[0].label, (kept[0].trigger.start, kept[0].trigger.end))
    return plan


# ---------------------------------------------------------------------------------------------------------
# What the import must give back: the plan applied to the record itself.


def _role(text: str, span: tuple[int, int] | None) -> Role | None:
    return None if span is None else Role(span[0], span[1], text[span[0] : span[1]])


def _same(a: Role | None, b: Role | None) -> bool:
    return (a is None) == (b is None) and (a is None or (a.start, a.end) == (b.start, b.end))


def _token_range(record: Record, start: int, end: int) -> tuple[int | None, int | None]:
    first = next((t.id for t in record.tokens if t.start == start), None)
    last = next((t.id for t in record.tokens if t.end == end), None)
    return first, last


def expected(record: Record, plan: EditPlan, layers: tuple[str, ...], annotator: str) -> Record:
    """The record as the annotator left it: edited layers made by ``human:<annotator>``, the rest as was."""
    source = f"human:{annotator}"
    text = record.text
    out = copy.deepcopy(record)
    if "entities" in layers:
        keys = {(s.start, s.end, s.label) for s in record.spans}
        if plan.entity_delete:
            keys.discard(plan.entity_delete)
        if plan.entity_relabel:
            old, label = plan.entity_relabel
            keys.discard(old)
            keys.add((old[0], old[1], label))
        if plan.entity_move:
            old, (s, e) = plan.entity_move
            keys.discard(old)
            keys.add((s, e, old[2]))
        if plan.entity_add:
            keys.add(plan.entity_add)
        out.spans = [
            Span(s, e, label, *_token_range(record, s, e), text=text[s:e], source=source)
            for s, e, label in sorted(keys)
        ]
    if "quotes" in layers:
        out.quotes = _expected_quotes(record, plan, source)
    if "events" in layers:
        out.events = _expected_events(record, plan, source)
    return out


def _expected_quotes(record: Record, plan: EditPlan, source: str) -> list[Quote]:
    text = record.text
    quotes = []
    for original in record.quotes:
        if original is plan.quote_delete:
            continue
        quote = msgspec.structs.replace(original, source=source)
        if plan.speaker_move and plan.speaker_move[0] is original:
            speaker = _role(text, plan.speaker_move[1])
            quote = msgspec.structs.replace(quote, speaker=speaker, speaker_resolved=None)
        if plan.cue_move and plan.cue_move[0] is original:
            quote = msgspec.structs.replace(quote, cue=_role(text, plan.cue_move[1]))
        if plan.kind_change and plan.kind_change[0] is original:
            quote = msgspec.structs.replace(quote, kind=plan.kind_change[1])
        quotes.append(quote)
    if plan.quote_add:
        content, speaker, cue = plan.quote_add
        # Drawn without a kind, a content with no opening quote mark reads as indirect.
        kind = plan.added_kind or "indirect"
        quotes.append(Quote(*(_role(text, r) for r in plan.quote_add), kind=kind, source=source))
    if plan.interrupted_add:
        (c1, c2), speaker, cue = plan.interrupted_add
        quote_id = fresh_quote_id(record)
        for content in (c1, c2):
            roles = (_role(text, content), _role(text, speaker), _role(text, cue))
            quotes.append(Quote(*roles, kind="indirect", source=source, id=quote_id))
    return quotes


def fresh_quote_id(record: Record) -> str:
    """The id a new multi-piece quote gets: ``<record id>:q<n>``, the first n no quote of the record uses."""
    used = {q.id for q in record.quotes}
    n = 0
    while f"{record.meta.id}:q{n}" in used:
        n += 1
    return f"{record.meta.id}:q{n}"


def _expected_events(record: Record, plan: EditPlan, source: str) -> list[Event]:
    text = record.text
    pairs: set[tuple[str, tuple[int, int] | None]] = set()
    for event in record.events:
        if event.label == plan.event_untick:
            continue
        trigger = None if event.trigger is None else (event.trigger.start, event.trigger.end)
        if plan.trigger_delete and plan.trigger_delete == (event.label, trigger):
            trigger = None
        pairs.add((event.label, trigger))
    if plan.event_tick:
        pairs.add((plan.event_tick, plan.trigger_add))
    # A type with a trigger and the same type without one is one event per distinct trigger.
    with_trigger = {label for label, trigger in pairs if trigger is not None}
    pairs = {(label, trigger) for label, trigger in pairs if trigger is not None or label not in with_trigger}
    ordered = sorted(pairs, key=lambda p: (PLOVER_TYPES.index(p[0]), p[1] or (-1, -1)))
    return [Event(label, _role(text, trigger), source) for label, trigger in ordered]


def dropped_triggers(record: Record, plan: EditPlan) -> int:
    """Triggers the view leaves in place for the unticked type: the import drops and counts them."""
    return len(
        {
            (e.trigger.start, e.trigger.end)
            for e in record.events
            if e.label == plan.event_untick and e.trigger
        }
    )


# ---------------------------------------------------------------------------------------------------------
# The same edits made in each tool's own format.


def _utf16(text: str, offset: int) -> int:
    return len(text[:offset].encode("utf-16-le")) // 2


def _tokens_at(tokens: list[dict[str, Any]], start: int, end: int) -> tuple[int, int]:
    first = next(i for i, t in enumerate(tokens) if t["start"] == start)
    last = next(i for i, t in enumerate(tokens) if t["end"] == end)
    return first, last


def _prodigy_span(tokens: list[dict[str, Any]], start: int, end: int, label: str) -> dict[str, Any]:
    """A span as Prodigy's manual interfaces write one the annotator drew: offsets, token indices, label."""
    first, last = _tokens_at(tokens, start, end)
    return {"start": start, "end": end, "token_start": first, "token_end": last, "label": label}


def edit_prodigy_entities(task: dict[str, Any], plan: EditPlan) -> dict[str, Any]:
    """ner.manual / spans.manual: spans removed, redrawn with another label or extent, or added."""
    task = copy.deepcopy(task)
    tokens = task["tokens"]
    spans = []
    for span in task.get("spans", []):
        key = (span["start"], span["end"], span["label"])
        if key == plan.entity_delete:
            continue
        if plan.entity_relabel and key == plan.entity_relabel[0]:
            span = _prodigy_span(tokens, span["start"], span["end"], plan.entity_relabel[1])
        if plan.entity_move and key == plan.entity_move[0]:
            span = _prodigy_span(tokens, *plan.entity_move[1], span["label"])
        spans.append(span)
    if plan.entity_add:
        spans.append(_prodigy_span(tokens, *plan.entity_add))
    task["spans"] = sorted(spans, key=lambda s: s["start"])
    return task


def edit_prodigy_choice(task: dict[str, Any], plan: EditPlan) -> dict[str, Any]:
    """choice: only the ticked options change; the task's spans come back untouched whatever was ticked."""
    task = copy.deepcopy(task)
    accept = [a for a in task["accept"] if a != plan.event_untick]
    if plan.event_tick:
        accept.append(plan.event_tick)
    task["accept"] = accept
    return task


@dataclass
class RoleGraph:
    """Role spans and relations as a tool holds them; items keep the tool's own dict when unchanged."""

    spans: dict[Key, Any]
    relations: list[tuple[Key, Key, str, Any]]

    def anchor_of(self, quote: Quote) -> Key:
        role = quote.content or quote.cue or quote.speaker
        label = "CONTENT" if quote.content else "CUE" if quote.cue else "SPEAKER"
        return (role.start, role.end, label)

    def _prune(self, key: Key) -> None:
        if not any(key in (h, c) for h, c, _, _ in self.relations):
            self.spans.pop(key, None)

    def delete_quote(self, quote: Quote) -> None:
        anchor = self.anchor_of(quote)
        heads = [h for h, c, _, _ in self.relations if c == anchor] + [
            c for h, c, _, _ in self.relations if h == anchor
        ]
        self.relations = [r for r in self.relations if anchor not in (r[0], r[1])]
        self.spans.pop(anchor)
        for head in heads:
            self._prune(head)

    def move_role(self, quote: Quote, label: str, new: tuple[int, int]) -> None:
        anchor = self.anchor_of(quote)
        role = quote.speaker if label == "SPEAKER" else quote.cue
        old = (role.start, role.end, label)
        self.relations = [r for r in self.relations if {r[0], r[1]} != {old, anchor}]
        self._prune(old)
        self.add_role(new, label, anchor)

    def add_role(self, span: tuple[int, int], label: str, anchor: Key, *, backwards: bool = False) -> None:
        key = (*span, label)
        self.spans.setdefault(key, None)
        pair = (anchor, key) if backwards else (key, anchor)
        self.relations.append((*pair, RELATION_OF[label], None))

    def add_quote(
        self, contents: list[tuple[int, int]], speaker: tuple[int, int], cue: tuple[int, int]
    ) -> None:
        for n, content in enumerate(contents):
            anchor = (*content, "CONTENT")
            self.spans[anchor] = None
            # Annotators draw relations either way; the second piece's speaker link is drawn backwards.
            self.add_role(speaker, "SPEAKER", anchor, backwards=n == 1)
            self.add_role(cue, "CUE", anchor)

    def apply(self, plan: EditPlan) -> None:
        if plan.quote_delete:
            self.delete_quote(plan.quote_delete)
        if plan.speaker_move:
            self.move_role(plan.speaker_move[0], "SPEAKER", plan.speaker_move[1])
        if plan.cue_move:
            self.move_role(plan.cue_move[0], "CUE", plan.cue_move[1])
        if plan.quote_add:
            content, speaker, cue = plan.quote_add
            self.add_quote([content], speaker, cue)
        if plan.interrupted_add:
            contents, speaker, cue = plan.interrupted_add
            self.add_quote(list(contents), speaker, cue)


def edit_prodigy_relations(task: dict[str, Any], plan: EditPlan) -> dict[str, Any]:
    """rel.manual: spans and relations redrawn; a relation names each span's last token and copies it."""
    task = copy.deepcopy(task)
    tokens = task["tokens"]
    spans = {(s["start"], s["end"], s["label"]): s for s in task["spans"]}
    relations = [(_key(r["head_span"]), _key(r["child_span"]), r["label"], r) for r in task["relations"]]
    graph = RoleGraph(spans, relations)
    graph.apply(plan)
    written = {
        key: item or _prodigy_span(tokens, key[0], key[1], key[2]) for key, item in graph.spans.items()
    }
    task["spans"] = sorted(written.values(), key=lambda s: (s["start"], s["end"]))
    task["relations"] = [
        item
        or {
            "head": written[head]["token_end"],
            "child": written[child]["token_end"],
            "label": label,
            "head_span": dict(written[head]),
            "child_span": dict(written[child]),
        }
        for head, child, label, item in graph.relations
    ]
    return task


def _key(span: dict[str, Any]) -> Key:
    return (span["start"], span["end"], span["label"])


def edit_labelstudio(task: dict[str, Any], plan: EditPlan) -> list[dict[str, Any]]:
    """The annotation's result after the edits: regions, per-region kind choices, relations, event choices."""
    text = task["data"]["text"]
    views = task["data"]["toolkit_views"]
    result = (
        copy.deepcopy(task.get("predictions", [{}])[0].get("result", [])) if task.get("predictions") else []
    )
    new_ids = iter(f"edit{n}" for n in range(1000))

    def region(tag: str, start: int, end: int, label: str, region_id: str | None = None) -> dict[str, Any]:
        return {
            "id": region_id or next(new_ids),
            "from_name": tag,
            "to_name": "text",
            "type": "labels",
            "origin": "manual",
            "value": {"start": start, "end": end, "text": text[start:end], "labels": [label]},
        }

    def value_key(item: dict[str, Any]) -> Key:
        return (item["value"]["start"], item["value"]["end"], item["value"]["labels"][0])

    out: list[dict[str, Any]] = []
    roles: dict[Key, dict[str, Any]] = {}
    kinds: dict[str, dict[str, Any]] = {}
    relations: list[dict[str, Any]] = []
    events_choice: dict[str, Any] | None = None
    for item in result:
        name = item.get("from_name")
        if item.get("type") == "relation":
            relations.append(item)
        elif name == "quote_role":
            roles[value_key(item)] = item
        elif name == "quote_kind":
            kinds[item["id"]] = item
        elif name == "event_type":
            events_choice = item
        elif name == "label" and "entities" in views:
            key = value_key(item)
            if key == plan.entity_delete:
                continue
            if plan.entity_relabel and key == plan.entity_relabel[0]:
                item["value"]["labels"] = [plan.entity_relabel[1]]
            if plan.entity_move and key == plan.entity_move[0]:
                start, end = plan.entity_move[1]
                item["value"].update(start=start, end=end, text=text[start:end])
            out.append(item)
        elif name == "event_trigger" and "events" in views:
            key = value_key(item)
            # An unticked type's trigger region is left in place, as an annotator would forget it.
            if plan.trigger_delete and (key[2], key[:2]) == plan.trigger_delete:
                continue
            out.append(item)
        else:
            out.append(item)
    if "entities" in views and plan.entity_add:
        out.append(region("label", *plan.entity_add))
    if "quotes" in views:
        out += _labelstudio_quotes(plan, roles, kinds, relations, region)
    else:
        out += list(roles.values()) + list(kinds.values()) + relations
    if "events" in views:
        choices = list(events_choice["value"]["choices"]) if events_choice else []
        choices = [c for c in choices if c != plan.event_untick]
        if plan.event_tick:
            choices.append(plan.event_tick)
        if plan.trigger_add and plan.event_tick:
            out.append(region("event_trigger", *plan.trigger_add, plan.event_tick))
        if choices:
            out.append(
                {
                    "id": (events_choice or {}).get("id", "events"),
                    "from_name": "event_type",
                    "to_name": "text",
                    "type": "choices",
                    "value": {"choices": choices},
                }
            )
    elif events_choice:
        out.append(events_choice)
    return out


def _labelstudio_quotes(
    plan: EditPlan,
    roles: dict[Key, dict[str, Any]],
    kinds: dict[str, dict[str, Any]],
    relations: list[dict[str, Any]],
    region: Any,
) -> list[dict[str, Any]]:
    by_id = {item["id"]: key for key, item in roles.items()}
    graph = RoleGraph(
        dict(roles), [(by_id[r["from_id"]], by_id[r["to_id"]], r["labels"][0], r) for r in relations]
    )
    graph.apply(plan)
    written = {key: item or region("quote_role", key[0], key[1], key[2]) for key, item in graph.spans.items()}
    out = list(written.values())
    for region_id, choice in kinds.items():
        key = by_id[region_id]
        if key not in written:
            continue  # the region went, and its per-region choice with it
        if plan.kind_change and key == graph.anchor_of(plan.kind_change[0]):
            choice["value"]["choices"] = [plan.kind_change[1]]
        out.append(choice)
    if plan.quote_add:
        content = written[(*plan.quote_add[0], "CONTENT")]
        out.append(
            {
                "id": content["id"],
                "from_name": "quote_kind",
                "to_name": "text",
                "type": "choices",
                "value": {
                    **{k: content["value"][k] for k in ("start", "end", "text")},
                    "choices": [plan.added_kind],
                },
            }
        )
    for head, child, label, item in graph.relations:
        out.append(
            item
            or {
                "from_id": written[head]["id"],
                "to_id": written[child]["id"],
                "type": "relation",
                "direction": "right",
                "labels": [label],
            }
        )
    return out


def edit_doccano(task: dict[str, Any], plan: EditPlan) -> dict[str, Any]:
    """A doccano row after the edits, offsets in the UTF-16 units its editor counts."""
    task = copy.deepcopy(task)
    text = task["text"]
    units = task.get("toolkit_offsets", "utf16")
    assert units == "utf16", units

    def to_cp(unit: int) -> int:
        return next(i for i in range(len(text) + 1) if _utf16(text, i) == unit)

    view = task["toolkit_view"]
    if view == "entities":
        labels = []
        for start, end, label in task["label"]:
            key = (to_cp(start), to_cp(end), label)
            if key == plan.entity_delete:
                continue
            if plan.entity_relabel and key == plan.entity_relabel[0]:
                key = (key[0], key[1], plan.entity_relabel[1])
            if plan.entity_move and key == plan.entity_move[0]:
                key = (*plan.entity_move[1], label)
            labels.append(key)
        if plan.entity_add:
            labels.append(plan.entity_add)
        task["label"] = [[_utf16(text, s), _utf16(text, e), label] for s, e, label in sorted(labels)]
    elif view == "quotes":
        ids = {
            e["id"]: (to_cp(e["start_offset"]), to_cp(e["end_offset"]), e["label"]) for e in task["entities"]
        }
        graph = RoleGraph(
            {key: None for key in ids.values()},
            [(ids[r["from_id"]], ids[r["to_id"]], r["type"], None) for r in task["relations"]],
        )
        graph.apply(plan)
        numbers = {key: n + 1 for n, key in enumerate(sorted(graph.spans))}
        task["entities"] = [
            {
                "id": numbers[key],
                "start_offset": _utf16(text, key[0]),
                "end_offset": _utf16(text, key[1]),
                "label": key[2],
            }
            for key in sorted(graph.spans)
        ]
        task["relations"] = [
            {"id": n + 1, "from_id": numbers[head], "to_id": numbers[child], "type": label}
            for n, (head, child, label, _) in enumerate(graph.relations)
        ]
    else:
        labels = [label for label in task["label"] if label != plan.event_untick]
        if plan.event_tick:
            labels.append(plan.event_tick)
        task["label"] = (
            labels  # the event_triggers column is metadata: doccano shows and changes nothing there
        )
    return task


def without_texts(record: Record) -> Record:
    """The record with no span, role or trigger text: what a merge onto a base without texts gives."""

    def role(r: Role | None) -> Role | None:
        return None if r is None else Role(r.start, r.end)

    return msgspec.structs.replace(
        record,
        spans=[msgspec.structs.replace(s, text=None) for s in record.spans],
        quotes=[
            msgspec.structs.replace(q, content=role(q.content), speaker=role(q.speaker), cue=role(q.cue))
            for q in record.quotes
        ],
        events=[msgspec.structs.replace(e, trigger=role(e.trigger)) for e in record.events],
    )
