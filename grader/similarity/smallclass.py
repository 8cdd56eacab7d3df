"""The similarity check in a small class: the pairs the common-code exclusion hid, and what to say.

``find_similar`` ignores a fingerprint held by more than ``common_fraction`` of the class and by
more than two submissions (``stats["common_holders"]`` or more): in a class of a few dozen that is
the code everyone writes alike. In a class of five it is any code three students wrote alike: two
students whose graded code is the same left no trace when a third wrote it too (the shipped class:
911 of 1,167 fingerprints set aside, "No similar pairs"). Such a class is compared a second time
with that code counted (``find_similar(common_fraction=1.0)``, a few milliseconds for a dozen
notebooks); the pairs that reach the threshold then are named for a human to read, not flagged:
code most of a small class writes alike (the textbook lines) cannot be told from a copy.
"""
from __future__ import annotations

import dataclasses
from typing import Mapping

from grader.similarity.detect import KNOWN_PREFIX, SimilarityReport, find_similar

#: A class of at most this many submissions compared is compared again with its common code
#: counted (the exclusion's limit is then at most 4 submissions with the default 30 %).
SMALL_CLASS = 12

#: Pairs a note names; the others are counted (a dozen students who all wrote alike make 66).
NAMED_PAIRS = 10


def with_common_counted(report: SimilarityReport, submissions: Mapping[str, Mapping[str, str]], *,
                        template: Mapping[str, str] | str | None = None,
                        known: Mapping[str, Mapping[str, str]] | None = None,
                        store: dict | None = None) -> SimilarityReport:
    """``report`` with ``stats["alike_with_common"]``: ``(a, b, overall)`` of each pair that
    reaches the threshold when nothing is ignored as common to the class and is not flagged in
    ``report`` (empty when none); ``report`` itself for a class over ``SMALL_CLASS`` or one whose
    exclusion set nothing aside. ``submissions``, ``template`` and ``known`` are what
    ``report`` compared; ``store``: ``find_similar``'s (a class run passes its class's, which the
    first comparison filled: nothing is normalised again)."""
    stats = report.stats
    if stats.get("submissions", 0) > SMALL_CLASS or not stats.get("ignored_common"):
        return report
    settings = report.settings
    counted = find_similar(submissions, template=template, known=known, threshold=report.threshold,
                           common_fraction=1.0, k=settings["k"], window=settings["window"],
                           min_shared=settings["min_shared"], measure=settings["measure"], store=store)
    flagged = {(pair.a, pair.b) for pair in report.flagged}
    alike = tuple((pair.a, pair.b, round(pair.overall, 2)) for pair in counted.flagged
                  if (pair.a, pair.b) not in flagged)
    return dataclasses.replace(report, stats={**stats, "alike_with_common": alike})


def common_code_note(stats: Mapping[str, object]) -> str | None:
    """What a TA reads of the pairs ``with_common_counted`` found, or None when there are none. A
    pair with a ``--known`` solution is said apart: that a small class writes code alike does not
    explain a match with a known solution (until the thirty-sixth session's review it was told
    with the classmates' pairs, as code "most students write alike")."""
    alike = stats.get("alike_with_common") or ()
    if not alike:
        return None
    classmates = [pair for pair in alike if not str(pair[1]).startswith(KNOWN_PREFIX)]
    known = [pair for pair in alike if str(pair[1]).startswith(KNOWN_PREFIX)]
    said = [f"Code held by {stats['common_holders']} or more of the {stats['submissions']} submissions "
            f"compared is set aside as common to the class ({stats['ignored_common']} of "
            f"{'the ' if stats.get('known') else ''}{stats['fingerprints']} fingerprints{whose_fingerprints(stats)})"]
    if classmates:
        said.append(f"; with it counted, these pairs reach the threshold: {_named(classmates)}. They are not "
                    f"flagged: in a class this small, code most students write alike cannot be told from "
                    f"a copy; open their notebooks side by side.")
    if known:
        said.append(f"{'' if classmates else '.'} With it counted, {'these reach' if len(known) > 1 else 'this reaches'} "
                    f"the threshold against a known solution (--known): {_named(known)}. A known solution is "
                    f"no classmate's: read {'each' if len(known) > 1 else 'it'} beside the solution.")
    return "".join(said)


def whose_fingerprints(stats: Mapping[str, object]) -> str:
    """``""``, or ``" of the submissions and the known solution(s)"`` when ``--known`` gave any:
    ``stats["fingerprints"]`` and ``stats["ignored_common"]`` count a known solution's too (it does not
    vote for what is common, but its fingerprints the class holds are ignored with the class's), so
    "1154 of 1412 fingerprints" beside "the 5 submissions compared" read as the class's alone
    (thirty-seventh session)."""
    known = stats.get("known") or 0
    if not known:
        return ""
    return " of the submissions and the known solution" + ("s" if known != 1 else "")


def _named(pairs: list) -> str:
    """``"a and b (1.00), ..."``: the first ``NAMED_PAIRS``, the others counted."""
    text = ", ".join(f"{a} and {b} ({overall:.2f})" for a, b, overall in pairs[:NAMED_PAIRS])
    return text + (f" and {len(pairs) - NAMED_PAIRS} more" if len(pairs) > NAMED_PAIRS else "")
