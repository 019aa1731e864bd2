"""Pre-annotation speed: the local engine with --n-process 2 against the Dask engine on 2 local workers.

Run by hand from the repository root:
    .venv/bin/python benchmarks/distributed.py [--words 200000] [--shards 8] [--repeat 1]

The corpus is the seed document copied with variation (names, weekdays and numbers swapped per copy) into
JSONL document files, converted once into record shards. The local engine pre-annotates those records as one
file with spaCy's ``n_process=2``; the Dask engine pre-annotates the shard folder on a fresh LocalCluster of
two single-threaded workers. Each run is a fresh ``toolkit preannotate`` process, timed by the wall clock
from start to exit, start-up included (interpreter, model loading; for Dask the cluster too), so the
overhead is what a user would see. With --repeat the engines alternate and the best time of each is kept
(the machine may be shared). Prints words/s of each, the overhead, and whether the outputs are identical
after sorting by meta.id; exits 1 when the overhead is over the bar (15%) or the outputs differ.
"""

from __future__ import annotations

import argparse
import random
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "000_0e2087f0584c9a21.txt"
# This file's own folder comes first on sys.path, and its name would shadow the dask.distributed package.
sys.path[0] = str(ROOT)

from toolkit.convert.run import convert  # noqa: E402
from toolkit.engine.distributed import convert_sharded  # noqa: E402
from toolkit.options import EngineOptions  # noqa: E402

BAR = 0.15
SWAPS = {
    "Kirby": ["Austin", "Price", "Psaki", "Sullivan"],
    "Zelenskyy": ["Kuleba", "Reznikov", "Shmyhal", "Podolyak"],
    "Thursday": ["Monday", "Tuesday", "Wednesday", "Friday"],
    "Chernihiv": ["Kharkiv", "Sumy", "Poltava", "Zhytomyr"],
}


def vary(text: str, copy: int, rng: random.Random) -> str:
    """A copy of the seed that differs in names, places, weekdays and numbers, so no two documents repeat."""
    for word, options in SWAPS.items():
        text = text.replace(word, options[copy % len(options)])
    return re.sub(r"\b\d{2,}\b", lambda m: str(int(m.group()) + rng.randint(1, 9)), text)


def write_documents(folder: Path, *, words: int, shards: int) -> int:
    """``shards`` JSONL document files holding at least ``words`` words in all; returns the count."""
    seed = SEED.read_text(encoding="utf-8")
    per_copy = len(seed.split())
    copies = max(shards, -(-words // per_copy))
    rng = random.Random(7)
    folder.mkdir(parents=True)
    for part in range(shards):
        lines = [
            orjson.dumps({"id": f"copy-{copy:05d}", "text": vary(seed, copy, rng)})
            for copy in range(part, copies, shards)
        ]
        (folder / f"part-{part:03d}.jsonl").write_bytes(b"\n".join(lines) + b"\n")
    return copies * per_copy


def record_words(path: Path) -> int:
    return sum(len(orjson.loads(line)["text"].split()) for line in path.read_bytes().splitlines())


def by_id(data: bytes) -> list[bytes]:
    return sorted(data.splitlines(), key=lambda line: orjson.loads(line)["meta"]["id"])


def first_difference(ours: list[bytes], theirs: list[bytes]) -> str:
    if len(ours) != len(theirs):
        return f"{len(ours)} records against {len(theirs)}"
    for one, other in zip(ours, theirs, strict=True):
        a, b = orjson.loads(one), orjson.loads(other)
        keys = sorted(k for k in a.keys() | b.keys() if a.get(k) != b.get(k))
        if keys:
            ours_value, theirs_value = str(a.get(keys[0]))[:200], str(b.get(keys[0]))[:200]
            return f"{a['meta']['id']}: {', '.join(keys)}: {ours_value} / {theirs_value}"
    return "none"


def timed(command: list[str]) -> tuple[float, float]:
    """Wall seconds of one ``toolkit`` run in a fresh interpreter, as a user would start it, and the CPU
    seconds of it and every process it started (spaCy's or Dask's), which a busy machine disturbs less."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "toolkit", *command, "-q"], check=True, cwd=ROOT)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=200_000, help="corpus size in words (default 200,000)")
    parser.add_argument("--shards", type=int, default=8, help="record shards for the Dask engine (default 8)")
    parser.add_argument("--repeat", type=int, default=1, help="rounds (engines alternate); best time kept")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-distributed-") as tmp:
        work = Path(tmp)
        write_documents(work / "docs", words=args.words, shards=args.shards)
        convert(sources=[work / "docs"], output=work / "tasks.jsonl")
        convert_sharded(sources=[work / "docs"], output=f"{work / 'tasks'}/", engine=EngineOptions("local"))
        words = record_words(work / "tasks.jsonl")
        print(f"corpus: {words:,} words in {args.shards} shards", flush=True)
        commands = {
            "local": ["preannotate", str(work / "tasks.jsonl"), "-o", str(work / "local.jsonl"), "-n", "2"],
            "dask": [
                "preannotate",
                f"{work / 'tasks'}/",
                "-o",
                f"{work / 'dask'}/",
                "--engine",
                "dask",
                "--workers",
                "2",
            ],
        }
        seconds: dict[str, list[float]] = {"local": [], "dask": []}
        cpu: dict[str, list[float]] = {"local": [], "dask": []}
        for round_number in range(args.repeat):
            order = ["local", "dask"] if round_number % 2 == 0 else ["dask", "local"]
            for engine in order:
                if engine == "dask":
                    shutil.rmtree(work / "dask", ignore_errors=True)  # no shard may be skipped as done
                wall, used = timed(commands[engine])
                seconds[engine].append(wall)
                cpu[engine].append(used)
                rate = f"{words / wall:,.0f} words/s, {used:.1f} CPU s"
                print(f"round {round_number + 1}: {engine} {rate}", flush=True)
        merged = b"".join(p.read_bytes() for p in sorted((work / "dask").glob("*.jsonl")))
        local = (work / "local.jsonl").read_bytes()
        identical = by_id(merged) == by_id(local)
        if not identical:
            print(f"first difference (dask / local): {first_difference(by_id(merged), by_id(local))}")

    local_seconds, dask_seconds = min(seconds["local"]), min(seconds["dask"])
    local_rate, dask_rate = words / local_seconds, words / dask_seconds
    overhead = local_rate / dask_rate - 1
    print(
        f"local engine, --n-process 2: {local_rate:10,.0f} words/s ({local_seconds:.1f} s, "
        f"{min(cpu['local']):.1f} CPU s)"
    )
    print(
        f"dask engine, 2 workers:      {dask_rate:10,.0f} words/s ({dask_seconds:.1f} s, "
        f"{min(cpu['dask']):.1f} CPU s)"
    )
    print(f"overhead of dask: {overhead:+.1%} (bar: under {BAR:.0%}); same output by meta.id: {identical}")
    return 0 if overhead < BAR and identical else 1


if __name__ == "__main__":
    sys.exit(main())
