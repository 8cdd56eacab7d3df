"""The benchmark's generated class is as varied as a real one where memos could tell.

A memo keyed by a cell's text (or a program's) would look far better on a class
where students share their function cells than on a real class, where the
function bodies are each student's own.  ``benchmarks/bench_grading.py`` gives
every function a line of its own inside its body; these tests pin that.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from grader.extract import extract_file
from grader.notebook import without_trailing_comments

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))

import bench_grading  # noqa: E402


def test_no_two_generated_submissions_share_a_program_or_a_function_cell(tmp_path):
    kinds = bench_grading.write_class(tmp_path, 40)
    programs: dict[str, str] = {}
    cells: dict[str, str] = {}
    readable = 0
    for sid, kind in kinds.items():
        if kind == "broken_json":
            continue
        readable += 1
        path = tmp_path / f"{sid}.ipynb"
        program = extract_file(path).program().source
        assert program not in programs, f"{sid} has the program of {programs.get(program)}"
        programs[program] = sid
        for cell in json.loads(path.read_text("utf-8"))["cells"]:
            text = "".join(cell["source"])
            if cell["cell_type"] == "code" and ("def " in text or "keras.Sequential(" in text):
                key = without_trailing_comments(text)
                assert key not in cells, f"{sid} shares a function cell with {cells.get(key)}"
                cells[key] = sid
    assert readable >= 30 and len(cells) >= 5 * readable  # the six graded functions, fewer when unfinished


def test_the_students_own_line_sits_inside_each_function_before_its_return():
    import random
    nb = bench_grading.submission("correct", 7, random.Random(0))
    sources = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]
    defining = [s for s in sources if "def rnn_cell_forward" in s]
    assert len(defining) == 1
    lines = defining[0].splitlines()
    mine = lines.index("    " + bench_grading.own_line(7, "rnn_cell_forward"))
    assert lines[mine + 1].lstrip().startswith("return")


def test_a_share_of_the_own_lines_is_a_classmate_s_up_to_renaming_as_in_a_real_class(tmp_path):
    """Thirty-sixth session: every own line held the student's number, so no two of the class of
    400's 2,067 distinct functions had the same renaming key, where in the real classes about one
    distinct source in three shares its key (keys per distinct source 0.65-0.69 in real30-35): the
    similarity check normalises one source per key. The functions stay distinct in text."""
    from grader.similaritystage import function_sources
    from grader.similarity.normalise import DEFAULT_KEEP_NAMES, renaming_key

    kinds = bench_grading.write_class(tmp_path, 100)
    graded = bench_grading.GRADED
    sources = [source for sid, kind in kinds.items() if kind != "broken_json"
               for source in function_sources(tmp_path / f"{sid}.ipynb", names=graded, graded=graded).values()]
    distinct = set(sources)
    keep = DEFAULT_KEEP_NAMES | frozenset(graded)
    keys = {renaming_key(source, keep).text for source in distinct}
    assert len(distinct) > 0.85 * len(sources)  # the memos still meet each function once
    assert 0.55 < len(keys) / len(distinct) < 0.8, (len(keys), len(distinct))  # 1.0 before


def test_the_cpu_budget_line_splits_the_sandbox_from_the_grader():
    line = bench_grading.describe_cpu_budget(
        {"child": 10.0, "zygote": 2.0, "worker": 9.0, "main": 3.0, "helper": 1.0}, budget=15.0)
    assert "spent 12.0 s (80% of it)" in line  # children and zygotes only
    assert "workers) 13.0 s (87%)" in line  # every other role
