"""How commands print a check's findings: one a line on stderr, or the whole report as JSON on stdout."""

from __future__ import annotations

import orjson
import pytest

from toolkit.cli.app import ReportFormat, findings_report, findings_shown, show_findings
from toolkit.errors import CheckFailedError
from toolkit.findings import Finding

FINDINGS = [
    Finding(rule="bad-offset", message=f"span {n} ends past the text", path="a.jsonl", line=n)
    for n in (1, 2, 3)
]


def test_show_findings_prints_each_on_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    show_findings(FINDINGS)
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.splitlines() == [str(f) for f in FINDINGS]


def test_show_findings_stops_at_most(capsys: pytest.CaptureFixture[str]) -> None:
    show_findings(iter(FINDINGS), most=2)
    assert capsys.readouterr().err.splitlines() == [str(f) for f in FINDINGS[:2]]


def test_findings_report_text_is_the_findings_on_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    findings_report(FINDINGS, {"ok": False}, report_format=ReportFormat.text)
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.splitlines() == [str(f) for f in FINDINGS]


def test_findings_report_json_is_the_report_on_stdout(capsys: pytest.CaptureFixture[str]) -> None:
    data = {"ok": False, "findings": [f.to_dict() for f in FINDINGS]}
    findings_report(FINDINGS, data, report_format=ReportFormat.json)
    captured = capsys.readouterr()
    assert captured.err == ""
    assert orjson.loads(captured.out) == data


class RefusedError(CheckFailedError):
    def __init__(self, findings: list[Finding]) -> None:
        super().__init__("refused")
        self.findings = findings


def test_findings_shown_prints_an_errors_findings_and_lets_it_through(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(RefusedError), findings_shown(most=2, rest="toolkit validate shows them all"):
        raise RefusedError(FINDINGS)
    assert capsys.readouterr().err.splitlines() == [
        *(str(f) for f in FINDINGS[:2]),
        "... 1 more findings (toolkit validate shows them all)",
    ]


def test_findings_shown_says_nothing_of_the_rest_unasked_or_quiet(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(RefusedError), findings_shown(most=1):
        raise RefusedError(FINDINGS)
    with pytest.raises(RefusedError), findings_shown(most=1, rest="see the report", quiet=True):
        raise RefusedError(FINDINGS)
    assert capsys.readouterr().err.splitlines() == [str(FINDINGS[0])] * 2


def test_findings_shown_is_silent_for_an_error_without_findings(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(ValueError), findings_shown(most=5):
        raise ValueError("not a check")
    assert capsys.readouterr().err == ""
