"""A rich progress bar on stderr that switches itself off when stderr is not a terminal or with --quiet.

The bar reads how far the work is when it draws (ten times a second, in rich's refresh thread), not on every
item, so the loop it watches pays one attribute update per item at most. Where the input's size is known the
bar counts bytes read and shows the size and the time left.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from rich.progress import Progress

T = TypeVar("T")


def showing(quiet: bool = False) -> bool:
    """Whether a bar would be drawn: a person is watching stderr and did not ask for quiet."""
    return not quiet and sys.stderr.isatty()


def track(
    items: Iterable[T],
    *,
    description: str,
    total: float | None = None,
    quiet: bool = False,
    bytes_read: Callable[[], int] | None = None,
    waiting: str | None = None,
) -> Iterable[T]:
    """``items`` with a progress bar when a person is watching, else ``items`` themselves (no cost).

    With ``bytes_read`` (how many bytes of the input the items so far took) the bar shows bytes against
    ``total`` (the input's size, None if unknown) and the time left; without it, items against ``total``.
    ``waiting`` ("loading model") is shown beside the description until the first byte or item comes.
    """
    if not showing(quiet):
        return items
    return _tracked(items, description=description, total=total, bytes_read=bytes_read, waiting=waiting)


def _tracked(
    items: Iterable[T],
    *,
    description: str,
    total: float | None,
    bytes_read: Callable[[], int] | None,
    waiting: str | None,
) -> Iterator[T]:
    from rich.console import Console

    counted = _Counted()
    progress = _polled_progress(counted, bytes_read, description=description, waiting=waiting)(
        *_columns(bytes_read is not None), console=Console(stderr=True), transient=True
    )
    with progress:
        counted.task = progress.add_task(description, total=total, items=0)
        for item in items:
            yield item
            counted.items += 1


@dataclass
class _Counted:
    items: int = 0
    task: Any = None


def _columns(in_bytes: bool) -> list[Any]:
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        MofNCompleteColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    if not in_bytes:
        return [TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn()]
    return [
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),  # "12.3/45.6 MB"
        TextColumn("{task.fields[items]:,} records"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    ]


def _polled_progress(
    counted: _Counted, bytes_read: Callable[[], int] | None, *, description: str, waiting: str | None
) -> Callable[..., Progress]:
    """A Progress class that takes the work done from ``counted`` or ``bytes_read`` each time it draws."""
    from rich.progress import Progress

    class Polled(Progress):
        def get_renderables(self) -> Iterator[Any]:
            if counted.task is not None:
                done = bytes_read() if bytes_read is not None else counted.items
                started = counted.items > 0 or done > 0
                label = description if started or not waiting else f"{description}: {waiting}"
                self.update(counted.task, completed=done, description=label, items=counted.items)
            yield from super().get_renderables()

    return Polled
