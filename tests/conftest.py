import os
import sys
from pathlib import Path

import pytest

pytest_plugins = ["tests.conftest_hub"]

# Nothing in the tests may reach the Hub; these are read once, when the libraries import.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
os.environ.setdefault("HF_EVALUATE_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.clinical_responder import clinical_responder  # noqa: E402
from tests.fake_openai import FakeOpenAI  # noqa: E402


@pytest.fixture
def clinical_llm():
    with FakeOpenAI(responder=clinical_responder, model="fake-clinical") as server:
        yield server


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    directory = tmp_path / "cache"
    monkeypatch.setenv("CLINGEN_CACHE", str(directory))
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    return directory
