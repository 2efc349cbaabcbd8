"""`train.py CONFIG.yaml [--key value ...]`, also under `accelerate launch`.

Examples:
    accelerate launch train.py trainer_configs/ncbi-disease-pubmedbert-base.yaml
    accelerate launch --cpu --num_processes 1 train.py trainer_configs/ncbi-disease-minilm-cpu.yaml
        --synthetic out/ncbi-synthetic:clingen-kg --real data/ncbi_disease --seeds 0 1 2
    python train.py trainer_configs/ncbi-disease-minilm-cpu.yaml --protocol supervised-few --epochs 30
        --real data/ncbi_disease --output_dir out/models/supervised-few
"""

from __future__ import annotations

import argparse
import sys

from clingen_hf.cli.common import examples_epilog
from clingen_hf.core.encoders import ModelNotFoundError
from clingen_hf.hub.publish import PublishError
from clingen_hf.training.config import TrainConfigError, load_config, parse_overrides

EPILOG = examples_epilog(__doc__) + """

Any config key can be overridden as --key value (lists: --seeds 0 1 2; nested: --peft.r 16).
Keys: task, model (Hub id, folder or pkg://MODULE), output_dir, protocol (two-stage |
supervised-few | supervised-full), synthetic (DIR:CONFIG or REPO_ID[@REVISION]:CONFIG), real
(folder of train/dev files or Hub id), eval_splits, seeds, k_shot, learning_rate, epochs,
stage1_learning_rate, stage1_epochs, batch_size, eval_batch_size, max_length, warmup_ratio,
weight_decay, max_synthetic, group_by_length, bf16 (auto|true|false), peft (r, lora_alpha,
lora_dropout, target_modules, save: adapter|merged), push (repo_id, version, private), min_steps,
selection (validation | validation+synthetic | last), synthetic_holdout. TrainingArguments'
names work too: num_train_epochs, per_device_train_batch_size, per_device_eval_batch_size, seed."""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="train.py",
        description="Fine-tune a classifier on few-shot real data, then on synthetic data (ClinGen's two-stage protocol); "
        "writes the model, results.json and a model card to output_dir.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("config", help="YAML file in trainer_configs/")
    args, rest = parser.parse_known_args(argv)
    try:
        config = load_config(args.config, parse_overrides(rest))
        from clingen_hf.training.trainer import train

        results = train(config)
    except (TrainConfigError, ModelNotFoundError) as error:
        print(f"train.py: error: {error}", file=sys.stderr)
        return 2
    except PublishError as error:
        print(f"train.py: the model was trained and saved, but not pushed: {error}", file=sys.stderr)
        return 1
    if results:  # only the main process has them
        print_summary(results)
    return 0


def print_summary(results: dict) -> None:
    main = results["main_metric"]
    print(f"\n{results['task']} / {results['protocol']} / {results['model']}: {main} over seeds {results['config']['seeds']}")
    for split, metrics in results["summary"].items():
        if main in metrics:
            print(f"  {split:12} {metrics[main]['mean']:.4f} ± {metrics[main]['std']:.4f}")
    print(f"  model (seed {results['best_seed']}), results.json and model card in {results['config']['output_dir']}")
    print(f"  wall time {results['compute']['wall_time_s']} s on {results['compute']['device']}")
