"""``toolkit train`` and ``toolkit train-curve``: spaCy's training on a packaged release's shipped configs."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any

import typer

from toolkit.cli.app import Quiet, app, info, json_report
from toolkit.options import TrainOptions, options_from, parse_optional_tasks

if TYPE_CHECKING:
    from toolkit.training.train import TrainSummary

DatasetArgument = Annotated[
    str, typer.Argument(metavar="DATASET_DIR", help="A dataset folder made by `toolkit package`.")
]
TasksOption = Annotated[
    str | None,
    typer.Option(
        "--tasks", "-t", help="Comma-separated: entities,quotes,events (default: every task with a config)."
    ),
]
EpochsOption = Annotated[
    int, typer.Option("--epochs", min=1, help="Most passes over the train split per training run.")
]
PatienceOption = Annotated[
    int,
    typer.Option(
        "--patience", min=1, help="Stop a run after this many evaluations on validation without improvement."
    ),
]
SeedOption = Annotated[
    int, typer.Option("--seed", help="Random seed: the same seed and release give the same pipeline.")
]
BaseOption = Annotated[
    str | None,
    typer.Option(
        "--base",
        metavar="MODEL",
        help="spaCy pipeline whose ner the entities run fine-tunes (default: the one the config names).",
    ),
]
TRAIN = TrainOptions()


class CurveFormat(StrEnum):
    text = "text"
    markdown = "markdown"
    json = "json"


@app.command("train")
def train_command(
    dataset_dir: DatasetArgument,
    output: Annotated[
        str,
        typer.Option("--output", "-o", metavar="MODEL_DIR", help="Folder for the trained spaCy pipeline."),
    ],
    tasks: TasksOption = None,
    base: BaseOption = TRAIN.base,
    epochs: EpochsOption = TRAIN.epochs,
    patience: PatienceOption = TRAIN.patience,
    seed: SeedOption = TRAIN.seed,
    min_f1: Annotated[
        float,
        typer.Option(
            "--min-f1", help="Leave out a task scoring below this on validation (the rules take it over)."
        ),
    ] = TRAIN.min_f1,
    name: Annotated[
        str | None, typer.Option("--name", help="Pipeline name (default: the dataset's, as a package name).")
    ] = None,
    version: Annotated[
        str | None, typer.Option("--version", help="Pipeline version (default: the dataset's version).")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace MODEL_DIR if it is not empty.")] = False,
    quiet: Quiet = False,
) -> None:
    """Train a spaCy pipeline on a release's train split with early stopping on validation."""
    options = train_options(locals())
    from toolkit.paths import check_outputs, removed_if_failed, write_errors
    from toolkit.training.train import train_pipeline

    check_outputs(inputs=[dataset_dir, base], outputs={}, output_folders={"-o": output})
    with removed_if_failed(output), write_errors(output):
        summary = train_pipeline(
            dataset_dir=dataset_dir,
            output_dir=output,
            options=options,
            name=name,
            version=version,
            force=force,
            quiet=quiet,
        )
    for line in summary_lines(summary):
        info(line, quiet=quiet)


def train_options(flags: dict[str, Any]) -> TrainOptions:
    """``toolkit train``'s or ``train-curve``'s options from its flags (--tasks is comma-separated)."""
    return options_from(TrainOptions, {**flags, "tasks": parse_optional_tasks(flags["tasks"])})


def summary_lines(summary: TrainSummary) -> list[str]:
    """One line per training run, the tasks left out, and where the pipeline went."""
    lines = []
    for result in summary.runs:
        how = f"stopped at epoch {result.epochs}" if result.stopped_early else f"{result.epochs} epochs"
        desc = result.scores.get(f"{result.metric}_desc")  # spaCy names what cats_score is
        metric = f"{result.metric} ({desc})" if isinstance(desc, str) else result.metric
        best = f"{metric} {result.value:.3f} on validation at epoch {result.best_epoch}"
        lines.append(f"  {result.run.label}: {best} ({how})")
    scores = ", ".join(f"{name} {value:.3f}" for name, value in summary.validation.items())
    lines.append(f"  validation ({summary.validation_docs} docs): {scores}")
    for task, why in summary.left_out.items():
        lines.append(f"  left out {task}: {why}; preannotate --model uses the rules for it")
    dataset = summary.dataset
    lines.append(
        f"train: {','.join(summary.tasks)} on {dataset['name']} {dataset['version']} "
        f"({summary.train_docs} train docs, seed {summary.options.seed}) -> {summary.output} "
        f"[{summary.source}]"
    )
    return lines


@app.command("train-curve")
def train_curve_command(
    dataset_dir: DatasetArgument,
    tasks: TasksOption = None,
    shares: Annotated[
        str, typer.Option("--shares", help="Percentages of the train split to train on, increasing.")
    ] = "25,50,75,100",
    epochs: EpochsOption = TRAIN.epochs,
    patience: PatienceOption = TRAIN.patience,
    seed: SeedOption = TRAIN.seed,
    base: BaseOption = TRAIN.base,
    output: Annotated[
        str | None,
        typer.Option(
            "--output", "-o", metavar="DIR", help="Also write curve.json, curve.md and curve.png here."
        ),
    ] = None,
    report_format: Annotated[
        CurveFormat, typer.Option("--format", "-f", help="How to print the table on stdout.")
    ] = CurveFormat.text,
    quiet: Quiet = False,
) -> None:
    """Train on 25/50/75/100% of the train split and score each on validation: does more data pay?"""
    options = train_options(locals())
    from toolkit.paths import check_outputs, removed_if_failed, write_errors
    from toolkit.training.curve import curve_table, curve_title, train_curve

    check_outputs(inputs=[dataset_dir, base], outputs={}, output_folders={"-o": output})
    with removed_if_failed(output or "."), write_errors(output or "."):
        curve = train_curve(
            dataset_dir=dataset_dir, shares=shares, options=options, output_dir=output, quiet=quiet
        )
    if report_format is CurveFormat.json:
        json_report(curve.to_dict())
    else:
        markdown = report_format is CurveFormat.markdown
        typer.echo(f"{curve_title(curve)}\n")
        typer.echo(curve_table(curve, markdown=markdown), nl=False)
    if curve.paths:
        info(f"train-curve: {', '.join(str(p) for p in curve.paths.values())}", quiet=quiet)
