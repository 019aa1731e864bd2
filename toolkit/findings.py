"""One finding type for every check: validation rules, labeling-tool imports, package verification."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

ERROR, WARNING, INFO = "error", "warning", "info"
SEVERITIES: tuple[str, ...] = (ERROR, WARNING, INFO)


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem: the rule it breaks, what is wrong, where (file, line, record), and what to do."""

    rule: str
    message: str
    path: str
    line: int | None = None
    record_id: str | None = None
    severity: str = ERROR
    hint: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The JSON form of ``--format json`` (``file`` names the path, as it always has)."""
        return {
            "file": self.path,
            "line": self.line,
            "record_id": self.record_id,
            "rule": self.rule,
            "severity": self.severity,
            "message": self.message,
            "hint": self.hint,
        }

    def __str__(self) -> str:
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        record = f" ({self.record_id})" if self.record_id else ""
        hint = f" — {self.hint}" if self.hint else ""
        return f"{where}: {self.severity} [{self.rule}] {self.message}{record}{hint}"
