"""Generation methods as data: what each method puts into its prompts.

The paper's method (ClinGen with KG or LLM topics), its Table 3 ablations and the baselines
(ZeroGen, DemoGen, ProGen) differ only in these fields; the builder reads them and never
tests method names. Adding an ablation is one entry in `METHODS`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class Method:
    name: str
    description: str
    prompt: Literal["clingen", "baseline"]  # the task's template family (TaskSpec.templates)
    topics: Literal["kg", "llm"] | None = None  # where the topic pool comes from; None: no topics
    styles: bool = False  # LLM-suggested writing styles
    demonstrations: bool = True  # the few-shot seeds in the prompt
    rounds: int = 1  # ProGen: generation in rounds, later rounds shown feedback from earlier ones

    @property
    def uses_knowledge(self) -> bool:
        return self.topics is not None or self.styles


METHODS: dict[str, Method] = {method.name: method for method in (
    Method("clingen-kg", "ClinGen with topics sampled from the knowledge graph, plus LLM-suggested styles",
           "clingen", topics="kg", styles=True),
    Method("clingen-llm", "ClinGen with topics listed by the LLM, plus LLM-suggested styles",
           "clingen", topics="llm", styles=True),
    Method("zerogen", "ZeroGen baseline: the plain task prompt, no demonstrations", "baseline", demonstrations=False),
    Method("demogen", "DemoGen baseline: the plain task prompt with the few-shot seeds as demonstrations", "baseline"),
    Method("progen", "ProGen baseline: DemoGen in rounds, later rounds also shown feedback examples chosen from "
           "earlier rounds (clingen_hf/generation/feedback.py)", "baseline", rounds=3),
    Method("clingen-kg-no-styles", "ablation: ClinGen with KG topics, without writing styles", "clingen", topics="kg"),
    Method("clingen-llm-no-styles", "ablation: ClinGen with LLM topics, without writing styles", "clingen",
           topics="llm"),
    Method("clingen-no-topics", "ablation: ClinGen with LLM-suggested styles, without topics", "clingen", styles=True),
)}


class UnknownMethodError(ValueError):
    pass


def get_method(name: str) -> Method:
    try:
        return METHODS[name]
    except KeyError:
        raise UnknownMethodError(f"unknown method {name!r}; choose one of: {', '.join(METHODS)}") from None
