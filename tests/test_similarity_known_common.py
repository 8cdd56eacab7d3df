"""A known solution copied by so much of a class that its code is common to the class
(``find_similar``'s ``stats["known_with_common"]``, ``smallclass.common_code_note``).

A fingerprint held by more than ``common_fraction`` (30 %) of the class is ignored, a known
solution's pairs included. In a generated class of 20 where 8 copied one known solution (seed 3),
main (f03c756) listed no pair with it and said nothing: "0 pair(s) flagged", no note, as the small
class's second comparison runs only up to ``SMALL_CLASS`` submissions. The pairs with a known
solution that reach the threshold with the common code counted are named now, not flagged."""
from __future__ import annotations

import re

from grader.similarity import find_similar, render_similarity_html
from grader.similarity.smallclass import common_code_note, with_common_counted
from tests.test_similarity_corpus import make_corpus


def _copied_by(copies: int, independent: int = 12):
    return make_corpus(seed=3, n_independent=independent, copies_per_disguise=0, n_known=1, known_copies=copies)


def test_a_known_solution_copied_by_much_of_the_class_is_named():
    corpus = _copied_by(8)
    report = find_similar(corpus.submissions, known=corpus.known)
    assert report.stats["submissions"] == 20 and report.flagged == ()  # the flags are the same
    copiers = sorted(s for s in corpus.submissions if s.startswith("k_"))
    assert report.stats["known_with_common"] == tuple((s, "known:web00", 1.0) for s in copiers)
    # The scores are those of the class compared with nothing set aside as common.
    counted = find_similar(corpus.submissions, known=corpus.known, common_fraction=1.0)
    assert report.stats["known_with_common"] == tuple(
        (p.a, p.b, round(p.overall, 2)) for p in counted.flagged if p.known)
    note = common_code_note(report.stats)
    assert note.startswith("Code held by 7 or more of the 20 submissions compared is set aside as common")
    assert "against a known solution (--known): k_00 and known:web00 (1.00)" in note
    assert "k_07 and known:web00 (1.00). A known solution is no classmate's: read each beside the solution." in note
    page = " ".join(re.sub(r"<[^>]+>", " ", render_similarity_html(report, corpus.submissions, known=corpus.known)).split())
    assert "k_07 and known:web00 (1.00)" in page


def test_a_known_solution_nobody_copied_names_nobody():
    corpus = _copied_by(0, independent=20)
    report = find_similar(corpus.submissions, known=corpus.known)
    assert report.stats["ignored_common"] > 0
    assert "known_with_common" not in report.stats and common_code_note(report.stats) is None
    # Copied by a few, the pairs are flagged as before and not named again.
    few = _copied_by(3)
    report = find_similar(few.submissions, known=few.known)
    assert sum(1 for p in report.flagged if p.known) == 3 and "known_with_common" not in report.stats


def test_a_small_class_names_each_known_pair_once():
    corpus = _copied_by(3, independent=2)
    report = find_similar(corpus.submissions, known=corpus.known)
    counted = with_common_counted(report, corpus.submissions, known=corpus.known)
    note = common_code_note(counted.stats)
    for copier in ("k_00", "k_01", "k_02"):
        assert note.count(f"{copier} and known:web00") == 1, note
