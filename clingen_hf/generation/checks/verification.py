"""Checks on the spans an LLM labelled in a generated NER sentence, each recorded per span.

- style words (always): a span whose words all come from the row's writing style ("a report
  by a hematologist" -> "hematologist") is the style leaking into the labels: removed;
- the knowledge graph (`--verify-spans`): every span is linked to an entity of the task's
  type (exact name, normalised name, synonym, and with `--link-fuzzy R` the closest name of
  similarity >= R); spans that link are kept with the entity id, spans that do not are
  flagged or removed (policy); optionally, mentions of KG entities the LLM left unlabelled
  are added (exact, normalised and synonym matches only: a fuzzy match over every window of
  a sentence would label near-misses);
- the LLM itself (`--self-check`, `self_check.py`): each span confirmed or rejected against
  the task's annotation guidelines.

Every decision is a `SpanDecision` with its source, so each row says what changed and why.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import asdict, dataclass

from rapidfuzz import fuzz, process

from clingen_hf.generation.parsing import detokenize
from clingen_hf.generation.parsing.ner import iob2_spans
from clingen_hf.knowledge.graph import KnowledgeGraph

POLICIES = ("off", "flag", "remove")
# The report's span counters (`proposed`, then `<source>_<action>`) in words, in this order.
SPAN_COUNTERS = {
    "proposed": "spans the LLM labelled",
    "style_removed": "style words removed",
    "kg_kept": "linked to a KG entity",
    "kg_unlinked": "not linked to the KG (flagged, kept)",
    "kg_removed": "not linked to the KG (removed)",
    "kg_added": "KG mentions added",
    "self_check_confirmed": "confirmed by the LLM self-check",
    "self_check_rejected": "rejected by the LLM self-check (removed)",
    "self_check_unchecked": "no readable self-check verdict (kept)",
}


def span_counter_lines(span_actions: dict[str, int]) -> list[tuple[str, int]]:
    """(description, count) for the counters a run has, in a fixed order."""
    return [(name, span_actions[key]) for key, name in SPAN_COUNTERS.items() if key in span_actions]
MAX_ADDED_SPAN_TOKENS = 6


@dataclass
class SpanDecision:
    text: str
    start: int  # token index, inclusive
    end: int  # token index, exclusive
    action: str  # kept | unlinked | removed | added | confirmed | rejected | unchecked
    entity_id: str | None = None
    match: str | None = None  # exact | normalised | synonym | fuzzy
    source: str = "kg"  # kg | style | self_check

    def as_dict(self) -> dict:
        return asdict(self)


def normalise(text: str) -> str:
    """Case, hyphens, punctuation and a plural 's' do not make another entity."""
    words = re.findall(r"[a-z0-9]+", text.lower())
    if words and len(words[-1]) > 3 and words[-1].endswith("s") and not words[-1].endswith("ss"):
        words[-1] = words[-1][:-1]
    return " ".join(words)


class EntityLinker:
    """Name and synonym index of the KG entities of some types.

    `fuzzy_ratio` (0 < R <= 1, off by default) also links a span to the normalised name or
    synonym most similar to it (rapidfuzz's ratio: 2 * the longest common subsequence / total
    characters) when that similarity is at least R: "hypercholesterolaemia" -> "hypercholesterolemia" (0.98).
    """

    def __init__(self, kg: KnowledgeGraph, entity_types: tuple[str, ...], fuzzy_ratio: float | None = None):
        if fuzzy_ratio is not None and not 0 < fuzzy_ratio <= 1:
            raise ValueError(f"fuzzy_ratio must be in (0, 1], got {fuzzy_ratio}")
        self.fuzzy_ratio = fuzzy_ratio
        self._exact: dict[str, str] = {}
        self._normalised: dict[str, tuple[str, str]] = {}
        for entity_type in entity_types:
            for entity in kg.entities(entity_type):
                self._exact.setdefault(entity.name, entity.id)
                self._normalised.setdefault(normalise(entity.name), (entity.id, "normalised"))
                for synonym in entity.synonyms:
                    self._normalised.setdefault(normalise(synonym), (entity.id, "synonym"))
        self._normalised.pop("", None)
        self._keys_by_length: dict[int, list[str]] = defaultdict(list)
        for key in self._normalised:
            self._keys_by_length[len(key)].append(key)
        self._fuzzy_links: dict[str, tuple[str, str] | None] = {}

    def link(self, text: str, fuzzy: bool = True) -> tuple[str, str] | None:
        """(entity id, how it matched), or None; `fuzzy=False` skips the fuzzy match."""
        if text in self._exact:
            return self._exact[text], "exact"
        key = normalise(text)
        linked = self._normalised.get(key)
        if linked is None and fuzzy and self.fuzzy_ratio is not None and key:
            linked = self._fuzzy_link(key)
        return linked

    def _fuzzy_link(self, key: str) -> tuple[str, str] | None:
        if key not in self._fuzzy_links:
            matches = process.extract(key, list(self._candidates(key)), scorer=fuzz.ratio,
                                      score_cutoff=100 * self.fuzzy_ratio, limit=None)
            best = min(matches, key=lambda match: (-match[1], match[0]), default=None)  # ties: the first name
            self._fuzzy_links[key] = (self._normalised[best[0]][0], "fuzzy") if best else None
        return self._fuzzy_links[key]

    def _candidates(self, key: str):
        """Names whose length allows a ratio of at least `fuzzy_ratio` (2 * min / sum of lengths)."""
        shortest = int(len(key) * self.fuzzy_ratio / (2 - self.fuzzy_ratio))
        longest = int(len(key) * (2 - self.fuzzy_ratio) / self.fuzzy_ratio) + 1
        for length in range(max(1, shortest), longest + 1):
            yield from self._keys_by_length.get(length, ())


def verify_tags(tokens: list[str], tags: list[str], linker: EntityLinker, entity_type: str, policy: str = "remove",
                add_missing: bool = False) -> tuple[list[str], list[SpanDecision]]:
    """Check each labelled span against the KG; returns the new tags and every decision."""
    new_tags = list(tags)
    decisions = []
    for start, end in labelled_spans(tags):
        text = detokenize(tokens[start:end])
        linked = linker.link(text)
        if linked:
            decisions.append(SpanDecision(text, start, end, "kept", *linked))
        elif policy == "remove":
            new_tags[start:end] = ["O"] * (end - start)
            decisions.append(SpanDecision(text, start, end, "removed"))
        else:
            decisions.append(SpanDecision(text, start, end, "unlinked"))
    if add_missing:
        decisions += _add_unlabelled_mentions(tokens, new_tags, linker, entity_type)
    return new_tags, decisions


def remove_style_words(tokens: list[str], tags: list[str], style: str | None) -> tuple[list[str], list[SpanDecision]]:
    """Unlabel spans made only of words of the row's style; returns the new tags and decisions."""
    style_words = f" {normalise(style or '')} "
    new_tags = list(tags)
    decisions = []
    if not style_words.strip():
        return new_tags, decisions
    for start, end in labelled_spans(tags):
        text = detokenize(tokens[start:end])
        key = normalise(text)
        if key and f" {key} " in style_words:
            new_tags[start:end] = ["O"] * (end - start)
            decisions.append(SpanDecision(text, start, end, "removed", source="style"))
    return new_tags, decisions


def labelled_spans(tags: list[str]) -> list[tuple[int, int]]:
    """(start, end) token ranges of the IOB2 spans, end exclusive."""
    return [(start, end) for _, start, end in iob2_spans(tags)]


def _add_unlabelled_mentions(tokens: list[str], tags: list[str], linker: EntityLinker,
                             entity_type: str) -> list[SpanDecision]:
    """Longest KG matches over unlabelled tokens, left to right (tags are changed in place)."""
    added = []
    index = 0
    while index < len(tokens):
        match = _longest_match_at(tokens, tags, index, linker)
        if match is None:
            index += 1
            continue
        end, (entity_id, kind) = match
        tags[index:end] = [f"B-{entity_type}"] + [f"I-{entity_type}"] * (end - index - 1)
        added.append(SpanDecision(detokenize(tokens[index:end]), index, end, "added", entity_id, kind))
        index = end
    return added


def _longest_match_at(tokens, tags, start, linker):
    for end in range(min(len(tokens), start + MAX_ADDED_SPAN_TOKENS), start, -1):
        words_at_both_ends = tokens[start][:1].isalnum() and tokens[end - 1][:1].isalnum()
        if not words_at_both_ends or any(tag != "O" for tag in tags[start:end]):
            continue
        linked = linker.link(detokenize(tokens[start:end]), fuzzy=False)
        if linked and len(normalise(detokenize(tokens[start:end]))) > 3:
            return end, linked
    return None
