"""The lead's fixes of the twenty-seventh session.

The IMDB bonus's reader (`grader.imdb.source`): a keras-tuner search is read as the fit of the
model its build function returns, and a ``seen.add(x)`` on a set no longer costs the statement
holding it. The notebooks are composed here (the helpers of tests/test_imdb_score.py); the
tuner's output is written as keras-tuner prints a finished search in a notebook.
"""

from __future__ import annotations

from grader.imdb import score_imdb
from grader.imdb.source import read_code
from tests.test_imdb_score import CONFIG, LOAD, LOAD_OUT, keras2_eval, keras3_fit, notebook

BUILD = """import keras_tuner as kt

def build_model(hp):
    model = Sequential()
    model.add(Embedding(max_features, hp.Choice('dim', [32, 64])))
    model.add({layer}(hp.Int('units', 32, 128, step=32)))
    model.add(Dense(1, activation='sigmoid'))
    model.compile(optimizer='adam', loss='binary_crossentropy', metrics=['accuracy'])
    return model"""

SEARCH_OUT = ("Trial 3 Complete [00h 01m 02s]\nval_accuracy: 0.8612000226974487\n\n"
              "Best val_accuracy So Far: 0.8701999783515930\nTotal elapsed time: 00h 03m 11s\n")


def _items(result) -> dict[str, float]:
    return {item.name: item.points for item in result.items}


def test_a_tuners_search_is_the_fit_of_its_build_functions_model():
    """Before, the search was no fit: 0 of 3 for the alternatives, 0 of 2 for a validation
    split stated on the search, and "could not tell which recurrent layers"."""
    nb = notebook(
        ("code", LOAD, LOAD_OUT),
        ("code", BUILD.format(layer="LSTM")),
        ("code", "tuner = kt.RandomSearch(build_model, objective='val_accuracy', max_trials=3)\n"
                 "tuner.search(x_train, y_train, epochs=2, validation_split=0.2)", (SEARCH_OUT,)),
        ("code", "best = tuner.get_best_models(num_models=1)[0]\nbest.evaluate(x_test, y_test)",
         tuple(keras2_eval(0.8656))),
    )
    result = score_imdb(nb, config=CONFIG)
    assert _items(result) == {"alternatives": 1.0, "validation": 2.0, "accuracy": 5.0}
    (model,) = result.models
    assert (model.alternative, model.validation_source, model.validation_fraction) == ("LSTM", "train", 0.2)
    assert (model.test_accuracy, round(model.best_val_accuracy, 4)) == (0.8656, 0.8702)
    assert not any("Could not tell" in line for line in result.feedback)


def test_a_tuner_by_keyword_whose_best_model_is_built_again_and_trained():
    """``hypermodel=`` and ``tuner.hypermodel.build(best_hps)``: the rebuilt model is the
    tuner's, so its fit is a GRU's and validation on the test set is seen."""
    nb = notebook(
        ("code", LOAD, LOAD_OUT),
        ("code", BUILD.format(layer="GRU")),
        ("code", "tuner = kt.Hyperband(hypermodel=build_model, objective='val_accuracy', max_epochs=3)\n"
                 "tuner.search(x_train, y_train, validation_data=(x_test, y_test))", (SEARCH_OUT,)),
        ("code", "best_hps = tuner.get_best_hyperparameters(1)[0]\nmodel = tuner.hypermodel.build(best_hps)\n"
                 "model.fit(x_train, y_train, epochs=2, validation_split=0.2)",
         tuple(keras3_fit([0.80, 0.86], [0.84, 0.85]))),
    )
    result = score_imdb(nb, config=CONFIG)
    alternatives = {m.alternative for m in result.models}
    assert alternatives == {"GRU"}
    assert "validates on the test set" in result.flags  # the search validated on the test set


def test_a_layer_the_tuner_chooses_stays_undecided():
    """``hp.Choice`` between two layers: which one the best model holds is not in the code, so
    it is not counted as either (the student is asked to name it)."""
    build = ("import keras_tuner as kt\n\ndef build_model(hp):\n    model = Sequential()\n"
             "    model.add(Embedding(max_features, 32))\n"
             "    if hp.Choice('cell', ['lstm', 'gru']) == 'lstm':\n        model.add(LSTM(32))\n"
             "    else:\n        model.add(GRU(32))\n    model.add(Dense(1, activation='sigmoid'))\n"
             "    return model")
    nb = notebook(
        ("code", LOAD, LOAD_OUT),
        ("code", build),
        ("code", "tuner = kt.RandomSearch(build_model, objective='val_accuracy', max_trials=3)\n"
                 "tuner.search(x_train, y_train, epochs=2, validation_split=0.2)", (SEARCH_OUT,)),
    )
    result = score_imdb(nb, config=CONFIG)
    assert [m.alternative for m in result.models] == [None]
    assert any("Could not tell" in line for line in result.feedback)
    assert _items(result)["validation"] == 2.0  # the split is still the search's


def test_search_on_something_that_is_no_model_is_no_fit():
    source = (LOAD + "\nimport re\nmodel = Sequential([Embedding(max_features, 8), LSTM(8), Dense(1)])\n"
              "found = re.search('a', 'abc')\nindex = {}\nindex.search = None\nindex.search(x_train)\n")
    facts = read_code(notebook(("code", source)).cells)
    assert facts.fits == ()


def test_a_set_add_beside_a_fit_keeps_the_fits():
    """``seen.add(layer)`` in a training function went between `expression` and `scan_calls`
    until the stack ran out; the top-level call holding it was dropped with both fits."""
    source = (LOAD + "\nseen = set()\n\ndef train(layer):\n    seen.add(layer)\n"
              "    m = Sequential([Embedding(max_features, 8), layer, Dense(1)])\n"
              "    m.fit(x_train, y_train, validation_split=0.2)\n\ntrain(LSTM(8))\ntrain(GRU(8))\n")
    facts = read_code(notebook(("code", source)).cells)
    assert [(f.alternative, f.validation.fraction) for f in facts.fits] == [("LSTM", 0.2), ("GRU", 0.2)]


def test_keras_2_0_verbose_2_lines_are_epochs_not_a_stopped_training():
    """Keras 2.0 wrote ``190s - loss: ... - val_acc: ...`` (no dash before the time). Before, no
    epoch was complete ("stopped during an epoch (0 of 3 epochs completed)") and the last
    training accuracy, 0.9972, was taken for the verified test accuracy."""
    log = "Train on 25000 samples, validate on 25000 samples\n" + "".join(
        f"Epoch {k}/3\n190s - loss: {0.5 - k / 10:.4f} - acc: {acc} - val_loss: 0.4242 - val_acc: {val}\n"
        for k, (acc, val) in enumerate([(0.7655, 0.8214), (0.9016, 0.8734), (0.9972, 0.8550)], 1))
    nb = notebook(
        ("code", LOAD, LOAD_OUT),
        ("code", "model = Sequential([Embedding(max_features, 32), LSTM(32), Dense(1, activation='sigmoid')])\n"
                 "model.compile(optimizer='adam', loss='binary_crossentropy', metrics=['accuracy'])\n"
                 "model.fit(x_train, y_train, epochs=3, validation_split=0.2, verbose=2)", (log,)),
        ("code", "score, acc = model.evaluate(x_test, y_test, verbose=2)"),
        ("code", "print('Test score:', score)\nprint('Test accuracy:', acc)",
         ("Test score: 0.859218871113\nTest accuracy: 0.85496\n",)),
    )
    result = score_imdb(nb, config=CONFIG)
    (model,) = result.models
    assert (model.epochs_completed, model.interrupted) == (3, False)
    assert model.test_accuracy == 0.85496 and model.best_val_accuracy == 0.8734
    assert "training stopped mid-epoch" not in result.flags


def _image(size: int) -> str:
    """An image written into markdown, base64 holding "Acc" like a real PNG's can."""
    blob = ("iVBORw0KGgoAAAANSUhEUgAAAAcc+Acc/" * (size // 33 + 1))[:size]
    return f"![figure.png](data:image/png;base64,{blob})"


def test_an_image_in_markdown_is_no_accuracy_claim():
    """The NumPy part's headings beside embedded figures read as "SimpleRNN accuracy 1.1 %, not
    backed by any output" in a notebook without the bonus (a real one, 26th session's set)."""
    nb = notebook(
        ("markdown", "### 1.1 - RNN Cell\n\nThe cell computes one time step.\n\n" + _image(5_000)),
        ("code", "def rnn_cell_forward(xt, a_prev, parameters):\n    return None, None, None"),
        ("markdown", "### 3.1 - Basic RNN  Backward Pass\n\n" + _image(3_000)),
    )
    result = score_imdb(nb, config=CONFIG)
    assert result.status == "absent" and result.claims == ()


def test_an_image_does_not_use_up_the_markdown_read():
    """The bonus reads 300,000 characters of markdown; a figure's base64 counted in them, so a
    report written after a large figure was not read."""
    nb = notebook(
        ("code", LOAD, LOAD_OUT),
        ("code", "model = Sequential([Embedding(max_features, 32), LSTM(32), Dense(1, activation='sigmoid')])\n"
                 "model.compile(optimizer='adam', loss='binary_crossentropy', metrics=['accuracy'])\n"
                 "model.fit(x_train, y_train, epochs=2, validation_split=0.2)\nmodel.evaluate(x_test, y_test)",
         tuple(keras3_fit([0.80, 0.86], [0.84, 0.85])) + tuple(keras2_eval(0.8612))),
        ("markdown", "## Results\n\n" + _image(400_000) + "\n\nThe LSTM reached a test accuracy of 86.12%."),
    )
    result = score_imdb(nb, config=CONFIG)
    assert [(c.alternative, c.value, c.status) for c in result.claims] == [("LSTM", 0.8612, "verified")]
    assert not any("not read in full" in line for line in result.feedback)


TRAIN_AND_REPORT = """def build_lstm(v):
    return Sequential([Embedding(v, 32), LSTM(32), Dense(1, activation='sigmoid')])

def build_gru(v):
    return Sequential([Embedding(v, 32), GRU(32), Dense(1, activation='sigmoid')])

def train_and_score(name, model):
    model.compile(optimizer='adam', loss='binary_crossentropy', metrics=['accuracy'])
    model.fit(x_train, y_train, validation_split=0.2, epochs=2, verbose=2)
    y_pred = (model.predict(x_test, verbose=0) > 0.5).astype('int32').reshape(-1)
    return {'model': name.upper(), 'acc': float((y_pred == y_test).mean()), 'f1': 0.0}"""


def _verbose2(vals: list[float]) -> str:
    return "".join(f"Epoch {k}/{len(vals)}\n313/313 - 70s - 220ms/step - accuracy: 0.8{k} - loss: 0.3 - "
                   f"val_accuracy: {v} - val_loss: 0.33\n" for k, v in enumerate(vals, 1))


def test_a_builders_call_passed_to_a_training_function_is_its_model():
    """``train_and_score("lstm", build_lstm(v))``: the model argument was bound only when it was
    a name, so every fit read "could not tell which recurrent layers" (a real notebook: 2 of 10
    points for three alternatives trained, validated on a 20 % split and tested)."""
    source = LOAD + "\n" + TRAIN_AND_REPORT + "\nres = []\nres.append(train_and_score('lstm', build_lstm(max_features)))\n" \
        "res.append(train_and_score('gru', build_gru(max_features)))\n"
    facts = read_code(notebook(("code", source)).cells)
    assert [(f.alternative, f.validation.fraction) for f in facts.fits] == [("LSTM", 0.2), ("GRU", 0.2)]


def test_a_builder_that_trains_is_walked_once_as_an_argument():
    """A builder that fits its model, passed to another function, is not walked a second time
    for the model it returns: its fit is recorded once."""
    source = LOAD + "\ndef fitted():\n    m = Sequential([Embedding(max_features, 8), LSTM(8), Dense(1)])\n" \
        "    m.fit(x_train, y_train, validation_split=0.2)\n    return m\n\ndef report(model):\n    return 1\n\n" \
        "report(fitted())\n"
    facts = read_code(notebook(("code", source)).cells)
    assert [f.alternative for f in facts.fits] == ["LSTM"]


def test_a_results_table_gives_each_model_the_accuracy_under_its_column():
    """A pandas table ``model acc precision recall f1``: the header was not read as one (the
    ``1`` of ``f1`` made it a line with a number), and a row's accuracy was its last number
    (f1). Now each model's test accuracy is the number under ``acc``."""
    table = ("    model      acc  precision   recall        f1\n"
             "0     LSTM  0.86132   0.861754  0.86072  0.861237\n"
             "1      GRU  0.86120   0.839985  0.89240  0.865400")
    source = TRAIN_AND_REPORT + "\nres = [train_and_score('lstm', build_lstm(max_features)), " \
        "train_and_score('gru', build_gru(max_features))]\npd.DataFrame(res)"
    nb = notebook(("code", LOAD, LOAD_OUT),
                  ("code", source, (_verbose2([0.85, 0.8716]), _verbose2([0.84, 0.8676]), table)))
    result = score_imdb(nb, config=CONFIG)
    tests = {m.alternative: m.test_accuracy for m in result.models}
    assert tests == {"LSTM": 0.86132, "GRU": 0.8612}
    assert _items(result) == {"alternatives": 2.0, "validation": 2.0, "accuracy": 5.0}


def _validation_of(split: str) -> tuple[str, float | None]:
    source = (LOAD + "\n" + split + "model = Sequential([Embedding(max_features, 8), LSTM(8), Dense(1)])\n"
              "model.fit(x_tr, y_tr, validation_data=(x_val, y_val))\n")
    (fit,) = read_code(notebook(("code", source)).cells).fits
    return fit.validation.source, fit.validation.fraction


def test_a_split_of_the_training_data_by_train_test_split_is_validation_from_training():
    """``train_test_split(x_train, y_train, test_size=0.2)`` imported by name: the function's own
    name (holding "test") made every part of the split test data, so the canonical way to hold
    out validation data read as "validates on the test set" (0 of 2 points). Called as
    ``sklearn.model_selection.train_test_split`` it was already right."""
    assert _validation_of("from sklearn.model_selection import train_test_split\n"
                          "x_tr, x_val, y_tr, y_val = train_test_split(x_train, y_train, test_size=0.2)\n") \
        == ("train", 0.2)


def test_a_split_of_data_of_no_known_origin_goes_by_the_names():
    """A data set read from a CSV and split into ``x_test``: validating on it is still validation on
    the test set, by the name; a part named ``x_val`` is not called test data."""
    csv = "texts, labels = load_csv('IMDB Dataset.csv')\n"
    assert _validation_of(csv + "x_tr, x_test, y_tr, y_test = train_test_split(texts, labels, test_size=0.2)\n"
                                "x_val, y_val = x_test, y_test\n")[0] == "test"
    assert _validation_of(csv + "x_tr, x_val, y_tr, y_val = train_test_split(texts, labels, test_size=0.2)\n")[0] \
        == "unknown"


def test_models_kept_in_a_dict_are_models():
    """``models[name] = Sequential([...])`` in a loop over literal pairs, then
    ``models[name].fit(...)``: before, no model had a layer ("could not tell", 0 of 3)."""
    code = ("histories, models = {}, {}\n"
            "for name, layer in [('SimpleRNN', SimpleRNN), ('LSTM', LSTM), ('GRU', GRU)]:\n"
            "    models[name] = Sequential([Embedding(max_features, 32), layer(32), Dense(1, activation='sigmoid')])\n"
            "    models[name].compile(optimizer='adam', loss='binary_crossentropy', metrics=['accuracy'])\n"
            "    histories[name] = models[name].fit(x_train, y_train, epochs=2, validation_split=0.2)\n")
    logs = tuple(keras3_fit([0.7, 0.8], [0.75, 0.79])) + tuple(keras3_fit([0.8, 0.86], [0.84, 0.86])) \
        + tuple(keras3_fit([0.8, 0.87], [0.85, 0.87]))
    evaluate = ("for name in models:\n    loss, acc = models[name].evaluate(x_test, y_test, verbose=0)\n"
                "    print(name, 'test accuracy:', round(acc, 4))")
    nb = notebook(("code", LOAD, LOAD_OUT), ("code", code, logs),
                  ("code", evaluate, ("SimpleRNN test accuracy: 0.7801\nLSTM test accuracy: 0.8523\n"
                                      "GRU test accuracy: 0.8644\n",)))
    result = score_imdb(nb, config=CONFIG)
    assert {m.alternative: m.test_accuracy for m in result.models} == \
        {"SimpleRNN": 0.7801, "LSTM": 0.8523, "GRU": 0.8644}
    assert _items(result) == {"alternatives": 3.0, "validation": 2.0, "accuracy": 5.0}


def test_a_printed_dict_of_accuracies_by_alternative():
    """``print(results)`` of ``{'SimpleRNN': 0.8012, ...}`` in a cell that evaluates: one test
    accuracy per alternative (NumPy 2's ``np.float64(...)`` too). Before, none was read."""
    code = ("def build(layer):\n    m = Sequential([Embedding(max_features, 32), layer, Dense(1, activation='sigmoid')])\n"
            "    m.compile(optimizer='adam', loss='binary_crossentropy', metrics=['accuracy'])\n    return m\n\n"
            "results = {}\nfor name, layer in {'SimpleRNN': SimpleRNN(32), 'LSTM': LSTM(32), 'GRU': GRU(32)}.items():\n"
            "    model = build(layer)\n    model.fit(x_train, y_train, epochs=2, validation_split=0.2, verbose=0)\n"
            "    loss, acc = model.evaluate(x_test, y_test, verbose=0)\n    results[name] = acc\nprint(results)")
    printed = "{'SimpleRNN': np.float64(0.8012), 'LSTM': np.float64(0.8634), 'GRU': np.float64(0.8702)}\n"
    result = score_imdb(notebook(("code", LOAD, LOAD_OUT), ("code", code, (printed,))), config=CONFIG)
    assert {m.alternative: m.test_accuracy for m in result.models} == \
        {"SimpleRNN": 0.8012, "LSTM": 0.8634, "GRU": 0.8702}
    assert _items(result) == {"alternatives": 3.0, "validation": 2.0, "accuracy": 5.0}
    units = "{'LSTM': 0.5, 'some setting': 0.2}\n"  # not every key an alternative: not a results dict
    result = score_imdb(notebook(("code", LOAD, LOAD_OUT), ("code", code, (units,))), config=CONFIG)
    assert all(m.test_accuracy is None for m in result.models)


def test_a_grader_under_tmp_grades_a_notebook_in_tmp_with_tmp_hidden(monkeypatch, tmp_path):
    """A clean clone under /tmp (where a CI job may put it) grading a notebook of /tmp itself: the
    twenty-seventh review's refusal of folders holding the system's took /tmp for one, and the
    clone's test suite failed (tests/test_lead_s25.py). /tmp is hidden instead."""
    import tempfile
    from pathlib import Path

    from grader import protectedpaths

    clone = Path(tempfile.mkdtemp(prefix="s27-clone-", dir="/tmp"))
    try:
        monkeypatch.setattr(protectedpaths, "REPO", clone)
        protected = protectedpaths.protected_paths(Path("/tmp/some-notebook.ipynb"), out_dir=tmp_path / "out")
        # Not refused; /tmp itself protected (since the thirtieth session: the folder, not its
        # entries, tests/test_hostile_s30.py), which a root zygote's own empty /tmp hides already
        # (``_child.SYSTEM_HIDDEN``) and Landlock never grants.
        assert Path("/tmp") in protected and clone not in protected
        from grader import _child
        assert "/tmp" in _child.SYSTEM_HIDDEN
    finally:
        clone.rmdir()


import pytest  # noqa: E402 - the parametrised test below


@pytest.mark.parametrize("mode", [["--check", "NOTEBOOK"], ["--student-kit", "KIT"], ["--gradescope"]])
def test_template_and_known_with_another_command_are_refused_not_ignored(tmp_path, capsys, mode):
    """``--check nb.ipynb --known old/`` ran the check and compared nothing: refused (exit 2), as
    ``--roster`` is, so that nobody believes the comparison was made."""
    import grade
    from tests import notebooks as nbs

    notebook = nbs.write(tmp_path / "nb.ipynb", nbs.course_notebook())
    args = [str(notebook) if a == "NOTEBOOK" else str(tmp_path / "kit") if a == "KIT" else a for a in mode]
    for extra in (["--template", str(notebook)], ["--known", str(tmp_path)]):
        with pytest.raises(SystemExit) as stopped:
            grade.main([*args, *extra, "--gradescope-root", str(tmp_path / "gs")])
        assert stopped.value.code == 2
        assert "--template, --known and --no-similarity go with a class run" in capsys.readouterr().err
    assert not (tmp_path / "kit").exists() and not (tmp_path / "gs").exists()
