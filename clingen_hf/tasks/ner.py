"""Named entity recognition datasets (paper Table 5): one entity type each, IOB2 tags."""

from __future__ import annotations

from .base import TaskSpec


def _ner_task(name: str, title: str, entity_type: str, kg_types: tuple[str, ...]) -> TaskSpec:
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
    )


NER_TASKS = (
    _ner_task("ncbi-disease", "NCBI-Disease", "Disease", ("disease",)),
    _ner_task("bc5cdr-disease", "BC5CDR-Disease", "Disease", ("disease",)),
    _ner_task("bc5cdr-chemical", "BC5CDR-Chemical", "Chemical", ("drug",)),
    _ner_task("chemdner", "CHEMDNER", "Chemical", ("drug",)),
)
