"""Gold-like records for the packaging tests: the seed live blog with rule-made annotations; made-up news.

Real gold comes from people later (annotations/gold/); these records have its shape: tokens, entities with
token indices, quotes with content/speaker/cue, PLOVER events with triggers, stable ids, source offsets,
``answer`` and ``_annotator_id``.
"""

from __future__ import annotations

import hashlib
import random
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import orjson

TOKEN = re.compile(r"\w+(?:[-'’]\w+)*|[^\w\s]")
SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z“\"])")
ENTITY_PATTERNS: tuple[tuple[str, str], ...] = (
    ("Volodymyr Zelenskiy", "PERSON"),
    ("Joe Biden", "PERSON"),
    ("Kate Bedingfield", "PERSON"),
    ("Liz Truss", "PERSON"),
    ("Subrahmanyam Jaishankar", "PERSON"),
    ("White House", "ORG"),
    ("British High Commission", "ORG"),
    ("United States", "GPE"),
    ("Russia", "GPE"),
    ("Ukraine", "GPE"),
    ("Kyiv", "GPE"),
    ("Moscow", "GPE"),
    ("India", "GPE"),
    ("Thursday", "DATE"),
    ("Wednesday", "DATE"),
    ("Ukrainian", "NORP"),
    ("Russian", "NORP"),
    ("Bedingfield", "PERSON"),
    ("Biden", "PERSON"),
    ("Truss", "PERSON"),
)
EVENT_WORDS = {
    "sanctions": "SANCTION",
    "attacks": "ASSAULT",
    "invasion": "ASSAULT",
    "talks": "CONSULT",
    "aid": "AID",
    "agreed": "AGREE",
    "meeting": "CONSULT",
    "troops": "MOBILIZE",
    "accused": "ACCUSE",
}
WORDS = [
    "the",
    "minister",
    "said",
    "forces",
    "city",
    "talks",
    "sanctions",
    "village",
    "border",
    "army",
    "officials",
    "reported",
    "shelling",
    "night",
    "week",
    "agreement",
    "ceasefire",
    "convoy",
    "supplies",
    "region",
    "governor",
    "statement",
    "capital",
    "residents",
    "spokesperson",
    "power",
    "water",
    "bridge",
    "river",
    "station",
    "train",
    "refugees",
    "aid",
    "mayor",
    "council",
    "press",
    "briefing",
    "offensive",
]


def tokens_of(text: str) -> list[dict[str, Any]]:
    matches = list(TOKEN.finditer(text))
    tokens = []
    for i, m in enumerate(matches):
        following = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        tokens.append(
            {"text": m.group(), "start": m.start(), "end": m.end(), "id": i, "ws": following > m.end()}
        )
    return tokens


def _token_range(tokens: list[dict[str, Any]], start: int, end: int) -> tuple[int, int] | None:
    first = next((t["id"] for t in tokens if t["start"] == start), None)
    last = next((t["id"] for t in tokens if t["end"] == end), None)
    return (first, last) if first is not None and last is not None else None


def entities_of(text: str, tokens: list[dict[str, Any]]) -> list[dict[str, Any]]:
    taken: list[tuple[int, int]] = []
    spans = []
    for pattern, label in ENTITY_PATTERNS:  # longer names come first, so "Joe Biden" wins over "Biden"
        for m in re.finditer(re.escape(pattern), text):
            bounds = _token_range(tokens, m.start(), m.end())
            if bounds is None or any(m.start() < e and s < m.end() for s, e in taken):
                continue
            taken.append((m.start(), m.end()))
            spans.append(
                {
                    "start": m.start(),
                    "end": m.end(),
                    "label": label,
                    "token_start": bounds[0],
                    "token_end": bounds[1],
                    "source": "human:ann1",
                }
            )
    return sorted(spans, key=lambda s: s["start"])


def quotes_of(text: str, spans: list[dict[str, Any]]) -> list[dict[str, Any]]:
    cue = re.search(r"\bsaid\b", text)
    opened = re.search(r"“([^”\"]+)[”\"]", text)
    if cue is None and opened is None:
        return []
    quote: dict[str, Any] = {"kind": "direct" if opened else "indirect", "source": "human:ann1"}
    if opened:
        quote["content"] = {"start": opened.start(1), "end": opened.end(1)}
    elif cue is not None and cue.start() > 2:
        comma = text.rfind(",", 0, cue.start())
        if comma > 0:
            quote["content"] = {"start": 0, "end": comma}
    if cue is not None:
        quote["cue"] = {"start": cue.start(), "end": cue.end()}
        content = quote.get("content", {"start": 0, "end": 0})
        people = [
            s
            for s in spans
            if s["label"] in ("PERSON", "ORG")
            and s["end"] <= cue.start()
            and (s["end"] <= content["start"] or s["start"] >= content["end"])
        ]
        if people:
            quote["speaker"] = {"start": people[-1]["start"], "end": people[-1]["end"]}
    return [quote] if "content" in quote else []


def events_of(text: str) -> list[dict[str, Any]]:
    events = []
    for m in re.finditer(r"\w+", text):
        label = EVENT_WORDS.get(m.group().lower())
        if label:
            events.append(
                {"label": label, "trigger": {"start": m.start(), "end": m.end()}, "source": "human:ann1"}
            )
    return events


def make_record(
    *,
    doc_id: str,
    unit: int,
    text: str,
    start: int,
    paragraph: int,
    source: str,
    date: str = "2022-03-31",
    annotate: bool = True,
) -> dict[str, Any]:
    tokens = tokens_of(text)
    spans = entities_of(text, tokens) if annotate else []
    return {
        "text": text,
        "tokens": tokens,
        "spans": spans,
        "quotes": quotes_of(text, spans) if annotate else [],
        "events": events_of(text) if annotate else [],
        "meta": {
            "id": f"{doc_id}:{unit}",
            "doc_id": doc_id,
            "unit": unit,
            "start": start,
            "end": start + len(text),
            "date": date,
            "source": source,
            "text_sha256": hashlib.sha256(text.encode()).hexdigest(),
            "paragraph": paragraph,
        },
        "answer": "accept",
        "_annotator_id": "ann1",
    }


def document_records(
    text: str, *, doc_id: str, source: str, date: str = "2022-03-31"
) -> list[dict[str, Any]]:
    """One record per sentence; paragraphs are the lines of the text, numbered from 0."""
    records: list[dict[str, Any]] = []
    line_start = paragraph = 0
    for line in text.split("\n"):
        offset = 0
        for piece in SENTENCE_END.split(line):
            stripped = piece.strip()
            if stripped:
                start = line.index(stripped, offset)
                records.append(
                    make_record(
                        doc_id=doc_id,
                        unit=len(records),
                        text=stripped,
                        start=line_start + start,
                        paragraph=paragraph,
                        source=source,
                        date=date,
                    )
                )
                offset = start + len(stripped)
        paragraph += bool(line.strip())
        line_start += len(line) + 1
    return records


def seed_gold(seed_path: Path) -> list[dict[str, Any]]:
    """The shipped live blog as gold-like records (sentence units, paragraph numbers, rule annotations)."""
    text = seed_path.read_text(encoding="utf-8")
    return document_records(text, doc_id=seed_path.stem, source=f"seeds/{seed_path.name}")


def synthetic_text(rng: random.Random, *, sentences: int = 6, words: int = 14) -> str:
    lines = []
    for _ in range(sentences):
        body = " ".join(rng.choice(WORDS) for _ in range(words))
        lines.append(body[0].upper() + body[1:] + " in Kyiv on Thursday.")
    return "\n".join(lines)


def synthetic_documents(count: int, *, seed: int = 7, first: int = 0) -> list[dict[str, Any]]:
    """``count`` made-up documents (doc-0000, ...), each a few paragraphs of one sentence."""
    records = []
    for number in range(first, first + count):
        rng = random.Random(seed * 100_003 + number)
        doc_id = f"doc-{number:04d}"
        records += document_records(synthetic_text(rng), doc_id=doc_id, source=f"{doc_id}.txt")
    return records


def write_jsonl(path: Path, records: Iterable[dict[str, Any]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in records))
    return path
