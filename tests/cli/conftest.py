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
    counts = Counter(OUTCOMES.values())
    subprocess_cases = sum(1 for key in OUTCOMES if key.startswith("subprocess:"))
    terminalreporter.write_line(
        f"bad-input matrix: {len(OUTCOMES)} cases ({subprocess_cases} as a subprocess): "
        f"{counts['refused']} refused with one line, {counts['ok']} accepted, "
        f"{counts['failed']} failed otherwise, {counts['traceback']} tracebacks"
    )
