"""The dataset card: Hub metadata through DatasetCardData, the sections of the Hub's card template, escaped
user text, licence and date checks, baseline scores without timings, a chart with the same bytes twice."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import orjson
import pytest
from gold_records import synthetic_documents, write_jsonl

from toolkit.errors import UsageError
from toolkit.labels import ONTONOTES_LABELS
from toolkit.options import PackageOptions
from toolkit.packaging.card import (
    CardText,
    baseline_summary,
    card_text_from_settings,
    check_card_text,
    check_date,
    plain_text,
    plot_label_counts,
    render_card,
    size_category,
    summarise_guidelines,
)
from toolkit.packaging.configs import CONFIG_NAMES, DatasetLabels, EntityScheme, features
from toolkit.packaging.release import package_dataset

LABELS = DatasetLabels(entities=EntityScheme("ontonotes", ONTONOTES_LABELS))
FEATURES = {c: features(c, LABELS) for c in CONFIG_NAMES}
REPORT = {
    "dataset": {"split": "test", "records": 6, "path": "dist/news/0.1.0"},
    "systems": [
        {
            "name": "baseline",
            "status": "ok",
            "records_per_second": 812.3,  # a timing: must not reach the card
            "headline": {"entities.strict.f1": {"value": 0.5, "ci95": [0.4, 0.6]}},
        },
        {"name": "broken", "status": "failed", "error": "no such model"},
    ],
}


@pytest.fixture(scope="module")
def gold(tmp_path_factory) -> Path:
    return write_jsonl(tmp_path_factory.mktemp("card") / "gold.jsonl", synthetic_documents(10))


@pytest.fixture(scope="module")
def manifest(gold, tmp_path_factory):
    release = package_dataset(
        inputs=[gold],
        name="news",
        version="0.1.0",
        output_dir=tmp_path_factory.mktemp("dist"),
        options=PackageOptions(validate=False),
    ).dataset_dir
    return orjson.loads((release / "manifest.json").read_bytes())


def _headings(markdown: str) -> list[str]:
    """Headings of levels 2 to 4, with the template's "[optional]" marks dropped."""
    found = re.findall(r"(?m)^#{2,4} (.+)$", markdown)
    return [h.replace("[optional]", "").strip() for h in found]


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


def test_the_card_loads_with_huggingface_hub_and_follows_the_hub_template(manifest, tmp_path):
    from importlib.resources import files

    from huggingface_hub import DatasetCard

    text = CardText(
        pretty_name="News",
        description="About news.",
        license="other",
        license_name="news-terms",
        license_link="https://example.org/terms",
        contact="Write to the curators.",
        curators="The curators",
        guidelines="Be careful.\n\n## Entities\n",
        baselines=baseline_summary(REPORT),
    )
    path = tmp_path / "README.md"
    path.write_text(render_card(manifest, FEATURES, text), encoding="utf-8")
    card = DatasetCard.load(path)
    data = card.data
    assert (data.license, data.license_name, data.license_link) == (
        "other",
        "news-terms",
        "https://example.org/terms",
    )
    assert data.pretty_name == "News" and data.language == ["en"]
    assert data.task_categories == ["token-classification", "text-classification"]
    assert [c["config_name"] for c in data.configs] == list(CONFIG_NAMES) and data.configs[0]["default"]
    assert [i["config_name"] for i in data.dataset_info] == list(CONFIG_NAMES)
    template = (files("huggingface_hub") / "templates" / "datasetcard_template.md").read_text(
        encoding="utf-8"
    )
    wanted = _headings(template)
    ours = [h for h in _headings(card.text) if h in wanted]
    assert ours == [h for h in wanted if h in ours]  # in the template's order
    required = {
        "Dataset Description",
        "Uses",
        "Direct Use",
        "Out-of-Scope Use",
        "Dataset Structure",
        "Source Data",
        "Who are the source data producers?",
        "Annotation process",
        "Personal and Sensitive Information",
        "Bias, Risks, and Limitations",
        "Recommendations",
        "Citation",
        "Dataset Card Contact",
    }
    assert required <= set(ours)
    assert (
        "- **License:** other: `news-terms`, terms in [https://example.org/terms](<https://example.org/terms>)"
        in (card.text)
    )
    assert "Be careful." in card.text and "Sections: Entities." in card.text
    assert "Write to the curators." in card.text


def test_baseline_scores_show_without_timings(manifest):
    card = render_card(
        manifest, FEATURES, CardText("News", "About news.", baselines=baseline_summary(REPORT))
    )
    assert "| `baseline` | entities.strict.f1 | 0.500 | 0.400-0.600 |" in card
    assert "on the test split (6 records)" in card
    assert "broken" not in card and "812" not in card
    assert baseline_summary({"not": "a report"}) is None
    unscored = render_card(manifest, FEATURES, CardText("News", "About news."))
    assert "Not scored when this version was packaged" in unscored


def test_user_text_is_escaped_in_the_body_and_kept_in_the_metadata(manifest, tmp_path):
    from huggingface_hub import DatasetCard

    pretty = "<b>News</b> *now* [x](y)"
    description = "# Not a heading\n- not a list <script>alert(1)</script> & more\n    not code | cell"
    path = tmp_path / "README.md"
    path.write_text(render_card(manifest, FEATURES, CardText(pretty, description)), encoding="utf-8")
    card = DatasetCard.load(path)
    assert card.data.pretty_name == pretty
    assert "# Dataset Card for &lt;b&gt;News&lt;/b&gt; \\*now\\* \\[x\\](y)" in card.text
    escaped = "\\# Not a heading\n\\- not a list &lt;script&gt;alert(1)&lt;/script&gt; &amp; more"
    assert escaped + "\nnot code \\| cell" in card.text
    assert "<script>" not in card.text
    assert plain_text("1. first") == "1\\. first"


def test_section_texts_are_markdown_with_html_shown_as_text(manifest):
    text = CardText("News", "About.", bias_risks_limitations="- **Small.** <img src=x onerror=y>")
    card = render_card(manifest, FEATURES, text)
    assert "- **Small.** &lt;img src=x onerror=y>" in card


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"license": "CC-BY-4.0"}, "not a licence id the Hub accepts"),
        ({"license": "gpl-4.0"}, "not a licence id the Hub accepts"),
        ({"license": "other"}, "needs --license-name"),
        ({"license": "other", "license_name": "Our Terms"}, "needs --license-name"),
        ({"license": "other", "license_name": "ours"}, "needs --license-link"),
        ({"license": "cc-by-4.0", "license_name": "ours"}, "go with --license other only"),
        ({"pretty_name": "two\nlines"}, "one non-empty line"),
        ({"license": "other", "license_name": "ours", "license_link": "terms.md) [x"}, "expected an http"),
        ({"homepage": "javascript:alert(1)"}, "expected an http"),
    ],
)
def test_licence_and_title_are_checked(changes, message):
    with pytest.raises(UsageError, match=message):
        check_card_text(replace(CardText("News", "About."), **changes))


def test_good_licences_pass():
    for changes in (
        {"license": "cc-by-4.0"},
        {"license": "odc-by"},
        {"license": "unknown"},
        {"license": "other", "license_name": "ours", "license_link": "https://example.org/terms"},
        {"license": "other", "license_name": "ours", "license_text": "# Terms\n"},
    ):
        check_card_text(replace(CardText("News", "About."), **changes))


@pytest.mark.parametrize("date", ["2024-02-30", "2024-1-2", "20240102", "yesterday", "2024-01-02T10:00"])
def test_dates_must_be_real_iso_dates(date):
    with pytest.raises(UsageError, match="ISO date"):
        check_date(date)


def test_a_real_date_passes():
    check_date("2024-02-29")
    check_date(None)


def test_citation_is_made_from_the_card_or_taken_as_given(manifest):
    card = render_card(manifest, FEATURES, CardText("News & Views", "About.", curators="Ann Smith"))
    bibtex = card.split("```bibtex\n", 1)[1].split("\n```", 1)[0]
    assert bibtex.startswith("@misc{news_0_1_0,")
    assert "title  = {{News \\& Views}}" in bibtex and "author = {{Ann Smith}}" in bibtex
    assert "Dataset version 0.1.0" in bibtex
    given = "@misc{mine,\n  title = {Mine ```x```}\n}"
    card = render_card(manifest, FEATURES, CardText("News", "About.", citation=given))
    assert "````bibtex\n" + given + "\n````" in card  # the fence outgrows the backticks inside


def test_settings_tables_fill_the_card_and_unknown_keys_are_refused():
    base = CardText("News", "About.")
    card = card_text_from_settings(
        {"license": "cc-by-4.0", "tags": ["news"], "contact": "x"}, base, where="t"
    )
    assert (card.license, card.tags, card.contact) == ("cc-by-4.0", ("news",), "x")
    with pytest.raises(UsageError, match="unknown card keys licence"):
        card_text_from_settings({"licence": "cc-by-4.0"}, base, where="t")
    with pytest.raises(UsageError, match="tags must be a list"):
        card_text_from_settings({"tags": "news"}, base, where="t")


def test_the_licence_text_ships_as_license_md(gold, tmp_path):
    card = CardText(
        "News", "About.", license="other", license_name="ours", license_text="# Terms\n\nBe kind."
    )
    release = package_dataset(
        inputs=[gold],
        name="news",
        version="0.1.0",
        output_dir=tmp_path,
        card=card,
        options=PackageOptions(validate=False, spacy=False),
    ).dataset_dir
    assert (release / "LICENSE.md").read_text() == "# Terms\n\nBe kind.\n"
    manifest = orjson.loads((release / "manifest.json").read_bytes())
    assert "LICENSE.md" in manifest["files"]
    assert "license_link: LICENSE.md" in (release / "README.md").read_text()


def test_the_chart_is_the_same_bytes_every_time(manifest, tmp_path):
    plot_label_counts(tmp_path / "a.png", manifest)
    plot_label_counts(tmp_path / "b.png", manifest)
    assert (tmp_path / "a.png").read_bytes() == (tmp_path / "b.png").read_bytes()
