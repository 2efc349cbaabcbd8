"""Text classification (paper Table 5): LitCovid (7 topics) and HoC (10 hallmarks of cancer,
multi-label). Prompts: Listing 4 (ClinGen) and Listing 10 (baselines)."""

from __future__ import annotations

from clingen_hf.core.tasks.base import TaskSpec

TEMPLATES = {"clingen": "classification_clingen", "baseline": "classification_baseline"}

LITCOVID_LABELS = {
    "Epidemic Forecasting": "the spread of COVID-19: case counts, projections and models of how the epidemic develops",
    "Treatment": "therapies for COVID-19: drugs, antivirals, vaccines given as therapy, and clinical management",
    "Prevention": "preventing infection: masks, distancing, lockdowns, hygiene, vaccination campaigns",
    "Mechanism": "how SARS-CoV-2 causes disease: viral biology, host receptors, immune response, pathophysiology",
    "Case Report": "the course of one or a few individual patients with COVID-19",
    "Transmission": "how the virus passes between people or from animals, and where and when it spreads",
    "Diagnosis": "detecting COVID-19: PCR and antigen tests, imaging, symptoms and biomarkers used to diagnose",
}

HOC_LABELS = {
    "evading growth suppressors": "tumour cells escape the signals that normally stop cell division (e.g. RB, TP53 loss)",
    "tumor promoting inflammation": "inflammation and immune cells that support tumour growth",
    "enabling replicative immortality": "cells divide without limit, e.g. by telomerase activation",
    "cellular energetics": "tumour cells reprogram their metabolism, e.g. aerobic glycolysis (Warburg effect)",
    "resisting cell death": "tumour cells avoid apoptosis, necrosis or autophagic death",
    "activating invasion and metastasis": "cells invade tissue and spread to distant organs, e.g. via EMT",
    "genomic instability and mutation": "DNA damage, defective repair and mutations that drive the tumour",
    "inducing angiogenesis": "the tumour grows new blood vessels, e.g. through VEGF signalling",
    "sustaining proliferative signaling": "cells keep growth signals switched on, e.g. EGFR or RAS pathways",
    "avoiding immune destruction": "tumour cells escape recognition and killing by the immune system",
}

def _classification_task(name: str, title: str, domain: str, labels: dict[str, str], kg_types: tuple[str, ...],
                         llm_topics: str, head: str, metric: str, style_task_name: str, **fields) -> TaskSpec:
    return TaskSpec(name=name, family="classification", title=title, domain=domain, labels=tuple(labels),
                    label_descriptions=labels, kg_entity_types=kg_types, llm_topic_types=(llm_topics,), templates=TEMPLATES,
                    metric=metric, main_metric="macro_f1", head=head, style_task_name=style_task_name, **fields)


CLASSIFICATION_TASKS = (
    _classification_task("litcovid", "LitCovid", "COVID-19 Literature", LITCOVID_LABELS, ("disease", "drug"),
                         "COVID-19 research subtopics", "single", "accuracy", "COVID-19 literature topic classification"),
    _classification_task("hoc", "HoC (Hallmarks of Cancer)", "Cancer Document", HOC_LABELS, ("gene", "disease"),
                         "cancer biology subtopics", "multi", "multilabel_f1", "hallmarks of cancer classification",
                         multi_label_rate=0.3),
)
