"""Tests of grader.plaindata, grader.fixtures and grader.regenerate (fixture generation and --check)."""
from __future__ import annotations

import copy
import json
import math
import shutil
from pathlib import Path

import numpy as np
import pytest

from grader import fixtures as fx
from grader import plaindata
from grader import regenerate as rg
from grader.models import HIDDEN, PUBLIC
from grader.rubric import load_rubric

ROOT = Path(__file__).resolve().parent.parent
RUBRICS = ROOT / "rubrics"
SHIPPED = ("rnn", "rnn_extended")


@pytest.fixture(scope="module")
def reference() -> rg.Reference:
    return rg.load_reference()


# --------------------------------------------------------------------------- plaindata


def same(a, b) -> bool:
    """Exact equality including types, dtypes, shapes, -0.0 and nan bit patterns of floats."""
    if isinstance(a, np.ndarray):
        return (
            isinstance(b, np.ndarray)
            and a.dtype.newbyteorder("=") == b.dtype
            and a.shape == b.shape
            and np.ascontiguousarray(a).astype(b.dtype).tobytes() == np.ascontiguousarray(b).tobytes()
        )
    if isinstance(a, np.generic):
        return type(a) is type(b) and a.tobytes() == b.tobytes()
    if isinstance(a, (float, complex)):
        return type(a) is type(b) and repr(a) == repr(b)
    if isinstance(a, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return type(b) is dict and list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    return type(a) is type(b) and a == b


ROUND_TRIP = [
    None,
    True,
    False,
    0,
    -(2**70),
    "text with ünïcode",
    0.1,
    -0.0,
    5e-324,
    1.7976931348623157e308,
    math.nan,
    math.inf,
    -math.inf,
    1 + 2j,
    complex(-0.0, math.nan),
    complex(math.inf, -math.inf),
    (1, (2.5, [3, (None,)]), ()),
    [[], {}, ((),)],
    {"a": 1, "b": (2, 3), "c": {"d": [4.0]}},
    {"__tuple__": [1, 2]},  # a user dict that looks like a tag
    {"__dict__": {"__ndarray__": 1}},
    np.array([0.1, -0.0, np.nan, np.inf, -np.inf, 5e-324, 1e308]),
    np.array([[1.0, 2.0], [3.0, 4.0]]).T,  # not C-contiguous
    np.array([1.5, 2.25], dtype=">f8"),  # big-endian, read back native
    np.arange(24, dtype=np.int64).reshape(2, 3, 4),
    np.array([-128, 127], dtype=np.int8),
    np.array([0, 2**64 - 1], dtype=np.uint64),
    np.array([[True, False]]),
    np.array([1 + 2j, complex(np.nan, -0.0), complex(0, np.inf)]),
    np.array([1 / 3, np.nan], dtype=np.float32),
    np.array([0.1, -np.inf], dtype=np.float16),
    np.array([1 / 3 + 1j], dtype=np.complex64),
    np.zeros((0, 3)),
    np.array(2.5),
    np.float64(-0.0),
    np.float32(1 / 3),
    np.int32(-7),
    np.bool_(True),
    np.complex128(complex(1, math.nan)),
]


@pytest.mark.parametrize("value", ROUND_TRIP, ids=lambda v: type(v).__name__)
def test_plaindata_round_trip_exact(value):
    text = plaindata.dumps(value)
    json.loads(text, parse_constant=lambda name: pytest.fail(f"non-standard JSON constant {name}"))
    assert same(value, plaindata.loads(text))
    assert same(value, plaindata.from_json_obj(json.loads(text)))
    assert same(value, plaindata.from_json_obj(plaindata.to_json_obj(value)))


def test_plaindata_random_doubles_round_trip_bit_for_bit():
    rng = np.random.RandomState(0)
    values = rng.randn(1000) * 10.0 ** rng.randint(-300, 300, size=1000)
    back = plaindata.loads(plaindata.dumps(values))
    assert back.tobytes() == values.tobytes()


@pytest.mark.parametrize(
    "value, fragment",
    [
        (object(), "not plain data"),
        ({1: 2}, "dict keys must be str"),
        ({"a": [1, {2, 3}]}, "value['a'][1]: builtins.set"),
        (np.array(["a"]), "dtype <U1"),
        (np.array([None]), "dtype object"),
        (b"bytes", "bytes"),
        (np.datetime64("2020-01-01"), "numpy scalars of dtype"),
    ],
)
def test_plaindata_rejects(value, fragment):
    with pytest.raises(plaindata.PlainDataError, match=None) as info:
        plaindata.dumps(value)
    assert fragment in str(info.value)


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("NaN", "non-finite floats"),
        ('[1, Infinity]', "non-finite floats"),
        ('{"__pickle__": 1}', "unknown tag"),
        ('{"__ndarray__": {"dtype": "float64", "shape": [2], "data": [1.0]}}', "needs 2 values"),
        ('{"__ndarray__": {"dtype": "object", "shape": [1], "data": [1]}}', "not plain data"),
        ('{"__ndarray__": {"dtype": "float64", "shape": [1], "data": ["1.5"]}}', "bad array element"),
        ('{"__ndarray__": {"dtype": "int64", "shape": [1], "data": [1.5]}}', "must all be integers"),
        ('{"__ndarray__": {"dtype": "float64", "shape": [1]}}', "exactly the keys"),
        ('{"__tuple__": 3}', "must hold a list"),
        ("{", "not valid JSON"),
    ],
)
def test_plaindata_rejects_bad_json(text, fragment):
    with pytest.raises(plaindata.PlainDataError) as info:
        plaindata.loads(text)
    assert fragment in str(info.value)


def test_plaindata_shared_arrays_are_written_once_and_shared_on_load():
    w = np.arange(6.0).reshape(2, 3)
    value = {"first": (w, w.copy()), "later": [w, np.arange(6.0)], "other": -w}
    shared = plaindata.dumps(value, share_arrays=True)
    plain = plaindata.dumps(value)
    assert shared.count("__ndarray__") == 3 and shared.count("__ref__") == 2
    assert plain.count("__ndarray__") == 5 and "__ref__" not in plain
    for text in (shared, plain):
        back = plaindata.loads(text)
        assert same(value, back)
    back = plaindata.loads(shared, readonly=True)
    assert back["first"][0] is back["first"][1] is back["later"][0]
    with pytest.raises(ValueError):
        back["first"][0][0, 0] = 1.0
    back = plaindata.from_json_obj(json.loads(shared), readonly=True)
    assert same(value, back) and back["first"][0] is back["later"][0]
    assert not back["other"].flags.writeable
    # -0.0 and 0.0 are different arrays, not shared
    zeros = plaindata.dumps((np.zeros(2), -np.zeros(2)), share_arrays=True)
    assert zeros.count("__ndarray__") == 2


def test_plaindata_rejects_dangling_ref():
    with pytest.raises(plaindata.PlainDataError, match="names no earlier array"):
        plaindata.loads('[{"__ref__": 0}]')
    with pytest.raises(plaindata.PlainDataError, match="names no earlier array"):
        plaindata.from_json_obj([{"__ndarray__": {"dtype": "int64", "shape": [0], "data": []}}, {"__ref__": 1}])


# --------------------------------------------------------------------------- shipped fixtures


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_fixtures_verify(name, reference):
    rubric = load_rubric(RUBRICS / f"{name}.yaml")
    report = rg.check(rubric, reference=reference)
    assert report.ok, report.problems
    assert report.cases == len(rubric.cases)


def test_check_command_passes_on_shipped(capsys):
    assert rg.main([str(RUBRICS / "rnn.yaml"), "--check"]) == rg.EXIT_OK
    assert "24 case(s) verified" in capsys.readouterr().out


@pytest.mark.parametrize("name", SHIPPED)
def test_public_file_holds_no_hidden_case(name):
    rubric = load_rubric(RUBRICS / f"{name}.yaml")
    public = json.loads((RUBRICS / "fixtures" / f"{name}.public.json").read_text())
    hidden = json.loads((RUBRICS / "fixtures" / f"{name}.hidden.json").read_text())
    by_id = {c.id: c for c in rubric.cases}
    assert public["visibility"] == PUBLIC and hidden["visibility"] == HIDDEN
    assert sorted(public["cases"]) == sorted(c.id for c in rubric.cases if c.visibility == PUBLIC)
    assert sorted(hidden["cases"]) == sorted(c.id for c in rubric.cases if c.visibility == HIDDEN)
    assert all(by_id[i].visibility == PUBLIC for i in public["cases"])
    hidden_specs = {json.dumps(e["spec"], sort_keys=True) for e in hidden["cases"].values()}
    assert not hidden_specs & {json.dumps(e["spec"], sort_keys=True) for e in public["cases"].values()}
    # A public-only load needs no hidden file at all.
    kit = RUBRICS / "fixtures"
    loaded = fx.load_fixtures(rubric.only(PUBLIC), fixtures_dir=kit, visibilities=(PUBLIC,))
    assert set(loaded) == set(public["cases"])


@pytest.mark.parametrize("name", SHIPPED)
def test_expected_values_match_running_the_reference(name, reference):
    rubric = load_rubric(RUBRICS / f"{name}.yaml")
    loaded = fx.load_fixtures(rubric)
    assert set(loaded) == {c.id for c in rubric.cases}
    for case in rubric.cases:
        fixture = loaded[case.id]
        args = reference.builders[case.builder](seed=case.seed, **case.dims)
        assert rg._difference(fixture.args, args) is None, case.id
        direct = reference.functions[case.function](*copy.deepcopy(args))
        assert rg._difference(fixture.expected, direct) is None, case.id


def test_printed_example_values_are_in_the_public_fixtures():
    rubric = load_rubric(RUBRICS / "rnn.yaml")
    loaded = fx.load_fixtures(rubric.only(PUBLIC), visibilities=(PUBLIC,))
    a_next = loaded["rnn_cell_forward/public-1"].expected[0]
    assert a_next.shape == (5, 10)
    assert a_next[4][0] == pytest.approx(0.59584544, abs=1e-8)
    grads = loaded["rnn_cell_backward/public-1"].expected
    assert grads["dxt"][1][2] == pytest.approx(-0.460564103059, abs=1e-12)
    assert grads["dba"].shape == (5, 1)
    lstm = loaded["lstm_forward/public-1"].expected
    assert lstm[0][4][3][6] == pytest.approx(0.172117767533, abs=1e-12)


def test_traces_record_every_step_in_order(reference):
    rubric = load_rubric(RUBRICS / "rnn.yaml")
    loaded = fx.load_fixtures(rubric)
    fixture = loaded["rnn_forward/public-1"]
    x, a0, parameters = fixture.args
    calls = fixture.traces["rnn_cell_forward"]
    assert len(calls) == x.shape[2] == 4
    first_args, first_result = calls[0]
    assert np.array_equal(first_args[0], x[:, :, 0]) and np.array_equal(first_args[1], a0)
    assert np.array_equal(first_result[0], fixture.expected[0][:, :, 0])
    second_args, _ = calls[1]
    assert np.array_equal(second_args[1], first_result[0])  # a_next carried to the next step
    back = loaded["rnn_backward/hidden-3"]
    steps = back.traces["rnn_cell_backward"]
    assert len(steps) == rubric.part("rnn_backward").cases[3].dims["T_x"]
    assert all(len(step_args) == 2 for step_args, _ in steps)
    assert loaded["rnn_cell_forward/public-1"].traces == {}


def test_every_mutant_differs_from_expected_somewhere(reference):
    """Every known mistake is graded by a rubric of rubrics/ (rnn_extended.yaml grades all eight
    functions; a function a course adds, such as a GRU cell, by the rubric that adds it) and
    differs from the reference on one of its cases at least."""
    if not reference.mutants:
        pytest.fail("solution.mutants.MUTANTS is empty")
    rubrics = [load_rubric(path) for path in rg.rubrics_in(RUBRICS)[0]]
    loaded = [(rubric, fx.load_fixtures(rubric)) for rubric in rubrics]
    for mutant_id, mutant in reference.mutants.items():
        outcomes = [
            (fixtures[c.id].mutants[mutant_id], fixtures[c.id].expected)
            for rubric, fixtures in loaded
            for c in rubric.cases
            if c.function == mutant.function
        ]
        assert outcomes, f"{mutant_id}: no rubric of rubrics/ grades {mutant.function}"
        assert any(
            isinstance(out, fx.MutantError) or rg._difference(out, expected) is not None
            for out, expected in outcomes
        ), f"mutant {mutant_id} reproduces the reference on every case"
    messages = {k: v for _, fixtures in loaded for k, v in fixtures.mutant_messages.items()}
    assert set(messages) == set(reference.mutants)
    assert all(messages[k] == str(m.message) for k, m in reference.mutants.items())


def test_public_fixtures_carry_messages_of_public_mutants():
    rubric = load_rubric(RUBRICS / "rnn.yaml")
    loaded = fx.load_fixtures(rubric.only(PUBLIC), visibilities=(PUBLIC,))
    used = {m for f in loaded.values() for m in f.mutants}
    assert used and used <= set(loaded.mutant_messages)


# --------------------------------------------------------------------------- stale and broken fixtures


@pytest.fixture()
def workspace(tmp_path):
    """A copy of rnn.yaml and its fixtures in tmp_path: (rubric path, fixtures dir)."""
    shutil.copy(RUBRICS / "rnn.yaml", tmp_path / "rnn.yaml")
    # the instructor's files only, not a class run's cache (grader.fixturecache)
    shutil.copytree(RUBRICS / "fixtures", tmp_path / "fixtures", ignore=shutil.ignore_patterns(".cache"))
    return tmp_path / "rnn.yaml", tmp_path / "fixtures"


def edit_rubric(path: Path, old: str, new: str) -> int:
    """Replace the first ``old`` in the rubric file; return the 1-based line it is on."""
    text = path.read_text()
    index = text.index(old)
    path.write_text(text.replace(old, new, 1))
    return text[:index].count("\n") + 1


def test_stale_spec_names_the_case_line(workspace):
    rubric_path, _ = workspace
    line = edit_rubric(rubric_path, "seed: 11, dims: {n_x: 2, n_a: 7", "seed: 12, dims: {n_x: 2, n_a: 7")
    rubric = load_rubric(rubric_path)
    with pytest.raises(fx.FixtureError) as info:
        fx.load_fixtures(rubric)
    message = str(info.value)
    assert message.startswith(f"{rubric_path}:{line}: ")
    assert "rnn_cell_forward/hidden-2" in message and "stale" in message
    assert f"run: python3 -m grader.regenerate {rubric_path}" in message


def test_missing_case_names_the_case_line(workspace):
    rubric_path, _ = workspace
    text = rubric_path.read_text()
    text = text.replace(
        "      - {name: narrow hidden state, visibility: hidden, seed: 23, dims: {n_x: 6, n_a: 3, n_y: 4, m: 8, T_x: 1}, points: 2.5}\n",
        "      - {name: narrow hidden state, visibility: hidden, seed: 23, dims: {n_x: 6, n_a: 3, n_y: 4, m: 8, T_x: 1}, points: 2.5}\n"
        "      - {name: added, visibility: hidden, seed: 99, dims: {n_x: 1, n_a: 1, n_y: 1, m: 1, T_x: 1}, points: 1}\n",
        1,
    )
    rubric_path.write_text(text)
    rubric = load_rubric(rubric_path)
    added = rubric.part("rnn_cell_forward").cases[-1]
    with pytest.raises(fx.FixtureError, match=rf"{rubric_path}:{added.line}: case 'rnn_cell_forward/hidden-4' has no fixture"):
        fx.load_fixtures(rubric)


def test_a_case_deleted_before_others_says_why_their_fixtures_read_as_stale(workspace, reference):
    """Mid-term, the m = 1 hidden case of rnn_cell_forward deleted: the next two cases take its id
    and its neighbour's, and grade.py called the first 'stale (the case's function, builder, seed
    or dims changed)', which the instructor had not changed."""
    rubric_path, _ = workspace
    line = edit_rubric(rubric_path, "      - {name: one example (m = 1), visibility: hidden, blind_to: "
                                    "[softmax_whole_array], seed: 7, dims: {n_x: 4, n_a: 6, n_y: 3, m: 1, T_x: 1}, "
                                    "points: 2.5}\n", "")
    with pytest.raises(fx.FixtureError) as info:
        fx.load_fixtures(load_rubric(rubric_path))
    message = str(info.value)
    assert message.startswith(f"{rubric_path}:{line}: the fixture of case 'rnn_cell_forward/hidden-1' "), message
    assert "or a case of its part and visibility was added or deleted before it: ids count them in file order" in message
    report = rg.check(load_rubric(rubric_path), reference=reference)
    assert (f"rnn_cell_forward/hidden-1 ({rubric_path}:{line})", "stale: its function, builder, seed or dims "
            "changed, or a case of its part and visibility was added or deleted before it (ids count them in "
            "file order)") in report.problems, report.problems


def test_missing_spec_hash(workspace):
    rubric_path, fixtures_dir = workspace
    path = fixtures_dir / "rnn.public.json"
    content = json.loads(path.read_text())
    del content["cases"]["rnn_forward/public-1"]["spec_hash"]
    path.write_text(json.dumps(content))
    rubric = load_rubric(rubric_path)
    with pytest.raises(fx.FixtureError, match="has no spec_hash") as info:
        fx.load_fixtures(rubric)
    assert f":{rubric.part('rnn_forward').cases[0].line}:" in str(info.value)


def test_missing_file_named(workspace):
    rubric_path, fixtures_dir = workspace
    (fixtures_dir / "rnn.hidden.json").unlink()
    rubric = load_rubric(rubric_path)
    with pytest.raises(fx.FixtureError, match=r"rnn\.hidden\.json: fixture file not found; run: python3 -m grader\.regenerate"):
        fx.load_fixtures(rubric)
    assert len(fx.load_fixtures(rubric, visibilities=(PUBLIC,))) == 6


def test_wrong_format_and_rubric_named(workspace, tmp_path):
    rubric_path, fixtures_dir = workspace
    rubric = load_rubric(rubric_path)
    path = fixtures_dir / "rnn.public.json"
    content = json.loads(path.read_text())
    path.write_text(json.dumps(dict(content, format=2)))
    with pytest.raises(fx.FixtureError, match=r"rnn\.public\.json: is in fixture format 2, and this grader reads format 1"):
        fx.load_fixtures(rubric, visibilities=(PUBLIC,))
    path.write_text(json.dumps(dict(content, rubric="other")))
    with pytest.raises(fx.FixtureError, match="rubric 'other'"):
        fx.load_fixtures(rubric, visibilities=(PUBLIC,))
    path.write_text("not json")
    with pytest.raises(fx.FixtureError, match="not a valid fixture file"):
        fx.load_fixtures(rubric, visibilities=(PUBLIC,))


def scale_first_expected_value(path: Path, case_id: str, factor: float) -> None:
    """Multiply the first number of a case's expected value in a fixture file, editing the text."""
    lines = path.read_text().split("\n")
    [index] = [i for i, line in enumerate(lines) if line.startswith(json.dumps(case_id) + ":")]
    line = lines[index]
    start = line.index('"data":[', line.index('"expected":')) + len('"data":[')
    stop = min(line.index(c, start) for c in ",]")
    lines[index] = line[:start] + repr(float(line[start:stop]) * factor) + line[stop:]
    path.write_text("\n".join(lines))


def test_check_finds_changed_value(workspace, reference, capsys):
    rubric_path, fixtures_dir = workspace
    path = fixtures_dir / "rnn.hidden.json"
    scale_first_expected_value(path, "lstm_forward/hidden-2", 1 + 1e-9)
    rubric = load_rubric(rubric_path)
    report = rg.check(rubric, reference=reference, fixtures_dir=fixtures_dir)
    line = rubric.part("lstm_forward").cases[2].line
    (label, problem), = report.problems
    assert label == f"lstm_forward/hidden-2 ({rubric_path}:{line})"
    # How many and by how much (thirty-seventh session; "values differ" before): one number of 21, by 1e-9 of it
    assert problem.startswith("differs: expected[0]: values by up to ") and problem.endswith(" (1 of 21)"), problem
    assert 1e-12 < float(problem.split("up to ")[1].split()[0]) < 1e-9, problem
    assert rg.main([str(rubric_path), "--check", "--fixtures-dir", str(fixtures_dir)]) == rg.EXIT_STALE
    err = capsys.readouterr().err
    assert "lstm_forward/hidden-2" in err and "run: python3 -m grader.regenerate" in err
    # A change far below 1e-12 is not a difference.
    shutil.copy(RUBRICS / "fixtures" / "rnn.hidden.json", path)
    scale_first_expected_value(path, "lstm_forward/hidden-2", 1 + 1e-15)
    assert rg.check(rubric, reference=reference, fixtures_dir=fixtures_dir).ok


def test_check_finds_missing_and_extra_cases(workspace, reference):
    rubric_path, fixtures_dir = workspace
    edit_rubric(rubric_path, "{name: one example (m = 1), visibility: hidden, seed: 7, dims: {n_x: 4, n_a: 6, n_y: 3, m: 1, T_x: 3}, points: 5}",
                "{id: renamed, name: one example (m = 1), visibility: hidden, seed: 7, dims: {n_x: 4, n_a: 6, n_y: 3, m: 1, T_x: 3}, points: 5}")
    rubric = load_rubric(rubric_path)
    report = rg.check(rubric, reference=reference, fixtures_dir=fixtures_dir)
    problems = {what.split()[0]: problem for what, problem in report.problems}
    assert problems == {
        "renamed": "missing from rnn.hidden.json",
        "rnn_backward/hidden-1": "in rnn.hidden.json but not a hidden case of the rubric",
    }


def test_check_finds_stale_spec(workspace, reference):
    rubric_path, fixtures_dir = workspace
    edit_rubric(rubric_path, "seed: 7, dims: {n_x: 4, n_a: 6, n_y: 3, m: 1, T_x: 3}", "seed: 8, dims: {n_x: 4, n_a: 6, n_y: 3, m: 1, T_x: 3}")
    report = rg.check(load_rubric(rubric_path), reference=reference, fixtures_dir=fixtures_dir)
    assert [w.split()[0] for w, p in report.problems if "stale" in p] == ["rnn_forward/hidden-1"]


def test_regenerate_is_deterministic_and_keeps_unchanged_files(workspace, reference, tmp_path):
    rubric_path, fixtures_dir = workspace
    rubric = load_rubric(rubric_path)
    out = tmp_path / "fresh"
    first = rg.regenerate(rubric, reference=reference, fixtures_dir=out)
    assert all(rewritten for _, rewritten in first)
    data = {p.name: p.read_bytes() for p, _ in first}
    second = rg.regenerate(rubric, reference=reference, fixtures_dir=out)
    assert not any(rewritten for _, rewritten in second)
    assert {p.name: p.read_bytes() for p, _ in second} == data
    for name, new in data.items():  # the shipped files, apart from the stamps and rounding
        shipped = (RUBRICS / "fixtures" / name).read_bytes()
        assert rg.alike(shipped, new), name
    assert not list(out.glob(".*.tmp"))


def test_fixtures_alike_but_for_rounding_pass_and_others_do_not():
    """``regenerate.alike``, which keeps a shipped file when the fresh one differs only in the
    last digits (NumPy's ``exp`` and ``tanh`` round differently on different CPUs): a number
    moved by 1e-15 passes; one moved by 1e-9, a changed hash, a missing case or a file that is
    not a fixture file does not."""
    shipped = (RUBRICS / "fixtures" / "rnn.public.json").read_bytes()
    content = plaindata.loads(shipped)
    case_id = next(iter(content["cases"]))

    def encoded(change) -> bytes:
        changed = copy.deepcopy(content)
        change(changed["cases"][case_id], changed)
        return plaindata.dumps(changed).encode()

    def nudge(by: float):
        def change(entry, _):
            entry["expected"] = _nudged(entry["expected"], by)
        return change

    assert rg.alike(shipped, encoded(nudge(1e-15)))
    assert not rg.alike(shipped, encoded(nudge(1e-9)))
    assert not rg.alike(shipped, encoded(lambda entry, _: entry.update(spec_hash="0" * 64)))
    assert not rg.alike(shipped, encoded(lambda _, whole: whole["cases"].pop(case_id)))
    assert not rg.alike(b"[1, 2]", shipped) and not rg.alike(b"{broken", shipped)


def _nudged(value, by: float):
    """``value`` with its first float array (or float) moved by ``by``."""
    if isinstance(value, np.ndarray) and value.dtype.kind == "f":
        moved = value.copy()
        moved.flat[0] += by
        return moved
    if isinstance(value, float):
        return value + by
    if isinstance(value, (tuple, list)):
        for i, item in enumerate(value):
            moved = _nudged(item, by)
            if moved is not item:
                return type(value)(value[:i]) + type(value)([moved]) + type(value)(value[i + 1:])
        return value
    if isinstance(value, dict):
        for key, item in value.items():
            moved = _nudged(item, by)
            if moved is not item:
                return {**value, key: moved}
    return value


def test_regenerate_writes_a_stale_case_and_then_verifies(workspace, reference, capsys):
    rubric_path, fixtures_dir = workspace
    edit_rubric(rubric_path, "seed: 23, dims: {n_x: 6, n_a: 3, n_y: 4, m: 8, T_x: 6}, points: 4}", "seed: 24, dims: {n_x: 6, n_a: 3, n_y: 4, m: 8, T_x: 6}, points: 4}")
    before = fx.fixtures_digest(load_rubric(rubric_path))
    assert rg.main([str(rubric_path)]) == rg.EXIT_OK
    out = capsys.readouterr().out
    assert "rnn.hidden.json: written" in out and "rnn.public.json: unchanged" in out
    rubric = load_rubric(rubric_path)
    assert fx.fixtures_digest(rubric) != before
    assert fx.load_fixtures(rubric)["rnn_forward/hidden-3"].args[0].shape == (6, 8, 6)
    assert rg.main([str(rubric_path), "--check"]) == rg.EXIT_OK


def test_unknown_builder_names_the_line(workspace, capsys):
    rubric_path, _ = workspace
    line = edit_rubric(rubric_path, "builder: rnn_cell_backward_example", "builder: rnn_cell_backward_exampel")
    assert rg.main([str(rubric_path)]) == rg.EXIT_ERROR
    err = capsys.readouterr().err
    assert f"{rubric_path}:{line}: unknown builder 'rnn_cell_backward_exampel'" in err


def test_depends_never_called_is_an_error(workspace, capsys):
    rubric_path, _ = workspace
    line = edit_rubric(rubric_path, "    depends: [rnn_cell_forward]\n", "    depends: [rnn_cell_forward, lstm_cell_forward]\n")
    rubric = load_rubric(rubric_path)
    part_line = rubric.part("rnn_forward").line
    assert part_line == line - 1
    assert rg.main([str(rubric_path)]) == rg.EXIT_ERROR
    err = capsys.readouterr().err
    assert f"{rubric_path}:{part_line}: depends names 'lstm_cell_forward', but the reference rnn_forward never calls it" in err


def test_mutant_that_raises_is_recorded(reference):
    rubric = load_rubric(RUBRICS / "rnn.yaml")

    def broken(*args):
        raise ZeroDivisionError("boom")

    class Fake:
        id, function, message, fn = "always-raises", "rnn_cell_forward", "It raises.", staticmethod(broken)

    fake = rg.Reference(functions=reference.functions, builders=reference.builders, mutants={"always-raises": Fake})
    part = rubric.part("rnn_cell_forward")
    fixture = rg.compute_case(rubric, part, part.cases[0], fake)
    assert fixture.mutants == {"always-raises": fx.MutantError("ZeroDivisionError: boom")}


def test_fixtures_digest_tracks_content(workspace):
    rubric_path, fixtures_dir = workspace
    rubric = load_rubric(rubric_path)
    digest = fx.fixtures_digest(rubric)
    assert digest == fx.fixtures_digest(rubric, fixtures_dir=fixtures_dir)
    assert digest != fx.fixtures_digest(rubric, visibilities=(PUBLIC,))
    path = fixtures_dir / "rnn.hidden.json"
    path.write_bytes(path.read_bytes().replace(b'"numpy":', b'"numpy" :', 1))
    assert fx.fixtures_digest(rubric) != digest
