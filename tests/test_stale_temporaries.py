"""Temporaries named after their writer: a killed run's are removed, a live run's never are."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from toolkit.jsonl import _HOST, atomic_output, remove_stale_temporaries, temporary_prefix


@pytest.fixture
def dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


@pytest.fixture
def live_process():
    process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    time.sleep(0.1)
    yield process
    process.kill()
    process.wait()


def temporary(folder, name: str, pid: int, host: str = _HOST, *, folder_kind: bool = False):
    path = folder / f".{name}.{pid}-{host}.k2j4_x9a.tmp"
    if folder_kind:
        path.mkdir()
        (path / "data.parquet").write_bytes(b"half")
    else:
        path.write_bytes(b'{"text": "half')
    return path


def test_the_prefix_names_this_process_and_host():
    assert temporary_prefix("out.jsonl") == f".out.jsonl.{os.getpid()}-{_HOST}."


def test_a_dead_writers_files_and_folders_are_removed(tmp_path, dead_pid):
    file = temporary(tmp_path, "out.jsonl", dead_pid)
    folder = temporary(tmp_path, "1.0.0", dead_pid, folder_kind=True)
    assert remove_stale_temporaries(tmp_path, "out.jsonl") == [file]
    assert remove_stale_temporaries(tmp_path, "1.0.0") == [folder]
    assert list(tmp_path.iterdir()) == []


def test_a_live_writers_temporary_is_kept(tmp_path, live_process):
    kept = temporary(tmp_path, "out.jsonl", live_process.pid)
    mine = temporary(tmp_path, "out.jsonl", os.getpid())
    assert remove_stale_temporaries(tmp_path, "out.jsonl") == []
    assert kept.exists() and mine.exists()


def test_a_pid_reused_by_a_newer_process_does_not_keep_a_stale_file(tmp_path, live_process):
    if not os.path.exists(f"/proc/{live_process.pid}/stat"):
        pytest.skip("process start times come from Linux's /proc")
    stale = temporary(tmp_path, "out.jsonl", live_process.pid)
    an_hour_ago = time.time() - 3600
    os.utime(stale, (an_hour_ago, an_hour_ago))  # last written long before that process started
    assert remove_stale_temporaries(tmp_path, "out.jsonl") == [stale]


def test_other_names_hosts_and_unnamed_writers_are_left_alone(tmp_path, dead_pid):
    others = [
        temporary(tmp_path, "other.jsonl", dead_pid),
        temporary(tmp_path, "out.jsonl", dead_pid, host="0123abcd" if _HOST != "0123abcd" else "fedc3210"),
        tmp_path / ".out.jsonl.q1w2e3r4.tmp",  # no writer in the name: cannot tell, so kept
        tmp_path / "out.jsonl",
    ]
    for path in others[2:]:
        path.write_bytes(b"x")
    assert remove_stale_temporaries(tmp_path, "out.jsonl") == []
    assert all(path.exists() for path in others)


def test_atomic_output_clears_a_killed_runs_temporary_of_its_target(tmp_path, dead_pid):
    stale = temporary(tmp_path, "out.jsonl", dead_pid)
    other = temporary(tmp_path, "other.jsonl", dead_pid)
    with atomic_output(tmp_path / "out.jsonl") as handle:
        (writing,) = tmp_path.glob(".out.jsonl.*.tmp")
        assert writing.name.startswith(temporary_prefix("out.jsonl"))
        handle.write(b"done\n")
    assert not stale.exists() and other.exists()
    assert (tmp_path / "out.jsonl").read_bytes() == b"done\n"


def test_a_missing_folder_is_nothing_to_clear(tmp_path):
    assert remove_stale_temporaries(tmp_path / "absent", "out.jsonl") == []
