"""grader.discover: ids that one file system tells apart and another does not (thirty-fifth
session, hostile). Each submission's files go in ``OUT/<id>/``; an output folder on macOS, a
Windows share or a TA's USB stick (FAT, exFAT) is case-insensitive, and macOS's also takes a name
in its composed and decomposed forms (``é`` as one character or two) for one. ``Ada.ipynb`` and
``ada.ipynb``, graded on Linux into such a folder, shared ``OUT/Ada/``: the second student's
feedback and results replaced the first's, and both rows of grades.csv showed one of them."""
from __future__ import annotations

import io
import json
import unicodedata

import pytest

from grader.discover import RESERVED_IDS, find_submissions
from tests import notebooks as nbs


def _folded(sid: str) -> str:
    """How a case-insensitive, normalisation-insensitive file system compares a name."""
    return unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", sid).casefold())


@pytest.mark.parametrize("names", [
    ("Ada.ipynb", "ada.ipynb"),
    ("ADA.ipynb", "Ada.ipynb", "ada.ipynb", "ada~ipynb.ipynb"),
    ("Ada", "ada"),  # two folders
    ("Ada", "ada.ipynb"),
    ("caf\u00e9.ipynb", "cafe\u0301.ipynb"),  # NFC and NFD: one name on macOS
    ("Grades.csv.ipynb", "GRADING-not-finished.txt.ipynb", "Previous-Report.html.ipynb"),
])
def test_ids_differing_only_in_case_or_normal_form_are_told_apart(tmp_path, names):
    """Each submission's id folds (case, Unicode normal form) to a name no other id and no file of
    the class run folds to; the clash gets the suffix of any other (``ada~ipynb``), as
    ``alice.ipynb`` beside a folder ``alice/`` does. ``Grades.csv.ipynb`` took ``OUT/Grades.csv/``,
    which on such a folder is ``OUT/grades.csv``: the class run's gradebook could not be written."""
    root = tmp_path / "class"
    for name in names:
        if name.endswith(".ipynb"):
            nbs.write(root / name, nbs.course_notebook())
        else:
            nbs.write(root / name / "rnn.ipynb", nbs.course_notebook())
    ids = [s.id for s in find_submissions(root)]
    assert len(ids) == len(names), ids
    folded = [_folded(sid) for sid in ids]
    assert len(set(folded)) == len(ids), ids
    assert not set(folded) & {_folded(name) for name in RESERVED_IDS}, ids


def test_a_single_notebook_named_like_a_class_file_in_another_case_is_renamed(tmp_path):
    nbs.write(tmp_path / "GRADES.CSV.ipynb", nbs.course_notebook())
    assert find_submissions(tmp_path / "GRADES.CSV.ipynb")[0].id == "GRADES.CSV~ipynb"


def test_two_students_differing_in_case_keep_their_own_feedback(tmp_path):
    """Through a class run: each student's results are their own, in folders whose names no
    case-insensitive copy of the output folder merges (the first in name order keeps its name)."""
    from grader import commands

    subs, out = tmp_path / "subs", tmp_path / "out"
    nbs.write(subs / "Ada.ipynb", nbs.course_notebook())
    nbs.write(subs / "ada.ipynb", nbs.course_notebook(nbs.mutate("rnn_cell_forward", "+ ba)", ")")))
    summary = commands.grade_class(subs, out_dir=out, jobs=1, similarity=False, feedback_html=False,
                                   stream=io.StringIO(), progress_bar=False)
    assert summary.graded == 2
    folders = sorted(p.name for p in out.iterdir() if p.is_dir() and not p.name.startswith("."))
    assert folders == ["Ada", "ada~ipynb"], folders
    first = json.loads((out / "Ada" / "result.full.json").read_text(encoding="utf-8"))
    second = json.loads((out / "ada~ipynb" / "result.full.json").read_text(encoding="utf-8"))
    assert first["points"] > second["points"], (first["points"], second["points"])


def test_one_student_of_a_folder_of_folders_regraded_keeps_the_class_runs_id(tmp_path):
    """``grade.py SUBMISSIONS/ada`` beside ``SUBMISSIONS/Ada`` regrades the row a run of the whole
    class gave it (``ada~folder``), not a new row ``ada``."""
    from grader import commands

    subs, out = tmp_path / "subs", tmp_path / "out"
    nbs.write(subs / "Ada" / "rnn.ipynb", nbs.course_notebook())
    nbs.write(subs / "ada" / "rnn.ipynb", nbs.course_notebook())
    commands.grade_class(subs, out_dir=out, jobs=1, similarity=False, feedback_html=False,
                         stream=io.StringIO(), progress_bar=False)
    found = commands.student_folder(subs / "ada", out_dir=out)
    assert found is not None and found[1].id == "ada~folder", found
    assert found[1].path.resolve().is_relative_to((subs / "ada").resolve())
