"""``toolkit build``: convert, pre-annotate, validate, package and benchmark the shipped corpus in one go."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from toolkit.cli.app import Quiet, app, info


@app.command("build")
def build_command(
    root: Annotated[
        Path, typer.Option("--root", help="Project folder holding seeds/ and annotations/.")
    ] = Path("."),
    benchmark: Annotated[
        bool, typer.Option("--benchmark/--no-benchmark", help="Score the baseline on the test split.")
    ] = True,
    quiet: Quiet = False,
) -> None:
    """Build the dataset from seeds/ and annotations/gold/ into dist/NAME/VERSION; safe to rerun."""
    from toolkit.build import build
    from toolkit.packaging.release import ValidationFailedError

    try:
        result = build(root=root, benchmark=benchmark, quiet=quiet)
    except ValidationFailedError as exc:
        for finding in exc.report.findings[:20]:
            info(str(finding), quiet=quiet)
        raise
    for step in result.steps:
        info(f"{step.name}: {step.status}: {step.detail}", quiet=quiet)
    if result.load_hint:
        info(f"load it with: {result.load_hint}", quiet=quiet)
