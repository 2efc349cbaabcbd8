"""Recipes: the prompt and label-check settings a generation uses unless told otherwise.

`clingen` is the measured default (docs/benchmarks.md, "Which label checks are the
default"): KG-weighted topics, styles as kinds of text, the task's annotation guidelines in the
prompt, and for NER tasks KG verification of labelled spans plus KG mentions the LLM left
unlabelled. `paper` is ClinGen as published (arXiv 2311.00287): uniform topics, the paper's
style prompt, no guidelines, no span checks. Baselines (ZeroGen, DemoGen, ProGen) always use
the paper's prompts and no checks unless a setting is given explicitly, so a comparison
against them is a comparison against the published baselines.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from clingen_hf.core.methods import Method
from clingen_hf.core.tasks import TaskSpec

RECIPES = ("clingen", "paper")


@dataclass(frozen=True)
class LabelChecks:
    """What keeps generated labels close to the task's annotation guidelines (NER tasks:
    the span checks; every task: the guidelines in the prompt)."""

    guidelines: bool = True  # the task's annotation guidelines in the prompt
    verify_spans: str = "remove"  # off | flag | remove: link labelled spans to the KG
    link_fuzzy: float | None = None  # also link a span to the most similar KG name of similarity >= this
    add_kg_mentions: bool = True  # also label unlabelled mentions of KG entities
    self_check: bool = False  # a temperature-0 LLM pass confirms or rejects each labelled span

    @classmethod
    def paper(cls) -> LabelChecks:
        return cls(guidelines=False, verify_spans="off", add_kg_mentions=False)

    def without_span_checks(self) -> LabelChecks:
        return replace(self, verify_spans="off", link_fuzzy=None, add_kg_mentions=False, self_check=False)

    @property
    def span_checks(self) -> list[str]:
        """The span checks that are on, by their CLI flags."""
        used = (("--verify-spans", self.verify_spans != "off"), ("--link-fuzzy", self.link_fuzzy is not None),
                ("--add-kg-mentions", self.add_kg_mentions), ("--self-check", self.self_check))
        return [flag for flag, on in used if on]


@dataclass(frozen=True)
class Recipe:
    checks: LabelChecks
    topic_weighting: str  # kg | uniform: how KG topics are sampled
    style_prompt: str  # kinds | paper: which style prompt


def recipe_for(name: str, task: TaskSpec, method: Method) -> Recipe:
    """The recipe's settings for one task and method: span checks only where there are spans,
    and the paper's prompts for the baselines."""
    if name not in RECIPES:
        raise ValueError(f"unknown recipe {name!r}; choose one of: {', '.join(RECIPES)}")
    if name == "paper" or method.prompt == "baseline":
        return Recipe(LabelChecks.paper(), topic_weighting="uniform", style_prompt="paper")
    checks = LabelChecks() if task.family == "ner" else LabelChecks().without_span_checks()
    return Recipe(checks, topic_weighting="kg", style_prompt="kinds")
