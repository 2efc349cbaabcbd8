import json

import datasets
import pytest

from clingen_hf.core.tasks import get_task
from clingen_hf.data.readers import LabelError
from clingen_hf.data.seeds import (
    SeedError,
    as_seed_rows,
    few_shot_digest,
    few_shot_split,
    load_seeds,
    rows_per_class,
    seed_features,
)
from tests.paths import READER_FIXTURES

NCBI = get_task("ncbi-disease")
FIXTURES = READER_FIXTURES

CONLL = "Mutations\tO\nin\tO\ncystic\tB-Disease\nfibrosis\tI-Disease\n.\tO\n\nNo\tO\ndisease\tO\nhere\tO\n\nGout\tB-Disease\nflares\tO\n"


def test_conll_file_and_folder(tmp_path):
    (tmp_path / "train.tsv").write_text(CONLL)
    seeds = load_seeds(str(tmp_path / "train.tsv"), NCBI)
    assert len(seeds) == 3
    assert seeds[0] == {"tokens": ["Mutations", "in", "cystic", "fibrosis", "."], "ner_tags": ["O", "O", "B-Disease", "I-Disease", "O"]}
    (tmp_path / "devel.tsv").write_text(CONLL)
    assert load_seeds(str(tmp_path), NCBI)["tokens"] == seeds["tokens"]  # a folder: its train split


def test_malformed_conll_names_the_line(tmp_path):
    path = tmp_path / "bad.tsv"
    path.write_text("Mutations\tO\nin O\n")
    with pytest.raises(SeedError, match=r"bad.tsv:2: expected 'token<TAB>tag'"):
        load_seeds(str(path), NCBI)


def test_tags_of_another_task_are_refused(tmp_path):
    path = tmp_path / "chem.tsv"
    path.write_text("Aspirin\tB-Chemical\n")
    with pytest.raises(SeedError, match="not labels of ncbi-disease"):
        load_seeds(str(path), NCBI)


def test_jsonl_with_string_or_index_tags(tmp_path):
    path = tmp_path / "seeds.jsonl"
    rows = [{"tokens": ["Gout", "flares"], "ner_tags": ["B-Disease", "O"]}, {"tokens": ["Gout"], "ner_tags": [1]}]
    path.write_text("\n".join(json.dumps(r) for r in rows))
    assert load_seeds(str(path), NCBI)["ner_tags"] == [["B-Disease", "O"], ["B-Disease"]]
    path.write_text('{"tokens": ["a"], "ner_tags": ["O"]}\n{broken\n')
    with pytest.raises(SeedError, match="seeds.jsonl:2: not valid JSON"):
        load_seeds(str(path), NCBI)


def test_missing_file_and_unknown_source(tmp_path):
    with pytest.raises(SeedError, match="seed file not found"):
        load_seeds(str(tmp_path / "nope.tsv"), NCBI)
    with pytest.raises(SeedError, match="neither a seed file nor a loadable dataset"):
        load_seeds("no-such-org/no-such-dataset", NCBI)


def test_hub_style_dataset_with_classlabel_tags(tmp_path):
    features = datasets.Features(
        {"tokens": datasets.Sequence(datasets.Value("string")), "ner_tags": datasets.Sequence(NCBI.class_label())}
    )
    datasets.Dataset.from_dict({"tokens": [["Gout", "flares"]], "ner_tags": [[1, 0]]}, features=features).save_to_disk(
        tmp_path / "saved"
    )
    datasets.load_from_disk(tmp_path / "saved").to_parquet(str(tmp_path / "hub" / "train.parquet"))
    seeds = load_seeds(str(tmp_path / "hub" / "train.parquet"), NCBI)
    assert seeds["ner_tags"] == [["B-Disease", "O"]]
    with pytest.raises(SeedError, match=r"only split \(train, 1 rows\) is too small to hold out"):
        load_seeds(str(tmp_path / "hub"), NCBI)  # a single-split folder: training would hold out its dev share


@pytest.mark.parametrize("task", ["ncbi-disease", "bc5cdr-disease", "bc5cdr-chemical", "chemdner"])
def test_bundled_seeds_load(task):
    seeds = load_seeds(None, get_task(task))
    assert len(seeds) >= 10


def test_few_shot_is_seeded_and_only_sentences_with_entities(tmp_path):
    (tmp_path / "train.tsv").write_text(CONLL)
    seeds = load_seeds(str(tmp_path / "train.tsv"), NCBI)
    few = few_shot_split(seeds, NCBI, k=5, seed=0)[0]
    assert len(few) == 2 and all(any(t != "O" for t in row["ner_tags"]) for row in few)
    bundled = load_seeds(None, NCBI)
    assert few_shot_split(bundled, NCBI, 5, 1)[0]["tokens"] == few_shot_split(bundled, NCBI, 5, 1)[0]["tokens"]
    assert few_shot_split(bundled, NCBI, 5, 1)[0]["tokens"] != few_shot_split(bundled, NCBI, 5, 2)[0]["tokens"]


# --- every head ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "source, task, columns, first_label",
    [
        ("gad", "gad", ["text", "label"], "Has_relation"),
        ("cdr/CDR_TrainingSet.PubTator.txt", "cdr", ["text", "label"], "induce"),
        ("hoc", "hoc", ["text", "labels"], []),
        ("healthver", "healthver", ["text", "text_pair", "label"], "Refute"),  # only a dev split: the seeds
        ("mediqa_rqe", "mediqa-rqe", ["text", "text_pair", "label"], "Entail"),
    ],
)
def test_seeds_of_every_head_hold_label_names(source, task, columns, first_label):
    seeds = load_seeds(str(FIXTURES / source), get_task(task))
    assert seeds.column_names == columns
    assert seeds[0][get_task(task).label_column] == first_label
    assert seeds.features == seed_features(get_task(task))


def test_seeds_from_a_saved_dataset(tmp_path):
    dataset = datasets.Dataset.from_dict({"sentence1": ["a"], "sentence2": ["b"], "label": ["contradiction"]})
    dataset.save_to_disk(str(tmp_path / "saved"))
    assert load_seeds(str(tmp_path / "saved"), get_task("mednli"))[0] == {"text": "a", "text_pair": "b", "label": "contradict"}


def test_seeds_with_labels_of_another_task_list_every_unknown_label(tmp_path):
    path = tmp_path / "seeds.jsonl"
    rows = [{"text": "a", "label": "Treatment"}, {"text": "b", "label": "Has_relation"}, {"text": "c", "label": "Cure"}]
    path.write_text("\n".join(json.dumps(r) for r in rows))
    with pytest.raises(LabelError, match=r"'Has_relation' .*'Cure' .*are not labels of litcovid; its labels are: "
                                         r"Epidemic Forecasting, Treatment"):
        load_seeds(str(path), get_task("litcovid"))


def test_few_shot_draws_k_per_class_without_repeats():
    gad = get_task("gad")
    seeds = datasets.Dataset.from_list([{"text": f"s{i}", "label": gad.labels[i % 2]} for i in range(10)],
                                       features=seed_features(gad))
    few = few_shot_split(seeds, gad, k=2, seed=3)[0]
    assert sorted(few["label"]) == ["Has_relation", "Has_relation", "No_relation", "No_relation"]
    assert few["text"] == few_shot_split(seeds, gad, k=2, seed=3)[0]["text"]
    hoc = load_seeds(str(FIXTURES / "hoc"), get_task("hoc"))
    with pytest.raises(SeedError, match="no example of hoc class.*evading growth suppressors"):
        few_shot_split(hoc, get_task("hoc"), k=1, seed=0)


def test_few_shot_per_entity_type_for_multi_type_token_tasks():
    casi = get_task("casi")
    rows = [{"tokens": [name, "x"], "ner_tags": [f"B-{name}", "O"]} for name in casi.class_names]
    rows.append({"tokens": ["a", "b"], "ner_tags": ["B-Medication", "B-Dosage"]})
    seeds = datasets.Dataset.from_list(rows * 2, features=seed_features(casi))
    pools = rows_per_class(seeds["ner_tags"], casi)
    assert pools["Medication"] == [0, 6, 7, 13] and pools["Route"] == [2, 9]
    few = few_shot_split(seeds, casi, k=1, seed=0)[0]
    assert {tag[2:] for tags in few["ner_tags"] for tag in tags if tag != "O"} == set(casi.class_names)
    assert len(few) <= len(casi.class_names)


def test_few_shot_split_is_one_draw_for_names_and_ids():
    """Generation (label names) and stage I (label ids) draw the same k-shot and validation rows."""
    bundled = load_seeds(None, NCBI)
    ids = {name: index for index, name in enumerate(NCBI.labels)}
    as_ids = datasets.Dataset.from_dict({"tokens": bundled["tokens"],
                                         "ner_tags": [[ids[t] for t in tags] for tags in bundled["ner_tags"]]})
    few, validation = few_shot_split(bundled, NCBI, k=5, seed=4)
    few_ids, validation_ids = few_shot_split(as_ids, NCBI, k=5, seed=4)
    assert few["tokens"] == few_ids["tokens"] and validation["tokens"] == validation_ids["tokens"]
    assert len(few) == 5 and len(validation) == 5 and not set(map(tuple, few["tokens"])) & set(map(tuple, validation["tokens"]))
    assert few_shot_digest(few, NCBI) == few_shot_digest(few_ids, NCBI) != few_shot_digest(validation, NCBI)


@pytest.mark.parametrize("name", ["devel.tsv", "test.tsv", "ncbi_dev.tsv", "CDR_DevelopmentSet.PubTator.txt"])
def test_an_evaluation_file_is_refused_as_seeds(tmp_path, name):
    (tmp_path / name).write_text(CONLL)
    with pytest.raises(SeedError, match="for evaluation: its rows must never be shown to the LLM"):
        load_seeds(str(tmp_path / name), NCBI)


def test_single_split_folder_gives_seeds_only_from_the_rows_training_keeps(tmp_path):
    """GAD ships one file: training holds out a dev share of it, and no held-out row is a seed."""
    from clingen_hf.training.data import load_real

    gad = get_task("gad")
    lines = [f"sentence {i} about @GENE$ and @DISEASE$\t{i % 2}" for i in range(40)]
    (tmp_path / "train.tsv").write_text("\n".join(lines) + "\n")
    seeds = load_seeds(str(tmp_path), gad, dev_holdout=0.25)
    real = load_real(str(tmp_path), gad, dev_holdout=0.25)
    assert len(seeds) == 30 and set(seeds["text"]) == set(real["train"]["text"])
    assert set(seeds["text"]).isdisjoint(real["dev"]["text"])
    for seed in range(5):  # every draw, the k-shot set and its validation set, stays in the train part
        few, validation = few_shot_split(seeds, gad, k=5, seed=seed)
        assert set(few["text"]) | set(validation["text"]) <= set(real["train"]["text"])
        assert few["text"] == few_shot_split(as_seed_rows(real["train"], gad), gad, k=5, seed=seed)[0]["text"]
