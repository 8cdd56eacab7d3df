"""The twenty-first session's second review: ways the session's merged changes could be broken,
each rebuilt from the tests' course notebook and run through the real grader."""
from __future__ import annotations

import errno
import io
import json
import zipfile
from pathlib import Path

import pytest

from grader import archive as archive_module
from grader.archive import StudentZips, extract_archive
from grader.similaritystage import function_sources
from grader.discover import find_submissions
from grader.models import PASSED
from grader.runner import grade_submission
from tests import notebooks as nbs

# A right rnn_cell_forward written under another name, then given the graded name (ed13296).
_RENAMED = nbs.COURSE_CELLS["rnn_cell_forward"].replace("def rnn_cell_forward(", "def rnn_cell_fwd(")


@pytest.mark.parametrize("alias", ["rnn_cell_forward = rnn_cell_fwd", "rnn_cell_forward = (rnn_cell_fwd)"])
def test_the_similarity_check_compares_the_function_an_alias_names(tmp_path, context, sandbox, alias):
    # The similarity check compares the graded functions' sources (functions.json). An alias
    # stored "rnn_cell_forward = rnn_cell_fwd" there, so a classmate's function copied under
    # another name and aliased was never compared. The alias in brackets, which extraction keeps
    # as an alias too, escaped a second time while the runner read aliases from the text.
    notebook = nbs.course_notebook({"rnn_cell_forward": _RENAMED + f"\n\n{alias}\n"})
    path = nbs.write(tmp_path / "aliased.ipynb", notebook)
    result = grade_submission(path, context=context, sandbox=sandbox)
    assert result.part("rnn_cell_forward").status == PASSED
    source = result.extra["sources"]["rnn_cell_forward"]
    assert source.startswith("def rnn_cell_fwd(xt, a_prev, parameters):") and "np.tanh" in source, source
    # The notebook's own extraction (a harness failure's fallback, the known and starter sources).
    assert function_sources(path, names=["rnn_cell_forward"])["rnn_cell_forward"] == source


def _corrupt_zip(path: Path, member: str, data: bytes, method: int) -> Path:
    """A zip of ``member`` whose compressed stream is damaged after its start (its headers and
    central directory intact): what a truncated or corrupted upload can hold."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", method) as archive:
        archive.writestr(member, data)
    raw = bytearray(buffer.getvalue())
    start = 30 + len(member.encode())  # the member's local header, then its compressed data
    raw[start + 10:start + 60] = b"\xff" * 50
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(bytes(raw))
    return path


@pytest.mark.parametrize("method", [zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA])
def test_a_students_corrupt_zip_costs_that_student_their_zip_not_the_class_its_run(tmp_path, method):
    # The damaged stream raised zlib.error (OSError for bzip2, LZMAError for lzma), which nothing
    # caught: find_submissions, so grade.py, stopped with a traceback and graded no one.
    data = json.dumps(nbs.course_notebook()).encode()
    folder = tmp_path / "subs"
    _corrupt_zip(folder / "bob.zip", "rnn.ipynb", data, method)
    nbs.write(folder / "ada.ipynb", nbs.course_notebook())
    with zipfile.ZipFile(folder / "bob.zip") as archive, pytest.raises(Exception):
        archive.read("rnn.ipynb")  # the stream is damaged indeed
    subs = {sub.id: sub for sub in find_submissions(folder, unpack=StudentZips(dest=tmp_path / "unzip"))}
    assert subs["ada"].problem == "", subs["ada"]
    bob = subs["bob"]
    assert "no notebook" in bob.problem, bob
    assert any(note.startswith("Left out of bob.zip: rnn.ipynb: unreadable") for note in bob.notes), bob.notes
    assert not list((tmp_path / "unzip").rglob("*.ipynb"))  # the partial file is removed


def test_a_class_zip_with_a_corrupt_member_leaves_that_member_out(tmp_path):
    # The class zip's own extraction (extract_archive) shares the loop: the same error escaped it.
    data = json.dumps(nbs.course_notebook()).encode() * 3
    archive = _corrupt_zip(tmp_path / "class.zip", "bob.ipynb", data, zipfile.ZIP_DEFLATED)
    extracted = extract_archive(archive, dest=tmp_path / "out")
    assert any(line.startswith("class.zip:bob.ipynb: unreadable") for line in extracted.skipped), extracted.skipped
    assert not (tmp_path / "out" / "bob.ipynb").exists()


def test_a_write_that_fails_is_not_blamed_on_the_member(tmp_path, monkeypatch):
    # The bzip2 stream's error is an OSError without an errno; a full disk's has one, and is not
    # the student's zip's fault: it still stops the extraction, and the partial file is removed.
    folder = tmp_path / "subs"
    folder.mkdir()
    with zipfile.ZipFile(folder / "bob.zip", "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("rnn.ipynb", json.dumps(nbs.course_notebook()))

    class FullDisk(io.BytesIO):
        def write(self, data):
            raise OSError(errno.ENOSPC, "No space left on device")

    real_open = open

    def opened(path, mode="r", *args, **kwargs):
        if mode == "xb":
            real_open(path, mode).close()
            return FullDisk()
        return real_open(path, mode, *args, **kwargs)

    monkeypatch.setattr(archive_module, "open", opened, raising=False)
    with pytest.raises(OSError) as raised:
        find_submissions(folder, unpack=StudentZips(dest=tmp_path / "unzip"))
    assert raised.value.errno == errno.ENOSPC
    assert not list((tmp_path / "unzip").rglob("*.ipynb"))


def test_a_zip_of_many_notebooks_is_told_in_a_bounded_message(tmp_path):
    # The problem named every notebook: a 5 MB zip of 20,000 tiny notebooks under long names made
    # a 2 MB problem, repeated in every case: result.full.json 52 MB, results.json 15 MB, and 2 MB
    # in feedback.md, feedback.html and the class report (grade.py, measured).
    folder = tmp_path / "subs"
    folder.mkdir()
    with zipfile.ZipFile(folder / "mallory.zip", "w") as archive:
        for i in range(30):
            archive.writestr(f"copy_{i:02d}/notebook_{i:02d}.ipynb", "{}")
    (folder / "eve").mkdir()
    for i in range(30):
        (folder / "eve" / f"notebook_{i:02d}.ipynb").write_text("{}")
    subs = {sub.id: sub for sub in find_submissions(folder, unpack=StudentZips(dest=tmp_path / "unzip"))}
    for sid in ("mallory", "eve"):
        problem = subs[sid].problem
        assert "30 notebooks (" in problem and "and 22 more" in problem, problem
        assert problem.count("notebook_") == 8 and len(problem) < 600, problem
    assert "mallory.zip/copy_00/notebook_00.ipynb" in subs["mallory"].problem
