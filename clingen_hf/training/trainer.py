"""The paper's fine-tuning protocol (Sec. 4.3, App. C) with the HF Trainer.

Stage I fine-tunes on the few-shot set (k per class from the real train split, drawn with
the run's seed); stage II continues from stage I on the synthetic data. Each stage keeps the
checkpoint best on a validation set as large as the few-shot set, scored by the task's main
metric. Repeated over seeds; baselines: supervised-few (stage I only) and supervised-full
(the full real train split).
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
import shutil
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path

import datasets
import numpy as np
import torch
import transformers
from accelerate import PartialState
from transformers import (
    AutoModelForSequenceClassification,
    AutoModelForTokenClassification,
    AutoTokenizer,
    DataCollatorForTokenClassification,
    DataCollatorWithPadding,
    Trainer,
    TrainingArguments,
)

from clingen_hf.core.encoders import resolve_model_path
from clingen_hf.core.tasks import TaskSpec, get_task
from clingen_hf.data.seeds import few_shot_digest
from clingen_hf.training.config import TrainConfig, TrainConfigError
from clingen_hf.training.data import (
    encode,
    few_shot_and_validation,
    load_real,
    load_synthetic,
)
from clingen_hf.training.metrics import MetricComputer

logger = logging.getLogger(__name__)


@dataclass
class SeedResult:
    seed: int
    metrics: dict[str, dict[str, float]]  # split -> metric -> value
    selection_score: float
    steps: dict[str, int] = field(default_factory=dict)
    model_dir: str = ""
    few_shot: dict = field(default_factory=dict)  # the seed, size and digest of the k-shot and validation sets


@dataclass
class TrainingRun:
    config: TrainConfig
    task: TaskSpec
    real: datasets.DatasetDict
    synthetic: datasets.Dataset | None
    synthetic_provenance: dict | None
    tokenizer: object
    metric: MetricComputer

    @property
    def eval_splits(self) -> list[str]:
        """The evaluation splits, dev before test; selection never looks at them."""
        return self.config.eval_splits or [split for split in ("dev", "test") if split in self.real]

    def few_shot_seed(self, training_seed: int) -> int:
        if self.config.few_shot_seed is not None:
            return self.config.few_shot_seed
        generation_seed = (self.synthetic_provenance or {}).get("generation_seed")
        return generation_seed if generation_seed is not None else training_seed


def prepare(config: TrainConfig) -> TrainingRun:
    """Load and check everything before the first step, so bad input fails fast."""
    task = get_task(config.task)
    real = load_real(config.real, task, config.dev_holdout, config.test)
    missing = [split for split in config.eval_splits or [] if split not in real]
    if missing:
        raise TrainConfigError(f"real data {config.real} has no {missing} split(s); it has: {', '.join(real)}")
    if "dev" not in real and config.eval_splits is None:
        raise TrainConfigError(f"real data {config.real} has no dev split (it has: {', '.join(real)}); "
                               "set dev_holdout to hold one out of a single split")
    synthetic, provenance = None, None
    if config.protocol == "two-stage":
        synthetic, provenance = load_synthetic(config.synthetic, task, config.max_synthetic)
    tokenizer = AutoTokenizer.from_pretrained(resolve_model_path(config.model))
    return TrainingRun(config, task, real, synthetic, provenance, tokenizer, MetricComputer(task))


def build_model(config: TrainConfig, task: TaskSpec, path: str | None = None):
    path = path or resolve_model_path(config.model)
    labels = {"id2label": dict(enumerate(task.labels)), "label2id": {l: i for i, l in enumerate(task.labels)}}
    if task.head == "token":
        model = AutoModelForTokenClassification.from_pretrained(path, num_labels=len(task.labels), **labels)
    else:
        problem = "multi_label_classification" if task.head == "multi" else "single_label_classification"
        model = AutoModelForSequenceClassification.from_pretrained(path, num_labels=len(task.labels), problem_type=problem, **labels)
    if config.peft is not None:
        model = _with_lora(model, config, task)
    return model


def _with_lora(model, config: TrainConfig, task: TaskSpec):
    from peft import LoraConfig, TaskType, get_peft_model

    lora = LoraConfig(
        task_type=TaskType.TOKEN_CLS if task.head == "token" else TaskType.SEQ_CLS,
        r=config.peft.r,
        lora_alpha=config.peft.lora_alpha,
        lora_dropout=config.peft.lora_dropout,
        target_modules=config.peft.target_modules,
    )
    return get_peft_model(model, lora)


def use_all_cpu_cores() -> None:
    """`accelerate launch` sets OMP_NUM_THREADS=1; the processes on a CPU machine share its cores."""
    if not torch.cuda.is_available():
        processes = int(os.environ.get("LOCAL_WORLD_SIZE", os.environ.get("WORLD_SIZE", "1")))
        torch.set_num_threads(max(1, (os.cpu_count() or 1) // processes))


def distributed_state() -> PartialState:
    """The process group of this run. Without a GPU, several processes (`accelerate launch
    --multi_gpu --num_processes N`, or torchrun) train data parallel over gloo: accelerate makes
    that group only when asked for the CPU, and the first PartialState decides for the run."""
    return PartialState(cpu=not torch.cuda.is_available())


def use_bf16(setting: str) -> bool:
    if setting == "auto":
        return torch.cuda.is_available() and torch.cuda.is_bf16_supported()
    return setting in ("true", "True", True)


def training_arguments(config: TrainConfig, output_dir: Path, learning_rate: float, epochs: float, seed: int,
                       select: bool = True, eval_steps: int | None = None) -> TrainingArguments:
    """`select`: score the model on the eval set every epoch (every `eval_steps` steps where
    given) and end on the best one; else end on the last."""
    every = "steps" if eval_steps else "epoch"
    return TrainingArguments(
        output_dir=str(output_dir),
        learning_rate=learning_rate,
        num_train_epochs=epochs,
        per_device_train_batch_size=config.batch_size,
        per_device_eval_batch_size=config.eval_batch_size,
        weight_decay=config.weight_decay,
        lr_scheduler_type="linear",
        warmup_steps=config.warmup_ratio,  # below 1: a ratio of the total steps
        optim="adamw_torch",
        eval_strategy=every if select else "no",
        save_strategy=every if select else "no",
        eval_steps=eval_steps,
        save_steps=eval_steps,
        save_total_limit=1,
        load_best_model_at_end=select,
        metric_for_best_model="selection_score",
        greater_is_better=True,
        train_sampling_strategy="group_by_length" if config.group_by_length else "random",
        bf16=use_bf16(config.bf16),
        seed=seed,
        data_seed=seed,
        logging_strategy="epoch",
        report_to=[],
        dataloader_num_workers=config.dataloader_num_workers,
        disable_tqdm=False,
        save_only_model=True,
        use_cpu=not torch.cuda.is_available(),
        ddp_find_unused_parameters=False,
    )


def fit(run: TrainingRun, model, train: datasets.Dataset, validation: datasets.Dataset, output_dir: Path,
        learning_rate: float, epochs: float, seed: int, select: bool = True) -> Trainer:
    trainer = make_trainer(run, model, train, validation, output_dir, learning_rate, epochs, seed, select)
    trainer.train()
    return trainer


def make_trainer(run: TrainingRun, model, train: datasets.Dataset, validation: datasets.Dataset, output_dir: Path,
                 learning_rate: float, epochs: float, seed: int, select: bool = True) -> Trainer:
    collator = (DataCollatorForTokenClassification if run.task.head == "token" else DataCollatorWithPadding)(run.tokenizer)
    processes = distributed_state().num_processes
    scaled = epochs_for_min_steps(epochs, len(train), run.config, processes)
    return Trainer(
        model=model,
        args=training_arguments(run.config, output_dir, learning_rate, scaled, seed, select,
                                eval_steps_for(epochs, scaled, len(train), run.config, processes)),
        train_dataset=train,
        eval_dataset=validation,
        processing_class=run.tokenizer,
        data_collator=collator,
        compute_metrics=run.metric,
    )


def steps_per_epoch(rows: int, config: TrainConfig, processes: int = 1) -> int:
    """Optimizer steps in one epoch of `rows`: under data parallelism each process takes its
    share of the rows, and one step sees one batch of each process."""
    return max(1, math.ceil(math.ceil(rows / processes) / config.batch_size))


def epochs_for_min_steps(epochs: float, rows: int, config: TrainConfig, processes: int = 1) -> float:
    """`epochs`, or more where that many epochs of `rows` would be fewer than `min_steps`
    optimizer steps (with N processes, as many steps as one process takes, on N times the rows)."""
    return max(epochs, math.ceil(config.min_steps / steps_per_epoch(rows, config, processes)))


def eval_steps_for(epochs: float, scaled: float, rows: int, config: TrainConfig, processes: int = 1) -> int | None:
    """None (score every epoch) unless `min_steps` stretched the stage; then the stage is scored
    as often as its configured epochs, evenly, so 100 one-step epochs are not 100 evaluations
    and checkpoints (the candidates stay as many as the paper's protocol has)."""
    if scaled <= epochs:
        return None
    total = steps_per_epoch(rows, config, processes) * scaled
    return max(1, math.ceil(total / max(1, math.ceil(epochs))))


def train_one_seed(run: TrainingRun, seed: int, workdir: Path) -> SeedResult:
    config, task = run.config, run.task
    transformers.set_seed(seed)
    few_shot_seed = run.few_shot_seed(seed)
    few_shot, validation = few_shot_and_validation(run.real["train"], task, config.k_shot, few_shot_seed)
    drawn = few_shot_record(run, few_shot, validation, few_shot_seed)
    stage1_data = _without(run.real["train"], validation) if config.protocol == "supervised-full" else few_shot
    encoded_val = encode(validation, task, run.tokenizer, config.max_length)
    shared = shared_stage1_dir(config, seed, few_shot_seed)
    learning_rate, epochs = config.stage1
    stage1_rows = encode(stage1_data, task, run.tokenizer, config.max_length)
    if shared is not None and (shared / STAGE1_DONE).is_file():
        model = build_model(config, task, path=str(shared))
        steps = json.loads((shared / STAGE1_DONE).read_text(encoding="utf-8"))
        logger.info("stage I of seed %d reused from %s", seed, shared)
        trainer = None
    else:
        trainer = fit(run, build_model(config, task), stage1_rows, encoded_val, workdir / "stage1", learning_rate,
                      epochs, seed)
        model, steps = trainer.model, {"stage1": trainer.state.global_step}
        if shared is not None:
            save_shared_stage1(trainer, shared, steps)
    if config.protocol == "two-stage":
        synthetic, selection_set = stage2_data(run, encode(run.synthetic, task, run.tokenizer, config.max_length),
                                               encoded_val, seed)
        trainer = fit(run, model, synthetic, selection_set, workdir / "stage2", config.learning_rate, config.epochs,
                      seed, select=config.selection != "last")
        steps["stage2"] = trainer.state.global_step
    elif trainer is None:  # supervised-few on a reused stage I: that model is the result; it evaluates and saves
        trainer = make_trainer(run, model, stage1_rows, encoded_val, workdir / "stage1", learning_rate, epochs, seed,
                               select=False)
    metrics = {"validation": _evaluate(trainer, encoded_val)}
    for split in run.eval_splits:
        metrics[split] = _evaluate(trainer, encode(run.real[split], task, run.tokenizer, config.max_length))
    model_dir = workdir / "best"
    save_model(trainer, model_dir, config)
    return SeedResult(seed, metrics, metrics["validation"]["selection_score"], steps, str(model_dir), drawn)


def stage2_data(run: TrainingRun, synthetic: datasets.Dataset, validation: datasets.Dataset,
                seed: int) -> tuple[datasets.Dataset, datasets.Dataset]:
    """Stage II's training rows and the set its checkpoints are chosen on: the real
    validation set, plus (selection "validation+synthetic") a seeded slice of the synthetic
    rows held out from training. No real row beyond the few-shot budget is used."""
    if run.config.selection != "validation+synthetic":
        return synthetic, validation
    held = min(len(synthetic) // 2, max(8, round(run.config.synthetic_holdout * len(synthetic))))
    order = np.random.default_rng(seed).permutation(len(synthetic))
    held_out = synthetic.select(sorted(order[:held]))
    return synthetic.select(sorted(order[held:])), datasets.concatenate_datasets([validation, held_out])


def few_shot_record(run: TrainingRun, few_shot: datasets.Dataset, validation: datasets.Dataset, seed: int) -> dict:
    """What stage I trained and selected on, and whether it is what generation showed the LLM."""
    record = {"seed": seed, "rows": len(few_shot), "sha256": few_shot_digest(few_shot, run.task),
              "validation_rows": len(validation), "validation_sha256": few_shot_digest(validation, run.task)}
    expected = (run.synthetic_provenance or {}).get("few_shot_sha256")
    if expected is not None:
        record["same_as_generation"] = expected == record["sha256"]
        if not record["same_as_generation"]:
            logger.warning("stage I's %d few-shot rows (seed %d) are not the %s rows generation took its demonstrations "
                           "from: the classifier sees more real examples than the few-shot budget", len(few_shot), seed,
                           run.synthetic_provenance.get("few_shot_rows"))
    return record


STAGE1_DONE = "stage1.json"
_STAGE1_SETTINGS = ("task", "model", "real", "dev_holdout", "k_shot", "min_steps", "batch_size", "eval_batch_size", "max_length",
                    "warmup_ratio", "weight_decay", "group_by_length", "bf16")


def shared_stage1_dir(config: TrainConfig, seed: int, few_shot_seed: int) -> Path | None:
    """Where a run's stage I is shared (two-stage runs, and supervised-few, which is stage I
    alone), keyed by everything that decides it."""
    if config.stage1_cache_dir is None or config.protocol == "supervised-full" or config.peft is not None:
        return None
    settings = {name: getattr(config, name) for name in _STAGE1_SETTINGS}
    key = json.dumps({**settings, "stage1": list(config.stage1), "seed": seed, "few_shot_seed": few_shot_seed},
                     sort_keys=True, default=str)
    return Path(config.stage1_cache_dir) / hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


def save_shared_stage1(trainer: Trainer, directory: Path, steps: dict) -> None:
    """The best stage-I model, then the marker that makes it reusable (so a killed save is redone)."""
    trainer.save_model(str(directory))  # the main process writes, the others wait
    if trainer.is_world_process_zero():
        (directory / STAGE1_DONE).write_text(json.dumps(steps) + "\n", encoding="utf-8")
    trainer.accelerator.wait_for_everyone()


def save_model(trainer: Trainer, model_dir: Path, config: TrainConfig) -> None:
    """The full model; with LoRA, the adapter alone or (peft.save: merged) merged weights."""
    if config.peft is not None and config.peft.save == "merged":
        if trainer.is_world_process_zero():
            trainer.accelerator.unwrap_model(trainer.model).merge_and_unload().save_pretrained(str(model_dir))
            trainer.processing_class.save_pretrained(str(model_dir))
        trainer.accelerator.wait_for_everyone()
    else:
        trainer.save_model(str(model_dir))


def _without(train: datasets.Dataset, validation: datasets.Dataset) -> datasets.Dataset:
    """The real train split minus the validation rows (supervised-full)."""
    held_out = {_row_key(row) for row in validation}
    keep = [i for i, row in enumerate(train) if _row_key(row) not in held_out]
    return train.select(keep)


def _row_key(row: dict) -> str:
    return repr(sorted(row.items()))


def _evaluate(trainer: Trainer, dataset: datasets.Dataset) -> dict[str, float]:
    raw = trainer.evaluate(dataset, metric_key_prefix="eval")
    return {key.removeprefix("eval_"): value for key, value in raw.items() if isinstance(value, (int, float))}


def summarise(results: list[SeedResult]) -> dict:
    """Mean and standard deviation (sample, n-1) per split and metric across seeds."""
    summary: dict[str, dict[str, dict[str, float]]] = {}
    for split in results[0].metrics:
        summary[split] = {}
        for name in results[0].metrics[split]:
            values = [r.metrics[split][name] for r in results if name in r.metrics[split]]
            std = statistics.stdev(values) if len(values) > 1 else 0.0
            summary[split][name] = {"mean": float(np.mean(values)), "std": float(std)}
    return summary


def train(config: TrainConfig) -> dict:
    """Run every seed, keep the model of the seed best on validation, write results.json."""
    from clingen_hf.training.outputs import write_outputs

    use_all_cpu_cores()
    state = distributed_state()
    started = time.monotonic()
    run = prepare(config)
    output_dir = Path(config.output_dir)
    workdir = output_dir / "runs"
    results = [train_one_seed(run, seed, workdir / f"seed-{seed}") for seed in config.seeds]
    best = max(results, key=lambda r: r.selection_score)
    summary = {}
    if state.is_main_process:  # under `accelerate launch` with several processes, one writes
        summary = write_outputs(run, results, best, summarise(results), time.monotonic() - started)
        shutil.rmtree(workdir, ignore_errors=True)
    state.wait_for_everyone()
    return summary
