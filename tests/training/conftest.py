"""Tiny, offline training fixtures: a random 2-layer BERT with a word-level vocabulary built
from the fixture sentences, and small real/synthetic datasets for each model head."""

import json
import random

import datasets
import pytest
import torch
from transformers import BertConfig, BertForMaskedLM, BertTokenizerFast

from clingen_hf.core.tasks import TASKS, TaskSpec, get_task
from clingen_hf.hub.layout import write_config

DISEASES = ["asthma", "gout", "lupus", "migraine", "psoriasis", "anemia", "glaucoma", "epilepsy"]
FRAMES = ["patients with {} improved", "the {} cohort was followed", "a case of {} is reported", "{} was treated early"]
FILLER = ["the", "study", "was", "a", "of", "and", "in", "trial", "results", "good", "bad", "cancer", "covid", "vaccine"]


def ner_rows(count: int, seed: int) -> list[dict]:
    rng = random.Random(seed)
    rows = []
    for _ in range(count):
        disease = rng.choice(DISEASES)
        words = rng.choice(FRAMES).format(disease).split()
        tags = ["B-Disease" if w == disease else "O" for w in words]
        rows.append({"tokens": words, "ner_tags": tags})
    return rows


def write_conll(path, rows):
    path.write_text("\n\n".join("\n".join(f"{t}\t{g}" for t, g in zip(r["tokens"], r["ner_tags"])) for r in rows) + "\n")


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory):
    directory = tmp_path_factory.mktemp("tiny-bert")
    words = sorted(set(DISEASES + FILLER + " ".join(FRAMES).replace("{}", "").split()))
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *words]
    (directory / "vocab.txt").write_text("\n".join(vocab) + "\n")
    # transformers 5 ignores `vocab_file=` here (the vocabulary would be the special tokens only)
    tokenizer = BertTokenizerFast(vocab=str(directory / "vocab.txt"), do_lower_case=True)
    assert tokenizer.convert_tokens_to_ids(DISEASES[0].lower()) != tokenizer.unk_token_id
    config = BertConfig(vocab_size=len(vocab), hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                        intermediate_size=64, max_position_embeddings=64)
    torch.manual_seed(0)  # the same random model every session
    BertForMaskedLM(config).save_pretrained(directory)
    tokenizer.save_pretrained(directory)
    return str(directory)


@pytest.fixture
def ner_data(tmp_path):
    real = tmp_path / "real"
    real.mkdir()
    write_conll(real / "train.tsv", ner_rows(40, 0))
    write_conll(real / "devel.tsv", ner_rows(20, 1))
    task = get_task("ncbi-disease")
    features = datasets.Features({"tokens": datasets.Sequence(datasets.Value("string")),
                                  "ner_tags": datasets.Sequence(task.class_label())})
    rows = [{"tokens": r["tokens"], "ner_tags": [task.labels.index(t) for t in r["ner_tags"]]} for r in ner_rows(48, 2)]
    synthetic = datasets.Dataset.from_list(rows, features=features)
    report = {"task": task.name, "method": "clingen-kg", "method_description": "", "seed": 0, "k_shot": 5,
              "seeds_source": "", "template_id": "", "llm": {}, "pools": {}, "usage": {},
              "counts": {"requested": 48, "kept": 48, "dropped": {}}}
    write_config(tmp_path / "synthetic", "clingen-kg", synthetic, report, {})
    return {"real": str(real), "synthetic": f"{tmp_path / 'synthetic'}:clingen-kg"}


def register_task(monkeypatch, task: TaskSpec) -> TaskSpec:
    monkeypatch.setitem(TASKS, task.name, task)
    return task


def write_jsonl(path, rows):
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
