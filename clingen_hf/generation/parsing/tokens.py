"""Words and punctuation: the tokenizer every family's parsing and the bundled data share, and
its inverse for showing tokens as text."""

from __future__ import annotations

import re

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
