"""convert: records with exact offsets from every format, annotations placed in units, bad input, the CLI."""

from __future__ import annotations

import csv

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from toolkit.cli import app
from toolkit.convert.run import ConvertSummary, convert, convert_records, find_sources
from toolkit.convert.segment import segment_sentences, split_paragraphs
from toolkit.errors import InputError, UsageError
from toolkit.options import ConvertOptions, ReaderOptions
from toolkit.record import text_sha256

runner = CliRunner()
SKIPPING = ConvertOptions(reader=ReaderOptions(skip_invalid=True))


def run(*args: str, input: bytes | str | None = None):
    return runner.invoke(app, list(args), input=input)


def read_output(path) -> list[dict]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines()]


def assert_exact_offsets(records: list[dict], source_text: str) -> None:
    """The provenance promise: every record and token slices the text it came from."""
    for record in records:
        meta, text = record["meta"], record["text"]
        assert source_text[meta["start"] : meta["end"]] == text
        for token in record["tokens"]:
            assert text[token["start"] : token["end"]] == token["text"]
        for span in record.get("spans", []):
            assert 0 <= span["start"] <= span["end"] <= len(text)
            assert record["tokens"][span["token_start"]]["start"] <= span["start"]
            assert record["tokens"][span["token_end"]]["end"] >= span["end"]


def assert_one_error_line(result, *words: str) -> None:
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert "Traceback" not in result.output
    for word in words:
        assert word in lines[0]


# ---------------------------------------------------------------- the seed


def test_seed_gives_one_record_per_sentence(tmp_path, root, seed_path, monkeypatch):
    monkeypatch.chdir(root)
    out = tmp_path / "seed.jsonl"
    result = run("convert", "seeds/", "-o", str(out))
    assert result.exit_code == 0, result.output
    records = read_output(out)
    source_text = seed_path.read_text(encoding="utf-8")
    body = source_text.index("Russia-Ukraine")
    expected = [
        (s, e, p)
        for p, (ps, pe) in enumerate(split_paragraphs(source_text, body))
        for s, e in segment_sentences(source_text, ps, pe)
    ]
    assert [(r["meta"]["start"], r["meta"]["end"], r["meta"]["paragraph"]) for r in records] == expected
    assert_exact_offsets(records, source_text)
    first = records[0]["meta"]
    assert first["id"] == "000_0e2087f0584c9a21:0" and first["unit"] == 0
    assert (first["date"], first["source"]) == ("2022-03-31", "seeds/000_0e2087f0584c9a21.txt")
    assert [r["meta"]["unit"] for r in records] == list(range(len(records)))
    assert not any("date 2022" in r["text"] for r in records)
    assert f"{len(records)} records" in result.stderr


def test_seed_is_deterministic_and_paragraph_units_follow_lines(tmp_path, seed_path):
    a, b, p = tmp_path / "a.jsonl", tmp_path / "b.jsonl", tmp_path / "p.jsonl"
    convert(sources=[seed_path], output=a)
    convert(sources=[seed_path], output=b)
    assert a.read_bytes() == b.read_bytes()
    summary = convert(sources=[seed_path], output=p, options=ConvertOptions(unit="paragraph"))
    lines = [line for line in seed_path.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert summary.records == len(lines) == 26
    records = read_output(p)
    assert [r["meta"]["paragraph"] for r in records] == list(range(26))
    assert_exact_offsets(records, seed_path.read_text(encoding="utf-8"))


# ---------------------------------------------------------------- text encodings


def test_bom_and_crlf_offsets_index_the_decoded_text(tmp_path):
    path = tmp_path / "win.txt"
    path.write_bytes("\ufeffdate 2023-01-05 First line here.\r\nSecond line, caf\u00e9.\r\n".encode())
    records = list(convert_records(sources=[path]))
    source_text = path.read_bytes().decode("utf-8-sig")  # read_text would turn CRLF into LF
    assert [r.text for r in records] == ["First line here.", "Second line, caf\u00e9."]
    for record in records:
        assert source_text[record.meta.start : record.meta.end] == record.text
        assert record.meta.extra == {"bom": True} and record.meta.date == "2023-01-05"


# ---------------------------------------------------------------- JSONL and CSV


def test_jsonl_from_stdin_with_metadata(tmp_path):
    out = tmp_path / "out.jsonl"
    feed = (
        b'{"id": "r1", "text": "Kyiv is calm. Talks resume.", "title": "Live", "source": "Reuters"}\n'
        b'{"text": "No id here."}\n'
    )
    result = run("convert", "-", "-o", str(out), "--quiet", input=feed)
    assert result.exit_code == 0 and result.stderr == ""
    records = read_output(out)
    assert [r["meta"]["id"] for r in records] == ["r1:0", "r1:1", "stdin-2:0"]
    assert records[1]["meta"]["title"] == "Live" and records[1]["meta"]["document_source"] == "Reuters"
    assert records[1]["meta"]["source"] == "-" and records[1]["meta"]["line"] == 1
    assert records[1]["text"] == "Talks resume." and records[1]["meta"]["start"] == 14


def test_csv_with_renamed_text_column(tmp_path):
    path = tmp_path / "news.csv"
    path.write_text('story,body\ns1,"One here. Two there."\n', encoding="utf-8")
    summary = ConvertSummary()
    records = list(
        convert_records(
            sources=[path],
            options=ConvertOptions(reader=ReaderOptions(text_field="body", id_field="story")),
            summary=summary,
        )
    )
    assert [(r.meta.id, r.text, r.meta.extra) for r in records] == [
        ("s1:0", "One here.", {"row": 1}),
        ("s1:1", "Two there.", {"row": 1}),
    ]
    assert (summary.files, summary.documents) == (1, 1)


# ---------------------------------------------------------------- CoNLL


def test_conll_keeps_its_tokens_and_gold_spans(tmp_path):
    path = tmp_path / "gold.conll"
    path.write_text(
        "U.N. NNP B-NP I-ORG\nofficial NN I-NP O\nEkeus NNP I-NP I-PER\n\nHe PRP B-NP O\n", encoding="utf-8"
    )
    first, second = convert_records(sources=[path], options=ConvertOptions(unit="paragraph"))
    assert first.text == "U.N. official Ekeus" and second.text == "He"
    assert [t.text for t in first.tokens] == ["U.N.", "official", "Ekeus"]
    assert [t.ws for t in first.tokens] == [True, True, False]
    assert [(s.label, s.token_start, s.token_end, s.source) for s in first.spans] == [
        ("ORG", 0, 0, "human:conll"),
        ("PER", 2, 2, "human:conll"),
    ]
    assert (second.meta.start, second.meta.extra["line"], second.meta.paragraph) == (20, 5, 1)
    assert second.meta.extra == {"line": 5, "rebuilt_text": True}


# ---------------------------------------------------------------- brat


BRAT_TEXT = "Talks resumed in Istanbul. The mayor said: \u201cWe hold. We stay.\u201d Nothing else."
# T1 crosses from sentence 0 into sentence 1; the quote (T2-T4) runs over sentences 1 to 3.
BRAT_ANN = "\n".join(
    [
        "T1\tEVENT 17 30\tIstanbul. The",
        "T2\tSource 27 36\tThe mayor",
        "T3\tCue 37 41\tsaid",
        "T4\tContent 43 63\t\u201cWe hold. We stay.\u201d",
        "E1\tCue:T3 Source:T2 Content:T4",
        "T5\tPERSON 31 36\tmayor",
        "",
    ]
)


def test_brat_quotes_split_across_units_share_an_id(tmp_path):
    (tmp_path / "live.txt").write_text(BRAT_TEXT, encoding="utf-8")
    (tmp_path / "live.ann").write_text(BRAT_ANN, encoding="utf-8")
    summary = ConvertSummary()
    records = list(convert_records(sources=[tmp_path], summary=summary))
    assert [r.text for r in records] == [
        "Talks resumed in Istanbul.",
        "The mayor said: \u201cWe hold.",
        "We stay.\u201d",
        "Nothing else.",
    ]
    # The crossing span is attached to the unit it starts in, clipped, and reported.
    assert [(s.label, records[0].text[s.start : s.end]) for s in records[0].spans] == [("EVENT", "Istanbul.")]
    assert records[0].meta.extra["cross_unit_spans"] == ["T1"] and summary.cross_unit_spans == 1
    one, two = records[1].quotes[0], records[2].quotes[0]
    text = records[1].text
    assert (text[one.speaker.start : one.speaker.end], text[one.cue.start : one.cue.end]) == (
        "The mayor",
        "said",
    )
    assert text[one.content.start : one.content.end] == "\u201cWe hold."
    assert records[2].text[two.content.start : two.content.end] == "We stay.\u201d" and two.speaker is None
    assert one.id == two.id == "live:E1" and one.kind == "direct" and one.source == "human:brat"
    assert (one.linked_records, two.linked_records) == (["live:2"], ["live:1"])
    assert summary.split_quotes == 1
    assert [(s.label, s.token_start, s.token_end) for s in records[1].spans] == [("PERSON", 1, 1)]
    assert records[1].meta.extra["ann"] == (tmp_path / "live.ann").as_posix()


def test_brat_span_outside_every_unit_is_reported(tmp_path):
    (tmp_path / "h.txt").write_text("date 2022-01-01 Body text.", encoding="utf-8")
    (tmp_path / "h.ann").write_text("T1\tDATE 5 15\t2022-01-01\nT2\tX 16 20\tBody\n", encoding="utf-8")
    summary = ConvertSummary()
    [record] = convert_records(sources=[tmp_path / "h.txt"], summary=summary)
    assert record.text == "date 2022-01-01 Body text."  # brat text is taken whole: no header
    assert summary.unplaced_spans == 0 and len(record.spans) == 2


# ---------------------------------------------------------------- finding sources


def test_folders_are_walked_sorted_and_recursively(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "z.txt").write_text("Z.", encoding="utf-8")
    (tmp_path / "a.jsonl").write_text('{"text": "A."}\n', encoding="utf-8")
    (tmp_path / "c.txt").write_text("C.", encoding="utf-8")
    (tmp_path / "c.ann").write_text("", encoding="utf-8")
    (tmp_path / "notes.md").write_text("ignored", encoding="utf-8")
    (tmp_path / ".hidden.txt").write_text("ignored", encoding="utf-8")
    found = [(p.rsplit("/", 1)[-1], f) for p, f in find_sources([tmp_path])]
    assert found == [("a.jsonl", "jsonl"), ("z.txt", "txt"), ("c.txt", "brat")]
    assert [f for _, f in find_sources([tmp_path], format="txt")] == ["txt", "txt"]


def test_unknown_extension_needs_a_format(tmp_path):
    path = tmp_path / "story.md"
    path.write_text("Hello.", encoding="utf-8")
    with pytest.raises(UsageError, match="--format"):
        find_sources([path])
    assert find_sources([path], format="txt") == [(path.as_posix(), "txt")]


def test_duplicate_doc_ids_are_bad_input(tmp_path):
    path = tmp_path / "dup.jsonl"
    path.write_text('{"id": "x", "text": "One."}\n{"id": "x", "text": "Two."}\n', encoding="utf-8")
    with pytest.raises(InputError) as info:
        list(convert_records(sources=[path]))
    assert (info.value.line, info.value.rule) == (2, "duplicate-doc-id")
    summary = ConvertSummary()
    assert [r.text for r in convert_records(sources=[path], options=SKIPPING, summary=summary)] == ["One."]
    assert [s.rule for s in summary.skipped] == ["duplicate-doc-id"]


# ---------------------------------------------------------------- bad input through the CLI


def test_missing_path(tmp_path):
    assert_one_error_line(
        run("convert", str(tmp_path / "nope"), "-o", str(tmp_path / "o.jsonl")), "missing-path"
    )


def test_folder_with_no_supported_files(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "readme.md").write_text("x", encoding="utf-8")
    result = run("convert", str(tmp_path / "in"), "-o", str(tmp_path / "o.jsonl"))
    assert_one_error_line(result, "no-supported-files")


def test_invalid_utf8(tmp_path):
    (tmp_path / "bad.txt").write_bytes(b"Fine.\n\xff\xfe broken")
    result = run("convert", str(tmp_path / "bad.txt"), "-o", str(tmp_path / "o.jsonl"))
    assert_one_error_line(result, "bad.txt:2", "invalid-utf8", "byte 6")


def test_empty_document_fails_unless_skipped(tmp_path):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "empty.txt").write_text("  \n", encoding="utf-8")
    (tmp_path / "in" / "full.txt").write_text("Some news.", encoding="utf-8")
    out = tmp_path / "o.jsonl"
    assert_one_error_line(run("convert", str(tmp_path / "in"), "-o", str(out)), "empty-document")
    assert not out.exists()
    result = run("convert", str(tmp_path / "in"), "-o", str(out), "--skip-invalid")
    assert result.exit_code == 0 and "1 skipped" in result.stderr
    assert [r["text"] for r in read_output(out)] == ["Some news."]


def test_bad_jsonl_line_stops_or_is_counted(tmp_path):
    path = tmp_path / "feed.jsonl"
    path.write_text('{"text": "One."}\n{oops\n{"text": "Three."}\n', encoding="utf-8")
    out = tmp_path / "o.jsonl"
    assert_one_error_line(run("convert", str(path), "-o", str(out)), "feed.jsonl:2", "invalid-json")
    result = run("convert", str(path), "-o", str(out), "--skip-invalid")
    assert result.exit_code == 0 and "1 skipped" in result.stderr and "feed.jsonl:2" in result.stderr
    assert [r["meta"]["doc_id"] for r in read_output(out)] == ["feed-1", "feed-3"]


def test_csv_without_text_column(tmp_path):
    path = tmp_path / "news.csv"
    path.write_text("id,headline\n1,Hi\n", encoding="utf-8")
    result = run("convert", str(path), "-o", str(tmp_path / "o.jsonl"))
    assert_one_error_line(result, "missing-text-column", "id, headline")


def test_malformed_conll_line(tmp_path):
    path = tmp_path / "x.conll"
    path.write_text("Kyiv B-LOC\nfell B-\n", encoding="utf-8")
    assert_one_error_line(run("convert", str(path), "-o", str(tmp_path / "o.jsonl")), "x.conll:2", "bad-tag")


def test_bad_choices_and_stdin_brat_are_usage_errors(tmp_path):
    out = str(tmp_path / "o.jsonl")
    assert_one_error_line(run("convert", "-", "-o", out, "--format", "xml"), "--format")
    assert_one_error_line(run("convert", "-", "-o", out, "--unit", "word"), "--unit")
    assert_one_error_line(run("convert", "-", "-o", out, "--format", "brat"), "standard input")


def test_format_choices_are_auto_and_every_reader():
    from toolkit.cli.convert import SourceFormat
    from toolkit.readers import READERS

    assert [f.value for f in SourceFormat] == ["auto", *READERS]


def test_failed_run_leaves_no_partial_output(tmp_path):
    path = tmp_path / "feed.jsonl"
    lines = [orjson.dumps({"text": f"Sentence {i}. Another one."}).decode() for i in range(50)]
    path.write_text("\n".join([*lines, "{broken"]) + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    out.write_text("previous run\n", encoding="utf-8")
    assert_one_error_line(run("convert", str(path), "-o", str(out)), "feed.jsonl:51")
    assert out.read_text(encoding="utf-8") == "previous run\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["feed.jsonl", "out.jsonl"]


def test_output_may_not_be_an_input(tmp_path):
    path = tmp_path / "feed.jsonl"
    path.write_text('{"text": "One."}\n', encoding="utf-8")
    assert_one_error_line(run("convert", str(tmp_path), "-o", str(path)), "is an input")
    assert path.read_text(encoding="utf-8") == '{"text": "One."}\n'


def test_stdout_output(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("Only one sentence.", encoding="utf-8")
    result = run("convert", str(path), "-o", "-", "--quiet")
    assert result.exit_code == 0
    [record] = [orjson.loads(line) for line in result.stdout.splitlines()]
    assert record["meta"]["id"] == "a:0" and record["text"] == "Only one sentence."


# ---------------------------------------------------------------- offsets, whatever the text


PIECES = [
    "Kyiv",
    "said",
    "U.S.",
    "3.5",
    " ",
    "  ",
    "\t",
    "\n",
    "\r\n",
    "\r",
    "\u2028",
    ". ",
    "? ",
    "!",
    "\u2026",
    "\u201c",
    "\u201d",
    '"',
    "'",
    "\U0001f600",
    "\U0001f44d\U0001f3fd",
    "\u0645\u0631\u062d\u0628\u0627",
    "\u05e9\u05dc\u05d5\u05dd",
    "\u200b",
    "\u200d",
    "\u200e",
    "\ufeff",
    "e\u0301",
    "a\u0308",
    "\u00a0",
    "x",
]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    pieces=st.lists(st.sampled_from(PIECES), min_size=1, max_size=40),
    kind=st.sampled_from(["txt", "jsonl", "csv"]),
)
def test_offsets_hold_for_any_text(tmp_path_factory, pieces, kind):
    text = "".join(pieces)
    path = tmp_path_factory.mktemp("prop") / f"doc.{kind}"
    source_text = text
    if kind == "jsonl":
        path.write_bytes(orjson.dumps({"id": "d", "text": text}) + b"\n")
    elif kind == "csv":
        with path.open("w", encoding="utf-8", newline="") as handle:
            csv.writer(handle).writerows([["id", "text"], ["d", text]])
    else:
        path.write_bytes(text.encode("utf-8"))
        source_text = text.removeprefix("\ufeff")  # a leading BOM is not part of a text file's content
    if not source_text.strip():
        with pytest.raises(InputError):
            list(convert_records(sources=[path]))
        return
    for unit in ("sentence", "paragraph"):
        records = list(convert_records(sources=[path], options=ConvertOptions(unit=unit)))
        assert records
        for record in records:
            assert record.text and source_text[record.meta.start : record.meta.end] == record.text
            assert record.meta.text_sha256 == text_sha256(record.text)
            assert all(record.text[t.start : t.end] == t.text for t in record.tokens)
            # spaCy keeps every character: tokens plus their trailing spaces give the text back.
            assert "".join(t.text + (" " if t.ws else "") for t in record.tokens) == record.text
        ends = [(r.meta.start, r.meta.end) for r in records]
        assert all(a[1] <= b[0] for a, b in zip(ends, ends[1:], strict=False))


def test_cli_reports_placement_and_warnings(tmp_path):
    (tmp_path / "live.txt").write_text(BRAT_TEXT, encoding="utf-8")
    (tmp_path / "live.ann").write_text(BRAT_ANN, encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = run("convert", str(tmp_path / "live.txt"), "-o", str(out))
    assert result.exit_code == 0, result.output
    assert "warning: " in result.stderr and "T1 at 17-30 crosses a unit boundary" in result.stderr
    assert result.stderr.strip().splitlines()[-1] == (
        f"convert: 1 file, 1 document, 4 records, 0 skipped, cross_unit_spans 1, split_quotes 1 -> {out}"
    )
    assert_exact_offsets(read_output(out), BRAT_TEXT)


def test_brat_format_named_on_a_text_without_ann(tmp_path):
    (tmp_path / "solo.txt").write_text("Hello.", encoding="utf-8")
    result = run("convert", str(tmp_path / "solo.txt"), "--format", "brat", "-o", str(tmp_path / "o.jsonl"))
    assert_one_error_line(result, "solo.txt", "missing-ann")


def test_long_warning_lists_are_cut(tmp_path):
    from toolkit.cli.convert import SHOWN_WARNINGS, summary_lines

    summary = ConvertSummary(output="o.jsonl", warnings=[f"w{i}" for i in range(25)])
    lines = summary_lines(summary)
    assert len(lines) == SHOWN_WARNINGS + 2 and lines[SHOWN_WARNINGS] == "warning: 15 more warnings"


def test_undecodable_file_is_skipped_whole_under_skip_invalid(tmp_path):
    (tmp_path / "a_bad.txt").write_bytes(b"Caf\xe9.")
    (tmp_path / "b_good.txt").write_text("Fine.", encoding="utf-8")
    summary = ConvertSummary()
    records = list(convert_records(sources=[tmp_path], options=SKIPPING, summary=summary))
    assert [r.meta.doc_id for r in records] == ["b_good"]
    assert [(s.rule, s.line) for s in summary.skipped] == [("invalid-utf8", 1)]
