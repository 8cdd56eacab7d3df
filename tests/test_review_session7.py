"""Hostile review of session 7's changes: each test is an attack that worked before its fix."""
from __future__ import annotations

from pathlib import Path

import pytest

from grader import failtexts, loading
from grader.models import PASSED
from grader.runner import grade_submission
from grader.sandbox import Limits, Sandbox
from tests import notebooks as nbs

# A default argument that burns 1.2 s of CPU time, then raises: its def is a failing top-level statement.
_BURN_THEN_RAISE = (", bad=exec('import time\\nt = time.process_time()\\nwhile time.process_time() - t < 1.2: pass\\n"
                    "raise ValueError(1)')):")
_SIGNATURES = {"rnn_forward": "def rnn_forward(x, a0, parameters):",
               "lstm_forward": "def lstm_forward(x, a0, parameters):",
               "rnn_backward": "def rnn_backward(da, caches):"}


@pytest.mark.slow
def test_load_retries_do_not_give_each_new_child_a_fresh_time_budget(tmp_path: Path, context):
    """Attack: three top-level statements, each spending most of the load's time and then
    raising. Each retry of ``loading.loaded_session`` started a new session with the whole
    submission budget again, so the submission ran 3 x 1.2 s of loads and then was graded with
    a fresh 2.5 s (every other part passed). Now each new child gets what is left of the
    budget: the third load runs out of it and nothing more is run."""
    limits = Limits(call_timeout=2.0, submission_timeout=2.5)
    overrides: dict[str, str] = {}
    for name, signature in _SIGNATURES.items():
        overrides.update(nbs.mutate(name, signature, signature[:-2] + _BURN_THEN_RAISE))
    nb = nbs.course_notebook(overrides)
    with Sandbox(limits=limits) as sandbox:
        result = grade_submission(nbs.write(tmp_path / "student.ipynb", nb), context=context, sandbox=sandbox)
    told = [m for m in result.messages if "definitions failed" in m]
    assert "budget" in told[-1], told  # the loads spent the budget: no fresh one for the next child
    numpy_parts = [p for p in result.parts if p.name != "imdb_report" and p.function not in _SIGNATURES]
    assert numpy_parts and all(p.status != PASSED for p in numpy_parts), [(p.name, p.status) for p in numpy_parts]
    assert any("budget" in c.message for p in numpy_parts for c in p.cases)


def test_a_class_is_not_graded_on_linux_without_proc(monkeypatch):
    """Attack surface: a container without /proc. The portable fallbacks were taken silently on
    Linux too: with no /proc, ``_proc_children`` answers None and ``Zygote._sweep_orphans``
    returns at once, so (without root) a process a student's call leaves running in a session
    of its own is never killed, yet ``unprotected_reason`` said nothing and the class ran.
    Now the class run refuses, as it does without Linux; the self-check still degrades."""
    from grader import _child, sandbox, zygote

    for module in (sandbox, zygote):
        monkeypatch.setattr(module, "PLATFORM", _child.PLATFORM._replace(linux=True, proc=False))
    reason = sandbox.unprotected_reason()
    assert reason is not None and "/proc" in reason, reason
    with pytest.raises(sandbox.UnprotectedPlatform, match="/proc"):
        sandbox.Sandbox()
    assert any("killed" in gap for gap in _child.PLATFORM._replace(proc=False).lost())


def test_the_legacy_alias_rewrite_leaves_comments_and_strings_alone():
    """A word in a comment or a string is no use of NumPy: it was rewritten, and the student
    told that their code "was graded with Python's own int" when no code used ``np.int``
    (a docstring or a note to themselves was enough). Code, f-string fields included, is
    still rewritten; every line keeps its number."""
    source = ('def f(x):\n'
              '    """Returns x as np.int, like numpy.int did."""\n'
              '    # np.bool is gone\n'
              '    note = "np.complex" + \'np.str\'\n'
              '    return np.zeros(3, dtype=np.float) + len(f"{np.object}")\n')
    replaced, names = failtexts.legacy_aliases_replaced(source)
    assert names == ("np.float", "np.object"), names
    assert replaced == source.replace("dtype=np.float", "dtype=float").replace("{np.object}", "{object}")
    assert failtexts.legacy_aliases_replaced('s = "np.float"  # np.int\n') == ('s = "np.float"  # np.int\n', ())


def test_a_forged_load_frame_cannot_blank_code_the_grader_added():
    """The child reports the frames of a failed load, so it chooses which line "failed": a line
    of a course helper the grader inlined (``cell_index`` None) had that helper's lines blanked
    and a new child run without it. Only a statement from the notebook is left out now."""
    from types import SimpleNamespace

    from grader.extract import Segment

    program = SimpleNamespace(segments=(Segment(first=1, last=4, function="sigmoid", cell_index=None, cell_line=None),
                                        Segment(first=6, last=9, function="rnn_forward", cell_index=2, cell_line=1)))
    forged = SimpleNamespace(frames=((2, "<module>"),))
    assert loading.failing_segment(forged, program) is None
    assert loading.failing_segment(SimpleNamespace(frames=((7, "<module>"),)), program).function == "rnn_forward"


def test_a_typo_note_does_not_make_the_grader_import_numpy_submodules():
    """``np_f2py`` in a student's function (a name nothing defines) was looked up with
    ``hasattr(numpy, "f2py")``, which imports the submodule in the grading process (NumPy's
    lazy ``__getattr__``): the student's words chose imports of the grader's own process
    (``np_testing``, ``np_f2py``: hundreds of modules, about 0.15 s of CPU each). The note
    is the same; nothing is imported."""
    import subprocess
    import sys

    code = ("import sys\nfrom grader import failtexts, runner  # noqa: F401 (the grading path imports runner)\n"
            "print(failtexts.numpy_typo('np_f2py'), failtexts.numpy_typo('np_testing'), failtexts.numpy_typo('np_zeros'),\n"
            "      repr(failtexts.numpy_typo('np_nothing')), 'numpy.f2py' in sys.modules, 'numpy.testing' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                         cwd=Path(__file__).resolve().parent.parent)
    assert out.stdout.split() == ["np.f2py", "np.testing", "np.zeros", "''", "False", "False"], out.stdout + out.stderr


def test_a_python_file_the_grader_did_not_read_is_shown_short_even_with_nul_bytes(tmp_path: Path, context):
    """Twin counts of one limit: the grader reads a ``.py`` file's text as it is (NUL bytes
    past the first 64 kB included) and left this one unread for its size, while the feedback
    page counted it without its NUL bytes, found it within the limit and showed all of it,
    without the note that none of it was graded. Both now count the same characters."""
    from grader.extract import extract
    from grader.feedback_html import feedback_page
    from grader.notebook import SIZE_LIMITS, load
    from grader.runner import unreadable_result

    limit = SIZE_LIMITS.max_cell_chars
    head = "def rnn_cell_forward(xt, a_prev, parameters):\n    return None\n"
    filler = "#" * 70_000 + "\x00" * 10 + "\n"
    text = head + filler + "#" * (limit + 5 - len(head) - len(filler))
    assert len(text) == limit + 5 and len(text.replace("\x00", "")) == limit - 5
    path = tmp_path / "student.py"
    path.write_bytes(text.encode("utf-8"))
    assert extract(load(path)).unread_cells == (0,)  # the grader did not read it
    result = unreadable_result(context.rubric, submission_id="student", path=str(path), message="(test)")
    page = feedback_page(result, notebook_path=path)
    assert "none of it was graded" in page
    assert "\x00" not in page


@pytest.mark.parametrize("page", ["fails", "not wanted"])
def test_a_page_not_written_leaves_no_earlier_page_vouched_for_by_the_new_key(tmp_path: Path, monkeypatch,
                                                                              context, page):
    """When this run's feedback.html is not written (an exception, logged; or --no-html), the
    folder still held the page of an earlier grading of another version of the notebook; the
    key, which reads back every file it was not told of, vouched for that page, so the next run
    kept it as current and the student read feedback on code they no longer submitted. Now the
    old page is removed before the key is written."""
    import json

    from grader import feedback_html, incremental
    from grader import feedbackpages
    from grader.runner import unreadable_result

    folder = tmp_path / "student"
    folder.mkdir()
    (folder / "feedback.html").write_text("<p>feedback on last week's notebook</p>", encoding="utf-8")
    result = unreadable_result(context.rubric, submission_id="student", path=str(tmp_path / "s.ipynb"),
                               message="(test)")

    def broken(*args, **kwargs):
        raise RuntimeError("renderer failed")

    monkeypatch.setattr(feedback_html, "write_feedback_html", broken)
    batch = incremental.BatchKey(rubric="r", fixtures="f", grader="g")
    feedbackpages._write_page_and_key(result, notebook_path=tmp_path / "s.ipynb", folder=folder, key="k1",
                                 batch=batch, feedback_html=page == "fails", files={})
    record = json.loads((folder / incremental.KEY_FILE).read_text(encoding="utf-8"))
    assert "feedback.html" not in record["files"]
    assert not (folder / "feedback.html").exists()


def test_np_bool_is_not_rewritten_where_numpy_has_it_again():
    """NumPy 1.24 removed ``np.bool``; NumPy 2.0 brought it back as its own boolean type. The
    rewrite made it Python's ``bool`` on the installed NumPy 2 too (``isinstance(x, np.bool)``
    then tests something else) and told the student that ``np.bool`` "is gone from NumPy 1.24
    and later", which is false there. Now a name the installed NumPy defines is left alone."""
    import numpy

    source = "flag = np.bool(1)\nx = np.zeros(2, dtype=np.float)\n"
    replaced, names = failtexts.legacy_aliases_replaced(source)
    if "bool" in vars(numpy):  # NumPy 2
        assert names == ("np.float",) and replaced == "flag = np.bool(1)\nx = np.zeros(2, dtype=float)\n"
    else:  # NumPy 1.24 to 1.26
        assert names == ("np.bool", "np.float") and replaced == "flag = bool(1)\nx = np.zeros(2, dtype=float)\n"


def test_the_alias_rewrite_stays_linear_with_many_strings():
    """The exemption of comments and strings (e893a43) first tested each match against every
    string's span: ``np.float,'',`` repeated 16,000 times (192 kB, within the code limits) cost
    29 s of a worker's CPU (quadratic). The spans are now searched by bisection.
    Signal: a scaling test (CPU at 400 and 3,200 repetitions, tests/scaling.py), not seconds."""
    from tests.scaling import assert_linear

    def program(n: int) -> str:
        """``n`` legacy aliases, each followed by a string literal."""
        return "x = [" + "np.float,''," * n + "]\n"

    replaced, names = failtexts.legacy_aliases_replaced(program(400))
    assert names == ("np.float",) and replaced.count("float,''") == 400
    assert_linear(failtexts.legacy_aliases_replaced, program, 400, what="alias rewrite of n aliases and strings")


def test_typo_notes_for_thousands_of_names_cost_little(monkeypatch):
    """A function may use thousands of undefined ``np_...`` names (within the code limits);
    each note read ``dir(numpy)`` anew (60 us, twice per name): 30,000 names cost about 2 s
    of a worker's CPU. The listing is now read once.
    Signal: a work count (calls of NumPy's ``__dir__`` for 3,000 names), not seconds."""
    import numpy

    listed = []
    real_dir = numpy.__dir__
    monkeypatch.setattr(numpy, "__dir__", lambda: listed.append(1) or real_dir())
    failtexts._numpy_listing.cache_clear()
    notes = [failtexts.numpy_typo(f"np_x{k}") for k in range(3_000)]
    assert notes == [""] * 3_000 and failtexts.numpy_typo("np_zeros") == "np.zeros"
    assert len(listed) == 1, len(listed)
    failtexts._numpy_listing.cache_clear()  # not a listing of the patched module for later tests
