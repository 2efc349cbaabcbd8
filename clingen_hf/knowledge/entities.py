"""The knowledge graph's record types and its error."""


from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

ENTITY_COLUMNS = ("id", "name", "type", "synonyms", "weight", "xrefs")


class KnowledgeGraphError(ValueError):
    """The knowledge graph cannot be loaded or cannot answer a request; the message says why."""


@dataclass(frozen=True)
class Entity:
    """One node. `name` is the natural display name offered as a topic; `synonyms` keep the
    source's other names (including the original one when `name` was rewritten); `weight` > 0
    is the relative probability of the entity in weighted sampling; `xrefs` are its other
    ids (cross-references, and the ids of source records merged into it)."""

    id: str
    name: str
    type: str
    synonyms: tuple[str, ...] = ()
    weight: float = 1.0
    xrefs: tuple[str, ...] = ()


class Relation(NamedTuple):
    head_id: str
    relation: str
    tail_id: str


class RelationType(NamedTuple):
    head_type: str
    relation: str
    tail_type: str
