"""Real data for training through the readers: split folders in the real formats, Hub
datasets by column alias, and few-shot pools per class for every head."""

from pathlib import Path

import datasets
import pytest

from clingen_hf.core.tasks import get_task
from clingen_hf.training.config import TrainConfigError
from clingen_hf.training.data import few_shot_and_validation, load_real

FIXTURES = Path(__file__).parents[1] / "fixtures" / "readers"


def test_real_folder_in_a_real_format_becomes_label_ids():
    cdr = get_task("cdr")
    real = load_real(str(FIXTURES / "cdr"), cdr)
    assert set(real) == {"train", "dev"} and len(real["train"]) == 6
    assert real["train"].features["label"] == cdr.class_label()
    assert real["dev"]["label"] == [cdr.labels.index("induce")] * 2


def test_real_folder_without_train_and_bad_labels(tmp_path):
    with pytest.raises(TrainConfigError, match="no train file"):
        load_real(str(FIXTURES / "healthver"), get_task("healthver"))
    (tmp_path / "train.tsv").write_text("a @GENE$ b @DISEASE$\t2\nc\tyes\n")
    with pytest.raises(TrainConfigError, match=r"real data: .*label\(s\) '2' .*, 'yes' .*not labels of gad"):
        load_real(str(tmp_path), get_task("gad"))


def test_real_hub_dataset_by_column_alias(monkeypatch):
    mqp = get_task("mqp")
    dataset = datasets.Dataset.from_dict({"question1": ["a", "b"], "question2": ["c", "d"], "label": [1, 0]})
    hub = datasets.DatasetDict({"train": dataset, "validation": dataset})
    monkeypatch.setattr(datasets, "load_dataset", lambda source: hub)
    real = load_real("some-org/medical-question-pairs", mqp)
    assert set(real) == {"train", "dev"}
    assert real["dev"].column_names == ["text", "text_pair", "label"]
    assert [mqp.labels[i] for i in real["train"]["label"]] == ["equivalent", "not_equivalent"]


def test_token_few_shot_is_per_entity_type_and_needs_every_type():
    casi = get_task("casi")
    ids = {tag: index for index, tag in enumerate(casi.labels)}
    rows = [["B-Medication", "O"], ["B-Dosage", "I-Dosage"], ["O"], ["B-Medication", "B-Route"]]
    train = datasets.Dataset.from_dict({"tokens": [["w"] * len(tags) for tags in rows],
                                        "ner_tags": [[ids[t] for t in tags] for tags in rows]})
    with pytest.raises(TrainConfigError, match="no example of casi class"):
        few_shot_and_validation(train, casi, k=1, seed=0)


def test_few_shot_and_validation_for_multi_label_rows():
    hoc = get_task("hoc")
    labels = [[c] for c in range(len(hoc.labels))] * 2 + [[0, 1], [], [2, 3]]
    train = datasets.Dataset.from_dict({"text": [f"s{i}" for i in range(len(labels))], "labels": labels})
    few, validation = few_shot_and_validation(train, hoc, k=1, seed=0)
    assert len(few) == len(hoc.labels) and len(validation) >= len(hoc.labels) - 2
    assert not set(few["text"]) & set(validation["text"])
    assert {c for row in few["labels"] for c in row} == set(range(len(hoc.labels)))


def test_single_split_real_data_is_divided_by_dev_holdout(tmp_path):
    from clingen_hf.core.tasks import get_task
    from clingen_hf.training.config import TrainConfigError
    from clingen_hf.training.data import load_real

    folder = tmp_path / "healthver"
    folder.mkdir()
    rows = [{"text": f"claim {i}", "text_pair": f"evidence {i}", "label": ["Support", "Refute", "Unproven"][i % 3]} for i in range(20)]
    (folder / "dev.jsonl").write_text("\n".join(__import__("json").dumps(r) for r in rows) + "\n")
    task = get_task("healthver")
    real = load_real(str(folder), task, dev_holdout=0.25)
    assert sorted(real) == ["dev", "train"] and (len(real["train"]), len(real["dev"])) == (15, 5)
    assert set(real["train"]["text"]).isdisjoint(real["dev"]["text"])
    assert load_real(str(folder), task, dev_holdout=0.25)["dev"]["text"] == real["dev"]["text"]  # the same every run
    import pytest

    with pytest.raises(TrainConfigError, match="set dev_holdout"):
        load_real(str(folder), task)
