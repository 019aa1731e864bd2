"""Worker processes for ``preannotate --n-process N``: the pipeline runs on batches in N forked processes.

spaCy's own ``nlp.pipe(n_process=N)`` cannot be stopped cleanly. On an interrupt it queues a stop sentinel
behind the batches already sent and joins its workers; a worker blocked sending a finished batch never sees
the sentinel, because every sibling holds a copy of the read end of its pipe, so the parent waits forever
(SIGINT to the parent alone). Its workers do not ignore Ctrl-C, so a terminal's Ctrl-C prints a traceback
per worker, and a parent killed by SIGTERM leaves them running as orphans.

Here the parent owns the workers' lives: any exit from the generator other than the end of the input
(KeyboardInterrupt, SIGTERM raised as ``toolkit.interrupts.Terminated``, an error, the consumer giving up)
terminates them, waits for them, and kills what is left. Workers ignore SIGINT (the parent decides), take
SIGTERM's default action, close the pipe ends meant for other workers, and die with the parent even when it
is killed with SIGKILL (Linux's parent-death signal, and a check of the parent's pid while idle).
"""

from __future__ import annotations

import contextlib
import ctypes
import itertools
import multiprocessing
import os
import pickle
import queue
import signal
import sys
from collections import deque
from collections.abc import Generator, Iterable, Iterator
from multiprocessing.connection import Connection, wait
from typing import TYPE_CHECKING, Any

from toolkit.errors import ToolkitError

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

BATCHES_AHEAD = 2  # per worker: one being processed, one waiting, so no worker idles
IDLE_CHECK = 1.0  # seconds a waiting worker sleeps between checks that its parent is still there
STOP_WAIT = 5.0  # seconds a terminated worker gets to exit before it is killed
_PR_SET_PDEATHSIG = 1  # linux/prctl.h


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


class WorkerError(ToolkitError):
    """A worker process died or failed in a way that cannot be raised as the original error."""


class _Worker:
    """One forked process with its own inbox (batches of texts) and outbox (the batches' Docs as bytes)."""

    def __init__(self, nlp: Language, index: int, others: list[Connection]) -> None:
        context = multiprocessing.get_context("fork")
        self.inbox = context.Queue()
        self.outbox, sending_end = context.Pipe(duplex=False)
        self.process = context.Process(
            target=_work,
            args=(nlp, self.inbox, sending_end, os.getpid(), others),
            name=f"toolkit-preannotate-{index}",
            daemon=True,  # never outlives the parent's interpreter, whatever happens to the pool
        )
        self.process.start()
        # Only the worker may hold the sending end, so its death reads as end-of-file here.
        sending_end.close()

    def receive(self) -> Any:
        """The next reply: waits for it or for the process to end, whichever comes first."""
        ready = wait([self.outbox, self.process.sentinel])
        if self.outbox in ready:
            try:
                return self.outbox.recv()
            except EOFError:
                pass
        self.process.join()
        raise WorkerError(
            f"preannotate worker process {self.process.pid} ended without its results "
            f"(exit code {self.process.exitcode})",
            hint="out of memory? lower --batch-size or --n-process",
        )

    def stop(self) -> None:
        """Ask an idle worker to finish: after the batches already sent, it exits."""
        self.inbox.put(None)

    def close(self, *, stopping: bool) -> None:
        """Wait for the process (killing it if it lingers) and release the queue and pipe."""
        self.process.join(STOP_WAIT)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        if stopping:
            self.inbox.cancel_join_thread()  # batches nobody will read: do not wait to flush them at exit
        self.inbox.close()
        self.outbox.close()
        self.process.close()


def pipe_in_processes(
    nlp: Language, texts: Iterable[str], *, n_process: int, batch_size: int
) -> Generator[Doc, None, None]:
    """``nlp.pipe(texts)`` in ``n_process`` worker processes, Docs in input order, memory bounded by the
    batches in flight. Close the generator (or let an exception pass through it) to stop the workers."""
    from spacy.tokens import Doc

    workers: list[_Worker] = []
    finished = False
    try:
        # All forks before any queue is used: a queue starts a feeder thread, and forking copies no threads.
        for index in range(n_process):
            workers.append(_Worker(nlp, index, [w.outbox for w in workers]))
        batches = _batches(texts, batch_size)
        in_flight: deque[_Worker] = deque()

        def send_next(worker: _Worker) -> None:
            batch = next(batches, None)
            if batch is not None:
                worker.inbox.put(batch)
                in_flight.append(worker)

        # Batch k goes to worker k mod N, so replies come back in input order worker by worker.
        for worker in itertools.islice(itertools.cycle(workers), BATCHES_AHEAD * n_process):
            send_next(worker)
        while in_flight:
            worker = in_flight.popleft()
            reply = worker.receive()
            send_next(worker)
            if isinstance(reply, BaseException):
                raise reply
            for data in reply:
                yield Doc(nlp.vocab).from_bytes(data)
        for worker in workers:
            worker.stop()
        finished = True
    finally:
        if not finished:
            for worker in workers:  # all of them first, so a second Ctrl-C during the waits leaves no orphan
                with contextlib.suppress(OSError):
                    worker.process.terminate()
        for worker in workers:
            worker.close(stopping=not finished)


def _batches(texts: Iterable[str], size: int) -> Iterator[list[str]]:
    iterator = iter(texts)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


# ---------------------------------------------------------------- inside a worker


def _work(nlp: Language, inbox: Any, outbox: Connection, parent: int, others: list[Connection]) -> None:
    _detach(parent, others)
    while (batch := _next_batch(inbox, parent)) is not None:
        try:
            # Without the embedding tensor: the parent never reads it, and it is most of a serialised Doc.
            reply: Any = [doc.to_bytes(exclude=["tensor"]) for doc in nlp.pipe(batch, batch_size=len(batch))]
        except Exception as exc:  # noqa: BLE001 - every failure goes back to the parent to raise
            reply = _sendable(exc)
        try:
            outbox.send(reply)
        except (BrokenPipeError, ConnectionResetError):
            return  # the parent is gone or stopped listening


def _detach(parent: int, others: list[Connection]) -> None:
    """Leave signals to the parent and die with it."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group; the parent stops us
    for name in ("SIGTERM", "SIGHUP"):  # the parent's handlers came along with the fork
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), signal.SIG_DFL)
    for connection in others:
        connection.close()  # earlier workers' read ends: held here, they would keep those pipes open
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:
        os._exit(1)  # the parent died before the death signal was set


def _next_batch(inbox: Any, parent: int) -> list[str] | None:
    while True:
        try:
            return inbox.get(timeout=IDLE_CHECK)
        except queue.Empty:
            if os.getppid() != parent:
                return None
        except (EOFError, OSError):
            return None  # the parent closed the queue: nothing more will come


def _sendable(exc: Exception) -> BaseException:
    """The error itself when it survives pickling (a ToolkitError keeps its message and exit code), else a
    WorkerError naming it."""
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:  # noqa: BLE001 - any pickling failure
        return WorkerError(f"a preannotate worker failed: {type(exc).__name__}: {exc}")
    return exc
