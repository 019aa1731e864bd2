"""The record schema stays in step with the Structs; labels.json is valid and matches toolkit/labels.py."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from toolkit import labels as constants
from toolkit.errors import InputError
from toolkit.record import Quote, Record, Role, Span, Token, record_to_dict
from toolkit.schemas import (
    LABELS_PATH,
    LABELS_SCHEMA_PATH,
    RECORD_SCHEMA_PATH,
    builtin_labels,
    load_labels,
    main,
    record_schema,
    record_schema_is_current,
    record_validator,
    render_record_schema,
)


def _labels_document() -> dict:
    return json.loads(LABELS_PATH.read_text(encoding="utf-8"))


def test_record_schema_file_matches_the_structs():
    # Fails when toolkit/record.py changes without `python -m toolkit.schemas`.
    assert RECORD_SCHEMA_PATH.read_text(encoding="utf-8") == render_record_schema()
    assert record_schema_is_current()


def test_record_schema_is_valid_2020_12_with_descriptions_and_no_flattened_extra():
    schema = json.loads(RECORD_SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] and schema["title"] and schema["description"]
    defs = schema["$defs"]
    assert "extra" not in defs["Record"]["properties"] and "extra" not in defs["Meta"]["properties"]
    assert defs["Record"]["additionalProperties"] is True
    assert {"_input_hash", "_annotator_id", "_timestamp"} <= set(defs["Record"]["properties"])
    missing = [
        f"{name}.{prop}"
        for name, d in defs.items()
        for prop, spec in d["properties"].items()
        if not spec.get("description")
    ]
    assert missing == [], f"give these fields a description in toolkit/schemas.py: {missing}"
    assert all(d.get("description") for d in defs.values())


def test_schema_accepts_a_record_with_unknown_keys_and_rejects_wrong_types():
    record = Record(
        text="Kyiv said",
        tokens=[Token("Kyiv", 0, 4, 0, True), Token("said", 5, 9, 1)],
        spans=[Span(0, 4, "GPE", 0, 0)],
        quotes=[Quote(speaker=Role(0, 4), cue=Role(5, 9))],
    )
    line = record_to_dict(record) | {
        "_view_id": "ner_manual",
        "priority": 3,
        "meta": {"id": "d:0", "site": "x"},
    }
    validator = jsonschema.Draft202012Validator(record_schema())
    assert list(validator.iter_errors(line)) == []
    record_validator()(line)
    bad = line | {"spans": [{"start": "0", "end": 4, "label": "GPE"}]}
    assert [e.json_path for e in validator.iter_errors(bad)] == ["$.spans[0].start"]
    assert list(validator.iter_errors({"tokens": []}))  # text is required


def test_regenerate_and_check_from_the_command_line(tmp_path):
    target = tmp_path / "record.schema.json"
    assert main(["--path", str(target)]) == 0
    assert target.read_text(encoding="utf-8") == render_record_schema()
    assert main(["--check", "--path", str(target)]) == 0
    target.write_text("{}", encoding="utf-8")
    assert main(["--check", "--path", str(target)]) == 1
    done = subprocess.run(
        [sys.executable, "-m", "toolkit.schemas", "--check"],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    assert done.returncode == 0, done.stderr
    assert "up to date" in done.stderr


def test_labels_file_is_valid_against_its_schema():
    schema = json.loads(LABELS_SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(schema).validate(_labels_document())


def test_labels_file_matches_the_constants_in_toolkit_labels():
    document = _labels_document()
    schemes = {
        s["name"]: tuple(label["name"] for label in s["labels"]) for s in document["entities"]["schemes"]
    }
    assert schemes == {"ontonotes": constants.ONTONOTES_LABELS, "conll": constants.CONLL_LABELS}
    assert len(schemes["ontonotes"]) == 18
    assert document["entities"]["default_scheme"] == "ontonotes"
    assert tuple(r["name"] for r in document["quotes"]["roles"]) == constants.QUOTE_ROLES
    assert tuple(k["name"] for k in document["quotes"]["kinds"]) == constants.QUOTE_KINDS
    assert tuple(t["name"] for t in document["events"]["types"]) == constants.PLOVER_TYPES
    assert len(constants.PLOVER_TYPES) == 16
    assert set(constants.CONLL_MAP) == set(constants.ONTONOTES_LABELS)
    assert {v for v in constants.CONLL_MAP.values() if v} <= set(constants.CONLL_LABELS)


def test_every_label_has_a_definition_and_one_to_three_examples():
    document = _labels_document()
    entries = [label for s in document["entities"]["schemes"] for label in s["labels"]]
    entries += document["quotes"]["roles"] + document["quotes"]["kinds"] + document["events"]["types"]
    for entry in entries:
        assert len(entry["definition"]) >= 10, entry["name"]
        assert 1 <= len(entry["examples"]) <= 3, entry["name"]
    for event in document["events"]["types"]:
        # Examples mark the words that express the event.
        assert all("[" in example and "]" in example for example in event["examples"]), event["name"]


def test_load_labels_reads_the_shipped_file():
    labels = load_labels()
    assert labels.version == "1.0.1"
    assert labels.entity_labels("conll") == frozenset(constants.CONLL_LABELS)
    assert labels.entity_labels() == frozenset(constants.ONTONOTES_LABELS + constants.CONLL_LABELS)
    assert labels.event_types == constants.PLOVER_TYPES
    with pytest.raises(InputError) as caught:
        labels.entity_labels("wikiner")
    assert caught.value.rule == "unknown-scheme"
    assert builtin_labels().entity_labels("ontonotes") == labels.entity_labels("ontonotes")


@pytest.mark.parametrize(
    ("change", "rule"),
    [
        (lambda d: d.update(version="1.0"), "labels-schema"),
        (lambda d: d["events"]["types"][0].update(examples=[]), "labels-schema"),
        (lambda d: d["events"]["types"][1].update(name="AGREE"), "labels-duplicate"),
        (lambda d: d["entities"].update(default_scheme="wikiner"), "labels-default-scheme"),
        (lambda d: d["quotes"].pop("kinds"), "labels-schema"),
    ],
)
def test_a_broken_labels_file_is_an_input_error_naming_the_rule(tmp_path, change, rule):
    document = _labels_document()
    change(document)
    path = tmp_path / "labels.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_labels(path)
    assert caught.value.rule == rule
    assert caught.value.path == str(path)


def test_labels_file_that_is_not_json_or_missing(tmp_path):
    path = tmp_path / "labels.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_labels(path)
    assert caught.value.rule == "labels-json"
    with pytest.raises(InputError) as caught:
        load_labels(tmp_path / "absent.json")
    assert caught.value.rule == "missing-path"
