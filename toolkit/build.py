"""``toolkit build``: the whole chain with defaults, from seeds/ to a packaged, benchmarked dataset in dist/.

Steps: convert ``seeds/`` to ``annotations/tasks/seed.jsonl``; pre-annotate that to
``annotations/pre/seed.jsonl``; validate ``annotations/gold/*.jsonl``; package them into ``dist/NAME/VERSION``
(name, version, split settings and the card's words come from ``annotations/dataset.toml``, the one place
they are kept); benchmark the baselines on the test split of the release before it is sealed, so the scores
are in its card, and keep the report in ``reports/NAME-VERSION/``. Rerunning is safe: convert, pre-annotate
and the benchmark's scores are deterministic, and an existing version is compared with what the inputs give
now (identical: go on; different: stop and ask for a new version). A step whose inputs are missing is
skipped with a note rather than failing the chain.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import orjson

from toolkit.errors import InputError, OverwriteError, UsageError
from toolkit.options import BenchmarkOptions, ConvertOptions, PackageOptions, PreannotateOptions
from toolkit.packaging.card import CardText, card_text_from_settings
from toolkit.packaging.release import (
    ValidationFailedError,
    default_card_text,
    package_dataset,
    parse_version,
)
from toolkit.packaging.splits import DEFAULT_RATIOS
from toolkit.paths import read_utf8

SETTINGS_FILE = Path("annotations") / "dataset.toml"
GUIDELINES_FILE = Path("annotations") / "GUIDELINES.md"
TASKS_FILE = Path("annotations") / "tasks" / "seed.jsonl"
PRE_FILE = Path("annotations") / "pre" / "seed.jsonl"
GOLD_DIR = Path("annotations") / "gold"


def baseline_systems() -> list[str]:
    """The toolkit's own pre-annotators, and the bare default spaCy model for comparison."""
    from toolkit.models import default_model_name

    return ["baseline", f"spacy:{default_model_name()}"]


@dataclass(frozen=True)
class BuildSettings:
    """The dataset's identity, split settings and card words; read from annotations/dataset.toml."""

    name: str = "ukraine-liveblog"
    version: str = "1.0.0"
    group_by: str = "paragraph"
    seed: int = 0
    splits: str = DEFAULT_RATIOS
    date: str | None = None
    card: dict[str, Any] = field(default_factory=dict)  # the [card] table: see toolkit.packaging.card


@dataclass
class BuildStep:
    name: str
    status: str  # done, unchanged, skipped
    detail: str


@dataclass
class BuildResult:
    root: Path
    steps: list[BuildStep] = field(default_factory=list)
    dataset_dir: Path | None = None
    report_dir: Path | None = None

    @property
    def load_hint(self) -> str | None:
        if self.dataset_dir is None:
            return None
        where = (
            self.dataset_dir.relative_to(self.root)
            if self.dataset_dir.is_relative_to(self.root)
            else self.dataset_dir
        )
        return f'datasets.load_dataset("{where.as_posix()}", "entities")'


def load_settings(root: Path) -> BuildSettings:
    """annotations/dataset.toml over the defaults; unknown keys are an error, so typos cannot pass."""
    path = root / SETTINGS_FILE
    if not path.is_file():
        return BuildSettings()
    try:
        data = tomllib.loads(read_utf8(path))
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"not valid TOML: {exc}", path=str(path), rule="build-settings") from None
    known = set(BuildSettings.__dataclass_fields__)
    unknown = sorted(set(data) - known)
    if unknown:
        raise InputError(
            f"unknown keys {', '.join(unknown)}",
            path=str(path),
            rule="build-settings",
            hint=f"known keys: {', '.join(sorted(known))} (the card's words go in the [card] table)",
        )
    for key, value in data.items():
        if key == "card":
            continue
        expected = int if key == "seed" else str
        if not isinstance(value, expected) or isinstance(value, bool):
            raise InputError(
                f"{key} = {value!r}: expected {'an integer' if expected is int else 'a string'}",
                path=str(path),
                rule="build-settings",
            )
    if not isinstance(data.get("card", {}), dict):
        raise InputError("card must be a table ([card])", path=str(path), rule="build-settings")
    try:  # the card's keys and types are checked now, not after convert and pre-annotate have run
        card_text_from_settings(data.get("card", {}), CardText("", ""), where="[card]")
    except UsageError as exc:
        raise InputError(exc.message, path=str(path), rule="build-settings", hint=exc.hint) from None
    settings = BuildSettings(**data)
    parse_version(settings.version)
    return settings


def latest_previous(releases: Path, version: str) -> Path | None:
    """The highest existing version below ``version`` (its splits bind the new one), if any."""
    target = parse_version(version)
    found = []
    for folder in releases.iterdir() if releases.is_dir() else ():
        try:
            number = parse_version(folder.name)
        except UsageError:
            continue  # temporary folders and strays
        if number < target and (folder / "manifest.json").is_file():
            found.append((number, folder))
    return max(found)[1] if found else None


def convert_step(root: Path, result: BuildResult, *, quiet: bool) -> None:
    from toolkit.convert.run import convert

    seeds = root / "seeds"
    if not seeds.is_dir():
        result.steps.append(BuildStep("convert", "skipped", "no seeds/ folder"))
        return
    summary = convert(sources=[seeds], output=root / TASKS_FILE, options=ConvertOptions(), quiet=quiet)
    result.steps.append(BuildStep("convert", "done", f"seeds/ -> {TASKS_FILE} ({summary.records} records)"))


def preannotate_step(root: Path, result: BuildResult, *, quiet: bool) -> None:
    from toolkit.preannotate.run import preannotate

    tasks = root / TASKS_FILE
    if not tasks.is_file():
        result.steps.append(BuildStep("preannotate", "skipped", f"no {TASKS_FILE}"))
        return
    preannotate(input=tasks, output=root / PRE_FILE, options=PreannotateOptions(), quiet=quiet)
    result.steps.append(BuildStep("preannotate", "done", f"{TASKS_FILE} -> {PRE_FILE}"))


def validate_step(root: Path, gold: list[Path], result: BuildResult) -> None:
    from toolkit.options import ValidateOptions
    from toolkit.review.validate import validate

    report = validate(paths=[str(p) for p in gold], options=ValidateOptions(source_dir=root))
    if not report.ok:
        raise ValidationFailedError(report)
    result.steps.append(
        BuildStep("validate", "done", f"{len(gold)} gold files, {report.records} records: ok")
    )


def _card(root: Path, settings: BuildSettings) -> CardText:
    card = card_text_from_settings(settings.card, default_card_text(settings.name), where=str(SETTINGS_FILE))
    guidelines = root / GUIDELINES_FILE
    return replace(card, guidelines=read_utf8(guidelines) if guidelines.is_file() else None)


@dataclass
class ReleaseScorer:
    """Benchmarks the baselines on the test split of a release before it is sealed (package_dataset's
    ``score_release``), writing the report into a temporary folder beside ``reports/NAME-VERSION``."""

    root: Path
    settings: BuildSettings
    report_dir: Path | None = None

    @property
    def target(self) -> Path:
        return self.root / "reports" / f"{self.settings.name}-{self.settings.version}"

    def __call__(self, folder: Path, label_sets: dict[str, list[str]]) -> dict[str, Any] | None:
        from toolkit.benchmark.run import benchmark_records
        from toolkit.packaging.release import read_split_records

        options = BenchmarkOptions()  # the documented defaults: the test split, seed 0, 1,000 resamples
        if not (folder / "data" / "full" / f"{options.split}.parquet").is_file():
            return None
        self.discard()
        self.target.parent.mkdir(parents=True, exist_ok=True)
        self.report_dir = Path(
            tempfile.mkdtemp(prefix=f".{self.target.name}.", suffix=".tmp", dir=self.target.parent)
        )
        self.report_dir.chmod(0o755)  # mkdtemp makes it private; a report is meant to be read by others
        release = Path("dist") / self.settings.name / self.settings.version
        report = benchmark_records(
            gold=lambda: read_split_records(folder, options.split),
            systems=baseline_systems(),
            output_dir=self.report_dir,
            options=options,
            declared_labels=label_sets.get("entities"),
            event_types=label_sets.get("event_types"),
            dataset={"path": release.as_posix(), "split": options.split, "version": self.settings.version},
        )
        return report.data

    def place(self, *, keep_existing: bool) -> str:
        """Move the report into ``reports/NAME-VERSION``; "unchanged" when an existing one is kept."""
        if self.report_dir is None:
            return "skipped"
        if keep_existing and (self.target / "report.json").is_file():
            self.discard()
            return "unchanged"
        if self.target.exists():
            shutil.rmtree(self.target)
        self.report_dir.rename(self.target)
        self.report_dir = None
        return "done"

    def discard(self) -> None:
        if self.report_dir is not None and self.report_dir.exists():
            shutil.rmtree(self.report_dir)
        self.report_dir = None


def _kept_scores(target: Path) -> Any:
    """Without a benchmark, a rebuild of an existing version reuses the scores its manifest holds, so
    ``--no-benchmark`` compares equal to a build that benchmarked."""
    manifest = target / "manifest.json"
    scores = orjson.loads(manifest.read_bytes()).get("baselines") if manifest.is_file() else None
    return (lambda folder, label_sets: scores) if scores else None


def package_step(
    root: Path,
    gold: list[Path],
    settings: BuildSettings,
    result: BuildResult,
    *,
    scorer: ReleaseScorer | None,
    quiet: bool,
) -> str:
    """Package the gold; returns the status ("done" or "unchanged")."""
    releases = root / "dist" / settings.name
    previous = latest_previous(releases, settings.version)
    score_release = scorer if scorer is not None else _kept_scores(releases / settings.version)
    try:
        packaged = package_dataset(
            inputs=gold,
            name=settings.name,
            version=settings.version,
            output_dir=root / "dist",
            previous=previous,
            card=_card(root, settings),
            score_release=score_release,
            if_exists="compare",
            quiet=quiet,
            options=PackageOptions(
                splits=settings.splits,
                seed=settings.seed,
                group_by=settings.group_by,
                date=settings.date,
                validate=False,
                source_dir=root,
            ),
        )
    except OverwriteError as exc:
        raise OverwriteError(exc.message, hint=f"bump version in {SETTINGS_FILE}") from None
    result.dataset_dir = packaged.dataset_dir
    where = (
        packaged.dataset_dir.relative_to(root)
        if packaged.dataset_dir.is_relative_to(root)
        else packaged.dataset_dir
    )
    splits = ", ".join(f"{s} {c['records']}" for s, c in packaged.splits.items())
    if packaged.status == "unchanged":
        detail = f"{where} already holds exactly this release ({splits})"
    else:
        detail = f"{packaged.records} records -> {where} ({splits})"
        detail += f"; splits bound by {previous.name}" if previous else ""
    status = packaged.status if packaged.status == "unchanged" else "done"
    result.steps.append(BuildStep("package", status, detail))
    return status


def benchmark_step(root: Path, scorer: ReleaseScorer, result: BuildResult, *, unchanged: bool) -> None:
    """Keep the report of the benchmark the package step ran on the release."""
    where = scorer.target.relative_to(root)
    status = scorer.place(keep_existing=unchanged)
    if status == "skipped":
        result.steps.append(BuildStep("benchmark", "skipped", "the dataset has no test split"))
        return
    result.report_dir = scorer.target
    detail = f"{where} is up to date" if status == "unchanged" else f"baselines on the test split -> {where}"
    result.steps.append(BuildStep("benchmark", status, detail + " (scores in the card)"))


def build(*, root: str | Path = ".", benchmark: bool = True, quiet: bool = True) -> BuildResult:
    """Run the chain on ``root`` (a checkout with seeds/ and annotations/); returns what each step did."""
    folder = Path(root).resolve()
    if not folder.is_dir():
        raise UsageError(f"--root {root}: no such folder")
    settings = load_settings(folder)
    result = BuildResult(root=folder)
    # Paths recorded in outputs (meta.source, manifest, report) stay relative to the project, so a build in
    # another checkout writes the same bytes.
    with contextlib.chdir(folder):
        _run_steps(Path("."), settings, result, benchmark=benchmark, quiet=quiet)
    if result.dataset_dir is not None:
        result.dataset_dir = folder / result.dataset_dir
    if result.report_dir is not None:
        result.report_dir = folder / result.report_dir
    return result


def _run_steps(
    root: Path, settings: BuildSettings, result: BuildResult, *, benchmark: bool, quiet: bool
) -> None:
    convert_step(root, result, quiet=quiet)
    preannotate_step(root, result, quiet=quiet)
    gold = sorted((root / GOLD_DIR).glob("*.jsonl"))
    if not gold:
        for step in ("validate", "package", "benchmark"):
            result.steps.append(BuildStep(step, "skipped", f"no gold annotations in {GOLD_DIR}/ yet"))
        return
    validate_step(root, gold, result)
    scorer = ReleaseScorer(root, settings) if benchmark else None
    try:
        status = package_step(root, gold, settings, result, scorer=scorer, quiet=quiet)
        if scorer is not None:
            benchmark_step(root, scorer, result, unchanged=status == "unchanged")
        else:
            result.steps.append(BuildStep("benchmark", "skipped", "--no-benchmark"))
    finally:
        if scorer is not None:
            scorer.discard()
