"""What every task's head says about its data: one list of columns, the label column last."""

from __future__ import annotations

import json

import pytest

from clingen_hf.core.tasks import TASKS
from clingen_hf.core.tasks.base import HEAD_COLUMNS
from clingen_hf.data.seeds import seed_features
from tests.iob2_checks import SEEDS_DIR


@pytest.mark.parametrize("name", sorted(TASKS))
def test_columns_come_from_the_head_and_match_the_bundled_files(name):
    task = TASKS[name]
    assert task.columns == HEAD_COLUMNS[task.head]
    assert task.label_column == task.columns[-1]
    assert tuple(seed_features(task)) == task.columns
    for kind in ("", ".demo-eval"):
        first_row = json.loads((SEEDS_DIR / f"{name}{kind}.jsonl").read_text(encoding="utf-8").splitlines()[0])
        assert set(task.columns) <= set(first_row), (name, kind)
