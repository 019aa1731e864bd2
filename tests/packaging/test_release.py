"""Packaging: loadable configs with exact features, stable leak-free splits, immutable identical rebuilds."""

from __future__ import annotations

import copy
from pathlib import Path

import orjson
import pytest
from gold_records import seed_gold, synthetic_documents, write_jsonl
from typer.testing import CliRunner

from toolkit.cli import app
from toolkit.errors import InputError, OverwriteError, UsageError
from toolkit.labels import ONTONOTES_LABELS
from toolkit.options import PackageOptions, ValidateOptions
from toolkit.packaging.configs import CONFIG_NAMES, DatasetLabels, EntityScheme, features
from toolkit.packaging.release import package_dataset, read_split_records, same_tree
from toolkit.packaging.splits import split_of, unit_interval
from toolkit.record import record_from_dict

ONTONOTES = DatasetLabels(entities=EntityScheme("ontonotes", ONTONOTES_LABELS))


@pytest.fixture
def offline(monkeypatch):
    """No network: datasets and huggingface_hub read these flags when they load."""
    import datasets.config
    import huggingface_hub.constants

    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setattr(datasets.config, "HF_HUB_OFFLINE", True)
    monkeypatch.setattr(datasets.config, "HF_DATASETS_OFFLINE", True)
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True)


@pytest.fixture(scope="module")
def seed_file(tmp_path_factory, seed_path) -> Path:
    return write_jsonl(tmp_path_factory.mktemp("gold") / "seed.jsonl", seed_gold(seed_path))


@pytest.fixture(scope="module")
def seed_release(tmp_path_factory, seed_file, root):
    """The shipped live blog packaged as the build packages it (validated, by paragraph, with DocBins)."""
    return package_dataset(
        inputs=[seed_file],
        name="ukraine-liveblog",
        version="0.1.0",
        output_dir=tmp_path_factory.mktemp("dist"),
        options=PackageOptions(group_by="paragraph", source_dir=root, date="2024-01-02"),
    )


def _manifest(folder: Path) -> dict:
    return orjson.loads((folder / "manifest.json").read_bytes())


def _package(
    tmp_path: Path,
    records: list[dict],
    *,
    version: str = "0.1.0",
    name: str = "news",
    previous: Path | None = None,
    if_exists: str = "error",
    **options,
):
    gold = write_jsonl(tmp_path / f"gold-{version}.jsonl", records)
    options.setdefault("validate", False)
    options.setdefault("spacy", False)
    return package_dataset(
        inputs=[gold],
        name=name,
        version=version,
        output_dir=tmp_path / "dist",
        previous=previous,
        if_exists=if_exists,
        options=PackageOptions(**options),
    )


def test_seed_release_has_train_validation_and_test(seed_release):
    assert seed_release.status == "written"
    assert list(seed_release.splits) == ["train", "validation", "test"]
    assert all(counts["records"] > 0 for counts in seed_release.splits.values())
    manifest = _manifest(seed_release.dataset_dir)
    assert manifest["split_method"]["group_by"] == "paragraph"
    assert manifest["records"]["packaged"] == 35 and manifest["labels_file"]["version"]
    assert {f.split("/")[0] for f in manifest["files"]} == {"README.md", "data", "label_counts.png", "spacy"}


def test_every_config_loads_offline_with_declared_features_and_counts(seed_release, tmp_path, offline):
    from datasets import load_dataset

    manifest = _manifest(seed_release.dataset_dir)
    for config in CONFIG_NAMES:
        loaded = load_dataset(str(seed_release.dataset_dir), config, cache_dir=str(tmp_path / "cache"))
        for split, info in manifest["configs"][config]["splits"].items():
            assert loaded[split].features == features(config, ONTONOTES)
            assert loaded[split].num_rows == info["num_examples"] == manifest["splits"][split]["records"]
    default = load_dataset(str(seed_release.dataset_dir), cache_dir=str(tmp_path / "cache"))
    assert default["train"].features["ner_tags"].feature.names[:3] == ["O", "B-CARDINAL", "I-CARDINAL"]


def test_a_data_files_load_keeps_class_labels(seed_release, tmp_path, offline):
    from datasets import ClassLabel, load_dataset

    path = seed_release.dataset_dir / "data" / "entities" / "train.parquet"
    loaded = load_dataset("parquet", data_files={"train": str(path)}, cache_dir=str(tmp_path / "cache"))
    assert isinstance(loaded["train"].features["ner_tags"].feature, ClassLabel)
    assert loaded["train"].features["entities"].feature["label"].names == list(ONTONOTES_LABELS)


def test_read_split_records_gives_back_the_gold_records(seed_release, seed_file):
    gold = [record_from_dict(orjson.loads(line)) for line in seed_file.read_bytes().splitlines()]
    packaged = [
        r for split in seed_release.splits for r in read_split_records(seed_release.dataset_dir, split)
    ]
    assert sorted(packaged, key=lambda r: r.meta.unit) == gold


def test_card_has_hub_metadata_and_the_chart(seed_release):
    from toolkit.packaging.card import read_front_matter

    card_text = (seed_release.dataset_dir / "README.md").read_text()
    card = read_front_matter(card_text)
    assert [c["config_name"] for c in card["configs"]] == list(CONFIG_NAMES)
    assert card["configs"][0]["default"] is True
    for key in (
        "license",
        "language",
        "task_categories",
        "task_ids",
        "size_categories",
        "annotations_creators",
        "source_datasets",
        "pretty_name",
        "tags",
    ):
        assert card[key]
    assert "![Label counts per split](label_counts.png)" in card_text
    assert "Released 2024-01-02." in card_text and "First release: 35 records." in card_text
    assert (seed_release.dataset_dir / "label_counts.png").read_bytes()[:4] == b"\x89PNG"


def test_a_rebuild_is_byte_identical(seed_release, seed_file, root, tmp_path):
    again = package_dataset(
        inputs=[seed_file],
        name="ukraine-liveblog",
        version="0.1.0",
        output_dir=tmp_path,
        options=PackageOptions(group_by="paragraph", source_dir=root, date="2024-01-02"),
    )
    assert same_tree(seed_release.dataset_dir, again.dataset_dir) == []


def test_an_existing_version_is_never_written_into(seed_release, seed_file):
    before = {p: p.read_bytes() for p in seed_release.dataset_dir.rglob("*") if p.is_file()}
    with pytest.raises(OverwriteError, match="never overwritten"):
        package_dataset(
            inputs=[seed_file],
            name="ukraine-liveblog",
            version="0.1.0",
            output_dir=seed_release.dataset_dir.parent.parent,
            options=PackageOptions(group_by="paragraph", validate=False),
        )
    assert {p: p.read_bytes() for p in seed_release.dataset_dir.rglob("*") if p.is_file()} == before
    assert [p.name for p in seed_release.dataset_dir.parent.iterdir()] == [
        "0.1.0"
    ]  # no temporary folder left


def test_compare_mode_accepts_identical_and_refuses_different(tmp_path):
    records = synthetic_documents(12)
    first = _package(tmp_path, records)
    same = _package(tmp_path, records, if_exists="compare")
    assert (first.status, same.status) == ("written", "unchanged")
    changed = copy.deepcopy(records)
    changed[0]["spans"] = []
    with pytest.raises(OverwriteError, match="bump the version"):
        _package(tmp_path, changed, if_exists="compare")


def test_splits_stay_put_when_documents_are_added(tmp_path):
    old = synthetic_documents(40)
    first = _package(tmp_path, old)
    assert first.repairs == []
    second = _package(
        tmp_path, old + synthetic_documents(40, first=40), version="0.2.0", previous=first.dataset_dir
    )
    before, after = _manifest(first.dataset_dir)["groups"], _manifest(second.dataset_dir)["groups"]
    assert len(after) == 80
    assert all(after[group] == split for group, split in before.items())
    unbound = _package(tmp_path, old + synthetic_documents(40, first=40), version="0.2.0", name="fresh")
    assert all(_manifest(unbound.dataset_dir)["groups"][g] == s for g, s in before.items())


def test_previous_assignment_binds_a_test_group_forever(tmp_path):
    records = synthetic_documents(20)
    first = _package(tmp_path, records)
    manifest = _manifest(first.dataset_dir)
    train_group = next(g for g, s in manifest["groups"].items() if s == "train")
    manifest["groups"][train_group] = "test"  # as if an older hash or a repair had put it there
    (first.dataset_dir / "manifest.json").write_bytes(orjson.dumps(manifest))
    second = _package(tmp_path, records, version="0.1.1", previous=first.dataset_dir)
    assert _manifest(second.dataset_dir)["groups"][train_group] == "test"


def test_near_duplicate_documents_land_in_one_split(tmp_path):
    records = synthetic_documents(30)
    original = [r for r in records if r["meta"]["doc_id"] == "doc-0005"]
    home = split_of(unit_interval("doc-0005", 0), {"train": 0.8, "validation": 0.1, "test": 0.1})
    copy_id = next(
        f"copy-{i}"
        for i in range(1000)
        if split_of(unit_interval(f"copy-{i}", 0), {"train": 0.8, "validation": 0.1, "test": 0.1}) != home
    )
    duplicate = copy.deepcopy(original)
    for record in duplicate:
        record["meta"]["doc_id"] = copy_id
        record["meta"]["id"] = f"{copy_id}:{record['meta']['unit']}"
    result = _package(tmp_path, records + duplicate)
    manifest = _manifest(result.dataset_dir)
    assert manifest["near_duplicates"]["clusters"] == [sorted(["doc-0005", copy_id])]
    assert manifest["groups"][copy_id] == manifest["groups"]["doc-0005"]
    assert (
        f"doc-0005, {copy_id}" in (result.dataset_dir / "README.md").read_text()
        or f"{copy_id}, doc-0005" in (result.dataset_dir / "README.md").read_text()
    )


def test_several_annotators_per_record_are_refused(tmp_path):
    records = synthetic_documents(3)
    second = copy.deepcopy(records[4])
    second["_annotator_id"] = "ann2"
    with pytest.raises(InputError) as caught:
        _package(tmp_path, [*records, second])
    assert caught.value.rule == "several-annotations" and caught.value.line == len(records) + 1


def test_rejected_and_ignored_answers_are_not_packaged(tmp_path):
    records = synthetic_documents(5)
    records[0]["answer"] = "reject"
    records[1]["answer"] = "ignore"
    result = _package(tmp_path, records)
    assert result.records == len(records) - 2
    assert result.skipped == {"reject": 1, "ignore": 1}


def test_label_set_change_needs_a_minor_bump(tmp_path):
    records = synthetic_documents(10)
    first = _package(tmp_path, records)
    conll = copy.deepcopy(records)
    for record in conll:
        for span in record["spans"]:
            span["label"] = "LOC"
        record["spans"] = [s for s in record["spans"] if s["label"] == "LOC"]
    with pytest.raises(UsageError, match="label set changed"):
        _package(tmp_path, conll, version="0.1.1", previous=first.dataset_dir, entity_scheme="conll")
    second = _package(tmp_path, conll, version="0.2.0", previous=first.dataset_dir, entity_scheme="conll")
    entry = _manifest(second.dataset_dir)["changelog"][0]
    assert "entities" in entry["label_set_changed"]
    with pytest.raises(UsageError, match="must be above"):
        _package(tmp_path, records, version="0.0.9", previous=first.dataset_dir)


def test_changelog_counts_added_removed_and_changed_records(tmp_path):
    records = synthetic_documents(10)
    first = _package(tmp_path, records)
    newer = copy.deepcopy(records[2:]) + synthetic_documents(1, first=10)
    newer[0]["events"] = []
    second = _package(tmp_path, newer, version="0.2.0", previous=first.dataset_dir)
    entry = _manifest(second.dataset_dir)["changelog"][0]
    removed_ids = sorted(r["meta"]["id"] for r in records[:2])
    assert (entry["added"], entry["removed"], entry["changed"]) == (6, 2, int(bool(records[2]["events"])))
    assert entry["examples"]["removed"] == removed_ids
    assert [e["version"] for e in _manifest(second.dataset_dir)["changelog"]] == ["0.2.0", "0.1.0"]
    assert "Against 0.1.0: 6 records added, 2 removed" in (second.dataset_dir / "README.md").read_text()


def test_group_by_a_meta_field(tmp_path):
    records = synthetic_documents(6)
    for record in records:
        record["meta"]["story"] = "s" + str(record["meta"]["unit"] % 2)
    result = _package(tmp_path, records, group_by="story")
    assert set(_manifest(result.dataset_dir)["groups"]) == {"story=s0", "story=s1"}
    records[0]["meta"].pop("story")
    with pytest.raises(InputError, match="--group-by story"):
        _package(tmp_path, records, version="0.1.1", group_by="story")


def test_a_record_arrow_cannot_hold_is_located(tmp_path):
    records = synthetic_documents(2)
    records[3]["_input_hash"] = 987654321
    gold = write_jsonl(tmp_path / "gold.jsonl", records)
    gold.write_bytes(gold.read_bytes().replace(b"987654321", str(2**70).encode()))  # beyond int64
    with pytest.raises(InputError) as caught:
        package_dataset(
            inputs=[gold],
            name="n",
            version="0.1.0",
            output_dir=tmp_path,
            options=PackageOptions(validate=False),
        )
    assert caught.value.line == 4 and caught.value.rule == "record-types"


runner = CliRunner()


def test_cli_package_and_verify(seed_file, root, tmp_path):
    result = runner.invoke(
        app,
        [
            "package",
            str(seed_file),
            "--name",
            "blog",
            "--version",
            "1.0.0",
            "-o",
            str(tmp_path),
            "--group-by",
            "paragraph",
            "--source-dir",
            str(root),
            "--no-spacy",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "package: 35 records (train" in result.stderr
    assert not (tmp_path / "blog" / "1.0.0" / "spacy").exists()
    verified = runner.invoke(app, ["verify", str(tmp_path / "blog" / "1.0.0")])
    assert verified.exit_code == 0 and "0 problems" in verified.stderr
    again = runner.invoke(
        app, ["package", str(seed_file), "--name", "blog", "--version", "1.0.0", "-o", str(tmp_path)]
    )
    assert again.exit_code == 2 and "never overwritten" in again.stderr


def test_cli_shows_the_validation_report_and_exits_1(tmp_path):
    records = synthetic_documents(2)
    records[1]["spans"][0]["label"] = "KITTEN"
    records[1]["events"] = [{"label": "PARTY"}]
    gold = write_jsonl(tmp_path / "bad.jsonl", records)
    result = runner.invoke(
        app, ["package", str(gold), "--name", "x", "--version", "0.1.0", "-o", str(tmp_path / "d")]
    )
    assert result.exit_code == 1
    assert "bad.jsonl:2" in result.stderr and "failed validation" in result.stderr
    assert not (tmp_path / "d" / "x" / "0.1.0").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-", "--name", "x", "--version", "0.1.0"], "give files, not -"),
        (["missing.jsonl", "--name", "x", "--version", "0.1.0"], "no such file"),
        (["{gold}", "--name", "x", "--version", "1.0"], "semantic version"),
        (["{gold}", "--name", "x", "--version", "0.1.0", "--splits", "0.5,0.5"], "3 ratios"),
        (["{gold}", "--name", "bad name", "--version", "0.1.0"], "--name"),
        (["{gold}", "--name", "x", "--version", "0.1.0", "--license", "CC-BY-4.0"], "not a licence id"),
        (["{gold}", "--name", "x", "--version", "0.1.0", "--license", "other"], "needs --license-name"),
        (["{gold}", "--name", "x", "--version", "0.1.0", "--date", "2024-02-30"], "ISO date"),
        (["{gold}", "--name", "x", "--version", "0.1.0", "--card", "missing.toml"], "no such file"),
    ],
)
def test_cli_bad_usage_exits_2_with_one_line(tmp_path, args, message):
    gold = write_jsonl(tmp_path / "gold.jsonl", synthetic_documents(1))
    argv = ["package", *[a.replace("{gold}", str(gold)) for a in args], "-o", str(tmp_path / "dist")]
    result = runner.invoke(app, argv)
    assert result.exit_code == 2
    assert message in result.stderr and "Traceback" not in result.output


CONLL = """-DOCSTART- -X- -X- O

Kyiv NNP B-NP B-LOC
said VBD B-VP O
on IN B-PP O
Thursday NNP B-NP O
that IN B-SBAR O
talks NNS B-NP O
with IN B-PP O
Moscow NNP B-NP B-LOC
would MD B-VP O
resume VB I-VP O
. . O O

Volodymyr NNP B-NP B-PER
Zelenskiy NNP I-NP I-PER
met VBD B-VP O
Red NNP B-NP B-ORG
Cross NNP I-NP I-ORG
officials NNS I-NP O
. . O O

-DOCSTART- -X- -X- O

The DT B-NP O
Ukrainian JJ I-NP B-MISC
army NN I-NP O
entered VBD B-VP O
Kherson NNP B-NP B-LOC
. . O O
"""


def test_a_conll_test_set_packages_test_only_and_benchmarks(tmp_path, offline):
    from datasets import load_dataset

    (tmp_path / "news.conll").write_text(CONLL, encoding="utf-8")
    tasks, dist = tmp_path / "tasks.jsonl", tmp_path / "dist"
    converted = runner.invoke(app, ["convert", str(tmp_path / "news.conll"), "-o", str(tasks)])
    assert converted.exit_code == 0, converted.output
    packaged = runner.invoke(
        app,
        [
            "package",
            str(tasks),
            "--name",
            "conll-test",
            "--version",
            "1.0.0",
            "-o",
            str(dist),
            "--splits",
            "0,0,1",
        ],
    )
    assert packaged.exit_code == 0, packaged.output
    assert "package: 3 records (test 3 records/2 groups)" in packaged.stderr
    release = dist / "conll-test" / "1.0.0"
    manifest = _manifest(release)
    assert list(manifest["splits"]) == ["test"] and manifest["entity_scheme"] == "conll"
    loaded = load_dataset(str(release), "entities", cache_dir=str(tmp_path / "cache"))
    assert list(loaded) == ["test"] and loaded["test"].num_rows == 3
    assert loaded["test"].features["ner_tags"].feature.names[:3] == ["O", "B-PER", "I-PER"]
    assert "This is a **test-only release**" in (release / "README.md").read_text()
    predictions = [orjson.loads(line) for line in tasks.read_bytes().splitlines()]
    predictions[1]["spans"] = predictions[1]["spans"][:1]  # a system that misses the Red Cross
    write_jsonl(tmp_path / "predictions.jsonl", predictions)
    scored = runner.invoke(
        app,
        [
            "benchmark",
            str(release),
            "--split",
            "test",
            "--system",
            f"file:{tmp_path / 'predictions.jsonl'}",
            "-o",
            str(tmp_path / "report"),
        ],
    )
    assert scored.exit_code == 0, scored.output
    report = orjson.loads((tmp_path / "report" / "report.json").read_bytes())
    headline = report["systems"][0]["headline"]
    assert headline["entities.strict.recall"]["value"] == pytest.approx(5 / 6)
    assert headline["entities.strict.precision"]["value"] == 1.0


def test_cli_card_file_and_options_fill_the_card(tmp_path):
    from huggingface_hub import DatasetCard

    gold = write_jsonl(tmp_path / "gold.jsonl", synthetic_documents(4))
    settings = tmp_path / "card.toml"
    settings.write_text(
        '[card]\ncontact = "Write to desk@example.org."\ncitation = "@misc{ours, title = {Ours}}"\n'
        'license = "other"\nlicense_name = "ours"\nlicense_text = "# Terms\\n\\nAsk first."\n',
        encoding="utf-8",
    )
    result = runner.invoke(
        app,
        [
            "package",
            str(gold),
            "--name",
            "news",
            "--version",
            "0.1.0",
            "-o",
            str(tmp_path / "dist"),
            "--no-spacy",
            "--card",
            str(settings),
            "--pretty-name",
            "News <b>now</b>",
            "--date",
            "2024-02-29",
        ],
    )
    assert result.exit_code == 0, result.output
    release = tmp_path / "dist" / "news" / "0.1.0"
    card = DatasetCard.load(release / "README.md")
    assert (card.data.license, card.data.license_name, card.data.license_link) == (
        "other",
        "ours",
        "LICENSE.md",
    )
    assert (
        card.data.pretty_name == "News <b>now</b>"
        and "# Dataset Card for News &lt;b&gt;now&lt;/b&gt;" in card.text
    )
    assert "Write to desk@example.org." in card.text and "@misc{ours, title = {Ours}}" in card.text
    assert (
        "Released 2024-02-29." in card.text
        and (release / "LICENSE.md").read_text() == "# Terms\n\nAsk first.\n"
    )


def test_validation_in_the_first_pass_finds_what_toolkit_validate_finds(tmp_path, root):
    from toolkit.packaging.release import ValidationFailedError
    from toolkit.review.validate import validate

    records = synthetic_documents(3)
    records[1]["spans"][0]["label"] = "KITTEN"
    records[4]["tokens"][2]["start"] += 1
    records[7]["events"] = [{"label": "PARTY"}]
    gold = write_jsonl(tmp_path / "gold.jsonl", records)
    with gold.open("ab") as handle:
        handle.write(b"{not json\n")
    with pytest.raises(ValidationFailedError) as caught:
        package_dataset(
            inputs=[gold],
            name="n",
            version="0.1.0",
            output_dir=tmp_path / "dist",
            options=PackageOptions(source_dir=root),
        )
    alone = validate(paths=[str(gold)], options=ValidateOptions(source_dir=root))
    assert caught.value.report.findings == alone.findings and len(alone.findings) >= 4
    assert (caught.value.report.records, caught.value.report.lines) == (alone.records, alone.lines)
    assert not (tmp_path / "dist" / "n" / "0.1.0").exists()
