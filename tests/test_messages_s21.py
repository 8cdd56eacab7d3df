"""Messages the twentieth session left: files a child left that could not be removed are
reported to the TA once; a top level stopped by the CPU time limit is told as such."""
from __future__ import annotations

import dataclasses
import os
import tempfile
import types

from grader import _child
from grader._child import TA_NOTE, Zygote, left_behind_note, remove_tree
from grader.runner import _loaded_session
from grader.sandbox import Limits, zygote_notes


def _stuck_unlink(monkeypatch) -> None:
    """``os.unlink`` refuses every file that is empty (as an immutable file would, for root
    too; ``remove_tree`` renames entries, so the file is known by what it holds)."""
    real = os.unlink

    def unlink(name, *, dir_fd=None):
        if os.stat(name, dir_fd=dir_fd, follow_symlinks=False).st_size == 0:
            raise PermissionError(1, "Operation not permitted")
        return real(name, dir_fd=dir_fd)
    monkeypatch.setattr(_child.os, "unlink", unlink)


def test_remove_tree_says_how_much_stayed(tmp_path, monkeypatch):
    gone = tmp_path / "gone"
    (gone / "a" / "b").mkdir(parents=True)
    (gone / "a" / "b" / "f").write_text("x")
    assert remove_tree(str(gone)) == 0 and not gone.exists()
    assert remove_tree(str(gone)) == 0  # already gone
    _stuck_unlink(monkeypatch)
    kept = tmp_path / "kept"
    (kept / "deep" / "er").mkdir(parents=True)
    (kept / "deep" / "er" / "stuck").write_text("")
    (kept / "free").write_text("x")
    assert remove_tree(str(kept)) == 1
    assert [p.stat().st_size for p in kept.rglob("*")] == [0]  # the rest went; the stuck file stays


def test_the_zygote_tells_once_and_the_sandbox_repeats_it(tmp_path, monkeypatch, capfd):
    _stuck_unlink(monkeypatch)
    zygote = Zygote.__new__(Zygote)  # only what _remove_dir reads
    zygote.told_left_behind = False
    for n in (1, 2):
        child = tmp_path / f"c{n}"
        child.mkdir()
        (child / "stuck").write_text("")
        zygote._remove_dir(str(child))
    err = capfd.readouterr().err
    assert err == left_behind_note(str(tmp_path / "c1"), 1)
    assert err == (f"{TA_NOTE}a student's code left 1 file or folder that could not be removed in "
                   f"{tmp_path / 'c1'} (later ones are not reported); remove them after the run.\n")
    with tempfile.TemporaryFile() as log:
        log.write(b"some traceback\n" + err.encode() + b"more\n")
        assert zygote_notes(log) == [err.rstrip("\n")]


class _LimitedSandbox:
    """``sandbox`` whose sessions run under ``limits`` (``_loaded_session`` asks for the default)."""

    def __init__(self, sandbox, limits: Limits) -> None:
        self.sandbox, self.limits = sandbox, limits

    def session(self, source, **options):
        return self.sandbox.session(source, **{"limits": self.limits, **options})


def _load_note(sandbox, limits: Limits, source: str) -> str:
    """The note ``_loaded_session`` gives of ``source``'s top level under ``limits``."""
    messages: list[str] = []
    program = types.SimpleNamespace(source=source, pieces=())
    with _loaded_session(_LimitedSandbox(sandbox, limits), program, source, messages):
        pass
    assert len(messages) == 1, messages
    return messages[0]


def test_a_top_level_stopped_by_the_cpu_limit_says_so(sandbox):
    spin = "x = 0\nwhile True:\n    x += 1\n"
    note = _load_note(sandbox, dataclasses.replace(sandbox.limits, cpu_seconds=1, call_timeout=60.0,
                                                   submission_timeout=120.0), spin)
    assert note == ("Running the notebook's top level (its imports, constants, class bodies and default "
                    "arguments) used up its CPU time limit (1 s of CPU, counted across all its threads) and "
                    "was stopped, so no function could be called: look for a slow import, or a loop there.")


def test_a_top_level_stopped_by_the_clock_says_how_long(sandbox):
    note = _load_note(sandbox, dataclasses.replace(sandbox.limits, call_timeout=0.5),
                      "import time\ntime.sleep(30)\n")
    assert "did not finish within 0.5 s, so no function could be called" in note
