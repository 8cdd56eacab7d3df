"""Benchmark of notebook reading and extraction.

Prints, for a typical 20-cell submission (imports, six graded functions with
docstrings and template markers, their test cells, markdown between) and for a
notebook carrying 100 MB of outputs:

- load: reading and parsing the file (grader.notebook.load)
- extract: grader.extract.extract on the loaded notebook
- program: assembling the executable program

Run from the repository root:  python3 benchmarks/bench_extract.py [--repeat N] [--mb 100]
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from grader.extract import extract  # noqa: E402
from grader.notebook import load  # noqa: E402

_DOC = '''    """
    {title}

    Arguments:
    x -- input data, numpy array of shape (n_x, m, T_x)
    a0 -- initial hidden state, numpy array of shape (n_a, m)
    parameters -- python dictionary containing:
                        Wax -- weight matrix multiplying the input, numpy array of shape (n_a, n_x)
                        Waa -- weight matrix multiplying the hidden state, numpy array of shape (n_a, n_a)
                        Wya -- weight matrix relating the hidden state to the output, shape (n_y, n_a)
                        ba -- bias, numpy array of shape (n_a, 1)
                        by -- bias relating the hidden state to the output, shape (n_y, 1)

    Returns:
    a -- hidden states for every time step, numpy array of shape (n_a, m, T_x)
    y_pred -- predictions for every time step, numpy array of shape (n_y, m, T_x)
    caches -- tuple of values needed for the backward pass
    """
'''

_BODY = '''    caches = []
    n_x, m, T_x = x.shape
    n_y, n_a = parameters["Wya"].shape
    ### START CODE HERE ###
    a = np.zeros((n_a, m, T_x))
    y_pred = np.zeros((n_y, m, T_x))
    a_next = a0
    for t in range(T_x):
        xt = x[:, :, t]
        z = np.dot(parameters["Wax"], xt) + np.dot(parameters["Waa"], a_next) + parameters["ba"]
        a_next = np.tanh(z)
        yt = softmax(np.dot(parameters["Wya"], a_next) + parameters["by"])
        a[:, :, t] = a_next
        y_pred[:, :, t] = yt
        caches.append((a_next, a0, xt, parameters))
    ### END CODE HERE ###
    caches = (caches, x)
    return a, y_pred, caches
'''

_TEST = '''np.random.seed(1)
x_tmp = np.random.randn(3, 10, 4)
a0_tmp = np.random.randn(5, 10)
parameters_tmp = {{}}
parameters_tmp['Waa'] = np.random.randn(5, 5)
parameters_tmp['Wax'] = np.random.randn(5, 3)
parameters_tmp['Wya'] = np.random.randn(2, 5)
parameters_tmp['ba'] = np.random.randn(5, 1)
parameters_tmp['by'] = np.random.randn(2, 1)
a_tmp, y_pred_tmp, caches_tmp = {name}(x_tmp, a0_tmp, parameters_tmp)
print("a[4][1] = \\n", a_tmp[4][1])
print("a.shape = \\n", a_tmp.shape)
print("y_pred[1][3] =\\n", y_pred_tmp[1][3])
print("y_pred.shape = \\n", y_pred_tmp.shape)
print("caches[1][1][3] =\\n", caches_tmp[1][1][3])
print("len(caches) = \\n", len(caches_tmp))
{name}_test({name})
'''

NAMES = ("rnn_cell_forward", "rnn_forward", "lstm_cell_forward", "lstm_forward", "rnn_cell_backward",
         "rnn_backward")


def _cell(kind: str, source: str, outputs: list | None = None) -> dict:
    """One nbformat-4 cell dictionary, source stored as a list of lines."""
    cell = {"cell_type": kind, "metadata": {}, "source": source.splitlines(keepends=True)}
    if kind == "code":
        cell.update(execution_count=1, outputs=outputs or [])
    return cell


def typical_notebook() -> dict:
    """20 cells: 1 import cell, 6 graded functions, 6 test cells, 7 markdown cells."""
    cells = [_cell("markdown", "# Building a Recurrent Neural Network\n\nStep by step, in NumPy."),
             _cell("code", "import numpy as np\nfrom rnn_utils import *\nfrom public_tests import *\n")]
    for name in NAMES:
        cells.append(_cell("markdown", f"## {name}\n\nImplement the function described in the figure."))
        source = (f"# UNQ_C1 (UNIQUE CELL IDENTIFIER, DO NOT EDIT)\n# GRADED FUNCTION: {name}\n\n"
                  f"def {name}(x, a0, parameters):\n" + _DOC.format(title=name) + _BODY)
        cells.append(_cell("code", source))
        out = [{"output_type": "stream", "name": "stdout", "text": ["a[4][1] = \n", " [0.1 0.2 0.3]\n"] * 6}]
        cells.append(_cell("code", _TEST.format(name=name), out))
    cells = cells[:20]
    return {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": cells}


def huge_outputs_notebook(megabytes: int) -> dict:
    """The typical notebook plus a training cell whose log weighs ``megabytes`` MB."""
    nb = typical_notebook()
    line = "Epoch 1/10 - 12s - loss: 0.6931 - accuracy: 0.5000 - val_loss: 0.6930\r"
    chunk = line * (2**20 // len(line))
    outputs = [{"output_type": "stream", "name": "stdout", "text": chunk} for _ in range(megabytes)]
    nb["cells"].append(_cell("code", "history = model.fit(x_train, y_train, epochs=10)\n", outputs))
    return nb


def _times(fn, repeat: int) -> tuple[float, float, float]:
    """(min wall, median wall, median CPU) time of ``fn()`` in milliseconds.

    CPU time is the figure to trust on a busy machine: wall time also counts
    the time other processes hold the cores.
    """
    wall, cpu = [], []
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        cpu.append((time.process_time() - start_cpu) * 1000)
        wall.append((time.perf_counter() - start) * 1000)
    return min(wall), statistics.median(wall), statistics.median(cpu)


def main(argv: list[str] | None = None) -> int:
    """Write the two notebooks to a temporary folder and print timings."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=200, help="runs of the 20-cell notebook (default 200)")
    parser.add_argument("--mb", type=int, default=100, help="size of the outputs notebook in MB (default 100)")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        small = Path(tmp) / "typical.ipynb"
        small.write_text(json.dumps(typical_notebook()), encoding="utf-8")
        nb = load(small)
        ex = extract(nb)
        assert len(ex.functions) == 6, list(ex.functions)
        print(f"typical notebook: {len(nb.cells)} cells ({len(nb.code_cells)} code), "
              f"{os.path.getsize(small) / 1024:.0f} KB, {len(ex.functions)} functions")
        for label, fn in (("load", lambda: load(small)), ("extract", lambda: extract(nb)),
                          ("program", lambda: ex.program()),
                          ("load + extract + program", lambda: extract(load(small)).program())):
            best, median, cpu = _times(fn, args.repeat)
            print(f"  {label:<26} wall min {best:7.2f} ms  median {median:7.2f} ms   CPU median {cpu:7.2f} ms")

        big = Path(tmp) / "huge.ipynb"
        with open(big, "w", encoding="utf-8") as fh:
            json.dump(huge_outputs_notebook(args.mb), fh)
        size_mb = os.path.getsize(big) / 2**20
        rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        start, start_cpu = time.perf_counter(), time.process_time()
        big_nb = load(big)
        loaded, loaded_cpu = time.perf_counter(), time.process_time()
        big_ex = extract(big_nb)
        done = time.perf_counter()
        rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        assert len(big_ex.functions) == 6
        print(f"outputs notebook: {size_mb:.0f} MB on disk, {len(big_nb.cells)} cells")
        print(f"  load {1000 * (loaded - start):6.0f} ms wall ({1000 * (loaded_cpu - start_cpu):.0f} ms CPU)   "
              f"extract {1000 * (done - loaded):6.1f} ms   peak RSS {rss_after:.0f} MB (was {rss_before:.0f} MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
