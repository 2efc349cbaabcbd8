"""Natural display names for knowledge-graph entities: vocabularies write "Carcinoma, Renal Cell";
prompts want "renal cell carcinoma"."""


from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

_NUMBERED_SUFFIX = re.compile(r"^(?:\d+[A-Za-z]?|[IVX]+[A-Za-z]?)$")
_ENUMERATION_PART = re.compile(r"^(?:and|or|&)\s", re.IGNORECASE)


def natural_name(name: str, synonyms: Iterable[str] = ()) -> str:
    """A display name for `name` without MeSH-style inversion.

    "Anemia, Sickle Cell" -> "Sickle Cell Anemia"; "Leukemia, Myeloid, Acute" -> "Acute
    Myeloid Leukemia" (from its synonym "acute myeloid leukemia"). Order of preference:
    1. the name itself when it has no top-level ", " (commas inside parentheses and
       chemical locants such as "2,4-D" do not count), or when it is an enumeration such
       as "Abacavir, Dolutegravir, and Lamivudine";
    2. a comma-free synonym made of exactly the name's words, cased as in the name;
    3. a simple "X, Y" un-inverted to "Y X"; in Title Case (MeSH) also "X, Y, Z" -> "Z Y X";
    4. the comma-free synonym with the most similar word set (Jaccard >= 0.5; shortest on ties);
    5. the name unchanged.
    Step 2 comes before any other synonym because MeSH entry terms include plurals and
    abbreviations ("anll") that are worse than the un-inverted name.
    """
    name = " ".join(name.split()).strip(" ,")
    if ", " not in name:
        return name  # fast path: most names, and all of iBKH's millions of molecule names
    parts = _top_level_parts(name)
    if len(parts) == 1 or any(_ENUMERATION_PART.match(part) for part in parts[1:]):
        return name
    plain = [" ".join(s.split()) for s in synonyms if s and not _top_level_parts(s)[1:]]
    words = _word_key(name)
    for synonym in plain:
        if _word_key(synonym) == words:
            return _recase(synonym, name)
    if len(parts) == 2:
        return _uninvert(parts[0], parts[1])
    if _is_title_case(name):
        return " ".join(reversed(parts))
    scored = [(_jaccard(_word_key(s), words), -len(s), s) for s in plain]
    best = max(scored, default=None)
    return _recase(best[2], name) if best and best[0] >= 0.5 else name


def _jaccard(left: Sequence[str], right: Sequence[str]) -> float:
    return len(set(left) & set(right)) / len(set(left) | set(right))


def _top_level_parts(text: str) -> list[str]:
    """Split on ", " outside parentheses/brackets."""
    parts, depth, start = [], 0, 0
    for i, char in enumerate(text):
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth = max(depth - 1, 0)
        elif char == "," and depth == 0 and text[i + 1 : i + 2] == " ":
            parts.append(text[start:i].strip())
            start = i + 1
    parts.append(text[start:].strip())
    return [part for part in parts if part]


def _word_key(text: str) -> tuple[str, ...]:
    return tuple(sorted(text.replace(",", " ").lower().split()))


def _recase(synonym: str, name: str) -> str:
    """Give the synonym's words the casing they have in `name` (sources often lower-case
    their synonyms, and "Hiv" must stay "HIV"). In a sentence-case name the first word's
    capital is only positional, so it is not carried to another position."""
    cased = {word.lower(): word for word in name.replace(",", " ").split()}
    first = name.split()[0].rstrip(",")
    if not _is_title_case(name) and not _looks_like_acronym(first):
        cased[first.lower()] = first.lower()
    result = " ".join(cased.get(word.lower(), word) for word in synonym.split())
    return result[:1].upper() + result[1:] if name[:1].isupper() else result


def _is_title_case(name: str) -> bool:
    """ "Anemia, Sickle Cell" (MeSH) as opposed to "Deafness, autosomal dominant" (OMIM)."""
    words = [w for w in name.replace(",", " ").split() if len(w) > 3 and w[:1].isalpha()]
    return len(words) > 1 and all(w[:1].isupper() for w in words)


def _looks_like_acronym(word: str) -> bool:
    return sum(c.isupper() or c.isdigit() for c in word) > 1


def _uninvert(head: str, tail: str) -> str:
    if _NUMBERED_SUFFIX.match(tail):
        return f"{head} {tail}"  # "Pseudohyperkalemia, 2" is a numbered subtype, not an inversion
    if tail[:1].islower():  # sentence case ("Deafness, autosomal dominant"): move the capital
        return f"{tail[:1].upper()}{tail[1:]} {_lower_first_word(head)}"
    return f"{tail} {head}"


def _lower_first_word(text: str) -> str:
    return text if _looks_like_acronym(text.split(" ", 1)[0]) else text[:1].lower() + text[1:]


# --------------------------------------------------------------------------- sampling
