"""Free-text completions: what small models wrap around the text, and the failure reasons."""

import pytest

from clingen_hf.generation.parsing import parse_text_completion
from clingen_hf.generation.parsing.text import MAX_TEXT_TOKENS, TEXT_FAILURE_REASONS


@pytest.mark.parametrize(
    "completion, expected",
    [
        ("Claim: Vitamin C shortens the common cold.", "Vitamin C shortens the common cold."),
        ("Sure! Here is a synthetic claim:\n\n\"Vitamin C shortens the common cold.\"", "Vitamin C shortens the common cold."),
        ("**Health question:** Can I take ibuprofen with lisinopril?\n\nNote: this question is about interactions.",
         "Can I take ibuprofen with lisinopril?"),
        ("```\nText: Remdesivir shortened recovery in hospitalised adults.\n```", "Remdesivir shortened recovery in hospitalised adults."),
        ('{"hypothesis": "The patient has a fever."}', "The patient has a fever."),
        ("Masks reduced household transmission.\nExplanation: this is about prevention.", "Masks reduced household transmission."),
        ("Text: Cohort studies of SARS-CoV-2\nshow seasonal waves of infection.", "Cohort studies of SARS-CoV-2 show seasonal waves of infection."),
    ],
)
def test_text_is_kept_without_its_wrapping(completion, expected):
    parsed = parse_text_completion(completion)
    assert parsed.reason is None and parsed.text == expected


@pytest.mark.parametrize(
    "completion, reason",
    [
        ("", "empty_completion"),
        ("   \n ", "empty_completion"),
        ("Here is the claim:", "no_text"),
        ("I'm sorry, but I cannot generate medical claims.", "refusal"),
        ("Claim: Flu.", "text_too_short"),
        ("Text: " + "word " * (MAX_TEXT_TOKENS + 1), "text_too_long"),
    ],
)
def test_unusable_completions_get_a_reason(completion, reason):
    assert reason in TEXT_FAILURE_REASONS
    assert parse_text_completion(completion).reason == reason


def test_an_echoed_placeholder_is_not_a_text():
    assert parse_text_completion("Claim: <the claim>").reason == "template_echo"
