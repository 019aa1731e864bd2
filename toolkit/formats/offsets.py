"""Offsets at the boundary of labeling tools: code points inside; UTF-16, grapheme, CRLF readings on import.

Python counts code points; a browser counts UTF-16 code units, its DOM turns ``\\r\\n`` into one character,
and doccano projects in grapheme mode count grapheme clusters (what a reader sees as one character: a
flag, an emoji with a skin tone, a letter with its combining accents). A span that came back from a tool
is placed by trying those readings and keeping one that fits; one that fits none, or a row whose readings
disagree with nothing to tell them apart, is reported, never moved to the nearest plausible place.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property

# Order matters: a span is read the way the toolkit wrote it first, then the browser ways.
READINGS: tuple[str, ...] = ("codepoint", "utf16", "crlf", "crlf+utf16", "grapheme")
# The units an export can write offsets in (the CRLF readings are a DOM accident, not a unit to choose).
UNITS: tuple[str, ...] = ("codepoint", "utf16", "grapheme")
READING_NAMES: dict[str, str] = {
    "codepoint": "code points",
    "utf16": "UTF-16 units",
    "grapheme": "grapheme clusters",
    "crlf": "offsets with CRLF as one character",
    "crlf+utf16": "UTF-16 units with CRLF as one character",
}


def grapheme_starts(text: str) -> list[int]:
    """The code point offset of every extended grapheme cluster (Unicode UAX #29), then ``len(text)``."""
    import regex

    return [m.start() for m in regex.finditer(r"\X", text)] + [len(text)]


class OffsetMap:
    """Converts offsets between code points and the units a browser counts, for one text."""

    def __init__(self, text: str) -> None:
        self.text = text

    @cached_property
    def has_astral(self) -> bool:
        return any(ord(ch) > 0xFFFF for ch in self.text)

    @cached_property
    def has_crlf(self) -> bool:
        return "\r\n" in self.text

    @cached_property
    def _clusters(self) -> list[int]:
        return grapheme_starts(self.text)

    @cached_property
    def has_clusters(self) -> bool:
        """Whether some grapheme cluster is longer than one code point (else grapheme = code point)."""
        if self.text.isascii() and not self.has_crlf:
            return False
        return len(self._clusters) - 1 != len(self.text)

    def _positions(self, *, utf16: bool, crlf: bool) -> list[int]:
        """Position in the browser's units of every code point boundary 0..len(text)."""
        positions = [0] * (len(self.text) + 1)
        unit = 0
        for i, ch in enumerate(self.text):
            positions[i] = unit
            if crlf and ch == "\r" and self.text.startswith("\n", i + 1):
                continue  # the DOM keeps only the "\n" of a "\r\n": this code point has no width
            unit += 2 if utf16 and ord(ch) > 0xFFFF else 1
        positions[len(self.text)] = unit
        return positions

    @cached_property
    def _utf16(self) -> list[int]:
        return self._positions(utf16=True, crlf=False)

    def to_utf16(self, offset: int) -> int:
        """The UTF-16 offset of a code point offset (what JavaScript's String indices count)."""
        return self._utf16[offset] if self.has_astral else offset

    def from_utf16(self, offset: int) -> int | None:
        """The code point offset of a UTF-16 offset; None inside a surrogate pair or outside the text."""
        return self._from_units(self._utf16, offset)

    def to_grapheme(self, offset: int) -> int | None:
        """The grapheme cluster index of a code point offset; None inside a cluster."""
        if not self.has_clusters:
            return offset
        index = bisect_left(self._clusters, offset)
        return index if index < len(self._clusters) and self._clusters[index] == offset else None

    def to_unit(self, unit: str, offset: int) -> int | None:
        """A code point offset counted in ``unit`` (one of UNITS); None where that unit has no boundary."""
        if unit == "utf16":
            return self.to_utf16(offset)
        if unit == "grapheme":
            return self.to_grapheme(offset)
        return offset

    def from_reading(self, reading: str, offset: int) -> int | None:
        """Read ``offset`` as counted in ``reading`` (one of READINGS) and return it in code points."""
        if reading == "codepoint":
            return offset if 0 <= offset <= len(self.text) else None
        if reading == "utf16":
            return self.from_utf16(offset)
        if reading == "grapheme":
            if not self.has_clusters:
                return offset if 0 <= offset <= len(self.text) else None
            return self._clusters[offset] if 0 <= offset < len(self._clusters) else None
        return self._from_units(self._crlf_units(reading), offset)

    def readings(self) -> tuple[str, ...]:
        """The readings that can differ from code points for this text (the others would repeat them)."""
        found = ["codepoint"]
        if self.has_astral:
            found.append("utf16")
        if self.has_crlf:
            found.append("crlf")
            if self.has_astral:
                found.append("crlf+utf16")
        if self.has_clusters:
            found.append("grapheme")
        return tuple(found)

    def _crlf_units(self, reading: str) -> list[int]:
        cache = self.__dict__.setdefault("_crlf_cache", {})
        if reading not in cache:
            cache[reading] = self._positions(utf16=reading == "crlf+utf16", crlf=True)
        return cache[reading]

    def _from_units(self, positions: list[int], offset: int) -> int | None:
        if offset < 0 or offset > positions[-1]:
            return None
        index = bisect_left(positions, offset)
        if index > len(self.text) or positions[index] != offset:
            return None
        # Several code points can share a position (the "\r" of a "\r\n" has none of its own); the
        # first one is the boundary in front of them, which is what an offset at that position means.
        return index


@dataclass(frozen=True)
class Placement:
    """Where a span returned by a tool lands in the text, in code points, and how it was read."""

    start: int
    end: int
    reading: str

    @property
    def converted(self) -> bool:
        return self.reading != "codepoint"


@dataclass(frozen=True)
class PlacementProblem:
    rule: str
    message: str


def _loose(text: str) -> str:
    # Label Studio's span text can collapse runs of whitespace; compare without them as a last resort.
    return " ".join(text.split())


def place_span(
    text: str,
    start: object,
    end: object,
    *,
    expected_text: str | None = None,
    offsets: OffsetMap | None = None,
    token_bounds: tuple[frozenset[int], frozenset[int]] | None = None,
) -> Placement | PlacementProblem:
    """Place a span a tool returned: the offsets as written, or a browser's reading of them that fits.

    With ``expected_text`` a reading fits when its slice equals that text (exactly, else ignoring
    whitespace runs). Without it a code-point reading inside the text fits, unless it misses token
    boundaries that exactly one other reading hits (a shift made by an emoji or a ``\\r\\n`` earlier on).
    """
    checked = _as_ints(start, end)
    if isinstance(checked, PlacementProblem):
        return checked
    start, end = checked
    offsets = offsets or OffsetMap(text)
    candidates: list[Placement] = []
    for reading in offsets.readings():
        pair = _read_pair(offsets, reading, (start, end))
        if pair is not None:
            candidates.append(Placement(*pair, reading))
    if expected_text is not None:
        return _place_by_text(text, start, end, expected_text, candidates)
    return _place_by_bounds(text, start, end, candidates, token_bounds)


def _place_by_text(
    text: str, start: int, end: int, expected: str, candidates: list[Placement]
) -> Placement | PlacementProblem:
    for match in (lambda got: got == expected, lambda got: _loose(got) == _loose(expected)):
        for candidate in candidates:
            if match(text[candidate.start : candidate.end]):
                return candidate
    found = repr(text[start:end]) if 0 <= start < end <= len(text) else "nothing (outside the text)"
    return PlacementProblem(
        "span-text-mismatch",
        f"span {start}-{end} should read {expected!r} but the text there is {found}, "
        f"in code points, UTF-16, grapheme and CRLF readings alike",
    )


def _place_by_bounds(
    text: str,
    start: int,
    end: int,
    candidates: list[Placement],
    token_bounds: tuple[frozenset[int], frozenset[int]] | None,
) -> Placement | PlacementProblem:
    if not candidates:
        return PlacementProblem(
            "span-out-of-range", f"span {start}-{end} lies outside the text ({len(text)} code points)"
        )
    distinct: list[Placement] = []
    for candidate in candidates:  # the first reading that gives each placement speaks for it
        if all((c.start, c.end) != (candidate.start, candidate.end) for c in distinct):
            distinct.append(candidate)
    if len(distinct) == 1:
        return distinct[0]
    aligned = [c for c in distinct if _on_tokens(c.start, c.end, token_bounds)]
    if len(aligned) == 1:
        return aligned[0]
    if distinct[0].reading == "codepoint" and not aligned:
        return distinct[0]  # no tokens to tell by, or none fits them: the offsets stand as written
    if distinct[0].reading == "codepoint" and distinct[0] in aligned:
        return distinct[0]
    return PlacementProblem("span-offsets-ambiguous", f"span {start}-{end} {_disagreement(text, distinct)}")


def _on_tokens(start: int, end: int, token_bounds: tuple[frozenset[int], frozenset[int]] | None) -> bool:
    return token_bounds is not None and start in token_bounds[0] and end in token_bounds[1]


def _disagreement(text: str, placements: Sequence[Placement]) -> str:
    readings = ", ".join(f"{READING_NAMES[p.reading]} {text[p.start : p.end]!r}" for p in placements)
    return f"reads differently by unit ({readings}) and nothing tells which unit the tool counted in"


@dataclass(frozen=True)
class RowPlacement:
    """Every span of one row placed in one reading, or why not: one problem per span or for the row."""

    placements: list[Placement | PlacementProblem]
    reading: str = "codepoint"
    problem: PlacementProblem | None = None


def place_row(
    text: str,
    spans: Sequence[tuple[object, object]],
    *,
    declared: str | None = None,
    offsets: OffsetMap | None = None,
    token_bounds: tuple[frozenset[int], frozenset[int]] | None = None,
) -> RowPlacement:
    """Place all spans of a row that carries no span text (doccano), reading them all in one unit.

    A tool counts one way for a whole row, so the unit is decided per row: the only reading that places
    every span, else the only one that puts every span on token boundaries, else the unit the export
    declared (when it fits). Readings that disagree with nothing to choose between them are a problem
    for the row: a shifted span is never imported.
    """
    offsets = offsets or OffsetMap(text)
    placements: list[Placement | PlacementProblem] = []
    good: list[int] = []
    for i, (start, end) in enumerate(spans):
        checked = _as_ints(start, end)
        bad = isinstance(checked, PlacementProblem)
        placements.append(checked if isinstance(checked, PlacementProblem) else Placement(0, 0, "codepoint"))
        if not bad:
            good.append(i)
    if not good:
        return RowPlacement(placements)
    results: dict[str, tuple[tuple[int, int], ...]] = {}
    for reading in offsets.readings():
        placed = [_read_pair(offsets, reading, spans[i]) for i in good]
        pairs = tuple(p for p in placed if p is not None)
        if len(pairs) == len(placed):
            results[reading] = pairs
    if not results:
        return _no_reading_fits(text, spans, good, placements, offsets)
    outcomes: dict[tuple[tuple[int, int], ...], str] = {}
    for reading, outcome in results.items():  # the declared unit speaks for the placement it gives
        if reading == declared or outcome not in outcomes:
            outcomes[outcome] = reading
    if declared in UNITS and declared not in results and declared not in offsets.readings():
        declared = "codepoint"  # a unit that counts this text as code points do (no emoji, no clusters)
    chosen = _choose(outcomes, results.get(declared or ""), token_bounds)
    if chosen is None:
        shown = _row_disagreement(text, spans, good, outcomes)
        problem = PlacementProblem("span-offsets-ambiguous", shown)
        return RowPlacement(placements, problem=problem)
    outcome, reading = chosen
    for i, (s, e) in zip(good, outcome, strict=True):
        same = (s, e) == spans[i]
        placements[i] = Placement(s, e, "codepoint" if same else reading)
    return RowPlacement(placements, reading)


def _as_ints(start: object, end: object) -> tuple[int, int] | PlacementProblem:
    if (
        isinstance(start, bool)
        or isinstance(end, bool)
        or not isinstance(start, int)
        or not isinstance(end, int)
    ):
        return PlacementProblem("span-offsets", f"offsets must be integers, got {start!r}-{end!r}")
    if start >= end:
        return PlacementProblem("span-empty", f"span {start}-{end} is empty or reversed")
    return start, end


def _read_pair(offsets: OffsetMap, reading: str, span: tuple[object, object]) -> tuple[int, int] | None:
    s = offsets.from_reading(reading, span[0])  # type: ignore[arg-type]
    e = offsets.from_reading(reading, span[1])  # type: ignore[arg-type]
    return (s, e) if s is not None and e is not None and s < e else None


def _choose(
    outcomes: dict[tuple[tuple[int, int], ...], str],
    declared: tuple[tuple[int, int], ...] | None,
    token_bounds: tuple[frozenset[int], frozenset[int]] | None,
) -> tuple[tuple[tuple[int, int], ...], str] | None:
    if len(outcomes) == 1:
        return next(iter(outcomes.items()))
    aligned = [o for o in outcomes if all(_on_tokens(s, e, token_bounds) for s, e in o)]
    if len(aligned) == 1:
        return aligned[0], outcomes[aligned[0]]
    if declared is not None and (not aligned or declared in aligned):
        return declared, outcomes[declared]
    return None


def _no_reading_fits(
    text: str,
    spans: Sequence[tuple[object, object]],
    good: list[int],
    placements: list[Placement | PlacementProblem],
    offsets: OffsetMap,
) -> RowPlacement:
    units = f"{len(text)} code points" + (
        f", {offsets.to_utf16(len(text))} UTF-16 units" if offsets.has_astral else ""
    )
    alone = 0
    for i in good:
        if any(_read_pair(offsets, r, spans[i]) is not None for r in offsets.readings()):
            alone += 1
            continue
        start, end = spans[i]
        placements[i] = PlacementProblem(
            "span-out-of-range", f"span {start}-{end} lies outside the text ({units})"
        )
    if alone == len(good):  # each span fits some unit, but no one unit fits them all
        return RowPlacement(
            placements,
            problem=PlacementProblem(
                "span-offsets-mixed",
                "no one unit (code points, UTF-16 units, grapheme clusters) places every span",
            ),
        )
    for i in good:
        if isinstance(placements[i], Placement):
            placements[i] = PlacementProblem(
                "span-offsets-mixed", "not placed: another span of the row fits no unit"
            )
    return RowPlacement(placements, problem=None)


def _row_disagreement(
    text: str,
    spans: Sequence[tuple[object, object]],
    good: list[int],
    outcomes: dict[tuple[tuple[int, int], ...], str],
) -> str:
    """Name the first span whose readings differ, and what each unit makes of it."""
    for n, i in enumerate(good):
        seen = {outcome[n] for outcome in outcomes}
        if len(seen) > 1:
            readings = ", ".join(
                f"{READING_NAMES[reading]} {text[outcome[n][0] : outcome[n][1]]!r}"
                for outcome, reading in outcomes.items()
            )
            start, end = spans[i]
            return (
                f"span {start}-{end} reads differently by unit ({readings}) and nothing tells which unit "
                "the row counts in"
            )
    return "the row's spans read differently by unit"


def token_bounds(tokens: Iterable[object]) -> tuple[frozenset[int], frozenset[int]]:
    """The start and end offsets of tokens (objects or dicts with ``start`` and ``end``)."""
    starts: set[int] = set()
    ends: set[int] = set()
    for token in tokens:
        start = token["start"] if isinstance(token, dict) else token.start  # type: ignore[attr-defined]
        end = token["end"] if isinstance(token, dict) else token.end  # type: ignore[attr-defined]
        starts.add(start)
        ends.add(end)
    return frozenset(starts), frozenset(ends)


def token_indices(start: int, end: int, tokens: Sequence[object]) -> tuple[int, int] | None:
    """Prodigy's token_start and (inclusive) token_end of a span, or None when it cuts through a token."""
    token_start = token_end = None
    for i, token in enumerate(tokens):
        t_start = token["start"] if isinstance(token, dict) else token.start  # type: ignore[attr-defined]
        t_end = token["end"] if isinstance(token, dict) else token.end  # type: ignore[attr-defined]
        if t_start == start:
            token_start = i
        if t_end == end:
            token_end = i
            break
    if token_start is None or token_end is None or token_end < token_start:
        return None
    return token_start, token_end


def overlapping_pairs(spans: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    """Index pairs of spans that share at least one character (touching ends do not overlap)."""
    order = sorted(range(len(spans)), key=lambda i: (spans[i][0], spans[i][1]))
    pairs: list[tuple[int, int]] = []
    active: list[int] = []
    for i in order:
        start = spans[i][0]
        active = [j for j in active if spans[j][1] > start]
        pairs.extend((min(i, j), max(i, j)) for j in active)
        active.append(i)
    return sorted(pairs)
