"""Fine-tune from Python; `train.py` is a shell over this."""

from __future__ import annotations

from pathlib import Path

from clingen_hf.training.config import TrainConfig, load_config


def train(config: TrainConfig | str | Path, **overrides) -> dict:
    """Train every seed of `config` (a TrainConfig, or a YAML file from trainer_configs/ with
    `overrides` as its `--key value` pairs) and return what results.json holds; the model,
    results.json and the model card are written to the config's output_dir.

        results = train("trainer_configs/ncbi-disease-minilm-cpu.yaml", synthetic="out/ncbi:clingen-kg",
                        real="data/ncbi_disease", output_dir="out/model", seeds=[0, 1, 2])
    """
    from clingen_hf.training.trainer import train as train_seeds

    if not isinstance(config, TrainConfig):
        config = load_config(config, overrides)
    elif overrides:
        raise TypeError("overrides go with a config file; set the fields of a TrainConfig directly")
    return train_seeds(config)
