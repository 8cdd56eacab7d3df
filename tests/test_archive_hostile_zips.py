"""A hostile student's own zip, unpacked by the class run (``grader.archive.StudentZips``):
twenty-second session's review. Each test failed on 8e4d40d."""
from __future__ import annotations

import io
import os
import shutil
import tempfile
import zipfile
from pathlib import Path

import pytest

from grader import commands
from grader.archive import MAX_MEMBER_DEPTH, ArchiveLimits, StudentZips, extract_archive
from tests import notebooks as nbs

MOODLE = "Mallory Moe_666_assignsubmission_file_"


def chain_zip(path: Path, depth: int) -> Path:
    """A zip of ``depth`` empty notebooks, each one folder deeper than the last: every member
    makes one new folder, so the tree goes as deep as ``depth`` (Python's recursion stops a
    single ``mkdir(parents=True)`` near 1,000 folders; one folder a member does not)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as zf:
        for level in range(1, depth + 1):
            zf.writestr("a/" * level + "x.ipynb", b"")
    return path


def folders_under(top: Path) -> int:
    """How many folders are below ``top``, counted without recursing."""
    return sum(len(dirs) for _, dirs, _ in os.walk(top))


def test_a_chain_deeper_than_the_recursion_limit_leaves_a_tree_that_can_be_removed(tmp_path):
    """1,100 members one folder deeper each: unpacked as they were, ``shutil.rmtree`` (what
    ``TemporaryDirectory`` removes the grader's folder with) raised RecursionError on the tree."""
    dest = tmp_path / "unpacked"
    zips = StudentZips(dest=dest)
    got = zips({"work.zip": chain_zip(tmp_path / "work.zip", 1_100)})
    assert len(got.unpacked) == MAX_MEMBER_DEPTH  # x.ipynb in at most MAX_MEMBER_DEPTH folders
    assert got.notes[1] == "Left out of work.zip: " + "a/" * (MAX_MEMBER_DEPTH + 1) + "x.ipynb: its path is too deep"
    assert got.notes[-1] == f"... and {1_100 - MAX_MEMBER_DEPTH - 8} more member(s) of work.zip left out."
    shutil.rmtree(dest)  # raised RecursionError on 8e4d40d
    assert not dest.exists()


def test_folders_count_as_members(tmp_path):
    """20 notebooks, each in 31 folders of its own, made 620 folders out of a zip of 20
    members (a real zip of 50,000 such members: 1.5 million folders, within every limit)."""
    dest = tmp_path / "unpacked"
    members = {f"{k}/" + "a/" * 30 + "x.ipynb": b"{}" for k in range(20)}
    path = tmp_path / "work.zip"
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    got = StudentZips(dest=dest, limits=ArchiveLimits(max_members=200))({"work.zip": path})
    assert got.notes == ("work.zip was not unpacked: more than 200 members; refused.",)
    assert dict(got.files) == {"work.zip": path} and not got.unpacked
    assert folders_under(dest) == 0
    # Within the limit: 3 members and the folders w, w/a, w/b (the zip's folder entries are
    # not written out of a student's zip).
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("w/", b"")
        zf.writestr("w/a/rnn.ipynb", b"{}")
        zf.writestr("w/b/imdb_report.json", b"{}")
    zips = StudentZips(dest=tmp_path / "again", limits=ArchiveLimits(max_members=6))
    assert set(zips({"work.zip": path}).unpacked) == {"work.zip/w/a/rnn.ipynb", "work.zip/w/b/imdb_report.json"}
    zips = StudentZips(dest=tmp_path / "third", limits=ArchiveLimits(max_members=5))
    assert not zips({"work.zip": path}).unpacked
    # A class zip's folder entries are written, each counted once: 3 members, 3 entries.
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("w/", b"")
        zf.writestr("w/a/", b"")
        zf.writestr("w/a/rnn.ipynb", b"{}")
    assert extract_archive(path, dest=tmp_path / "class", limits=ArchiveLimits(max_members=3)).files == 1


@pytest.mark.slow
def test_a_class_run_with_a_chain_zip_ends_well_and_leaves_nothing(tmp_path, monkeypatch):
    """On 8e4d40d the class run graded everyone, then raised RecursionError removing its
    temporary folder (``grade.py`` exit status 1, a traceback), and left that folder, every
    student's unpacked notebooks in it, in the machine's ``/tmp``; the unpacking cost 17 s."""
    monkeypatch.setattr("grader.incremental.grader_digest", lambda *a, **k: "pinned")
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temporary))
    root, out = tmp_path / "class", tmp_path / "out"
    nbs.write(root / "ada.ipynb", nbs.course_notebook())
    chain_zip(root / MOODLE / "work.zip", 1_100)
    summary = commands.grade_class(root, out_dir=out, stream=io.StringIO(), jobs=1, similarity=False,
                                   feedback_html=False)
    assert summary.graded == 1 and summary.scores == (summary.max_score,)
    assert summary.unreadable == ("Mallory Moe_666",)  # 32 notebooks: graded as no one
    feedback = (out / "Mallory Moe_666" / "feedback.md").read_text()
    assert "its path is too deep" in feedback
    assert list(temporary.iterdir()) == []


def test_a_zip_of_thousands_of_notebooks_is_not_unpacked(tmp_path):
    """A zip of 50,000 empty notebooks (5 MB) cost the grading process 8.7 s: 50,000 files
    written, listed and read back, for a submission that cannot be graded (a notebook beside
    it is graded, and only 64 files beside a notebook are read). At most 100 notebooks and
    report files are unpacked of a student's zips; their feedback says why not more."""
    dest = tmp_path / "unpacked"
    many = tmp_path / "many.zip"
    with zipfile.ZipFile(many, "w") as zf:
        for k in range(101):
            zf.writestr(f"lab{k}.ipynb", b"{}")
        zf.writestr("data.csv", b"1,2")
    got = StudentZips(dest=dest)({"many.zip": many})
    assert not got.unpacked and dict(got.files) == {"many.zip": many}
    assert got.notes == ("many.zip was not unpacked: it holds 101 notebooks and imdb_report files, and the "
                         "grader unpacks at most 100 from one student's zips.",)
    assert not dest.exists() or not any(p.is_file() for p in dest.rglob("*"))
    # Counted over the student's zips: a zip of 60 is unpacked, then one of 41 is not.
    first, second = tmp_path / "a.zip", tmp_path / "b.zip"
    for path, count in ((first, 60), (second, 41)):
        with zipfile.ZipFile(path, "w") as zf:
            for k in range(count):
                zf.writestr(f"{path.stem}{k}.ipynb", b"{}")
    got = StudentZips(dest=tmp_path / "two")({"a.zip": first, "b.zip": second})
    assert len(got.unpacked) == 60 and dict(got.files) == {"b.zip": second}
    assert got.notes[-1].startswith("b.zip was not unpacked: it holds 41 notebooks")


def test_the_notes_on_a_students_zips_are_bounded_whatever_the_names(tmp_path):
    """Member names of 60,000 characters (a zip allows 64 kB) were quoted whole in every note:
    twenty such zips made each of the student's feedback files 20 MB. Each note is now at most
    ``MAX_NOTE_CHARS`` and says how much it left out (``grader.notes``, the bound of every note
    since the twenty-fourth session)."""
    from grader.notes import MAX_NOTE_CHARS

    files = {}
    for k in range(20):
        path = tmp_path / f"w{k}.zip"
        with zipfile.ZipFile(path, "w") as zf:
            for j in range(10):
                zf.writestr(f"{j}" + "n" * 60_000 + ".ipynb", b"{}")  # too long a name to write
            zf.writestr("other" * 12_000 + ".txt", b"")
        files[f"w{k}.zip"] = path
    got = StudentZips(dest=tmp_path / "out")(files)
    assert got.notes and all(len(note) <= MAX_NOTE_CHARS for note in got.notes)
    assert sum(map(len, got.notes)) < 250_000  # about 12 MB before
    assert any(" characters cut ...] " in note for note in got.notes)
    assert all(note.startswith(("Unpacked w", "Left out of w", "... and", "w", "[... ")) for note in got.notes)
