"""The thirty-first session's polish.

feedback.html called a function the notebook does not define "not found" (its table, its block,
a heading "Not found"), where feedback.md, the self-check and the class report say "missing".
The kit and the grader hold nothing newer than Python 3.10, the oldest supported.
"""
from __future__ import annotations

import ast
import html
import re
import sys
from pathlib import Path

import pytest

from grader.classfiles import DEFAULT_RUBRIC
from grader.feedback_html import part_block, summary_html
from grader.kit import write_student_kit
from grader.models import (
    CRASHED, ERROR, FAILED, MISSING, NOT_IMPLEMENTED, PASSED, TIMEOUT, Location, PartResult,
    SubmissionResult,
)
from grader.report import feedback_markdown
from tests.test_feedback_html import case

REPO = Path(__file__).resolve().parent.parent


def _part(name: str, status: str, *, location: Location | None = None) -> PartResult:
    points = 5.0 if status == PASSED else 0.0
    return PartResult(name, name, status, points, 5.0, (case(f"{name}/public-1", status, points, 5.0),),
                      location=location)


def _result(*, status: str = "graded") -> SubmissionResult:
    """One part of each verdict; two missing: one not defined, one defined (cell 2) but not run."""
    parts = (_part("p_passed", PASSED), _part("p_failed", FAILED), _part("p_error", ERROR),
             _part("p_timeout", TIMEOUT), _part("p_crashed", CRASHED),
             _part("p_unwritten", NOT_IMPLEMENTED), _part("p_absent", MISSING),
             _part("p_unrun", MISSING, location=Location(2, 1, "p_unrun")))
    return SubmissionResult(submission_id="ada", path="ada.ipynb", status=status, points=5.0,
                            max_points=40.0, parts=parts)


def _markdown_verdicts(text: str) -> dict[str, str]:
    return dict(re.findall(r"^\| `(\w+)` \| [^|]+ \| ([^|]+) \|$", text, flags=re.M))


def _html_verdicts(text: str) -> dict[str, str]:
    rows = re.findall(r'<tr><td><code>(\w+)</code></td><td class="num">[^<]*</td><td>([^<]*)</td>', text)
    return {name: html.unescape(verdict) for name, verdict in rows}


def test_the_page_and_feedback_md_give_each_part_the_same_verdict():
    result = _result()
    in_markdown = _markdown_verdicts(feedback_markdown(result))
    in_page = _html_verdicts(summary_html(result, placed={"p_unrun"}))
    assert len(in_markdown) == len(result.parts) == len(in_page)
    assert in_page == in_markdown
    assert in_page["p_absent"] == in_page["p_unrun"] == "missing"  # before: "not found" for p_absent


def test_a_function_not_defined_is_missing_in_its_block_and_heading_too():
    result = _result()
    page = summary_html(result, placed={"p_unrun"})
    assert "not found" not in page.lower()
    assert "<h2>Missing</h2>" in page
    assert "p_absent</code>: 0 / 5, missing</h3>" in part_block(result.part("p_absent"), ())


def test_an_unreadable_notebook_s_parts_are_not_graded_on_both():
    result = _result(status="unreadable")
    in_page = _html_verdicts(summary_html(result, placed=set()))
    assert in_page == _markdown_verdicts(feedback_markdown(result))
    assert set(in_page.values()) == {"not graded"}


# --------------------------------------------------------------------------- the oldest Python supported

#: Standard-library names new in Python 3.11 (the tests run on 3.11, so a name of 3.12 or later
#: fails them anyway): a kit or grader using one would raise on a student's 3.10.
_NEW_IN_3_11 = frozenset({
    "tomllib", "ExceptionGroup", "BaseExceptionGroup", "add_note", "StrEnum", "ReprEnum", "verify",
    "Self", "LiteralString", "Never", "assert_never", "assert_type", "reveal_type", "TypeVarTuple",
    "Unpack", "Required", "NotRequired", "dataclass_transform", "get_overloads", "clear_overloads",
    "TaskGroup", "file_digest", "getmembers_static", "getLevelNamesMapping", "cbrt", "exp2", "NOFLAG",
    "get_identifiers", "is_valid", "exception", "UTC", "chdir", "EnumCheck", "global_enum",
})
#: Where those names are the 3.11 ones: an attribute of these modules, or imported from them.
_MODULES_OF_3_11 = frozenset({
    "sys", "typing", "enum", "hashlib", "inspect", "logging", "math", "re", "string", "datetime",
    "contextlib", "asyncio", "builtins",
})


def _sources_for_310(kit_dir: Path) -> dict[str, str]:
    """Every Python file a student's kit holds, and every one of the instructors' grader, grade.py
    and solution (pyproject: requires-python >= 3.10)."""
    found = {f"kit/{p.relative_to(kit_dir)}": p for p in sorted(kit_dir.rglob("*.py"))}
    found.update({str(p.relative_to(REPO)): p for p in (REPO / "grade.py", *sorted((REPO / "grader").rglob("*.py")),
                                                         *sorted((REPO / "solution").rglob("*.py")))})
    return {name: path.read_text(encoding="utf-8") for name, path in found.items()}


def _newer_names(tree: ast.AST) -> list[str]:
    """``module.name`` and ``from module import name`` of ``_NEW_IN_3_11`` (and ``import tomllib``)."""
    said = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in _NEW_IN_3_11 and isinstance(node.value, ast.Name) \
                and node.value.id in _MODULES_OF_3_11:
            said.append(f"line {node.lineno}: {node.value.id}.{node.attr}")
        elif isinstance(node, ast.ImportFrom) and node.module in _MODULES_OF_3_11:
            said += [f"line {node.lineno}: from {node.module} import {a.name}" for a in node.names
                     if a.name in _NEW_IN_3_11]
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            modules = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module]
            said += [f"line {node.lineno}: import {m}" for m in modules if m == "tomllib"]
        elif isinstance(node, ast.Name) and node.id in {"ExceptionGroup", "BaseExceptionGroup"}:
            said.append(f"line {node.lineno}: {node.id}")
    return said


def test_the_kit_and_the_grader_are_python_3_10(tmp_path):
    """Students run the kit on 3.10 (the oldest the kit accepts), 3.12 and 3.13: on each (pyenv's,
    in a fresh venv of NumPy and PyYAML, as nobody) the six notebooks of submissions/ gave the
    3.11 output byte for byte (thirty-first session). The suite runs on 3.11 only, so a construct
    of 3.11 in the kit would reach students first: the grammar (``feature_version``) and the
    standard library's names new in 3.11 are checked here."""
    kit_dir = write_student_kit(tmp_path / "kit", rubric=DEFAULT_RUBRIC)
    sources = _sources_for_310(kit_dir)
    assert "kit/grade.py" in sources and "kit/grader/selfcheck.py" in sources and "grader/runner.py" in sources
    problems = {}
    for name, text in sources.items():
        try:
            tree = ast.parse(text, filename=name, feature_version=(3, 10))
        except SyntaxError as exc:
            problems[name] = [f"line {exc.lineno}: {exc.msg}"]
            continue
        if _newer_names(tree):
            problems[name] = _newer_names(tree)
    assert problems == {}


def test_the_3_10_check_finds_what_it_looks_for():
    # the check above cannot pass by finding nothing: each kind of construct it guards is caught
    with pytest.raises(SyntaxError, match="3.11"):
        ast.parse("try:\n    pass\nexcept* ValueError:\n    pass\n", feature_version=(3, 10))
    code = ("import tomllib\nfrom typing import Self\nimport datetime, contextlib\n"
            "now = datetime.datetime.now(datetime.UTC)\nwith contextlib.chdir('/'):\n    pass\n"
            "raise ExceptionGroup('x', [ValueError()])\n")
    assert sorted(_newer_names(ast.parse(code))) == [
        "line 1: import tomllib", "line 2: from typing import Self", "line 4: datetime.UTC",
        "line 5: contextlib.chdir", "line 7: ExceptionGroup"]
    assert _newer_names(ast.parse("import sys, re\nsys.exc_info()\nre.compile('a')\n")) == []


# --------------------------------------------------------------------------- check() on Python 3.10

_TRY_LOOP = ("def f():\n    while True:\n        try:\n            pass\n        except Exception:\n            pass\n")

#: Whether this Python runs a SIGALRM handler inside the loop above (printed by the script).
_HEARS = ("import signal\n"
          "class Stop(BaseException): pass\n"
          "def ring(signum, frame): raise Stop()\n"
          "signal.signal(signal.SIGALRM, ring)\n"
          + _TRY_LOOP +
          "signal.setitimer(signal.ITIMER_REAL, 0.1)\n"
          "try:\n    f()\nexcept Stop:\n    print('heard')\n")


def _pyenv_pythons() -> list[str]:
    import glob
    return sorted(glob.glob("/root/.pyenv/versions/3.1[0-9].*/bin/python3") +
                  glob.glob("/root/.pyenv/versions/3.9.*/bin/python3"))


@pytest.mark.skipif(not _pyenv_pythons(), reason="no pyenv Pythons here")
def test_only_python_3_10_is_deaf_to_the_alarm_in_a_loop_of_try():
    """Why grader.live traces on 3.10 (_TRY_LOOPS_DEAF): pyenv's 3.10.13 never ran the handler (an
    endless check() in Jupyter, a kernel Ctrl-C could not stop either); 3.9, 3.11, 3.12 and 3.13 did."""
    import subprocess

    deaf = {}
    for python in _pyenv_pythons():
        try:
            done = subprocess.run([python, "-c", _HEARS], capture_output=True, text=True, timeout=5)
            deaf[python] = done.stdout.strip() != "heard"
        except subprocess.TimeoutExpired:
            deaf[python] = True
    assert deaf == {python: "/3.10." in python for python in deaf}


def _student_loop(tmp_path: Path):
    filename = str(tmp_path / "cell-1.py")
    namespace: dict = {}
    exec(compile(_TRY_LOOP, filename, "exec"), namespace)
    return namespace["f"], filename


def test_the_traced_deadline_stops_a_loop_no_alarm_reaches(tmp_path):
    # on 3.11 the alarm would stop it too: here the trace alone (deaf=True, no timer) must
    import time

    from grader import live

    f, filename = _student_loop(tmp_path)
    started = time.monotonic()
    with pytest.raises(live._Timeout):
        with live._traced_deadline(0.2, {filename}, deaf=True):
            f()
    assert 0.19 < time.monotonic() - started < 5
    assert sys.gettrace() is None
    with live._traced_deadline(0.2, {filename}, deaf=False):  # 3.11 on: no trace set
        assert sys.gettrace() is None


def test_the_traced_deadline_leaves_a_debugger_s_trace_alone(tmp_path):
    from grader import live

    def debugger(frame, event, arg):
        return None

    sys.settrace(debugger)
    try:
        with live._traced_deadline(0.2, {"cell-1.py"}, deaf=True):
            assert sys.gettrace() is debugger
    finally:
        sys.settrace(None)


def test_check_on_a_deaf_python_stops_the_loop_with_the_usual_verdict(tmp_path, monkeypatch):
    """LiveSession.call gives the student's cells to the trace: with a timer that never rings (as
    3.10's never reaches the loop), the trace alone stops it, with check()'s usual outcome."""
    import signal
    import types

    from grader import live
    from tests.test_live import session_for

    silent = types.SimpleNamespace(ITIMER_REAL=signal.ITIMER_REAL, SIGALRM=signal.SIGALRM,
                                   getitimer=signal.getitimer, signal=signal.signal,
                                   setitimer=lambda which, seconds: None)
    monkeypatch.setattr(live, "signal", silent)
    monkeypatch.setattr(live, "_TRY_LOOPS_DEAF", True)
    session, _, _ = session_for(_TRY_LOOP, tmp_path)
    outcome = session.call("f", (), timeout=0.3)
    assert outcome.status == "timeout" and 0.25 < outcome.seconds < 5, outcome
    assert sys.gettrace() is None
    right, _, _ = session_for("def f():\n    return 1.5\n", tmp_path)
    assert right.call("f", (), timeout=0.3).status == "ok"
