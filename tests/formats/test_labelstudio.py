"""Label Studio: tasks with predictions and a labeling config out; the raw JSON export read back."""

from __future__ import annotations

import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

import orjson
import pytest
from exchange_cases import (
    TEXTS,
    answer_labelstudio,
    canonical,
    make_record,
    record_lists,
    round_trip,
    tokens_for,
)
from hypothesis import HealthCheck, given, settings
from typer.testing import CliRunner

from toolkit.cli import app
from toolkit.errors import InputError
from toolkit.formats.exchange import ImportRefusedError, export_records, import_answers
from toolkit.formats.offsets import OffsetMap
from toolkit.jsonl import read_records, write_records
from toolkit.labels import CONLL_LABELS, ONTONOTES_LABELS, PLOVER_TYPES
from toolkit.options import ExportOptions, ImportOptions
from toolkit.record import Event, Quote, Role, Span

FIXTURES = Path(__file__).parents[1] / "fixtures" / "labelstudio"
EXPORT = FIXTURES / "export.json"  # a real export of label-studio 1.23.2 (see test_labelstudio_server.py)
BASE = FIXTURES / "pre.jsonl"
runner = CliRunner()


def quote_record() -> object:
    text = TEXTS[1]
    return make_record(
        text,
        "doc:1",
        spans=[Span(start=19, end=28, label="PERSON", source="model:en_core_web_sm@3.8.0")],
        quotes=[
            Quote(content=Role(0, 48), speaker=Role(49, 62), cue=Role(63, 67), kind="direct", source="rule:q")
        ],
        events=[Event(label="CONSULT", trigger=Role(63, 67), source="rule:e"), Event(label="AGREE")],
    )


def export(tmp_path: Path, records: list, view: str, **options) -> tuple[list[dict], str]:
    source = tmp_path / "in.jsonl"
    write_records(source, records)
    out = tmp_path / "tasks.json"
    export_records(tool="labelstudio", input=source, output=out, options=ExportOptions(view=view, **options))
    return orjson.loads(out.read_bytes()), (tmp_path / "tasks.config.xml").read_text()


def test_tasks_carry_predictions_with_region_ids_and_relations(tmp_path: Path) -> None:
    (task,), _ = export(tmp_path, [quote_record()], "entities,quotes,events")
    assert task["data"]["text"] == TEXTS[1] and task["data"]["record_id"] == "doc:1"
    assert task["data"]["toolkit_views"] == ["entities", "quotes", "events"]
    (prediction,) = task["predictions"]
    assert prediction["model_version"] == "model:en_core_web_sm@3.8.0,rule:e,rule:q"
    result = prediction["result"]
    ids = [item["id"] for item in result if item["type"] == "labels"]
    assert len(ids) == len(set(ids))  # relations point at region ids: each must be unique
    relations = [item for item in result if item["type"] == "relation"]
    regions = {item["id"]: item for item in result if item["type"] == "labels"}
    assert sorted(
        (
            regions[r["from_id"]]["value"]["labels"][0],
            regions[r["to_id"]]["value"]["labels"][0],
            r["labels"][0],
        )
        for r in relations
    ) == [("CUE", "CONTENT", "CUE_OF"), ("SPEAKER", "CONTENT", "SPEAKER_OF")]
    kind = next(item for item in result if item.get("from_name") == "quote_kind")
    assert regions[kind["id"]]["value"]["labels"] == ["CONTENT"] and kind["value"]["choices"] == ["direct"]
    events = next(item for item in result if item.get("from_name") == "event_type")
    assert events["value"]["choices"] == ["AGREE", "CONSULT"]
    for item in regions.values():
        value = item["value"]
        assert TEXTS[1][value["start"] : value["end"]] == value["text"]


def test_labeling_config_names_match_the_result_items(tmp_path: Path) -> None:
    (task,), config = export(tmp_path, [quote_record()], "entities,quotes,events")
    root = ET.fromstring(config)
    names = {el.get("name") for el in root if el.get("name")}
    used = {item["from_name"] for item in task["predictions"][0]["result"] if "from_name" in item}
    assert used <= names and root.find("Text").get("value") == "$text"
    entity_labels = [el.get("value") for el in root.find("Labels[@name='label']")]
    assert entity_labels == list(ONTONOTES_LABELS)
    assert [el.get("value") for el in root.find("Choices[@name='event_type']")] == list(PLOVER_TYPES)
    assert [el.get("value") for el in root.find("Relations")] == ["SPEAKER_OF", "CUE_OF"]


def test_config_follows_the_records_label_scheme(tmp_path: Path) -> None:
    record = make_record(TEXTS[0], "doc:0", spans=[Span(start=25, end=41, label="PER")])
    _, config = export(tmp_path, [record], "entities")
    assert [el.get("value") for el in ET.fromstring(config).find("Labels")] == list(CONLL_LABELS)
    assert ET.fromstring(config).find("Relations") is None
    _, config = export(tmp_path, [record], "entities", labels=("PER", "ORG"))
    assert [el.get("value") for el in ET.fromstring(config).find("Labels")] == ["PER", "ORG"]


def test_overlapping_spans_are_fine_in_label_studio(tmp_path: Path) -> None:
    record = make_record(
        TEXTS[0], "doc:0", spans=[Span(start=0, end=11, label="ORG"), Span(start=6, end=24, label="PERSON")]
    )
    (task,), _ = export(tmp_path, [record], "entities")
    assert len(task["predictions"][0]["result"]) == 2


def test_real_export_maps_back_with_states_and_ids(tmp_path: Path) -> None:
    out = tmp_path / "gold.jsonl"
    summary = import_answers(tool="labelstudio", paths=[EXPORT], output=out, into=BASE)
    assert summary.answers == summary.written == 3 and summary.states == {"accept": 2, "ignore": 1}
    rows = list(read_records(out))
    exported = orjson.loads(EXPORT.read_bytes())
    for row, task in zip(rows, exported, strict=True):
        kept = row.meta.extra["label_studio"]
        annotation = task["annotations"][0]
        assert (kept["task_id"], kept["id"], kept["completed_by"]) == (task["id"], annotation["id"], 1)
        assert kept["was_cancelled"] is annotation["was_cancelled"]
        assert row.annotator_id == "labelstudio-user-1"
        assert row.answer == ("ignore" if annotation["was_cancelled"] else "accept")
        region_ids = {item["id"] for item in annotation["result"] if item.get("from_name") == "label"}
        assert {s.id for s in row.spans} == region_ids or row.answer == "ignore"
    assert (
        rows[1].spans == [] and rows[1].quotes == [] and rows[1].events == []
    )  # cancelled: nothing answered


def test_export_without_into_uses_the_task_data(tmp_path: Path) -> None:
    out = tmp_path / "gold.jsonl"
    import_answers(tool="labelstudio", paths=[EXPORT], output=out)
    base = list(read_records(BASE))
    for row, before in zip(read_records(out), base, strict=True):
        assert row.tokens == before.tokens and row.meta.id == before.meta.id and row.text == before.text
        assert row.meta.extra["section"] == "World"


def test_utf16_offsets_from_a_browser_are_converted_and_counted(tmp_path: Path) -> None:
    text = TEXTS[2]  # "Zelenskiy 🇺🇦 said Kyiv 💪 ..."
    start = text.index("Kyiv")
    offsets = OffsetMap(text)
    task = {
        "data": {"text": text, "record_id": "doc:0", "toolkit_views": ["entities"]},
        "predictions": [
            {
                "result": [
                    {
                        "id": "r1",
                        "from_name": "label",
                        "to_name": "text",
                        "type": "labels",
                        "value": {
                            "start": offsets.to_utf16(start),
                            "end": offsets.to_utf16(start + 4),
                            "text": "Kyiv",
                            "labels": ["GPE"],
                        },
                    }
                ]
            }
        ],
    }
    path = tmp_path / "export.json"
    path.write_bytes(orjson.dumps(answer_labelstudio([task])))
    summary = import_answers(tool="labelstudio", paths=[path], output=tmp_path / "out.jsonl")
    (row,) = read_records(tmp_path / "out.jsonl")
    assert (row.spans[0].start, row.spans[0].end) == (start, start + 4)
    assert summary.converted_spans == 1


def test_a_span_that_fits_no_reading_is_refused_naming_the_answer(tmp_path: Path) -> None:
    text = TEXTS[2]
    task = {
        "data": {"text": text, "record_id": "doc:0"},
        "predictions": [
            {
                "result": [
                    {
                        "id": "r1",
                        "from_name": "label",
                        "to_name": "text",
                        "type": "labels",
                        "value": {"start": 3, "end": 7, "text": "Kyiv", "labels": ["GPE"]},
                    }
                ]
            }
        ],
    }
    path = tmp_path / "export.json"
    path.write_bytes(orjson.dumps(answer_labelstudio([task])))
    with pytest.raises(ImportRefusedError) as refused:
        import_answers(tool="labelstudio", paths=[path], output=tmp_path / "out.jsonl")
    (finding,) = refused.value.findings
    assert finding.rule == "span-text-mismatch" and "task 10, annotation 100" in finding.path
    assert not (tmp_path / "out.jsonl").exists()


def test_unknown_labels_are_refused_because_label_studio_accepts_anything(tmp_path: Path) -> None:
    task = {
        "data": {"text": TEXTS[0], "record_id": "doc:0"},
        "predictions": [
            {
                "result": [
                    {
                        "id": "r1",
                        "from_name": "label",
                        "to_name": "text",
                        "type": "labels",
                        "value": {"start": 25, "end": 41, "labels": ["PERSONN"]},
                    }
                ]
            }
        ],
    }
    path = tmp_path / "export.json"
    path.write_bytes(orjson.dumps(answer_labelstudio([task])))
    with pytest.raises(ImportRefusedError, match="PERSONN"):
        import_answers(tool="labelstudio", paths=[path], output=tmp_path / "out.jsonl")
    import_answers(
        tool="labelstudio",
        paths=[path],
        output=tmp_path / "out.jsonl",
        options=ImportOptions(labels=("PERSONN",)),
    )
    assert next(read_records(tmp_path / "out.jsonl")).spans[0].label == "PERSONN"


def test_results_of_unknown_controls_are_kept(tmp_path: Path) -> None:
    task = {
        "data": {"text": TEXTS[0], "record_id": "doc:0"},
        "predictions": [
            {
                "result": [
                    {
                        "id": "c1",
                        "from_name": "comment",
                        "to_name": "text",
                        "type": "textarea",
                        "value": {"text": ["unsure"]},
                    },
                ]
            }
        ],
    }
    path = tmp_path / "export.json"
    path.write_bytes(orjson.dumps(answer_labelstudio([task])))
    import_answers(tool="labelstudio", paths=[path], output=tmp_path / "out.jsonl")
    row = next(read_records(tmp_path / "out.jsonl"))
    assert row.meta.extra["label_studio"]["other_results"][0]["value"] == {"text": ["unsure"]}


def test_a_min_json_export_is_refused_with_a_hint(tmp_path: Path) -> None:
    path = tmp_path / "min.json"
    path.write_bytes(orjson.dumps({"text": "x", "label": []}))
    with pytest.raises(InputError, match="list of tasks"):
        import_answers(tool="labelstudio", paths=[path], output=tmp_path / "out.jsonl")


@pytest.mark.parametrize("view", ["entities", "quotes", "events"])
def test_emoji_crlf_and_right_to_left_text_round_trip(tmp_path: Path, view: str) -> None:
    records = []
    for n, text in enumerate(TEXTS[2:6]):
        tokens = tokens_for(text)
        last = len(tokens) - 2
        records.append(
            make_record(
                text,
                f"doc:{n}",
                spans=[Span(start=tokens[1].start, end=tokens[last].end, label="EVENT")],
                quotes=[
                    Quote(content=Role(tokens[1].start, tokens[last].end), speaker=Role(0, tokens[0].end))
                ],
                events=[Event(label="ASSAULT", trigger=Role(tokens[last].start, tokens[last].end))],
            )
        )
    back = round_trip("labelstudio", records, view, tmp_path)
    assert [canonical(r, view) for r in back] == [canonical(r, view) for r in records]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=record_lists(overlap=True))
def test_export_then_import_gives_back_every_layer(data: list) -> None:
    with tempfile.TemporaryDirectory() as folder:
        for into in (True, False):
            back = round_trip("labelstudio", data, "entities,quotes,events", Path(folder), into=into)
            for layer in ("entities", "quotes", "events"):
                assert [canonical(r, layer) for r in back] == [canonical(r, layer) for r in data]


def test_cli_export_writes_tasks_and_config_then_imports(tmp_path: Path) -> None:
    tasks = tmp_path / "ls.json"
    result = runner.invoke(
        app, ["export", "labelstudio", str(BASE), "-o", str(tasks), "--view", "entities,events"]
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "ls.config.xml").exists() and "ls.config.xml" in result.stderr
    result = runner.invoke(
        app, ["import", "labelstudio", str(EXPORT), "-o", str(tmp_path / "g.jsonl"), "--into", str(BASE)]
    )
    assert result.exit_code == 0, result.output
    assert "3 records from 3 Label Studio answers (2 accept, 1 ignore)" in result.stderr
    result = runner.invoke(
        app, ["export", "labelstudio", str(BASE), "-o", str(tasks), "--view", "entities,spans"]
    )
    assert result.exit_code == 2 and "same layer" in result.stderr


def test_quote_kind_choices_show_only_for_a_selected_content_region(tmp_path: Path) -> None:
    _, config = export(tmp_path, [quote_record()], "entities,quotes,events")
    kind = ET.fromstring(config).find("Choices[@name='quote_kind']")
    assert kind.attrib == {
        "name": "quote_kind",
        "toName": "text",
        "perRegion": "true",
        "visibleWhen": "region-selected",
        "whenTagName": "quote_role",
        "whenLabelValue": "CONTENT",
        "choice": "single",
    }


def test_predictions_carry_no_score_the_model_did_not_give(tmp_path: Path) -> None:
    (task,), _ = export(tmp_path, [quote_record()], "entities,quotes,events")
    (prediction,) = task["predictions"]
    assert "score" not in prediction and all("score" not in item for item in prediction["result"])


def exported_answer(tmp_path: Path, result_edit) -> Path:
    """A Label Studio export of one annotated task whose result ``result_edit`` changes in place."""
    tasks, _ = export(tmp_path, [quote_record()], "entities,quotes,events")
    exported = answer_labelstudio(tasks)
    result_edit(exported[0]["annotations"][0]["result"])
    path = tmp_path / "export.json"
    path.write_bytes(orjson.dumps(exported))
    return path


def _first(result: list, name: str) -> dict:
    return next(item for item in result if item.get("from_name") == name)


MALFORMED = {
    "no start": (lambda r: _first(r, "label")["value"].pop("start"), "has no value.start"),
    "string end": (lambda r: _first(r, "label")["value"].update(end="28"), "value.end is '28'"),
    "no labels": (lambda r: _first(r, "label")["value"].update(labels=[]), "has no labels"),
    "no value": (lambda r: _first(r, "label").pop("value"), "has no value object"),
    "unknown control": (lambda r: _first(r, "label").update(from_name="entity"), "comes from 'entity'"),
    "relation to nothing": (
        lambda r: next(i for i in r if i.get("type") == "relation").update(to_id="gone"),
        "relation names to_id 'gone'",
    ),
    "kind of no region": (lambda r: _first(r, "quote_kind").update(id="gone"), "names region 'gone'"),
    "not an object": (lambda r: r.append("CONTENT"), "is not an object"),
}


@pytest.mark.parametrize("case", list(MALFORMED))
def test_a_malformed_result_item_names_its_task_or_is_skipped_and_counted(tmp_path: Path, case: str) -> None:
    edit, message = MALFORMED[case]
    path = exported_answer(tmp_path, edit)
    out = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["import", "labelstudio", str(path), "-o", str(out)])
    assert result.exit_code == 2 and not out.exists(), result.output
    assert "[labelstudio-region] task 10, annotation 100:" in result.stderr and message in result.stderr
    assert "Traceback" not in result.output
    result = runner.invoke(app, ["import", "labelstudio", str(path), "-o", str(out), "--skip-invalid"])
    assert result.exit_code == 0, result.output
    assert "skipped 1 malformed Label Studio result items" in result.stderr
    (row,) = read_records(out)
    assert row.meta.id == "doc:1"


def test_every_region_comes_back_or_the_import_says_why(tmp_path: Path) -> None:
    """155 spans in, 154 out with exit 0 was the bug: count regions in and spans out on a clean export."""
    records = [quote_record() for _ in range(3)]
    for n, record in enumerate(records):
        record.meta.id = f"doc:{n}"
    tasks, _ = export(tmp_path, records, "entities")
    path = tmp_path / "export.json"
    path.write_bytes(orjson.dumps(answer_labelstudio(tasks)))
    import_answers(tool="labelstudio", paths=[path], output=tmp_path / "out.jsonl")
    regions = sum(1 for t in tasks for i in t["predictions"][0]["result"] if i["from_name"] == "label")
    assert sum(len(r.spans) for r in read_records(tmp_path / "out.jsonl")) == regions == 3


def test_a_json_min_export_is_named(tmp_path: Path) -> None:
    rows = [
        {
            "id": 10,
            "text": TEXTS[0],
            "label": [{"start": 0, "end": 5, "text": "White", "labels": ["ORG"]}],
            "annotator": "alice@example.com",
            "annotation_id": 100,
            "created_at": "2024-05-01T10:00:00.000000Z",
            "updated_at": "2024-05-01T10:01:00.000000Z",
            "lead_time": 3.2,
        }
    ]
    path = tmp_path / "min.json"
    path.write_bytes(orjson.dumps(rows))
    result = runner.invoke(app, ["import", "labelstudio", str(path), "-o", str(tmp_path / "out.jsonl")])
    assert result.exit_code == 2
    assert "[labelstudio-json-min] this is a JSON_MIN export" in result.stderr
    assert "export the project as JSON (the raw format), not JSON_MIN" in result.stderr


def test_an_unticked_event_type_drops_the_trigger_region_left_in_place(tmp_path: Path) -> None:
    def untick(result: list) -> None:
        _first(result, "event_type")["value"]["choices"] = ["AGREE"]  # CONSULT unticked, its trigger stays

    path = exported_answer(tmp_path, untick)
    out = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["import", "labelstudio", str(path), "-o", str(out)])
    assert result.exit_code == 0 and "dropped 1 event triggers of unticked types" in result.stderr
    (row,) = read_records(out)
    assert [(e.label, e.trigger, e.source) for e in row.events] == [
        ("AGREE", None, "human:labelstudio-user-1")
    ]
