"""Readers turn source files into Documents; a new format is one Reader subclass plus one line in READERS."""

from __future__ import annotations

from toolkit.readers.base import Document, QuoteLink, Reader, ReaderOptions, Skipped, Unit
from toolkit.readers.brat import BratReader
from toolkit.readers.conll import ConllReader
from toolkit.readers.csv import CsvReader
from toolkit.readers.jsonl import JsonlReader
from toolkit.readers.text import TextReader

READERS: dict[str, type[Reader]] = {
    "txt": TextReader,
    "jsonl": JsonlReader,
    "csv": CsvReader,
    "conll": ConllReader,
    "brat": BratReader,
}

__all__ = ["READERS", "Document", "QuoteLink", "Reader", "ReaderOptions", "Skipped", "Unit"]
