"""The embedded LLM's two servers side by side on the same work: one ClinGen-KG generation.

llama-cpp-python's server (one request at a time) and llama.cpp's own llama-server with parallel
slots (`clingen build-llama-server`), the same GGUF and threads, each with an empty completion
cache, run `clingen_hf.generate` for the same config one after the other in one process.
Samples per second are rows requested over the whole generation's wall time (pools, prompts,
calls, parsing, checks, writing). A server's finished run is kept in --output, so a rerun of an
interrupted benchmark measures only the servers that did not finish.

    python benchmarks/embedded_server.py --n 500 --output runs/embedded-server
    python benchmarks/embedded_server.py --n 40 --slots 2 4 8 --output runs/embedded-server

The llama-server binary comes from $CLINGEN_LLAMA_SERVER or the cache (clingen_hf/llm/llama_cpp_build.py).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from clingen_hf import GenerationConfig, LLMSettings, generate  # noqa: E402
from clingen_hf.llm.cache import default_cache_dir  # noqa: E402
from clingen_hf.llm.gguf import resolve_model  # noqa: E402
from clingen_hf.llm.llama_cpp_build import find_llama_server  # noqa: E402
from clingen_hf.llm.local_server import LlamaServer  # noqa: E402


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--n", type=int, default=500, help="samples per server (default: 500)")
    p.add_argument("--task", default="ncbi-disease")
    p.add_argument("--slots", type=int, nargs="+", default=[4], help="llama-server slot counts to try (default: 4)")
    p.add_argument("--threads", type=int, default=None, help="threads per server (default: all cores)")
    p.add_argument("--gguf", help="GGUF model (default: the packaged one)")
    p.add_argument("--output", type=Path, required=True)
    return p.parse_args(argv)


def run_one(name: str, server: LlamaServer, args, scratch: Path) -> dict:
    cache = scratch / name / "cache"
    kg = default_cache_dir() / "embedded_kg"
    if kg.is_dir():  # the KG build is not what is measured
        shutil.copytree(kg, cache / "embedded_kg")
    started = time.monotonic()
    with server:
        ready_s = time.monotonic() - started
        llm = LLMSettings(base_url=server.base_url, model=server.alias, model_fingerprint=server.model_fingerprint,
                          concurrency=server.parallel)
        result = generate(GenerationConfig(task=args.task, method="clingen-kg", n=args.n, seed=0, llm=llm,
                                           cache_dir=str(cache)))
    wall_s = time.monotonic() - started - ready_s
    ledger = result.ledger
    return {"server": name, "slots": server.parallel, "n": args.n, "kept": len(result.dataset["train"]),
            "start_s": round(ready_s, 1), "generation_s": round(wall_s, 1),
            "samples_per_s": round(args.n / wall_s, 3), "completion_tokens": ledger.completion_tokens,
            "completion_tokens_per_s": round(ledger.completion_tokens / wall_s, 1), "calls": ledger.calls_made}


def finished_or_run(name: str, server: LlamaServer, args, scratch: Path) -> dict:
    """A server's whole run is one measurement: a finished one is read back from --output, an
    interrupted one starts again from an empty cache (a warm cache would time the cache)."""
    done = args.output / f"{name}-n{args.n}.json"
    if done.is_file():
        return json.loads(done.read_text(encoding="utf-8"))
    row = run_one(name, server, args, scratch)
    done.write_text(json.dumps(row) + "\n", encoding="utf-8")
    return row


def main(argv=None) -> int:
    args = parse_args(argv)
    binary = find_llama_server()
    if binary is None:
        raise SystemExit("no llama-server built: run `clingen build-llama-server` or set CLINGEN_LLAMA_SERVER")
    model = resolve_model(args.gguf, None, allow_download=False)
    args.output.mkdir(parents=True, exist_ok=True)
    rows = []
    with tempfile.TemporaryDirectory(prefix="embedded-server-") as scratch:
        servers = [("llama-cpp-python", LlamaServer(model, n_threads=args.threads))]
        servers += [(f"llama-server x{slots}", LlamaServer(model, n_threads=args.threads, binary=binary, parallel=slots))
                    for slots in args.slots]
        for name, server in servers:
            rows.append(finished_or_run(name.replace(" ", "-"), server, args, Path(scratch)))
            print(json.dumps(rows[-1]), flush=True)
    base = rows[0]["samples_per_s"]
    lines = ["| server | slots | samples | kept | generation | samples/s | completion tokens/s | vs llama-cpp-python |",
             "|---|---|---|---|---|---|---|---|"]
    lines += [f"| {r['server']} | {r['slots']} | {r['n']} | {r['kept']} | {r['generation_s']:.0f} s | {r['samples_per_s']:.3f} | "
              f"{r['completion_tokens_per_s']:.1f} | {r['samples_per_s'] / base:.2f}x |" for r in rows]
    table = "\n".join(lines)
    (args.output / "embedded_server.md").write_text(table + "\n", encoding="utf-8")
    (args.output / "embedded_server.json").write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
