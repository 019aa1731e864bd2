"""Options that pick where convert and preannotate run: in this process, or by shards on a Dask cluster."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Annotated

import typer

from toolkit.options import EngineOptions

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
DEFAULT_ENGINE = EngineOptions().engine


def check_stage_outputs(
    *, inputs: Iterable[str | Path | None], output: str, new_file_in_input_folder: bool = False
) -> None:
    """``check_outputs`` for a stage whose ``-o`` is one file or a folder of shards."""
    from toolkit.engine.distributed import output_is_folder
    from toolkit.paths import check_outputs

    folder = output_is_folder(output)
    check_outputs(
        inputs=inputs,
        outputs={} if folder else {"-o": output},
        output_folders={"-o": output} if folder else None,
        new_file_in_input_folder=new_file_in_input_folder,
    )


def runs_sharded(engine: EngineOptions, *, output: str, input_folder: bool = False) -> bool:
    """Shard by shard when a Dask engine is asked for, the output is a folder, or the input is a folder of
    shards (which can only be read shard by shard); else one run in this process."""
    from toolkit.engine.distributed import output_is_folder

    return engine.is_dask or input_folder or output_is_folder(output)
