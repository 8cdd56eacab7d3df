"""``grader.codeslips`` and extraction's notes of them: a method named without its call
(``caches.append``) and an input array unpacked where its shape was meant
(``n_y, n_a = parameters["Wy"]``), two real notebooks of the thirty-fifth session. Before, the
first was told only "`caches[0]` should have 7 elements, got 0. It is an empty list: nothing was
appended to it." (the student had written the append), the second "Raised TypeError: only integer
scalar arrays can be converted to a scalar index" at the ``np.zeros`` below it, 0 / 15."""
from __future__ import annotations

from grader.codeslips import slips
from grader.extract import extract
from grader.notebook import load
from tests import notebooks as nbs
from tests.test_review_s23 import _grade

UNCALLED = nbs.mutate("lstm_forward", "caches.append(cache)", "caches.append")
UNPACKED = nbs.mutate("lstm_forward", 'n_y, n_a = parameters["Wy"].shape', 'n_y, n_a = parameters["Wy"]')


def _line(source: str, text: str) -> int:
    """The 1-based line of ``source`` that is ``text`` (stripped)."""
    return next(k for k, line in enumerate(source.split("\n"), 1) if line.strip() == text)


def _notes(tmp_path, overrides) -> list[str]:
    path = nbs.write(tmp_path / "student.ipynb", nbs.course_notebook(overrides))
    return [d.message for d in extract(load(path)).diagnostics]


def test_a_method_named_without_its_call_is_told_with_its_line(tmp_path, context, sandbox):
    result = _grade(tmp_path, nbs.course_notebook(UNCALLED), context, sandbox)
    part = result.part("lstm_forward")
    assert part.status == "failed" and 0 < part.points < part.max_points, (part.status, part.points)
    line = _line(UNCALLED["lstm_forward"], "caches.append")
    (note,) = [n for n in result.messages if "without calling it" in n]
    assert note.startswith("`lstm_forward` names `caches.append` without calling it (cell "), note
    assert f"line {line}): the line does nothing" in note and "`caches.append(...)`" in note, note


def test_an_input_array_unpacked_for_its_sizes_is_told_with_its_line(tmp_path, context, sandbox):
    result = _grade(tmp_path, nbs.course_notebook(UNPACKED), context, sandbox)
    part = result.part("lstm_forward")
    assert part.points == 0, (part.status, part.points)
    line = _line(UNPACKED["lstm_forward"], 'n_y, n_a = parameters["Wy"]')
    (note,) = [n for n in result.messages if "unpacks" in n]
    assert note.startswith("`lstm_forward` unpacks `parameters[\"Wy\"]` itself into `n_y, n_a` (cell "), note
    assert f"line {line}): that gives the array's rows, not its sizes" in note, note
    assert '`n_y, n_a = parameters["Wy"].shape`' in note, note


def test_right_code_and_a_shape_kept_in_a_name_get_no_note(tmp_path):
    # The course notebook (its rnn_backward unpacks `(caches, x) = caches`, an input tuple of other
    # names), and sizes unpacked from a local name that holds a shape.
    assert not [n for n in _notes(tmp_path, None) if "without calling" in n or "unpacks" in n]
    kept = nbs.mutate("lstm_forward", "n_x, m, T_x = x.shape", "dims = x.shape\n    n_x, m, T_x = dims")
    assert not [n for n in _notes(tmp_path / "kept", kept) if "unpacks" in n]


def test_slips_reads_the_def_s_own_statements_only():
    source = ("def f(x, parameters):\n"
              "    n_x, m = x\n"
              "    for t in range(3):\n"
              "        out.append\n"
              "    def inner(w):\n"
              "        n_a, n_b = w\n"
              "        w.T\n"
              "    a, b = parameters['W']\n"
              "    return out\n")
    assert [(s.line, s.text, s.kind) for s in slips(source)] == [
        (2, "n_x, m = x", "unpacked"), (4, "out.append", "uncalled")]
    assert slips("x = 1\n") == () and slips("def f(:\n    a.b\n") == ()


def test_a_slip_is_quoted_as_written_where_the_tree_counts_the_cell_s_lines():
    source = "def f(x, parameters):\n    n_y, n_a = parameters[ \"Wy\" ]  # sizes\n    caches .append\n"
    tree = __import__("ast").parse("\n\n\n" + source)  # the def on line 4 of its cell
    assert [(s.line, s.text) for s in slips(source, tree)] == [
        (5, 'n_y, n_a = parameters[ "Wy" ]'), (6, "caches .append")]


def test_a_def_read_for_its_slips_is_parsed_without_the_compiler_s_warnings(tmp_path):
    # The full suite's test_extract_quiet found a parse of every def (the fast path's too) that warned
    # of "\s" in a docstring; a def is parsed for its slips only when its text may hold one, quietly.
    import warnings

    source = ('import numpy as np\n\ndef f(x, caches):\n    """All steps \\s."""\n    caches.append\n'
              '    return x\n')
    path = nbs.write(tmp_path / "student.ipynb", nbs.notebook([nbs.code_cell(source)]))
    with warnings.catch_warnings(record=True) as said:
        warnings.simplefilter("always")
        notes = [d.message for d in extract(load(path)).diagnostics]
    assert [str(w.message) for w in said] == []
    assert any("names `caches.append` without calling it" in n for n in notes), notes


#: A fix written below the function's ``return`` (thirty-sixth session): `dba` summed without
#: `keepdims` above it, the right sum under it, where it never runs.
FIX_BELOW_RETURN = nbs.mutate(
    "rnn_cell_backward",
    "    dba = np.sum(dtanh, axis=1, keepdims=True)\n",
    "    dba = np.sum(dtanh, axis=1)\n",
)
FIX_BELOW_RETURN["rnn_cell_backward"] = FIX_BELOW_RETURN["rnn_cell_backward"].replace(
    "    return gradients\n",
    "    return gradients\n\n    # fixed the shape\n    gradients[\"dba\"] = np.sum(dtanh, axis=1, keepdims=True)\n")


def test_code_below_the_return_is_told_it_never_runs(tmp_path, context, sandbox):
    # Before, the student read only `dba`'s shape and keepdims=True, which their line below the
    # return has: nothing said that line never runs.
    source = FIX_BELOW_RETURN["rnn_cell_backward"]
    result = _grade(tmp_path, nbs.course_notebook(FIX_BELOW_RETURN), context, sandbox)
    part = result.part("rnn_cell_backward")
    assert 0 < part.points < part.max_points, (part.status, part.points)
    line = _line(source, "return gradients")
    (note,) = [n for n in result.messages if "never run" in n]
    assert note.startswith("`rnn_cell_backward` ends at `return gradients` (cell "), note
    assert note.endswith(f"line {line}): the lines below it in the function never run. If they hold your "
                         "work, move them above it."), note


def test_a_return_inside_a_block_or_at_the_end_gets_no_note(tmp_path):
    # The course notebook's defs end at their return; a return in an `if` ends nothing below it;
    # a raise of the body with code under it is told too.
    assert not [n for n in _notes(tmp_path, None) if "never run" in n]
    early = nbs.mutate("rnn_cell_backward", '    (a_next, a_prev, xt, parameters) = cache\n',
                       '    if cache is None:\n        return None\n    (a_next, a_prev, xt, parameters) = cache\n')
    assert not [n for n in _notes(tmp_path / "early", early) if "never run" in n]
    raised = nbs.mutate("rnn_cell_backward", '    (a_next, a_prev, xt, parameters) = cache\n',
                        '    raise NotImplementedError\n    (a_next, a_prev, xt, parameters) = cache\n')
    (note,) = [n for n in _notes(tmp_path / "raised", raised) if "never run" in n]
    assert note.startswith("`rnn_cell_backward` ends at `raise NotImplementedError` ("), note
