"""The scoring of benchmarks/quotes_polnear.py on small hand-written brat files (no dev data, no model)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def qp():
    spec = importlib.util.spec_from_file_location("quotes_polnear", ROOT / "benchmarks" / "quotes_polnear.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


TEXT = "The mayor said the bridge would reopen. “It is safe,” she added, “and it is open.” Traffic was light."


def _at(part: str, nth: int = 0) -> tuple[int, int]:
    start = -1
    for _ in range(nth + 1):
        start = TEXT.index(part, start + 1)
    return start, start + len(part)


def _t(ident: str, kind: str, *spans: tuple[int, int]) -> str:
    fragments = ";".join(f"{s} {e}" for s, e in spans)
    return f"{ident}\t{kind} {fragments}\t{' '.join(TEXT[s:e] for s, e in spans)}"


def _ann() -> str:
    lines = [
        _t("T1", "Source", _at("The mayor")),
        _t("T2", "Cue", _at("said")),
        _t("T3", "Content", _at("the bridge would reopen")),
        _t("T4", "Attribution", _at("said")),
        "E1\tAttribution:T4 Content:T3 Cue:T2 Source:T1",
        _t("T5", "Source", _at("she")),
        _t("T6", "Cue", _at("added")),
        _t("T7", "Content", _at("“It is safe,”"), _at("“and it is open.”")),
        _t("T8", "Attribution", _at("added")),
        "E2\tAttribution:T8 Content:T7 Cue:T6 Source:T5",
        "E3\tAttribution-no-source:T8",
        "#1\tAnnotatorNotes T3\ta note",
        "a stray continuation line",
    ]
    return "\n".join(lines) + "\n"


def test_brat_gold_joins_roles_and_fragments(qp):
    gold = qp.parse_brat(_ann(), TEXT)
    assert gold.offset_mismatches == 0 and gold.without_content == 1
    first, second = gold.attributions
    assert first.content == (_at("the bridge would reopen"),) and first.cue == (_at("said"),)
    assert second.content == (_at("“It is safe,”"), _at("“and it is open.”"))
    assert second.source == (_at("she"),)


def test_overlap_is_shared_characters_over_the_longer_span(qp):
    assert qp.overlap_score(((0, 10),), ((0, 10),)) == 1.0
    assert qp.overlap_score(((0, 10),), ((5, 10),)) == 0.5
    assert qp.overlap_score(((0, 4), (6, 10)), ((0, 10),)) == 0.8  # pieces, not the hull
    assert qp.overlap_score(((0, 4),), ((4, 8),)) == 0.0


def test_text_kind(qp):
    assert qp.text_kind(TEXT, (_at("“It is safe,”"), _at("“and it is open.”"))) == "direct"
    assert qp.text_kind("He called it “fair” today", ((0, 25),)) == "mixed"
    assert qp.text_kind("''We won,'' he said", ((0, 11),)) == "direct"
    assert qp.text_kind(TEXT, (_at("the bridge would reopen"),)) == "indirect"


def _item(qp, text: str, content, source=(), cue=(), ident="p"):
    item = qp.Attribution(ident, content, source, cue)
    qp.prepare([item], text, [(0, len(text))], {})
    return item


def test_pairs_are_one_to_one_best_first(qp):
    gold = [_item(qp, TEXT, ((0, 10),)), _item(qp, TEXT, ((0, 20),))]
    predicted = [_item(qp, TEXT, ((0, 20),))]
    assert qp.pair_up(gold, predicted, 0.3) == [(1, 0)]
    assert qp.pair_up(gold, predicted, 1.0) == [(1, 0)]
    assert qp.pair_up(gold[:1], predicted, 0.8) == []


def test_an_article_scores_contents_roles_and_misses(qp):
    gold = qp.parse_brat(_ann(), TEXT).attributions
    qp.prepare(gold, TEXT, [(0, 39), (40, 81), (82, 100)], {})
    # The direct quote found exactly with the right speaker and cue, split into its two pieces; the
    # indirect one missed; a headline-style false alarm with no cue.
    predicted = [
        _item(qp, TEXT, (_at("“It is safe,”"), _at("“and it is open.”")), (_at("she"),), (_at("added"),)),
        _item(qp, TEXT, (_at("Traffic was light"),)),
    ]
    tally = qp.Tally()
    qp.score_article(tally, "doc", TEXT, gold, predicted)
    result = qp.summarise(tally, top=5)
    assert result["content_all"]["1.0"] == {
        "precision": 0.5, "recall": 0.5, "f1": 0.5, "tp": 1, "predicted": 2, "gold": 2
    }  # fmt: skip
    assert result["content_direct"]["0.3"]["f1"] == 1.0
    assert result["roles_on_matched_0.3"]["speaker_exact"] == 1.0
    assert result["roles_on_matched_0.3"]["cue_exact"] == 1.0
    assert result["recall_by_gold_kind"]["indirect"]["recall"] == 0.0
    assert result["misses"]["why"] == [
        {"key": "nothing overlaps", "count": 1, "examples": ["doc@15: [said] the bridge would reopen"]}
    ]
    assert result["misses"]["pattern"][0]["key"] == "indirect, source-cue-content"
    assert result["false_alarms"]["lemma"][0]["key"] == "(no cue)"
    # The pieces view counts the two gold pieces apart; the prediction's two pieces are split by words too.
    assert result["pieces_content_direct"]["1.0"]["tp"] == 2


def test_boundary_differences_are_named(qp):
    text = "He said that taxes would fall."
    gold = _item(qp, text, ((8, 29),))
    guess = _item(qp, text, ((13, 30),))
    assert qp.boundary_keys(text, gold, guess) == [
        "indirect, start later: -'that '",
        "indirect, end later: +'.'",
    ]


def test_missing_folder_is_skipped_cleanly(qp, tmp_path, capsys):
    assert qp.main(["--data", str(tmp_path / "absent")]) == 0
    assert "skipped" in capsys.readouterr().err
