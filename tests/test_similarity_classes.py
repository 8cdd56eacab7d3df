"""A copied function graded through one of the notebook's classes while the similarity check
compared the class without the function it calls: twenty-fifth session's review. Each case was
graded in full on 551ee54 while the check compared a decoy, or a class whose text holds only
``return f9(...)``, and found no pair; each test failed there."""
from __future__ import annotations

import pytest

from grader.similaritystage import function_sources
from grader.models import PASSED
from grader.gradedsource import UNSEEN_NOTE
from grader.runner import grade_submission
from tests import notebooks as nbs
from tests.copies import flagged_against_classmate

_COPY = nbs.COURSE_CELLS["rnn_cell_forward"].replace("def rnn_cell_forward(", "def f9(")
_DECOY = ("def rnn_cell_forward(xt, a_prev, parameters):\n    a_next = xt * 2\n"
          "    return a_next, None, (a_next, a_prev, xt, parameters)\n")
_DELEGATE = "def rnn_cell_forward(xt, a_prev, parameters):\n    return {}.run(xt, a_prev, parameters)\n"

#: (the cell before the graded one, the graded cell)
_CELLS = {
    # A class as the decorator: calling it makes what the name binds, the copy.
    "class_decorator": (f"{_COPY}\nclass K:\n    def __new__(cls, f):\n        return f9\n", f"@K\n{_DECOY}"),
    # A class's static method as the decorator.
    "member_decorator": (f"{_COPY}\nclass K:\n    @staticmethod\n    def d(f):\n        return f9\n",
                         f"@K.d\n{_DECOY}"),
    # A function that only hands its work to a class, whose method calls the copy.
    "static_delegate": (f"{_COPY}\nclass _Obj:\n    @staticmethod\n    def run(*a):\n        return f9(*a)\n",
                        _DELEGATE.format("_Obj")),
    "instance_delegate": (f"{_COPY}\nclass _Obj:\n    def run(self, *a):\n        return f9(*a)\n",
                          _DELEGATE.format("_Obj()")),
}


def _notebook(how: str) -> dict:
    """The course notebook with ``how``'s graded cell, its class and copy in a cell before it."""
    before, graded = _CELLS[how]
    notebook = nbs.course_notebook({"rnn_cell_forward": graded})
    notebook["cells"][2:2] = [nbs.code_cell(before)]  # after the imports
    return notebook


@pytest.mark.parametrize("how", sorted(_CELLS))
def test_a_copy_reached_through_a_class_is_compared(tmp_path, context, sandbox, how):
    path = nbs.write(tmp_path / f"{how}.ipynb", _notebook(how))
    result = grade_submission(path, context=context, sandbox=sandbox)
    assert result.part("rnn_cell_forward").status == PASSED  # the copy is what is graded
    source = result.extra["sources"]["rnn_cell_forward"]
    assert source == function_sources(path, names=["rnn_cell_forward"])["rnn_cell_forward"]
    assert "np.tanh" in source, source  # the copy's text, not only the class's `return f9(...)`
    flagged_against_classmate(tmp_path, how, source)


def test_a_class_that_calls_no_function_is_compared_as_before(tmp_path):
    # A function handing its work to a class of its own code: the class alone, as on 551ee54.
    cell = ("class _Obj:\n    @staticmethod\n    def run(xt, a_prev, parameters):\n"
            "        return (xt, a_prev, parameters)\n\n" + _DELEGATE.format("_Obj"))
    path = nbs.write(tmp_path / "own.ipynb", nbs.course_notebook({"rnn_cell_forward": cell}))
    source = function_sources(path, names=["rnn_cell_forward"])["rnn_cell_forward"]
    assert source.startswith("class _Obj:") and "def rnn_cell_forward" not in source, source


#: Sixteen one-line functions named to sort before the copy ``zz``.
_SIXTEEN = "".join(f"def a{i}():\n    return {i}\n\n" for i in range(16))
_ZZ = _COPY.replace("def f9(", "def zz(")
_PADDED = {
    # A wrapper that calls them all, then the copy: compared as the sixteen, without a note.
    "delegate": (f"{_ZZ}\n{_SIXTEEN}", "def rnn_cell_forward(xt, a_prev, parameters):\n"
                 + "".join(f"    a{i}()\n" for i in range(16)) + "    return zz(xt, a_prev, parameters)\n"),
    # A decorator handing out the copy on a decoy that reads them on a branch never taken.
    "decorated": (f"{_ZZ}\n{_SIXTEEN}", "@(lambda f: zz)\n" + _DECOY.replace(
        "    a_next = xt * 2\n", "    if xt is None:\n        return (" + ", ".join(f"a{i}()" for i in range(16))
        + ")\n    a_next = xt * 2\n")),
    # A member of a class built by a metaclass, which reads them and then hands out the copy.
    "metaclass": (f"{_ZZ}\n{_SIXTEEN}", "class M(type):\n    def __getattr__(cls, name):\n        return ("
                  + ", ".join(f"a{i}" for i in range(16)) + ", zz)[-1]\n\nclass H(metaclass=M):\n    pass\n\n"
                  "rnn_cell_forward = H.rnn_cell_forward\n"),
    # A wrapper handing its work to seventeen classes, the last one's method calling the copy.
    "classes": (f"{_ZZ}\n" + "".join(f"class _A{i}:\n    def run(self):\n        return {i}\n\n" for i in range(16))
                + "class _Z:\n    def run(self, *a):\n        return zz(*a)\n",
                "def rnn_cell_forward(xt, a_prev, parameters):\n" + "".join(f"    _A{i}().run()\n" for i in range(16))
                + "    return _Z().run(xt, a_prev, parameters)\n"),
}


@pytest.mark.parametrize("how", sorted(_PADDED))
def test_sixteen_small_definitions_read_first_do_not_push_the_copy_out(tmp_path, context, sandbox, how):
    # The helpers, the definitions a class reaches and the classes a function reads were each
    # counted, at most 16 (sorted by name): the copy came seventeenth and was left out.
    before, graded = _PADDED[how]
    notebook = nbs.course_notebook({"rnn_cell_forward": graded})
    notebook["cells"][2:2] = [nbs.code_cell(before)]
    path = nbs.write(tmp_path / f"{how}.ipynb", notebook)
    result = grade_submission(path, context=context, sandbox=sandbox)
    assert result.part("rnn_cell_forward").status == PASSED
    source = result.extra["sources"]["rnn_cell_forward"]
    assert "np.tanh" in source, source  # the copy is in the text compared
    if source.startswith(UNSEEN_NOTE):
        # Noted (decorated, built by a metaclass): scored by containment, so the sixteen do not
        # dilute it. The wrappers' texts are scored by the larger side, which they do dilute
        # (0.45 and 0.77 against the classmate): left, docs/security.md's twenty-fifth review.
        flagged_against_classmate(tmp_path, how, source)
    else:
        assert how in ("delegate", "classes")


#: The classmate's ``rnn_cell_forward`` as the method of a class that holds the parameters
#: (thirty-second session): no pair on main.
_HOLDS = '''class Cell:
    def __init__(self, parameters):
        self.parameters = parameters
        self.Wax = parameters["Wax"]
        self.Waa = parameters["Waa"]
        self.Wya = parameters["Wya"]
        self.ba = parameters["ba"]
        self.by = parameters["by"]

    def forward(self, xt, a_prev):
        a_next = np.tanh(np.dot(self.Waa, a_prev) + np.dot(self.Wax, xt) + self.ba)
        yt_pred = softmax(np.dot(self.Wya, a_next) + self.by)
        cache = (a_next, a_prev, xt, self.parameters)
        return a_next, yt_pred, cache


def rnn_cell_forward(xt, a_prev, parameters):
    """One time step."""
    return Cell(parameters).forward(xt, a_prev)
'''


def test_a_copy_reading_what_its_class_holds_is_flagged(tmp_path, context, sandbox):
    path = nbs.write(tmp_path / "holds.ipynb", nbs.course_notebook({"rnn_cell_forward": _HOLDS}))
    result = grade_submission(path, context=context, sandbox=sandbox)
    assert result.part("rnn_cell_forward").status == PASSED
    report = flagged_against_classmate(tmp_path, "holds", result.extra["sources"]["rnn_cell_forward"])
    assert report.pairs[0].overall == 1.0, report.pairs


#: The same held otherwise (thirty-third session; each gave no pair on main): the weights read of
#: what ``__init__`` held first, a constant or a default given to ``__init__`` or to the method,
#: the object named before its method is called.
HELD_OTHERWISE = {
    "two_statements": [('        self.Wax = parameters["Wax"]', '        self.Wax = self.parameters["Wax"]'),
                       ('        self.by = parameters["by"]', '        self.by = self.parameters["by"]')],
    "constant_to_init": [("def __init__(self, parameters):", "def __init__(self, parameters, scale):"),
                         ("Cell(parameters)", "Cell(parameters, 1)")],
    "constant_to_method": [("def forward(self, xt, a_prev):", "def forward(self, xt, a_prev, keep):"),
                           (".forward(xt, a_prev)", ".forward(xt, a_prev, True)")],
    "default_held": [("def __init__(self, parameters):", "def __init__(self, parameters, act=np.tanh):"),
                     ("np.tanh(np.dot", "self.act(np.dot"),
                     ('        self.by = parameters["by"]\n', '        self.by = parameters["by"]\n        self.act = act\n')],
    "object_named": [("    return Cell(parameters).forward(xt, a_prev)",
                      "    cell = Cell(parameters)\n    return cell.forward(xt, a_prev)")],
}


def _changed(text: str, changes: list[tuple[str, str]]) -> str:
    for old, new in changes:
        assert old in text, old
        text = text.replace(old, new)
    return text


@pytest.mark.parametrize("how", sorted(HELD_OTHERWISE))
def test_a_copy_holding_its_parameters_otherwise_is_flagged(tmp_path, context, sandbox, how):
    path = nbs.write(tmp_path / f"{how}.ipynb",
                     nbs.course_notebook({"rnn_cell_forward": _changed(_HOLDS, HELD_OTHERWISE[how])}))
    result = grade_submission(path, context=context, sandbox=sandbox)
    assert result.part("rnn_cell_forward").status == PASSED
    report = flagged_against_classmate(tmp_path, how, result.extra["sources"]["rnn_cell_forward"])
    assert report.pairs[0].overall == 1.0, report.pairs


@pytest.mark.parametrize("change", [
    # A weight read of what ``__init__`` holds only later.
    ("        self.parameters = parameters\n        self.Wax = parameters[\"Wax\"]",
     "        self.Wax = self.parameters[\"Wax\"]\n        self.parameters = parameters"),
    # The method writes what the class holds, reads ``self`` whole, or the class does more than hold.
    ("        cache = (", "        self.Wax = xt\n        cache = ("),
    ("        cache = (", "        print_me(self)\n        cache = ("),
    ("        self.by = parameters[\"by\"]\n", "        self.by = parameters[\"by\"]\n        self.go()\n"),
])
def test_a_class_of_another_shape_is_left_as_it_is(change):
    from grader.similarity.normalise import normalise_function

    text = _HOLDS.replace(*change)
    assert text != _HOLDS
    tokens = normalise_function(text, keep_names=frozenset({"rnn_cell_forward", "softmax"}),
                                compared_for="rnn_cell_forward").tokens
    assert "ClassDef" in " ".join(tokens) or any("Cell" in t for t in tokens), tokens
    inlined = normalise_function(_HOLDS, keep_names=frozenset({"rnn_cell_forward", "softmax"}),
                                 compared_for="rnn_cell_forward").tokens
    assert not any("Cell" in t for t in inlined) and "ClassDef" not in inlined, inlined


#: Thirty-eighth session (0.75 on main, 164839a): the classmate's ``rnn_forward`` under another name,
#: called by the method of a class holding the parameters, and the graded def calling that method.
_HANDS_HELD_ON = (nbs.COURSE_CELLS["rnn_forward"].replace("def rnn_forward(", "def forward_steps(")
                  + "\n\nclass RNN:\n    def __init__(self, parameters):\n        self.parameters = parameters\n\n"
                  "    def forward(self, x, a0):\n        return forward_steps(x, a0, self.parameters)\n\n\n"
                  "def rnn_forward(x, a0, parameters):\n    return RNN(parameters).forward(x, a0)\n")


def test_a_method_handing_what_its_class_holds_to_a_copy_is_flagged(tmp_path, context, sandbox):
    path = nbs.write(tmp_path / "hands.ipynb", nbs.course_notebook({"rnn_forward": _HANDS_HELD_ON}))
    result = grade_submission(path, context=context, sandbox=sandbox)
    assert result.part("rnn_forward").status == PASSED
    report = flagged_against_classmate(tmp_path, "hands", result.extra["sources"]["rnn_forward"],
                                       function="rnn_forward")
    assert report.pairs[0].overall == 1.0, report.pairs
