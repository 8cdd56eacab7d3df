"""The line a "not implemented" note quotes is the student's own (grader/placeholders.py).

The notes quoted ``ast.unparse`` of the placeholder, which writes what the tree means, not what
was typed: ``(n_x, m, T_x) = None`` on Python 3.10 for ``n_x, m, T_x = None`` (the interpreter
a student's laptop or Jupyter may have), ``n_x, m, T_x = None`` on 3.11+ for ``(n_x, m, T_x) =
None``, ``parameters['Wax']`` for ``parameters["Wax"]`` on every version: a line the student
looked for in their cell and could not find. Left by the thirty-third session's student helper.
"""

from __future__ import annotations

import glob
import json
import subprocess
from pathlib import Path

import pytest

from grader.extract import extract
from grader.notebook import Cell, Notebook

REPO = Path(__file__).resolve().parents[1]


def _notebook(body: str) -> Notebook:
    """One code cell: ``def f(x, parameters):`` with ``body`` (indented lines)."""
    source = "import numpy as np\n\ndef f(x, parameters):\n" + body
    return Notebook(path="student.ipynb", nbformat=(4, 5), cells=(Cell(0, "code", source, ()),))


#: (the function's body, what its note says): each quoted line is as the student typed it.
CASES = [
    ("    (n_x, m, T_x) = None\n    return n_x\n", "line 4: `(n_x, m, T_x) = None`"),
    ("    n_x, m, T_x = None\n    return n_x\n", "line 4: `n_x, m, T_x = None`"),
    ("    for t, xt in None:\n        pass\n    return x\n", "line 4: `for ... in None`"),
    ('    return parameters["Wax"] * None\n', 'line 4: `parameters["Wax"] * None`'),
    ("    return np.dot(None,   # Wax first\n                  None)\n", "line 4: `np.dot(None, None)`"),
    ("    return np.dot(\n        x, None\n    )\n", "line 4: `np.dot(x, None)`"),
    ("    return np.tanh(x) + \\\n        None\n", "line 4: `np.tanh(x) + None`"),
    ("    return np.concatenate((x, x), axis=0) * None\n", "line 4: `np.concatenate((x, x), axis=0) * None`"),
    ('    "Docstring."\n    raise NotImplementedError("Write f")\n',
     'line 3: the body is only `raise NotImplementedError("Write f")`'),
]


@pytest.mark.parametrize("body, said", CASES)
def test_a_note_quotes_the_line_as_the_student_wrote_it(body: str, said: str) -> None:
    detail = extract(_notebook(body)).functions["f"].placeholder_detail
    assert detail.startswith(said), detail


def test_a_long_placeholder_is_cut_where_a_snippet_ends() -> None:
    detail = extract(_notebook("    return np.dot(None, " + " + ".join(["x"] * 40) + ")\n")).functions["f"].placeholder_detail
    assert detail == "line 4: `np.dot(None, x + x + x + x + x + x + x + x + x + x + x + ...`", detail


def _pythons() -> list[str]:
    """pyenv's Pythons 3.10 and newer on this machine (the versions the kit accepts)."""
    return sorted(glob.glob("/root/.pyenv/versions/3.1[0-9].*/bin/python3"))


@pytest.mark.skipif(len(_pythons()) < 2, reason="fewer than two pyenv Pythons of 3.10 or newer here")
def test_every_python_quotes_the_same_lines() -> None:
    """Run for real with every pyenv Python from 3.10 (3.10.13, 3.11.7, 3.12.1 and 3.13.0 on the
    project's machine; 3.10's ``ast.unparse`` put every tuple target in parentheses)."""
    script = (
        "import json, sys\n"
        "from grader.extract import extract\n"
        "from grader.notebook import Cell, Notebook\n"
        "out = []\n"
        "for body in json.loads(sys.argv[1]):\n"
        "    source = 'import numpy as np\\n\\ndef f(x, parameters):\\n' + body\n"
        "    nb = Notebook(path='s.ipynb', nbformat=(4, 5), cells=(Cell(0, 'code', source, ()),))\n"
        "    out.append(extract(nb).functions['f'].placeholder_detail)\n"
        "print(json.dumps(out))\n")
    bodies = json.dumps([body for body, _ in CASES])
    said: dict[str, list[str]] = {}
    for python in _pythons():
        done = subprocess.run([python, "-c", script, bodies], cwd=REPO, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, (python, done.stderr[-2000:])
        said[python] = [detail.split("; ")[0] for detail in json.loads(done.stdout)]
    for python, details in said.items():
        assert all(detail.startswith(expected) for detail, (_, expected) in zip(details, CASES)), (python, details)
