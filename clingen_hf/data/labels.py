"""Labels of the real formats: their names for the task's labels, and rows built from records
with column aliases; what every reader shares."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from clingen_hf.core.tasks import TaskSpec

GAD_LABELS = {"1": "Has_relation", "0": "No_relation"}
CHEMPROT_LABELS = {"CPR:3": "Upregulator", "CPR:4": "Downregulator", "CPR:5": "Agonist", "CPR:6": "Antagonist",
                   "CPR:9": "Product_of", "False": "NOT"}
CDR_LABELS = {"CID": "induce", "1": "induce", "0": "not_induce"}
RQE_LABELS = {"true": "Entail", "false": "Not_entail"}
HEALTHVER_LABELS = {"Supports": "Support", "Refutes": "Refute", "Neutral": "Unproven"}
PUBHEALTH_LABELS = {"true": "Support", "false": "Refute", "mixture": "Mixture", "unproven": "Unproven"}
MQP_LABELS = {"1": "equivalent", "0": "not_equivalent"}

TASK_LABEL_ALIASES = {
    "gad": {**GAD_LABELS, "true": "Has_relation", "false": "No_relation"},
    "cdr": {**CDR_LABELS, "true": "induce", "false": "not_induce"},
    "chemprot": CHEMPROT_LABELS,
    "mediqa-rqe": {**RQE_LABELS, "1": "Entail", "0": "Not_entail"},
    "healthver": HEALTHVER_LABELS,
    "pubhealth": PUBHEALTH_LABELS,
    "mqp": {**MQP_LABELS, "true": "equivalent", "false": "not_equivalent"},
}
LABEL_ALIASES = {
    "entailment": "entail", "entails": "entail", "entailed": "entail",
    "not_entailment": "not_entail", "not entailment": "not_entail", "not_entailed": "not_entail",
    "contradiction": "contradict", "contradicts": "contradict",
    "supports": "support", "supported": "support", "refutes": "refute", "refuted": "refute",
    "neutral": "unproven", "not enough info": "unproven", "nei": "unproven",
}

MAX_LABELS_SHOWN = 50  # a LabelError lists this many unknown labels, then counts the rest


TEXT_ALIASES = ("text", "sentence", "abstract")
COLUMN_ALIASES = {
    "token": {"tokens": ("tokens", "words"), "ner_tags": ("ner_tags", "tags", "ner_labels", "labels")},
    "single": {"text": TEXT_ALIASES, "label": ("label", "labels", "relation", "class")},
    "multi": {"text": TEXT_ALIASES, "labels": ("labels", "top_level_labels", "label")},
    "pair": {
        "text": ("text", "text_1", "premise", "sentence1", "question1", "question_1", "claim", "chq"),
        "text_pair": ("text_pair", "text_2", "hypothesis", "sentence2", "question2", "question_2", "evidence",
                      "main_text", "faq"),
        "label": ("label", "labels", "gold_label"),
    },
}


class DataError(ValueError):
    """Input that cannot be read; the message names the file (and line) and what is wrong."""


class LabelError(DataError):
    """Labels that are not the task's: the message lists every unknown label, where it first
    occurs, and the task's labels."""

    def __init__(self, unknown: dict[str, str], task: TaskSpec, source: str = ""):
        self.labels = list(unknown)
        shown = [f"{label} ({where})" if where else label for label, where in unknown.items()]
        more = len(shown) - MAX_LABELS_SHOWN
        found = ", ".join(shown[:MAX_LABELS_SHOWN]) + (f" and {more} more" if more > 0 else "")
        prefix = f"{source}: " if source else ""
        super().__init__(f"{prefix}label(s) {found} are not labels of {task.name}; its labels are: "
                         f"{', '.join(task.labels)}. Is this data for another task?")


# --- labels -----------------------------------------------------------------------------


def normalise_label(value, task: TaskSpec) -> str:
    """The task's label name for `value` (see the module docstring); LabelError if none."""
    name = _label_name(value, task)
    if name is None:
        raise LabelError({repr(value): ""}, task)
    return name


def _label_name(value, task: TaskSpec) -> str | None:
    key = str(value).lower() if isinstance(value, bool) else str(value).strip()
    if key in task.labels:
        return key
    name = _alias_table(task.name, task.labels).get(key.lower())
    if name is None and isinstance(value, int) and not isinstance(value, bool) and 0 <= value < len(task.labels):
        return task.labels[value]
    return name


@lru_cache(maxsize=64)
def _alias_table(task_name: str, labels: tuple[str, ...]) -> dict[str, str]:
    """Lower-case spelling -> label: the labels themselves, then the dataset's, then common aliases."""
    by_lower = {label.lower(): label for label in labels}
    table = dict(by_lower)
    for alias, target in TASK_LABEL_ALIASES.get(task_name, {}).items():
        if target in labels:
            table.setdefault(alias.lower(), target)
    for alias, target in LABEL_ALIASES.items():
        if target in by_lower:
            table.setdefault(alias, by_lower[target])
    return table


def with_label_names(located_rows: Iterable[tuple[str, dict]], task: TaskSpec, source: str) -> list[dict]:
    """Rows with their labels replaced by names; one LabelError listing every unknown label."""
    unknown: dict[str, str] = {}

    def named(value, where: str) -> str | None:
        name = _label_name(value, task)
        if name is None:
            unknown.setdefault(repr(value), where)
        return name

    rows = []
    for where, row in located_rows:
        value = row[task.label_column]
        row[task.label_column] = [named(v, where) for v in value] if isinstance(value, list) else named(value, where)
        rows.append(row)
    if unknown:
        raise LabelError(unknown, task, source)
    return rows


# --- records with column aliases ----------------------------------------------------------


def columns_of(names: Iterable[str], task: TaskSpec, where: str) -> dict[str, str]:
    """Our column -> the source's column, by the aliases of the task's head."""
    present = {name.strip().lower(): name for name in names if isinstance(name, str)}
    columns, missing = {}, []
    for ours, aliases in COLUMN_ALIASES[task.head].items():
        theirs = next((present[alias] for alias in aliases if alias in present), None)
        if theirs is None:
            missing.append(f"{ours!r} (any of {', '.join(aliases)})")
        columns[ours] = theirs
    if missing:
        raise DataError(f"{where}: no column for {'; '.join(missing)} of a {task.head} task ({task.name}); "
                        f"found columns: {', '.join(present.values()) or 'none'}")
    return columns


def row_from_record(record: dict, task: TaskSpec, where: str, columns: dict[str, str] | None = None) -> dict:
    columns = columns or columns_of(record, task, where)
    row = {ours: record[theirs] for ours, theirs in columns.items()}
    if task.head == "token":
        return token_row(row, where)
    if task.head == "multi":
        row["labels"] = label_list(row["labels"])
    else:
        row["label"] = single_label(row["label"], task, where)
    for column in ("text", "text_pair"):
        if column in row and not isinstance(row[column], str):
            raise DataError(f"{where}: {column!r} must be a string, got {type(row[column]).__name__}")
    return row


def token_row(row: dict, where: str) -> dict:
    tokens, tags = row["tokens"], row["ner_tags"]
    if not isinstance(tokens, list) or not isinstance(tags, list):
        raise DataError(f"{where}: 'tokens' and 'ner_tags' must be lists")
    if len(tokens) != len(tags):
        raise DataError(f"{where}: {len(tokens)} tokens but {len(tags)} tags")
    return {"tokens": [str(token) for token in tokens], "ner_tags": tags}


def label_list(value) -> list:
    if value is None:
        return []
    if isinstance(value, str):
        return [part.strip() for part in value.split("|") if part.strip()]
    return list(value)


def single_label(value, task: TaskSpec, where: str):
    if isinstance(value, list):
        if len(value) != 1:
            raise DataError(f"{where}: {len(value)} labels {value}, but {task.name} takes exactly one per row")
        return value[0]
    return value


@contextmanager
def text_file(path: Path) -> Iterator:
    if not path.is_file():
        raise DataError(f"{path}: file not found")
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            yield handle
    except UnicodeDecodeError as error:
        raise DataError(f"{path}: not UTF-8 text ({error.reason} at byte {error.start})") from None
