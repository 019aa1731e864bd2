"""CSV documents: a header row, then one document a row; the text column and metadata columns are named.

Quotes are read strictly (``csv`` with ``strict=True``), because a quote left open otherwise swallows every
following row into one document without a word. A quote opened and never closed is found when the file
ends inside it, or when the quote that finally closes it is followed by more text (the usual case: the next
quoted field's opening quote closes it). What strict reading cannot tell apart from a legitimate multi-line
field is a stray quote that happens to close exactly at the end of a later field.

Under --skip-invalid the broken row is skipped and reading starts again inside the lines it swallowed, at the
first line from which the next rows parse cleanly with the header's number of cells: the lines before that are
the rest of the broken row's own (multi-line) text, the lines after it are the rows the quote swallowed.
"""

from __future__ import annotations

import csv
from collections import deque
from collections.abc import Iterator
from pathlib import Path

from toolkit.errors import InputError
from toolkit.readers.base import Document, Reader, read_lines, source_name, source_stem
from toolkit.readers.jsonl import document_from_fields

# News articles outgrow csv's default 128 KiB field limit; 2**31 - 1 is the largest every platform accepts.
FIELD_SIZE_LIMIT = 2**31 - 1
QUOTE_HINT = "close the quote, and write a quote inside a quoted field as two quotes"
# Reading starts again where this many rows in a row parse cleanly (or the file ends cleanly), looking at
# most this many lines ahead: enough for rows of long multi-line articles, bounded for huge files.
RESYNC_ROWS = 3
RESYNC_LINES = 2000

Line = tuple[int, str]


class _LineCounter:
    """Feeds csv.reader decoded lines, remembering which line each row starts on and the lines it took, so
    the lines a broken row swallowed can be given back and read again."""

    def __init__(self, lines: Iterator[Line]) -> None:
        self._lines = lines
        self._queued: deque[Line] = deque()
        self._ended = False
        self.taken: list[Line] = []
        self.line = 0

    def __iter__(self) -> _LineCounter:
        return self

    def __next__(self) -> str:
        self.line, text = self._queued.popleft() if self._queued else self._pull()
        self.taken.append((self.line, text))
        return text

    def _pull(self) -> Line:
        try:
            return next(self._lines)
        except StopIteration:
            self._ended = True
            raise

    def start_row(self) -> int:
        """Forget the lines of the last row; the number of the line the next row starts on."""
        self.taken = []
        return self._queued[0][0] if self._queued else self.line + 1

    def ahead(self, count: int) -> tuple[list[Line], bool]:
        """The next ``count`` lines without taking them, and whether the file ends within them."""
        while len(self._queued) < count and not self._ended:
            try:
                self._queued.append(self._pull())
            except StopIteration:
                break
        return list(self._queued)[:count], self._ended and len(self._queued) <= count

    def give_back(self, lines: list[Line]) -> None:
        self._queued.extendleft(reversed(lines))

    def drop(self, count: int) -> None:
        for _ in range(min(count, len(self._queued))):
            self._queued.popleft()


class CsvReader(Reader):
    name = "csv"
    extensions = (".csv", ".tsv")

    def documents(self, source: str | Path) -> Iterator[Document]:
        name = source_name(source)
        csv.field_size_limit(FIELD_SIZE_LIMIT)
        lines = _LineCounter(read_lines(source))
        delimiter = "\t" if name.endswith(".tsv") else ","
        # Lines keep their own endings, so a CRLF inside a quoted field reaches the text unchanged.
        rows = csv.reader(lines, delimiter=delimiter, strict=True)
        header = self._header(rows, lines, name)
        number = 0
        for start_line, row in self._rows(rows, lines, name, width=len(header), delimiter=delimiter):
            if not row:
                continue  # a blank line is not a document
            number += 1
            if isinstance(row, InputError):
                self.reject(row)
                continue
            if len(row) != len(header):
                self.reject(
                    InputError(
                        f"row {number} has {len(row)} cells, the header has {len(header)}",
                        path=name,
                        line=start_line,
                        rule="bad-row-length",
                    )
                )
                continue
            fields = dict(zip(header, row, strict=True))
            yield document_from_fields(
                fields,
                text=fields[self.options.text_field],
                options=self.options,
                source=name,
                fallback_id=f"{source_stem(source)}-{number}",
                line=start_line,
                place={"row": number},
            )

    def _header(self, rows: Iterator[list[str]], lines: _LineCounter, name: str) -> list[str]:
        """The header row; it names the text column and no column twice, and cannot be skipped past."""
        try:
            header = next(rows, None)
        except csv.Error as exc:
            raise _quote_error(exc, name=name, start=1, end=lines.line) from None
        text_field = self.options.text_field
        if header is None or text_field not in header:
            found = ", ".join(c if c.isprintable() else repr(c) for c in header or []) or "nothing"
            raise InputError(
                f"no {text_field!r} column; the header has: {found}",
                path=name,
                line=1,
                rule="missing-text-column",
                hint="name the text column with --text-field",
            )
        seen: set[str] = set()
        for column in header:
            if column in seen:
                raise InputError(
                    f"the header names column {column!r} twice; only one of them could be kept",
                    path=name,
                    line=1,
                    rule="csv-duplicate-header",
                    hint="rename one of the columns",
                )
            seen.add(column)
        return header

    def _rows(
        self, rows: Iterator[list[str]], lines: _LineCounter, name: str, *, width: int, delimiter: str
    ) -> Iterator[tuple[int, list[str] | InputError]]:
        """(line the row starts on, cells) of every row, or the error of a row with a broken quote; under
        --skip-invalid reading then starts again inside the lines that row swallowed (see the module)."""
        while True:
            start = lines.start_row()
            try:
                row = next(rows)
            except StopIteration:
                return
            except csv.Error as exc:
                error = _quote_error(exc, name=name, start=start, end=lines.line)
                if not self.options.skip_invalid:
                    raise error from None
                swallowed = lines.taken[1:]
                following, ends = lines.ahead(RESYNC_LINES)
                restart = _restart_point(swallowed, following, ends, width=width, delimiter=delimiter)
                if restart <= len(swallowed):
                    lines.give_back(swallowed[restart:])
                else:  # the broken row's last field runs on past the line where the csv module stopped
                    lines.drop(restart - len(swallowed))
                # Where reading went on is a guess (see the module): say it, so it can be checked.
                error.message += f"; reading went on at line {lines.start_row()}"
                yield start, error
                continue
            yield start, row


def _restart_point(
    swallowed: list[Line], following: list[Line], ends: bool, *, width: int, delimiter: str
) -> int:
    """How many of the lines after the broken row's first still belong to it (those it swallowed, then those
    after): the first point from which the rows parse cleanly, each with ``width`` cells. Just the swallowed
    lines when no point does."""
    lines = swallowed + following
    for skip in range(min(len(lines), RESYNC_LINES) + 1):
        window = lines[skip : skip + RESYNC_LINES]
        window_ends = ends and skip + RESYNC_LINES >= len(lines)
        if _parses_cleanly((text for _, text in window), width=width, delimiter=delimiter, ends=window_ends):
            return skip
    return len(swallowed)


def _parses_cleanly(lines: Iterator[str], *, width: int, delimiter: str, ends: bool) -> bool:
    good = 0
    try:
        for row in csv.reader(lines, delimiter=delimiter, strict=True):
            if not row:
                continue
            if len(row) != width:
                return False
            good += 1
            if good >= RESYNC_ROWS:
                return True
    except csv.Error:
        # A row cut off by the end of what was looked at is fine; one cut off by the end of the file is not.
        return good > 0 and not ends
    return good > 0 or ends


def _quote_error(exc: csv.Error, *, name: str, start: int, end: int) -> InputError:
    """The csv module's complaint, said in terms of the row where the trouble starts."""
    message = str(exc)
    if "unexpected end of data" in message:
        return InputError(
            f"a quote opened in the row on line {start} is never closed: the file ends inside it",
            path=name,
            line=start,
            rule="csv-unclosed-quote",
            hint=QUOTE_HINT,
        )
    if "expected after" in message and end > start:
        return InputError(
            f"a quote opened in the row on line {start} is not closed on that line; the next quote, on line "
            f"{end}, is followed by more text",
            path=name,
            line=start,
            rule="csv-unclosed-quote",
            hint=QUOTE_HINT,
        )
    if "expected after" in message:
        return InputError(
            "text after the closing quote of a quoted field",
            path=name,
            line=start,
            rule="csv-stray-quote",
            hint="quote the whole field, and write each quote inside it as two quotes",
        )
    return InputError(f"not valid CSV: {message}", path=name, line=end, rule="invalid-csv")
