"""The examples in each command's docstring (shown by --help) are real commands.

Every example parses; the generate -> quality -> publish -> versions -> infer -> train chain runs
as written in a scratch folder, with only the LLM server's URL and model name swapped for the
fake server's and data/ncbi_disease made from a small synthetic corpus. `clingen run`,
`clingen experiment` and `clingen serve-llm` start the embedded LLM or train several models;
their examples are parsed here and their behaviour is tested in tests/pipelines and test_cli.py.
"""

from __future__ import annotations

import json
import shlex

import pytest

from clingen_hf.cli import COMMANDS, build_parser, main
from clingen_hf.cli import train as train_command
from clingen_hf.cli.common import docstring_examples
from clingen_hf.training.config import load_config, parse_overrides
from tests.paths import REPO_ROOT
from tests.pipelines.test_run import real_folder

EXAMPLE_URL = "http://127.0.0.1:8000/v1"


def clingen_examples() -> list[str]:
    return [example for command in COMMANDS for example in docstring_examples(command.__doc__)]


def train_examples() -> list[list[str]]:
    """train.py's examples as train.py's argv (`accelerate launch [its options]` dropped)."""
    examples = []
    for example in docstring_examples(train_command.__doc__):
        words = shlex.split(example)
        examples.append(words[words.index("train.py") + 1:])
    return examples


def test_every_command_shows_examples_in_its_help(capsys):
    for command in COMMANDS:
        examples = docstring_examples(command.__doc__)
        assert examples, f"{command.__name__} has no Examples: section"
        name = next(word for word in shlex.split(examples[0]) if "=" not in word and word != "clingen")
        with pytest.raises(SystemExit):
            main([name, "--help"])
        shown = " ".join(capsys.readouterr().out.replace("\\\n", " ").split())
        for example in examples:
            assert " ".join(example.split()) in shown


@pytest.mark.parametrize("example", clingen_examples())
def test_every_clingen_example_parses(example):
    words = shlex.split(example)
    while "=" in words[0]:  # VARIABLE=value before the command
        words = words[1:]
    assert words[0] == "clingen"
    build_parser().parse_args(words[1:])


@pytest.mark.parametrize("argv", train_examples(), ids=lambda argv: " ".join(argv[:3]))
def test_every_train_example_loads_its_config(argv):
    config_path, *overrides = argv
    load_config(str(REPO_ROOT / config_path), parse_overrides(overrides))


def _as_run_here(example: str, llm) -> list[str]:
    words = shlex.split(example)[1:]
    swapped = [llm.base_url if word == EXAMPLE_URL else word for word in words]
    if "--llm-model" in swapped:
        swapped[swapped.index("--llm-model") + 1] = llm.model
    return swapped


def test_the_example_chain_runs_as_written(clinical_llm, cache_dir, local_hub, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "data").mkdir()
    real_folder(tmp_path).rename(tmp_path / "data" / "ncbi_disease")
    (tmp_path / "trainer_configs").symlink_to(REPO_ROOT / "trainer_configs")
    examples = {command.__name__.rsplit(".", 1)[1]: docstring_examples(command.__doc__) for command in COMMANDS}

    for example in examples["generate"] + examples["quality"] + examples["publish"]:
        assert main(_as_run_here(example, clinical_llm)) == 0, example
    assert {"clingen-kg", "zerogen"} <= {path.name for path in (tmp_path / "out" / "ncbi-synthetic").iterdir()}
    assert "safety" in json.loads((tmp_path / "out/ncbi-synthetic/clingen-kg/quality.json").read_text())
    assert list(local_hub.repo_refs("clingen/ncbi-synthetic", repo_type="dataset")["tags"]) == ["v1.0.0"]
    assert (tmp_path / "mirror" / "clingen" / "ncbi-synthetic" / "v1.0.0").is_dir()

    capsys.readouterr()
    for example in examples["versions"]:
        assert main(_as_run_here(example, clinical_llm)) == 0, example
        assert "v1.0.0" in capsys.readouterr().out

    for example in examples["infer"]:
        assert main(_as_run_here(example, clinical_llm)) == 0, example
    assert json.loads((tmp_path / "out" / "infer.json").read_text())["examples"] == 10

    supervised_few = train_examples()[-1]
    assert train_command.main(supervised_few) == 0
    results = json.loads((tmp_path / "out/models/supervised-few/results.json").read_text())
    assert results["protocol"] == "supervised-few"
