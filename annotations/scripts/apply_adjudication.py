"""Apply the adjudicator's decisions to the output of ``toolkit adjudicate`` and write the final gold file.

``toolkit adjudicate`` writes a gold record for every task where the annotators agree and sends the rest
to a ties file. This script reads the decisions file (``annotations/adjudication.yaml``), checks that it
decides exactly the records where the passes differ, and writes one gold record per task, in document
order: the majority record where there was nothing to decide, the chosen annotator's record otherwise.

The passes are compared in full (every span, quote role, kind, speaker resolution, link and event, the
``source`` of items aside), because the majority vote compares quotes by roles and kind only: a pass
that differs only in whom a pronoun resolves to would otherwise slip through unseen. The run fails,
naming the record, on a difference without a decision, a decision whose ``ties`` no longer match the
ties file, a decision for a record where the passes agree, or a chosen annotator with no answer.

``revisions`` in the decisions file apply a guideline revised after the passes were final to the gold,
named by quote id: ``join`` makes the listed quotes one quote (every piece takes the first id and lists the
other records holding pieces). A revision that finds no such quote, or nothing to change, fails the run.

    .venv/bin/python annotations/scripts/apply_adjudication.py annotations/adjudication.yaml \
        --passes annotations/passes/annotator-a.jsonl annotations/passes/annotator-b.jsonl \
        --gold annotations/gold/seed.jsonl --ties annotations/gold/seed.ties.jsonl \
        -o annotations/gold/seed.jsonl
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import msgspec

from toolkit.errors import ToolkitError
from toolkit.jsonl import read_json_lines, read_records, write_json_lines
from toolkit.record import Record, record_to_dict

ADJUDICATOR = "adjudicated"  # the _annotator_id toolkit adjudicate gives its gold records
ITEM_KINDS = ("spans", "quotes", "events")


class DecisionError(Exception):
    """A decision that does not fit the passes or the ties file; names the record."""


def load_decisions(path: Path) -> tuple[dict[str, dict[str, Any]], list[dict[str, Any]]]:
    """The decisions by record id, and the guideline revisions applied after them."""
    import yaml  # installed with datasets and huggingface-hub

    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not isinstance(data.get("decisions"), dict):
        raise DecisionError(f"{path}: expected a mapping with a 'decisions' mapping")
    revisions = data.get("revisions") or []
    if not isinstance(revisions, list) or not all(isinstance(r, dict) and r.get("join") for r in revisions):
        raise DecisionError(f"{path}: 'revisions' must be a list of mappings, each with a 'join' list")
    return data["decisions"], revisions


def join_quotes(gold: list[Record], ids: list[str]) -> None:
    """One quote from the quotes with ``ids``: their pieces share the first id, and each lists the other
    records holding pieces (GUIDELINES 3.6)."""
    holders = [r for r in gold if any(q.id in ids for q in r.quotes)]
    found = {q.id for r in holders for q in r.quotes} & set(ids)
    if found != set(ids):
        missing = ", ".join(sorted(set(ids) - found))
        raise DecisionError(f"revision join: no quote with id {missing} (joined already, or never there)")
    names = [r.meta.id or "" for r in holders]
    changed = False
    for record, name in zip(holders, names, strict=True):
        others = [n for n in names if n != name]
        for i, quote in enumerate(record.quotes):
            if quote.id in ids and (quote.id != ids[0] or quote.linked_records != others):
                record.quotes[i] = msgspec.structs.replace(quote, id=ids[0], linked_records=others)
                changed = True
    if not changed:
        raise DecisionError(f"revision join {', '.join(ids)}: the gold already holds it (stale revision)")


def comparable(record: Record) -> dict[str, Any]:
    """What an annotator decided on a record: answer and items, without who made each item."""
    obj = record_to_dict(record)
    items = {
        kind: [{k: v for k, v in item.items() if k != "source"} for item in obj.get(kind, [])]
        for kind in ITEM_KINDS
    }
    return {"answer": obj.get("answer"), **items}


def differences(versions: dict[str, Record]) -> list[str]:
    """Which parts of a record the annotators' versions disagree on (empty when they agree)."""
    views = [comparable(record) for record in versions.values()]
    return [part for part in ("answer", *ITEM_KINDS) if any(v[part] != views[0][part] for v in views[1:])]


def check_decision(rid: str, decision: Any, versions: dict[str, Record], tied: list[str]) -> str:
    """The annotator a valid decision chooses; raises DecisionError on a stale or malformed one."""
    if not isinstance(decision, dict) or not isinstance(decision.get("chosen"), str):
        raise DecisionError(f"{rid}: a decision needs 'chosen: <annotator>'")
    for key in ("differed", "why"):
        if not str(decision.get(key) or "").strip():
            raise DecisionError(f"{rid}: a decision says what differed and why ('{key}' is empty)")
    if decision["chosen"] not in versions:
        raise DecisionError(f"{rid}: {decision['chosen']!r} gave no answer (answers: {', '.join(versions)})")
    if sorted(decision.get("ties") or []) != sorted(tied):
        raise DecisionError(
            f"{rid}: the decision's ties {decision.get('ties')} differ from the tool's {tied}"
        )
    if not differences(versions):
        raise DecisionError(f"{rid}: the passes agree; the decision is stale")
    return decision["chosen"]


def adjudicated(record: Record, versions: dict[str, Record], chosen: str) -> Record:
    """The chosen version as a gold record, marked the way toolkit adjudicate marks its records."""
    adjudication = {
        "annotators": sorted(versions),
        "accepted_by": sorted(a for a, r in versions.items() if (r.answer or "accept") == "accept"),
        "method": "adjudicator",
        "chosen": chosen,
    }
    meta = msgspec.structs.replace(record.meta, extra={**record.meta.extra, "adjudication": adjudication})
    return msgspec.structs.replace(
        record,
        meta=meta,
        answer="accept",
        annotator_id=ADJUDICATOR,
        session_id=None,
        timestamp=None,
        task_hash=None,
    )


def final_gold(
    *,
    decisions: dict[str, Any],
    revisions: list[dict[str, Any]] | None = None,
    passes: list[Record],
    majority: list[Record],
    ties: list[dict[str, Any]],
) -> tuple[list[Record], Counter]:
    """Gold records in document order, and how each was decided."""
    versions: dict[str, dict[str, Record]] = {}
    for record in passes:
        versions.setdefault(record.meta.id or "", {})[record.annotator_id or "?"] = record
    by_majority = {r.meta.id: r for r in majority}
    tied = {row["id"]: list(row.get("tied") or []) for row in ties}
    unknown = sorted(set(decisions) - set(versions))
    if unknown:
        raise DecisionError(f"decisions for records no pass holds: {', '.join(unknown)}")
    gold, how = [], Counter()
    for rid, answers in versions.items():
        if rid in decisions:
            chosen = check_decision(rid, decisions[rid], answers, tied.get(rid, []))
            gold.append(adjudicated(answers[chosen], answers, chosen))
            how[f"decided: {chosen}"] += 1
        elif rid in tied or differences(answers):
            what = tied.get(rid) or differences(answers)
            raise DecisionError(f"{rid}: the passes differ ({'; '.join(what)}) and there is no decision")
        elif rid not in by_majority:
            raise DecisionError(f"{rid}: neither a majority record nor a decision")
        else:
            gold.append(by_majority[rid])
            how["majority"] += 1
    gold.sort(key=lambda r: (r.meta.doc_id or "", r.meta.unit if r.meta.unit is not None else -1))
    for revision in revisions or []:
        join_quotes(gold, [str(i) for i in revision["join"]])
        how["revised"] += 1
    return gold, how


def gold_objects(records: list[Record]) -> list[dict[str, Any]]:
    """Empty lists stay in: an accepted record with ``"spans": []`` says there is nothing to mark."""
    objects = []
    for record in records:
        obj = record_to_dict(record)
        for kind in ITEM_KINDS:
            obj.setdefault(kind, [])
        objects.append(obj)
    return objects


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("decisions", type=Path, help="the adjudicator's decisions (YAML)")
    parser.add_argument("--passes", nargs="+", required=True, help="every annotator's pass (JSONL)")
    parser.add_argument("--gold", required=True, help="gold records written by toolkit adjudicate")
    parser.add_argument("--ties", required=True, help="ties file written by toolkit adjudicate")
    parser.add_argument("-o", "--output", required=True, help="final gold JSONL (may be --gold itself)")
    args = parser.parse_args(argv)
    try:
        decisions, revisions = load_decisions(args.decisions)
        passes = [record for path in args.passes for record in read_records(path)]
        majority = list(read_records(args.gold))
        ties = [obj for _, obj in read_json_lines(args.ties)]
        gold, how = final_gold(
            decisions=decisions, revisions=revisions, passes=passes, majority=majority, ties=ties
        )
    except (OSError, ToolkitError) as error:
        print(f"apply_adjudication: {error}", file=sys.stderr)
        return 2
    except DecisionError as error:
        print(f"apply_adjudication: {args.decisions}: {error}", file=sys.stderr)
        return 1
    write_json_lines(args.output, gold_objects(gold))
    summary = ", ".join(f"{n} {what}" for what, n in sorted(how.items()))
    print(f"apply_adjudication: {len(gold)} gold records ({summary}) -> {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
