"""``toolkit benchmark``: score extraction systems against a packaged dataset split and write a report."""

from __future__ import annotations

from typing import Annotated

import typer

from toolkit.cli.app import Quiet, app, error_line, info
from toolkit.cli.options import LabelMapOption
from toolkit.errors import ToolkitError
from toolkit.options import BenchmarkOptions, options_from, parse_optional_tasks

BENCHMARK = BenchmarkOptions()


@app.command("benchmark")
def benchmark_command(
    dataset_dir: Annotated[str, typer.Argument(help="A dataset folder made by `toolkit package`.")],
    systems: Annotated[
        list[str],
        typer.Option(
            "--system",
            "-s",
            help="baseline[:MODEL], spacy:NAME_OR_PATH or file:PREDICTIONS.jsonl; repeat for several.",
        ),
    ],
    output: Annotated[str, typer.Option("--output", "-o", help="Report folder (created if missing).")],
    split: Annotated[str, typer.Option("--split", help="The split to score on.")] = BENCHMARK.split,
    label_map: LabelMapOption = BENCHMARK.label_map,
    tasks: Annotated[
        str | None,
        typer.Option(
            "--tasks", help="Comma-separated: entities,quotes,events (default: those the split has)."
        ),
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the bootstrap resampling.")] = BENCHMARK.seed,
    n_bootstrap: Annotated[
        int, typer.Option("--bootstrap", help="Bootstrap resamples for intervals and paired tests (0: none).")
    ] = BENCHMARK.n_bootstrap,
    model: Annotated[
        str | None,
        typer.Option(
            "--model", "-m", help="spaCy pipeline the baseline system uses (default: the default model)."
        ),
    ] = BENCHMARK.model,
    quiet: Quiet = False,
) -> None:
    """Score systems on a split: entities, quotes, events; writes report.json, report.md and a chart.

    Exit 0 when at least one system ran (failed ones are named in the report and on stderr), 2 when none did.
    """
    flags = locals()  # the flags are named as the options' fields
    options = options_from(BenchmarkOptions, {**flags, "tasks": parse_optional_tasks(tasks)})
    from toolkit.benchmark.run import run_benchmark
    from toolkit.paths import check_outputs, removed_if_failed, write_errors

    check_outputs(
        inputs=[dataset_dir, *_system_files(systems), label_map if label_map != "conll" else None],
        outputs={},
        output_folders={"-o": output},
    )
    with removed_if_failed(output), write_errors(output):
        report = run_benchmark(
            dataset_dir=dataset_dir, systems=systems, output_dir=output, options=options, quiet=quiet
        )
    if not report.ran:
        # The report names every failure; one line says why the first system could not run.
        first = report.failed[0]
        more = (
            f"; {len(report.failed) - 1} more in {report.paths['markdown']}" if len(report.failed) > 1 else ""
        )
        raise ToolkitError(f"no system could run: {first['name']}: {first['error']}{more}")
    for failed in report.failed:
        error_line(f"system {failed['name']} did not run: {failed['error']}")
    for warning in report.warnings:  # shown even with --quiet: the scores are not what they seem without it
        info(f"warning: {warning}")
    for system in report.systems:
        if system["status"] == "ok":
            scores = ", ".join(
                f"{name} {entry['value']:.3f}"
                for name, entry in system["headline"].items()
                if name.endswith(".f1")
            )
            info(
                f"{system['name']}: {system['records']} records, "
                f"{system['records_per_second']:.1f} records/s; {scores}",
                quiet=quiet,
            )
    info(f"report: {report.paths['markdown']}, {report.paths['json']}, {report.paths['chart']}", quiet=quiet)


def _system_files(systems: list[str]) -> list[str]:
    """The predictions files and pipeline folders the systems read."""
    kinds = ("file:", "spacy:")
    return [spec.split(":", 1)[1] for spec in systems if spec.startswith(kinds) and spec.split(":", 1)[1]]
