"""The small demo evaluation sets bundled in ``clingen_hf/seeds/*.demo-eval.jsonl``.

They stand in for a real benchmark when none is given, so they must be well formed,
hold at least 200 sentences, contain a realistic share of entity-free sentences, and never overlap the task's seed set.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.iob2_checks import (
    ENTITY_TYPE_BY_TASK,
    SEEDS_DIR,
    TOKEN_PATTERN,
    assert_valid_iob2,
)

TASKS = sorted(ENTITY_TYPE_BY_TASK)
MIN_ROWS = 200  # F1 in steps of well under a point; 40 rows gave steps of about 2
MIN_ENTITY_FREE_SHARE = 0.20
MAX_ENTITY_FREE_SHARE = 0.30
MAX_MENTIONS_PER_ROW = 3


def _read_jsonl(path: Path) -> list[dict]:
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [json.loads(line) for line in lines]


def _demo_rows(task: str) -> list[dict]:
    return _read_jsonl(SEEDS_DIR / f"{task}.demo-eval.jsonl")


def _mentions(tags: list[str]) -> int:
    return sum(1 for tag in tags if tag.startswith("B-"))


@pytest.mark.parametrize("task", TASKS)
def test_demo_file_parses_with_expected_rows(task: str) -> None:
    rows = _demo_rows(task)
    assert len(rows) >= MIN_ROWS
    for row in rows:
        assert set(row) == {"tokens", "ner_tags"}
        assert isinstance(row["tokens"], list) and row["tokens"]
        assert isinstance(row["ner_tags"], list)
        assert all(isinstance(token, str) and token for token in row["tokens"])
        assert all(isinstance(tag, str) for tag in row["ner_tags"])
        assert len(row["tokens"]) == len(row["ner_tags"]), row["tokens"]


@pytest.mark.parametrize("task", TASKS)
def test_demo_tags_are_valid_iob2_of_the_task_type(task: str) -> None:
    assert_valid_iob2(_demo_rows(task), ENTITY_TYPE_BY_TASK[task])


@pytest.mark.parametrize("task", TASKS)
def test_demo_entity_free_share_is_realistic(task: str) -> None:
    rows = _demo_rows(task)
    entity_free = sum(1 for row in rows if _mentions(row["ner_tags"]) == 0)
    share = entity_free / len(rows)
    assert MIN_ENTITY_FREE_SHARE <= share <= MAX_ENTITY_FREE_SHARE, (entity_free, len(rows))


@pytest.mark.parametrize("task", TASKS)
def test_demo_rows_with_entities_have_one_to_three_mentions(task: str) -> None:
    for row in _demo_rows(task):
        assert _mentions(row["ner_tags"]) <= MAX_MENTIONS_PER_ROW, row["tokens"]


@pytest.mark.parametrize("task", TASKS)
def test_demo_tokens_match_regex_tokenizer(task: str) -> None:
    for row in _demo_rows(task):
        assert TOKEN_PATTERN.findall(" ".join(row["tokens"])) == row["tokens"]


@pytest.mark.parametrize("task", TASKS)
def test_demo_sentences_are_distinct(task: str) -> None:
    sentences = [" ".join(row["tokens"]) for row in _demo_rows(task)]
    assert len(set(sentences)) == len(sentences)


@pytest.mark.parametrize("task", TASKS)
def test_demo_sentences_do_not_overlap_the_bundled_seeds(task: str) -> None:
    seed_sentences = {" ".join(row["tokens"]) for row in _read_jsonl(SEEDS_DIR / f"{task}.jsonl")}
    demo_sentences = {" ".join(row["tokens"]) for row in _demo_rows(task)}
    assert not demo_sentences & seed_sentences


def test_bc5cdr_demo_sets_share_the_same_sentences() -> None:
    disease = _demo_rows("bc5cdr-disease")
    chemical = _demo_rows("bc5cdr-chemical")
    assert [row["tokens"] for row in disease] == [row["tokens"] for row in chemical]
    for disease_row, chemical_row in zip(disease, chemical):
        # A token is never both a disease and a chemical mention.
        for disease_tag, chemical_tag in zip(disease_row["ner_tags"], chemical_row["ner_tags"]):
            assert disease_tag == "O" or chemical_tag == "O", disease_row["tokens"]


BUILD_SOURCES = {  # task -> (build script, the markup keys of that task's file)
    "ncbi-disease": ("build_ncbi_disease", None),
    "chemdner": ("build_chemdner", None),
    "bc5cdr-disease": ("build_bc5cdr", "D"),
    "bc5cdr-chemical": ("build_bc5cdr", "C"),
}


@pytest.mark.parametrize("task", sorted(BUILD_SOURCES))
def test_bundled_set_is_what_its_build_script_makes(task, monkeypatch):
    """The annotated markup in docs/demo_eval/ is the source of truth: both passes rebuilt from
    it (without writing anything) equal the committed first-pass file and the bundled set."""
    import importlib

    demo_eval = Path(__file__).resolve().parents[2] / "docs" / "demo_eval"
    monkeypatch.syspath_prepend(str(demo_eval))
    script_name, key = BUILD_SOURCES[task]
    script = importlib.import_module(script_name)
    markup = importlib.import_module("markup")
    first = markup.rows(script.FIRST_PASS, script.TYPES)[key]
    final_markup = markup.apply_corrections(script.FIRST_PASS, script.CORRECTIONS, script.FIRST_ROW_NUMBER)
    final = markup.rows(final_markup, script.TYPES)[key]
    assert first == _read_jsonl(demo_eval / f"{task}.first-pass.jsonl")
    assert final == _demo_rows(task)
