"""The bonus's feedback says each thing once, in words a student reads: the scoring items say the
count of alternatives, the validation share and the test accuracy, and no note repeats them ("Only 1
distinct recurrent alternative(s) were trained ...", "Validation: 20% of the training data held
out.", "Best verified test accuracy: ..." were each said a second time by the item below them);
counts in the singular and plural ("1 alternative", "1 of 1 model validates"), not "(s)" or "Only 0"."""
from __future__ import annotations

from tests.test_imdb_score import LOAD, LOAD_OUT, item, keras3_eval, model_cell, notebook, result_of

_LOG = ("Epoch 1/1\n625/625 [==============================] - 60s - loss: 0.4 - accuracy: 0.85 - "
        "val_loss: 0.4 - val_accuracy: 0.8408\n")


def _scored(*layers: str, evaluate: bool = True, accuracy: float = 0.8613):
    cells = [("code", LOAD, LOAD_OUT)]
    for k, layer in enumerate(layers):
        fit = model_cell(f"m{k}", layer) + f"\nm{k}.fit(x_train, y_train, epochs=1, validation_split=0.2)"
        cells.append(("code", fit, (_LOG,)))
        if evaluate:
            cells.append(("code", f"m{k}.evaluate(x_test, y_test)", tuple(keras3_eval(accuracy))))
    return result_of(notebook(*cells))


def test_one_alternative_and_one_model_are_said_once_in_the_singular():
    result = _scored("LSTM(32)")
    assert item(result, "alternatives").message == ("1 distinct recurrent alternative trained and reported: LSTM; "
                                                    "the bonus asks for 3 (e.g. SimpleRNN, LSTM, GRU)")
    assert item(result, "validation").message == "1 of 1 model validates on training data (20%)"
    assert item(result, "accuracy").message == "best test accuracy in your outputs 0.8613 (LSTM): 0.85 or more earns all 5 points"
    # the notes: the model's line only
    assert result.feedback == ("LSTM (cell 2, cell 3): best validation accuracy 0.8408, test accuracy 0.8613, "
                               "validation: validation_split=0.2.",), result.feedback


def test_two_are_said_in_the_plural_and_three_ask_for_nothing_more():
    result = _scored("LSTM(32)", "GRU(32)")
    assert item(result, "alternatives").message.startswith("2 distinct recurrent alternatives trained and reported")
    assert item(result, "validation").message == "2 of 2 models validate on training data (20%)"
    result = _scored("LSTM(32)", "GRU(32)", "SimpleRNN(32)")
    assert item(result, "alternatives").message == ("3 distinct recurrent alternatives trained and reported: "
                                                    "LSTM, GRU, SimpleRNN")


def test_none_is_said_without_a_zero_and_a_missing_test_accuracy_says_what_to_do():
    result = result_of(notebook(("code", LOAD, LOAD_OUT)))
    assert item(result, "alternatives").message == ("no recurrent alternative trained and reported; the bonus asks "
                                                    "for 3 (e.g. SimpleRNN, LSTM, GRU)")
    assert not any("(s)" in text or "Only 0" in text for text in (*result.feedback, *(i.message for i in result.items)))
    result = _scored("LSTM(32)", evaluate=False)
    assert item(result, "accuracy").message == ("no test accuracy in the outputs: evaluate each model on the test set "
                                                "(model.evaluate(x_test, y_test)) and keep the output")
    assert not any("test accuracy" in line.lower() and "n/a" not in line for line in result.feedback), result.feedback


def test_models_of_one_alternative_validating_on_the_same_arrays_are_named_once():
    cells = [("code", LOAD, LOAD_OUT)]
    for k in range(3):
        fit = model_cell(f"m{k}", "SimpleRNN(32)") + f"\nm{k}.fit(x_train, y_train, epochs=1, validation_data=(x_test, y_test))"
        cells.append(("code", fit, (_LOG,)))
    result = result_of(notebook(*cells))
    told = next(line for line in result.feedback if line.startswith("Validation uses the test set"))
    assert told.startswith("Validation uses the test set (SimpleRNN in cell 2, cell 3, cell 4: "
                           "validation_data=(x_test, y_test)). "), told
    assert item(result, "validation").message == "validation on the test set (the models are named above)"


def test_no_validation_split_is_said_once_with_what_to_do():
    # Thirty-third session (11 real notebooks of real30 and real31): "No validation split from the training
    # data was found (use validation_split=0.2 ...)" as a note, and "no validation split from the training
    # data was found" again as the item right under it.
    cells = [("code", LOAD, LOAD_OUT),
             ("code", model_cell("m0", "LSTM(32)") + "\nm0.fit(x_train, y_train, epochs=1)",
              ("Epoch 1/1\n625/625 [==============================] - 60s - loss: 0.4 - accuracy: 0.85\n",)),
             ("code", "m0.evaluate(x_test, y_test)", tuple(keras3_eval(0.8613)))]
    result = result_of(notebook(*cells))
    assert item(result, "validation").message == "no validation split from the training data was found"
    notes = [line for line in result.feedback if "validation" in line.lower() and not line.startswith("LSTM")]
    assert notes == ["Hold out a share of the training data as validation (validation_split=0.2, or "
                     "validation_data from a slice of the training set) and say how much you held out."], notes


def test_a_training_stopped_in_its_first_epoch_is_not_told_its_completed_epochs_were_used():
    # Thirty-fourth session (helper real): two real notebooks stopped a fit during its first epoch and
    # were told "(0 of 5 epochs completed); only the completed epochs were used", of none.
    from tests.test_imdb_score import keras2_fit

    stopped = model_cell("m1", "GRU(32)") + "\nm1.fit(x_train, y_train, epochs=5, validation_split=0.2)"
    result = result_of(notebook(("code", LOAD, LOAD_OUT), ("code", stopped, tuple(keras2_fit(
        [0.8] * 5, [0.85] * 5, stop_in_epoch=1)))))
    said = [line for line in result.feedback if "stopped" in line]
    assert said == ["Training of the GRU in cell 2 stopped during its first epoch (of 5), so no accuracy of it "
                    "was read."], result.feedback
    # Control: one epoch done, the completed epochs are used, and said so.
    result = result_of(notebook(("code", LOAD, LOAD_OUT), ("code", stopped, tuple(keras2_fit(
        [0.8] * 5, [0.85] * 5, stop_in_epoch=2)))))
    assert any("stopped during an epoch (1 of 5 epochs completed); only the completed epochs were used." in line
               for line in result.feedback), result.feedback


def test_alternatives_validating_on_the_same_test_arrays_say_those_arrays_once():
    # Thirty-fourth session (helper real): two real notebooks trained eight alternatives, each with
    # validation_data=(x_test, y_test): the note named all eight with those words each time ("SimpleRNN in
    # cell 12: validation_data=(x_test, y_test); LSTM in cell 15: validation_data=(x_test, y_test); ..."),
    # and each model's line above said them once more.
    cells = [("code", LOAD, LOAD_OUT)]
    for k, layer in enumerate(("SimpleRNN(32)", "LSTM(32)", "GRU(32)")):
        fit = model_cell(f"m{k}", layer) + f"\nm{k}.fit(x_train, y_train, epochs=1, validation_data=(x_test, y_test))"
        cells.append(("code", fit, (_LOG,)))
    result = result_of(notebook(*cells))
    told = next(line for line in result.feedback if line.startswith("Validation uses the test set"))
    assert told.startswith("Validation uses the test set (all 3 models above: validation_data=(x_test, y_test)). "), told
    told = next(line for line in result_of(notebook(*cells[:3])).feedback if line.startswith("Validation uses"))
    assert told.startswith("Validation uses the test set (both models above: validation_data=(x_test, y_test)). "), told
    # Control: other arrays for one of them, each named with its own.
    cells[2] = ("code", cells[2][1].replace("validation_data=(x_test, y_test)", "validation_data=(x_test[:500], y_test[:500])"),
                (_LOG,))
    told = next(line for line in result_of(notebook(*cells)).feedback if line.startswith("Validation uses the test set"))
    assert "SimpleRNN in cell 2: validation_data=(x_test, y_test); LSTM in cell 3: validation_data=(x_test[:500]" in told, told


def test_an_accuracy_below_the_top_is_told_its_points_and_what_the_next_points_take():
    """A real class read "best verified test accuracy 0.7970 (SimpleRNN): band >= 0.70" (23 notebooks
    of the real corpora): "band" and "verified" are the grader's words, and the student learnt
    neither what 0.7970 earned nor what more would earn."""
    result = _scored("SimpleRNN(32)", accuracy=0.797)
    accuracy = item(result, "accuracy")
    assert accuracy.points == 2.5
    assert accuracy.message == ("best test accuracy in your outputs 0.7970 (SimpleRNN): 0.70 or more earns 2.5 "
                                "of the 5 points, 0.80 earns 4")
    assert item(_scored("LSTM(32)", accuracy=0.81), "accuracy").message.endswith(
        "0.80 or more earns 4 of the 5 points, 0.85 earns 5")
