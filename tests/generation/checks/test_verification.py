from clingen_hf.generation.checks.verification import (
    EntityLinker,
    normalise,
    verify_tags,
)
from clingen_hf.knowledge.entities import Entity
from clingen_hf.knowledge.graph import KnowledgeGraph

KG = KnowledgeGraph([
    Entity(id="D1", name="Cystic Fibrosis", type="disease", synonyms=("mucoviscidosis",)),
    Entity(id="D2", name="Asthma", type="disease"),
    Entity(id="D3", name="Type 2 Diabetes Mellitus", type="disease", synonyms=("type 2 diabetes",)),
    Entity(id="S1", name="Fever", type="symptom"),
    Entity(id="C1", name="Aspirin", type="drug"),
])
LINKER = EntityLinker(KG, ("disease",))


def tag(tokens, spans):
    tags = ["O"] * len(tokens)
    for start, end in spans:
        tags[start:end] = ["B-Disease"] + ["I-Disease"] * (end - start - 1)
    return tags


def test_linking_exact_normalised_and_synonym():
    assert LINKER.link("Asthma") == ("D2", "exact")
    assert LINKER.link("cystic fibrosis") == ("D1", "normalised")
    assert LINKER.link("Mucoviscidosis") == ("D1", "synonym")
    assert LINKER.link("type-2 diabetes") == ("D3", "synonym")
    assert LINKER.link("fever") is None and LINKER.link("aspirin") is None  # other types do not link
    assert normalise("Asthmas") == "asthma" and normalise("glass") == "glass"


def test_fuzzy_linking_takes_the_most_similar_name_above_the_threshold():
    fuzzy = EntityLinker(KG, ("disease",), fuzzy_ratio=0.9)
    assert LINKER.link("cystic fibrosys") is None  # off by default
    assert fuzzy.link("cystic fibrosys") == ("D1", "fuzzy")
    assert fuzzy.link("Mucovisidosis") == ("D1", "fuzzy")  # synonyms count too
    assert fuzzy.link("asthma") == ("D2", "normalised")  # exact, normalised and synonym matches come first
    assert fuzzy.link("asthmatic bronchitis") is None and fuzzy.link("fevers") is None
    assert EntityLinker(KG, ("disease",), fuzzy_ratio=0.5).link("asthmatic") == ("D2", "fuzzy")
    assert fuzzy.link("cystic fibrosys", fuzzy=False) is None


def test_fuzzy_ratio_outside_zero_to_one_is_refused():
    import pytest

    for ratio in (0, 1.5, -0.2):
        with pytest.raises(ValueError, match="fuzzy_ratio must be in"):
            EntityLinker(KG, ("disease",), fuzzy_ratio=ratio)


def test_fuzzy_links_are_kept_but_never_added():
    fuzzy = EntityLinker(KG, ("disease",), fuzzy_ratio=0.9)
    tokens = "Cystic fibrosys and astma were seen .".split()
    kept, decisions = verify_tags(tokens, tag(tokens, [(0, 2)]), fuzzy, "Disease", add_missing=True)
    assert kept == tag(tokens, [(0, 2)])  # "astma" is near "asthma" but stays unlabelled
    assert [(d.text, d.action, d.entity_id, d.match) for d in decisions] == [("Cystic fibrosys", "kept", "D1", "fuzzy")]


def test_unlinked_spans_are_removed_or_flagged():
    tokens = "Fever and asthma worsened after aspirin .".split()
    tags = tag(tokens, [(0, 1), (2, 3), (5, 6)])  # the LLM labelled a symptom and a drug as diseases
    removed, decisions = verify_tags(tokens, tags, LINKER, "Disease", policy="remove")
    assert removed == tag(tokens, [(2, 3)])
    assert [(d.text, d.action, d.entity_id) for d in decisions] == [
        ("Fever", "removed", None), ("asthma", "kept", "D2"), ("aspirin", "removed", None)]
    flagged, decisions = verify_tags(tokens, tags, LINKER, "Disease", policy="flag")
    assert flagged == tags and [d.action for d in decisions] == ["unlinked", "kept", "unlinked"]


def test_unlabelled_kg_mentions_are_added_longest_first():
    tokens = "Children with cystic fibrosis and type 2 diabetes were asthma free .".split()
    tags = tag(tokens, [(9, 10)])
    added, decisions = verify_tags(tokens, tags, LINKER, "Disease", add_missing=True)
    assert added == tag(tokens, [(2, 4), (5, 8), (9, 10)])
    assert [(d.text, d.action, d.match) for d in decisions] == [
        ("asthma", "kept", "normalised"), ("cystic fibrosis", "added", "normalised"), ("type 2 diabetes", "added", "synonym")]


def test_sentence_without_labels_gets_only_additions():
    tokens = "No sign of asthma .".split()
    added, decisions = verify_tags(tokens, ["O"] * 5, LINKER, "Disease", add_missing=True)
    assert added == ["O", "O", "O", "B-Disease", "O"] and decisions[0].action == "added"
    untouched, none = verify_tags(tokens, ["O"] * 5, LINKER, "Disease")
    assert untouched == ["O"] * 5 and none == []


def test_spans_made_of_style_words_are_removed():
    from clingen_hf.generation.checks.verification import remove_style_words

    tokens = ["The", "hematologist", "reported", "sickle", "cell", "anemia", "."]
    tags = ["O", "B-Disease", "O", "B-Disease", "I-Disease", "I-Disease", "O"]
    new_tags, decisions = remove_style_words(tokens, tags, "case report by a hematologist")
    assert new_tags == ["O", "O", "O", "B-Disease", "I-Disease", "I-Disease", "O"]
    assert [(d.text, d.action, d.source) for d in decisions] == [("hematologist", "removed", "style")]
    assert remove_style_words(tokens, tags, None) == (tags, [])
