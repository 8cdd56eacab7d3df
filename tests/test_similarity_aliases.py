"""Aliases (``rnn_cell_forward = rnn_cell_fwd``, ``FunctionSource.alias_of``) against the
similarity check: twenty-second session's review. Each test failed on 8e4d40d."""
from __future__ import annotations

from grader.similaritystage import function_sources
from grader.models import PASSED
from grader.runner import grade_submission
from tests import notebooks as nbs

# A right rnn_cell_forward under another name (a classmate's, copied), then renamed in steps.
_COPIED = nbs.COURSE_CELLS["rnn_cell_forward"].replace("def rnn_cell_forward(", "def f9(")


def test_a_chain_of_nine_aliases_does_not_hide_the_function_from_the_similarity_check(
        tmp_path, context, sandbox):
    # The runner followed an alias eight steps: with nine, functions.json held "f8 = f9" for
    # rnn_cell_forward, which the similarity check compared, while the copy got full points.
    chain = "".join(f"f{k} = f{k + 1}\n" for k in range(8, 0, -1))
    notebook = nbs.course_notebook({"rnn_cell_forward": f"{_COPIED}\n{chain}rnn_cell_forward = f1\n"})
    path = nbs.write(tmp_path / "chained.ipynb", notebook)
    result = grade_submission(path, context=context, sandbox=sandbox)
    assert result.part("rnn_cell_forward").status == PASSED
    source = result.extra["sources"]["rnn_cell_forward"]
    assert source.startswith("def f9(xt, a_prev, parameters):") and "np.tanh" in source, source
    assert function_sources(path, names=["rnn_cell_forward"])["rnn_cell_forward"] == source


def test_aliases_that_name_each_other_end_at_the_copied_def(tmp_path, context, sandbox):
    # g = f9, then f9 = g: following the names alone goes round (it must end). As Python runs the
    # notebook, g and then rnn_cell_forward are the def f9 (graded as such since the fairness
    # review: the def runs just before g = f9), so that def is what the similarity check compares,
    # not the alias line "rnn_cell_forward = g", which let a copy pass unseen once the grade
    # gave it full points (the two helpers' merges together; the lead's fix).
    notebook = nbs.course_notebook({"rnn_cell_forward": f"{_COPIED}\ng = f9\nf9 = g\nrnn_cell_forward = g\n"})
    path = nbs.write(tmp_path / "cycle.ipynb", notebook)
    source = function_sources(path, names=["rnn_cell_forward"])["rnn_cell_forward"]
    assert source.startswith("def f9(xt, a_prev, parameters):") and "np.tanh" in source, source
    result = grade_submission(path, context=context, sandbox=sandbox)
    assert result.part("rnn_cell_forward").status == PASSED
    assert result.extra["sources"]["rnn_cell_forward"] == source


def test_one_students_huge_integer_does_not_stop_the_similarity_check_of_the_class():
    # A constant of more than 4,300 digits (0x and 4,000 f) in one student's function: the
    # normalisation wrote it with repr, which raised ValueError, and the class run printed
    # "Similarity check failed" and wrote no similarity.csv: no copy anywhere was flagged.
    from tests.test_similarity import _own_style
    from grader.similarity import find_similar

    subs = {f"s{k}": _own_style(k) for k in range(8)}
    subs["copy"] = {"f": subs["s3"]["f"].replace("v", "w")}
    subs["mallory"] = {"f": "def f(x):\n    return x + 0x" + "f" * 4000 + "\n"}
    report = find_similar(subs)
    assert {(p.a, p.b) for p in report.flagged} in ({("copy", "s3")}, {("s3", "copy")})


def test_a_copy_hidden_in_a_class_and_aliased_is_what_the_similarity_check_compares(
        tmp_path, context, sandbox):
    # `rnn_cell_forward = Helper.copied` is graded since the fairness review (a static method);
    # the similarity check compared that one line, so a classmate's function copied into a class
    # got full points unseen. It now compares the method's def, and flags the pair.
    from grader.similarity import find_similar

    method = "\n".join("    " + line for line in _COPIED.replace("def f9(", "def copied(").split("\n"))
    cell = f"class Helper:\n    @staticmethod\n{method}\n\nrnn_cell_forward = Helper.copied\n"
    path = nbs.write(tmp_path / "hidden.ipynb", nbs.course_notebook({"rnn_cell_forward": cell}))
    result = grade_submission(path, context=context, sandbox=sandbox)
    assert result.part("rnn_cell_forward").status == PASSED
    source = function_sources(path, names=["rnn_cell_forward"])["rnn_cell_forward"]
    assert source.startswith("def copied(xt, a_prev, parameters):") and "np.tanh" in source, source
    assert result.extra["sources"]["rnn_cell_forward"] == source
    classmate = nbs.write(tmp_path / "classmate.ipynb", nbs.course_notebook())
    report = find_similar({
        "hidden": {"rnn_cell_forward": source},
        "classmate": function_sources(classmate, names=["rnn_cell_forward"]),
    })
    assert [(p.a, p.b, p.flagged) for p in report.pairs] == [("hidden", "classmate", True)]
