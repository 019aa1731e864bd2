"""``toolkit build``: convert, pre-annotate, validate, package and benchmark the shipped corpus in one go."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from toolkit.cli.app import Quiet, app, findings_shown, info


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
    from toolkit.build import GOLD_DIR, GUIDELINES_FILE, PRE_FILE, SETTINGS_FILE, TASKS_FILE, build
    from toolkit.paths import check_outputs

    if root.is_dir():  # else build() says there is no such folder
        check_outputs(
            inputs=[root / "seeds", root / GOLD_DIR, root / SETTINGS_FILE, root / GUIDELINES_FILE],
            outputs={"the tasks file": root / TASKS_FILE, "the pre-annotated file": root / PRE_FILE},
            output_folders={"the releases folder": root / "dist", "the reports folder": root / "reports"},
        )
    with findings_shown(most=20):
        result = build(root=root, benchmark=benchmark, quiet=quiet)
    for step in result.steps:
        info(f"{step.name}: {step.status}: {step.detail}", quiet=quiet)
    if result.load_hint:
        info(f"load it with: {result.load_hint}", quiet=quiet)
