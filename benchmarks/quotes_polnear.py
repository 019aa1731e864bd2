"""Score the quote pre-annotator on PolNeAR's attribution annotations (development data, local only).

    .venv/bin/python benchmarks/quotes_polnear.py                       # all 840 articles
    .venv/bin/python benchmarks/quotes_polnear.py --limit 50 --seed 1   # a random 50, for a quick look
    .venv/bin/python benchmarks/quotes_polnear.py --n-process 2 --out /tmp/polnear.json

What it measures: how well ``toolkit preannotate --tasks quotes`` finds attributions in US political news, run
the way a user runs it (``toolkit.convert.run.convert_records`` with the txt reader, then
``toolkit.preannotate.run.preannotate_records`` with tasks=quotes), against the gold of
``dev-data/polnear-train/`` (PolNeAR, brat standoff; see that folder's README: local evaluation only, nothing
from it goes into the project). When the folder is absent the script says so and exits 0.

The gold is read by the small brat parser below (independent of the toolkit's brat reader): ``T`` lines with
``start end;start end`` fragments, ``E`` lines tying Source, Cue and Content (``Content2`` is more content)
into one attribution; an attribution without content is counted and left out. Articles annotated twice are
scored against one annotator, picked by ``--seed`` and the article's name (the same pick on every run).

Scoring, as PARC 3.0 / PolNeAR evaluations do it, with every span taken as the set of characters it covers
(so a discontinuous gold content is its pieces, not the hull; the pieces of a quote the toolkit links across
sentences are joined the same way; fragments with only white space between them count as one):

- content: a prediction and a gold attribution match when the characters they share are at least a threshold
  of the longer of the two (0.3 lenient, 0.8 strict, 1.0 exact); one-to-one within an article, best overlap
  first. Precision, recall and F1 over all attributions, and over direct quotes only. A secondary view
  ("pieces") scores each run of content on its own instead: gold content interrupted by "he said" becomes two
  items, and so do two quotes the toolkit did not link; it shows how much the joining convention costs.
- direct quote: content whose text (first piece's start to last piece's end, outer white space ignored) opens
  and closes with a double quote mark (" “ ” „ « », or the '' and `` some wire copy uses); mixed: not direct
  but holding such a mark; indirect: no mark. The same textual rule sorts gold and predictions, so the direct
  score does not trust the toolkit's own ``kind``; recall per gold kind and precision per predicted kind
  (textual, and the toolkit's own) come from the all-attribution pairing.
- speaker and cue, over the pairs matched at 0.3: exact (same characters) and overlap (at least one shared
  character, as the Gender Gap Tracker scores speakers); both absent counts as a match. "full" is content at
  0.3 plus overlapping speaker and cue.
- per cue lemma: gold cues and predicted cues lemmatised by spaCy (the cue text alone: its first verb's lemma,
  else its root's), recall and precision per lemma.
- misses and false alarms at 0.3, counted by cue lemma and by pattern (kind, order of source/cue/content, no
  source, split content, content over several sentences), each with why: nothing overlaps, an overlap below
  0.3, or the overlapping item was paired with another.

Baseline: the numbers printed by an earlier run of this script (see the project's issue tracker); there is no
other system in the comparison. The whole folder (840 articles, about 624k words) takes a few minutes on one
process; ``--n-process 2`` runs spaCy on two.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from toolkit.benchmark.scoring import prf as scores_from_counts

ROOT = Path(__file__).resolve().parent.parent
THRESHOLDS = (0.3, 0.8, 1.0)
LENIENT = 0.3
# Double quote marks, and the two-apostrophe marks some wire copy uses instead (''like this'').
DOUBLE_MARKS = ('"', "“", "”", "„", "«", "»", "‟", "''", "``")
ROLES = ("source", "cue", "content")

Fragments = tuple[tuple[int, int], ...]


def default_data() -> Path:
    """``dev-data/polnear-train`` beside the project (``../shared``), or beside a worktree's parent."""
    for base in (ROOT.parent, ROOT.parent.parent):
        folder = base / "shared" / "dev-data" / "polnear-train"
        if folder.is_dir():
            return folder
    return ROOT.parent / "shared" / "dev-data" / "polnear-train"


# ------------------------------------------------------------------------------------------ spans


def length(spans: Fragments) -> int:
    return sum(end - start for start, end in spans)


def shared(a: Fragments, b: Fragments) -> int:
    """Characters covered by both (each side's fragments are disjoint)."""
    return sum(max(0, min(e1, e2) - max(s1, s2)) for s1, e1 in a for s2, e2 in b)


def overlap_score(a: Fragments, b: Fragments) -> float:
    """Shared characters over the longer of the two: 1.0 only for identical character sets."""
    longest = max(length(a), length(b))
    return shared(a, b) / longest if longest else 0.0


def merged(spans: Iterable[tuple[int, int]]) -> Fragments:
    """Sorted, non-empty, non-overlapping fragments (touching ones joined)."""
    out: list[list[int]] = []
    for start, end in sorted(s for s in spans if s[1] > s[0]):
        if out and start <= out[-1][1]:
            out[-1][1] = max(out[-1][1], end)
        else:
            out.append([start, end])
    return tuple((s, e) for s, e in out)


def text_kind(text: str, spans: Fragments) -> str:
    """direct / mixed / indirect by quote marks, as the module docstring defines them."""
    if not spans:
        return "indirect"
    whole = text[spans[0][0] : spans[-1][1]].strip()
    if len(whole) >= 3 and whole.startswith(DOUBLE_MARKS) and whole.endswith(DOUBLE_MARKS):
        return "direct"
    if any(mark in text[start:end] for start, end in spans for mark in DOUBLE_MARKS):
        return "mixed"
    return "indirect"


# ------------------------------------------------------------------------------------------ gold (brat)

T_LINE = re.compile(r"^(T\d+)\t(\S+) (\d+ \d+(?:;\d+ \d+)*)\t(.*)$")
E_LINE = re.compile(r"^(E\d+)\t(.*)$")


@dataclass
class Attribution:
    """One attribution (gold or predicted) in document offsets."""

    ident: str
    content: Fragments
    source: Fragments = ()
    cue: Fragments = ()
    kind: str = ""  # textual kind, filled in once the text is known
    tool_kind: str | None = None  # the toolkit's own kind, predictions only
    lemma: str = ""
    sentences: int = 1


@dataclass
class GoldFile:
    attributions: list[Attribution] = field(default_factory=list)
    without_content: int = 0
    offset_mismatches: int = 0


def parse_brat(ann: str, text: str | None = None) -> GoldFile:
    """Attributions of one brat file: E lines joining T lines by role; ``Content2`` adds to the content.

    With ``text``, single-fragment T lines whose quoted text differs from the document are counted."""
    spans: dict[str, Fragments] = {}
    events: list[tuple[str, list[tuple[str, str]]]] = []
    gold = GoldFile()
    for line in ann.splitlines():
        if found := T_LINE.match(line):
            ident, _, fragments, quoted = found.groups()
            pairs = [tuple(map(int, piece.split())) for piece in fragments.split(";")]
            spans[ident] = merged(pairs)  # type: ignore[arg-type]
            if text is not None and len(pairs) == 1 and text[pairs[0][0] : pairs[0][1]] != quoted:
                gold.offset_mismatches += 1
        elif found := E_LINE.match(line):
            args = [tuple(arg.split(":", 1)) for arg in found.group(2).split() if ":" in arg]
            events.append((found.group(1), args))  # type: ignore[arg-type]
    for ident, args in events:
        roles: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for role, target in args:
            name = role.rstrip("0123456789").lower()
            if name in ROLES and target in spans:
                roles[name].extend(spans[target])
        if not roles["content"]:
            gold.without_content += 1
            continue
        gold.attributions.append(
            Attribution(
                ident=ident,
                content=merged(roles["content"]),
                source=merged(roles["source"]),
                cue=merged(roles["cue"]),
            )
        )
    return gold


@dataclass
class Article:
    name: str
    text_path: Path
    ann_path: Path
    annotators: list[str]


def find_articles(folder: Path, *, seed: int) -> list[Article]:
    """Every article with at least one annotation file; the annotator picked by seed and name."""
    by_name: dict[str, list[str]] = defaultdict(list)
    for ann in (folder / "attributions").glob("*.ann"):
        name, _, annotator = ann.stem.rpartition("_")
        by_name[name].append(annotator)
    articles = []
    for text_path in sorted((folder / "text").glob("*.txt")):
        annotators = sorted(by_name.get(text_path.stem, []))
        if not annotators:
            continue
        chosen = random.Random(f"{seed}:{text_path.stem}").choice(annotators)
        ann_path = folder / "attributions" / f"{text_path.stem}_{chosen}.ann"
        articles.append(Article(text_path.stem, text_path, ann_path, annotators))
    return articles


def read_text(path: Path) -> str:
    # Bytes decoded as they are: no newline translation, so offsets stay those of the file.
    return path.read_bytes().decode("utf-8")


# ------------------------------------------------------------------------------------------ predictions


@dataclass
class Predicted:
    sentences: list[tuple[int, int]] = field(default_factory=list)
    attributions: list[Attribution] = field(default_factory=list)
    misplaced_records: int = 0


@dataclass
class RuleTime:
    """Time spent in the quote rules alone (``analyse_quotes`` in the pipeline, linking in the parent)."""

    analyse: float = 0.0
    link: float = 0.0
    sentences: int = 0


def predict(
    paths: list[Path],
    texts: dict[str, str],
    *,
    n_process: int,
    parse_cache: Path | None = None,
    rule_time: RuleTime | None = None,
) -> dict[str, Predicted]:
    """Run convert (txt reader) + preannotate (quotes) on the files; quotes in document offsets, the pieces
    of one linked quote joined by its id. With ``parse_cache``, spaCy's parse comes from that folder (made
    on the first run) and only the quote rules run again."""
    from toolkit.convert.run import convert_records
    from toolkit.options import ConvertOptions, PreannotateOptions
    from toolkit.preannotate.run import preannotate_records

    records = list(convert_records(sources=[str(p) for p in paths], options=ConvertOptions(format="txt")))
    options = PreannotateOptions(tasks=("quotes",), n_process=n_process)
    if parse_cache is not None:
        annotated = preannotate_cached(records, parse_cache, rule_time or RuleTime())
    else:
        annotated = preannotate_records(records, options=options)
    return collect(annotated, texts)


def collect(annotated: Iterable[Any], texts: dict[str, str]) -> dict[str, Predicted]:
    out: dict[str, Predicted] = defaultdict(Predicted)
    pieces: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)
    for record in annotated:
        doc = record.meta.doc_id
        base = record.meta.start or 0
        found = out[doc]
        found.sentences.append((base, base + len(record.text)))
        if texts[doc][base : base + len(record.text)] != record.text:
            found.misplaced_records += 1
        for number, quote in enumerate(record.quotes):
            key = quote.id or f"{record.meta.id}:{number}"
            item = pieces[doc].setdefault(key, {"content": [], "source": [], "cue": [], "kind": quote.kind})
            for role, value in (("content", quote.content), ("source", quote.speaker), ("cue", quote.cue)):
                # A linked quote's speaker and cue are those of the first piece that has them.
                if value is not None and (role == "content" or not item[role]):
                    item[role].append((base + value.start, base + value.end))
    for doc, quotes in pieces.items():
        out[doc].attributions = [
            Attribution(
                ident=key,
                content=merged(item["content"]),
                source=merged(item["source"]),
                cue=merged(item["cue"]),
                tool_kind=item["kind"],
            )
            for key, item in quotes.items()
            if item["content"]
        ]
    return out


def preannotate_cached(records: list[Any], folder: Path, rule_time: RuleTime) -> Iterable[Any]:
    """``preannotate_records`` with the model's part read from a DocBin in ``folder`` (keyed by the texts,
    the model and spaCy's version; written when missing): the quote rules run on each Doc as the pipeline's
    last components would, timed on their own."""
    import hashlib

    import spacy
    from spacy.tokens import DocBin

    from toolkit.preannotate.pipeline import build_pipeline
    from toolkit.preannotate.quotes import QuoteLinker, quote_component
    from toolkit.preannotate.run import PreannotateSummary, Preannotator

    nlp = build_pipeline(model=None, tasks=("quotes",))
    digest = hashlib.sha256()
    for record in records:
        digest.update(record.text.encode("utf-8") + b"\0")
    meta = nlp.meta
    digest.update(f"{meta.get('name')}@{meta.get('version')}/spacy {spacy.__version__}".encode())
    path = folder / f"parse-{digest.hexdigest()[:16]}.spacy"
    if path.exists():
        docs = list(DocBin().from_disk(path).get_docs(nlp.vocab))
    else:
        docs = list(nlp.pipe((r.text for r in records), batch_size=64))
        folder.mkdir(parents=True, exist_ok=True)
        DocBin(docs=docs, store_user_data=False).to_disk(path)
    began = time.process_time()
    for doc in docs:
        quote_component(doc)
    rule_time.analyse += time.process_time() - began
    rule_time.sentences += len(docs)

    class Cached(Preannotator):
        def _docs(self, texts: Any, *, n_process: int, batch: int) -> Any:
            for text, doc in zip(texts, docs, strict=True):
                assert text == doc.text, "the parse cache does not match the records"
                yield doc

    class TimedLinker(QuoteLinker):
        def add(self, *args: Any, **kwargs: Any) -> Any:
            began = time.process_time()
            try:
                return super().add(*args, **kwargs)
            finally:
                rule_time.link += time.process_time() - began

    annotator = Cached(nlp, tasks=("quotes",), label_map=None, summary=PreannotateSummary())
    annotator.linker = TimedLinker()
    return annotator.run(records)


# ------------------------------------------------------------------------------------------ cue lemmas


def first_piece(text: str, spans: Fragments) -> str:
    return " ".join(text[s:e] for s, e in spans).strip()


def lemmatiser() -> Any:
    """The default spaCy model without NER: lemmas, tags and the parse of short cue texts."""
    from toolkit.models import load_pipeline

    return load_pipeline(None, exclude=("ner",))


def cue_lemmas(cues: Iterable[str], nlp: Any) -> dict[str, str]:
    """Lemma of each distinct cue text (lower-cased): its first verb's lemma, else its root's."""
    distinct = sorted({c.lower() for c in cues if c})
    lemmas = {}
    for text, doc in zip(distinct, nlp.pipe(distinct, batch_size=256), strict=True):
        verbs = [t for t in doc if t.pos_ == "VERB"]
        head = verbs[0] if verbs else next((t for t in doc if t.dep_ == "ROOT"), doc[0])
        lemmas[text] = head.lemma_.lower()
    return lemmas


def lemma_of(text: str, spans: Fragments, lemmas: dict[str, str]) -> str:
    cue = first_piece(text, spans).lower()
    return lemmas.get(cue, "(no cue)") if cue else "(no cue)"


# ------------------------------------------------------------------------------------------ matching


def pair_up(gold: list[Attribution], predicted: list[Attribution], threshold: float) -> list[tuple[int, int]]:
    """One-to-one pairs (gold index, predicted index) at ``threshold``, best overlap first."""
    candidates = []
    for g, item in enumerate(gold):
        for p, guess in enumerate(predicted):
            score = overlap_score(item.content, guess.content)
            if score > 0 and score >= threshold - 1e-9:
                candidates.append((-score, g, p))
    candidates.sort()
    used_g: set[int] = set()
    used_p: set[int] = set()
    pairs = []
    for _, g, p in candidates:
        if g not in used_g and p not in used_p:
            used_g.add(g)
            used_p.add(p)
            pairs.append((g, p))
    return pairs


def prf(tp: int, predicted: int, gold: int) -> dict[str, float | int]:
    precision, recall, f1 = scores_from_counts(tp, predicted, gold)
    return {
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "tp": tp,
        "predicted": predicted,
        "gold": gold,
    }


def same_role(a: Fragments, b: Fragments, *, exact: bool) -> bool:
    if not a and not b:
        return True
    if not a or not b:
        return False
    return a == b if exact else shared(a, b) > 0


def order_of(item: Attribution) -> str:
    present = [(getattr(item, role)[0][0], role) for role in ROLES if getattr(item, role)]
    return "-".join(role for _, role in sorted(present))


def pattern_of(item: Attribution, *, gold: bool) -> str:
    parts = [item.kind, order_of(item)]
    if not item.source:
        parts.append("no source" if gold else "no speaker")
    if gold and len(item.content) > 1:
        parts.append("split content")
    if item.sentences > 1:
        parts.append(f"{min(item.sentences, 3)}{'+' if item.sentences >= 3 else ''} sentences")
    if not gold:
        parts.append(f"toolkit:{item.tool_kind}")
    return ", ".join(parts)


def why_unpaired(item: Attribution, others: list[Attribution], paired: set[int]) -> str:
    """Why a gold item was missed (or a prediction is a false alarm) at the lenient threshold."""
    touching = [i for i, other in enumerate(others) if shared(item.content, other.content) > 0]
    if not touching:
        return "nothing overlaps"
    if any(i not in paired for i in touching):
        return "overlap below 0.3"
    why = "overlaps only items paired elsewhere"
    if any(len(others[i].content) > 1 for i in touching):
        why += ", one of them split"
    if any(others[i].sentences > item.sentences for i in touching):
        why += ", one of them over more sentences"
    return why


def _edge(text: str) -> str:
    """A boundary difference as it reads: short ones verbatim, long ones by length and what they hold."""
    words = text.split()
    if len(words) <= 2:
        return repr(text)
    size = "3-5 words" if len(words) <= 5 else "6-15 words" if len(words) <= 15 else "16+ words"
    marks = " with a quote mark" if any(mark in text for mark in DOUBLE_MARKS) else ""
    stop = " with a sentence end" if any(w.endswith((".", "?", "!")) for w in words[:-1]) else ""
    return f"({size}{marks}{stop})"


def boundary_keys(text: str, item: Attribution, guess: Attribution) -> list[str]:
    """How a paired prediction's content edges differ from the gold's (hulls): ``start later: -'that'``."""
    (gs, ge), (ps, pe) = (
        (item.content[0][0], item.content[-1][1]),
        (guess.content[0][0], guess.content[-1][1]),
    )
    keys = []
    if ps < gs:
        keys.append(f"start earlier: +{_edge(text[ps:gs])}")
    elif ps > gs:
        keys.append(f"start later: -{_edge(text[gs:ps])}")
    if pe > ge:
        keys.append(f"end later: +{_edge(text[ge:pe])}")
    elif pe < ge:
        keys.append(f"end earlier: -{_edge(text[pe:ge])}")
    if not keys and item.content != guess.content:
        keys.append("same hull, different pieces")
    return [f"{item.kind}, {key}" for key in keys]


def sentence_count(spans: Fragments, sentences: list[tuple[int, int]]) -> int:
    return max(1, sum(1 for s, e in sentences if shared(spans, ((s, e),)) > 0))


# ------------------------------------------------------------------------------------------ the tally


@dataclass
class Tally:
    counts: Counter = field(default_factory=Counter)
    gold_lemma: Counter = field(default_factory=Counter)
    found_lemma: Counter = field(default_factory=Counter)
    pred_lemma: Counter = field(default_factory=Counter)
    right_lemma: Counter = field(default_factory=Counter)
    misses: Counter = field(default_factory=Counter)
    boundaries: Counter = field(default_factory=Counter)
    boundary_examples: dict[str, list[str]] = field(default_factory=dict)
    false_alarms: Counter = field(default_factory=Counter)
    miss_examples: dict[str, list[str]] = field(default_factory=dict)
    alarm_examples: dict[str, list[str]] = field(default_factory=dict)


def _example(store: dict[str, list[str]], key: str, text: str, item: Attribution, name: str) -> None:
    shown = store.setdefault(key, [])
    if len(shown) < 3:
        content = first_piece(text, item.content)
        cue = first_piece(text, item.cue)
        shown.append(f"{name}@{item.content[0][0]}: [{cue}] {content[:90]}")


def closed_gaps(text: str, spans: Fragments) -> Fragments:
    """Fragments separated only by white space joined into one: the pieces of a quote the toolkit linked
    across sentences leave out the space between the sentences, which the gold covers."""
    runs: list[list[int]] = []
    for start, end in spans:
        if runs and not text[runs[-1][1] : start].strip():
            runs[-1][1] = end
        else:
            runs.append([start, end])
    return tuple((s, e) for s, e in runs)


def pieces(text: str, items: list[Attribution]) -> list[Attribution]:
    """Each fragment of content as an item of its own (the secondary view): gold content split by "he
    said" gives two items, as do two quotes the toolkit did not link."""
    return [
        Attribution(item.ident, (piece,), kind=text_kind(text, (piece,)))
        for item in items
        for piece in item.content
    ]


def count_content(c: Counter, prefix: str, gold: list[Attribution], predicted: list[Attribution]) -> None:
    """Content pairs at every threshold, over all items and over direct quotes."""
    direct_g = [g for g in gold if g.kind == "direct"]
    direct_p = [p for p in predicted if p.kind == "direct"]
    c[f"{prefix}gold"] += len(gold)
    c[f"{prefix}predicted"] += len(predicted)
    c[f"{prefix}gold_direct"] += len(direct_g)
    c[f"{prefix}predicted_direct"] += len(direct_p)
    for threshold in THRESHOLDS:
        c[f"{prefix}tp@{threshold}"] += len(pair_up(gold, predicted, threshold))
        c[f"{prefix}direct_tp@{threshold}"] += len(pair_up(direct_g, direct_p, threshold))


def score_article(
    tally: Tally, name: str, text: str, gold: list[Attribution], predicted: list[Attribution]
) -> None:
    """Add one article's counts to the tally (items already carry kind, lemma and sentence counts)."""
    c = tally.counts
    count_content(c, "", gold, predicted)
    count_content(c, "pieces_", pieces(text, gold), pieces(text, predicted))
    pairs = pair_up(gold, predicted, LENIENT)
    paired_g = {g for g, _ in pairs}
    paired_p = {p for _, p in pairs}
    for g, p in pairs:
        item, guess = gold[g], predicted[p]
        c[f"gold_kind_found:{item.kind}"] += 1
        c[f"pred_kind_right:{guess.kind}"] += 1
        c[f"tool_kind_right:{guess.tool_kind}"] += 1
        tally.found_lemma[item.lemma] += 1
        tally.right_lemma[guess.lemma] += 1
        c[f"exact_by_gold_kind:{item.kind}"] += item.content == guess.content
        for key in boundary_keys(text, item, guess):
            tally.boundaries[key] += 1
            _example(tally.boundary_examples, key, text, item, name)
        for role in ("source", "cue"):
            c[f"{role}_exact"] += same_role(getattr(item, role), getattr(guess, role), exact=True)
            c[f"{role}_overlap"] += same_role(getattr(item, role), getattr(guess, role), exact=False)
        c["full"] += same_role(item.source, guess.source, exact=False) and same_role(
            item.cue, guess.cue, exact=False
        )
    for g, item in enumerate(gold):
        c[f"gold_kind:{item.kind}"] += 1
        tally.gold_lemma[item.lemma] += 1
        if g not in paired_g:
            why = why_unpaired(item, predicted, paired_p)
            for key in (f"lemma: {item.lemma}", f"pattern: {pattern_of(item, gold=True)}", f"why: {why}"):
                tally.misses[key] += 1
                _example(tally.miss_examples, key, text, item, name)
    for p, guess in enumerate(predicted):
        c[f"pred_kind:{guess.kind}"] += 1
        c[f"tool_kind:{guess.tool_kind}"] += 1
        tally.pred_lemma[guess.lemma] += 1
        if p not in paired_p:
            why = why_unpaired(guess, gold, paired_g)
            for key in (f"lemma: {guess.lemma}", f"pattern: {pattern_of(guess, gold=False)}", f"why: {why}"):
                tally.false_alarms[key] += 1
                _example(tally.alarm_examples, key, text, guess, name)


def _ratio(a: int, b: int) -> float:
    return round(a / b, 4) if b else 0.0


def summarise(tally: Tally, *, top: int) -> dict[str, Any]:
    c = tally.counts
    matched = c[f"tp@{LENIENT}"]
    result: dict[str, Any] = {
        "content_all": {str(t): prf(c[f"tp@{t}"], c["predicted"], c["gold"]) for t in THRESHOLDS},
        "content_direct": {
            str(t): prf(c[f"direct_tp@{t}"], c["predicted_direct"], c["gold_direct"]) for t in THRESHOLDS
        },
        "pieces_content_all": {
            str(t): prf(c[f"pieces_tp@{t}"], c["pieces_predicted"], c["pieces_gold"]) for t in THRESHOLDS
        },
        "pieces_content_direct": {
            str(t): prf(c[f"pieces_direct_tp@{t}"], c["pieces_predicted_direct"], c["pieces_gold_direct"])
            for t in THRESHOLDS
        },
        "roles_on_matched_0.3": {
            "pairs": matched,
            "speaker_exact": _ratio(c["source_exact"], matched),
            "speaker_overlap": _ratio(c["source_overlap"], matched),
            "cue_exact": _ratio(c["cue_exact"], matched),
            "cue_overlap": _ratio(c["cue_overlap"], matched),
        },
        "full_attribution_0.3": prf(c["full"], c["predicted"], c["gold"]),
        "recall_by_gold_kind": {
            k: {
                "gold": c[f"gold_kind:{k}"],
                "recall": _ratio(c[f"gold_kind_found:{k}"], c[f"gold_kind:{k}"]),
                "exact_of_paired": _ratio(c[f"exact_by_gold_kind:{k}"], c[f"gold_kind_found:{k}"]),
            }
            for k in ("direct", "mixed", "indirect")
        },
        "precision_by_predicted_kind": {
            k: {
                "predicted": c[f"pred_kind:{k}"],
                "precision": _ratio(c[f"pred_kind_right:{k}"], c[f"pred_kind:{k}"]),
            }
            for k in ("direct", "mixed", "indirect")
        },
        "precision_by_toolkit_kind": {
            k: {
                "predicted": c[f"tool_kind:{k}"],
                "precision": _ratio(c[f"tool_kind_right:{k}"], c[f"tool_kind:{k}"]),
            }
            for k in ("direct", "mixed", "indirect")
        },
        "per_cue_lemma": per_lemma(tally, top=top),
        "misses": _listing(tally.misses, tally.miss_examples, top),
        "false_alarms": _listing(tally.false_alarms, tally.alarm_examples, top),
        "boundaries_of_pairs_0.3": [
            {"key": k, "count": n, "examples": tally.boundary_examples.get(k, [])}
            for k, n in tally.boundaries.most_common(top)
        ],
    }
    return result


def per_lemma(tally: Tally, *, top: int) -> list[dict[str, Any]]:
    lemmas = sorted(
        set(tally.gold_lemma) | set(tally.pred_lemma),
        key=lambda k: (-tally.gold_lemma[k] - tally.pred_lemma[k], k),
    )
    rows = []
    for lemma in lemmas[: top * 2]:
        gold, pred = tally.gold_lemma[lemma], tally.pred_lemma[lemma]
        rows.append(
            {
                "lemma": lemma,
                "gold": gold,
                "recall": _ratio(tally.found_lemma[lemma], gold),
                "predicted": pred,
                "precision": _ratio(tally.right_lemma[lemma], pred),
            }
        )
    return rows


def _listing(counter: Counter, examples: dict[str, list[str]], top: int) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for group in ("why", "lemma", "pattern"):
        keys = [(k, n) for k, n in counter.most_common() if k.startswith(f"{group}: ")]
        out[group] = [
            {"key": k.split(": ", 1)[1], "count": n, "examples": examples.get(k, [])} for k, n in keys[:top]
        ]
    return out


# ------------------------------------------------------------------------------------------ the run


def prepare(
    items: list[Attribution], text: str, sentences: list[tuple[int, int]], lemmas: dict[str, str]
) -> None:
    for item in items:
        item.content = closed_gaps(text, item.content)
        item.kind = text_kind(text, item.content)
        item.lemma = lemma_of(text, item.cue, lemmas)
        item.sentences = sentence_count(item.content, sentences)


def evaluate(
    folder: Path,
    *,
    limit: int | None,
    seed: int,
    n_process: int,
    top: int,
    parse_cache: Path | None = None,
) -> dict[str, Any]:
    articles = find_articles(folder, seed=seed)
    if limit is not None and limit < len(articles):
        articles = sorted(random.Random(seed).sample(articles, limit), key=lambda a: a.name)
    texts = {a.name: read_text(a.text_path) for a in articles}
    golds = {a.name: parse_brat(read_text(a.ann_path), texts[a.name]) for a in articles}
    began = time.perf_counter()
    rule_time = RuleTime()
    predicted = predict(
        [a.text_path for a in articles],
        texts,
        n_process=n_process,
        parse_cache=parse_cache,
        rule_time=rule_time,
    )
    seconds = time.perf_counter() - began
    nlp = lemmatiser()
    cues = [
        first_piece(texts[name], item.cue)
        for name in texts
        for item in golds[name].attributions + predicted[name].attributions
    ]
    lemmas = cue_lemmas(cues, nlp)
    tally = Tally()
    for article in articles:
        text, found = texts[article.name], predicted[article.name]
        gold = golds[article.name].attributions
        prepare(gold, text, found.sentences, lemmas)
        prepare(found.attributions, text, found.sentences, lemmas)
        score_article(tally, article.name, text, gold, found.attributions)
    result = {
        "data": str(folder),
        "articles": len(articles),
        "words": sum(len(t.split()) for t in texts.values()),
        "seed": seed,
        "n_process": n_process,
        "two_annotators": sum(len(a.annotators) > 1 for a in articles),
        "gold_without_content": sum(g.without_content for g in golds.values()),
        "gold_offset_mismatches": sum(g.offset_mismatches for g in golds.values()),
        "misplaced_records": sum(p.misplaced_records for p in predicted.values()),
        "predict_seconds": round(seconds, 1),
        "quote_rule_cpu_seconds": (
            {
                "analyse": round(rule_time.analyse, 2),
                "link": round(rule_time.link, 2),
                "sentences": rule_time.sentences,
            }
            if parse_cache is not None
            else None
        ),
        "annotator": {a.name: a.ann_path.stem.rpartition("_")[2] for a in articles},
    }
    result.update(summarise(tally, top=top))
    return result


def print_report(result: dict[str, Any], *, top: int) -> None:
    print(
        f"PolNeAR train: {result['articles']} articles, {result['words']:,} words "
        f"(seed {result['seed']}; {result['two_annotators']} annotated twice, one annotator used); "
        f"gold attributions without content left out: {result['gold_without_content']}; "
        f"preannotate took {result['predict_seconds']} s on {result['n_process']} process(es)"
    )
    rules = result.get("quote_rule_cpu_seconds")
    if rules:
        print(
            f"quote rules alone (CPU): analyse_quotes {rules['analyse']} s on {rules['sentences']:,} "
            f"sentences, linking {rules['link']} s"
        )
    print(f"\n{'content':<22}{'thr':>5}{'P':>8}{'R':>8}{'F1':>8}{'TP':>7}{'pred':>7}{'gold':>7}")
    views = (
        ("all attributions", "content_all"),
        ("direct quotes", "content_direct"),
        ("pieces: all", "pieces_content_all"),
        ("pieces: direct", "pieces_content_direct"),
    )
    for label, key in views:
        for threshold, s in result[key].items():
            print(
                f"{label:<22}{threshold:>5}{s['precision']:>8.3f}{s['recall']:>8.3f}{s['f1']:>8.3f}"
                f"{s['tp']:>7}{s['predicted']:>7}{s['gold']:>7}"
            )
    roles = result["roles_on_matched_0.3"]
    full = result["full_attribution_0.3"]
    print(
        f"\non the {roles['pairs']} pairs matched at 0.3: speaker exact {roles['speaker_exact']:.3f}, "
        f"overlap {roles['speaker_overlap']:.3f}; cue exact {roles['cue_exact']:.3f}, "
        f"overlap {roles['cue_overlap']:.3f}"
    )
    print(
        f"full attribution (content 0.3 + speaker + cue overlap): P {full['precision']:.3f} "
        f"R {full['recall']:.3f} F1 {full['f1']:.3f}"
    )
    print("\nrecall by gold kind / precision by predicted kind (textual) / by the toolkit's kind, at 0.3:")
    for kind in ("direct", "mixed", "indirect"):
        g = result["recall_by_gold_kind"][kind]
        p = result["precision_by_predicted_kind"][kind]
        t = result["precision_by_toolkit_kind"][kind]
        print(
            f"  {kind:<9} gold {g['gold']:>6} R {g['recall']:.3f} (exact {g['exact_of_paired']:.3f})  "
            f"predicted {p['predicted']:>6} "
            f"P {p['precision']:.3f}   toolkit {t['predicted']:>6} P {t['precision']:.3f}"
        )
    print(f"\n{'cue lemma':<16}{'gold':>7}{'R':>7}{'pred':>7}{'P':>7}")
    for row in result["per_cue_lemma"][:top]:
        print(
            f"{row['lemma']:<16}{row['gold']:>7}{row['recall']:>7.3f}{row['predicted']:>7}{row['precision']:>7.3f}"
        )
    print("\nhow the content of pairs matched at 0.3 differs from the gold (gold kind, edge, text):")
    for row in result["boundaries_of_pairs_0.3"][:top]:
        print(f"  {row['count']:>6}  {row['key']}")
    for title, key in (("misses (gold not found at 0.3)", "misses"), ("false alarms at 0.3", "false_alarms")):
        for group in ("why", "lemma", "pattern"):
            print(f"\n{title}, by {group}:")
            for row in result[key][group][:top]:
                print(f"  {row['count']:>6}  {row['key']}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--data", type=Path, default=None, help="the polnear-train folder (default: dev-data)"
    )
    parser.add_argument("--limit", type=int, default=None, help="score a random N articles (by --seed)")
    parser.add_argument("--seed", type=int, default=0, help="picks the annotator of twice-annotated articles")
    parser.add_argument("--n-process", type=int, default=1, help="spaCy processes for preannotate")
    parser.add_argument("--top", type=int, default=20, help="rows in the lemma and miss lists")
    parser.add_argument("--out", type=Path, default=None, help="also write the whole report as JSON")
    parser.add_argument(
        "--parse-cache",
        type=Path,
        default=None,
        metavar="DIR",
        help="keep spaCy's parse in DIR (made on the first run): later runs redo only the quote rules, "
        "timed on their own",
    )
    args = parser.parse_args(argv)
    folder = args.data or default_data()
    if not (folder / "text").is_dir() or not (folder / "attributions").is_dir():
        print(
            f"quotes_polnear: {folder} not found (development data is local only); skipped", file=sys.stderr
        )
        return 0
    result = evaluate(
        folder,
        limit=args.limit,
        seed=args.seed,
        n_process=args.n_process,
        top=args.top,
        parse_cache=args.parse_cache,
    )
    print_report(result, top=args.top)
    if args.out:
        args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"\nwrote {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
