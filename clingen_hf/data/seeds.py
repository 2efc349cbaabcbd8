"""Seeds: the few labelled examples that demonstrations, styles and stage-I training come from.

Sources (`load_seeds`): the bundled set of a task (`clingen_hf/seeds/<task>.jsonl`, written
by this project, PHI-free); a file in any format of `clingen_hf.data.readers` (CoNLL, JSON lines,
CSV/TSV, PubTator, MEDIQA-RQE XML, JSON, Parquet) that is not an evaluation split; a folder
holding split files (its train split; a folder with a single split gives the part that
training keeps as train after holding out its dev share, `hold_out_dev`); a dataset saved
with `save_to_disk`; or a Hub dataset id (its train split).

`few_shot_split` is the one place that draws a run's k-shot set and its validation set:
generation's demonstrations, stage I of training, the published `few_shot` split and the
cards all come from it, so the same seed and source give the same rows everywhere. Rows follow the task's head, labels as NAMES of `task.labels`:
token `tokens` + `ner_tags`, single `text` + `label`, multi `text` + `labels`, pair `text` +
`text_pair` + `label`.
"""

from __future__ import annotations

import hashlib
import json
import logging
import random
from collections.abc import Iterable
from importlib import resources
from pathlib import Path

import datasets

from clingen_hf.core.tasks import TaskSpec
from clingen_hf.data.readers import (
    READABLE_SUFFIXES,
    DataError,
    read_conll,
    read_file,
    read_jsonl,
    read_split_folder,
    rows_from_hub,
    split_of,
)

DEFAULT_DEV_HOLDOUT = 0.2  # single-split data: the share held out (seeded) as the dev split
EVALUATION_SPLITS = ("dev", "test")

logger = logging.getLogger(__name__)

# Every seed problem, unknown labels (readers.LabelError) included, is caught as SeedError.
SeedError = DataError

__all__ = ["SeedError", "bundled_seeds_path", "few_shot_digest", "few_shot_split", "hold_out_dev", "load_seeds",
           "read_conll", "rows_per_class", "seed_features"]


def bundled_seeds_path(task: TaskSpec) -> Path:
    return Path(str(resources.files("clingen_hf") / "seeds" / f"{task.name}.jsonl"))


def load_seeds(source: str | None, task: TaskSpec, dev_holdout: float = DEFAULT_DEV_HOLDOUT) -> datasets.Dataset:
    """Load seed rows for `task` from `source` (None = the bundled set). A folder with a
    single split gives the rows that `hold_out_dev(.., dev_holdout)` keeps as train, so no
    row that training evaluates on can become a demonstration."""
    if source is None:
        return _as_seed_dataset(read_jsonl(bundled_seeds_path(task), task), task, bundled_seeds_path(task))
    path = Path(source)
    if path.is_file():
        refuse_evaluation_file(path)
        return _as_seed_dataset(read_file(path, task), task, path)
    if path.is_dir():
        return _folder_seeds(path, task, dev_holdout)
    if path.suffix.lower() in READABLE_SUFFIXES:
        raise SeedError(f"{path}: seed file not found")
    return _as_seed_dataset(rows_from_hub(_load_dataset(source), task, source), task, source)


def _as_seed_dataset(rows: list[dict], task: TaskSpec, source) -> datasets.Dataset:
    if not rows:
        raise SeedError(f"{source}: no labelled examples found")
    return datasets.Dataset.from_list(rows, features=seed_features(task))


def refuse_evaluation_file(path: Path) -> None:
    """Demonstrations come from a train split; a file named as a dev or test split is refused."""
    split = split_of(path.name)
    if split in EVALUATION_SPLITS:
        raise SeedError(f"{path}: the file name says it is a {split} split, which is for evaluation: its rows must "
                        "never be shown to the LLM; pass the train file, or the folder (its train split is used)")


def _folder_seeds(directory: Path, task: TaskSpec, dev_holdout: float) -> datasets.Dataset:
    if (directory / "state.json").is_file() or (directory / "dataset_dict.json").is_file():
        rows = rows_from_hub(_train_split(datasets.load_from_disk(str(directory))), task, str(directory))
        return _as_seed_dataset(rows, task, directory)
    splits = read_split_folder(directory, task)
    if not splits:
        return _as_seed_dataset(rows_from_hub(_load_dataset(str(directory)), task, str(directory)), task, directory)
    real = datasets.DatasetDict({name: _as_seed_dataset(rows, task, f"{directory} {name}") for name, rows in splits.items()})
    if len(real) == 1:
        real = hold_out_dev(real, dev_holdout)
    if "train" not in real:
        raise SeedError(f"{directory}: no train file among its splits ({', '.join(real)})")
    return real["train"]


def hold_out_dev(real: datasets.DatasetDict, share: float) -> datasets.DatasetDict:
    """Real data with a single split (GAD, HoC, RQE, MQP ship only train; HealthVer's release
    here only dev): a seeded share becomes `dev`, the rest `train`, the same for every run and
    for seeds and training alike (the permutation depends only on the row count)."""
    ((name, split),) = real.items()
    if round(len(split) * share) < 1 or len(split) - round(len(split) * share) < 1:
        raise DataError(f"the real data's only split ({name}, {len(split)} rows) is too small to hold out a {share} dev "
                        "share: give a separate dev file, or point to the train file itself for seeds")
    parts = split.train_test_split(test_size=share, seed=0)
    logger.warning("real data has only a %r split: %d rows held out as dev, %d left as train", name,
                   len(parts["test"]), len(parts["train"]))
    return datasets.DatasetDict({"train": parts["train"], "dev": parts["test"]})


def _train_split(loaded: datasets.Dataset | datasets.DatasetDict) -> datasets.Dataset:
    if isinstance(loaded, datasets.Dataset):
        return loaded
    if "train" not in loaded:
        raise SeedError(f"saved dataset has no train split (it has: {', '.join(loaded)})")
    return loaded["train"]


def _load_dataset(dataset_id: str) -> datasets.Dataset:
    try:
        return datasets.load_dataset(dataset_id, split="train")
    except (FileNotFoundError, ValueError, OSError) as error:
        raise SeedError(
            f"{dataset_id!r} is neither a seed file nor a loadable dataset ({type(error).__name__}: {error})"
        ) from None


def seed_features(task: TaskSpec) -> datasets.Features:
    """The columns of the task's head, labels as strings."""
    lists = {"tokens", "ner_tags", "labels"}
    return datasets.Features({column: datasets.Sequence(datasets.Value("string")) if column in lists
                              else datasets.Value("string") for column in task.columns})


def classes_of(label_value, task: TaskSpec) -> set[str]:
    """The few-shot classes (`task.class_names`) one row's label value belongs to: the entity
    types of its tags (token), its labels (multi) or its label."""
    if task.head == "token":
        return {tag[2:] for tag in label_value if tag != "O"}
    if task.head == "multi":
        return set(label_value)
    return {label_value}


def rows_per_class(label_values: Iterable, task: TaskSpec) -> dict[str, list[int]]:
    """class name -> indices of the rows of that class, for every class of the task."""
    pools: dict[str, list[int]] = {name: [] for name in task.class_names}
    for index, value in enumerate(label_values):
        for name in classes_of(value, task):
            if name in pools:
                pools[name].append(index)
    return pools


def few_shot_split(rows: datasets.Dataset, task: TaskSpec, k: int, seed: int) -> tuple[datasets.Dataset, datasets.Dataset]:
    """The run's k-shot set and its validation set (paper App. C): per class of
    `task.class_names`, k rows for the few-shot set and the next k for validation (fewer where
    the source has fewer), seeded, disjoint, no row twice. For NER the class is the entity
    type and only sentences that contain an entity of that type qualify. Labels may be names
    (seed schema) or ids (training schema): the same rows in the same order give the same
    split either way."""
    pools = rows_per_class([_names(value, task) for value in rows[task.label_column]], task)
    empty = [name for name, indices in pools.items() if not indices]
    if empty:
        raise SeedError(f"the seeds have no example of {task.name} class(es) {', '.join(empty)}; "
                        f"give at least one example of every class ({', '.join(task.class_names)})")
    rng = random.Random(seed)
    few_shot: list[int] = []
    validation: list[int] = []
    used: set[int] = set()
    for indices in pools.values():
        candidates = [index for index in indices if index not in used]
        rng.shuffle(candidates)
        picked = candidates[: 2 * k]
        few_shot.extend(picked[:k])
        validation.extend(picked[k:])
        used.update(picked)
    return rows.select(sorted(few_shot)), rows.select(sorted(validation))


def _names(value, task: TaskSpec):
    if isinstance(value, list):
        return [task.labels[v] if isinstance(v, int) else v for v in value]
    return task.labels[value] if isinstance(value, int) else value


def few_shot_digest(rows: datasets.Dataset, task: TaskSpec) -> str:
    """A fingerprint of a few-shot set's content (columns of the task, labels as names), to
    check that generation and training used the same rows."""
    columns = [c for c in seed_features(task) if c in rows.column_names]
    canonical = sorted(json.dumps({c: _names(row[c], task) if c == task.label_column else row[c] for c in columns},
                                  sort_keys=True, ensure_ascii=False) for row in rows)
    return "sha256:" + hashlib.sha256("\n".join(canonical).encode("utf-8")).hexdigest()[:16]


def as_seed_rows(split: datasets.Dataset, task: TaskSpec) -> datasets.Dataset:
    """A real split with label ids (as training loads it) in the seed schema (label names)."""
    names, column = task.labels, task.label_column
    rows = []
    for row in split:
        value = row[column]
        rows.append({**row, column: [names[v] for v in value] if isinstance(value, list) else names[value]})
    return datasets.Dataset.from_list(rows, features=seed_features(task))
