"""A rubric's digest (``Rubric.digest``, in every submission's key) is of what the rubric says, not
of its file's bytes. Until the thirty-seventh session it was the sha256 of the bytes: a comment
edited in ``rubrics/rnn.yaml`` (its schema comment lacked ``bonus:``) regraded the whole class."""
from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import pytest

from grader import models
from grader.rubric import NOT_DIGESTED, parse_rubric, rubric_digest
from tests import notebooks as nbs
from tests.test_commands_roster import grade

ROOT = Path(__file__).resolve().parent.parent
RNN = (ROOT / "rubrics" / "rnn.yaml").read_text(encoding="utf-8")
CASE = "{name: assignment example, visibility: public, seed: 1, dims: {n_x: 3, n_a: 5, n_y: 2, m: 10, T_x: 1}, points: 2.5}"


def digest(text: str) -> str:
    return parse_rubric(text, path="rnn.yaml").digest


def edited(old: str, new: str, text: str = RNN) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


@pytest.mark.parametrize("how, text", [
    ("a comment", "# the schema also takes bonus: true\n" + RNN),
    ("a comment at a line's end", edited("rnn_cell_forward\n    mutation_weight: 0.1\n",
                                          "rnn_cell_forward\n    mutation_weight: 0.1   # 10%\n")),
    ("blank lines", edited("parts:\n", "\n\nparts:\n")),
    ("a flow mapping's keys reordered", edited(CASE, CASE.replace("seed: 1, ", "").replace("points: 2.5}", "points: 2.5, seed: 1}"))),
    ("a number written another way", edited("rtol: 1.0e-5,", "rtol: 1e-5,")),
    ("points written as a whole number", edited(CASE, CASE.replace("points: 2.5", "points: 2.50"))),
    ("a blind_to edited", edited("blind_to: [softmax_whole_array], ", "")),
    ("the title quoted otherwise", edited('title: "Assignment 4: Building a Recurrent Neural Network"',
                                          "title: 'Assignment 4: Building a Recurrent Neural Network'")),
])
def test_what_does_not_change_a_grade_leaves_the_digest(how, text):
    assert digest(text) == digest(RNN), how


@pytest.mark.parametrize("how, text", [
    ("a case's points", edited(CASE, CASE.replace("points: 2.5", "points: 3"))),
    ("a case's name", edited(CASE, CASE.replace("assignment example", "the example"))),
    ("a tolerance", edited("rtol: 1.0e-5,", "rtol: 1.0e-4,")),
    ("a timeout", edited("timeout: 0.5}", "timeout: 1}")),
    ("a weight", edited('{name: a_next, path: "[0]", weight: 2}\n      - {name: yt_pred',
                        '{name: a_next, path: "[0]", weight: 3}\n      - {name: yt_pred')),
    ("the title", edited('title: "Assignment 4: Building a Recurrent Neural Network"', "title: Assignment 4")),
    ("a part made a bonus", edited("  - function: rnn_cell_forward\n", "  - function: rnn_cell_forward\n    bonus: true\n")),
    ("a mutation weight", edited("rnn_cell_forward\n    mutation_weight: 0.1\n",
                                 "rnn_cell_forward\n    mutation_weight: 0.2\n")),
    ("a seed", edited(CASE, CASE.replace("seed: 1", "seed: 2"))),
    ("the imdb section", edited("    required: 3   ", "    required: 2   ")),
])
def test_what_changes_a_grade_changes_the_digest(how, text):
    assert digest(text) != digest(RNN), how


def test_every_field_of_a_rubric_is_digested_or_left_out_by_name():
    """A field added to the rubric's records is in the digest unless NOT_DIGESTED names it: this
    test lists what is digested, so that adding a field makes its author decide."""
    digested = {cls.__name__: {f.name for f in dataclasses.fields(cls)} - NOT_DIGESTED.get(cls.__name__, set())
                for cls in (models.Rubric, models.Part, models.Case, models.OutputSpec, models.Tolerance)}
    assert digested == {
        "Rubric": {"version", "name", "title", "parts", "imdb"},
        "Part": {"name", "function", "cases", "outputs", "depends", "isolate", "mutation_weight",
                 "withheld_points", "bonus"},
        "Case": {"id", "part", "function", "name", "visibility", "builder", "seed", "dims", "points",
                 "tolerance", "outputs", "timeout"},
        "OutputSpec": {"name", "path", "weight", "check"},
        "Tolerance": {"rtol", "atol"},
    }
    rubric = parse_rubric(RNN, path="rnn.yaml")
    assert rubric.digest == rubric_digest(dataclasses.replace(rubric, path="elsewhere.yaml", digest="x"))
    moved = dataclasses.replace(rubric, parts=tuple(dataclasses.replace(p, line=p.line + 1) for p in rubric.parts))
    assert rubric_digest(moved) == rubric.digest


@pytest.fixture(autouse=True)
def steady_grader(monkeypatch):
    """Edits to grader/ by others during a test must not make the keys stale (see test_batch)."""
    monkeypatch.setattr("grader.incremental.grader_digest", lambda *a, **k: "pinned")


def graded_class(tmp_path: Path) -> tuple[Path, Path, Path]:
    """A copy of rubrics/ and a class of one right notebook graded with its rnn.yaml: the rubric,
    the submissions' folder and the output folder."""
    rubrics = tmp_path / "rubrics"
    shutil.copytree(ROOT / "rubrics", rubrics, ignore=shutil.ignore_patterns(".cache"))
    rubric = rubrics / "rnn.yaml"
    subs = tmp_path / "subs"
    nbs.write(subs / "alice.ipynb", nbs.course_notebook())
    out = tmp_path / "out"
    grade(subs, out, rubric=rubric)
    return rubric, subs, out


def test_a_comment_edited_in_the_rubric_grades_no_one_again(tmp_path):
    """The class run: a comment added to rubrics/rnn.yaml keeps every key; a case renamed does not."""
    rubric, subs, out = graded_class(tmp_path)
    rubric.write_text("# bonus: true makes a part extra credit\n" + RNN, encoding="utf-8")
    _, printed = grade(subs, out, rubric=rubric)
    assert "Skipping 1 unchanged since the last run" in printed and "another rubric" not in printed, printed
    rubric.write_text(edited(CASE, CASE.replace("assignment example", "the example")), encoding="utf-8")
    _, printed = grade(subs, out, rubric=rubric)
    assert "another rubric (1): graded again" in printed, printed
    assert "changed while this run graded" not in printed, printed


def test_a_class_keyed_by_the_rubric_files_bytes_is_the_same_rubrics(tmp_path):
    """A class graded before the digest was of what the rubric says holds the sha256 of the rubric
    file in its keys. A late notebook graded into it is merged with it, not refused as graded with
    "another rubric", and the class report is written from it."""
    import hashlib
    import json

    from grader import classreport
    rubric, subs, out = graded_class(tmp_path)
    key = out / "alice" / "grading-key.json"
    record = json.loads(key.read_text(encoding="utf-8"))
    record["rubric"] = hashlib.sha256(rubric.read_bytes()).hexdigest()  # as the grader before wrote it
    key.write_text(json.dumps(record), encoding="utf-8")
    late = nbs.write(tmp_path / "late" / "bob.ipynb", nbs.course_notebook())
    _, printed = grade(late, out, rubric=rubric)
    assert "another rubric" not in printed, printed
    assert [line.split(",")[0] for line in (out / "grades.csv").read_text().splitlines()[1:]] == ["alice", "bob"]
    assert classreport.main([str(out), "--rubric", str(rubric)]) == 0
