"""What the per-process memos of syntax trees (``grader.notebook.SourceMemo`` with ``tree_weight``)
hold at the most, measured with tracemalloc on the densest code.

Thirty-seventh session (perf helper): the memos of cells' and defs' trees (``imdb.source._TEXT_MEMO``
and ``_CELL_MEMO``, ``cellscan.PARSE_MEMO`` and ``CELL_MEMO``) held 500,000 characters, "under 30 MB
of ASTs" (an AST about 50 bytes a character); ``a;a;a`` takes 340 bytes a character, and each of
them held 150-170 MB of it. They weigh a text by its tokens now (``TOKEN_CHARS`` a token when that is
more than its length) and hold ``TREES_HELD``.
"""
from __future__ import annotations

import gc
import tracemalloc

import pytest

from grader import cellscan
from grader.imdb import source as imdbsource
from grader.notebook import TOKEN_CHARS, TREES_HELD, SourceMemo, tree_weight

#: Bytes each memo may hold: about 30 MB at 100 bytes a weighed character (27-30 MB measured).
HELD = 36_000_000


def _dense(tag: str, chars: int, *, prefix: str = "") -> str:
    """``chars`` characters of the densest code: one statement every two characters."""
    return prefix + f"{tag}=0\n" + "a;" * ((chars - len(prefix)) // 2)


def _held(memo: SourceMemo, texts: list[str], call) -> int:
    """Bytes ``memo`` holds once ``call`` has asked for each text twice (a value is kept the second
    time), tracemalloc's count before and after emptying it."""
    memo.clear()
    imdbsource.clear_memos()
    gc.collect()
    tracemalloc.start()
    try:
        for text in texts:
            call(text)
            call(text)
        gc.collect()
        full = tracemalloc.get_traced_memory()[0]
        assert memo.chars <= memo.max_chars and len(memo) >= 2
        memo.clear()
        imdbsource.clear_memos()
        gc.collect()
        return full - tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
        memo.clear()


CASES = {
    "imdb cells": (imdbsource._TEXT_MEMO, "", imdbsource._CELL_MEMO),
    "imdb texts": (imdbsource._TEXT_MEMO, "", imdbsource._TEXT_MEMO),
    "cellscan cells": (cellscan.CELL_MEMO, "", cellscan.CELL_MEMO),
    "cellscan defs": (cellscan.PARSE_MEMO, "def f():\n ", lambda text: cellscan.PARSE_MEMO(text, 1)),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_memo_of_trees_holds_about_30_mb_of_the_densest_code(case):
    """Before: 10 texts of 50,000 characters of ``a;a;a`` held, 150-172 MB (measured); these 10 of
    14,000, about 48 MB."""
    memo, prefix, call = CASES[case]
    assert memo.max_chars == TREES_HELD
    texts = [_dense(f"b{k}", 14_000, prefix=prefix) for k in range(10)]  # 49,000 weighed each: 6 held
    held = _held(memo, texts, call)
    assert held < HELD, held


def test_usual_code_weighs_its_length_and_dense_code_its_tokens():
    """A function as students write it counts for about its characters (the memos hold about as
    much of it as before); code of one-character tokens for ``TOKEN_CHARS`` a character."""
    usual = ("def rnn_cell_forward(xt, a_prev, parameters):\n"
             "    # the next hidden state and the prediction\n"
             "    Waa, Wax = parameters['Waa'], parameters['Wax']\n"
             "    a_next = np.tanh(np.dot(Wax, xt) + np.dot(Waa, a_prev) + parameters['ba'])\n"
             "    return a_next, (a_next, a_prev, xt, parameters)\n")
    assert len(usual) <= tree_weight(usual) < 1.1 * len(usual)  # 290 for 276 characters
    assert tree_weight("a;" * 1000) == int(TOKEN_CHARS * 2000)
    assert tree_weight("a\n" * 1000) == int(TOKEN_CHARS * 2000)  # line ends are tokens: statements
    assert tree_weight("x = '" + "y" * 1000 + "'") == 1006  # a string is its characters


def test_the_weight_bounds_what_is_kept_not_what_is_asked():
    """A memo with a weight keeps the same values and answers the same; only what it holds
    changes: a dense text's entry counts for its tokens."""
    calls = []

    def fn(text):
        calls.append(text)
        return len(text)

    memo = SourceMemo(fn, max_chars=20_000, weigh=tree_weight)
    dense, usual = "a;" * 2_000, "value = compute(first_argument)\n" * 60
    for text in (dense, dense, usual, usual, dense, usual):
        assert memo(text) == len(text)
    assert calls == [dense, dense, usual, usual]  # each kept the second time, both held
    assert memo.chars == tree_weight(dense) + tree_weight(usual) == 14_000 + len(usual)
