"""How generated or real entity mentions are distributed (paper Fig. 7): the generation report
and the quality numbers share these."""

from __future__ import annotations

from collections import Counter

import numpy as np


def entity_frequencies(entity_lists: list[list[str]]) -> list[tuple[str, float]]:
    """(entity, share of all mentions), most frequent first, case-insensitive (paper Fig. 7)."""
    mentions = Counter(entity.lower() for entities in entity_lists for entity in entities)
    total = sum(mentions.values())
    return [(entity, count / total) for entity, count in sorted(mentions.items(), key=lambda item: (-item[1], item[0]))]


def frequency_summary(frequencies: list[tuple[str, float]]) -> dict:
    """How concentrated the entity distribution is: the share of mentions taken by the 10 most
    frequent entities, and the normalised entropy (1 = every entity equally frequent)."""
    shares = np.array([share for _, share in frequencies])
    entropy = float(-(shares * np.log(shares)).sum() / np.log(len(shares))) if len(shares) > 1 else 0.0
    return {"top10_share": float(shares[:10].sum()) if len(shares) else 0.0, "normalised_entropy": entropy}
