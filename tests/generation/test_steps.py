"""The batched map helpers of the generation steps: which columns they convert, keep and type."""

import random

import datasets
import pyarrow as pa
import pytest

from clingen_hf.generation.steps import (
    ROWS_PER_BATCH,
    BatchColumns,
    LazyRow,
    columns_of,
    lazy_rows,
    map_rows,
    shuffled_order,
)


def _fail_late(row: dict) -> dict:
    """No failure in the first batch, one in a later one."""
    return {"drop_reason": "late_failure" if row["index"] == ROWS_PER_BATCH + 5 else None}


def test_a_column_all_none_in_the_first_batch_takes_values_in_a_later_one():
    rows = datasets.Dataset.from_dict({"index": list(range(ROWS_PER_BATCH + 10)), "drop_reason": [None] * (ROWS_PER_BATCH + 10)})
    assert rows.features["drop_reason"].dtype == "null"

    mapped = map_rows(rows, _fail_late, {}, "failing late", "fail-late")

    reasons = mapped["drop_reason"][:]
    assert reasons[ROWS_PER_BATCH + 5] == "late_failure"
    assert sum(reason is not None for reason in reasons) == 1
    assert mapped.features["drop_reason"] == datasets.Value("string")


def _label_id(row: dict) -> dict:
    return {"label": ["no", "yes"].index(row["label"])}


def test_a_step_may_change_a_columns_type_and_other_columns_stay_as_they_were():
    rows = datasets.Dataset.from_dict({"label": ["yes", "no", "yes"], "tokens": [["a"], ["b", "c"], []],
                                       "score": [0.5, 1.5, 2.5]})

    mapped = map_rows(rows, _label_id, {}, "label ids", "label-ids")

    assert mapped["label"][:] == [1, 0, 1]
    assert mapped.column_names == ["label", "tokens", "score"]
    assert mapped["tokens"][:] == [["a"], ["b", "c"], []]
    assert mapped.features["score"] == rows.features["score"]
    assert mapped.format["type"] is None  # a plain dataset again, not Arrow-formatted


def _keep_unless_told(row: dict) -> dict:
    """Rows that return no `note` keep theirs."""
    return {"note": "changed"} if row["change"] else {}


def test_a_column_a_row_leaves_out_keeps_that_rows_value():
    rows = datasets.Dataset.from_dict({"change": [True, False, True], "note": ["a", "b", "c"]})

    mapped = map_rows(rows, _keep_unless_told, {}, "notes", "notes")

    assert mapped["note"][:] == ["changed", "b", "changed"]


def test_lazy_rows_read_like_dicts_in_order():
    rows = datasets.Dataset.from_dict({"text": [f"t{i}" for i in range(2500)], "n": list(range(2500))})

    read = list(lazy_rows(rows))

    assert len(read) == 2500
    assert [row["n"] for row in read] == list(range(2500))
    assert dict(read[1234]) == {"text": "t1234", "n": 1234}
    with pytest.raises(KeyError):
        read[0]["missing"]
    assert read[0].get("missing") is None


@pytest.mark.parametrize("length", [0, 1, 2, 7, 40])
def test_shuffled_order_is_the_order_random_shuffle_gives(length):
    items = [f"demo {i}" for i in range(length)]
    expected = list(items)
    random.Random(13).shuffle(expected)

    assert [items[i] for i in shuffled_order(13, length)] == expected


def test_columns_no_row_reads_stay_arrow():
    batch = pa.table({"change": [True, False], "big": ["x" * 1000, "y" * 1000]})
    columns = BatchColumns(batch)

    mapped = columns_of(batch, [LazyRow(columns, 0), LazyRow(columns, 1)], [{"note": "a"}, {"note": "b"}])

    assert set(columns.lists) == set()  # every row gave its `note`: nothing read
    assert mapped.column("big").equals(batch.column("big"))
    assert mapped.column_names == ["change", "big", "note"]
    LazyRow(columns, 1)["change"]
    assert set(columns.lists) == {"change"}
