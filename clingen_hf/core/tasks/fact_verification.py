"""Fact verification (paper Table 5): PUBHEALTH and HealthVer. The first sentence is a piece of
health news (the claim), the second the evidence for the label (Listings 6-7 / 12-13)."""

from __future__ import annotations

from clingen_hf.core.tasks.base import sentence_pair_task

VERDICTS = {
    "Refute": "the evidence shows that the claim is false",
    "Unproven": "the evidence neither supports nor refutes the claim: there is not enough information to judge it",
    "Support": "the evidence shows that the claim is true",
}
PUBHEALTH_VERDICTS = {
    **VERDICTS,
    "Mixture": "the evidence shows that parts of the claim are true and other parts are false",
}

FACT_VERIFICATION_TASKS = (
    sentence_pair_task("pubhealth", "PUBHEALTH", "fact-verification", "Fact Verification", "health news", "evidence",
                       PUBHEALTH_VERDICTS, "macro_f1", kg_entity_types=("disease", "drug"),
                       llm_topic_types=("public health news topics",)),
    sentence_pair_task("healthver", "HealthVer", "fact-verification", "Fact Verification", "health news", "evidence",
                       VERDICTS, "macro_f1", kg_entity_types=("disease", "drug"),
                       llm_topic_types=("COVID-19 health claims topics",)),
)
