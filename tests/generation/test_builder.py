"""The builder as a `datasets` builder used from Python (README "Use it from Python")."""

import pytest

from clingen_hf.generation.builder import ClinGenBuilder, GenerationError
from clingen_hf.llm.client import LLMSettings


def make_builder(server, tmp_path):
    return ClinGenBuilder(config_name="clingen-kg", task="ncbi-disease", n=6, seed=0, cache_dir=str(tmp_path / "builds"),
                          llm=LLMSettings(base_url=server.base_url, model="fake-clinical"))


def test_the_report_is_part_of_the_result_also_when_the_builder_reuses_its_cache(clinical_llm, cache_dir, tmp_path):
    builder = make_builder(clinical_llm, tmp_path)
    with pytest.raises(GenerationError, match="call download_and_prepare"):
        builder.generation_report  # noqa: B018 - nothing generated yet
    builder.download_and_prepare()
    first = builder.generation_report
    rows = builder.as_dataset("train")["tokens"]
    assert first["counts"]["kept"] == len(rows) > 0 and first["few_shot_sha256"].startswith("sha256:")
    requests = len(clinical_llm.requests)
    again = make_builder(clinical_llm, tmp_path)  # a fresh builder, same config: its own Arrow cache answers
    again.download_and_prepare()
    assert again.report is None and again.as_dataset("train")["tokens"] == rows
    assert again.generation_report["counts"] == first["counts"]
    assert again.generation_report["usage"]["prompt_tokens"] == first["usage"]["prompt_tokens"]
    assert len(clinical_llm.requests) == requests  # not a single LLM call
    assert first["llm"]["model_fingerprint"] == "served:fake-clinical"
