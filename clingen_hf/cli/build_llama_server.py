"""`clingen build-llama-server`: build llama.cpp's own server for the embedded LLM (parallel
slots, where llama-cpp-python's server answers one request at a time; a whole ClinGen-KG
generation ran 1.2x as fast at 40 samples on 2 CPU cores, about 1.8x over 300-sample runs;
see docs/benchmarks.md).

Examples:
    clingen build-llama-server
    CMAKE_ARGS="-DGGML_NATIVE=ON" clingen build-llama-server --jobs 8
"""

from __future__ import annotations

import time
from pathlib import Path

from clingen_hf.cli.common import local_llm_errors_as_usage


def add_parser(commands) -> None:
    b = commands.add_parser(
        "build-llama-server", help="build llama.cpp's llama-server, which the embedded LLM then uses",
        description="Download the source release of the installed llama-cpp-python, build the llama.cpp it "
        "ships (the same version, so the same GGUF support) as a static llama-server, and install it in the "
        "cache folder. `clingen run` and `clingen serve-llm` then start it with parallel slots instead of "
        "llama-cpp-python's one-at-a-time server. Needs cmake and a C++ compiler; about 10 minutes on 2 cores. "
        "CMAKE_ARGS is passed to cmake as for llama-cpp-python (default: -DGGML_NATIVE=OFF -DGGML_AVX512=OFF, "
        "portable code). CLINGEN_LLAMA_SERVER=python switches back to llama-cpp-python's server; "
        "CLINGEN_LLAMA_SERVER=/path/to/llama-server runs another build.")
    b.add_argument("--jobs", type=int, help="parallel compile jobs (default: all cores)")
    b.add_argument("--cache-dir", help="where the binary goes: <cache>/bin (default: $CLINGEN_CACHE or ~/.cache/clingen_hf)")
    b.set_defaults(handler=run)


def run(args) -> int:
    from tqdm.auto import tqdm

    from clingen_hf.llm.cache import default_cache_dir
    from clingen_hf.llm.llama_cpp_build import (
        build_llama_server,
        llama_cpp_python_version,
    )

    cache_dir = Path(args.cache_dir) if args.cache_dir else default_cache_dir()
    started = time.monotonic()
    print(f"clingen: building llama-server from llama-cpp-python {llama_cpp_python_version()}'s llama.cpp ...", flush=True)
    with local_llm_errors_as_usage(), tqdm(total=None, desc="compiling", unit="step") as bar:
        def on_step(done: int, total: int) -> None:
            bar.total = total
            bar.n = done
            bar.refresh()

        binary = build_llama_server(cache_dir, jobs=args.jobs, on_step=on_step)
    print(f"\nclingen build-llama-server: {binary} ({binary.stat().st_size / 2**20:.0f} MiB) in "
          f"{(time.monotonic() - started) / 60:.1f} min; `clingen run` and `clingen serve-llm` now use it")
    return 0
