"""``grade.py --roster``: every student of the class in ``grades.csv`` (the TA's session, 27).

Before this session a student who submitted nothing was in no file of the run, and a TA who
uploaded ``grades.csv`` to the university's gradebook dropped them without a word.
"""
from __future__ import annotations

import csv
import io
import json
import os
import signal
import zipfile
from pathlib import Path

import pytest

from grader import commands
from grader import classfiles
from grader import classsummary
from grader import exits
from grader.copycommands import grade_command, quoted
from grader.discover import (Roster, RosterError, RosterStudent, Submission, find_submissions,
                             load_roster, student_key)
from grader.report import Gradebook
from grader.rubric import load_rubric
from grader.runner import unreadable_result
from tests import notebooks as nbs

RUBRIC = load_rubric(classfiles.DEFAULT_RUBRIC)


def write_roster(path: Path, text: str, *, encoding: str = "utf-8") -> Path:
    """A roster file holding ``text``."""
    path.write_bytes(text.encode(encoding))
    return path


def rows(out: Path) -> list[dict]:
    """The rows of ``out/grades.csv`` (a byte-order mark dropped)."""
    with open(out / "grades.csv", newline="", encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


def small_class(folder: Path) -> Path:
    """Three students: ada and José correct, bob unreadable."""
    nbs.write(folder / "ada.ipynb", nbs.course_notebook())
    nbs.write(folder / "José García.ipynb", nbs.alt_notebook())
    (folder / "bob.ipynb").write_text("{ not json")
    return folder


def grade(subs: Path, out: Path, **options) -> tuple[classsummary.ClassSummary, str]:
    """A quick class run (one job, no similarity, no pages) and what it printed."""
    stream = io.StringIO()
    settings = dict(jobs=1, similarity=False, feedback_html=False, stream=stream)
    settings.update(options)
    summary = commands.grade_class(subs, out_dir=out, **settings)
    return summary, stream.getvalue()


# --------------------------------------------------------------------------- reading a roster


def test_a_roster_with_a_header_names_and_emails(tmp_path):
    roster = load_roster(write_roster(tmp_path / "r.csv", "Student ID,Name,Email,Section\n"
                                      "ada,Ada Lovelace,ada@uni.edu,A\n\n\"zoë\",\"Ñúñez, Zoë\",z@uni.edu,B\n"))
    assert roster.id_column == "Student ID"
    assert roster.students == (RosterStudent("ada", "Ada Lovelace", "ada@uni.edu", 2, section="A"),
                               RosterStudent("zoë", "Ñúñez, Zoë", "z@uni.edu", 4, section="B"))


def test_excel_bom_and_semicolons_are_read_as_excel_meant_them(tmp_path):
    """Excel's "CSV UTF-8" begins with a byte-order mark, and a European Excel separates with
    ``;``: read as written, the header's first name was '\\ufeffid' and 'id;name' one column."""
    path = write_roster(tmp_path / "r.csv", "\ufeffid;name;email\r\nada;Ada, Countess;a@x\r\nbob;Bob;b@x\r\n")
    roster = load_roster(path)
    assert [(s.id, s.name, s.email) for s in roster.students] == [("ada", "Ada, Countess", "a@x"),
                                                                  ("bob", "Bob", "b@x")]
    tabbed = load_roster(write_roster(tmp_path / "t.csv", "ID\tFirst name\tLast name\nada\tAda\tLovelace\n"))
    assert tabbed.students[0].name == "Ada Lovelace"


def test_excels_unicode_text_is_read_and_a_workbook_is_named(tmp_path):
    """Excel's "Unicode Text" is UTF-16 with tabs; a TA may give the .xlsx itself."""
    text = "\ufeffStudent ID\tName\r\nzoë\tZoë Ñúñez\r\n"
    roster = load_roster(write_roster(tmp_path / "class.txt", text, encoding="utf-16-le"))
    assert [(s.id, s.name) for s in roster.students] == [("zoë", "Zoë Ñúñez")]
    with zipfile.ZipFile(tmp_path / "class.xlsx", "w") as zf:
        zf.writestr("xl/workbook.xml", "<workbook/>")
    with pytest.raises(RosterError, match=r"class\.xlsx: this is a spreadsheet workbook .*CSV UTF-8"):
        load_roster(tmp_path / "class.xlsx")


def test_canvas_points_possible_line_is_skipped(tmp_path):
    roster = load_roster(write_roster(tmp_path / "canvas.csv", "Student,ID,SIS User ID,Section\n"
                                      "    Points Possible,,,\nSmith Jane,12345,s1,A\n"))
    assert [(s.id, s.name) for s in roster.students] == [("12345", "Smith Jane")]


@pytest.mark.parametrize("text, where, says", [
    ("ada\nbob\n", ":1:", "no id column in the roster's header line (it reads 'ada')"),
    ("name,email\nAda,a@x\n", ":1:", "one of them the students' ids: 'id', 'student id'"),
    ("id,name\nJosé,J\nada,A\njose,J2\n", ":4:", "the id 'jose' is on the roster twice (line 2 has 'José'"),
    ("id,name\nada,Smith, Ada\n", ":2:", "3 fields where the header line has 2"),
    # Thirty-second session: a roster separated by ';' or tabs was told of "Smith, Jane", a value
    # its separator does not split; the message quotes the file's own separator.
    ("id;name\nada;Smith; Ada\n", ":2:", '3 fields where the header line has 2 (a value holding the '
                                          'separator, such as "Smith; Jane", must be in quotes)'),
    ("id\tname\nada\tSmith\tAda\n", ":2:", "3 fields where the header line has 2 (a value holding the "
                                          "separator, a tab, must be in quotes)"),
    ("id,name\nada,A\n,B\n", ":3:", "no id on this line (its column 'id' is empty)"),
    ("id,name\n", "r.csv: ", "lists no student"),
    ("\n\n", "r.csv: ", "the roster is empty"),
    ('id,name\nada,"Ada" L\n', ":2:", 'a quote inside a field in quotes is written twice'),
    # Thirty-second session: both said only "not a CSV file that can be read here (...)", the
    # quote left open at the file's last line ("unexpected end of data"), not at its own.
    ('id,name\nada,A\nbob,"Bob, B\ncy,C\ndan,D\n', ":3:", "a quote opened on this line is never closed"),
    ('id,name\n"ada,A\n', ":2:", "a quote opened on this line is never closed"),
])
def test_a_roster_that_cannot_be_used_is_named_with_its_line(tmp_path, text, where, says):
    with pytest.raises(RosterError) as raised:
        load_roster(write_roster(tmp_path / "r.csv", text))
    message = str(raised.value)
    assert message.startswith(str(tmp_path / "r.csv")) and where in message and says in message


def test_a_roster_in_a_legacy_encoding_is_refused_with_its_line(tmp_path):
    path = write_roster(tmp_path / "r.csv", "id,name\nada,Ada\njosé,José\n", encoding="cp1252")
    with pytest.raises(RosterError, match=r"r\.csv:3: the roster is not UTF-8 text \(byte 0xe9\)"):
        load_roster(path)


# --------------------------------------------------------------------------- matching


def test_ids_compare_without_case_accents_or_spacing():
    assert student_key("José  GARCÍA") == student_key("jose_garcia") == student_key("Jose-García ") == "jose garcia"
    assert student_key("Zoë") != student_key("Zoe 2")


def test_matching_follows_the_ids_discovery_gives(tmp_path):
    """A notebook, a folder, a zip, a Canvas and a Moodle download, and a second entry of one name."""
    subs = tmp_path / "subs"
    nbs.write(subs / "José García.ipynb", nbs.course_notebook())
    nbs.write(subs / "ANNA_b" / "rnn.ipynb", nbs.course_notebook())
    with zipfile.ZipFile(subs / "carl.zip", "w") as zf:
        zf.writestr("rnn.ipynb", json.dumps(nbs.course_notebook()))
    nbs.write(subs / "smithjane_12345_777_rnn.ipynb", nbs.course_notebook())
    nbs.write(subs / "Dora Díaz_4242_assignsubmission_file_" / "rnn.ipynb", nbs.course_notebook())
    nbs.write(subs / "eve.ipynb", nbs.course_notebook())
    nbs.write(subs / "eve" / "rnn.ipynb", nbs.course_notebook())
    nbs.write(subs / "stranger.ipynb", nbs.course_notebook())
    found = find_submissions(subs, defer=True)
    roster = Roster(path=tmp_path / "r.csv", id_column="id", students=tuple(
        RosterStudent(rid) for rid in ("jose garcia", "anna b", "Carl", "12345", "dora diaz_4242", "eve", "fay")))
    matched = roster.match(found)
    assert {sid: s.id for sid, s in matched.student_of.items()} == {
        "José García": "jose garcia", "ANNA_b": "anna b", "carl": "Carl", "smithjane_12345": "12345",
        "Dora Díaz_4242": "dora diaz_4242", "eve": "eve", "eve~ipynb": "eve"}
    assert matched.unlisted == ("stranger",)
    assert [s.id for s in matched.missing()] == ["fay"]
    assert matched.several() == {"eve": ("eve", "eve~ipynb")}


def test_the_number_of_a_moodle_name_matches_a_roster_of_numbers(tmp_path):
    subs = tmp_path / "subs"
    nbs.write(subs / "Dora Díaz_4242_assignsubmission_file_" / "rnn.ipynb", nbs.course_notebook())
    with zipfile.ZipFile(subs / "Eli Eng_5151_assignsubmission_file_work.zip", "w") as zf:
        zf.writestr("rnn.ipynb", json.dumps(nbs.course_notebook()))
    found = find_submissions(subs, defer=True)
    assert {s.id: s.account for s in found} == {"Dora Díaz_4242": "4242", "Eli Eng_5151": "5151"}
    matched = Roster(path=tmp_path / "r.csv", id_column="id",
                     students=(RosterStudent("4242"), RosterStudent("5151"))).match(found)
    assert set(matched.student_of) == {"Dora Díaz_4242", "Eli Eng_5151"} and not matched.unlisted


# --------------------------------------------------------------------------- the gradebook


def _roster_book(tmp_path: Path):
    roster = Roster(path=tmp_path / "r.csv", id_column="id", students=(
        RosterStudent("bob", "Bob"), RosterStudent("ada", "Ada", "ada@x"), RosterStudent("=cal", "Cal")))
    subs = [Submission(id="ada", path=tmp_path / "ada.ipynb"), Submission(id="bob", path=tmp_path / "bob.ipynb"),
            Submission(id="zed", path=tmp_path / "zed.ipynb")]
    book = Gradebook(RUBRIC)
    for sid in ("ada", "bob", "zed"):
        book.add(unreadable_result(RUBRIC, submission_id=sid, path="x", message="m"))
    return book, roster.match(subs)


def test_gradebook_with_a_roster_lists_everyone_in_the_rosters_order(tmp_path):
    book, matched = _roster_book(tmp_path)
    table = list(csv.DictReader(io.StringIO(book.csv(roster=matched))))
    assert [(r["submission"], r["student_id"], r["on_roster"], r["status"]) for r in table] == [
        ("bob", "bob", "yes", "unreadable"), ("ada", "ada", "yes", "unreadable"),
        ("", "'=cal", "yes", "no submission"), ("zed", "", "no", "unreadable")]
    missing = table[2]
    assert missing["score"] == "0" and missing["max_score"] == "100" and missing["rnn_forward"] == "0"


def test_gradebook_without_a_roster_is_what_it_was(tmp_path):
    book, _ = _roster_book(tmp_path)
    text = book.csv()
    assert text.splitlines()[0] == "submission,score,max_score," + ",".join(p.name for p in RUBRIC.parts)
    assert [line.split(",")[0] for line in text.splitlines()[1:]] == ["ada", "bob", "zed"]


def test_excel_option_writes_a_byte_order_mark_and_nothing_else_changes(tmp_path):
    book, matched = _roster_book(tmp_path)
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    plain = book.write(tmp_path / "a", roster=matched).read_bytes()
    excel = book.write(tmp_path / "b", roster=matched, bom=True).read_bytes()
    assert not plain.startswith(b"\xef\xbb\xbf")
    assert excel == b"\xef\xbb\xbf" + plain


# --------------------------------------------------------------------------- a class run


def test_class_run_with_a_roster(tmp_path):
    subs = small_class(tmp_path / "subs")
    nbs.write(subs / "walk_in.ipynb", nbs.course_notebook())
    roster = write_roster(tmp_path / "class.csv", "Student ID;Name;Email\nADA;Ada L;ada@x\n"
                          "jose garcia;José García;j@x\nbob;Bob;b@x\ncleo;Cléo;c@x\n")
    out = tmp_path / "out"
    summary, printed = grade(subs, out, roster=roster, class_report=True)
    table = rows(out)
    assert [(r["submission"], r["student_id"], r["status"], r["on_roster"]) for r in table] == [
        ("ada", "ADA", "graded", "yes"), ("José García", "jose garcia", "graded", "yes"),
        ("bob", "bob", "unreadable", "yes"), ("", "cleo", "no submission", "yes"),
        ("walk_in", "", "graded", "no")]
    assert table[0]["score"] == "100" and table[3]["score"] == "0"
    assert summary.no_submission == ("cleo",) and summary.not_on_roster == ("walk_in",)
    assert summary.roster_size == 4
    assert "Roster: 4 student(s); 1 with no submission: cleo" in printed
    assert "Not on the roster (graded; in" in printed and "walk_in" in printed.split("Not on the roster")[1]
    page = (out / "report.html").read_text()
    section = page.split('<section id="roster"><h2>Roster</h2>', 1)[1].split("</section>", 1)[0]
    assert "4 student(s) (ids from its column &#x27;Student ID&#x27;); 1 with no submission: cleo (Cléo)" in section
    assert "1 submission(s) of no student on the roster, graded and in grades.csv with on_roster" in section
    assert "walk_in" in section and '<a href="#roster">Roster</a>' in page

    # Run again: nobody is graded again, the roster's rows stay; a new roster changes only rows.
    again, printed = grade(subs, out, roster=roster)
    assert again.skipped == 4 and [r["student_id"] for r in rows(out)] == [r["student_id"] for r in table]
    write_roster(roster, "id\nada\nwalk_in\n")
    third, _ = grade(subs, out, roster=roster)
    assert third.skipped == 4
    assert [(r["submission"], r["on_roster"]) for r in rows(out)] == [
        ("ada", "yes"), ("walk_in", "yes"), ("José García", "no"), ("bob", "no")]
    # Without the roster (dropped: one not named is the folder's, test_classoptions) the
    # gradebook and the report are the old ones again.
    grade(subs, out, class_report=True, roster=False)
    assert "student_id" not in rows(out)[0]
    assert 'id="roster"' not in (out / "report.html").read_text()


def test_class_run_with_a_roster_force_and_two_jobs(tmp_path):
    subs = small_class(tmp_path / "subs")
    roster = write_roster(tmp_path / "class.csv", "id\nada\nbob\njosé garcía\nmo\n")
    out = tmp_path / "out"
    grade(subs, out, roster=roster)
    forced, _ = grade(subs, out, roster=roster, force=True, jobs=2, excel=True)
    assert forced.skipped == 0 and forced.graded == 2
    assert (out / "grades.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert [(r["student_id"], r["status"]) for r in rows(out)] == [
        ("ada", "graded"), ("bob", "unreadable"), ("josé garcía", "graded"), ("mo", "no submission")]


def test_a_bad_roster_stops_the_run_before_anything_is_graded(tmp_path):
    subs = small_class(tmp_path / "subs")
    roster = write_roster(tmp_path / "class.csv", "name;email\nAda;a@x\n")
    out = tmp_path / "out"
    with pytest.raises(exits.CommandError, match=r"class\.csv:1: no id column"):
        grade(subs, out, roster=roster)
    assert not out.exists()


def test_grade_py_says_a_bad_roster_with_exit_status_2(tmp_path, capsys):
    import grade

    subs = small_class(tmp_path / "subs")
    roster = write_roster(tmp_path / "class.csv", "id\nada\nADA\n")
    assert grade.main([str(subs), "--out", str(tmp_path / "out"), "--roster", str(roster)]) == exits.EXIT_USAGE
    assert "class.csv:3: the id 'ADA' is on the roster twice" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


@pytest.mark.slow
def test_an_interrupted_run_writes_every_roster_student(tmp_path):
    """Ctrl-C during the grading: the gradebook of what was graded still has every student of
    the roster, those whose turn had not come as ``not graded yet``, and the next run fills them in."""
    from tests.test_batch_resume import class_with_a_slow_one, start, wait_for_keys

    subs = class_with_a_slow_one(tmp_path / "subs")
    roster = write_roster(tmp_path / "class.csv", "id,name\na1,A One\nz_loops,Zed\nnobody,No One\n")
    out = tmp_path / "out"
    proc = start(subs, out, "--jobs", "1", "--roster", str(roster))
    wait_for_keys(proc, out, 1)
    os.killpg(proc.pid, signal.SIGINT)
    output = proc.communicate(timeout=120)[0]
    assert proc.returncode == exits.EXIT_INTERRUPTED, output
    table = {r["student_id"]: r for r in rows(out)}
    assert set(table) == {"a1", "z_loops", "nobody", ""}
    assert table["nobody"]["status"] == "no submission"
    assert table["z_loops"]["status"] in ("not graded yet", "graded")
    assert table["a1"]["status"] == "graded"
    proc = start(subs, out, "--jobs", "1", "--roster", str(roster))
    assert proc.communicate(timeout=300)[1] is None and proc.returncode == 0
    table = {r["student_id"]: r for r in rows(out)}
    assert table["z_loops"]["status"] == "graded" and table["nobody"]["status"] == "no submission"


# --------------------------------------------------------------------------- platforms' files


def _zip_folder(folder: Path, dest: Path, *, top: str) -> Path:
    """``folder`` zipped into ``dest`` under one folder ``top``, as a download often is."""
    with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                zf.write(path, f"{top}/{path.relative_to(folder).as_posix()}")
    return dest


def test_moodle_download_zip_against_moodles_grading_worksheet(tmp_path):
    """The worksheet a Moodle TA downloads and uploads again names students ``Participant N``,
    the number of their download folder; one student's own upload is a zip."""
    moodle = tmp_path / "moodle"
    nbs.write(moodle / "Dora Díaz_4242_assignsubmission_file_" / "rnn.ipynb", nbs.course_notebook())
    (moodle / "Eli Eng_5151_assignsubmission_file_").mkdir(parents=True)
    with zipfile.ZipFile(moodle / "Eli Eng_5151_assignsubmission_file_" / "work.zip", "w") as zf:
        zf.writestr("work/rnn.ipynb", json.dumps(nbs.alt_notebook()))
    nbs.write(moodle / "Gus Gil_7373_assignsubmission_file_" / "rnn.ipynb", nbs.course_notebook())
    download = _zip_folder(moodle, tmp_path / "download.zip", top="RNN-20261128")
    worksheet = write_roster(tmp_path / "Grades-RNN.csv", "Identifier,Full name,Email address,Status,Grade\n"
                             "Participant 4242,Dora Díaz,dora@x,Submitted,\n"
                             "Participant 5151,Eli Eng,eli@x,Submitted,\n"
                             "Participant 6262,Fay Fé,fay@x,No submission,\n")
    out = tmp_path / "out"
    summary, printed = grade(download, out, roster=worksheet)
    assert [(r["student_id"], r["name"], r["submission"], r["status"], r["score"]) for r in rows(out)] == [
        ("Participant 4242", "Dora Díaz", "Dora Díaz_4242", "graded", "100"),
        ("Participant 5151", "Eli Eng", "Eli Eng_5151", "graded", "100"),
        ("Participant 6262", "Fay Fé", "", "no submission", "0"),
        ("", "", "Gus Gil_7373", "graded", "100")]
    assert summary.no_submission == ("Participant 6262",) and summary.not_on_roster == ("Gus Gil_7373",)


def test_canvas_download_zip_against_canvas_gradebook_export(tmp_path):
    canvas = tmp_path / "canvas"
    nbs.write(canvas / "smithjane_12345_777_RNN_assignment.ipynb", nbs.course_notebook())
    nbs.write(canvas / "doejohn_LATE_23456_888_rnn.ipynb", nbs.alt_notebook())
    download = _zip_folder(canvas, tmp_path / "submissions.zip", top="submissions")
    export = write_roster(tmp_path / "export.csv",
                          "Student,ID,SIS User ID,SIS Login ID,Section,RNN (1234)\n"
                          "    Points Possible,,,,,100\n"
                          "\"Smith, Jane\",12345,s-1,jsmith,A,\n\"Doe, John\",23456,s-2,jdoe,A,\n"
                          "\"Roe, Rita\",34567,s-3,rroe,B,\n")
    out = tmp_path / "out"
    grade(download, out, roster=export, excel=True)
    assert [(r["student_id"], r["name"], r["submission"], r["status"]) for r in rows(out)] == [
        ("12345", "Smith, Jane", "smithjane_12345", "graded"),
        ("23456", "Doe, John", "doejohn_23456", "graded"),
        ("34567", "Roe, Rita", "", "no submission")]


@pytest.mark.parametrize("mode", [["--check", "NOTEBOOK"], ["--student-kit", "KIT"], ["--gradescope"]])
def test_roster_and_excel_with_another_command_are_refused_not_ignored(tmp_path, capsys, mode):
    """``--check nb.ipynb --roster class.csv`` ran the check and said nothing of the roster: a TA
    who meant a class run would believe the roster was used."""
    import grade

    notebook = nbs.write(tmp_path / "nb.ipynb", nbs.course_notebook())
    args = [str(notebook) if a == "NOTEBOOK" else str(tmp_path / "kit") if a == "KIT" else a for a in mode]
    for extra in (["--roster", str(tmp_path / "class.csv")], ["--excel"]):
        with pytest.raises(SystemExit) as stopped:
            grade.main([*args, *extra, "--gradescope-root", str(tmp_path / "gs")])
        assert stopped.value.code == 2
        assert f"{extra[0]} goes with a class run (grade.py SUBMISSIONS ...)" in capsys.readouterr().err
    assert not (tmp_path / "kit").exists() and not (tmp_path / "gs").exists()


def test_roster_ids_and_names_are_printed_written_out(tmp_path):
    """A platform's export may hold a display name a student chose; the run prints the roster's
    ids and its report lists names: an escape sequence there would act on the TA's terminal."""
    subs = small_class(tmp_path / "subs")
    roster = write_roster(tmp_path / "class.csv", "id,name\nada,Ada\nev\x1b[2Jil,Eve\x1b]8;;http://x\x07\n")
    out = tmp_path / "out"
    summary, printed = grade(subs, out, roster=roster, class_report=True)
    assert summary.no_submission == ("ev\\x1b[2Jil",)
    assert "\x1b" not in printed and "ev\\x1b[2Jil" in printed
    page = (out / "report.html").read_text()
    assert "\x1b" not in page and "Eve\\x1b]8;;http://x\\x07" in page


def test_one_notebook_run_into_the_class_folder_does_not_call_the_others_absent(tmp_path):
    """A TA regrades one student into the class's output folder with the roster: the others'
    results are there from the last run, but not in this one. 'no submission' with 0 points
    would be a false zero uploaded for each of them. (Since the thirty-first session the earlier
    gradebook's rows are kept as graded, tests/test_commands_regrade.py; without an earlier
    gradebook the others' folders still read 'not in this run'.)"""
    subs = small_class(tmp_path / "subs")
    roster = write_roster(tmp_path / "class.csv", "id,name\nada,Ada\nbob,Bob\njose garcia,José\ncleo,Cléo\n")
    out = tmp_path / "out"
    grade(subs, out, roster=roster)
    (out / "grades.csv").unlink()
    summary, printed = grade(subs / "ada.ipynb", out, roster=roster)
    table = [(r["student_id"], r["submission"], r["score"], r["rnn_forward"], r["status"]) for r in rows(out)]
    assert table == [("ada", "ada", "100", "15", "graded"),
                     ("bob", "bob", "", "", "not in this run"),
                     ("jose garcia", "José García", "", "", "not in this run"),
                     ("cleo", "", "0", "0", "no submission")]
    assert summary.no_submission == ("cleo",)
    assert "2 not in this run but graded by an earlier one into" in printed
    # What to run to have their scores (thirty-seventh session: "grade the whole class", where the
    # output folder remembers the class's SUBMISSIONS and one command grades them again).
    again = f"{grade_command()} --out {quoted(str(out))}"
    roster_line = next(line for line in printed.splitlines() if "not in this run but graded" in line)
    assert f"grade the class again to have their scores ({again}: the submissions it was graded from," \
           f" {quoted(str(subs.resolve()))})" in roster_line, roster_line
    former = next(line for line in printed.splitlines() if line.startswith("Not among this run's"))
    assert f"({again}, the class again, puts back those still in it)" in former, former


def test_a_student_with_two_submissions_keeps_one_row_in_the_rosters_block(tmp_path):
    """Thirty-third session: a student of the roster with two submissions (the folder ``eve/``
    and ``eve.ipynb``, graded as ``eve~ipynb``) had two rows in the roster's block of grades.csv, so the score column a TA
    pastes beside the platform's export (in the roster's order, docs/instructors.md) gave every
    student after eve the score of the one before. The block now has one row per roster line:
    eve's has no score and the status 'several submissions', her submissions' rows follow it."""
    subs = tmp_path / "subs"
    nbs.write(subs / "ada.ipynb", nbs.course_notebook())
    nbs.write(subs / "eve.ipynb", nbs.course_notebook())
    nbs.write(subs / "eve" / "rnn.ipynb", nbs.course_notebook(nbs.mutate("rnn_cell_forward", "+ ba)", ")")))
    nbs.write(subs / "zed.ipynb", nbs.course_notebook(nbs.mutate("rnn_cell_forward", "+ ba)", ")")))
    nbs.write(subs / "walk_in.ipynb", nbs.course_notebook())
    roster = write_roster(tmp_path / "class.csv", "id,name\nada,Ada\neve,Eve\nzed,Zed\ncleo,Cleo\n")
    out = tmp_path / "out"
    summary, printed = grade(subs, out, roster=roster, class_report=True)
    table = rows(out)
    assert [(r["student_id"], r["submission"], r["score"], r["status"]) for r in table[:4]] == [
        ("ada", "ada", "100", "graded"), ("eve", "", "", "several submissions"),
        ("zed", "zed", "90", "graded"), ("cleo", "", "0", "no submission")]
    assert [(r["student_id"], r["submission"], r["score"], r["on_roster"]) for r in table[4:]] == [
        ("eve", "eve", "90", "yes"), ("eve", "eve~ipynb", "100", "yes"), ("", "walk_in", "100", "no")]
    assert ("the student's own row in the roster's order has no score, status 'several submissions': "
            "leave the one that counts among the submissions and run again") in printed
    assert "eve: eve, eve~ipynb" in printed
    page = (out / "report.html").read_text()
    assert "the student&#x27;s row in the roster&#x27;s order without a score" in page
    # The earlier gradebook's scores, as a regrade of one notebook reads them: eve's two rows.
    from grader.report import gradebook_scores
    assert gradebook_scores(out / "grades.csv") == {
        "ada": (100.0, 100.0), "zed": (90.0, 100.0), "eve": (90.0, 100.0), "eve~ipynb": (100.0, 100.0),
        "walk_in": (100.0, 100.0)}


def test_a_submission_not_graded_yet_has_no_score_in_the_gradebook(tmp_path):
    """Thirty-third session: a class run of 400 with a roster stopped after 90 (SIGTERM, a job's time
    limit) wrote the 307 others as ``not graded yet`` with a score of 0, which a TA pasting the
    score column into the platform gave them as their grade. Their score cells are now empty, as
    those of a row ``not in this run`` are; a student without a submission still has 0."""
    roster = Roster(path=tmp_path / "r.csv", id_column="id", students=(
        RosterStudent("ada"), RosterStudent("bob"), RosterStudent("cal")))
    subs = [Submission(id=sid, path=tmp_path / f"{sid}.ipynb") for sid in ("ada", "bob", "walk_in")]
    book = Gradebook(RUBRIC)
    book.add(unreadable_result(RUBRIC, submission_id="ada", path="x", message="m"))
    table = list(csv.DictReader(io.StringIO(book.csv(roster=roster.match(subs)))))
    by_id = {(r["student_id"], r["submission"]): r for r in table}
    assert by_id[("bob", "bob")]["status"] == "not graded yet"
    assert by_id[("bob", "bob")]["score"] == "" and by_id[("bob", "bob")]["rnn_forward"] == ""
    assert by_id[("", "walk_in")]["status"] == "not graded yet" and by_id[("", "walk_in")]["score"] == ""
    assert by_id[("cal", "")]["status"] == "no submission" and by_id[("cal", "")]["score"] == "0"
    assert by_id[("ada", "ada")]["score"] == "0"  # unreadable: a grade of 0


def test_a_moodle_grading_worksheet_comes_back_with_its_grades_filled_in(tmp_path):
    """Thirty-third session: a Moodle TA graded with the assignment's grading worksheet as the
    roster, then copied the score column of grades.csv into the worksheet by hand (a student with
    two submissions shifted it; a bonus above the maximum grade is skipped by Moodle's upload
    without a word, ``process_import_grades``: "Out of range"). The run now writes the worksheet
    itself with its Grade column filled in: one score per student of one submission, capped at the
    worksheet's Maximum Grade and said; the other rows as the worksheet had them."""
    subs = tmp_path / "moodle"
    nbs.write(subs / "Dora Díaz_4242_assignsubmission_file_" / "rnn.ipynb", nbs.course_notebook())
    nbs.write(subs / "Eli Eng_5151_assignsubmission_file_" / "rnn.ipynb",
              nbs.course_notebook(nbs.mutate("rnn_cell_forward", "+ ba)", ")")))
    nbs.write(subs / "Gus Gil_7373_assignsubmission_file_" / "rnn.ipynb",
              nbs.course_notebook(extra_cells=nbs.imdb_cells()))
    (subs / "Hal Ho_8383_assignsubmission_file_").mkdir()
    (subs / "Hal Ho_8383_assignsubmission_file_" / "rnn.ipynb").write_text("{ not json")
    header = ("Identifier,Full name,Email address,Status,Grade,Maximum Grade,Grade can be changed,"
              "Last modified (submission),Last modified (grade),Feedback comments\n")
    worksheet = write_roster(tmp_path / "Grades-RNN.csv", header +
                             "Participant 4242,Dora Díaz,dora@x,Submitted,,100.00,Yes,\"Friday, 27 November 2026, 9:00 AM\",-,\n"
                             "Participant 5151,Eli Eng,eli@x,Submitted,,100.00,Yes,-,-,\n"
                             "Participant 6262,Fay Fé,fay@x,No submission,,100.00,Yes,-,-,\n"
                             "Participant 7373,Gus Gil,gus@x,Submitted,,100.00,Yes,-,-,\n"
                             "Participant 8383,Hal Ho,hal@x,Submitted,,100.00,Yes,-,-,\n")
    out = tmp_path / "out"
    summary, printed = grade(subs, out, roster=worksheet)
    sheet = (out / "moodle-worksheet.csv").read_text("utf-8")
    table = list(csv.DictReader(io.StringIO(sheet)))
    assert sheet.splitlines()[0] + "\n" == header
    assert [(r["Identifier"], r["Grade"]) for r in table] == [
        ("Participant 4242", "100"), ("Participant 5151", "90"), ("Participant 6262", ""),
        ("Participant 7373", "100"), ("Participant 8383", "0")]
    assert table[0]["Last modified (submission)"] == "Friday, 27 November 2026, 9:00 AM"
    assert {r["score"] for r in rows(out) if r["student_id"] == "Participant 7373"} == {"110"}
    said = next(line for line in printed.splitlines() if line.startswith("Moodle grading worksheet"))
    assert said == (f"Moodle grading worksheet with 4 score(s): {out / 'moodle-worksheet.csv'} (the roster's "
                    f"worksheet, its Grade column filled in; upload it with the assignment's \"Upload "
                    f"grading worksheet\"); left as the roster had it for 1: Participant 6262 (no "
                    f"submission); written as the maximum grade, since Moodle skips a grade above it, for 1 "
                    f"(their bonus is in grades.csv): Participant 7373.")
    # Said at the end, beside the gradebook it was made from (it came before "Graded ...").
    lines = printed.splitlines()
    assert lines[lines.index(said) - 1] == f"Gradebook: {out / 'grades.csv'}", printed
    # Another roster (not a worksheet): the earlier worksheet would read as this run's.
    other = write_roster(tmp_path / "class.csv", "id\n4242\n")
    _, printed = grade(subs, out, roster=other)
    assert not (out / "moodle-worksheet.csv").exists()
    assert "Removed " + str(out / "moodle-worksheet.csv") in printed


def test_a_canvas_gradebook_export_comes_back_as_an_import_of_its_assignment(tmp_path):
    """Thirty-third session: with Canvas's gradebook export as the roster, the run writes
    canvas-import.csv: the export's identification columns, its "Points Possible" line, and its one
    assignment column with the scores (Canvas keeps a score above the points possible); a student
    without a submission keeps the cell the export had. An export of several assignments is not
    guessed at: the run says how to export the one."""
    canvas = tmp_path / "canvas"
    nbs.write(canvas / "smithjane_12345_777_rnn.ipynb", nbs.course_notebook(extra_cells=nbs.imdb_cells()))
    nbs.write(canvas / "doejohn_LATE_23456_888_rnn.ipynb",
              nbs.course_notebook(nbs.mutate("rnn_cell_forward", "+ ba)", ")")))
    export = write_roster(tmp_path / "export.csv",
                          "Student,ID,SIS User ID,SIS Login ID,Section,Quiz 1 Current Score,RNN (1234),Current Score\n"
                          "    Points Possible,,,,,,100,(read only)\n"
                          "\"Smith, Jane\",12345,s-1,jsmith,A,8,,80\n\"Doe, John\",23456,s-2,jdoe,A,9,,90\n"
                          "\"Roe, Rita\",34567,s-3,rroe,B,7,55,70\n")
    out = tmp_path / "out"
    _, printed = grade(canvas, out, roster=export)
    sheet = (out / "canvas-import.csv").read_text("utf-8")
    assert sheet == ("Student,ID,SIS User ID,SIS Login ID,Section,RNN (1234)\n"
                     "    Points Possible,,,,,100\n"
                     "\"Smith, Jane\",12345,s-1,jsmith,A,110\n\"Doe, John\",23456,s-2,jdoe,A,90\n"
                     "\"Roe, Rita\",34567,s-3,rroe,B,55\n")
    assert (f"Canvas gradebook import with 2 score(s): {out / 'canvas-import.csv'} (the export's identification "
            f"columns and its assignment's; upload it with the Gradebook's Import); left as the roster had "
            f"it for 1: 34567 (no submission).") in printed
    write_roster(export, "Student,ID,SIS User ID,SIS Login ID,Section,RNN (1234),LSTM (1235)\n"
                         "\"Smith, Jane\",12345,s-1,jsmith,A,,\n")
    _, printed = grade(canvas, out, roster=export)
    assert not (out / "canvas-import.csv").exists()
    assert ("No canvas-import.csv written: the Canvas export export.csv has 2 assignment columns ('RNN (1234)', "
            "'LSTM (1235)') where one is needed: export the gradebook showing this assignment alone") in printed


def test_a_roster_with_a_role_column_leaves_the_staff_out(tmp_path):
    """Thirty-fourth session: a course's members list with a role (Gradescope's roster download,
    Moodle's participants) stopped the run at a TA's line without a student id ("no id on this
    line"), and a staff member with one was listed with 'no submission' and a 0."""
    roster = write_roster(tmp_path / "roster.csv", "Name,Email,SID,Role\nAda L,ada@x,ada,Student\n"
                          "Ted T,ted@x,,TA\nIra I,ira@x,ira,Instructor\nBob B,bob@x,bob,student\n")
    read = load_roster(roster)
    assert [s.id for s in read.students] == ["ada", "bob"] and read.staff == (3, 4)
    subs, out = small_class(tmp_path / "subs"), tmp_path / "out"
    summary, printed = grade(subs, out, roster=roster, class_report=True)
    assert summary.roster_size == 2 and "ira" not in summary.no_submission
    assert "Roster: 2 student(s) (2 line(s) of staff left out, by its role column); " in printed, printed
    assert [r["student_id"] for r in rows(out) if r["on_roster"] == "yes"] == ["ada", "bob"]
    assert "2 line(s) of staff left out, by its role column (line 3, 4)" in (out / "report.html").read_text("utf-8")


def test_a_student_with_two_notebooks_graded_neither_keeps_the_platforms_cell(tmp_path):
    """Thirty-fourth session: a Canvas student who handed in two versions of the notebook (both
    defining the graded functions: none graded, the TA to choose) got the 0 of grades.csv in
    canvas-import.csv, a zero uploaded to Canvas for a student who had done the work. The cell is
    left as the export had it, and the run says why."""
    canvas = tmp_path / "canvas"
    nbs.write(canvas / "smithjane_12345_777_rnn.ipynb", nbs.course_notebook())
    nbs.write(canvas / "doejohn_23456_888_rnn.ipynb", nbs.course_notebook())
    nbs.write(canvas / "doejohn_23456_889_rnn-1.ipynb", nbs.alt_notebook())
    export = write_roster(tmp_path / "export.csv",
                          "Student,ID,SIS User ID,SIS Login ID,Section,RNN (1234)\n"
                          "    Points Possible,,,,,100\n"
                          "\"Smith, Jane\",12345,s-1,jsmith,A,\n\"Doe, John\",23456,s-2,jdoe,A,60\n")
    out = tmp_path / "out"
    _, printed = grade(canvas, out, roster=export)
    assert (out / "canvas-import.csv").read_text("utf-8").splitlines()[2:] == [
        "\"Smith, Jane\",12345,s-1,jsmith,A,100", "\"Doe, John\",23456,s-2,jdoe,A,60"]
    assert "left as the roster had it for 1: 23456 (several notebooks, none graded)" in printed, printed


# --------------------------------------------------------------------------- excused (withdrawn) students


def test_a_student_the_roster_marks_withdrawn_has_no_zero_in_grades_csv_nor_the_report(tmp_path):
    """On main a withdrawn student on the roster was a 0 with 'no submission' in grades.csv and
    counted among the missing in the run's lines and the class report. A roster column
    'withdrawn' (or 'excused', 'exempt') marks them: no score, status 'excused', named apart."""
    subs = small_class(tmp_path / "subs")
    roster = write_roster(tmp_path / "class.csv", "id,name,Withdrawn\nada,Ada,\nbob,Bob,no\nJosé García,José,\n"
                                                 "carl,Carl,W\ndora,Dora,\neve,Eve,yes\n")
    out = tmp_path / "out"
    summary, printed = grade(subs, out, roster=roster, class_report=True)
    assert [(r["student_id"], r["score"], r["max_score"], r["status"]) for r in rows(out)] == [
        ("ada", "100", "100", "graded"), ("bob", "0", "100", "unreadable"),
        ("José García", "100", "100", "graded"), ("carl", "", "", "excused"),
        ("dora", "0", "100", "no submission"), ("eve", "", "", "excused")]
    assert summary.no_submission == ("dora",)
    assert ("Roster: 6 student(s); 1 with no submission: dora" in printed
            and "Roster: 2 excused by the roster's column 'Withdrawn' and without a submission (in grades.csv "
                "without a score, status 'excused'; the upload file keeps their cell): carl (Carl) [W], eve (Eve) [yes]."
            in printed), printed
    page = (out / "report.html").read_text("utf-8")
    assert "1 with no submission: dora (Dora)" in page and "carl (Carl) [W]" in page


def test_an_excused_student_who_submitted_is_graded_and_keeps_the_worksheets_cell_otherwise(tmp_path):
    moodle = tmp_path / "moodle"
    nbs.write(moodle / "Dora Díaz_4242_assignsubmission_file_" / "rnn.ipynb", nbs.course_notebook())
    worksheet = write_roster(tmp_path / "Grades-RNN.csv", "Identifier,Full name,Email address,Status,Grade,"
                             "Maximum Grade,Last modified (grade),Excused\n"
                             "Participant 4242,Dora Díaz,d@x,Submitted,,100.00,-,yes\n"
                             "Participant 5151,Eli Eng,e@x,No submission,,100.00,-,medical leave\n")
    out = tmp_path / "out"
    _, printed = grade(moodle, out, roster=worksheet)
    assert [(r["student_id"], r["score"], r["status"]) for r in rows(out)] == [
        ("Participant 4242", "100", "graded"), ("Participant 5151", "", "excused")]
    sheet = list(csv.reader(io.StringIO((out / "moodle-worksheet.csv").read_text("utf-8-sig"))))
    assert [row[4] for row in sheet[1:]] == ["100", ""]
    assert "Participant 5151 (Eli Eng) [medical leave]" in printed and "Participant 5151 (excused)" in printed


def test_the_excused_note_names_a_few_students_and_counts_the_rest(tmp_path):
    """A roster of a large course marking 500 students withdrawn said each of them, with their
    roster cell, in one line of the run and of the class report; it names ``MAX_LISTED`` now, as
    the other notes of the roster name a few, and counts the rest."""
    from grader.discover import MAX_LISTED

    students = tuple(RosterStudent(id=f"s{n:03d}", line=n + 2, excused="W") for n in range(500))
    matched = Roster(path=tmp_path / "roster.csv", students=students, id_column="id",
                     excused_column="Withdrawn").match([])
    note = classsummary._excused_note(matched)
    assert note.startswith("500 excused by the roster's column 'Withdrawn'")
    assert note.count("[W]") == MAX_LISTED and f"and {500 - MAX_LISTED} more." in note
    assert "s000" in note and "s499" not in note and len(note) < 500
