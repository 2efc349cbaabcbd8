"""`accelerate launch --multi_gpu --num_processes 2 train.py CONFIG` on a CPU machine: two processes
train data parallel over gloo, the main process alone writes one model and one results file."""

from __future__ import annotations

import json
import os
import shutil
import subprocess

import pytest
import yaml

from tests.paths import REPO_ROOT

pytestmark = pytest.mark.skipif(shutil.which("accelerate") is None, reason="the accelerate CLI is not on PATH")


def write_config(tmp_path, tiny_model, ner_data, output: str) -> str:
    config = {"task": "ncbi-disease", "model": tiny_model, "output_dir": str(tmp_path / output), "seeds": [0],
              "protocol": "two-stage", "synthetic": ner_data["synthetic"], "real": ner_data["real"],
              "epochs": 2, "stage1_epochs": 2, "learning_rate": 5e-3, "batch_size": 8, "max_length": 32,
              "min_steps": 12}
    path = tmp_path / f"{output}.yaml"
    path.write_text(yaml.safe_dump(config))
    return str(path)


def launch(processes: int, config: str) -> subprocess.CompletedProcess:
    command = ["accelerate", "launch", "--num_machines", "1", "--mixed_precision", "no", "--dynamo_backend", "no",
               *(["--multi_gpu", "--num_processes", str(processes)] if processes > 1 else ["--num_processes", "1"]),
               str(REPO_ROOT / "train.py"), config]
    environment = {**os.environ, "CUDA_VISIBLE_DEVICES": "", "PYTHONPATH": str(REPO_ROOT)}
    return subprocess.run(command, capture_output=True, text=True, timeout=600, env=environment, cwd=REPO_ROOT)


def test_two_processes_train_data_parallel_and_write_once(tiny_model, ner_data, tmp_path):
    single = launch(1, write_config(tmp_path, tiny_model, ner_data, "one"))
    assert single.returncode == 0, single.stderr[-3000:]
    double = launch(2, write_config(tmp_path, tiny_model, ner_data, "two"))
    assert double.returncode == 0, double.stderr[-3000:]

    one, two = (json.loads((tmp_path / name / "results.json").read_text()) for name in ("one", "two"))
    assert one["compute"]["processes"] == 1
    assert two["compute"]["processes"] == 2 and two["compute"]["distributed"] == "MULTI_CPU"
    # the synthetic stage's 48 rows in batches of 8: 6 steps an epoch alone, 3 when two processes share
    # them; min_steps counts optimizer steps, so both take 12 (2 epochs alone, 4 epochs in two processes)
    assert one["per_seed"][0]["steps"]["stage2"] == 2 * 6
    assert two["per_seed"][0]["steps"]["stage2"] == 4 * 3
    assert set(two["summary"]["dev"]) == set(one["summary"]["dev"])
    assert double.stdout.count("results.json and model card in") == 1  # one process prints the summary
    assert sorted(path.name for path in (tmp_path / "two").iterdir()) == ["model", "results.json"]
    assert (tmp_path / "two" / "model" / "model.safetensors").is_file()
