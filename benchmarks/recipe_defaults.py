"""Which label checks should be the default: ZeroGen, ClinGen-KG as published, ClinGen-KG as
`clingen generate` did before (parts 2-4, no span checks) and the candidate default (KG
verification and KG mentions added), on several NER datasets and several generations each.

One cell is one dataset and one generation seed: `ncbi_label_quality.py` generates every arm
(the completion cache makes a rerun free, so an interrupted run resumes where it stopped) and
trains each arm with every training seed. `--generate-only` stops after generation, so the LLM
can run first and training later with the final trainer config.

    python benchmarks/recipe_defaults.py --output runs/defaults \\
        --datasets ncbi-disease=../shared/data/ncbi_disease bc5cdr-disease=../shared/data/bc5cdr_disease \\
        --generation-seeds 0 1 --n 300 --train-seeds 0 1 2

Writes OUTPUT/recipe_defaults.md and .json: dev F1 (mean ± std over training seeds) per arm and
cell, the mean over cells, and each arm's ratio to ZeroGen in the same cell.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import ncbi_label_quality  # noqa: E402

ARMS = ["zerogen", "clingen-kg-paper", "clingen-kg-no-checks", "clingen-kg-add"]


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--datasets", nargs="+", required=True, metavar="TASK=FOLDER",
                   help="NER tasks and their real folders (train: seeds; dev: evaluation)")
    p.add_argument("--generation-seeds", type=int, nargs="+", default=[0, 1])
    p.add_argument("--n", type=int, default=300, help="samples per arm and generation (default: 300)")
    p.add_argument("--train-seeds", type=int, nargs="+", default=[0, 1, 2])
    p.add_argument("--arms", nargs="+", default=ARMS, choices=list(ncbi_label_quality.VARIANTS))
    p.add_argument("--output", type=Path, required=True)
    p.add_argument("--llm-base-url", help="an OpenAI-compatible server (default: start the embedded one)")
    p.add_argument("--generate-only", action="store_true", help="generate every cell, train none")
    return p.parse_args(argv)


def cells(args) -> list[tuple[str, str, int]]:
    """(task, folder, generation seed), one generation of every dataset before the next."""
    datasets = []
    for item in args.datasets:
        task, sep, folder = item.partition("=")
        if not sep or not Path(folder).is_dir():
            raise SystemExit(f"--datasets {item!r}: write TASK=FOLDER with an existing folder")
        datasets.append((task, folder))
    return [(task, folder, seed) for seed in args.generation_seeds for task, folder in datasets]


def run_cell(args, task: str, folder: str, seed: int) -> Path:
    output = args.output / task / f"generation-{seed}"
    argv = ["--task", task, "--real", folder, "--n", str(args.n), "--output", str(output),
            "--generation-seed", str(seed), "--cache-dir", str(args.output / "cache"),
            "--variants", *args.arms, "--train-seeds", *map(str, args.train_seeds)]
    argv += ["--llm-base-url", args.llm_base_url] if args.llm_base_url else []
    argv += ["--generate-only"] if args.generate_only else []
    print(f"recipe_defaults: {task}, generation {seed}", flush=True)
    ncbi_label_quality.main(argv)
    return output / "label_quality.json"


def summary(args, results: dict[tuple[str, int], dict]) -> tuple[str, dict]:
    keys = sorted(results)
    header = ["arm", *(f"{task} gen {seed}" for task, seed in keys), "mean over cells", "F1 / ZeroGen (mean of cells)"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    table = {}
    for arm in args.arms:
        row, means, ratios = [arm], [], []
        for key in keys:
            record = next(r for r in results[key]["variants"] if r["variant"] == arm)
            zerogen = next((r for r in results[key]["variants"] if r["variant"] == "zerogen"), None)
            means.append(record["f1"])
            ratios.append(record["f1"] / zerogen["f1"] if zerogen and zerogen["f1"] else float("nan"))
            row.append(f"{100 * record['f1']:.2f} ± {100 * record['f1_std']:.2f}")
        row += [f"{100 * statistics.mean(means):.2f}", f"{statistics.mean(ratios):.3f}"]
        lines.append("| " + " | ".join(row) + " |")
        table[arm] = {"f1_per_cell": dict(zip([f"{t}/{s}" for t, s in keys], means)), "ratio_to_zerogen": ratios}
    few = [f"{t} gen {s}: {100 * results[(t, s)]['supervised_few']['f1']:.2f}" for t, s in keys]
    note = (f"\n\nsupervised-few (the 5-shot seeds only), F1: {'; '.join(few)}. Dev F1 x100, mean ± std over training "
            f"seeds {args.train_seeds}; {args.n} samples requested per arm and generation.\n")
    return "\n".join(lines) + note, table


def main(argv=None) -> int:
    args = parse_args(argv)
    results = {}
    for task, folder, seed in cells(args):
        report = run_cell(args, task, folder, seed)
        if not args.generate_only:
            results[(task, seed)] = json.loads(report.read_text())
    if args.generate_only:
        return 0
    markdown, table = summary(args, results)
    (args.output / "recipe_defaults.md").write_text(markdown, encoding="utf-8")
    (args.output / "recipe_defaults.json").write_text(json.dumps(table, indent=2) + "\n")
    print(markdown)
    return 0


if __name__ == "__main__":
    sys.exit(main())
