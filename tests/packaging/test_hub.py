"""Hub publishing: one upload_folder commit of the release, then a vX.Y.Z tag; tested up to the network.

The fake API keeps the tags it was given, so a retried push and a tag already on another commit behave as on
the Hub (``create_tag(exist_ok=True)`` leaves an existing tag where it is)."""

from __future__ import annotations

import os
from types import SimpleNamespace

import orjson
import pytest
from gold_records import synthetic_documents, write_jsonl
from typer.testing import CliRunner

from toolkit.cli import app
from toolkit.errors import OverwriteError, UsageError
from toolkit.options import PackageOptions
from toolkit.packaging.hub import plan_push, push_dataset
from toolkit.packaging.release import package_dataset


class FakeHfApi:
    """Records the calls the real HfApi would send, and keeps the repository's tags."""

    calls: list[tuple[str, dict]] = []

    def __init__(self, *args, commit: str = "abc123", **kwargs):
        self.calls.clear()
        self.commit = commit
        self.tags: dict[str, str] = {}

    def create_repo(self, **kwargs):
        self.calls.append(("create_repo", kwargs))

    def upload_folder(self, **kwargs):
        self.calls.append(("upload_folder", kwargs))
        return SimpleNamespace(
            oid=self.commit, commit_url=f"https://huggingface.co/datasets/me/news/commit/{self.commit}"
        )

    def create_tag(self, repo_id, **kwargs):
        self.calls.append(("create_tag", {"repo_id": repo_id, **kwargs}))
        if kwargs["tag"] in self.tags and not kwargs.get("exist_ok"):
            raise RuntimeError("409 Conflict: tag exists")
        self.tags.setdefault(kwargs["tag"], kwargs["revision"])

    def list_repo_refs(self, repo_id, repo_type):
        self.calls.append(("list_repo_refs", {"repo_id": repo_id, "repo_type": repo_type}))
        tags = [SimpleNamespace(name=name, target_commit=commit) for name, commit in self.tags.items()]
        return SimpleNamespace(tags=tags, branches=[])


@pytest.fixture(scope="module")
def release(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hub")
    gold = write_jsonl(folder / "gold.jsonl", synthetic_documents(8))
    return package_dataset(
        inputs=[gold],
        name="news",
        version="1.2.0",
        output_dir=folder / "dist",
        options=PackageOptions(validate=False, spacy=False),
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
    assert names == ["create_repo", "upload_folder", "create_tag", "list_repo_refs"]
    assert api.calls[0][1] == {
        "repo_id": "me/news",
        "repo_type": "dataset",
        "exist_ok": True,
        "private": False,
    }
    upload = api.calls[1][1]
    assert upload["repo_type"] == "dataset" and upload["folder_path"] == str(release)
    assert "README.md" in upload["allow_patterns"] and upload["delete_patterns"] == ["*"]
    assert api.calls[2][1] == {
        "repo_id": "me/news",
        "repo_type": "dataset",
        "tag": "v1.2.0",
        "revision": "abc123",
        "tag_message": "Release news 1.2.0",
        "exist_ok": True,
    }
    assert (result.tag, result.commit) == ("v1.2.0", "abc123")
    assert all("token" not in kwargs for _, kwargs in api.calls)  # the token is huggingface_hub's business


def test_a_retried_push_finds_its_tag_and_succeeds(release):
    api = FakeHfApi()
    push_dataset(dataset_dir=release, repo="me/news", version="1.2.0", api=api)
    again = push_dataset(dataset_dir=release, repo="me/news", version="1.2.0", api=api)  # as after a timeout
    assert again.tag == "v1.2.0" and api.tags == {"v1.2.0": "abc123"}


def test_a_tag_on_another_commit_is_never_moved(release):
    api = FakeHfApi(commit="new456")
    api.tags["v1.2.0"] = "old123"
    with pytest.raises(OverwriteError, match="already has tag v1.2.0 on commit old123"):
        push_dataset(dataset_dir=release, repo="me/news", version="1.2.0", api=api)
    assert api.tags == {"v1.2.0": "old123"}


def test_private_reaches_create_repo(release):
    api = FakeHfApi()
    push_dataset(dataset_dir=release, repo="me/news", version="1.2.0", private=True, api=api)
    assert api.calls[0] == (
        "create_repo",
        {"repo_id": "me/news", "repo_type": "dataset", "exist_ok": True, "private": True},
    )


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
            "--private",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "tagged v0.3.0" in result.stderr
    assert [name for name, _ in FakeHfApi.calls] == [
        "create_repo",
        "upload_folder",
        "create_tag",
        "list_repo_refs",
    ]
    assert FakeHfApi.calls[0][1]["private"] is True
    card = (tmp_path / "dist" / "news" / "0.3.0" / "README.md").read_text()
    assert 'load_dataset("me/news", "entities", revision="v0.3.0")' in card


@pytest.mark.network
@pytest.mark.skipif(
    not (os.environ.get("HF_TOKEN") and os.environ.get("TOOLKIT_TEST_HUB_REPO")),
    reason="needs HF_TOKEN and TOOLKIT_TEST_HUB_REPO (a dataset repo you may write to)",
)
def test_push_to_the_real_hub(release):
    result = push_dataset(dataset_dir=release, repo=os.environ["TOOLKIT_TEST_HUB_REPO"], version="1.2.0")
    assert result.tag == "v1.2.0" and result.commit
