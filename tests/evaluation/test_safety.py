"""PHI-like strings and near-copies, on positive and negative examples written for the test."""

import numpy as np
import pytest

from clingen_hf.evaluation.safety import (
    NearCopyDetector,
    count_flags,
    phi_findings,
    safety_flags,
)


@pytest.mark.parametrize(
    "text, kind",
    [
        ("Dr. Alvarez reviewed the chest film with the family.", "person_name"),
        ("Mrs. Jane Porter was admitted with pneumonia.", "person_name"),
        ("A patient named Tom Becker reported chest pain.", "person_name"),
        ("Contact the clinic at followup@clinic-example.org for results.", "email"),
        ("Call (555) 123-4567 to reschedule the infusion.", "phone"),
        ("Her callback number is 555-867-5309.", "phone"),
        ("Seen on 03/14/2021 for a routine visit.", "date"),
        ("Discharged on March 3, 2021 after five days.", "date"),
        ("Admitted 2020-11-02 with sepsis.", "date"),
        ("MRN: 00482913 was linked to the wrong chart.", "record_number"),
        ("Record number 5521907 shows prior surgery.", "record_number"),
        ("SSN 123-45-6789 appears in the referral.", "record_number"),
    ],
)
def test_phi_like_strings_are_found(text, kind):
    assert kind in phi_findings(text)


@pytest.mark.parametrize(
    "text",
    [
        "A 45-year-old man with type 2 diabetes was given metformin 500 mg twice daily for 3 months.",
        "Mutations in BRCA1 raise the risk of breast cancer.",
        "Crohn's disease and Parkinson disease were more common in the 2019 cohort.",
        "The trial enrolled 1,204 patients across 12 sites between 2015 and 2018.",
        "Blood pressure was 120/80 mmHg and heart rate 72 beats per minute.",
        "Doctors recommend vaccination before the flu season.",
    ],
)
def test_clinical_text_without_phi_is_not_flagged(text):
    assert phi_findings(text) == []


def _embed(texts):
    vectors = np.array([[len(t) % 7 + 1.0, t.count("a") + 1.0] for t in texts])
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def test_near_copies_by_ngrams_and_by_embedding():
    reference = ["patients with asthma improved after inhaled steroids in the spring"]
    detector = NearCopyDetector(reference, ngram_threshold=0.5, embedding_threshold=0.999999, embed=_embed)
    texts = ["patients with asthma improved after inhaled steroids in the summer",  # 7 of 9 trigrams shared
             "gout flares were rare"]
    (ngram_copy, _), (ngram_other, _) = detector.scores(texts)
    assert ngram_copy >= 0.5 > ngram_other
    assert detector.flags(texts)[0] is True
    exact_vector = NearCopyDetector(["x" * 7], ngram_threshold=1.1, embedding_threshold=0.999, embed=_embed)
    assert exact_vector.flags(["y" * 14]) == [True]  # same embedding, no shared words


def test_flags_are_named_and_counted():
    detectors = {"in_test_split": NearCopyDetector(["the test sentence about lupus nephritis outcomes"], ngram_threshold=0.8)}
    flags = safety_flags(["the test sentence about lupus nephritis outcomes", "Dr. Smith saw gout on 01/02/2020.", "clean text"],
                         detectors)
    assert flags == [["in_test_split"], ["phi:person_name", "phi:date"], []]
    assert count_flags(flags) == {"rows_flagged": 2, "in_test_split": 1, "phi:date": 1, "phi:person_name": 1}
