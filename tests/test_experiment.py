"""`clingen experiment` end to end: fake LLM, tiny classifier, several methods and seeds."""

import csv

from clingen_hf.cli import main
from tests.test_run import real_folder
from tests.training.conftest import tiny_model  # noqa: F401 - a fixture


def test_experiment_writes_table_1_quality_and_cost_and_resumes(clinical_llm, cache_dir, tiny_model, tmp_path, capsys):  # noqa: F811
    output = tmp_path / "experiment"
    argv = ["experiment", "--task", "ncbi-disease", "--methods", "zerogen", "clingen-no-topics", "--seeds", "0", "1",
            "--n", "4", "--real", str(real_folder(tmp_path)), "--llm-base-url", clinical_llm.base_url, "--llm-model",
            "fake-clinical", "--classifier", tiny_model, "--direct-inference", "6", "--supervised-full", "--output", str(output)]
    assert main(argv) == 0
    out = capsys.readouterr().out
    with (output / "results.csv").open() as handle:
        results = list(csv.reader(handle))
    assert results[0] == ["method", "dev f1", "dev precision", "dev recall"]
    assert [row[0] for row in results[1:]] == ["zerogen", "clingen-no-topics", "supervised-few", "supervised-full",
                                             "llm-direct (few-shot)"]
    assert all("±" in cell for row in results[1:] for cell in row[1:])
    with (output / "cost.csv").open() as handle:
        cost = {row["method"]: row for row in csv.DictReader(handle)}
    assert cost["llm-direct (few-shot)"]["samples kept"] == "12 labelled"  # 6 per seed
    assert int(cost["clingen-no-topics"]["samples kept"]) > 0 and float(cost["zerogen"]["cost USD"]) == 0.0  # a server on 127.0.0.1 costs nothing
    with (output / "quality.csv").open() as handle:
        quality = list(csv.DictReader(handle))
    assert quality[-1]["data"] == "real (seed source)" and float(quality[0]["CMD to real"].split(" ")[0]) > 0
    for seed in (0, 1):
        assert (output / f"seed-{seed}" / "synthetic" / "zerogen" / "quality" / "tsne.png").is_file()
    assert "### Cost" in out and "(x100)" in (output / "results.md").read_text()
    llm_calls = len(clinical_llm.requests)
    assert main(argv) == 0  # resumes: no new LLM call, every model reused
    assert len(clinical_llm.requests) == llm_calls
    assert capsys.readouterr().out.count("reusing") == 2 * 4
