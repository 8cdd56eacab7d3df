"""grader.choice: the notebook graded when a student's folder holds several.

Until the thirty-second session a folder holding the student's notebook and an ``Untitled.ipynb``
(or ``Untitled1.ipynb``, a checkpoint copy, an empty notebook) was "several notebooks, none
graded": a 0 until a TA stepped in. Two notebooks that both define graded functions are still
refused, and the message now names them.
"""
from __future__ import annotations

import io
import json
from dataclasses import replace
from pathlib import Path

import pytest

from grader import commands
from grader import classfiles
from grader.choice import ONE_OF_SEVERAL, one_notebook
from grader.discover import SEVERAL_NOTEBOOKS, find_submissions
from tests import notebooks as nbs

GRADED = ("lstm_forward", "rnn_backward", "rnn_cell_forward", "rnn_forward")
SCRATCH = nbs.notebook([nbs.code_cell("import numpy as np\nx = np.zeros(3)\nprint(x)")])
#: Other scratch work: two notebooks of the same bytes are one notebook (``_identical_copies``).
OTHER_SCRATCH = nbs.notebook([nbs.code_cell("import numpy as np\ny = np.ones(2)\nprint(y)")])
EMPTY = nbs.notebook([nbs.code_cell(""), nbs.markdown_cell("# notes")])


def only(folder: Path):
    """The one submission of the class folder holding ``folder``, its notebook chosen."""
    (sub,) = find_submissions(folder.parent)
    return one_notebook(sub, graded=GRADED)


@pytest.mark.parametrize("stray, content, why", [
    ("Untitled.ipynb", EMPTY, "it holds no code"),
    ("Untitled1.ipynb", SCRATCH, "a new notebook (Jupyter's name) without graded functions"),
    ("Untitled-1.ipynb", SCRATCH, "a new notebook (Jupyter's name) without graded functions"),
    ("scratch.ipynb", SCRATCH, "it defines none of the graded functions"),
    ("rnn-checkpoint.ipynb", nbs.course_notebook(), "a checkpoint copy Jupyter saves"),
    ("blank.ipynb", None, "it cannot be read as a notebook"),
])
def test_the_notebook_holding_the_work_is_graded_and_the_other_named(tmp_path, stray, content, why):
    folder = tmp_path / "class" / "ada"
    nbs.write(folder / "rnn.ipynb", nbs.course_notebook())
    if content is None:
        (folder / stray).write_bytes(b"")  # an empty file, as a failed upload leaves
    else:
        nbs.write(folder / stray, content)
    (folder / "imdb_report.json").write_text("{}")
    sub = only(folder)
    assert sub.problem == "" and sub.path == folder / "rnn.ipynb"
    assert set(sub.extra_files) == {stray, "imdb_report.json"}
    first, second = sub.notes
    assert first == f"{ONE_OF_SEVERAL}rnn.ipynb was graded, not {stray}."
    assert f"not graded: {stray} ({why})" in second and "hand in only the notebook to grade" in second


def test_without_the_rubric_nothing_is_chosen(tmp_path):
    folder = tmp_path / "class" / "ada"
    nbs.write(folder / "rnn.ipynb", nbs.course_notebook())
    nbs.write(folder / "Untitled.ipynb", EMPTY)
    (sub,) = find_submissions(folder.parent)
    assert one_notebook(sub, graded=()) is sub and SEVERAL_NOTEBOOKS in sub.problem


def test_no_graded_function_anywhere_grades_the_one_that_is_not_new(tmp_path):
    folder = tmp_path / "class" / "ada"
    nbs.write(folder / "rnn.ipynb", SCRATCH)  # work that defines nothing graded: graded, a 0 with feedback
    nbs.write(folder / "Untitled.ipynb", OTHER_SCRATCH)
    sub = only(folder)
    assert sub.problem == "" and sub.path == folder / "rnn.ipynb"
    assert "the only one that holds code and is not a new notebook" in sub.notes[1]


def test_two_notebooks_of_work_with_no_graded_function_are_still_refused(tmp_path):
    folder = tmp_path / "class" / "ada"
    nbs.write(folder / "a.ipynb", SCRATCH)
    nbs.write(folder / "b.ipynb", OTHER_SCRATCH)
    sub = only(folder)
    assert SEVERAL_NOTEBOOKS in sub.problem and sub.notes == ()


def test_two_notebooks_defining_graded_functions_are_refused_and_named(tmp_path):
    folder = tmp_path / "class" / "ada"
    nbs.write(folder / "rnn.ipynb", nbs.course_notebook())
    nbs.write(folder / "rnn-Copy1.ipynb", nbs.alt_notebook())
    nbs.write(folder / "Untitled.ipynb", EMPTY)
    sub = only(folder)
    assert sub.path == folder and sub.notes == ()
    assert "rnn-Copy1.ipynb and rnn.ipynb both define graded functions. " + SEVERAL_NOTEBOOKS in sub.problem
    assert "Untitled.ipynb both" not in sub.problem


def test_a_class_run_grades_the_one_and_names_the_files_in_feedback_and_summary(tmp_path):
    subs = tmp_path / "subs"
    nbs.write(subs / "ada" / "rnn.ipynb", nbs.course_notebook())
    nbs.write(subs / "ada" / "Untitled.ipynb", EMPTY)
    nbs.write(subs / "zoe" / "Assignment4.ipynb", nbs.course_notebook())
    nbs.write(subs / "zoe" / "Assignment4-1.ipynb", nbs.alt_notebook())
    out = tmp_path / "out"
    stream = io.StringIO()
    summary = commands.grade_class(subs, out_dir=out, jobs=1, similarity=False, feedback_html=False,
                                   stream=stream)
    printed = stream.getvalue()
    assert summary.graded == 1 and summary.several_notebooks == ("zoe",)
    assert summary.one_of_several == ("ada (rnn.ipynb was graded, not Untitled.ipynb)",)
    line = next(l for l in printed.splitlines() if "the one holding the work graded" in l)
    assert line.endswith(": ada (rnn.ipynb was graded, not Untitled.ipynb)"), line
    # docs/instructors.md quotes the line (it left out "(its feedback names the others)" until the
    # thirty-seventh session)
    guide = " ".join((Path(__file__).resolve().parent.parent / "docs" / "instructors.md").read_text(
        encoding="utf-8").split())
    assert f'("{line.strip()}")' in guide, line
    record = json.loads((out / "ada" / "result.full.json").read_text())
    assert record["status"] == "graded" and record["points"] == record["max_points"]
    feedback = (out / "ada" / "feedback.md").read_text()
    assert "rnn.ipynb was graded, not Untitled.ipynb" in feedback and "Untitled.ipynb (it holds no code)" in feedback
    zoe = json.loads((out / "zoe" / "result.full.json").read_text())["messages"][0]
    assert "Assignment4-1.ipynb and Assignment4.ipynb both define graded functions" in zoe

    # A second run keeps ada's result (same files, same key) and still names the files.
    stream = io.StringIO()
    summary = commands.grade_class(subs, out_dir=out, jobs=1, similarity=False, feedback_html=False,
                                   stream=stream)
    assert summary.skipped >= 1 and summary.one_of_several == ("ada (rnn.ipynb was graded, not Untitled.ipynb)",)


def test_a_zip_holding_the_work_and_an_untitled_notebook_is_graded_at_its_turn(tmp_path):
    """A class run unpacks a student's zip at their turn (``_TurnsOpener``): chosen there too."""
    import zipfile

    subs = tmp_path / "subs"
    (subs / "ada").mkdir(parents=True)
    with zipfile.ZipFile(subs / "ada" / "work.zip", "w") as zf:
        zf.writestr("work/rnn.ipynb", json.dumps(nbs.course_notebook()))
        zf.writestr("work/Untitled1.ipynb", json.dumps(SCRATCH))
    nbs.write(subs / "bob.ipynb", nbs.course_notebook())  # two students: two workers
    out = tmp_path / "out"
    summary = commands.grade_class(subs, out_dir=out, jobs=2, similarity=False, stream=io.StringIO())
    assert summary.graded == 2 and summary.several_notebooks == ()
    (said,) = summary.one_of_several
    assert said.startswith("ada (work.zip/work/rnn.ipynb was graded, not work.zip/work/Untitled1.ipynb"), said
    # The page shows the notebook the worker chose (thirty-fourth session: the grading process
    # takes the choice from the result), and a later run's similarity check reads it again.
    page = (out / "ada" / "feedback.html").read_text()
    assert "Building a Recurrent Neural Network - Step by Step" in page and "print(x)" not in page
    commands.grade_class(subs, out_dir=out, jobs=2, similarity=True, stream=io.StringIO())  # --no-similarity is remembered
    stored = json.loads((out / "ada" / classfiles.SOURCES_FILE).read_text())
    assert "rnn_forward" in stored["functions"] and stored[classfiles.OWN_WORK_FIELD]


def test_a_folder_of_many_notebooks_is_refused_without_reading_them(tmp_path, monkeypatch):
    # Hostile (the lead's review of the thirty-second session): every notebook was extracted in the
    # grading process, one after the other, before any student was graded. A zip of 20,000 small
    # notebooks (the discovery bound names that many) held the whole class for minutes. Past
    # MOST_READ notebooks the submission is refused as before the choice existed, nothing read.
    from grader import choice

    folder = tmp_path / "class" / "mallory"
    nbs.write(folder / "rnn.ipynb", nbs.course_notebook())
    for k in range(choice.MOST_READ):
        nbs.write(folder / f"Untitled{k}.ipynb", EMPTY)
    read: list[Path] = []
    real = choice.notebook_code
    monkeypatch.setattr(choice, "notebook_code", lambda path, **kw: read.append(path) or real(path, **kw))
    sub = only(folder)
    assert read == [], read
    assert SEVERAL_NOTEBOOKS in sub.problem and f"{choice.MOST_READ + 1} notebooks" in sub.problem
    assert "more than" in sub.problem and str(choice.MOST_READ) in sub.problem.split(SEVERAL_NOTEBOOKS)[0]


def test_up_to_the_bound_the_work_is_still_found(tmp_path):
    from grader import choice

    folder = tmp_path / "class" / "ada"
    nbs.write(folder / "rnn.ipynb", nbs.course_notebook())
    for k in range(choice.MOST_READ - 1):
        nbs.write(folder / f"Untitled{k}.ipynb", EMPTY)
    sub = only(folder)
    assert sub.problem == "" and sub.path == folder / "rnn.ipynb"


def test_a_known_solutions_folder_gets_the_same_choice_as_the_class(tmp_path):
    """Thirty-third session: ``--known`` folders (an earlier year's students) were read without the
    choice above: a folder holding the work and an empty ``Untitled.ipynb`` was left out of the
    comparison ("no graded function could be read"), and a copy of it in this year's class went
    unflagged. It is now read as the class run grades such a folder; two notebooks of work are
    still left out, and named for what they are."""
    subs = tmp_path / "subs"
    nbs.write(subs / "ada.ipynb", nbs.course_notebook())
    nbs.write(subs / "copycat.ipynb", nbs.alt_notebook())
    known = tmp_path / "lastyear"
    nbs.write(known / "old_bob" / "rnn.ipynb", nbs.alt_notebook())
    nbs.write(known / "old_bob" / "Untitled.ipynb", EMPTY)
    nbs.write(known / "old_eve" / "rnn.ipynb", nbs.course_notebook())
    nbs.write(known / "old_eve" / "rnn_v2.ipynb", nbs.alt_notebook())
    stream = io.StringIO()
    commands.grade_class(subs, out_dir=tmp_path / "out", jobs=1, feedback_html=False, known=known,
                         stream=stream, progress_bar=False)
    said = stream.getvalue()
    assert (f"Known solutions not compared (1 of 2 in {known}: several notebooks that each define "
            f"graded functions, or none holding the work; leave one in each folder): old_eve") in said
    pairs = (tmp_path / "out" / "similarity.csv").read_text()
    assert "\n1,copycat,known:old_bob,1,1," in pairs  # ranked first, a known source, flagged


def _at_the_bounds(k: int) -> dict:
    """A notebook of two code cells of console prompts, about 99,000 characters each (the size
    bounds: ``grader.notebook.SIZE_LIMITS``), the costliest shape for extraction per character
    (``bench_extract.py --hostile-limits``); ``k`` makes each its own (extraction is memoised by
    source)."""
    return nbs.notebook([nbs.code_cell(">>> x = 1\n" * 9_900 + f"# {k}, {c}\n") for c in range(2)])


def test_a_class_run_chooses_in_the_workers_and_the_grading_process_reads_no_notebook(tmp_path, monkeypatch):
    """Thirty-fourth session (hostile): ``one_notebook`` extracted each of a student's notebooks in
    the grading process, one after the other, before anyone was graded, and again on every later
    run (a kept student too): a folder of the work and seven notebooks at the size bounds cost it
    3.7 s of CPU a run here (0.6-0.8 s a notebook), the class's hand-out waiting. The worker
    chooses now, at the student's turn; the grading process takes the choice from the result."""
    from grader import choice
    from tests.cpu import cpu_budget

    subs = tmp_path / "subs"
    nbs.write(subs / "mallory" / "rnn.ipynb", nbs.course_notebook())
    for k in range(choice.MOST_READ - 1):
        nbs.write(subs / "mallory" / f"Untitled{k}.ipynb", _at_the_bounds(k))
    nbs.write(subs / "bob" / "rnn.ipynb", nbs.course_notebook())  # two students: two workers
    read: list[Path] = []
    real = choice.notebook_code
    monkeypatch.setattr(choice, "notebook_code", lambda path, **kw: read.append(path) or real(path, **kw))
    out = tmp_path / "out"
    runs = []
    for _ in range(2):  # the second keeps both (same files, same keys)
        with cpu_budget(1.5):  # 0.19 s here; 3.7 s before
            runs.append(commands.grade_class(subs, out_dir=out, jobs=2, feedback_html=False,
                                             stream=io.StringIO(), progress_bar=False))
    assert read == [], read  # the workers' copies of the list got the notebooks
    said = ("mallory (rnn.ipynb was graded, not Untitled0.ipynb, Untitled1.ipynb, Untitled2.ipynb, "
            "Untitled3.ipynb, Untitled4.ipynb, Untitled5.ipynb, Untitled6.ipynb)")
    assert [(r.graded, r.skipped, r.one_of_several) for r in runs] == [(2, 0, (said,)), (2, 2, (said,))]
    record = json.loads((out / "mallory" / "result.full.json").read_text())
    assert record["points"] == record["max_points"] and record["path"] == str(subs / "mallory" / "rnn.ipynb")
    stored = json.loads((out / "mallory" / classfiles.SOURCES_FILE).read_text())  # compared for similarity
    assert "rnn_forward" in stored["functions"]

    # A stray notebook changed: graded again (its key holds every notebook), now refused.
    nbs.write(subs / "mallory" / "Untitled3.ipynb", nbs.alt_notebook())
    again = commands.grade_class(subs, out_dir=out, jobs=2, feedback_html=False, stream=io.StringIO(),
                                 progress_bar=False)
    assert (again.skipped, again.several_notebooks, again.one_of_several) == (1, ("mallory",), ())


def test_a_worker_is_sent_what_its_choice_reads_and_grades_the_same(tmp_path):
    """The worker's task (``batch._task``) carries the notebooks and, of the student's other files,
    those grading may read beside whichever is chosen (``Submission.graded_beside_notebooks``):
    the choice made from it is the one made from the whole folder, extra files included."""
    from grader.batch import _from_task, _task
    from grader.discover import MAX_EXTRA_FILES

    folder = tmp_path / "class" / "ada"
    nbs.write(folder / "rnn.ipynb", nbs.course_notebook())
    nbs.write(folder / "Untitled.ipynb", EMPTY)
    for k in range(MAX_EXTRA_FILES + 40):
        (folder / f"data{k:03d}.txt").write_text(str(k))
    (folder / "deep" / "deeper").mkdir(parents=True)
    (folder / "deep" / "deeper" / "imdb_report.json").write_text("{}")
    (sub,) = find_submissions(folder.parent)
    sent, key = _from_task(_task(sub, "k"))
    assert key == "k" and len(sent.files) == MAX_EXTRA_FILES + 2
    here, there = one_notebook(sub, graded=GRADED), one_notebook(sent, graded=GRADED)
    assert there.path == here.path == folder / "rnn.ipynb" and there.notes == here.notes
    assert there.graded_extra_files() == here.graded_extra_files()
    report = folder / "deep" / "deeper" / "imdb_report.json"  # read before the shallower files
    assert ("deep/deeper/imdb_report.json", report) in there.graded_extra_files()
    assert ("Untitled.ipynb", folder / "Untitled.ipynb") in there.graded_extra_files()


def test_the_grading_process_takes_the_choice_from_the_choices_own_note_only(tmp_path):
    """``choice.chosen`` reads the note the choice ends the result's messages with: an earlier
    message that starts as that note does (a zip's note starts with the zip's name, which the
    student chose: ``Of the notebooks handed in, Untitled.ipynb was graded, not .zip holds ...``)
    would have the page show, and the similarity check compare, a notebook that was not graded."""
    from grader.choice import chosen
    from grader.models import SubmissionResult

    folder = tmp_path / "class" / "ada"
    nbs.write(folder / "rnn.ipynb", nbs.course_notebook())
    nbs.write(folder / "Untitled.ipynb", SCRATCH)
    (sub,) = find_submissions(folder.parent)
    graded = one_notebook(sub, graded=GRADED)
    forged = f"{ONE_OF_SEVERAL}Untitled.ipynb was graded, not .zip holds inner.zip, which is not unpacked"
    elsewhere = tmp_path / "grade-unzip-earlier" / "s1" / "rnn.ipynb"  # a zip's, unpacked by another run
    result = SubmissionResult(submission_id="ada", path=str(elsewhere), status="graded", points=1,
                              max_points=1, messages=(forged, *graded.notes))
    assert chosen(sub, result).path == folder / "rnn.ipynb"
    assert chosen(sub, replace(result, messages=(*graded.notes, forged))) is sub  # not the choice's: as it is


def test_the_choices_notes_survive_fifty_notes_of_a_students_zips(tmp_path, context, sandbox):
    """A submission's messages are bounded to fifty (``grader.notes``): a student whose zips made
    fifty notes (``Unpacked ...``, ``Left out of ...``) had the choice's notes, which come after
    them, cut, and the grading process (``choice.chosen``) would not know which notebook was graded:
    the page would show none and the similarity check would leave the student out. They are kept
    last; the zips' notes are cut before them."""
    from grader.batch import grade_one
    from grader.choice import chosen
    from grader.notes import MAX_NOTES

    folder = tmp_path / "class" / "ada"
    nbs.write(folder / "rnn.ipynb", nbs.course_notebook())
    nbs.write(folder / "Untitled.ipynb", EMPTY)
    (sub,) = find_submissions(folder.parent)
    sub = replace(sub, notes=tuple(f"Unpacked w{k}.zip: a.txt" for k in range(MAX_NOTES)))
    result = grade_one(sub, context=context, sandbox=sandbox, out_dir=tmp_path / "out")
    assert len(result.messages) == MAX_NOTES and result.points == result.max_points
    assert result.messages[-2] == f"{ONE_OF_SEVERAL}rnn.ipynb was graded, not Untitled.ipynb."
    assert result.messages[-3] == "[... 3 more notes cut ...]"
    assert chosen(sub, result).path == folder / "rnn.ipynb"


def test_two_names_that_read_alike_still_give_the_notebook_graded(tmp_path):
    """A note names a notebook readably (``readable_id``): ``a\\x1b.ipynb`` with a raw ESC and one
    named with the four characters ``\\x1b`` read alike there, and ``choice.chosen``, reading the
    note alone, left the submission as it was: its page showed no notebook and the similarity
    check left the student out (a copied notebook beside a decoy named so). The result's path
    tells them apart."""
    from grader.choice import chosen

    folder = tmp_path / "class" / "ada"
    nbs.write(folder / "a\x1b.ipynb", nbs.course_notebook())
    nbs.write(folder / "a\\x1b.ipynb", SCRATCH)
    out = tmp_path / "out"
    nbs.write(tmp_path / "class" / "bob.ipynb", nbs.course_notebook())
    summary = commands.grade_class(tmp_path / "class", out_dir=out, jobs=2, stream=io.StringIO(),
                                   progress_bar=False)
    assert summary.graded == 2 and summary.one_of_several
    stored = json.loads((out / "ada" / classfiles.SOURCES_FILE).read_text())
    assert "rnn_forward" in stored["functions"]
    assert ",ada,bob," in (out / "similarity.csv").read_text()  # the same notebook: compared, flagged
    (sub,) = [s for s in find_submissions(tmp_path / "class") if s.id == "ada"]
    from grader.report import read_submission

    assert chosen(sub, read_submission(out / "ada")).path == folder / "a\x1b.ipynb"


# --------------------------------------------------------------------------- a Canvas download unzipped over another


def _two_downloads(subs: Path, *, later_mark: str = "") -> None:
    """Jane's first upload (a wrong cell, a report of 0.5) in the first download and her later one
    (right, 0.9) in the second, unzipped into one folder; John's one upload in both."""
    nbs.write(subs / "smithjane_12345_111_rnn.ipynb", nbs.course_notebook(nbs.mutate("rnn_cell_forward", "+ ba)", ")")))
    nbs.write(subs / "smithjane_12345_112_imdb_report.json", {"best_test_accuracy": 0.5})
    nbs.write(subs / f"smithjane{later_mark}_12345_222_rnn.ipynb", nbs.course_notebook())
    nbs.write(subs / f"smithjane{later_mark}_12345_223_imdb_report.json", {"best_test_accuracy": 0.9})
    nbs.write(subs / "doejohn_555_333_rnn.ipynb", nbs.course_notebook())


def test_a_canvas_download_unzipped_over_another_grades_the_later_upload(tmp_path):
    """The thirty-fifth session's TA: until then Jane got a 0, "several notebooks, none graded",
    and her feedback told her to hand in one notebook; she had uploaded one, twice."""
    subs = tmp_path / "canvas"
    _two_downloads(subs)
    jane = next(sub for sub in find_submissions(subs) if sub.id == "smithjane_12345")
    assert jane.files["imdb_report.json"].name == "smithjane_12345_223_imdb_report.json"  # the later upload's
    sub = one_notebook(jane, graded=GRADED)
    assert sub.problem == "" and sub.path.name == "smithjane_12345_222_rnn.ipynb"
    assert sub.notes == (
        f"{ONE_OF_SEVERAL}smithjane_12345_222_rnn.ipynb was graded, not smithjane_12345_111_rnn.ipynb: an "
        f"earlier upload of rnn.ipynb to Canvas, attachment 111 before 222.",
        "Your uploads to Canvas were in the folder graded more than once (as when two downloads of the "
        "class are put in one folder): the latest is graded, as Canvas counts your latest submission. "
        "Nothing for you to do.")
    stream = io.StringIO()
    summary = commands.grade_class(subs, out_dir=tmp_path / "out", jobs=1, similarity=False,
                                   feedback_html=False, stream=stream)
    assert summary.unreadable == () and summary.scores == (100, 100)
    assert ("smithjane_12345 (smithjane_12345_222_rnn.ipynb was graded, not smithjane_12345_111_rnn.ipynb: "
            "an earlier upload of rnn.ipynb to Canvas, attachment 111 before 222)") in stream.getvalue()


def test_an_on_time_and_a_late_upload_are_still_left_to_the_ta(tmp_path):
    """Whether the late one counts is the course's rule (test_commands_regrade)."""
    subs = tmp_path / "canvas"
    _two_downloads(subs, later_mark="_LATE")
    jane = next(sub for sub in find_submissions(subs) if sub.id == "smithjane_12345")
    sub = one_notebook(jane, graded=GRADED)
    assert SEVERAL_NOTEBOOKS in sub.problem and "smithjane_LATE_12345_222_rnn.ipynb both define" in sub.problem


def test_two_files_of_one_canvas_upload_are_still_chosen_among(tmp_path):
    """Two notebooks of different names in one Canvas submission are the student's: refused when
    both hold work, as a folder's are; an earlier upload beside them is named as such."""
    subs = tmp_path / "canvas"
    _two_downloads(subs)
    nbs.write(subs / "smithjane_12345_224_rnn-1.ipynb", nbs.alt_notebook())
    jane = next(sub for sub in find_submissions(subs) if sub.id == "smithjane_12345")
    sub = one_notebook(jane, graded=GRADED)
    assert "smithjane_12345_222_rnn.ipynb and rnn-1.ipynb both define" in sub.problem, sub.problem
    nbs.write(subs / "smithjane_12345_224_rnn-1.ipynb", SCRATCH)
    jane = next(sub for sub in find_submissions(subs) if sub.id == "smithjane_12345")
    sub = one_notebook(jane, graded=GRADED)
    assert sub.path.name == "smithjane_12345_222_rnn.ipynb", sub.notes
    assert ("not graded: rnn-1.ipynb (it defines none of the graded functions), "
            "smithjane_12345_111_rnn.ipynb (an earlier upload of rnn.ipynb to Canvas, attachment 111 "
            "before 222)") in sub.notes[1]


def test_two_canvas_notebooks_of_other_names_are_refused_saying_which_is_later(tmp_path):
    """A resubmission under another name (rnn-final.ipynb) in a second download unzipped over the
    first: one Canvas submission may hold several files, so both are still refused, but the TA is
    told which one Canvas numbered later (until the thirty-fifth session, nothing of the numbers)."""
    subs = tmp_path / "canvas"
    nbs.write(subs / "smithjane_12345_111_rnn.ipynb", nbs.course_notebook(nbs.mutate("rnn_cell_forward", "+ ba)", ")")))
    nbs.write(subs / "smithjane_12345_222_rnn-final.ipynb", nbs.course_notebook())
    nbs.write(subs / "doejohn_555_333_rnn.ipynb", nbs.course_notebook())
    jane = next(sub for sub in find_submissions(subs) if sub.id == "smithjane_12345")
    sub = one_notebook(jane, graded=GRADED)
    assert ("rnn.ipynb and rnn-final.ipynb both define graded functions (Canvas numbered their uploads "
            "111, 222: a download of the class holds each student's latest submission, so unless they "
            "were uploaded together, rnn-final.ipynb is the later upload, from a second download put in "
            "the same folder). None of them was graded") in sub.problem, sub.problem
    # A folder's notebooks carry no number: nothing said of an order.
    folder = tmp_path / "class" / "ada"
    nbs.write(folder / "rnn.ipynb", nbs.course_notebook())
    nbs.write(folder / "rnn-final.ipynb", nbs.alt_notebook())
    assert "Canvas numbered" not in only(folder).problem


def test_a_moodle_download_unzipped_over_an_earlier_one_is_named_as_the_likely_cause(tmp_path):
    """Jane resubmitted as rnn_final.ipynb; the TA's second download, unzipped over the first, left
    her rnn.ipynb beside it. On main the run's line said only to leave the one to grade; now it
    says what to do with the downloads. A folder of plain ids is told as before."""
    subs = tmp_path / "moodle"
    nbs.write(subs / "Jane Smith_4242_assignsubmission_file_" / "rnn.ipynb", nbs.course_notebook())
    nbs.write(subs / "Jane Smith_4242_assignsubmission_file_" / "rnn_final.ipynb", nbs.alt_notebook())
    stream = io.StringIO()
    commands.grade_class(subs, out_dir=tmp_path / "out", jobs=1, similarity=False, feedback_html=False,
                         stream=stream)
    assert ("leave the one to grade in the student's files and run again; a platform's download unzipped "
            "over an earlier one keeps the files a student replaced since: unzip each download into an "
            "empty folder): Jane Smith_4242\n") in stream.getvalue()
    nbs.write(tmp_path / "plain" / "zoe" / "a.ipynb", nbs.course_notebook())
    nbs.write(tmp_path / "plain" / "zoe" / "b.ipynb", nbs.alt_notebook())
    stream = io.StringIO()
    commands.grade_class(tmp_path / "plain", out_dir=tmp_path / "out2", jobs=1, similarity=False,
                         feedback_html=False, stream=stream)
    assert "and run again): zoe\n" in stream.getvalue()


def test_a_downloads_byte_for_byte_copy_is_graded_once_and_the_student_not_blamed(tmp_path):
    """A Moodle download unzipped over an earlier one renamed Jane's rnn.ipynb to 'rnn (1).ipynb'
    (Windows' and 7-Zip's 'keep both'). On main she had 0 and read 'hand in the notebook to grade
    alone'; the copy is the same work: it is graded, and she has nothing to do."""
    subs = tmp_path / "moodle"
    folder = subs / "Jane Smith_4242_assignsubmission_file_"
    nbs.write(folder / "rnn.ipynb", nbs.course_notebook())
    (folder / "rnn (1).ipynb").write_bytes((folder / "rnn.ipynb").read_bytes())
    sub = one_notebook(find_submissions(subs)[0], graded=GRADED)
    assert sub.problem == "" and sub.path == folder / "rnn.ipynb"
    assert sub.notes[0] == f"{ONE_OF_SEVERAL}rnn.ipynb was graded, not rnn (1).ipynb: the same file, byte for byte."
    assert "Nothing for you to do." in sub.notes[1] and "hand in" not in " ".join(sub.notes)
    graded_once(subs, tmp_path / "out", "Jane Smith_4242", said="rnn.ipynb was graded, not rnn (1).ipynb")


def graded_once(subs: Path, out: Path, sid: str, *, said: str) -> None:
    """A class run of ``subs``: ``sid`` graded once, full marks, the run's line of notebooks chosen
    saying ``said`` and that the copy is the same file."""
    stream = io.StringIO()
    commands.grade_class(subs, out_dir=out, jobs=1, similarity=False, feedback_html=False, stream=stream)
    assert f"{sid} ({said}: the same file" in stream.getvalue()
    assert "**Score: 100 / 100**" in (out / sid / "feedback.md").read_text("utf-8")


def test_a_downloads_renamed_copy_of_other_work_is_refused_telling_the_student_it_is_not_theirs(tmp_path):
    """Jane resubmitted rnn.ipynb; the second download unzipped over the first named the new one
    'rnn (1).ipynb'. Which counts is the TA's to say: refused still, and the run's line names her,
    but her feedback no longer tells her to hand in one notebook."""
    subs = tmp_path / "moodle"
    folder = subs / "Jane Smith_4242_assignsubmission_file_"
    nbs.write(folder / "rnn.ipynb", nbs.course_notebook())
    nbs.write(folder / "rnn (1).ipynb", nbs.alt_notebook())
    sub = one_notebook(find_submissions(subs)[0], graded=GRADED)
    assert SEVERAL_NOTEBOOKS not in sub.problem and "hand in" not in sub.problem
    assert ("rnn (1).ipynb is named as unzipping names a file it would otherwise replace: a download of "
            "the class unzipped over an earlier one, your instructor's to sort out, not yours.") in sub.problem
    stream = io.StringIO()
    commands.grade_class(subs, out_dir=tmp_path / "out", jobs=1, similarity=False, feedback_html=False,
                         stream=stream)
    assert "unzip each download into an empty folder): Jane Smith_4242\n" in stream.getvalue()


def test_two_different_notebooks_of_unrelated_names_are_still_the_students_to_sort(tmp_path):
    """The control: Jupyter's own copy (rnn-Copy1.ipynb) is the student's doing, told as before."""
    folder = tmp_path / "class" / "ada"
    nbs.write(folder / "rnn.ipynb", nbs.course_notebook())
    nbs.write(folder / "rnn-Copy1.ipynb", nbs.alt_notebook())
    assert SEVERAL_NOTEBOOKS in only(folder).problem


def test_the_same_bytes_under_unrelated_names_are_one_notebook_graded_once(tmp_path):
    """On main ada's rnn.ipynb and assignment4.ipynb, the same file byte for byte (uploaded twice
    under two names), were refused as two notebooks defining graded functions: a 0. One submission
    now, graded once, the copy named to her and in the run's line."""
    subs = tmp_path / "class"
    folder = subs / "ada"
    nbs.write(folder / "rnn.ipynb", nbs.course_notebook())
    (folder / "assignment4.ipynb").write_bytes((folder / "rnn.ipynb").read_bytes())
    sub = only(folder)
    assert sub.problem == "" and sub.path == folder / "assignment4.ipynb", sub.problem
    assert sub.notes[0] == (f"{ONE_OF_SEVERAL}assignment4.ipynb was graded, not rnn.ipynb: the same file, "
                            f"byte for byte.")
    assert sub.notes[1] == ("You handed in the same notebook more than once, under other names: the copies are "
                            "the same work, graded once. Next time, hand in only the notebook to grade.")
    graded_once(subs, tmp_path / "out", "ada", said="assignment4.ipynb was graded, not rnn.ipynb")


def test_copies_beside_an_untitled_notebook_are_read_once_and_named(tmp_path):
    folder = tmp_path / "class" / "ada"
    nbs.write(folder / "rnn.ipynb", nbs.course_notebook())
    (folder / "rnn_final.ipynb").write_bytes((folder / "rnn.ipynb").read_bytes())
    nbs.write(folder / "Untitled.ipynb", EMPTY)
    sub = only(folder)
    assert sub.problem == "" and sub.path == folder / "rnn.ipynb", sub.problem
    assert sub.notes[0] == f"{ONE_OF_SEVERAL}rnn.ipynb was graded, not Untitled.ipynb, rnn_final.ipynb."
    assert ("not graded: Untitled.ipynb (it holds no code), rnn_final.ipynb (the same file as rnn.ipynb, "
            "byte for byte)") in sub.notes[1]


def test_copies_of_two_different_notebooks_are_still_refused(tmp_path):
    folder = tmp_path / "class" / "ada"
    nbs.write(folder / "rnn.ipynb", nbs.course_notebook())
    (folder / "copy.ipynb").write_bytes((folder / "rnn.ipynb").read_bytes())
    nbs.write(folder / "other.ipynb", nbs.alt_notebook())
    sub = only(folder)
    assert "copy.ipynb and other.ipynb both define graded functions" in sub.problem, sub.problem
