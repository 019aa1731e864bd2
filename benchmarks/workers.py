"""``preannotate --n-process 2``: the toolkit's worker pool (toolkit/preannotate/workers.py) against spaCy's
``nlp.pipe(n_process=2)``, which it replaced so that Ctrl-C and SIGTERM stop the workers.

    .venv/bin/python benchmarks/workers.py                  # 200k words, 3 rounds of A B
    .venv/bin/python benchmarks/workers.py --words 50000 --rounds 2

Same corpus as benchmarks/preannotate.py (the seed repeated with variation), all three tasks, the pipeline
loaded before any timing. The two sides alternate (A B A B ...); reported per side: median wall time, median
CPU seconds of the parent, median CPU seconds of the workers (summed), and the outputs are checked equal.
"""

from __future__ import annotations

import argparse
import hashlib
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from preannotate import corpus  # noqa: E402 - the sibling benchmark's corpus


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def timed_run(
    source: Path, out: Path, *, own_pool: bool, batch_words: int
) -> tuple[float, float, float, str]:
    from toolkit.options import PreannotateOptions
    from toolkit.preannotate import workers
    from toolkit.preannotate.run import preannotate

    real = workers.can_fork
    workers.can_fork = real if own_pool else (lambda: False)  # False: run.py falls back to nlp.pipe's pool
    try:
        wall, cpu, kids = time.perf_counter(), time.process_time(), children_cpu()
        preannotate(
            input=source, output=out, options=PreannotateOptions(n_process=2, batch_words=batch_words)
        )
        timing = (time.perf_counter() - wall, time.process_time() - cpu, children_cpu() - kids)
    finally:
        workers.can_fork = real
    return (*timing, hashlib.sha256(out.read_bytes()).hexdigest())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--words", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=4000, help="words per batch")
    args = parser.parse_args(argv)

    from toolkit.jsonl import write_json_lines
    from toolkit.options import TASKS
    from toolkit.preannotate.pipeline import build_pipeline

    build_pipeline(model=None, tasks=TASKS)  # loaded once, outside the timings
    sides = {"toolkit pool": True, "spaCy pool": False}
    results: dict[str, list[tuple[float, float, float, str]]] = {name: [] for name in sides}
    with tempfile.TemporaryDirectory() as folder:
        source, out = Path(folder) / "corpus.jsonl", Path(folder) / "out.jsonl"
        records = write_json_lines(source, corpus(args.words))
        print(f"corpus: {records:,} records, about {args.words:,} words", file=sys.stderr)
        for _ in range(args.rounds):
            for name, own_pool in sides.items():
                results[name].append(timed_run(source, out, own_pool=own_pool, batch_words=args.batch_size))
    digests = {r[3] for runs in results.values() for r in runs}
    for name, runs in results.items():
        wall, parent, kids = (statistics.median(r[i] for r in runs) for i in range(3))
        print(
            f"{name:13}: wall {wall:6.1f} s ({args.words / wall:,.0f} words/s)   "
            f"parent CPU {parent:6.1f} s   workers CPU {kids:6.1f} s   "
            f"runs: {', '.join(f'{r[0]:.1f}' for r in runs)}"
        )
    print(f"outputs identical: {len(digests) == 1}")
    return 0 if len(digests) == 1 else 1


if __name__ == "__main__":
    sys.exit(main())
