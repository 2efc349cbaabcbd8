"""Completion parsing, one module per answer shape: NER (`ner`: sentence + entity list ->
IOB2), attributes (`attributes`: sentence + one list per attribute type), free text
(`text`: classification texts and the sentences of pairs), relations (`relation`: a
sentence naming two entities -> the text with the task's entity markers).

Parsers never raise on odd completions; a failure is a short snake_case reason to count.
"""

from clingen_hf.generation.parsing.attributes import parse_attribute_completion
from clingen_hf.generation.parsing.ner import (
    MAX_SENTENCE_TOKENS,
    MIN_SENTENCE_TOKENS,
    PARSE_FAILURE_REASONS,
    NERParse,
    align_entities,
    entities_from_tags,
    parse_ner_completion,
)
from clingen_hf.generation.parsing.relation import (
    RelationParse,
    parse_relation_completion,
)
from clingen_hf.generation.parsing.text import TextParse, parse_text_completion
from clingen_hf.generation.parsing.tokens import detokenize, tokenize

__all__ = [
    "MAX_SENTENCE_TOKENS",
    "MIN_SENTENCE_TOKENS",
    "PARSE_FAILURE_REASONS",
    "NERParse",
    "RelationParse",
    "TextParse",
    "align_entities",
    "detokenize",
    "entities_from_tags",
    "parse_attribute_completion",
    "parse_ner_completion",
    "parse_relation_completion",
    "parse_text_completion",
    "tokenize",
]
