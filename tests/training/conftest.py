"""The shipped gold packaged as the seed release is (train 21, validation 11, test 4), and one pipeline
trained on it for one short epoch, shared by the training tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from toolkit.options import PackageOptions, TrainOptions
from toolkit.packaging.release import package_dataset


@pytest.fixture(scope="session")
def seed_release(tmp_path_factory, root) -> Path:
    folder = tmp_path_factory.mktemp("release")
    return package_dataset(
        inputs=[root / "annotations" / "gold" / "seed.jsonl"],
        name="ukraine-liveblog",
        version="1.1.0",
        output_dir=folder / "dist",
        options=PackageOptions(group_by="paragraph", splits="0.6,0.2,0.2", seed=0),
    ).dataset_dir


@pytest.fixture(scope="session")
def trained(tmp_path_factory, seed_release):
    """Every task for one epoch, none left out: (summary, pipeline folder)."""
    from toolkit.training.train import train_pipeline

    out = tmp_path_factory.mktemp("models") / "all"
    summary = train_pipeline(
        dataset_dir=seed_release, output_dir=out, options=TrainOptions(epochs=1, min_f1=0.0, seed=0)
    )
    return summary, out
