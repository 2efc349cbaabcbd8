"""Tests for clingen_hf.generation.parsing: tokenization, completion formats, failure reasons, alignment.

All completions are written for these tests (clinical-sounding, no real patient data), in the
shapes a small instruction model actually produces.
"""

from __future__ import annotations

import pytest

from clingen_hf.generation.parsing import (
    MAX_SENTENCE_TOKENS,
    PARSE_FAILURE_REASONS,
    NERParse,
    align_entities,
    detokenize,
    parse_ner_completion,
    tokenize,
)

B, I, O = "B-Disease", "I-Disease", "O"

# ---------------------------------------------------------------------------------------------
# tokenize / detokenize
# ---------------------------------------------------------------------------------------------


def test_tokenize_splits_punctuation_like_ncbi():
    assert tokenize("The tumour-suppressor (APC) gene, BRCA1-linked.") == [
        "The", "tumour", "-", "suppressor", "(", "APC", ")", "gene", ",", "BRCA1", "-", "linked", ".",
    ]  # fmt: skip


def test_tokenize_numbers_and_decimals():
    assert tokenize("0.5 mg/kg of 5-fluorouracil in 3beta cells") == [
        "0", ".", "5", "mg", "/", "kg", "of", "5", "-", "fluorouracil", "in", "3beta", "cells",
    ]  # fmt: skip


def test_tokenize_keeps_non_ascii():
    assert tokenize("10 µg at 37°C for Sjögren’s syndrome, café-au-lait") == [
        "10", "µg", "at", "37", "°", "C", "for", "Sjögren", "’", "s", "syndrome", ",", "café", "-", "au", "-", "lait",
    ]  # fmt: skip


def test_tokenize_keeps_decomposed_accents_in_words():
    decomposed = "me\u0301lanoma"  # e + combining acute accent
    assert tokenize(f"{decomposed} case") == [decomposed, "case"]


def test_tokenize_empty_and_whitespace():
    assert tokenize("") == []
    assert tokenize(" \n\t\u00a0") == []


def test_detokenize_spacing_rules():
    tokens = ["Patients", "(", "n", "=", "12", ")", "had", "fever", ",", "rash", ";", "CRP", ":", "high", "[", "40", "%", "]", "."]
    assert detokenize(tokens) == "Patients (n = 12) had fever, rash; CRP: high [40%]."


def test_detokenize_joins_hyphens_slashes_apostrophes_and_decimals():
    tokens = ["Crohn", "'", "s", "non", "-", "Hodgkin", "and", "/", "or", "0", ".", "5", "mg"]
    assert detokenize(tokens) == "Crohn's non-Hodgkin and/or 0.5 mg"


def test_detokenize_double_quotes():
    tokens = ["termed", '"', "silent", "ischemia", '"', "by", "cardiologists", "."]
    assert detokenize(tokens) == 'termed "silent ischemia" by cardiologists.'


def test_detokenize_empty():
    assert detokenize([]) == ""


@pytest.mark.parametrize(
    "sentence",
    [
        "The 45-year-old patient (BMI 31%) had type 2 diabetes, hypertension and/or chronic kidney disease.",
        "Treatment with 5-fluorouracil and 0.5 mg/kg cisplatin was stopped after grade 3 neutropenia.",
        "Germline BRCA1 mutations predispose carriers to breast and ovarian cancer.",
        "Non-Hodgkin lymphoma was diagnosed in 3 of 40 patients; none had Crohn's disease.",
        "Symptoms [fever, cough] resolved after 10 µg of the vaccine at 37 °C.",
    ],
)
def test_tokenize_detokenize_round_trip(sentence: str):
    assert detokenize(tokenize(sentence)) == sentence


# ---------------------------------------------------------------------------------------------
# Accepted completion formats
# ---------------------------------------------------------------------------------------------


def _ok(text: str, entity_type: str = "Disease") -> NERParse:
    parse = parse_ner_completion(text, entity_type)
    assert parse.reason is None, parse
    assert parse.ok
    assert len(parse.tokens) == len(parse.tags)
    return parse


def test_line_format_semicolons():
    parse = _ok(
        "Sentence: The patient with type 2 diabetes developed diabetic nephropathy.\n"
        "Entities: type 2 diabetes; diabetic nephropathy"
    )
    assert parse.sentence == "The patient with type 2 diabetes developed diabetic nephropathy."
    assert parse.tokens == ["The", "patient", "with", "type", "2", "diabetes", "developed", "diabetic", "nephropathy", "."]
    assert parse.tags == [O, O, O, B, I, I, O, B, I, O]
    assert parse.entities == ["type 2 diabetes", "diabetic nephropathy"]
    assert parse.dropped_entities == []


def test_line_format_commas():
    parse = _ok("Sentence: Cystic fibrosis often leads to recurrent pneumonia.\nEntities: cystic fibrosis, pneumonia")
    assert parse.tags == [B, I, O, O, O, O, B, O]
    assert parse.entities == ["cystic fibrosis", "pneumonia"]


def test_semicolon_preferred_over_commas_inside_names():
    parse = _ok(
        "Sentence: Neoplasms, Adnexal and Skin Appendage were excised with clear margins.\n"
        "Diseases: Neoplasms, Adnexal and Skin Appendage; melanoma"
    )
    assert parse.tags == [B, I, I, I, I, I, O, O, O, O, O, O]
    assert parse.entities == ["Neoplasms, Adnexal and Skin Appendage"]
    assert parse.dropped_entities == ["melanoma"]


def test_markdown_bold_labels_and_quoted_sentence():
    parse = _ok('**Sentence:** "Hereditary hemochromatosis causes iron overload."\n**Entities:** hereditary hemochromatosis')
    assert parse.sentence == "Hereditary hemochromatosis causes iron overload."
    assert parse.tags == [B, I, O, O, O, O]


def test_numbered_labels_and_named_entities_label():
    parse = _ok(
        "1. Sentence: Acute kidney injury developed after septic shock.\n2. Named entities: acute kidney injury; septic shock"
    )
    assert parse.tags == [B, I, I, O, O, B, I, O]


def test_entity_list_as_bullets_with_commentary_after():
    text = (
        "Sentence: Sickle cell anemia and malaria overlap geographically.\n"
        "Entities:\n"
        "- sickle cell anemia\n"
        "- malaria\n"
        "\n"
        "Note: malaria is an infectious disease.\n"
        "Explanation: both are common in the same regions."
    )
    parse = _ok(text)
    assert parse.entities == ["sickle cell anemia", "malaria"]
    assert parse.tags == [B, I, I, O, B, O, O, O]


def test_entity_list_as_star_and_numbered_bullets():
    star = _ok("Sentence: Gout flares followed renal colic.\nEntities:\n* gout\n* renal colic")
    numbered = _ok("Sentence: Gout flares followed renal colic.\nEntities:\n1. gout\n2. renal colic\nNote: none.")
    assert star.tags == numbered.tags == [B, O, O, B, I, O]
    assert numbered.entities == ["gout", "renal colic"]


def test_bullet_explanations_are_cut_off():
    parse = _ok("Sentence: Anemia worsened the angina.\nEntities:\n- anemia: low hemoglobin\n- angina - chest pain")
    assert parse.entities == ["anemia", "angina"]


def test_commentary_line_directly_after_bullets_is_not_an_entity():
    parse = _ok("Sentence: Psoriasis may precede arthritis.\nEntities:\n- psoriasis\n- arthritis\nNote: both are chronic.")
    assert parse.entities == ["psoriasis", "arthritis"]
    assert parse.dropped_entities == []


def test_plain_lines_under_empty_label():
    parse = _ok("Sentence: Migraine and epilepsy share triggers.\nEntities:\nmigraine\nepilepsy\n\nThese are neurological.")
    assert parse.entities == ["migraine", "epilepsy"]


def test_entity_list_glued_to_sentence_line():
    parse = _ok("Sentence: Lupus nephritis caused proteinuria. Entities: lupus nephritis; proteinuria")
    assert parse.sentence == "Lupus nephritis caused proteinuria."
    assert parse.tags == [B, I, O, B, O]


def test_entity_list_glued_after_bold_quoted_sentence():
    parse = _ok('**Sentence:** "Kawasaki disease affects children." **Diseases:** Kawasaki disease')
    assert parse.sentence == "Kawasaki disease affects children."
    assert parse.tags == [B, I, O, O, O]


def test_sentence_on_line_after_label_with_blank_lines():
    parse = _ok('Here is the sentence:\n\n"Endometriosis was confirmed by laparoscopy."\n\nEntities: endometriosis')
    assert parse.sentence == "Endometriosis was confirmed by laparoscopy."
    assert parse.tags == [B, O, O, O, O, O]


def test_unlabeled_sentence_before_entity_label():
    parse = _ok("Sure! Here's one.\nPancreatitis followed the ERCP procedure.\nDisease entities: pancreatitis")
    assert parse.sentence == "Pancreatitis followed the ERCP procedure."
    assert parse.tags == [B, O, O, O, O, O]


def test_entity_label_key_variants():
    for label in ["Entities", "entities", "Disease", "Diseases", "Named entities", "Disease entities", "Entities (Disease)"]:
        parse = _ok(f"Sentence: Rickets reflects vitamin D deficiency.\n{label}: rickets; vitamin D deficiency")
        assert parse.tags == [B, O, B, I, I, O], label


def test_chemical_labels():
    parse = _ok("Sentence: Cisplatin and 5-fluorouracil were given weekly.\nChemicals: cisplatin; 5-fluorouracil", "Chemical")
    assert parse.tokens == ["Cisplatin", "and", "5", "-", "fluorouracil", "were", "given", "weekly", "."]
    assert parse.tags == ["B-Chemical", "O", "B-Chemical", "I-Chemical", "I-Chemical", "O", "O", "O", "O"]


def test_quotes_and_brackets_around_entities_are_stripped():
    parse = _ok('Sentence: Asthma and eczema co-occur in atopic children.\nEntities: ["asthma", "eczema"]')
    assert parse.entities == ["asthma", "eczema"]
    unquoted = _ok("Sentence: Asthma and eczema co-occur in atopic children.\nEntities: [asthma, 'eczema']")
    assert unquoted.entities == ["asthma", "eczema"]
    assert unquoted.tags == [B, O, B, O, O, O, O, O, O, O]


def test_type_annotations_after_entities_are_stripped():
    parse = _ok("Sentence: Rosacea and acne differ.\nEntities: rosacea (Disease); acne [disease]")
    assert parse.entities == ["rosacea", "acne"]


@pytest.mark.parametrize("none_text", ["None", "none.", "N/A", "[]", "none found", "No entities found", '"None"'])
def test_no_entities_markers_give_empty_list(none_text: str):
    parse = _ok(f"Sentence: The follow-up visit was uneventful.\nEntities: {none_text}")
    assert parse.entities == []
    assert parse.dropped_entities == []
    assert parse.tags == [O] * 8


def test_entity_label_before_sentence_label():
    parse = _ok("Entities: bronchiolitis\nSentence: Bronchiolitis peaks in winter.")
    assert parse.tags == [B, O, O, O, O]


def test_entities_in_the_sentence_label_and_json_key():
    lines = _ok("Sentence: Rubella is rare now.\nEntities in the sentence: rubella")
    as_json = _ok('{"sentence": "Rubella is rare now.", "entities_in_sentence": ["rubella"]}')
    assert lines.tags == as_json.tags == [B, O, O, O, O]


def test_json_plain():
    parse = _ok('{"Sentence": "Hypothyroidism can cause fatigue and weight gain.", "Disease": ["hypothyroidism"]}')
    assert parse.tags == [B, O, O, O, O, O, O, O]
    assert parse.entities == ["hypothyroidism"]


def test_json_in_code_fence_with_prose_around():
    text = (
        "Here is the generated example:\n```json\n"
        '{\n  "sentence": "Celiac disease was diagnosed after duodenal biopsy.",\n'
        '  "entities": ["celiac disease"]\n}\n```\n'
        "The entity is a disease of the small intestine."
    )
    parse = _ok(text)
    assert parse.tags == [B, I, O, O, O, O, O, O]


def test_json_list_with_one_object():
    parse = _ok('[{"sentence": "Warfarin raised the INR.", "chemicals": ["warfarin"]}]', "Chemical")
    assert parse.tags == ["B-Chemical", "O", "O", "O", "O"]


def test_python_dict_literal_single_quotes_and_trailing_comma():
    parse = _ok("Output: {'sentence': 'Asthma and COPD were both reported.', 'named entities': ['asthma', 'COPD',]}")
    assert parse.entities == ["asthma", "COPD"]
    assert parse.tags == [B, O, B, O, O, O, O]


def test_json_entities_as_string_null_and_dicts():
    as_string = _ok('{"sentence": "Gastritis and ulcers were found.", "diseases": "gastritis; ulcers"}')
    assert as_string.entities == ["gastritis", "ulcers"]
    as_null = _ok('{"sentence": "The scan was normal today.", "entities": null}')
    assert as_null.entities == [] and as_null.tags == [O] * 6
    as_dicts = _ok('{"sentence": "Gastritis was found.", "entities": [{"text": "gastritis", "type": "Disease"}]}')
    assert as_dicts.entities == ["gastritis"]


def test_json_with_prose_and_two_objects_uses_first():
    text = (
        'First: {"sentence": "Scurvy reappeared in the cohort.", "entities": ["scurvy"]}\n'
        'Second: {"sentence": "Pellagra was rare.", "entities": ["pellagra"]}'
    )
    parse = _ok(text)
    assert parse.sentence == "Scurvy reappeared in the cohort."


def test_truncated_json_falls_back_to_line_parsing():
    text = '{\n  "sentence": "Sarcoidosis involved the lungs.",\n  "entities": ["sarcoidosis"]'
    parse = _ok(text)
    assert parse.tags == [B, O, O, O, O]


# ---------------------------------------------------------------------------------------------
# Failure reasons
# ---------------------------------------------------------------------------------------------


def _failed(text: str, reason: str) -> NERParse:
    parse = parse_ner_completion(text, "Disease")
    assert parse.reason == reason, parse
    assert not parse.ok
    assert parse.tokens == [] and parse.tags == []
    return parse


def test_failure_reasons_are_listed():
    assert set(PARSE_FAILURE_REASONS) == {
        "empty_completion", "no_sentence", "no_entity_list", "sentence_too_short", "sentence_too_long", "template_echo",
    }  # fmt: skip


def test_an_echoed_answer_format_is_not_a_sentence():
    _failed("Sentence: <the sentence>\nEntities: <disease 1>; <disease 2>; ...", "template_echo")


@pytest.mark.parametrize("text", ["", "   \n\t "])
def test_empty_completion(text: str):
    _failed(text, "empty_completion")


@pytest.mark.parametrize(
    "text",
    [
        "I'm sorry, I cannot help with that request.",
        "Entities: asthma; eczema",
        '{"entities": ["asthma"]}',
        'Sentence: ""\nEntities: asthma',
    ],
)
def test_no_sentence(text: str):
    _failed(text, "no_sentence")


_OTITIS = "Chronic otitis media caused conductive hearing loss."


@pytest.mark.parametrize(
    "text",
    [
        f"Sentence: {_OTITIS}",
        f'Sentence: "{_OTITIS}"\n\nThis sentence describes an ear disease.',
        f'{{"sentence": "{_OTITIS}"}}',
    ],
)
def test_no_entity_list(text: str):
    assert _failed(text, "no_entity_list").sentence == _OTITIS


def test_sentence_too_short():
    _failed("Sentence: Asthma.\nEntities: asthma", "sentence_too_short")


def test_sentence_too_long():
    sentence = " ".join(["the patient was stable"] * 70) + "."
    assert len(tokenize(sentence)) > MAX_SENTENCE_TOKENS
    _failed(f"Sentence: {sentence}\nEntities: none", "sentence_too_long")


# ---------------------------------------------------------------------------------------------
# Alignment
# ---------------------------------------------------------------------------------------------


def test_align_multiple_occurrences_case_insensitive():
    tokens = tokenize("Sepsis recurred; the second SEPSIS episode was fatal.")
    tags, found, dropped = align_entities(tokens, ["sepsis"], "Disease")
    assert tags == [B, O, O, O, O, B, O, O, O, O]
    assert (found, dropped) == (["sepsis"], [])


def test_align_overlap_longest_wins():
    tokens = tokenize("Patients with type 2 diabetes and diabetes insipidus were excluded.")
    tags, found, dropped = align_entities(tokens, ["diabetes", "type 2 diabetes", "diabetes insipidus"], "Disease")
    assert tags == [O, O, B, I, I, O, B, I, O, O, O]
    assert found == ["diabetes", "type 2 diabetes", "diabetes insipidus"]
    assert dropped == []


def test_align_overlap_longer_later_match_beats_shorter_earlier_one():
    tokens = tokenize("Small cell lung cancer metastasized.")
    tags, found, _ = align_entities(tokens, ["small cell", "cell lung cancer"], "Disease")
    assert tags == [O, B, I, I, O, O]
    assert found == ["small cell", "cell lung cancer"]


def test_align_overlap_same_length_earliest_wins():
    tokens = tokenize("renal cell carcinoma")  # "renal cell" and "cell carcinoma" overlap
    tags, _, _ = align_entities(tokens + ["spread", "."], ["cell carcinoma", "renal cell"], "Disease")
    assert tags == [B, I, O, O, O]


@pytest.mark.parametrize(
    ("sentence", "entity", "expected"),
    [
        ("A non-Hodgkin lymphoma relapsed.", "non-Hodgkin lymphoma", [O, B, I, I, I, O, O]),
        ("She has type 2 diabetes now.", "type 2 diabetes", [O, O, B, I, I, O, O]),
        ("Adenomatous polyposis coli (APC) tumours grow.", "adenomatous polyposis coli (APC)", [B, I, I, I, I, I, O, O, O]),
    ],
)
def test_align_punctuation_inside_entities(sentence: str, entity: str, expected: list[str]):
    tags, found, _ = align_entities(tokenize(sentence), [entity], "Disease")
    assert tags == expected
    assert found == [entity]


def test_align_chemical_with_hyphen():
    tokens = tokenize("Oral 5-fluorouracil caused mucositis.")
    tags, _, _ = align_entities(tokens, ["5-Fluorouracil"], "Chemical")
    assert tags == ["O", "B-Chemical", "I-Chemical", "I-Chemical", "O", "O", "O"]


def test_align_missing_entities_are_dropped():
    tokens = tokenize("Hepatitis B was treated with tenofovir.")
    tags, found, dropped = align_entities(tokens, ["hepatitis B", "liver cirrhosis", "high blood sugar levels"], "Disease")
    assert tags == [B, I, O, O, O, O, O]
    assert found == ["hepatitis B"]
    assert dropped == ["liver cirrhosis", "high blood sugar levels"]


def test_align_deduplicates_case_insensitively():
    tokens = tokenize("Gout and gout-like arthritis.")
    tags, found, dropped = align_entities(tokens, ["gout", "Gout", "GOUT", "lupus", "Lupus"], "Disease")
    assert tags == [B, O, B, O, O, O, O]
    assert found == ["gout"]
    assert dropped == ["lupus"]


def test_align_drops_whole_sentence_and_overlong_entities():
    sentence = "Severe chronic obstructive pulmonary disease."
    whole = "Severe chronic obstructive pulmonary disease"
    long_entity = "a very long list of words that is certainly not one disease name at all"
    tags, found, dropped = align_entities(tokenize(sentence), [whole, long_entity], "Disease")
    assert tags == [O] * 6
    assert found == []
    assert dropped == [whole, long_entity]


def test_align_drops_punctuation_only_and_ignores_empty_entities():
    tokens = tokenize("Post-viral fatigue persisted.")
    tags, found, dropped = align_entities(tokens, ["", "  ", "-", "fatigue"], "Disease")
    assert tags == [O, O, O, B, O, O]
    assert found == ["fatigue"]
    assert dropped == ["-"]


def test_align_non_ascii_entities():
    tokens = tokenize("Sjögren’s syndrome and Ménière’s disease coexisted.")
    tags, found, _ = align_entities(tokens, ["sjögren’s syndrome", "Ménière’s disease"], "Disease")
    assert tags == [B, I, I, I, O, B, I, I, I, O, O]
    assert found == ["sjögren’s syndrome", "Ménière’s disease"]


def test_parse_reports_dropped_entities():
    parse = _ok("Sentence: High blood sugar levels worsened the neuropathy.\nEntities: high blood sugar; neuropathy; medication")
    assert parse.tags == [B, I, I, O, O, O, B, O]
    assert parse.entities == ["high blood sugar", "neuropathy"]
    assert parse.dropped_entities == ["medication"]


# ---------------------------------------------------------------------------------------------
# iob2_spans: the spans seqeval scores
# ---------------------------------------------------------------------------------------------


def test_iob2_spans_reads_every_tag_sequence_as_seqeval_does():
    import random

    from seqeval.metrics.sequence_labeling import get_entities

    from clingen_hf.generation.parsing.ner import iob2_spans

    tags = ["O", "B-Disease", "I-Disease", "B-Chemical", "I-Chemical", "I-Gene-Or-Protein"]
    rng = random.Random(0)
    for _ in range(5000):
        sequence = [rng.choice(tags) for _ in range(rng.randint(0, 10))]
        assert iob2_spans(sequence) == [(kind, start, end + 1) for kind, start, end in get_entities(list(sequence))]
    assert iob2_spans([O, I, I, O, B, B, I]) == [("Disease", 1, 3), ("Disease", 4, 5), ("Disease", 5, 7)]
