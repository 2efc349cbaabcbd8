"""Publishing versions through the real huggingface_hub and datasets clients to a local Hub."""

import datasets
import pytest
from huggingface_hub import DatasetCard, HfApi

from clingen_hf.cli import main as clingen
from clingen_hf.hub.publish import PublishError, publish_dataset

REPO = "clingen/ncbi-synthetic"


def generate(server, output, n):
    assert clingen(["generate", "--task", "ncbi-disease", "--method", "zerogen", "--n", str(n), "--llm-base-url",
                    server.base_url, "--llm-model", "fake-clinical", "--output", str(output)]) == 0
    return len(datasets.Dataset.from_parquet(str(output / "zerogen" / "train-00000-of-00001.parquet")))


def test_two_versions_load_by_revision_and_list(local_hub, clinical_llm, cache_dir, tmp_path, capsys):
    first_rows = generate(clinical_llm, tmp_path / "v1", 6)
    assert clingen(["publish", str(tmp_path / "v1"), "--repo-id", REPO, "--version", "v1.0.0"]) == 0
    second_rows = generate(clinical_llm, tmp_path / "v2", 16)
    assert clingen(["publish", str(tmp_path / "v2"), "--repo-id", REPO, "--version", "v1.1.0"]) == 0
    assert first_rows != second_rows
    for version, rows in (("v1.0.0", first_rows), ("v1.1.0", second_rows)):
        loaded = datasets.load_dataset(REPO, "zerogen", split="train", revision=version)
        assert len(loaded) == rows
    assert len(datasets.load_dataset(REPO, split="train")) == second_rows  # default config, latest commit
    assert "(commit " in capsys.readouterr().out
    assert clingen(["versions", REPO]) == 0
    listing = capsys.readouterr().out
    assert "v1.0.0" in listing and "commit " in listing and "sha256" not in listing and f"zerogen ({first_rows})" in listing and f"zerogen ({second_rows})" in listing
    card = DatasetCard.load(REPO, repo_type="dataset")
    assert "synthetic" in card.data.tags and card.data.license == "apache-2.0"
    assert card.data.configs[0]["config_name"] == "zerogen"
    assert f'load_dataset("{REPO}", "zerogen")' in card.content


def test_identical_data_makes_no_commit_and_existing_tag_is_refused(local_hub, clinical_llm, cache_dir, tmp_path, capsys):
    generate(clinical_llm, tmp_path / "out", 6)
    assert publish_dataset(tmp_path / "out", REPO, "v1.0.0").commit
    commits = len(HfApi().list_repo_commits(REPO, repo_type="dataset"))
    again = publish_dataset(tmp_path / "out", REPO, "v1.0.1")
    assert again.commit is None and again.unchanged_since == "v1.0.0"
    assert len(HfApi().list_repo_commits(REPO, repo_type="dataset")) == commits
    writes_before = [r for r in local_hub.requests_log if r[0] in ("POST", "PUT") and "/commit/" in r[1]]
    assert clingen(["publish", str(tmp_path / "out"), "--repo-id", REPO, "--version", "v1.0.0"]) == 2
    assert "already has version v1.0.0" in capsys.readouterr().err
    assert [r for r in local_hub.requests_log if r[0] in ("POST", "PUT") and "/commit/" in r[1]] == writes_before


def test_failed_commit_leaves_no_tag_and_a_retry_completes(local_hub, clinical_llm, cache_dir, tmp_path):
    generate(clinical_llm, tmp_path / "out", 6)
    HfApi().create_repo(REPO, repo_type="dataset")
    local_hub.fail_next("commit")
    with pytest.raises(PublishError, match="clingen/ncbi-synthetic: the Hub answered 500"):
        publish_dataset(tmp_path / "out", REPO, "v1.0.0")
    assert HfApi().list_repo_refs(REPO, repo_type="dataset").tags == []
    assert publish_dataset(tmp_path / "out", REPO, "v1.0.0").commit
    assert [t.name for t in HfApi().list_repo_refs(REPO, repo_type="dataset").tags] == ["v1.0.0"]


def test_bad_token_and_forbidden_namespace_name_the_repo(local_hub, clinical_llm, cache_dir, tmp_path, monkeypatch):
    generate(clinical_llm, tmp_path / "out", 6)
    local_hub.tokens = {"hf_good": {"someone-else"}}
    monkeypatch.setenv("HF_TOKEN", "hf_good")
    with pytest.raises(PublishError, match=r"refused access to clingen/ncbi-synthetic \(403\)"):
        publish_dataset(tmp_path / "out", REPO, "v1.0.0")
    monkeypatch.setenv("HF_TOKEN", "hf_wrong")
    with pytest.raises(PublishError, match=r"refused access to clingen/ncbi-synthetic \(401\)"):
        publish_dataset(tmp_path / "out", REPO, "v1.0.0")


def test_bad_version_and_directory(tmp_path):
    with pytest.raises(PublishError, match="not a generated dataset directory"):
        publish_dataset(tmp_path, REPO, "v1.0.0")
    (tmp_path / "README.md").write_text("---\n---\n")
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "train-0.parquet").write_bytes(b"")
    with pytest.raises(PublishError, match="vMAJOR.MINOR.PATCH"):
        publish_dataset(tmp_path, REPO, "1.0")


def test_offline_directory_target(clinical_llm, cache_dir, tmp_path, capsys):
    rows = generate(clinical_llm, tmp_path / "out", 6)
    mirror = tmp_path / "mirror"
    capsys.readouterr()
    assert clingen(["publish", str(tmp_path / "out"), "--repo-id", REPO, "--version", "v1.0.0", "--to-dir", str(mirror)]) == 0
    published = capsys.readouterr().out
    assert "(data sha256:" in published and "commit" not in published  # a mirror has no commits
    assert len(datasets.load_dataset(str(mirror / REPO / "v1.0.0"), "zerogen", split="train")) == rows
    assert clingen(["publish", str(tmp_path / "out"), "--repo-id", REPO, "--version", "v1.0.0", "--to-dir", str(mirror)]) == 2
    assert "already has version v1.0.0" in capsys.readouterr().err
    assert clingen(["publish", str(tmp_path / "out"), "--repo-id", REPO, "--version", "v1.0.1", "--to-dir", str(mirror)]) == 0
    assert "equals version v1.0.0" in capsys.readouterr().out and not (mirror / REPO / "v1.0.1").exists()
    assert clingen(["versions", str(mirror / REPO)]) == 0
    listing = capsys.readouterr().out
    assert f"zerogen ({rows})" in listing and "data sha256:" in listing and "commit" not in listing
