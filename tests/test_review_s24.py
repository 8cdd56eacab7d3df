"""Session 24 review (correctness and consistency) of the twenty-third session's changes.

Each test here failed on the code it was written against (b557f47) and passes with its fix, but
the strict xfail that recorded a difference left to extract.py's owner (settled by the lead the
same session: now a plain test).
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest

from grader.similarity import detect
from tests import notebooks as nbs
from tests.budgets import public_context
from tests.test_live import course_module  # noqa: F401 - a fixture: rnn_utils importable
from tests.test_review_s23 import _grade
from tests.test_similarity_corpus import TEMPLATE, make_corpus


def _pairs(report) -> list[tuple]:
    """What a report lists, as plain values (the timing left out)."""
    stats = {name: value for name, value in report.stats.items() if name != "seconds"}
    return [(p.a, p.b, dict(p.scores), p.overall, p.flagged, p.shared, p.reason) for p in report.pairs] + [
        report.clusters, stats]


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full to stand for a full disk")
def test_a_full_tmp_leaves_the_batches_to_this_process(tmp_path: Path, monkeypatch):
    """The helpers' batches go through a file in the temporary folder (b3b45ae). When it cannot be
    written (a full /tmp: unpacked zips live there too), the report is the one a single process
    makes, as the docstring promises ("the report does not depend on the helpers"); before, the
    OSError ended find_similar, and grade.py printed "Similarity check failed" with no report."""
    monkeypatch.setattr(detect, "_SPAWN_MIN", 200)  # the corpus's 395 sources, 356 keys: a helper
    monkeypatch.setattr(detect, "_POOL_MIN", 200)
    corpus = make_corpus(seed=4, n_independent=60, copies_per_disguise=1)
    alone = detect.find_similar(corpus.submissions, template=TEMPLATE)
    named = tmp_path / "grader-similarity-batches.marshal"
    make = tempfile.mkstemp

    def full_disk(*args, **kwargs) -> tuple[int, str]:
        if kwargs.get("prefix") != "grader-similarity-":  # multiprocessing's shared memory, say
            return make(*args, **kwargs)
        named.touch()  # the batches' file is made, and every write to it finds no room
        return os.open("/dev/full", os.O_WRONLY), str(named)

    monkeypatch.setattr(tempfile, "mkstemp", full_disk)
    two = detect.find_similar(corpus.submissions, template=TEMPLATE, workers=2)
    assert alone.flagged
    assert _pairs(two) == _pairs(alone)
    assert not named.exists()  # what was made of the file is removed


# --------------------------------------------------------------------------- check() against the grade

#: rnn_cell_forward with the bias left out of the hidden state (0 / 10 on its own).
WRONG_CELL = nbs.COURSE_CELLS["rnn_cell_forward"].replace("+ ba)", ")")
#: How a right rnn_forward reaches the cell: the code put before it, and what it calls.
REACHED = {
    "helper default": ("def _step(xt, a, parameters, cell=rnn_cell_forward):\n"
                       "    return cell(xt, a, parameters)\n\n\n", "_step("),
    "class attribute": ("class RNN:\n    cell = staticmethod(rnn_cell_forward)\n\n\n", "RNN.cell("),
    "plain class attribute": ("class RNN:\n    cell = rnn_cell_forward\n\n\n", "RNN.cell("),
}


def _reaching_the_cell(how: str) -> dict:
    """The course notebook with the wrong cell and a right rnn_forward that calls it as ``REACHED[how]``."""
    before, call = REACHED[how]
    forward = (nbs.COURSE_CELLS["rnn_forward"]
               .replace("def rnn_forward(x, a0, parameters):", before + "def rnn_forward(x, a0, parameters):")
               .replace("= rnn_cell_forward(", "= " + call))
    assert WRONG_CELL != nbs.COURSE_CELLS["rnn_cell_forward"] and call in forward and before in forward
    return nbs.course_notebook({"rnn_cell_forward": WRONG_CELL, "rnn_forward": forward})


def _check_and_grade(nb: dict, tmp_path: Path, sandbox) -> tuple[list, list, dict]:
    """Each part's (name, status) from check() in a kernel that ran ``nb``'s cells, and from the
    grade; and the kernel's namespace."""
    from grader.live import grade_live
    from tests.test_review_s22 import _kernel_namespace

    public = public_context()
    namespace = _kernel_namespace(["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"], tmp_path)
    live, _ = grade_live(namespace, context=public)
    graded = _grade(tmp_path, nb, public, sandbox)
    return [(p.name, p.status) for p in live.parts], [(p.name, p.status) for p in graded.parts], namespace


def test_check_isolates_a_cell_a_helper_takes_as_default_as_the_grade_does(tmp_path, course_module, sandbox):  # noqa: F811
    # The program stands the trace stub among the defaults of every top-level def
    # (program.defaults_line); check() did it for the called function only, so a right
    # rnn_forward calling _step(..., cell=rnn_cell_forward) passed in the grade and failed in check().
    nb = _reaching_the_cell("helper default")
    live, graded, namespace = _check_and_grade(nb, tmp_path, sandbox)
    assert ("rnn_forward", "passed") in graded and ("rnn_cell_forward", "failed") in graded
    assert live == graded
    held = namespace["_step"].__defaults__
    assert held == (namespace["rnn_cell_forward"],), "the kernel's helper is left as it was"


@pytest.mark.parametrize("how", ["class attribute", "plain class attribute"])
def test_check_and_the_grade_agree_on_a_cell_held_by_a_class_attribute(tmp_path, course_module, sandbox, how):  # noqa: F811
    # class RNN: cell = staticmethod(rnn_cell_forward), and rnn_forward calls RNN.cell(...): check()
    # (live._stand_in_classes) isolated rnn_forward from the wrong cell, the grade did not (no alias
    # `name = RNN.cell`, so no _dispatch_line): rnn_forward passed in check(), 0 / 15 graded. A
    # strict xfail of the review helper's; the lead's program.members_line (the class's dispatch
    # lines) settles it, and the grade isolates it as check() does.
    live, graded, _namespace = _check_and_grade(_reaching_the_cell(how), tmp_path, sandbox)
    assert ("rnn_forward", "passed") in graded and ("rnn_cell_forward", "failed") in graded
    assert live == graded


# --------------------------------------------------------------------------- a terminal's Ctrl-C

#: A main module whose helper is slow to start (it imports this module again as __mp_main__),
#: and a Ctrl-C sent as a terminal sends it, to the whole process group, while the helper is
#: still starting. This process survives it (its handler does nothing: the test's, so that the
#: helper's fate shows), and compares the report with one made alone.
CTRL_C_AT_START = textwrap.dedent('''
    import os, signal, threading, time
    import multiprocessing.context as context

    if __name__ == "__mp_main__":
        time.sleep(1.5)  # the helper's start, for the Ctrl-C to land in

    from grader.similarity import detect
    from tests.test_similarity_corpus import TEMPLATE, make_corpus

    def main():
        detect._SPAWN_MIN = detect._POOL_MIN = 200  # the corpus of 60: 395 sources, 356 keys, as before the thirty-sixth session
        corpus = make_corpus(seed=4, n_independent=60, copies_per_disguise=1)
        alone = detect.find_similar(corpus.submissions, template=TEMPLATE)
        signal.signal(signal.SIGINT, lambda *args: None)
        start = context.SpawnProcess.start

        def started(self):
            start(self)
            threading.Timer(0.5, os.killpg, (os.getpgid(0), signal.SIGINT)).start()

        context.SpawnProcess.start = started
        two = detect.find_similar(corpus.submissions, template=TEMPLATE, workers=2)
        print("same", alone.pairs == two.pairs and bool(alone.flagged), flush=True)

    if __name__ == "__main__":
        main()
''')


def test_a_ctrl_c_while_a_helper_starts_prints_no_traceback(tmp_path: Path):
    """965af79 made a helper ignore SIGINT once its loop runs, and its test sends SIGINT to the
    grading process alone; a terminal sends it to the whole process group, helpers included, and
    a helper still starting (importing the caller's main module, about 0.3 s) printed its
    KeyboardInterrupt traceback on the TA's terminal. Helpers now start with SIGINT blocked."""
    script = tmp_path / "ctrl_c.py"
    script.write_text(CTRL_C_AT_START)
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run([sys.executable, str(script)], cwd=root, capture_output=True, text=True, timeout=120,
                          env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin", "TMPDIR": str(tmp_path)},
                          start_new_session=True)  # its own process group: the Ctrl-C stays there
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "same True"
    assert "Traceback" not in done.stderr, done.stderr


# --------------------------------------------------------------------------- a lone surrogate

def test_a_lone_surrogate_in_one_source_does_not_end_the_class_report():
    """find_similar takes any text, unparsable text too (it falls back to a token stream), and the
    store keys sources with "surrogatepass"; but winnow.token_hash encoded tokens as strict UTF-8,
    so one function holding "\\ud800" (JSON's escape of a lone surrogate, which json.loads gives)
    raised UnicodeEncodeError and no pair of the class was reported."""
    right = "def f(x):\n    y = x * 2\n    z = y + x\n    return np.tanh(z @ y.T) + np.sum(z, axis=0)\n"
    odd = 'def f(x):\n    return "\ud800" + x\n'
    report = detect.find_similar({"amy": {"f": right}, "bob": {"f": right}, "cat": {"f": odd}, "dan": {"f": odd}},
                                 common_fraction=1.0, min_shared=1)
    assert {(p.a, p.b): p.overall for p in report.pairs} == {("amy", "bob"): 1.0, ("cat", "dan"): 1.0}


# --------------------------------------------------------------------------- check()'s messages for an alias

#: A cell with a wrong key, its parameters named otherwise than the course's, as a static method
#: of a class bound by ``rnn_cell_forward = RNN.cell``.
RENAMED_CELL = ("class RNN:\n    @staticmethod\n    def cell(x_t, h_prev, params):\n        p = params\n"
                "        a = np.tanh(p['Wxx'] @ x_t + p['Waa'] @ h_prev + p['ba'])\n"
                "        return a, softmax(p['Wya'] @ a + p['by']), (a, h_prev, x_t, params)\n\n\n"
                "rnn_cell_forward = RNN.cell\n")
#: The same def bound otherwise: a class method, a def without decorators in the class, a
#: top-level def under another name.
BOUND = {
    "static method": RENAMED_CELL,
    "class method": RENAMED_CELL.replace("@staticmethod\n    def cell(x_t", "@classmethod\n    def cell(cls, x_t"),
    "plain def in a class": RENAMED_CELL.replace("    @staticmethod\n", ""),
    "def of another name": textwrap.dedent(RENAMED_CELL.split("\n", 2)[2].split("\n\n\n")[0]).replace(
        "def cell(", "def my_cell(") + "\n\n\nrnn_cell_forward = my_cell\n",
}


@pytest.mark.parametrize("how", list(BOUND))
def test_check_names_the_parameters_of_the_def_an_alias_binds_as_the_grade_does(tmp_path, course_module, sandbox,  # noqa: F811
                                                                                 how):
    # c0d8d58 made the grade's messages name them (FunctionSource.bound_source, alias_of);
    # check() rebuilt the kernel's functions under their own def names, found no
    # `rnn_cell_forward`, and said "If you read it from argument 3".
    from grader.live import grade_live
    from tests.test_review_s22 import _kernel_namespace

    nb = nbs.course_notebook({"rnn_cell_forward": BOUND[how]})
    public = public_context()
    namespace = _kernel_namespace(["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"], tmp_path)
    live, _ = grade_live(namespace, context=public)
    graded = _grade(tmp_path, nb, public, sandbox)
    said = "If you read it from `params`: its keys are"
    assert said in graded.part("rnn_cell_forward").cases[0].message
    assert said in live.part("rnn_cell_forward").cases[0].message, live.part("rnn_cell_forward").cases[0].message


def test_an_error_in_a_class_run_before_its_alias_is_located_in_its_method(tmp_path, course_module, sandbox):  # noqa: F811
    # c8264c7 runs the class an alias read before the alias when a later `class RNN` replaces it
    # (_Def.before); the program's segment for it named the class as its function, so the grade
    # said "(cell 4, line 5, in RNN)" where the same method without the class defined again, and
    # check(), say "in cell".
    from grader.live import grade_live
    from tests.test_review_s22 import _kernel_namespace

    again = RENAMED_CELL + "\n\nclass RNN:\n    @staticmethod\n    def cell(a, b, c):\n        return None\n"
    nb = nbs.course_notebook({"rnn_cell_forward": again})
    public = public_context()
    namespace = _kernel_namespace(["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"], tmp_path)
    live, _ = grade_live(namespace, context=public)
    graded = _grade(tmp_path, nb, public, sandbox)
    for result in (graded, live):
        message = result.part("rnn_cell_forward").cases[0].message
        assert "line 5, in cell). If you read it from `params`" in message, message
