"""`clingen run --task T`: the whole pipeline in one command (clingen_hf.pipelines.run).

Examples:
    clingen run --task ncbi-disease
    clingen run --task ncbi-disease --real data/ncbi_disease --methods clingen-kg zerogen --n 300
"""

from __future__ import annotations

import argparse
from pathlib import Path

from clingen_hf.cli.common import local_llm_errors_as_usage
from clingen_hf.cli.pipeline_options import (
    add_pipeline_arguments,
    check_pipeline_arguments,
    pipeline_options,
)
from clingen_hf.pipelines.run import RunOptions, run_pipeline


def add_parser(commands) -> None:
    r = commands.add_parser(
        "run",
        help="the whole pipeline in one command, offline: generate, train, evaluate, report",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Knowledge (embedded KG, LLM topics and styles) -> generation with an embedded llama.cpp LLM (or\n"
        "--llm-base-url) -> two-stage training per method and the supervised-few baseline -> evaluation ->\n"
        "quality numbers -> cards, under one output directory, ending with a results table. Without --real, the\n"
        "bundled seeds and a bundled DEMO evaluation set are used (reported as such). Everything is cached:\n"
        "a rerun resumes.",
    )
    add_pipeline_arguments(r, default_methods=["clingen-kg", "zerogen"])
    r.add_argument("--seed", type=int, default=0)
    r.add_argument("--train-seeds", type=int, nargs="+", default=[0, 1, 2],
                   help="training seeds; the table shows mean ± std over them (default: 0 1 2)")
    r.set_defaults(handler=run)


def run(args) -> int:
    check_pipeline_arguments(args)
    output = args.output or Path("out") / f"run-{args.task}"
    options = RunOptions(output=output, seed=args.seed, train_seeds=args.train_seeds, **pipeline_options(args))
    with local_llm_errors_as_usage():
        table = run_pipeline(options)
    print(f"\nclingen run: {args.task} -> {options.output}\n\n{table}")
    return 0
