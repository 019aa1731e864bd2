"""Time the PLOVER event rules on their own, against an earlier version of them, on the same parsed Docs.

    .venv/bin/python benchmarks/events_rules_speed.py                  # against main, 4 rounds
    .venv/bin/python benchmarks/events_rules_speed.py --ref HEAD~3 --limit 1000 --rounds 6

The rules run after spaCy's parse, so the parse is done once (the event components, one record per sentence as
``toolkit convert`` makes them) and only ``EventRuleAnnotator.__call__`` is timed: the version in the working
tree (B) and the one at ``--ref`` (A, read with ``git show`` into a temporary module), alternated A B A B,
each round over every Doc. CPU time (``time.process_time``) is printed beside wall time; the summary is the
median of the rounds. Texts: the synthetic PLOVER stories in ``dev-data/plover-synthetic`` when present (local
only, see ``events_plover.py``), otherwise the project's own sentence sets repeated to about 100k words.
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

import events_plover  # noqa: E402  (the benchmark next to this one reads the same texts)

RULES = "toolkit/preannotate/events.py"
LEXICON = "toolkit/preannotate/events_lexicon.py"


def load_version(ref: str, folder: Path) -> ModuleType:
    """The events module (with its own lexicon) as it was at ``ref``."""
    for path, name in ((LEXICON, "baseline_events_lexicon"), (RULES, "baseline_events")):
        source = subprocess.run(
            ["git", "show", f"{ref}:{path}"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout
        source = source.replace(
            "from toolkit.preannotate import events_lexicon as lex", "import baseline_events_lexicon as lex"
        )
        (folder / f"{name}.py").write_text(source, encoding="utf-8")
    sys.path.insert(0, str(folder))
    spec = importlib.util.spec_from_file_location("baseline_events", folder / "baseline_events.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["baseline_events"] = module
    spec.loader.exec_module(module)
    return module


def sentence_texts(limit: int | None, seed: int) -> tuple[str, list[str]]:
    """What the rules read: sentence records of the synthetic stories, or the own sets repeated."""
    from toolkit.convert.run import convert_records
    from toolkit.jsonl import write_json_lines
    from toolkit.options import ConvertOptions

    folder = events_plover.default_data()
    if any(folder.glob("*.zip")):
        stories = events_plover.read_stories(folder)
        if limit is not None and limit < len(stories):
            import random

            stories = [stories[i] for i in sorted(random.Random(seed).sample(range(len(stories)), limit))]
        with tempfile.TemporaryDirectory() as tmp:
            source = Path(tmp) / "stories.jsonl"
            write_json_lines(source, ({"id": s.ident, "text": s.text} for s in stories))
            records = convert_records(sources=[source], options=ConvertOptions(format="jsonl"))
            texts = [r.text for r in records]
        return f"{len(stories):,} synthetic stories", texts
    rows = [row for path in events_plover.SENTENCE_SETS for row in events_plover.read_sentence_set(path)]
    base = [row["text"] for row in rows]
    words = sum(len(t.split()) for t in base)
    return f"the sentence sets x{100_000 // words + 1}", base * (100_000 // words + 1)


def time_rounds(
    annotators: dict[str, Any], docs: list[Any], rounds: int
) -> dict[str, list[tuple[float, float]]]:
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in annotators}
    for _ in range(rounds):
        for name, annotate in annotators.items():  # A then B, every round
            cpu, wall = time.process_time(), time.perf_counter()
            for doc in docs:
                annotate(doc)
            times[name].append((time.process_time() - cpu, time.perf_counter() - wall))
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--ref", default="main", help="git revision of the baseline rules (default: main)")
    parser.add_argument("--limit", type=int, default=None, help="a random N stories (by --seed)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--rounds", type=int, default=4)
    args = parser.parse_args(argv)

    from toolkit.preannotate import events
    from toolkit.preannotate.pipeline import build_pipeline

    what, texts = sentence_texts(args.limit, args.seed)
    nlp = build_pipeline(model=None, tasks=("events",))
    began = time.perf_counter()
    with nlp.select_pipes(enable=list(events.EVENT_COMPONENTS)):
        docs = list(nlp.pipe(texts, batch_size=256))
    words = sum(len(d) for d in docs)
    parsed = time.perf_counter() - began
    print(f"{what}: {len(docs):,} sentence Docs, {words:,} tokens, parsed in {parsed:.0f} s")
    with tempfile.TemporaryDirectory() as folder:
        baseline = load_version(args.ref, Path(folder))
        annotators = {
            f"A {args.ref}": baseline.EventRuleAnnotator(nlp),
            "B working tree": events.EventRuleAnnotator(nlp),
        }
        times = time_rounds(annotators, docs, args.rounds)
    print(f"{'rules':<22}{'CPU s (rounds)':<40}{'median CPU':>11}{'median wall':>12}{'tokens/CPU s':>14}")
    for name, rounds in times.items():
        cpu = statistics.median(c for c, _ in rounds)
        wall = statistics.median(w for _, w in rounds)
        each = " ".join(f"{c:.2f}" for c, _ in rounds)
        print(f"{name:<22}{each:<40}{cpu:>11.2f}{wall:>12.2f}{words / cpu:>14,.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
