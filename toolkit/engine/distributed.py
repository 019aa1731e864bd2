"""Run convert or preannotate shard by shard, in-process or on Dask, resumable by per-shard markers.

A shard is one input file (a text, brat pair, CoNLL, JSONL or CSV file for convert; a JSONL or ``full``-config
Parquet file of records for preannotate). Each becomes ``OUT_DIR/<shard name>.jsonl``, written to a temporary
file and renamed into place; then ``OUT_DIR/.done/<shard name>.json`` records the input's sha256, the stage
options' fingerprint (``toolkit.options``) and the counts. A rerun skips a shard only when its marker, input
hash, options and output all still agree, so a worker killed mid-shard (its half-written temporary file never
counts) or a changed input is simply redone. Workers receive a small ``ShardJob`` (paths and the options
object), never a model: each worker process loads the pipeline once through ``toolkit.models``' per-process
cache. A shard runs the same stage function a local run does (``convert_records``, ``preannotate_input``).
"""

from __future__ import annotations

import abc
import contextlib
import dataclasses
import hashlib
import logging
import os
import shutil
import time
import uuid
from collections import Counter
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

import orjson

from toolkit import __version__
from toolkit.errors import InputError, MissingDependencyError, ToolkitError, UsageError
from toolkit.jsonl import STDIO, atomic_output, remove_stale_temporaries, write_records
from toolkit.options import (
    ConvertOptions,
    EngineOptions,
    PreannotateOptions,
    StageOptions,
    fingerprint_of,
)
from toolkit.paths import file_sha256
from toolkit.record import Record

if TYPE_CHECKING:
    from distributed import Client, Future

    from toolkit.convert.run import ConvertSummary
    from toolkit.preannotate.run import PreannotateSummary

OptionsT = TypeVar("OptionsT", bound=StageOptions)
SummaryT = TypeVar("SummaryT")
Records = Generator[Record, None, None]
DONE_FOLDER = ".done"
RECORD_SUFFIXES: tuple[str, ...] = (".jsonl", ".ndjson", ".parquet")
CONNECT_TIMEOUT = 15.0  # seconds, to reach a scheduler and for a first worker to join it
DASK_HINT = "pip install 'news-annotation-toolkit[dask]'"
# Settings for the workers of a LocalCluster. Dask starts worker processes with MALLOC_TRIM_THRESHOLD_=65536,
# which cost spaCy about 15% more CPU time here, and samples their stacks every 10 ms for a dashboard that is
# off; a shard's memory stays flat (the model plus a batch), so neither helps.
WORKER_CONFIG: dict[str, Any] = {
    "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None,
    "distributed.worker.profile.enabled": False,
}
# No dashboard, and the scheduler's small HTTP server on a free port: two runs at once must not clash on 8787.
QUIET_SCHEDULER: dict[str, Any] = {"dashboard_address": ":0", "scheduler_kwargs": {"dashboard": False}}
# Test hook for the worker-loss test: the process running the named shard exits abruptly, once, mid-shard
# (the flag file, created just before, keeps the retried task from crashing again).


@dataclass(frozen=True)
class Shard:
    """One input file: ``source`` as the user named it (what records and messages show), ``path`` absolute
    (what a worker opens, whatever its working folder), ``kind`` the reader, ``companions`` other files read
    with it (a brat ``.ann``)."""

    name: str
    source: str
    path: str
    kind: str
    companions: tuple[str, ...] = ()


@dataclass(frozen=True)
class ShardJob:
    """Everything a worker needs for one shard: small, plain and picklable.

    ``options`` is the stage's options object; ``identity`` is what of it shapes the output (its models
    pinned to their versions, computed once by the driver), whose fingerprint the marker keeps.
    """

    stage: str
    shard: Shard
    out_dir: str
    options: StageOptions
    identity: dict[str, Any]


@dataclass
class ShardResult:
    name: str
    records: int
    words: int
    resumed: bool
    worker: str
    seconds: float
    summary: dict[str, Any]


@dataclass
class ShardedRun(Generic[SummaryT]):
    """What a sharded run did: per-shard results in shard order, the stage's combined summary, timing."""

    stage: str
    engine: str
    out_dir: str
    output: str
    shards: list[ShardResult]
    summary: SummaryT
    seconds: float
    workers: int
    left_out: list[str] = field(default_factory=list)

    @property
    def records(self) -> int:
        return sum(r.records for r in self.shards)

    @property
    def done_before(self) -> int:
        return sum(r.resumed for r in self.shards)

    def per_worker(self) -> dict[str, tuple[int, int]]:
        """(shards, records) per worker for the shards this run processed, sorted by worker name."""
        shards: Counter[str] = Counter()
        records: Counter[str] = Counter()
        for result in self.shards:
            if not result.resumed:
                shards[result.worker] += 1
                records[result.worker] += result.records
        return {name: (shards[name], records[name]) for name in sorted(shards)}

    def rates(self) -> tuple[float, float]:
        """Records/s and words/s over this run's wall time, counting only shards processed now."""
        fresh = [r for r in self.shards if not r.resumed]
        seconds = max(self.seconds, 1e-9)
        return sum(r.records for r in fresh) / seconds, sum(r.words for r in fresh) / seconds


# ---------------------------------------------------------------- hashing


def shard_sha256(shard: Shard) -> str:
    """One hash over the shard's file and its companions, so an edited ``.ann`` also reruns the shard."""
    paths = (shard.path, *shard.companions)
    if len(paths) == 1:
        return file_sha256(shard.path)
    return hashlib.sha256("".join(file_sha256(p) for p in paths).encode()).hexdigest()


# ---------------------------------------------------------------- finding shards


def _absolute(path: str | Path) -> str:
    # abspath, not resolve(): a symlinked input keeps the name the user gave it.
    return Path(os.path.abspath(path)).as_posix()


def shard_names(sources: Sequence[str]) -> list[str]:
    """Output names: the file's stem, or its whole path flattened when two inputs share a stem."""
    stems = [Path(s).stem for s in sources]
    counts = Counter(stems)
    names = []
    for source, stem in zip(sources, stems, strict=True):
        if counts[stem] == 1:
            names.append(stem)
        else:
            parts = [p for p in Path(source).parts if p not in ("/", ".", "..")]
            names.append("__".join(parts))
    doubles = sorted(n for n, c in Counter(names).items() if c > 1)
    if doubles:
        raise UsageError(f"two inputs would write one output shard {doubles[0]}.jsonl", hint="rename one")
    return names


def convert_shards(sources: Sequence[str | Path], *, format: str = "auto") -> list[Shard]:
    """One shard per file ``toolkit convert`` would read, in the order it would read them."""
    from toolkit.convert.run import find_sources

    if any(str(s) == STDIO for s in sources):
        raise UsageError("standard input cannot be split into shards", hint="give files or folders")
    found = find_sources(sources, format=format)
    names = shard_names([path for path, _ in found])
    return [
        Shard(
            name=name,
            source=path,
            path=_absolute(path),
            kind=reader,
            companions=(_absolute(Path(path).with_suffix(".ann")),) if reader == "brat" else (),
        )
        for name, (path, reader) in zip(names, found, strict=True)
    ]


def record_shards(input: str | Path) -> list[Shard]:
    """One shard per JSONL or Parquet file of records: the file itself, or every one in a folder (recursively,
    sorted, hidden files and folders left out)."""
    from toolkit.readers.base import source_name

    if str(input) == STDIO:
        raise UsageError("standard input cannot be split into shards", hint="give a file or a folder")
    path = Path(input)
    if not path.exists():
        raise InputError("no such file or folder", path=source_name(input), rule="missing-path")
    if path.is_dir():
        files = [
            p
            for p in sorted(path.rglob("*"), key=lambda p: p.relative_to(path).parts)
            if p.is_file()
            and p.suffix.lower() in RECORD_SUFFIXES
            and not any(part.startswith(".") for part in p.relative_to(path).parts)
        ]
        if not files:
            raise InputError(
                "folder holds no .jsonl or .parquet files", path=source_name(input), rule="no-shards"
            )
    else:
        files = [path]
    given = [source_name(p) for p in files]
    return [
        Shard(
            name=name,
            source=source,
            path=_absolute(source),
            kind="parquet" if source.lower().endswith(".parquet") else "jsonl",
        )
        for name, source in zip(shard_names(given), given, strict=True)
    ]


# ---------------------------------------------------------------- stages


class Stage(abc.ABC, Generic[OptionsT, SummaryT]):
    """How one pipeline stage turns a shard into records, and how per-shard summaries add up."""

    name: ClassVar[str]

    def prepare(self, options: OptionsT, engine: EngineOptions) -> OptionsT:
        """The options every shard runs with: what depends on the machine (the default model) made explicit
        by the driver, so every worker runs what the driver fingerprinted."""
        return options

    def finish(self, run: ShardedRun[SummaryT]) -> None:
        """Checks across shards, once all are done."""

    @abc.abstractmethod
    def records(self, shard: Shard, options: OptionsT) -> tuple[Records, Callable[[], dict[str, Any]]]:
        """The shard's output records, streamed, and a function giving its summary once they are consumed."""

    @abc.abstractmethod
    def combine(self, summaries: list[dict[str, Any]]) -> SummaryT:
        """The stage's own summary object for the whole run."""


def _add_up(summaries: list[dict[str, Any]], *, first: Iterable[str] = ()) -> dict[str, Any]:
    """Numbers summed, lists joined in shard order, anything else (and the ``first`` keys) from the first."""
    total: dict[str, Any] = {}
    keep = set(first)
    for summary in summaries:
        for key, value in summary.items():
            if key not in total:
                total[key] = list(value) if isinstance(value, list) else value
            elif key in keep:
                continue
            elif isinstance(value, bool):
                total[key] = total[key] or value
            elif isinstance(value, int | float):
                total[key] = (total[key] or 0) + value
            elif isinstance(value, list):
                total[key].extend(value)
    return total


class ConvertStage(Stage[ConvertOptions, "ConvertSummary"]):
    name = "convert"

    def prepare(self, options: ConvertOptions, engine: EngineOptions) -> ConvertOptions:
        from toolkit.models import resolve_model_name

        return dataclasses.replace(options, model=resolve_model_name(options.model))

    def finish(self, run: ShardedRun[ConvertSummary]) -> None:
        _check_unique_documents(run)
        run.summary.output = run.output

    def records(self, shard: Shard, options: ConvertOptions) -> tuple[Records, Callable[[], dict[str, Any]]]:
        from toolkit.convert.run import ConvertSummary, convert_records

        summary = ConvertSummary()
        named = _ConvertedShard(shard)
        shard_options = dataclasses.replace(options, format=shard.kind)
        records = convert_records(sources=[named.path], options=shard_options, summary=summary)
        return named.records(records), lambda: named.summary(summary.as_dict())

    def combine(self, summaries: list[dict[str, Any]]) -> ConvertSummary:
        from toolkit.convert.run import ConvertSummary
        from toolkit.readers import Skipped

        total = _add_up(summaries, first=("output",))
        total.pop("doc_ids", None)
        total["skipped"] = [Skipped(**s) for s in total.get("skipped", [])]
        return ConvertSummary(**total) if summaries else ConvertSummary()


class _ConvertedShard:
    """Reads the shard by the name the user gave when it leads to the same file here, else by its absolute
    path, naming files as the user did all the same; notes the shard's doc ids and records.

    Readers write the path they opened into records (meta.source, brat's meta ``ann``) and messages, so a
    worker whose working folder differs from the user's (a remote cluster) must put the given names back for
    the output to be byte-identical to a local run. Doc ids let the driver check that no two shards use one
    (a local run checks that across files as it reads).
    """

    def __init__(self, shard: Shard) -> None:
        self.path = shard.source if _absolute(shard.source) == shard.path else shard.path
        self.given = Path(shard.source).parent.as_posix()
        self.absolute = Path(shard.path).parent.as_posix()
        self.renames = self.path != shard.source
        self.doc_ids: dict[str, None] = {}
        self.count = 0

    def text(self, value: str) -> str:
        if not self.renames:
            return value
        prefix = "" if self.given == "." else f"{self.given}/"
        return value.replace(f"{self.absolute}/", prefix)

    def _rename(self, record: Record) -> None:
        meta = record.meta
        if meta.source is not None:
            meta.source = self.text(meta.source)
        for key, value in meta.extra.items():
            if isinstance(value, str) and value.startswith(f"{self.absolute}/"):
                meta.extra[key] = self.text(value)

    def records(self, records: Iterator[Record]) -> Records:
        try:
            for record in records:
                if self.renames:
                    self._rename(record)
                if record.meta.doc_id is not None:
                    self.doc_ids[record.meta.doc_id] = None
                self.count += 1
                yield record
        except InputError as exc:
            exc.path = self.text(exc.path) if exc.path else exc.path
            raise

    def summary(self, summary: dict[str, Any]) -> dict[str, Any]:
        summary["warnings"] = [self.text(w) for w in summary.get("warnings", [])]
        for skipped in summary.get("skipped", []):
            skipped["path"] = self.text(skipped["path"])
            skipped["message"] = self.text(skipped["message"])
        summary["doc_ids"] = list(self.doc_ids)
        summary["records"] = self.count  # convert() counts what it writes; here the shard's writer does
        return summary


class PreannotateStage(Stage[PreannotateOptions, "PreannotateSummary"]):
    name = "preannotate"

    def prepare(self, options: PreannotateOptions, engine: EngineOptions) -> PreannotateOptions:
        from toolkit.models import resolve_model_name

        # Dask's worker processes are daemons (no children of their own): the workers are the parallelism.
        n_process = 1 if engine.is_dask else options.n_process
        return dataclasses.replace(options, model=resolve_model_name(options.model), n_process=n_process)

    def records(
        self, shard: Shard, options: PreannotateOptions
    ) -> tuple[Records, Callable[[], dict[str, Any]]]:
        from toolkit.preannotate.run import PreannotateSummary, preannotate_input

        summary = PreannotateSummary()
        records = preannotate_input(shard.path, name=shard.source, options=options, summary=summary)
        return records, lambda: dataclasses.asdict(summary)

    def combine(self, summaries: list[dict[str, Any]]) -> PreannotateSummary:
        from toolkit.preannotate.run import PreannotateSummary

        total = _add_up(summaries, first=("tasks", "model", "docs_per_batch"))
        if "tasks" in total:
            total["tasks"] = tuple(total["tasks"])
        return PreannotateSummary(**total) if summaries else PreannotateSummary()


CONVERT = ConvertStage()
PREANNOTATE = PreannotateStage()
STAGES: dict[str, Stage[Any, Any]] = {stage.name: stage for stage in (CONVERT, PREANNOTATE)}


# ---------------------------------------------------------------- one shard (runs on a worker)


def shard_output(out_dir: str | Path, name: str) -> Path:
    return Path(out_dir) / f"{name}.jsonl"


def shard_marker(out_dir: str | Path, name: str) -> Path:
    return Path(out_dir) / DONE_FOLDER / f"{name}.json"


def read_marker(path: Path) -> dict[str, Any] | None:
    try:
        marker = orjson.loads(path.read_bytes())
    except (FileNotFoundError, orjson.JSONDecodeError):
        return None  # no marker, or a damaged one: either way the shard is redone
    return marker if isinstance(marker, dict) else None


def is_done(marker: dict[str, Any] | None, *, state: dict[str, str], output: Path) -> bool:
    """A shard is finished only if everything that shaped its output is unchanged (its ``state``: stage,
    input name, reader, input hash, options fingerprint) and the output is intact."""
    if marker is None or not output.is_file():
        return False
    unchanged = all(marker.get(key) == value for key, value in state.items())
    return unchanged and marker.get("output_sha256") == file_sha256(output)


def shard_state(job: ShardJob) -> dict[str, str]:
    """What a finished shard's marker must hold for a rerun to skip it."""
    return {
        "stage": job.stage,
        "input": job.shard.source,
        "reader": job.shard.kind,
        "input_sha256": shard_sha256(job.shard),
        "options_sha256": fingerprint_of(job.identity),
    }


def _worker_name() -> str:
    try:
        from distributed import get_worker

        return str(get_worker().name)
    except (ImportError, ValueError):
        return "local"


class _Tally:
    """Counts records and words (tokens that are not white space) as they stream past."""

    def __init__(self) -> None:
        self.records = 0
        self.words = 0

    def count(self, records: Iterable[Record]) -> Iterator[Record]:
        for record in records:
            self.records += 1
            if record.tokens:
                self.words += sum(1 for token in record.tokens if not token.text.isspace())
            else:
                self.words += len(record.text.split())
            yield record


def run_shard(job: ShardJob) -> ShardResult:
    """Process one shard unless its marker says it is done; the same call in-process or on a worker."""
    started = time.perf_counter()
    shard, stage = job.shard, STAGES[job.stage]
    output, marker_path = shard_output(job.out_dir, shard.name), shard_marker(job.out_dir, shard.name)
    state = shard_state(job)
    marker = read_marker(marker_path)
    if marker is not None and is_done(marker, state=state, output=output):
        return ShardResult(
            shard.name,
            marker["records"],
            marker["words"],
            True,
            _worker_name(),
            time.perf_counter() - started,
            marker["summary"],
        )
    # The old marker goes first: from here on, a crash leaves the shard unfinished, never stale-but-done.
    marker_path.unlink(missing_ok=True)
    records, summary_of = stage.records(shard, job.options)
    tally = _Tally()
    with contextlib.closing(records):  # on any way out, so a stage's worker processes stop now
        write_records(output, tally.count(records))
    summary = summary_of()
    content = {
        **state,
        "shard": shard.name,
        "options": job.identity,
        "output_sha256": file_sha256(output),
        "records": tally.records,
        "words": tally.words,
        "summary": summary,
        "toolkit": __version__,
    }
    with atomic_output(marker_path, "wb") as handle:
        handle.write(orjson.dumps(content, option=orjson.OPT_SORT_KEYS | orjson.OPT_INDENT_2))
    return ShardResult(
        shard.name, tally.records, tally.words, False, _worker_name(), time.perf_counter() - started, summary
    )


# ---------------------------------------------------------------- the driver


def is_folder_path(path: str | Path) -> bool:
    """An existing folder, or a path ending with a slash (a folder to create)."""
    text = str(path)
    return text != STDIO and (Path(text).is_dir() or text.endswith(("/", os.sep)))


def output_is_folder(output: str | Path) -> bool:
    """``-o`` names a folder of shards when it is an existing folder or ends with a slash; else one file."""
    return is_folder_path(output)


def plan_output(output: str | Path) -> tuple[Path, Path | None]:
    """(folder the shards go to, the single file they are merged into or None)."""
    if str(output) == STDIO:
        raise UsageError("-o -: a sharded run writes files", hint="give a folder (ending in /) or a file")
    target = Path(output)
    if output_is_folder(output):
        return target, None
    # Kept beside the file so a rerun resumes; hidden so a folder of outputs stays a clean input.
    return target.parent / f".{target.name}.shards", target


def _split_inputs(shards: list[Shard], out_dir: Path, merged: Path | None) -> tuple[list[Shard], list[Shard]]:
    """(shards to run, inputs left out because they lie inside the output folder: earlier outputs).

    Outputs are written only inside the output folder, so once those inputs are left out no output shard
    can overwrite an input; a merged file still might.
    """
    inside = _absolute(out_dir) + "/"
    kept = [s for s in shards if not s.path.startswith(inside)]
    if not kept:
        raise UsageError(f"-o {out_dir}: every input lies inside the output folder", hint="write elsewhere")
    if merged is not None and _absolute(merged) in {p for s in kept for p in (s.path, *s.companions)}:
        raise UsageError(f"-o {merged}: is also an input; inputs are never overwritten")
    # Named again without the left-out files, so an earlier output never changes an input's shard name.
    names = shard_names([s.source for s in kept])
    kept = [dataclasses.replace(s, name=name) for s, name in zip(kept, names, strict=True)]
    return kept, [s for s in shards if s.path.startswith(inside)]


def _cores() -> int:
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


@contextlib.contextmanager
def dask_client(*, scheduler: str | None = None, workers: int | None = None) -> Iterator[Client]:
    """A client of the scheduler at ``scheduler``, or of a LocalCluster with one single-threaded worker per
    core (spaCy runs faster in processes than in threads)."""
    try:
        import dask
        from distributed import Client, LocalCluster
    except ImportError:
        raise MissingDependencyError("--engine dask needs dask.distributed", hint=DASK_HINT) from None
    if scheduler:
        try:
            client = Client(scheduler, timeout=CONNECT_TIMEOUT)
        except (OSError, TimeoutError) as exc:
            raise UsageError(f"--scheduler {scheduler}: cannot connect ({exc})") from None
        with client:
            try:
                client.wait_for_workers(1, timeout=CONNECT_TIMEOUT)
            except TimeoutError:
                raise UsageError(
                    f"--scheduler {scheduler}: no worker has joined it", hint="start some with `dask worker`"
                ) from None
            yield client
        return
    # Only critical log lines: a task's error reaches the caller as its exception, and the rest (a heartbeat
    # racing the shutdown) would print tracebacks after a run that went fine.
    with (
        dask.config.set(WORKER_CONFIG),
        LocalCluster(
            n_workers=workers or _cores(),
            threads_per_worker=1,
            processes=True,
            silence_logs=logging.CRITICAL,
            **QUIET_SCHEDULER,
        ) as cluster,
        Client(cluster) as client,
    ):
        yield client


def _run_local(jobs: list[ShardJob], *, quiet: bool) -> Iterator[ShardResult]:
    from toolkit.progress import track

    yield from track(
        (run_shard(job) for job in jobs), description=f"{jobs[0].stage} shards", total=len(jobs), quiet=quiet
    )


def _run_dask(jobs: list[ShardJob], client: Client, *, quiet: bool) -> Iterator[ShardResult]:
    from distributed import as_completed

    from toolkit.progress import track

    # pure=False: a rerun must execute again (and check markers), not reuse a result the scheduler remembers.
    run_token = uuid.uuid4().hex[:12]
    # Largest shards first: workers that free up take the small ones, so the run ends with no long tail.
    jobs = sorted(jobs, key=lambda job: -os.path.getsize(job.shard.path))
    keys = [f"{job.stage}-{job.shard.name}-{run_token}" for job in jobs]
    futures = client.map(run_shard, jobs, pure=False, key=keys)
    try:
        for future in track(
            as_completed(futures), description=f"{jobs[0].stage} shards", total=len(jobs), quiet=quiet
        ):
            yield _result_of(future)
    finally:
        client.cancel(futures)


def _result_of(future: Future) -> ShardResult:
    try:
        return future.result()
    except ToolkitError:
        raise
    except Exception as exc:
        from distributed.scheduler import KilledWorker

        if isinstance(exc, KilledWorker):
            raise ToolkitError(
                f"a shard killed its worker again and again and was given up: {exc}",
                hint="a worker out of memory? lower --batch-size or give workers more memory",
            ) from None
        raise


def _remove_leftovers(out_dir: Path, names: Sequence[str]) -> None:
    """Temporaries of the shards' outputs and markers whose process has ended."""
    remove_stale_temporaries(out_dir, [shard_output(out_dir, name).name for name in names])
    remove_stale_temporaries(out_dir / DONE_FOLDER, [shard_marker(out_dir, name).name for name in names])


def merge_shards(out_dir: Path, names: Sequence[str], target: Path) -> None:
    """The shards' bytes concatenated in shard order: the file a local run writes."""
    with atomic_output(target, "wb") as handle:
        for name in names:
            with shard_output(out_dir, name).open("rb") as shard:
                shutil.copyfileobj(shard, handle)


def run_sharded(
    *,
    stage: Stage[OptionsT, SummaryT],
    shards: list[Shard],
    output: str | Path,
    options: OptionsT,
    engine: EngineOptions = EngineOptions(),
    quiet: bool = True,
) -> ShardedRun[SummaryT]:
    """Run ``stage`` over ``shards`` in-process or on Dask; merge them into one file if ``output`` is a
    file."""
    options = stage.prepare(options, engine)
    out_dir, merged = plan_output(output)
    shards, left_out = _split_inputs(shards, out_dir, merged)
    out_dir.mkdir(parents=True, exist_ok=True)
    identity = options.identity()  # once here: models and files are looked up by the driver, not per shard
    jobs = [
        ShardJob(stage=stage.name, shard=s, out_dir=_absolute(out_dir), options=options, identity=identity)
        for s in shards
    ]
    started = time.perf_counter()
    by_name: dict[str, ShardResult] = {}
    try:
        if engine.is_dask:
            with contextlib.ExitStack() as stack:
                client = engine.client
                if client is None:
                    cluster = dask_client(scheduler=engine.scheduler, workers=engine.workers)
                    client = stack.enter_context(cluster)
                size = len(client.scheduler_info(n_workers=-1)["workers"])
                by_name = {r.name: r for r in _run_dask(jobs, client, quiet=quiet)}
        else:
            by_name = {r.name: r for r in _run_local(jobs, quiet=quiet)}
            size = 1
    finally:
        # After a cluster started here has shut down: a worker it stopped mid-shard (Ctrl-C, SIGTERM, an error
        # in another shard) had no chance to remove its temporary file, nor had a run killed earlier.
        _remove_leftovers(out_dir, [s.name for s in shards])
    names = [s.name for s in shards]
    if merged is not None:
        merge_shards(out_dir, names, merged)
    results = [by_name[n] for n in names]
    run = ShardedRun(
        stage=stage.name,
        engine=engine.engine,
        out_dir=out_dir.as_posix(),
        output=merged.as_posix() if merged else f"{out_dir.as_posix()}/",
        shards=results,
        summary=stage.combine([r.summary for r in results]),
        seconds=time.perf_counter() - started,
        workers=size,
        left_out=[s.source for s in left_out],
    )
    stage.finish(run)
    return run


def run_lines(run: ShardedRun) -> list[str]:
    """The engine's summary for stderr: shards done now and before, speed, and the work each worker did."""
    records_per_s, words_per_s = run.rates()
    fresh = len(run.shards) - run.done_before
    workers = f"{run.workers} worker{'s' if run.workers != 1 else ''}"
    speed = f"{records_per_s:,.0f} records/s, {words_per_s:,.0f} words/s" if fresh else "nothing left to do"
    lines = [
        f"{run.engine}: {fresh} shard{'s' if fresh != 1 else ''} processed, {run.done_before} already done "
        f"(skipped) -> {run.out_dir}/",
        f"{run.engine}: {speed} in {run.seconds:.1f} s on {workers}",
    ]
    if run.left_out:
        lines.append(
            f"{run.engine}: {len(run.left_out)} input file(s) inside the output folder left out, "
            f"e.g. {run.left_out[0]}"
        )
    for worker, (shards, records) in run.per_worker().items():
        lines.append(f"  worker {worker}: {shards} shard{'s' if shards != 1 else ''}, {records:,} records")
    return lines


# ---------------------------------------------------------------- the two stages, sharded


def convert_sharded(
    *,
    sources: Sequence[str | Path],
    output: str | Path,
    options: ConvertOptions = ConvertOptions(),
    engine: EngineOptions = EngineOptions(),
    quiet: bool = True,
) -> ShardedRun[ConvertSummary]:
    """``toolkit convert`` one shard per source file: ``output`` is a folder of shards, or one merged file."""
    shards = convert_shards(sources, format=options.format)
    return run_sharded(
        stage=CONVERT, shards=shards, output=output, options=options, engine=engine, quiet=quiet
    )


def _check_unique_documents(run: ShardedRun[ConvertSummary]) -> None:
    """Record ids must be unique across shards too; each shard checked its own, this checks between them."""
    first: dict[str, str] = {}
    for result in run.shards:
        for doc_id in result.summary.get("doc_ids", ()):
            seen = first.setdefault(doc_id, result.name)
            if seen != result.name:
                raise InputError(
                    f"doc id {doc_id!r} of shard {result.name} was already used in shard {seen}",
                    path=run.out_dir,
                    rule="duplicate-doc-id",
                    hint="give documents unique ids",
                )


def preannotate_sharded(
    *,
    input: str | Path,
    output: str | Path,
    options: PreannotateOptions = PreannotateOptions(),
    engine: EngineOptions = EngineOptions(),
    quiet: bool = True,
) -> ShardedRun[PreannotateSummary]:
    """``toolkit preannotate`` one shard per JSONL/Parquet file of ``input``: ``output`` is a folder of
    shards, or one merged file."""
    shards = record_shards(input)
    return run_sharded(
        stage=PREANNOTATE, shards=shards, output=output, options=options, engine=engine, quiet=quiet
    )
