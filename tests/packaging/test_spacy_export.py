"""spaCy DocBin export: the gold in doc.ents, span groups and doc.cats, and ``spacy train`` runs on it."""

from __future__ import annotations

from pathlib import Path

import pytest
from gold_records import make_record, seed_gold, write_jsonl

from toolkit.labels import PLOVER_TYPES
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


@pytest.mark.slow
def test_spacy_train_runs_a_few_steps_on_the_exported_docbins(tmp_path, seed_path):
    from spacy.cli.init_config import init_config
    from spacy.cli.train import train

    gold = write_jsonl(tmp_path / "gold.jsonl", seed_gold(seed_path))
    release = package_dataset(
        inputs=[gold],
        name="blog",
        version="0.1.0",
        output_dir=tmp_path / "dist",
        group_by="paragraph",
        validate=False,
    ).dataset_dir
    config = init_config(lang="en", pipeline=["ner"], optimize="efficiency")
    config["training"]["max_steps"] = 20
    config["training"]["eval_frequency"] = 10
    config["nlp"]["batch_size"] = 8
    config_path = tmp_path / "config.cfg"
    config.to_disk(config_path)
    output = tmp_path / "model"
    train(
        config_path,
        output,
        overrides={
            "paths.train": str(release / "spacy" / "train"),
            "paths.dev": str(release / "spacy" / "validation"),
        },
    )
    assert (output / "model-last" / "ner").is_dir()
    import spacy

    nlp = spacy.load(output / "model-last")
    assert set(nlp.get_pipe("ner").labels) >= {"GPE", "PERSON"}
    assert isinstance(nlp("Kyiv said on Thursday.").ents, tuple)
    assert Path(output / "model-best").is_dir()
