"""Seeds: the few labelled examples that demonstrations, styles and stage-I training come from.

Sources: the bundled set of a task (written by this project, PHI-free), a CoNLL/IOB2 `.tsv`
file or a folder holding `train.tsv`, a JSON-lines file, or a `datasets`/Hub id or folder.
Rows are `{"tokens": [...], "ner_tags": [...]}` with IOB2 tag strings.
"""

from __future__ import annotations

import json
import random
from importlib import resources
from pathlib import Path

import datasets

from .tasks import TaskSpec

CONLL_SUFFIXES = {".tsv", ".conll", ".iob", ".iob2", ".txt"}


class SeedError(ValueError):
    """A seed source that cannot be used; the message says where and how to fix it."""


def bundled_seeds_path(task: TaskSpec) -> Path:
    return Path(str(resources.files("clingen_hf") / "seeds" / f"{task.name}.jsonl"))


def load_seeds(source: str | None, task: TaskSpec) -> datasets.Dataset:
    """Load seed rows for `task` from `source` (None = the bundled set)."""
    if source is None:
        rows = _read_jsonl(bundled_seeds_path(task), task)
    else:
        path = Path(source)
        if path.is_dir() and (path / "train.tsv").is_file():
            path = path / "train.tsv"
        if path.is_dir():
            rows = _read_hub(str(path), task)
        elif path.suffix in CONLL_SUFFIXES:
            rows = read_conll(path, task)
        elif path.suffix == ".jsonl":
            rows = _read_jsonl(path, task)
        elif path.exists():
            raise SeedError(f"{path}: unsupported seed file type; use a CoNLL .tsv, a .jsonl, or a Hub dataset id")
        else:
            rows = _read_hub(source, task)
    if not rows:
        raise SeedError(f"{source or 'bundled seeds'}: no labelled sentences found")
    return datasets.Dataset.from_list(rows, features=seed_features())


def seed_features() -> datasets.Features:
    return datasets.Features(
        {"tokens": datasets.Sequence(datasets.Value("string")), "ner_tags": datasets.Sequence(datasets.Value("string"))}
    )


def read_conll(path: Path, task: TaskSpec) -> list[dict]:
    if not path.is_file():
        raise SeedError(f"{path}: seed file not found")
    rows: list[dict] = []
    tokens: list[str] = []
    tags: list[str] = []
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("-DOCSTART-"):
                if tokens:
                    rows.append(_checked_row(tokens, tags, task, f"{path}:{number}"))
                tokens, tags = [], []
                continue
            parts = line.split("\t")
            if len(parts) < 2:
                raise SeedError(f"{path}:{number}: expected 'token<TAB>tag', got {line[:60]!r}")
            tokens.append(parts[0])
            tags.append(parts[-1].strip())
    if tokens:
        rows.append(_checked_row(tokens, tags, task, f"{path}:end"))
    return rows


def _read_jsonl(path: Path, task: TaskSpec) -> list[dict]:
    if not path.is_file():
        raise SeedError(f"{path}: seed file not found")
    rows = []
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as error:
                raise SeedError(f"{path}:{number}: not valid JSON ({error.msg})") from None
            if not isinstance(record, dict) or "tokens" not in record or "ner_tags" not in record:
                raise SeedError(f"{path}:{number}: each line needs 'tokens' and 'ner_tags' lists")
            tags = [_tag_name(tag, task) for tag in record["ner_tags"]]
            rows.append(_checked_row(list(record["tokens"]), tags, task, f"{path}:{number}"))
    return rows


def _read_hub(dataset_id: str, task: TaskSpec) -> list[dict]:
    try:
        dataset = datasets.load_dataset(dataset_id, split="train")
    except (FileNotFoundError, ValueError, OSError) as error:
        raise SeedError(
            f"{dataset_id!r} is neither a seed file nor a loadable dataset ({type(error).__name__}: {error})"
        ) from None
    missing = {"tokens", "ner_tags"} - set(dataset.column_names)
    if missing:
        raise SeedError(f"{dataset_id}: dataset lacks columns {sorted(missing)}")
    names = _tag_names_of(dataset.features["ner_tags"])
    rows = []
    for index, record in enumerate(dataset):
        tags = [names[tag] if names else tag for tag in record["ner_tags"]]
        rows.append(_checked_row(record["tokens"], [_tag_name(t, task) for t in tags], task, f"{dataset_id}[{index}]"))
    return rows


def _tag_names_of(feature) -> list[str] | None:
    inner = getattr(feature, "feature", None)
    return list(inner.names) if isinstance(inner, datasets.ClassLabel) else None


def _tag_name(tag, task: TaskSpec) -> str:
    if isinstance(tag, int):
        return task.labels[tag] if 0 <= tag < len(task.labels) else str(tag)
    return str(tag)


def _checked_row(tokens: list[str], tags: list[str], task: TaskSpec, where: str) -> dict:
    if len(tokens) != len(tags):
        raise SeedError(f"{where}: {len(tokens)} tokens but {len(tags)} tags")
    unknown = sorted(set(tags) - set(task.labels))
    if unknown:
        raise SeedError(
            f"{where}: tag(s) {unknown} are not labels of {task.name} ({', '.join(task.labels)}); "
            f"is this a seed file for another task?"
        )
    return {"tokens": tokens, "ner_tags": tags}


def has_entity(row: dict) -> bool:
    return any(tag != "O" for tag in row["ner_tags"])


def sample_few_shot(seeds: datasets.Dataset, task: TaskSpec, k: int, seed: int) -> datasets.Dataset:
    """k examples per class, seeded. For NER the class is the entity type and, as in the
    paper, only sentences that contain an entity qualify."""
    candidates = [index for index, row in enumerate(seeds) if has_entity(row)]
    if not candidates:
        raise SeedError(f"no seed sentence contains a {task.entity_type} entity")
    chosen = random.Random(seed).sample(candidates, min(k, len(candidates)))
    return seeds.select(sorted(chosen))
