"""Seed rows written for these tests in each family's schema, and the tiny training model."""

import json

import pytest

from clingen_hf.core.tasks import TaskSpec, get_task
from tests.training.conftest import tiny_model  # noqa: F401  (a fixture used here too)

CASI_SENTENCE = ["Take", "aspirin", "81", "mg", "by", "mouth", "daily", "for", "pain", "for", "3", "days", "."]
CASI_TAGS = ["O", "B-Medication", "B-Dosage", "I-Dosage", "B-Route", "I-Route", "B-Frequency", "O", "B-Reason", "O",
             "B-Duration", "I-Duration", "O"]


def seed_rows(task: TaskSpec, per_class: int = 5) -> list[dict]:
    if task.head == "token":
        return [{"tokens": [*CASI_SENTENCE[:-1], str(i), "."], "ner_tags": [*CASI_TAGS[:-1], "O", "O"]} for i in range(per_class)]
    rows = []
    for number, label in enumerate(task.labels):
        for i in range(per_class):
            text = f"Study {number}-{i} reports the {label} case in a cohort of adults"
            if task.markers:
                text = f"{task.markers[1]} variants and {task.markers[0]} were studied in cohort {number}-{i} ({label})"
            if task.head == "multi":
                rows.append({"text": text, "labels": [label]})
            elif task.head == "pair":
                rows.append({"text": text, "text_pair": f"A statement {number}-{i} that is {label}", "label": label})
            else:
                rows.append({"text": text, "label": label})
    return rows


@pytest.fixture
def seeds_file(tmp_path):
    def write(task_name: str):
        path = tmp_path / f"{task_name}-seeds.jsonl"
        path.write_text("\n".join(json.dumps(row) for row in seed_rows(get_task(task_name))) + "\n")
        return path

    return write
