"""Quality metrics against hand-computed values, and `clingen quality` on a generated folder."""

import json

import numpy as np
import pytest

from clingen_hf.cli import main
from clingen_hf.evaluation.quality import (
    average_pairwise_similarity,
    central_moment_discrepancy,
    encode,
    entity_frequencies,
    frequency_summary,
    label_distribution,
)
from clingen_hf.generation.parsing import detokenize


def test_cmd_of_identical_samples_is_zero_and_grows_with_a_shift():
    x = np.array([[0.0, 0.5], [0.5, -0.5], [-0.5, 0.0]])
    assert central_moment_discrepancy(x, x) == pytest.approx(0.0)
    assert central_moment_discrepancy(x, x + 0.2) == pytest.approx(np.linalg.norm([0.2, 0.2]) / 2)  # same moments, shifted mean


def test_cmd_by_hand_with_two_moments():
    x = np.array([[1.0], [-1.0]])  # mean 0, variance 1
    y = np.array([[0.0], [0.0]])  # mean 0, variance 0
    # mean term 0; second central moment |1 - 0| / 2**2
    assert central_moment_discrepancy(x, y, moments=2) == pytest.approx(0.25)
    # third moments are 0 for both; fourth: |1 - 0| / 2**4
    assert central_moment_discrepancy(x, y, moments=4) == pytest.approx(0.25 + 1 / 16)


def test_average_pairwise_similarity_of_identical_texts_is_one():
    assert average_pairwise_similarity(["asthma in children"] * 3) == pytest.approx(1.0, abs=1e-5)
    assert average_pairwise_similarity(["x"]) != average_pairwise_similarity(["x"])  # NaN for fewer than two


def mean_off_diagonal_cosine(texts: list[str]) -> float:
    embeddings = encode(texts)
    embeddings = embeddings / np.linalg.norm(embeddings, axis=1, keepdims=True)
    similarity = embeddings @ embeddings.T
    return float(similarity[~np.eye(len(texts), dtype=bool)].mean())


def test_average_pairwise_similarity_is_the_mean_cosine_over_pairs():
    texts = ["asthma in children", "gout of the big toe", "lupus nephritis was treated"]
    assert average_pairwise_similarity(texts) == pytest.approx(mean_off_diagonal_cosine(texts), abs=1e-6)
    assert average_pairwise_similarity(texts) < 0.9


def test_entity_frequencies_are_normalised_and_case_insensitive():
    frequencies = entity_frequencies([["Asthma", "gout"], ["asthma"], ["asthma", "lupus"]])
    assert frequencies == [("asthma", 0.6), ("gout", 0.2), ("lupus", 0.2)]
    summary = frequency_summary(frequencies)
    assert summary["top10_share"] == pytest.approx(1.0)
    expected_entropy = -(0.6 * np.log(0.6) + 2 * 0.2 * np.log(0.2)) / np.log(3)
    assert summary["normalised_entropy"] == pytest.approx(expected_entropy)


def test_label_distribution_counts_each_label_of_a_row():
    assert label_distribution([["a"], ["a", "b"], []]) == {"a": 2 / 3, "b": 1 / 3}


def test_clingen_quality_writes_numbers_plots_card_and_removes_flagged_rows(clinical_llm, cache_dir, tmp_path, capsys):
    output = tmp_path / "synthetic"
    assert main(["generate", "--task", "ncbi-disease", "--method", "zerogen", "--n", "8", "--llm-base-url",
                 clinical_llm.base_url, "--llm-model", "fake-clinical", "--output", str(output)]) == 0
    first = json.loads((output / "zerogen" / "generation_report.json").read_text())["counts"]["kept"]
    import datasets

    generated = datasets.Dataset.from_parquet(str(output / "zerogen" / "train-00000-of-00001.parquet"))
    real = tmp_path / "real.jsonl"
    copied = {"tokens": generated[0]["tokens"], "ner_tags": ["O"] * len(generated[0]["tokens"])}
    other = {"tokens": "Lupus nephritis was treated with steroids .".split(), "ner_tags": ["B-Disease", "I-Disease"] + ["O"] * 5}
    real.write_text("\n".join(json.dumps(r) for r in [copied, other, other | {"tokens": other["tokens"][::-1]}]) + "\n")
    assert main(["quality", str(output), "--real", str(real), "--remove-flagged"]) == 0
    quality = json.loads((output / "zerogen" / "quality.json").read_text())
    assert quality["safety"]["near_copy_of_real"] >= 1 and quality["safety"]["removed"] >= 1
    assert quality["rows"] == first - quality["safety"]["removed"]
    assert (output / "zerogen" / "quality" / "tsne.png").stat().st_size > 1000
    assert (output / "zerogen" / "quality" / "entity_frequencies.png").is_file()
    card = (output / "README.md").read_text()
    assert "central moment discrepancy" in card and "removed by the safety gate" in card and "zerogen/quality/tsne.png" in card
    kept = datasets.load_dataset(str(output), "zerogen", split="train", cache_dir=str(tmp_path / "hf"))
    assert len(kept) == quality["rows"]
    # the numbers are those of the rows kept, against the real rows, recomputed from their embeddings
    texts = [detokenize(tokens) for tokens in kept["tokens"]]
    real_texts = [detokenize(row["tokens"]) for row in (copied, other, other | {"tokens": other["tokens"][::-1]})]
    assert quality["avg_pairwise_similarity"] == pytest.approx(mean_off_diagonal_cosine(texts), abs=1e-5)
    assert quality["real_avg_pairwise_similarity"] == pytest.approx(mean_off_diagonal_cosine(real_texts), abs=1e-5)
    assert quality["cmd_to_real"] == pytest.approx(central_moment_discrepancy(encode(texts), encode(real_texts)), abs=1e-5)
    all_texts = [detokenize(tokens) for tokens in generated["tokens"]]  # before the flagged rows went
    assert quality["avg_pairwise_similarity"] != pytest.approx(mean_off_diagonal_cosine(all_texts), abs=1e-5)
    assert quality["entities"]["unique_entities"] == len({e.lower() for row in kept["entities"] for e in row}) > 0
    assert "similarity" in capsys.readouterr().out


def test_clingen_quality_on_a_folder_without_configs_is_an_error(tmp_path, capsys):
    assert main(["quality", str(tmp_path), "--real", "x"]) == 2
    assert "no generated configs" in capsys.readouterr().err
