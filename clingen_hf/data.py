"""Seeds: the few labelled examples that demonstrations, styles and stage-I training come from.

Sources (`load_seeds`): the bundled set of a task (`clingen_hf/seeds/<task>.jsonl`, written
by this project, PHI-free); a file in any format of `clingen_hf.readers` (CoNLL, JSON lines,
CSV/TSV, PubTator, MEDIQA-RQE XML, JSON, Parquet); a folder holding split files (its train
split, else its dev split); a dataset saved with `save_to_disk`; or a Hub dataset id (its
train split). Rows follow the task's head, labels as NAMES of `task.labels`:
token `tokens` + `ner_tags`, single `text` + `label`, multi `text` + `labels`, pair `text` +
`text_pair` + `label`.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from importlib import resources
from pathlib import Path

import datasets

from .readers import (
    READABLE_SUFFIXES,
    DataError,
    read_conll,
    read_file,
    read_jsonl,
    rows_from_hub,
    split_files,
)
from .tasks import TaskSpec

SEED_SPLITS = ("train", "dev")  # a folder's seeds: its train split, else its dev split

# Every seed problem, unknown labels (readers.LabelError) included, is caught as SeedError.
SeedError = DataError

__all__ = ["SeedError", "bundled_seeds_path", "load_seeds", "read_conll", "rows_per_class", "sample_few_shot",
           "seed_features"]


def bundled_seeds_path(task: TaskSpec) -> Path:
    return Path(str(resources.files("clingen_hf") / "seeds" / f"{task.name}.jsonl"))


def load_seeds(source: str | None, task: TaskSpec) -> datasets.Dataset:
    """Load seed rows for `task` from `source` (None = the bundled set)."""
    rows = _seed_rows(source, task)
    if not rows:
        raise SeedError(f"{source or bundled_seeds_path(task)}: no labelled examples found")
    return datasets.Dataset.from_list(rows, features=seed_features(task))


def _seed_rows(source: str | None, task: TaskSpec) -> list[dict]:
    if source is None:
        return read_jsonl(bundled_seeds_path(task), task)
    path = Path(source)
    if path.is_file():
        return read_file(path, task)
    if path.is_dir():
        return _folder_rows(path, task)
    if path.suffix.lower() in READABLE_SUFFIXES:
        raise SeedError(f"{path}: seed file not found")
    return rows_from_hub(_load_dataset(source), task, source)


def _folder_rows(directory: Path, task: TaskSpec) -> list[dict]:
    if (directory / "state.json").is_file() or (directory / "dataset_dict.json").is_file():
        return rows_from_hub(_train_split(datasets.load_from_disk(str(directory))), task, str(directory))
    files = split_files(directory)
    if not files:
        return rows_from_hub(_load_dataset(str(directory)), task, str(directory))
    split = next((name for name in SEED_SPLITS if name in files), None)
    if split is None:
        raise SeedError(f"{directory}: no train or dev file among {', '.join(f.name for f in files.values())}")
    return read_file(files[split], task)


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
    string = datasets.Value("string")
    strings = datasets.Sequence(string)
    columns = {"token": {"tokens": strings, "ner_tags": strings}, "single": {"text": string, "label": string},
               "multi": {"text": string, "labels": strings},
               "pair": {"text": string, "text_pair": string, "label": string}}[task.head]
    return datasets.Features(columns)


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


def sample_few_shot(seeds: datasets.Dataset, task: TaskSpec, k: int, seed: int) -> datasets.Dataset:
    """k examples per class of `task.class_names` (fewer where the seeds have fewer), seeded,
    no row twice. For NER the class is the entity type and, as in the paper, only sentences
    that contain an entity of that type qualify."""
    pools = rows_per_class(seeds[task.label_column], task)
    empty = [name for name, rows in pools.items() if not rows]
    if empty:
        raise SeedError(f"the seeds have no example of {task.name} class(es) {', '.join(empty)}; "
                        f"give at least one example of every class ({', '.join(task.class_names)})")
    rng = random.Random(seed)
    chosen: set[int] = set()
    for rows in pools.values():
        candidates = [index for index in rows if index not in chosen]
        chosen.update(rng.sample(candidates, min(k, len(candidates))))
    return seeds.select(sorted(chosen))


def as_seed_rows(split: datasets.Dataset, task: TaskSpec) -> datasets.Dataset:
    """A real split with label ids (as training loads it) in the seed schema (label names)."""
    names, column = task.labels, task.label_column
    rows = []
    for row in split:
        value = row[column]
        rows.append({**row, column: [names[v] for v in value] if isinstance(value, list) else names[value]})
    return datasets.Dataset.from_list(rows, features=seed_features(task))
