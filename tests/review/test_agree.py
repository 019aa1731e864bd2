"""toolkit agree: pairwise span F1, alpha and kappa on event types, conflicts, states, and the CLI."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import krippendorff
import numpy as np
import pytest
from typer.testing import CliRunner

from toolkit.cli import app
from toolkit.errors import InputError
from toolkit.review.agree import (
    agreement,
    cohen_kappa,
    krippendorff_alpha,
    overlap_matches,
)

TEXTS = {
    "d:0": "Kyiv said on Monday that Russian troops shelled Kharkiv.",
    "d:1": "Residents of Kharkiv fled west.",
    "d:2": "Olaf Scholz met Macron on Friday.",
}


def answer(
    task: str, annotator: str | None, state: str = "accept", *, spans=(), events=(), quotes=()
) -> dict:
    """One answer row: spans as (start, end, label), events as labels, quotes as dicts of role ranges."""
    doc, unit = task.split(":")
    row = {
        "text": TEXTS[task],
        "spans": [{"start": s, "end": e, "label": label} for s, e, label in spans],
        "events": [{"label": label} for label in events],
        "quotes": [
            {name: {"start": r[0], "end": r[1]} for name, r in quote.items()} | {"kind": "indirect"}
            for quote in quotes
        ],
        "meta": {"id": task, "doc_id": doc, "unit": int(unit)},
        "answer": state,
    }
    if annotator:
        row["_annotator_id"] = annotator
    return row


QUOTE = {"speaker": (0, 4), "cue": (5, 9), "content": (25, 55)}


def write(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.fixture
def files(tmp_path: Path) -> list[Path]:
    alice = write(
        tmp_path / "alice.jsonl",
        [
            answer(
                "d:0", "alice", spans=[(0, 4, "GPE"), (25, 32, "NORP")], events=["ASSAULT"], quotes=[QUOTE]
            ),
            answer("d:1", "alice", spans=[(0, 9, "PERSON")]),  # replaced by the next answer to d:1
            answer("d:1", "alice", spans=[(13, 20, "GPE")]),
            answer("d:2", "alice", spans=[(0, 11, "PERSON")], events=["AGREE"]),
        ],
    )
    bob = write(
        tmp_path / "bob.jsonl",
        [
            answer(
                "d:0",
                "bob",
                spans=[(0, 4, "GPE"), (25, 39, "NORP")],
                events=["ASSAULT", "ACCUSE"],
                quotes=[QUOTE],
            ),
            answer("d:1", "bob", "reject"),
        ],
    )
    # No _annotator_id: the file's name stands for the annotator.
    carol = write(
        tmp_path / "carol.jsonl",
        [
            answer("d:2", None, spans=[(0, 11, "PERSON"), (26, 32, "DATE")], events=["AGREE"]),
        ],
    )
    return [alice, bob, carol]


def test_overlap_matches_are_one_to_one_with_the_same_label():
    first = {(0, 10, "ORG"), (20, 30, "GPE")}
    second = {(0, 4, "ORG"), (5, 10, "ORG"), (20, 30, "LOC")}
    assert overlap_matches(first, second) == 1
    assert overlap_matches(second, first) == 1
    assert overlap_matches({(0, 4, "GPE")}, {(0, 4, "GPE")}) == 1


def test_pairwise_span_f1_exact_and_overlap(files):
    report = agreement(paths=files)
    assert report.annotators == ["alice", "bob", "carol"]
    entities = report.spans["entities"].to_dict()
    # d:0 alice~bob: 1 exact, 2 overlapping of 4 items; d:2 alice~carol: 1 exact and overlapping of 3 items.
    assert entities == {
        "task_pairs": 2,
        "items": 7,
        "exact_f1": round(4 / 7, 4),
        "overlap_f1": round(6 / 7, 4),
    }
    pairs = {pair: scores["entities"].to_dict() for pair, scores in report.pairs.items()}
    assert pairs["alice ~ bob"]["exact_f1"] == 0.5 and pairs["alice ~ bob"]["overlap_f1"] == 1.0
    assert pairs["alice ~ carol"]["exact_f1"] == round(2 / 3, 4)
    for role in ("content", "speaker", "cue"):
        assert report.spans[f"quote.{role}"].to_dict()["exact_f1"] == 1.0
    assert report.pairs["alice ~ carol"]["quote.content"].to_dict()["exact_f1"] is None  # nothing to compare


def test_states_are_counted_and_only_accepts_are_annotations(files):
    report = agreement(paths=files)
    assert report.answers == {"accept": 5, "reject": 1}
    assert report.tasks == 3 and report.shared_tasks == 3 and report.repeated_answers == 1
    # bob rejected d:1, so alice's d:1 spans are compared with nobody.
    assert report.spans["entities"].pairs == 2


def test_event_alpha_matches_a_hand_computation(files):
    events = agreement(paths=files).events
    # 2 shared accepted tasks x 16 types = 32 units of 2 values; one unit (d:0, ACCUSE) disagrees.
    # n = 64 values, 5 ones: De = 2*59*5/(64*63), Do = 2/64.
    expected = 1 - (2 / 64) / (2 * 59 * 5 / (64 * 63))
    assert events.units == 32 and events.observed == round(31 / 32, 4)
    assert events.alpha == pytest.approx(expected, abs=1e-4)
    assert events.kappa is None  # three annotators


def test_cohen_kappa_with_exactly_two_annotators(files):
    report = agreement(paths=files[:2])
    # d:0 only: alice ASSAULT; bob ASSAULT and ACCUSE over 16 types.
    po, pe = 15 / 16, (1 / 16) * (2 / 16) + (15 / 16) * (14 / 16)
    assert report.events.kappa == round((po - pe) / (1 - pe), 4)
    assert cohen_kappa([1, 0, 1, 0], [1, 0, 1, 0]) == 1.0
    assert cohen_kappa([0, 0], [0, 0]) is None and cohen_kappa([], []) is None


def test_alpha_agrees_with_the_krippendorff_package_and_is_none_when_undefined():
    matrix = [[1, 0, 1, np.nan, 0], [1, 1, 1, 0, 0], [np.nan, 0, 1, 0, 1]]
    assert krippendorff_alpha(matrix) == round(
        krippendorff.alpha(reliability_data=np.array(matrix), level_of_measurement="nominal"), 4
    )
    assert krippendorff_alpha([[0, 0, 0], [0, 0, 0]]) is None
    assert krippendorff_alpha([[1, 0]]) is None


def test_conflicts_say_which_ids_and_what_differs(files):
    conflicts = {c["id"]: c for c in agreement(paths=files).conflicts}
    assert sorted(conflicts) == ["d:0", "d:1", "d:2"]
    d0 = {d["what"]: d for d in conflicts["d:0"]["differences"]}
    assert d0["entities"]["items"] == [
        {"item": "NORP 25-32 'Russian'", "by": ["alice"]},
        {"item": "NORP 25-39 'Russian troops'", "by": ["bob"]},
    ]
    assert d0["events"]["items"] == [{"item": "ACCUSE", "by": ["bob"]}]
    assert conflicts["d:1"]["differences"] == [
        {"what": "answer", "values": {"alice": "accept", "bob": "reject"}}
    ]
    assert conflicts["d:2"]["differences"][0]["items"] == [{"item": "DATE 26-32 'Friday'", "by": ["carol"]}]


def test_no_input_is_an_error():
    with pytest.raises(InputError):
        agreement(paths=[])


runner = CliRunner()


def test_cli_text_and_json_and_inputs_untouched(files):
    before = [hashlib.sha256(p.read_bytes()).hexdigest() for p in files]
    result = runner.invoke(app, ["agree", *map(str, files)])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "annotators: alice, bob, carol" in out
    assert "answers: 5 accept, 1 reject; 1 repeated answers replaced" in out
    assert "entities                 0.571    0.857       7       2" in out
    assert "Krippendorff's alpha 0.786" in out
    assert "entities: NORP 25-39 'Russian troops' only by bob" in out
    assert "answer: alice: accept, bob: reject" in out
    result = runner.invoke(app, ["agree", *map(str, files), "--format", "json"])
    document = json.loads(result.stdout)
    assert document["events"]["krippendorff_alpha"] == pytest.approx(0.7864, abs=1e-4)
    assert document["answers"] == {"accept": 5, "reject": 1}
    assert [c["id"] for c in document["conflicts"]] == ["d:0", "d:1", "d:2"]
    assert before == [hashlib.sha256(p.read_bytes()).hexdigest() for p in files]
    short = runner.invoke(app, ["agree", *map(str, files), "--conflicts", "1"])
    assert "... 2 more" in short.stdout


def test_cli_bad_input_is_one_line(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"text": "a"}\n{oops\n', encoding="utf-8")
    result = runner.invoke(app, ["agree", str(path)])
    assert result.exit_code == 2
    assert f"{path}:2: [invalid-json]" in result.stderr and "Traceback" not in result.output


@pytest.mark.parametrize("value", ["maybe", "ACCEPT", ""])
def test_an_unknown_answer_is_refused_with_its_place(tmp_path, value):
    rows = [answer("d:0", "alice"), answer("d:1", "alice"), answer("d:2", "alice", value)]
    path = write(tmp_path / "alice.jsonl", rows)
    with pytest.raises(InputError) as info:
        agreement(paths=[path])
    assert (info.value.path, info.value.line, info.value.rule) == (str(path), 3, "answer-value")
    result = runner.invoke(app, ["agree", str(path)])
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr == (
        f"error: {path}:3: [answer-value] answer {value!r} is not one of accept, reject, ignore "
        "(fix the answer, or leave it out for an accepted annotation)\n"
    )
