"""The ProGen baseline and the ablations of paper Table 3, through the fake LLM."""

import json

import datasets

from clingen_hf.cli import main
from clingen_hf.generation.parsing import detokenize


def generate(server, output, method, n=9, task="ncbi-disease"):
    return main(["generate", "--task", task, "--method", method, "--n", str(n), "--llm-base-url", server.base_url,
                 "--llm-model", "fake-clinical", "--output", str(output)])


def rows(output, method):
    return datasets.load_dataset(str(output), method, split="train", cache_dir=str(output.parent / "hf-cache"))


def test_progen_later_rounds_show_feedback_from_earlier_rounds(clinical_llm, cache_dir, tmp_path):
    output = tmp_path / "out"
    assert generate(clinical_llm, output, "progen") == 0
    train = rows(output, "progen")
    report = json.loads((output / "progen" / "generation_report.json").read_text())
    assert report["counts"]["progen_feedback_per_round"][:2] == [2, 2]
    first_round = [r for r in train if r["sample_seed"] < 3]
    later = [r for r in train if r["sample_seed"] >= 3]
    seeds_shown = first_round[0]["prompt"].count("Sentence:")
    assert all(r["prompt"].count("Sentence:") == seeds_shown + 2 for r in later)  # two feedback examples
    generated = {detokenize(r["tokens"]) for r in first_round}
    assert any(sentence in later[0]["prompt"] for sentence in generated)
    assert all(r["template_id"].startswith("ner_baseline@") for r in train)


def test_the_no_styles_ablation_makes_no_style_calls(clinical_llm, cache_dir, tmp_path):
    output = tmp_path / "out"
    assert generate(clinical_llm, output, "clingen-llm-no-styles") == 0
    assert not any("potential sources" in request["messages"][-1]["content"] for request in clinical_llm.requests)
    train = rows(output, "clingen-llm-no-styles")
    assert all("mimic the style" not in r["prompt"] and "named" in r["prompt"] for r in train)
    report = json.loads((output / "clingen-llm-no-styles" / "generation_report.json").read_text())
    assert set(report["pools"]) == {"topics"}


def test_the_no_topics_ablation_keeps_styles_only(clinical_llm, cache_dir, tmp_path):
    output = tmp_path / "out"
    assert generate(clinical_llm, output, "clingen-no-topics", task="gad") == 0
    train = rows(output, "clingen-no-topics")
    assert all("mimic the style" in r["prompt"] and "should discuss the" not in r["prompt"] for r in train)
    assert "| styles |" in (output / "README.md").read_text()
