"""Generation across machines with Ray (`--engine ray`, `pip install -e ".[ray]"`).

`RayCompleter.prefill(requests)` splits the requests the cache cannot answer into blocks; a Ray
task per block completes it against one endpoint (blocks go round-robin over the endpoints: one
OpenAI-compatible URL, or one per node, e.g. a vLLM server each) and streams every completion
back as it arrives. The driver stores each in the completion cache at once, so when a worker dies
mid-block the completions it had sent are kept and only the rest of its block is sent again. The
step that follows reads everything from the cache as the local engine would: same rows, same
order, same card for the same seed. Ray is imported only here, only when asked for.
"""

from __future__ import annotations

import asyncio
import dataclasses
import os
import queue
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Iterator

from tqdm.auto import tqdm

from clingen_hf.llm.client import LLMClient, LLMConfigError, LLMSettings

Request = tuple[list[dict], int]  # (messages, sample_seed)
Item = tuple[str, list[dict], int]  # (cache key, messages, sample_seed)
INSTALL_HINT = 'the Ray engine needs Ray: pip install -e ".[ray]" (or pip install "ray>=2.40")'


def _ray():
    try:
        import ray
    except ImportError:
        raise LLMConfigError(INSTALL_HINT) from None
    return ray


def complete_block(settings: LLMSettings, model_fingerprint: str, items: list[Item],
                   exit_after: int | None = None) -> Iterator[tuple[str, dict | None, str | None]]:
    """A worker's block: (key, cache record or None, error kind) per request as each finishes,
    `settings.concurrency` at a time. `exit_after`: fault injection for tests (the worker
    process dies after sending that many)."""
    from clingen_hf.llm.cache import CompletionCache

    llm = LLMClient(dataclasses.replace(settings, model_fingerprint=model_fingerprint), CompletionCache(":memory:"))
    finished: queue.Queue = queue.Queue()

    async def complete_all() -> None:
        async def one(key: str, messages: list[dict], seed: int) -> None:
            completion = await llm.complete(messages, seed)
            finished.put((key, llm.cache.get(llm.key_for(messages, seed), model_fingerprint), completion.error))

        try:
            await asyncio.gather(*(one(*item) for item in items))
        except BaseException as error:  # handed to the generator, which raises it in the task
            finished.put(error)
        finally:
            await llm._close_client_of_running_loop()
            finished.put(None)

    threading.Thread(target=asyncio.run, args=(complete_all(),), daemon=True).start()
    sent = 0
    while (item := finished.get()) is not None:
        if isinstance(item, BaseException):
            raise item
        yield item
        sent += 1
        if exit_after is not None and sent >= exit_after:
            os._exit(1)


class RayCompleter:
    def __init__(self, llm: LLMClient, *, address: str | None = None, endpoints: list[str] | None = None,
                 block_size: int = 64, max_attempts: int = 3, fault_exit_after: int | None = None):
        self.llm = llm
        self.address = address
        self.endpoints = endpoints or [llm.settings.base_url]
        self.block_size = block_size
        self.max_attempts = max_attempts
        self.fault_exit_after = fault_exit_after  # tests: the first attempt of each block dies after this many
        self._store_lock = threading.Lock()

    def prefill(self, requests: list[Request], label: str = "") -> dict[str, int]:
        wanted = {self.llm.key_for(messages, seed): (messages, seed) for messages, seed in requests}
        missing = [(key, *request) for key, request in wanted.items() if not self.llm.has_answer(key)]
        counts = {"requests": len(wanted), "cached_before": len(wanted) - len(missing), "answered": 0, "failed": 0,
                  "blocks": 0, "resubmitted": 0}
        if not missing:
            return counts
        ray = self._connect()
        remote = ray.remote(max_retries=0)(complete_block)
        blocks = [missing[start:start + self.block_size] for start in range(0, len(missing), self.block_size)]
        counts["blocks"] = len(blocks)
        failures: dict[str, str] = {}
        with tqdm(total=len(missing), desc=f"LLM completions on Ray{label}", unit="request") as bar, \
                ThreadPoolExecutor(max_workers=len(blocks)) as pool:
            jobs = [pool.submit(self._run_block, ray, remote, index, block, bar, failures, counts)
                    for index, block in enumerate(blocks)]
            for job in jobs:
                job.result()
        counts["answered"], counts["failed"] = self.llm.settle_prefill([key for key, _, _ in missing], failures,
                                                                       "ray_no_answer")
        return counts

    def _run_block(self, ray, remote, index: int, block: list[Item], bar, failures: dict, counts: dict) -> None:
        """One block until every request has an answer or an error, resubmitting what a dead
        worker left undone."""
        settings = dataclasses.replace(self.llm.settings, base_url=self.endpoints[index % len(self.endpoints)])
        pending = list(block)
        for attempt in range(self.max_attempts):
            exit_after = self.fault_exit_after if attempt == 0 else None
            try:
                for ref in remote.remote(settings, self.llm.model_fingerprint, pending, exit_after):
                    key, record, error = ray.get(ref)
                    self._store(key, record, error, failures)
                    bar.update(1)
                return
            except ray.exceptions.RayError as error:  # the worker died: resubmit what it had not sent
                if isinstance(getattr(error, "cause", None), LLMConfigError):  # the endpoint is wrong, not the worker
                    raise error.cause from None
                pending = self._unanswered(pending, failures, counts)
                if not pending:
                    return
        for key, _, _ in pending:
            failures.setdefault(key, "ray_worker_lost")

    def _unanswered(self, pending: list[Item], failures: dict, counts: dict) -> list[Item]:
        left = [item for item in pending if not self.llm.has_answer(item[0]) and item[0] not in failures]
        with self._store_lock:
            counts["resubmitted"] += len(left)
        return left

    def _store(self, key: str, record: dict | None, error: str | None, failures: dict) -> None:
        with self._store_lock:
            if record is not None:
                self.llm.cache.put(key, record)
                self.llm.prefilled.add(key)
            else:
                failures[key] = error or "ray_no_answer"

    def _connect(self):
        ray = _ray()
        if not ray.is_initialized():
            ray.init(address=self.address, include_dashboard=False, log_to_driver=False,
                     ignore_reinit_error=True, configure_logging=False)
        return ray
