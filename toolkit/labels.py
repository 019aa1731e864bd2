"""Label sets the toolkit knows: entity schemes, quote roles and kinds, PLOVER event types, label maps.

schemas/labels.json holds the same names with definitions and examples for annotators; a test keeps the
two in step. Code uses these constants so that importing a label set never reads a file.
"""

from __future__ import annotations

ONTONOTES_LABELS: tuple[str, ...] = (
    "CARDINAL",
    "DATE",
    "EVENT",
    "FAC",
    "GPE",
    "LANGUAGE",
    "LAW",
    "LOC",
    "MONEY",
    "NORP",
    "ORDINAL",
    "ORG",
    "PERCENT",
    "PERSON",
    "PRODUCT",
    "QUANTITY",
    "TIME",
    "WORK_OF_ART",
)
CONLL_LABELS: tuple[str, ...] = ("PER", "ORG", "LOC", "MISC")

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

QUOTE_ROLES: tuple[str, ...] = ("content", "speaker", "cue")
QUOTE_KINDS: tuple[str, ...] = ("direct", "indirect", "mixed")

# PLOVER's 16 event types, in the ontology's own order (cooperative to conflictual).
PLOVER_TYPES: tuple[str, ...] = (
    "AGREE",
    "CONSULT",
    "SUPPORT",
    "CONCEDE",
    "COOPERATE",
    "AID",
    "RETREAT",
    "REQUEST",
    "ACCUSE",
    "REJECT",
    "THREATEN",
    "PROTEST",
    "SANCTION",
    "MOBILIZE",
    "COERCE",
    "ASSAULT",
)
