"""Export and import as plain functions: merging onto base records, refusals, determinism, and round trips
of the seed's records (and of annotations/gold/*.jsonl once it exists) through every tool and view."""

from __future__ import annotations

import re
from pathlib import Path

import msgspec
import pytest
from exchange_cases import TEXTS, answer_prodigy, canonical, make_record, read_jsonl, round_trip, write_jsonl
from typer.testing import CliRunner

from toolkit.cli import app
from toolkit.errors import InputError, UsageError
from toolkit.formats.exchange import (
    TOOL_META_KEYS,
    ImportRefusedError,
    UnknownRecordsError,
    entity_label_set,
    export_records,
    import_answers,
    merge_answer,
    parse_views,
)
from toolkit.jsonl import read_records, write_records
from toolkit.labels import CONLL_LABELS, ONTONOTES_LABELS
from toolkit.options import ExportOptions, ImportOptions
from toolkit.record import Event, Meta, Quote, Record, ResolvedSpeaker, Role, Span, make_tokens

ROOT = Path(__file__).resolve().parents[2]
GOLD_FILES = sorted((ROOT / "annotations" / "gold").glob("*.jsonl"))
TOOL_VIEWS = [
    ("prodigy", "spans", {}),
    ("prodigy", "quotes", {}),
    ("prodigy", "events", {}),
    ("labelstudio", "entities,quotes,events", {}),
    ("doccano", "entities", {"allow_overlap": True}),
    ("doccano", "quotes", {"allow_overlap": True}),
    ("doccano", "events", {}),
]
EVENT_WORDS = {
    "sanctions": "SANCTION",
    "talks": "CONSULT",
    "invasion": "ASSAULT",
    "meeting": "CONSULT",
    "accused": "ACCUSE",
    "attacks": "ASSAULT",
    "aid": "AID",
}
runner = CliRunner()


@pytest.fixture(scope="module")
def seed_records(nlp, seed_path: Path) -> list[Record]:
    """The seed's sentences with model entities and rule-made quotes and events."""
    records: list[Record] = []
    source = f"model:{nlp.meta['lang']}_{nlp.meta['name']}@{nlp.meta['version']}"
    for paragraph in seed_path.read_text(encoding="utf-8").splitlines():
        if not paragraph.strip():
            continue
        for sent in nlp(paragraph).sents:
            text = sent.text
            doc = nlp(text)
            tokens = make_tokens(doc)
            spans = [
                Span(
                    start=e.start_char,
                    end=e.end_char,
                    label=e.label_,
                    token_start=e.start,
                    token_end=e.end - 1,
                    source=source,
                )
                for e in doc.ents
            ]
            records.append(make_seed_record(text, len(records), tokens, spans))
    return records


def make_seed_record(text: str, unit: int, tokens: list, spans: list[Span]) -> Record:
    quotes = []
    opening = [t for t in tokens if t.text in ("“", '"')]
    closing = [t for t in tokens if t.text in ("”", '"') and opening and t.start > opening[0].start]
    said = next((t for t in tokens if t.text == "said"), None)
    if opening and closing:
        content = Role(opening[0].start, closing[-1].end)
        cue = Role(said.start, said.end) if said is not None and said.start >= content.end else None
        quotes.append(Quote(content=content, cue=cue, kind="direct", source="rule:quote-marks"))
    events = [
        Event(label=EVENT_WORDS[t.text.lower()], trigger=Role(t.start, t.end), source="rule:event-words")
        for t in tokens
        if t.text.lower() in EVENT_WORDS
    ]
    return Record(
        text=text,
        tokens=tokens,
        spans=spans,
        quotes=quotes,
        events=events,
        meta=Meta(id=f"seed:{unit}", doc_id="seed", unit=unit),
    )


@pytest.mark.parametrize(("tool", "view", "options"), TOOL_VIEWS)
def test_seed_records_survive_every_tool_and_view(seed_records, tmp_path: Path, tool, view, options) -> None:
    assert (
        len(seed_records) > 30 and any(r.quotes for r in seed_records) and any(r.events for r in seed_records)
    )
    back = round_trip(tool, seed_records, view, tmp_path, **options)
    assert len(back) == len(seed_records)
    for before, after in zip(seed_records, back, strict=True):
        for layer in view.split(","):
            assert canonical(after, layer) == canonical(before, layer), before.meta.id
        assert after.tokens == before.tokens and after.meta.id == before.meta.id
        assert {k: v for k, v in after.meta.extra.items() if k not in TOOL_META_KEYS} == before.meta.extra


@pytest.mark.parametrize("gold", GOLD_FILES or [None], ids=lambda p: p.name if p else "no-gold-yet")
@pytest.mark.parametrize(("tool", "view", "options"), TOOL_VIEWS)
def test_gold_files_survive_every_tool_and_view(
    gold: Path | None, tool, view, options, tmp_path: Path
) -> None:
    if gold is None:
        pytest.skip("annotations/gold/*.jsonl does not exist yet")
    records = list(read_records(gold))
    if tool == "prodigy" and view == "quotes":
        records = [r for r in records if r.tokens]
    back = round_trip(tool, records, view, tmp_path, **options)
    assert [r.meta.id for r in back] == [r.meta.id for r in records]
    for before, after in zip(records, back, strict=True):
        for layer in view.split(","):
            assert canonical(after, layer) == canonical(before, layer), before.meta.id


def test_merge_replaces_only_the_answered_layer_and_keeps_quote_links() -> None:
    text = TEXTS[1]
    base = make_record(
        text,
        "doc:1",
        spans=[Span(start=19, end=28, label="PERSON", source="model:x")],
        quotes=[
            Quote(
                content=Role(0, 48),
                speaker=Role(49, 62),
                kind="direct",
                id="q7",
                linked_records=["doc:2"],
                speaker_resolved=ResolvedSpeaker(text="the British High Commission", record_id="doc:0"),
            )
        ],
        events=[Event(label="CONSULT")],
    )
    answer = Record(
        text=text,
        quotes=[Quote(content=Role(0, 48), speaker=Role(49, 62), kind="mixed", source="human:ann")],
        spans=[Span(start=0, end=1, label="ORG")],
        answer="accept",
        annotator_id="ann",
        input_hash=5,
    )
    merged = merge_answer(base, answer, ["quotes"])
    assert merged.spans == base.spans and merged.events == base.events and merged.tokens == base.tokens
    (quote,) = merged.quotes
    assert quote.kind == "mixed" and quote.source == "human:ann"
    assert quote.id == "q7" and quote.linked_records == ["doc:2"] and quote.speaker_resolved is not None
    assert (merged.answer, merged.annotator_id, merged.input_hash) == ("accept", "ann", 5)
    moved = merge_answer(
        base, Record(text=text, quotes=[Quote(content=Role(0, 48), speaker=Role(53, 62))]), ["quotes"]
    )
    assert (
        moved.quotes[0].id == "q7" and moved.quotes[0].speaker_resolved is None
    )  # another speaker: not resolved


def test_unknown_ids_are_reported_and_nothing_is_written_unless_allow_new(tmp_path: Path) -> None:
    base = tmp_path / "base.jsonl"
    write_records(base, [make_record(TEXTS[0], "doc:0")])
    answers = answer_prodigy(
        [
            {"text": TEXTS[1], "meta": {"id": "other:1"}, "spans": []},
            {"text": TEXTS[0], "meta": {"id": "doc:0"}, "spans": []},
        ],
        "entities",
    )
    path = write_jsonl(tmp_path / "db.jsonl", answers)
    out = tmp_path / "out.jsonl"
    with pytest.raises(UnknownRecordsError) as refused:
        import_answers(tool="prodigy", paths=[path], output=out, into=base)
    assert "other:1" in str(refused.value) and refused.value.line == 1 and refused.value.exit_code == 2
    assert not out.exists()
    summary = import_answers(
        tool="prodigy", paths=[path], output=out, into=base, options=ImportOptions(allow_new=True)
    )
    assert summary.written == 2 and summary.new_records == 1
    new, merged = read_records(out)
    assert new.meta.id == "other:1" and merged.tokens == make_record(TEXTS[0], "doc:0").tokens


def test_an_answer_whose_text_differs_from_its_base_record_is_refused(tmp_path: Path) -> None:
    base = tmp_path / "base.jsonl"
    write_records(base, [make_record(TEXTS[0], "doc:0")])
    path = write_jsonl(
        tmp_path / "db.jsonl", answer_prodigy([{"text": TEXTS[0] + " ", "meta": {"id": "doc:0"}}], "entities")
    )
    with pytest.raises(ImportRefusedError) as refused:
        import_answers(tool="prodigy", paths=[path], output=tmp_path / "out.jsonl", into=base)
    assert [f.rule for f in refused.value.findings] == ["text-mismatch"]


def test_a_refused_import_to_stdout_prints_no_records(tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "db.jsonl",
        answer_prodigy(
            [
                {"text": "short", "meta": {"id": "a:0"}, "spans": []},
                {"text": "short", "meta": {"id": "a:1"}, "spans": [{"start": 0, "end": 99, "label": "ORG"}]},
            ],
            "entities",
        ),
    )
    result = runner.invoke(app, ["import", "prodigy", str(path), "-o", "-"])
    assert result.exit_code == 1 and result.stdout == ""
    assert "db.jsonl:2: error [span-out-of-range]" in result.stderr and "(a:1)" in result.stderr


def test_exports_and_imports_are_byte_identical_when_repeated(tmp_path: Path) -> None:
    records = [
        make_record(
            TEXTS[1],
            "doc:1",
            spans=[Span(start=19, end=28, label="PERSON")],
            quotes=[Quote(content=Role(0, 48), cue=Role(63, 67))],
            events=[Event(label="AGREE")],
        )
    ]
    source = tmp_path / "in.jsonl"
    write_records(source, records)
    for tool, suffix in (("prodigy", ".jsonl"), ("labelstudio", ".json"), ("doccano", ".jsonl")):
        first, second = tmp_path / f"{tool}-a{suffix}", tmp_path / f"{tool}-b{suffix}"
        view = "entities,quotes,events" if tool == "labelstudio" else "quotes"
        export_records(tool=tool, input=source, output=first, options=ExportOptions(view=view))
        export_records(tool=tool, input=source, output=second, options=ExportOptions(view=view))
        assert first.read_bytes() == second.read_bytes()
    tasks = read_jsonl(tmp_path / "prodigy-a.jsonl")
    answers = write_jsonl(tmp_path / "db.jsonl", answer_prodigy(tasks, "quotes"))
    import_answers(tool="prodigy", paths=[answers], output=tmp_path / "x.jsonl", into=source)
    import_answers(tool="prodigy", paths=[answers], output=tmp_path / "y.jsonl", into=source)
    assert (tmp_path / "x.jsonl").read_bytes() == (tmp_path / "y.jsonl").read_bytes()


def test_inputs_are_never_modified(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    write_records(source, [make_record(TEXTS[0], "doc:0")])
    before = source.read_bytes()
    export_records(
        tool="prodigy", input=source, output=tmp_path / "t.jsonl", options=ExportOptions(view="entities")
    )
    answers = write_jsonl(tmp_path / "db.jsonl", answer_prodigy(read_jsonl(tmp_path / "t.jsonl"), "entities"))
    answers_before = answers.read_bytes()
    import_answers(tool="prodigy", paths=[answers], output=tmp_path / "o.jsonl", into=source)
    assert source.read_bytes() == before and answers.read_bytes() == answers_before


def test_usage_errors() -> None:
    assert parse_views(["entities, quotes", "events"]) == ["entities", "quotes", "events"]
    with pytest.raises(UsageError, match="unknown labeling tool"):
        export_records(tool="brat", input="x", output="y")
    with pytest.raises(UsageError, match="one view per export"):
        export_records(tool="prodigy", input="x", output="y", options=ExportOptions(view="entities,quotes"))
    with pytest.raises(UsageError, match="has no view"):
        export_records(tool="doccano", input="x", output="y", options=ExportOptions(view="spans"))
    with pytest.raises(UsageError, match="no files"):
        import_answers(tool="doccano", paths=[], output="y")


def test_missing_input_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        export_records(tool="prodigy", input=tmp_path / "missing.jsonl", output=tmp_path / "o.jsonl")
    result = runner.invoke(
        app, ["import", "labelstudio", str(tmp_path / "missing.json"), "-o", str(tmp_path / "o")]
    )
    assert result.exit_code == 2 and "missing.json: [missing-path] no such file" in result.stderr


def test_entity_label_set_follows_the_scheme_in_use() -> None:
    assert entity_label_set([]) == list(ONTONOTES_LABELS)
    assert entity_label_set(["PER", "LOC"]) == list(CONLL_LABELS)
    assert entity_label_set(["PERSON", "WEAPON"]) == [*ONTONOTES_LABELS, "WEAPON"]
    assert entity_label_set(["X"], ["B", "A", "B"]) == ["B", "A"]


def test_help_lists_the_tools() -> None:
    result = runner.invoke(app, ["import", "--help"])
    assert result.exit_code == 0
    assert all(re.search(rf"\b{tool}\b", result.stdout) for tool in ("prodigy", "labelstudio", "doccano"))


INTERRUPTED = "“We will talk,” the minister said, “but we will not yield.” Talks begin today, she added."
CARRIED_ON = "“The sanctions will stay until the last soldier leaves.”"


def interrupted_records() -> list[Record]:
    """Interrupted quotes (one quote in two content pieces) with speaker and cue, with null cue or null
    speaker, and a quote running across records: a piece with only speaker and cue, linked to the record
    holding its content, with a resolved speaker."""
    text = INTERRUPTED

    def at(part: str, nth: int = 0) -> Role:
        start = -1
        for _ in range(nth + 1):
            start = text.index(part, start + 1)
        return Role(start, start + len(part))

    first, second = at("“We will talk,”"), at("“but we will not yield.”")
    speaker, cue = at("the minister"), at("said")
    whole = [
        Quote(content=piece, speaker=speaker, cue=cue, kind="direct", id="doc:0:q0")
        for piece in (first, second)
    ]
    no_cue = [
        Quote(content=piece, speaker=speaker, kind="direct", id="doc:1:q0") for piece in (first, second)
    ]
    no_speaker = [Quote(content=piece, cue=cue, kind="direct", id="doc:2:q0") for piece in (first, second)]
    resolved = ResolvedSpeaker(text="Liz Truss", record_id="doc:3", label="PERSON")
    opener = Quote(
        speaker=at("she"),
        cue=at("added"),
        kind="direct",
        id="doc:3:q1",
        linked_records=["doc:4"],
        speaker_resolved=resolved,
    )
    carried = Quote(
        content=Role(0, len(CARRIED_ON)),
        kind="direct",
        id="doc:3:q1",
        linked_records=["doc:3"],
        speaker_resolved=resolved,
    )
    return [
        make_record(text, "doc:0", quotes=whole),
        make_record(text, "doc:1", quotes=no_cue),
        make_record(text, "doc:2", quotes=no_speaker),
        make_record(text, "doc:3", quotes=[*whole, opener]),
        make_record(CARRIED_ON, "doc:4", quotes=[carried]),
    ]


def quote_fields(record: Record) -> list[tuple]:
    """Every field of every quote but its source (which says who answered)."""

    def role(r: Role | None) -> tuple[int, int] | None:
        return None if r is None else (r.start, r.end)

    fields = [
        (
            role(q.content),
            role(q.speaker),
            role(q.cue),
            q.kind,
            q.id,
            tuple(q.linked_records),
            None if q.speaker_resolved is None else msgspec.to_builtins(q.speaker_resolved),
        )
        for q in record.quotes
    ]
    return sorted(fields, key=repr)


@pytest.mark.parametrize(
    ("tool", "view", "options"),
    [
        ("prodigy", "quotes", {}),
        ("labelstudio", "quotes", {}),
        ("doccano", "quotes", {"allow_overlap": True}),
    ],
)
@pytest.mark.parametrize("into", [True, False], ids=["into", "alone"])
def test_interrupted_and_linked_quotes_survive_every_tool(
    tool, view, options, into: bool, tmp_path: Path
) -> None:
    records = interrupted_records()
    back = round_trip(tool, records, view, tmp_path, into=into, **options)
    assert [quote_fields(r) for r in back] == [quote_fields(r) for r in records]


def test_two_quotes_on_one_content_span_are_refused_on_export_not_on_import(tmp_path: Path) -> None:
    text = INTERRUPTED
    content = Role(0, text.index("”") + 1)
    record = make_record(
        text,
        "doc:0",
        quotes=[Quote(content=content, speaker=Role(16, 28)), Quote(content=content, cue=Role(29, 33))],
    )
    source = tmp_path / "in.jsonl"
    write_records(source, [record])
    for tool, suffix in (("prodigy", ".jsonl"), ("labelstudio", ".json"), ("doccano", ".jsonl")):
        out = tmp_path / f"{tool}{suffix}"
        with pytest.raises(UsageError, match=r"doc:0: quotes 0 and 1 share the CONTENT:0-\d+ span"):
            export_records(tool=tool, input=source, output=out, options=ExportOptions(view="quotes"))
        assert not out.exists()


def test_answers_spell_out_texts_for_the_kinds_of_item_the_base_file_does() -> None:
    text = TEXTS[1]
    base = make_record(
        text,
        "doc:1",
        spans=[Span(start=19, end=28, label="PERSON")],
        quotes=[Quote(content=Role(0, 48), cue=Role(63, 67))],
        events=[
            Event(label="CONSULT", trigger=Role(63, 67, "said"))
        ],  # pre-annotations spell out triggers only
    )
    answer = Record(
        text=text,
        spans=[Span(start=35, end=40, label="GPE")],
        quotes=[Quote(content=Role(0, 48), speaker=Role(49, 62))],
        events=[Event(label="AGREE", trigger=Role(63, 67))],
    )
    merged = merge_answer(base, answer, ["entities", "quotes", "events"])
    assert merged.spans[0].text is None and merged.quotes[0].speaker.text is None
    assert merged.events[0].trigger.text == "said"
    gold_like = merge_answer(base, answer, ["entities", "quotes"], texts=frozenset({"spans", "roles"}))
    assert gold_like.spans[0].text == "India" and gold_like.quotes[0].speaker.text == "the statement"
