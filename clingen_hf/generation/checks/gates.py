"""Filters between parsing and the dataset: exact and near duplicates, near-copies of seeds.

Near-duplicates are found with word-trigram Jaccard similarity; candidate pairs come from an
inverted index over the rarest trigrams of each text (prefix filtering), so the cost grows with
real overlaps, not with n².
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from typing import Iterable


def shingles(text: str, size: int = 3) -> frozenset[str]:
    words = re.findall(r"\w+", text.lower())
    if len(words) < size:
        return frozenset([" ".join(words)])
    return frozenset(" ".join(words[i : i + size]) for i in range(len(words) - size + 1))


class NearDuplicateIndex:
    """Indexed texts whose word-trigram Jaccard with a query reaches `threshold`, by prefix
    filtering (Bayardo et al., WWW 2007): trigrams are ordered rarest first by their frequency in
    `corpus`, and two sets with Jaccard >= t always share one of the first |s| - ceil(t|s|) + 1
    trigrams of each. Only those prefixes are indexed and probed, so the frequent trigrams that
    make a plain inverted index quadratic are rarely touched (benchmarks/generation_overhead.py)."""

    def __init__(self, threshold: float, corpus: Iterable[str] = ()):
        self.threshold = threshold
        self._frequency = Counter(shingle for text in corpus for shingle in shingles(text))
        self._sets: list[frozenset[str]] = []
        self._by_shingle: dict[str, list[int]] = defaultdict(list)

    def most_similar(self, text: str) -> float:
        """The highest Jaccard with an indexed text; exact when it reaches the threshold (a lower
        one may be missed and read as 0)."""
        candidate = shingles(text)
        seen: set[int] = set()
        best = 0.0
        for shingle in self._prefix(candidate):
            for index in self._by_shingle.get(shingle, ()):
                if index not in seen:
                    seen.add(index)
                    shared = len(candidate & self._sets[index])
                    best = max(best, shared / (len(candidate) + len(self._sets[index]) - shared))
        return best

    def add(self, text: str) -> None:
        index = len(self._sets)
        self._sets.append(shingles(text))
        for shingle in self._prefix(self._sets[index]):
            self._by_shingle[shingle].append(index)

    def _prefix(self, trigrams: frozenset[str]) -> list[str]:
        ordered = sorted(trigrams, key=lambda shingle: (self._frequency.get(shingle, 0), shingle))
        return ordered[:max(1, len(ordered) - math.ceil(self.threshold * len(ordered)) + 1)]


def duplicate_reasons(texts: list[str], seed_texts: list[str], threshold: float = 0.8) -> list[str | None]:
    """For each text, None to keep it or the reason to drop it; earlier texts win."""
    corpus = [*seed_texts, *texts]
    seeds = NearDuplicateIndex(threshold, corpus)
    for text in seed_texts:
        seeds.add(text)
    kept = NearDuplicateIndex(threshold, corpus)
    exact: set[str] = set()
    reasons: list[str | None] = []
    for text in texts:
        key = " ".join(re.findall(r"\w+", text.lower()))
        if key in exact:
            reasons.append("exact_duplicate")
        elif seeds.most_similar(text) >= threshold:
            reasons.append("near_copy_of_seed")
        elif kept.most_similar(text) >= threshold:
            reasons.append("near_duplicate")
        else:
            reasons.append(None)
            exact.add(key)
            kept.add(text)
    return reasons
