"""Judge a synthetic dataset from Python; `clingen quality` is a shell over this."""

from __future__ import annotations

from pathlib import Path

from clingen_hf.evaluation.assessment import QualityOptions, assess_directory


def evaluate_synthetic(directory: str | Path, real: str | None = None, **options) -> dict[str, dict]:
    """Quality numbers and the safety gate for every config of a generated dataset directory,
    against `real` (its train split; None: the task's bundled seeds): diversity, CMD to the
    real data, entity frequencies, near-copies, PHI-like strings, test contamination. Written to
    each config's quality.json and the card as well. `options`: the fields of QualityOptions.

        numbers = evaluate_synthetic("out/ncbi-synthetic", real="data/ncbi_disease")
        numbers["clingen-kg"]["avg_pairwise_similarity"]
    """
    return assess_directory(Path(directory), QualityOptions(real=real, **options))
