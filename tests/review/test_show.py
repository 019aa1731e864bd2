"""toolkit show: layout, the terminal view, the HTML page (rendered by headless Chromium), and the CLI."""

from __future__ import annotations

import os
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import orjson
import pytest
from rich.console import Console
from typer.testing import CliRunner

from toolkit.cli import app
from toolkit.record import Event, Meta, Quote, Record, Role, Span, record_to_dict
from toolkit.review.show import html_page, layout, select_records, terminal_record

TEXT = "Kyiv said on Monday that Russian troops shelled Kharkiv."


def _at(text: str, words: str) -> tuple[int, int]:
    start = text.index(words)
    return start, start + len(words)


def news_record() -> Record:
    text = TEXT
    spans = [
        Span(*_at(text, w), label)
        for w, label in (("Kyiv", "GPE"), ("Monday", "DATE"), ("Russian", "NORP"), ("Kharkiv", "GPE"))
    ]
    quote = Quote(
        content=Role(*_at(text, "Russian troops shelled Kharkiv")),
        speaker=Role(*_at(text, "Kyiv")),
        cue=Role(*_at(text, "said")),
        kind="indirect",
    )
    return Record(
        text=text,
        spans=spans,
        quotes=[quote],
        events=[Event("ASSAULT", Role(*_at(text, "shelled"))), Event("ACCUSE")],
        meta=Meta(id="doc:0", doc_id="doc", unit=0),
        answer="accept",
        annotator_id="alice",
    )


def awkward_record() -> Record:
    """Markup characters in the text, overlapping entities, an entity outside the text, a role across one."""
    text = 'Tom & Jerry <script>alert("x")</script> told "AT&T" staff in São Paulo.'
    spans = [
        Span(*_at(text, "Tom & Jerry"), "WORK_OF_ART"),
        Span(*_at(text, "Tom"), "PERSON"),
        Span(*_at(text, "AT&T"), "ORG"),
        Span(*_at(text, "São Paulo"), "GPE"),
        Span(70, 90, "LOC"),
    ]
    quote = Quote(
        content=Role(*_at(text, "AT&T")), speaker=Role(0, 9), cue=Role(*_at(text, "told")), kind="direct"
    )
    return Record(text=text, spans=spans, quotes=[quote], meta=Meta(id="doc:1", doc_id="doc", unit=1))


def test_layout_draws_each_entity_as_one_group_and_closes_each_mark_once():
    record = news_record()
    plan = layout(record)
    pieces = [p for g in plan.groups for p in g.pieces]
    assert "".join(record.text[p.start : p.end] for p in pieces) == record.text
    drawn = [(g.pieces[0].start, g.pieces[-1].end) for g in plan.groups if g.entity is not None]
    assert drawn == [(s.start, s.end) for s in record.spans]
    closing = [m.label for g in plan.groups for m in g.closing]
    assert sorted(closing) == sorted(["content 0", "speaker 0", "cue 0", "ASSAULT"])
    assert plan.aside == []


def test_layout_puts_overlapping_and_outside_entities_aside():
    plan = layout(awkward_record())
    assert plan.inline == [0, 2, 3] and plan.aside == [1, 4]
    # The speaker role (0-9) ends inside the inline entity "Tom & Jerry": one box, two pieces.
    [box] = [g for g in plan.groups if g.entity == 0]
    assert [(p.start, p.end, [m.kind for m in p.marks]) for p in box.pieces] == [
        (0, 9, ["speaker"]),
        (9, 11, []),
    ]


def test_terminal_view_shows_labels_roles_and_events():
    console = Console(record=True, width=200, color_system=None)
    console.print(terminal_record(news_record()))
    out = console.export_text()
    assert "doc:0 · accept · alice" in out
    assert "Kyiv GPE" in out and "Monday DATE" in out and "Kharkiv GPE" in out
    assert "⟨speaker 0⟩" in out and "⟨cue 0⟩" in out and "⟨content 0⟩" in out and "⟨ASSAULT⟩" in out
    assert "quote 0 (indirect): speaker 'Kyiv', cue 'said', content 'Russian troops shelled Kharkiv'" in out
    assert "event 0: ASSAULT trigger 'shelled'" in out and "event 1: ACCUSE" in out


def test_html_page_is_self_contained_and_escaped():
    page = html_page([news_record(), awkward_record()], title="a <test> & more")
    assert page.startswith("<!DOCTYPE html>") and "<style>" in page
    assert "<script" not in page and "src=" not in page and "href=" not in page and "@import" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page
    assert "<title>a &lt;test&gt; &amp; more</title>" in page


class RenderedPage(HTMLParser):
    """What a reader sees per record: entity marks with their labels, role texts, tags, events, asides."""

    def __init__(self) -> None:
        super().__init__()
        self.records: dict[int, dict] = {}
        self.stack: list[tuple[str, dict[str, str]]] = []

    def _current(self) -> dict:
        for _, attrs in reversed(self.stack):
            if "data-record" in attrs:
                return self.records.setdefault(
                    int(attrs["data-record"]),
                    {
                        "marks": {},
                        "labels": {},
                        "roles": {},
                        "tags": [],
                        "events": [],
                        "aside": {},
                        "scripts": 0,
                    },
                )
        raise AssertionError("text outside a record")

    def handle_starttag(self, tag, attrs):
        attributes = {k: v or "" for k, v in attrs}
        self.stack.append((tag, attributes))
        if "data-record" in attributes:
            self._current()
        elif tag == "li" and attributes.get("class") == "event":
            self._current()["events"].append((int(attributes["data-event"]), attributes["data-label"]))
        elif tag == "script":
            self.records.setdefault(-1, {"scripts": 0})["scripts"] += 1

    def handle_endtag(self, tag):
        while self.stack:
            open_tag, _ = self.stack.pop()
            if open_tag == tag:
                break

    def handle_data(self, data):
        if not any("data-record" in a for _, a in self.stack):
            return
        page = self._current()
        classes = [a.get("class", "") for _, a in self.stack]
        in_label = any("ent-label" in c for c in classes)
        in_tag = any(c.startswith("tag") for c in classes)
        for tag, attrs in self.stack:
            if tag == "mark" and "data-span" in attrs:
                key = (int(attrs["data-span"]), attrs["data-label"])
                target = page["labels"] if in_label else page["marks"]
                target[key] = target.get(key, "") + data
            if tag == "span" and "role" in attrs.get("class", "").split() and not (in_label or in_tag):
                kind = attrs["class"].split()[1].removeprefix("role-")
                key = (kind, int(attrs[f"data-{kind}"]))
                page["roles"][key] = page["roles"].get(key, "") + data
            if tag == "sup" and "data-tag" in attrs:
                page["tags"].append((attrs["data-tag"], int(attrs["data-index"]), data))
            if tag == "li" and attrs.get("class") == "aside":
                page["aside"][int(attrs["data-span"])] = attrs["data-label"]


def chromium_binary() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def dump_dom(page: Path, profile: Path) -> str:
    binary = chromium_binary()
    assert binary, "CI is set, so chromium must be installed (apt-get install chromium)"
    command = [
        binary,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
        "--dump-dom",
        page.as_uri(),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


@pytest.mark.skipif(
    chromium_binary() is None and not os.environ.get("CI"), reason="chromium is not installed"
)
def test_chromium_renders_every_span_with_its_label(tmp_path):
    records = [news_record(), awkward_record()]
    page = tmp_path / "page.html"
    page.write_text(html_page(records), encoding="utf-8")
    rendered = RenderedPage()
    rendered.feed(dump_dom(page, tmp_path / "profile"))
    assert -1 not in rendered.records  # the escaped <script> in the text never became an element
    for number, record in enumerate(records):
        seen = rendered.records[number]
        for i, span in enumerate(record.spans):
            if (i, span.label) in seen["marks"]:
                assert seen["marks"][(i, span.label)] == record.text[span.start : span.end]
                assert seen["labels"][(i, span.label)] == span.label
            else:
                assert seen["aside"][i] == span.label, f"record {number} span {i} is not rendered"
        for q, quote in enumerate(record.quotes):
            for kind in ("content", "speaker", "cue"):
                role = getattr(quote, kind)
                assert seen["roles"][(kind, q)] == record.text[role.start : role.end]
                assert (kind, q, f"{kind} {q}") in seen["tags"]
        assert seen["events"] == [(e, ev.label) for e, ev in enumerate(record.events)]
        for e, event in enumerate(record.events):
            if event.trigger:
                assert seen["roles"][("trigger", e)] == record.text[event.trigger.start : event.trigger.end]


# CLI -----------------------------------------------------------------------------------------------------

runner = CliRunner()


@pytest.fixture
def records_file(tmp_path: Path) -> Path:
    path = tmp_path / "records.jsonl"
    path.write_bytes(
        b"".join(orjson.dumps(record_to_dict(r)) + b"\n" for r in (news_record(), awkward_record()))
    )
    return path


def test_select_records_by_id_doc_and_limit(records_file):
    assert [r.meta.id for r in select_records(path=records_file, record_id="doc:1")] == ["doc:1"]
    assert len(select_records(path=records_file, record_id="doc")) == 2
    assert len(select_records(path=records_file, limit=1)) == 1


def test_cli_terminal(records_file):
    before = records_file.read_bytes()
    result = runner.invoke(app, ["show", str(records_file), "--id", "doc:0"])
    assert result.exit_code == 0, result.output
    assert "Kharkiv GPE" in result.stdout and "event 0: ASSAULT" in result.stdout
    assert "doc:1" not in result.stdout and "1 records shown" in result.stderr
    result = runner.invoke(app, ["show", str(records_file), "--limit", "1"])
    assert "doc:0" in result.stdout and "doc:1" not in result.stdout
    assert records_file.read_bytes() == before


def test_cli_html(records_file, tmp_path):
    out = tmp_path / "view" / "page.html"
    result = runner.invoke(app, ["show", str(records_file), "--html", str(out)])
    assert result.exit_code == 0, result.output
    assert f"wrote 2 records to {out}" in result.stderr
    page = out.read_text(encoding="utf-8")
    assert page.count('<article class="record"') == 2 and 'data-label="GPE"' in page
    assert result.stdout == ""


def test_cli_unknown_id_is_a_clear_error(records_file):
    result = runner.invoke(app, ["show", str(records_file), "--id", "nope:3"])
    assert result.exit_code == 2
    assert "[unknown-id] no record with id 'nope:3'" in result.stderr and "Traceback" not in result.output
