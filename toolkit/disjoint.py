"""Disjoint sets (union-find) over the items 0..n-1: things tied by a shared key or a likeness form groups."""

from __future__ import annotations


class DisjointSets:
    """Each set is named by its smallest member, so the groups come out in the order of their first item."""

    def __init__(self, size: int) -> None:
        self._parent = list(range(size))

    def root(self, item: int) -> int:
        """The smallest member of ``item``'s set (path halving keeps later look-ups short)."""
        parent = self._parent
        while parent[item] != item:
            parent[item] = parent[parent[item]]
            item = parent[item]
        return item

    def join(self, a: int, b: int) -> None:
        first, second = self.root(a), self.root(b)
        self._parent[max(first, second)] = min(first, second)

    def groups(self) -> dict[int, list[int]]:
        """Each set as its root and its members in increasing order, sets ordered by their smallest member."""
        found: dict[int, list[int]] = {}
        for item in range(len(self._parent)):
            found.setdefault(self.root(item), []).append(item)
        return found
