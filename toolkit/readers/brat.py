"""brat standoff (.txt + sibling .ann): T lines become spans; linked Source, Cue and Content become quotes.

Attribution corpora link the three roles with E lines (``E1<TAB>Cue:T2 Source:T1 Content:T3``) or R lines
(``R1<TAB>Source Arg1:T1 Arg2:T3``); lines that share a Content T build one quote. An E line whose type is a
PLOVER event type becomes an event. Discontinuous T spans (``0 5;9 14``) keep each fragment, with a shared id.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from toolkit.errors import InputError
from toolkit.labels import PLOVER_TYPES, QUOTE_KINDS
from toolkit.readers.base import Document, QuoteLink, Reader, read_lines, read_text, source_name
from toolkit.record import Event, Role, Span

SOURCE = "human:brat"
# Role names seen in attribution corpora (PARC, PolNeAR style exports), compared case-insensitively.
ROLE_NAMES: dict[str, str] = {
    "source": "speaker",
    "speaker": "speaker",
    "sayer": "speaker",
    "attributionsource": "speaker",
    "cue": "cue",
    "attributioncue": "cue",
    "content": "content",
    "quote": "content",
    "quotation": "content",
    "attributioncontent": "content",
}
OPENING_QUOTES = "\"'\u201c\u201d\u2018\u2019\u00ab\u00bb\u201e"
_FRAGMENT = re.compile(r"(\d+) (\d+)")


def role_of(name: str) -> str | None:
    """The quote role a label or argument name stands for: "Source", "speaker2", "Attribution-Cue"..."""
    key = re.sub(r"\d+$", "", name.lower())
    if key in ROLE_NAMES:
        return ROLE_NAMES[key]
    if re.sub(r"[^a-z]", "", key) in ROLE_NAMES:
        return ROLE_NAMES[re.sub(r"[^a-z]", "", key)]
    for part in reversed(re.split(r"[^a-z]+", key)):
        if part in ROLE_NAMES:
            return ROLE_NAMES[part]
    return None


@dataclass
class _TextBound:
    id: str
    label: str
    fragments: list[tuple[int, int]]


@dataclass
class _Link:
    """One E or R line: its id, type, and (argument name, T id) pairs; an E line's trigger comes first."""

    id: str
    type: str
    args: list[tuple[str, str]]
    is_event: bool


@dataclass
class _Annotations:
    bounds: dict[str, _TextBound] = field(default_factory=dict)
    links: list[_Link] = field(default_factory=list)
    attributes: dict[str, list[str]] = field(default_factory=dict)
    mismatches: list[str] = field(default_factory=list)


def annotation_path(text_path: Path) -> Path:
    return text_path.with_suffix(".ann")


class BratReader(Reader):
    name = "brat"
    extensions = (".ann",)
    reads_stdin = False

    def documents(self, source: str | Path) -> Iterator[Document]:
        path = Path(source)
        text_path = path.with_suffix(".txt") if path.suffix == ".ann" else path
        ann_path = annotation_path(text_path)
        text, had_bom = read_text(text_path)
        if not ann_path.exists():
            raise InputError(
                "brat text has no sibling .ann file", path=source_name(text_path), rule="missing-ann"
            )
        # brat counts a BOM as a character; our offsets index the text without it.
        shift = 1 if had_bom else 0
        annotations = self._parse(ann_path, text, shift)
        document = Document(
            doc_id=text_path.stem,
            text=text,
            source=source_name(text_path),
            line=1,
            extra={"ann": source_name(ann_path), **({"bom": True} if had_bom else {})},
        )
        document.warnings.extend(f"{source_name(ann_path)}: {m}" for m in annotations.mismatches)
        self._fill(document, annotations)
        yield document

    def _parse(self, ann_path: Path, text: str, shift: int) -> _Annotations:
        name = source_name(ann_path)
        found = _Annotations()
        for number, raw in read_lines(ann_path):
            line = raw.rstrip("\r\n")
            if not line.strip() or line[0] in "#*N":
                continue  # notes, equivalences and normalisations carry nothing a record holds
            try:
                self._parse_line(line, found, text, shift)
            except ValueError as exc:
                self.reject(InputError(str(exc), path=name, line=number, rule="bad-brat-line"))
        return found

    @staticmethod
    def _parse_line(line: str, found: _Annotations, text: str, shift: int) -> None:
        parts = line.split("\t")
        ann_id, body = parts[0], parts[1] if len(parts) > 1 else ""
        kind = ann_id[:1]
        if kind == "T":
            label, _, where = body.partition(" ")
            fragments = []
            for piece in where.split(";"):
                match = _FRAGMENT.fullmatch(piece.strip())
                if not match:
                    raise ValueError(f"{ann_id}: offsets {where!r} are not 'start end' pairs")
                start, end = int(match.group(1)) - shift, int(match.group(2)) - shift
                if not 0 <= start <= end <= len(text):
                    raise ValueError(
                        f"{ann_id}: offsets {start}-{end} fall outside the text ({len(text)} chars)"
                    )
                fragments.append((start, end))
            if not label:
                raise ValueError(f"{ann_id}: no label")
            found.bounds[ann_id] = _TextBound(ann_id, label, fragments)
            # brat repeats the covered text (fragments joined by a space): a difference means the offsets
            # were counted on another version of the text. Reported, since the offsets are what we keep.
            covered = " ".join(text[s:e] for s, e in fragments)
            if len(parts) > 2 and parts[2] != covered:
                found.mismatches.append(f"{ann_id} says {parts[2]!r} but its offsets cover {covered!r}")
        elif kind in "ER":
            items = body.split()
            if not items:
                raise ValueError(f"{ann_id}: no type")
            if kind == "E":
                args = [tuple(item.split(":", 1)) for item in items]
                link_type = args[0][0]
            else:
                link_type, args = items[0], [tuple(item.split(":", 1)) for item in items[1:]]
            if any(len(arg) != 2 or not arg[1] for arg in args):
                raise ValueError(f"{ann_id}: arguments must be Role:ID")
            found.links.append(_Link(ann_id, link_type, [(a[0], a[1]) for a in args], is_event=kind == "E"))
        elif kind in "AM":
            items = body.split()
            if len(items) < 2:
                raise ValueError(f"{ann_id}: an attribute needs a name and a target")
            found.attributes.setdefault(items[1], []).extend(
                [items[0].lower(), *(i.lower() for i in items[2:])]
            )
        else:
            raise ValueError(f"unknown annotation kind {ann_id!r}")

    def _fill(self, document: Document, found: _Annotations) -> None:
        """Turn linked T spans into quotes and events; every other T becomes an entity span."""
        used: set[str] = set()
        quotes: dict[str, QuoteLink] = {}
        unlinked: list[str] = []
        for link in found.links:
            dangling = [tid for _, tid in link.args if tid not in found.bounds]
            if dangling:
                document.warnings.append(
                    f"{document.extra['ann']}: {link.id} names {', '.join(dangling)}, not T lines here"
                )
            roles = self._link_roles(link, found)
            if link.is_event and link.type.upper() in PLOVER_TYPES and link.args[0][1] in found.bounds:
                trigger = found.bounds[link.args[0][1]]
                start, end = trigger.fragments[0][0], trigger.fragments[-1][1]
                document.events.append(
                    Event(label=link.type.upper(), trigger=Role(start, end), source=SOURCE)
                )
                used.add(trigger.id)
            elif roles and (any(r == "content" for r, _ in roles) or len({r for r, _ in roles}) > 1):
                self._add_quote(document, quotes, link, roles, found)
                used.update(tid for _, tid in roles)
            else:
                unlinked.append(link.id)
        for quote in quotes.values():
            quote.kind = self._kind(quote, found, document.text)
        document.quotes = list(quotes.values())
        for bound in found.bounds.values():
            if bound.id in used:
                continue
            for start, end in bound.fragments:
                # Fragments of one discontinuous span share its T id.
                document.spans.append(
                    Span(start=start, end=end, label=bound.label, source=SOURCE, id=bound.id)
                )
        if unlinked:
            document.warnings.append(
                f"{document.extra['ann']}: {len(unlinked)} E/R lines are neither quotes nor PLOVER events, "
                f"not converted ({', '.join(unlinked[:5])}{', ...' if len(unlinked) > 5 else ''})"
            )

    @staticmethod
    def _link_roles(link: _Link, found: _Annotations) -> list[tuple[str, str]]:
        """(role, T id) for each argument that plays a quote role, by argument name first, then by T label."""
        roles = []
        for position, (arg_name, tid) in enumerate(link.args):
            bound = found.bounds.get(tid)
            if bound is None:
                continue
            role = role_of(arg_name) or role_of(bound.label)
            if role is None and link.is_event and position == 0:
                role = "cue"  # an attribution event's trigger is its cue
            if role is not None:
                roles.append((role, tid))
        return roles

    @staticmethod
    def _add_quote(
        document: Document,
        quotes: dict[str, QuoteLink],
        link: _Link,
        roles: list[tuple[str, str]],
        found: _Annotations,
    ) -> None:
        # Lines that share a content span describe one quote; a line without content joins the quote
        # that already holds one of its spans.
        contents = [tid for role, tid in roles if role == "content"]
        key = (
            contents[0]
            if contents
            else next((k for k, q in quotes.items() if any(tid in q.source_ids for _, tid in roles)), link.id)
        )
        quote = quotes.get(key)
        if quote is None:
            quote = quotes[key] = _QuoteLink(id=f"{document.doc_id}:{link.id}", source=SOURCE)
        for role, tid in roles:
            if tid in quote.source_ids:
                continue
            held = getattr(quote, role)
            if held and role != "content":
                document.warnings.append(
                    f"{document.extra['ann']}: {link.id} gives {tid} as another {role} of quote {quote.id}"
                )
            held.extend(found.bounds[tid].fragments)
            quote.source_ids.add(tid)
            quote.link_ids.add(link.id)

    @staticmethod
    def _kind(quote: _QuoteLink, found: _Annotations, text: str) -> str:
        for key in sorted(quote.link_ids | quote.source_ids):
            for value in found.attributes.get(key, []):
                if value in QUOTE_KINDS:
                    return value
        if not quote.content:
            return "direct"
        start, end = min(s for s, _ in quote.content), max(e for _, e in quote.content)
        piece = text[start:end].strip()
        return "direct" if piece[:1] in OPENING_QUOTES or piece[-1:] in OPENING_QUOTES else "indirect"


@dataclass
class _QuoteLink(QuoteLink):
    """A QuoteLink that remembers which T spans and E/R lines built it."""

    source_ids: set[str] = field(default_factory=set)
    link_ids: set[str] = field(default_factory=set)
