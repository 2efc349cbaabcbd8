import pytest

from clingen_hf.generation.checks.gates import duplicate_reasons


def test_exact_near_and_seed_copies():
    texts = [
        "Patients with asthma improved after therapy.",
        "patients with asthma improved after therapy",
        "Patients with asthma improved after therapy in the spring.",
        "Gout flares were frequent in the cohort.",
        "Mutations in the CFTR gene cause cystic fibrosis in children.",
    ]
    seeds = ["Mutations in the CFTR gene cause cystic fibrosis in children"]
    assert duplicate_reasons(texts, seeds, threshold=0.5) == [
        None,
        "exact_duplicate",
        "near_duplicate",
        None,
        "near_copy_of_seed",
    ]


def test_threshold_one_keeps_everything_but_exact_copies():
    texts = ["a b c d e", "a b c d e f", "a b c d e"]
    assert duplicate_reasons(texts, [], threshold=1.01) == [None, None, "exact_duplicate"]


def _brute_force_reasons(texts, seed_texts, threshold):
    """Every pair compared: what the prefix-filtered index must reproduce exactly."""
    import re

    from clingen_hf.generation.checks.gates import shingles

    def jaccard(a, b):
        return len(a & b) / len(a | b)

    seeds = [shingles(t) for t in seed_texts]
    kept, exact, reasons = [], set(), []
    for text in texts:
        key, own = " ".join(re.findall(r"\w+", text.lower())), shingles(text)
        if key in exact:
            reasons.append("exact_duplicate")
        elif any(jaccard(own, s) >= threshold for s in seeds):
            reasons.append("near_copy_of_seed")
        elif any(jaccard(own, k) >= threshold for k in kept):
            reasons.append("near_duplicate")
        else:
            reasons.append(None)
            exact.add(key)
            kept.append(own)
    return reasons


@pytest.mark.parametrize("threshold", [0.3, 0.6, 0.8, 1.0])
def test_prefix_filtering_decides_exactly_as_comparing_every_pair(threshold):
    import random

    rng = random.Random(threshold)
    words = "patients with the disease of asthma gout lupus were treated in a trial and improved".split()
    base = [" ".join(rng.choice(words) for _ in range(rng.randint(3, 12))) for _ in range(60)]
    # near-variants: one word changed, dropped or added, so many pairs sit around every threshold
    texts = [t if rng.random() < 0.5 else t.replace(rng.choice(t.split()), rng.choice(words), 1) for t in base * 3]
    rng.shuffle(texts)
    seeds = texts[:10]
    assert duplicate_reasons(texts[10:], seeds, threshold) == _brute_force_reasons(texts[10:], seeds, threshold)
