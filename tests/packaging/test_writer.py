"""The second pass: Arrow's reading of whole lines gives the same Parquet bytes as the record-by-record path.

Every batch the Arrow path cannot take (an unusual record) goes down the exact path, so the two must agree on
every record both can hold; hypothesis varies which optional keys a record has.
"""

from __future__ import annotations

import copy
import filecmp
from pathlib import Path

import orjson
import pytest
from gold_records import make_record, synthetic_documents, write_jsonl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from toolkit.errors import InputError
from toolkit.labels import ONTONOTES_LABELS
from toolkit.packaging.configs import CONFIG_NAMES, DatasetLabels, EntityScheme
from toolkit.packaging.release import read_split_records
from toolkit.packaging.survey import survey_inputs
from toolkit.packaging.writer import unknown_keys, write_rows
from toolkit.record import record_from_dict

ONTONOTES = DatasetLabels(entities=EntityScheme("ontonotes", ONTONOTES_LABELS))
TEXT = "“We will stay,” Joe Biden said on Thursday in Kyiv after talks."


def _write(folder: Path, gold: Path, *, exact: bool):
    survey = survey_inputs([gold], group_by="doc")
    splits = ["train" if i % 3 else "test" for i in range(len(survey.groups))]
    return write_rows(folder, survey.inputs, splits, ONTONOTES, spacy=False, keep_digests=False, exact=exact)


def _both_paths(tmp_path: Path, records: list[dict]) -> tuple[Path, Path, int]:
    gold = write_jsonl(tmp_path / "gold.jsonl", records)
    arrow, exact = tmp_path / "arrow", tmp_path / "exact"
    written = _write(arrow, gold, exact=False)
    _write(exact, gold, exact=True)
    return arrow, exact, written.exact_batches


def _same_files(left: Path, right: Path) -> None:
    names = sorted(p.relative_to(left).as_posix() for p in left.rglob("*.parquet"))
    assert names == sorted(p.relative_to(right).as_posix() for p in right.rglob("*.parquet"))
    assert names and len(names) % len(CONFIG_NAMES) == 0
    for name in names:
        assert filecmp.cmp(left / name, right / name, shallow=False), name


def _varied(record: dict, choices: dict) -> dict:
    """One record with optional keys dropped or changed as ``choices`` says."""
    record = copy.deepcopy(record)
    for key in ("spans", "quotes", "events", "tokens"):
        if choices.get(f"drop_{key}"):
            record.pop(key)
            if key == "tokens":
                record.pop("spans", None)
    for quote in record.get("quotes", []):
        if choices.get("quote_defaults"):
            quote.pop("kind", None)
            quote.pop("linked_records", None)
        if choices.get("no_speaker"):
            quote["speaker"] = None
        if choices.get("resolved"):
            quote["speaker_resolved"] = {"text": "Joe Biden", "record_id": "d:0"}
    for event in record.get("events", []):
        if choices.get("no_trigger"):
            event["trigger"] = None
    for token in record.get("tokens", []):
        if choices.get("no_ws"):
            token.pop("ws", None)
    if choices.get("stamp") is not None:
        record["_timestamp"] = choices["stamp"]
    if choices.get("unknown_top"):
        record["extra"] = {"note": [1, 2.5, None]}
        record["zzz"] = "kept"
    if choices.get("unknown_meta"):
        record["meta"]["adjudication"] = {"method": "majority", "n": 2}
        record["meta"]["empty"] = None
    return record


CHOICES = st.fixed_dictionaries(
    {
        "drop_spans": st.booleans(),
        "drop_quotes": st.booleans(),
        "drop_events": st.booleans(),
        "drop_tokens": st.booleans(),
        "quote_defaults": st.booleans(),
        "no_speaker": st.booleans(),
        "resolved": st.booleans(),
        "no_trigger": st.booleans(),
        "no_ws": st.booleans(),
        "stamp": st.sampled_from([None, 1700000000, 1700000000.5]),
        "unknown_top": st.booleans(),
        "unknown_meta": st.booleans(),
    }
)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(choices=st.lists(CHOICES, min_size=1, max_size=6))
def test_both_paths_write_the_same_bytes(tmp_path_factory, choices):
    base = make_record(doc_id="d", unit=0, text=TEXT, start=0, paragraph=0, source="d.txt")
    records = []
    for i, choice in enumerate(choices):
        record = _varied(base, choice)
        record["meta"].update({"id": f"d{i}:0", "doc_id": f"d{i}"})
        records.append(record)
    arrow, exact, exact_batches = _both_paths(tmp_path_factory.mktemp("paths"), records)
    assert exact_batches == 0
    _same_files(arrow, exact)


def test_ordinary_gold_takes_the_arrow_path_and_reads_back(tmp_path):
    records = synthetic_documents(12)
    arrow, exact, exact_batches = _both_paths(tmp_path, records)
    assert exact_batches == 0
    _same_files(arrow, exact)
    back = [r for split in ("train", "test") for r in read_split_records(arrow, split)]
    assert sorted(back, key=lambda r: r.meta.id) == sorted(
        (record_from_dict(r) for r in records), key=lambda r: r.meta.id
    )


def test_entities_placed_by_offsets_take_the_exact_path(tmp_path):
    records = synthetic_documents(3)
    for span in records[1]["spans"]:
        span.pop("token_start")
        span.pop("token_end")
    arrow, exact, exact_batches = _both_paths(tmp_path, records)
    assert exact_batches == 1  # the batch holding that record; the other split stays on the Arrow path
    _same_files(arrow, exact)


@pytest.mark.parametrize(
    ("change", "rule"),
    [
        (
            lambda r: r["quotes"].append({"content": {"start": 0, "end": 3}, "kind": "rumour"}),
            "unknown-quote-kind",
        ),
        (lambda r: r["events"].append({"label": "PARTY"}), "unknown-event-type"),
        (lambda r: r["spans"].append(dict(r["spans"][0])), "overlapping-entities"),
    ],
)
def test_what_a_row_cannot_hold_is_named_by_line(tmp_path, change, rule):
    records = synthetic_documents(2)
    change(records[3])
    gold = write_jsonl(tmp_path / "gold.jsonl", records)
    with pytest.raises(InputError) as caught:
        _write(tmp_path / "out", gold, exact=False)
    assert (caught.value.line, caught.value.rule) == (4, rule)


def test_unknown_keys_are_found_as_the_record_keeps_them():
    line = orjson.dumps({"text": "x", "extra": 1, "b": [2], "meta": {"id": "d:0", "z": {"y": 1, "a": None}}})
    assert unknown_keys(line) == ('{"b":[2],"extra":1}', '{"z":{"a":null,"y":1}}')
    assert unknown_keys(orjson.dumps({"text": "x", "meta": {"id": "d:0"}})) == (None, None)
