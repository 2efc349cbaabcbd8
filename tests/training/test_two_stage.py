"""Stage II on synthetic data teaches what the few-shot set cannot.

A toy NER task for ncbi-disease whose rule is word identity: of 60 made-up key words, a
random half are diseases (B-Disease) and the rest are not (O); every sentence is filler
words around one disease key word and one other key word. k=5 sentences per class show 5 of
the 30 disease words (and 5 of the others), and nothing about them generalises to the words
not shown; a few hundred synthetic sentences (as `clingen generate` writes them) show all 60.
"""

import random

import datasets
import pytest
import torch
from transformers import BertConfig, BertForMaskedLM, BertTokenizerFast

from clingen_hf.core.tasks import get_task
from clingen_hf.hub.layout import write_config
from clingen_hf.training.config import load_config
from clingen_hf.training.trainer import train
from tests.training.conftest import write_conll

KEYS = [f"w{i:02d}" for i in range(60)]
DISEASE_KEYS = sorted(random.Random(7).sample(KEYS, 30))
OTHER_KEYS = [key for key in KEYS if key not in DISEASE_KEYS]
FILLER = ["the", "patient", "was", "seen", "today", "with", "a", "report", "of", "and", "in", "clinic"]


def sentence(disease: str, other: str, rng: random.Random) -> dict:
    words = rng.sample(FILLER, 4)
    for key in rng.sample([disease, other], 2):
        words.insert(rng.randrange(len(words) + 1), key)
    return {"tokens": words, "ner_tags": ["B-Disease" if w == disease else "O" for w in words]}


def sentences(pairs, seed: int) -> list[dict]:
    rng = random.Random(seed)
    return [sentence(disease, other, rng) for disease, other in pairs]


def build_word_model(directory, init_seed: int = 0) -> str:
    """A random 2-layer BERT whose word-level vocabulary holds the filler and key words."""
    torch.manual_seed(init_seed)
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *FILLER, *KEYS]
    (directory / "vocab.txt").write_text("\n".join(vocab) + "\n")
    tokenizer = BertTokenizerFast(vocab=str(directory / "vocab.txt"), do_lower_case=True)  # transformers 5: `vocab`
    assert tokenizer.convert_tokens_to_ids(KEYS) == list(range(5 + len(FILLER), len(vocab)))  # no key word is [UNK]
    config = BertConfig(vocab_size=len(vocab), hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                        intermediate_size=64, max_position_embeddings=32)
    BertForMaskedLM(config).save_pretrained(directory)
    tokenizer.save_pretrained(directory)
    return str(directory)


def write_toy_data(directory) -> tuple[str, str]:
    """The real splits (train: 40 random sentences; dev: every key word twice) and a synthetic
    set of 300 sentences, every key word 5 times, as `clingen generate` writes it."""
    rng = random.Random(1)
    real = directory / "real"
    real.mkdir()
    write_conll(real / "train.tsv", sentences([(rng.choice(DISEASE_KEYS), rng.choice(OTHER_KEYS)) for _ in range(40)], 1))
    dev_pairs = list(zip(DISEASE_KEYS, OTHER_KEYS)) + list(zip(DISEASE_KEYS, reversed(OTHER_KEYS)))
    write_conll(real / "devel.tsv", sentences(dev_pairs, 2))
    task = get_task("ncbi-disease")
    synthetic_pairs = [(d, o) for shift in range(5) for d, o in zip(DISEASE_KEYS, OTHER_KEYS[shift:] + OTHER_KEYS[:shift])]
    rows = [{"tokens": r["tokens"], "ner_tags": [task.labels.index(t) for t in r["ner_tags"]]}
            for r in sentences(synthetic_pairs * 2, 3)]
    features = datasets.Features({"tokens": datasets.Sequence(datasets.Value("string")),
                                  "ner_tags": datasets.Sequence(task.class_label())})
    report = {"task": task.name, "method": "clingen-kg", "method_description": "", "seed": 0, "k_shot": 5,
              "seeds_source": "", "template_id": "", "llm": {}, "pools": {}, "usage": {},
              "counts": {"requested": len(rows), "kept": len(rows), "dropped": {}}}
    write_config(directory / "synthetic", "clingen-kg", datasets.Dataset.from_list(rows, features=features), report, {})
    return str(real), f"{directory / 'synthetic'}:clingen-kg"


def run(protocol: str, seed: int, model: str, data: tuple[str, str], directory, **overrides) -> dict:
    real, synthetic = data
    values = {"task": "ncbi-disease", "model": model, "output_dir": str(directory / protocol), "protocol": protocol,
              "real": real, "seeds": [seed], "k_shot": 5, "stage1_learning_rate": 5e-3, "stage1_epochs": 10,
              "learning_rate": 5e-3, "epochs": 4, "batch_size": 16, "max_length": 16,
              **({"synthetic": synthetic} if protocol == "two-stage" else {})}
    return train(load_config(None, {**values, **overrides}))


@pytest.fixture(scope="module")
def word_model(tmp_path_factory):
    return build_word_model(tmp_path_factory.mktemp("word-bert"))


def test_stage_two_on_synthetic_data_beats_the_few_shot_stage_alone(word_model, tmp_path):
    data = write_toy_data(tmp_path)
    few = run("supervised-few", 0, word_model, data, tmp_path)
    both = run("two-stage", 0, word_model, data, tmp_path)
    assert both["per_seed"][0]["steps"]["stage1"] == few["per_seed"][0]["steps"]["stage1"]  # the same stage I
    few_f1, both_f1 = few["summary"]["dev"]["f1"]["mean"], both["summary"]["dev"]["f1"]["mean"]
    assert few_f1 < 0.6  # 5 of the 30 disease words seen: no better on the others than a guess
    assert both_f1 > 0.9 and both_f1 >= few_f1 + 0.3


@pytest.mark.parametrize("selection", ["validation+synthetic", "last"])
def test_a_small_synthetic_set_with_minimum_steps_and_each_selection_rule_beats_stage_one(word_model, tmp_path,
                                                                                          selection):
    data = write_toy_data(tmp_path)
    few = run("supervised-few", 0, word_model, data, tmp_path, min_steps=40)
    small = run("two-stage", 0, word_model, data, tmp_path, max_synthetic=60, epochs=1, min_steps=40,
                selection=selection)
    steps = small["per_seed"][0]["steps"]
    assert steps["stage1"] >= 40  # stage I: 1 step per epoch, scaled up to the minimum
    synthetic_rows = 60 - (8 if selection == "validation+synthetic" else 0)  # a held-out slice chooses checkpoints
    assert steps["stage2"] >= 40 and steps["stage2"] % -(-synthetic_rows // 16) == 0
    assert small["summary"]["dev"]["f1"]["mean"] > few["summary"]["dev"]["f1"]["mean"]
