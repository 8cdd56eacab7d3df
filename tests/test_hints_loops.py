"""grader/loophints.loop_mistake and the runner's use of it: mistakes in how a loop is written, which
span lines (thirty-second session, helper fb, written against bcd1399).

Each graded case is a course notebook with a whole edit of its loop (a line moved in or out of it,
a line indented into it), read as the student reads it. Before, a `return` inside the loop, a sum
or array made again inside it, or an append after it was told only the largest difference ("90 of
120 values differ ... got 0"), or a known mistake's sentence that the student's code contradicts
("add them up over time: dWax += dWaxt" to a student who wrote that line, after a reset inside the
loop; "pass da[:, :, t] + da_prevt" to one who did, after `da_prevt = np.zeros(...)` in the loop).
Controls: right code, in both styles, and other loop mistakes keep their texts.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from grader import loophints
from grader.runner import grade_submission
from tests import notebooks as nbs


def _edit(function: str, *pairs: tuple[str, str]) -> dict[str, str]:
    source = nbs.COURSE_CELLS[function]
    for old, new in pairs:
        assert old in source, old
        source = source.replace(old, new, 1)
    return {function: source}


def _part(tmp_path: Path, cells: dict, part: str, context, sandbox):
    path = nbs.write(tmp_path / "student.ipynb", nbs.course_notebook(cells))
    return grade_submission(path, context=context, sandbox=sandbox).part(part)


_SUMS = "    dWax = np.zeros((n_a, n_x))\n    dWaa = np.zeros((n_a, n_a))\n    dba = np.zeros((n_a, 1))\n"
_CALL = "        gradients = rnn_cell_backward("
_STEP = "    for t in reversed(range(T_x)):\n"

CASES = {
    # function, edit, the diagnosis's id, a piece of its sentence, a sentence it replaces
    "return inside the loop": (
        "rnn_backward",
        [("        dba += dbat\n", "        dba += dbat\n        da0 = da_prevt\n        return {\"dx\": dx, \"da0\": "
                                   "da0, \"dWax\": dWax, \"dWaa\": dWaa, \"dba\": dba}\n")],
        "loop/return-inside", "The `return` on line 24 is inside the `for` loop of line 16: the function returns "
                              "during the loop's first step", None),
    "return inside the forward loop": (
        "rnn_forward", [("        caches.append(cache)\n", "        caches.append(cache)\n        return a, y_pred, "
                                                              "(caches, x)\n")],
        "loop/return-inside", "The `return` on line 18 is inside the `for` loop of line 13", None),
    "sums made in the loop": (
        "rnn_backward", [(_SUMS, ""), (_CALL, _SUMS.replace("    ", "        ") + _CALL)],
        "loop/made-in-loop", "`dWax = np.zeros((n_a, n_x))` on line 14 is inside the loop: `dWax` is made again at "
                             "every step, so what the earlier steps added to it is lost and only the last step's "
                             "remains. Create `dWax` once, before the loop; the same for `dWaa` and `dba`.",
        "The weight gradients are overwritten at every step"),
    "carried gradient made in the loop": (
        "rnn_backward", [(_STEP, _STEP + "        da_prevt = np.zeros((n_a, m))\n")],
        "loop/made-in-loop", "`da_prevt = np.zeros((n_a, m))` on line 17 is inside the loop: every step starts again "
                             "from `np.zeros((n_a, m))`, so what the step before left in `da_prevt` is not carried on.",
        "The gradient coming back from later steps is dropped"),
    "list of caches made in the loop": (
        "rnn_forward", [("    for t in range(T_x):\n", "    for t in range(T_x):\n        caches = []\n")],
        "loop/made-in-loop", "`caches = []` on line 14 is inside the loop: `caches` is made again at every step, so "
                             "what the earlier steps appended to it is lost", None),
    "append after the loop": (
        "lstm_forward", [("        caches.append(cache)\n", ""),
                         ("    ### END CODE HERE ###", "    caches.append(cache)\n    ### END CODE HERE ###")],
        "loop/after-loop", "`caches.append(cache)` on line 20 comes after the loop, so it runs once, with the last "
                           "step's `cache`: indent it into the loop", None),
    "store after the loop": (
        "rnn_backward", [("        dx[:, :, t] = dxt\n", ""), ("    da0 = da_prevt", "    dx[:, :, t] = dxt\n    "
                                                                                  "da0 = da_prevt")],
        "loop/after-loop", "`dx[:, :, t] = dxt` on line 22 comes after the loop, so it runs once, with `t` at its "
                           "last value", None),
    "sum thrown away": (
        "rnn_backward", [("dba += dbat", "dba + np.sum(dbat)")],
        "loop/value-unused", "`dba + np.sum(dbat)` on line 22 computes a value and throws it away: no variable "
                             "changes. To keep it, assign it: `dba += np.sum(dbat)`.", "not the sum to itself"),
    # Thirty-fourth session (helper real): two real notebooks, told only "`caches[0]` should have 4 elements,
    # got 16" (or "got 2").
    "a cache added value by value": (
        "rnn_forward", [("caches.append(cache)", "caches += cache")],
        "loop/list-extended", "`caches += cache` on line 17 adds the values `cache` holds to the list `caches` one "
                              "by one, as `extend` does: write `caches.append(cache)` to add it as one element.", None),
    "the pair of caches made in the loop": (
        "lstm_forward", [("caches.append(cache)", "caches = (caches, x)")],
        "loop/wrapped-in-loop", "`caches = (caches, x)` on line 20 is inside the loop: each step wraps `caches` in a "
                                "new tuple, one inside the other. Make that tuple once, after the loop; in the loop, "
                                "add each step's value to `caches` (`caches.append(...)`).", None),
    # Thirty-seventh session (helper real): two real notebooks, told only "`caches[0][0]` should be a tuple of
    # length 4, got an array of shape (5, 10)" and "`caches[0]` should have 7 elements, got 10".
    "the list replaced by the step's cache": (
        "rnn_forward", [("caches.append(cache)", "caches = cache")],
        "loop/list-replaced", "`caches = cache` on line 17 puts this step's `cache` in place of the list `caches`, so "
                              "after the loop `caches` holds the last step's alone: write `caches.append(cache)` to "
                              "add it to the list.", None),
    "the last step's cache in the pair": (
        "lstm_forward", [("    caches = (caches, x)", "    caches = (cache, x)")],
        "loop/step-value-kept", "`caches = (cache, x)` on line 23 keeps the last step's `cache`, not the list "
                                "`caches` of every step's: write `caches = (caches, x)`.", None),
    "comparison for a store": (
        "rnn_forward", [("a[:, :, t] = a_next", "a[:, :, t] == a_next")],
        "loop/value-unused", "`a[:, :, t] == a_next` on line 15 compares the two and throws the answer away: to "
                             "store `a_next` in `a[:, :, t]`, write `a[:, :, t] = a_next` (one `=`).", None),
}


@pytest.mark.parametrize("name", CASES)
def test_a_loop_written_so_that_one_step_counts_is_told_its_line(tmp_path, context, sandbox, name):
    function, pairs, mistake, said, replaced = CASES[name]
    part = _part(tmp_path, _edit(function, *pairs), function, context, sandbox)
    case = part.cases[0]
    assert case.status == "failed" and case.diagnosis is not None, case
    assert case.diagnosis.id == mistake and said in case.diagnosis.message, case.diagnosis.message
    if replaced:
        assert all(replaced not in (c.diagnosis.message if c.diagnosis else "") for c in part.cases)


@pytest.mark.parametrize("function, old, new, kept", [
    ("rnn_backward", _STEP, "    for t in range(T_x):\n", "Backpropagation through time runs from the last step"),
    ("rnn_backward", "da[:, :, t] + da_prevt", "da[:, :, t]", "The gradient coming back from later steps is dropped"),
    ("rnn_backward", "dWax += dWaxt", "dWax = dWaxt", "The weight gradients are overwritten at every step"),
    ("lstm_forward", "        c[:, :, t] = c_next\n", "", "Your memory states `c` stay zero"),
])
def test_other_loop_mistakes_keep_their_sentence(tmp_path, context, sandbox, function, old, new, kept):
    case = _part(tmp_path, _edit(function, (old, new)), function, context, sandbox).cases[0]
    assert case.diagnosis is not None and kept in case.diagnosis.message, case.diagnosis
    assert not case.diagnosis.id.startswith("loop/"), case.diagnosis


@pytest.mark.parametrize("cells", sorted(nbs.COURSE_CELLS) + sorted(nbs.ALT_CELLS))
def test_right_code_has_no_loop_mistake(cells):
    source = nbs.COURSE_CELLS.get(cells) or nbs.ALT_CELLS[cells]
    for start in range(len(source)):  # every def of the cell, each on its own
        if source.startswith("def ", start):
            assert loophints.loop_mistake(source[start:]) == ("", ""), source[start:]


@pytest.mark.parametrize("source", [
    # A buffer made at each step, filled and read in that step only: not carried, nothing lost.
    "def f(x, a0, p):\n    a = a0\n    out = []\n    for t in range(3):\n        z = np.zeros((8, 2))\n"
    "        z[:5] = a\n        z[5:] = x[:, :, t]\n        a = np.tanh(p @ z)\n        out.append(a)\n"
    "    return out\n",
    # The last step's gradient named after the loop, and a dict's key set from it: plain assignments.
    "def f(da, caches):\n    g = {}\n    for t in reversed(range(4)):\n        da_prev = step(da[t], caches[t])\n"
    "    g['da0'] = da_prev\n    da0 = da_prev\n    return g, da0\n",
    # A value read after the loop that the loop sets from the step's values each time.
    "def f(x):\n    total = 0\n    for t in range(3):\n        h = x[t] * 2\n        total += h\n    return total, h\n",
    # An expression alone that is a call (a print, a method): not an operation thrown away.
    "def f(x):\n    print(x + 1)\n    x.sort()\n    return x\n",
    # A list extended by a list or a one-element tuple, a sum into a number, a pair of two other names: right.
    "def f(x):\n    out = []\n    n = 0\n    for t in range(3):\n        out += [x[t]]\n        out += (x[t],)\n"
    "        n += t\n        pair = (out, n)\n    return out, pair\n",
])
def test_loops_written_right_in_other_ways_have_no_loop_mistake(source):
    assert loophints.loop_mistake(source) == ("", "")


def test_a_loop_mistake_is_looked_for_only_when_a_case_failed(tmp_path, context, sandbox, monkeypatch):
    calls = []
    monkeypatch.setattr(loophints, "loop_mistake", lambda *a, **k: calls.append(a) or ("", ""))
    path = nbs.write(tmp_path / "student.ipynb", nbs.course_notebook())
    result = grade_submission(path, context=context, sandbox=sandbox)
    assert all(part.points == part.max_points for part in result.parts if part.name != "imdb_report")
    assert calls == []
    # A part with three failed cases, in two phases (its public cases, then its hidden ones), works it out once.
    part = _part(tmp_path, _edit("rnn_backward", (_STEP, "    for t in range(T_x):\n")), "rnn_backward", context,
                 sandbox)
    assert sum(case.status == "failed" for case in part.cases) == 3 and len(calls) == 1


# What a step keeps, and what it is given, once a case failed.

@pytest.mark.parametrize("pairs, said", [
    ([("a = np.zeros((n_a, m, T_x))", "a = np.zeros((n_a, m))"), ("a[:, :, t] = a_next", "a = a_next")],
     "`a = a_next` on line 15 replaces all of `a` at every step, so it ends as the last step's value, without an axis "
     "for the steps: create `a` with one (its last) before the loop, and store each step in its own slice, "
     "`a[:, :, t] = a_next`."),
    ([("a = np.zeros((n_a, m, T_x))", "a = np.zeros((n_a, m))"), ("a[:, :, t] = a_next", "a[:, :] = a_next")],
     "`a[:, :] = a_next` on line 15 stores every step at the same place"),
])
def test_an_output_without_its_steps_axis_is_told_the_line_that_keeps_one_step(tmp_path, context, sandbox, pairs,
                                                                               said):
    # Before: "`a` has shape (5, 10); expected (5, 10, 4). The last dimension is missing." alone.
    case = _part(tmp_path, _edit("rnn_forward", *pairs), "rnn_forward", context, sandbox).cases[0]
    assert case.diagnosis is not None and case.diagnosis.id == "loop/one-step-kept", case
    assert said in case.diagnosis.message, case.diagnosis.message


def test_an_output_returned_through_a_dict_is_found_by_its_key(tmp_path, context, sandbox):
    case = _part(tmp_path, _edit("rnn_backward", ("dx[:, :, t] = dxt", "dx = dxt")), "rnn_backward", context,
                 sandbox).cases[0]
    assert "`dx = dxt` on line 19 replaces all of `dx` at every step" in case.diagnosis.message, case.diagnosis


@pytest.mark.parametrize("function, pairs, said", [
    ("lstm_forward", [("a_next = a0\n    c_next = np.zeros(a_next.shape)", "a_prev = a0\n    c_prev = np.zeros("
                                                                          "a_prev.shape)"),
                      ("lstm_cell_forward(x[:, :, t], a_next, c_next, parameters)",
                       "lstm_cell_forward(x[:, :, t], a_prev, c_prev, parameters)")],
     # Both wrong arguments are named (thirty-fifth session: only `a_prev`).
     "No step of the loop changes `a_prev` and `c_prev`, which line 16 passes to `lstm_cell_forward`: every step is "
     "given the value of line 13 (`a_prev = a0`) and the value of line 14 (`c_prev = np.zeros(a_prev.shape)`)."),
    ("rnn_backward", [("dxt, da_prevt, dWaxt", "dxt, da_prev, dWaxt")],  # control: one wrong argument, one name
     "No step of the loop changes `da_prevt`, which line 17 passes to `rnn_cell_backward`: every step is given the "
     "value of line 14 (`da_prevt = np.zeros((n_a, m))`)."),
])
def test_a_step_given_a_value_no_step_changes_is_told_where_it_comes_from(tmp_path, context, sandbox, function,
                                                                          pairs, said):
    case = _part(tmp_path, _edit(function, *pairs), function, context, sandbox).cases[0]
    assert case.diagnosis is not None and case.diagnosis.id == "unexpected-dependency-inputs", case
    assert said in case.diagnosis.message, case.diagnosis.message


def test_a_step_s_wrong_input_is_told_by_its_line_first_and_the_general_advice_only_without_one(
        tmp_path, context, sandbox):
    # Before: "`rnn_backward` called `rnn_cell_backward` with inputs that differ ...: check what you pass at
    # each time step (...). No step of the loop changes `da_prevt` ...": the vague sentence first, the fix after.
    told = _part(tmp_path, _edit("rnn_backward", ("dxt, da_prevt, dWaxt", "dxt, da_prev, dWaxt")), "rnn_backward",
                 context, sandbox).cases[0].diagnosis
    assert told is not None and told.id == "unexpected-dependency-inputs", told
    assert told.message.startswith("No step of the loop changes `da_prevt`, which line 17 passes"), told.message
    assert told.message.endswith(" So `rnn_backward` called `rnn_cell_backward` with inputs that differ from those "
                                 "of a correct run (first at call 2, in `da_next`)."), told.message
    assert "check what you pass" not in told.message, told.message
    # Control: with no line to name, the general advice stays.
    told = _part(tmp_path, _edit("rnn_forward", ("rnn_cell_forward(x[:, :, t], a_next, parameters)",
                                                 "rnn_cell_forward(x[:, :, t], a_next * 2, parameters)")),
                 "rnn_forward", context, sandbox).cases[0].diagnosis
    assert told is not None and told.message == (
        "`rnn_forward` called `rnn_cell_forward` with inputs that differ from those of a correct run (first at "
        "call 1, in `a_prev`): check what you pass at each time step (the previous hidden state, the slice of the "
        "input)."), told


def test_a_cache_index_computed_from_the_steps_is_not_told_unchanged(tmp_path, context, sandbox):
    case = _part(tmp_path, _edit("rnn_backward", ("caches[t])", "caches[T_x - 1 - t])")), "rnn_backward", context,
                 sandbox).cases[0]
    assert case.diagnosis is not None and "(first at call 1, in `cache`)" in case.diagnosis.message
    assert "No step of the loop" not in case.diagnosis.message, case.diagnosis.message


def test_the_loops_own_line_written_again_after_it_is_told_to_leave_it_out(tmp_path, context, sandbox):
    # "indent it into the loop" would have had the cache appended twice at every step.
    cells = _edit("rnn_forward", ("    ### END CODE HERE ###", "    caches.append(cache)\n    ### END CODE HERE ###"))
    case = _part(tmp_path, cells, "rnn_forward", context, sandbox).cases[0]
    assert case.diagnosis.message == ("`caches.append(cache)` on line 18, after the loop, does once more with the last "
                                      "step's `cache` what the loop's own line does at every step: leave it out."), \
        case.diagnosis


def test_a_while_loop_that_changes_nothing_it_tests_is_told_so_when_time_runs_out(tmp_path, context, sandbox):
    cells = _edit("rnn_backward", (_STEP, "    t = T_x - 1\n    while t >= 0:\n"))
    case = _part(tmp_path, cells, "rnn_backward", context, sandbox).cases[0]
    assert case.status == "timeout" and case.message.endswith(
        "The `while` loop on line 17 tests `t`, which nothing in it changes: once entered, it never ends (a `t -= 1` "
        "or `t += 1` left out?)."), case.message


@pytest.mark.parametrize("source", [
    "def f(x):\n    while True:\n        pass\n",                         # nothing tested: nothing to name
    "def f(x):\n    t = 3\n    while t > 0:\n        t -= 1\n    return t\n",
    "def f(xs):\n    while xs:\n        xs.pop()\n    return xs\n",        # a method changes it
    "def f(x):\n    t = 0\n    while t < 5:\n        if x:\n            break\n    return t\n",
])
def test_while_loops_that_may_end_are_not_told_endless(source):
    assert loophints.endless_loop_hint(source) == ""


@pytest.mark.parametrize("function, helper, old, new, said", [
    ("rnn_forward", "def step(a, x, p):\n    return rnn_cell_forward(x, a, p)\n\n",
     "rnn_cell_forward(x[:, :, t], a_next, parameters)", "step(x[:, :, t], a_next, parameters)",
     "`rnn_forward` calls it through your `step` (line 17: `step(x[:, :, t], a_next, parameters)`): check its "
     "arguments against the order of `step`'s parameters, `(a, x, p)`."),
    ("lstm_forward", "def lstm_step(x, a, c, p):\n    return lstm_cell_forward(x, a, c, p)\n\n",
     "lstm_cell_forward(x[:, :, t], a_next, c_next, parameters)", "lstm_step(x[:, :, t], c_next, a_next, parameters)",
     "`lstm_forward` calls it through your `lstm_step` (line 19: `lstm_step(x[:, :, t], c_next, a_next, "
     "parameters)`): check its arguments against the order of `lstm_step`'s parameters, `(x, a, c, p)`."),
])
def test_a_step_called_through_an_own_helper_is_told_the_helpers_parameters(tmp_path, context, sandbox, function,
                                                                           helper, old, new, said):
    # Before: "check the arguments you give `rnn_cell_forward`", which the student's function never calls.
    source = nbs.COURSE_CELLS[function].replace(f"def {function}(", helper + f"def {function}(").replace(old, new)
    case = _part(tmp_path, {function: source}, function, context, sandbox).cases[0]
    told = case.message + (case.diagnosis.message if case.diagnosis else "")
    assert said in told, told


def _alt_part(tmp_path: Path, cell: str, old: str, new: str, part: str, context, sandbox):
    cells = dict(nbs.ALT_CELLS)
    assert old in cells[cell], old
    cells[cell] = cells[cell].replace(old, new, 1)
    path = nbs.write(tmp_path / "student.ipynb", nbs.notebook([nbs.code_cell(text) for text in cells.values()]))
    return grade_submission(path, context=context, sandbox=sandbox).part(part)


@pytest.mark.parametrize("cell, old, new, part, said", [
    ("backward", "    for t in range(T_x - 1, -1, -1):\n",
     "    for t in range(T_x - 1, -1, -1):\n        carry = np.zeros((n_a, m))\n", "rnn_backward",
     "`carry = np.zeros((n_a, m))` on line 18 is inside the loop: every step starts again from `np.zeros((n_a, m))`"),
    ("backward", "        g = rnn_cell_backward(",
     '        grads = {"dx": np.zeros_like(x), "dWax": 0.0, "dWaa": 0.0, "dba": 0.0}\n        g = rnn_cell_backward(',
     "rnn_backward", '`grads = {"dx": np.zeros_like(x), "dWax": 0.0, "dWaa": 0.0, "dba": 0.0}` on line 18 is inside '
                     "the loop: `grads` is made again at every step, so what the earlier steps stored in it is lost"),
    ("lstm", "a_list.append(a_t); c_list.append(c_t); y_list.append(y_t); caches.append(cache)\n",
     "a_list.append(a_t); y_list.append(y_t); caches.append(cache)\n    c_list.append(c_t)\n", "lstm_forward",
     "`c_list.append(c_t)` on line 19 comes after the loop, so it runs once, with the last step's `c_t`"),
])
def test_the_other_style_is_told_its_loops_line_too(tmp_path, context, sandbox, cell, old, new, part, said):
    case = _alt_part(tmp_path, cell, old, new, part, context, sandbox).cases[0]
    assert case.diagnosis is not None and said in case.diagnosis.message, case.diagnosis


def test_a_sequence_of_one_step_is_told_its_steps_axis(tmp_path, context, sandbox):
    # Before: "`c` has shape (5, 10, 1); expected (5, 10, 7)." alone.
    case = _alt_part(tmp_path, "lstm", "a_list.append(a_t); c_list.append(c_t); y_list.append(y_t); caches.append("
                     "cache)\n", "a_list.append(a_t); y_list.append(y_t); caches.append(cache)\n    c_list.append(c_t)\n",
                     "lstm_forward", context, sandbox).cases[0]
    assert "`c` has shape (5, 10, 1); expected (5, 10, 7). Its last axis, the time steps, has 1 entry where 7 are " \
           "expected: one step only." in case.message, case.message


def test_the_whole_list_passed_at_every_step_is_told_to_take_the_steps_part(tmp_path, context, sandbox):
    # A real notebook of the thirtieth corpus passes `caches`, not `caches[t]`: "pass what the step before
    # gave back", the first wording, pointed away from the index.
    case = _part(tmp_path, _edit("rnn_backward", ("caches[t])", "caches)")), "rnn_backward", context, sandbox).cases[0]
    assert "No step of the loop changes `caches`, which line 17 passes to `rnn_cell_backward`: every step is given " \
           "the value of line 4 (`(caches, x) = caches`). Each step needs its own: that step's part of an array or " \
           "list (indexed with `t`), or what the step before gave back." in case.message, case.message


@pytest.mark.parametrize("line", [
    "        dWax = " + "-" * 1500 + "1\n",          # too deep for ast.unparse (RecursionError)
    "        dba + " + "(" * 90 + "dbat" + ")" * 90 + "\n",
])
def test_a_line_too_deep_to_write_back_costs_the_hint_not_the_grade(tmp_path, context, sandbox, line):
    # The loop rules quote lines and walk them: a line Python parses but cannot write back (the
    # thirty-first session's hostile depth) leaves the diagnosis out, never the case's grade.
    part = _part(tmp_path, _edit("rnn_backward", (_STEP, _STEP + line)), "rnn_backward", context, sandbox)
    assert part.status != "harness_error" and all(case.status in ("failed", "passed", "error") for case in part.cases)
    said = [case.diagnosis.message for case in part.cases if case.diagnosis is not None]
    assert all(len(text) < 600 for text in said), said  # a quoted line is cut to its start and end


_IN_IF = """def f(x, grads):
    dW = 0
    if grads:
{loop}
    return dW
"""


@pytest.mark.parametrize("loop, said", [
    # made again inside a loop that sits in an `if`, read after the `if`: was told nothing
    ("        for t in range(3):\n            dW = np.zeros(2)\n            dW += x[t]",
     ("loop/made-in-loop", "`dW = np.zeros(2)` on line 15 is inside the loop")),
    # the same inside a `with` and a `try`
    ("        with ctx:\n            for t in range(3):\n                dW = np.zeros(2)\n                dW += x[t]",
     ("loop/made-in-loop", "`dW = np.zeros(2)` on line 16 is inside the loop")),
    ("        try:\n            for t in range(3):\n                dW = np.zeros(2)\n                dW += x[t]\n"
     "        except ValueError:\n            pass",
     ("loop/made-in-loop", "`dW = np.zeros(2)` on line 16 is inside the loop")),
    # an accumulation after the `if` that holds the loop runs once
    ("        for t in range(3):\n            g = x[t]\n    dW += g",
     ("loop/after-loop", "`dW += g` on line 16 comes after the loop, so it runs once")),
])
def test_a_loop_inside_an_if_is_read_with_what_follows_the_if(loop, said):
    kind, start = loophints.loop_mistake(_IN_IF.format(loop=loop), first_line=11)
    assert (kind, start[:len(said[1])]) == said


@pytest.mark.parametrize("loop", [
    # controls: right code inside an `if`; a value made again at each step and used within it only
    "        for t in range(3):\n            dW += x[t]",
    "        for t in range(3):\n            g = np.zeros(2)\n            g += x[t]\n            dW += g",
    "        for t in range(3):\n            g = np.zeros(2)\n            g += x[t]\n        else:\n            g = 0",
])
def test_loops_inside_an_if_written_right_have_no_loop_mistake(loop):
    assert loophints.loop_mistake(_IN_IF.format(loop=loop), first_line=11) == ("", "")


# ------------------------------------------------------------------ a step's value summed again (thirty-fourth session)

@pytest.mark.parametrize("old, new, said", [
    ("dba += dbat", "dba += np.sum(dbat, axis=0)", "`dba += np.sum(dbat, axis=0)` on line 22 sums `dbat`"),
    ("dWax += dWaxt", "dWax += np.sum(dWaxt, axis=1, keepdims=True)",
     "`dWax += np.sum(dWaxt, axis=1, keepdims=True)` on line 20 sums `dWaxt`"),
    ("dx[:, :, t] = dxt", "dx[:, :, t] = dxt.sum(axis=1, keepdims=True)",
     "`dx[:, :, t] = dxt.sum(axis=1, keepdims=True)` on line 19 sums `dxt`"),
])
def test_a_step_gradient_summed_again_is_told_its_line(tmp_path, context, sandbox, old, new, said):
    # Before: "`dba` has the right shape but 5 of 5 values differ" and nothing else.
    part = _part(tmp_path, _edit("rnn_backward", (old, new)), "rnn_backward", context, sandbox)
    diagnosis = next(c.diagnosis for c in part.cases if c.diagnosis is not None)
    assert diagnosis.id == "loop/step-summed" and diagnosis.message.startswith(said), diagnosis
    assert "which `rnn_cell_backward` gave for this step already in the shape it is used in" in diagnosis.message


@pytest.mark.parametrize("old, new", [
    ("dba += dbat", "dba += np.sum(dbat, axis=1, keepdims=True)"),  # a bias's column: itself
    ("dba += dbat", "dba += np.sum(dtanh, axis=1, keepdims=True)\n        dtanh = 0"),  # not the step's value
])
def test_a_sum_that_is_not_of_a_step_value_or_changes_nothing_is_not_told(old, new):
    source = _edit("rnn_backward", (old, new))["rnn_backward"]
    assert loophints.loop_mistake(source)[0] != "loop/step-summed"
