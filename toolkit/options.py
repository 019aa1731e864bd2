"""The settings of each stage as one frozen object, built once (by the CLI or a Python caller), passed down.

Each class's defaults are the documented defaults; the CLI takes its flags' defaults from them. A sharded run
sends the same object to every shard, and its completion markers keep the object's ``fingerprint()``: the
sha256 of the fields that shape the output, with a model pinned to its version and a file to its content,
so a rerun redoes a shard when any of them changed and skips it otherwise. Fields that only change speed
(processes, batch sizes) are marked ``TUNING`` and left out of it.

This module imports nothing heavy at the top (hashing and JSON only when a fingerprint is taken): command
modules read their defaults from it when ``--help`` is asked.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import Field, dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from toolkit.errors import UsageError
from toolkit.paths import file_sha256

if TYPE_CHECKING:
    from _typeshed import DataclassInstance
    from distributed import Client

TASKS: tuple[str, ...] = ("entities", "quotes", "events")
UNITS: tuple[str, ...] = ("sentence", "paragraph")
ENGINES: tuple[str, ...] = ("local", "dask")
# Words per batch: about 15 MB of working memory per 1,000 words with the full pipeline.
DEFAULT_BATCH_WORDS = 4000

# How a field enters the fingerprint (dataclass field metadata): pinned to a model's version or a file's
# content, or left out because it changes speed only.
_PIN = "fingerprint"
MODEL: dict[str, str] = {_PIN: "model"}
FILE: dict[str, str] = {_PIN: "file"}
TUNING: dict[str, str] = {_PIN: "tuning"}


# ---------------------------------------------------------------- fingerprints


def model_fingerprint(model: str | None) -> str | None:
    """``name@version`` of a pipeline package or folder, without importing spaCy: a new model version
    must not let a rerun keep shards made by the old one."""
    import importlib.metadata  # slow to import: only when a model is fingerprinted

    if model is None:
        return None
    folder = Path(model)
    if folder.exists():
        metas = [folder / "meta.json", *sorted(folder.glob("*/meta.json"))]
        meta = next((m for m in metas if m.is_file()), None)
        return f"{folder.resolve().as_posix()}@{file_sha256(meta)[:16] if meta else 'no-meta'}"
    try:
        return f"{model}@{importlib.metadata.version(model)}"
    except importlib.metadata.PackageNotFoundError:
        return model


def file_fingerprint(value: str | Mapping[str, str | None] | None) -> str | dict[str, str | None] | None:
    """A file option (a label map) by content, so editing the file reruns the shards; a built-in name or a
    mapping given from Python stands for itself."""
    if isinstance(value, Mapping):
        return dict(value)
    if value is None or not Path(value).is_file():
        return value
    return f"{value}@{file_sha256(value)[:16]}"


def fingerprint_of(identity: Mapping[str, Any]) -> str:
    """sha256 of the canonical JSON (sorted keys) of an options identity."""
    import hashlib

    import orjson

    return hashlib.sha256(orjson.dumps(identity, option=orjson.OPT_SORT_KEYS)).hexdigest()


class StageOptions:
    """What every options class shares: its identity (the output-shaping fields as JSON) and fingerprint."""

    __slots__ = ()
    __dataclass_fields__: ClassVar[dict[str, Field[Any]]]  # every subclass is a dataclass

    def identity(self) -> dict[str, Any]:
        """The fields that shape the output, as JSON values: models as ``name@version``, files by content,
        nested options by their own identity; tuning fields left out."""
        found: dict[str, Any] = {}
        for item in fields(self):
            value = getattr(self, item.name)
            pin = item.metadata.get(_PIN)
            if pin == "tuning":
                continue
            if isinstance(value, StageOptions):
                value = value.identity()
            elif pin == "model":
                value = model_fingerprint(value)
            elif pin == "file":
                value = file_fingerprint(value)
            found[item.name] = value
        return found

    def fingerprint(self) -> str:
        return fingerprint_of(self.identity())


OptionsT = TypeVar("OptionsT", bound="DataclassInstance")


def options_from(cls: type[OptionsT], flags: Mapping[str, Any]) -> OptionsT:
    """``cls`` built from the entries of ``flags`` named like its fields (a command's parameters; the others
    are not options of ``cls``). A new option is then a field here and a flag of the same name."""
    names = {item.name for item in fields(cls)}
    return cls(**{name: value for name, value in flags.items() if name in names})


def parse_tasks(tasks: str | Iterable[str]) -> tuple[str, ...]:
    """``"entities,quotes"`` or an iterable of task names, checked, in the toolkit's order."""
    names = [t.strip() for t in (tasks.split(",") if isinstance(tasks, str) else tasks) if t.strip()]
    unknown = sorted(set(names) - set(TASKS))
    if unknown or not names:
        problem = f"unknown task {','.join(unknown)}" if unknown else "no task given"
        raise UsageError(f"--tasks: {problem}", hint=f"choose from {','.join(TASKS)}")
    return tuple(t for t in TASKS if t in names)


def parse_optional_tasks(tasks: str | Iterable[str] | None) -> tuple[str, ...] | None:
    """``parse_tasks``, with None kept: the command takes the tasks its data annotates."""
    return None if tasks is None else parse_tasks(tasks)


# ---------------------------------------------------------------- the stages


@dataclass(frozen=True, slots=True)
class ReaderOptions(StageOptions):
    """Field names for JSONL and CSV, and whether bad items are skipped (and counted) instead of raised."""

    text_field: str = "text"
    id_field: str = "id"
    date_field: str = "date"
    title_field: str = "title"
    url_field: str = "url"
    source_field: str = "source"
    skip_invalid: bool = False


@dataclass(frozen=True, slots=True)
class ConvertOptions(StageOptions):
    """``toolkit convert``: which reader (``auto``: by extension), the unit of a record, the tokenizer's
    model (None: the default model), and the readers' own options."""

    format: str = "auto"
    unit: str = "sentence"
    model: str | None = field(default=None, metadata=MODEL)
    reader: ReaderOptions = field(default_factory=ReaderOptions)

    def __post_init__(self) -> None:
        if self.format != "auto":
            from toolkit.readers import READERS  # the registry names the formats; "auto" needs no import

            if self.format not in READERS:
                raise UsageError(f"--format {self.format!r}: choose one of {', '.join(('auto', *READERS))}")
        if self.unit not in UNITS:
            raise UsageError(f"--unit {self.unit!r}: choose one of {', '.join(UNITS)}")


@dataclass(frozen=True, slots=True)
class PreannotateOptions(StageOptions):
    """``toolkit preannotate``: the tasks, the spaCy model (None: the default), a label map (a built-in
    name, a JSON file or a mapping), a trained events model instead of the rules, whether bad lines are
    skipped; and, for speed only, processes and words per batch."""

    tasks: tuple[str, ...] = TASKS
    model: str | None = field(default=None, metadata=MODEL)
    label_map: str | Mapping[str, str | None] | None = field(default=None, metadata=FILE)
    events_model: str | None = field(default=None, metadata=MODEL)
    skip_invalid: bool = False
    n_process: int = field(default=1, metadata=TUNING)
    batch_words: int = field(default=DEFAULT_BATCH_WORDS, metadata=TUNING)

    def __post_init__(self) -> None:
        object.__setattr__(self, "tasks", parse_tasks(self.tasks))  # checked, in the toolkit's order
        if self.n_process < 1:
            raise UsageError(f"--n-process {self.n_process}: must be 1 or more")
        if self.batch_words < 1:
            raise UsageError(f"--batch-size {self.batch_words}: must be a positive number of words")


@dataclass(frozen=True, slots=True)
class BenchmarkOptions(StageOptions):
    """``toolkit benchmark``: the split scored, the tasks (None: those the split annotates), a label map for
    predicted labels, the model of the ``baseline`` system (None: the default), and the bootstrap."""

    split: str = "test"
    tasks: tuple[str, ...] | None = None
    label_map: str | None = field(default=None, metadata=FILE)
    model: str | None = field(default=None, metadata=MODEL)
    seed: int = 0
    n_bootstrap: int = 1000

    def __post_init__(self) -> None:
        object.__setattr__(self, "tasks", parse_optional_tasks(self.tasks))
        if self.n_bootstrap < 0:
            raise UsageError("--bootstrap must be 0 or more")


@dataclass(frozen=True, slots=True)
class ValidateOptions(StageOptions):
    """``toolkit validate``: a labels file (None: the built-in labels), the one entity scheme accepted (None:
    any), the folder that ``meta.source`` paths are relative to (None: the current one), whether warnings
    fail the check too, and whether every line goes through the full JSON Schema, not only rejected ones."""

    labels: str | Path | None = field(default=None, metadata=FILE)
    scheme: str | None = None
    source_dir: str | Path | None = None
    strict: bool = False
    full_schema: bool = False


@dataclass(frozen=True, slots=True)
class ExportOptions(StageOptions):
    """``toolkit export TOOL``: the view (or views, comma-separated: Label Studio takes several), the entity
    labels the tool offers (None: the records' scheme), and for doccano whether the project allows
    overlapping spans and the unit of its offsets (None: utf16, its editor's)."""

    view: str | tuple[str, ...] = "entities"
    labels: tuple[str, ...] | None = None
    allow_overlap: bool = False
    offsets: str | None = None


@dataclass(frozen=True, slots=True)
class ImportOptions(StageOptions):
    """``toolkit import TOOL``: whether answers whose record is not in the base records are written as new
    ones, the view an answer is read as when its file does not say, entity labels accepted beside the
    built-in schemes', the annotator of answers without one, whether doccano rows without labels are kept,
    and whether unreadable lines are skipped and counted instead of stopping the import."""

    allow_new: bool = False
    view: str | None = None
    labels: tuple[str, ...] | None = None
    annotator: str | None = None
    keep_empty: bool = False
    skip_invalid: bool = False


@dataclass(frozen=True, slots=True)
class PackageOptions(StageOptions):
    """``toolkit package``: how groups go to splits (ratios, seed, grouping; None takes the previous
    release's, else the defaults), the release date in the card, the entity scheme (``auto``: the one that
    covers the gold), a labels file (None: the built-in labels), DocBins, whether toolkit validate's rules
    run and where the sources are for its offset checks, and whether a new Hub repository is private."""

    splits: str | None = None
    seed: int | None = None
    group_by: str | None = None
    date: str | None = None
    entity_scheme: str = "auto"
    labels: str | Path | None = field(default=None, metadata=FILE)
    spacy: bool = True
    validate: bool = True
    source_dir: str | Path | None = None
    private: bool = False


@dataclass(frozen=True, slots=True)
class TrainOptions(StageOptions):
    """``toolkit train`` and ``toolkit train-curve``: the tasks trained (None: every task the release ships
    a config for), a pipeline whose ner the entities run fine-tunes (None: the one the config names), spaCy's
    loop (most epochs, evaluations without improvement before stopping, seed), and the validation score
    below which a task is left out of the pipeline (train-curve keeps every task)."""

    tasks: tuple[str, ...] | None = None
    base: str | None = field(default=None, metadata=MODEL)
    epochs: int = 30
    patience: int = 5
    seed: int = 0
    # A task whose main validation score stays below this learned nothing an annotator could use; it is left
    # out of the pipeline, so preannotate --model falls back to the rules for it (docs/training.md).
    min_f1: float = 0.1

    def __post_init__(self) -> None:
        object.__setattr__(self, "tasks", parse_optional_tasks(self.tasks))
        if self.epochs < 1:
            raise UsageError(f"--epochs {self.epochs}: must be at least 1")
        if self.patience < 1:
            raise UsageError(f"--patience {self.patience}: must be at least 1")
        if not 0.0 <= self.min_f1 <= 1.0:
            raise UsageError(f"--min-f1 {self.min_f1}: must be between 0 and 1")


# ---------------------------------------------------------------- where a stage runs


@dataclass(frozen=True, slots=True)
class EngineOptions:
    """Where a sharded run goes: ``local`` (this process, shard after shard) or ``dask``: an existing
    ``client`` (a notebook's, a test's), else a scheduler at ``scheduler``, else a local cluster of
    ``workers`` processes (default one per core)."""

    engine: str = "local"
    scheduler: str | None = None
    workers: int | None = None
    client: Client | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.engine not in ENGINES:
            raise UsageError(f"--engine {self.engine!r}: choose one of {', '.join(ENGINES)}")
        if self.engine == "local" and (self.scheduler or self.workers or self.client):
            raise UsageError("--scheduler and --workers need --engine dask")
        if self.scheduler and self.workers:
            raise UsageError(
                "--workers sizes a local cluster; with --scheduler, start them with `dask worker`"
            )
        if self.workers is not None and self.workers < 1:
            raise UsageError(f"--workers {self.workers}: must be 1 or more")

    @property
    def is_dask(self) -> bool:
        return self.engine == "dask"
