"""The real huggingface_hub and datasets clients against tests.hub_server.LocalHub."""

from __future__ import annotations

# Must come before huggingface_hub / datasets are imported: it sets HF_ENDPOINT and co.
import tests.conftest_hub  # noqa: F401

# isort: split

from pathlib import Path

import datasets
import pytest
from huggingface_hub import (
    CommitOperationAdd,
    CommitOperationDelete,
    DatasetCard,
    HfApi,
    ModelCard,
    RepoFile,
    hf_hub_download,
    snapshot_download,
)
from huggingface_hub.errors import (
    EntryNotFoundError,
    HfHubHTTPError,
    RepositoryNotFoundError,
    RevisionNotFoundError,
)

from tests.hub_server import LocalHub

# Registers the fixtures when tests/conftest.py does not load the plugin already (then a no-op).
pytest_plugins = ["tests.conftest_hub"]

REPO = "clingen/ncbi-synthetic"


def _rows(*sentences: str) -> datasets.DatasetDict:
    tokens = [sentence.split() for sentence in sentences]
    return datasets.DatasetDict(
        {"train": datasets.Dataset.from_dict({"tokens": tokens, "ner_tags": [[0] * len(t) for t in tokens]})}
    )


def _tokens(dataset: datasets.Dataset) -> list[list[str]]:
    return list(dataset["tokens"])


def _load(config: str, revision: str, cache: Path) -> datasets.DatasetDict:
    return datasets.load_dataset(REPO, config, revision=revision, cache_dir=str(cache))


@pytest.fixture
def api(local_hub: LocalHub) -> HfApi:
    return HfApi()


def test_tagged_versions_load_exactly_their_rows(local_hub: LocalHub, api: HfApi, tmp_path: Path) -> None:
    api.create_repo(REPO, repo_type="dataset")
    api.create_repo(REPO, repo_type="dataset", exist_ok=True)

    _rows("Gout flares", "Asthma attack").push_to_hub(REPO, config_name="a", commit_message="v1 rows")
    api.create_tag(REPO, tag="v1.0.0", repo_type="dataset", tag_message="first")
    _rows("Lupus", "Anemia again", "Glaucoma").push_to_hub(REPO, config_name="a", commit_message="v2 rows")
    api.create_tag(REPO, tag="v2.0.0", repo_type="dataset")

    refs = api.list_repo_refs(REPO, repo_type="dataset")
    tags = {tag.name: tag.target_commit for tag in refs.tags}
    assert sorted(tags) == ["v1.0.0", "v2.0.0"]
    assert tags["v1.0.0"] != tags["v2.0.0"]
    assert [branch.name for branch in refs.branches] == ["main"]
    assert refs.branches[0].target_commit == tags["v2.0.0"]
    titles = [c.title for c in api.list_repo_commits(REPO, repo_type="dataset", revision="v2.0.0")]
    assert titles == ["v2 rows", "v1 rows", "initial commit"]

    # One shared datasets cache on purpose: its key must include the resolved commit.
    cache = tmp_path / "ds-cache"
    assert _tokens(_load("a", "v1.0.0", cache)["train"]) == [["Gout", "flares"], ["Asthma", "attack"]]
    assert _tokens(_load("a", "v2.0.0", cache)["train"]) == [["Lupus"], ["Anemia", "again"], ["Glaucoma"]]
    assert _tokens(_load("a", tags["v1.0.0"], cache)["train"]) == [["Gout", "flares"], ["Asthma", "attack"]]
    assert _tokens(_load("a", "main", cache)["train"])[0] == ["Lupus"]


def test_second_config_is_listed_and_card_metadata_round_trips(local_hub: LocalHub, api: HfApi) -> None:
    _rows("Gout").push_to_hub(REPO, config_name="a")
    datasets.Dataset.from_dict({"tokens": [["Psoriasis"]], "ner_tags": [[1]]}).push_to_hub(
        REPO, config_name="b", split="test"
    )

    card = DatasetCard.load(REPO)
    assert sorted(c["config_name"] for c in card.data.configs) == ["a", "b"]
    assert {"a/train-*", "b/test-*"} <= {f["path"] for c in card.data.configs for f in c["data_files"]}
    files = local_hub.repo_files(REPO, repo_type="dataset")
    assert {"a/train-00000-of-00001.parquet", "b/test-00000-of-00001.parquet", "README.md"} <= set(files)

    card.data.license = "cc-by-4.0"
    card.data.pretty_name = "Synthetic NCBI"
    card.push_to_hub(REPO, commit_message="card metadata")
    reloaded = DatasetCard.load(REPO)
    assert reloaded.data.license == "cc-by-4.0"
    assert reloaded.data.pretty_name == "Synthetic NCBI"
    assert len(reloaded.data.configs) == 2
    info = api.dataset_info(REPO)
    assert info.card_data is not None
    assert info.card_data.license == "cc-by-4.0"
    assert info.sha == api.list_repo_refs(REPO, repo_type="dataset").branches[0].target_commit
    assert _tokens(datasets.load_dataset(REPO, "b", split="test")) == [["Psoriasis"]]


def test_create_existing_tag_is_409_and_writes_nothing(local_hub: LocalHub, api: HfApi) -> None:
    _rows("Gout").push_to_hub(REPO, config_name="a")
    api.create_tag(REPO, tag="v1.0.0", repo_type="dataset")
    _rows("Lupus").push_to_hub(REPO, config_name="a")
    before = local_hub.repo_refs(REPO, repo_type="dataset")
    local_hub.requests_log.clear()

    with pytest.raises(HfHubHTTPError) as info:
        api.create_tag(REPO, tag="v1.0.0", repo_type="dataset")

    assert info.value.response.status_code == 409
    assert "v1.0.0" in str(info.value)
    assert local_hub.repo_refs(REPO, repo_type="dataset") == before
    assert local_hub.requests_log == [("POST", f"/api/datasets/{REPO}/tag/main")]
    api.create_tag(REPO, tag="v1.0.0", repo_type="dataset", exist_ok=True)  # tolerated, still no move
    assert local_hub.repo_refs(REPO, repo_type="dataset") == before


def test_bad_token_is_401_naming_the_repo_and_forbidden_namespace_is_403(local_hub: LocalHub) -> None:
    local_hub.tokens = {"good-token": {"clingen"}}

    with pytest.raises(HfHubHTTPError) as bad:
        _rows("Gout").push_to_hub(REPO, config_name="a", token="bad-token")
    assert bad.value.response.status_code == 401
    assert REPO in str(bad.value)

    with pytest.raises(HfHubHTTPError) as forbidden:
        HfApi(token="good-token").create_repo("someone-else/data", repo_type="dataset")
    assert forbidden.value.response.status_code == 403
    assert "someone-else/data" in str(forbidden.value)

    # The bad token was refused on the first (read) request, so the only write attempt is the 403 one.
    assert [entry for entry in local_hub.requests_log if entry[0] != "GET"] == [("POST", "/api/repos/create")]
    assert local_hub.app.repos == {}
    _rows("Gout").push_to_hub(REPO, config_name="a", token="good-token")
    assert "a/train-00000-of-00001.parquet" in local_hub.repo_files(REPO, repo_type="dataset")


def test_failed_commit_changes_no_ref_and_a_retry_succeeds(local_hub: LocalHub, api: HfApi) -> None:
    _rows("Gout").push_to_hub(REPO, config_name="a", commit_message="v1")
    api.create_tag(REPO, tag="v1.0.0", repo_type="dataset")
    refs_before = api.list_repo_refs(REPO, repo_type="dataset")

    local_hub.fail_next("commit")
    with pytest.raises(HfHubHTTPError) as info:
        _rows("Lupus").push_to_hub(REPO, config_name="a", commit_message="v2")
    assert info.value.response.status_code == 500

    assert api.list_repo_refs(REPO, repo_type="dataset") == refs_before
    _rows("Lupus").push_to_hub(REPO, config_name="a", commit_message="v2")
    assert local_hub.commit_titles(REPO, repo_type="dataset") == ["v2", "v1", "initial commit"]
    assert api.list_repo_refs(REPO, repo_type="dataset").tags == refs_before.tags


def test_one_failed_lfs_put_is_retried_by_the_client(local_hub: LocalHub) -> None:
    local_hub.fail_next("lfs_upload")
    _rows("Gout").push_to_hub(REPO, config_name="a")
    puts = [path for method, path in local_hub.requests_log if method == "PUT"]
    assert len(puts) == 2
    assert puts[0] == puts[1]
    assert "a/train-00000-of-00001.parquet" in local_hub.repo_files(REPO, repo_type="dataset")


def _model_folder(root: Path, config: str) -> Path:
    (root / "sub").mkdir(parents=True)
    (root / "config.json").write_text(config)
    (root / "weights.bin").write_bytes(bytes(range(256)) * 4)
    (root / "sub" / "notes.txt").write_text("notes")
    return root


def test_model_repo_upload_tag_and_download_by_tag(local_hub: LocalHub, api: HfApi, tmp_path: Path) -> None:
    model = "clingen/tiny-ner"
    api.create_repo(model)
    first = api.upload_folder(repo_id=model, folder_path=_model_folder(tmp_path / "m", '{"v": 1}'), commit_message="v1")
    api.create_tag(model, tag="v1")
    api.create_commit(
        model,
        operations=[
            CommitOperationAdd("config.json", b'{"v": 2}'),
            CommitOperationDelete("sub/"),
            CommitOperationDelete("weights.bin"),
        ],
        commit_message="v2",
    )

    cache = tmp_path / "hub-cache"
    old = hf_hub_download(model, "config.json", revision="v1", cache_dir=cache)
    new = hf_hub_download(model, "config.json", cache_dir=cache)
    assert Path(old).read_text() == '{"v": 1}'
    assert Path(new).read_text() == '{"v": 2}'
    weights = hf_hub_download(model, "weights.bin", revision=first.oid, cache_dir=cache)
    assert Path(weights).read_bytes() == bytes(range(256)) * 4
    snapshot = Path(snapshot_download(model, revision="v1", cache_dir=cache))
    assert (snapshot / "sub" / "notes.txt").read_text() == "notes"

    assert api.model_info(model, revision="v1").sha == first.oid
    tree = {entry.path: entry for entry in api.list_repo_tree(model, revision="v1", recursive=True)}
    assert {"config.json", "weights.bin", "sub", "sub/notes.txt", ".gitattributes"} == set(tree)
    weights_entry, config_entry = tree["weights.bin"], tree["config.json"]
    assert isinstance(weights_entry, RepoFile)
    assert isinstance(config_entry, RepoFile)
    assert weights_entry.lfs is not None
    assert config_entry.lfs is None
    assert [p.path for p in api.get_paths_info(model, ["config.json", "sub", "nope"], revision="v1")] == [
        "config.json",
        "sub",
    ]
    assert set(local_hub.repo_files(model)) == {".gitattributes", "config.json"}
    last_commits = {entry.path: entry.last_commit for entry in api.list_repo_tree(model, expand=True)}
    assert {path: commit.title for path, commit in last_commits.items() if commit is not None} == {
        ".gitattributes": "initial commit",
        "config.json": "v2",
    }

    card = ModelCard("---\nlicense: mit\n---\n# Tiny NER\n")
    card.push_to_hub(model)
    assert ModelCard.load(model).data.license == "mit"


def test_missing_things_raise_the_specific_errors(local_hub: LocalHub, api: HfApi, tmp_path: Path) -> None:
    api.create_repo(REPO, repo_type="dataset")
    with pytest.raises(RepositoryNotFoundError):
        api.dataset_info("clingen/absent")
    with pytest.raises(RevisionNotFoundError):
        api.dataset_info(REPO, revision="v9")
    with pytest.raises(EntryNotFoundError):
        hf_hub_download(REPO, "absent.txt", repo_type="dataset", cache_dir=tmp_path)
    with pytest.raises(EntryNotFoundError):
        list(api.list_repo_tree(REPO, "absent-dir", repo_type="dataset"))
