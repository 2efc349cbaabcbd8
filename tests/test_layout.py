"""The package's layers: every import runs down the data flow, never up, and every
subpackage imports on its own in a fresh interpreter."""

from __future__ import annotations

import ast
import subprocess
import sys

import pytest

from tests.paths import REPO_ROOT

PACKAGE = REPO_ROOT / "clingen_hf"
# lowest first: a module may import its own layer and the layers before it
LAYERS = ["core", "data", "hub", "llm", "knowledge", "generation", "training", "evaluation", "pipelines", "cli"]
MAX_LINES = 430  # about 400


def modules() -> dict[str, ast.Module]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        name = ".".join(path.relative_to(REPO_ROOT).with_suffix("").parts).removesuffix(".__init__")
        found[name] = ast.parse(path.read_text(encoding="utf-8"))
    return found


def imported(tree: ast.Module) -> set[str]:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("clingen_hf"):
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names if alias.name.startswith("clingen_hf"))
    return names


def layer(module: str) -> int | None:
    parts = module.split(".")
    return LAYERS.index(parts[1]) if len(parts) > 1 and parts[1] in LAYERS else None


def test_no_import_runs_up_the_layers():
    upward = []
    for name, tree in modules().items():
        own = layer(name)
        for target in imported(tree):
            if own is not None and layer(target) is not None and layer(target) > own:
                upward.append(f"{name} -> {target}")
    assert not upward, upward


def test_nothing_outside_the_cli_imports_it():
    offenders = [name for name, tree in modules().items() if layer(name) != LAYERS.index("cli")
                 and any(target.startswith("clingen_hf.cli") for target in imported(tree))]
    assert not offenders


def test_modules_stay_short():
    long = {path.relative_to(PACKAGE).as_posix(): lines for path in PACKAGE.rglob("*.py")
            if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert not long, long


@pytest.mark.parametrize("subpackage", LAYERS)
def test_each_subpackage_imports_in_a_fresh_interpreter(subpackage):
    names = sorted(name for name in modules() if name.split(".")[1:2] == [subpackage] and not name.endswith("__main__"))
    code = "import importlib\n" + "".join(f"importlib.import_module({name!r})\n" for name in names)
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
