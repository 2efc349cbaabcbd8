"""Data for training: the synthetic set, the real splits, the few-shot and validation sets,
and their encoding for each model head.

Row schemas by head: token `tokens` + `ner_tags`; single `text` + `label`; multi `text` +
`labels` (a list of label names or ids); pair `text` + `text_pair` + `label`.
The synthetic set's labels may be names or ids; real data is read by `clingen_hf.data.readers`
(any real format, Hub schemas by column alias). Both are checked against the task's labels
and turned into ids of `task.labels`.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import datasets

from clingen_hf.core.digests import parquet_sha256
from clingen_hf.core.tasks import TaskSpec
from clingen_hf.data.readers import (
    DataError,
    canonical_split,
    load_local_dataset,
    read_file,
    read_split_folder,
    rows_from_hub,
)
from clingen_hf.data.seeds import few_shot_split, hold_out_dev, seed_features
from clingen_hf.hub.layout import REPORT_FILE
from clingen_hf.training.config import TrainConfigError

logger = logging.getLogger(__name__)

def load_synthetic(spec: str, task: TaskSpec, limit: int | None = None) -> tuple[datasets.Dataset, dict]:
    """`DIR:CONFIG` (a generated directory), `REPO_ID:CONFIG` or `REPO_ID@REVISION:CONFIG`."""
    source, _, config_name = spec.rpartition(":")
    if not source or not config_name:
        raise TrainConfigError(f"synthetic {spec!r}: expected DIR:CONFIG or REPO_ID[@REVISION]:CONFIG")
    if Path(source).is_dir():
        dataset = _load_local_config(Path(source), config_name)
        provenance = {"source": source, "config": config_name, "revision": content_revision(Path(source) / config_name),
                      **_few_shot_provenance(Path(source) / config_name)}
    else:
        repo_id, _, revision = source.partition("@")
        try:
            dataset = datasets.load_dataset(repo_id, config_name, split="train", revision=revision or None)
        except (FileNotFoundError, ValueError, OSError) as error:
            raise TrainConfigError(f"synthetic {spec!r}: cannot load it ({type(error).__name__}: {error})") from None
        provenance = {"source": repo_id, "config": config_name, "revision": revision or "main", "hub": True}
    if limit is not None:
        dataset = dataset.select(range(min(limit, len(dataset))))
    return normalise_labels(dataset, task, f"synthetic {spec}"), {**provenance, "rows": len(dataset)}


def _few_shot_provenance(config_dir: Path) -> dict:
    """The generation seed and few-shot digest a generated config recorded (older outputs lack them)."""
    path = config_dir / REPORT_FILE
    if not path.is_file():
        return {}
    report = json.loads(path.read_text(encoding="utf-8"))
    return {"generation_seed": report.get("seed"), "few_shot_sha256": report.get("few_shot_sha256"),
            "few_shot_rows": report.get("few_shot_rows")}


def _load_local_config(directory: Path, config_name: str) -> datasets.Dataset:
    if not (directory / config_name).is_dir():
        configs = sorted(p.name for p in directory.iterdir() if p.is_dir() and not p.name.startswith("."))
        raise TrainConfigError(f"{directory} has no config {config_name!r}; it has: {', '.join(configs) or 'none'}")
    return load_local_dataset(str(directory), config_name, split="train")


def content_revision(directory: Path) -> str:
    return f"sha256:{parquet_sha256(directory)[:12]}"


def load_real(source: str, task: TaskSpec, dev_holdout: float | None = None, test: str | None = None) -> datasets.DatasetDict:
    """The real splits: a folder of split files in any format of `clingen_hf.data.readers`
    (train.tsv, devel.tsv, test.jsonl, CDR_TrainingSet.PubTator.txt, ...) or a Hub id.
    Split names are normalised to train / dev / test. With `dev_holdout`, data that has a
    single split is divided into train and dev (`hold_out_dev`). `test`: a file in the
    task's format that becomes the test split."""
    try:
        splits = _real_rows(source, task)
        if test is not None:
            if not Path(test).is_file():
                raise TrainConfigError(f"test file {test} not found (give a file in the task's format)")
            if "test" in splits:
                raise TrainConfigError(f"real data {source} has a test split already; drop the separate test file {test}")
            splits["test"] = read_file(Path(test), task)
    except DataError as error:
        raise TrainConfigError(f"real data: {error}") from None
    real = datasets.DatasetDict({name: _with_ids(rows, task, f"{source} {name}") for name, rows in splits.items()})
    if dev_holdout and len(real) == 1:
        real = hold_out_dev(real, dev_holdout)
    if "train" not in real:
        raise TrainConfigError(f"real data {source}: no train file (expected train.tsv, train.jsonl, ...); "
                               f"found: {', '.join(splits) or 'no split'} (set dev_holdout to split a single one)")
    return real


def _real_rows(source: str, task: TaskSpec) -> dict[str, list[dict]]:
    if Path(source).is_dir():
        return read_split_folder(Path(source), task)
    try:
        loaded = datasets.load_dataset(source)
    except (FileNotFoundError, ValueError, OSError) as error:
        raise TrainConfigError(f"real data {source!r}: not a folder and not loadable ({type(error).__name__}: {error})") from None
    return {canonical_split(name) or name: rows_from_hub(split, task, f"{source}[{name}]") for name, split in loaded.items()}


def _with_ids(rows: list[dict], task: TaskSpec, where: str) -> datasets.Dataset:
    return normalise_labels(datasets.Dataset.from_list(rows, features=seed_features(task)), task, where)


def normalise_labels(dataset: datasets.Dataset, task: TaskSpec, where: str) -> datasets.Dataset:
    """Check the columns and turn label names into ids of `task.labels`."""
    missing = [c for c in task.columns if c not in dataset.column_names]
    if missing:
        raise TrainConfigError(f"{where}: missing column(s) {missing} for a {task.head} task ({task.name})")
    label_column = task.label_column
    _check_label_names(dataset.features[label_column], task, where)
    ids = {name: index for index, name in enumerate(task.labels)}

    def to_id(value):
        if isinstance(value, str):
            if value not in ids:
                raise TrainConfigError(f"{where}: label {value!r} is not one of {task.name}'s labels {list(task.labels)}")
            return ids[value]
        return int(value)

    def convert(values):
        return [[to_id(v) for v in row] if isinstance(row, list) else to_id(row) for row in values]

    converted = dataset.map(lambda batch: {label_column: convert(batch[label_column])}, batched=True,
                            features=_features_with_ids(dataset.features, label_column, task))
    return converted.select_columns(list(task.columns))


def _check_label_names(feature, task: TaskSpec, where: str) -> None:
    inner = getattr(feature, "feature", feature)
    if isinstance(inner, datasets.ClassLabel) and list(inner.names) != list(task.labels):
        raise TrainConfigError(
            f"{where}: label mismatch: the data's labels are {inner.names}, {task.name} expects {list(task.labels)}"
        )


def _features_with_ids(features: datasets.Features, label_column: str, task: TaskSpec) -> datasets.Features:
    updated = features.copy()
    label = task.class_label()
    updated[label_column] = datasets.Sequence(label) if label_column in ("ner_tags", "labels") else label
    return updated


def few_shot_and_validation(train: datasets.Dataset, task: TaskSpec, k: int, seed: int) -> tuple[datasets.Dataset, datasets.Dataset]:
    """Stage I's k-shot set and its disjoint validation set of the same size, from the real
    train split with the few-shot seed: `clingen_hf.data.seeds.few_shot_split`, the same draw
    generation takes its demonstrations from."""
    try:
        few_shot, validation = few_shot_split(train, task, k, seed)
    except DataError as error:
        raise TrainConfigError(f"the real train split: {error}") from None
    if not len(few_shot) or not len(validation):
        raise TrainConfigError(f"the real train split is too small for {k} training + {k} validation examples per class")
    return few_shot, validation


def encode(dataset: datasets.Dataset, task: TaskSpec, tokenizer, max_length: int) -> datasets.Dataset:
    encoder = {"token": _encode_tokens, "single": _encode_text, "multi": _encode_multi, "pair": _encode_pair}[task.head]
    if task.head == "multi":  # BCE needs float targets; a column named like the input would keep its int type
        dataset = dataset.rename_column("labels", "label_names")
    return dataset.map(
        encoder,
        batched=True,
        fn_kwargs={"tokenizer": tokenizer, "max_length": max_length, "num_labels": len(task.labels)},
        remove_columns=dataset.column_names,
        desc="Tokenizing",
    )


def _encode_tokens(batch, tokenizer, max_length, num_labels):
    encoded = tokenizer(batch["tokens"], is_split_into_words=True, truncation=True, max_length=max_length)
    labels = []
    for index, tags in enumerate(batch["ner_tags"]):
        previous = None
        row = []
        for word in encoded.word_ids(index):
            row.append(-100 if word is None or word == previous else tags[word])  # first sub-token only
            previous = word
        labels.append(row)
    encoded["labels"] = labels
    return encoded


def _encode_text(batch, tokenizer, max_length, num_labels):
    encoded = tokenizer(batch["text"], truncation=True, max_length=max_length)
    encoded["labels"] = batch["label"]
    return encoded


def _encode_multi(batch, tokenizer, max_length, num_labels):
    encoded = tokenizer(batch["text"], truncation=True, max_length=max_length)
    encoded["labels"] = [[1.0 if i in set(row) else 0.0 for i in range(num_labels)] for row in batch["label_names"]]
    return encoded


def _encode_pair(batch, tokenizer, max_length, num_labels):
    encoded = tokenizer(batch["text"], batch["text_pair"], truncation=True, max_length=max_length)
    encoded["labels"] = batch["label"]
    return encoded
