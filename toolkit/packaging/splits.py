"""Leak-free, stable dataset splits: whole groups hashed to train/validation/test, bound by earlier versions.

A group is the unit that never straddles two splits: a document by default, a paragraph (one update of a
live blog) with ``group_by="paragraph"``, or the value of any ``meta`` field. A group's split is a pure
function of its id and the seed: sha256 of ``"<seed>:<group id>"`` read as a number in [0, 1), cut by the
cumulative ratios. Adding documents therefore never moves old ones. Groups listed in a previous version's
manifest keep the split they had there, whatever the hash says now. Near-duplicate groups form clusters that
share one split. When hashing leaves a wanted split empty (a tiny corpus), a repair moves the fewest groups:
see ``repair_empty_splits``.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from toolkit.errors import UsageError

SPLIT_NAMES: tuple[str, ...] = ("train", "validation", "test")
DEFAULT_RATIOS = "0.8,0.1,0.1"
GROUP_BY_DOC = "doc"
GROUP_BY_PARAGRAPH = "paragraph"


def parse_ratios(text: str | Sequence[float]) -> dict[str, float]:
    """``"0.8,0.1,0.1"`` (or three numbers) as {split: ratio}; they must be >= 0 and sum to 1.

    Any ratio may be 0: ``0,0,1`` packages a test-only release (an existing test set to benchmark on).
    """
    if isinstance(text, str):
        try:
            values = [float(part) for part in text.split(",")]
        except ValueError:
            raise UsageError(f"--splits {text}: expected three numbers such as 0.8,0.1,0.1") from None
    else:
        values = [float(v) for v in text]
    if len(values) != len(SPLIT_NAMES):
        raise UsageError(
            f"--splits needs {len(SPLIT_NAMES)} ratios (train,validation,test), got {len(values)}"
        )
    if any(v < 0 or math.isnan(v) for v in values) or not math.isclose(sum(values), 1.0, abs_tol=1e-6):
        raise UsageError(f"--splits ratios must be >= 0 and sum to 1, got {','.join(map(str, values))}")
    return dict(zip(SPLIT_NAMES, values, strict=True))


def ratios_text(ratios: Mapping[str, float]) -> str:
    return ",".join(f"{ratios[name]:g}" for name in SPLIT_NAMES)


def doc_id_of(meta: Mapping[str, Any]) -> str | None:
    """The document of a record: ``meta.doc_id``, else the part of ``meta.id`` before its last colon."""
    doc_id = meta.get("doc_id")
    if doc_id is not None:
        return str(doc_id)
    record_id = meta.get("id")
    if isinstance(record_id, str) and ":" in record_id:
        return record_id.rsplit(":", 1)[0]
    return None


def group_id(meta: Mapping[str, Any], group_by: str) -> str | None:
    """The group a record belongs to, or None when its meta lacks what ``group_by`` needs.

    ``doc``: the document id. ``paragraph``: ``<doc id>#p<meta.paragraph>``. Any other name: the value of
    that meta field as it is (so a field such as a story id may join records across documents; a coarser
    group can never leak).
    """
    if group_by == GROUP_BY_DOC:
        return doc_id_of(meta)
    if group_by == GROUP_BY_PARAGRAPH:
        doc_id, paragraph = doc_id_of(meta), meta.get("paragraph")
        if doc_id is None or paragraph is None:
            return None
        return f"{doc_id}#p{paragraph}"
    value = meta.get(group_by)
    if value is None or isinstance(value, dict | list):
        return None
    return f"{group_by}={value}"


def unit_interval(group: str, seed: int) -> float:
    """The group's place in [0, 1): the first 8 bytes of sha256("<seed>:<group>") over 2**64."""
    digest = hashlib.sha256(f"{seed}:{group}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64


def split_of(value: float, ratios: Mapping[str, float]) -> str:
    """The split whose cumulative ratio range holds ``value``."""
    upper = 0.0
    for name in SPLIT_NAMES:
        upper += ratios[name]
        if value < upper and ratios[name] > 0:
            return name
    return next(name for name in reversed(SPLIT_NAMES) if ratios[name] > 0)


def split_range(name: str, ratios: Mapping[str, float]) -> tuple[float, float]:
    lower = sum(ratios[n] for n in SPLIT_NAMES[: SPLIT_NAMES.index(name)])
    return lower, lower + ratios[name]


@dataclass
class Assignment:
    """Where every group goes, and why the exceptions to the plain hash happened."""

    splits: dict[str, str]
    repairs: list[dict[str, Any]] = field(default_factory=list)
    bound: int = 0  # groups whose split came from the previous version
    clusters: list[list[str]] = field(default_factory=list)
    split_clusters: list[list[str]] = field(default_factory=list)  # clusters the previous version had split


@dataclass
class _Unit:
    """Groups that move together: one group, or a cluster of near-duplicates."""

    groups: list[str]
    value: float
    movable: bool  # no member was in the previous version


def _units(
    groups: Iterable[str], clusters: Sequence[Sequence[str]], seed: int, previous: Mapping[str, str]
) -> list[_Unit]:
    known = set(groups)
    in_cluster: set[str] = set()
    units = []
    for cluster in clusters:
        members = sorted(g for g in cluster if g in known)
        if not members:
            continue
        in_cluster.update(members)
        units.append(members)
    units.extend([g] for g in sorted(known - in_cluster))
    units.sort(key=lambda members: members[0])
    return [
        _Unit(groups=m, value=unit_interval(m[0], seed), movable=not any(g in previous for g in m))
        for m in units
    ]


def assign_splits(
    *,
    groups: Iterable[str],
    seed: int,
    ratios: Mapping[str, float],
    previous: Mapping[str, str] | None = None,
    clusters: Sequence[Sequence[str]] = (),
) -> Assignment:
    """Assign every group to a split.

    A cluster of near-duplicates takes the split of its smallest group id (by the hash), or, when some of its
    groups were in the previous version, the previous split of the smallest of those; groups from the
    previous version always keep their own previous split.
    """
    previous = previous or {}
    units = _units(groups, clusters, seed, previous)
    assignment = Assignment(splits={}, clusters=[u.groups for u in units if len(u.groups) > 1])
    for unit in units:
        old = [g for g in unit.groups if g in previous]
        shared = previous[old[0]] if old else split_of(unit.value, ratios)
        for group in unit.groups:
            if group in previous:
                assignment.bound += 1
            assignment.splits[group] = previous.get(group, shared)
        if len({assignment.splits[g] for g in unit.groups}) > 1:
            assignment.split_clusters.append(unit.groups)
    assignment.repairs = repair_empty_splits(units, assignment.splits, ratios)
    return assignment


def repair_empty_splits(
    units: Sequence[_Unit], splits: dict[str, str], ratios: Mapping[str, float]
) -> list[dict[str, Any]]:
    """Fill each empty split that has a ratio above 0 by moving one unit into it, in place.

    The rule, so that it is the same on every machine: for each empty split in the order train, validation,
    test, take the unit that is new in this version (none of its groups was in the previous version), sits
    in a split that keeps at least one other unit, and whose hash value lies nearest to the empty split's
    range; ties go to the smallest group id. A split that no such unit can fill stays empty.
    """
    repairs: list[dict[str, Any]] = []
    for target in SPLIT_NAMES:
        if ratios[target] <= 0 or any(s == target for s in splits.values()):
            continue
        sizes: dict[str, int] = {}
        for unit in units:
            sizes[splits[unit.groups[0]]] = sizes.get(splits[unit.groups[0]], 0) + 1
        lower, upper = split_range(target, ratios)
        candidates = [
            (max(lower - u.value, u.value - upper, 0.0), u.groups[0], u)
            for u in units
            if u.movable and sizes[splits[u.groups[0]]] > 1
        ]
        if not candidates:
            continue
        _, _, chosen = min(candidates, key=lambda c: (c[0], c[1]))
        source = splits[chosen.groups[0]]
        for group in chosen.groups:
            splits[group] = target
        repairs.append(
            {"groups": chosen.groups, "from": source, "to": target, "reason": f"{target} was empty"}
        )
    return repairs
