"""Readers on literal fixtures: text headers and encodings, JSONL and CSV fields, CoNLL tags, brat links."""

from __future__ import annotations

import io
import sys

import pytest

from toolkit.errors import InputError
from toolkit.readers import READERS, ReaderOptions
from toolkit.readers.base import Reader
from toolkit.readers.brat import BratReader, role_of
from toolkit.readers.conll import ConllReader, tag_chunks
from toolkit.readers.csv import CsvReader
from toolkit.readers.jsonl import JsonlReader
from toolkit.readers.text import TextReader


def read_all(reader: Reader, path) -> list:
    return list(reader.read(path))


# ---------------------------------------------------------------- registry


# One small file per registered format, with the text its document must hold.
SAMPLES: dict[str, tuple[str, str, str]] = {
    "txt": ("story.txt", "Kyiv was shelled overnight.\n", "Kyiv was shelled overnight."),
    "jsonl": ("feed.jsonl", '{"id": "a1", "text": "Kyiv was shelled overnight."}\n', "Kyiv was shelled"),
    "csv": ("feed.csv", "id,text\na1,Kyiv was shelled overnight.\n", "Kyiv was shelled"),
    "conll": ("feed.conll", "Kyiv B-LOC\nwas O\nshelled O\n", "Kyiv was shelled"),
    "brat": ("story.txt", "Kyiv was shelled overnight.\n", "Kyiv was shelled"),
}


@pytest.mark.parametrize("name", sorted(READERS))
def test_every_registered_reader_reads_its_format_and_auto_detection_finds_it(tmp_path, name):
    from toolkit.convert.run import format_of

    filename, content, expected = SAMPLES[name]  # a new reader needs a sample here
    path = tmp_path / filename
    path.write_text(content, encoding="utf-8")
    if name == "brat":
        path.with_suffix(".ann").write_text("T1\tGPE 0 4\tKyiv\n", encoding="utf-8")
    assert READERS[name].name == name
    assert format_of(path, "auto", in_folder=True) == name
    [doc] = read_all(READERS[name](), path)
    assert expected in doc.text


# ---------------------------------------------------------------- plain text


def test_text_date_header_is_outside_the_body(tmp_path):
    path = tmp_path / "story.txt"
    path.write_text(" date 2022-03-31 Kyiv was shelled. More later.\n", encoding="utf-8")
    [doc] = read_all(TextReader(), path)
    assert doc.doc_id == "story" and doc.date == "2022-03-31"
    assert doc.text.startswith(" date") and doc.text[doc.start :].lstrip().startswith("Kyiv")
    assert doc.source == path.as_posix()


def test_text_without_header_starts_at_zero(tmp_path):
    path = tmp_path / "plain.txt"
    path.write_text("The date 2022-03-31 is in the body.", encoding="utf-8")
    [doc] = read_all(TextReader(), path)
    assert doc.date is None and doc.start == 0


def test_text_header_with_impossible_date_is_an_error(tmp_path):
    path = tmp_path / "bad.txt"
    path.write_text("date 2022-02-30 Body.", encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_all(TextReader(), path)
    assert info.value.rule == "bad-date-header"


def test_bom_is_removed_and_noted(tmp_path):
    path = tmp_path / "bom.txt"
    path.write_bytes("\ufeffHello there.".encode())
    [doc] = read_all(TextReader(), path)
    assert doc.text == "Hello there." and doc.extra == {"bom": True}
    assert doc.text == path.read_text(encoding="utf-8-sig")


def test_invalid_utf8_names_file_line_and_byte(tmp_path):
    path = tmp_path / "latin1.txt"
    path.write_bytes(b"First line.\nCaf\xe9 au lait.\n")
    with pytest.raises(InputError) as info:
        read_all(TextReader(), path)
    assert (info.value.line, info.value.rule) == (2, "invalid-utf8")
    assert "byte 15" in str(info.value) and str(path) in str(info.value)


def test_empty_document_is_an_error_or_skipped(tmp_path):
    path = tmp_path / "empty.txt"
    path.write_text(" \n\t\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_all(TextReader(), path)
    assert info.value.rule == "empty-document"
    reader = TextReader(ReaderOptions(skip_invalid=True))
    assert read_all(reader, path) == []
    assert [s.rule for s in reader.skipped] == ["empty-document"]


def test_header_only_document_is_empty(tmp_path):
    path = tmp_path / "header.txt"
    path.write_text("date 2022-03-31   \n", encoding="utf-8")
    with pytest.raises(InputError, match="no text"):
        read_all(TextReader(), path)


def test_text_from_stdin(monkeypatch):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"From a pipe.")))
    [doc] = read_all(TextReader(), "-")
    assert (doc.doc_id, doc.source, doc.text) == ("stdin", "-", "From a pipe.")


def test_missing_file(tmp_path):
    with pytest.raises(InputError) as info:
        read_all(TextReader(), tmp_path / "absent.txt")
    assert info.value.rule == "missing-path"


# ---------------------------------------------------------------- JSONL


def test_jsonl_fields_metadata_and_fallback_ids(tmp_path):
    path = tmp_path / "feed.jsonl"
    path.write_text(
        '{"id": "a1", "text": "One.", "date": "2022-04-01", "title": "T", "url": "http://x",'
        ' "source": "Reuters", "lang": "en"}\n'
        "\n"
        '{"text": "Two.", "meta": {"date": "2022-04-02", "section": "world"}}\n',
        encoding="utf-8",
    )
    first, second = read_all(JsonlReader(), path)
    assert (first.doc_id, first.date, first.title, first.url) == ("a1", "2022-04-01", "T", "http://x")
    assert first.extra == {"lang": "en", "document_source": "Reuters", "line": 1}
    assert second.doc_id == "feed-3" and second.date == "2022-04-02"
    assert second.extra == {"section": "world", "line": 3}


def test_jsonl_numeric_id_and_renamed_fields(tmp_path):
    path = tmp_path / "feed.jsonl"
    path.write_text('{"doc": 7, "body": "Text here.", "published": "2021-01-01"}\n', encoding="utf-8")
    options = ReaderOptions(text_field="body", id_field="doc", date_field="published")
    [doc] = read_all(JsonlReader(options), path)
    assert (doc.doc_id, doc.text, doc.date) == ("7", "Text here.", "2021-01-01")


def test_jsonl_bad_line_stops_or_is_counted(tmp_path):
    path = tmp_path / "feed.jsonl"
    path.write_text(
        '{"text": "One."}\n{"text": \n{"title": "no text"}\n{"text": "Four."}\n', encoding="utf-8"
    )
    with pytest.raises(InputError) as info:
        read_all(JsonlReader(), path)
    assert (info.value.line, info.value.rule) == (2, "invalid-json")
    reader = JsonlReader(ReaderOptions(skip_invalid=True))
    assert [d.text for d in read_all(reader, path)] == ["One.", "Four."]
    assert [(s.line, s.rule) for s in reader.skipped] == [(2, "invalid-json"), (3, "missing-text-field")]


def test_jsonl_empty_text_is_an_empty_document(tmp_path):
    path = tmp_path / "feed.jsonl"
    path.write_text('{"id": "x", "text": "   "}\n', encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_all(JsonlReader(), path)
    assert (info.value.line, info.value.rule) == (1, "empty-document")


# ---------------------------------------------------------------- CSV


def test_csv_rows_keep_crlf_inside_quoted_text(tmp_path):
    path = tmp_path / "news.csv"
    path.write_bytes(
        b'id,text,date,desk\r\nn1,"Line one.\r\nLine two, with a comma.",2022-01-02,world\r\n'
        b"\r\n,Second.,,\r\n"
    )
    first, second = read_all(CsvReader(), path)
    assert first.text == "Line one.\r\nLine two, with a comma." and first.date == "2022-01-02"
    assert first.extra == {"desk": "world", "row": 1} and first.line == 2
    assert (second.doc_id, second.date, second.line) == ("news-2", None, 5)


def test_csv_without_text_column_names_the_header(tmp_path):
    path = tmp_path / "news.csv"
    path.write_text("id,body\n1,Hello.\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_all(CsvReader(), path)
    assert info.value.rule == "missing-text-column"
    assert "'text'" in str(info.value) and "id, body" in str(info.value)


def test_csv_short_row_is_an_error(tmp_path):
    path = tmp_path / "news.csv"
    path.write_text("id,text\n1,Hello.\n2\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_all(CsvReader(), path)
    assert (info.value.line, info.value.rule) == (3, "bad-row-length")


def test_csv_invalid_utf8_names_the_line(tmp_path):
    path = tmp_path / "news.csv"
    path.write_bytes(b"id,text\n1,ok\n2,caf\xe9\n")
    with pytest.raises(InputError) as info:
        read_all(CsvReader(), path)
    assert info.value.line == 3 and "byte 18" in info.value.message


# ---------------------------------------------------------------- CoNLL


CONLL_IOB1 = """-DOCSTART- -X- -X- O

EU NNP B-NP I-ORG
rejects VBZ B-VP O
German JJ B-NP I-MISC
call NN I-NP O
. . O O

Peter NNP B-NP I-PER
Blackburn NNP I-NP I-PER
Smith NNP I-NP B-PER

-DOCSTART- -X- -X- O

BRUSSELS NNP B-NP I-LOC
"""


def test_iob1_and_iob2_read_the_same():
    assert tag_chunks(["I-PER", "I-PER", "B-PER", "O", "I-LOC"]) == [
        (0, 1, "PER"),
        (2, 2, "PER"),
        (4, 4, "LOC"),
    ]
    assert tag_chunks(["B-PER", "I-PER", "B-PER", "O", "B-LOC"]) == [
        (0, 1, "PER"),
        (2, 2, "PER"),
        (4, 4, "LOC"),
    ]
    assert tag_chunks(["B-ORG", "I-PER"]) == [(0, 0, "ORG"), (1, 1, "PER")]


def test_conll_documents_sentences_and_spans(tmp_path):
    path = tmp_path / "train.conll"
    path.write_text(CONLL_IOB1, encoding="utf-8")
    first, second = read_all(ConllReader(), path)
    assert (first.doc_id, second.doc_id) == ("train-1", "train-2")
    assert first.text == "EU rejects German call .\nPeter Blackburn Smith"
    assert [(u.start, u.end, u.paragraph, u.extra["line"]) for u in first.units] == [
        (0, 24, 0, 3),
        (25, 46, 1, 9),
    ]
    assert [(first.text[s.start : s.end], s.label, s.source) for s in first.spans] == [
        ("EU", "ORG", "human:conll"),
        ("German", "MISC", "human:conll"),
        ("Peter Blackburn", "PER", "human:conll"),
        ("Smith", "PER", "human:conll"),
    ]
    assert second.text == "BRUSSELS" and second.spans[0].label == "LOC"


def test_conll_two_columns_without_docstart(tmp_path):
    path = tmp_path / "tiny.iob"
    path.write_text("Kyiv B-LOC\nfell O\n\nRead O\n", encoding="utf-8")
    [doc] = read_all(ConllReader(), path)
    assert doc.doc_id == "tiny" and doc.text == "Kyiv fell\nRead"
    assert [u.tokens for u in doc.units] == [[(0, 4), (5, 9)], [(10, 14)]]


@pytest.mark.parametrize(
    ("line", "rule"),
    [
        ("Kyiv B-\n", "bad-tag"),
        ("Kyiv X-PER\n", "bad-tag"),
        ("Kyiv NNP B-LOC\n", "bad-columns"),
        ("Kyiv\n", "bad-columns"),
    ],
)
def test_malformed_conll_line(tmp_path, line, rule):
    path = tmp_path / "bad.conll"
    path.write_text("EU B-ORG\nsays O\n\n" + line, encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_all(ConllReader(), path)
    assert (info.value.line, info.value.rule) == (4, rule)


def test_malformed_conll_sentence_is_skipped_whole(tmp_path):
    path = tmp_path / "bad.conll"
    path.write_text("EU B-ORG\nsays O\n\nKyiv B-\nfell O\n\nEnd O\n", encoding="utf-8")
    reader = ConllReader(ReaderOptions(skip_invalid=True))
    [doc] = read_all(reader, path)
    assert doc.text == "EU says\nEnd" and [s.line for s in reader.skipped] == [4]


# ---------------------------------------------------------------- brat


BRAT_TEXT = "Kyiv is calm. \u201cWe will hold,\u201d the mayor said. Talks resume in Istanbul.\n"
BRAT_ANN = "\n".join(
    [
        "T1\tGPE 0 4\tKyiv",
        "T2\tContent 14 29\t\u201cWe will hold,\u201d",
        "T3\tSource 30 39\tthe mayor",
        "T4\tCue 40 44\tsaid",
        "E1\tCue:T4 Source:T3 Content:T2",
        "T5\tGPE 62 70\tIstanbul",
        "T6\tMEET 46 51\tTalks",
        "E2\tCONSULT:T6",
        "T7\tLOC 0 4;62 70\tKyiv Istanbul",
        "#1\tAnnotatorNotes T1\tcapital",
        "",
    ]
)


def write_brat(tmp_path, text=BRAT_TEXT, ann=BRAT_ANN, name="doc"):
    (tmp_path / f"{name}.txt").write_text(text, encoding="utf-8")
    (tmp_path / f"{name}.ann").write_text(ann, encoding="utf-8")
    return tmp_path / f"{name}.txt"


def test_role_names_are_case_insensitive_with_variants():
    assert [
        role_of(n) for n in ("SOURCE", "speaker", "Cue", "Quote", "content2", "Attribution-Source", "Arg1")
    ] == [
        "speaker",
        "speaker",
        "cue",
        "content",
        "content",
        "speaker",
        None,
    ]


def test_brat_spans_quotes_and_events(tmp_path):
    [doc] = read_all(BratReader(), write_brat(tmp_path))
    assert doc.doc_id == "doc" and doc.extra["ann"].endswith("doc.ann")
    labelled = [(doc.text[s.start : s.end], s.label, s.id) for s in doc.spans]
    # The discontinuous T7 keeps both fragments under one id.
    assert labelled == [
        ("Kyiv", "GPE", "T1"),
        ("Istanbul", "GPE", "T5"),
        ("Kyiv", "LOC", "T7"),
        ("Istanbul", "LOC", "T7"),
    ]
    [quote] = doc.quotes
    assert [doc.text[s:e] for s, e in quote.content] == ["\u201cWe will hold,\u201d"]
    assert [doc.text[s:e] for s, e in quote.speaker + quote.cue] == ["the mayor", "said"]
    assert (quote.kind, quote.source, quote.id) == ("direct", "human:brat", "doc:E1")
    [event] = doc.events
    assert (event.label, doc.text[event.trigger.start : event.trigger.end]) == ("CONSULT", "Talks")


def test_brat_relations_sharing_content_make_one_quote(tmp_path):
    text = "Officials said talks would resume soon."
    ann = "\n".join(
        [
            "T1\tSpeaker 0 9\tOfficials",
            "T2\tCue 10 14\tsaid",
            "T3\tQuote 15 38\ttalks would resume soon",
            "R1\tAttribution Arg1:T1 Arg2:T3",
            "R2\tCUE Arg1:T2 Arg2:T3",
            "A1\tKind R1 Indirect",
            "R3\tPart Arg1:T1 Arg2:T2",
        ]
    )
    [doc] = read_all(BratReader(), write_brat(tmp_path, text, ann))
    [quote] = doc.quotes
    assert (quote.speaker, quote.cue, quote.content, quote.kind) == (
        [(0, 9)],
        [(10, 14)],
        [(15, 38)],
        "indirect",
    )
    assert doc.spans == []


def test_brat_unlinked_relations_are_reported(tmp_path):
    ann = "T1\tGPE 0 4\tKyiv\nT5\tGPE 62 70\tIstanbul\nR1\tNear Arg1:T1 Arg2:T5\n"
    [doc] = read_all(BratReader(), write_brat(tmp_path, ann=ann))
    assert len(doc.spans) == 2 and "R1" in doc.warnings[0]


def test_brat_bom_shifts_offsets_to_the_decoded_text(tmp_path):
    (tmp_path / "b.txt").write_bytes("\ufeffKyiv holds.".encode())
    (tmp_path / "b.ann").write_text("T1\tGPE 1 5\tKyiv\n", encoding="utf-8")
    [doc] = read_all(BratReader(), tmp_path / "b.txt")
    assert doc.text[doc.spans[0].start : doc.spans[0].end] == "Kyiv"


@pytest.mark.parametrize(
    "line",
    ["T1\tGPE 0 x\tKyiv", "T1\tGPE 0 400\tKyiv", "E1\tCue:T4 Source", "Q1\twhat", "A1\tNegated"],
)
def test_malformed_brat_line(tmp_path, line):
    with pytest.raises(InputError) as info:
        read_all(BratReader(), write_brat(tmp_path, ann=f"T9\tGPE 0 4\tKyiv\n{line}\n"))
    assert (info.value.line, info.value.rule) == (2, "bad-brat-line")
    assert info.value.path.endswith("doc.ann")


def test_brat_without_ann(tmp_path):
    (tmp_path / "lonely.txt").write_text("Hi.", encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_all(BratReader(), tmp_path / "lonely.txt")
    assert info.value.rule == "missing-ann"


def test_brat_text_that_disagrees_with_offsets_is_reported(tmp_path):
    [doc] = read_all(BratReader(), write_brat(tmp_path, ann="T1\tGPE 0 4\tKiev\n"))
    assert doc.spans[0].end == 4 and "T1 says 'Kiev' but its offsets cover 'Kyiv'" in doc.warnings[0]


def test_brat_link_to_an_unknown_id_is_reported(tmp_path):
    ann = "T1\tSource 0 4\tKyiv\nR1\tAttribution Arg1:T1 Arg2:T42\n"
    [doc] = read_all(BratReader(), write_brat(tmp_path, ann=ann))
    assert any("R1 names T42" in w for w in doc.warnings)


# ---------------------------------------------------------------- brat attribution corpora (PolNeAR layout)

ATTRIBUTION_TEXT = (
    "The mayor said the bridge would reopen, adding that repairs were cheap.\n\n"
    "“It is safe,” she told reporters, “and it is open.”\n"
    "Critics doubted it.\n"
)


def _at(text: str, words: str, after: int = 0) -> str:
    start = text.index(words, after)
    return f"{start} {start + len(words)}"


def polnear_ann(text: str) -> str:
    """Attributions as PolNeAR writes them: an Attribution trigger repeating the cue, E lines naming roles,
    a second attribution sharing the first one's content, and a content interrupted by its attribution."""
    first = text.index("“It")
    second = text.index("“and")
    return "\n".join(
        [
            f"T1\tSource {_at(text, 'The mayor')}\tThe mayor",
            f"T2\tCue {_at(text, 'said')}\tsaid",
            f"T3\tContent {_at(text, 'the bridge would reopen')}\tthe bridge would reopen",
            f"T4\tAttribution {_at(text, 'said')}\tsaid",
            "E1\tAttribution:T4 Content:T3 Cue:T2 Source:T1",
            f"T5\tCue {_at(text, 'adding')}\tadding",
            f"T6\tContent {_at(text, 'that repairs were cheap')}\tthat repairs were cheap",
            f"T7\tAttribution {_at(text, 'adding')}\tadding",
            "E2\tAttribution:T7 Content:T3 Cue:T5 Content2:T6",
            f"T8\tSource {_at(text, 'she')}\tshe",
            f"T9\tCue {_at(text, 'told')}\ttold",
            f"T10\tContent {first} {first + 13};{second} {second + 17}\t“It is safe,” “and it is open.”",
            f"T11\tAttribution {_at(text, 'told')}\ttold",
            "E3\tAttribution:T11 Source:T8 Cue:T9 Content:T10",
            f"T12\tAttribution-no-source {_at(text, 'doubted')}\tdoubted",
            "E4\tAttribution-no-source:T12 ",
            f"T13\tDiscuss {_at(text, 'Critics doubted it')}\tCritics doubted it",
            "",
        ]
    )


def test_polnear_attributions_become_quotes_and_no_spans(tmp_path):
    [doc] = read_all(BratReader(), write_brat(tmp_path, ATTRIBUTION_TEXT, polnear_ann(ATTRIBUTION_TEXT)))
    said, told = doc.quotes
    words = lambda fragments: [ATTRIBUTION_TEXT[s:e] for s, e in fragments]  # noqa: E731
    # E1 and E2 share their content: one quote with both cues and both contents; the triggers add nothing.
    assert said.id == "doc:E1"
    assert words(said.content) == ["the bridge would reopen", "that repairs were cheap"]
    assert (words(said.speaker), words(said.cue)) == (["The mayor"], ["said", "adding"])
    assert (words(told.content), words(told.speaker), words(told.cue)) == (
        ["“It is safe,”", "“and it is open.”"],
        ["she"],
        ["told"],
    )
    assert told.kind == "direct" and said.kind == "indirect"
    # Attribution triggers, the lone E4 and the Discuss flag are the attribution layer, not entities.
    assert doc.spans == []
    assert any("E4" in w and "not converted" in w for w in doc.warnings)
    assert any("Attribution-no-source (1), Discuss (1)" in w for w in doc.warnings)


def test_a_trigger_without_a_cue_argument_is_the_cue(tmp_path):
    text = "Officials denied the report."
    ann = "T1\tAttribution 10 16\tdenied\nT2\tSource 0 9\tOfficials\nT3\tContent 17 27\tthe report\n"
    ann += "E1\tAttribution:T1 Source:T2 Content:T3\n"
    [doc] = read_all(BratReader(), write_brat(tmp_path, text, ann))
    [quote] = doc.quotes
    assert (quote.cue, quote.speaker, quote.content) == ([(10, 16)], [(0, 9)], [(17, 27)])


def test_attributions_sharing_content_offsets_under_two_ids_are_one_quote(tmp_path):
    text = "Voters feared and donors hoped that he would run."
    ann = "\n".join(
        [
            "T1\tSource 0 6\tVoters",
            "T2\tCue 7 13\tfeared",
            "T3\tContent 31 48\tthat he would run",
            "E1\tAttribution:T2 Source:T1 Cue:T2 Content:T3",
            "T4\tSource 18 24\tdonors",
            "T5\tCue 25 30\thoped",
            "T6\tContent 31 48\tthat he would run",
            "E2\tAttribution:T5 Source:T4 Cue:T5 Content:T6",
            "T7\tSource 0 6\tVoters",
            "T8\tCue 7 13\tfeared",
            "E3\tAttribution:T8 Source:T7 Cue:T8",
        ]
    )
    [doc] = read_all(BratReader(), write_brat(tmp_path, text, ann))
    [quote] = doc.quotes
    assert (quote.content, quote.speaker, quote.cue) == ([(31, 48)], [(0, 6), (18, 24)], [(7, 13), (25, 30)])
    # E3 has no content and shares no T line with a quote: nothing to convert.
    assert any("E3" in w for w in doc.warnings)


def test_covered_text_running_over_a_line_break_continues_on_the_next_lines(tmp_path):
    text = "First line of a quote\n\nand its second paragraph. Kyiv"
    quote = text.index(" Kyiv")
    ann = f"T1\tContent 0 {quote}\t{text[:quote]}\nT2\tGPE {_at(text, 'Kyiv')}\tKyiv\n"
    [doc] = read_all(BratReader(), write_brat(tmp_path, text, ann))
    assert [(s.label, text[s.start : s.end]) for s in doc.spans] == [("GPE", "Kyiv")]
    assert len(doc.warnings) == 1 and doc.warnings[0].endswith("left out: Content (1)")


def test_a_line_that_does_not_continue_the_covered_text_is_still_an_error(tmp_path):
    text = "First line\nsecond line"
    ann = "T1\tGPE 0 22\tFirst line\nsomething else\n"
    with pytest.raises(InputError) as info:
        read_all(BratReader(), write_brat(tmp_path, text, ann))
    assert (info.value.line, info.value.rule) == (2, "bad-brat-line")


def test_other_labels_stay_entities_beside_attributions(tmp_path):
    text = "Kyiv said it holds."
    ann = "T1\tCity 0 4\tKyiv\nT2\tCue 5 9\tsaid\nT3\tContent 10 18\tit holds\nE1\tCue:T2 Content:T3\n"
    [doc] = read_all(BratReader(), write_brat(tmp_path, text, ann))
    assert [(s.label, s.id) for s in doc.spans] == [("City", "T1")] and len(doc.quotes) == 1


def test_attribution_no_source_names_no_role():
    assert role_of("Attribution-no-source") is None and role_of("Attribution") is None
