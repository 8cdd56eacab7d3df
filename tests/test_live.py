"""``check()`` on live functions: the in-process session, and the same verdicts as --check."""
from __future__ import annotations

import io
import linecache
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from grader.classfiles import DEFAULT_RUBRIC
from grader.course import COURSE_MODULES
from grader.live import LiveProgram, LiveSession, check, find_aliases, grade_live
from grader.models import PASSED
from grader.runner import grade_submission
from grader.sandbox import FALLBACK
from grader.selfcheck import CheckSummary, load_public_context
from tests import notebooks as nbs

REPO = Path(__file__).resolve().parents[1]


# --------------------------------------------------------------------------- helpers


def run_cells(sources: list[str], folder: Path, *, name: str = "student_notebook") -> dict:
    """Execute cells one by one in a fresh namespace, as a kernel does: each cell its own code file,
    registered in linecache so that its source can be read back."""
    ns: dict = {"__name__": name}
    for i, source in enumerate(sources):
        filename = str(folder / f"cell-{i}.py")
        linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
        exec(compile(source, filename, "exec"), ns)
    return ns


@pytest.fixture
def course_module(tmp_path, monkeypatch):
    """``rnn_utils`` importable, as in the course's folder."""
    helpers = "import numpy as np\n\n" + "\n\n".join(COURSE_MODULES["rnn_utils"].values())
    (tmp_path / "rnn_utils.py").write_text(helpers)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "rnn_utils", raising=False)
    return tmp_path


def notebook_namespace(nb: dict, folder: Path) -> dict:
    """The namespace a kernel holds after running every code cell of ``nb`` in order."""
    sources = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]
    with io.StringIO() as sink:
        old, sys.stdout = sys.stdout, sink
        try:
            return run_cells(sources, folder)
        finally:
            sys.stdout = old


@pytest.fixture(scope="module")
def context():
    """The public context of the default rubric."""
    return load_public_context(DEFAULT_RUBRIC)


def facts(result) -> dict:
    """What must agree between --check and check(): per part status and notes, per case status,
    diagnosis, failed checks and line of the error."""
    out = {}
    for part in result.parts:
        out[part.function] = (part.status, tuple(sorted(part.notes)), tuple(
            (c.status, c.diagnosis.id if c.diagnosis else None,
             tuple(ch.name for ch in c.checks if not ch.passed),
             c.location.line if c.location else None)
            for c in part.cases))
    return out


VARIANTS = {
    "correct": {},
    "missing bias": nbs.mutate("rnn_cell_forward", "+ ba)", ")"),
    "raises": nbs.mutate("rnn_cell_backward", "dxt = np.dot(Wax.T, dtanh)", "dxt = np.dot(Wax, dtanh)"),
    "placeholder": nbs.mutate("lstm_cell_forward", "cct = np.tanh(np.dot(Wc, concat) + bc)", "cct = None"),
    "missing": {"rnn_backward": "# I did not do this one\n"},
    "renamed": {"rnn_forward": nbs.COURSE_CELLS["rnn_forward"].replace("def rnn_forward(", "def rnn_foward(")},
    "no recurrence": nbs.mutate("rnn_backward", "da[:, :, t] + da_prevt", "da[:, :, t]"),
    "y not stored": nbs.mutate("rnn_forward", "y_pred[:, :, t] = yt_pred", "pass"),
    "writes into xt": nbs.mutate("rnn_cell_forward", "    cache = (a_next, a_prev, xt, parameters)",
                                 "    xt *= 1.0\n    xt[0, 0] = 99.0\n    cache = (a_next, a_prev, xt, parameters)"),
    "aliased view": nbs.mutate("lstm_forward", "        caches.append(cache)",
                               "        caches.append(cache[:1] + (c[:, :, 0],) + cache[2:])\n"
                               "        c[:, :, 0] = 0.5"),
    "uses a test cell's Wya": nbs.mutate("rnn_cell_forward", "Wya = parameters[\"Wya\"]", "pass"),
}


# --------------------------------------------------------------------------- same verdicts


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_live_verdicts_are_the_self_check_verdicts(variant, tmp_path, course_module, context, sandbox):
    extra = [nbs.code_cell("Wya = np.random.randn(2, 5)\n")] if "Wya" in variant else []
    nb = nbs.course_notebook(VARIANTS[variant], extra_cells=extra)
    path = nbs.write(tmp_path / "student.ipynb", nb)
    from_file = grade_submission(path, context=context, sandbox=sandbox)
    namespace = notebook_namespace(nb, tmp_path)
    if "Wya" in variant:
        assert "Wya" in namespace  # live, the function would find it; the grader's program would not
    live, _ = grade_live(namespace, context=context)
    assert facts(live) == facts(from_file)
    assert live.points == pytest.approx(from_file.points)
    if variant == "correct":
        assert all(p.status == PASSED for p in live.parts)
    else:
        assert any(p.status != PASSED for p in live.parts)


def test_check_prints_the_verdicts_and_returns_a_frozen_summary(tmp_path, course_module):
    nb = nbs.course_notebook({**VARIANTS["missing bias"], **VARIANTS["placeholder"]})
    namespace = notebook_namespace(nb, tmp_path)
    out = io.StringIO()
    summary = check(namespace=namespace, stream=out)
    text = out.getvalue()
    assert isinstance(summary, CheckSummary) and not summary.ok
    assert summary.verdict("rnn_cell_forward") == "failed"
    assert summary.verdict("lstm_cell_forward") == "not implemented"
    assert summary.verdict("rnn_forward") == "passed"
    assert "likely mistake: Your hidden state leaves out the bias ba" in text
    assert "cct = None" in text
    with pytest.raises(AttributeError):
        summary.cases_passed = 6  # type: ignore[misc]


def test_check_one_function_and_error_location(tmp_path, course_module):
    namespace = notebook_namespace(nbs.course_notebook(VARIANTS["raises"]), tmp_path)
    out = io.StringIO()
    summary = check("rnn_cell_backward", namespace=namespace, stream=out)
    assert summary.verdicts == (("rnn_cell_backward", "raised an error"),)
    text = out.getvalue()
    assert "Raised ValueError" in text
    assert ">   dxt = np.dot(Wax, dtanh)" in text  # the student's own line


def test_check_defaults_to_the_callers_namespace(tmp_path, course_module):
    sources = ["import numpy as np\nfrom rnn_utils import *\n", nbs.COURSE_CELLS["rnn_cell_forward"],
               "import io\nfrom grader import check\nbuf = io.StringIO()\n"
               "summary = check('rnn_cell_forward', stream=buf)\n"]
    namespace = run_cells(sources, tmp_path)
    assert namespace["summary"].ok, namespace["buf"].getvalue()
    assert namespace["summary"].verdicts == (("rnn_cell_forward", "passed"),)


def test_unknown_function_is_said_not_raised(tmp_path):
    out = io.StringIO()
    summary = check("gru_forward", namespace={}, stream=out)
    assert not summary.ok and summary.verdicts == ()
    assert "gru_forward" in out.getvalue()


def test_nothing_defined_is_missing_everywhere():
    out = io.StringIO()
    summary = check(namespace={"__name__": "empty"}, stream=out)
    assert {v for _, v in summary.verdicts} == {"missing"}


# --------------------------------------------------------------------------- the session


def session_for(code: str, tmp_path: Path, **kw) -> tuple[LiveSession, dict, LiveProgram]:
    """A live session over the namespace of ``code`` (one cell), its namespace and program."""
    ns = run_cells([code], tmp_path, name="student_code")
    program = LiveProgram()
    files = frozenset({str(tmp_path / "cell-0.py")})
    return LiveSession(ns, program=program, student_files=files, **kw), ns, program


def readonly(*shape):
    """A read-only float array of ``shape``, as fixture arrays are."""
    a = np.arange(float(np.prod(shape))).reshape(shape)
    a.setflags(write=False)
    return a


def test_load_is_ok_and_missing_function_is_missing(tmp_path):
    session, _, _ = session_for("x = 1\n", tmp_path)
    assert session.load.status == "ok"
    assert session.call("nope", ()).status == "missing"
    assert session.call("x", ()).status == "missing"  # not callable


def test_arguments_are_writable_copies_and_changes_are_reported(tmp_path):
    session, _, _ = session_for("def f(a):\n    a[0, 0] = -1.0\n    return a.sum()\n", tmp_path)
    arg = readonly(2, 3)
    outcome = session.call("f", (arg,))
    assert outcome.status == "ok"
    assert arg[0, 0] == 0.0  # the fixture is untouched
    assert outcome.args_after[0][0, 0] == -1.0
    assert outcome.value == pytest.approx(arg.sum() - 1.0)


def test_returned_values_are_plain_copies_and_aliases_are_found(tmp_path):
    session, _, _ = session_for(
        "def f(a):\n    b = a * 2\n    return b, b[0], a\n", tmp_path)
    outcome = session.call("f", (readonly(2, 3),))
    assert outcome.status == "ok"
    assert ("result[0]", "result[1]") in outcome.aliases
    assert ("result[2]", "args[0]") in outcome.aliases
    assert not np.shares_memory(outcome.value[0], outcome.value[1])  # the wire copied them
    assert find_aliases((np.ones(3), np.ones(3)), ()) == ()


def test_a_stub_is_used_for_the_call_only_and_restored(tmp_path):
    code = ("def dep(x):\n    return x + 100.0\n\n"
            "def f(x):\n    return dep(x) + 1.0\n\n"
            "def g(x):\n    dep(x)\n    raise KeyError('boom')\n")
    session, ns, _ = session_for(code, tmp_path)
    original = ns["dep"]
    seen = []

    def handler(args):
        seen.append(args)
        return np.zeros(2)

    outcome = session.call("f", (np.ones(2),), stubs={"dep": handler})
    assert outcome.value.tolist() == [1.0, 1.0] and len(seen) == 1
    assert ns["dep"] is original
    outcome = session.call("f", (np.ones(2),), stubs={"dep": lambda args: FALLBACK})
    assert outcome.value.tolist() == [102.0, 102.0]
    outcome = session.call("g", (np.ones(2),), stubs={"dep": handler})
    assert outcome.status == "error" and outcome.error_type == "KeyError"
    assert ns["dep"] is original


def test_a_grader_error_in_a_stub_is_raised_not_blamed_on_the_student(tmp_path):
    session, ns, _ = session_for("def dep(x):\n    return x\n\ndef f(x):\n    return dep(x)\n", tmp_path)

    def broken(args):
        raise ZeroDivisionError("grader bug")

    with pytest.raises(ZeroDivisionError):
        session.call("f", (1.0,), stubs={"dep": broken})
    assert ns["dep"].__name__ == "dep" and ns["dep"].__code__.co_filename.endswith("cell-0.py")


def test_hidden_global_names_raise_as_in_the_grader_and_come_back(tmp_path):
    session, ns, _ = session_for("W = 3.0\n\ndef f(x):\n    return W * x\n", tmp_path,
                                 hidden={"f": frozenset({"W"})})
    outcome = session.call("f", (2.0,))
    assert outcome.status == "error" and outcome.error_type == "NameError"
    assert ns["W"] == 3.0


def test_exceptions_point_at_the_students_line(tmp_path):
    code = "def helper(x):\n    return x[5]\n\ndef f(x):\n    y = x + 1\n    return helper(y)\n"
    session, _, program = session_for(code, tmp_path)
    outcome = session.call("f", (np.ones(2),))
    assert outcome.status == "error" and outcome.error_type == "IndexError"
    assert [program.locate(n) for n, _ in outcome.frames] == [(None, 6, "f"), (None, 2, "helper")]
    assert "IndexError: index 5 is out of bounds" in outcome.message


def test_timeout_stops_an_endless_loop_even_under_except_exception(tmp_path):
    code = "def f():\n    while True:\n        try:\n            pass\n        except Exception:\n            pass\n"
    session, _, _ = session_for(code, tmp_path)
    before = signal.getsignal(signal.SIGALRM)
    outcome = session.call("f", (), timeout=0.3)
    assert outcome.status == "timeout" and 0.25 < outcome.seconds < 3
    assert signal.getsignal(signal.SIGALRM) is before
    assert signal.getitimer(signal.ITIMER_REAL)[0] == 0


def test_a_timeout_says_where_the_students_code_was(tmp_path):
    # Thirty-fourth session: check()'s outcome out of time holds the student's frames at the alarm,
    # from which the runner names the line and the loop (as the sandbox's child now says them).
    code = "def helper(x):\n    return x + 1\n\ndef f():\n    t = 0\n    while t < 3:\n        helper(t)\n"
    session, _, program = session_for(code, tmp_path)
    outcome = session.call("f", (), timeout=0.3)
    assert outcome.status == "timeout"
    places = [program.locate(n) for n, _ in outcome.frames]
    assert places and places[0][2] == "f" and places[0][1] in (6, 7), places  # the loop's test or its body
    assert all(place in ((None, 6, "f"), (None, 7, "f"), (None, 1, "helper"), (None, 2, "helper"))
               for place in places), places


def test_prints_are_captured_and_sys_exit_is_an_error(tmp_path):
    session, _, _ = session_for("import sys\ndef f():\n    print('hello')\n    sys.exit(3)\n", tmp_path)
    outcome = session.call("f", ())
    assert outcome.status == "error" and outcome.error_type == "SystemExit"
    assert outcome.output == "hello\n"


def test_keyboard_interrupt_is_the_users_and_propagates(tmp_path):
    session, _, _ = session_for("def f():\n    raise KeyboardInterrupt\n", tmp_path)
    with pytest.raises(KeyboardInterrupt):
        session.call("f", ())


def test_a_value_that_is_not_plain_data_is_bad_output(tmp_path):
    session, _, _ = session_for("def f():\n    return object()\n", tmp_path)
    assert session.call("f", ()).status == "bad_output"


# --------------------------------------------------------------------------- imports and a real kernel


def test_importing_check_is_light():
    script = ("import sys\nfrom grader import check\n"
              "print(sorted(m for m in ('numpy', 'matplotlib', 'nbconvert', 'yaml', 'grader.runner') "
              "if m in sys.modules))\n")
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "[]", done.stderr


@pytest.mark.slow
def test_check_in_a_real_kernel():
    """A notebook run by nbclient: check() finds the cell and line of an error by execution count."""
    import nbclient
    import nbformat

    helpers = "\n\n".join(COURSE_MODULES["rnn_utils"].values())
    raising = nbs.course_notebook(VARIANTS["raises"])
    function_cells = ["".join(c["source"]) for c in raising["cells"]
                      if c["cell_type"] == "code" and "def " in "".join(c["source"])]
    sources = [f"import sys\nsys.path.insert(0, {str(REPO)!r})\nimport numpy as np\n", helpers]
    sources += function_cells
    sources.append("from grader import check\nsummary = check()\n")
    sources.append("print('SUMMARY', summary.ok, summary.verdict('rnn_cell_backward'), "
                   "summary.verdict('rnn_forward'))\n"
                   "print('RESTORED', rnn_cell_forward.__code__.co_filename != check.__code__.co_filename)\n")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])
    nbclient.NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    text = {i: "".join(o.get("text", "") for o in cell.outputs if o.get("output_type") == "stream")
            for i, cell in enumerate(nb.cells)}
    report, final = text[len(sources) - 2], text[len(sources) - 1]
    backward = next(i for i, s in enumerate(sources) if "def rnn_cell_backward" in s)
    count = nb.cells[backward].execution_count
    line = sources[backward].splitlines().index(
        next(s for s in sources[backward].splitlines() if "dxt = np.dot(Wax, dtanh)" in s)) + 1
    assert f"at In [{count}], line {line}, in rnn_cell_backward" in report, report
    # said once, in Jupyter's words: the message no longer adds the engine's "(cell 7, ...)" (cell = count)
    assert f"(cell {count}, line {line}, in rnn_cell_backward)" not in report
    assert ">   dxt = np.dot(Wax, dtanh)" in report
    assert "rnn_forward        passed" in report
    assert "SUMMARY False raised an error passed" in final
    assert "RESTORED True" in final


def test_check_says_a_size_written_as_a_number_as_the_self_check_does(tmp_path, course_module):
    # Thirty-third session: `--check` says it under the function; check() in Jupyter said "passed".
    nb = nbs.course_notebook(nbs.mutate("rnn_forward", "a = np.zeros((n_a, m, T_x))", "a = np.zeros((5, 10, 4))"))
    namespace = notebook_namespace(nb, tmp_path)
    out = io.StringIO()
    summary = check("rnn_forward", namespace=namespace, stream=out)
    text = out.getvalue()
    assert summary.ok, text
    assert "note: `rnn_forward` writes sizes as numbers (5, 10, 4), those of the public case: " in text, text
    assert "line 10: `a = np.zeros((5, 10, 4))`" in text and "Read the note under rnn_forward too" in text, text
