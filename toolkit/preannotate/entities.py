"""Entities: spaCy NER, a place and demonym ruler after it, a same-document surname rule, label maps, and
alignment of the model's entities to the record's own tokens."""

from __future__ import annotations

import bisect
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from spacy.tokens import Span as SpacySpan
from spacy.util import filter_spans, registry

from toolkit import __version__
from toolkit.errors import UsageError
from toolkit.label_maps import LABEL_MAPS
from toolkit.preannotate import gazetteer
from toolkit.record import Span, Token

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.pipeline import SpanRuler
    from spacy.tokens import Doc

PLACES_SOURCE = f"rule:places@{__version__}"
SURNAMES_SOURCE = f"rule:surnames@{__version__}"
PLACE_RULER = "toolkit_places"
PLACE_PATTERN_ID = "toolkit_places"
ENTITY_PIPES: tuple[str, ...] = ("ner",)

# Labels a bare surname may be taken back from: never numbers, dates or a PERSON already.
SURNAME_RELABEL = frozenset({"ORG", "GPE", "NORP", "LOC", "FAC", "PRODUCT", "WORK_OF_ART", "EVENT", "LAW"})
POSSESSIVE = frozenset({"'s", "’s", "'", "’"})

LabelMap = Mapping[str, str | None]


@dataclass(frozen=True, slots=True)
class Entity:
    """An entity in the record's text: character offsets, label, and who made it."""

    start: int
    end: int
    label: str
    source: str


# --- the place ruler (runs in the pipeline, after ner) --------------------------------------------


def _covers(outer: SpacySpan, inner: SpacySpan) -> bool:
    return outer.start <= inner.start and inner.end <= outer.end


def merge_place_matches(entities: Iterable[SpacySpan], matches: Iterable[SpacySpan]) -> list[SpacySpan]:
    """Combine the model's entities with gazetteer matches.

    The same words: the gazetteer's label wins ("Kyiv" PERSON becomes GPE, "Ukrainian" GPE becomes NORP),
    except a PERSON whose name is also a place name ("Jordan"). A match inside a longer entity keeps the
    longer one ("New York Times"), unless a PERSON starts with it ("Ukrainian President X" split in two).
    A match that covers the model's pieces replaces them ("South" + "Korea"). A free match is added.
    """
    kept = sorted(entities, key=lambda e: e.start)
    for match in filter_spans(list(matches)):
        hits = [e for e in kept if e.start < match.end and match.start < e.end]
        removed, added = _merge_one(match, hits, kept)
        if added:
            kept = sorted([e for e in kept if e not in removed] + added, key=lambda e: e.start)
    return kept


def _merge_one(match: SpacySpan, hits: list[SpacySpan], kept: list[SpacySpan]) -> tuple[list, list]:
    """(entities to remove, spans to add) for one gazetteer match over the entities it overlaps."""
    person_like = match.text in gazetteer.PERSON_LIKE
    if not hits:
        person_next = next((e for e in kept if e.start == match.end and e.label_ == "PERSON"), None)
        if person_like and person_next is not None:
            # "Christian" + PERSON "Lindner": a first name, not a people.
            return [person_next], [SpacySpan(match.doc, match.start, person_next.end, label="PERSON")]
        return [], [match]
    first = hits[0]
    if len(hits) == 1 and (first.start, first.end) == (match.start, match.end):
        return (hits, [match]) if _may_relabel(first, match) else ([], [])
    if all(_covers(match, e) for e in hits):
        return ([], []) if person_like and any(e.label_ == "PERSON" for e in hits) else (hits, [match])
    starts_person = first.label_ == "PERSON" and first.start == match.start and _covers(first, match)
    if len(hits) == 1 and starts_person and not person_like:
        return hits, [match, SpacySpan(match.doc, match.end, first.end, label="PERSON")]
    return [], []


def _may_relabel(entity: SpacySpan, match: SpacySpan) -> bool:
    if entity.label_ == match.label_:
        return False
    if entity.label_ == "PERSON" and match.text in gazetteer.PERSON_LIKE:
        return False
    return not (entity.label_ == "LANGUAGE" and match.label_ == "NORP")


@registry.misc("toolkit.place_ents_filter.v1")
def make_place_ents_filter() -> Any:
    return merge_place_matches


def add_place_ruler(nlp: Language) -> None:
    """Put the gazetteer after ``ner`` (or at the end), matching exact spellings."""
    if PLACE_RULER in nlp.pipe_names:
        return
    config = {
        "spans_key": None,
        "annotate_ents": True,
        "overwrite": False,
        "ents_filter": {"@misc": "toolkit.place_ents_filter.v1"},
        "validate": False,
    }
    after = "ner" if "ner" in nlp.pipe_names else None
    ruler = cast("SpanRuler", nlp.add_pipe("span_ruler", name=PLACE_RULER, config=config, after=after))
    patterns: list[dict[str, Any]] = [{**p, "id": PLACE_PATTERN_ID} for p in gazetteer.place_patterns()]
    # The ruler matches words exactly (ORTH), so its phrase patterns need only the tokenizer; add_patterns
    # would run every component before the ruler (tok2vec, tagger, parser, ner) over every listed name, about
    # 0.4 s of every start. The same tokens give the same matcher, so the entities are unchanged.
    before = nlp.pipe_names[: nlp.pipe_names.index(PLACE_RULER)]
    with nlp.select_pipes(disable=before):
        ruler.add_patterns(patterns)


# --- document-level rules (run in the parent, in document order) ----------------------------------


def _trim_possessive(ent: SpacySpan) -> tuple[int, int]:
    start, end = ent.start, ent.end
    while end - start > 1 and ent.doc[end - 1].text in POSSESSIVE:
        end -= 1
    return start, end


def document_entities(doc: Doc, surnames: set[str], *, model_source: str, text: str) -> list[Entity]:
    """The record's entities with the surname rule applied; ``surnames`` carries PERSON last names seen
    earlier in the same document and is updated in place. ``text`` is the text the Doc was made from (Doc.text
    would join every token again: a third of this function's time)."""
    entities: list[Entity] = []
    covered: set[int] = set()
    for ent in doc.ents:
        start, end = _trim_possessive(ent)
        label = ent.label_
        source = PLACES_SOURCE if ent.id_ == PLACE_PATTERN_ID else model_source
        words = doc[start:end]
        if label == "PERSON" and len(words) > 1:
            surnames.add(words[-1].text)
        elif len(words) == 1 and label in SURNAME_RELABEL and words.text in surnames:
            label, source = "PERSON", SURNAMES_SOURCE
        covered.update(range(ent.start, ent.end))
        entities.append(Entity(words.start_char, words.end_char, label, source))
    # A surname the model missed altogether ("Bedingfield said ..."): found in the text, kept where it is a
    # whole token (cheaper than walking every token of a long document's records).
    for name in surnames:
        start = text.find(name)
        while start != -1:
            span = doc.char_span(start, start + len(name))
            if span is not None and len(span) == 1 and span.start not in covered and span[0].is_title:
                entities.append(Entity(start, start + len(name), "PERSON", SURNAMES_SOURCE))
            start = text.find(name, start + 1)
    return sorted(entities, key=lambda e: (e.start, e.end))


# --- label maps -----------------------------------------------------------------------------------


def load_label_map(spec: str | Mapping[str, str | None] | None) -> dict[str, str | None] | None:
    """None (OntoNotes labels as they are), a built-in name ("conll"), a mapping, or a JSON file of one."""
    if spec is None:
        return None
    if isinstance(spec, Mapping):
        return _checked_map(dict(spec), "label map")
    if spec in LABEL_MAPS:
        return dict(LABEL_MAPS[spec])
    path = Path(spec)
    if not path.is_file():
        raise UsageError(
            f"--label-map {spec}: not a known map ({', '.join(sorted(LABEL_MAPS))}) nor a JSON file",
            hint='give "conll" or a JSON object mapping OntoNotes labels to new labels or null',
        )
    try:
        loaded = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UsageError(f"--label-map {spec}: cannot read it as JSON ({exc})") from None
    return _checked_map(loaded, f"--label-map {spec}")


def _checked_map(mapping: Any, what: str) -> dict[str, str | None]:
    if not isinstance(mapping, dict) or not all(
        isinstance(k, str) and (v is None or isinstance(v, str)) for k, v in mapping.items()
    ):
        raise UsageError(f"{what}: must be a JSON object of label -> label or null")
    return mapping


def map_label(label: str, label_map: LabelMap | None) -> str | None:
    """The label under the map; labels the map does not name pass through unchanged, null drops them."""
    if label_map is None or label not in label_map:
        return label
    return label_map[label]


# --- alignment to the record's tokens -------------------------------------------------------------


@dataclass(slots=True)
class Alignment:
    spans: list[Span]
    expanded: int = 0
    unaligned: list[Entity] = field(default_factory=list)


def align_entities(
    entities: list[Entity], tokens: list[Token], label_map: LabelMap | None = None
) -> Alignment:
    """Record spans for ``entities`` over ``tokens``: exact when the boundaries are token boundaries,
    widened to whole tokens when the record was tokenised differently, and reported when neither works
    (the entity lies between tokens, or widening would make it overlap its neighbour)."""
    starts = [t.start for t in tokens]
    ends = [t.end for t in tokens]
    result = Alignment(spans=[], unaligned=[])
    last_end = -1
    for entity in entities:
        label = map_label(entity.label, label_map)
        if label is None:
            continue
        first = bisect.bisect_right(ends, entity.start)  # first token ending after the entity starts
        last = bisect.bisect_left(starts, entity.end) - 1  # last token starting before the entity ends
        if first > last or first >= len(tokens) or last < 0 or starts[first] < last_end:
            result.unaligned.append(entity)
            continue
        start, end = starts[first], ends[last]
        if (start, end) != (entity.start, entity.end):
            result.expanded += 1
        result.spans.append(
            Span(start=start, end=end, label=label, token_start=first, token_end=last, source=entity.source)
        )
        last_end = end
    return result
