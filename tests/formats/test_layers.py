"""Quotes and events as tool spans, relations and choices, and back: the shared part of every format."""

from __future__ import annotations

from toolkit.formats.layers import (
    RegionIn,
    event_parts,
    events_from,
    infer_kind,
    quote_carry,
    quote_graph,
    quotes_from_graph,
)
from toolkit.record import Event, Quote, Role

TEXT = "“We will talk,” the minister said, and the envoy added that talks would go on."


def test_quote_graph_points_relations_at_the_anchor() -> None:
    quotes = [
        Quote(content=Role(0, 15), speaker=Role(16, 28), cue=Role(29, 33), kind="direct"),
        Quote(speaker=Role(39, 48), cue=Role(49, 54), kind="indirect"),  # no content: the cue is the anchor
    ]
    spans, relations = quote_graph(quotes)
    assert [(s.label, s.start, s.kind) for s in spans] == [
        ("CONTENT", 0, "direct"),
        ("SPEAKER", 16, None),
        ("CUE", 29, None),
        ("SPEAKER", 39, None),
        ("CUE", 49, "indirect"),
    ]
    assert [(spans[r.head].label, spans[r.child].label, r.label) for r in relations] == [
        ("SPEAKER", "CONTENT", "SPEAKER_OF"),
        ("CUE", "CONTENT", "CUE_OF"),
        ("SPEAKER", "CUE", "SPEAKER_OF"),
    ]


def test_relations_drawn_backwards_still_join_the_quote() -> None:
    regions = [RegionIn("c", 0, 15, "CONTENT", "direct"), RegionIn("s", 16, 28, "SPEAKER")]
    quotes, problems = quotes_from_graph(TEXT, regions, [("c", "s")], source="human:a")
    assert problems == []
    assert quotes == [Quote(content=Role(0, 15), speaker=Role(16, 28), kind="direct", source="human:a")]


def test_two_speakers_on_one_quote_are_reported() -> None:
    regions = [RegionIn(1, 0, 15, "CONTENT"), RegionIn(2, 16, 28, "SPEAKER"), RegionIn(3, 39, 48, "SPEAKER")]
    quotes, problems = quotes_from_graph(TEXT, regions, [(2, 1), (3, 1)], source=None)
    assert [rule for rule, _ in problems] == ["quote-ambiguous"]
    assert quotes[0].speaker == Role(16, 28)


def test_bad_labels_and_dangling_relations_are_reported() -> None:
    _, problems = quotes_from_graph(TEXT, [RegionIn(1, 0, 15, "QUOTE")], [], source=None)
    assert [rule for rule, _ in problems] == ["unknown-label"]
    _, problems = quotes_from_graph(TEXT, [RegionIn(1, 0, 15, "CONTENT", "sarcastic")], [], source=None)
    assert [rule for rule, _ in problems] == ["unknown-label"]
    _, problems = quotes_from_graph(TEXT, [RegionIn(1, 0, 15, "CONTENT")], [(1, 9)], source=None)
    assert [rule for rule, _ in problems] == ["relation-target"]
    _, problems = quotes_from_graph(
        TEXT, [RegionIn(1, 0, 15, "CUE"), RegionIn(2, 29, 33, "CUE")], [(1, 2)], source=None
    )
    assert [rule for rule, _ in problems] == ["relation-roles"]


def test_kind_of_a_new_quote_comes_from_its_quote_marks() -> None:
    assert infer_kind(TEXT, Role(0, 15)) == "direct"
    assert infer_kind(TEXT, Role(60, 78)) == "indirect"
    assert infer_kind(TEXT, None) == "indirect"


def test_events_as_choices_and_trigger_spans() -> None:
    labels, triggers = event_parts(
        [
            Event(label="SANCTION", trigger=Role(0, 5)),
            Event(label="AGREE"),
            Event(label="SANCTION", trigger=Role(9, 12)),
        ]
    )
    assert labels == ["AGREE", "SANCTION"] and triggers == [(0, 5, "SANCTION"), (9, 12, "SANCTION")]
    # The ticked types are the answer: a trigger of a type left unticked is dropped and counted.
    events, problems, dropped = events_from(["AGREE"], [(0, 5, "SANCTION")], source="human:b")
    assert problems == [] and dropped == 1
    assert [(e.label, e.trigger, e.source) for e in events] == [("AGREE", None, "human:b")]
    events, _, dropped = events_from(
        ["SANCTION"], [(0, 5, "SANCTION"), (9, 12, "SANCTION"), (0, 5, "AGREE")], source="human:b"
    )
    assert [(e.label, e.trigger) for e in events] == [("SANCTION", Role(0, 5)), ("SANCTION", Role(9, 12))]
    assert dropped == 1
    _, problems, _ = events_from(["PARTY"], [], source=None)
    assert [rule for rule, _ in problems] == ["unknown-label"]


def test_contents_tied_to_one_cue_are_pieces_of_one_quote() -> None:
    text = "“We will talk,” the minister said, “but not today.” Others said nothing."
    c1, c2 = RegionIn("c1", 0, 15, "CONTENT"), RegionIn("c2", 35, 51, "CONTENT")
    speaker, cue = RegionIn("s", 16, 28, "SPEAKER"), RegionIn("k", 29, 33, "CUE")
    links = [("s", "c1"), ("k", "c1"), ("c2", "s"), ("k", "c2")]  # one relation drawn backwards
    regions = [c1, c2, speaker, cue]
    # New pieces get one new id, the first free in the record.
    quotes, problems = quotes_from_graph(text, regions, links, source="human:a", record_id="doc:7")
    assert problems == [] and [q.id for q in quotes] == ["doc:7:q0", "doc:7:q0"]
    assert all((q.speaker, q.cue) == (Role(16, 28), Role(29, 33)) for q in quotes)
    # An id carried by one piece goes to the piece added beside it; links come with it.
    carried = {
        "quote_ids": {"CONTENT:0-15": "doc:6:q2", "CUE:60-64": "doc:7:q0"},
        "quote_links": {
            "doc:6:q2": {
                "linked_records": ["doc:6"],
                "speaker": [16, 28],
                "speaker_resolved": {"text": "Sergei Lavrov", "record_id": "doc:6"},
            }
        },
    }
    quotes, _ = quotes_from_graph(text, regions, links, source=None, carried=carried, record_id="doc:7")
    assert [q.id for q in quotes] == ["doc:6:q2", "doc:6:q2"]
    assert all(q.linked_records == ["doc:6"] and q.speaker_resolved.text == "Sergei Lavrov" for q in quotes)
    # Tied to another cue, the second piece is split off: a new quote of one piece, without an id.
    other = RegionIn("k2", 59, 63, "CUE")
    quotes, _ = quotes_from_graph(
        text,
        [*regions, other],
        [("s", "c1"), ("k", "c1"), ("s", "c2"), ("k2", "c2")],
        source=None,
        carried={"quote_ids": {"CONTENT:0-15": "q9", "CONTENT:35-51": "q9"}},
        record_id="doc:7",
    )
    assert [q.id for q in quotes] == ["q9", None]
    # Pieces without a cue are one quote while they carry one id.
    quotes, _ = quotes_from_graph(
        text,
        [c1, c2, speaker],
        [("s", "c1"), ("s", "c2")],
        source=None,
        carried={"quote_ids": {"CONTENT:0-15": "q3", "CONTENT:35-51": "q3"}},
    )
    assert [q.id for q in quotes] == ["q3", "q3"]


def test_a_quote_of_several_cues_or_speakers_keeps_one_id_while_its_ties_are_unchanged() -> None:
    # "said …, adding …": one quote, two contents, each tied to its own cue; and a second source named
    # without words of its own. Attribution corpora draw such quotes; a round trip must not split them.
    text = "Kyiv said the talks failed, adding that more were needed, as did Warsaw."
    quotes = [
        Quote(content=Role(10, 26), speaker=Role(0, 4), cue=Role(5, 9), kind="indirect", id="d:1:q0"),
        Quote(content=Role(35, 56), speaker=Role(0, 4), cue=Role(28, 34), kind="indirect", id="d:1:q0"),
        Quote(speaker=Role(65, 71), kind="indirect", id="d:1:q0"),
    ]
    spans, relations = quote_graph(quotes)
    regions = [RegionIn(i, s.start, s.end, s.label, s.kind) for i, s in enumerate(spans)]
    links = [(r.head, r.child) for r in relations]
    carried = quote_carry(quotes)
    back, problems = quotes_from_graph(text, regions, links, source=None, carried=carried, record_id="d:1")
    assert problems == [] and [q.id for q in back] == ["d:1:q0"] * 3
    # Tied to a cue it did not have when exported, the second content is split off as a quote of its own.
    second = _index(spans, "CONTENT", 35)
    new_cue = RegionIn("new", 58, 64, "CUE")
    moved = [(h, c) for h, c in links if c != second]
    moved += [(_index(spans, "SPEAKER", 0), second), ("new", second)]
    back, _ = quotes_from_graph(
        text, [*regions, new_cue], moved, source=None, carried=carried, record_id="d:1"
    )
    by_content = {q.content.start if q.content else None: q.id for q in back}
    assert by_content[10] == "d:1:q0" and by_content[35] != "d:1:q0"


def _index(spans, label: str, start: int) -> int:
    return next(i for i, s in enumerate(spans) if s.label == label and s.start == start)
