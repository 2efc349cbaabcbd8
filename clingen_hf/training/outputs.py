"""What a training run leaves behind: the model of the best seed, its tokenizer,
`results.json` (per seed, mean ± std per split) and a model card with `eval_results`."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import platform
import shutil
from pathlib import Path

import torch
from accelerate import PartialState
from huggingface_hub import EvalResult, ModelCard, ModelCardData

from clingen_hf import __version__
from clingen_hf.hub.layout import public_source_name

CARD_TEMPLATE = Path(__file__).resolve().parent / "model_cards" / "model_card_template.md"
TASK_TYPES = {"token": "token-classification", "single": "text-classification", "multi": "text-classification",
              "pair": "text-classification"}


def write_outputs(run, results, best, summary: dict, wall_s: float) -> dict:
    config = run.config
    output_dir = Path(config.output_dir)
    model_dir = output_dir / "model"
    if model_dir.exists():
        shutil.rmtree(model_dir)
    shutil.copytree(best.model_dir, model_dir)
    payload = {
        "task": run.task.name,
        "protocol": config.protocol,
        "main_metric": run.task.main_metric,
        "model": config.model,
        "synthetic": run.synthetic_provenance,
        "real": config.real,
        "best_seed": best.seed,
        "per_seed": [{"seed": r.seed, "steps": r.steps, "few_shot": r.few_shot, "metrics": r.metrics} for r in results],
        "trainer_config": {"file": config.config_file, "sha256": config.config_sha256},
        "summary": summary,
        "config": dataclasses.asdict(config),
        "compute": compute_used(wall_s),
        "clingen_hf_version": __version__,
        "finished_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
    }
    (output_dir / "results.json").write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    card = build_model_card(run, payload)
    card.save(str(model_dir / "README.md"))
    if config.push is not None:
        from clingen_hf.hub.publish import publish_folder

        result = publish_folder(model_dir, config.push.repo_id, config.push.version or "v1.0.0", "model",
                                private=config.push.private)
        payload["pushed"] = {"repo_id": result.repo_id, "version": result.version, "commit": result.commit}
        (output_dir / "results.json").write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    return payload


def compute_used(wall_s: float) -> dict:
    device = torch.cuda.get_device_name(0) if torch.cuda.is_available() else f"CPU ({platform.processor() or platform.machine()})"
    state = PartialState()
    return {"device": device, "processes": state.num_processes, "distributed": str(state.distributed_type).split(".")[-1],
            "torch_threads": torch.get_num_threads(), "wall_time_s": round(wall_s, 1), "torch": torch.__version__}


def build_model_card(run, payload: dict) -> ModelCard:
    task, config = run.task, run.config
    synthetic = payload["synthetic"] or {}
    main = task.main_metric
    eval_results = [
        EvalResult(
            task_type=TASK_TYPES[task.head],
            dataset_type=public_source_name(config.test if split == "test" and config.test else config.real),
            dataset_name=task.title,
            dataset_split=split,
            dataset_revision=None if Path(config.real).exists() else "main",
            metric_type=main,
            metric_name=f"{main} (mean of {len(config.seeds)} seeds)",
            metric_value=round(metrics[main]["mean"], 4),
        )
        for split, metrics in payload["summary"].items()
        if split != "validation" and main in metrics
    ]
    data = ModelCardData(
        language="en",
        license="apache-2.0",
        library_name="peft" if config.peft else "transformers",
        tags=["clinical", "biomedical", "clingen", "synthetic-data", task.family],
        datasets=[synthetic["source"]] if synthetic.get("hub") else None,
        base_model=config.model if "/" in config.model and not config.model.startswith(("pkg://", "/", ".")) else None,
        model_name=f"{Path(config.output_dir).name}",
        eval_results=eval_results or None,
    )
    return ModelCard.from_template(
        data,
        template_path=str(CARD_TEMPLATE),
        model_name=data.model_name,
        task=task,
        results=payload,
        synthetic={**synthetic, "source": public_source_name(synthetic["source"])} if synthetic else synthetic,
        real_name=public_source_name(config.real),
        test_name=public_source_name(config.test) if config.test else None,
        few_shot=_few_shot_summary(payload["per_seed"]),
        hyperparameters=_hyperparameters(config),
    )


def _few_shot_summary(per_seed: list[dict]) -> dict:
    """The few-shot seeds used and whether stage I saw the rows generation showed the LLM."""
    records = [run["few_shot"] for run in per_seed]
    same = [r["same_as_generation"] for r in records if "same_as_generation" in r]
    return {"seeds": sorted({r["seed"] for r in records}), "rows": records[0]["rows"],
            "validation_rows": records[0]["validation_rows"],
            "same_as_generation": None if not same else all(same)}


def _hyperparameters(config) -> dict:
    skip = {"output_dir", "push", "synthetic", "real", "test", "task", "model", "stage1_cache_dir", "config_file", "config_sha256"}
    values = {k: v for k, v in dataclasses.asdict(config).items() if k not in skip}
    return {k: v for k, v in values.items() if v is not None}
