"""``toolkit train-events``: fit the trainable PLOVER baseline (spaCy textcat_multilabel) on gold records."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from toolkit.cli.app import Quiet, SkipInvalid, app, info


@app.command("train-events")
def train_events_command(
    gold: Annotated[
        str,
        typer.Argument(metavar="GOLD.jsonl", help="Gold records whose events are the labels; - for stdin."),
    ],
    output: Annotated[
        str,
        typer.Option("--output", "-o", metavar="MODEL_DIR", help="Folder for the trained spaCy pipeline."),
    ],
    base_model: Annotated[
        str | None,
        typer.Option(
            "--base-model",
            help="spaCy pipeline whose tokenizer and vocab to start from (default: blank English).",
        ),
    ] = None,
    epochs: Annotated[int, typer.Option("--epochs", min=1, help="Passes over the gold records.")] = 10,
    seed: Annotated[
        int, typer.Option("--seed", help="Random seed: the same seed and data give the same model.")
    ] = 0,
    architecture: Annotated[
        str,
        typer.Option("--arch", help="bow (bag of words and bigrams, seconds on CPU) or ensemble (slower)."),
    ] = "bow",
    eval_path: Annotated[
        str | None,
        typer.Option("--eval", metavar="HELD_OUT.jsonl", help="Gold records to score the trained model on."),
    ] = None,
    threshold: Annotated[
        float, typer.Option("--threshold", help="Score at which a type counts as present.")
    ] = 0.5,
    force: Annotated[bool, typer.Option("--force", help="Replace MODEL_DIR if it is not empty.")] = False,
    skip_invalid: SkipInvalid = False,
    quiet: Quiet = False,
) -> None:
    """Train a multi-label PLOVER event-type classifier; use it with preannotate --events-model."""
    from toolkit.paths import check_outputs, removed_if_failed, write_errors
    from toolkit.preannotate.train_events import train_events

    check_outputs(inputs=[gold, eval_path, base_model], outputs={}, output_folders={"-o": output})
    with removed_if_failed(output), write_errors(output):
        summary = train_events(
            gold=gold,
            output_dir=output,
            base_model=base_model,
            epochs=epochs,
            seed=seed,
            architecture=architecture,
            eval_path=eval_path,
            threshold=threshold,
            force=force,
            skip_invalid=skip_invalid,
        )
    info(_describe(summary), quiet=quiet)


def _describe(summary: dict[str, Any]) -> str:
    seen = ", ".join(f"{label} {count}" for label, count in summary["counts"].items() if count)
    lines = [
        f"trained textcat_multilabel ({summary['architecture']}, {summary['epochs']} epochs, "
        f"seed {summary['seed']}) on {summary['records']} records, "
        f"{summary['records_with_events']} with events -> {summary['output']}",
        f"  events per type: {seen}",
        f"  loss: first epoch {summary['losses'][0]:.4f}, last {summary['losses'][-1]:.4f}",
    ]
    if summary["skipped_answers"]:
        lines.append(f"  skipped {summary['skipped_answers']} rejected or ignored answers")
    if "eval" in summary:
        scores = summary["eval"]
        micro = scores["micro"]
        lines.append(
            f"  eval on {scores['records']} records: "
            f"micro P {micro['precision']:.3f} R {micro['recall']:.3f} "
            f"F1 {micro['f1']:.3f}, macro F1 {scores['macro_f1']:.3f}"
        )
    return "\n".join(lines)
