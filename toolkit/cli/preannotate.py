"""``toolkit preannotate``: baseline entities, quotes and PLOVER events on records, for people to check."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from toolkit.cli import engine as engine_flags
from toolkit.cli.app import ModelOption, Quiet, SkipInvalid, app, info
from toolkit.cli.options import LabelMapOption, ShardedOutput
from toolkit.options import EngineOptions, PreannotateOptions, options_from, parse_tasks
from toolkit.plural import counted

if TYPE_CHECKING:
    from toolkit.preannotate.run import PreannotateSummary

SHOWN_WARNINGS = 10
PREANNOTATE = PreannotateOptions()


@app.command("preannotate")
def preannotate_command(
    input: Annotated[
        str,
        typer.Argument(
            metavar="IN.jsonl",
            help="Records: JSONL from toolkit convert, or full-config Parquet; - for stdin; or a folder.",
        ),
    ],
    output: ShardedOutput,
    tasks: Annotated[
        str, typer.Option("--tasks", "-t", help="Comma-separated tasks: entities, quotes, events.")
    ] = ",".join(PREANNOTATE.tasks),
    model: ModelOption = PREANNOTATE.model,
    n_process: Annotated[
        int, typer.Option("--n-process", "-n", min=1, help="Processes for spaCy (nlp.pipe n_process).")
    ] = PREANNOTATE.n_process,
    batch_words: Annotated[int, typer.Option("--batch-size", min=1, help="Words per batch.")] = (
        PREANNOTATE.batch_words
    ),
    label_map: LabelMapOption = None,
    events_model: Annotated[
        str | None,
        typer.Option(
            "--events-model", metavar="DIR", help="A trained event-type model instead of the rules."
        ),
    ] = PREANNOTATE.events_model,
    skip_invalid: SkipInvalid = PREANNOTATE.skip_invalid,
    engine: engine_flags.EngineOption = engine_flags.DEFAULT_ENGINE,
    scheduler: engine_flags.SchedulerOption = None,
    workers: engine_flags.WorkersOption = None,
    quiet: Quiet = False,
) -> None:
    """Add entities (spaCy NER + place list + surnames), quotes (speaker, cue, content) and event types."""
    flags = locals()  # the flags are named as the options' fields
    options = options_from(PreannotateOptions, {**flags, "tasks": parse_tasks(tasks)})
    where = options_from(EngineOptions, flags)
    from toolkit.engine.distributed import is_folder_path

    label_map_file = None if label_map in (None, "conll") else label_map
    engine_flags.check_stage_outputs(inputs=[input, events_model, label_map_file], output=output)
    if engine_flags.runs_sharded(where, output=output, input_folder=is_folder_path(input)):
        from toolkit.engine.distributed import preannotate_sharded, run_lines

        run = preannotate_sharded(input=input, output=output, options=options, engine=where, quiet=quiet)
        lines = [*summary_lines(run.summary, output), *run_lines(run)]
    else:
        from toolkit.preannotate.run import preannotate

        lines = summary_lines(preannotate(input=input, output=output, options=options, quiet=quiet), output)
    for line in lines:
        info(line, quiet=quiet)


def summary_lines(summary: PreannotateSummary, output: str) -> list[str]:
    """The first warnings, then one line of counts."""
    lines = [f"warning: {w}" for w in summary.warnings[:SHOWN_WARNINGS]]
    if summary.spans_unaligned > len(summary.warnings[:SHOWN_WARNINGS]):
        lines.append(f"warning: {summary.spans_unaligned} entities in all did not line up with record tokens")
    counts = [
        counted(summary.records, "record"),
        counted(summary.documents, "document"),
        counted(summary.words, "word"),
    ]
    if "entities" in summary.tasks:
        counts.append(f"{summary.entities} entities")
    if "quotes" in summary.tasks:
        counts.append(
            f"{summary.quotes} quotes ({summary.linked_quotes} across sentences, "
            f"{summary.resolved_speakers} speakers resolved)"
        )
    if "events" in summary.tasks:
        counts.append(f"{summary.events} events")
    for name, label in (
        ("tokenized", "tokenized"),
        ("kept_human", "human-annotated kept"),
        ("spans_expanded", "spans widened to tokens"),
        ("spans_unaligned", "spans not aligned"),
        ("skipped_lines", "lines skipped"),
    ):
        if getattr(summary, name):
            counts.append(f"{getattr(summary, name)} {label}")
    took = f" in {summary.seconds:.1f} s" if summary.seconds else ""
    lines.append(f"preannotate: {', '.join(counts)} -> {output} [{summary.model}]{took}")
    return lines
