"""Round trips through labeling tools: export records as a tool's tasks, import its answers as records."""

from __future__ import annotations

import contextlib
import shutil
import sys
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import msgspec

from toolkit.errors import CheckFailedError, InputError, UsageError
from toolkit.formats import Finding, ParsedAnswer, ReadContext, ToolFormat, get_format
from toolkit.formats.base import VIEW_LAYER
from toolkit.formats.offsets import token_indices
from toolkit.jsonl import STDIO, atomic_output, dumps_record, read_records, read_records_with_lines
from toolkit.labels import CONLL_LABELS, ONTONOTES_LABELS
from toolkit.options import ExportOptions, ImportOptions
from toolkit.plural import counted
from toolkit.record import Event, Quote, Record, Role, Span, Token

SHOWN = 5  # records or findings named in a one-line error; the CLI lists the rest
TOOL_META_KEYS = ("label_studio", "doccano")


@dataclass
class ExportSummary:
    tool: str
    views: tuple[str, ...]
    records: int = 0
    tasks: int = 0
    outputs: list[str] = field(default_factory=list)


@dataclass
class ImportSummary:
    tool: str
    files: list[str]
    answers: int = 0
    written: int = 0
    states: dict[str, int] = field(default_factory=dict)
    new_records: int = 0
    # Spans placed by reading their offsets in another unit than code points, by reading (utf16, ...).
    converted: dict[str, int] = field(default_factory=dict)
    # What answers held that the records cannot keep (triggers of unticked event types), by what.
    dropped: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, int] = field(default_factory=dict)
    output: str = ""

    @property
    def converted_spans(self) -> int:
        return sum(self.converted.values())


class ImportRefusedError(CheckFailedError):
    """Answers that cannot be placed or read as annotations: nothing was written."""

    def __init__(self, message: str, *, findings: list[Finding], hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.findings = findings


class UnknownRecordsError(InputError):
    """Answers naming records that are not in ``--into``: nothing was written."""

    def __init__(self, message: str, *, findings: list[Finding], **where: object) -> None:
        super().__init__(message, **where)  # type: ignore[arg-type]
        self.findings = findings


def parse_views(view: str | Sequence[str]) -> list[str]:
    """``"entities,quotes"`` or ``["entities", "quotes"]`` as a list of view names."""
    items = [view] if isinstance(view, str) else list(view)
    return [v.strip() for item in items for v in item.split(",") if v.strip()]


def export_records(
    *,
    tool: str,
    input: str | Path,
    output: str | Path,
    options: ExportOptions = ExportOptions(),
) -> ExportSummary:
    """Write records as a tool's tasks (plus Label Studio's labeling config beside them).

    Records a view cannot hold (overlapping spans for ner.manual or doccano, quote roles off token
    boundaries for rel.manual, two quotes on one span) are refused by id and nothing is written.
    ``options.offsets`` is the unit doccano's offsets are written in: utf16 (its editor's, the default),
    grapheme (a project in grapheme mode) or codepoint.
    """
    fmt = _format(tool, allow_overlap=options.allow_overlap, offsets=options.offsets)
    views = fmt.check_views(parse_views(options.view))
    summary = ExportSummary(tool=tool, views=views)
    refused: list[str] = []
    seen_labels: set[str] = set()
    with _guarded_output(output) as handle, fmt.task_writer(handle) as write:
        for line, record in read_records_with_lines(input):
            summary.records += 1
            problems = fmt.export_problems(record, views)
            if problems:
                refused.append(f"{record.meta.id or f'line {line}'}: {'; '.join(problems)}")
                continue
            seen_labels.update(span.label for span in record.spans)
            write(fmt.task(record, views))
            summary.tasks += 1
        if refused:
            shown = " | ".join(refused[:SHOWN]) + (
                f" | and {len(refused) - SHOWN} more" if len(refused) > SHOWN else ""
            )
            raise UsageError(
                f"{len(refused)} of {summary.records} records do not fit the {tool} {'/'.join(views)} view, "
                f"nothing written: {shown}",
                hint=fmt.refusal_hint(views),
            )
    summary.outputs.append(str(output))
    for path, text in fmt.sidecars(output, views, entity_label_set(seen_labels, options.labels)).items():
        with atomic_output(path, "wb") as handle:
            handle.write(text.encode("utf-8"))
        summary.outputs.append(str(path))
    return summary


def entity_label_set(seen: Iterable[str], given: Sequence[str] | None = None) -> list[str]:
    """The entity labels a tool should offer: those given, else the scheme the records use."""
    if given:
        return list(dict.fromkeys(given))
    found = set(seen)
    if found <= set(ONTONOTES_LABELS):
        return list(ONTONOTES_LABELS)
    if found <= set(CONLL_LABELS):
        return list(CONLL_LABELS)
    return list(ONTONOTES_LABELS) + sorted(found - set(ONTONOTES_LABELS))


def import_answers(
    *,
    tool: str,
    paths: Sequence[str | Path],
    output: str | Path,
    into: str | Path | None = None,
    options: ImportOptions = ImportOptions(),
) -> ImportSummary:
    """Read every annotator answer from a tool's export files and write one record per answer.

    With ``into`` each answer is merged onto its base record (tokens and meta from the base, the
    answered layers and the answer's provenance from the answer), joined by record id, then Prodigy's
    ``_input_hash``, then identical text. Answers whose record is not in ``into`` are refused unless
    ``options.allow_new``; spans that cannot be placed and unknown labels are refused. A refusal writes
    nothing. With ``options.skip_invalid``, lines that are not JSON and malformed Label Studio result items
    are skipped and counted instead of stopping the import.
    """
    fmt = _format(tool)
    view, allow_new = options.view, options.allow_new
    if view is not None and view not in fmt.views:
        raise UsageError(f"{tool} has no view {view}", hint=f"choose from {', '.join(fmt.views)}")
    if not paths:
        raise UsageError("no files to import")
    base = BaseRecords.load(into) if into is not None else None
    entity_labels = frozenset(options.labels or ()) | frozenset(ONTONOTES_LABELS) | frozenset(CONLL_LABELS)
    context = ReadContext(
        entity_labels=entity_labels | (base.labels if base else frozenset()),
        view=view,
        annotator=options.annotator,
        keep_empty=options.keep_empty,
        skip_invalid=options.skip_invalid,
        base_tokens=base.tokens_for if base is not None else None,
    )
    summary = ImportSummary(tool=tool, files=[str(p) for p in paths], output=str(output))
    findings: list[Finding] = []
    unknown: list[ParsedAnswer] = []
    with _guarded_output(output) as handle:
        for path in paths:
            for parsed in fmt.read_answers(path, context):
                summary.answers += 1
                record, is_new = _merge(parsed, base, unknown, allow_new)
                findings.extend(parsed.problems)
                if record is None or findings or (unknown and not allow_new):
                    continue  # keep reading: the refusal should name every problem at once
                summary.new_records += is_new
                _add(summary.converted, parsed.converted)
                _add(summary.dropped, parsed.dropped)
                state = record.answer or "none"
                summary.states[state] = summary.states.get(state, 0) + 1
                handle.write(dumps_record(record))
                handle.write(b"\n")
                summary.written += 1
        _refuse_if_needed(findings, unknown, into, allow_new)
    summary.skipped = dict(sorted(context.skipped.items()))
    return summary


def _add(total: dict[str, int], counts: dict[str, int]) -> None:
    for key, n in counts.items():
        total[key] = total.get(key, 0) + n


def _format(tool: str, *, allow_overlap: bool = False, offsets: str | None = None) -> ToolFormat:
    if allow_overlap and tool != "doccano":
        hint = (
            "Prodigy: export with --view spans (spans.manual)"
            if tool == "prodigy"
            else "Label Studio allows overlaps as is"
        )
        raise UsageError(f"--allow-overlap is for doccano, not {tool}", hint=hint)
    if offsets is not None and tool != "doccano":
        raise UsageError(
            f"--offsets is for doccano, not {tool}",
            hint="Prodigy and Label Studio take code points, the toolkit's own offsets",
        )
    options: dict[str, object] = {}
    if allow_overlap:
        options["allow_overlap"] = True
    if offsets is not None:
        options["offsets"] = offsets
    return get_format(tool, **options)


@contextlib.contextmanager
def _guarded_output(output: str | Path) -> Iterator[IO[bytes]]:
    """A file that appears only if the block succeeds; for stdout the bytes wait in a spool until then."""
    if str(output) != STDIO:
        with atomic_output(output, "wb") as handle:
            yield handle
        return
    with tempfile.SpooledTemporaryFile(max_size=32 * 1024 * 1024) as spool:
        yield spool
        spool.seek(0)
        shutil.copyfileobj(spool, sys.stdout.buffer)
        sys.stdout.buffer.flush()


class BaseRecords:
    """The records answers are merged onto, found by id, by Prodigy's input hash, or by unique text."""

    def __init__(self, records: Iterable[Record]) -> None:
        self.by_id: dict[str, Record] = {}
        self.by_hash: dict[int, Record] = {}
        self.by_text: dict[str, list[Record]] = {}
        labels: set[str] = set()
        texts: set[str] = set()
        for record in records:
            if record.meta.id is not None:
                self.by_id.setdefault(record.meta.id, record)
            if record.input_hash is not None:
                self.by_hash.setdefault(record.input_hash, record)
            self.by_text.setdefault(record.text, []).append(record)
            labels.update(span.label for span in record.spans)
            texts |= _writes_texts(record)
        self.labels = frozenset(labels)
        # Which kinds of item (spans, roles, triggers) the file spells out the text of: answers merged onto
        # any of its records do the same.
        self.writes_texts = frozenset(texts)

    @classmethod
    def load(cls, path: str | Path) -> BaseRecords:
        return cls(read_records(path))

    def find(self, parsed: ParsedAnswer) -> Record | None:
        return self.lookup(parsed.record_id, parsed.input_hash, parsed.record.text)

    def lookup(self, record_id: str | None, input_hash: int | None, text: str) -> Record | None:
        if record_id is not None:
            return self.by_id.get(record_id)
        if input_hash is not None and input_hash in self.by_hash:
            return self.by_hash[input_hash]
        same_text = self.by_text.get(text, [])
        return same_text[0] if len(same_text) == 1 else None

    def tokens_for(self, record_id: str | None, text: str) -> list[Token]:
        found = self.lookup(record_id, None, text)
        return list(found.tokens) if found is not None and found.text == text else []


def _merge(
    parsed: ParsedAnswer, base: BaseRecords | None, unknown: list[ParsedAnswer], allow_new: bool
) -> tuple[Record | None, bool]:
    """The record to write for an answer (None if it cannot be written) and whether ``base`` lacks it."""
    if base is None:
        return parsed.record, False
    found = base.find(parsed)
    if found is None:
        unknown.append(parsed)
        return (parsed.record if allow_new else None), True
    if found.text != parsed.record.text:
        parsed.problem("text-mismatch", f"the answer's text differs from record {found.meta.id}'s in --into")
        return None, False
    return merge_answer(found, parsed.record, parsed.views, texts=base.writes_texts), False


def merge_answer(
    base: Record, answer: Record, views: Sequence[str], *, texts: frozenset[str] | None = None
) -> Record:
    """The base record with the answered layers and the answer's provenance; tokens and meta stay.

    ``texts`` names the kinds of item ("spans", "roles", "triggers") whose text the base file spells out
    (default: those the base record spells out); the answer's items of those kinds get their text too.
    """
    layers = {VIEW_LAYER[v] for v in views}
    meta = msgspec.structs.replace(base.meta, extra=dict(base.meta.extra))
    for key in TOOL_META_KEYS:
        if key in answer.meta.extra:
            meta.extra[key] = answer.meta.extra[key]
    texts = _writes_texts(base) if texts is None else texts
    spans = [_on_tokens(s, base, "spans" in texts) for s in answer.spans]
    quotes = [
        _role_texts(q, base.text, "roles" in texts) for q in _keep_quote_links(answer.quotes, base.quotes)
    ]
    events = [_trigger_text(e, base.text, "triggers" in texts) for e in answer.events]
    return msgspec.structs.replace(
        base,
        spans=spans if "spans" in layers else base.spans,
        quotes=quotes if "quotes" in layers else base.quotes,
        events=events if "events" in layers else base.events,
        meta=meta,
        answer=answer.answer,
        input_hash=answer.input_hash if answer.input_hash is not None else base.input_hash,
        task_hash=answer.task_hash,
        annotator_id=answer.annotator_id,
        session_id=answer.session_id,
        timestamp=answer.timestamp,
        view_id=answer.view_id,
        extra={**base.extra, **answer.extra},
    )


def _on_tokens(span: Span, record: Record, texts: bool) -> Span:
    indices = token_indices(span.start, span.end, record.tokens) if record.tokens else None
    return msgspec.structs.replace(
        span,
        token_start=indices[0] if indices else None,
        token_end=indices[1] if indices else None,
        text=record.text[span.start : span.end] if texts else span.text,
    )


def _writes_texts(record: Record) -> frozenset[str]:
    """The kinds of item whose text the record spells out (gold files spell out all three, pre-annotations
    only triggers'): the answer's get theirs too, so a record that comes back unchanged is identical."""
    roles = [r for q in record.quotes for r in (q.content, q.speaker, q.cue) if r is not None]
    triggers = [e.trigger for e in record.events if e.trigger is not None]
    kinds: dict[str, Sequence[Span | Role]] = {"spans": record.spans, "roles": roles, "triggers": triggers}
    return frozenset(kind for kind, items in kinds.items() if any(x.text is not None for x in items))


def _role(role: Role | None, text: str) -> Role | None:
    return None if role is None else Role(role.start, role.end, text[role.start : role.end])


def _role_texts(quote: Quote, text: str, texts: bool) -> Quote:
    if not texts:
        return quote
    return msgspec.structs.replace(
        quote,
        content=_role(quote.content, text),
        speaker=_role(quote.speaker, text),
        cue=_role(quote.cue, text),
    )


def _trigger_text(event: Event, text: str, texts: bool) -> Event:
    return msgspec.structs.replace(event, trigger=_role(event.trigger, text)) if texts else event


def _keep_quote_links(quotes: list[Quote], base_quotes: list[Quote]) -> list[Quote]:
    """Fill what a tool file did not carry (one exported before ids travelled) from the base quote.

    The base quote is the one with the same id, else (for a quote that came back without one) the one
    with the same content; a resolved speaker is kept only while the speaker span is unchanged.
    """
    by_id = {q.id: q for q in reversed(base_quotes) if q.id is not None}
    by_content = {_span_of(q.content): q for q in base_quotes if q.content is not None}
    taken = {q.id for q in quotes if q.id is not None}
    kept = []
    for quote in quotes:
        old = by_id.get(quote.id) if quote.id is not None else by_content.get(_span_of(quote.content))
        if old is not None and quote.id is None and old.id in taken:
            old = None  # that id went to another quote of this answer: this one is new
        if old is not None:
            same_speaker = _span_of(old.speaker) == _span_of(quote.speaker)
            quote = msgspec.structs.replace(
                quote,
                id=quote.id or old.id,
                linked_records=list(quote.linked_records or old.linked_records),
                speaker_resolved=quote.speaker_resolved or (old.speaker_resolved if same_speaker else None),
            )
        kept.append(quote)
    return kept


def _span_of(role: Role | None) -> tuple[int, int] | None:
    return None if role is None else (role.start, role.end)


def _refuse_if_needed(
    findings: list[Finding], unknown: list[ParsedAnswer], into: str | Path | None, allow_new: bool
) -> None:
    if unknown and not allow_new:
        first = unknown[0]
        ids = sorted({p.record_id or f"text {p.record.text[:30]!r}" for p in unknown})
        shown = ", ".join(ids[:SHOWN]) + (f" and {len(ids) - SHOWN} more" if len(ids) > SHOWN else "")
        raise UnknownRecordsError(
            f"{counted(len(unknown), 'answer')} for records not in {into}, nothing written: {shown}",
            findings=[
                Finding("unknown-id", f"record {p.record_id} is not in {into}", p.path, p.line, p.record_id)
                for p in unknown
            ],
            path=first.path,
            line=first.line,
            rule="unknown-id",
            hint="check --into, or pass --allow-new to write them as new records",
        )
    if findings:
        shown = " | ".join(str(f) for f in findings[:SHOWN])
        more = f" | and {len(findings) - SHOWN} more" if len(findings) > SHOWN else ""
        raise ImportRefusedError(
            f"{counted(len(findings), 'problem')} in the answers, nothing written: {shown}{more}",
            findings=findings,
            hint="fix them in the tool and export again; spans are never moved to fit",
        )
