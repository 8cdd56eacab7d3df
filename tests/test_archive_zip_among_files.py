"""A zip among a student's files (Moodle's folder holding work.zip, Canvas's flat
``smithbob_340934_208490284_work.zip``) is that student's work: unpacked into the grader's own
folder with the checks of the class zip, said in the feedback, and part of the incremental key."""
from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

import pytest

from grader import commands
from grader import classsources
from grader import exits
from grader.archive import ArchiveLimits, StudentZips
from grader.batch import _from_task, _task
from grader.discover import Submission, find_submissions
from grader.incremental import BatchKey, submission_key
from tests import notebooks as nbs

MOODLE = "Jane Smith_4242_assignsubmission_file_"
BATCH = BatchKey(rubric="r", fixtures="f", grader="g")


def make_zip(path: Path, members: dict[str, bytes], *, encrypted: tuple[str, ...] = ()) -> Path:
    """A zip of ``members`` (name -> bytes); those named in ``encrypted`` carry the encryption
    flag in the central directory (``zipfile`` writes no encrypted member, and clears the flag)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    data = bytearray(path.read_bytes())
    at = data.find(b"PK\x01\x02")
    while at >= 0:
        length = int.from_bytes(data[at + 28:at + 30], "little")
        if data[at + 46:at + 46 + length].decode() in encrypted:
            data[at + 8] |= 0x1
        at = data.find(b"PK\x01\x02", at + 46)
    path.write_bytes(bytes(data))
    return path


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` with its bytes: the instructor's folder must not change."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def found(root: Path, dest: Path, **limits) -> dict[str, Submission]:
    """The submissions of ``root`` with their zips unpacked into ``dest``, by id."""
    unpack = StudentZips(dest=dest, **limits)
    return {sub.id: sub for sub in find_submissions(root, unpack=unpack)}


def test_a_moodle_folder_holding_a_zip_is_graded_from_it(tmp_path):
    root = tmp_path / "class"
    make_zip(root / MOODLE / "work.zip", {"rnn.ipynb": b'{"nb": 1}', "imdb_report.json": b"{}",
                                          "__MACOSX/._rnn.ipynb": b"junk", ".DS_Store": b"junk"})
    before = snapshot(root)
    sub = found(root, tmp_path / "unpacked")["Jane Smith_4242"]
    assert not sub.problem
    assert sub.path.read_bytes() == b'{"nb": 1}' and sub.path.is_relative_to(tmp_path / "unpacked")
    assert set(sub.extra_files) == {"work.zip/imdb_report.json"}
    assert sub.notes == ("Unpacked work.zip: imdb_report.json, rnn.ipynb.",)  # the junk unsaid
    assert sub.read_extra_files() == {"work.zip/imdb_report.json": b"{}"}
    assert snapshot(root) == before  # nothing written into the instructor's folder
    # Without an unpacker (the library's default) a zip is a file like any other, as before.
    assert find_submissions(root)[0].problem


def test_a_zip_holding_a_folder_and_a_canvas_flat_zip(tmp_path):
    root = tmp_path / "class"
    make_zip(root / "smithbob_340934_208490284_work.zip", {"work/rnn/rnn.ipynb": b"{}"})
    make_zip(root / "alice.zip", {"project/rnn.ipynb": b"{}", "project/data/imdb.npz": b"0" * 999})
    subs = found(root, tmp_path / "u")
    assert set(subs) == {"smithbob_340934", "alice"}
    assert subs["smithbob_340934"].path.name == "rnn.ipynb" and not subs["smithbob_340934"].problem
    assert subs["alice"].notes == ("Unpacked alice.zip: project/rnn.ipynb (1 other file in it is not read "
                                   "for grading).",)
    assert not list((tmp_path / "u").rglob("imdb.npz"))  # a data set is never written


def test_a_notebook_beside_the_zip_is_graded_and_the_zip_one_named(tmp_path):
    root = tmp_path / "class"
    (root / MOODLE).mkdir(parents=True)
    (root / MOODLE / "rnn.ipynb").write_bytes(b'{"beside": 1}')
    make_zip(root / MOODLE / "work.zip", {"rnn.ipynb": b'{"zipped": 1}', "imdb_report.json": b"{}"})
    sub = found(root, tmp_path / "u")["Jane Smith_4242"]
    assert sub.path == root / MOODLE / "rnn.ipynb" and not sub.problem
    assert "work.zip/imdb_report.json" in sub.extra_files  # the report in the zip still counts
    assert ("Graded rnn.ipynb, the notebook uploaded beside the zip; the different notebook in the zip "
            "(work.zip/rnn.ipynb) was not graded.") in sub.notes
    make_zip(root / MOODLE / "work.zip", {"rnn.ipynb": b'{"beside": 1}'})
    sub = found(root, tmp_path / "u2")["Jane Smith_4242"]
    assert "Graded rnn.ipynb; the copy of it in the zip is the same file." in sub.notes


def test_two_notebooks_in_the_zips_are_named_with_their_zip(tmp_path):
    root = tmp_path / "class"
    make_zip(root / MOODLE / "a.zip", {"rnn.ipynb": b"{}"})
    make_zip(root / MOODLE / "b.zip", {"rnn.ipynb": b"{}"})
    sub = found(root, tmp_path / "u")["Jane Smith_4242"]
    assert "2 notebooks (a.zip/rnn.ipynb, b.zip/rnn.ipynb)" in sub.problem


def test_a_zip_that_is_not_one_an_encrypted_member_and_a_zip_inside(tmp_path):
    root = tmp_path / "class"
    (root / "lee_1_2_work.zip").parent.mkdir(parents=True)
    (root / "lee_1_2_work.zip").write_bytes(b"not a zip at all")
    make_zip(root / MOODLE / "work.zip", {"rnn.ipynb": b"{}", "secret/imdb_report.json": b"{}",
                                          "inner.zip": b"PK\x05\x06" + b"\0" * 18,
                                          "../escape.ipynb": b"{}"}, encrypted=("secret/imdb_report.json",))
    subs = found(root, tmp_path / "u")
    lee = subs["lee_1"]
    assert "no notebook" in lee.problem
    assert lee.notes[0].startswith("work.zip was not unpacked: it is not a zip archive that can be read")
    jane = subs["Jane Smith_4242"]
    assert not jane.problem and jane.extra_files == {}
    assert ("work.zip holds inner.zip, which is not unpacked: the grader unpacks the zip you submit, not a zip "
            "inside it.") in jane.notes
    assert "Left out of work.zip: secret/imdb_report.json: encrypted" in jane.notes
    assert "Left out of work.zip: ../escape.ipynb: unsafe path" in jane.notes
    assert not (tmp_path / "escape.ipynb").exists() and not (tmp_path / "u" / "escape.ipynb").exists()


def test_a_zip_bomb_costs_its_student_the_file_not_the_class(tmp_path):
    root = tmp_path / "class"
    make_zip(root / "bomb_1_2_work.zip", {"rnn.ipynb": b"0" * (3 * 2**20)})
    make_zip(root / MOODLE / "work.zip", {"rnn.ipynb": b"{}"})
    subs = found(root, tmp_path / "u", limits=ArchiveLimits(max_member_bytes=2**20, max_ratio=float("inf")))
    assert subs["bomb_1"].notes == (
        "Unpacked work.zip: no notebook (.ipynb or .py) nor imdb_report file came out of it.",
        "Left out of work.zip: rnn.ipynb: 3145728 bytes, over the limit of 1048576")
    assert "no notebook" in subs["bomb_1"].problem and not subs["Jane Smith_4242"].problem
    assert not [p for p in (tmp_path / "u").rglob("*") if p.is_file() and p.stat().st_size > 2**10]


def test_a_notebook_that_printed_much_is_no_zip_bomb(tmp_path):
    """A notebook that printed one line 200,000 times deflates about 340 to 1: unpacked, not
    refused as a bomb (the class zip's ratio limit, 200, reads only files over 64 MiB)."""
    printed = json.dumps({"cells": [{"cell_type": "code", "source": "print(x)", "outputs": [
        {"output_type": "stream", "text": "[[0. 0. 0. 0. 0. 0. 0. 0. 0. 0.]\n" * 200_000}]}]}).encode()
    make_zip(tmp_path / "class" / MOODLE / "work.zip", {"rnn.ipynb": printed})
    sub = found(tmp_path / "class", tmp_path / "u")["Jane Smith_4242"]
    assert not sub.problem and sub.path.read_bytes() == printed


def test_member_count_and_the_class_budget(tmp_path):
    root = tmp_path / "class"
    make_zip(root / "many_1_2_work.zip", {f"f{k}.txt": b"x" for k in range(5)})
    many = found(root, tmp_path / "u", limits=ArchiveLimits(max_members=4))["many_1"]
    assert many.notes == ("work.zip was not unpacked: 5 members, over the limit of 4.",)
    (root / "many_1_2_work.zip").unlink()
    make_zip(root / "amy_1_2_a.zip", {"rnn.ipynb": b"a" * 600})
    make_zip(root / "bob_2_2_b.zip", {"rnn.ipynb": b"b" * 600})
    subs = found(root, tmp_path / "u2", class_bytes=1000)
    assert not subs["amy_1"].problem
    assert subs["bob_2"].notes == ("b.zip was not unpacked: the zips of the class reached 1,000 bytes, "
                                   "the most the grader unpacks in one run.",)


def test_the_key_follows_the_zip_and_not_where_it_was_unpacked(tmp_path):
    root = tmp_path / "class"
    make_zip(root / MOODLE / "work.zip", {"rnn.ipynb": b'{"v": 1}', "imdb_report.json": b"{}"})

    def key(n: int) -> str:
        return submission_key(found(root, tmp_path / f"u{n}")["Jane Smith_4242"], batch=BATCH)

    first = key(1)
    assert first is not None and key(2) == first  # a new temporary folder each run: same key
    make_zip(root / MOODLE / "work.zip", {"rnn.ipynb": b'{"v": 2}', "imdb_report.json": b"{}"})
    second = key(3)
    assert second != first  # a changed notebook in the zip regrades
    make_zip(root / MOODLE / "work.zip", {"rnn.ipynb": b'{"v": 2}', "imdb_report.json": b"{}",
                                          "x/imdb_report.json": b"{}"}, encrypted=("x/imdb_report.json",))
    assert key(4) != second  # what the feedback says of the zip changed: regrade


def test_the_notes_reach_the_worker():
    sub = Submission(id="a", path=Path("/x/a.ipynb"), notes=("Unpacked work.zip: a.ipynb.",))
    assert _from_task(_task(sub, "k"))[0].notes == sub.notes


def test_the_class_run_unpacks_nothing_of_the_class_zip_itself(tmp_path):
    """A class zip's top-level zips are left to the students' unpacking (one level, per student)."""
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as zf:
        zf.writestr("rnn.ipynb", b"{}")
    archive = make_zip(tmp_path / "canvas.zip", {"smithbob_340934_208490284_work.zip": inner.getvalue(),
                                                 "ann_1_2_rnn.ipynb": b"{}"})
    with classsources.opened_submissions(archive, stream=io.StringIO(), nested=False) as root:
        assert sorted(p.name for p in root.iterdir()) == ["ann_1_2_rnn.ipynb",
                                                          "smithbob_340934_208490284_work.zip"]
    assert classsources.unpacked_note([Submission(id="a", path=Path("a"))]) is None


@pytest.mark.slow
def test_a_class_run_grades_a_moodle_zip_and_says_so(tmp_path, monkeypatch):
    monkeypatch.setattr("grader.incremental.grader_digest", lambda *a, **k: "pinned")
    root, out = tmp_path / "class", tmp_path / "out"
    notebook = nbs.write(tmp_path / "made" / "rnn.ipynb", nbs.course_notebook())
    make_zip(root / MOODLE / "work.zip", {"rnn.ipynb": notebook.read_bytes()})
    before = snapshot(root)
    stream = io.StringIO()
    summary = commands.grade_class(root, out_dir=out, stream=stream, jobs=1, similarity=False,
                                   feedback_html=False)
    assert summary.graded == 1 and summary.scores[0] == summary.max_score
    with open(out / "grades.csv", newline="") as handle:
        assert [row["submission"] for row in csv.DictReader(handle)] == ["Jane Smith_4242"]
    assert "Unpacked work.zip: rnn.ipynb." in (out / "Jane Smith_4242" / "feedback.md").read_text()
    assert "Unpacked work.zip: rnn.ipynb." in json.loads(
        (out / "Jane Smith_4242" / "results.json").read_text())["output"]
    note = "Zips were found among the files of 1 submission(s) (Jane Smith_4242); each one&#x27;s"
    assert note.replace("&#x27;", "'") in stream.getvalue()
    assert note in (out / "report.html").read_text()
    assert snapshot(root) == before
    again = commands.grade_class(root, out_dir=out, stream=io.StringIO(), jobs=1, similarity=False,
                                 feedback_html=False)
    assert again.skipped == 1  # unpacked again into a new folder: the same key


def test_a_zip_in_a_subfolder_of_the_student(tmp_path):
    root = tmp_path / "class"
    make_zip(root / MOODLE / "upload" / "work.zip", {"rnn.ipynb": b"{}", "imdb_report.json": b"{}"})
    sub = found(root, tmp_path / "u")["Jane Smith_4242"]
    assert sub.path.name == "rnn.ipynb" and set(sub.extra_files) == {"upload/work.zip/imdb_report.json"}
    assert sub.notes == ("Unpacked upload/work.zip: imdb_report.json, rnn.ipynb.",)


def test_a_class_zip_student_without_notebook_is_told_without_the_grader_temporary_path(tmp_path):
    """The problem of a student in a class zip names their folder, not the temporary folder the
    class zip was extracted into (``/tmp/grade-zip-.../Lee Roe_77``, which means nothing to them)."""
    import grade

    archive = tmp_path / "class.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("Lee Roe_77_assignsubmission_file_/notes.txt", "no notebook here")
        zf.writestr("bob.ipynb", "{}")
    out = tmp_path / "out"
    assert grade.main([str(archive), "--out", str(out), "--no-similarity"]) == 0
    rows = {row["submission"]: row for row in csv.DictReader((out / "grades.csv").open(encoding="utf-8"))}
    text = (out / "Lee Roe_77" / "feedback.md").read_text(encoding="utf-8")
    assert "Lee Roe_77" in rows and "grade-zip-" not in text and "/tmp" not in text
    assert ("> Lee Roe_77: the submission holds no notebook; expected exactly one. It holds notes.txt: hand in "
            "the .ipynb file Jupyter saves (File > Save).") in text


def _with_bad_crcs(path: Path) -> Path:
    """``path``'s zip with every member's CRC-32 wrong in the central directory: each member is
    written out whole, then found damaged (``BadZipFile``) and left out."""
    data = bytearray(path.read_bytes())
    at = data.find(b"PK\x01\x02")
    while at >= 0:
        data[at + 16] ^= 0xFF
        at = data.find(b"PK\x01\x02", at + 4)
    path.write_bytes(bytes(data))
    return path


def test_members_left_out_do_not_use_up_the_class_allowance(tmp_path):
    """Bytes written and then removed (a damaged member) count against their student's
    allowance, not the class's: before, three damaged members of one student used up a class
    allowance of 200,000 bytes and the next student's zip was not unpacked."""
    root = tmp_path / "class"
    _with_bad_crcs(make_zip(root / "a_1_2_work.zip", {f"n{i}.ipynb": bytes(range(256)) * 300 for i in range(3)}))
    make_zip(root / "b_3_4_work.zip", {"rnn.ipynb": bytes(range(256)) * 117})
    subs = found(root, tmp_path / "u", class_bytes=200_000)
    assert all("unreadable" in note for note in subs["a_1"].notes[1:]) and len(subs["a_1"].notes) == 4
    assert not subs["b_3"].problem and subs["b_3"].path.name == "rnn.ipynb", subs["b_3"].notes


def test_a_zip_holding_only_a_zip_says_where_the_notebook_goes(tmp_path):
    # Thirty-second session: the note read "zz.zip holds inner.zip, not unpacked: a zip inside a
    # zip is not." and the student, whose only notebook was in inner.zip, was not told what to do.
    root = tmp_path / "class"
    root.mkdir()
    make_zip(root / "zz.zip", {"inner.zip": b"PK\x05\x06" + b"\0" * 18})
    zz = found(root, tmp_path / "u")["zz"]
    assert zz.problem.endswith("holds no notebook; expected exactly one. It holds zz.zip: hand in the .ipynb "
                               "file Jupyter saves (File > Save)."), zz.problem
    assert ("zz.zip holds inner.zip, which is not unpacked: the grader unpacks the zip you submit, not a zip "
            "inside it; put your notebook in zz.zip itself.") in zz.notes, zz.notes


def test_a_class_download_among_the_submissions_stops_the_run_with_what_to_do(tmp_path):
    """Thirty-fourth session: two sections' Canvas downloads put in one folder were graded as two
    students, ``submissions_sec1`` and ``submissions_sec2``, each with the score of the first
    notebook in it (or a zero for holding several). The run now stops before grading, naming the
    zip, whose students it holds and what to do."""
    notebook = json.dumps(nbs.course_notebook()).encode()
    subs = tmp_path / "subs"
    make_zip(subs / "submissions_sec1.zip", {"smithjane_12345_1_rnn.ipynb": notebook,
                                             "doejohn_23456_2_rnn.ipynb": notebook})
    make_zip(subs / "moodle_sec2.zip", {f"{MOODLE}/rnn.ipynb": notebook,
                                        "Bo Lee_4243_assignsubmission_file_/rnn.ipynb": notebook})
    with pytest.raises(exits.CommandError) as info:
        commands.grade_class(subs, out_dir=tmp_path / "out", jobs=1, progress_bar=False,
                             stream=io.StringIO(), similarity=False)
    said = str(info.value)
    assert said.startswith(f"{subs / 'moodle_sec2.zip'}: a class's download (the files of 2 students, "
                           f"such as Bo Lee_4243, Jane Smith_4242), not one student's upload"), said
    assert "unzip each section's download into one folder and grade that folder" in said
    assert not (tmp_path / "out" / "grades.csv").exists()


def test_a_students_own_zip_of_their_canvas_files_is_still_theirs(tmp_path):
    """A zip holding one student's platform-named files (their own download) is their upload."""
    notebook = json.dumps(nbs.course_notebook()).encode()
    subs = tmp_path / "subs"
    make_zip(subs / "alice.zip", {"smithjane_12345_1_rnn.ipynb": notebook, "imdb_report.json": b"{}"})
    nbs.write(subs / "bob.ipynb", nbs.course_notebook())
    assert [s.id for s in find_submissions(subs, defer=True)] == ["alice", "bob"]
