"""Writing styles (paper 4.1.2, App. F.1): the LLM suggests sources, speakers or authors of
sentences like the seeds; the suggestions are cleaned, de-duplicated and pooled."""

from __future__ import annotations

import datetime as dt
import re

from ..llm import LLMClient
from ..prompts import render, template_id
from ..tasks import TaskSpec
from .pools import Pool, add_unique, parse_list_items

# "Dr. Jane Roe, a genetic epidemiologist" -> "a genetic epidemiologist": invented people
# become part of the generated sentences otherwise.
_PERSON_PREFIX = re.compile(r"^(?:(?:Dr|Prof|Mr|Mrs|Ms)\.?\s+)?[A-Z][a-z]+(?:\s+[A-Z]\.)?(?:\s+[A-Z][a-z]+)+,\s+")
_TITLE_ONLY = re.compile(r"^(?:Dr|Prof|Mr|Mrs|Ms)\.?\s+[A-Z]")
_ARTICLE = re.compile(r"^(?:a|an|the)\s+", re.IGNORECASE)


# Small models answer about the prompt itself ("the original training set", "an AI model");
# such "styles" would make the generated sentences talk about datasets.
_META = re.compile(r"training set|data ?set|generated|synthetic|\bai\b|language model|chatgpt|\bgpt", re.IGNORECASE)


def clean_style(item: str) -> str | None:
    item = _PERSON_PREFIX.sub("", item.strip())
    if _TITLE_ONLY.match(item) or _META.search(item):
        return None
    words = _ARTICLE.sub("", item).split()
    # Title Case becomes lower case; acronyms ("NIH") keep theirs
    return " ".join(word if word[1:] != word[1:].lower() else word.lower() for word in words) or None


def style_pool(
    llm: LLMClient, task: TaskSpec, demonstrations: list[str], target: int = 30, max_calls: int = 15, seed: int = 0
) -> Pool:
    prompt = render("style_suggestion", task_name=task.style_task_name, demonstrations=demonstrations)
    messages = [{"role": "user", "content": prompt}]
    items: list[str] = []
    seen: set[str] = set()
    calls = 0
    while calls < max_calls and len(items) < target:
        batch = min(max_calls - calls, 5)
        completions = llm.complete_many([(messages, seed * 1000 + calls + i) for i in range(batch)])
        calls += batch
        for completion in completions:
            suggestions = [clean_style(s) for s in parse_list_items(completion.text, max_words=10)]
            add_unique(items, seen, [s for s in suggestions if s])
    provenance = {
        "source": "llm",
        "model": llm.settings.model,
        "template_id": template_id("style_suggestion"),
        "prompt": prompt,
        "calls": calls,
        "seed": seed,
        "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
    }
    return Pool(kind="styles", items=items, provenance=provenance)
