"""The hints' parses and walks of a student's function (thirty-fourth session, perf helper).

A failed part's hints each read the graded function's tree (``hintcode._FUNCTION_TREES``) and its
parameters' names (``gradedsource.code_facts``). Their memos kept a value only at its second sight,
so the first grading of a notebook parsed and compiled each failed function twice; they keep it at
the first now (``SourceMemo(keep_at_first_sight=True)``). These tests count, never clock.
"""
from __future__ import annotations

import ast
from types import SimpleNamespace

import pytest

from grader import gradedsource, hintcode, hints
from grader.runner import grade_submission
from tests import notebooks as nbs

_SIGNATURES = {"rnn_cell_forward": "xt, a_prev, parameters", "rnn_forward": "x, a0, parameters",
               "lstm_cell_forward": "xt, a_prev, c_prev, parameters", "lstm_forward": "x, a0, parameters",
               "rnn_cell_backward": "da_next, cache", "rnn_backward": "da, caches"}


def test_a_first_grading_parses_and_compiles_each_failed_function_once(tmp_path, context, sandbox):
    """Six functions raising on a line that reads names from outside: every case fails, and the
    unread parameter's, the sizes' and the returned order's hints and the messages' parameter
    names each ask for the function. Before: 12 parses and 12 compiles (the second ask of each)."""
    tail = " + ".join(f"(b{i} * c)" for i in range(40))
    cells = {name: f"def {name}({args}):\n    a = np.dot(np.zeros((5, 10)), np.zeros((5, 10))) if True else {tail}\n"
                   f"    return a\n" for name, args in _SIGNATURES.items()}
    path = nbs.write(tmp_path / "student.ipynb", nbs.course_notebook(cells))
    for memo in (hintcode._FUNCTION_TREES, gradedsource._CODE_FACTS):
        memo.clear()
    result = grade_submission(path, context=context, sandbox=sandbox)
    assert all(case.status == "error" for part in result.parts for case in part.cases)
    assert hintcode._FUNCTION_TREES.misses == 6 and hintcode._FUNCTION_TREES.hits >= 6
    assert gradedsource._CODE_FACTS.misses == 6 and gradedsource._CODE_FACTS.hits >= 6


SOURCES = [
    "def f(x, *a, k=1, **kw):\n    y = [z for z in x if z]\n    y[0], (p, *q) = x.t, w\n    del r\n"
    "    g(lambda m: m + n)\n    s: int = 1\n    u += v[t:t + 1, ::2]\n    return {i: j for i, j in y}\n",
    "def g():\n    global e\n    del d[0], q\n    with o as (h, i):\n        pass\n    try:\n        1 / 0\n    except E as err:\n"
    "        raise X from err\n    while (w := f()):\n        break\n    return f'{e!r:>{n}}'\n",
]


@pytest.mark.parametrize("source", SOURCES)
@pytest.mark.parametrize("context_type", [ast.Load, ast.Store, ast.Del])
def test_the_names_of_a_tree_are_those_ast_walk_finds(source, context_type):
    """``hintcode.names_in`` walks with ``astnodes.nodes``, leaving out the fields that hold no name."""
    tree = ast.parse(source)
    expected = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, context_type)}
    assert expected and hintcode.names_in(tree, context_type) == expected


def test_assignment_hint_writes_back_the_value_only_for_a_message_it_explains(monkeypatch):
    """A 30 kB line made ``ast.unparse`` raise RecursionError for each of 24 cases whose ValueError
    was neither a store nor an unpacking; the value is written back only for those two now."""
    written = []
    real = hints.in_line  # the value quoted as the student wrote it (``ast.unparse`` before the thirty-fifth session)
    monkeypatch.setattr(hints, "in_line", lambda node, line: written.append(node) or real(node, line))
    line = "    a = np.dot(x, y)"
    other = SimpleNamespace(error_type="ValueError", message="shapes (5,10) and (5,10) not aligned: 10 (dim 1) != 5")
    assert hints.assignment_hint(other, line) == "" and written == []
    unpacked = SimpleNamespace(error_type="ValueError", message="too many values to unpack (expected 2)")
    assert "names 2 values" in hints.assignment_hint(unpacked, "    a, b = f(x)") and written


def _defs(count: int, chars: int, tag: str) -> list[str]:
    """``count`` distinct defs of about ``chars`` characters each."""
    body = "    y = x + 1\n" * max(1, (chars - 30) // 14)
    return [f"def {tag}{i}(x):\n{body}    return y\n" for i in range(count)]


def test_the_function_trees_are_bounded_by_one_grading_s_code_not_by_a_count():
    """Thirty-fifth session: ``_FUNCTION_TREES`` held up to 16 trees of up to 400,000 characters
    between gradings (22 MB of trees at 55 bytes a character); now up to the code one grading
    reads, whatever the count: a notebook's 40 functions read in turn by its hints are parsed
    once each (16 entries parsed every one every time), and three functions of 100,000 characters
    leave at most 200,000 characters of trees held."""
    from grader.notebook import SIZE_LIMITS

    memo = hintcode._FUNCTION_TREES
    assert memo.max_chars == SIZE_LIMITS.max_code_chars
    memo.clear()
    try:
        small = _defs(40, 4_000, "f")  # 160,000 characters: within one grading's code
        for _ in range(3):
            for source in small:
                assert hintcode.function_tree(source).name in source
        assert memo.misses == 40 and memo.hits == 80
        for source in _defs(3, SIZE_LIMITS.max_cell_chars - 100, "g"):
            assert hintcode.function_tree(source) is not None
        assert memo.chars <= SIZE_LIMITS.max_code_chars
        assert memo.misses == 43 and 100_000 < memo.chars
    finally:
        memo.clear()


def test_the_line_memos_are_bounded_by_size_not_by_a_count():
    """Thirty-sixth session: ``_PARSED_LINES`` and ``_NUMPY_CALLS`` held 16 entries: a grading whose
    hints read 40 lines in turn parsed each every time (120 parses, 0 hits). Now they hold
    ``LINES_HELD`` characters of lines whatever their count, and the count only bounds what the
    entries cost beyond their characters: tiny lines past it hold about 4.7 MB, long lines past the
    characters about 10 MB (measured: a line's tree about 120 bytes a character, an entry about
    1.1 kB)."""
    import tracemalloc

    from grader.notebook import SIZE_LIMITS

    memos = (hintcode._PARSED_LINES, hintcode._NUMPY_CALLS)
    assert hintcode.LINES_HELD == SIZE_LIMITS.max_cell_chars
    for memo in memos:
        assert memo.max_chars == hintcode.LINES_HELD
        assert memo.max_entries == hintcode.LINES_HELD // hintcode.LINE_ENTRY_CHARS
        memo.clear()
    try:
        lines = [f"    y{i} = np.dot(w, x) + np.tanh(b{i})" for i in range(40)]
        for _ in range(3):
            for line in lines:
                assert hintcode.parsed_line(line) is not None
                assert [name for _call, name in hintcode.numpy_calls(line)] == ["dot", "tanh"]
        # Each line's calls are found from its tree: a hit of the lines' memo.
        assert [memo.misses for memo in memos] == [40, 40] and [memo.hits for memo in memos] == [120, 80]
        for memo in memos:
            memo.clear()
        tracemalloc.start()
        try:
            before = tracemalloc.get_traced_memory()[0]
            for i in range(hintcode.LINES_HELD // hintcode.LINE_ENTRY_CHARS + 2_000):  # past the count
                hintcode.parsed_line(f"z{i}")
            tiny = tracemalloc.get_traced_memory()[0] - before
            assert len(hintcode._PARSED_LINES) == hintcode._PARSED_LINES.max_entries
            for memo in memos:
                memo.clear()
            before = tracemalloc.get_traced_memory()[0]
            for tag in "ab":  # past the characters: two lines of 60,000
                long_line = "y = f(" + ", ".join(f"np.exp({tag}{i})" for i in range(4_500)) + ")"
                assert len(hintcode.numpy_calls(long_line)) == 4_500
            long = tracemalloc.get_traced_memory()[0] - before
        finally:
            tracemalloc.stop()
        assert all(memo.chars <= hintcode.LINES_HELD for memo in memos) and hintcode._PARSED_LINES.chars > 60_000
        assert tiny < 6_000_000, tiny  # 4.7 MB measured
        assert long < 14_000_000, long  # 10.0 MB: a line in each memo
    finally:
        for memo in memos:
            memo.clear()


def test_the_function_trees_of_many_tiny_defs_are_bounded_by_their_count_too():
    """Thirty-sixth session (the perf helper's note): ``_FUNCTION_TREES`` counted a def for its
    characters alone, at least ``len("def f():0")``: 22,222 tiny defs could be held, about 65 MB of
    trees and bookkeeping where its characters say 11 MB (6,000 of them: 5,940 held, 17.5 MB). An
    entry counts for ``FUNCTION_ENTRY_CHARS`` at the least now: 2,000 entries, about 6 MB."""
    import tracemalloc

    from grader.notebook import SIZE_LIMITS

    memo = hintcode._FUNCTION_TREES
    assert memo.max_entries == SIZE_LIMITS.max_code_chars // hintcode.FUNCTION_ENTRY_CHARS == 2_000
    memo.clear()
    tracemalloc.start()
    try:
        before = tracemalloc.take_snapshot()
        for k in range(6_000):
            assert hintcode.function_tree(f"def f{k}(a):\n    return a + {k}\n") is not None
        held = sum(stat.size_diff for stat in tracemalloc.take_snapshot().compare_to(before, "filename"))
        assert len(memo) <= 2_000, len(memo)
        assert held < 10_000_000, held  # 2,000 entries about 6 MB; 5,940 held 17.5 MB before
    finally:
        tracemalloc.stop()
        memo.clear()


def test_the_hints_memos_hold_what_their_comments_say_of_the_densest_code():
    """Thirty-seventh session (perf helper): the comments said 12 MB of lines' trees and 11 MB of
    functions' trees, measured on usual code (120 and 55 bytes a character); ``a;a;a`` takes 340
    bytes a character, one node each: a cell-long line 34 MB, a notebook's worth of functions
    69 MB (tracemalloc). Both are what their grading holds anyway (a cell's line and every function
    of a notebook are kept by design, else each hint parses them again); the comments say so now,
    and this pins it."""
    import gc
    import tracemalloc

    from grader.notebook import SIZE_LIMITS

    def held(memo, texts, ask):
        memo.clear()
        gc.collect()
        tracemalloc.start()
        try:
            for text in texts:
                assert ask(text) is not None
            gc.collect()
            full, kept = tracemalloc.get_traced_memory()[0], memo.chars
            memo.clear()
            gc.collect()
            return full - tracemalloc.get_traced_memory()[0], kept
        finally:
            tracemalloc.stop()
            memo.clear()

    line = "a;" * (hintcode.LINES_HELD // 2 - 10)
    line_bytes, line_kept = held(hintcode._PARSED_LINES, [line], hintcode.parsed_line)
    function = "def f():\n " + "a;" * (SIZE_LIMITS.max_cell_chars // 2 - 20)
    function_bytes, function_kept = held(hintcode._FUNCTION_TREES, [function], hintcode.function_tree)
    assert line_kept == len(line) and function_kept == len(function)  # kept: each hint's ask is a hit
    assert hintcode._FUNCTION_TREES.max_chars == 2 * len(function) + 60  # two such functions fit
    assert line_bytes < 40_000_000, line_bytes  # 34 MB measured
    assert function_bytes * 2 < 76_000_000, function_bytes  # 69 MB measured for two
