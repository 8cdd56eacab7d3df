"""grade_class's fixed costs (ninth session): the starter notebook read once per run, no
notebook read for the own work of a submission that attempted nothing. (The class report's
figure process, tested here too, was removed in the eleventh session with matplotlib.)"""
from __future__ import annotations

import io
from pathlib import Path

import pytest

from grader import classrun, commands
from grader import classfiles
from grader import classsources
from grader import exits
from grader import outputfolder
from grader import similaritystage
from grader.models import MISSING, NOT_IMPLEMENTED, PASSED, PartResult, SubmissionResult
from tests import notebooks as nbs


def _result(*statuses: str) -> SubmissionResult:
    """A graded result whose parts ``p0, p1...`` grade functions ``f0, f1...`` with ``statuses``."""
    parts = tuple(PartResult(name=f"p{i}", function=f"f{i}", status=s, points=0, max_points=1)
                  for i, s in enumerate(statuses))
    return SubmissionResult(submission_id="x", path="x.ipynb", status="graded", points=0,
                            max_points=1, parts=parts, extra={"sources": {}})


def test_own_work_of_a_submission_that_attempted_nothing_does_not_read_the_notebook(tmp_path,
                                                                                   monkeypatch):
    import grader.notebook

    reads = []
    real_load = grader.notebook.load
    monkeypatch.setattr(grader.notebook, "load", lambda path, **kw: reads.append(path) or real_load(path, **kw))
    notebook = nbs.write(tmp_path / "nb.ipynb", nbs.course_notebook())
    names = ["f0", "f1"]
    assert similaritystage._own_work(notebook, _result(MISSING, NOT_IMPLEMENTED), names) == {
        "cells": [], "attempted": False}
    assert reads == []
    # a missing file: before, None (unreadable); now nothing is read, so nothing can fail
    assert similaritystage._own_work(tmp_path / "gone.ipynb", _result(MISSING), names) == {
        "cells": [], "attempted": False}
    attempted = similaritystage._own_work(notebook, _result(MISSING, PASSED), names)
    assert attempted["attempted"] is True and attempted["cells"] and len(reads) == 1
    assert similaritystage._own_work_digest({"cells": [], "attempted": False}, frozenset()) is None


def test_read_template_gives_what_function_sources_and_template_cells_gave(tmp_path):
    from grader.notebook import load
    from grader.similarity.ownwork import notebook_cells

    template = nbs.write(tmp_path / "starter.ipynb", nbs.course_notebook())
    work = similaritystage.read_template(template)
    assert dict(work.sources) == similaritystage.function_sources(template) and work.sources
    assert work.cells == frozenset(d for d, _ in notebook_cells(load(template)))
    broken = tmp_path / "broken.ipynb"
    broken.write_text(template.read_text()[:200])
    read = similaritystage.read_template(broken)
    assert (read.sources, read.cells) == ({}, frozenset())
    # Thirty-second session: why it has no function is kept, for the run's error (a template saved
    # as a web page said only "no function found in the template notebook").
    assert read.problem.startswith(f"{broken}: not JSON") and read.no_function(broken).startswith(
        f"the template cannot be read: {broken}: not JSON")
    page = tmp_path / "page.ipynb"
    page.write_text("<!DOCTYPE html><html><body>rnn</body></html>")
    with pytest.raises(exits.CommandError, match=r"the template cannot be read: .*page\.ipynb: not a notebook but a web page"):
        commands.grade_class(template, out_dir=tmp_path / "out", template=page, jobs=1)
    assert similaritystage.read_template(tmp_path / "missing.ipynb").cells == frozenset()


@pytest.mark.slow
def test_a_class_run_reads_the_starter_notebook_once(tmp_path, monkeypatch):
    """grade_class with a template and the similarity check read the starter three times (its
    functions to refuse a template without any, then its functions and its cells again for the
    check); once now, with the same similarity.csv as the check run on a fresh reading."""
    import grader.extract
    import grader.notebook

    subs, out = tmp_path / "subs", tmp_path / "out"
    nbs.write(subs / "ada.ipynb", nbs.course_notebook())
    nbs.write(subs / "alan.ipynb", nbs.course_notebook(nbs.mutate("rnn_cell_forward", "+ ba)", ")")))
    template = nbs.write(tmp_path / "starter.ipynb", nbs.course_notebook())
    reads = []
    real_load = grader.notebook.load
    def spy(path, **kw):
        reads.append(Path(path))
        return real_load(path, **kw)

    monkeypatch.setattr(grader.notebook, "load", spy)
    monkeypatch.setattr(grader.extract, "load", spy)  # extract_file's
    commands.grade_class(subs, out_dir=out, jobs=1, similarity=True, class_report=False,
                         feedback_html=False, template=template, stream=io.StringIO())
    assert reads.count(template) == 1
    csv_text = (out / classfiles.SIMILARITY_CSV).read_text()
    similaritystage.run_similarity(classsources.submissions_under(subs), rubric=commands.load_context(classfiles.DEFAULT_RUBRIC).rubric,
                            out_dir=out, template=template, stream=io.StringIO())
    assert (out / classfiles.SIMILARITY_CSV).read_text() == csv_text


def test_a_class_run_loads_its_context_with_the_collector_off_and_turns_it_back_on(tmp_path,
                                                                                  monkeypatch):
    """The start-up's imports and context are made without the garbage collector's walks (eighteenth
    session); a start-up that fails leaves the collector on and nothing frozen."""
    import gc

    seen = []

    def failing_context(*args, **kwargs):
        seen.append(gc.isenabled())
        raise exits.CommandError("no rubric today")

    monkeypatch.setattr(classrun, "load_context", failing_context)
    nbs.write(tmp_path / "class" / "a.ipynb", nbs.course_notebook())
    frozen = gc.get_freeze_count()
    assert gc.isenabled()
    with pytest.raises(exits.CommandError, match="no rubric today"):
        commands.grade_class(tmp_path / "class", out_dir=tmp_path / "out", force=True,
                             similarity=False, stream=io.StringIO())
    assert seen == [False]
    assert gc.isenabled() and gc.get_freeze_count() == frozen


def test_the_collector_comes_back_with_the_start_up_frozen_and_stays_off_if_it_was():
    import gc

    frozen = gc.get_freeze_count()
    try:
        resume = outputfolder.pause_collector()
        assert not gc.isenabled()
        kept = [[] for _ in range(1000)]  # objects the collector tracks, made while it is off
        resume(freeze=True)
        assert gc.isenabled() and gc.get_freeze_count() >= frozen + len(kept)
        gc.disable()
        outputfolder.pause_collector()(freeze=False)
        assert not gc.isenabled()  # whoever turned it off keeps it off
    finally:
        gc.enable()
        gc.unfreeze()


@pytest.mark.parametrize("case", ["one_job", "no_submission"])
def test_a_class_run_leaves_nothing_frozen_behind(tmp_path, case):
    """What the start-up froze is put back when the run ends, whether or not a pool of forked
    workers (whose close unfreezes) was made: a process that grades several classes, or a
    test session, does not keep each run's start-up out of the collector for good."""
    import gc

    folder = tmp_path / "class"
    folder.mkdir()
    if case == "one_job":
        nbs.write(folder / "a.ipynb", nbs.course_notebook())
    frozen = gc.get_freeze_count()
    try:
        commands.grade_class(folder, out_dir=tmp_path / "out", force=True, jobs=1, similarity=False,
                             stream=io.StringIO())
    except exits.CommandError:
        assert case == "no_submission"
    assert gc.isenabled() and gc.get_freeze_count() == frozen
