import jinja2
import pytest

from clingen_hf.core.prompts import render, template_id


def test_clingen_ner_prompt_is_the_papers_listing_2_with_the_samples_own_part_last():
    demos = [{"sentence": "Gout flares .", "entities": ["Gout"]}]
    prompt = render("ner_clingen", domain="disease", topic="gout", style="clinical case reports", demonstrations=demos)
    assert prompt.startswith(
        "Suppose you need to create a dataset for disease recognition. Your task is to:\n"
        "1. generate a sentence about disease,\n"
        "2. output a list of named entity about disease only,\n"
    )
    assert "Entities: <disease 1>; <disease 2>" in prompt
    assert prompt.endswith("\n\nThe sentence should mimic the style of clinical case reports and mention the disease named gout.")
    other = render("ner_clingen", domain="disease", topic="asthma", style="nursing notes", demonstrations=demos)
    shared = next(i for i, (a, b) in enumerate(zip(prompt, other)) if a != b)
    assert prompt[:shared].endswith("The sentence should mimic the style of ")  # everything before is shared


def test_baseline_prompt_with_and_without_demonstrations():
    zerogen = render("ner_baseline", domain="chemical", demonstrations=[])
    assert zerogen.startswith("Suppose you need to create a dataset for chemical recognition. Your task is to generate")
    assert "Here are some examples" not in zerogen
    demogen = render("ner_baseline", domain="chemical", demonstrations=[{"sentence": "Aspirin helps.", "entities": ["Aspirin"]}])
    assert "Sentence: Aspirin helps.\nEntities: Aspirin" in demogen


def test_ablation_without_style_renumbers():
    prompt = render("ner_clingen", domain="disease", topic="gout", style=None, demonstrations=[])
    assert prompt.endswith("The sentence should mention the disease named gout.") and "mimic" not in prompt


def test_missing_slot_is_an_error_and_ids_are_stable():
    with pytest.raises(jinja2.UndefinedError):
        render("ner_clingen", domain="disease")
    assert template_id("ner_clingen") == template_id("ner_clingen")
    assert template_id("ner_clingen") != template_id("ner_baseline")
