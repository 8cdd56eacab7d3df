"""Twenty-ninth session's review of new real notebooks (53 of /work/real29, graded once): the
patterns they showed, written by the tests from the course notebook (``tests/notebooks.py``) and
graded through the real grader; each test failed before its fix."""
from __future__ import annotations

import pytest

from grader.notebook import SubmissionError, loads
from tests import notebooks as nbs
from tests.test_live import course_module  # noqa: F401 - a fixture: rnn_utils importable
from tests.test_review_s23 import _grade

# --------------------------------------------------------------------------- caches.append(caches)

#: A real ``rnn_forward`` appended the list to itself where it meant the step's cache: ``a`` and
#: ``y`` are right, ``caches`` holds itself, which no check can compare.
SELF_APPENDED = nbs.mutate("rnn_forward", "caches.append(cache)", "caches.append(caches)")


def test_a_list_appended_to_itself_is_named_as_such(tmp_path, context, sandbox):
    # Before: "the function returned something that is not plain data: value[2][0][0][0]...[0]:
    # nested deeper than 32", a limit the student never chose, about a value with no depth of its
    # own: the list holds itself. The 0 stands (caches cannot be checked); the cause is named.
    result = _grade(tmp_path, nbs.course_notebook(SELF_APPENDED), context, sandbox)
    part = result.part("rnn_forward")
    assert part.points == 0
    text = " ".join(part.notes) + " ".join(str(c.message) for c in part.cases)
    assert "holds itself" in text, text
    assert "nested deeper" not in text, text
    assert "(`value[2][0][0]` is `value[2][0]`; for example" in text, text
    assert result.part("rnn_cell_forward").points == result.part("rnn_cell_forward").max_points


def test_a_list_appended_to_itself_reads_as_text_in_feedback_md(tmp_path, context, sandbox):
    # Thirty-fourth session (helper real): the path bare ("value[2][0][0] is value[2][0]") made the
    # whole sentence a code span in feedback.md, ``Returned something ... was meant)``, for two real
    # notebooks' rnn_forward and lstm_forward.
    from grader.report import feedback_markdown

    text = feedback_markdown(_grade(tmp_path, nbs.course_notebook(SELF_APPENDED), context, sandbox))
    assert "  Returned something the grader cannot take (arrays, numbers, tuples, lists and dicts holding only " \
           "those): the function returned a container that holds itself (`value[2][0][0]` is `value[2][0]`;" in text, text
    assert "``Returned" not in text, text


# --------------------------------------------------------------------------- Markdown named .ipynb

#: A real submission was Jupyter's Markdown export ("Download as Markdown") under the notebook's
#: name: the course's text, the student's code in ```python fences, no JSON.
MARKDOWN_EXPORT = ("# Building your Recurrent Neural Network\n\nSome text.\n\n"
                   "```python\nimport numpy as np\n```\n\n```python\ndef rnn_cell_forward(xt, a_prev, parameters):\n"
                   "    return None\n```\n")


def test_a_markdown_export_named_ipynb_is_named_as_markdown():
    # Before: "x.ipynb: not JSON (Expecting value at line 1, column 1, byte 0)", a parser's words
    # about a file the student never meant as JSON; the 0 stands, the cause and the fix are named.
    with pytest.raises(SubmissionError) as info:
        loads(MARKDOWN_EXPORT.encode(), path="x.ipynb")
    text = str(info.value)
    assert "Markdown" in text and ".ipynb" in text, text
    assert "line 1, column 1" not in text, text


@pytest.mark.parametrize("data", [b"hello", b"{\"cells\": [", b"# a title only\n"])
def test_other_text_that_is_not_json_keeps_the_parser_message(data):
    with pytest.raises(SubmissionError) as info:
        loads(data, path="x.ipynb")
    assert "not JSON" in str(info.value) and "Markdown" not in str(info.value), str(info.value)


def test_check_names_a_list_appended_to_itself_as_the_grade_does(tmp_path, course_module):  # noqa: F811
    # check() in the student's kernel refused the same value with the same "nested deeper than
    # 32"; it shares the grade's words now.
    from grader.live import grade_live
    from tests.budgets import public_context
    from tests.test_review_s22 import _kernel_namespace

    nb = nbs.course_notebook(SELF_APPENDED)
    namespace = _kernel_namespace(["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"], tmp_path)
    live, _ = grade_live(namespace, context=public_context())  # a wall-time limit is not the subject
    part = live.part("rnn_forward")
    text = " ".join(part.notes) + " ".join(str(c.message) for c in part.cases)
    assert part.points == 0
    assert "(`value[2][0][0]` is `value[2][0]`;" in text, text
    assert "nested deeper" not in text, text
