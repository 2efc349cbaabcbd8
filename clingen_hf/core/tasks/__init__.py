"""Task registry: `get_task("ncbi-disease")`. Each task family is one module."""

from __future__ import annotations

from clingen_hf.core.tasks.attributes import ATTRIBUTE_TASKS
from clingen_hf.core.tasks.base import TaskSpec, UnknownTaskError
from clingen_hf.core.tasks.classification import CLASSIFICATION_TASKS
from clingen_hf.core.tasks.fact_verification import FACT_VERIFICATION_TASKS
from clingen_hf.core.tasks.ner import NER_TASKS
from clingen_hf.core.tasks.nli import NLI_TASKS
from clingen_hf.core.tasks.relation import RELATION_TASKS
from clingen_hf.core.tasks.similarity import SIMILARITY_TASKS

ALL_TASKS = (*NER_TASKS, *ATTRIBUTE_TASKS, *CLASSIFICATION_TASKS, *RELATION_TASKS, *NLI_TASKS,
             *FACT_VERIFICATION_TASKS, *SIMILARITY_TASKS)
TASKS: dict[str, TaskSpec] = {task.name: task for task in ALL_TASKS}
FAMILIES = tuple(dict.fromkeys(task.family for task in ALL_TASKS))


def get_task(name: str) -> TaskSpec:
    try:
        return TASKS[name]
    except KeyError:
        known = ", ".join(sorted(TASKS))
        raise UnknownTaskError(f"unknown task {name!r}; choose one of: {known}") from None


__all__ = ["FAMILIES", "TASKS", "TaskSpec", "UnknownTaskError", "get_task"]
