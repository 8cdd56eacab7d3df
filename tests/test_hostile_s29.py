"""The twenty-ninth session's hostile review: each test here failed on 2e33195, before its fix
(``docs/security.md``, "Twenty-ninth session: hostile review")."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest

from grader.files import spreadsheet_text
from tests import notebooks as nbs

REPO = Path(__file__).resolve().parents[1]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

# --------------------------------------------------------------------------- the gradebook


def _lookalikes() -> list[str]:
    """Every character whose compatibility form (NFKC) starts a formula."""
    return [chr(c) for c in range(128, sys.maxunicode + 1)
            if unicodedata.normalize("NFKC", chr(c)).startswith(FORMULA_STARTS)]


def test_every_compatibility_form_of_a_formula_start_is_escaped():
    """``＝HYPERLINK(...)``, ``﹫SUM(1)``, ``⁺cmd``: a spreadsheet that folds compatibility forms
    (NFKC) reads a formula; each such first character, and each after a ';' or a tab, gets its
    ``'`` as the ASCII ones do. The scan over every code point keeps the grader's list whole."""
    found = _lookalikes()
    assert len(found) >= 15, found  # the fullwidth, small, super/subscript forms at least
    for char in found:
        assert spreadsheet_text(f"{char}HYPERLINK(1)") == f"'{char}HYPERLINK(1)", hex(ord(char))
        assert spreadsheet_text(f"Smith; {char}1") == f"Smith; '{char}1", hex(ord(char))


def test_a_fullwidth_formula_in_a_file_name_is_escaped_in_grades_csv(tmp_path):
    """Through grade.py: a notebook named ``＝HYPERLINK(1).ipynb`` went into grades.csv as
    written (the escaping looked at ASCII ``=+-@`` only)."""
    name = "\uff1dHYPERLINK(1)"
    nbs.write(tmp_path / "class" / f"{name}.ipynb", nbs.course_notebook())
    done = subprocess.run([sys.executable, "grade.py", str(tmp_path / "class"), "--out", str(tmp_path / "out"),
                           "--no-similarity"], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    rows = list(csv.DictReader((tmp_path / "out" / "grades.csv").read_text(encoding="utf-8").splitlines()))
    assert [row["submission"] for row in rows] == [f"'{name}"], rows


# --------------------------------------------------------------------------- the roster


def test_a_roster_id_without_letters_takes_no_other_submission(tmp_path):
    """Through grade.py --roster: the roster's ``★`` and a notebook ``☆.ipynb`` both had the
    comparison key "" (``discover.student_key``), so ``☆``'s grade was written against ``★``,
    on the roster, where it is another student's (or nobody's) work."""
    nbs.write(tmp_path / "class" / "\u2606.ipynb", nbs.course_notebook())
    nbs.write(tmp_path / "class" / "bob.ipynb", nbs.course_notebook())
    (tmp_path / "roster.csv").write_text("id,name\n\u2605,Star\nbob,Bob\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "grade.py", str(tmp_path / "class"), "--out", str(tmp_path / "out"),
                           "--no-similarity", "--roster", str(tmp_path / "roster.csv")],
                          cwd=REPO, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    rows = list(csv.DictReader((tmp_path / "out" / "grades.csv").read_text(encoding="utf-8").splitlines()))
    by_id = {row["student_id"]: row for row in rows}
    assert by_id["\u2605"]["submission"] == "" and by_id["\u2605"]["score"] in ("", "0"), rows
    assert by_id["bob"]["submission"] == "bob", rows
    assert [row["submission"] for row in rows if row["on_roster"] != "yes"] == ["\u2606"], rows


def test_ids_made_of_punctuation_still_match_themselves():
    """The fallback keeps an id without letters matching its own spelling (case, width, blanks)."""
    from grader.discover import student_key

    assert student_key(" --- ") == student_key("---") != student_key("___")
    assert student_key("\uff0a\uff0a") == student_key("**")  # fullwidth asterisks, NFKC
    assert student_key("José") == "jose"


# --------------------------------------------------------------------------- code run from a string

#: Bodies of a ``_boot()`` that runs ``%r`` (the copy's source, in a string) in the program's
#: globals through a library function that evaluates a string, with no name ``reach.reaching_code``
#: looked for (the module imported first).
_STRING_ROUTES = {
    "logging fileConfig": ("import logging\nimport logging.config\nimport configparser\n",
                           "    logging.F = rnn_cell_forward\n    logging.S = %r\n"
                           "    cp = configparser.RawConfigParser()\n"
                           "    cp.read_dict({'formatters': {'keys': ''}, 'handlers': {'keys': 'h'},\n"
                           "                  'handler_h': {'class': 'exec(S, F.__globals__) or NullHandler'},\n"
                           "                  'loggers': {'keys': 'root'}, 'logger_root': {'handlers': 'h'}})\n"
                           "    logging.config.fileConfig(cp, disable_existing_loggers=False)\n"),
    "pydoc locate": ("import pydoc\n",
                     "    pydoc.locate('builtins.exec')(%r, pydoc.locate('builtins.globals')())\n"),
    "typing get_type_hints": ("import typing\n",
                              "    def _h(x: 'exec(_T, globals())'):\n        pass\n"
                              "    typing.get_type_hints(_h, None, {'_T': %r})\n"),
    "from typing import get_type_hints as": ("from typing import get_type_hints as _hints\n",
                                             "    def _h(x: 'exec(_T, globals())'):\n        pass\n"
                                             "    _hints(_h, None, {'_T': %r})\n"),
    "functools singledispatch": ("import functools\n",
                                 "    @functools.singledispatch\n    def _d(x):\n        return 0\n"
                                 "    _src = %r\n"
                                 "    def _h(x: 'exec(' + repr(_src) + ', globals()) or int'):\n        return 1\n"
                                 "    _d.register(_h)\n"),
    "functools singledispatchmethod": ("from functools import singledispatchmethod as _sdm\n",
                                       "    class _C:\n        @_sdm\n        def m(self, x):\n            return 0\n"
                                       "    _src = %r\n"
                                       "    def _h(self, x: 'exec(' + repr(_src) + ', globals()) or int'):\n"
                                       "        return 1\n"
                                       "    _C.m.register(_h)\n"),
    # the copy compiled by codeop, run as a function of its own globals, and called by the decoy
    "codeop compile_command": ("import codeop\n",
                               "    _g = {'np': np, 'softmax': softmax}\n"
                               "    type(_boot)(codeop.compile_command(%r, symbol='exec'), _g)()\n"
                               "    codeop.F = _g['rnn_cell_forward']\n"),
    # the copy run in typing's own globals by a forward reference, the decoy calling it there
    "typing ForwardRef": ("import typing\n",
                          "    typing.np, typing.softmax = np, softmax\n"
                          "    typing.ForwardRef('exec(' + repr(%r) + ', __import__(\"typing\").__dict__) or int')"
                          "._evaluate(None, None, frozenset())\n"),
    "typing List forward reference": ("import typing\n",
                                      "    typing.np, typing.softmax = np, softmax\n"
                                      "    typing.List['exec(' + repr(%r) + ', __import__(\"typing\").__dict__) or int']"
                                      ".__args__[0]._evaluate(None, None, frozenset())\n"),
    # a .pth file the notebook writes in its folder: site runs its lines that start with "import"
    "site addsitedir": ("import os\nimport site\nimport typing\n",
                        "    typing.np, typing.softmax = np, softmax\n"
                        "    with open('x.pth', 'w') as _f:\n"
                        "        _f.write('import typing; exec(' + repr(%r) + ', typing.__dict__)\\n')\n"
                        "    site.addsitedir(os.getcwd())\n"),
}
_DECOY = ("def rnn_cell_forward(xt, a_prev, parameters):\n    if xt is None:\n        _z()\n"
          "    a_next = xt * 2\n    return a_next, None, (a_next, a_prev, xt, parameters)\n")


@pytest.mark.parametrize("route", sorted(_STRING_ROUTES))
def test_code_run_from_a_string_by_a_library_function_is_noted(tmp_path, context, sandbox, route):
    """The copy of ``rnn_cell_forward`` in a string, run by ``logging.config.fileConfig`` (a
    handler's class is ``eval``'d), ``pydoc.locate('builtins.exec')`` or ``typing.get_type_hints``
    (a string annotation is ``eval``'d) from a default value: 10 / 10 while the decoy, which alone
    scores 0, was the text compared, with no note. Now the compared text starts with the note."""
    from grader.similaritystage import function_sources
    from grader.runner import grade_submission

    imports, body = _STRING_ROUTES[route]
    called = {"codeop": "codeop.F", "typing F": "typing.rnn_cell_forward", "typing L": "typing.rnn_cell_forward",
              "site": "typing.rnn_cell_forward"}
    decoy = next((_DECOY.replace("a_next = xt * 2\n    return a_next, None, (a_next, a_prev, xt, parameters)",
                                 f"return {f}(xt, a_prev, parameters)")
                  for key, f in called.items() if route.startswith(key)), _DECOY)
    cell = (f"{imports}\n\n{decoy}\n\ndef _boot():\n{body % nbs.COURSE_CELLS['rnn_cell_forward']}"
            "    return 0\n\n\ndef _z(_=_boot()):\n    return 1\n")
    path = nbs.write(tmp_path / "string.ipynb", nbs.course_notebook({"rnn_cell_forward": cell}))
    result = grade_submission(path, context=context, sandbox=sandbox)
    part = result.part("rnn_cell_forward")
    assert part.points == part.max_points, (part.points, part.cases[0].message)  # the route works
    source = result.extra["sources"]["rnn_cell_forward"]
    assert source == function_sources(path, names=["rnn_cell_forward"])["rnn_cell_forward"]
    first = source.split("\n", 1)[0]
    assert first.startswith("# grader: the notebook's code uses `") and "(cell " in first, first


# --------------------------------------------------------------------------- the IMDB bonus

_TRAIN = ("from tensorflow import keras\nfrom tensorflow.keras import layers\n"
          "(x_train, y_train), (x_test, y_test) = keras.datasets.imdb.load_data(num_words=10000)\n"
          "model = keras.Sequential([layers.Embedding(10000, 32), layers.LSTM(32), layers.Dense(1, activation='sigmoid')])\n"
          "model.compile(optimizer='adam', loss='binary_crossentropy', metrics=['accuracy'])\n"
          "model.fit(x_train, y_train, epochs=2, validation_split=0.2, verbose=0)\n")


@pytest.mark.parametrize("code, printed", [
    ("print(f'LSTM test accuracy: {0.91:.4f}')", "LSTM test accuracy: 0.9100"),
    ("print('LSTM test accuracy: %.4f' % 0.91)", "LSTM test accuracy: 0.9100"),
    ("print(f'LSTM test accuracy: {0.913:.1%}')", "LSTM test accuracy: 91.3%"),
    ("acc = 0.91\nprint(f'LSTM test accuracy: {acc}')", "LSTM test accuracy: 0.91"),
    ("print('LSTM test accuracy:', round(0.9123, 2))", "LSTM test accuracy: 0.91"),
])
def test_a_literal_accuracy_printed_through_a_format_is_a_claim(code, printed):
    """docs/imdb.md: "a printed number that the cell's code spells out literally is a claim, not
    evidence". Compared as text, ``0.91`` printed as ``0.9100`` or ``91.3%``, or through a name,
    was not: a fit that printed nothing (``verbose=0``) and a typed accuracy took the accuracy
    item's 5 points."""
    from grader.imdb import load_imdb_config, score_imdb
    from grader.notebook import loads

    cells = [nbs.code_cell(_TRAIN), nbs.code_cell(f"# test accuracy of the model\n{code}\n", [nbs.stream(printed + "\n")])]
    nb = loads(json.dumps(nbs.course_notebook(extra_cells=cells)).encode(), path="x.ipynb")
    result = score_imdb(nb, config=load_imdb_config(None), extra_files={})
    accuracy = {item.name: item.points for item in result.items}["accuracy"]
    assert accuracy == 0, (accuracy, result.feedback)
    assert [claim.value for claim in result.claims] == [pytest.approx(0.913 if "%" in printed else 0.91)], result.claims


def test_an_accuracy_the_code_computes_is_still_evidence():
    """The same print of a number no literal of the cell gives (``acc`` from ``evaluate``) earns
    the accuracy band, as before."""
    from grader.imdb import load_imdb_config, score_imdb
    from grader.notebook import loads

    code = "loss, acc = model.evaluate(x_test, y_test, verbose=0)\nprint(f'LSTM test accuracy: {acc:.4f}')"
    cells = [nbs.code_cell(_TRAIN), nbs.code_cell(f"{code}\n", [nbs.stream("LSTM test accuracy: 0.8612\n")])]
    nb = loads(json.dumps(nbs.course_notebook(extra_cells=cells)).encode(), path="x.ipynb")
    result = score_imdb(nb, config=load_imdb_config(None), extra_files={})
    assert {item.name: item.points for item in result.items}["accuracy"] == 5, result.feedback


def _bonus_accuracy(code: str, outputs: list[dict]) -> tuple[float, object]:
    """The accuracy item's points of a notebook that trains silently and then runs ``code``."""
    from grader.imdb import load_imdb_config, score_imdb
    from grader.notebook import loads

    cells = [nbs.code_cell(_TRAIN), nbs.code_cell(f"# test accuracy of the model\n{code}\n", outputs)]
    nb = loads(json.dumps(nbs.course_notebook(extra_cells=cells)).encode(), path="x.ipynb")
    result = score_imdb(nb, config=load_imdb_config(None), extra_files={})
    return {item.name: item.points for item in result.items}["accuracy"], result


@pytest.mark.parametrize("code, text", [
    ("print([0.3, 0.91])", "[0.3, 0.91]"),  # an evaluate's [loss, accuracy], typed
    ("print('782/782 [==============================] - 3s - loss: 0.3000 - accuracy: 0.9100')",
     "782/782 [==============================] - 3s - loss: 0.3000 - accuracy: 0.9100"),
    ("import pandas as pd\ndf = pd.DataFrame({'model': ['LSTM'], 'test accuracy': [0.91]})\nprint(df)",
     "  model  test accuracy\n0  LSTM           0.91"),
])
def test_an_evaluation_or_a_table_the_cell_types_is_a_claim(code, text):
    """What an ``evaluate`` prints (``[loss, accuracy]``, its progress line) was taken as an
    evaluation without asking whether the cell's code spells the number out; a table built from
    a literal list (``pd.DataFrame({...: [0.91]})``) was read as printed by the code. Each took
    the accuracy item's 5 points; each is a claim now."""
    accuracy, result = _bonus_accuracy(code, [nbs.stream(text + "\n")])
    assert accuracy == 0, (accuracy, result.feedback)
    assert [claim.value for claim in result.claims] == [pytest.approx(0.91)], result.claims


def test_a_typed_evaluate_value_shown_as_a_result_is_a_claim():
    """``r = [0.3, 0.91]`` then ``r``: the cell's value shown as an evaluate's would be."""
    result_output = {"output_type": "execute_result", "execution_count": 3, "metadata": {},
                     "data": {"text/plain": "[0.3, 0.91]"}}
    accuracy, result = _bonus_accuracy("r = [0.3, 0.91]\nr", [result_output])
    assert accuracy == 0, (accuracy, result.feedback)


# --------------------------------------------------------------------------- a new interpreter

_DRIVER = ("\nd = np.load('in.npz')\np = {k: d[k] for k in d.files if k not in ('xt', 'a_prev')}\n"
           "a, y, _ = rnn_cell_forward(d['xt'], d['a_prev'], p)\nnp.savez('out.npz', a=a, y=y)\n")
_RUNNERS = {
    "subprocess.run": ("import subprocess\nimport sys\n", "subprocess.run([sys.executable, '-c', %r], check=True)"),
    "os.system": ("import os\nimport shlex\nimport sys\n",
                  "os.system(shlex.quote(sys.executable) + ' -c ' + shlex.quote(%r))"),
    "from os import popen as": ("from os import popen as _p\nimport shlex\nimport sys\n",
                                "_p(shlex.quote(sys.executable) + ' -c ' + shlex.quote(%r)).read()"),
}


@pytest.mark.parametrize("runner", sorted(_RUNNERS))
def test_a_copy_run_by_a_new_interpreter_is_noted(tmp_path, context, sandbox, runner):
    """The child may start processes: the decoy saved its arguments (``np.savez``), ran a copy in a
    string with ``sys.executable -c`` and returned what it saved: 10 / 10 on 2e33195 (each of the
    three), no note. The points are not asserted here: 24 cases each starting an interpreter can
    pass the call's time limit on a loaded machine (seen once, at nice 19 beside other tests)."""
    from grader.similaritystage import function_sources
    from grader.runner import grade_submission

    copy = ("import numpy as np\ndef softmax(x):\n    e = np.exp(x - x.max(0))\n    return e / e.sum(0)\n"
            + nbs.COURSE_CELLS["rnn_cell_forward"] + _DRIVER)
    imports, call = _RUNNERS[runner]
    cell = (f"{imports}\n\ndef rnn_cell_forward(xt, a_prev, parameters):\n"
            "    np.savez('in.npz', xt=xt, a_prev=a_prev, **parameters)\n"
            f"    {call % copy}\n"
            "    d = np.load('out.npz')\n    return d['a'], d['y'], (d['a'], a_prev, xt, parameters)\n")
    path = nbs.write(tmp_path / "spawn.ipynb", nbs.course_notebook({"rnn_cell_forward": cell}))
    result = grade_submission(path, context=context, sandbox=sandbox)
    source = result.extra["sources"]["rnn_cell_forward"]
    assert source == function_sources(path, names=["rnn_cell_forward"])["rnn_cell_forward"]
    assert source.split("\n", 1)[0].startswith("# grader: the notebook's code uses `"), source[:200]
