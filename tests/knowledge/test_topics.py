from clingen_hf.core.tasks import get_task
from clingen_hf.knowledge.topics import llm_topic_pool
from clingen_hf.llm.cache import CompletionCache
from clingen_hf.llm.client import LLMClient, LLMSettings
from tests.fake_openai import FakeOpenAI, Reply


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


def test_failed_listing_calls_are_counted_in_the_provenance(tmp_path):
    with FakeOpenAI() as server:
        server.script(Reply(status=500), "1. gout\n2. asthma", Reply(status=500), "1. migraine")
        settings = LLMSettings(base_url=server.base_url, model="m", max_retries=0)
        pool = llm_topic_pool(LLMClient(settings, CompletionCache(tmp_path / "c.sqlite")), get_task("ncbi-disease"),
                              target=300, max_calls=4)
    assert pool.items == ["gout", "asthma", "migraine"]
    assert pool.provenance["calls"] == 4 and pool.provenance["failed_calls"] == 2
    assert pool.provenance["failed_by_reason"] == {"llm_InternalServerError": 2}


def test_kg_topics_follow_the_chosen_weighting():
    from clingen_hf.core.tasks import get_task
    from clingen_hf.knowledge.topics import kg_topic_pool
    from tests.knowledge.test_graph import small_graph

    task = get_task("ncbi-disease")
    weighted = [kg_topic_pool(small_graph(), task, 20, seed) for seed in range(10)]
    uniform = [kg_topic_pool(small_graph(), task, 20, seed, weighting="uniform") for seed in range(10)]
    share = lambda pools: sum(p.items.count("migraine") for p in pools) / sum(len(p.items) for p in pools)  # noqa: E731
    assert share(weighted) > 0.8 and share(uniform) < 0.6  # migraine has 98 of the 100 weight units
    assert weighted[0].provenance["weighting"] == "kg" and uniform[0].provenance["weighting"] == "uniform"
    assert "uniformly" in uniform[0].provenance["weighting_rule"]
