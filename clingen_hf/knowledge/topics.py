"""Clinical topics (paper 4.1.1): entities sampled from a knowledge graph, or listed by the LLM."""

from __future__ import annotations

import datetime as dt

from ..llm import LLMClient
from ..prompts import render, template_id
from ..tasks import TaskSpec
from .graph import KnowledgeGraph
from .pools import Pool, add_unique, parse_list_items

LLM_TOPICS_PER_CALL = 100


def kg_topic_pool(kg: KnowledgeGraph, task: TaskSpec, size: int, seed: int) -> Pool:
    """`size` entity names of the task's KG entity types, sampled with the run's seed in proportion
    to the graph's entity weights (uniform draws are dominated by rare entities)."""
    per_type = max(1, size // len(task.kg_entity_types))
    items: list[str] = []
    for entity_type in task.kg_entity_types:
        items.extend(kg.sample_entities(entity_type, per_type, seed=seed, weighted=True))
    provenance = {
        "source": "kg",
        "kg_source": kg.source,
        "kg_version": kg.version,
        "entity_types": list(task.kg_entity_types),
        "seed": seed,
    }
    return Pool(kind="topics", items=items, provenance=provenance)


def llm_topic_pool(llm: LLMClient, task: TaskSpec, target: int = 300, max_calls: int = 20, seed: int = 0) -> Pool:
    """Ask the LLM to list entities of each topic type until `target` unique ones (per type)
    or `max_calls` calls; each call has its own sample seed so it is its own cache entry."""
    items: list[str] = []
    seen: set[str] = set()
    calls = 0
    prompts = {}
    for entity_type in task.llm_topic_types:
        prompt = render("topic_listing", entity_type=entity_type, count=LLM_TOPICS_PER_CALL)
        prompts[entity_type] = prompt
        found_for_type = 0
        for attempt in range(max_calls):
            completion = llm.complete_many([([{"role": "user", "content": prompt}], seed * 1000 + attempt)])[0]
            calls += 1
            found_for_type += add_unique(items, seen, parse_list_items(completion.text, max_words=8))
            if found_for_type >= target:
                break
    provenance = {
        "source": "llm",
        "model": llm.settings.model,
        "template_id": template_id("topic_listing"),
        "prompts": prompts,
        "calls": calls,
        "target_per_type": target,
        "seed": seed,
        "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
    }
    return Pool(kind="topics", items=items, provenance=provenance)
