"""Speed of ``toolkit preannotate`` against a bare ``nlp.pipe`` with the same model components.

    .venv/bin/python benchmarks/preannotate.py                        # 500k words, 3 rounds, 1 and 2 procs
    .venv/bin/python benchmarks/preannotate.py --words 50000 --rounds 2 --start-up-runs 1   # a quick look
    .venv/bin/python benchmarks/preannotate.py --out /tmp/preannotate.json

What it measures, on one corpus (the seed document repeated with variation: names, places, numbers and
weekdays rotate, each copy its own document, one record per sentence, in a JSONL file):

- throughput: the toolkit (``toolkit.preannotate.run.preannotate``: reading and writing JSONL, every rule,
  the per-document linking) against the baseline, a bare ``nlp.pipe`` over the same texts (already in memory)
  with the same spaCy components and nothing of the toolkit's (``bare_pipeline``), on 1 and 2 processes.
  The two sides alternate within every round, and the side that goes first swaps from round to round
  (toolkit, bare | bare, toolkit | ...), so neither always runs on a cooler or a warmer machine. Each run
  prints wall time and CPU time: the parent's, and its worker processes' (summed). Reported: medians over
  ``--rounds``; the ratio toolkit / bare by wall time and by CPU time (parent + workers); the speed-up from
  1 to 2 processes by wall time and by "busiest process" (the CPU seconds of the busiest of the processes:
  what the run would take on two idle cores, robust to neighbours on a shared machine).
  Goals (issue 13): ratio >= 0.9, speed-up >= 1.8.
- start-up, apart from throughput: in a fresh interpreter each time (alternating the two sides), the time
  to import, to load the pipeline (``spacy.load`` with the same exclusions for the bare side;
  ``build_pipeline`` for the toolkit, with the place list's ruler timed on its own), and the first call on
  one sentence; and the whole ``toolkit preannotate`` command on a one-record file.

Pipelines are loaded and warmed up once, before any run is timed; the garbage collector is run before each.
"""

from __future__ import annotations

import argparse
import collections
import gc
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

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


# ------------------------------------------------------------------------------------------ the corpus


def seed_sentences() -> list[str]:
    """The seed's sentences, split by the toolkit's segmenter."""
    from toolkit.convert.segment import segment_sentences

    text = SEED.read_text(encoding="utf-8")
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


def read_texts(path: Path) -> list[str]:
    import orjson

    return [orjson.loads(line)["text"] for line in path.read_bytes().splitlines()]


# ------------------------------------------------------------------------------------------ timing


@dataclass
class Timing:
    side: str
    n_process: int
    round: int
    words: int
    wall: float  # seconds on the clock
    cpu: float  # CPU seconds of this (parent) process
    workers_cpu: float  # CPU seconds of the worker processes, summed (0 on one process)

    @property
    def rate(self) -> float:
        return self.words / self.wall

    @property
    def total_cpu(self) -> float:
        return self.cpu + self.workers_cpu

    @property
    def busiest(self) -> float:
        """CPU seconds of the busiest process: what the run would take on idle cores."""
        return max(self.cpu, self.workers_cpu / self.n_process) if self.n_process > 1 else self.cpu


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed(run: Callable[[], int], *, side: str, n_process: int, round: int) -> Timing:
    """Wall and CPU time of one run; ``run`` returns the words it handled."""
    gc.collect()
    wall, cpu, children = time.perf_counter(), time.process_time(), _children_cpu()
    words = run()
    return Timing(
        side,
        n_process,
        round,
        words,
        time.perf_counter() - wall,
        time.process_time() - cpu,
        _children_cpu() - children,
    )


class Sides:
    """The two things compared, loaded and warmed up once."""

    def __init__(self, source: Path, out: Path, *, tasks: tuple[str, ...], batch_words: int) -> None:
        from toolkit.jsonl import read_records
        from toolkit.preannotate.pipeline import bare_pipeline, build_pipeline
        from toolkit.preannotate.run import docs_per_batch

        self.source, self.out, self.tasks, self.batch_words = source, out, tasks, batch_words
        self.texts = read_texts(source)
        self.words = sum(len(text.split()) for text in self.texts)
        self.bare = bare_pipeline(model=None, tasks=tasks)
        self.batch = docs_per_batch(list(read_records(source))[:64], batch_words)
        # preannotate() builds the same cached pipeline; warming it here keeps first-call costs out.
        toolkit_nlp = build_pipeline(model=None, tasks=tasks)
        for nlp in (self.bare, toolkit_nlp):
            list(nlp.pipe(self.texts[:WARM_UP]))

    def bare_run(self, n_process: int) -> int:
        # Only the pipe is timed: the words (whitespace-separated, as the toolkit counts them) are counted
        # beforehand, since Doc.text would join every token again (about 1% of the run).
        collections.deque(self.bare.pipe(self.texts, batch_size=self.batch, n_process=n_process), maxlen=0)
        return self.words

    def toolkit_run(self, n_process: int) -> int:
        from toolkit.options import PreannotateOptions
        from toolkit.preannotate.run import preannotate

        options = PreannotateOptions(tasks=self.tasks, n_process=n_process, batch_words=self.batch_words)
        summary = preannotate(input=self.source, output=self.out, options=options)
        return summary.words


def throughput(sides: Sides, *, rounds: int, processes: list[int]) -> list[Timing]:
    timings = []
    runs = {"toolkit": sides.toolkit_run, "bare": sides.bare_run}
    for number in range(rounds):
        order = ("toolkit", "bare") if number % 2 == 0 else ("bare", "toolkit")
        for n_process in processes:
            for side in order:
                timing = timed(
                    lambda s=side, n=n_process: runs[s](n), side=side, n_process=n_process, round=number
                )
                print(
                    f"  round {number + 1} {side:<8} {n_process} proc: {timing.wall:7.2f} s wall "
                    f"{timing.rate:>9,.0f} words/s | CPU parent {timing.cpu:7.2f} s, "
                    f"workers {timing.workers_cpu:7.2f} s",
                    file=sys.stderr,
                )
                timings.append(timing)
    return timings


def median_of(timings: list[Timing], side: str, n_process: int, value: Callable[[Timing], float]) -> float:
    return statistics.median(value(t) for t in timings if t.side == side and t.n_process == n_process)


def summarise(timings: list[Timing], processes: list[int]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for n in processes:
        for side in ("toolkit", "bare"):
            words = next(t.words for t in timings if t.side == side and t.n_process == n)
            result[f"{side}_{n}"] = {
                "words": words,
                "wall_s": round(median_of(timings, side, n, lambda t: t.wall), 3),
                "words_per_s": round(median_of(timings, side, n, lambda t: t.rate)),
                "parent_cpu_s": round(median_of(timings, side, n, lambda t: t.cpu), 3),
                "workers_cpu_s": round(median_of(timings, side, n, lambda t: t.workers_cpu), 3),
                "words_per_cpu_s": round(median_of(timings, side, n, lambda t: t.words / t.total_cpu)),
                "busiest_process_s": round(median_of(timings, side, n, lambda t: t.busiest), 3),
            }
        toolkit, bare = result[f"toolkit_{n}"], result[f"bare_{n}"]
        result[f"ratio_{n}"] = round(toolkit["words_per_s"] / bare["words_per_s"], 3)
        result[f"ratio_{n}_cpu"] = round(toolkit["words_per_cpu_s"] / bare["words_per_cpu_s"], 3)
    if 1 in processes and 2 in processes:
        for side in ("toolkit", "bare"):
            one, two = result[f"{side}_1"], result[f"{side}_2"]
            result[f"{side}_speedup_1_to_2"] = round(two["words_per_s"] / one["words_per_s"], 3)
            result[f"{side}_speedup_1_to_2_cpu"] = round(
                one["busiest_process_s"] / two["busiest_process_s"], 3
            )
    return result


# ------------------------------------------------------------------------------------------ start-up

# Run in a fresh interpreter: prints one JSON object of phase -> [wall s, CPU s].
START_UP = """
import json, sys, time
phases, wall, cpu = {}, time.perf_counter(), time.process_time()
def lap(name):
    global wall, cpu
    phases[name] = [time.perf_counter() - wall, time.process_time() - cpu]
    wall, cpu = time.perf_counter(), time.process_time()
side, tasks = sys.argv[1], tuple(sys.argv[2].split(","))
import spacy
from toolkit.preannotate import pipeline
lap("import")
if side == "bare":
    nlp = pipeline.bare_pipeline(model=None, tasks=tasks)
    lap("load")
else:
    ruler = [0.0, 0.0]
    original = pipeline.add_place_ruler
    def timed_ruler(nlp):
        w, c = time.perf_counter(), time.process_time()
        original(nlp)
        ruler[0] += time.perf_counter() - w
        ruler[1] += time.process_time() - c
    pipeline.add_place_ruler = timed_ruler
    nlp = pipeline.build_pipeline(model=None, tasks=tasks)
    lap("load")
    phases["place_list"] = ruler
nlp("The minister said on Monday that talks in Geneva would resume.")
lap("first_call")
print(json.dumps(phases))
"""


def start_up_phases(side: str, tasks: tuple[str, ...]) -> dict[str, list[float]]:
    done = subprocess.run(
        [sys.executable, "-c", START_UP, side, ",".join(tasks)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def command_start_up(tasks: tuple[str, ...], folder: Path) -> tuple[float, float]:
    """Wall and CPU seconds of ``toolkit preannotate`` on a one-record file, as a separate process."""
    one = folder / "one.jsonl"
    one.write_text('{"text":"The minister said on Monday that talks would resume.","meta":{"id":"d:0"}}\n')
    toolkit = Path(sys.executable).parent / "toolkit"
    command = [
        str(toolkit),
        "preannotate",
        str(one),
        "-o",
        str(folder / "one.out.jsonl"),
        "--tasks",
        ",".join(tasks),
    ]
    before, wall = _children_cpu(), time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, env={**os.environ, "PYTHONWARNINGS": "ignore"})
    return time.perf_counter() - wall, _children_cpu() - before


def start_up(tasks: tuple[str, ...], *, runs: int, folder: Path) -> dict[str, Any]:
    seen: dict[str, dict[str, list[list[float]]]] = {"bare": {}, "toolkit": {}}
    command: list[tuple[float, float]] = []
    for number in range(runs):
        for side in ("toolkit", "bare") if number % 2 == 0 else ("bare", "toolkit"):
            for phase, values in start_up_phases(side, tasks).items():
                seen[side].setdefault(phase, []).append(values)
        command.append(command_start_up(tasks, folder))
    result: dict[str, Any] = {"runs": runs}
    for side, phases in seen.items():
        result[side] = {
            phase: {
                "wall_s": round(statistics.median(v[0] for v in values), 3),
                "cpu_s": round(statistics.median(v[1] for v in values), 3),
            }
            for phase, values in phases.items()
        }
    result["command_one_record"] = {
        "wall_s": round(statistics.median(c[0] for c in command), 3),
        "cpu_s": round(statistics.median(c[1] for c in command), 3),
    }
    return result


# ------------------------------------------------------------------------------------------ report


def print_report(result: dict[str, Any]) -> None:
    print(
        f"corpus: {result['records']:,} records, {result['words']:,} words; "
        f"tasks {','.join(result['tasks'])}; {result['rounds']} rounds, medians"
    )
    print(
        f"\n{'side':<10}{'procs':>6}{'wall s':>9}{'words/s':>10}{'CPU parent':>12}{'CPU workers':>13}"
        f"{'words/CPU-s':>13}{'busiest s':>11}"
    )
    for n in result["processes"]:
        for side in ("bare", "toolkit"):
            row = result[f"{side}_{n}"]
            print(
                f"{side:<10}{n:>6}{row['wall_s']:>9.2f}{row['words_per_s']:>10,}{row['parent_cpu_s']:>12.2f}"
                f"{row['workers_cpu_s']:>13.2f}{row['words_per_cpu_s']:>13,}{row['busiest_process_s']:>11.2f}"
            )
    for n in result["processes"]:
        print(
            f"toolkit / bare, {n} proc: {result[f'ratio_{n}']:.3f} by wall time, "
            f"{result[f'ratio_{n}_cpu']:.3f} by CPU time (goal >= 0.9)"
        )
    for side in ("toolkit", "bare"):
        if f"{side}_speedup_1_to_2" in result:
            print(
                f"{side} speed-up 1 -> 2 processes: {result[f'{side}_speedup_1_to_2']:.2f}x by wall time, "
                f"{result[f'{side}_speedup_1_to_2_cpu']:.2f}x by busiest process (goal >= 1.8)"
            )
    start = result.get("start_up")
    if start:
        print(f"\nstart-up, fresh interpreter, median of {start['runs']} (wall s / CPU s):")
        for side in ("bare", "toolkit"):
            cells = ", ".join(f"{k} {v['wall_s']:.2f}/{v['cpu_s']:.2f}" for k, v in start[side].items())
            print(f"  {side:<8} {cells}")
        one = start["command_one_record"]
        print(f"  toolkit preannotate on one record (whole command): {one['wall_s']:.2f}/{one['cpu_s']:.2f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--words", type=int, default=500_000, help="corpus size in words (default 500,000)")
    parser.add_argument("--tasks", default="entities,quotes,events")
    parser.add_argument("--batch-size", type=int, default=4000, help="words per batch")
    parser.add_argument(
        "--rounds", type=int, default=3, help="rounds of the alternated runs (median reported)"
    )
    parser.add_argument("--processes", default="1,2", help="process counts to time (default 1,2)")
    parser.add_argument(
        "--start-up-runs", type=int, default=3, help="fresh-interpreter start-up runs (0: skip)"
    )
    parser.add_argument("--out", type=Path, default=None, help="also write the results as JSON")
    args = parser.parse_args(argv)

    from toolkit.jsonl import write_json_lines
    from toolkit.options import parse_tasks
    from toolkit.preannotate.pipeline import cache_msgpack_plugins

    tasks = parse_tasks(args.tasks)
    processes = [int(n) for n in args.processes.split(",")]
    # The toolkit does this before it forks workers; do it for the bare pipeline too, so both pay the same
    # for sending Docs between processes and the ratio measures only the toolkit's own work.
    cache_msgpack_plugins()
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        source, out = folder / "corpus.jsonl", folder / "out.jsonl"
        records = write_json_lines(source, corpus(args.words))
        result: dict[str, Any] = {
            "records": records,
            "words": sum(len(t.split()) for t in read_texts(source)),
            "tasks": list(tasks),
            "batch_words": args.batch_size,
            "rounds": args.rounds,
            "processes": processes,
            "python": sys.version.split()[0],
            "cpus": os.cpu_count(),
        }
        if args.start_up_runs:
            result["start_up"] = start_up(tasks, runs=args.start_up_runs, folder=folder)
        sides = Sides(source, out, tasks=tasks, batch_words=args.batch_size)
        timings = throughput(sides, rounds=args.rounds, processes=processes)
    result.update(summarise(timings, processes))
    result["runs"] = [asdict(t) for t in timings]
    print_report(result)
    if args.out:
        args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
