"""Counted nouns for summaries: "1 record", "36 records", "2 entities"."""

from __future__ import annotations


def counted(number: int, noun: str, plural: str | None = None) -> str:
    """``number`` and ``noun``, in the plural unless the number is one (``plural`` for irregular nouns)."""
    return f"{number} {noun if number == 1 else plural or noun + 's'}"
