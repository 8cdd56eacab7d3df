"""Fast tests of grader.imdb: every report style and log format, written as realistic notebooks.

The notebooks are composed here: code cells as students write them and outputs
as Keras stores them (Keras 2 ``[=====]`` bars rewound with backspaces, Keras 3
``━━━━`` bars inside ANSI colour codes, old ``acc``/``val_acc`` names, evaluate
results as bare lists or progress lines, custom prints).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from grader.imdb import ImdbConfig, ImdbConfigError, load_imdb_config, score_imdb
from grader.imdb.outputs import parse_events, render
from grader.notebook import Cell, Notebook

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ImdbConfig()

# -- composing notebooks -------------------------------------------------------------------


def notebook(*cells: tuple[str, str] | tuple[str, str, tuple[str, ...]]) -> Notebook:
    """A `Notebook` from ``(kind, source[, outputs])`` tuples."""
    built = []
    for k, c in enumerate(cells):
        kind, source = c[0], c[1]
        outputs = c[2] if len(c) > 2 else ()
        built.append(Cell(index=k, kind=kind, source=source, outputs=tuple(outputs)))
    return Notebook(path="student.ipynb", cells=tuple(built), nbformat=(4, 5))


def _bar2(done: int, total: int) -> str:
    """A Keras 2 progress bar ``[=====>....]`` of width 30."""
    n = int(30 * done / total)
    if done == total:
        return "[" + "=" * 30 + "]"
    return "[" + "=" * max(n - 1, 0) + (">" if n else "") + "." * (30 - n) + "]"


def keras2_fit(accs, val_accs, *, steps=625, key="accuracy", samples=False, header="",
               stop_in_epoch=None, updates=6) -> list[str]:
    """Stream fragments of a Keras 2 ``fit(verbose=1)`` in a notebook (backspaces and ``\\r``).

    ``samples``: old Keras counting samples (``20000/20000``) instead of steps.
    ``stop_in_epoch``: the epoch (1-based) during which the student pressed stop.
    """
    frags: list[str] = [header] if header else []
    total_epochs = len(accs)
    for e, (acc, val) in enumerate(zip(accs, val_accs), 1):
        frags.append(f"Epoch {e}/{total_epochs}\n")
        width = 0
        points = [max(1, steps * k // updates) for k in range(1, updates)]
        if stop_in_epoch == e:
            points = points[: updates // 2]
        for done in points + ([] if stop_in_epoch == e else [steps]):
            eta = f"ETA: {(steps - done) // 20}s" if done < steps else ""
            running = round(acc - 0.05 * (steps - done) / steps, 4)
            if done < steps:
                line = (f"{done:>{len(str(steps))}}/{steps} {_bar2(done, steps)} - {eta} - "
                        f"loss: {0.69 - running / 3:.4f} - {key}: {running:.4f}")
            else:
                line = (f"{steps}/{steps} {_bar2(steps, steps)} - 98s 152ms/step - loss: {0.69 - acc / 3:.4f} "
                        f"- {key}: {acc:.4f}" + ("" if val is None else
                                                 f" - val_loss: {0.69 - val / 3:.4f} - val_{key}: {val:.4f}"))
            frags.append("\b" * width + "\r" + line + (" " * max(0, width - len(line))))
            width = len(line)
        if stop_in_epoch == e:
            frags.append("KeyboardInterrupt: ")
            return frags
        frags[-1] += "\n"
    return frags


def keras3_fit(accs, val_accs, *, steps=313, updates=8) -> list[str]:
    """Stream fragments of a Keras 3 ``fit(verbose=1)`` in a notebook: ANSI colours, ``━`` bars."""
    frags: list[str] = []
    n = len(accs)
    w = len(str(steps))
    for e, (acc, val) in enumerate(zip(accs, val_accs), 1):
        frags.append(f"Epoch {e}/{n}\n")
        width = 0
        for done in [max(1, steps * k // updates) for k in range(1, updates)] + [steps, steps]:
            filled = 20 * done // steps
            bar = f"\x1b[32m{'━' * filled}\x1b[0m\x1b[37m{'━' * (20 - filled)}\x1b[0m"
            running = round(acc - 0.04 * (steps - done) / steps, 4)
            line = (f"\x1b[1m{done:>{w}}/{steps}\x1b[0m {bar} \x1b[1m{0 if done < steps else 41}s\x1b[0m "
                    f"130ms/step - accuracy: {running:.4f} - loss: {0.7 - running / 3:.4f}")
            frags.append("\x08" * width + "\r" + line)
            width = len(line) - line.count("\x1b[") * 4
        frags[-1] += f" - val_accuracy: {val:.4f} - val_loss: {0.7 - val / 3:.4f}\n"
    return frags


def keras3_eval(acc: float, steps: int = 782) -> list[str]:
    """A Keras 3 ``evaluate`` progress line and the returned ``[loss, accuracy]``."""
    return [f"\r\x1b[1m{steps}/{steps}\x1b[0m \x1b[32m━━━━━━━━━━━━━━━━━━━━\x1b[0m\x1b[37m\x1b[0m "
            f"\x1b[1m18s\x1b[0m 23ms/step - accuracy: {acc:.4f} - loss: 0.3412\n",
            f"[0.34120306372642517, {acc + 0.00003:.16f}]"]


def keras2_eval(acc: float, *, key: str = "accuracy", steps: int = 782) -> list[str]:
    """A Keras 2 ``evaluate`` progress line (the returned list is not displayed)."""
    return ["\r" + f"{steps}/{steps} {_bar2(steps, steps)} - 21s 27ms/step - loss: 0.3390 - {key}: {acc:.4f}\n"]


LOAD = """import numpy as np
from tensorflow import keras
from tensorflow.keras.datasets import imdb
from tensorflow.keras.preprocessing.sequence import pad_sequences
from tensorflow.keras.models import Sequential
from tensorflow.keras.layers import Embedding, SimpleRNN, LSTM, GRU, Bidirectional, Dense

max_features, maxlen = 10000, 200
(x_train, y_train), (x_test, y_test) = imdb.load_data(num_words=max_features)
x_train = pad_sequences(x_train, maxlen=maxlen)
x_test = pad_sequences(x_test, maxlen=maxlen)
print(len(x_train), "train sequences;", len(x_test), "test sequences")"""
LOAD_OUT = ("Downloading data from https://storage.googleapis.com/tensorflow/tf-keras-datasets/imdb.npz\n"
            "17464789/17464789 [==============================] - 2s 0us/step\n",
            "25000 train sequences; 25000 test sequences\n")

NUMPY_PART = ("code", "def rnn_cell_forward(xt, a_prev, parameters):\n    Wax = parameters['Wax']\n"
              "    a_next = np.tanh(Wax @ xt)\n    return a_next, None, None\n",
              ("a_next[4] = [ 0.59584544  0.18141802]\n",))


def model_cell(var: str, layer: str) -> str:
    """A Sequential model definition cell (list form)."""
    return (f"{var} = Sequential([\n    Embedding(max_features, 32),\n    {layer},\n"
            f"    Dense(1, activation='sigmoid'),\n])\n"
            f"{var}.compile(optimizer='adam', loss='binary_crossentropy', metrics=['accuracy'])")


def three_model_keras3() -> Notebook:
    """A clean Keras 3 submission: SimpleRNN, LSTM, GRU, validation_split=0.2, evaluate lists."""
    cells: list[tuple] = [("markdown", "## 6 BONUS: Sentiment Analysis"), ("code", LOAD, LOAD_OUT)]
    specs = [("rnn_model", "SimpleRNN(32)", [0.61, 0.74, 0.79], [0.70, 0.77, 0.78], 0.7791),
             ("lstm_model", "LSTM(32)", [0.75, 0.88, 0.92], [0.85, 0.87, 0.8712], 0.8664),
             ("gru_model", "GRU(32)", [0.74, 0.89, 0.93], [0.86, 0.88, 0.8790], 0.8759)]
    for var, layer, accs, vals, test in specs:
        cells.append(("code", model_cell(var, layer)))
        cells.append(("code", f"history = {var}.fit(x_train, y_train, epochs=3, batch_size=64, "
                              f"validation_split=0.2)", tuple(keras3_fit(accs, vals))))
        cells.append(("code", f"{var}.evaluate(x_test, y_test)", tuple(keras3_eval(test))))
    return notebook(*cells)


def result_of(nb: Notebook, **files: bytes):
    """Score with the default configuration."""
    return score_imdb(nb, config=CONFIG, extra_files={k.replace("_json", ".json").replace("_yaml", ".yaml"): v
                                                      for k, v in files.items()})


def item(result, name):
    """The scoring item called ``name``."""
    return next(i for i in result.items if i.name == name)


# -- rendering ---------------------------------------------------------------------------


def test_render_replays_backspaces_carriage_returns_and_ansi_over_a_hundred_fragments():
    frags = keras3_fit([0.9], [0.88], updates=120)
    assert len(frags) > 100
    lines = render(frags)
    assert lines[0] == "Epoch 1/1"
    assert len(lines) == 2
    assert "\x1b" not in lines[1] and "\x08" not in lines[1] and "\r" not in lines[1]
    assert lines[1].startswith("313/313 ━━━━━━━━━━━━━━━━━━━━ 41s 130ms/step - accuracy: 0.9000")
    assert lines[1].endswith("val_accuracy: 0.8800 - val_loss: 0.4067")


def test_render_puts_a_returned_value_and_an_error_on_their_own_lines():
    lines = render(["100/100 [====] - 1s - loss: 0.3 - accuracy: 0.87", "[0.3, 0.87]",
                    " 50/391 [===>....] - ETA: 30s - loss: 0.4 - acc: 0.81", "KeyboardInterrupt: "])
    assert lines == ["100/100 [====] - 1s - loss: 0.3 - accuracy: 0.87", "[0.3, 0.87]",
                     " 50/391 [===>....] - ETA: 30s - loss: 0.4 - acc: 0.81", "KeyboardInterrupt:"]


def test_keras2_log_is_parsed_into_epochs_with_validation_accuracy():
    events = parse_events(render(keras2_fit([0.78, 0.86], [0.84, 0.8712])))
    (log,) = events
    assert [e.val_acc for e in log.epochs] == [0.84, 0.8712]
    assert log.completed == 2 and not log.interrupted and log.acc_key == "accuracy"


# -- scoring: the report styles and log formats ------------------------------------------------


def test_keras3_three_alternatives_with_validation_split_earn_full_marks():
    r = result_of(three_model_keras3())
    assert r.status == "graded"
    assert r.points == r.max_points == 10
    assert [m.alternative for m in r.models] == ["SimpleRNN", "LSTM", "GRU"]
    gru = r.models[2]
    assert gru.best_val_accuracy == pytest.approx(0.88) and gru.test_accuracy == pytest.approx(0.8759, abs=1e-4)
    assert gru.validation_source == "train" and gru.validation_fraction == 0.2
    assert gru.cells == (9, 10) and gru.epochs_completed == 3 and not gru.interrupted
    assert r.flags == ()
    assert item(r, "accuracy").message == "best test accuracy in your outputs 0.8759 (GRU): 0.85 or more earns all 5 points"


def test_keras2_old_acc_names_model_add_chains_markdown_table_and_prints():
    cells: list[tuple] = [NUMPY_PART, ("code", LOAD, LOAD_OUT)]
    models = [("m1", ["SimpleRNN(32)"], [0.58, 0.70, 0.76], [0.66, 0.74, 0.7702], 0.7648),
              ("m2", ["LSTM(64, return_sequences=True)", "LSTM(32)"], [0.71, 0.85, 0.90], [0.84, 0.86, 0.8654], 0.8590),
              ("m3", ["Bidirectional(CuDNNLSTM(32))"], [0.77, 0.89, 0.93], [0.86, 0.8868, 0.8801], 0.8702)]
    for var, layers, accs, vals, test in models:
        adds = "".join(f"{var}.add({layer})\n" for layer in layers)
        cells.append(("code", f"{var} = Sequential()\n{var}.add(Embedding(max_features, 32))\n{adds}"
                              f"{var}.add(Dense(1, activation='sigmoid'))\n"
                              f"{var}.compile('rmsprop', 'binary_crossentropy', metrics=['acc'])\n"
                              f"{var}.fit(x_train, y_train, epochs=3, batch_size=128, validation_split=0.2)\n"
                              f"score, acc = {var}.evaluate(x_test, y_test, verbose=0)\n"
                              f"print('Test score:', score)\nprint('Test accuracy:', acc)",
                      tuple(keras2_fit(accs, vals, steps=20000, key="acc", samples=True,
                                       header="Train on 20000 samples, validate on 5000 samples\n"))
                      + (f"Test score: 0.3512\nTest accuracy: {test}\n",)))
    cells.append(("markdown", "### Results\n\n| Alternative | Best val_acc | Test accuracy |\n|:--|--:|--:|\n"
                              "| SimpleRNN | 0.7702 | 76.48 % |\n| Stacked LSTM (2 layers) | 0.8654 | 85.9% |\n"
                              "| Bidirectional LSTM | 0.8868 | 87.02% |\n\n"
                              "We held out 20% of the training data for validation."))
    r = result_of(notebook(*cells))
    assert [m.alternative for m in r.models] == ["SimpleRNN", "LSTM x2", "Bidirectional(LSTM)"]
    assert r.models[1].best_val_accuracy == pytest.approx(0.8654)
    assert r.points == 10
    assert len(r.claims) == 6 and all(c.status == "verified" for c in r.claims)
    assert r.claims[3].alternative == "LSTM x2" and r.claims[3].kind == "test"


def test_custom_prints_functional_builder_in_a_loop_and_sentences():
    cells = [("code", LOAD, LOAD_OUT),
             ("code", "from tensorflow.keras import layers, Model, Input\n\n"
                      "def build(rnn_layer):\n    inputs = Input(shape=(maxlen,))\n"
                      "    x = layers.Embedding(max_features, 64)(inputs)\n    x = rnn_layer(64)(x)\n"
                      "    outputs = layers.Dense(1, activation='sigmoid')(x)\n    model = Model(inputs, outputs)\n"
                      "    model.compile('adam', 'binary_crossentropy', metrics=['accuracy'])\n    return model\n"),
             ("code", "results = {}\nfor name, layer in [('SimpleRNN', layers.SimpleRNN), ('LSTM', layers.LSTM), "
                      "('GRU', layers.GRU)]:\n    model = build(layer)\n"
                      "    model.fit(x_train, y_train, epochs=2, validation_split=0.25, verbose=0)\n"
                      "    loss, acc = model.evaluate(x_test, y_test, verbose=0)\n"
                      "    results[name] = acc\n    print(f'{name} → Test Accuracy: {acc:.4f}')\n",
              ("SimpleRNN → Test Accuracy: 0.8012\nLSTM → Test Accuracy: 0.8633\n",
               "GRU → Test Accuracy: 0.8759\n")),
             ("code", "best = max(results.values())\nprint(f'Accuracy: {best*100:.2f}%')", ("Accuracy: 87.59%\n",)),
             ("markdown", "**Conclusion.** The GRU reached the best test accuracy (87.59%), the LSTM 86.3% "
                          "and the simple RNN 80.1%. We kept 25% of the training set as validation data.")]
    r = result_of(notebook(*cells))
    assert [(m.alternative, m.test_accuracy) for m in r.models] == [("SimpleRNN", 0.8012), ("LSTM", 0.8633),
                                                                     ("GRU", 0.8759)]
    assert all(m.validation_fraction == 0.25 for m in r.models)
    assert r.points == 10
    assert {c.alternative: c.status for c in r.claims} == {"GRU": "verified", "LSTM": "verified",
                                                         "SimpleRNN": "verified"}


def test_validation_on_the_test_set_is_flagged_even_under_other_names():
    cells = [("code", "from keras.datasets import imdb\n(a, b), (c, d) = imdb.load_data(num_words=5000)\n"
                      "a = pad_sequences(a, 100); c = pad_sequences(c, 100)\nxv, yv = c, d"),
             ("code", model_cell("lstm", "LSTM(32)") + "\nlstm.fit(a, b, epochs=2, validation_data=(xv, yv))",
              tuple(keras2_fit([0.8, 0.9], [0.85, 0.8603], steps=782))),
             ("code", "lstm.evaluate(c, d)", tuple(keras2_eval(0.8603))),
             ("code", model_cell("gru", "GRU(32)") + "\ngru.fit(a, b, epochs=2, validation_split=0.2)",
              tuple(keras2_fit([0.8, 0.9], [0.84, 0.8501], steps=625))),
             ("code", "gru.evaluate(c, d)", tuple(keras2_eval(0.8511)))]
    r = result_of(notebook(*cells))
    assert "validates on the test set" in r.flags
    assert [m.validation_source for m in r.models] == ["test", "train"]
    assert item(r, "validation").points == 0
    assert any(f.startswith("Validation uses the test set") and "validation_data=(xv, yv)" in f for f in r.feedback)
    assert item(r, "accuracy").points == 5  # the test accuracy itself is still measured
    assert item(r, "alternatives").points == 2


def test_a_fabricated_claim_is_contradicted_and_earns_nothing():
    nb = three_model_keras3()
    fake = ("markdown", "## Report\n- SimpleRNN: 77.9% test accuracy\n- LSTM: **91.2%** test accuracy\n"
                        "- GRU: 87.6%\n- Bidirectional LSTM: 93.5% test accuracy")
    literal = ("code", "print('Bidirectional LSTM test accuracy: 93.50%')", ("Bidirectional LSTM test accuracy: 93.50%\n",))
    nb = notebook(*[(c.kind, c.source, c.outputs) for c in nb.cells], fake, literal)
    r = result_of(nb)
    status = {(c.source.split()[0], c.alternative): c.status for c in r.claims}
    assert status[("markdown", "LSTM")] == "contradicted"
    assert status[("markdown", "SimpleRNN")] == "verified" and status[("markdown", "GRU")] == "verified"
    assert status[("markdown", "Bidirectional(LSTM)")] == "unverified"
    assert status[("text", "Bidirectional(LSTM)")] == "unverified"  # a number typed into a print is a claim
    assert "claim contradicted by outputs" in r.flags and "unverified claim" in r.flags
    assert item(r, "accuracy").message.startswith("best test accuracy in your outputs 0.8759")
    assert all(m.alternative != "Bidirectional(LSTM)" for m in r.models)
    lstm = next(c for c in r.claims if c.alternative == "LSTM")
    assert "0.8664" in lstm.evidence
    assert any("91.2%" in f and "0.8664" in f for f in r.feedback)


def test_claim_with_no_outputs_at_all_is_unverified_and_accuracy_scores_zero():
    cells = [("code", LOAD), ("code", model_cell("m1", "SimpleRNN(32)") + "\nm1.fit(x_train, y_train, validation_split=0.2)"),
             ("code", model_cell("m2", "LSTM(32)") + "\nm2.fit(x_train, y_train, validation_split=0.2)"),
             ("code", model_cell("m3", "GRU(32)") + "\nm3.fit(x_train, y_train, validation_split=0.2)"),
             ("code", "for m in (m1, m2, m3):\n    print(m.evaluate(x_test, y_test, verbose=0))"),
             ("markdown", "| model | test acc |\n|---|---|\n| RNN | 0.78 |\n| LSTM | 0.87 |\n| GRU | 0.88 |")]
    r = result_of(notebook(*cells))
    assert r.status == "code_only"
    assert item(r, "alternatives").points == 3 and item(r, "validation").points == 2
    assert item(r, "accuracy").points == 0 and "no outputs" in item(r, "accuracy").message
    assert {c.status for c in r.claims} == {"unverified"}
    assert "no outputs" in r.flags
    assert any("without outputs" in f for f in r.feedback)


def test_notebook_without_the_bonus_scores_zero_with_a_clear_message():
    nb = notebook(("markdown", "# Assignment 4\n5. Report the best accuracy you got in each of the 3 "
                               "considered alternatives."), NUMPY_PART,
                  ("code", "a, y, caches = rnn_forward(x, a0, parameters)\nprint(a.shape)", ("(5, 10, 4)\n",)))
    r = result_of(nb)
    assert r.status == "absent" and r.points == 0 and r.max_points == 10
    assert r.feedback[0].startswith("IMDB bonus not attempted (it is optional)")
    assert r.items == () and r.flags == ()  # nothing scored, nothing failed


def test_report_dict_literal_in_a_code_cell():
    nb = three_model_keras3()
    report = ("code", "imdb_report = {\n  'validation_split': 0.2,\n  'models': [\n"
                      "    {'alternative': 'SimpleRNN', 'best_val_accuracy': 0.78, 'test_accuracy': 0.7791},\n"
                      "    {'alternative': 'LSTM', 'best_val_accuracy': '87.12%', 'test_accuracy': '86.64%'},\n"
                      "    {'alternative': 'GRU', 'best_val_accuracy': 0.879, 'test_accuracy': 0.8759}]}")
    r = result_of(notebook(*[(c.kind, c.source, c.outputs) for c in nb.cells], report))
    assert len(r.claims) == 6
    assert all(c.status == "verified" and c.source == "imdb_report in cell 12" for c in r.claims)
    assert r.points == 10


@pytest.mark.parametrize("name,payload", [
    ("imdb_report.json", json.dumps({"validation": {"split": 0.2, "from": "training"},
                                     "models": [{"alternative": "LSTM", "test_accuracy": 0.8664},
                                                {"alternative": "GRU", "test_accuracy": 0.8759},
                                                {"alternative": "SimpleRNN", "test_accuracy": 0.7791}]}).encode()),
    ("imdb_report.yaml", b"validation_split: 20%\nLSTM: {test_accuracy: 86.64%}\nGRU:\n  test_accuracy: 87.59\n"
                         b"SimpleRNN: 0.7791\n"),
])
def test_report_file_beside_the_notebook(name, payload):
    r = score_imdb(three_model_keras3(), config=CONFIG, extra_files={name: payload})
    assert {c.alternative for c in r.claims} == {"LSTM", "GRU", "SimpleRNN"}
    assert all(c.status == "verified" and c.source == name for c in r.claims)
    assert r.points == 10


def test_broken_report_file_is_reported_not_fatal():
    r = score_imdb(three_model_keras3(), config=CONFIG, extra_files={"imdb_report.json": b"{oops"})
    assert r.points == 10
    assert any(f.startswith("imdb_report.json could not be read") for f in r.feedback)


def test_training_stopped_mid_epoch_uses_completed_epochs_only():
    cells = [("code", LOAD, LOAD_OUT),
             ("code", model_cell("model", "LSTM(32)") + "\nmodel.fit(x_train, y_train, epochs=4, validation_split=0.2)",
              tuple(keras2_fit([0.80, 0.88, 0.93, 0.95], [0.85, 0.8702, 0.86, 0.85], stop_in_epoch=3))),
             ("code", "loss, acc = model.evaluate(x_test, y_test, verbose=0)\nprint('Accuracy: %.2f%%' % (acc*100))",
              ("Accuracy: 86.10%\n",))]
    r = result_of(notebook(*cells))
    (m,) = r.models
    assert m.interrupted and m.epochs_completed == 2 and m.epochs_planned == 4
    assert m.val_accuracies == (0.85, 0.8702) and m.test_accuracy == pytest.approx(0.861)
    assert "training stopped mid-epoch" in r.flags
    assert any("stopped during an epoch (2 of 4 epochs completed)" in f for f in r.feedback)


def test_evaluate_as_progress_line_only_and_summary_names_the_alternative():
    summary = ('Model: "sequential_1"\n_________________________________________________________________\n'
               " Layer (type)                Output Shape              Param #   \n"
               "=================================================================\n"
               " embedding_1 (Embedding)     (None, None, 32)          320000    \n"
               " gru (GRU)                   (None, 32)                6336      \n"
               " dense_1 (Dense)             (None, 1)                 33        \n"
               "=================================================================\nTotal params: 326,369\n")
    cells = [("code", LOAD, LOAD_OUT),
             ("code", "for units in [32]:\n    model = make_model(units)\n    model.summary()\n"
                      "    model.fit(x_train, y_train, epochs=2, validation_split=0.2)\n"
                      "    model.evaluate(x_test, y_test)",
              (summary,) + tuple(keras2_fit([0.8, 0.9], [0.85, 0.861])) + tuple(keras2_eval(0.8588)))]
    r = result_of(notebook(*cells))
    (m,) = r.models
    assert m.alternative == "GRU" and m.alternative_from == "summary"
    assert m.test_accuracy == pytest.approx(0.8588)


def test_syntax_errors_are_tolerated():
    cells = [("code", LOAD, LOAD_OUT),
             ("code", model_cell("model", "LSTM(32)") + "\nmodel.fit(x_train, y_train, epochs=2, validation_split=0.2)\n"
                      "print('done'\n", tuple(keras2_fit([0.8, 0.9], [0.85, 0.861])) + ("SyntaxError: '(' was never closed",))]
    r = result_of(notebook(*cells))
    assert r.models[0].alternative == "LSTM"
    assert any("could not be parsed (cell 2)" in f for f in r.feedback)


def test_scorer_never_imports_tensorflow():
    code = ("import sys\nfrom grader.imdb import score_imdb, ImdbConfig\nfrom tests.test_imdb_score import "
            "three_model_keras3\nscore_imdb(three_model_keras3(), config=ImdbConfig())\n"
            "bad = [m for m in ('tensorflow', 'keras') if m in sys.modules]\nassert not bad, bad\n")
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)


# -- configuration -----------------------------------------------------------------------


def test_shipped_rubric_equals_the_defaults():
    assert load_imdb_config(ROOT / "rubrics" / "imdb.yaml") == ImdbConfig()


def test_config_errors_name_file_line_and_key(tmp_path):
    p = tmp_path / "imdb.yaml"
    p.write_text("alternatives:\n  points: 3\n  requried: 3\n")
    with pytest.raises(ImdbConfigError, match=r"imdb.yaml:3: alternatives.requried: unknown key"):
        load_imdb_config(p)
    p.write_text("imdb:\n  accuracy:\n    bands:\n      - {min: 0.8, points: 5}\n      - {min: 0.85, points: 2}\n")
    with pytest.raises(ImdbConfigError, match=r"imdb.yaml:5: accuracy.bands\[1\].min must be below"):
        load_imdb_config(p)
    p.write_text("validation:\n  unstated_share: 1.5\n")
    with pytest.raises(ImdbConfigError, match=r"imdb.yaml:2: validation.unstated_share must be between 0 and 1"):
        load_imdb_config(p)


def test_config_from_a_rubric_mapping():
    c = load_imdb_config({"alternatives": {"points": 6, "required": 2}, "accuracy": {"bands": [{"min": 0.8, "points": 4}]}},
                         source="rubrics/main.yaml", line=40)
    assert c.max_points == 6 + 2 + 4 and c.alternatives_required == 2
    with pytest.raises(ImdbConfigError, match=r"rubrics/main.yaml \(imdb section at line 40\): validation.points must be >= 0"):
        load_imdb_config({"validation": {"points": -1}}, source="rubrics/main.yaml", line=40)
    r = score_imdb(three_model_keras3(), config=c)
    assert r.points == r.max_points == 12


def test_printed_history_pandas_table_and_bare_name_value_lines():
    cells = [("code", LOAD, LOAD_OUT),
             ("code", "from keras.layers import LSTM as L\nVAL = 0.15\n"
                      "a = Sequential([Embedding(max_features, 8), SimpleRNN(8, return_sequences=True), SimpleRNN(8)])\n"
                      "b = Sequential([Embedding(max_features, 8), L(8)])\n"
                      "c = Sequential([Embedding(max_features, 8), GRU(8)])\n"
                      "models = {'SimpleRNN x2': a, 'LSTM': b, 'GRU': c}\nhist = {}\n"
                      "for name, model in models.items():\n"
                      "    model.compile('adam', 'binary_crossentropy', metrics=['accuracy'])\n"
                      "    hist[name] = model.fit(x_train, y_train, epochs=2, validation_split=VAL, verbose=0)\n"
                      "    print(name, 'val acc:', hist[name].history['val_accuracy'])",
              ("SimpleRNN x2 val acc: [0.7402, 0.7731]\nLSTM val acc: [0.8423, 0.8688]\n",
               "GRU val acc: [0.8501, 0.8712]\n")),
             ("code", "import pandas as pd\nrows = [(n, m.evaluate(x_test, y_test, verbose=0)[1]) for n, m in models.items()]\n"
                      "pd.DataFrame(rows, columns=['model', 'test_accuracy'])",
              ("          model  test_accuracy\n0  SimpleRNN x2         0.7702\n1          LSTM         0.8631\n"
               "2           GRU         0.8655",)),
             ("code", "for n, m in models.items():\n    print(f'{n}: {m.evaluate(x_test, y_test, verbose=0)[1]:.2%}')",
              ("SimpleRNN x2: 77.02%\nLSTM: 86.31%\nGRU: 86.55%\n",)),
             ("code", "print(hist['GRU'].history['val_accuracy'])", ("[0.8501, 0.8712]\n",))]
    r = result_of(notebook(*cells))
    assert [m.alternative for m in r.models] == ["SimpleRNN x2", "LSTM", "GRU"]
    assert [m.best_val_accuracy for m in r.models] == [0.7731, 0.8688, 0.8712]
    assert [m.test_accuracy for m in r.models] == [0.7702, 0.8631, 0.8655]
    assert all(m.validation_fraction == 0.15 for m in r.models)
    assert r.points == 10


def test_markdown_list_with_validation_and_test_per_line_and_evaluate_dict():
    nb = three_model_keras3()
    cells = [(c.kind, c.source, c.outputs) for c in nb.cells]
    cells[-1] = ("code", "gru_model.evaluate(x_test, y_test, return_dict=True, verbose=0)",
                 ("{'accuracy': 0.8759000062942505, 'loss': 0.30611}",))
    cells.append(("markdown", "Results (validation = last 20% of the training set):\n\n"
                              "* SimpleRNN: val_acc = 0.78, test_acc = 0.7791\n"
                              "* LSTM: val_acc = 0.8712, test_acc = 0.8664\n"
                              "* GRU: val_acc = 0.8790, test_acc = 0.8759\n"))
    r = result_of(notebook(*cells))
    got = {(c.alternative, c.kind): (c.value, c.status) for c in r.claims}
    assert got[("LSTM", "val")] == (0.8712, "verified") and got[("LSTM", "test")] == (0.8664, "verified")
    assert got[("GRU", "test")] == (0.8759, "verified")
    assert got[("SimpleRNN", "val")] == (0.78, "verified")
    assert r.models[2].test_accuracy == pytest.approx(0.8759)
    assert r.points == 10


def test_mislabelled_claim_matching_another_model_is_not_verified():
    nb = three_model_keras3()
    cells = [(c.kind, c.source, c.outputs) for c in nb.cells]
    cells.append(("markdown", "Best test accuracy: Bidirectional GRU with 87.59%."))
    r = result_of(notebook(*cells))
    (claim,) = r.claims
    assert claim.alternative == "Bidirectional(GRU)" and claim.status == "unverified"
    assert "GRU model's output" in claim.evidence


def test_transposed_markdown_table_with_alternatives_as_columns():
    nb = three_model_keras3()
    cells = [(c.kind, c.source, c.outputs) for c in nb.cells]
    cells.append(("markdown", "| | SimpleRNN | LSTM | GRU |\n|---|---|---|---|\n"
                              "| Validation accuracy | 0.78 | 0.8712 | 0.879 |\n"
                              "| Test accuracy | 77.91% | 86.64% | 87.59% |"))
    r = result_of(notebook(*cells))
    assert [(c.alternative, c.kind, c.status) for c in r.claims] == [
        ("SimpleRNN", "val", "verified"), ("LSTM", "val", "verified"), ("GRU", "val", "verified"),
        ("SimpleRNN", "test", "verified"), ("LSTM", "test", "verified"), ("GRU", "test", "verified")]


def _summary3(layer: str, cls: str) -> str:
    """A Keras 3 ``model.summary()`` as stored (box drawing, colour codes kept)."""
    return (f'\x1b[1mModel: "sequential"\x1b[0m\n┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━┓\n'
            f"┃\x1b[1m Layer (type)               \x1b[0m┃\x1b[1m Output Shape    \x1b[0m┃\x1b[1m   Param # \x1b[0m┃\n"
            f"│ embedding (\x1b[38;5;33mEmbedding\x1b[0m)      │ (None, 200, 32) │   320,000 │\n"
            f"│ {layer} (\x1b[38;5;33m{cls}\x1b[0m)       │ (None, 32)      │     2,080 │\n"
            f"└────────────────────────────┴─────────────────┴───────────┘\n"
            f"\x1b[1m Total params: \x1b[0m\x1b[38;5;34m322,113\x1b[0m (1.23 MB)\n")


def test_loop_over_models_the_code_cannot_resolve_is_split_by_its_summaries():
    outs: list[str] = []
    for layer, cls, acc in [("simple_rnn", "SimpleRNN", 0.78), ("bidirectional", "Bidirectional", 0.86),
                            ("gru", "GRU", 0.87)]:
        outs += [_summary3(layer, cls)] + keras3_fit([0.8, 0.9], [acc - 0.01, acc]) + keras3_eval(acc - 0.005)
    cells = [("code", LOAD, LOAD_OUT),
             ("code", "for kind in chosen_kinds():\n    model = make(kind)\n    model.summary()\n"
                      "    model.fit(x_train, y_train, epochs=2, validation_split=0.2)\n    model.evaluate(x_test, y_test)",
              tuple(outs))]
    r = result_of(notebook(*cells))
    assert [(m.alternative, m.alternative_from) for m in r.models] == [
        ("SimpleRNN", "summary"), ("Bidirectional", "summary"), ("GRU", "summary")]
    assert [m.test_accuracy for m in r.models] == [0.775, 0.855, 0.865]
    assert r.points == 10


def test_the_assignment_text_itself_is_not_a_claim():
    statement = ("## 3 Long Short-Term Memory (LSTM) network\nImplement the LSTM cell described in Figure 4.\n\n"
                 "| | |\n|--|--|\n| **a_next[4]**: | [-0.66408471 0.0036921 0.02088357] |\n"
                 "| **c_next.shape**: | (5, 10) |\n\n## 6 BONUS: Sentiment Analysis\n"
                 "5. Report the best accuracy you got in each of the 3 considered alternatives.")
    r = result_of(notebook(("markdown", statement), NUMPY_PART))
    assert r.claims == () and r.status == "absent"


def test_callback_messages_and_prints_during_training_keep_the_log_whole():
    frags = keras2_fit([0.80, 0.88, 0.90], [0.85, 0.8702, 0.8650])
    # ModelCheckpoint(verbose=1) and a student's callback print between epochs
    k = next(i for i, f in enumerate(frags) if f.startswith("Epoch 2/3"))
    frags[k:k] = ["\nEpoch 1: val_accuracy improved from -inf to 0.85000, saving model to best.keras\n",
                  "epoch done, val acc 0.85\n"]
    cells = [("code", LOAD, LOAD_OUT),
             ("code", model_cell("model", "Bidirectional(LSTM(32))") +
              "\nmodel.fit(x_train, y_train, epochs=3, validation_split=0.2, callbacks=[ckpt, Printer()])", tuple(frags)),
             ("code", "print('Model: Bi-directional LSTM, test accuracy', model.evaluate(x_test, y_test, verbose=0)[1])",
              ("Model: Bi-directional LSTM, test accuracy 0.8644\n",))]
    r = result_of(notebook(*cells))
    (m,) = r.models
    assert m.alternative == "Bidirectional(LSTM)" and m.epochs_completed == 3 and not m.interrupted
    assert m.best_val_accuracy == 0.8702 and m.test_accuracy == 0.8644


def test_helpers_that_load_and_train_are_followed_into():
    cells = [("code", "def get_data(n=10000, maxlen=200):\n    (a, b), (c, d) = imdb.load_data(num_words=n)\n"
                      "    return pad_sequences(a, maxlen), b, pad_sequences(c, maxlen), d\n"
                      "p, q, r, s = get_data()"),
             ("code", "def train_eval(model, name):\n    model.compile('adam', 'binary_crossentropy', metrics=['acc'])\n"
                      "    model.fit(p, q, epochs=2, validation_data=(r, s))\n"
                      "    print(name, 'test accuracy:', model.evaluate(r, s, verbose=0)[1])\n"
                      "m = Sequential([Embedding(10000, 16), GRU(16)])\nscores = []\n"
                      "scores.append(train_eval(m, 'gru'))",
              tuple(keras2_fit([0.8, 0.9], [0.85, 0.86], key="acc")) + ("gru test accuracy: 0.8611\n",))]
    r = result_of(notebook(*cells))
    (m,) = r.models
    assert (m.alternative, m.name, m.validation_source, m.test_accuracy) == ("GRU", "m", "test", 0.8611)
    assert "validates on the test set" in r.flags


def _k3_line(acc: float, val: float | None = None, steps: int = 157) -> str:
    """The single progress line of a Keras 3 one-epoch fit (no ``Epoch 1/1`` header) or evaluate."""
    tail = f" - val_accuracy: {val:.4f} - val_loss: 0.4012" if val is not None else ""
    return (f"\r\x1b[1m{steps}/{steps}\x1b[0m \x1b[32m━━━━━━━━━━━━━━━━━━━━\x1b[0m\x1b[37m\x1b[0m \x1b[1m32s\x1b[0m "
            f"201ms/step - accuracy: {acc:.4f} - loss: 0.4856{tail}\n")


def test_keras3_one_epoch_fits_have_no_epoch_header():
    cells = [("code", LOAD, LOAD_OUT),
             ("code", model_cell("a", "LSTM(32)") + "\na.fit(x_train, y_train, validation_split=0.2)\n"
                      "a.evaluate(x_test, y_test)", (_k3_line(0.7712, 0.8421), _k3_line(0.8399, steps=782))),
             ("code", model_cell("b", "GRU(32)") + "\nb.fit(x_train, y_train, epochs=1)\nb.evaluate(x_test, y_test)",
              (_k3_line(0.7810), _k3_line(0.8502, steps=782)))]
    r = result_of(notebook(*cells))
    a, b = r.models
    assert (a.alternative, a.epochs_completed, a.best_val_accuracy, a.test_accuracy) == ("LSTM", 1, 0.8421, 0.8399)
    assert (b.alternative, b.epochs_completed, b.best_val_accuracy, b.test_accuracy) == ("GRU", 1, None, 0.8502)
    assert b.validation_source == "none"


def test_silent_fits_in_an_unrolled_loop_get_their_own_evaluations():
    cells = [("code", LOAD, LOAD_OUT),
             ("code", "for layer in [SimpleRNN(32), LSTM(32), GRU(32)]:\n"
                      "    m = Sequential([Embedding(max_features, 32), layer, Dense(1, activation='sigmoid')])\n"
                      "    m.compile('adam', 'binary_crossentropy', metrics=['accuracy'])\n"
                      "    m.fit(x_train, y_train, epochs=3, validation_split=0.2, verbose=0)\n"
                      "    print(m.evaluate(x_test, y_test, verbose=0))",
              ("[0.4811, 0.7911]\n[0.3312, 0.8633]\n[0.3170, 0.8712]\n",))]
    r = result_of(notebook(*cells))
    assert [(m.alternative, m.test_accuracy) for m in r.models] == [("SimpleRNN", 0.7911), ("LSTM", 0.8633),
                                                                     ("GRU", 0.8712)]
    assert r.points == 10


def test_evaluations_after_two_logs_in_one_cell_go_to_their_own_models():
    cells = [("code", LOAD, LOAD_OUT),
             ("code", model_cell("lstm", "LSTM(32)") + "\n" + model_cell("gru", "GRU(32)") +
              "\nlstm.fit(x_train, y_train, epochs=2, validation_split=0.2)\n"
              "gru.fit(x_train, y_train, epochs=2, validation_split=0.2)\n"
              "lstm.evaluate(x_test, y_test)\ngru.evaluate(x_test, y_test)",
              tuple(keras2_fit([0.8, 0.9], [0.85, 0.8611])) + tuple(keras2_fit([0.8, 0.9], [0.85, 0.8702]))
              + tuple(keras2_eval(0.8590)) + tuple(keras2_eval(0.8688)))]
    r = result_of(notebook(*cells))
    assert [(m.alternative, m.best_val_accuracy, m.test_accuracy) for m in r.models] == [
        ("LSTM", 0.8611, 0.8590), ("GRU", 0.8702, 0.8688)]


def test_results_pasted_in_markdown_without_any_training_code():
    nb = notebook(NUMPY_PART, ("markdown", "## Bonus\nLSTM test accuracy: 88.1%, GRU test accuracy: 87.3%, "
                                           "SimpleRNN test accuracy: 80.2%."))
    r = result_of(nb)
    assert r.status == "graded" and r.points == 0
    assert len(r.claims) == 3 and {c.status for c in r.claims} == {"unverified"}
    assert "no outputs" in r.flags and "unverified claim" in r.flags
    assert any(f.startswith("No training code with outputs was found") for f in r.feedback)


def test_markdown_numbers_that_are_not_accuracies_are_not_claims():
    from grader.imdb.claims import claims_from_markdown

    claims, statements = claims_from_markdown(
        "LSTM: loss 0.31, accuracy 0.87. The GRU had a test score of 0.35 and an accuracy of 86.5%. "
        "With dropout 0.2 and a learning rate of 0.001 the SimpleRNN reached 0.79 test accuracy after 3 epochs. "
        "We used a validation split of 0.25.", "markdown cell 9")
    assert [(c.alternative, c.kind, c.value) for c in claims] == [("LSTM", "", 0.87), ("GRU", "", 0.865),
                                                                 ("SimpleRNN", "test", 0.79)]
    assert [(s.fraction, s.origin) for s in statements] == [(0.25, "")]


def test_builder_functions_choosing_the_layer_by_name_are_resolved_or_left_to_the_outputs():
    builder = ("code", "LAYERS = {'rnn': SimpleRNN, 'lstm': LSTM, 'gru': GRU}\n\n"
                       "def create_model(kind, bidirectional=False):\n    model = Sequential()\n"
                       "    model.add(Embedding(max_features, 32))\n    if kind.lower() == 'lstm':\n"
                       "        rnn = LSTM(32)\n    elif kind == 'gru':\n        rnn = GRU(32)\n    else:\n"
                       "        rnn = LAYERS[kind](32)\n    if bidirectional:\n        rnn = Bidirectional(rnn)\n"
                       "    model.add(rnn)\n    model.add(Dense(1, activation='sigmoid'))\n"
                       "    model.compile('adam', 'binary_crossentropy', metrics=['accuracy'])\n    return model\n")
    cells = [("code", LOAD, LOAD_OUT), builder,
             ("code", "a = create_model('rnn')\na.fit(x_train, y_train, epochs=2, validation_split=0.2)",
              tuple(keras3_fit([0.7, 0.8], [0.75, 0.7801]))),
             ("code", "b = create_model('LSTM', bidirectional=True)\nb.fit(x_train, y_train, epochs=2, validation_split=0.2)",
              tuple(keras3_fit([0.8, 0.9], [0.85, 0.8802]))),
             ("code", "c = create_model(input('kind? '))\nc.summary()\nc.fit(x_train, y_train, epochs=2, validation_split=0.2)",
              (_summary3("gru", "GRU"),) + tuple(keras3_fit([0.8, 0.9], [0.86, 0.8844])))]
    r = result_of(notebook(*cells))
    assert [(m.alternative, m.alternative_from) for m in r.models] == [
        ("SimpleRNN", "code"), ("Bidirectional(LSTM)", "code"), ("GRU", "summary")]


# -- memos and the walk's pre-filter: never another result ---------------------------------------


def _fresh(nb: Notebook):
    """The result with every memo of the bonus emptied first."""
    from grader.imdb.score import clear_memos

    clear_memos()
    return result_of(nb)


@pytest.fixture
def walk_always(monkeypatch):
    """A function scoring a notebook as before the pre-filter: every cell walked, memos empty."""
    from grader.imdb import source

    def score(nb: Notebook):
        with monkeypatch.context() as m:
            m.setattr(source, "_may_record", lambda text: True)
            m.setattr(source, "_worth_walking", lambda cell_source, cells=None: True)
            result = _fresh(nb)
        _fresh(nb)  # leave no memo filled under the patch
        return result
    return score


ALIAS_LOAD = ("from tensorflow import keras as K\n"
              "(xa, ya), (xb, yb) = K.datasets.imdb.load_data(num_words=5000)\n")


@pytest.mark.parametrize("cells, check", [
    # imported under an alias: only K.layers.LSTM and .fit give it away
    ([("code", ALIAS_LOAD),
      ("code", "net = K.Sequential([K.layers.Embedding(5000, 8), K.layers.LSTM(8), K.layers.Dense(1)])\n"
               "net.fit(xa, ya, epochs=2, validation_split=0.25)", tuple(keras3_fit([0.8, 0.9], [0.84, 0.851]))),
      ("code", "net.evaluate(xb, yb)", tuple(keras3_eval(0.8466)))],
     lambda r: [m.alternative for m in r.models] == ["LSTM"] and r.models[0].validation_source == "train"),
    # the layer under another name, the fit written with full-width letters (Python folds them)
    ([("code", ALIAS_LOAD + "from tensorflow.keras.layers import LSTM as L\n"),
      ("code", "m = K.Sequential([K.layers.Embedding(5000, 8), L(8), K.layers.Dense(1)])\n"
               "m.ｆｉｔ(xa, ya, epochs=2, validation_split=0.2)", tuple(keras3_fit([0.8, 0.9], [0.84, 0.852])))],
     lambda r: len(r.models) == 1 and r.models[0].validation_fraction == 0.2),
    # results only in markdown
    ([("code", "import numpy as np\nx = np.zeros(3)"),
      ("markdown", "| model | test accuracy |\n|---|---|\n| LSTM | 85.1% |\n| GRU | 86.0% |")],
     lambda r: {c.alternative for c in r.claims} == {"LSTM", "GRU"}),
    # results only in an output, printed from a variable
    ([("code", "summary_text = open('imdb_runs.txt').read()\nprint(summary_text)",
       ("LSTM test accuracy: 0.8512\nGRU test accuracy: 0.8601\n",))],
     lambda r: r.status == "graded" and any(m.test_accuracy == 0.8601 for m in r.models)),
    # a report variable in capitals, its labels in lower case
    ([("code", "Results = {'lstm': {'test_accuracy': 0.85}, 'gru': {'test_accuracy': 0.86}}")],
     lambda r: {c.alternative for c in r.claims} == {"LSTM", "GRU"}),
    # a recurrent layer built, nothing trained: only the attribute names it
    ([("code", "from tensorflow import keras as K\nnet = K.Sequential([K.layers.GRU(8)])")],
     lambda r: r.status != "absent"),
    # no bonus at all: the numpy part only
    ([NUMPY_PART, ("code", "np.random.seed(1)\nprint(rnn_cell_forward(1, 2, 3))", ("0.5\n",))],
     lambda r: r.status == "absent"),
])
def test_the_walk_is_skipped_only_where_it_would_record_nothing(cells, check, walk_always):
    nb = notebook(*cells)
    expected = walk_always(nb)
    assert check(expected)
    for _ in range(3):  # cold, then memos admitting, then warm
        assert result_of(nb) == expected


def test_the_same_cells_in_two_notebooks_keep_each_notebooks_surroundings():
    fit = ("code", "history = model.fit(x_train, y_train, epochs=2, validation_data=(x_val, y_val))\n"
                   "print('LSTM test accuracy:', round(model.evaluate(x_test, y_test)[1], 4))",
           tuple(keras3_fit([0.8, 0.9], [0.84, 0.851])) + ("LSTM test accuracy: 0.8512\n",))
    build = ("code", model_cell("model", "LSTM(32)"))
    held_out = "x_val, y_val = x_train[:5000], y_train[:5000]\nx_train, y_train = x_train[5000:], y_train[5000:]"
    from_train = notebook(("code", LOAD, LOAD_OUT), build, ("code", held_out), fit)
    from_test = notebook(("code", LOAD, LOAD_OUT), build,
                         ("code", "x_val, y_val = x_test[:5000], y_test[:5000]"), fit)
    # the same output, printed by code that spells the number out: a claim, not evidence
    spelt = notebook(("code", LOAD, LOAD_OUT), build, ("code", held_out),
                     (fit[0], fit[1].replace("round(model.evaluate(x_test, y_test)[1], 4)", "0.8512"), fit[2]))
    expected = [_fresh(nb) for nb in (from_train, from_test, spelt)]
    assert expected[0].models[0].validation_source == "train"
    assert expected[1].models[0].validation_source == "test"
    assert expected[0].models[0].test_accuracy == 0.8512 and expected[2].models[0].test_accuracy is None
    for _ in range(3):
        for nb, want in zip((from_train, from_test, spelt), expected):
            assert result_of(nb) == want


def test_scoring_with_full_memos_gives_the_same_results(monkeypatch):
    from grader.imdb import score, source

    notebooks = [three_model_keras3(), notebook(NUMPY_PART), notebook(("code", LOAD, LOAD_OUT), NUMPY_PART)]
    expected = [_fresh(nb) for nb in notebooks]
    memos = (source._CELL_MEMO, source._TEXT_MEMO, source._LITERALS_MEMO, source._WALK_MEMO,
             score._OUTPUTS_MEMO, score._MARKDOWN_MEMO)
    for memo in memos:
        monkeypatch.setattr(memo, "max_entries", 1)
    score.clear_memos()
    for _ in range(4):
        for nb, want in zip(notebooks, expected):
            assert result_of(nb) == want
    assert all(len(memo) <= 1 for memo in memos)
