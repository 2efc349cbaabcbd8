"""`clingen serve-llm`: the embedded llama.cpp server as an OpenAI-compatible API on 127.0.0.1.

Examples:
    clingen serve-llm --port 8000
"""

from __future__ import annotations

import sys
from pathlib import Path

from clingen_hf.cli.common import local_llm_errors_as_usage


def add_parser(commands) -> None:
    s = commands.add_parser("serve-llm", help="serve the embedded LLM as an OpenAI-compatible API on 127.0.0.1",
                            description="Start the embedded llama.cpp server (the same one `clingen run` uses: llama.cpp's llama-server once `clingen build-llama-server` has built it, else llama-cpp-python's) until Ctrl-C.")
    s.add_argument("--gguf", help="GGUF model file (default: the packaged Qwen2.5-1.5B)")
    s.add_argument("--port", type=int, default=8000)
    s.add_argument("--n-ctx", type=int, default=4096)
    s.add_argument("--alias", default="local", help="model name clients pass (default: local)")
    s.add_argument("--parallel", type=int, default=4, help="slots of llama.cpp's llama-server (requests decoded at once; "
                   "default: 4); llama-cpp-python's server has one")
    s.add_argument("--cache-dir")
    s.set_defaults(handler=run)


def run(args) -> int:
    import time as clock

    with local_llm_errors_as_usage():
        from clingen_hf.llm.gguf import resolve_model
        from clingen_hf.llm.llama_cpp_build import find_llama_server
        from clingen_hf.llm.local_server import LlamaServer
        from clingen_hf.pipelines.run import hub_reachable_by_settings

        cache_dir = Path(args.cache_dir) if args.cache_dir else None
        model = resolve_model(args.gguf, cache_dir, allow_download=hub_reachable_by_settings())
        with LlamaServer(model, port=args.port, n_ctx=args.n_ctx, alias=args.alias, cache_dir=cache_dir,
                         binary=find_llama_server(cache_dir), parallel=args.parallel) as server:
            print(f"serving {model.name} as model {server.alias!r} at {server.base_url} with {server.kind} "
                  f"(Ctrl-C to stop); send up to {server.parallel} requests at once; "
                  f"/v1/models reports {server.served_model_id!r}, so clients cache its answers apart from any other "
                  "model's", flush=True)
            while server.is_running():
                clock.sleep(1)
    print("clingen serve-llm: the server stopped", file=sys.stderr)
    return 1
