"""The bundled seed sets and demo evaluation sets of the non-NER task families.

Each of the 12 tasks has `clingen_hf/seeds/<task>.jsonl` (few-shot seeds: 5 rows per class)
and `<task>.demo-eval.jsonl` (40 rows standing in for a benchmark). The rows were written for
this project; these tests keep them well formed, balanced and apart from each other.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from clingen_hf.core.tasks import get_task
from clingen_hf.generation.checks.gates import duplicate_reasons
from tests.iob2_checks import SEEDS_DIR, assert_valid_multi_type_iob2

TASKS = ("casi", "litcovid", "hoc", "gad", "cdr", "chemprot", "mediqa-rqe", "mediqa-nli", "mednli", "pubhealth",
         "healthver", "mqp")
KINDS = ("seeds", "demo")
SEEDS_PER_CLASS = 5
DEMO_ROWS = 40
CASI_SEED_ROWS = 12
HOC_DEMO_EMPTY = (6, 10)  # about 8 of 40 sentences name no hallmark, as in the real corpus
CASI_DEMO_ATTRIBUTE_FREE = (0.20, 0.30)
PROJECT_TOKENIZER = re.compile(r"\w[\w\u0300-\u036f]*|[^\w\s]")
ALL_MARKERS = ("@DISEASE$", "@GENE$", "@CHEMICAL$", "BC6ENTC", "BC6ENTG")
COLUMNS = {"token": {"tokens", "ner_tags"}, "single": {"text", "label"}, "multi": {"text", "labels"},
           "pair": {"text", "text_pair", "label"}}


def _path(task: str, kind: str) -> Path:
    return SEEDS_DIR / (f"{task}.jsonl" if kind == "seeds" else f"{task}.demo-eval.jsonl")


def _rows(task: str, kind: str) -> list[dict]:
    lines = _path(task, kind).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def _text(row: dict) -> str:
    """The text a row is compared by: the sentence, or both sentences of a pair."""
    if "tokens" in row:
        return " ".join(row["tokens"])
    return f"{row['text']} {row['text_pair']}" if "text_pair" in row else row["text"]


def _first_texts(row_lists: list[dict]) -> list[str]:
    return [" ".join(row["tokens"]) if "tokens" in row else row["text"] for row in row_lists]


def _normalise(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


def _class_counts(task: str, rows: list[dict]) -> Counter:
    spec = get_task(task)
    if spec.head == "token":
        return Counter(kind for row in rows for kind in {tag[2:] for tag in row["ner_tags"] if tag != "O"})
    if spec.head == "multi":
        return Counter(label for row in rows for label in row["labels"])
    return Counter(row["label"] for row in rows)


def test_every_new_task_is_covered() -> None:
    from clingen_hf.core.tasks import TASKS as REGISTRY

    assert set(TASKS) == {name for name, spec in REGISTRY.items() if spec.family != "ner"}


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("task", TASKS)
def test_rows_follow_the_schema_of_the_task_head(task: str, kind: str) -> None:
    spec = get_task(task)
    for row in _rows(task, kind):
        assert set(row) == COLUMNS[spec.head], row
        if spec.head == "token":
            assert row["tokens"] and all(isinstance(token, str) and token for token in row["tokens"])
            assert len(row["tokens"]) == len(row["ner_tags"]), row["tokens"]
            assert set(row["ner_tags"]) <= set(spec.labels), row["ner_tags"]
            continue
        assert isinstance(row["text"], str) and row["text"].strip() == row["text"] and row["text"]
        if spec.head == "pair":
            assert isinstance(row["text_pair"], str) and row["text_pair"].strip() == row["text_pair"]
            assert row["text_pair"] and row["text_pair"] != row["text"]
        if spec.head == "multi":
            assert isinstance(row["labels"], list) and len(set(row["labels"])) == len(row["labels"]), row
            assert set(row["labels"]) <= set(spec.labels), row["labels"]
        else:
            assert row["label"] in spec.labels, row["label"]


@pytest.mark.parametrize("task", TASKS)
def test_seed_sets_have_five_rows_per_class(task: str) -> None:
    spec = get_task(task)
    rows = _rows(task, "seeds")
    counts = _class_counts(task, rows)
    if spec.head == "token":
        assert len(rows) == CASI_SEED_ROWS
        assert all(counts[kind] >= SEEDS_PER_CLASS for kind in spec.entity_types), counts
        assert all(any(tag != "O" for tag in row["ner_tags"]) for row in rows)
    else:
        assert counts == {label: SEEDS_PER_CLASS for label in spec.labels}, counts
    if spec.head == "multi":
        assert all(row["labels"] for row in rows)
        assert any(len(row["labels"]) == 2 for row in rows)
        assert all(len(row["labels"]) <= 2 for row in rows)


@pytest.mark.parametrize("task", TASKS)
def test_demo_sets_have_forty_rows_with_balanced_classes(task: str) -> None:
    spec = get_task(task)
    rows = _rows(task, "demo")
    assert len(rows) == DEMO_ROWS
    counts = _class_counts(task, rows)
    if spec.head in ("single", "pair"):
        assert set(counts) == set(spec.labels), counts
        assert max(counts.values()) - min(counts.values()) <= 1, counts
    elif spec.head == "multi":
        empty = sum(1 for row in rows if not row["labels"])
        assert HOC_DEMO_EMPTY[0] <= empty <= HOC_DEMO_EMPTY[1], empty
        assert any(len(row["labels"]) == 2 for row in rows)
        assert set(counts) == set(spec.labels) and min(counts.values()) >= 3, counts
    else:
        free = sum(1 for row in rows if all(tag == "O" for tag in row["ner_tags"]))
        assert CASI_DEMO_ATTRIBUTE_FREE[0] <= free / len(rows) <= CASI_DEMO_ATTRIBUTE_FREE[1], free
        assert set(counts) == set(spec.entity_types), counts


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("task", TASKS)
def test_relation_texts_hold_each_marker_once(task: str, kind: str) -> None:
    spec = get_task(task)
    for row in _rows(task, kind):
        text = _text(row)
        if spec.family == "relation":
            assert [text.count(marker) for marker in spec.markers] == [1, 1], text
        others = [marker for marker in ALL_MARKERS if marker not in spec.markers]
        assert not any(marker in text for marker in others), text


@pytest.mark.parametrize("kind", KINDS)
def test_casi_tags_are_valid_iob2_over_the_six_attribute_types(kind: str) -> None:
    spec = get_task("casi")
    assert_valid_multi_type_iob2(_rows("casi", kind), spec.entity_types)


@pytest.mark.parametrize("kind", KINDS)
def test_casi_tokens_follow_the_project_tokenizer(kind: str) -> None:
    for row in _rows("casi", kind):
        assert PROJECT_TOKENIZER.findall(" ".join(row["tokens"])) == row["tokens"]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("task", TASKS)
def test_texts_within_a_file_are_distinct(task: str, kind: str) -> None:
    rows = _rows(task, kind)
    first = [text.lower() for text in _first_texts(rows)]
    assert len(set(first)) == len(first), [text for text, n in Counter(first).items() if n > 1]
    # no exact or near duplicates (word-trigram Jaccard >= 0.8, the generation gate's test)
    reasons = duplicate_reasons(_first_texts(rows), [])
    assert reasons == [None] * len(rows), [text for text, why in zip(_first_texts(rows), reasons) if why]


@pytest.mark.parametrize("task", TASKS)
def test_demo_rows_are_not_copies_of_seed_rows(task: str) -> None:
    seeds, demo = _rows(task, "seeds"), _rows(task, "demo")
    assert not {_normalise(text) for text in _first_texts(seeds)} & {_normalise(text) for text in _first_texts(demo)}
    assert not {_normalise(_text(row)) for row in seeds} & {_normalise(_text(row)) for row in demo}
    reasons = duplicate_reasons(_first_texts(demo), _first_texts(seeds), threshold=0.5)
    assert "near_copy_of_seed" not in reasons, [t for t, why in zip(_first_texts(demo), reasons) if why]
