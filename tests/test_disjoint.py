"""Disjoint sets: the groups are the connected parts of the joins, named by their smallest member."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from toolkit.disjoint import DisjointSets


def test_joined_items_share_a_root_and_groups_keep_first_item_order():
    sets = DisjointSets(6)
    sets.join(4, 1)
    sets.join(5, 4)
    sets.join(3, 2)
    assert sets.root(5) == 1
    assert sets.root(3) == 2
    assert sets.root(0) == 0
    assert sets.groups() == {0: [0], 1: [1, 4, 5], 2: [2, 3]}
    assert list(sets.groups()) == [0, 1, 2]


def _components(size: int, edges: list[tuple[int, int]]) -> list[list[int]]:
    """The connected parts by a plain search, for comparison."""
    neighbours: dict[int, set[int]] = {i: set() for i in range(size)}
    for a, b in edges:
        neighbours[a].add(b)
        neighbours[b].add(a)
    seen: set[int] = set()
    parts = []
    for start in range(size):
        if start in seen:
            continue
        part, todo = set(), [start]
        while todo:
            item = todo.pop()
            if item not in part:
                part.add(item)
                todo.extend(neighbours[item] - part)
        seen |= part
        parts.append(sorted(part))
    return parts


@given(
    st.integers(min_value=1, max_value=30).flatmap(
        lambda n: st.tuples(
            st.just(n), st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=40)
        )
    )
)
def test_groups_are_the_connected_parts(case):
    size, edges = case
    sets = DisjointSets(size)
    for a, b in edges:
        sets.join(a, b)
    groups = sets.groups()
    assert list(groups.values()) == _components(size, edges)
    assert all(root == members[0] for root, members in groups.items())
