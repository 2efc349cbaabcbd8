"""Pytest plugin: one :class:`~tests.hub_server.LocalHub` per session and the ``local_hub`` fixture.

(PYTEST_DONT_REWRITE: nothing to rewrite here, and test modules may import this module
before pytest registers it as a plugin.)

Load it from ``tests/conftest.py`` with ``pytest_plugins = ["tests.conftest_hub"]`` (or
``pytest -p tests.conftest_hub``). Usage::

    def test_push(local_hub):
        DatasetDict(...).push_to_hub("org/name", config_name="a")
        assert "a/train-00000-of-00001.parquet" in local_hub.repo_files("org/name", repo_type="dataset")

Import-order design. ``huggingface_hub`` and ``datasets`` read ``HF_ENDPOINT``,
``HF_HUB_DISABLE_XET`` (and ``HF_HUB_OFFLINE``) once, when they are imported. So importing
this module, before any test module imports them, sets for the whole session:

* ``HF_ENDPOINT=http://127.0.0.1:<PORT>``: a port fixed once per session (a free one picked
  now, or the port of an ``HF_ENDPOINT`` that already points to 127.0.0.1); the session
  server binds exactly that port;
* ``HF_HUB_DISABLE_XET=1``, ``HF_HUB_DISABLE_TELEMETRY=1``, ``HF_UPDATE_DOWNLOAD_COUNTS=0``.

It leaves ``HF_HUB_OFFLINE`` / ``HF_DATASETS_OFFLINE`` alone, so the rest of the suite stays
offline. Instead ``local_hub`` switches the libraries online for one test only, by
monkeypatching the module-level flags they computed at import (``huggingface_hub.constants``
and ``datasets.config``: every read of them happens at call time), and points their caches
at the test's ``tmp_path`` so tests never see each other's downloads nor the user's cache.
"""

from __future__ import annotations

import os
import re
import socket
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.hub_server import LocalHub

__all__ = ["HUB_ENDPOINT", "HUB_PORT", "HUB_TOKEN", "local_hub", "local_hub_server"]

#: The token ``local_hub`` puts in ``HF_TOKEN``.
HUB_TOKEN = "hf_localhub_test_token"


def _session_port() -> int:
    match = re.fullmatch(r"http://127\.0\.0\.1:(\d+)/?", os.environ.get("HF_ENDPOINT", ""))
    if match:
        return int(match.group(1))
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


HUB_PORT = _session_port()
HUB_ENDPOINT = f"http://127.0.0.1:{HUB_PORT}"

os.environ["HF_ENDPOINT"] = HUB_ENDPOINT
os.environ["HF_HUB_DISABLE_XET"] = "1"
os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
os.environ["HF_UPDATE_DOWNLOAD_COUNTS"] = "0"


def _check_endpoint_applied() -> None:
    """Fail clearly if a client library was imported before this plugin set HF_ENDPOINT."""
    seen = {
        "huggingface_hub.constants.ENDPOINT": getattr(sys.modules.get("huggingface_hub.constants"), "ENDPOINT", None),
        "datasets.config.HF_ENDPOINT": getattr(sys.modules.get("datasets.config"), "HF_ENDPOINT", None),
    }
    stale = {name: value for name, value in seen.items() if value not in (None, HUB_ENDPOINT)}
    if stale:
        raise RuntimeError(
            f"The Hugging Face libraries were imported before tests.conftest_hub set HF_ENDPOINT={HUB_ENDPOINT} "
            f"(they use {stale}). Load the plugin first: `pytest_plugins = ['tests.conftest_hub']` in "
            "tests/conftest.py, or `pytest -p tests.conftest_hub`."
        )


def _go_online(monkeypatch: pytest.MonkeyPatch, cache: Path) -> None:
    """Switch huggingface_hub and datasets online, onto per-test caches, for one test."""
    import datasets.config as ds_config
    import huggingface_hub.constants as hub_constants
    from huggingface_hub import HfFileSystem

    hub_cache, ds_cache = cache / "hub", cache / "datasets"
    for name, value in {
        "HF_HUB_OFFLINE": False,
        "HF_HUB_DISABLE_XET": True,
        "HF_HUB_DISABLE_TELEMETRY": True,
        "HF_HUB_CACHE": str(hub_cache),
    }.items():
        monkeypatch.setattr(hub_constants, name, value)
    for name, value in {
        "HF_HUB_OFFLINE": False,
        "HF_DATASETS_OFFLINE": False,
        "HF_UPDATE_DOWNLOAD_COUNTS": False,  # else: a HEAD to s3.amazonaws.com per load
        "USE_PARQUET_EXPORT": False,  # else: GETs to datasets-server.<endpoint host>
        "HF_DATASETS_CACHE": ds_cache,
        "DOWNLOADED_DATASETS_PATH": ds_cache / "downloads",
        "EXTRACTED_DATASETS_PATH": ds_cache / "downloads" / "extracted",
    }.items():
        monkeypatch.setattr(ds_config, name, value)
    # For subprocesses started by the test (they import the libraries afresh).
    for name, value in {
        "HF_HUB_OFFLINE": "0",
        "HF_DATASETS_OFFLINE": "0",
        "HF_HUB_CACHE": str(hub_cache),
        "HF_DATASETS_CACHE": str(ds_cache),
        "HF_TOKEN": HUB_TOKEN,
    }.items():
        monkeypatch.setenv(name, value)
    # fsspec caches filesystem instances, and HfFileSystem caches listings and "repo exists" answers.
    HfFileSystem.clear_instance_cache()


@pytest.fixture(scope="session")
def local_hub_server() -> Iterator[LocalHub]:
    """The session's LocalHub, listening on HF_ENDPOINT. Prefer ``local_hub`` (fresh state)."""
    _check_endpoint_applied()
    with LocalHub(port=HUB_PORT) as hub:
        yield hub


@pytest.fixture
def local_hub(local_hub_server: LocalHub, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[LocalHub]:
    """An empty LocalHub (no repos, open auth, no faults) with the clients online and pointed at it.

    ``HF_TOKEN`` is :data:`HUB_TOKEN`; set ``local_hub.tokens = {...}`` to enforce auth.
    """
    local_hub_server.reset()
    _go_online(monkeypatch, tmp_path / "hf-cache")
    yield local_hub_server
    local_hub_server.reset()
