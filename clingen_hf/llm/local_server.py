"""An embedded LLM: a GGUF model served on 127.0.0.1 by an OpenAI-compatible llama.cpp server.

`clingen_hf.llm.gguf.resolve_model` finds the model; `LlamaServer` runs llama.cpp's own
`llama-server` with parallel slots when one is built (`clingen_hf.llm.llama_cpp_build`; 1.2x
the samples per second in a 40-sample ClinGen-KG generation on 2 CPU cores, more over longer
runs, docs/benchmarks.md),
else llama-cpp-python's
`python -m llama_cpp.server`, one request at a time. It starts the server in a child process, waits until it answers and
never leaves it running: it is stopped on leaving its `with` block (exceptions and Ctrl-C
included), at interpreter exit and on SIGTERM. `LlamaServer.model_fingerprint` (the GGUF's
sha256) names the model in the completion cache's keys. Every failure is a `LocalLLMError`
whose message says what to do.
"""

from __future__ import annotations

import atexit
import importlib
import importlib.util
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import FrameType
from typing import Callable

from clingen_hf.llm.gguf import INSTALL_HINT, LocalLLMError, check_gguf, gguf_sha256

# ---------------------------------------------------------------------------------------------
# The server process
# ---------------------------------------------------------------------------------------------

_SERVER_MODULES = ("llama_cpp", "uvicorn", "fastapi", "sse_starlette", "starlette_context", "pydantic_settings")
# llama_cpp.server reads these from the environment and lets them override its command line
# (HOST/PORT/CONFIG_FILE) or turn on authentication (API_KEY); the child gets none of them.
_SERVER_ENV_OVERRIDES = ("HOST", "PORT", "CONFIG_FILE", "API_KEY")
_LOG_TAIL_LINES = 25


def _require_llama_cpp_server() -> None:
    missing = [name for name in _SERVER_MODULES if importlib.util.find_spec(name) is None]
    if missing:
        raise LocalLLMError(f"the embedded LLM needs llama-cpp-python's server ({', '.join(missing)} missing): {INSTALL_HINT}")


def _port_is_free(port: int) -> bool:
    """Whether a server could listen on 127.0.0.1:port (SO_REUSEADDR, as uvicorn binds)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _default_threads() -> int:
    affinity = getattr(os, "sched_getaffinity", None)
    return len(affinity(0)) if affinity else (os.cpu_count() or 1)


def _tail(path: Path, lines: int = _LOG_TAIL_LINES) -> str:
    try:
        with path.open("rb") as handle:
            handle.seek(max(0, path.stat().st_size - 16_384))
            text = handle.read().decode("utf-8", errors="replace")
    except OSError as error:
        return f"(log {path} unreadable: {error})"
    return "\n".join(text.splitlines()[-lines:]) or "(the log is empty)"


class LlamaServer:
    """A llama.cpp server for one GGUF on 127.0.0.1, as a context manager: `binary` (llama.cpp's
    `llama-server`) with `parallel` slots, or without it `python -m llama_cpp.server`.

    Clients name the model `alias`; /v1/models reports `served_model_id`, the alias with a short
    sha256 of the GGUF, so a client that asks the server which model answers learns the file too
    (both servers answer any model name with their one model). The completion cache keys on the
    GGUF's sha256, not on the server: both sample the same model with the same parameters."""

    def __init__(
        self,
        model_path: Path,
        *,
        port: int | None = None,
        n_ctx: int = 4096,
        n_threads: int | None = None,
        alias: str = "local",
        startup_timeout_s: float = 300.0,
        log_path: Path | None = None,
        cache_dir: Path | None = None,
        binary: Path | None = None,
        parallel: int = 4,
    ):
        self.model_path = Path(model_path).expanduser()
        self.port = port
        self.n_ctx = n_ctx
        self.n_threads = n_threads or _default_threads()
        self.alias = alias
        self.startup_timeout_s = startup_timeout_s
        self.log_path = Path(log_path) if log_path else None
        self.cache_dir = cache_dir
        self.binary = Path(binary) if binary else None
        self.parallel = parallel if self.binary else 1
        self.process: subprocess.Popen | None = None
        self._log_is_temporary = False
        self._sha256: str | None = None

    @property
    def model_fingerprint(self) -> str:
        """`gguf-sha256:<hex>` of the model file: pass it as `LLMSettings.model_fingerprint`."""
        return f"gguf-sha256:{self._model_sha256()}"

    @property
    def served_model_id(self) -> str:
        """What /v1/models reports, e.g. `local@gguf-sha256:cc324af070c2`."""
        return f"{self.alias}@gguf-sha256:{self._model_sha256()[:12]}"

    def _model_sha256(self) -> str:
        if self._sha256 is None:
            self._sha256 = gguf_sha256(self.model_path, self.cache_dir)
        return self._sha256

    @property
    def base_url(self) -> str:
        if self.port is None:
            raise LocalLLMError("the server has no port yet: call start() (or enter the with block) first")
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    def is_running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def log_tail(self, lines: int = _LOG_TAIL_LINES) -> str:
        """The last lines of the server's log (to explain a server that died mid-run)."""
        return _tail(self.log_path, lines) if self.log_path else "(not started)"

    def start(self) -> "LlamaServer":
        if self.is_running():
            return self
        if self.binary is None:
            _require_llama_cpp_server()
        elif not os.access(self.binary, os.X_OK):
            raise LocalLLMError(f"{self.binary} is not an executable llama-server: rebuild it with `clingen build-llama-server`")
        check_gguf(self.model_path)
        self._claim_port()
        self._spawn()
        try:
            self._wait_until_ready()
        except BaseException:  # Ctrl-C or a failed start: never leave the process behind
            self.stop()
            raise
        return self

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None:
            return
        try:
            _terminate(process)
        finally:
            _unregister(self)
        if self._log_is_temporary and process.returncode in (0, -signal.SIGTERM, -signal.SIGINT):
            self.log_path.unlink(missing_ok=True)

    def __enter__(self) -> "LlamaServer":
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def _claim_port(self) -> None:
        if self.port is None:
            self.port = _free_port()
        elif not _port_is_free(self.port):
            raise LocalLLMError(
                f"port {self.port} on 127.0.0.1 is in use; stop what listens there, choose another port, "
                "or leave the port unset to pick a free one"
            )

    @property
    def kind(self) -> str:
        return f"llama.cpp llama-server, {self.parallel} slots" if self.binary else "llama-cpp-python server"

    def _command(self) -> list[str]:
        if self.binary:
            return [
                str(self.binary),
                "--model", str(self.model_path),
                "--host", "127.0.0.1",
                "--port", str(self.port),
                "--ctx-size", str(self.n_ctx * self.parallel),  # shared by the slots: n_ctx each
                "--parallel", str(self.parallel),
                "--threads", str(self.n_threads),
                "--threads-batch", str(self.n_threads),
                "--alias", self.served_model_id,
            ]  # fmt: skip
        return [
            sys.executable, "-m", "llama_cpp.server",
            "--model", str(self.model_path),
            "--host", "127.0.0.1",
            "--port", str(self.port),
            "--n_ctx", str(self.n_ctx),
            "--n_threads", str(self.n_threads),
            "--n_threads_batch", str(self.n_threads),
            "--model_alias", self.served_model_id,
        ]  # fmt: skip

    def _spawn(self) -> None:
        if self.log_path is None:
            descriptor, name = tempfile.mkstemp(prefix="clingen-llama-server-", suffix=".log")
            os.close(descriptor)
            self.log_path, self._log_is_temporary = Path(name), True
        env = {key: value for key, value in os.environ.items() if key not in _SERVER_ENV_OVERRIDES}
        with self.log_path.open("ab") as log:  # the child keeps its own copy of the descriptor
            self.process = subprocess.Popen(
                self._command(), stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, env=env
            )
        _register(self)

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + self.startup_timeout_s
        while time.monotonic() < deadline:
            returncode = self.process.poll()
            if returncode is not None:
                raise self._startup_error(f"exited with code {returncode} before answering")
            if self._answers():
                self._warm_up()
                return
            time.sleep(0.25)
        raise self._startup_error(f"did not answer within {self.startup_timeout_s:.0f} s")

    def _warm_up(self) -> None:
        """One short completion: a llama.cpp build that crashes on this CPU does so at the first
        multi-token decode, which /models does not exercise. Better to learn it here, with the
        rebuild hint, than as a server that stops answering mid-run."""
        body = json.dumps({"model": self.alias, "max_tokens": 2, "temperature": 0.0,
                           "messages": [{"role": "user", "content": "Reply with one word: ready"}]}).encode()
        request = urllib.request.Request(f"{self.base_url}/chat/completions", data=body,
                                         headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(request, timeout=self.startup_timeout_s) as response:
                response.read()
        except (urllib.error.URLError, ConnectionError, TimeoutError) as error:
            try:
                self.process.wait(timeout=10)  # a crashed server is reported with its exit code
            except subprocess.TimeoutExpired:
                pass  # still running: the error itself says what went wrong
            raise self._startup_error(f"failed its first completion ({error})") from None

    def _answers(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.base_url}/models", timeout=2.0) as response:
                return response.status == 200
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            return False

    def _startup_error(self, what: str) -> LocalLLMError:
        returncode = self.process.returncode if self.process else None
        crash_hint = f"; a segmentation fault usually means a CPU-specific build: {INSTALL_HINT}" if returncode == -signal.SIGSEGV else ""
        self._log_is_temporary = False  # keep the log: the message points to it
        return LocalLLMError(
            f"the llama.cpp server for {self.model_path} on port {self.port} {what}{crash_hint}. "
            f"Last lines of {self.log_path}:\n{self.log_tail()}"
        )


def _terminate(process: subprocess.Popen, grace_s: float = 10.0) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=grace_s)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# ---------------------------------------------------------------------------------------------
# Exit hooks: installed while any server runs
# ---------------------------------------------------------------------------------------------

_running: set[LlamaServer] = set()
_running_lock = threading.RLock()
_previous_sigterm: Callable | int | None = None
_sigterm_installed = False


def _register(server: LlamaServer) -> None:
    with _running_lock:
        if not _running:
            atexit.register(_stop_all)
            _install_sigterm_handler()
        _running.add(server)


def _unregister(server: LlamaServer) -> None:
    with _running_lock:
        _running.discard(server)
        if not _running:
            atexit.unregister(_stop_all)
            _restore_sigterm_handler()


def _stop_all() -> None:
    with _running_lock:
        servers = list(_running)
    for server in servers:
        server.stop()


def _install_sigterm_handler() -> None:
    global _previous_sigterm, _sigterm_installed
    if threading.current_thread() is not threading.main_thread():
        return  # signal handlers can only be set from the main thread; atexit and stop() still apply
    _previous_sigterm = signal.getsignal(signal.SIGTERM)
    signal.signal(signal.SIGTERM, _on_sigterm)
    _sigterm_installed = True


def _restore_sigterm_handler() -> None:
    global _sigterm_installed
    if not _sigterm_installed or threading.current_thread() is not threading.main_thread():
        return
    if signal.getsignal(signal.SIGTERM) is _on_sigterm:  # someone else's handler on top stays
        signal.signal(signal.SIGTERM, _previous_sigterm if _previous_sigterm is not None else signal.SIG_DFL)
    _sigterm_installed = False


def _on_sigterm(signum: int, frame: FrameType | None) -> None:
    previous = _previous_sigterm
    _stop_all()
    if callable(previous):
        previous(signum, frame)
    elif previous != signal.SIG_IGN:  # the default action: die of SIGTERM, as without us
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGTERM)
