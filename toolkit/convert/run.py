"""Convert documents into records: read, split into sentences or paragraphs, tokenize, place annotations."""

from __future__ import annotations

import bisect
import functools
import os
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from toolkit.convert.segment import segment_sentences, split_paragraphs
from toolkit.errors import InputError, UsageError
from toolkit.jsonl import write_records
from toolkit.options import ConvertOptions
from toolkit.readers import READERS, Document, QuoteLink, Reader, Skipped, Unit
from toolkit.readers.base import STDIO, source_name
from toolkit.record import (
    Event,
    Meta,
    Quote,
    Record,
    ResolvedSpeaker,
    Role,
    Span,
    Token,
    doc_tokens,
    record_id,
    text_sha256,
)
from toolkit.spans import bits_between, merged_within

_WORD = re.compile(r"\w")

if TYPE_CHECKING:
    from spacy.tokens import Doc

Tokenize = Callable[[str], list[Token]]


@dataclass
class ConvertSummary:
    """What a conversion did: counts for the summary line, and every item it reported rather than dropped."""

    output: str | None = None
    files: int = 0
    documents: int = 0
    records: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    # Spans (and triggers) running past the end of their unit: attached, clipped, and named here.
    cross_unit_spans: int = 0
    # Spans lying wholly outside every unit (in a date header or between units): kept out, and named here.
    unplaced_spans: int = 0
    # Spans whose edges fall inside a token: kept, with token indices covering them.
    misaligned_spans: int = 0
    # Tokens split where an annotation (span, quote role, trigger) starts or ends inside them, so that every
    # annotation lies on token boundaries, as Prodigy's views and the validator want.
    split_tokens: int = 0
    # Quotes whose roles lie in several units, or that have several fragments: pieces share one quote id.
    split_quotes: int = 0
    # Quote pieces left out because another quote holds their anchor span in the same record (named).
    dropped_quote_pieces: int = 0
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


# ---------------------------------------------------------------- finding sources


def _has_annotations(path: Path) -> bool:
    return path.with_suffix(".ann").is_file()


def format_of(path: Path, wanted: str, *, in_folder: bool) -> str | None:
    """The reader for a file: by extension under --format auto, else the one asked for (None: not read)."""
    suffix = path.suffix.lower()
    if suffix == ".txt" and wanted in ("auto", "brat"):
        if _has_annotations(path):
            return "brat"
        # A named .txt under --format brat goes to the reader, which says which .ann is missing.
        return "txt" if wanted == "auto" else (None if in_folder else "brat")
    if suffix == ".ann":
        # In a folder the .txt beside it stands for the pair; named on its own it means the pair too.
        return None if in_folder or wanted not in ("auto", "brat") else "brat"
    if wanted != "auto":
        return wanted if not in_folder or suffix in READERS[wanted].extensions else None
    return next((name for name, reader in READERS.items() if suffix in reader.extensions), None)


def _folder_files(folder: Path) -> list[Path]:
    files = [p for p in folder.rglob("*") if p.is_file()]
    visible = [p for p in files if not any(part.startswith(".") for part in p.relative_to(folder).parts)]
    return sorted(visible, key=lambda p: p.relative_to(folder).parts)


def find_sources(sources: Sequence[str | Path], *, format: str = "auto") -> list[tuple[str, str]]:
    """(path, reader name) for every file to read, in order: folders are walked recursively and sorted."""
    if not sources:
        raise UsageError("no sources given")
    found: list[tuple[str, str]] = []
    for given in sources:
        if str(given) == STDIO:
            reader = "jsonl" if format == "auto" else format
            if not READERS[reader].reads_stdin:
                raise UsageError(
                    f"--format {reader} cannot read standard input", hint="give the files instead"
                )
            found.append((STDIO, reader))
            continue
        path = Path(given)
        if not path.exists():
            raise InputError("no such file or folder", path=source_name(given), rule="missing-path")
        if path.is_dir():
            listed = [
                (source_name(p), f)
                for p in _folder_files(path)
                if (f := format_of(p, format, in_folder=True))
            ]
            if not listed:
                kinds = "supported" if format == "auto" else format
                raise InputError(
                    f"folder holds no {kinds} files", path=source_name(given), rule="no-supported-files"
                )
            found.extend(listed)
            continue
        named = format_of(path, format, in_folder=False)
        if named is None:
            raise UsageError(f"cannot tell the format of {source_name(given)}", hint="pass --format")
        found.append((source_name(given), named))
    # A file named twice (or also inside a named folder) is read once.
    return list(dict.fromkeys(found))


# ---------------------------------------------------------------- units and placement


def document_units(document: Document, unit: str) -> list[Unit]:
    """The document's sentences or paragraphs; a format that fixes its own units (CoNLL) keeps them."""
    if document.units is not None:
        return document.units
    units: list[Unit] = []
    paragraphs = split_paragraphs(document.text, document.start, document.body_end)
    for index, (p_start, p_end) in enumerate(paragraphs):
        if unit == "paragraph":
            units.append(Unit(p_start, p_end, index))
        else:
            units.extend(Unit(s, e, index) for s, e in segment_sentences(document.text, p_start, p_end))
    return units


class Placer:
    """Finds the unit(s) a document span falls in, as pieces in unit coordinates."""

    def __init__(self, units: list[Unit]) -> None:
        self.units = units
        self.ends = [u.end for u in units]

    def pieces(self, start: int, end: int) -> list[tuple[int, int, int]]:
        """(unit index, local start, local end) for every unit [start, end) overlaps, in order."""
        units = self.units
        if start == end:
            index = bisect.bisect_left(self.ends, start)
            if index < len(units) and units[index].start <= start:
                return [(index, start - units[index].start, start - units[index].start)]
            return []
        found = []
        index = bisect.bisect_right(self.ends, start)  # the first unit ending after ``start``
        while index < len(units) and units[index].start < end:
            unit = units[index]
            found.append((index, max(start, unit.start) - unit.start, min(end, unit.end) - unit.start))
            index += 1
        return found


def token_range(tokens: list[Token], start: int, end: int) -> tuple[int, int, bool]:
    """First and last (inclusive) token covering [start, end), and whether both edges fall on token edges."""
    starts = [t.start for t in tokens]
    first = max(bisect.bisect_right(starts, start) - 1, 0)
    last = max(bisect.bisect_left(starts, end) - 1, first)
    aligned = tokens[first].start == start and tokens[last].end == end
    return first, last, aligned


def unit_tokens(document: Document, unit: Unit, tokenize: Tokenize) -> list[Token]:
    text = document.text[unit.start : unit.end]
    if unit.tokens is None:
        return tokenize(text)
    fixed = unit.tokens
    return [
        Token(
            text=document.text[s:e],
            start=s - unit.start,
            end=e - unit.start,
            id=i,
            ws=i + 1 < len(fixed) and fixed[i + 1][0] > e,
        )
        for i, (s, e) in enumerate(fixed)
    ]


@dataclass
class _Placed:
    """Annotations moved into unit coordinates, per unit index."""

    spans: dict[int, list[Span]] = field(default_factory=dict)
    quotes: dict[int, list[Quote]] = field(default_factory=dict)
    events: dict[int, list[Event]] = field(default_factory=dict)
    clipped: dict[int, list[str]] = field(default_factory=dict)


def _describe(document: Document, kind: str, start: int, end: int, ident: str | None) -> str:
    name = f" {ident}" if ident else ""
    return f"{document.source}: {document.doc_id}: {kind}{name} at {start}-{end}"


def place_spans(document: Document, placer: Placer, placed: _Placed, summary: ConvertSummary) -> None:
    for span in document.spans:
        pieces = placer.pieces(span.start, span.end)
        if not pieces:
            summary.unplaced_spans += 1
            summary.warnings.append(
                _describe(document, f"{span.label} span", span.start, span.end, span.id)
                + " lies outside every unit, left out"
            )
            continue
        index, lo, hi = pieces[0]
        unit = placer.units[index]
        if len(pieces) > 1 or unit.start + lo != span.start or unit.start + hi != span.end:
            summary.cross_unit_spans += 1
            placed.clipped.setdefault(index, []).append(span.id or f"{span.label}@{span.start}-{span.end}")
            summary.warnings.append(
                _describe(document, f"{span.label} span", span.start, span.end, span.id)
                + f" crosses a unit boundary, clipped to unit {index}"
            )
        placed.spans.setdefault(index, []).append(
            Span(start=lo, end=hi, label=span.label, source=span.source, id=span.id)
        )


def place_events(document: Document, placer: Placer, placed: _Placed, summary: ConvertSummary) -> None:
    for event in document.events:
        if event.trigger is None:
            continue
        pieces = placer.pieces(event.trigger.start, event.trigger.end)
        if not pieces:
            summary.unplaced_spans += 1
            summary.warnings.append(
                _describe(document, f"{event.label} trigger", event.trigger.start, event.trigger.end, None)
                + " lies outside every unit, left out"
            )
            continue
        index, lo, hi = pieces[0]
        if len(pieces) > 1:
            summary.cross_unit_spans += 1
            summary.warnings.append(
                _describe(document, f"{event.label} trigger", event.trigger.start, event.trigger.end, None)
                + f" crosses a unit boundary, clipped to unit {index}"
            )
        placed.events.setdefault(index, []).append(
            Event(label=event.label, trigger=Role(lo, hi), source=event.source)
        )


def place_quotes(document: Document, placer: Placer, placed: _Placed, summary: ConvertSummary) -> None:
    """Each quote becomes one piece per content fragment in each unit it touches (see ``quote_pieces``);
    pieces share the quote's id and list the other records holding pieces in ``linked_records``.

    Labeling tools rebuild a quote from one span, its anchor (the content, else the cue, else the speaker),
    and draw each span once. A piece that a tool could not show is left out and reported: one whose anchor
    an earlier quote already holds in the record, or one that is only a speaker (or only a cue) another
    quote names there. Two quotes said by one speaker named in a sentence that holds neither's words keep the
    speaker on the first; the second gets it as ``speaker_resolved``."""
    planned = [(quote, _quote_fragments(document, quote, placer, summary)) for quote in document.quotes]
    planned_pieces = [
        (
            quote,
            {
                index: quote_pieces(
                    **roles, text=document.text[placer.units[index].start : placer.units[index].end]
                )
                for index, roles in sorted(by_unit.items())
            },
        )
        for quote, by_unit in planned
    ]
    named = _named_roles(planned_pieces)
    anchors: dict[int, set[tuple[str, int, int]]] = {}
    for number, (quote, by_unit) in enumerate(planned_pieces):
        kept: dict[int, list[Piece]] = {}
        left_speaker: tuple[int, Role] | None = None
        for index, pieces in by_unit.items():
            taken = anchors.setdefault(index, set())
            for piece in pieces:
                key = _anchor(piece)
                lone = piece[0] is None and (piece[1] is None) != (piece[2] is None)
                if key in taken or (lone and named.get((index, *key), {number}) != {number}):
                    _report_dropped(document, placer, index, key, quote, summary)
                    if piece[1] is not None:
                        left_speaker = (index, piece[1])
                    continue
                taken.add(key)
                kept.setdefault(index, []).append(piece)
        _add_pieces(document, placer, placed, quote, kept, left_speaker)
        if sum(len(pieces) for pieces in kept.values()) > 1:
            summary.split_quotes += 1


def _named_roles(planned: list[tuple[QuoteLink, dict[int, list[Piece]]]]) -> dict[tuple, set[int]]:
    """For each (unit, role, start, end) that some piece draws as a role pointing at its anchor (a speaker
    beside a cue or content, a cue beside content): the quotes drawing it."""
    named: dict[tuple, set[int]] = {}
    for number, (_, by_unit) in enumerate(planned):
        for index, pieces in by_unit.items():
            for piece in pieces:
                anchor = _anchor(piece)
                for name, role in (("speaker", piece[1]), ("cue", piece[2])):
                    if role is not None and (name, role.start, role.end) != anchor:
                        named.setdefault((index, name, role.start, role.end), set()).add(number)
    return named


def _report_dropped(
    document: Document,
    placer: Placer,
    index: int,
    key: tuple[str, int, int],
    quote: QuoteLink,
    summary: ConvertSummary,
) -> None:
    start = placer.units[index].start
    summary.dropped_quote_pieces += 1
    summary.warnings.append(
        _describe(document, "quote piece", start + key[1], start + key[2], quote.id)
        + f": its {key[0]} is a span another quote holds in unit {index}, left out"
    )


def _add_pieces(
    document: Document,
    placer: Placer,
    placed: _Placed,
    quote: QuoteLink,
    kept: dict[int, list[Piece]],
    left_speaker: tuple[int, Role] | None,
) -> None:
    resolved = _resolved_speaker(document, placer, left_speaker)
    units = sorted(kept)
    for index in units:
        linked = [record_id(document.doc_id, other) for other in units if other != index]
        placed.quotes.setdefault(index, []).extend(
            Quote(
                content=content,
                speaker=speaker,
                cue=cue,
                kind=quote.kind,
                source=quote.source,
                id=quote.id,
                speaker_resolved=resolved if speaker is None else None,
                linked_records=list(linked),
            )
            for content, speaker, cue in kept[index]
        )


Piece = tuple[Role | None, Role | None, Role | None]


def _anchor(piece: Piece) -> tuple[str, int, int]:
    content, speaker, cue = piece
    name, role = next((n, r) for n, r in (("content", content), ("cue", cue), ("speaker", speaker)) if r)
    return name, role.start, role.end


def _resolved_speaker(
    document: Document, placer: Placer, left: tuple[int, Role] | None
) -> ResolvedSpeaker | None:
    if left is None:
        return None
    index, role = left
    unit = placer.units[index]
    text = document.text[unit.start + role.start : unit.start + role.end]
    return ResolvedSpeaker(text=text, record_id=record_id(document.doc_id, index))


def quote_pieces(
    *,
    text: str,
    content: list[tuple[int, int]] = (),  # type: ignore[assignment]
    speaker: list[tuple[int, int]] = (),  # type: ignore[assignment]
    cue: list[tuple[int, int]] = (),  # type: ignore[assignment]
) -> list[Piece]:
    """The (content, speaker, cue) pieces of one quote within one record.

    One piece per content fragment, in text order; content never holds the quote's own speaker or cue, so a
    fragment that does is cut around them. Speakers and cues are spread over the content pieces in text order,
    the last one going on (an interrupted quote repeats its one speaker and cue on every piece). Speakers or
    cues left over (two sources or two cues for one content) go on extra pieces without content, each once,
    so that no two pieces are anchored on the same span."""
    speakers = sorted(set(speaker))
    cues = sorted(set(cue))
    contents = sorted(
        {piece for fragment in content for piece in _cut_around(text, fragment, speakers + cues)}
    )

    def nth(items: list[tuple[int, int]], n: int) -> Role | None:
        if n >= len(contents):
            # A piece without content takes only a speaker or cue no earlier piece has.
            return Role(*items[n]) if n < len(items) else None
        return Role(*items[min(n, len(items) - 1)]) if items else None

    pieces = [
        (Role(*contents[n]) if n < len(contents) else None, nth(speakers, n), nth(cues, n))
        for n in range(max(len(contents), len(speakers), len(cues)))
    ]
    return [piece for piece in pieces if any(piece)]


def _cut_around(text: str, fragment: tuple[int, int], roles: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """A content fragment without the role spans inside it. A fragment no role touches is kept as it is;
    the bits of a cut one lose the white space and commas at the cut, and a bit without a word is dropped."""
    inside = merged_within(fragment, roles)
    if not inside:
        return [fragment]
    return [bit for bit in bits_between(text, fragment, inside, trim=",;:") if _WORD.search(text, *bit)]


def _quote_fragments(
    document: Document, quote: QuoteLink, placer: Placer, summary: ConvertSummary
) -> dict[int, dict[str, list[tuple[int, int]]]]:
    by_unit: dict[int, dict[str, list[tuple[int, int]]]] = {}
    for role in ("content", "speaker", "cue"):
        for start, end in sorted(getattr(quote, role)):
            pieces = placer.pieces(start, end)
            if not pieces:
                summary.unplaced_spans += 1
                summary.warnings.append(
                    _describe(document, f"quote {role}", start, end, quote.id)
                    + " lies outside every unit, left out"
                )
            for index, lo, hi in pieces:
                by_unit.setdefault(index, {}).setdefault(role, []).append((lo, hi))
    return by_unit


def _annotation_edges(placed: _Placed, index: int) -> set[int]:
    edges: set[int] = set()
    for span in placed.spans.get(index, []):
        edges.update((span.start, span.end))
    for quote in placed.quotes.get(index, []):
        for role in (quote.content, quote.speaker, quote.cue):
            if role is not None:
                edges.update((role.start, role.end))
    for event in placed.events.get(index, []):
        if event.trigger is not None:
            edges.update((event.trigger.start, event.trigger.end))
    return edges


def split_tokens(tokens: list[Token], edges: set[int], summary: ConvertSummary) -> list[Token]:
    """Split every token an annotation starts or ends inside ("'s announcement" from "Kerry's"): the
    annotator's offsets are the truth, the tokenizer's guess gives way. Ids are renumbered."""
    if not edges or not tokens:
        return tokens
    inside = sorted(e for e in edges if tokens[0].start < e < tokens[-1].end)
    if not inside:
        return tokens
    out: list[Token] = []
    for token in tokens:
        cuts = [e for e in inside if token.start < e < token.end]
        if not cuts:
            out.append(Token(token.text, token.start, token.end, len(out), token.ws))
            continue
        summary.split_tokens += 1
        bounds = [token.start, *cuts, token.end]
        for lo, hi in zip(bounds, bounds[1:], strict=False):
            last = hi == token.end
            text = token.text[lo - token.start : hi - token.start]
            out.append(Token(text, lo, hi, len(out), token.ws if last else False))
    return out


def _with_tokens(spans: list[Span], tokens: list[Token], summary: ConvertSummary) -> list[Span]:
    for span in spans:
        span.token_start, span.token_end, aligned = token_range(tokens, span.start, span.end)
        if not aligned:
            summary.misaligned_spans += 1
    return sorted(spans, key=lambda s: (s.start, s.end, s.label, s.id or ""))


def document_records(
    document: Document, *, unit: str, tokenize: Tokenize, summary: ConvertSummary
) -> list[Record]:
    """The records of one document, annotations placed in the unit that holds them."""
    units = document_units(document, unit)
    placer = Placer(units)
    placed = _Placed()
    place_spans(document, placer, placed, summary)
    place_quotes(document, placer, placed, summary)
    place_events(document, placer, placed, summary)
    records = []
    for index, piece in enumerate(units):
        text = document.text[piece.start : piece.end]
        tokens = unit_tokens(document, piece, tokenize)
        if piece.tokens is None:
            tokens = split_tokens(tokens, _annotation_edges(placed, index), summary)
        extra = {**document.extra, **piece.extra}
        if index in placed.clipped:
            extra["cross_unit_spans"] = placed.clipped[index]
        meta = Meta(
            id=record_id(document.doc_id, index),
            doc_id=document.doc_id,
            unit=index,
            start=piece.start,
            end=piece.end,
            date=document.date,
            source=document.source,
            text_sha256=text_sha256(text),
            title=document.title,
            url=document.url,
            paragraph=piece.paragraph,
            extra=extra,
        )
        records.append(
            Record(
                text=text,
                tokens=tokens,
                spans=_with_tokens(placed.spans.get(index, []), tokens, summary),
                quotes=placed.quotes.get(index, []),
                events=placed.events.get(index, []),
                meta=meta,
            )
        )
    return records


# ---------------------------------------------------------------- the stage


def spacy_tokenizer(model: str | None) -> Tokenize:
    """Tokens from the model's own tokenizer, loaded on first use (CoNLL input never needs it)."""
    from toolkit.models import model_tokenizer

    @functools.cache
    def tokenizer() -> Callable[[str], Doc]:
        return model_tokenizer(model)

    def tokenize(text: str) -> list[Token]:
        # The tokenizer itself, not make_doc: spaCy's max_length guards the parser's and NER's memory, not
        # the tokenizer's, and an over-long unit is for preannotate to refuse, with its line.
        return doc_tokens(tokenizer()(text), text)

    return tokenize


@dataclass
class BytesRead:
    """Bytes of the sources read so far, for the progress bar: whole files done, plus the file being read
    as far as its reader says (a JSONL reader line by line, the others when the file is done)."""

    total: int | None = None
    done: int = 0


def convert_records(
    *,
    sources: Sequence[str | Path],
    options: ConvertOptions = ConvertOptions(),
    summary: ConvertSummary | None = None,
) -> Iterator[Record]:
    """Stream the records of ``sources`` in order; counts and reports go to ``summary``. This is the stage
    itself: ``convert`` runs it on all sources at once, a sharded run on one source file per shard."""
    files = find_sources(sources, format=options.format)
    yield from records_of_files(files, options=options, summary=summary)


def records_of_files(
    files: list[tuple[str, str]],
    *,
    options: ConvertOptions,
    summary: ConvertSummary | None = None,
    read: BytesRead | None = None,
) -> Iterator[Record]:
    """The records of ``files`` as ``find_sources`` lists them; ``read`` (if given) counts their bytes."""
    summary = summary if summary is not None else ConvertSummary()
    tokenize = spacy_tokenizer(options.model)
    seen: dict[str, str] = {}
    for path, reader_name in files:
        reader = READERS[reader_name](options.reader)
        summary.files += 1
        finished = read.done if read is not None else 0
        try:
            for document in reader.read(path):
                if _is_duplicate(document, seen, reader):
                    continue
                summary.documents += 1
                summary.warnings.extend(document.warnings)
                yield from document_records(document, unit=options.unit, tokenize=tokenize, summary=summary)
                if read is not None:
                    read.done = finished + reader.bytes_read
        finally:
            summary.skipped.extend(reader.skipped)
        if read is not None and path != STDIO:
            read.done = finished + _size(path)


def _size(path: str) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return 0


def _is_duplicate(document: Document, seen: dict[str, str], reader: Reader) -> bool:
    """Record ids must be unique: a doc id met twice is bad input (or skipped and counted)."""
    where = f"{document.source}:{document.line}" if document.line else document.source
    first = seen.setdefault(document.doc_id, where)
    if first == where:
        return False
    reader.reject_document(
        document,
        f"doc id {document.doc_id!r} was already used at {first}",
        rule="duplicate-doc-id",
        hint="give documents unique ids",
    )
    return True


def _check_output(output: str | Path, files: list[tuple[str, str]]) -> None:
    if str(output) == STDIO:
        return
    target = Path(output)
    if target.is_dir():
        raise UsageError(f"-o {source_name(output)} is a folder; give a file name")
    inputs = {Path(p).resolve() for p, _ in files if p != STDIO}
    inputs |= {Path(p).with_suffix(".ann").resolve() for p, f in files if f == "brat"}
    if target.resolve() in inputs:
        raise UsageError(f"-o {source_name(output)} is also an input; inputs are never overwritten")


def convert(
    *,
    sources: Sequence[str | Path],
    output: str | Path,
    options: ConvertOptions = ConvertOptions(),
    quiet: bool = True,
) -> ConvertSummary:
    """Convert ``sources`` (files, folders or ``-``) into one JSONL file of records, written atomically."""
    from toolkit.progress import showing, track

    files = find_sources(sources, format=options.format)
    _check_output(output, files)
    summary = ConvertSummary(output=source_name(output))
    read = BytesRead()
    if showing(quiet) and all(path != STDIO for path, _ in files):  # sizes only when a bar is drawn
        read.total = sum(_size(path) for path, _ in files)
    records = records_of_files(files, options=options, summary=summary, read=read)
    shown = track(records, description="convert", quiet=quiet, total=read.total, bytes_read=lambda: read.done)
    summary.records = write_records(output, shown)
    return summary
