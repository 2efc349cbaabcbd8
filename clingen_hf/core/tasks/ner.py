"""Named entity recognition datasets (paper Table 5): one entity type each, IOB2 tags.

The annotation guidelines summarise each corpus's own guidelines (NCBI-Disease: Doğan et al.
2014; BC5CDR: Li et al. 2016; CHEMDNER: Krallinger et al. 2015) in a few lines the LLM can
follow: they decide whether a generated label matches what the model will be evaluated on.
"""

from __future__ import annotations

from clingen_hf.core.tasks.base import TaskSpec

DISEASE_GUIDELINES = """\
- Label specific diseases ("Duchenne muscular dystrophy", "breast cancer"), disease classes ("cancers", \
"autosomal recessive disorders") and their abbreviations ("DMD") as diseases.
- Label the whole disease name with its modifiers ("hereditary nonpolyposis colorectal cancer"), and a disease \
name used as a modifier ("the ataxia-telangiectasia gene" -> "ataxia-telangiectasia").
- Do not label symptoms or signs ("fever", "pain", "cough"), measurements or test results ("high blood \
pressure readings"), drugs or treatments, genes or proteins ("BRCA1"), organisms, body parts, or people \
("patients", "carriers").
- Do not label general words on their own ("disease", "disorder", "syndrome", "condition") or severity words \
("severe", "chronic") outside a disease name.
"""

CHEMICAL_GUIDELINES = """\
- Label chemicals and drugs by their names: generic names ("cisplatin"), brand names ("Tylenol"), IUPAC or \
systematic names, formulas ("NaCl") and abbreviations ("5-FU").
- Label drug classes only when named by their chemistry ("corticosteroids", "benzodiazepines").
- Do not label general words ("drug", "medication", "compound", "treatment", "therapy"), doses or units \
("10 mg"), proteins, genes, enzymes, diseases or body parts.
"""


def _ner_task(name: str, title: str, entity_type: str, kg_types: tuple[str, ...], guidelines: str) -> TaskSpec:
    domain = entity_type.lower()
    return TaskSpec(
        name=name,
        family="ner",
        title=title,
        domain=domain,
        entity_type=entity_type,
        labels=("O", f"B-{entity_type}", f"I-{entity_type}"),
        kg_entity_types=kg_types,
        llm_topic_types=(f"{domain}s",),
        templates={"clingen": "ner_clingen", "baseline": "ner_baseline"},
        metric="seqeval_f1",
        style_task_name=f"{domain} entity recognition",
        guidelines=guidelines,
    )


NER_TASKS = (
    _ner_task("ncbi-disease", "NCBI-Disease", "Disease", ("disease",), DISEASE_GUIDELINES),
    _ner_task("bc5cdr-disease", "BC5CDR-Disease", "Disease", ("disease",), DISEASE_GUIDELINES),
    _ner_task("bc5cdr-chemical", "BC5CDR-Chemical", "Chemical", ("drug",), CHEMICAL_GUIDELINES),
    _ner_task("chemdner", "CHEMDNER", "Chemical", ("drug",), CHEMICAL_GUIDELINES),
)
