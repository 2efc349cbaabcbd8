import os

os.environ.setdefault("HF_EVALUATE_OFFLINE", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

import json  # noqa: E402
import random  # noqa: E402
import re  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

import evaluate  # noqa: E402
import pytest  # noqa: E402
from sklearn import metrics as sklearn_metrics  # noqa: E402  (scikit-learn is a dependency)

from clingen_hf.core.metrics import (  # noqa: E402
    METRIC_NAMES,
    METRICS_DIR,
    flatten_metrics,
    load_metric,
    metric_path,
)
from tests.paths import REPO_ROOT

REPO_ROOT = REPO_ROOT


@pytest.fixture(scope="module")
def seqeval_f1():
    return evaluate.load(metric_path("seqeval_f1"))


@pytest.fixture(scope="module")
def accuracy():
    return evaluate.load(metric_path("accuracy"))


@pytest.fixture(scope="module")
def multilabel_f1():
    return evaluate.load(metric_path("multilabel_f1"))


# --- the package --------------------------------------------------------------------------


def test_metric_paths_are_absolute_files():
    assert set(METRIC_NAMES) == {"seqeval_f1", "accuracy", "multilabel_f1"}
    for name in METRIC_NAMES:
        path = Path(metric_path(name))
        assert path.is_absolute() and path.is_file() and path.parent == METRICS_DIR
    with pytest.raises(ValueError, match="unknown metric"):
        metric_path("seqeval")


@pytest.mark.parametrize("name", ["seqeval_f1", "accuracy", "multilabel_f1"])
def test_modules_are_self_contained(name):
    # evaluate copies the file alone into its cache, and its import scanner misreads
    # several modules imported on one line.
    source = Path(metric_path(name)).read_text(encoding="utf-8")
    assert "clingen_hf" not in re.findall(r"^(?:from|import)\s+(\S+)", source, flags=re.M)
    assert not re.search(r"^from\s+\.", source, flags=re.M)
    assert not re.search(r"^import\s+[^#\n]*,", source, flags=re.M)


def test_load_metric_returns_evaluation_module():
    metric = load_metric("accuracy")
    assert isinstance(metric, evaluate.EvaluationModule)
    assert metric.compute(predictions=[1, 0], references=[1, 1])["accuracy"] == 0.5


def test_loads_offline_in_a_fresh_process(tmp_path):
    script = (
        "import json\n"
        "from clingen_hf.core.metrics import load_metric\n"
        "out = {\n"
        " 'ner': load_metric('seqeval_f1').compute(predictions=[['B-D', 'O']], references=[['B-D', 'O']]),\n"
        " 'acc': load_metric('accuracy').compute(predictions=[0, 1], references=[0, 0]),\n"
        " 'ml': load_metric('multilabel_f1').compute(predictions=[[1, 0]], references=[[1, 1]]),\n"
        "}\n"
        "print(json.dumps(out))\n"
    )
    env = dict(os.environ)
    env.update(
        HF_EVALUATE_OFFLINE="1",
        HF_HUB_OFFLINE="1",
        HF_MODULES_CACHE=str(tmp_path / "modules"),
        HF_HOME=str(tmp_path / "hf_home"),
        PYTHONPATH=os.pathsep.join([str(REPO_ROOT), env.get("PYTHONPATH", "")]),
    )
    proc = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=240
    )
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert out["ner"]["f1"] == 1.0
    assert out["acc"]["accuracy"] == 0.5
    assert out["ml"]["micro_recall"] == 0.5
    assert (tmp_path / "modules").is_dir()


# --- seqeval_f1 ---------------------------------------------------------------------------

NER_REFERENCES = [
    ["B-Disease", "I-Disease", "O", "B-Chemical", "O"],
    ["O", "B-Disease", "I-Disease", "I-Disease"],
    ["B-Chemical", "O", "O"],
]
NER_PREDICTIONS = [
    ["B-Disease", "I-Disease", "O", "B-Chemical", "O"],  # both entities exact
    ["O", "B-Disease", "I-Disease", "O"],  # span too short: a miss (FP + FN) in strict mode
    ["I-Chemical", "O", "B-Disease"],  # I- without B- is no entity; B-Disease is a FP
]


def test_seqeval_strict_iob2_numbers(seqeval_f1):
    result = seqeval_f1.compute(predictions=NER_PREDICTIONS, references=NER_REFERENCES)
    assert set(result) == {"precision", "recall", "f1", "accuracy", "per_type"}
    # 4 reference entities, 4 predicted (Disease x3, Chemical x1), 2 exact matches.
    assert result["precision"] == pytest.approx(0.5)
    assert result["recall"] == pytest.approx(0.5)
    assert result["f1"] == pytest.approx(0.5)
    assert result["accuracy"] == pytest.approx(9 / 12)
    assert result["per_type"] == {
        "Chemical": {"precision": pytest.approx(1.0), "recall": pytest.approx(0.5), "f1": pytest.approx(2 / 3), "support": 2},
        "Disease": {"precision": pytest.approx(1 / 3), "recall": pytest.approx(0.5), "f1": pytest.approx(0.4), "support": 2},
    }


def test_seqeval_lenient_mode_would_differ():
    # Guards the fixture: default (conlleval) mode counts the bare I-Chemical as a hit.
    from seqeval.metrics import f1_score

    assert f1_score(NER_REFERENCES, NER_PREDICTIONS) == pytest.approx(2 * (3 / 5) * (3 / 4) / (3 / 5 + 3 / 4))


def test_seqeval_matches_seqeval_strict_on_random_tags(seqeval_f1):
    from seqeval.metrics import (
        classification_report,
        f1_score,
        precision_score,
        recall_score,
    )
    from seqeval.scheme import IOB2

    rng = random.Random(13)
    tags = ["O", "O", "O", "B-A", "I-A", "B-B", "I-B"]
    refs = [[rng.choice(tags) for _ in range(rng.randint(1, 12))] for _ in range(60)]
    preds = [[tag if rng.random() < 0.7 else rng.choice(tags) for tag in ref] for ref in refs]
    result = seqeval_f1.compute(predictions=preds, references=refs)
    strict = dict(mode="strict", scheme=IOB2, zero_division=0)
    assert result["precision"] == pytest.approx(precision_score(refs, preds, **strict))
    assert result["recall"] == pytest.approx(recall_score(refs, preds, **strict))
    assert result["f1"] == pytest.approx(f1_score(refs, preds, **strict))
    report = classification_report(refs, preds, output_dict=True, **strict)
    for type_name in ("A", "B"):
        for key in ("precision", "recall", "f1"):
            assert result["per_type"][type_name][key] == pytest.approx(report[type_name][f"{key}-score" if key == "f1" else key])
        assert result["per_type"][type_name]["support"] == report[type_name]["support"]


@pytest.mark.filterwarnings("error::RuntimeWarning")
def test_seqeval_all_o_is_zero_not_nan(seqeval_f1):
    result = seqeval_f1.compute(predictions=[["O", "O"], ["O"]], references=[["O", "O"], ["O"]])
    assert result == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "accuracy": 1.0, "per_type": {}}


@pytest.mark.filterwarnings("error::RuntimeWarning")
def test_seqeval_prediction_only_type_has_zero_support(seqeval_f1):
    result = seqeval_f1.compute(predictions=[["B-Disease", "O"]], references=[["O", "O"]])
    assert (result["precision"], result["recall"], result["f1"], result["accuracy"]) == (0.0, 0.0, 0.0, 0.5)
    assert result["per_type"] == {"Disease": {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 0}}


def test_seqeval_rejects_bad_input(seqeval_f1):
    with pytest.raises(ValueError, match="not an IOB2 tag"):
        seqeval_f1.compute(predictions=[["Disease"]], references=[["O"]])
    with pytest.raises(ValueError, match="sentence 0"):
        seqeval_f1.compute(predictions=[["O"]], references=[["O", "O"]])


def test_flatten_metrics_for_trainer(seqeval_f1):
    flat = flatten_metrics(seqeval_f1.compute(predictions=NER_PREDICTIONS, references=NER_REFERENCES))
    assert flat["f1"] == pytest.approx(0.5)
    assert flat["Disease_f1"] == pytest.approx(0.4)
    assert flat["Chemical_support"] == 2
    assert all(not isinstance(value, dict) for value in flat.values())


# --- accuracy -----------------------------------------------------------------------------

CLS_REFERENCES = [0, 0, 0, 0, 1, 1, 2, 2]
CLS_PREDICTIONS = [0, 0, 0, 1, 1, 2, 2, 2]


def test_accuracy_and_macro_f1(accuracy):
    result = accuracy.compute(predictions=CLS_PREDICTIONS, references=CLS_REFERENCES)
    assert set(result) == {"accuracy", "macro_f1", "micro_f1"}
    assert result["accuracy"] == pytest.approx(6 / 8)
    # per-class F1: 0 -> 6/7, 1 -> 1/2, 2 -> 4/5
    assert result["macro_f1"] == pytest.approx(151 / 210)
    assert result["micro_f1"] == pytest.approx(6 / 8)


def test_accuracy_macro_f1_over_given_labels(accuracy):
    # Class 3 never occurs: with labels given it counts as F1 0.
    result = accuracy.compute(predictions=CLS_PREDICTIONS, references=CLS_REFERENCES, labels=[0, 1, 2, 3])
    assert result["macro_f1"] == pytest.approx(151 / 280)


def test_accuracy_matches_sklearn(accuracy):
    rng = random.Random(3)
    refs = [rng.randrange(4) for _ in range(100)]
    preds = [ref if rng.random() < 0.6 else rng.randrange(5) for ref in refs]
    result = accuracy.compute(predictions=preds, references=refs)
    assert result["accuracy"] == pytest.approx(sklearn_metrics.accuracy_score(refs, preds))
    assert result["macro_f1"] == pytest.approx(sklearn_metrics.f1_score(refs, preds, average="macro", zero_division=0))
    assert result["micro_f1"] == pytest.approx(sklearn_metrics.f1_score(refs, preds, average="micro", zero_division=0))


# --- multilabel_f1 ------------------------------------------------------------------------

ML_REFERENCES = [[1, 0, 0, 0], [1, 0, 0, 0], [1, 1, 0, 0], [1, 0, 1, 0]]
ML_PREDICTIONS = [[1, 0, 0, 0], [1, 0, 0, 0], [1, 0, 0, 0], [1, 0, 0, 0]]


def test_multilabel_micro_and_macro_differ_on_imbalanced_labels(multilabel_f1):
    result = multilabel_f1.compute(predictions=ML_PREDICTIONS, references=ML_REFERENCES)
    assert set(result) == {"micro_f1", "macro_f1", "micro_precision", "micro_recall", "subset_accuracy"}
    # tp=4, fp=0, fn=2 pooled; per label F1 = 1, 0, 0; label 3 never occurs and is left out.
    assert result["micro_precision"] == pytest.approx(1.0)
    assert result["micro_recall"] == pytest.approx(4 / 6)
    assert result["micro_f1"] == pytest.approx(0.8)
    assert result["macro_f1"] == pytest.approx(1 / 3)
    assert result["subset_accuracy"] == pytest.approx(0.5)


def test_multilabel_label_only_predicted_counts_in_macro(multilabel_f1):
    preds = [row[:3] + [1] for row in ML_PREDICTIONS[:1]] + ML_PREDICTIONS[1:]
    result = multilabel_f1.compute(predictions=preds, references=ML_REFERENCES)
    assert result["macro_f1"] == pytest.approx(1 / 4)
    assert result["micro_precision"] == pytest.approx(4 / 5)
    assert result["subset_accuracy"] == pytest.approx(0.25)


@pytest.mark.filterwarnings("error::RuntimeWarning")
def test_multilabel_all_zero(multilabel_f1):
    result = multilabel_f1.compute(predictions=[[0, 0], [0, 0]], references=[[0, 0], [0, 0]])
    assert result == {"micro_f1": 0.0, "macro_f1": 0.0, "micro_precision": 0.0, "micro_recall": 0.0, "subset_accuracy": 1.0}


def test_multilabel_rejects_bad_input(multilabel_f1):
    with pytest.raises(ValueError, match="0 or 1"):
        multilabel_f1.compute(predictions=[[2, 0]], references=[[1, 0]])
    with pytest.raises(ValueError, match="different lengths"):
        multilabel_f1.compute(predictions=[[1, 0], [1]], references=[[1, 0], [1, 0]])


def test_relation_scores_leave_the_negative_class_out():
    metric = load_metric("accuracy")
    # classes: 0 Upregulator, 1 Agonist, 2 NOT (negative)
    references = [0, 0, 1, 2, 2, 2]
    predictions = [0, 1, 2, 2, 0, 2]
    scores = metric.compute(predictions=predictions, references=references, negative_label=2)
    # predicted relations: rows 0, 1, 4 (one correct); gold relations: rows 0, 1, 2
    assert scores["precision"] == pytest.approx(1 / 3)
    assert scores["recall"] == pytest.approx(1 / 3)
    assert scores["f1"] == pytest.approx(1 / 3)
    assert scores["accuracy"] == pytest.approx(3 / 6)


def test_binary_relation_scores_are_the_positive_class():
    metric = load_metric("accuracy")
    scores = metric.compute(predictions=[1, 1, 0, 0], references=[1, 0, 1, 0], negative_label=0)
    assert (scores["precision"], scores["recall"], scores["f1"]) == (0.5, 0.5, 0.5)
    assert "f1" not in metric.compute(predictions=[1], references=[1])
