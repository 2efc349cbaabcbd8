"""The generation pipeline as a `datasets` builder.

    plan (one row per sample: label, topic, style, sample seed)
      .map(render_prompt)   prompt templates with the row's knowledge and demonstrations
      .map(complete_row)    the LLM call (async, bounded concurrency, cached)
      .map(parse_row)       completion -> tokens + IOB2 tags, or a failure reason
      gates                 duplicates and near-copies of seeds
      .filter               rows with no drop reason
      _generate_tables      the kept rows, written as Arrow tables (no per-row encoding)

`ClinGenBuilder(config_name=METHOD, task=..., n=..., llm=LLMSettings(...))` then
`download_and_prepare()`; the builder's `report` then holds the run's counts, cost and pools.
"""

from __future__ import annotations

import dataclasses
import json
import random
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import datasets
import numpy as np
import pyarrow as pa

from clingen_hf.core.methods import METHODS, Method, get_method
from clingen_hf.core.tasks import TaskSpec, get_task
from clingen_hf.data.seeds import (
    DEFAULT_DEV_HOLDOUT,
    few_shot_digest,
    few_shot_split,
    load_seeds,
)
from clingen_hf.generation.checks.gates import duplicate_reasons
from clingen_hf.generation.checks.verification import (
    EntityLinker,
)
from clingen_hf.generation.engines import needs_prefill, prefill
from clingen_hf.generation.families import family_for
from clingen_hf.generation.report import (
    GenerationReport,
    entity_frequency,
    report_to_dict,
)
from clingen_hf.generation.steps import (
    ROWS_PER_BATCH,
    complete_row,
    finish_span_checks,
    lazy_rows,
    map_llm_calls,
    map_rows,
    parse_row,
    render_prompt,
    sample_seed_for,
    self_check_row,
    step_fingerprint,
    verify_and_finish_row,
    verify_row,
)
from clingen_hf.hub.layout import REPORT_FILE
from clingen_hf.knowledge.graph import KnowledgeGraph
from clingen_hf.knowledge.pools import Pool
from clingen_hf.knowledge.styles import checked_style_pool, style_pool
from clingen_hf.knowledge.topics import (
    kg_relation_pool,
    kg_topic_pool,
    llm_relation_pool,
    llm_topic_pool,
)
from clingen_hf.llm.cache import CompletionCache
from clingen_hf.llm.client import LLMClient, LLMSettings

LLM_TOPIC_TARGET = 300  # topics the LLM is asked to list (paper 4.1.1) ...
LLM_TOPIC_MINIMUM = 50  # ... or the sample count, when smaller, but at least this many


class GenerationError(RuntimeError):
    """The run produced nothing usable; the message says why."""


@dataclass
class ClinGenBuilderConfig(datasets.BuilderConfig):
    task: str = "ncbi-disease"
    n: int = 100
    seed: int = 0
    k_shot: int = 5
    seeds_source: str | None = None
    dev_holdout: float = DEFAULT_DEV_HOLDOUT  # a single-split seed folder: the share training holds out as dev
    share_seeds: bool = False  # publish the few-shot seeds as a split (always for the bundled seeds)
    kg_source: str = "embedded"
    topics_file: str | None = None
    styles_file: str | None = None
    llm: LLMSettings | None = None
    llm_cache_dir: str | None = None
    knowledge_cache_dir: str | None = None
    near_duplicate_threshold: float = 0.8
    progen_feedback_per_class: int = 2  # ProGen: feedback examples per class from earlier rounds
    verify_spans: str = "off"  # off | flag | remove: link labelled spans to the KG (verification.py)
    add_kg_mentions: bool = False  # also label unlabelled mentions of KG entities
    link_fuzzy: float | None = None  # also link a span to the most similar KG name of similarity >= this
    guidelines: bool = True  # the task's annotation guidelines in the prompt (False: the paper's prompts)
    topic_weighting: str = "kg"  # kg | uniform: how KG topics are sampled (knowledge/topics.py)
    style_prompt: str = "kinds"  # kinds | paper: which style prompt (knowledge/styles.py)
    self_check: bool = False  # a temperature-0 LLM pass confirms or rejects each labelled span (self_check.py)

    @property
    def method(self) -> str:
        return self.name

    @property
    def method_spec(self) -> Method:
        return get_method(self.name)


COMMON_PROVENANCE = {
    "task": datasets.Value("string"),
    "method": datasets.Value("string"),
    "topic": datasets.Value("string"),
    "style": datasets.Value("string"),
    "template_id": datasets.Value("string"),
    "model": datasets.Value("string"),
    "sample_seed": datasets.Value("int64"),
    "finish_reason": datasets.Value("string"),
    "prompt_tokens": datasets.Value("int32"),
    "completion_tokens": datasets.Value("int32"),
    "cost_usd": datasets.Value("float64"),
    "prompt": datasets.Value("string"),
    "completion": datasets.Value("string"),
}


def output_features(task: TaskSpec) -> datasets.Features:
    """The family's data columns, then the provenance every row carries."""
    family = family_for(task)
    return datasets.Features({**family.data_features(), **COMMON_PROVENANCE, **family.provenance_features()})


# --- the run ------------------------------------------------------------------------------


class GenerationRun:
    """Everything one builder config needs, in data-flow order."""

    def __init__(self, config: ClinGenBuilderConfig):
        if config.llm is None:
            raise GenerationError("no LLM settings given")
        self.config = config
        self.task = get_task(config.task)
        self.family = family_for(self.task)
        self.seeds = load_seeds(config.seeds_source, self.task, config.dev_holdout)
        self.few_shot, _ = few_shot_split(self.seeds, self.task, config.k_shot, config.seed)
        self.llm = LLMClient(config.llm, CompletionCache.in_dir(config.llm_cache_dir))
        self.report = GenerationReport(task=self.task.name, method=config.method, requested=config.n)
        self.report.ledger = self.llm.ledger
        self.report.few_shot = self.few_shot.to_list()
        self.report.few_shot_sha256 = few_shot_digest(self.few_shot, self.task)

    def demonstrations(self) -> list[dict]:
        return self.family.demonstrations(self.few_shot)

    def build_pools(self) -> tuple[list[str | None], list[str | None]]:
        method, config = self.config.method_spec, self.config
        pools = {}
        if method.styles:
            pools["styles"] = (checked_style_pool(Pool.load(config.styles_file, "styles")) if config.styles_file else
                               style_pool(self.llm, self.task, self.family.demo_texts(self.few_shot), seed=config.seed,
                                          prompt_kind=config.style_prompt))
        if method.topics is not None:
            pools["topics"] = Pool.load(config.topics_file, "topics") if config.topics_file else self._topic_pool()
        for pool in pools.values():
            if not pool.items:
                errors = self.llm.ledger.errors
                cause = f"the LLM calls failed ({errors})" if errors else "the LLM's answers had no usable items"
                raise GenerationError(f"the {pool.kind} pool is empty: {cause}")
        self.report.pools = pools
        return (pools["topics"].items if "topics" in pools else [None]), (pools["styles"].items if "styles" in pools else [None])

    def _topic_pool(self) -> Pool:
        config, relation = self.config, self.task.family == "relation"
        if config.method_spec.topics == "kg":
            if relation:
                return kg_relation_pool(self._knowledge_graph(), self.llm, self.task, config.n, config.seed)
            return kg_topic_pool(self._knowledge_graph(), self.task, config.n, config.seed, config.topic_weighting)
        target = min(LLM_TOPIC_TARGET, max(config.n, LLM_TOPIC_MINIMUM))  # a small run needs no 300 topics
        if relation:
            return llm_relation_pool(self.llm, self.task, target=target, seed=config.seed)
        return llm_topic_pool(self.llm, self.task, target=target, seed=config.seed)

    def _knowledge_graph(self) -> KnowledgeGraph:
        if self.config.kg_source == "embedded":
            from clingen_hf.knowledge.embedded import load_embedded_kg

            return load_embedded_kg(self.config.knowledge_cache_dir)
        return KnowledgeGraph.from_ibkh(self.config.kg_source)

    def plan(self) -> datasets.Dataset:
        topics, styles = self.build_pools()
        shuffled = list(topics)
        random.Random(self.config.seed).shuffle(shuffled)
        labels = self.family.plan_labels(self.config.n, self.config.seed)
        rows = []
        for index in range(self.config.n):
            sample_seed = sample_seed_for(self.config.seed, index)
            rows.append(
                {
                    "task": self.task.name,
                    "method": self.config.method,
                    "planned_labels": labels[index],
                    "label": ", ".join(labels[index]),
                    "topic": shuffled[index % len(shuffled)],
                    "style": styles[0] if len(styles) == 1 else random.Random(sample_seed).choice(styles),
                    "sample_seed": sample_seed,
                    "prompt_tokens": 0,
                    "completion_tokens": 0,
                    "cost_usd": 0.0,
                    "finish_reason": "",
                    "drop_reason": None,
                }
            )
        return datasets.Dataset.from_list(rows)

    def generate(self) -> datasets.Dataset:
        started = time.monotonic()
        plan = self.plan()
        method = self.config.method_spec
        demos = self.demonstrations() if method.demonstrations else []
        if method.rounds > 1:
            rows = self._generate_in_rounds(plan, demos)
        else:
            rows = self._run_steps(plan, demos, plan._fingerprint)
        rows = self._check_spans(rows)
        gated = self._apply_gates(rows)
        self._count(gated)
        kept = self._kept_rows(gated)
        self.report.kept = len(kept)
        if self.task.head == "token":
            self.report.entity_frequency = entity_frequency(kept, self.seeds, self.task)
        self.report.wall_s = time.monotonic() - started
        self.report.model_fingerprint = self.llm.model_fingerprint
        features = output_features(self.task)
        return kept.select_columns(list(features)).cast(features)

    def _run_steps(self, rows: datasets.Dataset, demos: list[dict], fingerprint: str) -> datasets.Dataset:
        for number, step in enumerate(self.family.steps):
            if number:  # the earlier step's prompt and completion stay as provenance
                earlier = self.family.steps[number - 1]
                rows = rows.rename_columns({"prompt": f"{earlier}_prompt", "completion": f"{earlier}_completion"})
            rows = self._run_step(rows, step, demos, f"{fingerprint}-{step}")
        return rows

    def _generate_in_rounds(self, plan: datasets.Dataset, demos: list[dict]) -> datasets.Dataset:
        """ProGen: the plan in the method's `rounds` parts; each part's demonstrations are the seeds
        plus feedback chosen from the parts before it (clingen_hf/generation/feedback.py)."""
        rounds = max(1, min(self.config.method_spec.rounds, len(plan)))
        done: list[dict] = []
        feedback: list[dict] = []
        for number, part in enumerate(np.array_split(np.arange(len(plan)), rounds)):
            rows = self._run_steps(plan.select(part), demos + feedback, f"{plan._fingerprint}-round{number}")
            done.extend(rows.to_list())
            feedback = self._feedback(done)
            self.report.feedback_rounds.append(len(feedback))
        return datasets.Dataset.from_list(done)

    def _feedback(self, rows: list[dict]) -> list[dict]:
        from clingen_hf.core.encoders import encode
        from clingen_hf.data.seeds import classes_of
        from clingen_hf.generation.feedback import select_feedback

        def example(seed_row: dict, sample_seed: int = 0) -> dict:
            value = seed_row[self.task.label_column]
            return {"text": self.family.seed_text(seed_row), "labels": sorted(classes_of(value, self.task)),
                    "sample_seed": sample_seed, "seed_row": seed_row}

        usable = [example(self.family.as_seed_row(row), row["sample_seed"]) for row in rows if row["drop_reason"] is None]
        seeds = [example(row) for row in self.few_shot]
        chosen = select_feedback(usable, seeds, self.config.progen_feedback_per_class, encode)
        return self.family.demonstrations([c["seed_row"] for c in chosen])

    def _run_step(self, rows: datasets.Dataset, step: str, demos: list[dict], fingerprint: str) -> datasets.Dataset:
        label = f" ({step} sentence)" if step else ""
        rendered = map_rows(
            rows, render_prompt,
            {"task": self.task, "method": self.config.method, "demonstrations": demos, "step": step,
                       "guidelines": self.task.guidelines if self.config.guidelines else "", "order_seed": self.config.seed},
            f"Rendering prompts{label}", f"render-{fingerprint}",
        )
        if needs_prefill(self.llm.settings):
            self.report.engine_steps.append(prefill(self.llm, rendered, label))
        completed = map_llm_calls(rendered, complete_row, self.llm, {}, f"LLM completions{label}", f"llm-{fingerprint}")
        self._stop_if_server_gone(completed)
        return map_rows(completed, parse_row, {"task": self.task, "step": step}, f"Parsing{label}",
                        f"parse-{fingerprint}")

    def _check_spans(self, parsed: datasets.Dataset) -> datasets.Dataset:
        """NER rows: style words, the KG (`verify_spans`, `add_kg_mentions`), the LLM self-check."""
        if "span_decisions" not in self.family.provenance_features():
            return parsed
        config = self.config
        use_kg = config.verify_spans != "off" or config.add_kg_mentions
        linker = EntityLinker(self._knowledge_graph(), self.task.kg_entity_types, config.link_fuzzy) if use_kg else None
        checks = {"task": self.task, "linker": linker, "policy": config.verify_spans, "add_missing": config.add_kg_mentions}
        fingerprint = step_fingerprint("verify", parsed._fingerprint, config.verify_spans, config.add_kg_mentions,
                                       config.link_fuzzy)
        desc = "Checking spans" + (" against the KG" if use_kg else "")
        if not config.self_check:  # nothing between the checks and their finish: one pass over the rows
            checked = map_rows(parsed, verify_and_finish_row, checks, desc, f"{fingerprint}-finish")
            self._count_span_checks(checked)
            return checked
        checked = map_rows(parsed, verify_row, checks, desc, fingerprint)
        checker = LLMClient(dataclasses.replace(config.llm, temperature=0.0), self.llm.cache, self.llm.ledger)
        checked = map_llm_calls(checked, self_check_row, checker, {"task": self.task},
                                "LLM self-check of spans", step_fingerprint("self-check", checked._fingerprint))
        self._stop_if_server_gone(checked)
        checked = map_rows(checked, finish_span_checks, {"task": self.task}, "Finishing span checks",
                           step_fingerprint("finish", checked._fingerprint))
        self._count_span_checks(checked)
        return checked

    def _count_span_checks(self, checked: datasets.Dataset) -> None:
        counts = Counter({"proposed": sum(checked["proposed_spans"][:])})
        for decisions in checked["span_decisions"][:]:
            counts.update(f"{d['source']}_{d['action']}" for d in json.loads(decisions))
        self.report.span_actions = dict(counts)

    def _stop_if_server_gone(self, completed: datasets.Dataset) -> None:
        """Connection errors that outlast the client's retries mean the server is gone, not
        that one sample failed: stop rather than write a dataset with holes."""
        reasons = completed["drop_reason"][:]
        lost = sum(1 for reason in reasons if reason == "llm_APIConnectionError")
        if lost:
            done = sum(1 for reason in reasons if reason is None)
            raise GenerationError(
                f"the LLM server at {self.llm.settings.base_url} stopped answering ({lost} of {len(completed)} samples "
                f"could not connect); the {done} completed calls are cached: rerun the same command to resume"
            )

    def _apply_gates(self, parsed: datasets.Dataset) -> datasets.Dataset:
        seed_texts = [self.family.seed_text(row) for row in self.seeds]
        candidates = [(i, self.family.text_of(row)) for i, row in enumerate(lazy_rows(parsed)) if row["drop_reason"] is None]
        gate_reasons = duplicate_reasons([s for _, s in candidates], seed_texts, self.config.near_duplicate_threshold)
        reasons = parsed["drop_reason"][:]
        for (index, _), reason in zip(candidates, gate_reasons):
            reasons[index] = reason
        return parsed.remove_columns("drop_reason").add_column("drop_reason", reasons)

    @staticmethod
    def _kept_rows(gated: datasets.Dataset) -> datasets.Dataset:
        """The rows without a drop reason, as a contiguous table (`filter` would leave an indices
        mapping, which makes the final cast to the output features ~40x slower)."""
        keep = pa.array([reason is None for reason in gated["drop_reason"][:]])
        return datasets.Dataset(gated.with_format("arrow")[:].filter(keep))

    def _classes_of_row(self, row: dict) -> list[str]:
        """Token tasks: the entity types the row's tags contain; others: the planned labels."""
        if self.task.head != "token":
            return row["planned_labels"]
        return sorted({self.task.labels[tag][2:] for tag in row["ner_tags"] if self.task.labels[tag] != "O"})

    def _count(self, gated: datasets.Dataset) -> None:
        reasons = gated["drop_reason"][:]
        self.report.dropped = dict(Counter(r for r in reasons if r is not None))
        self.report.truncated = sum(1 for r in gated["finish_reason"][:] if r == "length")
        label_column = "ner_tags" if self.task.head == "token" else "planned_labels"
        rows = gated.select_columns(["drop_reason", label_column]).to_list()
        self.report.label_counts = dict(Counter(label for row in rows if row["drop_reason"] is None
                                                for label in self._classes_of_row(row)))
        if "entities" not in gated.column_names or "dropped_entities" not in gated.column_names:
            return
        for entities, dropped, reason in zip(gated["entities"][:], gated["dropped_entities"][:], reasons):
            if reason is None:
                self.report.entity_mentions += len(entities)
                self.report.entities_not_in_sentence += len(dropped)


class ClinGenBuilder(datasets.ArrowBasedBuilder):
    """Synthetic clinical training data for one task, one builder config per generation method."""

    BUILDER_CONFIG_CLASS = ClinGenBuilderConfig
    BUILDER_CONFIGS = [ClinGenBuilderConfig(name=name, description=method.description) for name, method in METHODS.items()]
    DEFAULT_CONFIG_NAME = "clingen-kg"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.report: GenerationReport | None = None  # the live report, when this builder ran the pipeline

    def _download_and_prepare(self, dl_manager, verification_mode, **prepare_split_kwargs):
        super()._download_and_prepare(dl_manager, verification_mode, **prepare_split_kwargs)
        report = json.dumps(report_to_dict(self.report, self.config), indent=2, default=str)
        Path(self._output_dir, REPORT_FILE).write_text(report + "\n", encoding="utf-8")

    @property
    def generation_report(self) -> dict:
        """The recipe and outcome of the run that made this builder's data (`report_to_dict`),
        also when `download_and_prepare` reused the builder's own cache."""
        if self.report is not None:
            return report_to_dict(self.report, self.config)
        saved = Path(self.cache_dir, REPORT_FILE)
        if not saved.is_file():
            raise GenerationError("no generation report: call download_and_prepare() first")
        return json.loads(saved.read_text(encoding="utf-8"))

    def _info(self) -> datasets.DatasetInfo:
        task = get_task(self.config.task)
        return datasets.DatasetInfo(description=self.config.description, features=output_features(task))

    def _split_generators(self, dl_manager):
        run = GenerationRun(self.config)
        self.report = run.report
        rows = run.generate()
        if len(rows) == 0:
            raise GenerationError(f"no usable rows: all {self.config.n} samples were dropped ({run.report.dropped})")
        return [datasets.SplitGenerator(name=datasets.Split.TRAIN, gen_kwargs={"rows": rows})]

    def _generate_tables(self, rows: datasets.Dataset):
        yield from enumerate(rows.with_format("arrow").iter(ROWS_PER_BATCH))
