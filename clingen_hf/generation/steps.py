"""The map functions of a generation run, one per step: prompt, LLM call, parsing, span checks.
Module-level so that `datasets` can fingerprint them."""


from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
import json
import random
from collections import ChainMap
from collections.abc import Iterator, Mapping

import datasets
import pyarrow as pa
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


class BatchColumns:
    """The columns of an Arrow batch, each made a Python list the first time a row reads it."""

    def __init__(self, table: pa.Table):
        self.table = table
        self.names = table.column_names
        self.lists: dict[str, list] = {}

    def __getitem__(self, name: str) -> list:
        values = self.lists.get(name)
        if values is None:
            if name not in self.names:
                raise KeyError(name)
            values = self.lists[name] = self.table.column(name).to_pylist()
        return values


class LazyRow(Mapping):
    """One row of a `BatchColumns`, read like a dict."""

    __slots__ = ("_columns", "_index")

    def __init__(self, columns: BatchColumns, index: int):
        self._columns, self._index = columns, index

    def __getitem__(self, name: str):
        values = self._columns.lists.get(name)
        return (values if values is not None else self._columns[name])[self._index]

    def __iter__(self):
        return iter(self._columns.names)

    def __len__(self) -> int:
        return len(self._columns.names)


def rows_of(batch: pa.Table) -> list[LazyRow]:
    """The rows of an Arrow batch (`Dataset.with_format("arrow")`). A column no function reads or
    writes stays Arrow: `datasets` writes it back as it was, without converting it to Python and back
    (which, for every column in every step, cost more than the steps' own work)."""
    columns = BatchColumns(batch)
    return [LazyRow(columns, index) for index in range(batch.num_rows)]


# Columns a batch may hold only None or empty lists in, which Arrow would type as null: `datasets`
# fixes a column's type at the first batch it writes, so a later batch with values would not fit.
NULLABLE_COLUMN_TYPES = {
    "drop_reason": pa.string(),
    "tokens": pa.list_(pa.string()),
    "ner_tags": pa.list_(pa.int64()),
    "entities": pa.list_(pa.string()),
    "dropped_entities": pa.list_(pa.string()),
}


def lazy_rows(dataset: datasets.Dataset) -> Iterator[LazyRow]:
    """Every row of `dataset`, converting only the columns that are read."""
    for batch in dataset.with_format("arrow").iter(ROWS_PER_BATCH):
        yield from rows_of(batch)


def columns_of(batch: pa.Table, rows: list[LazyRow], outputs: list[dict]) -> pa.Table:
    """The batch with the per-row outputs as new or replaced columns; as in a per-row map, a
    column a row's output leaves out keeps that row's value."""
    table = with_known_types(batch)
    for key in dict.fromkeys(key for output in outputs for key in output):
        values = [output[key] if key in output else row[key] for output, row in zip(outputs, rows)]
        index = table.schema.get_field_index(key)
        column = arrow_column(values, table.schema.field(index).type if index >= 0 else NULLABLE_COLUMN_TYPES.get(key))
        table = table.set_column(index, key, column) if index >= 0 else table.append_column(key, column)
    return table


def arrow_column(values: list, known: pa.DataType | None) -> pa.Array:
    """`values` as the column's known type, else as the type they have (a step may change a
    column's type: the plan's label names become class ids)."""
    if known is not None and known != pa.null():
        try:
            return pa.array(values, type=known)
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            pass
    return pa.array(values)


def with_known_types(batch: pa.Table) -> pa.Table:
    """The batch with its null-typed columns of `NULLABLE_COLUMN_TYPES` cast to their types."""
    for index, field in enumerate(batch.schema):
        if field.type == pa.null() and field.name in NULLABLE_COLUMN_TYPES:
            column = batch.column(index).cast(NULLABLE_COLUMN_TYPES[field.name])
            batch = batch.set_column(index, field.name, column)
    return batch


def rowwise(function):
    """A per-row map function as a batched one over Arrow batches (see `map_rows`)."""

    def apply(batch: pa.Table, **kwargs) -> pa.Table:
        rows = rows_of(batch)
        return columns_of(batch, rows, [function(row, **kwargs) for row in rows])

    apply.__name__ = apply.__qualname__ = f"rowwise_{function.__name__}"
    return apply


def map_rows(rows: datasets.Dataset, function, fn_kwargs: dict, desc: str, fingerprint: str) -> datasets.Dataset:
    """`function(row, **fn_kwargs) -> dict of new or changed columns` over every row, in batches."""
    return map_arrow_batches(rows, rowwise(function), fn_kwargs, fingerprint, desc)


def map_arrow_batches(rows: datasets.Dataset, batched_function, fn_kwargs: dict, fingerprint: str,
                      desc: str | None = None) -> datasets.Dataset:
    """`batched_function` (from `rowwise` or `concurrently`) over Arrow batches of `rows`; the result
    is a plain dataset again."""
    mapped = rows.with_format("arrow").map(batched_function, batched=True, batch_size=ROWS_PER_BATCH,
                                           fn_kwargs=fn_kwargs, desc=desc, new_fingerprint=fingerprint)
    return mapped.with_format(None)


def concurrently(function):
    """An async per-row map function as a batched one whose rows run concurrently (the LLM client
    bounds the calls in flight). `datasets` runs the batches concurrently too, so no batch waits
    for the slowest call of the one before it. `progress` (a tqdm bar) moves with every row."""

    async def apply(batch: pa.Table, progress=None, **kwargs) -> pa.Table:
        rows = rows_of(batch)

        async def one(row: LazyRow) -> dict:
            output = await function(row, **kwargs)
            if progress is not None:
                progress.update()
            return output

        return columns_of(batch, rows, await asyncio.gather(*(one(row) for row in rows)))

    apply.__name__ = apply.__qualname__ = f"concurrently_{function.__name__}"
    return apply


def map_llm_calls(rows: datasets.Dataset, function, llm: LLMClient, fn_kwargs: dict, desc: str,
                  fingerprint: str) -> datasets.Dataset:
    """An async per-row LLM step over batches that run concurrently, with a bar that moves with
    every answer in place of the map's own (which moves once per finished batch)."""
    try:
        with hf_tqdm(total=len(rows), desc=desc, unit=" calls") as progress, map_progress_bars_off():
            return map_arrow_batches(rows, concurrently(function), {**fn_kwargs, "llm": llm, "progress": progress},
                                     fingerprint)
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


@functools.lru_cache(maxsize=64)
def shuffled_order(seed: int, length: int) -> tuple[int, ...]:
    """The order `random.Random(seed).shuffle` gives a list of `length` items (it depends on nothing
    else), computed once rather than once per row."""
    order = list(range(length))
    random.Random(seed).shuffle(order)
    return tuple(order)


def render_prompt(row: dict, task: TaskSpec, method: str, demonstrations: list[dict], step: str,
                  guidelines: str = "", order_seed: int = 0) -> dict:
    family = family_for(task)
    if row["drop_reason"] is not None:
        return {"prompt": "", "template_id": ""}
    name = task.template_for(method, step)
    demos = family.select_demonstrations(list(demonstrations), row, step)
    # one order per run, not per sample: prompts then share their prefix, which a local server
    # reads once and keeps cached (a per-sample order made it re-read ~500 tokens every call)
    demos = [demos[i] for i in shuffled_order(order_seed, len(demos))]
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


def verify_and_finish_row(row: LazyRow, task: TaskSpec, linker: EntityLinker | None, policy: str,
                          add_missing: bool) -> dict:
    """`verify_row`, then `finish_span_checks` on its result (when no LLM self-check comes between)."""
    verified = verify_row(row, task, linker, policy, add_missing)
    return {**verified, **finish_span_checks(ChainMap(verified, row), task)}


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
