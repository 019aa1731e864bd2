"""Plain-text documents: one file is one document, with an optional leading ``date YYYY-MM-DD`` header."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from pathlib import Path

from toolkit.errors import InputError
from toolkit.readers.base import Document, Reader, read_text, source_name, source_stem

# The header the news scraper writes: leading whitespace, "date", an ISO day, then the body on the same line.
DATE_HEADER = re.compile(r"\A\s*date[ \t]+(\d{4}-\d{2}-\d{2})(?=\s|\Z)")


def find_date_header(text: str, *, path: str) -> tuple[str | None, int]:
    """The header's date and where the body starts (0 and None when there is no header)."""
    match = DATE_HEADER.match(text)
    if match is None:
        return None, 0
    try:
        datetime.date.fromisoformat(match.group(1))
    except ValueError:
        raise InputError(
            f"date header {match.group(1)!r} is not a calendar date",
            path=path,
            line=1,
            rule="bad-date-header",
        ) from None
    return match.group(1), match.end()


class TextReader(Reader):
    name = "txt"
    extensions = (".txt", ".text")

    def documents(self, source: str | Path) -> Iterator[Document]:
        name = source_name(source)
        text, had_bom = read_text(source)
        date, body_start = find_date_header(text, path=name)
        extra = {"bom": True} if had_bom else {}
        yield Document(
            doc_id=source_stem(source),
            text=text,
            source=name,
            start=body_start,
            date=date,
            extra=extra,
            line=1,
        )
