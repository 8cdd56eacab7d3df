"""grader.commands: an output folder that is the submissions folder, or holds it, is refused before
anything is read or written, with a message that says which (thirty-sixth session).

On main ``grade.py sec1 sec2 --out sec1`` graded section 2 alone into section 1's folder, among its
students' notebooks, and said nothing of section 1's students; ``--out SUBMISSIONS`` said "the output
folder holds the submissions folder" of the folder itself, and ``NOTEBOOK --out ITS_FOLDER`` called
the notebook a folder."""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from grader import commands
from tests import notebooks as nbs


@pytest.fixture(autouse=True)
def steady_grader(monkeypatch):
    """Edits to grader/ by others during a test must not make the keys stale (see test_batch)."""
    monkeypatch.setattr("grader.incremental.grader_digest", lambda *a, **k: "pinned")


def refused(submissions, out: Path) -> str:
    with pytest.raises(commands.CommandError) as info:
        commands.grade_class(submissions, out_dir=out, jobs=1, similarity=False, feedback_html=False,
                             stream=io.StringIO())
    return str(info.value)


def listing(folder: Path) -> list[str]:
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*"))


def test_a_section_given_as_the_output_folder_is_refused_not_dropped(tmp_path):
    sec1, sec2 = tmp_path / "sec1", tmp_path / "sec2"
    nbs.write(sec1 / "ada.ipynb", nbs.course_notebook())
    nbs.write(sec1 / "bob.ipynb", nbs.course_notebook())
    nbs.write(sec2 / "cy.ipynb", nbs.course_notebook())
    before = listing(tmp_path)
    message = refused([sec1, sec2], sec1)
    assert message.startswith(f"{sec1}: the output folder is the submissions folder {sec1}"), message
    assert "give --out a folder of its own, such as grading-output" in message
    assert listing(tmp_path) == before  # nothing graded, nothing written among the students' files


def test_the_submissions_folder_itself_is_called_so(tmp_path):
    subs = tmp_path / "subs"
    nbs.write(subs / "ada.ipynb", nbs.course_notebook())
    message = refused(subs, subs)
    assert message.startswith(f"{subs}: the output folder is the submissions folder {subs}; "), message
    assert "holds" not in message and "would be taken" not in message


def test_a_folder_around_the_submissions_says_it_holds_them(tmp_path):
    subs = tmp_path / "class" / "subs"
    nbs.write(subs / "ada.ipynb", nbs.course_notebook())
    message = refused(subs, tmp_path)
    assert message.startswith(f"{tmp_path}: the output folder holds the submissions folder {subs}; "), message
    # Where it would write: beside the folder, not "among the students' files" (the review's note).
    assert "report.html in a folder that holds the students' files: give --out" in message, message
    assert not (tmp_path / "grades.csv").exists()


def test_a_notebook_in_the_output_folder_is_called_a_notebook(tmp_path):
    subs = tmp_path / "subs"
    notebook = nbs.write(subs / "ada.ipynb", nbs.course_notebook())
    nbs.write(subs / "bob.ipynb", nbs.course_notebook())
    message = refused(notebook, subs)
    assert message.startswith(f"{subs}: the output folder holds the notebook {notebook}; "), message
    assert listing(subs) == ["ada.ipynb", "bob.ipynb"]


def test_an_output_folder_inside_the_submissions_is_still_taken(tmp_path):
    """The usual `grade.py subs --out subs/graded`: graded, the output folder not a student."""
    subs = tmp_path / "subs"
    nbs.write(subs / "ada.ipynb", nbs.course_notebook())
    summary = commands.grade_class(subs, out_dir=subs / "graded", jobs=1, similarity=False,
                                   feedback_html=False, stream=io.StringIO())
    assert summary.graded == 1 and (subs / "graded" / "grades.csv").is_file()


def test_a_class_zip_in_the_output_folder_is_graded(tmp_path):
    """A download beside its output (``grade.py class.zip --out .``): the zip is read, nothing is
    written among the students' files, so it is not refused."""
    out = tmp_path / "course"
    out.mkdir()
    with zipfile.ZipFile(out / "class.zip", "w") as zf:
        zf.writestr("ada.ipynb", nbs.write(tmp_path / "ada.ipynb", nbs.course_notebook()).read_text())
    summary = commands.grade_class(out / "class.zip", out_dir=out, jobs=1, similarity=False,
                                   feedback_html=False, stream=io.StringIO())
    assert summary.graded == 1 and (out / "grades.csv").is_file()
