"""Split assignment: a pure function of group and seed, stable as groups are added, bound by the last one."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.errors import UsageError
from toolkit.packaging.splits import (
    assign_splits,
    group_id,
    parse_ratios,
    ratios_text,
    split_of,
    split_range,
    unit_interval,
)

RATIOS = parse_ratios("0.8,0.1,0.1")


def test_parse_ratios_accepts_three_that_sum_to_one():
    assert parse_ratios("0.7,0.2,0.1") == {"train": 0.7, "validation": 0.2, "test": 0.1}
    assert ratios_text(parse_ratios([0.9, 0.1, 0])) == "0.9,0.1,0"


@pytest.mark.parametrize("text", ["0.8,0.1", "0.5,0.5,0.5", "a,b,c", "0,0,0", "-0.1,0.6,0.5"])
def test_parse_ratios_refuses_bad_values(text):
    with pytest.raises(UsageError):
        parse_ratios(text)


def test_any_split_may_be_empty_so_a_test_set_packages_alone():
    test_only = parse_ratios("0,0,1")
    assert test_only == {"train": 0.0, "validation": 0.0, "test": 1.0}
    groups = [f"doc-{i}" for i in range(30)]
    assignment = assign_splits(groups=groups, seed=0, ratios=test_only)
    assert set(assignment.splits.values()) == {"test"} and assignment.repairs == []
    no_validation = assign_splits(groups=groups, seed=0, ratios=parse_ratios("0.5,0,0.5"))
    assert set(no_validation.splits.values()) == {"train", "test"}


def test_group_ids_by_doc_paragraph_and_meta_field():
    meta = {"id": "blog:7", "doc_id": "blog", "paragraph": 3, "update": "u12"}
    assert group_id(meta, "doc") == "blog"
    assert group_id(meta, "paragraph") == "blog#p3"
    assert group_id(meta, "update") == "update=u12"
    assert group_id({"id": "story-1:4"}, "doc") == "story-1"  # falls back to the id's document part
    assert group_id({"doc_id": "blog"}, "paragraph") is None
    assert group_id(meta, "missing") is None


def test_unit_interval_is_the_documented_hash_of_seed_and_group():
    # The card and docs/packaging.md promise this formula; users reproduce a split with it.
    digest = hashlib.sha256(b"0:blog#p3").digest()
    assert unit_interval("blog#p3", 0) == int.from_bytes(digest[:8], "big") / 2**64
    assert unit_interval("blog#p3", 0) != unit_interval("blog#p3", 1)
    assert all(0 <= unit_interval(f"g{i}", 5) < 1 for i in range(200))


def test_split_of_cuts_at_cumulative_ratios():
    assert split_of(0.0, RATIOS) == "train"
    assert split_of(0.79, RATIOS) == "train"
    assert split_of(0.85, RATIOS) == "validation"
    assert split_of(0.95, RATIOS) == "test"
    assert split_of(0.95, parse_ratios("0.9,0.1,0")) == "validation"  # an empty range is skipped
    assert split_range("validation", RATIOS) == pytest.approx((0.8, 0.9))


def test_ratios_are_roughly_kept_on_many_groups():
    assignment = assign_splits(groups=[f"doc-{i}" for i in range(5000)], seed=0, ratios=RATIOS)
    share = sum(1 for s in assignment.splits.values() if s == "train") / 5000
    assert 0.77 < share < 0.83
    assert not assignment.repairs


@settings(max_examples=40, deadline=None)
@given(
    old=st.sets(st.text(min_size=1, max_size=8), min_size=30, max_size=60),
    new=st.sets(st.text(min_size=1, max_size=8), max_size=30),
    seed=st.integers(0, 1000),
)
def test_adding_groups_never_moves_old_ones(old, new, seed):
    before = assign_splits(groups=old, seed=seed, ratios=RATIOS)
    after = assign_splits(groups=old | new, seed=seed, ratios=RATIOS)
    repaired = {g for r in before.repairs + after.repairs for g in r["groups"]}
    assert all(after.splits[g] == before.splits[g] for g in old - repaired)


def test_previous_assignment_binds_even_against_the_hash():
    groups = [f"doc-{i}" for i in range(40)]
    plain = assign_splits(groups=groups, seed=0, ratios=RATIOS)
    moved = next(g for g in groups if plain.splits[g] == "train")
    previous = {**plain.splits, moved: "test"}
    bound = assign_splits(groups=[*groups, "doc-new"], seed=0, ratios=RATIOS, previous=previous)
    assert bound.splits[moved] == "test"
    assert bound.bound == 40
    assert bound.splits["doc-new"] == split_of(unit_interval("doc-new", 0), RATIOS)


def test_a_cluster_goes_to_one_split_chosen_by_its_smallest_group():
    groups = [f"doc-{i}" for i in range(30)]
    plain = assign_splits(groups=groups, seed=3, ratios=RATIOS)
    a = next(g for g in groups if plain.splits[g] == "test")
    b = next(g for g in groups if plain.splits[g] == "train")
    together = assign_splits(groups=groups, seed=3, ratios=RATIOS, clusters=[[a, b]])
    assert together.splits[a] == together.splits[b] == plain.splits[min(a, b)]
    assert together.clusters == [sorted([a, b])]


def test_a_new_near_duplicate_of_an_old_group_follows_the_old_one():
    previous = {"doc-a": "test", "doc-b": "train"}
    assignment = assign_splits(
        groups=["doc-a", "doc-b", "doc-copy"],
        seed=0,
        ratios=RATIOS,
        previous=previous,
        clusters=[["doc-a", "doc-copy"]],
    )
    assert assignment.splits["doc-copy"] == "test"


def test_repair_fills_an_empty_split_with_the_nearest_new_group():
    groups = [f"g{i}" for i in range(4)]
    plain = assign_splits(groups=groups, seed=0, ratios=parse_ratios("0.5,0.3,0.2"))
    assert all(plain.splits[g] in plain.splits.values() for g in groups)
    filled = {s for s in plain.splits.values()}
    assert filled == {"train", "validation", "test"}  # three of four groups had to move or fit
    for repair in plain.repairs:
        assert len(repair["groups"]) == 1 and repair["to"] != repair["from"]
    again = assign_splits(groups=list(reversed(groups)), seed=0, ratios=parse_ratios("0.5,0.3,0.2"))
    assert again.splits == plain.splits and again.repairs == plain.repairs


def test_repair_never_moves_groups_of_the_previous_version():
    previous = {"g1": "train", "g2": "train"}
    assignment = assign_splits(groups=["g1", "g2"], seed=0, ratios=RATIOS, previous=previous)
    assert assignment.splits == previous
    assert assignment.repairs == []
