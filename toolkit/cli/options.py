"""Flags that several stage commands share, spelled and explained once (their defaults come from
``toolkit.options``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

ShardedOutput = Annotated[
    str,
    typer.Option(
        "--output", "-o", help="Output JSONL file, - for stdout, or a folder (ending in /) of shards."
    ),
]
LabelsFileOption = Annotated[
    Path | None, typer.Option("--labels", help="Labels file (default: schemas/labels.json).")
]
SourceDirOption = Annotated[
    Path | None,
    typer.Option(
        "--source-dir",
        exists=True,
        file_okay=False,
        help="Folder that meta.source paths are relative to, for the offset checks on the source documents.",
    ),
]
LabelMapOption = Annotated[
    str | None,
    typer.Option(
        "--label-map",
        help="Rename predicted labels: conll, or a JSON file {label: new label, or null to drop it}.",
    ),
]
