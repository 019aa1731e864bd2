"""The toolkit's own output passes its own checks: what convert writes from text and from a brat attribution
corpus, and what preannotate writes, validates with no errors, packages, and goes to every labeling tool
and back. All texts are written here; the fuzzer is tests/quote_fuzz.py."""

from __future__ import annotations

from pathlib import Path

import pytest
import quote_fuzz
from exchange_cases import canonical, round_trip
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from toolkit.cli import app
from toolkit.convert.run import ConvertSummary, convert_records, quote_pieces, split_tokens
from toolkit.jsonl import read_records, write_records
from toolkit.options import PreannotateOptions
from toolkit.record import Role, Token
from toolkit.review.validate import validate

runner = CliRunner()

ARTICLES = {
    "bridge.txt": (
        "Lakeside reopens its bridge\n\n"
        "The bridge, the mayor said on Monday, will reopen in May. “We kept our promise,” she told "
        "reporters, “and the traffic is back.” Critics were not convinced.\n\n"
        "“The council hid the real numbers. It will cost twice as much,” said Omar Reyes, who leads the "
        'opposition. He added that the audit "missed half the invoices" and called for a new vote.\n\n'
        "According to the city auditor, the accounts were in order. ''We checked every line,'' the auditor "
        "wrote in a statement, ''twice.''\n"
    ),
    "strike.txt": (
        "Rail strike enters second week\n\n"
        "“We are not going back,” union leader Dana Park told a rally in Millbrook 🚆, “until the company "
        "listens.\n\n"
        "“Our members have waited four years. They will wait a little longer.”\n\n"
        "The company, which its chief executive believes can win the dispute, said talks would resume. "
        "Asked about the strike, a spokesman said: \u201cNo comment.\u201d Passengers, he added, should "
        'check the timetable online. Nobody said "sorry" - or "thanks".\n'
    ),
}


def run(*args: str):
    return runner.invoke(app, list(args))


def write_articles(folder: Path) -> Path:
    folder.mkdir()
    for name, text in ARTICLES.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


# ---------------------------------------------------------------- text: convert, preannotate, validate


@pytest.fixture(scope="module")
def preannotated(tmp_path_factory) -> Path:
    """The articles converted and pre-annotated through the CLI, as a user would."""
    folder = tmp_path_factory.mktemp("text")
    write_articles(folder / "articles")
    tasks, pre = folder / "tasks.jsonl", folder / "pre.jsonl"
    assert run("convert", str(folder / "articles"), "-o", str(tasks)).exit_code == 0
    result = run("preannotate", str(tasks), "-o", str(pre), "--quiet")
    assert result.exit_code == 0, result.output
    return pre


def test_preannotated_news_validates(preannotated):
    result = run("validate", str(preannotated))
    assert result.exit_code == 0, result.output
    records = list(read_records(preannotated))
    # The interrupted quotes come out as one quote in two pieces, sharing id, speaker and cue.
    by_id: dict[str, list] = {}
    for record in records:
        for quote in record.quotes:
            by_id.setdefault(quote.id, []).append((record.text, quote))
    interrupted = [
        [text[q.content.start : q.content.end] for text, q in group]
        for group in by_id.values()
        if len(group) == 2 and group[0][0] == group[1][0]
    ]
    assert ["“We kept our promise,”", "“and the traffic is back.”"] in interrupted
    assert ["The bridge", "will reopen in May"] in interrupted


def test_preannotated_news_packages(preannotated, tmp_path):
    result = run("package", str(preannotated), "--name", "own", "--version", "0.1.0", "-o", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert (tmp_path / "own" / "0.1.0").is_dir()


TOOL_VIEWS = [
    ("prodigy", "entities"),
    ("prodigy", "spans"),
    ("prodigy", "quotes"),
    ("prodigy", "events"),
    ("labelstudio", "entities,quotes,events"),
    ("labelstudio", "quotes"),
    ("doccano", "entities"),
    ("doccano", "quotes"),
    ("doccano", "events"),
]


@pytest.mark.parametrize(("tool", "view"), TOOL_VIEWS)
def test_preannotated_news_goes_to_every_tool_and_back(preannotated, tmp_path, tool, view):
    records = list(read_records(preannotated))
    back = round_trip(tool, records, view, tmp_path)
    assert [r.meta.id for r in back] == [r.meta.id for r in records]
    layers = ["entities" if v == "spans" else v for v in view.split(",")]
    for layer in layers:
        assert [canonical(r, layer) for r in back] == [canonical(r, layer) for r in records]
    write_records(tmp_path / "back.jsonl", back)
    assert validate(paths=[tmp_path / "back.jsonl"]).findings == []


# ---------------------------------------------------------------- a brat attribution corpus


def _at(text: str, words: str, within: str | None = None) -> tuple[int, int]:
    """The offsets of ``words`` in ``text``, looked for inside the first ``within`` when given."""
    start = text.index(words, text.index(within) if within else 0)
    return start, start + len(words)


def _write_brat(folder: Path, name: str, text: str, ann: list[str]) -> Path:
    """A brat document (``name``.txt and its .ann) in ``folder``; returns the text file."""
    (folder / f"{name}.ann").write_text("\n".join(ann) + "\n", encoding="utf-8")
    path = folder / f"{name}.txt"
    path.write_text(text, encoding="utf-8")
    return path


def _t(tid: str, label: str, text: str, *fragments: tuple[int, int]) -> str:
    where = ";".join(f"{s} {e}" for s, e in fragments)
    return f"{tid}\t{label} {where}\t{' '.join(text[s:e] for s, e in fragments)}"


def brat_corpus(folder: Path) -> Path:
    """The articles annotated the way PolNeAR is: Attribution triggers repeating the cue, a second cue for
    one content, content interrupted by its attribution and running over sentences, nested reports, a
    Discuss flag over a paragraph break, a lone trigger line, and an entity whose edge cuts a token."""
    folder.mkdir()
    bridge = ARTICLES["bridge.txt"]
    first, second = _at(bridge, "“We kept our promise,”"), _at(bridge, "“and the traffic is back.”")
    council = _at(bridge, "“The council hid the real numbers. It will cost twice as much,”")
    lines = [
        _t("T1", "Source", bridge, _at(bridge, "the mayor")),
        _t("T2", "Cue", bridge, _at(bridge, "said")),
        _t("T3", "Content", bridge, _at(bridge, "The bridge"), _at(bridge, "will reopen in May")),
        _t("T4", "Attribution", bridge, _at(bridge, "said")),
        "E1\tAttribution:T4 Content:T3 Cue:T2 Source:T1",
        _t("T5", "Source", bridge, _at(bridge, "she")),
        _t("T6", "Cue", bridge, _at(bridge, "told")),
        _t("T7", "Content", bridge, first, second),
        _t("T8", "Attribution", bridge, _at(bridge, "told")),
        "E2\tAttribution:T8 Source:T5 Cue:T6 Content:T7",
        _t("T9", "Discuss", bridge, (bridge.index("Critics"), council[0] + 34)),
        _t("T10", "Content", bridge, council),
        _t("T11", "Cue", bridge, _at(bridge, "said", "said Omar")),
        _t("T12", "Source", bridge, _at(bridge, "Omar Reyes")),
        _t("T13", "Attribution", bridge, _at(bridge, "said", "said Omar")),
        "E3\tAttribution:T13 Content:T10 Cue:T11 Source:T12",
        _t("T14", "Source", bridge, _at(bridge, "He", "He added")),
        _t("T15", "Cue", bridge, _at(bridge, "added")),
        _t("T16", "Content", bridge, _at(bridge, 'that the audit "missed half the invoices"')),
        _t("T17", "Cue", bridge, _at(bridge, "called for")),
        _t("T18", "Content", bridge, _at(bridge, "a new vote")),
        _t("T19", "Attribution", bridge, _at(bridge, "added")),
        "E4\tAttribution:T19 Source:T14 Cue:T15 Content:T16",
        _t("T20", "Attribution", bridge, _at(bridge, "called for")),
        "E5\tAttribution:T20 Source:T14 Cue:T17 Content:T18",
        _t("T21", "Cue", bridge, _at(bridge, "According to")),
        _t("T22", "Source", bridge, _at(bridge, "the city auditor")),
        _t("T23", "Content", bridge, _at(bridge, "the accounts were in order")),
        _t("T24", "Attribution-no-source", bridge, _at(bridge, "According to")),
        "E6\tAttribution-no-source:T24 Cue:T21 Source:T22 Content:T23",
        "E7\tAttribution-no-source:T24 ",
        _t("T25", "GPE", bridge, _at(bridge, "Lakeside")),
        _t("T26", "Content", bridge, _at(bridge, "''We checked every line,''"), _at(bridge, "''twice.''")),
        _t("T27", "Cue", bridge, _at(bridge, "wrote")),
        _t(
            "T28",
            "Source",
            bridge,
            _at(bridge, "the auditor", "the auditor wrote"),
        ),
        "E8\tAttribution:T27 Source:T28 Cue:T27 Content:T26",
    ]
    strike = ARTICLES["strike.txt"]
    run_on = (strike.index("“We are not"), strike.index("longer.”") + len("longer.”"))
    strike_lines = [
        _t("T1", "Source", strike, _at(strike, "union leader Dana Park")),
        _t("T2", "Cue", strike, _at(strike, "told")),
        _t(
            "T3",
            "Content",
            strike,
            (run_on[0], strike.index(",” union") + 2),
            (strike.index("“until"), run_on[1]),
        ),
        _t("T4", "Attribution", strike, _at(strike, "told")),
        "E1\tAttribution:T4 Content:T3 Cue:T2 Source:T1",
        _t("T5", "Source", strike, _at(strike, "its chief executive")),
        _t("T6", "Cue", strike, _at(strike, "believes")),
        _t("T7", "Content", strike, _at(strike, "can win the dispute")),
        "E2\tAttribution:T6 Source:T5 Cue:T6 Content:T7",
        _t("T8", "Source", strike, _at(strike, "The company")),
        _t("T9", "Cue", strike, _at(strike, "said", "said talks")),
        _t("T10", "Content", strike, _at(strike, "talks would resume")),
        "E3\tAttribution:T9 Source:T8 Cue:T9 Content:T10",
        # A content that starts inside a token ("Millbrook" from "Millbrook 🚆,"; "strik" cuts one).
        _t("T11", "Content", strike, _at(strike, "strik")),
        _t("T12", "Cue", strike, _at(strike, "Asked about")),
        "E4\tAttribution:T12 Cue:T12 Content:T11",
        _t("T13", "GPE", strike, _at(strike, "Millbro")),
    ]
    for name, text, ann in (("bridge", bridge, lines), ("strike", strike, strike_lines)):
        _write_brat(folder, name, text, ann)
    return folder


@pytest.fixture(scope="module")
def brat_records(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("brat")
    brat_corpus(folder / "corpus")
    out = folder / "records.jsonl"
    result = run("convert", str(folder / "corpus"), "-o", str(out))
    assert result.exit_code == 0, result.output
    return out


def test_brat_corpus_as_read_validates(brat_records):
    result = run("validate", str(brat_records))
    assert result.exit_code == 0, result.output
    records = list(read_records(brat_records))
    assert all(span.label in ("GPE",) for r in records for span in r.spans)
    quotes = {q.id: [] for r in records for q in r.quotes}
    for record in records:
        for quote in record.quotes:
            quotes[quote.id].append((record.meta.id, quote))
    # The council quote runs over two sentences: one piece in each, linked to the other.
    council = quotes["bridge:E3"]
    assert [len(q.linked_records) for _, q in council] == [1, 1]
    # "added" and "called for" keep their own contents; the interrupted "told" quote has two pieces.
    told = quotes["bridge:E2"]
    assert [(q.speaker is not None, q.cue is not None) for _, q in told] == [(True, True), (True, True)]


def test_brat_corpus_packages(brat_records, tmp_path):
    result = run("package", str(brat_records), "--name", "brat", "--version", "1.0.0", "-o", str(tmp_path))
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(("tool", "view"), TOOL_VIEWS)
def test_brat_corpus_goes_to_every_tool_and_back(brat_records, tmp_path, tool, view):
    records = list(read_records(brat_records))
    # Nested reports overlap: doccano keeps overlapping spans only in a project that allows them.
    options = {"allow_overlap": True} if tool == "doccano" and view == "quotes" else {}
    back = round_trip(tool, records, view, tmp_path, **options)
    layers = ["entities" if v == "spans" else v for v in view.split(",")]
    for layer in layers:
        assert [canonical(r, layer) for r in back] == [canonical(r, layer) for r in records]


# ---------------------------------------------------------------- placing quote pieces, splitting tokens


def roles(pieces, text):
    return [tuple(text[r.start : r.end] if r else None for r in piece) for piece in pieces]


def test_quote_pieces_cut_content_around_its_own_speaker_and_cue():
    text = "“A plan,” she said, “that works.”"
    whole = [(0, len(text))]
    pieces = quote_pieces(text=text, content=whole, speaker=[_at(text, "she")], cue=[_at(text, "said")])
    assert roles(pieces, text) == [("“A plan,”", "she", "said"), ("“that works.”", "she", "said")]


def test_quote_pieces_spread_cues_and_keep_extra_ones_on_pieces_without_content():
    text = "Voters said and donors added that he would run, and that he would win."
    contents = [_at(text, "that he would run"), _at(text, "that he would win")]
    speakers = [_at(text, "Voters"), _at(text, "donors")]
    cues = [_at(text, "said"), _at(text, "added")]
    assert roles(quote_pieces(text=text, content=contents, speaker=speakers, cue=cues), text) == [
        ("that he would run", "Voters", "said"),
        ("that he would win", "donors", "added"),
    ]
    one_content = quote_pieces(text=text, content=contents[:1], speaker=speakers, cue=cues)
    assert roles(one_content, text) == [("that he would run", "Voters", "said"), (None, "donors", "added")]
    # An extra cue goes alone on its piece: two pieces without content never share a span.
    one_speaker = quote_pieces(text=text, content=contents[:1], speaker=speakers[:1], cue=cues)
    assert roles(one_speaker, text) == [("that he would run", "Voters", "said"), (None, None, "added")]


def test_a_piece_whose_anchor_another_quote_holds_is_left_out_and_its_speaker_resolved(tmp_path):
    text = "Mayor Ann Lee rebuffs critics.\n\nShe spurns the offer. She blasts the plan."
    ann = [
        _t("T1", "Source", text, _at(text, "Mayor Ann Lee")),
        _t("T2", "Cue", text, _at(text, "spurns")),
        _t("T3", "Content", text, _at(text, "the offer")),
        "E1\tAttribution:T2 Source:T1 Cue:T2 Content:T3",
        _t("T4", "Cue", text, _at(text, "blasts")),
        _t("T5", "Content", text, _at(text, "the plan")),
        "E2\tAttribution:T4 Source:T1 Cue:T4 Content:T5",
    ]
    _write_brat(tmp_path, "d", text, ann)
    summary = ConvertSummary()
    records = list(convert_records(sources=[tmp_path / "d.txt"], summary=summary))
    assert [[(q.id, q.speaker is not None) for q in r.quotes] for r in records] == [
        [("d:E1", True)],
        [("d:E1", False)],
        [("d:E2", False)],
    ]
    assert summary.dropped_quote_pieces == 1 and "left out" in summary.warnings[-1]
    resolved = records[2].quotes[0].speaker_resolved
    assert (resolved.text, resolved.record_id) == ("Mayor Ann Lee", "d:0")
    assert records[2].quotes[0].linked_records == []


def test_tokens_split_where_an_annotation_edge_falls_inside_them():
    tokens = [Token("U.S.-based", 0, 10, 0, True), Token("group", 11, 16, 1, False)]
    summary = ConvertSummary()
    split = split_tokens(tokens, {0, 4, 16}, summary)
    assert [(t.text, t.start, t.end, t.id, t.ws) for t in split] == [
        ("U.S.", 0, 4, 0, False),
        ("-based", 4, 10, 1, True),
        ("group", 11, 16, 2, False),
    ]
    assert summary.split_tokens == 1 and split_tokens(tokens, {0, 10}, summary) == tokens


def test_convert_places_brat_quote_roles_on_tokens(tmp_path):
    text = "The U.S.-based group said it would sue."
    ann = [
        _t("T1", "GPE", text, _at(text, "U.S.")),
        _t("T2", "Source", text, _at(text, "U.S.-based group")),
        _t("T3", "Cue", text, _at(text, "said")),
        _t("T4", "Content", text, _at(text, "it would sue")),
        "E1\tAttribution:T3 Source:T2 Cue:T3 Content:T4",
    ]
    _write_brat(tmp_path, "d", text, ann)
    summary = ConvertSummary()
    [record] = convert_records(sources=[tmp_path / "d.txt"], summary=summary)
    assert [t.text for t in record.tokens][:4] == ["The", "U.S.", "-based", "group"]
    assert [(s.start, s.end, s.token_start, s.token_end) for s in record.spans] == [(4, 8, 1, 1)]
    assert record.quotes[0].speaker == Role(4, 20) and summary.split_tokens == 1


# ---------------------------------------------------------------- fuzzing the pre-annotator


@st.composite
def fuzz_documents(draw) -> list:
    chooser = quote_fuzz.DrawChooser(draw)
    return [r for n in range(draw(st.integers(1, 3))) for r in quote_fuzz.document(chooser, f"f{n}", 4)]


@pytest.mark.slow
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(records=fuzz_documents())
def test_preannotate_output_of_rough_quote_heavy_text_validates(tmp_path_factory, records):
    from toolkit.preannotate.run import preannotate_records

    out = tmp_path_factory.mktemp("fuzz") / "pre.jsonl"
    write_records(
        out,
        list(
            preannotate_records(records, options=PreannotateOptions(tasks=("entities", "quotes", "events")))
        ),
    )
    report = validate(paths=[out])
    assert report.findings == []


@pytest.mark.slow
def test_a_seeded_batch_of_fuzzed_documents_validates(tmp_path):
    from toolkit.preannotate.run import preannotate_records

    records = quote_fuzz.documents(150, seed=11)
    out = tmp_path / "pre.jsonl"
    written = list(preannotate_records(records, options=PreannotateOptions(tasks=("quotes",))))
    write_records(out, written)
    assert validate(paths=[out]).findings == []
    # The batch is quote-heavy: most documents have quotes, and some come in several pieces.
    assert sum(len(r.quotes) for r in written) > len(written) / 2
    assert any(len({q.id for q in r.quotes}) < len(r.quotes) for r in written)


def test_a_piece_that_is_only_another_quotes_speaker_is_left_out(tmp_path):
    text = "Mayor Ann Lee rebuffs critics.\n\nShe spurns the offer."
    ann = [
        _t("T1", "Source", text, _at(text, "Mayor Ann Lee")),
        _t("T2", "Cue", text, _at(text, "spurns")),
        _t("T3", "Content", text, _at(text, "the offer")),
        "E1\tAttribution:T2 Source:T1 Cue:T2 Content:T3",
        _t("T4", "Cue", text, _at(text, "rebuffs")),
        _t("T5", "Content", text, _at(text, "critics")),
        "E2\tAttribution:T4 Source:T1 Cue:T4 Content:T5",
    ]
    _write_brat(tmp_path, "d", text, ann)
    out = tmp_path / "d.jsonl"
    assert runner.invoke(app, ["convert", str(tmp_path / "d.txt"), "-o", str(out)]).exit_code == 0
    first, second = read_records(out)
    # E1's speaker-only piece would be drawn as E2's speaker: E1 keeps its speaker as a resolution.
    assert [q.id for q in first.quotes] == ["d:E2"]
    assert second.quotes[0].speaker_resolved.record_id == "d:0" and second.quotes[0].linked_records == []
    assert run("validate", str(out)).exit_code == 0
