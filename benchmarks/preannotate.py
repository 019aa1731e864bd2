"""Speed of ``toolkit preannotate`` against a bare ``nlp.pipe`` with the same model components.

    .venv/bin/python benchmarks/preannotate.py                 # 500k words, all three tasks, 1 and 2 procs
    .venv/bin/python benchmarks/preannotate.py --words 50000   # a quick run while developing

The corpus is the seed document repeated with variation (names, places, numbers and weekdays rotate, and each
copy is its own document), one record per sentence, written to a JSONL file. Reported in one run:
words/s of the bare pipeline, words/s of the toolkit (reading and writing JSONL, all rules, the per-document
linking), their ratio, and the toolkit's speed-up from 1 to 2 processes. Goals: ratio >= 0.85, speed-up
>= 1.8.
Model loading is left out of every timing (each pipeline is loaded once before it is timed).
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "000_0e2087f0584c9a21.txt"
WARM_UP = 200

# Each copy of the seed swaps these for the next name in their ring, so copies differ in their words.
ROTATIONS = [
    ["Zelenskiy", "Morales", "Okafor", "Lindqvist", "Haddad"],
    ["Bedingfield", "Castellanos", "Nakamura", "Oyelaran", "Brennan"],
    ["Kirby", "Duarte", "Sato", "Mensah", "Novak"],
    ["Kyiv", "Kharkiv", "Odesa", "Lviv", "Dnipro"],
    ["Wednesday", "Monday", "Friday", "Tuesday", "Sunday"],
    ["Thursday", "Saturday", "Wednesday", "Monday", "Tuesday"],
    ["50", "37", "64", "12", "85"],
    ["1,000", "2,500", "800", "4,200", "1,700"],
    ["Truss", "Hughes", "Marshall", "Fletcher", "Ward"],
]


def seed_sentences() -> list[str]:
    """The seed's sentences (lines split by the toolkit's segmenter when present, else by line)."""
    text = SEED.read_text(encoding="utf-8")
    try:
        from toolkit.convert.segment import segment_sentences
    except ImportError:
        return [line.strip() for line in text.splitlines() if line.strip()]
    return [text[start:end] for start, end in segment_sentences(text)]


def varied(sentence: str, copy: int) -> str:
    for ring in ROTATIONS:
        for position, word in enumerate(ring):
            if word in sentence:
                sentence = sentence.replace(word, ring[(position + copy) % len(ring)])
                break
    return sentence


def corpus(words: int) -> Iterator[dict]:
    """Record dicts, one per sentence, until ``words`` whitespace words have been made."""
    sentences = seed_sentences()
    made, copy = 0, 0
    while made < words:
        doc_id = f"seed-copy-{copy:05d}"
        for unit, sentence in enumerate(sentences):
            text = varied(sentence, copy)
            made += len(text.split())
            yield {"text": text, "meta": {"id": f"{doc_id}:{unit}", "doc_id": doc_id, "unit": unit}}
        copy += 1


def _texts(path: Path) -> list[str]:
    import orjson

    return [orjson.loads(line)["text"] for line in path.read_bytes().splitlines()]


def count_words(path: Path) -> int:
    import orjson

    return sum(len(orjson.loads(line)["text"].split()) for line in path.read_bytes().splitlines())


@dataclass
class Timing:
    words: int
    wall: float  # seconds on the clock
    cpu: float  # seconds of CPU in this process (workers excluded); robust to other load on the machine
    workers_cpu: float = 0.0  # seconds of CPU of the worker processes (n_process > 1), summed

    @property
    def rate(self) -> float:
        return self.words / self.wall

    @property
    def cpu_rate(self) -> float:
        return self.words / self.cpu

    def busiest_process(self, n_process: int) -> float:
        """CPU seconds of the busiest process: the wall time the run would take on idle cores."""
        return max(self.cpu, self.workers_cpu / n_process) if n_process > 1 else self.cpu


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def bare_timing(path: Path, *, tasks: tuple[str, ...], n_process: int, batch_words: int) -> Timing:
    """nlp.pipe over the same texts with the same model components, nothing else."""
    from toolkit.jsonl import read_records
    from toolkit.preannotate.pipeline import bare_pipeline
    from toolkit.preannotate.run import docs_per_batch

    nlp = bare_pipeline(model=None, tasks=tasks)
    texts = _texts(path)
    batch = docs_per_batch(list(read_records(path))[:64], batch_words)
    list(nlp.pipe(texts[:WARM_UP]))  # first calls allocate; time the steady state
    wall, cpu, children = time.perf_counter(), time.process_time(), _children_cpu()
    words = 0
    for doc in nlp.pipe(texts, batch_size=batch, n_process=n_process):
        words += len(doc.text.split())  # counted as the toolkit counts them: whitespace-separated words
    return Timing(words, time.perf_counter() - wall, time.process_time() - cpu, _children_cpu() - children)


def toolkit_timing(
    path: Path, out: Path, *, tasks: tuple[str, ...], n_process: int, batch_words: int
) -> Timing:
    """preannotate() from JSONL to JSONL, pipeline already built."""
    from toolkit.preannotate.pipeline import build_pipeline
    from toolkit.preannotate.run import preannotate

    nlp = build_pipeline(
        model=None, tasks=tasks
    )  # load outside the timing; preannotate reuses the cached one
    list(nlp.pipe(_texts(path)[:WARM_UP]))
    wall, cpu, children = time.perf_counter(), time.process_time(), _children_cpu()
    summary = preannotate(input=path, output=out, tasks=tasks, n_process=n_process, batch_size=batch_words)
    return Timing(
        summary.words, time.perf_counter() - wall, time.process_time() - cpu, _children_cpu() - children
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--words", type=int, default=500_000, help="corpus size in words (default 500,000)")
    parser.add_argument("--tasks", default="entities,quotes,events")
    parser.add_argument("--batch-size", type=int, default=4000, help="words per batch")
    parser.add_argument(
        "--skip-bare-2", action="store_true", help="do not time the bare pipeline on 2 processes"
    )
    args = parser.parse_args(argv)

    from toolkit.jsonl import write_json_lines
    from toolkit.preannotate.pipeline import cache_msgpack_plugins
    from toolkit.preannotate.run import parse_tasks

    tasks = parse_tasks(args.tasks)
    # The toolkit does this before it forks workers; do it for the bare pipeline too, so both pay the same
    # for sending Docs between processes and the ratio measures only the toolkit's own work.
    cache_msgpack_plugins()
    with tempfile.TemporaryDirectory() as folder:
        source, out = Path(folder) / "corpus.jsonl", Path(folder) / "out.jsonl"
        records = write_json_lines(source, corpus(args.words))
        print(
            f"corpus: {records:,} records, {count_words(source):,} words; tasks {','.join(tasks)}",
            file=sys.stderr,
        )
        timings = {
            "bare_1": bare_timing(source, tasks=tasks, n_process=1, batch_words=args.batch_size),
            "toolkit_1": toolkit_timing(source, out, tasks=tasks, n_process=1, batch_words=args.batch_size),
            "toolkit_2": toolkit_timing(source, out, tasks=tasks, n_process=2, batch_words=args.batch_size),
        }
        if not args.skip_bare_2:
            timings["bare_2"] = bare_timing(source, tasks=tasks, n_process=2, batch_words=args.batch_size)
    result = {"records": records, "tasks": list(tasks), "batch_words": args.batch_size}
    result.update({f"{name}_words_per_s": t.rate for name, t in timings.items()})
    # CPU seconds of this (parent) process: with 2 processes, what the parent itself spends per run.
    result.update({f"{name}_parent_cpu_s": t.cpu for name, t in timings.items()})
    result["ratio_1"] = timings["toolkit_1"].rate / timings["bare_1"].rate
    result["ratio_1_cpu"] = timings["toolkit_1"].cpu_rate / timings["bare_1"].cpu_rate
    result["speedup_1_to_2"] = timings["toolkit_2"].rate / timings["toolkit_1"].rate
    # On a shared machine the clock speed-up says more about the neighbours than about the code; this one
    # says what 2 idle cores would give: 1-process CPU over the CPU of the busiest of the 2-process run.
    result["speedup_1_to_2_cpu"] = timings["toolkit_1"].cpu / timings["toolkit_2"].busiest_process(2)
    print(f"bare nlp.pipe, 1 process : {timings['bare_1'].rate:>9,.0f} words/s")
    print(
        f"toolkit,       1 process : {timings['toolkit_1'].rate:>9,.0f} words/s   "
        f"ratio {result['ratio_1']:.2f} "
        f"(by CPU time {result['ratio_1_cpu']:.2f})"
    )
    print(
        f"toolkit,       2 processes: {timings['toolkit_2'].rate:>8,.0f} words/s   "
        f"speed-up {result['speedup_1_to_2']:.2f}x (by CPU time {result['speedup_1_to_2_cpu']:.2f}x)"
    )
    if "bare_2" in timings:
        result["ratio_2"] = timings["toolkit_2"].rate / timings["bare_2"].rate
        result["bare_speedup_1_to_2"] = timings["bare_2"].rate / timings["bare_1"].rate
        result["bare_speedup_1_to_2_cpu"] = timings["bare_1"].cpu / timings["bare_2"].busiest_process(2)
        print(
            f"bare nlp.pipe, 2 processes: {timings['bare_2'].rate:>8,.0f} words/s   "
            f"ratio {result['ratio_2']:.2f}, "
            f"bare speed-up {result['bare_speedup_1_to_2']:.2f}x "
            f"(by CPU time {result['bare_speedup_1_to_2_cpu']:.2f}x)"
        )
    print(json.dumps({k: round(v, 3) if isinstance(v, float) else v for k, v in result.items()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
