import json

import pytest

from clingen_hf.cli.train import main as train_main
from clingen_hf.training.config import TrainConfigError, load_config
from clingen_hf.training.trainer import train


def config_for(tiny_model, tmp_path, **overrides):
    values = {"task": "ncbi-disease", "model": tiny_model, "output_dir": str(tmp_path / "run"), "seeds": [0],
              "epochs": 1, "stage1_epochs": 1, "learning_rate": 5e-3, "batch_size": 8, "max_length": 32}
    return load_config(None, {**values, **overrides})


def test_supervised_few_is_stage_one_only(tiny_model, ner_data, tmp_path):
    results = train(config_for(tiny_model, tmp_path, protocol="supervised-few", real=ner_data["real"]))
    assert results["per_seed"][0]["steps"] == {"stage1": 1}  # 5 few-shot sentences, batch 8, one epoch
    assert results["synthetic"] is None


def test_supervised_full_trains_on_the_real_split_minus_validation(tiny_model, ner_data, tmp_path):
    results = train(config_for(tiny_model, tmp_path, protocol="supervised-full", real=ner_data["real"]))
    assert results["per_seed"][0]["steps"]["stage1"] >= 4  # most of the 40 real sentences (duplicates collapse)


@pytest.mark.parametrize("save", ["adapter", "merged"])
def test_lora_saves_adapter_or_merged_weights(save, tiny_model, ner_data, tmp_path):
    config = config_for(tiny_model, tmp_path, real=ner_data["real"], synthetic=ner_data["synthetic"],
                        peft={"r": 4, "lora_alpha": 8, "target_modules": ["query", "value"], "save": save})
    results = train(config)
    model_dir = tmp_path / "run" / "model"
    assert (model_dir / "adapter_config.json").exists() == (save == "adapter")
    assert (model_dir / "config.json").exists() == (save == "merged")
    assert "library_name: peft" in (model_dir / "README.md").read_text()
    assert results["config"]["peft"]["r"] == 4


def test_cli_overrides_and_summary(tiny_model, ner_data, tmp_path, capsys):
    config_file = tmp_path / "config.yaml"
    config_file.write_text(f"task: ncbi-disease\nmodel: {tiny_model}\noutput_dir: {tmp_path / 'run'}\nprotocol: two-stage\n"
                           "epochs: 1\nbatch_size: 8\nmax_length: 32\n")
    code = train_main([str(config_file), "--synthetic", ner_data["synthetic"], "--real", ner_data["real"],
                       "--seeds", "0", "1", "--learning-rate", "0.005"])
    assert code == 0
    out = capsys.readouterr().out
    assert "ncbi-disease / two-stage" in out and "dev" in out
    saved = json.loads((tmp_path / "run" / "results.json").read_text())
    assert saved["config"]["seeds"] == [0, 1] and saved["config"]["learning_rate"] == 0.005


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"lr": "1"}, "unknown config key(s): lr"),
        ({"synthetic": None, "protocol": "two-stage"}, "needs synthetic data"),
        ({"real": "/no/such/folder"}, "not a folder and not loadable"),
        ({"synthetic": "/no/such/dir:clingen-kg"}, "cannot load it"),
        ({"eval_splits": ["test"]}, "has no ['test'] split"),
        ({"protocol": "magic"}, "protocol 'magic' is not one of"),
        ({"peft": {"rank": 4}}, "unknown key(s) under 'peft': rank"),
        ({"epochs": "six"}, "epochs: cannot read 'six'"),
    ],
)
def test_bad_config_is_a_clear_error(overrides, message, tiny_model, ner_data, tmp_path):
    values = {"real": ner_data["real"], "synthetic": ner_data["synthetic"], **overrides}
    with pytest.raises(TrainConfigError) as error:
        train(config_for(tiny_model, tmp_path, **values))
    assert message in str(error.value)


def test_label_mismatch_between_synthetic_and_task(tiny_model, ner_data, tmp_path):
    from pathlib import Path

    chemical_real = tmp_path / "chemical-real"
    chemical_real.mkdir()
    for name in ("train.tsv", "devel.tsv"):
        text = (Path(ner_data["real"]) / name).read_text().replace("Disease", "Chemical")
        (chemical_real / name).write_text(text)
    with pytest.raises(TrainConfigError, match=r"label mismatch: the data's labels are \['O', 'B-Disease', 'I-Disease'\]"):
        train(config_for(tiny_model, tmp_path, task="bc5cdr-chemical", real=str(chemical_real), synthetic=ner_data["synthetic"]))
    with pytest.raises(TrainConfigError, match="real data: .*not labels of bc5cdr-chemical"):
        train(config_for(tiny_model, tmp_path, task="bc5cdr-chemical", real=ner_data["real"], synthetic=ner_data["synthetic"]))


def test_missing_config_file_exits_2(tmp_path, capsys):
    assert train_main([str(tmp_path / "missing.yaml")]) == 2
    err = capsys.readouterr().err
    assert "train.py: error: config file" in err and "not found" in err
