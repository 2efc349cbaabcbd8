"""What a generation run reports: counts, drops, pools, checks, usage; as saved next to the data
and shown in the card."""


from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import datasets

from clingen_hf import __version__
from clingen_hf.core.methods import get_method
from clingen_hf.core.prompts import template_id
from clingen_hf.core.tasks import TaskSpec, get_task
from clingen_hf.generation.checks.verification import (
    span_counter_lines,
)
from clingen_hf.generation.families import family_for
from clingen_hf.generation.parsing import entities_from_tags
from clingen_hf.knowledge.pools import Pool
from clingen_hf.llm.client import Ledger

if TYPE_CHECKING:
    from clingen_hf.generation.builder import ClinGenBuilderConfig


@dataclass
class GenerationReport:
    task: str
    method: str
    requested: int
    kept: int = 0
    dropped: dict[str, int] = field(default_factory=dict)
    entity_mentions: int = 0
    entities_not_in_sentence: int = 0
    truncated: int = 0
    span_actions: dict[str, int] = field(default_factory=dict)  # proposed, then <source>_<action> (verification.py)
    label_counts: dict[str, int] = field(default_factory=dict)  # kept rows per class
    entity_frequency: dict = field(default_factory=dict)  # token tasks: generated mentions against the seeds'
    feedback_rounds: list[int] = field(default_factory=list)  # ProGen: feedback examples chosen after each round
    engine_steps: list[dict] = field(default_factory=list)  # --batch-api / --engine ray: per step, what was answered
    ledger: Ledger | None = None
    pools: dict[str, Pool] = field(default_factory=dict)
    few_shot: list[dict] = field(default_factory=list)
    few_shot_sha256: str | None = None  # data.few_shot_digest: training checks its stage-I rows against it
    model_fingerprint: str | None = None  # the identity of the model that answered (cache.py)
    wall_s: float = 0.0


def seeds_shareable(config: ClinGenBuilderConfig) -> bool:
    """The bundled seeds were written for this project; other seeds (often a benchmark's
    train split) are published only when the user says their licence allows it."""
    return config.seeds_source is None or config.share_seeds


def few_shot_dataset(report: GenerationReport, task: TaskSpec) -> datasets.Dataset:
    """The few-shot seeds in the data columns of the synthetic split, labels as ids."""
    data = family_for(task).data_features()
    ids = {label: index for index, label in enumerate(task.labels)}
    column = task.label_column
    rows = []
    for seed_row in report.few_shot:
        value = seed_row[column]
        rows.append({**{c: seed_row[c] for c in data if c in seed_row},
                     column: [ids[v] for v in value] if isinstance(value, list) else ids[value]})
    features = datasets.Features({name: data[name] for name in rows[0]}) if rows else None
    return datasets.Dataset.from_list(rows, features=features)


def label_checks(config: ClinGenBuilderConfig, task: TaskSpec) -> dict:
    """The label-quality settings of a token-labelling run, as the report and card show them."""
    return {"guidelines": bool(config.guidelines and task.guidelines), "verify_spans": config.verify_spans, "link_fuzzy": config.link_fuzzy,
            "add_kg_mentions": config.add_kg_mentions, "self_check": config.self_check}


def report_to_dict(report: GenerationReport, config: ClinGenBuilderConfig) -> dict:
    """The recipe and outcome of one run, as written next to the data and into the card."""
    ledger = report.ledger
    task = get_task(config.task)
    prices = config.llm.prices()
    total_prompt, total_completion = ledger.total_tokens()
    total_cost = ledger.total_cost()
    return {
        "task": report.task,
        "method": report.method,
        "method_description": get_method(report.method).description,
        "seed": config.seed,
        "k_shot": config.k_shot,
        "seeds_source": config.seeds_source or f"the bundled {task.name} seed set",
        "seeds_shareable": seeds_shareable(config),
        "few_shot_rows": len(report.few_shot),
        "few_shot_sha256": report.few_shot_sha256,
        "few_shot": report.few_shot if seeds_shareable(config) else None,
        **({"label_checks": label_checks(config, task)} if task.head == "token" else {}),
        "template_id": ", ".join(template_id(task.template_for(report.method, step)) for step in family_for(task).steps),
        "llm": {**config.llm.public_dict(), "model_fingerprint": report.model_fingerprint},
        "pools": {kind: {**pool.provenance, "count": len(pool.items), "sha256_16": pool.content_hash()} for kind, pool in report.pools.items()},
        "counts": {
            "requested": report.requested,
            "kept": report.kept,
            "dropped": dict(sorted(report.dropped.items(), key=lambda item: -item[1])),
            "entity_mentions": report.entity_mentions,
            "entities_not_in_sentence": report.entities_not_in_sentence,
            "truncated": report.truncated,
            "span_actions": report.span_actions,
            "span_checks": dict(span_counter_lines(report.span_actions)),
            **({"entity_frequency": report.entity_frequency} if report.entity_frequency else {}),
            "label_counts": report.label_counts,
            **({"progen_feedback_per_round": report.feedback_rounds} if report.feedback_rounds else {}),
        },
        "usage": {
            "llm_calls_made": ledger.calls_made,
            "llm_calls_from_cache": ledger.cache_hits,
            "llm_errors": ledger.errors,
            "skipped_for_budget": ledger.skipped_for_budget,
            **({"engine_steps": report.engine_steps} if report.engine_steps else {}),
            "prompt_tokens": total_prompt,
            "completion_tokens": total_completion,
            "cost_usd": round(total_cost, 6) if prices is not None else None,
            "cost_usd_label": f"${total_cost:.4f}" if prices is not None else "unknown (no price set for this model)",
        },
        "wall_s": round(report.wall_s, 2),
        "generated_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "clingen_hf_version": __version__,
    }


def entity_frequency(kept: datasets.Dataset, seeds: datasets.Dataset, task: TaskSpec) -> dict:
    """How the generated entity mentions are distributed, next to the seed source's: the
    topic distribution should move the first toward the second (quality.py, paper Fig. 7)."""
    generated, generated_shares = _mention_summary(kept, task)
    seed_summary, seed_shares = _mention_summary(seeds, task)
    seed_names = {name for name, _ in seed_shares}
    in_seeds = sum(share for name, share in generated_shares if name in seed_names)
    return {"generated": {**generated, "share_of_mentions_in_seeds": round(in_seeds, 4)}, "seeds": seed_summary}


def _mention_summary(rows: datasets.Dataset, task: TaskSpec) -> tuple[dict, list[tuple[str, float]]]:
    from clingen_hf.core.mentions import entity_frequencies, frequency_summary

    def tag(value: int | str) -> str:
        return task.labels[value] if isinstance(value, int) else value

    lists = [entities_from_tags(tokens, [tag(t) for t in tags]) for tokens, tags in zip(rows["tokens"][:], rows["ner_tags"][:])]
    shares = entity_frequencies(lists)
    summary = {"mentions": sum(map(len, lists)), "unique_entities": len(shares), **frequency_summary(shares),
               "most_frequent": [[name, round(share, 4)] for name, share in shares[:10]]}
    return summary, shares
