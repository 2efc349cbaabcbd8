"""A fake OpenAI-compatible HTTP server for tests and benchmarks.

It is a real HTTP server on ``127.0.0.1`` (random free port) running in a background
thread, so the code under test talks to it through the real ``openai`` client::

    with FakeOpenAI(latency_s=0.05) as server:
        server.script("first reply", Reply(status=429, retry_after_s=0.01), "third reply")
        client = openai.AsyncOpenAI(base_url=server.base_url, api_key="x")
        ...
        assert len(server.requests) == 3

Endpoints:

* ``POST /v1/chat/completions`` -- answers with a standard ``chat.completion`` object. The
  reply comes from the scripted queue (consumed in order, see :meth:`FakeOpenAI.script`),
  then from the ``responder`` (called with the parsed request body), then from a
  deterministic default that echoes the last user message.
* ``/v1/files`` and ``/v1/batches`` -- OpenAI's Batch API, see ``tests/fake_openai_batches.py``
  (:attr:`FakeOpenAI.batch_api`).
* ``GET /v1/models`` -- a ``list`` holding the server's model (a 404 with ``list_models=False``,
  as from servers that do not implement it); counted in :attr:`FakeOpenAI.models_requests`.

Always one choice per completion (a request's ``n`` is ignored) and no streaming
(``stream=true`` is answered with a 400).

Every chat request body is recorded in :attr:`FakeOpenAI.requests`, in arrival order,
including requests answered with an error (so client retries are visible).
"""

from __future__ import annotations

import http.server
import json
import socket
import threading
import time
import uuid
from collections import deque
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Callable, Union

from tests.fake_openai_batches import FakeBatchAPI  # noqa: E402

__all__ = ["FakeOpenAI", "Reply", "Responder", "default_responder", "count_words"]


@dataclass
class Reply:
    """One scripted answer of the fake server.

    Attributes:
        content: the assistant message text (``choices[0].message.content``).
        status: HTTP status. Anything other than 200 is sent as an OpenAI-style JSON
            error body ``{"error": {"message", "type", "param", "code"}}``.
        delay_s: seconds to sleep before answering (added to the server's ``latency_s``);
            use it to trigger client timeouts.
        finish_reason: ``choices[0].finish_reason`` (e.g. ``"stop"``, ``"length"``).
        retry_after_s: when set on a 429 (or any error status), sent as the
            ``retry-after`` header (seconds, float allowed -- the openai client accepts it).
        raw_body: send exactly this body (e.g. malformed JSON) with ``status`` (200 unless
            changed) and ``content-type: application/json`` instead of a generated one.
    """

    content: str = ""
    status: int = 200
    delay_s: float = 0.0
    finish_reason: str = "stop"
    retry_after_s: float | None = None
    raw_body: str | None = None


Responder = Callable[[dict], Union[Reply, str]]

_ERROR_TYPES: dict[int, str] = {
    400: "invalid_request_error",
    401: "authentication_error",
    403: "permission_error",
    404: "not_found_error",
    408: "timeout_error",
    409: "conflict_error",
    422: "invalid_request_error",
    429: "rate_limit_error",
}


def _error_type(status: int) -> str:
    if status in _ERROR_TYPES:
        return _ERROR_TYPES[status]
    return "server_error" if status >= 500 else "invalid_request_error"


def _message_text(content: Any) -> str:
    """Text of a chat message ``content`` (a string or a list of content parts)."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        texts = [part.get("text", "") for part in content if isinstance(part, dict)]
        return " ".join(text for text in texts if isinstance(text, str))
    return ""


def count_words(text: str) -> int:
    """The fake server's token count: whitespace-separated words."""
    return len(text.split())


def _prompt_tokens(request: dict) -> int:
    messages = request.get("messages") or []
    return sum(
        count_words(_message_text(message.get("content")))
        for message in messages
        if isinstance(message, dict)
    )


def default_responder(request: dict) -> str:
    """Deterministic reply derived from the request: echoes the last user message."""
    messages = [m for m in request.get("messages") or [] if isinstance(m, dict)]
    user_texts = [_message_text(m.get("content")) for m in messages if m.get("role") == "user"]
    last_user = user_texts[-1] if user_texts else ""
    return f"echo: {last_user}"


class _Server(http.server.ThreadingHTTPServer):
    """Threaded server: one daemon thread per connection, a deep listen backlog."""

    daemon_threads = True
    allow_reuse_address = True
    # The listen() backlog; the stdlib default of 5 makes bursts of concurrent
    # connections wait for (or fail) a SYN retry instead of being served in parallel.
    request_queue_size = 1024

    fake: "FakeOpenAI"


class _Handler(http.server.BaseHTTPRequestHandler):
    # HTTP/1.1 so the openai client keeps connections alive, as with the real API.
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        """Silence the default per-request logging to stderr."""

    # --- routing ---------------------------------------------------------------------

    def do_GET(self) -> None:  # noqa: N802 - stdlib naming
        if self._hang_up_if_dead():
            return
        path = self.path.split("?", 1)[0].rstrip("/")
        if path.startswith(("/v1/files", "/v1/batches")):
            self._send_batch_api_answer(*self.server.fake.batch_api.handle("GET", path, self.headers, b""))
        elif path == "/v1/models" and self.server.fake.list_models:
            self.server.fake.count_models_request()
            self._send_json(200, self.server.fake.models_body())
        else:
            self._send_error(404, f"Unknown path {self.path}")

    def do_POST(self) -> None:  # noqa: N802 - stdlib naming
        if self._hang_up_if_dead():
            return
        path = self.path.split("?", 1)[0].rstrip("/")
        raw = self._read_body()
        if path.startswith(("/v1/files", "/v1/batches")):
            self._send_batch_api_answer(*self.server.fake.batch_api.handle("POST", path, self.headers, raw))
            return
        if path != "/v1/chat/completions":
            self._send_error(404, f"Unknown path {self.path}")
            return
        try:
            request = json.loads(raw or b"{}")
        except json.JSONDecodeError as error:
            self._send_error(400, f"Request body is not JSON: {error}")
            return
        if not isinstance(request, dict):
            self._send_error(400, "Request body must be a JSON object")
            return
        fake = self.server.fake
        fake.record(request)
        if request.get("stream"):
            self._send_error(400, "The fake server does not support stream=true")
            return
        reply = fake.next_reply(request)
        delay = fake.latency_s + reply.delay_s
        if delay > 0:
            time.sleep(delay)
        if reply.raw_body is not None:
            self._send_bytes(reply.status, reply.raw_body.encode("utf-8"), reply.retry_after_s)
        elif reply.status != 200:
            self._send_error(reply.status, f"Scripted error (status {reply.status})", reply.retry_after_s)
        else:
            self._send_json(200, fake.completion_body(request, reply))

    # --- helpers ---------------------------------------------------------------------

    def _send_batch_api_answer(self, status: int, body: dict | bytes) -> None:
        if isinstance(body, bytes):
            self._send_bytes(status, body)
        else:
            self._send_json(status, body)

    def _hang_up_if_dead(self) -> bool:
        """After `FakeOpenAI.die()`, close every connection without an answer, as a crashed
        server's port does."""
        if not self.server.fake.dead:
            return False
        self.close_connection = True
        self.connection.shutdown(socket.SHUT_RDWR)
        return True

    def _read_body(self) -> bytes:
        length = int(self.headers.get("content-length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _send_error(self, status: int, message: str, retry_after_s: float | None = None) -> None:
        body = {
            "error": {
                "message": message,
                "type": _error_type(status),
                "param": None,
                "code": None,
            }
        }
        self._send_json(status, body, retry_after_s)

    def _send_json(self, status: int, body: dict, retry_after_s: float | None = None) -> None:
        self._send_bytes(status, json.dumps(body).encode("utf-8"), retry_after_s)

    def _send_bytes(self, status: int, payload: bytes, retry_after_s: float | None = None) -> None:
        try:
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(payload)))
            if retry_after_s is not None:
                self.send_header("retry-after", f"{retry_after_s:g}")
            self.end_headers()
            self.wfile.write(payload)
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            # The client gave up (e.g. its timeout fired during a scripted delay).
            self.close_connection = True


class FakeOpenAI:
    """A fake OpenAI-compatible server (see the module docstring).

    Args:
        responder: called with each chat request body when the script is empty; returns
            a :class:`Reply` or just the content string. Defaults to
            :func:`default_responder`. It runs in the server's handler threads, so it
            must be thread-safe.
        latency_s: seconds every chat answer (errors included) waits before being sent.
        model: the model listed by ``GET /v1/models``; completions report the request's
            ``model`` (falling back to this).
        list_models: when False, ``GET /v1/models`` answers 404.
    """

    def __init__(
        self,
        responder: Responder | None = None,
        latency_s: float = 0.0,
        model: str = "fake-model",
        list_models: bool = True,
    ) -> None:
        self.responder: Responder = responder or default_responder
        self.latency_s = latency_s
        self.model = model
        self.list_models = list_models
        self.requests: list[dict] = []
        self.models_requests = 0
        self.dead = False
        self._script: deque[Reply] = deque()
        self.batch_api = FakeBatchAPI(self)
        self._lock = threading.Lock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle -------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT/v1`` (only once started)."""
        if self._server is None:
            raise RuntimeError("FakeOpenAI is not started; call start() or use it as a context manager")
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/v1"

    def start(self) -> "FakeOpenAI":
        if self._server is not None:
            raise RuntimeError("FakeOpenAI is already started")
        server = _Server(("127.0.0.1", 0), _Handler)
        server.fake = self
        thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="fake-openai-server",
            daemon=True,
        )
        thread.start()
        self._server, self._thread = server, thread
        return self

    def stop(self) -> None:
        """Stop serving and close the listening socket; safe to call twice.

        Handler threads are daemons, so a handler still sleeping on a delay does not
        block this call (its late answer goes nowhere).
        """
        server, thread = self._server, self._thread
        self._server, self._thread = None, None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        if thread is not None:
            thread.join(timeout=5)

    def __enter__(self) -> "FakeOpenAI":
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    # --- scripting -------------------------------------------------------------------

    def die(self) -> None:
        """From now on, hang up on every request (keep-alive connections included)."""
        self.dead = True

    def script(self, *replies: Reply | str) -> None:
        """Queue replies, consumed one per chat request (in order) before the responder."""
        with self._lock:
            self._script.extend(_as_reply(reply) for reply in replies)

    @property
    def pending_script(self) -> int:
        """How many scripted replies are still queued."""
        with self._lock:
            return len(self._script)

    # --- used by the handler ---------------------------------------------------------

    def record(self, request: dict) -> None:
        with self._lock:
            self.requests.append(request)

    def count_models_request(self) -> None:
        with self._lock:
            self.models_requests += 1

    def next_reply(self, request: dict) -> Reply:
        with self._lock:
            scripted = self._script.popleft() if self._script else None
        if scripted is not None:
            return scripted
        return _as_reply(self.responder(request))

    def completion_body(self, request: dict, reply: Reply) -> dict:
        prompt_tokens = _prompt_tokens(request)
        completion_tokens = count_words(reply.content)
        return {
            "id": f"chatcmpl-{uuid.uuid4().hex}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": request.get("model") or self.model,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": reply.content, "refusal": None},
                    "logprobs": None,
                    "finish_reason": reply.finish_reason,
                }
            ],
            "usage": {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": completion_tokens,
                "total_tokens": prompt_tokens + completion_tokens,
            },
        }

    def models_body(self) -> dict:
        return {
            "object": "list",
            "data": [{"id": self.model, "object": "model", "created": 0, "owned_by": "fake-openai"}],
        }


def _as_reply(reply: Reply | str) -> Reply:
    if isinstance(reply, Reply):
        return reply
    if isinstance(reply, str):
        return Reply(content=reply)
    raise TypeError(f"a reply must be a Reply or a str, not {type(reply).__name__}")
