"""What every reader shares: the Document it yields, decoding with exact error positions, skip-or-raise.

``ReaderOptions`` (field names, --skip-invalid) is defined with the other stages' options in toolkit.options.
"""

from __future__ import annotations

import abc
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from toolkit.errors import InputError
from toolkit.jsonl import BOM
from toolkit.options import ReaderOptions
from toolkit.record import Event, Span

STDIO = "-"
# Whole-source problems --skip-invalid cannot skip past: the path is wrong, or the file's own header is
# ambiguous (two columns of one name), so no row of it can be read as meant.
UNSKIPPABLE_RULES = frozenset({"missing-path", "csv-duplicate-header"})


@dataclass
class Unit:
    """A sentence or paragraph of a document; offsets and tokens (when the format fixes them, as CoNLL does)
    index the document text."""

    start: int
    end: int
    paragraph: int
    tokens: list[tuple[int, int]] | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class QuoteLink:
    """A quote as an annotation file links it: each role may be several fragments, in document offsets."""

    id: str
    content: list[tuple[int, int]] = field(default_factory=list)
    speaker: list[tuple[int, int]] = field(default_factory=list)
    cue: list[tuple[int, int]] = field(default_factory=list)
    kind: str = "direct"
    source: str | None = None


@dataclass
class Document:
    """One source document before segmentation; every offset indexes ``text``.

    ``start``/``end`` bound the body (a ``date`` header is outside it). Spans, quote roles and event
    triggers carry document offsets; ``convert`` moves them into the coordinates of the unit holding them.
    """

    doc_id: str
    text: str
    source: str
    start: int = 0
    end: int | None = None
    date: str | None = None
    title: str | None = None
    url: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    spans: list[Span] = field(default_factory=list)
    quotes: list[QuoteLink] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    units: list[Unit] | None = None
    line: int | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def body_end(self) -> int:
        return len(self.text) if self.end is None else self.end

    def is_empty(self) -> bool:
        if self.units is not None:
            return not self.units
        return not self.text[self.start : self.body_end].strip()


@dataclass(frozen=True)
class Skipped:
    """An item left out under --skip-invalid, located like an InputError."""

    path: str
    line: int | None
    rule: str | None
    message: str


def source_name(source: str | Path) -> str:
    """The path as the user gave it, in posix form, for meta.source and messages."""
    return STDIO if str(source) == STDIO else Path(source).as_posix()


def source_stem(source: str | Path) -> str:
    return "stdin" if str(source) == STDIO else Path(source).stem


def read_bytes(source: str | Path) -> bytes:
    if str(source) == STDIO:
        return sys.stdin.buffer.read()
    path = Path(source)
    if not path.exists():
        raise InputError("no such file or folder", path=source_name(source), rule="missing-path")
    return path.read_bytes()


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def decode_utf8(data: bytes, *, path: str, first_line: int = 1, byte_base: int = 0) -> tuple[str, bool]:
    """Decode UTF-8 strictly; returns (text, had_bom). A leading BOM is removed, so offsets index the text
    as ``open(path, encoding="utf-8-sig")`` reads it. Invalid bytes name the file, line and byte offset."""
    had_bom = byte_base == 0 and data.startswith(BOM)
    body = data[3:] if had_bom else data
    try:
        return body.decode("utf-8"), had_bom
    except UnicodeDecodeError as exc:
        offset = exc.start + (3 if had_bom else 0)
        raise InputError(
            f"invalid UTF-8 at byte {byte_base + offset} ({exc.reason})",
            path=path,
            line=first_line + _line_of(data, offset) - 1,
            rule="invalid-utf8",
            hint="convert the file to UTF-8",
        ) from None


def read_text(source: str | Path) -> tuple[str, bool]:
    """The whole decoded text of a file (or stdin), and whether it started with a BOM."""
    return decode_utf8(read_bytes(source), path=source_name(source))


def read_lines(source: str | Path) -> Iterator[tuple[int, str]]:
    """Stream (1-based line number, decoded line with its line ending). UTF-8 never puts a newline byte inside
    a character, so decoding line by line is exact and the byte offset of an error is still known."""
    name = source_name(source)
    if str(source) == STDIO:
        handle = sys.stdin.buffer
        yield from _decoded(handle, name)
        return
    path = Path(source)
    if not path.exists():
        raise InputError("no such file or folder", path=name, rule="missing-path")
    with path.open("rb") as handle:
        yield from _decoded(handle, name)


def _decoded(handle: Any, name: str) -> Iterator[tuple[int, str]]:
    offset = 0
    for number, raw in enumerate(handle, start=1):
        text, _ = decode_utf8(raw, path=name, first_line=number, byte_base=offset)
        offset += len(raw)
        yield number, text


class Reader(abc.ABC):
    """Turns one source (a path or ``-``) into Documents. A subclass writes one hook, ``documents``.

    The base rejects empty documents for every format and decides, in one place, whether a bad item
    stops the run or is skipped and counted (``reject``).
    """

    name: ClassVar[str]
    extensions: ClassVar[tuple[str, ...]] = ()
    reads_stdin: ClassVar[bool] = True

    def __init__(self, options: ReaderOptions | None = None) -> None:
        self.options = options or ReaderOptions()
        self.skipped: list[Skipped] = []
        # Bytes of the source read so far, for a progress bar; a reader that reads as it goes keeps it.
        self.bytes_read = 0

    @abc.abstractmethod
    def documents(self, source: str | Path) -> Iterator[Document]:
        """Yield the documents of one source; call ``reject`` for a bad item and go on."""

    def read(self, source: str | Path) -> Iterator[Document]:
        """The documents of ``source``, with empty ones rejected."""
        try:
            for document in self.documents(source):
                if document.is_empty():
                    self.reject_document(
                        document,
                        f"document {document.doc_id!r} has no text",
                        rule="empty-document",
                        hint="remove it or pass --skip-invalid",
                    )
                    continue
                yield document
        except InputError as error:
            # Whole-file problems (bad encoding) end this source; under --skip-invalid the others go on.
            if error.rule in UNSKIPPABLE_RULES:
                raise
            self.reject(error)

    def reject_document(self, document: Document, message: str, *, rule: str, hint: str) -> None:
        """``reject`` a whole document, located where it starts."""
        self.reject(InputError(message, path=document.source, line=document.line, rule=rule, hint=hint))

    def reject(self, error: InputError) -> None:
        """Raise ``error``, or under --skip-invalid remember it and let the caller go on."""
        if not self.options.skip_invalid:
            raise error
        self.skipped.append(Skipped(error.path or "", error.line, error.rule, error.message))
