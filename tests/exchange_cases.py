"""Records and simulated annotators for the labeling-tool round-trip tests (tests/formats/test_*.py).

Records are built from literal texts with the default model's tokenizer, so spans sit on real token
boundaries. Each ``answer_*`` function turns exported tasks into what the tool's own export holds after
an annotator accepted them, with the tool's own provenance fields.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import orjson
from hypothesis import strategies as st

from toolkit.labels import ONTONOTES_LABELS, PLOVER_TYPES, QUOTE_KINDS
from toolkit.record import Event, Meta, Quote, Record, Role, Span, Token, make_tokens, text_sha256

# Emoji (astral code points), CRLF line breaks and right-to-left scripts are where browser tools shift spans.
TEXTS: tuple[str, ...] = (
    "White House spokesperson Kate Bedingfield said on Wednesday that sanctions will expand.",
    "“Foreign Secretary Liz Truss is in India today,” the statement said.",
    "Zelenskiy 🇺🇦 said Kyiv 💪 will not yield, and Moscow 🇷🇺 denied it 😡 on Thursday.",
    "The minister said:\r\n“We will talk to Russia.”\r\nTalks begin in Istanbul 🕊 today.",
    "قال الرئيس زيلينسكي إن كييف لن تستسلم، Reuters reported from Kyiv.",
    'ראש הממשלה אמר "נמשיך לתמוך" in Jerusalem 🙏 on Monday.',
    "Biden has imposed a wide variety of economic penalties aimed at punishing Russia.",
)


@lru_cache(maxsize=64)
def tokens_for(text: str) -> tuple[Token, ...]:
    from toolkit.models import load_tokenizer

    return tuple(make_tokens(load_tokenizer()(text)))


# Tokenised once up front: spaCy touches the random module, which hypothesis forbids inside strategies.
TOKENS: dict[str, tuple[Token, ...]] = {text: tokens_for(text) for text in TEXTS}


def record_lists(min_size: int = 1, max_size: int = 3, **options: Any) -> st.SearchStrategy[list[Record]]:
    """Lists of records with distinct ids, as a file of one document's sentences has."""
    return st.lists(records(**options), min_size=min_size, max_size=max_size, unique_by=lambda r: r.meta.id)


def make_record(
    text: str,
    record_id: str,
    *,
    spans: list[Span] | None = None,
    quotes: list[Quote] | None = None,
    events: list[Event] | None = None,
) -> Record:
    doc_id, _, unit = record_id.rpartition(":")
    return Record(
        text=text,
        tokens=list(tokens_for(text)),
        spans=spans or [],
        quotes=quotes or [],
        events=events or [],
        meta=Meta(
            id=record_id,
            doc_id=doc_id,
            unit=int(unit),
            text_sha256=text_sha256(text),
            extra={"section": "World"},
        ),
    )


def entity(
    record_tokens: tuple[Token, ...], i: int, j: int, label: str, source: str = "model:en_core_web_sm@3.8.0"
) -> Span:
    return Span(
        start=record_tokens[i].start,
        end=record_tokens[j].end,
        label=label,
        token_start=i,
        token_end=j,
        source=source,
    )


@st.composite
def token_range(draw: st.DrawFn, n: int, max_len: int = 4) -> tuple[int, int]:
    i = draw(st.integers(0, n - 1))
    j = draw(st.integers(i, min(n - 1, i + max_len - 1)))
    return i, j


def _disjoint(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    kept: list[tuple[int, int]] = []
    for i, j in ranges:
        if all(j < a or i > b for a, b in kept):
            kept.append((i, j))
    return kept


@st.composite
def records(
    draw: st.DrawFn, *, overlap: bool = False, disjoint_roles: bool = False, texts: tuple[str, ...] = TEXTS
) -> Record:
    """A record with entities, quotes and events on token boundaries; overlaps only when asked for."""
    text = draw(st.sampled_from(texts))
    tokens = TOKENS[text] if text in TOKENS else tokens_for(text)
    n = len(tokens)
    ranges = draw(st.lists(token_range(n), max_size=5))
    if not overlap:
        ranges = _disjoint(ranges)
    spans = {
        (tokens[i].start, tokens[j].end, draw(st.sampled_from(ONTONOTES_LABELS))): (i, j) for i, j in ranges
    }
    record_spans = [
        Span(start=s, end=e, label=label, token_start=i, token_end=j, source="model:en_core_web_sm@3.8.0")
        for (s, e, label), (i, j) in spans.items()
    ]
    quotes: list[Quote] = []
    used: set[tuple[int, int, str]] = set()
    taken: list[tuple[int, int]] = []
    for _ in range(draw(st.integers(0, 2))):
        roles: dict[str, Role] = {}
        for role in ("content", "speaker", "cue"):
            if not draw(st.booleans()):
                continue
            i, j = draw(token_range(n, max_len=6))
            key = (tokens[i].start, tokens[j].end, role)
            if key in used or (disjoint_roles and not all(j < a or i > b for a, b in taken)):
                continue
            used.add(key)
            taken.append((i, j))
            roles[role] = Role(tokens[i].start, tokens[j].end)
        if roles:
            quotes.append(Quote(**roles, kind=draw(st.sampled_from(QUOTE_KINDS)), source="rule:quotes"))
    events: list[Event] = []
    for label in draw(st.lists(st.sampled_from(PLOVER_TYPES), max_size=3, unique=True)):
        triggers = draw(st.lists(token_range(n, max_len=2), max_size=2, unique=True))
        if not triggers:
            events.append(Event(label=label, source="rule:events"))
        for i, j in triggers:
            events.append(
                Event(label=label, trigger=Role(tokens[i].start, tokens[j].end), source="rule:events")
            )
    unit = draw(st.integers(0, 99))
    return make_record(text, f"doc{unit % 7}:{unit}", spans=record_spans, quotes=quotes, events=events)


def canonical(record: Record, layer: str) -> list[Any]:
    """A layer as a sorted list of plain tuples: what an annotation is, without who made it."""
    if layer in ("entities", "spans"):
        return sorted((s.start, s.end, s.label) for s in record.spans)
    if layer == "quotes":

        def role(r: Role | None) -> tuple[int, int] | None:
            return None if r is None else (r.start, r.end)

        quotes = [(role(q.content), role(q.speaker), role(q.cue), q.kind) for q in record.quotes]
        return sorted(quotes, key=repr)
    return sorted(
        {(e.label, None if e.trigger is None else (e.trigger.start, e.trigger.end)) for e in record.events},
        key=repr,
    )


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_bytes(b"".join(orjson.dumps(row) + b"\n" for row in rows))
    return path


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines() if line.strip()]


PRODIGY_VIEW_IDS = {
    "entities": "ner_manual",
    "spans": "spans_manual",
    "quotes": "relations",
    "events": "choice",
}


def answer_prodigy(
    tasks: list[dict[str, Any]], view: str, annotator: str = "news-alice"
) -> list[dict[str, Any]]:
    """Tasks as Prodigy's db-out returns them after an annotator accepted each one unchanged."""
    answers = []
    for n, task in enumerate(tasks):
        answer = dict(task)
        # Prodigy's hashes: signed 32-bit ints it computes itself; any such numbers stand in for them here.
        answer.setdefault("_input_hash", -1_000_000 - n)
        answer["_task_hash"] = 1_000_000 + n
        answer.update(
            {
                "_view_id": PRODIGY_VIEW_IDS[view],
                "_session_id": f"news_{view}-{annotator}",
                "_annotator_id": f"news_{view}-{annotator}",
                "_timestamp": 1_700_000_000 + n,
                "answer": "accept",
            }
        )
        answers.append(answer)
    return answers


def answer_labelstudio(
    tasks: list[dict[str, Any]], *, user: int = 1, cancel: frozenset[int] = frozenset()
) -> list[dict[str, Any]]:
    """Tasks as Label Studio's raw JSON export holds them after one annotator submitted the predictions."""
    exported = []
    for n, task in enumerate(tasks):
        result = task.get("predictions", [{}])[0].get("result", []) if task.get("predictions") else []
        annotation = {
            "id": 100 + n,
            "completed_by": user,
            "result": [] if n in cancel else result,
            "was_cancelled": n in cancel,
            "ground_truth": False,
            "created_at": "2024-05-01T10:00:00.000000Z",
            "updated_at": "2024-05-01T10:01:00.000000Z",
            "lead_time": 12.5,
            "task": 10 + n,
            "project": 1,
        }
        exported.append(
            {
                "id": 10 + n,
                "annotations": [annotation],
                "drafts": [],
                "predictions": [200 + n],
                "data": task["data"],
                "meta": {},
                "created_at": "2024-05-01T09:00:00Z",
                "project": 1,
            }
        )
    return exported


def answer_doccano(tasks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows as doccano's JSONL export writes them: its own id, the labels, the other columns back on top."""
    rows = []
    for n, task in enumerate(tasks):
        row = {"id": 500 + n, **task, "Comments": []}
        if task.get("toolkit_view") == "quotes":
            # doccano renumbers entities and relations on import.
            new_id = {e["id"]: 9000 + e["id"] for e in task["entities"]}
            row["entities"] = [{**e, "id": new_id[e["id"]]} for e in task["entities"]]
            row["relations"] = [
                {**r, "id": 7000 + r["id"], "from_id": new_id[r["from_id"]], "to_id": new_id[r["to_id"]]}
                for r in task["relations"]
            ]
        rows.append(row)
    return rows


def read_tasks(path: Path) -> list[dict[str, Any]]:
    data = path.read_bytes()
    return orjson.loads(data) if path.suffix == ".json" else read_jsonl(path)


def round_trip(
    tool: str, records_in: list[Record], view: str, folder: Path, *, into: bool = True, **export_options: Any
) -> list[Record]:
    """Export records, let a simulated annotator accept every task, import the answers back."""
    from toolkit.formats.exchange import export_records, import_answers
    from toolkit.jsonl import read_records, write_records
    from toolkit.options import ExportOptions, ImportOptions

    source = folder / "records.jsonl"
    write_records(source, records_in)
    tasks_path = folder / ("tasks.json" if tool == "labelstudio" else "tasks.jsonl")
    export_records(
        tool=tool, input=source, output=tasks_path, options=ExportOptions(view=view, **export_options)
    )
    tasks = read_tasks(tasks_path)
    if tool == "prodigy":
        answers = write_jsonl(folder / "db-out.jsonl", answer_prodigy(tasks, view))
    elif tool == "labelstudio":
        answers = folder / "export.json"
        answers.write_bytes(orjson.dumps(answer_labelstudio(tasks)))
    else:
        answers = write_jsonl(folder / "alice.jsonl", answer_doccano(tasks))
    back = folder / "back.jsonl"
    import_answers(
        tool=tool,
        paths=[answers],
        output=back,
        into=source if into else None,
        options=ImportOptions(keep_empty=True),
    )
    return list(read_records(back))
