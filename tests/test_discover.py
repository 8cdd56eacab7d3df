"""Finding submissions: files, folders of one notebook, problems reported per submission."""
from pathlib import Path

import pytest

from grader.discover import DiscoveryError, find_submissions


def test_files_and_folders(tmp_path):
    (tmp_path / "a.ipynb").write_text("{}")
    (tmp_path / "b.py").write_text("x = 1")
    (tmp_path / "notes.txt").write_text("ignored")
    folder = tmp_path / "carol"
    folder.mkdir()
    (folder / "work.ipynb").write_text("{}")
    (folder / "imdb_report.json").write_text("{}")
    (folder / ".ipynb_checkpoints").mkdir()
    (folder / ".ipynb_checkpoints" / "work-checkpoint.ipynb").write_text("{}")
    subs = {s.id: s for s in find_submissions(tmp_path)}
    assert set(subs) == {"a", "b", "carol"}
    assert subs["carol"].path.name == "work.ipynb"
    assert set(subs["carol"].extra_files) == {"imdb_report.json"}
    assert subs["carol"].read_extra_files() == {"imdb_report.json": b"{}"}


def test_folder_with_two_notebooks_is_a_problem_not_a_crash(tmp_path):
    folder = tmp_path / "dan"
    folder.mkdir()
    (folder / "one.ipynb").write_text("{}")
    (folder / "two.ipynb").write_text("{}")
    (subs,) = find_submissions(tmp_path)
    assert "2 notebooks" in subs.problem and "one.ipynb" in subs.problem


def test_empty_and_missing(tmp_path):
    with pytest.raises(DiscoveryError, match="no submissions"):
        find_submissions(tmp_path)
    with pytest.raises(DiscoveryError, match="no such"):
        find_submissions(tmp_path / "nope")


def test_same_id_twice_keeps_both(tmp_path):
    (tmp_path / "eve.ipynb").write_text("{}")
    (tmp_path / "eve").mkdir()
    (tmp_path / "eve" / "x.ipynb").write_text("{}")
    ids = [s.id for s in find_submissions(tmp_path)]
    assert len(ids) == 2 and "eve" in ids


# --------------------------------------------------------------------------- platform names

from grader.discover import platform_name  # noqa: E402


@pytest.mark.parametrize("name, platform, sid, original, late", [
    ("smithjane_12345_67890_Assignment4.ipynb", "canvas", "smithjane_12345", "Assignment4.ipynb", False),
    ("smithjane_LATE_12345_67890_Assignment4.ipynb", "canvas", "smithjane_12345", "Assignment4.ipynb", True),
    ("smithjane_12345_67890_my_rnn_work.ipynb", "canvas", "smithjane_12345", "my_rnn_work.ipynb", False),
    ("Jane Smith_4242_assignsubmission_file_", "moodle", "Jane Smith_4242", "", False),
    ("Jane Smith_4242_assignsubmission_file_rnn.ipynb", "moodle", "Jane Smith_4242", "rnn.ipynb", False),
    ("Jane Smith_4242_assignsubmission_onlinetext_", "moodle", "Jane Smith_4242", "", False),
])
def test_platform_names(name, platform, sid, original, late):
    parsed = platform_name(name)
    assert parsed is not None
    assert (parsed.platform, parsed.id, parsed.original, parsed.late) == (platform, sid, original, late)


@pytest.mark.parametrize("name", ["alice.ipynb", "student_01.ipynb", "rnn_v2_final.ipynb", "lab_3"])
def test_ordinary_names_are_not_platform_names(name):
    assert platform_name(name) is None


def test_canvas_flat_download_gathers_each_students_files(tmp_path):
    (tmp_path / "smithjane_12345_67890_Assignment4.ipynb").write_text("{}")
    (tmp_path / "smithjane_12345_67891_imdb_report.json").write_text("{}")
    (tmp_path / "doejohn_LATE_222_333_rnn.ipynb").write_text("{}")
    (tmp_path / "roebob_444_555_notes.pdf").write_text("%PDF")
    subs = {s.id: s for s in find_submissions(tmp_path)}
    assert set(subs) == {"smithjane_12345", "doejohn_222", "roebob_444"}
    assert subs["smithjane_12345"].path.name == "smithjane_12345_67890_Assignment4.ipynb"
    assert set(subs["smithjane_12345"].extra_files) == {"imdb_report.json"}
    assert not subs["doejohn_222"].problem
    assert "no notebook" in subs["roebob_444"].problem


def test_moodle_folders_are_merged_per_participant(tmp_path):
    files = tmp_path / "Jane Smith_4242_assignsubmission_file_"
    files.mkdir()
    (files / "RNN.ipynb").write_text("{}")
    (files / "imdb_report.json").write_text("{}")
    text = tmp_path / "Jane Smith_4242_assignsubmission_onlinetext_"
    text.mkdir()
    (text / "onlinetext.html").write_text("<p>hi</p>")
    other = tmp_path / "Li Wei_77_assignsubmission_file_"
    other.mkdir()
    (other / "work.ipynb").write_text("{}")
    subs = {s.id: s for s in find_submissions(tmp_path)}
    assert set(subs) == {"Jane Smith_4242", "Li Wei_77"}
    assert subs["Jane Smith_4242"].path.name == "RNN.ipynb"
    assert set(subs["Jane Smith_4242"].extra_files) == {"imdb_report.json", "onlinetext.html"}


def test_a_folder_of_thousands_of_files_costs_a_bounded_read(tmp_path):
    """A student folder holding a whole environment: only MAX_EXTRA_FILES files are read (the
    shallowest first, so a report beside the notebook is among them), each up to
    EXTRA_FILE_BYTES."""
    from grader.discover import EXTRA_FILE_BYTES, MAX_EXTRA_FILES

    folder = tmp_path / "eve"
    deep = folder / "venv" / "lib" / "site-packages"
    deep.mkdir(parents=True)
    (folder / "work.ipynb").write_text("{}")
    (folder / "imdb_report.json").write_text('{"best": 0.85}')
    (folder / "weights.bin").write_bytes(b"\0" * (EXTRA_FILE_BYTES + 5000))
    for k in range(3 * MAX_EXTRA_FILES):
        (deep / f"module{k:04d}.py").write_text("x = 1\n")
    (sub,) = find_submissions(tmp_path)
    assert len(sub.extra_files) == 3 * MAX_EXTRA_FILES + 2
    read = sub.read_extra_files()
    assert len(read) == MAX_EXTRA_FILES
    assert read["imdb_report.json"] == b'{"best": 0.85}'
    assert len(read["weights.bin"]) == EXTRA_FILE_BYTES


def test_the_incremental_key_covers_what_is_read_of_a_file_beside_the_notebook(tmp_path):
    """A change past the bytes grading reads (same size) keeps the key; one within them, or a
    new size, changes it."""
    from grader.discover import EXTRA_FILE_BYTES
    from grader.incremental import BatchKey, submission_key

    folder = tmp_path / "eve"
    folder.mkdir()
    (folder / "work.ipynb").write_text("{}")
    big = folder / "data.bin"
    big.write_bytes(b"a" * (2 * EXTRA_FILE_BYTES))
    batch = BatchKey(rubric="rubric", fixtures="fixtures", grader="grader")

    def key() -> str:
        (sub,) = find_submissions(tmp_path)
        return submission_key(sub, batch=batch)

    first = key()
    big.write_bytes(b"a" * (2 * EXTRA_FILE_BYTES - 1) + b"b")  # past what is read
    assert key() == first
    big.write_bytes(b"b" + b"a" * (2 * EXTRA_FILE_BYTES - 1))  # within it
    assert key() != first
    big.write_bytes(b"b" + b"a" * (2 * EXTRA_FILE_BYTES))  # a new size
    assert key() != first


def test_a_hidden_notebook_is_left_out_and_the_run_says_so(tmp_path):
    # Thirty-second session: `.bob.ipynb` (a name starting with a dot) was left out of the class
    # run without a word, as the checkpoints are; the run now names it, and report.html's notes
    # say it too. macOS's `._ada.ipynb` companions stay unsaid.
    from grader.commands import grade_class
    from grader.discover import hidden_entries_note
    from tests import notebooks as nbs

    root = tmp_path / "class"
    nbs.write(root / "ada.ipynb", nbs.course_notebook())
    nbs.write(root / ".bob.ipynb", nbs.course_notebook())
    (root / "._ada.ipynb").write_bytes(b"\0\5\26\7")
    (root / ".ipynb_checkpoints").mkdir()
    assert [s.id for s in find_submissions(root)] == ["ada"]
    note = hidden_entries_note(root)
    assert note is not None and note.startswith("Not graded: .bob.ipynb, whose name starts with a dot"), note
    assert "._ada" not in note
    assert hidden_entries_note(tmp_path / "class" / ".ipynb_checkpoints") is None
    import io

    stream = io.StringIO()
    grade_class(root, out_dir=tmp_path / "out", similarity=False, feedback_html=False, jobs=1, stream=stream)
    said = stream.getvalue()
    assert note in said, said
    assert ".bob.ipynb, whose name starts with a dot" in (tmp_path / "out" / "report.html").read_text("utf-8")


def test_a_folder_without_submissions_says_what_it_holds(tmp_path):
    # Thirty-second session: a folder of PDFs, or of a hidden notebook alone, said only "no
    # submissions found (expected .ipynb or .py files ...)".
    root = tmp_path / "class"
    root.mkdir()
    for name in ("a.pdf", "b.html", ".bob.ipynb"):
        (root / name).write_text("x")
    with pytest.raises(DiscoveryError) as raised:
        find_submissions(root)
    said = str(raised.value)
    assert "no submissions found" in said and "; it holds a.pdf, b.html." in said, said
    assert "Not graded: .bob.ipynb, whose name starts with a dot" in said, said


def test_files_beside_the_notebooks_that_are_no_submission_are_named(tmp_path):
    # Thirty-second session: a student who uploaded carl.html (the notebook's page) or
    # erin.ipynb.txt was in no file of the run, without a word; a platform's download names its
    # files, which are gathered per student as before.
    import io

    from grader.commands import grade_class
    from grader.discover import other_files_note
    from tests import notebooks as nbs

    root = tmp_path / "class"
    nbs.write(root / "ada.ipynb", nbs.course_notebook())
    for name in ("carl.html", "erin.ipynb.txt", "smithjane_12345_678_rnn.html", ".DS_Store"):
        (root / name).write_text("<html>")
    (root / "bob").mkdir()
    note = other_files_note(root)
    assert note == ("Not graded, not a notebook: carl.html, erin.ipynb.txt (a file beside the students' "
                    "notebooks is graded when it is a .ipynb, .py or .zip; a student's other files go in "
                    "a folder of theirs with the notebook)"), note
    stream = io.StringIO()
    grade_class(root, out_dir=tmp_path / "out", similarity=False, feedback_html=False, jobs=1, stream=stream)
    assert note in stream.getvalue()
    assert "carl.html, erin.ipynb.txt" in (tmp_path / "out" / "report.html").read_text("utf-8")


def test_every_name_a_class_run_writes_in_its_output_folder_is_reserved():
    """Thirty-fourth session (hostile): ``RESERVED_IDS`` held the first three class files only. A
    student's notebook named ``previous-grades.csv.ipynb`` or ``GRADING-NOT-FINISHED.txt.ipynb``
    (``grader.unfinished``: the last finished run's files set aside while a run grades, the note
    of a run under way) took that name for its folder and the class run stopped with
    IsADirectoryError / NotADirectoryError, no gradebook for anyone; ``score-changes.csv``, the
    upload files and the summary report likewise once the run writes them."""
    from grader.classreport import REPORT_NAME, SUMMARY_NAME
    from grader.classfiles import CLASS_FILES, GRADEBOOK, SIMILARITY_CSV
    from grader.discover import RESERVED_IDS
    from grader.report import SCORE_CHANGES
    from grader.unfinished import UNFINISHED_NOTE, previous
    from grader.upload import UPLOAD_FILES

    assert set(CLASS_FILES) == {GRADEBOOK, SCORE_CHANGES, *UPLOAD_FILES, REPORT_NAME, SIMILARITY_CSV, SUMMARY_NAME}
    written = {*CLASS_FILES, *(previous(Path("out"), name).name for name in CLASS_FILES), UNFINISHED_NOTE}
    assert written <= RESERVED_IDS, written - RESERVED_IDS


@pytest.mark.parametrize("name", ["previous-grades.csv", "GRADING-NOT-FINISHED.txt", "score-changes.csv"])
def test_a_notebook_named_like_a_file_of_a_run_under_way_is_graded_and_the_run_ends(tmp_path, name):
    import io
    import json

    from grader import commands
    from grader import classfiles
    from tests import notebooks as nbs

    subs, out = tmp_path / "subs", tmp_path / "out"
    nbs.write(subs / f"{name}.ipynb", nbs.course_notebook())
    wrong = nbs.course_notebook(nbs.mutate("rnn_cell_forward", "+ ba)", ")"))
    for notebook in (nbs.course_notebook(), wrong):  # the second run changes bob's score
        nbs.write(subs / "bob.ipynb", notebook)
        summary = commands.grade_class(subs, out_dir=out, jobs=1, similarity=False, feedback_html=False,
                                       stream=io.StringIO(), progress_bar=False)
        assert summary.graded == 2
    assert (out / "grades.csv").is_file() and not (out / classfiles.GRADEBOOK).is_dir()
    assert json.loads((out / f"{name}~ipynb" / "result.full.json").read_text())["status"] == "graded"
    assert (out / "score-changes.csv").is_file() and not (out / "GRADING-NOT-FINISHED.txt").exists()


def test_a_name_whose_id_is_too_long_for_a_folder_is_graded_and_the_run_ends(tmp_path):
    """Thirty-fourth session (hostile): an id is the name written out readably (``readable_id``:
    a bidi override, 3 bytes of a file name, is 6 characters ``\\u202e``; an ESC 4). A notebook
    named with 80 overrides (240 bytes, a name any file system takes) had the id of 480 characters,
    over the 255 bytes a folder's name may have: writing ``OUT/<id>/`` raised ENAMETOOLONG in the
    worker and the class run stopped, no gradebook for anyone. Such an id is cut, a digest of the
    whole name keeping two of them apart."""
    import io
    import json

    from grader import commands
    from tests import notebooks as nbs

    subs, out = tmp_path / "subs", tmp_path / "out"
    names = ("\u202e" * 80, "\u202e" * 79 + "x", "\x1b" * 240)
    for name in names:
        nbs.write(subs / f"{name}.ipynb", nbs.course_notebook())
    found = find_submissions(subs)
    assert len({sub.id for sub in found}) == 3
    assert all(len(sub.id.encode()) <= 200 and sub.id.isprintable() for sub in found), [sub.id for sub in found]
    # readable_id's escapes, their backslash written _ (a FAT stick or a Windows share refuses it)
    assert all(sub.id.startswith(("_u202e" * 10, "_x1b" * 10)) for sub in found)
    summary = commands.grade_class(subs, out_dir=out, jobs=2, similarity=False, feedback_html=False,
                                   stream=io.StringIO(), progress_bar=False)
    assert summary.graded == 3 and not summary.harness_failures
    assert all(json.loads((out / sub.id / "result.full.json").read_text())["status"] == "graded" for sub in found)


@pytest.mark.parametrize("name, sid, late", [
    ("carol.zip", "carol", False),  # its notebook's name (alice.ipynb) chooses no row
    ("smithjane_LATE_12345_67890_work.zip", "smithjane_12345", True),  # a Canvas upload: that student's id
    ("grades.csv.zip", "grades.csv~zip", False),  # a class file's name is never an id
])
def test_one_students_zip_given_alone_is_one_submission_of_the_zips_name(tmp_path, name, sid, late):
    """Thirty-eighth session (hostile): a zip given alone (a late zip, ``grader.classrun``) with
    ``defer`` is one student's, as at the top of a folder, unpacked at their turn; each notebook
    in it was a row of its own name, carol's zip holding alice.ipynb graded as alice."""
    import zipfile

    path = tmp_path / name
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("alice.ipynb", "{}")
        archive.writestr("bob.ipynb", "{}")
    (sub,) = find_submissions(path, defer=True)
    assert (sub.id, sub.late, sub.path) == (sid, late, path) and list(sub.packed.values()) == [path]
    with pytest.raises(DiscoveryError):  # without unpacking, a zip is no notebook, as before
        find_submissions(path)
