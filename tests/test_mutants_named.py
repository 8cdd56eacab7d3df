"""Twenty-seventh session: known mistakes that got no "likely mistake" (the three the twenty-sixth
review left, and those the real notebooks of /work/real21 and /work/real26 showed), each written by
the test into the course notebook (``tests/notebooks.py``) and graded through ``grade.py`` itself:
its sentence must reach ``feedback.md``, ``feedback.html`` and ``grade.py --check``. Each failed
before its entry was added to ``solution/mutants.py`` and the fixtures regenerated."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from grader.feedback_html import prose
from grader.report import sentence_text
from solution.mutants import MUTANTS
from tests import notebooks as nbs

REPO = Path(__file__).resolve().parents[1]

#: Mutant id -> the course notebook's cell with that one mistake written in.
MISTAKES = {
    "rnn_cell_backward/dba_mean": nbs.mutate(
        "rnn_cell_backward", "dba = np.sum(dtanh, axis=1, keepdims=True)", "dba = np.mean(dtanh, axis=1, keepdims=True)"),
    "rnn_cell_backward/tanh_of_square": nbs.mutate(
        "rnn_cell_backward", "dtanh = (1 - a_next ** 2) * da_next", "dtanh = (1 - np.tanh(a_next ** 2)) * da_next"),
    "rnn_cell_backward/square_forgotten": nbs.mutate(
        "rnn_cell_backward", "dtanh = (1 - a_next ** 2) * da_next", "dtanh = da_next * (1 - np.tanh(a_next))"),
    "rnn_cell_forward/y_from_a_prev": nbs.mutate(
        "rnn_cell_forward", "softmax(np.dot(Wya, a_next) + by)", "softmax(np.dot(Wya, a_prev) + by)"),
    "rnn_forward/caches_of_none": nbs.mutate("rnn_forward", "caches.append(cache)", "caches.append(None)"),
    "rnn_backward/da0_is_da": nbs.mutate("rnn_backward", "da0 = da_prevt", "da0 = da"),
    # Twenty-eighth session: two the new real notebooks (/work/real28) lost points on, unnamed.
    "rnn_cell_forward/sigmoid_output": nbs.mutate(
        "rnn_cell_forward", "softmax(np.dot(Wya, a_next) + by)", "sigmoid(np.dot(Wya, a_next) + by)"),
    "rnn_cell_backward/one_minus_forgotten": nbs.mutate(
        "rnn_cell_backward", "dtanh = (1 - a_next ** 2) * da_next", "dtanh = da_next * a_next ** 2"),
    # Twenty-ninth session: two the new real notebooks (/work/real29) lost points on, unnamed.
    "lstm_cell_forward/concat_unfilled": nbs.mutate(
        "lstm_cell_forward", "    concat[: n_a, :] = a_prev\n    concat[n_a :, :] = xt\n", ""),
    "rnn_backward/da0_is_first_upstream": nbs.mutate("rnn_backward", "da0 = da_prevt", "da0 = da[:, :, 0]"),
    # Thirty-second session: three of those added, through feedback and the self-check.
    "lstm_cell_forward/it_with_bf": nbs.mutate(
        "lstm_cell_forward", "it = sigmoid(np.dot(Wi, concat) + bi)", "it = sigmoid(np.dot(Wi, concat) + bf)"),
    "rnn_cell_backward/dtanh_from_a_prev": nbs.mutate(
        "rnn_cell_backward", "dtanh = (1 - a_next ** 2) * da_next", "dtanh = (1 - a_prev ** 2) * da_next"),
    "rnn_backward/da0_not_set": nbs.mutate("rnn_backward", "    da0 = da_prevt\n", ""),
}


def _stem(mutant_id: str) -> str:
    return mutant_id.replace("/", "__")


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """The class of the mistakes above, graded by ``grade.py`` into a fresh output folder."""
    base = tmp_path_factory.mktemp("fb27")
    for mutant_id, override in MISTAKES.items():
        nbs.write(base / "class" / f"{_stem(mutant_id)}.ipynb", nbs.course_notebook(override))
    done = subprocess.run([sys.executable, "grade.py", str(base / "class"), "--out", str(base / "out"),
                           "--no-similarity"], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    return base


@pytest.mark.parametrize("mutant_id", sorted(MISTAKES))
def test_the_mistake_is_named_in_the_feedback(graded, mutant_id):
    function = mutant_id.split("/")[0]
    message = MUTANTS[mutant_id].message
    folder = graded / "out" / _stem(mutant_id)
    result = json.loads((folder / "result.full.json").read_text(encoding="utf-8"))
    part = next(p for p in result["parts"] if p["function"] == function)
    assert part["points"] < part["max_points"], part
    named = {case["diagnosis"]["id"] for case in part["cases"] if case["diagnosis"]}
    assert mutant_id in named, named
    # Every other part keeps full marks: the mistake costs once.
    others = [p for p in result["parts"] if p["function"] not in (function, "imdb_report")]
    assert all(p["points"] == p["max_points"] for p in others), [(p["function"], p["points"]) for p in others]
    # feedback.md shows code in the sentence as code spans (a_next**2), the rest as it is
    assert f"Likely mistake: {sentence_text(message)}" in (folder / "feedback.md").read_text(encoding="utf-8")
    # (the page writes quotes as references, forget gate&#x27;s, and code spans as code)
    assert prose(message) in (folder / "feedback.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("mutant_id", sorted(MISTAKES))
def test_the_self_check_names_the_mistake(graded, mutant_id):
    notebook = graded / "class" / f"{_stem(mutant_id)}.ipynb"
    done = subprocess.run([sys.executable, "grade.py", "--check", str(notebook)], cwd=REPO,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stdout + done.stderr
    assert f"likely mistake: {MUTANTS[mutant_id].message}" in done.stdout, done.stdout


def test_a_mean_over_one_example_is_no_mistake():
    # m = 1: the mean is the sum, so the entry cannot show there (the docs say so).
    import numpy as np
    from solution.rnn import rnn_cell_backward
    from solution.setups import BUILDERS

    args = BUILDERS["rnn_cell_backward"](seed=3, n_x=3, n_a=4, n_y=2, m=1, T_x=2)
    mean, reference = MUTANTS["rnn_cell_backward/dba_mean"].fn(*args), rnn_cell_backward(*args)
    assert np.allclose(mean["dba"], reference["dba"])
    wider = BUILDERS["rnn_cell_backward"](seed=3, n_x=3, n_a=4, n_y=2, m=3, T_x=2)
    assert not np.allclose(MUTANTS["rnn_cell_backward/dba_mean"].fn(*wider)["dba"],
                           rnn_cell_backward(*wider)["dba"])
