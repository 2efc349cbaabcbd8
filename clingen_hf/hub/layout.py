"""Datasets in the layout of a Hub dataset repo: README.md card with `configs:` YAML and
parquet per config and split. `load_dataset(DIR, METHOD)` reads it; the same directory can
be pushed to the Hub unchanged.

    DIR/README.md
    DIR/<method>/train-00000-of-00001.parquet
    DIR/<method>/generation_report.json      recipe, counts, cost (feeds the card)
    DIR/<method>/knowledge/{topics,styles}.json
    DIR/knowledge/train-00000-of-00001.parquet  every method's pools, as the `knowledge` config

A config is written to a staging folder and moved into place only when complete, so an
interrupted run never leaves a config that looks finished.
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
from pathlib import Path

import datasets
from huggingface_hub import DatasetCard, DatasetCardData

from clingen_hf.core.tasks import get_task

REPORT_FILE = "generation_report.json"
QUALITY_FILE = "quality.json"
DEFAULT_CONFIG = "clingen-kg"
KNOWLEDGE_CONFIG = "knowledge"
CARD_TEMPLATE = Path(__file__).parent / "dataset_card_template.md"


def write_config(output_dir: Path, config_name: str, train: datasets.Dataset, report: dict, pools: dict,
                 few_shot: datasets.Dataset | None = None) -> Path:
    """Write one config; `few_shot` (the seeds used) becomes a split only when given, i.e.
    when the seeds may be shared."""
    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    staging = output_dir / f".staging-{config_name}-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    splits = {"train": train, **({"few_shot": few_shot} if few_shot is not None else {})}
    for split, rows in splits.items():
        rows.to_parquet(str(staging / f"{split}-00000-of-00001.parquet"))
    report = {**public_record(report), "splits": list(splits), "dataset_info": dataset_info_yaml(config_name, splits)}
    for kind, pool in pools.items():
        public_pool = dataclasses.replace(pool, provenance=public_record(pool.provenance))
        public_pool.save(staging / "knowledge" / f"{kind}.json")
    (staging / REPORT_FILE).write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    _replace_dir(staging, output_dir / config_name)
    write_card(output_dir)
    return output_dir / config_name


def dataset_info_yaml(config_name: str, splits: dict[str, datasets.Dataset]) -> dict:
    """The card's `dataset_info` entry, as `push_to_hub` writes it. `datasets` keys its cache
    of a local dataset directory on this metadata: without it, a regenerated directory
    would load the previous rows."""
    info = splits["train"].info.copy()
    info.config_name = config_name
    info.splits = datasets.SplitDict()
    for name, rows in splits.items():
        info.splits.add(datasets.SplitInfo(name, num_bytes=rows.data.nbytes, num_examples=len(rows)))
    info.dataset_size = sum(rows.data.nbytes for rows in splits.values())
    return info._to_yaml_dict()


def _replace_dir(new: Path, target: Path) -> None:
    retired = target.with_name(f".retired-{target.name}-{os.getpid()}")
    if target.exists():
        os.replace(target, retired)
    os.replace(new, target)
    shutil.rmtree(retired, ignore_errors=True)


def config_reports(output_dir: Path) -> dict[str, dict]:
    """Each config's generation report, with its quality numbers (`clingen quality`) if any."""
    reports = {}
    for path in sorted(Path(output_dir).glob(f"*/{REPORT_FILE}")):
        report = json.loads(path.read_text(encoding="utf-8"))
        quality = path.parent / QUALITY_FILE
        if quality.is_file():
            report["quality"] = json.loads(quality.read_text(encoding="utf-8"))
        reports[path.parent.name] = report
    return reports


def write_knowledge_config(output_dir: Path) -> dict | None:
    """Every config's topic and style pools as one `knowledge` config (a row per item), so a
    run can be reproduced from the published dataset alone. Returns its `dataset_info`."""
    rows = []
    for path in sorted(Path(output_dir).glob("*/knowledge/*.json")):
        pool = json.loads(path.read_text(encoding="utf-8"))
        provenance = json.dumps(pool.get("provenance", {}), ensure_ascii=False, sort_keys=True)
        for item in pool["items"]:
            rows.append({"method": path.parent.parent.name, "kind": pool["kind"], "item": item,
                         "pool_sha256_16": pool["sha256_16"], "provenance": provenance})
    folder = Path(output_dir) / KNOWLEDGE_CONFIG
    if not rows:
        shutil.rmtree(folder, ignore_errors=True)
        return None
    folder.mkdir(exist_ok=True)
    table = datasets.Dataset.from_list(rows)
    temporary = folder / "train.parquet.tmp"
    table.to_parquet(str(temporary))
    os.replace(temporary, folder / "train-00000-of-00001.parquet")
    return dataset_info_yaml(KNOWLEDGE_CONFIG, {"train": table})


def write_card(output_dir: Path, repo_id: str | None = None) -> None:
    reports = config_reports(output_dir)
    knowledge_info = write_knowledge_config(Path(output_dir))
    card = build_card(reports, repo_id or _recorded_repo_id(Path(output_dir)), knowledge_info)
    temporary = Path(output_dir) / "README.md.tmp"
    temporary.write_text(str(card), encoding="utf-8")
    os.replace(temporary, Path(output_dir) / "README.md")


def _recorded_repo_id(output_dir: Path) -> str | None:
    readme = output_dir / "README.md"
    if not readme.is_file():
        return None
    return DatasetCard.load(readme).data.to_dict().get("repo_id")


# Hub metadata and the card's wording per task family: (task category, task id, what the task is).
FAMILY_CARD = {
    "ner": ("token-classification", "named-entity-recognition", "named entity recognition"),
    "attributes": ("token-classification", "named-entity-recognition", "medication attribute extraction"),
    "classification": ("text-classification", "multi-class-classification", "text classification"),
    "relation": ("text-classification", "multi-class-classification", "relation extraction"),
    "nli": ("text-classification", "natural-language-inference", "natural language inference"),
    "fact-verification": ("text-classification", "fact-checking", "fact verification"),
    "similarity": ("sentence-similarity", "semantic-similarity-classification", "sentence similarity"),
}


def data_columns(task) -> str:
    """The card's sentence on the data columns of a task."""
    if task.head == "token":
        return "`tokens`, `ner_tags` (IOB2 as `ClassLabel`)"
    if task.head == "multi":
        return "`text`, `labels` (a list of `ClassLabel`; a row may have several)"
    if task.head == "pair":
        return f"`text` (the {task.content}), `text_pair` (the {task.second_content}), `label` (`ClassLabel`)"
    if task.family == "relation":
        markers = " and ".join(f"`{m}`" for m in task.markers)
        return f"`text` (the two entities replaced by {markers}, as in the evaluation data), `label` (`ClassLabel`), `entities` (the names replaced)"
    return "`text`, `label` (`ClassLabel`)"


def build_card(reports: dict[str, dict], repo_id: str | None = None, knowledge_info: dict | None = None) -> DatasetCard:
    reports = {name: public_record(report) for name, report in reports.items()}  # also those written before it
    tasks = sorted({report["task"] for report in reports.values()})
    default = DEFAULT_CONFIG if DEFAULT_CONFIG in reports else next(iter(reports))
    configs = [
        {"config_name": name,
         "data_files": [{"split": split, "path": f"{name}/{split}-*.parquet"} for split in report.get("splits", ["train"])],
         **({"default": True} if name == default else {})}
        for name, report in reports.items()
    ]
    infos = [report["dataset_info"] for report in reports.values()]
    if knowledge_info:
        configs.append({"config_name": KNOWLEDGE_CONFIG, "data_files": [{"split": "train", "path": f"{KNOWLEDGE_CONFIG}/train-*.parquet"}]})
        infos.append(knowledge_info)
    total_rows = sum(report["counts"]["kept"] for report in reports.values())
    data = DatasetCardData(
        license="apache-2.0",
        language=["en"],
        task_categories=sorted({FAMILY_CARD[get_task(t).family][0] for t in tasks}),
        task_ids=sorted({_task_id(get_task(t)) for t in tasks}),
        size_categories=[_size_category(total_rows)],
        tags=["synthetic", "clinical", "biomedical", "clingen"],
        source_datasets=sorted({_source_dataset(report) for report in reports.values()}),
        pretty_name=f"{', '.join(get_task(t).title for t in tasks)} synthetic (ClinGen)",
        repo_id=repo_id,
        configs=configs,
        dataset_info=infos,
    )
    return DatasetCard.from_template(
        data,
        template_path=str(CARD_TEMPLATE),
        tasks=[{"title": get_task(t).title, "kind": FAMILY_CARD[get_task(t).family][2],
                "columns": data_columns(get_task(t))} for t in tasks],
        reports=reports,
        default_config=default,
        repo_id=repo_id or "PATH_OR_REPO_ID",
    )


# Report and provenance keys whose value may name a local path ("iBKH:/data/ibkh" for an iBKH folder).
SOURCE_KEYS = ("seeds_source", "kg_source", "loaded_from")


def public_source_name(source: str) -> str:
    """How a seed source, KG or pool file is named in what gets published: a local folder by
    its name, a local file by its name and its folder's (`ncbi_disease/train.tsv`; the name
    alone in the home or root folder), never by the folders above (`iBKH:/data/ibkh` ->
    `iBKH:ibkh`). Hub ids, the bundled seeds and the embedded KG are named as they are."""
    path = _local_path(source)
    if path is None:
        return source
    local = Path(path).expanduser().resolve()
    top = not local.suffix or local.parent in (Path.home(), Path(local.anchor))
    return source.replace(path, local.name if top else f"{local.parent.name}/{local.name}")


def _local_path(source: str) -> str | None:
    """The local path `source` is or names after a `KIND:` prefix, or None (a Hub id)."""
    for path in (source, source.partition(":")[2]):
        if path and (Path(path).expanduser().is_absolute() or Path(path).exists()):
            return path
    return None


def public_record(record: dict) -> dict:
    """A report or a pool's provenance as published: its sources named as `public_source_name`
    says, and their absolute paths so named wherever else they occur (a KG gap's message)."""
    sources = [record.get(key) for key in SOURCE_KEYS]
    sources += [pool.get(key) for pool in (record.get("pools") or {}).values() for key in SOURCE_KEYS]
    paths = {_local_path(source) for source in sources if isinstance(source, str)} - {None}
    names = {path: public_source_name(path) for path in paths if Path(path).expanduser().is_absolute()}
    return _public(record, names)


def _public(value, names: dict[str, str]):
    if isinstance(value, str):
        for path in sorted(names, key=len, reverse=True):
            value = value.replace(path, names[path])
        return value
    if isinstance(value, dict):
        return {key: public_source_name(item) if key in SOURCE_KEYS and isinstance(item, str) else _public(item, names)
                for key, item in value.items()}
    if isinstance(value, list):
        return [_public(item, names) for item in value]
    return value


def _task_id(task) -> str:
    return "multi-label-classification" if task.head == "multi" else FAMILY_CARD[task.family][1]


def _source_dataset(report: dict) -> str:
    """'original' for the project's own seeds, 'extended|NAME' for seeds from a dataset."""
    source = report.get("seeds_source", "")
    if source.startswith("the bundled"):
        return "original"
    path = Path(source)
    name = path.parent.name if path.suffix else path.name
    return f"extended|{name or source}"


def _size_category(rows: int) -> str:
    for limit, name in ((1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"), (1_000_000, "100K<n<1M")):
        if rows < limit:
            return name
    return "n>1M"
