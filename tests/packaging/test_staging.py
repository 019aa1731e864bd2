"""A packaging run stopped mid-way: SIGTERM and Ctrl-C remove the staging folder on the way out; what SIGKILL
leaves is removed by the next packaging run into the same dataset folder."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from gold_records import synthetic_documents, write_jsonl

from toolkit.options import PackageOptions
from toolkit.packaging.release import package_dataset

pytestmark = pytest.mark.slow

# The real CLI, with the Parquet writing followed by a long pause: the signal then lands while the staging
# folder holds real data files, every time, instead of in a race with a short run.
PAUSED_PACKAGE = textwrap.dedent(
    """
    import sys, time
    import toolkit.packaging.release as release
    from toolkit.cli import main

    written = release.write_rows
    def write_then_pause(folder, *args, **kwargs):
        result = written(folder, *args, **kwargs)
        print(folder, flush=True)
        time.sleep(600)
        return result

    release.write_rows = write_then_pause
    sys.argv = ["toolkit", "package", *sys.argv[1:]]
    main()
    """
)


@pytest.fixture(scope="module")
def gold(tmp_path_factory) -> Path:
    return write_jsonl(tmp_path_factory.mktemp("gold") / "gold.jsonl", synthetic_documents(30))


def staging_folders(dist: Path) -> list[Path]:
    return sorted((dist / "news").glob(".*.tmp"))


def paused_run(gold: Path, dist: Path, version: str) -> tuple[subprocess.Popen, Path]:
    """Start packaging and return once its staging folder holds the Parquet files."""
    process = subprocess.Popen(
        [
            sys.executable,
            "-c",
            PAUSED_PACKAGE,
            str(gold),
            "--name",
            "news",
            "--version",
            version,
            "-o",
            str(dist),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    line = process.stdout.readline().strip()
    if not line:
        process.kill()
        pytest.fail(f"packaging never reached its pause: {process.communicate()[1]}")
    staging = Path(line)
    assert staging.parent == dist / "news" and list(staging.rglob("*.parquet"))
    return process, staging


@pytest.mark.parametrize(
    ("name", "code", "line"), [("SIGTERM", 143, "terminated (SIGTERM)"), ("SIGINT", 130, "interrupted")]
)
def test_a_signal_removes_the_staging_folder(gold, tmp_path, name, code, line):
    process, staging = paused_run(gold, tmp_path / "dist", "1.0.0")
    sent = time.monotonic()
    process.send_signal(getattr(signal, name))
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == code and time.monotonic() - sent < 10
    assert stderr.splitlines() == [f"error: {line}"]
    assert not staging.exists() and staging_folders(tmp_path / "dist") == []
    assert not (tmp_path / "dist" / "news" / "1.0.0").exists()


def test_a_rerun_removes_the_staging_folder_sigkill_left(gold, tmp_path):
    dist = tmp_path / "dist"
    process, staging = paused_run(gold, dist, "1.0.0")
    process.kill()
    process.communicate(timeout=30)
    assert staging_folders(dist) == [staging]  # nothing could clean up after SIGKILL
    # The next release, of another version even, removes it: only packaging stages folders there.
    package_dataset(
        inputs=[gold], name="news", version="1.0.1", output_dir=dist, options=PackageOptions(spacy=False)
    )
    assert staging_folders(dist) == []
    assert sorted(p.name for p in (dist / "news").iterdir()) == ["1.0.1"]
