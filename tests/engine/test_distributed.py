"""distributed: shards, markers and resuming, the Dask driver (in-process, a real LocalCluster), the CLI."""

from __future__ import annotations

import os
import pickle
import shutil
import subprocess
import sys
import time
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from toolkit.cli import app
from toolkit.convert.run import convert
from toolkit.engine import distributed
from toolkit.engine.distributed import (
    ShardJob,
    convert_sharded,
    convert_shards,
    preannotate_sharded,
    read_marker,
    record_shards,
    run_lines,
    shard_marker,
    shard_names,
)
from toolkit.errors import InputError, UsageError
from toolkit.jsonl import _HOST, read_records, write_records
from toolkit.options import ConvertOptions, EngineOptions, PreannotateOptions
from toolkit.preannotate.run import read_input

runner = CliRunner()
LOCAL = EngineOptions(engine="local")
PARAGRAPHS = [
    'Russian troops pulled back from Kyiv on Thursday. "We will rebuild," the mayor said.',
    "Talks in Istanbul ended without a deal. Officials said a new round would start next week.",
    "Grain prices rose again. Traders blamed the blockade of Odesa.",
    "The UN said 4 million people had fled. Aid groups asked for more money.",
]


@pytest.fixture()
def corpus(tmp_path, monkeypatch) -> Path:
    """A folder of every kind of shard convert takes: texts, a brat pair, a JSONL file in a subfolder."""
    monkeypatch.chdir(tmp_path)
    src = tmp_path / "src"
    (src / "feeds").mkdir(parents=True)
    for i, paragraph in enumerate(PARAGRAPHS[:3]):
        text = f" date 2022-03-2{i} {paragraph}\n\n{PARAGRAPHS[3]}\n"
        (src / f"doc{i}.txt").write_text(text, encoding="utf-8")
    (src / "brat.txt").write_text("Kyiv said no. Moscow said yes.\n", encoding="utf-8")
    (src / "brat.ann").write_text("T1\tGPE 0 4\tKyiv\nT2\tGPE 14 20\tMoscow\n", encoding="utf-8")
    lines = [{"id": f"j{i}", "text": p, "date": "2022-04-01"} for i, p in enumerate(PARAGRAPHS)]
    (src / "feeds" / "wire.jsonl").write_bytes(b"".join(orjson.dumps(x) + b"\n" for x in lines))
    return src


def local_bytes(tmp_path: Path, sources: list[str]) -> bytes:
    target = tmp_path / "local.jsonl"
    convert(sources=sources, output=target)
    return target.read_bytes()


def shard_bytes(out_dir: Path, names: list[str]) -> bytes:
    return b"".join((out_dir / f"{name}.jsonl").read_bytes() for name in names)


def sorted_by_id(data: bytes) -> list[bytes]:
    return sorted(data.splitlines(), key=lambda line: orjson.loads(line)["meta"]["id"])


@pytest.fixture(scope="module")
def inprocess_cluster():
    """A Dask cluster of one thread-based worker inside the test process, reachable over TCP."""
    distributed_lib = pytest.importorskip("distributed")
    with distributed_lib.LocalCluster(
        n_workers=1,
        threads_per_worker=1,
        processes=False,
        protocol="tcp",
        silence_logs=40,
        **distributed.QUIET_SCHEDULER,
    ) as cluster:
        yield cluster


@pytest.fixture()
def on_dask(inprocess_cluster):
    """The Dask engine with a client of the in-process cluster."""
    from distributed import Client

    with Client(inprocess_cluster) as dask_client:
        yield EngineOptions(engine="dask", client=dask_client)


# ---------------------------------------------------------------- finding shards


def test_convert_shards_are_the_files_convert_reads_in_its_order(corpus):
    shards = convert_shards(["src"])
    assert [(s.name, s.source, s.kind) for s in shards] == [
        ("brat", "src/brat.txt", "brat"),
        ("doc0", "src/doc0.txt", "txt"),
        ("doc1", "src/doc1.txt", "txt"),
        ("doc2", "src/doc2.txt", "txt"),
        ("wire", "src/feeds/wire.jsonl", "jsonl"),
    ]
    assert shards[0].companions == (str(corpus / "brat.ann"),)
    assert all(Path(s.path).is_absolute() and Path(s.path).is_file() for s in shards)


def test_shard_names_flatten_the_path_only_when_stems_collide():
    assert shard_names(["a/x.txt", "b/x.jsonl", "c/y.csv"]) == ["a__x.txt", "b__x.jsonl", "y"]
    with pytest.raises(UsageError, match="one output shard"):
        shard_names(["a/x.txt", "b/x.txt", "a__x.txt.jsonl"])


def test_record_shards_take_jsonl_and_parquet_and_leave_hidden_files_out(tmp_path):
    folder = tmp_path / "shards"
    (folder / ".done").mkdir(parents=True)
    for name in ("b.jsonl", "a.parquet", ".a.jsonl.123.tmp", "notes.txt", ".done/a.json"):
        (folder / name).write_bytes(b"")
    shards = record_shards(folder)
    assert [(s.name, s.kind) for s in shards] == [("a", "parquet"), ("b", "jsonl")]
    assert [s.name for s in record_shards(folder / "b.jsonl")] == ["b"]
    with pytest.raises(InputError, match="no .jsonl or .parquet"):
        record_shards(folder / ".done")
    with pytest.raises(InputError, match="no such file"):
        record_shards(tmp_path / "missing")


def test_parquet_shards_hold_full_config_records(tmp_path, corpus):
    import pyarrow as pa
    import pyarrow.parquet as pq

    records = list(read_records(_converted(tmp_path, corpus)))
    full_parquet(records, tmp_path / "full.parquet")
    (shard,) = record_shards(tmp_path / "full.parquet")
    assert list(read_input(shard.path, name=shard.source)) == records
    pq.write_table(pa.table({"words": [1, 2]}), tmp_path / "other.parquet")
    (other,) = record_shards(tmp_path / "other.parquet")
    with pytest.raises(InputError, match=r"lacks the record column\(s\) meta, text") as caught:
        list(read_input(other.path, name=other.source))
    assert caught.value.rule == "parquet-not-full"


def full_parquet(records: list, path: Path) -> None:
    """Records as the packaged dataset's ``full`` config writes them, with its declared Arrow schema."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from toolkit.packaging.configs import BUILTIN_SCHEMES, DatasetLabels, EntityScheme, features, full_row

    labels = DatasetLabels(entities=EntityScheme("ontonotes", BUILTIN_SCHEMES["ontonotes"]))
    schema = features("full", labels).arrow_schema
    pq.write_table(pa.Table.from_pylist([full_row(r) for r in records], schema=schema), path)


def _converted(tmp_path: Path, corpus: Path) -> Path:
    target = tmp_path / "converted.jsonl"
    convert(sources=[corpus], output=target)
    return target


# ---------------------------------------------------------------- local engine, markers, resuming


def test_local_engine_writes_one_shard_per_file_identical_to_a_local_run(tmp_path, corpus):
    run = convert_sharded(sources=["src"], output="out/", engine=LOCAL)
    names = ["brat", "doc0", "doc1", "doc2", "wire"]
    assert [r.name for r in run.shards] == names
    assert shard_bytes(tmp_path / "out", names) == local_bytes(tmp_path, ["src"])
    assert run.summary.records == run.records == 22 and run.summary.files == 5 and run.summary.documents == 8
    assert run.summary.output == "out/" and run.done_before == 0
    marker = read_marker(shard_marker(tmp_path / "out", "wire"))
    assert marker["input"] == "src/feeds/wire.jsonl" and marker["records"] == 8
    assert marker["stage"] == "convert"
    assert marker["reader"] == "jsonl" and marker["options"]["model"].endswith("@3.8.0")
    assert marker["options"]["reader"] == {**ConvertOptions().reader.identity()}
    options = ConvertOptions(model=marker["options"]["model"].partition("@")[0])
    assert marker["options_sha256"] == options.fingerprint()
    assert marker["input_sha256"] == distributed.file_sha256(corpus / "feeds" / "wire.jsonl")
    assert marker["output_sha256"] == distributed.file_sha256(tmp_path / "out" / "wire.jsonl")
    # The next stage can take the folder as it is: markers and temporary files are hidden.
    assert sorted(p.name for p in (tmp_path / "out").iterdir() if not p.name.startswith(".")) == [
        f"{n}.jsonl" for n in names
    ]


def test_a_file_output_is_the_shards_merged_byte_for_byte(tmp_path, corpus):
    run = convert_sharded(sources=["src/doc1.txt", "src"], output="merged.jsonl", engine=LOCAL)
    assert run.output == "merged.jsonl" and run.out_dir == ".merged.jsonl.shards"
    assert (tmp_path / "merged.jsonl").read_bytes() == local_bytes(tmp_path, ["src/doc1.txt", "src"])


def test_rerun_skips_finished_shards_and_redoes_changed_ones(tmp_path, corpus):
    first = convert_sharded(sources=["src"], output="out/", engine=LOCAL)
    expected = shard_bytes(tmp_path / "out", [r.name for r in first.shards])
    again = convert_sharded(sources=["src"], output="out/", engine=LOCAL)
    assert again.done_before == 5 and again.summary.records == 22 and again.summary.documents == 8
    assert shard_bytes(tmp_path / "out", [r.name for r in again.shards]) == expected

    (corpus / "doc1.txt").write_text(" date 2022-03-31 One changed sentence.\n", encoding="utf-8")
    (tmp_path / "out" / "doc2.jsonl").write_bytes(b"")  # an output damaged after the fact
    (corpus / "brat.ann").write_text("T1\tGPE 0 4\tKyiv\n", encoding="utf-8")  # a companion file changed
    edited = convert_sharded(sources=["src"], output="out/", engine=LOCAL)
    redone = sorted(r.name for r in edited.shards if not r.resumed)
    assert redone == ["brat", "doc1", "doc2"]
    assert (tmp_path / "out" / "doc1.jsonl").read_bytes().count(b"\n") == 1
    assert shard_bytes(tmp_path / "out", [r.name for r in edited.shards]) == local_bytes(tmp_path, ["src"])

    # A moved input keeps its shard name and its bytes, but meta.source changes: the shard is redone.
    (corpus / "doc1.txt").rename(corpus / "feeds" / "doc1.txt")
    moved = convert_sharded(sources=["src"], output="out/", engine=LOCAL)
    assert [r.name for r in moved.shards if not r.resumed] == ["doc1"]
    assert shard_bytes(tmp_path / "out", [r.name for r in moved.shards]) == local_bytes(tmp_path, ["src"])

    paragraphs = ConvertOptions(unit="paragraph")
    by_paragraph = convert_sharded(sources=["src"], output="out/", options=paragraphs, engine=LOCAL)
    assert by_paragraph.done_before == 0  # the options shaped the output: nothing can be kept


def test_a_shard_interrupted_midway_leaves_no_output_and_no_marker(tmp_path, corpus, monkeypatch):
    stage = distributed.STAGES["convert"]
    real = stage.records

    def breaks_on_doc1(shard, options):
        records, summary = real(shard, options)
        if shard.name != "doc1":
            return records, summary

        def first_then_fail():
            yield next(records)
            raise KeyboardInterrupt

        return first_then_fail(), summary

    monkeypatch.setattr(stage, "records", breaks_on_doc1)
    with pytest.raises(KeyboardInterrupt):
        convert_sharded(sources=["src"], output="out/", engine=LOCAL)
    out = tmp_path / "out"
    assert not (out / "doc1.jsonl").exists() and not shard_marker(out, "doc1").exists()
    assert not list(out.glob(".doc1.jsonl.*"))  # no half-written temporary file left behind
    assert shard_marker(out, "doc0").exists()  # shards finished before the interruption count
    monkeypatch.setattr(stage, "records", real)
    resumed = convert_sharded(sources=["src"], output="out/", engine=LOCAL)
    assert sorted(r.name for r in resumed.shards if r.resumed) == ["brat", "doc0"]
    assert shard_bytes(out, [r.name for r in resumed.shards]) == local_bytes(tmp_path, ["src"])


def test_stale_temporary_files_of_a_killed_run_are_cleared(tmp_path, corpus):
    out = tmp_path / "out"
    (out / ".done").mkdir(parents=True)
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()  # a writer that no longer runs, as after a SIGKILL

    def plant(folder: Path, name: str, pid: int) -> Path:
        path = folder / f".{name}.{pid}-{_HOST}.x1y2z3.tmp"
        path.write_bytes(b'{"text": "half')
        return path

    plant(out, "doc0.jsonl", gone.pid)
    convert_sharded(sources=["src"], output="out/", engine=LOCAL)
    assert not list(out.rglob(".*.tmp"))
    # Shards a rerun skips are not rewritten, yet their killed writers' temporaries go too; a live one stays.
    planted = [plant(out, "doc1.jsonl", gone.pid), plant(out / ".done", "doc1.json", gone.pid)]
    live = plant(out, "doc0.jsonl", os.getppid())
    rerun = convert_sharded(sources=["src"], output="out/", engine=LOCAL)
    assert rerun.done_before == len(rerun.shards)
    assert not any(path.exists() for path in planted) and live.exists()


def test_documents_with_one_id_in_two_shards_are_an_error(tmp_path, corpus):
    (corpus / "feeds" / "more.jsonl").write_bytes(orjson.dumps({"id": "j1", "text": "Again."}) + b"\n")
    with pytest.raises(InputError, match="doc id 'j1' of shard wire was already used in shard more"):
        convert_sharded(sources=["src"], output="out/", engine=LOCAL)


# ---------------------------------------------------------------- the Dask engine


def test_dask_engine_matches_the_local_run_and_counts_per_worker(tmp_path, corpus, on_dask):
    run = convert_sharded(sources=["src"], output="out/", engine=on_dask)
    assert shard_bytes(tmp_path / "out", [r.name for r in run.shards]) == local_bytes(tmp_path, ["src"])
    (worker,) = run.per_worker()
    assert run.per_worker() == {worker: (5, 22)} and worker != "local" and run.workers == 1
    lines = run_lines(run)
    assert lines[0] == "dask: 5 shards processed, 0 already done (skipped) -> out/"
    assert "records/s" in lines[1] and "words/s" in lines[1]
    assert lines[2] == f"  worker {worker}: 5 shards, 22 records"
    again = convert_sharded(sources=["src"], output="out/", engine=on_dask)
    assert again.done_before == 5 and again.per_worker() == {}


def test_an_input_error_in_a_shard_reaches_the_caller_with_its_place(tmp_path, corpus, on_dask):
    with (corpus / "feeds" / "wire.jsonl").open("ab") as handle:
        handle.write(b"\n{not json\n")
    with pytest.raises(InputError) as caught:
        convert_sharded(sources=["src"], output="out/", engine=on_dask)
    error = caught.value
    assert (error.path, error.line, error.rule) == ("src/feeds/wire.jsonl", 6, "invalid-json")
    assert not (tmp_path / "out" / "wire.jsonl").exists()


def test_jobs_and_results_cross_the_wire_small(corpus):
    (shard,) = convert_shards(["src/feeds/wire.jsonl"])
    options = ConvertOptions()
    job = ShardJob(
        stage="convert", shard=shard, out_dir="/tmp/out", options=options, identity=options.identity()
    )
    assert len(pickle.dumps(job)) < 1000  # paths and options, never a model


@pytest.mark.parametrize(
    ("engine", "message"),
    [
        ({"engine": "spark"}, "--engine 'spark'"),
        ({"engine": "local", "workers": 2}, "need --engine dask"),
        ({"engine": "dask", "workers": 2, "scheduler": "tcp://127.0.0.1:8786"}, "--workers sizes a local"),
        ({"engine": "dask", "workers": 0}, "must be 1 or more"),
    ],
)
def test_engine_usage_errors(engine, message):
    with pytest.raises(UsageError, match=message):
        EngineOptions(**engine)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"output": "-"}, "a sharded run writes files"),
        ({"sources": ["-"]}, "standard input"),
        ({"sources": []}, "no sources given"),
        ({"output": "src/feeds/wire.jsonl"}, "is also an input"),
        ({"output": "src/"}, "every input lies inside the output folder"),
    ],
)
def test_usage_errors(corpus, arguments, message):
    with pytest.raises(UsageError, match=message):
        convert_sharded(**{"sources": ["src"], "output": "out/", "engine": LOCAL, **arguments})


def test_an_output_shard_never_overwrites_an_input(tmp_path, corpus):
    (tmp_path / "shards").mkdir()
    write_records(tmp_path / "shards" / "a.jsonl", read_records(_converted(tmp_path, corpus)))
    with pytest.raises(UsageError, match="every input lies inside"):
        preannotate_sharded(input="shards", output="shards/", engine=LOCAL)
    with pytest.raises(UsageError, match="shards/a.jsonl: is also an input"):
        preannotate_sharded(input="shards/a.jsonl", output="shards/a.jsonl", engine=LOCAL)


# ---------------------------------------------------------------- preannotate


def test_preannotate_shards_match_one_local_run_jsonl_and_parquet(tmp_path, corpus, on_dask):
    from toolkit.preannotate.run import preannotate

    convert_sharded(sources=["src"], output="tasks/", engine=LOCAL)
    convert(sources=["src"], output=tmp_path / "tasks.jsonl")
    tasks = ("entities", "quotes", "events")
    options = PreannotateOptions(tasks=tasks)
    preannotate(input=tmp_path / "tasks.jsonl", output=tmp_path / "pre.jsonl", options=options)
    expected = (tmp_path / "pre.jsonl").read_bytes()

    run = preannotate_sharded(input="tasks", output="pre/", engine=on_dask)
    assert shard_bytes(tmp_path / "pre", [r.name for r in run.shards]) == expected
    assert run.summary.records == 22 and run.summary.documents == 8 and run.summary.tasks == tasks

    # The same records as Parquet shards (the packaged dataset's full config) give the same output.
    (tmp_path / "parquet").mkdir()
    for path in sorted((tmp_path / "tasks").glob("*.jsonl")):
        full_parquet(list(read_records(path)), tmp_path / "parquet" / f"{path.stem}.parquet")
    preannotate_sharded(input="parquet", output="pre.merged.jsonl", engine=LOCAL)
    assert sorted_by_id((tmp_path / "pre.merged.jsonl").read_bytes()) == sorted_by_id(expected)
    # A local run reads a Parquet file the same way a shard does.
    preannotate(input=tmp_path / "parquet" / "wire.parquet", output=tmp_path / "wire.jsonl", options=options)
    assert (tmp_path / "wire.jsonl").read_bytes() == (tmp_path / "pre" / "wire.jsonl").read_bytes()
    marker = read_marker(shard_marker(tmp_path / ".pre.merged.jsonl.shards", "wire"))
    assert marker["options"]["tasks"] == list(tasks) and marker["reader"] == "parquet"
    assert "n_process" not in marker["options"] and "batch_words" not in marker["options"]


# ---------------------------------------------------------------- the CLI


def test_cli_convert_to_a_folder_then_preannotate_it(tmp_path, corpus):
    result = runner.invoke(app, ["convert", "src", "-o", "tasks/"])
    assert result.exit_code == 0, result.output
    assert "convert: 5 files, 8 documents, 22 records, 0 skipped -> tasks/" in result.stderr
    assert "local: 5 shards processed, 0 already done (skipped) -> tasks/" in result.stderr
    again = runner.invoke(app, ["convert", "src", "-o", "tasks/"])
    assert "local: 0 shards processed, 5 already done (skipped)" in again.stderr
    assert "local: nothing left to do in" in again.stderr
    result = runner.invoke(app, ["preannotate", "tasks/doc0.jsonl", "-o", "pre/", "--tasks", "entities"])
    assert result.exit_code == 0, result.output
    assert "preannotate: 4 records" in result.stderr and "-> pre/" in result.stderr
    assert len((tmp_path / "pre" / "doc0.jsonl").read_bytes().splitlines()) == 4
    # A folder of shards in, one file out: read shard by shard, merged in shard order.
    result = runner.invoke(app, ["preannotate", "tasks", "-o", "all.jsonl", "--tasks", "entities", "-q"])
    assert result.exit_code == 0 and result.stderr == "", result.output
    assert (tmp_path / "all.jsonl").read_bytes().count(b"\n") == 22


def test_cli_dask_engine_against_a_scheduler_address(tmp_path, corpus, inprocess_cluster):
    address = inprocess_cluster.scheduler_address
    arguments = ["convert", "src", "-o", "all.jsonl", "--engine", "dask", "--scheduler", address]
    result = runner.invoke(app, arguments)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "all.jsonl").read_bytes() == local_bytes(tmp_path, ["src"])
    assert "dask: 5 shards processed" in result.stderr and "on 1 worker" in result.stderr


@pytest.mark.parametrize(
    ("arguments", "words"),
    [
        (["convert", "src", "-o", "out/", "--workers", "2"], ["--workers need --engine dask"]),
        (["convert", "src", "-o", "out/", "--engine", "ray"], ["--engine 'ray'", "local, dask"]),
        (["convert", "-", "-o", "out/"], ["standard input cannot be split"]),
        (["preannotate", "missing/", "-o", "out/"], ["missing", "[missing-path]"]),
    ],
)
def test_cli_errors_are_one_line(corpus, arguments, words):
    result = runner.invoke(app, arguments)
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "Traceback" not in result.output
    assert all(word in lines[0] for word in words), lines[0]


# ---------------------------------------------------------------- a real cluster losing a worker


@pytest.mark.slow
@pytest.mark.timeout(90)
def test_a_killed_worker_shard_is_redone_on_a_local_cluster(tmp_path, corpus, monkeypatch):
    """Two worker processes; the one running shard doc1 exits abruptly mid-shard, once. Dask reschedules the
    shard, the nanny restarts the worker, and the output is complete and identical to a local run."""
    from distributed import Client, LocalCluster
    from distributed.diagnostics.plugin import WorkerPlugin

    class CrashOnce(WorkerPlugin):
        """Makes the worker writing shard ``doc1`` exit abruptly after one record, the first time only.
        Defined here, so it travels to the workers by value; production code has no test hook."""

        def __init__(self, shard: str, flag: str) -> None:
            self.shard, self.flag = shard, flag

        def setup(self, worker: object) -> None:
            from toolkit.engine import distributed as engine

            write = engine.write_records
            shard, flag = self.shard, Path(self.flag)

            def crashing(output, records):
                def crash_after_one():
                    for number, record in enumerate(records):
                        if number == 1 and Path(output).stem == shard and not flag.exists():
                            flag.touch()
                            os._exit(70)
                        yield record

                return write(output, crash_after_one())

            engine.write_records = crashing

    for i in range(3, 8):
        shutil.copy(corpus / "doc0.txt", corpus / f"copy{i}.txt")
    flag = tmp_path / "crashed-once"
    started = time.monotonic()
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, silence_logs=50, **distributed.QUIET_SCHEDULER
        ) as cluster,
        Client(cluster) as dask_client,
    ):
        dask_client.register_plugin(CrashOnce("doc1", str(flag)))
        run = convert_sharded(
            sources=["src"], output="out.jsonl", engine=EngineOptions(engine="dask", client=dask_client)
        )
        # The tokenizer loaded once per worker process, however many shards each ran.
        loads = dask_client.run(
            lambda: __import__("toolkit.models").models._model_tokenizer_cached.cache_info().misses
        )
    assert flag.exists(), "the crash never happened"
    assert all(count <= 1 for count in loads.values()) and 1 in loads.values(), loads
    assert (tmp_path / "out.jsonl").read_bytes() == local_bytes(tmp_path, ["src"])
    assert run.records == sum(r.records for r in run.shards) and len(run.shards) == 10
    assert not list((tmp_path / ".out.jsonl.shards").glob(".*.tmp"))
    assert time.monotonic() - started < 90


def test_earlier_outputs_inside_the_input_folder_are_left_out(tmp_path, corpus):
    first = convert_sharded(sources=["src"], output="src/tasks/", engine=LOCAL)
    again = convert_sharded(sources=["src"], output="src/tasks/", engine=LOCAL)
    assert first.left_out == [] and again.done_before == 5
    assert again.left_out == [f"src/tasks/{name}.jsonl" for name in ("brat", "doc0", "doc1", "doc2", "wire")]
    line = "5 input file(s) inside the output folder left out, e.g. src/tasks/brat.jsonl"
    assert line in run_lines(again)[2]


def test_a_scheduler_without_workers_is_a_usage_error(corpus, monkeypatch):
    from distributed import LocalCluster

    monkeypatch.setattr(distributed, "CONNECT_TIMEOUT", 0.5)
    with (
        LocalCluster(n_workers=0, processes=False, protocol="tcp", **distributed.QUIET_SCHEDULER) as empty,
        pytest.raises(UsageError, match="no worker has joined it"),
    ):
        scheduler = EngineOptions(engine="dask", scheduler=empty.scheduler_address)
        convert_sharded(sources=["src"], output="out/", engine=scheduler)
