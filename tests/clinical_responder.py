"""A scripted 'clinical LLM' for the fake server: answers ClinGen's prompts (styles, topic
lists and pairs, samples of every task family) in the formats real models use,
deterministically from the request. Some sample seeds get a malformed answer (see
`MALFORMED_EVERY`), so every family's parser sees failures to count."""

from __future__ import annotations

import re

STYLE_ANSWERS = [
    "1. **Clinical case reports**: written by physicians\n2. Genetic epidemiologists\n3. Dr. Jane Roe, a pediatric neurologist",
    "- Medical research abstracts\n- Patient-doctor dialogues\n- Textbooks of internal medicine",
    "1. Pharmacovigilance reports\n2. Nursing notes\n3. Hospital discharge summaries",
]
# answers to the `kinds` style prompt; the third line of the first one must be rejected (an institution)
KIND_ANSWERS = [
    "1. A PubMed abstract by a geneticist\n2. An emergency-department triage note by a nurse\n3. The Dutch Genetic Association",
    "- Discharge summary written by a resident\n- Patient forum post\n- Case report by a pediatric neurologist",
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


GENES = ["BRCA1", "TP53", "APOE", "CFTR", "IL6", "TNF", "EGFR", "MTHFR"]
DRUGS = ["aspirin", "metformin", "cisplatin", "warfarin", "lisinopril", "ibuprofen"]
MALFORMED_EVERY = 7  # sample seeds with seed % 7 == 6 get a malformed answer for the families below


def clinical_responder(request: dict) -> str:
    prompt = request["messages"][-1]["content"]
    seed = int(request.get("seed") or 0)
    if "potential sources, speakers or authors" in prompt:
        return STYLE_ANSWERS[seed % len(STYLE_ANSWERS)]
    if "kinds of text" in prompt:
        return KIND_ANSWERS[seed % len(KIND_ANSWERS)]
    if "phrases labelled as" in prompt:
        return _self_check_answer(prompt)
    if "Could you list" in prompt and "pairs" in prompt:
        return "\n".join(f"{DISEASES[i]}; {GENES[(i + seed) % len(GENES)]}" for i in range(len(DISEASES)))
    family_answer = _family_answer(prompt, seed)
    if family_answer is not None:
        return family_answer
    if "Could you list" in prompt:
        start = seed % 5
        return "\n".join(f"{i + 1}. {name} - a common condition" for i, name in enumerate(DISEASES[start:] + DISEASES[:start]))
    topic = re.search(r"the (?:disease|chemical) named (.+?)\.(?:\n|$)", prompt)
    entity = topic.group(1) if topic else DISEASES[seed % len(DISEASES)]
    frame = SENTENCE_FRAMES[seed % len(SENTENCE_FRAMES)]
    sentence = frame.format(e=entity, n=seed % 997, m=seed % 89)
    return f"Sentence: {sentence}\nEntities: {entity}"


NOT_DISEASES = {"hypertension", "fever", "pain", "patients"}  # what the fake self-check rejects


def _self_check_answer(prompt: str) -> str:
    phrases = re.findall(r"^(\d+)\. (.+)$", prompt.split("Phrases:", 1)[1].split("Answer with", 1)[0], re.MULTILINE)
    return "\n".join(f"{number}. {'no' if phrase.lower() in NOT_DISEASES else 'yes'}" for number, phrase in phrases)


def _inference_answer(prompt: str) -> str | None:
    """Direct inference: the first known disease of the sentence; for labels, the first label
    listed, or no label at all when the input mentions 'unclear'."""
    if "Your task is to find every" in prompt:
        sentence = prompt.rsplit("Sentence:", 1)[1].lower()
        found = [d for d in DISEASES if d.lower() in sentence]
        return f"Disease: {found[0]}" if found else "Disease: None"
    if prompt.rstrip().endswith("Label:"):
        if "unclear" in prompt.rsplit("Label:", 2)[-2]:
            return "I am not sure."
        return re.search(r"^- (.+?):", prompt, re.MULTILINE).group(1)
    return None


def _family_answer(prompt: str, seed: int) -> str | None:
    inference = _inference_answer(prompt)
    if inference is not None:
        return inference
    malformed = seed % MALFORMED_EVERY == MALFORMED_EVERY - 1
    if "Suppose you are a writer for" in prompt:
        label = re.search(r"about (.+?)\.\n", prompt).group(1)
        return "I'm sorry, I cannot write that." if malformed else (
            f"Text: A study of {seed % 500} patients examined {label.lower()} in detail and reported new findings."
        )
    if "biomedical" in prompt and "relation between" in prompt:
        return _relation_answer(prompt, seed, malformed)
    if "create a set of" in prompt:
        content = re.search(r"create a set of (.+?)\.", prompt).group(1)
        topic = re.search(r"relevant to (.+?),\n", prompt)
        subject = topic.group(1) if topic else DISEASES[seed % len(DISEASES)]
        return f"{content.capitalize()}: Does {subject} get worse in patient group {seed % 97} after treatment?"
    if "create a pair of sentences" in prompt:
        label = re.search(r"with the label '(.+?)'", prompt).group(1)
        return "" if malformed else f"Sure, here it is:\nAnswer: A statement about case {seed % 89} that is {label}."
    if "clinical attributes recognition" in prompt:
        drug = DRUGS[seed % len(DRUGS)]
        if malformed:
            return f"Medication: {drug}"
        return (f"Sentence: Start {drug} 20 mg by mouth twice daily for {DISEASES[seed % len(DISEASES)]} for {seed % 9 + 2} days.\n"
                f"Medication: {drug}\nDosage: 20 mg\nRoute: by mouth\nFrequency: twice daily\n"
                f"Reason: {DISEASES[seed % len(DISEASES)]}\nDuration: {seed % 9 + 2} days")
    return None


def _relation_answer(prompt: str, seed: int, malformed: bool) -> str:
    words = re.search(r"relation between (\w+) and (\w+)", prompt).groups()
    topics = re.search(rf"the {words[0]}: (.+?) and {words[1]}: (.+?) with the relation", prompt)
    first, second = topics.groups() if topics else (DISEASES[seed % len(DISEASES)], GENES[seed % len(GENES)])
    if malformed:
        return f"Sentence: The association was studied in cohort {seed % 91}.\n{words[0].capitalize()}: {first}"
    return (f"Sentence: In cohort {seed % 91} , {second} was examined together with {first} in adults .\n"
            f"{words[0].capitalize()}: {first}\n{words[1].capitalize()}: {second}")
