"""Checks shared by the tests of the bundled IOB2 files (seed sets and demo evaluation sets)."""


def assert_valid_iob2(rows: list[dict], entity_type: str) -> None:
    """Every tag is O, B-<type> or I-<type>, and no I- follows an O (strict IOB2)."""
    allowed = {"O", f"B-{entity_type}", f"I-{entity_type}"}
    for row in rows:
        tags = row["ner_tags"]
        assert set(tags) <= allowed, (tags, row["tokens"])
        previous = "O"
        for tag in tags:
            if tag.startswith("I-"):
                assert previous != "O", row["tokens"]
            previous = tag
