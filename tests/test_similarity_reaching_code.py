"""Code that changes what a graded function runs without touching its text (its ``__code__``
replaced, or its global name rebound, while the program loads or while another graded function
runs) against the similarity check: twenty-fourth session's review. On b557f47 each was graded in
full as a copied function while the check compared the decoy, with nothing said; each test
failed there. The child alone sees what runs, so the grader cannot compare it exactly: the
compared source now carries a note, which the class report lists."""
from __future__ import annotations

import pytest

from grader.similaritystage import function_sources
from grader.models import PASSED
from grader.runner import grade_submission
from grader.similarity import find_similar, render_similarity_html
from tests import notebooks as nbs

_COPY = nbs.COURSE_CELLS["rnn_cell_forward"].replace("def rnn_cell_forward(", "def f9(")
# A decoy that reads `_z` (so that the program keeps it) on a branch it never takes.
_DECOY = ("def rnn_cell_forward(xt, a_prev, parameters):\n    if xt is None:\n        _z()\n"
          "    a_next = xt * 2\n    return a_next, None, (a_next, a_prev, xt, parameters)\n")
_SWAP = "setattr(rnn_cell_forward, '__code__', f9.__code__)"

_CELLS = {
    "default": f"{_COPY}\n{_DECOY}\ndef _z(_={_SWAP}):\n    return 1\n",
    "globals": f"{_COPY}\n{_DECOY}\ndef _z(_=globals().update(rnn_cell_forward=f9)):\n    return 1\n",
    "decorator": f"{_COPY}\n{_DECOY}\n@(lambda g: {_SWAP} or g)\ndef _z():\n    return 1\n",
    "class_body": f"{_COPY}\n{_DECOY.replace('_z()', '_Z()')}\nclass _Z:\n    {_SWAP}\n",
    # The attribute's name as a string, set by functools.
    "update_wrapper": (f"import functools\n{_COPY}\n{_DECOY}\n"
                       "def _z(_=functools.update_wrapper(rnn_cell_forward, f9, assigned=['__co' + 'de__'])):\n"
                       "    return 1\n"),
}


@pytest.mark.parametrize("how", sorted(_CELLS))
def test_code_swapped_while_loading_is_noted(tmp_path, context, sandbox, how):
    path = nbs.write(tmp_path / f"{how}.ipynb", nbs.course_notebook({"rnn_cell_forward": _CELLS[how]}))
    result = grade_submission(path, context=context, sandbox=sandbox)
    assert result.part("rnn_cell_forward").status == PASSED  # f9's code is what ran
    source = result.extra["sources"]["rnn_cell_forward"]
    assert source == function_sources(path, names=["rnn_cell_forward"])["rnn_cell_forward"]
    first, rest = source.split("\n", 1)
    assert first.startswith("# grader: the notebook's code uses `") and "(cell " in first, first
    assert rest.startswith("def rnn_cell_forward(") and "np.tanh" not in rest
    page = render_similarity_html(find_similar({how: {"rnn_cell_forward": source}}), {how: {"rnn_cell_forward": source}})
    assert f"<li>{how}: the notebook&#x27;s code uses" in page


def test_a_graded_function_that_swaps_another_is_noted(tmp_path, context, sandbox):
    # rnn_cell_forward's public case runs before lstm_cell_forward's: its body gives the
    # lstm decoy a copy's code, and lstm_cell_forward passed while its decoy was compared.
    copy = nbs.COURSE_CELLS["lstm_cell_forward"].replace("def lstm_cell_forward(", "def g9(")
    decoy = "def lstm_cell_forward(xt, a_prev, c_prev, parameters):\n    a = xt * 2\n    return a, a, None, (a,)\n"
    docstring = '    """One time step of the basic RNN cell."""\n'
    swapping = nbs.COURSE_CELLS["rnn_cell_forward"].replace(
        docstring, docstring + "    lstm_cell_forward.__code__ = g9.__code__\n")
    path = nbs.write(tmp_path / "swap.ipynb", nbs.course_notebook(
        {"rnn_cell_forward": swapping, "lstm_cell_forward": f"{copy}\n{decoy}"}))
    result = grade_submission(path, context=context, sandbox=sandbox)
    assert result.part("lstm_cell_forward").status == PASSED
    source = result.extra["sources"]["lstm_cell_forward"]
    assert source.startswith("# grader: the notebook's code uses `__code__` (cell ")
    # Every graded function is noted; the class report says it once for the submission.
    assert all(text.startswith(source.split("\n", 1)[0]) for text in result.extra["sources"].values())
    page = render_similarity_html(find_similar({"swap": dict(result.extra["sources"])}),
                                  {"swap": dict(result.extra["sources"])})
    assert page.count("<li>swap: ") == 1


def test_usual_code_is_not_noted(tmp_path):
    # `model.compile` and `self.eval` are attributes, `sys.path` reaches nothing; the words in a
    # docstring's middle are no statement: no note, the sources as before.
    extra = nbs.code_cell(
        "import sys\nsys.path.append('..')\n\ndef build(model):\n    '''Not a global: eval, compile.'''\n"
        "    model.compile(optimizer='adam')\n    model.eval()\n    print(sys.path)\n    return model\n")
    overrides = {"rnn_cell_forward": nbs.COURSE_CELLS["rnn_cell_forward"].replace(
        "    return a_next, yt_pred, cache", "    build\n    return a_next, yt_pred, cache")}
    path = nbs.write(tmp_path / "usual.ipynb", nbs.course_notebook(overrides, extra_cells=[extra]))
    sources = function_sources(path, names=["rnn_cell_forward", "rnn_forward"])
    assert sources["rnn_cell_forward"].startswith("def rnn_cell_forward(")
    assert sources["rnn_forward"].startswith("def rnn_forward(")


def test_the_note_quotes_a_module_by_its_root(tmp_path):
    # `import gc.a.a...` (80 kB of name) put the whole name in every graded function's note,
    # 80 kB a function in functions.json and the class report (this session's first version).
    module = "gc" + ".a" * 40000
    cell = f"import {module}\n" + nbs.COURSE_CELLS["rnn_cell_forward"].replace(
        "    return a_next, yt_pred, cache", "    gc\n    return a_next, yt_pred, cache")
    path = nbs.write(tmp_path / "long.ipynb", nbs.course_notebook({"rnn_cell_forward": cell}))
    sources = function_sources(path, names=["rnn_cell_forward", "rnn_forward"])
    for source in sources.values():
        first = source.split("\n", 1)[0]
        assert first.startswith("# grader: the notebook's code uses `import gc` (cell ") and len(first) < 300
