"""The CSV files a TA gives (roster, adjustments) and ``grades.csv`` read again: only a line feed
or a carriage return ends a line (thirty-fifth session, hostile). ``str.splitlines`` also broke
lines at U+2028 and U+2029 (line and paragraph separators, which a name pasted from a PDF or a word
processor may hold), U+0085, form feeds and the separators \\x1c-\\x1e. A Canvas export writes such
a name without quotes, and a student's display name split the student's row in two: the class run
stopped at "no id on this line" for a line whose id a spreadsheet shows, and the Canvas import
lost the student's name."""
from __future__ import annotations

import pytest

from grader.discover import load_roster

_HEADER = "Student,ID,SIS User ID,SIS Login ID,Section,RNN (1234)\n    Points Possible,,,,,100\n"


@pytest.mark.parametrize("mark", ["\u2028", "\u2029", "\x85", "\x0c", "\x1c", "\x1d", "\x1e", "\x0b"])
def test_a_name_holding_a_line_separator_stays_on_its_students_line(tmp_path, mark):
    path = tmp_path / "canvas.csv"
    path.write_text(_HEADER + f"Ada Lovelace,111,a1,ada,S1,\nEvil{mark}Name,222,e2,evil,S1,\n"
                    "Bob Smith,333,b3,bob,S1,\n", encoding="utf-8")
    roster = load_roster(path)
    assert [(s.id, s.name, s.line) for s in roster.students] == [
        ("111", "Ada Lovelace", 3), ("222", f"Evil{mark}Name", 4), ("333", "Bob Smith", 5)]


def test_lines_ended_by_carriage_returns_or_both_still_count_as_lines(tmp_path):
    for ending in ("\r\n", "\r"):
        path = tmp_path / "roster.csv"
        path.write_bytes(ending.join(["id,name", "ada,Ada", "", "bob,Bob", ""]).encode())
        assert [(s.id, s.line) for s in load_roster(path).students] == [("ada", 2), ("bob", 4)]


def test_the_gradebook_read_again_keeps_a_row_whose_name_holds_a_separator(tmp_path):
    from grader.report import gradebook_scores

    path = tmp_path / "grades.csv"
    path.write_text("submission,score,max_score,name\nada,90,100,Ada\u2028Lovelace\nbob,80,100,Bob\n",
                    encoding="utf-8")
    assert gradebook_scores(path) == {"ada": (90.0, 100.0), "bob": (80.0, 100.0)}
