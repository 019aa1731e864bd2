"""Command-line interface: thin typer commands over the keyword-only functions of each stage."""

from __future__ import annotations

import importlib

from toolkit.cli.app import app
from toolkit.interrupts import stop_on_termination

# One module per command (or command group); each registers itself on ``app`` when imported.
# Modules import their heavy dependencies inside the command functions so ``toolkit --help`` stays fast.
COMMAND_MODULES: list[str] = [
    "exchange",
    "convert",
    "preannotate",
    "benchmark",
    "segment",
    "validate",
    "agree",
    "adjudicate",
    "show",
    "package",
    "build",
    "train_events",
]

for _name in COMMAND_MODULES:
    importlib.import_module(f"toolkit.cli.{_name}")


def main() -> None:
    stop_on_termination()  # SIGTERM and SIGHUP clean up and exit like Ctrl-C
    app()


__all__ = ["app", "main"]
