"""train-curve: nested shares of the train split, scored on validation as toolkit train scores, the table,
the files, and the CLI."""

from __future__ import annotations

import orjson
import pytest
import spacy
from spacy.tokens import DocBin
from typer.testing import CliRunner

from toolkit.cli import app
from toolkit.errors import UsageError
from toolkit.options import TrainOptions
from toolkit.training.curve import _ordered_subset, curve_table, parse_shares, train_curve
from toolkit.training.train import train_pipeline

# Each test trains spaCy pipelines for an epoch or more: seconds each.
pytestmark = pytest.mark.slow

runner = CliRunner()


def test_shares_are_percentages_increasing_up_to_100():
    assert parse_shares("25,50,75,100") == (0.25, 0.5, 0.75, 1.0)
    assert parse_shares(None) == (0.25, 0.5, 0.75, 1.0)
    for bad in ("50,25", "0,50", "50,150", "half", "", "50,50"):
        with pytest.raises(UsageError, match="--shares"):
            parse_shares(bad)


def test_shares_are_nested_and_keep_the_split_order(seed_release, tmp_path):
    folder = seed_release / "spacy" / "train"
    ids = {}
    for share in (0.25, 0.5, 1.0):
        path = _ordered_subset(folder, tmp_path, share=share, seed=0)
        ids[share] = [d.user_data["id"] for d in DocBin().from_disk(path).get_docs(spacy.blank("en").vocab)]
    assert [len(ids[s]) for s in (0.25, 0.5, 1.0)] == [6, 11, 21]
    assert set(ids[0.25]) < set(ids[0.5]) < set(ids[1.0])
    whole = ids[1.0]
    assert ids[0.5] == sorted(ids[0.5], key=whole.index)


def test_the_full_share_scores_what_toolkit_train_scores(seed_release, tmp_path):
    curve = train_curve(
        dataset_dir=seed_release,
        options=TrainOptions(tasks=("events",), epochs=1),
        shares="50,100",
        output_dir=tmp_path / "c",
    )
    assert [(p.share, p.train_docs) for p in curve.points] == [(0.5, 11), (1.0, 21)]
    alone = train_pipeline(
        dataset_dir=seed_release,
        output_dir=tmp_path / "m",
        options=TrainOptions(tasks=("events",), epochs=1, min_f1=0),
    )
    assert curve.points[-1].scores == alone.validation
    assert sorted(p.name for p in (tmp_path / "c").iterdir()) == ["curve.json", "curve.md", "curve.png"]
    saved = orjson.loads((tmp_path / "c" / "curve.json").read_bytes())
    assert [p["train_docs"] for p in saved["points"]] == [11, 21]
    assert saved["dataset"]["name"] == "ukraine-liveblog" and saved["split"] == "validation"
    table = curve_table(curve).splitlines()
    assert table[0].split() == [
        "train",
        "share",
        "train",
        "docs",
        "events",
        "micro",
        "F1",
        "events",
        "macro",
        "F1",
    ]
    assert table[1].split()[:2] == ["50%", "11"] and table[2].split()[:2] == ["100%", "21"]


def test_cli_prints_the_table_in_the_asked_format(seed_release):
    argv = ["train-curve", str(seed_release), "--tasks", "events", "--epochs", "1", "--shares", "100"]
    text = runner.invoke(app, argv)
    assert text.exit_code == 0, text.output
    assert text.stdout.startswith("ukraine-liveblog 1.1.0: scores on the validation split (11 docs)")
    assert "events micro F1" in text.stdout and "100%" in text.stdout
    markdown = runner.invoke(app, [*argv, "--format", "markdown"])
    assert "| train share | train docs | events micro F1 | events macro F1 |" in markdown.stdout
    as_json = runner.invoke(app, [*argv, "--format", "json"])
    assert orjson.loads(as_json.stdout)["points"][0]["train_docs"] == 21
    bad = runner.invoke(app, [*argv, "--format", "xml"])
    assert bad.exit_code == 2 and len(bad.stderr.splitlines()) == 1
