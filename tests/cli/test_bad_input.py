"""The bad-input matrix: every command x every kind of bad input ends in one line, exit 1 or 2, no traceback,
and every file as it was (cases in bad_input_cases.py). Most cases run in-process through CliRunner; a
representative slice runs ``python -m toolkit`` as a subprocess, which is exactly what a user sees."""

from __future__ import annotations

import os
import resource
import shutil
import signal
import subprocess
import sys
import traceback
from dataclasses import dataclass
from pathlib import Path

import pytest
from bad_input_cases import COMMANDS, Case, build_project, build_workspace, cases, simulated, snapshot
from typer.testing import CliRunner

from toolkit.cli import app

ALL_CASES = cases()
# What every case ended in, for the summary the conftest prints (size of the matrix, tracebacks).
OUTCOMES: dict[str, str] = {}
# Small enough that every output of these commands outgrows it, large enough for nothing else to notice.
FILE_SIZE_LIMIT = 200
HERE = Path(__file__).resolve().parent


@dataclass
class Outcome:
    exit_code: int
    stdout: str
    stderr: str
    crash: str = ""  # an exception that escaped the CLI, formatted as Python prints it

    @property
    def output(self) -> str:
        return self.stdout + self.stderr + self.crash


def _invoke(argv: list[str], stdin: bytes | None = None) -> Outcome:
    result = CliRunner().invoke(app, argv, input=stdin)
    crash = ""
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        crash = "".join(traceback.format_exception(result.exception))
    return Outcome(result.exit_code, result.stdout, result.stderr, crash)


@pytest.fixture(scope="session")
def workspace(tmp_path_factory) -> Path:
    """The good files every case starts from (built once, copied per case)."""
    folder = tmp_path_factory.mktemp("bad-input") / "workspace"
    here = os.getcwd()

    def run(argv: list[str]) -> None:
        outcome = _invoke([*argv, "--quiet"] if argv[0] != "package" else argv)
        assert outcome.exit_code == 0, (argv, outcome.output)

    try:
        build_workspace(folder, run)
        build_project(folder / "project")
    finally:
        os.chdir(here)
    return folder


def _fresh(workspace: Path, tmp_path: Path, case: Case) -> Path:
    folder = tmp_path / "ws"
    shutil.copytree(workspace, folder, symlinks=True)
    if case.prepare is not None:
        case.prepare(folder)
    return folder


def run_in_process(case: Case, folder: Path, monkeypatch: pytest.MonkeyPatch) -> Outcome:
    monkeypatch.chdir(folder)
    with simulated(case.fault, folder):
        return _invoke(list(case.argv), case.stdin)


DRIVER = """
import sys
sys.path.insert(0, {here!r})
from pathlib import Path
from bad_input_cases import simulated
from toolkit.cli import main
sys.argv = ["toolkit", *sys.argv[1:]]
with simulated({fault!r}, Path(".")):
    main()
"""


def _limit_file_size() -> None:
    # A file outgrowing the limit fails its write with EFBIG, as on a full disk, instead of killing us.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (FILE_SIZE_LIMIT, FILE_SIZE_LIMIT))


def run_subprocess(case: Case, folder: Path) -> Outcome:
    """The case as a user runs it: a new Python process, its own stdin, stdout and stderr."""
    # Without a simulated fault this is exactly `python -m toolkit ...`; with one, a driver sets it up first.
    command = (
        ["-m", "toolkit"] if case.fault is None else ["-c", DRIVER.format(here=str(HERE), fault=case.fault)]
    )
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "HF_DATASETS_OFFLINE": "1", "HF_HUB_OFFLINE": "1"}
    done = subprocess.run(
        [sys.executable, *command, *case.argv],
        cwd=folder,
        input=case.stdin or b"",
        capture_output=True,
        env=env,
        timeout=300,
        preexec_fn=_limit_file_size if case.fault == "file-size-limit" else None,
    )
    return Outcome(
        done.returncode, done.stdout.decode(errors="replace"), done.stderr.decode(errors="replace")
    )


def check(
    case: Case, outcome: Outcome, before: dict[str, str], after: dict[str, str], *, key: str | None = None
) -> None:
    """What the user must see, and that nothing was lost; the outcome is counted under ``key``."""
    key = key or case.id
    OUTCOMES[key] = "traceback" if "Traceback" in outcome.output or outcome.crash else "failed"
    _check(case, outcome, before, after)
    OUTCOMES[key] = case.expect


def _check(case: Case, outcome: Outcome, before: dict[str, str], after: dict[str, str]) -> None:
    assert "Traceback" not in outcome.output, outcome.output
    assert not outcome.crash, outcome.crash
    if case.expect == "ok":
        assert outcome.exit_code == 0, outcome.output
        changed = {k for k, v in before.items() if after.get(k) != v}
        assert not changed, f"inputs changed: {sorted(changed)}"
        return
    assert outcome.exit_code in (1, 2), (outcome.exit_code, outcome.output)
    lines = outcome.stderr.rstrip("\n").splitlines()
    errors = [line for line in lines if line.startswith("error:")]
    assert len(errors) == 1, outcome.stderr
    assert lines[-1] == errors[0], outcome.stderr
    if not case.findings:
        assert len(lines) == 1, outcome.stderr  # one line, and nothing before it
    if case.names:
        said = outcome.output if case.findings else errors[0]
        assert case.names in said, said
    if case.leaves:
        after = {k: v for k, v in after.items() if k in before or not _under(k, case.leaves)}
    assert after == before, _difference(before, after)


def _under(path: str, folders: tuple[str, ...]) -> bool:
    return any(path == folder or path.startswith(folder + "/") for folder in folders)


def _difference(before: dict[str, str], after: dict[str, str]) -> str:
    added = sorted(set(after) - set(before))
    removed = sorted(set(before) - set(after))
    changed = sorted(k for k in before if k in after and before[k] != after[k])
    return f"files added {added}, removed {removed}, changed {changed}"


def _params(cases: list[Case]) -> list:
    return [pytest.param(c, id=c.id, marks=[pytest.mark.slow] if c.slow else []) for c in cases]


@pytest.mark.parametrize("case", _params(ALL_CASES))
def test_bad_input(case: Case, workspace: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = _fresh(workspace, tmp_path, case)
    before = snapshot(folder)
    if case.fault == "file-size-limit":
        outcome = run_subprocess(case, folder)
    else:
        outcome = run_in_process(case, folder, monkeypatch)
    check(case, outcome, before, snapshot(folder))


# The output-is-input cases, the crashes it listed, and one of each other kind of bad input.
SLICE_IDS = (
    "show-html/out-is-input",
    "export-prodigy/out-is-input",
    "export-labelstudio/out-is-input",
    "export-doccano/out-symlink-to-input",
    "import-prodigy/out-is-into",
    "segment/out-is-input",
    "adjudicate/ties-is-input",
    "adjudicate/ties-is-output",
    "convert-txt/out-unwritable",
    "preannotate/out-parent-is-file",
    "show-html/out-disk-full",
    "validate/invalid-utf8",
    "package/invalid-utf8",
    "preannotate/huge-unit",
    "benchmark/corrupt-parquet",
    "package/option-guidelines-binary",
    "convert-csv/unclosed-quote",
    "convert-csv/duplicate-header",
    "convert-jsonl/truncated-json",
    "import-labelstudio/wrong-types",
    "verify/manifest-wrong-types",
    "preannotate/stdin-truncated",
    "preannotate/option-n-process",
    "export-prodigy/option-view",
    "agree/missing",
    "train/manifest-wrong-types",
    "effort/truncated-json",
)
SLICE = [case for case in ALL_CASES if case.id in SLICE_IDS]


@pytest.mark.slow
@pytest.mark.parametrize("case", _params(SLICE))
def test_bad_input_as_a_user_sees_it(case: Case, workspace: Path, tmp_path: Path) -> None:
    folder = _fresh(workspace, tmp_path, case)
    before = snapshot(folder)
    outcome = run_subprocess(case, folder)
    check(case, outcome, before, snapshot(folder), key=f"subprocess:{case.id}")


def test_the_subprocess_slice_is_what_it_names():
    assert sorted(c.id for c in SLICE) == sorted(SLICE_IDS)


def test_the_matrix_covers_every_command():
    commands = {c.name for c in COMMANDS}
    assert commands <= {c.command for c in ALL_CASES}
    toolkit_commands = {c.argv[0] for c in ALL_CASES}
    assert toolkit_commands >= {
        "convert",
        "preannotate",
        "segment",
        "validate",
        "agree",
        "adjudicate",
        "show",
        "export",
        "import",
        "package",
        "verify",
        "benchmark",
        "train",
        "train-curve",
        "effort",
    }
