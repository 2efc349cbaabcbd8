"""One training process against N data-parallel ones on a real task, side by side in one run.

The same trainer config, data and training seeds, launched with `accelerate launch` once with one
process and once with `--multi_gpu --num_processes N` (gloo on a CPU machine). Under data
parallelism each optimizer step sees N batches, so an epoch has 1/N of the steps; the question
is whether the scores stay within the spread over training seeds.

    python benchmarks/data_parallel_training.py --config trainer_configs/ncbi-disease-minilm-cpu.yaml \\
        --real ../shared/data/ncbi_disease \\
        --synthetic runs/defaults/ncbi-disease/generation-0/synthetic:clingen-kg-add \\
        --processes 2 --output runs/data-parallel

Writes OUTPUT/data_parallel.md: dev scores (mean ± std over seeds), stage II steps and wall time
per process count. Finished runs are reused (their results.json).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--config", type=Path, required=True, help="trainer config")
    p.add_argument("--real", required=True, help="the benchmark's folder (train: the k-shot set; dev: evaluation)")
    p.add_argument("--synthetic", required=True, help="DIR:CONFIG of the synthetic data")
    p.add_argument("--processes", type=int, default=2, help="the data-parallel run's process count (default: 2)")
    p.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    p.add_argument("--output", type=Path, required=True)
    return p.parse_args(argv)


def launch(args, processes: int) -> dict:
    output = args.output / f"processes-{processes}"
    done = output / "results.json"
    if not done.is_file():
        command = ["accelerate", "launch", "--num_machines", "1", "--mixed_precision", "no", "--dynamo_backend", "no",
                   *(["--multi_gpu", "--num_processes", str(processes)] if processes > 1 else ["--num_processes", "1"]),
                   str(ROOT / "train.py"), str(args.config), "--real", args.real, "--synthetic", args.synthetic,
                   "--seeds", *map(str, args.seeds), "--eval_splits", "dev", "--output_dir", str(output)]
        print(f"data_parallel_training: {' '.join(command)}", flush=True)
        subprocess.run(command, check=True, env={**os.environ, "CUDA_VISIBLE_DEVICES": "", "PYTHONPATH": str(ROOT)})
    return json.loads(done.read_text(encoding="utf-8"))


def row(processes: int, result: dict) -> str:
    dev = result["summary"]["dev"]
    scores = [f"{100 * dev[m]['mean']:.2f} ± {100 * dev[m]['std']:.2f}" for m in ("precision", "recall", "f1")]
    per_seed = ", ".join(f"{100 * seed['metrics']['dev']['f1']:.2f}" for seed in result["per_seed"])
    steps = ", ".join(str(seed["steps"].get("stage2", "-")) for seed in result["per_seed"])
    return (f"| {processes} | {result['compute'].get('distributed', '-')} | {' | '.join(scores)} | {per_seed} | "
            f"{steps} | {result['compute']['wall_time_s']:.0f} |")


def main(argv=None) -> int:
    args = parse_args(argv)
    args.output.mkdir(parents=True, exist_ok=True)
    results = {processes: launch(args, processes) for processes in (1, args.processes)}
    lines = ["| processes | distributed | dev P | dev R | dev F1 | F1 per seed | stage II steps | wall s |",
             "|---|---|---|---|---|---|---|---|", *(row(processes, result) for processes, result in results.items())]
    markdown = "\n".join(lines) + (f"\n\nTrainer config {args.config}, synthetic {args.synthetic}, training seeds "
                                   f"{args.seeds}; dev F1 x100, mean ± std over the seeds.\n")
    (args.output / "data_parallel.md").write_text(markdown, encoding="utf-8")
    print(markdown)
    return 0


if __name__ == "__main__":
    sys.exit(main())
