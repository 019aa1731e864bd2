"""Prints the size of the bad-input matrix and what its cases ended in, at the end of the test run."""

from __future__ import annotations

from collections import Counter


def pytest_terminal_summary(terminalreporter, exitstatus, config):  # noqa: ARG001
    try:
        from test_bad_input import OUTCOMES
    except ImportError:
        return
    if not OUTCOMES:
        return
    in_process = Counter(v for k, v in OUTCOMES.items() if not k.startswith("subprocess:"))
    as_user = Counter(v for k, v in OUTCOMES.items() if k.startswith("subprocess:"))
    commands = len({k.removeprefix("subprocess:").split("/")[0] for k in OUTCOMES})
    terminalreporter.write_line(
        f"bad-input matrix: {in_process.total()} cases over {commands} command lines: "
        f"{in_process['refused']} refused with one line, {in_process['ok']} accepted, "
        f"{in_process['failed']} failed otherwise, {in_process['traceback']} tracebacks; "
        f"{as_user.total()} of them again as a subprocess: {as_user['refused']} refused, "
        f"{as_user['ok']} accepted, {as_user['failed']} failed otherwise, {as_user['traceback']} tracebacks"
    )
