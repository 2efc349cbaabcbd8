"""Attribute completions (CASI): one list per type, aligned to IOB2 over all six types."""

from clingen_hf.core.tasks.attributes import ATTRIBUTES
from clingen_hf.generation.parsing import parse_attribute_completion


def test_every_attribute_type_is_tagged():
    completion = ("Sentence: Take aspirin 81 mg by mouth daily for chest pain for 3 months.\n"
                  "Medication: aspirin\nDosage: 81 mg\nRoute: by mouth\nFrequency: daily\nReason: chest pain\nDuration: 3 months")
    parsed = parse_attribute_completion(completion, ATTRIBUTES)
    assert parsed.reason is None
    tagged = {tag[2:] for tag in parsed.tags if tag != "O"}
    assert tagged == set(ATTRIBUTES)
    assert parsed.tags[parsed.tokens.index("81")] == "B-Dosage" and parsed.tags[parsed.tokens.index("mg")] == "I-Dosage"


def test_none_lists_and_absent_attributes():
    completion = "Sentence: Continue metformin twice daily.\nMedication: metformin\nDosage: None\nFrequency: twice daily\nDuration: 2 weeks"
    parsed = parse_attribute_completion(completion, ATTRIBUTES)
    assert parsed.entities == ["Medication: metformin", "Frequency: twice daily"]
    assert parsed.dropped_entities == ["Duration: 2 weeks"]


def test_overlapping_spans_keep_the_earlier_type():
    completion = "Sentence: Give insulin glargine nightly.\nMedication: insulin glargine\nDosage: glargine\nFrequency: nightly"
    parsed = parse_attribute_completion(completion, ATTRIBUTES)
    assert parsed.tags == ["O", "B-Medication", "I-Medication", "B-Frequency", "O"]


def test_no_sentence_is_a_reason():
    assert parse_attribute_completion("Medication: aspirin", ATTRIBUTES).reason == "no_sentence"


def test_an_echoed_answer_format_is_not_a_sentence():
    completion = "Sentence: <the sentence>\nMedication: <medication 1>; <medication 2>\nDosage: None"
    assert parse_attribute_completion(completion, ATTRIBUTES).reason == "template_echo"
