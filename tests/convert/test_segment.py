"""Tests for toolkit.convert.segment: the seed's boundaries, one case list per category, offset properties."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from toolkit.cli import app
from toolkit.convert.segment import SEGMENTERS, segment_files, segment_sentences, split_paragraphs
from toolkit.errors import UsageError

CASES_PATH = Path(__file__).parents[1] / "data" / "segment_cases.jsonl"
CASES = [orjson.loads(line) for line in CASES_PATH.read_bytes().splitlines() if line.strip()]
PARAGRAPH_BREAKS = "\n\r\u2028\u2029"

# The seed's 36 sentences, decided by hand: (how each one starts, how it ends). Every line of the file is a
# paragraph, so a sentence never runs across a line. Decisions worth writing down:
# - "Read More" closes the first paragraph after "... said on Thursday." It is a link label, not part of
#   the lead sentence, so it is a sentence of its own (a capitalised word after a full stop); a later stage
#   can drop it.
# - The date header (" date 2022-03-31 ") is only text here; convert bounds the body so it stays outside.
# - "the top U.N. human rights official" and "A U.K. intelligence chief": no split (lower case follows).
# - "... in Ukraine.’ Michelle Bachelet urged ...": the closing quote stays with the first sentence.
# - "... north of Kyiv. There are immense battles ..." splits inside the quotation: two sentences.
# - "Thats not to say ... in this conflict. We have and lots of it," splits although the opening quote mark
#   is missing in the source.
SEED_SENTENCES = [
    ("date 2022-03-31 Russia-Ukraine War LIVE Updates:", "Volodymyr Zelenskiy said on Thursday."),
    ("Read More", "Read More"),
    ("The United States is looking at options", "Kate Bedingfield said on Wednesday."),
    ("Speaking at the daily White House briefing,", "will have more information in coming days."),
    ("Biden has imposed a wide variety", "aimed at punishing Russia."),
    ("UK Foreign Secretary Liz Truss will convey", 'reduce vulnerability to “coercion".'),
    ("A statement released by the British High Commission", "as Truss begins a visit to India."),
    ("“Foreign Secretary Liz Truss is in India today", 'last month," the statement said.'),
    ("“In a meeting with India’s External Affairs Minister", 'strengthen global security," it said.'),
    ("Ramzan Kadyrov, the powerful head", "had been wrong to suggest otherwise."),
    ("In a video statement on his Telegram", "what he had started in Ukraine."),
    ("United Nations human rights chief on Thursday", "may have committed war crimes in Ukraine.’"),
    ("Michelle Bachelet urged Moscow end its war,", 'and may amount to war crimes."'),
    ("Russia has started to reposition under 20%", "and not bring the forces home."),
    ("Pentagon spokesman John Kirby said", "as opposed to their home garrisons."),
    ("Kirby also told a news briefing", "which Moscow has declared a priority."),
    ("Russian forces bombarded the outskirts of Kyiv", "and regroup for other offensives."),
    ("Nearly five weeks into an invasion", "in what may amount to war crimes."),
    ("Ukrainian officials called Russia out", '“to increase mutual trust" for peace talks.'),
    ('“It’s not true," Kyiv mayor Vitali Klitschko', "to European Union regional officials."),
    ("“The whole night we listened to sirens,", "east of Kyiv and north of Kyiv."),
    ("There are immense battles there,", 'people died, still die."'),
    ("The United States has information that Russian President", "has been a strategic blunder."),
    ("What I can say is, of course,", "told reporters at her daily news conference."),
    ("We believe that Putin is being misinformed", "too afraid to tell him the truth, she said."),
    ("So, it is increasingly clear that Putin’s war", 'isolated on the world stage," she said.'),
    ("Russia and Ukraine will resume their peace talks online on April 1,", "had ended in Turkey."),
    ("Ukrainian negotiator David Arakhamia said", "needed to be done on a draft treaty."),
    ("A U.K. intelligence chief warned Wednesday night", "stalled military campaign in Ukraine."),
    ("Jeremy Fleming, who heads the GCHQ", "spreading propaganda about the war."),
    ("While there were expectations that Russia", "Moscow’s standard playbook for war."),
    ("Thats not to say that we havent seen cyber", "cyber in this conflict."),
    ('We have and lots of it," Fleming said', "according to a transcript."),
    ("Moscow has cultivated close ties", "it is helping to free from Ukrainian control."),
    ("The leader of the Donetsk People’s Republic,", "offensive operations were intensifying."),
    ("“We are well aware that the longer it takes us", "destruction there will be,” he said."),
]


def sentences(text: str, start: int = 0, end: int | None = None) -> list[str]:
    return [text[s:e] for s, e in segment_sentences(text, start, end)]


# -------------------- the seed


def test_seed_boundaries(seed_path: Path) -> None:
    text = seed_path.read_text(encoding="utf-8")
    found = sentences(text)
    assert len(found) == len(SEED_SENTENCES) == 36
    for got, (head, tail) in zip(found, SEED_SENTENCES, strict=True):
        assert got.startswith(head) and got.endswith(tail), got
    assert "the top U.N. human rights official" in found[17]


def test_seed_sentences_tile_each_paragraph(seed_path: Path) -> None:
    text = seed_path.read_text(encoding="utf-8")
    paragraphs = split_paragraphs(text)
    assert len(paragraphs) == 26
    spans = segment_sentences(text)
    for p_start, p_end in paragraphs:
        inside = [(s, e) for s, e in spans if p_start <= s < p_end]
        assert inside[0][0] == p_start and inside[-1][1] == p_end
        for (_, end), (start, _) in zip(inside, inside[1:], strict=False):
            assert text[end:start] == " "  # sentences are separated by exactly the space between them


# -------------------- cases


def test_case_list_covers_every_category() -> None:
    categories = {case["category"] for case in CASES}
    assert len(CASES) >= 60
    assert {
        "terminators",
        "abbreviations",
        "initialisms",
        "initials",
        "quotes",
        "numbers",
        "ellipsis",
        "lists",
        "parentheses",
        "urls",
        "times",
        "end",
        "paragraphs",
        "scripts",
    } <= categories


@pytest.mark.parametrize("case", CASES, ids=[f"{case['category']}-{i}" for i, case in enumerate(CASES)])
def test_case(case: dict) -> None:
    assert sentences(case["text"]) == case["sentences"]


# -------------------- paragraphs


def test_split_paragraphs_at_every_line_break() -> None:
    text = " One.\r\nTwo.\rThree.\u2028Four.\u2029Five.\n\n \t\nSix. "
    spans = split_paragraphs(text)
    assert [text[s:e] for s, e in spans] == ["One.", "Two.", "Three.", "Four.", "Five.", "Six."]


def test_crlf_is_one_break_and_offsets_index_the_text() -> None:
    text = "Alpha beta.\r\n\r\nGamma delta."
    assert split_paragraphs(text) == [(0, 11), (15, 27)]


def test_sub_range_offsets_index_the_whole_text() -> None:
    text = "Skip me. Keep this one. And this one. Skip me too."
    start, end = text.index("Keep"), text.index(" Skip me too")
    assert sentences(text, start, end) == ["Keep this one.", "And this one."]
    assert segment_sentences(text, start, end)[0][0] == start


def test_sub_range_cuts_a_sentence_at_its_end() -> None:
    text = "The talks ended. Nobody won."
    assert sentences(text, 0, 10) == ["The talks"]


@pytest.mark.parametrize("text", ["", "   ", "\n\r\n\u2028", "\t \u00a0"])
def test_blank_text_has_no_units(text: str) -> None:
    assert split_paragraphs(text) == []
    assert segment_sentences(text) == []


@pytest.mark.parametrize(("start", "end"), [(-1, None), (0, 99), (5, 2)])
def test_bounds_outside_the_text_are_a_usage_error(start: int, end: int | None) -> None:
    with pytest.raises(UsageError, match="outside the text"):
        segment_sentences("Short text.", start, end)


def test_segmenters_registry_names_both_units() -> None:
    text = "One. Two.\nThree."
    assert SEGMENTERS["sentence"](text) == [(0, 4), (5, 9), (10, 16)]
    assert SEGMENTERS["paragraph"](text) == [(0, 9), (10, 16)]


# -------------------- properties

# Text made of the pieces that trip segmenters: terminators, quotes, brackets, abbreviations, digits, every
# paragraph break, tabs and odd spaces, emoji, right-to-left script, zero-width and combining characters.
PIECES = st.sampled_from(
    [
        "The",
        "talks",
        "ended",
        "Mr",
        "U.S",
        "a.m",
        "p",
        "No",
        "I",
        "B",
        "e.g",
        "etc",
        "1",
        "2",
        "3.5",
        "$1.2",
        "20%",
        "www.un.org",
        "john.doe@reuters.com",
        ".",
        ". ",
        "?",
        "!",
        "?!",
        "...",
        "…",
        ". . .",
        '"',
        "'",
        "“",
        "”",
        "‘",
        "’",
        "(",
        ")",
        "[1]",
        "•",
        "1.",
        "a)",
        ":",
        ",",
        " ",
        "  ",
        "\t",
        "\u00a0",
        "\n",
        "\r\n",
        "\r",
        "\u2028",
        "\u2029",
        "🎉",
        "👩\u200d👩\u200d👧",
        "مرحبا",
        "שלום",
        "\u200b",
        "\u200d",
        "\u200f",
        "e\u0301",
        "Zoë",
        "。",
        "Kyiv",
        "said",
        "he",
        "Then",
    ]
)
TEXTS = st.lists(PIECES, max_size=40).map("".join)


def check_spans(text: str, spans: list[tuple[int, int]], start: int, end: int) -> None:
    previous_end = start
    for s, e in spans:
        assert previous_end <= s < e <= end  # within bounds, ordered, non-overlapping, non-empty
        piece = text[s:e]
        assert not piece[0].isspace() and not piece[-1].isspace()
        assert not any(ch in PARAGRAPH_BREAKS for ch in piece)
        # only white space is ever left out between two spans
        assert not text[previous_end:s].strip()
        previous_end = e
    assert not text[previous_end:end].strip()


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXTS)
def test_spans_are_trimmed_ordered_and_cover_every_non_space(text: str) -> None:
    check_spans(text, split_paragraphs(text), 0, len(text))
    spans = segment_sentences(text)
    check_spans(text, spans, 0, len(text))
    paragraphs = split_paragraphs(text)
    # every sentence lies inside one paragraph
    for s, e in spans:
        assert any(p_start <= s and e <= p_end for p_start, p_end in paragraphs)


@settings(max_examples=200, deadline=None)
@given(TEXTS, st.data())
def test_sub_ranges_stay_inside_their_bounds(text: str, data: st.DataObject) -> None:
    start = data.draw(st.integers(0, len(text)))
    end = data.draw(st.integers(start, len(text)))
    spans = segment_sentences(text, start, end)
    check_spans(text, spans, start, end)


@settings(max_examples=200, deadline=None)
@given(TEXTS)
def test_slices_come_back_unaltered(text: str) -> None:
    original = str(text)
    joined = "".join(text[s:e] for s, e in segment_sentences(text))
    assert text == original
    # the sentences hold exactly the text's characters other than white space, in order, unchanged
    assert [ch for ch in joined if not ch.isspace()] == [ch for ch in text if not ch.isspace()]


# -------------------- files and the CLI


def test_segment_files_writes_offsets_into_the_file_text(tmp_path: Path) -> None:
    source = tmp_path / "doc.txt"
    source.write_bytes("\ufeffThe U.S. envoy left. Talks stalled.\r\n\r\nDr. Smith stayed.".encode())
    output = tmp_path / "out.jsonl"
    summary = segment_files(sources=[str(source)], output=str(output))
    assert (summary.files, summary.paragraphs, summary.units) == (1, 2, 3)
    lines = [orjson.loads(line) for line in output.read_bytes().splitlines()]
    text = source.read_bytes().decode("utf-8-sig")
    assert [line["text"] for line in lines] == ["The U.S. envoy left.", "Talks stalled.", "Dr. Smith stayed."]
    assert all(text[line["start"] : line["end"]] == line["text"] for line in lines)
    assert [(line["unit"], line["paragraph"]) for line in lines] == [(0, 0), (1, 0), (2, 1)]


def test_segment_files_by_paragraph(tmp_path: Path) -> None:
    source = tmp_path / "doc.txt"
    source.write_text("One. Two.\nThree.", encoding="utf-8")
    output = tmp_path / "out.jsonl"
    summary = segment_files(sources=[str(source)], output=str(output), unit="paragraph")
    assert summary.units == 2
    assert [orjson.loads(x)["text"] for x in output.read_bytes().splitlines()] == ["One. Two.", "Three."]


def test_segment_files_rejects_an_unknown_unit(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="unknown unit"):
        segment_files(sources=[], output=str(tmp_path / "out.jsonl"), unit="word")


def test_cli_segments_the_seed_to_a_file(seed_path: Path, tmp_path: Path) -> None:
    output = tmp_path / "seed.jsonl"
    result = CliRunner().invoke(app, ["segment", str(seed_path), "-o", str(output)])
    assert result.exit_code == 0, result.output
    assert "1 file, 26 paragraphs, 36 sentences" in result.stderr
    lines = [orjson.loads(line) for line in output.read_bytes().splitlines()]
    assert len(lines) == 36 and lines[1]["text"] == "Read More"


def test_cli_reads_stdin_and_writes_stdout() -> None:
    result = CliRunner().invoke(app, ["segment", "-", "-q"], input="Mr. Smith left. He was tired.")
    assert result.exit_code == 0
    assert [orjson.loads(line)["text"] for line in result.stdout.splitlines()] == [
        "Mr. Smith left.",
        "He was tired.",
    ]
    assert result.stderr == ""


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["missing.txt"], "missing.txt: [missing-path] no such file"),
        (["."], "[not-a-file] is a folder"),
        (["-", "--unit", "word"], "unknown unit 'word'"),
    ],
)
def test_cli_bad_input_is_one_line_and_exit_2(arguments: list[str], message: str) -> None:
    result = CliRunner().invoke(app, ["segment", *arguments], input="")
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.output and len(result.stderr.strip().splitlines()) == 1
