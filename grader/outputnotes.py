"""What a wrong output shows, in a sentence for the student (read by the runner's diagnosis,
:mod:`grader.runner`): a dict without a key the function's own statements name, a tuple in another
order, ``None`` or nothing computed, an output with another output's shape, values in other
positions. Hidden cases are told without their inputs (:func:`hidden_message`)."""
from __future__ import annotations

import ast
from types import MappingProxyType
from typing import Any, Iterator, Sequence

from grader import checks, hintcode


def missing_key_hint(outcome: Any, args: Sequence, names: Sequence[str]) -> str:
    """For a KeyError whose key no dict argument holds (``parameters["Wu"]`` where the course
    names the update gate ``Wi``): the keys each such argument does hold, by the student's
    parameter name, and for the statement's names of the update gate (``Wu``, ``W_u``, ``bu``,
    ``b_u``, see ``_STATEMENT_KEYS``) one sentence saying how ``parameters`` stores them, when
    an argument holds that key. "" for any other error."""
    if outcome.error_type != "KeyError":
        return ""
    text = outcome.message
    if text.startswith("KeyError:"):
        text = text[len("KeyError:"):]
    try:
        key = ast.literal_eval(text.strip())
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return ""
    if not isinstance(key, str):
        return ""
    said = []
    stored = _STATEMENT_KEYS.get(key)
    renamed = ""
    for index, arg in enumerate(args):
        if isinstance(arg, dict) and arg and key not in arg and all(isinstance(k, str) for k in arg):
            name = f"`{names[index]}`" if index < len(names) else f"argument {index + 1}"
            said.append(f"If you read it from {name}: its keys are {', '.join(arg)}.")
            if stored is not None and stored in arg and not renamed:
                renamed = (f'The statement\'s W_u and b_u (the update gate) are stored in {name} '
                           f'as "Wi" and "bi".')
    return " ".join([*said, renamed] if renamed else said)


#: The statement writes the LSTM's update gate as W_u, b_u; ``parameters`` holds it as "Wi", "bi"
#: (the template's docstrings say so): a key a student may read from the statement -> the key held.
_STATEMENT_KEYS = MappingProxyType({"Wu": "Wi", "W_u": "Wi", "bu": "bi", "b_u": "bi"})


def dict_keys(value: Any) -> set[str]:
    found: set[str] = set()
    if isinstance(value, dict):
        found |= {k for k in value if isinstance(k, str)}
        for v in value.values():
            found |= dict_keys(v)
    elif isinstance(value, (tuple, list)):
        for v in value:
            found |= dict_keys(v)
    return found


def returned_names(specs: Sequence[Any]) -> list[str]:
    """The names of the values a part returns, as the rubric names its outputs (``a``, ``caches``)."""
    return list(dict.fromkeys(spec.name.split("[")[0].split(".")[0] for spec in specs))


def returned_none(function: str, specs: Sequence[Any]) -> str:
    """The message of a case whose function returned None where it must return outputs (a
    ``return`` left out or not reached): what it must return, named as the rubric names it."""
    listed = ", ".join(f"`{name}`" for name in returned_names(specs))
    return (f"`{function}` returned None: it must return {listed}. Is its `return` statement "
            f"missing, or not reached?")


def not_a_dict(function: str, value: Any, specs: Sequence[Any]) -> str:
    """``rnn_cell_backward`` returned ``(dxt, da_prev, ...)`` where the rubric reads a dict's keys:
    what it returned, and the dict to return, with the keys the rubric names."""
    keys = list(dict.fromkeys(spec.path[0] for spec in specs if spec.path and isinstance(spec.path[0], str)))
    written = ", ".join(f'"{key}": {key}' for key in keys)
    return (f"`{function}` returned {checks.describe(value)}, where a dict is asked for, its values found by name: "
            f"return `{{{written}}}`.")


def not_a_tuple(function: str, value: dict, specs: Sequence[Any]) -> str:
    """``rnn_cell_forward`` returned ``{"a_next": a_next, ...}`` where the rubric reads values by
    position: what it returned, and the values to return, in the order the rubric names them."""
    names = returned_names([spec for spec in specs if spec.path and isinstance(spec.path[0], int)])
    keys = ", ".join(f"`{key}`" for key in list(value)[:10] if isinstance(key, str))
    return (f"`{function}` returned a dict ({f'keys {keys}' if keys else 'no keys named by words'}), where "
            f"its values are read in order: return them as a tuple, `return {', '.join(names)}`.")


def order_problem(value: Any, expected: Any, specs: Sequence[Any], failed: Sequence[Any], tol: Any) -> str:
    """A sentence when every failed output is a value of the returned tuple (path ``(k,)``) that
    holds, within ``tol``, what another of them should: the right values in another order; or,
    for a returned dict (path ``("dWax",)``), the right values under each other's keys (``dWax``
    computed from ``a_prev`` and ``dWaa`` from ``xt``, each with the other's shape). ""."""
    places = {spec.path[0]: spec.name for spec in specs if len(spec.path) == 1 and isinstance(spec.path[0], (int, str))}
    if len(failed) < 2 or any(len(spec.path) != 1 or spec.path[0] not in places for spec in failed):
        return ""
    holds = []
    for spec in failed:
        try:
            got = checks.get_path(value, spec.path)
        except (LookupError, ValueError):
            return ""
        other = next((name for index, name in places.items() if index != spec.path[0]
                      and checks.check_allclose(got, checks.get_path(expected, (index,)), tolerance=tol,
                                                name=name) is None), None)
        if other is None:
            return ""
        holds.append((spec, other))
    if all(isinstance(spec.path[0], str) for spec, _other in holds):
        told = " and ".join(f"`{spec.name}` holds what `{other}` should" for spec, other in holds)
        return (f"Of the values returned, {told}: the values are right, each under another's name. Check which "
                f"input each one is computed from, and the key each is stored under.")
    if any(isinstance(spec.path[0], str) for spec, _other in holds):
        return ""
    listed = ", ".join(name for _index, name in sorted(places.items()))
    said = " and ".join(f"your {hintcode.ordinal(spec.path[0] + 1)} is `{other}`" for spec, other in holds)
    return (f"Of the values returned, {said}: the values are right, in another order. "
            f"Return them in the order asked for: `return {listed}`.")


#: The longest tuple output whose values ``inner_order`` matches each with each (a cache holds 4 or 10).
MOST_REORDERED = 16


def inner_order(value: Any, expected: Any, failed: Sequence[Any], tol: Any) -> tuple[str, tuple[int, ...]] | None:
    """``(name, order)`` for the first failed output (a returned value, path ``(k,)``) that is a tuple
    or list holding, within ``tol``, exactly the expected one's values in another order (a cache
    stored as ``(a_next, a_prev, c_next, ...)``): ``order[j]`` is the place in the student's tuple of the
    value the expected one holds ``j``-th. None otherwise (thirty-fifth session: told "`cache[1]` has
    the right shape but 50 of 50 values differ" only)."""
    for spec, got, want in _returned_pairs(value, expected, failed):
        if not (isinstance(got, (tuple, list)) and isinstance(want, (tuple, list))
                and 1 < len(got) == len(want) <= MOST_REORDERED):
            continue
        order, free = [], set(range(len(got)))
        for wanted in want:
            place = next((i for i in sorted(free) if checks.check_allclose(got[i], wanted, tolerance=tol, name=spec.name)
                          is None), None)
            if place is None:
                break
            order.append(place)
            free.discard(place)
        if len(order) == len(want) and order != sorted(order):
            return spec.name, tuple(order)
    return None


def repeated_value(value: Any, expected: Any, failed: Sequence[Any], tol: Any) -> tuple[str, int, int] | None:
    """``(name, place, other)`` for the first failed output (a returned value, path ``(k,)``) that is a
    tuple or list whose value at ``place`` is wrong and equal, within ``tol``, to the one at ``other``,
    which is right: one value stored twice (``cache = (a_next, a_next, xt, parameters)``; thirty-sixth
    session: told "`cache[1]` has the right shape but 50 of 50 values differ" only). None otherwise."""
    for spec, got, want in _returned_pairs(value, expected, failed):
        if not (isinstance(got, (tuple, list)) and isinstance(want, (tuple, list))
                and 1 < len(got) == len(want) <= MOST_REORDERED):
            continue
        right = [checks.check_allclose(g, w, tolerance=tol, name=spec.name) is None for g, w in zip(got, want)]
        for place, item in enumerate(got):
            if right[place]:
                continue
            other = next((j for j in range(len(got)) if j != place and right[j]
                          and checks.check_allclose(item, got[j], tolerance=tol, name=spec.name) is None), None)
            if other is not None:
                return spec.name, place, other
    return None


def _returned_pairs(value: Any, expected: Any, failed: Sequence[Any]) -> Iterator[tuple[Any, Any, Any]]:
    """``(spec, student's, expected)`` of each failed output that is a returned value or key (path
    ``(k,)``) both values hold."""
    for spec in failed:
        if len(spec.path) != 1:
            continue
        try:
            yield spec, checks.get_path(value, spec.path), checks.get_path(expected, spec.path)
        except (LookupError, ValueError, TypeError):
            continue


def shape_of_another(value: Any, expected: Any, specs: Sequence[Any], failed: Sequence[Any]) -> str:
    """A sentence for the first failed output (a returned value or key) whose shape is not its own
    expected one but another output's (``dxt`` of shape (5, 10) where ``da_prev`` has it): it may be
    computed as that one is. "" otherwise, and when several other outputs have that shape, and when
    it differs from its own only where that one has a single entry: a sum left out (``dba = dtanh``,
    of ``da_prev``'s shape, was told to check its weight and input; thirty-sixth session), which the
    shape's own sentence says."""
    for spec, got, want in _returned_pairs(value, expected, failed):
        shape, wanted = getattr(got, "shape", None), getattr(want, "shape", None)
        if not isinstance(shape, tuple) or not isinstance(wanted, tuple) or shape == wanted or len(shape) < 2 \
                or (len(shape) == len(wanted) and all(w in (s, 1) for s, w in zip(shape, wanted))):
            continue
        others = []
        for other in specs:
            if other is spec or len(other.path) != 1:
                continue
            try:
                theirs = getattr(checks.get_path(expected, other.path), "shape", None)
            except (LookupError, ValueError, TypeError):
                continue
            if theirs == shape:
                others.append(other.name)
        if len(others) == 1:
            return (f"`{spec.name}` has the shape {shape} that `{others[0]}` should have, not its own {wanted}: it "
                    f"may be computed the way `{others[0]}` is. Check which weight and input it is computed from.")
    return ""


def normalised_elsewhere(value: Any, expected: Any, failed: Sequence[Any]) -> str:
    """For the first failed output that should sum to 1 down each column (a softmax over the classes,
    each column one example) and sums to 1 over the whole array or along each row instead: the axis
    it was normalised over. Thirty-seventh session: a softmax written `np.exp(z) / np.sum(np.exp(z))`
    was told "values differ" alone. ""."""
    import numpy as np

    for spec, got, want in _returned_pairs(value, expected, failed):
        if not (isinstance(got, np.ndarray) and isinstance(want, np.ndarray) and got.shape == want.shape
                and want.ndim == 2 and want.shape[1] > 1 and got.dtype.kind == "f" and want.dtype.kind == "f"):
            continue
        with np.errstate(all="ignore"):
            if not np.allclose(want.sum(axis=0), 1.0):
                continue
            if np.isclose(got.sum(), 1.0):
                over = "the whole array at once"
            elif want.shape[0] > 1 and np.allclose(got.sum(axis=1), 1.0):
                over = "each row (axis 1, across the examples)"
            else:
                continue
        return (f"`{spec.name}` sums to 1 over {over}: a softmax normalises each column (axis 0), one example's "
                f"scores, `np.exp(z) / np.sum(np.exp(z), axis=0, keepdims=True)`.")
    return ""


def transposed_scaled_or_shifted(value: Any, expected: Any, failed: Sequence[Any], tol: Any, *,
                                 hidden: bool = False) -> str:
    """For the first failed output of the expected shape that is, within the case's tolerance, the
    expected array transposed (a square one: its shape cannot tell, ``np.dot(a_prev, dtanh.T)`` for
    ``dWaa``), the expected one times a constant other than 0 and 1 (``np.dot(dtanh, xt.T) / m``), or
    the expected steps one slot late or early along the last axis (``c[:, :, t] = c_next`` above the
    call that makes ``c_next``): what it is. Thirty-eighth session: each told "values differ" alone.
    Read only once a case failed and no known mistake, dependency's input or formula explained it. A
    ``hidden`` case is not told its factor (``1/8`` would show its number of examples). ""."""
    import numpy as np

    for spec, got, want in _returned_pairs(value, expected, failed):
        if not (isinstance(got, np.ndarray) and isinstance(want, np.ndarray) and got.shape == want.shape
                and want.ndim >= 2 and got.dtype.kind == "f" and want.dtype.kind == "f" and want.size > 1
                and np.isfinite(got).all() and np.abs(want).max() > 0):
            continue
        name = spec.name

        def near(a, b):
            return checks.agrees("allclose", a, b, tolerance=tol, name=name)

        if want.ndim == 2 and want.shape[0] == want.shape[1] > 1 and near(got.T, want):
            gradient = (" A weight's gradient is the gradient times the input's transpose, as in "
                        "`np.dot(dtanh, a_prev.T)`.") if name.startswith("dW") else ""
            return (f"`{name}` holds the transpose of the right values (a square array: its shape does not show "
                    f"it): the product that makes it has its two sides in the other order, or transposed.{gradient}")
        biggest = np.unravel_index(np.argmax(np.abs(want)), want.shape)
        factor = float(got[biggest] / want[biggest])
        if np.isfinite(factor) and abs(factor) > 1e-3 and not np.isclose(factor, 1.0) and near(got, want * factor):
            if np.isclose(factor, -1.0):
                return (f"`{name}` is the right value with its sign flipped at every entry: a subtraction on the lines "
                        f"that make it is written the other way round (`b - a` for `a - b`), or a minus is one too "
                        f"many.")
            inverse = 1 / factor
            times = "a constant" if hidden else (
                f"1/{round(inverse)}" if abs(inverse - round(inverse)) < 1e-6 and abs(inverse) > 1 else f"{factor:.6g}")
            return (f"`{name}` is {times} times the right values at every entry: its formula is right but for "
                    f"that factor. Look for a division (or a product) by a size or a number on the lines that make "
                    f"it, which the formula does not have.")
        steps = want.shape[-1]
        if want.ndim >= 3 and steps > 1:
            if near(got[..., 1:], want[..., :-1]):
                return (f"`{name}` holds each step's value one slot late: its slice `[..., t]` holds step t - 1's "
                        f"(and its first, step 0's slot, what the loop started from). Store each step's value after "
                        f"the line that computes it, in its own slot: move the line that fills `{name}[:, :, t]` "
                        f"below the call of that step.")
            if near(got[..., :-1], want[..., 1:]):
                return (f"`{name}` holds each step's value one slot early: its slice `[..., t]` holds step t + 1's. "
                        f"Store the value of step `t` in `{name}[:, :, t]`.")
    return ""


def square_for_column(value: Any, expected: Any, failed: Sequence[Any]) -> bool:
    """Whether a failed output is a square array where a column of that many rows is expected ((6, 6)
    for (6, 1)): what a column plus its transpose, a row, makes (``np.dot(Waa, a_prev) + ba.T`` with
    one example)."""
    for _spec, got, want in _returned_pairs(value, expected, failed):
        shape, wanted = getattr(got, "shape", None), getattr(want, "shape", None)
        if isinstance(shape, tuple) and isinstance(wanted, tuple) and len(wanted) == 2 and wanted[1] == 1 \
                and wanted[0] > 1 and shape == (wanted[0], wanted[0]):
            return True
    return False


def computes_nothing(value: Any, expected: Any, *, inputs: Sequence[Any] = ()) -> bool:
    """Whether every array in a known mistake's ``value`` is all zeros where the reference's
    ``expected`` holds some array that is not: on such a case (``rnn_backward/first_step_skipped``
    with T_x = 1 runs no step) the mistake's outputs are those of any that computes nothing, such as
    ``da_prevt`` passed without ``da[:, :, t]`` or ``da0`` never set. An array equal to one of the
    case's ``inputs`` is carried, not computed (``x`` in ``caches``): ``range(1, T_x)`` on T_x = 1
    returns it, and was named for the empty caches of a loop that never appended to them, whose a
    and y were right (a real notebook of the thirty-third session)."""
    given = [arg for arg in inputs if hasattr(arg, "dtype")]
    arrays: list[tuple[Any, Any]] = []

    def walk(got: Any, want: Any) -> None:
        if isinstance(got, (list, tuple)) and isinstance(want, (list, tuple)):
            for pair in zip(got, want):
                walk(*pair)
        elif isinstance(got, dict) and isinstance(want, dict):
            for key in got.keys() & want.keys():
                walk(got[key], want[key])
        elif hasattr(got, "dtype") and hasattr(want, "dtype") and getattr(got, "size", 0) \
                and not any(checks.plain_equal(got, arg) for arg in given):
            arrays.append((got, want))

    walk(value, expected)
    return bool(arrays) and not any(got.any() for got, _ in arrays) and any(want.any() for _, want in arrays)


def positions_agree(student: Any, expected: Any, path: tuple) -> bool:
    """Whether every list or tuple on ``path`` has the length of the reference's there: where one
    does not (``caches.append(cache)`` twice, 14 caches for 7), the value at a place is not the one
    the reference holds there, and memory shared between two places says nothing of a mistake."""
    for key in path:
        if isinstance(student, (list, tuple)) and isinstance(expected, (list, tuple)) \
                and len(student) != len(expected):
            return False
        try:
            student, expected = student[key], expected[key]
        except (LookupError, TypeError):
            return False
    return True


def hidden_message(mismatch: checks.Mismatch) -> str:
    """What a student may learn from a hidden case: which output, and the kind of difference."""
    kinds = {
        "missing": "missing", "type": "wrong type", "length": "wrong number of elements",
        "keys": "missing keys", "shape": "wrong shape", "nan": "contains NaN", "values": "wrong values",
    }
    return f"`{mismatch.where}`: {kinds.get(mismatch.kind, 'differs')}"
