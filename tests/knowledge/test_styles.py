import pytest

from clingen_hf.core.tasks import get_task
from clingen_hf.knowledge.pools import Pool
from clingen_hf.knowledge.styles import checked_style_pool, clean_style, style_pool
from clingen_hf.llm.cache import CompletionCache
from clingen_hf.llm.client import LLMClient, LLMSettings
from tests.fake_openai import FakeOpenAI, Reply


def test_person_names_and_articles_are_removed():
    assert clean_style("Dr. John Doe, a genetic epidemiologist") == "genetic epidemiologist"
    assert clean_style("Jane Roe, a pediatric nurse") == "pediatric nurse"
    assert clean_style("A clinical case report") == "clinical case report"
    assert clean_style("Dr. Smith") is None
    assert clean_style("NIH funding reports") == "NIH funding reports"
    assert clean_style("Scientific Research Journal") == "scientific research journal"
    assert clean_style("original training set") is None and clean_style("AI model") is None
    assert clean_style("random generated sentences") is None


def test_institutions_proper_names_and_non_styles_are_rejected():
    assert clean_style("The Dutch Genetic Association") is None
    assert clean_style("World Health Organization report") is None
    assert clean_style("an abstract in The Lancet") is None and clean_style("notes by Smith") is None
    assert clean_style("John Smith") is None  # names neither a kind of text nor a role
    assert clean_style("a PubMed abstract by a geneticist") == "PubMed abstract by a geneticist"
    assert clean_style("Emergency Department Triage Note by a Nurse") == "emergency department triage note by a nurse"
    assert clean_style("John Smith", strict=False) == "john smith"  # the paper prompt's light cleaning


@pytest.mark.parametrize("style", [
    "a hospital discharge summary by an internist",
    "A Hospital Discharge Summary by an Internist",
    "an emergency department triage note",
    "a clinic letter",
    "an outpatient clinic note by a nurse",
])
def test_kinds_of_text_that_name_a_setting_are_kept(style):
    assert clean_style(style) == " ".join(style.split()[1:]).lower()


@pytest.mark.parametrize("style", [
    "Mayo Clinic", "a Mayo Clinic patient letter", "Johns Hopkins Hospital discharge summary",
    "St. Mary's Hospital", "a discharge summary from St. Mary's Hospital", "The Cleveland Clinic",
    "notes by Dr. Smith", "John Smith's clinic notes", "a hospital newsletter by the American Heart Association",
])
def test_named_institutions_and_people_are_rejected(style):
    assert clean_style(style) is None


def test_styles_file_goes_through_the_same_check():
    pool = checked_style_pool(Pool(kind="styles", items=["patient forum post", "Mayo Clinic"], provenance={"source": "file"}))
    assert pool.items == ["patient forum post"] and pool.provenance["rejected"] == ["Mayo Clinic"]


def test_style_pool_uses_the_papers_prompt_and_dedupes(tmp_path):
    first = "1. **Clinical case reports**\n2. Genetic epidemiologists\n3. Dr. Jane Roe, a pediatric neurologist"
    later = "- Medical research abstracts\n- clinical case reports\n- Patient-doctor dialogues"

    def by_seed(request):  # the answer follows the request's seed, not the order concurrent requests arrive in
        return first if request["seed"] < 3 else later

    with FakeOpenAI(responder=by_seed) as server:
        client = LLMClient(LLMSettings(base_url=server.base_url, model="m"), CompletionCache(tmp_path / "c.sqlite"))
        pool = style_pool(client, get_task("ncbi-disease"), ["Gout is common.", "Asthma flares."], target=30, max_calls=15,
                          prompt_kind="paper")
    prompt = server.requests[0]["messages"][0]["content"]
    assert prompt.startswith("Suppose you need to generate a synthetic clinical text dataset on disease entity recognition tasks.")
    assert "Gout is common.\nAsthma flares." in prompt
    assert pool.items == [
        "clinical case reports", "genetic epidemiologists", "pediatric neurologist",
        "medical research abstracts", "patient-doctor dialogues",
    ]
    assert pool.provenance["calls"] == 15 and len({r["seed"] for r in server.requests}) == 15


def test_failed_style_calls_are_counted_in_the_provenance(tmp_path):
    with FakeOpenAI(responder=lambda request: "1. clinical case report") as server:
        server.script(Reply(status=500), Reply(status=500))
        settings = LLMSettings(base_url=server.base_url, model="m", max_retries=0)
        pool = style_pool(LLMClient(settings, CompletionCache(tmp_path / "c.sqlite")), get_task("ncbi-disease"),
                          ["Gout is common."], target=30, max_calls=5)
    assert pool.items == ["clinical case report"]
    assert pool.provenance["calls"] == 5 and pool.provenance["failed_calls"] == 2
