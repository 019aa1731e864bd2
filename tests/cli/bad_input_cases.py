"""The bad-input matrix: every command x every kind of bad input, and how to run one case.

A case is a command line, a change that makes one of its inputs or outputs bad, and the outcome a user should
see: ``refused`` (exit 1 or 2, exactly one ``error:`` line, the last on stderr, naming the path at fault, and
every file left as it was: no partial output, no stray temporary file) or ``ok`` (exit 0, where the input is
unusual but fine, such as a missing output folder, which is created). No case may print a traceback.

Every case runs in a fresh copy of one workspace of good files built by the toolkit itself.
"""

from __future__ import annotations

import builtins
import contextlib
import errno
import hashlib
import io
import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import orjson

# Six short made-up news documents: enough for a packaged dataset with a non-empty test split.
DOCUMENTS = [
    (
        "riverton-bridge",
        "The mayor of Riverton said on Tuesday that the river bridge would reopen next month. "
        '"We are doing everything we can," Ana Ortiz told reporters.\n\n'
        "Engineers from the regional transport office inspected the cracked pillars last week.",
    ),
    (
        "port-strike",
        "Dock workers in Halden walked off the job on Monday after talks with the port authority broke down. "
        "The union said the strike would last until wages were raised.",
    ),
    (
        "border-talks",
        "Foreign ministers of Norland and Estavia met in Geneva on Friday to discuss the disputed border. "
        "According to a joint statement, both sides agreed to meet again in March.",
    ),
    (
        "flood-aid",
        "The government of Melora pledged $40 million in aid after floods destroyed thousands of homes. "
        "Aid groups warned that clean water was running out in the northern provinces.",
    ),
    (
        "council-protest",
        "Police arrested two men after a protest outside the council building in Brenford. "
        '"This is not over," said Malik Haddad, one of the organisers.',
    ),
    (
        "rail-strike",
        "Rail staff across Estavia threatened to strike on Thursday over new shift rules. "
        "The transport minister, Ivo Lenz, accused the union of holding the country hostage.",
    ),
]
CONLL = """-DOCSTART- -X- -X- O

Dock NNP B-NP O
workers NNS I-NP O
in IN B-PP O
Halden NNP B-NP B-LOC
walked VBD B-VP O
out RP B-PRT O
. . O O

Ana NNP B-NP B-PER
Ortiz NNP I-NP I-PER
spoke VBD B-VP O
. . O O
"""
BRAT_TEXT = 'Ana Ortiz said the bridge would reopen. "We are doing everything we can," she told reporters.\n'
BRAT_ANN = (
    "T1\tSource 0 9\tAna Ortiz\nT2\tCue 10 14\tsaid\nT3\tContent 15 38\tthe bridge would reopen\n"
    "E1\tAttribution:T2 Source:T1 Content:T3\n"
)
DATASET = "dist/news/1.0.0"
# Longer than spaCy's default Language.max_length (1,000,000 characters), with no sentence end inside.
HUGE_TEXT = "word " * 220_000


def build_workspace(folder: Path, run: Callable[[list[str]], None]) -> None:
    """Good inputs for every command, made by the toolkit's own commands (``run`` runs one CLI call)."""
    folder.mkdir(parents=True, exist_ok=True)
    os.chdir(folder)
    Path("doc.txt").write_text(DOCUMENTS[0][1] + "\n", encoding="utf-8")
    feed = [
        {"id": doc_id, "text": text, "date": f"2024-03-0{i + 1}"}
        for i, (doc_id, text) in enumerate(DOCUMENTS)
    ]
    Path("feed.jsonl").write_bytes(b"".join(orjson.dumps(row) + b"\n" for row in feed))
    Path("feed.csv").write_text(
        "id,date,text\n"
        + "".join(f'{r["id"]},{r["date"]},"{r["text"].replace(chr(34), 2 * chr(34))}"\n' for r in feed),
        encoding="utf-8",
    )
    Path("news.conll").write_text(CONLL, encoding="utf-8")
    Path("brat").mkdir()
    Path("brat/riverton.txt").write_text(BRAT_TEXT, encoding="utf-8")
    Path("brat/riverton.ann").write_text(BRAT_ANN, encoding="utf-8")
    Path("guidelines.md").write_text("# Guidelines\n\nMark every person, place and organisation.\n", "utf-8")
    run(["convert", "feed.jsonl", "-o", "tasks.jsonl"])
    run(["preannotate", "tasks.jsonl", "-o", "pre.jsonl"])
    for annotator in ("a", "b"):
        rows = [orjson.loads(line) for line in Path("pre.jsonl").read_bytes().splitlines()]
        for row in rows:
            row.update(answer="accept", _annotator_id=annotator)
        Path(f"{annotator}.jsonl").write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in rows))
    run(["adjudicate", "a.jsonl", "b.jsonl", "-o", "gold.jsonl"])
    run(
        [
            "package",
            "gold.jsonl",
            "--name",
            "news",
            "--version",
            "1.0.0",
            "-o",
            "dist",
            "--splits",
            "0.5,0.17,0.33",
        ]
    )
    shutil.copy("pre.jsonl", "predictions.jsonl")
    _answers_files(run)


def _answers_files(run: Callable[[list[str]], None]) -> None:
    """What each labeling tool gives back: the exported tasks, accepted as they are."""
    run(["export", "prodigy", "pre.jsonl", "-o", "prodigy.tasks.jsonl"])
    tasks = [orjson.loads(line) for line in Path("prodigy.tasks.jsonl").read_bytes().splitlines()]
    for task in tasks:
        task.update(answer="accept", _annotator_id="news-a")
    Path("prodigy.jsonl").write_bytes(b"".join(orjson.dumps(t) + b"\n" for t in tasks))
    run(["export", "doccano", "pre.jsonl", "-o", "doccano.jsonl"])
    run(["export", "labelstudio", "pre.jsonl", "-o", "labelstudio.tasks.json"])
    tasks = orjson.loads(Path("labelstudio.tasks.json").read_bytes())
    for number, task in enumerate(tasks, start=1):
        task["id"] = number
        result = task.pop("predictions", [{}])[0].get("result", [])
        task["annotations"] = [{"id": number, "completed_by": 1, "result": result, "was_cancelled": False}]
    Path("labelstudio.json").write_bytes(orjson.dumps(tasks))
    for name in ("prodigy.tasks.jsonl", "labelstudio.tasks.json", "labelstudio.tasks.config.xml"):
        Path(name).unlink()


def build_project(folder: Path) -> None:
    """A project folder for ``toolkit build``: seeds/, annotations/gold/ and annotations/dataset.toml."""
    (folder / "seeds").mkdir(parents=True)
    (folder / "annotations" / "gold").mkdir(parents=True)
    (folder / "seeds" / "riverton.txt").write_text(DOCUMENTS[0][1] + "\n", encoding="utf-8")
    shutil.copy("gold.jsonl", folder / "annotations" / "gold" / "seed.jsonl")
    (folder / "annotations" / "dataset.toml").write_text(
        'name = "news"\nversion = "1.0.0"\ngroup_by = "doc"\nsplits = "0.5,0.17,0.33"\n', encoding="utf-8"
    )


# ---------------------------------------------------------------- what a case does to the workspace


def snapshot(folder: Path) -> dict[str, str]:
    """Every file and folder under ``folder`` with the sha256 of its bytes: what "nothing changed" means."""
    found: dict[str, str] = {}
    for path in sorted(folder.rglob("*")):
        key = path.relative_to(folder).as_posix()
        if path.is_symlink():
            found[key] = f"link:{os.readlink(path)}"
        elif path.is_dir():
            found[key] = "dir"
        else:
            found[key] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def write(path: str, data: bytes) -> Callable[[Path], None]:
    def make(root: Path) -> None:
        target = root / path
        if target.is_dir():
            shutil.rmtree(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)

    return make


def remove(path: str) -> Callable[[Path], None]:
    def make(root: Path) -> None:
        target = root / path
        shutil.rmtree(target) if target.is_dir() else target.unlink()

    return make


def make_folder(path: str) -> Callable[[Path], None]:
    def make(root: Path) -> None:
        target = root / path
        if target.exists() and not target.is_dir():
            target.unlink()
        target.mkdir(parents=True, exist_ok=True)

    return make


def truncate(path: str) -> Callable[[Path], None]:
    """Cut the file in the middle of its second line (or in half), as an interrupted copy would."""

    def make(root: Path) -> None:
        data = (root / path).read_bytes()
        lines = data.split(b"\n")
        cut = len(lines[0]) + 1 + len(lines[1]) // 2 if len(lines) > 2 else len(data) // 2
        (root / path).write_bytes(data[:cut])

    return make


def append(path: str, data: bytes) -> Callable[[Path], None]:
    def make(root: Path) -> None:
        with (root / path).open("ab") as handle:
            handle.write(data)

    return make


def replace_bytes(path: str, old: bytes, new: bytes) -> Callable[[Path], None]:
    def make(root: Path) -> None:
        data = (root / path).read_bytes()
        assert old in data, f"{old!r} not in {path}"
        (root / path).write_bytes(data.replace(old, new, 1))

    return make


def symlink(link: str, target: str) -> Callable[[Path], None]:
    def make(root: Path) -> None:
        (root / link).symlink_to(target)

    return make


def hardlink(link: str, target: str) -> Callable[[Path], None]:
    def make(root: Path) -> None:
        os.link(root / target, root / link)

    return make


def each(*steps: Callable[[Path], None]) -> Callable[[Path], None]:
    def make(root: Path) -> None:
        for step in steps:
            step(root)

    return make


# Right types, wrong numbers: offsets past the end, reversed, negative; tokens out of order.
BAD_OFFSETS = {
    "text": "Police arrested two men in Brenford.",
    "tokens": [
        {"text": "Police", "start": 0, "end": 6, "id": 0, "ws": True},
        {"text": "men", "start": 24, "end": 27, "id": 1, "ws": True},
        {"text": "arrested", "start": 7, "end": 15, "id": 2, "ws": True},
    ],
    "spans": [
        {"start": 27, "end": 90, "label": "GPE", "token_start": 1, "token_end": 9},
        {"start": 20, "end": 10, "label": "PERSON"},
        {"start": -5, "end": 3, "label": "ORG"},
    ],
    "quotes": [
        {
            "content": {"start": 40, "end": 80},
            "speaker": {"start": -1, "end": 2},
            "cue": None,
            "kind": "direct",
        }
    ],
    "events": [{"label": "ARREST", "trigger": {"start": 99, "end": 7}}],
    "meta": {"id": "brenford:0", "doc_id": "brenford", "unit": 0},
    "answer": "accept",
    "_annotator_id": "b",
}
GARBAGE = bytes(range(256)) * 4 + b"\x00\xff\xfe\n\x89PNG\r\n\x1a\n"
INVALID_UTF8_LINE = b'{"text": "caf\xe9 ol\xe9", "meta": {"id": "bad:0"}}\n'


@dataclass(frozen=True)
class Case:
    """One command line and one bad thing about it."""

    command: str
    bad: str
    argv: tuple[str, ...]
    prepare: Callable[[Path], None] | None = None
    expect: str = "refused"  # or "ok"
    names: str | None = None  # text the error line must contain: the path (or option) at fault
    fault: str | None = None  # an environment fault to simulate: "read-only:<folder>" or "file-size-limit"
    stdin: bytes | None = None
    why: str = ""
    findings: bool = False
    leaves: tuple[str, ...] = ()
    slow: bool = False

    @property
    def id(self) -> str:
        return f"{self.command}/{self.bad}"


# ---------------------------------------------------------------- the commands and their slots


@dataclass(frozen=True)
class Command:
    """A command line with one input slot ``{in}`` and (when it writes) one output slot ``{out}``."""

    name: str
    argv: tuple[str, ...]
    input: str
    kind: str  # records, text, feed, csv, json-array, dataset, project
    output: str | None = None
    output_folder: bool = False
    wrong_options: tuple[tuple[str, tuple[str, ...], str], ...] = ()
    input_classes: tuple[str, ...] | None = None  # a subset of the kind's classes, when others make no sense
    ok: frozenset[str] = field(default_factory=frozenset)  # classes this command accepts, and why (below)
    findings: bool = False  # reports what is wrong line by line (validate, verify...) before its error line
    leaves: tuple[str, ...] = ()  # what a refusal may still write (see the commands below)
    slow: bool = False

    def line(self, *, input: str | None = None, output: str | None = None) -> tuple[str, ...]:
        given, written = input or self.input, output or self.output or ""
        return tuple(arg.replace("{in}", given).replace("{out}", written) for arg in self.argv)

    def case(self, bad: str, argv: tuple[str, ...] | None = None, **fields: object) -> Case:
        expect = "ok" if bad in self.ok else "refused"
        fields.setdefault("why", OK_BECAUSE.get(bad, "") if expect == "ok" else "")
        if expect == "ok":
            fields["names"] = None
        fields.setdefault("findings", self.findings)
        fields.setdefault("leaves", self.leaves)
        fields.setdefault("slow", self.slow)
        return Case(self.name, bad, argv or self.line(), expect=expect, **fields)  # type: ignore[arg-type]


# Why a class of unusual input is accepted where it is.
OK_BECAUSE = {
    "empty": "an empty file of records or answers is zero of them, and zero in gives zero out",
    "huge-unit": "only spaCy's parser and NER need the length limit; this command does not run them",
    "out-missing-parent": "a missing output folder is created, as mkdir -p would",
    "out-is-a-folder": "an existing folder as -o means one output shard per input (docs/distributed.md)",
    "bad-offsets": "records pass through as they are; toolkit validate is where offsets are checked",
}
PASS_THROUGH = frozenset({"bad-offsets"})
SHARDS_OK = frozenset({"out-is-a-folder"})
EMPTY_OK = frozenset({"empty"})
MISSING_PARENT_OK = frozenset({"out-missing-parent"})
LONG_OK = frozenset({"huge-unit"})


def wrong(name: str, *args: str, names: str | None = None) -> tuple[str, tuple[str, ...], str]:
    """A wrong option value; the error must name the value (or ``names``)."""
    return (name, args, names or args[-1])


# train and train-curve read the manifest, DocBins, configs and validation Parquet of a dataset.
INPUT_CLASSES_TRAIN = (
    "missing",
    "not-a-folder",
    "empty-folder",
    "corrupt-validation-parquet",
    "manifest-invalid-utf8",
    "manifest-wrong-types",
    "altered-docbin",
)
# benchmark reads the manifest and the Parquet files of a dataset, not its card.
INPUT_CLASSES_DATASET_READ = (
    "missing",
    "not-a-folder",
    "empty-folder",
    "corrupt-parquet",
    "truncated-parquet",
    "manifest-invalid-utf8",
    "manifest-wrong-types",
)
TOOLS = (("prodigy", "prodigy.jsonl"), ("labelstudio", "labelstudio.json"), ("doccano", "doccano.jsonl"))

COMMANDS: list[Command] = [
    Command(
        "convert-txt",
        ("convert", "{in}", "-o", "{out}"),
        "doc.txt",
        "text",
        "out.jsonl",
        wrong_options=(
            wrong("unit", "--unit", "word"),
            wrong("format", "--format", "xml"),
            wrong("engine", "--engine", "spark"),
            wrong("model", "--model", "no_such_model"),
            wrong("model-garbage", "--model", "garbage.bin"),
        ),
        ok=MISSING_PARENT_OK | SHARDS_OK | LONG_OK,
    ),
    Command(
        "convert-jsonl",
        ("convert", "{in}", "-o", "{out}"),
        "feed.jsonl",
        "feed",
        "out.jsonl",
        wrong_options=(wrong("text-field", "--text-field", "body"),),
        ok=MISSING_PARENT_OK | SHARDS_OK | LONG_OK | EMPTY_OK,
    ),
    Command(
        "convert-csv",
        ("convert", "{in}", "-o", "{out}"),
        "feed.csv",
        "csv",
        "out.jsonl",
        ok=MISSING_PARENT_OK | SHARDS_OK | LONG_OK,
    ),
    Command(
        "convert-conll",
        ("convert", "{in}", "-o", "{out}"),
        "news.conll",
        "conll",
        "out.jsonl",
        ok=MISSING_PARENT_OK | SHARDS_OK | EMPTY_OK,
    ),
    Command(
        "convert-brat",
        ("convert", "brat/riverton.txt", "--format", "brat", "-o", "{out}"),
        "brat/riverton.ann",
        "brat",
        "out.jsonl",
        ok=MISSING_PARENT_OK | SHARDS_OK | EMPTY_OK,
    ),
    Command(
        "preannotate",
        ("preannotate", "{in}", "-o", "{out}"),
        "tasks.jsonl",
        "records",
        "out.jsonl",
        wrong_options=(
            wrong("tasks", "--tasks", "sentiment"),
            wrong("n-process", "--n-process", "0", names="--n-process"),
            wrong("model", "--model", "no_such_model"),
            wrong("label-map", "--label-map", "nowhere.json"),
            wrong("events-model", "--events-model", "nowhere"),
            wrong("events-model-empty", "--events-model", "dist/news"),
            wrong("label-map-binary", "--label-map", "garbage.bin"),
            wrong("batch-size", "--batch-size", "0", names="--batch-size"),
        ),
        ok=MISSING_PARENT_OK | SHARDS_OK | EMPTY_OK,
    ),
    Command(
        "segment",
        ("segment", "{in}", "-o", "{out}"),
        "doc.txt",
        "text",
        "out.jsonl",
        wrong_options=(wrong("unit", "--unit", "word"),),
        ok=MISSING_PARENT_OK | LONG_OK | EMPTY_OK,
    ),
    Command(
        "validate",
        ("validate", "{in}"),
        "gold.jsonl",
        "records",
        wrong_options=(
            wrong("format", "--format", "xml"),
            wrong("labels", "--labels", "nowhere.json"),
            wrong("labels-binary", "--labels", "garbage.bin"),
            wrong("source-dir", "--source-dir", "nowhere"),
            wrong("scheme", "--scheme", "klingon"),
        ),
        ok=LONG_OK | EMPTY_OK,
        findings=True,
    ),
    Command(
        "agree",
        ("agree", "a.jsonl", "{in}"),
        "b.jsonl",
        "records",
        wrong_options=(wrong("format", "--format", "xml"),),
        ok=LONG_OK | EMPTY_OK | PASS_THROUGH,
    ),
    Command(
        "adjudicate",
        ("adjudicate", "a.jsonl", "{in}", "-o", "{out}"),
        "b.jsonl",
        "records",
        "adjudicated.jsonl",
        wrong_options=(wrong("min-annotators", "--min-annotators", "0", names="--min-annotators"),),
        ok=MISSING_PARENT_OK | LONG_OK | EMPTY_OK | PASS_THROUGH,
    ),
    Command(
        "show",
        ("show", "{in}", "--limit", "100"),
        "gold.jsonl",
        "records",
        wrong_options=(wrong("limit", "--limit", "0", names="--limit"), wrong("id", "--id", "no-such:id")),
        ok=LONG_OK | EMPTY_OK | PASS_THROUGH,
    ),
    Command(
        "show-html",
        ("show", "{in}", "--html", "{out}"),
        "gold.jsonl",
        "records",
        "page.html",
        ok=MISSING_PARENT_OK | LONG_OK | EMPTY_OK | PASS_THROUGH,
    ),
    *[
        Command(
            f"export-{tool}",
            ("export", tool, "{in}", "-o", "{out}"),
            "pre.jsonl",
            "records",
            "exported.json" if tool == "labelstudio" else "exported.jsonl",
            wrong_options=(wrong("view", "--view", "sentiment"),),
            ok=MISSING_PARENT_OK | LONG_OK | EMPTY_OK | PASS_THROUGH,
        )
        for tool, _ in TOOLS
    ],
    *[
        Command(
            f"import-{tool}",
            ("import", tool, "{in}", "-o", "{out}", "--into", "pre.jsonl"),
            answers,
            "json-array" if tool == "labelstudio" else "records",
            "answers.jsonl",
            wrong_options=(
                wrong("view", "--view", "sentiment"),
                wrong("into", "--into", "nowhere.jsonl"),
                wrong("into-binary", "--into", "garbage.bin"),
            ),
            input_classes=(
                "missing",
                "folder",
                "empty",
                "invalid-utf8",
                "binary",
                "truncated-json",
                "wrong-types",
            ),
            ok=MISSING_PARENT_OK | (EMPTY_OK if tool != "labelstudio" else frozenset()),
            findings=True,
        )
        for tool, answers in TOOLS
    ],
    Command(
        "package",
        (
            "package",
            "{in}",
            "--name",
            "news",
            "--version",
            "2.0.0",
            "-o",
            "{out}",
            "--splits",
            "0.5,0.17,0.33",
        ),
        "gold.jsonl",
        "records",
        "releases",
        output_folder=True,
        wrong_options=(
            wrong("version", "--version", "2.0"),
            wrong("splits", "--splits", "a,b"),
            wrong("guidelines-missing", "--guidelines", "nowhere.md"),
            wrong("guidelines-binary", "--guidelines", "garbage.bin"),
            wrong("guidelines-folder", "--guidelines", "dist"),
            wrong("baselines", "--baselines", "garbage.bin"),
            wrong("previous", "--previous", "nowhere"),
            wrong("previous-not-a-dataset", "--previous", "dist/news"),
            wrong("labels-binary", "--labels", "garbage.bin"),
            wrong("source-dir", "--source-dir", "nowhere"),
            wrong("entity-scheme", "--entity-scheme", "klingon"),
            wrong("date", "--date", "yesterday"),
            wrong("group-by", "--group-by", "no_such_field"),
        ),
        ok=MISSING_PARENT_OK | LONG_OK,
        findings=True,
    ),
    Command(
        "verify",
        ("verify", "{in}"),
        DATASET,
        "dataset",
        wrong_options=(wrong("format", "--format", "xml"),),
        findings=True,
    ),
    Command(
        "benchmark",
        ("benchmark", "{in}", "--system", "file:predictions.jsonl", "-o", "{out}", "--bootstrap", "0"),
        DATASET,
        "dataset",
        "report",
        output_folder=True,
        input_classes=INPUT_CLASSES_DATASET_READ,
        wrong_options=(
            wrong("split", "--split", "dev"),
            wrong("system", "--system", "magic:x"),
            wrong("tasks", "--tasks", "sentiment"),
            wrong("label-map", "--label-map", "garbage.bin"),
            wrong("bootstrap", "--bootstrap", "-1", names="--bootstrap"),
        ),
        ok=MISSING_PARENT_OK,
    ),
    Command(
        "benchmark-predictions",
        ("benchmark", DATASET, "--system", "file:{in}", "-o", "{out}", "--bootstrap", "0"),
        "predictions.jsonl",
        "records",
        "report",
        output_folder=True,
        input_classes=("missing", "folder", "invalid-utf8", "binary", "truncated-json", "wrong-types"),
        ok=MISSING_PARENT_OK,
        leaves=("report",),  # the report says which system failed and why
    ),
    Command(
        "train",
        ("train", "{in}", "-o", "{out}", "--tasks", "events", "--epochs", "1", "--min-f1", "0"),
        DATASET,
        "dataset",
        "model",
        output_folder=True,
        # train reads the manifest, the DocBins and configs it lists (checked by sha256) and, to score what
        # it trained, the validation split's Parquet file; never the card or the test split.
        input_classes=INPUT_CLASSES_TRAIN,
        wrong_options=(
            wrong("tasks", "--tasks", "sentiment"),
            wrong("epochs", "--epochs", "0", names="--epochs"),
            wrong("patience", "--patience", "0", names="--patience"),
            wrong("min-f1", "--min-f1", "2"),
            wrong("base", "--base", "garbage.bin"),
        ),
        ok=MISSING_PARENT_OK,
    ),
    Command(
        "train-curve",
        ("train-curve", "{in}", "-o", "{out}", "--tasks", "events", "--epochs", "1", "--shares", "100"),
        DATASET,
        "dataset",
        "curve",
        output_folder=True,
        input_classes=INPUT_CLASSES_TRAIN,
        wrong_options=(
            wrong("shares", "--shares", "50,25"),
            wrong("format", "--format", "xml"),
            wrong("tasks", "--tasks", "sentiment"),
        ),
        ok=MISSING_PARENT_OK,
    ),
    Command(
        "effort",
        ("effort", "pre.jsonl", "{in}"),
        "a.jsonl",
        "records",
        wrong_options=(
            wrong("format", "--format", "xml"),
            wrong("tasks", "--tasks", "sentiment"),
            wrong("idle", "--idle", "0", names="--idle"),
        ),
        ok=EMPTY_OK,
    ),
    Command(
        "effort-pre",
        ("effort", "{in}", "a.jsonl"),
        "pre.jsonl",
        "records",
        # Pre-annotated records nobody answered are not compared, however long or odd they are.
        ok=LONG_OK | PASS_THROUGH,
    ),
    Command(
        "build",
        ("build", "--root", "{in}", "--no-benchmark", "--quiet"),
        "project",
        "project",
        findings=True,
        # Steps that succeeded before the failing one keep their outputs, as make would.
        leaves=("project/annotations/tasks", "project/annotations/pre"),
        slow=True,
    ),
]

INPUT_CLASSES: dict[str, tuple[str, ...]] = {
    "records": (
        "missing",
        "folder",
        "empty",
        "invalid-utf8",
        "binary",
        "truncated-json",
        "wrong-types",
        "huge-unit",
        "bad-offsets",
        "unreadable",
    ),
    "conll": ("missing", "folder", "empty", "invalid-utf8", "binary", "bad-line"),
    "brat": ("missing", "folder", "empty", "invalid-utf8", "binary", "bad-line", "bad-offsets"),
    "text": ("missing", "folder", "empty", "invalid-utf8", "binary", "huge-unit"),
    "feed": (
        "missing",
        "folder",
        "empty",
        "invalid-utf8",
        "binary",
        "truncated-json",
        "wrong-types",
        "huge-unit",
    ),
    "csv": (
        "missing",
        "folder",
        "empty",
        "invalid-utf8",
        "binary",
        "unclosed-quote",
        "duplicate-header",
        "huge-unit",
    ),
    "json-array": ("missing", "folder", "empty", "invalid-utf8", "binary", "truncated-json", "wrong-types"),
    "dataset": (
        "missing",
        "not-a-folder",
        "empty-folder",
        "corrupt-parquet",
        "truncated-parquet",
        "manifest-invalid-utf8",
        "manifest-wrong-types",
        "card-invalid-utf8",
    ),
    "project": (
        "missing",
        "not-a-folder",
        "seeds-invalid-utf8",
        "gold-truncated-json",
        "settings-invalid-utf8",
        "settings-invalid-toml",
        "settings-wrong-types",
        "guidelines-binary",
        "dist-is-a-file",
        "tasks-is-gold",
        "project-read-only",
        "project-disk-full",
    ),
}


def input_case(command: Command, bad: str) -> Case:
    """``command`` with its input slot made bad in the way ``bad`` names."""
    if command.kind == "project":
        return project_case(command, bad)
    path = command.input
    prepare: Callable[[Path], None]
    if bad == "missing":
        prepare = remove(path)
    elif bad == "folder":
        prepare = make_folder(path)
    elif bad == "empty-folder":
        prepare = each(remove(path), make_folder(path))
    elif bad == "not-a-folder":
        prepare = each(remove(path), write(path, b"not a folder\n"))
    elif bad == "empty":
        prepare = write(path, b"")
    elif bad == "invalid-utf8":
        prepare = _invalid_utf8(command)
    elif bad == "binary":
        prepare = write(path, GARBAGE)
    elif bad == "truncated-json":
        prepare = truncate(path)
    elif bad == "wrong-types":
        prepare = _wrong_types(command)
    elif bad == "huge-unit":
        prepare = _huge_unit(command)
    elif bad == "unreadable":
        return command.case(bad, names=Path(path).name, fault=f"unreadable:{path}")
    elif bad == "bad-offsets" and command.kind == "brat":
        prepare = append(path, b"T9\tPERSON 500 509\tAna Ortiz\nT8\tPERSON 20 10\tbridge\n")
    elif bad == "bad-offsets":
        prepare = append(path, orjson.dumps(BAD_OFFSETS) + b"\n")
    elif bad == "bad-line" and command.kind == "conll":
        prepare = append(path, b"\nRiverton NNP B-NP B-LOC extra columns here\nonly\n")
    elif bad == "bad-line":
        prepare = append(path, b"T7 this is not a brat line\nE2\tAttribution:T99 Source:T1\n")
    elif bad == "unclosed-quote":
        prepare = write(path, b'id,text\none,"The minister said he would resign.\ntwo,A second story.\n')
    elif bad == "duplicate-header":
        prepare = write(path, b"id,text,text\none,First story.,Second text.\n")
    elif bad == "corrupt-parquet":
        prepare = write(f"{path}/data/full/test.parquet", b"PAR1" + GARBAGE + b"PAR1")
    elif bad == "corrupt-validation-parquet":
        prepare = write(f"{path}/data/full/validation.parquet", b"PAR1" + GARBAGE + b"PAR1")
    elif bad == "altered-docbin":
        prepare = append(f"{path}/spacy/train/00000.spacy", b"\x00")
    elif bad == "truncated-parquet":
        prepare = truncate(f"{path}/data/full/test.parquet")
    elif bad == "manifest-invalid-utf8":
        prepare = write(f"{path}/manifest.json", b'{"name": "caf\xe9"}')
    elif bad == "manifest-wrong-types":
        prepare = write(f"{path}/manifest.json", b'{"name": 5, "configs": [], "files": "x", "label_sets": 3}')
    elif bad == "card-invalid-utf8":
        prepare = append(f"{path}/README.md", b"\nCaf\xe9 notes.\n")
    else:
        raise ValueError(bad)
    return command.case(bad, prepare=prepare, names=_fault_name(command, bad))


def _fault_name(command: Command, bad: str) -> str:
    if command.kind == "brat":
        return "riverton."  # the .txt or the .ann of the pair, whichever is at fault
    if command.kind == "dataset" and bad.startswith("manifest"):
        return "manifest.json"
    if command.kind == "dataset" and bad.startswith("card"):
        return "README.md"
    if command.kind == "dataset" and bad == "corrupt-validation-parquet":
        return "validation.parquet"
    if command.kind == "dataset" and bad == "altered-docbin":
        return "00000.spacy"
    if command.kind == "dataset" and bad.endswith("parquet"):
        return "test.parquet"
    return Path(command.input).name


def _invalid_utf8(command: Command) -> Callable[[Path], None]:
    path = command.input
    if command.kind == "text":
        return append(path, b"The caf\xe9 was closed.\n")
    if command.kind == "conll":
        return append(path, b"\nCaf\xe9 NNP B-NP O\n")
    if command.kind == "brat":
        return append(path, b"T9\tPERSON 0 3\tAn\xe9\n")
    if command.kind == "csv":
        return append(path, b'seven,2024-03-09,"The caf\xe9 was closed."\n')
    if command.kind == "json-array":
        return replace_bytes(path, b'"text":"', b'"text":"caf\xe9 ')
    return append(path, INVALID_UTF8_LINE)


def _wrong_types(command: Command) -> Callable[[Path], None]:
    path = command.input
    if command.kind == "json-array":
        return write(path, b'[{"data": 5, "annotations": "none"}]')
    if command.kind == "feed":
        return append(path, b'{"id": ["x"], "text": 5}\n')
    if command.name == "import-doccano":
        return append(path, b'{"text": 5, "label": "GPE", "record_id": 7}\n')
    return append(
        path, b'{"text": 5, "tokens": "none", "spans": {"start": "a"}, "meta": [], "answer": "accept"}\n'
    )


def _huge_unit(command: Command) -> Callable[[Path], None]:
    path = command.input
    if command.kind == "text":
        return write(path, HUGE_TEXT.encode())
    if command.kind == "csv":
        return append(path, f"huge,2024-03-09,{HUGE_TEXT}\n".encode())
    if command.kind == "feed":
        return append(path, orjson.dumps({"id": "huge", "text": HUGE_TEXT}) + b"\n")
    record = {"text": HUGE_TEXT, "meta": {"id": "huge:0", "doc_id": "huge", "unit": 0}}
    if command.name in ("agree", "adjudicate", "package"):
        record.update(answer="accept", _annotator_id="b", events=[{"label": "PROTEST", "trigger": None}])
    return append(path, orjson.dumps(record) + b"\n")


def project_case(command: Command, bad: str) -> Case:
    """``toolkit build`` on a project folder with one thing wrong in it."""
    root = command.input
    gold = f"{root}/annotations/gold/seed.jsonl"
    settings = f"{root}/annotations/dataset.toml"
    made: dict[str, tuple[Callable[[Path], None] | None, str]] = {
        "missing": (remove(root), root),
        "not-a-folder": (each(remove(root), write(root, b"not a folder\n")), root),
        "seeds-invalid-utf8": (
            append(f"{root}/seeds/riverton.txt", b"The caf\xe9 was closed.\n"),
            "riverton.txt",
        ),
        "gold-truncated-json": (truncate(gold), "seed.jsonl"),
        "settings-invalid-utf8": (append(settings, b'description = "caf\xe9"\n'), "dataset.toml"),
        "settings-invalid-toml": (append(settings, b"version = \n"), "dataset.toml"),
        "settings-wrong-types": (append(settings, b'seed = "zero"\n'), "dataset.toml"),
        "guidelines-binary": (write(f"{root}/annotations/GUIDELINES.md", GARBAGE), "GUIDELINES.md"),
        "dist-is-a-file": (write(f"{root}/dist", b"not a folder\n"), "dist"),
        "tasks-is-gold": (
            each(
                make_folder(f"{root}/annotations/tasks"),
                symlink(f"{root}/annotations/tasks/seed.jsonl", "../gold/seed.jsonl"),
            ),
            "seed.jsonl",
        ),
        "project-read-only": (None, "annotations/tasks"),  # build names paths inside --root
        "project-disk-full": (None, "seed.jsonl"),
    }
    prepare, names = made[bad]
    fault = {"project-read-only": f"read-only:{root}", "project-disk-full": "file-size-limit"}.get(bad)
    return command.case(bad, prepare=prepare, names=names, fault=fault)


OUTPUT_CLASSES = (
    "out-unwritable",
    "out-missing-parent",
    "out-parent-is-file",
    "out-is-a-folder",
    "out-is-input",
    "out-symlink-to-input",
    "out-hardlink-to-input",
    "out-disk-full",
)


def output_case(command: Command, bad: str) -> Case | None:
    """``command`` with its output slot made bad in the way ``bad`` names; None where it cannot apply."""
    out = command.output
    assert out is not None
    line = command.line
    if bad == "out-unwritable":
        return command.case(
            bad,
            line(output=f"locked/{out}"),
            prepare=make_folder("locked"),
            names="locked",
            fault="read-only:locked",
        )
    if bad == "out-missing-parent":
        return command.case(bad, line(output=f"new/deeper/{out}"))
    if bad == "out-parent-is-file":
        return command.case(bad, line(output=f"guidelines.md/{out}"), names="guidelines.md")
    if bad == "out-is-a-folder":
        if command.output_folder:  # the reverse: a file where the output folder should be
            return command.case(bad, line(output="guidelines.md"), names="guidelines.md")
        return command.case(bad, line(output="outdir"), prepare=make_folder("outdir"), names="outdir")
    if bad == "out-is-input":
        return command.case(bad, line(output=command.input), names=command.input)
    if bad in ("out-symlink-to-input", "out-hardlink-to-input"):
        if command.output_folder:
            return None
        link = symlink if bad == "out-symlink-to-input" else hardlink
        return command.case(
            bad, line(output="linked.out"), prepare=link("linked.out", command.input), names="linked.out"
        )
    if bad == "out-disk-full":
        if command.output_folder:
            return command.case(bad, names=out, fault="file-size-limit")
        return command.case(bad, line(output="/dev/full"), names="/dev/full")
    raise ValueError(bad)


def cases() -> list[Case]:
    found: list[Case] = []
    for command in COMMANDS:
        for bad in command.input_classes or INPUT_CLASSES[command.kind]:
            found.append(input_case(command, bad))
        if command.output is not None:
            for bad in OUTPUT_CLASSES:
                case = output_case(command, bad)
                if case is not None:
                    found.append(case)
        for name, args, names in command.wrong_options:
            found.append(
                command.case(
                    f"option-{name}",
                    command.line() + args,
                    prepare=write("garbage.bin", GARBAGE),
                    names=names,
                )
            )
    return found + special_cases()


def _command(name: str) -> Command:
    return next(c for c in COMMANDS if c.name == name)


def special_cases() -> list[Case]:
    """Cases that do not fit one slot: outputs onto each other or onto --into, Label Studio's config file."""
    gold_out = "adjudicated.jsonl"
    adjudicate, convert, segment = _command("adjudicate"), _command("convert-txt"), _command("segment")
    benchmark, train = _command("benchmark"), _command("train")
    copy = lambda a, b: lambda root: shutil.copy(root / a, root / b)  # noqa: E731
    return [
        adjudicate.case(
            "ties-is-input",
            ("adjudicate", "a.jsonl", "b.jsonl", "-o", gold_out, "--ties", "a.jsonl"),
            names="a.jsonl",
        ),
        adjudicate.case(
            "ties-is-output",
            ("adjudicate", "a.jsonl", "b.jsonl", "-o", gold_out, "--ties", gold_out),
            names=gold_out,
        ),
        adjudicate.case(
            "default-ties-is-input",
            ("adjudicate", "a.jsonl", "gold.ties.jsonl", "-o", "gold.jsonl"),
            prepare=copy("b.jsonl", "gold.ties.jsonl"),
            names="gold.ties.jsonl",
        ),
        *[
            _command(f"import-{tool}").case(
                "out-is-into",
                ("import", tool, answers, "-o", "pre.jsonl", "--into", "pre.jsonl"),
                names="pre.jsonl",
            )
            for tool, answers in TOOLS
        ],
        _command("export-labelstudio").case(
            "config-is-input",
            ("export", "labelstudio", "pre.config.xml", "-o", "pre.json"),
            prepare=copy("pre.jsonl", "pre.config.xml"),
            names="pre.config.xml",
        ),
        convert.case(  # a new -o in a source folder is fine; an existing one is an input of this run
            "out-inside-input-folder",
            ("convert", "texts", "-o", "texts/out.jsonl"),
            prepare=each(
                make_folder("texts"), copy("doc.txt", "texts/doc.txt"), copy("pre.jsonl", "texts/out.jsonl")
            ),
            names="texts",
        ),
        segment.case(
            "two-inputs-one-output",
            ("segment", "doc.txt", "guidelines.md", "-o", "guidelines.md"),
            names="guidelines.md",
        ),
        benchmark.case(
            "out-inside-dataset",
            (
                "benchmark",
                DATASET,
                "--system",
                "file:predictions.jsonl",
                "-o",
                f"{DATASET}/report",
                "--bootstrap",
                "0",
            ),
            names=DATASET,
        ),
        train.case(
            "out-holds-input",
            ("train", "model/news", "-o", "model", "--force", "--tasks", "events", "--epochs", "1"),
            prepare=each(
                make_folder("model"), lambda root: shutil.copytree(root / DATASET, root / "model/news")
            ),
            names="model",
        ),
        benchmark.case(
            "option-spacy-garbage",
            ("benchmark", DATASET, "--system", "spacy:garbage.bin", "-o", "report", "--bootstrap", "0"),
            prepare=write("garbage.bin", GARBAGE),
            names="garbage.bin",
            leaves=("report",),  # the report says which system failed and why
        ),
        _command("show").case("stdin-invalid-utf8", ("show", "-"), stdin=INVALID_UTF8_LINE, names="-"),
        _command("validate").case("stdin-binary", ("validate", "-"), stdin=GARBAGE, names="-:1"),
        _command("preannotate").case(
            "stdin-truncated",
            ("preannotate", "-", "-o", "out.jsonl"),
            stdin=b'{"text": "The mayor spoke.", "meta": {"id": "x:0"}}\n{"text": "The min',
            names="-",
        ),
    ]


# ---------------------------------------------------------------- simulated environment faults

WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC


def _inside(path: object, folder: Path) -> bool:
    try:
        resolved = Path(os.path.realpath(os.fsdecode(path)))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False
    return resolved == folder or folder in resolved.parents


@contextlib.contextmanager
def read_only(folder: Path) -> Iterator[None]:
    """Make ``folder`` refuse new files: by its mode bits, or (for root, whom they do not stop) by failing
    every call that would create, open for writing or rename something inside it with EACCES, as the
    kernel would for another user."""
    if os.geteuid() != 0:
        folder.chmod(0o555)
        try:
            yield
        finally:
            folder.chmod(0o755)
        return
    folder = Path(os.path.realpath(folder))

    def denied(path: object) -> OSError:
        return PermissionError(errno.EACCES, os.strerror(errno.EACCES), os.fsdecode(path))  # type: ignore[arg-type]

    real_open, real_os_open, real_mkdir = builtins.open, os.open, os.mkdir
    real_replace, real_rename = os.replace, os.rename

    def fake_open(file, mode="r", *args, **kwargs):  # type: ignore[no-untyped-def]
        if isinstance(file, str | bytes | os.PathLike) and set(mode) & set("wax+") and _inside(file, folder):
            raise denied(file)
        return real_open(file, mode, *args, **kwargs)

    def fake_os_open(path, flags, *args, **kwargs):  # type: ignore[no-untyped-def]
        if flags & WRITE_FLAGS and _inside(path, folder):
            raise denied(path)
        return real_os_open(path, flags, *args, **kwargs)

    def fake_mkdir(path, *args, **kwargs):  # type: ignore[no-untyped-def]
        if _inside(path, folder) and Path(os.path.realpath(path)) != folder:
            raise denied(path)
        return real_mkdir(path, *args, **kwargs)

    def fake_move(real):  # type: ignore[no-untyped-def]
        def move(src, dst, *args, **kwargs):  # type: ignore[no-untyped-def]
            if _inside(dst, folder):
                raise denied(dst)
            return real(src, dst, *args, **kwargs)

        return move

    with _patched(
        {
            (builtins, "open"): fake_open,
            (io, "open"): fake_open,
            (os, "open"): fake_os_open,
            (os, "mkdir"): fake_mkdir,
            (os, "replace"): fake_move(real_replace),
            (os, "rename"): fake_move(real_rename),
        }
    ):
        yield


@contextlib.contextmanager
def unreadable(file: Path) -> Iterator[None]:
    """Make ``file`` refuse to be opened: mode 000, or (for root) EACCES from every call that opens it."""
    if os.geteuid() != 0:
        file.chmod(0)
        try:
            yield
        finally:
            file.chmod(0o644)
        return
    target = Path(os.path.realpath(file))
    real_open, real_os_open = builtins.open, os.open

    def denied(path: object) -> OSError:
        return PermissionError(errno.EACCES, os.strerror(errno.EACCES), os.fsdecode(path))  # type: ignore[arg-type]

    def is_target(path: object) -> bool:
        return (
            isinstance(path, str | bytes | os.PathLike)
            and Path(os.path.realpath(os.fsdecode(path))) == target
        )

    def fake_open(file, *args, **kwargs):  # type: ignore[no-untyped-def]
        if is_target(file):
            raise denied(file)
        return real_open(file, *args, **kwargs)

    def fake_os_open(path, *args, **kwargs):  # type: ignore[no-untyped-def]
        if is_target(path):
            raise denied(path)
        return real_os_open(path, *args, **kwargs)

    with _patched({(builtins, "open"): fake_open, (io, "open"): fake_open, (os, "open"): fake_os_open}):
        yield


@contextlib.contextmanager
def _patched(patches: dict[tuple[object, str], object]) -> Iterator[None]:
    saved = {key: getattr(*key) for key in patches}
    try:
        for (module, name), fake in patches.items():
            setattr(module, name, fake)
        yield
    finally:
        for (module, name), real in saved.items():
            setattr(module, name, real)


def simulated(fault: str | None, root: Path) -> contextlib.AbstractContextManager[None]:
    """The environment fault a case names, in this process (a file size limit needs a process of its own)."""
    kind, _, where = (fault or "").partition(":")
    if kind == "read-only":
        return read_only(root / where)
    if kind == "unreadable":
        return unreadable(root / where)
    return contextlib.nullcontext()
