"""Filters between parsing and the dataset: exact and near duplicates, near-copies of seeds.

Near-duplicates are found with word-trigram Jaccard similarity; candidate pairs come from an
inverted index over trigrams, so the cost grows with overlaps, not with n².
"""

from __future__ import annotations

import re
from collections import defaultdict


def shingles(text: str, size: int = 3) -> frozenset[str]:
    words = re.findall(r"\w+", text.lower())
    if len(words) < size:
        return frozenset([" ".join(words)])
    return frozenset(" ".join(words[i : i + size]) for i in range(len(words) - size + 1))


class NearDuplicateIndex:
    def __init__(self, threshold: float):
        self.threshold = threshold
        self._sets: list[frozenset[str]] = []
        self._by_shingle: dict[str, list[int]] = defaultdict(list)

    def most_similar(self, text: str) -> float:
        candidate = shingles(text)
        overlaps: dict[int, int] = defaultdict(int)
        for shingle in candidate:
            for index in self._by_shingle.get(shingle, ()):
                overlaps[index] += 1
        # |A ∩ B| is the overlap count, so Jaccard needs no set operations
        return max((shared / (len(candidate) + len(self._sets[i]) - shared) for i, shared in overlaps.items()), default=0.0)

    def add(self, text: str) -> None:
        index = len(self._sets)
        self._sets.append(shingles(text))
        for shingle in self._sets[index]:
            self._by_shingle[shingle].append(index)


def duplicate_reasons(texts: list[str], seed_texts: list[str], threshold: float = 0.8) -> list[str | None]:
    """For each text, None to keep it or the reason to drop it; earlier texts win."""
    seeds = NearDuplicateIndex(threshold)
    for text in seed_texts:
        seeds.add(text)
    kept = NearDuplicateIndex(threshold)
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
