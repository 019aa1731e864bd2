"""The four configs of a packaged dataset: their Hugging Face features, and how a record becomes a row.

``entities`` (the default) follows the conll2003 layout users know (``tokens`` and IOB2 ``ner_tags``) plus the
character-offset ``entities``; ``quotes`` and ``events`` hold one task each; ``full`` holds the whole record
(meta, provenance, unknown keys as JSON text) so ``record_from_full_row`` rebuilds it exactly. Every config
has one row per record, so negatives (sentences with nothing in them) are kept.

Entity label names come in a fixed order: the scheme's own order in the labels file (OntoNotes: alphabetical;
CoNLL: PER, ORG, LOC, MISC). ``ner_tags`` names are ``O`` then ``B-``/``I-`` for each label in that order,
so the CoNLL scheme gives exactly conll2003's tag list.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

import msgspec
import orjson

from toolkit.labels import CONLL_LABELS, ONTONOTES_LABELS, PLOVER_TYPES, QUOTE_KINDS
from toolkit.record import Record, Role, Span, record_from_dict

if TYPE_CHECKING:
    from datasets import Features

CONFIG_NAMES: tuple[str, ...] = ("entities", "quotes", "events", "full")
DEFAULT_CONFIG = "entities"


@dataclass(frozen=True)
class EntityScheme:
    name: str
    labels: tuple[str, ...]

    @cached_property
    def tags(self) -> tuple[str, ...]:
        return ("O", *(f"{prefix}-{label}" for label in self.labels for prefix in ("B", "I")))

    @cached_property
    def label_index(self) -> dict[str, int]:
        return {label: i for i, label in enumerate(self.labels)}


BUILTIN_SCHEMES: dict[str, tuple[str, ...]] = {"ontonotes": ONTONOTES_LABELS, "conll": CONLL_LABELS}


@dataclass(frozen=True)
class DatasetLabels:
    """The ClassLabel names of one dataset version: an entity scheme, quote kinds, PLOVER types."""

    entities: EntityScheme
    quote_kinds: tuple[str, ...] = QUOTE_KINDS
    event_types: tuple[str, ...] = PLOVER_TYPES

    @cached_property
    def kind_index(self) -> dict[str, int]:
        return {kind: i for i, kind in enumerate(self.quote_kinds)}

    @cached_property
    def event_index(self) -> dict[str, int]:
        return {label: i for i, label in enumerate(self.event_types)}

    def as_lists(self) -> dict[str, list[str]]:
        """The label sets as the manifest records them; a change here needs a major or minor version."""
        return {
            "entities": list(self.entities.labels),
            "ner_tags": list(self.entities.tags),
            "quote_kinds": list(self.quote_kinds),
            "event_types": list(self.event_types),
        }


class RowError(ValueError):
    """A record that cannot become a row (misaligned or overlapping entities, an unknown label)."""

    def __init__(self, message: str, rule: str) -> None:
        super().__init__(message)
        self.rule = rule


def choose_entity_scheme(
    labels: Iterable[str],
    *,
    schemes: Mapping[str, tuple[str, ...]] = BUILTIN_SCHEMES,
    requested: str = "auto",
    previous: str | None = None,
    preferred: str = "ontonotes",
) -> EntityScheme:
    """The scheme whose label set covers every gold entity label.

    ``auto`` keeps the previous version's scheme while it still covers the data, else tries the preferred
    scheme (the labels file's default: the toolkit's own models use OntoNotes) and then the others in name
    order. Raises RowError when no scheme covers the labels.
    """
    found = set(labels)
    if requested != "auto":
        if requested not in schemes:
            known = ", ".join(sorted(schemes))
            raise RowError(f"unknown entity scheme {requested!r}; choose auto, {known}", "entity-scheme")
        order = [requested]
    else:
        order = [name for name in (previous, preferred) if name is not None and name in schemes]
        order += [name for name in sorted(schemes) if name not in order]
    for name in order:
        if found <= set(schemes[name]):
            return EntityScheme(name, tuple(schemes[name]))
    missing = sorted(found - set(schemes[order[0]]))
    raise RowError(
        f"entity labels {', '.join(missing)} are not in the {' or '.join(order)} label set",
        "unknown-entity-label",
    )


def features(config: str, labels: DatasetLabels) -> Features:
    """The declared features of one config; the same object is embedded in the Parquet schema and the card."""
    from datasets import ClassLabel, Features, List, Value

    string, int32, int64 = Value("string"), Value("int32"), Value("int64")
    scheme = labels.entities
    offsets = {"start": int32, "end": int32}
    if config == "entities":
        return Features(
            {
                "id": string,
                "text": string,
                "tokens": List(string),
                "ner_tags": List(ClassLabel(names=list(scheme.tags))),
                "entities": List({**offsets, "label": ClassLabel(names=list(scheme.labels))}),
            }
        )
    if config == "quotes":
        return Features(
            {
                "id": string,
                "text": string,
                "quotes": List(
                    {
                        "content": dict(offsets),
                        "speaker": dict(offsets),
                        "cue": dict(offsets),
                        "kind": ClassLabel(names=list(labels.quote_kinds)),
                        "speaker_text": string,
                        "resolved_speaker": string,
                    }
                ),
            }
        )
    if config == "events":
        return Features(
            {
                "id": string,
                "text": string,
                "event_types": List(ClassLabel(names=list(labels.event_types))),
                "triggers": List(
                    {**offsets, "label": ClassLabel(names=list(labels.event_types)), "text": string}
                ),
            }
        )
    if config == "full":
        role = {**offsets, "text": string}
        return Features(
            {
                "id": string,
                "text": string,
                "tokens": List({"text": string, **offsets, "id": int32, "ws": Value("bool")}),
                "spans": List(
                    {
                        **offsets,
                        "label": string,
                        "token_start": int32,
                        "token_end": int32,
                        "text": string,
                        "source": string,
                        "id": string,
                    }
                ),
                "quotes": List(
                    {
                        "content": role,
                        "speaker": role,
                        "cue": role,
                        "kind": string,
                        "source": string,
                        "id": string,
                        "speaker_resolved": {"text": string, "record_id": string, "label": string},
                        "linked_records": List(string),
                    }
                ),
                "events": List({"label": string, "trigger": role, "source": string}),
                "meta": {
                    "id": string,
                    "doc_id": string,
                    "unit": int64,
                    "start": int64,
                    "end": int64,
                    "date": string,
                    "source": string,
                    "text_sha256": string,
                    "title": string,
                    "url": string,
                    "paragraph": int64,
                    "extra": string,
                },
                "answer": string,
                "_input_hash": int64,
                "_task_hash": int64,
                "_annotator_id": string,
                "_session_id": string,
                "_timestamp": Value("float64"),
                "_view_id": string,
                "extra": string,
            }
        )
    raise ValueError(f"unknown config {config!r}")


def yaml_features(declared: Features) -> list[dict[str, Any]]:
    """The features in the Hub card's YAML form (``dataset_info.features``), written from the public feature
    types as the card specification describes them (hub-docs, datasetcard.md)."""
    return [{"name": name, **_yaml_type(feature)} for name, feature in declared.items()]


def _yaml_type(feature: Any) -> dict[str, Any]:
    from datasets import ClassLabel, List, Value

    if isinstance(feature, ClassLabel):
        return {"dtype": {"class_label": {"names": {str(i): name for i, name in enumerate(feature.names)}}}}
    if isinstance(feature, Value):
        return {"dtype": feature.dtype}
    if isinstance(feature, List) and feature.length == -1:
        inner = _yaml_type(feature.feature)
        # A list of one dtype or of one struct is written without the extra level, as the Hub expects.
        return {"list": inner[next(iter(inner))] if list(inner) in (["dtype"], ["struct"]) else inner}
    if isinstance(feature, dict):
        return {"struct": [{"name": key, **_yaml_type(value)} for key, value in feature.items()]}
    raise TypeError(f"no YAML form for feature {feature!r}")


def _portable(value: Any) -> Any:
    """``Features.to_dict()`` with every list written as ``[feature]``: datasets 3.x reads that form (it has
    no ``List`` type) and datasets 4 and later read it as ``List``."""
    if isinstance(value, dict):
        if (
            value.get("_type") == "List"
            and value.get("length", -1) == -1
            and set(value) <= {"_type", "feature", "length"}
        ):
            return [_portable(value["feature"])]
        return {key: _portable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_portable(item) for item in value]
    return value


def arrow_schema(config: str, labels: DatasetLabels) -> Any:
    """The Arrow schema of a config's Parquet files, with the features embedded in the portable form, so
    ``load_dataset("parquet", data_files=...)`` keeps the ClassLabels in datasets 3.x as in 4 and later."""
    declared = features(config, labels)
    metadata = {"info": {"features": _portable(declared.to_dict())}}
    return declared.arrow_schema.with_metadata({"huggingface": orjson.dumps(metadata).decode()})


def token_ranges(
    spans: Sequence[Span], n_tokens: int, boundaries: Callable[[], tuple[Sequence[int], Sequence[int]]]
) -> list[tuple[int, int, str]]:
    """Each entity as (first token, last token inclusive, label).

    Token indices on the span are used as given (they must be in range); a span without them is placed by
    its character offsets, which must fall on token boundaries (``boundaries`` gives the token starts and
    ends, asked for only then). ``check_alignment`` compares indices and offsets.
    """
    if spans and not n_tokens:
        raise RowError("entities but no tokens (records need tokens: see toolkit convert)", "missing-tokens")
    by_start: dict[int, int] | None = None
    by_end: dict[int, int] = {}
    result = []
    for span in spans:
        first, last = span.token_start, span.token_end
        if first is None or last is None:
            if by_start is None:
                starts, ends = boundaries()
                by_start = {start: i for i, start in enumerate(starts)}
                by_end = {end: i for i, end in enumerate(ends)}
            first, last = by_start.get(span.start), by_end.get(span.end)
        if first is None or last is None or not 0 <= first <= last < n_tokens:
            raise RowError(
                f"entity {span.start}-{span.end} does not line up with token boundaries", "span-misaligned"
            )
        result.append((first, last, span.label))
    return result


def check_alignment(
    ranges: Sequence[tuple[int, int, str]],
    spans: Sequence[Span],
    starts: Sequence[int],
    ends: Sequence[int],
    *,
    offset: int = 0,
) -> None:
    """Token indices and character offsets of each entity must agree (``offset``: the record's first token
    in ``starts``/``ends`` when they hold a whole batch)."""
    for (first, last, _), span in zip(ranges, spans, strict=True):
        if starts[offset + first] != span.start or ends[offset + last] != span.end:
            raise RowError(
                f"entity {span.start}-{span.end} disagrees with its tokens {first}-{last}",
                "span-token-mismatch",
            )


def entity_token_spans(record: Record) -> list[tuple[int, int, str]]:
    """Token ranges of a record's entities, checked against its tokens."""
    starts, ends = [t.start for t in record.tokens], [t.end for t in record.tokens]
    ranges = token_ranges(record.spans, len(record.tokens), lambda: (starts, ends))
    check_alignment(ranges, record.spans, starts, ends)
    return ranges


def iob2_tags(n_tokens: int, spans: list[tuple[int, int, str]], scheme: EntityScheme) -> list[int]:
    """IOB2 tag ids; overlapping entities cannot be tagged and are an error."""
    tags = [0] * n_tokens
    for first, last, label in spans:
        index = scheme.label_index.get(label)
        if index is None:
            raise RowError(
                f"entity label {label} is not in the {scheme.name} label set", "unknown-entity-label"
            )
        if any(tags[first : last + 1]):
            raise RowError(f"entity at tokens {first}-{last} overlaps another entity", "overlapping-entities")
        tags[first] = 1 + 2 * index
        for i in range(first + 1, last + 1):
            tags[i] = 2 + 2 * index
    return tags


def entity_columns(
    spans: Sequence[Span], ranges: list[tuple[int, int, str]], n_tokens: int, labels: DatasetLabels
) -> tuple[list[int], list[dict[str, int]]]:
    """The ``ner_tags`` and ``entities`` values of one record."""
    scheme = labels.entities
    tags = iob2_tags(n_tokens, ranges, scheme)
    entities = [{"start": s.start, "end": s.end, "label": scheme.label_index[s.label]} for s in spans]
    return tags, entities


def entities_row(record: Record, labels: DatasetLabels) -> dict[str, Any]:
    """One record's row of the entities config (the packager builds the same columns a batch at a time)."""
    tags, entities = entity_columns(record.spans, entity_token_spans(record), len(record.tokens), labels)
    return {
        "id": record.meta.id,
        "text": record.text,
        "tokens": [t.text for t in record.tokens],
        "ner_tags": tags,
        "entities": entities,
    }


def _offsets(role: Role | None) -> dict[str, int] | None:
    return None if role is None else {"start": role.start, "end": role.end}


def quotes_row(record: Record, labels: DatasetLabels) -> dict[str, Any]:
    quotes = []
    for quote in record.quotes:
        kind = labels.kind_index.get(quote.kind)
        if kind is None:
            known = ", ".join(labels.quote_kinds)
            raise RowError(f"quote kind {quote.kind!r} is not one of {known}", "unknown-quote-kind")
        speaker = quote.speaker
        quotes.append(
            {
                "content": _offsets(quote.content),
                "speaker": _offsets(speaker),
                "cue": _offsets(quote.cue),
                "kind": kind,
                "speaker_text": record.text[speaker.start : speaker.end] if speaker else None,
                "resolved_speaker": quote.speaker_resolved.text if quote.speaker_resolved else None,
            }
        )
    return {"id": record.meta.id, "text": record.text, "quotes": quotes}


def events_row(record: Record, labels: DatasetLabels) -> dict[str, Any]:
    found: set[int] = set()
    triggers = []
    for event in record.events:
        index = labels.event_index.get(event.label)
        if index is None:
            raise RowError(f"event label {event.label!r} is not a PLOVER type", "unknown-event-type")
        found.add(index)
        if event.trigger is not None:
            start, end = event.trigger.start, event.trigger.end
            triggers.append({"start": start, "end": end, "label": index, "text": record.text[start:end]})
    return {"id": record.meta.id, "text": record.text, "event_types": sorted(found), "triggers": triggers}


def _json_text(value: Mapping[str, Any]) -> str | None:
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode() if value else None


def full_row(record: Record, *, tokens: bool = True) -> dict[str, Any]:
    """The whole record; unknown keys (top level and meta) travel as sorted JSON text.

    ``tokens=False`` leaves the tokens out, for a caller that builds that column itself.
    """
    quotes = msgspec.to_builtins(record.quotes)
    meta = msgspec.to_builtins(record.meta)
    meta["extra"] = _json_text(record.meta.extra)
    row = {
        "id": record.meta.id,
        "text": record.text,
        "spans": msgspec.to_builtins(record.spans),
        "quotes": quotes,
        "events": msgspec.to_builtins(record.events),
        "meta": meta,
        "answer": record.answer,
        "_input_hash": record.input_hash,
        "_task_hash": record.task_hash,
        "_annotator_id": record.annotator_id,
        "_session_id": record.session_id,
        "_timestamp": record.timestamp,
        "_view_id": record.view_id,
        "extra": _json_text(record.extra),
    }
    if tokens:
        # Tuples in the struct's field order: Arrow takes them several times faster than a dict per token.
        row["tokens"] = [(t.text, t.start, t.end, t.id, t.ws) for t in record.tokens]
    return row


def _drop_none(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _drop_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_none(v) for v in value]
    return value


def record_from_full_row(row: Mapping[str, Any]) -> Record:
    """Rebuild the record a ``full`` row was made from (every field of the Record type compares equal)."""
    obj = _drop_none(dict(row))
    obj.pop("id", None)
    extra = obj.pop("extra", None)
    meta = obj.get("meta", {})
    meta_extra = meta.pop("extra", None)
    if meta_extra:
        meta.update(orjson.loads(meta_extra))
    for quote in obj.get("quotes", []):
        if quote.get("kind") == "direct":
            del quote["kind"]  # the default: left out, as the encoder leaves it out of the original
    stamp = obj.get("_timestamp")
    if isinstance(stamp, float) and stamp.is_integer():
        obj["_timestamp"] = int(stamp)  # Parquet holds one number type; Prodigy writes whole seconds
    if extra:
        obj.update(orjson.loads(extra))
    return record_from_dict(obj)
