"""Relation extraction (paper Table 5): GAD, CDR, ChemProt. The text names the two entities
through markers, as the real evaluation data does. Prompts: Listing 5 / Listing 11."""

from __future__ import annotations

from clingen_hf.core.tasks.base import TaskSpec

TEMPLATES = {"clingen": "relation_clingen", "baseline": "relation_baseline"}

GAD_LABELS = {
    "Has_relation": "the gene is associated with the disease: a variant, mutation or change in expression of the gene "
                    "affects the risk, onset or course of the disease",
    "No_relation": "the sentence mentions the gene and the disease but states no association between them, or "
                   "reports that none was found",
}
CDR_LABELS = {
    "not_induce": "the chemical and the disease are mentioned together but the chemical does not cause the disease "
                  "(e.g. it treats it, or they are unrelated)",
    "induce": "the chemical causes or induces the disease, for example as an adverse effect or a toxic reaction",
}
CHEMPROT_LABELS = {
    "Upregulator": "the chemical activates or increases the expression or activity of the protein",
    "Downregulator": "the chemical inhibits or decreases the expression or activity of the protein",
    "Agonist": "the chemical binds to the protein (a receptor) and activates it",
    "Antagonist": "the chemical binds to the protein (a receptor) and blocks its activation",
    "Product_of": "the chemical is a product of a reaction that the protein (an enzyme) catalyses",
    "NOT": "the chemical and the protein are mentioned together but no interaction between them is stated",
}


def _relation_task(name: str, title: str, domain: str, labels: dict[str, str], entities: tuple[str, str],
                   markers: tuple[str, str], kg_pair: tuple[str, str], negative: str) -> TaskSpec:
    return TaskSpec(
        name=name,
        family="relation",
        title=title,
        domain=domain,
        labels=tuple(labels),
        label_descriptions=labels,
        entity_types=entities,
        markers=markers,
        kg_pair=kg_pair,
        kg_entity_types=kg_pair,
        llm_topic_types=(f"{entities[0]}-{entities[1]} pairs",),
        templates=TEMPLATES,
        metric="accuracy",
        main_metric="f1",  # micro F1 over the relation classes, the negative class left out
        head="single",
        style_task_name=f"{domain.lower()} extraction",
        extra={"negative_label": negative},
    )


RELATION_TASKS = (
    _relation_task("gad", "GAD", "Disease Gene Relation", GAD_LABELS, ("disease", "gene"),
                   ("@DISEASE$", "@GENE$"), ("disease", "gene"), negative="No_relation"),
    _relation_task("cdr", "CDR", "Chemical Disease Relation", CDR_LABELS, ("chemical", "disease"),
                   ("@CHEMICAL$", "@DISEASE$"), ("drug", "disease"), negative="not_induce"),
    _relation_task("chemprot", "ChemProt", "Chemical Protein Relation", CHEMPROT_LABELS, ("chemical", "protein"),
                   ("BC6ENTC", "BC6ENTG"), ("drug", "gene"), negative="NOT"),
)
