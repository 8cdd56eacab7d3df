"""Benchmark of notebook reading and extraction.

Prints, for a typical 20-cell submission (imports, six graded functions with
docstrings and template markers, their test cells, markdown between) and for a
notebook carrying 100 MB of outputs:

- load: reading and parsing the file (grader.notebook.load)
- extract: grader.extract.extract on the loaded notebook, with its per-process
  memos emptied before each run (a notebook never seen) and warm (the same
  notebook again: every cell memoised)
- program: assembling the executable program

Run from the repository root:  python3 benchmarks/bench_extract.py [--repeat N] [--mb 100]

With ``--class FOLDER`` it prints instead, per notebook of a graded class, the
CPU time the grading worker spends before and after the sandbox: reading plus
extraction plus the program (``load``, ``extract``, the runner's
``needed_functions``, ``Extraction.program``) and the IMDB bonus
(``score_imdb``).  Each pass runs in a fresh process that first warms up on a
notebook of its own, then measures every notebook of the folder once, in name
order, so that per-process memos hold what a worker would have seen; the
figure per notebook is the median over the passes.  ``--code DIR`` measures the
``grader`` package of another checkout (e.g. a ``git worktree`` of an older
commit):

    python3 benchmarks/bench_extract.py --class FOLDER --passes 5   (e.g. bench_grading.py --keep DIR: DIR/class-400)

With ``--hostile N`` it prints instead the CPU time of extracting one cell of N
top-level statements of each of a few shapes a hostile (or generated) notebook
may hold: constants, ``if`` blocks, imports, trivial defs, defs with a
placeholder, lines that do not parse, and one def with N empty ``START CODE
HERE`` regions; with ``--code
DIR`` for another checkout's ``grader`` package.  Extraction runs in the
worker without a time limit, so its cost must not grow much faster than the
cell:

    python3 benchmarks/bench_extract.py --hostile 2000 [--code DIR]

With ``--hostile-limits`` it prints instead, for each shape of :data:`WORST_SHAPES` (many short
lines, one long line, deep nesting, huge literals, many defs, lines that do not parse, IPython
syntax, one huge graded function, bonus calls; :data:`CELL_SHAPES`, many small cells; and
:data:`BONUS_SHAPES`, markdown and outputs the IMDB bonus reads, at 1 MB and ``--bonus-mb``), the CPU
seconds each stage of the grader spends
outside the sandbox on the worst notebook of that shape: the course's notebook plus code cells of
the shape filling the size limits (``grader.notebook.SIZE_LIMITS``: cells of
``max_cell_chars``, up to ``max_code_chars`` in all), then the same shape as one cell of
``--mb`` MB (which the limits skip); for the many-cells shapes, a notebook of ``max_cells`` cells
and one of ``--cells``. Stages: ``read``, ``extract`` (with the functions needed and
the program), ``compile`` (the program, as the worker does before the child loads it),
``imdb``, ``md`` (``feedback.md``, ``results.json`` and the record: the worker's report texts),
``html`` (the feedback page) and ``similarity`` (normalising the graded functions); per process,
``worker`` (the first five) and ``main`` (the grading process: the last two). Per-process memos
are emptied before each notebook. With ``--code DIR`` another checkout's ``grader`` (for example
the code before the limits) is measured; ``--skip WORD,...`` measures the shapes naming one of the
words within the limits only (without limits, some shapes cost minutes at 1 MB):

    python3 benchmarks/bench_extract.py --hostile-limits [--mb 1] [--code DIR] [--only SHAPE] [--skip WORDS]
                                        [--bonus-mb 20]
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
from typing import Any, Callable

_ROOT = Path(__file__).resolve().parent.parent
if "--code" in sys.argv[1:-1]:  # measure another checkout's grader package
    sys.path.insert(0, str(Path(sys.argv[sys.argv.index("--code") + 1]).resolve()))
else:
    sys.path.insert(0, str(_ROOT))

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


def _class_pass(folder: Path, rubric_path: Path) -> dict[str, tuple[float, float]]:
    """One pass over ``folder`` in this process: notebook name -> (ms before the sandbox, ms IMDB).

    The first figure is CPU time of ``load`` + ``extract`` + ``needed_functions``
    + ``program`` as ``grader.runner.grade_submission`` calls them; the second
    of ``score_imdb``.  Unreadable notebooks are left out.
    """
    from grader.imdb import load_imdb_config, score_imdb
    from grader.notebook import SubmissionError
    from grader.rubric import load_rubric
    from grader.runner import needed_functions

    rubric = load_rubric(rubric_path)
    config = load_imdb_config(rubric.imdb)
    roots = [f for part in rubric.parts for f in (part.function, *part.depends)]

    def before(path: Path):
        """What the runner does before starting the sandbox."""
        notebook = load(path)
        extraction = extract(notebook)
        needed = needed_functions(extraction.functions, roots, facts={})
        extraction.program(omit=[n for n in extraction.functions if n not in needed])
        return notebook

    with tempfile.TemporaryDirectory() as tmp:  # warm-up on a notebook of our own
        warm = Path(tmp) / "warm.ipynb"
        warm.write_text(json.dumps(huge_outputs_notebook(0)), encoding="utf-8")
        for _ in range(3):
            score_imdb(before(warm), config=config, extra_files={})
    figures: dict[str, tuple[float, float]] = {}
    clock = time.process_time
    for path in sorted(folder.glob("*.ipynb")):
        start = clock()
        try:
            notebook = before(path)
        except SubmissionError:
            continue
        middle = clock()
        score_imdb(notebook, config=config, extra_files={})
        figures[path.name] = ((middle - start) * 1000, (clock() - middle) * 1000)
    return figures


def _kind(name: str) -> str:
    """The kind of a generated submission from its file name (``s0001_correct.ipynb`` -> ``correct``)."""
    stem = Path(name).stem
    return stem.split("_", 1)[1] if "_" in stem else stem


def _pct(values: list[float], q: float) -> float:
    """The ``q``-quantile of ``values`` (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered) + 0.5) - 1))]


def class_main(args: argparse.Namespace) -> int:
    """``--class``: passes in fresh processes, then per-kind and overall figures."""
    import subprocess

    folder = Path(args.class_folder).resolve()
    runs: list[dict[str, list[float]]] = []
    for _ in range(args.passes):
        cmd = [sys.executable, str(Path(__file__).resolve()), "--one-pass", str(folder),
               "--rubric", str(Path(args.rubric).resolve())]
        if args.code:
            cmd += ["--code", str(args.code)]
        out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
        runs.append(json.loads(out))
    names = sorted(runs[0])
    per = {n: (statistics.median(r[n][0] for r in runs), statistics.median(r[n][1] for r in runs))
           for n in names}
    print(f"class {folder}: {len(names)} readable notebooks, {args.passes} passes "
          f"(code: {args.code or _ROOT}); CPU ms per notebook, median over passes")
    print(f"  {'kind':<14} {'n':>4} | {'load+extract+program':>22} {'p95':>7} | {'imdb':>7} {'p95':>7}")
    kinds = sorted({_kind(n) for n in names})
    for kind in kinds + ["all"]:
        chosen = [n for n in names if kind == "all" or _kind(n) == kind]
        a = [per[n][0] for n in chosen]
        b = [per[n][1] for n in chosen]
        print(f"  {kind:<14} {len(chosen):>4} | {statistics.median(a):>22.2f} {_pct(a, 0.95):>7.2f} | "
              f"{statistics.median(b):>7.2f} {_pct(b, 0.95):>7.2f}")
    print(f"  load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


HOSTILE_SHAPES = {
    "constants": lambda n: "".join(f"x{i} = {i}\n" for i in range(n)),
    "if blocks": lambda n: "".join(f"if x:\n    y{i} = 1\n" for i in range(n)),
    "imports": lambda n: "".join(f"import m{i}\n" for i in range(n)),
    "trivial defs": lambda n: "".join(f"def f{i}(x):\n    return x\n" for i in range(n)),
    "defs with a placeholder": lambda n: "".join(f"def f{i}(x):\n    a = None\n    return a\n" for i in range(n)),
    "lines that do not parse": lambda n: "".join(f"x{i} = (\n" for i in range(n)),
    "empty START/END regions": lambda n: "def f(x):\n" + "".join(
        "    ### START CODE HERE ###\n    ### END CODE HERE ###\n" for _ in range(n)) + "    return x\n",
}


def hostile_main(n: int) -> int:
    """``--hostile N``: CPU time of extracting one cell of each shape of :data:`HOSTILE_SHAPES`."""
    from grader.notebook import Cell, Notebook

    print(f"one cell of {n} statements of each shape (code: {Path(sys.path[0])}); "
          f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    for name, make in HOSTILE_SHAPES.items():
        source = make(n)
        notebook = Notebook(path="hostile.ipynb", cells=(Cell(0, "code", source, ()),), nbformat=(4, 5))
        started = time.process_time()
        extract(notebook)
        print(f"  {name:<26} {len(source) / 1024:7.0f} kB  {time.process_time() - started:8.3f} s CPU")
    return 0


def _repeat(head: str, unit: str, tail: str) -> Callable[[int], str]:
    """A shape: ``head``, then ``unit`` as many times as fits in ``chars``, then ``tail``."""
    return lambda chars: head + unit * max(1, (chars - len(head) - len(tail)) // len(unit)) + tail


def _numbered(make: Callable[[int], str], head: str = "", tail: str = "") -> Callable[[int], str]:
    """A shape: ``head``, then ``make(i)`` for i = 0, 1, ... while it fits in ``chars``, then ``tail``."""
    def build(chars: int) -> str:
        """The text, at most ``chars`` characters (at least one unit)."""
        parts, size, i = [head], len(head) + len(tail), 0
        while True:
            unit = make(i)
            if size + len(unit) > chars and i:
                break
            parts.append(unit)
            size += len(unit)
            i += 1
        return "".join(parts) + tail
    return build


_NESTED_IFS = "".join("    " * d + "if x:\n" for d in range(90)) + "    " * 90 + "y = 1\n"

#: Shapes of code that cost the grader most per character (``--hostile-limits``): name -> function
#: of a number of characters giving a cell of at most that many.
WORST_SHAPES: dict[str, Callable[[int], str]] = {
    "short lines (x = 1)": _repeat("", "x = 1\n", ""),
    "distinct constants": _numbered(lambda i: f"x{i} = {i}\n"),
    "short lines (x)": _repeat("", "x\n", ""),
    "one long line (list)": _repeat("x = [", "1, ", "]\n"),
    "one long line (sum)": _repeat("x = 1", " + 1", "\n"),
    "string literal": _repeat('x = "', "a", '"\n'),
    "triple-quoted lines": _repeat('x = """\n', "abc\n", '"""\n'),
    "nested ifs (90 deep)": _repeat("", _NESTED_IFS, ""),
    "nested brackets (180)": _repeat("", "x = " + "(" * 180 + "1" + ")" * 180 + "\n", ""),
    "trivial defs": _numbered(lambda i: f"def f{i}(x):\n    return x\n"),
    "defs with free names": _numbered(lambda i: f"def f{i}(x):\n    return y{i} + x\n"),
    "defs with a placeholder": _numbered(lambda i: f"def f{i}(x):\n    a = None\n    return a\n"),
    "lines that do not parse": _numbered(lambda i: f"x{i} = (\n"),
    "magics": _repeat("", "%time x\n", ""),
    "console prompts": _repeat("", ">>> x = 1\n", ""),
    "one huge graded def": _repeat("def rnn_forward(x, a0, parameters):\n", "    a = x + 1\n", "    return a\n"),
    "huge graded def, placeholder": _repeat("def rnn_forward(x, a0, parameters):\n", "    a = None\n",
                                            "    return a\n"),
    "bonus fit calls": _repeat("", "model.fit(x, y, validation_split=0.2, epochs=3)\n", ""),
    "broken graded defs": _repeat("", "def rnn_forward(:\n", ""),
}


def _limits_cells(make: Callable[[int], str]) -> list[str]:
    """Code cells of one shape filling the size limits (cells of ``max_cell_chars`` up to
    ``max_code_chars`` in all with the course notebook's own code cells: every cell is read);
    the defaults of a checkout without limits."""
    try:
        from grader.notebook import SIZE_LIMITS
        per_cell, total = SIZE_LIMITS.max_cell_chars, SIZE_LIMITS.max_code_chars
    except ImportError:  # a checkout before the limits: the same notebook as this one's
        per_cell, total = 100_000, 200_000
    from tests import notebooks as nbs

    course = nbs.course_notebook()["cells"]
    room = total - sum(len("".join(c["source"])) for c in course if c["cell_type"] == "code")
    cells = []
    while room > 1000:
        cell = make(min(per_cell, room))
        if len(cell) > room:  # the shape's unit is larger than what is left
            break
        cells.append(cell)
        room -= len(cell)
    return cells


#: Shapes of many cells (``--hostile-limits``): name -> function of i giving cell i (a dict).
CELL_SHAPES: dict[str, Callable[[int], dict]] = {
    "empty code cells": lambda i: _cell("code", ""),
    "tiny code cells": lambda i: _cell("code", f"y{i} = {i}\n"),
    "tiny def cells": lambda i: _cell("code", f"def f{i}(x):\n    return x\n"),
    "markdown cells": lambda i: _cell("markdown", f"Run {i}: the LSTM reached {i % 100}% test accuracy."),
}


_BONUS_TRAIN = ("from keras.datasets import imdb\nmodel = Sequential([Embedding(10000, 32), LSTM(32), Dense(1)])\n"
                "model.fit(x, y, epochs=2, validation_split=0.2)\nprint('test accuracy', model.evaluate(xt, yt)[1])\n")
_BONUS_LOG = ("Epoch 1/2\n625/625 - 10s - loss: 0.5 - accuracy: 0.75 - val_loss: 0.4 - val_accuracy: 0.83\n"
              "Epoch 2/2\n625/625 - 10s - loss: 0.3 - accuracy: 0.88 - val_loss: 0.35 - val_accuracy: 0.86\n"
              "test accuracy 0.8534\n")


def _fill(unit: str, chars: int) -> str:
    """``unit`` repeated to about ``chars`` characters (once at least)."""
    return unit * max(1, chars // len(unit))


def _train(log: str) -> dict:
    """A bonus training cell whose stored output is ``log`` (one stream output)."""
    return _cell("code", _BONUS_TRAIN, [{"output_type": "stream", "name": "stdout", "text": log}])


#: Shapes of text the IMDB bonus reads without a size limit on code (``--hostile-limits``): name ->
#: function of a number of characters giving cells of about that many (markdown, outputs).
BONUS_SHAPES: dict[str, Callable[[int], list[dict]]] = {
    "md: one sentence of accuracies": lambda n: [_train(_BONUS_LOG),
                                                 _cell("markdown", _fill("LSTM test accuracy 0.85 ", n))],
    "md: accuracy lines": lambda n: [_train(_BONUS_LOG), _cell("markdown", _fill("GRU test accuracy 85.3%\n", n))],
    "md: labels and numbers": lambda n: [_train(_BONUS_LOG),
                                         _cell("markdown", "accuracy " + _fill("LSTM GRU x2 0.5 bi ", n))],
    "md: spaces before numbers": lambda n: [_train(_BONUS_LOG), _cell("markdown", _fill(
        "validation split" + " " * 60 + "0.2 accuracy 0.85 ", n))],
    "md: wide table": lambda n: [_train(_BONUS_LOG), _cell("markdown", "|model|" + _fill("test acc|", n // 2)
                                                           + "\n|LSTM|" + _fill("0.85|", n // 2) + "\n")],
    "md: many cells": lambda n: [_train(_BONUS_LOG)] + [
        _cell("markdown", _fill(f"LSTM test accuracy 0.{i:04d} ", 1000)) for i in range(min(1900, n // 1000))],
    "out: accuracy prints": lambda n: [_train(_BONUS_LOG + _fill("LSTM test accuracy: 0.85\n", n))],
    "out: 50 accuracies a line": lambda n: [_train(_BONUS_LOG + _fill("acc 0.5 " * 50 + "\n", n))],
    "out: fit logs": lambda n: [_train(_fill(_BONUS_LOG, n))],
    "out: progress bars": lambda n: [_train(_BONUS_LOG + _fill(
        "\r10/782 [=====>......] - ETA: 1s - loss: 0.3 - accuracy: 0.85", n))],
    "out: one line": lambda n: [_train(_BONUS_LOG + _fill("LSTM acc 0.5 ", n))],
    "out: backspaces": lambda n: [_train(_BONUS_LOG + _fill("a\x08", n))],
    "out: line breaks": lambda n: [_train(_BONUS_LOG + _fill("a\n", n))],
    "out: many outputs": lambda n: [_cell("code", _BONUS_TRAIN, [{"output_type": "stream", "name": "stdout",
                                                                  "text": "a"}] * max(1, n // 50))],
    "out: many cells": lambda n: [_train(_BONUS_LOG + _fill(f"LSTM test accuracy: 0.{i:04d}\n", 10_000))
                                  for i in range(min(1900, n // 10_000))],
    "claims and prints": lambda n: [_train(_BONUS_LOG + _fill("LSTM test accuracy: 0.85\n", n)),
                                    _cell("markdown", _fill("LSTM test accuracy 0.86 ", n // 10))],
}


def _stage_times(cells: list[str | dict], ctx: Any, sandbox: Any, renderer: Any, folder: Path) -> dict[str, float]:
    """CPU seconds of each stage for the course's notebook with ``cells`` added (code, or cell
    dicts; see ``--hostile-limits``)."""
    from grader import extract as extract_module
    from grader.feedback_html import feedback_page
    from grader.imdb import score_imdb
    from grader.imdb import source as imdb_source
    from grader.notebook import loads
    from grader.report import feedback_markdown, gradescope_results, result_to_dict
    from grader.runner import grade_submission, needed_functions
    from grader.sandbox import _compiled
    from grader.similarity.normalise import normalise_function
    from tests import notebooks as nbs

    from grader.imdb import score as imdb_score

    def forget() -> None:
        """Empty the per-process memos (a notebook never seen)."""
        extract_module.clear_memos()
        imdb_source.clear_memos()
        imdb_score.clear_memos()

    forget()
    data = json.dumps(nbs.course_notebook(
        extra_cells=[nbs.code_cell(c) if isinstance(c, str) else c for c in cells])).encode()
    path = folder / "worst.ipynb"
    path.write_bytes(data)
    roots = [f for part in ctx.rubric.parts for f in (part.function, *part.depends)]
    clock = time.process_time
    t: dict[str, float] = {}
    start = clock()
    notebook = loads(data, path=str(path))
    t["read"] = clock() - start
    start = clock()
    extraction = extract(notebook)
    needed = needed_functions(extraction.functions, roots, facts={})
    program = extraction.program(omit=[name for name in extraction.functions if name not in needed])
    t["extract"] = clock() - start
    start = clock()
    _compiled(program.source, "<submission>")
    t["compile"] = clock() - start
    start = clock()
    score_imdb(notebook, config=ctx.imdb_config, extra_files={})
    t["imdb"] = clock() - start
    forget()
    result = grade_submission(path, context=ctx, sandbox=sandbox)
    start = clock()
    feedback_markdown(result)
    json.dumps(gradescope_results(result))
    json.dumps(result_to_dict(result))
    t["md"] = clock() - start
    start = clock()
    feedback_page(result, notebook_path=path, renderer=renderer)
    t["html"] = clock() - start
    start = clock()
    for source in result.extra["sources"].values():
        normalise_function(source)
    t["similarity"] = clock() - start
    t["worker"] = t["read"] + t["extract"] + t["compile"] + t["imdb"] + t["md"]
    t["main"] = t["html"] + t["similarity"]
    return t


def hostile_limits_main(args: argparse.Namespace) -> int:
    """``--hostile-limits``: per-stage and per-process CPU of the worst notebook of each shape."""
    from grader.commands import load_context
    from grader.feedback_html import default_renderer
    from grader.sandbox import Sandbox

    try:
        from grader.notebook import SIZE_LIMITS
        limits = f"{SIZE_LIMITS}"
    except ImportError:
        limits = "none (a checkout before the limits)"
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10_000))
    ctx = load_context(_ROOT / "rubrics" / "rnn.yaml")
    renderer = default_renderer()
    print(f"worst notebooks (code: {Path(sys.path[0])}); limits {limits}; "
          f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    stages = ("read", "extract", "compile", "imdb", "md", "html", "similarity", "worker", "main")
    print(f"  {'shape':<34} {'code':>9} | " + " ".join(f"{s:>8}" for s in stages) + "   (CPU s)")
    with tempfile.TemporaryDirectory() as tmp, Sandbox(protected_paths=[]) as sandbox:
        for name, make in WORST_SHAPES.items():
            if args.only and args.only not in name:
                continue
            mb = args.mb or 1
            for label, cells in (("limits", _limits_cells(make)), (f"{mb:g} MB", [make(int(mb * 2**20))])):
                if label != "limits" and args.skip and any(word in name for word in args.skip.split(",")):
                    continue
                t = _stage_times(cells, ctx, sandbox, renderer, Path(tmp))
                size = sum(len(c) for c in cells)
                print(f"  {name + ', ' + label:<34} {size / 1000:7.0f}kB | "
                      + " ".join(f"{t[s]:8.2f}" for s in stages), flush=True)
        try:
            from grader.notebook import SIZE_LIMITS
            most = SIZE_LIMITS.max_cells
        except ImportError:
            most = 2_000
        for name, make in CELL_SHAPES.items():
            if args.only and args.only not in name:
                continue
            for count in (most - 20, args.cells):  # the course notebook has 20 cells
                t = _stage_times([make(i) for i in range(count)], ctx, sandbox, renderer, Path(tmp))
                print(f"  {f'{count:,} {name}':<34} {'':>9} | "
                      + " ".join(f"{t[s]:8.2f}" for s in stages), flush=True)
        for name, make in BONUS_SHAPES.items():
            if args.only and args.only not in name:
                continue
            for mb in (1, args.bonus_mb):
                t = _stage_times(make(int(mb * 2**20)), ctx, sandbox, renderer, Path(tmp))
                print(f"  {f'{name}, {mb:g} MB':<34} {'':>9} | "
                      + " ".join(f"{t[s]:8.2f}" for s in stages), flush=True)
    print(f"  load average now: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Write the two notebooks to a temporary folder and print timings (or ``--class``: see above)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=200, help="runs of the 20-cell notebook (default 200)")
    parser.add_argument("--mb", type=float, default=None,
                        help="size of the outputs notebook in MB (default 100); with --hostile-limits, "
                             "of the one cell beyond the limits (default 1)")
    parser.add_argument("--class", dest="class_folder", help="a folder of notebooks: per-notebook CPU figures")
    parser.add_argument("--passes", type=int, default=5, help="with --class: passes, each in a fresh process")
    parser.add_argument("--rubric", default=str(_ROOT / "rubrics" / "rnn.yaml"),
                        help="with --class: the rubric (graded functions and the imdb section)")
    parser.add_argument("--code", help="with --class or --hostile: the checkout whose grader package is measured")
    parser.add_argument("--hostile", type=int, metavar="N", help="extraction of hostile cells of N statements")
    parser.add_argument("--hostile-limits", action="store_true",
                        help="per-stage CPU of the worst notebooks within the size limits, and beyond them")
    parser.add_argument("--only", help="with --hostile-limits: shapes whose name contains this")
    parser.add_argument("--bonus-mb", type=float, default=20,
                        help="with --hostile-limits: MB of the larger notebook of each bonus shape (default 20)")
    parser.add_argument("--cells", type=int, default=20_000,
                        help="with --hostile-limits: cells of the many-cells shapes beyond the limit (default 20,000)")
    parser.add_argument("--skip", help="with --hostile-limits: comma-separated words; shapes naming one "
                                       "are measured within the limits only (not at --mb MB)")
    parser.add_argument("--one-pass", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one_pass:
        print(json.dumps(_class_pass(Path(args.one_pass), Path(args.rubric))))
        return 0
    if args.class_folder:
        return class_main(args)
    if args.hostile_limits:
        return hostile_limits_main(args)
    if args.hostile:
        return hostile_main(args.hostile)

    with tempfile.TemporaryDirectory() as tmp:
        small = Path(tmp) / "typical.ipynb"
        small.write_text(json.dumps(typical_notebook()), encoding="utf-8")
        nb = load(small)
        ex = extract(nb)
        assert len(ex.functions) == 6, list(ex.functions)
        print(f"typical notebook: {len(nb.cells)} cells ({len(nb.code_cells)} code), "
              f"{os.path.getsize(small) / 1024:.0f} KB, {len(ex.functions)} functions")
        from grader.extract import clear_memos

        def cold_extract():
            """Extraction of a notebook this process has never seen (memos emptied first)."""
            clear_memos()
            return extract(nb)

        for label, fn in (("load", lambda: load(small)), ("extract (memos empty)", cold_extract),
                          ("extract (memos warm)", lambda: extract(nb)),
                          ("program", lambda: ex.program()),
                          ("load + extract + program", lambda: extract(load(small)).program())):
            best, median, cpu = _times(fn, args.repeat)
            print(f"  {label:<26} wall min {best:7.2f} ms  median {median:7.2f} ms   CPU median {cpu:7.2f} ms")

        big = Path(tmp) / "huge.ipynb"
        with open(big, "w", encoding="utf-8") as fh:
            json.dump(huge_outputs_notebook(int(args.mb or 100)), fh)
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
