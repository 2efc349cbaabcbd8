"""ProGen's feedback selection rule, with a hand-made embedding so the scores are known."""

import numpy as np

from clingen_hf.generation.feedback import select_feedback

VECTORS = {  # 2-d unit vectors: the seeds of class A point along x, of class B along y
    "seed a1": (1.0, 0.0), "seed a2": (1.0, 0.0), "seed b1": (0.0, 1.0),
    "close to a": (0.99, 0.14), "also close to a": (0.99, 0.141), "far from a": (0.6, 0.8),
    "close to b": (0.2, 0.98), "between": (0.707, 0.707),
}


def embed(texts):
    vectors = np.array([VECTORS[text] for text in texts], dtype=float)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def candidate(text, label, sample_seed):
    return {"text": text, "labels": [label], "sample_seed": sample_seed}


SEEDS = [{"text": "seed a1", "labels": ["A"]}, {"text": "seed a2", "labels": ["A"]}, {"text": "seed b1", "labels": ["B"]}]


def test_the_candidates_closest_to_their_class_seeds_are_chosen_per_class():
    candidates = [candidate("far from a", "A", 1), candidate("close to a", "A", 2), candidate("between", "B", 3),
                  candidate("close to b", "B", 4)]
    chosen = select_feedback(candidates, SEEDS, per_class=1, embed=embed)
    assert [c["text"] for c in chosen] == ["close to a", "close to b"]


def test_near_duplicates_are_skipped_and_ties_go_to_the_smaller_sample_seed():
    candidates = [candidate("also close to a", "A", 9), candidate("close to a", "A", 5), candidate("far from a", "A", 1)]
    chosen = select_feedback(candidates, SEEDS, per_class=2, embed=embed)
    assert [c["text"] for c in chosen] == ["close to a", "far from a"]  # the near-copy of the best is skipped


def test_the_rule_is_deterministic_and_ignores_candidate_order():
    candidates = [candidate(t, "A", i) for i, t in enumerate(["far from a", "between", "close to a"])]
    first = select_feedback(candidates, SEEDS, per_class=2, embed=embed)
    second = select_feedback(list(reversed(candidates)), SEEDS, per_class=2, embed=embed)
    assert first == second


def test_classes_without_candidates_give_nothing():
    assert select_feedback([candidate("close to a", "A", 0)], SEEDS, per_class=3, embed=embed) == [candidate("close to a", "A", 0)]
    assert select_feedback([], SEEDS, per_class=3, embed=embed) == []
