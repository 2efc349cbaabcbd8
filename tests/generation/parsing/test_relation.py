"""Relation completions -> text with the task's entity markers."""

import pytest

from clingen_hf.generation.parsing import parse_relation_completion

GAD = (("disease", "gene"), ("@DISEASE$", "@GENE$"))


def test_listed_entities_are_replaced_by_markers_everywhere():
    completion = ("Sentence: BRCA1 variants raise breast cancer risk; BRCA1 carriers are screened early.\n"
                  "Disease: breast cancer\nGene: BRCA1")
    parsed = parse_relation_completion(completion, *GAD)
    assert parsed.reason is None
    assert parsed.text == "@GENE$ variants raise @DISEASE$ risk; @GENE$ carriers are screened early."
    assert parsed.entities == ["breast cancer", "BRCA1"]


def test_planned_topics_are_the_fallback_and_matching_ignores_case():
    parsed = parse_relation_completion("Polymorphisms in apoe predict Alzheimer Disease onset.", *GAD,
                                       topics=("alzheimer disease", "APOE"))
    assert parsed.text == "Polymorphisms in @GENE$ predict @DISEASE$ onset."


def test_markers_written_by_the_model_are_kept():
    parsed = parse_relation_completion("Sentence: @GENE$ expression was raised in @DISEASE$ tissue.", *GAD)
    assert parsed.reason is None and parsed.text == "@GENE$ expression was raised in @DISEASE$ tissue."


def test_a_word_inside_another_word_is_not_an_entity():
    parsed = parse_relation_completion("Sentence: The TNFRSF1A gene was linked to gout flares.\nDisease: gout\nGene: TNF", *GAD)
    assert parsed.reason == "gene_not_in_text"


@pytest.mark.parametrize(
    "completion, reason",
    [
        ("", "empty_completion"),
        ("Sentence: The association was studied in a large cohort.\nDisease: asthma\nGene: IL13", "disease_not_in_text"),
        ("Sentence: Asthma was studied in a large cohort.\nDisease: asthma\nGene: IL13", "gene_not_in_text"),
    ],
)
def test_missing_entities_are_a_reason(completion, reason):
    assert parse_relation_completion(completion, *GAD).reason == reason


def test_chemprot_markers():
    parsed = parse_relation_completion("Sentence: Tamoxifen blocks the estrogen receptor.\nChemical: tamoxifen\nProtein: estrogen receptor",
                                       ("chemical", "protein"), ("BC6ENTC", "BC6ENTG"))
    assert parsed.text == "BC6ENTC blocks the BC6ENTG."
