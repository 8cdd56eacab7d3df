"""``valuehints.global_state_hint``: a graded function that keeps a value from one call to the next
(``global counter; counter += 1``) is told its line once a case failed (thirty-fourth session); one
that sets the name afresh at each call, only reads it, or has no ``global`` is not.
"""
from __future__ import annotations

import pytest

from grader import valuehints


# ------------------------------------------------------------------ a value kept from one call to the next

@pytest.mark.parametrize("body, line", [
    ("    global counter\n    counter += 1\n    return x * counter\n", "line 12: `counter += 1`"),
    ("    global counter\n    counter.append(x)\n    return counter\n", "line 12: `counter.append(x)`"),
    ("    global counter\n    counter[0] = x\n    return x\n", "line 12: `counter[0] = x`"),
    ("    global counter\n    y = x + counter\n    counter = x\n    return y\n", "line 12: `y = x + counter`"),
])
def test_a_global_changed_from_call_to_call_is_told_its_line(body, line):
    said = valuehints.global_state_hint("def f(x):\n" + body, first_line=10)
    assert said.startswith(f"`f` keeps `counter` from one call to the next (`global counter`; {line}): each call "
                           "starts from what the calls before it left"), said


@pytest.mark.parametrize("body", [
    "    global counter\n    counter = []\n    counter.append(x)\n    return counter\n",  # afresh at each call
    "    global counter\n    y = counter\n    return y\n",  # only read: the free-name note's
    "    counter = 0\n    counter += 1\n    return counter\n",  # its own
    "    global\n",  # does not parse
])
def test_a_global_set_afresh_read_only_or_none_is_not_told(body):
    assert valuehints.global_state_hint("def f(x):\n" + body) == ""


def test_a_global_state_hint_reads_a_bounded_part_of_a_huge_function():
    # The walk is breadth first: the function's own statements come first, 20,000 nodes at most.
    from tests.cpu import cpu_budget

    source = "def f(x):\n    global g\n" + "    y = 1\n" * 21_000 + "    g += 1\n"
    with cpu_budget(3.0):
        assert valuehints.global_state_hint(source) == ""  # the change is past the nodes read
        assert valuehints.global_state_hint(source.replace("    y = 1\n" * 21_000, "    y = 1\n" * 2_000)) != ""
