"""Hub publishing: one upload_folder commit of the release, then a vX.Y.Z tag; tested up to the network."""

from __future__ import annotations

import os
from types import SimpleNamespace

import orjson
import pytest
from gold_records import synthetic_documents, write_jsonl
from typer.testing import CliRunner

from toolkit.cli import app
from toolkit.errors import UsageError
from toolkit.packaging.hub import plan_push, push_dataset
from toolkit.packaging.release import package_dataset


class FakeHfApi:
    """Records the calls the real HfApi would send."""

    calls: list[tuple[str, dict]] = []

    def __init__(self, *args, **kwargs):
        self.calls.clear()

    def create_repo(self, **kwargs):
        self.calls.append(("create_repo", kwargs))

    def upload_folder(self, **kwargs):
        self.calls.append(("upload_folder", kwargs))
        return SimpleNamespace(
            oid="abc123", commit_url="https://huggingface.co/datasets/me/news/commit/abc123"
        )

    def create_tag(self, repo_id, **kwargs):
        self.calls.append(("create_tag", {"repo_id": repo_id, **kwargs}))


@pytest.fixture(scope="module")
def release(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hub")
    gold = write_jsonl(folder / "gold.jsonl", synthetic_documents(8))
    return package_dataset(
        inputs=[gold], name="news", version="1.2.0", output_dir=folder / "dist", validate=False, spacy=False
    ).dataset_dir


def test_plan_lists_every_file_and_the_tag(release):
    plan = plan_push(dataset_dir=release, repo="me/news", version="1.2.0")
    manifest = orjson.loads((release / "manifest.json").read_bytes())
    assert plan.files == sorted([*manifest["files"], "manifest.json"])
    assert plan.tag == "v1.2.0" and plan.commit_message == "Release news 1.2.0"
    with pytest.raises(UsageError):
        plan_push(dataset_dir=release, repo="news", version="1.2.0")
    with pytest.raises(UsageError, match="holds version 1.2.0"):
        plan_push(dataset_dir=release, repo="me/news", version="1.3.0")


def test_push_is_one_commit_then_a_tag_on_it(release):
    api = FakeHfApi()
    result = push_dataset(dataset_dir=release, repo="me/news", version="1.2.0", api=api)
    names = [name for name, _ in api.calls]
    assert names == ["create_repo", "upload_folder", "create_tag"]
    upload = api.calls[1][1]
    assert upload["repo_type"] == "dataset" and upload["folder_path"] == str(release)
    assert "README.md" in upload["allow_patterns"] and upload["delete_patterns"] == ["*"]
    assert api.calls[2][1] == {
        "repo_id": "me/news",
        "repo_type": "dataset",
        "tag": "v1.2.0",
        "revision": "abc123",
        "tag_message": "Release news 1.2.0",
    }
    assert (result.tag, result.commit) == ("v1.2.0", "abc123")
    assert all("token" not in kwargs for _, kwargs in api.calls)  # the token is huggingface_hub's business


def test_without_a_token_it_stops_before_the_network(release, monkeypatch):
    import huggingface_hub

    monkeypatch.setattr(huggingface_hub, "get_token", lambda: None)
    with pytest.raises(UsageError, match="no Hugging Face token"):
        push_dataset(dataset_dir=release, repo="me/news", version="1.2.0")


def test_cli_package_pushes_after_writing(tmp_path, monkeypatch):
    import huggingface_hub

    monkeypatch.setattr(huggingface_hub, "HfApi", FakeHfApi)
    monkeypatch.setattr(huggingface_hub, "get_token", lambda: "hf_fake")
    gold = write_jsonl(tmp_path / "gold.jsonl", synthetic_documents(4))
    result = CliRunner().invoke(
        app,
        [
            "package",
            str(gold),
            "--name",
            "news",
            "--version",
            "0.3.0",
            "-o",
            str(tmp_path / "dist"),
            "--no-spacy",
            "--push-to-hub",
            "me/news",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "tagged v0.3.0" in result.stderr
    assert [name for name, _ in FakeHfApi.calls] == ["create_repo", "upload_folder", "create_tag"]


@pytest.mark.network
@pytest.mark.skipif(
    not (os.environ.get("HF_TOKEN") and os.environ.get("TOOLKIT_TEST_HUB_REPO")),
    reason="needs HF_TOKEN and TOOLKIT_TEST_HUB_REPO (a dataset repo you may write to)",
)
def test_push_to_the_real_hub(release):
    result = push_dataset(dataset_dir=release, repo=os.environ["TOOLKIT_TEST_HUB_REPO"], version="1.2.0")
    assert result.tag == "v1.2.0" and result.commit
