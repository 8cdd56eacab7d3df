"""The similarity check's normalising helpers (``grader.similarity.detect._run_batches``): the report
is the one a single process makes, and the process still ends, whatever becomes of a helper.

Each case runs in a fresh interpreter (the helpers are spawned, which imports the caller's main
module), with a time limit: until the twenty-third session a helper killed by the OOM killer left
``grade.py`` hanging at exit after every report was written.
"""
from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
#: Seconds a case may take (each takes a few).
LIMIT = 120

#: Grades a generated class alone and with one helper, then says whether the reports agree.
#: ``HOW`` names what happens to the helper: nothing, killed as it starts, killed at work.
SCRIPT = textwrap.dedent('''
    import os, signal, sys, threading, time
    import multiprocessing.context as context

    from grader.similarity import detect
    from tests.test_similarity_corpus import TEMPLATE, make_corpus

    HOW = sys.argv[1]
    KILLED = []

    def at_work(pid, then):
        """Call ``then()`` once the helper ``pid`` has spent 0.3 s of CPU (it is normalising by
        then); nothing if it ends first."""
        while True:
            try:
                with open(f"/proc/{pid}/stat") as fh:
                    fields = fh.read().rsplit(")", 1)[1].split()
            except OSError:
                return
            if int(fields[11]) + int(fields[12]) >= 0.3 * os.sysconf("SC_CLK_TCK"):
                then()
                return
            time.sleep(0.005)

    def kill(pid):
        """SIGKILL the helper."""
        os.kill(pid, signal.SIGKILL)
        KILLED.append(pid)

    def interrupt():
        """Ctrl-C this process."""
        KILLED.append(time.monotonic())
        os.kill(os.getpid(), signal.SIGINT)

    start = context.SpawnProcess.start
    def started(self):
        start(self)
        if HOW == "at-start":
            kill(self.pid)
        elif HOW in ("at-work", "interrupt"):
            then = interrupt if HOW == "interrupt" else lambda: kill(self.pid)
            threading.Thread(target=at_work, args=(self.pid, then), daemon=True).start()
    context.SpawnProcess.start = started

    def main():
        detect._SPAWN_MIN = detect._POOL_MIN = 200  # the corpus of 60: 395 sources, 356 keys, as before the thirty-sixth session
        corpus = make_corpus(seed=4, n_independent=int(sys.argv[2]), copies_per_disguise=1)
        if HOW == "interrupt":
            import multiprocessing
            try:
                detect.find_similar(corpus.submissions, template=TEMPLATE, workers=2)
            except KeyboardInterrupt:
                late = time.monotonic() - KILLED[0]
                print("interrupted", late < 3, "helpers left", len(multiprocessing.active_children()), flush=True)
            return
        alone = detect.find_similar(corpus.submissions, template=TEMPLATE)
        two = detect.find_similar(corpus.submissions, template=TEMPLATE, workers=2)
        strip = lambda stats: {k: v for k, v in stats.items() if k != "seconds"}
        same = (alone.pairs == two.pairs and alone.clusters == two.clusters
                and strip(alone.stats) == strip(two.stats) and bool(alone.flagged))
        print("killed", len(KILLED), "same", same, flush=True)

    if __name__ == "__main__":
        main()
''')

#: The same comparison at the top level of a main module without the ``__main__`` guard, as a
#: TA's script may be: the spawned helper imports it again, tries to spawn in turn, and dies.
UNGUARDED = textwrap.dedent('''
    from grader.similarity import detect
    from tests.test_similarity_corpus import TEMPLATE, make_corpus

    detect._SPAWN_MIN = detect._POOL_MIN = 200  # the corpus of 60: 395 sources, 356 keys, as before the thirty-sixth session
    corpus = make_corpus(seed=4, n_independent=60, copies_per_disguise=1)
    two = detect.find_similar(corpus.submissions, template=TEMPLATE, workers=2)
    alone = detect.find_similar(corpus.submissions, template=TEMPLATE)
    print("same", alone.pairs == two.pairs and bool(alone.flagged), flush=True)
''')


def _run(how: str, students: int, tmp_path: Path, *, script_text: str = SCRIPT, quiet: bool = True) -> str:
    script = tmp_path / "helpers.py"
    script.write_text(script_text)
    temporary = tmp_path / "tmp"  # where the helpers' batches are written, and removed
    temporary.mkdir()
    try:
        done = subprocess.run([sys.executable, str(script), how, str(students)], cwd=ROOT,
                              env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "TMPDIR": str(temporary)},
                              capture_output=True, text=True, timeout=LIMIT)
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"the interpreter did not end within {LIMIT} s (printed: {exc.stdout!r})")
    assert done.returncode == 0, done.stderr
    if quiet:
        assert "Traceback" not in done.stderr, done.stderr
    assert list(temporary.iterdir()) == []
    return done.stdout.strip()


def test_a_helper_killed_as_it_starts_leaves_the_work_to_this_process(tmp_path: Path):
    # 60 students: more distinct sources than _POOL_MIN, so a helper is spawned.
    assert _run("at-start", 60, tmp_path) == "killed 1 same True"


@pytest.mark.slow
def test_a_helper_killed_at_work_costs_nothing_but_time(tmp_path: Path):
    # 300 students: about two seconds of normalising, so the helper is killed inside a batch.
    assert _run("at-work", 300, tmp_path) == "killed 1 same True"


@pytest.mark.slow
def test_helpers_that_live_give_the_report_of_one_process(tmp_path: Path):
    assert _run("none", 60, tmp_path) == "killed 0 same True"


def test_a_helper_that_dies_importing_the_main_module_is_not_waited_for(tmp_path: Path):
    # The helper's own traceback (it may not spawn while starting) is printed; this process
    # does every batch itself and ends.
    assert _run("none", 60, tmp_path, script_text=UNGUARDED, quiet=False) == "same True"


@pytest.mark.slow
def test_ctrl_c_stops_the_helpers_at_once_and_quietly(tmp_path: Path):
    # The helper ignores SIGINT (the parent's to handle): it is killed, not waited for, and
    # does not print a broken pipe's traceback; the batches' file is removed.
    assert _run("interrupt", 300, tmp_path) == "interrupted True helpers left 0"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="F_SETPIPE_SZ is Linux's")
def test_a_helpers_result_pipe_holds_a_whole_batchs_result(monkeypatch):
    """A batch's result (about 95 kB for the benchmark's class) did not fit the default 64 kB
    pipe: the helper waited in ``send`` while the grading process normalised a batch of its own.
    The result pipe now holds 1 MiB (``_roomy``), and a 200 kB message is sent without a reader."""
    import fcntl
    import multiprocessing

    from grader.similarity import detect

    ours, theirs = multiprocessing.get_context("spawn").Pipe(duplex=False)
    try:
        detect._roomy(ours)
        assert fcntl.fcntl(ours.fileno(), getattr(fcntl, "F_GETPIPE_SZ", 1032)) >= detect._RESULT_PIPE_BYTES
        import os

        os.set_blocking(theirs.fileno(), False)
        theirs.send_bytes(b"x" * 200_000)  # BlockingIOError with 64 kB and no reader
        assert len(ours.recv_bytes()) == 200_000
    finally:
        ours.close()
        theirs.close()

    # ... and _run_batches gives each helper's pipe that room (no helper started here: the
    # batches are then done in this process, as when no process is to be had).
    sizes = []

    def recorded(conn):
        real_roomy(conn)
        sizes.append(fcntl.fcntl(conn.fileno(), getattr(fcntl, "F_GETPIPE_SZ", 1032)))

    def no_process(proc):
        raise OSError("no process")

    real_roomy = detect._roomy
    monkeypatch.setattr(detect, "_roomy", recorded)
    monkeypatch.setattr(detect, "_start_deaf", no_process)
    sources = [f"def f{i}(x):\n    return x + {i}\n" for i in range(4)]
    done = detect._run_batches([sources[:2], sources[2:]], keep=frozenset(), shapes=frozenset(), helpers=1)
    assert [len(batch) for batch in done] == [2, 2]
    assert sizes and min(sizes) >= detect._RESULT_PIPE_BYTES


#: A helper that dies while it holds the batches' lock (its claim takes the lock, then SIGKILL:
#: the OOM killer between acquire and release), while this process's batches take 0.1 s each.
DIES_HOLDING_THE_LOCK = textwrap.dedent('''
    import os, signal, time
    from grader.similarity import detect
    from tests.test_similarity_corpus import TEMPLATE, make_corpus

    if __name__ == "__mp_main__":  # the helper
        def dying_claim(ends, *, front, wait=None):
            ends.get_lock().acquire()
            os.kill(os.getpid(), signal.SIGKILL)
        detect._claim = dying_claim

    def main():
        detect._SPAWN_MIN = detect._POOL_MIN = 200  # the corpus of 60: 395 sources, 356 keys, as before the thirty-sixth session
        corpus = make_corpus(seed=4, n_independent=60, copies_per_disguise=1)
        alone = detect.find_similar(corpus.submissions, template=TEMPLATE)
        real = detect._normalise_batch
        def slow(*args):
            time.sleep(0.1)
            return real(*args)
        detect._normalise_batch = slow
        detect._CLAIM_WAIT = 0.5
        two = detect.find_similar(corpus.submissions, template=TEMPLATE, workers=2)
        print("same", alone.pairs == two.pairs and alone.clusters == two.clusters and bool(alone.flagged), flush=True)

    if __name__ == "__main__":
        main()
''')


def test_a_helper_killed_holding_the_batches_lock_does_not_hang_the_run(tmp_path: Path):
    # Before: this process's next claim waited for ever for a lock no one would release.
    assert _run("-", 60, tmp_path, script_text=DIES_HOLDING_THE_LOCK) == "same True"


def _small_class():
    from tests.test_similarity_corpus import TEMPLATE, make_corpus

    corpus = make_corpus(seed=4, n_independent=12, copies_per_disguise=1)
    return corpus.submissions, TEMPLATE


def test_helpers_start_before_the_renaming_keys_and_each_key_is_worked_out_once(monkeypatch):
    """Thirty-sixth session: the grading process worked out every source's renaming key (0.2 s for
    the generated class of 400) and only then spawned its helper, which started (0.1-0.2 s) while
    this process normalised alone; and a source sharing another's key had its key worked out twice.
    The helpers are started first now, and the keys are handed on."""
    from grader.similarity import detect, normalise

    submissions, template = _small_class()
    alone = detect.find_similar(submissions, template=template)
    events = []

    def no_process(proc):  # no process to be had: what matters is when one was asked for
        events.append("start")
        raise OSError("no process")

    real_key = detect.renaming_key
    counted = []

    def key(source, keep):
        counted.append(source)
        events.append("key")
        return real_key(source, keep)

    monkeypatch.setattr(detect, "_start_deaf", no_process)
    monkeypatch.setattr(detect, "renaming_key", key)
    monkeypatch.setattr(normalise, "renaming_key", key)
    monkeypatch.setattr(detect, "_SPAWN_MIN", 10)
    monkeypatch.setattr(detect, "_POOL_MIN", 10)
    two = detect.find_similar(submissions, template=template, workers=2)
    assert events[0] == "start" and "key" in events  # before: every key, then the start
    assert len(counted) == len(set(counted))  # before: a source sharing a key had it worked out twice
    assert two.pairs == alone.pairs and two.clusters == alone.clusters and alone.flagged


def test_no_helper_below_the_sizes_where_one_pays(monkeypatch):
    """Below ``_SPAWN_MIN`` distinct sources no helper is started (the real classes of 93-136
    students: 368-463 sources, 249-312 keys, where one cost 0.09 s of CPU more than it saved);
    above it, with fewer than ``_POOL_MIN`` keys to normalise, the helpers started are stopped
    without work (``_Helpers.run`` is never called) and this process normalises alone."""
    from grader.similarity import detect

    submissions, template = _small_class()
    distinct = len({source for funcs in submissions.values() for source in funcs.values()})
    alone = detect.find_similar(submissions, template=template)
    started, ran = [], []

    def no_process(proc):
        started.append(proc)
        raise OSError("no process")

    real_run = detect._Helpers.run
    monkeypatch.setattr(detect, "_start_deaf", no_process)
    monkeypatch.setattr(detect._Helpers, "run", lambda self, *a, **k: ran.append(1) or real_run(self, *a, **k))
    monkeypatch.setattr(detect, "_SPAWN_MIN", distinct + 1)
    monkeypatch.setattr(detect, "_POOL_MIN", 10)
    below = detect.find_similar(submissions, template=template, workers=2)
    assert (started, ran) == ([], [])  # before: a helper for 200 keys or more
    monkeypatch.setattr(detect, "_SPAWN_MIN", 10)
    monkeypatch.setattr(detect, "_POOL_MIN", distinct + 1)
    few = detect.find_similar(submissions, template=template, workers=2)
    assert len(started) == 1 and ran == []
    monkeypatch.setattr(detect, "_POOL_MIN", 10)
    shared = detect.find_similar(submissions, template=template, workers=2)
    assert len(started) == 2 and ran == [1]
    for report in (below, few, shared):
        assert report.pairs == alone.pairs and report.clusters == alone.clusters and alone.flagged
    assert detect._SPAWN_MIN >= detect._POOL_MIN > 0


def test_a_helper_stopped_before_its_work_is_killed_at_once():
    """The helpers are started before it is known whether there is work enough to share: one never
    sent its batches' file is killed when the block ends, not waited for (a helper starts in
    0.1-0.2 s, which the run would otherwise wait)."""
    import time

    from grader.similarity import detect

    helpers = detect._Helpers(1)
    with helpers:
        procs = list(helpers._procs)
        started = time.monotonic()
    took = time.monotonic() - started
    assert procs and not any(proc.is_alive() for proc in procs)
    assert procs[0].exitcode == -9  # killed while it starts, not joined
    assert took < 1.0, took


@pytest.mark.parametrize("failing", ["mkstemp", "dump"])
def test_helpers_are_killed_when_their_batches_file_cannot_be_written(monkeypatch, failing):
    """Thirty-seventh session: when the batches' file could not be made (a read-only temporary
    folder: ``mkstemp``) or written (a full disk: ``dump``), this process did every batch and then
    waited for the started helpers to end (up to ``_HELPERS_END_WAIT`` for work it had thrown
    away) instead of killing them, as it kills helpers never sent their work."""
    import errno
    import marshal
    import tempfile
    import time

    from grader.similarity import detect

    def refused(*_args, **_kwargs):
        raise OSError(errno.EROFS if failing == "mkstemp" else errno.ENOSPC, "refused")

    batches = [[f"def f{k}(x):\n    return x + {k}\n"] for k in range(3)]
    alone = [detect._normalise_batch(batch, frozenset(), frozenset()) for batch in batches]
    helpers = detect._Helpers(1)
    with helpers:
        procs = list(helpers._procs)
        monkeypatch.setattr(*((tempfile, "mkstemp") if failing == "mkstemp" else (marshal, "dump")), refused)
        results = helpers.run(batches, keep=frozenset(), shapes=frozenset())
        started = time.monotonic()
    took = time.monotonic() - started
    assert results == alone
    assert procs and not any(proc.is_alive() for proc in procs)
    assert procs[0].exitcode == -9  # killed while it starts: before, joined once it had started
    assert took < 1.0, took
