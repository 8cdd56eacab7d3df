"""Identical own work (grader.similarity.ownwork): the digest of a notebook's cells, its storage in
functions.json, and the flag it raises whatever the commonness of the functions."""
from __future__ import annotations

import copy
import csv
import io
import json
from pathlib import Path

import pytest

from grader import commands
from grader import classfiles
from grader import classsummary
from grader import similaritystage
from grader.notebook import loads
from grader.similarity import (
    CSV_COLUMNS,
    IDENTICAL_REASON,
    MIN_OWN_CHARS,
    SIMILAR_REASON,
    find_similar,
    notebook_cells,
    own_work_digest,
    render_similarity_html,
    write_similarity_csv,
)
from grader.similarity.ownwork import OWN_WORK_FIELD, cell_digest, cells_from_json, normalise_cell_text
from tests import notebooks as nbs


def digest_of(nb: dict, template: dict | None = None, **options) -> str | None:
    """The own-work digest of notebook dict ``nb`` (without ``template``'s cells)."""
    cells = notebook_cells(loads(json.dumps(nb).encode(), path="x.ipynb"))
    skip = [d for d, _ in notebook_cells(loads(json.dumps(template).encode(), path="t.ipynb"))] if template else ()
    return own_work_digest(cells, template=skip, **options)


def resaved(nb: dict) -> dict:
    """``nb`` as Jupyter saves it again after a run: nbformat 4.5 with cell ids, other metadata,
    new execution counts and outputs, sources as one string, whitespace at line ends and a
    blank line added by an editor."""
    out = copy.deepcopy(nb)
    out["nbformat_minor"] = 5
    out["metadata"] = {"kernelspec": {"name": "python3", "display_name": "Python 3 (ipykernel)"},
                       "language_info": {"name": "python", "version": "3.11.4"}}
    for i, cell in enumerate(out["cells"]):
        cell["id"] = "cell-%04d" % i
        cell["metadata"] = {"scrolled": True, "tags": ["graded"]}
        text = "".join(cell["source"]).rstrip("\n")
        lines = text.split("\n")
        lines[0] += "   "
        cell["source"] = "\n".join(lines) + ("\n\n" if cell["cell_type"] == "code" else "")
        if cell["cell_type"] == "code":
            cell["execution_count"] = 100 + i
            cell["outputs"] = [nbs.stream("run again at %d\n" % i)]
    return out


def stub(source: str) -> str:
    """A course cell with its function's body left as the starter notebook gives it (``pass``)."""
    lines = source.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("def "))
    return "\n".join(lines[:start + 2]) + "\n    pass\n"


def starter() -> dict:
    """The starter notebook: the course layout with every graded function unimplemented."""
    return nbs.course_notebook({name: stub(source) for name, source in nbs.COURSE_CELLS.items()})


def solved(note: str) -> dict:
    """The course's usual solution with one markdown cell of the student's own."""
    return nbs.course_notebook(extra_cells=[nbs.markdown_cell(note)])


NOTE = ("## My notes\n\nI wrote the forward passes first, checked every shape against the "
        "assignment's printed values, then derived the backward pass of the cell by hand before "
        "writing rnn_backward. The LSTM gates took me two evenings.\n")


# --------------------------------------------------------------------------- the digest


def test_cell_text_normalisation_keeps_indentation_and_drops_what_editors_change():
    assert normalise_cell_text("def f():  \r\n\r\n    return 1\t\n\n") == "def f():\n    return 1"
    assert normalise_cell_text("a\rb") == "a\nb"
    assert normalise_cell_text("  x = 1") == "  x = 1"  # leading spaces are part of the work
    assert normalise_cell_text(" \n\t\n") == ""
    assert cell_digest("code", "\n  \n") is None
    assert cell_digest("code", "x = 1") != cell_digest("markdown", "x = 1")
    assert cell_digest("code", "x = 1\n")[1] == 3 and cell_digest("code", "x  =  1")[1] == 3


def test_a_jupyter_resave_has_the_same_own_work_and_an_edit_does_not():
    original = solved(NOTE)
    assert digest_of(original) is not None
    assert digest_of(resaved(original)) == digest_of(original)
    edited = copy.deepcopy(original)
    edited["cells"][-1]["source"] = [NOTE.replace("two evenings", "three evenings")]
    assert digest_of(edited) != digest_of(original)
    moved = copy.deepcopy(original)
    moved["cells"][0], moved["cells"][1] = moved["cells"][1], moved["cells"][0]
    assert digest_of(moved) != digest_of(original)  # the order of the cells is part of the work


def test_outputs_counts_metadata_ids_and_raw_cells_are_not_own_work():
    nb = solved(NOTE)
    other = copy.deepcopy(nb)
    other["cells"].append({"cell_type": "raw", "metadata": {}, "source": ["raw text of a student"]})
    other["cells"].append(nbs.code_cell("   \n\n"))
    for cell in other["cells"]:
        if cell["cell_type"] == "code":
            cell["outputs"] = [nbs.stream("x" * 1000)]
            cell["execution_count"] = 7
    assert digest_of(other) == digest_of(nb)


def test_template_cells_are_taken_out_and_an_untouched_template_has_no_own_work():
    template = starter()
    assert digest_of(template) is not None  # without the template, it is all "own work"
    assert digest_of(template, template) is None
    assert digest_of(resaved(template), template) is None  # re-saved by Jupyter: still untouched
    solution = solved(NOTE)
    assert digest_of(solution, template) is not None
    # the function cells and the note are what is left: two students differing only in a
    # template cell they left alone have the same own work
    changed_test_cell = copy.deepcopy(solution)
    changed_test_cell["cells"][3]["source"] = ["print('a test cell of the template, edited')\n"]
    assert digest_of(changed_test_cell, template) != digest_of(solution, template)


def test_too_little_own_work_is_not_compared():
    template = starter()
    small = copy.deepcopy(template)
    small["cells"].append(nbs.markdown_cell("Done."))
    assert digest_of(small) is not None and digest_of(small, template) is None
    cells = ((("a" * 32), MIN_OWN_CHARS - 1),)
    assert own_work_digest(cells) is None and own_work_digest(cells, min_chars=1) is not None


def test_a_lone_surrogate_in_a_cell_is_hashed_not_an_error():
    text = '{"nbformat": 4, "nbformat_minor": 4, "metadata": {}, "cells": [' \
           '{"cell_type": "markdown", "metadata": {}, "source": "broken \\ud800 text"}]}'
    cells = notebook_cells(loads(text.encode(), path="x.ipynb"))
    assert len(cells) == 1 and len(cells[0][0]) == 32


@pytest.mark.parametrize("value", [
    None, {}, "cells", [["a" * 32]], [["a" * 32, 3, 4]], [["A" * 32, 3]], [["a" * 31, 3]],
    [["g" * 32, 3]], [["a" * 32, -1]], [["a" * 32, True]], [["a" * 32, 3.0]], [("a" * 32, 3)],
    [["a" * 32, 3], "x"], [[["a" * 32], 3]],
])
def test_stored_cells_of_the_wrong_shape_are_refused(value):
    assert cells_from_json(value) is None


def test_stored_cells_round_trip_and_stored_entries_are_checked():
    cells = notebook_cells(loads(json.dumps(solved(NOTE)).encode(), path="x.ipynb"))
    stored = json.loads(json.dumps({"cells": [list(c) for c in cells], "attempted": True}))
    assert cells_from_json(stored["cells"]) == cells
    assert similaritystage._own_work_digest(stored, frozenset()) == own_work_digest(cells)
    for bad in (None, [], "x", {"cells": stored["cells"]}, {"cells": stored["cells"], "attempted": 1},
                {"cells": stored["cells"], "attempted": False}, {"cells": "x", "attempted": True}):
        assert similaritystage._own_work_digest(bad, frozenset()) is None
    assert classfiles.OWN_WORK_FIELD == OWN_WORK_FIELD


# --------------------------------------------------------------------------- the flag


def common_class(n: int = 8) -> dict[str, dict[str, str]]:
    """``n`` submissions whose functions are all the same (the course's usual solution)."""
    functions = {name: source for name, source in nbs.COURSE_CELLS.items()}
    return {"s%d" % i: dict(functions) for i in range(n)}


def test_identical_own_work_is_flagged_whatever_the_commonness_of_the_functions():
    subs = common_class()
    plain = find_similar(subs)
    assert plain.flagged == () and plain.stats["ignored_common"] > 0  # what the check did before
    own = {sid: "d-%s" % sid for sid in subs}
    own["s5"] = own["s2"]
    report = find_similar(subs, own_work=own)
    assert [(p.a, p.b, p.reason) for p in report.flagged] == [("s2", "s5", IDENTICAL_REASON)]
    assert report.pairs[0].flagged and report.clusters == (("s2", "s5"),)
    assert report.stats["flagged_pairs"] == 1 and report.stats["identical_groups"] == 1
    assert report.stats["identical_pairs"] == 1 and report.stats["identical_submissions"] == 2
    # None digests, and ids that are not submissions, are never grouped
    none = find_similar(subs, own_work={"s1": None, "s2": None, "zz": "x", "s3": "x"})
    assert none.flagged == ()


def test_a_ring_of_identical_notebooks_is_one_cluster_of_n_minus_one_rows():
    subs = {"s%02d" % i: {"f": "def f(x):\n    return x * %d + np.tanh(x) - np.cos(x * x) / 3\n" % i}
            for i in range(12)}
    ring = ["s03", "s04", "s07", "s08", "s10", "s11"]
    own = {sid: ("ring" if sid in ring else None) for sid in subs}
    report = find_similar(subs, own_work=own, common_fraction=1.0)
    identical = [p for p in report.pairs if p.reason == IDENTICAL_REASON]
    assert sorted((p.a, p.b) for p in identical) == [("s03", other) for other in ring[1:]]
    assert all(p.flagged for p in identical)
    assert report.clusters == (tuple(ring),)
    assert not [p for p in report.pairs if {p.a, p.b} <= set(ring) and p.reason != IDENTICAL_REASON]


def test_identical_pairs_come_first_and_score_flags_keep_their_reason():
    subs = {"s%d" % i: {"f": "def f(x):\n" + "".join("    x = np.tanh(x * %d + %d)\n" % (i, j) for j in range(6))
                        + "    return x\n"} for i in range(6)}
    subs["copy"] = dict(subs["s1"])
    own = {"s4": "same", "s5": "same"}
    report = find_similar(subs, own_work=own)
    assert [(p.a, p.b, p.reason) for p in report.flagged] == [
        ("s4", "s5", IDENTICAL_REASON), ("s1", "copy", SIMILAR_REASON)]
    assert all(p.reason == "" for p in report.pairs if not p.flagged)


def test_the_csv_and_the_html_say_why(tmp_path):
    subs = common_class(6)
    subs["<b>x</b>"] = dict(subs["s0"])
    own = {"s0": "same", "<b>x</b>": "same"}
    report = find_similar(subs, own_work=own)
    path = tmp_path / "similarity.csv"
    write_similarity_csv(report, path)
    with open(path, newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert "reason" in CSV_COLUMNS
    assert [(r["a"], r["b"], r["flagged"], r["cluster"], r["reason"]) for r in rows if r["flagged"] == "1"] == [
        ("s0", "<b>x</b>", "1", "1", IDENTICAL_REASON)]
    page = render_similarity_html(report, subs)
    assert "flagged: identical own work" in page and "1 flagged pairs (1 of them for identical own work)" in page
    assert "<b>x</b>" not in page and "&lt;b&gt;x&lt;/b&gt;" in page


# --------------------------------------------------------------------------- a class run


def run(subs: Path, out: Path, **options) -> tuple[classsummary.ClassSummary, str]:
    """``grade_class`` with the similarity check, one job, no feedback pages."""
    stream = io.StringIO()
    options = {"jobs": 1, "similarity": True, "class_report": True, "feedback_html": False, **options}
    return commands.grade_class(subs, out_dir=out, stream=stream, **options), stream.getvalue()


def flagged_rows(out: Path) -> list[tuple[str, str, str]]:
    """``(a, b, reason)`` of the flagged rows of ``OUT/similarity.csv``."""
    with open(out / classfiles.SIMILARITY_CSV, newline="") as handle:
        return [(r["a"], r["b"], r["reason"]) for r in csv.DictReader(handle) if r["flagged"] == "1"]


@pytest.mark.slow
def test_a_class_flags_a_copy_and_a_resave_not_untouched_or_unfinished_pairs(tmp_path):
    subs, out = tmp_path / "subs", tmp_path / "out"
    ada = nbs.write(subs / "ada.ipynb", solved(NOTE))
    (subs / "zoe.ipynb").write_bytes(ada.read_bytes())  # a byte copy
    nbs.write(subs / "ray.ipynb", resaved(solved(NOTE)))  # the same notebook saved again by Jupyter
    for name in ("bob", "cat", "dan"):  # the usual solution, each with notes of their own
        nbs.write(subs / f"{name}.ipynb", solved(NOTE.replace("two evenings", f"{name}'s evenings")))
    for name in ("tim", "tom"):  # the starter handed in untouched
        nbs.write(subs / f"{name}.ipynb", starter())
    gave_up = copy.deepcopy(starter())
    gave_up["cells"].append(nbs.markdown_cell(NOTE.replace("My notes", "Why I could not finish") * 2))
    for name in ("uma", "una"):  # nothing implemented, the same words of their own
        nbs.write(subs / f"{name}.ipynb", gave_up)
    template = nbs.write(tmp_path / "starter.ipynb", starter())

    summary, log = run(subs, out, template=template)
    expected = [("ada", "ray", IDENTICAL_REASON), ("ada", "zoe", IDENTICAL_REASON)]
    assert flagged_rows(out) == expected
    assert summary.flagged_pairs == 2 and "Similarity: 2 pair(s) flagged" in log
    page = (out / "report.html").read_text("utf-8")
    assert "flagged: identical own work" in page and "{ada, ray, zoe}" in page
    stored = json.loads((out / "uma" / classfiles.SOURCES_FILE).read_text())[classfiles.OWN_WORK_FIELD]
    assert stored == {"cells": [], "attempted": False}  # the one reason uma and una are not flagged:
    uma = notebook_cells(loads((subs / "uma.ipynb").read_bytes(), path="uma.ipynb"))
    assert own_work_digest(uma, template=similaritystage.read_template(template).cells) is not None
    assert json.loads((out / "ada" / classfiles.SOURCES_FILE).read_text())[classfiles.OWN_WORK_FIELD]["attempted"]

    # without the template, the untouched starters are alike but attempted nothing
    summary, _ = run(subs, out, force=True)
    assert flagged_rows(out) == expected
    # a second run keeps every submission and reads their stored own work
    summary, _ = run(subs, out)
    assert summary.skipped == summary.total and flagged_rows(out) == expected


def test_functions_json_holds_the_cells_only_of_a_readable_notebook_and_what_was_attempted(tmp_path):
    from grader.models import MISSING, NOT_IMPLEMENTED, PASSED, PartResult, SubmissionResult

    def result(*statuses: str, status: str = "graded") -> SubmissionResult:
        parts = tuple(PartResult(name=f"p{i}", function=f"f{i}", status=s, points=0, max_points=1)
                      for i, s in enumerate(statuses))
        return SubmissionResult(submission_id="x", path="x.ipynb", status=status, points=0, max_points=1,
                                parts=parts, extra={"sources": {}})

    good = nbs.write(tmp_path / "good.ipynb", solved(NOTE))
    broken = tmp_path / "broken.ipynb"
    broken.write_text(good.read_text()[:100])
    names = ["f0", "f1"]
    cases = [(good, result(MISSING, NOT_IMPLEMENTED), False), (good, result(MISSING, PASSED), True),
             (good, result(PASSED, PASSED, status="harness_error"), False),
             (good, result(PASSED, status="graded"), True)]
    for path, res, attempted in cases:
        similaritystage.write_sources(tmp_path, res, names, key="k", path=path)
        data = json.loads((tmp_path / classfiles.SOURCES_FILE).read_text())
        assert data[classfiles.OWN_WORK_FIELD]["attempted"] is attempted
        # nothing attempted: never compared, so the notebook is not read again for its cells
        assert cells_from_json(data[classfiles.OWN_WORK_FIELD]["cells"]) == (notebook_cells(
            loads(good.read_bytes(), path=str(good))) if attempted else ())
    similaritystage.write_sources(tmp_path, result(PASSED), names, key="k", path=broken)
    assert classfiles.OWN_WORK_FIELD not in json.loads((tmp_path / classfiles.SOURCES_FILE).read_text())
