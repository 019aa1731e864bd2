"""Reading a pipeline's predictions back as record items: quotes from three span groups, events from cats,
entities without quote roles, and Docs on the record's own tokens."""

from __future__ import annotations

import numpy
import spacy
from spacy.tokens import Span as SpacySpan

from toolkit.record import Record, make_tokens
from toolkit.training.predict import (
    best_spans,
    doc_for_record,
    entity_offsets,
    events_from_doc,
    predicted_record,
    quotes_from_doc,
)

NLP = spacy.blank("en")
TEXT = "The mayor said the bridge would reopen, and police told reporters the road was safe."


def _doc(groups: dict[str, list[tuple[int, int, str, float]]]):
    doc = NLP(TEXT)
    for key, spans in groups.items():
        doc.spans[key] = [SpacySpan(doc, a, b, label=label) for a, b, label, _ in spans]
        doc.spans[key].attrs["scores"] = numpy.array([score for *_, score in spans], dtype="f")
    return doc


def _words(doc, role) -> str | None:
    return None if role is None else doc.text[role.start : role.end]


def test_overlapping_spans_keep_the_best_scored():
    doc = _doc({"quotes": [(3, 7, "indirect", 0.7), (3, 8, "indirect", 0.9), (4, 6, "direct", 0.6)]})
    assert [(s.start, s.end) for s in best_spans(doc.spans["quotes"])] == [(3, 8)]


def test_each_content_takes_the_nearest_cue_and_the_speaker_nearest_that_cue():
    doc = _doc(
        {
            # "the bridge would reopen" and "the road was safe"
            "quotes": [(3, 7, "indirect", 0.9), (12, 16, "indirect", 0.8)],
            "quote_speakers": [(0, 2, "SPEAKER", 0.9), (9, 10, "SPEAKER", 0.9)],
            "quote_cues": [(2, 3, "CUE", 0.9), (10, 11, "CUE", 0.9)],
        }
    )
    quotes = quotes_from_doc(doc, source="model:x@1")
    assert [(_words(doc, q.content), _words(doc, q.speaker), _words(doc, q.cue), q.kind) for q in quotes] == [
        ("the bridge would reopen", "The mayor", "said", "indirect"),
        ("the road was safe", "police", "told", "indirect"),
    ]
    assert {q.source for q in quotes} == {"model:x@1"}


def test_a_content_without_cue_or_speaker_is_still_a_quote_and_roles_alone_are_none():
    doc = _doc({"quotes": [(3, 7, "mixed", 0.9)], "quote_speakers": [], "quote_cues": []})
    [quote] = quotes_from_doc(doc, source="s")
    assert (quote.speaker, quote.cue, quote.kind) == (None, None, "mixed")
    assert quotes_from_doc(_doc({"quote_cues": [(2, 3, "CUE", 0.9)]}), source="s") == []


def test_events_are_the_cats_at_or_above_the_threshold():
    doc = NLP(TEXT)
    doc.cats = {"CONSULT": 0.5, "ASSAULT": 0.49, "AGREE": 0.9}
    assert [e.label for e in events_from_doc(doc, source="s")] == ["AGREE", "CONSULT"]
    assert all(e.trigger is None for e in events_from_doc(doc, source="s"))


def test_quote_roles_and_triggers_are_not_entities_other_span_groups_are():
    doc = _doc({"quotes": [(3, 7, "indirect", 0.9)], "event_triggers": [(6, 7, "AGREE", 1.0)]})
    doc.ents = [SpacySpan(doc, 0, 2, label="PERSON")]
    doc.spans["sc"] = [SpacySpan(doc, 9, 10, label="ORG")]
    assert entity_offsets(doc) == [(0, 9, "PERSON"), (44, 50, "ORG")]
    assert TEXT[44:50] == "police"


def test_docs_follow_the_record_tokens_and_predictions_carry_token_indices():
    tokens = make_tokens(NLP(TEXT))
    record = Record(text=TEXT, tokens=tokens)
    doc = doc_for_record(NLP, record)
    assert [t.text for t in doc] == [t.text for t in tokens]
    doc.ents = [SpacySpan(doc, 9, 10, label="ORG")]
    predicted, misaligned = predicted_record(doc, record, source="s")
    assert [(s.label, s.token_start, s.token_end) for s in predicted.spans] == [("ORG", 9, 9)]
    assert misaligned == 0
    # Tokens that do not rebuild the text: the pipeline's tokenizer decides.
    odd = Record(text=TEXT, tokens=tokens[:3])
    assert len(doc_for_record(NLP, odd)) == len(tokens)
