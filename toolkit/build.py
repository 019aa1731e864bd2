"""``toolkit build``: the whole chain with defaults, from seeds/ to a packaged, benchmarked dataset in dist/.

Steps: convert ``seeds/`` to ``annotations/tasks/seed.jsonl``; pre-annotate that to
``annotations/pre/seed.jsonl``; validate ``annotations/gold/*.jsonl``; package them into ``dist/NAME/VERSION``
(name, version and split settings come from ``annotations/dataset.toml``, the one place they are kept);
benchmark the baselines on the test split into ``reports/NAME-VERSION/``. Rerunning is safe: convert and
pre-annotate are deterministic, and an existing version is compared with what the inputs give now
(identical: go on; different: stop and ask for a new version). A step whose inputs are missing is skipped
with a note rather than failing the chain.
"""

from __future__ import annotations

import contextlib
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path

from toolkit.errors import InputError, OverwriteError, UsageError
from toolkit.options import BenchmarkOptions, ConvertOptions, PreannotateOptions
from toolkit.packaging.card import CardText
from toolkit.packaging.release import (
    ValidationFailedError,
    default_card_text,
    package_dataset,
    parse_version,
)
from toolkit.packaging.splits import DEFAULT_RATIOS

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
    """The dataset's identity and split settings; read from annotations/dataset.toml."""

    name: str = "ukraine-liveblog"
    version: str = "1.0.0"
    group_by: str = "paragraph"
    seed: int = 0
    splits: str = DEFAULT_RATIOS
    license: str = "other"
    pretty_name: str | None = None
    description: str | None = None
    date: str | None = None


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
            hint=f"known keys: {', '.join(sorted(known))}",
        )
    for key, value in data.items():
        expected = int if key == "seed" else str
        if not isinstance(value, expected) or isinstance(value, bool):
            raise InputError(
                f"{key} = {value!r}: expected {'an integer' if expected is int else 'a string'}",
                path=str(path),
                rule="build-settings",
            )
    settings = BuildSettings(**data)
    parse_version(settings.version)
    return settings


def read_utf8(path: Path) -> str:
    """A settings or guidelines file as text; bytes that are not UTF-8 are an error naming file and line."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"invalid UTF-8 at byte {exc.start} ({exc.reason})",
            path=str(path),
            line=data.count(b"\n", 0, exc.start) + 1,
            rule="invalid-utf8",
            hint="convert the file to UTF-8",
        ) from None


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


def validate_step(root: Path, gold: list[Path], result: BuildResult) -> bool:
    from toolkit.review.validate import validate

    report = validate(paths=[str(p) for p in gold], labels=None, strict=False, source_dir=root)
    if not report.ok:
        raise ValidationFailedError(report)
    result.steps.append(
        BuildStep("validate", "done", f"{len(gold)} gold files, {report.records} records: ok")
    )
    return True


def _card(root: Path, settings: BuildSettings) -> CardText:
    card = default_card_text(settings.name)
    guidelines = root / GUIDELINES_FILE
    return replace(
        card,
        license=settings.license,
        pretty_name=settings.pretty_name or card.pretty_name,
        description=settings.description or card.description,
        guidelines=read_utf8(guidelines) if guidelines.is_file() else None,
    )


def package_step(
    root: Path,
    gold: list[Path],
    settings: BuildSettings,
    result: BuildResult,
    *,
    validated: bool,
    quiet: bool,
) -> None:
    releases = root / "dist" / settings.name
    previous = latest_previous(releases, settings.version)
    try:
        packaged = package_dataset(
            inputs=gold,
            name=settings.name,
            version=settings.version,
            output_dir=root / "dist",
            splits=settings.splits,
            seed=settings.seed,
            group_by=settings.group_by,
            date=settings.date,
            previous=previous,
            card=_card(root, settings),
            validate=not validated,
            source_dir=root,
            if_exists="compare",
            quiet=quiet,
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
    result.steps.append(
        BuildStep("package", packaged.status if packaged.status == "unchanged" else "done", detail)
    )


def benchmark_step(root: Path, settings: BuildSettings, result: BuildResult, *, quiet: bool) -> None:
    from toolkit.benchmark.run import run_benchmark

    report_dir = root / "reports" / f"{settings.name}-{settings.version}"
    unchanged = result.steps and result.steps[-1].status == "unchanged"
    options = BenchmarkOptions()  # the documented defaults: the test split, seed 0, 1,000 resamples
    split_file = f"{options.split}.parquet"
    if result.dataset_dir is None or not (result.dataset_dir / "data" / "full" / split_file).is_file():
        result.steps.append(BuildStep("benchmark", "skipped", f"the dataset has no {options.split} split"))
        return
    if unchanged and (report_dir / "report.json").is_file():
        result.report_dir = report_dir
        result.steps.append(
            BuildStep("benchmark", "unchanged", f"{report_dir.relative_to(root)} is up to date")
        )
        return
    run_benchmark(
        dataset_dir=result.dataset_dir,
        systems=baseline_systems(),
        output_dir=report_dir,
        options=options,
        quiet=quiet,
    )
    result.report_dir = report_dir
    where = report_dir.relative_to(root)
    result.steps.append(BuildStep("benchmark", "done", f"baselines on the {options.split} split -> {where}"))


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
    validated = validate_step(root, gold, result)
    package_step(root, gold, settings, result, validated=validated, quiet=quiet)
    if benchmark:
        benchmark_step(root, settings, result, quiet=quiet)
    else:
        result.steps.append(BuildStep("benchmark", "skipped", "--no-benchmark"))
