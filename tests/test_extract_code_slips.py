"""``grader.codeslips`` and extraction's notes of them: a method named without its call
(``caches.append``) and an input array unpacked where its shape was meant
(``n_y, n_a = parameters["Wy"]``), two real notebooks of the thirty-fifth session. Before, the
first was told only "`caches[0]` should have 7 elements, got 0. It is an empty list: nothing was
appended to it." (the student had written the append), the second "Raised TypeError: only integer
scalar arrays can be converted to a scalar index" at the ``np.zeros`` below it, 0 / 15."""
from __future__ import annotations

import random
import re

from grader import codeslips
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


def test_a_slip_is_quoted_as_written_and_at_most_160_characters():
    """The code slips read the student's text through hintcode.written_text (one reader, thirty-sixth
    session): a long statement is cut at 160 characters, with "...", as the hints' quotes are."""
    from grader import codeslips

    source = ('def f(x, parameters):\n    n_y, n_a = parameters[ "Wy" ]\n    caches' + "[0]" * 400
              + ".append\n    return n_y\n")
    found = codeslips.slips(source)
    assert [slip.text for slip in found][0] == 'n_y, n_a = parameters[ "Wy" ]', found
    assert len(found[1].text) == 160 and found[1].text.startswith("caches[0][0]") and found[1].text.endswith("..."), found


def test_a_line_of_blanks_costs_the_scan_for_slips_little(tmp_path):
    """Thirty-sixth session (hostile): the text test for a tuple of sizes (``codeslips._SIZES_SET``)
    had two runs of blanks side by side (``[ \\t]*\\(?[ \\t]*``), tried at every split of a line's
    blanks: a def holding a line of 100,000 blanks (inside brackets, where Python takes any
    indentation) cost its notebook's extraction 24 s, a worker's at every run. Linear now, and the
    scan still finds ``( n_x, m ) = x``."""
    from tests.cpu import cpu_budget

    hostile = "def rnn_forward(x, a0, parameters):\n    y = (\n" + " \t" * 49_000 + "1)\n    return y\n"
    path = nbs.write(tmp_path / "blanks.ipynb", nbs.notebook([nbs.code_cell(hostile)]))
    with cpu_budget(2.0):
        extract(load(path))
    found = slips("def f(x):\n    ( n_x, m ) = x\n    return n_x\n")
    assert [(s.line, s.text, s.kind) for s in found] == [(2, "( n_x, m ) = x", "unpacked")], found


def test_may_slip_answers_as_its_two_patterns_line_by_line():
    """Thirty-sixth session: ``may_slip`` searches one pattern after a line break put in front of the
    text instead of the two ``^`` patterns (a third less CPU): every match of either stays within a
    line, so the answer is theirs. Checked on texts built of the pieces the patterns turn on (line
    breaks, carriage returns, comments, quotes, brackets, the sizes' names, dots, ``=``)."""
    import random

    from grader import codeslips

    def two_patterns(text: str) -> bool:
        return bool(codeslips._NAMED_ONLY.search(text) or codeslips._SIZES_SET.search(text))

    pieces = ["\n", "\n", "\r", " ", "\t", "    ", "#", "# c", "'", '"', "[", "]", "(", ")", ".", ",", " = ",
              "=", "n_a", "n_y", "m", "T_x", "x", "caches", "append", "shape", "parameters", '"Wy"', "0", "_"]
    rng = random.Random(36)
    texts = ["def f(x):\n    caches.append\n", "n_y, n_a = parameters['Wy']", "def f(p):\n    x = 1\n",
             "caches.append", "", "\n", "m, T_x = x\r\n", "\n\n    (n_x, m) = x[0]  # sizes\n"]
    lines = ["    caches.append", "    x.T  # transposed", "n_y, n_a = parameters['Wy']", "(n_x, m, T_x) = x",
             "    m, T_x = x[0]", "a_next = np.tanh(z)", "    return a, cache"]

    def edited(line: str) -> str:  # a line near the patterns' edges: a few pieces put in or taken out
        for _ in range(rng.randrange(4)):
            at = rng.randrange(len(line) + 1)
            line = line[:at] + rng.choice(pieces) + line[at + rng.randrange(2):]
        return line

    texts += ["".join(rng.choice(pieces) for _ in range(rng.randrange(1, 40))) for _ in range(5_000)]
    texts += [rng.choice(("\n", "\r\n", "\n\n")).join(edited(rng.choice(lines)) for _ in range(rng.randrange(1, 4)))
              for _ in range(15_000)]
    answers = [codeslips.may_slip(text) for text in texts]
    assert answers == [two_patterns(text) for text in texts]
    assert answers[:8] == [True, True, False, True, False, False, False, True]  # "\r": not a line end
    assert 500 < sum(answers) < len(answers) - 500  # both answers are well tried


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


def test_code_below_a_return_written_over_two_lines_is_told_it_never_runs(tmp_path):
    # Left by the thirty-sixth session: the text gate looked for code at the return's indentation on the
    # line right after it, and a return continued on a second line (a tuple in brackets) hid it.
    split = nbs.mutate("rnn_cell_backward", "    return gradients\n",
                       "    return {\"dxt\": dxt, \"da_prev\": da_prev, \"dWax\": dWax,\n"
                       "            \"dWaa\": dWaa, \"dba\": dba}\n    gradients = None\n")
    (note,) = [n for n in _notes(tmp_path, split) if "never run" in n]
    assert note.startswith('`rnn_cell_backward` ends at `return {"dxt": dxt, '), note
    # Control: the same return at the end of the body ends nothing.
    whole = nbs.mutate("rnn_cell_backward", "    return gradients\n",
                       "    return {\"dxt\": dxt, \"da_prev\": da_prev, \"dWax\": dWax,\n"
                       "            \"dWaa\": dWaa, \"dba\": dba}\n")
    assert not [n for n in _notes(tmp_path / "whole", whole) if "never run" in n]


#: The pattern ``may_end_early`` was until its one-pass scan (thirty-seventh session): the meaning
#: it keeps, checked below on random texts.
_SCANNED_ON = re.compile(r"^([ \t]+)(?:return|raise)\b[^\n]*\n(?:\1[ \t]+[^ \t#\n][^\n]*\n|[ \t]*(?:#[^\n]*)?\n)*"
                         r"\1(?=[^ \t#\n])", re.M)


def test_may_end_early_answers_as_the_pattern_it_replaced():
    pieces = ["", " ", "  ", "\t", " \t", "   "]
    words = ["return x", "raise E", "returns", "x = 1", "# c", "", ")", "\r", "\x0creturn", "return"]
    draw = random.Random(37)
    for _ in range(20_000):
        source = "\n".join(draw.choice(pieces) + draw.choice(words) for _ in range(draw.randint(1, 7)))
        source += draw.choice(["", "\n"])
        assert codeslips.may_end_early(source) == bool(_SCANNED_ON.search(source)), repr(source)
    assert codeslips.may_end_early("def f(x):\n    return (x,\n            x)\n    y = 1\n")
    assert not codeslips.may_end_early("def f(x):\n    if x:\n        return (x,\n   x)\n    y = 1\n")


def test_a_staircase_of_returns_costs_the_text_gate_little():
    """Thirty-seventh session (review): the pattern that passed the lines a return goes on over
    scanned on from every return, and backtracked through every blank of each deeper line: a
    docstring of returns indented deeper and deeper (258 of them, 258 lines under them, 100 kB)
    cost 0.6 s of CPU for each call of ``may_end_early`` (its def's extraction calls it twice), and
    1,000 such lines 7.9 s. Fails on the pattern by its budget."""
    from tests.cpu import cpu_budget

    stairs = "".join(" " * (k + 1) + "return x\n" for k in range(258)) + (" " * 259 + "x\n") * 258
    source = 'def f(x):\n    """\n' + stairs + '"""\n    return x\n'
    assert len(source) <= 140_000
    with cpu_budget(0.25):
        for _ in range(5):
            assert not codeslips.may_end_early(source)
    assert codeslips.may_end_early(source + "    y = x\n")


def test_a_line_of_blanks_costs_the_place_of_a_module_given_another_value_little(tmp_path):
    """Thirty-seventh session (hostile): the line of a name an import binds to a module given another
    value (``extract._Extractor._module_replaced``) was searched with two runs of blanks side by side
    (``^[ \\t]*(?:for[ \\t]+)?\\(?[ \\t]*np``), tried at every split of a line's blanks: 20,000 blanks
    0.17 s, a cell's 90,000 about 3.5 s a name, for each of the cell's module names so given. Read
    one run of blanks at a time now, and the line is still named."""
    from tests.cpu import cpu_budget

    names = [f"m{k}" for k in range(20)]
    hostile = ("import numpy as np\n" + "".join(f"import math as {name}\n" for name in names) + " \t" * 40_000
               + "\n" + "".join(f"{name} = 1\n" for name in names) + "np = 3\n")
    path = nbs.write(tmp_path / "blanks.ipynb", nbs.notebook([nbs.code_cell(hostile)]))
    with cpu_budget(2.0):
        found = extract(load(path))
    said = [d.message for d in found.diagnostics if "sets `np` to another value" in d.message]
    assert len(said) == 1 and said[0].startswith(f"Line {len(names) + 3 + len(names)} of cell 1"), said


def test_the_place_of_a_module_given_another_value_is_found_where_it_was():
    # Control: the pattern of one run of blanks at a time matches where the old one did on every text of up to 5 pieces.
    import re

    from tests.patterns import assert_same_matches

    assert_same_matches(re.compile(r"^[ \t]*(?:for[ \t]+)?\(?[ \t]*np\b(?![ \t]*[.(\[])", re.MULTILINE),
                        re.compile(r"^[ \t]*(?:for[ \t]+)?(?:\([ \t]*)?np\b(?![ \t]*[.(\[])", re.MULTILINE),
                        ["\n", " ", "\t", "for", "(", "np", ".", "=", "x"], most=5)
