"""docs/rubrics.md's small rubric of one's own works as written: its YAML loads, its fixtures
are generated beside it, and it grades a right and a wrong cell as the page says."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from grader.commands import load_context
from grader.regenerate import load_reference, regenerate
from grader.rubric import load_rubric
from grader.runner import grade_submission
from tests import notebooks as nbs

REPO = Path(__file__).resolve().parent.parent
PAGE = (REPO / "docs" / "rubrics.md").read_text(encoding="utf-8")


def small_rubric() -> str:
    marker = PAGE.index("<!-- small-rubric: cells")
    return re.search(r"```yaml\n(.*?)```", PAGE[marker:], re.S).group(1)


@pytest.fixture(scope="module")
def cells(tmp_path_factory):
    """The page's rubric saved as it says, with its fixtures written as it says."""
    path = tmp_path_factory.mktemp("rubrics") / "cells.yaml"
    path.write_text(small_rubric(), encoding="utf-8")
    regenerate(load_rubric(path), reference=load_reference())
    return load_context(path)


def test_the_page_s_commands_name_the_rubric_it_shows(cells):
    assert cells.rubric.name == "cells" and cells.rubric.max_points == 10
    assert (Path(cells.rubric.path).parent / "fixtures" / "cells.public.json").is_file()
    commands = re.findall(r"^python3 .*$", PAGE[PAGE.index("<!-- small-rubric: cells"):], re.M)[:5]
    assert len(commands) == 5 and all("rubrics/cells.yaml" in c for c in commands)


def test_it_grades_the_cell_as_the_page_says(cells, sandbox, tmp_path):
    right = nbs.write(tmp_path / "right.ipynb", nbs.course_notebook())
    wrong = nbs.write(tmp_path / "wrong.ipynb",
                      nbs.course_notebook(nbs.mutate("rnn_cell_forward", "+ ba)", ")")))
    good = grade_submission(right, context=cells, sandbox=sandbox)
    bad = grade_submission(wrong, context=cells, sandbox=sandbox)
    assert (good.points, good.max_points) == (10, 10)
    assert bad.points == 0
    part = bad.part("rnn_cell_forward")
    assert "leaves out the bias `ba`" in part.cases[0].diagnosis.message
    assert [c.name for c in part.cases] == ["assignment example", "hidden case 1"]


def test_its_kit_names_its_own_function_in_the_examples(cells, tmp_path):
    # Thirty-second session: the kit's README and grade.py --help told the students of any rubric
    # to try `--function rnn_forward` and `check("rnn_forward")`; the quiz has no rnn_forward,
    # so the example stopped with "no public case grades a function named 'rnn_forward'".
    import subprocess
    import sys

    from grader.kit import write_student_kit

    kit = write_student_kit(tmp_path / "kit", rubric=Path(cells.rubric.path))
    readme = (kit / "README.md").read_text(encoding="utf-8")
    assert "--function rnn_cell_forward" in readme and 'check("rnn_cell_forward")' in readme
    assert "(`a_next`, `yt_pred`...)" in readme and "rnn_forward" not in readme.replace("rnn_cell_forward", "")
    done = subprocess.run([sys.executable, "grade.py", "--help"], cwd=kit, capture_output=True, text=True,
                          timeout=60)
    assert "(for example rnn_cell_forward)" in done.stdout, done.stdout
