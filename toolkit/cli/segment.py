"""``toolkit segment``: sentence or paragraph offsets of text files as JSON lines, to inspect a split."""

from __future__ import annotations

from typing import Annotated

import typer

from toolkit.cli.app import Quiet, app, info


@app.command("segment")
def segment_command(
    sources: Annotated[list[str], typer.Argument(metavar="SRC", help="UTF-8 text files; - for stdin.")],
    output: Annotated[str, typer.Option("--output", "-o", help="Output JSONL file; - for stdout.")] = "-",
    unit: Annotated[str, typer.Option("--unit", "-u", help="sentence or paragraph.")] = "sentence",
    quiet: Quiet = False,
) -> None:
    """Split text into sentences the way convert does; one line per unit: source, offsets, text."""
    from toolkit.convert.segment import segment_files
    from toolkit.paths import check_outputs

    check_outputs(inputs=sources, outputs={"-o": output})
    summary = segment_files(sources=sources, output=output, unit=unit)
    files = f"{summary.files} file{'' if summary.files == 1 else 's'}"
    info(
        f"segment: {files}, {summary.paragraphs} paragraphs, {summary.units} {unit}s -> {summary.output}",
        quiet=quiet,
    )
