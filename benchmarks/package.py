"""Packaging speed and memory: the ``toolkit package`` command against a bare pyarrow write of the same rows.

Run by hand: ``.venv/bin/python benchmarks/package.py [--records 1000000] [--rounds 3] [--spacy]``.

It writes N generated gold-like sentence records (26 tokens, entities, quotes, events; documents of 20
sentences in paragraphs of 5; a few near-duplicate documents; ``meta.adjudication`` on every record, as
``toolkit adjudicate`` writes it, unless ``--no-adjudication``) to a JSONL file, then times two commands,
each a fresh process under ``/usr/bin/time -v`` (wall, user and system CPU, peak RSS), alternated A B A B
for ``--rounds`` rounds:

- bare: ``python benchmarks/package.py bare FILE OUT``: stream the file with orjson and write the records
  with pyarrow alone (``Table.from_pylist`` in batches of 5,000, one ``ParquetWriter``), the least any
  packager has to do;
- package: ``toolkit package FILE --name bench --version 1.0.0 -o DIR --no-spacy --quiet``, the real command
  path: validation in the first pass, near-duplicates, group splits, four configs, card, chart, manifest.
  ``--spacy`` keeps the DocBin export on (it costs spaCy's Doc and DocBin per record and is timed apart).

Goals: package wall time <= 2x the bare write (medians); package peak RSS <= 1 GB. The numbers of a shared
machine are noisy: the table shows every round, so the spread is visible.
"""

from __future__ import annotations

import argparse
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import orjson

ROOT = Path(__file__).resolve().parent.parent
WORD_TEXT = (
    "the of and to in a is that for on with as was by at from it an be are this which has have "
    "president forces said minister talks attack city troops government officials sanctions "
    "statement week military war border village region convoy supplies ceasefire"
)
WORDS = WORD_TEXT.split()
NAMES = [
    ("Kyiv", "GPE"),
    ("Russia", "GPE"),
    ("Zelenskiy", "PERSON"),
    ("Reuters", "ORG"),
    ("Thursday", "DATE"),
]
EVENTS = ["ASSAULT", "SANCTION", "CONSULT", "AID", "THREATEN"]
SENTENCES_PER_DOC = 20
PARAGRAPH = 5
TOKENS = 26
GOAL_RATIO = 2.0
GOAL_RSS_MB = 1024


def sentence_record(rng: random.Random, doc: int, unit: int, *, adjudicated: bool = True) -> dict[str, Any]:
    words = [rng.choice(WORDS) for _ in range(TOKENS)]
    names = [rng.choice(NAMES) for _ in range(3)]
    for slot, (name, _) in zip((2, 10, 18), names, strict=True):
        words[slot] = name
    tokens, position = [], 0
    for i, word in enumerate(words):
        tokens.append(
            {"text": word, "start": position, "end": position + len(word), "id": i, "ws": i < TOKENS - 1}
        )
        position += len(word) + 1
    text = " ".join(words)
    spans = [
        {
            "start": tokens[s]["start"],
            "end": tokens[s]["end"],
            "label": label,
            "token_start": s,
            "token_end": s,
            "source": "human:a1",
        }
        for s, (_, label) in zip((2, 10, 18), names, strict=True)
    ]
    quotes = []
    if unit % 3 == 0:
        quotes.append(
            {
                "content": {"start": tokens[20]["start"], "end": tokens[25]["end"]},
                "speaker": {"start": tokens[10]["start"], "end": tokens[10]["end"]},
                "cue": {"start": tokens[11]["start"], "end": tokens[11]["end"]},
                "kind": "direct",
            }
        )
    events = (
        [{"label": rng.choice(EVENTS), "trigger": {"start": tokens[5]["start"], "end": tokens[5]["end"]}}]
        if unit % 2 == 0
        else []
    )
    meta = {
        "id": f"doc{doc:07d}:{unit}",
        "doc_id": f"doc{doc:07d}",
        "unit": unit,
        "start": 0,
        "end": len(text),
        "date": "2022-03-31",
        "source": "generated",
        "paragraph": unit // PARAGRAPH,
    }
    if adjudicated:
        meta["adjudication"] = {"annotators": ["a1", "a2"], "accepted_by": ["a1", "a2"], "method": "majority"}
    return {
        "text": text,
        "tokens": tokens,
        "spans": spans,
        "quotes": quotes,
        "events": events,
        "meta": meta,
        "answer": "accept",
        "_annotator_id": "adjudicated" if adjudicated else "a1",
    }


def generate(path: Path, records: int, seed: int = 13, *, adjudicated: bool = True) -> None:
    """N records; every 1,000th document repeats the one before it (a near-duplicate pair)."""
    rng = random.Random(seed)
    with path.open("wb") as handle:
        previous: list[bytes] = []
        for doc in range(-(-records // SENTENCES_PER_DOC)):
            count = min(SENTENCES_PER_DOC, records - doc * SENTENCES_PER_DOC)
            if doc % 1000 == 1 and len(previous) == count:
                lines = [
                    line.replace(f"doc{doc - 1:07d}".encode(), f"doc{doc:07d}".encode()) for line in previous
                ]
            else:
                lines = [
                    orjson.dumps(sentence_record(rng, doc, unit, adjudicated=adjudicated))
                    for unit in range(count)
                ]
            handle.write(b"\n".join(lines) + b"\n")
            previous = lines


def bare_write(source: Path, target: Path) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    writer, rows, written = None, [], 0
    with source.open("rb") as handle:
        for line in handle:
            rows.append(orjson.loads(line))
            if len(rows) == 5000:
                writer, written = _flush(writer, rows, target, written, pa, pq)
                rows = []
    writer, written = _flush(writer, rows, target, written, pa, pq)
    writer.close()
    return written


def _flush(writer: Any, rows: list, target: Path, written: int, pa: Any, pq: Any) -> tuple[Any, int]:
    if not rows:
        return writer, written
    table = pa.Table.from_pylist(rows) if writer is None else pa.Table.from_pylist(rows, schema=writer.schema)
    if writer is None:
        writer = pq.ParquetWriter(target, table.schema)
    writer.write_table(table)
    return writer, written + len(rows)


def timed(command: list[str]) -> dict[str, float]:
    """Wall, user and system seconds and peak RSS (MB) of one command, from GNU time's verbose report."""
    report = Path(tempfile.mkstemp(prefix="time-", suffix=".txt")[1])
    started = time.perf_counter()
    done = subprocess.run(
        ["/usr/bin/time", "-v", "-o", str(report), *command], capture_output=True, text=True
    )
    wall = time.perf_counter() - started
    text = report.read_text()
    report.unlink()
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr}")

    def number(label: str) -> float:
        return float(re.search(rf"{re.escape(label)}: ([0-9.]+)", text).group(1))

    return {
        "wall": wall,
        "cpu": number("User time (seconds)") + number("System time (seconds)"),
        "rss_mb": number("Maximum resident set size (kbytes)") / 1024,
    }


def commands(source: Path, folder: Path, spacy: bool) -> dict[str, list[str]]:
    toolkit = str(Path(sys.executable).with_name("toolkit"))
    return {
        "bare": [
            sys.executable,
            str(Path(__file__).resolve()),
            "bare",
            str(source),
            str(folder / "bare.parquet"),
        ],
        "package": [
            toolkit,
            "package",
            str(source),
            "--name",
            "bench",
            "--version",
            "1.0.0",
            "-o",
            str(folder / "dist"),
            "--spacy" if spacy else "--no-spacy",
            "--quiet",
        ],
    }


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["bare"]:
        bare_write(Path(argv[1]), Path(argv[2]))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3, help="A B rounds (each side runs this many times)")
    parser.add_argument("--spacy", action="store_true", help="keep the DocBin export on")
    parser.add_argument(
        "--no-adjudication", action="store_true", help="records without meta.adjudication (no unknown keys)"
    )
    parser.add_argument("--keep", type=Path, help="keep the generated file in this folder (reused next time)")
    options = parser.parse_args(argv)
    folder = options.keep or Path(tempfile.mkdtemp(prefix="bench-package-"))
    folder.mkdir(parents=True, exist_ok=True)
    kind = "plain" if options.no_adjudication else "adjudicated"
    source = folder / f"records-{options.records}-{kind}.jsonl"
    try:
        if not source.is_file():
            started = time.perf_counter()
            generate(source, options.records, adjudicated=not options.no_adjudication)
            print(
                f"generated {options.records:,} records ({source.stat().st_size / 1e9:.2f} GB) in "
                f"{time.perf_counter() - started:.1f} s",
                file=sys.stderr,
            )
        jobs = commands(source, folder, options.spacy)
        runs: dict[str, list[dict[str, float]]] = {"bare": [], "package": []}
        print(f"{'round':<6} {'job':<8} {'wall s':>8} {'cpu s':>8} {'peak RSS MB':>12}")
        for round_number in range(1, options.rounds + 1):
            for job in ("bare", "package"):
                shutil.rmtree(folder / "dist", ignore_errors=True)
                result = timed(jobs[job])
                runs[job].append(result)
                print(
                    f"{round_number:<6} {job:<8} {result['wall']:8.1f} {result['cpu']:8.1f} "
                    f"{result['rss_mb']:12,.0f}",
                    flush=True,
                )
        median = {
            job: {k: statistics.median(r[k] for r in rs) for k in ("wall", "cpu")} for job, rs in runs.items()
        }
        ratios = [p["wall"] / b["wall"] for b, p in zip(runs["bare"], runs["package"], strict=True)]
        wall_ratio = median["package"]["wall"] / median["bare"]["wall"]
        cpu_ratio = median["package"]["cpu"] / median["bare"]["cpu"]
        peak = max(r["rss_mb"] for r in runs["package"])
        print(
            f"medians: bare {median['bare']['wall']:.1f} s wall / {median['bare']['cpu']:.1f} s cpu; "
            f"package {median['package']['wall']:.1f} s wall / {median['package']['cpu']:.1f} s cpu"
        )
        print(
            f"package/bare: wall {wall_ratio:.2f} (per round {min(ratios):.2f}-{max(ratios):.2f}; goal <= "
            f"{GOAL_RATIO}), cpu {cpu_ratio:.2f}; package peak RSS {peak:,.0f} MB "
            f"(goal <= {GOAL_RSS_MB:,} MB)"
        )
        return 0 if wall_ratio <= GOAL_RATIO and peak <= GOAL_RSS_MB else 1
    finally:
        if options.keep is None:
            shutil.rmtree(folder, ignore_errors=True)
        else:
            shutil.rmtree(folder / "dist", ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
