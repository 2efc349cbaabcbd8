"""Quality numbers of a synthetic set (paper Sec. 6, App. I) against real data.

- diversity: the average pairwise cosine similarity of sentence embeddings (paper Table 4;
  lower is more diverse);
- distribution shift: the Central Moment Discrepancy between synthetic and real embeddings
  (Zellinger et al. 2017; 0 for identical distributions);
- entities: unique entities, their normalised frequency distribution (paper Fig. 7) and the
  share of mentions that are entities of the real data;
- labels: the share of rows per class;
- plots: t-SNE of synthetic vs real embeddings, entity frequency by rank.

Embeddings come from a `sentence-transformers` model: the packaged all-MiniLM-L6-v2 by
default (offline), any model by name or folder otherwise.
"""

from __future__ import annotations

import random
from collections import Counter

import numpy as np

from clingen_hf.core.encoders import DEFAULT_ENCODER, encode
from clingen_hf.core.mentions import entity_frequencies, frequency_summary  # noqa: F401 (part of this module's API)


def average_pairwise_similarity(sentences: list[str], encoder: str = DEFAULT_ENCODER, sample: int = 500, seed: int = 0) -> float:
    """Mean cosine similarity over all pairs of (up to `sample`) sentences."""
    if len(sentences) < 2:
        return float("nan")
    chosen = random.Random(seed).sample(sentences, min(sample, len(sentences)))
    embeddings = encode(chosen, encoder)
    similarity = embeddings @ embeddings.T
    n = len(chosen)
    return float((similarity.sum() - np.trace(similarity)) / (n * (n - 1)))


def entity_statistics(entity_lists: list[list[str]], reference_entities: set[str] | None = None) -> dict:
    """Mentions per sentence, unique entities, and the share of mentions that are entities of
    a reference set (e.g. the real train split's), case-insensitively."""
    mentions = Counter(entity.lower() for entities in entity_lists for entity in entities)
    total = sum(mentions.values())
    stats = {
        "sentences": len(entity_lists),
        "mentions": total,
        "mentions_per_sentence": total / len(entity_lists) if entity_lists else 0.0,
        "unique_entities": len(mentions),
    }
    if reference_entities is not None:
        reference = {entity.lower() for entity in reference_entities}
        stats["mentions_in_reference"] = sum(c for e, c in mentions.items() if e in reference) / total if total else 0.0
    return stats


def central_moment_discrepancy(x: np.ndarray, y: np.ndarray, moments: int = 5, bounds: tuple[float, float] = (-1.0, 1.0)) -> float:
    """CMD_K(X, Y) = ||E X - E Y|| / |b-a| + sum_{k=2..K} ||c_k(X) - c_k(Y)|| / |b-a|^k, with
    c_k the per-dimension k-th central moment and [a, b] the range of the features (unit-norm
    embeddings lie in [-1, 1])."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    span = bounds[1] - bounds[0]
    mean_x, mean_y = x.mean(axis=0), y.mean(axis=0)
    total = np.linalg.norm(mean_x - mean_y) / span
    for k in range(2, moments + 1):
        moment_x = ((x - mean_x) ** k).mean(axis=0)
        moment_y = ((y - mean_y) ** k).mean(axis=0)
        total += np.linalg.norm(moment_x - moment_y) / span**k
    return float(total)


def label_distribution(label_lists: list[list[str]]) -> dict[str, float]:
    """Share of rows carrying each label (a multi-label row counts for each of its labels)."""
    counts = Counter(label for labels in label_lists for label in labels)
    rows = len(label_lists)
    return {label: count / rows for label, count in sorted(counts.items())} if rows else {}


def plot_tsne(synthetic: np.ndarray, real: np.ndarray, path, title: str, seed: int = 0) -> None:
    """A 2-d t-SNE map of synthetic and real embeddings (paper Fig. 5), saved as PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from sklearn.manifold import TSNE

    points = np.vstack([synthetic, real])
    perplexity = max(2.0, min(30.0, (len(points) - 1) / 3))
    mapped = TSNE(n_components=2, perplexity=perplexity, init="pca", random_state=seed).fit_transform(points)
    figure, axes = plt.subplots(figsize=(5, 5))
    axes.scatter(*mapped[len(synthetic):].T, s=8, alpha=0.6, label=f"real ({len(real)})", color="tab:blue")
    axes.scatter(*mapped[: len(synthetic)].T, s=8, alpha=0.6, label=f"synthetic ({len(synthetic)})", color="tab:orange")
    axes.set_title(title)
    axes.set_xticks([])
    axes.set_yticks([])
    axes.legend(loc="best")
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    plt.close(figure)


def plot_entity_frequencies(curves: dict[str, list[tuple[str, float]]], path, title: str) -> None:
    """Normalised entity frequency by rank, one curve per source, log-log (paper Fig. 7)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(5, 4))
    for name, frequencies in curves.items():
        if frequencies:
            axes.plot(range(1, len(frequencies) + 1), [share for _, share in frequencies], label=f"{name} ({len(frequencies)})")
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.set_xlabel("entity rank")
    axes.set_ylabel("share of mentions")
    axes.set_title(title)
    axes.legend(loc="best")
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    plt.close(figure)
