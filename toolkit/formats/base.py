"""What every labeling-tool format provides: tasks out of records, parsed answers back in."""

from __future__ import annotations

import abc
import contextlib
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, ClassVar

import orjson

from toolkit.errors import UsageError
from toolkit.findings import Finding
from toolkit.formats.layers import RegionIn, events_from, quotes_from_graph
from toolkit.formats.offsets import (
    OffsetMap,
    Placement,
    PlacementProblem,
    place_row,
    place_span,
    token_bounds,
    token_indices,
)
from toolkit.record import Event, Quote, Record, Span, Token

VIEWS: tuple[str, ...] = ("entities", "spans", "quotes", "events")
# Which annotation layer of a record a view carries ("spans" is the entity layer with overlaps allowed).
VIEW_LAYER: dict[str, str] = {"entities": "spans", "spans": "spans", "quotes": "quotes", "events": "events"}


@dataclass
class ParsedAnswer:
    """One annotator's answer, read from a tool's file and mapped back onto the record's terms.

    ``record`` holds the answer's text, whatever tokens and meta the tool kept, the layers named in
    ``views`` and the answer's provenance. ``converted`` counts spans placed by another reading than
    code points (UTF-16 units, grapheme clusters, CRLF as one), by reading; ``dropped`` counts what the
    answer held but the record cannot keep (triggers of unticked event types, invalid regions skipped).
    """

    record: Record
    views: tuple[str, ...]
    path: str
    line: int | None
    record_id: str | None = None
    input_hash: int | None = None
    problems: list[Finding] = field(default_factory=list)
    converted: dict[str, int] = field(default_factory=dict)
    dropped: dict[str, int] = field(default_factory=dict)
    _offsets: OffsetMap | None = field(default=None, repr=False)
    _bounds: tuple[frozenset[int], frozenset[int]] | None = field(default=None, repr=False)

    def problem(self, rule: str, message: str) -> None:
        self.problems.append(Finding(rule, message, self.path, self.line, self.record_id))

    def place(
        self, start: object, end: object, *, expected_text: str | None = None, what: str = "span"
    ) -> tuple[int, int] | None:
        """The span's code point offsets in the answer's text, or None after reporting why not."""
        self._prepare()
        placed = place_span(
            self.record.text,
            start,
            end,
            expected_text=expected_text,
            offsets=self._offsets,
            token_bounds=self._bounds,
        )
        return self._placed(placed, what)

    def _placed(self, placed: Placement | PlacementProblem, what: str) -> tuple[int, int] | None:
        if isinstance(placed, PlacementProblem):
            self.problem(placed.rule, f"{what}: {placed.message}")
            return None
        if placed.converted:
            self.converted[placed.reading] = self.converted.get(placed.reading, 0) + 1
        return placed.start, placed.end

    def place_all(
        self, spans: Sequence[tuple[object, object]], whats: Sequence[str], *, declared: str | None = None
    ) -> list[tuple[int, int] | None]:
        """Place every span of a row without span text in one unit (see ``offsets.place_row``)."""
        self._prepare()
        row = place_row(
            self.record.text, spans, declared=declared, offsets=self._offsets, token_bounds=self._bounds
        )
        if row.problem is not None:
            self.problem(row.problem.rule, row.problem.message)
            return [None] * len(spans)
        return [self._placed(p, what) for p, what in zip(row.placements, whats, strict=True)]

    def drop(self, what: str, count: int = 1) -> None:
        if count:
            self.dropped[what] = self.dropped.get(what, 0) + count

    def rebuilt_quotes(
        self,
        regions: Sequence[RegionIn],
        links: Iterable[tuple[Hashable, Hashable]],
        *,
        source: str,
        carried: Mapping[str, Any] | None,
    ) -> list[Quote]:
        """The quotes the answer's role regions and links make (``layers.quotes_from_graph``); what cannot
        be rebuilt is reported as a problem of the answer."""
        quotes, problems = quotes_from_graph(
            self.record.text, regions, links, source=source, carried=carried, record_id=self.record_id
        )
        for rule, message in problems:
            self.problem(rule, message)
        return quotes

    def ticked_events(
        self, labels: Iterable[str], triggers: Iterable[tuple[int, int, str]], *, source: str
    ) -> list[Event]:
        """The events of the ticked types (``layers.events_from``): the choices decide, so a trigger region
        left in place for a type no longer ticked is dropped and counted."""
        events, problems, dropped = events_from(labels, triggers, source=source)
        self.drop("event triggers of unticked types", dropped)
        for rule, message in problems:
            self.problem(rule, message)
        return events

    def _prepare(self) -> None:
        if self._offsets is None:
            self._offsets = OffsetMap(self.record.text)
            self._bounds = token_bounds(self.record.tokens) if self.record.tokens else None

    def entity(self, placed: tuple[int, int], label: object, *, source: str, span_id: object = None) -> Span:
        """A placed entity with its token indices (when the answer has tokens) and the tool's id, if any."""
        indices = token_indices(*placed, self.record.tokens) if self.record.tokens else None
        return Span(
            start=placed[0],
            end=placed[1],
            label=str(label),
            token_start=indices[0] if indices else None,
            token_end=indices[1] if indices else None,
            source=source,
            id=None if span_id is None else str(span_id),
        )


@dataclass
class ReadContext:
    """What a reader needs besides the file: the labels allowed and the view to assume if unmarked."""

    entity_labels: frozenset[str]
    view: str | None = None
    annotator: str | None = None
    keep_empty: bool = False
    # Skip what cannot be read (a line that is not JSON, a malformed Label Studio region) and count it.
    skip_invalid: bool = False
    skipped: dict[str, int] = field(default_factory=dict)
    # Tokens of the base record an answer joins (by id, else by text): lets a tool that exports no
    # tokens have its spans checked against token boundaries.
    base_tokens: Callable[[str | None, str], list[Token]] | None = None

    def tokens_for(self, record_id: str | None, text: str) -> list[Token]:
        return self.base_tokens(record_id, text) if self.base_tokens is not None else []

    def skip(self, reason: str, count: int = 1) -> None:
        if count:
            self.skipped[reason] = self.skipped.get(reason, 0) + count


class ToolFormat(abc.ABC):
    """A labeling tool: one class per tool, registered by name in ``toolkit.formats.FORMATS``."""

    name: ClassVar[str]
    views: ClassVar[tuple[str, ...]]
    # Label Studio shows several layers in one task; Prodigy and doccano have one interface per task.
    multi_view: ClassVar[bool] = False
    suffix: ClassVar[str] = ".jsonl"

    def check_views(self, views: Sequence[str]) -> tuple[str, ...]:
        chosen = tuple(dict.fromkeys(views))
        unknown = [v for v in chosen if v not in self.views]
        if unknown or not chosen:
            raise UsageError(
                f"{self.name} has no view {', '.join(unknown) or '(none given)'}",
                hint=f"choose from {', '.join(self.views)}",
            )
        if len(chosen) > 1 and not self.multi_view:
            raise UsageError(f"{self.name} takes one view per export, got {', '.join(chosen)}")
        if "entities" in chosen and "spans" in chosen:
            raise UsageError("views entities and spans are the same layer; pick one")
        return chosen

    def export_problems(self, record: Record, views: tuple[str, ...]) -> list[str]:
        """Why this record cannot go into this tool's views as they are (empty when it can)."""
        return []

    @abc.abstractmethod
    def task(self, record: Record, views: tuple[str, ...]) -> dict[str, Any]:
        """The tool's task for one record."""

    def refusal_hint(self, views: tuple[str, ...]) -> str:
        """What the user can do when records cannot go into the chosen view."""
        return "fix the records or choose another view"

    @contextlib.contextmanager
    def task_writer(self, handle: IO[bytes]) -> Iterator[Callable[[dict[str, Any]], None]]:
        """Write tasks one by one into an open binary file: JSON lines unless the tool wants otherwise."""
        yield lambda task: _write_line(handle, task)

    def sidecars(
        self, output: str | Path, views: tuple[str, ...], entity_labels: Sequence[str]
    ) -> dict[Path, str]:
        """Extra files written beside the tasks (Label Studio's labeling config)."""
        return {}

    @abc.abstractmethod
    def read_answers(self, path: str | Path, context: ReadContext) -> Iterator[ParsedAnswer]:
        """Every annotator answer in an export file, one ParsedAnswer each, in file order."""


def _write_line(handle: IO[bytes], task: dict[str, Any]) -> None:
    handle.write(orjson.dumps(task))
    handle.write(b"\n")


def human_source(annotator: str | None) -> str:
    """Provenance of a span an annotator gave or accepted."""
    return f"human:{annotator or 'unknown'}"


def with_layers(
    record: Record,
    *,
    spans: list[Span] | None = None,
    quotes: list[Quote] | None = None,
    events: list[Event] | None = None,
) -> Record:
    """A copy of ``record`` with the given layers replaced."""
    import msgspec

    changes: dict[str, Any] = {}
    if spans is not None:
        changes["spans"] = spans
    if quotes is not None:
        changes["quotes"] = quotes
    if events is not None:
        changes["events"] = events
    return msgspec.structs.replace(record, **changes)
