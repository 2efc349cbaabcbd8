"""Turn an LLM's NER completion (a sentence plus a list of entities) into IOB2-tagged tokens.

The LLM is asked for ``Sentence: ...`` / ``Entities: a; b`` (or JSON), but small models drift:
code fences, prose around JSON, Python dict literals, markdown bold, numbering, quotes around
the sentence, bullet lists, the entity list glued to the sentence line, commentary after the
list. Everything here is defensive and never raises on odd input; an unusable completion gets
a short snake_case ``reason`` (see ``PARSE_FAILURE_REASONS``) so callers can count failures.

Tokenization follows the NCBI-Disease / BC5CDR files: runs of letters/digits and single
punctuation characters ("5-fluorouracil" -> "5 - fluorouracil", "0.5" -> "0 . 5").
"""

from __future__ import annotations

import ast
import json
import re
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from seqeval.metrics.sequence_labeling import get_entities

MIN_SENTENCE_TOKENS = 3
MAX_SENTENCE_TOKENS = 256
MAX_ENTITY_TOKENS = 12

PARSE_FAILURE_REASONS: tuple[str, ...] = (
    "empty_completion",  # nothing but whitespace
    "no_sentence",  # no sentence could be found (no "Sentence:" label, no JSON sentence key)
    "no_entity_list",  # a sentence, but no entity list at all (the commonest real failure)
    "sentence_too_short",  # fewer than MIN_SENTENCE_TOKENS tokens
    "sentence_too_long",  # more than MAX_SENTENCE_TOKENS tokens
    "template_echo",  # the answer format's placeholder ("<the sentence>") instead of a sentence
)

# ---------------------------------------------------------------------------------------------
# Tokenization
# ---------------------------------------------------------------------------------------------

# A word is a run of \w (letters in any script, digits, underscore) that may carry combining
# accents (decomposed "é"); anything else that is not whitespace is a token of its own.
_TOKEN_RE = re.compile(r"\w[\w\u0300-\u036f]*|[^\w\s]")
_NO_SPACE_BEFORE = frozenset(",.;:)]}%?!")
_NO_SPACE_AFTER = frozenset("([{°")  # "37 °C"
_JOINERS = frozenset("-/'’")  # "non-Hodgkin", "and/or", "Crohn's"


def tokenize(text: str) -> list[str]:
    """Split into word/number runs and single punctuation characters."""
    return _TOKEN_RE.findall(text)


def detokenize(tokens: list[str]) -> str:
    """Join tokens into readable text (for showing tokenized seed sentences to the LLM)."""
    pieces: list[str] = []
    quote_open = False
    for index, token in enumerate(tokens):
        if index and _space_before(tokens, index, quote_open):
            pieces.append(" ")
        pieces.append(token)
        if token == '"':
            quote_open = not quote_open
    return "".join(pieces)


def _space_before(tokens: list[str], index: int, quote_open: bool) -> bool:
    token, prev = tokens[index], tokens[index - 1]
    if token in _NO_SPACE_BEFORE or token in _JOINERS or prev in _NO_SPACE_AFTER or prev in _JOINERS:
        return False
    if token == '"' or prev == '"':
        # Before an opening quote and after a closing one: a space; inside the quotes: none.
        return not quote_open
    is_decimal = prev == "." and token.isdigit() and index >= 2 and tokens[index - 2].isdigit()
    return not is_decimal


# ---------------------------------------------------------------------------------------------
# Result type
# ---------------------------------------------------------------------------------------------


@dataclass
class NERParse:
    sentence: str | None
    tokens: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    entities: list[str] = field(default_factory=list)
    dropped_entities: list[str] = field(default_factory=list)
    reason: str | None = None

    @property
    def ok(self) -> bool:
        return self.reason is None


def _failure(reason: str, sentence: str | None = None) -> NERParse:
    assert reason in PARSE_FAILURE_REASONS, reason
    return NERParse(sentence=sentence, reason=reason)


# (sentence or None, entity list or None when the completion has no entity list at all)
_Fields = tuple[str | None, list[str] | None]


def parse_ner_completion(text: str, entity_type: str) -> NERParse:
    """Parse one completion; ``entity_type`` is the tag suffix ("Disease", "Chemical")."""
    if not text or not text.strip():
        return _failure("empty_completion")
    sentence, entities = _fields_from_json(text, entity_type) or _fields_from_lines(text, entity_type)
    if sentence is None or not any(_is_word(t) for t in tokenize(sentence)):
        return _failure("no_sentence")
    if is_placeholder(sentence):
        return _failure("template_echo", sentence)
    tokens = tokenize(sentence)
    if len(tokens) < MIN_SENTENCE_TOKENS:
        return _failure("sentence_too_short", sentence)
    if len(tokens) > MAX_SENTENCE_TOKENS:
        return _failure("sentence_too_long", sentence)
    if entities is None:
        return _failure("no_entity_list", sentence)
    tags, found, dropped = align_entities(tokens, entities, entity_type)
    return NERParse(sentence, tokens, tags, found, dropped, None)


# ---------------------------------------------------------------------------------------------
# Alignment
# ---------------------------------------------------------------------------------------------


def align_entities(tokens: list[str], entities: list[str], entity_type: str) -> tuple[list[str], list[str], list[str]]:
    """Tag every case-insensitive occurrence of each entity; return (tags, found, dropped).

    Overlapping matches: the longest wins, then the earliest. Entities without an occurrence,
    longer than MAX_ENTITY_TOKENS, without any word, or spanning the whole sentence are dropped.
    Both returned entity lists are de-duplicated (case-insensitively, by tokens) in input order.
    """
    lowered = [token.lower() for token in tokens]
    spans: list[tuple[int, int]] = []
    found: list[str] = []
    dropped: list[str] = []
    seen: set[tuple[str, ...]] = set()
    for entity in entities:
        key = tuple(token.lower() for token in tokenize(entity))
        if not key or key in seen:
            continue
        seen.add(key)
        matches = _occurrences(lowered, key) if _is_plausible_entity(key, lowered) else []
        (found if matches else dropped).append(entity)
        spans.extend(matches)
    return _tags_for_spans(len(tokens), spans, entity_type), found, dropped


_PLACEHOLDER_RE = re.compile(r"^\s*<[^<>]{1,60}>[\s.]*$")


def is_placeholder(text: str) -> bool:
    """An answer-format placeholder echoed back, such as "<the sentence>"."""
    return bool(_PLACEHOLDER_RE.match(text))


def _is_word(token: str) -> bool:
    return bool(token) and (token[0].isalnum() or token[0] == "_")


def _is_plausible_entity(key: tuple[str, ...], sentence: list[str]) -> bool:
    if len(key) > MAX_ENTITY_TOKENS or not any(_is_word(t) for t in key):
        return False
    words = [i for i, token in enumerate(sentence) if _is_word(token)]
    content_length = words[-1] - words[0] + 1 if words else 0
    return len(key) < content_length


def _occurrences(sentence: list[str], key: tuple[str, ...]) -> list[tuple[int, int]]:
    width = len(key)
    return [(i, i + width) for i in range(len(sentence) - width + 1) if tuple(sentence[i : i + width]) == key]


def _tags_for_spans(length: int, spans: Iterable[tuple[int, int]], entity_type: str) -> list[str]:
    tags = ["O"] * length
    taken = [False] * length
    for start, end in sorted(set(spans), key=lambda span: (span[0] - span[1], span[0])):
        if any(taken[start:end]):
            continue
        taken[start:end] = [True] * (end - start)
        tags[start] = f"B-{entity_type}"
        tags[start + 1 : end] = [f"I-{entity_type}"] * (end - start - 1)
    return tags


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


def _label_core(entity_type: str) -> str:
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


def _clean_entity(text: str, entity_type: str) -> str:
    text = text.strip().strip(_QUOTES + "* ").rstrip(".;:,!? ").strip(_QUOTES + " ")
    text = _strip_enclosing(text, [("[", "]"), ("(", ")")])
    for opening, closing in ("[]", "()"):
        text = _strip_unbalanced(text, opening, closing)
    type_tag = "|".join(re.escape(word) for word in [*_type_words(entity_type), "entity"])
    text = re.sub(rf"\s*[(\[](?:{type_tag})[)\]]$", "", text, flags=re.IGNORECASE)
    return text.strip().strip(_QUOTES + " ")


def _clean_entities(items: Iterable[str], entity_type: str) -> list[str]:
    cleaned = (_clean_entity(item, entity_type) for item in items)
    return [item for item in cleaned if item and not _is_none_marker(item)]


def _split_entity_text(text: str, entity_type: str) -> list[str]:
    """Split an inline list: 'a; b', 'a, b', '["a", "b"]', 'None'."""
    text = text.strip().rstrip(",").strip()
    if _is_none_marker(text):
        return []
    if text.startswith("["):
        literal = _load_literal(text)
        if isinstance(literal, list):
            return _entities_from_value(literal, entity_type)
    # Entity names can contain commas ("Neoplasms, Adnexal"): ';' wins when present.
    separator = ";" if ";" in text else ","
    return _clean_entities(text.split(separator), entity_type)


# ---------------------------------------------------------------------------------------------
# JSON / Python-literal completions
# ---------------------------------------------------------------------------------------------

_FENCE_RE = re.compile(r"```[A-Za-z]*[ \t]*\n?(.*?)```", re.DOTALL)
_MAX_BRACKET_CANDIDATES = 6
_ENTITY_TEXT_KEYS = ("text", "entity", "name", "mention", "span", "value")


def _load_literal(text: str) -> object | None:
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


def _literal_candidates(text: str) -> Iterator[str]:
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


def _fields_from_json(text: str, entity_type: str) -> _Fields | None:
    if "{" not in text:
        return None
    for candidate in _literal_candidates(text):
        record = _find_record(_load_literal(candidate))
        if record is not None:
            return _fields_from_record(record, entity_type)
    return None


def _fields_from_record(record: dict, entity_type: str) -> _Fields:
    sentence = next((v for k, v in record.items() if isinstance(k, str) and _is_sentence_key(k)), None)
    sentence = _clean_sentence(sentence) if isinstance(sentence, str) else None
    for key, value in record.items():
        if isinstance(key, str) and not _is_sentence_key(key) and _is_entity_key(key, entity_type):
            return sentence, _entities_from_value(value, entity_type)
    return sentence, None


def _entities_from_value(value: object, entity_type: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return _split_entity_text(value, entity_type)
    if isinstance(value, dict):  # {"Disease": [...]} or {"text": "asthma", "type": "Disease"}
        text = next((value[k] for k in _ENTITY_TEXT_KEYS if isinstance(value.get(k), str)), None)
        if text is not None:
            return _clean_entities([text], entity_type)
        return [item for child in value.values() for item in _entities_from_value(child, entity_type)]
    if isinstance(value, (list, tuple)):
        return [entity for item in value for entity in _entities_from_item(item, entity_type)]
    return _clean_entities([str(value)], entity_type)


def _entities_from_item(item: object, entity_type: str) -> list[str]:
    """One element of an entity list: a string is a single entity, never split on commas."""
    if isinstance(item, str):
        return _clean_entities([item], entity_type)
    return _entities_from_value(item, entity_type)


# ---------------------------------------------------------------------------------------------
# Line-format completions ("Sentence: ..." / "Entities: ...")
# ---------------------------------------------------------------------------------------------

# Optional markdown heading, bullet or numbering before a label, and an optional quote.
_LINE_PREFIX = r"^\s*(?:#+\s*|[-*•+]\s+|\d+[.)]\s+)?[\"']?"
_SENTENCE_LABEL_RE = re.compile(
    _LINE_PREFIX + r"(?:[A-Za-z]+\s+){0,3}?sentence\s*\d*\s*[\"']?\s*:\s*(.*)$", re.IGNORECASE
)
_BULLET_RE = re.compile(r"^\s*(?:[-*•+]|\d+[.)])\s+(.+)$")
_ANY_LABEL_RE = re.compile(r"^\s*[A-Za-z][A-Za-z ]{0,30}:")  # "Note:", "Explanation:"
_EXPLANATION_RE = re.compile(r":\s|\s[-–—]\s")  # "- asthma: a chronic ...", "- asthma - a chronic ..."


def _entity_label_re(entity_type: str) -> re.Pattern[str]:
    core = _label_core(entity_type)
    tail = r"(?:\s+(?:entit(?:y|ies)|names?|mentions?|list|terms?|found|identified|extracted|tags?))*"
    where = r"(?:\s+(?:in|from)\s+(?:the\s+)?(?:sentence|text))?"
    label = rf"(?:[A-Za-z]+\s+){{0,2}}?{core}{tail}{where}"
    return re.compile(_LINE_PREFIX + label + r"\s*(?:\([^)]*\))?\s*[\"']?\s*:\s*(.*)$", re.IGNORECASE)


def _glued_label_re(entity_type: str) -> re.Pattern[str]:
    """An entity label glued after the end of the sentence on the same line."""
    core = _label_core(entity_type)
    label = rf"(?:named\s+)?{core}(?:\s+entit(?:y|ies))?\s*(?:\([^)]*\))?\s*:"
    return re.compile(rf"(?<=[.!?\"”'|;)])\s*{label}", re.IGNORECASE)


def _clean_line(line: str) -> str:
    return re.sub(r"\*\*|__", "", line).rstrip()


def _split_glued(lines: Iterable[str], glued: re.Pattern[str]) -> list[str]:
    result: list[str] = []
    for line in lines:
        match = glued.search(line)
        if match and line[: match.start()].strip():
            result.extend([line[: match.start()], line[match.start() :].strip()])
        else:
            result.append(line)
    return result


def _clean_sentence(text: str) -> str:
    text = " ".join(_clean_line(text).split()).rstrip(",").strip()
    for _ in range(2):  # '"“The patient ...”"' -> 'The patient ...'
        text = _strip_enclosing(text, [('"', '"'), ("“", "”"), ("'", "'"), ("‘", "’")])
    if text.count('"') == 1:
        text = text.strip('"').strip()
    return text


def _fields_from_lines(text: str, entity_type: str) -> _Fields:
    lines = _split_glued((_clean_line(line) for line in text.splitlines()), _glued_label_re(entity_type))
    entity_label = _entity_label_re(entity_type)
    sentence_at, sentence = _find_sentence(lines, entity_label)
    return sentence, _find_entities(lines, sentence_at, entity_label, entity_type)


def _find_sentence(lines: list[str], entity_label: re.Pattern[str]) -> tuple[int, str | None]:
    """(index of the sentence line, sentence); unlabeled: the line before the entity label."""
    for index, line in enumerate(lines):
        if entity_label.match(line):
            continue
        match = _SENTENCE_LABEL_RE.match(line)
        if match is None:
            continue
        if match.group(1).strip():
            return index, _clean_sentence(match.group(1))
        return _next_content_line(lines, index + 1, entity_label)
    label_at = next((i for i, line in enumerate(lines) if entity_label.match(line)), None)
    if label_at is None:
        return len(lines), None
    previous = [i for i in range(label_at) if lines[i].strip()]
    if not previous or lines[previous[-1]].rstrip().endswith(":"):
        return len(lines), None
    return previous[-1], _clean_sentence(lines[previous[-1]])


def _next_content_line(lines: list[str], start: int, entity_label: re.Pattern[str]) -> tuple[int, str | None]:
    for index in range(start, len(lines)):
        if entity_label.match(lines[index]):
            break
        if lines[index].strip():
            return index, _clean_sentence(lines[index])
    return start, None


def _find_entities(lines: list[str], sentence_at: int, label: re.Pattern[str], entity_type: str) -> list[str] | None:
    order = [*range(sentence_at + 1, len(lines)), *range(min(sentence_at + 1, len(lines)))]
    for index in order:
        match = label.match(lines[index])
        if match is None or index == sentence_at:
            continue
        if match.group(1).strip():
            return _split_entity_text(match.group(1), entity_type)
        return _list_items(lines[index + 1 :], entity_type)
    return None


def _list_items(lines: list[str], entity_type: str) -> list[str]:
    """Entities listed one per line under an empty label; stops at a blank line or commentary."""
    items: list[str] = []
    bulleted: bool | None = None
    for line in lines:
        if not line.strip():
            if items:
                break
            continue
        bullet = _BULLET_RE.match(line)
        if bulleted is None:
            bulleted = bullet is not None
        if bulleted and bullet:
            items.extend(_clean_entities([_EXPLANATION_RE.split(bullet.group(1), maxsplit=1)[0]], entity_type))
        elif not bulleted and not _ANY_LABEL_RE.match(line):
            items.extend(_split_entity_text(line, entity_type))
        else:
            break
    return items


def iob2_spans(tags: list[str]) -> list[tuple[str, int, int]]:
    """(entity type, start, end exclusive) of every entity span of an IOB2 tag sequence, as
    seqeval reads it for scoring."""
    return [(kind, start, end + 1) for kind, start, end in get_entities(list(tags))]


def entities_from_tags(tokens: list[str], tags: list[str]) -> list[str]:
    """The entity strings of an IOB2-tagged sentence, deduplicated, in order of appearance."""
    return list(dict.fromkeys(detokenize(tokens[start:end]) for _, start, end in iob2_spans(tags)))
