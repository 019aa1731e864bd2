"""Character intervals: half-open ``(start, end)`` code-point offsets into a record's text."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

Interval = tuple[int, int]


def overlaps(a: Interval, b: Interval) -> bool:
    """Whether the two intervals share a character."""
    return a[0] < b[1] and b[0] < a[1]


def overlap_size(a: Interval, b: Interval) -> int:
    """How many characters the two intervals share."""
    return max(0, min(a[1], b[1]) - max(a[0], b[0]))


def merged_within(span: Interval, others: Iterable[Interval]) -> list[Interval]:
    """The parts of ``others`` inside ``span``, clipped to it, sorted, overlapping or touching ones merged."""
    start, end = span
    merged: list[Interval] = []
    for s, e in sorted((max(s, start), min(e, end)) for s, e in others if s < end and start < e):
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        else:
            merged.append((s, e))
    return merged


def bits_between(text: str, span: Interval, cuts: list[Interval], *, trim: str) -> Iterator[Interval]:
    """What is left of ``span`` around the merged ``cuts`` inside it, each non-empty bit without the white
    space and the ``trim`` characters at a cut (the span's own edges stay as they are).

    Content cut around its own speaker and cue: in "“We will hold,” the mayor said, “and rebuild.”" the two
    bits keep their quote marks and lose the commas and spaces next to the attribution."""
    start, end = span
    for lo, hi in zip([start] + [e for _, e in cuts], [s for s, _ in cuts] + [end], strict=True):
        while lo < hi and lo != start and (text[lo].isspace() or text[lo] in trim):
            lo += 1
        while hi > lo and hi != end and (text[hi - 1].isspace() or text[hi - 1] in trim):
            hi -= 1
        if lo < hi:
            yield lo, hi
