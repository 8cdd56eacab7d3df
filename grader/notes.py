"""One bound for the notes and messages a submission's reports show, applied where they are made.

A note can quote what the student chose: a name in their code (Python sets no limit on an
identifier's length), a module they import from, the keys of a dict their function returned,
the names of the members of their zip. Every report writes the notes it is given
(``result.full.json``, ``results.json``, ``feedback.md``, ``feedback.html``, the class report,
Gradescope's ``results.json``), so a note is bounded once, when it enters the result
(``grader.runner``, ``grader.archive``, ``grader.batch``), and every writer shows the same text.
A note within the bound is left exactly as it was.
"""
from __future__ import annotations

import dataclasses
import re
from typing import Sequence

from grader.models import CaseResult, PartResult, SubmissionResult

#: Characters of one note, message or check message that are kept: the longest sentence the
#: grader writes about a normal notebook is under 1,000; a longer note quotes something huge.
MAX_NOTE_CHARS = 2000
#: Notes of one part (or messages of one submission) that are kept: a function that uses 8,000
#: names from outside made 8,000 notes, 1 MB in each of its feedback files.
MAX_NOTES = 50
#: Room left in ``MAX_NOTE_CHARS`` for the marker of a cut (" [... 999,999,999,999 characters
#: cut ...] " is 42 characters).
_MARKER_ROOM = 44


def bounded_note(note: str) -> str:
    """``note``, or when it is longer than ``MAX_NOTE_CHARS`` its start and its end (where the
    grader's sentences give their advice) around a marker that says how much was cut; at most
    ``MAX_NOTE_CHARS`` characters either way, so bounding it again changes nothing."""
    if len(note) <= MAX_NOTE_CHARS:
        return note
    kept = MAX_NOTE_CHARS - _MARKER_ROOM
    head = kept * 3 // 4
    tail = kept - head
    return f"{note[:head]} [... {len(note) - kept:,} characters cut ...] {note[len(note) - tail:]}"


def bounded_notes(notes: Sequence[str], *, most: int = MAX_NOTES) -> tuple[str, ...]:
    """``notes`` (a tuple) as they are when within both bounds; else each note bounded and, past
    ``most`` notes (``MAX_NOTES``; less leaves room for notes that must follow), the first
    ``most - 1`` of them and a note saying how many more were cut."""
    if len(notes) <= most and all(len(note) <= MAX_NOTE_CHARS for note in notes):
        return tuple(notes)
    if len(notes) > most:
        cut = notes[most - 1:]
        more = len(cut) + sum(_stood_for(note) - 1 for note in cut)
        notes = (*notes[:most - 1], f"[... {more:,} more notes cut ...]")
    return tuple(bounded_note(note) for note in notes)


#: The note ``bounded_notes`` puts in place of the notes it cuts.
_CUT_NOTES = re.compile(r"\[\.\.\. ([0-9,]+) more notes cut \.\.\.\]")


def _stood_for(note: str) -> int:
    """How many notes ``note`` stands for: those an earlier cut counted when it is that cut's
    note, else 1. Notes bounded twice (a class run adds a student's zips' notes, bounded when
    unpacked, to the result's messages, and bounds them all) said "[... 2 more notes cut ...]"
    where 112 were."""
    found = _CUT_NOTES.fullmatch(note)
    return int(found.group(1).replace(",", "")) if found else 1


def bounded_result(result: SubmissionResult) -> SubmissionResult:
    """``result`` with its messages, each part's notes, each case's message and each check's
    message bounded (``bounded_notes``, ``bounded_note``): ``result`` itself when nothing was
    over a bound (the usual submission), else a copy."""
    parts = tuple(_bounded_part(part) for part in result.parts)
    messages = bounded_notes(result.messages)
    if messages == result.messages and all(new is old for new, old in zip(parts, result.parts)):
        return result
    return dataclasses.replace(result, parts=parts, messages=messages)


def _bounded_part(part: PartResult) -> PartResult:
    """``part`` with its notes and its cases' messages bounded; ``part`` itself when none was over."""
    cases = tuple(_bounded_case(case) for case in part.cases)
    notes = bounded_notes(part.notes)
    if notes == part.notes and all(new is old for new, old in zip(cases, part.cases)):
        return part
    return dataclasses.replace(part, cases=cases, notes=notes)


def _bounded_case(case: CaseResult) -> CaseResult:
    """``case`` with its message and its checks' messages bounded; ``case`` itself when none was over."""
    if len(case.message) <= MAX_NOTE_CHARS and all(len(c.message) <= MAX_NOTE_CHARS for c in case.checks):
        return case
    checks = tuple(c if len(c.message) <= MAX_NOTE_CHARS else
                   dataclasses.replace(c, message=bounded_note(c.message)) for c in case.checks)
    return dataclasses.replace(case, message=bounded_note(case.message), checks=checks)
