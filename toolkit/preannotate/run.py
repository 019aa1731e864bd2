"""Pre-annotation: baseline entities, quotes and PLOVER events on records."""

from __future__ import annotations

import contextlib
import itertools
import os
import time
from collections import deque
from collections.abc import Generator, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import msgspec

from toolkit.errors import InputError, UsageError
from toolkit.jsonl import STDIO, ReadStats, read_records, write_records
from toolkit.options import DEFAULT_BATCH_WORDS, TASKS, PreannotateOptions
from toolkit.progress import track
from toolkit.record import Record, Token, doc_tokens

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

MAX_WARNINGS = 20
# spaCy's own limit (Language.max_length): its parser and NER need about 1 GB of memory per 100,000
# characters, so a longer unit is refused rather than split, as a sentence that long is broken input.
MAX_UNIT_CHARS = 1_000_000
TOO_LONG_HINT = "split it into sentences with toolkit convert --unit sentence, or pass --skip-invalid"


@dataclass
class PreannotateSummary:
    """What a run did, for the CLI's summary line and for tests."""

    tasks: tuple[str, ...] = TASKS
    model: str = ""
    records: int = 0
    documents: int = 0
    words: int = 0
    tokenized: int = 0
    entities: int = 0
    quotes: int = 0
    linked_quotes: int = 0
    resolved_speakers: int = 0
    events: int = 0
    kept_human: int = 0
    spans_expanded: int = 0
    spans_unaligned: int = 0
    skipped_lines: int = 0
    docs_per_batch: int = 0
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)

    def warn(self, message: str) -> None:
        if len(self.warnings) < MAX_WARNINGS:
            self.warnings.append(message)


def docs_per_batch(sample: list[Record], words: int) -> int:
    """spaCy batches by documents; turn a word budget into a document count from the first records."""
    if not sample:
        return 1
    mean = max(1.0, sum(len(r.text.split()) for r in sample) / len(sample))
    return max(1, min(1000, int(words / mean)))


def _is_machine(source: str | None) -> bool:
    return source is not None and source.startswith(("model:", "rule:"))


def _kept(record: Record, items: list[Any]) -> bool:
    """Human work is never overwritten: an answered record, or any item a model or rule did not make."""
    return record.answer is not None or any(not _is_machine(item.source) for item in items)


def _check_tokens(record: Record, key: str) -> None:
    previous_end = 0
    for token in record.tokens:
        if not 0 <= token.start <= token.end <= len(record.text) or token.start < previous_end:
            raise InputError(
                f"record {key}: token {token.id} at {token.start}-{token.end} is outside the text or out of "
                "order",
                rule="token-offsets",
                hint="re-run toolkit convert, or drop the tokens so they are rebuilt",
            )
        previous_end = token.end


class Preannotator:
    """Runs the pipeline over a stream of records and applies the per-document rules in input order."""

    def __init__(
        self,
        nlp: Language,
        *,
        tasks: tuple[str, ...],
        label_map: Mapping[str, str | None] | None,
        summary: PreannotateSummary,
    ) -> None:
        from toolkit.models import model_source
        from toolkit.preannotate.quotes import QuoteLinker

        self.nlp = nlp
        self.tasks = tasks
        self.label_map = label_map
        self.summary = summary
        self.model_source = model_source(nlp)
        summary.tasks, summary.model = tasks, self.model_source
        self.linker = QuoteLinker()
        self.surnames: set[str] = set()
        self.doc_id: str | None = None
        self.position = 0

    def run(
        self, records: Iterable[Record], *, n_process: int = 1, batch_words: int = DEFAULT_BATCH_WORDS
    ) -> Iterator[Record]:
        from toolkit.preannotate.pipeline import cache_msgpack_plugins

        if n_process > 1:
            cache_msgpack_plugins()  # before the workers fork, so they inherit it too
        stream = iter(records)
        head = list(itertools.islice(stream, 64))
        self.summary.docs_per_batch = batch = docs_per_batch(head, batch_words)
        pending: deque[Record] = deque()

        def texts() -> Iterator[str]:
            for record in itertools.chain(head, stream):
                if len(record.text) > self.nlp.max_length:
                    raise InputError(
                        f"record {record.meta.id or self.position}: {len(record.text):,} characters, "
                        f"over the model's limit of {self.nlp.max_length:,}",
                        rule="unit-too-long",
                        hint=TOO_LONG_HINT,
                    )
                pending.append(record)
                yield record.text

        with contextlib.closing(self._docs(texts(), n_process=n_process, batch=batch)) as docs:
            for doc in docs:
                yield from self._add(pending.popleft(), doc)
        yield from self._end_document()

    def _docs(self, texts: Iterator[str], *, n_process: int, batch: int) -> Generator[Doc, None, None]:
        from toolkit.preannotate.workers import can_fork, pipe_in_processes

        # yield from: closing this generator closes the pool's (or nlp.pipe's) generator too.
        if n_process > 1 and can_fork():
            # Our own pool, not nlp.pipe's: its workers can be stopped on Ctrl-C and SIGTERM (workers.py).
            yield from pipe_in_processes(self.nlp, texts, n_process=n_process, batch_size=batch)
        else:
            yield from self.nlp.pipe(texts, batch_size=batch, n_process=n_process)

    def _end_document(self) -> Iterator[Record]:
        yield from self._released(self.linker.finish())
        self.linker.reset()
        self.surnames = set()

    def _released(self, records: list[Record]) -> Iterator[Record]:
        for record in records:
            self.summary.quotes += len(record.quotes)
            yield record

    def _add(self, record: Record, doc: Doc) -> Iterator[Record]:
        from toolkit.preannotate.entities import document_entities
        from toolkit.preannotate.quotes import stored_analysis

        if record.meta.doc_id is None or record.meta.doc_id != self.doc_id:
            # A record without a doc_id is a document of its own: nothing is carried across it.
            yield from self._end_document()
            self.doc_id = record.meta.doc_id
            self.summary.documents += 1
        key = record.meta.id or f"record:{self.position}"
        self.position += 1
        self.summary.records += 1
        self.summary.words += len(record.text.split())
        tokens = self._tokens(record, doc, key)
        out = msgspec.structs.replace(record, tokens=tokens)
        entities = []
        if doc.has_annotation("ENT_IOB"):
            entities = document_entities(doc, self.surnames, model_source=self.model_source, text=record.text)
        kept_fields = 0
        if "entities" in self.tasks:
            if _kept(record, record.spans):
                kept_fields += 1
            else:
                self._set_spans(out, entities, tokens, key)
        if "events" in self.tasks:
            if _kept(record, record.events):
                kept_fields += 1
            else:
                self._set_events(out, doc)
        if "quotes" not in self.tasks:
            self.summary.kept_human += kept_fields > 0
            yield out
            return
        write_quotes = not _kept(record, record.quotes)
        self.summary.kept_human += kept_fields > 0 or not write_quotes
        labels = {e.start: (e.end, e.label) for e in entities}
        analysis = stored_analysis(doc)
        released = self.linker.add(out, key, analysis, labels, write=write_quotes)
        self.summary.linked_quotes, self.summary.resolved_speakers = self.linker.linked, self.linker.resolved
        yield from self._released(released)

    def _tokens(self, record: Record, doc: Doc, key: str) -> list[Token]:
        """The record's own tokens when it has them (checked), else the model's."""
        if record.tokens:
            _check_tokens(record, key)
            return record.tokens
        self.summary.tokenized += 1
        return doc_tokens(doc, record.text)

    def _set_spans(self, out: Record, entities: list[Any], tokens: list[Token], key: str) -> None:
        from toolkit.preannotate.entities import align_entities

        aligned = align_entities(entities, tokens, self.label_map)
        out.spans = aligned.spans
        self.summary.entities += len(aligned.spans)
        self.summary.spans_expanded += aligned.expanded
        for entity in aligned.unaligned or ():
            self.summary.spans_unaligned += 1
            self.summary.warn(
                f"{key}: entity {out.text[entity.start : entity.end]!r} ({entity.label}) at "
                f"{entity.start}-{entity.end} "
                "does not line up with the record's tokens; not written"
            )

    def _set_events(self, out: Record, doc: Doc) -> None:
        from toolkit.preannotate.pipeline import stored_events

        out.events = stored_events(doc)
        self.summary.events += len(out.events)


def preannotate_records(
    records: Iterable[Record],
    *,
    options: PreannotateOptions = PreannotateOptions(),
    summary: PreannotateSummary | None = None,
) -> Generator[Record, None, None]:
    """Pre-annotate a stream of records (one document's records consecutive, in order); yields them in the
    same order. The pipeline is built once per process, so a Dask worker builds it once for all its shards."""
    from toolkit.preannotate.entities import load_label_map
    from toolkit.preannotate.pipeline import build_pipeline

    mapping = load_label_map(options.label_map)
    from toolkit.preannotate.trained import trained_pipeline

    # A pipeline `toolkit train` wrote predicts the tasks it learned, the rules the rest (trained.py).
    if (trained := trained_pipeline(options.model)) is not None:
        yield from trained.preannotate(records, options=options, summary=summary or PreannotateSummary())
        return
    nlp = build_pipeline(model=options.model, tasks=options.tasks, events_model=options.events_model)
    annotator = Preannotator(
        nlp, tasks=options.tasks, label_map=mapping, summary=summary or PreannotateSummary()
    )
    yield from annotator.run(records, n_process=options.n_process, batch_words=options.batch_words)


def preannotate_input(
    path: str | Path,
    *,
    options: PreannotateOptions = PreannotateOptions(),
    summary: PreannotateSummary,
    name: str | None = None,
    stats: ReadStats | None = None,
) -> Generator[Record, None, None]:
    """The stage on one input: the records of ``path`` (JSONL, ``-``, or a Parquet file of the ``full``
    config), pre-annotated. ``preannotate`` runs it on its input, a sharded run on each shard; ``name`` is
    the input as the user gave it, for messages (a worker may open it by another path); ``stats`` counts
    the lines and bytes read as they are read."""
    name = name or str(path)
    stats = stats if stats is not None else ReadStats()
    records = within_model_limit(
        read_input(path, name=name, skip_invalid=options.skip_invalid, stats=stats),
        path=name,
        stats=stats,
        skip_invalid=options.skip_invalid,
    )
    annotated = preannotate_records(records, options=options, summary=summary)
    try:
        # Closed on any way out, so worker processes stop now rather than whenever the generator is collected.
        with contextlib.closing(annotated):
            yield from annotated
    except InputError as exc:
        exc.path = name if exc.path in (None, str(path)) else exc.path
        raise
    summary.skipped_lines = len(stats.skipped)


def read_input(
    path: str | Path, *, name: str, skip_invalid: bool = False, stats: ReadStats | None = None
) -> Iterator[Record]:
    """Records of a JSONL file (or ``-``), or of a Parquet file holding the ``full`` config's columns."""
    if not str(path).lower().endswith(".parquet"):
        yield from read_records(path, skip_invalid=skip_invalid, stats=stats)
        return
    import pyarrow.parquet as pq

    from toolkit.packaging.configs import record_from_full_row

    try:
        table = pq.ParquetFile(path)
    except Exception as exc:  # pyarrow raises several types for a file that is not Parquet
        raise InputError(f"not a Parquet file ({exc})", path=name, rule="not-parquet") from None
    missing = {"text", "meta"} - set(table.schema_arrow.names)
    if missing:
        raise InputError(
            f"Parquet shard lacks the record column(s) {', '.join(sorted(missing))}",
            path=name,
            rule="parquet-not-full",
            hint="use the full config's columns",
        )
    row_number = 0
    for batch in table.iter_batches(batch_size=1024):
        for row in batch.to_pylist():
            row_number += 1
            try:
                yield record_from_full_row(row)
            except Exception as exc:  # a malformed row: name it like a JSONL line
                raise InputError(
                    f"not a record: {exc}", path=name, line=row_number, rule="record-shape"
                ) from None


def preannotate(
    *,
    input: str | Path,
    output: str | Path,
    options: PreannotateOptions = PreannotateOptions(),
    quiet: bool = True,
) -> PreannotateSummary:
    """Read records from ``input``, pre-annotate them, write them atomically to ``output``."""
    if str(input) != STDIO and str(output) != STDIO and Path(input).resolve() == Path(output).resolve():
        raise UsageError(
            f"-o {output}: is the input file; inputs are never modified", hint="write to a new file"
        )
    summary = PreannotateSummary()
    started = time.perf_counter()
    stats = ReadStats()
    annotated = preannotate_input(input, options=options, summary=summary, stats=stats)
    with contextlib.closing(annotated):
        # Reading starts once the pipeline is built: until the first byte, the model is loading.
        jsonl = not str(input).lower().endswith(".parquet")  # Parquet rows are counted, not bytes
        shown = track(
            annotated,
            description="preannotate",
            quiet=quiet,
            total=_jsonl_size(input) if jsonl else None,
            bytes_read=(lambda: stats.bytes) if jsonl else None,
            waiting="loading model",
        )
        write_records(output, shown)
    summary.seconds = time.perf_counter() - started
    return summary


def _jsonl_size(path: str | Path) -> int | None:
    """Size of a JSONL input in bytes, for the progress bar; None for stdin or anything odd."""
    if str(path) == STDIO:
        return None
    try:
        return os.stat(path).st_size
    except OSError:
        return None  # reading it will say what is wrong


def within_model_limit(
    records: Iterable[Record], *, path: str, stats: ReadStats, skip_invalid: bool
) -> Iterator[Record]:
    """Records short enough for the model; a longer one is an error at its line, or skipped and counted."""
    for record in records:
        if len(record.text) <= MAX_UNIT_CHARS:
            yield record
            continue
        message = (
            f"record {record.meta.id or '(no id)'}: {len(record.text):,} characters, over spaCy's limit of "
            f"{MAX_UNIT_CHARS:,} for one unit"
        )
        if not skip_invalid:
            raise InputError(message, path=path, line=stats.lines, rule="unit-too-long", hint=TOO_LONG_HINT)
        stats.skipped.append((stats.lines, message))
