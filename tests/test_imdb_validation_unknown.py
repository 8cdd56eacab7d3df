"""Session 29, polish: what the IMDB bonus's feedback tells a student whose validation the code
does not show as a share of the training data.

A training loop written by hand (PyTorch, or Keras's ``train_on_batch``) prints validation
accuracies the grader reads, but no ``fit(validation_split=...)`` says where that data came
from. The feedback said only "No validation split from the training data was found", true,
and the student, who had a validation set, could not tell what was missing.
"""
from __future__ import annotations

from grader.imdb import ImdbConfig, score_imdb
from grader.notebook import Cell, Notebook
from tests.test_imdb_score import LOAD, LOAD_OUT, keras3_fit, model_cell, notebook

_LOAD = ("from tensorflow import keras\nfrom sklearn.model_selection import train_test_split\n"
         "reviews = load_folder('aclImdb/train') + load_folder('aclImdb/test')\n"
         "train_df, rest = train_test_split(reviews, test_size=0.3)\n"
         "val_df, test_df = train_test_split(rest, test_size=0.5)\n")
# Thirty-second session: a PyTorch model here (the bonus asks for tf.keras, and a PyTorch bonus
# is no longer read: tests/test_imdb_other_framework.py); a Keras model trained by hand reads the same.
_MODEL = ("model = keras.Sequential([keras.layers.Embedding(10000, 100), keras.layers.LSTM(64),\n"
          "                          keras.layers.Dense(1, activation='sigmoid')])\n"
          "model.compile(optimizer='adam', loss='binary_crossentropy', metrics=['accuracy'])\n")
_LOOP = ("for epoch in range(3):\n    train_loss, train_acc = train_one_epoch(model, train_loader)\n"
         "    val_loss, val_acc = evaluate(model, val_loader)\n"
         "    print(f'Epoch {epoch + 1}/3')\n"
         "    print(f'Train Loss: {train_loss:.4f} | Train Acc: {train_acc:.4f}')\n"
         "    print(f'Val   Loss: {val_loss:.4f} | Val   Acc: {val_acc:.4f}')\n")
_LOG = "".join(f"Epoch {e}/3\nTrain Loss: 0.{60 - e}00 | Train Acc: 0.{70 + e}00\n"
               f"Val   Loss: 0.{50 - e}00 | Val   Acc: 0.{80 + e}00\n" for e in (1, 2, 3))
_TEST = "test_loss, test_acc = evaluate(model, test_loader)\nprint('Test Accuracy :', round(test_acc, 4))\n"


def _notebook() -> Notebook:
    cells = [("markdown", "# IMDB sentiment with an LSTM", ()), ("code", _LOAD, ()), ("code", _MODEL, ()),
             ("code", _LOOP, (_LOG,)), ("code", _TEST, ("Test Accuracy : 0.8517\n",))]
    return Notebook(path="student.ipynb", nbformat=(4, 5), cells=tuple(
        Cell(index=k, kind=kind, source=source, outputs=outputs) for k, (kind, source, outputs) in enumerate(cells)))


def test_validation_printed_but_not_shown_from_the_training_data_says_what_was_seen_and_what_to_do():
    result = score_imdb(_notebook(), config=ImdbConfig())
    item = next(i for i in result.items if i.name == "validation")
    assert item.points == 0.0, item
    said = next(f for f in result.feedback if "alidation" in f and "held out" in f)
    # What the grader saw: the validation accuracies the loop printed, and where.
    assert "cell 4" in said and "0.8300" in said, said
    # What it could not see, and what to do in either case. No fit: a sentence would not count,
    # and is not offered.
    assert "does not show where" in said and "20% of the training data" not in said, said
    assert "test reviews" in said and "say how much you held out" in said, said


def _keras(*extra: tuple[str, str]) -> Notebook:
    """One LSTM whose fit validates on ``(x_val, y_val)`` made by a function the grader cannot follow."""
    fit = ("code", "history = model.fit(x_train, y_train, epochs=2, validation_data=(x_val, y_val))",
           tuple(keras3_fit([0.8, 0.9], [0.84, 0.851])))
    return notebook(("code", LOAD, LOAD_OUT), ("code", model_cell("model", "LSTM(32)")),
                    ("code", "x_val, y_val = held_out(reviews)"), fit, *extra)


def test_validation_data_of_unknown_origin_is_told_the_sentence_that_counts():
    result = score_imdb(_keras(), config=ImdbConfig())
    said = next(f for f in result.feedback if "alidation" in f and "held out" in f)
    assert "cell 4: best 0.8510, validation_data=(x_val, y_val)" in said, said
    assert "20% of the training data for validation" in said, said
    # The sentence offered does count there.
    stated = score_imdb(_keras(("markdown", "We hold out 20% of the training data for validation.")),
                        config=ImdbConfig())
    assert next(i for i in stated.items if i.name == "validation").points == 2.0, stated.items


# --------------------------------------------------------------------------- the bonus's other words


def test_outputs_cut_short_are_told_what_is_not_counted_and_how_to_print_less(monkeypatch):
    """The sentence said "(a line counting 30 more)" and "an accuracy shown past that is not
    evidence": a student could not tell what counted, nor what to do."""
    from grader.imdb import score
    from tests.test_imdb_limits import _LOG, _TRAIN, _notebook, _score

    monkeypatch.setattr(score, "MAX_OUTPUT_CHARS", 400)
    result = _score(_notebook(("code", "print('hello')", ("hello world\n" * 245,)), ("code", _TRAIN, (_LOG,))))
    [line] = [f for f in result.feedback if "were not all read" in f]
    assert "line counting" not in line and "evidence" not in line, line
    assert "each line break or progress-bar redraw counting as 30 characters more" in line, line
    assert "is not counted" in line and "verbose=2" in line and "run the cell again" in line, line


def test_code_that_does_not_parse_is_told_it_is_a_syntax_error_to_fix():
    from tests.test_imdb_score import keras2_fit, result_of

    cells = [("code", LOAD, LOAD_OUT),
             ("code", model_cell("model", "LSTM(32)") + "\nmodel.fit(x_train, y_train, epochs=2, validation_split=0.2)\n"
                      "print('done'\n", tuple(keras2_fit([0.8, 0.9], [0.85, 0.861])))]
    [line] = [f for f in result_of(notebook(*cells)).feedback if "could not be parsed (cell 2)" in f]
    assert "not valid Python (a syntax error" in line and "fix it" in line, line


def test_an_accuracy_below_every_band_is_told_the_lowest_that_earns_points():
    """It read "-> 0 of 5 points (below the lowest band (0.60))": "band" is the rubric's word."""
    from tests.test_imdb_score import keras3_eval

    lowest = min(b.min for b in ImdbConfig().bands)
    fit = ("code", "model.fit(x_train, y_train, epochs=2, validation_split=0.2)",
           tuple(keras3_fit([0.6, 0.65], [0.6, 0.62])))
    nb = notebook(("code", LOAD, LOAD_OUT), ("code", model_cell("model", "LSTM(32)")), fit,
                  ("code", "model.evaluate(x_test, y_test)", tuple(keras3_eval(lowest - 0.1))))
    line = next(i for i in score_imdb(nb, config=ImdbConfig()).items if i.name == "accuracy").message
    assert "band" not in line and f"below {lowest:.2f}, the lowest accuracy that earns points" in line, line
