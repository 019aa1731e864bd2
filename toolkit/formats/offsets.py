"""Offsets at the boundary of labeling tools: code points inside, UTF-16 and CRLF readings tried on import.

Python counts code points; a browser counts UTF-16 code units and its DOM turns ``\\r\\n`` into one
character. A span that came back from a tool is placed by trying those readings in a fixed order and
keeping the first that fits; one that fits none is reported, never moved to the nearest plausible place.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property

# Order matters: a span is read the way the toolkit wrote it first, then the browser ways.
READINGS: tuple[str, ...] = ("codepoint", "utf16", "crlf", "crlf+utf16")


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

    def from_reading(self, reading: str, offset: int) -> int | None:
        """Read ``offset`` as counted in ``reading`` (one of READINGS) and return it in code points."""
        if reading == "codepoint":
            return offset if 0 <= offset <= len(self.text) else None
        if reading == "utf16":
            return self.from_utf16(offset)
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
    if (
        isinstance(start, bool)
        or isinstance(end, bool)
        or not isinstance(start, int)
        or not isinstance(end, int)
    ):
        return PlacementProblem("span-offsets", f"offsets must be integers, got {start!r}-{end!r}")
    if start >= end:
        return PlacementProblem("span-empty", f"span {start}-{end} is empty or reversed")
    offsets = offsets or OffsetMap(text)
    candidates: list[Placement] = []
    for reading in offsets.readings():
        s, e = offsets.from_reading(reading, start), offsets.from_reading(reading, end)
        if s is not None and e is not None and s < e:
            candidates.append(Placement(s, e, reading))
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
        f"in code points, UTF-16 and CRLF readings alike",
    )


def _place_by_bounds(
    text: str,
    start: int,
    end: int,
    candidates: list[Placement],
    token_bounds: tuple[frozenset[int], frozenset[int]] | None,
) -> Placement | PlacementProblem:
    if not candidates or candidates[0].reading != "codepoint":
        return PlacementProblem(
            "span-out-of-range", f"span {start}-{end} lies outside the text ({len(text)} code points)"
        )
    if token_bounds is None or len(candidates) == 1:
        return candidates[0]
    starts, ends = token_bounds
    aligned = [c for c in candidates if c.start in starts and c.end in ends]
    if aligned and aligned[0].reading != "codepoint" and len(aligned) == 1:
        return aligned[0]
    return candidates[0]


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
