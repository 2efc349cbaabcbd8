"""Checks on the spans an LLM labelled in a generated NER sentence, each recorded per span.

- style words (always): a span whose words all come from the row's writing style ("a report
  by a hematologist" -> "hematologist") is the style leaking into the labels: removed;
- the knowledge graph (`--verify-spans`): every span is linked to an entity of the task's
  type (exact name, normalised name, or synonym); spans that link are kept with the entity
  id, spans that do not are flagged or removed (policy); optionally, mentions of KG entities
  the LLM left unlabelled are added;
- the LLM itself (`--self-check`, `self_check.py`): each span confirmed or rejected against
  the task's annotation guidelines.

Every decision is a `SpanDecision` with its source, so each row says what changed and why.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

from .knowledge.graph import KnowledgeGraph
from .parsing import detokenize

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
    match: str | None = None  # exact | normalised | synonym
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
    for start, end in labelled_spans(tags):
        text = detokenize(tokens[start:end])
        key = normalise(text)
        if key and style_words.strip() and f" {key} " in style_words:
            new_tags[start:end] = ["O"] * (end - start)
            decisions.append(SpanDecision(text, start, end, "removed", source="style"))
    return new_tags, decisions


def labelled_spans(tags: list[str]) -> list[tuple[int, int]]:
    """(start, end) token ranges of the IOB2 spans, end exclusive."""
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
