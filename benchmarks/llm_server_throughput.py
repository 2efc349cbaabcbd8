"""Generation throughput of local LLM servers, side by side on the same real ClinGen prompts.

Each server gets the same `clingen generate` run (same task, method, seeds, sample seeds and
so the same prompts) with a fresh completion cache, one server after the other, so the ratio
compares only the servers: e.g. the embedded `python -m llama_cpp.server` (one request at a
time) against llama.cpp's own `llama-server` with parallel slots and continuous batching.

    python benchmarks/llm_server_throughput.py --n 40 \\
        --server embedded=http://127.0.0.1:8011/v1 --server llama-server-4-slots=http://127.0.0.1:8012/v1

Prints and writes OUTPUT/llm_server_throughput.{md,json}: per server the wall time, completion
tokens per second, samples per second and the ratio to the first server.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from clingen_hf.cli import main as clingen  # noqa: E402
from clingen_hf.hub.layout import config_reports  # noqa: E402


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--server", action="append", required=True, metavar="NAME=BASE_URL",
                   help="an OpenAI-compatible server to measure (repeat; the first is the reference)")
    p.add_argument("--task", default="ncbi-disease")
    p.add_argument("--method", default="clingen-kg")
    p.add_argument("--seeds", help="seed file or folder (default: the task's bundled seeds)")
    p.add_argument("--n", type=int, default=40, help="samples per server (default: 40)")
    p.add_argument("--concurrency", type=int, default=8, help="requests in flight (default: 8)")
    p.add_argument("--llm-model", default="local")
    p.add_argument("--output", type=Path, default=Path("runs/llm-server-throughput"))
    return p.parse_args(argv)


def servers(specs: list[str]) -> list[tuple[str, str]]:
    pairs = []
    for spec in specs:
        name, sep, url = spec.partition("=")
        if not sep or not name or not url:
            raise SystemExit(f"--server {spec!r}: expected NAME=BASE_URL, e.g. embedded=http://127.0.0.1:8011/v1")
        pairs.append((name, url))
    return pairs


def measure(args, name: str, base_url: str, workdir: Path) -> dict:
    """One uncached `clingen generate` against one server; its report's tokens and wall time."""
    output = workdir / name
    argv = ["generate", "--task", args.task, "--method", args.method, "--n", str(args.n), "--seed", "0",
            "--concurrency", str(args.concurrency), "--llm-base-url", base_url, "--llm-model", args.llm_model,
            "--cache-dir", str(workdir / f"cache-{name}"), "--output", str(output)]
    if args.seeds:
        argv += ["--seeds", args.seeds]
    with contextlib.redirect_stdout(io.StringIO()):
        code = clingen(argv)  # bad input and failures: a message on stderr and a non-zero code
    if code:
        raise SystemExit(f"clingen generate against {name} ({base_url}) failed with exit code {code}")
    report = config_reports(output)[args.method]
    usage = report["usage"]
    if usage["llm_calls_from_cache"]:
        raise SystemExit(f"{name}: {usage['llm_calls_from_cache']} calls came from a cache; the measurement needs fresh calls")
    wall = report["wall_s"]
    return {"server": name, "base_url": base_url, "calls": usage["llm_calls_made"], "wall_s": wall,
            "completion_tokens": usage["completion_tokens"], "prompt_tokens": usage["prompt_tokens"],
            "completion_tokens_per_s": usage["completion_tokens"] / wall, "samples_per_s": report["counts"]["requested"] / wall}


def table(results: list[dict]) -> str:
    reference = results[0]["completion_tokens_per_s"]
    lines = ["| server | calls | wall s | completion tokens | tokens/s | samples/s | tokens/s ratio |", "|---|---|---|---|---|---|---|"]
    for r in results:
        lines.append(f"| {r['server']} | {r['calls']} | {r['wall_s']:.1f} | {r['completion_tokens']} | "
                     f"{r['completion_tokens_per_s']:.2f} | {r['samples_per_s']:.3f} | {r['completion_tokens_per_s'] / reference:.2f} |")
    return "\n".join(lines)


def main(argv=None) -> int:
    args = parse_args(argv)
    pairs = servers(args.server)
    args.output.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as workdir:
        results = [measure(args, name, url, Path(workdir)) for name, url in pairs]
    markdown = table(results) + f"\n\n{args.n} samples of {args.task} / {args.method} per server, concurrency {args.concurrency}.\n"
    (args.output / "llm_server_throughput.md").write_text(markdown, encoding="utf-8")
    (args.output / "llm_server_throughput.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(markdown)
    return 0


if __name__ == "__main__":
    sys.exit(main())
