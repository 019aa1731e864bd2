"""Near-duplicate groups: MinHash/LSH clusters, sampling that does not depend on input order."""

from __future__ import annotations

import random

from gold_records import synthetic_text

from toolkit.packaging.neardup import NearDuplicateFinder


def _texts(count: int, seed: int = 1) -> dict[str, list[str]]:
    return {
        f"doc-{i}": synthetic_text(random.Random(seed + i), sentences=8).split("\n") for i in range(count)
    }


def _finder(groups: dict[str, list[str]], *, budget: int = 2_000_000, order: list[str] | None = None):
    finder = NearDuplicateFinder(budget=budget)
    for group in order or list(groups):
        for text in groups[group]:
            finder.add(group, text)
    return finder


def test_a_lightly_edited_copy_is_found_and_others_are_not():
    groups = _texts(20)
    copy = list(groups["doc-3"])
    copy[0] = copy[0].replace("Kyiv", "Kharkiv")
    groups["doc-3-copy"] = copy
    result = _finder(groups).find()
    assert result.clusters == [["doc-3", "doc-3-copy"]]
    assert result.sample_rate == 1 and result.groups_hashed == 21


def test_exact_duplicates_chain_into_one_cluster():
    groups = _texts(5)
    groups["z-1"] = groups["doc-0"]
    groups["z-2"] = groups["doc-0"]
    assert _finder(groups).find().clusters == [["doc-0", "z-1", "z-2"]]


def test_sampling_halves_until_the_budget_holds_and_ignores_input_order():
    groups = _texts(60)
    groups["doc-7-copy"] = list(groups["doc-7"])
    forward = _finder(groups, budget=1500)
    backward = _finder(groups, budget=1500, order=sorted(groups, reverse=True))
    a, b = forward.find(), backward.find()
    assert a.sample_rate == b.sample_rate > 1
    assert a.clusters == b.clusters == [["doc-7", "doc-7-copy"]]


def test_short_and_empty_texts_do_not_break_it():
    finder = NearDuplicateFinder()
    finder.add("a", "")
    finder.add("b", "Hi")
    finder.add("c", "Hi")
    result = finder.find()
    assert result.clusters == [["b", "c"]]
    assert result.groups_hashed == 2
