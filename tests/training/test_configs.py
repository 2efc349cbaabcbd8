"""The shipped trainer configs: each loads with exactly the values its YAML file says, for a
task that exists, and the PubMedBERT ones follow the paper's protocol (Sec. 4.3, App. C)."""

from pathlib import Path

import pytest
import yaml

from clingen_hf.core.tasks import TASKS, get_task
from clingen_hf.training.config import PROTOCOLS, TrainConfig, load_config

CONFIGS = sorted((Path(__file__).resolve().parents[2] / "trainer_configs").glob("*.yaml"))
SETTINGS = ("protocol", "test", "eval_splits", "dev_holdout", "seeds", "k_shot", "few_shot_seed", "learning_rate", "epochs",
            "stage1_learning_rate", "stage1_epochs", "stage1_cache_dir", "batch_size", "eval_batch_size", "max_length",
            "warmup_ratio", "weight_decay", "max_synthetic", "group_by_length", "bf16", "dataloader_num_workers", "peft",
            "push")  # the settings a config file may set
DEFAULTS = TrainConfig(task="t", model="m", output_dir="o", synthetic="d:c", real="r")
PAPER = {  # the training/config.py docstring: lr 2e-5 (base) / 4e-5 (large), 256 tokens, 6 epochs, 5% warm-up
    "pubmedbert-base": {"learning_rate": 2e-5, "model": "microsoft/BiomedNLP-BiomedBERT-base-uncased-abstract-fulltext"},
    "pubmedbert-large": {"learning_rate": 4e-5, "model": "microsoft/BiomedNLP-BiomedBERT-large-uncased-abstract"},
}


def test_every_task_ships_the_three_configs():
    assert len(CONFIGS) == 3 * len(TASKS)
    assert {p.name for p in CONFIGS} == {f"{task}-{kind}.yaml" for task in TASKS
                                         for kind in ("minilm-cpu", "pubmedbert-base", "pubmedbert-large")}


@pytest.mark.parametrize("path", CONFIGS, ids=[p.name for p in CONFIGS])
def test_shipped_config_loads_with_the_values_of_its_file(path):
    raw = yaml.safe_load(path.read_text())
    config = load_config(path)
    assert get_task(config.task).name == raw["task"] and path.name.startswith(f"{config.task}-")
    assert config.protocol in PROTOCOLS
    for key, value in raw.items():
        loaded = getattr(config, key)
        if isinstance(value, float):
            assert isinstance(loaded, float) and loaded == pytest.approx(value, rel=1e-12), key
        else:
            assert loaded == value, key
    for name in set(SETTINGS) - set(raw):  # what the file leaves out keeps the default
        assert getattr(config, name) == getattr(DEFAULTS, name), name
    assert config.synthetic.endswith(":clingen-kg") and "dev" in config.eval_splits


@pytest.mark.parametrize("path", [p for p in CONFIGS if "pubmedbert" in p.name],
                         ids=[p.name for p in CONFIGS if "pubmedbert" in p.name])
def test_pubmedbert_configs_follow_the_paper_protocol(path):
    config = load_config(path)
    paper = PAPER["pubmedbert-large" if path.stem.endswith("large") else "pubmedbert-base"]
    assert config.model == paper["model"]
    assert config.learning_rate == pytest.approx(paper["learning_rate"])
    assert config.stage1 == (pytest.approx(paper["learning_rate"]), 6)  # both stages
    assert (config.epochs, config.max_length, config.warmup_ratio, config.k_shot) == (6, 256, pytest.approx(0.05), 5)
    assert config.protocol == "two-stage" and config.seeds == [0, 1, 2] and config.peft is None


def test_defaults_are_the_paper_protocol():
    assert (DEFAULTS.learning_rate, DEFAULTS.epochs, DEFAULTS.max_length, DEFAULTS.warmup_ratio) == (2e-5, 6, 256, 0.05)
    assert DEFAULTS.seeds == [0, 1, 2] and DEFAULTS.k_shot == 5 and DEFAULTS.protocol == "two-stage"


def test_training_arguments_names_mean_what_the_hf_docs_say(tmp_path):
    from clingen_hf.training.config import (
        TrainConfigError,
        load_config,
        parse_overrides,
    )

    yaml = tmp_path / "hf-names.yaml"
    yaml.write_text("task: ncbi-disease\nmodel: m\noutput_dir: o\nreal: r\nsynthetic: d:c\nnum_train_epochs: 4\n"
                    "per_device_train_batch_size: 8\nper_device_eval_batch_size: 32\nseed: 7\n")
    config = load_config(yaml)
    assert (config.epochs, config.batch_size, config.eval_batch_size, config.seeds) == (4, 8, 32, [7])
    assert load_config(yaml, parse_overrides(["--num_train_epochs", "2"])).epochs == 2
    with pytest.raises(TrainConfigError, match="both num_train_epochs and epochs are set"):
        load_config(yaml, parse_overrides(["--num_train_epochs", "2", "--epochs", "3"]))
