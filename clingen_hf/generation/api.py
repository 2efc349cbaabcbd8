"""Generate a synthetic dataset from Python; `clingen generate` is a shell over this.

    from clingen_hf import GenerationConfig, LLMSettings, generate

    result = generate(GenerationConfig(task="ncbi-disease", method="clingen-kg", n=500, seed=0,
                                       llm=LLMSettings(base_url="http://127.0.0.1:8000/v1", model="qwen")))
    result.dataset                     # DatasetDict: train (+ few_shot when the seeds may be shared)
    result.report                      # counts, drops by reason, pools, tokens, cost, wall time
    result.save("out/ncbi-synthetic")  # Hub layout + dataset card
    result.push_to_hub("org/ncbi-synthetic", version="v1.1.0")
"""

from __future__ import annotations

import hashlib
import json
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import datasets

from clingen_hf import __version__
from clingen_hf.core.methods import get_method
from clingen_hf.core.tasks import get_task
from clingen_hf.data.seeds import DEFAULT_DEV_HOLDOUT, bundled_seeds_path, load_seeds
from clingen_hf.generation.checks.verification import POLICIES as SPAN_POLICIES
from clingen_hf.generation.recipe import LabelChecks, recipe_for
from clingen_hf.llm.client import Ledger, LLMSettings, resolve_api_key


class GenerationConfigError(ValueError):
    """A setting that cannot work; the message names it and how to fix it."""


@dataclass
class GenerationConfig:
    task: str
    llm: LLMSettings
    method: str = "clingen-kg"
    n: int = 100
    seed: int = 0  # run seed: few-shot draw, topics, styles, LLM sampling seeds
    seeds: str | None = None  # a file or folder in the task's real format; None: the bundled seed set
    k_shot: int = 5
    dev_holdout: float = DEFAULT_DEV_HOLDOUT  # a single-split seed folder: the share training holds out as dev
    share_seeds: bool = False  # publish the few-shot seeds as a split (always for the bundled seeds)
    recipe: str = "clingen"  # clingen (measured default) | paper (as published); see generation/recipe.py
    checks: LabelChecks | None = None  # None: the recipe's
    topic_weighting: str | None = None  # kg | uniform; None: the recipe's
    style_prompt: str | None = None  # kinds | paper; None: the recipe's
    kg: str = "embedded"  # 'embedded' or a folder of iBKH CSV files
    topics_file: str | None = None  # reuse a topic pool (a previous run's knowledge/ file)
    styles_file: str | None = None
    cache_dir: str | None = None  # LLM cache and knowledge graph (default: $CLINGEN_CACHE or ~/.cache/clingen_hf)
    name: str | None = None  # config name in the dataset directory (default: the method)

    @property
    def config_name(self) -> str:
        return self.name or self.method

    def resolved_checks(self) -> LabelChecks:
        return self.checks if self.checks is not None else self._recipe().checks

    def builder_kwargs(self) -> dict:
        """The `ClinGenBuilder` settings this config means, recipe defaults filled in."""
        recipe, checks = self._recipe(), self.resolved_checks()
        return dict(config_name=self.method, task=self.task, n=self.n, seed=self.seed, k_shot=self.k_shot,
                    seeds_source=self.seeds, dev_holdout=self.dev_holdout, share_seeds=self.share_seeds,
                    verify_spans=checks.verify_spans, add_kg_mentions=checks.add_kg_mentions,
                    link_fuzzy=checks.link_fuzzy, guidelines=checks.guidelines, self_check=checks.self_check,
                    topic_weighting=self.topic_weighting or recipe.topic_weighting,
                    style_prompt=self.style_prompt or recipe.style_prompt, kg_source=self.kg,
                    topics_file=self.topics_file, styles_file=self.styles_file, llm=self.llm,
                    llm_cache_dir=self.cache_dir, knowledge_cache_dir=self.cache_dir)

    def _recipe(self):
        return recipe_for(self.recipe, get_task(self.task), get_method(self.method))


@dataclass
class GenerationResult:
    config: GenerationConfig
    dataset: datasets.DatasetDict
    report: dict
    ledger: Ledger
    pools: dict = field(default_factory=dict)

    def save(self, output_dir: str | Path) -> Path:
        """Write this run as one config of a Hub-layout dataset directory (data, report,
        knowledge pools, card); other configs already there stay. Returns the config folder."""
        from clingen_hf.hub.layout import write_config

        few_shot = self.dataset["few_shot"] if "few_shot" in self.dataset else None
        return write_config(Path(output_dir), self.config.config_name, self.dataset["train"], self.report, self.pools,
                            few_shot)

    def push_to_hub(self, repo_id: str, version: str, private: bool = False):
        """Publish this config as `repo_id` at tag `version` (files of other configs there stay)."""
        from clingen_hf.hub.publish import check_version, publish_dataset

        check_version(version)
        with tempfile.TemporaryDirectory(prefix="clingen-push-") as folder:
            self.save(folder)
            return publish_dataset(folder, repo_id, version, private=private)


def check_config(config: GenerationConfig) -> None:
    """Everything checkable before the first LLM call; nothing is written before this passes."""
    from clingen_hf.knowledge.pools import Pool

    if config.n <= 0:
        raise GenerationConfigError(f"--n must be a positive number of samples, got {config.n}")
    for name, value in (("--k-shot", config.k_shot), ("--concurrency", config.llm.concurrency),
                        ("--max-tokens", config.llm.max_tokens)):
        if value <= 0:
            raise GenerationConfigError(f"{name} must be positive, got {value}")
    task, _ = get_task(config.task), get_method(config.method)
    if not 0 < config.dev_holdout < 1:
        raise GenerationConfigError(f"--dev-holdout must be a share between 0 and 1, got {config.dev_holdout}")
    load_seeds(config.seeds, task, config.dev_holdout)
    resolve_api_key(config.llm)
    if config.llm.max_cost_usd is not None and config.llm.prices() is None:
        raise GenerationConfigError(f"--max-cost-usd needs a price for model {config.llm.model!r}: pass --price-input "
                                    "and --price-output")
    _check_engine(config.llm)
    if config.kg != "embedded" and not Path(config.kg).is_dir():
        raise GenerationConfigError(f"--kg {config.kg}: not a folder; give a folder of iBKH CSV files or 'embedded'")
    if config.topics_file:
        Pool.load(config.topics_file, "topics")
    if config.styles_file:
        _check_styles(config.styles_file)
    check_label_checks(config.resolved_checks(), task)
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", config.config_name):
        raise GenerationConfigError(f"--config {config.config_name!r}: use letters, digits, '-', '_' and '.', starting "
                                    "with a letter or digit")


def _check_engine(llm: LLMSettings) -> None:
    if llm.engine not in ("local", "ray"):
        raise GenerationConfigError(f"--engine {llm.engine!r}: use local or ray")
    if llm.engine == "ray" and llm.batch_api:
        raise GenerationConfigError("--batch-api and --engine ray both decide how calls are sent: choose one "
                                    "(the Batch API is one job on OpenAI's side; Ray spreads calls over your servers)")
    if llm.engine == "ray":
        import importlib.util

        if importlib.util.find_spec("ray") is None:
            from clingen_hf.llm.ray_engine import INSTALL_HINT

            raise GenerationConfigError(INSTALL_HINT)


def _check_styles(path: str) -> None:
    from clingen_hf.knowledge.pools import Pool
    from clingen_hf.knowledge.styles import checked_style_pool

    styles = checked_style_pool(Pool.load(path, "styles"))
    if not styles.items:
        raise GenerationConfigError(f"--styles {path}: every style names a person or institution or no kind of text "
                                    f"({', '.join(styles.provenance['rejected'][:5])}); describe kinds of text and "
                                    "authors, e.g. 'a PubMed abstract by a geneticist'")


def check_label_checks(checks: LabelChecks, task) -> None:
    if checks.verify_spans not in SPAN_POLICIES:
        raise GenerationConfigError(f"verify_spans {checks.verify_spans!r}: choose one of {', '.join(SPAN_POLICIES)}")
    if checks.span_checks and task.family != "ner":
        raise GenerationConfigError(f"{', '.join(checks.span_checks)}: span checks are for NER tasks; {task.name} is "
                                    f"a {task.family} task")
    if checks.link_fuzzy is not None and checks.verify_spans == "off":
        raise GenerationConfigError("--link-fuzzy sets how KG verification links spans: add --verify-spans remove "
                                    "(or flag)")


def generate(config: GenerationConfig) -> GenerationResult:
    """Run the pipeline for one config: plan, prompts, LLM calls (cached), parsing, checks."""
    from clingen_hf.generation.builder import ClinGenBuilder
    from clingen_hf.generation.report import (
        few_shot_dataset,
        report_to_dict,
        seeds_shareable,
    )

    check_config(config)
    with tempfile.TemporaryDirectory(prefix="clingen-build-") as build_dir:
        builder = ClinGenBuilder(cache_dir=build_dir, hash=__version__, **config.builder_kwargs())
        builder.download_and_prepare(download_mode="force_redownload")
        splits = {"train": builder.as_dataset("train", in_memory=True)}
    report = {**report_to_dict(builder.report, builder.config), "inputs_fingerprint": inputs_fingerprint(config)}
    if seeds_shareable(builder.config):
        splits["few_shot"] = few_shot_dataset(builder.report, get_task(config.task))
    return GenerationResult(config, datasets.DatasetDict(splits), report, builder.report.ledger, builder.report.pools)


def inputs_fingerprint(config: GenerationConfig) -> str:
    """sha256 over what a generation's rows follow from: its settings (the API key's variable
    name, never the key), the package version, and the size and modification time of each
    input file (seeds, topics, styles, an iBKH folder). With the same completion cache, equal
    fingerprints mean the same rows."""
    settings = config.builder_kwargs()
    llm = settings.pop("llm") or LLMSettings()
    settings.update(llm=llm.public_dict(), version=__version__)
    sources = (config.seeds or str(bundled_seeds_path(get_task(config.task))), config.topics_file,
               config.styles_file, None if config.kg == "embedded" else config.kg)
    files = [file for source in sources if source and Path(source).exists() for file in _files(Path(source))]
    stats = [(str(file), file.stat().st_size, file.stat().st_mtime_ns) for file in files]
    return hashlib.sha256(json.dumps([settings, stats], sort_keys=True, default=str).encode()).hexdigest()


def _files(path: Path) -> list[Path]:
    return sorted(file for file in path.rglob("*") if file.is_file()) if path.is_dir() else [path]


def finished_generation(config: GenerationConfig, output_dir: str | Path) -> dict | None:
    """The report of an earlier run of `config` saved in `output_dir` (`GenerationResult.save`),
    if its inputs are unchanged and every sample was answered: running it again would write the
    same rows. None otherwise."""
    from clingen_hf.hub.layout import REPORT_FILE

    folder = Path(output_dir) / config.config_name
    path = folder / REPORT_FILE
    if not path.is_file() or not any(folder.glob("train-*.parquet")):
        return None
    report = json.loads(path.read_text(encoding="utf-8"))
    usage = report.get("usage", {})
    if usage.get("llm_errors") or usage.get("skipped_for_budget"):
        return None
    return report if report.get("inputs_fingerprint") == inputs_fingerprint(config) else None
