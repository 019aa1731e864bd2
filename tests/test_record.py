"""The record type: round trips through JSON keep every field, known or not."""

from __future__ import annotations

from pathlib import Path

import msgspec
import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.record import (
    Event,
    Meta,
    Quote,
    Record,
    ResolvedSpeaker,
    Role,
    Span,
    Token,
    doc_tokens,
    make_tokens,
    record_from_dict,
    record_id,
    record_to_dict,
    record_to_json,
    text_sha256,
)

PRODIGY_ANSWER = {
    "text": "Kate Bedingfield said on Wednesday.",
    "tokens": [{"text": "Kate", "start": 0, "end": 4, "id": 0, "ws": True}],
    "spans": [{"start": 0, "end": 16, "label": "PERSON", "token_start": 0, "token_end": 1}],
    "meta": {"id": "doc:1", "doc_id": "doc", "unit": 1, "section": "World"},
    "_input_hash": -1185290834,
    "_task_hash": 1535633245,
    "_view_id": "ner_manual",
    "_session_id": None,
    "_annotator_id": "news-alice",
    "_timestamp": 1700000000,
    "answer": "accept",
    "_is_binary": False,
}


def test_prodigy_answer_round_trips_unchanged():
    record = record_from_dict(PRODIGY_ANSWER)
    assert record.input_hash == -1185290834
    assert record.annotator_id == "news-alice"
    assert record.meta.extra == {"section": "World"}
    assert record.extra == {"_is_binary": False}
    back = record_to_dict(record)
    # _session_id None is Prodigy's "no session"; the record omits nulls, everything else is kept.
    expected = {k: v for k, v in PRODIGY_ANSWER.items() if v is not None}
    assert back == expected


def test_wrong_types_raise_validation_error():
    with pytest.raises(msgspec.ValidationError):
        record_from_dict({"text": 3})
    with pytest.raises(msgspec.ValidationError):
        record_from_dict({"text": "a", "spans": [{"start": "0", "end": 1, "label": "X"}]})


def test_full_record_encodes_deterministically():
    record = Record(
        text="“No,” he said.",
        tokens=[Token(text="“", start=0, end=1, id=0, ws=False)],
        spans=[Span(start=0, end=1, label="X", source="human:a")],
        quotes=[Quote(content=Role(start=1, end=3), speaker=Role(start=6, end=8), cue=Role(start=9, end=13))],
        events=[Event(label="REJECT", trigger=None, source="rule:events@0.1.0")],
        meta=Meta(id=record_id("d", 0), doc_id="d", unit=0, extra={"b": 1, "a": 2}),
    )
    first = orjson.dumps(record_to_dict(record))
    assert first == orjson.dumps(record_to_dict(record_from_dict(orjson.loads(first))))
    assert b'"a":2,"b":1' in first


def test_text_sha256_is_of_utf8_bytes():
    assert text_sha256("é") == "4a99557e4033c3539de2eb65472017cad5f9557f7a0625a09f1c3f6e2ba69c4c"
    assert text_sha256("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


@given(st.text(min_size=1, max_size=60))
def test_any_text_round_trips(text):
    record = Record(text=text, meta=Meta(id="x:0"))
    assert record_from_dict(orjson.loads(orjson.dumps(record_to_dict(record)))).text == text


def test_make_tokens_from_spacy(nlp):
    doc = nlp.make_doc("Kyiv, Ukraine 🙂 said")
    tokens = make_tokens(doc)
    assert [t.text for t in tokens] == [t.text for t in doc]
    assert all(doc.text[t.start : t.end] == t.text for t in tokens)
    assert tokens[0].ws is False and tokens[1].ws is True


# --- record_to_json writes exactly what orjson writes for record_to_dict -----------------------------

ROOT = Path(__file__).resolve().parent.parent
texts = st.text(max_size=12)
small = st.integers(min_value=-(2**63), max_value=2**64 - 1)
# Every JSON value, floats of any size included (orjson and msgspec differ on large exponents).
json_values = st.recursive(
    st.none() | st.booleans() | small | st.floats(allow_nan=False, allow_infinity=False) | texts,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts, inner, max_size=3),
    max_leaves=8,
)
extras = st.dictionaries(texts, json_values, max_size=4)
optional_texts = st.none() | texts
roles = st.none() | st.builds(Role, start=small, end=small, text=optional_texts)
records = st.builds(
    Record,
    text=texts,
    tokens=st.lists(
        st.builds(Token, text=texts, start=small, end=small, id=small, ws=st.none() | st.booleans()),
        max_size=3,
    ),
    spans=st.lists(
        st.builds(
            Span,
            start=small,
            end=small,
            label=texts,
            token_start=st.none() | small,
            token_end=st.none() | small,
            text=optional_texts,
            source=optional_texts,
            id=optional_texts,
        ),
        max_size=2,
    ),
    quotes=st.lists(
        st.builds(
            Quote,
            content=roles,
            speaker=roles,
            cue=roles,
            kind=texts,
            source=optional_texts,
            id=optional_texts,
            speaker_resolved=st.none()
            | st.builds(ResolvedSpeaker, text=texts, record_id=texts, label=optional_texts),
            linked_records=st.lists(texts, max_size=2),
        ),
        max_size=2,
    ),
    events=st.lists(st.builds(Event, label=texts, trigger=roles, source=optional_texts), max_size=2),
    meta=st.builds(
        Meta,
        id=optional_texts,
        doc_id=optional_texts,
        unit=st.none() | small,
        start=st.none() | small,
        end=st.none() | small,
        date=optional_texts,
        source=optional_texts,
        text_sha256=optional_texts,
        title=optional_texts,
        url=optional_texts,
        paragraph=st.none() | small,
        extra=st.just({}) | extras,
    ),
    answer=optional_texts,
    input_hash=st.none() | small,
    task_hash=st.none() | small,
    annotator_id=optional_texts,
    session_id=optional_texts,
    timestamp=st.none() | small | st.floats(allow_nan=False, allow_infinity=False),
    view_id=optional_texts,
    extra=st.just({}) | extras,
)


@settings(max_examples=500)
@given(records)
def test_record_to_json_is_orjson_of_record_to_dict(record):
    assert record_to_json(record) == orjson.dumps(record_to_dict(record))


def test_record_to_json_on_the_shipped_records():
    files = sorted((ROOT / "annotations").glob("*/*.jsonl"))
    assert files, "the shipped annotations are missing"
    count = 0
    for path in files:
        for line in path.read_bytes().splitlines():
            record = record_from_dict(orjson.loads(line))
            assert record_to_json(record) == orjson.dumps(record_to_dict(record))
            # The toolkit's own outputs come back byte for byte (gold files are written by other tools).
            assert path.parent.name not in ("tasks", "pre") or record_to_json(record) == line
            count += 1
    assert count > 100


def test_record_to_json_takes_the_dict_path_where_the_libraries_differ():
    # orjson writes 1e+16 where msgspec writes 1e16; unknown keys are merged and sorted.
    assert b'"_timestamp":1e+16' in record_to_json(Record(text="a", timestamp=1e16))
    line = record_to_json(
        Record(text="a", meta=Meta(id="d:0", extra={"z": 1, "b": 2}), extra={"y": 1, "a": 0})
    )
    assert line == b'{"text":"a","meta":{"id":"d:0","b":2,"z":1},"a":0,"y":1}'


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=50) | st.text(alphabet=" \n\t\u00a0.,'’\"-aZ9😀é", max_size=30))
def test_doc_tokens_are_make_tokens(nlp, text):
    doc = nlp.make_doc(text)
    assert doc_tokens(doc, text) == make_tokens(doc)
