"""OpenAI's Batch API: a generation step's calls as one batch, at half the price.

`BatchCompleter.prefill(requests)` sends the requests the cache cannot answer as a JSONL file
(`/v1/files`, purpose "batch"), creates a batch (`/v1/batches`), polls it with a progress line and
stores every completion of its output file in the completion cache, so the step that follows
reads them as usual. The batch id is written to `<cache>/batches/<requests digest>.json` as soon as
the batch exists: a killed run, rerun, polls the same batch instead of paying for a second one.
Requests that fail or expire go into a follow-up batch, up to `max_batches` per run; what still
has no answer is left in `LLMClient.prefill_failures` and its rows are dropped with that reason.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import time
from pathlib import Path
from typing import Callable

import openai
from tqdm.auto import tqdm

from clingen_hf.llm.client import LLMClient, LLMConfigError, resolve_api_key

logger = logging.getLogger(__name__)

ENDPOINT = "/v1/chat/completions"
FINISHED = ("completed", "expired", "cancelled", "failed")
Request = tuple[list[dict], int]  # (messages, sample_seed), as LLMClient.complete takes them


class BatchCompleter:
    def __init__(self, llm: LLMClient, *, max_batches: int = 3, sleep: Callable[[float], None] = time.sleep):
        self.llm = llm
        self.max_batches = max_batches
        self.sleep = sleep
        cache_path = Path(str(llm.cache.path))
        self.state_dir = None if str(llm.cache.path) == ":memory:" else cache_path.parent / "batches"

    def prefill(self, requests: list[Request], label: str = "") -> dict[str, int]:
        """Answer `requests` through batches into the cache; counts of what happened."""
        wanted = {self.llm.key_for(messages, seed): (messages, seed) for messages, seed in requests}
        missing = {key: request for key, request in wanted.items() if not self.llm.has_answer(key)}
        counts = {"requests": len(wanted), "cached_before": len(wanted) - len(missing), "answered": 0, "failed": 0}
        if not missing:
            return counts
        state_path = self._state_path(sorted(wanted))
        state = self._load(state_path)
        client = self._client()
        try:
            failures: dict[str, str] = {}
            created = 0  # in this run; batches resumed from an earlier run do not count
            while True:
                for record in state["batches"]:
                    if not record.get("collected"):
                        failures.update(self._wait_and_collect(client, record, label))
                        record["collected"] = True
                        self._save(state_path, state)
                remaining = {key: request for key, request in missing.items() if not self.llm.has_answer(key)}
                if not remaining or created >= self.max_batches:
                    break
                state["batches"].append({"id": self._create(client, remaining, label), "requests": len(remaining)})
                created += 1
                self._save(state_path, state)  # before any wait: a rerun resumes this batch
        finally:
            client.close()
        counts["answered"], counts["failed"] = self.llm.settle_prefill(list(missing), failures, "batch_no_answer")
        return counts

    # --- one batch -------------------------------------------------------------------------

    def _create(self, client: openai.OpenAI, requests: dict[str, Request], label: str) -> str:
        lines = [json.dumps({"custom_id": key, "method": "POST", "url": ENDPOINT,
                             "body": self.llm.request_body(messages, seed)}, ensure_ascii=False)
                 for key, (messages, seed) in requests.items()]
        payload = ("\n".join(lines) + "\n").encode("utf-8")
        uploaded = client.files.create(file=("clingen-batch.jsonl", io.BytesIO(payload)), purpose="batch")
        batch = client.batches.create(input_file_id=uploaded.id, endpoint=ENDPOINT, completion_window="24h",
                                      metadata={"created_by": "clingen_hf", "step": label[:500]})
        logger.info("batch %s created for %d requests", batch.id, len(requests))
        return batch.id

    def _wait_and_collect(self, client: openai.OpenAI, record: dict, label: str) -> dict[str, str]:
        batch = client.batches.retrieve(record["id"])
        with tqdm(total=record["requests"], desc=f"Batch {batch.id}{label}", unit="request") as bar:
            while batch.status not in FINISHED:
                counts = batch.request_counts
                if counts is not None:
                    bar.n = counts.completed + counts.failed
                bar.set_postfix_str(batch.status)
                self.sleep(self.llm.settings.batch_poll_s)
                batch = client.batches.retrieve(batch.id)
            bar.n = record["requests"]
            bar.set_postfix_str(batch.status)
        if batch.status == "failed" and not batch.output_file_id:
            errors = "; ".join(f"{e.code}: {e.message}" for e in (batch.errors.data if batch.errors else []))
            raise LLMConfigError(f"the Batch API refused batch {batch.id}: {errors or 'no reason given'}")
        failures = self._store_output(client, batch.output_file_id) if batch.output_file_id else {}
        failures.update(self._read_errors(client, batch.error_file_id) if batch.error_file_id else {})
        if batch.status == "expired":
            logger.warning("batch %s expired: its unanswered requests go to a follow-up batch", batch.id)
        return failures

    def _store_output(self, client: openai.OpenAI, file_id: str) -> dict[str, str]:
        """Every answered line into the cache, as it is read; the rest as failures."""
        failures = {}
        for line in client.files.content(file_id).text.splitlines():
            if not line.strip():
                continue
            item = json.loads(line)
            key, response = item["custom_id"], item.get("response") or {}
            if response.get("status_code") == 200:
                self.llm.cache.put(key, self.llm.record_from_body(response["body"], batch=True))
                self.llm.prefilled.add(key)
            else:
                failures[key] = f"batch_http_{response.get('status_code', 'none')}"
        return failures

    def _read_errors(self, client: openai.OpenAI, file_id: str) -> dict[str, str]:
        failures = {}
        for line in client.files.content(file_id).text.splitlines():
            if line.strip():
                item = json.loads(line)
                status = (item.get("response") or {}).get("status_code")
                code = (item.get("error") or {}).get("code")
                failures[item["custom_id"]] = f"batch_{code}" if code else f"batch_http_{status}"
        return failures

    # --- state and plumbing ---------------------------------------------------------------

    def _client(self) -> openai.OpenAI:
        settings = self.llm.settings
        return openai.OpenAI(base_url=settings.base_url, api_key=resolve_api_key(settings),
                             max_retries=settings.max_retries, timeout=settings.timeout_s)

    def _state_path(self, keys: list[str]) -> Path | None:
        if self.state_dir is None:
            return None
        digest = hashlib.sha256("\n".join(keys).encode()).hexdigest()[:32]
        return self.state_dir / f"{digest}.json"

    @staticmethod
    def _load(path: Path | None) -> dict:
        if path is None or not path.is_file():
            return {"batches": []}
        return json.loads(path.read_text(encoding="utf-8"))

    @staticmethod
    def _save(path: Path | None, state: dict) -> None:
        if path is None:
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".partial")
        partial.write_text(json.dumps(state, indent=2), encoding="utf-8")
        partial.replace(path)
