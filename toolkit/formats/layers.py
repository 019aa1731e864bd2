"""Quotes and events as the flat spans, relations and choices that labeling tools show, and back again.

A tool knows labelled spans, relations between them and document-level choices. A quote becomes one
span per role (CONTENT, SPEAKER, CUE) with relations from the other roles to its anchor (the content,
else the cue, else the speaker) and its kind attached to the anchor. An event becomes a choice (its
PLOVER type) plus, when it has one, a trigger span labelled with the same type.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass

from toolkit.labels import PLOVER_TYPES, QUOTE_KINDS
from toolkit.record import Event, Quote, Role

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
) -> tuple[list[Quote], list[tuple[str, str]]]:
    """Rebuild quotes from role spans and relations; problems come back as (rule, message) pairs.

    A relation joins a role to its quote's anchor whichever way the annotator drew it. Two speakers or
    two cues on one anchor are reported, not guessed between.
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
    for anchor in sorted(anchors, key=lambda r: (r.start, r.end, r.label)):
        roles: dict[str, Role] = {LABEL_ROLES[anchor.label]: Role(anchor.start, anchor.end)}
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
    return quotes, problems


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
) -> tuple[list[Event], list[tuple[str, str]]]:
    """Events from chosen types and trigger spans; a trigger implies its type even if it was not ticked."""
    by_label: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for start, end, label in sorted(set(triggers)):
        by_label[label].append((start, end))
    chosen = set(labels) | set(by_label)
    problems = [
        ("unknown-label", f"event type {label!r} is not a PLOVER type")
        for label in sorted(chosen)
        if label not in _PLOVER_RANK
    ]
    events: list[Event] = []
    for label in sorted(chosen, key=_event_order):
        spans = by_label.get(label) or [None]
        for span in spans:
            trigger = Role(*span) if span is not None else None
            events.append(Event(label=label, trigger=trigger, source=source))
    return events, problems
