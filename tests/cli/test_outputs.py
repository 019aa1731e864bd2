"""No command writes over one of its inputs: the cases the issue found, by name; every command's --help; a
bad command line is one line too."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from toolkit.cli import app

runner = CliRunner()
TEXT = "The mayor of Riverton said on Tuesday that the bridge would reopen. Police arrested two men."


def record(unit: int, text: str, **extra) -> dict:
    return {"text": text, "meta": {"id": f"riverton:{unit}", "doc_id": "riverton", "unit": unit}, **extra}


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Records, two annotators' passes and a Prodigy answer file, written by hand."""
    monkeypatch.chdir(tmp_path)
    sentences = [TEXT[:68], TEXT[69:]]
    rows = [record(i, s) for i, s in enumerate(sentences)]
    Path("pre.jsonl").write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in rows))
    for who in ("a", "b"):
        passes = [{**r, "answer": "accept", "_annotator_id": who} for r in rows]
        Path(f"{who}.jsonl").write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in passes))
    answers = [{**r, "answer": "accept", "_annotator_id": "news-a", "spans": []} for r in rows]
    Path("answers.jsonl").write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in answers))
    Path("doc.txt").write_text(TEXT + "\n", encoding="utf-8")
    return tmp_path


def digest(path: str) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def refused(argv: list[str], *protected: str) -> str:
    """Run ``argv``; it must exit 2 with one line and leave every protected file byte for byte as it was."""
    before = {p: digest(p) for p in protected}
    listing = sorted(os.listdir("."))
    result = runner.invoke(app, argv)
    assert result.exit_code == 2, result.output
    assert len(result.stderr.splitlines()) == 1 and result.stderr.startswith("error: "), result.stderr
    assert {p: digest(p) for p in protected} == before
    assert sorted(os.listdir(".")) == listing  # nothing new either, not even a temporary file
    return result.stderr


def test_show_html_onto_its_input(project):
    assert "--html pre.jsonl is the input pre.jsonl" in refused(
        ["show", "pre.jsonl", "--html", "pre.jsonl"], "pre.jsonl"
    )


@pytest.mark.parametrize("tool", ["prodigy", "labelstudio", "doccano"])
def test_export_onto_its_input(project, tool):
    assert "-o pre.jsonl is the input" in refused(
        ["export", tool, "pre.jsonl", "-o", "pre.jsonl"], "pre.jsonl"
    )


def test_label_studio_config_beside_the_output_onto_an_input(project):
    Path("tasks.config.xml").write_bytes(Path("pre.jsonl").read_bytes())
    message = refused(["export", "labelstudio", "tasks.config.xml", "-o", "tasks.json"], "tasks.config.xml")
    assert "tasks.config.xml" in message


@pytest.mark.parametrize("tool", ["prodigy", "doccano"])
def test_import_onto_into(project, tool):
    message = refused(
        ["import", tool, "answers.jsonl", "-o", "pre.jsonl", "--into", "pre.jsonl"], "pre.jsonl"
    )
    assert "-o pre.jsonl is the input pre.jsonl" in message


def test_segment_onto_its_input(project):
    refused(["segment", "doc.txt", "-o", "doc.txt"], "doc.txt")


def test_adjudicate_ties_onto_a_pass_or_onto_the_gold(project):
    message = refused(
        ["adjudicate", "a.jsonl", "b.jsonl", "-o", "gold.jsonl", "--ties", "a.jsonl"], "a.jsonl"
    )
    assert "--ties a.jsonl is the input a.jsonl" in message
    message = refused(["adjudicate", "a.jsonl", "b.jsonl", "-o", "gold.jsonl", "--ties", "gold.jsonl"])
    assert "-o gold.jsonl and --ties gold.jsonl are the same file" in message


def test_a_link_to_an_input_counts_as_the_input(project):
    Path("soft.jsonl").symlink_to("pre.jsonl")
    os.link("pre.jsonl", "hard.jsonl")
    refused(["preannotate", "pre.jsonl", "-o", "soft.jsonl"], "pre.jsonl")
    refused(["convert", "pre.jsonl", "-o", "hard.jsonl"], "pre.jsonl")


def test_the_check_comes_before_any_reading(project):
    # The input is not even valid JSON: the overwrite is what gets reported, and nothing is read or written.
    Path("pre.jsonl").write_bytes(b"{not json\n")
    assert "is the input" in refused(["export", "prodigy", "pre.jsonl", "-o", "pre.jsonl"], "pre.jsonl")


def test_a_good_run_still_writes(project):
    result = runner.invoke(app, ["adjudicate", "a.jsonl", "b.jsonl", "-o", "gold.jsonl", "--quiet"])
    assert result.exit_code == 0, result.output
    assert len(Path("gold.jsonl").read_bytes().splitlines()) == 2 and Path("gold.ties.jsonl").exists()


COMMANDS = [
    [],
    ["convert"],
    ["preannotate"],
    ["segment"],
    ["validate"],
    ["agree"],
    ["adjudicate"],
    ["show"],
    ["export"],
    ["export", "prodigy"],
    ["export", "labelstudio"],
    ["export", "doccano"],
    ["import"],
    ["import", "prodigy"],
    ["import", "labelstudio"],
    ["import", "doccano"],
    ["package"],
    ["verify"],
    ["benchmark"],
    ["build"],
    ["train"],
    ["train-curve"],
    ["effort"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "toolkit")
def test_every_help_works(command):
    result = runner.invoke(app, [*command, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage: toolkit" in result.stdout and "Traceback" not in result.output


def test_a_bad_command_line_is_one_line_naming_the_command():
    result = runner.invoke(app, ["preannotate", "in.jsonl", "-o", "out.jsonl", "--n-process", "0"])
    assert result.exit_code == 2
    assert result.stderr.startswith("error: toolkit preannotate: Invalid value for '--n-process'")
    assert result.stderr.rstrip().endswith("(see toolkit preannotate --help)")
    assert len(result.stderr.splitlines()) == 1
    missing = runner.invoke(app, ["convert", "doc.txt"])
    assert missing.exit_code == 2 and "Missing option '--output'" in missing.stderr
    assert runner.invoke(app, ["no-such-command"]).stderr.startswith("error: toolkit: No such command")


def test_no_arguments_shows_the_help():
    result = runner.invoke(app, [])
    assert result.exit_code == 2 and "Usage: toolkit" in result.output
