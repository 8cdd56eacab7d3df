"""Thirty-first session's review of a new corpus of real notebooks (/work/real31, not committed):
each pattern a real notebook showed is written here by the test itself and graded through the
real grader; each test failed before its fix."""
from __future__ import annotations

import pytest

from grader.runner import grade_submission
from tests import notebooks as nbs
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


# --------------------------------------------------------------------------- a slice of the arrays fit trains on


def _validated(*cells: str):
    """The validation item and the one model of a notebook whose last cell fits an LSTM."""
    code = [("code", c, ()) for c in cells[:-1]]
    fit = model_cell("model", "LSTM(32)") + "\n" + cells[-1]
    result = result_of(notebook(("code", LOAD, LOAD_OUT), *code, ("code", fit, (_FIT_LOG,)),
                                ("code", "model.evaluate(x_test, y_test)", tuple(keras3_eval(0.8213)))))
    (model,) = result.models
    return item(result, "validation"), model, result


@pytest.mark.parametrize("cells", [
    ("history = model.fit(x_train, y_train, epochs=2, validation_data=(x_train[:5000], y_train[:5000]))",),
    ("x_val, y_val = x_train[:5000], y_train[:5000]",
     "history = model.fit(x_train, y_train, epochs=2, validation_data=(x_val, y_val))"),
    ("x_train = pad_sequences(x_train, maxlen=200)\nx_val = x_train[-5000:]\ny_val = y_train[-5000:]",
     "history = model.fit(x_train, y_train, epochs=2, validation_data=(x_val, y_val))"),
])
def test_validation_on_a_slice_of_the_arrays_fit_trains_on_holds_nothing_out(cells):
    # Before: read as 20 % of the training data held out, 2 / 2 (left by the thirtieth session).
    validation, model, result = _validated(*cells)
    assert model.validation_source == "fit", model
    assert validation.points == 0, validation
    assert "validates on its training data" in result.flags
    assert any("Validation on the data the model trains on" in line for line in result.feedback), result.feedback


@pytest.mark.parametrize("cells", [
    ("x_val = x_train[:5000]\ny_val = y_train[:5000]\nx_train = x_train[5000:]\ny_train = y_train[5000:]",
     "history = model.fit(x_train, y_train, epochs=2, validation_data=(x_val, y_val))"),
    ("x_val, partial_x = x_train[:5000], x_train[5000:]\ny_val, partial_y = y_train[:5000], y_train[5000:]",
     "history = model.fit(partial_x, partial_y, epochs=2, validation_data=(x_val, y_val))"),
    ("history = model.fit(x_train[5000:], y_train[5000:], epochs=2, validation_data=(x_train[:5000], y_train[:5000]))",),
])
def test_a_slice_held_out_of_what_fit_trains_on_keeps_its_points(cells):
    validation, model, result = _validated(*cells)
    assert (model.validation_source, model.validation_fraction) == ("train", 0.2), model
    assert validation.points == validation.max_points, validation
    assert "validates on its training data" not in result.flags


@pytest.mark.parametrize("held", ["xv = xb", "xv = np.array(xb).reshape((xb.shape[0], xb.shape[1], 1))"])
def test_the_share_of_a_split_survives_a_copy_or_a_reshape(held):
    # Before: "validation from the training set, but its size is not stated" (1 / 2) for
    # train_test_split(..., test_size=0.2) whose held-out part was reshaped before the fit.
    validation, model, _ = _validated(
        f"from sklearn.model_selection import train_test_split\n"
        f"xa, xb, ya, yb = train_test_split(x_train, y_train, test_size=0.2)\n{held}",
        "history = model.fit(xa, ya, epochs=2, validation_data=(xv, yb))")
    assert (model.validation_source, model.validation_fraction) == ("train", 0.2), model
    assert validation.points == validation.max_points, validation


# --------------------------------------------------------------------------- a model trained, nothing reported


def test_a_model_trained_without_a_validation_or_test_accuracy_is_named_and_told_why_it_is_not_counted():
    # Before: "Only 0 distinct recurrent alternative(s) were trained and reported" and nothing of the
    # LSTM whose ten epochs (training accuracy only; the cell's print of its evaluation lost) the
    # notebook shows.
    log = "".join(f"Epoch {e}/3\n25000/25000 [==============================] - 320s 13ms/step - loss: 0.3 - "
                  f"acc: 0.{80 + e}\n" for e in (1, 2, 3))
    fit = model_cell("model", "LSTM(100)") + "\nmodel.fit(x_train, y_train, epochs=3, batch_size=64)"
    result = result_of(notebook(("code", LOAD, LOAD_OUT), ("code", fit, (log,))))
    (model,) = result.models
    assert (model.alternative, model.epochs_completed, model.test_accuracy) == ("LSTM", 3, None), model
    (said,) = [line for line in result.feedback if line.startswith("LSTM (cell 2")]
    assert "trained (3 epochs), but no validation or test accuracy" in said, result.feedback
    assert item(result, "alternatives").points == 0


# --------------------------------------------------------------------------- a hand-written loop's epoch lines

_TORCH_TRAIN = """for epoch in range(3):
    for x_batch, y_batch in loader:
        loss = step(x_batch, y_batch)
    acc = (predicted == y_batch).sum().item() / len(y_batch)
    print('Epoch [{}/{}], Loss: {:.4f}, Accuracy: {:.4f}'.format(epoch + 1, 3, loss, acc))"""


@pytest.mark.parametrize("val_line", ["", "Epoch [3/3], Validation accuracy: 0.8312\n"])
def test_an_unqualified_accuracy_on_a_training_loops_epoch_line_is_a_training_accuracy(val_line):
    # Before: each epoch's last-batch accuracy was read as a test accuracy, and the best of them
    # (0.9167 on 96 reviews) outranked the test set's 0.8495 (5 / 5 for 4 / 5).
    log = "".join(f"Epoch [{e}/3], Loss: 0.3{e}, Accuracy: {a}\n" for e, a in ((1, 0.8646), (2, 0.9167), (3, 0.8229)))
    result = result_of(notebook(
        ("code", LOAD, LOAD_OUT), ("code", _TORCH_TRAIN, (log + val_line,)),
        ("code", "accuracy = accuracy_score(y_test, y_pred)\nprint('Test Set Accuracy: {:.4f}'.format(accuracy))",
         ("Test Set Accuracy: 0.8495\n",))))
    assert [m.test_accuracies for m in result.models] == [(0.8495,)], result.models
    assert [m.best_val_accuracy for m in result.models] == [0.8312 if val_line else None], result.models
    assert item(result, "accuracy").points == 4, item(result, "accuracy")


# --------------------------------------------------------------------------- a helper named as nothing defines


def test_a_function_called_by_a_name_nothing_defines_is_asked_about_the_nearest_one(tmp_path, context, sandbox):
    # Before: "`rnn_backward` uses `rnn_step_backward`, which is defined outside the function (or
    # nowhere): compute it inside or pass it in." to a notebook that defines rnn_cell_backward.
    nb = nbs.course_notebook(nbs.mutate("rnn_backward", "gradients = rnn_cell_backward(", "gradients = rnn_step_backward("))
    result = grade_submission(nbs.write(tmp_path / "student.ipynb", nb), context=context, sandbox=sandbox)
    part = result.part("rnn_backward")
    assert part.points == 0
    assert "`rnn_backward` uses `rnn_step_backward`, which nothing in the notebook defines: did you mean " \
           "`rnn_cell_backward`?" in part.notes, part.notes


def test_a_name_near_no_function_keeps_the_general_advice(tmp_path, context, sandbox):
    nb = nbs.course_notebook(nbs.mutate("rnn_backward", "gradients = rnn_cell_backward(", "gradients = helper_x("))
    result = grade_submission(nbs.write(tmp_path / "student.ipynb", nb), context=context, sandbox=sandbox)
    (note,) = [n for n in result.part("rnn_backward").notes if "helper_x" in n]
    assert "compute it inside or pass it in" in note and "did you mean" not in note, note


# --------------------------------------------------------------------------- a line cut after an operator


@pytest.mark.parametrize("cut", ["np.dot(Wax.T, dtanh) +", "np.dot(Wax.T, dtanh) *  # to finish", "dtanh **"])
def test_a_line_cut_after_an_operator_is_told_so(tmp_path, context, sandbox, cut):
    # Before: "Syntax error in cell N, line 13: invalid syntax."
    nb = nbs.course_notebook(nbs.mutate("rnn_cell_backward", "dxt = np.dot(Wax.T, dtanh)", "dxt = " + cut))
    result = grade_submission(nbs.write(tmp_path / "student.ipynb", nb), context=context, sandbox=sandbox)
    part = result.part("rnn_cell_backward")
    op = cut.split("#")[0].split()[-1]
    assert part.points == 0
    assert f"the line ends with `{op}`, with nothing after it (an expression still to finish)" in part.notes[0], \
        part.notes
