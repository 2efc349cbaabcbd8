"""Does stage II improve on stage I when the synthetic set is small? Training rules side by side.

One synthetic config (e.g. the label-quality benchmark's clingen-kg-add), cut to its first N rows
for each size, trained two-stage with every rule and training seed; stage I alone (the
supervised-few protocol, the same k-shot rows) is the reference. Rules:

- paper: the paper's protocol (fixed epochs; each epoch scored on the few-shot-sized
  validation set, the best kept);
- steps: at least MIN_STEPS optimizer steps per stage, selection as paper;
- steps+synthetic: that, with checkpoints chosen on the validation set plus a held-out tenth of
  the synthetic rows;
- steps+last: that, keeping the last epoch.

    python benchmarks/small_set_training.py --synthetic runs/headline/synthetic:clingen-kg-add \\
        --real ../shared/data/ncbi_disease --sizes 40 100 500 --output runs/small-set

Writes OUTPUT/small_set.md, .json and .png: dev F1 mean ± std over training seeds per rule and
size, stage I's, and stage II minus stage I. Finished runs are reused (results.json).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from clingen_hf.training.api import train  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
RULES = {  # None: --min-steps
    "paper": {"min_steps": 0, "selection": "validation"},
    "steps": {"min_steps": None, "selection": "validation"},
    "steps+synthetic": {"min_steps": None, "selection": "validation+synthetic"},
    "steps+last": {"min_steps": None, "selection": "last"},
}


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--synthetic", required=True, help="DIR:CONFIG of the synthetic data")
    p.add_argument("--real", required=True, help="the benchmark's folder (train: the k-shot set; dev: evaluation)")
    p.add_argument("--task", default="ncbi-disease")
    p.add_argument("--config", type=Path, help="trainer config (default: trainer_configs/TASK-minilm-cpu.yaml)")
    p.add_argument("--sizes", type=int, nargs="+", default=[40, 100, 500])
    p.add_argument("--rules", nargs="+", choices=list(RULES), default=list(RULES))
    p.add_argument("--min-steps", type=int, default=100, help="the steps rules' minimum per stage (default: 100)")
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    p.add_argument("--few-shot-seed", type=int, default=0, help="the generation seed of the synthetic data")
    p.add_argument("--output", type=Path, required=True)
    p.add_argument("--table-only", action="store_true", help="tabulate the finished runs; train nothing")
    return p.parse_args(argv)


def run_once(args, name: str, **overrides) -> dict | None:
    output = args.output / name
    done = output / "results.json"
    if done.is_file():
        return json.loads(done.read_text())
    if args.table_only:
        return None
    config = args.config or ROOT / "trainer_configs" / f"{args.task}-minilm-cpu.yaml"
    print(f"small_set_training: {name}", flush=True)
    return train(config, task=args.task, real=args.real, output_dir=str(output), seeds=args.seeds,
                 few_shot_seed=args.few_shot_seed, eval_splits=["dev"],
                 stage1_cache_dir=str(args.output / "stage1-shared"), **overrides)


def dev_f1(result: dict) -> tuple[float, float, list[float]]:
    per_seed = [seed["metrics"]["dev"]["f1"] for seed in result["per_seed"]]
    summary = result["summary"]["dev"]["f1"]
    return summary["mean"], summary["std"], per_seed


def main(argv=None) -> int:
    args = parse_args(argv)
    stage1 = {"paper": dev_f1(run_once(args, "stage1-only", protocol="supervised-few", synthetic=None, min_steps=0))}
    if any(rule != "paper" for rule in args.rules):
        stage1["steps"] = dev_f1(run_once(args, "stage1-only-steps", protocol="supervised-few", synthetic=None,
                                          min_steps=args.min_steps))
    rows = []
    for size in args.sizes:
        for rule in args.rules:
            overrides = {key: (args.min_steps if value is None else value) for key, value in RULES[rule].items()}
            result = run_once(args, f"{rule}-{size}", synthetic=args.synthetic, max_synthetic=size, **overrides)
            if result is None:
                continue
            mean, std, per_seed = dev_f1(result)
            reference = stage1["paper" if rule == "paper" else "steps"]
            rows.append({"rule": rule, "size": size, "f1": mean, "f1_std": std, "per_seed": per_seed,
                         "gain_over_stage1": mean - reference[0], "stage1_per_seed": reference[2],
                         "stage2_steps": [s["steps"].get("stage2") for s in result["per_seed"]]})
    markdown = table(rows, stage1, args)
    (args.output / "small_set.md").write_text(markdown, encoding="utf-8")
    (args.output / "small_set.json").write_text(json.dumps({"stage1": stage1, "rows": rows}, indent=2) + "\n")
    plot(rows, stage1, args.output / "small_set.png")
    print(markdown)
    return 0


def table(rows: list[dict], stage1: dict, args) -> str:
    header = ("| rule | synthetic rows | stage II steps | dev F1 (mean ± std) | per seed | stage II - stage I | "
              "seeds above their stage I |")
    lines = [header, "|---|---|---|---|---|---|---|"]
    for row in rows:
        above = sum(two > one for two, one in zip(row["per_seed"], row["stage1_per_seed"]))
        lines.append(f"| {row['rule']} | {row['size']} | {', '.join(map(str, row['stage2_steps']))} | "
                     f"{100 * row['f1']:.2f} ± {100 * row['f1_std']:.2f} | "
                     f"{', '.join(f'{100 * v:.2f}' for v in row['per_seed'])} | {100 * row['gain_over_stage1']:+.2f} | "
                     f"{above} of {len(row['per_seed'])} |")
    references = "; ".join(f"{name} rule {100 * mean:.2f} ± {100 * std:.2f} ({', '.join(f'{100 * v:.2f}' for v in seeds)})"
                           for name, (mean, std, seeds) in stage1.items())
    return ("\n".join(lines) + f"\n\nStage I alone (the same k-shot rows, supervised-few), dev F1: {references}. "
            f"Training seeds {args.seeds}; steps rules: at least {args.min_steps} steps per stage, scored as often "
            "as the configured epochs.\n")


def plot(rows: list[dict], stage1: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axis = plt.subplots(figsize=(6, 4))
    for rule in dict.fromkeys(row["rule"] for row in rows):
        mine = [row for row in rows if row["rule"] == rule]
        axis.errorbar([row["size"] for row in mine], [100 * row["f1"] for row in mine],
                      yerr=[100 * row["f1_std"] for row in mine], marker="o", capsize=3, label=rule)
    for (name, (mean, _, _)), style in zip(stage1.items(), ("--", ":")):
        axis.axhline(100 * mean, color="grey", linestyle=style, label=f"stage I alone ({name})")
    axis.set_xscale("log")
    axis.set_xlabel("synthetic rows (stage II)")
    axis.set_ylabel("dev entity F1 x100 (mean ± std over seeds)")
    axis.legend()
    figure.tight_layout()
    figure.savefig(path, dpi=120)
    plt.close(figure)


if __name__ == "__main__":
    sys.exit(main())
