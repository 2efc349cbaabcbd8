"""LLM self-check: a second pass at temperature 0, through the run's cached client, in which the
LLM confirms or rejects each span it labelled, against the task's annotation guidelines.

A rejected span is unlabelled; a span without a readable verdict is kept as `unchecked`. The
verdicts are stored per span in the row's `span_decisions` (source `self_check`).
"""

from __future__ import annotations

import re

from clingen_hf.core.prompts import render
from clingen_hf.core.tasks import TaskSpec
from clingen_hf.generation.checks.verification import SpanDecision, labelled_spans
from clingen_hf.generation.parsing import detokenize
from clingen_hf.llm.client import LLMClient

TEMPLATE = "self_check"
_VERDICT = re.compile(r"^\W*(?:phrase\s*)?(\d+)\s*[.):-]?\s*(?:\*\*)?\s*\"?([A-Za-z]+)", re.IGNORECASE | re.MULTILINE)
_UNNUMBERED = re.compile(r"^\W*(yes|no)\b", re.IGNORECASE | re.MULTILINE)


def self_check_prompt(task: TaskSpec, sentence: str, spans: list[str]) -> str:
    return render(TEMPLATE, domain=task.domain, guidelines=task.guidelines, sentence=sentence, spans=spans)


def parse_verdicts(text: str, count: int) -> list[bool | None]:
    """Numbered yes/no lines -> a verdict per span (None: no readable verdict for it). Without
    numbers ("yes", "Yes\nno"), lines starting with yes or no are taken in order."""
    verdicts: list[bool | None] = [None] * count
    for number, word in _VERDICT.findall(text):
        index, word = int(number) - 1, word.lower()
        if 0 <= index < count and verdicts[index] is None and word in ("yes", "no"):
            verdicts[index] = word == "yes"
    if any(v is not None for v in verdicts):
        return verdicts
    in_order = [word.lower() == "yes" for word in _UNNUMBERED.findall(text)]
    return in_order[:count] + [None] * (count - len(in_order)) if in_order else verdicts


async def check_spans(tokens: list[str], tags: list[str], task: TaskSpec, llm: LLMClient,
                      sample_seed: int) -> tuple[list[str], list[SpanDecision], object | None]:
    """(new tags, one decision per span, the completion or None when there was nothing to check)."""
    spans = labelled_spans(tags)
    if not spans:
        return list(tags), [], None
    texts = [detokenize(tokens[start:end]) for start, end in spans]
    prompt = self_check_prompt(task, detokenize(tokens), texts)
    completion = await llm.complete([{"role": "user", "content": prompt}], sample_seed)
    verdicts = parse_verdicts(completion.text, len(spans)) if completion.error is None else [None] * len(spans)
    new_tags = list(tags)
    decisions = []
    for (start, end), text, verdict in zip(spans, texts, verdicts):
        action = {True: "confirmed", False: "rejected", None: "unchecked"}[verdict]
        if verdict is False:
            new_tags[start:end] = ["O"] * (end - start)
        decisions.append(SpanDecision(text, start, end, action, source="self_check"))
    return new_tags, decisions, completion
