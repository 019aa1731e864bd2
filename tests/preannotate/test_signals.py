"""Signals on a real ``toolkit preannotate --n-process 2`` run: it stops promptly with its workers, exits 130
(Ctrl-C) or 143 (SIGTERM) with one line, leaves no temporary file; a rerun clears what SIGKILL left."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import orjson
import psutil
import pytest

from toolkit.preannotate.workers import can_fork

pytestmark = [pytest.mark.slow, pytest.mark.skipif(not can_fork(), reason="the pool forks its workers")]
TOOLKIT = [sys.executable, "-m", "toolkit"]
PLACES = ["Northfield", "Easton", "Millbrook", "Harwick", "Lowmoor"]


def write_input(path: Path, records: int) -> Path:
    """Made-up council news, long enough that two processes need minutes for it."""
    lines = []
    for n in range(records):
        place = PLACES[n % len(PLACES)]
        text = (
            f"“We will open {n % 40 + 2} new bus routes in {place} by March,” Mayor Ana Ortiz told "
            f"reporters on Monday, after the council in {place} voted to borrow {n} thousand pounds."
        )
        lines.append(orjson.dumps({"text": text, "meta": {"id": f"council-{n // 20}:{n % 20}"}}))
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


@pytest.fixture(scope="module")
def big_input(tmp_path_factory) -> Path:
    return write_input(tmp_path_factory.mktemp("signals") / "council.jsonl", 20_000)


def temporaries(folder: Path) -> list[Path]:
    return sorted(folder.glob(".*.tmp"))


def start_run(source: Path, output: Path, stderr: Path) -> tuple[subprocess.Popen, list[psutil.Process]]:
    """Start the run in a session of its own and wait until both workers have sent results back."""
    command = [*TOOLKIT, "preannotate", str(source), "-o", str(output), "--n-process", "2"]
    with stderr.open("wb") as err:
        process = subprocess.Popen(
            [*command, "--batch-size", "300"],
            stdout=subprocess.DEVNULL,
            stderr=err,
            start_new_session=True,
        )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        workers = psutil.Process(process.pid).children()
        written = [t for t in temporaries(output.parent) if t.stat().st_size > 0]
        if len(workers) == 2 and written:
            return process, workers
        time.sleep(0.2)
    process.kill()
    pytest.fail(f"the run never got going (exit {process.poll()}): {stderr.read_text()}")


@pytest.mark.parametrize(
    ("name", "whole_group", "code", "line"),
    [
        ("SIGINT", True, 130, "error: interrupted"),  # Ctrl-C in a terminal: the whole process group
        ("SIGINT", False, 130, "error: interrupted"),  # kill -INT: the parent alone must stop its workers
        ("SIGTERM", False, 143, "error: terminated (SIGTERM)"),
    ],
)
def test_a_signal_stops_the_run_and_its_workers(big_input, tmp_path, name, whole_group, code, line):
    before = hashlib.sha256(big_input.read_bytes()).hexdigest()
    output, stderr = tmp_path / "out.jsonl", tmp_path / "stderr.txt"
    process, workers = start_run(big_input, output, stderr)
    sent = time.monotonic()
    (os.killpg if whole_group else os.kill)(process.pid, getattr(signal, name))
    try:
        returncode = process.wait(timeout=30)
    finally:
        process.kill()
    took = time.monotonic() - sent
    _, orphans = psutil.wait_procs(workers, timeout=5)
    assert returncode == code and took < 10, (returncode, took)
    assert orphans == []
    assert stderr.read_text().splitlines() == [line]
    assert temporaries(tmp_path) == [] and not output.exists()
    assert hashlib.sha256(big_input.read_bytes()).hexdigest() == before


def test_a_rerun_removes_what_sigkill_left(big_input, tmp_path):
    output, stderr = tmp_path / "out.jsonl", tmp_path / "stderr.txt"
    process, workers = start_run(big_input, output, stderr)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    _, orphans = psutil.wait_procs(workers, timeout=10)
    assert orphans == []  # the workers die with their parent even when it had no chance to stop them
    (left,) = temporaries(tmp_path)
    assert f".out.jsonl.{process.pid}-" in left.name

    small = write_input(tmp_path / "small.jsonl", 3)
    rerun = subprocess.run(
        [*TOOLKIT, "preannotate", str(small), "-o", str(output), "-q"], capture_output=True, check=False
    )
    assert rerun.returncode == 0, rerun.stderr
    assert temporaries(tmp_path) == []
    assert output.read_bytes().count(b"\n") == 3
