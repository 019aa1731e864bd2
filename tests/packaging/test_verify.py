"""``toolkit verify``: a clean release passes; corruption and card/manifest disagreements are caught."""

from __future__ import annotations

import shutil

import orjson
import pytest
from gold_records import synthetic_documents, write_jsonl
from typer.testing import CliRunner

from toolkit.cli import app
from toolkit.errors import InputError
from toolkit.options import PackageOptions
from toolkit.packaging.card import manifest_bytes
from toolkit.packaging.release import file_entries, package_dataset
from toolkit.packaging.verify import verify_dataset

runner = CliRunner()


@pytest.fixture(scope="module")
def release(tmp_path_factory):
    folder = tmp_path_factory.mktemp("verify")
    gold = write_jsonl(folder / "gold.jsonl", synthetic_documents(15))
    return package_dataset(
        inputs=[gold],
        name="news",
        version="1.0.0",
        output_dir=folder / "dist",
        options=PackageOptions(validate=False),
    ).dataset_dir


@pytest.fixture
def copy(release, tmp_path):
    target = tmp_path / "1.0.0"
    shutil.copytree(release, target)
    return target


def _rules(folder) -> set[str]:
    return {f.rule for f in verify_dataset(dataset_dir=folder).findings}


def test_a_clean_release_passes(release):
    report = verify_dataset(dataset_dir=release)
    assert report.ok, [f.line() for f in report.findings]
    assert report.files_checked == len(orjson.loads((release / "manifest.json").read_bytes())["files"])
    assert report.rows_checked > 0


def test_a_corrupted_parquet_is_caught(copy):
    path = copy / "data" / "entities" / "train.parquet"
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    assert "file-checksum" in _rules(copy)


def test_a_truncated_parquet_is_caught_even_with_a_regenerated_manifest(copy):
    path = copy / "data" / "events" / "test.parquet"
    path.write_bytes(path.read_bytes()[:200])
    manifest = orjson.loads((copy / "manifest.json").read_bytes())
    manifest["files"] = file_entries(copy)
    (copy / "manifest.json").write_bytes(manifest_bytes(manifest))
    assert _rules(copy) == {"parquet-unreadable"}


def test_a_card_that_disagrees_with_the_manifest_is_caught(copy):
    card = copy / "README.md"
    text = card.read_text()
    card.write_text(
        text.replace("num_examples:", "num_examples: 1", 1).replace("default: true", "default: false")
    )
    rules = _rules(copy)
    assert {"card-counts", "card-default", "file-size"} <= rules


def test_card_features_that_disagree_with_the_parquet_are_caught(copy):
    card = copy / "README.md"
    card.write_text(card.read_text().replace("'1': B-CARDINAL", "'1': B-KITTEN", 1))
    manifest = orjson.loads((copy / "manifest.json").read_bytes())
    manifest["files"] = file_entries(copy)
    (copy / "manifest.json").write_bytes(manifest_bytes(manifest))
    assert "features-mismatch" in _rules(copy)


def test_manifest_counts_and_stray_files_are_checked(copy):
    manifest = orjson.loads((copy / "manifest.json").read_bytes())
    manifest["splits"]["train"]["records"] += 1
    (copy / "manifest.json").write_bytes(manifest_bytes(manifest))
    (copy / "notes.txt").write_text("hello")
    (copy / "spacy" / "train" / "00000.spacy").unlink()
    assert {"manifest-counts", "file-unlisted", "file-missing", "spacy-count"} <= _rules(copy)


def test_label_ids_out_of_range_are_caught(copy):
    import pyarrow.parquet as pq

    path = copy / "data" / "entities" / "validation.parquet"
    table = pq.read_table(path)
    rows = table.to_pylist()
    rows[0]["ner_tags"] = [99] * len(rows[0]["ner_tags"])
    import pyarrow as pa

    pq.write_table(pa.Table.from_pylist(rows, schema=table.schema), path)
    manifest = orjson.loads((copy / "manifest.json").read_bytes())
    manifest["files"] = file_entries(copy)
    (copy / "manifest.json").write_bytes(manifest_bytes(manifest))
    assert _rules(copy) == {"label-out-of-range"}


def test_a_folder_without_manifest_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="no manifest.json"):
        verify_dataset(dataset_dir=tmp_path)


def test_cli_verify_exit_codes_and_json(release, copy, tmp_path):
    assert runner.invoke(app, ["verify", str(release)]).exit_code == 0
    (copy / "manifest.json").write_bytes(
        (copy / "manifest.json").read_bytes().replace(b'"bytes": ', b'"bytes": 1', 1)
    )
    result = runner.invoke(app, ["verify", str(copy), "--format", "json"])
    assert result.exit_code == 1
    assert orjson.loads(result.stdout)["findings"][0]["rule"] == "file-size"
    assert "does not match its manifest" in result.stderr
    assert runner.invoke(app, ["verify", str(tmp_path / "nowhere")]).exit_code == 2


def _edit_rows(folder, relative: str, edit) -> None:
    """Rewrite one Parquet file with ``edit(rows)`` applied (same schema, features kept), then recompute the
    manifest's checksums, as someone hand-editing a release would."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = folder / relative
    table = pq.read_table(path)
    rows = table.to_pylist()
    edit(rows)
    pq.write_table(pa.Table.from_pylist(rows, schema=table.schema), path)
    manifest = orjson.loads((folder / "manifest.json").read_bytes())
    manifest["files"] = file_entries(folder)
    (folder / "manifest.json").write_bytes(manifest_bytes(manifest))


def _findings(folder) -> list[tuple[str, str, str]]:
    return [(f.rule, f.path, f.message) for f in verify_dataset(dataset_dir=folder).findings]


def test_text_edited_in_one_config_is_caught_row_by_row(copy):
    def edit(rows):
        rows[2]["text"] = rows[2]["text"].replace("Kyiv", "Kiev")

    _edit_rows(copy, "data/quotes/train.parquet", edit)
    (finding,) = _findings(copy)
    assert finding[:2] == ("config-text", "data/quotes/train.parquet")
    assert finding[2].startswith("row 2 ('doc-")
    assert finding[2].endswith("text differs from the full config's")
    result = runner.invoke(app, ["verify", str(copy)])
    assert result.exit_code == 1
    assert result.stderr.startswith(f"data/quotes/train.parquet: error [config-text] {finding[2]}\n")


def test_ids_reordered_or_rows_dropped_in_a_config_are_caught(copy):
    def swap(rows):
        rows[0]["id"], rows[1]["id"] = rows[1]["id"], rows[0]["id"]

    _edit_rows(copy, "data/events/train.parquet", swap)
    assert [f[0] for f in _findings(copy)] == ["config-id", "config-id"]

    def drop_last(rows):
        rows.pop()

    _edit_rows(copy, "data/entities/validation.parquet", drop_last)
    rules = {f[0] for f in _findings(copy)}
    assert {"config-rows", "parquet-count"} <= rules


def test_an_edit_made_alike_in_every_config_is_caught_by_the_text_hash(copy):
    def edit(rows):
        for row in rows:
            row["text"] = row["text"].replace("Thursday", "Friday")

    for config in ("entities", "quotes", "events", "full"):
        _edit_rows(copy, f"data/{config}/test.parquet", edit)
    findings = _findings(copy)
    assert {f[:2] for f in findings} == {("text-sha256", "data/full/test.parquet")}
    assert findings[-1][2].endswith("rows in all do not match their sha256")
