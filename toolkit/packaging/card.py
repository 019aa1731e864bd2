"""The dataset card (README.md with Hub YAML metadata) and its label-count chart, rendered from the manifest.

Everything the card says comes from the manifest and the declared features, so the card never disagrees with
the data and two builds of the same inputs render the same bytes (no clock time unless a date is given).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from toolkit.packaging.configs import CONFIG_NAMES, DEFAULT_CONFIG

if TYPE_CHECKING:
    from datasets import Features

CHART_FILE = "label_counts.png"
TASKS: tuple[tuple[str, str], ...] = (
    ("entities", "Entity labels"),
    ("quote_kinds", "Quote kinds"),
    ("event_types", "PLOVER event types"),
)
CONFIG_PURPOSE = {
    "entities": "tokens with IOB2 `ner_tags` (conll2003 layout) and character-offset `entities`",
    "quotes": "quotes: content, speaker and cue offsets, kind, speaker text, resolved speaker",
    "events": "PLOVER event types per sentence (multi-label) and their triggers",
    "full": "the whole record: tokens, spans, quotes, events, meta, provenance (rebuilds the JSONL exactly)",
}
SIZE_CATEGORIES = (
    (1_000, "n<1K"),
    (10_000, "1K<n<10K"),
    (100_000, "10K<n<100K"),
    (1_000_000, "100K<n<1M"),
    (10_000_000, "1M<n<10M"),
    (100_000_000, "10M<n<100M"),
)


@dataclass(frozen=True)
class CardText:
    """What the manifest does not hold: words for people."""

    pretty_name: str
    description: str
    license: str = "other"
    language: tuple[str, ...] = ("en",)
    tags: tuple[str, ...] = ("news", "named-entity-recognition", "quotation-attribution", "plover", "events")
    guidelines: str | None = None  # Markdown of the annotation guidelines, summarised in the card
    baselines: Mapping[str, Any] | None = None
    extra_sources: Sequence[str] = field(default_factory=tuple)


def size_category(records: int) -> str:
    return next((name for limit, name in SIZE_CATEGORIES if records < limit), "n>100M")


def annotations_creators(manifest: Mapping[str, Any]) -> list[str]:
    kinds = set(manifest["sources"].get("annotation_sources", []))
    creators = []
    if "human" in kinds or manifest["sources"].get("annotators"):
        creators.append("expert-generated")
    if kinds & {"model", "rule"}:
        creators.append("machine-generated")
    return creators or ["expert-generated"]


def front_matter(
    manifest: Mapping[str, Any], features: Mapping[str, Features], text: CardText
) -> dict[str, Any]:
    """The card's YAML metadata: Hub fields, configs (entities default) and dataset_info per config."""
    configs, infos = [], []
    for name in CONFIG_NAMES:
        splits = manifest["configs"][name]["splits"]
        entry: dict[str, Any] = {
            "config_name": name,
            "data_files": [{"split": split, "path": info["path"]} for split, info in splits.items()],
        }
        if name == DEFAULT_CONFIG:
            entry["default"] = True
        configs.append(entry)
        infos.append(
            {
                "config_name": name,
                "features": features[name]._to_yaml_list(),
                "splits": [
                    {"name": split, "num_bytes": info["num_bytes"], "num_examples": info["num_examples"]}
                    for split, info in splits.items()
                ],
                "download_size": manifest["configs"][name]["download_size"],
                "dataset_size": sum(info["num_bytes"] for info in splits.values()),
            }
        )
    return {
        "license": text.license,
        "language": list(text.language),
        "pretty_name": text.pretty_name,
        "size_categories": [size_category(manifest["records"]["packaged"])],
        "task_categories": ["token-classification", "text-classification"],
        "task_ids": ["named-entity-recognition", "multi-label-classification"],
        "annotations_creators": annotations_creators(manifest),
        "source_datasets": ["original"],
        "tags": list(text.tags),
        "configs": configs,
        "dataset_info": infos,
    }


def _table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return lines


def _split_names(manifest: Mapping[str, Any]) -> list[str]:
    return list(manifest["splits"])


def _label_tables(manifest: Mapping[str, Any]) -> list[str]:
    splits = _split_names(manifest)
    lines: list[str] = []
    for task, title in TASKS:
        counts = manifest["label_counts"][task]
        names = manifest["label_sets"][task]
        rows = [
            [name, *(counts[s].get(name, 0) for s in splits), sum(counts[s].get(name, 0) for s in splits)]
            for name in names
        ]
        shown = [row for row in rows if row[-1]] or []
        lines += ["", f"### {title}", ""]
        if not shown:
            lines.append(f"None annotated yet; the label set is: {', '.join(names)}.")
            continue
        lines += _table(["label", *splits, "all"], shown)
        unused = [row[0] for row in rows if not row[-1]]
        if unused:
            lines += ["", f"Not present in this version: {', '.join(unused)}."]
    return lines


def summarise_guidelines(markdown: str, *, max_chars: int = 600) -> list[str]:
    """The guidelines' first paragraph and their section headings."""
    paragraphs = [p.strip() for p in markdown.split("\n\n") if p.strip()]
    first = next((p for p in paragraphs if not p.startswith("#")), "")
    headings = [line.lstrip("#").strip() for line in markdown.splitlines() if line.startswith("## ")]
    lines = []
    if first:
        lines += [first if len(first) <= max_chars else first[:max_chars].rsplit(" ", 1)[0] + " ...", ""]
    if headings:
        lines.append("Sections: " + "; ".join(headings) + ".")
    return lines


def _flatten_scores(value: Any, prefix: str = "") -> list[tuple[str, Any]]:
    if isinstance(value, Mapping):
        rows = []
        for key in sorted(value):
            rows += _flatten_scores(value[key], f"{prefix}.{key}" if prefix else str(key))
        return rows
    if isinstance(value, int | float) and not isinstance(value, bool):
        return [(prefix, round(value, 4) if isinstance(value, float) else value)]
    return []


def _headline_scores(report: Mapping[str, Any]) -> list[list[Any]]:
    """The headline scores of a ``toolkit benchmark`` report.json, one row per system and score."""
    rows = []
    for system in report.get("systems", []) if isinstance(report.get("systems"), list) else []:
        if system.get("status") != "ok":
            continue
        for name, score in sorted(system.get("headline", {}).items()):
            low, high = (score.get("ci95") or [None, None])[:2]
            interval = f"{low:.3f}-{high:.3f}" if low is not None and high is not None else ""
            rows.append([system.get("name"), name, f"{score.get('value', 0):.3f}", interval])
    return rows


def _changelog(manifest: Mapping[str, Any]) -> list[str]:
    lines: list[str] = []
    for entry in manifest["changelog"]:
        when = f" ({entry['date']})" if entry.get("date") else ""
        lines += ["", f"### {entry['version']}{when}", ""]
        if entry.get("previous") is None:
            lines.append(f"- First release: {entry['records']} records.")
        else:
            lines.append(
                f"- Against {entry['previous']}: {entry['added']} records added, {entry['removed']} removed, "
                f"{entry['changed']} changed; {entry['records']} records in all."
            )
        deltas = [
            f"{task} {label} {delta:+d}"
            for task, labels in sorted(entry.get("label_deltas", {}).items())
            for label, delta in sorted(labels.items())
        ]
        if deltas:
            lines.append("- Label counts: " + ", ".join(deltas) + ".")
        if entry.get("label_set_changed"):
            lines.append("- The label set changed: " + entry["label_set_changed"] + ".")
    return lines


def _body(manifest: Mapping[str, Any], text: CardText) -> list[str]:
    name, version = manifest["name"], manifest["version"]
    splits = _split_names(manifest)
    method = manifest["split_method"]
    near = manifest["near_duplicates"]
    sources = manifest["sources"]
    released = f" Released {manifest['date']}." if manifest.get("date") else ""
    lines = [
        f"# {text.pretty_name}",
        "",
        f"Version {version} of `{name}`.{released}",
        "",
        text.description,
        "",
    ]
    lines += ["## Dataset structure", ""]
    lines += _table(
        ["config", "contents"],
        [[f"`{c}`" + (" (default)" if c == DEFAULT_CONFIG else ""), CONFIG_PURPOSE[c]] for c in CONFIG_NAMES],
    )
    lines += [""]
    lines += _table(
        ["split", "records", "groups"],
        [[s, manifest["splits"][s]["records"], manifest["splits"][s]["groups"]] for s in splits],
    )
    lines += [
        "",
        f"Entity scheme: {manifest['entity_scheme']}. `ner_tags` names, in order: "
        f"{', '.join(manifest['label_sets']['ner_tags'])}.",
        "",
    ]
    lines += ["## Sources", ""]
    lines += _table(
        ["input file", "records", "sha256"],
        [[i["name"], i["records"], i["sha256"][:16]] for i in manifest["inputs"]],
    )
    dates = sources.get("dates")
    lines += [
        "",
        f"Documents: {sources['documents']}" + (f", dated {dates[0]} to {dates[1]}" if dates else "") + ".",
    ]
    if sources.get("outlets"):
        lines.append("Source files: " + ", ".join(f"`{o}`" for o in sources["outlets"]) + ".")
    lines += [f"- {extra}" for extra in text.extra_sources]
    lines += ["", "## Labels", "", f"![Label counts per split]({CHART_FILE})"]
    lines += _label_tables(manifest)
    lines += ["", "## How the splits were made", ""]
    lines += [
        f"Records are grouped by `{method['group_by']}`; whole groups go to one split, never lone sentences. "
        f"A group's split is a pure function of its id and the seed ({method['seed']}): sha256 of "
        f'`"<seed>:<group>"`, first 8 bytes over 2^64, cut at ratios {method["ratios_text"]}. '
        "Adding documents never moves old ones; groups from the previous version keep their split "
        f"({method['bound_from_previous']} here).",
    ]
    for repair in method["repairs"]:
        lines.append(
            f"- Repair: {', '.join(repair['groups'])} moved from {repair['from']} to {repair['to']} "
            f"({repair['reason']})."
        )
    lines += [
        "",
        f"Near-duplicate groups (MinHash over {near['shingle_words']}-word shingles, "
        f"{near['num_perm']} permutations, LSH threshold {near['threshold']}, shingle sample 1 in "
        f"{near['sample_rate']}) are kept in one split. Clusters found: {len(near['clusters'])}.",
    ]
    for cluster in near["clusters"][:50]:
        lines.append(f"- {', '.join(cluster)} -> {manifest['groups'][cluster[0]]}")
    if len(near["clusters"]) > 50:
        lines.append(f"- ... {len(near['clusters']) - 50} more in manifest.json")
    lines += ["", "## Annotation guidelines", ""]
    lines += summarise_guidelines(text.guidelines) if text.guidelines else ["No guidelines were supplied."]
    lines += ["", "## Baseline scores", ""]
    headline = _headline_scores(text.baselines) if text.baselines else []
    scores = _flatten_scores(text.baselines) if text.baselines and not headline else []
    if headline:
        lines += _table(["system", "score", "value", "95% CI"], headline)
    elif scores:
        lines += _table(["score", "value"], scores[:60])
    else:
        lines.append(
            f"Not known when this version was packaged; `toolkit benchmark` writes them to "
            f"`reports/{name}-{version}/`."
        )
    lines += [
        "",
        "## How to load",
        "",
        "```python",
        "from datasets import load_dataset",
        "",
        f'ds = load_dataset("dist/{name}/{version}", "entities")  # or "quotes", "events", "full"',
        f'# from the Hub: load_dataset("<user>/{name}", "entities", revision="v{version}")',
        "```",
        "",
    ]
    if manifest.get("spacy"):
        lines += [
            "spaCy: `python -m spacy train config.cfg --paths.train spacy/train "
            "--paths.dev spacy/validation` (DocBin shards: entities, quote span groups, event cats).",
            "",
        ]
    lines += ["`manifest.json` lists the sha256 of every file; `toolkit verify DIR` checks them.", ""]
    lines += ["## Changelog", *_changelog(manifest), ""]
    return lines


def render_card(manifest: Mapping[str, Any], features: Mapping[str, Features], text: CardText) -> str:
    import yaml

    meta = yaml.safe_dump(
        front_matter(manifest, features, text), sort_keys=False, allow_unicode=True, width=120
    )
    return "---\n" + meta + "---\n\n" + "\n".join(_body(manifest, text))


def read_front_matter(card_text: str) -> dict[str, Any]:
    """The YAML metadata of a card; an empty dict when it has none."""
    import yaml

    if not card_text.startswith("---\n"):
        return {}
    end = card_text.find("\n---\n", 4)
    if end < 0:
        return {}
    data = yaml.safe_load(card_text[4:end])
    return data if isinstance(data, dict) else {}


def plot_label_counts(path: Path, manifest: Mapping[str, Any]) -> None:
    """A PNG of label counts per split, one panel per task; labels absent from every split are left out."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    splits = _split_names(manifest)
    figure = Figure(figsize=(9, 10), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.subplots(len(TASKS), 1)
    for axis, (task, title) in zip(axes, TASKS, strict=True):
        counts = manifest["label_counts"][task]
        names = [n for n in manifest["label_sets"][task] if any(counts[s].get(n, 0) for s in splits)]
        axis.set_title(title)
        if not names:
            axis.text(0.5, 0.5, "none annotated", ha="center", va="center", transform=axis.transAxes)
            axis.set_axis_off()
            continue
        height = 0.8 / max(len(splits), 1)
        for offset, split in enumerate(splits):
            positions = [i + offset * height for i in range(len(names))]
            axis.barh(positions, [counts[split].get(n, 0) for n in names], height=height, label=split)
        axis.set_yticks([i + height * (len(splits) - 1) / 2 for i in range(len(names))], names, fontsize=8)
        axis.invert_yaxis()
        axis.legend(fontsize=8)
    figure.tight_layout()
    # No software or date stamps in the file, so a rebuild gives the same bytes.
    figure.savefig(path, format="png", metadata={"Software": None})


def manifest_bytes(manifest: Mapping[str, Any]) -> bytes:
    return orjson.dumps(manifest, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS) + b"\n"
