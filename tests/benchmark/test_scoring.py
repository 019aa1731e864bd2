"""Tests for toolkit.benchmark.scoring: entity, quote and event metrics, seqeval, bootstrap, paired tests."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from seqeval.metrics import classification_report, f1_score, precision_score, recall_score
from seqeval.scheme import IOB2

from toolkit.benchmark.scoring import (
    ALL,
    MISSED,
    SPURIOUS,
    bootstrap_scores,
    confidence_interval,
    headline_scores,
    max_pairing,
    paired_p_value,
    prf,
    quote_overlap,
    resampling_units,
    summarize,
    tally_pair,
    tally_records,
)
from toolkit.record import Event, Meta, Quote, Record, Role, Span, Token

WORDS = ["Ada", "Lovelace", "met", "Charles", "Babbage", "in", "London", "on", "Monday"]


def sentence(n_words: int = len(WORDS), *, doc: str = "d1", unit: int = 0, **fields) -> Record:
    words = [WORDS[i % len(WORDS)] for i in range(n_words)]
    tokens, offset = [], 0
    for i, word in enumerate(words):
        tokens.append(Token(text=word, start=offset, end=offset + len(word), id=i, ws=i < n_words - 1))
        offset += len(word) + 1
    meta = Meta(id=f"{doc}:{unit}", doc_id=doc, unit=unit)
    return Record(text=" ".join(words), tokens=tokens, meta=meta, **fields)


def token_span(record: Record, first: int, last: int, label: str) -> Span:
    return Span(
        start=record.tokens[first].start,
        end=record.tokens[last].end,
        label=label,
        token_start=first,
        token_end=last,
    )


def with_spans(base: Record, spans: list[tuple[int, int, str]]) -> Record:
    return Record(
        text=base.text,
        tokens=base.tokens,
        meta=base.meta,
        spans=[token_span(base, a, b, label) for a, b, label in spans],
    )


def test_prf_handles_zero_denominators_like_seqeval():
    assert prf(0, 0, 0) == (0.0, 0.0, 0.0)
    assert prf(2, 4, 2) == (0.5, 1.0, pytest.approx(2 / 3))
    p, r, f = prf(np.array([1, 0]), np.array([2, 0]), np.array([1, 3]))
    assert list(f) == [pytest.approx(2 / 3), 0.0]


def test_strict_and_partial_entities_per_label():
    base = sentence()
    gold = with_spans(base, [(0, 1, "PER"), (3, 4, "PER"), (6, 6, "LOC")])
    pred = with_spans(base, [(0, 1, "PER"), (4, 4, "PER"), (6, 6, "ORG"), (8, 8, "DATE")])
    summary = summarize(tally_pair(gold, pred, tasks=["entities"]), tasks=["entities"])["entities"]
    strict, partial = summary["strict"], summary["partial"]
    assert strict["micro"]["tp"] == 1 and strict["micro"]["pred"] == 4 and strict["micro"]["gold"] == 3
    assert strict["micro"]["precision"] == 0.25 and strict["micro"]["recall"] == pytest.approx(1 / 3)
    # "Babbage" overlaps "Charles Babbage" with the same label: partial credit; LOC vs ORG never counts.
    assert partial["micro"]["tp"] == 2
    assert partial["per_label"]["PER"]["f1"] == 1.0
    assert strict["per_label"]["PER"]["f1"] == 0.5
    assert strict["per_label"]["LOC"] == {
        "precision": 0.0,
        "recall": 0.0,
        "f1": 0.0,
        "tp": 0,
        "pred": 0,
        "gold": 1,
    }
    assert set(strict["per_label"]) == {"PER", "LOC", "ORG", "DATE"}
    assert strict["macro_f1"] == pytest.approx(0.5 / 4)


def test_partial_pairing_is_one_to_one_and_maximal():
    base = sentence()
    # One long prediction overlaps two gold spans: only one of them may take it.
    gold = with_spans(base, [(0, 0, "PER"), (1, 1, "PER")])
    pred = with_spans(base, [(0, 1, "PER")])
    tally = tally_pair(gold, pred, tasks=["entities"])
    assert tally[("entities", "partial", ALL, "tp")] == 1
    # Greedy pairing of gold 0 with its best prediction would block gold 1; augmenting paths fix it.
    assert max_pairing([[0, 1], [0]]) == {0: 1, 1: 0}


def test_overlapping_gold_spans_are_scored_each():
    base = sentence()
    gold = with_spans(base, [(0, 1, "PER"), (1, 1, "PER"), (3, 4, "PER")])
    pred = with_spans(base, [(0, 1, "PER"), (1, 1, "PER")])
    strict = summarize(tally_pair(gold, pred, tasks=["entities"]), tasks=["entities"])["entities"]["strict"]
    assert (strict["micro"]["tp"], strict["micro"]["pred"], strict["micro"]["gold"]) == (2, 2, 3)


def test_empty_predictions_and_empty_gold():
    base = sentence()
    gold = with_spans(base, [(0, 1, "PER")])
    empty = with_spans(base, [])
    missed = summarize(tally_pair(gold, empty))["entities"]["strict"]["micro"]
    assert (missed["precision"], missed["recall"], missed["f1"], missed["gold"]) == (0.0, 0.0, 0.0, 1)
    spurious = summarize(tally_pair(empty, gold))["entities"]["strict"]["micro"]
    assert (spurious["precision"], spurious["recall"], spurious["pred"]) == (0.0, 0.0, 1)
    nothing = summarize(tally_pair(empty, empty))
    assert nothing["entities"]["strict"]["micro"]["f1"] == 0.0
    assert nothing["events"]["exact_match_ratio"] == 1.0  # no types predicted where none were wanted


def test_unknown_labels_are_reported_and_scored_wrong():
    base = sentence()
    gold = with_spans(base, [(0, 1, "PER")])
    pred = with_spans(base, [(0, 1, "PERSON")])
    tally = tally_pair(gold, pred, entity_labels={"PER", "ORG", "LOC", "MISC"})
    summary = summarize(tally)["entities"]
    assert summary["unknown_labels"] == {"PERSON": 1}
    assert summary["strict"]["micro"]["tp"] == 0 and summary["partial"]["micro"]["tp"] == 0


def spans_strategy(n_tokens: int):
    """Non-overlapping token spans, as a list of (first, last, label), covering a random segmentation."""
    pieces = st.lists(
        st.tuples(st.integers(1, 3), st.sampled_from(["PER", "ORG", "LOC", "MISC", None])),
        min_size=1,
        max_size=n_tokens,
    )

    def build(parts):
        spans, position = [], 0
        for length, label in parts:
            if position >= n_tokens:
                break
            last = min(position + length, n_tokens) - 1
            if label is not None:
                spans.append((position, last, label))
            position = last + 1
        return spans

    return pieces.map(build)


def iob2(n_tokens: int, spans: list[tuple[int, int, str]]) -> list[str]:
    tags = ["O"] * n_tokens
    for first, last, label in spans:
        tags[first] = f"B-{label}"
        for i in range(first + 1, last + 1):
            tags[i] = f"I-{label}"
    return tags


@st.composite
def corpora(draw):
    sentences = []
    for _ in range(draw(st.integers(1, 4))):
        n = draw(st.integers(1, 12))
        sentences.append((n, draw(spans_strategy(n)), draw(spans_strategy(n))))
    return sentences


def assert_matches_seqeval(sentences) -> None:
    golds, preds, true_tags, pred_tags = [], [], [], []
    for n, gold_spans, pred_spans in sentences:
        base = sentence(n)
        golds.append(with_spans(base, gold_spans))
        preds.append(with_spans(base, pred_spans))
        true_tags.append(iob2(n, gold_spans))
        pred_tags.append(iob2(n, pred_spans))
    strict = summarize(tally_records(golds, preds, tasks=["entities"]), tasks=["entities"])["entities"][
        "strict"
    ]
    options = {"mode": "strict", "scheme": IOB2, "zero_division": 0}
    assert strict["micro"]["precision"] == pytest.approx(
        precision_score(true_tags, pred_tags, **options), abs=1e-4
    )
    assert strict["micro"]["recall"] == pytest.approx(recall_score(true_tags, pred_tags, **options), abs=1e-4)
    assert strict["micro"]["f1"] == pytest.approx(f1_score(true_tags, pred_tags, **options), abs=1e-4)
    if any(gold_spans or pred_spans for _, gold_spans, pred_spans in sentences):
        report = classification_report(true_tags, pred_tags, output_dict=True, **options)
        labels = {k for k in report if not k.endswith(" avg")}
        assert labels == set(strict["per_label"])
        for label in labels:
            for ours, theirs in (("precision", "precision"), ("recall", "recall"), ("f1", "f1-score")):
                assert strict["per_label"][label][ours] == pytest.approx(report[label][theirs], abs=1e-4)
        assert strict["macro_f1"] == pytest.approx(report["macro avg"]["f1-score"], abs=1e-4)


def test_strict_scores_equal_seqeval_on_a_worked_case():
    assert_matches_seqeval(
        [
            (9, [(0, 1, "PER"), (3, 4, "PER"), (6, 6, "LOC")], [(0, 1, "PER"), (3, 3, "PER"), (4, 4, "PER")]),
            (5, [(0, 0, "ORG"), (1, 1, "ORG")], [(0, 1, "ORG"), (3, 4, "MISC")]),
            (3, [], []),
        ]
    )


@settings(max_examples=200, deadline=None)
@given(corpora())
def test_strict_scores_equal_seqeval_on_generated_cases(sentences):
    assert_matches_seqeval(sentences)


def quote_record(quotes: list[Quote], events: list[str] = ()) -> Record:
    text = 'He said "we will hold Kyiv" and she told reporters that talks would go on.'
    return Record(text=text, quotes=quotes, events=[Event(label=e) for e in events], meta=Meta(id="d:0"))


def test_quote_overlap_is_relative_to_the_gold_content():
    assert quote_overlap((10, 20), (10, 20)) == 1.0
    assert quote_overlap((10, 20), (0, 13)) == 0.3
    assert quote_overlap((10, 20), (0, 100)) == 1.0  # GGT's asymmetry: a long prediction covers the gold
    assert quote_overlap((10, 10), (0, 100)) == 0.0


def test_quotes_levels_speaker_cue_and_kind():
    gold = quote_record(
        [
            Quote(
                content=Role(start=9, end=26),
                speaker=Role(start=0, end=2),
                cue=Role(start=3, end=7),
                kind="direct",
            ),
            Quote(
                content=Role(start=56, end=74),
                speaker=Role(start=32, end=35),
                cue=Role(start=36, end=40),
                kind="indirect",
            ),
        ]
    )
    pred = quote_record(
        [
            Quote(
                content=Role(start=8, end=27),
                speaker=Role(start=0, end=2),
                cue=Role(start=3, end=7),
                kind="direct",
            ),
            Quote(content=Role(start=56, end=62), speaker=None, cue=Role(start=36, end=40), kind="direct"),
        ]
    )
    quotes = summarize(tally_pair(gold, pred, tasks=["quotes"]), tasks=["quotes"])["quotes"]
    assert quotes["exact"]["micro"]["tp"] == 0
    # 17 of 17 gold characters covered, then 6 of 18 (0.33): both pass 0.3, only the first passes 0.8.
    assert quotes["overlap_0.3"]["micro"]["tp"] == 2
    assert quotes["overlap_0.8"]["micro"]["tp"] == 1
    assert quotes["overlap_0.3"]["speaker_accuracy"] == 0.5
    assert quotes["overlap_0.3"]["cue_accuracy"] == 1.0
    per_kind = quotes["overlap_0.3"]["per_kind"]
    assert per_kind["direct"]["tp"] == 1 and per_kind["direct"]["pred"] == 2
    assert per_kind["indirect"]["recall"] == 0.0


def test_events_micro_macro_exact_match_and_confusion():
    golds = [
        quote_record([], ["AGREE"]),
        quote_record([], ["ASSAULT", "THREATEN"]),
        quote_record([], ["AID"]),
        quote_record([], []),
    ]
    preds = [
        quote_record([], ["AGREE"]),
        quote_record([], ["ASSAULT", "COERCE"]),
        quote_record([], []),
        quote_record([], ["PROTEST"]),
    ]
    events = summarize(tally_records(golds, preds, tasks=["events"]), tasks=["events"])["events"]
    assert (events["micro"]["tp"], events["micro"]["pred"], events["micro"]["gold"]) == (2, 4, 4)
    assert events["micro"]["f1"] == 0.5
    assert events["per_type"]["AGREE"]["f1"] == 1.0 and events["per_type"]["AID"]["recall"] == 0.0
    assert events["macro_f1"] == pytest.approx(
        2 / 6
    )  # AGREE, ASSAULT right; AID, COERCE, PROTEST, THREATEN not
    assert events["exact_match_ratio"] == 0.25
    assert events["confusion"] == {
        "AGREE": {"AGREE": 1},
        "ASSAULT": {"ASSAULT": 1},
        "THREATEN": {"COERCE": 1},
        "AID": {MISSED: 1},
        SPURIOUS: {"PROTEST": 1},
    }


def test_headline_scores_agree_with_the_summary():
    base = sentence()
    golds = [with_spans(base, [(0, 1, "PER")]), quote_record([], ["AGREE", "AID"])]
    preds = [with_spans(base, [(0, 1, "PER"), (6, 6, "LOC")]), quote_record([], ["AGREE"])]
    tally = tally_records(golds, preds)
    summary = summarize(tally)
    headline = headline_scores(
        lambda key: tally.get(key, 0), tasks=["entities", "quotes", "events"], event_labels=["AGREE", "AID"]
    )
    assert headline["entities.strict.f1"] == summary["entities"]["strict"]["micro"]["f1"]
    assert headline["events.macro.f1"] == summary["events"]["macro_f1"]
    assert headline["events.exact_match_ratio"] == summary["events"]["exact_match_ratio"]
    assert headline["quotes.overlap_0.3.f1"] == 0.0


def make_docs(n_docs: int, hit_rate: float, seed: int) -> list[Counter]:
    rng = np.random.default_rng(seed)
    groups = []
    for _ in range(n_docs):
        gold = int(rng.integers(1, 6))
        tp = int(rng.binomial(gold, hit_rate))
        groups.append(
            Counter(
                {
                    ("entities", "strict", ALL, "tp"): tp,
                    ("entities", "strict", ALL, "pred"): gold,
                    ("entities", "strict", ALL, "gold"): gold,
                }
            )
        )
    return groups


def test_bootstrap_is_deterministic_and_brackets_the_estimate():
    groups = make_docs(30, 0.7, seed=1)
    first = bootstrap_scores(groups, tasks=["entities"], n_bootstrap=500, seed=7)
    again = bootstrap_scores(groups, tasks=["entities"], n_bootstrap=500, seed=7)
    other = bootstrap_scores(groups, tasks=["entities"], n_bootstrap=500, seed=8)
    assert np.array_equal(first["entities.strict.f1"], again["entities.strict.f1"])
    assert not np.array_equal(first["entities.strict.f1"], other["entities.strict.f1"])
    total = sum(groups, Counter())
    point = prf(*(total[("entities", "strict", ALL, f)] for f in ("tp", "pred", "gold")))[2]
    low, high = confidence_interval(first["entities.strict.f1"])
    assert low < point < high and high - low < 0.3


def test_paired_test_separates_a_better_system_and_not_an_equal_one():
    gold_docs = make_docs(40, 0.9, seed=2)
    worse = [
        Counter({**g, ("entities", "strict", ALL, "tp"): g[("entities", "strict", ALL, "tp")] // 2})
        for g in gold_docs
    ]
    a = bootstrap_scores(gold_docs, tasks=["entities"], n_bootstrap=400, seed=0)["entities.strict.f1"]
    b = bootstrap_scores(worse, tasks=["entities"], n_bootstrap=400, seed=0)["entities.strict.f1"]
    f_a = prf(*(sum(g[("entities", "strict", ALL, f)] for g in gold_docs) for f in ("tp", "pred", "gold")))[2]
    f_b = prf(*(sum(g[("entities", "strict", ALL, f)] for g in worse) for f in ("tp", "pred", "gold")))[2]
    assert paired_p_value(a, b, f_a - f_b) < 0.01
    assert paired_p_value(a, a, 0.0) == 1.0


def test_resampling_units_fall_back_from_documents_to_paragraphs_to_records():
    two_docs = [sentence(doc="a", unit=0), sentence(doc="a", unit=1), sentence(doc="b", unit=0)]
    assert resampling_units(two_docs) == ("document", ["a", "a", "b"])
    paragraphs = [sentence(unit=i) for i in range(3)]
    for i, record in enumerate(paragraphs):
        record.meta.paragraph = i // 2
    unit, keys = resampling_units(paragraphs)
    assert unit == "paragraph" and keys == ["d1#0", "d1#0", "d1#1"]
    assert resampling_units([sentence(unit=i) for i in range(3)])[0] == "record"
