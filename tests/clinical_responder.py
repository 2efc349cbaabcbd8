"""A scripted 'clinical LLM' for the fake server: answers ClinGen's prompts (styles, topic
lists, NER samples) in the formats real models use, deterministically from the request."""

from __future__ import annotations

import re

STYLE_ANSWERS = [
    "1. **Clinical case reports**: written by physicians\n2. Genetic epidemiologists\n3. Dr. Jane Roe, a pediatric neurologist",
    "- Medical research abstracts\n- Patient-doctor dialogues\n- Textbooks of internal medicine",
    "1. Pharmacovigilance reports\n2. Nursing notes\n3. Hospital discharge summaries",
]
DISEASES = [
    "asthma", "migraine", "type 2 diabetes", "psoriasis", "gout", "epilepsy", "lupus", "anemia",
    "glaucoma", "hepatitis B", "tuberculosis", "cystic fibrosis", "sickle cell disease", "celiac disease",
    "multiple sclerosis", "Parkinson disease", "rheumatoid arthritis", "chronic kidney disease",
]
SENTENCE_FRAMES = [
    "Patients with {e} showed a marked improvement after the second cycle of therapy .",
    "A cohort of {n} adults with {e} was followed for recurrence over {m} months .",
    "The prevalence of {e} was higher among relatives of affected probands in study {n} .",
    "Early diagnosis of {e} reduced hospital admissions by {n} percent in the trial arm {m} .",
]


def clinical_responder(request: dict) -> str:
    prompt = request["messages"][-1]["content"]
    seed = int(request.get("seed") or 0)
    if "potential sources, speakers or authors" in prompt:
        return STYLE_ANSWERS[seed % len(STYLE_ANSWERS)]
    if "Could you list" in prompt:
        start = seed % 5
        return "\n".join(f"{i + 1}. {name} - a common condition" for i, name in enumerate(DISEASES[start:] + DISEASES[:start]))
    topic = re.search(r"the (?:disease|chemical) named (.+?)\.\n", prompt)
    entity = topic.group(1) if topic else DISEASES[seed % len(DISEASES)]
    frame = SENTENCE_FRAMES[seed % len(SENTENCE_FRAMES)]
    sentence = frame.format(e=entity, n=seed % 997, m=seed % 89)
    return f"Sentence: {sentence}\nEntities: {entity}"
