"""What training reads from a packaged release: its name, version and manifest hash, the DocBins of each
split and the shipped spaCy config of each task, each checked against the manifest before use."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from toolkit.errors import InputError, UsageError

MANIFEST_FILE = "manifest.json"
TASKS: tuple[str, ...] = ("entities", "quotes", "events")
VALIDATION_PARQUET = "data/full/validation.parquet"
VERIFY_HINT = "run toolkit verify on the dataset folder; a release is never edited in place"


@dataclass(frozen=True)
class TrainingRelease:
    """A packaged release as training sees it."""

    folder: Path
    name: str
    version: str
    manifest_sha256: str
    configs: dict[str, Path]  # task -> its shipped config, for the tasks the release ships one for
    docs: dict[str, int]  # split -> number of DocBin docs
    files: dict[str, list[Path]]  # split -> its DocBin shards

    def split_folder(self, split: str) -> Path:
        return self.folder / "spacy" / split

    def provenance(self) -> dict[str, str]:
        """What a trained pipeline's meta.json records about the data it learned from."""
        return {"name": self.name, "version": self.version, "manifest_sha256": self.manifest_sha256}


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _manifest(folder: Path) -> tuple[dict[str, Any], str]:
    path = folder / MANIFEST_FILE
    if not folder.is_dir():
        raise InputError("no such dataset folder", path=str(folder), rule="missing-path")
    if not path.is_file():
        raise InputError(
            "no manifest.json: not a release made by toolkit package", path=str(path), rule="manifest"
        )
    raw = path.read_bytes()
    try:
        manifest = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise InputError(f"not valid JSON: {exc}", path=str(path), rule="manifest") from None
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), dict):
        raise InputError("not a dataset manifest (no files table)", path=str(path), rule="manifest")
    return manifest, hashlib.sha256(raw).hexdigest()


def _checked(folder: Path, relative: str, files: dict[str, Any]) -> Path:
    """A file of the release, present and with the sha256 its manifest lists."""
    path = folder / relative
    listed = files.get(relative)
    if not isinstance(listed, dict):
        raise InputError(
            f"{relative} is not listed in the manifest", path=str(folder), rule="manifest", hint=VERIFY_HINT
        )
    if not path.is_file():
        raise InputError("missing file of the release", path=str(path), rule="file-missing", hint=VERIFY_HINT)
    if _sha256(path) != listed.get("sha256"):
        raise InputError(
            "sha256 differs from the manifest", path=str(path), rule="file-checksum", hint=VERIFY_HINT
        )
    return path


def open_release(dataset_dir: str | Path) -> TrainingRelease:
    """The release at ``dataset_dir``, with every DocBin and config training may read checked."""
    folder = Path(dataset_dir)
    manifest, digest = _manifest(folder)
    files = manifest["files"]
    spacy_splits = manifest.get("spacy")
    if not isinstance(spacy_splits, dict) or not spacy_splits:
        raise InputError(
            "the release has no spaCy DocBins",
            path=str(folder / MANIFEST_FILE),
            rule="no-docbins",
            hint="package it again without --no-spacy",
        )
    docs: dict[str, int] = {}
    shards: dict[str, list[Path]] = {}
    for split, entry in sorted(spacy_splits.items()):
        listed = entry.get("files", []) if isinstance(entry, dict) else []
        shards[split] = [_checked(folder, str(name), files) for name in listed]
        docs[split] = int(entry.get("docs", 0)) if isinstance(entry, dict) else 0
    if VALIDATION_PARQUET in files:  # read to score what was trained: a damaged one should stop us now
        _checked(folder, VALIDATION_PARQUET, files)
    configs: dict[str, Path] = {}
    for task, entry in sorted((manifest.get("spacy_configs") or {}).items()):
        if task in TASKS and isinstance(entry, dict) and isinstance(entry.get("file"), str):
            configs[task] = _checked(folder, entry["file"], files)
    return TrainingRelease(
        folder=folder,
        name=str(manifest.get("name", folder.parent.name)),
        version=str(manifest.get("version", folder.name)),
        manifest_sha256=digest,
        configs=configs,
        docs=docs,
        files=shards,
    )


def release_tasks(tasks: Sequence[str] | None, release: TrainingRelease) -> tuple[str, ...]:
    """The tasks to train, in the toolkit's order: those asked for (checked by ``TrainOptions``), else every
    task with a config; each must have a config in the release."""
    chosen = [t for t in TASKS if t in release.configs] if tasks is None else list(tasks)
    missing = [t for t in chosen if t not in release.configs]
    if missing:
        raise UsageError(
            f"--tasks {','.join(missing)}: the release ships no training config for it",
            hint="the train split has no annotations of that task (see the manifest's spacy_configs)",
        )
    if not chosen:
        raise UsageError("the release ships no training config at all: its train split has no annotations")
    return tuple(t for t in TASKS if t in chosen)


def require_splits(release: TrainingRelease) -> None:
    """Training learns from the train split and stops early on the validation split: both must hold docs."""
    for split, role in (("train", "to learn from"), ("validation", "for early stopping")):
        if release.docs.get(split, 0) == 0:
            raise UsageError(
                f"{release.folder}: the release has no {split} documents {role}",
                hint="package the gold with a train and a validation share (--splits 0.6,0.2,0.2)",
            )
