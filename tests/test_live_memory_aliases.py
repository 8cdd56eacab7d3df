"""The memory-sharing walks of check() (``grader.live.find_aliases``) and of the sandbox's child
(``grader.childruntime.find_aliases``) are twins: these pin that they find the same pairs, before
they were made one walker. They differed only in how a pair was written: check() sorted each
pair's paths as text (``('result[10]', 'result[2]')``), the child in walk order; since ea19ca2
check() keeps the child's order, so that it names the same arrays as the grade."""
from __future__ import annotations

import numpy as np
import pytest

from grader import childruntime, live


def _values() -> dict[str, tuple[object, tuple]]:
    """``name -> (result, args)`` of calls whose results share memory in the ways the runner reads."""
    x = np.arange(10.0)
    shared = np.ones(3)
    many = [np.zeros(2) for _ in range(11)]
    many[10] = many[2]
    parameters = {"Wax": np.ones((2, 2)), "ba": np.zeros((2, 1))}
    return {
        "same_array_twice": (many, ()),
        "overlapping_slices": ((x[:5], x[3:]), ()),
        "disjoint_slices": ((x[:5], x[5:]), ()),
        "result_is_an_argument": ((shared,), (shared, shared)),
        "cache_holds_the_parameters": ((np.ones(2), (np.ones(2), parameters)), (np.ones(2), parameters)),
        "transposed_view": ((x.reshape(2, 5).T, x), ()),
        "empty_arrays_skipped": ((np.zeros(0), np.zeros(0)), ()),
        "nothing_shared": ((np.ones(2), {"a": np.ones(2)}), (np.ones(2),)),
    }


@pytest.mark.parametrize("name", sorted(_values()))
def test_check_and_the_child_find_the_same_pairs(name):
    result, args = _values()[name]
    in_check = {frozenset(pair) for pair in live.find_aliases(result, args)}
    in_child = {frozenset(pair) for pair in childruntime.find_aliases(result, args)}
    assert in_check == in_child
    if name not in ("disjoint_slices", "empty_arrays_skipped", "nothing_shared"):
        assert in_check  # each of these shares memory somewhere


def test_the_two_write_a_pair_in_the_same_order():
    result, args = _values()["same_array_twice"]
    assert live.find_aliases(result, args) == (("result[2]", "result[10]"),)
    assert childruntime.find_aliases(result, args) == [["result[2]", "result[10]"]]


def test_the_shared_walk_stops_at_its_bound_on_a_value_holding_itself():
    # check() walks after the call, outside its time limit: bounded, a list holding itself ten
    # times (10**32 paths within the depth) gives no pairs at once instead of hanging.
    import time

    items: list = [np.ones(2)]
    items.extend([items] * 10)
    started = time.process_time()  # CPU: a hang shows, a loaded machine's wait does not
    assert childruntime.find_aliases(items, (), max_nodes=1_000) == []
    assert live.find_aliases(items, ()) == ()
    assert time.process_time() - started < 5.0
    assert childruntime.find_aliases([np.ones(2)] * 3, (), max_nodes=4)  # within the bound: found
