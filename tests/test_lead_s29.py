"""What a student whose file could not be read is told: the reason, then what to do.

Before the twenty-ninth session the feedback of a truncated notebook said "not JSON (truncated at
byte 2793)" and nothing more, then listed its 24 cases as "missing", as if no function had been
written. It now says what to do about that kind of file (damaged, over the size bound, or one the
grader itself could not open) and shows every part as "not graded", without case lines. Every file
here is made by the test.
"""
from __future__ import annotations

import io
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from grader.notebook import DAMAGED, GRADER_SIDE, TOO_BIG, SubmissionError, load
from grader.runner import unreadable_advice
from tests import notebooks as nbs

REPO = Path(__file__).resolve().parents[1]


def _truncated(path: Path) -> Path:
    whole = json.dumps(nbs.course_notebook())
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(whole[: len(whole) // 2], encoding="utf-8")
    return path


def test_a_class_run_tells_the_student_what_to_do_with_a_damaged_notebook(tmp_path):
    """Through grade.py: feedback.md, feedback.html and results.json (Gradescope's) each say the
    reason once and the advice once; the parts are "not graded" and no case is listed."""
    _truncated(tmp_path / "class" / "donald.ipynb")
    nbs.write(tmp_path / "class" / "ada.ipynb", nbs.course_notebook())
    done = subprocess.run([sys.executable, "grade.py", str(tmp_path / "class"), "--out", str(tmp_path / "out"),
                           "--no-similarity"], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    folder = tmp_path / "out" / "donald"
    markdown = (folder / "feedback.md").read_text(encoding="utf-8")
    page = (folder / "feedback.html").read_text(encoding="utf-8")
    output = json.loads((folder / "results.json").read_text(encoding="utf-8"))["output"]
    for text in (markdown, page, output):
        assert text.count("not JSON (truncated at byte") == 1, text
        assert text.count("What to do: every part shows 0 because the file could not be read") == 1, text
        assert "Jupyter" in text and "submit the saved file again" in text
    assert markdown.count("| not graded |") == 6, markdown
    for gone in ("missing", "hidden case", "assignment example"):
        assert gone not in markdown and gone not in page, gone
    tests = json.loads((folder / "results.json").read_text(encoding="utf-8"))["tests"]
    assert [(t["name"], t["output"]) for t in tests] == [
        (name, "not graded: the file could not be read (above)")
        for name in ("rnn_cell_forward", "rnn_forward", "lstm_cell_forward", "lstm_forward", "rnn_cell_backward",
                     "rnn_backward")]
    assert 'href="#grader-part-' not in page and "<th>where</th>" not in page  # no block to link to
    # A graded classmate's feedback is as before: its parts' blocks, no advice.
    ada = (tmp_path / "out" / "ada" / "feedback.md").read_text(encoding="utf-8")
    assert "What to do" not in ada and "not graded" not in ada and "hidden case 1: passed" in ada


@pytest.mark.parametrize("make, about, words", [
    (lambda p: _truncated(p / "a.ipynb"), DAMAGED, "opens in Jupyter"),
    (lambda p: (p / "a.ipynb").write_bytes(b"PK\x03\x04\x00zip") and p / "a.ipynb", DAMAGED, "opens in Jupyter"),
    (lambda p: (p / "a.py").write_text("   \n") and p / "a.py", DAMAGED, "an editor opens it"),
    (lambda p: p / "gone.ipynb", GRADER_SIDE, "ask your instructor to grade it again"),
])
def test_each_kind_of_unreadable_file_gets_its_own_advice(tmp_path, make, about, words):
    path = make(tmp_path)
    with pytest.raises(SubmissionError) as raised:
        load(path)
    assert raised.value.about == about
    assert words in unreadable_advice(raised.value.about, path)


def test_a_notebook_over_the_size_bound_is_told_to_clear_its_outputs(tmp_path, context, sandbox):
    from grader.runner import grade_submission

    path = nbs.write(tmp_path / "big.ipynb", nbs.course_notebook())
    with pytest.raises(SubmissionError) as raised:
        load(path, max_bytes=100)
    assert raised.value.about == TOO_BIG
    advice = unreadable_advice(TOO_BIG, path)
    assert "Clear All Outputs" in advice
    # grade_submission gives the advice of the reason it met (here a damaged file).
    bad = _truncated(tmp_path / "bad.ipynb")
    result = grade_submission(bad, context=context, sandbox=sandbox)
    assert result.messages[1] == unreadable_advice(DAMAGED, bad)


def test_the_self_check_says_its_own_advice_once(tmp_path):
    """``--check`` prints the reason with its own advice (``selfcheck._unreadable``): the
    result's advice is not printed again."""
    from grader.classfiles import DEFAULT_RUBRIC
    from grader.selfcheck import run_check

    path = _truncated(tmp_path / "ada.ipynb")
    out = io.StringIO()
    run_check(path, rubric=DEFAULT_RUBRIC, stream=out)
    text = out.getvalue()
    assert "not JSON (truncated at byte" in text and "What to do" not in text, text
    assert text.count("Open it in Jupyter") == 1, text


def test_a_grader_failure_is_not_graded_either(context):
    """A submission the grader failed on listed its 24 cases as "grader error" under red crosses,
    as if they were the student's; now its parts are "not graded", once each, below the message."""
    from grader.batch import _harness_failure
    from grader.feedback_html import summary_html
    from grader.models import GRADER_FAILED
    from grader.report import feedback_markdown, gradescope_results

    result = _harness_failure(context, "ada", "/c/ada.ipynb", "Traceback ...")
    markdown = feedback_markdown(result)
    assert GRADER_FAILED in markdown and markdown.count("| not graded |") == len(context.rubric.parts)
    assert "❌" not in markdown and "hidden case" not in markdown
    page = summary_html(result, placed=set())
    assert "not graded" in page and "grader error" not in page and "hidden case" not in page
    tests = gradescope_results(result)["tests"]
    assert {t["output"] for t in tests} == {"not graded: the grader failed on it (above)"}
    assert len(tests) == len(context.rubric.parts)


def test_the_class_report_says_whom_the_bonus_cases_passed_count(tmp_path, context, sandbox):
    """The parts' table gave the bonus "cases passed 42%" of the 8 notebooks of 82 that tried it
    beside "full marks 1 (1%)" of all 82, with nothing saying the two count different students."""
    from grader.classreport import class_report_html
    from grader.runner import grade_submission

    results = [grade_submission(nbs.write(tmp_path / f"{name}.ipynb", nb), context=context, sandbox=sandbox)
               for name, nb in (("ada", nbs.course_notebook(extra_cells=nbs.imdb_cells())),
                                ("bob", nbs.course_notebook()), ("cy", nbs.course_notebook()))]
    assert [r.part("imdb_report").status for r in results][1:] == ["not_attempted"] * 2
    page = class_report_html(results, rubric=context.rubric)
    assert ("<code>imdb_report</code>: cases passed among the 1 submission(s) that attempted it; "
            "full marks of all 3.") in page
    assert page.count("cases passed among") == 1  # the graded functions were attempted by all


# --------------------------------------------------------------------------- words of the runner's verdicts

_SLOW_CELL = nbs.mutate("rnn_cell_forward", "def rnn_cell_forward(xt, a_prev, parameters):",
                        "def rnn_cell_forward(xt, a_prev, parameters):\n    import time; time.sleep(0.2)")


def test_a_composite_late_because_of_a_slow_helper_says_where_to_look(tmp_path, context, sandbox):
    """rnn_forward, correct, ran with the student's own rnn_cell_forward (0.2 s a call, under its
    own cases' limit): four steps passed rnn_forward's 0.5 s, and it was told only "look for a
    loop that never ends"."""
    from grader.runner import grade_submission

    result = grade_submission(nbs.write(tmp_path / "slow.ipynb", nbs.course_notebook(_SLOW_CELL)),
                              context=context, sandbox=sandbox)
    assert result.part("rnn_cell_forward").status == "passed"
    [timed_out] = [c for c in result.part("rnn_forward").cases if c.status == "timeout"]
    # Since the thirty-fourth session the child says where it was: the loop and the slow call in it.
    assert timed_out.message == (
        "`rnn_forward` did not return within 0.5 s. When the time ran out it was running cell 7 (In [4]), line 14, "
        "in rnn_forward, in the `for` loop of line 13 (`for t in range(T_x):`), in its call of `rnn_cell_forward` "
        "(cell 4 (In [2]), line 4): look there for a loop that never ends, or for code far slower than it needs "
        "to be (a correct solution takes milliseconds here).")


def test_cases_left_without_time_say_how_much_a_notebook_gets(tmp_path, context):
    from grader.runner import grade_submission
    from grader.sandbox import Limits, Sandbox

    with Sandbox(limits=Limits(call_timeout=1.0, submission_timeout=0.7)) as box:
        result = grade_submission(nbs.write(tmp_path / "slow.ipynb", nbs.course_notebook(_SLOW_CELL)),
                                  context=context, sandbox=box)
    told = {c.message for p in result.parts for c in p.cases if c.message.startswith("Not run: the calls")}
    assert told == {"Not run: the calls before it used up the 0.7 s the grader gives one notebook in all (its "
                    "time budget). Code that is very slow or waits (sleep, input, a loop that never ends) used "
                    "it: make that code faster and this case runs."}, told


def test_an_answer_written_into_the_graders_pipe_is_named_so(tmp_path, context, sandbox):
    """Bytes written to the child's channel (fd 3) were told "Returned something that is not
    arrays, numbers, tuples, lists or dicts: the program interfered with the grader's channel"."""
    from grader.runner import grade_submission

    forged = nbs.mutate("rnn_cell_backward", "def rnn_cell_backward(da_next, cache):",
                        "def rnn_cell_backward(da_next, cache):\n    import os, time\n"
                        "    os.write(3, (200).to_bytes(8, 'big') + b'x' * 200)\n    time.sleep(2)")
    result = grade_submission(nbs.write(tmp_path / "forged.ipynb", nbs.course_notebook(forged)),
                              context=context, sandbox=sandbox)
    message = result.part("rnn_cell_backward").cases[0].message
    assert message.startswith("Its answer could not be read: code in the notebook wrote into, or closed, the "
                              "pipe the grader reads answers from"), message
    assert "Returned something" not in message and "channel" not in message


def test_an_answer_over_the_wires_bound_is_told_to_check_shapes():
    from grader.failtexts import bad_output_text
    from grader.conversation import ANSWER_TOO_LARGE
    from grader.sandbox import CallOutcome

    told = bad_output_text(CallOutcome("bad_output", error_type="ProtocolError",
                                        message=f"the program interfered with the grader's channel: {ANSWER_TOO_LARGE}"))
    assert told.startswith("Returned more data than the grader takes from one call: check the shapes")
    plain = bad_output_text(CallOutcome("bad_output", message="a generator is not plain data"))
    assert plain == ("Returned something the grader cannot take (arrays, numbers, tuples, lists and dicts holding "
                     "only those): a generator is not plain data")


def test_the_summary_line_and_the_report_say_whom_their_figures_count(tmp_path):
    """The run's last lines said "mean 87.0" of the graded submissions while report.html said
    "mean 72.5" with the unreadable one as 0, and neither said which it was."""
    _truncated(tmp_path / "class" / "donald.ipynb")
    nbs.write(tmp_path / "class" / "ada.ipynb", nbs.course_notebook())
    done = subprocess.run([sys.executable, "grade.py", str(tmp_path / "class"), "--out", str(tmp_path / "out"),
                           "--no-similarity"], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    text = done.stdout + done.stderr
    assert "Graded 1 of 2 in " in text and "; of the 1 graded: min 100 · median 100 · mean 100.0" in text, text
    assert ("Unreadable submissions (0 points each in grades.csv, and in report.html's figures): donald"
            in text), text
    page = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert '<b>50.0</b>mean' in page  # (100 + 0) / 2
    assert "Mean, median, min and max count each unreadable submission as 0 points" in page


def test_the_bonus_names_cells_with_their_prompt_as_the_rest_of_the_feedback():
    """The IMDB bonus's lines said "LSTM (cell 24)" where the functions' feedback said "cell 24,
    In [18]" of the same notebook (twenty-eighth session)."""
    import itertools

    from grader.imdb import ImdbConfig, score_imdb
    from grader.notebook import loads

    nb = nbs.course_notebook(extra_cells=nbs.imdb_cells())
    counts = itertools.count(3)
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            cell["execution_count"] = next(counts)
    notebook = loads(json.dumps(nb).encode(), path="a.ipynb")
    feedback = score_imdb(notebook, config=ImdbConfig()).feedback
    fits = [c for c in notebook.cells if "LSTM(" in c.source and ".fit(" in c.source]
    assert fits and fits[0].prompt is not None
    assert any(line.startswith(f"LSTM (cell {fits[0].index + 1}, In [{fits[0].prompt}]): ") for line in feedback), feedback


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the filter is Linux's seccomp")
def test_a_students_function_cannot_start_a_program(tmp_path, context, sandbox):
    """A new interpreter started by the student's code (``subprocess.run([sys.executable, "-c",
    code])``) runs a string no note sees: the hostile review found a copy so graded 10 / 10 while a
    decoy was compared. The child's filter now refuses execve (EPERM): the call raises."""
    from grader.runner import grade_submission

    if not sandbox.capabilities.seccomp:
        pytest.skip("no seccomp filter on this machine")
    head = "def rnn_cell_forward(xt, a_prev, parameters):\n"
    cell = nbs.COURSE_CELLS["rnn_cell_forward"].replace(head, head + (
        "    import subprocess, sys\n"
        "    subprocess.run([sys.executable, '-c', 'print(1)'], check=True, capture_output=True)\n"), 1)
    result = grade_submission(nbs.write(tmp_path / "exec.ipynb", nbs.course_notebook({"rnn_cell_forward": cell})),
                              context=context, sandbox=sandbox)
    part = result.part("rnn_cell_forward")
    assert part.status == "error", part
    assert "PermissionError" in part.cases[0].message, part.cases[0].message


#: Ways a graded function could start a new interpreter that runs a string (the copy), each told to
#: write a marker file: none may run (the child's filter refuses execve since d4d9aad).
_START_ROUTES = {
    "subprocess.run": "subprocess.run([sys.executable, '-c', CODE])",
    "os.system": "os.system(shlex.quote(sys.executable) + ' -c ' + shlex.quote(CODE))",
    "os.popen": "os.popen(shlex.quote(sys.executable) + ' -c ' + shlex.quote(CODE)).read()",
    "os.posix_spawn": "os.waitpid(os.posix_spawn(sys.executable, [sys.executable, '-c', CODE], dict(os.environ)), 0)",
    "fork then execv": ("pid = os.fork()\nif pid == 0:\n    try:\n        os.execv(sys.executable, "
                        "[sys.executable, '-c', CODE])\n    finally:\n        os._exit(1)\nos.waitpid(pid, 0)"),
}


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the filter is Linux's seccomp")
@pytest.mark.parametrize("route", sorted(_START_ROUTES))
def test_no_route_starts_a_program_from_a_graded_function(tmp_path, context, sandbox, route):
    from grader.runner import grade_submission

    if not sandbox.capabilities.seccomp:
        pytest.skip("no seccomp filter on this machine")
    head = "def rnn_cell_forward(xt, a_prev, parameters):\n"
    attack = (
        "    import os, shlex, subprocess, sys\n"
        "    marker = os.path.join(os.getcwd(), 'ran')\n"
        "    CODE = 'open(%r, \"w\").write(\"x\")' % marker\n"
        "    try:\n"
        + textwrap.indent(_START_ROUTES[route], " " * 8) + "\n"
        "    except OSError:\n"
        "        pass\n"
        "    raise RuntimeError('RAN' if os.path.exists(marker) else 'BLOCKED')\n")
    cell = nbs.COURSE_CELLS["rnn_cell_forward"].replace(head, head + attack, 1)
    result = grade_submission(nbs.write(tmp_path / "start.ipynb", nbs.course_notebook({"rnn_cell_forward": cell})),
                              context=context, sandbox=sandbox)
    message = result.part("rnn_cell_forward").cases[0].message
    assert "BLOCKED" in message and "RAN" not in message, message
