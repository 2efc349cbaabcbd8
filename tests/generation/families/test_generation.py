"""Every task family through the real pipeline: fake LLM server -> builder -> parse -> the
family's features -> a loadable dataset; malformed completions are counted, not fatal."""

import json

import datasets
import pytest

from clingen_hf.cli import main
from clingen_hf.core.tasks import get_task
from clingen_hf.generation.families import family_for
from clingen_hf.generation.parsing.attributes import parse_attribute_completion
from tests.clinical_responder import MALFORMED_EVERY

N = 14  # two malformed answers per family at MALFORMED_EVERY = 7


def generate(server, output, task, method, seeds, *extra):
    return main(["generate", "--task", task, "--method", method, "--n", str(N), "--seeds", str(seeds),
                 "--llm-base-url", server.base_url, "--llm-model", "fake-clinical", "--output", str(output), *extra])


def load(output, method):
    return datasets.load_dataset(str(output), method, split="train", cache_dir=str(output.parent / "hf-cache"))


def report_of(output, method):
    return json.loads((output / method / "generation_report.json").read_text())


@pytest.mark.parametrize(
    "task_name, method, data_columns",
    [
        ("casi", "clingen-kg", ["tokens", "ner_tags"]),
        ("litcovid", "clingen-llm", ["text", "label"]),
        ("hoc", "demogen", ["text", "labels"]),
        ("gad", "clingen-kg", ["text", "label", "entities"]),
        ("chemprot", "zerogen", ["text", "label", "entities"]),
        ("mediqa-rqe", "clingen-kg", ["text", "text_pair", "label"]),
        ("healthver", "demogen", ["text", "text_pair", "label"]),
        ("mqp", "clingen-llm", ["text", "text_pair", "label"]),
    ],
)
def test_family_generation_end_to_end(task_name, method, data_columns, clinical_llm, cache_dir, seeds_file, tmp_path, capsys):
    output = tmp_path / f"{task_name}-synthetic"
    assert generate(clinical_llm, output, task_name, method, seeds_file(task_name)) == 0
    summary = capsys.readouterr().out
    task = get_task(task_name)
    train = load(output, method)
    assert list(train.features)[: len(data_columns)] == data_columns
    assert 0 < len(train) < N
    label_feature = train.features[task.label_column]
    names = label_feature.feature.names if task.head in ("token", "multi") else label_feature.names
    assert names == list(task.labels)
    report = report_of(output, method)
    assert sum(report["counts"]["dropped"].values()) + len(train) == N
    assert report["counts"]["dropped"], "the malformed answers are counted by reason"
    assert "kept per class:" in summary
    for row in train:
        assert row["method"] == method and row["prompt"] and row["completion"]


def test_relation_rows_carry_the_tasks_markers(clinical_llm, cache_dir, seeds_file, tmp_path):
    output = tmp_path / "gad-synthetic"
    assert generate(clinical_llm, output, "gad", "clingen-kg", seeds_file("gad")) == 0
    train = load(output, "clingen-kg")
    for row in train:
        assert row["text"].count("@DISEASE$") == 1 and row["text"].count("@GENE$") == 1
        assert " | " in row["topic"] and row["entities"] == row["topic"].split(" | ")
    report = report_of(output, "clingen-kg")
    assert report["pools"]["topics"]["relation_pairs"] is True and "kg_gap" not in report["pools"]["topics"]
    assert report["counts"]["dropped"] == {"disease_not_in_text": N // MALFORMED_EVERY}


def test_attribute_rows_list_entities_as_the_parser_does(clinical_llm, cache_dir, seeds_file, tmp_path):
    output = tmp_path / "casi-synthetic"
    assert generate(clinical_llm, output, "casi", "clingen-kg", seeds_file("casi")) == 0
    for row in load(output, "clingen-kg"):
        parsed = parse_attribute_completion(row["completion"], get_task("casi").entity_types)
        assert row["entities"] == parsed.entities and row["entities"]
        assert all(entity.split(": ", 1)[0] in get_task("casi").entity_types for entity in row["entities"])


def test_a_relation_the_kg_lacks_comes_from_the_llm_and_the_gap_is_reported(clinical_llm, cache_dir, seeds_file, tmp_path):
    output = tmp_path / "cdr-synthetic"
    assert generate(clinical_llm, output, "cdr", "clingen-kg", seeds_file("cdr")) == 0
    topics = report_of(output, "clingen-kg")["pools"]["topics"]
    assert topics["source"] == "llm" and "drug" in topics["kg_gap"] and "disease" in topics["kg_gap"]
    card = (output / "README.md").read_text()
    assert "knowledge gap" in card and "relation extraction" in card


def test_pairs_are_written_in_two_steps_with_the_first_in_provenance(clinical_llm, cache_dir, seeds_file, tmp_path):
    output = tmp_path / "rqe-synthetic"
    assert generate(clinical_llm, output, "mediqa-rqe", "clingen-kg", seeds_file("mediqa-rqe")) == 0
    train = load(output, "clingen-kg")
    task = get_task("mediqa-rqe")
    for row in train:
        assert "Suppose you need to create a set of health question" in row["first_prompt"]
        assert row["text"] in row["first_completion"]
        label = task.labels[row["label"]]
        assert f"with the label '{label}'" in row["prompt"] and task.describe(label) in row["prompt"]
        assert row["text"] in row["prompt"]  # the second prompt carries the first sentence
    report = report_of(output, "clingen-kg")
    # each kept pair is two calls; a failed second step does not lose the first call's tokens
    assert report["usage"]["llm_calls_made"] >= 2 * len(train)
    assert report["counts"]["dropped"] == {"empty_completion": 2}


def test_multi_label_rows_are_planned_and_kept(clinical_llm, cache_dir, seeds_file, tmp_path):
    output = tmp_path / "hoc-synthetic"
    main(["generate", "--task", "hoc", "--method", "zerogen", "--n", "40", "--seeds", str(seeds_file("hoc")),
          "--llm-base-url", clinical_llm.base_url, "--llm-model", "fake-clinical", "--output", str(output)])
    train = load(output, "zerogen")
    sizes = [len(labels) for labels in train["labels"]]
    assert set(sizes) == {1, 2}
    for row in train:
        names = [get_task("hoc").labels[i] for i in row["labels"]]
        assert " and ".join(names) in row["prompt"]


def test_classification_demonstrations_are_of_the_planned_class(clinical_llm, cache_dir, seeds_file, tmp_path):
    output = tmp_path / "litcovid-synthetic"
    assert generate(clinical_llm, output, "litcovid", "demogen", seeds_file("litcovid")) == 0
    task = get_task("litcovid")
    for row in load(output, "demogen"):
        label = task.labels[row["label"]]
        examples = row["prompt"].split("Here are some examples:")[1]
        assert f"the {label} case" in examples
        assert all(f"the {other} case" not in examples for other in task.labels if other != label)


def test_seeds_whose_labels_are_not_the_tasks_are_refused_listing_them(cache_dir, tmp_path, capsys):
    seeds = tmp_path / "seeds.jsonl"
    seeds.write_text("\n".join(json.dumps({"text": f"text {i}", "text_pair": "x y z", "label": label})
                               for i, label in enumerate(["Support", "maybe", "entail", "Unproven"])) + "\n")
    code = main(["generate", "--task", "pubhealth", "--method", "zerogen", "--n", "2", "--seeds", str(seeds),
                 "--llm-base-url", "http://127.0.0.1:9", "--llm-model", "m", "--output", str(tmp_path / "out")])
    error = capsys.readouterr().err
    assert code == 2 and not (tmp_path / "out").exists()
    assert "'entail'" in error and "'maybe'" in error  # every unknown label, not just the first
    assert "Mixture" in error  # and the task's labels


def test_every_task_has_templates_and_features():
    from clingen_hf.core.tasks import TASKS

    for task in TASKS.values():
        family = family_for(task)
        for method in ("clingen-kg", "zerogen"):
            for step in family.steps:
                assert task.template_for(method, step)
        assert task.label_column in family.data_features()


@pytest.mark.parametrize("task_name", ["hoc", "mqp"])
def test_bundled_seeds_are_published_as_a_few_shot_split(task_name, clinical_llm, cache_dir, tmp_path):
    output = tmp_path / "synthetic"
    assert main(["generate", "--task", task_name, "--method", "demogen", "--n", "6", "--llm-base-url", clinical_llm.base_url,
                 "--llm-model", "fake-clinical", "--output", str(output)]) == 0
    task = get_task(task_name)
    few_shot = datasets.load_dataset(str(output), "demogen", split="few_shot", cache_dir=str(tmp_path / "hf-cache"))
    assert len(few_shot) == 5 * len(task.labels) if task.head != "multi" else len(few_shot) >= 5
    train = load(output, "demogen")
    assert few_shot.features[task.label_column] == train.features[task.label_column]
