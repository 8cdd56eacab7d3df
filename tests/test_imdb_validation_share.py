"""The share of the training data a validation slice holds out, when its bounds are names bound to
numbers (`grader.imdb.source._slice_share`). Each notebook is written here."""
from __future__ import annotations

import pytest

from tests.test_imdb_score import LOAD, LOAD_OUT, item, keras3_eval, model_cell, notebook, result_of

_LOG = ("Epoch 1/1\n47/47 [==============================] - 6s - loss: 0.6 - acc: 0.66 - val_loss: 0.6"
        " - val_acc: 0.6840\n")


def _validation(split: str):
    """The validation item and the one model of a notebook that slices its training data in a
    cell of its own and validates on ``(x_val, y_val)``."""
    fit = model_cell("model", "LSTM(32)") + "\nhistory = model.fit(x_tr, y_tr, epochs=1, validation_data=(x_val, y_val))"
    result = result_of(notebook(("code", LOAD, LOAD_OUT), ("code", split, ()), ("code", fit, (_LOG,)),
                                ("code", "model.evaluate(x_test, y_test)", tuple(keras3_eval(0.6679)))))
    (model,) = result.models
    return item(result, "validation"), model, result


@pytest.mark.parametrize("split, share", [
    # a Keras book's recipe: the sizes named once, the slices written with the names (before: "its
    # size is not stated", 1 of 2 points)
    ("training_samples = 1500\nvalidation_samples = 500\nx_tr = x_train[:training_samples]\n"
     "y_tr = y_train[:training_samples]\nx_val = x_train[training_samples: training_samples + validation_samples]\n"
     "y_val = y_train[training_samples: training_samples + validation_samples]", 0.02),
    # both bounds literal: the rows between them (before: the upper bound alone, 25,000, gave nothing)
    ("x_tr, y_tr = x_train[:20000], y_train[:20000]\nx_val, y_val = x_train[20000:25000], y_train[20000:25000]", 0.2),
], ids=["named-sizes", "two-literal-bounds"])
def test_a_slice_between_two_known_bounds_states_its_share(split, share):
    validation, model, result = _validation(split)
    assert (model.validation_source, model.validation_fraction) == ("train", pytest.approx(share)), model
    assert validation.points == 2, validation
    assert validation.message == f"1 of 1 model validates on training data ({share:.0%})", validation


@pytest.mark.parametrize("split, share", [
    ("x_val, y_val = x_train[:5000], y_train[:5000]\nx_tr, y_tr = x_train[5000:], y_train[5000:]", 0.2),
    ("x_val, y_val = x_train[-2500:], y_train[-2500:]\nx_tr, y_tr = x_train[:-2500], y_train[:-2500]", 0.1),
], ids=["upper-bound", "negative-lower-bound"])
def test_a_slice_with_one_bound_keeps_its_share(split, share):
    validation, model, _ = _validation(split)
    assert model.validation_fraction == pytest.approx(share), model
    assert validation.points == 2, validation


def test_a_size_of_no_known_value_is_still_unstated():
    validation, model, result = _validation(
        "n = len(x_train) // 5\nx_val, y_val = x_train[:n], y_train[:n]\nx_tr, y_tr = x_train[n:], y_train[n:]")
    assert (model.validation_source, model.validation_fraction) == ("train", None), model
    assert validation.points == 1, validation
    assert any("its size is not stated" in line for line in result.feedback), result.feedback
