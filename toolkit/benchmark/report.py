"""Rendering a benchmark: report.json, report.md (tables) and per_label_f1.png (grouped bars by system)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import orjson

from toolkit.benchmark.scoring import MISSED, QUOTE_LEVELS, SPURIOUS
from toolkit.jsonl import atomic_output

HEADLINE_COLUMNS: dict[str, str] = {
    "entities.strict.f1": "entities strict F1",
    "entities.partial.f1": "entities partial F1",
    "quotes.exact.f1": "quotes exact F1",
    "quotes.overlap_0.3.f1": "quotes F1 (overlap ≥ 0.3)",
    "quotes.overlap_0.8.f1": "quotes F1 (overlap ≥ 0.8)",
    "events.micro.f1": "events micro F1",
    "events.macro.f1": "events macro F1",
}
LEVEL_NAMES = {"exact": "exact", "overlap_0.3": "overlap ≥ 0.3", "overlap_0.8": "overlap ≥ 0.8"}


def write_report(data: dict[str, Any], output_dir: Path) -> dict[str, Path]:
    """Write the three report files atomically; returns their paths by kind."""
    paths = {
        "json": output_dir / "report.json",
        "markdown": output_dir / "report.md",
        "chart": output_dir / "per_label_f1.png",
    }
    with atomic_output(paths["json"], "wb") as out:
        out.write(
            orjson.dumps(data, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS | orjson.OPT_SERIALIZE_NUMPY)
        )
        out.write(b"\n")
    with atomic_output(paths["markdown"], "w") as out:
        out.write(render_markdown(data))
    write_chart(data, paths["chart"])
    return paths


def _num(value: float | None) -> str:
    return "–" if value is None else f"{value:.3f}"


def _table(header: list[str], rows: Iterable[list[Any]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return lines + [""]


def _label_row(label: str, row: dict[str, Any]) -> list[Any]:
    """One label of a per-label table: its gold and predicted counts, then P, R and F1."""
    return [label, row["gold"], row["pred"], *(_num(row[k]) for k in ("precision", "recall", "f1"))]


def _ok(data: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for s in data["systems"] if s["status"] == "ok"]


def _with_ci(headline: dict[str, Any], name: str) -> str:
    entry = headline.get(name)
    if entry is None:
        return "–"
    ci = entry.get("ci95")
    return _num(entry["value"]) + (f" [{_num(ci[0])}, {_num(ci[1])}]" if ci else "")


def render_markdown(data: dict[str, Any]) -> str:
    """report.md: a summary table with confidence intervals, then one section per task."""
    lines = _intro(data)
    systems = _ok(data)
    columns = [c for c in HEADLINE_COLUMNS if any(c in s["headline"] for s in systems)]
    lines += ["## Summary", ""]
    lines += _table(
        ["system", *(HEADLINE_COLUMNS[c] for c in columns), "records/s"],
        (
            [
                f"`{s['name']}`",
                *(_with_ci(s["headline"], c) for c in columns),
                f"{s['records_per_second']:.1f}",
            ]
            for s in systems
        ),
    )
    lines += _failures(data) + _coverage(systems)
    for task, section in (("entities", _entities), ("quotes", _quotes), ("events", _events)):
        scored = [s for s in systems if task in s["scores"]]
        if scored:  # a task no system was scored on gets no section
            lines += section(scored)
    lines += _comparisons(data)
    return "\n".join(lines).rstrip() + "\n"


def _intro(data: dict[str, Any]) -> list[str]:
    dataset, settings = data["dataset"], data["settings"]
    title = f"# Benchmark: {dataset.get('path', 'records')}" + (
        f" ({dataset['split']} split)" if dataset.get("split") else ""
    )
    lines = [
        title,
        "",
        f"{dataset['records']} records from {dataset['documents']} document(s); "
        f"tasks scored: {', '.join(settings['tasks'])}.",
    ]
    if settings["n_bootstrap"]:
        lines.append(
            f"Brackets are 95% confidence intervals from {settings['n_bootstrap']} bootstrap resamples of "
            f"the {dataset['resampling_units']} {dataset['resampling_unit']}s (seed {settings['seed']})."
        )
    if dataset["resampling_unit"] != "document":
        lines.append(
            f"The split holds one document, so the bootstrap resamples its {dataset['resampling_unit']}s "
            "instead: the intervals ignore how documents differ and are likely too narrow."
        )
    if settings.get("label_map"):
        lines.append(f"Predicted labels were renamed with the label map `{settings['label_map']}`.")
    return [*lines, ""]


def _failures(data: dict[str, Any]) -> list[str]:
    failed = [s for s in data["systems"] if s["status"] != "ok"]
    if not failed:
        return []
    return ["## Systems that did not run", "", *(f"- `{s['name']}`: {s['error']}" for s in failed), ""]


def _coverage(systems: list[dict[str, Any]]) -> list[str]:
    rows = []
    for s in systems:
        unknown = {
            **s["scores"].get("entities", {}).get("unknown_labels", {}),
            **s["scores"].get("events", {}).get("unknown_types", {}),
        }
        rows.append(
            [
                f"`{s['name']}`",
                s["records"],
                s["missing_predictions"],
                s["text_mismatch"],
                s.get("bad_offsets", 0),
                ", ".join(f"{k} ({v})" for k, v in sorted(unknown.items())) or "none",
                s["dropped_by_label_map"],
                f"{s['load_seconds']:.2f}",
                f"{s['predict_seconds']:.2f}",
            ]
        )
    return [
        "## Coverage and speed",
        "",
        "Missing predictions and predictions made on a different text are scored as empty; predicted "
        "spans whose offsets do not fit the text are scored as missing; unknown labels are scored as wrong.",
        "",
        *_table(
            [
                "system",
                "records",
                "missing",
                "text differs",
                "bad offsets",
                "unknown labels",
                "dropped by label map",
                "load s",
                "predict s",
            ],
            rows,
        ),
        *_bad_offset_examples(systems),
    ]


def _bad_offset_examples(systems: list[dict[str, Any]]) -> list[str]:
    listed = [
        f"- `{s['name']}`: {'; '.join(s['bad_offset_examples'])}" for s in systems if s.get("bad_offsets")
    ]
    return ["Predicted offsets that do not fit the text, first examples:", "", *listed, ""] if listed else []


def _entities(scored: list[dict[str, Any]]) -> list[str]:
    lines = [
        "## Entities",
        "",
        "Strict: same boundaries and label. Partial: overlapping, same label, one-to-one.",
        "",
    ]
    lines += _table(
        [
            "system",
            "strict P",
            "strict R",
            "strict F1",
            "partial P",
            "partial R",
            "partial F1",
            "macro F1 (strict)",
        ],
        (
            [
                f"`{s['name']}`",
                *(
                    _num(s["scores"]["entities"][m]["micro"][k])
                    for m in ("strict", "partial")
                    for k in ("precision", "recall", "f1")
                ),
                _num(s["scores"]["entities"]["strict"]["macro_f1"]),
            ]
            for s in scored
        ),
    )
    for s in scored:
        strict, partial = s["scores"]["entities"]["strict"], s["scores"]["entities"]["partial"]
        lines += [f"### `{s['name']}` per label", ""]
        lines += _table(
            ["label", "gold", "predicted", "P", "R", "F1", "partial F1"],
            (
                [*_label_row(label, row), _num(partial["per_label"].get(label, {}).get("f1"))]
                for label, row in strict["per_label"].items()
            ),
        )
    return lines


def _quotes(scored: list[dict[str, Any]]) -> list[str]:
    lines = [
        "## Quotes",
        "",
        "Content spans. Overlap = characters shared with the gold content / length of the gold content "
        "(Gender Gap Tracker). Speaker and cue accuracy are over the paired quotes.",
        "",
    ]
    rows = []
    for s in scored:
        for level in QUOTE_LEVELS:
            q = s["scores"]["quotes"][level]
            rows.append(
                [
                    f"`{s['name']}`",
                    LEVEL_NAMES[level],
                    q["micro"]["gold"],
                    q["micro"]["pred"],
                    _num(q["micro"]["precision"]),
                    _num(q["micro"]["recall"]),
                    _num(q["micro"]["f1"]),
                    _num(q["speaker_accuracy"]),
                    _num(q["cue_accuracy"]),
                ]
            )
    lines += _table(
        ["system", "match", "gold", "predicted", "P", "R", "F1", "speaker acc.", "cue acc."], rows
    )
    kind_rows = []
    for s in scored:
        quotes = s["scores"]["quotes"]
        for kind in sorted({k for level in QUOTE_LEVELS for k in quotes[level]["per_kind"]}):
            kind_rows.append(
                [
                    f"`{s['name']}`",
                    kind,
                    *(_num(quotes[level]["per_kind"].get(kind, {}).get("f1")) for level in QUOTE_LEVELS),
                ]
            )
    if kind_rows:
        lines += ["F1 per quote kind:", ""]
        lines += _table(
            ["system", "kind", *(f"F1 {LEVEL_NAMES[level]}" for level in QUOTE_LEVELS)], kind_rows
        )
    return lines


def _events(scored: list[dict[str, Any]]) -> list[str]:
    lines = ["## Events", "", "PLOVER types per record, scored as multi-label classification.", ""]
    lines += _table(
        ["system", "micro P", "micro R", "micro F1", "macro F1", "exact match"],
        (
            [
                f"`{s['name']}`",
                *(_num(s["scores"]["events"]["micro"][k]) for k in ("precision", "recall", "f1")),
                _num(s["scores"]["events"]["macro_f1"]),
                _num(s["scores"]["events"]["exact_match_ratio"]),
            ]
            for s in scored
        ),
    )
    for s in scored:
        events = s["scores"]["events"]
        lines += [f"### `{s['name']}` per type", ""]
        lines += _table(
            ["type", "gold", "predicted", "P", "R", "F1"],
            (_label_row(label, row) for label, row in events["per_type"].items()),
        )
        lines += _confusion(s["name"], events["confusion"])
    return lines


def _confusion(name: str, confusion: dict[str, dict[str, int]]) -> list[str]:
    if not confusion:
        return []
    rows = sorted(r for r in confusion if r != SPURIOUS) + ([SPURIOUS] if SPURIOUS in confusion else [])
    predicted = {c for row in confusion.values() for c in row}
    columns = sorted(c for c in predicted if c != MISSED) + ([MISSED] if MISSED in predicted else [])
    return [
        f"Confusion of `{name}` (rows: gold type, columns: predicted type; a missed and a spurious type in "
        "the same record count as a confusion):",
        "",
        *_table(
            ["gold \\ predicted", *columns],
            ([row, *(confusion[row].get(c, "") for c in columns)] for row in rows),
        ),
    ]


def _comparisons(data: dict[str, Any]) -> list[str]:
    if not data["comparisons"]:
        return []
    lines = [
        "## Paired bootstrap tests",
        "",
        "Difference = score of A minus score of B on the same records; p is two-sided, from the same "
        "resamples for both systems.",
        "",
    ]
    return lines + _table(
        ["metric", "A", "B", "A − B", "p"],
        (
            [c["metric"], f"`{c['a']}`", f"`{c['b']}`", f"{c['difference']:+.3f}", _num(c["p_value"])]
            for c in data["comparisons"]
        ),
    )


def _chart_panels(systems: list[dict[str, Any]]) -> list[tuple[str, str, list[str], dict[str, list[float]]]]:
    """(title, x label, tick labels, F1 per system) for entities (strict) and event types, where scored."""
    panels = []
    for task, title, xlabel in (
        ("entities", "Entities: strict F1 per label", "entity label (gold count)"),
        ("events", "Events: F1 per PLOVER type", "event type (gold count)"),
    ):
        tables = {}
        for s in systems:
            if task in s["scores"]:
                scores = s["scores"][task]
                tables[s["name"]] = (
                    scores["strict"]["per_label"] if task == "entities" else scores["per_type"]
                )
        if not tables:
            continue
        support = {label: row["gold"] for t in tables.values() for label, row in t.items()}
        labels = sorted(label for label, n in support.items() if n > 0) or sorted(support)
        values = {name: [t.get(label, {}).get("f1", 0.0) for label in labels] for name, t in tables.items()}
        panels.append((title, xlabel, [f"{label}\n({support[label]})" for label in labels], values))
    return panels


def write_chart(data: dict[str, Any], path: Path) -> None:
    """Grouped bars: a group per label, a bar per system (one colour per system), F1 on the y axis."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    systems = [s["name"] for s in _ok(data)]
    panels = _chart_panels(_ok(data))
    widest = max((len(p[2]) for p in panels), default=1)
    fig, axes = plt.subplots(
        max(1, len(panels)),
        1,
        figsize=(max(8.0, 0.6 * widest * max(1, len(systems)) ** 0.5 + 4), 4.2 * max(1, len(panels))),
        squeeze=False,
    )
    if not panels:
        axes[0][0].text(0.5, 0.5, "no system produced scores", ha="center", va="center")
        axes[0][0].set_axis_off()
    colours = plt.get_cmap("tab10")
    bar_width = 0.8 / max(1, len(systems))
    for ax, (title, xlabel, labels, values) in zip(axes[:, 0], panels, strict=False):
        for name, f1s in values.items():
            i = systems.index(name)
            positions = [x + (i - (len(systems) - 1) / 2) * bar_width for x in range(len(labels))]
            bars = ax.bar(positions, f1s, width=bar_width, label=name, color=colours(i % 10))
            if len(labels) * len(systems) <= 40:
                ax.bar_label(bars, fmt="%.2f", fontsize="x-small", padding=1)
        ax.set_xticks(range(len(labels)), labels, fontsize="small")
        ax.set_xlim(-0.5, len(labels) - 0.5)
        ax.set_ylim(0, 1.1)
        ax.set_ylabel("F1")
        ax.set_xlabel(xlabel)
        ax.set_title(title)
        ax.grid(axis="y", alpha=0.3)
        ax.legend(title="system", fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1.0))
    split = data["dataset"].get("split")
    fig.suptitle("Per-label F1 by system" + (f", {split} split" if split else ""))
    fig.tight_layout()
    with atomic_output(path, "wb") as out:
        fig.savefig(out, format="png", dpi=110, metadata={"Software": None})
    plt.close(fig)
