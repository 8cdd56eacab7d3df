"""docs/instructors.md against what the tool does (session 26, a TA's reading)."""
from __future__ import annotations

from pathlib import Path

PAGE = (Path(__file__).resolve().parent.parent / "docs" / "instructors.md").read_text(encoding="utf-8")


def test_the_output_table_does_not_promise_an_upload_the_tool_has_no_way_to_make():
    """The table said results.json was 'uploadable as is': a class run writes it, but nothing in
    the grader uploads it, and Gradescope reads results.json from its own autograder's run
    (grade.py --gradescope), the way the Gradescope section says."""
    line = next(line for line in PAGE.splitlines() if line.lstrip().startswith("<id>/results.json"))
    assert "uploadable" not in line
    block = PAGE[PAGE.index(line):PAGE.index("<id>/feedback.md")]
    assert "`--gradescope` writes inside Gradescope's autograder" in " ".join(block.split())
