"""Dataset configs: ClassLabel names in a fixed order, IOB2 tags, scheme choice, rebuild from ``full``."""

from __future__ import annotations

import pytest
from gold_records import make_record
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.labels import CONLL_LABELS, ONTONOTES_LABELS
from toolkit.packaging.configs import (
    CONFIG_NAMES,
    DatasetLabels,
    EntityScheme,
    RowError,
    choose_entity_scheme,
    entities_row,
    events_row,
    features,
    full_row,
    quotes_row,
    record_from_full_row,
)
from toolkit.record import record_from_dict, record_to_dict

ONTONOTES = DatasetLabels(entities=EntityScheme("ontonotes", ONTONOTES_LABELS))
CONLL = DatasetLabels(entities=EntityScheme("conll", CONLL_LABELS))
TEXT = "“We will stay,” Joe Biden said on Thursday in Kyiv after talks."


def _record(**changes):
    obj = make_record(doc_id="d", unit=0, text=TEXT, start=0, paragraph=0, source="d.txt")
    obj.update(changes)
    return record_from_dict(obj)


def test_conll_scheme_gives_conll2003_tags():
    assert CONLL.entities.tags == (
        "O",
        "B-PER",
        "I-PER",
        "B-ORG",
        "I-ORG",
        "B-LOC",
        "I-LOC",
        "B-MISC",
        "I-MISC",
    )
    assert len(ONTONOTES.entities.tags) == 37


def test_entities_features_and_row():
    declared = features("entities", ONTONOTES)
    assert declared["ner_tags"].feature.names == list(ONTONOTES.entities.tags)
    assert declared["entities"].feature["label"].names == list(ONTONOTES_LABELS)
    row = entities_row(_record(), ONTONOTES)
    tags = [ONTONOTES.entities.tags[i] for i in row["ner_tags"]]
    tokens = row["tokens"]
    assert tags[tokens.index("Joe")] == "B-PERSON" and tags[tokens.index("Biden")] == "I-PERSON"
    assert tags[tokens.index("Kyiv")] == "B-GPE"
    assert {ONTONOTES_LABELS[e["label"]] for e in row["entities"]} == {"PERSON", "DATE", "GPE"}


def test_quotes_and_events_rows():
    record = _record()
    quotes = quotes_row(record, ONTONOTES)["quotes"]
    assert quotes[0]["kind"] == 0 and quotes[0]["speaker_text"] == "Joe Biden"
    assert TEXT[quotes[0]["content"]["start"] : quotes[0]["content"]["end"]] == "We will stay,"
    events = events_row(record, ONTONOTES)
    assert events["event_types"] == [ONTONOTES.event_index["CONSULT"]]
    assert events["triggers"][0]["text"] == "talks"


def test_rows_refuse_what_they_cannot_hold():
    record = _record()
    record.spans.append(record.spans[0])
    with pytest.raises(RowError, match="overlaps"):
        entities_row(record, ONTONOTES)
    with pytest.raises(RowError, match="not in the conll"):
        entities_row(_record(), CONLL)
    record = _record()
    record.spans[0].token_start = record.spans[0].token_end = None
    record.spans[0].start += 1
    with pytest.raises(RowError) as caught:
        entities_row(record, ONTONOTES)
    assert caught.value.rule == "span-misaligned"


def test_entity_scheme_choice():
    assert choose_entity_scheme({"GPE", "PERSON"}).name == "ontonotes"
    assert choose_entity_scheme({"PER", "MISC"}).name == "conll"
    assert choose_entity_scheme({"ORG", "LOC"}, previous="conll").name == "conll"
    assert choose_entity_scheme(set()).name == "ontonotes"
    with pytest.raises(RowError, match="KITTEN"):
        choose_entity_scheme({"KITTEN"})
    with pytest.raises(RowError):
        choose_entity_scheme({"GPE"}, requested="conll")


def test_every_config_has_features_whose_arrow_schema_embeds_them():
    for config in CONFIG_NAMES:
        schema = features(config, ONTONOTES).arrow_schema
        assert b"huggingface" in schema.metadata


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**40), 2**40) | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3),
    max_leaves=6,
)


@settings(max_examples=60, deadline=None)
@given(
    top=st.dictionaries(st.sampled_from(["custom", "extra", "score", "flags"]), json_values, max_size=3),
    meta=st.dictionaries(st.sampled_from(["outlet", "extra", "update", "lang"]), json_values, max_size=3),
    stamp=st.none() | st.integers(0, 2**33) | st.floats(0, 2e9, allow_nan=False),
    answer=st.sampled_from([None, "accept"]),
)
def test_full_row_rebuilds_the_record_exactly(top, meta, stamp, answer):
    obj = make_record(doc_id="d", unit=0, text=TEXT, start=0, paragraph=0, source="d.txt")
    obj.update(top)
    obj["meta"].update(meta)
    obj["answer"] = answer
    if stamp is not None:
        obj["_timestamp"] = stamp
    obj["_input_hash"] = -12345
    original = record_from_dict(obj)
    import pyarrow as pa

    table = pa.Table.from_pylist([full_row(original)], schema=features("full", ONTONOTES).arrow_schema)
    rebuilt = record_from_full_row(table.to_pylist()[0])
    assert rebuilt == original
    if not isinstance(stamp, float):
        assert record_to_dict(rebuilt) == record_to_dict(original)


def test_full_config_columns_are_the_record_fields():
    import msgspec

    from toolkit.record import Meta, Record

    declared = features("full", ONTONOTES)
    record_keys = {f.encode_name for f in msgspec.inspect.type_info(Record).fields}
    meta_keys = {f.encode_name for f in msgspec.inspect.type_info(Meta).fields}
    assert set(declared) == record_keys | {"id"}
    assert set(declared["meta"]) == meta_keys
