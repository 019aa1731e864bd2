"""Packaging's second pass: every record becomes one row of each config, written to Parquet a batch at a time.

Records are decoded with their tokens left as raw JSON; per batch, pyarrow's JSON parser turns all the
tokens into the ``full`` config's token column in C++, and the ``entities`` token texts are a view of it.
Everything else comes from the typed record through the row functions of toolkit/packaging/configs.py.
Label counts per split are taken from each batch's Arrow columns. DocBin shards are optional.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from toolkit.errors import InputError
from toolkit.packaging.configs import (
    CONFIG_NAMES,
    DatasetLabels,
    RowError,
    check_alignment,
    entity_columns,
    events_row,
    features,
    full_row,
    quotes_row,
    token_ranges,
)
from toolkit.packaging.readback import (
    decode_raw_tokens,
    decode_tokens,
    file_state,
    numbered_lines,
    record_group,
)
from toolkit.packaging.splits import SPLIT_NAMES
from toolkit.packaging.survey import PACKAGED_ANSWERS, InputFile
from toolkit.record import Record, Token

BATCH_ROWS = 5_000
# Where each task's labels sit in the full config: (list column, struct field).
LABEL_COLUMNS = {
    "entities": ("spans", "label"),
    "quote_kinds": ("quotes", "kind"),
    "event_types": ("events", "label"),
}
_ARROW_ERRORS: tuple[type[BaseException], ...] = (TypeError, ValueError, OverflowError)


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


class SplitWriter:
    """Collects one split's records and writes each batch as a row group of every config's Parquet file."""

    def __init__(self, folder: Path, split: str, labels: DatasetLabels) -> None:
        self.folder, self.split, self.labels = folder, split, labels
        self.schemas = {c: features(c, labels).arrow_schema for c in CONFIG_NAMES}
        self.records: list[Record] = []
        self.tokens: list[bytes] = []
        self.where: list[tuple[str, int]] = []
        self.writers: dict[str, Any] = {}
        self.num_bytes = dict.fromkeys(CONFIG_NAMES, 0)
        self.num_examples = 0
        self.label_counts: dict[str, Counter] = {task: Counter() for task in LABEL_COLUMNS}

    def add(self, record: Record, raw_tokens: bytes, where: tuple[str, int]) -> None:
        self.records.append(record)
        self.tokens.append(raw_tokens)
        self.where.append(where)
        self.num_examples += 1
        if len(self.records) >= BATCH_ROWS:
            self.flush()

    def _parsed_tokens(self) -> Any:
        """The batch's tokens as one Arrow list-of-struct column, parsed by pyarrow from the raw JSON."""
        import pyarrow as pa
        import pyarrow.json as pj

        token_type = self.schemas["full"].field("tokens").type
        buffer = b"".join(b'{"t":' + raw + b"}\n" for raw in self.tokens)
        longest = max(len(raw) for raw in self.tokens) + 16
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
            or len(column) != len(self.records)
            or any(column.flatten().field(name).null_count for name in required)
        ):
            self._locate_bad_tokens(token_type)
        return column

    def _locate_bad_tokens(self, token_type: Any) -> None:
        import pyarrow as pa

        for raw, (path, line) in zip(self.tokens, self.where, strict=True):
            tokens = decode_tokens(raw, path=path, line=line)
            try:
                pa.array([_token_tuples(tokens)], type=token_type)
            except (pa.ArrowException, *_ARROW_ERRORS) as exc:
                raise InputError(
                    f"cannot store the tokens: {exc}", path=path, line=line, rule="record-types"
                ) from None
        path, line = self.where[0]
        raise InputError("the batch's tokens could not be read", path=path, line=line, rule="record-types")

    def _rows(self, tokens: Any) -> tuple[dict[str, list[dict[str, Any]]], list[list[int]], list[Any]]:
        """Row dicts of every config but the token columns, per record; errors name the record's line."""
        offsets = tokens.offsets.to_numpy()
        offsets = offsets - offsets[0]
        flat = tokens.flatten()
        starts = flat.field("start").to_numpy(zero_copy_only=False)
        ends = flat.field("end").to_numpy(zero_copy_only=False)
        rows: dict[str, list[dict[str, Any]]] = {c: [] for c in CONFIG_NAMES}
        tags, entities = [], []
        for index, (record, (path, line)) in enumerate(zip(self.records, self.where, strict=True)):
            first, count = int(offsets[index]), int(offsets[index + 1] - offsets[index])
            try:
                ranges = token_ranges(
                    record.spans, count, lambda f=first, n=count: (starts[f : f + n], ends[f : f + n])
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

    def _tables(self) -> dict[str, Any]:
        import pyarrow as pa

        tokens = self._parsed_tokens()
        rows, tags, entities = self._rows(tokens)
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

    def flush(self) -> None:
        import pyarrow.parquet as pq

        if not self.records:
            return
        tables = self._tables()
        for config, table in tables.items():
            writer = self.writers.get(config)
            if writer is None:
                path = self.folder / "data" / config / f"{self.split}.parquet"
                path.parent.mkdir(parents=True, exist_ok=True)
                writer = self.writers[config] = pq.ParquetWriter(path, self.schemas[config])
            writer.write_table(table)
            self.num_bytes[config] += table.nbytes
        self._count_labels(tables["full"])
        self.records, self.tokens, self.where = [], [], []

    def _count_labels(self, table: Any) -> None:
        """Label counts of a batch, from its Arrow columns in one vectorised step per task."""
        import pyarrow.compute as pc

        for task, (column, field_name) in LABEL_COLUMNS.items():
            values = pc.struct_field(pc.list_flatten(table.column(column)), field_name)
            for entry in pc.value_counts(values).to_pylist():
                self.label_counts[task][entry["values"]] += entry["counts"]

    def close(self) -> None:
        self.flush()
        for writer in self.writers.values():
            writer.close()


@dataclass
class Written:
    counts: dict[str, dict[str, int]]  # split -> records, groups
    configs: dict[str, dict[str, dict[str, Any]]]  # config -> split -> path, num_bytes, num_examples
    label_counts: dict[str, dict[str, Counter]]  # task -> split -> label -> count
    spacy: dict[str, dict[str, Any]] | None
    digests: dict[str, bytes] | None


def write_rows(
    folder: Path,
    inputs: Sequence[InputFile],
    splits: Mapping[str, str],
    labels: DatasetLabels,
    *,
    group_by: str,
    spacy: bool,
    keep_digests: bool,
    quiet: bool = True,
) -> Written:
    """Second pass: every packaged record goes to its group's split (``splits``: group -> split)."""
    used = sorted(set(splits.values()), key=SPLIT_NAMES.index)
    writers = {s: SplitWriter(folder, s, labels) for s in used}
    shards = _spacy_shards(folder, used) if spacy else {}
    digests: dict[str, bytes] | None = {} if keep_digests else None
    with contextlib.ExitStack() as stack:
        if shards:
            from toolkit.packaging.spacy_export import msgpack_encoders_cached

            stack.enter_context(msgpack_encoders_cached())
        _stream(inputs, splits, writers, shards, digests, group_by=group_by, quiet=quiet)
        return _finish(folder, writers, shards, splits, digests)


def _stream(
    inputs: Sequence[InputFile],
    splits: Mapping[str, str],
    writers: Mapping[str, SplitWriter],
    shards: Mapping[str, Any],
    digests: dict[str, bytes] | None,
    *,
    group_by: str,
    quiet: bool,
) -> None:
    from toolkit.progress import track

    for item in inputs:
        where = str(item.path)
        for number, raw in track(
            numbered_lines(item.path), description=f"write {item.path.name}", quiet=quiet
        ):
            record, raw_tokens = decode_raw_tokens(raw, path=where, line=number)
            if record.answer not in PACKAGED_ANSWERS:
                continue
            split = splits[record_group(record, group_by) or ""]
            writers[split].add(record, raw_tokens, (where, number))
            if shards or digests is not None:
                tokens = decode_tokens(raw_tokens, path=where, line=number)
                if shards:
                    _add_doc(shards[split], record, tokens, where, number)
                if digests is not None:
                    digests[record.meta.id or ""] = record_digest(record, tokens)
        if file_state(item.path) != item.state:
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
    splits: Mapping[str, str],
    digests: dict[str, bytes] | None,
) -> Written:
    group_counts = Counter(splits.values())
    configs: dict[str, dict[str, dict[str, Any]]] = {c: {} for c in CONFIG_NAMES}
    label_counts: dict[str, dict[str, Counter]] = {task: {} for task in LABEL_COLUMNS}
    for split, writer in writers.items():
        writer.close()
        for task, counts in writer.label_counts.items():
            label_counts[task][split] = counts
        for config in CONFIG_NAMES:
            configs[config][split] = {
                "path": f"data/{config}/{split}.parquet",
                "num_bytes": writer.num_bytes[config],
                "num_examples": writer.num_examples,
            }
    counts = {s: {"records": w.num_examples, "groups": group_counts[s]} for s, w in writers.items()}
    spacy_files = {
        s: {"docs": shard.docs, "files": [p.relative_to(folder).as_posix() for p in shard.close()]}
        for s, shard in shards.items()
    }
    return Written(counts, configs, label_counts, spacy_files or None, digests)


def _spacy_shards(folder: Path, splits: Sequence[str]) -> dict[str, Any]:
    from toolkit.packaging.spacy_export import DocBinShards

    return {s: DocBinShards(folder / "spacy" / s) for s in splits}
