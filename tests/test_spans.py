"""Character intervals: merging the roles inside a span and cutting the span around them."""

from hypothesis import given
from hypothesis import strategies as st

from toolkit.spans import bits_between, merged_within, overlap_size, overlaps

TEXT = "“We will hold,” the mayor said, “and we will rebuild.”"


def test_content_is_cut_around_its_speaker_and_cue():
    speaker, cue = (16, 25), (26, 30)
    assert TEXT[slice(*speaker)] == "the mayor" and TEXT[slice(*cue)] == "said"
    cuts = merged_within((0, len(TEXT)), [cue, speaker])
    assert cuts == [(16, 25), (26, 30)]
    bits = [TEXT[lo:hi] for lo, hi in bits_between(TEXT, (0, len(TEXT)), cuts, trim=",;:")]
    assert bits == ["“We will hold,”", "“and we will rebuild.”"]


def test_overlap_is_shared_characters_and_touching_is_not_overlapping():
    assert overlaps((0, 5), (4, 9)) and overlap_size((0, 5), (4, 9)) == 1
    assert not overlaps((0, 5), (5, 9)) and overlap_size((0, 5), (5, 9)) == 0
    assert overlap_size((0, 10), (3, 4)) == 1 and overlap_size((0, 2), (7, 9)) == 0


def test_roles_outside_are_ignored_and_touching_ones_merge():
    assert merged_within((10, 20), [(0, 5), (25, 30)]) == []
    assert merged_within((10, 20), [(5, 12), (12, 14), (18, 40)]) == [(10, 14), (18, 20)]


def test_the_span_keeps_its_own_edges():
    text = "x, a b ,"
    assert list(bits_between(text, (0, len(text)), [(3, 4)], trim=",")) == [(0, 1), (5, 8)]


intervals = st.tuples(st.integers(0, 39), st.integers(1, 40)).filter(lambda se: se[0] < se[1])


@given(st.text(alphabet="ab ,;", min_size=40, max_size=40), intervals, st.lists(intervals, max_size=6))
def test_bits_lie_inside_the_span_and_outside_every_cut(text, span, roles):
    cuts = merged_within(span, roles)
    assert all(span[0] <= s < e <= span[1] for s, e in cuts)
    assert all(a[1] < b[0] for a, b in zip(cuts, cuts[1:], strict=False))
    bits = list(bits_between(text, span, cuts, trim=",;"))
    for lo, hi in bits:
        assert span[0] <= lo < hi <= span[1]
        assert not any(s < hi and lo < e for s, e in cuts)
    assert bits == sorted(bits)
