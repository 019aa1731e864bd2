"""Command-line interface: thin typer commands over the keyword-only functions of each stage.

Commands load lazily: ``toolkit --help`` lists them from the table below without importing any of them,
and ``toolkit NAME`` imports only the module of NAME, so start-up pays for the command that runs.
"""

from __future__ import annotations

from toolkit.cli.app import LazyCommand, RootGroup, app
from toolkit.interrupts import stop_on_termination

# Pipeline order. The help line is the first line of the command's docstring (a test keeps them equal).
COMMANDS: dict[str, LazyCommand] = {
    "convert": LazyCommand(
        "convert",
        "Read documents, split them into sentences (or paragraphs), tokenize, and write one record per unit.",
    ),
    "segment": LazyCommand(
        "segment", "Split text into sentences the way convert does; one line per unit: source, offsets, text."
    ),
    "preannotate": LazyCommand(
        "preannotate",
        "Add entities (spaCy NER + place list + surnames), quotes (speaker, cue, content) and event types.",
    ),
    "export": LazyCommand(
        "exchange", "Write records as a labeling tool's tasks (Prodigy, Label Studio, doccano)."
    ),
    "import": LazyCommand(
        "exchange", "Read a labeling tool's answers back as records, one per annotator answer."
    ),
    "validate": LazyCommand(
        "validate",
        "Check records: JSON Schema, offsets, tokens, labels, quotes, events, duplicates, hashes, sources.",
    ),
    "agree": LazyCommand(
        "agree",
        "Inter-annotator agreement: span F1, alpha/kappa on event types, and the tasks where answers differ.",
    ),
    "adjudicate": LazyCommand(
        "adjudicate", "Majority adjudication: keep what a strict majority of the accepting annotators marked."
    ),
    "show": LazyCommand(
        "show", "Entities with their labels, quote roles in colour and the event types of each record."
    ),
    "package": LazyCommand(
        "package",
        "Package gold records as a versioned dataset: Parquet per config and split, card, manifest, DocBins.",
    ),
    "verify": LazyCommand(
        "package",
        "Check a packaged dataset against its manifest and card: checksums, counts, features, label ids.",
    ),
    "benchmark": LazyCommand(
        "benchmark",
        "Score systems on a split: entities, quotes, events; writes report.json, report.md and a chart.",
    ),
    "train": LazyCommand(
        "train",
        "Train a spaCy pipeline on a release's train split with early stopping on validation.",
    ),
    "train-curve": LazyCommand(
        "train",
        "Train on 25/50/75/100% of the train split and score each on validation: does more data pay?",
    ),
    "effort": LazyCommand(
        "effort",
        "What annotators did to the pre-annotations: kept, changed, deleted, added per task and label; time.",
    ),
    "build": LazyCommand(
        "build", "Build the dataset from seeds/ and annotations/gold/ into dist/NAME/VERSION; safe to rerun."
    ),
}
RootGroup.lazy_commands = COMMANDS


def main() -> None:
    stop_on_termination()  # SIGTERM and SIGHUP clean up and exit like Ctrl-C
    app()


__all__ = ["COMMANDS", "app", "main"]
