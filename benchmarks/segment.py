"""Speed of sentence segmentation and of ``toolkit convert``, each against a bare baseline; accuracy of the
segmenter.

    .venv/bin/python benchmarks/segment.py                      # 1M words: segmenters, then convert
    .venv/bin/python benchmarks/segment.py --skip-segmenters    # convert only
    .venv/bin/python benchmarks/segment.py --profile            # ... and where convert's time goes
    .venv/bin/python benchmarks/segment.py --words 200000 --rounds 2 --out /tmp/segment.json

The corpus is the seed document repeated with variation (paragraphs shuffled, weekdays, numbers and names
swapped per copy) until it holds at least ``--words`` white-space separated words, with the test cases' texts
mixed in so abbreviations, lists and quotes occur throughout.

1. Segmenters: ``toolkit.convert.segment`` against spaCy's sentencizer (blank English pipeline) and pySBD, on
   the same paragraphs, in-process, the garbage collector off while a run is timed (as ``timeit`` does). The
   two fast tools alternate within each round and swap who goes first from round to round; pySBD (about 100x
   slower) runs once on a slice and is extrapolated. Wall and CPU time, medians. Then accuracy on the cases
   of tests/data/segment_cases.jsonl (exact sentence lists).
2. ``toolkit convert`` as a whole process (``toolkit convert FOLDER -o OUT.jsonl`` in a subprocess: start-up,
   reading, segmenting, tokenizing, building records, writing atomically) against the baseline: a bare
   script in a subprocess doing the same work with a blank spaCy English tokenizer, the toolkit's segmenter
   and orjson, writing records with the same fields as plain dicts to a temporary file that is fsynced and
   renamed as the toolkit does. The two outputs are compared byte for byte (so the baseline really does the
   same work). The documents are one .txt file each. Alternated as above; wall time and the subprocess's CPU
   time; medians; start-up of each side (the same two commands on a one-document folder) is reported apart.
   Goal (issue 13): convert within 1.1x of the baseline.
3. ``--profile``: where convert's time goes beyond the baseline. ``toolkit.convert.run.convert`` runs
   in-process under cProfile (key functions' cumulative times, then the top functions by own time; the
   profiler inflates Python-heavy parts); convert's steps timed one by one without a profiler on the same
   corpus, the baseline's way and the toolkit's way alternated where they differ (tokenizer, token dicts or
   Token structs, sha256, record dicts or Record structs, serialisation); and convert() against the
   baseline in-process (no start-up), also with the garbage collector off.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import hashlib
import io
import json
import os
import pstats
import random
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "000_0e2087f0584c9a21.txt"
CASES = ROOT / "tests" / "data" / "segment_cases.jsonl"
sys.path.insert(0, str(ROOT))

from toolkit.convert.segment import segment_sentences, split_paragraphs  # noqa: E402

WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
NAMES = ["Kirby", "Truss", "Biden", "Fleming", "Kadyrov", "Bachelet", "Klitschko", "Arakhamia"]
DATE_HEADER = re.compile(r"^\s*date[ \t]+\d{4}-\d{2}-\d{2}\s*")
PARAGRAPHS_PER_DOCUMENT = 24


def load_cases() -> list[dict]:
    return [orjson.loads(line) for line in CASES.read_bytes().splitlines() if line.strip()]


def build_corpus(words: int, cases: list[dict]) -> list[str]:
    """Paragraphs (no line breaks inside) holding at least ``words`` words, deterministic."""
    seed = SEED.read_text(encoding="utf-8")
    seed_paragraphs = [seed[s:e] for s, e in split_paragraphs(seed)]
    case_paragraphs = [t for case in cases for t in _lines(case["text"])]
    rng = random.Random(13)
    paragraphs: list[str] = []
    count = 0
    copy = 0
    while count < words:
        batch = seed_paragraphs[:] + rng.sample(case_paragraphs, 8)
        rng.shuffle(batch)
        for paragraph in batch:
            varied = _vary(paragraph, copy, rng)
            paragraphs.append(varied)
            count += len(varied.split())
        copy += 1
    return paragraphs


def _lines(text: str) -> list[str]:
    return [text[s:e] for s, e in split_paragraphs(text)]


def _vary(paragraph: str, copy: int, rng: random.Random) -> str:
    day = WEEKDAYS[copy % 7]
    name = NAMES[copy % len(NAMES)]
    paragraph = re.sub(r"\b(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day\b", day, paragraph)
    paragraph = re.sub(r"\b(?:Kirby|Truss|Fleming)\b", name, paragraph)
    return re.sub(r"\b\d+\b", lambda m: str(int(m.group()) + rng.randint(0, 9)), paragraph)


def write_documents(paragraphs: list[str], folder: Path) -> int:
    """The paragraphs as .txt documents of PARAGRAPHS_PER_DOCUMENT paragraphs each (no date headers, so
    both sides read every file the same way); returns the number of files."""
    folder.mkdir(parents=True, exist_ok=True)
    count = 0
    for first in range(0, len(paragraphs), PARAGRAPHS_PER_DOCUMENT):
        body = [DATE_HEADER.sub("", p) for p in paragraphs[first : first + PARAGRAPHS_PER_DOCUMENT]]
        (folder / f"doc-{count:05d}.txt").write_text("\n\n".join(body) + "\n", encoding="utf-8")
        count += 1
    return count


# ------------------------------------------------------------------------------------------ timing


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def clock(run: Callable[[], Any], *, gc_off: bool = False) -> tuple[float, float, Any]:
    """Wall and CPU seconds (this process and any child it waited for) of one call, and its result."""
    gc.collect()
    if gc_off:
        gc.disable()
    try:
        wall, cpu, children = time.perf_counter(), time.process_time(), _children_cpu()
        result = run()
        return time.perf_counter() - wall, time.process_time() - cpu + _children_cpu() - children, result
    finally:
        gc.enable()


def alternated(runs: dict[str, Callable[[], Any]], rounds: int, *, gc_off: bool = False) -> dict[str, Any]:
    """Every side once per round, the first side rotating from round to round; per side the list of
    (wall, cpu) and the last result."""
    names = list(runs)
    seen: dict[str, dict[str, Any]] = {name: {"times": [], "result": None} for name in names}
    for number in range(rounds):
        order = names[number % len(names) :] + names[: number % len(names)]
        for name in order:
            wall, cpu, result = clock(runs[name], gc_off=gc_off)
            seen[name]["times"].append((wall, cpu))
            seen[name]["result"] = result
            print(f"  round {number + 1} {name:<28} {wall:7.2f} s wall {cpu:7.2f} s CPU", file=sys.stderr)
    return seen


def medians(times: list[tuple[float, float]]) -> tuple[float, float]:
    return statistics.median(t[0] for t in times), statistics.median(t[1] for t in times)


# ------------------------------------------------------------------------------------------ 1. segmenters


def ours(paragraphs: list[str]) -> int:
    text = "\n".join(paragraphs)
    return len(segment_sentences(text))


def make_sentencizer() -> Callable[[list[str]], int]:
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")

    def run(paragraphs: list[str]) -> int:
        return sum(len(list(doc.sents)) for doc in nlp.pipe(paragraphs, batch_size=256))

    run.nlp = nlp  # type: ignore[attr-defined]
    return run


def make_pysbd() -> Callable[[list[str]], int]:
    import pysbd

    segmenter = pysbd.Segmenter(language="en", clean=False, char_span=False)

    def run(paragraphs: list[str]) -> int:
        return sum(len(segmenter.segment(p)) for p in paragraphs)

    run.segmenter = segmenter  # type: ignore[attr-defined]
    return run


def accuracy(cases: list[dict], split: Callable[[str], list[str]]) -> int:
    """Cases whose sentences come out exactly as expected (outer white space ignored)."""
    passed = 0
    for case in cases:
        got = [s.strip() for s in split(case["text"]) if s.strip()]
        passed += got == case["sentences"]
    return passed


def compare_segmenters(paragraphs: list[str], cases: list[dict], *, rounds: int, pysbd_words: int) -> dict:
    words = sum(len(p.split()) for p in paragraphs)
    sbd_paragraphs, sbd_words = [], 0
    for p in paragraphs:
        if sbd_words >= pysbd_words:
            break
        sbd_paragraphs.append(p)
        sbd_words += len(p.split())
    sentencizer = make_sentencizer()
    pysbd_run = make_pysbd()
    seen = alternated(
        {
            "toolkit.convert.segment": lambda: ours(paragraphs),
            "spaCy sentencizer": lambda: sentencizer(paragraphs),
        },
        rounds,
        gc_off=True,
    )
    seen["pySBD"] = alternated({"pySBD": lambda: pysbd_run(sbd_paragraphs)}, 1, gc_off=True)["pySBD"]
    rows = {}
    for name, block in seen.items():
        counted = sbd_words if name == "pySBD" else words
        wall, cpu = medians(block["times"])
        rows[name] = {
            "words": counted,
            "wall_s": round(wall, 3),
            "cpu_s": round(cpu, 3),
            "words_per_s": round(counted / wall),
            "words_per_cpu_s": round(counted / cpu),
            "sentences": block["result"],
            "runs": len(block["times"]),
        }
    nlp = sentencizer.nlp  # type: ignore[attr-defined]
    segmenter = pysbd_run.segmenter  # type: ignore[attr-defined]
    scores = {
        "toolkit.convert.segment": accuracy(cases, lambda t: [t[s:e] for s, e in segment_sentences(t)]),
        "spaCy sentencizer": accuracy(cases, lambda t: [s.text for s in nlp(t).sents]),
        "pySBD": accuracy(cases, segmenter.segment),
    }
    for name, passed in scores.items():
        rows[name]["cases_passed"] = passed
    return {"cases": len(cases), "tools": rows}


def print_segmenters(result: dict) -> None:
    print(
        f"\n{'segmenter':<26}{'words/s':>12}{'words/CPU-s':>13}{'wall s':>8}{'CPU s':>8}"
        f"{'sentences':>11}  cases"
    )
    for name, row in result["tools"].items():
        note = (
            f" (1 run on a {row['words']:,}-word slice)" if name == "pySBD" else f" (median of {row['runs']})"
        )
        print(
            f"{name:<26}{row['words_per_s']:>12,}{row['words_per_cpu_s']:>13,}{row['wall_s']:>8.2f}"
            f"{row['cpu_s']:>8.2f}{row['sentences']:>11,}  {row['cases_passed']}/{result['cases']}{note}"
        )


# ------------------------------------------------------------------------------------------ 2. convert

# The baseline, run as its own process: the same records as toolkit convert writes for .txt documents
# without date headers, built as plain dicts.
BARE_CONVERT = r"""
import hashlib, os, sys, tempfile
from pathlib import Path
import orjson, spacy
from toolkit.convert.segment import segment_sentences, split_paragraphs

make_doc = spacy.blank("en").make_doc

def run(folder, output):
    fd, tmp = tempfile.mkstemp(dir=output.parent, suffix=".tmp")
    with os.fdopen(fd, "wb") as out:
        for path in sorted(folder.glob("*.txt")):
            text = path.read_bytes().decode("utf-8")
            source, doc_id, unit = path.as_posix(), path.stem, 0
            for paragraph, (p_start, p_end) in enumerate(split_paragraphs(text)):
                for start, end in segment_sentences(text, p_start, p_end):
                    sentence = text[start:end]
                    tokens = [
                        {
                            "text": t.text, "start": t.idx, "end": t.idx + len(t.text), "id": t.i,
                            "ws": bool(t.whitespace_),
                        }
                        for t in make_doc(sentence)
                    ]
                    meta = {
                        "id": f"{doc_id}:{unit}", "doc_id": doc_id, "unit": unit, "start": start, "end": end,
                        "source": source, "text_sha256": hashlib.sha256(sentence.encode("utf-8")).hexdigest(),
                        "paragraph": paragraph,
                    }
                    out.write(orjson.dumps({"text": sentence, "tokens": tokens, "meta": meta}))
                    out.write(b"\n")
                    unit += 1
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, output)

if __name__ == "__main__":
    run(Path(sys.argv[1]), Path(sys.argv[2]))
"""


def toolkit_command(folder: Path, output: Path) -> list[str]:
    return [str(Path(sys.executable).parent / "toolkit"), "convert", str(folder), "-o", str(output)]


def bare_command(folder: Path, output: Path) -> list[str]:
    return [sys.executable, "-c", BARE_CONVERT, str(folder), str(output)]


def run_command(command: list[str]) -> None:
    subprocess.run(command, check=True, capture_output=True, cwd=ROOT)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def compare_convert(paragraphs: list[str], work: Path, *, rounds: int) -> dict[str, Any]:
    corpus, tiny = work / "corpus", work / "tiny"
    files = write_documents(paragraphs, corpus)
    write_documents(paragraphs[:PARAGRAPHS_PER_DOCUMENT], tiny)
    words = sum(len(p.split()) for p in paragraphs)
    outputs = {"toolkit convert": work / "toolkit.jsonl", "bare pipeline": work / "bare.jsonl"}
    seen = alternated(
        {
            "toolkit convert": lambda: run_command(toolkit_command(corpus, outputs["toolkit convert"])),
            "bare pipeline": lambda: run_command(bare_command(corpus, outputs["bare pipeline"])),
        },
        rounds,
    )
    starts = alternated(
        {
            "toolkit convert (1 doc)": lambda: run_command(toolkit_command(tiny, work / "t1.jsonl")),
            "bare pipeline (1 doc)": lambda: run_command(bare_command(tiny, work / "b1.jsonl")),
        },
        rounds,
    )
    result: dict[str, Any] = {
        "files": files,
        "words": words,
        "records": sum(1 for _ in outputs["toolkit convert"].open("rb")),
        "output_bytes": outputs["toolkit convert"].stat().st_size,
        "identical_output": digest(outputs["toolkit convert"]) == digest(outputs["bare pipeline"]),
        "rounds": rounds,
    }
    for name, block in seen.items():
        wall, cpu = medians(block["times"])
        start_wall, start_cpu = medians(starts[f"{name} (1 doc)"]["times"])
        result[name] = {
            "wall_s": round(wall, 3),
            "cpu_s": round(cpu, 3),
            "words_per_s": round(words / wall),
            "words_per_cpu_s": round(words / cpu),
            "start_up_wall_s": round(start_wall, 3),
            "start_up_cpu_s": round(start_cpu, 3),
            "after_start_up_s": round(wall - start_wall, 3),
            "runs": [[round(w, 3), round(c, 3)] for w, c in block["times"]],
        }
    toolkit, bare = result["toolkit convert"], result["bare pipeline"]
    result["slowdown_wall"] = round(toolkit["wall_s"] / bare["wall_s"], 3)
    result["slowdown_cpu"] = round(toolkit["cpu_s"] / bare["cpu_s"], 3)
    # Only meaningful when the corpus is big enough for the work to dwarf the start-up's own noise.
    if min(toolkit["after_start_up_s"], bare["after_start_up_s"]) > 0.5:
        result["slowdown_after_start_up"] = round(toolkit["after_start_up_s"] / bare["after_start_up_s"], 3)
    return result


def print_convert(result: dict[str, Any]) -> None:
    print(
        f"\nconvert, whole process: {result['files']:,} .txt files, {result['words']:,} words, "
        f"{result['records']:,} records, {result['output_bytes'] / 1e6:.0f} MB out; outputs identical: "
        f"{'yes' if result['identical_output'] else 'NO'}; median of {result['rounds']} alternated rounds"
    )
    print(
        f"{'side':<18}{'wall s':>8}{'CPU s':>8}{'words/s':>10}{'words/CPU-s':>13}{'start-up s':>12}"
        f"{'wall s after start-up':>23}"
    )
    for name in ("toolkit convert", "bare pipeline"):
        row = result[name]
        print(
            f"{name:<18}{row['wall_s']:>8.2f}{row['cpu_s']:>8.2f}{row['words_per_s']:>10,}"
            f"{row['words_per_cpu_s']:>13,}{row['start_up_wall_s']:>7.2f}/{row['start_up_cpu_s']:.2f}"
            f"{row['after_start_up_s']:>23.2f}"
        )
    after = result.get("slowdown_after_start_up")
    print(
        f"toolkit convert / bare: {result['slowdown_wall']:.2f}x wall, {result['slowdown_cpu']:.2f}x CPU"
        + (f", {after:.2f}x wall after start-up" if after else "")
        + " (goal <= 1.1x)"
    )


# ------------------------------------------------------------------------------------------ 3. profile

KEY_FUNCTIONS = (
    "convert",
    "convert_records",
    "find_sources",
    "documents",
    "document_records",
    "document_units",
    "split_paragraphs",
    "segment_sentences",
    "unit_tokens",
    "tokenize",
    "make_doc",
    "make_tokens",
    "text_sha256",
    "_with_tokens",
    "place_spans",
    "place_quotes",
    "place_events",
    "write_records",
    "track",
    "dumps_record",
    "record_to_dict",
    "to_builtins",
    "dumps",
    "write",
    "fsync",
)


def profile_convert(corpus: Path, output: Path, *, top: int) -> dict[str, Any]:
    """toolkit.convert.run.convert in-process under cProfile: cumulative time of the key functions, and
    the functions with the most time of their own."""
    from toolkit.convert.run import convert

    convert(sources=[corpus], output=output)  # load the tokenizer outside the profile
    profiler = cProfile.Profile()
    wall = time.perf_counter()
    profiler.runcall(convert, sources=[corpus], output=output)
    wall = time.perf_counter() - wall
    stats = pstats.Stats(profiler, stream=io.StringIO())
    rows = []
    for (filename, _, name), (_, calls, own, cumulative, _) in stats.stats.items():  # type: ignore[attr-defined]
        where = Path(filename).name if filename != "~" else "builtin"
        rows.append(
            {"function": name, "file": where, "calls": calls, "own_s": own, "cumulative_s": cumulative}
        )
    key = []
    for wanted in KEY_FUNCTIONS:
        # Python functions by name; built-ins as cProfile names them ("<built-in method orjson.dumps>").
        pattern = re.compile(rf"(^|[ .']){wanted}($|[>' ])")
        hits = [r for r in rows if pattern.search(r["function"])]
        key.extend(sorted(hits, key=lambda r: -r["cumulative_s"])[:2])
    own = sorted(rows, key=lambda r: -r["own_s"])[:top]
    return {"profiled_wall_s": round(wall, 3), "key": key, "top_own": own}


def in_process(corpus: Path, work: Path, *, rounds: int) -> dict[str, Any]:
    """convert() and the baseline in this process (no start-up, no profiler), and convert() with the
    cyclic garbage collector off, alternated: median (wall, CPU) seconds of each."""
    from toolkit.convert.run import convert

    bare: dict[str, Any] = {"__name__": "bare_convert"}
    exec(compile(BARE_CONVERT, "bare_convert", "exec"), bare)  # the same code the subprocess runs

    def without_gc() -> None:
        gc.disable()
        try:
            convert(sources=[corpus], output=work / "nogc.jsonl")
        finally:
            gc.enable()

    convert(sources=[corpus], output=work / "warm.jsonl")  # load the tokenizer before timing
    seen = alternated(
        {
            "convert() in-process": lambda: convert(sources=[corpus], output=work / "inproc.jsonl"),
            "bare in-process": lambda: bare["run"](corpus, work / "bare_inproc.jsonl"),
            "convert() in-process, gc off": without_gc,
        },
        rounds,
    )
    return {name: [round(v, 3) for v in medians(block["times"])] for name, block in seen.items()}


def _units(corpus: Path) -> list[tuple[Path, str, int, int, int]]:
    """(path, text, paragraph, start, end) of every sentence, as both sides find them."""
    units = []
    for path in sorted(corpus.glob("*.txt")):
        text = path.read_bytes().decode("utf-8")
        for paragraph, (p_start, p_end) in enumerate(split_paragraphs(text)):
            units.extend((path, text, paragraph, s, e) for s, e in segment_sentences(text, p_start, p_end))
    return units


def paired_steps(corpus: Path, work: Path, *, rounds: int) -> list[dict[str, Any]]:
    """Convert's steps alone on the whole corpus, no profiler, median (wall, CPU) seconds: those both sides
    do alike (read, segment, write), then each step where they differ with the toolkit's counterpart,
    alternated (tokenizer, tokens, hash, record, serialisation). Skipped if a toolkit name has moved."""
    import spacy

    try:
        from toolkit.models import load_tokenizer
        from toolkit.record import Meta, Record, make_tokens, record_to_dict, text_sha256
    except ImportError as exc:
        print(f"  paired steps skipped: {exc}", file=sys.stderr)
        return []
    units = _units(corpus)
    sentences = [text[start:end] for _, text, _, start, end in units]
    blank, model = spacy.blank("en"), load_tokenizer(None)
    docs = [blank.make_doc(s) for s in sentences]
    model_docs = [model.make_doc(s) for s in sentences]  # both vocabularies see every word once first

    def token_dicts() -> list[list[dict]]:
        return [
            [
                {
                    "text": t.text,
                    "start": t.idx,
                    "end": t.idx + len(t.text),
                    "id": t.i,
                    "ws": bool(t.whitespace_),
                }
                for t in d
            ]
            for d in docs
        ]

    dict_tokens, struct_tokens = token_dicts(), [make_tokens(d) for d in model_docs]
    digests = [hashlib.sha256(s.encode("utf-8")).hexdigest() for s in sentences]

    def meta_dict(n: int, unit: tuple) -> dict[str, Any]:
        path, _, paragraph, start, end = unit
        return {
            "id": f"{path.stem}:{n}",
            "doc_id": path.stem,
            "unit": n,
            "start": start,
            "end": end,
            "source": path.as_posix(),
            "text_sha256": digests[n],
            "paragraph": paragraph,
        }

    def dict_records() -> list[dict]:
        return [
            {"text": sentences[n], "tokens": dict_tokens[n], "meta": meta_dict(n, unit)}
            for n, unit in enumerate(units)
        ]

    def struct_records() -> list[Any]:
        return [
            Record(text=sentences[n], tokens=struct_tokens[n], meta=Meta(**meta_dict(n, unit)))
            for n, unit in enumerate(units)
        ]

    plain, typed = dict_records(), struct_records()
    lines = [orjson.dumps(r) for r in plain]
    paths = sorted(corpus.glob("*.txt"))

    def write() -> None:
        with (work / "steps.jsonl").open("wb") as out:
            for line in lines:
                out.write(line)
                out.write(b"\n")
            out.flush()
            os.fsync(out.fileno())

    rows: list[dict[str, Any]] = []
    alike = {
        "read + decode files": lambda: [p.read_bytes().decode("utf-8") for p in paths],
        "paragraphs + sentences (the segmenter)": lambda: _units(corpus),
        "write + fsync": write,
    }
    for name, block in alternated(alike, rounds).items():
        wall, cpu = medians(block["times"])
        rows.append(
            {"step": name, "bare": "same", "toolkit": "same", "bare_s": [round(wall, 3), round(cpu, 3)]}
        )
    pairs = [
        (
            "tokenizer",
            lambda: [blank.make_doc(s) for s in sentences],
            lambda: [model.make_doc(s) for s in sentences],
        ),
        ("tokens", token_dicts, lambda: [make_tokens(d) for d in model_docs]),
        (
            "sha256",
            lambda: [hashlib.sha256(s.encode("utf-8")).hexdigest() for s in sentences],
            lambda: [text_sha256(s) for s in sentences],
        ),
        ("record", dict_records, struct_records),
        (
            "to JSON bytes",
            lambda: [orjson.dumps(r) for r in plain],
            lambda: [orjson.dumps(record_to_dict(r)) for r in typed],
        ),
    ]
    labels = {
        "tokenizer": ("blank en make_doc", "model tokenizer (load_tokenizer) make_doc"),
        "tokens": ("token dicts", "make_tokens: Token structs"),
        "sha256": ("hashlib", "text_sha256"),
        "record": ("record dicts", "Record + Meta structs"),
        "to JSON bytes": ("orjson.dumps(dict)", "orjson.dumps(record_to_dict(record))"),
    }
    for step, bare, toolkit in pairs:
        seen = alternated({f"{step}: bare": bare, f"{step}: toolkit": toolkit}, rounds)
        bare_wall, bare_cpu = medians(seen[f"{step}: bare"]["times"])
        tool_wall, tool_cpu = medians(seen[f"{step}: toolkit"]["times"])
        rows.append(
            {
                "step": step,
                "bare": labels[step][0],
                "toolkit": labels[step][1],
                "bare_s": [round(bare_wall, 3), round(bare_cpu, 3)],
                "toolkit_s": [round(tool_wall, 3), round(tool_cpu, 3)],
            }
        )
    return rows


def print_profile(profile: dict[str, Any], steps: list[dict[str, Any]], convert_result: dict | None) -> None:
    print(
        f"\nconvert in-process under cProfile: {profile['profiled_wall_s']:.2f} s wall "
        "(profiler overhead included)"
    )
    print(f"{'key function':<44}{'file':<16}{'calls':>10}{'cumulative s':>14}{'own s':>9}")
    for row in profile["key"]:
        print(
            f"{row['function'][:43]:<44}{row['file'][:15]:<16}{row['calls']:>10,}{row['cumulative_s']:>14.2f}"
            f"{row['own_s']:>9.2f}"
        )
    print(f"\n{'most own time':<44}{'file':<16}{'calls':>10}{'own s':>9}{'cumulative s':>14}")
    for row in profile["top_own"]:
        print(
            f"{row['function'][:43]:<44}{row['file'][:15]:<16}{row['calls']:>10,}{row['own_s']:>9.2f}"
            f"{row['cumulative_s']:>14.2f}"
        )
    print(
        f"\n{'step, alone, no profiler (median)':<40}{'bare: what':<22}{'wall/CPU s':>12}   "
        f"{'toolkit: what':<40}{'wall/CPU s':>12}{'CPU diff':>10}"
    )
    totals = [0.0, 0.0]
    for row in steps:
        bare_wall, bare_cpu = row["bare_s"]
        cells = f"{row['step']:<40}{row['bare']:<22}{bare_wall:>6.2f}/{bare_cpu:<5.2f}   "
        totals[0] += bare_cpu
        if "toolkit_s" in row:
            tool_wall, tool_cpu = row["toolkit_s"]
            totals[1] += tool_cpu
            cells += f"{row['toolkit']:<40}{tool_wall:>6.2f}/{tool_cpu:<5.2f}{tool_cpu - bare_cpu:>+10.2f}"
        else:
            totals[1] += bare_cpu
            cells += f"{'(the same)':<40}"
        print(cells)
    print(f"{'sum of the steps, CPU s':<40}{'':<22}{totals[0]:>12.2f}   {'':<40}{totals[1]:>12.2f}")
    print(f"\n{'in-process, no profiler, median':<58}{'wall s':>8}{'CPU s':>8}")
    for name, (wall, cpu) in profile["in_process"].items():
        print(f"{name:<58}{wall:>8.2f}{cpu:>8.2f}")
    if convert_result:
        row = convert_result["toolkit convert"]
        print(
            f"toolkit convert, whole process: {row['wall_s']:.2f} s wall, of which start-up "
            f"{row['start_up_wall_s']:.2f} s"
        )


# ------------------------------------------------------------------------------------------ main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--words", type=int, default=1_000_000, help="corpus size in words (default 1M)")
    parser.add_argument("--pysbd-words", type=int, default=50_000, help="slice pySBD runs on (extrapolated)")
    parser.add_argument("--rounds", type=int, default=3, help="alternated rounds; medians are reported")
    parser.add_argument("--skip-segmenters", action="store_true", help="leave out the segmenter comparison")
    parser.add_argument("--skip-convert", action="store_true", help="leave out the convert comparison")
    parser.add_argument("--profile", action="store_true", help="also profile convert and time the steps")
    parser.add_argument("--top", type=int, default=25, help="rows in the profile's own-time list")
    parser.add_argument("--out", type=Path, default=None, help="also write the results as JSON")
    args = parser.parse_args(argv)

    cases = load_cases()
    paragraphs = build_corpus(args.words, cases)
    words = sum(len(p.split()) for p in paragraphs)
    characters = sum(map(len, paragraphs))
    print(f"corpus: {words:,} words, {len(paragraphs):,} paragraphs, {characters:,} characters")
    result: dict[str, Any] = {"words": words, "paragraphs": len(paragraphs), "cpus": os.cpu_count()}
    if not args.skip_segmenters:
        result["segmenters"] = compare_segmenters(
            paragraphs, cases, rounds=args.rounds, pysbd_words=args.pysbd_words
        )
        print_segmenters(result["segmenters"])
    with tempfile.TemporaryDirectory() as name:
        work = Path(name)
        if not args.skip_convert:
            result["convert"] = compare_convert(paragraphs, work, rounds=args.rounds)
            print_convert(result["convert"])
        if args.profile:
            corpus = work / "corpus"
            if not corpus.exists():
                write_documents(paragraphs, corpus)
            profile = profile_convert(corpus, work / "profiled.jsonl", top=args.top)
            steps = paired_steps(corpus, work, rounds=args.rounds)
            profile["in_process"] = in_process(corpus, work, rounds=args.rounds)
            result["profile"] = profile | {"steps": steps}
            print_profile(profile, steps, result.get("convert"))
    if args.out:
        args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
