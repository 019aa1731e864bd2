"""Packaging's second pass: every record becomes one row of each config, written to Parquet a batch at a time.

The first pass (survey.py) decoded and checked every line and noted its group, so this pass only routes raw
lines to their split. Each batch is parsed by pyarrow's JSON reader straight into the ``full`` config's
columns (C++, no Python object per field), and the ``entities``, ``quotes`` and ``events`` columns are derived
from those with Arrow and numpy. Keys the Record type does not know (kept as JSON text) are found per row only
in a batch that has some.

Anything unusual in a batch (an entity without token indices, a label outside the label set, a value Arrow
cannot hold...) sends that batch down the exact path: typed records and the row functions of
toolkit/packaging/configs.py, which either give the same rows or raise an error naming the line. Tests check
that both paths write the same bytes. Label counts per split come from each batch's Arrow columns. DocBin
shards are optional.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import io
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import msgspec
import orjson

from toolkit.errors import InputError
from toolkit.jsonl import numbered_lines
from toolkit.packaging.configs import (
    CONFIG_NAMES,
    DatasetLabels,
    RowError,
    arrow_schema,
    check_alignment,
    entity_columns,
    events_row,
    features,
    full_row,
    quotes_row,
    token_ranges,
)
from toolkit.packaging.readback import decode_raw_tokens, decode_tokens, file_state
from toolkit.packaging.splits import SPLIT_NAMES
from toolkit.packaging.survey import InputFile
from toolkit.record import META_KEYS, RECORD_KEYS, Record, Token

BATCH_ROWS = 5_000
# Where each task's labels sit in the full config: (list column, struct field).
LABEL_COLUMNS = {
    "entities": ("spans", "label"),
    "quote_kinds": ("quotes", "kind"),
    "event_types": ("events", "label"),
}
_ARROW_ERRORS: tuple[type[BaseException], ...] = (TypeError, ValueError, OverflowError, IndexError)


class _ExactPath(Exception):
    """The batch needs the exact, record-by-record path."""


def _token_bounds(starts: Any, ends: Any, first: int, count: int) -> tuple[Any, Any]:
    """The token offsets of one record inside the batch's flat token columns."""
    return starts[first : first + count], ends[first : first + count]


def _token_tuples(tokens: Sequence[Token]) -> list[tuple]:
    return [(t.text, t.start, t.end, t.id, t.ws) for t in tokens]


def record_digest(record: Record, tokens: Sequence[Token]) -> bytes:
    """A digest of the whole record (defaults spelled out), the same however it was decoded or rebuilt."""
    row = full_row(record, tokens=False)
    row["tokens"] = _token_tuples(tokens)
    return hashlib.blake2b(orjson.dumps(row, option=orjson.OPT_SORT_KEYS), digest_size=12).digest()


def arrow_table(rows: list[dict[str, Any]], schema: Any, given: Mapping[str, Any]) -> Any:
    """Rows to a table column by column (several times faster than ``Table.from_pylist`` on nested lists);
    ``given`` holds columns already built as Arrow arrays."""
    import pyarrow as pa

    columns = [
        given[f.name] if f.name in given else pa.array([row.get(f.name) for row in rows], type=f.type)
        for f in schema
    ]
    return pa.Table.from_arrays(columns, schema=schema)


# ---------------------------------------------------------------- unknown keys


_OBJECT_DECODER = msgspec.json.Decoder(dict[str, msgspec.Raw])


def _json_text(value: Mapping[str, Any]) -> str | None:
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode() if value else None


def unknown_keys(raw: bytes) -> tuple[str | None, str | None]:
    """The ``extra`` and ``meta.extra`` JSON texts of a line, as ``full_row`` writes them (None: no keys).

    Values stay raw JSON until a key turns out to be unknown, so a line costs little more than one scan.
    """
    fields = _OBJECT_DECODER.decode(raw)
    extra = {k: orjson.loads(bytes(v)) for k, v in fields.items() if k not in RECORD_KEYS}
    meta = fields.get("meta")
    meta_fields = _OBJECT_DECODER.decode(meta) if meta is not None else {}
    meta_extra = {k: orjson.loads(bytes(v)) for k, v in meta_fields.items() if k not in META_KEYS}
    return _json_text(extra), _json_text(meta_extra)


# ---------------------------------------------------------------- the Arrow path


@cache
def _json_schema(labels: DatasetLabels) -> Any:
    """The full config's schema as JSON lines hold it: no ``id``, ``extra`` or ``meta.extra`` columns."""
    import pyarrow as pa

    full = features("full", labels).arrow_schema
    meta = full.field("meta").type
    fields = []
    for f in full:
        if f.name in ("id", "extra"):
            continue
        if f.name == "meta":
            f = pa.field("meta", pa.struct([m for m in meta if m.name != "extra"]))
        fields.append(f)
    return pa.schema(fields)


def _list_parts(column: Any) -> tuple[Any, Any]:
    """(offsets from 0 as numpy int64, the values they index) of a list column; null lists are empty."""
    import numpy as np

    offsets = column.offsets.to_numpy().astype(np.int64)
    first = int(offsets[0])
    values = column.values.slice(first, int(offsets[-1]) - first)
    return offsets - first, values


def _empty_for_null(column: Any) -> Any:
    """A list column whose nulls are empty lists, as a record's default ``[]`` is."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if not column.null_count:
        return column
    return pc.fill_null(column, pa.scalar([], type=column.type))


def _records_of(offsets: Any) -> Any:
    """For each value of a list column, the row it belongs to."""
    import numpy as np

    return np.repeat(np.arange(len(offsets) - 1), np.diff(offsets))


def _indices(values: Any, names: Sequence[str]) -> Any:
    """Positions of ``values`` in ``names`` (ClassLabel ids); a value outside them needs the exact path."""
    import pyarrow as pa
    import pyarrow.compute as pc

    found = pc.index_in(values, value_set=pa.array(list(names), type=pa.string()))
    if found.null_count:
        raise _ExactPath
    return found.cast(pa.int64())


def _slices(texts: list[str], records: Any, starts: Any, ends: Any) -> list[str]:
    return [texts[r][s:e] for r, s, e in zip(records.tolist(), starts.tolist(), ends.tolist(), strict=True)]


def _ner_columns(tokens: Any, spans: Any, labels: DatasetLabels, types: Mapping[str, Any]) -> tuple[Any, Any]:
    """``ner_tags`` and ``entities`` of a batch, from the token and span columns of the full config."""
    import numpy as np
    import pyarrow as pa

    token_offsets, token_values = _list_parts(tokens)
    span_offsets, span_values = _list_parts(spans)
    total = int(token_offsets[-1])
    records = _records_of(span_offsets)
    first, last = span_values.field("token_start"), span_values.field("token_end")
    if first.null_count or last.null_count:
        raise _ExactPath  # placed by character offsets: the exact path does that
    first, last = first.to_numpy().astype(np.int64), last.to_numpy().astype(np.int64)
    starts = span_values.field("start").to_numpy().astype(np.int64)
    ends = span_values.field("end").to_numpy().astype(np.int64)
    label = _indices(span_values.field("label"), labels.entities.labels).to_numpy()
    counts = np.diff(token_offsets)[records]
    if len(records) and ((first < 0).any() or (last < first).any() or (last >= counts).any()):
        raise _ExactPath
    begin, end = token_offsets[records] + first, token_offsets[records] + last
    token_starts = token_values.field("start").to_numpy().astype(np.int64)
    token_ends = token_values.field("end").to_numpy().astype(np.int64)
    if len(records) and ((token_starts[begin] != starts).any() or (token_ends[end] != ends).any()):
        raise _ExactPath
    lengths = last - first + 1
    positions = np.repeat(begin, lengths) + (
        np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    )
    if len(positions) and np.bincount(positions, minlength=total).max() > 1:
        raise _ExactPath  # overlapping entities: the exact path names the line
    tags = np.zeros(total, dtype=np.int64)
    tags[positions] = 2 + 2 * np.repeat(label, lengths)
    tags[begin] = 1 + 2 * label
    ner_tags = pa.ListArray.from_arrays(
        pa.array(token_offsets, type=pa.int32()), pa.array(tags), type=types["entities.ner_tags"]
    )
    entity_type = types["entities.entities"].value_type
    entity_values = pa.StructArray.from_arrays(
        [span_values.field("start"), span_values.field("end"), pa.array(label)], fields=list(entity_type)
    )
    entities = pa.ListArray.from_arrays(
        pa.array(span_offsets, type=pa.int32()), entity_values, type=types["entities.entities"]
    )
    return ner_tags, entities


def _quote_column(quotes: Any, texts: list[str], labels: DatasetLabels, quote_type: Any) -> Any:
    """The ``quotes`` config's column, from the full config's quotes."""
    import pyarrow as pa

    offsets, values = _list_parts(quotes)
    records = _records_of(offsets)
    item_type = quote_type.value_type
    roles = []
    for name in ("content", "speaker", "cue"):
        role = values.field(name)
        start, end = role.flatten()[:2]
        roles.append(
            pa.StructArray.from_arrays(
                [start, end], fields=list(item_type.field(name).type), mask=role.is_null()
            )
        )
    speaker = values.field("speaker")
    has_speaker = ~speaker.is_null().to_numpy(zero_copy_only=False)
    speaker_start, speaker_end = (a.to_numpy(zero_copy_only=False) for a in speaker.flatten()[:2])
    speaker_text: list[str | None] = [None] * len(values)
    chosen = has_speaker.nonzero()[0]
    for i, text in zip(
        chosen.tolist(),
        _slices(texts, records[chosen], speaker_start[chosen].astype(int), speaker_end[chosen].astype(int)),
        strict=True,
    ):
        speaker_text[i] = text
    resolved = values.field("speaker_resolved").flatten()[0]
    items = pa.StructArray.from_arrays(
        [
            *roles,
            _indices(values.field("kind"), labels.quote_kinds),
            pa.array(speaker_text, type=pa.string()),
            resolved,
        ],
        fields=list(item_type),
    )
    return pa.ListArray.from_arrays(pa.array(offsets, type=pa.int32()), items, type=quote_type)


def _event_columns(
    events: Any, texts: list[str], labels: DatasetLabels, types: Mapping[str, Any]
) -> tuple[Any, Any]:
    """``event_types`` (sorted, each once) and ``triggers`` of a batch, from the full config's events."""
    import numpy as np
    import pyarrow as pa

    offsets, values = _list_parts(events)
    rows = len(offsets) - 1
    records = _records_of(offsets)
    label = _indices(values.field("label"), labels.event_types).to_numpy()
    width = len(labels.event_types)
    found = np.unique(records * width + label)
    type_offsets = np.concatenate([[0], np.cumsum(np.bincount(found // width, minlength=rows))])
    event_types = pa.ListArray.from_arrays(
        pa.array(type_offsets, type=pa.int32()), pa.array(found % width), type=types["events.event_types"]
    )
    trigger = values.field("trigger")
    kept = (~trigger.is_null().to_numpy(zero_copy_only=False)).nonzero()[0]
    start, end = (a.to_numpy(zero_copy_only=False)[kept].astype(int) for a in trigger.flatten()[:2])
    trigger_offsets = np.concatenate([[0], np.cumsum(np.bincount(records[kept], minlength=rows))])
    trigger_type = types["events.triggers"].value_type
    trigger_values = pa.StructArray.from_arrays(
        [
            pa.array(start, type=pa.int32()),
            pa.array(end, type=pa.int32()),
            pa.array(label[kept]),
            pa.array(_slices(texts, records[kept], start, end), type=pa.string()),
        ],
        fields=list(trigger_type),
    )
    triggers = pa.ListArray.from_arrays(
        pa.array(trigger_offsets, type=pa.int32()), trigger_values, type=types["events.triggers"]
    )
    return event_types, triggers


# ---------------------------------------------------------------- one split


class SplitWriter:
    """Collects one split's lines and writes each batch as a row group of every config's Parquet file."""

    def __init__(self, folder: Path, split: str, labels: DatasetLabels, *, exact: bool = False) -> None:
        self.folder, self.split, self.labels, self.exact = folder, split, labels, exact
        self.schemas = {c: arrow_schema(c, labels) for c in CONFIG_NAMES}
        self.raws: list[bytes] = []
        self.where: list[tuple[str, int]] = []
        self.writers: dict[str, Any] = {}
        self.num_examples = 0
        self.label_counts: dict[str, Counter] = {task: Counter() for task in LABEL_COLUMNS}
        self.unknown_keys_seen = False
        self.exact_batches = 0

    def add(self, raw: bytes, where: tuple[str, int]) -> None:
        self.raws.append(raw)
        self.where.append(where)
        self.num_examples += 1
        if len(self.raws) >= BATCH_ROWS:
            self.flush()

    # -- the Arrow path

    def _parse(self, unexpected: str) -> Any:
        import pyarrow.json as pj

        longest = max(len(raw) for raw in self.raws) + 16
        return pj.read_json(
            io.BytesIO(b"\n".join(self.raws)),
            read_options=pj.ReadOptions(block_size=max(1 << 22, longest)),
            parse_options=pj.ParseOptions(
                explicit_schema=_json_schema(self.labels), unexpected_field_behavior=unexpected
            ),
        )

    def _parsed(self) -> tuple[Any, list[str | None] | None, list[str | None] | None]:
        """The batch parsed by Arrow, and the unknown-key texts per row (None: no row has any)."""
        import pyarrow as pa

        try:
            if not self.unknown_keys_seen:
                with contextlib.suppress(pa.ArrowInvalid):
                    return self._parse("error"), None, None
            found = [unknown_keys(raw) for raw in self.raws]
            self.unknown_keys_seen = self.unknown_keys_seen or any(a or b for a, b in found)
            return self._parse("ignore"), [a for a, _ in found], [b for _, b in found]
        except (pa.ArrowException, *_ARROW_ERRORS, orjson.JSONDecodeError, msgspec.DecodeError):
            raise _ExactPath from None

    def _full_table(self, parsed: Any, extra: Any, meta_extra: Any) -> Any:
        import pyarrow as pa
        import pyarrow.compute as pc

        schema = self.schemas["full"]
        if parsed.num_rows != len(self.raws):
            raise _ExactPath
        columns = {name: parsed.column(name).combine_chunks() for name in parsed.column_names}
        for name in ("tokens", "spans", "quotes", "events"):
            columns[name] = _empty_for_null(columns[name])
        quotes = columns["quotes"]
        offsets, values = _list_parts(quotes)
        quote_type = schema.field("quotes").type.value_type
        children = {f.name: values.field(f.name) for f in quote_type}
        children["kind"] = pc.fill_null(children["kind"], "direct")  # the default, spelled out
        children["linked_records"] = _empty_for_null(children["linked_records"])
        quote_values = pa.StructArray.from_arrays(
            [children[f.name] for f in quote_type], fields=list(quote_type)
        )
        columns["quotes"] = pa.ListArray.from_arrays(
            pa.array(offsets, type=pa.int32()), quote_values, type=schema.field("quotes").type
        )
        meta_type = schema.field("meta").type
        meta = columns["meta"].flatten()  # a missing meta is a meta of nulls, as the record's default is
        meta.append(pa.array(meta_extra if meta_extra is not None else [None] * len(self.raws), pa.string()))
        columns["meta"] = pa.StructArray.from_arrays(meta, fields=list(meta_type))
        columns["id"] = meta[meta_type.get_field_index("id")]
        columns["extra"] = pa.array(extra if extra is not None else [None] * len(self.raws), pa.string())
        return pa.Table.from_arrays([columns[f.name] for f in schema], schema=schema)

    def _arrow_tables(self) -> dict[str, Any]:
        import pyarrow as pa

        parsed, extra, meta_extra = self._parsed()
        try:
            full = self._full_table(parsed, extra, meta_extra)
            texts = full.column("text").to_pylist()
            tokens, spans = full.column("tokens").chunk(0), full.column("spans").chunk(0)
            entity_schema = self.schemas["entities"]
            types = {f"{c}.{f.name}": f.type for c, schema in self.schemas.items() for f in schema}
            ner_tags, entities = _ner_columns(tokens, spans, self.labels, types)
            token_offsets, token_values = _list_parts(tokens)
            token_texts = pa.ListArray.from_arrays(
                pa.array(token_offsets, type=pa.int32()),
                token_values.field("text"),
                type=entity_schema.field("tokens").type,
            )
            ids, text = full.column("id"), full.column("text")
            quotes = _quote_column(full.column("quotes").chunk(0), texts, self.labels, types["quotes.quotes"])
            event_types, triggers = _event_columns(full.column("events").chunk(0), texts, self.labels, types)
            columns = {
                "entities": {"tokens": token_texts, "ner_tags": ner_tags, "entities": entities},
                "quotes": {"quotes": quotes},
                "events": {"event_types": event_types, "triggers": triggers},
            }
            shared = {"id": ids, "text": text}
            tables = {
                config: pa.Table.from_arrays(
                    [
                        columns[config][f.name] if f.name in columns[config] else shared[f.name]
                        for f in schema
                    ],
                    schema=schema,
                )
                for config, schema in self.schemas.items()
                if config != "full"
            }
        except (pa.ArrowException, *_ARROW_ERRORS):
            raise _ExactPath from None
        tables["full"] = full
        return {c: tables[c] for c in CONFIG_NAMES}

    # -- the exact path

    def _exact_tables(self) -> dict[str, Any]:
        import pyarrow as pa

        records, raw_tokens = [], []
        for raw, (path, line) in zip(self.raws, self.where, strict=True):
            record, tokens = decode_raw_tokens(raw, path=path, line=line)
            records.append(record)
            raw_tokens.append(tokens)
        tokens = self._parsed_tokens(records, raw_tokens)
        rows, tags, entities = self._rows(records, tokens)
        offsets = tokens.offsets.to_numpy()
        entity_schema = self.schemas["entities"]
        given = {
            "entities": {
                "tokens": pa.ListArray.from_arrays(
                    pa.array(offsets - offsets[0], type=pa.int32()),
                    tokens.flatten().field("text"),
                    type=entity_schema.field("tokens").type,
                ),
                "ner_tags": pa.array(tags, type=entity_schema.field("ner_tags").type),
                "entities": pa.array(entities, type=entity_schema.field("entities").type),
            },
            "full": {"tokens": tokens},
        }
        return {c: self._table(c, rows[c], given.get(c, {})) for c in CONFIG_NAMES}

    def _parsed_tokens(self, records: list[Record], raw_tokens: list[bytes]) -> Any:
        """The batch's tokens as one Arrow list-of-struct column, parsed by pyarrow from the raw JSON."""
        import pyarrow as pa
        import pyarrow.json as pj

        token_type = self.schemas["full"].field("tokens").type
        buffer = b"".join(b'{"t":' + raw + b"}\n" for raw in raw_tokens)
        longest = max(len(raw) for raw in raw_tokens) + 16
        try:
            table = pj.read_json(
                io.BytesIO(buffer),
                read_options=pj.ReadOptions(block_size=max(1 << 22, longest)),
                parse_options=pj.ParseOptions(
                    explicit_schema=pa.schema([("t", token_type)]), unexpected_field_behavior="ignore"
                ),
            )
            column = table.column("t").combine_chunks()
        except (pa.ArrowException, *_ARROW_ERRORS):
            column = None
        required = ("text", "start", "end", "id")
        if (
            column is None
            or len(column) != len(records)
            or any(column.flatten().field(name).null_count for name in required)
        ):
            self._locate_bad_tokens(raw_tokens, token_type)
        return column

    def _locate_bad_tokens(self, raw_tokens: list[bytes], token_type: Any) -> None:
        import pyarrow as pa

        for raw, (path, line) in zip(raw_tokens, self.where, strict=True):
            tokens = decode_tokens(raw, path=path, line=line)
            try:
                pa.array([_token_tuples(tokens)], type=token_type)
            except (pa.ArrowException, *_ARROW_ERRORS) as exc:
                raise InputError(
                    f"cannot store the tokens: {exc}", path=path, line=line, rule="record-types"
                ) from None
        path, line = self.where[0]
        raise InputError("the batch's tokens could not be read", path=path, line=line, rule="record-types")

    def _rows(
        self, records: list[Record], tokens: Any
    ) -> tuple[dict[str, list[dict[str, Any]]], list[list[int]], list[Any]]:
        """Row dicts of every config but the token columns, per record; errors name the record's line."""
        offsets = tokens.offsets.to_numpy()
        offsets = offsets - offsets[0]
        flat = tokens.flatten()
        starts = flat.field("start").to_numpy(zero_copy_only=False)
        ends = flat.field("end").to_numpy(zero_copy_only=False)
        rows: dict[str, list[dict[str, Any]]] = {c: [] for c in CONFIG_NAMES}
        tags, entities = [], []
        for index, (record, (path, line)) in enumerate(zip(records, self.where, strict=True)):
            first, count = int(offsets[index]), int(offsets[index + 1] - offsets[index])
            try:
                ranges = token_ranges(
                    record.spans, count, functools.partial(_token_bounds, starts, ends, first, count)
                )
                check_alignment(ranges, record.spans, starts, ends, offset=first)
                record_tags, record_entities = entity_columns(record.spans, ranges, count, self.labels)
                rows["quotes"].append(quotes_row(record, self.labels))
                rows["events"].append(events_row(record, self.labels))
            except RowError as exc:
                raise InputError(str(exc), path=path, line=line, rule=exc.rule) from None
            tags.append(record_tags)
            entities.append(record_entities)
            rows["entities"].append({"id": record.meta.id, "text": record.text})
            rows["full"].append(full_row(record, tokens=False))
        return rows, tags, entities

    def _table(self, config: str, rows: list[dict[str, Any]], given: Mapping[str, Any]) -> Any:
        import pyarrow as pa

        schema = self.schemas[config]
        try:
            return arrow_table(rows, schema, given)
        except (pa.ArrowException, *_ARROW_ERRORS):
            rest = pa.schema([f for f in schema if f.name not in given])
            for row, (path, line) in zip(rows, self.where, strict=True):
                try:
                    arrow_table([row], rest, {})
                except (pa.ArrowException, *_ARROW_ERRORS) as exc:
                    message = f"cannot store the record in the {config} config: {exc}"
                    raise InputError(message, path=path, line=line, rule="record-types") from None
            raise

    # -- writing

    def tables(self) -> dict[str, Any]:
        """The batch's table for every config."""
        if not self.exact:
            with contextlib.suppress(_ExactPath):
                return self._arrow_tables()
        self.exact_batches += 1
        return self._exact_tables()

    def flush(self) -> None:
        import pyarrow.parquet as pq

        if not self.raws:
            return
        tables = self.tables()
        for config, table in tables.items():
            writer = self.writers.get(config)
            if writer is None:
                path = self.folder / "data" / config / f"{self.split}.parquet"
                path.parent.mkdir(parents=True, exist_ok=True)
                writer = self.writers[config] = pq.ParquetWriter(path, self.schemas[config])
            writer.write_table(table)
        self._count_labels(tables["full"])
        self.raws, self.where = [], []

    def _count_labels(self, table: Any) -> None:
        """Label counts of a batch, from its Arrow columns in one vectorised step per task."""
        import pyarrow.compute as pc

        for task, (column, field_name) in LABEL_COLUMNS.items():
            values = pc.struct_field(pc.list_flatten(table.column(column)), field_name)
            for entry in pc.value_counts(values).to_pylist():
                self.label_counts[task][entry["values"]] += entry["counts"]

    def close(self) -> dict[str, int]:
        """Write what is left; the uncompressed size of each config's data (the same whichever path)."""
        import pyarrow.parquet as pq

        self.flush()
        sizes = {}
        for config, writer in self.writers.items():
            writer.close()
            metadata = pq.read_metadata(self.folder / "data" / config / f"{self.split}.parquet")
            sizes[config] = sum(metadata.row_group(i).total_byte_size for i in range(metadata.num_row_groups))
        return sizes


# ---------------------------------------------------------------- the pass


@dataclass
class Written:
    counts: dict[str, dict[str, int]]  # split -> records, groups
    configs: dict[str, dict[str, dict[str, Any]]]  # config -> split -> path, num_bytes, num_examples
    label_counts: dict[str, dict[str, Counter]]  # task -> split -> label -> count
    spacy: dict[str, dict[str, Any]] | None
    digests: dict[str, bytes] | None
    exact_batches: int = 0
    spacy_configs: dict[str, dict[str, Any]] | None = None  # task -> file, pipeline, span keys


def write_rows(
    folder: Path,
    inputs: Sequence[InputFile],
    group_splits: Sequence[str],
    labels: DatasetLabels,
    *,
    spacy: bool,
    keep_digests: bool,
    quiet: bool = True,
    exact: bool = False,
) -> Written:
    """Second pass: every packaged line goes to its group's split (``group_splits``: by group index).

    ``exact=True`` writes every batch record by record (the path unusual batches take), for comparison.
    """
    used = sorted(set(group_splits), key=SPLIT_NAMES.index)
    writers = {s: SplitWriter(folder, s, labels, exact=exact) for s in used}
    shards = _spacy_shards(folder, used) if spacy else {}
    digests: dict[str, bytes] | None = {} if keep_digests else None
    with contextlib.ExitStack() as stack:
        if shards:
            from toolkit.packaging.spacy_export import msgpack_encoders_cached

            stack.enter_context(msgpack_encoders_cached())
        _stream(inputs, group_splits, writers, shards, digests, quiet=quiet)
        written = _finish(folder, writers, shards, group_splits, digests)
    if shards:
        written.spacy_configs = write_spacy_configs(folder, shards, labels)
    return written


def _stream(
    inputs: Sequence[InputFile],
    group_splits: Sequence[str],
    writers: Mapping[str, SplitWriter],
    shards: Mapping[str, Any],
    digests: dict[str, bytes] | None,
    *,
    quiet: bool,
) -> None:
    from toolkit.progress import track

    for item in inputs:
        where = str(item.path)
        wanted, groups = item.lines, item.groups
        position, count = 0, len(wanted)
        for number, raw in track(
            numbered_lines(item.path), description=f"write {item.path.name}", quiet=quiet
        ):
            if position >= count or number != wanted[position]:
                continue  # a rejected or ignored answer
            split = group_splits[groups[position]]
            position += 1
            writers[split].add(raw, (where, number))
            if shards or digests is not None:
                record, raw_tokens = decode_raw_tokens(raw, path=where, line=number)
                tokens = decode_tokens(raw_tokens, path=where, line=number)
                if shards:
                    _add_doc(shards[split], record, tokens, where, number)
                if digests is not None:
                    digests[record.meta.id or ""] = record_digest(record, tokens)
        if position != count or file_state(item.path) != item.state:
            # Hashed in the first pass; size and modification time are enough to notice a change since.
            raise InputError("the file changed while it was being packaged", path=where, rule="input-changed")


def _add_doc(shards: Any, record: Record, tokens: list[Token], path: str, line: int) -> None:
    try:
        shards.add(record, tokens)
    except RowError as exc:
        raise InputError(str(exc), path=path, line=line, rule=exc.rule) from None


def _finish(
    folder: Path,
    writers: Mapping[str, SplitWriter],
    shards: Mapping[str, Any],
    group_splits: Sequence[str],
    digests: dict[str, bytes] | None,
) -> Written:
    groups_per_split = Counter(group_splits)
    configs: dict[str, dict[str, dict[str, Any]]] = {c: {} for c in CONFIG_NAMES}
    label_counts: dict[str, dict[str, Counter]] = {task: {} for task in LABEL_COLUMNS}
    for split, writer in writers.items():
        sizes = writer.close()
        for task, task_counts in writer.label_counts.items():
            label_counts[task][split] = task_counts
        for config in CONFIG_NAMES:
            configs[config][split] = {
                "path": f"data/{config}/{split}.parquet",
                "num_bytes": sizes[config],
                "num_examples": writer.num_examples,
            }
    counts = {s: {"records": w.num_examples, "groups": groups_per_split[s]} for s, w in writers.items()}
    spacy_files = {
        s: {"docs": shard.docs, "files": [p.relative_to(folder).as_posix() for p in shard.close()]}
        for s, shard in shards.items()
    }
    exact = sum(w.exact_batches for w in writers.values())
    return Written(counts, configs, label_counts, spacy_files or None, digests, exact)


def write_spacy_configs(folder: Path, shards: Mapping[str, Any], labels: DatasetLabels) -> dict[str, Any]:
    """A training config per annotated task beside the DocBins, sized on the train split (else on all)."""
    from toolkit.packaging.spacy_configs import QUOTE_KEYS, shipped_configs

    basis = [shards["train"]] if "train" in shards else list(shards.values())
    longest = {key: max(shard.longest[key] for shard in basis) for key in QUOTE_KEYS}
    annotated = {
        task: any(shard.annotated[task] for shard in basis) for task in ("entities", "quotes", "events")
    }
    configs = {}
    for config in shipped_configs(scheme=labels.entities.name, longest=longest, annotated=annotated):
        path = folder / "spacy" / config.file
        path.write_text(config.text, encoding="utf-8")
        configs[config.task] = {"file": f"spacy/{config.file}", "pipeline": list(config.pipeline)}
    return configs


def _spacy_shards(folder: Path, splits: Sequence[str]) -> dict[str, Any]:
    from toolkit.packaging.spacy_export import DocBinShards

    return {s: DocBinShards(folder / "spacy" / s) for s in splits}
