"""`clingen run`: the whole pipeline in one command, offline by default.

knowledge + generation (embedded llama.cpp server unless --llm-base-url) -> two-stage training
per method and the supervised-few baseline -> evaluation -> quality numbers -> cards, all under
one output directory, ending with a table (method x metric, rows, tokens, time).
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from clingen_hf.core.markdown import markdown_table
from clingen_hf.core.methods import get_method
from clingen_hf.core.tasks import TaskSpec, get_task
from clingen_hf.data.seeds import DEFAULT_DEV_HOLDOUT, bundled_seeds_path
from clingen_hf.generation.api import GenerationConfig, generate
from clingen_hf.generation.families import family_for
from clingen_hf.generation.recipe import recipe_for
from clingen_hf.generation.summary import summary_lines
from clingen_hf.llm.client import LLMSettings
from clingen_hf.pipelines.progress import JobProgress

# Qwen2.5-1.5B Q4_K_M on 2 cores, measured for NCBI-Disease (docs/benchmarks.md); methods not
# measured yet take the slowest figure.
EMBEDDED_SECONDS_PER_SAMPLE = {"clingen-kg": 4.7, "zerogen": 1.3}  # the main job, 40 samples, style pool included
UNMEASURED_SECONDS_PER_SAMPLE = 5.0
DEMO_EVAL_SUFFIX = ".demo-eval.jsonl"
# rough stage costs for the overall progress line (recalibrated as stages finish)
LLM_START_SECONDS = 20.0
REMOTE_SECONDS_PER_SAMPLE = 1.0
TRAINING_SECONDS_PER_SEED = {"two-stage": 60.0, "supervised-few": 10.0, "supervised-full": 600.0}
QUALITY_SECONDS = 60.0
STARTING_LLM, QUALITY = "starting the embedded LLM", "quality numbers"
TRAINER_CONFIGS = Path(__file__).resolve().parents[2] / "trainer_configs"
SUPERVISED_FULL_EPOCHS = 3  # the whole real train split: fewer epochs than the few-shot stages need


@dataclass
class RunOptions:
    task: str
    output: Path
    methods: list[str] = field(default_factory=lambda: ["clingen-kg", "zerogen"])
    n: int = 40
    real: str | None = None
    seed: int = 0
    llm_base_url: str | None = None
    llm_model: str = "local"
    llm_api_key_env: str | None = None
    gguf: str | None = None
    concurrency: int | None = None  # None: what the server takes at once (embedded: its slots; remote: 8)
    max_tokens: int = 200
    classifier: str | None = None  # None: the trainer config's model
    trainer_config: str | None = None  # None: trainer_configs/<task>-minilm-cpu.yaml
    test: str | None = None  # a test file in the task's format, when --real has none
    train_seeds: list[int] = field(default_factory=lambda: [0, 1, 2])
    dev_holdout: float = DEFAULT_DEV_HOLDOUT
    supervised_full: bool = False  # also train on the whole real train split (the paper's upper bound)
    cache_dir: str | None = None
    recipe: str = "clingen"  # generation/recipe.py: the measured default, or "paper"
    check_overrides: dict = field(default_factory=dict)  # LabelChecks fields that override the recipe's


def evaluation_data(options: RunOptions, task: TaskSpec) -> tuple[str, str, bool]:
    """(real data folder or id, seeds source, is_demo). Without --real, the bundled seeds are
    the train split and the bundled demo set the dev split: a demonstration, not a benchmark."""
    if options.real:
        return options.real, options.real, False
    folder = options.output / "demo-data"
    folder.mkdir(parents=True, exist_ok=True)
    for split, source in (("train", bundled_seeds_path(task)), ("dev", demo_eval_path(task))):
        (folder / f"{split}.jsonl").write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    return str(folder), None, True


def demo_eval_path(task: TaskSpec) -> Path:
    return bundled_seeds_path(task).with_name(f"{task.name}{DEMO_EVAL_SUFFIX}")


def hub_reachable_by_settings() -> bool:
    """Downloading a model is a last resort, and never when the user asked for offline mode."""
    return os.environ.get("HF_HUB_OFFLINE", "0").lower() not in ("1", "true", "yes")


@dataclass(frozen=True)
class Endpoint:
    """Where generation sends its calls, and the identity of the model there (part of the
    cache key; None: the client asks the server)."""

    base_url: str
    model: str
    fingerprint: str | None = None
    slots: int = 8  # requests the server decodes at once

    def concurrency(self, options: RunOptions) -> int:
        return options.concurrency or self.slots

    def generate_flags(self) -> list[str]:
        flags = ["--llm-base-url", self.base_url, "--llm-model", self.model, "--concurrency", str(self.slots)]
        return flags + (["--llm-model-fingerprint", self.fingerprint] if self.fingerprint else [])

    def settings(self, options: RunOptions) -> LLMSettings:
        return LLMSettings(base_url=self.base_url, model=self.model, api_key_env=options.llm_api_key_env,
                           max_tokens=options.max_tokens, concurrency=self.concurrency(options),
                           model_fingerprint=self.fingerprint)


@contextlib.contextmanager
def llm_endpoint(options: RunOptions):
    """The remote server if given, else the embedded llama.cpp server, stopped on exit."""
    if options.llm_base_url:
        yield Endpoint(options.llm_base_url, options.llm_model)
        return
    from clingen_hf.llm.gguf import resolve_model
    from clingen_hf.llm.llama_cpp_build import find_llama_server
    from clingen_hf.llm.local_server import LlamaServer

    started = time.monotonic()
    cache_dir = Path(options.cache_dir) if options.cache_dir else None
    model_path = resolve_model(options.gguf, cache_dir, allow_download=hub_reachable_by_settings())
    print(f"clingen: starting the embedded LLM ({model_path.name}) on 127.0.0.1 ...", flush=True)
    with LlamaServer(model_path, alias="local", cache_dir=cache_dir, binary=find_llama_server(cache_dir)) as server:
        print(f"clingen: LLM ready at {server.base_url} ({server.kind}) after {time.monotonic() - started:.0f} s", flush=True)
        if server.binary is None:
            print("clingen: `clingen build-llama-server` (once, about 10 min) serves several requests at once; "
                  "on 2 cores 1.2x as fast in a 40-sample run, about 1.8x over 300-sample runs (docs/benchmarks.md)", flush=True)
        yield Endpoint(server.base_url, server.alias, server.model_fingerprint, slots=server.parallel)


def generate_all(options: RunOptions, seeds_source: str | None, progress: JobProgress | None = None) -> dict[str, float]:
    if progress and not options.llm_base_url:
        progress.start(STARTING_LLM)
    with llm_endpoint(options) as endpoint:
        announce_generation(options, seeds=1)
        return generate_methods(options, seeds_source, endpoint, options.seed, options.output / "synthetic", progress)


def job_stages(options: RunOptions) -> list[tuple[str, float]]:
    """The stages of `clingen run` with rough seconds each (2 cores, the embedded model,
    MiniLM): what the overall progress line counts and estimates from."""
    steps = len(family_for(get_task(options.task)).steps)
    per_sample = (lambda method: EMBEDDED_SECONDS_PER_SAMPLE.get(method, UNMEASURED_SECONDS_PER_SAMPLE)
                  if not options.llm_base_url else REMOTE_SECONDS_PER_SAMPLE)
    stages = [] if options.llm_base_url else [(STARTING_LLM, LLM_START_SECONDS)]
    stages += [(f"generating {method}", per_sample(method) * steps * options.n) for method in options.methods]
    seeds = len(options.train_seeds)
    trained = [*options.methods, "supervised-few", *(["supervised-full"] if options.supervised_full else [])]
    stages += [(f"training {name}", TRAINING_SECONDS_PER_SEED.get(name, TRAINING_SECONDS_PER_SEED["two-stage"]) * seeds)
               for name in trained]
    return stages + [(QUALITY, QUALITY_SECONDS)]


def announce_generation(options: RunOptions, seeds: int) -> None:
    if options.llm_base_url:
        return
    per_sample = sum(EMBEDDED_SECONDS_PER_SAMPLE.get(m, UNMEASURED_SECONDS_PER_SAMPLE) for m in options.methods)
    steps = len(family_for(get_task(options.task)).steps)  # sentence pairs take two calls per sample
    estimate = per_sample * steps * options.n * seeds / 60
    print(f"clingen: generating {options.n} samples x {len(options.methods)} methods x {seeds} seed(s); about "
          f"{estimate:.0f} min with the embedded model on 2 cores (cached calls are free)", flush=True)


def generate_methods(options: RunOptions, seeds_source: str | None, endpoint: Endpoint, seed: int,
                     synthetic_dir: Path, progress: JobProgress | None = None) -> dict[str, float]:
    """Every method's generation, one config each of one dataset directory; seconds per method."""
    k_shot = trainer_settings(options).k_shot
    seconds = {}
    for method in options.methods:
        if progress:
            progress.start(f"generating {method}")
        config = generation_config(options, method, seed, seeds_source, endpoint, k_shot)
        started = time.monotonic()
        result = generate(config)  # checks the config before any LLM call
        location = result.save(synthetic_dir)
        print("\n".join(summary_lines(result.report, result.ledger, location, config.config_name, None)), flush=True)
        seconds[method] = time.monotonic() - started
    return seconds


def generation_config(options: RunOptions, method: str, seed: int, seeds_source: str | None, endpoint: Endpoint,
                      k_shot: int) -> GenerationConfig:
    recipe_checks = recipe_for(options.recipe, get_task(options.task), get_method(method)).checks
    return GenerationConfig(task=options.task, method=method, n=options.n, seed=seed, seeds=seeds_source,
                            k_shot=k_shot, dev_holdout=options.dev_holdout, recipe=options.recipe,
                            checks=replace(recipe_checks, **options.check_overrides), cache_dir=options.cache_dir,
                            llm=endpoint.settings(options))


def trainer_config_path(options: RunOptions) -> Path:
    """The trainer config every model of the run starts from: --trainer-config, else the
    task's CPU config in trainer_configs/."""
    if options.trainer_config:
        return Path(options.trainer_config)
    path = TRAINER_CONFIGS / f"{options.task}-minilm-cpu.yaml"
    if not path.is_file():
        from clingen_hf.training.config import TrainConfigError

        raise TrainConfigError(f"no default trainer config {path} (it ships in the repository's trainer_configs/): "
                               "pass --trainer-config FILE")
    return path


def trainer_settings(options: RunOptions, **overrides):
    """The trainer config file with the run's overrides: what the run decides (data, seeds,
    output folders, protocol) and nothing that sets how a model learns, except --classifier."""
    from clingen_hf.training.config import load_config

    run_keys = {"task": options.task, "real": options.real or "demo", "dev_holdout": options.dev_holdout,
                "seeds": options.train_seeds, "test": options.test, "eval_splits": None,
                **({"model": options.classifier} if options.classifier else {}), **overrides}
    return load_config(trainer_config_path(options), run_keys)


def train_all(options: RunOptions, real: str, synthetic_dir: Path | None = None, seeds: list[int] | None = None,
              models_dir: Path | None = None, few_shot_seed: int | None = None,
              progress: JobProgress | None = None) -> dict[str, dict]:
    """Two-stage training on each method's data, and the supervised-few baseline, every model
    from the trainer config; the k-shot set is the one generation drew with `few_shot_seed`."""
    from clingen_hf.training.trainer import train

    synthetic_dir = synthetic_dir or options.output / "synthetic"
    models_dir = models_dir or options.output / "models"
    few_shot_seed = options.seed if few_shot_seed is None else few_shot_seed
    protocols = {method: {"protocol": "two-stage", "synthetic": f"{synthetic_dir}:{method}"} for method in options.methods}
    protocols["supervised-few"] = {"protocol": "supervised-few", "synthetic": None}
    if options.supervised_full:
        protocols["supervised-full"] = {"protocol": "supervised-full", "synthetic": None, "epochs": SUPERVISED_FULL_EPOCHS}
    results = {}
    for name, protocol in protocols.items():
        seeds = seeds or options.train_seeds
        if progress:
            progress.start(f"training {name}")
        print(f"clingen: training {name} ({len(seeds)} seed(s)) ...", flush=True)
        config = trainer_settings(options, real=real, seeds=seeds, output_dir=str(models_dir / name),
                                  few_shot_seed=few_shot_seed, stage1_cache_dir=str(models_dir / "stage1-shared"),
                                  **protocol)
        results[name] = finished_training(config) or train(config)
    return results


def finished_training(config) -> dict | None:
    """The results of an earlier run of the same config on the same synthetic data, if any."""
    import dataclasses

    from clingen_hf.training.data import content_revision

    path = Path(config.output_dir) / "results.json"
    if not path.is_file():
        return None
    previous = json.loads(path.read_text(encoding="utf-8"))
    if previous.get("config") != json.loads(json.dumps(dataclasses.asdict(config))):
        return None
    if config.synthetic:
        directory, _, name = config.synthetic.rpartition(":")
        if (previous.get("synthetic") or {}).get("revision") != content_revision(Path(directory) / name):
            return None
    print(f"clingen: reusing {config.output_dir} (same config and data)", flush=True)
    return previous


def quality_numbers(options: RunOptions, seeds_source: str | None) -> dict[str, dict]:
    """`clingen quality` on the generated directory (numbers, plots and safety flags into the
    card), summarised per method and for the real seed source."""
    from clingen_hf.evaluation.assessment import QualityOptions, assess_directory

    print("clingen: quality numbers (diversity with all-MiniLM-L6-v2, CMD, entities, safety gate) ...", flush=True)
    assessed = assess_directory(options.output / "synthetic", QualityOptions(real=seeds_source))
    numbers = {method: {"avg_pairwise_similarity": q["avg_pairwise_similarity"], "cmd_to_real": q["cmd_to_real"],
                        **q.get("entities", {})}
               for method, q in assessed.items() if method in options.methods}
    any_config = next(iter(assessed.values()))
    numbers["real (seed source)"] = {"avg_pairwise_similarity": any_config["real_avg_pairwise_similarity"],
                                     **any_config.get("real_entities", {})}
    return numbers


def reported_metrics(task: TaskSpec) -> list[str]:
    """The main metric first, then the others the paper reports for the task (its Table 5)."""
    extra = {"token": ["precision", "recall"], "multi": ["micro_f1"], "pair": ["accuracy", "macro_f1"],
             "single": ["precision", "recall"] if task.extra.get("negative_label") else ["accuracy"]}[task.head]
    return list(dict.fromkeys([task.main_metric, *extra]))


def evaluated_splits(training: dict) -> list[str]:
    """dev, then test where the real data has one (selection never looks at either)."""
    summary = next(iter(training.values()))["summary"]
    return [split for split in ("dev", "test") if split in summary]


def selection_line(training: dict) -> str:
    config = next(iter(training.values()))["config"]
    stage2 = ("stage II keeps its last model" if config.get("selection") == "last"
              else "stage II's checkpoint is chosen on it" + (" and a held-out slice of the synthetic rows"
                                                             if config.get("selection") == "validation+synthetic" else ""))
    return (f"Stage I's checkpoint and the saved seed are chosen on the few-shot-sized validation set, {stage2}; "
            "nothing is chosen on dev or test.")


def trainer_config_line(training: dict) -> str:
    config = next(iter(training.values()))["config"]
    return f"Trainer config: {config['config_file']} ({config['config_sha256']}); model {config['model']}."


def results_table(options: RunOptions, training: dict, quality: dict, generation_s: dict, is_demo: bool) -> str:
    task = get_task(options.task)
    metrics, splits = reported_metrics(task), evaluated_splits(training)
    entity_column = task.head == "token"
    header = ["method", *(f"{split} {m}" for split in splits for m in metrics), "synthetic rows", "tokens",
              "generation s", "training s", "similarity"]
    header += ["unique entities"] if entity_column else []
    rows = []
    for name, result in training.items():
        summary = result["summary"]
        report = _generation_report(options, name)
        q = quality.get(name, {})
        tokens = f"{report['usage']['prompt_tokens'] + report['usage']['completion_tokens']:,}" if report else "-"
        cells = [name, *(f"{summary[split][m]['mean']:.3f} ± {summary[split][m]['std']:.3f}" for split in splits for m in metrics),
                 str(report["counts"]["kept"]) if report else "-", tokens, f"{generation_s.get(name, 0):.0f}",
                 f"{result['compute']['wall_time_s']:.0f}", _number(q.get("avg_pairwise_similarity"))]
        cells += [str(q.get("unique_entities", "-"))] if entity_column else []
        rows.append(cells)
    lines = [markdown_table(header, rows), "", reading(task, training, splits[0])]
    real = quality.get("real (seed source)", {})
    note = f"\nReal seed-source texts: similarity {real.get('avg_pairwise_similarity', float('nan')):.3f}"
    note += f", unique entities {real.get('unique_entities', '-')}" if entity_column else ""
    lines.append(note + " (similarity: mean pairwise cosine, lower is more diverse).")
    lines.append(trainer_config_line(training) + " " + selection_line(training))
    if is_demo:
        lines.append("\nEvaluated on the bundled DEMO set (examples written for this project), not a benchmark: pass --real.")
    return "\n".join(lines)


def reading(task: TaskSpec, training: dict, split: str) -> str:
    """The table in one line: the first method against the others and the few-shot baseline,
    as ratios of the main metric, saying where a gap is inside the seeds' spread, and whether
    any model predicts nothing."""
    metric = task.main_metric
    scores = {name: result["summary"][split][metric] for name, result in training.items()}
    methods = [name for name in training if name != "supervised-few"]
    if not methods:
        return ""
    first, *others = methods
    shown = "F1" if metric == "f1" else metric
    parts = [_versus(first, other, scores, shown) for other in others]
    if "supervised-few" in scores:
        parts.append(_versus(first, "supervised-few", scores, shown, label="5 real examples (supervised-few)"))
    empty = [name for name, result in training.items()
             if any(seed["metrics"][split].get("degenerate") for seed in result["per_seed"])]
    seeds = len(next(iter(training.values()))["per_seed"])
    tail = (f"models that predict nothing on {split}: {', '.join(empty)}" if empty
            else f"every model predicts {'entities' if task.head == 'token' else 'more than one class'} on {split}")
    return f"Reading ({split} {metric}, {seeds} training seed(s)): " + "; ".join(parts) + f"; {tail}."


def _versus(name: str, other: str, scores: dict, metric: str, label: str | None = None) -> str:
    mine, theirs = scores[name], scores[other]
    ratio = (f"{mine['mean'] / theirs['mean']:.2f} times the {metric}" if theirs["mean"] > 0
             else f"{mine['mean']:.3f} against 0")
    inside = abs(mine["mean"] - theirs["mean"]) <= max(mine["std"], theirs["std"])
    return f"{name} vs {label or other}: {ratio}" + (" (inside the seeds' spread: no difference)" if inside else "")


def _number(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def _generation_report(options: RunOptions, method: str) -> dict | None:
    path = options.output / "synthetic" / method / "generation_report.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


def run_pipeline(options: RunOptions) -> str:
    task = get_task(options.task)
    real, seeds_source, is_demo = evaluation_data(options, task)
    progress = JobProgress(job_stages(options))
    generation_s = generate_all(options, seeds_source, progress)
    training = train_all(options, real, progress=progress)
    progress.start(QUALITY)
    quality = quality_numbers(options, seeds_source)
    table = results_table(options, training, quality, generation_s, is_demo)
    config = next(iter(training.values()))["config"]
    payload = {"task": task.name, "methods": options.methods, "n": options.n, "real": options.real, "demo": is_demo,
               "trainer_config": {"file": config["config_file"], "sha256": config["config_sha256"]},
               "generation_s": generation_s, "quality": quality,
               "training": {name: r["summary"] for name, r in training.items()}}
    (options.output / "results.json").write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    (options.output / "results.md").write_text(table + "\n", encoding="utf-8")
    return table
