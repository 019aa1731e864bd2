"""Offsets at the tool boundary: code points inside, UTF-16 and CRLF readings tried, misfits reported."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from toolkit.formats.offsets import (
    OffsetMap,
    Placement,
    PlacementProblem,
    overlapping_pairs,
    place_row,
    place_span,
    token_bounds,
    token_indices,
)
from toolkit.record import Token

# Letters, an astral emoji, a right-to-left letter and a CRLF pair: every kind of unit mismatch.
PIECES = st.lists(
    st.sampled_from(["a", "b", " ", "😡", "🇺", "ש", "ق", "\r\n", "\n", "é"]), min_size=1, max_size=30
)


def browser_offset(text: str, offset: int, *, crlf: bool) -> int:
    """What JavaScript would count for a code point offset, with the DOM's CRLF -> LF if asked."""
    prefix = text[:offset]
    if crlf:
        prefix = prefix.replace("\r\n", "\n")
    return len(prefix.encode("utf-16-le")) // 2


def test_utf16_round_trip_and_surrogate_halves() -> None:
    text = "a😡b"
    offsets = OffsetMap(text)
    assert [offsets.to_utf16(i) for i in range(4)] == [0, 1, 3, 4]
    assert [offsets.from_utf16(u) for u in range(5)] == [0, 1, None, 2, 3]
    assert offsets.from_utf16(9) is None and offsets.from_utf16(-1) is None


@given(PIECES, st.data())
def test_every_reading_of_a_span_places_it_back(pieces: list[str], data: st.DataObject) -> None:
    text = "".join(pieces)
    start = data.draw(st.integers(0, len(text) - 1))
    end = data.draw(st.integers(start + 1, len(text)))
    if text[start - 1 : start + 1] == "\r\n" or text[end - 1 : end + 1] == "\r\n":
        return  # a boundary inside a CRLF pair has no browser offset of its own
    expected = text[start:end]
    for crlf in (False, True):
        placed = place_span(
            text,
            browser_offset(text, start, crlf=crlf),
            browser_offset(text, end, crlf=crlf),
            expected_text=expected,
        )
        assert isinstance(placed, Placement)
        assert text[placed.start : placed.end] == expected


def test_code_points_win_when_they_fit() -> None:
    text = "😡 Kyiv"
    assert place_span(text, 2, 6, expected_text="Kyiv") == Placement(2, 6, "codepoint")
    assert place_span(text, 3, 7, expected_text="Kyiv") == Placement(2, 6, "utf16")


def test_crlf_reading_of_a_browser() -> None:
    text = "said:\r\nWe will talk"
    start = text.index("We")
    placed = place_span(text, start - 1, start + 2, expected_text="We ")
    assert placed == Placement(start, start + 3, "crlf")


def test_whitespace_collapsed_span_text_still_places() -> None:
    text = "Berlin,  Germany."
    assert place_span(text, 0, 16, expected_text="Berlin, Germany") == Placement(0, 16, "codepoint")


def test_a_span_that_fits_nothing_is_a_problem_not_a_guess() -> None:
    problem = place_span("Zelenskiy said Kyiv", 0, 4, expected_text="Kyiv")
    assert isinstance(problem, PlacementProblem) and problem.rule == "span-text-mismatch"
    assert "'Zele'" in problem.message
    assert place_span("abc", 2, 9).rule == "span-out-of-range"
    assert place_span("abc", 2, 2).rule == "span-empty"
    assert place_span("abc", "0", 2).rule == "span-offsets"
    assert place_span("abc", True, 2).rule == "span-offsets"


def test_without_span_text_tokens_decide_between_readings() -> None:
    text = "😡😡 Moscow denied"
    tokens = [
        Token("😡", 0, 1, 0),
        Token("😡", 1, 2, 1),
        Token("Moscow", 3, 9, 2),
        Token("denied", 10, 16, 3),
    ]
    bounds = token_bounds(tokens)
    assert place_span(text, 5, 11, token_bounds=bounds) == Placement(3, 9, "utf16")  # only UTF-16 fits tokens
    assert place_span(text, 3, 9, token_bounds=bounds) == Placement(3, 9, "codepoint")
    assert place_span(text, 4, 8, token_bounds=bounds) == Placement(
        4, 8, "codepoint"
    )  # neither fits: as written
    assert place_span(text, 5, 11) == Placement(5, 11, "codepoint")  # no tokens: as written
    # Past the end in code points: the one unit that fits is read (once refused as out of range).
    assert place_span(text, 12, 18) == Placement(10, 16, "utf16") and text[10:16] == "denied"


def test_token_indices_are_inclusive_and_refuse_cuts() -> None:
    tokens = [Token("Silicon", 15, 22, 4), Token("Valley", 23, 29, 5)]
    assert token_indices(15, 29, tokens) == (0, 1)
    assert token_indices(16, 29, tokens) is None
    assert token_indices(15, 22, [{"start": 15, "end": 22}]) == (0, 0)


def test_overlapping_pairs() -> None:
    assert overlapping_pairs([(0, 5), (5, 9), (3, 6), (10, 12)]) == [(0, 2), (1, 2)]
    assert overlapping_pairs([(0, 5), (0, 5)]) == [(0, 1)]
    assert overlapping_pairs([]) == []


def test_grapheme_clusters_count_a_flag_a_crlf_and_an_accent_as_one() -> None:
    text = "a🇺🇦b\r\nce\u0301d"
    offsets = OffsetMap(text)
    assert offsets.has_clusters and "grapheme" in offsets.readings()
    # clusters: a, 🇺🇦, b, CRLF, c, é (e + combining accent), d
    assert [offsets.from_reading("grapheme", g) for g in range(8)] == [0, 1, 3, 4, 6, 7, 9, 10]
    assert offsets.from_reading("grapheme", 8) is None
    assert offsets.to_grapheme(3) == 2 and offsets.to_grapheme(2) is None  # inside the flag
    assert offsets.to_unit("utf16", 3) == 5 and offsets.to_unit("codepoint", 3) == 3
    assert not OffsetMap("plain ascii").has_clusters and "grapheme" not in OffsetMap("é").readings()


def test_a_row_is_read_in_one_unit_and_refused_when_the_units_disagree_with_nothing_to_decide() -> None:
    text = "🇺🇦 Kyiv and 🇷🇺 Moscow"
    kyiv, moscow = text.index("Kyiv"), text.index("Moscow")
    words = token_bounds([Token("Kyiv", kyiv, kyiv + 4, 1), Token("Moscow", moscow, moscow + 6, 4)])
    grapheme = [(kyiv - 1, kyiv + 3), (moscow - 2, moscow + 4)]
    row = place_row(text, grapheme, token_bounds=words)
    assert row.problem is None and row.reading == "grapheme"
    assert [(p.start, p.end) for p in row.placements] == [(kyiv, kyiv + 4), (moscow, moscow + 6)]
    refused = place_row(text, grapheme)  # no tokens, no declared unit: code points and graphemes disagree
    assert refused.problem is not None and refused.problem.rule == "span-offsets-ambiguous"
    assert "grapheme clusters 'Kyiv'" in refused.problem.message
    declared = place_row(text, grapheme, declared="grapheme")
    assert declared.problem is None and declared.reading == "grapheme"
    # The declared unit yields to the only reading that fits the tokens.
    assert place_row(text, grapheme, declared="codepoint", token_bounds=words).reading == "grapheme"
    mixed = place_row(text, [(0, 2), (5, 99)])
    assert [p.rule for p in mixed.placements if isinstance(p, PlacementProblem)] == [
        "span-offsets-mixed",
        "span-out-of-range",
    ]
