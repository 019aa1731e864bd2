"""Options that pick where convert and preannotate run: in this process, or by shards on a Dask cluster."""

from __future__ import annotations

from typing import Annotated

import typer

EngineOption = Annotated[
    str,
    typer.Option(
        "--engine",
        help="local: in this process; dask: one task per input file on a Dask cluster (resumable).",
    ),
]
SchedulerOption = Annotated[
    str | None,
    typer.Option(
        "--scheduler",
        metavar="ADDRESS",
        help="Dask scheduler, e.g. tcp://10.0.0.5:8786 (default: a local cluster sized to this machine).",
    ),
]
WorkersOption = Annotated[
    int | None,
    typer.Option("--workers", min=1, help="Workers of the local Dask cluster (default: one per core)."),
]
