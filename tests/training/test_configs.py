from pathlib import Path

import pytest

from clingen_hf.training.config import load_config

CONFIGS = sorted((Path(__file__).resolve().parents[2] / "trainer_configs").glob("*.yaml"))


@pytest.mark.parametrize("path", CONFIGS, ids=[p.name for p in CONFIGS])
def test_shipped_configs_load(path):
    config = load_config(path)
    assert config.task and config.model and config.output_dir
