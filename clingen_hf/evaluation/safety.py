"""The safety gate (paper App. A's concerns made checkable): PHI-like strings, near-copies of
real data, and contamination with a test split.

- PHI-like strings (`phi_findings`): person names after an honorific or "named", e-mail
  addresses, phone numbers, calendar dates, record / MRN / SSN-like numbers. Regex-based and
  deliberately eager: a flag is a row to look at, not a verdict. Ages, doses, durations and
  years on their own are not flagged.
- Near-copies (`NearCopyDetector`): a synthetic text whose word-trigram Jaccard similarity to
  a real text, or whose embedding cosine to its nearest real neighbour, reaches a threshold.
  Against the seeds or any real split this is memorisation; against a test split it is
  contamination of the evaluation.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from clingen_hf.generation.checks.gates import NearDuplicateIndex

_NAME = r"[A-Z][a-z]+(?:[-'][A-Z][a-z]+)?"
PHI_PATTERNS: dict[str, re.Pattern[str]] = {
    "person_name": re.compile(
        rf"\b(?:(?:Dr|Mr|Mrs|Ms|Miss|Prof)\.?\s+{_NAME}(?:\s+{_NAME})?|(?:named|called)\s+{_NAME}\s+{_NAME})"
    ),
    "email": re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b"),
    "phone": re.compile(r"(?<![\w-])(?:\+?\d{1,2}[\s.-])?(?:\(\d{3}\)\s?|\d{3}[\s.-])\d{3}[\s.-]\d{4}(?![\w-])"),
    "date": re.compile(
        r"\b(?:\d{1,2}[/.-]\d{1,2}[/.-](?:19|20)?\d{2}|(?:19|20)\d{2}-\d{2}-\d{2}"
        r"|(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+(?:19|20)\d{2}"
        r"|\d{1,2}(?:st|nd|rd|th)?\s+(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?,?\s+(?:19|20)\d{2})\b"
    ),
    "record_number": re.compile(
        r"\b(?:MRN|medical record(?: number)?|record (?:number|no\.?)|patient id|account (?:number|no\.?))\s*[:#]?\s*\w*\d{4,}\w*"
        r"|\b\d{3}-\d{2}-\d{4}\b|#\s?\d{6,}\b",
        re.IGNORECASE,
    ),
}


def phi_findings(text: str) -> list[str]:
    """The kinds of PHI-like string in `text`, e.g. ["person_name", "date"]."""
    return [kind for kind, pattern in PHI_PATTERNS.items() if pattern.search(text)]


@dataclass
class NearCopyDetector:
    """Near-copies of a reference corpus by n-gram overlap or embedding nearest neighbour."""

    reference: list[str]
    ngram_threshold: float = 0.6
    embedding_threshold: float = 0.95
    embed: Callable[[list[str]], np.ndarray] | None = None

    def __post_init__(self) -> None:
        self._index = NearDuplicateIndex(self.ngram_threshold, self.reference)
        for text in self.reference:
            self._index.add(text)
        self._vectors = self.embed(self.reference) if self.embed is not None and self.reference else None

    def scores(self, texts: list[str]) -> list[tuple[float, float]]:
        """(n-gram Jaccard, embedding cosine) of each text's closest reference text; the Jaccard is
        exact from the n-gram threshold up and may read 0 below it."""
        ngram = [self._index.most_similar(text) for text in texts]
        if self._vectors is None or not texts:
            return [(score, 0.0) for score in ngram]
        cosine = (self.embed(texts) @ self._vectors.T).max(axis=1)
        return [(g, float(c)) for g, c in zip(ngram, cosine)]

    def flags(self, texts: list[str]) -> list[bool]:
        return [g >= self.ngram_threshold or c >= self.embedding_threshold for g, c in self.scores(texts)]


def safety_flags(texts: list[str], detectors: dict[str, NearCopyDetector]) -> list[list[str]]:
    """Per text, its flags: `phi:<kind>` and `<name>` for each detector it is a near-copy for
    (e.g. `near_copy_of_real`, `in_test_split`)."""
    flags = [[f"phi:{kind}" for kind in phi_findings(text)] for text in texts]
    for name, detector in detectors.items():
        for row_flags, flagged in zip(flags, detector.flags(texts)):
            if flagged:
                row_flags.append(name)
    return flags


def count_flags(flags: list[list[str]]) -> dict[str, int]:
    counts = Counter(flag for row in flags for flag in row)
    return {"rows_flagged": sum(1 for row in flags if row), **dict(sorted(counts.items()))}
