"""Free-text completions: the text of a classification sample, or one sentence of a pair.

Small models wrap the text: a preamble ("Sure! Here is a synthetic claim:"), a label
("Hypothesis: ..."), quotes, code fences, markdown, JSON, or notes after it ("Note: ...").
`parse_text_completion` keeps the text itself, or returns a failure reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from clingen_hf.generation.parsing.ner import is_placeholder
from clingen_hf.generation.parsing.ner_fields import (
    clean_sentence,
    literal_candidates,
    load_literal,
)
from clingen_hf.generation.parsing.tokens import tokenize

MIN_TEXT_TOKENS = 3
MAX_TEXT_TOKENS = 512

TEXT_FAILURE_REASONS = (
    "empty_completion",  # nothing but whitespace
    "no_text",  # only a preamble or labels, no text
    "refusal",  # the model declined ("I'm sorry, ...")
    "text_too_short",  # fewer than MIN_TEXT_TOKENS tokens
    "text_too_long",  # more than MAX_TEXT_TOKENS tokens
    "template_echo",  # the answer format's placeholder ("<the claim>") instead of a text
)

# Label words that introduce the text itself ("Claim:", "Health question:", "Synthetic text:").
_TEXT_LABEL_WORDS = ("text", "sentence", "question", "claim", "evidence", "hypothesis", "premise", "news",
                     "abstract", "document", "literature", "paragraph", "answer", "output", "statement", "title")
_LABEL_RE = re.compile(r"^\s*(?:#+\s*|[-*•+]\s+|\d+[.)]\s+)?(?P<label>[A-Za-z][A-Za-z0-9 ()'\-]{0,40}?)\s*:\s*(?P<rest>.*)$")
_STOP_LABELS = ("note", "explanation", "label", "relation", "reasoning", "rationale", "class", "category",
                "justification", "this ")
_PREAMBLE_RE = re.compile(r"^(?:sure|certainly|of course|okay|ok|here(?:'s| is| are)|below is)\b", re.IGNORECASE)
_REFUSAL_RE = re.compile(r"^(?:i'?m sorry|i am sorry|i cannot|i can't|as an ai)\b", re.IGNORECASE)
_FENCE_LINE_RE = re.compile(r"^\s*```")


@dataclass
class TextParse:
    text: str | None
    reason: str | None = None


def parse_text_completion(completion: str, max_tokens: int = MAX_TEXT_TOKENS) -> TextParse:
    if not completion or not completion.strip():
        return TextParse(None, "empty_completion")
    text = _text_from_json(completion) or _text_from_lines(completion)
    if not text or not any(ch.isalnum() for ch in text):
        return TextParse(None, "no_text")
    if _REFUSAL_RE.match(text):
        return TextParse(text, "refusal")
    if is_placeholder(text):
        return TextParse(text, "template_echo")
    count = len(tokenize(text))
    if count < MIN_TEXT_TOKENS:
        return TextParse(text, "text_too_short")
    if count > max_tokens:
        return TextParse(text, "text_too_long")
    return TextParse(text)


def _text_from_json(completion: str) -> str | None:
    if "{" not in completion:
        return None
    for candidate in literal_candidates(completion):
        record = load_literal(candidate)
        if isinstance(record, list) and record and isinstance(record[0], dict):
            record = record[0]
        if isinstance(record, dict):
            value = next((v for k, v in record.items() if isinstance(v, str) and _is_text_label(str(k))), None)
            if value:
                return clean_sentence(value)
    return None


def _text_from_lines(completion: str) -> str | None:
    lines = [re.sub(r"\*\*|__", "", line).rstrip() for line in completion.splitlines() if not _FENCE_LINE_RE.match(line)]
    start, first = _text_start(lines)
    if first is None:
        return None
    kept = [first] if first.strip() else []
    for line in lines[start + 1 :]:
        if _is_stop_line(line):
            break
        kept.append(line)
    return clean_sentence(" ".join(part.strip() for part in kept if part.strip())) or None


def _text_start(lines: list[str]) -> tuple[int, str | None]:
    """The line where the text starts (after a label, or the first line that is no preamble)."""
    for index, line in enumerate(lines):
        match = _LABEL_RE.match(line)
        if match and _is_text_label(match.group("label")):
            return index, match.group("rest")
    for index, line in enumerate(lines):
        stripped = line.strip()
        if not stripped or _is_stop_line(line):
            continue
        if stripped.endswith(":") or (_PREAMBLE_RE.match(stripped) and index + 1 < len(lines)):
            continue
        return index, stripped
    return 0, None


def _is_text_label(label: str) -> bool:
    words = label.lower().replace("_", " ").split()
    return bool(words) and words[-1].rstrip("s") in {w.rstrip("s") for w in _TEXT_LABEL_WORDS}


def _is_stop_line(line: str) -> bool:
    lowered = line.strip().lower()
    match = _LABEL_RE.match(line)
    return bool(match) and lowered.startswith(_STOP_LABELS)
