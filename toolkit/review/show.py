"""Records for people: a rich terminal view and a self-contained HTML page of entities, quotes and events."""

from __future__ import annotations

import html
import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from toolkit.errors import InputError
from toolkit.jsonl import read_records
from toolkit.record import Record, Role, Span

if TYPE_CHECKING:
    from rich.console import RenderableType

# Background colours for entity labels (ours, picked to stay readable behind black text).
LABEL_COLOURS: dict[str, str] = {
    "PERSON": "#f6c9a8",
    "PER": "#f6c9a8",
    "NORP": "#d9c2f0",
    "FAC": "#c8d8a0",
    "ORG": "#a9d3f5",
    "GPE": "#f5e17a",
    "LOC": "#f2ba6f",
    "PRODUCT": "#b9e3d8",
    "EVENT": "#f4a9c0",
    "WORK_OF_ART": "#f0d7a7",
    "LAW": "#e4c8b0",
    "LANGUAGE": "#c7e7a4",
    "DATE": "#b7d9c9",
    "TIME": "#c9e0ee",
    "PERCENT": "#e3d2f5",
    "MONEY": "#d4efb5",
    "QUANTITY": "#f0e0c0",
    "ORDINAL": "#dcdcf0",
    "CARDINAL": "#e6e6d0",
    "MISC": "#e0d0f0",
}
DEFAULT_COLOUR = "#dddddd"
ROLE_NAMES: tuple[str, ...] = ("content", "speaker", "cue")
TERMINAL_ROLE_STYLES: dict[str, str] = {
    "content": "italic green",
    "speaker": "bold underline blue",
    "cue": "underline magenta",
    "trigger": "bold red",
}


@dataclass(frozen=True)
class Mark:
    """A quote role or an event trigger laid over the text."""

    kind: str  # content | speaker | cue | trigger
    index: int  # which quote or event
    start: int
    end: int
    label: str  # what the tag after it says: "speaker 0", "ASSAULT"


@dataclass
class Piece:
    """A stretch of text under one set of marks."""

    start: int
    end: int
    marks: list[Mark] = field(default_factory=list)
    closing: list[Mark] = field(default_factory=list)  # marks that end with this piece


@dataclass
class Group:
    """Pieces drawn together: the pieces of one entity (drawn as one labelled box), or one plain piece."""

    entity: int | None
    pieces: list[Piece]

    @property
    def closing(self) -> list[Mark]:
        return [mark for piece in self.pieces for mark in piece.closing]


@dataclass
class Layout:
    record: Record
    groups: list[Group]
    inline: list[int]  # entity indices drawn in the text
    aside: list[int]  # entities that overlap another or leave the text, listed below it


def _inside(start: int, end: int, length: int) -> bool:
    return 0 <= start < end <= length


def record_marks(record: Record) -> list[Mark]:
    """Quote roles and event triggers that lie inside the text."""
    n = len(record.text)
    marks = [
        Mark(name, q, role.start, role.end, f"{name} {q}")
        for q, quote in enumerate(record.quotes)
        for name in ROLE_NAMES
        if (role := getattr(quote, name)) is not None and _inside(role.start, role.end, n)
    ]
    marks += [
        Mark("trigger", e, ev.trigger.start, ev.trigger.end, ev.label)
        for e, ev in enumerate(record.events)
        if ev.trigger is not None and _inside(ev.trigger.start, ev.trigger.end, n)
    ]
    return marks


def choose_inline(spans: list[Span], length: int) -> tuple[list[int], list[int]]:
    """Entities drawn inline (left to right, longest first at a tie, never overlapping) and the rest."""
    inline: list[int] = []
    reach = 0
    for i in sorted(range(len(spans)), key=lambda i: (spans[i].start, -spans[i].end)):
        span = spans[i]
        if _inside(span.start, span.end, length) and span.start >= reach:
            inline.append(i)
            reach = span.end
    aside = [i for i in range(len(spans)) if i not in set(inline)]
    return sorted(inline, key=lambda i: spans[i].start), aside


def layout(record: Record) -> Layout:
    """Cut the text wherever an entity or a mark starts or ends, then gather each entity's pieces."""
    text, spans = record.text, record.spans
    inline, aside = choose_inline(spans, len(text))
    marks = record_marks(record)
    cuts = {0, len(text)} | {p for m in marks for p in (m.start, m.end)}
    cuts |= {p for i in inline for p in (spans[i].start, spans[i].end)}
    pieces = [
        Piece(start, end, [m for m in marks if m.start < end and start < m.end])
        for start, end in itertools.pairwise(sorted(cuts))
    ]
    for mark in marks:
        last = max(i for i, p in enumerate(pieces) if mark in p.marks)
        pieces[last].closing.append(mark)
    groups: list[Group] = []
    for piece in pieces:
        entity = next((i for i in inline if spans[i].start <= piece.start < spans[i].end), None)
        if entity is not None and groups and groups[-1].entity == entity:
            groups[-1].pieces.append(piece)
        else:
            groups.append(Group(entity, [piece]))
    return Layout(record, groups, inline, aside)


def select_records(
    *, path: str | Path, record_id: str | None = None, limit: int | None = None
) -> list[Record]:
    """Records of a file (only those whose meta.id or meta.doc_id is ``record_id``), at most ``limit``."""
    chosen: Iterator[Record] = read_records(path)
    if record_id is not None:
        chosen = (r for r in chosen if record_id in (r.meta.id, r.meta.doc_id))
    records = list(itertools.islice(chosen, limit))
    if record_id is not None and not records:
        raise InputError(f"no record with id {record_id!r}", path=str(path), rule="unknown-id")
    return records


def _role_text(record: Record, role: Role | Span | None) -> str:
    return "—" if role is None else repr(record.text[role.start : role.end])


def _heading(record: Record, number: int) -> str:
    parts = [record.meta.id or f"record {number}"]
    parts += [p for p in (record.answer, record.annotator_id) if p]
    return " · ".join(parts)


# Terminal ----------------------------------------------------------------------------------------------


def terminal_record(record: Record, number: int = 0) -> RenderableType:
    """One record as a rich panel: the text with labelled entities and styled quote roles, then lists."""
    from rich.console import Group
    from rich.panel import Panel
    from rich.text import Text

    plan = layout(record)
    body = Text()
    for group in plan.groups:
        label = record.spans[group.entity].label if group.entity is not None else None
        box = f" black on {LABEL_COLOURS.get(label, DEFAULT_COLOUR)}" if label else ""
        for piece in group.pieces:
            style = " ".join(TERMINAL_ROLE_STYLES[m.kind] for m in piece.marks) + box
            body.append(record.text[piece.start : piece.end], style=style.strip() or None)
        if label:
            body.append(f" {label}", style=f"bold{box}")
        for mark in group.closing:
            body.append(f"⟨{mark.label}⟩", style=f"dim {TERMINAL_ROLE_STYLES[mark.kind]}")
    lines: list[RenderableType] = [body]
    lines += [
        Text(
            f"quote {q} ({quote.kind}): speaker {_role_text(record, quote.speaker)}, cue "
            f"{_role_text(record, quote.cue)}, content {_role_text(record, quote.content)}"
        )
        for q, quote in enumerate(record.quotes)
    ]
    lines += [
        Text(f"event {e}: {ev.label}" + (f" trigger {_role_text(record, ev.trigger)}" if ev.trigger else ""))
        for e, ev in enumerate(record.events)
    ]
    lines += [
        Text(
            f"also: {record.spans[i].label} {record.spans[i].start}-{record.spans[i].end} "
            f"{_role_text(record, record.spans[i])} (overlaps or leaves the text)"
        )
        for i in plan.aside
    ]
    return Panel(Group(*lines), title=_heading(record, number), title_align="left")


def terminal_view(records: Iterable[Record]) -> list[RenderableType]:
    return [terminal_record(record, number) for number, record in enumerate(records)]


# HTML --------------------------------------------------------------------------------------------------

PAGE_CSS = """
body { font-family: system-ui, -apple-system, 'Segoe UI', sans-serif; margin: 2rem auto; max-width: 60rem;
       color: #222; background: #fff; }
h1 { font-size: 1.2rem; }
.record { border-top: 1px solid #ccc; padding: 1rem 0; }
.record h2 { font-size: 0.85rem; font-weight: 600; color: #666; margin: 0 0 0.5rem; }
.text { line-height: 2.6; font-size: 1.05rem; white-space: pre-wrap; }
.ent { padding: 0.3em 0.45em; margin: 0 0.15em; border-radius: 0.4em; line-height: 1; }
.ent-label { font-size: 0.65em; font-weight: 700; letter-spacing: 0.04em; margin-left: 0.45em;
             vertical-align: middle; text-transform: uppercase; }
.role-content { background: #eef7e8; }
.role-speaker { border-bottom: 3px solid #2a6fdb; }
.role-cue { border-bottom: 3px double #b0309c; }
.role-trigger { border-bottom: 2px dotted #c62828; font-weight: 600; }
.tag { font-size: 0.6em; font-weight: 700; vertical-align: super; margin: 0 0.2em; color: #555; }
.tag-speaker { color: #2a6fdb; } .tag-cue { color: #b0309c; } .tag-content { color: #3b7d23; }
.tag-trigger { color: #c62828; }
ul { margin: 0.3rem 0 0; padding-left: 1.2rem; font-size: 0.9rem; }
.legend .ent { font-size: 0.85rem; }
"""


def _html_piece(record: Record, piece: Piece) -> str:
    chunk = html.escape(record.text[piece.start : piece.end])
    for mark in reversed(piece.marks):
        chunk = f'<span class="role role-{mark.kind}" data-{mark.kind}="{mark.index}">{chunk}</span>'
    return chunk


def _html_group(record: Record, group: Group) -> str:
    """A plain piece, or an entity box holding its pieces and its label; then the tags of marks that end."""
    inner = "".join(_html_piece(record, piece) for piece in group.pieces)
    if group.entity is not None:
        span = record.spans[group.entity]
        colour = LABEL_COLOURS.get(span.label, DEFAULT_COLOUR)
        label = html.escape(span.label)
        inner = (
            f'<mark class="ent" data-span="{group.entity}" data-label="{label}" style="background: {colour}">'
            f'{inner}<span class="ent-label">{label}</span></mark>'
        )
    tags = "".join(
        f'<sup class="tag tag-{m.kind}" data-tag="{m.kind}" data-index="{m.index}">{html.escape(m.label)}'
        "</sup>"
        for m in group.closing
    )
    return inner + tags


def _html_items(record: Record, aside: list[int]) -> list[str]:
    """List items under the text: each quote, each event, and entities not drawn inline."""

    def said(role: Role | Span | None) -> str:
        return html.escape(_role_text(record, role))

    items = [
        f'<li class="quote" data-quote="{q}">quote {q} ({html.escape(quote.kind)}): '
        f"speaker {said(quote.speaker)}, cue {said(quote.cue)}, content {said(quote.content)}</li>"
        for q, quote in enumerate(record.quotes)
    ]
    for e, event in enumerate(record.events):
        label = html.escape(event.label)
        trigger = f" trigger {said(event.trigger)}" if event.trigger else ""
        items.append(f'<li class="event" data-event="{e}" data-label="{label}"><b>{label}</b>{trigger}</li>')
    for i in aside:
        span = record.spans[i]
        label = html.escape(span.label)
        items.append(
            f'<li class="aside" data-span="{i}" data-label="{label}">{label} {span.start}-{span.end} '
            f"{said(span)} (overlaps another entity or leaves the text)</li>"
        )
    return items


def html_record(record: Record, number: int = 0) -> str:
    """One record as an HTML article: marked-up text, then quotes, events and entities not drawn inline."""
    plan = layout(record)
    text = "".join(_html_group(record, group) for group in plan.groups)
    items = _html_items(record, plan.aside)
    listing = f"<ul>{''.join(items)}</ul>" if items else ""
    record_id = html.escape(record.meta.id or "", quote=True)
    return (
        f'<article class="record" data-record="{number}" data-record-id="{record_id}">'
        f"<h2>{html.escape(_heading(record, number))}</h2>"
        f'<p class="text">{text}</p>{listing}</article>'
    )


def html_page(records: Iterable[Record], *, title: str = "toolkit show") -> str:
    """A self-contained page (inline CSS, no script, no external assets) showing every record."""
    articles = "\n".join(html_record(record, number) for number, record in enumerate(records))
    legend = " ".join(f'<span class="role role-{kind}">{kind}</span>' for kind in (*ROLE_NAMES, "trigger"))
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(title)}</title>\n<style>{PAGE_CSS}</style>\n</head>\n<body>\n"
        f'<h1>{html.escape(title)}</h1>\n<p class="legend">Quote roles and triggers: {legend}</p>\n'
        f"{articles}\n</body>\n</html>\n"
    )
