from pathlib import Path

import pytest

from clingen_hf.knowledge import embedded
from clingen_hf.llm import cache
from clingen_hf.llm.cache import CompletionCache, completion_key

MESSAGES = [{"role": "user", "content": "Write a sentence about asthma."}]
HOME_CACHE = Path.home() / ".cache" / "clingen_hf"


def test_key_changes_with_model_identity_messages_params_and_seed():
    base = completion_key("m", "gguf-sha256:aa", MESSAGES, {"temperature": 1.0}, 0)
    assert base != completion_key("m2", "gguf-sha256:aa", MESSAGES, {"temperature": 1.0}, 0)
    assert base != completion_key("m", "gguf-sha256:bb", MESSAGES, {"temperature": 1.0}, 0)
    assert base != completion_key("m", "gguf-sha256:aa", MESSAGES, {"temperature": 0.5}, 0)
    assert base != completion_key("m", "gguf-sha256:aa", MESSAGES, {"temperature": 1.0}, 1)
    assert base == completion_key("m", "gguf-sha256:aa", [dict(MESSAGES[0])], {"temperature": 1.0}, 0)


def test_a_record_written_by_another_model_is_a_miss(tmp_path):
    store = CompletionCache(tmp_path / "c.sqlite")
    store.put("k", {"text": "from model A", "model_fingerprint": "gguf-sha256:aa"})
    store.put("old", {"text": "written before records named their model"})
    assert store.get("k", "gguf-sha256:aa")["text"] == "from model A"
    assert store.get("k", "gguf-sha256:bb") is None
    assert store.get("old", "gguf-sha256:aa") is None
    assert store.get("missing", "gguf-sha256:aa") is None


@pytest.mark.parametrize("decide", [cache.default_cache_dir, embedded.default_cache_dir])
def test_empty_or_unset_clingen_cache_means_the_home_cache(decide, monkeypatch, tmp_path):
    monkeypatch.setenv("CLINGEN_CACHE", "")
    assert decide() == HOME_CACHE
    monkeypatch.delenv("CLINGEN_CACHE")
    assert decide() == HOME_CACHE
    monkeypatch.setenv("CLINGEN_CACHE", str(tmp_path))
    assert decide() == tmp_path


def test_empty_clingen_cache_puts_the_completion_cache_at_home(monkeypatch, tmp_path):
    monkeypatch.setenv("CLINGEN_CACHE", "")
    monkeypatch.setattr(Path, "home", lambda: tmp_path)  # do not touch the real home cache
    CompletionCache.in_dir(None).close()
    assert (tmp_path / ".cache" / "clingen_hf" / "llm_cache.sqlite").is_file()
