"""``toolkit preannotate --model MODEL_DIR`` with a pipeline ``toolkit train`` wrote: the trained pipeline
predicts the tasks it was trained on, the toolkit's rules (on the default model) the rest.

Such a pipeline is recognised by the ``toolkit_training`` entry of its meta.json; any other ``--model`` is a
base model for the rules, as before. The trained predictions carry the pipeline's own name and version as
their source (``model:en_ukraine_liveblog@1.2.0``) and are read exactly as ``toolkit benchmark --system
spacy:MODEL_DIR`` reads them (``toolkit.training.predict``): entities are ``doc.ents`` (no place list or
surname rule on top: what the model learned is what is measured), quotes come from the quote span keys
without speaker resolution or cross-sentence links, events are ``doc.cats`` types without triggers. Human
work is never overwritten, as for the rules: an answered record, or a layer holding an item that no model
or rule made, keeps that layer.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import msgspec
import orjson

from toolkit.errors import UsageError
from toolkit.record import Record
from toolkit.training.predict import TRAINED_META_KEY

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

    from toolkit.options import PreannotateOptions
    from toolkit.preannotate.run import PreannotateSummary

META_FILE = "meta.json"


def training_meta(model: str | None) -> dict[str, Any] | None:
    """What ``toolkit train`` recorded about the pipeline at ``model``; None for any other model."""
    if not model:
        return None
    path = Path(model) / META_FILE
    if not path.is_file():
        return None
    try:
        meta = orjson.loads(path.read_bytes())
    except (orjson.JSONDecodeError, OSError):
        return None  # not ours to judge: loading it as a base model names what is wrong
    entry = meta.get(TRAINED_META_KEY) if isinstance(meta, dict) else None
    return entry if isinstance(entry, dict) else None


def trained_pipeline(model: str | None) -> TrainedPreannotator | None:
    """A pre-annotator for the pipeline at ``model`` when ``toolkit train`` wrote it, else None."""
    return TrainedPreannotator(str(model)) if training_meta(model) is not None else None


def _is_machine(source: str | None) -> bool:
    return source is not None and source.startswith(("model:", "rule:"))


def _human(record: Record, items: list[Any]) -> bool:
    return record.answer is not None or any(not _is_machine(item.source) for item in items)


class TrainedPreannotator:
    """Pre-annotation with a trained pipeline for its tasks and the rules for the others."""

    def __init__(self, model_dir: str) -> None:
        from toolkit.models import load_pipeline, model_source
        from toolkit.training.predict import trained_tasks

        self.nlp: Language = load_pipeline(model_dir)
        self.source = model_source(self.nlp)
        self.tasks = trained_tasks(self.nlp)

    def preannotate(
        self, records: Iterable[Record], *, options: PreannotateOptions, summary: PreannotateSummary
    ) -> Iterator[Record]:
        """Records with the rules' items for the tasks the pipeline lacks, then the pipeline's for its own."""
        from toolkit.preannotate.entities import load_label_map
        from toolkit.preannotate.run import preannotate_records

        own = tuple(t for t in options.tasks if t in self.tasks)
        by_rules = tuple(t for t in options.tasks if t not in self.tasks)
        if options.events_model and "events" in own:
            raise UsageError(
                f"--events-model {options.events_model}: the --model pipeline predicts events itself; "
                "give only one"
            )
        stream: Iterator[Record]
        if by_rules:
            rules = dataclasses.replace(options, tasks=by_rules, model=None)  # the default model's rules
            stream = preannotate_records(records, options=rules, summary=summary)
        else:
            stream = self._counted(records, summary)
        label_map = load_label_map(options.label_map)
        rules_source = ""
        for record in self._annotated(stream, own, by_rules, label_map, summary):
            rules_source = rules_source or summary.model
            yield record
        rules_source = rules_source or summary.model
        names = f"{self.source} for {','.join(own) or 'no task'}"
        summary.model = f"{names}; rules with {rules_source} for {','.join(by_rules)}" if by_rules else names
        summary.tasks = options.tasks

    @staticmethod
    def _counted(records: Iterable[Record], summary: PreannotateSummary) -> Iterator[Record]:
        """What the rules' pass would have counted, when no rule runs."""
        document: object = object()
        for record in records:
            if record.meta.doc_id is None or record.meta.doc_id != document:
                summary.documents += 1
                document = record.meta.doc_id
            summary.records += 1
            summary.words += len(record.text.split())
            yield record

    def _annotated(
        self,
        records: Iterable[Record],
        own: tuple[str, ...],
        by_rules: tuple[str, ...],
        label_map: Mapping[str, str | None] | None,
        summary: PreannotateSummary,
    ) -> Iterator[Record]:
        from toolkit.training.predict import doc_for_record

        pairs = ((doc_for_record(self.nlp, record), record) for record in records)
        for doc, record in self.nlp.pipe(pairs, as_tuples=True):
            out = self._apply(record, doc, own, label_map, summary)
            # One count per record: the rules' pass has counted it already when it kept one of its layers.
            if _kept_layers(record, own) and not _kept_layers(record, by_rules):
                summary.kept_human += 1
            yield out

    def _apply(
        self,
        record: Record,
        doc: Doc,
        own: tuple[str, ...],
        label_map: Mapping[str, str | None] | None,
        summary: PreannotateSummary,
    ) -> Record:
        from toolkit.preannotate.entities import Entity, align_entities
        from toolkit.record import make_tokens
        from toolkit.training.predict import events_from_doc, quotes_from_doc

        out = msgspec.structs.replace(record)
        if not out.tokens:
            out.tokens = make_tokens(doc)
            summary.tokenized += 1
        key = record.meta.id or f"record:{summary.records}"
        if "entities" in own and not _human(record, record.spans):
            entities = [Entity(e.start_char, e.end_char, e.label_, self.source) for e in doc.ents]
            aligned = align_entities(entities, out.tokens, label_map)
            out.spans = aligned.spans
            summary.entities += len(aligned.spans)
            summary.spans_expanded += aligned.expanded
            for entity in aligned.unaligned or ():
                summary.spans_unaligned += 1
                summary.warn(
                    f"{key}: entity {out.text[entity.start : entity.end]!r} ({entity.label}) at "
                    f"{entity.start}-{entity.end} does not line up with the record's tokens; not written"
                )
        if "quotes" in own and not _human(record, record.quotes):
            out.quotes = quotes_from_doc(doc, source=self.source)
            summary.quotes += len(out.quotes)
        if "events" in own and not _human(record, record.events):
            out.events = events_from_doc(doc, source=self.source)
            summary.events += len(out.events)
        return out


_LAYERS = {"entities": "spans", "quotes": "quotes", "events": "events"}


def _kept_layers(record: Record, tasks: tuple[str, ...]) -> bool:
    return any(_human(record, getattr(record, _LAYERS[task])) for task in tasks)
