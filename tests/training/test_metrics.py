"""Checkpoint selection: the main metric, a tie-breaker that never rewards predicting nothing."""

import numpy as np
from transformers import EvalPrediction

from clingen_hf.core.tasks import get_task
from clingen_hf.training.config import load_config
from clingen_hf.training.metrics import (
    DEGENERATE_SCORE,
    MetricComputer,
    entity_token_f1,
)
from clingen_hf.training.trainer import epochs_for_min_steps, eval_steps_for

NCBI = get_task("ncbi-disease")
O, B, I = (NCBI.labels.index(tag) for tag in ("O", "B-Disease", "I-Disease"))


def scores(predicted_tags: list[list[int]], gold_tags: list[list[int]], task=NCBI) -> dict:
    logits = np.stack([np.eye(len(task.labels))[row] for row in predicted_tags])
    return MetricComputer(task)(EvalPrediction(predictions=logits, label_ids=np.array(gold_tags)))


def test_an_all_o_checkpoint_is_never_selected_over_one_that_predicts_entities():
    gold = [[O, B, I, O, O, O], [O, O, O, O, B, O]]
    all_o = scores([[O] * 6, [O] * 6], gold)
    wrong_spans = scores([[B, O, O, O, O, B], [B, I, O, O, O, O]], gold)  # F1 0, lower token accuracy than all-O
    near_miss = scores([[O, B, O, O, O, O], [O, O, O, O, O, O]], gold)  # F1 0, one entity token right
    assert all_o["accuracy"] > wrong_spans["accuracy"] and all_o["f1"] == wrong_spans["f1"] == near_miss["f1"] == 0
    assert all_o["selection_score"] == DEGENERATE_SCORE and all_o["degenerate"] == 1.0
    assert DEGENERATE_SCORE < wrong_spans["selection_score"] < near_miss["selection_score"]
    exact = scores([[O, B, I, O, O, O], [O, O, O, O, O, O]], gold)
    assert exact["selection_score"] > near_miss["selection_score"] and exact["f1"] > 0.6


def test_entity_token_f1_counts_typed_entity_tokens_only():
    assert entity_token_f1([["O", "O"]], [["B-Disease", "O"]]) == 0.0
    assert entity_token_f1([["I-Disease", "B-Disease"]], [["B-Disease", "O"]]) == 2 / 3


def test_a_classifier_that_answers_one_class_for_everything_is_degenerate():
    gad = get_task("gad")
    logits = np.array([[3.0, 0.0], [3.0, 0.0], [3.0, 0.0]])
    constant = MetricComputer(gad)(EvalPrediction(predictions=logits, label_ids=np.array([0, 1, 1])))
    mixed = MetricComputer(gad)(EvalPrediction(predictions=logits[:, ::-1].copy() * [[1], [-1], [1]],
                                               label_ids=np.array([0, 1, 1])))
    assert constant["selection_score"] == DEGENERATE_SCORE < mixed["selection_score"]


def test_small_stages_get_at_least_min_steps():
    config = load_config(None, {"task": "ncbi-disease", "model": "m", "output_dir": "o", "real": "r",
                                "protocol": "supervised-few", "batch_size": 16, "min_steps": 60})
    assert epochs_for_min_steps(30, 5, config) == 60  # 5 rows: one step per epoch
    assert epochs_for_min_steps(3, 40, config) == 20  # 40 rows: three steps per epoch
    assert epochs_for_min_steps(6, 5000, config) == 6  # large sets keep the configured epochs
    assert epochs_for_min_steps(3, 40, config, processes=2) == 30  # a step sees 2 batches: 2 steps per epoch
    assert epochs_for_min_steps(30, 5, config, processes=2) == 60  # each process has 3 of the 5 rows: one step
    config.min_steps = 0
    assert epochs_for_min_steps(3, 40, config) == 3  # the paper's fixed epochs


def test_stretched_stages_are_scored_as_often_as_their_configured_epochs():
    config = load_config(None, {"task": "ncbi-disease", "model": "m", "output_dir": "o", "real": "r",
                                "protocol": "supervised-few", "batch_size": 16, "min_steps": 100})
    assert eval_steps_for(3, 34, 40, config) == 34  # 102 steps, scored at 34, 68 and 102
    assert eval_steps_for(30, 100, 5, config) == 4  # 100 one-step epochs, scored 25 times, not 100
    assert eval_steps_for(6, 6, 5000, config) is None  # not stretched: every epoch, as configured
    assert eval_steps_for(3, 50, 40, config, processes=2) == 34  # 2 processes: 100 steps, scored 3 times
