"""KG-grounded verification of generated NER spans.

Every span the LLM labelled is linked to an entity of the task's type in the knowledge graph
(exact name, normalised name, or synonym). Spans that link are kept with the entity id;
spans that do not are flagged or removed (policy). Optionally, mentions of KG entities that
the LLM left unlabelled are added. Every decision is recorded, so each row says what changed.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

from .knowledge.graph import KnowledgeGraph
from .parsing import detokenize

POLICIES = ("off", "flag", "remove")
MAX_ADDED_SPAN_TOKENS = 6


@dataclass
class SpanDecision:
    text: str
    start: int  # token index, inclusive
    end: int  # token index, exclusive
    action: str  # kept | unlinked | removed | added
    entity_id: str | None = None
    match: str | None = None  # exact | normalised | synonym

    def as_dict(self) -> dict:
        return asdict(self)


def normalise(text: str) -> str:
    """Case, hyphens, punctuation and a plural 's' do not make another entity."""
    words = re.findall(r"[a-z0-9]+", text.lower())
    if words and len(words[-1]) > 3 and words[-1].endswith("s") and not words[-1].endswith("ss"):
        words[-1] = words[-1][:-1]
    return " ".join(words)


class EntityLinker:
    """Name and synonym index of the KG entities of some types."""

    def __init__(self, kg: KnowledgeGraph, entity_types: tuple[str, ...]):
        self._exact: dict[str, str] = {}
        self._normalised: dict[str, tuple[str, str]] = {}
        for entity_type in entity_types:
            for entity in kg.entities(entity_type):
                self._exact.setdefault(entity.name, entity.id)
                self._normalised.setdefault(normalise(entity.name), (entity.id, "normalised"))
                for synonym in entity.synonyms:
                    self._normalised.setdefault(normalise(synonym), (entity.id, "synonym"))
        self._normalised.pop("", None)

    def link(self, text: str) -> tuple[str, str] | None:
        if text in self._exact:
            return self._exact[text], "exact"
        return self._normalised.get(normalise(text))


def verify_tags(tokens: list[str], tags: list[str], linker: EntityLinker, entity_type: str, policy: str = "remove",
                add_missing: bool = False) -> tuple[list[str], list[SpanDecision]]:
    """Check each labelled span against the KG; returns the new tags and every decision."""
    new_tags = list(tags)
    decisions = []
    for start, end in _spans(tags):
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


def _spans(tags: list[str]) -> list[tuple[int, int]]:
    spans, start = [], None
    for index, tag in enumerate([*tags, "O"]):
        if start is not None and not tag.startswith("I-"):
            spans.append((start, index))
            start = None
        if tag.startswith("B-"):
            start = index
    return spans


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
        linked = linker.link(detokenize(tokens[start:end]))
        if linked and len(normalise(detokenize(tokens[start:end]))) > 3:
            return end, linked
    return None
