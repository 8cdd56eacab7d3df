"""A program whose top level raises: the statement is left out and the rest is graded.

Python stops at the first top-level statement that raises, but a notebook's later cells would
still have run, so ``loading.loaded_session`` blanks that statement's lines and runs the rest
in a new child, at most ``LOAD_RETRIES`` times.
"""
from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from grader import loading, runner
from grader.extract import Segment
from grader.models import CRASHED, MISSING, PASSED
from grader.runner import grade_submission
from tests import notebooks as nbs

FAILING_DEFAULT = ", bad=int('x'))"



SIGNATURES = {
    "rnn_forward": "def rnn_forward(x, a0, parameters):",
    "lstm_cell_forward": "def lstm_cell_forward(xt, a_prev, c_prev, parameters):",
    "lstm_forward": "def lstm_forward(x, a0, parameters):",
    "rnn_cell_backward": "def rnn_cell_backward(da_next, cache):",
    "rnn_backward": "def rnn_backward(da, caches):",
}


def overrides(*names: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for name in names:
        signature = SIGNATURES[name]
        out.update(nbs.mutate(name, signature, signature[:-2] + FAILING_DEFAULT + ":"))
    return out


class CountingSandbox:
    """The real sandbox, counting the sessions (children) a submission costs."""

    def __init__(self, sandbox):
        self.inner = sandbox
        self.sessions = 0

    def session(self, *args, **kwargs):
        self.sessions += 1
        return self.inner.session(*args, **kwargs)


def grade(tmp_path: Path, nb: dict, context, sandbox):
    counting = CountingSandbox(sandbox)
    result = grade_submission(nbs.write(tmp_path / "student.ipynb", nb), context=context, sandbox=counting)
    return result, counting.sessions


def statuses(result) -> dict[str, str]:
    """The NumPy parts' statuses (these notebooks do not attempt the IMDB bonus)."""
    return {p.name: p.status for p in result.parts if p.name != "imdb_report"}


def test_a_definition_that_raises_costs_only_its_own_function(tmp_path, context, sandbox):
    result, sessions = grade(tmp_path, nbs.course_notebook(overrides("lstm_cell_forward")), context, sandbox)
    got = statuses(result)
    assert got.pop("lstm_cell_forward") == MISSING
    assert set(got.values()) == {PASSED}, got  # before: every function after it was missing
    assert sessions == 2
    message = result.part("lstm_cell_forward").cases[0].message
    assert message.startswith("`lstm_cell_forward` could not be defined: its definition raised ValueError: "
                              "invalid literal for int()"), message
    cell, count = next((i, c["execution_count"]) for i, c in enumerate(nbs.course_notebook()["cells"])
                       if "def lstm_cell_forward" in "".join(c["source"]))
    assert f"(cell {cell + 1} (In [{count}]), line " in message
    [told] = [m for m in result.messages if "definitions failed" in m]
    assert "ValueError: ValueError" not in told
    assert told.endswith("the rest of the notebook run and graded without it.")


def test_each_failing_definition_is_named_and_the_rest_graded(tmp_path, context, sandbox):
    result, sessions = grade(tmp_path, nbs.course_notebook(overrides("rnn_forward", "rnn_cell_backward")),
                             context, sandbox)
    got = statuses(result)
    assert got["rnn_forward"] == got["rnn_cell_backward"] == MISSING
    assert {got[n] for n in ("rnn_cell_forward", "lstm_cell_forward", "lstm_forward", "rnn_backward")} == {PASSED}
    assert sessions == 3
    for name in ("rnn_forward", "rnn_cell_backward"):
        assert result.part(name).cases[0].message.startswith(f"`{name}` could not be defined")
    assert len([m for m in result.messages if "definitions failed" in m]) == 2


def test_retries_are_bounded(tmp_path, context, sandbox):
    names = ("rnn_forward", "lstm_cell_forward", "lstm_forward", "rnn_cell_backward", "rnn_backward")
    result, sessions = grade(tmp_path, nbs.course_notebook(overrides(*names)), context, sandbox)
    assert sessions == loading.LOAD_RETRIES + 1 == 4
    got = statuses(result)
    assert got["rnn_cell_forward"] == PASSED
    assert all(got[n] == MISSING for n in names)
    # the first three were left out and are named; the fourth failure stopped the program
    for name in names[:3]:
        assert result.part(name).cases[0].message.startswith(f"`{name}` could not be defined")
    for name in names[3:]:
        assert "was not defined when the notebook's definitions ran" in result.part(name).cases[0].message
    told = [m for m in result.messages if "definitions failed" in m]
    assert len(told) == 4 and not told[-1].endswith("graded without it.")


def test_a_top_level_that_kills_its_child_is_not_run_again(tmp_path, context, sandbox):
    signature = SIGNATURES["lstm_forward"]
    nb = nbs.course_notebook(nbs.mutate("lstm_forward", signature,
                                        signature[:-2] + ", bad=__import__('os')._exit(3)):"))
    result, sessions = grade(tmp_path, nb, context, sandbox)
    assert sessions == 1
    assert any("definitions failed" in m for m in result.messages)
    assert result.part("rnn_cell_forward").status in (PASSED, CRASHED, MISSING)


def test_only_a_top_level_statement_of_the_program_is_left_out():
    program = SimpleNamespace(segments=(Segment(first=1, last=3, function="f", cell_index=0, cell_line=1),
                                        Segment(first=5, last=9, function=None, cell_index=1, cell_line=1)))

    def outcome(*frames):
        return SimpleNamespace(frames=frames)

    assert loading.failing_segment(outcome((2, "<module>"), (40, "g")), program).function == "f"
    assert loading.failing_segment(outcome((7, "<module>")), program).first == 5
    assert loading.failing_segment(outcome((4, "<module>")), program) is None   # between segments
    assert loading.failing_segment(outcome((99, "<module>")), program) is None  # forged line
    assert loading.failing_segment(outcome((2, "f"), (3, "g")), program) is None  # module frame cut off
    assert loading.failing_segment(outcome(), program) is None


def test_thousands_of_broken_lines_give_a_readable_list(tmp_path, context, sandbox):
    broken = "".join(f"def rnn_forward(:  # try {k}\n    pass\n\n" for k in range(300))
    nb = nbs.course_notebook(extra_cells=[nbs.code_cell(broken)])
    result, _ = grade(tmp_path, nb, context, sandbox)
    assert runner.MAX_EXTRACTION_MESSAGES < len(result.messages) <= runner.MAX_EXTRACTION_MESSAGES + 3
    assert any(m.startswith("... and ") and "more notes like these" in m for m in result.messages)
    assert statuses(result)["rnn_cell_forward"] == PASSED


def test_an_unreadable_notebook_is_named_by_its_file_name_not_the_instructors_path(tmp_path, context, sandbox):
    folder = tmp_path / "course2026" / "private"
    folder.mkdir(parents=True)
    path = folder / "donald.ipynb"
    path.write_text('{"cells": [', encoding="utf-8")
    result = grade_submission(path, context=context, sandbox=sandbox)
    assert result.status == "unreadable"
    assert result.messages[0].startswith("donald.ipynb: not JSON (truncated at byte ")
    assert all(str(folder) not in m for m in result.messages)
    assert all(str(folder) not in c.message for p in result.parts for c in p.cases)
