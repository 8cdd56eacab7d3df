"""The self-check's points: what the public cases earned and are worth, what the hidden ones are
worth (one number per function, nothing else of them), the same as the instructor's grading."""
from __future__ import annotations

import io
from pathlib import Path

import pytest

from grader.classfiles import DEFAULT_RUBRIC
from grader.commands import load_context
from grader.rubric import load_rubric
from grader.runner import grade_submission
from grader.selfcheck import load_public_context, run_check
from tests import notebooks as nbs

#: Mistakes students make, one per function (two in rnn_cell_backward: one raises).
MISTAKES = {
    "no softmax": nbs.mutate("rnn_cell_forward", "yt_pred = softmax(np.dot(Wya, a_next) + by)",
                             "yt_pred = np.dot(Wya, a_next) + by"),
    "a0 every step": nbs.mutate("rnn_forward", "rnn_cell_forward(x[:, :, t], a_next, parameters)",
                                "rnn_cell_forward(x[:, :, t], a0, parameters)"),
    "no update gate": nbs.mutate("lstm_cell_forward", "c_next = ft * c_prev + it * cct", "c_next = ft * c_prev + cct"),
    "memory from ones": nbs.mutate("lstm_forward", "c_next = np.zeros(a_next.shape)", "c_next = np.ones(a_next.shape)"),
    "transpose forgotten": nbs.mutate("rnn_cell_backward", "dxt = np.dot(Wax.T, dtanh)", "dxt = np.dot(Wax, dtanh)"),
    "dba over examples": nbs.mutate("rnn_cell_backward", "axis=1, keepdims=True", "axis=0, keepdims=True"),
    "no carry": nbs.mutate("rnn_backward", "da[:, :, t] + da_prevt", "da[:, :, t]"),
}


def check_text(path: Path, **kw) -> str:
    out = io.StringIO()
    run_check(path, rubric=DEFAULT_RUBRIC, stream=out, **kw)
    return out.getvalue()


def test_the_public_and_hidden_cases_worth_is_said_in_points(tmp_path):
    # Before the thirty-third session the self-check said "5 of 6 public case(s) passed" and
    # nothing of points: a student could not tell what the public cases weigh in the grade.
    rubric = load_rubric(DEFAULT_RUBRIC)
    public = sum(c.points for c in rubric.cases if c.visibility == "public")
    hidden = sum(c.points for c in rubric.cases if c.visibility == "hidden")
    path = nbs.write(tmp_path / "nb.ipynb", nbs.course_notebook(MISTAKES["no softmax"]))
    text = check_text(path)
    # a_next (weight 2) and cache (1) right, yt_pred (2) wrong: 3/5 of the case's 2.5 points
    assert "rnn_cell_forward   failed  (0 of 1 public case, 1.5 of 2.5 points)" in text, text
    assert f"5 of 6 public case(s) passed, {public - 1:g} of their {public:g} points; to fix: rnn_cell_forward." in text
    assert (f"worth the other {hidden:g} of the {rubric.max_points:g} points of these functions: passing the "
            f"public ones is necessary, not sufficient.") in text, text


def test_one_function_checked_says_its_own_points(tmp_path):
    part = load_rubric(DEFAULT_RUBRIC).parts[1]
    hidden = sum(c.points for c in part.cases if c.visibility == "hidden")
    path = nbs.write(tmp_path / "nb.ipynb", nbs.course_notebook())
    text = check_text(path, function=part.function)
    assert f"worth the other {hidden:g} of `{part.function}`'s {part.max_points:g} points" in text, text


def test_a_rubric_restricted_to_its_public_cases_keeps_what_the_others_were_worth():
    rubric = load_rubric(DEFAULT_RUBRIC)
    public = rubric.only("public")
    for full, part in zip(rubric.parts, public.parts):
        assert part.withheld_points == sum(c.points for c in full.cases if c.visibility == "hidden")
        assert part.max_points + part.withheld_points == full.max_points
    assert public.only("public") == public  # restricting again adds nothing


@pytest.fixture(scope="module")
def public_context():
    return load_public_context(DEFAULT_RUBRIC)


@pytest.fixture(scope="module")
def functions_context():
    """The instructor's context without the bonus: the functions' parts, hidden cases included."""
    return load_context(DEFAULT_RUBRIC, bonus=False)


@pytest.mark.parametrize("mistake", sorted(MISTAKES))
def test_a_public_case_reads_the_same_in_the_self_check_and_in_the_grade(mistake, tmp_path, functions_context,
                                                                        public_context, sandbox):
    """What the self-check says of a public case is what the instructor's grade says of it: the
    same status, points, sentences, likely mistake and place (the grade has the hidden cases too)."""
    path = nbs.write(tmp_path / "nb.ipynb", nbs.course_notebook(MISTAKES[mistake]))
    graded = grade_submission(path, context=functions_context, sandbox=sandbox)
    checked = grade_submission(path, context=public_context, sandbox=sandbox)
    text = check_text(path)
    wrong = 0
    for full, mine in zip(graded.parts, checked.parts, strict=True):
        theirs = [c for c in full.cases if c.visibility == "public"]
        assert len(theirs) == len(mine.cases)
        for a, b in zip(theirs, mine.cases):
            assert (a.status, a.points, a.checks, a.diagnosis, a.location) == \
                (b.status, b.points, b.checks, b.diagnosis, b.location), (mistake, full.function)
            wrong += a.status != "passed"
            for said in [c.message for c in a.checks if not c.passed] + [a.diagnosis.message if a.diagnosis else ""]:
                if said:
                    assert said.splitlines()[0] in text, (mistake, said)
        assert f"{mine.points:g} of {mine.max_points:g} points" in text or mine.status == "passed"
    assert wrong >= 1, mistake  # each mistake shows on a public case
