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
   profiler inflates Python-heavy parts), and the baseline's steps are timed one by one without a profiler on
   the same corpus (read, paragraphs + sentences, tokenizer, token dicts, sha256, record dicts, orjson,
   write + fsync), beside the toolkit's counterparts where they can be called alone.
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


def bare_steps(corpus: Path, work: Path) -> dict[str, tuple[float, float]]:
    """The baseline's steps on the whole corpus, one at a time, no profiler: (wall, CPU) seconds each."""
    import spacy

    make_doc = spacy.blank("en").make_doc
    paths = sorted(corpus.glob("*.txt"))
    steps: dict[str, tuple[float, float]] = {}

    def step(name: str, run: Callable[[], Any]) -> Any:
        wall, cpu, result = clock(run)
        steps[name] = (wall, cpu)
        return result

    texts = step("read + decode files", lambda: [(p, p.read_bytes().decode("utf-8")) for p in paths])
    units = step(
        "paragraphs + sentences (toolkit segmenter)",
        lambda: [
            (path, text, paragraph, start, end)
            for path, text in texts
            for paragraph, (p_start, p_end) in enumerate(split_paragraphs(text))
            for start, end in segment_sentences(text, p_start, p_end)
        ],
    )
    sentences = [text[start:end] for _, text, _, start, end in units]
    docs = step("tokenizer (blank en make_doc)", lambda: [make_doc(s) for s in sentences])
    tokens = step(
        "token dicts",
        lambda: [
            [
                {
                    "text": t.text,
                    "start": t.idx,
                    "end": t.idx + len(t.text),
                    "id": t.i,
                    "ws": bool(t.whitespace_),
                }
                for t in doc
            ]
            for doc in docs
        ],
    )
    hashes = step(
        "sha256 of each text", lambda: [hashlib.sha256(s.encode("utf-8")).hexdigest() for s in sentences]
    )
    records = step(
        "record dicts (meta, ids)",
        lambda: [
            {
                "text": sentence,
                "tokens": token_list,
                "meta": {
                    "id": f"{path.stem}:{n}",
                    "doc_id": path.stem,
                    "unit": n,
                    "start": start,
                    "end": end,
                    "source": path.as_posix(),
                    "text_sha256": digest_,
                    "paragraph": paragraph,
                },
            }
            for n, ((path, _, paragraph, start, end), sentence, token_list, digest_) in enumerate(
                zip(units, sentences, tokens, hashes, strict=True)
            )
        ],
    )
    lines = step("orjson.dumps", lambda: [orjson.dumps(r) for r in records])

    def write() -> None:
        target = work / "steps.jsonl"
        with target.open("wb") as out:
            for line in lines:
                out.write(line)
                out.write(b"\n")
            out.flush()
            os.fsync(out.fileno())

    step("write + fsync", write)
    steps.update(toolkit_steps(docs, sentences, records))
    return steps


def toolkit_steps(
    docs: list[Any], sentences: list[str], records: list[dict]
) -> dict[str, tuple[float, float]]:
    """The toolkit's counterparts of some baseline steps, called alone (skipped if a name has moved)."""
    steps: dict[str, tuple[float, float]] = {}
    try:
        from toolkit.models import load_tokenizer
        from toolkit.record import Meta, Record, make_tokens, record_from_dict, record_to_dict, text_sha256
    except ImportError as exc:
        print(f"  toolkit steps skipped: {exc}", file=sys.stderr)
        return steps
    nlp = load_tokenizer(None)
    wall, cpu, _ = clock(lambda: [nlp.make_doc(s) for s in sentences])
    steps["[toolkit] model tokenizer (load_tokenizer().make_doc)"] = (wall, cpu)
    wall, cpu, token_lists = clock(lambda: [make_tokens(doc) for doc in docs])
    steps["[toolkit] make_tokens (Token structs)"] = (wall, cpu)
    wall, cpu, _ = clock(lambda: [text_sha256(s) for s in sentences])
    steps["[toolkit] text_sha256"] = (wall, cpu)
    typed = [record_from_dict(r) for r in records]
    wall, cpu, _ = clock(
        lambda: [
            Record(
                text=r.text,
                tokens=tokens,
                meta=Meta(**{k: getattr(r.meta, k) for k in r.meta.__struct_fields__}),
            )
            for r, tokens in zip(typed, token_lists, strict=True)
        ]
    )
    steps["[toolkit] Record + Meta structs"] = (wall, cpu)
    wall, cpu, _ = clock(lambda: [record_to_dict(r) for r in typed])
    steps["[toolkit] record_to_dict (msgspec.to_builtins + extras)"] = (wall, cpu)
    wall, cpu, _ = clock(lambda: [orjson.dumps(record_to_dict(r)) for r in typed])
    steps["[toolkit] record_to_dict + orjson.dumps"] = (wall, cpu)
    return steps


def print_profile(
    profile: dict[str, Any], steps: dict[str, tuple[float, float]], convert_result: dict | None
) -> None:
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
    print(f"\n{'baseline step, alone, no profiler':<58}{'wall s':>8}{'CPU s':>8}")
    total = 0.0
    for name, (wall, cpu) in steps.items():
        if not name.startswith("[toolkit]"):
            total += wall
        print(f"{name:<58}{wall:>8.2f}{cpu:>8.2f}")
    print(f"{'sum of the baseline steps':<58}{total:>8.2f}")
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
            steps = bare_steps(corpus, work)
            profile["in_process"] = in_process(corpus, work, rounds=args.rounds)
            result["profile"] = profile | {
                "steps": {k: [round(w, 3), round(c, 3)] for k, (w, c) in steps.items()}
            }
            print_profile(profile, steps, result.get("convert"))
    if args.out:
        args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
