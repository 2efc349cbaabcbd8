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

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from clingen_hf.generation.parsing.ner_fields import (
    Fields,
    clean_entities,
    clean_line,
    clean_sentence,
    fields_from_json,
    label_core,
    split_entity_text,
)
from clingen_hf.generation.parsing.tokens import detokenize, tokenize

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


def parse_ner_completion(text: str, entity_type: str) -> NERParse:
    """Parse one completion; ``entity_type`` is the tag suffix ("Disease", "Chemical")."""
    if not text or not text.strip():
        return _failure("empty_completion")
    sentence, entities = fields_from_json(text, entity_type) or _fields_from_lines(text, entity_type)
    tokens = tokenize(sentence) if sentence is not None else []
    if not any(_is_word(t) for t in tokens):
        return _failure("no_sentence")
    if is_placeholder(sentence):
        return _failure("template_echo", sentence)
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
    content_length = _content_length(lowered)
    spans: list[tuple[int, int]] = []
    found: list[str] = []
    dropped: list[str] = []
    seen: set[tuple[str, ...]] = set()
    for entity in entities:
        key = tuple(token.lower() for token in tokenize(entity))
        if not key or key in seen:
            continue
        seen.add(key)
        matches = _occurrences(lowered, key) if _is_plausible_entity(key, content_length) else []
        (found if matches else dropped).append(entity)
        spans.extend(matches)
    return _tags_for_spans(len(tokens), spans, entity_type), found, dropped


_PLACEHOLDER_RE = re.compile(r"^\s*<[^<>]{1,60}>[\s.]*$")


def is_placeholder(text: str) -> bool:
    """An answer-format placeholder echoed back, such as "<the sentence>"."""
    return bool(_PLACEHOLDER_RE.match(text))


def _is_word(token: str) -> bool:
    return bool(token) and (token[0].isalnum() or token[0] == "_")


def _content_length(sentence: list[str]) -> int:
    """Tokens from the first word to the last."""
    words = [i for i, token in enumerate(sentence) if _is_word(token)]
    return words[-1] - words[0] + 1 if words else 0


def _is_plausible_entity(key: tuple[str, ...], content_length: int) -> bool:
    """Not too long, with a word, and not the whole sentence."""
    if len(key) > MAX_ENTITY_TOKENS or not any(_is_word(t) for t in key):
        return False
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


@functools.lru_cache(maxsize=None)
def _entity_label_re(entity_type: str) -> re.Pattern[str]:
    core = label_core(entity_type)
    tail = r"(?:\s+(?:entit(?:y|ies)|names?|mentions?|list|terms?|found|identified|extracted|tags?))*"
    where = r"(?:\s+(?:in|from)\s+(?:the\s+)?(?:sentence|text))?"
    label = rf"(?:[A-Za-z]+\s+){{0,2}}?{core}{tail}{where}"
    return re.compile(_LINE_PREFIX + label + r"\s*(?:\([^)]*\))?\s*[\"']?\s*:\s*(.*)$", re.IGNORECASE)


@functools.lru_cache(maxsize=None)
def _glued_label_re(entity_type: str) -> re.Pattern[str]:
    """An entity label glued after the end of the sentence on the same line."""
    core = label_core(entity_type)
    label = rf"(?:named\s+)?{core}(?:\s+entit(?:y|ies))?\s*(?:\([^)]*\))?\s*:"
    return re.compile(rf"(?<=[.!?\"”'|;)])\s*{label}", re.IGNORECASE)




def _split_glued(lines: Iterable[str], glued: re.Pattern[str]) -> list[str]:
    result: list[str] = []
    for line in lines:
        match = glued.search(line)
        if match and line[: match.start()].strip():
            result.extend([line[: match.start()], line[match.start() :].strip()])
        else:
            result.append(line)
    return result




def _fields_from_lines(text: str, entity_type: str) -> Fields:
    lines = _split_glued((clean_line(line) for line in text.splitlines()), _glued_label_re(entity_type))
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
            return index, clean_sentence(match.group(1))
        return _next_content_line(lines, index + 1, entity_label)
    label_at = next((i for i, line in enumerate(lines) if entity_label.match(line)), None)
    if label_at is None:
        return len(lines), None
    previous = [i for i in range(label_at) if lines[i].strip()]
    if not previous or lines[previous[-1]].rstrip().endswith(":"):
        return len(lines), None
    return previous[-1], clean_sentence(lines[previous[-1]])


def _next_content_line(lines: list[str], start: int, entity_label: re.Pattern[str]) -> tuple[int, str | None]:
    for index in range(start, len(lines)):
        if entity_label.match(lines[index]):
            break
        if lines[index].strip():
            return index, clean_sentence(lines[index])
    return start, None


def _find_entities(lines: list[str], sentence_at: int, label: re.Pattern[str], entity_type: str) -> list[str] | None:
    order = [*range(sentence_at + 1, len(lines)), *range(min(sentence_at + 1, len(lines)))]
    for index in order:
        match = label.match(lines[index])
        if match is None or index == sentence_at:
            continue
        if match.group(1).strip():
            return split_entity_text(match.group(1), entity_type)
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
            items.extend(clean_entities([_EXPLANATION_RE.split(bullet.group(1), maxsplit=1)[0]], entity_type))
        elif not bulleted and not _ANY_LABEL_RE.match(line):
            items.extend(split_entity_text(line, entity_type))
        else:
            break
    return items


def iob2_spans(tags: list[str]) -> list[tuple[str, int, int]]:
    """(entity type, start, end exclusive) of every entity span of an IOB2 tag sequence, as
    seqeval's `get_entities` reads it for scoring (an `I-` after `O` or after another type
    starts a span), in one pass (seqeval's general reader is ~10x slower per sentence)."""
    spans = []
    start, kind = None, None
    for index, tag in enumerate(tags):
        prefix, _, tag_kind = tag.partition("-")
        if start is not None and (prefix != "I" or tag_kind != kind):
            spans.append((kind, start, index))
            start = None
        if start is None and prefix in ("B", "I"):
            start, kind = index, tag_kind
    if start is not None:
        spans.append((kind, start, len(tags)))
    return spans


def entities_from_tags(tokens: list[str], tags: list[str]) -> list[str]:
    """The entity strings of an IOB2-tagged sentence, deduplicated, in order of appearance."""
    return list(dict.fromkeys(detokenize(tokens[start:end]) for _, start, end in iob2_spans(tags)))
