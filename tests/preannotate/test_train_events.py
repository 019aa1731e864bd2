"""train-events: gold reading, training, determinism, train -> load -> predict, errors and the CLI."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from toolkit.cli import app
from toolkit.errors import InputError, ModelNotFoundError, UsageError
from toolkit.labels import PLOVER_TYPES
from toolkit.preannotate.events import TEXTCAT, EventModelAnnotator
from toolkit.preannotate.train_events import META_FILE, label_counts, read_gold_events, train_events

runner = CliRunner()

# A small, clearly separable gold set: the loop must learn it, not just run.
ATTACKS = [
    f"Rebels attacked the {place} with rockets overnight."
    for place in (
        "town",
        "base",
        "airport",
        "bridge",
        "port",
        "village",
        "convoy",
        "camp",
        "checkpoint",
        "station",
    )
]
MEETINGS = [
    f"The foreign ministers met in {city} for talks on Tuesday."
    for city in ("Geneva", "Paris", "Doha", "Oslo", "Vienna", "Cairo", "Ankara", "Rome", "Madrid", "Tokyo")
]
NEUTRAL = [
    f"Shares in the {firm} rose after strong quarterly results."
    for firm in ("bank", "carmaker", "retailer", "airline", "miner")
]


def _record(text: str, labels: list[str], **extra) -> dict:
    return {"text": text, "events": [{"label": label} for label in labels], **extra}


def _write(path: Path, records: list[dict]) -> Path:
    path.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in records))
    return path


@pytest.fixture(scope="module")
def gold(tmp_path_factory) -> Path:
    records = (
        [_record(t, ["ASSAULT"]) for t in ATTACKS]
        + [_record(t, ["CONSULT"]) for t in MEETINGS]
        + [_record(t, []) for t in NEUTRAL]
        + [_record("Rebels attacked the talks venue.", ["CONSULT"], answer="reject")]
    )
    return _write(tmp_path_factory.mktemp("gold") / "gold.jsonl", records)


@pytest.fixture(scope="module")
def trained(gold, tmp_path_factory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("models") / "events-model"
    summary = train_events(gold=gold, output_dir=out, epochs=15, seed=7, eval_path=gold)
    return out, summary


def test_read_gold_events_skips_rejected_answers(gold):
    examples, skipped = read_gold_events(gold)
    assert skipped == 1
    assert len(examples) == len(ATTACKS) + len(MEETINGS) + len(NEUTRAL)
    counts = label_counts(examples)
    assert list(counts) == list(PLOVER_TYPES)
    assert counts["ASSAULT"] == 10 and counts["CONSULT"] == 10 and counts["AID"] == 0


def test_unknown_label_is_an_input_error(tmp_path):
    path = _write(tmp_path / "bad.jsonl", [_record("x", ["ASSAULT"]), _record("y", ["FIGHT"])])
    with pytest.raises(InputError) as info:
        read_gold_events(path)
    assert info.value.line == 2 and info.value.rule == "event-label"


def test_train_writes_a_pipeline_and_meta(trained):
    out, summary = trained
    assert (out / "config.cfg").is_file() and (out / TEXTCAT).is_dir()
    meta = orjson.loads((out / META_FILE).read_bytes())
    assert meta["labels"] == list(PLOVER_TYPES)
    assert meta["counts"]["ASSAULT"] == 10 and meta["records"] == 25 and meta["records_with_events"] == 20
    assert meta["seed"] == 7 and meta["epochs"] == 15 and len(meta["losses"]) == 15
    assert meta["losses"][-1] < meta["losses"][0]
    assert meta["toolkit_version"] and meta["base_model"] == "blank:en"
    assert summary["output"] == str(out)
    assert not [p for p in out.parent.iterdir() if p.name.endswith(".tmp")]


def test_train_load_predict(trained):
    out, summary = trained
    annotator = EventModelAnnotator(out)
    assert annotator.labels == PLOVER_TYPES
    assert annotator.source == "model:en_plover_events@0.1.0"
    attack = annotator("Rebels attacked the harbour with rockets overnight.")
    assert [e.label for e in attack] == ["ASSAULT"]
    assert attack[0].trigger is None and attack[0].source == annotator.source
    assert [e.label for e in annotator("The foreign ministers met in Lisbon for talks.")] == ["CONSULT"]
    assert annotator("Shares in the brewer rose after strong results.") == []
    assert summary["eval"]["micro"]["f1"] == 1.0
    # The same events from a Doc of another pipeline and from the batched path.
    import spacy

    doc = spacy.blank("en")("Rebels attacked the harbour with rockets overnight.")
    assert annotator(doc) == attack
    assert list(annotator.pipe([doc.text])) == [attack]
    everything = EventModelAnnotator(out, threshold=0.0)("Anything at all.")
    assert [e.label for e in everything] == list(PLOVER_TYPES)


def test_training_is_deterministic(gold, trained, tmp_path):
    out, _ = trained
    again = tmp_path / "again"
    train_events(gold=gold, output_dir=again, epochs=15, seed=7, eval_path=gold)
    assert (again / META_FILE).read_bytes() == (out / META_FILE).read_bytes()
    model = Path(TEXTCAT) / "model"
    assert (again / model).read_bytes() == (out / model).read_bytes()
    other = tmp_path / "other-seed"
    train_events(gold=gold, output_dir=other, epochs=15, seed=8)
    assert (other / model).read_bytes() != (out / model).read_bytes()


def test_base_model_gives_tokenizer_and_vocab(gold, tmp_path):
    from toolkit.models import default_model_name

    base = default_model_name()
    out = tmp_path / "from-base"
    summary = train_events(gold=gold, output_dir=out, base_model=base, epochs=15, seed=1)
    assert summary["base_model"] == base
    annotator = EventModelAnnotator(out)
    assert annotator.nlp.pipe_names == [TEXTCAT]
    assert [e.label for e in annotator("Rebels attacked the harbour with rockets overnight.")] == ["ASSAULT"]


def test_errors(gold, tmp_path):
    no_events = _write(tmp_path / "empty.jsonl", [_record("Nothing happened.", []) for _ in range(3)])
    with pytest.raises(UsageError, match="no record has events"):
        train_events(gold=no_events, output_dir=tmp_path / "m1")
    with pytest.raises(InputError, match="no such file"):
        train_events(gold=tmp_path / "missing.jsonl", output_dir=tmp_path / "m2")
    with pytest.raises(UsageError, match="--arch"):
        train_events(gold=gold, output_dir=tmp_path / "m3", architecture="transformer")
    with pytest.raises(UsageError, match="--epochs"):
        train_events(gold=gold, output_dir=tmp_path / "m3", epochs=0)
    with pytest.raises(UsageError, match="folder"):
        train_events(gold=gold, output_dir="-")
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "keep.txt").write_text("x")
    with pytest.raises(UsageError, match="--force"):
        train_events(gold=gold, output_dir=busy)
    assert (busy / "keep.txt").exists()
    with pytest.raises(ModelNotFoundError):
        train_events(gold=gold, output_dir=tmp_path / "m4", base_model="no_such_pipeline_xyz")
    with pytest.raises(ModelNotFoundError, match="config.cfg"):
        EventModelAnnotator(tmp_path)
    with pytest.raises(UsageError, match="threshold"):
        EventModelAnnotator(tmp_path, threshold=1.5)


def test_cli_trains_and_reports(gold, tmp_path):
    out = tmp_path / "cli-model"
    result = runner.invoke(
        app, ["train-events", str(gold), "-o", str(out), "--epochs", "2", "--seed", "3", "--eval", str(gold)]
    )
    assert result.exit_code == 0, result.output
    assert "trained textcat_multilabel (bow, 2 epochs, seed 3) on 25 records, 20 with events" in result.stderr
    assert "ASSAULT 10" in result.stderr and "eval on 25 records" in result.stderr
    assert result.stdout == ""
    assert orjson.loads((out / META_FILE).read_bytes())["epochs"] == 2
    again = runner.invoke(app, ["train-events", str(gold), "-o", str(out), "--epochs", "1"])
    assert again.exit_code == 2 and "pass --force" in again.stderr
    forced = runner.invoke(app, ["train-events", str(gold), "-o", str(out), "--epochs", "1", "--force", "-q"])
    assert forced.exit_code == 0 and forced.stderr == ""


def test_cli_bad_input_is_one_line(tmp_path):
    missing = runner.invoke(app, ["train-events", str(tmp_path / "nope.jsonl"), "-o", str(tmp_path / "m")])
    assert missing.exit_code == 2
    assert missing.stderr.strip().splitlines() == [
        f"error: {tmp_path / 'nope.jsonl'}: [missing-path] no such file"
    ]
    empty = _write(tmp_path / "empty.jsonl", [_record("Nothing happened.", [])])
    no_events = runner.invoke(app, ["train-events", str(empty), "-o", str(tmp_path / "m")])
    assert no_events.exit_code == 2 and "no record has events" in no_events.stderr
    assert "Traceback" not in no_events.output
