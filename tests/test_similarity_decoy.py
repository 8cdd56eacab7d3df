"""A copy graded through code the check notes (a decorator, a metaclass) and compared with the
functions that code reaches, diluted by a decoy helper before it that assigns the same local
names: twenty-sixth session's review. Both were graded in full on 0fc66f7 and scored 0.45 against
the original, not flagged; each test failed there."""
from __future__ import annotations

import pytest

from grader.similarity.normalise import normalise_function
from tests import notebooks as nbs
from tests.copies import flagged_against_classmate, graded_copy

_COPY = nbs.COURSE_CELLS["rnn_cell_forward"].replace("def rnn_cell_forward(", "def f9(")
#: Sorted before ``f9``, with its parameters and its ``a_next``, defined otherwise.
_DECOY = ("def adecoy(xt, a_prev, parameters):\n    a_next = xt * 2\n"
          "    return a_next, None, (a_next, a_prev, xt, parameters)\n")
_CELLS = {
    "decorated": "@(lambda f: (adecoy, f9)[1])\ndef rnn_cell_forward(xt, a_prev, parameters):\n    return 1\n",
    "metaclass": ("class M(type):\n    def __getattr__(cls, key):\n        return (adecoy, f9)[1]\n\n"
                  "class H(metaclass=M):\n    pass\n\nrnn_cell_forward = H.cell\n"),
}


@pytest.mark.parametrize("how", sorted(_CELLS))
def test_a_decoy_before_the_copy_does_not_hide_it(tmp_path, context, sandbox, how):
    cell = f"{_COPY}\n{_DECOY}\n{_CELLS[how]}"
    path, result, source = graded_copy(tmp_path, how, cell, context=context, sandbox=sandbox)
    assert source.index("def adecoy(") < source.index("def f9("), source  # the decoy first
    report = flagged_against_classmate(tmp_path, how, source)
    assert report.pairs[0].overall == 1.0, report.pairs


def test_each_def_spells_its_own_locals():
    # The copy's tokens after a decoy are those it has alone, but its name's and the numbering's.
    alone = normalise_function(_COPY).tokens
    after = normalise_function(f"{_DECOY}\n{_COPY}").tokens
    assert any(after[i + 1:i + len(alone)] == alone[1:]
               for i, token in enumerate(after) if token.startswith("def:")), after
    # One def: as before (each def's own spelling is made only where there are two or more).
    assert normalise_function(_COPY) == normalise_function(_COPY.replace("a_next", "h"))
