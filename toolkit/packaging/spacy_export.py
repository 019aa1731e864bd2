"""spaCy DocBin export of a dataset split: entities as doc.ents, quotes as span groups, events as doc.cats.

Each split is a folder of ``.spacy`` shards of at most ``SHARD_DOCS`` documents, so memory stays flat on a
large corpus; ``spacy train`` takes the folder as it is (``--paths.train spacy/train``), with the configs of
spacy_configs.py. In each Doc:

- ``doc.user_data["id"]``: the record's ``meta.id`` (``doc_id`` too), so a prediction can be joined back;
- ``doc.ents``: the gold entities;
- ``doc.spans["quotes"]``: quote contents labelled with their kind; ``doc.spans["quote_speakers"]`` and
  ``doc.spans["quote_cues"]`` hold speakers (``SPEAKER``) and cues (``CUE``); the three share ``span.id_``
  (``q0``, ``q1``, ...) per quote;
- ``doc.spans["event_triggers"]``: triggers labelled with their PLOVER type;
- ``doc.cats``: every PLOVER type, 1.0 when the record has an event of that type, else 0.0
  (the shape ``textcat_multilabel`` trains on).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import msgspec

from toolkit.labels import PLOVER_TYPES
from toolkit.packaging.configs import entity_token_spans
from toolkit.record import Record, Role, Token

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span
    from spacy.vocab import Vocab

SHARD_DOCS = 10_000


@contextlib.contextmanager
def msgpack_encoders_cached() -> Iterator[None]:
    """Look srsly's msgpack encoders up once for a whole export instead of once per span group of every Doc.

    srsly builds a new Packer for every ``msgpack_dumps`` and each Packer asks catalogue for all encoders,
    which scans the global registry and every installed package's entry points: measured, that was 0.7 ms per
    call and 90% of an export (a Doc with four span groups serialises five times). Nothing can register an
    encoder while we export, so the answer is computed once and given back for the duration.
    """
    import srsly.msgpack

    registry = srsly.msgpack.msgpack_encoders
    encoders = registry.get_all()
    registry.get_all = lambda: encoders  # an instance attribute shadows the method until deleted
    try:
        yield
    finally:
        del registry.get_all


def _spaces(record: Record) -> list[bool]:
    tokens = record.tokens
    spaces = []
    for i, token in enumerate(tokens):
        if token.ws is not None:
            spaces.append(token.ws)
        else:
            following = tokens[i + 1].start if i + 1 < len(tokens) else len(record.text)
            spaces.append(following > token.end)
    return spaces


def _role_span(doc: Doc, role: Role | None, label: str, span_id: str) -> Span | None:
    if role is None:
        return None
    return doc.char_span(role.start, role.end, label=label, alignment_mode="expand", span_id=span_id)


def record_to_doc(record: Record, vocab: Vocab, tokens: list[Token] | None = None) -> Doc:
    """A Doc with the record's tokens (or ``tokens`` when the record was read without them) and its gold."""
    from spacy.tokens import Doc, Span

    if tokens is not None:
        record = msgspec.structs.replace(record, tokens=tokens)
    doc = Doc(vocab, words=[t.text for t in record.tokens], spaces=_spaces(record))
    doc.user_data["id"] = record.meta.id
    doc.user_data["doc_id"] = record.meta.doc_id
    doc.ents = [Span(doc, first, last + 1, label=label) for first, last, label in entity_token_spans(record)]
    contents: list[Span] = []
    speakers: list[Span] = []
    cues: list[Span] = []
    for number, quote in enumerate(record.quotes):
        quote_id = f"q{number}"
        for role, label, group in (
            (quote.content, quote.kind, contents),
            (quote.speaker, "SPEAKER", speakers),
            (quote.cue, "CUE", cues),
        ):
            span = _role_span(doc, role, label, quote_id)
            if span is not None:
                group.append(span)
    doc.spans["quotes"] = contents
    doc.spans["quote_speakers"] = speakers
    doc.spans["quote_cues"] = cues
    triggers = [_role_span(doc, e.trigger, e.label, f"e{i}") for i, e in enumerate(record.events)]
    doc.spans["event_triggers"] = [span for span in triggers if span is not None]
    present = {event.label for event in record.events}
    doc.cats = {label: float(label in present) for label in PLOVER_TYPES}
    return doc


SPAN_KEYS: tuple[str, ...] = ("quotes", "quote_speakers", "quote_cues", "event_triggers")


class DocBinShards:
    """Writes one split's Docs as numbered ``.spacy`` shards in a folder, noting what the configs need:
    the longest span of each span key (in tokens) and which tasks have any annotation."""

    def __init__(self, folder: Path, *, shard_docs: int = SHARD_DOCS) -> None:
        import spacy

        self.folder = folder
        self.shard_docs = shard_docs
        self.vocab = spacy.blank("en").vocab
        self.files: list[Path] = []
        self.docs = 0
        self.longest: dict[str, int] = dict.fromkeys(SPAN_KEYS, 0)
        self.annotated: dict[str, bool] = {"entities": False, "quotes": False, "events": False}
        self._bin = self._new_bin()

    @staticmethod
    def _new_bin() -> Any:
        from spacy.tokens import DocBin

        return DocBin(store_user_data=True)

    def add(self, record: Record, tokens: list[Token] | None = None) -> None:
        doc = record_to_doc(record, self.vocab, tokens)
        self._bin.add(doc)
        self.docs += 1
        for key in SPAN_KEYS:
            for span in doc.spans[key]:
                self.longest[key] = max(self.longest[key], len(span))
        annotated = self.annotated
        annotated["entities"] = annotated["entities"] or bool(doc.ents)
        annotated["quotes"] = annotated["quotes"] or bool(doc.spans["quotes"])
        annotated["events"] = annotated["events"] or bool(record.events)
        if len(self._bin) >= self.shard_docs:
            self._flush()

    def _flush(self) -> None:
        if not len(self._bin):
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"{len(self.files):05d}.spacy"
        path.write_bytes(self._bin.to_bytes())
        self.files.append(path)
        self._bin = self._new_bin()

    def close(self) -> list[Path]:
        self._flush()
        return self.files
