"""What an instructor following docs/instructors.md is told about an input the grader cannot
use: a bulk download named .zip that is not one (cut short), and a ``--known`` that is no
folder, zip or notebook. Both stop the run with exit status 2 and a sentence that names the
zip and what to do, before anything is graded."""
from __future__ import annotations

import zipfile

import pytest

import grade
from grader import classsources
from grader import exits
from tests import notebooks as nbs


@pytest.fixture(autouse=True)
def steady_grader(monkeypatch):
    """Edits to grader/ by others during a test must not make the keys stale (see test_batch)."""
    monkeypatch.setattr("grader.incremental.grader_digest", lambda *a, **k: "pinned")


def cut_short_zip(tmp_path, name: str = "submissions.zip"):
    """A Canvas-style zip of one notebook, cut after its first 300 bytes."""
    whole = tmp_path / "whole.zip"
    notebook = nbs.write(tmp_path / "made" / "smithjane_12345_67890_rnn.ipynb", nbs.course_notebook())
    with zipfile.ZipFile(whole, "w") as archive:
        archive.write(notebook, notebook.name)
    cut = tmp_path / name
    cut.write_bytes(whole.read_bytes()[:300])
    return cut


def test_a_class_zip_cut_short_is_named_as_a_zip_to_download_again(tmp_path, capsys):
    cut = cut_short_zip(tmp_path)
    code = grade.main([str(cut), "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == exits.EXIT_USAGE
    assert f"{cut}: not a zip that can be read" in err
    assert "download it again" in err
    assert "not a notebook" not in err


def test_a_known_zip_cut_short_stops_the_run_before_grading(tmp_path, capsys):
    nbs.write(tmp_path / "subs" / "alice.ipynb", nbs.course_notebook())
    cut = cut_short_zip(tmp_path, "known.zip")
    out = tmp_path / "out"
    code = grade.main([str(tmp_path / "subs"), "--out", str(out), "--known", str(cut), "--jobs", "1"])
    err = capsys.readouterr().err
    assert code == exits.EXIT_USAGE
    assert f"{cut}: not a zip that can be read" in err
    assert not (out / "alice").exists()  # said before grading, not after it


def test_a_known_file_that_is_no_solution_is_refused_before_grading(tmp_path, capsys):
    nbs.write(tmp_path / "subs" / "alice.ipynb", nbs.course_notebook())
    notes = tmp_path / "solutions.txt"
    notes.write_text("links to last year's solutions\n", encoding="utf-8")
    out = tmp_path / "out"
    code = grade.main([str(tmp_path / "subs"), "--out", str(out), "--known", str(notes), "--jobs", "1"])
    err = capsys.readouterr().err
    assert code == exits.EXIT_USAGE
    assert f"{notes}: not a folder, a zip or a notebook (.ipynb, .py) of known solutions" in err
    assert not (out / "alice").exists()


def test_known_inputs_that_can_be_used_pass(tmp_path):
    notebook = nbs.write(tmp_path / "known" / "old.ipynb", nbs.course_notebook())
    with zipfile.ZipFile(tmp_path / "known.zip", "w") as archive:
        archive.write(notebook, notebook.name)
    assert classsources.known_problem(tmp_path / "known") is None
    assert classsources.known_problem(notebook) is None
    assert classsources.known_problem(tmp_path / "known.zip") is None
    assert classsources.known_problem(tmp_path / "none") == f"{tmp_path / 'none'}: no such folder of known solutions"


def test_an_empty_known_folder_is_refused_before_grading_and_an_unreadable_solution_is_named(tmp_path, capsys):
    # Thirty-second session: an empty --known folder stopped the run after grading, saying "no
    # submissions found"; a known "notebook" that was a web page was left out of the comparison
    # without a word.
    nbs.write(tmp_path / "subs" / "a.ipynb", nbs.course_notebook())
    (tmp_path / "empty").mkdir()
    out = tmp_path / "out"
    code = grade.main([str(tmp_path / "subs"), "--out", str(out), "--known", str(tmp_path / "empty"), "--jobs", "1"])
    assert code == exits.EXIT_USAGE and not (out / "a").exists()
    assert f"{tmp_path / 'empty'}: holds no notebook (.ipynb, .py) of known solutions" in capsys.readouterr().err
    nbs.write(tmp_path / "known" / "old.ipynb", nbs.course_notebook())
    (tmp_path / "known" / "page.ipynb").write_text("<!DOCTYPE html><html><body>rnn</body></html>")
    code = grade.main([str(tmp_path / "subs"), "--out", str(out), "--known", str(tmp_path / "known"), "--jobs", "1"])
    assert code == exits.EXIT_OK
    said = capsys.readouterr()
    assert (f"Known solutions not compared (1 of 2 in {tmp_path / 'known'}: no graded function could be read "
            f"from them): page") in said.out + said.err
