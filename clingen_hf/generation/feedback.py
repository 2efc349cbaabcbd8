"""ProGen's in-context feedback (Ye et al. 2022b), as this project implements it.

Generation runs in rounds; from the second round on, each prompt's demonstrations are the
few-shot seeds plus feedback examples: rows generated in earlier rounds, chosen by this rule:

1. candidates are the earlier rows that parsed into a usable example (no drop reason),
   grouped by the class they were generated for;
2. each candidate is scored by the cosine similarity of its text embedding to the mean
   embedding of the real few-shot seeds of that class (the sentence encoder of `quality.py`,
   all-MiniLM-L6-v2 by default): the closer to the real data, the better the feedback;
3. per class, the `per_class` best-scoring candidates are taken, skipping a candidate whose
   text is a near-duplicate (embedding cosine >= 0.95) of one already taken; ties go to the
   smaller sample seed.

Everything is deterministic given the rows and the encoder, so a rerun picks the same examples
(and the same prompts, so the LLM cache answers them).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

NEAR_DUPLICATE_COSINE = 0.95

Embed = Callable[[list[str]], np.ndarray]  # texts -> L2-normalised rows


def select_feedback(candidates: list[dict], seeds: list[dict], per_class: int, embed: Embed) -> list[dict]:
    """`candidates` and `seeds` are dicts with `text`, `labels` (class names) and, for
    candidates, `sample_seed`; returns the chosen candidates, class by class."""
    chosen: list[dict] = []
    for label in dict.fromkeys(label for seed in seeds for label in seed["labels"]):
        pool = [c for c in candidates if label in c["labels"]]
        class_seeds = [s["text"] for s in seeds if label in s["labels"]]
        if not pool or not class_seeds:
            continue
        centroid = embed(class_seeds).mean(axis=0)
        vectors = embed([c["text"] for c in pool])
        scores = vectors @ centroid
        order = sorted(range(len(pool)), key=lambda i: (-round(float(scores[i]), 6), pool[i]["sample_seed"]))
        taken: list[int] = []
        for index in order:
            if len(taken) == per_class:
                break
            if all(float(vectors[index] @ vectors[other]) < NEAR_DUPLICATE_COSINE for other in taken):
                taken.append(index)
        chosen.extend(pool[i] for i in taken if pool[i] not in chosen)
    return chosen
