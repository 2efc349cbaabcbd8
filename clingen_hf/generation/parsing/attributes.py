"""Attribute completions (CASI): a sentence and one list per attribute type
(``Medication: ...``, ``Dosage: ...``), aligned to IOB2 tags over all types at once.

Each type's list is found with the NER parser's label rules; spans of different types that
overlap keep the one listed first in the task's type order.
"""

from __future__ import annotations

from clingen_hf.generation.parsing.ner import (
    NERParse,
    align_entities,
    iob2_spans,
    parse_ner_completion,
)


def parse_attribute_completion(completion: str, entity_types: tuple[str, ...]) -> NERParse:
    per_type = [parse_ner_completion(completion, entity_type) for entity_type in entity_types]
    with_sentence = next((parse for parse in per_type if parse.sentence and parse.tokens), None)
    if with_sentence is None:
        return per_type[0]
    tokens = with_sentence.tokens
    tags = ["O"] * len(tokens)
    found: list[str] = []
    dropped: list[str] = []
    for entity_type, parse in zip(entity_types, per_type):
        type_tags, type_found, type_dropped = align_entities(tokens, parse.entities + parse.dropped_entities, entity_type)
        _merge(tags, type_tags)
        found.extend(typed_entity(entity_type, name) for name in type_found)
        dropped.extend(typed_entity(entity_type, name) for name in type_dropped)
    return NERParse(with_sentence.sentence, tokens, tags, found, dropped, None)


def typed_entity(entity_type: str, name: str) -> str:
    """How an attribute row lists one of its entities: ``"Dosage: 5 mg"``."""
    return f"{entity_type}: {name}"


def _merge(tags: list[str], new_tags: list[str]) -> None:
    """Add the spans of `new_tags` that do not overlap a span already in `tags`."""
    for _, start, end in iob2_spans(new_tags):
        if all(t == "O" for t in tags[start:end]):
            tags[start:end] = new_tags[start:end]
