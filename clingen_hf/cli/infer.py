"""`clingen infer --task T --real R`: the LLM labels a real split itself (paper Table 2).

Examples:
    clingen infer --task ncbi-disease --real data/ncbi_disease --limit 10
        --llm-base-url http://127.0.0.1:8000/v1 --llm-model qwen --output out/infer.json
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from clingen_hf.cli.common import (
    UsageError,
    add_llm_arguments,
    llm_settings_from,
    task_names,
)


def add_parser(commands) -> None:
    i = commands.add_parser(
        "infer",
        help="direct few-shot inference with the LLM on a real evaluation split (paper Table 2)",
        description="The LLM labels the evaluation split itself, with --k-shot examples per class from the real train\n"
        "split as demonstrations; predictions are scored with the task's metric. Calls are cached and costed.\n"
        "The temperature defaults to 0 here.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    i.add_argument("--task", required=True, choices=task_names(), metavar="TASK")
    i.add_argument("--real", required=True, help="real data (a folder in the task's format or a Hub id): train split for "
                   "the demonstrations, --split for the evaluation")
    i.add_argument("--split", default="dev", help="split to label (default: dev)")
    i.add_argument("--limit", type=int, help="label a seeded sample of this many examples (default: all)")
    i.add_argument("--k-shot", type=int, default=5, help="demonstrations per class (default: 5)")
    i.add_argument("--seed", type=int, default=0, help="few-shot sampling and the sample of --limit (default: 0)")
    i.add_argument("--dev-holdout", type=float, default=0.2, help="single-split data: the share held out as dev (default: 0.2)")
    i.add_argument("--output", type=Path, help="write the scores, counts and cost to this JSON file")
    add_llm_arguments(i)
    i.set_defaults(handler=run, temperature=0.0)  # labelling, not writing: greedy unless --temperature


def run(args) -> int:
    from clingen_hf.core.tasks import get_task
    from clingen_hf.evaluation.inference import infer_with_k_shot, real_seed_splits
    from clingen_hf.llm.cache import CompletionCache
    from clingen_hf.llm.client import LLMClient, resolve_api_key

    task = get_task(args.task)
    settings = llm_settings_from(args)
    resolve_api_key(settings)
    splits = real_seed_splits(task, args.real, args.dev_holdout)
    if args.split not in splits:
        raise UsageError(f"--split {args.split}: the real data has only {', '.join(splits)}")
    llm = LLMClient(settings, CompletionCache.in_dir(args.cache_dir))
    result = infer_with_k_shot(task, llm, splits["train"], splits[args.split], args.k_shot, args.limit, args.seed)
    ledger, prompt, completion, cost = result.ledger, result.prompt_tokens, result.completion_tokens, result.cost_usd
    print(f"\nclingen infer: {task.name} / {args.split}: {result.examples} examples, {result.unparsed} answers naming no label")
    print("  " + "  ".join(f"{name} {value:.4f}" for name, value in sorted(result.scores.items())))
    print(f"  LLM calls: {ledger.calls_made} made, {ledger.cache_hits} from cache; tokens {prompt:,} prompt + "
          f"{completion:,} completion; cost {f'${cost:.4f}' if cost is not None else 'unknown (set --price-input/--price-output)'}")
    if args.output:
        payload = {"task": task.name, "split": args.split, "examples": result.examples, "unparsed": result.unparsed,
                   "scores": result.scores, "prompt_tokens": prompt, "completion_tokens": completion, "cost_usd": cost,
                   "model": settings.model, "k_shot": args.k_shot, "seed": args.seed}
        args.output.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    return 0
