"""How a generation step's LLM calls are sent when not one by one from this process:
`--batch-api` (one OpenAI Batch API job, clingen_hf/llm/batch.py) or `--engine ray` (blocks on Ray
workers, clingen_hf/llm/ray_engine.py). Either answers the step's requests into the completion
cache first; the step's completion map then reads them there and makes no call again for a
request they could not answer."""

from __future__ import annotations

import datasets

from clingen_hf.llm.client import LLMClient, LLMSettings


def needs_prefill(settings: LLMSettings) -> bool:
    return settings.batch_api or settings.engine == "ray"


def prefill(llm: LLMClient, rendered: datasets.Dataset, label: str) -> dict:
    """Answer the rendered rows' prompts into the cache; what happened, for the report."""
    settings = llm.settings
    if settings.batch_api:
        from clingen_hf.llm.batch import BatchCompleter

        engine, completer = "batch-api", BatchCompleter(llm)
    else:
        from clingen_hf.llm.ray_engine import RayCompleter

        engine, completer = "ray", RayCompleter(llm, address=settings.ray_address,
                                                endpoints=list(settings.ray_endpoints) or None)
    columns = zip(rendered["prompt"], rendered["sample_seed"], rendered["drop_reason"])
    requests = [([{"role": "user", "content": prompt}], seed) for prompt, seed, reason in columns if reason is None]
    return {"engine": engine, "step": label.strip(" ()") or "main", **completer.prefill(requests, label)}
