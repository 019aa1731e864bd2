"""``toolkit effort``: what annotators did to the pre-annotations, per task and label, and how long."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from toolkit.cli.app import app, json_report


class EffortFormat(StrEnum):
    markdown = "markdown"
    json = "json"


@app.command("effort")
def effort_command(
    pre: Annotated[
        str, typer.Argument(metavar="PRE.jsonl", help="The pre-annotated records the annotators were given.")
    ],
    answers: Annotated[
        list[str],
        typer.Argument(
            metavar="ANSWERS.jsonl...", help="Their answers (toolkit import output, a pass, gold)."
        ),
    ],
    tasks: Annotated[
        str | None,
        typer.Option("--tasks", "-t", help="Layers to compare: entities,quotes,events (default: all three)."),
    ] = None,
    idle: Annotated[
        float,
        typer.Option("--idle", help="Seconds between two Prodigy answers above which the gap is a break."),
    ] = 600.0,
    report_format: Annotated[
        EffortFormat, typer.Option("--format", "-f", help="markdown for people, json for machines.")
    ] = EffortFormat.markdown,
    cases: Annotated[
        bool, typer.Option("--cases/--no-cases", help="List every correction with its words (markdown).")
    ] = True,
) -> None:
    """What annotators did to the pre-annotations: kept, changed, deleted, added per task and label; time."""
    from toolkit.review.effort import markdown, measure_effort

    report = measure_effort(pre=pre, answers=answers, tasks=tasks, idle_seconds=idle)
    if report_format is EffortFormat.json:
        json_report(report.to_dict())
    else:
        typer.echo(markdown(report, cases=cases), nl=False)
