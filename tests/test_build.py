"""``toolkit build``: the chain on a project folder, idempotent reruns, a change asks for a new version."""

from __future__ import annotations

import copy
import re
import shutil
from pathlib import Path

import orjson
import pytest
from gold_records import seed_gold, write_jsonl
from typer.testing import CliRunner

from toolkit.build import BuildSettings, build, latest_previous, load_settings
from toolkit.cli import app
from toolkit.errors import InputError, OverwriteError


@pytest.fixture
def project(tmp_path, root, seed_path) -> Path:
    """A copy of the project's inputs: seeds/ and annotations/dataset.toml, no gold yet."""
    shutil.copytree(root / "seeds", tmp_path / "seeds")
    (tmp_path / "annotations").mkdir()
    settings = (root / "annotations" / "dataset.toml").read_text(encoding="utf-8")
    # Pinned to 0.1.0 here so the tests do not move with the shipped release number.
    settings = re.sub(r'(?m)^version = ".*"$', 'version = "0.1.0"', settings)
    (tmp_path / "annotations" / "dataset.toml").write_text(settings, encoding="utf-8")
    return tmp_path


def _add_gold(project: Path, seed_path: Path, records: list[dict] | None = None) -> Path:
    return write_jsonl(project / "annotations" / "gold" / "seed.jsonl", records or seed_gold(seed_path))


def _statuses(result) -> dict[str, str]:
    return {step.name: step.status for step in result.steps}


def test_settings_come_from_dataset_toml(project):
    settings = load_settings(project)
    assert settings.name == "ukraine-liveblog" and settings.group_by == "paragraph"
    assert settings.card["license"] == "other" and settings.card["license_text"].startswith("# Terms of use")
    assert load_settings(project / "elsewhere") == BuildSettings()
    toml = project / "annotations" / "dataset.toml"
    toml.write_text('name = "x"\nversoin = "1.0.0"\n')
    with pytest.raises(InputError, match="unknown keys versoin"):
        load_settings(project)
    toml.write_text('name = "x"\n[card]\nlicence = "cc-by-4.0"\n')
    with pytest.raises(InputError, match="unknown card keys licence"):
        load_settings(project)


def test_without_gold_it_converts_and_stops_with_a_note(project):
    result = build(root=project, benchmark=False)
    statuses = _statuses(result)
    assert statuses["convert"] == "done" and statuses["package"] == "skipped"
    assert (project / "annotations" / "tasks" / "seed.jsonl").is_file()
    assert result.dataset_dir is None and result.load_hint is None


@pytest.mark.slow
def test_build_packages_then_reruns_as_unchanged_then_asks_for_a_bump(project, seed_path):
    _add_gold(project, seed_path)
    first = build(root=project, benchmark=False)
    assert _statuses(first)["package"] == "done"
    release = project / "dist" / "ukraine-liveblog" / "0.1.0"
    assert first.dataset_dir == release
    assert first.load_hint == 'datasets.load_dataset("dist/ukraine-liveblog/0.1.0", "entities")'
    manifest = orjson.loads((release / "manifest.json").read_bytes())
    assert all(manifest["splits"][s]["records"] > 0 for s in ("train", "validation", "test"))

    second = build(root=project, benchmark=False)
    assert _statuses(second)["package"] == "unchanged"

    edited = seed_gold(seed_path)
    edited[0]["events"] = []
    _add_gold(project, seed_path, edited)
    with pytest.raises(OverwriteError) as caught:
        build(root=project, benchmark=False)
    assert "annotations/dataset.toml" in str(caught.value)

    settings = project / "annotations" / "dataset.toml"
    settings.write_text(settings.read_text().replace('version = "0.1.0"', 'version = "0.1.1"'))
    third = build(root=project, benchmark=False)
    assert "bound by 0.1.0" in third.steps[-2].detail
    newer = orjson.loads((project / "dist" / "ukraine-liveblog" / "0.1.1" / "manifest.json").read_bytes())
    assert newer["groups"] == manifest["groups"] and newer["changelog"][0]["changed"] == 1


def test_latest_previous_picks_the_highest_lower_version(tmp_path):
    for version in ("0.1.0", "0.2.0", "0.10.0", "1.0.0", ".0.3.0.abc.tmp"):
        (tmp_path / version).mkdir()
        (tmp_path / version / "manifest.json").write_text("{}")
    assert latest_previous(tmp_path, "0.11.0").name == "0.10.0"
    assert latest_previous(tmp_path, "0.1.0") is None
    assert latest_previous(tmp_path / "none", "1.0.0") is None


def test_cli_build_prints_the_steps_and_how_to_load(project, seed_path):
    _add_gold(project, seed_path)
    result = CliRunner().invoke(app, ["build", "--root", str(project), "--no-benchmark"])
    assert result.exit_code == 0, result.output
    assert "package: done" in result.stderr
    assert 'load it with: datasets.load_dataset("dist/ukraine-liveblog/0.1.0", "entities")' in result.stderr


def test_cli_build_shows_validation_findings(project, seed_path):
    records = copy.deepcopy(seed_gold(seed_path))
    records[2]["spans"][0]["label"] = "KITTEN"
    _add_gold(project, seed_path, records)
    result = CliRunner().invoke(app, ["build", "--root", str(project), "--no-benchmark"])
    assert result.exit_code == 1
    assert "seed.jsonl:3" in result.stderr and "KITTEN" in result.stderr


@pytest.mark.slow
def test_build_puts_the_baseline_scores_in_the_card_and_stays_reproducible(project, seed_path):
    from huggingface_hub import DatasetCard

    _add_gold(project, seed_path)
    result = build(root=project)
    assert _statuses(result)["benchmark"] == "done"
    report = orjson.loads((project / "reports" / "ukraine-liveblog-0.1.0" / "report.json").read_bytes())
    release = project / "dist" / "ukraine-liveblog" / "0.1.0"
    card = DatasetCard.load(release / "README.md")
    assert card.data.license == "other" and card.data.license_name and card.data.license_link == "LICENSE.md"
    for heading in ("## Uses", "## Bias, Risks, and Limitations", "#### Personal and Sensitive Information"):
        assert heading in card.text
    assert "```bibtex\n@misc{ukraine_liveblog_0_1_0," in card.text and "## Dataset Card Contact" in card.text
    baseline = next(s for s in report["systems"] if s["name"] == "baseline")
    value = baseline["headline"]["entities.strict.f1"]["value"]
    assert f"| `baseline` | entities.strict.f1 | {value:.3f} |" in card.text
    assert report["dataset"]["path"] == "dist/ukraine-liveblog/0.1.0"
    assert (
        orjson.loads((release / "manifest.json").read_bytes())["baselines"]["records"]
        == report["dataset"]["records"]
    )
    assert sorted(p.name for p in (project / "reports").iterdir()) == [
        "ukraine-liveblog-0.1.0"
    ]  # no stray temp

    again = build(root=project)  # benchmarks the unsealed copy again: the same scores, the same bytes
    assert _statuses(again)["package"] == "unchanged" and _statuses(again)["benchmark"] == "unchanged"
    unscored = build(root=project, benchmark=False)  # reuses the manifest's scores, so still identical
    assert _statuses(unscored)["package"] == "unchanged"


def test_paths_in_outputs_are_relative_to_the_project(project, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path.parent)  # run from elsewhere: the outputs must not say where
    build(root=project, benchmark=False)
    first = orjson.loads((project / "annotations" / "tasks" / "seed.jsonl").read_bytes().splitlines()[0])
    assert first["meta"]["source"] == "seeds/000_0e2087f0584c9a21.txt"
