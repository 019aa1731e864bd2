"""``toolkit convert``: documents (txt, JSONL, CSV, CoNLL, brat) to one record per sentence or paragraph."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from toolkit.cli import engine as engine_flags
from toolkit.cli.app import ModelOption, Quiet, app, info
from toolkit.cli.options import ShardedOutput
from toolkit.options import ConvertOptions, EngineOptions, ReaderOptions, options_from
from toolkit.plural import counted

if TYPE_CHECKING:
    from toolkit.convert.run import ConvertSummary


class SourceFormat(StrEnum):
    """``--format``: auto (by extension) or one of the readers (``toolkit.readers.READERS``)."""

    auto = "auto"
    txt = "txt"
    jsonl = "jsonl"
    csv = "csv"
    conll = "conll"
    brat = "brat"


# Warnings beyond this many are counted, not listed, so a large corpus still ends in a readable summary.
SHOWN_WARNINGS = 10
CONVERT = ConvertOptions()
READER = ReaderOptions()


@app.command("convert")
def convert_command(
    sources: Annotated[
        list[str],
        typer.Argument(metavar="SRC", help="Files or folders (read recursively, sorted); - for stdin."),
    ],
    output: ShardedOutput,
    format: Annotated[
        SourceFormat, typer.Option("--format", "-f", help="The sources' format (auto: by extension).")
    ] = SourceFormat(CONVERT.format),
    unit: Annotated[
        str, typer.Option("--unit", "-u", help="One record per sentence or per paragraph.")
    ] = CONVERT.unit,
    model: ModelOption = CONVERT.model,
    skip_invalid: Annotated[
        bool,
        typer.Option("--skip-invalid", help="Skip bad lines, rows and documents, count them and go on."),
    ] = READER.skip_invalid,
    text_field: Annotated[
        str, typer.Option(help="JSONL key / CSV column holding the text.")
    ] = READER.text_field,
    id_field: Annotated[str, typer.Option(help="Key / column holding the document id.")] = READER.id_field,
    date_field: Annotated[str, typer.Option(help="Key / column holding the date.")] = READER.date_field,
    title_field: Annotated[str, typer.Option(help="Key / column holding the title.")] = READER.title_field,
    url_field: Annotated[str, typer.Option(help="Key / column holding the URL.")] = READER.url_field,
    source_field: Annotated[
        str, typer.Option(help="Key / column naming the outlet (kept as meta.document_source).")
    ] = READER.source_field,
    engine: engine_flags.EngineOption = engine_flags.DEFAULT_ENGINE,
    scheduler: engine_flags.SchedulerOption = None,
    workers: engine_flags.WorkersOption = None,
    quiet: Quiet = False,
) -> None:
    """Read documents, split them into sentences (or paragraphs), tokenize, and write one record per unit."""
    flags = {**locals(), "format": str(format)}  # the flags are named as the options' fields
    options = options_from(ConvertOptions, {**flags, "reader": options_from(ReaderOptions, flags)})
    where = options_from(EngineOptions, flags)
    # A brat text is read with the .ann beside it: that file is an input too.
    annotations = [Path(s).with_suffix(".ann") for s in sources if s.endswith(".txt")]
    # A new -o inside a source folder is fine (the sources are listed before anything is written); a
    # rerun would read it, so an existing one is refused.
    engine_flags.check_stage_outputs(
        inputs=[*sources, *(a for a in annotations if a.exists())],
        output=output,
        new_file_in_input_folder=True,
    )
    if engine_flags.runs_sharded(where, output=output):
        # One output shard per input file, in-process or on Dask, resumable; merged when -o is a file.
        from toolkit.engine.distributed import convert_sharded, run_lines

        run = convert_sharded(sources=sources, output=output, options=options, engine=where, quiet=quiet)
        lines = [*summary_lines(run.summary), *run_lines(run)]
    else:
        from toolkit.convert.run import convert

        lines = summary_lines(convert(sources=sources, output=output, options=options, quiet=quiet))
    for line in lines:
        info(line, quiet=quiet)


def summary_lines(summary: ConvertSummary) -> list[str]:
    """Warnings and skips (the first few of each), then one line of counts."""
    lines = [f"warning: {w}" for w in summary.warnings[:SHOWN_WARNINGS]]
    if len(summary.warnings) > SHOWN_WARNINGS:
        lines.append(f"warning: {len(summary.warnings) - SHOWN_WARNINGS} more warnings")
    for skipped in summary.skipped[:SHOWN_WARNINGS]:
        where = f"{skipped.path}:{skipped.line}" if skipped.line else skipped.path
        lines.append(f"skipped: {where}: [{skipped.rule}] {skipped.message}")
    counts = [
        counted(summary.files, "file"),
        counted(summary.documents, "document"),
        counted(summary.records, "record"),
        f"{len(summary.skipped)} skipped",
    ]
    # Placement counts appear only when some annotation needed reporting.
    for name in (
        "cross_unit_spans",
        "unplaced_spans",
        "misaligned_spans",
        "split_tokens",
        "split_quotes",
        "dropped_quote_pieces",
    ):
        if getattr(summary, name):
            counts.append(f"{name} {getattr(summary, name)}")
    lines.append(f"convert: {', '.join(counts)} -> {summary.output}")
    return lines
