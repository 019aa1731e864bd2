"""How commands print a check's findings: one a line on stderr, or the whole report as JSON on stdout."""

from __future__ import annotations

import orjson
import pytest

from toolkit.cli.app import ReportFormat, findings_report, show_findings
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
