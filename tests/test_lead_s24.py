"""The twenty-fourth session's lead: a wrong cell reached through a keyword-only default.

``def rnn_forward(x, a0, parameters, *, cell=rnn_cell_forward)`` holds the cell in
``__kwdefaults__``, which neither the program (``program.defaults_line``) nor check()
(``live._stand_in_defaults``) read: a right composite lost its points for the cell's mistake, in
the grade and in check() alike (found by the review helper). Both tests fail before the fix.
"""
from __future__ import annotations

from tests import notebooks as nbs
from tests.budgets import with_timeout
from tests.test_live import course_module  # noqa: F401 - a fixture: rnn_utils importable
from tests.test_review_s23 import _grade
from tests.test_review_s24 import WRONG_CELL, _check_and_grade


def _cell_as_keyword_default() -> dict:
    """The wrong cell, and a right rnn_forward taking it as a keyword-only default argument."""
    forward = (nbs.COURSE_CELLS["rnn_forward"]
               .replace("def rnn_forward(x, a0, parameters):",
                        "def rnn_forward(x, a0, parameters, *, cell=rnn_cell_forward):")
               .replace("= rnn_cell_forward(", "= cell("))
    assert "*, cell=rnn_cell_forward" in forward and "= cell(" in forward
    return nbs.course_notebook({"rnn_cell_forward": WRONG_CELL, "rnn_forward": forward})


def test_a_wrong_cell_given_as_a_keyword_only_default_costs_once(tmp_path, context, sandbox):
    # at nice 19 beside two busy loops the composite's case timed out (0 / 15): time is not the subject
    result = _grade(tmp_path, _cell_as_keyword_default(), with_timeout(context), sandbox)
    assert result.part("rnn_cell_forward").points == 0
    composite = result.part("rnn_forward")
    assert composite.points == composite.max_points, [c.message for c in composite.cases][:1]


def test_check_isolates_a_keyword_only_default_as_the_grade_does(tmp_path, course_module, sandbox):  # noqa: F811
    live, graded, namespace = _check_and_grade(_cell_as_keyword_default(), tmp_path, sandbox)
    assert ("rnn_forward", "passed") in graded and ("rnn_cell_forward", "failed") in graded
    assert live == graded
    assert namespace["rnn_forward"].__kwdefaults__ == {"cell": namespace["rnn_cell_forward"]}, \
        "the kernel's function is left as it was"


def test_the_similarity_package_offers_every_default_of_find_similar():
    # DEFAULT_MEASURE was the one default find_similar's callers could not import from the package
    # (noted by the review helper).
    import grader.similarity as package
    from grader.similarity import detect

    defaults = [name for name in detect.__all__ if name.startswith("DEFAULT_")]
    assert "DEFAULT_MEASURE" in defaults
    assert {name: getattr(package, name) for name in defaults} == {name: getattr(detect, name) for name in defaults}


def test_files_left_on_the_sandboxs_own_tmpfs_are_not_the_tas_to_remove(tmp_path, monkeypatch, capfd):
    # With root (the mount namespace) and, since this session, without root where user namespaces
    # are allowed, the children's directories are on the zygote's own tmpfs, which goes with it:
    # the note told the TA to remove files from a path no one else can see (left by the tmp helper).
    from grader._child import TA_NOTE, Zygote
    from tests.test_messages_s21 import _stuck_unlink

    _stuck_unlink(monkeypatch)
    zygote = Zygote.__new__(Zygote)  # only what _remove_dir reads
    zygote.told_left_behind, zygote.tmp_private = False, True
    child = tmp_path / "c1"
    child.mkdir()
    (child / "stuck").write_text("")
    zygote._remove_dir(str(child))
    assert capfd.readouterr().err == (
        f"{TA_NOTE}a student's code left 1 file or folder that could not be removed in {child} (later ones "
        f"are not reported); they are on the sandbox's own tmpfs, gone when the run ends.\n")


def test_a_class_that_refuses_the_members_dispatch_keeps_its_member_and_grades_as_before(tmp_path, context, sandbox):
    # Hostile: the class holding the cell has a metaclass whose __setattr__ raises, so the dispatch
    # lines after it (program.members_line) cannot replace the member. The program must still
    # load (the lines are guarded), the right cell keep its points, and a composite calling
    # RNN.cell(...) be graded on what the class holds: here the right cell, so full points.
    before = ("class _Locked(type):\n    def __setattr__(cls, key, value):\n        raise TypeError('locked')\n\n\n"
              "class RNN(metaclass=_Locked):\n    cell = staticmethod(rnn_cell_forward)\n\n\n")
    forward = (nbs.COURSE_CELLS["rnn_forward"]
               .replace("def rnn_forward(x, a0, parameters):", before + "def rnn_forward(x, a0, parameters):")
               .replace("= rnn_cell_forward(", "= RNN.cell("))
    assert "RNN.cell(" in forward
    result = _grade(tmp_path, nbs.course_notebook({"rnn_forward": forward}), context, sandbox)
    for name in ("rnn_cell_forward", "rnn_forward"):
        part = result.part(name)
        assert part.points == part.max_points, (name, [c.message for c in part.cases][:1])
