"""Task registry: `get_task("ncbi-disease")`. Each task family is one module."""

from __future__ import annotations

from .base import TaskSpec, UnknownTaskError
from .ner import NER_TASKS

TASKS: dict[str, TaskSpec] = {task.name: task for task in NER_TASKS}


def get_task(name: str) -> TaskSpec:
    try:
        return TASKS[name]
    except KeyError:
        known = ", ".join(sorted(TASKS))
        raise UnknownTaskError(f"unknown task {name!r}; choose one of: {known}") from None


__all__ = ["TASKS", "TaskSpec", "UnknownTaskError", "get_task"]
