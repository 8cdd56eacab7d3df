"""What an instructor reads from ``python3 -m grader.regenerate`` after a rubric edit goes wrong."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from grader import regenerate as rg
from grader.copycommands import grade_command, module_command
from grader.rubric import load_rubric
from tests.test_fixtures import RUBRICS, edit_rubric, reference, workspace  # noqa: F401 - fixtures

ROOT = Path(__file__).resolve().parent.parent


def test_a_misspelt_function_is_named_as_such_at_the_part_line(workspace, capsys):
    rubric_path, _ = workspace
    line = edit_rubric(rubric_path, "  - function: rnn_forward\n", "  - function: rnn_forwrd\n")
    assert rg.main([str(rubric_path)]) == rg.EXIT_ERROR
    err = capsys.readouterr().err
    # Not "unknown builder 'rnn_forwrd'" at a case's line: the builder was never written.
    assert f"{rubric_path}:{line}: the reference solution (solution/rnn.py) has no function 'rnn_forwrd'" in err, err
    assert "did you mean 'rnn_forward'?" in err and "unknown builder" not in err, err


def test_a_misspelt_builder_gets_the_closest_name(workspace, capsys):
    rubric_path, _ = workspace
    line = edit_rubric(rubric_path, "builder: rnn_cell_backward_example", "builder: rnn_cell_backwrd_example")
    assert rg.main([str(rubric_path)]) == rg.EXIT_ERROR
    err = capsys.readouterr().err
    assert f"{rubric_path}:{line}: unknown builder 'rnn_cell_backwrd_example'; did you mean 'rnn_cell_backward_example'?" in err, err
    assert "uses the function's name" not in err


def test_a_missing_fixture_file_is_named_once(workspace, reference, capsys):  # noqa: F811
    rubric_path, fixtures_dir = workspace
    (fixtures_dir / "rnn.hidden.json").unlink()
    assert rg.main([str(rubric_path), "--check"]) == rg.EXIT_STALE
    err = capsys.readouterr().err
    problem = next(line for line in err.splitlines() if "rnn.hidden.json" in line)
    assert problem.count("rnn.hidden.json") == 1 and "fixture file not found" in problem, err


def test_each_rubric_is_checked_even_after_one_that_is_not_a_rubric(capsys):
    """``rubrics/*.yaml`` holds rubrics/imdb.yaml: the rubrics after it are verified all the same."""
    status = rg.main([str(RUBRICS / "imdb.yaml"), str(RUBRICS / "rnn.yaml"), "--check"])
    captured = capsys.readouterr()
    assert status == rg.EXIT_ERROR
    assert "imdb.yaml:5: this file is not a rubric" in captured.err, captured.err
    assert "rnn.yaml: 24 case(s) verified" in captured.out, captured.out


def test_the_worst_status_wins(workspace, capsys):
    rubric_path, fixtures_dir = workspace
    edit_rubric(rubric_path, "seed: 23, dims: {n_x: 6, n_a: 3, n_y: 4, m: 8, T_x: 6}, points: 4}",
                "seed: 24, dims: {n_x: 6, n_a: 3, n_y: 4, m: 8, T_x: 6}, points: 4}")
    stale = rg.main([str(rubric_path), "--check"])
    assert stale == rg.EXIT_STALE
    both = rg.main([str(rubric_path), str(rubric_path.parent / "nope.yaml"), "--check"])
    err = capsys.readouterr().err
    assert both == rg.EXIT_ERROR and "stale" in err and "nope.yaml: cannot read the rubric" in err, err


def test_a_tolerance_or_points_edit_leaves_the_fixtures_unchanged(workspace, capsys):
    """docs/instructors.md: points, weights, tolerances and timeouts are not part of the fixtures."""
    rubric_path, fixtures_dir = workspace
    edit_rubric(rubric_path, "defaults: {rtol: 1.0e-5,", "defaults: {rtol: 1.0e-4,")
    edit_rubric(rubric_path, "T_x: 1}, points: 2.5}", "T_x: 1}, points: 3}")
    edit_rubric(rubric_path, "{name: a_next, path: \"[0]\", weight: 2}", "{name: a_next, path: \"[0]\", weight: 3}")
    before = {p.name: p.read_bytes() for p in fixtures_dir.iterdir()}
    assert rg.main([str(rubric_path)]) == rg.EXIT_OK
    out = capsys.readouterr().out
    assert "rnn.public.json: unchanged" in out and "rnn.hidden.json: unchanged" in out, out
    # The fixtures did not change, the scores will: the last line says how to see them before
    # anyone reads them (thirty-fourth session; it ended at the points line).
    assert out.splitlines()[-1] == (
        f"Next: python3 -m grader.regenerate {rubric_path} --check; for a class graded before, see what the edit "
        f"does to each student before publishing: cp -r OUT preview && python3 grade.py SUBMISSIONS --rubric "
        f"{rubric_path} --out preview, then read preview/score-changes.csv (who gains, who loses, in points and "
        "percent; docs/instructors.md, After editing the rubric). A student kit made before checks the public "
        "cases with the rubric it was made from: after an edit of a public case (its tolerance, outputs or points "
        f"too) or of any points, make it again: python3 grade.py --student-kit DIR --rubric {rubric_path}"), out
    assert {p.name: p.read_bytes() for p in fixtures_dir.iterdir()} == before
    assert rg.main([str(rubric_path), "--check"]) == rg.EXIT_OK


def test_a_part_that_calls_a_step_function_it_does_not_list_is_warned_of(workspace, capsys):
    """Thirty-second session: a rubric's rnn_forward without ``depends: [rnn_cell_forward]``
    graded a student's loop with their own cell, so a wrong cell failed a right loop too, and
    nothing said so. The generator warns (exit status unchanged); the shipped rubrics get none."""
    rubric_path, _ = workspace
    text = rubric_path.read_text()
    part_line = text[:text.index("  - function: rnn_forward\n")].count("\n") + 1
    edit_rubric(rubric_path, "    depends: [rnn_cell_forward]\n", "")
    assert rg.main([str(rubric_path)]) == rg.EXIT_OK
    err = capsys.readouterr().err
    assert (f"warning: {rubric_path}:{part_line}: rnn_forward calls rnn_cell_forward (the reference does), "
            f"which its depends does not list") in err, err
    assert "add depends: [rnn_cell_forward]" in err
    edit_rubric(rubric_path, "  - function: rnn_forward\n", "  - function: rnn_forward\n    isolate: false\n")
    assert rg.main([str(rubric_path)]) == rg.EXIT_OK
    assert "warning" not in capsys.readouterr().err
    assert rg.main([str(RUBRICS / "rnn.yaml"), str(RUBRICS / "rnn_extended.yaml"), "--check"]) == rg.EXIT_OK
    assert "warning" not in capsys.readouterr().err


def test_a_folder_stands_for_every_rubric_in_it_so_ci_verifies_a_new_one(workspace, capsys):
    """.ci/run verified rubrics/rnn.yaml and rubrics/rnn_extended.yaml by name: a make-up exam's
    rubric added beside them was never verified, and ``rubrics/*.yaml`` stops at imdb.yaml (not a
    rubric). ``regenerate rubrics/ --check`` verifies every rubric of the folder and passes over
    the files that are not rubrics, saying so."""
    rubric_path, fixtures_dir = workspace
    folder = rubric_path.parent
    (folder / "imdb.yaml").write_bytes((RUBRICS / "imdb.yaml").read_bytes())
    makeup = folder / "makeup.yaml"
    makeup.write_text(rubric_path.read_text().replace("name: rnn\n", "name: rnn_makeup\n", 1))
    assert rg.main([str(makeup)]) == rg.EXIT_OK
    capsys.readouterr()
    edit_rubric(makeup, "seed: 11, dims: {n_x: 2, n_a: 7", "seed: 12, dims: {n_x: 2, n_a: 7")  # not regenerated
    assert rg.main([str(folder), "--check"]) == rg.EXIT_STALE
    captured = capsys.readouterr()
    assert f"{folder / 'imdb.yaml'}: not a rubric (no parts:), passed over" in captured.out, captured.out
    assert f"{rubric_path}: 24 case(s) verified" in captured.out, captured.out
    assert f"{makeup}: 1 problem(s):" in captured.err and "stale" in captured.err, captured.err
    empty = folder / "empty"
    empty.mkdir()
    assert rg.main([str(empty), "--check"]) == rg.EXIT_ERROR
    assert f"error: {empty}: no rubric in this folder" in capsys.readouterr().err
    assert "\npython3 -m grader.regenerate rubrics/ --check\n" in (ROOT / ".ci" / "run").read_text()


def test_a_function_added_to_the_reference_is_graded_without_listing_it_in_all(tmp_path, monkeypatch, capsys):
    """An instructor's new function in solution/rnn.py was "not in the reference solution (did you
    mean 'rnn_cell_forward'?)" until its __all__ named it too: the message sent them looking for a
    typo in a name they had written right."""
    from solution import rnn

    def rnn_cell_forward_relu(xt, a_prev, parameters):
        a_next = np.maximum(0, parameters["Waa"] @ a_prev + parameters["Wax"] @ xt + parameters["ba"])
        return a_next, rnn.softmax(parameters["Wya"] @ a_next + parameters["by"])

    rnn_cell_forward_relu.__module__ = rnn.__name__
    monkeypatch.setattr(rnn, "rnn_cell_forward_relu", rnn_cell_forward_relu, raising=False)
    assert "rnn_cell_forward_relu" not in rnn.__all__
    rubric_path = tmp_path / "relu.yaml"
    rubric_path.write_text(
        "version: 1\nname: relu\nparts:\n  - function: rnn_cell_forward_relu\n    outputs:\n"
        "      - {name: a_next, path: \"[0]\"}\n      - {name: yt_pred, path: \"[1]\"}\n    cases:\n"
        "      - {visibility: public, builder: rnn_cell_forward, seed: 1, points: 5,\n"
        "         dims: {n_x: 3, n_a: 5, n_y: 2, m: 10, T_x: 1}}\n")
    assert rg.main([str(rubric_path)]) == rg.EXIT_OK, capsys.readouterr().err
    assert (tmp_path / "fixtures" / "relu.public.json").is_file()
    # Thirty-fourth session: a new function without known mistakes was graded without a word of
    # what that costs (no likely mistake in any feedback, no blind-spot warning can be given).
    assert rg.main([str(rubric_path), "--check"]) == rg.EXIT_OK
    assert (f"warning: {rubric_path}:4: rnn_cell_forward_relu has no known mistakes in solution/mutants.py, so its "
            "feedback names no likely mistake and no warning here can say what its cases miss; add the classic "
            "ones (docs/rubrics.md, Adding a rubric entry)") in capsys.readouterr().err


def test_a_reweighting_is_said_and_points_that_add_up_to_no_whole_number_are_warned_of(workspace, capsys):
    """A term's reweighting: regenerate says what the parts come to; three public cases of 3.333
    points made every score out of 99.999, and nothing said so before grade.py's first line."""
    rubric_path, _ = workspace
    edit_rubric(rubric_path, "T_x: 1}, points: 2.5}", "T_x: 1}, points: 2.499}")
    assert rg.main([str(rubric_path)]) == rg.EXIT_OK
    captured = capsys.readouterr()
    assert (f"{rubric_path}: 99.999 points: rnn_cell_forward 9.999, rnn_forward 15, lstm_cell_forward 20, "
            "lstm_forward 15, rnn_cell_backward 20, rnn_backward 20\n") in captured.out, captured.out
    assert (f"warning: {rubric_path}: the points add up to 99.999, not a whole number (99.999 points: "
            "rnn_cell_forward 9.999, ") in captured.err, captured.err
    assert "grades.csv's max_score will read 99.999" in captured.err
    edit_rubric(rubric_path, "points: 2.499}", "points: 2.5}")
    assert rg.main([str(rubric_path), "--check"]) == rg.EXIT_OK
    captured = capsys.readouterr()
    assert f"{rubric_path}: 24 case(s) verified; 100 points: rnn_cell_forward 10, " in captured.out, captured.out
    assert "warning" not in captured.err, captured.err


def test_check_sees_an_edited_message_of_a_mistake_the_rubric_grades_and_only_those(workspace, reference):  # noqa: F811
    """``--check`` compares the messages of the mistakes a case runs, not every message of
    solution/mutants.py. That is all a fixture file holds: its header keeps the messages of the
    mistakes of the functions its rubric grades. A message edited of a mistake of lstm_backward,
    which rnn.yaml does not grade, changes none of rnn.yaml's files (regenerate leaves them
    unchanged) and --check has nothing to report; one of rnn_cell_forward's is reported at each
    public and hidden case, and regenerating writes it."""
    import dataclasses

    rubric_path, fixtures_dir = workspace
    rubric = rg.load_rubric(rubric_path)
    fresh = rg.compute_fixtures(rubric, reference=reference)  # a mistake's outputs do not depend on its message

    def edited(mutant_id: str) -> rg.Reference:
        mutants = dict(reference.mutants)
        mutants[mutant_id] = dataclasses.replace(mutants[mutant_id], message="Edited mid-term.")
        return dataclasses.replace(reference, mutants=mutants)

    unused = "lstm_backward/dc_not_carried"
    assert unused in reference.mutants and all(c.function != "lstm_backward" for c in rubric.cases)
    before = {path.name: path.read_bytes() for path in fixtures_dir.glob("rnn.*.json")}
    assert all(unused not in data.decode() for data in before.values())
    assert rg.check(rubric, reference=edited(unused), fixtures=fresh).ok
    written = rg.regenerate(rubric, reference=edited(unused), fixtures=fresh)
    assert [rewritten for _, rewritten in written] == [False, False]
    assert {path.name: path.read_bytes() for path in fixtures_dir.glob("rnn.*.json")} == before

    used = "rnn_cell_forward/no_ba"
    report = rg.check(rubric, reference=edited(used), fixtures=fresh)
    said = [(what, problem) for what, problem in report.problems if used in problem]
    ids = sorted(what.split(" ")[0] for what, _ in said)
    assert ids == sorted(c.id for c in rubric.cases if c.function == "rnn_cell_forward"), report.problems
    assert len(said) == len(report.problems)
    assert all(problem == f"the message of mutant {used!r} changed" for _, problem in said)
    written = rg.regenerate(rubric, reference=edited(used), fixtures=fresh)
    assert [rewritten for _, rewritten in written] == [True, True]
    assert rg.check(rubric, reference=edited(used), fixtures=fresh).ok


def test_regenerating_says_which_cases_changed_and_that_the_kit_must_be_made_again(workspace, capsys):
    """Mid-term, an instructor deletes a hidden case of rnn_cell_forward and adds a public case to
    rnn_forward. Regenerate said only `rnn.hidden.json: written (786550 bytes)`: not which cases,
    not that the two cases after the deleted one now have its neighbours' ids and fixtures, not
    that the students' kit checks the old public cases."""
    rubric_path, _ = workspace
    gone = edit_rubric(rubric_path, "      - {name: one example (m = 1), visibility: hidden, blind_to: [softmax_whole_array], "
                             "seed: 7, dims: {n_x: 4, n_a: 6, n_y: 3, m: 1, T_x: 1}, points: 2.5}\n", "")
    long = ("      - {name: long sequence, visibility: hidden, blind_to: [len_of_x], seed: 23, "
            "dims: {n_x: 6, n_a: 3, n_y: 4, m: 8, T_x: 6}, points: 4}\n")
    line = edit_rubric(rubric_path, long, long + "      - {name: second example, visibility: public, seed: 5, "
                                                 "dims: {n_x: 3, n_a: 5, n_y: 2, m: 4, T_x: 5}, points: 1}\n") + 1
    assert rg.main([str(rubric_path)]) == rg.EXIT_OK
    out = capsys.readouterr().out
    public = next(text for text in out.splitlines() if "rnn.public.json: written" in text)
    assert public.endswith(f": 1 case(s) added: rnn_forward/public-2 (line {line})"), public
    hidden = next(text for text in out.splitlines() if "rnn.hidden.json: written" in text)
    # docs/rubrics.md shows this edit's line, its size too (it showed an older file's, 786550 bytes).
    shown = (ROOT / "docs" / "rubrics.md").read_text(encoding="utf-8").replace("\n", " ")
    size = (rubric_path.parent / "fixtures" / "rnn.hidden.json").stat().st_size
    assert f"`rnn.hidden.json: written ({size} bytes): 2 case(s) with other inputs" in shown, size
    assert f": 2 case(s) with other inputs (function, builder, seed or dims): rnn_cell_forward/hidden-1 (line {gone}), " \
           f"rnn_cell_forward/hidden-2 (line {gone + 1}); 1 removed: rnn_cell_forward/hidden-3; a case's id counts" in hidden, hidden
    assert f"{rubric_path}: its public cases changed: a student kit made before checks the old ones" in out, out
    assert f"python3 grade.py --student-kit DIR --rubric {rubric_path}" in out
    # Nothing to say when nothing changed, and no kit to make again when only hidden cases did.
    assert rg.main([str(rubric_path)]) == rg.EXIT_OK
    out = capsys.readouterr().out
    assert out.count(": unchanged (") == 2 and "its public cases changed" not in out, out


def test_regenerating_after_the_reference_changed_names_the_cases_recomputed(workspace, reference, monkeypatch, capsys):  # noqa: F811
    """The same inputs, another reference (solution/rnn.py corrected mid-term) and an edited
    message of a known mistake: regenerate names the cases recomputed and the message."""
    import dataclasses

    rubric_path, _ = workspace
    right = reference.functions["rnn_cell_forward"]

    def corrected(xt, a_prev, parameters):
        a_next, yt_pred, cache = right(xt, a_prev, parameters)
        return a_next * (1 + 1e-6), yt_pred, cache

    mutants = dict(reference.mutants)
    mutants["rnn_cell_forward/no_ba"] = dataclasses.replace(mutants["rnn_cell_forward/no_ba"], message="Edited.")
    changed = dataclasses.replace(reference, functions={**reference.functions, "rnn_cell_forward": corrected},
                                  mutants=mutants)
    monkeypatch.setattr(rg, "load_reference", lambda: changed)
    lines = {case.id: case.line for case in rg.load_rubric(rubric_path).cases}
    assert rg.main([str(rubric_path)]) == rg.EXIT_OK
    out = capsys.readouterr().out
    public = next(text for text in out.splitlines() if "rnn.public.json: written" in text)
    assert public.endswith(f"1 recomputed on the same inputs (the reference, its traces or its known mistakes "
                           f"changed): rnn_cell_forward/public-1 (line {lines['rnn_cell_forward/public-1']}): expected a_next: "
                           "values by up to 1e-06 (50 of 50); the message(s) of 1 known mistake(s): "
                           "rnn_cell_forward/no_ba"), public  # thirty-seventh session: which value, by how much
    hidden = next(text for text in out.splitlines() if "rnn.hidden.json: written" in text)
    assert "3 recomputed on the same inputs" in hidden and f"rnn_cell_forward/hidden-3 (line {lines['rnn_cell_forward/hidden-3']}): " \
           "expected a_next: values by up to" in hidden, hidden
    assert "yt_pred" not in hidden and "cache" not in hidden, hidden  # unchanged: not named


def test_a_recomputed_case_names_each_value_that_changed_and_how():
    """Thirty-seventh session: "recomputed on the same inputs" said nothing of what moved: a
    shape, a dtype, values by how much, the traces, which known mistakes' outputs."""
    from grader.models import OutputSpec

    outputs = (OutputSpec("a", (0,)), OutputSpec("y", (1,)), OutputSpec("cache", (2,)))
    a, y = np.zeros((2, 3)), np.ones((4, 3))
    was = {"args": (a,), "expected": (a, y, (a,)), "traces": {}, "mutants": {
        "f/no_ba": {"result": (a, y, (a,))}, "f/no_by": {"error": "ValueError: x"}, "f/same": {"result": 1.0}}}
    now = {"args": (a,), "expected": (a + 0.25, y.astype(np.float32), (np.zeros((3, 3)),)), "traces": {}, "mutants": {
        "f/no_ba": {"result": (a, y, (a,))}, "f/no_by": {"result": (a, y, (a,))}, "f/same": {"result": 1.0}}}
    said = rg.recomputed_values(was, now, outputs=outputs)
    assert said == ("expected a: values by up to 0.25 (6 of 6), y: float64 (4, 3) vs float32 (4, 3), cache[0]: "
                    "float64 (2, 3) vs float64 (3, 3); the outputs of 1 known mistake(s): no_by"), said
    assert rg.recomputed_values(was, was, outputs=outputs) == ""
    traced = {**was, "traces": {"g": [[(a,), a + 1]]}}
    assert rg.recomputed_values({**was, "traces": {"g": [[(a,), a]]}}, traced, outputs=outputs) == (
        "reference traces (traces['g'][0][1]: values by up to 1 (6 of 6))")


def test_a_part_renamed_is_said_to_be_renamed_not_its_cases_removed_and_added(workspace, capsys):
    """An instructor names the rnn_cell_forward column `cell` (`name: cell`): regenerate said every
    case of the part removed and as many added, as if the cases had changed."""
    rubric_path, _ = workspace
    edit_rubric(rubric_path, "  - function: rnn_cell_forward\n", "  - function: rnn_cell_forward\n    name: cell\n")
    assert rg.main([str(rubric_path)]) == rg.EXIT_OK
    out = capsys.readouterr().out
    hidden = next(text for text in out.splitlines() if "rnn.hidden.json: written" in text)
    assert hidden.endswith(": part rnn_cell_forward renamed to cell (the same 3 case(s), the same inputs)"), hidden
    public = next(text for text in out.splitlines() if "rnn.public.json: written" in text)
    assert public.endswith(": part rnn_cell_forward renamed to cell (the same 1 case(s), the same inputs)"), public
    assert "removed" not in out and "added" not in out, out


def test_a_part_renamed_with_a_case_changed_is_not_a_rename():
    """The control: a renamed part whose cases' inputs differ is told case by case."""
    import json
    from types import SimpleNamespace

    def stored(cases):
        return json.dumps({"cases": {case_id: {"spec_hash": spec} for case_id, spec in cases.items()}}).encode()

    rubric = SimpleNamespace(cases=())  # only its cases' lines are read
    old = stored({"a/hidden-1": "x", "a/hidden-2": "y"})
    assert rg.case_changes(rubric, old, stored({"b/hidden-1": "x", "b/hidden-2": "y"})) == (
        "part a renamed to b (the same 2 case(s), the same inputs)")
    said = rg.case_changes(rubric, old, stored({"b/hidden-1": "x", "b/hidden-2": "z"}))
    assert said == "2 case(s) added: b/hidden-1, b/hidden-2; 2 removed: a/hidden-1, a/hidden-2", said


def test_commands_to_copy_name_the_python_that_ran(monkeypatch, capsys):
    """A virtual environment's Python (not the PATH's ``python3``, which may lack NumPy) is named in
    the commands the regenerator and the class report print, as grade.py's messages name it
    (``grader.copycommands``); both said ``python3`` until the thirty-seventh session."""
    import sys

    import pytest

    from grader import classreport

    venv = "/home/ta/venvs/grader env/bin/python3"
    monkeypatch.setattr(sys, "executable", venv)
    steps = rg.next_steps("rubrics/rnn.yaml")
    assert f"Next: '{venv}' -m grader.regenerate rubrics/rnn.yaml --check" in steps, steps
    assert f"--student-kit DIR --rubric rubrics/rnn.yaml" in steps and "python3 grade.py" not in steps, steps
    assert f"'{venv}' " in steps.split("make it again: ")[1], steps
    with pytest.raises(SystemExit):
        classreport.main(["--help"])
    assert f"usage: '{venv}' -m grader.classreport" in capsys.readouterr().out


def test_a_new_rubric_is_not_said_to_have_changed_its_public_cases(tmp_path, capsys):
    """Thirty-seventh session, a GRU rubric written from docs/rubrics.md: its first regenerate said
    "its public cases changed: a student kit made before checks the old ones", of a rubric no kit
    was ever made from. It now says how to make its kit; after an edit of a public case, the old words."""
    rubric = tmp_path / "cells.yaml"
    docs = (ROOT / "docs" / "rubrics.md").read_text(encoding="utf-8")
    start = docs.index("<!-- small-rubric: cells")
    rubric.write_text(docs[docs.index("```yaml\n", start) + 8:docs.index("```", docs.index("```yaml\n", start) + 8)])
    assert rg.main([str(rubric)]) == rg.EXIT_OK
    out = capsys.readouterr().out
    assert "its public cases changed" not in out, out
    assert f"{rubric}: its student kit, the public cases to check a notebook against: {grade_command()} " \
           f"--student-kit DIR --rubric {rubric}" in out, out
    rubric.write_text(rubric.read_text().replace("seed: 1, points: 5", "seed: 2, points: 5"))
    assert rg.main([str(rubric)]) == rg.EXIT_OK
    assert f"{rubric}: its public cases changed: a student kit made before checks the old ones" in capsys.readouterr().out


def test_the_commands_to_paste_quote_the_rubric_s_path(tmp_path, capsys):
    """Thirty-eighth session (hostile; the thirty-seventh review's item, left): the commands the
    regenerator prints named the rubric's path as it was, and the new rubric's kit command said
    ``python3 grade.py`` whatever Python ran: a folder ``fall term`` pasted as two words, and a
    ``;`` or ``$(...)`` in a name ran what followed. Each command now reads back, word for word,
    as the command meant (``shlex.split``), naming this Python and this grade.py."""
    import shlex

    folder = tmp_path / "fall term; touch pwned $(id)"
    folder.mkdir()
    rubric = folder / "cells.yaml"
    docs = (ROOT / "docs" / "rubrics.md").read_text(encoding="utf-8")
    start = docs.index("<!-- small-rubric: cells")
    rubric.write_text(docs[docs.index("```yaml\n", start) + 8:docs.index("```", docs.index("```yaml\n", start) + 8)])
    kit = [*shlex.split(grade_command()), "--student-kit", "DIR", "--rubric", str(rubric)]
    regenerate = shlex.split(module_command("grader.regenerate"))

    assert rg.main([str(rubric)]) == rg.EXIT_OK  # a new rubric: its kit's command, and the next steps
    out = capsys.readouterr().out
    said = out.split("check a notebook against: ", 1)[1].split("\n", 1)[0]
    assert shlex.split(said) == kit, said
    steps = out.split("Next: ", 1)[1]
    assert shlex.split(steps.split("; for a class", 1)[0]) == [*regenerate, str(rubric), "--check"], steps
    assert shlex.split(steps.split("&& ", 1)[1].split(", then read", 1)[0]) == [
        *shlex.split(grade_command()), "SUBMISSIONS", "--rubric", str(rubric), "--out", "preview"], steps
    assert shlex.split(steps.split("make it again: ", 1)[1]) == kit, steps

    rubric.write_text(rubric.read_text().replace("seed: 1, points: 5", "seed: 2, points: 5"))
    assert rg.main([str(rubric)]) == rg.EXIT_OK  # its public cases changed: the kit again
    said = capsys.readouterr().out.split("make the kit again (", 1)[1].split(") and give it", 1)[0]
    assert shlex.split(said) == kit, said

    rubric.write_text(rubric.read_text().replace("seed: 2, points: 5", "seed: 3, points: 5"))
    assert rg.main([str(rubric), "--check"]) == rg.EXIT_STALE  # stale: the command that regenerates
    said = capsys.readouterr().err.split("  run: ", 1)[1].split("\n", 1)[0]
    assert shlex.split(said) == [*regenerate, str(rubric)], said
    assert "RUBRIC --check" in rg.next_steps(None)  # several rubrics: the placeholder, as it was


def test_a_public_case_made_hidden_says_which_messages_the_public_file_holds_no_more(workspace, capsys):
    """Thirty-eighth session, a new term: rnn_forward's only public case made hidden. The public
    file said `1 removed: rnn_forward/public-1; the message(s) of 10 known mistake(s): rnn_forward/...`,
    which reads as ten messages edited; none was: the file holds them no more, no public case of
    rnn_forward being left to run them."""
    rubric_path, _ = workspace
    edit_rubric(rubric_path, "{name: assignment example, visibility: public, seed: 1, dims: {n_x: 3, n_a: 5, n_y: 2, "
                "m: 10, T_x: 4}, points: 3}", "{name: assignment example, visibility: hidden, seed: 1, dims: "
                "{n_x: 3, n_a: 5, n_y: 2, m: 10, T_x: 4}, points: 3}")
    assert rg.main([str(rubric_path)]) == rg.EXIT_OK
    said = capsys.readouterr()
    public = next(text for text in said.out.splitlines() if "rnn.public.json: written" in text)
    assert "1 removed: rnn_forward/public-1; the message(s) of 10 known mistake(s) no longer held (no case of the " \
           "file runs them): rnn_forward/a0_every_step, " in public, public
    assert "the message(s) of 10 known mistake(s): " not in public, public
    # And the part left without a public case is named: the students' self-check cannot check it.
    part = load_rubric(rubric_path).part("rnn_forward")
    warned = [line for line in said.err.splitlines() if "no public case" in line]
    assert warned == [f"warning: {rubric_path}:{part.line}: part rnn_forward has no public case: the students' "
                      "self-check cannot check rnn_forward (it says rnn_forward is graded on hidden cases only, "
                      "worth 15 points); give it a public case if students should check it before they hand in"], \
        said.err


def test_the_fixture_paths_and_the_check_to_paste_are_as_the_user_gave_them(tmp_path, monkeypatch, capsys):
    """Thirty-eighth session: after ``--fixtures-dir DIR`` the printed ``--check`` command left the
    option out (pasted, it checked the fixtures beside the rubric, not those just written), and the
    fixture files were printed absolute (``fixtures_dir_for`` resolves) beside the rubric's relative
    path. Both are now as typed, and the command pasted verifies what was written."""
    import shlex

    docs = (ROOT / "docs" / "rubrics.md").read_text(encoding="utf-8")
    start = docs.index("<!-- small-rubric: cells")
    (tmp_path / "cells.yaml").write_text(
        docs[docs.index("```yaml\n", start) + 8:docs.index("```", docs.index("```yaml\n", start) + 8)])
    monkeypatch.chdir(tmp_path)
    assert rg.main(["cells.yaml"]) == rg.EXIT_OK
    out = capsys.readouterr().out
    assert "\nfixtures/cells.public.json: written" in "\n" + out and str(tmp_path) not in out, out

    assert rg.main(["cells.yaml", "--fixtures-dir", "other fx"]) == rg.EXIT_OK
    out = capsys.readouterr().out
    assert "\nother fx/cells.hidden.json: written" in "\n" + out and str(tmp_path) not in out, out
    pasted = shlex.split(out.split("Next: ", 1)[1].split("; for a class", 1)[0])
    assert pasted == [*shlex.split(module_command("grader.regenerate")), "cells.yaml", "--check",
                      "--fixtures-dir", "other fx"], pasted
    (tmp_path / "fixtures" / "cells.public.json").unlink()  # the default folder's: the pasted check reads the other
    assert rg.main(pasted[pasted.index("cells.yaml"):]) == rg.EXIT_OK
    assert "cells.yaml: 2 case(s) verified" in capsys.readouterr().out


def test_a_folder_regenerated_is_told_the_check_of_that_folder(tmp_path, monkeypatch, capsys):
    """Thirty-eighth session: ``regenerate "fall term/"`` (a folder of two rubrics, as a new term's
    edit of both) ended "Next: python3 -m grader.regenerate RUBRIC --check", a placeholder where
    the folder typed is what the check takes; pasted, it verifies both."""
    import shlex

    docs = (ROOT / "docs" / "rubrics.md").read_text(encoding="utf-8")
    start = docs.index("<!-- small-rubric: cells")
    small = docs[docs.index("```yaml\n", start) + 8:docs.index("```", docs.index("```yaml\n", start) + 8)]
    (tmp_path / "fall term").mkdir()
    (tmp_path / "fall term" / "cells.yaml").write_text(small)
    (tmp_path / "fall term" / "quiz.yaml").write_text(small.replace("name: cells", "name: quiz"))
    monkeypatch.chdir(tmp_path)
    assert rg.main(["fall term/"]) == rg.EXIT_OK
    out = capsys.readouterr().out
    pasted = shlex.split(out.split("Next: ", 1)[1].split("; for a class", 1)[0])
    assert pasted == [*shlex.split(module_command("grader.regenerate")), "fall term", "--check"], pasted
    assert "--rubric RUBRIC" in out  # grading and the kit take one rubric: which one is the user's to say
    assert rg.main(pasted[pasted.index("fall term"):]) == rg.EXIT_OK
    said = capsys.readouterr().out
    assert "cells.yaml: 2 case(s) verified" in said and "quiz.yaml: 2 case(s) verified" in said, said
