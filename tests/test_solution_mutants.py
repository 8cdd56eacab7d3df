"""The catalog of known mistakes: well-formed, runnable, detectable, and rebindable like the reference."""

import dataclasses
import inspect
import types

import numpy as np
import pytest

from solution import mutants, rnn
from solution.mutants import MUTANTS, RAISES_WHEN_N_X_ABOVE_T_X, SAME_WHEN_ONE_STEP, Mutant, mutant_source
from solution.setups import BUILDERS, EXAMPLES

STEP_OF = {
    "rnn_forward": "rnn_cell_forward",
    "lstm_forward": "lstm_cell_forward",
    "rnn_backward": "rnn_cell_backward",
    "lstm_backward": "lstm_cell_backward",
}
OTHER_DIMS = dict(seed=5, n_x=4, n_a=3, n_y=3, m=2, T_x=3)
# For the mutants that raise when n_x > T_x (len(x) taken for T_x): fewer features than steps.
FEW_FEATURES = dict(OTHER_DIMS, n_x=2)
# Time steps a composite mutant computes, when not T_x.
STEPS = {"rnn_forward/len_of_x": lambda dims: dims["n_x"],
         "rnn_forward/last_step_skipped": lambda dims: dims["T_x"] - 1,
         "lstm_forward/len_of_x": lambda dims: dims["n_x"],
         "lstm_forward/last_step_skipped": lambda dims: dims["T_x"] - 1,
         "lstm_forward/first_step_skipped": lambda dims: dims["T_x"] - 1,
         "lstm_forward/first_step_skipped_from_slices": lambda dims: dims["T_x"] - 1,
         "rnn_forward/first_step_skipped": lambda dims: dims["T_x"] - 1,
         "rnn_forward/first_step_skipped_from_slice": lambda dims: dims["T_x"] - 1,
         "rnn_backward/first_step_skipped": lambda dims: dims["T_x"] - 1,
         "rnn_backward/last_step_skipped": lambda dims: dims["T_x"] - 1}
REQUIRED = {
    "rnn_cell_forward": {"no_ba", "no_by", "sigmoid_activation", "softmax_axis1", "cache_order"},
    "rnn_forward": {"a0_every_step", "y_not_stored", "y_wrong_index", "caches_without_x", "len_of_x"},
    "lstm_cell_forward": {"cct_sigmoid", "no_tanh_on_c", "gates_swapped", "concat_x_first", "cache_order"},
    "lstm_forward": {"c0_from_a0", "c_not_carried", "first_step_skipped"},
    "rnn_cell_backward": {"tanh_applied_twice", "no_tanh_derivative", "dba_wrong_axis", "dba_no_keepdims"},
    "rnn_backward": {"no_recurrent_gradient", "not_accumulated", "dx_not_stored"},
}
IDS = sorted(MUTANTS)


def _other_dims(mutant_id):
    """The second inputs' dimensions for ``mutant_id``: ones it returns on."""
    return FEW_FEATURES if mutant_id in RAISES_WHEN_N_X_ABOVE_T_X else OTHER_DIMS


def _same(a, b, tol=1e-10):
    """True when two outputs have the same structure, types, shapes and values (to ``tol``, relative and absolute)."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return (isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.shape == b.shape
                and np.allclose(a, b, rtol=tol, atol=tol))
    if isinstance(a, dict) or isinstance(b, dict):
        return (isinstance(a, dict) and isinstance(b, dict) and list(a) == list(b)
                and all(_same(a[k], b[k], tol) for k in a))
    if isinstance(a, (tuple, list)) or isinstance(b, (tuple, list)):
        return (type(a) is type(b) and len(a) == len(b) and all(_same(x, y, tol) for x, y in zip(a, b)))
    return a == b


def _arrays(obj):
    """Every ndarray inside nested tuples, lists and dicts."""
    if isinstance(obj, np.ndarray):
        return [obj]
    if isinstance(obj, dict):
        return [a for v in obj.values() for a in _arrays(v)]
    if isinstance(obj, (tuple, list)):
        return [a for v in obj for a in _arrays(v)]
    return []


def test_catalog_shape_and_required_coverage():
    """Frozen records, read-only mapping, ids 'function/slug', every required mistake present."""
    assert dataclasses.is_dataclass(Mutant) and Mutant.__dataclass_params__.frozen
    assert [f.name for f in dataclasses.fields(Mutant)] == ["id", "function", "message", "fn"]
    with pytest.raises(TypeError):
        MUTANTS["x"] = None
    with pytest.raises(dataclasses.FrozenInstanceError):
        MUTANTS[IDS[0]].message = "changed"
    for mutant_id, mutant in MUTANTS.items():
        assert mutant.id == mutant_id and mutant_id.startswith(mutant.function + "/")
        assert hasattr(rnn, mutant.function)
        assert inspect.signature(mutant.fn).parameters.keys() == \
            inspect.signature(getattr(rnn, mutant.function)).parameters.keys()
        assert mutant.message.endswith(".") and len(mutant.message) < 240 and mutant.fn.__doc__
    slugs = {}
    for mutant in MUTANTS.values():
        slugs.setdefault(mutant.function, set()).add(mutant.id.split("/", 1)[1])
    for function, required in REQUIRED.items():
        assert required <= slugs[function], function
    assert len(slugs["lstm_cell_backward"]) >= 2 and len(slugs["lstm_backward"]) >= 2
    # Within a function every mistake has its own sentence (the same mistake of the RNN's and the
    # LSTM's loop, range(len(x)) say, may share one).
    for function in slugs:
        said = [m.message for m in MUTANTS.values() if m.function == function]
        assert len(set(said)) == len(said), function


@pytest.mark.parametrize("mutant_id", IDS)
@pytest.mark.parametrize("inputs", ["example", "other"])
def test_mutant_runs_and_differs_from_the_reference(mutant_id, inputs):
    """On the function's example inputs and on a second seed with other dimensions, the mutant is visible.

    Visible means: another structure or shape, or some value off by more than 1e-4 (relative and
    absolute), far beyond any tolerance a grader would use.
    """
    mutant = MUTANTS[mutant_id]
    builder = BUILDERS[EXAMPLES[mutant.function]]
    kwargs = {"seed": 1} if inputs == "example" else _other_dims(mutant_id)
    args = builder(**kwargs)
    before = [a.copy() for a in _arrays(args)]
    got = mutant.fn(*args)
    for original, after in zip(before, _arrays(args)):
        np.testing.assert_array_equal(original, after)  # the mutant leaves its inputs alone
    expected = getattr(rnn, mutant.function)(*builder(**kwargs))
    assert _same(expected, getattr(rnn, mutant.function)(*builder(**kwargs)))  # the comparison can say "same"
    assert not _same(got, expected, tol=1e-4), f"{mutant_id} is indistinguishable from the reference"


@pytest.mark.parametrize("mutant_id", [i for i in IDS if MUTANTS[i].function in STEP_OF])
def test_composite_mutants_call_the_step_through_the_global(mutant_id):
    """Rebinding the per-step global in a copy records T_x calls and changes nothing else."""
    mutant = MUTANTS[mutant_id]
    step = STEP_OF[mutant.function]
    code = mutant.fn.__code__
    assert code.co_freevars == () and mutant.fn.__defaults__ is None and step in code.co_names
    assert mutant.fn.__globals__ is vars(mutants)
    calls = []

    def recorder(*args):
        """Record the call, then answer as the reference step does."""
        calls.append(args)
        return getattr(rnn, step)(*args)

    new_globals = dict(mutant.fn.__globals__)
    new_globals[step] = recorder
    copied = types.FunctionType(code, new_globals, mutant.fn.__name__)
    builder = BUILDERS[EXAMPLES[mutant.function]]
    dims = _other_dims(mutant_id)
    got = copied(*builder(**dims))
    assert len(calls) == STEPS.get(mutant_id, lambda d: d["T_x"])(dims)
    assert _same(got, mutant.fn(*builder(**dims)))


@pytest.mark.parametrize("mutant_id", IDS)
def test_mutant_source_defines_the_graded_function(mutant_id):
    """mutant_source(id) is code that, run next to the notebook's helpers, behaves as the mutant."""
    mutant = MUTANTS[mutant_id]
    # The reference's public functions, as a course notebook defines them: the four cells, and a cell
    # the course added (a GRU's, docs/rubrics.md), which a mistake of its loop calls.
    namespace = {"np": np, **{name: value for name, value in vars(rnn).items()
                              if callable(value) and not name.startswith("_")}}
    exec(compile(mutant_source(mutant_id), f"<{mutant_id}>", "exec"), namespace)
    function = namespace[mutant.function]
    builder = BUILDERS[EXAMPLES[mutant.function]]
    dims = _other_dims(mutant_id)
    assert _same(function(*builder(**dims)), mutant.fn(*builder(**dims)))


def test_same_when_one_step_is_exact():
    """SAME_WHEN_ONE_STEP lists exactly the mutants that a single time step cannot reveal."""
    dims = dict(seed=3, n_x=2, n_a=3, n_y=2, m=2, T_x=1)
    hidden = set()
    for mutant_id, mutant in MUTANTS.items():
        builder = BUILDERS[EXAMPLES[mutant.function]]
        if mutant_id in RAISES_WHEN_N_X_ABOVE_T_X:  # n_x = 2 > T_x = 1: it raises, which shows
            with pytest.raises(IndexError):
                mutant.fn(*builder(**dims))
            continue
        if _same(mutant.fn(*builder(**dims)), getattr(rnn, mutant.function)(*builder(**dims)), tol=1e-4):
            hidden.add(mutant_id)
    assert hidden == SAME_WHEN_ONE_STEP


def test_raises_when_n_x_above_t_x_is_exact():
    """RAISES_WHEN_N_X_ABOVE_T_X lists exactly the mutants that raise on more features than steps,
    and those equal the reference when the two are the same."""
    raising = set()
    for mutant_id, mutant in MUTANTS.items():
        builder = BUILDERS[EXAMPLES[mutant.function]]
        try:
            mutant.fn(*builder(**OTHER_DIMS))
        except IndexError:
            raising.add(mutant_id)
    assert raising == RAISES_WHEN_N_X_ABOVE_T_X
    for mutant_id in raising:
        function = MUTANTS[mutant_id].function
        builder = BUILDERS[EXAMPLES[function]]
        square = dict(OTHER_DIMS, n_x=OTHER_DIMS["T_x"])
        assert _same(MUTANTS[mutant_id].fn(*builder(**square)), getattr(rnn, function)(*builder(**square)))


def test_every_message_writes_its_code_in_backticks():
    # Thirty-sixth session: the sentences wrote code bare ("set a_next = a0 before the loop"), and
    # feedback.md's guard then made a code span of a piece of one ("write `concat[:n_a, :]` =
    # a_prev"). Now each is plain Markdown as written, its names and code in backticks.
    import re

    from grader.report import sentence_text

    for mutant in MUTANTS.values():
        message = mutant.message
        assert sentence_text(message) == message, (mutant.id, sentence_text(message))
        prose = re.sub(r"`[^`]+`", "", message)
        assert not re.search(r"[_=\[\]·]|\w\(", prose), (mutant.id, prose)
