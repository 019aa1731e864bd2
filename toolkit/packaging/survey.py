"""Packaging's first pass: ids, groups, labels, sources and near-duplicates, validating on the way.

Each line is decoded once, by the validator's own loop (``check_lines`` in toolkit/review/validate.py), which
runs every validation rule on the record and hands it here; validating costs the rules alone, not another
read of the inputs. Without validation the same loop only decodes. Several rows with one ``meta.id`` are
several annotators' answers and are refused: adjudicate first.

The pass also remembers, for every packaged line, its line number and its group, so the second pass routes
lines to their split without decoding them again.
"""

from __future__ import annotations

import hashlib
from array import array
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import msgspec

from toolkit.errors import InputError
from toolkit.jsonl import numbered_lines
from toolkit.packaging.neardup import NearDuplicateFinder, NearDuplicates
from toolkit.packaging.readback import file_state, record_group
from toolkit.packaging.splits import GROUP_BY_DOC, GROUP_BY_PARAGRAPH, doc_id_of, group_id
from toolkit.record import Record

PACKAGED_ANSWERS = (None, "accept")  # reject and ignore are decisions about a task, not gold annotations
SHOWN_SOURCES = 50


class _MetaOnly(msgspec.Struct):
    """The whole meta object of a line, unknown keys included (a ``--group-by`` field may be one)."""

    meta: dict[str, Any] = {}


_META_DECODER = msgspec.json.Decoder(_MetaOnly)


@dataclass
class InputFile:
    path: Path
    sha256: str = ""
    bytes: int = 0
    records: int = 0
    state: tuple[int, int] = (0, 0)
    # Line number and group index of each packaged record, in file order, for the second pass.
    lines: array = field(default_factory=lambda: array("l"))
    groups: array = field(default_factory=lambda: array("l"))

    def entry(self) -> dict[str, Any]:
        return {"name": self.path.name, "sha256": self.sha256, "bytes": self.bytes, "records": self.records}


@dataclass
class Survey:
    """What the first pass learns: groups, labels, near-duplicates, skipped answers, sources."""

    inputs: list[InputFile]
    groups: dict[str, int] = field(default_factory=dict)  # group id -> its index, in order of appearance
    entity_labels: set[str] = field(default_factory=set)
    skipped: Counter = field(default_factory=Counter)
    documents: set[str | None] = field(default_factory=set)
    dates: list[str] = field(default_factory=list)
    outlets: set[str] = field(default_factory=set)
    span_sources: set[str | None] = field(default_factory=set)
    annotators: set[str] = field(default_factory=set)
    near: NearDuplicates | None = None
    packaged: int = 0
    findings: list[Any] = field(default_factory=list)  # validation findings (when validating)
    lines: int = 0
    decoded: int = 0

    @property
    def annotation_sources(self) -> set[str]:
        """Kinds of span sources: ``model``, ``rule``, ``human``."""
        return {source.split(":", 1)[0] for source in self.span_sources if source}


@dataclass
class _Visitor:
    """Surveys each decoded record; called by the validator's loop for every line that is a record."""

    survey: Survey
    item: InputFile
    group_by: str
    finder: NearDuplicateFinder
    id_hashes: array
    error: InputError | None = None  # the first packaging problem, raised once validation has spoken

    validating: bool = False

    def __call__(self, number: int, raw: bytes, record: Record) -> None:
        if self.error is not None:
            return
        try:
            self._visit(number, raw, record)
        except InputError as exc:
            if not self.validating:
                raise
            self.error = exc  # validation findings, if any, are reported first

    def _visit(self, number: int, raw: bytes, record: Record) -> None:
        where = str(self.item.path)
        record_id = record.meta.id
        if not record_id:
            raise InputError(
                "record without meta.id",
                path=where,
                line=number,
                rule="missing-id",
                hint="records from toolkit convert carry stable ids",
            )
        # Python's str hash is enough to spot repeats inside one process; suspects are confirmed below.
        self.id_hashes.append(hash(record_id))
        self.item.records += 1
        if record.answer not in PACKAGED_ANSWERS:
            self.survey.skipped[str(record.answer)] += 1
            return
        if self.group_by in (GROUP_BY_DOC, GROUP_BY_PARAGRAPH):
            group = record_group(record, self.group_by)
        else:  # the typed record drops unknown meta keys; the field may be one of them
            group = group_id(_META_DECODER.decode(raw).meta, self.group_by)
        if group is None:
            raise InputError(
                f"--group-by {self.group_by}: the record has no value for it",
                path=where,
                line=number,
                rule="missing-group",
                hint="choose another --group-by, or add the field to meta",
            )
        groups = self.survey.groups
        index = groups.get(group)
        if index is None:
            index = groups[group] = len(groups)
        self.item.lines.append(number)
        self.item.groups.append(index)
        _survey_record(record, self.survey, group, self.finder)


def _survey_record(record: Record, survey: Survey, group: str, finder: NearDuplicateFinder) -> None:
    # Called once per record on corpora of millions: plain set and dict operations only.
    survey.packaged += 1
    finder.add(group, record.text)
    meta = record.meta
    for span in record.spans:
        survey.entity_labels.add(span.label)
        survey.span_sources.add(span.source)
    doc_id = meta.doc_id
    survey.documents.add(doc_id if doc_id is not None else doc_id_of({"id": meta.id}))
    date = meta.date
    if date is not None:
        dates = survey.dates
        if not dates:
            survey.dates = [date, date]
        elif date < dates[0]:
            dates[0] = date
        elif date > dates[1]:
            dates[1] = date
    source = meta.source
    if source is not None and source not in survey.outlets:
        survey.outlets.add(source)
        if len(survey.outlets) > 4 * SHOWN_SOURCES:
            # Only the first few (sorted) reach the card; keeping the smallest bounds memory on a huge corpus.
            survey.outlets = set(sorted(survey.outlets)[:SHOWN_SOURCES])
    if record.annotator_id:
        survey.annotators.add(record.annotator_id)


def _find_duplicate_ids(paths: Sequence[Path], suspects: set[int]) -> None:
    """Raise naming the first id that really occurs twice (the hashes only pointed at suspects)."""
    seen: dict[str, tuple[str, int]] = {}
    for path in paths:
        for number, raw in numbered_lines(path):
            record_id = _META_DECODER.decode(raw).meta.get("id")
            if record_id is None or hash(record_id) not in suspects:
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


def survey_inputs(
    paths: Sequence[Path],
    *,
    group_by: str,
    quiet: bool = True,
    budget: int | None = None,
    validation: Any = None,
) -> Survey:
    """First pass: ids, groups, labels and near-duplicate clusters.

    ``validation`` (a toolkit.review.validate Context) runs every validation rule on the same decoded
    records; its findings land in ``survey.findings`` and the caller decides. Without it a line that is not a
    record is an InputError at once. When validating, packaging problems (no id, no group) are raised after
    the pass, so the validation report, if the inputs fail, comes first.
    """
    import numpy as np

    from toolkit.progress import track
    from toolkit.review.validate import ERROR, Context, FileCounts, check_lines
    from toolkit.schemas import builtin_labels

    survey = Survey(inputs=[InputFile(path=p) for p in paths])
    finder = NearDuplicateFinder() if budget is None else NearDuplicateFinder(budget=budget)
    ctx = (
        validation
        if validation is not None
        else Context(labels=builtin_labels(), scheme=None, source_dir=None)
    )
    id_hashes = array("q")
    deferred: InputError | None = None
    for item in survey.inputs:
        digest = hashlib.sha256()
        where = str(item.path)
        item.state = file_state(item.path)
        visitor = _Visitor(survey, item, group_by, finder, id_hashes, validating=validation is not None)
        counts = FileCounts()
        ctx.file = where
        raw_lines = numbered_lines(item.path, digest=digest)
        lines = track(raw_lines, description=f"survey {item.path.name}", quiet=quiet)
        for finding in check_lines(lines, ctx, counts, rules=validation is not None, on_record=visitor):
            if validation is not None:
                survey.findings.append(finding)
            elif finding.severity == ERROR:
                raise InputError(
                    f"not a record: {finding.message}", path=where, line=finding.line, rule="record-shape"
                )
        survey.lines += counts.lines
        survey.decoded += counts.records
        deferred = deferred or visitor.error
        item.sha256, item.bytes = digest.hexdigest(), item.path.stat().st_size
        if file_state(item.path) != item.state:
            raise InputError("the file changed while it was being read", path=where, rule="input-changed")
    if any(f.severity == ERROR for f in survey.findings):
        return survey  # the caller reports the validation findings; nothing else matters until they are fixed
    if deferred is not None:
        raise deferred
    values, counts_ = np.unique(np.frombuffer(id_hashes, dtype=np.int64), return_counts=True)
    if (counts_ > 1).any():
        _find_duplicate_ids(paths, {int(v) for v in values[counts_ > 1]})
    survey.documents.discard(None)
    survey.near = finder.find()
    return survey
