"""llama.cpp's own `llama-server`, built from the llama.cpp source that ships inside the
installed llama-cpp-python's source release (same llama.cpp, so it reads the same GGUF files).

Its parallel slots decode several requests in one batch, where llama-cpp-python's server answers
one at a time; `find_llama_server` says which binary the embedded LLM uses:

- `CLINGEN_LLAMA_SERVER=/path/to/llama-server`: that binary;
- `CLINGEN_LLAMA_SERVER=python`: llama-cpp-python's server, even when a binary is built;
- otherwise `<cache>/bin/llama-server-<llama-cpp-python version>` when `clingen build-llama-server`
  made it, else llama-cpp-python's server.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import tarfile
import tempfile
from importlib import metadata
from pathlib import Path
from typing import Callable

from clingen_hf.llm.cache import default_cache_dir
from clingen_hf.llm.gguf import LocalLLMError

ENV_VARIABLE = "CLINGEN_LLAMA_SERVER"
# Portable code: a binary built with -march=native can crash on another CPU of the same
# cluster; AVX-512 is off as in the README's llama-cpp-python build.
DEFAULT_CMAKE_ARGS = ("-DGGML_NATIVE=OFF", "-DGGML_AVX512=OFF")
_REQUIRED_CMAKE_ARGS = ("-DCMAKE_BUILD_TYPE=Release", "-DBUILD_SHARED_LIBS=OFF", "-DLLAMA_CURL=OFF",
                        "-DLLAMA_BUILD_TESTS=OFF", "-DLLAMA_BUILD_EXAMPLES=OFF", "-DLLAMA_BUILD_TOOLS=ON",
                        "-DLLAMA_BUILD_SERVER=ON")
_NINJA_STEP = re.compile(r"^\[(\d+)/(\d+)\]")  # ninja: [done/total]
_MAKE_STEP = re.compile(r"^\[\s*(\d+)%\]")  # make: [ pct%]


def llama_cpp_python_version() -> str | None:
    try:
        return metadata.version("llama_cpp_python")
    except metadata.PackageNotFoundError:
        return None


def built_binary_path(cache_dir: Path) -> Path:
    return Path(cache_dir) / "bin" / f"llama-server-{llama_cpp_python_version() or 'unknown'}"


def find_llama_server(cache_dir: Path | None = None) -> Path | None:
    """The llama-server binary the embedded LLM runs, None for llama-cpp-python's server."""
    chosen = os.environ.get(ENV_VARIABLE, "").strip()
    if chosen.lower() == "python":
        return None
    if chosen:
        path = Path(chosen).expanduser()
        if not (path.is_file() and os.access(path, os.X_OK)):
            raise LocalLLMError(f"{ENV_VARIABLE}={chosen}: no executable file there; build one with "
                                f"`clingen build-llama-server`, or set {ENV_VARIABLE}=python for llama-cpp-python's server")
        return path
    built = built_binary_path(cache_dir or default_cache_dir())
    return built if built.is_file() and os.access(built, os.X_OK) else None


def build_llama_server(cache_dir: Path, *, jobs: int | None = None, cmake_args: list[str] | None = None,
                       on_step: Callable[[int, int], None] | None = None) -> Path:
    """Download the installed llama-cpp-python's source release, build its llama.cpp's
    llama-server and install it as `built_binary_path(cache_dir)`. `on_step(done, total)`
    follows the build. Nothing is installed unless the build succeeds."""
    version = llama_cpp_python_version()
    if version is None:
        raise LocalLLMError('llama-cpp-python is not installed: pip install -e ".[embedded-llm]" first')
    for tool in ("cmake", "c++"):
        if shutil.which(tool) is None:
            raise LocalLLMError(f"building llama-server needs {tool} on PATH (e.g. apt-get install cmake g++)")
    target = built_binary_path(cache_dir)
    with tempfile.TemporaryDirectory(prefix="clingen-llama-build-") as scratch:
        source = _download_source(version, Path(scratch))
        build = Path(scratch) / "build"
        flags = list(cmake_args if cmake_args is not None else _cmake_args_from_environment())
        generator = ["-G", "Ninja"] if shutil.which("ninja") else []
        _run(["cmake", "-S", str(source), "-B", str(build), *generator, *_REQUIRED_CMAKE_ARGS, *flags], "configure")
        _run(["cmake", "--build", str(build), "--target", "llama-server", "-j", str(jobs or os.cpu_count() or 1)],
             "build", on_step)
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(".partial")
        shutil.copy2(build / "bin" / "llama-server", partial)
        partial.replace(target)
    return target


def _cmake_args_from_environment() -> list[str]:
    """$CMAKE_ARGS (as for the llama-cpp-python build) or the portable defaults."""
    given = shlex.split(os.environ.get("CMAKE_ARGS", ""))
    return given or list(DEFAULT_CMAKE_ARGS)


def _download_source(version: str, scratch: Path) -> Path:
    _run([sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:", "--quiet",
          f"llama-cpp-python=={version}", "-d", str(scratch)], "download the llama-cpp-python source")
    archives = list(scratch.glob("llama_cpp_python-*.tar.gz"))
    if not archives:
        raise LocalLLMError(f"pip download left no llama-cpp-python {version} source archive in {scratch}")
    with tarfile.open(archives[0]) as archive:
        archive.extractall(scratch, filter="data")
    source = scratch / archives[0].name.removesuffix(".tar.gz") / "vendor" / "llama.cpp"
    if not (source / "tools" / "server").is_dir():
        raise LocalLLMError(f"llama-cpp-python {version}'s source has no vendor/llama.cpp/tools/server to build")
    return source


def _run(command: list[str], what: str, on_step: Callable[[int, int], None] | None = None) -> None:
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    tail: list[str] = []
    for line in process.stdout:
        tail = (tail + [line.rstrip()])[-30:]
        ninja, make = _NINJA_STEP.match(line), _MAKE_STEP.match(line)
        if on_step and ninja:
            on_step(int(ninja.group(1)), int(ninja.group(2)))
        elif on_step and make:
            on_step(int(make.group(1)), 100)
    if process.wait() != 0:
        last = "\n".join(tail)
        raise LocalLLMError(f"{what} failed (exit {process.returncode}): {shlex.join(command)}\n{last}")
