"""Publish a packaged dataset version on the Hugging Face Hub: one commit, then a ``vX.Y.Z`` tag.

The token comes from the environment (``HF_TOKEN``) or ``hf auth login``, through huggingface_hub itself; the
toolkit never reads, prints or writes it. Users then load ``load_dataset(repo, config, revision="vX.Y.Z")``.

A push can be retried: the repository and the tag may already exist (an unchanged folder makes no new
commit), but a tag that points at another commit than this release's is an error, never moved.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from toolkit.errors import InputError, OverwriteError, UsageError

MANIFEST_FILE = "manifest.json"


@dataclass(frozen=True)
class PushPlan:
    repo: str
    folder: Path
    files: list[str]
    tag: str
    commit_message: str


@dataclass(frozen=True)
class PushResult:
    repo: str
    tag: str
    files: int
    commit: str | None
    url: str | None


def plan_push(*, dataset_dir: str | Path, repo: str, version: str) -> PushPlan:
    """What would be uploaded: every file the manifest lists, the manifest, and the tag name."""
    folder = Path(dataset_dir)
    manifest_path = folder / MANIFEST_FILE
    if not manifest_path.is_file():
        raise InputError(
            "not a packaged dataset version (no manifest.json)", path=str(folder), rule="push-manifest"
        )
    if repo.count("/") != 1 or not all(repo.split("/")):
        raise UsageError(f"--push-to-hub {repo}: expected a repository id such as user/dataset-name")
    manifest = orjson.loads(manifest_path.read_bytes())
    if manifest.get("version") != version:
        raise UsageError(f"{folder} holds version {manifest.get('version')}, not {version}")
    files = sorted([*manifest["files"], MANIFEST_FILE])
    return PushPlan(
        repo=repo,
        folder=folder,
        files=files,
        tag=f"v{version}",
        commit_message=f"Release {manifest['name']} {version}",
    )


def push_dataset(
    *, dataset_dir: str | Path, repo: str, version: str, private: bool = False, api: Any = None
) -> PushResult:
    """Upload the version folder in one commit (files no longer in the release are deleted), then tag it.

    ``private`` creates the repository private; an existing repository keeps its visibility.
    """
    from huggingface_hub import HfApi, get_token

    plan = plan_push(dataset_dir=dataset_dir, repo=repo, version=version)
    if api is None:
        if get_token() is None:
            raise UsageError("no Hugging Face token", hint="set HF_TOKEN or run `hf auth login`")
        api = HfApi()
    api.create_repo(repo_id=plan.repo, repo_type="dataset", exist_ok=True, private=private)
    commit = api.upload_folder(
        repo_id=plan.repo,
        repo_type="dataset",
        folder_path=str(plan.folder),
        allow_patterns=plan.files,
        # The revision must hold exactly this release: files of older releases go in the same commit.
        delete_patterns=["*"],
        commit_message=plan.commit_message,
    )
    oid = getattr(commit, "oid", None)
    api.create_tag(
        repo_id=plan.repo,
        repo_type="dataset",
        tag=plan.tag,
        revision=oid,
        tag_message=plan.commit_message,
        exist_ok=True,
    )
    tagged = tag_commit(api, plan.repo, plan.tag)
    if oid is not None and tagged is not None and tagged != oid:
        raise OverwriteError(
            f"{plan.repo} already has tag {plan.tag} on commit {tagged}, not on this release's {oid}",
            hint="a released version is never rewritten: package a new --version",
        )
    return PushResult(
        repo=plan.repo,
        tag=plan.tag,
        files=len(plan.files),
        commit=oid,
        url=getattr(commit, "commit_url", None),
    )


def tag_commit(api: Any, repo: str, tag: str) -> str | None:
    """The commit a tag of the dataset repository points at, or None when there is no such tag."""
    refs = api.list_repo_refs(repo_id=repo, repo_type="dataset")
    return next((ref.target_commit for ref in refs.tags if ref.name == tag), None)
