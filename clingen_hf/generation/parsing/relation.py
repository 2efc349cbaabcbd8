"""Relation completions: a sentence that names two entities, turned into the task's marked
text ("... in @GENE$ gene ... predicting @DISEASE$ ...").

The prompt asks for ``Sentence: ...`` and one line per entity (``Disease: ...``,
``Gene: ...``). Each entity is looked up in the sentence by the name the model listed, then
by the planned topic; every occurrence is replaced by the entity's marker. A sentence that
already carries a marker (the model copied the demonstrations' format) keeps it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from clingen_hf.generation.parsing.ner import _LINE_PREFIX
from clingen_hf.generation.parsing.ner_fields import clean_entity
from clingen_hf.generation.parsing.text import parse_text_completion


@dataclass
class RelationParse:
    text: str | None
    entities: list[str] = field(default_factory=list)
    reason: str | None = None


def parse_relation_completion(
    completion: str, entity_words: tuple[str, str], markers: tuple[str, str], topics: tuple[str, str] | None = None
) -> RelationParse:
    listed, rest = _entity_lines(completion or "", entity_words)
    parsed = parse_text_completion(rest)
    if parsed.reason is not None:
        return RelationParse(parsed.text, reason=parsed.reason)
    text = parsed.text
    found: list[str] = []
    for index, (word, marker) in enumerate(zip(entity_words, markers)):
        candidates = [*listed[index], *([topics[index]] if topics else [])]
        text, name = _mark(text, marker, candidates)
        if name is None:
            return RelationParse(parsed.text, found, reason=f"{word}_not_in_text")
        found.append(name)
    return RelationParse(text, found)


def _entity_lines(completion: str, entity_words: tuple[str, str]) -> tuple[list[list[str]], str]:
    """The names listed on `Disease: ...` / `Gene: ...` lines, and the completion without them."""
    patterns = [re.compile(_LINE_PREFIX + rf"(?:the\s+)?{re.escape(word)}(?:\s+name)?s?\s*\d?\s*:\s*(.*)$", re.IGNORECASE)
                for word in entity_words]
    listed: list[list[str]] = [[] for _ in entity_words]
    kept = []
    for line in completion.splitlines():
        bare = re.sub(r"\*\*|__", "", line)
        matches = [pattern.match(bare) for pattern in patterns]
        hit = next((i for i, match in enumerate(matches) if match), None)
        if hit is None:
            kept.append(line)
            continue
        names = [clean_entity(part, entity_words[hit]) for part in re.split(r";|,", matches[hit].group(1))]
        listed[hit].extend(name for name in names if name)
    return listed, "\n".join(kept)


def _mark(text: str, marker: str, candidates: list[str]) -> tuple[str, str | None]:
    if marker in text:
        return text, marker
    for name in sorted(dict.fromkeys(candidates), key=len, reverse=True):
        pattern = re.compile(rf"(?<!\w){re.escape(name)}(?!\w)", re.IGNORECASE)
        if name and pattern.search(text):
            return pattern.sub(marker, text), name
    return text, None
