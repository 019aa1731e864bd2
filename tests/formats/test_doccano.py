"""doccano: sequence labeling, relation mode and classification JSONL, both ways."""

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
from toolkit.errors import UsageError
from toolkit.formats.exchange import ImportRefusedError, export_records, import_answers
from toolkit.formats.offsets import OffsetMap
from toolkit.jsonl import read_records, write_records
from toolkit.options import ExportOptions, ImportOptions
from toolkit.record import Event, Quote, Role, Span

FIXTURES = Path(__file__).parents[1] / "fixtures" / "doccano"
BASE = FIXTURES / "base.jsonl"
runner = CliRunner()


def export(tmp_path: Path, records: list, view: str, **options) -> list[dict]:
    source = tmp_path / "in.jsonl"
    write_records(source, records)
    out = tmp_path / f"{view}.jsonl"
    export_records(tool="doccano", input=source, output=out, options=ExportOptions(view=view, **options))
    return read_jsonl(out)


def sample() -> object:
    return make_record(
        TEXTS[1],
        "doc:1",
        spans=[Span(start=19, end=28, label="PERSON"), Span(start=35, end=40, label="GPE")],
        quotes=[Quote(content=Role(0, 48), speaker=Role(49, 62), cue=Role(63, 67), kind="mixed")],
        events=[Event(label="CONSULT", trigger=Role(63, 67)), Event(label="AGREE")],
    )


def test_sequence_labeling_rows(tmp_path: Path) -> None:
    (row,) = export(tmp_path, [sample()], "entities")
    assert row == {
        "text": TEXTS[1],
        "label": [[19, 28, "PERSON"], [35, 40, "GPE"]],
        "record_id": "doc:1",
        "toolkit_view": "entities",
        "toolkit_offsets": "utf16",
    }


def test_relation_mode_rows(tmp_path: Path) -> None:
    (row,) = export(tmp_path, [sample()], "quotes")
    assert row["entities"] == [
        {"id": 1, "start_offset": 0, "end_offset": 48, "label": "CONTENT"},
        {"id": 2, "start_offset": 49, "end_offset": 62, "label": "SPEAKER"},
        {"id": 3, "start_offset": 63, "end_offset": 67, "label": "CUE"},
    ]
    assert row["relations"] == [
        {"id": 1, "from_id": 2, "to_id": 1, "type": "SPEAKER_OF"},
        {"id": 2, "from_id": 3, "to_id": 1, "type": "CUE_OF"},
    ]
    assert row["quote_kinds"] == {"CONTENT:0-48": "mixed"}


def test_classification_rows_keep_triggers_as_a_column(tmp_path: Path) -> None:
    (row,) = export(tmp_path, [sample()], "events")
    assert row["label"] == ["AGREE", "CONSULT"] and row["event_triggers"] == [[63, 67, "CONSULT"]]


def test_overlaps_are_refused_unless_the_project_allows_them(tmp_path: Path) -> None:
    record = make_record(
        TEXTS[0], "doc:0", spans=[Span(start=0, end=11, label="ORG"), Span(start=6, end=24, label="PERSON")]
    )
    with pytest.raises(UsageError, match=r"doc:0: overlapping spans 0-11 ORG and 6-24 PERSON") as refused:
        export(tmp_path, [record], "entities")
    assert "--allow-overlap" in str(refused.value)
    assert len(export(tmp_path, [record], "entities", allow_overlap=True)[0]["label"]) == 2
    with pytest.raises(UsageError, match="for doccano"):
        export_records(
            tool="prodigy",
            input=tmp_path / "in.jsonl",
            output=tmp_path / "p.jsonl",
            options=ExportOptions(allow_overlap=True),
        )


def test_per_member_export_names_the_annotator_and_skips_unlabelled_rows(tmp_path: Path) -> None:
    out = tmp_path / "gold.jsonl"
    summary = import_answers(tool="doccano", paths=[FIXTURES / "alice.jsonl"], output=out, into=BASE)
    assert summary.written == 2 and summary.skipped == {
        "rows without labels (not annotated; pass --keep-empty to keep them)": 1
    }
    first, second = read_records(out)
    assert first.annotator_id == "alice" and all(s.source == "human:alice" for s in first.spans)
    assert first.meta.extra["doccano"] == {"example_id": 1, "user": "alice", "comments": ["check Kyiv"]}
    assert [s.id for s in first.spans] == [None, None] and first.spans[0].token_start is not None
    assert first.quotes == next(read_records(BASE)).quotes  # layers not in the view come from the base
    summary = import_answers(
        tool="doccano",
        paths=[FIXTURES / "alice.jsonl"],
        output=out,
        into=BASE,
        options=ImportOptions(keep_empty=True),
    )
    assert summary.written == 3


def test_relation_mode_export_is_read_with_renumbered_ids(tmp_path: Path) -> None:
    out = tmp_path / "gold.jsonl"
    import_answers(tool="doccano", paths=[FIXTURES / "all.jsonl"], output=out, into=BASE)
    (row,) = read_records(out)
    (quote,) = row.quotes
    assert row.annotator_id is None and quote.source == "human:unknown"  # collaborative mode names nobody
    assert row.text[quote.speaker.start : quote.speaker.end] == "Ramzan Kadyrov"
    assert quote.kind == "indirect"  # no kind column for this content: no opening quote mark, so indirect


def test_classification_export_drops_the_trigger_of_a_removed_type(tmp_path: Path) -> None:
    tasks = export(tmp_path, [sample()], "events")
    tasks[0]["label"] = ["CONSULT"]  # the annotator unticked AGREE and kept CONSULT
    path = write_jsonl(tmp_path / "bob.jsonl", [{"id": 3, **tasks[0], "Comments": []}])
    import_answers(tool="doccano", paths=[path], output=tmp_path / "out.jsonl")
    (row,) = read_records(tmp_path / "out.jsonl")
    assert canonical(row, "events") == [("CONSULT", (63, 67))]


def test_out_of_range_offsets_are_refused(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "eve.jsonl", [{"id": 1, "text": "short", "label": [[0, 50, "ORG"]]}])
    with pytest.raises(ImportRefusedError) as refused:
        import_answers(tool="doccano", paths=[path], output=tmp_path / "out.jsonl")
    assert refused.value.findings[0].rule == "span-out-of-range" and refused.value.findings[0].line == 1


def test_old_doccano_utf16_offsets_are_read_when_only_they_fit_the_base_tokens(tmp_path: Path) -> None:
    text = TEXTS[2]  # three astral code points before "Moscow": UTF-16 offsets run 3 units ahead
    start = text.index("Moscow")
    offsets = OffsetMap(text)
    utf16 = [offsets.to_utf16(start), offsets.to_utf16(start + 6), "GPE"]
    assert utf16[0] == start + 3
    path = write_jsonl(
        tmp_path / "eve.jsonl", [{"id": 1, "text": text, "label": [utf16], "record_id": "doc:0"}]
    )
    base = tmp_path / "base.jsonl"
    write_records(base, [make_record(text, "doc:0")])
    summary = import_answers(tool="doccano", paths=[path], output=tmp_path / "out.jsonl", into=base)
    (row,) = read_records(tmp_path / "out.jsonl")
    assert (row.spans[0].start, row.spans[0].end) == (start, start + 6) and summary.converted_spans == 1
    assert summary.converted == {"utf16": 1}
    # Without --into there are no tokens to tell the readings apart, and the row names no unit: refused,
    # naming the row and what each unit reads, rather than imported shifted.
    with pytest.raises(ImportRefusedError) as refused:
        import_answers(tool="doccano", paths=[path], output=tmp_path / "out2.jsonl")
    (finding,) = refused.value.findings
    assert (finding.rule, finding.line, finding.record_id) == ("span-offsets-ambiguous", 1, "doc:0")
    assert "UTF-16 units 'Moscow'" in finding.message and "code points 'cow 🇷🇺'" in finding.message
    assert not (tmp_path / "out2.jsonl").exists()


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
                spans=[Span(start=tokens[last].start, end=tokens[last].end, label="DATE")],
                quotes=[
                    Quote(
                        content=Role(tokens[2].start, tokens[last].end),
                        cue=Role(tokens[0].start, tokens[1].end),
                    )
                ],
                events=[Event(label="PROTEST", trigger=Role(tokens[last].start, tokens[last].end))],
            )
        )
    back = round_trip("doccano", records, view, tmp_path)
    assert [canonical(r, view) for r in back] == [canonical(r, view) for r in records]


@pytest.mark.parametrize("view", ["entities", "quotes", "events"])
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=record_lists(overlap=True))
def test_export_then_import_gives_back_the_annotations(view: str, data: list) -> None:
    with tempfile.TemporaryDirectory() as folder:
        for into in (True, False):
            back = round_trip("doccano", data, view, Path(folder), into=into, allow_overlap=True)
            assert [canonical(r, view) for r in back] == [canonical(r, view) for r in data]


def test_cli_round_trip(tmp_path: Path) -> None:
    out = tmp_path / "rows.jsonl"
    result = runner.invoke(app, ["export", "doccano", str(BASE), "-o", str(out), "--view", "events"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(
        app, ["import", "doccano", str(FIXTURES / "alice.jsonl"), "-o", "-", "--into", str(BASE)]
    )
    assert result.exit_code == 0, result.output
    assert len(result.stdout.splitlines()) == 2 and "skipped 1 rows without labels" in result.stderr


def emoji_records() -> list:
    """Entities after emoji (astral code points, a two-code-point flag), across CRLF and in Hebrew."""
    records = []
    for n, text in enumerate((TEXTS[2], TEXTS[3], TEXTS[5])):
        tokens = tokens_for(text)
        words = [t for t in tokens if t.text.isalpha()]
        spans = [Span(start=t.start, end=t.end, label="GPE") for t in words[1::3]]
        records.append(make_record(text, f"doc:{n}", spans=spans))
    return records


def utf16(text: str, offset: int) -> int:
    return len(text[:offset].encode("utf-16-le")) // 2


def graphemes(text: str, offset: int) -> int:
    import regex

    return len(regex.findall(r"\X", text[:offset]))


def test_export_writes_utf16_offsets_by_default_and_they_import_to_the_same_code_points(
    tmp_path: Path,
) -> None:
    records = emoji_records()
    rows = export(tmp_path, records, "entities")
    for record, row in zip(records, rows, strict=True):
        assert row["toolkit_offsets"] == "utf16"
        assert row["label"] == [
            [utf16(record.text, s.start), utf16(record.text, s.end), s.label] for s in record.spans
        ]
    moscow = records[0].text.index("Moscow")
    assert [utf16(records[0].text, moscow)] != [moscow]  # the emoji before it shift UTF-16 offsets
    for into in (True, False):
        back = round_trip("doccano", records, "entities", tmp_path, into=into)
        assert [canonical(r, "entities") for r in back] == [canonical(r, "entities") for r in records]


@pytest.mark.parametrize("unit", ["codepoint", "utf16", "grapheme"])
def test_every_offset_unit_round_trips(tmp_path: Path, unit: str) -> None:
    records = emoji_records()
    rows = export(tmp_path, records, "entities", offsets=unit)
    assert {row["toolkit_offsets"] for row in rows} == {unit}
    for into in (True, False):
        back = round_trip("doccano", records, "entities", tmp_path, into=into, offsets=unit)
        assert [canonical(r, "entities") for r in back] == [canonical(r, "entities") for r in records]


def doccano_rows(records: list, count) -> list[dict]:
    """Rows as doccano writes them for a project counting offsets with ``count``: no toolkit columns."""
    return [
        {
            "id": n + 1,
            "text": r.text,
            "label": [[count(r.text, s.start), count(r.text, s.end), s.label] for s in r.spans],
            "record_id": r.meta.id,
            "Comments": [],
        }
        for n, r in enumerate(records)
    ]


@pytest.mark.parametrize(("count", "reading"), [(utf16, "utf16"), (graphemes, "grapheme")])
def test_a_rows_unit_is_told_by_the_base_tokens_and_reported(tmp_path: Path, count, reading: str) -> None:
    records = emoji_records()
    base = tmp_path / "base.jsonl"
    write_records(base, records)
    path = write_jsonl(tmp_path / "eve.jsonl", doccano_rows(records, count))
    out = tmp_path / "out.jsonl"
    summary = import_answers(tool="doccano", paths=[path], output=out, into=base)
    assert [canonical(r, "entities") for r in read_records(out)] == [
        canonical(r, "entities") for r in records
    ]
    shifted = sum(
        1
        for r in records
        for s in r.spans
        if (count(r.text, s.start), count(r.text, s.end)) != (s.start, s.end)
    )
    # A text whose only clusters are CRLF pairs reads the same with CRLF as one character: either name.
    assert shifted > 0 and sum(summary.converted.values()) == shifted
    assert reading in summary.converted and set(summary.converted) <= {reading, "crlf", "crlf+utf16"}
    result = runner.invoke(app, ["import", "doccano", str(path), "-o", str(out), "--into", str(base)])
    assert result.exit_code == 0, result.output
    from toolkit.formats.offsets import READING_NAMES

    assert f"{summary.converted[reading]} spans read as {READING_NAMES[reading]}" in result.stderr


def test_grapheme_offsets_never_import_shifted(tmp_path: Path) -> None:
    """Once imported as ' Kyi' and ' Mosco' with exit 0: without tokens to tell the units apart the row is
    refused, naming it and what each unit reads; with them it is read right."""
    text = TEXTS[2]
    record = make_record(
        text,
        "doc:0",
        spans=[
            Span(start=text.index(w), end=text.index(w) + len(w), label="GPE") for w in ("Kyiv", "Moscow")
        ],
    )
    path = write_jsonl(tmp_path / "eve.jsonl", doccano_rows([record], graphemes))
    result = runner.invoke(app, ["import", "doccano", str(path), "-o", str(tmp_path / "out.jsonl")])
    assert result.exit_code == 1 and not (tmp_path / "out.jsonl").exists()
    assert "eve.jsonl:1: error [span-offsets-ambiguous]" in result.stderr and "(doc:0)" in result.stderr
    assert "grapheme clusters 'Kyiv'" in result.stderr and "code points ' Kyi'" in result.stderr


def test_an_offset_past_the_code_points_is_read_as_utf16(tmp_path: Path) -> None:
    text = "Talks 😡😡 in Istanbul"
    start = text.index("Istanbul")
    row = {"id": 1, "text": text, "label": [[utf16(text, start), utf16(text, start + 8), "GPE"]]}
    assert row["label"][0][1] > len(text)  # past the end in code points: once refused as span-out-of-range
    path = write_jsonl(tmp_path / "eve.jsonl", [row])
    summary = import_answers(tool="doccano", paths=[path], output=tmp_path / "out.jsonl")
    (got,) = read_records(tmp_path / "out.jsonl")
    assert (got.spans[0].start, got.spans[0].end) == (start, start + 8) and summary.converted == {"utf16": 1}


def test_a_span_inside_a_grapheme_cluster_cannot_go_out_in_grapheme_units(tmp_path: Path) -> None:
    text = TEXTS[2]
    flag = text.index("🇺🇦")
    record = make_record(text, "doc:0", spans=[Span(start=flag, end=flag + 1, label="NORP")])
    with pytest.raises(UsageError, match=r"doc:0: span .* does not start and end on grapheme clusters"):
        export(tmp_path, [record], "entities", offsets="grapheme")
    assert export(tmp_path, [record], "entities", offsets="utf16")[0]["label"] == [
        [utf16(text, flag), utf16(text, flag) + 2, "NORP"]
    ]
    with pytest.raises(UsageError, match="--offsets is for doccano"):
        export_records(
            tool="prodigy",
            input=tmp_path / "in.jsonl",
            output=tmp_path / "p.jsonl",
            options=ExportOptions(offsets="utf16"),
        )
    result = runner.invoke(
        app,
        [
            "export",
            "doccano",
            str(tmp_path / "in.jsonl"),
            "-o",
            str(tmp_path / "x.jsonl"),
            "--offsets",
            "bytes",
        ],
    )
    assert result.exit_code == 2 and "--offsets bytes" in result.stderr


def test_cli_exports_in_the_unit_asked_for_and_skips_lines_that_are_not_json(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    write_records(source, emoji_records())
    out = tmp_path / "rows.jsonl"
    result = runner.invoke(app, ["export", "doccano", str(source), "-o", str(out), "--offsets", "grapheme"])
    assert result.exit_code == 0, result.output
    rows = read_jsonl(out)
    assert {row["toolkit_offsets"] for row in rows} == {"grapheme"}
    broken = tmp_path / "bob.jsonl"
    broken.write_bytes(out.read_bytes() + b"{not json\n")
    result = runner.invoke(app, ["import", "doccano", str(broken), "-o", str(tmp_path / "a.jsonl")])
    assert result.exit_code == 2 and f"bob.jsonl:{len(rows) + 1}: [invalid-json]" in result.stderr
    result = runner.invoke(
        app, ["import", "doccano", str(broken), "-o", str(tmp_path / "a.jsonl"), "--skip-invalid"]
    )
    assert result.exit_code == 0 and "skipped 1 lines that are not JSON objects" in result.stderr
    assert [canonical(r, "entities") for r in read_records(tmp_path / "a.jsonl")] == [
        canonical(r, "entities") for r in emoji_records()
    ]
