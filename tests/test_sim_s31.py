"""The similarity check's holes a copier finds in an evening: thirty-first session.

Each case is a classmate's function (the course's code) graded in full, with a low score or no
pair on 74666ec (through ``find_similar`` against a classmate who wrote the course's code; each
test of a group fails there, its score in the comment):

1. the copy under a test the grader's input decides, with a body of its own in the ``else``
   (``if xt.ndim == 2:``, ``len(xt.shape) == 2``, ``isinstance(parameters, dict)``,
   ``"Wax" in parameters``, ``xt.shape[0] > 0``), in the graded def or in ``rnn_forward``
   behind a wrapper (0.31-0.35): ``specialise._KnownInputs``;
2. the copy as a method of a class (``Cell().forward(xt, a_prev, parameters)``): the method went
   as an unused def, and the class was compared as ``ClassDef }`` (no pair):
   ``deadcode._sweep_block``;
3. the copy named as a course helper taking one argument (``def sigmoid(z): xt, a_prev,
   parameters = z``) behind a helper of the student's that does some work (``_decoy``: ``xt = xt
   * 1.0``): the course's helpers were looked at only when nothing else did work (no pair):
   ``gradedsource._course_like``; and the copy padded with ``a_next = a_next * 1`` (0.72):
   ``rewrite.Rewriter.visit_BinOp``, then the helper left a relay goes (``_drop_relays``);
4. the loop over time written as a ``while`` (``rnn_forward`` 0.30, ``rnn_backward`` counting down
   0.45), or ``range(T_x - 1, -1, -1)`` / ``range(T_x)[::-1]`` for ``reversed(range(T_x))``
   (0.57): ``loops.canonical_loops``;
5. the copy split into helpers the graded def calls and composes (``a_next = _activation(xt,
   a_prev, parameters)``, ``yt_pred = _output(a_next, parameters)``, then the cache): the graded
   def went as a relay and the helpers were compared alone (0.03-0.05): a def that calls two of
   the text's defs stays, and helpers are put in place of their calls
   (``inline.inline_helpers``).
"""
from __future__ import annotations

import textwrap

import pytest

from grader.models import PASSED
from grader.runner import grade_submission
from grader.similarity.normalise import normalise_function
from tests import notebooks as nbs
from tests.copies import flagged_against_classmate

_HEAD = "def rnn_cell_forward(xt, a_prev, parameters):\n"
_BODY = nbs.COURSE_CELLS["rnn_cell_forward"].split(_HEAD, 1)[1]
_IN_BRANCH = textwrap.indent(_BODY, "    ")
#: Another student's way, dead on the grader's input.
_ELSE = '''    else:
        Wax, Waa, Wya = parameters["Wax"], parameters["Waa"], parameters["Wya"]
        z = Wax @ xt + Waa @ a_prev + parameters["ba"]
        a_next = np.tanh(z)
        logits = Wya @ a_next + parameters["by"]
        e = np.exp(logits - logits.max(axis=0, keepdims=True))
        yt_pred = e / e.sum(axis=0, keepdims=True)
        return a_next, yt_pred, (a_next, a_prev, xt, parameters)
'''
_BY = 'by = parameters["by"]'
_RNN_HEAD = "def rnn_forward(x, a0, parameters):\n"
_RNN_BODY = nbs.COURSE_CELLS["rnn_forward"].split(_RNN_HEAD, 1)[1]
_AS_RNN_FORWARD = textwrap.indent(_BODY.replace("xt", "x").replace("a_prev", "a0"), "    ")

#: Hole 1: the copy under a test the grader's input decides (score on 74666ec).
_DECIDED = {
    "ndim": {"rnn_cell_forward": _HEAD + "    if xt.ndim == 2:\n" + _IN_BRANCH + _ELSE},  # 0.33
    "len_shape": {"rnn_cell_forward": _HEAD + "    if len(xt.shape) == 2:\n" + _IN_BRANCH + _ELSE},  # 0.34
    "both_ndims_reversed": {"rnn_cell_forward": _HEAD + "    if 2 == xt.ndim and a_prev.ndim < 3:\n"
                            + _IN_BRANCH + _ELSE},
    "size": {"rnn_cell_forward": _HEAD + "    if xt.shape[0] > 0:\n" + _IN_BRANCH + _ELSE},  # 0.35
    "isinstance": {"rnn_cell_forward": _HEAD + "    if isinstance(parameters, dict):\n" + _IN_BRANCH + _ELSE},  # 0.35
    "key": {"rnn_cell_forward": _HEAD + "    if 'Wax' in parameters:\n" + _IN_BRANCH + _ELSE},  # 0.35
    "not_an_array_midway": {"rnn_cell_forward": _HEAD + _BODY.replace(
        _BY, _BY + "\n    if not isinstance(xt, (np.ndarray, list)):\n        by = by * 2")},
    # In rnn_forward behind a wrapper: its x holds the wrapper's xt, of two dimensions (0.31).
    "ndim_in_rnn_forward": {
        "rnn_forward": _RNN_HEAD + "    if x.ndim == 2:\n" + _AS_RNN_FORWARD + "    else:\n"
        + textwrap.indent(_RNN_BODY, "    "),
        "rnn_cell_forward": _HEAD + "    return rnn_forward(xt, a_prev, parameters)\n"},
}
#: Hole 2: the copy as a method (no pair on 74666ec).
_CLASS = "class Cell:\n    def forward(self, xt, a_prev, parameters):\n" + textwrap.indent(_BODY, "    ") + "\n\n"
_AS_A_METHOD = {
    "method": {"rnn_cell_forward": _CLASS + _HEAD + "    return Cell().forward(xt, a_prev, parameters)\n"},
    "static_method": {"rnn_cell_forward": _CLASS.replace("class Cell:\n", "class Cell:\n    @staticmethod\n")
                      .replace("(self, ", "(") + _HEAD + "    return Cell.forward(xt, a_prev, parameters)\n"},
}
_UNPACK = "def sigmoid(z):\n    xt, a_prev, parameters = z\n" + _BODY + "\n\n"
#: Hole 3 (no pair, 0.72 on 74666ec).
_BEHIND_WORK = {
    "decoy_then_course_helper": {"rnn_cell_forward": _UNPACK + "def _decoy(xt, a_prev, parameters):\n"
                                 "    xt = xt * 1.0\n    return sigmoid((xt, a_prev, parameters))\n\n\n"
                                 + _HEAD + "    return _decoy(xt, a_prev, parameters)\n"},
    "decoy_then_course_helper_by_index": {"rnn_cell_forward": (
        "def sigmoid(z):\n    xt = z[0]\n    a_prev = z[1]\n    parameters = z[2]\n"
        + _BODY + "\n\n" + "def _decoy(xt, a_prev, parameters):\n    a_prev = a_prev / 1\n"
        "    return sigmoid([xt, a_prev, parameters])\n\n\n" + _HEAD + "    return _decoy(xt, a_prev, parameters)\n")},
    "padded_with_ones": {"rnn_cell_forward": _HEAD + _BODY.replace(
        "    return a_next", "    a_next = a_next * 1\n    yt_pred = 1 * yt_pred ** 1\n    return a_next")},
}
_ALL = {**_DECIDED, **_AS_A_METHOD, **_BEHIND_WORK}


@pytest.mark.parametrize("how", sorted(_ALL))
def test_a_copy_is_flagged(tmp_path, context, sandbox, how):
    path = nbs.write(tmp_path / f"{how}.ipynb", nbs.course_notebook(_ALL[how]))
    result = grade_submission(path, context=context, sandbox=sandbox)
    assert result.part("rnn_cell_forward").status == PASSED  # the copy is what is graded
    report = flagged_against_classmate(tmp_path, how, result.extra["sources"]["rnn_cell_forward"])
    assert report.pairs[0].overall >= 0.9, report.pairs


def _tokens(source: str, **kw) -> tuple[str, ...]:
    return normalise_function(source, **kw).tokens


def test_what_the_input_does_not_decide_stays():
    """A test of another size than 0 or 1, of a parameter the def assigns, of a def the grader does
    not call, of a key the course's dict does not hold, and ``isinstance`` with a class of the
    student's keep both branches; the graded ``rnn_forward``'s ``x`` has three dimensions."""
    body = "    a = xt + a_prev\n    return a, parameters\n"
    plain = _tokens(_HEAD + body)
    branch = "        a = xt * 2\n        return a, parameters\n"
    for test in ("xt.shape[0] > 3", "'Wq' in parameters", "isinstance(xt, Mine)", "xt.ndim == a_prev.ndim"):
        assert _tokens(_HEAD + f"    if {test}:\n" + branch + body) != plain, test
    assert _tokens(_HEAD + "    xt = xt.T\n    if xt.ndim == 2:\n" + branch + body) != _tokens(
        _HEAD + "    xt = xt.T\n" + branch)
    other = "def f9(xt, a_prev, parameters):\n"
    assert _tokens(other + "    if xt.ndim == 2:\n" + branch + body) != _tokens(other + branch)
    three = _RNN_HEAD + "    if x.ndim == 2:\n        return x\n    if len(x.shape) != 3:\n        raise ValueError\n" \
        "    a = x + a0\n    return a, parameters\n"
    assert _tokens(three) == _tokens(_RNN_HEAD + "    a = x + a0\n    return a, parameters\n")
    assert _tokens(_HEAD + "    if xt.ndim == 2:\n" + branch + body) == _tokens(_HEAD + branch)


def test_a_class_body_is_kept():
    """Its methods and attributes are read as ``obj.name``, never as a name: none is dead code."""
    tokens = _tokens("class Cell:\n    size = 3\n\n    def forward(self, xt):\n        return np.tanh(xt)\n")
    assert ".tanh" in tokens and "c:3.0" in tokens, tokens


def test_a_course_helper_as_the_course_writes_it_is_still_left_out():
    """``sigmoid(x)`` reading its argument as the course's elementwise helpers do is the course's
    code, not the student's work: a wrapper handing its work to it and to a working helper is
    compared as the helper alone, as before."""
    from grader.gradedsource import _course_like
    course = "def sigmoid(x):\n    return 1 / (1 + np.exp(-x))\n"
    record = "def sigmoid(z):\n    a, b = z\n    return a + b\n"

    class Fn:
        def __init__(self, source):
            self.source = source

    assert _course_like({"sigmoid": Fn(course)}, "sigmoid")
    assert not _course_like({"sigmoid": Fn(record)}, "sigmoid")
    for reads in ("z[0]", "z['xt']", "z.get('xt')", "f(*z)", "f(**z)"):
        assert not _course_like({"sigmoid": Fn(f"def sigmoid(z):\n    return {reads}\n")}, "sigmoid"), reads


def test_ones_fold_and_a_def_left_a_relay_goes():
    body = "    a = np.tanh(xt @ a_prev)\n    return a, parameters\n"
    plain = _tokens(_HEAD + body)
    assert _tokens(_HEAD + body.replace("np.tanh(xt @ a_prev)", "np.tanh(xt @ a_prev * 1.0) / 1")) == plain
    assert _tokens(_HEAD + "    xt = xt ** 1\n" + body) == plain
    helper = "def f9(a, b, c):\n    return np.tanh(a @ b), c\n\n"
    relay_once_rewritten = "def g(xt, a_prev, parameters):\n    xt = 1 * xt\n    return f9(xt, a_prev, parameters)\n"
    assert _tokens(helper + relay_once_rewritten) == _tokens(helper)
    # Not a one: kept.
    assert _tokens(_HEAD + body.replace("xt @ a_prev", "xt @ a_prev * 2")) != plain
    assert _tokens(_HEAD + body.replace("xt @ a_prev", "xt @ a_prev * True")) != plain


_FORWARD, _BACKWARD = nbs.COURSE_CELLS["rnn_forward"], nbs.COURSE_CELLS["rnn_backward"]
#: Hole 4: (function, cell) (score on 74666ec).
_LOOPS = {
    "while_up": ("rnn_forward", _FORWARD.replace("    for t in range(T_x):\n", "    t = 0\n    while t < T_x:\n").replace(
        "        caches.append(cache)\n", "        t += 1\n        caches.append(cache)\n")),  # 0.30
    "while_down": ("rnn_backward", _BACKWARD.replace("    for t in reversed(range(T_x)):\n",
                                                     "    t = T_x - 1\n    while t >= 0:\n").replace(
        "        dba += dbat\n", "        dba += dbat\n        t = t - 1\n")),  # 0.45
    "range_down": ("rnn_backward", _BACKWARD.replace("reversed(range(T_x))", "range(T_x - 1, -1, -1)")),  # 0.57
    "range_sliced": ("rnn_backward", _BACKWARD.replace("reversed(range(T_x))", "range(0, T_x)[::-1]")),
}


@pytest.mark.parametrize("how", sorted(_LOOPS))
def test_a_loop_written_otherwise_is_flagged(tmp_path, context, sandbox, how):
    function, cell = _LOOPS[how]
    path = nbs.write(tmp_path / f"{how}.ipynb", nbs.course_notebook({function: cell}))
    result = grade_submission(path, context=context, sandbox=sandbox)
    assert result.part(function).status == PASSED
    report = flagged_against_classmate(tmp_path, how, result.extra["sources"][function], function=function)
    assert report.pairs[0].overall >= 0.9, report.pairs


def test_a_while_that_is_not_a_counted_range_stays():
    """A ``continue`` that may skip the step, the counter read after the step or bound again in the
    body, a step of 2, a test of another name, or a read of the counter between its start and the
    loop keep the ``while``."""
    def has_while(source):
        return "While" in _tokens(source)

    head = "def f(x, n):\n    t = 0\n"
    assert not has_while(head + "    while t < n:\n        x = x + t\n        t += 1\n    return x\n")
    assert not has_while(head + "    y = x * 2\n    while n > t:\n        t = t + 1\n        x = x + y\n    return x\n")
    kept = [
        head + "    while t < n:\n        if x:\n            continue\n        x = x + t\n        t += 1\n    return x\n",
        head + "    while t < n:\n        t += 1\n        x = x + t\n    return x\n",
        head + "    while t < n:\n        t = x\n        t += 1\n    return x\n",
        head + "    while t < n:\n        x = x + t\n        t += 2\n    return x\n",
        head + "    while x < n:\n        x = x + t\n        t += 1\n    return x\n",
        head + "    y = t * 2\n    while t < n:\n        x = x + y\n        t += 1\n    return x\n",
    ]
    for source in kept:
        assert has_while(source), source
    # ``range`` written the long way round reads as the course writes it; another step does not.
    assert _tokens("def f(n):\n    for t in range(n - 1, -1, -1):\n        g(t)\n") == _tokens(
        "def f(n):\n    for t in reversed(range(0, n)):\n        g(t)\n")
    assert _tokens("def f(n):\n    for t in range(n - 1, -1, -2):\n        g(t)\n") != _tokens(
        "def f(n):\n    for t in reversed(range(n)):\n        g(t)\n")


_SPLIT = ('def _activation(xt, a_prev, parameters):\n    Wax = parameters["Wax"]\n    Waa = parameters["Waa"]\n'
          '    ba = parameters["ba"]\n    return np.tanh(np.dot(Waa, a_prev) + np.dot(Wax, xt) + ba)\n\n\n'
          'def _output(a, parameters):\n    Wya = parameters["Wya"]\n    by = parameters["by"]\n'
          '    return softmax(np.dot(Wya, a) + by)\n\n\n')
#: Hole 5 (score on 74666ec).
_SPLIT_UP = {
    "two_helpers": _SPLIT + _HEAD + "    a_next = _activation(xt, a_prev, parameters)\n"
    "    yt_pred = _output(a_next, parameters)\n    cache = (a_next, a_prev, xt, parameters)\n"
    "    return a_next, yt_pred, cache\n",  # 0.05
    "three_helpers": _SPLIT + "def _cache(a, b, c, d):\n    return (a, b, c, d)\n\n\n" + _HEAD
    + "    a_next = _activation(xt, a_prev, parameters)\n    yt_pred = _output(a_next, parameters)\n"
    "    cache = _cache(a_next, a_prev, xt, parameters)\n    return a_next, yt_pred, cache\n",  # 0.03
}


@pytest.mark.parametrize("how", sorted(_SPLIT_UP))
def test_a_copy_split_into_helpers_is_flagged(tmp_path, context, sandbox, how):
    path = nbs.write(tmp_path / f"{how}.ipynb", nbs.course_notebook({"rnn_cell_forward": _SPLIT_UP[how]}))
    result = grade_submission(path, context=context, sandbox=sandbox)
    assert result.part("rnn_cell_forward").status == PASSED
    report = flagged_against_classmate(tmp_path, how, result.extra["sources"]["rnn_cell_forward"])
    assert report.pairs[0].overall >= 0.9, report.pairs


def test_what_is_not_inlined_stays():
    """A helper with a ``return`` before its end, one that assigns its parameter, one passed as a
    value, one called with a keyword, and a recursive one stay defs of their own."""
    main = "def main(x, y):\n    a = h(x)\n    b = k(y)\n    return a + b\n\n"
    k = "def k(v):\n    w = v * 3\n    return w + 1\n\n"
    inlined = _tokens(main + k + "def h(v):\n    return v * 2\n")
    assert inlined == _tokens("def main(x, y):\n    a = x * 2\n    w = y * 3\n    b = w + 1\n    return a + b\n")
    # A one-line helper's value where its call stood, wherever that is.
    assert _tokens("def main(x, y):\n    return h(x) + h(y) * 2\n\ndef h(v):\n    return np.tanh(v)\n") == _tokens(
        "def main(x, y):\n    return np.tanh(x) + np.tanh(y) * 2\n")
    for h in ("def h(v):\n    if v:\n        return 1\n    return v\n",
              "def h(v):\n    v = v * 2\n    return v\n",
              "def h(v):\n    return h(v - 1)\n"):
        assert _tokens(main + k + h) != inlined, h
    assert _tokens(main.replace("a = h(x)", "a = h(v=x)") + k + "def h(v):\n    return v * 2\n") != inlined
    assert _tokens(main.replace("a = h(x)", "a = list(map(h, x))") + k + "def h(v):\n    return v * 2\n") != inlined


def test_inlining_is_bounded():
    """A one-line helper returning a tuple of 4,000 products, called 390 times (45 kB of text),
    took 85 s to normalise when its value was copied into each call: at most ``_INLINED_NODES``
    nodes are copied, and past that the helper stays a def."""
    import time
    wide = "(" + ", ".join(f"v * {i}" for i in range(4000)) + ")"
    source = (f"def h(v):\n    return {wide}\n\ndef main(x):\n    a = 0\n"
              + "    a = a + h(x)\n" * 390 + "    return a\n")
    start = time.process_time()
    tokens = _tokens(source)
    assert time.process_time() - start < 5
    assert tokens.count("Call") >= 390  # the calls stay calls
