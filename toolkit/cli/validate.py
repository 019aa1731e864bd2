"""``toolkit validate``: check record files against the schema and the semantic rules."""

from __future__ import annotations

from typing import Annotated

import typer

from toolkit.cli.app import FormatOption, Quiet, ReportFormat, app, findings_report, info
from toolkit.cli.options import LabelsFileOption, SourceDirOption
from toolkit.errors import CheckFailedError
from toolkit.options import ValidateOptions, options_from


@app.command("validate")
def validate_command(
    files: Annotated[list[str], typer.Argument(help="JSONL record files ('-' reads standard input).")],
    report_format: FormatOption = ReportFormat.text,
    labels: LabelsFileOption = None,
    scheme: Annotated[
        str | None, typer.Option("--scheme", help="Accept entity labels of this scheme only (default: any).")
    ] = None,
    strict: Annotated[bool, typer.Option("--strict", help="Warnings fail the check too.")] = False,
    source_dir: SourceDirOption = None,
    full_schema: Annotated[
        bool,
        typer.Option(
            "--full-schema", help="Run the full JSON Schema on every line, not only on rejected ones."
        ),
    ] = False,
    quiet: Quiet = False,
) -> None:
    """Check records: JSON Schema, offsets, tokens, labels, quotes, events, duplicates, hashes, sources.

    Findings go to standard error, even with --quiet (the JSON report to standard output); exit 1 when
    there are errors (or warnings with --strict).
    """
    options = options_from(ValidateOptions, locals())
    from toolkit.review.validate import validate

    report = validate(paths=files, options=options)
    findings_report(report.findings, report.to_dict(), report_format=report_format)
    counts = report.counts
    summary = (
        f"checked {report.records:,} records in {len(report.files)} file(s): {counts['error']} errors, "
        f"{counts['warning']} warnings, {counts['info']} notes"
    )
    if not report.ok:
        raise CheckFailedError(f"validation failed: {summary}")
    info(f"ok: {summary}", quiet=quiet)
