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


def words_of(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


def shingles(text: str, size: int = 3) -> frozenset[str]:
    return shingles_of_words(words_of(text), size)


def shingles_of_words(words: list[str], size: int = 3) -> frozenset[str]:
    if len(words) < size:
        return frozenset([" ".join(words)])
    return frozenset(" ".join(words[i : i + size]) for i in range(len(words) - size + 1))


def rarity_ranks(trigram_sets: Iterable[frozenset[str]]) -> dict[str, int]:
    """Each trigram's place in one global order, rarest first (ties by the trigram itself)."""
    frequency = Counter(shingle for trigrams in trigram_sets for shingle in trigrams)
    return {shingle: rank for rank, shingle in enumerate(sorted(frequency, key=lambda s: (frequency[s], s)))}


class NearDuplicateIndex:
    """Indexed texts whose word-trigram Jaccard with a query reaches `threshold`, by prefix
    filtering (Bayardo et al., WWW 2007): trigrams are ordered rarest first by their frequency in
    `corpus`, and two sets with Jaccard >= t always share one of the first |s| - ceil(t|s|) + 1
    trigrams of each. Only those prefixes are indexed and probed, so the frequent trigrams that
    make a plain inverted index quadratic are rarely touched (benchmarks/generation_overhead.py).
    `ranks` (from `rarity_ranks`) replaces `corpus` where several indexes share one order."""

    def __init__(self, threshold: float, corpus: Iterable[str] = (), ranks: dict[str, int] | None = None):
        self.threshold = threshold
        self._ranks = ranks if ranks is not None else rarity_ranks(shingles(text) for text in corpus)
        self._sets: list[frozenset[str]] = []
        self._by_shingle: dict[str, list[int]] = defaultdict(list)

    def most_similar(self, text: str) -> float:
        """The highest Jaccard with an indexed text; exact when it reaches the threshold (a lower
        one may be missed and read as 0)."""
        trigrams = shingles(text)
        return self.most_similar_trigrams(trigrams, self.prefix(trigrams))

    def most_similar_trigrams(self, trigrams: frozenset[str], prefix: list[str]) -> float:
        seen: set[int] = set()
        best = 0.0
        for shingle in prefix:
            for index in self._by_shingle.get(shingle, ()):
                if index not in seen:
                    seen.add(index)
                    shared = len(trigrams & self._sets[index])
                    best = max(best, shared / (len(trigrams) + len(self._sets[index]) - shared))
        return best

    def add(self, text: str) -> None:
        trigrams = shingles(text)
        self.add_trigrams(trigrams, self.prefix(trigrams))

    def add_trigrams(self, trigrams: frozenset[str], prefix: list[str]) -> None:
        index = len(self._sets)
        self._sets.append(trigrams)
        for shingle in prefix:
            self._by_shingle[shingle].append(index)

    def prefix(self, trigrams: frozenset[str]) -> list[str]:
        # a trigram outside the corpus (rank -1) matches no indexed set, so where it sits among
        # the other unknown ones does not matter
        ordered = sorted(trigrams, key=lambda shingle: self._ranks.get(shingle, -1))
        return ordered[:max(1, len(ordered) - math.ceil(self.threshold * len(ordered)) + 1)]


def duplicate_reasons(texts: list[str], seed_texts: list[str], threshold: float = 0.8) -> list[str | None]:
    """For each text, None to keep it or the reason to drop it; earlier texts win. Each text's
    words, trigrams and prefix are computed once and probe both indexes (one rarity order)."""
    words = [words_of(text) for text in texts]
    trigram_sets = [shingles_of_words(w) for w in words]
    seed_sets = [shingles(text) for text in seed_texts]
    ranks = rarity_ranks([*seed_sets, *trigram_sets])
    seeds = NearDuplicateIndex(threshold, ranks=ranks)
    for trigrams in seed_sets:
        seeds.add_trigrams(trigrams, seeds.prefix(trigrams))
    kept = NearDuplicateIndex(threshold, ranks=ranks)
    exact: set[str] = set()
    reasons: list[str | None] = []
    for text_words, trigrams in zip(words, trigram_sets):
        key = " ".join(text_words)
        if key in exact:
            reasons.append("exact_duplicate")
            continue
        prefix = kept.prefix(trigrams)
        if seeds.most_similar_trigrams(trigrams, prefix) >= threshold:
            reasons.append("near_copy_of_seed")
        elif kept.most_similar_trigrams(trigrams, prefix) >= threshold:
            reasons.append("near_duplicate")
        else:
            reasons.append(None)
            exact.add(key)
            kept.add_trigrams(trigrams, prefix)
    return reasons
