"""toolkit adjudicate: majority items, states, ties, ordering, provenance, untouched inputs, the CLI."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from toolkit.cli import app
from toolkit.errors import InputError, UsageError
from toolkit.record import Record, record_from_dict
from toolkit.review.adjudicate import adjudicate, default_ties_path, majority_state
from toolkit.review.agree import Answer

TEXTS = {
    "c:0": "Sirens sounded in Lviv.",
    "d:0": "Kyiv said on Monday that Russian troops shelled Kharkiv.",
    "d:1": "Residents of Kharkiv fled west.",
    "d:2": "Olaf Scholz met Macron on Friday.",
    "d:3": "Talks resume in Istanbul.",
    "d:4": "No comment.",
    "d:10": "The mayor of Mariupol appealed for help.",
}
QUOTE = {"speaker": (0, 4), "cue": (5, 9), "content": (25, 55)}


def answer(task: str, annotator: str, state: str = "accept", *, spans=(), events=(), quotes=()) -> dict:
    doc, unit = task.split(":")
    return {
        "text": TEXTS[task],
        "spans": [
            {"start": s, "end": e, "label": label, **({"source": src} if src else {})}
            for s, e, label, *rest in spans
            for src in [rest[0] if rest else None]
        ],
        "events": [{"label": label} for label in events],
        "quotes": [
            {n: {"start": r[0], "end": r[1]} for n, r in q.items()} | {"kind": "indirect"} for q in quotes
        ],
        "meta": {"id": task, "doc_id": doc, "unit": int(unit), "source": "seeds/x.txt", "paragraph": 0},
        "answer": state,
        "_annotator_id": annotator,
        "_session_id": f"news-{annotator}",
        "_timestamp": 1700000000,
        "_input_hash": 123,
        "_task_hash": 456,
    }


def write(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.fixture
def files(tmp_path: Path) -> list[Path]:
    model = "model:en_core_web_sm@3.8.0"
    alice = write(
        tmp_path / "alice.jsonl",
        [
            answer("d:10", "alice", spans=[(13, 21, "GPE")]),
            answer(
                "d:0",
                "alice",
                spans=[(0, 4, "GPE", model), (25, 32, "NORP")],
                events=["ASSAULT"],
                quotes=[QUOTE],
            ),
            answer("d:1", "alice", spans=[(13, 20, "GPE")]),
            answer("d:2", "alice", spans=[(0, 11, "PERSON")]),
            answer("d:3", "alice"),
            answer("d:4", "alice", "ignore"),
            answer("c:0", "alice", spans=[(18, 22, "GPE")]),
        ],
    )
    bob = write(
        tmp_path / "bob.jsonl",
        [
            answer("d:0", "bob", spans=[(0, 4, "GPE"), (25, 39, "NORP")], events=["ASSAULT"], quotes=[QUOTE]),
            answer("d:1", "bob", "reject"),
            answer("d:2", "bob", spans=[(0, 11, "PERSON"), (26, 32, "DATE")]),
            answer("d:3", "bob", "ignore"),
            answer("d:4", "bob", "ignore"),
        ],
    )
    carol = write(
        tmp_path / "carol.jsonl",
        [
            answer("d:0", "carol", spans=[(0, 4, "GPE"), (25, 32, "NORP"), (13, 19, "DATE")], quotes=[QUOTE]),
            answer("d:1", "carol", "reject"),
        ],
    )
    return [alice, bob, carol]


def read(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_majority_items_states_and_ties(files, tmp_path):
    gold = tmp_path / "out" / "gold.jsonl"
    report = adjudicate(paths=files, output=gold)
    assert (report.tasks, report.answers) == (7, 14)
    assert (report.gold, report.rejected, report.ignored) == (3, 1, 1)
    assert report.ties == {"answer-tie": 1, "item-tie": 1}
    rows = read(gold)
    assert [r["meta"]["id"] for r in rows] == ["c:0", "d:0", "d:10"]  # by doc_id, then unit as a number
    d0 = rows[1]
    assert [(s["start"], s["end"], s["label"]) for s in d0["spans"]] == [(0, 4, "GPE"), (25, 32, "NORP")]
    assert [e["label"] for e in d0["events"]] == ["ASSAULT"]
    assert len(d0["quotes"]) == 1 and d0["quotes"][0]["speaker"] == {"start": 0, "end": 4}


def test_gold_records_carry_adjudication_provenance(files, tmp_path):
    gold = tmp_path / "gold.jsonl"
    adjudicate(paths=files, output=gold)
    d0 = read(gold)[1]
    assert d0["answer"] == "accept" and d0["_annotator_id"] == "adjudicated"
    assert "_session_id" not in d0 and "_timestamp" not in d0 and "_task_hash" not in d0
    assert d0["_input_hash"] == 123  # the input is the same for every annotator
    assert d0["meta"]["adjudication"] == {
        "annotators": ["alice", "bob", "carol"],
        "accepted_by": ["alice", "bob", "carol"],
        "method": "majority",
    }
    assert d0["meta"]["paragraph"] == 0
    # Sources stay the annotators': alice accepted the model's GPE; the NORP was hers.
    assert [s["source"] for s in d0["spans"]] == ["model:en_core_web_sm@3.8.0", "human:alice"]
    assert d0["events"][0]["source"] == "human:alice"
    assert record_from_dict(d0).annotator_id == "adjudicated"  # still a record


def test_ties_file_has_the_reason_and_every_version(files, tmp_path):
    gold = tmp_path / "gold.jsonl"
    report = adjudicate(paths=files, output=gold)
    assert report.ties_path == str(tmp_path / "gold.ties.jsonl") == str(default_ties_path(gold))
    ties = {row["id"]: row for row in read(tmp_path / "gold.ties.jsonl")}
    assert sorted(ties) == ["d:2", "d:3"]
    assert ties["d:2"]["reason"] == "item-tie"
    assert ties["d:2"]["tied"] == ["span DATE 26-32 'Friday' chosen by bob"]
    assert [v["_annotator_id"] for v in ties["d:2"]["versions"]] == ["alice", "bob"]
    assert ties["d:3"]["reason"] == "answer-tie" and ties["d:3"]["answers"] == {
        "alice": "accept",
        "bob": "ignore",
    }


def test_min_annotators_sends_thin_tasks_to_the_ties(files, tmp_path):
    ties = tmp_path / "people.jsonl"
    report = adjudicate(paths=files, output=tmp_path / "gold.jsonl", ties=ties, min_annotators=2)
    assert report.gold == 1 and report.ties == {"answer-tie": 1, "item-tie": 1, "too-few-annotators": 2}
    assert {r["id"] for r in read(ties) if r["reason"] == "too-few-annotators"} == {"c:0", "d:10"}


def test_majority_state_needs_a_unique_top():
    def answers(*states: str) -> dict[str, Answer]:
        record = Record(text="x")
        return {f"a{i}": Answer("t", f"a{i}", s, record, "f", i) for i, s in enumerate(states)}

    assert majority_state(answers("accept", "accept", "reject")) == "accept"
    assert majority_state(answers("accept", "reject", "ignore")) is None
    assert majority_state(answers("reject", "reject", "accept", "ignore")) == "reject"
    assert majority_state(answers("ignore")) == "ignore"


def test_output_is_deterministic_and_inputs_untouched(files, tmp_path):
    before = [hashlib.sha256(p.read_bytes()).hexdigest() for p in files]
    adjudicate(paths=files, output=tmp_path / "a.jsonl")
    adjudicate(paths=list(reversed(files)), output=tmp_path / "b.jsonl")
    assert (tmp_path / "a.jsonl").read_bytes() == (tmp_path / "b.jsonl").read_bytes()
    assert (tmp_path / "a.ties.jsonl").read_bytes() == (tmp_path / "b.ties.jsonl").read_bytes()
    assert before == [hashlib.sha256(p.read_bytes()).hexdigest() for p in files]


def test_refuses_to_overwrite_an_input_and_needs_ties_with_stdout(files):
    with pytest.raises(UsageError):
        adjudicate(paths=files, output=files[0])
    with pytest.raises(UsageError):
        adjudicate(paths=files, output=files[0].parent / "gold.jsonl", ties=files[1])
    with pytest.raises(UsageError):
        adjudicate(paths=files, output="-")
    with pytest.raises(UsageError):
        adjudicate(paths=files, output=files[0].parent / "g.jsonl", min_annotators=0)


runner = CliRunner()


def test_cli(files, tmp_path):
    gold = tmp_path / "gold.jsonl"
    result = runner.invoke(app, ["adjudicate", *map(str, files), "-o", str(gold)])
    assert result.exit_code == 0, result.output
    assert "14 answers to 7 tasks: 3 gold records" in result.stderr
    assert "1 rejected, 1 ignored, 2 ties (1 answer-tie, 1 item-tie)" in result.stderr
    assert len(read(gold)) == 3 and len(read(tmp_path / "gold.ties.jsonl")) == 2
    validated = runner.invoke(app, ["validate", str(gold)])
    assert validated.exit_code == 0, validated.output
    clash = runner.invoke(app, ["adjudicate", *map(str, files), "-o", str(files[0])])
    assert clash.exit_code == 2 and "inputs are never overwritten" in clash.stderr


def test_different_speaker_resolutions_are_a_tie(tmp_path):
    def resolved_to(annotator: str, record_id: str) -> dict:
        row = answer("d:0", annotator, quotes=[QUOTE])
        row["quotes"][0]["speaker_resolved"] = {"text": "Kyiv", "record_id": record_id, "label": "GPE"}
        return row

    same = [write(tmp_path / f"same-{a}.jsonl", [resolved_to(a, "d:0")]) for a in ("ann1", "ann2")]
    report = adjudicate(paths=same, output=tmp_path / "same.gold.jsonl")
    assert report.gold == 1 and not report.ties
    differ = [
        write(tmp_path / "ann1.jsonl", [resolved_to("ann1", "d:0")]),
        write(tmp_path / "ann2.jsonl", [resolved_to("ann2", "c:0")]),
    ]
    report = adjudicate(paths=differ, output=tmp_path / "gold.jsonl", ties=tmp_path / "ties.jsonl")
    assert report.ties == {"item-tie": 1}
    [tie] = [json.loads(line) for line in (tmp_path / "ties.jsonl").read_text(encoding="utf-8").splitlines()]
    assert (tie["id"], tie["reason"]) == ("d:0", "item-tie")
    resolutions = {v["quotes"][0]["speaker_resolved"]["record_id"] for v in tie["versions"]}
    assert resolutions == {"d:0", "c:0"}  # both readings are kept for the person who decides


def test_an_unknown_answer_is_refused_before_anything_is_written(files, tmp_path):
    # Two "maybe" answers would otherwise outvote one accept and make "maybe" the decision.
    maybes = [answer("d:10", name, "maybe") for name in ("dan", "eve")] + [answer("d:10", "fay")]
    extra = write(tmp_path / "maybe.jsonl", maybes)
    with pytest.raises(InputError) as info:
        adjudicate(paths=[*files, extra], output=tmp_path / "gold.jsonl")
    assert (info.value.path, info.value.line, info.value.rule) == (str(extra), 1, "answer-value")
    result = runner.invoke(
        app, ["adjudicate", *map(str, files), str(extra), "-o", str(tmp_path / "gold.jsonl")]
    )
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {extra}:1: [answer-value] answer 'maybe' is not one of accept,")
    assert len(result.stderr.splitlines()) == 1
    assert not (tmp_path / "gold.jsonl").exists() and not (tmp_path / "gold.ties.jsonl").exists()
