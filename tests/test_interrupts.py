"""SIGTERM and SIGHUP unwind like Ctrl-C; the CLI names the signal and exits 128 + its number."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap

from toolkit.interrupts import Terminated, stop_reason

# Run in a child so the test session's own signal handlers stay as they are.
PROBE = textwrap.dedent(
    """
    import os, signal
    from toolkit.interrupts import Terminated, stop_on_termination

    signal.signal(signal.SIGHUP, signal.SIG_IGN)  # as under nohup
    stop_on_termination()
    os.kill(os.getpid(), signal.SIGHUP)  # ignored: the run goes on
    cleaned = False
    try:
        try:
            os.kill(os.getpid(), signal.SIGTERM)
            signal.pause()
        finally:
            cleaned = True
    except KeyboardInterrupt as exc:
        print(type(exc).__name__, exc.exit_code, cleaned)
    """
)


def test_sigterm_raises_where_the_program_is_and_a_chosen_ignore_stays():
    result = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["Terminated", "143", "True"]


def test_stop_reason_for_ctrl_c_and_for_signals():
    assert stop_reason(KeyboardInterrupt()) == ("interrupted", 130)
    assert stop_reason(Terminated(signal.SIGTERM)) == ("terminated (SIGTERM)", 143)
    assert stop_reason(Terminated(signal.SIGHUP)) == ("terminated (SIGHUP)", 129)
