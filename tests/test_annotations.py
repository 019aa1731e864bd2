"""The shipped annotations stay reproducible: tasks, pre-annotations, passes and gold rebuild exactly."""

from __future__ import annotations

import subprocess
import sys

import pytest
from typer.testing import CliRunner

from toolkit.cli import app
from toolkit.convert.run import convert
from toolkit.options import ValidateOptions
from toolkit.preannotate.run import preannotate
from toolkit.review.adjudicate import adjudicate
from toolkit.review.validate import validate

PASSES = ("annotator-a", "annotator-b")
EFFORT = ("effort", "annotations/pre/seed.as-annotated.jsonl", "annotations/gold/seed.jsonl")
EFFORT_START = f"<!-- toolkit {' '.join(EFFORT)} -->\n"
EFFORT_END = "<!-- end of toolkit effort output -->"


def run_script(root, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *args], cwd=root, capture_output=True, text=True, timeout=120, check=False
    )


def test_tasks_and_pre_annotations_are_what_the_toolkit_makes_today(root, tmp_path, monkeypatch):
    monkeypatch.chdir(root)  # meta.source is the path as given, relative to the project
    convert(sources=["seeds"], output=tmp_path / "tasks.jsonl")
    assert (tmp_path / "tasks.jsonl").read_bytes() == (root / "annotations/tasks/seed.jsonl").read_bytes()
    preannotate(input=tmp_path / "tasks.jsonl", output=tmp_path / "pre.jsonl")
    assert (tmp_path / "pre.jsonl").read_bytes() == (root / "annotations/pre/seed.jsonl").read_bytes()


@pytest.mark.parametrize("annotator", PASSES)
def test_each_pass_is_built_from_its_authoring_file(root, annotator):
    done = run_script(
        root,
        "annotations/scripts/build_pass.py",
        f"annotations/src/{annotator}.yaml",
        "--tasks",
        "annotations/tasks/seed.jsonl",
        "-o",
        f"annotations/passes/{annotator}.jsonl",
        "--check",
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_gold_is_the_adjudicated_passes_with_the_recorded_decisions(root, tmp_path):
    passes = [str(root / f"annotations/passes/{a}.jsonl") for a in PASSES]
    adjudicate(paths=passes, output=tmp_path / "gold.jsonl", ties=tmp_path / "ties.jsonl")
    done = run_script(
        root,
        "annotations/scripts/apply_adjudication.py",
        "annotations/adjudication.yaml",
        "--passes",
        *passes,
        "--gold",
        str(tmp_path / "gold.jsonl"),
        "--ties",
        str(tmp_path / "ties.jsonl"),
        "-o",
        str(tmp_path / "final.jsonl"),
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert (tmp_path / "final.jsonl").read_bytes() == (root / "annotations/gold/seed.jsonl").read_bytes()


def test_a_revision_that_changes_nothing_fails_the_run(root, tmp_path):
    """A revision already in the gold (here: the recorded one, listed twice) is stale and stops the run."""
    passes = [str(root / f"annotations/passes/{a}.jsonl") for a in PASSES]
    adjudicate(paths=passes, output=tmp_path / "gold.jsonl", ties=tmp_path / "ties.jsonl")
    decisions = (root / "annotations/adjudication.yaml").read_text(encoding="utf-8")
    revision = decisions[decisions.index("  - join:") :]
    (tmp_path / "twice.yaml").write_text(decisions + revision, encoding="utf-8")
    done = run_script(
        root,
        "annotations/scripts/apply_adjudication.py",
        str(tmp_path / "twice.yaml"),
        "--passes",
        *passes,
        "--gold",
        str(tmp_path / "gold.jsonl"),
        "--ties",
        str(tmp_path / "ties.jsonl"),
        "-o",
        str(tmp_path / "final.jsonl"),
    )
    assert done.returncode == 1
    assert "revision join: no quote with id 000_0e2087f0584c9a21:20:q0" in done.stderr
    assert not (tmp_path / "final.jsonl").exists()


def test_gold_and_passes_validate_strictly(root):
    files = [root / "annotations/gold/seed.jsonl", *(root / f"annotations/passes/{a}.jsonl" for a in PASSES)]
    report = validate(paths=[str(f) for f in files], options=ValidateOptions(strict=True, source_dir=root))
    assert report.ok and report.counts.get("error", 0) == 0 and report.counts.get("warning", 0) == 0
    assert report.records == 108


def test_the_correction_counts_in_the_readme_are_what_toolkit_effort_prints(root, monkeypatch):
    readme = (root / "annotations" / "README.md").read_text(encoding="utf-8")
    shown = readme.split(EFFORT_START, 1)[1].split(EFFORT_END, 1)[0]
    monkeypatch.chdir(root)
    result = CliRunner().invoke(app, list(EFFORT))
    assert result.exit_code == 0, result.output
    assert result.stdout == shown
