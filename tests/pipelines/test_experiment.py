"""`clingen experiment` end to end: fake LLM, tiny classifier, several methods and seeds."""

import csv
import json
import statistics

import pytest

from clingen_hf.cli import main
from tests.pipelines.test_run import mean_and_std, real_folder
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
    # each cell is the mean ± sample std over the seeds of that seed's model (or direct inference) score, x100
    written = json.loads((output / "results.json").read_text())["training"]
    stds = []
    for row in results[1:]:
        name = row[0]
        per_seed = []
        for seed in (0, 1):
            if name == "llm-direct (few-shot)":
                per_seed.append(written[str(seed)][name]["dev"])
            else:
                summary = json.loads((output / f"seed-{seed}" / "models" / name / "results.json").read_text())["summary"]
                assert written[str(seed)][name] == summary
                per_seed.append(summary["dev"])
        for column, cell in zip(results[0][1:], row[1:]):
            metric = column.removeprefix("dev ")
            values = [100 * scores[metric]["mean"] for scores in per_seed]
            mean, std = mean_and_std(cell)
            assert mean == pytest.approx(statistics.fmean(values), abs=0.005 + 1e-9), (name, column)
            assert std == pytest.approx(statistics.stdev(values), abs=0.005 + 1e-9), (name, column)
            stds.append(std)
    assert max(stds) > 0  # the seeds' models differ: a population std or one seed's number would not pass
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
