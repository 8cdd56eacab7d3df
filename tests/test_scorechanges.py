"""score-changes.csv and its one-line summary (grader.scorechanges): what an instructor reads to
decide whether a rubric edit is fair, in points and in percent of max_score."""
from __future__ import annotations

import csv
import io

from grader.scorechanges import CSV_HEADER, ScoreChange, changes_csv, summary


def table(changes, **options) -> list[list[str]]:
    return list(csv.reader(io.StringIO(changes_csv(changes, **options))))


def test_the_same_max_score_says_gains_and_losses_in_points_and_percent():
    changes = [ScoreChange("ann", 96, 100, 120, 120), ScoreChange("bo", 90, 84, 120, 120),
               ScoreChange("cy", 92, 110, 120, 120), ScoreChange("di", 60, 59, 120, 120)]
    assert summary(changes) == "2 gain (at most +18 points, +15% of 120), 2 lose (at most -6 points, -5% of 120)"
    assert table(changes) == [list(CSV_HEADER),
                              ["bo", "90", "84", "-6", "75", "70", "-5"],
                              ["di", "60", "59", "-1", "50", "49.17", "-0.83"],
                              ["ann", "96", "100", "+4", "80", "83.33", "+3.33"],
                              ["cy", "92", "110", "+18", "76.67", "91.67", "+15"]]


def test_a_new_total_counts_the_percents_on_their_own():
    """A part added (100 -> 120 points): everyone who does not lose points gains them, but a student
    who scores less on the new part than on the rest loses percent; the points alone called it a gain."""
    changes = [ScoreChange("ann", 100, 110, 100, 120), ScoreChange("bo", 50, 70, 100, 120),
               ScoreChange("cy", 80, 80.5, 80, 80.5)]
    said = summary(changes)
    assert said == ("3 gain (at most +20 points); in percent of max_score: 1 gains (+8.33 percentage points), "
                    "1 loses (-8.33 percentage points)"), said
    # Sorted by the percent, since the total changed (before, by points: cy's +0.5 first, then ann's
    # loss of 8.33 percentage points listed as a gain of 10 points, after a row that changed nothing).
    assert table(changes)[1:] == [["ann", "100", "110", "+10", "100", "91.67", "-8.33"],
                                  ["cy", "80", "80.5", "+0.5", "100", "100", "0"],
                                  ["bo", "50", "70", "+20", "50", "58.33", "+8.33"]]


def test_a_new_total_lists_the_largest_loss_in_percent_first():
    """100 -> 104.5 points: dee gains 4 points and loses 0.26 percentage points; by
    points she came after the students whose points did not move. A row whose earlier percent is
    unknown cannot be placed among the percents: it comes last."""
    from grader.scorechanges import sentence

    changes = [ScoreChange("abe", 90, 90, 100, 104.5), ScoreChange("bea", 100, 104.5, 100, 104.5),
               ScoreChange("dee", 95, 99, 100, 104.5), ScoreChange("eli", 80, 70, None, 104.5)]
    assert [row[0] for row in table(changes)[1:]] == ["abe", "dee", "bea", "eli"]
    assert table(changes)[1:3] == [["abe", "90", "90", "0", "90", "86.12", "-3.88"],
                                   ["dee", "95", "99", "+4", "95", "94.74", "-0.26"]]
    assert sentence(changes, tops=["100 -> 104.5"], listed="out/score-changes.csv").endswith(
        "(every one in out/score-changes.csv, with percents of max_score, the largest loss in percent of "
        "max_score first).")
    # One total: the points are the grade, and they still sort the rows.
    same = [ScoreChange("bea", 100, 90, 100, 100), ScoreChange("dee", 95, 99, 100, 100), ScoreChange("abe", 90, 89, 100, 100)]
    assert [row[0] for row in table(same)[1:]] == ["bea", "abe", "dee"]
    assert sentence(same, listed="x.csv").endswith("(every one in x.csv, with percents of max_score, the largest loss first).")


def test_an_unknown_earlier_max_score_leaves_the_percent_cells_empty():
    changes = [ScoreChange("ann", 90, 86, None, 100)]
    assert summary(changes) == "1 loses (-4 points)"
    assert table(changes)[1] == ["ann", "90", "86", "-4", "", "86", ""]


def test_nothing_changed_says_nothing_and_ids_are_made_safe_for_a_spreadsheet():
    assert summary([]) == ""
    assert table([ScoreChange("=1+1", 1, 2, 10, 10)], cell=lambda sid: "'" + sid)[1][0] == "'=1+1"


def test_a_part_no_one_has_done_yet_is_a_loss_in_percent_for_everyone():
    """A GRU cell added to a forward-only rubric (90 -> 100 points) that no notebook defines yet: no
    score moved in points, so the run said 'No score differs' and wrote no score-changes.csv,
    while every student's share of the total fell by a tenth."""
    from grader.scorechanges import sentence

    changes = [ScoreChange("ada", 90, 90, 90, 100), ScoreChange("alan", 70, 70, 90, 100),
               ScoreChange("zero", 0, 0, 90, 100)]
    moved = [change for change in changes if change.moved]
    assert [change.submission for change in moved] == ["ada", "alan"]
    said = sentence(moved, tops=["90 -> 100"], listed="out/score-changes.csv")
    assert said == ("2 score(s) differ from the earlier grades.csv, in points or in percent of max_score, which "
                    "changed (90 -> 100): no one gains or loses points; in percent of max_score: 2 lose (at most -10 "
                    "percentage points). ada 90/90 -> 90/100, alan 70/90 -> 70/100 (every one in out/score-changes.csv, "
                    "with percents of max_score, the largest loss in percent of max_score first)."), said
    assert table(moved)[1:] == [["ada", "90", "90", "0", "100", "90", "-10"],
                                ["alan", "70", "70", "0", "77.78", "70", "-7.78"]]
    assert sentence([], tops=["90 -> 100"]) == "No score differs from the earlier grades.csv, and max_score 90 -> 100."
    assert sentence([]) == ""


def test_the_sentence_shows_the_largest_losses_not_the_first_ids():
    """Twelve changes in id order, the two largest losses the last ids: the sentence showed the
    first ten by id (gains of 0.5) and left both losses to 'and 2 more'."""
    from grader.scorechanges import sentence

    changes = [ScoreChange(f"s{k:02d}", 50, 50.5, 100, 100) for k in range(10)]
    changes += [ScoreChange("zed", 90, 40, 100, 100), ScoreChange("zoe", 80, 70, 100, 100)]
    said = sentence(changes, listed="out/score-changes.csv")
    shown = said.split(". ", 1)[1]
    assert shown.startswith("zed 90 -> 40, zoe 80 -> 70, s00 50 -> 50.5, "), said
    assert "s07 50 -> 50.5 and 2 more" in shown and "s08" not in shown, said
    # A new total: by the percent, as score-changes.csv lists them.
    grown = [ScoreChange("amy", 100, 104, 100, 120), ScoreChange("bob", 60, 80, 100, 120)]
    assert sentence(grown, tops=["100 -> 120"]).split(". ", 1)[1].startswith("amy 100/100 -> 104/120, bob"), grown
    grown.reverse()
    assert [row[0] for row in table(grown)[1:]] == ["amy", "bob"]
    assert sentence(grown, tops=["100 -> 120"]).split(". ", 1)[1].startswith("amy 100/100 -> 104/120, bob")
