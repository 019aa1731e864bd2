"""Packaging speed and memory: ``package_dataset`` on generated sentence records against a bare pyarrow write.

Run by hand: ``.venv/bin/python benchmarks/package.py [--records 1000000] [--spacy] [--validate]``.

It writes N generated gold-like sentence records (26 tokens, entities, quotes, events; documents of 20
sentences in paragraphs of 5; a few near-duplicate documents) to a JSONL file, then, each in a fresh process
so peak RSS is its own:

- bare: stream the same file with orjson and write the records with pyarrow alone (``Table.from_pylist`` in
  batches of 5,000, one ``ParquetWriter``), the least any packager has to do;
- package: ``package_dataset`` with its defaults (near-duplicates, group splits, four configs, card, chart,
  manifest), without ``toolkit validate`` (timed apart with --validate) and without DocBins unless --spacy.

Goals: package time <= 2x the bare write; package peak RSS <= 1.5 GB.
"""

from __future__ import annotations

import argparse
import multiprocessing
import random
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import orjson

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


def sentence_record(rng: random.Random, doc: int, unit: int) -> dict[str, Any]:
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
    return {
        "text": text,
        "tokens": tokens,
        "spans": spans,
        "quotes": quotes,
        "events": events,
        "meta": {
            "id": f"doc{doc:07d}:{unit}",
            "doc_id": f"doc{doc:07d}",
            "unit": unit,
            "start": 0,
            "end": len(text),
            "date": "2022-03-31",
            "source": "generated",
            "paragraph": unit // PARAGRAPH,
        },
        "answer": "accept",
        "_annotator_id": "a1",
    }


def generate(path: Path, records: int, seed: int = 13) -> None:
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
                lines = [orjson.dumps(sentence_record(rng, doc, unit)) for unit in range(count)]
            handle.write(b"\n".join(lines) + b"\n")
            previous = lines


def bare_write(source: Path, target: Path) -> dict[str, Any]:
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
    return {"rows": written}


def _flush(writer: Any, rows: list, target: Path, written: int, pa: Any, pq: Any) -> tuple[Any, int]:
    if not rows:
        return writer, written
    table = pa.Table.from_pylist(rows) if writer is None else pa.Table.from_pylist(rows, schema=writer.schema)
    if writer is None:
        writer = pq.ParquetWriter(target, table.schema)
    writer.write_table(table)
    return writer, written + len(rows)


def package(source: Path, target: Path, spacy: bool) -> dict[str, Any]:
    from toolkit.packaging.release import package_dataset

    result = package_dataset(
        inputs=[source], name="bench", version="1.0.0", output_dir=target, validate=False, spacy=spacy
    )
    return {
        "rows": result.records,
        "splits": {s: c["records"] for s, c in result.splits.items()},
        "near_duplicate_clusters": result.near_duplicate_clusters,
    }


def validate_only(source: Path) -> dict[str, Any]:
    from toolkit.review.validate import validate

    report = validate(paths=[str(source)])
    return {"rows": report.records, "ok": report.ok}


def _child(job: str, args: tuple, queue: Any) -> None:
    start = time.perf_counter()
    result = {"bare": bare_write, "package": package, "validate": validate_only}[job](*args)
    result["seconds"] = time.perf_counter() - start
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB
    queue.put(result)


def measure(job: str, *args: Any) -> dict[str, Any]:
    """Run one job in a fresh process, so its peak RSS is its own."""
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=_child, args=(job, args, queue))
    process.start()
    result = queue.get()
    process.join()
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--spacy", action="store_true", help="also write DocBin shards")
    parser.add_argument("--validate", action="store_true", help="also time toolkit validate on the file")
    parser.add_argument("--keep", type=Path, help="keep the generated file and outputs in this folder")
    options = parser.parse_args(argv)
    folder = options.keep or Path(tempfile.mkdtemp(prefix="bench-package-"))
    folder.mkdir(parents=True, exist_ok=True)
    source = folder / "records.jsonl"
    try:
        if not source.is_file():
            started = time.perf_counter()
            generate(source, options.records)
            print(
                f"generated {options.records:,} records ({source.stat().st_size / 1e9:.2f} GB) in "
                f"{time.perf_counter() - started:.1f} s",
                file=sys.stderr,
            )
        shutil.rmtree(folder / "dist", ignore_errors=True)
        bare = measure("bare", source, folder / "bare.parquet")
        packaged = measure("package", source, folder / "dist", options.spacy)
        rows = [("bare pyarrow write", bare), ("toolkit package", packaged)]
        if options.validate:
            rows.append(("toolkit validate", measure("validate", source)))
        print(f"{'job':<20} {'seconds':>9} {'records/s':>10} {'peak RSS MB':>12}")
        for name, result in rows:
            print(
                f"{name:<20} {result['seconds']:9.1f} {result['rows'] / result['seconds']:10,.0f} "
                f"{result['peak_rss_mb']:12,.0f}"
            )
        ratio = packaged["seconds"] / bare["seconds"]
        print(
            f"time ratio package/bare: {ratio:.2f} (goal <= 2.0); package peak RSS "
            f"{packaged['peak_rss_mb']:,.0f} MB (goal <= 1,536 MB)"
        )
        print(f"splits: {packaged['splits']}; near-duplicate clusters: {packaged['near_duplicate_clusters']}")
        return 0 if ratio <= 2.0 and packaged["peak_rss_mb"] <= 1536 else 1
    finally:
        if options.keep is None:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
