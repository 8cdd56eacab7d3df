"""Twenty-seventh session: ``check()`` in a kernel against ``grade.py --check`` on the same
notebook, run as a student runs them (the kit, IPython's shell, as ``nobody``). Each test failed
before its fix."""
from __future__ import annotations

import io

from grader import check
from grader.classfiles import DEFAULT_RUBRIC
from grader.selfcheck import EXIT_PASSED, run_check
from tests import notebooks as nbs
from tests.budgets import unhurried_checks
from tests.test_live import course_module, notebook_namespace  # noqa: F401 - a fixture

#: lstm_cell_forward written with a helper of the notebook's own whose name starts with an
#: underscore (a "private" helper): right, and the grade reads the helper with the function.
HELPER = '''def _gate(W, b, concat):
    """One sigmoid gate."""
    return sigmoid(np.dot(W, concat) + b)


''' + nbs.COURSE_CELLS["lstm_cell_forward"].replace(
    'ft = sigmoid(np.dot(Wf, concat) + bf)', 'ft = _gate(Wf, bf, concat)')


def test_a_helper_named_with_an_underscore_is_the_notebooks_own_in_check_too(tmp_path, course_module,  # noqa: F811
                                                                           monkeypatch):
    # check() rebuilt the notebook from the kernel's names but left out every name starting with
    # "_" (IPython's _, _i3, _7...), the student's own helper with them: "`lstm_cell_forward` uses
    # `_gate`, which is defined outside the function (or nowhere)", a note --check never gives.
    unhurried_checks(monkeypatch)  # check() stops a call on wall time, which a loaded machine waits
    assert "ft = _gate(Wf, bf, concat)" in HELPER
    nb = nbs.course_notebook({"lstm_cell_forward": HELPER})
    out = io.StringIO()
    assert run_check(nbs.write(tmp_path / "helper.ipynb", nb), rubric=DEFAULT_RUBRIC, stream=out) == EXIT_PASSED
    assert "_gate" not in out.getvalue(), out.getvalue()

    namespace = notebook_namespace(nb, tmp_path)
    # what IPython binds after a cell that shows a function: its output names, never the student's
    namespace.update({"_": namespace["rnn_forward"], "_5": namespace["rnn_forward"], "_i5": "rnn_forward"})
    live = io.StringIO()
    summary = check(namespace=namespace, stream=live)
    assert summary is not None and summary.ok, live.getvalue()
    assert "_gate" not in live.getvalue(), live.getvalue()
