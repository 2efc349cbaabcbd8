"""Generation pipeline overhead against a bare `AsyncOpenAI` loop, and the cost of a rerun.

Both talk to the same local OpenAI-compatible server with a fixed latency per answer, at the
same concurrency, so the ratio isolates what the pipeline adds (prompt rendering, cache
writes, parsing, gates, the `datasets` builder, parquet and card writing).

    python benchmarks/generation_overhead.py --n 1000 --concurrency 32 --latency 0.2
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import openai  # noqa: E402

from clingen_hf.cli import main as clingen  # noqa: E402
from tests.clinical_responder import clinical_responder  # noqa: E402
from tests.fake_openai import FakeOpenAI  # noqa: E402


async def bare_loop(base_url: str, prompts: list[str], concurrency: int) -> None:
    client = openai.AsyncOpenAI(base_url=base_url, api_key="x", max_retries=4, timeout=120)
    semaphore = asyncio.Semaphore(concurrency)

    async def one(index: int, prompt: str) -> str:
        async with semaphore:
            response = await client.chat.completions.create(
                model="bench", messages=[{"role": "user", "content": prompt}], temperature=1.0, top_p=1.0,
                max_tokens=512, seed=index,
            )
            return response.choices[0].message.content

    await asyncio.gather(*(one(i, p) for i, p in enumerate(prompts)))
    await client.close()


def timed_generate(base_url: str, output: Path, n: int, concurrency: int) -> float:
    started = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        code = clingen(["generate", "--task", "ncbi-disease", "--method", "zerogen", "--n", str(n), "--concurrency",
                        str(concurrency), "--llm-base-url", base_url, "--llm-model", "bench", "--output", str(output)])
    if code != 0:
        raise SystemExit(f"clingen generate failed with exit code {code}")
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--latency", type=float, default=0.2, help="seconds per answer")
    args = parser.parse_args()
    os.environ["CLINGEN_CACHE"] = tempfile.mkdtemp(prefix="bench-cache-")
    os.environ.setdefault("HF_DATASETS_DISABLE_PROGRESS_BARS", "1")
    prompt = "Suppose you need to create a dataset for disease recognition. Your task is to generate a sentence."
    with FakeOpenAI(responder=clinical_responder, latency_s=args.latency, model="bench") as server:
        timed_generate(server.base_url, Path(tempfile.mkdtemp()) / "warmup", 8, args.concurrency)  # imports, first-use costs
        started = time.perf_counter()
        asyncio.run(bare_loop(server.base_url, [prompt] * args.n, args.concurrency))
        bare_s = time.perf_counter() - started
        output = Path(tempfile.mkdtemp()) / "out"
        first_s = timed_generate(server.base_url, output, args.n, args.concurrency)
        calls_after_first = len(server.requests)
        rerun_s = timed_generate(server.base_url, output, args.n, args.concurrency)
        assert len(server.requests) == calls_after_first, "the rerun made LLM calls"
    ideal_s = args.n / args.concurrency * args.latency
    print(f"n={args.n} concurrency={args.concurrency} latency={args.latency}s (ideal {ideal_s:.2f} s)")
    print(f"bare AsyncOpenAI loop      {bare_s:7.2f} s  {args.n / bare_s:7.1f} req/s")
    print(f"clingen generate (cold)    {first_s:7.2f} s  {args.n / first_s:7.1f} req/s")
    print(f"clingen generate (cached)  {rerun_s:7.2f} s  (0 LLM calls)")
    print(f"throughput ratio pipeline / bare  {bare_s / first_s:.3f}   (goal >= 0.9)")
    print(f"rerun time / first run            {rerun_s / first_s:.3f}   (goal <= 0.05)")


if __name__ == "__main__":
    main()
