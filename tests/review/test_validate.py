"""toolkit validate: the schema step, each semantic rule (a record that breaks it), reports and the CLI."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from toolkit.cli import app
from toolkit.errors import InputError
from toolkit.options import ValidateOptions
from toolkit.review.validate import RULES, Finding, ValidationReport, rule_ids, validate
from toolkit.schemas import load_labels

TEXT = "Kyiv said on Monday that Russian troops shelled Kharkiv."
PREFIX = "date 2022-03-28 Headline.\n"


def _tokens(text: str) -> list[dict]:
    return [
        {
            "text": m.group(),
            "start": m.start(),
            "end": m.end(),
            "id": i,
            "ws": m.end() < len(text) and text[m.end()] == " ",
        }
        for i, m in enumerate(re.finditer(r"\w+|[^\w\s]", text))
    ]


def _span(text: str, words: str, label: str) -> dict:
    start = text.index(words)
    tokens = _tokens(text)
    first = next(t["id"] for t in tokens if t["start"] == start)
    last = next(t["id"] for t in tokens if t["end"] == start + len(words))
    return {
        "start": start,
        "end": start + len(words),
        "label": label,
        "token_start": first,
        "token_end": last,
        "source": "human:alice",
    }


def _role(text: str, words: str) -> dict:
    start = text.index(words)
    return {"start": start, "end": start + len(words)}


def clean_record(unit: int = 0, *, source: str = "doc.txt") -> dict:
    """A record every rule accepts: tokens, four entities, a quote, an event, full provenance."""
    text = TEXT
    return {
        "text": text,
        "tokens": _tokens(text),
        "spans": [
            _span(text, "Kyiv", "GPE"),
            _span(text, "Monday", "DATE"),
            _span(text, "Russian", "NORP"),
            _span(text, "Kharkiv", "GPE"),
        ],
        "quotes": [
            {
                "content": _role(text, "Russian troops shelled Kharkiv"),
                "speaker": _role(text, "Kyiv"),
                "cue": _role(text, "said"),
                "kind": "indirect",
                "source": "human:alice",
            }
        ],
        "events": [{"label": "ASSAULT", "trigger": _role(text, "shelled"), "source": "human:alice"}],
        "meta": {
            "id": f"doc:{unit}",
            "doc_id": "doc",
            "unit": unit,
            "start": len(PREFIX),
            "end": len(PREFIX) + len(text),
            "source": source,
            "text_sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
        },
        "answer": "accept",
        "_annotator_id": "alice",
    }


def write_jsonl(path: Path, rows: list) -> Path:
    lines = [row if isinstance(row, str) else json.dumps(row, ensure_ascii=False) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """A folder holding the source document the clean record slices."""
    (tmp_path / "doc.txt").write_text(PREFIX + TEXT + "\nMore text.\n", encoding="utf-8")
    return tmp_path


def check(tmp_path: Path, rows: list, **options) -> ValidationReport:
    path = write_jsonl(tmp_path / "records.jsonl", rows)
    options.setdefault("source_dir", tmp_path)
    return validate(paths=[path], options=ValidateOptions(**options))


def test_a_clean_record_has_no_findings(corpus):
    report = check(
        corpus, [clean_record(0), clean_record(1) | {"meta": clean_record(0)["meta"] | {"id": "doc:1"}}]
    )
    assert report.findings == []
    assert report.ok and report.records == 2 and report.lines == 2
    assert report.counts == {"error": 0, "warning": 0, "info": 0}


def _set(path: str, value):
    """A change to a record: set the value at a dotted path ("spans.0.text")."""

    def change(record: dict) -> None:
        *parents, last = path.split(".")
        target = record
        for key in parents:
            target = target[int(key)] if isinstance(target, list) else target[key]
        if isinstance(target, list):
            target[int(last)] = value
        else:
            target[last] = value

    return change


def _drop(path: str):
    def change(record: dict) -> None:
        *parents, last = path.split(".")
        target = record
        for key in parents:
            target = target[int(key)] if isinstance(target, list) else target[key]
        del target[last]

    return change


BROKEN = [
    ("span-range", _set("spans.3.end", 400)),
    ("span-range", _set("spans.1.end", 13)),  # end == start: empty
    ("span-text", _set("spans.0.text", "Kiev")),
    ("span-text", _set("quotes.0.cue.text", "says")),
    ("span-text", _set("events.0.trigger.text", "shells")),
    ("token-offsets", _set("tokens.2.start", 11)),
    ("token-offsets", _set("tokens.3.id", 7)),
    ("token-offsets", _set("tokens.1.text", "says")),
    ("token-boundary", _set("spans.0", {"start": 1, "end": 4, "label": "GPE"})),
    ("token-index", _set("spans.2.token_end", 7)),
    ("unknown-label", _set("spans.0.label", "CITY")),
    (
        "overlapping-spans",
        _set("spans.1", {"start": 0, "end": 9, "label": "ORG", "token_start": 0, "token_end": 1}),
    ),
    ("quote-kind", _set("quotes.0.kind", "paraphrase")),
    ("quote-range", _set("quotes.0.speaker", {"start": 50, "end": 90})),
    ("quote-content", _set("quotes.0.content", None)),
    ("quote-content", _set("quotes.0.content", {"start": 4, "end": 5})),
    ("quote-overlap", _set("quotes.0.cue", {"start": 25, "end": 32})),
    ("quote-overlap", _set("quotes.0.speaker", {"start": 33, "end": 39})),
    ("quote-shared-span", lambda r: r["quotes"].append({**r["quotes"][0], "speaker": None, "cue": None})),
    ("quote-token-boundary", _set("quotes.0.content", {"start": 26, "end": 54})),
    ("event-type", _set("events.0.label", "FIGHT")),
    ("trigger-range", _set("events.0.trigger", {"start": 55, "end": 70})),
    ("answer-value", _set("answer", "accepted")),
    ("missing-id", _drop("meta.id")),
    ("text-sha256", _set("meta.text_sha256", "0" * 64)),
    ("source-offsets", _set("meta.start", 0)),
    ("source-offsets", _set("meta.end", len(PREFIX) + len(TEXT) + 1)),
]


@pytest.mark.parametrize(("rule_id", "change"), BROKEN, ids=[f"{r}-{i}" for i, (r, _) in enumerate(BROKEN)])
def test_each_rule_flags_a_record_that_breaks_it(corpus, rule_id, change):
    broken = clean_record(1)
    change(broken)
    report = check(corpus, [clean_record(0), broken])
    assert rule_id in {f.rule for f in report.findings}, report.findings
    finding = next(f for f in report.findings if f.rule == rule_id)
    assert finding.line == 2 and finding.path.endswith("records.jsonl")
    assert finding.record_id == broken["meta"].get("id")
    text = str(finding)
    assert f"records.jsonl:2: {finding.severity} [{rule_id}]" in text and finding.hint
    assert report.ok is (finding.severity != "error")


def test_every_registered_rule_has_a_breaking_case():
    assert {r.id for r in RULES} <= {rule for rule, _ in BROKEN} | {"duplicate-id"}
    assert {"invalid-json", "not-an-object", "schema", "source-missing"} <= set(rule_ids())


def test_a_quote_that_continues_in_another_record_may_lack_content(corpus):
    record = clean_record()
    record["quotes"][0] |= {"content": None, "linked_records": ["doc:1"]}
    assert check(corpus, [record]).findings == []


def test_duplicate_ids_per_annotator_across_files_and_per_file_without_one(corpus):
    first = write_jsonl(corpus / "a.jsonl", [clean_record(0)])
    second = write_jsonl(corpus / "b.jsonl", [clean_record(0), clean_record(0) | {"_annotator_id": "bob"}])
    report = validate(paths=[first, second], options=ValidateOptions(source_dir=corpus))
    [dup] = [f for f in report.findings if f.rule == "duplicate-id"]
    assert (
        (dup.path, dup.line) == (str(second), 1) and f"{first}:1" in dup.message and "'alice'" in dup.message
    )
    tasks = [{k: v for k, v in clean_record(0).items() if k not in ("answer", "_annotator_id")}]
    one = write_jsonl(corpus / "t1.jsonl", tasks)
    two = write_jsonl(corpus / "t2.jsonl", tasks * 2)
    report = validate(paths=[one, two], options=ValidateOptions(source_dir=corpus))
    assert [(f.path, f.line) for f in report.findings if f.rule == "duplicate-id"] == [(str(two), 2)]


def test_bad_lines_are_reported_and_the_rest_is_still_checked(corpus):
    broken = clean_record(3)
    broken["spans"][0]["label"] = "CITY"
    rows = [clean_record(0), "{not json", "", "[1, 2]", {"text": 5, "meta": {"id": "doc:9"}}, broken]
    report = check(corpus, rows)
    found = [(f.line, f.rule) for f in report.findings]
    assert found == [(2, "invalid-json"), (4, "not-an-object"), (5, "schema"), (6, "unknown-label")]
    schema = report.findings[2]
    assert "text" in schema.message and schema.record_id == "doc:9"
    assert report.records == 2 and report.lines == 6 and not report.ok


def test_schema_findings_name_the_json_path(corpus):
    record = clean_record()
    record["spans"][1]["start"] = "13"
    [finding] = check(corpus, [record]).findings
    assert finding.rule == "schema" and "spans[1].start" in finding.message


def test_an_unknown_key_called_extra_is_still_a_record(corpus):
    record = clean_record() | {"extra": "kept by Prodigy", "score": 0.5}
    record["meta"]["extra"] = 3
    assert check(corpus, [record]).findings == []


def test_a_byte_order_mark_before_the_first_line_is_accepted(corpus):
    path = corpus / "bom.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + orjson.dumps(clean_record()) + b"\n")
    assert validate(paths=[path], options=ValidateOptions(source_dir=corpus)).findings == []


def test_full_schema_mode_gives_the_same_verdicts(corpus):
    record = clean_record(1)
    record["tokens"][0]["id"] = "0"
    rows = [clean_record(0), record, "oops"]
    fast, full = check(corpus, rows), check(corpus, rows, full_schema=True)
    assert [(f.line, f.rule) for f in fast.findings] == [(f.line, f.rule) for f in full.findings]
    assert [(f.line, f.rule) for f in full.findings] == [(2, "schema"), (3, "invalid-json")]


def test_sources_resolve_against_source_dir_then_cwd_and_missing_ones_are_noted_once(corpus, monkeypatch):
    rows = [clean_record(0), clean_record(1) | {"meta": clean_record(0)["meta"] | {"id": "doc:1"}}]
    path = write_jsonl(corpus / "r.jsonl", rows)
    elsewhere = corpus / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    report = validate(paths=[path])
    assert [(f.rule, f.severity, f.line) for f in report.findings] == [("source-missing", "info", 1)]
    assert report.ok and validate(paths=[path], options=ValidateOptions(strict=True)).ok
    monkeypatch.chdir(corpus)
    assert validate(paths=[path]).findings == []
    assert (
        validate(paths=[path], options=ValidateOptions(source_dir=elsewhere)).findings == []
    )  # falls back to the cwd


def test_source_offsets_are_checked_against_the_text_of_the_source(corpus):
    (corpus / "doc.txt").write_text(PREFIX + TEXT.replace("Monday", "Sunday") + "\n", encoding="utf-8")
    [finding] = check(corpus, [clean_record()]).findings
    assert finding.rule == "source-offsets" and "doc.txt" in finding.message


def test_strict_makes_warnings_fail(corpus):
    record = clean_record()
    del record["meta"]["id"]  # missing-id is a warning
    report = check(corpus, [record])
    assert [(f.rule, f.severity) for f in report.findings] == [("missing-id", "warning")] and report.ok
    strict = check(corpus, [record], strict=True)
    assert not strict.ok and strict.to_dict()["counts"] == {"error": 0, "warning": 1, "info": 0}
    path = str(corpus / "records.jsonl")
    assert runner.invoke(app, ["validate", path, "--source-dir", str(corpus)]).exit_code == 0
    assert runner.invoke(app, ["validate", path, "--source-dir", str(corpus), "--strict"]).exit_code == 1


def test_scheme_and_labels_options(corpus):
    record = clean_record()
    record["spans"][0]["label"] = "LOC"
    record["spans"][3]["label"] = "PER"
    assert check(corpus, [record]).findings == []  # any scheme
    report = check(corpus, [record], scheme="ontonotes")
    assert [f.message for f in report.findings] == [
        "span 3 PER 48-55: label 'PER' is not in scheme ontonotes"
    ]
    with pytest.raises(InputError):
        check(corpus, [record], scheme="wikiner")
    custom = json.loads(Path(load_labels().path).read_text(encoding="utf-8"))
    custom["events"]["types"] = [t for t in custom["events"]["types"] if t["name"] != "ASSAULT"]
    labels = corpus / "labels.json"
    labels.write_text(json.dumps(custom), encoding="utf-8")
    report = check(corpus, [clean_record()], labels=labels)
    assert [f.rule for f in report.findings] == ["event-type"]


def test_missing_input_and_no_input_are_input_errors(tmp_path):
    with pytest.raises(InputError) as caught:
        validate(paths=[tmp_path / "absent.jsonl"])
    assert caught.value.rule == "missing-path"
    with pytest.raises(InputError):
        validate(paths=[])


@settings(max_examples=60, deadline=None)
@given(
    words=st.lists(
        st.from_regex(r"[A-Za-zÀ-ž0-9]{1,8}|[,.;!?“”'-]", fullmatch=True), min_size=1, max_size=30
    ),
    shift=st.integers(min_value=-3, max_value=3),
    which=st.integers(min_value=0, max_value=29),
)
def test_token_rule_accepts_real_tokens_and_catches_any_shift(tmp_path_factory, words, shift, which):
    text = " ".join(words)
    tokens = _tokens(text)
    record = {"text": text, "tokens": tokens, "meta": {"id": "d:0"}}
    folder = tmp_path_factory.mktemp("tokens")
    assert check(folder, [record]).findings == []
    token = tokens[which % len(tokens)]
    moved_start, moved_end = token["start"] + shift, token["end"] + shift
    if shift and text[moved_start:moved_end] != token["text"]:
        token["start"], token["end"] = moved_start, moved_end
        assert [f.rule for f in check(folder, [record]).findings] == ["token-offsets"]


# CLI -----------------------------------------------------------------------------------------------------

runner = CliRunner()


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_cli_text_output_and_exit_codes(corpus, monkeypatch):
    monkeypatch.chdir(corpus)
    good = write_jsonl(corpus / "good.jsonl", [clean_record()])
    broken = clean_record(1)
    broken["events"][0]["label"] = "FIGHT"
    bad = write_jsonl(corpus / "bad.jsonl", [clean_record(5), broken])
    before = {p: _digest(p) for p in (good, bad)}
    result = runner.invoke(app, ["validate", str(good)])
    assert result.exit_code == 0, result.output
    assert "ok: checked 1 records in 1 file(s): 0 errors" in result.stderr
    result = runner.invoke(app, ["validate", str(good), str(bad)])
    assert result.exit_code == 1
    assert (
        f"{bad}:2: error [event-type] event 0 type 'FIGHT' is not a PLOVER event type (doc:1)"
        in result.stderr
    )
    assert result.stdout == ""  # findings are not data: stdout stays clean
    quiet = runner.invoke(app, ["validate", str(bad), "-q"])
    assert quiet.exit_code == 1 and "[event-type]" in quiet.stderr  # --quiet never hides findings
    assert "error: validation failed: checked 3 records in 2 file(s): 1 errors" in result.stderr
    assert before == {p: _digest(p) for p in (good, bad)}  # files are never modified
    missing = runner.invoke(app, ["validate", str(corpus / "absent.jsonl")])
    assert missing.exit_code == 2 and "absent.jsonl: [missing-path] no such file" in missing.stderr
    assert "Traceback" not in missing.output


def test_cli_json_output_and_strict(corpus, monkeypatch):
    monkeypatch.chdir(corpus)
    record = clean_record()
    del record["meta"]["id"]
    path = write_jsonl(corpus / "warn.jsonl", [record])
    result = runner.invoke(app, ["validate", str(path), "--format", "json"])
    assert result.exit_code == 0
    document = json.loads(result.stdout)
    assert document["ok"] and document["counts"] == {"error": 0, "warning": 1, "info": 0}
    assert document["findings"][0] | {"file": None} == {
        "file": None,
        "line": 1,
        "record_id": None,
        "rule": "missing-id",
        "severity": "warning",
        "message": "record has no meta.id",
        "hint": document["findings"][0]["hint"],
    }
    assert runner.invoke(app, ["validate", str(path), "--strict"]).exit_code == 1


def test_cli_reads_standard_input(corpus, monkeypatch):
    monkeypatch.chdir(corpus)
    result = runner.invoke(
        app, ["validate", "-", "--source-dir", str(corpus)], input=json.dumps(clean_record()) + "\n"
    )
    assert result.exit_code == 0, result.output
    assert "checked 1 records" in result.stderr


def test_cli_on_a_converted_seed(root, seed_path, tmp_path, monkeypatch):
    monkeypatch.chdir(root)
    out = tmp_path / "tasks.jsonl"
    converted = runner.invoke(app, ["convert", str(seed_path.relative_to(root)), "-o", str(out)])
    assert converted.exit_code == 0, converted.output
    result = runner.invoke(app, ["validate", str(out), "--strict"])
    assert result.exit_code == 0, result.output
    lines = out.read_text(encoding="utf-8").splitlines()
    record = json.loads(lines[5])
    record["text"] = record["text"].replace(" ", "  ", 1)  # an edited text breaks hash, tokens and offsets
    lines[5] = json.dumps(record)
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["validate", str(out), "--format", "json"])
    assert result.exit_code == 1
    rules = {f["rule"] for f in json.loads(result.stdout)["findings"]}
    assert {"text-sha256", "source-offsets"} <= rules and all(
        f["line"] == 6 for f in json.loads(result.stdout)["findings"]
    )


def test_a_finding_is_one_line_naming_file_line_rule_and_record_and_its_json_keys_are_stable():
    finding = Finding("span-text", "span 0 text differs", "f.jsonl", 3, "d:0", hint="count code points")
    assert str(finding) == "f.jsonl:3: error [span-text] span 0 text differs (d:0) — count code points"
    assert finding.to_dict() == {
        "file": "f.jsonl",
        "line": 3,
        "record_id": "d:0",
        "rule": "span-text",
        "severity": "error",
        "message": "span 0 text differs",
        "hint": "count code points",
    }


# ---------------------------------------------------------------- quotes in pieces

INTERRUPTED = "“We will hold,” the mayor said, “and we will rebuild.”"


def interrupted_record(pieces: list[dict]) -> dict:
    """A record of one interrupted quote, as ``pieces`` draw it (each piece's roles by their words)."""
    text = INTERRUPTED
    record = clean_record(0)
    quotes = [
        {
            "content": _role(text, piece["content"]) if piece.get("content") else None,
            "speaker": _role(text, piece["speaker"]) if piece.get("speaker") else None,
            "cue": _role(text, piece["cue"]) if piece.get("cue") else None,
            "kind": "direct",
            "source": "human:alice",
            "id": piece.get("id", "doc:0:q0"),
            "linked_records": piece.get("linked", []),
        }
        for piece in pieces
    ]
    record.update(text=text, tokens=_tokens(text), spans=[], events=[], quotes=quotes)
    record["meta"] = {"id": "doc:0", "doc_id": "doc", "unit": 0}
    return record


FIRST, SECOND = "“We will hold,”", "“and we will rebuild.”"
SPEAKER_CUE = {"speaker": "the mayor", "cue": "said"}


@pytest.mark.parametrize(
    ("pieces", "rules"),
    [
        # The decided form: two pieces sharing the id, speaker and cue, each with its own content.
        ([{"content": FIRST, **SPEAKER_CUE}, {"content": SECOND, **SPEAKER_CUE}], set()),
        # A second cue or speaker of the same words: a piece of the same quote without content.
        ([{"content": FIRST, **SPEAKER_CUE}, {"speaker": "the mayor", "cue": "said"}], set()),
        # One content over the interruption holds its own speaker and cue.
        ([{"content": INTERRUPTED, **SPEAKER_CUE}], {"quote-overlap"}),
        # A piece's content may not hold the cue another piece of its quote names.
        ([{"content": FIRST, **SPEAKER_CUE}, {"content": "said, “and we"}], {"quote-overlap"}),
        # Two quotes on the same content, or a piece repeated.
        ([{"content": FIRST, **SPEAKER_CUE}, {"content": FIRST, "id": "doc:0:q1"}], {"quote-shared-span"}),
        ([{"content": FIRST, **SPEAKER_CUE}, {"content": FIRST, **SPEAKER_CUE}], {"quote-shared-span"}),
        # Two pieces without content on one cue: a tool rebuilds one quote from one span.
        (
            [{"content": FIRST, **SPEAKER_CUE}, {"cue": "said"}, {"cue": "said", "speaker": "the mayor"}],
            {"quote-shared-span"},
        ),
        # A piece that is only a speaker another quote names: a tool draws the span once, for the other one.
        (
            [
                {"content": FIRST, **SPEAKER_CUE},
                {"speaker": "the mayor", "id": "doc:0:q1", "linked": ["doc:1"]},
            ],
            {"quote-shared-span"},
        ),
        # A quote with no content in any piece and no linked record.
        ([{"speaker": "the mayor"}, {"cue": "said"}], {"quote-content"}),
        # Different quotes may nest (attribution corpora do): overlapping, not equal, content is fine.
        ([{"content": FIRST, **SPEAKER_CUE}, {"content": "We will hold", "id": "doc:0:q1"}], set()),
    ],
    ids=[
        "pieces",
        "extra-cue",
        "one-span",
        "sibling-cue",
        "two-quotes",
        "repeated",
        "shared-anchor",
        "lone-speaker",
        "no-content",
        "nested",
    ],
)
def test_pieces_of_one_quote(tmp_path, pieces, rules):
    report = check(tmp_path, [interrupted_record(pieces)])
    assert {f.rule for f in report.findings} == rules, report.findings


def test_pieces_without_an_id_are_separate_quotes(tmp_path):
    record = interrupted_record([{"content": FIRST, **SPEAKER_CUE}, {"speaker": "the mayor", "cue": "said"}])
    for quote in record["quotes"]:
        quote["id"] = None
    report = check(tmp_path, [record])
    assert [(f.rule, f.message) for f in report.findings] == [("quote-content", "quote 1 has no content")]


def test_quote_token_boundary_needs_tokens_and_names_the_edge(tmp_path):
    record = interrupted_record([{"content": FIRST, **SPEAKER_CUE}])
    record["quotes"][0]["speaker"] = {"start": 17, "end": 25}  # "he mayor"
    [finding] = check(tmp_path, [record]).findings
    assert (finding.rule, finding.message) == (
        "quote-token-boundary",
        "quote 0 speaker 17-25: its start is inside a token",
    )
    record["tokens"] = []
    assert check(tmp_path, [record]).findings == []
