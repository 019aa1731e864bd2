"""Verify a packaged dataset version against its manifest and card: checksums, counts, features, label ranges.

datasets itself checks little when it loads a folder (a missing column becomes None, a label id out of range
passes), so this is the check to run before publishing or after copying a release. Each rule is a small
function returning findings.
"""

from __future__ import annotations

import hashlib
import itertools
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from toolkit.errors import InputError
from toolkit.findings import Finding
from toolkit.packaging.card import read_front_matter
from toolkit.paths import file_sha256

MANIFEST_FILE = "manifest.json"
CARD_FILE = "README.md"
SHOWN_ROWS = 3  # differing rows described one by one per file; the rest are counted


@dataclass
class VerifyReport:
    dataset_dir: Path
    findings: list[Finding] = field(default_factory=list)
    files_checked: int = 0
    rows_checked: int = 0

    @property
    def ok(self) -> bool:
        return not self.findings


def check_files(folder: Path, manifest: Mapping[str, Any], report: VerifyReport) -> Iterator[Finding]:
    """Every listed file exists with its size and sha256; nothing unlisted sits beside them."""
    listed = manifest.get("files", {})
    for relative, info in sorted(listed.items()):
        path = folder / relative
        if not path.is_file():
            yield Finding("file-missing", "listed in the manifest but missing", relative)
            continue
        report.files_checked += 1
        size = path.stat().st_size
        if size != info.get("bytes"):
            yield Finding("file-size", f"{size} bytes, the manifest says {info.get('bytes')}", relative)
        elif file_sha256(path) != info.get("sha256"):
            yield Finding("file-checksum", "sha256 differs from the manifest", relative)
    on_disk = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
    for relative in sorted(on_disk - set(listed) - {MANIFEST_FILE}):
        yield Finding("file-unlisted", "not listed in the manifest", relative)


def _card_configs(card: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    configs = {
        c.get("config_name"): {"files": {f["split"]: f["path"] for f in c.get("data_files", [])}}
        for c in card.get("configs", [])
    }
    for info in card.get("dataset_info", []):
        entry = configs.setdefault(info.get("config_name"), {"files": {}})
        entry["features"] = info.get("features")
        entry["splits"] = {s["name"]: s for s in info.get("splits", [])}
    return configs


def check_card(manifest: Mapping[str, Any], card: Mapping[str, Any]) -> Iterator[Finding]:
    """The card's configs, split files and counts agree with the manifest; one config is the default."""
    configs = _card_configs(card)
    wanted = manifest.get("configs", {})
    if sorted(configs) != sorted(wanted):
        yield Finding(
            "card-configs", f"configs {sorted(configs)} but the manifest has {sorted(wanted)}", CARD_FILE
        )
    if sum(1 for c in card.get("configs", []) if c.get("default")) != 1:
        yield Finding("card-default", "exactly one config must be marked default", CARD_FILE)
    for name, info in sorted(wanted.items()):
        entry = configs.get(name, {"files": {}, "splits": {}})
        for split, expected in sorted(info["splits"].items()):
            if entry["files"].get(split) != expected["path"]:
                yield Finding(
                    "card-data-files",
                    f"{name}/{split}: path {entry['files'].get(split)}, the manifest says {expected['path']}",
                    CARD_FILE,
                )
            stated = entry.get("splits", {}).get(split, {})
            for key in ("num_examples", "num_bytes"):
                if stated.get(key) != expected[key]:
                    yield Finding(
                        "card-counts",
                        f"{name}/{split}: {key} {stated.get(key)}, the manifest says {expected[key]}",
                        CARD_FILE,
                    )


def _class_label_paths(feature: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], int]]:
    """(path, number of classes) of every ClassLabel; ``[]`` in a path steps into a list."""
    from datasets import ClassLabel, List, Sequence

    if isinstance(feature, ClassLabel):
        yield path, feature.num_classes
    elif isinstance(feature, List | Sequence):
        yield from _class_label_paths(feature.feature, (*path, "[]"))
    elif isinstance(feature, dict):
        for key, value in feature.items():
            yield from _class_label_paths(value, (*path, key))


def _leaf_values(array: Any, path: tuple[str, ...]) -> Any:
    import pyarrow as pa

    for step in path:
        if isinstance(array, pa.ChunkedArray):
            array = array.combine_chunks()
        array = array.flatten() if step == "[]" else array.field(step)
    return array


def check_parquet(
    folder: Path,
    config: str,
    split: str,
    expected: Mapping[str, Any],
    card_features: Any,
    report: VerifyReport,
) -> Iterator[Finding]:
    """One Parquet file: readable, row count, embedded features equal the card's, label ids in range."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq
    from datasets import Features

    relative = expected["path"]
    path = folder / relative
    if not path.is_file():
        return  # reported by check_files
    try:
        parquet = pq.ParquetFile(path)
        embedded = Features.from_arrow_schema(parquet.schema_arrow)
    except (pa.ArrowException, OSError, ValueError, KeyError, TypeError) as exc:
        yield Finding("parquet-unreadable", f"cannot read it: {exc}", relative)
        return
    rows = parquet.metadata.num_rows
    if rows != expected["num_examples"]:
        yield Finding("parquet-count", f"{rows} rows, the manifest says {expected['num_examples']}", relative)
    if card_features is not None:
        declared = Features._from_yaml_list(card_features)
        if declared != embedded:
            yield Finding(
                "features-mismatch", "features embedded in the Parquet schema differ from the card", relative
            )
        elif parquet.schema_arrow.remove_metadata() != declared.arrow_schema.remove_metadata():
            yield Finding("schema-mismatch", "Arrow column types differ from the declared features", relative)
    label_paths = [
        (p, n) for name, feature in embedded.items() for p, n in _class_label_paths(feature, (name,))
    ]
    try:
        for batch in parquet.iter_batches(batch_size=20_000, columns=sorted({p[0] for p, _ in label_paths})):
            report.rows_checked += batch.num_rows
            for label_path, classes in label_paths:
                values = _leaf_values(batch.column(label_path[0]), label_path[1:])
                if len(values) and (pc.min(values).as_py() < 0 or pc.max(values).as_py() >= classes):
                    yield Finding(
                        "label-out-of-range",
                        f"{'.'.join(label_path)} has ids outside 0..{classes - 1}",
                        relative,
                    )
                    return
    except (pa.ArrowException, OSError) as exc:
        yield Finding("parquet-unreadable", f"cannot read its rows: {exc}", relative)


def check_counts(manifest: Mapping[str, Any]) -> Iterator[Finding]:
    """The manifest agrees with itself: records per split in every config, groups per split."""
    splits = manifest.get("splits", {})
    groups = Counter(manifest.get("groups", {}).values())
    for split, counts in sorted(splits.items()):
        if groups[split] != counts.get("groups"):
            yield Finding(
                "manifest-groups",
                f"{split}: {groups[split]} groups assigned, {counts.get('groups')} counted",
                MANIFEST_FILE,
            )
        for config, info in sorted(manifest.get("configs", {}).items()):
            stated = info["splits"].get(split, {}).get("num_examples")
            if stated != counts.get("records"):
                yield Finding(
                    "manifest-counts",
                    f"{config}/{split}: {stated} rows, {counts.get('records')} records in the split",
                    MANIFEST_FILE,
                )
    total = sum(c.get("records", 0) for c in splits.values())
    if total != manifest.get("records", {}).get("packaged"):
        yield Finding(
            "manifest-counts",
            f"splits hold {total} records, {manifest.get('records', {}).get('packaged')} were packaged",
            MANIFEST_FILE,
        )


def _rows(path: Path, *, with_digest: bool = False) -> Iterator[tuple[Any, ...]]:
    """(id, text) of each row of one Parquet file, streamed; with ``meta.text_sha256`` too when asked."""
    import pyarrow.parquet as pq

    columns = ["id", "text", "meta"] if with_digest else ["id", "text"]
    for batch in pq.ParquetFile(path).iter_batches(batch_size=20_000, columns=columns):
        values = [batch.column(0).to_pylist(), batch.column(1).to_pylist()]
        if with_digest:
            values.append(batch.column(2).field("text_sha256").to_pylist())
        yield from zip(*values, strict=True)


def check_config_rows(folder: Path, manifest: Mapping[str, Any]) -> Iterator[Finding]:
    """Row by row, every config holds the records of ``full``: the same id and the very same text; and the
    full config's texts still hash to their ``meta.text_sha256``.

    The checksums only prove that the files are those the manifest lists: a text edited in one config with
    the manifest recomputed passes them, and a model trained on that config would see a text the dataset
    does not hold. An edit made alike in every config is caught by the text's own hash.
    """
    import pyarrow as pa

    configs = manifest.get("configs", {})
    for split, full in sorted(configs.get("full", {}).get("splits", {}).items()):
        others = {
            config["splits"][split]["path"]: name
            for name, config in sorted(configs.items())
            if name != "full" and split in config.get("splits", {})
        }
        if not all((folder / relative).is_file() for relative in [full["path"], *others]):
            continue  # reported by check_files
        try:
            findings = _compare_split(folder, full["path"], list(others))
        except (pa.ArrowException, OSError, KeyError, ValueError):
            continue  # unreadable, or without these columns: check_parquet reports it
        yield from findings


def _compare_split(folder: Path, full: str, others: list[str]) -> list[Finding]:
    findings: list[Finding] = []
    wrong_digest = 0
    differing = dict.fromkeys(others, 0)
    counts = dict.fromkeys([full, *others], 0)
    streams = [_rows(folder / full, with_digest=True), *(_rows(folder / path) for path in others)]
    for number, (reference, *rows) in enumerate(itertools.zip_longest(*streams)):
        if reference is not None:
            counts[full] += 1
            row_id, text, digest = reference
            if (
                digest is not None
                and text is not None
                and hashlib.sha256(text.encode()).hexdigest() != digest
            ):
                wrong_digest += 1
                if wrong_digest <= SHOWN_ROWS:
                    findings.append(
                        Finding(
                            "text-sha256", f"row {number} ({row_id!r}): text does not match its sha256", full
                        )
                    )
        for path, row in zip(others, rows, strict=True):
            counts[path] += row is not None
            if reference is None or row is None or row == reference[:2]:
                continue
            differing[path] += 1
            if differing[path] <= SHOWN_ROWS:
                findings.append(_row_finding(path, number, reference, row))
    if wrong_digest > SHOWN_ROWS:
        findings.append(Finding("text-sha256", f"{wrong_digest} rows in all do not match their sha256", full))
    for path in others:
        if differing[path] > SHOWN_ROWS:
            findings.append(Finding("config-text", f"{differing[path]} rows in all differ from full", path))
        if counts[path] != counts[full]:
            findings.append(
                Finding("config-rows", f"{counts[path]} rows, the full config has {counts[full]}", path)
            )
    return findings


def _row_finding(path: str, number: int, full: tuple[Any, ...], row: tuple[Any, ...]) -> Finding:
    if row[0] != full[0]:
        return Finding("config-id", f"row {number}: id {row[0]!r}, the full config has {full[0]!r}", path)
    return Finding("config-text", f"row {number} ({full[0]!r}): text differs from the full config's", path)


def check_spacy(folder: Path, manifest: Mapping[str, Any]) -> Iterator[Finding]:
    """Every DocBin shard loads, and each split has as many docs as records."""
    from spacy.tokens import DocBin

    for split, info in sorted((manifest.get("spacy") or {}).items()):
        docs = 0
        for relative in info.get("files", []):
            path = folder / relative
            if not path.is_file():
                continue  # reported by check_files
            try:
                docs += len(DocBin().from_bytes(path.read_bytes()))
            except Exception as exc:  # noqa: BLE001 - any decoding failure means a broken shard
                yield Finding("spacy-unreadable", f"not a DocBin: {exc}", relative)
        expected = manifest.get("splits", {}).get(split, {}).get("records")
        if docs != info.get("docs") or docs != expected:
            yield Finding(
                "spacy-count",
                f"{docs} docs, the manifest says {info.get('docs')} and the split has {expected} records",
                f"spacy/{split}",
            )


# The parts of the manifest the checks read, and the kind of value each holds (objects of objects mostly).
MANIFEST_SHAPE: dict[str, tuple[type, type | None]] = {
    "files": (dict, dict),
    "configs": (dict, dict),
    "splits": (dict, dict),
    "groups": (dict, None),
    "records": (dict, None),
    "spacy": (dict, dict),
}


def manifest_shape_problems(manifest: Any) -> list[Finding]:
    """A manifest edited by hand or cut short can hold the wrong kind of value; say so instead of failing."""
    if not isinstance(manifest, dict):
        return [Finding("manifest-shape", f"a JSON {type(manifest).__name__}, not an object", MANIFEST_FILE)]
    found = []
    for key, (kind, item_kind) in MANIFEST_SHAPE.items():
        value = manifest.get(key)
        if value is None:
            continue
        if not isinstance(value, kind):
            found.append(Finding("manifest-shape", f"{key} is a {type(value).__name__}", MANIFEST_FILE))
        elif (
            item_kind is not None
            and isinstance(value, dict)
            and not all(isinstance(v, item_kind) for v in value.values())
        ):
            found.append(Finding("manifest-shape", f"{key} holds values that are not objects", MANIFEST_FILE))
    configs = manifest.get("configs")
    if isinstance(configs, dict) and not found:
        for name, info in configs.items():
            if not isinstance(info.get("splits"), dict):
                found.append(
                    Finding("manifest-shape", f"configs.{name}.splits is not an object", MANIFEST_FILE)
                )
    return found


def _read_card(path: Path, report: VerifyReport) -> dict[str, Any]:
    if not path.is_file():
        return {}
    try:
        return read_front_matter(path.read_bytes().decode("utf-8"))
    except UnicodeDecodeError as exc:
        report.findings.append(
            Finding("card-utf8", f"not UTF-8 text ({exc.reason} at byte {exc.start})", CARD_FILE)
        )
        return {}


def verify_dataset(*, dataset_dir: str | Path) -> VerifyReport:
    """Check a version folder; ``report.ok`` is False when anything disagrees."""
    folder = Path(dataset_dir)
    if not folder.is_dir():
        raise InputError("no such dataset folder", path=str(folder), rule="missing-path")
    report = VerifyReport(dataset_dir=folder)
    manifest_path = folder / MANIFEST_FILE
    try:
        manifest = orjson.loads(manifest_path.read_bytes())
    except FileNotFoundError:
        raise InputError(
            "no manifest.json: not a packaged dataset version", path=str(folder), rule="missing-manifest"
        ) from None
    except orjson.JSONDecodeError as exc:
        report.findings.append(Finding("manifest-json", f"not valid JSON: {exc}", MANIFEST_FILE))
        return report
    shape = manifest_shape_problems(manifest)
    if shape:
        report.findings += shape
        return report
    card_path = folder / CARD_FILE
    card = _read_card(card_path, report)
    if not card:
        report.findings.append(Finding("card-metadata", "missing, or without YAML metadata", CARD_FILE))
    report.findings += check_files(folder, manifest, report)
    report.findings += check_counts(manifest)
    report.findings += check_card(manifest, card)
    card_configs = _card_configs(card)
    for config, info in sorted(manifest.get("configs", {}).items()):
        for split, expected in sorted(info["splits"].items()):
            declared = card_configs.get(config, {}).get("features")
            report.findings += check_parquet(folder, config, split, expected, declared, report)
    report.findings += check_config_rows(folder, manifest)
    if manifest.get("spacy"):
        report.findings += check_spacy(folder, manifest)
    return report
