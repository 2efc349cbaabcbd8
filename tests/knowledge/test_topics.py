from clingen_hf.cache import CompletionCache
from clingen_hf.knowledge.topics import llm_topic_pool
from clingen_hf.llm import LLMClient, LLMSettings
from clingen_hf.tasks import get_task
from tests.fake_openai import FakeOpenAI


def test_llm_topics_until_target_unique_with_provenance(tmp_path):
    def numbered(start: int) -> str:
        return "\n".join(f"{i + 1}. Disease {n}" for i, n in enumerate(range(start, start + 100)))

    with FakeOpenAI() as server:
        server.script(numbered(0), numbered(50), numbered(150), numbered(400))
        client = LLMClient(LLMSettings(base_url=server.base_url, model="m"), CompletionCache(tmp_path / "c.sqlite"))
        pool = llm_topic_pool(client, get_task("ncbi-disease"), target=300, seed=3)
    assert len(server.requests) == 4  # 100, +50, +100 new = 250 < 300; the fourth reaches 350
    assert server.requests[0]["messages"][0]["content"].startswith(
        "Suppose you are a clinician and want to collect a set of diseases. Could you list 100 entities about diseases?"
    )
    assert len(pool.items) == 350 == len(set(pool.items))
    assert pool.provenance["model"] == "m" and pool.provenance["calls"] == len(server.requests)
