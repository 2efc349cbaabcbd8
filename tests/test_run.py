"""`clingen run` end to end: fake OpenAI-compatible LLM, tiny random classifier, real pipeline."""

import json

from clingen_hf.cli import main
from tests.training.conftest import ner_rows, tiny_model, write_conll  # noqa: F401 - tiny_model is a fixture


def real_folder(tmp_path):
    real = tmp_path / "real"
    real.mkdir()
    write_conll(real / "train.tsv", ner_rows(40, 0))
    write_conll(real / "devel.tsv", ner_rows(20, 1))
    return real


def test_run_generates_trains_evaluates_and_reports(clinical_llm, cache_dir, tiny_model, tmp_path, capsys):  # noqa: F811
    output = tmp_path / "run"
    code = main(["run", "--task", "ncbi-disease", "--n", "8", "--real", str(real_folder(tmp_path)), "--llm-base-url",
                 clinical_llm.base_url, "--llm-model", "fake-clinical", "--classifier", tiny_model, "--output", str(output)])
    assert code == 0
    out = capsys.readouterr().out
    for name in ("clingen-kg", "zerogen", "supervised-few"):
        assert f"| {name} |" in out
        assert (output / "models" / name / "model" / "README.md").exists()
    results = json.loads((output / "results.json").read_text())
    assert set(results["training"]) == {"clingen-kg", "zerogen", "supervised-few"} and results["demo"] is False
    assert 0.0 <= results["training"]["clingen-kg"]["dev"]["f1"]["mean"] <= 1.0
    assert results["quality"]["clingen-kg"]["unique_entities"] >= 1
    assert -1.0 <= results["quality"]["zerogen"]["avg_pairwise_similarity"] <= 1.0
    assert (output / "synthetic" / "README.md").exists() and (output / "results.md").read_text().startswith("| method |")
    assert main(["run", "--task", "ncbi-disease", "--n", "8", "--real", str(tmp_path / "real"), "--llm-base-url",
                 clinical_llm.base_url, "--llm-model", "fake-clinical", "--classifier", tiny_model, "--output", str(output)]) == 0
    assert capsys.readouterr().out.count("reusing") == 3  # a rerun resumes: cached calls, finished models


def test_run_rejects_bad_input(cache_dir, tmp_path, capsys):
    assert main(["run", "--task", "ncbi-disease", "--n", "0", "--output", str(tmp_path / "o")]) == 2
    assert "--n must be a positive number" in capsys.readouterr().err
    assert main(["run", "--task", "ncbi-disease", "--real", "nowhere", "--output", str(tmp_path / "o")]) == 2
    assert "--real nowhere: no such folder" in capsys.readouterr().err
    assert main(["experiment", "--task", "gad", "--self-check", "--output", str(tmp_path / "o")]) == 2
    assert "--self-check: span checks are for NER tasks" in capsys.readouterr().err
    assert main(["run", "--task", "ncbi-disease", "--link-fuzzy", "0.9", "--output", str(tmp_path / "o")]) == 2
    assert "--link-fuzzy sets how KG verification links spans" in capsys.readouterr().err


def test_label_quality_options_reach_generate():
    from clingen_hf.cli import build_parser, label_quality_flags

    args = build_parser().parse_args(["run", "--task", "ncbi-disease", "--verify-spans", "remove", "--link-fuzzy", "0.85",
                                      "--self-check", "--no-guidelines"])
    assert label_quality_flags(args) == ["--verify-spans", "remove", "--link-fuzzy", "0.85", "--self-check",
                                         "--no-guidelines"]
    generate = build_parser().parse_args(["generate", "--task", "ncbi-disease", "--output", "o", "--llm-model", "m",
                                          *label_quality_flags(args)])
    assert generate.verify_spans == "remove" and generate.self_check and generate.no_guidelines
    assert generate.link_fuzzy == 0.85


def test_run_without_real_data_uses_the_demo_set_and_says_so(clinical_llm, cache_dir, tiny_model, tmp_path, capsys):  # noqa: F811
    output = tmp_path / "run"
    code = main(["run", "--task", "ncbi-disease", "--n", "6", "--methods", "zerogen", "--llm-base-url", clinical_llm.base_url,
                 "--llm-model", "fake-clinical", "--classifier", tiny_model, "--output", str(output)])
    assert code == 0
    assert "DEMO set" in capsys.readouterr().out
    assert len((output / "demo-data" / "dev.jsonl").read_text().splitlines()) == 40
    assert json.loads((output / "results.json").read_text())["demo"] is True
