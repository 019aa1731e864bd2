"""Reading gold JSONL for packaging: fast line splitting, typed decoding that keeps unknown keys, tokens raw.

The packager reads every input twice and this is where its time goes, so the reading is tuned: blocks of
4 MiB split into lines, msgspec's typed decoder (unknown keys send a line to the slower path that keeps
them), the tokens left as raw JSON for pyarrow to parse a batch at a time, and the cyclic garbage
collector paused while millions of short-lived objects stream through.
"""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

import msgspec
import orjson

from toolkit.errors import InputError
from toolkit.packaging.splits import GROUP_BY_DOC, GROUP_BY_PARAGRAPH, group_id
from toolkit.record import Meta, Record, Token, record_from_dict

_META_FIELDS = frozenset(f.name for f in msgspec.structs.fields(Meta)) - {"extra"}


class _StrictMeta(Meta, forbid_unknown_fields=True):
    pass


class RawTokensRecord(Record, forbid_unknown_fields=True):
    """A record whose tokens stay raw JSON bytes (``tokens``), every other field typed."""

    tokens: msgspec.Raw = msgspec.field(default_factory=lambda: msgspec.Raw(b"[]"))  # type: ignore[assignment]
    meta: _StrictMeta = msgspec.field(default_factory=_StrictMeta)


_RAW_TOKENS_DECODER = msgspec.json.Decoder(RawTokensRecord)
_TOKENS_DECODER = msgspec.json.Decoder(list[Token])


def decode_record(raw: bytes, *, path: str, line: int) -> Record:
    """A typed record from one JSON line; unknown keys are kept, as ``record_from_dict`` keeps them."""
    try:
        obj = orjson.loads(raw)
        if not isinstance(obj, dict):
            raise InputError("not a JSON object", path=path, line=line, rule="not-an-object")
        return record_from_dict(obj)
    except orjson.JSONDecodeError as exc:
        raise InputError(f"not valid JSON: {exc}", path=path, line=line, rule="invalid-json") from None
    except msgspec.ValidationError as exc:
        raise InputError(f"not a record: {exc}", path=path, line=line, rule="record-shape") from None


def decode_raw_tokens(raw: bytes, *, path: str, line: int) -> tuple[Record, bytes]:
    """A typed record and the raw JSON of its tokens (the record's own ``tokens`` must not be used).

    A line with keys the Record type does not know goes through ``decode_record`` so they are kept.
    """
    if b'"extra"' not in raw:
        with contextlib.suppress(msgspec.DecodeError):
            raw_record = _RAW_TOKENS_DECODER.decode(raw)
            return raw_record, bytes(raw_record.tokens)
    record = decode_record(raw, path=path, line=line)
    return record, msgspec.json.encode(record.tokens)


def decode_tokens(raw_tokens: bytes, *, path: str, line: int) -> list[Token]:
    try:
        return _TOKENS_DECODER.decode(raw_tokens)
    except msgspec.DecodeError as exc:
        raise InputError(f"bad tokens: {exc}", path=path, line=line, rule="record-shape") from None


def _meta_value(meta: Meta, key: str) -> Any:
    return getattr(meta, key) if key in _META_FIELDS else meta.extra.get(key)


def record_group(record: Record, group_by: str) -> str | None:
    """The group of a typed record (the same answer ``group_id`` gives for its JSON meta)."""
    meta = record.meta
    if group_by in (GROUP_BY_DOC, GROUP_BY_PARAGRAPH):
        return group_id({"doc_id": meta.doc_id, "id": meta.id, "paragraph": meta.paragraph}, group_by)
    return group_id({group_by: _meta_value(meta, group_by)}, group_by)


def file_state(path: Path) -> tuple[int, int]:
    """Size and modification time: enough to notice that a file changed between the two passes."""
    stat = path.stat()
    return stat.st_size, stat.st_mtime_ns
