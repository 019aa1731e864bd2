"""CSV documents: a header row, then one document a row; the text column and metadata columns are named."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

from toolkit.errors import InputError
from toolkit.readers.base import Document, Reader, read_lines, source_name, source_stem
from toolkit.readers.jsonl import document_from_fields

# News articles outgrow csv's default 128 KiB field limit; 2**31 - 1 is the largest every platform accepts.
FIELD_SIZE_LIMIT = 2**31 - 1


class _LineCounter:
    """Feeds csv.reader decoded lines while remembering the file line each row starts on."""

    def __init__(self, lines: Iterator[tuple[int, str]]) -> None:
        self._lines = lines
        self.line = 0

    def __iter__(self) -> _LineCounter:
        return self

    def __next__(self) -> str:
        self.line, text = next(self._lines)
        return text


class CsvReader(Reader):
    name = "csv"
    extensions = (".csv", ".tsv")

    def documents(self, source: str | Path) -> Iterator[Document]:
        name = source_name(source)
        csv.field_size_limit(FIELD_SIZE_LIMIT)
        lines = _LineCounter(read_lines(source))
        # Lines keep their own endings, so a CRLF inside a quoted field reaches the text unchanged.
        rows = csv.reader(lines, delimiter="\t" if name.endswith(".tsv") else ",")
        header = next(self._rows(rows, lines, name), None)
        text_field = self.options.text_field
        if header is None or text_field not in header:
            found = ", ".join(header or []) or "nothing"
            raise InputError(
                f"no {text_field!r} column; the header has: {found}",
                path=name,
                line=1,
                rule="missing-text-column",
                hint="name the text column with --text-field",
            )
        number = 0
        for row in self._rows(rows, lines, name):
            if not row:
                continue  # a blank line is not a document
            number += 1
            start_line = lines.line - sum(cell.count("\n") for cell in row)
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
                text=fields[text_field],
                options=self.options,
                source=name,
                fallback_id=f"{source_stem(source)}-{number}",
                line=start_line,
                place={"row": number},
            )

    @staticmethod
    def _rows(rows: Iterator[list[str]], lines: _LineCounter, name: str) -> Iterator[list[str]]:
        try:
            yield from rows
        except csv.Error as exc:
            raise InputError(
                f"not valid CSV: {exc}", path=name, line=lines.line, rule="invalid-csv"
            ) from None
