"""``toolkit adjudicate``: one gold record per task by majority vote; ties go to a file for a person."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from toolkit.cli.app import Quiet, app, info


@app.command("adjudicate")
def adjudicate_command(
    files: Annotated[list[str], typer.Argument(help="Answer files (JSONL) from every annotator.")],
    output: Annotated[str, typer.Option("--output", "-o", help="Gold JSONL to write ('-' for stdout).")],
    ties: Annotated[
        Path | None, typer.Option("--ties", help="Where ties go (default: <GOLD stem>.ties.jsonl beside it).")
    ] = None,
    min_annotators: Annotated[
        int, typer.Option("--min-annotators", help="Tasks with fewer answers go to the ties file.")
    ] = 1,
    quiet: Quiet = False,
) -> None:
    """Majority adjudication: keep what a strict majority of the accepting annotators marked.

    A task whose answers (accept/reject/ignore) or items tie goes to the ties file with every version; a task
    most annotators rejected or ignored gives no gold record. Input files are never modified.
    """
    from toolkit.paths import STDIO, check_outputs
    from toolkit.review.adjudicate import adjudicate, default_ties_path

    default_ties = default_ties_path(output) if output != STDIO else None
    check_outputs(inputs=files, outputs={"-o": output, "--ties": ties if ties is not None else default_ties})
    report = adjudicate(paths=files, output=output, ties=ties, min_annotators=min_annotators)
    ties_total = sum(report.ties.values())
    reasons = ", ".join(f"{n} {reason}" for reason, n in report.ties.items())
    info(
        f"{report.answers} answers to {report.tasks} tasks: {report.gold} gold records -> "
        f"{report.gold_path}, {report.rejected} rejected, {report.ignored} ignored, {ties_total} ties"
        + (f" ({reasons})" if reasons else "")
        + f" -> {report.ties_path}",
        quiet=quiet,
    )
