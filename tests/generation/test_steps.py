"""The map functions of a generation run (clingen_hf/generation/steps.py)."""

import datasets

from clingen_hf.core.tasks import get_task
from clingen_hf.generation.steps import complete_and_parse_row, map_llm_calls
from clingen_hf.llm.cache import CompletionCache
from clingen_hf.llm.client import LLMClient, LLMSettings
from tests.fake_openai import FakeOpenAI


def _row(prompt: str, drop_reason: str | None = None) -> dict:
    return {"prompt": prompt, "sample_seed": 7, "prompt_tokens": 0, "completion_tokens": 0, "cost_usd": 0.0,
            "drop_reason": drop_reason}


def test_each_answer_is_parsed_in_the_llm_step_and_a_failed_row_makes_no_call(tmp_path):
    task = get_task("ncbi-disease")
    answers = {"good": "Sentence: Patients with gout improved .\nEntities: gout", "bad": "I cannot help with that."}
    with FakeOpenAI(responder=lambda body: answers[body["messages"][0]["content"]]) as server:
        llm = LLMClient(LLMSettings(base_url=server.base_url, model="fake-model"), CompletionCache(tmp_path / "c.sqlite"))
        rows = datasets.Dataset.from_list([_row("good"), _row("bad"), _row("", drop_reason="no_topic")])
        parsed = map_llm_calls(rows, complete_and_parse_row, llm, {"task": task, "step": ""}, "LLM completions", "test-llm")
        calls = len(server.requests)
    good, bad, skipped = parsed.to_list()
    assert good["tokens"] == ["Patients", "with", "gout", "improved", "."] and good["drop_reason"] is None
    assert [task.labels[tag] for tag in good["ner_tags"]] == ["O", "O", "B-Disease", "O", "O"]
    assert good["completion"] == answers["good"] and good["completion_tokens"] > 0
    assert bad["tokens"] == [] and bad["drop_reason"] is not None and bad["completion"] == answers["bad"]
    assert skipped["drop_reason"] == "no_topic" and skipped["completion"] == "" and skipped["tokens"] == []
    assert calls == 2
