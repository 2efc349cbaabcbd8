"""Generation pipeline overhead against a bare `AsyncOpenAI` loop, and the cost of a rerun.

Both talk to the same local OpenAI-compatible server with a fixed latency per answer, at the
same concurrency and through the same HTTP transport (`--http-backend`), so the ratio isolates
what the pipeline adds (prompt rendering, cache writes, parsing, gates, the `datasets` builder,
parquet and card writing).

    python benchmarks/generation_overhead.py --n 1000 --concurrency 32 --latency 0.2
    python benchmarks/generation_overhead.py --n 20000 --concurrency 256 --latency 1.0 --repeats 3

With `--repeats N` the two alternate N times, each pipeline round from an empty completion cache,
and the ratio is given as mean ± std over the rounds (one round moves by a few percent with the machine).

The fake server runs in a process of its own, as a real server does; `--server-in-process` runs it
in a thread of this process instead, where its handlers compete with the client and the pipeline
for one interpreter lock (the setup of the first 20,000-row figures in docs/benchmarks.md).

Peak memory is this process's maximum resident set after each phase. The near-duplicate gate's share is timed on the run's own texts at n/8, n/4, n/2 and n,
so its growth with n can be read off (doubling n doubles a linear cost, quadruples a quadratic).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import io
import multiprocessing
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import openai  # noqa: E402

from clingen_hf.cli import main as clingen  # noqa: E402
from clingen_hf.llm.client import HTTP_BACKENDS, async_http_client  # noqa: E402
from tests.clinical_responder import clinical_responder  # noqa: E402
from tests.fake_openai import FakeOpenAI  # noqa: E402


async def bare_loop(base_url: str, prompts: list[str], concurrency: int, http_backend: str) -> None:
    client = openai.AsyncOpenAI(base_url=base_url, api_key="x", max_retries=4, timeout=120,
                                http_client=async_http_client(http_backend))
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


def serve(latency_s: float, address: multiprocessing.Queue, stop, calls) -> None:
    def counted(body: dict):
        with calls.get_lock():
            calls.value += 1
        return clinical_responder(body)

    with FakeOpenAI(responder=counted, latency_s=latency_s, model="bench") as server:
        address.put(server.base_url)
        stop.wait()


@contextlib.contextmanager
def fake_server(latency_s: float, in_process: bool):
    """(base URL, a function returning the number of chat calls answered so far)."""
    if in_process:
        with FakeOpenAI(responder=clinical_responder, latency_s=latency_s, model="bench") as server:
            yield server.base_url, lambda: len(server.requests)
        return
    context = multiprocessing.get_context("spawn")
    address, stop, calls = context.Queue(), context.Event(), context.Value("l", 0)
    process = context.Process(target=serve, args=(latency_s, address, stop, calls), daemon=True)
    process.start()
    try:
        yield address.get(timeout=60), lambda: calls.value
    finally:
        stop.set()
        process.join(timeout=10)


def timed_generate(base_url: str, output: Path, n: int, concurrency: int, http_backend: str, *extra: str) -> float:
    started = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        code = clingen(["generate", "--task", "ncbi-disease", "--method", "zerogen", "--n", str(n), "--concurrency",
                        str(concurrency), "--llm-base-url", base_url, "--llm-model", "bench", "--output", str(output),
                        "--http-backend", http_backend, *extra])
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


def measure_round(base_url: str, args: argparse.Namespace) -> dict:
    """The bare loop, then the pipeline from an empty completion cache, each timed."""
    os.environ["CLINGEN_CACHE"] = tempfile.mkdtemp(prefix="bench-cache-")
    prompt = "Suppose you need to create a dataset for disease recognition. Your task is to generate a sentence."
    started, cpu_started = time.perf_counter(), time.process_time()
    asyncio.run(bare_loop(base_url, [prompt] * args.n, args.concurrency, args.http_backend))
    measured = {"bare_s": time.perf_counter() - started, "bare_cpu_s": time.process_time() - cpu_started,
                "bare_mib": peak_memory_mib(), "output": Path(tempfile.mkdtemp()) / "out"}
    cpu_started = time.process_time()
    measured["first_s"] = timed_generate(base_url, measured["output"], args.n, args.concurrency, args.http_backend)
    measured["first_cpu_s"] = time.process_time() - cpu_started
    measured["first_mib"] = peak_memory_mib()
    return measured


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--latency", type=float, default=0.2, help="seconds per answer")
    parser.add_argument("--http-backend", choices=HTTP_BACKENDS, default="aiohttp",
                        help="the transport of both the bare loop and the pipeline (default: aiohttp, as clingen's)")
    parser.add_argument("--repeats", type=int, default=1,
                        help="rounds of (bare loop, pipeline), each from an empty cache; the ratio is their mean ± std")
    parser.add_argument("--server-in-process", action="store_true",
                        help="run the fake server in a thread of this process, not a process of its own")
    args = parser.parse_args()
    os.environ["CLINGEN_CACHE"] = tempfile.mkdtemp(prefix="bench-cache-")
    os.environ.setdefault("HF_DATASETS_DISABLE_PROGRESS_BARS", "1")
    with fake_server(args.latency, args.server_in_process) as (base_url, calls_answered):
        timed_generate(base_url, Path(tempfile.mkdtemp()) / "warmup", 8, args.concurrency, args.http_backend)  # imports, first-use costs
        rounds = []
        for _ in range(args.repeats):  # alternating, so that a slower spell of the machine hits both
            rounds.append(measure_round(base_url, args))
        output = rounds[-1]["output"]
        calls_after_first = calls_answered()
        rerun_s = timed_generate(base_url, output, args.n, args.concurrency, args.http_backend)
        replay_s = timed_generate(base_url, output, args.n, args.concurrency, args.http_backend, "--force")
        assert calls_answered() == calls_after_first, "the rerun made LLM calls"
        rerun_mib = peak_memory_mib()
    gate = near_duplicate_scaling(output, args.n)
    ideal_s = args.n / args.concurrency * args.latency
    where = "in this process" if args.server_in_process else "in its own process"
    print(f"n={args.n} concurrency={args.concurrency} latency={args.latency}s (ideal {ideal_s:.2f} s), server {where}, "
          f"{args.http_backend} transport, {args.repeats} round(s)")
    for number, measured in enumerate(rounds, 1):
        bare_s, first_s = measured["bare_s"], measured["first_s"]
        print(f"round {number}: bare AsyncOpenAI loop {bare_s:7.2f} s ({args.n / bare_s:5.1f} req/s), clingen generate "
              f"{first_s:7.2f} s ({args.n / first_s:5.1f} req/s), ratio {bare_s / first_s:.3f}")
        if not args.server_in_process:
            print(f"         client CPU per request: bare loop {measured['bare_cpu_s'] / args.n * 1000:.2f} ms, "
                  f"clingen generate {measured['first_cpu_s'] / args.n * 1000:.2f} ms")
    ratios = [measured["bare_s"] / measured["first_s"] for measured in rounds]
    spread = f" ± {statistics.stdev(ratios):.3f} (std over {len(ratios)} rounds)" if len(ratios) > 1 else ""
    first_s = statistics.mean(measured["first_s"] for measured in rounds)
    print(f"clingen generate (cached)  {rerun_s:7.2f} s  (0 LLM calls: the finished config is reused)")
    print(f"clingen generate --force   {replay_s:7.2f} s  (0 LLM calls: every step replayed from the cache)")
    print(f"throughput ratio pipeline / bare  {statistics.mean(ratios):.3f}{spread}   (goal >= 0.95)")
    print(f"rerun time / first run            {rerun_s / first_s:.3f}   (goal <= 0.02)")
    print(f"peak memory (MiB, whole process): after bare loop {rounds[0]['bare_mib']:.0f}, "
          f"after pipeline {rounds[0]['first_mib']:.0f}, after rerun {rerun_mib:.0f}")
    print("near-duplicate gate on the run's sentences: " + ", ".join(f"n={size} {seconds:.2f} s" for size, seconds in gate))


if __name__ == "__main__":
    main()
