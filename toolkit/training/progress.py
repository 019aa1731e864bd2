"""spaCy's training loop reporting to the toolkit instead of printing its table: a registered logger hands
each evaluation to whoever is listening, and ``EpochBar`` shows one bar per training run on stderr when a
person is watching (nothing when stderr is not a terminal or with --quiet)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

LOGGER_NAME = "toolkit.TrainingProgress.v1"
Listener = Callable[[dict[str, Any]], None]
_listeners: list[Listener] = []


def _register() -> None:
    from spacy.util import registry

    if LOGGER_NAME in registry.loggers:
        return

    def make_logger() -> Callable[..., tuple[Callable[[dict[str, Any] | None], None], Callable[[], None]]]:
        def setup(nlp: Any, stdout: Any = sys.stdout, stderr: Any = sys.stderr) -> tuple[Any, Any]:
            def log_step(info: dict[str, Any] | None) -> None:
                if info is not None:  # None: a step without an evaluation
                    for listener in list(_listeners):
                        listener(info)

            return log_step, lambda: None

        return setup

    registry.loggers.register(LOGGER_NAME, func=make_logger)


@contextmanager
def listening(listener: Listener) -> Iterator[None]:
    """Route the evaluations of the training runs inside the block to ``listener``."""
    _register()
    _listeners.append(listener)
    try:
        yield
    finally:
        _listeners.remove(listener)


class EpochBar:
    """A rich progress bar per training run: epochs done of the most allowed, the last validation score."""

    def __init__(self, *, quiet: bool) -> None:
        self.progress: Any = None
        if quiet or not sys.stderr.isatty():
            return
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        columns = [TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn()]
        self.progress = Progress(*columns, console=Console(stderr=True), transient=True)
        self.progress.start()
        self.task: Any = None

    def start(self, label: str, epochs: int) -> None:
        self.label = label
        if self.progress is not None:
            self.task = self.progress.add_task(f"train {label}", total=epochs)

    def update(self, epoch: int, score: str) -> None:
        if self.progress is not None and self.task is not None:
            self.progress.update(self.task, completed=epoch, description=f"train {self.label}: {score}")

    def finish(self) -> None:
        if self.progress is not None and self.task is not None:
            self.progress.remove_task(self.task)
            self.task = None

    def close(self) -> None:
        if self.progress is not None:
            self.progress.stop()
