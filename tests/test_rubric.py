"""Tests of grader.rubric: the shipped rubrics load, and every validation error names FILE:LINE."""
from __future__ import annotations

import hashlib
import textwrap
from pathlib import Path

import pytest

from grader.models import DIMENSIONS, HIDDEN, PUBLIC
from grader.rubric import RubricError, format_path, load_rubric, parse_path, rubric_digest

ROOT = Path(__file__).resolve().parent.parent
RNN = ROOT / "rubrics" / "rnn.yaml"
EXTENDED = ROOT / "rubrics" / "rnn_extended.yaml"

# A small valid rubric; the error tests change one line of it. Line numbers:
BASE = """\
version: 1
name: demo
title: Demo rubric
defaults: {rtol: 1.0e-5, atol: 1.0e-7, timeout: 5}
parts:
  - function: rnn_cell_forward
    outputs:
      - {name: a_next, path: "[0]", weight: 2}
      - {name: yt_pred, path: "[1]", weight: 2}
      - {name: cache, path: "[2]", weight: 1}
    cases:
      - {name: example, visibility: public, seed: 1, dims: {n_x: 3, n_a: 5, n_y: 2, m: 10, T_x: 1}, points: 2}
      - {name: small, visibility: hidden, seed: 7, dims: {n_x: 2, n_a: 4, n_y: 3, m: 1, T_x: 1}, points: 3}
  - function: rnn_forward
    depends: [rnn_cell_forward]
    outputs:
      - {name: a, path: "[0]"}
      - {name: y, path: "[1]"}
    cases:
      - {name: example, visibility: public, seed: 1, dims: {n_x: 3, n_a: 5, n_y: 2, m: 10, T_x: 4}, points: 2}
"""


def write(tmp_path: Path, text: str, name: str = "r.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def replace_line(lineno: int, new: str) -> str:
    lines = BASE.splitlines()
    lines[lineno - 1] = new
    return "\n".join(lines) + "\n"


def error_of(tmp_path: Path, text: str) -> RubricError:
    path = write(tmp_path, text)
    with pytest.raises(RubricError) as info:
        load_rubric(path)
    return info.value


def assert_error(tmp_path: Path, text: str, line: int, *fragments: str) -> RubricError:
    err = error_of(tmp_path, text)
    message = str(err)
    assert message.startswith(f"{tmp_path / 'r.yaml'}:{line}: "), message
    assert err.line == line
    for fragment in fragments:
        assert fragment in message, message
    return err


# --------------------------------------------------------------------------- valid rubrics


def test_base_rubric_loads_with_ids_lines_and_defaults(tmp_path):
    rubric = load_rubric(write(tmp_path, BASE))
    assert rubric.name == "demo" and rubric.version == 1 and rubric.title == "Demo rubric"
    assert rubric.digest == rubric_digest(rubric) != hashlib.sha256(BASE.encode()).hexdigest()  # of what it says
    cell, loop = rubric.parts
    assert cell.name == cell.function == "rnn_cell_forward"
    assert cell.line == 6 and loop.line == 14
    assert [c.id for c in rubric.cases] == [
        "rnn_cell_forward/public-1",
        "rnn_cell_forward/hidden-1",
        "rnn_forward/public-1",
    ]
    assert [c.line for c in rubric.cases] == [12, 13, 20]
    assert [o.path for o in cell.outputs] == [(0,), (1,), (2,)]
    assert [o.line for o in cell.outputs] == [8, 9, 10]
    assert cell.outputs[0].weight == 2.0 and loop.outputs[0].weight == 1.0
    first = cell.cases[0]
    assert first.builder == "rnn_cell_forward"  # default builder = the function
    assert first.tolerance.rtol == 1e-5 and first.tolerance.atol == 1e-7 and first.timeout == 5.0
    assert first.outputs == ("a_next", "yt_pred", "cache")
    assert dict(first.dims) == {"n_x": 3, "n_a": 5, "n_y": 2, "m": 10, "T_x": 1}
    assert loop.depends == ("rnn_cell_forward",) and loop.isolate is True
    assert rubric.max_points == 7.0
    assert rubric.imdb is None


def test_overrides_ids_dims_fallbacks_and_imdb(tmp_path):
    text = textwrap.dedent(
        """\
        version: 1
        name: demo
        defaults: {dims: {n_x: 3, n_a: 5, n_y: 2, m: 10, T_x: 1}, rtol: 1e-4}
        parts:
          - function: rnn_cell_backward
            name: cell_back
            isolate: false
            mutation_weight: 0.25
            atol: 0.001
            dims: {m: 4}
            outputs:
              - {name: dxt, path: "['dxt']"}
              - {name: dba, path: '["dba"]'}
              - {name: all}
            cases:
              - {id: special, visibility: hidden, seed: 3, points: 1, timeout: 2.5, outputs: [dba]}
              - {visibility: hidden, builder: rnn_cell_backward_example, seed: 4, points: 1, dims: {T_x: 4}, rtol: 0}
        imdb:
          points: 10
          files: [a.txt, b.txt]
        """
    )
    rubric = load_rubric(write(tmp_path, text))
    part = rubric.part("cell_back")
    assert part.function == "rnn_cell_backward" and part.isolate is False
    assert part.mutation_weight == 0.25
    assert [o.path for o in part.outputs] == [("dxt",), ("dba",), ()]
    special, second = part.cases
    assert special.id == "special" and special.name == "hidden case 1"
    assert special.outputs == ("dba",) and special.timeout == 2.5
    assert special.tolerance.rtol == 1e-4  # "1e-4" (PyYAML text) read as the number it means
    assert special.tolerance.atol == 0.001  # part override
    assert dict(special.dims) == {"n_x": 3, "n_a": 5, "n_y": 2, "m": 4, "T_x": 1}
    assert second.id == "cell_back/hidden-2" and second.builder == "rnn_cell_backward_example"
    assert second.dims["T_x"] == 4 and second.tolerance.rtol == 0.0
    assert rubric.imdb == {"points": 10, "files": ["a.txt", "b.txt"]}
    assert rubric.imdb_line == 19


@pytest.mark.parametrize(
    "text, expected",
    [
        ("", ()),
        ("[0]", (0,)),
        ("[2][0]", (2, 0)),
        ("['dxt']", ("dxt",)),
        ('["dxt"]', ("dxt",)),
        (" [ 1 ] ['a b'] [-1] ", (1, "a b", -1)),
    ],
)
def test_parse_path(text, expected):
    assert parse_path(text) == expected
    assert parse_path(format_path(expected)) == expected


@pytest.mark.parametrize("text", ["0", "[x]", "[0", "['a]", "[0].a", "[1.5]", "[]"])
def test_parse_path_rejects(text):
    with pytest.raises(ValueError, match="bad path"):
        parse_path(text)


def test_shipped_rubric_rnn():
    rubric = load_rubric(RNN)
    assert rubric.name == "rnn"
    assert [p.name for p in rubric.parts] == [
        "rnn_cell_forward",
        "rnn_forward",
        "lstm_cell_forward",
        "lstm_forward",
        "rnn_cell_backward",
        "rnn_backward",
    ]
    assert rubric.max_points == 100.0
    for part in rubric.parts:
        public = [c for c in part.cases if c.visibility == PUBLIC]
        hidden = [c for c in part.cases if c.visibility == HIDDEN]
        assert len(public) == 1 and public[0].seed == 1, part.name
        assert 2 <= len(hidden) <= 4, part.name
        assert any(c.dims["m"] == 1 for c in hidden), part.name
        assert any(len({c.dims["n_x"], c.dims["n_a"], c.dims["n_y"]}) == 3 for c in hidden)
        assert all(c.seed != 1 for c in hidden)
        if part.function.endswith("_forward") and "cell" not in part.function or part.function == "rnn_backward":
            assert any(c.dims["T_x"] == 1 for c in hidden), part.name
    # the printed examples
    dims = {c.part: dict(c.dims) for c in rubric.only(PUBLIC).cases}
    assert dims["rnn_forward"]["T_x"] == 4 and dims["lstm_forward"]["T_x"] == 7
    assert all((d["n_x"], d["n_a"], d["n_y"], d["m"]) == (3, 5, 2, 10) for d in dims.values())
    assert rubric.part("rnn_cell_backward").cases[0].builder == "rnn_cell_backward_example"
    assert rubric.part("rnn_backward").output("dx").path == ("dx",)


def test_shipped_rubric_extended_has_all_eight():
    rubric = load_rubric(EXTENDED)
    assert len(rubric.parts) == 8
    assert rubric.part("lstm_backward").depends == ("lstm_cell_backward",)
    base = load_rubric(RNN)
    for part in base.parts:  # the six shared parts are identical
        other = rubric.part(part.name)
        assert [(c.id, c.spec(), c.points) for c in other.cases] == [
            (c.id, c.spec(), c.points) for c in part.cases
        ]
        assert [(o.name, o.path, o.weight) for o in other.outputs] == [
            (o.name, o.path, o.weight) for o in part.outputs
        ]
        assert other.depends == part.depends


def test_only_public():
    rubric = load_rubric(RNN)
    public = rubric.only(PUBLIC)
    assert public.cases and all(c.visibility == PUBLIC for c in public.cases)
    assert len(public.parts) == 6
    hidden = rubric.only(HIDDEN)
    assert len(public.cases) + len(hidden.cases) == len(rubric.cases)


def test_loading_uses_pyyaml_s_c_parser_where_it_has_one():
    """What keeps a load in milliseconds (the pure-Python parser is about ten times slower).
    This was a wall-clock test, which failed on a loaded machine; speed is shown by the
    benchmarks, not asserted here."""
    import yaml

    from grader import rubric

    expected = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    assert rubric._loader_class() is expected


# --------------------------------------------------------------------------- errors


def test_missing_file(tmp_path):
    with pytest.raises(RubricError, match=r"nope\.yaml: cannot read") as info:
        load_rubric(tmp_path / "nope.yaml")
    assert info.value.line == 0 and ":0:" not in str(info.value)


def test_yaml_syntax_error(tmp_path):
    # The unclosed mapping is on line 9; PyYAML notices on line 10.
    assert_error(tmp_path, replace_line(9, "      - {name: yt_pred, path: [1], weight: 2"), 9, "not valid YAML",
                 "`      - {name: yt_pred, path: [1], weight: 2`", "not closed")


def test_empty_file(tmp_path):
    assert_error(tmp_path, "", 1, "empty")


def test_not_a_mapping(tmp_path):
    assert_error(tmp_path, "- 1\n- 2\n", 1, "must be a mapping")


@pytest.mark.parametrize(
    "version, fragment", [("2", "too new"), ("0", "too old"), ("one", "whole number")]
)
def test_version(tmp_path, version, fragment):
    assert_error(tmp_path, replace_line(1, f"version: {version}"), 1, fragment)


def test_missing_version(tmp_path):
    text = BASE.replace("version: 1\n", "")
    assert_error(tmp_path, text, 1, "'version'")


def test_unknown_top_key_suggests(tmp_path):
    assert_error(tmp_path, replace_line(3, "titel: Demo"), 3, "unknown key 'titel'", "did you mean 'title'?")


def test_unknown_part_key_suggests(tmp_path):
    err = assert_error(tmp_path, replace_line(15, "    depend: [rnn_cell_forward]"), 15, "'depend'")
    assert "did you mean 'depends'?" in str(err)


def test_unknown_case_key(tmp_path):
    line = "      - {name: small, visibility: hidden, seed: 7, dims: {n_x: 2, n_a: 4, n_y: 3, m: 1, T_x: 1}, point: 3}"
    assert_error(tmp_path, replace_line(13, line), 13, "unknown key 'point'", "did you mean 'points'?")


def test_unknown_output_key(tmp_path):
    assert_error(tmp_path, replace_line(8, '      - {name: a_next, path: "[0]", wieght: 2}'), 8, "'wieght'", "'weight'")


def test_duplicate_key(tmp_path):
    assert_error(tmp_path, replace_line(3, "name: again"), 3, "duplicate key 'name'", "line 2")


def test_missing_required_top(tmp_path):
    text = BASE.replace("name: demo\n", "")
    assert_error(tmp_path, text, 1, "missing the required key 'name'")


def test_missing_function(tmp_path):
    assert_error(tmp_path, replace_line(14, "  - name: rnn_forward"), 14, "missing the required key 'function'")


def test_missing_case_key(tmp_path):
    line = "      - {name: small, visibility: hidden, dims: {n_x: 2, n_a: 4, n_y: 3, m: 1, T_x: 1}, points: 3}"
    assert_error(tmp_path, replace_line(13, line), 13, "missing the required key 'seed'")


def test_missing_dimension(tmp_path):
    line = "      - {name: small, visibility: hidden, seed: 7, dims: {n_x: 2, n_a: 4, m: 1, T_x: 1}, points: 3}"
    assert_error(tmp_path, replace_line(13, line), 13, "n_y")


def test_unknown_dimension(tmp_path):
    line = "      - {name: small, visibility: hidden, seed: 7, dims: {n_x: 2, n_h: 4, n_y: 3, m: 1, T_x: 1}, points: 3}"
    assert_error(tmp_path, replace_line(13, line), 13, "unknown key 'n_h'", "n_x, n_a, n_y, m, T_x")


@pytest.mark.parametrize("value", ["0", "-2", "2.5", "true"])
def test_bad_dimension_value(tmp_path, value):
    line = f"      - {{name: small, visibility: hidden, seed: 7, dims: {{n_x: 2, n_a: {value}, n_y: 3, m: 1, T_x: 1}}, points: 3}}"
    assert_error(tmp_path, replace_line(13, line), 13, "dimension n_a")


@pytest.mark.parametrize(
    "field, value, fragment",
    [
        ("points", "-1", "must not be negative"),
        ("points", "many", "must be a number"),
        ("points", "true", "must be a number"),
        ("points", "'3'", "must be a number"),
        ("rtol", "-1.0e-5", "must not be negative"),
        ("atol", "tiny", "must be a number"),
        ("atol", ".nan", "finite"),
        ("timeout", "0", "greater than 0"),
        ("timeout", "-3", "must not be negative"),
        ("seed", "-1", "at least 0"),
        ("seed", "1.5", "whole number"),
    ],
)
def test_bad_numbers_in_case(tmp_path, field, value, fragment):
    fields = {"name": "small", "visibility": "hidden", "seed": "7", "points": "3"}
    fields[field] = value
    body = ", ".join(f"{k}: {v}" for k, v in fields.items())
    line = f"      - {{{body}, dims: {{n_x: 2, n_a: 4, n_y: 3, m: 1, T_x: 1}}}}"
    assert_error(tmp_path, replace_line(13, line), 13, fragment)


def test_bad_default_tolerance(tmp_path):
    assert_error(tmp_path, replace_line(4, "defaults: {rtol: -1.0, atol: 1.0e-7}"), 4, "rtol must not be negative")


def test_bad_mutation_weight(tmp_path):
    text = BASE.replace("    depends: [rnn_cell_forward]\n", "    depends: [rnn_cell_forward]\n    mutation_weight: 1.5\n")
    assert_error(tmp_path, text, 16, "at most 1")


def test_bad_isolate(tmp_path):
    text = BASE.replace("    depends: [rnn_cell_forward]\n", "    depends: [rnn_cell_forward]\n    isolate: maybe\n")
    assert_error(tmp_path, text, 16, "true or false")


def test_unknown_visibility(tmp_path):
    line = "      - {name: small, visibility: secret, seed: 7, dims: {n_x: 2, n_a: 4, n_y: 3, m: 1, T_x: 1}, points: 3}"
    assert_error(tmp_path, replace_line(13, line), 13, "visibility must be one of public, hidden", "'secret'")


def test_duplicate_function(tmp_path):
    assert_error(tmp_path, replace_line(14, "  - function: rnn_cell_forward"), 14, "graded twice", "line 6")


def test_duplicate_part_name(tmp_path):
    text = BASE.replace("  - function: rnn_forward\n", "  - function: rnn_forward\n    name: rnn_cell_forward\n")
    assert_error(tmp_path, text, 15, "part name 'rnn_cell_forward' is used twice", "line 6")


def test_duplicate_case_name(tmp_path):
    line = "      - {name: example, visibility: hidden, seed: 7, dims: {n_x: 2, n_a: 4, n_y: 3, m: 1, T_x: 1}, points: 3}"
    assert_error(tmp_path, replace_line(13, line), 13, "case name 'example' is used twice", "line 12")


def test_duplicate_case_id(tmp_path):
    line = "      - {id: rnn_cell_forward/public-1, name: small, visibility: hidden, seed: 7, dims: {n_x: 2, n_a: 4, n_y: 3, m: 1, T_x: 1}, points: 3}"
    assert_error(tmp_path, replace_line(13, line), 13, "case id 'rnn_cell_forward/public-1' is used twice")


def test_duplicate_output_name(tmp_path):
    assert_error(tmp_path, replace_line(9, '      - {name: a_next, path: "[1]"}'), 9, "'a_next' is listed twice")


def test_unknown_output_in_case(tmp_path):
    line = "      - {name: small, visibility: hidden, seed: 7, dims: {n_x: 2, n_a: 4, n_y: 3, m: 1, T_x: 1}, points: 3, outputs: [a_next, y_pred]}"
    assert_error(tmp_path, replace_line(13, line), 13, "unknown output 'y_pred'", "did you mean 'yt_pred'?")


def test_unknown_output_in_case_block_style(tmp_path):
    text = BASE.replace(
        "      - {name: small, visibility: hidden, seed: 7, dims: {n_x: 2, n_a: 4, n_y: 3, m: 1, T_x: 1}, points: 3}\n",
        "      - name: small\n        visibility: hidden\n        seed: 7\n"
        "        dims: {n_x: 2, n_a: 4, n_y: 3, m: 1, T_x: 1}\n        points: 3\n"
        "        outputs:\n          - a_next\n          - cach\n",
    )
    assert_error(tmp_path, text, 20, "unknown output 'cach'", "did you mean 'cache'?")


def test_unknown_depends(tmp_path):
    assert_error(tmp_path, replace_line(15, "    depends: [rnn_cell_forwrd]"), 15, "'rnn_cell_forwrd'", "did you mean 'rnn_cell_forward'?")


def test_depends_on_known_step_function_not_graded(tmp_path):
    text = BASE.replace("    depends: [rnn_cell_forward]\n", "    depends: [rnn_cell_forward, lstm_cell_backward]\n")
    rubric = load_rubric(write(tmp_path, text))
    assert rubric.part("rnn_forward").depends == ("rnn_cell_forward", "lstm_cell_backward")


@pytest.mark.parametrize("path", ["0", "[a]", "['dxt'", "[0]x", "[1.5]"])
def test_bad_path(tmp_path, path):
    assert_error(tmp_path, replace_line(9, f'      - {{name: yt_pred, path: "{path}", weight: 2}}'), 9, "bad path")


def test_path_not_text(tmp_path):
    assert_error(tmp_path, replace_line(9, "      - {name: yt_pred, path: 1, weight: 2}"), 9, "path must be text")


def test_negative_output_weight(tmp_path):
    assert_error(tmp_path, replace_line(9, '      - {name: yt_pred, path: "[1]", weight: -2}'), 9, "weight must not be negative")


def test_wrong_types(tmp_path):
    head = "\n".join(BASE.splitlines()[:4]) + "\n"
    assert_error(tmp_path, head + "parts: 3\n", 5, "parts must be a list")
    assert_error(tmp_path, head + "parts: []\n", 5, "must not be empty")
    assert_error(tmp_path, replace_line(6, "  - function: [a, b]"), 6, "function must be a single value, not a list")
    # Thirty-second session: these said "expected a single value here", naming no key.
    case = "      - {name: small, visibility: hidden, seed: %s, dims: {n_x: 2, n_a: 4, n_y: 3, m: 1, T_x: 1}, points: 3}"
    assert_error(tmp_path, replace_line(13, case % "[7]"), 13, "seed must be a single value, not a list")
    assert_error(tmp_path, replace_line(13, case % "{n: 7}"), 13, "seed must be a single value, not a mapping")
    assert_error(tmp_path, replace_line(13, case.replace("visibility: hidden", "visibility: [hidden]") % 7), 13,
                 "visibility must be a single value, not a list")
    assert_error(tmp_path, replace_line(4, "defaults: {rtol: [1.0e-5], atol: 1.0e-7, timeout: 5}"), 4,
                 "rtol must be a single value, not a list")
    assert_error(tmp_path, replace_line(8, '      - {name: yt_pred, path: ["[1]"], weight: 2}'), 8,
                 "path must be a single value, not a list")
    assert_error(tmp_path, replace_line(6, "  - function: 3"), 6, "Python function name")
    assert_error(tmp_path, replace_line(2, "name: my rubric"), 2, "may hold only")
    assert_error(tmp_path, replace_line(4, "defaults: 5"), 4, "defaults must be a mapping")


def test_imdb_must_be_mapping(tmp_path):
    assert_error(tmp_path, BASE + "imdb: [1, 2]\n", 21, "imdb must be a mapping")


def test_every_dimension_name_is_allowed(tmp_path):
    assert DIMENSIONS == ("n_x", "n_a", "n_y", "m", "T_x")


def test_output_check_kind(tmp_path):
    rubric = load_rubric(write(tmp_path, replace_line(10, '      - {name: cache, path: "[2]", weight: 1, check: structure}')))
    assert rubric.part("rnn_cell_forward").output("cache").check == "structure"
    assert rubric.part("rnn_cell_forward").output("a_next").check == "allclose"
    assert_error(tmp_path, replace_line(10, '      - {name: cache, path: "[2]", check: roughly}'), 10, "unknown check 'roughly'", "allclose")


@pytest.mark.parametrize("seed", ["4294967296", "99999999999999999999"])
def test_a_seed_numpy_refuses_is_refused_at_its_line_with_the_range(tmp_path, seed):
    """seed: 2**32 loaded, and regenerate failed at the builder with NumPy's 'Seed must be between
    0 and 2**32 - 1', naming no line of the rubric."""
    line = f"      - {{name: small, visibility: hidden, seed: {seed}, dims: {{n_x: 2, n_a: 4, n_y: 3, m: 1, T_x: 1}}, points: 3}}"
    assert_error(tmp_path, replace_line(13, line), 13,
                 f"seed must be from 0 to 4294967295 (2**32 - 1, the largest seed NumPy's RandomState takes), not {seed}")
    # The largest allowed loads, and NumPy takes it.
    import numpy as np

    largest = load_rubric(write(tmp_path, replace_line(13, line.replace(seed, "4294967295")), "ok.yaml"))
    assert largest.parts[0].cases[1].seed == 4294967295
    np.random.RandomState(largest.parts[0].cases[1].seed)
