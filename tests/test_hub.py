import datasets

from clingen_hf.hub import write_card, write_config


def _rows(n: int) -> datasets.Dataset:
    return datasets.Dataset.from_dict({"tokens": [["Gout", str(i)] for i in range(n)], "ner_tags": [[1, 0]] * n})


def _report(n: int) -> dict:
    return {"task": "ncbi-disease", "method": "zerogen", "method_description": "d", "seed": 0, "k_shot": 5,
            "seeds_source": "s", "template_id": "t", "llm": {"model": "m", "temperature": 1.0, "top_p": 1.0, "max_tokens": 9},
            "pools": {}, "counts": {"requested": n, "kept": n, "dropped": {}, "entity_mentions": n,
            "entities_not_in_sentence": 0, "truncated": 0}, "usage": {"prompt_tokens": 1, "completion_tokens": 1,
            "cost_usd_label": "$0"}, "generated_at": "now", "clingen_hf_version": "0"}


def test_regenerated_directory_loads_the_new_rows_not_a_stale_cache(tmp_path):
    output = tmp_path / "synthetic"
    write_config(output, "zerogen", _rows(3), _report(3), {})
    assert len(datasets.load_dataset(str(output), "zerogen", split="train")) == 3
    write_config(output, "zerogen", _rows(5), _report(5), {})
    assert len(datasets.load_dataset(str(output), "zerogen", split="train")) == 5


def test_card_lists_every_config_and_defaults_to_clingen_kg(tmp_path):
    output = tmp_path / "synthetic"
    write_config(output, "zerogen", _rows(2), _report(2), {})
    write_config(output, "clingen-kg", _rows(2), {**_report(2), "method": "clingen-kg"}, {})
    card = (output / "README.md").read_text()
    assert card.index("config_name: clingen-kg") < card.index("default: true") < card.index("config_name: zerogen")
    assert not list(output.glob(".staging-*")) and not list(output.glob(".retired-*"))
    write_card(output)
    assert datasets.load_dataset(str(output), split="train")["tokens"][0] == ["Gout", "0"]
