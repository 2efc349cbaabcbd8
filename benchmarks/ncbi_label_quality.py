"""Label and topic quality for synthetic NER: ZeroGen against ClinGen-KG with and without each
label-quality part, on a real NER benchmark, in one run.

Each variant is one `clingen generate` (a config of one dataset directory), then two-stage
training of the classifier (`clingen run`'s protocol) and entity P/R/F1 on the dev split.
Variants that differ only in the checks after generation (KG verification, self-check) reuse
the cached completions, so they cost no generation time.

    python benchmarks/ncbi_label_quality.py --real ../shared/data/ncbi_disease --n 500 \\
        --output runs/label-quality [--llm-base-url http://127.0.0.1:8000/v1] [--variants ...]

Writes OUTPUT/label_quality.md, .json and .png: per variant the kept rows, span counters, the
share of mentions that are entities of the real train split, and dev P/R/F1 (mean over the
training seeds), with F1 as a ratio to ZeroGen's.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from clingen_hf.cli import main as clingen  # noqa: E402
from clingen_hf.hub.layout import config_reports  # noqa: E402
from clingen_hf.pipelines.run import RunOptions, llm_endpoint, train_all  # noqa: E402

NO_ADD = ["--no-add-kg-mentions"]
# name -> (method, flags, what it shows). Flags are relative to the default recipe (`--recipe clingen`:
# parts 1-4 and KG mentions added). Part numbers follow the label-quality issue: 1 KG verification,
# 2 weighted topics, 3 styles as kinds of text, 4 guidelines, 5 self-check.
VARIANTS = {
    "zerogen": ("zerogen", [], "the paper's ZeroGen prompt"),
    "clingen-kg-paper": ("clingen-kg", ["--recipe", "paper"],
                         "ClinGen-KG as published: uniform topics, Listing 1 styles, no guidelines, no checks"),
    "clingen-kg-all": ("clingen-kg", ["--self-check", *NO_ADD], "ClinGen-KG with parts 1-5"),
    "clingen-kg-all-add": ("clingen-kg", ["--self-check"], "parts 1-5, and KG mentions added"),
    "clingen-kg-no-verify": ("clingen-kg", ["--verify-spans", "off", "--self-check", *NO_ADD],
                             "parts 2-5 (without 1: KG verification)"),
    "clingen-kg-no-checks": ("clingen-kg", ["--verify-spans", "off", *NO_ADD],
                             "parts 2-4 (without 1 and 5: no span checks; the default before the recipe)"),
    "clingen-kg-no-self-check": ("clingen-kg", NO_ADD, "parts 1-4 (without 5: self-check)"),
    "clingen-kg-no-guidelines": ("clingen-kg", ["--no-guidelines", *NO_ADD], "parts 1-3 (parts 1-4 without 4: guidelines)"),
    "clingen-kg-uniform-topics": ("clingen-kg", ["--topic-weighting", "uniform", *NO_ADD],
                                  "parts 1, 3, 4 (parts 1-4 without 2: uniform topics)"),
    "clingen-kg-paper-styles": ("clingen-kg", ["--style-prompt", "paper", *NO_ADD],
                                "parts 1, 2, 4 (parts 1-4 without 3: the paper's style prompt)"),
    "clingen-kg-add": ("clingen-kg", [], "the default recipe: parts 1-4, and KG mentions the LLM left unlabelled added"),
    "clingen-kg-fuzzy": ("clingen-kg", ["--link-fuzzy", "0.9", *NO_ADD],
                         "parts 1-4, spans also linked to KG names of similarity >= 0.9"),
    "zerogen-checks": ("zerogen", ["--verify-spans", "remove", "--self-check"], "ZeroGen with parts 1 and 5"),
}


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--task", default="ncbi-disease")
    p.add_argument("--real", required=True, help="the benchmark's folder (train split: seeds; dev split: evaluation)")
    p.add_argument("--n", type=int, default=500, help="samples per variant (default: 500)")
    p.add_argument("--output", type=Path, required=True)
    p.add_argument("--variants", nargs="+", choices=list(VARIANTS), default=list(VARIANTS))
    p.add_argument("--generation-seed", type=int, default=0, help="run seed of every generation (default: 0); another "
                   "seed is another generation: few-shot draw, topics, styles and LLM sampling")
    p.add_argument("--train-seeds", type=int, nargs="+", default=[0, 1, 2])
    p.add_argument("--llm-base-url", help="an OpenAI-compatible server (default: start the embedded one)")
    p.add_argument("--llm-model", default="local")
    p.add_argument("--max-tokens", type=int, default=200)
    p.add_argument("--cache-dir", help="completion cache (default: OUTPUT/cache)")
    p.add_argument("--generate-only", action="store_true", help="stop after generation (train later, e.g. when the LLM is idle)")
    return p.parse_args(argv)


def generate(args, endpoint, synthetic: Path) -> dict[str, float]:
    seconds = {}
    for name in args.variants:
        method, flags, _ = VARIANTS[name]
        argv = ["generate", "--task", args.task, "--method", method, "--config", name, "--n", str(args.n), "--seed", str(args.generation_seed),
                "--seeds", args.real, *endpoint.generate_flags(), "--max-tokens", str(args.max_tokens),
                "--cache-dir", args.cache_dir, "--output", str(synthetic), *flags]
        started = time.monotonic()
        code = clingen(argv)  # bad input and failures: a message on stderr and a non-zero code
        if code:
            raise SystemExit(f"clingen generate for {name} failed with exit code {code}")
        seconds[name] = round(time.monotonic() - started, 1)
    return seconds


def table(args, training: dict, reports: dict, zerogen_f1: float | None) -> tuple[str, list[dict]]:
    header = ["variant", "what", "kept", "spans labelled", "removed (KG)", "added (KG)", "rejected (self-check)",
              "mentions in real train", "P", "R", "F1", "F1 / ZeroGen"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    records = []
    for name in args.variants:
        counts = reports[name]["counts"]
        spans = counts.get("span_actions", {})
        frequency = counts.get("entity_frequency", {}).get("generated", {})
        scores = {metric: _dev_score(training[name], metric) for metric in ("precision", "recall", "f1")}
        spreads = {f"{metric}_std": _dev_score(training[name], metric, "std") for metric in scores}
        ratio = scores["f1"] / zerogen_f1 if zerogen_f1 else float("nan")
        records.append({"variant": name, "flags": VARIANTS[name][1], "kept": counts["kept"], "span_actions": spans,
                        "mentions_in_real_train": frequency.get("share_of_mentions_in_seeds"), **scores, **spreads,
                        "f1_ratio_to_zerogen": ratio})
        lines.append("| " + " | ".join([
            name, VARIANTS[name][2], str(counts["kept"]), str(spans.get("proposed", 0)), str(spans.get("kg_removed", 0)),
            str(spans.get("kg_added", 0)), str(spans.get("self_check_rejected", 0)),
            f"{100 * frequency.get('share_of_mentions_in_seeds', 0):.0f}%",
            *(f"{100 * scores[m]:.2f} ± {100 * spreads[m + '_std']:.2f}" for m in ("precision", "recall", "f1")),
            f"{ratio:.3f}",
        ]) + " |")
    return "\n".join(lines), records


def _dev_score(result: dict, metric: str, statistic: str = "mean") -> float:
    """The dev score's mean (or std) over the training seeds."""
    return result["summary"]["dev"][metric][statistic]


def main(argv=None) -> int:
    args = parse_args(argv)
    args.output.mkdir(parents=True, exist_ok=True)
    args.cache_dir = args.cache_dir or str(args.output / "cache")
    synthetic = args.output / "synthetic"
    options = RunOptions(task=args.task, output=args.output, methods=args.variants, n=args.n, real=args.real,
                         seed=args.generation_seed,
                         llm_base_url=args.llm_base_url, llm_model=args.llm_model, max_tokens=args.max_tokens,
                         train_seeds=args.train_seeds, cache_dir=args.cache_dir)
    with llm_endpoint(options) as endpoint:
        seconds = generate(args, endpoint, synthetic)
    if args.generate_only:
        return 0
    training = train_all(options, args.real, synthetic, args.train_seeds, args.output / "models")
    reports = config_reports(synthetic)
    zerogen_f1 = _dev_score(training["zerogen"], "f1") if "zerogen" in training else None
    markdown, records = table(args, training, reports, zerogen_f1)
    few = {m: _dev_score(training["supervised-few"], m) for m in ("precision", "recall", "f1")}
    markdown += (f"\n\nsupervised-few (the 5-shot seeds only): P {100 * few['precision']:.2f}, R {100 * few['recall']:.2f}, "
                 f"F1 {100 * few['f1']:.2f}. Training seeds {args.train_seeds}; {args.n} samples requested per variant.\n")
    (args.output / "label_quality.md").write_text(markdown, encoding="utf-8")
    (args.output / "label_quality.json").write_text(json.dumps({"variants": records, "supervised_few": few,
                                                                "generation_s": seconds}, indent=2) + "\n")
    plot(records, args.output / "label_quality.png")
    print(markdown)
    return 0


def plot(records: list[dict], path: Path) -> None:
    """Dev precision, recall and F1 per variant, side by side, with the spread over training seeds."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    names = [r["variant"] for r in records]
    positions = np.arange(len(names))
    figure, axis = plt.subplots(figsize=(1.2 * len(names) + 2, 4))
    for offset, metric in zip((-0.27, 0, 0.27), ("precision", "recall", "f1")):
        spread = [100 * r[f"{metric}_std"] for r in records]
        axis.bar(positions + offset, [100 * r[metric] for r in records], width=0.27, label=metric, yerr=spread, capsize=3)
    axis.set_xticks(positions, names, rotation=30, ha="right")
    axis.set_ylabel("dev score x100")
    axis.legend(loc="upper left", bbox_to_anchor=(1, 1))
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    plt.close(figure)


if __name__ == "__main__":
    sys.exit(main())
