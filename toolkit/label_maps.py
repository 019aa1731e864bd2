"""Maps from one entity scheme to another, by name (``--label-map conll``), for pre-annotation and scoring."""

from __future__ import annotations

# OntoNotes → CoNLL-2003. Numeric and date labels have no CoNLL counterpart and are dropped (None).
CONLL_MAP: dict[str, str | None] = {
    "PERSON": "PER",
    "ORG": "ORG",
    "GPE": "LOC",
    "LOC": "LOC",
    "FAC": "LOC",
    "NORP": "MISC",
    "EVENT": "MISC",
    "WORK_OF_ART": "MISC",
    "LAW": "MISC",
    "LANGUAGE": "MISC",
    "PRODUCT": "MISC",
    "DATE": None,
    "TIME": None,
    "PERCENT": None,
    "MONEY": None,
    "QUANTITY": None,
    "ORDINAL": None,
    "CARDINAL": None,
}
LABEL_MAPS: dict[str, dict[str, str | None]] = {"conll": CONLL_MAP}
