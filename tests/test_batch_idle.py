"""WorkerPool.run's ``on_idle``: the caller's deferred work (feedback pages) is done one piece at a
time, only when no worker's message waits, so that it never keeps a worker without a submission;
and ``feedbackpages.FeedbackPages`` writes its queue that way."""
from __future__ import annotations

import io
import json
import time
from pathlib import Path

from grader import batch, commands
from grader import classfiles
from grader import feedbackpages
from grader.batch import WorkerPool
from grader.discover import find_submissions
from grader.incremental import KEY_FILE
from tests import notebooks as nbs


def _class(folder: Path, count: int) -> Path:
    """``count`` notebooks, every third with a known mistake."""
    for number in range(count):
        cells = nbs.mutate("rnn_cell_forward", "+ ba)", ")") if number % 3 == 0 else None
        nbs.write(folder / f"s{number:02d}.ipynb", nbs.course_notebook(cells))
    return folder


def test_on_idle_runs_only_when_no_worker_message_waits(tmp_path, monkeypatch):
    events: list = []
    real_wait = batch._Watch.wait

    def logged_wait(self, conns, timeout=None):
        ready = real_wait(self, conns, timeout)
        events.append(("wait", timeout, len(ready)))
        return ready

    monkeypatch.setattr(batch._Watch, "wait", logged_wait)
    work = [0.02] * 12  # pieces of deferred work, in seconds

    def on_idle() -> bool:
        events.append(("idle",))
        if work:
            time.sleep(work.pop())
        return bool(work)

    subs = find_submissions(_class(tmp_path / "subs", 8))
    context = commands.load_context(classfiles.DEFAULT_RUBRIC)
    with WorkerPool(context=context, out_dir=tmp_path / "out", jobs=2) as pool:
        done = pool.run(subs, on_done=lambda d: events.append(("done", d.submission_id)),
                        on_idle=on_idle)
    assert sorted(d.submission_id for d in done) == [s.id for s in subs]
    idles = [i for i, event in enumerate(events) if event[0] == "idle"]
    assert idles, "no deferred work was done during the run"
    for i in idles:  # each piece right after a poll that found no worker's message
        assert events[i - 1] == ("wait", 0, 0), events[max(0, i - 3):i + 1]
    dones = [i for i, event in enumerate(events) if event[0] == "done"]
    assert idles[0] < dones[-1]  # interleaved with the results, not left to the end
    # Once it says nothing is left, the pool waits for the next result before asking again.
    quiet = [i for i in idles if events[i + 1][0] == "wait" and events[i + 1][1] is None]
    for i in quiet:  # after a piece that left nothing: a blocking wait, then a result
        following = [e[0] for e in events[i + 1:] if e[0] != "wait"]
        assert not following or following[0] == "done"


def test_with_one_job_on_idle_runs_after_each_result_until_nothing_is_left(tmp_path):
    events: list = []
    left = {"n": 0}

    def on_done(done) -> None:
        events.append("done")
        left["n"] += 2  # each result leaves two pieces of work

    def on_idle() -> bool:
        events.append("idle")
        left["n"] -= 1
        return left["n"] > 0

    subs = find_submissions(_class(tmp_path / "subs", 3))
    context = commands.load_context(classfiles.DEFAULT_RUBRIC)
    with WorkerPool(context=context, out_dir=tmp_path / "out", jobs=1) as pool:
        pool.run(subs, on_done=on_done, on_idle=on_idle)
    assert events == ["done", "idle", "idle"] * 3


def test_pages_are_queued_and_written_one_at_a_time_in_order(tmp_path, monkeypatch):
    written = []
    monkeypatch.setattr(feedbackpages, "_write_page_and_key",
                        lambda result, **kw: written.append(result))
    pages = feedbackpages.FeedbackPages(batch=None, feedback_html=False)  # no renderer to wait for
    for number in range(3):
        pages.add(number, notebook_path=tmp_path, folder=tmp_path, key=None)
    assert written == []
    assert pages.write_one() is True and written == [0]
    assert pages.write_one() is True and pages.write_one() is False and written == [0, 1, 2]
    assert pages.write_one() is False
    for number in range(3, 3 + feedbackpages.FeedbackPages.MAX_QUEUED + 2):  # at most MAX_QUEUED wait
        pages.add(number, notebook_path=tmp_path, folder=tmp_path, key=None)
    assert written == [0, 1, 2, 3, 4]
    pages.flush()
    assert written == list(range(3 + feedbackpages.FeedbackPages.MAX_QUEUED + 2))


def test_nothing_is_written_before_the_renderer_is_ready(tmp_path, monkeypatch):
    written = []
    monkeypatch.setattr(feedbackpages, "_write_page_and_key", lambda result, **kw: written.append(result))
    started = []
    gate = __import__("threading").Event()
    monkeypatch.setattr(feedbackpages, "_build_feedback_renderer", lambda: (started.append(1), gate.wait(10)))
    pages = feedbackpages.FeedbackPages(batch=None, feedback_html=True)
    pages.start()
    for number in range(feedbackpages.FeedbackPages.MAX_QUEUED + 5):
        pages.add(number, notebook_path=tmp_path, folder=tmp_path, key=None)
    assert pages.write_one() is False and written == []  # the renderer is still being built
    gate.set()
    pages.wait()
    assert pages.write_one() is True and written == [0]
    pages.flush()
    assert written == list(range(feedbackpages.FeedbackPages.MAX_QUEUED + 5)) and started == [1]


def test_a_class_run_writes_every_page_and_key(tmp_path):
    subs = _class(tmp_path / "subs", 7)
    out = tmp_path / "out"
    summary = commands.grade_class(subs, out_dir=out, jobs=2, similarity=False, class_report=False,
                                   stream=io.StringIO())
    assert summary.graded == 7 and not summary.report_problems
    for number in range(7):
        folder = out / f"s{number:02d}"
        key = json.loads((folder / KEY_FILE).read_text("utf-8"))
        assert "feedback.html" in key["files"] and (folder / "feedback.html").stat().st_size > 1000


def test_a_run_polls_its_workers_pipes_through_one_poll_object(tmp_path, monkeypatch):
    """Each pipe is registered once a run, not at every wait (``multiprocessing.connection.wait``
    built a selector and registered every pipe in it twice a submission)."""
    made: list = []
    real_poll = batch.select.poll

    class CountedPoll:
        """``select.poll`` counting its registrations and polls."""

        def __init__(self) -> None:
            self.inner, self.registered, self.polls = real_poll(), [], 0
            made.append(self)

        def register(self, fd, mask):
            self.registered.append(fd)
            self.inner.register(fd, mask)

        def unregister(self, fd):
            self.inner.unregister(fd)

        def poll(self, timeout=None):
            self.polls += 1
            return self.inner.poll(timeout)

    monkeypatch.setattr(batch.select, "poll", CountedPoll)
    subs = find_submissions(_class(tmp_path / "subs", 6))
    context = commands.load_context(classfiles.DEFAULT_RUBRIC)
    with WorkerPool(context=context, out_dir=tmp_path / "out", jobs=2) as pool:
        done = pool.run(subs, on_idle=lambda: False)
    assert sorted(d.submission_id for d in done) == [s.id for s in subs]
    assert len(made) == 1  # one poll object for the run
    assert len(made[0].registered) == 2  # each worker's pipe once
    assert made[0].polls >= len(subs)  # and it did the waiting
