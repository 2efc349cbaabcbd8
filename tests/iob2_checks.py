"""Checks shared by the tests of the bundled IOB2 files (seed sets and demo evaluation sets)."""

import re
from pathlib import Path

SEEDS_DIR = Path(__file__).resolve().parents[1] / "clingen_hf" / "seeds"
TOKEN_PATTERN = re.compile(r"\w+|[^\w\s]")
ENTITY_TYPE_BY_TASK: dict[str, str] = {
    "ncbi-disease": "Disease",
    "bc5cdr-disease": "Disease",
    "bc5cdr-chemical": "Chemical",
    "chemdner": "Chemical",
}


def assert_valid_iob2(rows: list[dict], entity_type: str) -> None:
    """Every tag is O, B-<type> or I-<type>, and no I- follows an O (strict IOB2)."""
    assert_valid_multi_type_iob2(rows, (entity_type,))


def assert_valid_multi_type_iob2(rows: list[dict], entity_types: tuple[str, ...]) -> None:
    """As `assert_valid_iob2` for tasks with several entity types (CASI): every tag is O or
    B-/I- of one of `entity_types`, and an I- tag continues a mention of the same type."""
    allowed = {"O"} | {f"{prefix}-{kind}" for kind in entity_types for prefix in ("B", "I")}
    for row in rows:
        tags = row["ner_tags"]
        assert set(tags) <= allowed, (tags, row["tokens"])
        previous = "O"
        for tag in tags:
            if tag.startswith("I-"):
                assert previous != "O" and previous[2:] == tag[2:], (tag, row["tokens"])
            previous = tag
