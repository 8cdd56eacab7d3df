"""Every part's public cases run before any hidden case (``runner._grade_parts``).

A function can keep what a hidden case gave it; were a public case of a later part run
after it in the same child, its output and message (which the feedback shows) could carry
the hidden inputs out. These tests pin the order and what it relies on.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

from grader.commands import load_context
from grader.models import HIDDEN
from tests import notebooks as nbs

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def sandbox():
    """One sandbox for the module."""
    from grader.sandbox import Limits, Sandbox
    with Sandbox(limits=Limits(call_timeout=5.0, submission_timeout=60.0)) as sb:
        yield sb


def _arrays(value: object):
    """The bytes of every array (of more than one element) in a nested value."""
    if isinstance(value, np.ndarray):
        if value.size > 1:
            yield value.tobytes()
    elif isinstance(value, (tuple, list)):
        for item in value:
            yield from _arrays(item)
    elif isinstance(value, dict):
        for key in sorted(value):
            yield from _arrays(value[key])


@pytest.mark.parametrize("rubric", ["rubrics/rnn.yaml", "rubrics/rnn_extended.yaml"])
def test_a_composites_public_stub_answers_never_hold_a_dependencys_hidden_inputs(rubric):
    """In the first phase a composite's public case may be answered by stubs before its
    dependency's hidden cases run: those answers must be for other inputs, or a student could
    replay them."""
    context = load_context(REPO / rubric)
    fixtures = context.fixtures
    parts = {part.function: part for part in context.rubric.parts}
    checked = 0
    for part in context.rubric.parts:
        for dep in part.depends:
            hidden = {b for case in parts[dep].cases if case.visibility == HIDDEN
                      for b in _arrays(fixtures[case.id].args)}
            for case in part.cases:
                if case.visibility == HIDDEN or dep not in fixtures[case.id].traces:
                    continue
                for args, _result in fixtures[case.id].traces[dep]:
                    shared = hidden & set(_arrays(args))
                    assert not shared, f"{case.id}: a stub call of {dep} takes an input of its hidden cases"
                    checked += 1
    assert checked >= 10


def test_the_child_sees_every_public_case_before_any_hidden_one(sandbox):
    """Each graded function logs its name and first argument to a file of the child's
    directory; read back through the same session, the last call of a public case comes
    before the first call of a hidden one."""
    from grader.extract import extract
    from grader.notebook import loads
    from grader.runner import _grade_parts
    from grader.sandbox import FALLBACK

    context = load_context(REPO / "rubrics/rnn.yaml")
    overrides = {}
    for part in context.rubric.parts:
        text = nbs.COURSE_CELLS[part.function]
        first, _, arg = re.search(r"^def (\w+)\((\w+)", text, re.M).group(0, 1, 2)
        line_end = text.index(":\n", text.index(first)) + 2
        log = f"    open('calls.txt', 'a').write('{part.function} %r\\n' % (float(np.sum({arg})),))\n"
        overrides[part.function] = text[:line_end] + log + text[line_end:]
    overrides["rnn_backward"] += ("\n\ndef calls_seen():\n    import os\n"
                                  "    return open('calls.txt').read() if os.path.exists('calls.txt') else ''\n")
    notebook = loads(json.dumps(nbs.course_notebook(overrides)).encode("utf-8"), path="order.ipynb")
    extraction = extract(notebook)
    program = extraction.program()
    with sandbox.session(program.source, filename="<submission>") as session:
        graded = _grade_parts(context.rubric, context=context, extraction=extraction, program=program,
                              session=session, fallback=FALLBACK, facts={})
        log = session.call("calls_seen", ()).value
    assert all(result.points == result.max_points for result in graded.values())
    kind = {}
    for part in context.rubric.parts:
        for case in part.cases:
            first_arg = context.fixtures[case.id].args[0]
            kind[(part.function, repr(float(np.sum(first_arg))))] = case.visibility
    seen = [kind[tuple(line.split(" ", 1))] for line in log.splitlines() if tuple(line.split(" ", 1)) in kind]
    assert "public" in seen and HIDDEN in seen
    assert seen.index(HIDDEN) > len(seen) - 1 - seen[::-1].index("public"), seen
