"""Writing styles (paper 4.1.2, App. F.1): the LLM suggests kinds of text and authors like the
seeds; the suggestions are cleaned, de-duplicated and pooled.

Two prompts: `kinds` (default) asks for a kind of text with its author's role ("a PubMed
abstract by a geneticist") and keeps only suggestions that name one, without people or
institutions; `paper` is Listing 1 as published ("sources, speakers or authors"), whose answers
with small models are often named people and institutions ("Dr. John Doe", "the Dutch Genetic
Association") that then appear in the sentences and get labelled. Names never reach a prompt:
styles loaded from a file go through the same check.
"""

from __future__ import annotations

import re

from clingen_hf.core.prompts import render
from clingen_hf.core.tasks import TaskSpec
from clingen_hf.knowledge.pools import (
    Pool,
    add_unique,
    llm_provenance,
    parse_list_items,
)
from clingen_hf.llm.client import Completion, LLMClient

STYLE_PROMPTS = {"kinds": "style_kinds", "paper": "style_suggestion"}

# "Dr. Jane Roe, a genetic epidemiologist" -> "a genetic epidemiologist"
_PERSON_PREFIX = re.compile(r"^(?:(?:Dr|Prof|Mr|Mrs|Ms)\.?\s+)?[A-Z][a-z]+(?:\s+[A-Z]\.)?(?:\s+[A-Z][a-z]+)+,\s+")
_TITLE = re.compile(r"\b(?:Dr|Prof|Mr|Mrs|Ms)\b\.?\s+[A-Z]")
_ARTICLE = re.compile(r"^(?:a|an|the)\s+", re.IGNORECASE)
# Small models answer about the prompt itself ("the original training set", "an AI model");
# such "styles" would make the generated sentences talk about datasets.
_META = re.compile(r"training set|data ?set|generated|synthetic|\bai\b|language model|chatgpt|\bgpt|recognition",
                   re.IGNORECASE)
_INSTITUTION = re.compile(
    r"\b(?:association|society|institute|university|foundation|organi[sz]ation|agency|ministry|college|"
    r"academy|council|committee|corporation|company|inc|ltd|department of|journal of)\b",
    re.IGNORECASE,
)
# "a hospital discharge summary", "a clinic letter" name a setting; after a name ("Mayo Clinic",
# "St. Mary's Hospital", "Johns Hopkins Hospital") the same words name an institution.
_NAMED_SETTING = re.compile(r"\b[A-Z][\w.'’-]*\s+(?:Hospital|Clinic|Infirmary|Cent(?:er|re))s?\b")
# A style names a kind of text or an author's role; anything else is a name or an answer about something else.
_KIND_OF_TEXT = re.compile(
    r"\b(?:notes?|reports?|abstracts?|articles?|papers?|summar(?:y|ies)|letters?|records?|reviews?|studies|study|"
    r"trials?|guidelines?|textbooks?|forums?|posts?|blogs?|news|transcripts?|charts?|entr(?:y|ies)|messages?|"
    r"interviews?|lectures?|presentations?|questionnaires?|descriptions?|protocols?|bulletins?|leaflets?|"
    r"handouts?|websites?|statements?|case|cases|narratives?|documentation|write-?ups?|consultations?|"
    r"referrals?|diar(?:y|ies)|essays?|theses|thesis|publications?|manuals?|brochures?|emails?|releases?|"
    r"journals?|dialogues?|conversations?|updates?|books?|chapters?)\b|"
    r"\b\w+(?:ists?|ians?)\b|\b(?:nurses?|surgeons?|patients?|students?|residents?|parents?|caregivers?|staff|team|"
    r"experts?|authors?|writers?|reporters?|editors?|counse(?:l)?lors?|researchers?|workers?|practitioners?|"
    r"providers?|officers?|doctors?|directors?|lecturers?|bloggers?|teachers?|volunteers?|analysts?|"
    r"professionals?|pharmacists?|technicians?|coordinators?|investigators?|journalists?)\b",
    re.IGNORECASE,
)


def clean_style(item: str, strict: bool = True) -> str | None:
    """The style as a lower-case description, or None when it should not reach a prompt.
    `strict` (the `kinds` prompt and loaded files) also rejects institutions, proper names and
    anything that names neither a kind of text nor an author's role."""
    item = _PERSON_PREFIX.sub("", item.strip())
    if _TITLE.search(item) or _META.search(item):
        return None
    words = _ARTICLE.sub("", item).split()
    if strict and (_INSTITUTION.search(item) or _NAMED_SETTING.search(" ".join(words)) or _has_proper_name(words)
                   or not _KIND_OF_TEXT.search(item)):
        return None
    # Title Case becomes lower case; acronyms ("NIH") keep theirs
    return " ".join(word if word[1:] != word[1:].lower() else word.lower() for word in words) or None


def _has_proper_name(words: list[str]) -> bool:
    """A capitalised word after the first one, in a description that is not written in Title
    Case ("notes by Smith", "an abstract in The Lancet"); acronyms and CamelCase (PubMed) pass."""
    long_words = [w for w in words if len(w) > 3]
    title_case = long_words and all(w[0].isupper() for w in long_words)
    return not title_case and any(w[0].isupper() and w[1:].islower() for w in words[1:])


def style_pool(
    llm: LLMClient, task: TaskSpec, demonstrations: list[str], target: int = 30, max_calls: int = 15, seed: int = 0,
    prompt_kind: str = "kinds",
) -> Pool:
    template = STYLE_PROMPTS[prompt_kind]
    prompt = render(template, task_name=task.style_task_name, demonstrations=demonstrations)
    messages = [{"role": "user", "content": prompt}]
    items: list[str] = []
    seen: set[str] = set()
    rejected: list[str] = []
    completions: list[Completion] = []
    while len(completions) < max_calls and len(items) < target:
        batch = min(max_calls - len(completions), 5)
        answers = llm.complete_many([(messages, seed * 1000 + len(completions) + i) for i in range(batch)])
        completions.extend(answers)
        for completion in answers:
            kept, dropped = clean_styles(parse_list_items(completion.text, max_words=12), strict=prompt_kind == "kinds")
            add_unique(items, seen, kept)
            rejected.extend(dropped)
    provenance = llm_provenance(llm, template, completions, seed, prompt=prompt, rejected=sorted(set(rejected)))
    return Pool(kind="styles", items=items, provenance=provenance)


def clean_styles(suggestions: list[str], strict: bool = True) -> tuple[list[str], list[str]]:
    """(cleaned styles, rejected suggestions)."""
    kept, rejected = [], []
    for suggestion in suggestions:
        cleaned = clean_style(suggestion, strict)
        (kept if cleaned else rejected).append(cleaned or suggestion)
    return kept, rejected


def checked_style_pool(pool: Pool) -> Pool:
    """A styles file after the same check as LLM suggestions: what it rejects is recorded."""
    kept, rejected = clean_styles(pool.items)
    return Pool(kind="styles", items=kept, provenance={**pool.provenance, "rejected": rejected})
