"""The map functions of a generation run, one per step: prompt, LLM call, parsing, span checks.
Module-level so that `datasets` can fingerprint them."""


from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import random

import datasets
from datasets.utils.tqdm import tqdm as hf_tqdm

from clingen_hf.core.prompts import render, template_id
from clingen_hf.core.tasks import TaskSpec
from clingen_hf.generation.checks.self_check import check_spans
from clingen_hf.generation.checks.verification import (
    EntityLinker,
    labelled_spans,
    remove_style_words,
    verify_tags,
)
from clingen_hf.generation.families import family_for
from clingen_hf.generation.parsing import entities_from_tags
from clingen_hf.generation.parsing.attributes import typed_entity
from clingen_hf.llm.client import LLMClient

# Rows per call of a batched map: the per-row functions below run in a loop over a batch, which
# spares `datasets` its per-row formatting and writing (5-10x less overhead per row).
ROWS_PER_BATCH = 1000


def rows_of(batch: dict) -> list[dict]:
    columns = list(batch)
    return [dict(zip(columns, values)) for values in zip(*batch.values())]


def columns_of(rows: list[dict], outputs: list[dict]) -> dict:
    """Per-row outputs as batch columns; as in a per-row map, a column a row's output leaves out
    keeps that row's value."""
    keys = dict.fromkeys(key for output in outputs for key in output)
    return {key: [output.get(key, row.get(key)) for output, row in zip(outputs, rows)] for key in keys}


def rowwise(function):
    """A per-row map function as a batched one (`Dataset.map(rowwise(f), batched=True)`)."""

    def apply(batch: dict, **kwargs) -> dict:
        rows = rows_of(batch)
        return columns_of(rows, [function(row, **kwargs) for row in rows])

    apply.__name__ = apply.__qualname__ = f"rowwise_{function.__name__}"
    return apply


def concurrently(function):
    """An async per-row map function as a batched one whose rows run concurrently (the LLM client
    bounds the calls in flight). `datasets` runs the batches concurrently too, so no batch waits
    for the slowest call of the one before it. `progress` (a tqdm bar) moves with every row."""

    async def apply(batch: dict, progress=None, **kwargs) -> dict:
        rows = rows_of(batch)

        async def one(row: dict) -> dict:
            output = await function(row, **kwargs)
            if progress is not None:
                progress.update()
            return output

        return columns_of(rows, await asyncio.gather(*(one(row) for row in rows)))

    apply.__name__ = apply.__qualname__ = f"concurrently_{function.__name__}"
    return apply


def map_llm_calls(rows: datasets.Dataset, function, llm: LLMClient, fn_kwargs: dict, desc: str,
                  fingerprint: str) -> datasets.Dataset:
    """An async per-row LLM step over batches that run concurrently, with a bar that moves with
    every answer in place of the map's own (which moves once per finished batch)."""
    try:
        with hf_tqdm(total=len(rows), desc=desc, unit=" calls") as progress, map_progress_bars_off():
            return rows.map(concurrently(function), batched=True, batch_size=ROWS_PER_BATCH,
                            fn_kwargs={**fn_kwargs, "llm": llm, "progress": progress}, new_fingerprint=fingerprint)
    finally:
        llm.close_connections()


@contextlib.contextmanager
def map_progress_bars_off():
    """`datasets`' own bars off for the maps inside (as they were afterwards)."""
    was_off = datasets.are_progress_bars_disabled()
    datasets.disable_progress_bars()
    try:
        yield
    finally:
        if not was_off:
            datasets.enable_progress_bars()


def step_fingerprint(step: str, *parts) -> str:
    """A map step's cache fingerprint: short whatever its inputs (`datasets` allows 64 characters)."""
    return f"{step}-" + hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:32]


def sample_seed_for(run_seed: int, index: int) -> int:
    return (run_seed * 1_000_003 + index) % 2**31


# --- map functions (module level, so `datasets` can fingerprint them) -----------------


def render_prompt(row: dict, task: TaskSpec, method: str, demonstrations: list[dict], step: str,
                  guidelines: str = "", order_seed: int = 0) -> dict:
    family = family_for(task)
    if row["drop_reason"] is not None:
        return {"prompt": "", "template_id": ""}
    name = task.template_for(method, step)
    demos = family.select_demonstrations(list(demonstrations), row, step)
    # one order per run, not per sample: prompts then share their prefix, which a local server
    # reads once and keeps cached (a per-sample order made it re-read ~500 tokens every call)
    random.Random(order_seed).shuffle(demos)
    slots = family.slots(row, step)
    prompt = render(name, topic=row["topic"], style=row["style"], demonstrations=demos, guidelines=guidelines, **slots)
    return {"prompt": prompt, "template_id": template_id(name)}


async def complete_row(row: dict, llm: LLMClient) -> dict:
    """One LLM call; token counts and cost add up over the steps of a two-step family."""
    if row["drop_reason"] is not None:  # an earlier step failed: no call
        return {"completion": "", "model": llm.settings.model}
    messages = [{"role": "user", "content": row["prompt"]}]
    completion = await llm.complete(messages, row["sample_seed"])
    return {
        "completion": completion.text,
        "finish_reason": completion.finish_reason,
        "prompt_tokens": row["prompt_tokens"] + completion.prompt_tokens,
        "completion_tokens": row["completion_tokens"] + completion.completion_tokens,
        "cost_usd": row["cost_usd"] + completion.cost_usd,
        "model": llm.settings.model,
        "drop_reason": completion.error,
    }


def parse_row(row: dict, task: TaskSpec, step: str) -> dict:
    family = family_for(task)
    if row["drop_reason"] is not None:
        return {**family.empty_columns(step), "drop_reason": row["drop_reason"]}
    return family.parse(row["completion"], row, step)


def verify_row(row: dict, task: TaskSpec, linker: EntityLinker | None, policy: str, add_missing: bool) -> dict:
    """Style words out, then the KG check (when a linker is given); every decision recorded."""
    if row["drop_reason"] is not None:
        return {"span_decisions": "[]", "proposed_spans": 0}
    tags = [task.labels[i] for i in row["ner_tags"]]
    proposed = len(labelled_spans(tags))
    tags, decisions = remove_style_words(row["tokens"], tags, row["style"])
    if linker is not None:
        tags, kg_decisions = verify_tags(row["tokens"], tags, linker, task.entity_type, policy, add_missing)
        decisions += kg_decisions
    return {
        "ner_tags": [task.labels.index(tag) for tag in tags],
        "span_decisions": json.dumps([d.as_dict() for d in decisions], ensure_ascii=False),
        "proposed_spans": proposed,
    }


async def self_check_row(row: dict, task: TaskSpec, llm: LLMClient) -> dict:
    if row["drop_reason"] is not None:
        return {}
    tags = [task.labels[i] for i in row["ner_tags"]]
    tags, decisions, completion = await check_spans(row["tokens"], tags, task, llm, row["sample_seed"])
    if completion is None:
        return {}
    if completion.error is not None:  # the span stays unchecked; a lost server stops the run (resumable)
        return {"drop_reason": completion.error}
    return {
        "ner_tags": [task.labels.index(tag) for tag in tags],
        "span_decisions": json.dumps([*json.loads(row["span_decisions"]), *(d.as_dict() for d in decisions)],
                                     ensure_ascii=False),
        "prompt_tokens": row["prompt_tokens"] + completion.prompt_tokens,
        "completion_tokens": row["completion_tokens"] + completion.completion_tokens,
        "cost_usd": row["cost_usd"] + completion.cost_usd,
    }


def finish_span_checks(row: dict, task: TaskSpec) -> dict:
    """`entities` as the checked tags have them. A sentence whose every labelled span the checks
    removed still mentions what the LLM meant to label, now unlabelled: a false negative to
    train on, so the row goes."""
    if row["drop_reason"] is not None:
        return {}
    if row["proposed_spans"] > 0 and not any(row["ner_tags"]):
        return {"drop_reason": "no_entity_after_checks"}
    tags = [task.labels[i] for i in row["ner_tags"]]
    if task.family != "attributes":
        return {"entities": entities_from_tags(row["tokens"], tags)}
    return {"entities": [typed_entity(kind, name) for kind in task.entity_types
                         for name in entities_from_tags(row["tokens"], [t if t.endswith(f"-{kind}") else "O" for t in tags])]}
