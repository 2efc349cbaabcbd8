"""A model trained on a published dataset version is pushed with a card linking that version."""

from pathlib import Path

from huggingface_hub import HfApi, ModelCard

from clingen_hf.hub.publish import publish_dataset
from clingen_hf.training.config import load_config
from clingen_hf.training.trainer import train


def test_model_push_links_the_dataset_revision(local_hub, tiny_model, ner_data, tmp_path):
    synthetic_dir = ner_data["synthetic"].rsplit(":", 1)[0]
    publish_dataset(synthetic_dir, "clingen/ncbi-synthetic", "v1.0.0")
    config = load_config(None, {
        "task": "ncbi-disease", "model": tiny_model, "output_dir": str(tmp_path / "run"), "seeds": [0], "epochs": 1,
        "batch_size": 8, "max_length": 32, "learning_rate": 5e-3, "real": ner_data["real"],
        "synthetic": "clingen/ncbi-synthetic@v1.0.0:clingen-kg",
        "push": {"repo_id": "clingen/ncbi-disease-tiny", "version": "v1.0.0"},
    })
    results = train(config)
    assert results["synthetic"] == {"source": "clingen/ncbi-synthetic", "config": "clingen-kg", "revision": "v1.0.0",
                                    "hub": True, "rows": 48}
    tags = HfApi().list_repo_refs("clingen/ncbi-disease-tiny").tags
    assert [t.name for t in tags] == ["v1.0.0"] and results["pushed"]["commit"] == tags[0].target_commit
    card = ModelCard.load("clingen/ncbi-disease-tiny")
    assert card.data.datasets == ["clingen/ncbi-synthetic"]
    assert "`clingen/ncbi-synthetic`, config `clingen-kg`, revision `v1.0.0`" in card.content
    assert card.data.eval_results[0].metric_type == "f1"
    assert Path(tmp_path / "run" / "results.json").exists()
