"""Generation pipeline overhead against a bare `AsyncOpenAI` loop, and the cost of a rerun.

Both talk to the same local OpenAI-compatible server with a fixed latency per answer, at the
same concurrency, so the ratio isolates what the pipeline adds (prompt rendering, cache
writes, parsing, gates, the `datasets` builder, parquet and card writing).

    python benchmarks/generation_overhead.py --n 1000 --concurrency 32 --latency 0.2
    python benchmarks/generation_overhead.py --n 20000 --concurrency 256 --latency 1.0

Peak memory is this process's maximum resident set (the fake server runs in it too) after each
phase. The near-duplicate gate's share is timed on the run's own texts at n/8, n/4, n/2 and n,
so its growth with n can be read off (doubling n doubles a linear cost, quadruples a quadratic).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import os
import resource
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


def peak_memory_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def near_duplicate_scaling(output: Path, n: int) -> list[tuple[int, float]]:
    """Seconds of the near-duplicate gate on the run's own sentences at n/8 ... n."""
    import datasets

    from clingen_hf.generation.checks.gates import duplicate_reasons

    texts = [" ".join(tokens) for tokens in datasets.load_dataset(str(output), "zerogen", split="train")["tokens"]]
    texts = (texts * (n // max(1, len(texts)) + 1))[:n]  # the gate dropped some: repeat to reach n
    timings = []
    for size in (n // 8, n // 4, n // 2, n):
        started = time.perf_counter()
        duplicate_reasons(texts[:size], [])
        timings.append((size, time.perf_counter() - started))
    return timings


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
        bare_mib = peak_memory_mib()
        output = Path(tempfile.mkdtemp()) / "out"
        first_s = timed_generate(server.base_url, output, args.n, args.concurrency)
        first_mib = peak_memory_mib()
        calls_after_first = len(server.requests)
        rerun_s = timed_generate(server.base_url, output, args.n, args.concurrency)
        assert len(server.requests) == calls_after_first, "the rerun made LLM calls"
        rerun_mib = peak_memory_mib()
    gate = near_duplicate_scaling(output, args.n)
    ideal_s = args.n / args.concurrency * args.latency
    print(f"n={args.n} concurrency={args.concurrency} latency={args.latency}s (ideal {ideal_s:.2f} s)")
    print(f"bare AsyncOpenAI loop      {bare_s:7.2f} s  {args.n / bare_s:7.1f} req/s")
    print(f"clingen generate (cold)    {first_s:7.2f} s  {args.n / first_s:7.1f} req/s")
    print(f"clingen generate (cached)  {rerun_s:7.2f} s  (0 LLM calls)")
    print(f"throughput ratio pipeline / bare  {bare_s / first_s:.3f}   (goal >= 0.95)")
    print(f"rerun time / first run            {rerun_s / first_s:.3f}   (goal <= 0.02)")
    print(f"peak memory (MiB, whole process): after bare loop {bare_mib:.0f}, after pipeline {first_mib:.0f}, "
          f"after rerun {rerun_mib:.0f}")
    print("near-duplicate gate on the run's sentences: " + ", ".join(f"n={size} {seconds:.2f} s" for size, seconds in gate))


if __name__ == "__main__":
    main()
