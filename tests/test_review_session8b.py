"""Second hostile review of session 8's changes (after rv8): each test is a case that went wrong
before its fix."""
from __future__ import annotations

import json
from pathlib import Path

from grader import commands
from grader import classfiles
from grader import similaritystage
from grader.choice import graded_functions
from grader.models import (
    FAILED, MISSING, NOT_ATTEMPTED, NOT_IMPLEMENTED, PASSED, CaseResult, PartResult, SubmissionResult,
)
from tests import notebooks as nbs

#: Markdown and code of an IMDB bonus, long enough to be compared as own work.
BONUS_CELLS = (
    nbs.markdown_cell("## IMDB bonus\n\nI compared an LSTM and a GRU on the IMDB reviews, 20,000 words, "
                      "sequences cut at 200 tokens, two epochs each, and kept 5,000 reviews for validation.\n"),
    nbs.code_cell("from tensorflow import keras\n"
                  "(x_train, y_train), (x_test, y_test) = keras.datasets.imdb.load_data(num_words=20000)\n"
                  "x_train = keras.utils.pad_sequences(x_train, maxlen=200)\n"
                  "model = keras.Sequential([keras.layers.Embedding(20000, 64), keras.layers.GRU(64),\n"
                  "                          keras.layers.Dense(1, activation='sigmoid')])\n"),
)


def _bonus_only_result(bonus_status: str) -> SubmissionResult:
    """A graded result whose two functions are left unimplemented and whose IMDB bonus part has
    ``bonus_status`` (one scored item unless it was not attempted)."""
    functions = tuple(PartResult(name=f"f{i}", function=f"f{i}", status=NOT_IMPLEMENTED, points=0, max_points=5)
                      for i in range(2))
    cases = () if bonus_status == NOT_ATTEMPTED else (
        CaseResult(case_id="imdb_report/1", name="alternatives", visibility="public", status=bonus_status,
                   points=1.0 if bonus_status == PASSED else 0.0, max_points=1.0),)
    bonus = PartResult(name="imdb_report", function="imdb_report", status=bonus_status,
                       points=sum(c.points for c in cases), max_points=3, cases=cases)
    return SubmissionResult(submission_id="x", path="x.ipynb", status="graded", points=bonus.points,
                            max_points=10, parts=(*functions, bonus), extra={"sources": {}})


def test_a_copied_bonus_on_an_untouched_starter_is_compared_as_own_work(tmp_path: Path):
    """``attempted`` (functions.json's ``own_work``) counted only the graded functions, so a
    submission that left them unimplemented but handed in the IMDB bonus, which earns points,
    counted as 'attempted nothing': two students handing in the same copied bonus cells on the
    untouched starter were never compared, though their own work is identical (and the bonus
    is not in the fingerprints either). A bonus that earned points now counts as attempted."""
    notebook = nbs.write(tmp_path / "nb.ipynb", nbs.course_notebook(extra_cells=list(BONUS_CELLS)))
    names = ["f0", "f1"]
    # a bonus at 0 points is not enough: an untouched starter whose code names IMDB has it present
    for status, attempted in ((PASSED, True), (FAILED, False), (NOT_ATTEMPTED, False), (MISSING, False)):
        similaritystage.write_sources(tmp_path, _bonus_only_result(status), names, key="k", path=notebook)
        stored = json.loads((tmp_path / classfiles.SOURCES_FILE).read_text())[classfiles.OWN_WORK_FIELD]
        assert stored["attempted"] is attempted, status
        digest = similaritystage._own_work_digest(stored, frozenset())
        assert (digest is not None) is attempted, status


def test_a_report_file_named_with_a_backslash_is_not_read_as_an_absent_bonus():
    """A report file whose name uses a backslash as its folder separator (``hw3\\imdb_report.json``,
    a zip made on Windows) is read (``discover`` and ``_gather_claims`` replace the backslash), but
    the test of whether the bonus is there split names on ``/`` only: a report that could not be
    read, or held no labelled accuracy, made the bonus 'not attempted' with the sentence 'no
    accuracy report was found', and the note saying why the file was not read was dropped."""
    from grader.imdb import score
    from grader.imdb.config import ImdbConfig
    from grader.notebook import Cell, Notebook

    nb = Notebook(path="student.ipynb", nbformat=(4, 5), cells=(Cell(0, "markdown", "My notes on the RNN part.", ()),))
    for name in ("hw3/imdb_report.json", "hw3\\imdb_report.json", "HW3\\IMDB_REPORT.JSON"):
        score.clear_memos()
        result = score.score_imdb(nb, config=ImdbConfig(), extra_files={name: b"{not json"})
        assert result.status != "absent", name
        assert any("imdb_report.json could not be read" in line for line in result.feedback), (name, result.feedback)


def test_a_run_after_one_without_the_similarity_check_still_flags_identical_own_work(tmp_path: Path):
    """``--no-similarity`` writes no ``functions.json``, and the option is not part of the
    incremental key, so the next run with the check keeps every submission and found no stored
    own work: ``_stored_sources`` extracted the functions again but gave no own work, and a byte
    copy was never flagged (a forced run flags it). The kept result now gives what was attempted
    and the notebook its cells."""
    import io

    from grader.similarity import IDENTICAL_REASON
    from tests.test_similarity_identical import NOTE, flagged_rows, solved

    subs, out = tmp_path / "subs", tmp_path / "out"
    ada = nbs.write(subs / "ada.ipynb", solved(NOTE))
    (subs / "zoe.ipynb").write_bytes(ada.read_bytes())  # a byte copy
    nbs.write(subs / "bob.ipynb", solved(NOTE.replace("two evenings", "three evenings")))
    options = {"jobs": 1, "class_report": False, "feedback_html": False, "stream": io.StringIO()}
    commands.grade_class(subs, out_dir=out, similarity=False, **options)
    summary = commands.grade_class(subs, out_dir=out, similarity=True, **options)
    assert summary.skipped == summary.total == 3  # nothing graded again
    assert flagged_rows(out) == [("ada", "zoe", IDENTICAL_REASON)]
    # the file is written then, from the stored result, so the next run reads it
    stored = json.loads((out / "zoe" / classfiles.SOURCES_FILE).read_text())
    assert stored["own_work"]["attempted"] is True and set(stored["functions"]) == set(
        graded_functions(commands.load_context(classfiles.DEFAULT_RUBRIC).rubric))
    commands.grade_class(subs, out_dir=out, similarity=True, **options)
    assert flagged_rows(out) == [("ada", "zoe", IDENTICAL_REASON)]
