"""``scopes.body_works``: the def's bytecode shows work in its body, so the similarity check's
``gradedsource._delegates`` answers "does not only delegate" without parsing it (thirty-second session,
perf helper). The answer must never differ from the parse's (``astnodes.only_delegates``): a def
said to work that only delegates would be compared as its own line, not as what it hands its
work to. Each test fails on the code before it (no ``body_works``; no ``FunctionSource.works``)."""
from __future__ import annotations

import dataclasses
import sys

import pytest

from grader import gradedsource
from grader.extract import extract_file
from grader.scopes import body_works, compiled_quietly
from tests import notebooks as nbs

pytestmark = pytest.mark.skipif(sys.version_info[:2] != (3, 11), reason="the bytecode read is 3.11's")

#: Bodies of every node kind ``only_delegates`` allows: calls, names, attributes, constants,
#: displays, starred and keyword arguments, assignments to names and attributes, a docstring.
_DELEGATING = [
    "return _step(xt, a_prev, parameters)",
    '"""Docstring."""\n    return f9(*args, **kwargs)',
    "out = helper.run(x, y=2, z=None)\n    return out",
    "a, *rest = g(x)\n    self.w = h(a, rest)\n    return [a, {'k': rest, **extra}, (1, 'two')]",
    "x = y = np.tanh(np.dot(W, x))\n    f(x)\n    'a string'\n    return x",
    "return lstm_cell_forward(parameters, a_prev, xt)",
    "return _Obj().run(*[x], **{'k': 1})",
    "a, (b, *c) = g(x)\n    return h(*a, *c, **b, **c)",
]
#: Bodies that hold one node of work each, of every kind whose instructions ``_WORK_OPS`` names.
_WORKING = {
    "loop": "for t in range(3):\n        f(t)\n    return g()",
    "while": "while f():\n        g()\n    return h()",
    "arithmetic": "return f(x) + 1",
    "augmented": "x = f()\n    x += g()\n    return x",
    "matmul": "return W @ f(x)",
    "subscript": "return f(x)[0]",
    "store subscript": "out = f()\n    out[0] = g()\n    return out",
    "delete subscript": "out = f()\n    del out[0]\n    return out",
    "slice": "return f(x)[1:n]",
    "comparison": "return f(x) == g(y)",
    "is": "return f(x) is None",
    "in": "return f(x) in g(y)",
    "unary": "return -f(x)",
    "not": "return not f(x)",
    "branch": "if f(x):\n        return g()\n    return h()",
    "bool op": "return f(x) or g(x)",
    "conditional": "return f(x) if y else g(x)",
}


def _only_delegates_by_parse(source: str) -> bool:
    return gradedsource._parsed_only_delegates(source)


def _def(body: str, name: str = "rnn_forward") -> str:
    return f"def {name}(x, a0, parameters):\n    {body}\n"


@pytest.mark.parametrize("body", _DELEGATING)
def test_a_def_that_only_delegates_is_never_said_to_work(body):
    source = _def(body)
    assert _only_delegates_by_parse(source), source  # the corpus is what it says
    assert not body_works(compiled_quietly(source), "rnn_forward")


def test_an_async_def_that_only_delegates_is_never_said_to_work():
    # Python adds instructions of its own to its body (RETURN_GENERATOR, POP_TOP), none of work.
    source = "async def f(x):\n    return g(x)\n"
    assert _only_delegates_by_parse(source)
    assert not body_works(compiled_quietly(source), "f")


@pytest.mark.parametrize("kind", sorted(_WORKING))
def test_work_of_every_kind_is_seen_in_the_bytecode(kind):
    source = _def(_WORKING[kind])
    assert not _only_delegates_by_parse(source), source
    assert body_works(compiled_quietly(source), "rnn_forward")


@pytest.mark.parametrize("source", [
    # Work only in a default, a decorator or a nested function or lambda: the body's own code
    # delegates (the parse says so, or answers False for what the bytecode does not show).
    "def f(x, k=2 + 3, w=a[0]):\n    return g(x, k, w)\n",
    "@dec(a[0] + 1)\ndef f(x):\n    return g(x)\n",
    "def f(x):\n    def inner(y):\n        return y + 1\n    return inner(x)\n",
    "f = lambda x: g(x) + 1\n",
    "def f(x):\n    return g(x)\ndef h(x):\n    return x + 1\n",
    "def f(x):\n    return g([y + 1 for y in x])\n",
])
def test_the_bytecode_claims_work_only_in_the_body_of_the_def_named(source):
    works = body_works(compiled_quietly(source), "f")
    assert not (works and _only_delegates_by_parse(source)), source
    assert not works  # the work is outside the body's own instructions: the parse decides


def test_no_code_or_another_name_tells_nothing():
    source = _def(_WORKING["loop"])
    assert not body_works(None, "rnn_forward")
    assert not body_works(compiled_quietly(source), "lstm_forward")


@pytest.mark.parametrize("style", ["course", "other"])
def test_extraction_marks_working_defs_and_the_compared_texts_do_not_change(tmp_path, style):
    """The course notebook's defs and another style's (own helpers) as extracted: those that loop
    or compute are marked, and every graded function's compared text is the same with the marks
    as without them."""
    nb = nbs.course_notebook() if style == "course" else nbs.alt_notebook()
    functions = dict(extract_file(nbs.write(tmp_path / f"{style}.ipynb", nb)).functions)
    assert functions["rnn_forward"].works and functions["lstm_cell_forward"].works
    unmarked = {name: dataclasses.replace(f, works=False) for name, f in functions.items()}
    graded = ("rnn_cell_forward", "rnn_forward", "lstm_cell_forward", "lstm_forward",
              "rnn_cell_backward", "rnn_backward")
    for name in graded:
        assert gradedsource.graded_source(functions, name, graded=graded) == \
            gradedsource.graded_source(unmarked, name, graded=graded), name
    for name, function in functions.items():
        if function.works:
            assert not _only_delegates_by_parse(function.source), name
