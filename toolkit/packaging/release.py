"""Package gold records as a versioned Hugging Face dataset: group splits, Parquet per config, card, manifest.

``package_dataset`` streams its inputs twice and never holds the records in memory. The first pass
(survey.py) decodes each line once, runs ``toolkit validate``'s rules on it, checks ids, finds the groups,
their near-duplicates and the entity labels; splits are then assigned per group (splits.py); the second pass
(writer.py) writes rows in batches to one Parquet file per config and split (features embedded in the Arrow
schema, so ClassLabel survives ``data_files=`` loads), plus optional spaCy DocBin shards and their training
configs (spacy_configs.py). An optional scorer benchmarks the unsealed release; the chart, licence, card and
manifest are rendered last (card.py).

A version is immutable: everything is written into a temporary folder beside the target and renamed into
place; an existing version folder is never written into. The same inputs and options give byte-identical
files (no clock time inside unless ``date`` is given).

Layout of ``DIST/NAME/X.Y.Z/``::

    README.md                 dataset card (Hub YAML metadata, the sections of the Hub template)
    LICENSE.md                the terms, when the card gives a licence text
    manifest.json             sha256/size of every file, counts, label sets, group splits, scores, changelog
    label_counts.png          label counts per split per task
    data/<config>/<split>.parquet   configs: entities (default), quotes, events, full
    spacy/<split>/00000.spacy       DocBin shards (unless spacy=False)
    spacy/<task>.cfg                spaCy training configs: entities, quotes, events
"""

from __future__ import annotations

import filecmp
import hashlib
import os
import re
import shutil
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from toolkit import __version__
from toolkit.errors import CheckFailedError, InputError, OverwriteError, UsageError
from toolkit.jsonl import STDIO, collector_paused, remove_stale_temporaries, temporary_prefix
from toolkit.labels import PLOVER_TYPES, QUOTE_KINDS
from toolkit.options import PackageOptions
from toolkit.packaging.card import (
    CHART_FILE,
    LICENSE_FILE,
    CardText,
    baseline_summary,
    check_card_text,
    check_date,
    manifest_bytes,
    plot_label_counts,
    render_card,
)
from toolkit.packaging.configs import (
    BUILTIN_SCHEMES,
    CONFIG_NAMES,
    DatasetLabels,
    RowError,
    choose_entity_scheme,
    features,
    record_from_full_row,
)
from toolkit.packaging.neardup import NUM_PERM, SHINGLE_WORDS, THRESHOLD, NearDuplicates
from toolkit.packaging.splits import (
    DEFAULT_RATIOS,
    GROUP_BY_DOC,
    SPLIT_NAMES,
    Assignment,
    assign_splits,
    parse_ratios,
    ratios_text,
)
from toolkit.packaging.survey import SHOWN_SOURCES, Survey, survey_inputs
from toolkit.packaging.writer import BATCH_ROWS, Written, record_digest, write_rows
from toolkit.paths import file_sha256
from toolkit.record import Record

if TYPE_CHECKING:
    from toolkit.packaging.hub import PushResult

MANIFEST_FILE = "manifest.json"
CARD_FILE = "README.md"
VERSION_PATTERN = re.compile(r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$")
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


class ValidationFailedError(CheckFailedError):
    """The inputs failed ``toolkit validate``; ``report`` holds the findings for the CLI to show."""

    def __init__(self, report: Any) -> None:
        errors = [f for f in report.findings if getattr(f, "severity", "error") == "error"]
        super().__init__(
            f"the inputs failed validation ({len(errors)} errors); package refuses them",
            hint="fix them and run toolkit validate",
        )
        self.report = report

    @property
    def findings(self) -> list[Any]:
        return list(self.report.findings)


@dataclass(frozen=True)
class PackageResult:
    dataset_dir: Path
    name: str
    version: str
    status: str  # "written" or "unchanged" (an identical version already existed)
    records: int
    splits: dict[str, dict[str, int]]
    near_duplicate_clusters: int
    repairs: list[dict[str, Any]]
    skipped: dict[str, int]
    notes: list[str]
    pushed: PushResult | None = None


# ---------------------------------------------------------------- reading back


def read_split_records(dataset_dir: str | Path, split: str) -> Iterator[Record]:
    """Stream one split's records back from a packaged dataset (its ``full`` config), exactly as packaged."""
    import pyarrow
    import pyarrow.parquet as pq

    path = Path(dataset_dir) / "data" / "full" / f"{split}.parquet"
    if not path.is_file():
        raise InputError(f"no split {split!r} in this dataset", path=str(path), rule="missing-split")
    try:
        parquet = pq.ParquetFile(path)
        for batch in parquet.iter_batches(batch_size=BATCH_ROWS):
            for row in batch.to_pylist():
                yield record_from_full_row(row)
    except (pyarrow.ArrowException, OSError) as exc:  # pyarrow's I/O errors are plain OSErrors
        # A damaged or cut-short file: pyarrow says what it found, the user needs the file's name.
        raise InputError(
            f"not a readable Parquet file: {exc}",
            path=str(path),
            rule="invalid-parquet",
            hint="run toolkit verify on the dataset folder",
        ) from None


# ---------------------------------------------------------------- previous version


@dataclass(frozen=True)
class PreviousVersion:
    folder: Path
    manifest: dict[str, Any]

    @property
    def version(self) -> str:
        return self.manifest["version"]

    @property
    def groups(self) -> dict[str, str]:
        return self.manifest["groups"]


def load_previous(folder: str | Path) -> PreviousVersion:
    path = Path(folder) / MANIFEST_FILE
    if not path.is_file():
        raise InputError(
            "not a packaged dataset version (no manifest.json)", path=str(folder), rule="previous-manifest"
        )
    try:
        manifest = orjson.loads(path.read_bytes())
    except orjson.JSONDecodeError as exc:
        raise InputError(
            f"manifest is not valid JSON: {exc}", path=str(path), rule="previous-manifest"
        ) from None
    for key in ("version", "groups", "split_method", "label_sets", "label_counts"):
        if key not in manifest:
            raise InputError(f"manifest lacks {key!r}", path=str(path), rule="previous-manifest")
    return PreviousVersion(folder=Path(folder), manifest=manifest)


def parse_version(text: str) -> tuple[int, int, int]:
    match = VERSION_PATTERN.match(text)
    if not match:
        raise UsageError(f"--version {text}: expected a semantic version X.Y.Z such as 1.0.0")
    major, minor, patch = (int(part) for part in match.groups())
    return major, minor, patch


def check_against_previous(version: str, labels: DatasetLabels, previous: PreviousVersion) -> str | None:
    """The version must grow; a new label set needs a major or minor bump; returns the change or None."""
    new, old = parse_version(version), parse_version(previous.version)
    if new <= old:
        raise UsageError(f"--version {version} must be above the previous version {previous.version}")
    before, after = previous.manifest["label_sets"], labels.as_lists()
    changes = []
    for task in sorted(set(before) | set(after)):
        added = [x for x in after.get(task, []) if x not in before.get(task, [])]
        removed = [x for x in before.get(task, []) if x not in after.get(task, [])]
        if added or removed:
            changes.append(f"{task}: +{','.join(added) or '-'} -{','.join(removed) or '-'}")
        elif after.get(task) != before.get(task):
            changes.append(f"{task}: order changed")
    if not changes:
        return None
    change = "; ".join(changes)
    if new[:2] == old[:2]:
        raise UsageError(
            f"the label set changed against {previous.version} ({change}); a patch release cannot do that",
            hint=f"use version {new[0]}.{new[1] + 1}.0 or {new[0] + 1}.0.0",
        )
    return change


def _previous_digests(previous: PreviousVersion) -> dict[str, bytes]:
    return {
        record.meta.id or "": record_digest(record, record.tokens)
        for split in previous.manifest.get("splits", {})
        for record in read_split_records(previous.folder, split)
    }


# ---------------------------------------------------------------- manifest and card


def file_entries(folder: Path) -> dict[str, dict[str, Any]]:
    """sha256 and size of every file under ``folder`` except the manifest, by POSIX relative path."""
    entries = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        relative = path.relative_to(folder).as_posix()
        if relative == MANIFEST_FILE:
            continue
        entries[relative] = {"sha256": file_sha256(path), "bytes": path.stat().st_size}
    return entries


def labels_file_version(path: str | Path | None) -> tuple[dict[str, Any], Any]:
    """The labels file's version for the manifest, and its label set."""
    from toolkit.schemas import load_labels

    label_set = load_labels(path)
    return {"version": label_set.version, "file": Path(label_set.path or "labels.json").name}, label_set


def _changelog_entry(
    *,
    version: str,
    date: str | None,
    records: int,
    previous: PreviousVersion | None,
    digests: dict[str, bytes] | None,
    label_counts: Mapping[str, Mapping[str, Counter]],
    label_change: str | None,
) -> dict[str, Any]:
    entry: dict[str, Any] = {"version": version, "date": date, "records": records, "previous": None}
    if previous is None or digests is None:
        return entry
    before = _previous_digests(previous)
    added = sorted(set(digests) - set(before))
    removed = sorted(set(before) - set(digests))
    changed = sorted(k for k in set(digests) & set(before) if digests[k] != before[k])
    deltas: dict[str, dict[str, int]] = {}
    for task, per_split in label_counts.items():
        now = sum(per_split.values(), Counter())
        then: Counter[str] = Counter()
        for split_counts in previous.manifest["label_counts"].get(task, {}).values():
            then.update(split_counts)
        changes = {
            label: now[label] - then[label] for label in set(now) | set(then) if now[label] != then[label]
        }
        if changes:
            deltas[task] = dict(sorted(changes.items()))
    entry.update(
        {
            "previous": previous.version,
            "added": len(added),
            "removed": len(removed),
            "changed": len(changed),
            "examples": {"added": added[:20], "removed": removed[:20], "changed": changed[:20]},
            "label_deltas": deltas,
            "label_set_changed": label_change,
        }
    )
    return entry


def _sorted_counts(counter: Counter) -> dict[str, int]:
    return {k: counter[k] for k in sorted(counter)}


def build_manifest(
    *,
    name: str,
    version: str,
    date: str | None,
    survey: Survey,
    written: Written,
    assignment: Assignment,
    labels: DatasetLabels,
    labels_info: dict[str, Any],
    method: dict[str, Any],
    previous: PreviousVersion | None,
    changelog_entry: dict[str, Any],
) -> dict[str, Any]:
    near = survey.near or NearDuplicates(clusters=[], sample_rate=1, groups_hashed=0)
    return {
        "name": name,
        "version": version,
        "date": date,
        "toolkit_version": __version__,
        "labels_file": labels_info,
        "inputs": [item.entry() for item in survey.inputs],
        "records": {"packaged": survey.packaged, "skipped": _sorted_counts(survey.skipped)},
        "sources": {
            "documents": len(survey.documents),
            "dates": survey.dates or None,
            "outlets": sorted(survey.outlets)[:SHOWN_SOURCES],
            "annotation_sources": sorted(survey.annotation_sources),
            "annotators": len(survey.annotators),
        },
        "split_method": {
            **method,
            "ratios_text": ratios_text(method["ratios"]),
            "repairs": assignment.repairs,
            "bound_from_previous": assignment.bound,
        },
        "near_duplicates": {
            "threshold": THRESHOLD,
            "num_perm": NUM_PERM,
            "shingle_words": SHINGLE_WORDS,
            "sample_rate": near.sample_rate,
            "groups_hashed": near.groups_hashed,
            "clusters": near.clusters,
            "clusters_split_by_previous": assignment.split_clusters,
        },
        "entity_scheme": labels.entities.name,
        "label_sets": labels.as_lists(),
        "splits": written.counts,
        "configs": {
            config: {"splits": splits, "download_size": 0} for config, splits in written.configs.items()
        },
        "label_counts": {
            task: {split: _sorted_counts(c) for split, c in per_split.items()}
            for task, per_split in written.label_counts.items()
        },
        "groups": {g: assignment.splits[g] for g in sorted(survey.groups)},
        "spacy": written.spacy,
        "spacy_configs": written.spacy_configs,
        "previous": None
        if previous is None
        else {
            "version": previous.version,
            "manifest_sha256": hashlib.sha256((previous.folder / MANIFEST_FILE).read_bytes()).hexdigest(),
        },
        "changelog": [changelog_entry, *(previous.manifest.get("changelog", []) if previous else [])],
    }


def finish_release(
    folder: Path, manifest: dict[str, Any], labels: DatasetLabels, text: CardText
) -> dict[str, Any]:
    """Chart, licence, card and manifest; the manifest is last: it lists the sha256 of everything else."""
    all_features = {c: features(c, labels) for c in CONFIG_NAMES}
    for info in manifest["configs"].values():
        info["download_size"] = sum((folder / s["path"]).stat().st_size for s in info["splits"].values())
    plot_label_counts(folder / CHART_FILE, manifest)
    if text.license_text:
        (folder / LICENSE_FILE).write_text(text.license_text.strip() + "\n", encoding="utf-8")
    (folder / CARD_FILE).write_text(render_card(manifest, all_features, text), encoding="utf-8")
    manifest["files"] = file_entries(folder)
    (folder / MANIFEST_FILE).write_bytes(manifest_bytes(manifest))
    return manifest


# ---------------------------------------------------------------- the whole job


def _check_inputs(inputs: Sequence[str | Path]) -> list[Path]:
    if not inputs:
        raise UsageError("no input files given")
    paths = []
    for item in inputs:
        if str(item) == STDIO:
            raise UsageError("package reads its inputs twice; give files, not -")
        path = Path(item)
        if not path.is_file():
            raise InputError(
                "no such file" if not path.exists() else "is a folder, expected a JSONL file",
                path=str(item),
                rule="missing-path",
            )
        paths.append(path)
    return paths


def _check_request(name: str, version: str, date: str | None, card: CardText) -> None:
    if not NAME_PATTERN.match(name):
        raise UsageError(f"--name {name!r}: use letters, digits, '.', '_' and '-' only")
    parse_version(version)
    check_date(date)
    check_card_text(card)


def validation_context(label_set: Any, source_dir: str | Path | None) -> Any:
    """What ``toolkit validate`` needs to check records as the first pass decodes them."""
    from toolkit.review.validate import Context

    return Context(labels=label_set, scheme=None, source_dir=source_dir)


def check_validation(survey: Survey, label_set: Any) -> None:
    """Raise ValidationFailedError with the report of the first pass when the inputs failed validation."""
    from toolkit.review.validate import ValidationReport

    report = ValidationReport(
        findings=survey.findings,
        files=[str(item.path) for item in survey.inputs],
        records=survey.decoded,
        lines=survey.lines,
        strict=False,
        labels_version=label_set.version,
    )
    if not report.ok:
        raise ValidationFailedError(report)


def default_card_text(name: str) -> CardText:
    return CardText(
        pretty_name=name.replace("-", " ").replace("_", " ").title(),
        description=(
            "News sentences annotated for named entities, quotations (speaker, cue, content) and PLOVER "
            "event types; machine pre-annotations checked and corrected by people."
        ),
    )


def _dataset_labels(
    survey: Survey, label_set: Any, entity_scheme: str, previous: PreviousVersion | None
) -> DatasetLabels:
    schemes = dict(label_set.schemes) if label_set is not None else BUILTIN_SCHEMES
    preferred = label_set.default_scheme if label_set is not None else "ontonotes"
    try:
        scheme = choose_entity_scheme(
            survey.entity_labels,
            schemes=schemes,
            requested=entity_scheme,
            preferred=preferred,
            previous=previous.manifest.get("entity_scheme") if previous else None,
        )
    except RowError as exc:
        raise InputError(
            str(exc), path=", ".join(str(i.path) for i in survey.inputs), rule=exc.rule
        ) from None
    if label_set is None:
        return DatasetLabels(entities=scheme, quote_kinds=QUOTE_KINDS, event_types=PLOVER_TYPES)
    return DatasetLabels(
        entities=scheme, quote_kinds=tuple(label_set.quote_kinds), event_types=tuple(label_set.event_types)
    )


def _release_folder(parent: Path, version: str) -> Path:
    """A staging folder beside the version folder; first, those killed packaging runs left are removed."""
    parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(parent, None)  # of any version: only packaging writes here
    folder = Path(tempfile.mkdtemp(prefix=temporary_prefix(version), suffix=".tmp", dir=parent))
    folder.chmod(0o755)  # mkdtemp makes it private; a release is meant to be read by others
    return folder


def same_tree(left: Path, right: Path) -> list[str]:
    """Relative paths that differ between two folders (missing on one side, or different bytes)."""

    def files(root: Path) -> set[str]:
        return {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}

    a, b = files(left), files(right)
    differing = sorted(a ^ b)
    differing += sorted(p for p in a & b if not filecmp.cmp(left / p, right / p, shallow=False))
    return differing


def split_method(options: PackageOptions, prior: PreviousVersion | None) -> tuple[str, int, dict[str, float]]:
    """Grouping, seed and ratios of this release: as asked, else the previous release's, else the defaults.
    A grouping other than the previous release's is refused: its split assignment could not bind."""
    defaults = prior.manifest["split_method"] if prior else {}
    group_by = options.group_by or defaults.get("group_by", GROUP_BY_DOC)
    seed = options.seed if options.seed is not None else defaults.get("seed", 0)
    ratios = parse_ratios(
        options.splits if options.splits is not None else defaults.get("ratios_text", DEFAULT_RATIOS)
    )
    if prior and group_by != defaults.get("group_by"):
        raise UsageError(
            f"--group-by {group_by} differs from the previous version's "
            f"{defaults.get('group_by')}; its split assignment could not bind"
        )
    return group_by, seed, ratios


def package_dataset(
    *,
    inputs: Sequence[str | Path],
    name: str,
    version: str,
    output_dir: str | Path,
    options: PackageOptions = PackageOptions(),
    previous: str | Path | None = None,
    push_to_hub: str | None = None,
    card: CardText | None = None,
    score_release: Callable[[Path, dict[str, list[str]]], Mapping[str, Any] | None] | None = None,
    if_exists: str = "error",
    quiet: bool = True,
) -> PackageResult:
    """Package gold JSONL files as ``output_dir/name/version``.

    ``previous`` (a packaged version folder) binds the split of every group it had, supplies the default
    seed, grouping and ratios, and is the base of the changelog. ``if_exists="compare"`` turns an existing
    version folder into a check: identical output is fine (status "unchanged"), a difference raises.
    ``score_release(folder, label_sets)`` is called on the written but unsealed release (data and DocBins in
    place, no manifest yet; ``label_sets`` as the manifest will hold them) and returns a ``toolkit
    benchmark`` report whose headline scores go in the card and the manifest; it must be deterministic, or
    the release would not be reproducible. ``private`` makes a new Hub repository private.
    ``validate=False`` skips ``toolkit validate``'s rules (tests on generated data); the packager's own
    checks (ids, groups, labels, entity alignment, types) always run. Validation runs in the first pass over
    the inputs, on the records it decodes anyway.
    """
    card = card or default_card_text(name)
    if push_to_hub and card.hub_repo is None:
        card = replace(card, hub_repo=push_to_hub)
    _check_request(name, version, options.date, card)
    paths = _check_inputs(inputs)
    target = Path(output_dir) / name / version
    if if_exists not in ("error", "compare"):
        raise UsageError(f"if_exists={if_exists!r}: use 'error' or 'compare'")
    if target.exists() and if_exists == "error":
        raise OverwriteError(
            f"{target} exists; a released version is never overwritten", hint="choose a new --version"
        )
    prior = load_previous(previous) if previous is not None else None
    group_by, seed, ratios = split_method(options, prior)
    notes = []
    labels_info, label_set = labels_file_version(options.labels)
    context = validation_context(label_set, options.source_dir) if options.validate else None
    with collector_paused():
        survey = survey_inputs(paths, group_by=group_by, quiet=quiet, validation=context)
    check_validation(survey, label_set)
    if not survey.packaged:
        raise CheckFailedError(
            f"no accepted records to package in {', '.join(str(p) for p in paths)}",
            hint="gold records need answer accept (or none)",
        )
    dataset_labels = _dataset_labels(survey, label_set, options.entity_scheme, prior)
    label_change = check_against_previous(version, dataset_labels, prior) if prior else None
    assignment = assign_splits(
        groups=survey.groups,
        seed=seed,
        ratios=ratios,
        previous=prior.groups if prior else None,
        clusters=survey.near.clusters if survey.near else [],
    )
    method = {
        "group_by": group_by,
        "seed": seed,
        "ratios": ratios,
        "hash": "sha256('<seed>:<group>')[:8] / 2**64, cut at cumulative ratios",
    }
    folder = _release_folder(target.parent, version)
    try:
        with collector_paused():
            written = write_rows(
                folder,
                survey.inputs,
                [assignment.splits[group] for group in survey.groups],
                dataset_labels,
                spacy=options.spacy,
                keep_digests=prior is not None,
                quiet=quiet,
            )
            entry = _changelog_entry(
                version=version,
                date=options.date,
                records=survey.packaged,
                previous=prior,
                digests=written.digests,
                label_counts=written.label_counts,
                label_change=label_change,
            )
        manifest = build_manifest(
            name=name,
            version=version,
            date=options.date,
            survey=survey,
            written=written,
            assignment=assignment,
            labels=dataset_labels,
            labels_info=labels_info,
            method=method,
            previous=prior,
            changelog_entry=entry,
        )
        if score_release is not None:
            card = replace(card, baselines=score_release(folder, dataset_labels.as_lists()))
        card = replace(card, baselines=baseline_summary(card.baselines))
        manifest["baselines"] = card.baselines
        finish_release(folder, manifest, dataset_labels, card)
        status = _put_in_place(folder, target)
    finally:
        if folder.exists():
            shutil.rmtree(folder)
    empty = [s for s in SPLIT_NAMES if ratios[s] > 0 and s not in written.counts]
    if empty:
        notes.append(f"empty splits: {', '.join(empty)} (too few groups to fill them)")
    pushed = None
    if push_to_hub:
        from toolkit.packaging.hub import push_dataset

        pushed = push_dataset(dataset_dir=target, repo=push_to_hub, version=version, private=options.private)
    return PackageResult(
        dataset_dir=target,
        name=name,
        version=version,
        status=status,
        records=survey.packaged,
        splits=written.counts,
        near_duplicate_clusters=len(survey.near.clusters) if survey.near else 0,
        repairs=assignment.repairs,
        skipped=dict(survey.skipped),
        notes=notes,
        pushed=pushed,
    )


def _put_in_place(folder: Path, target: Path) -> str:
    """Rename the finished folder to the version folder, or compare it with the one already there."""
    if target.exists():
        differing = same_tree(folder, target)
        if differing:
            shown = ", ".join(differing[:5]) + (" ..." if len(differing) > 5 else "")
            raise OverwriteError(
                f"{target} exists and differs from what these inputs give now ({shown})",
                hint="a released version is never rewritten: bump the version",
            )
        return "unchanged"
    try:
        os.rename(folder, target)
    except OSError:
        raise OverwriteError(f"{target} appeared while packaging; it was left untouched") from None
    return "written"
