"""The options `clingen run` and `clingen experiment` share, and their checks."""

from __future__ import annotations

from pathlib import Path

from clingen_hf.cli.common import (
    UsageError,
    add_label_check_arguments,
    checks_for,
    label_check_overrides,
    task_names,
)
from clingen_hf.core.methods import METHODS
from clingen_hf.core.tasks import get_task
from clingen_hf.data.seeds import DEFAULT_DEV_HOLDOUT
from clingen_hf.generation.api import check_label_checks
from clingen_hf.pipelines.run import trainer_config_path


def add_pipeline_arguments(p, default_methods: list[str]) -> None:
    """The options `clingen run` and `clingen experiment` share."""
    p.add_argument("--task", required=True, choices=task_names(), metavar="TASK", help=f"one of: {', '.join(task_names())}")
    p.add_argument("--methods", nargs="+", default=default_methods, choices=list(METHODS),
                   help=f"(default: {' '.join(default_methods)})")
    p.add_argument("--n", type=int, default=40, help="samples per method (default: 40; on 2 cores about 8 min for clingen-kg, 2 for zerogen)")
    p.add_argument("--real", help="real data: a folder in the task's format (e.g. train.tsv + devel.tsv [+ test.tsv], the "
                   "RQE .xml, HealthVer .csv, CDR PubTator files) or a Hub id; its train split gives the k-shot set "
                   "(demonstrations and stage I) and the validation set, its dev and test splits the evaluation")
    p.add_argument("--test", help="a test file in the task's format, when --real has no test split: scores on it are "
                   "reported next to dev; nothing is selected on it")
    p.add_argument("--dev-holdout", type=float, default=DEFAULT_DEV_HOLDOUT, help="when the real data has a single split, "
                   "the share of it held out (seeded) as the dev split; the rest is the train split, the only one "
                   "demonstrations come from (default: 0.2)")
    p.add_argument("--trainer-config", help="trainer config YAML every model starts from (default: "
                   "trainer_configs/TASK-minilm-cpu.yaml); results name the file and its hash")
    p.add_argument("--output", type=Path, help="(default: out/COMMAND-TASK)")
    p.add_argument("--llm-base-url", help="use this OpenAI-compatible server instead of the embedded one")
    p.add_argument("--llm-model", default="local", help="model name at --llm-base-url")
    p.add_argument("--llm-api-key-env", help="variable holding the API key for --llm-base-url")
    p.add_argument("--gguf", help="GGUF model file for the embedded server (default: the packaged Qwen2.5-1.5B)")
    p.add_argument("--concurrency", type=int, help="requests in flight at once (default: the embedded server's slots, "
                   "4 for llama.cpp's llama-server and 1 for llama-cpp-python's; 8 for a remote server)")
    p.add_argument("--max-tokens", type=int, default=200)
    p.add_argument("--classifier", help="model to fine-tune, instead of the trainer config's (the CPU configs: the "
                   "packaged all-MiniLM-L6-v2; a PubMedBERT id on a GPU machine with Hub access)")
    p.add_argument("--cache-dir", help="LLM cache, knowledge graph and assembled model (default: $CLINGEN_CACHE or ~/.cache/clingen_hf)")
    add_label_check_arguments(p, "as in `clingen generate`")


def check_pipeline_arguments(args) -> None:
    if args.n <= 0:
        raise UsageError(f"--n must be a positive number of samples, got {args.n}")
    for method in args.methods:
        check_label_checks(checks_for(args, args.task, method), get_task(args.task))
    local_path = args.real and (args.real.startswith(("/", ".", "~")) or "/" not in args.real)  # else: a Hub id
    if local_path and not Path(args.real).exists():
        raise UsageError(f"--real {args.real}: no such folder (give a folder of the task's real data, or a Hub id)")
    if args.test and not args.real:
        raise UsageError("--test needs --real: the demo run evaluates on the bundled demo set")
    if args.test and not Path(args.test).is_file():
        raise UsageError(f"--test {args.test}: no such file (give a test file in the task's format)")
    if not 0 < args.dev_holdout < 1:
        raise UsageError(f"--dev-holdout must be a share between 0 and 1, got {args.dev_holdout}")
    if not trainer_config_path(args).is_file():
        raise UsageError(f"--trainer-config {args.trainer_config}: no such file (a YAML from trainer_configs/)")


def pipeline_options(args) -> dict:
    """The RunOptions fields `clingen run` and `clingen experiment` share, from their arguments."""
    return dict(task=args.task, methods=args.methods, n=args.n, real=args.real, llm_base_url=args.llm_base_url,
                llm_model=args.llm_model, llm_api_key_env=args.llm_api_key_env, gguf=args.gguf,
                concurrency=args.concurrency, max_tokens=args.max_tokens, classifier=args.classifier,
                dev_holdout=args.dev_holdout, cache_dir=args.cache_dir, trainer_config=args.trainer_config,
                test=args.test, recipe=args.recipe, check_overrides=label_check_overrides(args))
