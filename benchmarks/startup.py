"""Start-up cost of the CLI against a bare Python start, in the same venv (ratios, medians).

    .venv/bin/python benchmarks/startup.py [--rounds 15]

Runs, alternated in every round, ``python -c pass`` (the baseline: the same interpreter and site-packages,
editable-install finder included), ``toolkit --help``, ``toolkit validate`` on one record, and
``toolkit convert --help``. Prints wall and CPU medians (CPU of the child: user + system) and each command's
ratio to the baseline. The issue's bar: --help and validate of one record within 5x a bare start.

The commands run with Python's bytecode cache on, as after ``pip install`` (which compiles every module):
``PYTHONDONTWRITEBYTECODE`` is removed from their environment and the warm-up round writes the cache.
Without any cache every start compiles the toolkit's sources again, while the baseline's standard library is
always precompiled.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def _child_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _run(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    cpu, wall = _child_cpu(), time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    return time.perf_counter() - wall, _child_cpu() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    with tempfile.TemporaryDirectory() as tmp:
        one = Path(tmp) / "one.jsonl"
        gold = (ROOT / "annotations" / "gold" / "seed.jsonl").read_text(encoding="utf-8")
        one.write_text(gold.splitlines()[0] + "\n", encoding="utf-8")
        toolkit = str(BIN / "toolkit")
        sides = {
            "python -c pass (baseline)": [sys.executable, "-c", "pass"],
            "toolkit --help": [toolkit, "--help"],
            "toolkit validate ONE.jsonl": [toolkit, "validate", str(one)],
            "toolkit convert --help": [toolkit, "convert", "--help"],
        }
        times: dict[str, list[tuple[float, float]]] = {name: [] for name in sides}
        for argv in sides.values():  # warm the file and bytecode caches once
            _run(argv, env)
        for round_ in range(args.rounds):
            order = list(sides.items())
            if round_ % 2:
                order.reverse()
            for name, argv in order:
                times[name].append(_run(argv, env))
    base_wall = statistics.median(w for w, _ in times["python -c pass (baseline)"])
    base_cpu = statistics.median(c for _, c in times["python -c pass (baseline)"])
    header = f"{'command':32} {'wall ms':>8} {'cpu ms':>8} {'x wall':>7} {'x cpu':>6}"
    print(f"{header}   (medians of {args.rounds})")
    for name, samples in times.items():
        wall = statistics.median(w for w, _ in samples)
        cpu = statistics.median(c for _, c in samples)
        print(f"{name:32} {wall * 1000:8.1f} {cpu * 1000:8.1f} {wall / base_wall:7.2f} {cpu / base_cpu:6.2f}")
    print(f"load average: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
