"""Messages the twentieth session left: files a child left that could not be removed are
reported to the TA once; a top level stopped by the CPU time limit is told as such; a report
file of the IMDB bonus that does not parse is told with what is wrong, where, and what still
counts."""
from __future__ import annotations

import dataclasses
import os
import tempfile
import types

from grader import _child
from grader._child import TA_NOTE, Zygote, left_behind_note, remove_tree
from grader.imdb import ImdbConfig, score_imdb
from grader.imdb.claims import read_report_file
from grader.notebook import Cell, Notebook
from grader.loading import loaded_session
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
    zygote.tmp_private = False
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
    """``sandbox`` whose sessions run under ``limits`` (``loaded_session`` asks for the default)."""

    def __init__(self, sandbox, limits: Limits) -> None:
        self.sandbox, self.limits = sandbox, limits

    def session(self, source, **options):
        return self.sandbox.session(source, **{"limits": self.limits, **options})


def _load_note(sandbox, limits: Limits, source: str) -> str:
    """The note ``loaded_session`` gives of ``source``'s top level under ``limits``."""
    messages: list[str] = []
    program = types.SimpleNamespace(source=source, pieces=())
    with loaded_session(_LimitedSandbox(sandbox, limits), program, source, messages):
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


STILL_COUNT = "No accuracy was read from this file; those in the notebook's outputs and markdown still count."


def test_a_report_file_that_does_not_parse_says_what_where_and_what_still_counts():
    yaml_error = read_report_file("imdb_report.yaml", b"LSTM: 0.86\n  GRU: 0.87\n")[1]
    assert yaml_error == ("imdb_report.yaml could not be read: it is not valid YAML (mapping values are not "
                          "allowed here), at line 2, column 6. " + STILL_COUNT)  # was: "... read: while parsing"
    assert read_report_file("imdb_report.yml", b"GRU: [0.87\n")[1].startswith(
        "imdb_report.yml could not be read: it is not valid YAML (expected ',' or ']', but got '<stream end>'), "
        "at line 2, column 1.")
    assert read_report_file("imdb_report.yaml", b"a: &x [0.8]\nb: *x\n")[1] == (
        "imdb_report.yaml could not be read: a report file may not use YAML aliases (*name), at line 2, "
        "column 4. " + STILL_COUNT)
    assert read_report_file("imdb_report.json", b'{"LSTM": 0.86,}')[1] == (
        "imdb_report.json could not be read: it is not valid JSON (Expecting property name enclosed in double "
        "quotes), at line 1, column 15. " + STILL_COUNT)
    assert read_report_file("imdb_report.json", b"  \n")[1] == (
        "imdb_report.json could not be read: the file is empty. " + STILL_COUNT)
    long_tag = read_report_file("imdb_report.yaml", b"a: !" + b"x" * 5000 + b"!y 1\n")[1]
    assert len(long_tag) < 400 and long_tag.endswith(STILL_COUNT)


def test_the_bonus_feedback_gives_the_whole_message():
    """The feedback quoted the message cut to 160 characters, which left out where and what counts."""
    notebook = Notebook(path="nb.ipynb", cells=(Cell(index=0, kind="code", source="import keras"),),
                        nbformat=(4, 5))
    result = score_imdb(notebook, config=ImdbConfig(),
                        extra_files={"imdb_report.json": b'{"LSTM": 0.86,}'})
    assert (f"imdb_report.json could not be read: it is not valid JSON (Expecting property name enclosed in "
            f"double quotes), at line 1, column 15. {STILL_COUNT}") in result.feedback


def test_a_closing_sandbox_repeats_the_zygotes_notes_as_warnings(caplog):
    from grader.sandbox import Sandbox

    sandbox = Sandbox()
    note = left_behind_note("/tmp/grader/c1", 2)
    sandbox._log.seek(0, os.SEEK_END)  # as the zygote writes it, through its stderr
    sandbox._log.write(b"an ordinary line\n" + note.encode())
    sandbox._log.flush()
    with caplog.at_level("WARNING", logger="grader.sandbox"):
        sandbox.close()
    assert [r.getMessage() for r in caplog.records if r.name == "grader.sandbox"] == [note.rstrip("\n")]


def test_a_report_file_without_accuracies_shows_the_shape_that_is_read():
    """It pointed to 'the accepted format in the course instructions', which the assignment does
    not give: it now shows the shape (the one ``python3 -m solution.imdb`` writes)."""
    notebook = Notebook(path="nb.ipynb", cells=(Cell(index=0, kind="code", source="import keras"),),
                        nbformat=(4, 5))
    result = score_imdb(notebook, config=ImdbConfig(),
                        extra_files={"imdb_report.json": b'{"notes": "LSTM did best, about 86%"}'})
    assert ("imdb_report.json was found but holds no accuracy that could be read: give each alternative "
            "its accuracies under keys holding 'acc', e.g. "
            '{"models": [{"alternative": "LSTM", "test_accuracy": 0.8664}]}') in result.feedback
    assert "course instructions" not in result.feedback
