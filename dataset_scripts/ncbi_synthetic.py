"""Recipe for clingen/ncbi-synthetic: every method's config of NCBI-Disease synthetic data.

Fixes the task, the methods, the size and the seed; builds each config into one directory
with `clingen_hf.generate` (cached: a rerun is free) and, with --push, publishes it as VERSION.

    python dataset_scripts/ncbi_synthetic.py --llm-base-url http://127.0.0.1:8000/v1 --llm-model qwen \\
        --seeds path/to/ncbi_disease/train.tsv --push --version v1.0.0
"""

from __future__ import annotations

import argparse
import sys

from clingen_hf import GenerationConfig, LLMSettings, generate
from clingen_hf.generation.summary import summary_lines
from clingen_hf.hub.publish import publish_dataset

RECIPE = {
    "repo_id": "clingen/ncbi-synthetic",
    "task": "ncbi-disease",
    "methods": ["clingen-kg", "clingen-llm", "zerogen", "demogen"],
    "n": 5000,  # the paper's size (App. C)
    "seed": 0,
    "k_shot": 5,
}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--llm-base-url", required=True)
    parser.add_argument("--llm-model", required=True)
    parser.add_argument("--llm-api-key-env", help="variable holding the API key (remote servers)")
    parser.add_argument("--seeds", help="few-shot seed source (default: the bundled NCBI-Disease seeds)")
    parser.add_argument("--output", default="out/ncbi-synthetic")
    parser.add_argument("--n", type=int, default=RECIPE["n"], help=f"samples per method (default {RECIPE['n']})")
    parser.add_argument("--concurrency", default="8")
    parser.add_argument("--push", action="store_true", help="publish the directory when every config is built")
    parser.add_argument("--repo-id", default=RECIPE["repo_id"])
    parser.add_argument("--version", help="version tag to publish, e.g. v1.0.0 (needed with --push)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.push and not args.version:
        print("ncbi_synthetic.py: error: --push needs --version", file=sys.stderr)
        return 2
    llm = LLMSettings(base_url=args.llm_base_url, model=args.llm_model, api_key_env=args.llm_api_key_env,
                      concurrency=int(args.concurrency))
    for method in RECIPE["methods"]:
        config = GenerationConfig(task=RECIPE["task"], method=method, n=args.n, seed=RECIPE["seed"],
                                  k_shot=RECIPE["k_shot"], seeds=args.seeds, llm=llm)
        result = generate(config)  # bad settings raise before any call; failures raise with the reason
        location = result.save(args.output)
        print("\n".join(summary_lines(result.report, result.ledger, location, config.config_name, None)))
    if args.push:
        published = publish_dataset(args.output, args.repo_id, args.version)
        print(f"{args.repo_id}: {args.version} ({published.identity})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
