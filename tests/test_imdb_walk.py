"""grader.imdb.source._walk: ast.walk remembered on the node, with the same nodes in the same order."""
import ast
import re

import pytest

from grader.imdb import source


CODE = '''
(x_train, y_train), (x_test, y_test) = imdb.load_data(num_words=10000)
model = Sequential([Embedding(10000, 32), LSTM(32), Dense(1, activation="sigmoid")])
history = model.fit(pad(x_train[:-5000]), y_train[:-5000], validation_data=(x_test, y_test))
print(model.evaluate(x_test, y_test)[1])
'''


def test_walk_is_ast_walk_and_is_remembered_without_a_cycle():
    tree = ast.parse(CODE)
    nodes = [tree, *ast.walk(tree)]
    for node in nodes:
        first = source._walk(node)
        assert list(first) == list(ast.walk(node))
        assert source._walk(node) == first
        assert node not in node._grader_below  # the node is not kept below itself: no cycle
    assert ast.dump(tree) == ast.dump(ast.parse(CODE))  # what the walk keeps is not a field


def test_facts_read_twice_from_the_shared_statements_are_the_same():
    class Cell:
        def __init__(self, index, source):
            self.index, self.kind, self.source = index, "code", source

    cells = [Cell(0, "import numpy as np"), Cell(1, CODE)]
    source.clear_memos()
    cold = source.read_code(cells)
    warm = source.read_code(cells)  # the memoised statements, with their walks kept
    assert cold.fits == warm.fits and cold.evals == warm.evals and len(cold.fits) == 1


def test_the_word_searches_without_the_regex_find_what_the_regex_finds():
    from grader.imdb import score

    texts = ["", "import IMDB", "from keras.datasets import imdb", "ImDb", "i m d b", "imd\nb",
             "\u0131mdb", "\u0130MDB", "\u212amdb", "accuracy", "ACC", "Acc.", "a c c", "\u212acc",
             "val_acc: 0.8", "é imdb", "éacc", "ıacc", "aſc", "x = 1\n# accuracy 0.9"]
    for text in texts:
        assert source._mentions_imdb(text) == bool(source._IMDB_WORD.search(text)), text

    class Cell:
        def __init__(self, text):
            self.index, self.kind, self.source, self.outputs = 0, "code", text, ("0.9",)

    seen = []

    class Recorder(score._Associator):
        def __init__(self, cells):
            self.cells = cells

        def read_cell(self, cell, events):
            seen.append(cell.source)

    original = score._OUTPUTS_MEMO
    try:
        score._OUTPUTS_MEMO = lambda outputs, context: (seen.append(context), ((), ()))[1]
        for text in texts:
            Recorder([Cell(text)]).read()
            assert seen[-2] == bool(score._ACC_WORD.search(text)), text
    finally:
        score._OUTPUTS_MEMO = original


def _records_by_ast_walk(body) -> bool:
    """`source._records_something` as it was written with ``ast.walk`` (the reference)."""
    for stmt in body:
        for node in ast.walk(stmt):
            if isinstance(node, ast.Attribute):
                if node.attr in source._CALLS or node.attr in source._LAYER_NAMES:
                    return True
            elif isinstance(node, ast.Name):
                if node.id in source._LAYER_NAMES or node.id.lower() in source._REPORT_NAMES:
                    return True
    return False


def test_records_something_sees_every_node_ast_walk_sees():
    hits = [
        "m.fit(x, y)", "keras.layers.LSTM(4)", "x = Results", "IMDB_REPORT = {}",
        "def f(a=model.evaluate(x)):\n    pass", "class A(Bidirectional):\n    pass",
        "match v:\n    case {'a': GRU()}:\n        pass", "lambda: [q for q in SimpleRNN.x]",
        "d = {**k, None: report}", "async def g():\n    async with a as b:\n        await b.fit()",
        "try:\n    pass\nexcept (ValueError, LSTM) as e:\n    pass", "f'{history.fit}'",
        "global fit\nx = [1, (2, {3: RNN})]",
    ]
    misses = [
        "global LSTM, report", "import report", "from keras.layers import LSTM as L",
        "def fit(report, *results):\n    return 1", "x = 'LSTM fit report'  # GRU",
        "match v:\n    case Point(fit=1, report=2):\n        pass", "m.fitting(x)", "y = lstm",
        "d = {None: 1, **k}", "class fit:\n    evaluate = 1",
    ]
    for text in hits + misses:
        body = ast.parse(text).body
        assert source._records_something(body) == _records_by_ast_walk(body) == (text in hits), text
    body = ast.parse(CODE).body
    assert source._records_something(body) and _records_by_ast_walk(body)


class _Cell:
    def __init__(self, index, text, kind="code"):
        self.index, self.kind, self.source = index, kind, text


def test_cells_that_cannot_name_what_the_walker_records_are_parsed_only_when_asked():
    cells = [_Cell(0, "import numpy as np"), _Cell(1, "def f(x):\n    return x +\n"),
             _Cell(2, "# notes", "markdown"), _Cell(3, "%timeit f(1)\ny = [1, 2]\n"), _Cell(4, "z = (\n")]
    source.clear_memos()
    facts = source.read_code(cells)
    assert source._CELL_MEMO.misses == 0  # nothing parsed: no cell has a word the walker records
    assert not facts.fits and not facts.builds_recurrent and not facts.mentions_imdb
    assert facts.unparsed_cells == (1, 4) and list(facts.unparsed_cells) == [1, 4] and facts.unparsed_cells
    assert source._CELL_MEMO.misses == 4
    assert repr(facts.unparsed_cells) == "(1, 4)" and facts.unparsed_cells[-1] == 4
    # with a cell that names a fit, every cell is parsed and walked: the same cells unparsed
    walked = source.read_code(cells + [_Cell(5, "model.fit(x, y)")])
    assert walked.unparsed_cells == (1, 4) and type(walked.unparsed_cells) is tuple and len(walked.fits) == 1
    assert not source.read_code([_Cell(0, "x = 1")]).unparsed_cells
    # a cell that only mentions a word (a docstring) is parsed to decide, and not walked
    only_words = source.read_code([_Cell(0, 'def f():\n    """An LSTM cell."""\n    return 1\n'), _Cell(1, "(")])
    assert only_words.unparsed_cells == (1,) and not only_words.fits


# What _may_record tests by substrings, as a regex: the names a walk records, the report names
# in any case.
WALK_WORDS = re.compile("|".join(
    [re.escape(w) for w in sorted(source._CALLS | source._LAYER_NAMES, key=len, reverse=True)]
    + ["(?i:" + "|".join(sorted(source._REPORT_NAMES, key=len, reverse=True)) + ")"]))


def test_may_record_is_the_regex_and_flags_every_text_the_walker_could_use():
    # _parse_source's text drops trailing comments and puts `pass` for magics: no new word
    for text in ("%fit\nx = 1", "!report\n?results", "x = 1\n# model.fit(x)", "%%time\nLSTM(3)",
                 "y = 'é'", "a?\nGRU", "%pas\nsresults", "p = 1\n%a\nss", "RESULTS = 1", "Report",
                 "fit_generator", "x = 1", "ConvLSTM2D", "cudnngru", "\u0130mdb_report", "evaluat"):
        assert source._may_record(text) == (not text.isascii() or bool(WALK_WORDS.search(text))), text
        parsed_text = source.without_trailing_comments(source._strip_magics(text))
        if not parsed_text.isascii() or WALK_WORDS.search(parsed_text):
            assert source._may_record(text), text


def _worth_walking_by_parsing(source_text: str) -> bool:
    """`source._worth_walking` as it was: the cell always parsed, then its statements walked."""
    body, _ = source._parse_text(source._parsed_text(source_text))
    return bool(body) and source._records_something(body)


# Texts whose words sit in strings, comments or code, with the literals that make a line
# scanner go wrong: escaped quotes, prefixes, f-strings, strings across lines, broken cells
# (read in chunks by `_parse_tolerant`), non-ASCII names.
WORTH_WALKING_TEXTS = [
    'def f():\n    """One step of the LSTM cell."""\n    return 1\n',
    "def f():\n    # the LSTM's gates\n    return 1\n",
    "x = 'LSTM'  # GRU\n", 'x = "a \\" LSTM"\n', "x = 'it\\'s LSTM'\n", "x = r'\\' + LSTM\n",
    "x = r'\\\\' + LSTM\n", 'x = b"fit" + rb"LSTM" + Rb"GRU"\n', "x = u'x' + LSTM\n",
    "x = f'{LSTM}'\n", "x = F'{a}' + 'LSTM'\n", "x = rf'{m.fit}'\n", "x = fr'LSTM'\n",
    'x = f"{a + "LSTM"}"\n', "if'x'in y: LSTM\n", "z = if'LSTM'\n", "x = 'a' 'LSTM' \"GRU\"\n",
    'x = """LSTM\n"""\n', "x = '''\nm.fit()\n'''\n", 'x = """\nm.fit()\n"""\ndef f(:\n',
    'def f(:\n    pass\ns = """\nmodel.fit(x)\n"""\n', "s = 'abc\\\nLSTM'\n",
    "s = 'abc\\\n' + LSTM\n", 'x = "abc\nmodel.fit(a, "b")\n', "x = 'it's'\nm.fit()\n",
    "x = 'unterminated\ny = GRU\n", 'x = """unterminated\ny = GRU\n', "x = 1 # 'm.fit()\ny = 2\n",
    "x = '#' + LSTM\n", "x = '#'; y = 'LSTM'\n", "m.fit(x)\n", "imdb_report = {'a': 1}\n",
    "Results = 3\n", "y = lstm\n", "x = 'Results'\n", "ｆｉｔ = 1\nm.ｆｉｔ()\n", "x = 'ｆｉｔ' + 'LSTM'\n",
    "# ≈2 lines\nx = 'é LSTM'\n", "é = 1\n# LSTM\n", "%timeit m.fit(x)\n", "!pip install LSTM\n",
    "x = 1\n# model.fit(x)\n", "class A(Bidirectional):\n    pass\n", "x = 'Bidirectional('\n",
    "print('''a''' 'LSTM')\n", "print('''a''''LSTM')\n", 'x = """a""""LSTM"\n',
    "x = '\\\\'\ny = m.fit\n", "x = \"'\" + LSTM + \"'\"\n", "x = '\"' + 'LSTM' + '\"'\n",
    "def g(a=m.evaluate):\n    '''doc with fit'''\n", "lambda: 'RNN'\n", "lambda: RNN\n",
    "d = {'report': 1}\n", "d = {report: 1}\n", "x = 1 + \\\n    LSTM\n", "x = 1 + \\\n    'LSTM'\n",
    "s = '''a\n'''\nm.fit()\n", "s = 'a'\\\n'LSTM'\n", "x = 'a\\x00' + 'GRU'\n", "x = '\x00' ; m.fit\n",
    # strings across lines: a docstring's lines are indented; an unindented one may begin a chunk
    'def f():\n    """\n    One step of the LSTM cell.\n\n    Arguments: x\n    """\n    return 1\n',
    'def f(:\n    pass\ndef g():\n    """\n    m.fit(x)\n    """\n', 'def f(:\n    pass\ns = """\nLSTM\n    """\n',
    'x = """\n) LSTM\n"""\ndef f(:\n', 'x = """\n    a\n"""\nm.fit\n', "s = 'a\\\n  LSTM'\ndef f(:\n",
    "s = 'a\\\nLSTM = 1'\ndef f(:\n", 'def f(:\n    pass\nx = """\n    a\n"""; LSTM\n',
    "x = 'a\x0cy = LSTM\x0c'\ndef f(:\n", "x = 'a\x0cy = LSTM\x0c'\n",
]


def test_worth_walking_without_parsing_agrees_with_parsing():
    for text in WORTH_WALKING_TEXTS:
        assert source._worth_walking(text) == _worth_walking_by_parsing(text), text


def test_worth_walking_parses_only_cells_with_a_word_in_their_code():
    source.clear_memos()
    assert not source._worth_walking('def f():\n    """One step of the LSTM cell."""\n    return 1  # GRU\n')
    assert source._TEXT_MEMO.misses == 0
    assert source._worth_walking("m = 1\nm.fit(x)\n") and source._TEXT_MEMO.misses == 1
    # a docstring across lines, as the course's template writes them
    assert not source._worth_walking('def f():\n    """\n    Step of the RNN.\n    """\n    return 1\n')
    assert source._TEXT_MEMO.misses == 1
    assert source._code_outside_literals("x = 'a\x0cy = LSTM'") is None  # splitlines would cut there
    # an f-string's fields, or a string across lines, are not ruled out by the text
    assert source._code_outside_literals("x = f'{y}'") is None
    assert source._code_outside_literals('x = """a\nb"""') is None
    assert source._code_outside_literals("x = 'a' + b  # c") == "x =   + b   "
    # a quote that opens no string that closes: Python would not read the line either
    for text in ("x = 'a", 'x = """a', "x = 'a\\'", "x = ''' a '' ", "m.fit(x) # ok\ny = '"):
        assert source._code_outside_literals(text) is None, text


_HOSTILE_LITERALS = (  # text of about n units: each reads as a string or quote at every step
    lambda n: "'" + "\\'" * (4 * n), lambda n: '"""' + '\\"""' * (2 * n), lambda n: "\"\"\"'''" * n,
    lambda n: ('"""' + "a" * 5 + '\\"""') * n, lambda n: ("'" + "\\'" * 50 + "\n") * (n // 10),
    lambda n: "rb" * (4 * n) + "'")


@pytest.mark.parametrize("make", _HOSTILE_LITERALS, ids=[f"text{k}" for k in range(len(_HOSTILE_LITERALS))])
def test_reading_code_outside_literals_takes_linear_time_on_hostile_text(make):
    """The first version tried again at every quote of these (16,000 characters of the first:
    3.4 s, quadratic). Signal: a scaling test (CPU at n and 8n units, tests/scaling.py), not
    seconds; and the short prefix is judged as parsing it would."""
    from tests.scaling import assert_linear

    text = make(1000)
    short = text[:300] + " LSTM"
    assert source._worth_walking(short) == _worth_walking_by_parsing(short), short
    assert_linear(source._code_outside_literals, make, 1000, what=f"literals of {text[:12]!r}...")


def test_worth_walking_agrees_with_parsing_on_generated_texts():
    import random

    rng = random.Random(9)
    pieces = ["'", '"', "'''", '"""', "\\", "\n", "#", " ", "f", "r", "b", "x", "=", "(", ")", "LSTM",
              "m.fit", "report", "é", "\t", "if", "def g():", "    ", "1", "+", ",", "[", "]", ":",
              "F", "R", "u", "B", "_", "{GRU}"]
    for _ in range(6000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 14)))
        assert source._worth_walking(text) == _worth_walking_by_parsing(text), repr(text)


def test_nodes_is_ast_walk_on_any_tree():
    texts = [CODE, "d = {**k, None: 1, 'a': [x for x in y if x]}\nglobal g, h\n",
             "match v:\n    case Point(x=1) | [1, *rest] | {'k': _}:\n        pass\n",
             "async def f(a, /, b=1, *c, d, **e) -> int:\n    async for q in r:\n        await q\n",
             "class A(B, metaclass=M):\n    x: int = 1\n    del y\n", "f'{a!r:>{w}}'\nlambda *a: (yield)\n"]
    for text in texts:
        for node in ast.walk(ast.parse(text)):
            assert source._nodes(node) == list(ast.walk(node)), text
    # nodes made by hand, as the walker unrolls loops: fields left unset are skipped by both
    made = ast.Tuple(elts=[ast.Constant(1), ast.Name(id="x", ctx=ast.Load())], ctx=ast.Load())
    partial = ast.Call(func=ast.Name(id="f"))
    for node in (made, partial, ast.Constant(2)):
        assert source._nodes(node) == list(ast.walk(node))


class _CodeCell:
    def __init__(self, index, text):
        self.index, self.kind, self.source = index, "code", text


_BUILDER = '''# a cell of defs only, without any word the walker looks for
def make(layer, units=32):
    """Builds the model."""
    return keras.Sequential([keras.layers.Embedding(10000, units), layer, keras.layers.Dense(1)])


async def unused():
    pass
'''
_TRAIN = '''(x_train, y_train), (x_test, y_test) = imdb.load_data(num_words=10000)
model = make(LSTM(32))
model.fit(x_train, y_train, validation_split=0.2)
print(model.evaluate(x_test, y_test)[1])
'''


def test_defs_only_names_the_defs_of_a_cell_that_holds_nothing_else():
    assert source._defs_only(_BUILDER) == ("make", "unused")
    assert source._defs_only("def f(): x = 1; y = 2\n\n# a note\ndef g(\n  a,\n  ):\n    return a\n") == ("f", "g")
    assert source._defs_only("def g(\n    a,\n):\n    return a\n") is None  # a bracket closed at column 0: not told
    assert source._defs_only("def f():\n    pass\ndef f():\n    return 1\n") == ("f", "f")
    assert source._defs_only("%matplotlib inline\ndef f():\n    pass\n") is None  # `pass` at column 0
    for text in ["", "# only a comment", "x = 1\ndef f(): pass", "def f(): pass\nx = 1",
                 "@decorate\ndef f(): pass", "class A:\n    pass", "def f(:\n    pass",
                 "def f():\n    s = '''\ndef g(): pass'''\n",  # a def line inside a string
                 "def f():\n    s = '''\nx = 1'''\n", "def f(x=lambda: 0): pass",
                 "def f(x=[i for i in y]): pass", "if 0:\n    def f(): pass", "def f(): pass\n\x0cx = 1",
                 "def f():\n    return 1\n  x = 2", "def f():\n    nonlocal x", "def f(a, a): pass",
                 "def f(): pass\nfor f in (1, 2): pass"]:
        assert source._defs_only(text) is None, text


def test_a_cell_of_defs_only_is_walked_without_its_statements_and_read_as_when_parsed(monkeypatch):
    cells = [_CodeCell(0, "import numpy as np\nfrom keras.layers import LSTM"), _CodeCell(1, _BUILDER), _CodeCell(2, _TRAIN),
             _CodeCell(3, "def rnn_forward(x):\n    return x\n")]
    parsed = []
    real = source._parse_tolerant
    monkeypatch.setattr(source, "_parse_tolerant", lambda text: parsed.append(text) or real(text))
    source.clear_memos()
    facts = source.read_code(cells)
    assert len(facts.fits) == 1 and facts.fits[0].alternative is not None  # the builder inlined: its model's layers
    assert _BUILDER.strip() in [text.strip() for text in parsed]  # parsed when the call named it
    assert not any("rnn_forward" in text for text in parsed)  # filed by name only
    assert facts.unparsed_cells == ()
    # every cell's statements walked (`_DEFS_MEMO` holds `_defs_only` itself: patch its caller)
    monkeypatch.setattr(source._CellParses, "defs_only", lambda self, text: None)
    source.clear_memos()
    walked = source.read_code(cells)
    assert (walked.fits, walked.evals, walked.reports, walked.builds_recurrent, walked.mentions_imdb,
            tuple(walked.unparsed_cells)) == (facts.fits, facts.evals, facts.reports, facts.builds_recurrent,
                                              facts.mentions_imdb, tuple(facts.unparsed_cells))


def _facts(cells, *, filed=True, monkeypatch):
    """read_code's facts (fits, unparsed cells) or the exception's name, with fresh memos."""
    with monkeypatch.context() as patch:
        if not filed:
            patch.setattr(source._CellParses, "defs_only", lambda self, text: None)
        source.clear_memos()
        try:
            facts = source.read_code(cells)
        except Exception as error:  # the walk must never raise: compared as a name
            return type(error).__name__
        return facts.fits, tuple(facts.unparsed_cells)


def test_a_cell_of_defs_only_nested_near_the_parsers_depth_limit_is_read_as_when_parsed(monkeypatch):
    """Review (nineteenth session): the symbol table accepted a level or two more nesting than
    ``ast.parse``, and a filed def was parsed deeper in the walk: a def with ~2900 nested unary
    minuses, called later, made read_code raise IndexError (or dropped the cell from
    ``unparsed_cells``). Scanned around the depth where ``ast.parse`` gives up here."""
    def text(n):
        return "def f():\n    return " + "-" * n + "x\n"

    low, high = 100, 20000  # the largest n this stack's parse reads whole
    while low < high:
        middle = (low + high + 1) // 2
        low, high = (middle, high) if source._parse_text(text(middle))[1] else (low, middle - 1)
    nested = "if a:\n    for b in c:\n        with d:\n            model = f()\nmodel.fit(x_train, y_train)\n"
    for n in range(low - 60, low + 20):
        for call in ("model = f()\nmodel.fit(x_train, y_train)\n", nested):
            cells = [_CodeCell(0, text(n)), _CodeCell(1, call)]
            assert _facts(cells, monkeypatch=monkeypatch) == _facts(cells, filed=False, monkeypatch=monkeypatch), n


def test_a_filed_def_whose_late_parse_fails_skips_the_statement_as_a_recursion_would(monkeypatch):
    cells = [_CodeCell(0, "def f():\n    return 1\n"), _CodeCell(1, "model = f()\nmodel.fit(x_train, y_train)\n")]
    real = source._parse_tolerant
    monkeypatch.setattr(source, "_parse_tolerant", lambda text: ([], False) if "def f" in text else real(text))
    source.clear_memos()
    facts = source.read_code(cells)  # the def's parse failing in the walk (too deep): no IndexError
    assert len(facts.fits) == 1 and facts.fits[0].alternative is None
