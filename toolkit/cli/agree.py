"""``toolkit agree``: how far annotators agree on entities, quote roles and event types."""

from __future__ import annotations

from typing import Annotated

import typer

from toolkit.cli.app import FormatOption, Quiet, ReportFormat, app, info, json_report


def _score(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def agreement_lines(report: object, *, conflicts: int) -> list[str]:
    """The report as lines of text for a person."""
    from toolkit.review.agree import AgreementReport

    assert isinstance(report, AgreementReport)
    answers = ", ".join(f"{n} {state}" for state, n in report.answers.items()) or "none"
    lines = [
        f"annotators: {', '.join(report.annotators) or 'none'}",
        f"tasks: {report.tasks} ({report.shared_tasks} answered by two or more); answers: {answers}"
        + (f"; {report.repeated_answers} repeated answers replaced" if report.repeated_answers else ""),
        "",
        f"{'span F1 (pairwise)':<22}{'exact':>8}{'overlap':>9}{'items':>8}{'pairs':>8}",
    ]
    for kind, score in report.spans.items():
        row = score.to_dict()
        lines.append(
            f"{kind:<22}{_score(row['exact_f1']):>8}{_score(row['overlap_f1']):>9}{row['items']:>8}{row['task_pairs']:>8}"
        )
    events = report.events
    lines += [
        "",
        f"event types: {events.units} record x type decisions, observed agreement {_score(events.observed)}, "
        f"Krippendorff's alpha {_score(events.alpha)}"
        + (f", Cohen's kappa {_score(events.kappa)}" if len(report.annotators) == 2 else ""),
        "",
        f"conflicts: {len(report.conflicts)} tasks",
    ]
    for conflict in report.conflicts[:conflicts]:
        lines.append(f"  {conflict['id']} ({', '.join(conflict['annotators'])})")
        for difference in conflict["differences"]:
            if difference["what"] == "answer":
                states = ", ".join(f"{a}: {s}" for a, s in difference["values"].items())
                lines.append(f"    answer: {states}")
            else:
                for item in difference["items"]:
                    lines.append(f"    {difference['what']}: {item['item']} only by {', '.join(item['by'])}")
    if len(report.conflicts) > conflicts:
        lines.append(f"  ... {len(report.conflicts) - conflicts} more (--conflicts N, or --format json)")
    return lines


@app.command("agree")
def agree_command(
    files: Annotated[list[str], typer.Argument(help="Answer files (JSONL), one or more per annotator.")],
    report_format: FormatOption = ReportFormat.text,
    conflicts: Annotated[int, typer.Option("--conflicts", help="How many conflicts to list in text.")] = 20,
    quiet: Quiet = False,
) -> None:
    """Inter-annotator agreement: span F1, alpha/kappa on event types, and the tasks where answers differ.

    Answers are grouped by meta.id and _annotator_id (the file name when absent). Only accept answers are
    annotations; reject and ignore are counted as states.
    """
    from toolkit.review.agree import agreement

    report = agreement(paths=files)
    if report_format is ReportFormat.json:
        json_report(report.to_dict())
    else:
        typer.echo("\n".join(agreement_lines(report, conflicts=conflicts)))
    info(
        f"agreement over {report.shared_tasks} shared tasks, {len(report.annotators)} annotators", quiet=quiet
    )
