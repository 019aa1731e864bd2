"""Score the PLOVER event rules on synthetic stories (development data, local only) and on the project's own
sentence sets.

    .venv/bin/python benchmarks/events_plover.py                         # 4,500 stories + both sentence sets
    .venv/bin/python benchmarks/events_plover.py --limit 500 --seed 1    # a random 500 stories
    .venv/bin/python benchmarks/events_plover.py --n-process 2 --out /tmp/plover.json

What it measures: the event types ``toolkit preannotate --tasks events`` finds, run the way a user runs it
(stories written to a JSONL file, ``toolkit.convert.run.convert_records`` splitting them into sentence
records, ``toolkit.preannotate.run.preannotate_records`` with tasks=events), against:

- ``dev-data/plover-synthetic/``: 4,500 generated stories, each labelled with one PLOVER type and a mode for
  the whole story (CSV inside a zip, read with zipfile and csv; that folder's README: local evaluation only,
  nothing from it goes into the project). Only the story's ``text`` is annotated (its title holds
  placeholders). Skipped with a message when the folder is absent.
  * by story: the story's predicted types are the union over its sentences; the gold set is its one type.
    For each type T: a true positive when the gold type is T and T was predicted, a false positive for each
    predicted type other than the gold one, a false negative when the gold type was not predicted. Micro
    P/R/F1 over these counts, per-type P/R/F1, macro F1 over the types in gold. "first" accuracy: the first
    event in reading order has the gold type (a story with no event counts as wrong); "covered": stories with
    any event.
  * on the lead: the same, with the story's first sentence record as its only sentence.
  * per mode (the sub-type column): recall and first accuracy for every (type, mode).
  * confusions: for a story whose gold type was not predicted, one count per predicted type (or
    ``(nothing)``); extras: where no gold type was missed, one count per (gold type, extra type).
- ``tests/data/events_eval.jsonl``, ``events_eval_b.jsonl``, ``events_eval_c.jsonl``, ``events_eval_d.jsonl``:
  hand-written sentences with their gold event types (several or none per sentence), scored as multi-label
  classification per sentence with the same definitions (an empty gold set has no positives; every predicted
  type there is a false positive), plus the exact-set ratio. ``events_eval_c`` was written from the PLOVER
  definitions and scored once before the rules were tuned against it; ``events_eval_d`` (longer wire-style
  sentences) was written later and held out from tuning.
- ``annotations/gold/seed.jsonl``: the seed's adjudicated events, scored the same way (one annotation pass
  started from these rules' output, so this score flatters them).

Baseline: the numbers of an earlier run of this script; no other system is compared. All 4,500 stories
(about 925k words) take a few minutes on one process.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import random
import sys
import tempfile
import time
import zipfile
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson

from toolkit.benchmark.scoring import prf as scores_from_counts

ROOT = Path(__file__).resolve().parent.parent
SENTENCE_SETS = (
    ROOT / "tests" / "data" / "events_eval.jsonl",
    ROOT / "tests" / "data" / "events_eval_b.jsonl",
    ROOT / "tests" / "data" / "events_eval_c.jsonl",
    ROOT / "tests" / "data" / "events_eval_d.jsonl",
    # The seed's adjudicated gold: one pass started from these rules' output, so it flatters them.
    ROOT / "annotations" / "gold" / "seed.jsonl",
)
NOTHING = "(nothing)"


def default_data() -> Path:
    """``dev-data/plover-synthetic`` beside the project (``../shared``), or beside a worktree's parent."""
    for base in (ROOT.parent, ROOT.parent.parent):
        folder = base / "shared" / "dev-data" / "plover-synthetic"
        if folder.is_dir():
            return folder
    return ROOT.parent / "shared" / "dev-data" / "plover-synthetic"


# ------------------------------------------------------------------------------------------ reading


@dataclass
class Story:
    ident: str
    text: str
    label: str
    mode: str


def read_stories(folder: Path) -> list[Story]:
    """Every row of every CSV inside the folder's zip files, in file order."""
    stories = []
    for archive in sorted(folder.glob("*.zip")):
        with zipfile.ZipFile(archive) as bundle:
            for name in sorted(n for n in bundle.namelist() if n.endswith(".csv")):
                with bundle.open(name) as raw:
                    for row in csv.DictReader(io.TextIOWrapper(raw, encoding="utf-8", newline="")):
                        ident = f"story-{len(stories):05d}"
                        stories.append(Story(ident, row["text"], row["label"], row.get("mode") or ""))
    return stories


def read_sentence_set(path: Path) -> list[dict[str, Any]]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines() if line.strip()]


# ------------------------------------------------------------------------------------------ predicting


def story_predictions(stories: list[Story], *, n_process: int) -> dict[str, list[list[str]]]:
    """Per story, the event types of each sentence record in order (convert + preannotate, tasks=events)."""
    from toolkit.convert.run import convert_records
    from toolkit.jsonl import write_json_lines
    from toolkit.options import ConvertOptions, PreannotateOptions
    from toolkit.preannotate.run import preannotate_records

    found: dict[str, list[list[str]]] = defaultdict(list)
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "stories.jsonl"
        write_json_lines(source, ({"id": s.ident, "text": s.text} for s in stories))
        records = convert_records(sources=[source], options=ConvertOptions(format="jsonl"))
        options = PreannotateOptions(tasks=("events",), n_process=n_process)
        for record in preannotate_records(records, options=options):
            found[record.meta.doc_id].append([e.label for e in record.events])
    return found


def sentence_predictions(rows: list[dict[str, Any]], *, n_process: int) -> list[list[str]]:
    """Event types of each hand-written sentence, one record each (no re-segmentation)."""
    from toolkit.options import PreannotateOptions
    from toolkit.preannotate.run import preannotate_records
    from toolkit.record import Meta, Record

    options = PreannotateOptions(tasks=("events",), n_process=n_process)
    records = (
        Record(text=row["text"], meta=Meta(id=f"s:{i}", doc_id=f"s:{i}")) for i, row in enumerate(rows)
    )
    return [[e.label for e in r.events] for r in preannotate_records(records, options=options)]


# ------------------------------------------------------------------------------------------ scoring


def prf(tp: int, fp: int, fn: int) -> dict[str, float | int]:
    precision, recall, f1 = scores_from_counts(tp, tp + fp, tp + fn)
    return {
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "support": tp + fn,
    }


@dataclass
class LabelScores:
    """Multi-label counts over items (stories or sentences), each a gold set against a predicted set."""

    tp: Counter = field(default_factory=Counter)
    fp: Counter = field(default_factory=Counter)
    fn: Counter = field(default_factory=Counter)
    confusions: Counter = field(default_factory=Counter)
    extras: Counter = field(default_factory=Counter)
    items: int = 0
    exact: int = 0

    def add(self, gold: Iterable[str], predicted: Iterable[str]) -> None:
        gold_set, predicted_set = set(gold), set(predicted)
        self.items += 1
        self.exact += gold_set == predicted_set
        for label in gold_set & predicted_set:
            self.tp[label] += 1
        spurious, missed = sorted(predicted_set - gold_set), sorted(gold_set - predicted_set)
        for label in spurious:
            self.fp[label] += 1
        for label in missed:
            self.fn[label] += 1
            for other in spurious or [NOTHING]:
                self.confusions[(label, other)] += 1
        if not missed:
            for other in spurious:
                for label in sorted(gold_set) or ["(none)"]:
                    self.extras[(label, other)] += 1

    def result(self, *, top: int) -> dict[str, Any]:
        labels = sorted(set(self.tp) | set(self.fp) | set(self.fn))
        per_type = {label: prf(self.tp[label], self.fp[label], self.fn[label]) for label in labels}
        in_gold = [label for label in labels if self.tp[label] + self.fn[label]]
        macro = sum(per_type[label]["f1"] for label in in_gold) / len(in_gold) if in_gold else 0.0
        return {
            "items": self.items,
            "micro": prf(sum(self.tp.values()), sum(self.fp.values()), sum(self.fn.values())),
            "macro_f1": round(macro, 4),
            "exact_set": round(self.exact / self.items, 4) if self.items else 0.0,
            "per_type": per_type,
            "confusions": [
                {"gold": g, "predicted": p, "count": n} for (g, p), n in self.confusions.most_common(top)
            ],
            "extras": [{"gold": g, "extra": p, "count": n} for (g, p), n in self.extras.most_common(top)],
        }


def first_label(sentences: list[list[str]]) -> str | None:
    return next((labels[0] for labels in sentences if labels), None)


@dataclass
class StoryScores:
    story: LabelScores = field(default_factory=LabelScores)
    lead: LabelScores = field(default_factory=LabelScores)
    first_right: int = 0
    lead_first_right: int = 0
    covered: int = 0
    lead_covered: int = 0
    by_mode: dict[tuple[str, str], Counter] = field(default_factory=lambda: defaultdict(Counter))


def score_stories(stories: list[Story], predicted: dict[str, list[list[str]]]) -> StoryScores:
    scores = StoryScores()
    for story in stories:
        sentences = predicted.get(story.ident) or [[]]
        types = {label for labels in sentences for label in labels}
        lead = sentences[0]
        scores.story.add({story.label}, types)
        scores.lead.add({story.label}, lead)
        first, lead_first = first_label(sentences), first_label([lead])
        scores.first_right += first == story.label
        scores.lead_first_right += lead_first == story.label
        scores.covered += bool(types)
        scores.lead_covered += bool(lead)
        tally = scores.by_mode[(story.label, story.mode or "(none)")]
        tally["stories"] += 1
        tally["found"] += story.label in types
        tally["first"] += first == story.label
        tally["lead_found"] += story.label in lead
    return scores


def story_result(scores: StoryScores, *, top: int) -> dict[str, Any]:
    n = scores.story.items
    by_mode = [
        {
            "type": label,
            "mode": mode,
            "stories": c["stories"],
            "recall": round(c["found"] / c["stories"], 4),
            "first": round(c["first"] / c["stories"], 4),
            "lead_recall": round(c["lead_found"] / c["stories"], 4),
        }
        for (label, mode), c in sorted(scores.by_mode.items())
    ]
    return {
        "stories": n,
        "by_story": scores.story.result(top=top)
        | {"first_accuracy": round(scores.first_right / n, 4), "covered": round(scores.covered / n, 4)},
        "lead_sentence": scores.lead.result(top=top)
        | {
            "first_accuracy": round(scores.lead_first_right / n, 4),
            "covered": round(scores.lead_covered / n, 4),
        },
        "by_mode": by_mode,
    }


def score_sentences(rows: list[dict[str, Any]], predicted: list[list[str]], *, top: int) -> dict[str, Any]:
    scores = LabelScores()
    for row, labels in zip(rows, predicted, strict=True):
        scores.add({e["label"] for e in row.get("events") or []}, labels)
    return scores.result(top=top)


# ------------------------------------------------------------------------------------------ the run


def evaluate(
    folder: Path | None, *, limit: int | None, seed: int, n_process: int, top: int
) -> dict[str, Any]:
    result: dict[str, Any] = {"n_process": n_process, "seed": seed}
    for path in SENTENCE_SETS:
        rows = read_sentence_set(path)
        result[path.name] = score_sentences(rows, sentence_predictions(rows, n_process=n_process), top=top)
    if folder is None:
        return result
    stories = read_stories(folder)
    if limit is not None and limit < len(stories):
        stories = [stories[i] for i in sorted(random.Random(seed).sample(range(len(stories)), limit))]
    began = time.perf_counter()
    predicted = story_predictions(stories, n_process=n_process)
    result["plover_synthetic"] = {
        "data": str(folder),
        "words": sum(len(s.text.split()) for s in stories),
        "predict_seconds": round(time.perf_counter() - began, 1),
    } | story_result(score_stories(stories, predicted), top=top)
    return result


def _per_type_table(title: str, blocks: list[tuple[str, dict[str, Any]]]) -> Iterator[str]:
    labels = sorted({label for _, block in blocks for label in block["per_type"]})
    yield f"\n{title}"
    yield f"{'type':<12}" + "".join(f"{name:>26}" for name, _ in blocks)
    yield f"{'':<12}" + "".join(f"{'P     R     F1    n':>26}" for _ in blocks)
    for label in labels:
        cells = []
        for _, block in blocks:
            s = block["per_type"].get(label)
            cells.append(
                f"{s['precision']:>8.3f}{s['recall']:>6.3f}{s['f1']:>6.3f}{s['support']:>6}"
                if s
                else f"{'-':>26}"
            )
        yield f"{label:<12}" + "".join(cells)


def _headline(name: str, block: dict[str, Any]) -> str:
    m = block["micro"]
    extra = ""
    if "first_accuracy" in block:
        extra = f"  first {block['first_accuracy']:.3f}  covered {block['covered']:.3f}"
    return (
        f"{name:<22} n {block['items']:>5}  micro P {m['precision']:.3f} R {m['recall']:.3f} "
        f"F1 {m['f1']:.3f}  macro F1 {block['macro_f1']:.3f}  exact {block['exact_set']:.3f}{extra}"
    )


def print_report(result: dict[str, Any], *, top: int) -> None:
    sets = [(path.name, result[path.name]) for path in SENTENCE_SETS]
    dev = result.get("plover_synthetic")
    if dev:
        print(
            f"PLOVER synthetic: {dev['stories']:,} stories, {dev['words']:,} words; "
            f"preannotate took {dev['predict_seconds']} s on {result['n_process']} process(es)"
        )
        print(_headline("by story", dev["by_story"]))
        print(_headline("lead sentence", dev["lead_sentence"]))
    for name, block in sets:
        print(_headline(name, block))
    blocks = ([("story", dev["by_story"]), ("lead", dev["lead_sentence"])] if dev else []) + sets
    for line in _per_type_table("per type", blocks):
        print(line)
    for name, block in blocks:
        print(f"\nconfusions ({name}): missed gold type -> predicted instead")
        for row in block["confusions"][:top]:
            print(f"  {row['count']:>5}  {row['gold']:<14} -> {row['predicted']}")
        print(f"extras ({name}): found gold type (or none) + extra predicted type")
        for row in block["extras"][:top]:
            print(f"  {row['count']:>5}  {row['gold']:<14} + {row['extra']}")
    if dev:
        print(f"\n{'type':<12}{'mode':<16}{'stories':>8}{'recall':>8}{'first':>8}{'lead R':>8}")
        for row in dev["by_mode"]:
            print(
                f"{row['type']:<12}{row['mode']:<16}{row['stories']:>8}{row['recall']:>8.3f}"
                f"{row['first']:>8.3f}{row['lead_recall']:>8.3f}"
            )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--data", type=Path, default=None, help="the plover-synthetic folder (default: dev-data)"
    )
    parser.add_argument("--limit", type=int, default=None, help="score a random N stories (by --seed)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--n-process", type=int, default=1, help="spaCy processes for preannotate")
    parser.add_argument("--top", type=int, default=20, help="rows in the confusion lists")
    parser.add_argument("--out", type=Path, default=None, help="also write the whole report as JSON")
    args = parser.parse_args(argv)
    folder = args.data or default_data()
    if not any(folder.glob("*.zip")):
        print(
            f"events_plover: {folder} not found (development data is local only); sentence sets only",
            file=sys.stderr,
        )
        folder = None
    result = evaluate(folder, limit=args.limit, seed=args.seed, n_process=args.n_process, top=args.top)
    print_report(result, top=args.top)
    if args.out:
        args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"\nwrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
