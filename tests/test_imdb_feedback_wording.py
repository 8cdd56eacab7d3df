"""The bonus's sentences count in words a student reads: "1 alternative was", "2 alternatives were",
"1 of 1 model validates" (they read "alternative(s) were", "model(s) validate", "Only 0 ...")."""
from __future__ import annotations

from tests.test_imdb_score import LOAD, LOAD_OUT, item, keras3_eval, model_cell, notebook, result_of

_LOG = ("Epoch 1/1\n625/625 [==============================] - 60s - loss: 0.4 - accuracy: 0.85 - "
        "val_loss: 0.4 - val_accuracy: 0.8408\n")


def _scored(*layers: str):
    cells = [("code", LOAD, LOAD_OUT)]
    for k, layer in enumerate(layers):
        fit = model_cell(f"m{k}", layer) + f"\nm{k}.fit(x_train, y_train, epochs=1, validation_split=0.2)"
        cells += [("code", fit, (_LOG,)), ("code", f"m{k}.evaluate(x_test, y_test)", tuple(keras3_eval(0.8613)))]
    return result_of(notebook(*cells))


def test_one_alternative_and_one_model_are_said_in_the_singular():
    result = _scored("LSTM(32)")
    assert "Only 1 distinct recurrent alternative was trained and reported; the bonus asks for 3 " \
           "(e.g. SimpleRNN, LSTM, GRU)." in result.feedback, result.feedback
    assert item(result, "alternatives").message.startswith("1 distinct recurrent alternative trained and reported: ")
    assert item(result, "validation").message == "1 of 1 model validates on training data (20%)"


def test_two_are_said_in_the_plural():
    result = _scored("LSTM(32)", "GRU(32)")
    assert any(line.startswith("Only 2 distinct recurrent alternatives were trained") for line in result.feedback)
    assert item(result, "validation").message == "2 of 2 models validate on training data (20%)"


def test_none_is_said_without_a_zero():
    result = result_of(notebook(("code", LOAD, LOAD_OUT)))
    assert any(line.startswith("No recurrent alternative was trained and reported; the bonus asks for 3")
               for line in result.feedback), result.feedback
    assert not any("(s)" in line or "Only 0" in line for line in result.feedback), result.feedback
