"""A unit longer than spaCy's max_length: preannotate refuses it at its line (or skips it with
--skip-invalid); convert and effort, which run no parser or NER, take it."""

from __future__ import annotations

from pathlib import Path

import orjson
from typer.testing import CliRunner

from toolkit.cli import app
from toolkit.preannotate.run import MAX_UNIT_CHARS

runner = CliRunner()
LONG = "word " * (MAX_UNIT_CHARS // 5 + 10)  # no sentence end: one unit


def records(path: Path, *rows: dict) -> Path:
    path.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in rows))
    return path


def row(unit: int, text: str, **extra) -> dict:
    return {"text": text, "meta": {"id": f"doc:{unit}", "doc_id": "doc", "unit": unit}, **extra}


def test_preannotate_names_the_file_line_and_rule_and_writes_nothing(tmp_path):
    source = records(tmp_path / "tasks.jsonl", row(0, "The mayor spoke on Monday."), row(1, LONG))
    out = tmp_path / "pre.jsonl"
    result = runner.invoke(app, ["preannotate", str(source), "-o", str(out), "-t", "entities"])
    assert result.exit_code == 2
    assert result.stderr.startswith(
        f"error: {source}:2: [unit-too-long] record doc:1: {len(LONG):,} characters"
    )
    assert len(result.stderr.splitlines()) == 1 and not out.exists()


def test_preannotate_skip_invalid_skips_and_counts_the_long_unit(tmp_path):
    source = records(
        tmp_path / "tasks.jsonl", row(0, "The mayor spoke on Monday."), row(1, LONG), row(2, "Police came.")
    )
    out = tmp_path / "pre.jsonl"
    result = runner.invoke(
        app, ["preannotate", str(source), "-o", str(out), "-t", "entities", "--skip-invalid"]
    )
    assert result.exit_code == 0, result.output
    assert [orjson.loads(line)["meta"]["id"] for line in out.read_bytes().splitlines()] == ["doc:0", "doc:2"]
    assert "1 lines skipped" in result.stderr


def test_convert_tokenizes_a_long_unit(tmp_path):
    source = tmp_path / "long.txt"
    source.write_text(LONG, encoding="utf-8")
    out = tmp_path / "tasks.jsonl"
    result = runner.invoke(app, ["convert", str(source), "-o", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    [record] = [orjson.loads(line) for line in out.read_bytes().splitlines()]
    assert len(record["tokens"]) == MAX_UNIT_CHARS // 5 + 10


def test_effort_counts_the_edits_of_a_long_unit(tmp_path):
    pre = records(tmp_path / "pre.jsonl", row(0, "Police came."), row(1, LONG))
    answer = row(1, LONG, answer="accept", spans=[{"start": 0, "end": 4, "label": "ORG"}])
    answers = records(tmp_path / "answers.jsonl", answer)
    result = runner.invoke(app, ["effort", str(pre), str(answers), "--format", "json"])
    assert result.exit_code == 0, result.output
    report = orjson.loads(result.stdout)
    assert report["compared"] == 1 and report["by_task"]["entities"]["total"]["added"] == 1
    assert report["words"] == MAX_UNIT_CHARS // 5 + 10


def test_a_sharded_run_names_the_shard_and_line_and_skips_with_skip_invalid(tmp_path):
    shards = tmp_path / "shards"
    shards.mkdir()
    records(shards / "a.jsonl", row(0, "The mayor spoke on Monday."))
    records(shards / "b.jsonl", row(1, "Police came."), row(2, LONG))
    out = tmp_path / "out"
    argv = ["preannotate", str(shards), "-o", f"{out}/", "-t", "entities"]
    result = runner.invoke(app, argv)
    assert result.exit_code == 2 and f"{shards / 'b.jsonl'}:2: [unit-too-long]" in result.stderr
    result = runner.invoke(app, [*argv, "--skip-invalid"])
    assert result.exit_code == 0, result.output
    assert [orjson.loads(line)["meta"]["id"] for line in (out / "b.jsonl").read_bytes().splitlines()] == [
        "doc:1"
    ]
