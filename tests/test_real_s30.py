"""Thirtieth session's review of a new corpus of real notebooks (/work/real30, not committed):
each pattern a real notebook showed is written here by the test itself and graded through the
real grader; each test failed before its fix."""
from __future__ import annotations

import pytest

from grader.imdb.outputs import FitLog, parse_events, render
from grader.notebook import SubmissionError, loads
from tests import notebooks as nbs
from tests.test_imdb_score import LOAD, LOAD_OUT, item, keras3_eval, model_cell, notebook, result_of
from tests.test_review_s23 import _grade

# --------------------------------------------------------------------------- EarlyStopping's last epoch


def _early_stopped_log() -> str:
    """A TF 2 ``fit(verbose=1)`` log stopped by ``EarlyStopping(restore_best_weights=True,
    verbose=1)`` after epoch 3 of 10: the callback's sentence is printed after the last batch's
    progress line ("- ETA: 0s"), before the epoch's final line with its validation accuracy, as
    a real notebook stored it."""
    lines = []
    for e, (acc, val) in enumerate([(0.61, 0.70), (0.75, 0.78), (0.83, 0.74)], 1):
        lines.append(f"Epoch {e}/10\n")
        if e < 3:
            lines.append(f"40/40 [==============================] - 6s 140ms/step - loss: 0.5 - accuracy: {acc:.4f}"
                         f" - val_loss: 0.6 - val_accuracy: {val:.4f}\n")
    lines.append("40/40 [==============================] - ETA: 0s - loss: 0.0108 - accuracy: 0.8300"
                 "Restoring model weights from the end of the best epoch: 2.\n"
                 "40/40 [==============================] - 6s 149ms/step - loss: 0.0108 - accuracy: 0.8300"
                 " - val_loss: 1.3100 - val_accuracy: 0.7400\nEpoch 3: early stopping\n")
    return "".join(lines)


def test_an_epoch_early_stopping_spoke_in_is_one_epoch_of_its_log():
    # Before: the last batch's line (40/40, "ETA: 0s") was taken for the epoch's end, and the
    # epoch's real last line, with its validation accuracy, for a second model's one-epoch log.
    logs = [e for e in parse_events(render([_early_stopped_log()])) if isinstance(e, FitLog)]
    assert len(logs) == 1, logs
    (log,) = logs
    assert [ep.val_acc for ep in log.epochs] == [0.70, 0.78, 0.74], log.epochs
    assert (log.completed, log.interrupted) == (3, False), log


def test_early_stopping_costs_no_validation_point_and_makes_no_phantom_model():
    # Before: two models, the second of unknown layers and validation ("Could not tell which
    # recurrent layers ..."), and the validation item 1 / 2 ("1 of 2 model(s) ...").
    code = (model_cell("model", "LSTM(32)") + "\nfrom tensorflow.keras.callbacks import EarlyStopping\n"
            "stop = EarlyStopping(monitor='val_loss', patience=1, restore_best_weights=True, verbose=1)\n"
            "history = model.fit(x_train, y_train, epochs=10, validation_split=0.2, callbacks=[stop])")
    result = result_of(notebook(("code", LOAD, LOAD_OUT), ("code", code, (_early_stopped_log(),)),
                                ("code", "model.evaluate(x_test, y_test)", tuple(keras3_eval(0.7712)))))
    (model,) = result.models
    assert (model.alternative, model.epochs_completed, model.best_val_accuracy) == ("LSTM", 3, 0.78), model
    assert item(result, "validation").points == item(result, "validation").max_points
    assert not any("Could not tell" in line for line in result.feedback), result.feedback


@pytest.mark.parametrize("last", ["40/40 [==============================] - ETA: 0s - loss: 0.01 - accuracy: 0.83\n",
                                  "40/40 [==============================] - ETA: 0s - loss: 0.01 - accuracy: 0.83"])
def test_a_log_that_ends_on_a_last_batch_before_validation_is_interrupted(last):
    # The epoch's validation never came: stopped during the epoch, as before an N/N line's "ETA".
    text = ("Epoch 1/2\n40/40 [==============================] - 6s - loss: 0.5 - accuracy: 0.61 - val_loss: 0.6"
            " - val_accuracy: 0.70\nEpoch 2/2\n" + last)
    (log,) = [e for e in parse_events(render([text])) if isinstance(e, FitLog)]
    assert (log.completed, log.interrupted) == (1, True), log


# --------------------------------------------------------------------------- validating on the training data


def _fit_cell(validation: str, fit_x: str = "x_train, y_train") -> str:
    return model_cell("model", "SimpleRNN(32)") + f"\nhistory = model.fit({fit_x}, epochs=2, {validation})"


def _fit_log() -> str:
    return ("Epoch 1/2\n782/782 [==============================] - 60s - loss: 0.6 - accuracy: 0.70 - val_loss: 0.5"
            " - val_accuracy: 0.80\nEpoch 2/2\n782/782 [==============================] - 60s - loss: 0.4 - "
            "accuracy: 0.85 - val_loss: 0.3 - val_accuracy: 0.90\n")


def _scored(fit_cell: str):
    return result_of(notebook(("code", LOAD, LOAD_OUT), ("code", fit_cell, (_fit_log(),)),
                              ("code", "model.evaluate(x_test, y_test)", tuple(keras3_eval(0.8406)))))


@pytest.mark.parametrize("fit_x, validation", [
    ("x_train, y_train", "validation_data=(x_train, y_train)"),
    ("x=x_train, y=y_train", "validation_data=[x_train, y_train]"),
    ("x_tr, y_tr", "validation_data=(x_tr, y_tr)"),
])
def test_validation_on_the_data_the_model_trains_on_earns_nothing_and_says_why(fit_x, validation):
    # A real notebook: fit(X_train, y_train, validation_data=(X_train, y_train)). Before: read as
    # "from the training set, size not stated": 1 of the 2 validation points, and told to "say which
    # share of the training data you held out", where nothing was held out.
    result = _scored(_fit_cell(validation, fit_x))
    val = item(result, "validation")
    assert val.points == 0, val
    assert "trains on" in val.message, val.message
    told = [line for line in result.feedback if line.startswith("Validation on the data the model trains on")]
    assert len(told) == 1 and "validation_split=0.2" in told[0], result.feedback
    assert "SimpleRNN in cell 2 (validation_data=" in told[0], told
    assert not any("size is not stated" in line or "held out." in line for line in result.feedback), result.feedback
    assert "validates on its training data" in result.flags
    assert item(result, "accuracy").points == 4  # the test accuracy still counts


@pytest.mark.parametrize("validation, points", [
    ("validation_data=(x_val, y_val)", 2.0),  # a slice of the training data (20%): as before
    ("validation_split=0.2", 2.0),
])
def test_other_validation_keeps_its_points(validation, points):
    code = "x_val, y_val = x_train[:5000], y_train[:5000]\n" + _fit_cell(validation, "x_train[5000:], y_train[5000:]")
    result = _scored(code)
    assert item(result, "validation").points == points, item(result, "validation")
    assert not any("trains on" in line for line in result.feedback), result.feedback


def test_validation_on_the_test_set_still_says_so_first():
    code = _fit_cell("validation_data=(x_test, y_test)")
    result = _scored(code)
    assert "validates on the test set" in result.flags and "validates on its training data" not in result.flags


# --------------------------------------------------------------------------- a fit log pasted into markdown


def test_a_fit_log_pasted_into_markdown_is_read_as_keras_wrote_it():
    # A real notebook pasted each model's log into a markdown cell (an indented block) under its
    # output. Before: each epoch's training accuracy ("acc: 0.7528") took its kind from the
    # "val_loss" after it, a validation accuracy no output showed: 20 "is not backed by any
    # output" lines and the flag "unverified claim", for a student who reported their own outputs.
    log = ("Train on 25000 samples, validate on 18750 samples\nEpoch 1/2\n"
           "25000/25000 [==============================] - 559s - loss: 0.5005 - acc: 0.7528 - val_loss: 0.5853"
           " - val_acc: 0.6927\nEpoch 2/2\n"
           "25000/25000 [==============================] - 564s - loss: 0.3782 - acc: 0.8355 - val_loss: 0.4071"
           " - val_acc: 0.8204\n6250/6250 [==============================] - 33s\n\nTest accuracy: 0.850719999981\n")
    code = (model_cell("model", "LSTM(100)") + "\nhistory = model.fit(x_train, y_train, epochs=2, "
            "validation_split=0.2)\nloss, acc = model.evaluate(x_test, y_test)\nprint('Test accuracy:', acc)")
    pasted = "# Results of model 1, Embedding - LSTM - Dense\n\n" + "".join(f"    {line}\n" for line in log.split("\n"))
    result = result_of(notebook(("code", LOAD, LOAD_OUT), ("code", code, (log,)), ("markdown", pasted)))
    assert "unverified claim" not in result.flags, result.feedback
    assert not any("not backed" in line for line in result.feedback), result.feedback
    assert sorted((c.kind, c.value, c.status) for c in result.claims) == [
        ("test", 0.85072, "verified"), ("val", 0.6927, "verified"), ("val", 0.8204, "verified")], result.claims


def test_a_training_accuracy_in_prose_is_still_no_claim_and_a_test_one_is():
    md = "The LSTM reached a training accuracy of 0.97 and 86.1% test accuracy."
    result = result_of(notebook(("code", LOAD, LOAD_OUT), ("markdown", md)))
    assert [(c.kind, c.value) for c in result.claims] == [("test", 0.861)], result.claims


# --------------------------------------------------------------------------- a web page named .ipynb


@pytest.mark.parametrize("page", [
    "\n\n\n\n\n\n<!DOCTYPE html>\n<html lang=\"en\">\n  <head>\n    <meta charset=\"utf-8\">\n",  # saved from a browser
    "<!DOCTYPE html>\n<html>\n<head><meta charset=\"utf-8\" />\n<title>Building_a_Recurrent_Neural_Network</title>",
    "<html><body><div class=\"jp-Notebook\">",
])
def test_a_web_page_named_ipynb_is_named_as_a_web_page(page):
    # A real submission was a web page saved under the notebook's name. Before: "x.ipynb: not JSON
    # (Expecting value at line 7, column 1, byte 6)"; the 0 stands, what the file is and what to
    # hand in are said.
    text = _refusal(page.encode())
    assert "web page (HTML)" in text and "submit the .ipynb file" in text, text
    assert "Expecting value" not in text, text


@pytest.mark.parametrize("data", [b"<p>not a page</p>", b"<<<", b"hello <html>"])
def test_other_text_with_tags_keeps_the_parser_message(data):
    text = _refusal(data)
    assert "not JSON" in text and "HTML" not in text, text


def _refusal(data: bytes) -> str:
    """What the grader says of a file ``x.ipynb`` holding ``data`` that it cannot read."""
    with pytest.raises(SubmissionError) as info:
        loads(data, path="x.ipynb")
    return str(info.value)


def test_an_unstated_share_is_told_once_in_words_that_read():
    # Two real notebooks (validation_data=(x_val, y_val), x_val a slice of unknown size) were told
    # "The validation data comes from the training set, but its size is not stated; ..." and then
    # "Validation: size not stated of the training data held out."
    code = "x_val, y_val = x_train[:n_val], y_train[:n_val]\n" + _fit_cell("validation_data=(x_val, y_val)",
                                                                        "x_train[n_val:], y_train[n_val:]")
    result = _scored(code)
    assert item(result, "validation").points == 1.0, item(result, "validation")
    said = [line for line in result.feedback if "not stated" in line]
    assert len(said) == 1 and said[0].startswith("The validation data comes from the training set"), result.feedback


# --------------------------------------------------------------------------- a blank `dz = ` left


@pytest.mark.parametrize("blank", ["dz = ", "dz =  # (≈1 line)", "gradients['dz'] =", "dWax += "])
def test_an_assignment_left_blank_is_named_as_a_blank(tmp_path, context, sandbox, blank):
    # A version of the template leaves `dz = ` in rnn_cell_backward; two real notebooks left the
    # section as given. Before: "Syntax error in cell N, line L: invalid syntax." The 0 stands.
    source = nbs.COURSE_CELLS["rnn_cell_backward"]
    first = next(line for line in source.split("\n") if line.strip().startswith("dtanh"))
    indent = first[: len(first) - len(first.lstrip())]
    nb = nbs.course_notebook({"rnn_cell_backward": source.replace(first, indent + blank, 1)})
    result = _grade(tmp_path, nb, context, sandbox)
    part = result.part("rnn_cell_backward")
    assert (part.status, part.points) == ("error", 0), part
    said = " ".join(part.notes)
    assert f"`{blank.split('#')[0].strip()}` has nothing after the `=`" in said and "invalid syntax" not in said, said
    assert result.part("rnn_backward").points == result.part("rnn_backward").max_points


def test_other_syntax_errors_keep_pythons_words(tmp_path, context, sandbox):
    source = nbs.COURSE_CELLS["rnn_cell_backward"]
    first = next(line for line in source.split("\n") if line.strip().startswith("dtanh"))
    nb = nbs.course_notebook({"rnn_cell_backward": source.replace(first, first + " (", 1)})
    part = _grade(tmp_path, nb, context, sandbox).part("rnn_cell_backward")
    assert part.status == "error" and "has nothing after" not in " ".join(part.notes), part.notes


# --------------------------------------------------------------------------- a slot of zeros passed on


@pytest.mark.parametrize("part, right, wrong", [
    ("rnn_forward", "rnn_cell_forward(x[:, :, t], a_next, parameters)",
     "rnn_cell_forward(x[:, :, t], a[:, :, t], parameters)"),
    ("lstm_forward", "lstm_cell_forward(x[:, :, t], a_next, c_next, parameters)",
     "lstm_cell_forward(x[:, :, t], a[:, :, t], c_next, parameters)"),
])
def test_a_hidden_state_passed_as_the_zeros_of_its_slot_is_said_to_be_zeros(tmp_path, context, sandbox, part,
                                                                            right, wrong):
    # A real notebook passed `a[:, :, t]`, the slot the step is about to fill (still zeros), as
    # a_prev, in both forward passes. Before: "... (first at call 1, in `a_prev`): check what you
    # pass ..."; now also what was passed: an array of zeros.
    assert right in nbs.COURSE_CELLS[part], nbs.COURSE_CELLS[part]
    result = _grade(tmp_path, nbs.course_notebook(nbs.mutate(part, right, wrong)), context, sandbox)
    said = [c.diagnosis.message for c in result.part(part).cases if c.diagnosis]
    assert said and all("in `a_prev` (an array of zeros))" in m for m in said), said


def test_a_wrong_argument_that_is_not_zeros_is_not_called_zeros(tmp_path, context, sandbox):
    nb = nbs.course_notebook(nbs.mutate("rnn_forward", "rnn_cell_forward(x[:, :, t], a_next, parameters)",
                                        "rnn_cell_forward(x[:, :, t], -a_next, parameters)"))
    said = [c.diagnosis.message for c in _grade(tmp_path, nb, context, sandbox).part("rnn_forward").cases
            if c.diagnosis]
    assert said and not any("zeros" in m for m in said), said


def test_every_flag_the_bonus_raises_is_one_the_class_report_counts():
    # The new flag "validates on its training data" was listed among a submission's feedback in the
    # class report, not counted with the others: the report knows the flags by a list of its own.
    import ast
    from pathlib import Path

    from grader.classreport import IMDB_FLAGS

    tree = ast.parse(Path(__file__).resolve().parents[1].joinpath("grader/imdb/score.py").read_text())
    raised = {node.args[0].value for node in ast.walk(tree)
              if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "append"
              and isinstance(node.func.value, ast.Name) and node.func.value.id == "flags"
              and node.args and isinstance(node.args[0], ast.Constant)}
    assert "validates on its training data" in raised and len(raised) >= 6, raised
    assert raised <= set(IMDB_FLAGS), raised - set(IMDB_FLAGS)


def test_a_long_word_in_a_pasted_log_line_is_read_in_linear_time():
    # The key before a number was first found by a pattern tried at every position of the text
    # before it: a 20,000-letter word took 2 s, 200,000 letters (within the markdown budget) minutes.
    import time

    from grader.imdb.claims import claims_from_markdown

    text = "loss: 0.5 - " + "a" * 200_000 + " acc: 0.91 - val_acc: 0.88"
    start = time.perf_counter()
    claims, _ = claims_from_markdown(text, "m")
    assert time.perf_counter() - start < 2.0
    assert [(c.kind, c.value) for c in claims] == [("val", 0.88)], claims


@pytest.mark.parametrize("before", ["acc ", "loss: "])
def test_a_long_run_of_digits_is_read_in_linear_time(before):
    # The pattern telling a pasted log line was first tried inside runs of digits: 20,000 took 0.8 s.
    import time

    from grader.imdb.claims import claims_from_markdown

    text = before + "1" * 200_000 + " acc 0.5"
    start = time.perf_counter()
    claims_from_markdown(text, "m")
    assert time.perf_counter() - start < 2.0
