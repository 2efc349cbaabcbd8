"""Text classification (paper Table 5): LitCovid (7 topics) and HoC (10 hallmarks of cancer,
multi-label). Prompts: Listing 4 (ClinGen) and Listing 10 (baselines)."""

from __future__ import annotations

from .base import TaskSpec

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

CLASSIFICATION_TASKS = (
    TaskSpec(
        name="litcovid",
        family="classification",
        title="LitCovid",
        domain="COVID-19 Literature",
        labels=tuple(LITCOVID_LABELS),
        label_descriptions=LITCOVID_LABELS,
        kg_entity_types=("disease", "drug"),
        llm_topic_types=("COVID-19 research subtopics",),
        templates=TEMPLATES,
        metric="accuracy",
        main_metric="macro_f1",
        head="single",
        style_task_name="COVID-19 literature topic classification",
    ),
    TaskSpec(
        name="hoc",
        family="classification",
        title="HoC (Hallmarks of Cancer)",
        domain="Cancer Document",
        labels=tuple(HOC_LABELS),
        label_descriptions=HOC_LABELS,
        kg_entity_types=("gene", "disease"),
        llm_topic_types=("cancer biology subtopics",),
        templates=TEMPLATES,
        metric="multilabel_f1",
        main_metric="macro_f1",
        head="multi",
        multi_label_rate=0.3,
        style_task_name="hallmarks of cancer classification",
    ),
)
