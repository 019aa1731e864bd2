"""The one record that flows through every stage: a Prodigy NER task plus quotes, events and provenance.

Offsets are Python code points, half-open [start, end), into the record's own ``text`` (spans, quote
roles, triggers, tokens) or into the source document (``meta.start``/``meta.end``). ``token_end`` is
inclusive, as in Prodigy. Keys the toolkit does not know are kept in ``extra`` (top level) and
``Meta.extra`` and written back out, so a file passes through every stage without losing fields.
"""

from __future__ import annotations

import hashlib
from typing import Any

import msgspec
import orjson

ANSWERS: tuple[str, ...] = ("accept", "reject", "ignore")


class Token(msgspec.Struct, omit_defaults=True):
    text: str
    start: int
    end: int
    id: int
    # Older Prodigy exports lack ``ws``; None means "not given" and is not written back.
    ws: bool | None = None


class Span(msgspec.Struct, omit_defaults=True):
    """An entity (or any labelled span) in the record's text."""

    start: int
    end: int
    label: str
    token_start: int | None = None
    token_end: int | None = None  # inclusive
    text: str | None = None
    source: str | None = None
    id: str | None = None


class Role(msgspec.Struct, omit_defaults=True):
    """One role of a quote (content, speaker or cue), or an event trigger."""

    start: int
    end: int
    text: str | None = None


class ResolvedSpeaker(msgspec.Struct, omit_defaults=True):
    """Who a pronoun or role speaker ("he", "the statement") refers to, and the record it was found in."""

    text: str
    record_id: str
    label: str | None = None


# Quotes and events write every field, nulls included: a reader sees the kind and the empty roles
# without having to know the defaults.
class Quote(msgspec.Struct):
    content: Role | None = None
    speaker: Role | None = None
    cue: Role | None = None
    kind: str = "direct"
    source: str | None = None
    # A quote that runs across sentences has one id shared by the pieces in each record.
    id: str | None = None
    speaker_resolved: ResolvedSpeaker | None = None
    linked_records: list[str] = []


class Event(msgspec.Struct):
    label: str
    trigger: Role | None = None
    source: str | None = None


class Meta(msgspec.Struct, omit_defaults=True):
    id: str | None = None
    doc_id: str | None = None
    unit: int | None = None
    start: int | None = None
    end: int | None = None
    date: str | None = None
    source: str | None = None
    text_sha256: str | None = None
    title: str | None = None
    url: str | None = None
    paragraph: int | None = None
    extra: dict[str, Any] = {}


class Record(msgspec.Struct, omit_defaults=True):
    text: str
    tokens: list[Token] = []
    spans: list[Span] = []
    quotes: list[Quote] = []
    events: list[Event] = []
    meta: Meta = msgspec.field(default_factory=Meta)
    answer: str | None = None
    input_hash: int | None = msgspec.field(default=None, name="_input_hash")
    task_hash: int | None = msgspec.field(default=None, name="_task_hash")
    annotator_id: str | None = msgspec.field(default=None, name="_annotator_id")
    session_id: str | None = msgspec.field(default=None, name="_session_id")
    timestamp: int | float | None = msgspec.field(default=None, name="_timestamp")
    view_id: str | None = msgspec.field(default=None, name="_view_id")
    extra: dict[str, Any] = {}

    @property
    def id(self) -> str | None:
        return self.meta.id


def _encoded_names(struct: type[msgspec.Struct]) -> frozenset[str]:
    info = msgspec.inspect.type_info(struct)
    assert isinstance(info, msgspec.inspect.StructType)
    return frozenset(f.encode_name for f in info.fields if f.name != "extra")


RECORD_KEYS = _encoded_names(Record)
META_KEYS = _encoded_names(Meta)


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def record_id(doc_id: str, unit: int) -> str:
    """The stable id of a unit: ``<doc_id>:<unit>``."""
    return f"{doc_id}:{unit}"


def _split_known(obj: dict[str, Any], known: frozenset[str]) -> tuple[dict[str, Any], dict[str, Any]]:
    if known.issuperset(obj):
        return obj, {}
    kept = {k: v for k, v in obj.items() if k in known}
    extra = {k: v for k, v in obj.items() if k not in known}
    return kept, extra


def record_from_dict(obj: dict[str, Any]) -> Record:
    """Build a typed record from a decoded JSON object; raises msgspec.ValidationError on wrong types."""
    kept, extra = _split_known(obj, RECORD_KEYS)
    meta = kept.get("meta")
    if isinstance(meta, dict):
        meta_kept, meta_extra = _split_known(meta, META_KEYS)
        if meta_extra:
            kept = {**kept, "meta": {**meta_kept, "extra": meta_extra}}
    record = msgspec.convert(kept, Record)
    if extra:
        record.extra = extra
    return record


def record_to_dict(record: Record) -> dict[str, Any]:
    """The plain JSON object of a record, with unknown keys put back where they came from."""
    obj = msgspec.to_builtins(record)
    extra = obj.pop("extra", None)
    meta = obj.get("meta")
    if meta is not None:
        meta_extra = meta.pop("extra", None)
        if meta_extra:
            # Sorted so that output bytes never depend on dict insertion order upstream.
            meta.update({k: meta_extra[k] for k in sorted(meta_extra) if k not in meta})
    if extra:
        obj.update({k: extra[k] for k in sorted(extra) if k not in obj})
    return obj


_ENCODER = msgspec.json.Encoder()


def record_to_json(record: Record) -> bytes:
    """The record as one line of JSON: the same bytes as ``orjson.dumps(record_to_dict(record))``.

    msgspec encodes the typed record straight to bytes, three times faster than building the dict and
    encoding that. Where the two libraries would write different bytes the dict path is taken: unknown keys
    (merged and sorted by ``record_to_dict``) and a float timestamp (from 1e16 up, orjson writes ``1e+16``
    and msgspec ``1e16``).
    """
    if record.extra or record.meta.extra or type(record.timestamp) is float:
        return orjson.dumps(record_to_dict(record))
    return _ENCODER.encode(record)


def doc_tokens(doc: Any, text: str) -> list[Token]:
    """Record tokens of a whole spaCy Doc made from ``text``: the same as ``make_tokens(doc)``, read from one
    array of (offset, length, space after) instead of one spaCy Token object per token (a third faster)."""
    from spacy.attrs import IDX, LENGTH, SPACY  # there is a Doc, so spaCy is loaded already

    rows = doc.to_array([IDX, LENGTH, SPACY]).tolist()
    return [
        Token(text[start : start + n], start, start + n, i, space == 1)
        for i, (start, n, space) in enumerate(rows)
    ]


def make_tokens(doc_tokens: Any) -> list[Token]:
    """Record tokens from spaCy tokens (or anything with text, idx, whitespace_ and i)."""
    return [
        Token(text=t.text, start=t.idx, end=t.idx + len(t.text), id=t.i, ws=bool(t.whitespace_))
        for t in doc_tokens
    ]
