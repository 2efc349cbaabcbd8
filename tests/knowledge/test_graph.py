"""KnowledgeGraph: construction, iBKH loading (tiny fixture CSVs), sampling, cache."""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

import pytest

from clingen_hf.knowledge.entities import (
    Entity,
    KnowledgeGraphError,
    Relation,
    RelationType,
)
from clingen_hf.knowledge.graph import KnowledgeGraph
from clingen_hf.knowledge.names import natural_name

FIXTURE = Path(__file__).parent / "fixtures" / "ibkh"


@pytest.fixture(scope="module")
def ibkh() -> KnowledgeGraph:
    return KnowledgeGraph.from_ibkh(FIXTURE)


def small_graph() -> KnowledgeGraph:
    entities = [
        Entity("D1", "asthma", "disease", weight=1.0),
        Entity("D2", "gout", "disease", weight=1.0),
        Entity("D3", "migraine", "disease", weight=98.0),
        Entity("X1", "ibuprofen", "drug"),
        Entity("X2", "allopurinol", "drug"),
    ]
    relations = [
        Relation("X1", "treats", "D3"),
        Relation("X2", "treats", "D2"),
        Relation("X2", "prevents", "D2"),
        Relation("X1", "causes", "D1"),
    ]
    return KnowledgeGraph(entities, relations, source="test", version="1")


# --------------------------------------------------------------------------- natural_name


@pytest.mark.parametrize(
    ("name", "synonyms", "expected"),
    [
        (
            "Anemia, Sickle Cell",
            ["anemias, sickle cell", "hbs disease", "sickle cell anemia"],
            "Sickle Cell Anemia",
        ),
        ("Neoplasms, Adnexal and Skin Appendage", [], "Adnexal and Skin Appendage Neoplasms"),
        ("Leukemia, Myeloid, Acute", ["anll", "acute myeloid leukemia"], "Acute Myeloid Leukemia"),
        ("Rhinitis, Allergic, Perennial", [], "Perennial Allergic Rhinitis"),
        ("Diabetes Mellitus, Type 2", ["niddm", "type 2 diabetes mellitus"], "Type 2 Diabetes Mellitus"),
        ("Psychology, Educational", ["educational psychologies"], "Educational Psychology"),
        ("Deafness, autosomal dominant", [], "Autosomal dominant deafness"),
        ("HIV Infections", ["infections, hiv"], "HIV Infections"),
        ("Abacavir, Dolutegravir, and Lamivudine", [], "Abacavir, Dolutegravir, and Lamivudine"),
        ("Doxepin (Depression, Anxiety)", [], "Doxepin (Depression, Anxiety)"),
        ("2,4-Dichlorophenoxyacetic Acid", [], "2,4-Dichlorophenoxyacetic Acid"),
        ("Pseudohyperkalemia, 2", [], "Pseudohyperkalemia 2"),
        ("  Epoetin   Alfa,", [], "Epoetin Alfa"),
    ],
)
def test_natural_name(name: str, synonyms: list[str], expected: str) -> None:
    assert natural_name(name, synonyms) == expected


# --------------------------------------------------------------------------- construction


def test_graph_from_objects_round_trips_entities_and_relations() -> None:
    graph = small_graph()
    assert graph.entity_types() == ["disease", "drug"]
    assert (graph.count("disease"), graph.count("drug"), graph.count("gene")) == (3, 2, 0)
    assert graph.entity("X2") == Entity("X2", "allopurinol", "drug")
    assert graph.relations()[0] == Relation("X1", "treats", "D3")
    assert graph.relation_types() == [
        RelationType("drug", "causes", "disease"),
        RelationType("drug", "prevents", "disease"),
        RelationType("drug", "treats", "disease"),
    ]


@pytest.mark.parametrize(
    ("entities", "relations", "message"),
    [
        ([Entity("A", "a", "disease"), Entity("A", "b", "disease")], [], "duplicate entity"),
        ([Entity("A", "a", "disease")], [Relation("A", "r", "B")], "'B' is unknown"),
        (
            [Entity("A", "a", "disease"), Entity("A", "a", "drug")],
            [Relation("A", "r", "A")],
            "different types",
        ),
        ([Entity("A", "a", "disease", weight=0.0)], [], "weights must be > 0"),
        ([Entity("A", "", "disease")], [], "non-empty name"),
    ],
)
def test_invalid_graphs_are_rejected(entities: list[Entity], relations: list[Relation], message: str) -> None:
    with pytest.raises(KnowledgeGraphError, match=message):
        KnowledgeGraph(entities, relations)


def test_same_id_in_two_types_needs_the_type_to_look_up() -> None:
    graph = KnowledgeGraph([Entity("MESH:D1", "fever", "symptom"), Entity("MESH:D1", "fever", "disease")])
    assert graph.entity("MESH:D1", "symptom").type == "symptom"
    with pytest.raises(KeyError, match="ambiguous"):
        graph.entity("MESH:D1")


# --------------------------------------------------------------------------- iBKH


def test_ibkh_entities_types_and_names(ibkh: KnowledgeGraph) -> None:
    assert ibkh.entity_types() == ["disease", "drug", "gene", "symptom"]
    assert {t: ibkh.count(t) for t in ibkh.entity_types()} == {
        "disease": 6,
        "drug": 5,
        "gene": 4,
        "symptom": 5,
    }
    assert ibkh.entity("HGNC:1100").name == "BRCA1"  # gene_vocab names genes in `symbol`
    sickle = ibkh.entity("DOID:10923")
    assert (sickle.name, sickle.synonyms) == ("Sickle Cell Anemia", ("Anemia, Sickle Cell",))
    assert ibkh.entity("MESH:D010146").name == "Chronic Pain"


def test_ibkh_relations_expand_binary_columns(ibkh: KnowledgeGraph) -> None:
    donepezil = [r for r in ibkh.relations() if r.head_id == "DrugBank:DB00843"]
    assert sorted(r.relation for r in donepezil) == ["Associate", "Effect", "Treats"]
    assert RelationType("disease", "associated_with", "symptom") in ibkh.relation_types()  # no binary columns
    assert RelationType("disease", "Upregulates", "gene") in ibkh.relation_types()
    assert not any(r.relation in {"Source", "Inference_Score"} for r in ibkh.relations())
    assert ibkh.num_relations == 19


def test_ibkh_weight_is_one_plus_degree(ibkh: KnowledgeGraph) -> None:
    assert ibkh.entity("DrugBank:DB00843").weight == 4.0  # three relations to Alzheimer's disease
    assert ibkh.entity("MESH:D003371").weight == 1.0  # cough: no relations


def test_ibkh_rows_with_unknown_ids_are_dropped_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        graph = KnowledgeGraph.from_ibkh(FIXTURE)
    assert "D_Di_res.csv: 1 of 7 rows" in caplog.text
    assert not any("DB99999" in r.head_id for r in graph.relations())


def test_ibkh_source_and_version_follow_the_content(tmp_path: Path, ibkh: KnowledgeGraph) -> None:
    copy = tmp_path / "ibkh"
    shutil.copytree(FIXTURE, copy)
    assert KnowledgeGraph.from_ibkh(copy).version == ibkh.version
    assert ibkh.source == f"iBKH:{FIXTURE.resolve()}" and ibkh.version.startswith("sha256:")
    vocab = copy / "entity" / "drug_vocab.csv"
    vocab.write_text(vocab.read_text().replace("Metformin", "Metformin hydrochloride"))
    assert KnowledgeGraph.from_ibkh(copy).version != ibkh.version


def test_ibkh_flat_layout_loads_the_same_graph(tmp_path: Path, ibkh: KnowledgeGraph) -> None:
    for path in FIXTURE.rglob("*.csv"):
        shutil.copy(path, tmp_path / path.name)
    flat = KnowledgeGraph.from_ibkh(tmp_path)
    assert flat.entities() == ibkh.entities() and flat.relations() == ibkh.relations()


def test_ibkh_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeGraphError, match=r"does not exist.*download"):
        KnowledgeGraph.from_ibkh(tmp_path / "nowhere")


def test_ibkh_without_vocabulary(tmp_path: Path) -> None:
    shutil.copy(FIXTURE / "relation" / "D_Di_res.csv", tmp_path)
    with pytest.raises(KnowledgeGraphError, match=r"no iBKH vocabulary file \(\*_vocab.csv"):
        KnowledgeGraph.from_ibkh(tmp_path)


def test_ibkh_vocabulary_missing_columns(tmp_path: Path) -> None:
    (tmp_path / "disease_vocab.csv").write_text("id,label\nDOID:1,flu\n")
    with pytest.raises(KnowledgeGraphError, match=r"disease_vocab.csv: .*'primary'.*found \['id', 'label'\]"):
        KnowledgeGraph.from_ibkh(tmp_path)


def test_ibkh_relation_file_with_one_column(tmp_path: Path) -> None:
    shutil.copy(FIXTURE / "entity" / "disease_vocab.csv", tmp_path)
    shutil.copy(FIXTURE / "entity" / "drug_vocab.csv", tmp_path)
    (tmp_path / "D_Di_res.csv").write_text("Drug\nDrugBank:DB00843\n")
    with pytest.raises(
        KnowledgeGraphError, match=r"D_Di_res\.csv: a relation file needs the head and tail ids"
    ):
        KnowledgeGraph.from_ibkh(tmp_path)


def test_ibkh_relation_file_with_unknown_abbreviation(tmp_path: Path) -> None:
    shutil.copy(FIXTURE / "entity" / "disease_vocab.csv", tmp_path)
    (tmp_path / "Q_Di_res.csv").write_text("Q,Disease\nq1,DOID:10652\n")
    with pytest.raises(
        KnowledgeGraphError, match=r"Q_Di_res\.csv: relation file names are <head>_<tail>_res\.csv"
    ):
        KnowledgeGraph.from_ibkh(tmp_path)


# --------------------------------------------------------------------------- sampling


def test_sample_entities_is_deterministic_and_distinct_while_possible(ibkh: KnowledgeGraph) -> None:
    first = ibkh.sample_entities("disease", 6, seed=7)
    assert first == ibkh.sample_entities("disease", 6, seed=7)
    assert sorted(first) == sorted(e.name for e in ibkh.entities("disease"))
    assert len({tuple(ibkh.sample_entities("disease", 6, seed=s)) for s in range(10)}) > 1


def test_sample_entities_continues_with_replacement(ibkh: KnowledgeGraph) -> None:
    names = ibkh.sample_entities("drug", 12, seed=1)
    assert len(names) == 12 and len(set(names[:5])) == 5
    assert set(names[5:]) <= set(names[:5])
    assert ibkh.sample_entities("drug", 0, seed=1) == []
    with pytest.raises(ValueError, match="k must be >= 0"):
        ibkh.sample_entities("drug", -1, seed=1)


def test_sample_entities_unknown_type_lists_available_types(ibkh: KnowledgeGraph) -> None:
    with pytest.raises(
        KnowledgeGraphError,
        match="no entities of type 'pathway'; available types: disease, drug, gene, symptom",
    ):
        ibkh.sample_entities("pathway", 3, seed=0)


def test_weighted_sampling_follows_weights() -> None:
    graph = small_graph()
    firsts = [graph.sample_entities("disease", 1, seed=s, weighted=True)[0] for s in range(200)]
    assert firsts.count("migraine") > 180  # weight 98 of 100
    assert graph.sample_entities("disease", 3, seed=3, weighted=True) == graph.sample_entities(
        "disease", 3, seed=3, weighted=True
    )
    assert sorted(graph.sample_entities("disease", 3, seed=3, weighted=True)) == [
        "asthma",
        "gout",
        "migraine",
    ]


def test_sample_relation_pairs(ibkh: KnowledgeGraph) -> None:
    pairs = ibkh.sample_relation_pairs("drug", "disease", 6, seed=0)
    assert pairs == ibkh.sample_relation_pairs("drug", "disease", 6, seed=0)
    assert len(set(pairs)) == 6  # Donepezil-AD counted once despite three relation types
    assert ("Donepezil", "alzheimer's disease") in pairs
    treats = ibkh.sample_relation_pairs("drug", "disease", 3, seed=0, relation="Treats")
    assert sorted(treats) == [
        ("Donepezil", "alzheimer's disease"),
        ("Lisinopril", "hypertension"),
        ("Metformin", "type 2 diabetes mellitus"),
    ]
    assert len(ibkh.sample_relation_pairs("disease", "symptom", 9, seed=2, weighted=True)) == 9


def test_sample_relation_pairs_without_such_relations(ibkh: KnowledgeGraph) -> None:
    with pytest.raises(
        KnowledgeGraphError,
        match=r"no relations \(disease, any relation, drug\).*available: .*\(drug, Treats, disease\)",
    ):
        ibkh.sample_relation_pairs("disease", "drug", 2, seed=0)


# --------------------------------------------------------------------------- cache


def test_cache_round_trip(tmp_path: Path, ibkh: KnowledgeGraph) -> None:
    ibkh.to_cache(tmp_path / "kg")
    loaded = KnowledgeGraph.from_cache(tmp_path / "kg")
    assert loaded == ibkh
    assert loaded.sample_entities("symptom", 4, seed=5, weighted=True) == ibkh.sample_entities(
        "symptom", 4, seed=5, weighted=True
    )
    meta = json.loads((tmp_path / "kg" / "meta.json").read_text())
    assert meta["entities"]["drug"] == 5 and meta["version"] == ibkh.version


def test_from_cache_rejects_what_is_not_a_cache(tmp_path: Path, ibkh: KnowledgeGraph) -> None:
    with pytest.raises(KnowledgeGraphError, match=r"no meta\.json"):
        KnowledgeGraph.from_cache(tmp_path)
    ibkh.to_cache(tmp_path)
    meta = json.loads((tmp_path / "meta.json").read_text())
    (tmp_path / "meta.json").write_text(json.dumps({**meta, "format": 999}))
    with pytest.raises(KnowledgeGraphError, match="cache format 999"):
        KnowledgeGraph.from_cache(tmp_path)
