"""grader.classoptions: how a class was graded (--roster, --adjust, --excel, --template, --known,
--no-similarity) is remembered in its output folder, and a later run into it that names none of them writes the same
gradebook (the thirty-fifth session's TA: a regrade of one notebook without them dropped the
roster's students and the points by hand from grades.csv and the points from the student's
feedback, with a warning only)."""
from __future__ import annotations

import csv
import html
import json
import os
from pathlib import Path

import pytest

import grade as cli
from grader import classfiles
from grader import classoptions, exits
from grader.classoptions import OPTIONS_FILE
from tests import notebooks as nbs
from tests.test_similarity_identical import starter
from tests.test_commands_regrade import WRONG_CELL, grade, rows, scores, small_class


@pytest.fixture(autouse=True)
def steady_grader(monkeypatch):
    """Edits to grader/ by others during a test must not make the keys stale (see test_batch)."""
    monkeypatch.setattr("grader.incremental.grader_digest", lambda *a, **k: "pinned")


def graded_class(tmp_path: Path) -> tuple[Path, Path, Path, Path]:
    """The small class graded with a roster (a student with no submission), points by hand and
    Excel's mark: its submissions, output folder, roster and adjustments."""
    subs = small_class(tmp_path / "subs")
    roster = tmp_path / "class.csv"
    roster.write_text("id,name\nalice,Alice\nbob,Bob\ncarol,Carol\ndan,Dan\n", "utf-8")
    adjust = tmp_path / "adjust.csv"
    adjust.write_text("submission,points,reason\nbob,5,regrade request\n", "utf-8")
    out = tmp_path / "out"
    grade(subs, out, similarity=False, roster=roster, adjust=adjust, excel=True)
    assert scores(out) == {"alice": "100", "bob": "95", "carol": "100", "": "0"}
    return subs, out, roster, adjust


def test_a_regrade_of_one_notebook_keeps_the_roster_the_points_by_hand_and_excel(tmp_path):
    """On main the regrade wrote grades.csv without dan's row, bob's +5 and the byte-order mark,
    and bob's feedback lost the points by hand."""
    subs, out, roster, adjust = graded_class(tmp_path)
    nbs.write(subs / "carol.ipynb", nbs.course_notebook(WRONG_CELL))  # carol's resubmission
    summary, printed = grade(subs / "carol.ipynb", out, similarity=False, feedback_html=True)
    text = (out / "grades.csv").read_bytes()
    assert text.startswith(b"\xef\xbb\xbfsubmission,"), text[:40]
    assert scores(out) == {"alice": "100", "bob": "95", "carol": "90", "": "0"}
    assert b",dan,Dan,,yes,no submission" in text
    assert "**Points by hand: +5**" in (out / "bob" / "feedback.md").read_text("utf-8")
    assert summary.roster_size == 4 and summary.no_submission == ("dan",)
    assert (f"As the class in {out} was graded before (its grading-options.json): --roster {roster} "
            f"--adjust {adjust} --excel; give another, or --no-roster, --no-adjust, --no-excel, to "
            f"change that\n") in printed
    assert "The earlier" not in printed  # nothing lost, nothing to warn of


def test_an_option_given_replaces_the_remembered_one_and_no_drops_it(tmp_path):
    subs, out, roster, adjust = graded_class(tmp_path)
    other = tmp_path / "late-registration.csv"
    other.write_text("id\nalice\nbob\ncarol\ndan\neve\n", "utf-8")
    _, printed = grade(subs, out, similarity=False, roster=other)
    assert "--roster" not in printed.split("\n", 1)[0] and f"--adjust {adjust} --excel;" in printed
    assert [row["student_id"] for row in rows(out)] == ["alice", "bob", "carol", "dan", "eve"]
    assert json.loads((out / OPTIONS_FILE).read_text())["roster"] == str(other)
    _, printed = grade(subs, out, similarity=False, roster=False, adjust=False, excel=False)
    assert "As the class" not in printed and "The earlier" not in printed  # dropped on purpose
    assert scores(out) == {"alice": "100", "bob": "90", "carol": "100"}
    assert not (out / "grades.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    _, printed = grade(subs, out, similarity=False)  # nothing remembered now
    assert "As the class" not in printed and scores(out) == {"alice": "100", "bob": "90", "carol": "100"}


def test_a_remembered_roster_that_moved_is_refused_before_grading_with_what_to_give(tmp_path):
    subs, out, roster, _ = graded_class(tmp_path)
    roster.rename(tmp_path / "moved.csv")
    nbs.write(subs / "bob.ipynb", nbs.course_notebook())
    before = (out / "grades.csv").read_bytes()
    with pytest.raises(exits.CommandError) as raised:
        grade(subs / "bob.ipynb", out, similarity=False)
    assert str(raised.value) == (
        f"the class in {out} was graded with --roster {roster} (remembered in {out / OPTIONS_FILE}), "
        f"which is no longer there: give --roster FILE, its new place, or --no-roster to write the "
        f"gradebook without it")
    assert (out / "grades.csv").read_bytes() == before  # nothing graded, nothing written
    grade(subs / "bob.ipynb", out, similarity=False, roster=tmp_path / "moved.csv")
    assert scores(out)["bob"] == "105"


def test_a_relative_roster_is_remembered_from_wherever_the_next_run_starts(tmp_path, monkeypatch):
    subs = small_class(tmp_path / "subs")
    (tmp_path / "class.csv").write_text("id\nalice\nbob\ncarol\ndan\n", "utf-8")
    monkeypatch.chdir(tmp_path)
    grade(subs, tmp_path / "out", similarity=False, roster=Path("class.csv"))
    monkeypatch.chdir(subs)
    grade(subs / "bob.ipynb", tmp_path / "out", similarity=False)
    assert [row["student_id"] for row in rows(tmp_path / "out")] == ["alice", "bob", "carol", "dan"]


def test_a_damaged_options_file_is_named_with_what_to_do(tmp_path):
    subs, out, _, _ = graded_class(tmp_path)
    (out / OPTIONS_FILE).write_text('{"roster": 3}')
    with pytest.raises(exits.CommandError, match=f"{out / OPTIONS_FILE}: not the options this grader "
                                                    f"writes: delete it and give --roster"):
        grade(subs, out, similarity=False)


def test_a_notebook_named_as_the_options_file_is_a_submission_of_its_own(tmp_path):
    subs = small_class(tmp_path / "subs")
    nbs.write(subs / "grading-options.json.ipynb", nbs.course_notebook())
    out = tmp_path / "out"
    grade(subs, out, similarity=False)
    assert "grading-options.json~ipynb" in scores(out)
    remembered = json.loads((out / OPTIONS_FILE).read_text())
    assert len(remembered.pop("sandboxes")) == 1 and remembered.pop("late_over") == []  # how its results were graded
    assert remembered == {
        "roster": None, "adjust": None, "template": None, "known": None, "excel": False, "similarity": False,
        "sources": [str(subs)], "late": []}


def test_the_command_line_passes_no_roster_no_adjust_no_excel():
    def given(*words: str) -> tuple:
        args = cli.build_parser().parse_args(["subs", *words])
        return args.roster, args.adjust, args.excel

    assert given("--no-roster", "--no-adjust", "--no-excel") == (False, False, False)
    assert given() == (None, None, None)  # the library's defaults: as the folder remembers
    assert given("--roster", "r.csv", "--adjust", "a.csv", "--excel") == (Path("r.csv"), Path("a.csv"), True)
    with pytest.raises(SystemExit):  # both at once: argparse says they exclude each other
        given("--roster", "r.csv", "--no-roster")


def similarity_rows(out: Path) -> list[dict]:
    with open(out / classfiles.SIMILARITY_CSV, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def pairs(out: Path) -> dict[frozenset, tuple]:
    """similarity.csv's pairs (in either order: the regraded student comes first) and their figures."""
    return {frozenset((row["a"], row["b"])): (row["flagged"], row["overall"], row["shared_fingerprints"])
            for row in similarity_rows(out)}


def compared_class(tmp_path: Path) -> tuple[Path, Path, Path, Path]:
    """The small class graded with the starter notebook and a solution found online (carol's
    style): its submissions, output folder, template and known solutions."""
    subs = small_class(tmp_path / "subs")
    template = nbs.write(tmp_path / "starter.ipynb", starter())
    known = tmp_path / "found_online"
    nbs.write(known / "blog_solution.ipynb", nbs.alt_notebook())
    out = tmp_path / "out"
    grade(subs, out, template=template, known=known)
    assert any(row["b"] == "known:blog_solution" and row["flagged"] == "1" for row in similarity_rows(out))
    return subs, out, template, known


def test_a_regrade_of_one_notebook_checks_similarity_with_the_template_and_known_solutions(tmp_path):
    """On main the regrade compared the class without them: similarity.csv lost carol's match with
    the solution found online, and the starter code's lines counted as shared."""
    subs, out, template, known = compared_class(tmp_path)
    before = pairs(out)
    _, printed = grade(subs / "bob.ipynb", out)
    assert pairs(out) == before
    assert (f"As the class in {out} was graded before (its grading-options.json): --template {template} "
            f"--known {known}; give another, or --no-template, --no-known, to change that\n") in printed
    _, printed = grade(subs / "bob.ipynb", out, template=False, known=False)
    assert "As the class" not in printed
    assert not any(row["b"].startswith("known:") for row in similarity_rows(out))
    assert json.loads((out / OPTIONS_FILE).read_text())["known"] is None


def test_no_similarity_is_remembered_until_similarity_is_given(tmp_path):
    subs = small_class(tmp_path / "subs")
    out = tmp_path / "out"
    grade(subs, out, similarity=False)
    _, printed = grade(subs / "bob.ipynb", out, similarity=None)
    assert not (out / classfiles.SIMILARITY_CSV).exists()
    assert (f"(its grading-options.json): --no-similarity; give another, or --similarity, to change "
            f"that\n") in printed
    grade(subs / "bob.ipynb", out, similarity=True)
    assert similarity_rows(out) and json.loads((out / OPTIONS_FILE).read_text())["similarity"] is True


def test_remembered_known_solutions_that_moved_are_refused_naming_the_option(tmp_path):
    subs, out, _, known = compared_class(tmp_path)
    known.rename(tmp_path / "moved")
    with pytest.raises(exits.CommandError) as raised:
        grade(subs / "bob.ipynb", out)
    assert str(raised.value) == (
        f"the class in {out} was graded with --known {known} (remembered in {out / OPTIONS_FILE}), "
        f"which is no longer there: give --known DIR, its new place, or --no-known to check "
        f"similarity without them")
    grade(subs / "bob.ipynb", out, known=tmp_path / "moved")
    assert json.loads((out / OPTIONS_FILE).read_text())["known"] == str(tmp_path / "moved")


def test_a_file_of_the_grader_that_remembered_only_the_gradebook_options_is_read(tmp_path):
    subs = small_class(tmp_path / "subs")
    out = tmp_path / "out"
    out.mkdir()
    (out / OPTIONS_FILE).write_text('{"roster": null, "adjust": null, "excel": true}')
    grade(subs, out)
    assert (out / "grades.csv").read_bytes().startswith(b"\xef\xbb\xbf") and similarity_rows(out)


def test_the_command_line_passes_no_template_no_known_and_similarity():
    def given(*words: str) -> tuple:
        args = cli.build_parser().parse_args(["subs", *words])
        return args.template, args.known, args.similarity

    assert given() == (None, None, None)  # as the folder remembers
    assert given("--no-template", "--no-known", "--no-similarity") == (False, False, False)
    assert given("--template", "t.ipynb", "--known", "k", "--similarity") == (Path("t.ipynb"), Path("k"), True)
    with pytest.raises(SystemExit):
        given("--similarity", "--no-similarity")


def test_the_class_report_says_its_figures_leave_out_the_points_by_hand(tmp_path):
    """The TA compared report.html's mean with grades.csv's and found them apart, the report
    saying nothing of the adjustments (docs/reports.md: the report is the grader's)."""
    subs, out, _, adjust = graded_class(tmp_path)
    grade(subs, out, similarity=False, class_report=True)
    page = html.unescape((out / "report.html").read_text("utf-8"))
    assert (f"Points by hand ({adjust}) are added to 1 score(s) of grades.csv and to those students' "
            f"feedback; this report's scores, figures and charts are the grader's, without them") in page
    grade(subs, out, similarity=False, class_report=True, adjust=False)
    assert "Points by hand" not in (out / "report.html").read_text("utf-8")


def test_the_runs_last_lines_name_the_graders_scores_and_give_those_with_the_points_by_hand(tmp_path):
    """On main the run ended "min 90 · median 100 · mean 96.7" of the grader's scores while
    grades.csv had bob's +5 (mean 98.3), with nothing saying which."""
    subs, out, _, _ = graded_class(tmp_path)
    summary, printed = grade(subs, out, similarity=False)
    assert summary.scores == (100.0, 90.0, 100.0) and summary.adjusted_scores == (100.0, 95.0, 100.0)
    assert "; the grader's scores: min 90 · median 100 · mean 96.7 · max 100 (of 100)" in printed
    assert ("\n  with the points by hand (--adjust), as grades.csv has them: min 95 · median 100 · "
            "mean 98.3 · max 100 (of 100)") in printed
    graded = [float(score) for sid, score in scores(out).items() if sid]
    assert sorted(graded) == sorted(summary.adjusted_scores)  # the figures are grades.csv's
    _, printed = grade(subs, out, similarity=False, adjust=False)
    assert "the grader's scores" not in printed and "points by hand" not in printed


@pytest.mark.parametrize("text", [
    "[" * 60_000,  # nested past the JSON parser's depth: RecursionError
    '{"excel": false, "similarity": true}',  # no roster, no adjust: KeyError
    '{"roster": "/x/a\\u0000b.csv", "adjust": null, "excel": false, "similarity": true}',
    '{"roster": "/x/\\ud800.csv", "adjust": null, "excel": false, "similarity": true}',
    '{"roster": "class.csv", "adjust": null, "excel": false, "similarity": true}',  # relative
    '{"roster": "", "adjust": null, "excel": false, "similarity": true}',
], ids=["nested", "keys-left-out", "nul", "surrogate", "relative", "empty"])
def test_an_options_file_the_grader_never_writes_is_named_with_what_to_do(tmp_path, text):
    """Thirty-sixth session (hostile): a crafted or hand-edited ``grading-options.json`` ended a run
    in a traceback (a key left out: KeyError; nested past the parser's depth: RecursionError), or
    gave a path no run writes (a NUL, a lone surrogate, a path relative to wherever the run
    starts). Each is refused as not the grader's file, naming it and what to give."""
    from grader.classoptions import OptionsError, resolve

    (tmp_path / OPTIONS_FILE).write_text(text)
    with pytest.raises(OptionsError, match=f"{tmp_path / OPTIONS_FILE}: .*delete it and give --roster"):
        resolve(tmp_path)


def test_a_file_name_the_file_system_gives_undecoded_is_remembered(tmp_path):
    """A roster whose name is not UTF-8 (``surrogateescape``) is written and read back as itself."""
    from grader.classoptions import ClassOptions, remember, resolve

    roster = Path(os.fsdecode(bytes(tmp_path) + b"/class-\xe9.csv"))
    roster.write_text("id\nalice\n")
    remember(tmp_path, ClassOptions(roster=roster))
    assert resolve(tmp_path)[0].roster == roster


def test_the_points_by_hand_are_hidden_from_the_children_as_the_roster_is(tmp_path, monkeypatch):
    """Thirty-sixth session (hostile): ``--roster`` and ``--known`` were protected paths, but not
    ``--adjust`` (each student's id, points by hand and the reason: "regrade request", an
    extension), given or remembered, open to every child where Landlock is absent (the mounts
    alone hide it)."""
    from grader import classrun, protectedpaths

    given = []
    real = protectedpaths.protected_paths
    monkeypatch.setattr(classrun, "protected_paths",
                        lambda *roots, **kw: given.append(kw["reads"]) or real(*roots, **kw))
    subs, out, roster, adjust = graded_class(tmp_path)
    grade(subs / "carol.ipynb", out, similarity=False)  # both remembered from the folder
    assert len(given) >= 2 and all(roster in reads and adjust in reads for reads in given), given


def test_a_remembered_template_that_moved_stops_no_run_without_the_similarity_check(tmp_path):
    """On main a run given --no-similarity (or a folder that remembers it) was refused for the
    starter notebook it would not read; the next run with the check still names it."""
    subs, out, template, known = compared_class(tmp_path)
    template.unlink()
    known.rename(tmp_path / "moved")
    grade(subs / "bob.ipynb", out, similarity=False)
    assert not (out / classfiles.SIMILARITY_CSV).exists()
    remembered = json.loads((out / OPTIONS_FILE).read_text())
    assert (remembered["template"], remembered["similarity"]) == (str(template), False)
    grade(subs / "bob.ipynb", out, similarity=None)  # the folder remembers --no-similarity
    with pytest.raises(exits.CommandError, match=r"was graded with --template .*--no-template"):
        grade(subs / "bob.ipynb", out, similarity=True)


def test_a_file_of_the_thirty_fifth_sessions_grader_without_sources_is_read(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    (out / OPTIONS_FILE).write_text(json.dumps({"roster": None, "adjust": None, "template": None,
                                                "known": None, "excel": True, "similarity": False}))
    options = classoptions.remembered(out)
    assert (options.sources, options.excel) == ((), True)
    (out / OPTIONS_FILE).write_text(json.dumps({"roster": None, "adjust": None, "template": None, "known": None,
                                                "excel": True, "similarity": False, "sources": [3]}))
    with pytest.raises(classoptions.OptionsError, match="not the options this grader writes"):
        classoptions.remembered(out)


@pytest.mark.parametrize("name", ["fall term", "sec1; touch pwned", "$(touch pwned)", "it's (1)"])
def test_the_commands_a_refusal_of_a_source_left_out_gives_are_quoted_for_the_shell(tmp_path, name):
    """Thirty-seventh session: the commands to paste named the sources and the output folder as
    they were, and ``python3 grade.py`` whatever Python ran: Canvas's second download of one name is
    ``submissions (1).zip``, a syntax error pasted into bash; ``;`` or ``$(...)`` in a name ran what
    followed. Each path is now quoted as the shell reads it, after ``copycommands.grade_command``."""
    import shlex

    from grader.copycommands import grade_command

    sources = [tmp_path / f"{name} A", tmp_path / f"{name} B"]
    for source in sources:
        source.mkdir()
    out = tmp_path / f"{name} out"
    said = classoptions.sources_left_out(sources, sources[:1], out_dir=out)
    assert said is not None
    every = said.split("give every source (", 1)[1].split(", or ", 1)[0]
    assert shlex.split(every) == [*shlex.split(grade_command()), *map(str, sources), "--out", str(out)], said
    last = said.split(", or ", 1)[1].split(" for those of the last run", 1)[0]
    assert shlex.split(last) == [*shlex.split(grade_command()), "--out", str(out)], said


def test_the_remembered_options_a_run_names_are_quoted_for_the_shell(tmp_path):
    # The line 'As the class in OUT was graded before: --roster PATH ...' names the options to give.
    import shlex

    roster = tmp_path / "fall term; roster.csv"
    flags = classoptions.ClassOptions(roster=roster, excel=True).flags()
    assert [shlex.split(flag) for flag, _ in flags] == [["--roster", str(roster)], ["--excel"]]


@pytest.mark.parametrize("typo", ["nonexist/", "nonexist.zip"])
def test_a_missing_submissions_path_is_said_first_and_alone(tmp_path, capsys, typo):
    """Thirty-seventh session: ``grade.py nonexist/`` into a folder that remembers its options first
    said the options it would take from it ("As the class in ... was graded before"), then that the
    path does not exist; the missing path is said now, before anything is read of the folder."""
    out = tmp_path / "out"
    out.mkdir()
    (out / OPTIONS_FILE).write_text(json.dumps({"roster": None, "adjust": None, "template": None,
                                                "known": None, "excel": True, "similarity": False}))
    missing = tmp_path / typo
    status = cli.main([str(missing), "--out", str(out)])
    err = capsys.readouterr().err
    assert status != exits.EXIT_OK
    assert err.strip().splitlines() == [f"grade.py: {missing}: no such file or folder"], err


def test_the_sandboxes_and_late_digests_remembered_are_read_back_and_checked(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    classoptions.remember(out, classoptions.ClassOptions(sandboxes=("sandbox (non-root): x; NOT enforced: y",)))
    assert classoptions.remembered(out).sandboxes == ("sandbox (non-root): x; NOT enforced: y",)
    data = json.loads((out / OPTIONS_FILE).read_text())
    (out / OPTIONS_FILE).write_text(json.dumps({**data, "sandboxes": [3]}))
    with pytest.raises(classoptions.OptionsError, match="not the options this grader writes"):
        classoptions.remembered(out)
    (out / OPTIONS_FILE).write_text(json.dumps({**data, "late_over": [["/late/carol.ipynb"]]}))
    with pytest.raises(classoptions.OptionsError, match="not the options this grader writes"):
        classoptions.remembered(out)
    del data["sandboxes"], data["late_over"]  # a file of the thirty-seventh session's grader
    (out / OPTIONS_FILE).write_text(json.dumps(data))
    assert classoptions.remembered(out).sandboxes == () and classoptions.remembered(out).late_over == ()
