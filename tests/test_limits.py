"""Size limits on what the grader reads of one submission (``grader.notebook.SizeLimits``).

The grader's own work outside the sandbox (reading, extraction and the IMDB bonus's reader in a
worker, the feedback page and the similarity check in the grading process) had no bound but the
200 MB file limit: one code cell of a million short lines cost a worker about 150 s, a 20 MB
string literal about 60 s of feedback pages, and one notebook held up a class of 400 that
otherwise takes 12 s. Now a code cell longer than ``max_cell_chars``, or taking the code read past
``max_code_chars``, is not read, with a note for the student; cells after ``max_cells`` are not
read at all. Each test fails without the limits (or, for the cost tests, takes far longer).
"""
from __future__ import annotations

import ast
import io
import json
from pathlib import Path

import pytest

from grader.cellparse import parsed_or_error
from grader.extract import extract
from grader.notebook import SIZE_LIMITS, Cell, Notebook, SizeLimits, load, loads, skipped_code
from tests import notebooks as nbs
from tests.cpu import cpu_budget as _cpu_budget


def _course(extra_cells: list[dict]) -> Notebook:
    """The course's correct notebook with ``extra_cells`` at the end, as ``grader.notebook`` reads it."""
    text = json.dumps(nbs.course_notebook(extra_cells=extra_cells))
    return loads(text.encode(), path="limits.ipynb")


def _huge_rnn_forward(chars: int) -> str:
    """A working ``rnn_forward`` padded with comment lines to about ``chars`` characters."""
    return nbs.COURSE_CELLS["rnn_forward"] + "# padding\n" * (chars // 10)


# ------------------------------------------------------------------ the rule


def test_the_limits_are_far_above_a_real_submission():
    """Real submissions of this assignment hold 10-40 kB of code in 20-100 cells; the limits
    leave at least 2.5 times that in one cell, 5 times in a notebook, 20 times the cells."""
    assert SIZE_LIMITS.max_cell_chars >= 100_000
    assert SIZE_LIMITS.max_code_chars >= 200_000
    assert SIZE_LIMITS.max_cells >= 2_000
    course = sum(len(source) for source in nbs.COURSE_CELLS.values())
    assert course < SIZE_LIMITS.max_cell_chars / 10


def test_which_cells_are_skipped():
    """A cell over the per-cell limit is skipped and does not count; a cell that would take the
    total past its limit is skipped, and a smaller one after it is still read; exactly at a
    limit is within it."""
    limits = SizeLimits(max_cells=10, max_cell_chars=100, max_code_chars=250)
    got = skipped_code([(0, 100), (1, 101), (2, 100), (3, 60), (4, 50), (5, 0)], limits)
    assert [(s.index, s.chars, s.before) for s in got] == [(1, 101, None), (3, 60, 200)]
    assert skipped_code([(0, 100), (1, 100), (2, 50)], limits) == ()


def test_the_notes_say_which_cell_how_big_the_limit_and_what_to_do():
    limits = SizeLimits(max_cells=10, max_cell_chars=100_000, max_code_chars=200_000)
    whole, total = skipped_code([(3, 6_700_000), (5, 99_000), (7, 99_000), (9, 5_000)], limits)
    assert whole.message() == (
        "Cell 4 holds 6,700,000 characters of code, more than the 100,000 the grader reads in one "
        "cell, so it was not graded: the functions it defines are not found. Move each function "
        "into a cell of its own and delete what grading does not need (large data, generated code).")
    assert "Cell 10 (5,000 characters of code)" in total.message()
    assert "at most 200,000 characters" in total.message() and "already hold 198,000" in total.message()
    assert whole.message(python_file=True).startswith("Your file holds 6,700,000 characters of code")


# ------------------------------------------------------------------ extraction


def test_a_cell_over_the_limit_is_not_extracted_and_the_rest_is():
    """Its functions are not found, with an error note that names the cell; the other cells'
    functions are extracted as usual."""
    nb = _course([nbs.code_cell("def helper(x):\n    return x\n"),
                  nbs.code_cell(_huge_rnn_forward(SIZE_LIMITS.max_cell_chars))])
    big = nb.cells[-1]
    assert len(big.source) > SIZE_LIMITS.max_cell_chars
    extraction = extract(nb)
    assert "helper" in extraction.functions
    assert extraction.functions["rnn_forward"].cell_index != big.index  # the course's own cell's
    assert extraction.unread_cells == (big.index,) and extraction.cells_left_out == 0
    notes = [d for d in extraction.diagnostics if d.cell_index == big.index]
    assert [d.severity for d in notes] == ["error"]
    assert notes[0].message.startswith(f"Cell {big.index + 1} holds {len(big.source):,} characters of code")


def test_a_function_only_in_a_skipped_cell_is_not_found():
    cells = [nbs.code_cell("import numpy as np\n"), nbs.code_cell(_huge_rnn_forward(120_000))]
    extraction = extract(loads(json.dumps(nbs.notebook(cells)).encode(), path="one.ipynb"))
    assert "rnn_forward" not in extraction.functions


def test_cells_past_the_total_are_skipped_in_order_and_a_smaller_one_after_is_read():
    limits = SizeLimits(max_cells=100, max_cell_chars=1_000, max_code_chars=1_500)
    cells = (Cell(0, "code", "def a(x):\n    return x\n" + "#\n" * 400),   # 823 characters
             Cell(1, "markdown", "# text"),
             Cell(2, "code", "def b(x):\n    return x\n" + "#\n" * 400),   # 823: past 1,500
             Cell(3, "code", "def c(x):\n    return x\n"))                 # 23: read
    extraction = extract(Notebook(path="t.ipynb", cells=cells, nbformat=(4, 5)), limits=limits)
    assert sorted(extraction.functions) == ["a", "c"]
    assert [d.cell_index for d in extraction.diagnostics if d.severity == "error"] == [2]


def test_a_py_file_over_the_limit_is_one_cell_and_says_so(tmp_path):
    path = tmp_path / "big.py"
    path.write_text(_huge_rnn_forward(SIZE_LIMITS.max_cell_chars + 10), encoding="utf-8")
    extraction = extract(load(path))
    assert extraction.functions == {}
    assert extraction.diagnostics[0].message.startswith("Your file holds")


# ------------------------------------------------------------------ cells past max_cells


def test_cells_after_the_limit_are_not_read_and_extraction_says_so():
    limits = SizeLimits(max_cells=10, max_cell_chars=1_000, max_code_chars=10_000)
    cells = [nbs.code_cell(f"def f{i}(x):\n    return x\n") for i in range(14)]
    nb = loads(json.dumps(nbs.notebook(cells)).encode(), path="many.ipynb", limits=limits)
    assert len(nb.cells) == 10 and nb.cells_left_out == 4
    extraction = extract(nb, limits=limits)
    assert extraction.cells_left_out == 4 and extraction.unread_cells == ()
    assert sorted(extraction.functions, key=lambda n: int(n[1:])) == [f"f{i}" for i in range(10)]
    assert any(d.message.startswith("Your notebook has 14 cells; the grader reads the first 10")
               for d in extraction.diagnostics)


def test_a_version_3_notebook_is_cut_before_it_is_converted():
    """nbformat converts (and walks) every cell of a version-3 notebook: the cells past the
    limit are cut from its worksheets first."""
    limits = SizeLimits(max_cells=3, max_cell_chars=1_000, max_code_chars=10_000)
    v3 = {"nbformat": 3, "nbformat_minor": 0, "metadata": {},
          "worksheets": [{"cells": [{"cell_type": "code", "input": f"def f{i}(x):\n    return x\n",
                                     "language": "python", "outputs": []} for i in range(2)]},
                         {"cells": [{"cell_type": "code", "input": f"def g{i}(x):\n    return x\n",
                                     "language": "python", "outputs": []} for i in range(4)]}]}
    nb = loads(json.dumps(v3).encode(), path="old.ipynb", limits=limits)
    assert [c.source.split("(")[0] for c in nb.cells] == ["def f0", "def f1", "def g0"]
    assert nb.cells_left_out == 3


# ------------------------------------------------------------------ the bonus, the similarity check


def test_the_bonus_reader_skips_the_same_cells():
    from grader.imdb.source import read_code

    fit = "model.fit(x_train, y_train, validation_split=0.2, epochs=3)\n"
    nb = _course([nbs.code_cell("model = Sequential([Embedding(10000, 32), LSTM(32), Dense(1)])\n" + fit),
                  nbs.code_cell(fit + "#\n" * 60_000)])
    facts = read_code(nb.cells)
    assert [f.cell for f in facts.fits] == [nb.cells[-2].index]
    limits = SizeLimits(max_cells=2_000, max_cell_chars=10**9, max_code_chars=10**9)
    assert [f.cell for f in read_code(nb.cells, limits=limits).fits] == [nb.cells[-2].index, nb.cells[-1].index]


def test_the_similarity_check_does_not_see_a_skipped_function(tmp_path):
    from grader.similaritystage import function_sources

    path = nbs.write(tmp_path / "big.ipynb", nbs.notebook([nbs.code_cell(_huge_rnn_forward(120_000))]))
    assert function_sources(path) == {}


# ------------------------------------------------------------------ the feedback page


def test_the_feedback_page_shows_a_skipped_cell_short_with_the_note(tmp_path):
    from grader.feedback_html import SHOWN_SKIPPED_CHARS, read_cells

    huge = 'x = "' + "a" * 20_000_000 + '"\n'
    path = nbs.write(tmp_path / "nb.ipynb", nbs.course_notebook(extra_cells=[nbs.code_cell(huge)]))
    cells = read_cells(path)
    shown = cells[-1]["source"]
    assert len(shown) < SHOWN_SKIPPED_CHARS + 500
    assert shown.startswith('x = "aaaa') and "20,000,007 characters of code" in shown
    assert "more characters not shown" in shown
    assert [c["source"] for c in cells[:-1]] == [c["source"] for c in read_cells(
        nbs.write(tmp_path / "plain.ipynb", nbs.course_notebook()))]


def test_a_small_cell_skipped_for_the_total_is_shown_whole_with_the_note():
    from grader.feedback_html import clean_cells

    limits = SizeLimits(max_cells=100, max_cell_chars=1_000, max_code_chars=920)
    raw = nbs.notebook([nbs.code_cell("x = 1\n" * 150), nbs.code_cell("def f(x):\n    return x\n")])
    cells = clean_cells(raw, limits=limits)
    assert cells[0]["source"] == "x = 1\n" * 150
    assert cells[1]["source"].startswith("def f(x):\n    return x\n# [Cell 2 (23 characters of code) was not graded")


def test_the_feedback_page_says_how_many_cells_it_leaves_out():
    from grader.feedback_html import clean_cells

    limits = SizeLimits(max_cells=5, max_cell_chars=1_000, max_code_chars=10_000)
    cells = clean_cells(nbs.notebook([nbs.markdown_cell(f"m{i}") for i in range(12)]), limits=limits)
    assert [c["source"] for c in cells[:5]] == [f"m{i}" for i in range(5)]
    assert cells[5]["source"] == "*(7 more cells not shown: the grader reads the first 5 cells of a notebook.)*"
    assert len(cells) == 6


def test_a_py_file_over_the_limit_is_shown_short(tmp_path):
    from grader.feedback_html import feedback_page
    from grader.runner import unreadable_result
    from grader.classfiles import DEFAULT_RUBRIC
    from grader.rubric import load_rubric

    path = tmp_path / "big.py"
    path.write_text("x = 1\n" * 1_000_000, encoding="utf-8")
    result = unreadable_result(load_rubric(DEFAULT_RUBRIC), submission_id="big", path=str(path),
                               message="m", status="graded")
    with _cpu_budget(2.0):
        page = feedback_page(result, notebook_path=path)
    assert len(page) < 100_000 and "Your file holds 6,000,000 characters of code" in page


# ------------------------------------------------------------------ what it costs now


@pytest.mark.parametrize("source", [
    pytest.param("x = 1\n" * 1_100_000, id="a million short lines (6.6 MB)"),
    pytest.param('x = "' + "a" * 20_000_000 + '"\n', id="a 20 MB string literal"),
    pytest.param("".join(f"x{i} = (\n" for i in range(200_000)), id="lines that do not parse"),
])
def test_a_huge_cell_costs_the_worker_and_the_page_little(source, tmp_path):
    """Before the limits, the first cell cost a worker about 150 s of extraction and the second
    about 60 s of feedback pages in the grading process."""
    from grader.feedback_html import read_cells
    from grader.imdb import load_imdb_config, score_imdb

    path = nbs.write(tmp_path / "nb.ipynb", nbs.course_notebook(extra_cells=[nbs.code_cell(source)]))
    with _cpu_budget(3.0):
        nb = load(path)
        extraction = extract(nb)
        score_imdb(nb, config=load_imdb_config(None), extra_files={})
        read_cells(path)
    assert "rnn_backward" in extraction.functions


def test_a_cell_of_failing_lines_within_the_limit_costs_little():
    """A cell that does not parse is salvaged block by block. Each failing block's error was
    compiled again after the cell's earlier lines (n²) and every block was tried merged with five
    more: 100 kB of ``x = (`` lines cost 6.6 s of CPU. Now the error is the block's own parse's,
    and merges are tried for a cell's first 50 failing blocks.
    Signal: a scaling test (CPU at 500 and 4,000 lines, memos emptied, tests/scaling.py) and
    a work count (the merged parses tried), not seconds."""
    from grader.extract import clear_memos
    from tests.scaling import assert_linear

    def failing(n: int) -> Notebook:
        """A cell of ``n`` lines ``x = (``."""
        return Notebook(path="t.ipynb", cells=(Cell(0, "code", "x = (\n" * n),), nbformat=(4, 5))

    assert_linear(extract, failing, 500, setup=clear_memos, what="extraction of n failing lines")
    import grader.extract as extract_module

    merges = []
    real_parses_at = extract_module.parses_at
    clear_memos()
    with pytest.MonkeyPatch.context() as patch:  # and a work count: merges tried for the first 50 blocks only
        patch.setattr(extract_module, "parses_at", lambda *a: merges.append(1) or real_parses_at(*a))
        extraction = extract(failing(SIZE_LIMITS.max_cell_chars // 6))
    assert len(merges) < 5 * extract_module._MERGED_FAILURES, len(merges)  # 4 per block, 50 blocks (and 1)
    errors = [d for d in extraction.diagnostics if d.message.startswith("Syntax error")]
    assert len(errors) == SIZE_LIMITS.max_cell_chars // 6
    assert errors[-1].line == SIZE_LIMITS.max_cell_chars // 6


def test_a_salvaged_blocks_error_is_the_one_compiling_it_in_place_gives():
    """Far down a cell the block is compiled alone and the numbers moved, in the line and in the
    messages that quote a line: the same error as compiling it after its cell's earlier lines."""
    samples = ["x = (", "(\n ]", "x = '''abc\n d", "s = 'abc", "def f(:\n  pass", "x = 1 +", "  x = 1",
               "f(**)", "x\0y", "if x:\npass", "a = (1,\n 2]\n", 'x = """\n\n\n', "print 'x'", "class :",
               "x = (\n\n\n ]"]
    for text in samples:
        for start in (0, 3, 50, 500, 5000):
            try:
                compile("\n" * start + text, "<cell>", "exec", ast.PyCF_ONLY_AST)
            except SyntaxError as exc:
                expected = (exc.msg, exc.lineno or start + 1)
            except ValueError as exc:
                expected = (str(exc), start + 1)
            assert parsed_or_error(text, start + 1) == (None, expected), (text, start)


def test_salvage_merges_blocks_only_for_a_cells_first_fifty_failures():
    """A def whose docstring has a line at column 0 is split there into two blocks that fail
    alone; merged, they parse. A cell's first 50 failing blocks are still tried merged (``f``
    is found); after 60 failing lines, ``g``'s blocks are tried alone and it is reported as a
    syntax error: the price of bounding the salvage of a cell of thousands of failing lines."""
    source = ('def f(x):\n    """Doc\nat column 0\n    """\n    return x\n\n'
              + "y = (\n" * 60 + 'def g(x):\n    """Doc\nat column 0\n    """\n    return x\n')
    extraction = extract(Notebook(path="t.ipynb", cells=(Cell(0, "code", source),), nbformat=(4, 5)))
    assert "f" in extraction.functions and "g" not in extraction.functions
    assert any(d.function == "g" and d.severity == "error" for d in extraction.diagnostics)


# ------------------------------------------------------------------ grading and the self-check


def test_grading_says_why_a_function_was_not_found(tmp_path, context, sandbox):
    from grader.report import feedback_markdown
    from grader.runner import grade_submission

    cells = {name: src for name, src in nbs.COURSE_CELLS.items() if name != "rnn_forward"}
    cells["rnn_forward"] = _huge_rnn_forward(SIZE_LIMITS.max_cell_chars)
    path = nbs.write(tmp_path / "big.ipynb", nbs.course_notebook(cells))
    result = grade_submission(path, context=context, sandbox=sandbox)
    by_name = {p.name: p for p in result.parts}
    assert by_name["rnn_forward"].points == 0
    assert by_name["rnn_cell_forward"].points == by_name["rnn_cell_forward"].max_points
    notes = [m for m in result.messages if "characters of code" in m]
    assert len(notes) == 1 and "Move each function into a cell of its own" in notes[0]
    assert notes[0] in feedback_markdown(result)
    # Not the usual guess at a misspelt name (`rnn_cell_forward`): the cell was not read.
    message = by_name["rnn_forward"].cases[0].message
    assert message.startswith("No function named `rnn_forward` was found in the notebook. The grader did "
                              "not read all of the notebook's code for its size")


def test_the_self_check_prints_the_note(tmp_path):
    from grader.classfiles import DEFAULT_RUBRIC
    from grader.selfcheck import run_check

    path = nbs.write(tmp_path / "big.ipynb", nbs.course_notebook(
        extra_cells=[nbs.code_cell(_huge_rnn_forward(SIZE_LIMITS.max_cell_chars))]))
    out = io.StringIO()
    run_check(Path(path), rubric=DEFAULT_RUBRIC, stream=out)
    assert "the grader reads in one cell" in out.getvalue()


# ------------------------------------------------------------------ the feedback page's outputs


def _old_coalesce(outputs: list[dict]) -> list[dict]:
    """``feedback_html._coalesce`` as it was: each text added to the run's text so far."""
    from grader.feedback_html import _cut

    merged: list[dict] = []
    for out in outputs:
        last = merged[-1] if merged else None
        if (last is not None and out["output_type"] == "stream" and last["output_type"] == "stream"
                and last["name"] == out["name"]):
            last["text"] += out["text"]
        else:
            merged.append(out)
    for out in merged:
        if out["output_type"] == "stream":
            out["text"] = _cut(out["text"])
    return merged


def test_many_printed_outputs_cost_the_feedback_page_little():
    """Consecutive stream outputs are joined into one. Each was added to the text so far, which
    copied it again every time: 20,000 outputs of 1 kB in one cell (a 20 MB notebook, under the
    page's 50 MB limit) cost the grading process 150 s of CPU. The same outputs now.
    Signal: a scaling test (CPU at 1,000 and 8,000 outputs, tests/scaling.py), not seconds."""
    import copy

    from grader.feedback_html import _coalesce, clean_cells
    from tests.scaling import assert_linear

    def printed(n: int) -> dict:
        """A notebook of one cell that printed ``n`` outputs of 1 kB."""
        return nbs.notebook([nbs.code_cell("model.fit(x)\n", outputs=[nbs.stream("y" * 1000 + "\n")
                                                                      for _ in range(n)])])

    assert_linear(lambda nb: clean_cells(copy.deepcopy(nb)), printed, 1_000, what="clean_cells of n outputs")
    cells = clean_cells(printed(20_000))
    assert len(cells[0]["outputs"]) == 1 and "more characters not shown" in cells[0]["outputs"][0]["text"]
    err = {"output_type": "stream", "name": "stderr", "text": "warning\n"}
    shown = {"output_type": "display_data", "data": {"text/plain": "x"}, "metadata": {}}
    mixed = [nbs.stream("a\n"), nbs.stream("b\n"), err, dict(err), nbs.stream("c\n"), shown,
             nbs.stream("d" * 60_000), nbs.stream("e" * 60_000), err, shown, shown, nbs.stream("")]
    for outputs in (mixed, mixed[:1], [], [shown], mixed[::-1]):
        assert _coalesce(copy.deepcopy(outputs)) == _old_coalesce(copy.deepcopy(outputs))
