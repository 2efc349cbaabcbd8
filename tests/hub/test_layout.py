import json
import shutil
from pathlib import Path

import datasets

from clingen_hf.cli import main
from clingen_hf.hub.layout import (
    REPORT_FILE,
    public_source_name,
    write_card,
    write_config,
)
from tests.paths import IBKH_FIXTURE


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


def test_card_and_report_name_local_sources_without_their_folders(clinical_llm, cache_dir, tmp_path):
    seeds = tmp_path / "ncbi_disease" / "train.tsv"
    seeds.parent.mkdir()
    seeds.write_text("".join(f"Gout{i}\tB-Disease\nflares\tO\nagain\tO\n\n" for i in range(6)))
    kg = shutil.copytree(IBKH_FIXTURE, tmp_path / "ibkh")
    styles = tmp_path / "pools" / "styles.json"
    styles.parent.mkdir()
    styles.write_text(json.dumps({"items": ["nursing notes"]}))
    output = tmp_path / "out"
    assert main(["generate", "--task", "ncbi-disease", "--method", "clingen-kg", "--n", "4", "--llm-base-url",
                 clinical_llm.base_url, "--llm-model", "fake-clinical", "--output", str(output), "--seeds", str(seeds),
                 "--kg", str(kg), "--styles", str(styles)]) == 0
    card = (output / "README.md").read_text()
    published = [card, *(path.read_text() for path in output.glob("clingen-kg/**/*.json"))]
    for text in published:
        assert not [part for part in tmp_path.parts[1:] if part in text]
    report = json.loads((output / "clingen-kg" / REPORT_FILE).read_text())
    assert report["seeds_source"] == "ncbi_disease/train.tsv" and "from ncbi_disease/train.tsv" in card
    assert report["pools"]["topics"]["kg_source"] == "iBKH:ibkh" and "KG `iBKH:ibkh`" in card
    assert report["pools"]["styles"]["loaded_from"] == "pools/styles.json" and "loaded from `pools/styles.json`" in card
    assert "extended|ncbi_disease" in card


def test_public_source_name():
    assert public_source_name("/data/corpora/ncbi_disease/train.tsv") == "ncbi_disease/train.tsv"
    assert public_source_name("/data/corpora/ncbi_disease") == "ncbi_disease"
    assert public_source_name(str(Path.home() / "seeds.tsv")) == "seeds.tsv"
    assert public_source_name("iBKH:/data/ibkh") == "iBKH:ibkh"
    for unchanged in ("bigbio/ncbi_disease", "the bundled ncbi-disease seed set", "embedded: MeSH 2025 (MeSH)"):
        assert public_source_name(unchanged) == unchanged



def test_local_paths_are_named_publicly_wherever_they_occur_and_failed_pool_calls_reach_the_card(tmp_path):
    topics = {"source": "kg", "kg_source": "iBKH:/home/someone/ibkh", "kg_version": "v",
              "kg_gap": "no relations in iBKH:/home/someone/ibkh; the pairs were listed by the LLM instead",
              "count": 3, "sha256_16": "abc"}
    styles = {"source": "llm", "calls": 4, "failed_calls": 2, "count": 1, "sha256_16": "def"}
    report = {**_report(2), "seeds_source": "/home/someone/corpora/ncbi/dev.tsv",
              "pools": {"topics": topics, "styles": styles}}
    output = tmp_path / "synthetic"
    write_config(output, "zerogen", _rows(2), report, {})
    written = (output / "zerogen" / REPORT_FILE).read_text()
    card = (output / "README.md").read_text()
    assert "someone" not in written and "someone" not in card
    assert "no relations in iBKH:ibkh;" in card and "from ncbi/dev.tsv" in card
    assert "4 LLM calls of which 2 failed" in card
