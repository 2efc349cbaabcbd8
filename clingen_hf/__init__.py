"""clingen_hf: knowledge-infused synthetic clinical training data (ClinGen) on the Hugging Face stack.

    from clingen_hf import GenerationConfig, LLMSettings, LabelChecks, generate, train, evaluate_synthetic

The names load on first use, so `import clingen_hf` (and the CLI's start-up) stays light.
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

_API = {
    "GenerationConfig": "clingen_hf.generation.api",
    "GenerationResult": "clingen_hf.generation.api",
    "GenerationConfigError": "clingen_hf.generation.api",
    "generate": "clingen_hf.generation.api",
    "LabelChecks": "clingen_hf.generation.recipe",
    "LLMSettings": "clingen_hf.llm.client",
    "TrainConfig": "clingen_hf.training.config",
    "train": "clingen_hf.training.api",
    "evaluate_synthetic": "clingen_hf.evaluation.api",
    "METHODS": "clingen_hf.core.methods",
    "TASKS": "clingen_hf.core.tasks",
}
__all__ = ["__version__", *_API]


def __getattr__(name: str):
    if name in _API:
        return getattr(importlib.import_module(_API[name]), name)
    raise AttributeError(f"module 'clingen_hf' has no attribute {name!r}")
