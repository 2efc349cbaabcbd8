"""llama.cpp's own llama-server as the embedded LLM: which binary runs, how it is started and
stopped, and the build's plumbing. Building the real binary takes minutes, so the real-server
test runs only where one is built (`clingen build-llama-server` or $CLINGEN_LLAMA_SERVER)."""

from __future__ import annotations

import json
import os
import stat
import sys
import textwrap
from pathlib import Path

import openai
import pytest

from clingen_hf.llm import llama_cpp_build
from clingen_hf.llm.gguf import LocalLLMError
from clingen_hf.llm.llama_cpp_build import (
    ENV_VARIABLE,
    built_binary_path,
    find_llama_server,
)
from clingen_hf.llm.local_server import LlamaServer

# A stand-in for llama-server: records its argv and answers /v1/models and chat completions.
FAKE_LLAMA_SERVER = textwrap.dedent(f"""\
    #!{sys.executable}
    import json, sys
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    argv = sys.argv[1:]
    option = lambda name: argv[argv.index(name) + 1]
    with open(sys.argv[0] + ".argv.json", "w") as record:
        json.dump(argv, record)

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def answer(self, payload):
            body = json.dumps(payload).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_GET(self):
            self.answer({{"object": "list", "data": [{{"id": option("--alias"), "object": "model"}}]}})

        def do_POST(self):
            self.rfile.read(int(self.headers["Content-Length"]))
            self.answer({{"id": "c", "object": "chat.completion", "created": 0, "model": option("--alias"),
                         "choices": [{{"index": 0, "finish_reason": "stop",
                                      "message": {{"role": "assistant", "content": "ready"}}}}],
                         "usage": {{"prompt_tokens": 3, "completion_tokens": 1, "total_tokens": 4}}}})

    ThreadingHTTPServer(("127.0.0.1", int(option("--port"))), Handler).serve_forever()
""")


def executable(path: Path, text: str) -> Path:
    path.write_text(text)
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return path


def fake_gguf(tmp_path: Path) -> Path:
    """Enough of a GGUF header for check_gguf (the fake server never reads it)."""
    import struct

    header = b"GGUF" + struct.pack("<IQQ", 3, 0, 1)
    key = b"general.name"
    value = b"fake"
    kv = struct.pack("<Q", len(key)) + key + struct.pack("<I", 8) + struct.pack("<Q", len(value)) + value
    path = tmp_path / "fake.gguf"
    path.write_bytes(header + kv + b"\0" * 64)
    return path


def test_the_environment_chooses_the_server(tmp_path, cache_dir, monkeypatch):
    monkeypatch.delenv(ENV_VARIABLE, raising=False)
    assert find_llama_server(cache_dir) is None  # nothing built: llama-cpp-python's server
    built = built_binary_path(cache_dir)
    built.parent.mkdir(parents=True)
    executable(built, "#!/bin/sh\n")
    assert find_llama_server(cache_dir) == built
    monkeypatch.setenv(ENV_VARIABLE, "python")
    assert find_llama_server(cache_dir) is None
    other = executable(tmp_path / "my-llama-server", "#!/bin/sh\n")
    monkeypatch.setenv(ENV_VARIABLE, str(other))
    assert find_llama_server(cache_dir) == other
    monkeypatch.setenv(ENV_VARIABLE, str(tmp_path / "missing"))
    with pytest.raises(LocalLLMError, match=f"{ENV_VARIABLE}=.*missing: no executable file there.*build-llama-server"):
        find_llama_server(cache_dir)


def test_llama_server_starts_with_slots_answers_and_stops(tmp_path, cache_dir):
    binary = executable(tmp_path / "llama-server", FAKE_LLAMA_SERVER)
    server = LlamaServer(fake_gguf(tmp_path), n_ctx=2048, n_threads=2, alias="local", binary=binary, parallel=3,
                         startup_timeout_s=60)
    with server:
        argv = json.loads((tmp_path / "llama-server.argv.json").read_text())
        client = openai.OpenAI(base_url=server.base_url, api_key="unused")
        assert [model.id for model in client.models.list()] == [server.served_model_id]
        client.close()
        pid = server.pid
    option = dict(zip(argv[::2], argv[1::2]))
    assert option["--parallel"] == "3" and option["--ctx-size"] == str(2048 * 3)
    assert option["--threads"] == option["--threads-batch"] == "2" and option["--host"] == "127.0.0.1"
    assert server.kind == "llama.cpp llama-server, 3 slots" and not server.is_running()
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_a_non_executable_binary_is_named(tmp_path, cache_dir):
    binary = tmp_path / "llama-server"
    binary.write_text("not a program")
    with pytest.raises(LocalLLMError, match="not an executable llama-server.*build-llama-server"):
        LlamaServer(fake_gguf(tmp_path), binary=binary).start()


def test_llama_cpp_python_server_has_one_slot(tmp_path):
    assert LlamaServer(tmp_path / "m.gguf", parallel=4).parallel == 1


def test_build_needs_cmake_and_says_so(cache_dir, monkeypatch):
    monkeypatch.setattr(llama_cpp_build.shutil, "which", lambda tool: None)
    with pytest.raises(LocalLLMError, match="needs cmake on PATH"):
        llama_cpp_build.build_llama_server(cache_dir)
    assert not built_binary_path(cache_dir).exists()


def test_build_steps_are_followed_and_a_failure_quotes_the_output():
    steps = []
    script = "print('[1/3] compile a'); print('[ 50%] make style'); print('[3/3] link')"
    llama_cpp_build._run([sys.executable, "-c", script], "build", lambda done, total: steps.append((done, total)))
    assert steps == [(1, 3), (50, 100), (3, 3)]
    with pytest.raises(LocalLLMError, match=r"(?s)build failed \(exit 2\).*error: no compiler"):
        llama_cpp_build._run([sys.executable, "-c", "import sys; print('error: no compiler'); sys.exit(2)"], "build")


def _real_binary() -> Path | None:
    try:
        return find_llama_server()
    except LocalLLMError:
        return None


@pytest.mark.skipif(_real_binary() is None, reason="no llama-server built (clingen build-llama-server)")
def test_real_llama_server_answers_requests_in_parallel(cache_dir):
    from tests.llm.test_local_server import MESSAGES, SMOLLM2

    with LlamaServer(SMOLLM2, n_ctx=1024, n_threads=2, alias="smollm2", binary=_real_binary(), parallel=2) as server:
        client = openai.OpenAI(base_url=server.base_url, api_key="unused")
        assert [model.id for model in client.models.list()] == [server.served_model_id]
        response = client.chat.completions.create(model="smollm2", messages=MESSAGES, max_tokens=8, seed=1)
        client.close()
    assert response.usage.completion_tokens > 0
