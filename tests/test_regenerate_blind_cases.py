"""What ``python3 -m grader.regenerate`` says about cases that cannot tell a known mistake
(solution/mutants.py) from the reference, and about cases with the same inputs as another
(grader.blindspots): the instructor's mistakes of the thirty-third session's rubric edit."""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from grader import blindspots
from grader import fixtures as fx
from grader import regenerate as rg
from grader.rubric import RubricError, load_rubric
from tests.test_fixtures import RUBRICS, edit_rubric, workspace  # noqa: F401 - fixtures

# The case of rnn_backward the edits below turn into a single step (T_x = 1).
LONG = "{name: long sequence, visibility: hidden, seed: 23, dims: {n_x: 6, n_a: 3, n_y: 4, m: 8, T_x: 6}, points: 5}"
SHORT = LONG.replace("T_x: 6}", "T_x: 1}")


def _warnings(err: str) -> list[str]:
    return [line for line in err.splitlines() if line.startswith("warning: ")]


def _said_of_inputs(capsys, *argv) -> list[str]:
    """The warnings about cases with another case's inputs of a run that succeeds."""
    assert rg.main([str(arg) for arg in argv]) == rg.EXIT_OK
    return [line for line in _warnings(capsys.readouterr().err) if "inputs of" in line]


def test_a_case_whose_inputs_hide_a_known_mistake_is_named_with_the_mistakes(workspace, capsys):
    """A single time step gives the loop-over-time mistakes of rnn_backward the reference's
    outputs: before, regenerate wrote the fixtures without a word, and a student who kept the
    gradient of later steps out of the loop kept the case's 5 points."""
    rubric_path, _ = workspace
    line = edit_rubric(rubric_path, LONG, SHORT)
    assert rg.main([str(rubric_path)]) == rg.EXIT_OK
    said = _warnings(capsys.readouterr().err)
    assert len(said) == 1, said
    assert said[0].startswith(f"warning: {rubric_path}:{line}: case 'long sequence' (rnn_backward/hidden-3, 5 points) "
                              "cannot tell the reference from the known mistake(s) rnn_backward/dx_wrong_index, "
                              "rnn_backward/forward_in_time, rnn_backward/no_recurrent_gradient, "
                              "rnn_backward/not_accumulated: their outputs are the reference's"), said
    assert "keeps this case's 5 points" in said[0] and "blind_to" in said[0]
    # Said as meant: no warning; --check says the same.
    edit_rubric(rubric_path, SHORT, SHORT[:-1] + ", blind_to: [dx_wrong_index, forward_in_time, "
                "no_recurrent_gradient, rnn_backward/not_accumulated]}")
    assert rg.main([str(rubric_path), "--check"]) == rg.EXIT_OK
    assert _warnings(capsys.readouterr().err) == []


def test_a_mistake_no_case_of_its_part_catches_costs_the_whole_part(workspace, capsys):
    rubric_path, _ = workspace
    text = rubric_path.read_text()
    start = text.index("  - function: rnn_backward\n")
    part = text[start:text.index("\n\n", start)]
    # Every case of rnn_backward a single step: a mistake of the loop gets all 20 points.
    one_step = "\n".join(line.replace("T_x: 4}", "T_x: 1}").replace("T_x: 3}", "T_x: 1}").replace("T_x: 6}", "T_x: 1}")
                         .replace("blind_to: [dx_wrong_index, forward_in_time, no_recurrent_gradient, "
                                  "not_accumulated], ", "")
                         for line in part.split("\n"))
    rubric_path.write_text(text.replace(part, one_step))
    assert rg.main([str(rubric_path)]) == rg.EXIT_OK
    said = _warnings(capsys.readouterr().err)
    line = text[:start].count("\n") + 1
    assert len(said) == 5, said
    assert said[0] == (f"warning: {rubric_path}:{line}: no case of rnn_backward tells the known mistake(s) "
                       "rnn_backward/dx_wrong_index, rnn_backward/forward_in_time, rnn_backward/no_recurrent_gradient, "
                       "rnn_backward/not_accumulated from the reference, so a student who makes one gets all 20 "
                       "points of rnn_backward (the cases' warnings follow)"), said


def test_a_tolerance_loose_enough_for_a_known_mistake_says_which_rtol_catches_it(workspace, capsys):
    """rtol 3 on rnn_cell_forward (a slip for 1e-3) lets the cell without the bias by pass the
    public case, and the softmax over the whole array every case."""
    rubric_path, _ = workspace
    line = edit_rubric(rubric_path, "{name: assignment example, visibility: public, seed: 1, dims: {n_x: 3, n_a: 5, "
                       "n_y: 2, m: 10, T_x: 1}, points: 2.5}", "{name: assignment example, visibility: public, seed: 1, "
                       "dims: {n_x: 3, n_a: 5, n_y: 2, m: 10, T_x: 1}, points: 2.5, rtol: 3}")
    assert rg.main([str(rubric_path)]) == rg.EXIT_OK
    said = [line for line in _warnings(capsys.readouterr().err) if "rnn_cell_forward/" in line]
    assert len(said) == 1, said
    assert said[0].startswith(
        f"warning: {rubric_path}:{line}: case 'assignment example' (rnn_cell_forward/public-1, 2.5 points) lets the "
        "known mistake(s) rnn_cell_forward/ba_outside_tanh, rnn_cell_forward/no_by, rnn_cell_forward/softmax_whole_array, "
        "rnn_cell_forward/y_from_preactivation pass within its tolerance (rtol 3, atol 1e-07); an rtol below 0.99 tells them apart"), said
    edit_rubric(rubric_path, "points: 2.5, rtol: 3}", "points: 2.5, atol: 2}")  # an atol: the rtol cannot help
    assert rg.main([str(rubric_path), "--check"]) == rg.EXIT_OK
    said = [line for line in _warnings(capsys.readouterr().err) if "rnn_cell_forward/" in line]
    assert len(said) == 1 and "within its tolerance (rtol 1e-05, atol 2); its atol alone lets them pass: an atol " \
                              "below 0.21 tells them apart" in said[0], said


def test_blind_to_a_mistake_the_case_catches_or_that_does_not_exist(workspace, capsys):
    rubric_path, _ = workspace
    line = edit_rubric(rubric_path, LONG, LONG[:-1] + ", blind_to: [dx_not_stored]}")
    assert rg.main([str(rubric_path), "--check"]) == rg.EXIT_OK
    said = _warnings(capsys.readouterr().err)
    assert said == [f"warning: {rubric_path}:{line}: case 'long sequence' (rnn_backward/hidden-3, 5 points) lists "
                    "rnn_backward/dx_not_stored in blind_to, but tells it apart from the reference: remove it "
                    "from blind_to"], said
    edit_rubric(rubric_path, "blind_to: [dx_not_stored]", "blind_to: [dx_not_stord]")
    assert rg.main([str(rubric_path)]) == rg.EXIT_ERROR
    err = capsys.readouterr().err
    assert (f"{rubric_path}:{line}: blind_to names 'rnn_backward/dx_not_stord', which is not a known mistake of "
            "solution/mutants.py; did you mean 'dx_not_stored'?") in err, err


@pytest.mark.parametrize("written, problem", [
    ("blind_to: [rnn_cell_backward/no_tanh_derivative]",
     "'rnn_cell_backward/no_tanh_derivative' is a known mistake of rnn_cell_backward, not of rnn_backward"),
    ("blind_to: [dx_not_stored, dx_not_stored]", "'rnn_backward/dx_not_stored' is listed twice in blind_to"),
    ("blind_to: dx_not_stored", "must be a list, not 'dx_not_stored'; write [dx_not_stored]"),
    ("blind_to: [dx not stored]", "blind_to names known mistakes such as a0_every_step"),
])
def test_the_loader_refuses_a_blind_to_that_cannot_be_meant(workspace, written, problem):
    rubric_path, _ = workspace
    line = edit_rubric(rubric_path, LONG, LONG[:-1] + ", " + written + "}")
    with pytest.raises(RubricError) as info:
        load_rubric(rubric_path)
    assert str(info.value).startswith(f"{rubric_path}:{line}: ") and problem in str(info.value), str(info.value)


def test_a_hidden_case_with_the_inputs_of_a_public_one_is_named(workspace, capsys):
    """A hidden case copied from the public one: its expected value ships in the student kit."""
    rubric_path, _ = workspace
    line = edit_rubric(rubric_path, "{name: one example (m = 1), visibility: hidden, seed: 7, dims: {n_x: 4, n_a: 6, "
                       "n_y: 3, m: 1, T_x: 3}, points: 5}",
                       "{name: one example (m = 1), visibility: hidden, seed: 1, dims: {n_x: 3, n_a: 5, "
                       "n_y: 2, m: 10, T_x: 4}, points: 5}")
    said = _said_of_inputs(capsys, rubric_path)
    assert said == [f"warning: {rubric_path}:{line}: the hidden case 'one example (m = 1)' (line {line}) has the inputs "
                    f"of the public case 'assignment example' (line {line - 1}): its expected value is in the public "
                    "fixtures and the student kit; give it another seed or other dims"], said


def test_the_same_inputs_with_other_outputs_are_a_tighter_tolerance_not_a_twin(workspace, capsys):
    """docs/rubrics.md's recipe for a tighter tolerance on one output: a second case on the same
    inputs comparing that output alone. It is no twin; comparing an output twice is."""
    rubric_path, _ = workspace
    case = ("      - {name: narrow hidden state, visibility: hidden, seed: 23, dims: {n_x: 6, n_a: 3, n_y: 4, m: 8, "
            "T_x: 1}, points: 2.5}\n")
    tight = case.replace("narrow hidden state", "narrow (a_next to 1e-9)").replace("points: 2.5}", "points: 1, "
                                                                                  "rtol: 1.0e-9, outputs: [a_next]}")
    edit_rubric(rubric_path, case, case.replace("points: 2.5}", "points: 1.5, outputs: [yt_pred, cache]}") + tight)
    assert not _said_of_inputs(capsys, rubric_path)
    edit_rubric(rubric_path, "outputs: [yt_pred, cache]", "outputs: [a_next, cache]")
    said = _said_of_inputs(capsys, rubric_path)
    assert len(said) == 1 and "compares a_next too: the same comparison is graded twice" in said[0], said


def test_an_rtol_under_the_atol_that_tightens_nothing_is_named(workspace, capsys):
    """Thirty-seventh session, docs/rubrics.md's recipe tried on a GRU rubric: a case's `rtol:
    1.0e-9` for one output, under the default `atol: 1.0e-7`, bounds nothing tighter (atol is
    larger than rtol times every value), and a float32 hidden state passed it. The generator now
    says so at the case's line; with an atol of its own (as the recipe now writes) it says nothing."""
    from grader.checks import CHECKS
    from grader.models import Tolerance

    rubric_path, _ = workspace
    case = ("      - {name: narrow hidden state, visibility: hidden, seed: 23, dims: {n_x: 6, n_a: 3, n_y: 4, m: 8, "
            "T_x: 1}, points: 2.5}\n")
    tight = case.replace("narrow hidden state", "narrow (a_next to 1e-9)").replace(
        "points: 2.5}", "points: 1, rtol: 1.0e-9, outputs: [a_next]}")
    line = edit_rubric(rubric_path, case, case.replace("points: 2.5}", "points: 1.5, outputs: [yt_pred, cache]}") + tight)
    assert rg.main([str(rubric_path)]) == rg.EXIT_OK
    said = [w for w in _warnings(capsys.readouterr().err) if "tightens nothing" in w]
    assert len(said) == 1 and said[0].startswith(
        f"warning: {rubric_path}:{line + 1}: case 'narrow (a_next to 1e-9)' (rnn_cell_forward/hidden-4) has rtol 1e-09 "
        "under atol 1e-07, which is larger than rtol times every value it compares"), said
    assert "give the case an atol too (atol: " in said[0], said
    # What it lets through: a_next rounded to float32, within 1e-7 of every value (all under 1 in size).
    expected = np.tanh(np.random.RandomState(0).randn(3, 8))
    rounded = expected.astype(np.float32).astype(np.float64)
    assert CHECKS["allclose"](rounded, expected, tolerance=Tolerance(1e-9, 1e-7), name="a_next") is None
    assert CHECKS["allclose"](rounded, expected, tolerance=Tolerance(1e-9, 1e-12), name="a_next") is not None
    edit_rubric(rubric_path, "rtol: 1.0e-9, outputs", "rtol: 1.0e-9, atol: 1.0e-12, outputs")
    assert rg.main([str(rubric_path)]) == rg.EXIT_OK
    assert not [w for w in _warnings(capsys.readouterr().err) if "tightens nothing" in w]


def test_the_shipped_rubrics_say_every_case_that_is_meant_blind(capsys):
    assert rg.main([str(RUBRICS / "rnn.yaml"), str(RUBRICS / "rnn_extended.yaml"), "--check"]) == rg.EXIT_OK
    assert _warnings(capsys.readouterr().err) == []


def test_the_warnings_docs_rubrics_md_shows_are_the_ones_given(workspace, capsys):
    rubric_path, _ = workspace
    edit_rubric(rubric_path, LONG, SHORT)
    edit_rubric(rubric_path, "{name: assignment example, visibility: public, seed: 1, dims: {n_x: 3, n_a: 5, n_y: 2, "
                "m: 10, T_x: 1}, points: 2.5}", "{name: assignment example, visibility: public, seed: 1, dims: "
                "{n_x: 3, n_a: 5, n_y: 2, m: 10, T_x: 1}, points: 2.5, rtol: 3}")
    assert rg.main([str(rubric_path)]) == rg.EXIT_OK
    said = [line.replace(str(rubric_path), "rubrics/rnn.yaml") for line in _warnings(capsys.readouterr().err)]
    docs = (RUBRICS.parent / "docs" / "rubrics.md").read_text(encoding="utf-8")
    shown = [line.removesuffix(" ...") for line in docs.splitlines() if line.startswith("warning: rubrics/rnn.yaml:")]
    assert len(shown) == 2 and all(any(line.startswith(doc) for line in said) for doc in shown), (shown, said)


def test_a_make_up_exams_hidden_case_with_the_inputs_of_the_exams_public_one_is_named(workspace, capsys):
    """A make-up exam's rubric beside the exam's: its students have the exam's kit, so a hidden
    case of the make-up with the inputs of a public case of the exam is no secret."""
    rubric_path, _ = workspace
    makeup = rubric_path.parent / "makeup.yaml"
    makeup.write_text(rubric_path.read_text().replace("name: rnn\n", "name: rnn_makeup\n", 1))
    line = edit_rubric(makeup, "{name: assignment example, visibility: public, seed: 1, dims: {n_x: 3, n_a: 5, "
                       "n_y: 2, m: 10, T_x: 1}, points: 2.5}", "{name: assignment example, visibility: hidden, "
                       "seed: 1, dims: {n_x: 3, n_a: 5, n_y: 2, m: 10, T_x: 1}, points: 2.5}")
    said = _said_of_inputs(capsys, makeup)
    assert said == [f"warning: {makeup}:{line}: the hidden case 'assignment example' of {makeup} (line {line}) has "
                    f"the inputs of the public case 'assignment example' of {rubric_path} (line {line}): the student "
                    "kit of rnn gives its expected value away; give one of the two another seed or other dims"], said
    said = _said_of_inputs(capsys, rubric_path, "--check")  # and from the exam's side
    assert len(said) == 1 and said[0].startswith(f"warning: {rubric_path}:{line}: the hidden case 'assignment "
                                                 f"example' of {makeup}"), said


# Thirty-fourth session: a warning of a case whose inputs hide a mistake said "give the case inputs
# that tell them apart" but not which dimension; the shipped `long sequence` cases (n_x = T_x = 6)
# hide a loop over len(x), and an instructor wanting them to catch it had to guess.

FORWARD_LONG = "{name: long sequence, visibility: hidden, blind_to: [len_of_x], seed: 23, dims: {n_x: 6, n_a: 3, n_y: 4, m: 8, T_x: 6}, points: 4}"


def test_a_hidden_mistake_names_the_dimension_that_tells_it_apart(workspace, capsys):
    rubric_path, _ = workspace
    assert rubric_path.read_text().count(FORWARD_LONG) == 2  # rnn_forward's and lstm_forward's
    line = edit_rubric(rubric_path, FORWARD_LONG, FORWARD_LONG.replace("blind_to: [len_of_x], ", ""))
    assert rg.main([str(rubric_path), "--check"]) == rg.EXIT_OK
    said = _warnings(capsys.readouterr().err)
    assert len(said) == 1 and said[0].startswith(f"warning: {rubric_path}:{line}: case 'long sequence' "
                                                  "(rnn_forward/hidden-3, 4 points)"), said
    assert ("rnn_forward/len_of_x: their outputs are the reference's on this case's inputs; n_x: 7 or T_x: 7 in "
            "its dims tells them apart (now n_x = 6, T_x = 6;") in said[0], said
    edit_rubric(rubric_path, LONG, SHORT)  # rnn_backward's long sequence made a single step
    assert rg.main([str(rubric_path), "--check"]) == rg.EXIT_STALE
    said = [line for line in _warnings(capsys.readouterr().err) if "rnn_backward/" in line]
    assert len(said) == 1 and "; T_x: 2 in its dims tells them apart (now T_x = 1;" in said[0], said


def test_a_mistake_no_dimension_reveals_gets_no_made_up_advice(workspace, capsys):
    """A tolerance that lets a mistake pass is no matter of dimensions: the rtol is named, no dims."""
    rubric_path, _ = workspace
    edit_rubric(rubric_path, "dims: {n_x: 3, n_a: 5, n_y: 2, m: 10, T_x: 1}, points: 2.5}",
                "dims: {n_x: 3, n_a: 5, n_y: 2, m: 10, T_x: 1}, points: 2.5, rtol: 3}")
    assert rg.main([str(rubric_path), "--check"]) == rg.EXIT_OK
    said = _warnings(capsys.readouterr().err)
    assert len(said) == 1 and "an rtol below" in said[0] and "in its dims" not in said[0], said


def test_the_docs_recipe_for_long_sequences_that_catch_len_of_x_leaves_no_warning(workspace, capsys):
    """docs/rubrics.md: n_x: 5 in both forward loops' long sequence, len_of_x out of blind_to."""
    rubric_path, fixtures = workspace
    text = rubric_path.read_text()
    rubric_path.write_text(text.replace(FORWARD_LONG, FORWARD_LONG.replace("blind_to: [len_of_x], ", "")
                                        .replace("n_x: 6", "n_x: 5")))
    docs = " ".join((RUBRICS.parent / "docs" / "rubrics.md").read_text(encoding="utf-8").split())
    assert "write `n_x: 5`" in docs and "take `len_of_x` out of their `blind_to`" in docs
    assert rg.main([str(rubric_path)]) == rg.EXIT_OK
    err = capsys.readouterr().err
    assert _warnings(err) == [], err
    rubric = load_rubric(rubric_path)
    loaded = fx.load_fixtures(rubric)
    for function in ("rnn_forward", "lstm_forward"):
        part = next(p for p in rubric.parts if p.function == function)
        case = part.cases[-1]
        assert case.name == "long sequence" and case.dims["n_x"] == 5
        # The mistake now fails every output the case compares: the student loses its 4 points.
        for spec in part.outputs:
            alone = replace(case, outputs=(spec.name,))
            assert f"{function}/len_of_x" not in blindspots.blind_mistakes(part, alone, loaded[case.id]), spec.name


CELL_CACHE = '      - {name: cache, path: "[2]", weight: 1}\n'


def test_mistakes_in_what_no_output_names_are_one_warning_for_the_part(workspace, capsys):
    """A quiz that leaves the cache ungraded: the three cache mistakes of rnn_cell_forward got a
    warning for the part and one for each of its four cases, each saying 'give the case inputs
    that tell them apart', which no inputs do."""
    rubric_path, _ = workspace
    text = rubric_path.read_text()
    start = text.index("  - function: rnn_cell_forward\n")
    assert text.index(CELL_CACHE) > start
    rubric_path.write_text(text.replace(CELL_CACHE, "", 1))
    line = text[:start].count("\n") + 1
    assert rg.main([str(rubric_path)]) == rg.EXIT_OK
    said = [warning for warning in _warnings(capsys.readouterr().err) if "rnn_cell_forward" in warning]
    assert said == [f"warning: {rubric_path}:{line}: the known mistake(s) rnn_cell_forward/cache_order, "
                    "rnn_cell_forward/cache_without_x, rnn_cell_forward/cache_x_first change only [2] of what "
                    "rnn_cell_forward returns, which no output of rnn_cell_forward names, so a student who makes "
                    "one gets all 10 points of rnn_cell_forward. To grade it, add an output with path: \"[2]\" "
                    "(docs/rubrics.md, Outputs); to say it is meant, list the mistakes in the blind_to of its "
                    "cases"], said


def test_an_output_a_case_leaves_out_is_named_not_its_inputs(workspace, capsys):
    rubric_path, _ = workspace
    old = ("{name: narrow hidden state, visibility: hidden, seed: 23, dims: {n_x: 6, n_a: 3, n_y: 4, m: 8, T_x: 1}, "
           "points: 2.5}")
    line = edit_rubric(rubric_path, old, old[:-1] + ", outputs: [a_next, yt_pred]}")
    assert rg.main([str(rubric_path)]) == rg.EXIT_OK
    said = _warnings(capsys.readouterr().err)
    assert len(said) == 1 and said[0].startswith(
        f"warning: {rubric_path}:{line}: case 'narrow hidden state' (rnn_cell_forward/hidden-3, 2.5 points) cannot "
        "tell the reference from the known mistake(s) rnn_cell_forward/cache_order, rnn_cell_forward/cache_without_x, "
        "rnn_cell_forward/cache_x_first: they differ from it only in the output(s) cache, which its outputs leave "
        "out;"), said
    assert said[0].endswith("Compare what they change (docs/rubrics.md, Outputs), or list them in its blind_to to "
                            "say it is meant"), said
    assert "in its dims" not in said[0] and "inputs that tell" not in said[0]


def test_mistakes_that_need_different_dimensions_are_told_apart_by_each():
    from types import MappingProxyType

    from grader.models import Case, Tolerance

    case = Case(id="p/hidden-1", part="p", function="f", name="x", visibility="hidden", builder="f", seed=1,
                dims=MappingProxyType({"n_x": 2, "n_a": 3, "n_y": 2, "m": 1, "T_x": 1}), points=1,
                tolerance=Tolerance(rtol=1e-5, atol=1e-7), outputs=("a",), timeout=1)
    said = blindspots._dims_fix(case, {"f/a": (("T_x", 2),), "f/b": (("m", 2),), "f/c": (("T_x", 2),), "f/d": ()})
    assert said == ("; T_x: 2 in its dims tells f/a, f/c apart, m: 2 in its dims tells f/b apart (now m = 1, "
                    "T_x = 1; the case's fixtures then change, and the points of a student who makes one)"), said
    assert blindspots._dims_fix(case, {"f/d": ()}) == ""


def test_a_part_whose_cases_all_share_an_idle_rtol_is_named_too(workspace):
    """Thirty-eighth session: `rtol: 1.0e-9` written once in a part (every case of it the same, under
    the default atol 1e-7) was compared with its own cases' rtol alone, found "not tightened", and
    passed over, where the same rtol on one case was warned of. Each case is named, as for one."""
    rubric_path, fixtures_dir = workspace
    line = edit_rubric(rubric_path, "  - function: rnn_cell_forward\n",
                       "  - function: rnn_cell_forward\n    rtol: 1.0e-9\n")
    rubric = load_rubric(rubric_path)
    fixtures = fx.load_fixtures(rubric, fixtures_dir=fixtures_dir)
    said = blindspots.idle_rtol_warnings(rubric, fixtures)
    part = rubric.part("rnn_cell_forward")
    assert [w.split(": case ", 1)[0] for w in said] == [f"{rubric_path}:{case.line}" for case in part.cases], said
    assert all("has rtol 1e-09 under atol 1e-07" in w and "tightens nothing" in w for w in said), said
    assert line < part.cases[0].line
    # An atol of the part's own makes the rtol count: nothing to say.
    edit_rubric(rubric_path, "    rtol: 1.0e-9\n", "    rtol: 1.0e-9\n    atol: 1.0e-12\n")
    assert blindspots.idle_rtol_warnings(load_rubric(rubric_path), fixtures) == []


def test_a_rubric_of_the_folder_is_named_as_the_instructor_names_the_folder(workspace, capsys, monkeypatch):
    """Thirty-eighth session, a new term's edit run as `python3 -m grader.regenerate rubrics/rnn.yaml`:
    the warning named `rubrics/rnn.yaml:88` and, for the other rubric of the folder,
    `/home/.../rubrics/rnn_extended.yaml`. Both are named as the command line names the folder."""
    rubric_path, _ = workspace
    monkeypatch.chdir(rubric_path.parent.parent)
    folder = rubric_path.parent.name
    makeup = rubric_path.parent / "makeup.yaml"
    makeup.write_text(rubric_path.read_text().replace("name: rnn\n", "name: rnn_makeup\n", 1))
    line = edit_rubric(makeup, "{name: assignment example, visibility: public, seed: 1, dims: {n_x: 3, n_a: 5, "
                       "n_y: 2, m: 10, T_x: 1}, points: 2.5}", "{name: assignment example, visibility: hidden, "
                       "seed: 1, dims: {n_x: 3, n_a: 5, n_y: 2, m: 10, T_x: 1}, points: 2.5}")
    [said] = _said_of_inputs(capsys, f"{folder}/makeup.yaml")
    assert said.startswith(f"warning: {folder}/makeup.yaml:{line}: the hidden case 'assignment example' of "
                           f"{folder}/makeup.yaml (line {line}) has the inputs of the public case 'assignment "
                           f"example' of {folder}/rnn.yaml (line {line})"), said


def test_a_case_split_for_a_tighter_tolerance_is_one_case_for_the_known_mistakes():
    """Thirty-eighth session, a new term's rnn_extended.yaml: docs/rubrics.md's recipe (a case split
    in two on the same inputs, the weight gradients to rtol 1e-7 in one half, the rest in the other)
    gave a warning per split case that its weights half "cannot tell" lstm_cell_backward/
    dc_prev_without_ft, which changes only dc_prev, compared and caught by the other half. The two
    halves are one case: nothing to say. Left out of both, the mistake is still named."""
    from types import MappingProxyType

    from grader.rubric import parse_rubric

    path = RUBRICS / "rnn_extended.yaml"
    text = path.read_text(encoding="utf-8")
    original = load_rubric(path)
    shipped = fx.load_fixtures(original)
    case = ("      - {name: course dimensions, visibility: public, seed: 1, dims: {n_x: 3, n_a: 5, n_y: 2, m: 10, "
            "T_x: 1}, points: 5}\n")
    assert text.count(case) == 1

    def split(rest: str) -> list[str]:
        halves = (case.replace("points: 5}", f"points: 3, outputs: [{rest}]}}")
                  + case.replace("course dimensions", "course dimensions (weights to 1e-7)").replace(
                      "points: 5}", "points: 2, rtol: 1.0e-7, atol: 1.0e-10, outputs: [dWf, dWi, dWc, dWo]}"))
        rubric = parse_rubric(text.replace(case, halves), path=str(path))
        fixtures = MappingProxyType({**shipped, "lstm_cell_backward/public-2": shipped["lstm_cell_backward/public-1"]})
        return [w for w in blindspots.blind_case_warnings(rubric, fixtures) if "lstm_cell_backward/public" in w]

    assert split("dxt, da_prev, dc_prev, dbf, dbi, dbc, dbo") == []
    said = split("dxt, da_prev, dbf, dbi, dbc, dbo")  # dc_prev compared by neither half
    assert len(said) == 2 and all("lstm_cell_backward/dc_prev_without_ft: they differ from it only in the output(s) "
                                  "dc_prev, which its outputs leave out" in w for w in said), said
