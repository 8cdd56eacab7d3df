"""grader.childruntime.positional_arguments: a dependency called with keywords, as the sandbox's
stub and check()'s stand-in both read it (one function since the thirty-second session; the two
copies had to say the same)."""
from __future__ import annotations

import pytest

from grader.childruntime import positional_arguments


def _cell(xt, a_prev, parameters):
    return xt, a_prev, parameters


def _keyword_only(xt, *, a_prev):
    return xt, a_prev


def test_keywords_become_the_positions_the_students_function_gives_them():
    assert positional_arguments("rnn_cell_forward", _cell, (1,), {"parameters": 3, "a_prev": 2}) == (1, 2, 3)


def test_a_keyword_only_parameter_cannot_be_asked_by_position():
    with pytest.raises(TypeError, match=r"rnn_cell_forward\(\): keyword-only arguments are not supported here"):
        positional_arguments("rnn_cell_forward", _keyword_only, (1,), {"a_prev": 2})


def test_keywords_to_something_that_is_no_function_are_refused_by_name():
    with pytest.raises(TypeError, match=r"rnn_cell_forward\(\) got keyword arguments"):
        positional_arguments("rnn_cell_forward", None, (1,), {"a_prev": 2})


def test_keywords_the_function_does_not_take_raise_pythons_own_error():
    with pytest.raises(TypeError, match="unexpected keyword argument 'b'"):
        positional_arguments("rnn_cell_forward", _cell, (1, 2, 3), {"b": 4})
