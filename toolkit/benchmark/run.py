"""Benchmark extraction systems (the baseline, a spaCy pipeline, a predictions file) on a dataset split.

``run_benchmark`` reads a packaged split, runs every system on copies of the gold records with their
annotations stripped, scores the predictions with ``toolkit.benchmark.scoring``, adds bootstrap confidence
intervals and paired tests, and writes report.json, report.md, per_label_f1.png and each system's
predictions into the report folder. A system that fails to load or run is named in the report and the
others still run. Scores are deterministic for a seed; only the timing fields vary between runs.
"""

from __future__ import annotations

import abc
import itertools
import re
import time
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import msgspec
import orjson

from toolkit.benchmark import scoring
from toolkit.errors import InputError, ToolkitError, UsageError
from toolkit.jsonl import atomic_output, dumps_record, read_records_with_lines
from toolkit.labels import CONLL_LABELS, ONTONOTES_LABELS, PLOVER_TYPES
from toolkit.options import BenchmarkOptions, PreannotateOptions
from toolkit.progress import track
from toolkit.record import Record, Role, Span

GoldSource = Callable[[], Iterable[Record]]
LabelMap = dict[str, str | None]
CATS_THRESHOLD = 0.5
EXAMPLES_KEPT = 5


class _Ended:
    """Marks the end of the shorter stream when a system returns too few or too many records."""


_ENDED = _Ended()


# Systems: one class per kind, one hook (``predict``); a registry maps the spec prefix to the class --------


@dataclass
class SystemSettings:
    """What every system needs to know about the run."""

    tasks: tuple[str, ...]
    model: str | None = None


class System(abc.ABC):
    """An extraction system: ``predict`` yields one record (or None: no prediction) per input, in order."""

    kind: ClassVar[str]
    needs_argument: ClassVar[bool] = True

    def __init__(self, spec: str, argument: str, settings: SystemSettings) -> None:
        self.spec = spec
        self.argument = argument
        self.settings = settings
        self.notes: dict[str, Any] = {}

    @abc.abstractmethod
    def load(self) -> None:
        """Load models or files; raising here marks the system as failed."""

    def tasks(self) -> tuple[str, ...]:
        """The tasks this system predicts at all (others are not scored for it)."""
        return self.settings.tasks

    @abc.abstractmethod
    def predict(self, records: Iterable[Record]) -> Iterator[Record | None]:
        """One prediction (or None) per record, in the order given."""

    def where(self, record: Record) -> str | None:
        """Where a prediction came from, for messages (a file and line), when the system knows."""
        return None


class BaselineSystem(System):
    """The toolkit's own pre-annotators, as ``toolkit preannotate`` runs them."""

    kind = "baseline"
    needs_argument = False

    def load(self) -> None:
        from toolkit.preannotate.pipeline import build_pipeline

        self._options = PreannotateOptions(
            tasks=self.settings.tasks, model=self.argument or self.settings.model
        )
        # The pipeline is cached per process: building it here keeps model loading out of the speed figure.
        build_pipeline(model=self._options.model, tasks=self._options.tasks)

    def predict(self, records: Iterable[Record]) -> Iterator[Record | None]:
        from toolkit.preannotate.run import preannotate_records

        yield from preannotate_records(records, options=self._options)


class SpacySystem(System):
    """Any spaCy pipeline, read as ``toolkit.training.predict`` reads it: ``doc.ents`` and span groups give
    entities, the span keys ``quotes``/``quote_speakers``/``quote_cues`` quotes, ``doc.cats`` event types."""

    kind = "spacy"

    def load(self) -> None:
        from toolkit.models import load_pipeline, model_source
        from toolkit.training import predict

        self._nlp = load_pipeline(self.argument)
        self._source = model_source(self._nlp)
        self._predict = predict
        self._has_cats = predict.predicts_cats(self._nlp)
        self._has_quotes = predict.predicts_quotes(self._nlp)

    def tasks(self) -> tuple[str, ...]:
        predicted = {"entities"} | ({"events"} if self._has_cats else set())
        predicted |= {"quotes"} if self._has_quotes else set()
        return tuple(t for t in self.settings.tasks if t in predicted)

    def predict(self, records: Iterable[Record]) -> Iterator[Record | None]:
        pairs = ((self._predict.doc_for_record(self._nlp, record), record) for record in records)
        for doc, record in self._nlp.pipe(pairs, as_tuples=True):
            predicted, misaligned = self._predict.predicted_record(doc, record, source=self._source)
            self.notes["spans_off_gold_tokens"] = self.notes.get("spans_off_gold_tokens", 0) + misaligned
            yield predicted


class FileSystem(System):
    """Canonical records from a JSONL file, matched to the gold records by ``meta.id``."""

    kind = "file"

    def load(self) -> None:
        self._by_id: dict[str, Record] = {}
        self._lines: dict[str, int] = {}
        for line, record in read_records_with_lines(self.argument):
            if record.meta.id is None:
                raise InputError(
                    "prediction without meta.id", path=self.argument, line=line, rule="missing-id"
                )
            if record.meta.id in self._by_id:
                raise InputError(
                    f"meta.id {record.meta.id!r} predicted twice",
                    path=self.argument,
                    line=line,
                    rule="duplicate-id",
                )
            self._by_id[record.meta.id] = record
            self._lines[record.meta.id] = line

    def where(self, record: Record) -> str | None:
        line = self._lines.get(record.meta.id or "")
        return None if line is None else f"{self.argument}:{line}"

    def predict(self, records: Iterable[Record]) -> Iterator[Record | None]:
        used: set[str] = set()
        for record in records:
            ident = record.meta.id
            found = None if ident is None else self._by_id.get(ident)
            if ident is not None and found is not None:
                used.add(ident)
            yield found
        extra = sorted(set(self._by_id) - used)
        self.notes["ids_not_in_split"] = len(extra)
        self.notes["ids_not_in_split_examples"] = extra[:EXAMPLES_KEPT]


SYSTEM_KINDS: dict[str, type[System]] = {cls.kind: cls for cls in (BaselineSystem, SpacySystem, FileSystem)}


def parse_system(spec: str, settings: SystemSettings) -> System:
    """``baseline[:MODEL]``, ``spacy:NAME_OR_PATH`` or ``file:PREDICTIONS.jsonl``."""
    kind, _, argument = spec.partition(":")
    cls = SYSTEM_KINDS.get(kind)
    if cls is None:
        raise UsageError(
            f"--system {spec}: unknown kind {kind!r}", hint=f"use one of {', '.join(SYSTEM_KINDS)}"
        )
    if cls.needs_argument and not argument:
        raise UsageError(f"--system {spec}: {kind} needs a value", hint=f"write {kind}:NAME_OR_PATH")
    return cls(spec, argument, settings)


# Label maps ------------------------------------------------------------------------------------------------


def load_label_map(name_or_path: str | None) -> LabelMap | None:
    """A named map (``conll``) or a JSON file {predicted: dataset label or null}, read as preannotate does."""
    if name_or_path is None:
        return None
    from toolkit.preannotate.entities import load_label_map as read_map

    return read_map(name_or_path)


def apply_label_map(record: Record, mapping: LabelMap | None) -> tuple[Record, int]:
    """Predicted entity and event labels renamed; labels mapped to null are dropped (and counted)."""
    if not mapping:
        return record, 0
    spans = [msgspec.structs.replace(s, label=mapping.get(s.label, s.label)) for s in record.spans]
    events = [msgspec.structs.replace(e, label=mapping.get(e.label, e.label)) for e in record.events]
    kept_spans = [s for s in spans if s.label is not None]
    kept_events = [e for e in events if e.label is not None]
    dropped = len(spans) - len(kept_spans) + len(events) - len(kept_events)
    return msgspec.structs.replace(record, spans=kept_spans, events=kept_events), dropped


# Running one system ----------------------------------------------------------------------------------------


def strip_annotations(record: Record) -> Record:
    """A copy of a gold record as a system must see it: text, tokens and meta, no answers."""
    return msgspec.structs.replace(record, spans=[], quotes=[], events=[], answer=None)


@dataclass
class SystemRun:
    """One system's outcome: its counts per resampling unit, or why it failed."""

    name: str
    status: str = "ok"
    error: str | None = None
    tasks: tuple[str, ...] = ()
    records: int = 0
    load_seconds: float = 0.0
    predict_seconds: float = 0.0
    missing: int = 0
    missing_examples: list[str] = field(default_factory=list)
    text_mismatch: int = 0
    bad_offsets: int = 0
    bad_offset_examples: list[str] = field(default_factory=list)
    dropped_by_label_map: int = 0
    notes: dict[str, Any] = field(default_factory=dict)
    groups: dict[str, Counter[scoring.Key]] = field(default_factory=dict)

    @property
    def records_per_second(self) -> float:
        return self.records / self.predict_seconds if self.predict_seconds > 0 else 0.0


def _timed(items: Iterator[Any], run: SystemRun) -> Iterator[Any]:
    """Yield from ``items`` adding the time spent producing them (not consuming them) to the run."""
    while True:
        started = time.perf_counter()
        try:
            item = next(items)
        except StopIteration:
            return
        finally:
            run.predict_seconds += time.perf_counter() - started
        yield item


@dataclass
class Split:
    """What one pass over the gold records learns: size, units, labels, and which tasks it annotates."""

    records: int
    documents: int
    unit_kind: str
    units: list[str]
    entity_labels: tuple[str, ...]
    annotated_tasks: tuple[str, ...]


def survey_split(records: Iterable[Record]) -> Split:
    """One streaming pass over the gold records."""
    labels: set[str] = set()
    annotated: set[str] = set()

    def watched() -> Iterator[Record]:
        for record in records:
            labels.update(span.label for span in record.spans)
            annotated.update(
                task
                for task, items in (
                    ("entities", record.spans),
                    ("quotes", record.quotes),
                    ("events", record.events),
                )
                if items
            )
            yield record

    unit_kind, units = scoring.resampling_units(watched())
    documents = len(set(units)) if unit_kind == "document" else 1
    tasks = tuple(t for t in scoring.TASKS if t in annotated)
    return Split(len(units), documents, unit_kind, units, tuple(sorted(labels)), tasks)


def known_entity_labels(
    gold_labels: Collection[str], declared: Collection[str] | None
) -> tuple[str, ...] | None:
    """The dataset's label set: as its manifest declares it, else the scheme that holds every gold label
    (CoNLL, OntoNotes, else the gold labels themselves); None when nothing tells (no labels at all)."""
    if declared:
        return tuple(sorted(declared))
    if not gold_labels:
        return None
    for scheme in (CONLL_LABELS, ONTONOTES_LABELS):
        if set(gold_labels) <= set(scheme):
            return tuple(sorted(scheme))
    return tuple(sorted(gold_labels))


def run_system(
    system: System,
    gold: GoldSource,
    *,
    units: list[str],
    label_map: LabelMap | None,
    entity_labels: Collection[str] | None,
    predictions_path: Path,
    event_types: Collection[str] | None = PLOVER_TYPES,
    quiet: bool = True,
) -> SystemRun:
    """Load and run one system over the split and count what it got right; failures are kept, not raised."""
    run = SystemRun(name=system.spec)
    try:
        started = time.perf_counter()
        system.load()
        run.load_seconds = time.perf_counter() - started
        run.tasks = system.tasks()
        predictions = _timed(iter(system.predict(strip_annotations(r) for r in gold())), run)
        with atomic_output(predictions_path, "wb") as out:
            pairs = itertools.zip_longest(gold(), predictions, units, fillvalue=_ENDED)
            for record, pred, unit in track(pairs, description=system.spec, total=len(units), quiet=quiet):
                if isinstance(record, _Ended) or isinstance(pred, _Ended) or isinstance(unit, _Ended):
                    raise ToolkitError(
                        f"the system returned a different number of records than the "
                        f"{len(units)} it was given"
                    )
                pred = _checked_prediction(record, pred, run)
                pred = _fitting_offsets(pred, run, where=system.where)
                pred, dropped = apply_label_map(pred, label_map)
                run.dropped_by_label_map += dropped
                out.write(dumps_record(pred) + b"\n")
                tally = scoring.tally_pair(
                    record, pred, tasks=run.tasks, entity_labels=entity_labels, event_types=event_types
                )
                run.groups.setdefault(unit, Counter()).update(tally)
                run.records += 1
    except Exception as exc:  # noqa: BLE001 - any failure of one system must not stop the others
        return SystemRun(name=system.spec, status="failed", error=_describe(exc))
    run.notes = dict(sorted(system.notes.items()))
    return run


def _describe(exc: Exception) -> str:
    return str(exc) if isinstance(exc, ToolkitError) else f"{type(exc).__name__}: {exc}"


def _checked_prediction(gold: Record, pred: Record | None, run: SystemRun) -> Record:
    """The prediction to score: an empty one when it is missing or was made on a different text."""
    empty = strip_annotations(gold)
    if pred is None:
        run.missing += 1
        if len(run.missing_examples) < EXAMPLES_KEPT:
            run.missing_examples.append(str(gold.meta.id))
        return empty
    if pred.text != gold.text:
        run.text_mismatch += 1
        return empty
    return pred


def offset_problem(role: Span | Role, length: int) -> str | None:
    """Why a predicted range cannot be a span of a text of ``length`` characters, or None when it can."""
    start, end = role.start, role.end
    if start < 0 or end < 0:
        return "negative"
    if end < start:
        return "reversed"
    if end == start:
        return "empty"
    if end > length:
        return f"past the end of the text ({length} characters)"
    return None


def _fitting_offsets(pred: Record, run: SystemRun, *, where: Callable[[Record], str | None]) -> Record:
    """The prediction without the items whose offsets do not fit its text, each counted and the first few
    described. They are scored as missing: such an item is not a prediction about this text, so it neither
    counts as predicted nor matches anything (the gold it may have meant is a miss). An event keeps its type,
    which is what is scored, and loses only a bad trigger; a quote loses a bad speaker or cue, and is dropped
    when its content is bad."""
    length = len(pred.text)
    found: list[str] = []

    def fits(kind: str, role: Span | Role | None) -> bool:
        problem = None if role is None else offset_problem(role, length)
        if role is not None and problem is not None:
            found.append(f"{kind} {role.start}-{role.end} {problem}")
        return problem is None

    spans = [s for s in pred.spans if fits(f"entity {s.label}", s)]
    quotes = []
    for quote in pred.quotes:
        if fits("quote content", quote.content):
            speaker = quote.speaker if fits("quote speaker", quote.speaker) else None
            cue = quote.cue if fits("quote cue", quote.cue) else None
            quotes.append(msgspec.structs.replace(quote, speaker=speaker, cue=cue))
    events = [
        e if fits(f"event {e.label} trigger", e.trigger) else msgspec.structs.replace(e, trigger=None)
        for e in pred.events
    ]
    if not found:
        return pred
    run.bad_offsets += len(found)
    place = where(pred)
    for problem in found[: EXAMPLES_KEPT - len(run.bad_offset_examples)]:
        run.bad_offset_examples.append(f"{pred.meta.id}{f' ({place})' if place else ''}: {problem}")
    return msgspec.structs.replace(pred, spans=spans, quotes=quotes, events=events)


# The whole benchmark ---------------------------------------------------------------------------------------


@dataclass
class BenchmarkReport:
    """Everything report.json holds, plus the paths written."""

    data: dict[str, Any]
    paths: dict[str, Path]

    @property
    def systems(self) -> list[dict[str, Any]]:
        return self.data["systems"]

    @property
    def ran(self) -> list[str]:
        return [s["name"] for s in self.systems if s["status"] == "ok"]

    @property
    def failed(self) -> list[dict[str, Any]]:
        return [s for s in self.systems if s["status"] != "ok"]

    @property
    def warnings(self) -> list[str]:
        """What a person must know before trusting the scores: predictions whose offsets did not fit."""
        return [
            f"system {s['name']}: predicted offsets that do not fit their text (negative, reversed, empty or "
            f"past its end): {s['bad_offsets']}, scored as missing; first: {s['bad_offset_examples'][0]}"
            for s in self.systems
            if s.get("bad_offsets")
        ]


def _slug(spec: str) -> str:
    """A file name for a system's predictions: its spec with path separators and the like replaced."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", spec.removesuffix(".jsonl")).strip("_") or "system"


def benchmark_records(
    *,
    gold: GoldSource,
    systems: Iterable[str],
    output_dir: str | Path,
    options: BenchmarkOptions = BenchmarkOptions(),
    declared_labels: Collection[str] | None = None,
    event_types: Collection[str] | None = PLOVER_TYPES,
    dataset: dict[str, Any] | None = None,
    quiet: bool = True,
) -> BenchmarkReport:
    """Score ``systems`` on the records ``gold()`` yields (called once per pass) and write the report."""
    from toolkit.benchmark.report import write_report

    specs = list(systems)
    if not specs:
        raise UsageError("no --system given", hint="e.g. --system baseline --system spacy:en_core_web_sm")
    if len(set(specs)) != len(specs):
        raise UsageError("a --system is given twice")
    mapping = load_label_map(options.label_map)
    split = survey_split(gold())
    # Unless asked for, the tasks are those the split annotates.
    tasks = options.tasks if options.tasks is not None else split.annotated_tasks or scoring.TASKS
    settings = SystemSettings(tasks=tasks, model=options.model)
    parsed = [parse_system(spec, settings) for spec in specs]
    entity_labels = known_entity_labels(split.entity_labels, declared_labels)
    output = Path(output_dir)
    runs = [
        run_system(
            system,
            gold,
            units=split.units,
            label_map=mapping,
            entity_labels=entity_labels,
            predictions_path=output / "predictions" / f"{i + 1:02d}-{_slug(system.spec)}.jsonl",
            event_types=event_types,
            quiet=quiet,
        )
        for i, system in enumerate(parsed)
    ]
    data = {
        "dataset": {
            **(dataset or {}),
            "records": split.records,
            "documents": split.documents,
            "resampling_unit": split.unit_kind,
            "resampling_units": len(dict.fromkeys(split.units)),
            "annotated_tasks": list(split.annotated_tasks),
            "entity_labels": list(entity_labels) if entity_labels is not None else None,
        },
        "settings": {
            "tasks": list(settings.tasks),
            "seed": options.seed,
            "n_bootstrap": options.n_bootstrap,
            "confidence": 0.95,
            "label_map": options.label_map,
            "baseline_model": options.model,
        },
        "systems": [],
        "comparisons": [],
    }
    units = list(dict.fromkeys(split.units))
    _add_scores(data, runs, units=units, seed=options.seed, n_bootstrap=options.n_bootstrap)
    return BenchmarkReport(data=data, paths=write_report(data, output))


def _add_scores(
    data: dict[str, Any], runs: list[SystemRun], *, units: list[str], seed: int, n_bootstrap: int
) -> None:
    samples: dict[str, dict[str, Any]] = {}
    points: dict[str, dict[str, float]] = {}
    for run in runs:
        entry: dict[str, Any] = {"name": run.name, "status": run.status}
        if run.status != "ok":
            data["systems"].append({**entry, "error": run.error})
            continue
        groups = [run.groups.get(unit, Counter()) for unit in units]
        total = sum(groups, Counter())
        events = scoring.event_labels_of(total)
        # A Counter gives 0 for a key it never saw.
        points[run.name] = scoring.headline_scores(total.__getitem__, tasks=run.tasks, event_labels=events)
        samples[run.name] = scoring.bootstrap_scores(
            groups, tasks=run.tasks, event_labels=events, n_bootstrap=n_bootstrap, seed=seed
        )
        entry |= {
            "tasks": list(run.tasks),
            "records": run.records,
            "records_per_second": run.records_per_second,
            "load_seconds": run.load_seconds,
            "predict_seconds": run.predict_seconds,
            "missing_predictions": run.missing,
            "missing_examples": run.missing_examples,
            "text_mismatch": run.text_mismatch,
            "bad_offsets": run.bad_offsets,
            "bad_offset_examples": run.bad_offset_examples,
            "dropped_by_label_map": run.dropped_by_label_map,
            "notes": run.notes,
            "headline": {
                name: {
                    "value": value,
                    "ci95": list(scoring.confidence_interval(samples[run.name][name]))
                    if n_bootstrap
                    else None,
                }
                for name, value in points[run.name].items()
            },
            "scores": scoring.summarize(total, tasks=run.tasks),
        }
        data["systems"].append(entry)
    for a, b in itertools.combinations([r.name for r in runs if r.status == "ok"], 2):
        for metric in sorted(set(points[a]) & set(points[b])):
            if not metric.endswith(".f1"):
                continue
            diff = points[a][metric] - points[b][metric]
            p_value = (
                scoring.paired_p_value(samples[a][metric], samples[b][metric], diff) if n_bootstrap else None
            )
            data["comparisons"].append(
                {"a": a, "b": b, "metric": metric, "difference": diff, "p_value": p_value}
            )


def run_benchmark(
    *,
    dataset_dir: str | Path,
    systems: Iterable[str],
    output_dir: str | Path,
    options: BenchmarkOptions = BenchmarkOptions(),
    quiet: bool = True,
) -> BenchmarkReport:
    """Score every system on one split of a dataset made by ``toolkit package``; writes the report folder."""
    from toolkit.packaging.release import read_split_records

    folder = Path(dataset_dir)
    if not folder.is_dir():
        raise InputError("no such dataset folder", path=str(dataset_dir), rule="missing-path")
    split = options.split
    next(read_split_records(folder, split), None)  # a missing split fails here, before any model loads
    label_sets = dataset_label_sets(folder)

    def gold() -> Iterator[Record]:
        return read_split_records(folder, split)

    return benchmark_records(
        gold=gold,
        systems=systems,
        output_dir=output_dir,
        options=options,
        declared_labels=label_sets.get("entities"),
        event_types=label_sets.get("event_types", PLOVER_TYPES),
        dataset={"path": str(dataset_dir), "split": split, "version": label_sets.get("version")},
        quiet=quiet,
    )


def dataset_label_sets(folder: Path) -> dict[str, Any]:
    """The label sets (and version) a packaged dataset declares in its manifest.json; {} without one."""
    path = folder / "manifest.json"
    if not path.is_file():
        return {}
    try:
        manifest = orjson.loads(path.read_bytes())
    except orjson.JSONDecodeError as exc:
        raise InputError(f"not valid JSON: {exc}", path=str(path), rule="manifest") from None
    label_sets = manifest.get("label_sets", {}) if isinstance(manifest, dict) else None
    if not isinstance(label_sets, dict):
        raise InputError("not a dataset manifest: no label_sets object", path=str(path), rule="manifest")
    return {**label_sets, "version": manifest.get("version")}
