"""Validation speed: `toolkit validate` with every rule on, next to a bare JSON Schema check of the records.

Generates sentence records (about 26 tokens each, with entities, a quote and events) and the source
documents they slice, then prints records/s (median of 3 runs) for

  * validate(): msgspec typed decoding + every semantic rule, source documents at hand;
  * orjson + fastjsonschema: parse each line and check it against schemas/record.schema.json, nothing else.

Run: .venv/bin/python benchmarks/validate.py [--records 200000] [--runs 3] [--full-schema]
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import orjson

from toolkit.options import ValidateOptions
from toolkit.review.validate import validate
from toolkit.schemas import record_validator

PEOPLE = (
    "Oleh Synehubov",
    "Kate Bedingfield",
    "Liz Truss",
    "Dmitry Peskov",
    "Antony Blinken",
    "Iryna Vereshchuk",
)
PLACES = ("Kharkiv", "Mariupol", "Chernihiv", "Mykolaiv", "Donetsk", "Irpin", "Sumy", "Kherson")
GROUPS = ("Ukrainian", "Russian", "Belarusian", "Polish")
DAYS = ("Thursday", "Wednesday", "Monday", "Friday")
TOKEN = re.compile(r"\w+|[^\w\s]")


def _sentence(k: int) -> tuple[str, dict[str, tuple[int, int]]]:
    """One sentence and the offsets of its parts, varied by ``k``."""
    parts = [
        ("norp", GROUPS[k % len(GROUPS)]),
        ("", " forces "),
        ("trigger", "shelled"),
        ("", " positions near "),
        ("gpe", PLACES[k % len(PLACES)]),
        ("", " on "),
        ("date", DAYS[k % len(DAYS)]),
        ("", ", the regional governor "),
        ("person", PEOPLE[k % len(PEOPLE)]),
        ("", " "),
        ("cue", "said"),
        ("", f" in statement number {k % 997} posted on Telegram late at night."),
    ]
    text, where = "", {}
    for name, piece in parts:
        if name:
            where[name] = (len(text), len(text) + len(piece))
        text += piece
    where["content"] = (0, where["date"][1])
    where["speaker"] = (where["person"][0] - len("the regional governor "), where["person"][1])
    return text, where


def _record(k: int, doc: str, offset: int, unit: int, source: str) -> tuple[dict, str]:
    text, where = _sentence(k)
    tokens = [
        {
            "text": m.group(),
            "start": m.start(),
            "end": m.end(),
            "id": i,
            "ws": m.end() < len(text) and text[m.end()] == " ",
        }
        for i, m in enumerate(TOKEN.finditer(text))
    ]
    index = {t["start"]: t["id"] for t in tokens}
    last = {t["end"]: t["id"] for t in tokens}
    source_tag = "model:en_core_web_sm@3.8.0"
    spans = [
        {
            "start": s,
            "end": e,
            "label": label,
            "token_start": index[s],
            "token_end": last[e],
            "source": source_tag,
        }
        for label, (s, e) in (
            ("NORP", where["norp"]),
            ("GPE", where["gpe"]),
            ("DATE", where["date"]),
            ("PERSON", where["person"]),
        )
    ]

    def role(name: str) -> dict[str, int]:
        return {"start": where[name][0], "end": where[name][1]}

    record = {
        "text": text,
        "tokens": tokens,
        "spans": spans,
        "quotes": [
            {
                "content": role("content"),
                "speaker": role("speaker"),
                "cue": role("cue"),
                "kind": "indirect",
                "source": "rule:quotes",
            }
        ],
        "events": [
            {"label": "ASSAULT", "trigger": role("trigger"), "source": "rule:events"},
            {"label": "ACCUSE", "trigger": None, "source": "rule:events"},
        ],
        "meta": {
            "id": f"{doc}:{unit}",
            "doc_id": doc,
            "unit": unit,
            "start": offset,
            "end": offset + len(text),
            "date": "2022-03-31",
            "source": source,
            "text_sha256": hashlib.sha256(text.encode("utf-8")).hexdigest(),
        },
    }
    return record, text


def make_corpus(folder: Path, *, records: int, per_doc: int = 100) -> Path:
    """Write ``records`` sentence records and their source documents under ``folder``; returns the JSONL."""
    out = folder / "records.jsonl"
    (folder / "docs").mkdir(parents=True, exist_ok=True)
    with out.open("wb") as handle:
        for first in range(0, records, per_doc):
            doc = f"doc{first // per_doc:05d}"
            source = f"docs/{doc}.txt"
            body, offset = [], 0
            for unit in range(min(per_doc, records - first)):
                record, text = _record(first + unit, doc, offset, unit, source)
                handle.write(orjson.dumps(record) + b"\n")
                body.append(text)
                offset += len(text) + 1
            (folder / source).write_text("\n".join(body), encoding="utf-8")
    return out


def median_rate(run: Callable[[], int], runs: int) -> tuple[float, float]:
    """Median records/s over ``runs`` runs, by the wall clock and by this process's CPU time.

    On a shared machine the CPU-time rate is the one-core speed; the wall rate also counts waiting.
    """
    wall, cpu = [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        count = run()
        wall.append(count / (time.perf_counter() - started))
        cpu.append(count / (time.process_time() - started_cpu))
    return statistics.median(wall), statistics.median(cpu)


def bare_schema_check(path: Path) -> int:
    check = record_validator()
    count = 0
    with path.open("rb") as handle:
        for line in handle:
            check(orjson.loads(line))
            count += 1
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--full-schema", action="store_true", help="also time validate --full-schema")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        path = make_corpus(folder, records=args.records)
        size = path.stat().st_size / 1e6
        record_validator()  # compile outside the timings

        def run_validate(full: bool = False) -> int:
            report = validate(paths=[path], options=ValidateOptions(source_dir=folder, full_schema=full))
            if not report.ok or report.findings:
                raise SystemExit(f"benchmark data should be clean: {report.findings[:3]}")
            return report.records

        load = os.getloadavg()[0]
        print(
            f"{args.records:,} records, {size:.0f} MB, median of {args.runs} runs, one process "
            f"(load average {load:.1f} on {os.cpu_count()} cores)"
        )
        print(f"  {'':<40} {'wall clock':>16} {'CPU time':>16}")
        rows = [
            ("validate (msgspec decode + every rule)", median_rate(run_validate, args.runs)),
            ("bare orjson + fastjsonschema", median_rate(lambda: bare_schema_check(path), args.runs)),
        ]
        if args.full_schema:
            rows.append(("validate --full-schema", median_rate(lambda: run_validate(True), args.runs)))
        base = rows[1][1][1]
        for name, (wall, cpu) in rows:
            print(
                f"  {name:<40} {wall:>10,.0f} rec/s {cpu:>10,.0f} rec/s  ({cpu / base:.1f}x the bare check)"
            )


if __name__ == "__main__":
    main()
