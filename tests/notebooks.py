"""Student notebooks written for the tests and for ``submissions/``.

Everything here was written for this project: two correct solutions in
different styles, and ways to derive wrong, broken and hostile variants from
them. ``python3 -m tests.notebooks DIR`` writes the example class shipped in
``submissions/``.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

# The course's layout: one cell per function with the template's markers, test
# cells in between that call the function and print (their outputs stored).
COURSE_CELLS = {
    "rnn_cell_forward": '''# GRADED FUNCTION: rnn_cell_forward

def rnn_cell_forward(xt, a_prev, parameters):
    """One time step of the basic RNN cell."""
    # Retrieve parameters from "parameters"
    Wax = parameters["Wax"]
    Waa = parameters["Waa"]
    Wya = parameters["Wya"]
    ba = parameters["ba"]
    by = parameters["by"]

    ### START CODE HERE ### (≈2 lines)
    # compute next activation state using the formula given above
    a_next = np.tanh(np.dot(Waa, a_prev) + np.dot(Wax, xt) + ba)
    # compute output of the current cell using the formula given above
    yt_pred = softmax(np.dot(Wya, a_next) + by)
    ### END CODE HERE ###

    # store values you need for backward propagation in cache
    cache = (a_next, a_prev, xt, parameters)

    return a_next, yt_pred, cache
''',
    "rnn_forward": '''# GRADED FUNCTION: rnn_forward

def rnn_forward(x, a0, parameters):
    """Forward propagation over T_x time steps."""
    caches = []
    n_x, m, T_x = x.shape
    n_y, n_a = parameters["Wya"].shape

    ### START CODE HERE ###
    a = np.zeros((n_a, m, T_x))
    y_pred = np.zeros((n_y, m, T_x))
    a_next = a0
    for t in range(T_x):
        a_next, yt_pred, cache = rnn_cell_forward(x[:, :, t], a_next, parameters)
        a[:, :, t] = a_next
        y_pred[:, :, t] = yt_pred
        caches.append(cache)
    ### END CODE HERE ###

    caches = (caches, x)
    return a, y_pred, caches
''',
    "lstm_cell_forward": '''# GRADED FUNCTION: lstm_cell_forward

def lstm_cell_forward(xt, a_prev, c_prev, parameters):
    """One time step of the LSTM cell."""
    Wf = parameters["Wf"]
    bf = parameters["bf"]
    Wi = parameters["Wi"]
    bi = parameters["bi"]
    Wc = parameters["Wc"]
    bc = parameters["bc"]
    Wo = parameters["Wo"]
    bo = parameters["bo"]
    Wy = parameters["Wy"]
    by = parameters["by"]

    n_x, m = xt.shape
    n_y, n_a = Wy.shape

    ### START CODE HERE ###
    concat = np.zeros((n_a + n_x, m))
    concat[: n_a, :] = a_prev
    concat[n_a :, :] = xt

    ft = sigmoid(np.dot(Wf, concat) + bf)
    it = sigmoid(np.dot(Wi, concat) + bi)
    cct = np.tanh(np.dot(Wc, concat) + bc)
    c_next = ft * c_prev + it * cct
    ot = sigmoid(np.dot(Wo, concat) + bo)
    a_next = ot * np.tanh(c_next)

    yt_pred = softmax(np.dot(Wy, a_next) + by)
    ### END CODE HERE ###

    cache = (a_next, c_next, a_prev, c_prev, ft, it, cct, ot, xt, parameters)
    return a_next, c_next, yt_pred, cache
''',
    "lstm_forward": '''# GRADED FUNCTION: lstm_forward

def lstm_forward(x, a0, parameters):
    """LSTM forward propagation over T_x time steps."""
    caches = []
    n_x, m, T_x = x.shape
    n_y, n_a = parameters["Wy"].shape

    ### START CODE HERE ###
    a = np.zeros((n_a, m, T_x))
    c = np.zeros((n_a, m, T_x))
    y = np.zeros((n_y, m, T_x))
    a_next = a0
    c_next = np.zeros(a_next.shape)
    for t in range(T_x):
        a_next, c_next, yt, cache = lstm_cell_forward(x[:, :, t], a_next, c_next, parameters)
        a[:, :, t] = a_next
        y[:, :, t] = yt
        c[:, :, t] = c_next
        caches.append(cache)
    ### END CODE HERE ###

    caches = (caches, x)
    return a, y, c, caches
''',
    "rnn_cell_backward": '''def rnn_cell_backward(da_next, cache):
    """Backward pass of one RNN time step."""
    (a_next, a_prev, xt, parameters) = cache
    Wax = parameters["Wax"]
    Waa = parameters["Waa"]
    Wya = parameters["Wya"]
    ba = parameters["ba"]
    by = parameters["by"]

    ### START CODE HERE ###
    dtanh = (1 - a_next ** 2) * da_next
    dxt = np.dot(Wax.T, dtanh)
    dWax = np.dot(dtanh, xt.T)
    da_prev = np.dot(Waa.T, dtanh)
    dWaa = np.dot(dtanh, a_prev.T)
    dba = np.sum(dtanh, axis=1, keepdims=True)
    ### END CODE HERE ###

    gradients = {"dxt": dxt, "da_prev": da_prev, "dWax": dWax, "dWaa": dWaa, "dba": dba}
    return gradients
''',
    "rnn_backward": '''def rnn_backward(da, caches):
    """Backward pass over the whole sequence."""
    ### START CODE HERE ###
    (caches, x) = caches
    (a1, a0, x1, parameters) = caches[0]
    n_a, m, T_x = da.shape
    n_x, m = x1.shape

    dx = np.zeros((n_x, m, T_x))
    dWax = np.zeros((n_a, n_x))
    dWaa = np.zeros((n_a, n_a))
    dba = np.zeros((n_a, 1))
    da0 = np.zeros((n_a, m))
    da_prevt = np.zeros((n_a, m))

    for t in reversed(range(T_x)):
        gradients = rnn_cell_backward(da[:, :, t] + da_prevt, caches[t])
        dxt, da_prevt, dWaxt, dWaat, dbat = gradients["dxt"], gradients["da_prev"], gradients["dWax"], gradients["dWaa"], gradients["dba"]
        dx[:, :, t] = dxt
        dWax += dWaxt
        dWaa += dWaat
        dba += dbat
    da0 = da_prevt
    ### END CODE HERE ###

    gradients = {"dx": dx, "da0": da0, "dWax": dWax, "dWaa": dWaa, "dba": dba}
    return gradients
''',
}

# The same maths in another student's style: matrix products with @, the
# weights of the stacked input, list comprehensions, own helper functions.
ALT_CELLS = {
    "helpers": '''import numpy as np

def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))

def softmax(z):
    e = np.exp(z - z.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)
''',
    "rnn": '''def rnn_cell_forward(xt, a_prev, parameters):
    p = parameters
    h = np.tanh(p["Wax"] @ xt + p["Waa"] @ a_prev + p["ba"])
    return h, softmax(p["Wya"] @ h + p["by"]), (h, a_prev, xt, parameters)

def rnn_forward(x, a0, parameters):
    steps = x.shape[2]
    hs, ys, caches, h = [], [], [], a0
    for t in range(steps):
        h, yt, cache = rnn_cell_forward(x[..., t], h, parameters)
        hs.append(h); ys.append(yt); caches.append(cache)
    return np.stack(hs, axis=-1), np.stack(ys, axis=-1), (caches, x)
''',
    "lstm": '''def lstm_cell_forward(xt, a_prev, c_prev, parameters):
    p = parameters
    z = np.vstack([a_prev, xt])
    forget = sigmoid(p["Wf"] @ z + p["bf"])
    update = sigmoid(p["Wi"] @ z + p["bi"])
    candidate = np.tanh(p["Wc"] @ z + p["bc"])
    c_next = forget * c_prev + update * candidate
    out = sigmoid(p["Wo"] @ z + p["bo"])
    a_next = out * np.tanh(c_next)
    y = softmax(p["Wy"] @ a_next + p["by"])
    return a_next, c_next, y, (a_next, c_next, a_prev, c_prev, forget, update, candidate, out, xt, parameters)

def lstm_forward(x, a0, parameters):
    a_list, c_list, y_list, caches = [], [], [], []
    a_t, c_t = a0, np.zeros_like(a0)
    for t in range(x.shape[-1]):
        a_t, c_t, y_t, cache = lstm_cell_forward(x[:, :, t], a_t, c_t, parameters)
        a_list.append(a_t); c_list.append(c_t); y_list.append(y_t); caches.append(cache)
    return np.dstack(a_list), np.dstack(y_list), np.dstack(c_list), (caches, x)
''',
    "backward": '''def rnn_cell_backward(da_next, cache):
    a_next, a_prev, xt, parameters = cache
    g = da_next * (1.0 - np.square(a_next))
    return {
        "dxt": parameters["Wax"].T @ g,
        "da_prev": parameters["Waa"].T @ g,
        "dWax": g @ xt.T,
        "dWaa": g @ a_prev.T,
        "dba": g.sum(axis=1).reshape(-1, 1),
    }

def rnn_backward(da, caches):
    cache_list, x = caches
    n_a, m, T_x = da.shape
    grads = {"dx": np.zeros_like(x), "dWax": 0.0, "dWaa": 0.0, "dba": 0.0}
    carry = np.zeros((n_a, m))
    for t in range(T_x - 1, -1, -1):
        g = rnn_cell_backward(da[:, :, t] + carry, cache_list[t])
        grads["dx"][:, :, t] = g["dxt"]
        grads["dWax"] = grads["dWax"] + g["dWax"]
        grads["dWaa"] = grads["dWaa"] + g["dWaa"]
        grads["dba"] = grads["dba"] + g["dba"]
        carry = g["da_prev"]
    grads["da0"] = carry
    return grads
''',
}


def _keras_log(epochs: list[tuple[float, float, float, float]], steps: int = 313) -> str:
    """A Keras 3 fit log as a notebook stores it (verbose=2 lines)."""
    lines = []
    for k, (loss, acc, val_loss, val_acc) in enumerate(epochs, 1):
        lines.append(f"Epoch {k}/{len(epochs)}")
        lines.append(f"{steps}/{steps} - 41s - 130ms/step - accuracy: {acc:.4f} - loss: {loss:.4f}"
                     f" - val_accuracy: {val_acc:.4f} - val_loss: {val_loss:.4f}")
    return "\n".join(lines) + "\n"


def imdb_cells() -> list[dict]:
    """The bonus as a student would leave it: three alternatives, a validation split from the
    training data, training logs and test evaluations stored, and a report in markdown."""
    load = code_cell(
        "from tensorflow import keras\n"
        "from tensorflow.keras import layers\n"
        "(x_train, y_train), (x_test, y_test) = keras.datasets.imdb.load_data(num_words=10000)\n"
        "x_train = keras.utils.pad_sequences(x_train, maxlen=200)\n"
        "x_test = keras.utils.pad_sequences(x_test, maxlen=200)\n", count=20)
    cells = [markdown_cell("## Bonus: sentiment analysis on IMDB\n\n"
                           "We keep 20% of the training data for validation."), load]
    runs = [
        ("SimpleRNN", "rnn_model", [(0.62, 0.64, 0.55, 0.73), (0.45, 0.79, 0.50, 0.77)], 0.7712),
        ("LSTM", "lstm_model", [(0.48, 0.77, 0.37, 0.84), (0.30, 0.88, 0.33, 0.86)], 0.8581),
        ("GRU", "gru_model", [(0.47, 0.77, 0.35, 0.85), (0.28, 0.89, 0.32, 0.87)], 0.8637),
    ]
    for k, (layer, var, epochs, test_acc) in enumerate(runs):
        code = (f"{var} = keras.Sequential([\n"
                f"    layers.Embedding(10000, 32),\n"
                f"    layers.{layer}(32),\n"
                f"    layers.Dense(1, activation='sigmoid'),\n"
                f"])\n"
                f"{var}.compile(optimizer='adam', loss='binary_crossentropy', metrics=['accuracy'])\n"
                f"history = {var}.fit(x_train, y_train, epochs={len(epochs)}, batch_size=64,\n"
                f"                    validation_split=0.2, verbose=2)\n"
                f"loss, acc = {var}.evaluate(x_test, y_test, verbose=0)\n"
                f"print('{layer} test accuracy:', round(acc, 4))\n")
        text = _keras_log(epochs) + f"{layer} test accuracy: {test_acc}\n"
        cells.append(code_cell(code, outputs=[stream(text)], count=21 + k))
    cells.append(markdown_cell(
        "| model | best test accuracy |\n|---|---|\n"
        "| SimpleRNN | 77.12% |\n| LSTM | 85.81% |\n| GRU | 86.37% |\n"))
    return cells


def code_cell(source: str, outputs: list | None = None, count: int | None = None) -> dict:
    return {"cell_type": "code", "execution_count": count, "metadata": {},
            "outputs": outputs or [], "source": source.splitlines(keepends=True)}


def markdown_cell(source: str) -> dict:
    return {"cell_type": "markdown", "metadata": {}, "source": source.splitlines(keepends=True)}


def stream(text: str) -> dict:
    return {"output_type": "stream", "name": "stdout", "text": text}


def notebook(cells: list[dict]) -> dict:
    """An nbformat 4.4 notebook dict."""
    return {"cells": cells, "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                                        "language": "python"}},
            "nbformat": 4, "nbformat_minor": 4}


def course_notebook(overrides: dict[str, str] | None = None, *, extra_cells: list[dict] = ()) -> dict:
    """The course layout with the six functions; ``overrides`` replaces a function's cell."""
    cells = overrides or {}
    out = [markdown_cell("# Building a Recurrent Neural Network - Step by Step"),
           code_cell("import numpy as np\nfrom rnn_utils import *\n", count=1)]
    for k, (name, source) in enumerate(COURSE_CELLS.items()):
        out.append(markdown_cell(f"## {name}"))
        out.append(code_cell(cells.get(name, source), count=2 * k + 2))
        out.append(code_cell(
            f"np.random.seed(1)\n# test cell for {name}\nprint('{name} ran')\n",
            outputs=[stream(f"{name} ran\n")], count=2 * k + 3))
    out.extend(extra_cells)
    return notebook(out)


def alt_notebook() -> dict:
    return notebook([code_cell(source) for source in ALT_CELLS.values()])


def mutate(name: str, old: str, new: str) -> dict[str, str]:
    """An override for ``course_notebook``: ``name``'s course cell with ``old`` replaced by ``new``."""
    source = COURSE_CELLS[name]
    if old not in source:
        raise ValueError(f"{old!r} not in {name}")
    return {name: source.replace(old, new, 1)}


def edited(*edits: tuple[str, str, str]) -> dict[str, str]:
    """Overrides for ``course_notebook``: course cells with each ``(function, old, new)`` applied, several
    to one cell in order."""
    cells: dict[str, str] = {}
    for name, old, new in edits:
        source = cells.get(name, COURSE_CELLS[name])
        if old not in source:
            raise ValueError(f"{old!r} not in {name}")
        cells[name] = source.replace(old, new, 1)
    return cells


def write(path: Path, nb: dict) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def write_example_class(folder: Path) -> list[Path]:
    """The example submissions shipped in ``submissions/``."""
    folder = Path(folder)
    written = [
        write(folder / "ada_correct.ipynb", course_notebook(extra_cells=imdb_cells())),
        write(folder / "grace_other_style.ipynb", alt_notebook()),
        write(folder / "alan_partly_wrong.ipynb", course_notebook({
            **mutate("rnn_cell_forward", "+ ba)", ")"),
            **mutate("rnn_backward", "da[:, :, t] + da_prevt", "da[:, :, t]"),
        })),
        write(folder / "edsger_unfinished.ipynb", course_notebook({
            **mutate("lstm_cell_forward", "cct = np.tanh(np.dot(Wc, concat) + bc)", "cct = None"),
            **mutate("lstm_forward", "for t in range(T_x):", "for t in range(None):"),
        })),
        write(folder / "barbara_loops_forever.ipynb", course_notebook(
            mutate("rnn_forward", "    caches = (caches, x)", "    while True:\n        pass\n    caches = (caches, x)"))),
    ]
    broken = folder / "donald_truncated.ipynb"
    text = json.dumps(course_notebook())
    broken.write_text(text[: len(text) // 3], encoding="utf-8")
    written.append(broken)
    return written


if __name__ == "__main__":
    for p in write_example_class(Path(sys.argv[1] if len(sys.argv) > 1 else "submissions")):
        print(p)
