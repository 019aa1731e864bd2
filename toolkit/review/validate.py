"""Validation of record files: the record schema first, then semantic rules that each return findings."""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from hashlib import sha256
from pathlib import Path
from typing import Any

import msgspec
import orjson

from toolkit.errors import InputError
from toolkit.findings import ERROR, INFO, SEVERITIES, WARNING, Finding
from toolkit.jsonl import BOM, collector_paused, numbered_lines
from toolkit.options import ValidateOptions
from toolkit.record import ANSWERS, Event, Quote, Record, Role, Span, record_from_dict
from toolkit.schemas import LabelSet, load_labels, record_validator


@dataclass
class ValidationReport:
    """Everything one run found, with counts; ``ok`` says whether the data passes."""

    findings: list[Finding]
    files: list[str]
    records: int
    lines: int
    strict: bool = False
    labels_version: str = ""

    @property
    def counts(self) -> dict[str, int]:
        found = Counter(f.severity for f in self.findings)
        return {severity: found.get(severity, 0) for severity in SEVERITIES}

    @property
    def rule_counts(self) -> dict[str, int]:
        found = Counter(f.rule for f in self.findings)
        return {rule: found[rule] for rule in sorted(found)}

    @property
    def ok(self) -> bool:
        counts = self.counts
        return counts[ERROR] == 0 and not (self.strict and counts[WARNING])

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "strict": self.strict,
            "labels_version": self.labels_version,
            "files": self.files,
            "records": self.records,
            "lines": self.lines,
            "counts": self.counts,
            "rules": self.rule_counts,
            "findings": [f.to_dict() for f in self.findings],
        }


SCOPES: tuple[str, ...] = ("spans", "quotes", "events")


@dataclass(frozen=True)
class Rule:
    """A registered rule. ``looks_at`` names the lists whose suspects it examines (see Context.suspect_*);
    the runner skips it for a record where those lists have no suspects. Empty: it runs on every record."""

    id: str
    severity: str
    check: Callable[[Record, Context], list[Finding]]
    hint: str | None = None
    looks_at: tuple[str, ...] = ()


RULES: list[Rule] = []
RULE_INFO: dict[str, tuple[str, str | None]] = {
    # Rules of the reading and schema step, which run before any record exists.
    "invalid-json": (ERROR, "each line must be one JSON object"),
    "not-an-object": (ERROR, "each line must be one JSON object"),
    "schema": (ERROR, "see schemas/record.schema.json"),
    "source-missing": (INFO, "pass --source-dir to check meta.start/meta.end against the source"),
}


def rule(
    rule_id: str, *, severity: str = ERROR, hint: str | None = None, looks_at: tuple[str, ...] = ()
) -> Callable:
    """Register a rule; the order of registration is the order of checking."""
    if not set(looks_at) <= set(SCOPES):
        raise ValueError(f"rule {rule_id}: looks_at must name some of {SCOPES}")

    def register(
        check: Callable[[Record, Context], list[Finding]],
    ) -> Callable[[Record, Context], list[Finding]]:
        RULES.append(Rule(rule_id, severity, check, hint, looks_at))
        RULE_INFO[rule_id] = (severity, hint)
        return check

    return register


class SourceTexts:
    """Source documents named by meta.source, each read once; None when a source is not at hand."""

    TEXT_SUFFIXES = frozenset({".txt", ".text"})

    def __init__(self, source_dir: str | Path | None) -> None:
        self.source_dir = Path(source_dir) if source_dir is not None else None
        self._texts: dict[str, str | None] = {}

    def _candidates(self, source: str) -> Iterator[Path]:
        path = Path(source)
        if self.source_dir is not None and not path.is_absolute():
            yield self.source_dir / path
        yield path

    def _read(self, source: str) -> str | None:
        # Only whole-file text sources slice by meta offsets; a JSONL or CSV source holds many documents.
        if Path(source).suffix.lower() not in self.TEXT_SUFFIXES:
            return None
        for candidate in self._candidates(source):
            if candidate.is_file():
                data = candidate.read_bytes()
                # Decoded as the text reader does: strict UTF-8, a leading BOM dropped, nothing normalised.
                try:
                    return data[3:].decode("utf-8") if data.startswith(BOM) else data.decode("utf-8")
                except UnicodeDecodeError:
                    return None
        return None

    def get(self, source: str) -> tuple[str | None, bool]:
        """(text or None, whether this is the first time the source was asked for)."""
        if source in self._texts:
            return self._texts[source], False
        text = self._texts[source] = self._read(source)
        return text, True


class Context:
    """What rules need beyond the record: labels, where we are, state shared across records and files."""

    def __init__(self, *, labels: LabelSet, scheme: str | None, source_dir: str | Path | None) -> None:
        self.labels = labels
        self.entity_labels = labels.entity_labels(scheme)
        self.scheme = scheme
        self.quote_kinds = frozenset(labels.quote_kinds)
        self.event_types = frozenset(labels.event_types)
        self.sources = SourceTexts(source_dir)
        self._seen: dict[tuple[str | None, str], dict[str, tuple[str, int]]] = {}
        self.file = ""
        self.line: int | None = None
        self.record_id: str | None = None
        self.tokens_ok = True
        self._bounds: tuple[set[int], set[int]] | None = None
        self._spans: list[tuple[int, Span]] | None = None
        self._quotes: list[tuple[int, Quote]] | None = None
        self._events: list[tuple[int, Event]] | None = None

    def begin(self, record: Record, line: int) -> None:
        self.line = line
        self.record_id = record.meta.id
        self.tokens_ok = True
        self._bounds = None
        self._spans = self._quotes = self._events = None

    def seen_ids(self, annotator: str | None) -> dict[str, tuple[str, int]]:
        """Where each id was first seen: for this annotator across files, or in this file without one."""
        scope = (annotator, "") if annotator is not None else (None, self.file)
        seen = self._seen.get(scope)
        if seen is None:
            seen = self._seen[scope] = {}
        return seen

    def finding(self, rule_id: str, message: str) -> Finding:
        """A finding of ``rule_id`` at the current record, with the rule's severity and hint."""
        severity, hint = RULE_INFO[rule_id]
        return Finding(rule_id, message, self.file, self.line, self.record_id, severity=severity, hint=hint)

    def token_bounds(self, record: Record) -> tuple[set[int], set[int]]:
        """Token start and end offsets of the current record, built only when a rule needs them."""
        if self._bounds is None:
            tokens = record.tokens
            self._bounds = ({t.start for t in tokens}, {t.end for t in tokens})
        return self._bounds

    # The span, quote and event rules share one pass over each list that picks out the items that might
    # break a rule; each rule then looks closely at those alone. A clean record has none, so its span
    # rules cost one comprehension in all rather than one each.

    def suspect_spans(self, record: Record) -> list[tuple[int, Span]]:
        """Spans that may break a span rule: outside the text, text differing, unknown label, token
        indices that do not point at tokens with the same offsets."""
        if self._spans is None:
            self._spans = _suspect_spans(record, self.entity_labels)
        return self._spans

    def suspect_quotes(self, record: Record) -> list[tuple[int, Quote]]:
        """Quotes that may break a quote rule (kind, ranges, role texts, content, overlap): besides any
        quote a rule could object to on its own, every piece of a quote in several pieces and every quote
        whose content another quote repeats."""
        if self._quotes is None:
            text, kinds, quotes = record.text, self.quote_kinds, record.quotes
            plain = [_plain_quote(quote, text, kinds) for quote in quotes]
            if len(quotes) > 1 and any(plain):
                ids = Counter(quote.id for quote in quotes if quote.id is not None)
                anchors = Counter(_anchor_key(quote) for quote in quotes)
                plain = [
                    ok and (quote.id is None or ids[quote.id] < 2) and anchors[_anchor_key(quote)] < 2
                    for ok, quote in zip(plain, quotes, strict=True)
                ]
            self._quotes = [(q, quote) for q, quote in enumerate(quotes) if not plain[q]]
        return self._quotes

    def suspect_events(self, record: Record) -> list[tuple[int, Event]]:
        """Events that may break an event rule (type, trigger range, trigger text)."""
        if self._events is None:
            n, types = len(record.text), self.event_types
            self._events = [
                (e, ev)
                for e, ev in enumerate(record.events)
                if ev.label not in types
                or (
                    ev.trigger is not None
                    and (ev.trigger.text is not None or not 0 <= ev.trigger.start < ev.trigger.end <= n)
                )
            ]
        return self._events


def _suspect_spans(record: Record, allowed: frozenset[str]) -> list[tuple[int, Span]]:
    # A plain loop with locals: this runs for every span of every record, and attribute reads dominate.
    text, tokens = record.text, record.tokens
    n, count = len(text), len(tokens)
    suspects = []
    for i, span in enumerate(record.spans):
        start, end, first, last = span.start, span.end, span.token_start, span.token_end
        if (
            0 <= start < end <= n
            and span.label in allowed
            and (span.text is None or text[start:end] == span.text)
            and (
                not count
                or (
                    first is not None
                    and last is not None
                    and 0 <= first <= last < count
                    and tokens[first].start == start
                    and tokens[last].end == end
                )
            )
        ):
            continue
        suspects.append((i, span))
    return suspects


def _plain_quote(quote: Quote, text: str, kinds: frozenset[str]) -> bool:
    """A quote no quote rule can object to: known kind, non-blank content, speaker and cue inside the text
    and outside the content, no role text to compare."""
    content = quote.content
    if quote.kind not in kinds or content is None or content.text is not None:
        return False
    n = len(text)
    if not 0 <= content.start < content.end <= n or not text[content.start : content.end].strip():
        return False
    for role in (quote.speaker, quote.cue):
        if role is not None and (
            role.text is not None
            or not 0 <= role.start < role.end <= n
            or (role.start < content.end and content.start < role.end)
        ):
            return False
    return True


def _anchor_key(quote: Quote) -> tuple[str, int, int] | None:
    """The span a labeling tool rebuilds the quote from: its content, else its cue, else its speaker."""
    for name in ("content", "cue", "speaker"):
        role = getattr(quote, name)
        if role is not None:
            return name, role.start, role.end
    return None


def _pieces_of(record: Record, quote: Quote) -> list[Quote]:
    """The pieces of ``quote``'s quote in this record: the entries sharing its id (itself without one)."""
    if quote.id is None:
        return [quote]
    return [other for other in record.quotes if other.id == quote.id]


def _aligned_by_index(span: Span, tokens: list[Any]) -> bool:
    """The span's token indices exist and their tokens start and end where the span does."""
    first, last = span.token_start, span.token_end
    return (
        first is not None
        and last is not None
        and 0 <= first <= last < len(tokens)
        and tokens[first].start == span.start
        and tokens[last].end == span.end
    )


def _inside(start: int, end: int, length: int) -> bool:
    return 0 <= start < end <= length


def _span(i: int, span: Span) -> str:
    return f"span {i} {span.label} {span.start}-{span.end}"


def _range(item: Role) -> str:
    return f"{item.start}-{item.end}"


def _roles(quote: Quote) -> Iterator[tuple[str, Role]]:
    for name in ("content", "speaker", "cue"):
        role = getattr(quote, name)
        if role is not None:
            yield name, role


# Rules that look at spans, quotes or events see only the suspects the context picked out; on a clean
# record they do not run at all. The others run on every record and start with a cheap test.


@rule(
    "span-range", looks_at=("spans",), hint="span offsets are code points into text, half-open, start < end"
)
def check_span_range(record: Record, ctx: Context) -> list[Finding]:
    n = len(record.text)
    return [
        ctx.finding("span-range", f"{_span(i, s)} is empty or outside the text (length {n})")
        for i, s in ctx.suspect_spans(record)
        if not _inside(s.start, s.end, n)
    ]


@rule(
    "span-text",
    looks_at=("spans", "quotes", "events"),
    hint="the offsets or the text moved; offsets count code points, not UTF-16 units",
)
def check_span_text(record: Record, ctx: Context) -> list[Finding]:
    text = record.text
    found = [
        ctx.finding("span-text", f"{_span(i, s)}: text {s.text!r} but the slice is {text[s.start : s.end]!r}")
        for i, s in ctx.suspect_spans(record)
        if s.text is not None and text[s.start : s.end] != s.text
    ]
    marked = [
        (f"quote {q} {name}", r) for q, quote in ctx.suspect_quotes(record) for name, r in _roles(quote)
    ]
    marked += [
        (f"event {e} {ev.label} trigger", ev.trigger) for e, ev in ctx.suspect_events(record) if ev.trigger
    ]
    found += [
        ctx.finding(
            "span-text", f"{what} {_range(r)}: text {r.text!r} but the slice is {text[r.start : r.end]!r}"
        )
        for what, r in marked
        if r.text is not None and text[r.start : r.end] != r.text
    ]
    return found


@rule("token-offsets", hint="tokens must be slices of text, in order, not overlapping, with ids 0..n-1")
def check_token_offsets(record: Record, ctx: Context) -> list[Finding]:
    text = record.text
    previous_end = 0
    i = 0
    for token in record.tokens:
        start = token.start
        end = token.end
        if token.id == i and previous_end <= start < end and text[start:end] == token.text:
            previous_end = end
            i += 1
            continue
        ctx.tokens_ok = False
        if token.id != i:
            problem = f"has id {token.id}, expected {i}"
        elif start < previous_end:
            problem = f"starts at {start}, before the previous token ends ({previous_end})"
        elif end <= start:
            problem = f"is empty ({start}-{end})"
        else:
            problem = f"{start}-{end} has text {token.text!r} but the slice is {text[start:end]!r}"
        # One finding per record: after the first bad token the rest usually follow from it.
        return [ctx.finding("token-offsets", f"token {i} {problem}")]
    return []


def _unaligned(record: Record, ctx: Context) -> list[tuple[int, Span]]:
    """Suspect spans whose token indices do not match their offsets, when the tokens themselves are sound."""
    tokens = record.tokens
    if not tokens or not ctx.tokens_ok:
        return []
    return [(i, s) for i, s in ctx.suspect_spans(record) if not _aligned_by_index(s, tokens)]


@rule(
    "token-boundary",
    looks_at=("spans",),
    hint="a span must start where a token starts and end where a token ends",
)
def check_token_boundary(record: Record, ctx: Context) -> list[Finding]:
    unaligned = _unaligned(record, ctx)
    if not unaligned:
        return []
    n = len(record.text)
    starts, ends = ctx.token_bounds(record)
    found = []
    for i, span in unaligned:
        edges = [
            edge for edge, offsets in (("start", starts), ("end", ends)) if getattr(span, edge) not in offsets
        ]
        if edges and _inside(span.start, span.end, n):
            found.append(
                ctx.finding(
                    "token-boundary", f"{_span(i, span)}: its {' and '.join(edges)} is inside a token"
                )
            )
    return found


@rule(
    "token-index",
    looks_at=("spans",),
    hint="token_start is the first token of the span, token_end the last (inclusive)",
)
def check_token_index(record: Record, ctx: Context) -> list[Finding]:
    unaligned = [
        (i, s) for i, s in _unaligned(record, ctx) if s.token_start is not None or s.token_end is not None
    ]
    if not unaligned:
        return []
    first = {t.start: t.id for t in record.tokens}
    last = {t.end: t.id for t in record.tokens}

    def token_at(offsets: dict[int, int], offset: int) -> str:
        return str(offsets[offset]) if offset in offsets else "none"

    return [
        ctx.finding(
            "token-index",
            f"{_span(i, s)} has tokens {s.token_start}-{s.token_end}, its offsets give "
            f"{token_at(first, s.start)}-{token_at(last, s.end)}",
        )
        for i, s in unaligned
    ]


@rule("unknown-label", looks_at=("spans",), hint="entity labels come from schemas/labels.json (or --labels)")
def check_entity_labels(record: Record, ctx: Context) -> list[Finding]:
    scheme = f"scheme {ctx.scheme}" if ctx.scheme else "any entity scheme"
    return [
        ctx.finding("unknown-label", f"{_span(i, s)}: label {s.label!r} is not in {scheme}")
        for i, s in ctx.suspect_spans(record)
        if s.label not in ctx.entity_labels
    ]


@rule("overlapping-spans", hint="entity spans may not overlap (Prodigy's ner.manual forbids it)")
def check_overlapping_spans(record: Record, ctx: Context) -> list[Finding]:
    spans = record.spans
    previous_end = -1
    for span in spans:
        if span.start < previous_end:
            break
        previous_end = span.end
    else:
        return []  # in order and apart: the usual case
    found = []
    ordered = sorted(range(len(spans)), key=lambda i: (spans[i].start, spans[i].end))
    reach = ordered[0]
    for i in ordered[1:]:
        if spans[i].start < spans[reach].end:
            found.append(
                ctx.finding(
                    "overlapping-spans", f"{_span(i, spans[i])} overlaps {_span(reach, spans[reach])}"
                )
            )
        if spans[i].end > spans[reach].end:
            reach = i
    return found


@rule(
    "quote-kind",
    looks_at=("quotes",),
    hint="quote kinds come from schemas/labels.json: direct, indirect, mixed",
)
def check_quote_kind(record: Record, ctx: Context) -> list[Finding]:
    return [
        ctx.finding("quote-kind", f"quote {q} kind {quote.kind!r} is not a known quote kind")
        for q, quote in ctx.suspect_quotes(record)
        if quote.kind not in ctx.quote_kinds
    ]


@rule("quote-range", looks_at=("quotes",), hint="quote roles are non-empty ranges of the record's text")
def check_quote_range(record: Record, ctx: Context) -> list[Finding]:
    n = len(record.text)
    return [
        ctx.finding(
            "quote-range", f"quote {q} {name} {_range(role)} is empty or outside the text (length {n})"
        )
        for q, quote in ctx.suspect_quotes(record)
        for name, role in _roles(quote)
        if not _inside(role.start, role.end, n)
    ]


@rule(
    "quote-content",
    looks_at=("quotes",),
    hint="a quote needs content in one of its pieces (entries sharing its id) in this record, unless it "
    "links to the records holding it",
)
def check_quote_content(record: Record, ctx: Context) -> list[Finding]:
    found = []
    for q, quote in ctx.suspect_quotes(record):
        content = quote.content
        if content is None:
            pieces = _pieces_of(record, quote)
            if not any(piece.linked_records or piece.content is not None for piece in pieces):
                found.append(ctx.finding("quote-content", f"quote {q} has no content"))
        elif not record.text[content.start : content.end].strip():
            found.append(ctx.finding("quote-content", f"quote {q} content {_range(content)} is blank"))
    return found


@rule(
    "quote-overlap",
    looks_at=("quotes",),
    hint="content never holds its own quote's speaker or cue: an interrupted quote is one piece of content "
    "on each side of them",
)
def check_quote_overlap(record: Record, ctx: Context) -> list[Finding]:
    found = []
    for q, quote in ctx.suspect_quotes(record):
        content = quote.content
        if content is None:
            continue
        roles = {
            (role.start, role.end, name)
            for piece in _pieces_of(record, quote)
            for name, role in (("speaker", piece.speaker), ("cue", piece.cue))
            if role is not None
        }
        for start, end, name in sorted(roles):
            if start < content.end and content.start < end:
                found.append(
                    ctx.finding(
                        "quote-overlap",
                        f"quote {q} {name} {start}-{end} overlaps its content {_range(content)}",
                    )
                )
    return found


@rule(
    "quote-shared-span",
    looks_at=("quotes",),
    hint="tools rebuild a quote from one span (its content, else its cue, else its speaker): one content "
    "belongs to one quote, and a piece without content needs a cue or speaker no other quote holds",
)
def check_quote_shared_span(record: Record, ctx: Context) -> list[Finding]:
    suspects = ctx.suspect_quotes(record)
    if len(record.quotes) < 2 or not suspects:
        return []
    first: dict[tuple[str, int, int], int] = {}
    held: dict[tuple[str, int, int], list[int]] = {}  # every speaker and cue span, and the entries naming it
    for q, quote in enumerate(record.quotes):
        key = _anchor_key(quote)
        if key is not None:
            first.setdefault(key, q)
        for name in ("speaker", "cue"):
            role = getattr(quote, name)
            if role is not None:
                held.setdefault((name, role.start, role.end), []).append(q)
    found = []
    for q, quote in suspects:
        key = _anchor_key(quote)
        if key is None:
            continue
        name, start, end = key
        if first[key] != q:
            other = record.quotes[first[key]]
            same = quote.id is not None and other.id == quote.id
            what = f"another piece of quote {quote.id!r}" if same else f"quote {first[key]}"
            if name == "content":
                message = f"quote {q} content {start}-{end} is also the content of {what}"
            else:
                message = f"quote {q} has no content and is anchored on {name} {start}-{end}, as {what} is"
            found.append(ctx.finding("quote-shared-span", message))
        elif _lone_role(quote):
            # A piece that is nothing but a span another quote names in that role: a tool draws the span once,
            # as the other quote's role, and the piece is gone.
            others = [p for p in held[key] if p != q and not _same_quote(record.quotes[p], quote)]
            if others:
                found.append(
                    ctx.finding(
                        "quote-shared-span",
                        f"quote {q} has only its {name} {start}-{end}, which quote {others[0]} also names",
                    )
                )
    return found


def _lone_role(quote: Quote) -> bool:
    return quote.content is None and (quote.speaker is None) != (quote.cue is None)


def _same_quote(a: Quote, b: Quote) -> bool:
    return a.id is not None and a.id == b.id


@rule(
    "quote-token-boundary",
    hint="quote roles start and end on token boundaries (Prodigy's rel.manual joins spans by token)",
)
def check_quote_token_boundary(record: Record, ctx: Context) -> list[Finding]:
    quotes = record.quotes
    if not quotes or not record.tokens or not ctx.tokens_ok:
        return []
    starts, ends = ctx.token_bounds(record)
    n = len(record.text)
    found = []
    for q, quote in enumerate(quotes):
        for name, role in _roles(quote):
            edges = [
                edge
                for edge, at in (("start", role.start), ("end", role.end))
                if at not in (starts, ends)[edge == "end"]
            ]
            if edges and _inside(role.start, role.end, n):
                found.append(
                    ctx.finding(
                        "quote-token-boundary",
                        f"quote {q} {name} {_range(role)}: its {' and '.join(edges)} is inside a token",
                    )
                )
    return found


@rule("event-type", looks_at=("events",), hint="event types are the 16 PLOVER types of schemas/labels.json")
def check_event_type(record: Record, ctx: Context) -> list[Finding]:
    return [
        ctx.finding("event-type", f"event {e} type {event.label!r} is not a PLOVER event type")
        for e, event in ctx.suspect_events(record)
        if event.label not in ctx.event_types
    ]


@rule(
    "trigger-range", looks_at=("events",), hint="an event trigger is a non-empty range of the record's text"
)
def check_trigger_range(record: Record, ctx: Context) -> list[Finding]:
    n = len(record.text)
    return [
        ctx.finding(
            "trigger-range",
            f"event {e} {ev.label} trigger {_range(ev.trigger)} is empty or outside the text (length {n})",
        )
        for e, ev in ctx.suspect_events(record)
        if ev.trigger is not None and not _inside(ev.trigger.start, ev.trigger.end, n)
    ]


@rule("answer-value", hint="answer is accept, reject or ignore")
def check_answer_value(record: Record, ctx: Context) -> list[Finding]:
    if record.answer is None or record.answer in ANSWERS:
        return []
    return [ctx.finding("answer-value", f"answer {record.answer!r} is not accept, reject or ignore")]


@rule("duplicate-id", hint="one answer per task and annotator; merge or drop the repeat")
def check_duplicate_id(record: Record, ctx: Context) -> list[Finding]:
    record_id = record.meta.id
    if record_id is None:
        return []
    annotator = record.annotator_id
    # Without an annotator the file is a task file: ids must be unique within it, not across files.
    seen = ctx.seen_ids(annotator)
    first = seen.get(record_id)
    if first is None:
        seen[record_id] = (ctx.file, ctx.line or 0)
        return []
    who = f"annotator {annotator!r}" if annotator is not None else "this file"
    return [ctx.finding("duplicate-id", f"id {record_id!r} from {who} already at {first[0]}:{first[1]}")]


@rule("missing-id", severity=WARNING, hint="meta.id (<doc_id>:<unit>) joins answers, agreement and splits")
def check_missing_id(record: Record, ctx: Context) -> list[Finding]:
    return [] if record.meta.id else [ctx.finding("missing-id", "record has no meta.id")]


@rule("text-sha256", hint="the text changed after conversion; texts are never edited")
def check_text_sha256(record: Record, ctx: Context) -> list[Finding]:
    expected = record.meta.text_sha256
    if expected is None or sha256(record.text.encode("utf-8")).hexdigest() == expected:
        return []
    return [ctx.finding("text-sha256", "meta.text_sha256 does not match the text")]


@rule("source-offsets", hint="meta.start/meta.end must slice the source document to exactly the text")
def check_source_offsets(record: Record, ctx: Context) -> list[Finding]:
    meta = record.meta
    start, end = meta.start, meta.end
    if start is None or end is None:
        return []
    if end - start != len(record.text):
        return [
            ctx.finding(
                "source-offsets",
                f"meta.start-end {start}-{end} covers {end - start} characters, the "
                f"text has {len(record.text)}",
            )
        ]
    if meta.source is None:
        return []
    source, first_time = ctx.sources.get(meta.source)
    if source is None:
        note = f"source {meta.source!r} is not at hand; offsets not checked"
        return [ctx.finding("source-missing", note)] if first_time else []
    if source[start:end] == record.text:
        return []
    return [
        ctx.finding(
            "source-offsets",
            f"meta.start-end {start}-{end} of {meta.source} slices {source[start:end][:40]!r}, not the text",
        )
    ]


def _located(ctx: Context, line: int, rule_id: str, message: str) -> Finding:
    severity, hint = RULE_INFO[rule_id]
    return Finding(rule_id, message, ctx.file, line, None, severity=severity, hint=hint)


def _schema_problem(obj: dict[str, Any], error: msgspec.ValidationError) -> str:
    """The JSON Schema's account of a line msgspec rejected, else msgspec's own (with its JSON path)."""
    import fastjsonschema

    try:
        record_validator()(obj)
    except fastjsonschema.JsonSchemaValueException as exc:
        return exc.message
    return str(error)


def _slow_decode(raw: bytes, ctx: Context, line: int) -> Record | Finding | None:
    """Explain a line the typed decoder rejected: blank (None), not JSON, not an object, or the wrong shape.

    A line that passes the schema can still be a record the fast decoder refused (a top-level key named
    ``extra``); ``record_from_dict`` handles those the way every other stage reads them.
    """
    if not raw.strip():
        return None
    try:
        obj = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        return _located(ctx, line, "invalid-json", f"not valid JSON: {str(exc).split(':')[0]}")
    if not isinstance(obj, dict):
        return _located(ctx, line, "not-an-object", f"a JSON {type(obj).__name__}, not an object")
    try:
        return record_from_dict(obj)
    except msgspec.ValidationError as exc:
        meta = obj.get("meta")
        record_id = meta.get("id") if isinstance(meta, dict) and isinstance(meta.get("id"), str) else None
        severity, hint = RULE_INFO["schema"]
        return Finding(
            "schema", _schema_problem(obj, exc), ctx.file, line, record_id, severity=severity, hint=hint
        )


@dataclass
class FileCounts:
    lines: int = 0
    records: int = 0


def check_file(
    path: str, ctx: Context, counts: FileCounts, *, full_schema: bool = False
) -> Iterator[Finding]:
    """Yield the findings of one file; ``counts`` gets its lines and records."""
    decode = msgspec.json.Decoder(Record).decode
    validator = record_validator() if full_schema else None
    ctx.file = path
    lines = numbered_lines(path, blank=True)
    yield from _check_lines(lines, ctx, counts, rule_plans(), decode, validator)


Plans = dict[tuple[bool, bool, bool], list[Callable[[Record, Context], list[Finding]]]]


def rule_plans() -> Plans:
    """The rules to run, in registration order, for each combination of lists that have suspects."""
    plans: Plans = {}
    flags = (False, True)
    for key in itertools.product(flags, flags, flags):  # one flag per scope: spans, quotes, events
        flagged = {scope for scope, has in zip(SCOPES, key, strict=True) if has}
        plans[key] = [r.check for r in RULES if not r.looks_at or flagged.intersection(r.looks_at)]
    return plans


def check_lines(
    lines: Iterable[tuple[int, bytes]],
    ctx: Context,
    counts: FileCounts,
    *,
    rules: bool = True,
    on_record: Callable[[int, bytes, Record], None] | None = None,
) -> Iterator[Finding]:
    """``check_file`` over lines read elsewhere (``ctx.file`` names them). ``on_record(line, raw, record)``
    sees every record decoded, so toolkit package surveys its inputs in the same pass; ``rules=False``
    only decodes (the findings are then the lines that are not records)."""
    plans = rule_plans() if rules else dict.fromkeys(rule_plans(), [])
    decode = msgspec.json.Decoder(Record).decode
    yield from _check_lines(lines, ctx, counts, plans, decode, None, on_record)


def _check_lines(
    lines: Iterable[tuple[int, bytes]],
    ctx: Context,
    counts: FileCounts,
    plans: Plans,
    decode: Callable[[bytes], Record],
    validator: Callable[[Any], Any] | None,
    on_record: Callable[[int, bytes, Record], None] | None = None,
) -> Iterator[Finding]:
    """The hot loop: decode each line, pick the suspects of each list, run the rules that apply."""
    for number, raw in lines:
        counts.lines = number
        try:
            if validator is not None:
                _full_check(raw, validator)
            record = decode(raw)
        except (msgspec.DecodeError, UnicodeDecodeError):  # msgspec raises the latter for invalid UTF-8
            outcome = _slow_decode(raw, ctx, number)
            if not isinstance(outcome, Record):
                if outcome is not None:
                    yield outcome
                continue
            record = outcome
        counts.records += 1
        if on_record is not None:
            on_record(number, raw, record)
        ctx.begin(record, number)
        key = (
            bool(ctx.suspect_spans(record)),
            bool(ctx.suspect_quotes(record)),
            bool(ctx.suspect_events(record)),
        )
        for check in plans[key]:
            found = check(record, ctx)
            if found:
                yield from found


def _full_check(raw: bytes, validator: Callable[[Any], Any]) -> None:
    """With --full-schema every line meets the JSON Schema, not only those the typed decoder rejects."""
    import fastjsonschema

    try:
        obj = orjson.loads(raw)
        if isinstance(obj, dict):
            validator(obj)
    except (orjson.JSONDecodeError, fastjsonschema.JsonSchemaValueException):
        raise msgspec.ValidationError("rejected by the JSON Schema") from None


def validate(
    *, paths: Iterable[str | Path], options: ValidateOptions = ValidateOptions()
) -> ValidationReport:
    """Check record files against the schema and every semantic rule; files are only read."""
    label_set = load_labels(options.labels)
    ctx = Context(labels=label_set, scheme=options.scheme, source_dir=options.source_dir)
    files = [str(p) for p in paths]
    if not files:
        raise InputError("no files to validate", rule="no-input")
    findings: list[Finding] = []
    records = lines = 0
    with collector_paused():
        for path in files:
            counts = FileCounts()
            findings.extend(check_file(path, ctx, counts, full_schema=options.full_schema))
            records += counts.records
            lines += counts.lines
    return ValidationReport(
        findings=findings,
        files=files,
        records=records,
        lines=lines,
        strict=options.strict,
        labels_version=label_set.version,
    )


def rule_ids() -> list[str]:
    """Every rule id a finding can carry, schema rules first."""
    return list(RULE_INFO)
