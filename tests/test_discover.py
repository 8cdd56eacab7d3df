"""Finding submissions: files, folders of one notebook, problems reported per submission."""
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
