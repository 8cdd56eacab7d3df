"""The twenty-first session's second review: ways the session's merged changes could be broken,
each rebuilt from the tests' course notebook and run through the real grader."""
from __future__ import annotations

from pathlib import Path

from grader.commands import function_sources
from grader.models import PASSED
from grader.runner import grade_submission
from tests import notebooks as nbs

# A right rnn_cell_forward written under another name, then given the graded name (ed13296).
_RENAMED = nbs.COURSE_CELLS["rnn_cell_forward"].replace("def rnn_cell_forward(", "def rnn_cell_fwd(")
ALIASED = nbs.course_notebook({"rnn_cell_forward": _RENAMED + "\n\nrnn_cell_forward = rnn_cell_fwd\n"})


def test_the_similarity_check_compares_the_function_an_alias_names(tmp_path, context, sandbox):
    # The similarity check compares the graded functions' sources (functions.json). An alias
    # stored "rnn_cell_forward = rnn_cell_fwd" there, so a classmate's function copied under
    # another name and aliased was never compared.
    path = nbs.write(tmp_path / "aliased.ipynb", ALIASED)
    result = grade_submission(path, context=context, sandbox=sandbox)
    assert result.part("rnn_cell_forward").status == PASSED
    source = result.extra["sources"]["rnn_cell_forward"]
    assert source.startswith("def rnn_cell_fwd(xt, a_prev, parameters):") and "np.tanh" in source, source
    # The notebook's own extraction (a harness failure's fallback, the known and starter sources).
    assert function_sources(path, names=["rnn_cell_forward"])["rnn_cell_forward"] == source
