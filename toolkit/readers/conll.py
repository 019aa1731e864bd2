"""CoNLL-2003 documents: a token a line, the NER tag last, IOB1 or IOB2, -DOCSTART- between documents.

The document text is rebuilt from the tokens (single spaces, one sentence a line); each CoNLL sentence is one
unit that keeps its own tokens, and gold entities become spans with source ``human:conll``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from toolkit.errors import InputError
from toolkit.readers.base import Document, Reader, Unit, read_lines, source_name, source_stem
from toolkit.record import Span

SOURCE = "human:conll"
DOCSTART = "-DOCSTART-"
TAG = re.compile(r"O|[BI]-\S+")


@dataclass
class _Sentence:
    line: int
    tokens: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    bad: bool = False


@dataclass
class _Doc:
    line: int
    marked: bool = False
    sentences: list[_Sentence] = field(default_factory=list)


def tag_chunks(tags: list[str]) -> list[tuple[int, int, str]]:
    """Entity chunks (first token, last token inclusive, label) from IOB1 or IOB2 tags.

    One rule reads both schemes: B- always starts a chunk; I- starts one unless it continues a chunk of the
    same label (IOB1 writes B- only between two adjacent chunks of one label)."""
    chunks: list[tuple[int, int, str]] = []
    current: list = []
    for i, tag in enumerate(tags):
        prefix, label = (tag[0], tag[2:]) if tag != "O" else ("O", "")
        continues = prefix == "I" and current and current[2] == label and current[1] == i - 1
        if continues:
            current[1] = i
            continue
        if current:
            chunks.append(tuple(current))
            current = []
        if prefix != "O":
            current = [i, i, label]
    if current:
        chunks.append(tuple(current))
    return chunks


class ConllReader(Reader):
    name = "conll"
    extensions = (".conll", ".conll03", ".iob", ".bio")

    def documents(self, source: str | Path) -> Iterator[Document]:
        name = source_name(source)
        stem = source_stem(source)
        for index, doc in enumerate(self._parse(read_lines(source), name), start=1):
            # A file without -DOCSTART- is one document named after the file; marked documents are numbered.
            doc_id = f"{stem}-{index}" if doc.marked or index > 1 else stem
            yield self._document(doc, doc_id=doc_id, source=name)

    def _parse(self, lines: Iterator[tuple[int, str]], name: str) -> Iterator[_Doc]:
        """Group lines into documents and sentences, checking columns and tags as it goes."""
        columns: int | None = None
        doc = _Doc(line=0)
        sentence: _Sentence | None = None
        for number, raw in lines:
            cells = raw.split()
            if not cells or cells[0] == DOCSTART:
                if sentence is not None:
                    doc.sentences.append(sentence)
                    sentence = None
                if cells:
                    if doc.sentences:
                        yield doc
                    doc = _Doc(line=number, marked=True)
                continue
            if sentence is None:
                sentence = _Sentence(line=number)
            columns = columns or len(cells)
            problem = self._check_line(cells, columns)
            if problem:
                self.reject(InputError(problem[1], path=name, line=number, rule=problem[0]))
                sentence.bad = True  # under --skip-invalid the whole sentence goes, not just the line
                continue
            sentence.tokens.append(cells[0])
            sentence.tags.append(cells[-1])
        if sentence is not None:
            doc.sentences.append(sentence)
        if doc.sentences:
            yield doc

    @staticmethod
    def _check_line(cells: list[str], columns: int) -> tuple[str, str] | None:
        if len(cells) < 2:
            return "bad-columns", "expected 'token NER' or 'token POS chunk NER', found one column"
        if len(cells) != columns:
            return "bad-columns", f"{len(cells)} columns where this file has {columns}"
        if not TAG.fullmatch(cells[-1]):
            return "bad-tag", f"NER tag {cells[-1]!r} is not O, B-LABEL or I-LABEL"
        return None

    @staticmethod
    def _document(doc: _Doc, *, doc_id: str, source: str) -> Document:
        text_parts: list[str] = []
        units: list[Unit] = []
        spans: list[Span] = []
        offset = 0
        for sentence in (s for s in doc.sentences if not s.bad):
            if text_parts:
                text_parts.append("\n")
                offset += 1
            token_offsets = []
            for i, token in enumerate(sentence.tokens):
                if i:
                    offset += 1
                token_offsets.append((offset, offset + len(token)))
                offset += len(token)
            text_parts.append(" ".join(sentence.tokens))
            for first, last, label in tag_chunks(sentence.tags):
                spans.append(
                    Span(
                        start=token_offsets[first][0],
                        end=token_offsets[last][1],
                        label=label,
                        source=SOURCE,
                    )
                )
            units.append(
                Unit(
                    start=token_offsets[0][0],
                    end=token_offsets[-1][1],
                    paragraph=len(units),
                    tokens=token_offsets,
                    extra={"line": sentence.line},
                )
            )
        return Document(
            doc_id=doc_id,
            text="".join(text_parts),
            source=source,
            units=units,
            spans=spans,
            line=doc.line if doc.marked else doc.sentences[0].line,
            # Offsets index the text rebuilt from the tokens, not the file: say so, for offset checkers.
            extra={"rebuilt_text": True},
        )
