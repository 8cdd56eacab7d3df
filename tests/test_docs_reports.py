"""docs/reports.md against what ``grade.py`` writes: every file of the output folder, every
column of ``grades.csv`` and ``similarity.csv`` and every field of the JSON files a class run
writes is named on the page, so a TA reading a class's outputs finds each one described."""
from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest

import grade
from grader import exits
from tests import notebooks as nbs

REPO = Path(__file__).resolve().parent.parent
PAGE = (REPO / "docs" / "reports.md").read_text(encoding="utf-8")


@pytest.fixture(autouse=True)
def steady_grader(monkeypatch):
    """Edits to grader/ by others during a test must not make the keys stale (see test_batch)."""
    monkeypatch.setattr("grader.incremental.grader_digest", lambda *a, **k: "pinned")


@pytest.fixture(scope="module")
def class_output(tmp_path_factory) -> Path:
    """A small class graded as docs/instructors.md says: a right notebook, a wrong one with an
    error, a truncated one."""
    folder = tmp_path_factory.mktemp("class")
    nbs.write(folder / "subs" / "alice.ipynb", nbs.course_notebook())
    wrong = nbs.mutate("rnn_cell_forward", "+ ba)", ")")
    wrong.update(nbs.mutate("lstm_cell_forward", 'parameters["Wi"]', 'parameters["Wu"]'))
    nbs.write(folder / "subs" / "bob.ipynb", nbs.course_notebook(wrong))
    (folder / "subs" / "carol.ipynb").write_text('{"cells": [', encoding="utf-8")
    out = folder / "out"
    assert grade.main([str(folder / "subs"), "--out", str(out), "--jobs", "1"]) == exits.EXIT_OK
    return out


def named(name: str) -> bool:
    """Whether the page names ``name`` in a code span (alone, or as ``<id>/name``)."""
    return re.search(rf"`(<id>/)?{re.escape(name)}`", PAGE) is not None


def test_every_file_written_is_described(class_output):
    written = set()
    for path in class_output.rglob("*"):
        if path.is_file():
            rel = path.relative_to(class_output).as_posix()
            written.add(re.sub(r"^(alice|bob|carol)/", "", rel))
    assert {"grades.csv", "report.html", "similarity.csv", "results.json", "feedback.md",
            "feedback.html", "result.full.json", "grading-key.json", "functions.json"} <= written
    assert [name for name in sorted(written) if not named(name)] == []


def header(path: Path) -> list[str]:
    with path.open(encoding="utf-8", newline="") as handle:
        return next(csv.reader(handle))


def test_every_column_is_named(class_output):
    grades = header(class_output / "grades.csv")
    assert grades[:3] == ["submission", "score", "max_score"] and grades[-1] == "imdb_report"
    similarity = [c for c in header(class_output / "similarity.csv") if not c.startswith("score:")]
    assert "reason" in similarity
    missing = [c for c in grades[:3] + [grades[-1]] + similarity if not named(c)]
    assert missing == []
    assert "`score:<function>`" in PAGE


def keys(value, depth: int = 0) -> set[str]:
    """The keys of a JSON record's objects, down to its cases' fields (not the values of maps
    keyed by data: sources by function, files by name, timings by step)."""
    found = set()
    if isinstance(value, dict):
        for key, item in value.items():
            found.add(key)
            if key not in {"sources", "functions", "files", "timings", "own_work", "extra"}:
                found |= keys(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            found |= keys(item, depth + 1)
    return found


@pytest.mark.parametrize("name", ["results.json", "result.full.json", "grading-key.json",
                                  "functions.json"])
def test_every_field_of_the_json_files_is_named(class_output, name):
    fields = set()
    for sid in ("alice", "bob", "carol"):
        fields |= keys(json.loads((class_output / sid / name).read_text(encoding="utf-8")))
    assert fields
    assert sorted(f for f in fields if not named(f)) == []


def test_the_statuses_written_are_the_ones_described(class_output):
    statuses = set()
    for sid in ("alice", "bob", "carol"):
        record = json.loads((class_output / sid / "result.full.json").read_text(encoding="utf-8"))
        statuses.add(record["status"])
        for part in record["parts"]:
            statuses.add(part["status"])
            statuses |= {case["status"] for case in part["cases"]}
    assert {"graded", "unreadable", "passed", "failed", "error"} <= statuses
    assert sorted(s for s in statuses if not named(s)) == []


def test_the_score_columns_of_similarity_csv_are_those_of_its_pairs(tmp_path):
    """Thirty-fifth session: the page said ``score:<function>`` "per graded function", where the
    file has one per function scored in a listed pair, by name, and none when it lists no pair (the
    example class's similarity.csv is its header alone): a script reading the rubric's functions'
    columns found none."""
    from grader.similarity import find_similar
    from grader.similarity.output import write_similarity_csv

    source = ("def rnn_cell_forward(xt, a_prev, p):\n    z = p['Wax'] @ xt + p['Waa'] @ a_prev + p['ba']\n"
              "    a = np.tanh(z)\n    return a, softmax(p['Wya'] @ a + p['by']), (a, a_prev, xt, p)\n")
    distinct = {"a": {"f": "def f(x):\n    return x + 1\n"}, "b": {"g": "def g(y):\n    return y * 2\n"}}
    copied = {"a": {"rnn_cell_forward": source}, "b": {"rnn_cell_forward": source.replace("z", "q")}}
    for submissions, scored in ((distinct, []), (copied, ["score:rnn_cell_forward"])):
        write_similarity_csv(find_similar(submissions), tmp_path / "similarity.csv")
        assert [c for c in header(tmp_path / "similarity.csv") if c.startswith("score:")] == scored
    assert ("`score:<function>` per function scored in a listed pair, by name (so a file listing no "
            "pair has none of these columns)") in " ".join(PAGE.split())


def test_the_entry_points_the_page_gives_are_the_functions_signatures():
    """The table at the top gives ``write_feedback_html(...)`` and ``write_class_report(...)`` with
    their parameters and defaults: each is the function's (thirty-seventh session: right, unpinned)."""
    import ast
    import inspect

    from grader.classreport import write_class_report
    from grader.feedback_html import write_feedback_html

    for function in (write_feedback_html, write_class_report):
        said = re.search(rf"`{function.__name__}\((.*?)\) -> Path`", PAGE).group(1)
        tree = ast.parse(f"def f({said}): pass").body[0].args
        page = [(a.arg, None) for a in tree.args] + [(a.arg, ast.literal_eval(d) if d is not None else None)
                                                     for a, d in zip(tree.kwonlyargs, tree.kw_defaults)]
        code = [(name, None if p.default is inspect.Parameter.empty else p.default)
                for name, p in inspect.signature(function).parameters.items()]
        assert page == code, (function.__name__, page, code)


def test_the_mistake_tables_the_page_counts_hold_that_many_rows():
    # Thirty-eighth session: the page said 35 for the derivative and storage table, which the
    # leftovers of the thirty-seventh review had made 44 rows (42 mistakes, 2 right variants).
    import importlib

    stated = re.findall(r"table of\s+`tests/(test_runner_\w+)\.py` holds (\d+) (?:rows: (\d+) mistakes and "
                        r"(\d+) right)?", PAGE)
    assert len(stated) >= 2, "docs/reports.md no longer counts the rows of its mistake tables"
    for module, rows, mistakes, right in stated:
        table = importlib.import_module(f"tests.{module}").MISTAKES
        assert int(rows) == len(table), (module, rows, len(table))
        if mistakes:
            variants = [row for row in table if row[0].startswith("right:")]
            assert (int(mistakes), int(right)) == (len(table) - len(variants), len(variants)), module
