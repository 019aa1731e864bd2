"""The worker pool behind ``--n-process``: input order, errors from a worker, and no process left behind."""

from __future__ import annotations

import os
import signal
import time

import psutil
import pytest
import spacy
from spacy.language import Language

from toolkit.errors import InputError
from toolkit.preannotate.workers import WorkerError, can_fork, pipe_in_processes

pytestmark = pytest.mark.skipif(not can_fork(), reason="the pool forks its workers")


@Language.component("test_workers_rules")
def _rules(doc):
    """Marks each Doc with the worker that made it; fails on 'boom', hangs on 'hang'."""
    if doc.text == "boom":
        raise InputError("a rule refused this text", rule="test-rule")
    if doc.text == "hang":
        time.sleep(60)  # longer than any test waits; short enough not to stall a failing run
    doc.user_data["pid"] = os.getpid()
    return doc


@pytest.fixture(scope="module")
def blank():
    nlp = spacy.blank("en")
    nlp.add_pipe("test_workers_rules")
    return nlp


@pytest.fixture
def new_children():
    """The processes this test started: the session may have others (a cluster, a resource tracker)."""
    me = psutil.Process()
    before = {p.pid for p in me.children()}

    def started() -> list[psutil.Process]:
        return [p for p in me.children() if p.pid not in before and p.status() != psutil.STATUS_ZOMBIE]

    return started


def gone(processes: list[psutil.Process], within: float = 10.0) -> bool:
    _, alive = psutil.wait_procs(processes, timeout=within)
    return not alive


def test_docs_come_back_in_input_order_from_every_worker(blank, new_children):
    texts = [f"Sentence number {i} of the test." for i in range(250)]
    docs = list(pipe_in_processes(blank, iter(texts), n_process=3, batch_size=7))
    assert [d.text for d in docs] == texts
    assert [t.text for t in docs[5]] == [t.text for t in blank(texts[5])]
    pids = {d.user_data["pid"] for d in docs}
    assert len(pids) == 3 and os.getpid() not in pids
    assert new_children() == []


def test_a_worker_error_is_raised_as_itself_and_stops_the_pool(blank, new_children):
    texts = ["fine"] * 30 + ["boom"] + ["fine"] * 30
    with pytest.raises(InputError, match="a rule refused this text") as info:
        list(pipe_in_processes(blank, iter(texts), n_process=2, batch_size=4))
    assert info.value.rule == "test-rule"
    assert new_children() == []


def test_closing_the_generator_early_stops_busy_workers(blank, new_children):
    docs = pipe_in_processes(blank, iter(["fine", "hang", "hang", "hang"]), n_process=2, batch_size=1)
    assert next(docs).text == "fine"
    workers = new_children()
    assert len(workers) == 2
    started = time.monotonic()
    docs.close()
    assert gone(workers, within=1.0) and time.monotonic() - started < 7


def test_a_worker_killed_from_outside_is_an_error_not_a_hang(blank, new_children):
    docs = pipe_in_processes(blank, iter(["fine", "hang", "fine", "fine"]), n_process=2, batch_size=1)
    first = next(docs).user_data["pid"]  # batch 0 went to the first worker, batch 1 ("hang") to the second
    workers = new_children()
    assert len(workers) == 2 and first in {w.pid for w in workers}
    os.kill(next(w.pid for w in workers if w.pid != first), signal.SIGKILL)
    with pytest.raises(WorkerError, match=r"ended without its results \(exit code -9\)"):
        next(docs)
    assert gone(workers, within=1.0)


def test_keyboard_interrupt_in_the_parent_stops_the_workers(blank, new_children):
    def texts():
        yield from ["fine"] * 40
        raise KeyboardInterrupt  # as if Ctrl-C arrived while reading the input

    workers: list[psutil.Process] = []
    with pytest.raises(KeyboardInterrupt):
        for _ in pipe_in_processes(blank, texts(), n_process=2, batch_size=2):
            workers = workers or new_children()
    assert len(workers) == 2 and gone(workers, within=1.0)
