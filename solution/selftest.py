"""Self-test of the reference solution: the printed Expected Output values and the gradient checks.

Run from the repository root::

    python3 -m solution.selftest          # exit status 0 when everything holds

It prints one line per printed table row of the assignment (45 rows: 23
numbers or arrays, 3 lengths, 19 shapes) and one line per backward function
and shape with the worst relative error of its gradients against centred
finite differences.  The tests (tests/test_solution_expected.py,
tests/test_solution_gradcheck.py) assert the same facts.
"""

import sys
from dataclasses import dataclass

import numpy as np

from solution import rnn
from solution.gradcheck import eval_numerical_gradient_array, rel_error, richardson_gradient_array
from solution.setups import BUILDERS, EXAMPLES

__all__ = [
    "PRINTED", "PrintedResult", "GradientResult", "format_like_printed", "printed_value",
    "reproduce_printed", "gradient_problem", "check_gradients", "GRADIENT_SHAPES", "main",
]

# Each row: (function, expression as printed by the notebook, printed text), from shared/assignment.md.
# The expression is evaluated on the function's outputs bound to the notebook's names (OUTPUT_NAMES).
PRINTED = (
    ("rnn_cell_forward", "a_next[4]",
     "[ 0.59584544 0.18141802 0.61311866 0.99808218 0.85016201 0.99980978 -0.18887155 0.99815551"
     " 0.6531151 0.82872037]"),
    ("rnn_cell_forward", "a_next.shape", "(5, 10)"),
    ("rnn_cell_forward", "yt[1]",
     "[ 0.9888161 0.01682021 0.21140899 0.36817467 0.98988387 0.88945212 0.36920224 0.9966312 0.9982559"
     " 0.17746526]"),
    ("rnn_cell_forward", "yt.shape", "(2, 10)"),
    ("rnn_forward", "a[4][1]", "[-0.99999375 0.77911235 -0.99861469 -0.99833267]"),
    ("rnn_forward", "a.shape", "(5, 10, 4)"),
    ("rnn_forward", "y[1][3]", "[ 0.79560373 0.86224861 0.11118257 0.81515947]"),
    ("rnn_forward", "y.shape", "(2, 10, 4)"),
    ("rnn_forward", "cache[1][1][3]", "[-1.1425182 -0.34934272 -0.20889423 0.58662319]"),
    ("rnn_forward", "len(cache)", "2"),
    ("lstm_cell_forward", "a_next[4]",
     "[-0.66408471 0.0036921 0.02088357 0.22834167 -0.85575339 0.00138482 0.76566531 0.34631421"
     " -0.00215674 0.43827275]"),
    ("lstm_cell_forward", "a_next.shape", "(5, 10)"),
    ("lstm_cell_forward", "c_next[2]",
     "[ 0.63267805 1.00570849 0.35504474 0.20690913 -1.64566718 0.11832942 0.76449811 -0.0981561"
     " -0.74348425 -0.26810932]"),
    ("lstm_cell_forward", "c_next.shape", "(5, 10)"),
    ("lstm_cell_forward", "yt[1]",
     "[ 0.79913913 0.15986619 0.22412122 0.15606108 0.97057211 0.31146381 0.00943007 0.12666353"
     " 0.39380172 0.07828381]"),
    ("lstm_cell_forward", "yt.shape", "(2, 10)"),
    ("lstm_cell_forward", "cache[1][3]",
     "[-0.16263996 1.03729328 0.72938082 -0.54101719 0.02752074 -0.30821874 0.07651101 -1.03752894"
     " 1.41219977 -0.37647422]"),
    ("lstm_cell_forward", "len(cache)", "10"),
    ("lstm_forward", "a[4][3][6]", "0.172117767533"),
    ("lstm_forward", "a.shape", "(5, 10, 7)"),
    ("lstm_forward", "y[1][4][3]", "0.95087346185"),
    ("lstm_forward", "y.shape", "(2, 10, 7)"),
    ("lstm_forward", "caches[1][1][1]",
     "[ 0.82797464 0.23009474 0.76201118 -0.22232814 -0.20075807 0.18656139 0.41005165]"),
    ("lstm_forward", "c[1][2][1]", "-0.855544916718"),
    ("lstm_forward", "len(caches)", "2"),
    ("rnn_cell_backward", 'gradients["dxt"][1][2]', "-0.460564103059"),
    ("rnn_cell_backward", 'gradients["dxt"].shape', "(3, 10)"),
    ("rnn_cell_backward", 'gradients["da_prev"][2][3]', "0.0842968653807"),
    ("rnn_cell_backward", 'gradients["da_prev"].shape', "(5, 10)"),
    ("rnn_cell_backward", 'gradients["dWax"][3][1]', "0.393081873922"),
    ("rnn_cell_backward", 'gradients["dWax"].shape', "(5, 3)"),
    ("rnn_cell_backward", 'gradients["dWaa"][1][2]', "-0.28483955787"),
    ("rnn_cell_backward", 'gradients["dWaa"].shape', "(5, 5)"),
    ("rnn_cell_backward", 'gradients["dba"][4]', "[ 0.80517166]"),
    ("rnn_cell_backward", 'gradients["dba"].shape', "(5, 1)"),
    ("rnn_backward", 'gradients["dx"][1][2]', "[-2.07101689 -0.59255627 0.02466855 0.01483317]"),
    ("rnn_backward", 'gradients["dx"].shape', "(3, 10, 4)"),
    ("rnn_backward", 'gradients["da0"][2][3]', "-0.314942375127"),
    ("rnn_backward", 'gradients["da0"].shape', "(5, 10)"),
    ("rnn_backward", 'gradients["dWax"][3][1]', "11.2641044965"),
    ("rnn_backward", 'gradients["dWax"].shape', "(5, 3)"),
    ("rnn_backward", 'gradients["dWaa"][1][2]', "2.30333312658"),
    ("rnn_backward", 'gradients["dWaa"].shape', "(5, 5)"),
    ("rnn_backward", 'gradients["dba"][4]', "[-0.74747722]"),
    ("rnn_backward", 'gradients["dba"].shape', "(5, 1)"),
)

# The names the notebook gave each function's outputs, in return order ("gradients" for a dict).
OUTPUT_NAMES = {
    "rnn_cell_forward": ("a_next", "yt", "cache"),
    "rnn_forward": ("a", "y", "cache"),
    "lstm_cell_forward": ("a_next", "c_next", "yt", "cache"),
    "lstm_forward": ("a", "y", "c", "caches"),
    "rnn_cell_backward": ("gradients",),
    "rnn_backward": ("gradients",),
}


@dataclass(frozen=True)
class PrintedResult:
    """One printed table row: what was printed and what the reference prints in its place."""

    function: str
    label: str
    printed: str
    reproduced: str
    ok: bool


@dataclass(frozen=True)
class GradientResult:
    """Worst relative error of one backward function's gradients at one shape and seed."""

    function: str
    seed: int
    dims: tuple  # (n_x, n_a, n_y, m, T_x)
    errors: tuple  # ((gradient key, relative error), ...)
    worst: float
    ok: bool


def printed_value(function, label):
    """Evaluate a printed expression, e.g. 'a_next[4]', on the reference outputs of the printed example.

    Arguments:
    function -- one of the six printed functions (keys of OUTPUT_NAMES)
    label -- the expression as printed (indexing, .shape, len(...))

    Returns:
    the value (array, float, tuple or int)
    """
    out = getattr(rnn, function)(*BUILDERS[EXAMPLES[function]](seed=1))
    names = OUTPUT_NAMES[function]
    values = (out,) if len(names) == 1 else out
    namespace = dict(zip(names, values))
    return eval(label, {"__builtins__": {"len": len}}, namespace)  # our own table, not user input


def format_like_printed(value, printed):
    """Format ``value`` as the notebook printed the row whose text is ``printed``.

    Shapes as tuples; arrays as NumPy printed them (8 decimals, trailing zeros
    dropped, single spaces); floats as Python 2's print (12 significant digits);
    lengths as integers.
    """
    if printed.startswith("("):
        return str(tuple(int(n) for n in value))
    if printed.startswith("["):
        array = np.asarray(value, dtype=float)
        if array.ndim != 1:
            return f"<array of shape {array.shape}>"
        items = [np.format_float_positional(v, precision=8, unique=False, trim="-") for v in array]
        return "[" + " ".join(items) + "]"
    if "." in printed:
        return "%.12g" % float(value)
    return str(int(value))


def _normalise(printed):
    """Printed text with the sign padding of NumPy's legacy printing removed ('[ 0.5' -> '[0.5')."""
    if printed.startswith("["):
        return "[" + " ".join(printed.strip("[]").split()) + "]"
    return printed


def reproduce_printed():
    """Every row of PRINTED, reproduced by the reference.  Returns a tuple of PrintedResult."""
    results = []
    for function, label, printed in PRINTED:
        reproduced = format_like_printed(printed_value(function, label), printed)
        results.append(PrintedResult(function, label, printed, reproduced, reproduced == _normalise(printed)))
    return tuple(results)


# ------------------------------------------------------------------------------------- gradients

GRADIENT_SHAPES = (
    (3, 5, 2, 10, 4),   # the assignment's example dimensions
    (2, 3, 2, 1, 3),    # a single example, m = 1
    (4, 3, 3, 2, 1),    # a single time step, T_x = 1
    (1, 1, 1, 1, 1),    # everything scalar
    (2, 4, 1, 3, 5),
)
_LSTM_PARAMETERS = (("dWf", "Wf"), ("dWi", "Wi"), ("dWc", "Wc"), ("dWo", "Wo"),
                    ("dbf", "bf"), ("dbi", "bi"), ("dbc", "bc"), ("dbo", "bo"))


def _condition(parameters):
    """Copies of ``parameters`` with weights divided by sqrt(fan-in) and biases halved (away from saturation)."""
    scaled = {}
    for key, value in parameters.items():
        value = np.array(value, dtype=np.float64)
        scaled[key] = value / np.sqrt(value.shape[1]) if key.startswith("W") else 0.5 * value
    return scaled


def gradient_problem(function, *, seed, dims, well_conditioned):
    """A finite-difference problem for one backward function, from its seeded builder.

    Arguments:
    function -- "rnn_cell_backward", "rnn_backward", "lstm_cell_backward" or "lstm_backward"
    seed -- builder seed
    dims -- (n_x, n_a, n_y, m, T_x)
    well_conditioned -- rescale the parameters with _condition (else the raw draws)

    Returns:
    (analytic, forward, upstream, pairs, structural_zeros):
    analytic -- the backward function's gradient dict on these inputs;
    forward -- callable of no argument recomputing the output the upstream gradient applies to
               (a_next; a; concat(a_next, c_next); a) from the arrays in ``pairs``;
    upstream -- the upstream gradient (random, of the output's shape);
    pairs -- [(gradient key, the input array it is the gradient of)], arrays safe to perturb in place;
    structural_zeros -- gradient keys that are exactly zero by construction (forget gate when T_x = 1
                        in lstm_backward, since c0 = 0).
    """
    n_x, n_a, n_y, m, T_x = dims
    args = BUILDERS[function](seed=seed, n_x=n_x, n_a=n_a, n_y=n_y, m=m, T_x=T_x)
    condition = _condition if well_conditioned else (lambda p: {k: np.array(v) for k, v in p.items()})
    if function == "rnn_cell_backward":
        da_next, cache = args
        xt, a_prev, p = np.array(cache[2]), np.array(cache[1]), condition(cache[3])
        analytic = rnn.rnn_cell_backward(da_next, rnn.rnn_cell_forward(xt, a_prev, p)[2])
        forward = lambda: rnn.rnn_cell_forward(xt, a_prev, p)[0]  # noqa: E731
        pairs = [("dxt", xt), ("da_prev", a_prev), ("dWax", p["Wax"]), ("dWaa", p["Waa"]), ("dba", p["ba"])]
        return analytic, forward, da_next, pairs, ()
    if function == "rnn_backward":
        da, (cell_caches, x) = args
        x, a0, p = np.array(x), np.array(cell_caches[0][1]), condition(cell_caches[0][3])
        analytic = rnn.rnn_backward(da, rnn.rnn_forward(x, a0, p)[2])
        forward = lambda: rnn.rnn_forward(x, a0, p)[0]  # noqa: E731
        pairs = [("dx", x), ("da0", a0), ("dWax", p["Wax"]), ("dWaa", p["Waa"]), ("dba", p["ba"])]
        return analytic, forward, da, pairs, ()
    if function == "lstm_cell_backward":
        da_next, dc_next, cache = args
        xt, a_prev, c_prev = np.array(cache[8]), np.array(cache[2]), np.array(cache[3])
        p = condition(cache[9])
        analytic = rnn.lstm_cell_backward(da_next, dc_next, rnn.lstm_cell_forward(xt, a_prev, c_prev, p)[3])
        forward = lambda: np.concatenate(rnn.lstm_cell_forward(xt, a_prev, c_prev, p)[:2], axis=0)  # noqa: E731
        pairs = [("dxt", xt), ("da_prev", a_prev), ("dc_prev", c_prev)]
        pairs += [(key, p[name]) for key, name in _LSTM_PARAMETERS]
        return analytic, forward, np.concatenate((da_next, dc_next), axis=0), pairs, ()
    if function == "lstm_backward":
        da, (cell_caches, x) = args
        x, a0, p = np.array(x), np.array(cell_caches[0][2]), condition(cell_caches[0][9])
        analytic = rnn.lstm_backward(da, rnn.lstm_forward(x, a0, p)[3])
        forward = lambda: rnn.lstm_forward(x, a0, p)[0]  # noqa: E731
        pairs = [("dx", x), ("da0", a0)] + [(key, p[name]) for key, name in _LSTM_PARAMETERS]
        return analytic, forward, da, pairs, (("dWf", "dbf") if T_x == 1 else ())
    raise ValueError(f"no gradient problem for {function!r}")


def _normwise(a, b):
    """||a - b|| / (||a|| + ||b||), 0 for two zero arrays."""
    total = np.linalg.norm(a) + np.linalg.norm(b)
    return 0.0 if total == 0 else float(np.linalg.norm(a - b) / total)


def check_gradients(function, *, seed, dims, tier, threshold=1e-7):
    """Compare one backward function with finite differences of its forward function.

    Arguments:
    function -- a backward function name (see gradient_problem)
    seed, dims -- the builder's seed and (n_x, n_a, n_y, m, T_x)
    tier -- "elementwise": well-conditioned parameters, Richardson estimate (h = 5e-4),
            cs231n's element-wise rel_error;  "normwise": the raw draws, plain centred
            differences (h = 1e-5), norm-wise relative error
    threshold -- the bound on the worst error

    Returns:
    GradientResult; ``ok`` also requires every non-structural numerical gradient to be
    non-zero somewhere (else the comparison would be void) and the structural zeros to be
    exactly zero both ways.
    """
    elementwise = tier == "elementwise"
    if tier not in ("elementwise", "normwise"):
        raise ValueError(f"unknown tier {tier!r}")
    analytic, forward, upstream, pairs, zeros = gradient_problem(
        function, seed=seed, dims=dims, well_conditioned=elementwise)
    errors, meaningful = [], True
    for key, array in pairs:
        got = np.asarray(analytic.get(key, np.full(array.shape, np.nan)))
        if elementwise:
            numeric = richardson_gradient_array(lambda _: forward(), array, upstream, h=5e-4)
        else:
            numeric = eval_numerical_gradient_array(lambda _: forward(), array, upstream, h=1e-5)
        if got.shape != array.shape:
            error = float("inf")
        elif elementwise:
            error = rel_error(got, numeric)
        else:
            error = _normwise(got, numeric)
        if key in zeros:
            meaningful &= not np.any(numeric) and not np.any(got)
        else:
            meaningful &= bool(np.any(numeric))
        errors.append((key, float(error) if np.isfinite(error) else float("inf")))
    worst = max(error for _, error in errors)
    return GradientResult(function, seed, tuple(dims), tuple(errors), worst, bool(meaningful and worst < threshold))


def main(argv=None):
    """Print the printed-values table and the gradient checks; return 0 if all hold, 1 otherwise."""
    del argv  # no options
    failures = 0
    print("Printed Expected Output values (seed 1, example dimensions):")
    for result in reproduce_printed():
        failures += not result.ok
        mark = "ok  " if result.ok else "FAIL"
        print(f"  {mark} {result.function:18} {result.label:28} {result.reproduced}")
        if not result.ok:
            print(f"       printed: {result.printed}")
    print("Gradient checks (worst relative error; bound 1e-7):")
    for function in ("rnn_cell_backward", "rnn_backward", "lstm_cell_backward", "lstm_backward"):
        for tier in ("elementwise", "normwise"):
            for dims in GRADIENT_SHAPES:
                result = check_gradients(function, seed=1, dims=dims, tier=tier)
                failures += not result.ok
                mark = "ok  " if result.ok else "FAIL"
                shape = "n_x={} n_a={} n_y={} m={} T_x={}".format(*dims)
                print(f"  {mark} {function:18} {tier:11} {shape:32} {result.worst:.2e}")
    print("all checks hold" if failures == 0 else f"{failures} check(s) failed")
    return 0 if failures == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
