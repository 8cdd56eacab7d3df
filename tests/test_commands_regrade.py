"""grader.commands over a TA's term (thirty-first session): one notebook graded again into the
class's output folder (a regrade request, a late resubmission) updates its row of the class's
gradebook and keeps everyone else's, or refuses before grading; the scores that changed are
said; what the grader reads of a TA's files (roster ids, points by hand, an earlier gradebook)
with a decimal comma; the class report on paper and without names."""
from __future__ import annotations

import csv
import json
import re
import shutil
import zipfile
from pathlib import Path

import pytest

from grader import classrun
from grader import classfiles
from grader import classsummary
from grader import exits
from grader import protectedpaths
from grader.incremental import KEY_FILE
from grader.report import gradebook_scores, gradebook_submissions
from tests import notebooks as nbs
from tests.test_commands_roster import grade as quick_class_run, rows

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def steady_grader(monkeypatch):
    """Edits to grader/ by others during a test must not make the keys stale (see test_batch)."""
    monkeypatch.setattr("grader.incremental.grader_digest", lambda *a, **k: "pinned")


WRONG_CELL = nbs.mutate("rnn_cell_forward", "+ ba)", ")")


def small_class(folder: Path) -> Path:
    """Three students: alice right, bob with a wrong RNN cell, carol right in another style."""
    nbs.write(folder / "alice.ipynb", nbs.course_notebook())
    nbs.write(folder / "bob.ipynb", nbs.course_notebook(WRONG_CELL))
    nbs.write(folder / "carol.ipynb", nbs.alt_notebook())
    return folder


def grade(subs: Path, out: Path, **options) -> tuple[classsummary.ClassSummary, str]:
    """A quick class run (one job, no pages; the similarity check unless told) and what it printed."""
    return quick_class_run(subs, out, **{"similarity": True, "progress_bar": False, **options})


def scores(out: Path) -> dict[str, str]:
    with open(out / "grades.csv", newline="", encoding="utf-8-sig") as handle:
        return {row["submission"]: row["score"] for row in csv.DictReader(handle)}


def test_one_notebook_graded_again_updates_its_row_and_keeps_the_class(tmp_path):
    """On main the gradebook then held bob alone (and a warning said so): a TA who uploads it
    after a regrade request gives everyone else nothing."""
    subs = small_class(tmp_path / "subs")
    out = tmp_path / "out"
    grade(subs, out, class_report=True)
    before = scores(out)
    assert before == {"alice": "100", "bob": "90", "carol": "100"}
    nbs.write(subs / "bob.ipynb", nbs.course_notebook())  # bob's corrected notebook
    summary, printed = grade(subs / "bob.ipynb", out, class_report=True)
    assert scores(out) == {"alice": "100", "bob": "100", "carol": "100"}
    assert summary.total == 3 and summary.earlier_kept == 2 and summary.graded == 3
    assert summary.former == ()  # no one is called gone
    assert "Not among this run's submissions" not in printed
    assert "its 2 other submission(s), as the earlier run graded them" in printed
    assert "new row" not in printed
    assert "Graded 3 of 3 (1 in this run, 2 kept from the earlier grades.csv)" in printed
    assert (f"1 score(s) differ from the earlier grades.csv: 1 gains (+10 points, +10% of 100). bob 90 -> 100 "
            f"(every one in {out / 'score-changes.csv'}, with percents of max_score, the largest loss first).\n") in printed
    page = (out / "report.html").read_text("utf-8")
    assert "<b>3</b>submissions" in page  # the class report counts the class, not bob alone


def test_similar_pairs_of_the_class_stay_after_one_notebook_is_graded_again(tmp_path):
    """On main similarity.csv was rewritten from the one notebook: the class's flagged pairs
    (evidence a TA had not read yet) were gone."""
    subs = small_class(tmp_path / "subs")
    shutil.copy(subs / "alice.ipynb", subs / "dora.ipynb")
    out = tmp_path / "out"
    first, _ = grade(subs, out)
    assert first.flagged_pairs == 1
    summary, _ = grade(subs / "bob.ipynb", out)
    assert summary.flagged_pairs == 1
    flagged = [row for row in csv.DictReader(open(out / "similarity.csv", encoding="utf-8"))
               if row["flagged"] == "1"]
    assert [(row["a"], row["b"]) for row in flagged] == [("alice", "dora")]


def test_a_late_resubmission_of_a_new_student_is_added(tmp_path):
    subs = small_class(tmp_path / "subs")
    out = tmp_path / "out"
    grade(subs, out, similarity=False)
    nbs.write(tmp_path / "late" / "zoe.ipynb", nbs.course_notebook(WRONG_CELL))
    _, printed = grade(tmp_path / "late" / "zoe.ipynb", out, similarity=False)
    assert "zoe was not in it and is a new row" in printed
    assert f"Kept in {out / 'grades.csv'}, report.html: its 3 other" in printed  # no similarity.csv here
    assert scores(out) == {"alice": "100", "bob": "90", "carol": "100", "zoe": "90"}


def test_a_withdrawn_students_folder_stays_out_of_the_merged_gradebook(tmp_path):
    """carol left: the class run after that leaves her out of grades.csv, and a regrade of bob
    must not bring her back from her folder."""
    subs = small_class(tmp_path / "subs")
    out = tmp_path / "out"
    grade(subs, out, similarity=False)
    (subs / "carol.ipynb").unlink()
    grade(subs, out, similarity=False)
    summary, printed = grade(subs / "bob.ipynb", out, similarity=False)
    assert scores(out) == {"alice": "100", "bob": "90"}
    assert summary.former == ("carol",)
    assert "Not among this run's submissions: carol" in printed


def _rubric_with_other_points(tmp_path: Path) -> Path:
    """A copy of rnn.yaml (with its fixtures) where the first case's points are 3, not 2.5:
    the fixtures are the same, the rubric is another."""
    folder = tmp_path / "rubric"
    shutil.copytree(ROOT / "rubrics" / "fixtures", folder / "fixtures",
                    ignore=shutil.ignore_patterns(".cache"))
    text = (ROOT / "rubrics" / "rnn.yaml").read_text("utf-8")
    assert text.count("T_x: 1}, points: 2.5}") >= 1
    (folder / "rnn.yaml").write_text(text.replace("T_x: 1}, points: 2.5}", "T_x: 1}, points: 3}", 1), "utf-8")
    return folder / "rnn.yaml"


def test_another_rubric_is_refused_before_grading_and_names_what_to_do(tmp_path):
    """The rubric changed a point value after the class was graded: a gradebook with bob under
    the new points and the others under the old ones would be wrong without a word."""
    subs = small_class(tmp_path / "subs")
    out = tmp_path / "out"
    grade(subs, out, similarity=False)
    book = (out / "grades.csv").read_bytes()
    bob_key = (out / "bob" / KEY_FILE).read_bytes()
    rubric = _rubric_with_other_points(tmp_path)
    with pytest.raises(exits.CommandError) as refused:
        grade(subs / "bob.ipynb", out, rubric=rubric, similarity=False)
    message = str(refused.value)
    assert f"{out / 'grades.csv'} cannot take bob.ipynb" in message
    assert "2 of its 2 other submission(s) were graded with another rubric or other fixtures" in message
    assert "alice, carol" in message
    # The folder remembers the class's SUBMISSIONS, which hold bob.ipynb: the command that grades the
    # class again is that one (thirty-seventh session: 'python3 grade.py SUBMISSIONS --out OUT, with
    # this notebook among the submissions', the placeholder to fill in)
    assert (f"python3 grade.py --out {out}: the submissions it was graded from, {subs.resolve()}, this "
            f"notebook among them") in message and "--out ANOTHER_FOLDER" in message, message
    assert (out / "grades.csv").read_bytes() == book  # nothing written, nothing graded
    elsewhere = tmp_path / "extensions" / "dan.ipynb"  # not in the remembered SUBMISSIONS
    elsewhere.parent.mkdir()
    shutil.copy(subs / "bob.ipynb", elsewhere)
    with pytest.raises(exits.CommandError) as refused:
        grade(elsewhere, out, rubric=rubric, similarity=False)
    assert f"python3 grade.py SUBMISSIONS --out {out}, with this notebook among the submissions" in str(refused.value)
    assert (out / "bob" / KEY_FILE).read_bytes() == bob_key
    # The whole class graded again with the new rubric: every row under it, and the run says why
    # it grades everyone again and which scores changed (on main: not a word of either).
    summary, printed = grade(subs, out, rubric=rubric, similarity=False)
    assert summary.skipped == 0 and scores(out)["alice"] == "100.5"
    assert f"Graded before in {out} with another rubric (3): graded again" in printed
    # bob's wrong cell fails the case whose points changed: his 90 points are a smaller share of 100.5
    said = (f"3 score(s) differ from the earlier grades.csv, in points or in percent of max_score, which changed "
            f"(100 -> 100.5): 2 gain (at most +0.5 points); in percent of max_score: 1 loses (-0.45 percentage "
            f"points). bob 90/100 -> 90/100.5, alice 100/100 -> 100.5/100.5, carol 100/100 -> 100.5/100.5 (every one "
            f"in {out / 'score-changes.csv'}, with percents of max_score, the largest loss in percent of max_score first).")
    assert said in printed and summary.score_changes == said
    assert "alice 100/100 -&gt; 100.5/100.5" in (out / "report.html").read_text("utf-8")
    _, again = grade(subs, out, rubric=rubric, similarity=False)
    assert "Graded before" not in again and "differ from the earlier" not in again
    assert f"Removed {out / 'score-changes.csv'}: it was an earlier run's, and this run changed no score" in again


def test_a_rubric_edit_graded_into_a_copy_lists_what_each_student_gains_or_loses(tmp_path):
    """Before publishing a rubric edit, the instructor grades the class into a copy of the output
    folder: the run's last lines named ten changed scores ('and 590 more' in a class of 600) and
    nothing listed the others. score-changes.csv has every one, the largest loss first."""
    subs = small_class(tmp_path / "subs")
    nbs.write(subs / "dora.ipynb", nbs.course_notebook(WRONG_CELL))
    out = tmp_path / "out"
    grade(subs, out, similarity=False)
    published = (out / "grades.csv").read_bytes()
    preview = tmp_path / "preview"
    shutil.copytree(out, preview)
    rubric = _rubric_with_other_points(tmp_path)  # a hidden case of rnn_cell_forward: 2.5 -> 3
    (subs / "bob.ipynb").write_text("{ not json")  # bob's notebook lost meanwhile: 90 -> 0
    summary, printed = grade(subs, preview, rubric=rubric, similarity=False)
    with open(preview / "score-changes.csv", newline="", encoding="utf-8") as handle:
        table = list(csv.reader(handle))
    # In points and in percent of max_score, which the edit moved from 100 to 100.5: alice and carol
    # gain half a point and stay at 100% (thirty-fourth session: the points alone said a gain).
    # dora, whose points did not move, has a smaller share of the new total: a row of her own.
    assert table == [["submission", "before", "after", "change", "before_percent", "after_percent", "change_percent"],
                     ["bob", "90", "0", "-90", "90", "0", "-90"],
                     ["dora", "90", "90", "0", "90", "89.55", "-0.45"],
                     ["alice", "100", "100.5", "+0.5", "100", "100", "0"],
                     ["carol", "100", "100.5", "+0.5", "100", "100", "0"]]
    assert ("4 score(s) differ from the earlier grades.csv, in points or in percent of max_score, which changed "
            "(100 -> 100.5): 2 gain (at most +0.5 points), 1 loses (-90 points); in percent of max_score: 2 lose "
            "(at most -90 percentage points). bob 90/100 -> 0/100.5, dora 90/100 -> 90/100.5, alice 100/100 -> "
            f"100.5/100.5, carol 100/100 -> 100.5/100.5 (every one in {preview / 'score-changes.csv'}, with percents of "
            "max_score, the largest loss in percent of max_score first).") in printed
    assert (out / "grades.csv").read_bytes() == published and not (out / "score-changes.csv").exists()


def test_a_damaged_earlier_result_is_refused_by_name(tmp_path):
    subs = small_class(tmp_path / "subs")
    out = tmp_path / "out"
    grade(subs, out, similarity=False)
    (out / "carol" / "result.full.json").write_text("{}")
    with pytest.raises(exits.CommandError, match=r"incomplete or damaged in .* \(carol\)"):
        grade(subs / "bob.ipynb", out, similarity=False)


def test_a_file_of_a_canvas_download_regrades_that_students_row(tmp_path):
    """Graded alone, smithjane_LATE_12345_99_rnn.ipynb had the id of its whole stem, so the
    regrade of Jane's late resubmission was a new row beside her on-time one."""
    subs = tmp_path / "canvas"
    nbs.write(subs / "smithjane_12345_67890_rnn.ipynb", nbs.course_notebook(WRONG_CELL))
    nbs.write(subs / "doejohn_555_67891_rnn.ipynb", nbs.course_notebook())
    out = tmp_path / "out"
    grade(subs, out, similarity=False)
    assert scores(out) == {"doejohn_555": "100", "smithjane_12345": "90"}
    late = tmp_path / "late" / "smithjane_LATE_12345_99999_rnn.ipynb"
    nbs.write(late, nbs.course_notebook())
    grade(late, out, similarity=False)
    assert scores(out) == {"doejohn_555": "100", "smithjane_12345": "100"}


def test_the_gradebook_a_spreadsheet_saved_again_is_read(tmp_path):
    """Excel in a locale with a decimal comma saves grades.csv separated by ';', with its mark."""
    path = tmp_path / "grades.csv"
    path.write_bytes("\ufeffsubmission;score;max_score\n'=x;2,5;100\nJosé;0;100\n;0;100\n".encode("utf-8"))
    assert gradebook_submissions(path) == {"'=x", "José"}
    assert gradebook_scores(path) == {"'=x": (2.5, 100.0), "José": (0.0, 100.0)}
    path.write_text("submission,score,max_score\nada,\"2,5\",100\nbo,,100\n")  # a ',' file: no decimal comma
    assert gradebook_scores(path) == {"ada": (None, 100.0), "bo": (None, 100.0)}
    path.write_text("score\n1\n")
    assert gradebook_submissions(path) is None
    assert gradebook_submissions(tmp_path / "none.csv") is None


# --------------------------------------------------------------------------- numbers in a TA's roster
# The only numbers grade.py reads from a TA's file are the roster's ids (the rubric's numbers are
# YAML, whose decimal comma is refused with its line: tests/test_rubric_messages.py).


def _roster(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "class.csv"
    path.write_bytes(text.encode("utf-8"))
    return path


def test_an_id_column_formatted_with_decimals_matches_the_canvas_number(tmp_path):
    """Excel with a decimal comma writes a number-formatted id column as 12345,00 in a file
    separated by ';': on main Jane was 'no submission' (0 points) and her graded notebook 'not
    on the roster'."""
    from grader.discover import load_roster

    subs = tmp_path / "canvas"
    nbs.write(subs / "smithjane_12345_67890_rnn.ipynb", nbs.course_notebook())
    roster = _roster(tmp_path, "Student;ID;SIS User ID\nSmith, Jane;12345,00;s1\nDoe, John;555,00;s2\n")
    out = tmp_path / "out"
    summary, _ = grade(subs, out, roster=roster, similarity=False)
    table = [(row["student_id"], row["submission"], row["score"], row["status"])
                 for row in rows(out)]
    assert table == [("12345", "smithjane_12345", "100", "graded"), ("555", "", "0", "no submission")]
    assert summary.not_on_roster == ()
    # A comma-separated file's decimal point; a ';' file's point groups thousands (kept).
    assert [s.id for s in load_roster(_roster(tmp_path, "id,name\n12345.0,Jane\n7.00,Bo\n")).students] == ["12345", "7"]
    assert [s.id for s in load_roster(_roster(tmp_path, "id;name\n12.000;Jane\n")).students] == ["12.000"]
    # Not every id a number with zero decimals: the ids are as written.
    assert [s.id for s in load_roster(_roster(tmp_path, "id;name\n12345,00;Jane\nab,00;Bo\n")).students] == [
        "12345,00", "ab,00"]
    # A comma in a comma-separated file's (quoted) id is not a decimal comma.
    assert [s.id for s in load_roster(_roster(tmp_path, 'id,name\n"12345,00",Jane\n')).students] == ["12345,00"]


def test_ids_a_spreadsheet_changed_are_matched_where_only_one_submission_can_be_theirs(tmp_path):
    """Excel drops an id's leading zeros (0012345 -> 12345) and shows a long number in scientific
    notation (1.23457E+11); until the thirty-second session the first was 'no submission' (0) with
    the notebook 'not on the roster', and the second stopped the run. Matched now when one
    submission's number alone can be the id, and said; a date is named."""
    subs = tmp_path / "subs"
    nbs.write(subs / "0012345.ipynb", nbs.course_notebook())
    nbs.write(subs / "smithjane_123456789012_555_rnn.ipynb", nbs.course_notebook(WRONG_CELL))
    roster = _roster(tmp_path, "id;name\n12345;Ada\n1,23457E+11;Jane\n12-Mar;Bo\n")
    out = tmp_path / "out"
    summary, printed = grade(subs, out, roster=roster, similarity=False)
    table = [(r["student_id"], r["submission"], r["score"], r["status"]) for r in rows(out)]
    assert table == [("12345", "0012345", "100", "graded"),
                     ("1,23457E+11", "smithjane_123456789012", "90", "graded"),
                     ("12-Mar", "", "0", "no submission")]
    assert summary.not_on_roster == () and summary.no_submission == ("12-Mar",)
    assert ("Roster ids a spreadsheet changed, each matched to the one submission whose number they "
            "can be: 12345 (line 2, leading zeros dropped) is 0012345; 1,23457E+11 (line 3, scientific "
            "notation) is smithjane_123456789012. ") in printed.replace("\n", " ")
    assert "; roster ids that read as dates (a spreadsheet makes one of an id such as 3-12)" in printed
    assert "12-Mar (class.csv:4)" in printed


def test_a_changed_id_two_submissions_can_be_is_not_matched(tmp_path):
    """12345 may be 012345 or 0012345: neither is taken; 1.2E+08 may be either of two numbers:
    the run stops before grading with the roster's line and the fix, as it did for every id in
    scientific notation."""
    subs = tmp_path / "subs"
    nbs.write(subs / "012345.ipynb", nbs.course_notebook())
    nbs.write(subs / "0012345.ipynb", nbs.course_notebook())
    summary, _ = grade(subs, tmp_path / "out", roster=_roster(tmp_path, "id\n12345\n"), similarity=False)
    assert summary.not_on_roster == ("0012345", "012345") and summary.no_submission == ("12345",)
    nbs.write(subs / "120000001.ipynb", nbs.course_notebook())
    nbs.write(subs / "120000002.ipynb", nbs.course_notebook())
    for written in ("1.2E+08", "9.9e+09"):  # two agree; none agrees
        with pytest.raises(exits.CommandError, match=rf"class.csv:2: the id '{re.escape(written)}' is a "
                                                        r"number in scientific notation.*format the column "
                                                        r"'id' as Text"):
            grade(subs, tmp_path / "out2", roster=_roster(tmp_path, f"id\n{written}\n"), similarity=False)
        assert not (tmp_path / "out2" / "120000001").exists()


def test_an_on_time_and_a_late_upload_of_one_name_are_both_named_none_graded(tmp_path):
    """Two Canvas downloads in one folder (the on-time one, then the late resubmissions): on main
    Jane's on-time notebook, first in name order, was graded (90) and her late one left out
    without a word."""
    from grader.discover import SEVERAL_NOTEBOOKS

    subs = tmp_path / "canvas"
    nbs.write(subs / "smithjane_12345_111_rnn.ipynb", nbs.course_notebook(WRONG_CELL))
    nbs.write(subs / "smithjane_LATE_12345_222_rnn.ipynb", nbs.course_notebook())
    nbs.write(subs / "smithjane_12345_111_imdb_report.json", {"best_test_accuracy": 0.5})
    nbs.write(subs / "smithjane_LATE_12345_222_imdb_report.json", {"best_test_accuracy": 0.9})
    nbs.write(subs / "doejohn_555_333_rnn.ipynb", nbs.course_notebook())
    out = tmp_path / "out"
    summary, printed = grade(subs, out, similarity=False)
    assert scores(out) == {"doejohn_555": "100", "smithjane_12345": "0"}
    assert summary.several_notebooks == ("smithjane_12345",)
    feedback = (out / "smithjane_12345" / "feedback.md").read_text("utf-8")
    assert ("2 notebooks (smithjane_12345_111_rnn.ipynb, smithjane_LATE_12345_222_rnn.ipynb)"
            in feedback) and SEVERAL_NOTEBOOKS in feedback
    (subs / "smithjane_12345_111_rnn.ipynb").unlink()  # the TA keeps the one to grade
    grade(subs, out, similarity=False)
    assert scores(out)["smithjane_12345"] == "100"


# --------------------------------------------------------------------------- the class report on paper

WIDTH_PROBE = """<script>
window.addEventListener('load', function () {
  var out = document.createElement('pre');
  out.id = 'probe';
  out.textContent = 'WIDTH ' + document.documentElement.scrollWidth + ' ' + document.documentElement.clientWidth;
  document.body.appendChild(out);
});
</script>"""


def test_the_class_report_fits_a_printed_page(tmp_path):
    """An instructor prints report.html to PDF (A4 or Letter: about 720 CSS pixels of width): on
    main the parts table (13 columns) was wider than that and its right columns (crashed, not
    run, grader error) were cut off the page. A window of that width lays the page out as print."""
    from tests.pages import run_chromium

    subs = small_class(tmp_path / "subs")
    out = tmp_path / "out"
    grade(subs, out)
    page = (out / "report.html").read_text("utf-8")
    page = re.sub(r'<meta[^>]*Content-Security-Policy[^>]*>', "", page).replace("</body>", WIDTH_PROBE + "</body>")
    probed = tmp_path / "probed.html"
    probed.write_text(page, "utf-8")
    done = run_chromium(probed, tmp_path, "--dump-dom", "--window-size=720,1000")
    found = re.search(r'<pre id="probe">WIDTH (\d+) (\d+)</pre>', done.stdout)
    assert found, done.stderr[-2000:]
    scroll, client = int(found[1]), int(found[2])
    assert 600 < client <= 720 and scroll <= client, (scroll, client)
    assert "@media print" in page


def test_a_student_of_a_folder_of_folders_is_graded_again_alone(tmp_path):
    """alice/rnn.ipynb graded alone had the id 'rnn' (a row beside alice's unchanged one, without
    alice/'s other files), and alice/ a class of its own; both were refused until the thirty-second
    session, and the only regrade was a run of the whole class folder. Now either grades alice as
    the class run does, her imdb_report.json with her, and keeps the class."""
    subs = tmp_path / "subs"
    nbs.write(subs / "alice" / "rnn.ipynb", nbs.course_notebook(WRONG_CELL))
    (subs / "alice" / "imdb_report.json").write_text("{}", "utf-8")
    nbs.write(subs / "carol" / "rnn.ipynb", nbs.alt_notebook())
    out = tmp_path / "out"
    grade(subs, out, similarity=False)
    assert scores(out) == {"alice": "90", "carol": "100"}
    nbs.write(subs / "alice" / "rnn.ipynb", nbs.course_notebook())
    for given in (subs / "alice" / "rnn.ipynb", subs / "alice"):
        summary, printed = grade(given, out, similarity=False, force=True)
        assert scores(out) == {"alice": "100", "carol": "100"} and not (out / "rnn").exists()
        assert summary.total == 2 and summary.earlier_kept == 1 and summary.former == ()
        assert f"Grading alice as the class run does: their folder {subs / 'alice'}" in printed
        assert "its 1 other submission(s), as the earlier run graded them" in printed
    full = (out / "alice" / "result.full.json").read_text("utf-8")
    assert "imdb_report.json" in full  # her other file was read with her notebook
    summary, _ = grade(subs, out, similarity=False)  # the class run's key: nothing to grade
    assert summary.skipped == 2 and scores(out) == {"alice": "100", "carol": "100"}


def test_a_student_graded_again_alone_has_the_class_folder_hidden_from_their_code(tmp_path, monkeypatch):
    """Graded from alice/, the children's hidden paths would hold alice/ and not the class's other
    folders (carol's work open to alice's code where Landlock is absent): the class folder is
    hidden, as in the class run."""
    subs = tmp_path / "subs"
    nbs.write(subs / "alice" / "rnn.ipynb", nbs.course_notebook())
    nbs.write(subs / "carol" / "rnn.ipynb", nbs.alt_notebook())
    out = tmp_path / "out"
    grade(subs, out, similarity=False)
    hidden = []
    real = protectedpaths.protected_paths
    monkeypatch.setattr(classrun, "protected_paths",
                        lambda root, **kw: hidden.append(Path(root)) or real(root, **kw))
    grade(subs / "alice", out, similarity=False, force=True)
    assert hidden and all(root.resolve() == subs.resolve() for root in hidden), hidden


def test_a_class_folder_named_as_a_student_is_still_the_class(tmp_path):
    """The folder given holds rows of the gradebook other than its own name's: it is the class."""
    subs = tmp_path / "alice"
    nbs.write(subs / "alice.ipynb", nbs.course_notebook())
    nbs.write(subs / "bob.ipynb", nbs.course_notebook(WRONG_CELL))
    out = tmp_path / "out"
    grade(subs, out, similarity=False)
    summary, printed = grade(subs, out, similarity=False)
    assert summary.skipped == 2 and "as the class run does" not in printed
    assert scores(out) == {"alice": "100", "bob": "90"}


def test_a_class_report_without_names_to_share(tmp_path, capsys):
    """The instructor shares the class's figures with colleagues: report.html names students in
    its harness, unreadable, roster, IMDB and similar-code sections, and there was no copy
    without them."""
    from grader import classreport

    subs = tmp_path / "subs"
    nbs.write(subs / "qxalice.ipynb", nbs.course_notebook())
    nbs.write(subs / "qxdora.ipynb", nbs.course_notebook())  # a pair the check flags
    nbs.write(subs / "qxbob.ipynb", nbs.course_notebook(WRONG_CELL))
    (subs / "qxeve.ipynb").write_text("{ not json")  # unreadable
    out = tmp_path / "out"
    grade(subs, out)
    full = (out / "report.html").read_text("utf-8")
    assert all(name in full for name in ("qxalice", "qxdora", "qxeve"))
    assert classreport.main([str(out)]) == 0
    page = (out / classreport.SUMMARY_NAME).read_text("utf-8")
    assert "qx" not in page  # no student, nor their code
    assert "<b>4</b>submissions" in page and "<b>1</b>unreadable" in page
    assert 'id="parts"' in page and 'id="cases"' in page and 'id="similarity"' not in page
    assert "names no student" in page and "report-without-names.html" in capsys.readouterr().out
    assert classreport.main([str(tmp_path / "nothing")]) == 2
    assert classreport.SUMMARY_NAME == classfiles.SUMMARY_REPORT
    _, printed = grade(subs, out)  # a later run: the copy's figures may be stale
    assert not (out / classreport.SUMMARY_NAME).exists()
    assert f"Removed {out / classreport.SUMMARY_NAME}: it was an earlier run's" in printed


def test_with_the_roster_a_regrade_keeps_every_students_row_and_status(tmp_path):
    subs = small_class(tmp_path / "subs")
    (subs / "carol.ipynb").write_text("{ not json")  # unreadable
    roster = _roster(tmp_path, "id,name\nalice,Alice\nbob,Bob\ncarol,Carol\ncleo,Cléo\n")
    out = tmp_path / "out"
    grade(subs, out, roster=roster, similarity=False)
    nbs.write(subs / "bob.ipynb", nbs.course_notebook())
    summary, printed = grade(subs / "bob.ipynb", out, roster=roster, similarity=False)
    table = [(r["student_id"], r["submission"], r["score"], r["status"]) for r in rows(out)]
    assert table == [("alice", "alice", "100", "graded"), ("bob", "bob", "100", "graded"),
                     ("carol", "carol", "0", "unreadable"), ("cleo", "", "0", "no submission")]
    assert summary.no_submission == ("cleo",) and "not in this run" not in printed


def test_a_notebook_of_a_moodle_students_folder_regrades_that_student(tmp_path):
    subs = tmp_path / "moodle"
    folder = subs / "Jane Smith_4242_assignsubmission_file_"
    nbs.write(folder / "rnn.ipynb", nbs.course_notebook(WRONG_CELL))
    nbs.write(subs / "Bo Li_77_assignsubmission_file_" / "rnn.ipynb", nbs.course_notebook())
    out = tmp_path / "out"
    grade(subs, out, similarity=False)
    assert scores(out) == {"Bo Li_77": "100", "Jane Smith_4242": "90"}
    nbs.write(folder / "rnn.ipynb", nbs.course_notebook())
    summary, printed = grade(folder / "rnn.ipynb", out, similarity=False)
    assert scores(out) == {"Bo Li_77": "100", "Jane Smith_4242": "100"}
    assert summary.earlier_kept == 1 and "Grading Jane Smith_4242 as the class run does" in printed


# --------------------------------------------------------------------------- a TA's points by hand


def test_points_by_hand_are_kept_by_every_run_given_them(tmp_path):
    """A regrade request granted by hand: written into grades.csv it was replaced by the next run
    without a word. In a file of the TA's own (';' and a decimal comma, as Excel writes it) it is
    applied by every run, and a run that drops it (``--no-adjust``: a run that names no file takes
    the folder's, test_classoptions) says what the gradebook lost."""
    subs = small_class(tmp_path / "subs")
    out = tmp_path / "out"
    adjust = _roster(tmp_path, "submission;points;reason\nbob;2,5;regrade request: the bias was right\n"
                               "bob;-0,5;late\ncarol;1;\n")
    summary, printed = grade(subs, out, adjust=adjust, similarity=False)
    table = [(r["submission"], r["score"], r["adjustment"], r["adjustment_reason"])
                 for r in rows(out)]
    assert table == [("alice", "100", "0", ""), ("bob", "92", "2", "regrade request: the bias was right; late"),
                     ("carol", "101", "1", "")]
    _, again = grade(subs, out, adjust=adjust, similarity=False)  # nothing changed: nothing said
    assert "differ" not in again
    _, without = grade(subs, out, similarity=False, adjust=False)
    assert scores(out)["bob"] == "90"
    assert ("2 score(s) differ from the earlier grades.csv: 2 lose (at most -2 points, -2% of 100). bob 92 -> 90, "
            "carol 101 -> 100 (every one") in without


def test_points_by_hand_are_in_the_students_feedback_with_the_reason(tmp_path):
    """Until the thirty-second session only grades.csv had them: bob read 90 and the grader's
    verdicts, never the TA's points nor why. Now his feedback.md, feedback.html and results.json
    say them, a later run with other points says those (nothing graded again), one without none."""
    import json

    subs = small_class(tmp_path / "subs")
    out = tmp_path / "out"
    adjust = _roster(tmp_path, "submission;points;reason\nbob;2,5;regrade request: <b>bias</b>\nbob;-0,5;late\n")
    grade(subs, out, adjust=adjust, similarity=False, feedback_html=True)
    said = ("**Points by hand: +2** (`regrade request: <b>bias</b>; late`), from your instructor: your "
            "score in the gradebook is **92 / 100** (the grader's 90, +2 by hand).")
    assert said in (out / "bob" / "feedback.md").read_text("utf-8")
    page = (out / "bob" / "feedback.html").read_text("utf-8")
    assert ("<b>Points by hand: +2</b> (regrade request: &lt;b&gt;bias&lt;/b&gt;; late), from your "
            "instructor: your score in the gradebook is <b>92 / 100</b>") in page
    results = json.loads((out / "bob" / "results.json").read_text("utf-8"))
    assert results["score"] == 92 and results["tests"][-1]["score"] == 2
    assert results["tests"][-1]["output"] == "regrade request: <b>bias</b>; late"
    assert "Points by hand" not in (out / "alice" / "feedback.md").read_text("utf-8")
    adjust.write_text("submission,points\nbob,-1\n", "utf-8")
    summary, _ = grade(subs, out, adjust=adjust, similarity=False, feedback_html=True)
    text = (out / "bob" / "feedback.md").read_text("utf-8")
    assert summary.skipped == 3 and text.count("Points by hand") == 1
    assert "**Points by hand: -1**, from your instructor: your score in the gradebook is **89 / 100**" in text
    assert json.loads((out / "bob" / "results.json").read_text("utf-8"))["score"] == 89
    summary, _ = grade(subs, out, similarity=False, feedback_html=True, adjust=False)  # dropped: none said
    assert summary.skipped == 3
    assert "Points by hand" not in (out / "bob" / "feedback.md").read_text("utf-8")
    assert "Points by hand" not in (out / "bob" / "feedback.html").read_text("utf-8")
    results = json.loads((out / "bob" / "results.json").read_text("utf-8"))
    assert results["score"] == 90 and "adjustment" not in results["extra_data"]
    assert all(test["name"] != "Points by hand" for test in results["tests"])
    summary, _ = grade(subs, out, similarity=False, feedback_html=True)  # the keys still hold
    assert summary.skipped == 3


@pytest.mark.parametrize("text, says", [
    ("id,points\nbob,1\n", "adjust.csv:1: the header line must name the columns 'submission' and 'points'"),
    ("submission,points\nbob,2,5\n", "adjust.csv:2: 3 fields where the header line has 2 (a decimal comma"),
    ("submission;points\nbob;two\n", "adjust.csv:2: points must be a number, not 'two'"),
    ("submission,points\n,1\n", "adjust.csv:2: no submission on this line"),
    ("submission,points\nbob,\"2,5\"\n", "adjust.csv:2: points must be a number, not '2,5'; write a decimal"),
])
def test_an_adjustments_file_that_cannot_be_used_is_named_with_its_line(tmp_path, text, says):
    from grader.adjustments import AdjustmentError, load_adjustments

    path = tmp_path / "adjust.csv"
    path.write_text(text, "utf-8")
    with pytest.raises(AdjustmentError) as refused:
        load_adjustments(path)
    assert says in str(refused.value)


def test_an_adjustment_for_no_submission_is_named(tmp_path):
    subs = small_class(tmp_path / "subs")
    adjust = _roster(tmp_path, "submission,points\nbobby,3\n")
    _, printed = grade(subs, tmp_path / "out", adjust=adjust, similarity=False)
    assert "for no submission of grades.csv, not applied" in printed and "bobby (line 2)" in printed
    assert scores(tmp_path / "out")["bob"] == "90"


def test_an_adjustment_whose_id_a_spreadsheet_changed_is_applied_where_unambiguous(tmp_path):
    """The TA's file kept in Excel lost 0012345's zeros: on main it was named 'for no submission',
    not applied. Applied now to the one submission it can be, and said; 777 may be 0777 or 00777:
    neither."""
    subs = small_class(tmp_path / "subs")
    nbs.write(subs / "0012345.ipynb", nbs.course_notebook(WRONG_CELL))
    nbs.write(subs / "0777.ipynb", nbs.course_notebook())
    nbs.write(subs / "00777.ipynb", nbs.course_notebook())
    adjust = _roster(tmp_path, "submission,points,reason\n12345,3,regrade\n777,1,\n")
    _, printed = grade(subs, tmp_path / "out", adjust=adjust, similarity=False)
    assert scores(tmp_path / "out")["0012345"] == "93"
    assert ("whose id a spreadsheet changed, each applied to the one submission it can be: 12345 (line 2, "
            "leading zeros dropped) is 0012345") in printed
    assert "for no submission of grades.csv, not applied" in printed and "777 (line 3)" in printed
    assert scores(tmp_path / "out")["0777"] == "100" and scores(tmp_path / "out")["00777"] == "100"


def test_a_regrade_with_a_roster_of_canvas_numbers_keeps_a_zipped_students_match(tmp_path):
    """The kept students are matched to the roster again: a student whose upload was a zip was
    graded from the grader's own unpacking folder, and must still be the roster's 340934."""
    import zipfile

    subs = tmp_path / "canvas"
    nbs.write(tmp_path / "rnn.ipynb", nbs.course_notebook())
    subs.mkdir()
    with zipfile.ZipFile(subs / "smithbob_340934_208490284_work.zip", "w") as archive:
        archive.write(tmp_path / "rnn.ipynb", "rnn.ipynb")
    nbs.write(subs / "doejohn_555_333_rnn.ipynb", nbs.course_notebook(WRONG_CELL))
    roster = _roster(tmp_path, "Student,ID\n\"Smith, Bob\",340934\n\"Doe, John\",555\n")
    out = tmp_path / "out"
    grade(subs, out, roster=roster, similarity=False)
    nbs.write(subs / "doejohn_555_333_rnn.ipynb", nbs.course_notebook())
    summary, _ = grade(subs / "doejohn_555_333_rnn.ipynb", out, roster=roster, similarity=False)
    table = [(r["student_id"], r["submission"], r["score"], r["status"]) for r in rows(out)]
    assert table == [("340934", "smithbob_340934", "100", "graded"), ("555", "doejohn_555", "100", "graded")]
    assert summary.no_submission == () and summary.not_on_roster == ()


# --------------------------------------------------------------------------- two runs at once


def test_a_second_run_into_a_folder_being_graded_is_refused_before_grading(tmp_path):
    """Two runs into one output folder (a regrade started while the class run goes on) each wrote
    grades.csv from what it had read: the last one's rows replaced the other's grades. The
    folder's lock, held by a live run, now stops the second before it reads or grades anything."""
    import fcntl
    import os

    from grader.outputlock import OUTPUT_LOCK

    subs = small_class(tmp_path / "subs")
    out = tmp_path / "out"
    grade(subs, out, similarity=False)
    assert (out / OUTPUT_LOCK).is_file()
    book = (out / "grades.csv").read_bytes()
    nbs.write(subs / "bob.ipynb", nbs.course_notebook())
    holder = os.open(out / OUTPUT_LOCK, os.O_RDWR)  # another run, alive
    try:
        fcntl.flock(holder, fcntl.LOCK_EX | fcntl.LOCK_NB)
        os.ftruncate(holder, 0)
        os.pwrite(holder, b"grade.py (process 4242, started 2026-11-29 08:00:00 UTC)", 0)
        with pytest.raises(exits.CommandError) as refused:
            grade(subs / "bob.ipynb", out, similarity=False)
        assert str(refused.value).startswith(
            f"{out}: grade.py (process 4242, started 2026-11-29 08:00:00 UTC) is grading into this "
            f"folder; wait for it to end, or give another --out")
        assert (out / "grades.csv").read_bytes() == book
    finally:
        os.close(holder)  # the other run ends (or dies: the kernel lets go of its lock)
    grade(subs / "bob.ipynb", out, similarity=False)
    assert scores(out) == {"alice": "100", "bob": "100", "carol": "100"}


def test_an_output_folder_around_the_submissions_gets_no_lock_among_them(tmp_path):
    from grader.outputlock import OUTPUT_LOCK

    subs = small_class(tmp_path / "subs")
    with pytest.raises(exits.CommandError, match="the output folder is the submissions folder"):
        grade(subs, subs, similarity=False)
    assert not (subs / OUTPUT_LOCK).exists()


def test_the_submissions_canvas_marked_late_are_named(tmp_path):
    """Canvas writes LATE in a late file's name and the id leaves it out: on main no file of the
    run said who was late, and a TA giving a late penalty (or an extension) opened the folder."""
    subs = tmp_path / "canvas"
    nbs.write(subs / "smithjane_LATE_12345_67890_rnn.ipynb", nbs.course_notebook())
    nbs.write(subs / "doejohn_555_333_rnn.ipynb", nbs.course_notebook())
    nbs.write(subs / "leebo_LATE_777_444_rnn.ipynb", nbs.course_notebook())
    out = tmp_path / "out"
    summary, printed = grade(subs, out, similarity=False, class_report=True)
    # Thirty-fourth session: it said "a late penalty ... is yours to give, with --adjust", and a
    # course whose Canvas applies a Late Policy to the scores uploaded took the penalty twice.
    said = ("Marked late by Canvas (LATE in a file's name; the id leaves it out): leebo_777, smithjane_12345. "
            "Graded as the others, without a penalty: a course with a Late Policy in Canvas (Gradebook "
            "settings) has Canvas take it off the score uploaded; without one, give it (or none, for an "
            "extension) with --adjust. Never both: the penalty would count twice")
    assert said in printed and summary.graded == 3
    assert "leebo_777, smithjane_12345" in (out / "report.html").read_text("utf-8")
    _, again = grade(subs / "smithjane_LATE_12345_67890_rnn.ipynb", out, similarity=False)
    assert "Marked late by Canvas (LATE in a file's name; the id leaves it out): smithjane_12345." in again


def test_one_notebook_graded_again_after_a_killed_run_keeps_the_class(tmp_path):
    """A run killed before its end leaves the last finished run's gradebook as previous-grades.csv
    (grader.unfinished); a regrade of one notebook then read no grades.csv and wrote a gradebook
    of that student alone. It reads previous-grades.csv, keeps the class, and finishes the job:
    score changes against it, both files and the note removed."""
    from grader.unfinished import UNFINISHED_NOTE, set_aside

    subs = small_class(tmp_path / "subs")
    out = tmp_path / "out"
    grade(subs, out, similarity=False)
    set_aside(out, names=("grades.csv", "report.html"))  # what a killed run leaves
    nbs.write(subs / "bob.ipynb", nbs.course_notebook())
    summary, printed = grade(subs / "bob.ipynb", out, similarity=False)
    assert scores(out) == {"alice": "100", "bob": "100", "carol": "100"}, printed
    assert summary.earlier_kept == 2
    assert f"The run before this one into {out} did not finish ({UNFINISHED_NOTE} was there)" in printed
    assert "1 score(s) differ from the earlier grades.csv: 1 gains (+10 points, +10% of 100). bob 90 -> 100" in printed
    assert not (out / "previous-grades.csv").exists() and not (out / UNFINISHED_NOTE).exists()


def test_a_student_whose_folder_name_is_cut_for_its_id_is_graded_again_alone(tmp_path):
    """Thirty-sixth session: an id over ``discover.MAX_ID_BYTES`` (200) is cut, a digest after it,
    but ``student_folder`` compared the gradebook's rows with the uncut name: such a student's
    folder regraded alone was not found among them and was graded as a class of its own (a row
    ``rnn``, the class's other rows set aside)."""
    from grader.discover import MAX_ID_BYTES

    long = "Zoë " * 45  # 225 bytes: a legal folder name, an id cut to 200
    subs = tmp_path / "subs"
    nbs.write(subs / long / "rnn.ipynb", nbs.course_notebook(WRONG_CELL))
    nbs.write(subs / "carol" / "rnn.ipynb", nbs.alt_notebook())
    out = tmp_path / "out"
    grade(subs, out, similarity=False)
    (cut,) = [sid for sid in scores(out) if sid != "carol"]
    assert len(cut.encode()) <= MAX_ID_BYTES < len(long.encode())
    nbs.write(subs / long / "rnn.ipynb", nbs.course_notebook())
    summary, printed = grade(subs / long, out, similarity=False, force=True)
    assert scores(out) == {cut: "100", "carol": "100"} and not (out / "rnn").exists(), scores(out)
    assert summary.earlier_kept == 1 and f"Grading {cut} as the class run does" in printed


def test_a_folder_an_earlier_grader_named_otherwise_is_this_run_s_student(tmp_path):
    """Thirty-sixth session: the thirty-fifth session's id rules write ``ada:1.ipynb``'s id
    ``ada_1`` (a name every file system takes), where an earlier grader wrote ``OUT/ada:1/`` and
    its row. In that output folder a run of her notebook alone kept the old folder's row beside the
    new one ("Graded 3 of 3" for a class of two, the student twice in the gradebook), and a class
    run told ``ada:1`` as a student no longer in the class, whose folder a TA is told to delete for
    a withdrawal. The old folder is now this run's student under its new id, and said so."""
    import shutil

    subs, out = tmp_path / "subs", tmp_path / "out"
    nbs.write(subs / "ada:1.ipynb", nbs.course_notebook(WRONG_CELL))
    nbs.write(subs / "bob.ipynb", nbs.alt_notebook())
    grade(subs, out, similarity=False)
    # The output folder as a grader before the thirty-fifth session left it.
    shutil.move(out / "ada_1", out / "ada:1")
    book = out / "grades.csv"
    book.write_text(book.read_text("utf-8-sig").replace("ada_1,", "ada:1,"), "utf-8")
    nbs.write(subs / "ada:1.ipynb", nbs.course_notebook())
    summary, printed = grade(subs / "ada:1.ipynb", out, similarity=False)
    assert [row["submission"] for row in rows(out)] == ["ada_1", "bob"], rows(out)
    assert summary.total == 2 and summary.earlier_kept == 1, summary
    said = "Graded before under the ids an earlier version of the grader gave them: ada:1 (now ada_1)."
    assert said in printed, printed
    summary, printed = grade(subs, out, similarity=False)
    assert summary.former == () and "Not among this run's submissions" not in printed, printed
    assert said in printed and scores(out) == {"ada_1": "100", "bob": "100"}


def test_an_extensions_notebook_graded_alone_is_graded_with_the_class_by_the_next_class_run(tmp_path):
    """On main the class run after it (a rubric fix, a late submission) left dan out of grades.csv
    ('Not among this run's submissions'; with a roster, 'not in this run' without a score): the
    TA who had graded his extension uploaded nothing for him."""
    subs = small_class(tmp_path / "subs")
    out = tmp_path / "out"
    grade(subs, out)
    nbs.write(tmp_path / "extensions" / "dan.ipynb", nbs.course_notebook(WRONG_CELL))
    grade(tmp_path / "extensions" / "dan.ipynb", out)
    assert scores(out) == {"alice": "100", "bob": "90", "carol": "100", "dan": "90"}
    summary, printed = grade(subs, out)  # the whole class again
    assert scores(out) == {"alice": "100", "bob": "90", "carol": "100", "dan": "90"}
    assert (f"Grading with the class the notebooks graded alone into {out} since (its grading-options.json): "
            f"{tmp_path / 'extensions' / 'dan.ipynb'}\n") in printed and summary.skipped == 4
    assert "Not among this run's submissions" not in printed
    similar = (out / classfiles.SIMILARITY_CSV).read_text("utf-8")
    assert "bob,dan" in similar.replace('"', "")  # compared with the class
    # Put into the class's folder later, his notebook there is graded, not the one beside it.
    shutil.move(tmp_path / "extensions" / "dan.ipynb", subs / "dan.ipynb")
    nbs.write(tmp_path / "extensions" / "dan.ipynb", nbs.course_notebook())
    _, printed = grade(subs, out)
    assert scores(out)["dan"] == "90" and "Grading with the class the notebooks graded alone" not in printed
    assert f"{tmp_path / 'extensions' / 'dan.ipynb'} (dan: {subs / 'dan.ipynb'} graded instead)" in printed
    assert json.loads((out / "grading-options.json").read_text())["late"] == []


def test_a_notebook_graded_alone_into_a_folder_of_no_class_run_is_not_taken_into_a_later_class(tmp_path):
    nbs.write(tmp_path / "trial" / "try.ipynb", nbs.course_notebook())
    out = tmp_path / "out"
    grade(tmp_path / "trial" / "try.ipynb", out)
    grade(small_class(tmp_path / "subs"), out)
    assert set(scores(out)) == {"alice", "bob", "carol"}


def _late_zip_graded(tmp_path: Path, student: str) -> tuple[Path, Path, Path, str]:
    """The small class graded, then late/<student>.zip (their notebook, a wrong RNN cell) graded
    into its folder: the class's folder, output folder, the zip and what the second run printed."""
    subs = small_class(tmp_path / "subs")
    out = tmp_path / "out"
    grade(subs, out)
    notebook = nbs.write(tmp_path / "mail" / f"{student}.ipynb", nbs.course_notebook(WRONG_CELL))
    late = tmp_path / "late" / f"{student}.zip"
    late.parent.mkdir(parents=True)
    with zipfile.ZipFile(late, "w") as archive:
        archive.write(notebook, notebook.name)
    _, printed = grade(late, out)
    return subs, out, late, printed


def test_one_students_late_zip_is_graded_into_the_class_not_as_a_class_of_its_own(tmp_path):
    """On main a zip of one student's late work graded into the class's folder was a class run
    of that zip: grades.csv held carol alone (alice and bob 'not among this run's submissions'),
    and the zip replaced the class's remembered SUBMISSIONS, so grade.py --out OUT graded carol
    alone again. Now it is her regrade: her row updated, the class kept, the sources kept."""
    subs, out, late, printed = _late_zip_graded(tmp_path, "carol")
    assert scores(out) == {"alice": "100", "bob": "90", "carol": "90"}
    assert f"Kept in {out / 'grades.csv'}, report.html and similarity.csv: its 2 other" in printed
    assert "Not among this run's submissions" not in printed
    remembered = json.loads((out / "grading-options.json").read_text())
    assert remembered["sources"] == [str(subs)] and remembered["late"] == [str(late)]
    summary, printed = grade(None, out)  # grade.py --out OUT: the class, not the zip alone
    # (her late zip still hers: the sources hold her on-time notebook unchanged, late_over)
    assert scores(out) == {"alice": "100", "bob": "90", "carol": "90"} and summary.total == 3


def test_a_late_zip_of_a_new_student_is_graded_with_the_class_by_the_next_class_run(tmp_path):
    subs, out, late, printed = _late_zip_graded(tmp_path, "dan")
    assert "dan was not in it and is a new row" in printed
    # Unpacked at dan's turn (one student's limits), not by the grading process: no "Extracted 1 file(s)
    # from dan.zip" as for a class's download (checked in the thirty-eighth session: none is printed).
    assert "Extracted" not in printed and "Zips were found among the files of 1 submission(s) (dan)" in printed
    assert scores(out) == {"alice": "100", "bob": "90", "carol": "100", "dan": "90"}
    summary, printed = grade(subs, out)  # a rubric fix's class run: dan's zip is graded with it
    assert scores(out) == {"alice": "100", "bob": "90", "carol": "100", "dan": "90"}
    assert f"since (its grading-options.json): {late}\n" in printed, printed
    assert "Not among this run's submissions" not in printed and summary.total == 4
    assert "Extracted" not in printed, printed  # dan's zip, now one of the class's late ones, neither
    # dan was not graded by this run (his key unchanged): his zips are his feedback's news, not this run's
    assert summary.skipped == 4 and "Zips were found" not in printed, printed


def test_a_zip_of_the_class_given_again_is_still_a_class_run(tmp_path):
    """The control: the class's own zip (its remembered source) is graded as the class."""
    small_class(tmp_path / "subs")
    whole = tmp_path / "class.zip"
    with zipfile.ZipFile(whole, "w") as archive:
        for name in ("alice", "bob", "carol"):
            archive.write(tmp_path / "subs" / f"{name}.ipynb", f"{name}.ipynb")
    out = tmp_path / "out"
    grade(whole, out)
    (tmp_path / "subs" / "bob.ipynb").unlink()
    with zipfile.ZipFile(whole, "w") as archive:  # a new download: bob withdrew
        for name in ("alice", "carol"):
            archive.write(tmp_path / "subs" / f"{name}.ipynb", f"{name}.ipynb")
    summary, _ = grade(whole, out)
    assert scores(out) == {"alice": "100", "carol": "100"} and summary.former == ("bob",)


def _late_zip_holding(tmp_path: Path, members: dict[str, str]) -> tuple[Path, Path, str]:
    """The small class graded, then late/carol.zip holding ``members`` (a name each, a notebook's
    code) graded into its folder: the output folder, the zip and what the second run printed."""
    subs = small_class(tmp_path / "subs")
    out = tmp_path / "out"
    grade(subs, out)
    late = tmp_path / "late" / "carol.zip"
    late.parent.mkdir(parents=True)
    with zipfile.ZipFile(late, "w") as archive:
        for name, code in members.items():
            archive.writestr(name, json.dumps(nbs.course_notebook(WRONG_CELL)) if code == "wrong" else code)
    _, printed = grade(late, out)
    return out, late, printed


def test_a_late_zip_is_graded_as_its_student_whatever_its_notebook_is_named(tmp_path):
    """Thirty-eighth session (hostile): carol's late zip was extracted as a class's download, each
    notebook in it a row by its own name: carol.zip holding alice.ipynb (a wrong RNN cell) put
    carol's work in alice's row (alice 100 -> 90), and zed1..zed3 added three rows that every later
    class run kept. The zip is now carol's, as it would be in the class's folder: one submission,
    unpacked at her turn within one student's limits, its notebook graded whatever its name."""
    out, late, printed = _late_zip_holding(tmp_path, {"alice.ipynb": "wrong"})
    assert scores(out) == {"alice": "100", "bob": "90", "carol": "90"}, printed
    assert "alice 100 -> 90" not in printed and "carol 100 -> 90" in printed, printed
    feedback = (out / "carol" / "feedback.md").read_text(encoding="utf-8")
    assert "carol.zip" in feedback, feedback  # what came out of it, said as for the class's zips
    summary, printed = grade(None, out)  # the class run after: carol's late zip is carol's still
    assert scores(out) == {"alice": "100", "bob": "90", "carol": "90"} and summary.total == 3, printed


def test_a_late_zip_holding_several_students_notebooks_touches_no_other_row(tmp_path):
    """Thirty-eighth session (hostile): a late zip holding alice.ipynb and bob.ipynb rewrote both
    rows; it is carol's submission of several notebooks now, as a zip in the class's folder is:
    three of the same bytes are one notebook graded once (the copies named, ta's rule of the same
    session), three different ones refused, each named."""
    out, _, printed = _late_zip_holding(tmp_path, {"alice.ipynb": "wrong", "bob.ipynb": "wrong",
                                                   "zed1.ipynb": "wrong"})
    found = scores(out)
    assert set(found) == {"alice", "bob", "carol"}, printed
    assert found["alice"] == "100" and found["bob"] == "90" and found["carol"] == "90", printed
    feedback = (out / "carol" / "feedback.md").read_text(encoding="utf-8")
    assert ("carol.zip/alice.ipynb was graded, not carol.zip/bob.ipynb, carol.zip/zed1.ipynb: each the same "
            "file, byte for byte.") in feedback, feedback
    out, _, printed = _late_zip_holding(tmp_path / "different", {
        "alice.ipynb": "wrong", "bob.ipynb": json.dumps(nbs.course_notebook()),
        "zed1.ipynb": json.dumps(nbs.alt_notebook())})
    found = scores(out)
    assert set(found) == {"alice", "bob", "carol"}, printed
    assert found["alice"] == "100" and found["bob"] == "90", printed
    assert "3 notebooks" in (out / "carol" / "feedback.md").read_text(encoding="utf-8")


def test_a_students_second_late_submission_replaces_the_first_in_the_next_class_run(tmp_path):
    """Thirty-eighth session (hostile): dan's late notebook graded alone, then his late zip (a
    resubmission by mail), were both remembered, and the next class run graded dan twice ("Graded 5
    of 5" for four students), two workers writing OUT/dan/ at once, the row whichever came last.
    The later one is dan's now, and the earlier is no longer remembered."""
    subs = small_class(tmp_path / "subs")
    out = tmp_path / "out"
    grade(subs, out)
    first = nbs.write(tmp_path / "late" / "dan.ipynb", nbs.course_notebook())
    grade(first, out)
    notebook = nbs.write(tmp_path / "mail" / "dan.ipynb", nbs.course_notebook(WRONG_CELL))
    again = tmp_path / "late2" / "dan.zip"
    again.parent.mkdir()
    with zipfile.ZipFile(again, "w") as archive:
        archive.write(notebook, notebook.name)
    grade(again, out)
    assert scores(out)["dan"] == "90"
    summary, printed = grade(subs, out, force=True)
    assert summary.total == 4 and printed.count("] dan:") == 1, printed
    assert scores(out) == {"alice": "100", "bob": "90", "carol": "100", "dan": "90"}, printed
    assert json.loads((out / "grading-options.json").read_text())["late"] == [str(again)]


def test_a_students_zip_in_the_class_folder_graded_alone_is_their_regrade(tmp_path):
    """Thirty-eighth session (hostile): ``grade.py subs/dan.zip --out OUT`` (dan's zip in the class's
    folder, regraded after he mailed a fixed one) was a class run of that zip: grades.csv held one
    row 'rnn' (the notebook's name), alice, bob, carol and dan 'not among this run's submissions',
    and the zip replaced the class's remembered sources. It is dan's regrade now, as a student's
    folder or notebook is: his row updated, the class and its sources kept."""
    subs = small_class(tmp_path / "subs")
    notebook = nbs.write(tmp_path / "mail" / "rnn.ipynb", nbs.course_notebook(WRONG_CELL))
    with zipfile.ZipFile(subs / "dan.zip", "w") as archive:
        archive.write(notebook, "rnn.ipynb")
    out = tmp_path / "out"
    grade(subs, out)
    assert scores(out)["dan"] == "90"
    nbs.write(notebook, nbs.course_notebook())
    with zipfile.ZipFile(subs / "dan.zip", "w") as archive:
        archive.write(notebook, "rnn.ipynb")
    _, printed = grade(subs / "dan.zip", out)
    assert scores(out) == {"alice": "100", "bob": "90", "carol": "100", "dan": "100"}, printed
    remembered = json.loads((out / "grading-options.json").read_text())
    assert remembered["sources"] == [str(subs)] and remembered["late"] == [], remembered


def test_a_zip_in_a_students_folder_graded_alone_is_their_regrade(tmp_path):
    """The same for a folder of folders: ``grade.py subs/dan/work.zip`` grades dan as the class run
    does (his folder, the zip unpacked at his turn); it was a class run of the zip."""
    subs = small_class(tmp_path / "subs")
    notebook = nbs.write(tmp_path / "mail" / "rnn.ipynb", nbs.course_notebook(WRONG_CELL))
    (subs / "dan").mkdir()
    with zipfile.ZipFile(subs / "dan" / "work.zip", "w") as archive:
        archive.write(notebook, "rnn.ipynb")
    out = tmp_path / "out"
    grade(subs, out)
    nbs.write(notebook, nbs.course_notebook())
    with zipfile.ZipFile(subs / "dan" / "work.zip", "w") as archive:
        archive.write(notebook, "rnn.ipynb")
    _, printed = grade(subs / "dan" / "work.zip", out)
    assert scores(out) == {"alice": "100", "bob": "90", "carol": "100", "dan": "100"}, printed
    assert json.loads((out / "grading-options.json").read_text())["sources"] == [str(subs)]


@pytest.mark.parametrize("name", ["bob.ipynb", "bob.zip"])
def test_a_file_in_a_students_folder_named_as_a_classmate_regrades_the_folders_student(tmp_path, name):
    """Thirty-eighth session (hostile): in a folder of folders, alice's notebook named bob.ipynb
    (or her bob.zip), regraded by its path, was graded as bob: his row took alice's work (the
    check meant for a class's folder named as a student read the file's own id). A file in a
    student's folder is that student's."""
    subs = tmp_path / "subs"
    nbs.write(subs / "bob" / "rnn.ipynb", nbs.course_notebook())
    work = nbs.write(tmp_path / "mail" / "rnn.ipynb", nbs.course_notebook(WRONG_CELL))
    (subs / "alice").mkdir()
    if name.endswith(".zip"):
        with zipfile.ZipFile(subs / "alice" / name, "w") as archive:
            archive.write(work, "rnn.ipynb")
    else:
        shutil.copy(work, subs / "alice" / name)
    out = tmp_path / "out"
    grade(subs, out)
    assert scores(out) == {"alice": "90", "bob": "100"}
    _, printed = grade(subs / "alice" / name, out)
    assert scores(out) == {"alice": "90", "bob": "100"}, printed
    assert "Grading alice as the class run does" in printed, printed


def test_a_late_zip_of_one_canvas_students_files_says_whose_they_are(tmp_path):
    """Thirty-eighth session: a late zip is graded by its own name (a zip mailed by carol may carry a
    classmate's Canvas name); one whose files carry another student's Canvas id says so, and how to
    grade it as theirs."""
    subs = small_class(tmp_path / "subs")
    out = tmp_path / "out"
    grade(subs, out)
    late = tmp_path / "late" / "carol.zip"
    late.parent.mkdir()
    with zipfile.ZipFile(late, "w") as archive:
        archive.writestr("smithalice_111_222_rnn.ipynb", json.dumps(nbs.course_notebook(WRONG_CELL)))
    _, printed = grade(late, out)
    assert scores(out) == {"alice": "100", "bob": "90", "carol": "90"}, printed
    assert ("carol.zip holds the Canvas or Moodle files of smithalice_111: graded as carol, the zip's "
            "name; if they are smithalice_111's, name the zip smithalice_111.zip and grade it again") in printed, printed


def test_a_late_resubmission_the_class_run_does_not_grade_is_said(tmp_path):
    """On main a late resubmission graded alone into the class's folder (carol's, whose on-time
    notebook the class holds) gave way at the next class run (a rubric fix) to her on-time work
    without a line: her score went back, said only as a score change. The run now names the late
    notebook, the submission graded instead, and the command that makes the late one count."""
    subs = small_class(tmp_path / "subs")
    out = tmp_path / "out"
    grade(subs, out)
    late = nbs.write(tmp_path / "late" / "carol.ipynb", nbs.course_notebook(WRONG_CELL))
    grade(late, out)
    assert scores(out)["carol"] == "90"
    nbs.write(subs / "carol.ipynb", nbs.course_notebook())  # a newer download: her own notebook changed
    _, printed = grade(subs, out, force=True)
    assert scores(out)["carol"] == "100"
    said = (f"Not graded with the class, and no longer remembered by {out} (its grading-options.json): the "
            f"notebooks graded alone into it since whose students this run grades from another submission: {late} (carol: "
            f"{subs / 'carol.ipynb'} graded instead).")
    assert said in printed, printed
    assert f"grade.py {late} --out {out}): its row is updated, the class kept" in printed
    assert json.loads((out / "grading-options.json").read_text())["late"] == []
    _, printed = grade(subs, out)  # forgotten: said once
    assert "Not graded with the class" not in printed


def _zipped(path: Path, notebooks: dict[str, dict]) -> Path:
    """A zip at ``path`` holding ``notebooks`` (member name -> notebook), as a TA makes one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as archive:
        for name, notebook in notebooks.items():
            archive.writestr(name, json.dumps(notebook))
    return path


def test_one_students_late_zip_of_two_notebooks_is_one_row_the_choice_said(tmp_path):
    """On main dan.zip (his rnn.ipynb and an Untitled.ipynb) graded into the class's folder was two
    rows, 'rnn' (90) and 'Untitled' (0), and no 'dan': one student, one row now, the notebook
    holding the work graded and the other named, as for his zip in the class's folder. The next
    class run grades the zip with the class under the same row."""
    subs = small_class(tmp_path / "subs")
    out = tmp_path / "out"
    grade(subs, out)
    empty = nbs.notebook([nbs.code_cell("")])
    late = _zipped(tmp_path / "late" / "dan.zip", {"rnn.ipynb": nbs.course_notebook(WRONG_CELL),
                                                    "Untitled.ipynb": empty})
    _, printed = grade(late, out)
    assert scores(out) == {"alice": "100", "bob": "90", "carol": "100", "dan": "90"}, printed
    assert "dan was not in it and is a new row" in printed
    assert "dan (dan.zip/rnn.ipynb was graded, not dan.zip/Untitled.ipynb)" in printed, printed
    feedback = (out / "dan" / "feedback.md").read_text("utf-8")
    assert "dan.zip/rnn.ipynb was graded, not dan.zip/Untitled.ipynb" in feedback
    summary, printed = grade(subs, out, force=True)  # a rubric fix's class run
    assert scores(out) == {"alice": "100", "bob": "90", "carol": "100", "dan": "90"}, printed
    assert summary.former == ()


def test_a_late_zip_of_two_notebooks_both_graded_is_one_row_refused_naming_them(tmp_path):
    subs = small_class(tmp_path / "subs")
    out = tmp_path / "out"
    grade(subs, out)
    late = _zipped(tmp_path / "late" / "bob.zip", {"rnn.ipynb": nbs.course_notebook(),
                                                    "rnn_v2.ipynb": nbs.course_notebook(WRONG_CELL)})
    _, printed = grade(late, out)
    assert scores(out) == {"alice": "100", "bob": "0", "carol": "100"}, printed
    assert "Several notebooks in one submission, none graded (each one's feedback names them" in printed
    feedback = (out / "bob" / "feedback.md").read_text("utf-8")
    assert "bob.zip/rnn.ipynb and bob.zip/rnn_v2.ipynb both define graded functions" in feedback, feedback


def test_two_graders_folders_merged_keep_no_points_by_hand_unsaid(tmp_path):
    """Two graders, one class (docs/instructors.md): A graded alice and bob with a late penalty by
    hand for bob, B graded carol; B's folder copied over A's brings B's grading-options.json, without
    A's --adjust. On main the merged run's grades.csv lost bob's -10 without a word, while his
    feedback still said it and gave the score with it (80 there, 90 in the gradebook). Now the run
    names it and his files match the gradebook; run again with the file, it is back."""
    half_a = tmp_path / "half_a"
    nbs.write(half_a / "alice.ipynb", nbs.course_notebook())
    nbs.write(half_a / "bob.ipynb", nbs.course_notebook(WRONG_CELL))
    half_b = tmp_path / "half_b"
    nbs.write(half_b / "carol.ipynb", nbs.alt_notebook())
    adjust = _roster(tmp_path, "submission,points,reason\nbob,-10,late: 1 day\n")
    out_a, out_b = tmp_path / "outA", tmp_path / "outB"
    grade(half_a, out_a, adjust=adjust, similarity=False)
    grade(half_b, out_b, similarity=False)
    assert "**Points by hand: -10** (late: 1 day)" in (out_a / "bob" / "feedback.md").read_text("utf-8")
    shutil.copytree(out_b, out_a, dirs_exist_ok=True)  # cp -r outB/. outA/
    whole = tmp_path / "class"
    for half in (half_a, half_b):
        shutil.copytree(half, whole, dirs_exist_ok=True)
    summary, printed = grade(whole, out_a)
    assert summary.skipped == 3 and scores(out_a) == {"alice": "100", "bob": "90", "carol": "100"}
    assert ("Points by hand an earlier run gave, not in this run's grades.csv nor upload file, and removed from "
            "those students' feedback: bob (-10: late: 1 day). This run has no --adjust, given or remembered by "
            f"{out_a}") in printed, printed
    feedback = (out_a / "bob" / "feedback.md").read_text("utf-8")
    assert "Points by hand" not in feedback and "**Score: 90 / 100**" in feedback
    _, printed = grade(whole, out_a, adjust=adjust)
    assert scores(out_a)["bob"] == "80" and "Points by hand an earlier run gave" not in printed
    assert "**Points by hand: -10** (late: 1 day)" in (out_a / "bob" / "feedback.md").read_text("utf-8")
    _, printed = grade(whole, out_a, adjust=False)  # --no-adjust: the TA's choice, not said again
    assert scores(out_a)["bob"] == "90" and "Points by hand an earlier run gave" not in printed


def test_a_canvas_students_late_zip_alone_is_their_row(tmp_path):
    """Canvas's file of one student's zip (smithbob_340934_208490284_work.zip), graded alone into
    the class's folder: smithbob_340934's row, as in the class's download, not a row of its whole stem."""
    subs = tmp_path / "canvas"
    nbs.write(subs / "smithbob_340934_111_rnn.ipynb", nbs.course_notebook())
    nbs.write(subs / "lovelacea_340935_112_rnn.ipynb", nbs.course_notebook())
    out = tmp_path / "out"
    grade(subs, out)
    late = _zipped(tmp_path / "late" / "smithbob_340934_208490284_work.zip", {
        "rnn.ipynb": nbs.course_notebook(WRONG_CELL), "Untitled.ipynb": nbs.notebook([nbs.code_cell("")])})
    _, printed = grade(late, out)
    assert scores(out) == {"lovelacea_340935": "100", "smithbob_340934": "90"}, printed


def test_two_notebooks_of_one_student_graded_alone_count_once_the_later(tmp_path):
    """dan's extension graded alone twice, from two folders (l1/dan.ipynb, then his fix l2/dan.ipynb):
    on main the class run after took both as submissions, 'Grading 0 of 5' and 'Graded 5 of 5' for 4
    rows, dan's row whichever came last. The later one graded alone counts, the other is named."""
    subs = small_class(tmp_path / "subs")
    out = tmp_path / "out"
    grade(subs, out)
    first = nbs.write(tmp_path / "l1" / "dan.ipynb", nbs.course_notebook())
    second = nbs.write(tmp_path / "l2" / "dan.ipynb", nbs.course_notebook(WRONG_CELL))
    grade(first, out)
    grade(second, out)
    grade(first, out)  # graded again last: it counts
    assert scores(out)["dan"] == "100"
    remembered = json.loads((out / "grading-options.json").read_text())["late"]
    assert remembered == [str(second), str(first)]
    summary, printed = grade(subs, out)
    assert summary.total == 4 and scores(out)["dan"] == "100", printed
    assert f"{second} (dan: {first} graded instead)" in printed
    assert json.loads((out / "grading-options.json").read_text())["late"] == [str(first)]


def test_a_late_zip_of_two_platform_students_does_not_replace_the_class(tmp_path):
    """Thirty-eighth session (review): carol's late zip holding two classmates' Canvas names
    (smithalice_1_2_rnn.ipynb, smithbob_3_4_rnn.ipynb) was taken for the class's new download:
    graded alone into the class's folder, grades.csv held those two rows and no other, the five
    students 'not among this run's submissions', and the zip became the remembered source. A zip of
    fewer students than half the class's rows, given while the class's sources are still there, is
    refused before grading, saying what it holds and what to do; grades.csv and the sources stay."""
    subs = small_class(tmp_path / "subs")
    nbs.write(subs / "dan.ipynb", nbs.course_notebook())
    nbs.write(subs / "erin.ipynb", nbs.course_notebook())
    out = tmp_path / "out"
    grade(subs, out)
    before = (out / "grades.csv").read_bytes()
    late = _zipped(tmp_path / "late" / "carol.zip", {"smithalice_1_2_rnn.ipynb": nbs.course_notebook(WRONG_CELL),
                                                      "smithbob_3_4_rnn.ipynb": nbs.course_notebook(WRONG_CELL)})
    with pytest.raises(exits.CommandError) as refused:
        grade(late, out)
    said = str(refused.value)
    assert (f"{late} holds the Canvas or Moodle files of 2 students (smithalice_1, smithbob_3), and the class "
            f"in {out} has 5 rows") in said, said
    assert "unzip it and grade their notebook alone" in said and "grade it into another --out" in said, said
    assert (out / "grades.csv").read_bytes() == before
    assert json.loads((out / "grading-options.json").read_text())["sources"] == [str(subs)]


def test_a_new_download_of_the_class_still_replaces_its_sources(tmp_path):
    """The control: a new Canvas download of the class (another path, as many students) is graded
    as the class, its sources replacing the earlier ones, as docs/instructors.md says."""
    first = tmp_path / "first"
    names = ("smithalice_1_2", "smithbob_3_4", "doecarol_5_6")
    for name in names:
        nbs.write(first / f"{name}_rnn.ipynb", nbs.course_notebook())
    out = tmp_path / "out"
    grade(first, out, similarity=False)
    again = _zipped(tmp_path / "again" / "submissions.zip",
                    {f"{name}_rnn.ipynb": nbs.course_notebook(WRONG_CELL) for name in names[:2]})
    grade(again, out, similarity=False)
    assert scores(out) == {"smithalice_1": "90", "smithbob_3": "90"}
    assert json.loads((out / "grading-options.json").read_text())["sources"] == [str(again)]


@pytest.mark.parametrize("name", [".grading.lock.zip", ".grading.lock.ipynb", ".cache.zip"])
def test_a_late_file_named_as_the_grader_s_own_hidden_entries_is_graded_and_the_class_kept(tmp_path, name):
    """Thirty-eighth session (review): a late zip or notebook graded alone takes its name for its
    id, and OUT/.grading.lock (the run's lock file) and OUT/.cache (the sealed cache) were no
    reserved ids: '.grading.lock.zip' stopped the run with NotADirectoryError's traceback
    (OUT/.grading.lock/grader-errors.txt), no row. It is a row of its own now, as a notebook named
    grades.csv.ipynb is."""
    subs = small_class(tmp_path / "subs")
    out = tmp_path / "out"
    grade(subs, out)
    if name.endswith(".zip"):
        late = _zipped(tmp_path / "late" / name, {"rnn.ipynb": nbs.course_notebook(WRONG_CELL)})
    else:
        late = nbs.write(tmp_path / "late" / name, nbs.course_notebook(WRONG_CELL))
    _, printed = grade(late, out)
    row = f"{Path(name).stem}~{Path(name).suffix[1:]}"
    assert scores(out) == {"alice": "100", "bob": "90", "carol": "100", row: "90"}, printed
    assert (out / ".grading.lock").is_file() and (out / row / "feedback.md").is_file()
    summary, printed = grade(subs, out, force=True)  # the class run after grades it with the class
    assert summary.total == 4 and scores(out)[row] == "90", printed


def test_a_late_zip_of_no_students_name_holding_classmates_notebooks_is_refused_before_grading(tmp_path):
    """Thirty-eighth session (the review's note after the lead's merge): a zip given alone is one
    student's, by its name, so a TA's late.zip holding alice.ipynb and bob.ipynb became a row 'late'
    of no one (0: two notebooks defining graded functions), remembered and graded with every later
    class run. It is refused before anything is graded, naming the notebooks and the command that
    grades each alone; the class's rows and remembered options are as they were. A zip named after
    its student (carol.zip holding alice.ipynb) is still carol's, graded."""
    subs = small_class(tmp_path / "subs")
    out = tmp_path / "out"
    grade(subs, out)
    before = ((out / "grades.csv").read_bytes(), (out / "grading-options.json").read_bytes())
    late = _zipped(tmp_path / "late" / "late.zip", {"alice.ipynb": nbs.course_notebook(WRONG_CELL),
                                                     "bob.ipynb": nbs.course_notebook()})
    with pytest.raises(exits.CommandError) as refused:
        grade(late, out)
    said = str(refused.value)
    assert "holds notebooks named as students of the class" in said and "(alice, bob)" in said, said
    assert "named by the zip (late, no row of the class)" in said and "NOTEBOOK --out" in said, said
    assert ((out / "grades.csv").read_bytes(), (out / "grading-options.json").read_bytes()) == before
    assert not (out / "late").exists()
    carol = _zipped(tmp_path / "late2" / "carol.zip", {"alice.ipynb": nbs.course_notebook(WRONG_CELL)})
    grade(carol, out)
    assert scores(out) == {"alice": "100", "bob": "90", "carol": "90"}


@pytest.mark.parametrize("packed", [False, True], ids=["notebook", "zip"])
def test_a_late_submission_named_as_a_row_but_for_case_is_that_rows(tmp_path, packed):
    """On main a late Carol.ipynb (or Carol.zip) of a class with carol was a new row Carol in
    OUT/Carol: on macOS or a Windows share the same folder as OUT/carol, and the next class run
    graded both into it. Now it is carol's, said; the next class run grades her once."""
    subs = small_class(tmp_path / "subs")
    out = tmp_path / "out"
    grade(subs, out)
    late = nbs.write(tmp_path / "late" / "Carol.ipynb", nbs.course_notebook(WRONG_CELL))
    if packed:
        with zipfile.ZipFile(late.with_suffix(".zip"), "w") as archive:
            archive.write(late, "rnn.ipynb")
        late.unlink()
        late = late.with_suffix(".zip")
    _, printed = grade(late, out)
    assert f"{late.name}: graded as carol, the submission of {out} whose id differs only in case (Carol)" in printed
    assert scores(out) == {"alice": "100", "bob": "90", "carol": "90"}
    assert sorted(p.name for p in out.iterdir() if p.is_dir() and p.name[0] != ".") == ["alice", "bob", "carol"]
    summary, printed = grade(subs, out, force=True)  # the class again: her late work, once
    assert scores(out) == {"alice": "100", "bob": "90", "carol": "90"} and summary.total == 3
    assert f"{late} (carol: not {subs / 'carol.ipynb'})" in printed, printed
    assert sorted(p.name for p in out.iterdir() if p.is_dir() and p.name[0] != ".") == ["alice", "bob", "carol"]


def test_case_twin_is_the_one_folder_that_differs_only_in_case():
    from grader.classsources import case_twin

    assert case_twin("Carol", ("alice", "carol")) == "carol"
    assert case_twin("carol", ("alice", "carol")) is None  # itself
    assert case_twin("Carol", ("Carol", "carol")) is None  # its own folder is there
    assert case_twin("Carol", ("carol", "CAROL")) is None  # two: no guess
    assert case_twin("dan", ("alice", "carol")) is None
    assert case_twin("ada_1", ("ada:1",)) is None  # an earlier grader's name: renamed_submissions's


def test_a_late_resubmission_counts_while_the_sources_hold_the_submission_it_replaced(tmp_path):
    """On main the next class run (a rubric fix) graded carol's on-time notebook again in place of
    her late resubmission, graded alone since: her score went back. The late one is remembered with
    the digest of the submission it replaced (grading-options.json, late_over): while the sources
    hold that one unchanged, the late one counts; a download with a newer notebook of hers wins."""
    subs = small_class(tmp_path / "subs")
    out = tmp_path / "out"
    grade(subs, out)
    late = nbs.write(tmp_path / "late" / "carol.ipynb", nbs.course_notebook(WRONG_CELL))
    grade(late, out)
    remembered = json.loads((out / "grading-options.json").read_text())
    assert [path for path, _ in remembered["late_over"]] == [str(late)]
    summary, printed = grade(subs, out, force=True)
    assert scores(out) == {"alice": "100", "bob": "90", "carol": "90"} and summary.total == 3
    assert f"unchanged since the late one was graded alone: {late} (carol: not {subs / 'carol.ipynb'})" in printed
    assert "Not graded with the class" not in printed
    nbs.write(subs / "carol.ipynb", nbs.course_notebook())  # a newer download holds her notebook changed
    _, printed = grade(subs, out)
    assert scores(out)["carol"] == "100" and f"{late} (carol: {subs / 'carol.ipynb'} graded instead)" in printed
    assert json.loads((out / "grading-options.json").read_text())["late_over"] == []
