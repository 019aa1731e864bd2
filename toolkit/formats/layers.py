"""Quotes and events as the flat spans, relations and choices that labeling tools show, and back again.

A tool knows labelled spans, relations between them and document-level choices. A quote becomes one
span per role (CONTENT, SPEAKER, CUE) with relations from the other roles to its anchor (the content,
else the cue, else the speaker) and its kind attached to the anchor. An interrupted quote ("A," he said,
"B.") is one quote in several pieces that share an ``id``, a speaker and a cue: each content piece is an
anchor with its own relations to the shared speaker and cue spans, and on the way back the contents tied
to one cue are pieces of one quote again. What no tool shows (the quote ids of anchors, the records a
piece links to, a resolved speaker) travels beside the task as ``quote_ids`` and ``quote_links``.

An event becomes a choice (its PLOVER type) plus, when it has one, a trigger span labelled with the same
type. The ticked choices are the truth: a view may leave a trigger in place that it cannot remove
(Prodigy's choice view), so the trigger of a type no longer ticked is dropped and counted, never kept.
"""

from __future__ import annotations

import contextlib
from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import msgspec

from toolkit.disjoint import DisjointSets
from toolkit.labels import PLOVER_TYPES, QUOTE_KINDS
from toolkit.record import Event, Quote, ResolvedSpeaker, Role

ROLE_LABELS: dict[str, str] = {"content": "CONTENT", "speaker": "SPEAKER", "cue": "CUE"}
LABEL_ROLES: dict[str, str] = {label: role for role, label in ROLE_LABELS.items()}
RELATION_LABELS: dict[str, str] = {"speaker": "SPEAKER_OF", "cue": "CUE_OF"}
# The anchor of a quote is its highest-ranked role present; relations always point at it.
ANCHOR_RANK: dict[str, int] = {"content": 0, "cue": 1, "speaker": 2}
OPENING_QUOTE_MARKS = frozenset("\"'“‘«„‹「『")
_PLOVER_RANK = {label: i for i, label in enumerate(PLOVER_TYPES)}


@dataclass(frozen=True)
class RoleSpan:
    """A quote role shown in a tool: its offsets, its label (CONTENT, SPEAKER, CUE), and a kind on anchors."""

    start: int
    end: int
    label: str
    kind: str | None = None

    @property
    def key(self) -> str:
        return role_key(self.label, self.start, self.end)


def role_key(label: str, start: int, end: int) -> str:
    """How carried quote data names a role span: by what survives every tool, label and code points."""
    return f"{label}:{start}-{end}"


@dataclass(frozen=True)
class RoleRelation:
    head: int  # index into the role span list
    child: int
    label: str


def _roles(quote: Quote) -> list[tuple[str, Role]]:
    return [(role, r) for role in ("content", "cue", "speaker") if (r := getattr(quote, role)) is not None]


def quote_graph(quotes: Iterable[Quote]) -> tuple[list[RoleSpan], list[RoleRelation]]:
    """Role spans (one per distinct offsets and label, in text order) and relations to each quote's anchor."""
    kinds: dict[tuple[int, int, str], str] = {}
    links: list[tuple[tuple[int, int, str], tuple[int, int, str], str]] = []
    keys: set[tuple[int, int, str]] = set()
    for quote in quotes:
        roles = _roles(quote)
        if not roles:
            continue
        anchor_role, anchor = roles[0]
        anchor_key = (anchor.start, anchor.end, ROLE_LABELS[anchor_role])
        keys.add(anchor_key)
        kinds.setdefault(anchor_key, quote.kind)
        for role, r in roles[1:]:
            key = (r.start, r.end, ROLE_LABELS[role])
            keys.add(key)
            links.append((key, anchor_key, RELATION_LABELS[role]))
    ordered = sorted(keys)
    index = {key: i for i, key in enumerate(ordered)}
    spans = [RoleSpan(s, e, label, kinds.get((s, e, label))) for s, e, label in ordered]
    relations = sorted(
        {RoleRelation(index[h], index[c], label) for h, c, label in links}, key=lambda r: (r.child, r.head)
    )
    return spans, relations


def _anchor(quote: Quote) -> tuple[str, Role] | None:
    roles = _roles(quote)
    return roles[0] if roles else None


def shared_anchor_problems(quotes: Sequence[Quote]) -> list[str]:
    """Quotes that no tool could tell apart: two of them anchored on the same span (say, one content)."""
    seen: dict[str, int] = {}
    problems = []
    for q, quote in enumerate(quotes):
        anchor = _anchor(quote)
        if anchor is None:
            continue
        key = role_key(ROLE_LABELS[anchor[0]], anchor[1].start, anchor[1].end)
        if key in seen:
            problems.append(
                f"quotes {seen[key]} and {q} share the {key} span; a tool shows one span, so one quote "
                "(merge them, or validate: a word of content belongs to one quote)"
            )
        else:
            seen[key] = q
    return problems


def quote_carry(quotes: Iterable[Quote]) -> dict[str, Any]:
    """What a task carries beside its role spans: each anchor's quote id, and each id's links.

    ``quote_ids`` maps an anchor (``LABEL:start-end`` in code points) to its quote's id, ``quote_cues`` an
    anchor to the cue it was tied to (so an unchanged tie keeps a piece in its quote); ``quote_links``
    maps an id to the records its other pieces are in and to the speaker resolved for it (with the
    speaker span it was resolved for, so a changed speaker does not keep a stale resolution).
    """
    ids: dict[str, str] = {}
    cues: dict[str, str] = {}
    links: dict[str, dict[str, Any]] = {}
    for quote in quotes:
        anchor = _anchor(quote)
        if anchor is None or quote.id is None:
            continue
        key = role_key(ROLE_LABELS[anchor[0]], anchor[1].start, anchor[1].end)
        ids[key] = quote.id
        if quote.cue is not None and anchor[0] != "cue":
            cues[key] = role_key("CUE", quote.cue.start, quote.cue.end)
        if (quote.linked_records or quote.speaker_resolved is not None) and quote.id not in links:
            links[quote.id] = {
                "linked_records": list(quote.linked_records),
                "speaker": None if quote.speaker is None else [quote.speaker.start, quote.speaker.end],
                "speaker_resolved": msgspec.to_builtins(quote.speaker_resolved),
            }
    carried: dict[str, Any] = {}
    if ids:
        carried["quote_ids"] = dict(sorted(ids.items()))
    if cues:
        carried["quote_cues"] = dict(sorted(cues.items()))
    if links:
        carried["quote_links"] = dict(sorted(links.items()))
    return carried


@dataclass(frozen=True)
class RegionIn:
    """A role span read back from a tool, named by whatever id the tool gave it."""

    key: Hashable
    start: int
    end: int
    label: str
    kind: str | None = None


def infer_kind(text: str, content: Role | None) -> str:
    """The kind of a quote drawn without one: direct when the content opens with a quote mark."""
    if content is not None and text[content.start : content.start + 1] in OPENING_QUOTE_MARKS:
        return "direct"
    return "indirect"


def quotes_from_graph(
    text: str,
    regions: Sequence[RegionIn],
    relations: Iterable[tuple[Hashable, Hashable]],
    *,
    source: str | None,
    carried: Mapping[str, Any] | None = None,
    record_id: str | None = None,
) -> tuple[list[Quote], list[tuple[str, str]]]:
    """Rebuild quotes from role spans and relations; problems come back as (rule, message) pairs.

    A relation joins a role to its quote's anchor whichever way the annotator drew it. Two speakers or
    two cues on one anchor are reported, not guessed between. Ids and links come from ``carried`` (what
    ``quote_carry`` wrote into the task); contents tied to one cue become pieces of one quote.
    """
    problems: list[tuple[str, str]] = []
    by_key = {region.key: region for region in regions}
    for region in regions:
        if region.label not in LABEL_ROLES:
            problems.append(
                ("unknown-label", f"quote role label {region.label!r} is not one of CONTENT, SPEAKER, CUE")
            )
        if region.kind is not None and region.kind not in QUOTE_KINDS:
            problems.append(
                ("unknown-label", f"quote kind {region.kind!r} is not one of {', '.join(QUOTE_KINDS)}")
            )
    if problems:
        return [], problems
    heads: dict[Hashable, list[Hashable]] = defaultdict(list)
    children: set[Hashable] = set()
    linked: set[Hashable] = set()
    for a, b in relations:
        if a not in by_key or b not in by_key:
            problems.append(
                ("relation-target", f"relation {a!r} -> {b!r} names a span that is not in the answer")
            )
            continue
        head, child = sorted((a, b), key=lambda k: ANCHOR_RANK[LABEL_ROLES[by_key[k].label]], reverse=True)
        if by_key[head].label == by_key[child].label:
            problems.append(("relation-roles", f"relation joins two {by_key[head].label} spans"))
            continue
        heads[child].append(head)
        children.add(child)
        linked.update((head, child))
    anchors = [r for r in regions if r.label == "CONTENT" or r.key in children or r.key not in linked]
    quotes: list[Quote] = []
    pieces: list[Piece] = []
    carried_ids = _carried(carried, "quote_ids")
    carried_cues = _carried(carried, "quote_cues")
    for anchor in sorted(anchors, key=lambda r: (r.start, r.end, r.label)):
        roles: dict[str, Role] = {LABEL_ROLES[anchor.label]: Role(anchor.start, anchor.end)}
        cue_key: Hashable = anchor.key if anchor.label == "CUE" else None
        for head_key in sorted(
            set(heads.get(anchor.key, [])), key=lambda k: (by_key[k].start, by_key[k].end)
        ):
            head = by_key[head_key]
            role = LABEL_ROLES[head.label]
            if role in roles:
                problems.append(
                    (
                        "quote-ambiguous",
                        f"quote at {anchor.start}-{anchor.end} has more than one {head.label} span; keep one",
                    )
                )
                continue
            roles[role] = Role(head.start, head.end)
            if role == "cue":
                cue_key = head_key
        kind = anchor.kind or infer_kind(text, roles.get("content"))
        quotes.append(
            Quote(
                content=roles.get("content"),
                speaker=roles.get("speaker"),
                cue=roles.get("cue"),
                kind=kind,
                source=source,
            )
        )
        anchor_key = role_key(anchor.label, anchor.start, anchor.end)
        cue = roles.get("cue")
        tie = None if cue is None or anchor.label == "CUE" else role_key("CUE", cue.start, cue.end)
        kept_tie = anchor_key in carried_ids and tie == carried_cues.get(anchor_key)
        pieces.append(Piece(cue_key, carried_ids.get(anchor_key), kept_tie))
    ids = piece_ids(pieces, record_id, reserved=set(carried_ids.values()))
    links = _carried(carried, "quote_links")
    return [_with_id(quote, quote_id, links) for quote, quote_id in zip(quotes, ids, strict=True)], problems


@dataclass(frozen=True)
class Piece:
    """What decides a rebuilt quote's id: the cue region it is tied to, the id its anchor carried, and
    whether it is still tied to the cue it had when exported (``kept_tie``)."""

    cue: Hashable | None
    carried_id: str | None
    kept_tie: bool = False


def _carried(carried: Mapping[str, Any] | None, key: str) -> dict[str, Any]:
    value = carried.get(key) if isinstance(carried, Mapping) else None
    return value if isinstance(value, dict) else {}


def piece_ids(
    pieces: Sequence[Piece], record_id: str | None, *, reserved: Iterable[str] = ()
) -> list[str | None]:
    """One id per rebuilt quote: pieces tied to one cue share one; a kept id is never given out twice.

    Pieces join one quote when they are tied to the same cue, or when they carried the same id and still
    have the tie they were exported with (a quote of several cues, "said …, adding …") or have no cue at
    all (a second speaker). A group takes the id its pieces carried; pieces that carried different ids keep
    their own. A group of several pieces that carried none gets a new ``<record id>:q<n>``; a single new
    quote gets none. When an edit splits a quote (a content tied to another cue), the first group in the
    text keeps the id and the others are new quotes. New ids avoid ``reserved`` (every id the task carried,
    deleted quotes' included, so a new quote never inherits a deleted one's links).
    """
    sets = DisjointSets(len(pieces))
    first_of: dict[Hashable, int] = {}
    for i, piece in enumerate(pieces):
        keys: list[Hashable] = []
        if piece.cue is not None:
            keys.append(("cue", piece.cue))
        if piece.carried_id is not None and (piece.kept_tie or piece.cue is None):
            keys.append(("id", piece.carried_id))
        for key in keys:
            sets.join(first_of.setdefault(key, i), i)
    groups = sets.groups()
    taken = {p.carried_id for p in pieces if p.carried_id is not None} | set(reserved)
    owner: dict[str, int] = {}
    ids: list[str | None] = [None] * len(pieces)
    for key, members in groups.items():
        kept = list(dict.fromkeys(pieces[i].carried_id for i in members if pieces[i].carried_id))
        for i in members:
            own = pieces[i].carried_id if len(kept) > 1 else None
            ids[i] = own or (kept[0] if kept else None)
        for quote_id in dict.fromkeys(q for q in (ids[i] for i in members) if q is not None):
            if owner.setdefault(quote_id, key) != key:  # split off an earlier group: a new quote
                fresh = _fresh_id(record_id, taken) if len(members) > 1 else None
                for i in members:
                    if ids[i] == quote_id:
                        ids[i] = fresh
        if all(ids[i] is None for i in members) and len(members) > 1:
            fresh = _fresh_id(record_id, taken)
            for i in members:
                ids[i] = fresh
    return ids


def _fresh_id(record_id: str | None, taken: set[str]) -> str:
    n = 0
    while (candidate := f"{record_id}:q{n}" if record_id else f"q{n}") in taken:
        n += 1
    taken.add(candidate)
    return candidate


def _with_id(quote: Quote, quote_id: str | None, links: Mapping[str, Any]) -> Quote:
    if quote_id is None:
        return quote
    quote.id = quote_id
    link = links.get(quote_id)
    if not isinstance(link, dict):
        return quote
    linked = link.get("linked_records")
    if isinstance(linked, list) and all(isinstance(r, str) for r in linked):
        quote.linked_records = list(linked)
    speaker = None if quote.speaker is None else [quote.speaker.start, quote.speaker.end]
    resolved = link.get("speaker_resolved")
    if isinstance(resolved, dict) and link.get("speaker") == speaker:
        # A hand-edited link that no longer reads as a resolution is dropped, not guessed at.
        with contextlib.suppress(msgspec.ValidationError):
            quote.speaker_resolved = msgspec.convert(resolved, ResolvedSpeaker)
    return quote


def event_parts(events: Iterable[Event]) -> tuple[list[str], list[tuple[int, int, str]]]:
    """The chosen event types (PLOVER order, unknown ones last) and the trigger spans labelled by type."""
    labels: set[str] = set()
    triggers: set[tuple[int, int, str]] = set()
    for event in events:
        labels.add(event.label)
        if event.trigger is not None:
            triggers.add((event.trigger.start, event.trigger.end, event.label))
    return sorted(labels, key=_event_order), sorted(triggers)


def _event_order(label: str) -> tuple[int, str]:
    return _PLOVER_RANK.get(label, len(_PLOVER_RANK)), label


def events_from(
    labels: Iterable[str], triggers: Iterable[tuple[int, int, str]], *, source: str | None
) -> tuple[list[Event], list[tuple[str, str]], int]:
    """Events from the ticked types and the trigger spans of those types, and how many triggers were dropped.

    The ticked types are the annotator's answer; a trigger of a type that is not ticked was left in place
    by a view that cannot remove it (or drawn and then unticked), so it is dropped and counted.
    """
    chosen = set(labels)
    by_label: dict[str, list[tuple[int, int]]] = defaultdict(list)
    dropped = 0
    for start, end, label in sorted(set(triggers)):
        if label in chosen:
            by_label[label].append((start, end))
        else:
            dropped += 1
    problems = [
        ("unknown-label", f"event type {label!r} is not a PLOVER type")
        for label in sorted(chosen)
        if label not in _PLOVER_RANK
    ]
    events: list[Event] = []
    for label in sorted(chosen, key=_event_order):
        triggers_of = by_label.get(label)
        if not triggers_of:  # ticked without a trigger
            events.append(Event(label=label, trigger=None, source=source))
        for start, end in triggers_of or ():
            events.append(Event(label=label, trigger=Role(start, end), source=source))
    return events, problems, dropped
