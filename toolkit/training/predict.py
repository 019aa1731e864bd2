"""What a trained pipeline predicts, read back as record items: ``doc.ents`` as entities, the quote span keys
as quotes, ``doc.cats`` as PLOVER event types. ``toolkit benchmark --system spacy:DIR`` and ``toolkit
preannotate --model DIR`` read a pipeline the same way, so the two always see the same predictions.

Quotes come from three span groups that spancat fills independently (``quotes`` labelled with the quote
kind, ``quote_speakers``, ``quote_cues``: the keys of the release's DocBins). Within each group overlapping
spans are resolved by score, highest first; each content then takes the nearest cue outside it, and the
nearest speaker to that cue (or to the content when no cue was found). A speaker or cue may serve several
contents, as an interrupted quote's two pieces share theirs. Speaker resolution and cross-sentence links are
not predicted.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from toolkit.labels import QUOTE_KINDS
from toolkit.record import Event, Quote, Record, Role

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc, Span, SpanGroup

# The entry of a pipeline's meta.json that says toolkit train made it, and on what (see training/train.py).
TRAINED_META_KEY = "toolkit_training"
CONTENT_KEY = "quotes"
SPEAKER_KEY = "quote_speakers"
CUE_KEY = "quote_cues"
QUOTE_KEYS: tuple[str, ...] = (CONTENT_KEY, SPEAKER_KEY, CUE_KEY)
# Span keys that are not entities: quote roles, and event triggers as the release's DocBins store them.
NOT_ENTITY_KEYS = frozenset({*QUOTE_KEYS, "event_triggers"})
CATS_THRESHOLD = 0.5


def doc_for_record(nlp: Language, record: Record) -> Doc:
    """A Doc on the record's own tokens when they rebuild its text exactly, so that predictions line up with
    them; otherwise the pipeline's tokenizer decides."""
    from spacy.tokens import Doc

    words = [t.text for t in record.tokens]
    spaces = [bool(t.ws) for t in record.tokens]
    if words and "".join(w + (" " if s else "") for w, s in zip(words, spaces, strict=True)) == record.text:
        return Doc(nlp.vocab, words=words, spaces=spaces)
    return nlp.make_doc(record.text)


def span_keys(nlp: Language) -> set[str]:
    """The span keys the pipeline's span categorizers fill."""
    return {key for _, pipe in nlp.pipeline if isinstance(key := getattr(pipe, "key", None), str)}


def predicts_quotes(nlp: Language) -> bool:
    return CONTENT_KEY in span_keys(nlp)


def predicts_cats(nlp: Language) -> bool:
    # Components declare what they set: textcat and textcat_multilabel (and custom ones) assign doc.cats.
    return any("doc.cats" in nlp.get_pipe_meta(name).assigns for name in nlp.pipe_names)


def _scores(group: SpanGroup) -> list[float]:
    scores = group.attrs.get("scores") if hasattr(group, "attrs") else None
    if scores is None or len(scores) != len(group):
        return [1.0] * len(group)
    return [float(s) for s in scores]


def best_spans(group: SpanGroup) -> list[Span]:
    """The group's spans without overlaps: best score first, then leftmost, then shortest; in text order."""
    scores = _scores(group)
    ranked = sorted(
        range(len(group)), key=lambda i: (-scores[i], group[i].start, group[i].end, group[i].label_)
    )
    kept: list[Span] = []
    for i in ranked:
        span = group[i]
        if all(span.end <= k.start or k.end <= span.start for k in kept):
            kept.append(span)
    return sorted(kept, key=lambda s: (s.start, s.end))


def _gap(a: Span, b: Span) -> int:
    """Tokens between two spans that do not overlap."""
    return b.start - a.end if a.end <= b.start else a.start - b.end


def _nearest(candidates: Iterable[Span], anchor: Span, avoid: list[Span]) -> Span | None:
    free = [c for c in candidates if all(c.end <= a.start or a.end <= c.start for a in avoid)]
    return min(free, key=lambda c: (_gap(anchor, c), c.start), default=None)


def _role(span: Span | None) -> Role | None:
    return None if span is None else Role(start=span.start_char, end=span.end_char)


def quotes_from_doc(doc: Doc, *, source: str) -> list[Quote]:
    """Quotes assembled from the quote span keys (see the module's notes); [] when the doc has none."""
    if CONTENT_KEY not in doc.spans:
        return []
    speakers = best_spans(doc.spans[SPEAKER_KEY]) if SPEAKER_KEY in doc.spans else []
    cues = best_spans(doc.spans[CUE_KEY]) if CUE_KEY in doc.spans else []
    quotes = []
    for content in best_spans(doc.spans[CONTENT_KEY]):
        cue = _nearest(cues, content, [content])
        speaker = _nearest(speakers, cue or content, [content, *([cue] if cue is not None else [])])
        kind = content.label_ if content.label_ in QUOTE_KINDS else QUOTE_KINDS[0]
        quotes.append(
            Quote(content=_role(content), speaker=_role(speaker), cue=_role(cue), kind=kind, source=source)
        )
    return quotes


def events_from_doc(doc: Doc, *, source: str, threshold: float = CATS_THRESHOLD) -> list[Event]:
    """Every category scored at or above the threshold, in name order, without a trigger."""
    return [
        Event(label=label, source=source) for label, score in sorted(doc.cats.items()) if score >= threshold
    ]


def entity_offsets(doc: Doc) -> list[tuple[int, int, str]]:
    """(start, end, label) of ``doc.ents`` and of every span group that is not a quote role or a trigger."""
    found = [(s.start_char, s.end_char, s.label_) for s in doc.ents]
    found += [
        (s.start_char, s.end_char, s.label_)
        for key in sorted(doc.spans)
        if key not in NOT_ENTITY_KEYS
        for s in doc.spans[key]
    ]
    return sorted(set(found))


def trained_tasks(nlp: Language) -> tuple[str, ...]:
    """The tasks a pipeline predicts: entities (an ``ner``), quotes (the quote span keys), events (cats)."""
    tasks = []
    if "ner" in nlp.pipe_names or any("doc.ents" in nlp.get_pipe_meta(n).assigns for n in nlp.pipe_names):
        tasks.append("entities")
    if predicts_quotes(nlp):
        tasks.append("quotes")
    if predicts_cats(nlp):
        tasks.append("events")
    return tuple(tasks)


def predicted_record(doc: Doc, record: Record, *, source: str) -> tuple[Record, int]:
    """``record`` with the pipeline's entities, quotes and events in place of its own, and how many entities
    do not start and end on the record's token boundaries (they are kept, with no token indices)."""
    import msgspec

    from toolkit.record import Span

    starts = {t.start: t.id for t in record.tokens}
    ends = {t.end: t.id for t in record.tokens}
    spans = [
        Span(start=a, end=b, label=label, token_start=starts.get(a), token_end=ends.get(b), source=source)
        for a, b, label in entity_offsets(doc)
    ]
    misaligned = sum(1 for s in spans if s.token_start is None or s.token_end is None)
    predicted = msgspec.structs.replace(
        record,
        spans=spans,
        quotes=quotes_from_doc(doc, source=source),
        events=events_from_doc(doc, source=source),
    )
    return predicted, misaligned
