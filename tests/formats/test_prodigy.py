"""Prodigy: tasks for ner.manual, spans.manual, rel.manual and choice; db-out answers mapped back by id."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from exchange_cases import (
    TEXTS,
    canonical,
    make_record,
    read_jsonl,
    record_lists,
    round_trip,
    tokens_for,
    write_jsonl,
)
from hypothesis import HealthCheck, given, settings
from typer.testing import CliRunner

from toolkit.cli import app
from toolkit.errors import InputError, UsageError
from toolkit.formats.exchange import ImportRefusedError, export_records, import_answers
from toolkit.jsonl import read_records, write_records
from toolkit.labels import PLOVER_TYPES
from toolkit.options import ExportOptions
from toolkit.record import Event, Quote, Role, Span, record_to_dict

FIXTURES = Path(__file__).parents[1] / "fixtures" / "prodigy"
BASE = FIXTURES / "base.jsonl"
PRODIGY_KEYS = (
    "_input_hash",
    "_task_hash",
    "_view_id",
    "_session_id",
    "_annotator_id",
    "_timestamp",
    "answer",
)
runner = CliRunner()


def export(tmp_path: Path, records: list, view: str) -> list[dict]:
    source = tmp_path / "in.jsonl"
    write_records(source, records)
    out = tmp_path / f"{view}.jsonl"
    export_records(tool="prodigy", input=source, output=out, options=ExportOptions(view=view))
    return read_jsonl(out)


def test_entities_view_is_the_canonical_record(tmp_path: Path) -> None:
    records = list(read_records(BASE))
    tasks = export(tmp_path, records, "entities")
    assert tasks == [record_to_dict(r) for r in records]
    assert all("_input_hash" not in t and "_task_hash" not in t for t in tasks)  # never invented


def test_entities_view_drops_a_previous_answer_but_keeps_the_input_hash(tmp_path: Path) -> None:
    answered = next(read_records(FIXTURES / "ner_manual.jsonl"))
    task = export(tmp_path, [answered], "entities")[0]
    assert task["_input_hash"] == answered.input_hash
    assert not {"_task_hash", "answer", "_annotator_id", "_view_id", "_timestamp"} & set(task)


def test_overlapping_entities_are_refused_by_record_unless_the_spans_view(tmp_path: Path) -> None:
    text = TEXTS[0]
    tokens = tokens_for(text)
    overlapping = make_record(
        text,
        "doc:3",
        spans=[
            Span(start=0, end=11, label="ORG", token_start=0, token_end=1),
            Span(start=6, end=24, label="PERSON", token_start=1, token_end=2),
        ],
    )
    clean = make_record(text, "doc:4", spans=[Span(start=tokens[3].start, end=tokens[4].end, label="PERSON")])
    with pytest.raises(UsageError) as refused:
        export(tmp_path, [clean, overlapping], "entities")
    assert "doc:3" in str(refused.value) and "doc:4" not in str(refused.value)
    assert "--view spans" in str(refused.value)
    assert not (tmp_path / "entities.jsonl").exists()
    tasks = export(tmp_path, [clean, overlapping], "spans")
    assert [len(t["spans"]) for t in tasks] == [1, 2]


def test_quotes_view_is_a_rel_manual_task(tmp_path: Path) -> None:
    text = TEXTS[1]
    record = make_record(
        text,
        "doc:1",
        quotes=[
            Quote(
                content=Role(0, 48),
                speaker=Role(49, 62),
                cue=Role(63, 67),
                kind="direct",
                source="rule:quotes",
            )
        ],
    )
    task = export(tmp_path, [record], "quotes")[0]
    assert [(s["label"], s["start"], s["end"]) for s in task["spans"]] == [
        ("CONTENT", 0, 48),
        ("SPEAKER", 49, 62),
        ("CUE", 63, 67),
    ]
    content, speaker, cue = task["spans"]
    assert content["kind"] == "direct" and content["token_start"] == 0 and content["token_end"] == 10
    assert task["relations"] == [
        {
            "head": speaker["token_end"],
            "child": content["token_end"],
            "label": "SPEAKER_OF",
            "head_span": speaker,
            "child_span": content,
        },
        {
            "head": cue["token_end"],
            "child": content["token_end"],
            "label": "CUE_OF",
            "head_span": cue,
            "child_span": content,
        },
    ]


def test_quote_roles_off_token_boundaries_are_refused(tmp_path: Path) -> None:
    record = make_record(TEXTS[1], "doc:1", quotes=[Quote(content=Role(1, 5), kind="direct")])
    with pytest.raises(UsageError, match="doc:1.*token boundaries"):
        export(tmp_path, [record], "quotes")


def test_events_view_is_a_multiple_choice_task(tmp_path: Path) -> None:
    text = TEXTS[0]
    record = make_record(
        text,
        "doc:0",
        events=[
            Event(label="SANCTION", trigger=Role(65, 74)),
            Event(label="CONSULT"),
        ],
    )
    task = export(tmp_path, [record], "events")[0]
    assert [o["id"] for o in task["options"]] == list(PLOVER_TYPES)
    assert task["accept"] == ["CONSULT", "SANCTION"]  # PLOVER order
    assert task["config"] == {"choice_style": "multiple"}
    assert task["spans"] == [{"start": 65, "end": 74, "label": "SANCTION", "token_start": 9, "token_end": 9}]


def test_ner_manual_answers_merge_onto_base_records(tmp_path: Path) -> None:
    out = tmp_path / "gold.jsonl"
    summary = import_answers(tool="prodigy", paths=[FIXTURES / "ner_manual.jsonl"], output=out, into=BASE)
    assert summary.written == 3 and summary.states == {"accept": 1, "ignore": 1, "reject": 1}
    answers = read_jsonl(FIXTURES / "ner_manual.jsonl")
    base = {r.meta.id: r for r in read_records(BASE)}
    rows = list(read_records(out))
    for row, answer in zip(rows, answers, strict=True):
        as_dict = record_to_dict(row)
        for key in PRODIGY_KEYS:  # Prodigy's fields verbatim, _session_id None included
            assert as_dict.get(key) == answer[key]
        assert row.extra == {"_is_binary": False}
        assert row.tokens == base[row.meta.id].tokens and row.meta == base[row.meta.id].meta
        assert row.quotes == base[row.meta.id].quotes and row.events == base[row.meta.id].events
        assert [(s.start, s.end, s.label) for s in row.spans] == sorted(
            (s["start"], s["end"], s["label"]) for s in answer["spans"]
        )
        annotator = answer["_annotator_id"]
        assert all(s.source == f"human:{annotator}" for s in row.spans)
    # Two annotators on one text stay two rows, one per answer: nothing is merged by union.
    assert [r.meta.id for r in rows].count(rows[0].meta.id) == 2


def test_answers_without_into_are_the_records_themselves(tmp_path: Path) -> None:
    out = tmp_path / "gold.jsonl"
    import_answers(tool="prodigy", paths=[FIXTURES / "spans_manual.jsonl"], output=out)
    (row,) = read_records(out)
    assert [(s.label, s.token_start, s.token_end) for s in row.spans] == [
        ("ORG", 32, 33),
        ("PERSON", 32, 36),
        ("PERSON", 35, 36),
    ]
    assert row.view_id == "spans_manual" and row.meta.id.endswith(":2")


def test_rel_manual_answers_become_quotes(tmp_path: Path) -> None:
    out = tmp_path / "gold.jsonl"
    import_answers(tool="prodigy", paths=[FIXTURES / "rel_manual.jsonl"], output=out, into=BASE)
    (row,) = read_records(out)
    (quote,) = row.quotes
    text = row.text
    assert text[quote.content.start : quote.content.end].startswith("“Foreign Secretary")
    assert text[quote.speaker.start : quote.speaker.end] == "the statement"
    assert text[quote.cue.start : quote.cue.end] == "said"
    assert quote.kind == "direct"  # rel.manual has no kind: a content opening with a quote mark is direct
    assert quote.source == "human:news_quotes-alice"
    assert row.spans == next(r for r in read_records(BASE) if r.meta.id == row.meta.id).spans


def test_choice_answers_become_events(tmp_path: Path) -> None:
    out = tmp_path / "gold.jsonl"
    import_answers(tool="prodigy", paths=[FIXTURES / "choice.jsonl"], output=out, into=BASE)
    first, second = read_records(out)
    assert canonical(first, "events") == [("CONSULT", None), ("SANCTION", (50, 59))]
    assert canonical(second, "events") == [("SANCTION", None)]
    assert "options" not in first.extra and "accept" not in first.extra


def test_binary_answers_are_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError) as refused:
        import_answers(tool="prodigy", paths=[FIXTURES / "ner_binary.jsonl"], output=tmp_path / "x.jsonl")
    assert refused.value.rule == "prodigy-view" and refused.value.line == 1
    assert not (tmp_path / "x.jsonl").exists()


def test_answers_join_by_input_hash_when_meta_has_no_id(tmp_path: Path) -> None:
    base_record = make_record(TEXTS[0], "doc:0")
    base_record.input_hash = -55
    base = tmp_path / "base.jsonl"
    write_records(base, [base_record])
    answer = {
        "text": TEXTS[0],
        "spans": [{"start": 25, "end": 41, "label": "PERSON"}],
        "_input_hash": -55,
        "_task_hash": 9,
        "answer": "accept",
        "_annotator_id": "x-ann",
        "_view_id": "ner_manual",
    }
    path = write_jsonl(tmp_path / "db.jsonl", [answer])
    import_answers(tool="prodigy", paths=[path], output=tmp_path / "out.jsonl", into=base)
    (row,) = read_records(tmp_path / "out.jsonl")
    assert row.meta.id == "doc:0" and row.spans[0].token_start == 3 and row.spans[0].token_end == 4


@pytest.mark.parametrize(("index", "rule"), [(0, "span-text-mismatch"), (1, "span-token-mismatch")])
def test_a_shifted_span_is_reported_not_moved(tmp_path: Path, index: int, rule: str) -> None:
    answer = read_jsonl(FIXTURES / "ner_manual.jsonl")[0]
    assert ("text" in answer["spans"][index]) == (index == 0)  # with and without Prodigy's span text
    answer["spans"][index]["start"] += 2  # offsets shifted, token indices left as they were
    path = write_jsonl(tmp_path / "db.jsonl", [answer])
    with pytest.raises(ImportRefusedError) as refused:
        import_answers(tool="prodigy", paths=[path], output=tmp_path / "out.jsonl", into=BASE)
    assert [f.rule for f in refused.value.findings] == [rule]
    assert not (tmp_path / "out.jsonl").exists()


@pytest.mark.parametrize("view", ["entities", "quotes", "events"])
def test_emoji_crlf_and_right_to_left_text_round_trip(tmp_path: Path, view: str) -> None:
    records = []
    for n, text in enumerate(TEXTS[2:6]):
        tokens = tokens_for(text)
        last = len(tokens) - 2
        records.append(
            make_record(
                text,
                f"doc:{n}",
                spans=[
                    Span(
                        start=tokens[last].start,
                        end=tokens[last].end,
                        label="DATE",
                        token_start=last,
                        token_end=last,
                    )
                ],
                quotes=[
                    Quote(
                        content=Role(tokens[1].start, tokens[last].end),
                        cue=Role(tokens[0].start, tokens[0].end),
                    )
                ],
                events=[Event(label="REJECT", trigger=Role(tokens[last].start, tokens[last].end))],
            )
        )
    back = round_trip("prodigy", records, view, tmp_path)
    for before, after in zip(records, back, strict=True):
        assert canonical(after, view) == canonical(before, view)
        assert after.text == before.text


@pytest.mark.parametrize("view", ["entities", "spans", "quotes", "events"])
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=record_lists(overlap=True))
def test_export_then_import_gives_back_the_annotations(view: str, data: list) -> None:
    records = data
    if view == "entities":
        records = [r for r in data if not _overlaps(r)] or [make_record(TEXTS[0], "doc:0")]
    with tempfile.TemporaryDirectory() as folder:
        for into in (True, False):
            back = round_trip("prodigy", records, view, Path(folder), into=into)
            assert [canonical(r, view) for r in back] == [canonical(r, view) for r in records]
            assert all(
                s.source == "human:news_" + view + "-news-alice"
                for r in back
                for s in r.spans
                if view in ("entities", "spans")
            )


def _overlaps(record) -> bool:
    spans = sorted((s.start, s.end) for s in record.spans)
    return any(b[0] < a[1] for a, b in zip(spans, spans[1:], strict=False))


def test_cli_export_and_import(tmp_path: Path) -> None:
    tasks = tmp_path / "tasks.jsonl"
    result = runner.invoke(app, ["export", "prodigy", str(BASE), "-o", str(tasks), "--view", "quotes"])
    assert result.exit_code == 0, result.output
    assert "3 Prodigy tasks (quotes) from 3 records" in result.stderr
    assert all("relations" in t for t in read_jsonl(tasks))
    out = tmp_path / "gold.jsonl"
    result = runner.invoke(
        app,
        [
            "import",
            "prodigy",
            str(FIXTURES / "ner_manual.jsonl"),
            str(FIXTURES / "choice.jsonl"),
            "-o",
            str(out),
            "--into",
            str(BASE),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "5 records from 5 Prodigy answers (3 accept, 1 ignore, 1 reject)" in result.stderr
    assert len(read_jsonl(out)) == 5


def test_cli_reports_refusals_with_exit_codes(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["import", "prodigy", str(FIXTURES / "ner_binary.jsonl"), "-o", str(tmp_path / "o")]
    )
    assert result.exit_code == 2
    assert "ner_binary.jsonl:1: [prodigy-view]" in result.stderr and "Traceback" not in result.output
    other = write_records(tmp_path / "other.jsonl", [make_record(TEXTS[0], "elsewhere:0")])
    assert other == 1
    result = runner.invoke(
        app,
        [
            "import",
            "prodigy",
            str(FIXTURES / "choice.jsonl"),
            "-o",
            str(tmp_path / "o"),
            "--into",
            str(tmp_path / "other.jsonl"),
        ],
    )
    assert result.exit_code == 2 and "[unknown-id]" in result.stderr and "--allow-new" in result.stderr
    assert not (tmp_path / "o").exists()
    result = runner.invoke(
        app,
        [
            "import",
            "prodigy",
            str(FIXTURES / "choice.jsonl"),
            "-o",
            str(tmp_path / "o"),
            "--into",
            str(tmp_path / "other.jsonl"),
            "--allow-new",
        ],
    )
    assert result.exit_code == 0 and "2 new records" in result.stderr
