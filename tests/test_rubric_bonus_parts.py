"""A part made a bonus (`bonus: true`, extra credit): its points add to the score and not to
max_score, wherever the score is shown. Until the thirty-sixth session a part could not be a bonus
(refused at its line); a course that gives extra credit for an optional function (the LSTM backward
pass) had none but the IMDB section."""
from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from grader import commands
from grader import regenerate as rg
from grader.gradescope import run_gradescope
from grader.kit import read_kit, write_student_kit
from grader.rubric import load_rubric
from tests import notebooks as nbs
from tests.test_commands_roster import grade
from tests.test_kit import kit_env
from tests.test_live import course_module  # noqa: F401 - a fixture

QUIZ = """version: 1
name: quiz
title: "Quiz with a bonus"
defaults: {timeout: 2, dims: {n_x: 3, n_a: 5, n_y: 2, m: 10, T_x: 4}}
parts:
  - function: rnn_cell_forward
    outputs:
      - {name: a_next, path: "[0]", weight: 2}
      - {name: yt_pred, path: "[1]", weight: 2}
      - {name: cache, path: "[2]"}
    cases:
      - {name: assignment example, visibility: public, seed: 1, points: 5}
      - {visibility: hidden, seed: 7, points: 5, dims: {n_x: 4, n_a: 6, n_y: 3, m: 3, T_x: 3}}
  - function: rnn_cell_backward
    bonus: true
    outputs:
      - {name: dxt, path: "['dxt']"}
      - {name: da_prev, path: "['da_prev']"}
      - {name: dWax, path: "['dWax']"}
      - {name: dWaa, path: "['dWaa']"}
      - {name: dba, path: "['dba']"}
    cases:
      - {name: course dimensions, visibility: public, seed: 1, points: 2}
      - {visibility: hidden, seed: 7, points: 2, dims: {n_x: 4, n_a: 6, n_y: 3, m: 3, T_x: 3}}
"""

#: A wrong derivative of tanh in the bonus function: every case of it fails.
WRONG_BONUS = nbs.mutate("rnn_cell_backward", "(1 - a_next ** 2)", "(1 - a_next)")
#: A wrong cell and a right bonus: the bonus's points alone.
WRONG_CELL = nbs.mutate("rnn_cell_forward", "+ ba)", ")")


@pytest.fixture(scope="module")
def quiz(tmp_path_factory) -> Path:
    """The quiz's rubric, its fixtures written beside it."""
    path = tmp_path_factory.mktemp("rubrics") / "quiz.yaml"
    path.write_text(QUIZ, encoding="utf-8")
    rg.regenerate(load_rubric(path), reference=rg.load_reference())
    return path


@pytest.fixture(scope="module")
def graded(quiz, tmp_path_factory) -> Path:
    """A class of three graded with the quiz: all right, the bonus wrong, the cell wrong."""
    folder = tmp_path_factory.mktemp("class")
    nbs.write(folder / "subs" / "ada.ipynb", nbs.course_notebook())
    nbs.write(folder / "subs" / "bob.ipynb", nbs.course_notebook(WRONG_BONUS))
    nbs.write(folder / "subs" / "cy.ipynb", nbs.course_notebook(WRONG_CELL))
    out = folder / "out"
    grade(folder / "subs", out, rubric=quiz, feedback_html=True, class_report=True)
    return out


def rows(out: Path) -> dict[str, dict[str, str]]:
    with open(out / "grades.csv", newline="", encoding="utf-8-sig") as handle:
        return {row["submission"]: row for row in csv.DictReader(handle)}


def test_the_rubric_reads_a_bonus_part_and_its_points_are_beyond_max_points(quiz, capsys):
    rubric = load_rubric(quiz)
    assert (rubric.max_points, rubric.bonus_points, rubric.bonus_names) == (10, 4, frozenset({"rnn_cell_backward"}))
    assert [part.bonus for part in rubric.parts] == [False, True]
    assert rg.main([str(quiz), "--check"]) == rg.EXIT_OK
    assert (f"{quiz}: 4 case(s) verified; 10 points and 4 of bonus: rnn_cell_forward 10, rnn_cell_backward 4 "
            f"(bonus)") in capsys.readouterr().out


def test_a_rubric_whose_every_part_is_a_bonus_is_warned_of(tmp_path, capsys):
    only = tmp_path / "only.yaml"
    only.write_text(QUIZ.replace("name: quiz", "name: only").replace("    outputs:\n", "    bonus: true\n    outputs:\n", 1),
                    encoding="utf-8")
    assert load_rubric(only).max_points == 0
    assert rg.main([str(only)]) == rg.EXIT_OK
    assert (f"warning: {only}: every part is a bonus (0 points and 14 of bonus: rnn_cell_forward 10 (bonus), "
            f"rnn_cell_backward 4 (bonus)): grades.csv's max_score will read 0") in capsys.readouterr().err


def test_grades_csv_and_feedback_count_the_bonus_beyond_max_score(graded):
    book = rows(graded)
    assert {sid: (row["score"], row["max_score"], row["rnn_cell_backward"]) for sid, row in book.items()} == {
        "ada": ("14", "10", "4"), "bob": ("10", "10", "0"), "cy": ("4", "10", "4")}
    feedback = (graded / "ada" / "feedback.md").read_text(encoding="utf-8")
    assert "**Score: 14 / 10**" in feedback, feedback
    assert "| `rnn_cell_backward` (bonus) | 4 / 4 | passed |" in feedback, feedback
    assert "| `rnn_cell_forward` | 10 / 10 | passed |" in feedback, feedback
    assert "## `rnn_cell_backward` (bonus; cell " in feedback, feedback
    page = (graded / "ada" / "feedback.html").read_text(encoding="utf-8")
    assert "Score: 14 / 10" in page and "<code>rnn_cell_backward</code> (bonus)</td>" in page
    assert "<h3><code>rnn_cell_backward</code> (bonus): 4 / 4" in page
    record = json.loads((graded / "bob" / "result.full.json").read_text(encoding="utf-8"))
    assert (record["points"], record["max_points"]) == (10, 10)
    assert [(p["name"], p["bonus"]) for p in record["parts"]] == [("rnn_cell_forward", False),
                                                                  ("rnn_cell_backward", True)]


def test_gradescope_results_count_the_bonus_beyond_max_score(graded, tmp_path):
    results = json.loads((graded / "ada" / "results.json").read_text(encoding="utf-8"))
    assert (results["score"], results["extra_data"]["max_score"]) == (14, 10)
    bonus = [t for t in results["tests"] if t["name"].startswith("rnn_cell_backward")]
    assert [t["name"] for t in bonus] == ["rnn_cell_backward (bonus): course dimensions",
                                          "rnn_cell_backward (bonus): hidden case 1"]


def test_grade_py_gradescope_counts_the_bonus_beyond_max_score(quiz, tmp_path):
    root = tmp_path / "autograder"
    nbs.write(root / "submission" / "work.ipynb", nbs.course_notebook(WRONG_CELL))
    assert run_gradescope(root=root, rubric=quiz, stream=io.StringIO()) == 0
    results = json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))
    assert (results["score"], results["extra_data"]["max_score"]) == (4, 10)
    assert sum(t["score"] for t in results["tests"] if "(bonus)" in t["name"]) == 4


def test_the_class_report_says_the_total_without_the_bonus_and_marks_the_part(graded):
    page = (graded / "report.html").read_text(encoding="utf-8")
    assert "10 points.</p>" in page, page[:3000]
    assert "<code>rnn_cell_backward</code> (bonus)</td>" in page


def test_score_changes_of_a_bonus_reweighted_count_it_beyond_max_score(graded, quiz, tmp_path):
    """Two bonus points more: max_score stays 10, those who did the bonus gain 20% of it."""
    preview = tmp_path / "preview"
    shutil.copytree(graded, preview)
    rubric = tmp_path / "quiz.yaml"
    rubric.write_text(QUIZ.replace("visibility: public, seed: 1, points: 2}", "visibility: public, seed: 1, points: 4}"),
                      encoding="utf-8")
    shutil.copytree(quiz.parent / "fixtures", tmp_path / "fixtures", ignore=shutil.ignore_patterns(".cache"))
    summary, printed = grade(Path(graded).parent / "subs", preview, rubric=rubric)
    with open(preview / "score-changes.csv", newline="", encoding="utf-8") as handle:
        table = list(csv.reader(handle))
    assert table[1:] == [["ada", "14", "16", "+2", "140", "160", "+20"], ["cy", "4", "6", "+2", "40", "60", "+20"]]
    assert "2 gain (at most +2 points, +20% of 10)" in printed, printed


def kit_check(kit: Path, notebook: Path) -> subprocess.CompletedProcess:
    """The kit's ``grade.py --check NOTEBOOK``, run from the kit's folder as a student runs it."""
    return subprocess.run([sys.executable, "grade.py", "--check", str(notebook)], cwd=kit, env=kit_env(),
                          capture_output=True, text=True, timeout=120)


def test_the_kit_s_self_check_says_the_bonus_is_beyond_the_total(quiz, tmp_path):
    kit = write_student_kit(tmp_path / "kit", rubric=quiz)
    assert "bonus: true" in (kit / "rubrics" / "quiz.yaml").read_text(encoding="utf-8")
    done = kit_check(kit, nbs.write(tmp_path / "ada.ipynb", nbs.course_notebook(WRONG_BONUS)))
    said = done.stdout
    assert done.returncode == 1, said + done.stderr
    assert "rnn_cell_forward   passed\n" in said, said
    assert "rnn_cell_backward  failed (bonus)" in said, said
    # the bonus's points apart from the assignment's: "5 of their 7 points" read as 2 points lost
    assert "1 of 2 public case(s) passed, 5 of their 5 points and 0 of 2 bonus points; to fix" in said, said
    assert (  # then the note that the quiz's kit does not check the notebook's other marked functions
        "Your instructor also grades hidden cases with other inputs and sizes, worth the other 5 of "
        "`rnn_cell_forward`'s 10 points: passing the public ones is necessary, not sufficient.\n"
        "`rnn_cell_backward` is a bonus: its 4 points (hidden cases included) add to your score beyond the "
        "assignment's total.\n\nNote: the notebook marks `rnn_forward`") in said, said


def test_check_in_jupyter_marks_the_bonus_as_the_self_check_does(quiz, tmp_path, course_module, monkeypatch):  # noqa: F811
    from grader import check
    from tests.budgets import unhurried_checks
    from tests.test_live import notebook_namespace

    unhurried_checks(monkeypatch)  # check() stops a call on wall time, which a loaded machine waits
    live = io.StringIO()
    summary = check(namespace=notebook_namespace(nbs.course_notebook(WRONG_BONUS), tmp_path), rubric=quiz,
                    stream=live)
    said = live.getvalue()
    assert summary is not None and summary.bonus == ("rnn_cell_backward",), said
    assert "rnn_cell_backward  failed (bonus)" in said, said
    assert said.rstrip().endswith("`rnn_cell_backward` is a bonus: its 4 points (hidden cases included) add to "
                                  "your score beyond the assignment's total."), said


def test_a_class_run_and_the_kit_command_name_the_bonus_and_the_grader(quiz, tmp_path):
    """The run's first line gave max_score alone ("quiz (10 points)") where the rubric has 4 points
    of bonus beyond it; ``--student-kit`` named the kit's version but not its grader, which the kit's
    marker and self-check name since this session."""
    subs = tmp_path / "subs"
    nbs.write(subs / "ada.ipynb", nbs.course_notebook())
    summary, printed = grade(subs, tmp_path / "out", rubric=quiz)
    assert "with quiz (10 points, and 4 of bonus) into" in printed, printed
    said = io.StringIO()
    kit = commands.student_kit(tmp_path / "kit", rubric=quiz, stream=said)
    written = read_kit(kit)
    assert written.grader and f"(version {written.version}, grader {written.grader}, which" in said.getvalue()


def test_a_class_run_of_a_rubric_without_a_bonus_part_says_its_points_alone(tmp_path):
    subs = tmp_path / "subs"
    nbs.write(subs / "ada.ipynb", nbs.course_notebook())
    summary, printed = grade(subs, tmp_path / "out")
    assert "with rnn (100 points) into" in printed and "of bonus" not in printed, printed


def test_the_self_check_of_a_notebook_without_the_bonus_function_passes(quiz, tmp_path):
    """A bonus is optional: a student who wrote every function asked for and left the bonus one out
    was told "to fix: rnn_cell_backward" and the kit's grade.py --check ended with exit status 1,
    as for a wrong function. A bonus function written and wrong still fails the check (above)."""
    kit = write_student_kit(tmp_path / "kit", rubric=quiz)
    left_out = nbs.mutate("rnn_cell_backward", "def rnn_cell_backward", "def my_scratch")
    done = kit_check(kit, nbs.write(tmp_path / "ada.ipynb", nbs.course_notebook(left_out)))
    said = done.stdout
    assert done.returncode == 0, said + done.stderr
    assert "rnn_cell_backward  not attempted (bonus)" in said, said  # "missing (bonus)" before: a failure's word
    assert "to fix" not in said, said
    assert ("1 of 2 public case(s) passed, 5 of their 5 points and 0 of 2 bonus points; every function asked for "
            "passes its public cases, and `rnn_cell_backward` (a bonus) is not written: it is optional.\n") in said, said
    # said as a function not written is, in one sentence: not as a failure, its case "missing" under it
    assert "rnn_cell_backward  not attempted (bonus)\n    No function named `rnn_cell_backward`" in said, said
    assert 'case "course dimensions"' not in said and "0 of 1 public case" not in said, said
    done = kit_check(kit, nbs.write(tmp_path / "cy.ipynb", nbs.course_notebook({**left_out, **WRONG_CELL})))
    assert done.returncode == 1 and "; to fix: rnn_cell_forward.\n" in done.stdout, done.stdout  # the bonus not listed


def test_a_summary_counts_a_bonus_left_out_as_optional():
    from grader.models import MISSING, NOT_IMPLEMENTED, PASSED, CaseResult, PartResult, SubmissionResult
    from grader.selfcheck import summarise

    def part(function, status, *, bonus=False):
        case = CaseResult("c", "c", "public", status, points=2.0 if status == PASSED else 0.0, max_points=2.0)
        return PartResult(function, function, status, case.points, 2.0, (case,), bonus=bonus)

    def result(*parts):
        return SubmissionResult(submission_id="s", path="s", status="graded", points=0.0, max_points=2.0,
                                parts=parts)

    assert summarise(result(part("f", PASSED), part("g", MISSING, bonus=True))).ok
    assert summarise(result(part("f", PASSED), part("g", NOT_IMPLEMENTED, bonus=True))).ok
    assert not summarise(result(part("f", PASSED), part("g", MISSING))).ok  # not a bonus: to do
    assert not summarise(result(part("f", MISSING), part("g", MISSING, bonus=True))).ok
    assert not summarise(result(part("g", MISSING, bonus=True))).ok  # --function g: nothing checked passed


def test_a_bonus_function_left_out_is_not_attempted_in_the_feedback_not_missing(quiz, tmp_path):
    """Thirty-sixth session: a bonus function the notebook leaves out (or leaves as the template's
    placeholders) read "missing" / "not implemented" in red in feedback.md and feedback.html, a
    failure's words, where the IMDB bonus left out reads "not attempted": nothing was asked."""
    subs, out = tmp_path / "subs", tmp_path / "out"
    left_out = nbs.mutate("rnn_cell_backward", "def rnn_cell_backward", "def my_scratch")
    nbs.write(subs / "ada.ipynb", nbs.course_notebook(left_out))
    grade(subs, out, rubric=quiz, feedback_html=True)
    feedback = (out / "ada" / "feedback.md").read_text(encoding="utf-8")
    assert "| `rnn_cell_backward` (bonus) | 0 / 4 | not attempted |" in feedback, feedback
    assert "| `rnn_cell_backward` (bonus) | 0 / 4 | missing |" not in feedback
    assert rows(out)["ada"]["score"] == "10" and rows(out)["ada"]["max_score"] == "10"
