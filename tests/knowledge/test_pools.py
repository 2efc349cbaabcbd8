import json

import pytest

from clingen_hf.knowledge.pools import (
    Pool,
    PoolError,
    add_unique,
    normalise,
    parse_list_items,
)


def test_list_items_from_what_llms_write():
    text = (
        "Here are some diseases:\n1. Asthma - a chronic airway disease\n2. **Type 2 diabetes**\n- Gout: painful joints\n"
        "* Lupus\n\nThese are common conditions that clinicians see every single day in their practice today."
    )
    assert parse_list_items(text, max_words=8) == ["Asthma", "Type 2 diabetes", "Gout", "Lupus"]


def test_normalised_duplicates_are_added_once():
    pool, seen = [], set()
    assert add_unique(pool, seen, ["Asthma", "asthma.", "Type-2 diabetes", "type 2 diabetes"]) == 2
    assert pool == ["Asthma", "Type-2 diabetes"] and normalise("  Type-2  Diabetes ") == "type 2 diabetes"


def test_pool_round_trip_and_bad_files(tmp_path):
    pool = Pool(kind="topics", items=["gout", "asthma"], provenance={"source": "llm"})
    pool.save(tmp_path / "topics.json")
    saved = json.loads((tmp_path / "topics.json").read_text())
    assert saved["count"] == 2 and saved["sha256_16"] == pool.content_hash()
    assert Pool.load(tmp_path / "topics.json", "topics").items == ["gout", "asthma"]
    (tmp_path / "bad.json").write_text("{oops")
    with pytest.raises(PoolError, match="bad.json: not valid JSON"):
        Pool.load(tmp_path / "bad.json", "topics")
    (tmp_path / "empty.json").write_text('{"items": []}')
    with pytest.raises(PoolError, match="non-empty list of strings"):
        Pool.load(tmp_path / "empty.json", "styles")
    with pytest.raises(PoolError, match="styles file not found"):
        Pool.load(tmp_path / "missing.json", "styles")
