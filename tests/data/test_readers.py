"""The readers of the real formats (on small hand-written fixtures in tests/fixtures/readers),
split folders, Hub schemas, label normalisation and the errors for bad input."""

import shutil

import datasets
import pytest

from clingen_hf.core.tasks import get_task
from clingen_hf.data.readers import (
    DataError,
    LabelError,
    normalise_label,
    read_conll,
    read_delimited,
    read_file,
    read_jsonl,
    read_pubtator_cdr,
    read_rqe_xml,
    read_split_folder,
    rows_from_hub,
    split_of,
)
from tests.paths import READER_FIXTURES

FIXTURES = READER_FIXTURES


def test_conll_reader_skips_docstart_and_keeps_tags():
    rows = read_conll(FIXTURES / "ncbi" / "train.tsv", get_task("ncbi-disease"))
    assert [row["tokens"][0] for row in rows] == ["Familial", "No", "Gout"]
    assert rows[2]["ner_tags"] == ["B-Disease", "O", "B-Disease", "O"]


def test_gad_tsv_without_header():
    rows = read_delimited(FIXTURES / "gad" / "train.tsv", get_task("gad"))
    assert [row["label"] for row in rows] == ["Has_relation", "No_relation", "Has_relation"]
    assert rows[1]["text"] == 'No association between @GENE$ and "late" @DISEASE$ was found.'


def test_chemprot_tsv_maps_cpr_groups_and_keeps_markers():
    rows = read_delimited(FIXTURES / "chemprot" / "train.tsv", get_task("chemprot"))
    assert [row["label"] for row in rows] == ["Upregulator", "Antagonist", "Product_of", "NOT"]
    assert rows[1]["text"] == "BC6ENTC, a selective BC6ENTG antagonist, did not bind BC6OTHER."


def test_cdr_pubtator_sentence_pairs():
    rows = read_pubtator_cdr(FIXTURES / "cdr" / "CDR_TrainingSet.PubTator.txt", get_task("cdr"))
    assert rows == [
        {"text": "@CHEMICAL$-induced @DISEASE$ in a child.", "label": "induce"},
        {"text": "A boy given @CHEMICAL$ developed @DISEASE$ and hearing loss.", "label": "induce"},
        {"text": "A boy given @CHEMICAL$ developed renal failure and @DISEASE$.", "label": "not_induce"},
        {"text": "@CHEMICAL$ did not prevent the @DISEASE$.", "label": "not_induce"},
        # one mention with the ids D014786|D006311: a pair for each, only D006311 is a CID relation
        {"text": "@DISEASE$ after @CHEMICAL$.", "label": "not_induce"},
        {"text": "@DISEASE$ after @CHEMICAL$.", "label": "induce"},
    ]  # the sentences with only a chemical, or a mention with id -1, give no pair


def test_rqe_xml_strips_whitespace():
    rows = read_rqe_xml(FIXTURES / "mediqa_rqe" / "RQE_Train_3_AMIA2016.xml", get_task("mediqa-rqe"))
    assert [row["label"] for row in rows] == ["Entail", "Not_entail", "Entail"]
    assert rows[1]["text"].startswith("My son is 6") and rows[1]["text"].endswith("ibuprofen?")
    assert rows[1]["text_pair"] == "What is the usual dose of metformin for an adult?"


def test_healthver_csv_claim_first_with_quoted_multiline_evidence():
    rows = read_file(FIXTURES / "healthver" / "healthver_dev.csv", get_task("healthver"))
    assert [row["label"] for row in rows] == ["Refute", "Support", "Unproven"]
    assert rows[0]["text"] == "Zinc cures COVID-19 in a day"
    assert rows[2]["text_pair"] == 'The "origin" of the virus is still debated;\nno study has settled it.'


def test_hoc_tsv_multi_labels_and_empty():
    rows = read_file(FIXTURES / "hoc" / "hoc_sentences_train.tsv", get_task("hoc"))
    assert [row["labels"] for row in rows] == [
        [], ["sustaining proliferative signaling"], ["resisting cell death", "avoiding immune destruction"]]
    assert rows[2]["text"] == 'Cells escaped apoptosis and "hid" from T cells .'


def test_mqp_csv_without_header():
    rows = read_file(FIXTURES / "mqp" / "mqp_train.csv", get_task("mqp"))
    assert [row["label"] for row in rows] == ["equivalent", "not_equivalent", "equivalent"]
    assert rows[0]["text_pair"] == "Is it safe to take paracetamol, or acetaminophen, when I have a cold?"


@pytest.mark.parametrize(
    "folder, task, sizes",
    [
        ("ncbi", "ncbi-disease", {"train": 3, "dev": 1}),
        ("gad", "gad", {"train": 3}),
        ("chemprot", "chemprot", {"train": 4, "dev": 2}),
        ("cdr", "cdr", {"train": 6, "dev": 2}),
        ("mediqa_rqe", "mediqa-rqe", {"train": 3}),
        ("healthver", "healthver", {"dev": 3}),
        ("hoc", "hoc", {"train": 3}),
        ("mqp", "mqp", {"train": 3}),
        ("mednli", "mednli", {"train": 3, "dev": 2}),
    ],
)
def test_split_folder_layouts(folder, task, sizes):
    splits = read_split_folder(FIXTURES / folder, get_task(task))
    assert {split: len(rows) for split, rows in splits.items()} == sizes


def test_generic_layout_jsonl_csv_parquet_json(tmp_path):
    shutil.copytree(FIXTURES / "mednli", tmp_path, dirs_exist_ok=True)
    features = datasets.Features({"premise": datasets.Value("string"), "hypothesis": datasets.Value("string"),
                                  "label": datasets.ClassLabel(names=["entailment", "neutral", "contradiction"])})
    datasets.Dataset.from_dict({"premise": ["a", "b"], "hypothesis": ["c", "d"], "label": [2, 1]},
                               features=features).to_parquet(str(tmp_path / "test.parquet"))
    splits = read_split_folder(tmp_path, get_task("mednli"))
    assert [row["label"] for row in splits["dev"]] == ["entail", "contradict"]
    assert [row["label"] for row in splits["test"]] == ["contradict", "neutral"]
    (tmp_path / "test.parquet").unlink()
    (tmp_path / "test.json").write_text('[{"text": "x", "text_pair": "y", "label": "Neutral"}]')
    assert read_split_folder(tmp_path, get_task("mednli"))["test"] == [{"text": "x", "text_pair": "y", "label": "neutral"}]


@pytest.mark.parametrize(
    "name, split",
    [("train.tsv", "train"), ("devel.tsv", "dev"), ("validation.jsonl", "dev"), ("test.parquet", "test"),
     ("healthver_dev.csv", "dev"), ("hoc_sentences_train.tsv", "train"), ("RQE_Train_8588_AMIA2016.xml", "train"),
     ("CDR_TrainingSet.PubTator.txt", "train"), ("CDR_DevelopmentSet.PubTator.txt", "dev"),
     ("CDR_TestSet.PubTator.txt", "test"), ("mqp_train.csv", "train"), ("README_CDR_Data.txt", None),
     ("LICENSE_GPL-3.0.txt", None)],
)
def test_split_of_file_names(name, split):
    assert split_of(name) == split


def test_two_files_for_one_split_is_an_error(tmp_path):
    (tmp_path / "train.tsv").write_text("a\t1\n")
    (tmp_path / "train.jsonl").write_text("{}\n")
    with pytest.raises(DataError, match="two train files, train.jsonl and train.tsv"):
        read_split_folder(tmp_path, get_task("gad"))


# --- Hub schemas ---------------------------------------------------------------------------


def test_hub_bigbio_text_schema_single_and_multi():
    litcovid = datasets.Dataset.from_dict({"id": ["1", "2"], "document_id": ["1", "2"], "text": ["a", "b"],
                                           "labels": [["treatment"], ["Case Report"]]})
    assert rows_from_hub(litcovid, get_task("litcovid")) == [{"text": "a", "label": "Treatment"},
                                                              {"text": "b", "label": "Case Report"}]
    hoc = datasets.Dataset.from_dict({"text": ["a", "b"], "labels": [["cellular energetics", "Inducing angiogenesis"], []]})
    assert [row["labels"] for row in rows_from_hub(hoc, get_task("hoc"))] == [
        ["cellular energetics", "inducing angiogenesis"], []]


def test_hub_single_label_task_refuses_several_labels():
    dataset = datasets.Dataset.from_dict({"text": ["a"], "labels": [["Treatment", "Diagnosis"]]})
    with pytest.raises(DataError, match=r"dataset\[0\]: 2 labels .* litcovid takes exactly one"):
        rows_from_hub(dataset, get_task("litcovid"))


def test_hub_bigbio_pairs_and_te_schemas():
    pairs = datasets.Dataset.from_dict({"id": ["1"], "document_id": ["1"], "text_1": ["q"], "text_2": ["f"],
                                        "label": ["True"]})
    assert rows_from_hub(pairs, get_task("mediqa-rqe")) == [{"text": "q", "text_pair": "f", "label": "Entail"}]
    te = datasets.Dataset.from_dict({"premise": ["p", "p"], "hypothesis": ["h", "k"],
                                     "label": ["entailment", "contradiction"]})
    assert [row["label"] for row in rows_from_hub(te, get_task("mediqa-nli"))] == ["entail", "contradict"]


def test_hub_classlabel_ids_become_names_and_unlabelled_rows_are_skipped():
    features = datasets.Features({"claim": datasets.Value("string"), "main_text": datasets.Value("string"),
                                  "label": datasets.ClassLabel(names=["false", "mixture", "true", "unproven"])})
    pubhealth = datasets.Dataset.from_dict({"claim": ["c1", "c2", "c3"], "main_text": ["m1", "m2", "m3"],
                                            "label": [0, -1, 2]}, features=features)
    assert rows_from_hub(pubhealth, get_task("pubhealth")) == [{"text": "c1", "text_pair": "m1", "label": "Refute"},
                                                                {"text": "c3", "text_pair": "m3", "label": "Support"}]


def test_hub_question_pairs_with_integer_labels_and_claim_evidence():
    mqp = datasets.Dataset.from_dict({"question1": ["a", "b"], "question2": ["c", "d"], "label": [1, 0]})
    assert [row["label"] for row in rows_from_hub(mqp, get_task("mqp"))] == ["equivalent", "not_equivalent"]
    healthver = datasets.Dataset.from_dict({"claim": ["c"], "evidence": ["e"], "label": ["SUPPORTS"]})
    assert rows_from_hub(healthver, get_task("healthver")) == [{"text": "c", "text_pair": "e", "label": "Support"}]
    gad = datasets.Dataset.from_dict({"sentence": ["s"], "label": ["0"]})
    assert rows_from_hub(gad, get_task("gad")) == [{"text": "s", "label": "No_relation"}]


def test_hub_token_schema_with_classlabel_tags():
    casi = get_task("casi")
    features = datasets.Features({"words": datasets.Sequence(datasets.Value("string")),
                                  "ner_tags": datasets.Sequence(casi.class_label())})
    dataset = datasets.Dataset.from_dict({"words": [["aspirin", "81", "mg"]], "ner_tags": [[1, 3, 4]]}, features=features)
    assert rows_from_hub(dataset, casi) == [{"tokens": ["aspirin", "81", "mg"],
                                             "ner_tags": ["B-Medication", "B-Dosage", "I-Dosage"]}]


def test_hub_missing_columns_are_named():
    dataset = datasets.Dataset.from_dict({"question": ["a"], "answer": ["b"]})
    with pytest.raises(DataError, match=r"no column for 'text' .*; 'text_pair' .*; 'label' .*found columns: question, answer"):
        rows_from_hub(dataset, get_task("mqp"), "some/dataset")


# --- labels --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value, task, name",
    [("Entailment", "mediqa-nli", "entail"), ("CONTRADICTION", "mednli", "contradict"), ("neutral", "mednli", "neutral"),
     ("Neutral", "healthver", "Unproven"), ("supports", "pubhealth", "Support"), ("mixture", "pubhealth", "Mixture"),
     ("true", "mediqa-rqe", "Entail"), (False, "mediqa-rqe", "Not_entail"), (1, "gad", "Has_relation"),
     ("0", "mqp", "not_equivalent"), ("CPR:9", "chemprot", "Product_of"), ("False", "chemprot", "NOT"),
     ("CID", "cdr", "induce"), (2, "ncbi-disease", "I-Disease"), (3, "litcovid", "Mechanism"),
     (" Treatment ", "litcovid", "Treatment")],
)
def test_normalise_label(value, task, name):
    assert normalise_label(value, get_task(task)) == name


def test_normalise_label_unknown():
    with pytest.raises(LabelError, match=r"'maybe' are not labels of gad; its labels are: Has_relation, No_relation"):
        normalise_label("maybe", get_task("gad"))
    with pytest.raises(LabelError):
        normalise_label(7, get_task("litcovid"))


def test_bad_labels_are_all_listed(tmp_path):
    path = tmp_path / "seeds.jsonl"
    path.write_text('{"text": "a", "label": "Has_relation"}\n{"text": "b", "label": "Causes"}\n'
                    '{"text": "c", "label": "Prevents"}\n{"text": "d", "label": "Causes"}\n')
    with pytest.raises(LabelError) as error:
        read_jsonl(path, get_task("gad"))
    assert error.value.labels == ["'Causes'", "'Prevents'"]
    message = str(error.value)
    assert f"'Causes' ({path}:2), 'Prevents' ({path}:3) are not labels of gad" in message
    assert "its labels are: Has_relation, No_relation" in message


def test_ner_tags_of_another_task_are_all_listed(tmp_path):
    path = tmp_path / "train.tsv"
    path.write_text("Aspirin\tB-Chemical\n\nfor\tO\nfever\tB-Symptom\n")
    with pytest.raises(LabelError, match=r"'B-Chemical' \(.*train.tsv:1\), 'B-Symptom' \(.*train.tsv:3\) are not labels"):
        read_conll(path, get_task("ncbi-disease"))


# --- malformed input ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, text, task, message",
    [
        ("bad.tsv", "Gout\tB-Disease\nflares O\n", "ncbi-disease", r"bad.tsv:2: expected 'token<TAB>tag'"),
        ("bad.jsonl", '{"text": "a", "label": "NOT"}\n{broken\n', "chemprot", r"bad.jsonl:2: not valid JSON"),
        ("bad.jsonl", '{"sentence": "a"}\n', "chemprot", r"bad.jsonl:1: no column for 'label'"),
        ("bad.jsonl", '["a", "b"]\n', "chemprot", r"bad.jsonl:1: expected a JSON object"),
        ("bad.jsonl", '{"tokens": ["a", "b"], "ner_tags": ["O"]}\n', "ncbi-disease", r"bad.jsonl:1: 2 tokens but 1 tags"),
        ("train.tsv", "sentence\tlabel\nBC6ENTC binds BC6ENTG.\tCPR:5\nno label here\n", "chemprot",
         r"train.tsv:3: expected 2 fields \(sentence, label\), got 1"),
        ("train.tsv", "a\tb\tc\n", "gad", r"train.tsv:1: no header and 3 columns"),
        ("pairs.csv", 'text,text_pair,label\na,"b,1\n', "mqp", r"pairs.csv:\d+: (malformed CSV|expected 3 fields)"),
        ("doc.PubTator.txt", "1|t|Aspirin and fever.\n1\t0\t7\tAspirin\tChemical\n", "cdr",
         r"doc.PubTator.txt:2: expected a 'PMID\|t\|'"),
        ("doc.PubTator.txt", "1|t|Aspirin and fever.\n1\t0\t6\tAspirin\tChemical\tD001241\n", "cdr",
         r"doc.PubTator.txt:2: mention 'Aspirin' is not the document text at 0-6"),
        ("doc.PubTator.txt", "1|t|Aspirin.\n2|a|Fever.\n", "cdr", r"doc.PubTator.txt:2: PMID 2 inside document 1"),
        ("rqe.xml", "<pairs>\n<pair value='true'><chq>a</chq>\n</pairs>\n", "mediqa-rqe", r"rqe.xml:3: not well-formed XML"),
        ("rqe.xml", "<pairs><pair pid='7' value='true'><chq>a</chq></pair></pairs>", "mediqa-rqe",
         r"rqe.xml pair 7: a <pair> needs a value attribute, a <chq> and a <faq>"),
        ("seeds.txt", "some text\n", "gad", r"seeds.txt: cannot read a .txt file for gad"),
        ("bad.json", '[{"text": "a", ', "gad", r"bad.json: cannot read it \(ValueError"),
    ],
)
def test_malformed_input_names_file_and_line(name, text, task, message, tmp_path):
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(DataError, match=message):
        read_file(path, get_task(task))


def test_missing_and_non_utf8_files(tmp_path):
    with pytest.raises(DataError, match="nope.tsv: file not found"):
        read_file(tmp_path / "nope.tsv", get_task("gad"))
    path = tmp_path / "latin.tsv"
    path.write_bytes("caf\xe9\t1\n".encode("latin-1"))
    with pytest.raises(DataError, match="latin.tsv: not UTF-8 text"):
        read_file(path, get_task("gad"))


def test_label_error_lists_many_labels_then_counts(tmp_path):
    path = tmp_path / "train.tsv"
    path.write_text("".join(f"sentence {i}\tlabel{i}\n" for i in range(60)))
    with pytest.raises(LabelError) as error:
        read_file(path, get_task("gad"))
    assert len(error.value.labels) == 60
    assert f"'label49' ({path}:50) and 10 more are not labels of gad" in str(error.value)
