import json

import pytest

from clingen_hf.data import SeedError, load_seeds, sample_few_shot
from clingen_hf.tasks import get_task

NCBI = get_task("ncbi-disease")

CONLL = "Mutations\tO\nin\tO\ncystic\tB-Disease\nfibrosis\tI-Disease\n.\tO\n\nNo\tO\ndisease\tO\nhere\tO\n\nGout\tB-Disease\nflares\tO\n"


def test_conll_file_and_folder(tmp_path):
    (tmp_path / "train.tsv").write_text(CONLL)
    for source in (tmp_path / "train.tsv", tmp_path):
        seeds = load_seeds(str(source), NCBI)
        assert len(seeds) == 3
        assert seeds[0] == {"tokens": ["Mutations", "in", "cystic", "fibrosis", "."], "ner_tags": ["O", "O", "B-Disease", "I-Disease", "O"]}


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
    import datasets

    features = datasets.Features(
        {"tokens": datasets.Sequence(datasets.Value("string")), "ner_tags": datasets.Sequence(NCBI.class_label())}
    )
    datasets.Dataset.from_dict({"tokens": [["Gout", "flares"]], "ner_tags": [[1, 0]]}, features=features).save_to_disk(
        tmp_path / "saved"
    )
    datasets.load_from_disk(tmp_path / "saved").to_parquet(str(tmp_path / "hub" / "train.parquet"))
    seeds = load_seeds(str(tmp_path / "hub"), NCBI)
    assert seeds["ner_tags"] == [["B-Disease", "O"]]


@pytest.mark.parametrize("task", ["ncbi-disease", "bc5cdr-disease", "bc5cdr-chemical", "chemdner"])
def test_bundled_seeds_load(task):
    seeds = load_seeds(None, get_task(task))
    assert len(seeds) >= 10


def test_few_shot_is_seeded_and_only_sentences_with_entities(tmp_path):
    (tmp_path / "train.tsv").write_text(CONLL)
    seeds = load_seeds(str(tmp_path), NCBI)
    few = sample_few_shot(seeds, NCBI, k=5, seed=0)
    assert len(few) == 2 and all(any(t != "O" for t in row["ner_tags"]) for row in few)
    bundled = load_seeds(None, NCBI)
    assert sample_few_shot(bundled, NCBI, 5, 1)["tokens"] == sample_few_shot(bundled, NCBI, 5, 1)["tokens"]
    assert sample_few_shot(bundled, NCBI, 5, 1)["tokens"] != sample_few_shot(bundled, NCBI, 5, 2)["tokens"]
