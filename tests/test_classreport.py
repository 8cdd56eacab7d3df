"""report.html: statistics, sections for every kind of result, escaping, scale, and a real browser."""
from __future__ import annotations

import dataclasses
import random
import re
import subprocess
import sys
from pathlib import Path

import pytest

from grader import classreport
from grader.classreport import class_stats, write_class_report
from grader.models import (
    CRASHED, ERROR, FAILED, HARNESS, HIDDEN, NOT_IMPLEMENTED, PASSED, TIMEOUT, CaseResult,
    Diagnosis, PartResult, SubmissionResult,
)
from grader.rubric import load_rubric
from tests.pages import non_blank, parse, probed_copy, run_chromium

REPO = Path(__file__).resolve().parent.parent
RUBRIC = load_rubric(REPO / "rubrics" / "rnn.yaml")

MISTAKE = Diagnosis("rnn_cell_forward/no_ba", "Your hidden state leaves out the bias ba.")
OTHER_MISTAKE = Diagnosis("rnn_backward/no_recurrent_gradient", "The recurrent gradient is dropped.")


def synthetic_result(sid: str, rng: random.Random, *, imdb: bool = False) -> SubmissionResult:
    """A graded result over RNN's rubric: each case passes with some chance, else one of the failures."""
    parts = []
    for part in RUBRIC.parts:
        skill = rng.random()
        cases = []
        for c in part.cases:
            if rng.random() < 0.3 + 0.7 * skill:
                status, points, diagnosis = PASSED, c.points, None
            else:
                status = rng.choice([FAILED, FAILED, FAILED, ERROR, TIMEOUT, NOT_IMPLEMENTED, CRASHED])
                points = 0.0
                diagnosis = rng.choice([MISTAKE, OTHER_MISTAKE, None]) if status == FAILED else None
            cases.append(CaseResult(c.id, c.name, c.visibility, status, points, c.points,
                                    message="" if status == PASSED else "wrong", diagnosis=diagnosis))
        worst = next((c.status for c in cases if c.status != PASSED), PASSED)
        parts.append(PartResult(part.name, part.function, worst, sum(c.points for c in cases),
                                part.max_points, tuple(cases)))
    if imdb:
        parts.append(PartResult("imdb_report", "imdb_report", FAILED, 2.0, 10.0, (
            CaseResult("imdb_report/1", "three alternatives", "public", PASSED, 2.0, 2.0),),
            notes=("LSTM (cell 5): best validation accuracy 0.86.", "validates on the test set")))
    total = sum(p.points for p in parts)
    return SubmissionResult(sid, f"/class/{sid}.ipynb", "graded", total, sum(p.max_points for p in parts),
                            tuple(parts))


def fixed_class() -> list[SubmissionResult]:
    """Three graded (one perfect, two with the same mistake), one unreadable, one harness failure."""
    def result(sid, failing: dict[str, tuple[str, Diagnosis | None]]):
        """A graded result where the cases in ``failing`` have the given status and diagnosis."""
        parts = []
        for part in RUBRIC.parts:
            cases = tuple(CaseResult(c.id, c.name, c.visibility,
                                     failing.get(c.id, (PASSED, None))[0],
                                     0.0 if c.id in failing else c.points, c.points,
                                     diagnosis=failing.get(c.id, (PASSED, None))[1])
                          for c in part.cases)
            status = next((c.status for c in cases if c.status != PASSED), PASSED)
            parts.append(PartResult(part.name, part.function, status, sum(c.points for c in cases),
                                    part.max_points, cases))
        return SubmissionResult(sid, f"/c/{sid}.ipynb", "graded", sum(p.points for p in parts), 100.0, tuple(parts))

    first = RUBRIC.part("rnn_cell_forward").cases
    lstm = RUBRIC.part("lstm_forward").cases
    return [
        result("ada", {}),
        result("alan", {first[0].id: (FAILED, MISTAKE), first[1].id: (FAILED, MISTAKE)}),
        result("barbara", {first[0].id: (FAILED, MISTAKE), **{c.id: (NOT_IMPLEMENTED, None) for c in lstm}}),
        SubmissionResult("donald", "/c/donald.ipynb", "unreadable", 0.0, 100.0,
                         messages=("donald.ipynb: not JSON (truncated at byte 2793)",)),
        SubmissionResult("edsger", "/c/edsger.ipynb", HARNESS, 0.0, 100.0,
                         messages=("the sandbox could not start: out of file descriptors",)),
    ]


# --------------------------------------------------------------------------- statistics


def test_stats_count_parts_cases_and_mistakes():
    stats = class_stats(fixed_class(), rubric=RUBRIC)
    assert stats.total == 5 and len(stats.graded) == 3 and len(stats.unreadable) == 1 and len(stats.harness) == 1
    by_id = {r.submission_id: r.points for r in fixed_class()}
    assert sorted(stats.scores) == sorted([by_id["ada"], by_id["alan"], by_id["barbara"], 0.0])
    part = {p.name: p for p in stats.parts}
    assert part["rnn_cell_forward"].full_marks == 1 and part["rnn_cell_forward"].submissions == 3
    assert part["lstm_forward"].statuses == {PASSED: 2, NOT_IMPLEMENTED: 1}
    n = len(RUBRIC.part("rnn_cell_forward").cases)
    assert part["rnn_cell_forward"].cases_run == 3 * n
    assert part["rnn_cell_forward"].cases_passed == 3 * n - 3
    first = {c.case_id: c for c in stats.cases}[RUBRIC.part("rnn_cell_forward").cases[0].id]
    assert (first.passed, first.submissions, first.statuses[FAILED]) == (1, 3, 2)
    assert stats.mistakes[0].id == MISTAKE.id
    assert (stats.mistakes[0].submissions, stats.mistakes[0].cases) == (2, 3)


def test_bonus_scores_above_the_maximum_stay_on_the_histogram():
    rng = random.Random(2)
    results = [synthetic_result(f"s{i}", rng) for i in range(3)]
    bonus = dataclasses.replace(results[0], points=RUBRIC.max_points + 10, max_points=RUBRIC.max_points)
    stats = class_stats([bonus, *results[1:]], rubric=RUBRIC)
    assert stats.max_points == RUBRIC.max_points
    assert classreport.score_axis_top(stats) == RUBRIC.max_points + 10
    assert classreport.score_axis_top(class_stats([], rubric=RUBRIC)) == RUBRIC.max_points


def test_report_shows_every_section_with_the_numbers(tmp_path):
    path = write_class_report(fixed_class(), rubric=RUBRIC, out_dir=tmp_path,
                              harness_notes=("worker 2 died while grading barbara",))
    assert path == tmp_path / "report.html"
    page = path.read_text("utf-8")
    parsed = parse(page)
    text = " ".join(parsed.text)
    ids = {attrs.get("id") for _, attrs in parsed.tags}
    assert {"overview", "distribution", "parts", "cases", "mistakes", "harness", "similarity-none"} <= ids
    assert {"fig-histogram", "fig-parts", "fig-cases"} <= ids
    assert "imdb" not in ids  # no bonus part in these results
    assert MISTAKE.message in text and MISTAKE.id in text
    assert "worker 2 died while grading barbara" in text
    assert "edsger" in text and "out of file descriptors" in text
    assert "donald" in text and "truncated at byte 2793" in text
    assert "The similarity check was not run." in text
    # The charts are inline SVG, each with its accessible title; nothing is loaded from anywhere.
    charts = [attrs for tag, attrs in parsed.tags if tag == "svg"]
    assert [a["id"] for a in charts] == ["fig-histogram", "fig-parts", "fig-cases"]
    assert all(a["role"] == "img" and a["aria-labelledby"] == a["id"] + "-title" for a in charts)
    assert not [t for t, a in parsed.tags if t == "img"]
    assert not [t for t, a in parsed.tags if t in ("script", "link", "iframe")]
    assert not re.search(r'(src|href)="(https?:)?//', page)


def test_zero_and_one_result(tmp_path):
    page = write_class_report([], rubric=RUBRIC, out_dir=tmp_path / "zero").read_text("utf-8")
    text = " ".join(parse(page).text)
    assert "No scored submissions." in text and "No graded submissions." in text
    assert "<svg" not in page
    one = synthetic_result("solo", random.Random(1))
    page = write_class_report([one], rubric=RUBRIC, out_dir=tmp_path / "one").read_text("utf-8")
    assert page.count("<svg") == 3
    text = " ".join(parse(page).text)
    assert f"{one.points:g}" in text  # min, median and max are the one score


def test_imdb_flags_section(tmp_path):
    rng = random.Random(3)
    results = [synthetic_result(f"s{i}", rng, imdb=True) for i in range(3)]
    page = write_class_report(results, rubric=RUBRIC, out_dir=tmp_path).read_text("utf-8")
    section = page[page.index('id="imdb"'):]
    section = section[:section.index("</section>")]
    text = " ".join(parse(section).text)
    assert "validates on the test set" in text and "s0" in text and "s2" in text
    assert "best validation accuracy 0.86" in text  # the feedback beside the flags


def test_similarity_pairs_with_and_without_sources(tmp_path):
    from grader.similarity import find_similar

    code = ("def rnn_cell_forward(xt, a_prev, parameters):\n"
            "    Wax = parameters['Wax']\n    Waa = parameters['Waa']\n    Wya = parameters['Wya']\n"
            "    ba = parameters['ba']\n    by = parameters['by']\n"
            "    z = np.dot(Waa, a_prev) + np.dot(Wax, xt) + ba\n    a_next = np.tanh(z)\n"
            "    s = np.dot(Wya, a_next) + by\n    e = np.exp(s - np.max(s, axis=0))\n"
            "    yt_pred = e / e.sum(axis=0)\n    cache = (a_next, a_prev, xt, parameters)\n"
            "    return a_next, yt_pred, cache\n")
    copy = code.replace("z", "pre").replace("s =", "logits =").replace("(s", "(logits").replace("- np.max(s", "- np.max(logits")
    sources = {"ada": {"rnn_cell_forward": code}, "alan": {"rnn_cell_forward": copy},
               "<script>x</script>": {"rnn_cell_forward": "def rnn_cell_forward(a, b, c):\n    return 1, 2, 3\n"}}
    similarity = find_similar(sources)
    assert similarity.flagged, "the test needs a flagged pair"
    # No results: no plots to draw, only the similarity section matters here.
    page = write_class_report([], rubric=RUBRIC, out_dir=tmp_path, similarity=similarity,
                              sources=sources).read_text("utf-8")
    section = page[page.index('id="similarity"'):]
    text = " ".join(parse(section).text)
    assert "flagged" in text and "ada" in text and "alan" in text
    assert "np.tanh(pre)" in text  # the copy's code, side by side
    assert "<script>x" not in page
    bare = write_class_report([], rubric=RUBRIC, out_dir=tmp_path / "bare",
                              similarity=similarity).read_text("utf-8")
    assert "(source not available)" in bare


def test_student_strings_are_escaped(tmp_path):
    evil = "<script>alert(1)</script>"
    rng = random.Random(5)
    base = synthetic_result("x", rng)
    part = base.parts[0]
    bad_case = CaseResult("<b>case</b>", evil, HIDDEN, FAILED, 0.0, 1.0, diagnosis=Diagnosis(evil, evil))
    results = [
        SubmissionResult(evil, "/c/e.ipynb", "graded", 1.0, 2.0,
                         (PartResult(evil, evil, FAILED, 0.0, 1.0, (bad_case,)), part)),
        SubmissionResult(evil + "2", "/c/e2.ipynb", "unreadable", 0.0, 2.0, messages=(evil,)),
        SubmissionResult(evil + "3", "/c/e3.ipynb", HARNESS, 0.0, 2.0, messages=(evil,)),
    ]
    page = write_class_report(results, rubric=RUBRIC, out_dir=tmp_path, harness_notes=(evil,)).read_text("utf-8")
    assert "<script" not in page.lower() and "<b>case" not in page
    assert page.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 5


def test_streamed_summaries_give_the_same_page_as_the_full_results():
    """A class run adds each worker's summary (``report.summary_of``) to a ``ClassTally`` in the
    order they finish; the page is the one the full results give in id order."""
    from grader.report import summary_of

    rng = random.Random(3)
    results = fixed_class() + [synthetic_result(f"s{i}", rng, imdb=i % 2 == 0) for i in range(12)]
    tally = classreport.ClassTally(rubric=RUBRIC)
    for result in reversed(results):
        tally.add(summary_of(result))
    by_id = sorted(results, key=lambda r: r.submission_id)
    streamed = classreport.class_report_html((), rubric=RUBRIC, stats=tally.stats(by_id=True))
    assert streamed == classreport.class_report_html(by_id, rubric=RUBRIC)
    assert tally.stats().total == len(results) and "fig-cases" in streamed


def test_matplotlib_and_nbconvert_stay_off_the_grading_path():
    code = ("import sys, grader.classreport, grader.feedback_html, grader.runner, grader.report\n"
            "bad = [m for m in ('matplotlib', 'nbconvert', 'bleach', 'nh3') if m in sys.modules]\n"
            "assert not bad, bad\n")
    subprocess.run([sys.executable, "-c", code], cwd=REPO, check=True, timeout=120)


@pytest.mark.slow
def test_two_thousand_results(tmp_path):
    """A class of 2,000 gets its page. Signal for its cost: a scaling test of the page's own
    work (statistics, charts and HTML, CPU at 250 and 2,000 results, tests/scaling.py), not
    seconds."""
    from tests.scaling import assert_linear

    rng = random.Random(7)
    results = [synthetic_result(f"student{i:04d}", rng) for i in range(2000)]
    path = write_class_report(results, rubric=RUBRIC, out_dir=tmp_path)
    text = " ".join(parse(path.read_text("utf-8")).text)
    assert "2000" in text

    def page(some: list) -> str:
        """The page of these results."""
        return classreport.class_report_html(some, rubric=RUBRIC)

    assert_linear(page, lambda n: results[:n], 250, what="class report of n results")


# --------------------------------------------------------------------------- a real browser

@pytest.mark.slow
@pytest.mark.browser
def test_report_renders_in_chromium(tmp_path):
    from grader.similarity import find_similar

    rng = random.Random(11)
    results = fixed_class() + [synthetic_result(f"s{i}", rng, imdb=True) for i in range(20)]
    sources = {"ada": {"f": "def f(a, b):\n    c = a + b\n    d = c * a\n    e = d - b\n    return c, d, e\n"},
               "alan": {"f": "def f(x, y):\n    c = x + y\n    d = c * x\n    e = d - y\n    return c, d, e\n"}}
    similarity = find_similar(sources, min_shared=1)
    report = write_class_report(results, rubric=RUBRIC, out_dir=tmp_path, similarity=similarity,
                                sources=sources, harness_notes=("a note",))
    probed = probed_copy(report, tmp_path / "probed.html")
    done = run_chromium(probed, tmp_path, "--dump-dom")
    assert done.returncode == 0, done.stderr[-2000:]
    probe = re.search(r'<pre id="probe">(.*?)</pre>', done.stdout, re.S)
    assert probe, "the page did not finish loading in Chromium:\n" + done.stdout[-2000:]
    images = dict(item.split(":", 1) for item in probe.group(1).split(" SECTIONS ")[0].split()[1:])
    assert set(images) == {"fig-histogram", "fig-parts", "fig-cases"}
    for ident, size in images.items():
        box, widest = size.split(":")
        width, height = (int(v) for v in box.split("x"))
        assert width > 200 and height > 50 and int(widest) > 20, (ident, size)  # laid out, with text
    sections = set(probe.group(1).split(" SECTIONS ")[1].strip().split(","))
    assert {"overview", "distribution", "parts", "cases", "mistakes", "harness", "imdb", "similarity"} <= sections
    # The page as shipped (with its CSP) paints something.
    shot = tmp_path / "report.png"
    done = run_chromium(report, tmp_path, f"--screenshot={shot}", "--window-size=1200,1800")
    assert done.returncode == 0 and shot.is_file(), done.stderr[-2000:]
    assert non_blank(shot) > 10


def _graded_out(out: Path) -> Path:
    """An output folder as a class run leaves it: three results and their gradebook."""
    from grader.report import write_gradebook, write_submission

    rng = random.Random(5)
    results = [synthetic_result(sid, rng) for sid in ("ada", "bob", "cy")]
    for result in results:
        write_submission(result, out)
    write_gradebook(RUBRIC, results, out)
    return out


def test_the_copy_without_names_waits_for_the_run_holding_the_folder(tmp_path, capsys):
    """Thirty-second session: ``python3 -m grader.classreport OUT`` read results and wrote into OUT
    while a class run graded into it (rewriting those results, removing an earlier copy of the
    page): it now takes the run's lock, and is refused, writing nothing, while a run holds it."""
    import fcntl
    import os

    from grader.outputlock import OUTPUT_LOCK

    out = _graded_out(tmp_path / "out")
    holder = os.open(out / OUTPUT_LOCK, os.O_RDWR | os.O_CREAT)  # a class run, alive
    try:
        fcntl.flock(holder, fcntl.LOCK_EX | fcntl.LOCK_NB)
        os.pwrite(holder, b"grade.py (process 4242, started 2026-11-29 08:00:00 UTC)", 0)
        assert classreport.main([str(out)]) == 2
        said = capsys.readouterr().err
        assert said.startswith(f"{out}: grade.py (process 4242, started 2026-11-29 08:00:00 UTC) is "
                               f"grading into this folder; {classreport.SUMMARY_NAME} was not written")
        assert "--out" not in said and not (out / classreport.SUMMARY_NAME).exists()
    finally:
        os.close(holder)
    assert classreport.main([str(out)]) == 0
    assert "3 submission(s)" in capsys.readouterr().out


def test_the_copy_without_names_holds_the_lock_while_it_writes(tmp_path, monkeypatch):
    """While it reads and writes, a class run starting into OUT is refused (it names the command)."""
    from grader.outputlock import OutputBusy, output_lock

    out = _graded_out(tmp_path / "out")
    refused = []
    write = classreport.write_atomic

    def write_checking(path, data):
        with pytest.raises(OutputBusy) as busy:
            with output_lock(out):
                pass
        refused.append(busy.value.holder)
        write(path, data)

    monkeypatch.setattr(classreport, "write_atomic", write_checking)
    assert classreport.main([str(out)]) == 0
    assert len(refused) == 1 and refused[0].startswith("python3 -m grader.classreport (process ")
    assert (out / classreport.SUMMARY_NAME).is_file()


def test_the_copy_without_names_makes_no_folder_where_there_was_none(tmp_path, capsys):
    assert classreport.main([str(tmp_path / "nothing")]) == 2
    assert "no gradebook" in capsys.readouterr().err and not (tmp_path / "nothing").exists()


def test_the_copy_without_names_after_a_killed_run_points_at_the_last_finished_gradebook(tmp_path, capsys):
    """After a run stopped before its end (grader.unfinished: grades.csv set aside as
    previous-grades.csv, GRADING-NOT-FINISHED.txt written), ``python3 -m grader.classreport OUT``
    said only "no gradebook ...; grade the class first" (the ta2 helper's note): it names the note,
    the last finished run's gradebook and what to do."""
    from grader.unfinished import UNFINISHED_NOTE, previous

    (tmp_path / UNFINISHED_NOTE).write_text("a run was stopped\n")
    previous(tmp_path, "grades.csv").write_text("submission,score\nada,100\n")
    assert classreport.main([str(tmp_path)]) == 2
    said = capsys.readouterr().err
    assert UNFINISHED_NOTE in said and str(previous(tmp_path, "grades.csv")) in said, said
    assert "run the same grade.py command again" in said, said


def test_what_unreadable_submissions_were_told_is_said_once(tmp_path):
    """Thirty-fourth session: each unreadable submission's row held the paragraph its student was
    told ("What to do: every part shows 0 ..."), so a class with three truncated files had the
    same student-facing paragraph three times in the instructor's table. Now each row says why,
    and the advice is said once under the table, with whom it was told."""
    import io

    from grader import commands
    from tests import notebooks as nbs

    subs = tmp_path / "subs"
    nbs.write(subs / "ada.ipynb", nbs.course_notebook())
    whole = (subs / "ada.ipynb").read_bytes()
    for name in ("cut1", "cut2", "cut3"):
        (subs / f"{name}.ipynb").write_bytes(whole[: len(whole) // 2])
    commands.grade_class(subs, out_dir=tmp_path / "out", jobs=1, progress_bar=False, stream=io.StringIO(),
                         similarity=False)
    page = (tmp_path / "out" / "report.html").read_text("utf-8")
    section = page[page.index('<section id="harness">'):]
    section = section[:section.index("</section>")]
    assert section.count("every part shows 0 because the file could not be read") == 1, section
    assert "<li>cut1, cut2, cut3: every part shows 0 because the file could not be read" in section
    for name in ("cut1", "cut2", "cut3"):
        assert f"<tr><td>{name}</td><td>{name}.ipynb: not JSON (truncated at byte " in section


def test_the_copy_without_names_refuses_a_rubric_the_class_was_not_graded_with(tmp_path, capsys):
    """Thirty-fifth session, docs read on a fresh clone: a class graded with ``--rubric
    rubrics/cells.yaml`` (docs/rubrics.md's quiz), then ``python3 -m grader.classreport OUT`` as
    docs/reports.md shows it (``[--rubric FILE]`` left out), wrote, with exit status 0, a page titled
    with the default rubric's assignment, listing its five parts no one was graded on and naming the
    class's hidden case by the default rubric's ("one example (m = 1)"). It is refused now, naming
    the option; with the rubric the class was graded with, the page is written."""
    from tests.notebooks import course_notebook, write
    from tests.test_commands_roster import grade

    extended = Path(__file__).resolve().parent.parent / "rubrics" / "rnn_extended.yaml"
    write(tmp_path / "subs" / "ada.ipynb", course_notebook())
    out = tmp_path / "out"
    grade(tmp_path / "subs", out, rubric=extended)
    assert classreport.main([str(out)]) == 2
    said = capsys.readouterr().err
    assert "1 of its 1 submission(s) were graded with another rubric than" in said, said
    assert "--rubric FILE" in said and not (out / classreport.SUMMARY_NAME).exists()
    assert classreport.main([str(out), "--rubric", str(extended)]) == 0
    page = (out / classreport.SUMMARY_NAME).read_text("utf-8")
    assert "lstm_backward" in page and "1 submission(s)" in capsys.readouterr().out


def test_the_copy_without_names_refuses_a_lock_path_that_is_a_folder(tmp_path, capsys):
    """Thirty-fifth session: a ``.grading.lock`` that is a folder let the page be written without
    the lock; it is refused now, saying what is there (not "a run is grading into this folder")."""
    from grader.outputlock import OUTPUT_LOCK

    out = _graded_out(tmp_path / "out")
    (out / OUTPUT_LOCK).mkdir()
    assert classreport.main([str(out)]) == 2
    said = capsys.readouterr().err
    assert said.startswith(f"{out / OUTPUT_LOCK}: a folder, not the lock file"), said
    assert "is grading into this folder" not in said and not (out / classreport.SUMMARY_NAME).exists()
