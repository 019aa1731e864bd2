"""brat standoff (.txt + sibling .ann): entity T lines become spans; linked Source, Cue and Content, quotes.

Attribution corpora link the three roles with E lines (``E1<TAB>Attribution:T4 Cue:T2 Source:T1 Content:T3``)
or R lines (``R1<TAB>Source Arg1:T1 Arg2:T3``). Each link is one attribution; attributions that share a
content span are one quote with several cues or speakers (PolNeAR's "said ... , adding"). An E line's trigger
is the attribution's anchor: it is the cue only when the line names no cue of its own. An E line whose type is
a PLOVER event type becomes an event. Discontinuous T spans (``0 5;9 14``) keep each fragment.

T lines that only serve the attribution layer never become entity spans: role labels, link types such as
``Attribution``, and PolNeAR's flags ``Discuss`` and ``Discard``. The document's warnings count what was left
out. Any other T line is an entity span with its own label (validate a custom label set with ``--labels``).
"""

from __future__ import annotations

import re
from collections import Counter
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
# Labels of the attribution layer that are no role: PolNeAR's link type (with and without a source) and its
# annotators' flags for spans to discuss or discard. Compared by their letters, lower-cased.
ATTRIBUTION_LABELS = frozenset({"attribution", "attributionnosource", "discuss", "discard"})
OPENING_QUOTES = "\"'\u201c\u201d\u2018\u2019\u00ab\u00bb\u201e"
_FRAGMENT = re.compile(r"(\d+) (\d+)")
# An annotation line starts with its id and a tab: T1, E1, R1, A1, M1, N1, #1 (notes) or * (equivalences).
_ANNOTATION_LINE = re.compile(r"(?:[TERAMN]\d+|#\d*|\*)\t")


def role_of(name: str) -> str | None:
    """The quote role a label or argument name stands for: "Source", "speaker2", "Attribution-Cue"..."""
    key = re.sub(r"\d+$", "", name.lower())
    if key in ROLE_NAMES:
        return ROLE_NAMES[key]
    if re.sub(r"[^a-z]", "", key) in ROLE_NAMES:
        return ROLE_NAMES[re.sub(r"[^a-z]", "", key)]
    parts = re.split(r"[^a-z]+", key)
    if "no" in parts:
        return None  # "Attribution-no-source" names an attribution without a source, not a source
    for part in reversed(parts):
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


@dataclass
class _Continued:
    """A T line whose covered text runs over line breaks: brat writes the rest on the following lines."""

    covered: str
    seen: str


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
        continued: _Continued | None = None
        for number, raw in read_lines(ann_path):
            line = raw.rstrip("\r\n")
            if continued is not None and not _ANNOTATION_LINE.match(line):
                # The covered text of the T line above goes on over a line break in the source text.
                seen = f"{continued.seen}\n{line}"
                if continued.covered.startswith(seen):
                    continued.seen = seen
                    continue
            continued = None
            if not line.strip() or line[0] in "#*N":
                continue  # notes, equivalences and normalisations carry nothing a record holds
            try:
                continued = self._parse_line(line, found, text, shift)
            except ValueError as exc:
                self.reject(InputError(str(exc), path=name, line=number, rule="bad-brat-line"))
        return found

    @staticmethod
    def _parse_line(line: str, found: _Annotations, text: str, shift: int) -> _Continued | None:
        """Parse one annotation line; a T line whose covered text has a line break may go on below."""
        parts = line.split("\t")
        ann_id, body = parts[0], parts[1] if len(parts) > 1 else ""
        kind = ann_id[:1]
        if kind == "T":
            return _parse_text_bound(ann_id, body, parts[2:], found, text, shift)
        if kind in "ER":
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
        return None

    def _fill(self, document: Document, found: _Annotations) -> None:
        """Turn linked T spans into quotes and events; T spans with an entity label become spans."""
        used: set[str] = set()
        attribution_links: list[tuple[_Link, list[tuple[str, str]]]] = []
        unlinked: list[str] = []
        for link in found.links:
            dangling = [tid for _, tid in link.args if tid not in found.bounds]
            if dangling:
                document.warnings.append(
                    f"{document.extra['ann']}: {link.id} names {', '.join(dangling)}, not T lines here"
                )
            if link.is_event and link.type.upper() in PLOVER_TYPES and link.args[0][1] in found.bounds:
                trigger = found.bounds[link.args[0][1]]
                start, end = trigger.fragments[0][0], trigger.fragments[-1][1]
                document.events.append(
                    Event(label=link.type.upper(), trigger=Role(start, end), source=SOURCE)
                )
                used.add(trigger.id)
                continue
            roles = self._link_roles(link, found)
            if roles:
                attribution_links.append((link, roles))
                # The trigger of an attribution E line is part of the attribution layer, cue or not.
                used.update(tid for _, tid in link.args if tid in found.bounds)
            else:
                unlinked.append(link.id)
        document.quotes, left_out = _attribution_quotes(document, attribution_links, found)
        unlinked += left_out
        self._add_entity_spans(document, found, used)
        if unlinked:
            named = ", ".join(unlinked[:5]) + (", ..." if len(unlinked) > 5 else "")
            document.warnings.append(
                f"{document.extra['ann']}: {len(unlinked)} E/R lines are neither quotes (no content) nor "
                f"PLOVER events, not converted ({named})"
            )

    @staticmethod
    def _add_entity_spans(document: Document, found: _Annotations, used: set[str]) -> None:
        """T lines no link uses become entity spans, except those of the attribution layer: quote role labels,
        link types, and the attribution labels PolNeAR uses (``ATTRIBUTION_LABELS``)."""
        link_types = {link.type for link in found.links}
        left_out: Counter[str] = Counter()
        for bound in found.bounds.values():
            if bound.id in used:
                continue
            if (
                role_of(bound.label)
                or bound.label in link_types
                or _letters(bound.label) in ATTRIBUTION_LABELS
            ):
                left_out[bound.label] += 1
                continue
            for start, end in bound.fragments:
                if start == end:
                    continue
                # Fragments of one discontinuous span share its T id.
                document.spans.append(
                    Span(start=start, end=end, label=bound.label, source=SOURCE, id=bound.id)
                )
        if left_out:
            labels = ", ".join(f"{label} ({n})" for label, n in sorted(left_out.items()))
            document.warnings.append(
                f"{document.extra['ann']}: attribution spans that belong to no quote, left out: {labels}"
            )

    @staticmethod
    def _link_roles(link: _Link, found: _Annotations) -> list[tuple[str, str]]:
        """(role, T id) for each argument that plays a quote role, by argument name first, then by T label.

        The trigger of an E line is its anchor, never a role by its name ("Attribution-no-source"); it stands
        for the cue only when no argument is a cue (PolNeAR repeats the cue as the trigger)."""
        roles = []
        trigger: str | None = None
        for position, (arg_name, tid) in enumerate(link.args):
            bound = found.bounds.get(tid)
            if bound is None:
                continue
            if link.is_event and position == 0:
                trigger = tid
                continue
            role = role_of(arg_name) or role_of(bound.label)
            if role is not None:
                roles.append((role, tid))
        if trigger is not None and roles and not any(role == "cue" for role, _ in roles):
            roles.insert(0, ("cue", trigger))
        return roles


def _letters(label: str) -> str:
    return re.sub(r"[^a-z]", "", label.lower())


def _parse_text_bound(
    ann_id: str, body: str, rest: list[str], found: _Annotations, text: str, shift: int
) -> _Continued | None:
    label, _, where = body.partition(" ")
    fragments = []
    for piece in where.split(";"):
        match = _FRAGMENT.fullmatch(piece.strip())
        if not match:
            raise ValueError(f"{ann_id}: offsets {where!r} are not 'start end' pairs")
        start, end = int(match.group(1)) - shift, int(match.group(2)) - shift
        if not 0 <= start <= end <= len(text):
            raise ValueError(f"{ann_id}: offsets {start}-{end} fall outside the text ({len(text)} chars)")
        fragments.append((start, end))
    if not label:
        raise ValueError(f"{ann_id}: no label")
    found.bounds[ann_id] = _TextBound(ann_id, label, fragments)
    if not rest:
        return None
    # brat repeats the covered text (fragments joined by a space): a difference means the offsets were
    # counted on another version of the text. Reported, since the offsets are what we keep.
    covered = " ".join(text[s:e] for s, e in fragments)
    given = "\t".join(rest)
    if "\n" in covered.replace("\r\n", "\n") and covered.replace("\r\n", "\n").startswith(given + "\n"):
        return _Continued(covered.replace("\r\n", "\n"), given)
    if given != covered:
        found.mismatches.append(f"{ann_id} says {given!r} but its offsets cover {covered!r}")
    return None


def _attribution_quotes(
    document: Document, links: list[tuple[_Link, list[tuple[str, str]]]], found: _Annotations
) -> tuple[list[QuoteLink], list[str]]:
    """One quote per group of attributions sharing a content fragment, and the ids of links left out.

    A link without content (an R line tying a speaker to a cue) joins the quote that holds one of its
    spans; with no such quote it has nothing to report and is left out."""
    parent = list(range(len(links)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def join(i: int, j: int) -> None:
        parent[max(root(i), root(j))] = min(root(i), root(j))

    def fragments(tid: str) -> list[tuple[int, int]]:
        return [(s, e) for s, e in found.bounds[tid].fragments if s < e]

    holder: dict[tuple[int, int], int] = {}
    holder_of_id: dict[str, int] = {}
    has_content = [any(role == "content" and fragments(tid) for role, tid in roles) for _, roles in links]
    for i, (_, roles) in enumerate(links):
        if not has_content[i]:
            continue
        for role, tid in roles:
            holder_of_id.setdefault(tid, i)
            if role == "content":
                for fragment in fragments(tid):
                    join(i, holder.setdefault(fragment, i))
    left_out = []
    for i, (link, roles) in enumerate(links):
        if has_content[i]:
            continue
        owners = [holder_of_id[tid] for _, tid in roles if tid in holder_of_id]
        if owners:
            join(i, owners[0])
        else:
            parent[i] = -1
            left_out.append(link.id)
    quotes: dict[int, _QuoteLink] = {}
    for i, (link, roles) in enumerate(links):
        if parent[i] == -1:
            continue
        key = root(i)
        quote = quotes.get(key)
        if quote is None:
            quote = quotes[key] = _QuoteLink(id=f"{document.doc_id}:{link.id}", source=SOURCE)
        quote.link_ids.add(link.id)
        for role, tid in roles:
            if tid in quote.source_ids:
                continue
            quote.source_ids.add(tid)
            held = getattr(quote, role)
            held.extend(f for f in fragments(tid) if f not in held)
    for quote in quotes.values():
        quote.kind = _kind(quote, found, document.text)
    return list(quotes.values()), left_out


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
