"""grader.outputnotes.transposed_scaled_or_shifted: a failed output that is the right one transposed (a
square array), times a constant, or with its steps one slot late or early (thirty-eighth session, helper
fb: each was told "values differ" alone), with controls that other wrong values and right ones are not."""
from __future__ import annotations

import types

import numpy as np

from grader.models import Tolerance
from grader.outputnotes import transposed_scaled_or_shifted

_TOL = Tolerance(rtol=1e-5, atol=1e-7)


def _told(got, want, name="dWaa"):
    spec = types.SimpleNamespace(name=name, path=(name,))
    return transposed_scaled_or_shifted({name: got}, {name: want}, [spec], _TOL)


def test_a_square_output_transposed_is_told_so():
    want = np.random.default_rng(0).standard_normal((5, 5))
    said = _told(want.T.copy(), want)
    assert said.startswith("`dWaa` holds the transpose of the right values (a square array"), said
    assert "`np.dot(dtanh, a_prev.T)`" in said
    assert "np.dot" not in _told(want.T.copy(), want, name="a_next")  # not a weight's gradient: no formula


def test_an_output_off_by_a_factor_or_its_sign_is_told_the_factor():
    want = np.random.default_rng(1).standard_normal((5, 3))
    assert _told(want / 10, want, "dWax").startswith("`dWax` is 1/10 times the right values at every entry")
    assert _told(want * 2.5, want, "dWax").startswith("`dWax` is 2.5 times the right values")
    assert _told(-want, want, "dxt").startswith("`dxt` is the right value with its sign flipped at every entry")
    # A hidden case is not told the factor, which would show its number of examples.
    spec = types.SimpleNamespace(name="dWax", path=("dWax",))
    said = transposed_scaled_or_shifted({"dWax": want / 8}, {"dWax": want}, [spec], _TOL, hidden=True)
    assert said.startswith("`dWax` is a constant times the right values at every entry") and "8" not in said, said


def test_steps_stored_one_slot_late_or_early_are_told_so():
    want = np.random.default_rng(2).standard_normal((5, 10, 7))
    late = np.concatenate([np.zeros((5, 10, 1)), want[..., :-1]], axis=-1)
    assert _told(late, want, "c").startswith("`c` holds each step's value one slot late"), _told(late, want, "c")
    early = np.concatenate([want[..., 1:], np.zeros((5, 10, 1))], axis=-1)
    assert _told(early, want, "y").startswith("`y` holds each step's value one slot early")


def test_right_and_otherwise_wrong_values_are_not_told():
    rng = np.random.default_rng(3)
    want = rng.standard_normal((5, 5))
    assert _told(want.copy(), want) == ""  # right (the runner asks only of failed outputs; still silent)
    assert _told(rng.standard_normal((5, 5)), want) == ""
    symmetric = want + want.T  # its transpose is itself: a wrong value is not told "transposed"
    assert _told(symmetric * 1.0 + 1.0, symmetric) == ""
    assert _told(np.zeros((5, 3)), np.ones((5, 3))) == ""  # zeros: not "0 times"
    steps = rng.standard_normal((5, 10, 7))
    assert _told(np.flip(steps, axis=-1).copy(), steps, "a") == ""  # reversed, not shifted
