"""A rubric edited and its fixtures regenerated while a class is being graded (thirty-third
session): the run grades with what it read at its start, says so at its end, and keys its results
so that the next run grades everyone again."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from grader import classrun
from grader import classsources
from tests import notebooks as nbs
from tests.test_commands_roster import grade

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def steady_grader(monkeypatch):
    """Edits to grader/ by others during a test must not make the keys stale (see test_batch)."""
    monkeypatch.setattr("grader.incremental.grader_digest", lambda *a, **k: "pinned")


#: An edit of what the rubric says that moves no score: its title (a comment would not do: it is
#: not part of the rubric's digest).
TITLE = 'title: "Assignment 4: Building a Recurrent Neural Network"\n'
RETITLED = 'title: "Assignment 4: A Recurrent Neural Network"\n'


def retitle(rubric: Path, old: str = TITLE, new: str = RETITLED) -> None:
    text = rubric.read_text(encoding="utf-8")
    assert text.count(old) == 1
    rubric.write_text(text.replace(old, new), encoding="utf-8")


def copied_rubric(tmp_path: Path) -> tuple[Path, Path, Path]:
    """A copy of rubrics/ (its folder, its rnn.yaml) with the fixtures, and a class of one right
    notebook."""
    rubrics = tmp_path / "rubrics"
    rubrics.mkdir()
    rubric = rubrics / "rnn.yaml"
    shutil.copy(ROOT / "rubrics" / "rnn.yaml", rubric)
    shutil.copytree(ROOT / "rubrics" / "fixtures", rubrics / "fixtures", ignore=shutil.ignore_patterns(".cache"))
    subs = tmp_path / "subs"
    nbs.write(subs / "alice.ipynb", nbs.course_notebook())
    return rubrics, rubric, subs


def test_an_edit_during_the_run_is_said_and_graded_again_next_time(tmp_path, monkeypatch):
    rubrics, rubric, subs = copied_rubric(tmp_path)
    sweep = classsources.sweep_unpack_folders

    def sweep_then_edit(*args, **kwargs):
        """The instructor's edit lands after the run read the rubric and fixtures (on main, before
        it took the fixtures' digest for its keys, once the submissions were opened)."""
        result = sweep(*args, **kwargs)
        retitle(rubric)
        with open(rubrics / "fixtures" / "rnn.hidden.json", "ab") as handle:
            handle.write(b"\n")
        return result

    monkeypatch.setattr(classrun, "sweep_unpack_folders", sweep_then_edit)
    out = tmp_path / "out"
    summary, printed = grade(subs, out, rubric=rubric)
    assert summary.graded == 1
    said = (f"{rubric} or its fixtures changed while this run graded: every grade of this run is the "
            f"rubric's as this run read it at its start, not the edit's; run again to grade with the edit")
    assert said in printed, printed
    monkeypatch.setattr(classrun, "sweep_unpack_folders", sweep)
    retitle(rubric, RETITLED, TITLE)  # the rubric as it was: the fixtures moved
    summary, printed = grade(subs, out, rubric=rubric)
    assert "other fixtures (1): graded again" in printed, printed
    assert said not in printed


def test_a_regrade_after_an_edit_that_moves_no_score_says_so_at_its_end(tmp_path):
    """Thirty-fifth session, docs/instructors.md's After editing the rubric tried on a fresh clone:
    a class graded again with an edited rubric starts "Graded before in OUT with another rubric (6),
    other fixtures (6): graded again; the run ends saying which scores changed", and, when none
    changed, the run ended without a word of scores. It now says that none differs."""
    _, rubric, subs = copied_rubric(tmp_path)
    out = tmp_path / "out"
    grade(subs, out, rubric=rubric)
    _, printed = grade(subs, out, rubric=rubric)
    assert classrun.NO_SCORE_CHANGED not in printed  # nothing graded again: nothing promised
    # Another rubric, the same grades (a comment was one until the thirty-seventh session: the
    # digest is now of what the rubric says, tests/test_rubric_digest.py)
    retitle(rubric)
    _, printed = grade(subs, out, rubric=rubric)
    assert "another rubric (1): graded again; the run ends saying which scores changed" in printed, printed
    lines = printed.splitlines()
    at = next(k for k, line in enumerate(lines) if line.startswith("Graded 1 of 1"))
    assert lines[at + 1] == classrun.NO_SCORE_CHANGED, printed  # where a change would be said
