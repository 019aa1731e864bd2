"""SIGTERM and SIGHUP stop a command the way Ctrl-C does, so its cleanup runs.

Python turns SIGINT into KeyboardInterrupt, which unwinds the stack: ``finally`` blocks and context managers
remove temporary files and staging folders and stop worker processes. SIGTERM and SIGHUP kill the process
outright by default, leaving all of those behind. The CLI installs handlers that raise ``Terminated``, a
KeyboardInterrupt, so the same unwinding happens, and exits with 128 + the signal number as shells do.
"""

from __future__ import annotations

import signal
import threading
from types import FrameType

# Ctrl-C: shells report a process ended by signal N as 128 + N.
INTERRUPTED_EXIT = 128 + signal.SIGINT


class Terminated(KeyboardInterrupt):
    """The command was asked to stop by SIGTERM or SIGHUP."""

    def __init__(self, signum: int) -> None:
        self.signal_name = signal.Signals(signum).name
        super().__init__(self.signal_name)
        self.exit_code = 128 + signum
        self.message = f"terminated ({self.signal_name})"


def _raise_terminated(signum: int, frame: FrameType | None) -> None:
    raise Terminated(signum)


def stop_on_termination() -> None:
    """Raise Terminated on SIGTERM and SIGHUP from now on, in the main thread (the only one that can).

    A signal someone chose to ignore stays ignored: ``nohup`` sets SIGHUP so, and the run must go on.
    """
    if threading.current_thread() is not threading.main_thread():
        return
    for name in ("SIGTERM", "SIGHUP"):
        signum = getattr(signal, name, None)
        if signum is not None and signal.getsignal(signum) is signal.SIG_DFL:
            signal.signal(signum, _raise_terminated)


def stop_reason(exc: KeyboardInterrupt) -> tuple[str, int]:
    """(the line the CLI prints, its exit code) for Ctrl-C or a termination signal."""
    if isinstance(exc, Terminated):
        return exc.message, exc.exit_code
    return "interrupted", INTERRUPTED_EXIT
