"""`clingen experiment --task T`: the paper's comparison for one task (clingen_hf.pipelines.experiment).

Examples:
    clingen experiment --task ncbi-disease --real data/ncbi_disease --n 500
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
from clingen_hf.core.methods import METHODS
from clingen_hf.pipelines.experiment import ExperimentOptions, run_experiment


def add_parser(commands) -> None:
    e = commands.add_parser(
        "experiment",
        help="the paper's comparison for one task: methods x seeds -> tables of scores, quality and cost",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="For each seed: generate with every method (cached), train two-stage on each and the supervised-few\n"
        "baseline, evaluate on the dev split, compute quality numbers and the safety gate. Writes results.md and\n"
        "results.csv (mean ± std over seeds, the paper's Table 1 layout), quality.csv (Table 4) and cost.csv\n"
        "(Table 10). Resumable: cached calls and finished models are reused.",
    )
    add_pipeline_arguments(e, default_methods=list(METHODS))
    e.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2], help="run seeds: generation and training (default: 0 1 2)")
    e.add_argument("--direct-inference", type=int, metavar="N", help="also let the LLM label N dev examples itself per seed, "
                   "with 5 demonstrations per class (paper Table 2); a row of the tables")
    e.add_argument("--supervised-full", action="store_true", help="also train on the whole real train split (3 epochs), "
                   "the upper bound of the paper's tables")
    e.set_defaults(handler=run)


def run(args) -> int:
    check_pipeline_arguments(args)
    output = args.output or Path("out") / f"experiment-{args.task}"
    options = ExperimentOptions(output=output, seeds=args.seeds, direct_inference=args.direct_inference,
                                supervised_full=args.supervised_full, **pipeline_options(args))
    options.output.mkdir(parents=True, exist_ok=True)
    with local_llm_errors_as_usage():
        tables = run_experiment(options)
    print(f"\nclingen experiment: {args.task} -> {options.output}\n\n{tables}")
    return 0
