"""toolkit effort: every pre-annotation kept, changed (and how), deleted; what was added; edits per 100 words;
time per answer from Prodigy timestamps and Label Studio lead times; errors and the CLI."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from toolkit.cli import app
from toolkit.errors import InputError, UsageError
from toolkit.jsonl import read_records
from toolkit.record import Event, Quote, Record, ResolvedSpeaker, Role, Span
from toolkit.review.effort import Tally, answer_times, compare_record, markdown, measure_effort

runner = CliRunner()
FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
TEXT = "Joe Biden met the Ukrainian leader in Kyiv on Monday night, the White House said."


def span(surface: str, label: str, text: str = TEXT) -> Span:
    start = text.index(surface)
    return Span(start=start, end=start + len(surface), label=label, source="model:m@1")


def role(surface: str, text: str = TEXT) -> Role:
    start = text.index(surface)
    return Role(start=start, end=start + len(surface))


def record(unit: int, text: str = TEXT, **fields) -> Record:
    from toolkit.record import Meta

    return Record(text=text, meta=Meta(id=f"doc:{unit}", doc_id="doc", unit=unit), **fields)


def counts(tally: Tally, task: str, label: str) -> dict:
    return tally.labels[task][label].to_dict()


def test_entities_kept_relabelled_merged_moved_deleted_added():
    pre = record(
        0,
        spans=[
            span("Joe Biden", "PERSON"),
            span("Ukrainian", "GPE"),
            span("Kyiv", "GPE"),
            span("Monday", "DATE"),
            span("night", "TIME"),
            span("the White House", "ORG"),
        ],
    )
    done = record(
        0,
        spans=[
            span("Joe Biden", "PERSON"),
            span("Ukrainian", "NORP"),
            span("Monday night", "TIME"),
            span("White House", "ORG"),
            span("leader", "PERSON"),
        ],
    )
    tally = Tally()
    compare_record(pre, done, ["entities"], tally)
    assert counts(tally, "entities", "PERSON") == {
        "pre": 1,
        "kept": 1,
        "changed": 0,
        "deleted": 0,
        "added": 1,
        "final": 2,
        "edits": 1,
        "changed_how": {},
    }
    gpe = counts(tally, "entities", "GPE")
    assert (gpe["kept"], gpe["changed"], gpe["deleted"], gpe["edits"]) == (0, 1, 1, 2)
    assert gpe["changed_how"] == {"label": 1}
    # Two spans merged into one: both changed, one edit.
    assert counts(tally, "entities", "DATE")["changed_how"] == {"merge": 1}
    assert counts(tally, "entities", "TIME")["changed_how"] == {"merge": 1}
    assert tally.totals("entities").edits == 1 + 1 + 1 + 1 + 1  # label, deleted, merge, boundary, added
    assert tally.cases[("entities", "merge: DATE + TIME -> TIME")] == [
        "0: 'Monday' DATE + 'night' TIME -> 'Monday night' TIME"
    ]
    assert tally.cases[("entities", "boundary change")] == ["0: 'the White House' ORG -> 'White House' ORG"]
    assert tally.cases[("entities", "deleted: GPE")] == ["0: 'Kyiv'"]


def test_a_boundary_and_label_change_is_two_edits_and_a_split_is_one():
    pre = record(0, spans=[span("the White House", "ORG"), span("Monday night", "DATE")])
    done = record(0, spans=[span("White House", "FAC"), span("Monday", "DATE"), span("night", "TIME")])
    tally = Tally()
    compare_record(pre, done, ["entities"], tally)
    assert counts(tally, "entities", "ORG")["changed_how"] == {"boundary": 1, "label": 1}
    assert counts(tally, "entities", "ORG")["edits"] == 2
    assert counts(tally, "entities", "DATE")["changed_how"] == {"split": 1}
    assert tally.totals("entities").edits == 3


def test_quotes_changed_in_several_ways_deleted_and_added():
    text = "“We will not yield,” Zelenskiy told reporters, and Moscow said talks would go on."
    pre_quote = Quote(
        content=role("We will not yield", text), speaker=None, cue=role("told", text), kind="indirect"
    )
    done_quote = Quote(
        content=role("“We will not yield,”", text),
        speaker=role("Zelenskiy", text),
        cue=role("told", text),
        kind="direct",
        speaker_resolved=ResolvedSpeaker(text="Volodymyr Zelenskiy", record_id="doc:0"),
    )
    stray = Quote(content=role("Moscow", text), kind="indirect")
    added = Quote(content=role("talks would go on", text), speaker=role("Moscow", text), kind="indirect")
    tally = Tally()
    before, after = record(1, text, quotes=[pre_quote, stray]), record(1, text, quotes=[done_quote, added])
    compare_record(before, after, ["quotes"], tally)
    indirect = counts(tally, "quotes", "indirect")
    assert indirect["changed_how"] == {"boundary": 1, "role": 1, "kind": 1, "resolution": 1}
    assert (indirect["changed"], indirect["deleted"], indirect["added"], indirect["edits"]) == (1, 1, 1, 6)
    assert tally.cases[("quotes", "speaker change")] == ["1: null -> 'Zelenskiy'"]
    assert tally.cases[("quotes", "kind change: indirect -> direct")] == ["1"]


def test_events_trigger_moved_type_changed_deleted_added():
    text = "Russia shelled Kharkiv and threatened new strikes while envoys met in Istanbul."
    pre = record(
        2,
        text,
        events=[
            Event(label="ASSAULT", trigger=role("shelled", text)),
            Event(label="ASSAULT", trigger=role("strikes", text)),
            Event(label="CONSULT", trigger=role("met", text)),
            Event(label="SANCTION", trigger=None),
        ],
    )
    done = record(
        2,
        text,
        events=[
            Event(label="ASSAULT", trigger=role("shelled", text)),
            Event(label="THREATEN", trigger=role("threatened new strikes", text)),
            Event(label="CONSULT", trigger=role("envoys met", text)),
            Event(label="AID", trigger=None),
        ],
    )
    tally = Tally()
    compare_record(pre, done, ["events"], tally)
    assert counts(tally, "events", "ASSAULT")["kept"] == 1
    assert counts(tally, "events", "ASSAULT")["changed_how"] == {"label": 1, "trigger": 1}
    assert counts(tally, "events", "CONSULT")["changed_how"] == {"trigger": 1}
    assert (
        counts(tally, "events", "SANCTION")["deleted"] == 1 and counts(tally, "events", "AID")["added"] == 1
    )
    assert tally.totals("events").edits == 2 + 1 + 1 + 1


WORDS = "one two three four five six seven eight nine ten eleven twelve"
LABELS = ("PERSON", "GPE", "ORG")


@st.composite
def entity_sets(draw):
    """Non-overlapping spans over whole words of WORDS."""
    bounds = [(i, i + len(w)) for i, w in zip(_starts(WORDS), WORDS.split(), strict=True)]
    cuts = sorted(draw(st.sets(st.integers(0, len(bounds)), max_size=8)))
    spans = []
    for a, b in zip(cuts, cuts[1:], strict=False):
        if b > a and draw(st.booleans()):
            spans.append(Span(start=bounds[a][0], end=bounds[b - 1][1], label=draw(st.sampled_from(LABELS))))
    return spans


def _starts(text: str) -> list[int]:
    starts, at = [], 0
    for word in text.split():
        at = text.index(word, at)
        starts.append(at)
        at += len(word)
    return starts


@settings(max_examples=200, deadline=None)
@given(entity_sets(), entity_sets())
def test_every_pre_entity_is_kept_changed_or_deleted(pre_spans, done_spans):
    tally = Tally()
    pre, done = record(0, WORDS, spans=pre_spans), record(0, WORDS, spans=done_spans)
    compare_record(pre, done, ["entities"], tally)
    for label, c in tally.labels["entities"].items():
        assert c.pre == c.kept + c.changed + c.deleted, label
    total = tally.totals("entities")
    assert (total.pre, total.final) == (len(pre_spans), len(done_spans))
    assert total.kept <= min(len(pre_spans), len(done_spans))
    assert (total.edits == 0) == (
        {(s.start, s.end, s.label) for s in pre_spans} == {(s.start, s.end, s.label) for s in done_spans}
    )


def _write(path: Path, records: list[Record]) -> Path:
    from toolkit.jsonl import write_records

    write_records(path, records)
    return path


def test_skipped_answers_are_counted_and_views_limit_the_layers(tmp_path):
    pre = _write(
        tmp_path / "pre.jsonl", [record(0, spans=[span("Kyiv", "GPE")], events=[Event(label="AID")])]
    )
    rejected = record(0, answer="reject")
    ticked = record(
        0, spans=[], events=[Event(label="AID"), Event(label="AGREE")], answer="accept", view_id="choice"
    )
    answers = _write(tmp_path / "answers.jsonl", [rejected, ticked])
    report = measure_effort(pre=pre, answers=[answers])
    assert report.skipped == {"reject": 1} and report.compared == 1
    # The choice view answered events only: the missing entity is not a deletion.
    assert report.tally.totals("entities").pre == 0 and report.tally.totals("entities").edits == 0
    assert report.tally.totals("events").added == 1 and report.words["entities"] == 0
    assert report.words["events"] == len(TEXT.split())


def test_edits_per_100_words_and_annotators(tmp_path):
    pre = _write(tmp_path / "pre.jsonl", [record(0, spans=[span("Kyiv", "GPE")]), record(1, spans=[])])
    a = [record(0, spans=[], annotator_id="a"), record(1, spans=[span("Kyiv", "GPE")], annotator_id="a")]
    b = [record(0, spans=[span("Kyiv", "GPE")], annotator_id="b"), record(1, spans=[], annotator_id="b")]
    report = measure_effort(
        pre=pre, answers=[_write(tmp_path / "a.jsonl", a), _write(tmp_path / "b.jsonl", b)]
    )
    words = len(TEXT.split())
    assert report.total_words == 4 * words
    assert report.edits_per_100_words() == pytest.approx(100 * 2 / (4 * words))
    data = report.to_dict()
    assert data["by_annotator"]["a"]["edits"] == 2 and data["by_annotator"]["b"]["edits"] == 0
    text = markdown(report)
    assert "| annotator | answers | compared | words | edits | per 100 words |" in text
    assert "| entities | GPE | 2 | 1 | 0 | 1 | 1 | 2 | 2 |" in text


def test_prodigy_time_is_the_gap_between_answers_of_a_session():
    def answer(unit: int, stamp: int, session: str = "s1") -> Record:
        return record(unit, annotator_id="alice", session_id=session, timestamp=stamp, view_id="ner_manual")

    answers = [
        answer(0, 100),
        answer(1, 130),
        answer(2, 190),
        answer(3, 5000),
        answer(4, 5010),
        answer(5, 7, "s2"),
    ]
    [timing] = answer_times("a.jsonl", answers, idle_seconds=600)
    assert timing.source == "_timestamp" and sorted(timing.seconds) == [10.0, 30.0, 60.0]
    assert (timing.breaks, timing.untimed) == (
        1,
        2,
    )  # 190 -> 5000 is a break; each session's first is untimed
    assert timing.to_dict()["median_seconds"] == 30.0 and timing.to_dict()["total_seconds"] == 100.0


def test_label_studio_time_is_its_lead_time_through_the_importer(tmp_path):
    export = json.loads((FIXTURES / "labelstudio" / "export.json").read_text())
    for i, task in enumerate(export):
        for annotation in task["annotations"]:
            annotation["lead_time"] = 12.5 * (i + 1)
    (tmp_path / "export.json").write_text(json.dumps(export))
    shutil.copy(FIXTURES / "labelstudio" / "pre.jsonl", tmp_path / "pre.jsonl")
    done = runner.invoke(
        app,
        [
            "import",
            "labelstudio",
            str(tmp_path / "export.json"),
            "-o",
            str(tmp_path / "answers.jsonl"),
            "--into",
            str(tmp_path / "pre.jsonl"),
            "-q",
        ],
    )
    assert done.exit_code == 0, done.output
    report = measure_effort(pre=tmp_path / "pre.jsonl", answers=[tmp_path / "answers.jsonl"])
    [timing] = report.timings
    assert timing.source == "lead_time" and timing.seconds == [12.5 * (i + 1) for i in range(len(export))]
    assert "| lead_time |" in markdown(report)


def test_prodigy_answers_through_the_importer_compare_the_layer_they_answered(tmp_path):
    answers = tmp_path / "answers.jsonl"
    done = runner.invoke(
        app,
        [
            "import",
            "prodigy",
            str(FIXTURES / "prodigy" / "ner_manual.jsonl"),
            "-o",
            str(answers),
            "--into",
            str(FIXTURES / "prodigy" / "base.jsonl"),
            "-q",
        ],
    )
    assert done.exit_code == 0, done.output
    report = measure_effort(pre=FIXTURES / "prodigy" / "base.jsonl", answers=[answers])
    assert report.skipped == {"reject": 1, "ignore": 1} and report.compared == 1
    assert report.words["quotes"] == 0 and report.words["entities"] > 0
    assert {t.annotator for t in report.timings} == {"news_ner-alice", "news_ner-bob"}


def test_errors_name_the_file_line_and_rule(tmp_path):
    pre = _write(tmp_path / "pre.jsonl", [record(0)])
    stranger = _write(tmp_path / "stranger.jsonl", [record(7)])
    with pytest.raises(InputError, match=r"stranger\.jsonl:1: \[unknown-id\] answer doc:7 is not among"):
        measure_effort(pre=pre, answers=[stranger])
    other_text = _write(tmp_path / "other.jsonl", [record(0, "Another text.")])
    with pytest.raises(InputError, match=r"other\.jsonl:1: \[text-differs\]"):
        measure_effort(pre=pre, answers=[other_text])
    twice = _write(tmp_path / "twice.jsonl", [record(0), record(0)])
    with pytest.raises(InputError, match=r"twice\.jsonl:2: \[duplicate-id\]"):
        measure_effort(pre=twice, answers=[pre])
    with pytest.raises(UsageError, match="--tasks"):
        measure_effort(pre=pre, answers=[pre], tasks="sentiment")
    with pytest.raises(UsageError, match="--idle"):
        measure_effort(pre=pre, answers=[pre], idle_seconds=0)


def test_cli_markdown_and_json(tmp_path):
    pre = _write(tmp_path / "pre.jsonl", [record(0, spans=[span("Kyiv", "GPE")])])
    answers = _write(tmp_path / "a.jsonl", [record(0, spans=[span("Kyiv", "LOC")], answer="accept")])
    text = runner.invoke(app, ["effort", str(pre), str(answers)])
    assert text.exit_code == 0, text.output
    assert text.stdout.startswith(
        "1 answers compared with the pre-annotations, 1 with edits; entities 1 -> 1"
    )
    assert "| entities | label change: GPE -> LOC | 1 | 0: 'Kyiv' |" in text.stdout
    assert "Time per task: not recorded" in text.stdout
    data = orjson.loads(runner.invoke(app, ["effort", str(pre), str(answers), "-f", "json"]).stdout)
    assert data["by_task"]["entities"]["labels"]["GPE"]["changed_how"] == {"label": 1}
    bad = runner.invoke(app, ["effort", str(pre), str(answers), "-f", "xml"])
    assert bad.exit_code == 2 and len(bad.stderr.splitlines()) == 1
    assert list(read_records(pre))[0].spans[0].label == "GPE"  # inputs untouched
