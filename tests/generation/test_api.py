"""The Python API as the README shows it, against the fake OpenAI-compatible server."""

from __future__ import annotations

import re
from pathlib import Path

import datasets
import pytest

from clingen_hf import (
    GenerationConfig,
    GenerationConfigError,
    LabelChecks,
    LLMSettings,
    generate,
)
from tests.paths import REPO_ROOT


def readme_python_example() -> str:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Use it from Python"):]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


def test_the_readme_example_runs_as_written(clinical_llm, cache_dir, tmp_path, monkeypatch, capsys):
    code = readme_python_example()
    assert 'base_url="http://127.0.0.1:8000/v1"' in code
    monkeypatch.chdir(tmp_path)
    exec(code.replace("http://127.0.0.1:8000/v1", clinical_llm.base_url), {})
    kept = int(capsys.readouterr().out.split()[0])
    train = datasets.load_dataset(str(tmp_path / "out" / "ncbi-synthetic"), "clingen-kg", split="train")
    assert len(train) == kept > 0
    assert (tmp_path / "out" / "ncbi-synthetic" / "clingen-kg" / "quality.json").is_file()


def test_generate_returns_data_report_and_the_recipe_it_used(clinical_llm, cache_dir):
    llm = LLMSettings(base_url=clinical_llm.base_url, model="fake-clinical")
    result = generate(GenerationConfig(task="ncbi-disease", method="clingen-kg", n=6, llm=llm))
    assert set(result.dataset) == {"train", "few_shot"} and len(result.dataset["few_shot"]) == 5
    assert result.report["label_checks"] == {"guidelines": True, "verify_spans": "remove", "link_fuzzy": None,
                                             "add_kg_mentions": True, "self_check": False}
    paper = generate(GenerationConfig(task="ncbi-disease", method="clingen-kg", n=6, recipe="paper", llm=llm))
    assert paper.report["label_checks"] == {"guidelines": False, "verify_spans": "off", "link_fuzzy": None,
                                            "add_kg_mentions": False, "self_check": False}
    assert paper.report["pools"]["styles"]["prompt"] != result.report["pools"]["styles"]["prompt"]


@pytest.mark.parametrize("changes, message", [
    ({"n": 0}, "--n must be a positive number of samples"),
    ({"task": "gad", "checks": LabelChecks(add_kg_mentions=False, verify_spans="off", self_check=True)},
     "--self-check: span checks are for NER tasks"),
    ({"checks": LabelChecks(verify_spans="off", link_fuzzy=0.9)}, "--link-fuzzy sets how KG verification links"),
    ({"name": "../elsewhere"}, "use letters, digits"),
])
def test_bad_settings_raise_a_typed_error_before_any_call(changes, message, cache_dir):
    llm = LLMSettings(base_url="http://127.0.0.1:9/v1", model="m")
    with pytest.raises(GenerationConfigError, match=re.escape(message)):
        generate(GenerationConfig(**{"task": "ncbi-disease", "llm": llm, **changes}))


def test_the_dataset_script_builds_every_config_through_the_api(clinical_llm, cache_dir, tmp_path, monkeypatch):
    import importlib.util

    spec = importlib.util.spec_from_file_location("ncbi_synthetic", REPO_ROOT / "dataset_scripts" / "ncbi_synthetic.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    monkeypatch.setitem(script.RECIPE, "methods", ["zerogen", "clingen-kg"])
    output = tmp_path / "ncbi-synthetic"
    assert script.main(["--llm-base-url", clinical_llm.base_url, "--llm-model", "fake-clinical", "--n", "4",
                        "--output", str(output)]) == 0
    assert sorted(path.name for path in output.iterdir() if path.is_dir() and path.name != "knowledge") == [
        "clingen-kg", "zerogen"]
    assert Path(output / "README.md").is_file()
