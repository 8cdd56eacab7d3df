"""Small defects the eighth session's reviews left open (its closing note), one test or more
each; every test here fails without its fix. Notebooks and results are made by the tests."""
from __future__ import annotations

import re

from grader.models import FAILED, PartResult, CaseResult, SubmissionResult
from grader.report import FEEDBACK_OUTPUT_CHARS, gradescope_results


def _result(*parts: PartResult) -> SubmissionResult:
    """A graded submission holding ``parts``."""
    return SubmissionResult("ada", "ada.ipynb", "graded", sum(p.points for p in parts),
                            sum(p.max_points for p in parts), parts=parts)


# --------------------------------------------------------------------------- 1. a note's cut


def _notes_output(note: str) -> str:
    """What ``results.json`` shows of ``note``, a note of a part with one failed public case."""
    case = CaseResult("c1", "assignment example", "public", FAILED, 0.0, 3.0, message="wrong values")
    part = PartResult("rnn_forward", "rnn_forward", FAILED, 0.0, 3.0, (case,), notes=(note,))
    output = gradescope_results(_result(part))["tests"][0]["output"]
    return output.split("\n\nassignment example: failed")[0]


def test_a_note_of_characters_written_out_is_cut_where_it_is_written():
    """The 2,000-character cut was applied before the note's characters were written out: 5,000
    escape characters made an item of 8,000 (``\\x1b`` is four characters)."""
    shown = _notes_output("\x1b" * 5000)
    more = " [... 4,500 more characters]"
    assert shown == "- " + "\\x1b" * 500 + more
    assert len(shown) <= 2 + FEEDBACK_OUTPUT_CHARS + len(more)
    # a cut never falls inside a character written out; line ends stay lines, counted once
    note = "x\x00" + "\u202e" * 3000 + "\n" + "y" * 10
    shown = _notes_output(note)
    body, tail = shown[2:].split(" [... ")
    assert len(body) <= FEEDBACK_OUTPUT_CHARS and "\u202e" not in body and "\x00" not in body
    assert body == "x\\x00" + "\\u202e" * ((FEEDBACK_OUTPUT_CHARS - 5) // 6)
    assert tail == f"{len(note) - 2 - (FEEDBACK_OUTPUT_CHARS - 5) // 6:,} more characters]"
    lines = _notes_output("\x07\r\n" * 3000)
    assert len(lines.replace("\n  ", "\n")) <= 2 + FEEDBACK_OUTPUT_CHARS + len(" [... 99,999 more characters]")
    assert re.fullmatch(r"- (\\x07\n  )+(\\x07)? \[\.\.\. [\d,]+ more characters\]", lines), lines[-80:]


def test_a_short_or_printable_note_is_shown_as_before():
    assert _notes_output("`rnn_forward` uses `x\x1b` from outside.\nSecond line.") == (
        "- `rnn_forward` uses `x\\x1b` from outside.\n  Second line.")
    long = "w" * 5000
    assert _notes_output(long) == f"- {long[:FEEDBACK_OUTPUT_CHARS]} [... 3,000 more characters]"
