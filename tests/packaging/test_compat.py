"""The Parquet files load with datasets 3.x as with the installed datasets: the features embedded in each file
are written in the form both read (lists as ``[feature]``; datasets 3.x has no ``List`` type).

The cross-version test needs a Python with datasets 3.x: set TOOLKIT_TEST_DATASETS3_PYTHON to it (for example
a throwaway ``python3.11 -m venv /tmp/ds3 && /tmp/ds3/bin/pip install datasets==3.0.2``); it is skipped
otherwise, and the test below it checks the embedded form without one.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import orjson
import pytest
from gold_records import synthetic_documents, write_jsonl

from toolkit.labels import ONTONOTES_LABELS
from toolkit.options import PackageOptions
from toolkit.packaging.configs import CONFIG_NAMES, DatasetLabels, EntityScheme, arrow_schema, features
from toolkit.packaging.release import package_dataset

LABELS = DatasetLabels(entities=EntityScheme("ontonotes", ONTONOTES_LABELS))
# Loads every config of a release from its folder and from one Parquet file, and prints rows and features.
LOADER = """
import json, sys
import datasets
from datasets import load_dataset
folder, cache = sys.argv[1], sys.argv[2]


def ner_names(found):
    tags = found["ner_tags"]  # datasets 3.x: a list [ClassLabel]; 4 and later: List(ClassLabel)
    return (tags[0] if isinstance(tags, list) else tags.feature).names


out = {"version": datasets.__version__}
for config in ("entities", "quotes", "events", "full"):
    whole = load_dataset(folder, config, cache_dir=cache)
    files = {"train": f"{folder}/data/{config}/train.parquet"}
    single = load_dataset("parquet", data_files=files, cache_dir=cache)
    out[config] = {
        "rows": {split: whole[split].to_list() for split in whole},
        "single": single["train"].to_list(),
        "labels": [str(type(f).__name__) for f in single["train"].features.values()],
        "ner": ner_names(single["train"].features) if config == "entities" else None,
    }
print(json.dumps(out, sort_keys=True))
"""


@pytest.fixture(scope="module")
def release(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("compat")
    gold = write_jsonl(folder / "gold.jsonl", synthetic_documents(12))
    return package_dataset(
        inputs=[gold],
        name="news",
        version="1.0.0",
        output_dir=folder / "dist",
        options=PackageOptions(validate=False, spacy=False),
    ).dataset_dir


def _load(python: str, release: Path, cache: Path) -> dict:
    env = {**os.environ, "HF_DATASETS_OFFLINE": "1", "HF_HUB_OFFLINE": "1"}
    done = subprocess.run(
        [python, "-c", LOADER, str(release), str(cache)], capture_output=True, text=True, env=env, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return orjson.loads(done.stdout.strip().splitlines()[-1])


def test_embedded_features_use_only_the_form_datasets_3_reads():
    from datasets import Features

    for config in CONFIG_NAMES:
        schema = arrow_schema(config, LABELS)
        embedded = orjson.loads(schema.metadata[b"huggingface"])["info"]["features"]
        assert b'"List"' not in orjson.dumps(embedded)  # the type datasets 3.x cannot find
        assert Features.from_dict(embedded) == features(config, LABELS)
        assert Features.from_arrow_schema(schema) == features(config, LABELS)


@pytest.mark.slow
@pytest.mark.skipif(
    not os.environ.get("TOOLKIT_TEST_DATASETS3_PYTHON"),
    reason="needs TOOLKIT_TEST_DATASETS3_PYTHON: a Python with datasets 3.x installed",
)
def test_datasets_3_loads_the_same_rows_and_class_labels(release, tmp_path):
    old = _load(os.environ["TOOLKIT_TEST_DATASETS3_PYTHON"], release, tmp_path / "old")
    new = _load(sys.executable, release, tmp_path / "new")
    assert old["version"].startswith("3.")
    for config in CONFIG_NAMES:
        assert old[config]["rows"] == new[config]["rows"]
        assert old[config]["single"] == new[config]["single"]
    assert old["entities"]["ner"] == new["entities"]["ner"] == list(LABELS.entities.tags)
