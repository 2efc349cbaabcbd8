"""Clinical topics (paper 4.1.1): entities sampled from a knowledge graph, or listed by the LLM.

Relation tasks take topic pairs ("breast cancer | BRCA1"): related entity pairs from the KG
where it links the two entity types, and pairs listed by the LLM where it does not; the pool's
provenance records that gap.
"""

from __future__ import annotations

from collections.abc import Callable

from clingen_hf.core.prompts import render
from clingen_hf.core.tasks import TaskSpec
from clingen_hf.knowledge.entities import KnowledgeGraphError
from clingen_hf.knowledge.graph import KnowledgeGraph
from clingen_hf.knowledge.pools import (
    Pool,
    add_unique,
    llm_provenance,
    parse_list_items,
)
from clingen_hf.llm.client import Completion, LLMClient

LLM_TOPICS_PER_CALL = 100
LLM_PAIRS_PER_CALL = 50
PAIR_SEPARATOR = " | "


TOPIC_WEIGHTINGS = {
    "kg": "in proportion to the KG's entity weights (the embedded KG: how many names an entity goes by, per word of "
          "its name; iBKH: 1 + its degree), which favours what text mentions often",
    "uniform": "uniformly over the KG's entities of the type (the paper's sampling; mostly rare entities)",
}


def kg_topic_pool(kg: KnowledgeGraph, task: TaskSpec, size: int, seed: int, weighting: str = "kg") -> Pool:
    """`size` natural entity names of the task's KG entity types, sampled with the run's seed
    as `weighting` says (TOPIC_WEIGHTINGS)."""
    per_type = max(1, size // len(task.kg_entity_types))
    items: list[str] = []
    for entity_type in task.kg_entity_types:
        items.extend(kg.sample_entities(entity_type, per_type, seed=seed, weighted=weighting == "kg"))
    provenance = {**_kg_provenance(kg, list(task.kg_entity_types), seed), "weighting": weighting,
                  "weighting_rule": TOPIC_WEIGHTINGS[weighting]}
    return Pool(kind="topics", items=items, provenance=provenance)


def _kg_provenance(kg: KnowledgeGraph, entity_types: list[str], seed: int) -> dict:
    return {"source": "kg", "kg_source": kg.source, "kg_version": kg.version, "entity_types": entity_types, "seed": seed}


def llm_topic_pool(llm: LLMClient, task: TaskSpec, target: int = 300, max_calls: int = 20, seed: int = 0) -> Pool:
    """Ask the LLM to list entities of each topic type until `target` unique ones (per type)
    or `max_calls` calls; each call has its own sample seed so it is its own cache entry."""
    items: list[str] = []
    seen: set[str] = set()
    prompts = {}
    completions: list[Completion] = []
    for entity_type in task.llm_topic_types:
        prompt = render("topic_listing", entity_type=entity_type, count=LLM_TOPICS_PER_CALL)
        prompts[entity_type] = prompt
        found, made = _list_until(llm, prompt, target, max_calls, seed, lambda text: parse_list_items(text, max_words=8))
        add_unique(items, seen, found)
        completions.extend(made)
    provenance = llm_provenance(llm, "topic_listing", completions, seed, prompts=prompts, target_per_type=target)
    return Pool(kind="topics", items=items, provenance=provenance)


def kg_relation_pool(kg: KnowledgeGraph, llm: LLMClient, task: TaskSpec, size: int, seed: int) -> Pool:
    """Pairs of KG entities that a KG relation links (weighted sampling), or LLM-listed pairs
    when the KG has no relation between the task's two entity types."""
    head, tail = task.kg_pair
    try:
        pairs = kg.sample_relation_pairs(head, tail, size, seed, weighted=True)
    except KnowledgeGraphError as gap:
        pool = llm_relation_pool(llm, task, seed=seed)
        pool.provenance["kg_gap"] = f"{gap}; the pairs were listed by the LLM instead"
        return pool
    items = list(dict.fromkeys(f"{a}{PAIR_SEPARATOR}{b}" for a, b in pairs))
    return Pool(kind="topics", items=items, provenance={**_kg_provenance(kg, [head, tail], seed), "relation_pairs": True})


def llm_relation_pool(llm: LLMClient, task: TaskSpec, target: int = 150, max_calls: int = 10, seed: int = 0) -> Pool:
    entity0, entity1 = task.entity_types
    prompt = render("pair_listing", entity0=entity0, entity1=entity1, count=LLM_PAIRS_PER_CALL)
    items, completions = _list_until(llm, prompt, target, max_calls, seed, parse_pair_items)
    provenance = llm_provenance(llm, "pair_listing", completions, seed, prompts={f"{entity0}-{entity1}": prompt},
                                target_per_type=target)
    return Pool(kind="topics", items=items, provenance=provenance)


def parse_pair_items(text: str) -> list[str]:
    """'aspirin; COX-1' lines -> 'aspirin | COX-1' items; lines without two parts are skipped."""
    items = []
    for line in parse_list_items(text.replace("|", ";").replace("\t", ";"), max_words=16):
        parts = [part.strip(" .,\"'") for part in line.split(";")]
        if len(parts) == 2 and all(parts) and all(len(part.split()) <= 8 for part in parts):
            items.append(PAIR_SEPARATOR.join(parts))
    return items


def _list_until(llm: LLMClient, prompt: str, target: int, max_calls: int, seed: int,
                parse: Callable[[str], list[str]]) -> tuple[list[str], list[Completion]]:
    """The items of up to `max_calls` answers, until `target`, and the calls made."""
    items: list[str] = []
    seen: set[str] = set()
    completions: list[Completion] = []
    for attempt in range(max_calls):
        completion = llm.complete_many([([{"role": "user", "content": prompt}], seed * 1000 + attempt)])[0]
        completions.append(completion)
        add_unique(items, seen, parse(completion.text))
        if len(items) >= target:
            break
    return items, completions
