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
