"""Entities: place ruler, surname rule, label maps, alignment to the record's tokens, human spans kept."""

from __future__ import annotations

import json

import pytest

from toolkit.errors import InputError, UsageError
from toolkit.labels import CONLL_MAP
from toolkit.options import PreannotateOptions
from toolkit.preannotate.entities import Entity, align_entities, load_label_map, map_label
from toolkit.preannotate.gazetteer import demonym_plurals, place_patterns
from toolkit.preannotate.run import PreannotateSummary, preannotate_records
from toolkit.record import Meta, Record, Span, Token, record_id


def records(sentences: list[str], doc_id: str = "doc") -> list[Record]:
    return [
        Record(text=s, meta=Meta(id=record_id(doc_id, i), doc_id=doc_id, unit=i))
        for i, s in enumerate(sentences)
    ]


ENTITIES = PreannotateOptions(tasks=("entities",))


def run(items: list[Record], **options) -> list[Record]:
    return list(preannotate_records(items, options=PreannotateOptions(tasks=("entities",), **options)))


def labelled(record: Record) -> list[tuple[str, str]]:
    return [(record.text[s.start : s.end], s.label) for s in record.spans]


def whitespace_tokens(text: str) -> list[Token]:
    tokens, position = [], 0
    for i, word in enumerate(text.split(" ")):
        tokens.append(Token(text=word, start=position, end=position + len(word), id=i, ws=True))
        position += len(word) + 1
    return tokens


# --- the place list -------------------------------------------------------------------------------


def test_place_patterns_are_sorted_and_labelled():
    patterns = place_patterns()
    assert patterns == sorted(patterns, key=lambda p: (p["pattern"], p["label"]))
    by_name = {p["pattern"]: p["label"] for p in patterns}
    assert (by_name["Kyiv"], by_name["Ouagadougou"], by_name["Ukrainian"], by_name["Ukrainians"]) == (
        "GPE",
        "GPE",
        "NORP",
        "NORP",
    )
    assert len(by_name) > 600


def test_demonym_plurals_follow_english():
    assert demonym_plurals(["Ukrainian", "Chinese", "British", "Swiss", "Iraqi", "Czech"]) == [
        "Ukrainians",
        "Iraqis",
        "Czechs",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Explosions were heard in Kyiv on Monday night.", ("Kyiv", "GPE")),
        ("Ukrainian forces pushed back near Kharkiv.", ("Ukrainian", "NORP")),
        ("The delegation flew from Ouagadougou to Niamey.", ("Niamey", "GPE")),
        ("Ukrainians queued at the border with Moldova.", ("Ukrainians", "NORP")),
    ],
)
def test_places_and_peoples_get_their_labels(text, expected):
    (record,) = run(records([text]))
    assert expected in labelled(record)


def test_place_inside_a_longer_organisation_keeps_the_organisation():
    (record,) = run(records(["She has written for The New York Times since 2010."]))
    assert not any(text == "New York" for text, _ in labelled(record))


@pytest.mark.parametrize(
    ("text", "person"),
    [
        ("Christian Lindner said Germany would not pay.", "Christian Lindner"),
        ("Jordan's king met Michael Jordan in Chicago.", "Michael Jordan"),
        ("Paris Hilton arrived in Paris on Friday.", None),
    ],
)
def test_names_that_are_also_places_stay_people(text, person):
    (record,) = run(records([text]))
    if person:
        assert (person, "PERSON") in labelled(record)
    assert not any(
        label in ("GPE", "NORP") and name in ("Christian", "Paris Hilton") for name, label in labelled(record)
    )


def test_place_rule_source_marks_what_it_changed():
    (record,) = run(records(["Explosions were heard in Kyiv on Monday night."]))
    (kyiv,) = [s for s in record.spans if record.text[s.start : s.end] == "Kyiv"]
    assert kyiv.source.startswith("rule:places@")
    assert all(s.source.startswith(("model:", "rule:")) for s in record.spans)


# --- surnames -------------------------------------------------------------------------------------


def test_bare_surname_after_a_full_name_is_a_person():
    out = run(
        records(
            [
                "White House spokesperson Kate Bedingfield said on Wednesday that talks would go on.",
                "Speaking at the daily White House briefing, Bedingfield said more sanctions were possible.",
                "Jeremy Fleming heads the GCHQ spy agency.",
                "Fleming said such a move was never part of Moscow’s playbook.",
            ]
        )
    )
    for record, name in ((out[1], "Bedingfield"), (out[3], "Fleming")):
        (span,) = [s for s in record.spans if record.text[s.start : s.end] == name]
        # The model alone calls both ORG here; the rule remembers the full names from earlier sentences.
        assert (span.label, span.source.split("@")[0]) == ("PERSON", "rule:surnames")


def test_surnames_do_not_leak_into_the_next_document():
    out = run(
        records(["Jeremy Fleming heads the agency."], "a") + records(["Fleming said it was over."], "b")
    )
    assert not any(s.source and s.source.startswith("rule:surnames") for s in out[1].spans)


# --- label maps -----------------------------------------------------------------------------------


def test_conll_label_map():
    (record,) = run(records(["Joe Biden met Olaf Scholz in Berlin on Friday."]), label_map="conll")
    labels = {label for _, label in labelled(record)}
    assert labels <= {"PER", "ORG", "LOC", "MISC"} and "PER" in labels and "LOC" in labels
    assert all(record.text[s.start : s.end] != "Friday" for s in record.spans)  # DATE maps to null: dropped


def test_json_label_map_file(tmp_path):
    path = tmp_path / "map.json"
    path.write_text(json.dumps({"PERSON": "PER", "DATE": None}), encoding="utf-8")
    (record,) = run(records(["Joe Biden met Olaf Scholz in Berlin on Friday."]), label_map=str(path))
    labels = {label for _, label in labelled(record)}
    assert "PER" in labels and "GPE" in labels and "DATE" not in labels


@pytest.mark.parametrize("content", ["[1, 2]", '{"PERSON": 3}', "not json"])
def test_bad_label_map_is_a_usage_error(tmp_path, content):
    path = tmp_path / "map.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(UsageError):
        load_label_map(str(path))


def test_unknown_label_map_name():
    with pytest.raises(UsageError, match="--label-map nope"):
        load_label_map("nope")


def test_map_label_passes_unnamed_labels_through():
    assert (map_label("PERSON", CONLL_MAP), map_label("DATE", CONLL_MAP), map_label("X", {"Y": "Z"})) == (
        "PER",
        None,
        "X",
    )


# --- alignment ------------------------------------------------------------------------------------


def test_alignment_exact_and_inclusive_token_end():
    tokens = whitespace_tokens("Silicon Valley is big")
    result = align_entities([Entity(0, 14, "LOC", "model:x@1")], tokens)
    (span,) = result.spans
    assert (span.start, span.end, span.token_start, span.token_end, result.expanded) == (0, 14, 0, 1, 0)


def test_alignment_widens_to_whole_tokens():
    tokens = whitespace_tokens("A Kyiv-based group said so")
    result = align_entities([Entity(2, 6, "GPE", "rule:places@0")], tokens)
    (span,) = result.spans
    assert (span.start, span.end, span.token_start, span.token_end, result.expanded) == (2, 12, 1, 1, 1)


def test_alignment_reports_what_cannot_be_placed():
    tokens = [Token(text="ab", start=0, end=2, id=0), Token(text="cd", start=5, end=7, id=1)]
    inside_gap = Entity(3, 4, "ORG", "model:x@1")
    result = align_entities([inside_gap], tokens)
    assert result.spans == [] and result.unaligned == [inside_gap]


def test_alignment_never_makes_overlapping_spans():
    tokens = whitespace_tokens("Kyiv-Moscow talks")
    entities = [Entity(0, 4, "GPE", "r"), Entity(5, 11, "GPE", "r")]
    result = align_entities(entities, tokens)
    assert len(result.spans) == 1 and len(result.unaligned) == 1


def test_records_tokenized_differently_are_aligned_and_counted():
    text = "Fighting near Kyiv-based units went on, Ukrainian officials said."
    record = Record(text=text, tokens=whitespace_tokens(text), meta=Meta(id="d:0", doc_id="d", unit=0))
    summary = PreannotateSummary()
    (out,) = list(preannotate_records([record], options=ENTITIES, summary=summary))
    assert out.tokens == record.tokens  # the record's own tokens are kept
    for span in out.spans:
        assert out.tokens[span.token_start].start == span.start and out.tokens[span.token_end].end == span.end
    assert summary.spans_expanded >= 1


def test_records_without_tokens_are_tokenized():
    summary = PreannotateSummary()
    (out,) = list(preannotate_records(records(["Kyiv is the capital."]), options=ENTITIES, summary=summary))
    assert [t.text for t in out.tokens] == ["Kyiv", "is", "the", "capital", "."] and summary.tokenized == 1


def test_tokens_outside_the_text_are_an_input_error():
    record = Record(text="short", tokens=[Token(text="short", start=0, end=50, id=0)], meta=Meta(id="d:0"))
    with pytest.raises(InputError, match="d:0"):
        run([record])


# --- human annotations ----------------------------------------------------------------------------


def test_human_spans_are_never_overwritten():
    text = "Joe Biden visited Kyiv."
    human = [Span(start=0, end=9, label="PER", source="human:alice")]
    answered = Record(
        text="Kyiv was shelled.", spans=[], answer="accept", meta=Meta(id="d:1", doc_id="d", unit=1)
    )
    unsourced = Record(text="Kyiv was quiet.", spans=[Span(start=0, end=4, label="LOC")], meta=Meta(id="d:2"))
    machine = Record(
        text=text, spans=[Span(start=0, end=3, label="ORG", source="model:old@1")], meta=Meta(id="d:3")
    )
    summary = PreannotateSummary()
    out = list(
        preannotate_records(
            [
                Record(text=text, spans=human, meta=Meta(id="d:0", doc_id="d", unit=0)),
                answered,
                unsourced,
                machine,
            ],
            options=ENTITIES,
            summary=summary,
        )
    )
    assert out[0].spans == human and out[1].spans == [] and out[2].spans == unsourced.spans
    assert ("Joe Biden", "PERSON") in labelled(out[3])  # an earlier machine guess is replaced
    assert summary.kept_human == 3
