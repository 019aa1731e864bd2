"""Score the quote pre-annotator on a hand-written evaluation set, or on a brat attribution corpus.

    .venv/bin/python benchmarks/quotes_eval.py [--verbose] [SET.jsonl]
    .venv/bin/python benchmarks/quotes_eval.py --brat FOLDER      # DOC.txt + DOC.ann (PolNeAR/PARC-style)

benchmarks/data/quotes_eval.jsonl holds one small document a line: its sentences (one record each) and the
expected quotes as substrings of their sentence (content, speaker, cue). Direct content includes its quote
marks; indirect content includes a leading "that" and leaves out the final full stop (PARC/PolNeAR style).
Content is scored exactly and with overlap: a prediction matches a gold quote in the same sentence when
their shared characters are at least 0.3 of the longer of the two (one-to-one, greedy).

With --brat, each ``DOC.txt`` is split into sentence records with the toolkit's segmenter, pre-annotated, and
scored per document against the ``Content`` spans of ``DOC.ann``, piece by piece: each fragment of a
discontinuous gold content is an item, and so is each content piece of a predicted quote (a quote interrupted
by "he said", or continued in the next sentence, is several pieces on both sides). ``quotes_polnear.py``
scores whole attributions instead.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

EVAL_SET = Path(__file__).resolve().parent / "data" / "quotes_eval.jsonl"
OVERLAP = 0.3


def eval_documents(path: Path = EVAL_SET) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def eval_records(documents: list[dict[str, Any]]) -> Iterator[Any]:
    """One record per sentence, documents kept apart by doc_id."""
    from toolkit.record import Meta, Record, record_id

    for document in documents:
        for unit, sentence in enumerate(document["sentences"]):
            doc_id = document["id"]
            yield Record(text=sentence, meta=Meta(id=record_id(doc_id, unit), doc_id=doc_id, unit=unit))


def _span(text: str, part: str | None) -> tuple[int, int] | None:
    if part is None:
        return None
    start = text.index(part)
    return start, start + len(part)


def _overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    shared = min(a[1], b[1]) - max(a[0], b[0])
    return shared > 0 and shared >= OVERLAP * max(a[1] - a[0], b[1] - b[0])


def _match(gold: list[dict[str, Any]], predicted: list[dict[str, Any]], exact: bool) -> list[tuple[int, int]]:
    pairs: list[tuple[int, int]] = []
    used: set[int] = set()
    for g, item in enumerate(gold):
        for p, guess in enumerate(predicted):
            if p in used:
                continue
            same = (
                guess["content"] == item["content"] if exact else _overlaps(guess["content"], item["content"])
            )
            if same:
                pairs.append((g, p))
                used.add(p)
                break
    return pairs


def _prf(tp: int, n_pred: int, n_gold: int) -> dict[str, float]:
    precision = tp / n_pred if n_pred else 0.0
    recall = tp / n_gold if n_gold else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 3), "recall": round(recall, 3), "f1": round(f1, 3)}


def score(documents: list[dict[str, Any]], records: list[Any]) -> dict[str, Any]:
    """Content P/R/F1 (exact and overlap), and speaker/cue accuracy on overlap-matched quotes."""
    by_id = {r.meta.id: r for r in records}
    counts = {"gold": 0, "predicted": 0, "exact": 0, "overlap": 0, "speaker": 0, "cue": 0}
    misses: list[str] = []
    for document in documents:
        for unit, sentence in enumerate(document["sentences"]):
            record = by_id[f"{document['id']}:{unit}"]
            gold = [
                {k: _span(sentence, g[k]) for k in ("content", "speaker", "cue")}
                for i, g in document["quotes"]
                if i == unit
            ]
            predicted = [
                {
                    k: (getattr(q, k).start, getattr(q, k).end) if getattr(q, k) else None
                    for k in ("content", "speaker", "cue")
                }
                for q in record.quotes
            ]
            counts["gold"] += len(gold)
            counts["predicted"] += len(predicted)
            counts["exact"] += len(_match(gold, predicted, exact=True))
            matched = _match(gold, predicted, exact=False)
            counts["overlap"] += len(matched)
            for g, p in matched:
                counts["speaker"] += gold[g]["speaker"] == predicted[p]["speaker"]
                counts["cue"] += gold[g]["cue"] == predicted[p]["cue"]
            if len(matched) < max(len(gold), len(predicted)):
                shown = [sentence[q["content"][0] : q["content"][1]] for q in predicted]
                misses.append(f"{document['id']}:{unit}: expected {len(gold)}, found {shown}")
    return {
        "sentences": sum(len(d["sentences"]) for d in documents),
        "gold_quotes": counts["gold"],
        "predicted_quotes": counts["predicted"],
        "content_exact": _prf(counts["exact"], counts["predicted"], counts["gold"]),
        "content_overlap": _prf(counts["overlap"], counts["predicted"], counts["gold"]),
        "speaker_accuracy": round(counts["speaker"] / counts["overlap"], 3) if counts["overlap"] else 0.0,
        "cue_accuracy": round(counts["cue"] / counts["overlap"], 3) if counts["overlap"] else 0.0,
        "misses": misses,
    }


def brat_contents(ann: Path) -> list[tuple[int, int]]:
    """Character spans of every Content fragment in a brat standoff file."""
    spans = []
    for line in ann.read_text(encoding="utf-8").splitlines():
        fields = line.split("\t")
        if len(fields) < 2 or not fields[0].startswith("T") or not fields[1].startswith("Content "):
            continue
        for fragment in fields[1].split(" ", 1)[1].split(";"):
            start, end = fragment.split()
            spans.append((int(start), int(end)))
    return spans


def document_predictions(text: str) -> list[tuple[int, int]]:
    """Content pieces (document offsets) the toolkit finds in one document."""
    from toolkit.convert.segment import segment_sentences
    from toolkit.options import PreannotateOptions
    from toolkit.preannotate.run import preannotate_records
    from toolkit.record import Meta, Record

    records = [
        Record(
            text=text[start:end], meta=Meta(id=f"doc:{unit}", doc_id="doc", unit=unit, start=start, end=end)
        )
        for unit, (start, end) in enumerate(segment_sentences(text))
    ]
    spans = []
    for record in preannotate_records(records, options=PreannotateOptions(tasks=("quotes",))):
        base = record.meta.start or 0
        spans.extend((base + q.content.start, base + q.content.end) for q in record.quotes if q.content)
    return sorted(spans)


def run_brat(folder: Path) -> dict[str, Any]:
    counts = {"gold": 0, "predicted": 0, "exact": 0, "overlap": 0}
    documents = 0
    for ann in sorted(folder.glob("**/*.ann")):
        text_path = ann.with_suffix(".txt")
        if not text_path.is_file():
            continue
        documents += 1
        gold = [{"content": span} for span in brat_contents(ann)]
        predicted = [
            {"content": span} for span in document_predictions(text_path.read_text(encoding="utf-8"))
        ]
        counts["gold"] += len(gold)
        counts["predicted"] += len(predicted)
        counts["exact"] += len(_match(gold, predicted, exact=True))
        counts["overlap"] += len(_match(gold, predicted, exact=False))
    return {
        "documents": documents,
        "gold_contents": counts["gold"],
        "predicted_contents": counts["predicted"],
        "content_exact": _prf(counts["exact"], counts["predicted"], counts["gold"]),
        "content_overlap": _prf(counts["overlap"], counts["predicted"], counts["gold"]),
    }


def run(path: Path = EVAL_SET) -> dict[str, Any]:
    from toolkit.options import PreannotateOptions
    from toolkit.preannotate.run import preannotate_records

    documents = eval_documents(path)
    options = PreannotateOptions(tasks=("quotes",))
    records = list(preannotate_records(eval_records(documents), options=options))
    return score(documents, records)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--verbose", "-v", action="store_true", help="list the sentences scored wrong")
    parser.add_argument("path", nargs="?", type=Path, default=EVAL_SET, help="an evaluation set (JSONL)")
    parser.add_argument(
        "--brat", type=Path, metavar="FOLDER", help="score on DOC.txt + DOC.ann files instead"
    )
    args = parser.parse_args(argv)
    if args.brat:
        print(json.dumps(run_brat(args.brat), indent=2))
        return 0
    result = run(args.path)
    misses = result.pop("misses")
    print(json.dumps(result, indent=2))
    if args.verbose:
        print("\n".join(misses), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
