"""Sentence similarity (paper Table 5): MQP, medical question pairs. Two-step generation as
for NLI. The official code swapped MQP's label descriptions; these follow the dataset
(McCreery et al. 2020: equivalent = same intent, answerable by the same answer)."""

from __future__ import annotations

from clingen_hf.core.tasks.base import sentence_pair_task

MQP_LABELS = {
    "not_equivalent": "the two questions are about the same topic but ask different things, so one answer does not "
                      "answer both",
    "equivalent": "the two questions ask the same thing in different words, so the same answer answers both",
}

SIMILARITY_TASKS = (
    sentence_pair_task("mqp", "MQP (Medical Question Pairs)", "similarity", "Sentence Similarity Calculation", "claim",
                       "sentence", MQP_LABELS, "accuracy", kg_entity_types=("disease", "drug"),
                       llm_topic_types=("patient question topics",)),
)
