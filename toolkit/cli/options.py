"""Flags that several stage commands share, spelled and explained once (their defaults come from
``toolkit.options``)."""

from __future__ import annotations

from typing import Annotated

import typer

ShardedOutput = Annotated[
    str,
    typer.Option(
        "--output", "-o", help="Output JSONL file, - for stdout, or a folder (ending in /) of shards."
    ),
]
LabelMapOption = Annotated[
    str | None,
    typer.Option(
        "--label-map",
        help="Rename predicted labels: conll, or a JSON file {label: new label, or null to drop it}.",
    ),
]
