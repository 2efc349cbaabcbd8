"""Versioned publishing to the Hub: one commit per publish, then an immutable version tag.

    publish_dataset("out/ncbi-synthetic", "clingen/ncbi-synthetic", "v1.0.0")
    list_versions("clingen/ncbi-synthetic")
    publish_to_directory("out/ncbi-synthetic", "/data/hub-mirror", "clingen/ncbi-synthetic", "v1.0.0")  # offline

The local directory already has the layout of a Hub dataset repo (`hub.py`), so it is
uploaded as it is, in one commit that also removes remote files the directory no longer has.
The tag is created only after the commit succeeded, on that commit: a failed upload leaves no
version pointing at partial data, and a retry completes it. `HF_ENDPOINT` selects a private
or self-hosted Hub; the token comes from `HF_TOKEN` or the user's login.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from huggingface_hub import DatasetCard, HfApi, hf_hub_download
from huggingface_hub.errors import HfHubHTTPError, RepositoryNotFoundError
from packaging.version import InvalidVersion, Version

from clingen_hf.core.digests import parquet_sha256
from clingen_hf.hub.layout import config_reports, write_card

VERSION_PATTERN = re.compile(r"^v\d+\.\d+\.\d+(?:[-+.][0-9A-Za-z.-]+)?$")
LOCAL_ONLY = [".staging-*", ".retired-*", "*.tmp", ".cache/**"]


class PublishError(RuntimeError):
    """Publishing cannot go ahead; the message names the repo and what to do."""


class _Identified:
    """A published version is identified by a Hub commit, or, in a directory mirror (which
    has no commits), by the sha256 of its data files (`_local_data_digest`)."""

    commit: str | None
    data_sha256: str | None

    @property
    def identity(self) -> str:
        return f"commit {self.commit[:10]}" if self.commit else f"data sha256:{self.data_sha256[:12]}"


@dataclass
class PublishResult(_Identified):
    repo_id: str
    version: str
    commit: str | None  # None when nothing was published, or in a directory mirror
    unchanged_since: str | None = None
    data_sha256: str | None = None


@dataclass
class VersionInfo(_Identified):
    tag: str
    commit: str | None
    date: str
    rows: dict[str, int]  # config -> train rows
    data_sha256: str | None = None


def check_version(version: str) -> None:
    if not VERSION_PATTERN.match(version):
        raise PublishError(f"version {version!r} is not of the form vMAJOR.MINOR.PATCH (e.g. v1.0.0)")


def publish_folder(local_dir: str | Path, repo_id: str, version: str, repo_type: str, *, private: bool = False,
                   api: HfApi | None = None) -> PublishResult:
    """Upload `local_dir` as one commit and tag it `version`, unless the version exists
    (refused, nothing written) or the data equals the latest version (no commit)."""
    check_version(version)
    api = api or HfApi()
    with _explained(repo_id):
        api.create_repo(repo_id, repo_type=repo_type, private=private, exist_ok=True)
        tags = {ref.name: ref.target_commit for ref in api.list_repo_refs(repo_id, repo_type=repo_type).tags}
        if version in tags:
            raise PublishError(f"{repo_id} already has version {version} (commit {tags[version][:10]}); "
                               "versions are immutable: publish under a new version")
        latest = latest_version(tags)
        if latest and _same_data(api, repo_id, repo_type, tags[latest], Path(local_dir)):
            return PublishResult(repo_id, version, None, unchanged_since=latest)
        commit = api.upload_folder(repo_id=repo_id, folder_path=str(local_dir), repo_type=repo_type,
                                   commit_message=f"Publish {version}", ignore_patterns=LOCAL_ONLY, delete_patterns=["*"])
        api.create_tag(repo_id, tag=version, revision=commit.oid, repo_type=repo_type, tag_message=f"Version {version}")
    return PublishResult(repo_id, version, commit.oid)


def publish_dataset(local_dir: str | Path, repo_id: str, version: str, *, private: bool = False,
                    api: HfApi | None = None) -> PublishResult:
    check_version(version)
    local = Path(local_dir)
    if not (local / "README.md").is_file() or not list(local.glob("*/train-*.parquet")):
        raise PublishError(f"{local} is not a generated dataset directory (no README.md and <config>/train-*.parquet); "
                           "run `clingen generate --output` first")
    write_card(local, repo_id=repo_id)
    return publish_folder(local, repo_id, version, "dataset", private=private, api=api)


def latest_version(tags: dict[str, str]) -> str | None:
    versions = [tag for tag in tags if VERSION_PATTERN.match(tag)]
    return max(versions, key=_version_key) if versions else None


def _version_key(tag: str) -> tuple[Version, str]:
    try:
        return Version(tag.removeprefix("v")), ""
    except InvalidVersion:  # a suffix PEP 440 does not read: ordered by its release, then by name
        return Version(re.match(r"v(\d+\.\d+\.\d+)", tag).group(1)), tag


def _same_data(api: HfApi, repo_id: str, repo_type: str, revision: str, local: Path) -> bool:
    """Do the data files of `revision` (parquet for datasets, safetensors for models) equal the
    local ones? Cards and reports carry timestamps, so they do not make a new version alone."""
    suffix = ".parquet" if repo_type == "dataset" else ".safetensors"
    remote = {f.path: f.lfs.sha256 if f.lfs else None
              for f in api.list_repo_tree(repo_id, repo_type=repo_type, revision=revision, recursive=True)
              if getattr(f, "path", "").endswith(suffix)}
    ours = {str(p.relative_to(local)): hashlib.sha256(p.read_bytes()).hexdigest() for p in local.glob(f"**/*{suffix}")}
    return bool(ours) and remote == ours


def list_versions(repo_id: str, repo_type: str = "dataset", api: HfApi | None = None) -> list[VersionInfo]:
    api = api or HfApi()
    with _explained(repo_id):
        tags = api.list_repo_refs(repo_id, repo_type=repo_type).tags
        versions = []
        for ref in sorted(tags, key=lambda r: _version_key(r.name) if VERSION_PATTERN.match(r.name) else (0, 0, 0, r.name)):
            commit = api.list_repo_commits(repo_id, repo_type=repo_type, revision=ref.target_commit)[0]
            versions.append(VersionInfo(ref.name, ref.target_commit, commit.created_at.isoformat(timespec="seconds"),
                                        _rows_per_config(repo_id, repo_type, ref.target_commit)))
    return versions


def _rows_per_config(repo_id: str, repo_type: str, revision: str) -> dict[str, int]:
    if repo_type != "dataset":
        return {}
    card = DatasetCard.load(hf_hub_download(repo_id, "README.md", repo_type=repo_type, revision=revision))
    infos = card.data.to_dict().get("dataset_info") or []
    rows = {}
    for info in infos if isinstance(infos, list) else [infos]:
        splits = {split["name"]: split.get("num_examples", 0) for split in info.get("splits", [])}
        rows[info.get("config_name", "default")] = splits.get("train", 0)
    return rows


class _explained:
    """Turn the Hub's HTTP errors into messages that name the repo and the fix."""

    def __init__(self, repo_id: str):
        self.repo_id = repo_id

    def __enter__(self):
        return self

    def __exit__(self, kind, error, traceback):
        if isinstance(error, RepositoryNotFoundError):
            raise PublishError(f"{self.repo_id}: repository not found, or your token cannot see it") from error
        if isinstance(error, HfHubHTTPError) and error.response is not None:
            status = error.response.status_code
            if status in (401, 403):
                raise PublishError(
                    f"the Hub refused access to {self.repo_id} ({status}): check HF_TOKEN (or `hf auth login`) and "
                    "that it may write to this namespace"
                ) from error
            raise PublishError(f"{self.repo_id}: the Hub answered {status}: {error}") from error
        return False


def publish_to_directory(local_dir: str | Path, target_root: str | Path, repo_id: str, version: str) -> PublishResult:
    """The token-less, offline target: `TARGET/REPO_ID/VERSION/` holds an immutable copy of
    the dataset directory, loadable with `load_dataset(TARGET/REPO_ID/VERSION, CONFIG)`."""
    check_version(version)
    repo_dir = Path(target_root) / repo_id
    destination = repo_dir / version
    if destination.exists():
        raise PublishError(f"{repo_dir} already has version {version}; versions are immutable: publish under a new version")
    tags = {path.name: str(path) for path in repo_dir.glob("v*") if path.is_dir()}
    latest = latest_version(tags)
    if latest and _local_data_digest(repo_dir / latest) == _local_data_digest(Path(local_dir)):
        return PublishResult(repo_id, version, None, unchanged_since=latest)
    staging = repo_dir / f".staging-{version}"
    shutil.rmtree(staging, ignore_errors=True)
    shutil.copytree(local_dir, staging, ignore=shutil.ignore_patterns(*LOCAL_ONLY))
    os.replace(staging, destination)
    return PublishResult(repo_id, version, None, data_sha256=_local_data_digest(destination))


def _local_data_digest(directory: Path) -> str:
    """What a directory mirror compares versions by."""
    return parquet_sha256(directory)


def list_local_versions(repo_dir: str | Path) -> list[VersionInfo]:
    versions = []
    for path in sorted((p for p in Path(repo_dir).glob("v*") if p.is_dir() and VERSION_PATTERN.match(p.name)),
                       key=lambda p: _version_key(p.name)):
        date = dt.datetime.fromtimestamp(path.stat().st_mtime, dt.timezone.utc).isoformat(timespec="seconds")
        rows = {config: report["counts"]["kept"] for config, report in config_reports(path).items()}
        versions.append(VersionInfo(path.name, None, date, rows, data_sha256=_local_data_digest(path)))
    return versions
