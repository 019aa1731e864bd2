"""JSONL documents: one JSON object a line, its text in a configurable field, metadata beside it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from toolkit.errors import InputError
from toolkit.jsonl import ReadStats, read_json_lines
from toolkit.readers.base import Document, Reader, ReaderOptions, Skipped, source_name, source_stem

# meta.source is the path read; a document's own "source" (an outlet, a feed) is kept under this name.
DOCUMENT_SOURCE_KEY = "document_source"


def scalar_text(value: Any) -> str | None:
    """A metadata value as text; empty strings and missing values are None."""
    if value is None or value == "":
        return None
    return value if isinstance(value, str) else str(value)


def document_from_fields(
    fields: dict[str, Any],
    *,
    text: str,
    options: ReaderOptions,
    source: str,
    fallback_id: str,
    line: int,
    place: dict[str, int],
) -> Document:
    """A Document from one row's fields (JSONL or CSV); fields the toolkit does not know go to meta.extra."""
    named = {
        options.text_field,
        options.id_field,
        options.date_field,
        options.title_field,
        options.url_field,
        options.source_field,
    }
    extra: dict[str, Any] = {k: fields[k] for k in sorted(fields) if k not in named}
    outlet = scalar_text(fields.get(options.source_field))
    if outlet is not None:
        extra[DOCUMENT_SOURCE_KEY] = outlet
    extra.update(place)
    return Document(
        doc_id=scalar_text(fields.get(options.id_field)) or fallback_id,
        text=text,
        source=source,
        date=scalar_text(fields.get(options.date_field)),
        title=scalar_text(fields.get(options.title_field)),
        url=scalar_text(fields.get(options.url_field)),
        extra=extra,
        line=line,
    )


class JsonlReader(Reader):
    name = "jsonl"
    extensions = (".jsonl", ".ndjson")

    def documents(self, source: str | Path) -> Iterator[Document]:
        name = source_name(source)
        stats = ReadStats()
        lines = read_json_lines(source, skip_invalid=self.options.skip_invalid, stats=stats)
        seen_skips = 0
        for number, obj in lines:
            self.bytes_read = stats.bytes
            seen_skips = self._note_skips(stats, name, seen_skips)
            fields = self._fields(obj)
            text = fields.get(self.options.text_field)
            if not isinstance(text, str):
                self.reject(
                    InputError(
                        f"field {self.options.text_field!r} is missing or not a string",
                        path=name,
                        line=number,
                        rule="missing-text-field",
                        hint="name the text field with --text-field",
                    )
                )
                continue
            yield document_from_fields(
                fields,
                text=text,
                options=self.options,
                source=name,
                fallback_id=f"{source_stem(source)}-{number}",
                line=number,
                place={"line": number},
            )
        self._note_skips(stats, name, seen_skips)

    @staticmethod
    def _fields(obj: dict[str, Any]) -> dict[str, Any]:
        # A Prodigy-style task keeps its metadata under "meta": look there too, top level wins.
        meta = obj.get("meta")
        if isinstance(meta, dict):
            return {**meta, **{k: v for k, v in obj.items() if k != "meta"}}
        return obj

    def _note_skips(self, stats: ReadStats, name: str, seen: int) -> int:
        for line, message in stats.skipped[seen:]:
            rule = "invalid-json" if message.startswith("not valid JSON") else "not-an-object"
            self.skipped.append(Skipped(name, line, rule, message))
        return len(stats.skipped)
