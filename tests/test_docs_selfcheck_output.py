"""docs/students.md's example output of ``--check`` against what it prints for an error: the
place of the student's line is said once (the ``at`` line, with the line's code), not also at
the end of the exception's message, in the terminal and in ``check()`` in Jupyter alike."""
from __future__ import annotations

import io
import re

from grader.classfiles import DEFAULT_RUBRIC
from grader.models import CRASHED, ERROR, CaseResult, Location
from grader.selfcheck import EXIT_FAILED, _without_place, run_check
from tests import notebooks as nbs

WRONG_KEY = nbs.mutate("lstm_cell_forward", 'parameters["Wi"]', 'parameters["Wu"]')


def test_an_error_says_its_place_once_with_the_line_of_code(tmp_path):
    path = nbs.write(tmp_path / "wu.ipynb", nbs.course_notebook(WRONG_KEY))
    out = io.StringIO()
    assert run_check(path, rubric=DEFAULT_RUBRIC, stream=out) == EXIT_FAILED
    text = out.getvalue()
    place = re.search(r"at (cell \d+ \(In \[\d+\]\), line \d+, in lstm_cell_forward)\n", text)
    assert place, text
    assert text.count(place.group(1)) == 1, text
    assert "Raised KeyError: 'Wu'. If you read it from `parameters`" in text
    assert '>   Wi = parameters["Wu"]' in text


def case(message: str, status: str = ERROR) -> CaseResult:
    return CaseResult(case_id="f/public-1", name="example", visibility="public", status=status,
                      points=0.0, max_points=1.0, message=message,
                      location=Location(cell=3, line=7, function="f"))


def test_only_the_runner_s_place_is_taken_out():
    runner = "Raised ValueError: bad (cell 4, line 7, in f). Hint."
    assert _without_place(case(runner)) == "Raised ValueError: bad. Hint."
    # the student's message may spell the place too: the runner's, the last, is the one taken out
    forged = "Raised ValueError: at (cell 4, line 7, in f) (cell 4, line 7, in f)"
    assert _without_place(case(forged)) == "Raised ValueError: at (cell 4, line 7, in f)"
    assert _without_place(case("Raised ValueError: bad (cell 5, line 7, in f)")) == \
        "Raised ValueError: bad (cell 5, line 7, in f)"
    crash = "Your code stopped the process (cell 4, line 7, in f)"
    assert _without_place(case(crash, status=CRASHED)) == crash


def test_a_folder_given_to_check_is_answered_with_a_notebook_of_it(tmp_path):
    folder = tmp_path / "rnn"
    nbs.write(folder / "Building_a_Recurrent_Neural_Network.ipynb", nbs.course_notebook())
    (folder / "rnn_utils.py").write_text("import numpy as np\n", encoding="utf-8")
    out = io.StringIO()
    assert run_check(folder, rubric=DEFAULT_RUBRIC, stream=out) == 2
    text = out.getvalue()
    assert "it is a folder; give the notebook file itself" in text, text
    assert f"python3 grade.py --check {folder / 'Building_a_Recurrent_Neural_Network.ipynb'}" in text
    assert "rnn_utils.py" not in text and "Is a directory" not in text
    empty = tmp_path / "empty"
    empty.mkdir()
    out = io.StringIO()
    assert run_check(empty, rubric=DEFAULT_RUBRIC, stream=out) == 2
    assert f"no notebook, .ipynb, is in {empty}" in out.getvalue()


def test_a_name_from_outside_is_said_under_its_function_not_again_about_the_notebook(tmp_path):
    outside = nbs.mutate("lstm_cell_forward", 'Wy = parameters["Wy"]', "pass")
    path = nbs.write(tmp_path / "outside.ipynb", nbs.course_notebook(outside))
    out = io.StringIO()
    assert run_check(path, rubric=DEFAULT_RUBRIC, stream=out) == EXIT_FAILED
    text = out.getvalue()
    assert 'note: `lstm_cell_forward` uses `Wy` from outside the function: read it from ' \
           '`parameters` (`parameters["Wy"]`).' in text, text
    assert text.count("`lstm_cell_forward` uses `Wy`") == 1, text
    assert "About the notebook" not in text


def test_the_example_output_of_docs_students_is_what_the_check_prints(tmp_path):
    # The example had drifted from the check: its rnn_cell_backward error lacked the sentence
    # naming the two shapes, and it said no points. The notebook it describes leaves ba out of
    # rnn_cell_forward, has not started lstm_cell_forward, and forgets a transpose in rnn_cell_backward.
    from pathlib import Path

    notebook = nbs.write(tmp_path / "example.ipynb", nbs.course_notebook({
        **nbs.mutate("rnn_cell_forward", "+ ba)", ")"),
        **nbs.mutate("lstm_cell_forward", "cct = np.tanh(np.dot(Wc, concat) + bc)", "cct = None"),
        **nbs.mutate("rnn_cell_backward", "dxt = np.dot(Wax.T, dtanh)", "dxt = np.dot(Wax, dtanh)")}))
    out = io.StringIO()
    assert run_check(notebook, rubric=DEFAULT_RUBRIC, stream=out) == EXIT_FAILED
    doc = (Path(__file__).resolve().parents[1] / "docs" / "students.md").read_text(encoding="utf-8")
    start = doc.index("    Self-check of example.ipynb")
    block = doc[start:doc.index("\n\n", doc.index("\n    3 of 6 public case(s)", start))]
    assert [line.removeprefix("    ") for line in block.split("\n")] == out.getvalue().rstrip("\n").split("\n")


def test_the_virtual_environment_the_check_prints_is_the_pages_in_as_many_lines(tmp_path):
    # Thirty-eighth session: the recipe gained its `pip install --upgrade pip` line, and the page
    # still said the check prints "the three lines of the virtual environment above".
    from pathlib import Path

    from grader.selfcheck import _own_environment

    doc = (Path(__file__).resolve().parents[1] / "docs" / "students.md").read_text(encoding="utf-8")
    recipe = doc[doc.index("    python3 -m venv ~/rnn-check\n"):]
    recipe = [line.strip() for line in recipe[:recipe.index("\n\n")].split("\n")]
    printed = [line.strip() for line in _own_environment(tmp_path / "rnn.ipynb").split("\n")
               if line.startswith("    ")]
    assert len(printed) == len(recipe), (printed, recipe)
    assert [line.split()[2] for line in printed] == ["venv", "pip", "pip", "--check"]
    assert printed[1:3] == recipe[1:3]  # the venv's own pip: its path as the page writes it
    words = {3: "three", 4: "four", 5: "five"}
    assert f"the {words[len(printed)]} lines of the\nvirtual environment above" in doc
