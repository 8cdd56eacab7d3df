"""grader.imdb.source._walk: ast.walk remembered on the node, with the same nodes in the same order."""
import ast

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
