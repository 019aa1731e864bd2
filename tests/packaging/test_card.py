"""The dataset card: Hub metadata, guidelines summary, baseline table, a chart with the same bytes twice."""

from __future__ import annotations

import orjson
import pytest
from gold_records import synthetic_documents, write_jsonl

from toolkit.labels import ONTONOTES_LABELS
from toolkit.packaging.card import (
    CardText,
    plot_label_counts,
    read_front_matter,
    render_card,
    size_category,
    summarise_guidelines,
)
from toolkit.packaging.configs import CONFIG_NAMES, DatasetLabels, EntityScheme, features
from toolkit.packaging.release import package_dataset


@pytest.fixture(scope="module")
def manifest(tmp_path_factory):
    folder = tmp_path_factory.mktemp("card")
    gold = write_jsonl(folder / "gold.jsonl", synthetic_documents(10))
    release = package_dataset(
        inputs=[gold], name="news", version="0.1.0", output_dir=folder, validate=False, spacy=False
    ).dataset_dir
    return orjson.loads((release / "manifest.json").read_bytes())


def test_size_categories():
    assert [size_category(n) for n in (5, 999, 1000, 250_000, 3_000_000)] == [
        "n<1K",
        "n<1K",
        "1K<n<10K",
        "100K<n<1M",
        "1M<n<10M",
    ]


def test_guidelines_summary_keeps_the_first_paragraph_and_the_sections():
    text = "# Guidelines\n\nMark every named entity once.\n\n## Entities\n\nx\n\n## Quotes\n\ny\n"
    assert summarise_guidelines(text) == ["Mark every named entity once.", "", "Sections: Entities; Quotes."]


def test_card_with_guidelines_and_baselines(manifest):
    labels = DatasetLabels(entities=EntityScheme("ontonotes", ONTONOTES_LABELS))
    text = CardText(
        pretty_name="News",
        description="About news.",
        license="cc-by-4.0",
        guidelines="Be careful.\n\n## Entities\n",
        baselines={"baseline": {"entities": {"f1": 0.61234}}},
    )
    card = render_card(manifest, {c: features(c, labels) for c in CONFIG_NAMES}, text)
    meta = read_front_matter(card)
    assert meta["license"] == "cc-by-4.0" and meta["pretty_name"] == "News"
    assert [i["config_name"] for i in meta["dataset_info"]] == list(CONFIG_NAMES)
    assert "| baseline.entities.f1 | 0.6123 |" in card
    assert "Be careful." in card and "Sections: Entities." in card


def test_the_chart_is_the_same_bytes_every_time(manifest, tmp_path):
    plot_label_counts(tmp_path / "a.png", manifest)
    plot_label_counts(tmp_path / "b.png", manifest)
    assert (tmp_path / "a.png").read_bytes() == (tmp_path / "b.png").read_bytes()


def test_card_shows_the_headline_scores_of_a_benchmark_report(manifest):
    labels = DatasetLabels(entities=EntityScheme("ontonotes", ONTONOTES_LABELS))
    report = {
        "systems": [
            {
                "name": "baseline",
                "status": "ok",
                "headline": {"entities.strict.f1": {"value": 0.5, "ci95": [0.4, 0.6]}},
            },
            {"name": "broken", "status": "failed", "headline": {}},
        ]
    }
    text = CardText(pretty_name="News", description="About news.", baselines=report)
    card = render_card(manifest, {c: features(c, labels) for c in CONFIG_NAMES}, text)
    assert "| baseline | entities.strict.f1 | 0.500 | 0.400-0.600 |" in card
    assert "broken" not in card
