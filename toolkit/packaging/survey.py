"""Packaging's first pass: ids, groups, labels, sources and near-duplicates, reading little of each record.

Each line is decoded into a small struct (no tokens are built), so this pass costs a fraction of the second.
Several rows with one ``meta.id`` are several annotators' answers and are refused: adjudicate first.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import msgspec

from toolkit.errors import InputError
from toolkit.packaging.neardup import NearDuplicateFinder, NearDuplicates
from toolkit.packaging.readback import file_state, numbered_lines
from toolkit.packaging.splits import doc_id_of, group_id

PACKAGED_ANSWERS = (None, "accept")  # reject and ignore are decisions about a task, not gold annotations
SHOWN_SOURCES = 50


class _SurveySpanSource(msgspec.Struct):
    label: str
    source: str | None = None


class _SurveyRecord(msgspec.Struct):
    """What the first pass needs of a record, decoded without building tokens."""

    text: str
    spans: list[_SurveySpanSource] = []
    meta: dict[str, Any] = {}
    answer: str | None = None
    annotator_id: str | None = msgspec.field(default=None, name="_annotator_id")


_SURVEY_DECODER = msgspec.json.Decoder(_SurveyRecord)


@dataclass
class InputFile:
    path: Path
    sha256: str = ""
    bytes: int = 0
    records: int = 0
    state: tuple[int, int] = (0, 0)

    def entry(self) -> dict[str, Any]:
        return {"name": self.path.name, "sha256": self.sha256, "bytes": self.bytes, "records": self.records}


@dataclass
class Survey:
    """What the first pass learns: groups, labels, near-duplicates, skipped answers, sources."""

    inputs: list[InputFile]
    groups: dict[str, int] = field(default_factory=dict)
    entity_labels: set[str] = field(default_factory=set)
    skipped: Counter = field(default_factory=Counter)
    documents: set[str | None] = field(default_factory=set)
    dates: list[str] = field(default_factory=list)
    outlets: set[str] = field(default_factory=set)
    span_sources: set[str | None] = field(default_factory=set)
    annotators: set[str] = field(default_factory=set)
    near: NearDuplicates | None = None
    packaged: int = 0

    @property
    def annotation_sources(self) -> set[str]:
        """Kinds of span sources: ``model``, ``rule``, ``human``."""
        return {source.split(":", 1)[0] for source in self.span_sources if source}


def _find_duplicate_ids(paths: Sequence[Path], suspects: set[int]) -> None:
    """Raise naming the first id that really occurs twice (the hashes only pointed at suspects)."""
    seen: dict[str, tuple[str, int]] = {}
    for path in paths:
        for number, raw in numbered_lines(path):
            record_id = _SURVEY_DECODER.decode(raw).meta.get("id")
            if hash(record_id) not in suspects:
                continue
            if record_id in seen:
                first_path, first_line = seen[record_id]
                raise InputError(
                    f"meta.id {record_id} occurs again (first at {first_path}:{first_line}): "
                    "several annotators' answers for one record",
                    path=str(path),
                    line=number,
                    rule="several-annotations",
                    hint="adjudicate first (toolkit agree, or Prodigy review) so each record has one answer",
                )
            seen[record_id] = (str(path), number)


def _survey_record(record: _SurveyRecord, survey: Survey, group: str, finder: NearDuplicateFinder) -> None:
    # Called once per record on corpora of millions: plain set and dict operations only.
    survey.groups[group] = survey.groups.get(group, 0) + 1
    survey.packaged += 1
    finder.add(group, record.text)
    meta = record.meta
    for span in record.spans:
        survey.entity_labels.add(span.label)
        survey.span_sources.add(span.source)
    doc_id = meta.get("doc_id")
    survey.documents.add(str(doc_id) if doc_id is not None else doc_id_of(meta))
    date = meta.get("date")
    if isinstance(date, str):
        dates = survey.dates
        if not dates:
            survey.dates = [date, date]
        elif date < dates[0]:
            dates[0] = date
        elif date > dates[1]:
            dates[1] = date
    source = meta.get("source")
    if isinstance(source, str) and source not in survey.outlets:
        survey.outlets.add(source)
        if len(survey.outlets) > 4 * SHOWN_SOURCES:
            # Only the first few (sorted) reach the card; keeping the smallest bounds memory on a huge corpus.
            survey.outlets = set(sorted(survey.outlets)[:SHOWN_SOURCES])
    if record.annotator_id:
        survey.annotators.add(record.annotator_id)


def survey_inputs(
    paths: Sequence[Path], *, group_by: str, quiet: bool = True, budget: int | None = None
) -> Survey:
    """First pass: ids, groups, labels and near-duplicate clusters, reading only what it needs."""
    from array import array

    import numpy as np

    from toolkit.progress import track

    survey = Survey(inputs=[InputFile(path=p) for p in paths])
    finder = NearDuplicateFinder() if budget is None else NearDuplicateFinder(budget=budget)
    id_hashes = array("q")
    for item in survey.inputs:
        digest = hashlib.sha256()
        where = str(item.path)
        item.state = file_state(item.path)
        for number, raw in track(
            numbered_lines(item.path, digest), description=f"survey {item.path.name}", quiet=quiet
        ):
            try:
                record = _SURVEY_DECODER.decode(raw)
            except msgspec.DecodeError as exc:
                raise InputError(
                    f"not a record: {exc}", path=where, line=number, rule="record-shape"
                ) from None
            record_id = record.meta.get("id")
            if not isinstance(record_id, str) or not record_id:
                raise InputError(
                    "record without meta.id",
                    path=where,
                    line=number,
                    rule="missing-id",
                    hint="records from toolkit convert carry stable ids",
                )
            # Python's str hash is enough to spot repeats inside one process; suspects are confirmed below.
            id_hashes.append(hash(record_id))
            item.records += 1
            if record.answer not in PACKAGED_ANSWERS:
                survey.skipped[str(record.answer)] += 1
                continue
            group = group_id(record.meta, group_by)
            if group is None:
                raise InputError(
                    f"--group-by {group_by}: the record has no value for it",
                    path=where,
                    line=number,
                    rule="missing-group",
                    hint="choose another --group-by, or add the field to meta",
                )
            _survey_record(record, survey, group, finder)
        item.sha256, item.bytes = digest.hexdigest(), item.path.stat().st_size
        if file_state(item.path) != item.state:
            raise InputError("the file changed while it was being read", path=where, rule="input-changed")
    values, counts = np.unique(np.frombuffer(id_hashes, dtype=np.int64), return_counts=True)
    if (counts > 1).any():
        _find_duplicate_ids(paths, {int(v) for v in values[counts > 1]})
    survey.documents.discard(None)
    survey.near = finder.find()
    return survey
