"""Thirty-first session's review of a new corpus of real notebooks (/work/real31, not committed):
each pattern a real notebook showed is written here by the test itself and graded through the
real grader; each test failed before its fix."""
from __future__ import annotations

import pytest

from tests.test_imdb_score import LOAD, LOAD_OUT, item, keras3_eval, model_cell, notebook, result_of

# --------------------------------------------------------------------------- a pair of numbers is no evaluation

_FIT = model_cell("model", "LSTM(32)") + "\nhistory = model.fit(x_train, y_train, epochs=2, validation_split=0.2)"
_FIT_LOG = ("Epoch 1/2\n625/625 [==============================] - 60s - loss: 0.6 - accuracy: 0.70 - val_loss: 0.5"
            " - val_accuracy: 0.78\nEpoch 2/2\n625/625 [==============================] - 60s - loss: 0.4 - "
            "accuracy: 0.85 - val_loss: 0.4 - val_accuracy: 0.8408\n")


@pytest.mark.parametrize("code, shown", [
    ("pred = model.predict(x_test)\npred.shape", "(12500, 1)"),          # the shape of the predictions
    ("print(x_train.shape)", "(20000, 100)\n"),                          # a printed shape
    ("ax = plt.gca()\nax.set_ylim([0.5, 1])", "(0.5, 1.0)"),              # the limits of a plot's axis
])
def test_a_pair_of_numbers_a_cell_without_evaluate_shows_is_no_test_accuracy(code, shown):
    # Before: a bare pair was read as an evaluate's [loss, accuracy]: a test accuracy of 1.0
    # (or 100 %), 5 of 5 accuracy points for a notebook that never evaluated on the test set.
    result = result_of(notebook(("code", LOAD, LOAD_OUT), ("code", _FIT, (_FIT_LOG,)), ("code", code, (shown,))))
    (model,) = result.models
    assert (model.alternative, model.best_val_accuracy, model.test_accuracy) == ("LSTM", 0.8408, None), model
    assert item(result, "accuracy").points == 0, item(result, "accuracy")


@pytest.mark.parametrize("shown", ["[0.3412, 0.8612]", "(0.3412, 0.8612)"])
def test_an_evaluate_result_shown_in_a_later_cell_still_counts(shown):
    # The rule above keeps the evaluation a student stores and shows in the next cell.
    result = result_of(notebook(("code", LOAD, LOAD_OUT), ("code", _FIT, (_FIT_LOG,)),
                                ("code", "score = model.evaluate(x_test, y_test, verbose=0)", ()),
                                ("code", "score", (shown,))))
    (model,) = result.models
    assert model.test_accuracy == 0.8612, model
    assert item(result, "accuracy").points == 5, item(result, "accuracy")


def test_an_evaluate_in_the_cell_still_reads_its_returned_pair():
    result = result_of(notebook(("code", LOAD, LOAD_OUT), ("code", _FIT, (_FIT_LOG,)),
                                ("code", "model.evaluate(x_test, y_test)", tuple(keras3_eval(0.8213)))))
    (model,) = result.models
    assert model.test_accuracy == pytest.approx(0.8213, abs=1e-3), model
