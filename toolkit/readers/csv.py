"""CSV documents: a header row, then one document a row; the text column and metadata columns are named.

Quotes are read strictly (``csv`` with ``strict=True``), because a quote left open otherwise swallows every
following row into one document without a word. A quote opened and never closed is found when the file
ends inside it, or when the quote that finally closes it is followed by more text (the usual case: the next
quoted field's opening quote closes it). What strict reading cannot tell apart from a legitimate multi-line
field is a stray quote that happens to close exactly at the end of a later field.
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


class _LineCounter:
    """Feeds csv.reader decoded lines, remembering which line each row starts on and the lines it took, so a
    row found broken can be given back and read again from its second line."""

    def __init__(self, lines: Iterator[tuple[int, str]]) -> None:
        self._lines = lines
        self._given_back: deque[tuple[int, str]] = deque()
        self.taken: list[tuple[int, str]] = []
        self.line = 0

    def __iter__(self) -> _LineCounter:
        return self

    def __next__(self) -> str:
        self.line, text = self._given_back.popleft() if self._given_back else next(self._lines)
        self.taken.append((self.line, text))
        return text

    def start_row(self) -> int:
        """Forget the lines of the last row; the number of the line the next row starts on."""
        self.taken = []
        return self._given_back[0][0] if self._given_back else self.line + 1

    def give_back_all_but_first(self) -> None:
        self._given_back.extendleft(reversed(self.taken[1:]))


class CsvReader(Reader):
    name = "csv"
    extensions = (".csv", ".tsv")

    def documents(self, source: str | Path) -> Iterator[Document]:
        name = source_name(source)
        csv.field_size_limit(FIELD_SIZE_LIMIT)
        lines = _LineCounter(read_lines(source))
        # Lines keep their own endings, so a CRLF inside a quoted field reaches the text unchanged.
        rows = csv.reader(lines, delimiter="\t" if name.endswith(".tsv") else ",", strict=True)
        rows_read = self._rows(rows, lines, name)
        header = next(rows_read, None)
        header_cells = header[1] if header is not None else None
        self._check_header(header_cells, name)
        assert header_cells is not None
        number = 0
        for start_line, row in rows_read:
            if not row:
                continue  # a blank line is not a document
            number += 1
            if len(row) != len(header_cells):
                self.reject(
                    InputError(
                        f"row {number} has {len(row)} cells, the header has {len(header_cells)}",
                        path=name,
                        line=start_line,
                        rule="bad-row-length",
                    )
                )
                continue
            fields = dict(zip(header_cells, row, strict=True))
            yield document_from_fields(
                fields,
                text=fields[self.options.text_field],
                options=self.options,
                source=name,
                fallback_id=f"{source_stem(source)}-{number}",
                line=start_line,
                place={"row": number},
            )

    def _check_header(self, header: list[str] | None, name: str) -> None:
        """The header names the text column and no column twice; neither can be skipped past."""
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

    def _rows(
        self, rows: Iterator[list[str]], lines: _LineCounter, name: str
    ) -> Iterator[tuple[int, list[str]]]:
        """(line the row starts on, cells) of every row; a row with a broken quote is an error, or under
        --skip-invalid is skipped alone: the lines it swallowed are read again as the rows they are."""
        while True:
            start = lines.start_row()
            try:
                row = next(rows)
            except StopIteration:
                return
            except csv.Error as exc:
                error = _quote_error(exc, name=name, start=start, end=lines.line)
                if start == 1:
                    raise error from None  # the header cannot be skipped past
                self.reject(error)
                lines.give_back_all_but_first()
                continue
            yield start, row


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
