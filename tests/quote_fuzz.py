"""Quote-heavy synthetic news text for fuzzing the pre-annotator: every record it writes must validate.

Sentences are built from templates of reported speech (direct, indirect, interrupted, fronted, nested, run on
over several sentences, "according to") and then roughed up the way scraped news is: curly, straight,
guillemet and doubled marks, marks lost or stray, marks glued to words, non-breaking and doubled spaces,
emoji and non-Latin names, sentences of one word or of hundreds. All text is written here.

The generator asks a ``Chooser`` for every decision, so the same code runs under hypothesis (which can then
shrink a failing document) and from a seeded ``random.Random`` for a large run by hand:

    .venv/bin/python tests/quote_fuzz.py 20000        # documents; prints the count of validate findings
"""

from __future__ import annotations

import random
import sys
from collections.abc import Sequence
from typing import Any, Protocol, TypeVar

from toolkit.record import Meta, Record, record_id

T = TypeVar("T")

SPEAKERS = (
    "the minister",
    "Ana Kovač",
    "he",
    "she",
    "they",
    "officials",
    "a spokesperson for the ministry",
    "Zoë O’Brien, the mayor of Lakeside,",
    "Prime Minister Jean-Luc Moreau",
    "Li Wei",
    "the Kremlin",
    "Dr. Amara Okafor",
    "the statement",
    "it",
    "Sen. Tom Hardy (R-Ore.)",
    "Маріанна Коваленко",
)
CUES = (
    "said",
    "told reporters",
    "told The Daily Ledger in 2019",
    "added",
    "warned",
    "insisted",
    "wrote on social media",
    "argued",
    "said on Tuesday",
    "was quoted as saying",
    "believes",
    "claimed",
    "explained",
    "noted",
    "says",
)
CLAUSES = (
    "the talks had failed",
    "we will not give up our land",
    "prices would rise by 5 percent next year",
    "the bridge was closed after the storm",
    "nobody knows what happens next",
    "it is a good day for the city 🎉",
    "the vote will go ahead as planned",
    "the plan, which critics call reckless, will cost $4bn",
    "I have never met him",
    "this is not the end",
    "the army pulled back from the river",
    "Kyiv and Warsaw signed the deal",
    "the well-known café on Rue Saint-Honoré stays open",
    "ça ne change rien",
    "there were 12 dead and 40 wounded",
    "the company’s profits fell in the ’90s",
    "she didn't say 'yes' or 'no'",
)
MARKS = (("“", "”"), ('"', '"'), ("‘", "’"), ("«", "»"), ("„", "“"), ("``", "''"), ("‹", "›"), ("'", "'"))
STRAYS = ("“", "”", '"', "'", "‘", "’", "«", "»", "„", "``", "''")
FILLERS = ("🇺🇦", "💪", "—", "–", "…", "(AP)", "[sic]", "\u00a0", "  ", "\t", "#Breaking", "@newsdesk", "½")


class Chooser(Protocol):
    def choice(self, items: Sequence[T]) -> T: ...

    def integer(self, low: int, high: int) -> int: ...

    def boolean(self, probability: float = 0.5) -> bool: ...


class RandomChooser:
    """Choices from a seeded ``random.Random``."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def choice(self, items: Sequence[T]) -> T:
        return items[self.rng.randrange(len(items))]

    def integer(self, low: int, high: int) -> int:
        return self.rng.randint(low, high)

    def boolean(self, probability: float = 0.5) -> bool:
        return self.rng.random() < probability


class DrawChooser:
    """Choices drawn by hypothesis, so a failing document shrinks."""

    def __init__(self, draw: Any) -> None:
        from hypothesis import strategies as st

        self.draw, self.st = draw, st

    def choice(self, items: Sequence[T]) -> T:
        return self.draw(self.st.sampled_from(items))

    def integer(self, low: int, high: int) -> int:
        return self.draw(self.st.integers(low, high))

    def boolean(self, probability: float = 0.5) -> bool:
        return self.draw(self.st.integers(0, 99)) < probability * 100


def _clause(c: Chooser) -> str:
    clause = c.choice(CLAUSES)
    if c.boolean(0.2):
        clause = f"{clause} and {c.choice(CLAUSES)}"
    return clause[0].upper() + clause[1:] if c.boolean(0.7) else clause


def _marks(c: Chooser) -> tuple[str, str]:
    return c.choice(MARKS)


def sentence(c: Chooser) -> list[str]:
    """One or more sentences of reported speech (several when a quote runs on)."""
    o, q = _marks(c)
    s, v = c.choice(SPEAKERS), c.choice(CUES)
    a, b = _clause(c), _clause(c)
    io, iq = _marks(c)
    template = c.integer(0, 13)
    if template == 0:
        return [f"{o}{a},{q} {s} {v}."]
    if template == 1:
        return [f"{s.capitalize()} {v} that {a.lower()}."]
    if template == 2:
        return [f"{a}, {s} {v}, {b.lower()}."]
    if template == 3:
        return [f"{o}{a},{q} {s} {v}, {o}{b.lower()}.{q}"]
    if template == 4:
        return [f"{s.capitalize()} {v}: {o}{a}.{q}"]
    if template == 5:
        return [f"According to {s}, {a.lower()}."]
    if template == 6:
        return [f"{o}{a} {io}{b}{iq} and more,{q} {s} {v}."]
    if template == 7:
        return [f"{o}{a}.", f"{b}.", f"{_clause(c)},{q} {s} {v}."]
    if template == 8:
        return [f"{s.capitalize()} {v} the plan would {o}{b.lower()}{q} and cost jobs."]
    if template == 9:
        return [", and ".join(_clause(c) for _ in range(c.integer(20, 60))) + f", {s} {v}."]
    if template == 10:
        return [c.choice(("“", '"', "”", "''", "Yes.”", "“No", '" he said', "said.", "“”", ".", "—"))]
    if template == 11:
        return [f"{o}{a},{q} {v} {s}, {o}{b}{q}"]
    if template == 12:
        return [f"{s.capitalize()}, {v} {a.lower()}, which {s} {v} {b.lower()}."]
    words = [c.choice(CLAUSES + SPEAKERS + CUES + STRAYS + FILLERS) for _ in range(c.integer(1, 25))]
    return [" ".join(words)]


def roughen(text: str, c: Chooser) -> str:
    """Lose, add, glue and swap marks and spaces the way scraped text does."""
    for _ in range(c.integer(0, 3)):
        action = c.integer(0, 5)
        if not text:
            break
        at = c.integer(0, len(text) - 1)
        if action == 0:
            text = text[:at] + c.choice(STRAYS) + text[at:]
        elif action == 1 and text[at] in "“”\"'‘’«»„":
            text = text[:at] + text[at + 1 :]
        elif action == 2 and text[at] == " ":
            text = text[:at] + text[at + 1 :]  # glue a mark or a word to the next one
        elif action == 3:
            text = text[:at] + c.choice(FILLERS) + text[at:]
        elif action == 4:
            text = text.replace("“", '"').replace("”", '"')
    return text


def document(c: Chooser, doc_id: str, max_sentences: int = 6) -> list[Record]:
    """The sentence records of one synthetic document (blank sentences are left out, as convert does)."""
    texts: list[str] = []
    for _ in range(c.integer(1, max_sentences)):
        texts.extend(roughen(t, c) if c.boolean(0.6) else t for t in sentence(c))
    texts = [t.strip() for t in texts if t.strip()]
    return [
        Record(text=text, meta=Meta(id=record_id(doc_id, unit), doc_id=doc_id, unit=unit))
        for unit, text in enumerate(texts)
    ]


def documents(count: int, seed: int = 0) -> list[Record]:
    chooser = RandomChooser(seed)
    return [record for n in range(count) for record in document(chooser, f"fuzz{n}")]


def main(argv: list[str]) -> int:
    """Pre-annotate ``count`` documents (all tasks), validate what comes out, print the counts."""
    import tempfile
    from pathlib import Path

    from toolkit.jsonl import write_records
    from toolkit.preannotate.run import preannotate_records
    from toolkit.review.validate import validate

    count = int(argv[0]) if argv else 1000
    seed = int(argv[1]) if len(argv) > 1 else 0
    records = documents(count, seed)
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "fuzz.jsonl"
        written = list(preannotate_records(records))
        write_records(out, written)
        report = validate(paths=[out])
    quote_count = sum(len(r.quotes) for r in written)
    print(f"{count} documents, {len(records)} records, {quote_count} quote pieces: {report.counts}")
    print(f"rules: {report.rule_counts}")
    for finding in report.findings[:20]:
        print(finding)
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
