"""The scoring of benchmarks/events_plover.py on hand-made stories (no development data, no model)."""

from __future__ import annotations

import importlib.util
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def ep():
    spec = importlib.util.spec_from_file_location("events_plover", ROOT / "benchmarks" / "events_plover.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


def test_label_scores_count_sets(ep):
    scores = ep.LabelScores()
    scores.add({"ASSAULT"}, ["ASSAULT", "COERCE"])
    scores.add({"PROTEST"}, ["COERCE"])
    scores.add(set(), ["AID"])
    scores.add({"AGREE"}, [])
    result = scores.result(top=10)
    assert result["micro"] == {"precision": 0.25, "recall": 0.3333, "f1": 0.2857, "support": 3}
    assert result["per_type"]["COERCE"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 0}
    assert result["macro_f1"] == pytest.approx(1 / 3, abs=1e-4)  # ASSAULT 1, PROTEST 0, AGREE 0
    assert result["exact_set"] == 0.0
    assert {(c["gold"], c["predicted"]) for c in result["confusions"]} == {
        ("PROTEST", "COERCE"),
        ("AGREE", ep.NOTHING),
    }
    assert {(c["gold"], c["extra"]) for c in result["extras"]} == {("ASSAULT", "COERCE"), ("(none)", "AID")}


def test_stories_by_story_lead_first_and_mode(ep):
    stories = [
        ep.Story("s0", "x", "PROTEST", "STRIKE"),
        ep.Story("s1", "x", "ASSAULT", ""),
        ep.Story("s2", "x", "AID", ""),
    ]
    predicted = {
        "s0": [["COERCE"], ["PROTEST", "COERCE"]],  # found later, not first, not in the lead
        "s1": [["ASSAULT"], []],
        # s2: no record at all counts as no events
    }
    result = ep.story_result(ep.score_stories(stories, predicted), top=5)
    assert result["by_story"]["micro"]["recall"] == pytest.approx(0.6667, abs=1e-4)
    assert result["by_story"]["first_accuracy"] == pytest.approx(0.3333, abs=1e-4)
    assert result["by_story"]["covered"] == pytest.approx(0.6667, abs=1e-4)
    assert result["lead_sentence"]["micro"]["recall"] == pytest.approx(0.3333, abs=1e-4)
    strike = next(r for r in result["by_mode"] if r["mode"] == "STRIKE")
    assert (strike["recall"], strike["first"], strike["lead_recall"]) == (1.0, 0.0, 0.0)


def test_stories_are_read_from_the_csv_in_the_zip(ep, tmp_path):
    rows = (
        'text,label,mode\n"Police fired tear gas, witnesses said.",COERCE,POLICE\nTalks resumed.,CONSULT,\n'
    )
    with zipfile.ZipFile(tmp_path / "stories.csv.zip", "w") as bundle:
        bundle.writestr("stories.csv", rows)
    stories = ep.read_stories(tmp_path)
    assert [(s.ident, s.label, s.mode) for s in stories] == [
        ("story-00000", "COERCE", "POLICE"),
        ("story-00001", "CONSULT", ""),
    ]
    assert stories[0].text == "Police fired tear gas, witnesses said."
