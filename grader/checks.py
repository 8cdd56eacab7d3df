"""Comparisons of a student's value with the reference value.

``CHECKS`` maps a rubric check kind (``OutputSpec.check``) to the function that
runs it. Every check has the same signature::

    check(student, expected, *, tolerance, name) -> Mismatch | None

and walks the two values in a fixed order, as a person would when comparing
them by eye: missing value, type, length or keys, shape, dtype, then values.
The first difference is returned with a message that names where it is
(``caches[0][1]``) and what differs, in terms a student can act on.
"""
from __future__ import annotations

import math
from types import MappingProxyType
from typing import Any, Callable, Mapping, Sequence

import numpy as np

from grader.hintcode import PYTHON_KINDS, kind_words, ordinal
from grader.models import Tolerance, frozen_record


@frozen_record
class Mismatch:
    """The first difference found between a student's value and the reference."""

    where: str  # e.g. "a_next" or "caches[0][1]"
    message: str  # one sentence, student-readable
    kind: str  # "missing" | "type" | "length" | "keys" | "shape" | "nan" | "values"


#: What a quiet comparison (``agrees``) returns for numbers that differ: no message is written.
DIFFERENT_VALUES = Mismatch("", "", "values")


def format_path(name: str, path: tuple) -> str:
    """``("caches", (0, 1))`` -> ``"caches[0][1]"``; string keys are quoted."""
    return name + "".join(f"[{k!r}]" if isinstance(k, str) else f"[{k}]" for k in path)


def get_path(value: Any, path: tuple) -> Any:
    """Follow ``path`` into nested tuples, lists and dicts; raise LookupError if absent."""
    for key in path:
        if isinstance(key, str):
            if not isinstance(value, dict) or key not in value:
                raise LookupError(key)
            value = value[key]
        else:
            if not isinstance(value, (tuple, list)) or not -len(value) <= key < len(value):
                raise LookupError(key)
            value = value[key]
    return value


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, complex, np.number, np.bool_)) and not isinstance(value, bool)


def describe(value: Any) -> str:
    """What ``value`` is, in the words every message uses (``hintcode.kind_words``), a dict with its keys."""
    if value is None:
        return "None"
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape}"
    if isinstance(value, dict):
        return f"a dict with keys {sorted(map(str, value))}"
    if isinstance(value, (list, tuple)) or type(value).__name__ in PYTHON_KINDS:
        return kind_words(value)
    return f"a {type(value).__name__}"


def _as_array(value: Any) -> np.ndarray | None:
    """A numeric array for arrays, numbers and nested lists of numbers; else None."""
    if isinstance(value, np.ndarray):
        return value
    if _is_number(value) or isinstance(value, bool):
        return np.asarray(value)
    if isinstance(value, (list, tuple)):
        try:
            arr = np.asarray(value)
        except (ValueError, TypeError):
            return None
        if arr.dtype.kind in "biufc":
            return arr
    return None


def _compare(student: Any, expected: Any, where: str, *, tolerance: Tolerance | None,
             values: bool, agreed: set | None = None, quiet: bool = False) -> Mismatch | None:
    """Recursive walk; ``tolerance=None`` means exact equality; ``values=False`` stops at shapes.

    ``quiet``: only *whether* the values differ matters (see ``agrees``): numbers that
    differ give ``DIFFERENT_VALUES``, without the work of saying where and by how much.

    ``agreed`` holds the ``(id(student), id(expected))`` pairs of this walk already found
    equal: a pair met again (the parameters dict in every cache of a sequence, shared by
    the wire on one side and by the fixtures on the other) is not compared again. Both
    values are alive for the whole walk, so an id cannot be reused during it.
    """
    if agreed is None:
        agreed = set()
    pair = (id(student), id(expected))
    if pair in agreed:
        return None
    if type(expected) is np.ndarray and type(student) is np.ndarray:  # the common leaf, directly
        found = _compare_arrays(student, expected, where, tolerance=tolerance, values=values, quiet=quiet)
    else:
        found = _compare_once(student, expected, where, tolerance=tolerance, values=values, agreed=agreed,
                              quiet=quiet)
    if found is None and type(expected) in (dict, tuple, list, np.ndarray):
        agreed.add(pair)
    return found


def _compare_once(student: Any, expected: Any, where: str, *, tolerance: Tolerance | None,
                  values: bool, agreed: set, quiet: bool = False) -> Mismatch | None:
    """One step of ``_compare``: this value, recursing into its children."""
    if student is None and expected is not None:
        return Mismatch(where, f"`{where}` is None; expected {describe(expected)}.", "missing")

    if isinstance(expected, dict):
        if not isinstance(student, dict):
            return Mismatch(where, f"`{where}` should be a dict with keys "
                                   f"{sorted(expected)}, got {describe(student)}.", "type")
        missing = [k for k in expected if k not in student]
        if missing:
            return Mismatch(where, f"`{where}` is missing the key(s) {missing}.", "keys")
        for key in expected:
            found = _compare(student[key], expected[key], f"{where}[{key!r}]",
                             tolerance=tolerance, values=values, agreed=agreed, quiet=quiet)
            if found:
                return found
        return None

    if isinstance(expected, (tuple, list)) and not _numeric_sequence(expected):
        if not isinstance(student, (tuple, list)):
            return Mismatch(where, f"`{where}` should be {describe(expected)}, "
                                   f"got {describe(student)}.", "type")
        if len(student) != len(expected):
            return _length_mismatch(where, student, expected, tolerance=tolerance)
        for i, (s, e) in enumerate(zip(student, expected)):
            found = _compare(s, e, f"{where}[{i}]", tolerance=tolerance, values=values, agreed=agreed,
                             quiet=quiet)
            if found:
                return found
        return None

    if isinstance(expected, str):
        if not _same_exact(student, expected):
            got = describe(student) if isinstance(student, np.ndarray) else repr(student)
            return Mismatch(where, f"`{where}` should be {expected!r}, got {got}.", "values")
        return None

    exp = _as_array(expected)
    if exp is None:  # None or something we do not know how to compare: exact
        if not _same_exact(student, expected):
            return Mismatch(where, f"`{where}` should be {expected!r}, got {describe(student)}.",
                            "values")
        return None
    got = _as_array(student)
    if got is None:
        return Mismatch(where, f"`{where}` should be {describe(expected)}, "
                               f"got {describe(student)}.", "type")
    return _compare_arrays(got, exp, where, tolerance=tolerance, values=values, quiet=quiet)


def _same_exact(student: Any, expected: Any) -> bool:
    """Whether ``student`` equals an expected value compared exactly (a string, None, ...).

    An array never does: ``array != None`` would compare element by element, and the truth
    of the result is an error for more than one element."""
    if isinstance(student, np.ndarray):
        return False
    try:
        return bool(student == expected)
    except Exception:  # noqa: BLE001 - values that cannot be compared are not equal
        return False


def _size_one_axes(got: tuple[int, ...], exp: tuple[int, ...]) -> tuple[int, ...]:
    """The axes of size 1 that the longer of two shapes has and the shorter lacks, numbered in
    the longer one, when removing them gives the shorter (``(5,)``, ``(5, 1)`` -> ``(1,)``);
    ``()`` when the shapes differ otherwise. Of a run of axes of size 1, the last are named."""
    longer, shorter = (got, exp) if len(got) > len(exp) else (exp, got)
    axes, j = [], 0
    for i, size in enumerate(longer):
        if j < len(shorter) and size == shorter[j]:
            j += 1
        elif size == 1:
            axes.append(i)
        else:
            return ()
    return tuple(axes) if j == len(shorter) else ()


def _size_one_hint(axes: tuple[int, ...], *, missing: bool, expected: tuple[int, ...]) -> str:
    """What to do about axes of size 1 lost (``missing``) or added: numbered as in the shape
    that has them (the expected one when they are missing)."""
    one = len(axes) == 1
    named = (f"Axis {axes[0]}" if one else
             "Axes " + ", ".join(str(a) for a in axes[:-1]) + f" and {axes[-1]}")
    if missing:
        return (f" {named} (of size 1) {'is' if one else 'are'} missing: keep "
                f"{'it' if one else 'them'} with `keepdims=True` in the sum (or mean) that made "
                f"this array, or reshape it to {expected}.")
    return (f" {named} (of size 1) {'is' if one else 'are'} extra: drop `keepdims=True` where it "
            f"is not wanted, or reshape the array to {expected}.")


def _compare_arrays(got: np.ndarray, exp: np.ndarray, where: str, *, tolerance: Tolerance | None,
                    values: bool, quiet: bool) -> Mismatch | None:
    """The end of ``_compare_once`` for two arrays: shape, dtype, then values."""
    if got.shape != exp.shape:
        hint = ""
        if got.ndim == 2 and got.shape[::-1] == exp.shape:
            hint = " It looks transposed."
        elif got.ndim != exp.ndim and (axes := _size_one_axes(got.shape, exp.shape)):
            hint = _size_one_hint(axes, missing=got.ndim < exp.ndim, expected=exp.shape)
        elif got.ndim == exp.ndim and len(differ := [i for i, (g, e) in enumerate(zip(got.shape, exp.shape))
                                                   if g != e]) == 1 and exp.shape[differ[0]] == 1:
            # ``dba = dtanh``, (5, 10) for (5, 1): one entry per example where their sum belongs (code
            # written for one example passes m = 1; thirty-second session: told only the shapes).
            hint = (f" Axis {differ[0]} has {got.shape[differ[0]]} entries where the expected array has 1: sum (or "
                    f"average) over that axis, with `keepdims=True`, to get the shape {exp.shape}.")
        elif got.ndim == exp.ndim and 1 in exp.shape and all(g in (e, 1) for g, e in zip(got.shape, exp.shape)) \
                and len(kept := [i for i, (g, e) in enumerate(zip(got.shape, exp.shape)) if g != e]) == 1:
            # ``np.sum(dtanh, keepdims=True)`` for dba: (1, 1) for (5, 1), a sum over every axis (thirty-seventh
            # session: told only the shapes).
            over = ", ".join(str(i) for i, e in enumerate(exp.shape) if e == 1)
            hint = (f" Axis {kept[0]} has 1 entry where the expected array has {exp.shape[kept[0]]}: the sum (or mean) "
                    f"that made it ran over that axis too. Sum only over axis {over}, with `keepdims=True`.")
        elif got.ndim == exp.ndim == 3 and got.shape[:-1] == exp.shape[:-1] and got.shape[-1] == 1:
            # One step where the sequence has T_x: a list stacked with one entry (appended after the
            # loop, or returned from inside it; thirty-second session: told only the shapes).
            hint = f" Its last axis, the time steps, has 1 entry where {exp.shape[-1]} are expected: one step only."
        elif got.size == exp.size and got.ndim < exp.ndim:
            hint = (f" Same number of elements in fewer dimensions: it looks flattened (a `reshape`, `ravel` "
                    f"or `flatten` too many?); reshape it to {exp.shape}.")
        elif got.size == exp.size and got.ndim > exp.ndim:
            hint = (f" Same number of elements in more dimensions: it looks reshaped once too often; drop "
                    f"that `reshape`, or reshape it to {exp.shape}.")
        elif got.size == exp.size and sorted(got.shape) != sorted(exp.shape):
            hint = " Same number of elements in other dimensions: check the `reshape` that made it."
        elif got.size == exp.size:
            hint = " Same number of elements: check the order of the dimensions."
        elif exp.shape and got.shape == exp.shape[:-1]:
            hint = " The last dimension is missing."
        elif got.ndim == 0 and exp.size > 1 and got.dtype.kind in "biuf" and got == 0 and not exp.any():
            # ``c_next = 0`` in lstm_forward: the first cache's c_prev is a number where zeros belong
            # (a real notebook, thirty-third session: told the sum's sentence below).
            hint = (" It is the number 0 where an array of zeros is expected: start it with `np.zeros(...)` of "
                    "that shape, not `= 0`.")
        elif got.ndim == 0 and exp.size > 1:
            # ``np.sum(dtanh)`` for dba: every entry added up (thirty-first session: told only the shapes).
            keep = ", with `keepdims=True`," if 1 in exp.shape else ""
            hint = (f" It is a single number: a sum (or mean) without `axis` adds up every entry; give the "
                    f"axis to sum over{keep} so that it has the shape {exp.shape}.")
        return Mismatch(where, f"`{where}` has shape {got.shape}; expected {exp.shape}.{hint}",
                        "shape")
    if not values:
        return None
    if got.dtype.kind not in "biufc":
        return Mismatch(where, f"`{where}` holds {got.dtype} values, not numbers.", "type")
    rtol = 0.0 if tolerance is None else tolerance.rtol
    atol = 0.0 if tolerance is None else tolerance.atol
    # Close values first (the common case, and NaN is never close to a number), then why not.
    if got.dtype == exp.dtype and got.tobytes() == exp.tobytes():
        return None
    if quiet and _first_differs(got, exp, rtol, atol):
        return DIFFERENT_VALUES
    verdict = _float_verdict(got, exp, rtol, atol)  # float64 with finite differences: what _close decides
    if verdict is not None:
        diff, ok = verdict
        bad = ok.size - int(np.count_nonzero(ok))
        if not bad:
            return None
    elif _undecided_close(got, exp, rtol, atol):  # the rest of what _close would check again
        return None
    if quiet:
        return DIFFERENT_VALUES
    if verdict is None:  # NaN or infinities among the differences, or another dtype
        if exp.dtype.kind in "fc" and np.isnan(got).any() and not np.isnan(exp).any():
            return Mismatch(where, f"`{where}` contains NaN: a division by zero, a log of a "
                                   f"negative number or an overflow upstream.", "nan")
        diff = np.abs(got.astype(np.complex128) - exp.astype(np.complex128))
        diff = np.where(np.isnan(diff), np.inf, diff)
        bad = int(np.count_nonzero(~np.isclose(got, exp, rtol=tolerance.rtol if tolerance else 0,
                                               atol=tolerance.atol if tolerance else 0, equal_nan=True)))
    worst = np.unravel_index(int(np.argmax(diff)), diff.shape) if diff.ndim else ()
    at = f" at index {tuple(int(i) for i in worst)}" if worst else ""
    return Mismatch(
        where,
        f"`{where}` has the right shape but {bad} of {exp.size} values differ; "
        f"largest difference{at}: expected {_fmt(exp[worst] if worst else exp)}, "
        f"got {_fmt(got[worst] if worst else got)}."
        f"{_values_pattern(got, exp, rtol, atol, ok if verdict is not None else None)}",
        "values",
    )


#: ``_values_pattern``'s sentence for an output whose every value is 0 (a case's runner says it once).
ALL_ZERO = (" Every value is 0: check that it is filled in (assigned or stored into), not only created, "
            "and that what it is computed from is not all zeros.")
#: What a later output of the same case says instead.
ALL_ZERO_AGAIN = " Every value is 0 as well."
#: The advice of ``_values_pattern``'s sentence of an output that is the expected times one factor.
FACTOR_ADVICE = ": look for a term added more than once, or a factor (a mean for a sum) that should not be there."


def fact_only(message: str) -> str:
    """``message`` without the general advice of ``ALL_ZERO`` and of the factor's sentence, the fact
    kept ("Every value is 0.", "Every value is 0.1 times the expected one."): for a case whose likely
    mistake, a known one, names the fix (thirty-eighth session: "look for a term added more than
    once, or a factor (a mean for a sum)" above "Likely mistake: `dba` is the sum of `dtanh` over the
    examples, not their mean", in real notebooks)."""
    if message.endswith(ALL_ZERO):
        return message[:-len(ALL_ZERO)] + " Every value is 0."
    if message.endswith(FACTOR_ADVICE):
        return message[:-len(FACTOR_ADVICE)] + "."
    return message


def _values_pattern(got: np.ndarray, exp: np.ndarray, rtol: float, atol: float,
                    ok: np.ndarray | None = None) -> str:
    """What the wrong values of two real arrays of one shape have in common, when they share one
    pattern a student can act on: all zeros (never filled in), the expected values transposed (a
    square gradient, ``np.dot(a_prev, dtanh.T)``), the expected times one factor (a sum counted
    twice: 2; a sign: -1), each time step holding the value of the step before (stored before it
    was computed) or the steps in reverse order, or every difference at one index of a sequence's last axis (one time
    step). "" otherwise (the thirty-first session: such outputs were told only their largest
    difference). ``ok``: which values are close, when the caller knows (finite differences:
    ``_float_verdict``); else worked out here. Only wrong values come here, each a few tens of
    microseconds: one factor read where the expected value is largest, no second closeness test."""
    if got.dtype.kind not in "biuf" or exp.dtype.kind not in "biuf" or got.size < 2:
        return ""
    if ok is None:
        if not np.isfinite(got).all() or not np.isfinite(exp).all():
            return ""
        ok = np.isclose(got, exp, rtol=rtol, atol=atol)
    if not got.any():
        return ALL_ZERO
    with np.errstate(all="ignore"):
        if got.ndim == 2 and got.shape[0] == got.shape[1] and np.allclose(got, exp.T, rtol=rtol, atol=atol):
            return (" It holds the expected values transposed (row i where column i belongs): check the order "
                    "of the product that made it, and its transposes.")
        # The factor read where the expected value is largest: if every value is that factor
        # times the expected one, it is read there as well as anywhere (a median cost a sort).
        largest = int(np.argmax(np.abs(exp)))
        if abs(float(exp.flat[largest])) > max(atol, 1e-12):
            factor = float(got.flat[largest]) / float(exp.flat[largest])
            if factor != 0 and not math.isclose(factor, 1.0, rel_tol=1e-3) \
                    and np.allclose(got, factor * exp, rtol=max(rtol, 1e-6), atol=atol):
                if math.isclose(factor, -1.0, rel_tol=1e-6):
                    return " Every value has the opposite sign of the expected one: check the sign of a term."
                return f" Every value is {factor:.4g} times the expected one{FACTOR_ADVICE}"
    if got.ndim == 3 and got.shape[-1] > 1:
        # Stored before the step computed it (``c[:, :, t] = c_next`` above the call): each step holds
        # the value of the step before (thirty-second session; said only of the largest difference).
        with np.errstate(all="ignore"):
            if np.allclose(got[..., 1:], exp[..., :-1], rtol=rtol, atol=atol):
                return (" Each time step holds the value expected at the step before it (`[:, :, t]` holds what "
                        "`[:, :, t - 1]` should): it is stored before the step computes its own. Store it after.")
            if got.shape[-1] > 2 and np.allclose(got[..., ::-1], exp, rtol=rtol, atol=atol):
                # Thirty-fourth session: `dx[:, :, T_x - 1 - t] = dxt` in a loop over reversed(range(T_x)).
                return (" It holds the time steps in reverse order (`[:, :, 0]` holds what the last step should): "
                        "store each step's value at its own `t`, `[:, :, t]`, whichever way the loop runs.")
        steps = np.flatnonzero(~ok.all(axis=(0, 1)))
        if len(steps) == 1:
            t = int(steps[0])
            return (f" The values that differ are all at index {t} of the last axis (`[:, :, {t}]`, time step "
                    f"{t}): check what is computed or stored for that step.")
    return ""


def _first_differs(got: np.ndarray, exp: np.ndarray, rtol: float, atol: float) -> bool:
    """Whether the first numbers of two float64 arrays of one shape differ by more than the
    tolerance, by a finite amount: the arrays are then not close, whatever the rest holds (see
    ``_close``: np.isclose computes the same formula for finite numbers). Python floats are
    float64 and their arithmetic is NumPy's, element for element; a verdict that cannot be
    given this way (NaN, infinities, another dtype, an empty array) is False. A wrong value
    (a known mistake tried against a student's, a step of a reference trace that is not this
    one) is most often told apart here, in a microsecond, without a ufunc."""
    if (got.dtype != _FLOAT64 or exp.dtype != _FLOAT64 or not got.size
            or not (0.0 <= rtol < math.inf and 0.0 <= atol < math.inf)):
        return False
    expected = exp.item(0)
    difference = abs(got.item(0) - expected)
    return difference < math.inf and not difference <= atol + rtol * abs(expected)


def _float_verdict(got: np.ndarray, exp: np.ndarray, rtol: float,
                   atol: float) -> tuple[np.ndarray, np.ndarray] | None:
    """``(|got - exp|, |got - exp| <= atol + rtol * |exp|)``, element by element, for two float64
    arrays of one shape whose differences are all finite (so are their numbers) with finite
    non-negative tolerances; else None.

    For such arrays ``|got - exp|`` is what the absolute value of the difference as complex
    numbers gives, and the comparison is np.isclose's verdict, element for element: close
    values are decided, and the message about a difference written, without np.isclose. One
    subtraction serves both, and the counts are taken with ``np.count_nonzero``, several
    times cheaper than ``ndarray.all`` on the small arrays graded here.
    """
    if (got.dtype != _FLOAT64 or exp.dtype != _FLOAT64
            or not (0.0 <= rtol < math.inf and 0.0 <= atol < math.inf)):
        return None
    with np.errstate(invalid="ignore", over="ignore"):
        difference = got - exp
        if np.count_nonzero(np.isfinite(difference)) != difference.size:
            return None
        diff = np.abs(difference)
        return diff, diff <= atol + rtol * np.abs(exp)


def _close(got: np.ndarray, exp: np.ndarray, rtol: float, atol: float) -> bool:
    """``np.allclose(..., equal_nan=True)`` for same-shape arrays, several times faster on the
    small arrays graded here (np.allclose builds intermediate arrays and checks a lot).

    Identical bytes of the same dtype are equal whatever the tolerance (NaN included,
    as ``equal_nan`` wants): that test costs a memcmp, and it is the common case
    (a cache holding the inputs, a correct student's values computed the same way).
    Two float64 arrays whose differences are all finite (so are their numbers) are
    judged by ``|got - exp| <= atol + rtol * |exp|`` alone, which is what ``np.isclose``
    computes for finite numbers with non-negative tolerances: a wrong value (a known
    mistake tried against a student's, a step of a reference trace that is not this one)
    costs one more ufunc, not np.allclose. NaN, infinities and other dtypes go to np.allclose.
    """
    if got.dtype == exp.dtype and got.tobytes() == exp.tobytes():
        return True
    if _first_differs(got, exp, rtol, atol):
        return False
    verdict = _float_verdict(got, exp, rtol, atol)
    if verdict is not None:
        return int(np.count_nonzero(verdict[1])) == verdict[1].size
    return _undecided_close(got, exp, rtol, atol)


def _undecided_close(got: np.ndarray, exp: np.ndarray, rtol: float, atol: float) -> bool:
    """The end of ``_close``, for arrays ``_float_verdict`` cannot judge (NaN or infinities
    among the differences, another dtype): np.allclose's verdict, ``equal_nan`` for numbers."""
    if got.dtype.kind in "fc" or exp.dtype.kind in "fc":
        # Not the bound alone: with an infinity in exp, atol + rtol * |exp| is infinite too and
        # would take any number; np.allclose accepts an infinity only where both sides hold it.
        return bool(np.allclose(got, exp, rtol=rtol, atol=atol, equal_nan=True))
    if rtol == 0.0 and atol == 0.0:
        return bool(np.array_equal(got, exp))
    return bool(np.allclose(got, exp, rtol=rtol, atol=atol))


_FLOAT64 = np.dtype(np.float64)


def _plain_equal(a: Any, b: Any, rtol: float, atol: float) -> bool:
    """Structural equality without messages: the hot path of stubs and mutation checks."""
    if a is b:  # one object (a parameters dict shared by every step): equal, NaN included
        return True
    if isinstance(a, np.ndarray) and isinstance(b, np.ndarray):
        return a.shape == b.shape and _close(a, b, rtol, atol)
    if isinstance(a, dict):
        return (isinstance(b, dict) and a.keys() == b.keys()
                and all(_plain_equal(a[k], b[k], rtol, atol) for k in a))
    if isinstance(a, (tuple, list)) and isinstance(b, (tuple, list)):
        return len(a) == len(b) and all(_plain_equal(x, y, rtol, atol) for x, y in zip(a, b))
    ga, gb = _as_array(a), _as_array(b)
    if ga is not None and gb is not None:
        return ga.shape == gb.shape and _close(ga, gb, rtol, atol)
    return type(a) is type(b) and a == b


def _numeric_sequence(value: Any) -> bool:
    return bool(value) and all(_is_number(v) for v in value)


def _fmt(x: Any) -> str:
    x = np.asarray(x).item()
    return f"{x:.8g}" if isinstance(x, float) else repr(x)


def check_allclose(student: Any, expected: Any, *, tolerance: Tolerance, name: str) -> Mismatch | None:
    """Structure, shapes and values within ``tolerance``."""
    return _compare(student, expected, name, tolerance=tolerance, values=True)


def check_exact(student: Any, expected: Any, *, tolerance: Tolerance, name: str) -> Mismatch | None:
    """Structure, shapes and values exactly equal (tolerance ignored)."""
    return _compare(student, expected, name, tolerance=None, values=True)


def check_shape(student: Any, expected: Any, *, tolerance: Tolerance, name: str) -> Mismatch | None:
    """Structure and shapes only: for outputs whose values are graded elsewhere."""
    return _compare(student, expected, name, tolerance=tolerance, values=False)


def check_structure(student: Any, expected: Any, *, tolerance: Tolerance, name: str) -> Mismatch | None:
    """Containers only: types, lengths and keys, not array shapes or values."""
    if isinstance(expected, np.ndarray) or _is_number(expected):
        if _as_array(student) is None:
            return Mismatch(name, f"`{name}` should be {describe(expected)}, "
                                  f"got {describe(student)}.", "type")
        return None
    if isinstance(expected, dict):
        if not isinstance(student, dict):
            return Mismatch(name, f"`{name}` should be a dict, got {describe(student)}.", "type")
        missing = [k for k in expected if k not in student]
        if missing:
            return Mismatch(name, f"`{name}` is missing the key(s) {missing}.", "keys")
        for key in expected:
            found = check_structure(student[key], expected[key], tolerance=tolerance,
                                    name=f"{name}[{key!r}]")
            if found:
                return found
        return None
    if isinstance(expected, (tuple, list)):
        if not isinstance(student, (tuple, list)):
            return Mismatch(name, f"`{name}` should be {describe(expected)}, "
                                  f"got {describe(student)}.", "type")
        if len(student) != len(expected):
            return _length_mismatch(name, student, expected, tolerance=tolerance)
        for i, (s, e) in enumerate(zip(student, expected)):
            found = check_structure(s, e, tolerance=tolerance, name=f"{name}[{i}]")
            if found:
                return found
    return None


def _length_mismatch(where: str, student: Sequence[Any], expected: Sequence[Any], *,
                     tolerance: Tolerance | None = None) -> Mismatch:
    """A list or tuple of another length than the reference's; an empty list is said to be one (the
    template's ``None`` left where ``caches.append(cache)`` belongs: "got 0" alone, in real notebooks);
    elements missing or extra are named where the others are the expected ones (``_gap``)."""
    empty = " It is an empty list: nothing was appended to it." if isinstance(student, list) and not student else ""
    gap = "" if empty else _gap(student, expected, tolerance=tolerance)
    return Mismatch(where, f"`{where}` should have {len(expected)} elements, got {len(student)}.{empty}{gap}", "length")


#: The most elements ``_gap`` compares from each end of a list or tuple of another length.
_MOST_GAP_ELEMENTS = 64


def _gap(student: Sequence[Any], expected: Sequence[Any], *, tolerance: Tolerance | None) -> str:
    """`` " " +`` which elements are missing or extra when all the others agree with the reference's, in
    order (thirty-sixth session: "`cache` should have 10 elements, got 9" did not say that the 10th, the
    parameters, was left out, nor "`caches[0]` should have 5 elements, got 4" that the last step was):
    "The 10th (the last) is missing; the other 9 are right." "" when the elements show no such gap."""
    shorter, longer = (student, expected) if len(student) < len(expected) else (expected, student)
    extra = len(longer) - len(shorter)
    if not shorter or extra > 2 or len(shorter) > 2 * _MOST_GAP_ELEMENTS:
        return ""

    def same(k: int, j: int) -> bool:  # the shorter's k-th and the longer's j-th, compared quietly
        s, e = (shorter[k], longer[j]) if shorter is student else (longer[j], shorter[k])
        return _compare(s, e, "", tolerance=tolerance, values=True, quiet=True) is None

    head = next((k for k in range(len(shorter)) if not same(k, k)), len(shorter))
    tail = next((k for k in range(len(shorter) - head) if not same(len(shorter) - 1 - k, len(longer) - 1 - k)),
                len(shorter) - head)
    if head + tail < len(shorter):
        return ""
    first = head + 1  # counted from 1, in the longer one
    places = ordinal(first) if extra == 1 else f"{ordinal(first)} and {ordinal(first + 1)}"
    two = "" if extra == 1 else " two"
    said = f"first{two}" if first == 1 else f"last{two} (the {places})" if first + extra - 1 == len(longer) \
        else places
    verb = ("is" if extra == 1 else "are") + (" missing" if shorter is student else " extra")
    others = "the other one is" if len(shorter) == 1 else f"the other {len(shorter)} are"
    return f" The {said} {verb}; {others} right."


CheckFn = Callable[..., "Mismatch | None"]

#: Rubric check kind -> comparison. Add a kind here and it is usable from YAML.
CHECKS: Mapping[str, CheckFn] = MappingProxyType({
    "allclose": check_allclose,
    "exact": check_exact,
    "shape": check_shape,
    "structure": check_structure,
})


def _agrees_allclose(student: Any, expected: Any, tolerance: Tolerance) -> bool:
    """``check_allclose(...) is None``, quietly."""
    return _compare(student, expected, "", tolerance=tolerance, values=True, quiet=True) is None


def _agrees_exact(student: Any, expected: Any, tolerance: Tolerance) -> bool:
    """``check_exact(...) is None``, quietly."""
    return _compare(student, expected, "", tolerance=None, values=True, quiet=True) is None


#: Check kinds whose verdict ``agrees`` finds without writing the message (the others' messages
#: cost nothing worth saving).
_QUIET: Mapping[str, Callable[[Any, Any, Tolerance], bool]] = MappingProxyType({
    "allclose": _agrees_allclose,
    "exact": _agrees_exact,
})


def agrees(kind: str, student: Any, expected: Any, *, tolerance: Tolerance, name: str) -> bool:
    """Whether ``CHECKS[kind](student, expected, tolerance=tolerance, name=name)`` is None.

    The same walk in the same order, without writing a message for numbers that differ
    (counting them, finding the largest difference): for callers that only need the
    verdict, such as recognising a known mistake in a student's value.
    """
    quiet = _QUIET.get(kind)
    if quiet is None:
        return CHECKS[kind](student, expected, tolerance=tolerance, name=name) is None
    return quiet(student, expected, tolerance)


def plain_equal(a: Any, b: Any, *, rtol: float = 0.0, atol: float = 0.0) -> bool:
    """Whether two plain-data values are equal in structure and (within tolerance) values."""
    return _plain_equal(a, b, rtol, atol)
