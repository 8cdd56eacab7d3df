"""The optimised normaliser gives exactly the tokens and lines the original one gave.

The digests below were computed with the normaliser as it was before the
speed work (commit b4a230b), on a fixed generated class and on hand-written
edge cases (imports, ``global``, ``except``, nested defs, lambdas, ``match``,
a class, unparsable text, IPython magics, a very deep expression, strings
with quotes and ``#``). Any change of behaviour changes a digest. The tests
also check that the memoised ``Normaliser`` (by source text and by renaming
key) answers exactly what ``normalise_function`` answers.
"""
from __future__ import annotations

import ast
import hashlib
import random
import re
import textwrap

from grader.similarity.normalise import (
    DEFAULT_KEEP_NAMES,
    Normaliser,
    normalise_function,
    renaming_key,
    statement_shapes,
)
from tests.test_similarity_corpus import FUNCTIONS, TEMPLATE, make_corpus

#: sha256 of the outputs on ``_corpus_sources()`` (see ``_corpus_digest``), computed before the optimisation;
#: since the twenty-seventh session a nested def's parameters are numbered by use (two of the corpus's
#: sources hold a gate helper def of three parameters inside ``lstm_cell_forward``); since the
#: thirty-first session a counting ``while`` is a ``for`` and ``range(n - 1, -1, -1)`` is
#: ``reversed(range(n))`` (the 24 of the 204 sources that hold one changed, no other); since the
#: thirty-second session a lookup ``parameters["Wax"]`` read in place (not for its ``.shape``) is
#: read through a local, a tuple assigned to as many names is one assignment a name, and an alias
#: is read as what it names (57 of the 204 changed: 26 ``rnn_backward`` splitting the gradients'
#: lookups or reading ``np.zeros_like(parameters["Wax"])``, 11 ``rnn_cell_backward``, 20 others).
CORPUS_DIGEST = "4ec0683c231b93318e4c03c24573d1997b93eb80cab5beb9d56ffed61770e426"
#: sha256 of the starter code's statement shapes, computed before the optimisation.
SHAPES_DIGEST = "9f7b47adae9bed7bd0678bb768673070db503bf6236d88c3234fbeb38ca1e6f6"
#: sha256 of the outputs on ``EDGE_SOURCES`` (see ``_edge_digest``), computed before the optimisation;
#: since the twenty-seventh session the parameters of a def not named as a graded function are
#: numbered by use: ``def f(a, b=2, *args, c, d=4, **kw)`` and ``def star(a, b)`` read otherwise;
#: since the thirty-first session a class body's statements are never dead code: ``class C`` keeps
#: its ``attr`` and ``meth`` (it was ``ClassDef }``), the only source whose output changed; since
#: the thirty-fourth session ``import numpy as npx`` in ``def f`` is read as ``np`` (``npx.dot(a, b)`` is
#: ``a @ b``, the import goes) and ``indented``'s ``assert`` after its work goes (then ``q``, unread);
#: since the thirty-fifth session ``indented``'s ``del z`` goes (its tokens and its statement shape);
#: since the thirty-seventh ``star``'s ``+b`` is ``b`` (``Rewriter.visit_UnaryOp``) and ``strs``'s ``b``,
#: bound once to a string, is read as that string (``numpyreads._alias_of``), and its ``c``, two strings
#: added, is one (``Rewriter.visit_BinOp``).
EDGE_DIGEST = "79d294c3113bc63dd90e6924d4b2a7524ae8b1473c5826aed72b354ed213955e"
KEEP = DEFAULT_KEEP_NAMES | frozenset(FUNCTIONS)

#: Odd but possible function sources.
EDGE_SOURCES = (
    "def imp(a):\n    b = a + 1\n    import zlib\n    c = zlib.crc32(b)\n    return c\n",
    "def f(a, b=2, *args, c, d=4, **kw):\n    import numpy as npx\n    from math import sqrt as s, pi\n    return npx.dot(a, b) + s(pi) + len(args) + c + d + len(kw)\n",
    "def g(x):\n    global counter\n    counter += 1\n    try:\n        y = 1 / x\n    except ZeroDivisionError as err:\n        y = str(err)\n    finally:\n        z = 3\n    return y\n",
    "def h(xs):\n    out = []\n    for i, x in enumerate(xs):\n        if x > 0:\n            out.append(x ** 2)\n        elif x == 0:\n            continue\n        else:\n            break\n    else:\n        out.append(None)\n    total = sum([v for v in out if v is not None])\n    return {k: v for k, v in zip(range(3), out)}, total\n",
    "def k(a):\n    def inner(b, c=1):\n        nonlocal a\n        a = a + b\n        return a * c\n    helper = lambda q, r=2: q @ r\n    while a < 10:\n        a += inner(1)\n    if False:\n        print('never')\n    with open('f') as fh, open('g') as gh:\n        data = fh.read()\n    return helper(a, a), (n := len(data))\n",
    "def m(x, parameters):\n    W = parameters['W']\n    unused = np.zeros((3, 4))\n    tmp = unused + 1\n    x = np.transpose(x)\n    y = x.transpose()\n    z = np.matmul(W, x) + np.multiply(x, 2) - np.square(y) / np.add(1, x)\n    w: int = 5\n    w2: float\n    r = [z, w] if z.shape[0] >= 1 else [w]\n    return r, f'{x!r:>10}', b'bytes', 1e5, 0x1f, 2j\n",
    "def n(x):\n    match x:\n        case [a, b, *rest]:\n            return a + b\n        case {'k': v, **others}:\n            return v\n        case Point(x=0, y=yy) as p:\n            return yy\n        case _:\n            return None\n",
    "class C:\n    attr = 1\n    def meth(self, v):\n        return self.attr + v\n",
    "def broken(x:\n    return x +\n",
    "def magic(x):\n    %timeit x\n    !ls\n    return x\n",
    "def unterminated(x):\n    s = 'abc\n    return x\n",
    "async def co(x):\n    async for i in x:\n        await i\n    async with x as y:\n        yield y\n    return [i async for i in x]\n",
    "    def indented(a_prev, xt):\n        # comment\n        z = np.dot(a_prev, xt); q = z.T\n        del z\n        assert q is not None, 'msg'\n        raise ValueError('x') from None\n",
    "def deep(x):\n    return " + "(" * 300 + "x" + ")" * 300 + "\n",
    "def strs(p):\n    a = p[\"Wax\"]  # it's a comment with 'quotes' and # hash\n    b = '''triple\n  quoted # not comment'''\n    c = r'\\d+' + \"x\\\"y\"\n    return a, b, c, p.shape, p . T\n",
    "x = 1\ny = x + 2\nprint(y)\n",
    "def star(a, b):\n    c, *d = a\n    e = {**b, 'k': 1}\n    f = {1, 2, a}\n    g = a[1:2, ::3, ...]\n    h = not a and b or c\n    i = -a if +b else ~c\n    return c, d, e, f, g, h, i, sorted(a, key=lambda t: t[1], reverse=True)\n",
)


def _template_shapes() -> frozenset[str]:
    """Statement shapes of the corpus's starter code."""
    shapes: set[str] = set()
    for source in TEMPLATE.values():
        shapes |= statement_shapes(source, keep_names=KEEP)
    return frozenset(shapes)


def _corpus_sources() -> list[str]:
    """Distinct function sources of a fixed generated class (204 sources), sorted."""
    corpus = make_corpus(seed=7, n_independent=24, copies_per_disguise=1, n_known=4)
    return sorted({s for funcs in list(corpus.submissions.values()) + list(corpus.known.values()) for s in funcs.values()})


def _respell(source: str, rng: random.Random) -> str:
    """``source`` with its parameters and variables renamed in place (layout, comments and strings untouched)."""
    bound = sorted({n.arg for n in ast.walk(ast.parse(textwrap.dedent(source))) if isinstance(n, ast.arg)}
                   | {n.id for n in ast.walk(ast.parse(textwrap.dedent(source)))
                      if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)})
    mapping = {name: "q%d_%s" % (rng.randint(0, 99), name[::-1]) for name in bound}

    def swap(match: re.Match) -> str:
        return mapping.get(match.group("n"), match.group(0)) if match.group("n") else match.group(0)

    return re.sub(r"(\'[^\'\n]*\'|\"[^\"\n]*\"|#[^\n]*)|(?<![.\w])(?P<n>[A-Za-z_]\w*)", swap, source)


def _digest(outputs) -> str:
    """sha256 over the ``(tokens, lines, parsed)`` of a sequence of ``NormalisedCode``."""
    h = hashlib.sha256()
    for code in outputs:
        h.update(repr((code.tokens, code.lines, code.parsed)).encode())
    return h.hexdigest()


def test_statement_shapes_unchanged():
    assert hashlib.sha256(repr(sorted(_template_shapes())).encode()).hexdigest() == SHAPES_DIGEST


def test_tokens_and_lines_unchanged_on_generated_class():
    shapes = _template_shapes()
    outputs = [normalise_function(s, keep_names=KEEP, template_shapes=sh, remove_dead=rd)
               for s in _corpus_sources() for sh in (shapes, frozenset()) for rd in (True, False)]
    assert len(outputs) == 4 * 204
    assert _digest(outputs) == CORPUS_DIGEST


def test_tokens_and_lines_unchanged_on_edge_cases():
    shapes = frozenset(statement_shapes(EDGE_SOURCES[4]))
    h = hashlib.sha256()
    for source in EDGE_SOURCES:
        for sh in (frozenset(), shapes):
            for rd in (True, False):
                code = normalise_function(source, template_shapes=sh, remove_dead=rd)
                h.update(repr((code.tokens, code.lines, code.parsed)).encode())
        h.update(repr(sorted(statement_shapes(source))).encode())
    assert h.hexdigest() == EDGE_DIGEST


def test_memoised_normaliser_equals_normalise_function():
    shapes = _template_shapes()
    rng = random.Random(5)
    sources = _corpus_sources()[:60]
    renamed = [_respell(s, rng) for s in sources[:30]]
    assert all(r != s for r, s in zip(renamed, sources))
    everything = sources + renamed + sources[:10] + list(EDGE_SOURCES)
    normalise = Normaliser(keep_names=KEEP, template_shapes=shapes)
    for source in everything:
        assert normalise(source) == normalise_function(source, keep_names=KEEP, template_shapes=shapes)
    # exact repeats and the 30 renamed copies cost nothing
    assert normalise.computed <= len(everything) - 10 - 30


def _key(source: str) -> str | None:
    """The key text of ``source`` (None when it has no key)."""
    key = renaming_key(source)
    return None if key is None else key.text


def test_renaming_key_identifies_renamed_copies_only():
    a = "def f(x, w):\n    z = np.dot(w, x)  # note\n    return z.sum(axis=0), p['Wax']\n"
    renamed = a.replace("z", "out").replace("w", "weights").replace("(x", "(inp").replace(", x)", ", inp)")
    commented = a.replace("# note", "# other").replace("    z = ", "    # more\n\n    z = ")
    spaced = a.replace("np.dot(w, x)", "np.dot( w,x)")
    assert _key(a) == _key(renamed) == _key(commented) == _key(spaced) is not None
    assert renaming_key(commented).lines == (1, 4, 5) and renaming_key(a).lines == (1, 2, 3)
    for other in (
        a.replace("axis=0", "keepdims=0"),       # keyword names are kept
        a.replace("'Wax'", "'Waa'"),            # string contents are kept
        a.replace("z.sum", "z.mean"),            # attribute names are kept
        a.replace("np.dot", "np.tanh"),          # kept global names are kept
        a.replace("return z.sum", "return x.sum"),  # which variable is used matters
        a.replace("    return", "        return"),  # indentation is kept
    ):
        assert _key(other) != _key(a)
    # leading indentation is never touched, even before a bracket
    assert _key("if c:\n    (a) = 1\n(b) = 2\n") != _key("if c:\n    (a) = 1\n    (b) = 2\n")
    # names in strings are not renamed, and blank lines inside a string literal are kept
    assert _key("def f(a):\n    return 'a'\n") != _key("def f(b):\n    return 'b'\n")
    assert _key('def f(a):\n    return """x\n\ny"""\n') != _key('def f(a):\n    return """x\ny"""\n')
    for guarded in ("def f(a):\n    import os\n    return a\n", "def f(a):\n    global g\n    return a\n",
                    "def f(a):\n    try:\n        return a\n    except E as e:\n        return e\n",
                    "def f(a):\n    return a + \\\n        1\n"):
        assert renaming_key(guarded) is None



def test_renaming_key_counts_brackets_of_code_only():
    """A name before ``=`` is a keyword argument (kept) inside brackets of code, and a variable
    (renamed) elsewhere: brackets in strings and comments do not count, closed ones neither."""
    def f(body: str) -> str | None:
        return _key("def f(a):\n" + body)

    assert f("    s = '(' + a  # [\n    b = 1\n    return b, s\n") == f("    s = '(' + a  # [\n    c = 1\n    return c, s\n")
    assert f("    b = g(h(a), k=1)\n    return b\n") != f("    b = g(h(a), j=1)\n    return b\n")
    assert f("    b = g(h(a),\n          k=1)\n    return b\n") != f("    b = g(h(a),\n          j=1)\n    return b\n")
    assert f("    b = (a)\n    k = 1\n    return b + k\n") == f("    b = (a)\n    j = 1\n    return b + j\n")
    assert f("    b = [a, (a)]\n    k = {1: (2)}\n    return b, k\n") == f("    b = [a, (a)]\n    j = {1: (2)}\n    return b, j\n")

def test_a_string_left_open_gets_no_renaming_key_and_costs_linear_time():
    """Thirty-second session: ``renaming_key`` of a source that does not parse. A string literal
    left open (its quote missing, or escaped) was scanned from its opening quote to the end of
    the source (of its line for a single quote) and again from every later quote: 4.7 s of CPU
    for 5,000 lines ``s = \\'''`` (65,000 characters), 1 s for a line of 16,000 ``\\'``.
    Each quote is scanned once now, and such a source has no key (as one with a backslash or an
    ``import`` has none): ``Normaliser`` normalises it directly, and a class's extraction gives
    the check only sources that parse."""
    from tests.scaling import assert_linear

    for make in (lambda n: "def f(x):\n" + "    s = \\'''\n" * n,
                 lambda n: "x = " + "\\'" * n + "\n",
                 lambda n: "x = " + '"' * 2 * n + "'''" + "''\n" * n):
        assert_linear(renaming_key, make, 500, what="renaming_key of a string left open")
        assert renaming_key(make(3)) is None
    for open_string in ("x = 'abc\n", "x = 'abc\\'\n", "x = r'''abc\\'''", 'x = b"abc', "x = '''''"):
        assert renaming_key(open_string) is None, open_string
    # Closed strings keep their key, escapes and prefixes included (renamed copies key alike).
    for closed in ("x = 'abc\\\\'\n", "x = '''a\\''''\n", 'x = rb"a\\\\"\n', "x = ''\n", "x = ''''''\n"):
        compile(closed, "<key>", "exec")
        assert _key(closed) is not None and _key(closed) == _key(closed.replace("x =", "y =")), closed


def test_memoised_lines_follow_the_new_source():
    a = "def f(x, w):\n    z = np.dot(w, x)\n    return np.tanh(z)\n"
    b = "def f(inp, weights):\n    # product\n\n    out = np.dot(weights, inp)\n    return np.tanh(out)\n"
    normalise = Normaliser()
    first, second = normalise(a), normalise(b)
    assert normalise.computed == 1
    assert second == normalise_function(b) and first == normalise_function(a)
    assert set(second.lines) == {1, 4, 5}
