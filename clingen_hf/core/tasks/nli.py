"""Natural language inference (paper Table 5): MEDIQA-RQE, MEDIQA-NLI, MedNLI. Two-step
generation: Listing 6 / 12 writes the first sentence, Listing 7 / 13 the second."""

from __future__ import annotations

from clingen_hf.core.tasks.base import sentence_pair_task

NLI_LABELS = {
    "entail": "the hypothesis must be true whenever the claim is true",
    "neutral": "the hypothesis may or may not be true given the claim: the claim neither confirms nor contradicts it",
    "contradict": "the hypothesis cannot be true if the claim is true",
}
RQE_LABELS = {
    "Not_entail": "answering the second question does not answer the first one: it asks about something else",
    "Entail": "every answer to the second question also answers the first one, at least partially; the second "
              "question is a shorter or more general form of the first",
}

NLI_TASKS = (
    sentence_pair_task("mediqa-rqe", "MEDIQA-RQE", "nli", "Question Entailment", "health question", "health question",
                       RQE_LABELS, "accuracy", kg_entity_types=("disease", "drug"),
                       llm_topic_types=("consumer health question topics",)),
    sentence_pair_task("mediqa-nli", "MEDIQA-NLI", "nli", "Natural Language Entailment", "claim", "hypothesis",
                       NLI_LABELS, "accuracy", kg_entity_types=("disease", "drug", "symptom"),
                       llm_topic_types=("clinical findings",)),
    sentence_pair_task("mednli", "MedNLI", "nli", "Natural Language Entailment", "claim", "hypothesis",
                       NLI_LABELS, "accuracy", kg_entity_types=("disease", "drug", "symptom"),
                       llm_topic_types=("clinical findings",)),
)
