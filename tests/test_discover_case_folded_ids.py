"""grader.discover: ids that one file system tells apart and another does not (thirty-fifth
session, hostile). Each submission's files go in ``OUT/<id>/``; an output folder on macOS, a
Windows share or a TA's USB stick (FAT, exFAT) is case-insensitive, and macOS's also takes a name
in its composed and decomposed forms (``é`` as one character or two) for one. ``Ada.ipynb`` and
``ada.ipynb``, graded on Linux into such a folder, shared ``OUT/Ada/``: the second student's
feedback and results replaced the first's, and both rows of grades.csv showed one of them."""
from __future__ import annotations

import io
import json
import re
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
    from grader import outputfolder

    subs, out = tmp_path / "subs", tmp_path / "out"
    nbs.write(subs / "Ada" / "rnn.ipynb", nbs.course_notebook())
    nbs.write(subs / "ada" / "rnn.ipynb", nbs.course_notebook())
    commands.grade_class(subs, out_dir=out, jobs=1, similarity=False, feedback_html=False,
                         stream=io.StringIO(), progress_bar=False)
    found = outputfolder.student_folder(subs / "ada", out_dir=out)
    assert found is not None and found[1].id == "ada~folder", found
    assert found[1].path.resolve().is_relative_to((subs / "ada").resolve())


#: What a FAT or exFAT stick, an NTFS folder or a Windows share refuses in a file's name: the
#: characters below (and control characters, which ``readable_id`` writes out already), a trailing
#: dot or space, and a device's name (``aux``, ``con.txt``).
_REFUSED = re.compile(r'[<>:"/\\|?*\x00-\x1f]|[ .]$|^(?:con|prn|aux|nul|com\d|lpt\d)(?:\.|$)', re.IGNORECASE)


@pytest.mark.parametrize("stem", ["ada:1", "what?", 'say "hi"', "a<b>c", "pipe|", "star*", "dot.", "space ",
                                  "aux", "CON", "nul.txt", "com1", "Lpt9.tar", "esc\x1b[2J", "back\\slash"])
def test_an_id_is_a_folder_name_every_file_system_takes(tmp_path, stem):
    """A student's file name that Linux takes but a FAT stick, an NTFS disk or a Windows share
    refuses (``ada:1.ipynb``, ``aux.ipynb``; an escape ``readable_id`` writes, ``esc\\x1b[2J``, holds
    a backslash) stopped the class run into such a folder with a traceback (EINVAL writing
    ``OUT/ada:1/feedback.md``), every student's gradebook lost. The id writes each such character
    as ``_``, and a device's name with ``_`` after it; a clash is told apart as any other."""
    root = tmp_path / "class"
    nbs.write(root / f"{stem}.ipynb", nbs.course_notebook())
    nbs.write(root / "ada_1.ipynb", nbs.course_notebook())  # what ada:1 becomes: a clash
    ids = [s.id for s in find_submissions(root)]
    assert len(ids) == 2 and len({_folded(sid) for sid in ids}) == 2, ids
    for sid in ids:
        assert not _REFUSED.search(sid), sid
    alone = find_submissions(root / f"{stem}.ipynb")[0].id
    assert not _REFUSED.search(alone), alone


def test_a_name_a_windows_share_refuses_is_graded_and_the_run_ends(tmp_path, monkeypatch):
    """Through a class run into a folder that refuses ``:`` in a name (simulated: a FAT stick or a
    Windows share does): both students graded, the gradebook written."""
    import errno
    import os

    from grader import commands

    subs, out = tmp_path / "subs", tmp_path / "out"
    nbs.write(subs / "ada:1.ipynb", nbs.course_notebook())
    nbs.write(subs / "bob.ipynb", nbs.course_notebook())
    real_open, real_mkdir = os.open, os.mkdir

    def refused(path) -> bool:
        return not isinstance(path, int) and ":" in os.path.relpath(os.fsdecode(path), out).split(os.sep)[0]

    def fat_open(path, *args, **kwargs):
        if refused(path):
            raise OSError(errno.EINVAL, "Invalid argument", path)
        return real_open(path, *args, **kwargs)

    def fat_mkdir(path, *args, **kwargs):
        if refused(path):
            raise OSError(errno.EINVAL, "Invalid argument", path)
        return real_mkdir(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", fat_open)
    monkeypatch.setattr(os, "mkdir", fat_mkdir)
    summary = commands.grade_class(subs, out_dir=out, jobs=1, similarity=False, feedback_html=False,
                                   stream=io.StringIO(), progress_bar=False)
    assert summary.graded == 2
    rows = (out / "grades.csv").read_text(encoding="utf-8").splitlines()[1:]
    assert sorted(row.split(",")[0] for row in rows) == ["ada_1", "bob"], rows
