"""`clingen generate --task T --method M --output DIR`: a synthetic training set, one config of a
Hub-layout dataset directory (`clingen_hf.generate` does the work).

Examples:
    clingen generate --task ncbi-disease --method clingen-kg --n 20
        --llm-base-url http://127.0.0.1:8000/v1 --llm-model qwen --output out/ncbi-synthetic
    clingen generate --task ncbi-disease --method zerogen --n 20
        --llm-base-url http://127.0.0.1:8000/v1 --llm-model qwen --output out/ncbi-synthetic
"""

from __future__ import annotations

import argparse
from pathlib import Path

from clingen_hf.cli.common import (
    UsageError,
    add_label_check_arguments,
    add_llm_arguments,
    checks_for,
    llm_settings_from,
    task_names,
)
from clingen_hf.core.methods import METHODS
from clingen_hf.data.seeds import DEFAULT_DEV_HOLDOUT
from clingen_hf.generation.api import (
    GenerationConfig,
    check_config,
    finished_generation,
    generate,
)
from clingen_hf.generation.summary import summary_lines


def add_parser(commands) -> None:
    methods = "\n".join(f"  {name:22} {method.description}" for name, method in METHODS.items())
    p = commands.add_parser(
        "generate",
        help="generate a synthetic training set with an LLM",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description=(
            "Generate a synthetic training set for TASK with an OpenAI-compatible LLM and write it as a\n"
            "config of a Hub-style dataset directory (README.md card + parquet), loadable with\n"
            "datasets.load_dataset(OUTPUT, METHOD). Every completion is cached: a rerun is free and a\n"
            "killed run resumes with only the missing calls.\n\nmethods:\n" + methods
        ),
    )
    p.add_argument("--task", required=True, choices=task_names(), metavar="TASK", help=f"one of: {', '.join(task_names())}")
    p.add_argument("--method", default="clingen-kg", choices=list(METHODS), help="generation method (default: clingen-kg)")
    p.add_argument("--n", type=int, default=100, help="samples to request from the LLM (default: 100)")
    p.add_argument("--output", required=True, type=Path, help="dataset directory; another method adds a config")
    p.add_argument("--config", help="config name in the dataset directory (default: the method), to keep variants of one "
                   "method side by side")
    p.add_argument("--force", action="store_true", help="generate again even when OUTPUT already holds this config's "
                   "finished run with the same settings and inputs (which is otherwise reused as it is)")
    data = p.add_argument_group("seeds and knowledge")
    data.add_argument("--seeds", help="a file or folder in the task's real format (CoNLL .tsv, GAD/ChemProt .tsv, HoC .tsv, "
                      "RQE .xml, HealthVer/MQP .csv, CDR PubTator), a .jsonl, or a Hub dataset id (default: the task's "
                      "bundled seeds)")
    data.add_argument("--seed", type=int, default=0, help="run seed: few-shot sampling, topics, styles, LLM seeds (default: 0)")
    data.add_argument("--k-shot", type=int, default=5, help="seed examples per class used as demonstrations (default: 5)")
    data.add_argument("--dev-holdout", type=float, default=DEFAULT_DEV_HOLDOUT, help="--seeds FOLDER with a single split: "
                      "the share training holds out as its dev split, never shown to the LLM (default: 0.2, as training)")
    data.add_argument("--share-seeds", action="store_true", help="write the seeds used as a few_shot split (always done "
                      "for the bundled seeds; for your own seeds only if their licence allows redistribution)")
    data.add_argument("--kg", default="embedded", help="'embedded' (packaged vocabularies) or a folder of iBKH CSV files")
    data.add_argument("--topics", help="reuse a topics JSON file (from a previous run's knowledge/ folder)")
    data.add_argument("--styles", help="reuse a styles JSON file")
    add_label_check_arguments(p, "span checks: NER tasks")
    add_llm_arguments(p)
    p.set_defaults(handler=run)


def generation_config(args) -> GenerationConfig:
    return GenerationConfig(
        task=args.task, method=args.method, n=args.n, seed=args.seed, seeds=args.seeds, k_shot=args.k_shot,
        dev_holdout=args.dev_holdout, share_seeds=args.share_seeds, recipe=args.recipe,
        checks=checks_for(args, args.task, args.method), topic_weighting=args.topic_weighting,
        style_prompt=args.style_prompt, kg=args.kg, topics_file=args.topics, styles_file=args.styles,
        cache_dir=args.cache_dir, name=args.config, llm=llm_settings_from(args))


def run(args) -> int:
    config = generation_config(args)
    if args.output.exists() and not args.output.is_dir():
        raise UsageError(f"--output {args.output}: exists and is not a directory")
    check_config(config)
    previous = None if args.force else finished_generation(config, args.output)
    if previous is not None:
        print(reuse_lines(previous, args.output, config.config_name))
        return 0
    result = generate(config)
    location = result.save(args.output)
    print("\n".join(summary_lines(result.report, result.ledger, location, config.config_name, args.max_cost_usd)))
    return 0


def reuse_lines(report: dict, output: Path, config_name: str) -> str:
    counts = report["counts"]
    return (f"\nclingen generate: {output / config_name} already holds this run (same settings, inputs and version; "
            "every sample answered): reusing it; --force generates again\n"
            f"  requested {counts['requested']}   kept {counts['kept']}\n"
            f"  load it: datasets.load_dataset({str(output)!r}, {config_name!r})")
