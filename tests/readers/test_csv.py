"""CSV reading: a quote left open or a column named twice is an error naming file, line and rule; legitimate
multi-line quoted fields keep working; --skip-invalid skips only the broken row."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from toolkit.cli import app
from toolkit.errors import InputError
from toolkit.readers.base import ReaderOptions
from toolkit.readers.csv import CsvReader

# A feed the way a newsroom export looks: header, quoted text with commas, doubled quotes, a multi-line
# body with CRLF endings inside the quotes, an unquoted short row.
GOOD_FEED = (
    "id,date,title,text\r\n"
    'a1,2024-05-01,"Port strike","Dock workers walked out on Monday, the union said.",\r\n'
)
MULTILINE_FEED = (
    "id,date,text\r\n"
    'a1,2024-05-01,"The council met on Monday.\r\n\r\n""We will rebuild,"" the mayor said, adding that\r\n'
    'work, paid for by the region, would start in June."\r\n'
    "a2,2024-05-02,Floods closed the northern road.\r\n"
    'a3,2024-05-03,"Officials in Halden, Brenford and Riverton said\nthey had, so far, no figures."\r\n'
)


def read(path: Path, *, skip: bool = False) -> tuple[list, list]:
    reader = CsvReader(ReaderOptions(skip_invalid=skip))
    return list(reader.read(path)), reader.skipped


def write(tmp_path: Path, text: str, name: str = "feed.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return path


def test_multiline_quoted_fields_with_commas_and_doubled_quotes_are_read_as_they_are(tmp_path):
    documents, skipped = read(write(tmp_path, MULTILINE_FEED))
    assert skipped == []
    assert [d.doc_id for d in documents] == ["a1", "a2", "a3"]
    assert documents[0].text == (
        'The council met on Monday.\r\n\r\n"We will rebuild," the mayor said, adding that\r\n'
        "work, paid for by the region, would start in June."
    )
    assert (
        documents[2].text == "Officials in Halden, Brenford and Riverton said\nthey had, so far, no figures."
    )
    assert [d.line for d in documents] == [2, 6, 7]


def test_a_quote_open_to_the_end_of_the_file_names_the_row_it_opens_in(tmp_path):
    path = write(
        tmp_path, 'id,text\none,"The minister said he would resign.\ntwo,A second story.\nthree,Third.\n'
    )
    with pytest.raises(InputError) as info:
        read(path)
    assert (info.value.path, info.value.line, info.value.rule) == (path.as_posix(), 2, "csv-unclosed-quote")
    assert "never closed" in info.value.message


def test_a_quote_closed_by_the_next_rows_quote_is_caught_where_it_opened(tmp_path):
    # Without strict reading this row would swallow line 3 and read `two,A second."` as part of its text.
    path = write(tmp_path, 'id,text\none,"The minister said he would resign.\ntwo,"A second."\nthree,x\n')
    with pytest.raises(InputError) as info:
        read(path)
    assert (info.value.line, info.value.rule) == (2, "csv-unclosed-quote")
    assert "line 3" in info.value.message


def test_skip_invalid_skips_only_the_row_with_the_open_quote(tmp_path):
    text = 'id,text\none,"The minister said he would resign.\ntwo,"A second."\nthree,Third.\n'
    documents, skipped = read(write(tmp_path, text), skip=True)
    assert [(d.doc_id, d.text, d.line) for d in documents] == [
        ("two", "A second.", 3),
        ("three", "Third.", 4),
    ]
    assert [(s.line, s.rule) for s in skipped] == [(2, "csv-unclosed-quote")]
    documents, skipped = read(write(tmp_path, 'id,text\none,"open\ntwo,Second.\n', "eof.csv"), skip=True)
    assert [d.doc_id for d in documents] == ["two"] and skipped[0].rule == "csv-unclosed-quote"


def test_text_after_a_closing_quote_is_an_error_not_silently_dropped_quotes(tmp_path):
    path = write(tmp_path, 'id,text\none,"Hello" he said.\ntwo,x\n')
    with pytest.raises(InputError) as info:
        read(path)
    assert (info.value.line, info.value.rule) == (2, "csv-stray-quote")
    documents, skipped = read(path, skip=True)
    assert [d.doc_id for d in documents] == ["two"] and skipped[0].line == 2


def test_a_column_named_twice_is_an_error_even_with_skip_invalid(tmp_path):
    path = write(tmp_path, "id,text,text\none,First text.,Second text.\n")
    for skip in (False, True):
        with pytest.raises(InputError) as info:
            read(path, skip=skip)
        assert (info.value.line, info.value.rule) == (1, "csv-duplicate-header")
        assert "'text'" in info.value.message


def test_an_open_quote_in_the_header_ends_the_file_and_skip_invalid_skips_the_whole_file(tmp_path):
    path = write(tmp_path, 'id,"text\none,x\n')
    with pytest.raises(InputError) as info:
        read(path)
    assert (info.value.line, info.value.rule) == (1, "csv-unclosed-quote")
    documents, skipped = read(path, skip=True)
    assert documents == [] and [(s.line, s.rule) for s in skipped] == [(1, "csv-unclosed-quote")]


def test_tsv_reads_strictly_too(tmp_path):
    path = write(tmp_path, 'id\ttext\none\t"Tabs\tinside quotes"\ntwo\t"open\n', "feed.tsv")
    documents, skipped = read(path, skip=True)
    assert [d.text for d in documents] == ["Tabs\tinside quotes"]
    assert [(s.line, s.rule) for s in skipped] == [(3, "csv-unclosed-quote")]


def test_convert_reports_the_open_quote_in_one_line_and_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(
        tmp_path, GOOD_FEED.replace("Dock workers", '"Dock workers', 1) + "a2,2024-05-02,x,Second story.\r\n"
    )
    result = CliRunner().invoke(app, ["convert", "feed.csv", "-o", "out.jsonl"])
    assert result.exit_code == 2
    assert result.stderr.startswith("error: feed.csv:2: [csv-")
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "out.jsonl").exists()


def test_skip_invalid_finds_where_the_next_rows_start_after_a_multiline_row_lost_its_closing_quote(tmp_path):
    rows = [
        ("h1", "Dock workers in Halden walked out.\n\nThe union said talks had failed.", "wire"),
        ("h2", "Floods closed the northern road.\n\nAid groups, the mayor said, were on their way.", "desk"),
        ("h3", 'The council met on Monday.\n\n"We will rebuild," she said.', "wire"),
        ("h4", "Police arrested two men.", "desk"),
        ("h5", "Talks resume in March.\n\nBoth sides agreed.", "wire"),
    ]
    good = "id,text,source\n" + "".join(
        f'{i},"{t.replace(chr(34), chr(34) * 2)}","{s}"\n' for i, t, s in rows
    )
    damaged = good.replace('were on their way.","desk"', 'were on their way.,"desk"')  # h2 loses its quote
    assert damaged != good
    with pytest.raises(InputError) as info:
        read(write(tmp_path, damaged))
    assert (info.value.line, info.value.rule) == (5, "csv-unclosed-quote")
    documents, skipped = read(write(tmp_path, damaged), skip=True)
    assert [(d.doc_id, d.text) for d in documents] == [(i, t) for i, t, _ in rows if i != "h2"]
    assert [(s.line, s.rule) for s in skipped] == [(5, "csv-unclosed-quote")]
