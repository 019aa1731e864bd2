"""Typed errors: library code raises these; only the CLI turns them into one line and an exit code."""

from __future__ import annotations

# Exit codes are part of the CLI contract (README, "The pipeline"): 0 ok, 1 a check failed, 2 bad input.
EXIT_OK = 0
EXIT_CHECK_FAILED = 1
EXIT_BAD_INPUT = 2


class ToolkitError(Exception):
    """Base of every error the toolkit raises on purpose."""

    exit_code = EXIT_BAD_INPUT

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message} ({self.hint})"


class UsageError(ToolkitError):
    """The user asked for something that cannot be done as asked (bad flag combination, bad value)."""


class InputError(ToolkitError):
    """Unreadable or malformed input, located by file, line and rule."""

    def __init__(
        self,
        message: str,
        *,
        path: str | None = None,
        line: int | None = None,
        rule: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message, hint=hint)
        self.path = path
        self.line = line
        self.rule = rule

    def __str__(self) -> str:
        where = self.path or "<input>"
        if self.line is not None:
            where = f"{where}:{self.line}"
        rule = f" [{self.rule}]" if self.rule else ""
        text = f"{where}:{rule} {self.message}"
        return f"{text} ({self.hint})" if self.hint else text


class ModelNotFoundError(ToolkitError):
    """A spaCy pipeline named with --model is not installed."""


class MissingDependencyError(ToolkitError):
    """An optional extra is needed for this step."""


class CheckFailedError(ToolkitError):
    """The data was read fine but failed a check (validation, verification, a benchmark bar)."""

    exit_code = EXIT_CHECK_FAILED


class OverwriteError(ToolkitError):
    """Refusing to write into something that must never be overwritten (a published dataset version)."""


class OutputError(ToolkitError):
    """An output cannot be written where it was asked for: a read-only or full disk, a folder in the way, a
    file where a folder should be. Named by path, with the reason the system gave."""

    def __init__(self, message: str, *, path: str, hint: str | None = None) -> None:
        super().__init__(message, hint=hint)
        self.path = path

    def __str__(self) -> str:
        text = f"cannot write {self.path}: {self.message}"
        return f"{text} ({self.hint})" if self.hint else text
