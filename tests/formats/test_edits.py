"""Every edit an annotator can make in each tool and view comes back exactly on import.

The gold (annotations/gold/seed.jsonl) is exported to each tool and view, edited the way the tool writes
its answers (see edit_cases.py: entities deleted, relabelled, moved and added; quotes deleted, their
speaker or cue moved, their kind changed, quotes and interrupted quotes added; event types unticked and
ticked, trigger regions added, deleted or left in place), imported onto the gold, and compared with the
edited annotation field by field: offsets, labels, token indices, span text, quote ids, kinds, links and
resolved speakers, event triggers, and ``human:<annotator>`` as the source of every edited layer.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import msgspec
import orjson
import pytest
from edit_cases import (
    EditPlan,
    dropped_triggers,
    edit_doccano,
    edit_labelstudio,
    edit_prodigy_choice,
    edit_prodigy_entities,
    edit_prodigy_relations,
    expected,
    plan_for,
)
from exchange_cases import answer_doccano, answer_labelstudio, answer_prodigy, read_tasks, write_jsonl

from toolkit.formats.exchange import export_records, import_answers
from toolkit.jsonl import read_records
from toolkit.options import ExportOptions, ImportOptions
from toolkit.record import Record

ROOT = Path(__file__).resolve().parents[2]
GOLD = ROOT / "annotations" / "gold" / "seed.jsonl"
LAYERS = {"entities": ("entities",), "spans": ("entities",), "quotes": ("quotes",), "events": ("events",)}
# Every tool and view an annotator works in: Prodigy's four recipes, Label Studio's combined config (and
# each layer on its own), doccano's three project types.
PAIRS = [
    ("prodigy", "entities"),  # ner.manual
    ("prodigy", "spans"),  # spans.manual
    ("prodigy", "quotes"),  # rel.manual
    ("prodigy", "events"),  # choice
    ("labelstudio", "entities,quotes,events"),
    ("labelstudio", "entities"),
    ("labelstudio", "quotes"),
    ("labelstudio", "events"),
    ("doccano", "entities"),  # sequence labeling
    ("doccano", "quotes"),  # relation
    ("doccano", "events"),  # classification
]
ANNOTATORS = {"labelstudio": "labelstudio-user-1", "doccano": "alice"}


def layers_of(view: str) -> tuple[str, ...]:
    return tuple(layer for v in view.split(",") for layer in LAYERS[v])


def annotator_of(tool: str, view: str) -> str:
    return ANNOTATORS.get(tool, f"news_{view}-news-alice")


def edit_task(tool: str, view: str, task: dict[str, Any], plan: EditPlan) -> Any:
    if tool == "prodigy":
        if view in ("entities", "spans"):
            return edit_prodigy_entities(task, plan)
        return edit_prodigy_relations(task, plan) if view == "quotes" else edit_prodigy_choice(task, plan)
    if tool == "labelstudio":
        edited = dict(task)
        edited["predictions"] = [{"result": edit_labelstudio(task, plan)}]
        return edited
    return edit_doccano(task, plan)


def answers_file(tool: str, view: str, tasks: list[dict[str, Any]], folder: Path) -> Path:
    """The tool's own export of the edited tasks, with its provenance fields."""
    if tool == "prodigy":
        return write_jsonl(folder / "db-out.jsonl", answer_prodigy(tasks, view))
    if tool == "labelstudio":
        path = folder / "export.json"
        path.write_bytes(orjson.dumps(answer_labelstudio(tasks)))
        return path
    return write_jsonl(folder / "alice.jsonl", answer_doccano(tasks))


def strict(record: Record, layers: tuple[str, ...]) -> dict[str, Any]:
    """The annotation layers as plain data, every field included (span ids aside: tool region ids)."""
    out: dict[str, Any] = {}
    if "entities" in layers:
        out["spans"] = sorted(
            (msgspec.to_builtins(msgspec.structs.replace(s, id=None)) for s in record.spans), key=repr
        )
    if "quotes" in layers:
        out["quotes"] = sorted((msgspec.to_builtins(q) for q in record.quotes), key=repr)
    if "events" in layers:
        out["events"] = sorted((msgspec.to_builtins(e) for e in record.events), key=repr)
    return out


def edit_and_import(
    tool: str, view: str, records: list[Record], base: Path, folder: Path, **export_options: Any
) -> tuple[list[EditPlan], list[Record], Any]:
    tasks_path = folder / ("tasks.json" if tool == "labelstudio" else "tasks.jsonl")
    export_records(
        tool=tool, input=base, output=tasks_path, options=ExportOptions(view=view, **export_options)
    )
    tasks = read_tasks(tasks_path)
    assert len(tasks) == len(records)
    plans = [plan_for(r, n, label_studio=tool == "labelstudio") for n, r in enumerate(records)]
    edited = [edit_task(tool, view, task, plan) for task, plan in zip(tasks, plans, strict=True)]
    answers = answers_file(tool, view, edited, folder)
    out = folder / "back.jsonl"
    summary = import_answers(
        tool=tool, paths=[answers], output=out, into=base, options=ImportOptions(keep_empty=True)
    )
    return plans, list(read_records(out)), summary


@pytest.mark.parametrize(("tool", "view"), PAIRS, ids=lambda x: x.replace(",", "+"))
def test_gold_edited_in_every_tool_and_view_comes_back_exactly(tool: str, view: str, tmp_path: Path) -> None:
    records = list(read_records(GOLD))
    plans, back, summary = edit_and_import(tool, view, records, GOLD, tmp_path)
    layers = layers_of(view)
    annotator = annotator_of(tool, view)
    assert [r.meta.id for r in back] == [r.meta.id for r in records]
    made: set[str] = set()
    for record, plan, got in zip(records, plans, back, strict=True):
        made.update(edit for edit in plan.edits() if _shown(edit, layers))
        want = expected(record, plan, layers, annotator)
        assert strict(got, layers) == strict(want, layers), record.meta.id
        # The layers the view does not show, the tokens and the meta are the gold's own.
        others = {"entities", "quotes", "events"} - set(layers)
        assert strict(got, tuple(others)) == strict(record, tuple(others)), record.meta.id
        assert got.tokens == record.tokens and got.text == record.text
        assert got.annotator_id is not None and got.answer == "accept"
    # Every edit the view allows was made somewhere in the file.
    assert made == {edit for edit in _edits_for(tool) if _shown(edit, layers)}, made
    if "events" in layers:
        dropped = sum(dropped_triggers(r, p) for r, p in zip(records, plans, strict=True))
        assert dropped > 0 and summary.dropped == {"event triggers of unticked types": dropped}
    else:
        assert summary.dropped == {}
    assert summary.converted_spans == 0  # the gold's text is all in the Basic Multilingual Plane


@pytest.mark.parametrize(("tool", "view"), PAIRS, ids=lambda x: x.replace(",", "+"))
def test_a_second_round_of_edits_joins_back_by_the_ids_of_the_first(
    tool: str, view: str, tmp_path: Path
) -> None:
    """The imported records go out again and are edited again: quote ids made in the first round
    (interrupted quotes), kept region ids and links carry over, and the second edits come back exactly."""
    records = list(read_records(GOLD))
    (tmp_path / "first").mkdir()
    (tmp_path / "second").mkdir()
    _, once, _ = edit_and_import(tool, view, records, GOLD, tmp_path / "first")
    plans, twice, _ = edit_and_import(
        tool, view, once, tmp_path / "first" / "back.jsonl", tmp_path / "second"
    )
    layers = layers_of(view)
    for record, plan, got in zip(once, plans, twice, strict=True):
        want = expected(record, plan, layers, annotator_of(tool, view))
        assert strict(got, layers) == strict(want, layers), record.meta.id


LABEL_STUDIO_ONLY = {"kind_change", "trigger_add", "trigger_delete"}
LAYER_OF_EDIT = {
    "entity": "entities",
    "quote": "quotes",
    "speaker": "quotes",
    "cue": "quotes",
    "kind": "quotes",
    "interrupted": "quotes",
    "event": "events",
    "trigger": "events",
}


def _shown(edit: str, layers: tuple[str, ...]) -> bool:
    return LAYER_OF_EDIT[edit.split("_")[0]] in layers


def _edits_for(tool: str) -> set[str]:
    edits = set(EditPlan.__dataclass_fields__) - {"added_kind"}
    return edits if tool == "labelstudio" else edits - LABEL_STUDIO_ONLY
