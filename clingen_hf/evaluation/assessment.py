"""`clingen quality`: the quality stage for a generated dataset directory.

For every config: diversity, distribution shift (CMD) against real data, entity and label
distributions, a t-SNE plot and an entity-frequency plot, and the safety gate's flags
(PHI-like strings, near-copies of the real data, contamination with a test split). The
numbers go to `<config>/quality.json` and into the dataset card, the plots to
`<config>/quality/*.png`; `remove_flagged` rewrites a config without its flagged rows.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path

import datasets

from clingen_hf.core.tasks import TaskSpec, get_task
from clingen_hf.data.seeds import load_seeds
from clingen_hf.evaluation.quality import (
    DEFAULT_ENCODER,
    average_pairwise_similarity,
    central_moment_discrepancy,
    encode,
    entity_frequencies,
    entity_statistics,
    frequency_summary,
    label_distribution,
    plot_entity_frequencies,
    plot_tsne,
)
from clingen_hf.evaluation.safety import NearCopyDetector, count_flags, safety_flags
from clingen_hf.generation.families import family_for
from clingen_hf.generation.parsing import entities_from_tags
from clingen_hf.hub.layout import QUALITY_FILE, REPORT_FILE, write_card, write_config
from clingen_hf.knowledge.pools import Pool


@dataclass
class QualityOptions:
    real: str | None  # None: the task's bundled seeds
    test: str | None = None
    encoder: str = DEFAULT_ENCODER
    sample: int = 500
    ngram_threshold: float = 0.6
    embedding_threshold: float = 0.95
    remove_flagged: bool = False
    seed: int = 0


@dataclass
class Corpus:
    """Texts, label lists and entity lists of one side of the comparison."""

    texts: list[str]
    labels: list[list[str]]
    entities: list[list[str]] | None


def assess_directory(output_dir: Path, options: QualityOptions) -> dict[str, dict]:
    results = {}
    references: dict[str, tuple[Corpus, dict[str, NearCopyDetector]]] = {}  # per task: embedded once
    for report_path in sorted(Path(output_dir).glob(f"*/{REPORT_FILE}")):
        config_dir = report_path.parent
        report = json.loads(report_path.read_text(encoding="utf-8"))
        task = get_task(report["task"])
        if task.name not in references:
            real = corpus_from_seed_rows(load_seeds(options.real, task), task)
            test = corpus_from_seed_rows(load_seeds(options.test, task), task) if options.test else None
            references[task.name] = (real, near_copy_detectors(real, test, options))
        real, detectors = references[task.name]
        results[config_dir.name] = assess_config(config_dir, report, task, real, detectors, options)
    write_card(Path(output_dir))
    return results


def corpus_from_seed_rows(rows: datasets.Dataset, task: TaskSpec) -> Corpus:
    family = family_for(task)
    column = task.label_column
    texts = [family.seed_text(row) for row in rows]
    if task.head == "token":
        entities = [entities_from_tags(row["tokens"], row["ner_tags"]) for row in rows]
        return Corpus(texts, [[task.class_names[0]] if e else [] for e in entities], entities)
    labels = [row[column] if task.head == "multi" else [row[column]] for row in rows]
    return Corpus(texts, labels, None)


def corpus_from_generated(rows: datasets.Dataset, task: TaskSpec) -> Corpus:
    seed_rows = [family_for(task).as_seed_row(row) for row in rows]
    corpus = corpus_from_seed_rows(datasets.Dataset.from_list(seed_rows) if seed_rows else [], task)
    if "entities" in rows.column_names and task.head == "token":
        corpus.entities = list(rows["entities"])
    return corpus


def assess_config(config_dir: Path, report: dict, task: TaskSpec, real: Corpus, detectors: dict[str, NearCopyDetector],
                  options: QualityOptions) -> dict:
    train = datasets.Dataset.from_parquet(str(config_dir / "train-00000-of-00001.parquet"))
    flags = safety_flags(corpus_from_generated(train, task).texts, detectors)
    safety = {**count_flags(flags), "ngram_threshold": options.ngram_threshold,
              "embedding_threshold": options.embedding_threshold,
              "flagged_rows": {str(i): row_flags for i, row_flags in enumerate(flags) if row_flags}}
    if options.remove_flagged and any(flags):
        train = remove_flagged_rows(config_dir, report, train, flags)
        safety["removed"] = safety["rows_flagged"]
    synthetic = corpus_from_generated(train, task)
    numbers = {**distribution_numbers(synthetic, real, options), "safety": safety}
    numbers["plots"] = write_plots(config_dir, synthetic, real, options, f"{task.title} / {config_dir.name}")
    (config_dir / QUALITY_FILE).write_text(json.dumps(numbers, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return numbers


def near_copy_detectors(real: Corpus, test: Corpus | None, options: QualityOptions) -> dict[str, NearCopyDetector]:
    def embed(texts: list[str]):
        return encode(texts, options.encoder)

    references = {"near_copy_of_real": real, **({"in_test_split": test} if test is not None else {})}
    return {name: NearCopyDetector(corpus.texts, options.ngram_threshold, options.embedding_threshold, embed)
            for name, corpus in references.items()}


def distribution_numbers(synthetic: Corpus, real: Corpus, options: QualityOptions) -> dict:
    syn_sample, real_sample = _sample(synthetic.texts, options), _sample(real.texts, options)
    numbers = {
        "encoder": options.encoder,
        "rows": len(synthetic.texts),
        "avg_pairwise_similarity": average_pairwise_similarity(syn_sample, options.encoder),
        "real_avg_pairwise_similarity": average_pairwise_similarity(real_sample, options.encoder),
        "cmd_to_real": central_moment_discrepancy(encode(syn_sample, options.encoder), encode(real_sample, options.encoder))
        if syn_sample and real_sample else None,
        "label_distribution": label_distribution(synthetic.labels),
        "real_label_distribution": label_distribution(real.labels),
    }
    if synthetic.entities is not None and real.entities is not None:
        reference = {e for entities in real.entities for e in entities}
        numbers["entities"] = {**entity_statistics(synthetic.entities, reference),
                               **frequency_summary(entity_frequencies(synthetic.entities))}
        numbers["real_entities"] = {**entity_statistics(real.entities), **frequency_summary(entity_frequencies(real.entities))}
    return numbers


def _sample(texts: list[str], options: QualityOptions) -> list[str]:
    return random.Random(options.seed).sample(texts, min(options.sample, len(texts)))


def write_plots(config_dir: Path, synthetic: Corpus, real: Corpus, options: QualityOptions, title: str) -> list[str]:
    folder = config_dir / "quality"
    folder.mkdir(exist_ok=True)
    written = []
    syn_sample, real_sample = _sample(synthetic.texts, options), _sample(real.texts, options)
    if len(syn_sample) + len(real_sample) >= 5:
        plot_tsne(encode(syn_sample, options.encoder), encode(real_sample, options.encoder), folder / "tsne.png", title,
                  options.seed)
        written.append("quality/tsne.png")
    if synthetic.entities is not None and real.entities is not None:
        curves = {"synthetic": entity_frequencies(synthetic.entities), "real": entity_frequencies(real.entities)}
        plot_entity_frequencies(curves, folder / "entity_frequencies.png", title)
        written.append("quality/entity_frequencies.png")
    return written


def remove_flagged_rows(config_dir: Path, report: dict, train: datasets.Dataset, flags: list[list[str]]) -> datasets.Dataset:
    """Rewrite the config without its flagged rows; the report and card say how many went."""
    keep = [i for i, row_flags in enumerate(flags) if not row_flags]
    pools = {path.stem: Pool.load(path, path.stem) for path in sorted((config_dir / "knowledge").glob("*.json"))}
    few_shot_path = config_dir / "few_shot-00000-of-00001.parquet"
    few_shot = datasets.Dataset.from_parquet(str(few_shot_path)) if few_shot_path.is_file() else None
    counts = {**report["counts"], "kept": len(keep),
              "removed_by_safety_gate": report["counts"].get("removed_by_safety_gate", 0) + len(train) - len(keep)}
    kept = train.select(keep)
    write_config(config_dir.parent, config_dir.name, kept, {**report, "counts": counts}, pools, few_shot)
    return kept
