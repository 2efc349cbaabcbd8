"""The one LLM boundary: an OpenAI-compatible chat API through `openai.AsyncOpenAI`.

OpenAI, Azure, vLLM, llama.cpp's server, Ollama and TGI all speak it. Every call goes
through the completion cache first, keyed by the identity of the model that answers as well as
its name; usage and cost are tallied in a `Ledger`, which also enforces the optional budget.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import logging
import os
import time
from dataclasses import asdict, dataclass, field
from urllib.parse import urlparse

import openai

from clingen_hf.llm.cache import CompletionCache, completion_key

logger = logging.getLogger(__name__)

# USD per million tokens (input, output), from the providers' public price lists; override
# with --price-input/--price-output for other models or current prices.
KNOWN_PRICES_PER_MTOK: dict[str, tuple[float, float]] = {
    "gpt-3.5-turbo": (0.50, 1.50),
    "gpt-4o-mini": (0.15, 0.60),
    "gpt-4o": (2.50, 10.00),
    "gpt-4.1-mini": (0.40, 1.60),
    "gpt-4.1": (2.00, 8.00),
}

# Errors that cost one sample, not the run: the client has already retried them. A body
# that is not JSON surfaces from the client as a JSONDecodeError.
TRANSIENT_ERRORS = (
    openai.APITimeoutError,
    openai.APIConnectionError,
    openai.RateLimitError,
    openai.InternalServerError,
    openai.APIResponseValidationError,
    json.JSONDecodeError,
)


# OpenAI's Batch API costs half the synchronous price (platform.openai.com/docs/guides/batch).
BATCH_PRICE_FACTOR = 0.5


class LLMConfigError(ValueError):
    """Settings that cannot work (missing key, unreachable server, unknown price with a budget)."""


HTTP_BACKENDS = ("aiohttp", "httpx")


def async_http_client(backend: str):
    """The transport of an `AsyncOpenAI` client, with the SDK's defaults (timeouts, limits).
    aiohttp: httpx's connection pool scans every connection on each request, which at hundreds
    in flight costs more CPU than the rest of the request (docs/benchmarks.md)."""
    if backend == "aiohttp":
        return openai.DefaultAioHttpClient()
    if backend == "httpx":
        return openai.DefaultAsyncHttpxClient()
    raise LLMConfigError(f"unknown HTTP backend {backend!r}; choose one of {', '.join(HTTP_BACKENDS)}")


def error_kind(error: Exception) -> str:
    """The ledger's name of a failed call, `llm_<openai error class>`. openai's aiohttp transport
    maps every aiohttp connection error, a refused or dropped connection included, to a connect
    timeout; those are named connection errors here, as httpx names them, because that is what
    tells a server that is gone (GenerationRun stops the run on them)."""
    if isinstance(error, openai.APITimeoutError) and _lost_aiohttp_connection(error):
        return "llm_APIConnectionError"
    return f"llm_{type(error).__name__}"


def _lost_aiohttp_connection(error: BaseException) -> bool:
    import aiohttp

    causes = []
    while error is not None and len(causes) < 10:
        causes.append(error)
        error = error.__cause__
    return (any(isinstance(cause, aiohttp.ClientConnectionError) for cause in causes)
            and not any(isinstance(cause, aiohttp.ServerTimeoutError) for cause in causes))


@dataclass(frozen=True)
class LLMSettings:
    base_url: str
    model: str
    api_key_env: str | None = None
    temperature: float = 1.0
    top_p: float = 1.0
    max_tokens: int = 512
    concurrency: int = 8
    timeout_s: float = 120.0
    max_retries: int = 4
    # the openai client's transport: "aiohttp" (openai's DefaultAioHttpClient) or "httpx" (its default)
    http_backend: str = "aiohttp"
    price_input_per_mtok: float | None = None
    price_output_per_mtok: float | None = None
    max_cost_usd: float | None = None
    send_seed: bool = True
    # Who answers under `model`, part of the cache key: e.g. "gguf-sha256:<hex>" from
    # `LlamaServer.model_fingerprint`. None: asked of the server once, see `LLMClient.model_fingerprint`.
    model_fingerprint: str | None = None
    # OpenAI's Batch API (/v1/files + /v1/batches, half the price): generation steps send their
    # calls as one batch and wait for it (clingen_hf/llm/batch.py); polled every batch_poll_s.
    batch_api: bool = False
    batch_poll_s: float = 30.0
    # "ray": generation steps complete their calls in blocks on Ray workers (llm/ray_engine.py),
    # against ray_endpoints (default: base_url) round-robin, on the cluster at ray_address
    engine: str = "local"
    ray_address: str | None = None
    ray_endpoints: tuple[str, ...] = ()

    def sampling_params(self) -> dict:
        return {"temperature": self.temperature, "top_p": self.top_p, "max_tokens": self.max_tokens}

    def prices(self) -> tuple[float, float] | None:
        if self.price_input_per_mtok is not None or self.price_output_per_mtok is not None:
            return (self.price_input_per_mtok or 0.0, self.price_output_per_mtok or 0.0)
        if self.model in KNOWN_PRICES_PER_MTOK:
            return KNOWN_PRICES_PER_MTOK[self.model]
        return (0.0, 0.0) if is_local_url(self.base_url) else None

    def public_dict(self) -> dict:
        """What may be written to cards and logs (the key's variable name, never the key)."""
        return {k: v for k, v in asdict(self).items() if k not in ("concurrency", "timeout_s", "max_retries", "http_backend", "batch_poll_s", "ray_address", "ray_endpoints")}


def is_local_url(url: str) -> bool:
    host = urlparse(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def resolve_api_key(settings: LLMSettings) -> str:
    """The key comes from an environment variable the user names; it is never stored."""
    name = settings.api_key_env or "OPENAI_API_KEY"
    value = os.environ.get(name)
    if value:
        return value
    if settings.api_key_env is None and is_local_url(settings.base_url):
        return "no-key-needed-for-local-server"
    raise LLMConfigError(
        f"environment variable {name} is not set; export it with your API key "
        f"(or name another variable with --llm-api-key-env)"
    )


@dataclass
class Completion:
    text: str
    finish_reason: str
    prompt_tokens: int
    completion_tokens: int
    cost_usd: float
    cached: bool
    error: str | None = None


@dataclass
class Ledger:
    """Running totals for one run: calls, cache hits, tokens, cost, errors by kind."""

    prices: tuple[float, float] | None
    max_cost_usd: float | None = None
    calls_made: int = 0
    cache_hits: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0
    cost_saved_usd: float = 0.0
    cached_prompt_tokens: int = 0
    cached_completion_tokens: int = 0
    skipped_for_budget: int = 0
    errors: dict[str, int] = field(default_factory=dict)
    started: float = field(default_factory=time.monotonic)

    def cost_of(self, prompt_tokens: int, completion_tokens: int, batch: bool = False) -> float:
        """At list prices, or at Batch API prices (BATCH_PRICE_FACTOR of them)."""
        if self.prices is None:
            return 0.0
        cost = (prompt_tokens * self.prices[0] + completion_tokens * self.prices[1]) / 1_000_000
        return cost * BATCH_PRICE_FACTOR if batch else cost

    def total_tokens(self) -> tuple[int, int]:
        """Tokens behind everything this run used, whether called now or read from the cache."""
        return self.prompt_tokens + self.cached_prompt_tokens, self.completion_tokens + self.cached_completion_tokens

    def total_cost(self) -> float:
        """What everything this run used cost, called now or read from the cache, each at the
        price it was bought at (Batch API answers at half)."""
        return self.cost_usd + self.cost_saved_usd

    def budget_exhausted(self) -> bool:
        return self.max_cost_usd is not None and self.cost_usd >= self.max_cost_usd

    def record(self, completion: Completion) -> None:
        if completion.cached:
            self.cache_hits += 1
            self.cost_saved_usd += completion.cost_usd
            self.cached_prompt_tokens += completion.prompt_tokens
            self.cached_completion_tokens += completion.completion_tokens
            return
        self.calls_made += 1
        self.prompt_tokens += completion.prompt_tokens
        self.completion_tokens += completion.completion_tokens
        self.cost_usd += completion.cost_usd

    def record_error(self, kind: str) -> None:
        self.errors[kind] = self.errors.get(kind, 0) + 1


class LLMClient:
    """Cached, bounded-concurrency chat completions. Safe to use from several event loops
    one after another (each `Dataset.map` with an async function runs its own loop)."""

    def __init__(self, settings: LLMSettings, cache: CompletionCache, ledger: Ledger | None = None):
        self.settings = settings
        self.cache = cache
        self.ledger = ledger or Ledger(prices=settings.prices(), max_cost_usd=settings.max_cost_usd)
        self._per_loop: dict[int, tuple[asyncio.AbstractEventLoop, openai.AsyncOpenAI, asyncio.Semaphore]] = {}
        self._reachable = False
        self._model_fingerprint = settings.model_fingerprint
        # set by an engine that answers a step's requests into the cache first (llm/batch.py,
        # llm/ray_engine.py): keys it answered in this run (paid now, not cache hits) and keys it
        # could not answer (no call is made for them again in the same step)
        self.prefilled: set[str] = set()
        self.prefill_failures: dict[str, str] = {}

    @property
    def model_fingerprint(self) -> str:
        """The identity of the model that answers: the settings' own, else what the server reports at
        /models, asked once (not a completion: a fully cached run makes no completion call)."""
        if self._model_fingerprint is None:
            self._model_fingerprint = self._fingerprint_from_server()
        return self._model_fingerprint

    def key_for(self, messages: list[dict], sample_seed: int) -> str:
        return completion_key(self.settings.model, self.model_fingerprint, messages, self.settings.sampling_params(),
                              sample_seed)

    def has_answer(self, key: str) -> bool:
        return self.cache.get(key, self.model_fingerprint) is not None

    def settle_prefill(self, keys, failures: dict[str, str], default: str) -> tuple[int, int]:
        """After an engine answered `keys` into the cache: each key still without an answer keeps
        its failure reason, so no call is made for it again. Returns (answered, failed)."""
        answered = 0
        for key in keys:
            if self.has_answer(key):
                answered += 1
            else:
                self.prefill_failures[key] = failures.get(key, default)
        return answered, len(keys) - answered

    def is_cached(self, messages: list[dict], sample_seed: int) -> bool:
        return self.cache.get(self.key_for(messages, sample_seed), self.model_fingerprint) is not None

    async def complete(self, messages: list[dict], sample_seed: int) -> Completion:
        key = self.key_for(messages, sample_seed)
        record = self.cache.get(key, self.model_fingerprint)
        if record is not None:
            completion = self._from_record(record, cached=key not in self.prefilled)
            self.prefilled.discard(key)
            self.ledger.record(completion)
            return completion
        if key in self.prefill_failures:
            return Completion("", "error", 0, 0, 0.0, cached=False, error=self.prefill_failures[key])
        if not self._reachable:
            self.check_reachable()  # once, before the first paid call (asking for the fingerprint counts)
        client, semaphore = self._client_for_running_loop()
        async with semaphore:
            if self.ledger.budget_exhausted():  # checked in the semaphore: calls queued behind it see the spend
                self.ledger.skipped_for_budget += 1
                return Completion("", "budget_exhausted", 0, 0, 0.0, cached=False, error="budget_exhausted")
            try:
                response = await client.chat.completions.create(**self.request_body(messages, sample_seed))
            except TRANSIENT_ERRORS as error:
                kind = error_kind(error)
                self.ledger.record_error(kind)
                return Completion("", "error", 0, 0, 0.0, cached=False, error=kind)
        record = self._record_from_response(response)
        self.cache.put(key, record)
        completion = self._from_record(record, cached=False)
        self.ledger.record(completion)
        return completion

    def complete_many(self, requests: list[tuple[list[dict], int]]) -> list[Completion]:
        """Run a batch of (messages, sample_seed) requests concurrently from synchronous code."""

        async def run_all() -> list[Completion]:
            try:
                return await asyncio.gather(*(self.complete(messages, seed) for messages, seed in requests))
            finally:
                await self._close_client_of_running_loop()  # asyncio.run closes the loop next

        return asyncio.run(run_all())

    def check_reachable(self) -> None:
        """Fail early, with a clear message, when the server cannot be reached at all."""
        self._served_models()

    def _fingerprint_from_server(self) -> str:
        """`served:<id>` (plus vLLM's `root`) of the /models entry named like the model, or of the only
        entry (llama.cpp answers any name with its one model); else `unverified:<name>`, with a warning."""
        models = self._served_models()
        named = [entry for entry in models or [] if entry.get("id") == self.settings.model]
        if not named and models and len(models) == 1:
            named = models
        if named:
            entry, root = named[0], named[0].get("root")
            return f"served:{entry['id']}" + (f" root:{root}" if root and root != entry["id"] else "")
        why = "it has no /models endpoint" if models is None else f"/models lists {len(models)} models, none of that name"
        logger.warning(
            "the LLM server at %s does not say which model answers to %r (%s): its completions are cached under the "
            "name alone, and another model served under that name would reuse them; name the model with "
            "--llm-model-fingerprint", self.settings.base_url, self.settings.model, why,
        )
        return f"unverified:{self.settings.model}"

    def _served_models(self) -> list[dict] | None:
        """The server's /models entries, None when it does not implement /models; LLMConfigError when it
        cannot be reached, rejects the key or does not answer in time."""
        client = openai.OpenAI(
            base_url=self.settings.base_url, api_key=resolve_api_key(self.settings), max_retries=1,
            timeout=self.settings.timeout_s,  # a busy local server answers /models after its current completion
        )
        try:
            models = [model.to_dict() for model in client.models.list()]
        except openai.NotFoundError:
            models = None  # some compatible servers do not implement /models
        except openai.APITimeoutError:
            raise LLMConfigError(
                f"the LLM server at {self.settings.base_url} did not list its models within "
                f"{self.settings.timeout_s:.0f} s; raise --timeout or name the model with --llm-model-fingerprint"
            ) from None
        except openai.APIConnectionError as error:
            raise LLMConfigError(
                f"cannot reach the LLM server at {self.settings.base_url} ({error}); "
                "check --llm-base-url and that the server is running"
            ) from None
        except openai.AuthenticationError:
            raise LLMConfigError(
                f"the LLM server at {self.settings.base_url} rejected the API key "
                f"from {self.settings.api_key_env or 'OPENAI_API_KEY'}"
            ) from None
        finally:
            client.close()
        self._reachable = True
        return models

    def _request_params(self, sample_seed: int) -> dict:
        params = self.settings.sampling_params()
        if self.settings.send_seed:
            params["seed"] = sample_seed
        return params

    def _client_for_running_loop(self) -> tuple[openai.AsyncOpenAI, asyncio.Semaphore]:
        loop = asyncio.get_running_loop()
        loop_id = id(loop)
        if loop_id not in self._per_loop:
            client = openai.AsyncOpenAI(
                base_url=self.settings.base_url,
                api_key=resolve_api_key(self.settings),
                max_retries=self.settings.max_retries,
                timeout=self.settings.timeout_s,
                http_client=async_http_client(self.settings.http_backend),
            )
            self.close_connections()
            self._per_loop = {loop_id: (loop, client, asyncio.Semaphore(self.settings.concurrency))}
        return self._per_loop[loop_id][1:]

    async def _close_client_of_running_loop(self) -> None:
        entry = self._per_loop.pop(id(asyncio.get_running_loop()), None)
        if entry is not None:
            await entry[1].close()

    def close_connections(self) -> None:
        """Close the HTTP client of an event loop that no longer runs (`Dataset.map` leaves its
        loop open but idle). Left to the garbage collector, the client would close on whatever
        loop runs then, which fails ("Event loop is closed")."""
        for loop, client, _ in self._per_loop.values():
            if not loop.is_closed() and not loop.is_running():
                loop.run_until_complete(client.close())
        self._per_loop = {}

    def _record_from_response(self, response) -> dict:
        choice, usage = response.choices[0], response.usage  # not `model_dump`: costlier than the rest
        return self.record_from_body({
            "choices": [{"message": {"content": choice.message.content}, "finish_reason": choice.finish_reason}],
            "usage": {"prompt_tokens": usage.prompt_tokens, "completion_tokens": usage.completion_tokens} if usage else {},
            "model": response.model})

    def record_from_body(self, body: dict, batch: bool = False) -> dict:
        """The cache record of a chat.completion body (a response, or a line of a batch's output)."""
        choice = body["choices"][0]
        usage = body.get("usage") or {}
        return {
            "text": choice["message"].get("content") or "",
            "finish_reason": choice.get("finish_reason") or "unknown",
            "prompt_tokens": usage.get("prompt_tokens") or 0,
            "completion_tokens": usage.get("completion_tokens") or 0,
            "model": body.get("model") or self.settings.model,
            "model_fingerprint": self.model_fingerprint,
            "created": int(time.time()),
            **({"batch": True} if batch else {}),
        }

    def request_body(self, messages: list[dict], sample_seed: int) -> dict:
        return {"model": self.settings.model, "messages": messages, **self._request_params(sample_seed)}

    def _from_record(self, record: dict, cached: bool) -> Completion:
        return Completion(
            text=record["text"],
            finish_reason=record["finish_reason"],
            prompt_tokens=record["prompt_tokens"],
            completion_tokens=record["completion_tokens"],
            cost_usd=self.ledger.cost_of(record["prompt_tokens"], record["completion_tokens"], record.get("batch", False)),
            cached=cached,
        )
