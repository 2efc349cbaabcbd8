"""Direct few-shot inference with the LLM (paper Table 2): the LLM labels the evaluation split
itself, with k examples per class from the real train split as demonstrations, through the same
cached client as generation. Predictions are scored with the task's metric module.

Prompts: `infer_entities.jinja` (token tasks: the entity list per type, aligned to IOB2 like a
generated sample) and `infer_label.jinja` (every other head: the label names with their
descriptions; the answer is matched to a label name, case-insensitively, longest first).
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

import datasets

from clingen_hf.core.metrics import flatten_metrics, load_metric
from clingen_hf.core.prompts import render
from clingen_hf.core.tasks import TaskSpec
from clingen_hf.generation.families import family_for
from clingen_hf.generation.parsing import (
    align_entities,
    detokenize,
    entities_from_tags,
    parse_attribute_completion,
)
from clingen_hf.llm.client import Ledger, LLMClient
from clingen_hf.training.metrics import metric_options


@dataclass
class InferenceResult:
    scores: dict[str, float]
    examples: int
    unparsed: int
    ledger: Ledger
    prompt_tokens: int
    completion_tokens: int
    cost_usd: float | None  # None: no price known for the model


def real_seed_splits(task: TaskSpec, real: str, dev_holdout: float | None) -> dict[str, datasets.Dataset]:
    """The real splits in the seed schema (label names), as `infer` takes them."""
    from clingen_hf.data.seeds import as_seed_rows
    from clingen_hf.training.data import load_real

    return {name: as_seed_rows(split, task) for name, split in load_real(real, task, dev_holdout).items()}


def infer_with_k_shot(task: TaskSpec, llm: LLMClient, train: datasets.Dataset, evaluation: datasets.Dataset, k_shot: int,
                      limit: int | None, seed: int) -> InferenceResult:
    """`infer` with k examples per class of `train`, sampled with `seed`, as demonstrations."""
    from clingen_hf.data.seeds import few_shot_split

    return infer(task, llm, few_shot_split(train, task, k_shot, seed)[0], evaluation, limit, seed)


def infer(task: TaskSpec, llm: LLMClient, few_shot: datasets.Dataset, evaluation: datasets.Dataset,
          limit: int | None = None, seed: int = 0) -> InferenceResult:
    """`few_shot` and `evaluation` in the seed schema (label names)."""
    rows = list(evaluation)
    if limit is not None and limit < len(rows):
        rows = random.Random(seed).sample(rows, limit)
    prompts = [prompt_for(task, few_shot, row) for row in rows]
    requests = [([{"role": "user", "content": p}], seed) for p in prompts]
    if llm.settings.batch_api:
        from clingen_hf.llm.batch import BatchCompleter

        BatchCompleter(llm).prefill(requests, " (infer)")
    completions = llm.complete_many(requests)
    predictions = [predict(task, completion.text, row) for completion, row in zip(completions, rows)]
    unparsed = sum(1 for prediction in predictions if prediction is None)
    references = [reference(task, row) for row in rows]
    filled = [p if p is not None else fallback(task, row) for p, row in zip(predictions, rows)]
    metric = load_metric(task.metric)
    scores = flatten_metrics(metric.compute(predictions=filled, references=references, **metric_options(task)))
    prompt, completion = llm.ledger.total_tokens()
    cost = llm.ledger.total_cost() if llm.settings.prices() is not None else None
    return InferenceResult({k: float(v) for k, v in scores.items() if isinstance(v, (int, float))}, len(rows), unparsed,
                           llm.ledger, prompt, completion, cost)


def prompt_for(task: TaskSpec, few_shot: datasets.Dataset, row: dict) -> str:
    if task.head == "token":
        kinds = list(task.class_names)
        demos = [{"sentence": detokenize(r["tokens"]), "entities": _entities_by_kind(r, kinds)} for r in few_shot]
        return render("infer_entities", kinds=kinds, source=task.title, demonstrations=demos,
                      sentence=detokenize(row["tokens"]))
    family = family_for(task)
    demos = [{"input": _input_text(task, r), "label": _label_text(task, r)} for r in few_shot]
    labels = [(label, task.describe(label)) for label in task.labels]
    return render("infer_label", task_name=f"{family.task.title} ({task.family})", labels=labels,
                  multi_label=task.head == "multi", demonstrations=demos, input=_input_text(task, row))


def _entities_by_kind(row: dict, kinds: list[str]) -> dict[str, list[str]]:
    return {kind: entities_from_tags(row["tokens"], [t if t.endswith(f"-{kind}") else "O" for t in row["ner_tags"]])
            for kind in kinds}


def _input_text(task: TaskSpec, row: dict) -> str:
    if task.head == "pair":
        return f"{task.content.capitalize()}: {row['text']}\n{task.second_content.capitalize()}: {row['text_pair']}"
    return f"Text: {row['text']}"


def _label_text(task: TaskSpec, row: dict) -> str:
    if task.head == "multi":
        return "; ".join(row["labels"]) or "None"
    return row["label"]


def predict(task: TaskSpec, completion: str, row: dict):
    """The prediction in the metric's input form, or None when the answer names no label."""
    if task.head == "token":
        kinds = task.class_names
        if len(kinds) > 1:
            parsed = parse_attribute_completion(f"Sentence: {detokenize(row['tokens'])}\n{completion}", kinds)
            return parsed.tags if parsed.reason is None and len(parsed.tags) == len(row["tokens"]) else None
        listed = [e.strip() for e in re.split(r";|\n", completion.split(":", 1)[-1]) if e.strip() and e.strip() != "None"]
        return align_entities(row["tokens"], listed, kinds[0])[0]
    found = _labels_in(task, completion)
    if task.head == "multi":
        return [1 if label in found else 0 for label in task.labels] if found or "none" in completion.lower() else None
    return task.labels.index(found[0]) if found else None


def _labels_in(task: TaskSpec, completion: str) -> list[str]:
    """Label names in the answer, in order of appearance; a longer name wins over one it contains."""
    text = completion.strip().lower()
    spans: list[tuple[int, int, str]] = []
    for label in sorted(task.labels, key=len, reverse=True):
        for match in re.finditer(rf"(?<![\w]){re.escape(label.lower())}(?![\w])", text):
            if not any(start <= match.start() < end for start, end, _ in spans):
                spans.append((match.start(), match.end(), label))
    return [label for _, _, label in sorted(spans)]


def reference(task: TaskSpec, row: dict):
    if task.head == "token":
        return row["ner_tags"]
    if task.head == "multi":
        return [1 if label in row["labels"] else 0 for label in task.labels]
    return task.labels.index(row["label"])


def fallback(task: TaskSpec, row: dict):
    """An answer naming no label scores as predicting nothing: no entity, no label, "no
    relation" for relation tasks, and otherwise a class other than the true one (a miss)."""
    if task.head == "token":
        return ["O"] * len(row["tokens"])
    if task.head == "multi":
        return [0] * len(task.labels)
    negative = task.extra.get("negative_label")
    if negative:
        return task.labels.index(negative)
    return (task.labels.index(row["label"]) + 1) % len(task.labels)
