"""Expected values compared exactly (strings, None) against a student's array: a mismatch with a
message, never an exception (NumPy compares an array with None element by element)."""
import numpy as np
import pytest

from grader import checks
from grader.models import Tolerance

TOL = Tolerance(rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("kind", ["allclose", "exact"])
@pytest.mark.parametrize("expected, student, where", [
    (None, np.zeros(3), "out"),
    ("tanh", np.zeros(3), "out"),
    ((np.ones(2), None), (np.ones(2), np.zeros((2, 2))), "out[1]"),
    ({"activation": "tanh"}, {"activation": np.zeros(4)}, "out['activation']"),
])
def test_an_array_where_a_string_or_none_is_expected_is_a_mismatch(kind, expected, student, where):
    found = checks.CHECKS[kind](student, expected, tolerance=TOL, name="out")
    assert found is not None and found.where == where and found.kind == "values"
    assert "array" in found.message
    assert not checks.agrees(kind, student, expected, tolerance=TOL, name="out")


@pytest.mark.parametrize("kind", ["allclose", "exact"])
def test_equal_strings_and_none_still_pass(kind):
    assert checks.CHECKS[kind]((np.ones(2), None, "tanh"), (np.ones(2), None, "tanh"), tolerance=TOL,
                               name="out") is None
    found = checks.CHECKS[kind]("relu", "tanh", tolerance=TOL, name="out")
    assert found is not None and found.message == "`out` should be 'tanh', got 'relu'."


@pytest.mark.parametrize("student", [np.array([1.0, 2.0]), np.array([-np.inf, 2.0]), np.array([np.nan, 2.0])])
def test_a_number_where_an_infinity_is_expected_is_a_mismatch(student):
    # An infinite expected value makes atol + rtol * |expected| infinite: that bound alone
    # would take any number. np.allclose accepts an infinity only against the same infinity.
    expected = np.array([np.inf, 2.0])
    tolerance = Tolerance(rtol=1e-5, atol=1e-7)
    assert checks.check_allclose(student, expected, tolerance=tolerance, name="a") is not None
    assert checks.check_allclose(expected.copy(), expected, tolerance=tolerance, name="a") is None
    assert not checks._close(student.astype(np.float32), expected, 1e-5, 1e-7)
