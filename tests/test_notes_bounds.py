"""One bound for every note and message, applied where the result is made (``grader.notes``):
twenty-fourth session. A hostile student's names, keys and zip members reached every report at
full length; each test of a writer failed on b557f47 (measured there: a returned dict of 2,000
keys of 1,000 characters made each of results.json, feedback.md and feedback.html 6 MB and
result.full.json 12 MB; 8,000 names used from outside a function made feedback.md 0.96 MB).
Notebooks and zips are made by the tests."""
from __future__ import annotations

import dataclasses
import io
import json
import zipfile
from pathlib import Path

import pytest

from grader import commands
from grader.feedback_html import prose
from grader.gradescope import run_gradescope
from grader.models import FAILED, CaseResult, CheckResult, PartResult, SubmissionResult
from grader.notes import MAX_NOTE_CHARS, MAX_NOTES, bounded_note, bounded_notes, bounded_result
from tests import notebooks as nbs

CELL = nbs.COURSE_CELLS["rnn_cell_forward"]
BIG = "Q" * 60_000  # a name: Python sets no limit on an identifier's length


def _cell(old: str, new: str) -> dict:
    """The course notebook with ``old`` replaced by ``new`` in ``rnn_cell_forward``'s cell."""
    assert old in CELL
    return nbs.course_notebook({"rnn_cell_forward": CELL.replace(old, new, 1)})


#: Each a way a student's text becomes a note or a message, and the text it makes huge.
HOSTILE = {
    # a check's message quotes the keys of a dict returned where a tuple is expected
    "keys": _cell("    return a_next, yt_pred, cache",
                  "    return {('K' * 1000) + str(i): 0 for i in range(300)}"),
    # a name used from outside the function: the part's note and extraction's warning quote it
    "freename": _cell("    return a_next", f"    {BIG}\n    return a_next"),
    # the module a graded function imports from: extraction's warning quotes it
    "module": nbs.course_notebook({"rnn_cell_forward": f"from {BIG} import tanh_of\n"
                                   + CELL.replace("np.tanh(", "tanh_of(")}),
    # 3,000 names used from outside the function: a note each (each may come from the star import of a
    # module the grader cannot read; names that come from nowhere are told in one note since the
    # thirty-fourth session, test_runner_notebook_mistakes.py)
    "manynames": nbs.course_notebook({"rnn_cell_forward": "from mystery_helpers import *\n" + CELL.replace(
        "    return a_next", "\n".join(f"    v{i}" for i in range(3_000)) + "\n    return a_next", 1)}),
    # a statement that cannot compile names the student's name: the message of every case
    "nonlocal": _cell("    # Retrieve", f"    nonlocal {BIG}\n    # Retrieve"),
}
#: What a normal submission's files weigh at most (the course notebook: results.json 4.3 kB,
#: result.full.json 22 kB, feedback.md 1.8 kB, feedback.html 58 kB), plus room for the bounded
#: notes; the html and the full record also hold the student's code, which is not a note.
BOUNDS = {"results.json": 40_000, "feedback.md": 40_000, "result.full.json": 60_000 + 3 * len(BIG),
          "feedback.html": 130_000 + 5 * len(BIG)}


def _zip_student(folder: Path) -> None:
    """A student folder: a notebook and a zip of 30 notebooks whose names are 60,000 characters
    (too long to write: each is left out, and a note says so)."""
    nbs.write(folder / "nb.ipynb", nbs.course_notebook())
    with zipfile.ZipFile(folder / "work.zip", "w") as zf:
        for k in range(30):
            zf.writestr(f"{k}" + "Z" * 60_000 + ".ipynb", b"{}")


@pytest.fixture(scope="module")
def graded(tmp_path_factory) -> Path:
    """The output folder of a class run of the hostile submissions, a zip student and a normal one."""
    root = tmp_path_factory.mktemp("class")
    for name, nb in HOSTILE.items():
        nbs.write(root / name / "nb.ipynb", nb)
    nbs.write(root / "normal" / "nb.ipynb", nbs.course_notebook())
    _zip_student(root / "zipped")
    out = root.parent / "out"
    commands.grade_class(root, out_dir=out, stream=io.StringIO(), jobs=1, similarity=False)
    return out


def _notes_of(record: dict) -> list[str]:
    """Every note and message of a ``result.full.json`` record."""
    return [*record["messages"], *(n for p in record["parts"] for n in p["notes"]),
            *(c["message"] for p in record["parts"] for c in p["cases"]),
            *(k["message"] for p in record["parts"] for c in p["cases"] for k in c["checks"])]


@pytest.mark.parametrize("name", [*HOSTILE, "zipped"])
def test_the_full_record_holds_only_bounded_notes(graded, name):
    """result.full.json: every note, message and check message at most MAX_NOTE_CHARS, at most
    MAX_NOTES of them a part, and the file within its bound (12 MB for "keys" on b557f47)."""
    path = graded / name / "result.full.json"
    record = json.loads(path.read_text("utf-8"))
    assert max(map(len, _notes_of(record))) <= MAX_NOTE_CHARS
    assert all(len(p["notes"]) <= MAX_NOTES for p in record["parts"]) and len(record["messages"]) <= MAX_NOTES
    assert path.stat().st_size < BOUNDS["result.full.json"], path.stat().st_size
    assert any(" characters cut ...] " in note or " more notes cut ...]" in note for note in _notes_of(record))


@pytest.mark.parametrize("file", ["results.json", "feedback.md", "feedback.html"])
def test_every_report_of_a_hostile_submission_is_bounded(graded, file):
    """results.json, feedback.md and feedback.html of each hostile submission within their bound,
    and each says what was cut (on b557f47: 6 MB each for "keys", 0.96 MB of feedback.md and
    1.3 MB of feedback.html for "manynames", 125 kB of results.json for "module")."""
    for name in [*HOSTILE, "zipped"]:
        text = (graded / name / file).read_text("utf-8")
        assert len(text.encode()) < BOUNDS[file], (name, len(text.encode()))
        # results.json shows a part's first notes only (report.NOTES_OUTPUT_CHARS), the rest counted
        assert any(m in text for m in (" characters cut ...] ", "more notes cut ...]", "more notes not shown]")), name


def test_many_notes_are_counted_past_the_bound(graded):
    """3,000 names used from outside: MAX_NOTES - 1 notes, then how many more were cut, in every report."""
    record = json.loads((graded / "manynames" / "result.full.json").read_text("utf-8"))
    notes = record["parts"][0]["notes"]
    assert len(notes) == MAX_NOTES and notes[-1] == f"[... {3_000 - MAX_NOTES + 1:,} more notes cut ...]"
    assert notes[-1] in (graded / "manynames" / "feedback.md").read_text("utf-8")
    assert notes[-1] in (graded / "manynames" / "feedback.html").read_text("utf-8")


def test_the_same_note_in_every_report(graded):
    """The note about the 60,000-character name is the same text in result.full.json, feedback.md,
    results.json and feedback.html (results.json cut it at 2,000 characters, the others not at all)."""
    record = json.loads((graded / "freename" / "result.full.json").read_text("utf-8"))
    [note] = record["parts"][0]["notes"]
    assert len(note) <= MAX_NOTE_CHARS and note.startswith("`rnn_cell_forward` uses `QQQ")
    assert note.endswith("which nothing in the notebook defines (neither the function nor a cell's top level): "
                         "compute it inside or pass it in.")
    assert f"- {note}\n" in (graded / "freename" / "feedback.md").read_text("utf-8")
    outputs = [t["output"] for t in json.loads((graded / "freename" / "results.json").read_text("utf-8"))["tests"]]
    assert any(out.startswith(f"- {note}\n") for out in outputs)
    assert f"<li>{prose(note)}</li>" in (graded / "freename" / "feedback.html").read_text("utf-8")


def test_a_zips_notes_say_characters_cut_not_names(graded):
    """The archive's own cut said "characters of names left out" of any note, at 1,000 characters."""
    record = json.loads((graded / "zipped" / "result.full.json").read_text("utf-8"))
    cut = [m for m in record["messages"] if " characters cut ...] " in m]
    assert cut and all(len(m) <= MAX_NOTE_CHARS for m in record["messages"])
    assert not any("names left out" in m for m in record["messages"])


def test_the_normal_submission_and_the_class_files_are_unchanged_in_kind(graded):
    """The normal submission's notes are within the bounds (nothing cut), and the class report and
    grades.csv, which show no graded student's notes, stay small."""
    record = json.loads((graded / "normal" / "result.full.json").read_text("utf-8"))
    assert not any("cut ...]" in note for note in _notes_of(record))
    assert (graded / "report.html").stat().st_size < 200_000
    assert (graded / "grades.csv").stat().st_size < 2_000


def test_gradescope_results_of_a_hostile_submission_are_bounded(tmp_path):
    """Gradescope's results.json (read back from the record): 2.0 MB for these 300 keys on b557f47."""
    root = tmp_path / "autograder"
    nbs.write(root / "submission" / "work.ipynb", HOSTILE["keys"])
    assert run_gradescope(root=root, stream=io.StringIO()) == 0
    text = (root / "results" / "results.json").read_text("utf-8")
    assert len(text.encode()) < BOUNDS["results.json"], len(text.encode())
    assert " characters cut ...] " in text


# --------------------------------------------------------------------------- the bound itself


def test_a_note_within_the_bound_is_the_same_object():
    note = "`rnn_forward` uses `Wy` from outside the function: read it from `parameters`."
    assert bounded_note(note) is note
    assert bounded_note("x" * MAX_NOTE_CHARS) == "x" * MAX_NOTE_CHARS


def test_a_long_note_keeps_its_start_and_end_and_says_how_much_was_cut():
    note = "start " + "n" * 63_000 + " end."
    got = bounded_note(note)
    assert len(got) <= MAX_NOTE_CHARS and got.startswith("start nnn") and got.endswith("nnn end.")
    head, marker_tail = got.split(" [... ")
    count, tail = marker_tail.split(" characters cut ...] ")
    assert len(head) + int(count.replace(",", "")) + len(tail) == len(note)
    assert note.startswith(head) and note.endswith(tail)
    assert bounded_note(got) == got  # bounding again changes nothing


def test_many_notes_keep_the_first_and_count_the_rest():
    notes = tuple(f"note {k}" for k in range(MAX_NOTES + 10))
    got = bounded_notes(notes)
    assert got == (*notes[:MAX_NOTES - 1], "[... 11 more notes cut ...]") and bounded_notes(got) == got
    assert bounded_notes(notes[:MAX_NOTES]) == notes[:MAX_NOTES]


def test_a_result_within_the_bounds_is_returned_as_it_is():
    check = CheckResult("a", False, 0.0, 1.0, "`a` has wrong values.")
    case = CaseResult("c", "example", "public", FAILED, 0.0, 1.0, (check,), message=check.message)
    part = PartResult("f", "f", FAILED, 0.0, 1.0, (case,), notes=("a note",))
    result = SubmissionResult("s", "s.ipynb", "graded", 0.0, 1.0, (part,), messages=("a message",))
    assert bounded_result(result) is result
    long = dataclasses.replace(check, message="k" * 10_000)
    hostile = dataclasses.replace(result, parts=(dataclasses.replace(
        part, cases=(dataclasses.replace(case, checks=(long,), message=long.message),)),))
    got = bounded_result(hostile).parts[0].cases[0]
    assert got.message == got.checks[0].message == bounded_note("k" * 10_000)
