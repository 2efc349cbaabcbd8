"""Entity strings and completion fields of NER answers: cleaning what the LLM listed, and
reading JSON or Python-literal answers."""

from __future__ import annotations

import ast
import functools
import json
import re
import warnings
from collections.abc import Iterable, Iterator

Fields = tuple[str | None, list[str] | None]  # (sentence, entities) a completion gave, None: absent


_BOLD_RE = re.compile(r"\*\*|__")


def clean_line(line: str) -> str:
    return _BOLD_RE.sub("", line).rstrip()


def clean_sentence(text: str) -> str:
    text = " ".join(clean_line(text).split()).rstrip(",").strip()
    for _ in range(2):  # '"“The patient ...”"' -> 'The patient ...'
        text = _strip_enclosing(text, [('"', '"'), ("“", "”"), ("'", "'"), ("‘", "’")])
    if text.count('"') == 1:
        text = text.strip('"').strip()
    return text


# ---------------------------------------------------------------------------------------------
# Entity labels and entity strings
# ---------------------------------------------------------------------------------------------

# Words an LLM uses instead of the label suffix ("Conditions:", "Drugs:").
_TYPE_ALIASES: dict[str, tuple[str, ...]] = {
    "disease": ("disorder", "condition"),
    "chemical": ("drug", "compound"),
}
_QUOTES = "\"'“”‘’`"
_NONE_WORDS = frozenset({"", "none", "n/a", "na", "nil", "null", "empty", "-", "—", "not applicable"})
_NONE_PHRASE_RE = re.compile(
    r"^(?:none\b|no\s+(?:\w+\s+){0,3}?(?:entit\w*|found|identified|mentioned|present|detected)\b)", re.IGNORECASE
)


def _type_words(entity_type: str) -> list[str]:
    stem = entity_type.lower()
    return [stem, *_TYPE_ALIASES.get(stem, ())]


@functools.lru_cache(maxsize=None)
def label_core(entity_type: str) -> str:
    """Regex for the head word of an entity-list label: "entities", "diseases", "drug", ..."""
    types = "|".join(re.escape(word) for word in _type_words(entity_type))
    return rf"(?:entit(?:y|ies)|(?:{types})(?:e?s)?)"


def _is_entity_key(key: str, entity_type: str) -> bool:
    norm = re.sub(r"[^a-z]", "", key.lower())
    return "entit" in norm or any(word in norm for word in _type_words(entity_type))


def _is_sentence_key(key: str) -> bool:
    norm = re.sub(r"[^a-z]", "", key.lower())
    return "entit" not in norm and ("sentence" in norm or norm == "text")


def _is_none_marker(text: str) -> bool:
    bare = text.strip().strip(_QUOTES + "[]().!* ").lower()
    return bare in _NONE_WORDS or bool(_NONE_PHRASE_RE.match(bare))


def _strip_enclosing(text: str, pairs: Iterable[tuple[str, str]]) -> str:
    for opening, closing in pairs:
        inner = text[1:-1]
        if text.startswith(opening) and text.endswith(closing) and opening not in inner and closing not in inner:
            return inner.strip()
    return text


def _strip_unbalanced(text: str, opening: str, closing: str) -> str:
    if text.startswith(opening) and text.count(opening) > text.count(closing):
        text = text[1:]
    if text.endswith(closing) and text.count(closing) > text.count(opening):
        text = text[:-1]
    return text.strip()


def clean_entity(text: str, entity_type: str) -> str:
    text = text.strip().strip(_QUOTES + "* ").rstrip(".;:,!? ").strip(_QUOTES + " ")
    text = _strip_enclosing(text, [("[", "]"), ("(", ")")])
    for opening, closing in ("[]", "()"):
        text = _strip_unbalanced(text, opening, closing)
    text = _type_tag_re(entity_type).sub("", text)
    return text.strip().strip(_QUOTES + " ")


@functools.lru_cache(maxsize=None)
def _type_tag_re(entity_type: str) -> re.Pattern[str]:
    """A trailing "(disease)" / "[entity]" after an entity name."""
    type_tag = "|".join(re.escape(word) for word in [*_type_words(entity_type), "entity"])
    return re.compile(rf"\s*[(\[](?:{type_tag})[)\]]$", re.IGNORECASE)


def clean_entities(items: Iterable[str], entity_type: str) -> list[str]:
    cleaned = (clean_entity(item, entity_type) for item in items)
    return [item for item in cleaned if item and not _is_none_marker(item)]


def split_entity_text(text: str, entity_type: str) -> list[str]:
    """Split an inline list: 'a; b', 'a, b', '["a", "b"]', 'None'."""
    text = text.strip().rstrip(",").strip()
    if _is_none_marker(text):
        return []
    if text.startswith("["):
        literal = load_literal(text)
        if isinstance(literal, list):
            return _entities_from_value(literal, entity_type)
    # Entity names can contain commas ("Neoplasms, Adnexal"): ';' wins when present.
    separator = ";" if ";" in text else ","
    return clean_entities(text.split(separator), entity_type)


# ---------------------------------------------------------------------------------------------
# JSON / Python-literal completions
# ---------------------------------------------------------------------------------------------

_FENCE_RE = re.compile(r"```[A-Za-z]*[ \t]*\n?(.*?)```", re.DOTALL)
_MAX_BRACKET_CANDIDATES = 6
_ENTITY_TEXT_KEYS = ("text", "entity", "name", "mention", "span", "value")


def load_literal(text: str) -> object | None:
    """json.loads, then ast.literal_eval (single quotes, trailing commas); never eval."""
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        pass
    try:
        with warnings.catch_warnings():  # compile() warns about e.g. "1a" or a stray backslash escape
            warnings.simplefilter("ignore", category=SyntaxWarning)
            warnings.simplefilter("ignore", category=DeprecationWarning)
            return ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return None


def literal_candidates(text: str) -> Iterator[str]:
    for match in _FENCE_RE.finditer(text):
        yield match.group(1).strip()
    starts = [m.start() for m in re.finditer(r"[\[{]", text)][:_MAX_BRACKET_CANDIDATES]
    ends = [m.end() for m in re.finditer(r"[\]}]", text)][::-1][:_MAX_BRACKET_CANDIDATES]
    for start in starts:
        for end in ends:
            if end > start:
                yield text[start:end]


def _find_record(value: object, depth: int = 0) -> dict | None:
    """The first dict (searching lists and nested dicts) that has a sentence key."""
    if depth > 3:
        return None
    if isinstance(value, dict):
        if any(isinstance(key, str) and _is_sentence_key(key) for key in value):
            return value
        children: Iterable[object] = value.values()
    elif isinstance(value, list):
        children = value
    else:
        return None
    for child in children:
        record = _find_record(child, depth + 1)
        if record is not None:
            return record
    return None


def fields_from_json(text: str, entity_type: str) -> Fields | None:
    if "{" not in text:
        return None
    for candidate in literal_candidates(text):
        record = _find_record(load_literal(candidate))
        if record is not None:
            return _fields_from_record(record, entity_type)
    return None


def _fields_from_record(record: dict, entity_type: str) -> Fields:
    sentence = next((v for k, v in record.items() if isinstance(k, str) and _is_sentence_key(k)), None)
    sentence = clean_sentence(sentence) if isinstance(sentence, str) else None
    for key, value in record.items():
        if isinstance(key, str) and not _is_sentence_key(key) and _is_entity_key(key, entity_type):
            return sentence, _entities_from_value(value, entity_type)
    return sentence, None


def _entities_from_value(value: object, entity_type: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return split_entity_text(value, entity_type)
    if isinstance(value, dict):  # {"Disease": [...]} or {"text": "asthma", "type": "Disease"}
        text = next((value[k] for k in _ENTITY_TEXT_KEYS if isinstance(value.get(k), str)), None)
        if text is not None:
            return clean_entities([text], entity_type)
        return [item for child in value.values() for item in _entities_from_value(child, entity_type)]
    if isinstance(value, (list, tuple)):
        return [entity for item in value for entity in _entities_from_item(item, entity_type)]
    return clean_entities([str(value)], entity_type)


def _entities_from_item(item: object, entity_type: str) -> list[str]:
    """One element of an entity list: a string is a single entity, never split on commas."""
    if isinstance(item, str):
        return clean_entities([item], entity_type)
    return _entities_from_value(item, entity_type)
