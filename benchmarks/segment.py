"""Sentence segmentation speed and accuracy: toolkit.convert.segment against spaCy's sentencizer and pySBD.

Run by hand from the repository root:  .venv/bin/python benchmarks/segment.py [--words 1000000]

The corpus is the seed document repeated with variation (paragraphs shuffled, weekdays, numbers and names
swapped per copy) until it holds at least ``--words`` white-space separated words, with the test cases'
texts mixed in so abbreviations, lists and quotes occur throughout. Every tool gets the same paragraphs.
"""

from __future__ import annotations

import argparse
import gc
import random
import re
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "000_0e2087f0584c9a21.txt"
CASES = ROOT / "tests" / "data" / "segment_cases.jsonl"
sys.path.insert(0, str(ROOT))

from toolkit.convert.segment import segment_sentences, split_paragraphs  # noqa: E402

WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
NAMES = ["Kirby", "Truss", "Biden", "Fleming", "Kadyrov", "Bachelet", "Klitschko", "Arakhamia"]


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


# ------------------------------------------------------------------------------------------ the three tools


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


def timed(run: Callable[[list[str]], int], paragraphs: list[str], runs: int) -> tuple[float, int]:
    """Median seconds over ``runs`` runs, and the number of sentences found.

    As ``timeit`` does, the garbage collector is off while a run is timed, so no tool pays for collecting
    the objects another one (spaCy's vocabulary, the corpus) left on the heap.
    """
    seconds = []
    found = 0
    for _ in range(runs):
        gc.collect()
        gc.disable()
        try:
            began = time.perf_counter()
            found = run(paragraphs)
            seconds.append(time.perf_counter() - began)
        finally:
            gc.enable()
    return statistics.median(seconds), found


# ------------------------------------------------------------------------------------------ accuracy


def accuracy(cases: list[dict], split: Callable[[str], list[str]]) -> int:
    """Cases whose sentences come out exactly as expected (outer white space ignored)."""
    passed = 0
    for case in cases:
        got = [s.strip() for s in split(case["text"]) if s.strip()]
        passed += got == case["sentences"]
    return passed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=1_000_000, help="corpus size in words (default 1M)")
    parser.add_argument("--pysbd-words", type=int, default=50_000, help="slice pySBD runs on (extrapolated)")
    parser.add_argument("--runs", type=int, default=3, help="runs per fast tool; the median is reported")
    args = parser.parse_args()

    cases = load_cases()
    paragraphs = build_corpus(args.words, cases)
    words = sum(len(p.split()) for p in paragraphs)
    sbd_paragraphs, sbd_words = [], 0
    for p in paragraphs:
        if sbd_words >= args.pysbd_words:
            break
        sbd_paragraphs.append(p)
        sbd_words += len(p.split())
    characters = sum(map(len, paragraphs))
    print(f"corpus: {words:,} words, {len(paragraphs):,} paragraphs, {characters:,} characters")

    sentencizer = make_sentencizer()
    pysbd_run = make_pysbd()
    rows = []
    t, n = timed(ours, paragraphs, args.runs)
    rows.append(("toolkit.convert.segment", words / t, t, n, f"median of {args.runs} on {words:,} words"))
    t, n = timed(sentencizer, paragraphs, args.runs)
    rows.append(("spaCy sentencizer", words / t, t, n, f"median of {args.runs} on {words:,} words"))
    t, n = timed(pysbd_run, sbd_paragraphs, 1)
    rows.append(("pySBD", sbd_words / t, t, n, f"1 run on a {sbd_words:,}-word slice, extrapolated"))

    print(f"\n{'tool':<20}{'words/s':>14}{'seconds':>10}{'sentences':>11}  how measured")
    for name, rate, seconds, found, how in rows:
        print(f"{name:<20}{rate:>14,.0f}{seconds:>10.2f}{found:>11,}  {how}")
    ours_rate = rows[0][1]
    print(
        f"\nspeed ratio: toolkit.convert.segment is {ours_rate / rows[1][1]:.1f}x spaCy sentencizer, "
        f"{ours_rate / rows[2][1]:.1f}x pySBD"
    )

    nlp = sentencizer.nlp  # type: ignore[attr-defined]
    segmenter = pysbd_run.segmenter  # type: ignore[attr-defined]
    scores = [
        ("toolkit.convert.segment", accuracy(cases, lambda t: [t[s:e] for s, e in segment_sentences(t)])),
        ("spaCy sentencizer", accuracy(cases, lambda t: [s.text for s in nlp(t).sents])),
        ("pySBD", accuracy(cases, segmenter.segment)),
    ]
    print(f"\naccuracy on the {len(cases)} cases in {CASES.relative_to(ROOT)} (exact sentence lists):")
    for name, passed in scores:
        print(f"{name:<20}{passed:>4} / {len(cases)}  ({passed / len(cases):.1%})")


if __name__ == "__main__":
    main()
