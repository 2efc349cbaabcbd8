"""Medication attribute extraction (paper Table 5): CASI, six attribute types as IOB2 tags over
one sentence. Prompts: Listing 3 (ClinGen) and Listing 9 (baselines)."""

from __future__ import annotations

from clingen_hf.core.tasks.base import TaskSpec

ATTRIBUTES = ("Medication", "Dosage", "Route", "Frequency", "Reason", "Duration")

ATTRIBUTE_TASKS = (
    TaskSpec(
        name="casi",
        family="attributes",
        title="CASI medication attributes",
        domain="clinical attributes",
        labels=("O", *(f"{prefix}-{kind}" for kind in ATTRIBUTES for prefix in ("B", "I"))),
        entity_types=ATTRIBUTES,
        kg_entity_types=("drug", "disease"),
        llm_topic_types=("medications",),
        templates={"clingen": "attributes_clingen", "baseline": "attributes_baseline"},
        metric="seqeval_f1",
        head="token",
        style_task_name="medication attribute extraction",
    ),
)
