"""`clingen experiment`: the paper's comparison for one task, as one resumable command.

For each seed: generate with every method (the seed drives few-shot sampling, topics, styles
and the LLM's per-sample seeds; calls are cached), train the classifier on each method's data
with the same seed (two-stage) and the supervised-few baseline, evaluate on the dev split,
and compute quality numbers and the safety gate (`clingen quality`). Tables, in `OUTPUT/`:

- `results.md` / `results.csv`: mean ± std over seeds per method and metric (paper Table 1),
- `quality.csv`: pairwise similarity, CMD to the real data, entities (paper Table 4, Fig. 7),
- `cost.csv`: tokens and money per method, in total and per 1000 samples (paper Table 10).

A rerun reuses cached LLM calls and finished models, so an interrupted experiment resumes.
"""

from __future__ import annotations

import csv
import json
import statistics
from dataclasses import dataclass, field
from pathlib import Path

from clingen_hf.core.markdown import markdown_table
from clingen_hf.core.tasks import get_task
from clingen_hf.evaluation.assessment import QualityOptions, assess_directory
from clingen_hf.hub.layout import config_reports
from clingen_hf.pipelines.run import (
    Endpoint,
    RunOptions,
    announce_generation,
    evaluated_splits,
    evaluation_data,
    generate_methods,
    llm_endpoint,
    reported_metrics,
    train_all,
    trainer_config_line,
)


@dataclass
class ExperimentOptions(RunOptions):
    seeds: list[int] = field(default_factory=lambda: [0, 1, 2])
    direct_inference: int | None = None  # also let the LLM label this many dev examples itself (paper Table 2)


DIRECT = "llm-direct (few-shot)"


def run_experiment(options: ExperimentOptions) -> str:
    task = get_task(options.task)
    real, seeds_source, is_demo = evaluation_data(options, task)
    generation_s: dict[int, dict[str, float]] = {}
    with llm_endpoint(options) as endpoint:
        announce_generation(options, seeds=len(options.seeds))
        for seed in options.seeds:
            generation_s[seed] = generate_methods(options, seeds_source, endpoint, seed, synthetic_dir(options, seed))
        direct = direct_inference(options, real, endpoint) if options.direct_inference else None
    training = {seed: train_all(options, real, synthetic_dir(options, seed), [seed], options.output / f"seed-{seed}" / "models",
                                few_shot_seed=seed)
                for seed in options.seeds}
    quality = {seed: assess_directory(synthetic_dir(options, seed), QualityOptions(real=seeds_source))
               for seed in options.seeds}
    reports = {seed: config_reports(synthetic_dir(options, seed)) for seed in options.seeds}
    if direct:
        for seed in options.seeds:
            training[seed][DIRECT] = direct[seed]
    return write_tables(options, training, quality, reports, generation_s, is_demo, direct)


def direct_inference(options: ExperimentOptions, real: str, endpoint: Endpoint) -> dict[int, dict]:
    """The LLM labels `direct_inference` dev examples per seed (its k-shot demonstrations and the
    sample depend on the seed), in the shape of a training result."""
    from clingen_hf.evaluation.inference import infer_with_k_shot, real_seed_splits
    from clingen_hf.llm.cache import CompletionCache
    from clingen_hf.llm.client import LLMClient, LLMSettings

    task = get_task(options.task)
    splits = real_seed_splits(task, real, options.dev_holdout)
    results = {}
    for seed in options.seeds:
        settings = LLMSettings(base_url=endpoint.base_url, model=endpoint.model, model_fingerprint=endpoint.fingerprint,
                               api_key_env=options.llm_api_key_env, temperature=0.0,
                               max_tokens=options.max_tokens, concurrency=endpoint.concurrency(options))
        llm = LLMClient(settings, CompletionCache.in_dir(options.cache_dir))
        print(f"clingen: direct LLM inference on {options.direct_inference} dev examples (seed {seed}) ...", flush=True)
        result = infer_with_k_shot(task, llm, splits["train"], splits["dev"], 5, options.direct_inference, seed)
        results[seed] = {"summary": {"dev": {name: {"mean": value, "std": 0.0} for name, value in result.scores.items()}},
                         "usage": {"prompt_tokens": result.prompt_tokens, "completion_tokens": result.completion_tokens,
                                   "examples": result.examples, "unparsed": result.unparsed, "cost_usd": result.cost_usd}}
    return results


def synthetic_dir(options: ExperimentOptions, seed: int) -> Path:
    return options.output / f"seed-{seed}" / "synthetic"


def mean_std(values: list[float]) -> tuple[float, float]:
    values = [v for v in values if v is not None]
    if not values:
        return float("nan"), float("nan")
    return statistics.fmean(values), statistics.stdev(values) if len(values) > 1 else 0.0


def score_table(options: ExperimentOptions, training: dict[int, dict[str, dict]]) -> tuple[list[str], list[list[str]]]:
    metrics = reported_metrics(get_task(options.task))
    splits = evaluated_splits(training[options.seeds[0]])
    rows = []
    baselines = [name for name in ("supervised-few", "supervised-full", DIRECT) if name in training[options.seeds[0]]]
    names = [*options.methods, *baselines]
    for name in names:
        cells = [name]
        for split in splits:
            for metric in metrics:
                cells.append(_score_cell([training[seed][name]["summary"].get(split, {}).get(metric, {}).get("mean")
                                          for seed in options.seeds]))
        rows.append(cells)
    return ["method", *(f"{split} {m}" for split in splits for m in metrics)], rows


def _score_cell(values: list[float | None]) -> str:
    if any(value is None for value in values):  # direct inference labels the dev split only
        return "-"
    mean, std = mean_std(values)
    return f"{100 * mean:.2f} ± {100 * std:.2f}"


def quality_table(options: ExperimentOptions, quality: dict[int, dict[str, dict]]) -> tuple[list[str], list[list[str]]]:
    entity_task = get_task(options.task).head == "token"
    header = ["data", "avg pairwise similarity", "CMD to real", "rows flagged by the safety gate"]
    header += ["unique entities", "mentions that are real entities"] if entity_task else []
    rows = []
    for name in options.methods:
        per_seed = [quality[seed][name] for seed in options.seeds]
        cells = [name, _mean_cell([q["avg_pairwise_similarity"] for q in per_seed]), _mean_cell([q["cmd_to_real"] for q in per_seed], 4),
                 _mean_cell([q["safety"]["rows_flagged"] for q in per_seed], 1)]
        if entity_task:
            cells += [_mean_cell([q["entities"]["unique_entities"] for q in per_seed], 1),
                      _mean_cell([q["entities"]["mentions_in_reference"] for q in per_seed])]
        rows.append(cells)
    real = quality[options.seeds[0]][options.methods[0]]
    real_cells = ["real (seed source)", f"{real['real_avg_pairwise_similarity']:.3f}", "0", "-"]
    real_cells += [str(real["real_entities"]["unique_entities"]), "1.000"] if entity_task else []
    rows.append(real_cells)
    return header, rows


def _mean_cell(values: list[float], digits: int = 3) -> str:
    mean, std = mean_std(values)
    return f"{mean:.{digits}f} ± {std:.{digits}f}" if len(values) > 1 else f"{mean:.{digits}f}"


def cost_table(options: ExperimentOptions, reports: dict[int, dict[str, dict]], generation_s: dict[int, dict[str, float]],
               direct: dict[int, dict] | None = None) -> tuple[list[str], list[list[str]]]:
    header = ["method", "samples kept", "prompt tokens", "completion tokens", "tokens per 1000 samples", "cost USD",
              "USD per 1000 samples", "generation s"]
    rows = []
    for name in options.methods:
        usage = [reports[seed][name]["usage"] for seed in options.seeds]
        kept = sum(reports[seed][name]["counts"]["kept"] for seed in options.seeds)
        prompt = sum(u["prompt_tokens"] for u in usage)
        completion = sum(u["completion_tokens"] for u in usage)
        priced = all(u["cost_usd"] is not None for u in usage)
        cost = sum(u["cost_usd"] for u in usage) if priced else None
        per_thousand = 1000 / kept if kept else float("nan")
        rows.append([name, str(kept), f"{prompt:,}", f"{completion:,}", f"{(prompt + completion) * per_thousand:,.0f}",
                     f"{cost:.4f}" if priced else "unpriced", f"{cost * per_thousand:.4f}" if priced else "unpriced",
                     f"{sum(generation_s[seed][name] for seed in options.seeds):.0f}"])
    if direct:
        usage = [direct[seed]["usage"] for seed in options.seeds]
        examples = sum(u["examples"] for u in usage)
        tokens = sum(u["prompt_tokens"] + u["completion_tokens"] for u in usage)
        priced = all(u["cost_usd"] is not None for u in usage)
        cost = sum(u["cost_usd"] for u in usage) if priced else None
        rows.append([DIRECT, f"{examples} labelled", f"{sum(u['prompt_tokens'] for u in usage):,}",
                     f"{sum(u['completion_tokens'] for u in usage):,}", f"{tokens * 1000 / examples:,.0f}",
                     f"{cost:.4f}" if priced else "unpriced", f"{cost * 1000 / examples:.4f}" if priced else "unpriced", "-"])
    return header, rows


def write_tables(options: ExperimentOptions, training, quality, reports, generation_s, is_demo: bool,
                 direct: dict[int, dict] | None = None) -> str:
    sections = []
    for title, (header, rows), file in (
        ("Scores, mean ± std over seeds (x100)", score_table(options, training), "results.csv"),
        ("Quality of the synthetic data (mean over seeds)", quality_table(options, quality), "quality.csv"),
        ("Cost", cost_table(options, reports, generation_s, direct), "cost.csv"),
    ):
        with (options.output / file).open("w", newline="", encoding="utf-8") as handle:
            csv.writer(handle).writerows([header, *rows])
        sections.append(f"### {title}\n\n" + markdown_table(header, rows))
    task = get_task(options.task)
    intro = (f"{task.title}: methods {', '.join(options.methods)}; {options.n} samples per method and seed; seeds "
             f"{', '.join(map(str, options.seeds))}. {trainer_config_line(training[options.seeds[0]])} Each seed draws one "
             "k-shot set, used as the demonstrations and as stage I's data; checkpoints are chosen on a disjoint "
             "validation set of the same size, never on dev or test.")
    if is_demo:
        intro += " Evaluated on the bundled DEMO set, not a benchmark: pass --real."
    text = intro + "\n\n" + "\n\n".join(sections) + "\n"
    (options.output / "results.md").write_text(text, encoding="utf-8")
    payload = {"task": task.name, "methods": options.methods, "seeds": options.seeds, "n": options.n,
               "training": {seed: {name: r["summary"] for name, r in per_seed.items()} for seed, per_seed in training.items()},
               "quality": quality, "generation_s": generation_s}
    (options.output / "results.json").write_text(json.dumps(payload, indent=2, default=str) + "\n", encoding="utf-8")
    return text
