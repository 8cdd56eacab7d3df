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


def _lines_read(blank: int, monkeypatch: pytest.MonkeyPatch) -> tuple[int, str]:
    """How many cell lines ``placeholders``' reader of the student's text (``hintcode.written_text``) reads while a function of three calls
    ``np.dot(None, np.dot(None, np.dot(None,`` closed ``blank`` blank lines later is extracted,
    and the note's detail."""
    from grader import placeholders
    from grader.extract import clear_memos

    read = [0]
    written = placeholders.written_text

    class Counted(list):
        def __getitem__(self, index):
            read[0] += 1
            return super().__getitem__(index)

    body = "".join(f"    a{k} = np.dot(None, np.dot(None, np.dot(None,\n" + "\n" * blank + "        None)))\n"
                   for k in range(3))
    clear_memos()
    with monkeypatch.context() as patch:
        patch.setattr(placeholders, "written_text", lambda node, lines, **bounds: written(node, Counted(lines), **bounds))
        detail = extract(_notebook(body + "    return a0\n")).functions["f"].placeholder_detail
    clear_memos()
    return read[0], detail


def test_a_placeholder_spread_over_blank_lines_is_read_only_so_far(monkeypatch):
    """Each candidate of a line (three nested calls here) read every line to its end while its text
    stayed under a snippet's 60 characters: 30,000 blank lines in a call cost each a pass over
    them. Signal: a work count, the lines read, the same for 300 and 30,000 blank lines."""
    short, detail = _lines_read(300, monkeypatch)
    long, _ = _lines_read(30_000, monkeypatch)
    assert 0 < long == short, (short, long)
    assert detail.startswith("line 4: `np.dot(None, np.dot(None, np.dot(None, ...`"), detail
