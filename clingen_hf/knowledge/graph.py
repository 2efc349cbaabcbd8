"""A clinical knowledge graph held in memory: the pool that ClinGen topics are sampled from.

Entities (id, natural display name, normalised type, synonyms, sampling weight) and typed
relations between them live in two columnar tables, so that iBKH's millions of relations fit
in memory and a cached graph loads in well under a second. Sampling is seeded with
`random.Random(seed)` and never depends on anything but the graph's content and the seed.

Loaders: `KnowledgeGraph.from_ibkh(directory)` reads the iBKH CSV release the paper uses;
`clingen_hf.knowledge.embedded.load_embedded_kg()` builds one from packaged vocabularies.
"""

from __future__ import annotations

import hashlib
import json
import logging
import random
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

logger = logging.getLogger(__name__)

CACHE_FORMAT = 1
ENTITY_COLUMNS = ("id", "name", "type", "synonyms", "weight", "xrefs")

# iBKH relation-file abbreviations (`D_Di_res.csv`: drug -> disease) -> entity types.
IBKH_ABBREVIATIONS: dict[str, str] = {
    "A": "anatomy",
    "D": "drug",
    "Di": "disease",
    "G": "gene",
    "Pw": "pathway",
    "Pwy": "pathway",
    "SE": "side_effect",
    "Sy": "symptom",
    "DSP": "dsp",
    "SDSI": "sdsi",
    "TC": "tc",
    "M": "molecule",
}
# Relation files without binary relation-type columns: every row is one relation of this name.
_DEFAULT_RELATION = "associated_with"
_IBKH_METADATA_COLUMNS = {"source", "inference_score"}
_IBKH_NAME_COLUMNS = ("name", "symbol")  # gene_vocab.csv names its genes in `symbol`
_SYNONYM_SEPARATORS = re.compile(r"\s*[|;]\s*")


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


# --------------------------------------------------------------------------- natural names

_NUMBERED_SUFFIX = re.compile(r"^(?:\d+[A-Za-z]?|[IVX]+[A-Za-z]?)$")
_ENUMERATION_PART = re.compile(r"^(?:and|or|&)\s", re.IGNORECASE)


def natural_name(name: str, synonyms: Iterable[str] = ()) -> str:
    """A display name for `name` without MeSH-style inversion.

    "Anemia, Sickle Cell" -> "Sickle Cell Anemia"; "Leukemia, Myeloid, Acute" -> "Acute
    Myeloid Leukemia" (from its synonym "acute myeloid leukemia"). Order of preference:
    1. the name itself when it has no top-level ", " (commas inside parentheses and
       chemical locants such as "2,4-D" do not count), or when it is an enumeration such
       as "Abacavir, Dolutegravir, and Lamivudine";
    2. a comma-free synonym made of exactly the name's words, cased as in the name;
    3. a simple "X, Y" un-inverted to "Y X"; in Title Case (MeSH) also "X, Y, Z" -> "Z Y X";
    4. the comma-free synonym with the most similar word set (Jaccard >= 0.5; shortest on ties);
    5. the name unchanged.
    Step 2 comes before any other synonym because MeSH entry terms include plurals and
    abbreviations ("anll") that are worse than the un-inverted name.
    """
    name = " ".join(name.split()).strip(" ,")
    if ", " not in name:
        return name  # fast path: most names, and all of iBKH's millions of molecule names
    parts = _top_level_parts(name)
    if len(parts) == 1 or any(_ENUMERATION_PART.match(part) for part in parts[1:]):
        return name
    plain = [" ".join(s.split()) for s in synonyms if s and not _top_level_parts(s)[1:]]
    words = _word_key(name)
    for synonym in plain:
        if _word_key(synonym) == words:
            return _recase(synonym, name)
    if len(parts) == 2:
        return _uninvert(parts[0], parts[1])
    if _is_title_case(name):
        return " ".join(reversed(parts))
    scored = [(_jaccard(_word_key(s), words), -len(s), s) for s in plain]
    best = max(scored, default=None)
    return _recase(best[2], name) if best and best[0] >= 0.5 else name


def _jaccard(left: Sequence[str], right: Sequence[str]) -> float:
    return len(set(left) & set(right)) / len(set(left) | set(right))


def _top_level_parts(text: str) -> list[str]:
    """Split on ", " outside parentheses/brackets."""
    parts, depth, start = [], 0, 0
    for i, char in enumerate(text):
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth = max(depth - 1, 0)
        elif char == "," and depth == 0 and text[i + 1 : i + 2] == " ":
            parts.append(text[start:i].strip())
            start = i + 1
    parts.append(text[start:].strip())
    return [part for part in parts if part]


def _word_key(text: str) -> tuple[str, ...]:
    return tuple(sorted(text.replace(",", " ").lower().split()))


def _recase(synonym: str, name: str) -> str:
    """Give the synonym's words the casing they have in `name` (sources often lower-case
    their synonyms, and "Hiv" must stay "HIV"). In a sentence-case name the first word's
    capital is only positional, so it is not carried to another position."""
    cased = {word.lower(): word for word in name.replace(",", " ").split()}
    first = name.split()[0].rstrip(",")
    if not _is_title_case(name) and not _looks_like_acronym(first):
        cased[first.lower()] = first.lower()
    result = " ".join(cased.get(word.lower(), word) for word in synonym.split())
    return result[:1].upper() + result[1:] if name[:1].isupper() else result


def _is_title_case(name: str) -> bool:
    """ "Anemia, Sickle Cell" (MeSH) as opposed to "Deafness, autosomal dominant" (OMIM)."""
    words = [w for w in name.replace(",", " ").split() if len(w) > 3 and w[:1].isalpha()]
    return len(words) > 1 and all(w[:1].isupper() for w in words)


def _looks_like_acronym(word: str) -> bool:
    return sum(c.isupper() or c.isdigit() for c in word) > 1


def _uninvert(head: str, tail: str) -> str:
    if _NUMBERED_SUFFIX.match(tail):
        return f"{head} {tail}"  # "Pseudohyperkalemia, 2" is a numbered subtype, not an inversion
    if tail[:1].islower():  # sentence case ("Deafness, autosomal dominant"): move the capital
        return f"{tail[:1].upper()}{tail[1:]} {_lower_first_word(head)}"
    return f"{tail} {head}"


def _lower_first_word(text: str) -> str:
    return text if _looks_like_acronym(text.split(" ", 1)[0]) else text[:1].lower() + text[1:]


# --------------------------------------------------------------------------- sampling


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
        """Load an iBKH release: `<type>_vocab.csv` entity files and `X_Y_res.csv` relation
        files, anywhere under `directory` (the release unzips into `entity/` and `relation/`).

        Entity ids are iBKH's `primary` column, names its `name` (`symbol` for genes),
        rewritten by `natural_name`. Each binary relation-type column with value 1 is one
        relation of that column's name; a file without such columns gives one
        "associated_with" relation per row. Weight = 1 + the entity's number of relations
        (a proxy for how much it is studied). Rows naming ids missing from the vocabularies
        are dropped with a warning.
        """
        root = Path(directory)
        if not root.is_dir():
            raise KnowledgeGraphError(
                f"iBKH directory {root} does not exist; download the iBKH entity and relation "
                "CSVs from its authors (github.com/wcm-wanglab/iBKH) and pass the folder holding them"
            )
        vocab_files = sorted(root.rglob("*_vocab.csv"))
        if not vocab_files:
            raise KnowledgeGraphError(
                f"no iBKH vocabulary file (*_vocab.csv, e.g. disease_vocab.csv) under {root}; "
                "unzip the iBKH entity download there"
            )
        entities = _drop_duplicate_entities(
            pd.concat([_read_ibkh_vocab(p) for p in vocab_files], ignore_index=True)
        )
        relation_files = sorted(p for p in root.rglob("*.csv") if not p.name.endswith("_vocab.csv"))
        row_index = {t: pd.Index(group["id"]) for t, group in entities.groupby("type")}
        offsets = {t: group.index.to_numpy() for t, group in entities.groupby("type")}
        frames = [
            frame
            for path in relation_files
            if (frame := _read_ibkh_relations(path, row_index, offsets)) is not None
        ]
        relations = pd.concat(frames, ignore_index=True) if frames else _empty_relations()
        degree = np.bincount(relations["head"], minlength=len(entities)) + np.bincount(
            relations["tail"], minlength=len(entities)
        )
        entities["weight"] = 1.0 + degree
        version = "sha256:" + _hash_files(root, vocab_files + relation_files)[:16]
        return cls._from_tables(entities, relations, source=f"iBKH:{root.resolve()}", version=version)


def _empty_relations() -> pd.DataFrame:
    return pd.DataFrame(
        {"head": np.array([], dtype=np.int64), "relation": [], "tail": np.array([], dtype=np.int64)}
    )


def _read_ibkh_vocab(path: Path) -> pd.DataFrame:
    entity_type = path.name[: -len("_vocab.csv")].lower()
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    name_column = next((c for c in _IBKH_NAME_COLUMNS if c in table.columns), None)
    if "primary" not in table.columns or name_column is None:
        raise KnowledgeGraphError(
            f"{path}: an iBKH vocabulary needs a 'primary' id column and a 'name' (or 'symbol') "
            f"column; found {list(table.columns)}. Check the file is an unmodified iBKH *_vocab.csv"
        )
    table = table[(table["primary"].str.strip() != "") & (table[name_column].str.strip() != "")]
    raw_names = table[name_column].str.strip().tolist()
    synonym_lists = _vocab_synonyms(table)
    names = [natural_name(raw, syns) for raw, syns in zip(raw_names, synonym_lists, strict=True)]
    synonyms = [
        tuple(dict.fromkeys(([raw] if raw != name else []) + syns))
        for raw, name, syns in zip(raw_names, names, synonym_lists, strict=True)
    ]
    return pd.DataFrame(
        {
            "id": table["primary"].str.strip().tolist(),
            "name": names,
            "type": entity_type,
            "synonyms": synonyms,
            "weight": 1.0,
            "xrefs": [()] * len(names),
        }
    )


def _vocab_synonyms(table: pd.DataFrame) -> list[list[str]]:
    if "synonyms" not in table.columns:
        return [[] for _ in range(len(table))]
    return [[s for s in _SYNONYM_SEPARATORS.split(cell.strip()) if s] for cell in table["synonyms"]]


def _drop_duplicate_entities(entities: pd.DataFrame) -> pd.DataFrame:
    duplicated = entities.duplicated(["type", "id"])
    if duplicated.any():
        logger.warning(
            "iBKH: %d duplicate (type, primary) vocabulary rows dropped (first kept)", duplicated.sum()
        )
    return entities[~duplicated].reset_index(drop=True)


def _relation_file_types(path: Path) -> tuple[str, str] | None:
    """("drug", "disease") for D_Di_res.csv; None when the name is not X_Y[_res].csv."""
    parts = path.stem.removesuffix("_res").split("_")
    if len(parts) != 2 or not all(part in IBKH_ABBREVIATIONS for part in parts):
        return None
    return IBKH_ABBREVIATIONS[parts[0]], IBKH_ABBREVIATIONS[parts[1]]


def _read_ibkh_relations(
    path: Path, row_index: dict[str, pd.Index], offsets: dict[str, np.ndarray]
) -> pd.DataFrame | None:
    types = _relation_file_types(path)
    if types is None:
        if path.stem.endswith("_res"):
            raise KnowledgeGraphError(
                f"{path}: relation file names are <head>_<tail>_res.csv with abbreviations "
                f"{', '.join(sorted(IBKH_ABBREVIATIONS))}; rename it or remove it"
            )
        logger.warning("iBKH: %s is neither a vocabulary nor a relation file; skipped", path)
        return None
    missing = [t for t in types if t not in row_index]
    if missing:
        logger.warning("iBKH: %s skipped: no %s vocabulary loaded", path.name, " or ".join(missing))
        return None
    header = pd.read_csv(path, nrows=0).columns
    table = pd.read_csv(path, low_memory=False, dtype={c: str for c in header[:2]})
    if table.shape[1] < 2:
        raise KnowledgeGraphError(
            f"{path}: a relation file needs the head and tail ids as its first two columns "
            f"(e.g. Drug,Disease); found {list(table.columns)}"
        )
    heads = _rows_for(table.iloc[:, 0], types[0], row_index, offsets)
    tails = _rows_for(table.iloc[:, 1], types[1], row_index, offsets)
    known = (heads >= 0) & (tails >= 0)
    if not known.all():
        logger.warning(
            "iBKH: %s: %d of %d rows name ids missing from the vocabularies; dropped",
            path.name,
            (~known).sum(),
            len(table),
        )
    return _explode_relation_columns(table, heads, tails, known)


def _rows_for(
    ids: pd.Series, entity_type: str, row_index: dict[str, pd.Index], offsets: dict[str, np.ndarray]
) -> np.ndarray:
    positions = row_index[entity_type].get_indexer(ids.astype(str).str.strip())
    return np.where(positions >= 0, offsets[entity_type][positions], -1)


def _explode_relation_columns(
    table: pd.DataFrame, heads: np.ndarray, tails: np.ndarray, known: np.ndarray
) -> pd.DataFrame:
    binary = [
        c for c in table.columns[2:] if str(c).lower() not in _IBKH_METADATA_COLUMNS and _is_binary(table[c])
    ]
    if not binary:
        frame = pd.DataFrame({"head": heads[known], "relation": _DEFAULT_RELATION, "tail": tails[known]})
        return frame.drop_duplicates(ignore_index=True)
    frames = []
    for column in binary:
        selected = known & (table[column].to_numpy() == 1)
        frames.append(
            pd.DataFrame({"head": heads[selected], "relation": str(column), "tail": tails[selected]})
        )
    return pd.concat(frames, ignore_index=True).drop_duplicates(ignore_index=True)


def _is_binary(column: pd.Series) -> bool:
    if not pd.api.types.is_numeric_dtype(column):
        return False
    return bool(column.dropna().isin([0, 1]).all())


def _hash_files(root: Path, paths: Sequence[Path]) -> str:
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(str(path.relative_to(root)).encode() + b"\0")
        with path.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()
