"""The record type: round trips through JSON keep every field, known or not."""

from __future__ import annotations

import msgspec
import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from toolkit.record import (
    Event,
    Meta,
    Quote,
    Record,
    Role,
    Span,
    Token,
    make_tokens,
    record_from_dict,
    record_id,
    record_to_dict,
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
