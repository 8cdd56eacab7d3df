"""The comparison registry: each difference is found, in order, with a message that says where."""
import numpy as np
import pytest

from grader import checks
from grader.models import Tolerance

TOL = Tolerance(rtol=1e-5, atol=1e-7)


def run(kind, student, expected):
    return checks.CHECKS[kind](student, expected, tolerance=TOL, name="out")


def test_equal_arrays_pass_and_tiny_differences_are_tolerated():
    a = np.linspace(-1, 1, 12).reshape(3, 4)
    assert run("allclose", a, a.copy()) is None
    assert run("allclose", a + 1e-9, a) is None
    assert run("exact", a + 1e-9, a) is not None


def test_value_mismatch_names_index_and_values():
    e = np.zeros((2, 3))
    s = e.copy()
    s[1, 2] = 0.5
    m = run("allclose", s, e)
    assert m.kind == "values"
    assert "(1, 2)" in m.message and "1 of 6" in m.message and "0.5" in m.message


def test_shape_mismatch_hints_at_transpose():
    m = run("allclose", np.zeros((10, 5)), np.zeros((5, 10)))
    assert m.kind == "shape" and "transposed" in m.message
    assert run("shape", np.ones((5, 10)), np.zeros((5, 10))) is None


def test_nan_is_its_own_verdict():
    s = np.array([1.0, np.nan])
    m = run("allclose", s, np.array([1.0, 2.0]))
    assert m.kind == "nan"


def test_nested_structures_are_walked_in_order():
    exp = ([np.ones(2), (np.zeros(1), {"Wax": np.ones((2, 2))})], np.ones(3))
    good = ([np.ones(2), (np.zeros(1), {"Wax": np.ones((2, 2)), "extra": 1})], np.ones(3))
    assert run("allclose", good, exp) is None
    bad = ([np.ones(2), (np.zeros(1), {"Wax": np.zeros((2, 2))})], np.ones(3))
    m = run("allclose", bad, exp)
    assert m.where == "out[0][1][1]['Wax']"
    m = run("allclose", ([np.ones(2)], np.ones(3)), exp)
    assert m.kind == "length" and m.where == "out[0]"
    m = run("allclose", ([np.ones(2), (np.zeros(1), {})], np.ones(3)), exp)
    assert m.kind == "keys" and "Wax" in m.message


def test_type_and_none():
    assert run("allclose", None, np.ones(2)).kind == "missing"
    assert run("allclose", "text", np.ones(2)).kind == "type"
    assert run("allclose", {"a": 1}, (1, 2)).kind == "type"
    # lists of numbers are accepted where an array is expected, tuples where lists are
    assert run("allclose", [1.0, 2.0], np.array([1.0, 2.0])) is None
    assert run("allclose", (np.ones(1),), [np.ones(1)]) is None


def test_structure_check_ignores_values_and_shapes():
    exp = (np.ones((2, 2)), [np.ones(1)])
    assert run("structure", (np.zeros((3, 3)), [np.zeros(4)]), exp) is None
    assert run("structure", (np.zeros((3, 3)),), exp).kind == "length"


def test_get_path_and_format():
    value = (1, [2, {"k": 3}])
    assert checks.get_path(value, (1, 1, "k")) == 3
    with pytest.raises(LookupError):
        checks.get_path(value, (5,))
    with pytest.raises(LookupError):
        checks.get_path(value, (1, 1, "missing"))
    assert checks.format_path("g", (0, "dx")) == "g[0]['dx']"


def test_plain_equal_is_symmetric():
    assert checks.plain_equal({"a": np.ones(2)}, {"a": np.ones(2)})
    assert not checks.plain_equal({"a": np.ones(2)}, {"a": np.ones(2), "b": 1})
    assert not checks.plain_equal((np.ones(2),), (np.ones(2) * 2,))


def test_identical_bytes_shortcut_keeps_the_semantics_of_values():
    nan = np.array([1.0, np.nan])
    assert checks.plain_equal(nan, nan.copy())  # equal_nan, by the bytes shortcut
    assert checks.plain_equal(np.array([0.0]), np.array([-0.0]))  # equal values, different bytes
    # The same bytes under another dtype are other values: not equal.
    ints = np.array([1], dtype=np.int64)
    assert not checks.plain_equal(ints, ints.view(np.float64))
    shared = {"W": np.eye(2)}
    assert checks.plain_equal((shared, shared), (shared, {"W": np.eye(2)}))
    assert not checks.plain_equal(shared, {"W": np.eye(2) * 2})
    assert run("allclose", np.eye(3), np.eye(3)) is None


def test_a_pair_met_again_is_judged_the_same_and_differences_are_still_found():
    params = {"W": np.eye(2)}
    student = [(np.ones(2), params) for _ in range(3)]  # one dict shared, as the wire decodes it
    expected = [(np.ones(2), {"W": np.eye(2)}) for _ in range(3)]
    assert run("allclose", student, expected) is None
    expected[2][1]["W"] = np.eye(2) * 2
    m = run("allclose", student, expected)
    assert m is not None and m.where == "out[2][1]['W']"


def test_a_value_is_told_in_one_wording_by_the_checks_and_the_hints():
    # Thirty-sixth session, helper fb: the checks said "a tuple of length 3", the runner's sentence on a
    # dict asked for "a tuple of 3" and a hint "a list of 4"; and "a int" for a number.
    from grader.hintcode import kind_words
    for value, said in (((1, 2, 3), "a tuple of length 3"), ([[1], [2], [3], [4]], "a list of length 4"), (7, "an int"),
                        (None, "None"), (np.zeros((2, 3)), "an array of shape (2, 3)")):
        assert checks.describe(value) == said and kind_words(value) == said, (value, checks.describe(value))
    mismatch = checks.check_structure("abc", (1, 2, 3), tolerance=Tolerance(rtol=1e-5, atol=1e-8), name="cache")
    assert mismatch.message == "`cache` should be a tuple of length 3, got a string.", mismatch.message
    assert checks.describe({"b": 1, "a": 2}) == "a dict with keys ['a', 'b']"  # the checks' own: the keys
