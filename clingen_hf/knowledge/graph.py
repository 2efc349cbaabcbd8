"""A clinical knowledge graph held in memory: the pool that ClinGen topics are sampled from.

Entities (id, natural display name, normalised type, synonyms, sampling weight) and typed
relations between them live in two columnar tables, so that iBKH's millions of relations fit
in memory and a cached graph loads in well under a second. Sampling is seeded with
`random.Random(seed)` and never depends on anything but the graph's content and the seed.

Loaders: `KnowledgeGraph.from_ibkh(directory)` reads the iBKH CSV release the paper uses;
`clingen_hf.knowledge.embedded.load_embedded_kg()` builds one from packaged vocabularies.
"""

from __future__ import annotations

import json
import logging
import random
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from clingen_hf.knowledge.entities import (
    ENTITY_COLUMNS,
    Entity,
    KnowledgeGraphError,
    Relation,
    RelationType,
)
from clingen_hf.knowledge.ibkh import read_ibkh

logger = logging.getLogger(__name__)

CACHE_FORMAT = 1

def _sample_positions(n: int, k: int, rng: random.Random, weights: np.ndarray | None = None) -> list[int]:
    """k positions in range(n): without replacement while possible, then with replacement."""
    if k < 0:
        raise ValueError(f"k must be >= 0, got {k}")
    distinct = min(k, n)
    if weights is None:
        return rng.sample(range(n), distinct) + rng.choices(range(n), k=k - distinct)
    picks = _weighted_without_replacement(weights, distinct, rng)
    cumulative = np.cumsum(weights).tolist()
    return picks + rng.choices(range(n), cum_weights=cumulative, k=k - distinct)


def _weighted_without_replacement(weights: np.ndarray, m: int, rng: random.Random) -> list[int]:
    """Efraimidis-Spirakis: the m largest keys log(u)/w are a weighted sample without
    replacement. Vectorised with a NumPy generator seeded from `rng`, so it stays
    deterministic per seed and fast on millions of candidates."""
    if m == 0:
        return []
    uniform = np.random.default_rng(rng.getrandbits(64)).random(len(weights))
    keys = np.log1p(-uniform) / weights  # log(1 - u): u in [0, 1) never gives log(0)
    top = np.argpartition(-keys, m - 1)[:m] if m < len(keys) else np.arange(len(keys))
    return top[np.argsort(-keys[top], kind="stable")].tolist()


# --------------------------------------------------------------------------- the graph


class KnowledgeGraph:
    """Entities and typed relations, with seeded topic sampling.

    Build one from `Entity`/`Relation` objects, `from_ibkh(directory)`, or `from_cache`.
    Entity ids are unique per type; a relation's ids must each name exactly one entity.
    """

    def __init__(
        self,
        entities: Iterable[Entity],
        relations: Iterable[Relation] = (),
        *,
        source: str = "",
        version: str = "",
    ) -> None:
        table = pd.DataFrame(
            [(e.id, e.name, e.type, tuple(e.synonyms), float(e.weight), tuple(e.xrefs)) for e in entities],
            columns=list(ENTITY_COLUMNS),
        )
        self._set_entities(table)
        self._set_relations(self._relations_frame(relations))
        self.source = source
        self.version = version

    # ------------------------------------------------------------------ construction

    @classmethod
    def _from_tables(
        cls, entities: pd.DataFrame, relations: pd.DataFrame, *, source: str, version: str
    ) -> KnowledgeGraph:
        """Wrap prepared tables: entities with ENTITY_COLUMNS; relations with `head`/`tail`
        (row positions in `entities`) and `relation`."""
        graph = cls.__new__(cls)
        graph._set_entities(entities)
        graph._set_relations(relations)
        graph.source = source
        graph.version = version
        return graph

    def _set_entities(self, table: pd.DataFrame) -> None:
        table = table.reset_index(drop=True)
        if table["name"].isna().any() or (table["name"].astype(str).str.len() == 0).any():
            raise KnowledgeGraphError("every entity needs a non-empty name")
        if not (table["weight"] > 0).all():
            raise KnowledgeGraphError("entity weights must be > 0")
        duplicated = table.duplicated(["type", "id"])
        if duplicated.any():
            example = table.loc[duplicated, ["type", "id"]].iloc[0].tolist()
            raise KnowledgeGraphError(f"duplicate entity (type, id) {example}; ids must be unique per type")
        self._entities = table
        self._names = table["name"].to_numpy(dtype=object)
        self._weights = table["weight"].to_numpy(dtype=np.float64)
        self._type_codes, type_names = pd.factorize(table["type"], sort=True)
        self._types: list[str] = [str(t) for t in type_names]
        self._rows_by_type = {t: np.flatnonzero(self._type_codes == i) for i, t in enumerate(self._types)}
        self._row_by_id: dict[str, int] | None = None
        self._ambiguous: dict[str, list[int]] = {}
        self._pair_cache: dict[tuple[str, str, str | None], tuple[np.ndarray, np.ndarray]] = {}

    def _set_relations(self, relations: pd.DataFrame) -> None:
        relations = relations.reset_index(drop=True)
        n = len(self._entities)
        for column in ("head", "tail"):
            values = relations[column].to_numpy()
            if len(values) and (values.min() < 0 or values.max() >= n):
                raise KnowledgeGraphError(f"relation {column} outside the entity table")
        self._heads = relations["head"].to_numpy(dtype=np.int64)
        self._tails = relations["tail"].to_numpy(dtype=np.int64)
        self._relation_codes, names = pd.factorize(relations["relation"].astype(str), sort=True)
        self._relation_names: list[str] = [str(r) for r in names]
        self._relation_types: dict[RelationType, int] | None = None

    def _relations_frame(self, relations: Iterable[Relation]) -> pd.DataFrame:
        rows = [(self._unique_row(h), r, self._unique_row(t)) for h, r, t in relations]
        frame = pd.DataFrame(rows, columns=["head", "relation", "tail"])
        return frame.astype({"head": np.int64, "tail": np.int64, "relation": str})

    def _unique_row(self, entity_id: str) -> int:
        rows = self._rows_with_id(entity_id)
        if len(rows) != 1:
            problem = "is unknown" if not rows else f"names {len(rows)} entities of different types"
            raise KnowledgeGraphError(f"relation endpoint {entity_id!r} {problem}")
        return rows[0]

    def _rows_with_id(self, entity_id: str) -> list[int]:
        if self._row_by_id is None:
            index: dict[str, int] = {}
            for row, value in enumerate(self._entities["id"].tolist()):
                if value in index:
                    self._ambiguous.setdefault(value, [index[value]]).append(row)
                index[value] = row
            self._row_by_id = index
        if entity_id in self._ambiguous:
            return self._ambiguous[entity_id]
        found = self._row_by_id.get(entity_id)
        return [] if found is None else [found]

    # ------------------------------------------------------------------ queries

    def __len__(self) -> int:
        return len(self._entities)

    def __repr__(self) -> str:
        counts = ", ".join(f"{t}={self.count(t)}" for t in self._types)
        return f"KnowledgeGraph({counts}; relations={self.num_relations}; source={self.source!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, KnowledgeGraph):
            return NotImplemented
        return (
            (self.source, self.version) == (other.source, other.version)
            and self.entities() == other.entities()
            and self.relations() == other.relations()
        )

    __hash__ = None  # type: ignore[assignment]  # mutable-looking container: not hashable

    @property
    def num_relations(self) -> int:
        return len(self._heads)

    def entity_types(self) -> list[str]:
        return list(self._types)

    def count(self, entity_type: str) -> int:
        rows = self._rows_by_type.get(entity_type)
        return 0 if rows is None else len(rows)

    def entity(self, entity_id: str, entity_type: str | None = None) -> Entity:
        rows = self._rows_with_id(entity_id)
        if entity_type is not None:
            rows = [row for row in rows if self._types[self._type_codes[row]] == entity_type]
        if len(rows) != 1:
            problem = "not found" if not rows else "ambiguous: pass entity_type"
            raise KeyError(f"entity {entity_id!r}: {problem}")
        return self._entity_at(rows[0])

    def entities(self, entity_type: str | None = None) -> list[Entity]:
        table = self._entities if entity_type is None else self._entities.iloc[self._rows_of(entity_type)]
        return [
            Entity(id=i, name=n, type=t, synonyms=tuple(s), weight=float(w), xrefs=tuple(x))
            for i, n, t, s, w, x in zip(*(table[c].tolist() for c in ENTITY_COLUMNS), strict=True)
        ]

    def relations(self) -> list[Relation]:
        ids = self._entities["id"].to_numpy(dtype=object)
        names = self._relation_names
        return [
            Relation(ids[h], names[r], ids[t])
            for h, r, t in zip(
                self._heads.tolist(), self._relation_codes.tolist(), self._tails.tolist(), strict=True
            )
        ]

    def relation_types(self) -> list[RelationType]:
        """The distinct (head type, relation, tail type) triples, sorted."""
        return sorted(self._relation_type_counts())

    def stats(self) -> dict[str, object]:
        """Counts for dataset cards: entities per type, relations per relation type."""
        return {
            "source": self.source,
            "version": self.version,
            "entities": {t: self.count(t) for t in self._types},
            "relations": {"-".join(triple): n for triple, n in sorted(self._relation_type_counts().items())},
        }

    def _relation_type_counts(self) -> dict[RelationType, int]:
        if self._relation_types is None:
            codes = pd.DataFrame(
                {
                    "head": self._type_codes[self._heads],
                    "relation": self._relation_codes,
                    "tail": self._type_codes[self._tails],
                }
            )
            self._relation_types = {
                RelationType(self._types[h], self._relation_names[r], self._types[t]): int(n)
                for (h, r, t), n in codes.value_counts().items()
            }
        return self._relation_types

    def _entity_at(self, row: int) -> Entity:
        values = self._entities.iloc[row]
        return Entity(
            id=values["id"],
            name=values["name"],
            type=values["type"],
            synonyms=tuple(values["synonyms"]),
            weight=float(values["weight"]),
            xrefs=tuple(values["xrefs"]),
        )

    def _rows_of(self, entity_type: str) -> np.ndarray:
        rows = self._rows_by_type.get(entity_type)
        if rows is None:
            raise KnowledgeGraphError(
                f"the knowledge graph ({self.source or 'unnamed'}) has no entities of type "
                f"{entity_type!r}; available types: {', '.join(self._types) or 'none'}"
            )
        return rows

    # ------------------------------------------------------------------ sampling

    def sample_entities(self, entity_type: str, k: int, seed: int, *, weighted: bool = False) -> list[str]:
        """k entity names of `entity_type`, seeded by `random.Random(seed)`.

        Distinct while k <= count(entity_type), then drawn with replacement. `weighted`
        samples proportionally to each entity's `weight` (see the loader for what it is)
        instead of uniformly.
        """
        rows = self._rows_of(entity_type)
        weights = self._weights[rows] if weighted else None
        positions = _sample_positions(len(rows), k, random.Random(seed), weights)
        return [self._names[rows[p]] for p in positions]

    def sample_relation_pairs(
        self,
        head_type: str,
        tail_type: str,
        k: int,
        seed: int,
        *,
        relation: str | None = None,
        weighted: bool = False,
    ) -> list[tuple[str, str]]:
        """k (head name, tail name) pairs of related entities, seeded by `random.Random(seed)`.

        Pairs are distinct (one pair however many relation types link it) while possible,
        then drawn with replacement. `relation` restricts to one relation name; `weighted`
        samples proportionally to head weight x tail weight.
        """
        heads, tails = self._pairs(head_type, tail_type, relation)
        weights = self._weights[heads] * self._weights[tails] if weighted else None
        positions = _sample_positions(len(heads), k, random.Random(seed), weights)
        return [(self._names[heads[p]], self._names[tails[p]]) for p in positions]

    def _pairs(self, head_type: str, tail_type: str, relation: str | None) -> tuple[np.ndarray, np.ndarray]:
        key = (head_type, tail_type, relation)
        if key not in self._pair_cache:
            self._pair_cache[key] = self._find_pairs(head_type, tail_type, relation)
        return self._pair_cache[key]

    def _find_pairs(
        self, head_type: str, tail_type: str, relation: str | None
    ) -> tuple[np.ndarray, np.ndarray]:
        mask = np.zeros(len(self._heads), dtype=bool)
        if head_type in self._types and tail_type in self._types:
            mask = (self._type_codes[self._heads] == self._types.index(head_type)) & (
                self._type_codes[self._tails] == self._types.index(tail_type)
            )
        if relation is not None:
            code = self._relation_names.index(relation) if relation in self._relation_names else -1
            mask &= self._relation_codes == code
        if not mask.any():
            available = "; ".join(f"({h}, {r}, {t})" for h, r, t in self.relation_types()) or "none"
            wanted = f"({head_type}, {relation or 'any relation'}, {tail_type})"
            raise KnowledgeGraphError(
                f"no relations {wanted} in {self.source or 'the graph'}; available: {available}"
            )
        pair_keys = np.unique(self._heads[mask] * len(self._entities) + self._tails[mask])
        return pair_keys // len(self._entities), pair_keys % len(self._entities)

    # ------------------------------------------------------------------ cache

    def to_cache(self, directory: str | Path) -> Path:
        """Write the graph as parquet + meta.json into `directory` (created if missing).
        meta.json is written last, so a directory without it is an unfinished cache."""
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        entities = self._entities.assign(
            synonyms=self._entities["synonyms"].map(list), xrefs=self._entities["xrefs"].map(list)
        )
        entities.to_parquet(directory / "entities.parquet", index=False)
        relations = pd.DataFrame(
            {
                "head": self._heads,
                "relation": pd.Categorical.from_codes(self._relation_codes, self._relation_names),
                "tail": self._tails,
            }
        )
        relations.to_parquet(directory / "relations.parquet", index=False)
        meta = {"format": CACHE_FORMAT, "source": self.source, "version": self.version, **self.stats()}
        (directory / "meta.json").write_text(json.dumps(meta, indent=2, sort_keys=True))
        return directory

    @classmethod
    def from_cache(cls, directory: str | Path) -> KnowledgeGraph:
        directory = Path(directory)
        meta_path = directory / "meta.json"
        if not meta_path.is_file():
            raise KnowledgeGraphError(
                f"{directory} is not a knowledge-graph cache (no meta.json); "
                "write one with KnowledgeGraph.to_cache or delete the folder to rebuild it"
            )
        meta = json.loads(meta_path.read_text())
        if meta.get("format") != CACHE_FORMAT:
            raise KnowledgeGraphError(
                f"{meta_path}: cache format {meta.get('format')!r}, this version reads {CACHE_FORMAT}; "
                "delete the folder to rebuild it"
            )
        entities = pd.read_parquet(directory / "entities.parquet")
        entities["synonyms"] = [tuple(values) for values in entities["synonyms"]]
        entities["xrefs"] = [tuple(values) for values in entities["xrefs"]]
        relations = pd.read_parquet(directory / "relations.parquet")
        return cls._from_tables(entities, relations, source=meta["source"], version=meta["version"])

    # ------------------------------------------------------------------ iBKH

    @classmethod
    def from_ibkh(cls, directory: str | Path) -> KnowledgeGraph:
        """Load an iBKH release (`clingen_hf.knowledge.ibkh.read_ibkh`)."""
        entities, relations, version = read_ibkh(directory)
        return cls._from_tables(entities, relations, source=f"iBKH:{Path(directory).resolve()}", version=version)
