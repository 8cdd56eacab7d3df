"""grader.imdb.source: a cell of function definitions only (the graded functions' cells of a
notebook with the bonus) is filed unparsed and parsed only when bonus code looks up a name it
may define; the facts read are those of parsing every cell."""
from __future__ import annotations

import glob
from pathlib import Path

import pytest

from grader.imdb import source
from grader.notebook import load

REPO = Path(__file__).resolve().parents[1]


class Cell:
    def __init__(self, index, text):
        self.index, self.kind, self.source = index, "code", text


BONUS = '''
(x_train, y_train), (x_test, y_test) = imdb.load_data(num_words=10000)
model = build(LSTM)
history = model.fit(x_train[:-5000], y_train[:-5000], validation_data=(x_train[-5000:], y_train[-5000:]))
print(model.evaluate(x_test, y_test)[1])
'''

BUILD = '''
def build(layer):
    """A recurrent model."""
    model = Sequential([Embedding(10000, 32), layer(32), Dense(1, activation="sigmoid")])
    return model
'''

GRADED = '''
def rnn_cell_forward(xt, a_prev, parameters):
    """One RNN step."""
    a_next = np.tanh(parameters["Wax"] @ xt + parameters["Waa"] @ a_prev + parameters["ba"])
    return a_next, None


@decorated
def rnn_forward(x, a0, parameters):
    return [rnn_cell_forward(x[:, :, t], a0, parameters) for t in range(x.shape[2])]

class Helper:
    pass
'''


def _facts(cells, *, defer: bool):
    """``read_code`` of ``cells`` with fresh memos, with or without filing def-only cells unparsed."""
    source.clear_memos()
    if defer:
        return source.read_code(cells)
    real = source._definitions_only
    source._definitions_only = lambda text: False
    try:
        return source.read_code(cells)
    finally:
        source._definitions_only = real


def _same(a, b):
    assert (a.fits, a.evals, a.reports, a.builds_recurrent, a.mentions_imdb) == \
        (b.fits, b.evals, b.reports, b.builds_recurrent, b.mentions_imdb)
    assert tuple(a.unparsed_cells) == tuple(b.unparsed_cells)


def _counting(monkeypatch):
    """The texts ``ast.parse`` is given from now on (the memos hold ``_parse_text`` itself)."""
    parsed = []
    real = source.ast.parse

    def counting(text, *args, **kwargs):
        parsed.append(text)
        return real(text, *args, **kwargs)

    monkeypatch.setattr(source.ast, "parse", counting)
    return parsed


def test_a_graded_cell_is_not_parsed_when_no_bonus_code_calls_its_functions(monkeypatch):
    cells = [Cell(0, "import numpy as np"), Cell(1, GRADED), Cell(2, BUILD), Cell(3, BONUS)]
    want = _facts(cells, defer=False)
    parsed = _counting(monkeypatch)
    got = _facts(cells, defer=True)
    _same(got, want)
    assert len(got.fits) == 1 and got.fits[0].layers == ("LSTM",)  # build() was read
    assert not any("rnn_cell_forward" in text for text in parsed)
    # BUILD is filed unparsed too, and parsed when BONUS calls build(): its model is read.
    assert any("def build" in text for text in parsed)


def test_a_later_definition_wins_whichever_cell_is_filed_unparsed():
    other = "def build(layer):\n    return Sequential([Embedding(10, 3), GRU(4), Dense(1)])\n"
    eager = "x = 1\n" + other  # not definitions only: walked at once
    for order in ([BUILD, eager], [eager, BUILD], [BUILD, other], [other, BUILD]):
        cells = [Cell(k, text) for k, text in enumerate([*order, BONUS])]
        _same(_facts(cells, defer=True), _facts(cells, defer=False))


@pytest.mark.parametrize("text, taken", [
    (GRADED, True),
    (BUILD, True),
    ("async def f():\n    await g()\n", True),
    ("# a comment\n\ndef f():\n    return 1\n", True),
    ("def f():\n    return 1\nx = f()\n", False),          # a statement of its own
    ("def f():\n    return '''\nx = 1'''\n", False),      # a line of a string at column 0
    ("def f(): return 1 + \\\n    2\n", False),           # a line continued
    ("def f():\n    break\n", False),                    # parses, does not compile
    ("def f(:\n    pass\n", False),                     # does not parse
    ("def f():\n    return 'é'\n", False),                # not ASCII
    ("pass\n", False),
    ("# nothing but a comment\n", False),
    ("    def f():\n        pass\n", False),             # indented: does not parse
])
def test_definitions_only(text, taken):
    assert source._definitions_only(text) is taken


def test_names_a_cell_may_define_cover_its_defs():
    deferred = source._DeferredDefinitions(GRADED, GRADED, source._CellParses())
    assert {"rnn_cell_forward", "rnn_forward"} <= deferred.names
    assert "Helper" not in deferred.names and not deferred.may_define("np")
    assert list(deferred.definitions()) == ["rnn_cell_forward", "rnn_forward"]


def test_the_class_and_example_notebooks_read_the_same_facts():
    paths = sorted(glob.glob(str(REPO / "submissions" / "*.ipynb")))
    paths += sorted(glob.glob("/work/class100/*_imdb.ipynb"))[:10]
    read = 0
    for path in paths:
        try:
            nb = load(path)
        except Exception:  # noqa: BLE001 - a broken notebook has no cells to read
            continue
        cells = [c for c in nb.cells if c.kind == "code"]
        _same(_facts(cells, defer=True), _facts(cells, defer=False))
        read += 1
    assert read >= 5
