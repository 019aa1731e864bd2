"""``toolkit preannotate``: baseline entities, quotes and PLOVER events on records, for people to check."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from toolkit.cli.app import ModelOption, Quiet, SkipInvalid, app, info
from toolkit.cli.engine import EngineOption, SchedulerOption, WorkersOption

if TYPE_CHECKING:
    from toolkit.preannotate.run import PreannotateSummary

SHOWN_WARNINGS = 10


@app.command("preannotate")
def preannotate_command(
    input: Annotated[
        str, typer.Argument(metavar="IN.jsonl", help="Records (JSONL from toolkit convert); - for stdin.")
    ],
    output: Annotated[
        str,
        typer.Option(
            "--output", "-o", help="Output JSONL file; - for stdout; a folder (ending in /) for shards."
        ),
    ],
    tasks: Annotated[
        str, typer.Option("--tasks", "-t", help="Comma-separated tasks: entities, quotes, events.")
    ] = "entities,quotes,events",
    model: ModelOption = None,
    n_process: Annotated[
        int, typer.Option("--n-process", "-n", min=1, help="Processes for spaCy (nlp.pipe n_process).")
    ] = 1,
    batch_size: Annotated[
        int | None, typer.Option("--batch-size", min=1, help="Words per batch (default 4000).")
    ] = None,
    label_map: Annotated[
        str | None,
        typer.Option(
            "--label-map", help="Entity labels: conll, or a JSON file mapping OntoNotes labels (null drops)."
        ),
    ] = None,
    events_model: Annotated[
        str | None,
        typer.Option(
            "--events-model", metavar="DIR", help="A trained event-type model instead of the rules."
        ),
    ] = None,
    skip_invalid: SkipInvalid = False,
    engine: EngineOption = "local",
    scheduler: SchedulerOption = None,
    workers: WorkersOption = None,
    quiet: Quiet = False,
) -> None:
    """Add entities (spaCy NER + place list + surnames), quotes (speaker, cue, content) and event types."""
    options = dict(
        input=input,
        output=output,
        tasks=tasks,
        model=model,
        n_process=n_process,
        batch_size=batch_size,
        label_map=label_map,
        events_model=events_model,
        skip_invalid=skip_invalid,
        quiet=quiet,
    )
    from toolkit.engine.distributed import is_folder_path, output_is_folder
    from toolkit.paths import check_outputs

    check_outputs(
        inputs=[input, events_model, None if label_map in (None, "conll") else label_map],
        outputs={} if output_is_folder(output) else {"-o": output},
        output_folders={"-o": output} if output_is_folder(output) else None,
    )
    # A folder of shards as input can only be read shard by shard.
    if engine != "local" or scheduler or workers or output_is_folder(output) or is_folder_path(input):
        from toolkit.engine.distributed import preannotate_sharded, run_lines

        run = preannotate_sharded(engine=engine, scheduler=scheduler, workers=workers, **options)
        for line in [*summary_lines(run.summary, output), *run_lines(run)]:
            info(line, quiet=quiet)
        return
    from toolkit.preannotate.run import preannotate

    summary = preannotate(**options)
    for line in summary_lines(summary, output):
        info(line, quiet=quiet)


def summary_lines(summary: PreannotateSummary, output: str) -> list[str]:
    """The first warnings, then one line of counts."""
    lines = [f"warning: {w}" for w in summary.warnings[:SHOWN_WARNINGS]]
    if summary.spans_unaligned > len(summary.warnings[:SHOWN_WARNINGS]):
        lines.append(f"warning: {summary.spans_unaligned} entities in all did not line up with record tokens")
    counts = [
        _count(summary.records, "record"),
        _count(summary.documents, "document"),
        _count(summary.words, "word"),
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


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"
