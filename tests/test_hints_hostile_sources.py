"""The loop rules (``loophints.loop_mistake``) on a graded function built to be slow to read.

The rules read the student's function in the grading worker, without a time limit, once a case
of it failed. Before the thirty-third session's hostile review (written against d963ff1) they
were polynomial in the function's size: every loop scanned the names of every loop and of what
follows each (cubic in the loops: 500 one-line loops, 15 kB, cost 15.8 s of CPU, 1,000 cost
125 s), and every assignment in a loop looked again at every later statement of it (quadratic:
2,000 statements, 28 kB, 12.5 s). Within the code limit (``SizeLimits.max_cell_chars``, 100 kB)
such a function stalled a worker for hours. Each test fails on d963ff1 by its CPU budget.
"""
from __future__ import annotations

import pytest

from grader import hintcode, hints, loophints, stephints, valuehints
from grader.notebook import SIZE_LIMITS
from grader.runner import grade_submission
from tests import notebooks as nbs
from tests.cpu import cpu_budget

_HEAD = "def rnn_backward(da, caches):\n"


def _within_the_limit(source: str) -> str:
    assert len(source) <= SIZE_LIMITS.max_cell_chars, len(source)
    return source


HOSTILE = {
    "many loops, each read with all that follows": _HEAD + "    for t in r:\n        a = 1\n" * 3_200
    + "    return a\n",
    "one loop of many assignments": _HEAD + "    for t in r:\n" + "        a = 0\n" * 7_000 + "    return a\n",
    "wide targets after resets": _HEAD + "    for t in r:\n" + "        a = 0\n" * 200
    + ("        x[" + "a, " * 80 + "a] = 1\n") * 150 + "    return x\n",
    "twenty loops of many names": _HEAD + ("    for t in r:\n        " + "b, " * 1_500 + "b = c\n") * 20
    + "    return b\n",
}


@pytest.mark.parametrize("source", [pytest.param(s, id=k) for k, s in HOSTILE.items()])
def test_the_loop_rules_read_a_hostile_function_in_bounded_time(source):
    source = _within_the_limit(source)
    with cpu_budget(1.0):
        found = loophints.loop_mistake(source)
    assert len(found) == 2


def test_the_loop_rules_still_read_a_long_real_function():
    """A control: the largest graded function of the real corpora has 42 statements and one loop;
    a function of 150 statements and 10 loops is still read (its mistake found), in milliseconds."""
    body = "".join(f"    s{k} = {k}\n" for k in range(120))
    loops = "    for t in r:\n        a = 1\n" * 9
    source = (_HEAD + body + loops + "    for t in range(T_x):\n        dWax = np.zeros((n_a, n_x))\n"
              "        dWax += dWaxt\n    return dWax\n")
    with cpu_budget(0.5):
        found = loophints.loop_mistake(source)
    assert found[0] == "loop/made-in-loop", found


def test_a_graded_notebook_with_a_hostile_loop_costs_the_grader_little(tmp_path, context, sandbox):
    """Through the runner: the hostile function is graded (it returns a wrong value, so a case fails
    and the loop rules are asked), the grading process's CPU within the budget."""
    source = _within_the_limit(_HEAD + "    for t in range(1):\n        a = 1\n" * 2_500 + "    return {'dx': a}\n")
    path = nbs.write(tmp_path / "student.ipynb", nbs.course_notebook({"rnn_backward": source}))
    with cpu_budget(4.0):
        result = grade_submission(path, context=context, sandbox=sandbox)
    part = result.part("rnn_backward")
    assert part.points == 0 and part.cases[0].status == "failed", part.cases[0]


# ------------------------------------------------------------------ hints that read other functions
# ``through_helper_hint`` and ``returned_order_hint`` read the notebook's other functions, once a
# case each (a composite's wrong call of its step, an error on a line reading unpacked names).
# They parsed a called function again at every call of it: a 100 kB helper called 500 times cost
# more than 20 s a case (twelve composite cases a submission), and unpacking 2,000 names compared
# each with each of the values returned (3 s; quadratic).

_BIG_HELPER = "def h(a):\n" + "    a = a + 1\n" * 7_000


def test_a_big_helper_called_many_times_is_read_once_for_a_composites_call():
    source = "def rnn_forward(x, a0, parameters):\n" + "    h(x)\n" * 500 + "    return a0\n"
    functions = {"h": _within_the_limit(_BIG_HELPER + "    return a\n"), "rnn_forward": source}
    with cpu_budget(1.0):
        assert stephints.through_helper_hint(source, callee="rnn_cell_forward", functions=functions) == ""


def test_a_big_helper_unpacked_many_times_is_read_once_for_an_error():
    source = "def rnn_forward(x, a0, parameters):\n" + "    b, a = h(x)\n" * 1_000 + "    return a0\n"
    functions = {"h": _within_the_limit(_BIG_HELPER + "    return c, d\n")}
    with cpu_budget(1.0):
        assert stephints.returned_order_hint("    y = a + b", source=source, functions=functions) == ""


def test_many_names_unpacked_are_not_compared_each_with_each():
    names = [f"b{k}" for k in range(4_000)]  # 12.8 s before
    source = "def rnn_forward(x, a0, parameters):\n    " + ", ".join(names) + " = h(x)\n    return a0\n"
    functions = {"h": "def h(a):\n    return " + ", ".join(f"c{k}" for k in range(4_000)) + "\n"}
    with cpu_budget(1.0):
        assert stephints.returned_order_hint("    y = f(" + ", ".join(names) + ")", source=source, functions=functions) == ""


def test_the_hints_that_read_other_functions_still_read_a_helper():
    """Controls: a helper called before the one that calls the step, and names unpacked in another
    order than the helper returns, are still told."""
    source = ("def rnn_forward(x, a0, parameters):\n    h(x)\n    h(x)\n"
              "    a, y, c = step(x[:, :, 0], a0, parameters)\n    return a\n")
    functions = {"h": "def h(a):\n    return a\n",
                 "step": "def step(x, a, p):\n    return rnn_cell_forward(x, a, p)\n", "rnn_forward": source}
    said = stephints.through_helper_hint(source, callee="rnn_cell_forward", functions=functions)
    assert "calls it through your `step` (line 4" in said and "`(x, a, p)`" in said, said
    source = ("def rnn_backward(da, caches):\n    dxt, dWaxt, da_prevt = back_step(da, caches)\n"
              "    y = dWaxt + 1\n    return y\n")
    functions = {"back_step": "def back_step(d, c):\n    return g['dxt'], g['da_prev'], g['dWax']\n"}
    said = stephints.returned_order_hint("    y = dWaxt + 1", source=source, functions=functions)
    assert said.startswith("`dWaxt` is the 2nd name of line 2"), said


# ------------------------------------------------------------------ the notebook's own `np = ...`
# ``shadowed_name_hint`` names where the notebook's top level assigns ``np`` (``runner._assigned_at_top``),
# found by parsing the whole program: once an error case, for every AttributeError or
# UnboundLocalError, whether the hint was then given or not. 24 cases raising AttributeError beside
# 190 kB of constants holding an ``np = np`` cost the grading worker 3.9 s (0.16 s a case).

_SIGNATURES = {"rnn_cell_forward": "xt, a_prev, parameters", "rnn_forward": "x, a0, parameters",
               "lstm_cell_forward": "xt, a_prev, c_prev, parameters", "lstm_forward": "x, a0, parameters",
               "rnn_cell_backward": "da_next, cache", "rnn_backward": "da, caches"}


def test_the_notebooks_own_np_is_looked_for_once_a_submission(tmp_path, context, sandbox):
    cells = {name: f"def {name}({args}):\n    raise AttributeError(\"'dict' object has no attribute 'dot'\")\n"
             for name, args in _SIGNATURES.items()}
    constants = "".join(f"C{i} = [{i}, {i}, {i}, {i}]\n" for i in range(3_000)) + "np = np\n"
    extra = [nbs.code_cell(_within_the_limit(constants)), nbs.code_cell(constants.replace("C", "D"))]
    path = nbs.write(tmp_path / "student.ipynb", nbs.course_notebook(cells, extra_cells=extra))
    grade_submission(path, context=context, sandbox=sandbox)  # the extraction's memos warm
    with cpu_budget(1.5):
        result = grade_submission(path, context=context, sandbox=sandbox)
    case = result.part("rnn_forward").cases[0]
    assert case.status == "error" and "'dict' object has no attribute 'dot'" in case.message, case


# ------------------------------------------------------------------ names from outside the function
# Each name a graded function reads from outside it gets a note, and one that nothing defines is
# compared with every function of the notebook for a "did you mean" (``runner._near_function``,
# difflib), in both phases: 5,000 such names beside 2,500 small defs (168 kB of code) cost the
# grading worker 126 s.


def test_many_names_from_outside_a_function_cost_little(tmp_path, context, sandbox):
    defs = "".join(f"def rnn_cell_f{i}(x):\n    return x\n" for i in range(1_200))
    cell = "def rnn_forward(x, a0, parameters):\n    return [" + ", ".join(f"rnn_cell_g{i}" for i in range(2_000)) + "]\n"
    path = nbs.write(tmp_path / "student.ipynb", nbs.course_notebook(
        {"rnn_forward": _within_the_limit(cell)}, extra_cells=[nbs.code_cell(_within_the_limit(defs))]))
    grade_submission(path, context=context, sandbox=sandbox)  # the extraction's memos warm
    with cpu_budget(2.0):
        result = grade_submission(path, context=context, sandbox=sandbox)
    notes = result.part("rnn_forward").notes
    # One note since the thirty-fourth session (names a function reads and never computes, told together:
    # failtexts.unset_note), the first nine names in it and the rest counted.
    assert len(notes) == 1 and notes[0].startswith("`rnn_forward` uses `rnn_cell_g0`, `rnn_cell_g1`, "), notes
    assert "and 1,991 more, which no line of it computes" in notes[0], notes[0]
    assert not any(m.startswith("`rnn_forward` uses") for m in result.messages), result.messages[:3]


def test_a_name_nothing_defines_is_still_told_the_function_it_may_mean(tmp_path, context, sandbox):
    source = nbs.COURSE_CELLS["rnn_forward"].replace("rnn_cell_forward(", "rnn_cell_froward(", 1)
    path = nbs.write(tmp_path / "student.ipynb", nbs.course_notebook({"rnn_forward": source}))
    notes = grade_submission(path, context=context, sandbox=sandbox).part("rnn_forward").notes
    assert any("did you mean `rnn_cell_forward`?" in note for note in notes), notes


# ------------------------------------------------------------------ a long line, read by every rule
# The line a case raised on is read by a dozen rules, most of which parsed it again: six functions
# raising on a 30 kB line cost the worker 2.5 s for their 24 cases (0.1 s a case).


def test_a_long_line_is_parsed_at_most_twice_for_the_rules_of_a_case(monkeypatch):
    import types

    parses = []
    real = hintcode._PARSED_LINES._fn
    monkeypatch.setattr(hintcode._PARSED_LINES, "_fn", lambda text: parses.append(len(text)) or real(text))
    line = "    a = np.dot(w, v) if k else f(" + ", ".join(f"b{i} * c" for i in range(4_000)) + ")"
    outcome = types.SimpleNamespace(error_type="ValueError",
                                    message="shapes (5,10) and (5,10) not aligned: 10 (dim 1) != 5 (dim 0)")
    for _case in range(4):
        hints.numpy_call_hint(outcome, line)
        hints.assignment_hint(outcome, line)
        hints.list_index_hint("ValueError", outcome.message, line)
        stephints.returned_order_hint(line, source="def f(x):\n" + line + "\n", functions={})
    assert len(parses) <= 2, parses


def test_six_functions_raising_on_long_lines_cost_the_worker_little(tmp_path, context, sandbox):
    tail = " + ".join(f"(b{i} * c)" for i in range(2_200))
    cells = {name: f"def {name}({args}):\n    a = np.dot(np.zeros((5, 10)), np.zeros((5, 10))) if True else {tail}\n"
                   f"    return a\n" for name, args in _SIGNATURES.items()}
    path = nbs.write(tmp_path / "student.ipynb", nbs.course_notebook(cells))
    with cpu_budget(2.0):
        result = grade_submission(path, context=context, sandbox=sandbox)
    case = result.part("rnn_forward").cases[0]
    assert case.status == "error" and "have the same shape (5, 10)" in case.message, case.message[:300]


# ------------------------------------------------------------------ thirty-fourth session's hints
# The cache's order is read from the notebook's functions that store a tuple under the unpacked
# parameter's name (at most 8, of at most 20,000 characters); a step's gradient summed again is a loop
# rule (bounded with them); a global kept across calls walks at most 20,000 nodes.

def test_many_large_functions_storing_a_cache_cost_a_failed_part_little(tmp_path, context, sandbox):
    maker = "def maker{k}(x):\n" + "    y = x + 1\n" * 1_300 + "    cache = (b, a, c)\n    return cache\n"
    extra = [nbs.code_cell(_within_the_limit("".join(maker.format(k=k) for k in range(j, j + 5))))
             for j in range(0, 40, 5)]
    cell = nbs.COURSE_CELLS["rnn_cell_backward"].replace("(a_next, a_prev, xt, parameters) = cache",
                                                         "(a_prev, a_next, xt, parameters) = cache")
    path = nbs.write(tmp_path / "student.ipynb", nbs.course_notebook({"rnn_cell_backward": cell}, extra_cells=extra))
    grade_submission(path, context=context, sandbox=sandbox)  # the extraction's memos warm
    with cpu_budget(2.0):
        result = grade_submission(path, context=context, sandbox=sandbox)
    notes = result.part("rnn_cell_backward").notes
    assert any("your `rnn_cell_forward` stores it as" in note for note in notes), notes


def test_a_hostile_function_with_a_global_and_step_sums_is_read_in_bounded_time():
    source = _within_the_limit("def f(da, caches):\n    global g\n" + "    for t in r:\n        g = rnn_cell_backward(t)\n"
                               "        d += np.sum(g, axis=0)\n" * 1_200 + "    return g\n")
    with cpu_budget(1.0):
        assert loophints.loop_mistake(source) == ("", "")  # past MOST_LOOPS: not read
        valuehints.global_state_hint(source)


def test_a_line_of_many_spaces_and_commas_is_tested_for_unpacking_in_linear_time():
    # stephints._may_unpack is string methods only: a pattern over such a line could backtrack.
    from tests.cpu import cpu_budget

    source = "def f(cache):\n    " + "a," + " " * 90_000 + "\n    return 1\n"
    with cpu_budget(0.5):
        assert stephints.unpacked_order(source) is None


def test_a_name_set_beside_many_loops_costs_one_hint_little():
    # ``too_many_indices_hint`` looks for the name set before a loop and again inside it: each
    # loop scanned every assignment of the name (2,500 sets beside 2,400 loops, 97 kB: about
    # 1.5 s of CPU for one hint on the commit before; each loop bisects the sorted sets now).
    source = _within_the_limit(_HEAD + "    x = 1\n" * 2_500 + "    for i in r:\n        z = 2\n" * 2_400)
    with cpu_budget(0.5):
        hint = hints.too_many_indices_hint(
            "IndexError", "too many indices for array: array is 1-dimensional, but 2 were indexed",
            "    y = x[0, 0]", source=source)
    assert hint == "`x` has 1 axes here, and `x[0, 0]` indexes 2: check the sizes `x` was created with (one for each axis)."


def test_a_line_calling_thousands_of_names_looks_up_three():
    # Each lookup of a called name at the notebook's top level may parse the whole program
    # (``runner._assigned_at_top``): a line calling 5,000 names asks for three of them only.
    names = [f"f{k}" for k in range(5_000)]
    line = "    y = (" + ", ".join(f"{name}()" for name in names) + ")"
    asked = []
    hint = hints.not_callable_hint("TypeError", "TypeError: 'NoneType' object is not callable", line,
                                   source=_HEAD + line + "\n    return y\n",
                                   assigned_at=lambda name: asked.append(name) or "")
    assert hint == "" and len(asked) == hints.MOST_CALLED_LOOKED_UP == 3, len(asked)


def test_a_hint_quoting_many_pieces_of_a_long_line_or_function_costs_little():
    """Thirty-sixth session (hostile): the student's code was quoted by ``ast.get_source_segment``,
    which splits its whole text into lines by a loop of Python over every character at each call.
    A hint quoting each of a call's arguments (``np.zeros(a0, ..., a11999)`` raising "data type",
    85 kB on a line) or reading each one-element tuple of a function (``x7 = 1,`` 6,500 times, the
    error "'tuple' object does not support item assignment"; 100 kB) was quadratic: 1.7 s for 2,000
    arguments, 16 s for 3,000 tuples, minutes at the cell's 100 kB. Each costs the hint under a
    second now."""
    import types

    line = "    x = np.zeros(" + ", ".join(f"a{i}" for i in range(12_000)) + ")"
    outcome = types.SimpleNamespace(error_type="TypeError", message="Cannot interpret 'a1' as a data type")
    source = _within_the_limit("def f(x):\n" + "".join(f"    x{i} = 1,\n" for i in range(6_500))
                               + "    x = np.zeros(3),\n    x[0] = 1\n    return x\n")
    with cpu_budget(1.0):
        said = hints.numpy_call_hint(outcome, _within_the_limit(line))
        tuple_said = hints.comma_tuple_hint("TypeError", "'tuple' object does not support item assignment",
                                            "    x[0] = 1", source=source)
    assert said.endswith("a11998, a11999))`."), said[-80:]
    assert tuple_said.startswith("`x` is a tuple: `x = np.zeros(3),` (line 6502) ends"), tuple_said
    assert "6500 other lines of the function end so too" in tuple_said, tuple_said


@pytest.mark.parametrize("source", [
    "a = f(x,\r\n      'é', y)\r\nb = [1,\r 2]\rc = {'k':\f 3}\n",
    "def g():\n    return (1 +\n            2)  # ünïcode\n\n\n",
    "x = 1",
], ids=["crlf-cr-ff", "multi-line", "one-line"])
def test_the_student_s_code_is_quoted_as_ast_quotes_it(source):
    """``hintcode.source_segment`` gives ``ast.get_source_segment``'s text for every node, whatever
    ends the lines (``\\r\\n``, a lone ``\\r``; a form feed ends none)."""
    import ast

    nodes = [node for node in ast.walk(ast.parse(source)) if hasattr(node, "end_lineno")]
    assert nodes
    for node in nodes:
        assert hintcode.source_segment(source, node) == ast.get_source_segment(source, node), ast.dump(node)


# Thirty-sixth session, helper fb: the hints of mistakes across functions read other functions too.
# Thirty-eighth session: measured as what it means, not by a budget of 1.0 s of the process's CPU, which a
# full suite under load broke (0.6 s alone): how many functions the hint reads (a count), and its CPU time
# against that of parsing what it reads once (``cpu.cost_in_parses``, in this thread, the two measured in
# turn, the cyclic collector off: a loaded machine slows both alike). Reading each once in linear time costs 0.8
# to 1.5 parses; the makers' hint with a scan of its function's lines at each assignment (quadratic) cost 4.6
# (7.8 at twice the lines). A budget of 20 s stays, to stop a hint that never ends.
def _layout_hint(functions):
    return hints.given_layout_hint("ValueError", "not enough values to unpack (expected 2, got 4)", "    (a, b) = cache",
                                   function="rnn_cell_backward", arguments={"cache": (1, 2, 3, 4)}, functions=functions)


def _makers(lines: int) -> dict:
    # 200 functions that each assign `cache` `lines` times, never with the 2 values the line names.
    return {f"maker{k}": _within_the_limit(f"def maker{k}(x):\n" + "    cache = (a, b, c)\n" * lines) for k in range(200)}


def _calls(lines: int) -> str:
    return _within_the_limit("def lstm_forward(x, a0, parameters):\n" + "    q = g(x) + g(x) + g(x)\n" * lines
                             + "    rnn_cell_forward(x, a0, parameters)\n")


def _keyed(lines: int) -> str:
    return _within_the_limit("def rnn_backward(da, caches):\n    g = rnn_cell_backward(da, caches)\n"
                             + "    q = g['a'] + g['a']\n" * lines + "    y = g['x']\n")


def _asked(source: str) -> str:
    return stephints.asked_key_hint("KeyError", "KeyError: 'x'", "    y = g['x']", source=source,
                                    asked={"rnn_cell_backward": ["dxt", "da_prev"]})


def _other_step(source: str) -> str:
    return stephints.other_step_hint(source, steps=("lstm_cell_forward",), others=("rnn_cell_forward",))


def test_the_hints_across_functions_read_hostile_functions_in_bounded_time(monkeypatch):
    from tests.cpu import cost_in_parses

    read = []
    monkeypatch.setattr(hints, "function_tree", lambda source: read.append(source) or hintcode.function_tree(source))
    makers, calls, keyed = _makers(1_500), _calls(3_000), _keyed(4_000)
    with cpu_budget(20.0):
        said = _layout_hint(makers)
        assert len(read) == hints._MOST_MAKERS, len(read)  # of 200 makers, the first _MOST_MAKERS
        assert said.startswith("`cache` is given as the assignment asks for it: 4 values") and "maker" not in said, said
        assert _other_step(calls) == ""
        assert "none of them `'x'`" in _asked(keyed)
        clear = hintcode._FUNCTION_TREES.clear  # else a second run reads its trees from the memo
        for run, texts in ((lambda: _layout_hint(makers), list(makers.values())[:hints._MOST_MAKERS]),
                           (lambda: _other_step(calls), [calls]), (lambda: _asked(keyed), [keyed])):
            cost = cost_in_parses(run, texts, repeats=2, setup=clear)
            assert cost < 2.5, f"{cost:.2f} parses of what the hint reads"


def test_the_makers_of_a_tuple_are_found_among_blank_lines_in_linear_time():
    # Thirty-seventh session (hostile): given_layout_hint looked for a function that assigns the name
    # with ^\s*name\s*= (MULTILINE), whose \s* ran from every line start to the end of a run of blank
    # lines: a function of 60,000 blank lines (60 kB) cost each of _MOST_MAKERS functions 2.6 s.
    functions = {f"maker{k}": "def maker%d(x):\n" % k + "\n" * 60_000 + "    return x\n" for k in range(3)}
    functions["maker"] = "def maker(x):\n\n\n   \n    cache = (1, 2)\n    return cache\n"
    with cpu_budget(1.0):
        said = hints.given_layout_hint("ValueError", "not enough values to unpack (expected 2, got 4)",
                                       "    (a, b) = cache", function="rnn_cell_backward",
                                       arguments={"cache": (1, 2, 3, 4)}, functions=functions)
    assert "Your `maker` stores 2 in `cache` (`cache = (1, 2)`)" in said, said


def test_the_makers_pattern_finds_the_functions_it_found_before():
    # Control: ^[^\S\n]*+name\s*+= finds a function where ^\s*name\s*= did (every text of up to 5 pieces).
    import re

    from tests.patterns import assert_same_matches

    assert_same_matches(re.compile(r"^\s*cache\s*=", re.MULTILINE), re.compile(r"^[^\S\n]*cache\s*=", re.MULTILINE),
                        ["\n", " ", "\t", "\r", "\x0c", "cache", "=", "x", "\u2028"], most=5, spans=False)


def test_a_steps_cache_taken_apart_reads_hostile_makers_once(monkeypatch):
    from grader.hintcode import function_tree

    # Thirty-seventh session: after `(caches, x) = caches`, the makers of caches of both sizes are looked for
    # in one pass (two passes parsed each of the 20 functions twice, 1.5 s of CPU: the parses' memo holds fewer).
    # Counted, not timed (a CPU budget of 1.0 s failed under a load of 9 where 0.7 s is usual): the graded
    # function's tree once, then each of the 20 makers read once.
    import numpy as np
    read = []
    monkeypatch.setattr(hints, "function_tree", lambda source: read.append(source) or function_tree(source))
    functions = {f"maker{k}": _within_the_limit(f"def maker{k}(x):\n" + "    cache = (a, b, c)\n" * 1_500)
                 for k in range(200)}
    functions["rnn_backward"] = "def rnn_backward(da, caches):\n    (caches, x) = caches\n    (a1, c1) = caches[0]\n"
    step = (np.zeros((5, 10)), np.zeros((5, 10)), np.zeros((3, 10)), {})
    arguments = {"da": np.zeros((5, 10, 4)), "caches": ([step] * 4, np.zeros((3, 10, 4)))}
    said = hints.given_layout_hint("ValueError", "too many values to unpack (expected 2)", "    (a1, c1) = caches[0]",
                                   function="rnn_backward", arguments=arguments, functions=functions)
    assert len(read) == 21, len(read)
    assert said.startswith("`caches[0]` is one step's cache as the assignment gives it: 4 values"), said
    assert said.endswith("Give one name to each of its values, in their order."), said


# Thirty-eighth session (polish): stephints.carried_only_hint and step_only_hint read every loop of the function
# and every node of each, and carried_only_hint looked up the stores of a call's argument in the whole loop once
# per call (calls times statements): one loop of 380 lines of 11 calls each (97 kB) cost 41 s of CPU, 645 parses;
# 60 nested loops around 300 lines of 2 calls, 39 s (8,900 parses). They are now bounded as the loop rules are
# (MOST_LOOP_STATEMENTS, the first 20 loops, MOST_STATE_NODES), each name's stores looked up once per loop:
# 1.3 to 3 and about 25 parses (the hint parses the function itself; the nested loops are read each, 20 of
# them, by design).
_NESTED = "".join("    " * (k + 1) + "for t in r:\n" for k in range(60))
_CARRIED_HOSTILE = {
    "one loop of many calls": (_HEAD + "    for t in r:\n        g = caches\n"
                               + ("        x = " + "cell_backward(g, c) + " * 11 + "0\n") * 380, 10.0),
    "nested loops of calls": (_HEAD + _NESTED + "    " * 61 + "g = caches\n"
                              + ("    " * 61 + "x = " + "cell_backward(g, c) + " * 2 + "0\n") * 300, 100.0),
}


@pytest.mark.parametrize("source, most", [pytest.param(*s, id=k) for k, s in _CARRIED_HOSTILE.items()])
def test_carried_only_hint_reads_a_hostile_loop_in_bounded_time(source, most):
    from tests.cpu import cost_in_parses

    source = _within_the_limit(source)
    with cpu_budget(20.0):
        assert stephints.carried_only_hint(source, callee="cell_backward", index=0) == ""
        cost = cost_in_parses(lambda: stephints.carried_only_hint(source, callee="cell_backward", index=0),
                              [source], repeats=2, setup=hintcode._FUNCTION_TREES.clear)
    assert cost < most, f"{cost:.2f} parses of what the hint reads"


def test_the_step_rules_read_the_first_loops_of_a_function_of_few_statements():
    # Control and bound: a mistake in the first loop is told, one after 20 loops or in a function of more
    # statements than MOST_LOOP_STATEMENTS is not (the loop rules' bounds; main read every loop).
    carried = ("    for t in reversed(range(4)):\n        out = cell_backward(g, caches[t])\n"
               "        g = out['da_prev']\n")
    own = ("    for t in reversed(range(4)):\n        out = cell_backward(da[:, :, t], caches[t])\n"
           "        g = out['da_prev']\n")
    filler = "    for s in r:\n        q = caches[s]\n"
    for rule, loop in ((stephints.carried_only_hint, carried), (stephints.step_only_hint, own)):
        assert rule(_HEAD + "    g = 0\n" + loop, callee="cell_backward", index=0).startswith("Line 4 passes")
        assert rule(_HEAD + "    g = 0\n" + filler * 20 + loop, callee="cell_backward", index=0) == ""
        assert rule(_HEAD + "    g = 0\n" + loop + "    q = 0\n" * hintcode.MOST_LOOP_STATEMENTS,
                    callee="cell_backward", index=0) == ""
