"""grade_class's fixed costs (ninth session): the starter notebook read once per run, no
notebook read for the own work of a submission that attempted nothing, and the class report's
figure process started first thing and stopped at once when a run ends before its figures."""
from __future__ import annotations

import io
import json
import time
from pathlib import Path

import pytest

from grader import classreport, commands
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
    assert commands._own_work(notebook, _result(MISSING, NOT_IMPLEMENTED), names) == {
        "cells": [], "attempted": False}
    assert reads == []
    # a missing file: before, None (unreadable); now nothing is read, so nothing can fail
    assert commands._own_work(tmp_path / "gone.ipynb", _result(MISSING), names) == {
        "cells": [], "attempted": False}
    attempted = commands._own_work(notebook, _result(MISSING, PASSED), names)
    assert attempted["attempted"] is True and attempted["cells"] and len(reads) == 1
    assert commands._own_work_digest({"cells": [], "attempted": False}, frozenset()) is None


def test_read_template_gives_what_function_sources_and_template_cells_gave(tmp_path):
    from grader.notebook import load
    from grader.similarity.ownwork import notebook_cells

    template = nbs.write(tmp_path / "starter.ipynb", nbs.course_notebook())
    work = commands.read_template(template)
    assert dict(work.sources) == commands.function_sources(template) and work.sources
    assert work.cells == frozenset(d for d, _ in notebook_cells(load(template)))
    broken = tmp_path / "broken.ipynb"
    broken.write_text(template.read_text()[:200])
    assert commands.read_template(broken) == commands.TemplateWork(sources={}, cells=frozenset())
    assert commands.read_template(tmp_path / "missing.ipynb").cells == frozenset()


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
    csv_text = (out / commands.SIMILARITY_CSV).read_text()
    commands.run_similarity(commands._find(subs), rubric=commands.load_context(commands.DEFAULT_RUBRIC).rubric,
                            out_dir=out, template=template, stream=io.StringIO())
    assert (out / commands.SIMILARITY_CSV).read_text() == csv_text


def test_a_figure_process_never_asked_for_figures_is_stopped_at_once():
    """A run that fails or is interrupted before its report closes a drawer that may still be
    importing matplotlib: terminated, not waited for (the join waited up to its whole import)."""
    drawer = classreport.FigureDrawer()
    started = time.perf_counter()
    drawer.close()
    assert time.perf_counter() - started < 0.4
    assert not drawer._proc.is_alive() and drawer._proc.exitcode is not None


def test_a_bad_rubric_stops_the_figure_process_started_first(tmp_path, monkeypatch):
    """The figure process is forked before the rubric is read: a run refused for its rubric
    leaves no process behind (and does not wait for matplotlib's import)."""
    started: list = []
    real = classreport.FigureDrawer.__init__

    def spy(self):
        real(self)
        started.append(self)

    monkeypatch.setattr(classreport.FigureDrawer, "__init__", spy)
    subs = tmp_path / "subs"
    nbs.write(subs / "ada.ipynb", nbs.course_notebook())
    rubric = tmp_path / "bad.yaml"
    rubric.write_text("parts: [\n")
    with pytest.raises(commands.CommandError):
        commands.grade_class(subs, out_dir=tmp_path / "out", rubric=rubric, stream=io.StringIO())
    assert len(started) == 1 and not started[0]._proc.is_alive()


def _in_child(code: str) -> str:
    """Run ``code`` in a fresh interpreter of this checkout (so that this process's priority is
    left alone) and return what it prints."""
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[1]
    done = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    return done.stdout.split()


@pytest.mark.skipif(not hasattr(__import__("os"), "setpriority"), reason="no priorities here")
def test_the_figure_process_imports_at_the_lowest_priority_only_if_it_can_come_back():
    import os

    code = ("import os; from grader.classreport import _lowest_priority\n"
            "restore = _lowest_priority(); print(os.getpriority(os.PRIO_PROCESS, 0))\n"
            "restore(); print(os.getpriority(os.PRIO_PROCESS, 0))\n")
    if os.geteuid() == 0:
        assert _in_child(code) == ["19", "0"]
    # without the privilege to come back (a setpriority that refuses to raise a priority), the
    # priority stays where it was, give or take the probe's one step
    refusing = ("import os\nreal = os.setpriority\n"
                "def guarded(which, who, value):\n"
                "    if value < os.getpriority(which, who):\n"
                "        raise PermissionError(1, 'not permitted')\n"
                "    real(which, who, value)\n"
                "os.setpriority = guarded\n") + code
    low, back = map(int, _in_child(refusing))
    assert low <= 1 and back == low


@pytest.mark.skipif(not hasattr(__import__("os"), "setpriority") or __import__("os").geteuid() != 0,
                    reason="raising a priority needs root here")
def test_a_figure_process_asked_for_figures_draws_at_the_callers_priority():
    """Asked while it may still be importing at nice 19 (a busy machine), the figure process is
    brought back to the caller's priority first: the report does not wait on a low priority."""
    import os

    from grader.classreport import ClassTally
    from grader.rubric import load_rubric

    stats = ClassTally(rubric=load_rubric(commands.DEFAULT_RUBRIC)).stats()
    with classreport.FigureDrawer() as drawer:
        assert drawer.draw(stats) is not None  # its import is over: it lowers itself no more
        os.setpriority(os.PRIO_PROCESS, drawer._proc.pid, 19)  # as if still importing
        assert drawer.draw(stats) is not None
        assert os.getpriority(os.PRIO_PROCESS, drawer._proc.pid) == os.getpriority(os.PRIO_PROCESS, 0)
