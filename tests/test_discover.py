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
