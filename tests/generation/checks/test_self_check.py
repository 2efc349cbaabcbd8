import asyncio

from clingen_hf.core.tasks import get_task
from clingen_hf.generation.checks.self_check import (
    check_spans,
    parse_verdicts,
    self_check_prompt,
)
from clingen_hf.llm.cache import CompletionCache
from clingen_hf.llm.client import LLMClient, LLMSettings
from tests.fake_openai import FakeOpenAI

TASK = get_task("ncbi-disease")


def test_verdicts_numbered_unnumbered_and_unreadable():
    assert parse_verdicts("1. Yes\n2. no - a symptom", 2) == [True, False]
    assert parse_verdicts("**1.** no\n**2.** yes", 2) == [False, True]
    assert parse_verdicts("2: no\n1) yes", 2) == [True, False]
    assert parse_verdicts("yes\nNo.", 2) == [True, False]
    assert parse_verdicts("1. yes", 2) == [True, None]  # the second has no verdict
    assert parse_verdicts("I am not sure.", 1) == [None]


def test_prompt_lists_the_spans_with_the_guidelines():
    prompt = self_check_prompt(TASK, "Gout and fever were common .", ["Gout", "fever"])
    assert "Sentence: Gout and fever were common ." in prompt
    assert "1. Gout\n2. fever\n" in prompt and "Do not label symptoms" in prompt


def test_rejected_spans_are_unlabelled_and_every_verdict_is_recorded(tmp_path):
    tokens = ["Gout", "and", "fever", "were", "common", "in", "asthma", "."]
    tags = ["B-Disease", "O", "B-Disease", "O", "O", "O", "B-Disease", "O"]
    answers = {"Gout": "yes", "fever": "no"}  # no verdict for asthma

    def responder(request):
        prompt = request["messages"][0]["content"]
        phrases = prompt.split("Phrases:\n", 1)[1].split("\nAnswer", 1)[0].splitlines()
        return "\n".join(f"{i}. {answers[p.split('. ', 1)[1]]}" for i, p in enumerate(phrases, 1)
                         if p.split(". ", 1)[1] in answers)

    with FakeOpenAI(responder=responder) as server:
        settings = LLMSettings(base_url=server.base_url, model="m", temperature=0.0)
        llm = LLMClient(settings, CompletionCache(tmp_path / "c.sqlite"))
        new_tags, decisions, completion = asyncio.run(check_spans(tokens, tags, TASK, llm, sample_seed=3))
        again = asyncio.run(check_spans(tokens, tags, TASK, llm, sample_seed=3))
    assert new_tags == ["B-Disease", "O", "O", "O", "O", "O", "B-Disease", "O"]
    assert [(d.text, d.action, d.source) for d in decisions] == [
        ("Gout", "confirmed", "self_check"), ("fever", "rejected", "self_check"), ("asthma", "unchecked", "self_check")]
    assert server.requests[0]["temperature"] == 0.0 and len(server.requests) == 1  # the repeat came from the cache
    assert again[0] == new_tags and again[2].cached


def test_nothing_to_check_makes_no_call(tmp_path):
    llm = LLMClient(LLMSettings(base_url="http://127.0.0.1:9/v1", model="m"), CompletionCache(tmp_path / "c.sqlite"))
    assert asyncio.run(check_spans(["No", "disease", "."], ["O", "O", "O"], TASK, llm, 0)) == (["O", "O", "O"], [], None)
