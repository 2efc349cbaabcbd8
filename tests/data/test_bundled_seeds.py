"""The default few-shot seed sets bundled in ``clingen_hf/seeds``."""

from __future__ import annotations

import json

import pytest

from tests.iob2_checks import (
    ENTITY_TYPE_BY_TASK,
    SEEDS_DIR,
    TOKEN_PATTERN,
    assert_valid_iob2,
)

ROWS_PER_FILE = 12


def _load_rows(task: str) -> list[dict]:
    path = SEEDS_DIR / f"{task}.jsonl"
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [json.loads(line) for line in lines]


@pytest.mark.parametrize("task", sorted(ENTITY_TYPE_BY_TASK))
def test_seed_file_has_expected_rows(task: str) -> None:
    rows = _load_rows(task)
    assert len(rows) == ROWS_PER_FILE
    for row in rows:
        assert set(row) == {"tokens", "ner_tags"}
        assert isinstance(row["tokens"], list) and row["tokens"]
        assert all(isinstance(token, str) and token for token in row["tokens"])
        assert len(row["tokens"]) == len(row["ner_tags"])


@pytest.mark.parametrize("task", sorted(ENTITY_TYPE_BY_TASK))
def test_seed_tags_are_valid_iob2_of_the_task_type(task: str) -> None:
    rows = _load_rows(task)
    assert_valid_iob2(rows, ENTITY_TYPE_BY_TASK[task])
    for row in rows:
        assert any(tag.startswith("B-") for tag in row["ner_tags"]), row["tokens"]


@pytest.mark.parametrize("task", sorted(ENTITY_TYPE_BY_TASK))
def test_seed_tokens_match_regex_tokenizer(task: str) -> None:
    for row in _load_rows(task):
        assert TOKEN_PATTERN.findall(" ".join(row["tokens"])) == row["tokens"]


@pytest.mark.parametrize("task", sorted(ENTITY_TYPE_BY_TASK))
def test_seed_sentences_are_distinct(task: str) -> None:
    sentences = [" ".join(row["tokens"]) for row in _load_rows(task)]
    assert len(set(sentences)) == len(sentences)
