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


def test_what_comes_out_names_every_file_of_the_output_folder():
    """Thirty-fifth session: the tree of "What comes out" left out score-changes.csv (which the
    page's own "After editing the rubric" says to read), report-without-names.html, the previous-*
    files with GRADING-NOT-FINISHED.txt and .cache/.gitignore, all in docs/reports.md's table of
    every file of the output folder. Each file that table names is in the tree."""
    import re

    reports = (Path(__file__).resolve().parent.parent / "docs" / "reports.md").read_text(encoding="utf-8")
    table = reports[reports.index("## Every file of the output folder"):]
    table = table[table.index("| file |"):]
    table = table[:table.index("\n\n")]
    names = {name.removeprefix("<id>/") for row in table.splitlines()[2:]
             for name in re.findall(r"`([^`]+)`", row.split("|")[1])}
    assert {"grades.csv", "score-changes.csv", "GRADING-NOT-FINISHED.txt", "grading-key.json"} <= names
    tree = PAGE[PAGE.index("## What comes out"):]
    tree = tree[tree.index("```"):tree.index("```", tree.index("```") + 3)]
    assert sorted(name for name in names if name not in tree) == []


def test_the_example_class_flags_nothing_and_names_the_known_copy_as_the_page_says(tmp_path):
    """Thirty-fifth session: ``--known`` tried on the example class with a copy of
    ``ada_correct.ipynb`` as the known solution flagged nothing and the page did not say why (its
    functions are common to more than 30% of the six, and common code is ignored). Thirty-sixth:
    still no flag, and the run names the pairs that code hid (``grader.similarity.smallclass``),
    the known copy among them, as the page says; this test fails when the tool stops doing it."""
    import csv
    import io
    import shutil

    from grader import commands

    repo = Path(__file__).resolve().parent.parent
    said = " ".join(PAGE.split())
    assert "the pairs that reach the threshold then (and a `--known` copy) are named, not flagged" in said
    assert "`ada_correct and barbara_loops_forever (1.00)`" in said
    known = tmp_path / "known"
    known.mkdir()
    shutil.copy(repo / "submissions" / "ada_correct.ipynb", known / "web1.ipynb")
    out = tmp_path / "out"
    printed = io.StringIO()
    commands.grade_class(repo / "submissions", out_dir=out, known=known, jobs=1, feedback_html=False,
                         class_report=False, progress_bar=False, stream=printed)
    assert "ada_correct and barbara_loops_forever (1.00)" in printed.getvalue()
    assert "ada_correct and known:web1 (1.00)" in printed.getvalue()
    with open(out / "similarity.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [row for row in rows if row["flagged"] == "1"] == []


def test_the_summary_the_page_shows_is_the_example_class_s(tmp_path):
    """docs/instructors.md's "The run ends with a summary" block, line for line, against a run of
    ``submissions/`` (the time and the output folder aside). Thirty-seventh session: it left out the
    line that names the pairs the small class's common code hid, which the run prints after
    ``Similarity:`` since the thirty-sixth session."""
    import io
    import re

    from grader import commands

    repo = Path(__file__).resolve().parent.parent
    block = PAGE.split("The run ends with a summary:", 1)[1].split("```")[1].strip().splitlines()
    out = tmp_path / "grading-output"
    printed = io.StringIO()
    commands.grade_class(repo / "submissions", out_dir=out, jobs=1, feedback_html=False,
                         progress_bar=False, stream=printed)
    ran = printed.getvalue().replace(str(out), "grading-output").splitlines()
    tail = ran[ran.index(next(line for line in ran if line.startswith("Graded "))):]

    def timeless(line: str) -> str:
        return re.sub(r" in [\d.]+s;", " in Ts;", line)

    assert [timeless(line) for line in tail] == [timeless(line) for line in block]
