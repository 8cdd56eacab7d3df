"""Results to files: ``results.json`` (Gradescope's format), ``feedback.md``, ``grades.csv``.

Every writer is atomic (a temporary file beside the target, then ``os.replace``),
so an interrupted run never leaves half a file behind.
"""
from __future__ import annotations

import csv
import dataclasses
import functools
import io
import json
import re
import sys
import unicodedata
from pathlib import Path
from types import MappingProxyType
from typing import Any, Callable, Iterable, Mapping, Sequence

from grader import scorechanges
from grader.files import spreadsheet_text, visible_text, write_atomic
from grader.models import (
    BONUS_FLAGS, CRASHED, ERROR, GRADED, GRADER_ERROR, HARNESS, HIDDEN, MISSING, NOT_ATTEMPTED, NOT_IMPLEMENTED, PASSED,
    SKIPPED,
    STATUS_WORDS, CaseResult, CheckResult, Diagnosis, Location, PartResult, Rubric, SubmissionResult, bonus_mark,
)

RESULT_RECORD = "result.full.json"  # our own complete record, read back by resume and the class report



# --------------------------------------------------------------------------- records


def result_to_dict(result: SubmissionResult) -> dict:
    """A JSON-ready dict of the whole result (``result_from_dict`` reads it back)."""
    return _plain(result)


@functools.lru_cache(maxsize=None)
def _field_names(cls: type) -> tuple[str, ...] | None:
    """The field names of dataclass ``cls`` in order, or None when it is not one (cached per type)."""
    return tuple(f.name for f in dataclasses.fields(cls)) if dataclasses.is_dataclass(cls) else None


def _plain(obj: Any) -> Any:
    """``obj`` with dataclasses as dicts, tuples as lists and mappings as dicts with str keys.

    A dataclass instance is read from its ``__dict__`` when that holds exactly its fields
    (its ``__init__`` stores them in their order; anything else set on it shows in the
    length, and then the fields are read one by one); scalars are kept without a call.
    """
    kind = type(obj)
    if kind in _SCALARS:
        return obj
    if kind is tuple or kind is list:
        return [v if type(v) in _SCALARS else _plain(v) for v in obj]
    if kind is dict or kind is MappingProxyType:
        return {str(k): v if type(v) in _SCALARS else _plain(v) for k, v in obj.items()}
    names = _field_names(kind)
    if names is not None:
        fields = getattr(obj, "__dict__", None)
        if fields is not None and len(fields) == len(names):
            return {k: v if type(v) in _SCALARS else _plain(v) for k, v in fields.items()}
        return {name: _plain(getattr(obj, name)) for name in names}
    if isinstance(obj, (tuple, list)):
        return [_plain(v) for v in obj]
    if isinstance(obj, (dict, MappingProxyType)):
        return {str(k): _plain(v) for k, v in obj.items()}
    return obj


_SCALARS = frozenset({str, int, float, bool, type(None)})


def _fields(obj: Any, names: tuple[str, ...]) -> dict:
    """The fields ``names`` of dataclass instance ``obj`` as a dict in their order: its
    ``__dict__`` itself when that holds exactly them (as ``_plain`` reads it), else read one by one."""
    fields = getattr(obj, "__dict__", None)
    if fields is not None and len(fields) == len(names):
        return fields
    return {name: getattr(obj, name) for name in names}


def _one_level(obj: Any) -> dict:
    """The ``default`` of the record's JSON encoder (``record_json``): what ``_plain`` makes of
    an object JSON does not write itself, one level deep (the encoder walks what it holds): a
    mapping proxy as a dict with str keys, a dataclass instance as its fields (not copied)."""
    if isinstance(obj, MappingProxyType):
        return {str(k): v for k, v in obj.items()}
    names = _field_names(type(obj))
    if names is None:
        raise TypeError(f"Object of type {type(obj).__name__} is not JSON serializable")
    return _fields(obj, names)


#: ``_json_text`` of ``result_to_dict`` of a result, the encoder walking the objects themselves.
_record_text = json.JSONEncoder(check_circular=False, default=_one_level).encode


def record_json(result: SubmissionResult) -> str:
    """The text of ``result.full.json``: ``json.dumps(result_to_dict(result))``, written from the
    objects (the encoder asks ``_one_level`` for each dataclass and mapping proxy) without
    building the record's dicts first (about a third of the two steps' instructions less on the
    class's records). The same text wherever the result's mappings have str, int or float keys,
    as the models declare (``result_to_dict`` writes any other key as ``str(key)``, JSON a bool
    or None key as ``true`` or ``null``)."""
    return _record_text(result)


def result_from_dict(data: dict, *, trusted: bool = False) -> SubmissionResult:
    """Inverse of ``result_to_dict``.

    ``trusted``: ``data`` was made by ``result_to_dict`` of this very code (a worker's record
    sent to the grading process), so each object is built from its dict without its
    ``__init__`` (about half the time). A record read from disk is not trusted: a field
    missing, renamed or added there makes the constructor raise.
    """
    if trusted:
        return _trusted_result(data)

    def location(d: dict | None) -> Location | None:
        return Location(**d) if d else None

    def case(d: dict) -> CaseResult:
        return CaseResult(**{**d, "checks": tuple(CheckResult(**c) for c in d["checks"]),
                             "diagnosis": Diagnosis(**d["diagnosis"]) if d["diagnosis"] else None,
                             "location": location(d["location"])})

    def part(d: dict) -> PartResult:
        return PartResult(**{**d, "cases": tuple(case(c) for c in d["cases"]),
                             "notes": tuple(d["notes"]), "location": location(d["location"])})

    return SubmissionResult(**{**data, "parts": tuple(part(p) for p in data["parts"]),
                               "messages": tuple(data["messages"]),
                               "timings": MappingProxyType(dict(data["timings"])),
                               "extra": MappingProxyType(dict(data.get("extra", {})))})


def _built(cls: type, fields: dict) -> Any:
    """An instance of dataclass ``cls`` whose attributes are ``fields`` (in their order), made
    without its ``__init__``."""
    obj = object.__new__(cls)
    obj.__dict__.update(fields)
    return obj


def _trusted_result(data: dict) -> SubmissionResult:
    """``result_from_dict`` of a record made by this code's ``result_to_dict``: the same
    objects (fields in the same order), built from their dicts."""
    def location(d: dict | None) -> Location | None:
        return _built(Location, d) if d else None

    def case(d: dict) -> CaseResult:
        return _built(CaseResult, {**d, "checks": tuple([_built(CheckResult, c) for c in d["checks"]]),
                                   "diagnosis": _built(Diagnosis, d["diagnosis"]) if d["diagnosis"] else None,
                                   "location": location(d["location"])})

    def part(d: dict) -> PartResult:
        return _built(PartResult, {**d, "cases": tuple([case(c) for c in d["cases"]]),
                                   "notes": tuple(d["notes"]), "location": location(d["location"])})

    return _built(SubmissionResult, {**data, "parts": tuple([part(p) for p in data["parts"]]),
                                     "messages": tuple(data["messages"]),
                                     "timings": MappingProxyType(dict(data["timings"])),
                                     "extra": MappingProxyType(dict(data.get("extra", {})))})


# --------------------------------------------------------------------------- Gradescope

#: How much of what a case printed its feedback shows (results.json and feedback.md).
FEEDBACK_OUTPUT_CHARS = 2000


def _case_output(part: PartResult, case: CaseResult, number: int, *, told: Sequence[str] = ()) -> str:
    """A case's text in ``results.json``: its verdict, then for a public case its message
    (unless ``told`` holds it: the part's notes written just above it in the same test), the
    likely mistake, where it raised and what it printed; for a hidden case the verdict and the
    mistake's name only."""
    if case.visibility == HIDDEN:
        head = f"hidden case {number}: {STATUS_WORDS.get(case.status, case.status)}"
        if case.status == PASSED:
            return head
        lines = [head]  # nothing about a hidden case's inputs or values, only the mistake's name
        if case.diagnosis:
            lines.append(case.diagnosis.message)
        elif case.status == SKIPPED and case.message:  # the grader's reason (``why_not_run``)
            lines.append(case.message)
        if (where := hidden_where(case, None)):
            lines.append(where)
        return "\n".join(lines)
    lines = [f"{case.name}: {STATUS_WORDS.get(case.status, case.status)}"]
    if case.message and case.message not in told:
        lines.append(case.message)
    if case.diagnosis:
        lines.append(f"Likely mistake: {case.diagnosis.message}")
    if _where_untold(case):
        lines.append(f"At {case.location.describe()}.")
    if case.output and case.status != PASSED:
        lines.append("It printed:\n" + case.output[:FEEDBACK_OUTPUT_CHARS])
    return "\n".join(lines)


def _where_untold(case: CaseResult) -> bool:
    """Whether a public case's text should add where its error or crash happened: it has a
    location, and it crashed (the runner's message does not say where; what follows "stopped:"
    is the child's text, which the student's code can make end with any place) or its error's
    message does not say it (the runner writes the place after the student's exception:
    "Raised ... (cell 4, line 7, in f)")."""
    if case.location is None or case.status not in (ERROR, CRASHED):
        return False
    return case.status == CRASHED or f"({case.location.describe()})" not in case.message


#: How much of a part's notes a test of ``results.json`` shows (each note was bounded where it was
#: made, ``grader.notes``; the notes past this are counted, not shown).
NOTES_OUTPUT_CHARS = 2 * FEEDBACK_OUTPUT_CHARS


def _notes_text(notes: Sequence[str]) -> str:
    """A part's notes as ``results.json`` shows them: one ``- `` item per note (`_note_item`: its
    other lines indented, characters that are not printable written out, ``\\x1b``), all at
    `NOTES_OUTPUT_CHARS` (the notes left out counted)."""
    out: list[str] = []
    size = 0
    for k, note in enumerate(notes):
        item = _note_item(str(note))
        if out and size + len(item) > NOTES_OUTPUT_CHARS:
            left = len(notes) - k
            out.append(f"[{left:,} more note{'s' if left > 1 else ''} not shown]")
            break
        out.append(item)
        size += len(item) + 1
    return "\n".join(out)


#: A note's line ends, kept (``re.split`` gives the lines and, between them, their ends).
_LINE_ENDS_KEPT = re.compile(r"(\r\n|\r|\n)")


def _note_item(note: str) -> str:
    """One note as a ``- `` item of ``results.json``: its lines indented under the first and
    characters that are not printable written out. Not cut here: its length was bounded where
    it was made (``grader.notes.bounded_note``), so every report shows the same note."""
    if note.isprintable():  # one line, nothing to write out (the usual note)
        return "- " + note
    return "- " + "".join("\n  " if index % 2 else visible_text(piece, tabs=True)
                          for index, piece in enumerate(_LINE_ENDS_KEPT.split(note)))


def gradescope_results(result: SubmissionResult) -> dict:
    """Gradescope's autograder ``results.json``: one test per case, the part named in each.

    A part's notes (a name used from outside the function, an input changed in place, a
    placeholder left, the bonus's feedback) are said once, above the output of the part's
    first public case; a part without any (an unattempted bonus, a part graded on hidden cases
    only) gets a test of its own for them, before its cases, without a score (Gradescope
    marks it neither passed nor failed). A hidden case's test is never given them. A bonus
    function left out (``NOT_ATTEMPTED``) is that one test alone, saying so: its cases, each a
    failed test reading "missing", read as failures.

    Every output and name is declared ``text`` (Gradescope then renders no HTML, Markdown or
    ANSI in it): they hold the student's printed output, exception messages and code.

    A submission that could not be read, or that the grader failed on, gets one test per part,
    "not graded" (its cases, each "missing" or "grader error" and the first repeating the
    reason, said nothing more)."""
    if not result.graded:
        why = "the file could not be read" if result.status == "unreadable" else "the grader failed on it"
        tests = [{"name": part.name + bonus_mark(part), "score": part.points, "max_score": part.max_points,
                  "status": "failed",
                  "output": f"{part_verdict(part, read=False)}: {why} (above)",
                  "visibility": "visible"} for part in result.parts]
        return _gradescope_record(result, tests)
    tests = []
    for part in result.parts:
        notes = tuple(note for note in student_notes(part) if note)
        if part.status == NOT_ATTEMPTED and part.cases:  # a bonus function left out: nothing failed
            tests.append({"name": part.name + bonus_mark(part),
                          "output": "\n\n".join((*notes, all_cases_line(part)
                                                     or f"{part_verdict(part)} (0 / {part.max_points:g})")),
                          "visibility": "visible"})
            continue
        first_public = None
        if notes:
            first_public = next((case for case in part.cases if case.visibility != HIDDEN), None)
            if first_public is None:
                tests.append({"name": part.name + bonus_mark(part), "output": _notes_text(notes),
                              "visibility": "visible"})
        hidden_number = 0
        for case in part.cases:
            if case.visibility == HIDDEN:
                hidden_number += 1
            number = hidden_number if case.visibility == HIDDEN else 0
            if notes and case is first_public:
                output = _notes_text(notes) + "\n\n" + _case_output(part, case, number, told=notes)
            else:
                output = _case_output(part, case, number)
            tests.append({
                "name": f"{part.name}{bonus_mark(part)}: "
                        f"{case.name if case.visibility != HIDDEN else f'hidden case {number}'}",
                "score": case.points,
                "max_score": case.max_points,
                "status": "passed" if case.status == PASSED else "failed",
                "output": output,
                # Hidden cases show their score and one-line verdict, never their inputs.
                "visibility": "visible",
            })
    return _gradescope_record(result, tests)


def _gradescope_record(result: SubmissionResult, tests: list[dict]) -> dict:
    """``gradescope_results``' record around its ``tests``."""
    return {
        "score": result.points,
        "output": "\n".join(result.messages),
        # Shown as typed: Gradescope renders the top-level output as HTML unless told
        # ("simple_format" is its default there), and the messages can quote the student's code.
        "output_format": "text",
        "test_output_format": "text",
        "test_name_format": "text",
        "tests": tests,
        "extra_data": {"submission": result.submission_id, "status": result.status,
                       "max_score": result.max_points},
    }


# --------------------------------------------------------------------------- feedback.md


#: A part's verdict when its submission could not be read at all (``part_verdict``).
NOT_GRADED = "not graded"


def part_verdict(part: PartResult, *, read: bool = True) -> str:
    """The verdict of ``part`` in words, as the parts' table shows it: "not graded" when its
    submission could not be read or the grader failed on it (``read`` False; "missing" read as if
    the function were not there, "grader error" under a red cross as if it were the student's),
    else the word of its status."""
    return STATUS_WORDS.get(part.status, part.status) if read else NOT_GRADED


def feedback_markdown(result: SubmissionResult) -> str:
    """What the student reads: per part, what passed, what failed, why, and where.

    Verdicts, points and part names are ours and written as Markdown. Every other text (the
    submission id, messages, notes, a case's message, diagnosis and location, what it printed)
    can hold what the student wrote, and is shown literally: a line that no Markdown renderer
    reads as anything but plain text is written as it is, any other line as a code span
    (``markdown_text``), and what a case printed as a fenced block (``markdown_block``).
    """
    out = io.StringIO()
    out.write(f"# Feedback for {markdown_text(result.submission_id)}\n\n")
    out.write(f"**Score: {result.points:g} / {result.max_points:g}**\n\n")
    for message in result.messages:
        for line in _text_lines(message):
            out.write(f"> {markdown_text(line)}\n" if line.strip() else ">\n")
        out.write("\n")
    read = result.graded  # not one the grader could not read, nor one it failed on
    out.write("| part | points | verdict |\n|---|---:|---|\n")
    for part in result.parts:
        out.write(f"| `{part.name}`{bonus_mark(part)} | {part.points:g} / {part.max_points:g} | "
                  f"{part_verdict(part, read=read)} |\n")
    out.write("\n")
    if not read:  # no function was looked for: a list of "missing" cases would say nothing more
        return out.getvalue()
    for part in result.parts:
        notes = student_notes(part)
        told = (*result.messages, *notes)  # written above: a case does not repeat them
        where = part.location.cell_label() if part.location and part.location.cell is not None else ""
        said = "; ".join(x for x in ("bonus" if part.bonus else "", where) if x)  # one parenthesis
        out.write(f"## `{part.name}`{f' ({said})' if said else ''}: {part.points:g} / {part.max_points:g}\n\n")
        for note in notes:
            out.write(_markdown_lines(note, first="- ", rest="  "))
        if notes:
            out.write("\n")
        together = all_cases_line(part)
        if together:  # the same verdict, and nothing more, case after case
            out.write(f"- {'' if part.status == NOT_ATTEMPTED else '❌ '}{together}\n")
            message = part.cases[0].message
            if message and message not in told:
                out.write(_markdown_lines(message, first="  ", rest="  "))
            out.write("\n")
            continue
        hidden_number = 0
        said: set[str] = set()  # sentences written above in this part: likely mistakes, why not run
        for case in part.cases:
            if case.visibility == HIDDEN:
                hidden_number += 1
            out.write(_case_markdown(case, hidden_number, told=told, said=said))
        if part.cases:
            out.write("\n")
    return out.getvalue()


def all_cases_line(part: PartResult) -> str:
    """One line for all of a part's cases when none was run (its function missing or still the
    template's, or a syntax error in its cell, which the part's note names) and they say the same:
    "all 4 cases (the assignment example and 3 hidden): not implemented (0 / 15)"; "" otherwise.
    Four lines each saying "not implemented" said nothing the first did not (thirty-second session:
    nor four bare "raised an error" under a syntax error's note). A bonus left out: "all 4 cases
    (...): not attempted (0 / 20)", under no red cross (``models.marked_bonus``)."""
    cases = part.cases
    unrun = part.status in (MISSING, NOT_IMPLEMENTED, NOT_ATTEMPTED) or \
        part.status == ERROR and bool(cases) and cases[0].message in part.notes \
        and all(c.location is None for c in cases)
    if not unrun or len(cases) < 2 \
            or any(c.status != part.status or c.message != cases[0].message or c.diagnosis for c in cases):
        return ""
    public = [c.name for c in cases if c.visibility != HIDDEN]
    hidden = len(cases) - len(public)
    which = [*public, *([f"{hidden} hidden"] if hidden else [])]
    named = which[0] if len(which) == 1 else ", ".join(which[:-1]) + " and " + which[-1]
    points = sum(c.max_points for c in cases)
    return (f"all {len(cases)} cases ({named}): {STATUS_WORDS.get(part.status, part.status)} "
            f"(0 / {points:g})")


def _case_markdown(case: CaseResult, number: int, *, told: Sequence[str] = (),
                   said: set[str] | None = None) -> str:
    """A case's list item in ``feedback.md``: what ``_case_output`` says, with the student's
    text shown literally, but not a message ``told`` holds (the submission's messages and the
    part's notes, written above it: "still holds the template's placeholders", "not JSON"); a
    hidden case only its verdict and the mistake's name. A likely mistake already in
    ``said`` (named by a case above in the part; this case's is added) is not written out
    again: the same sentence under every case of a part read as four mistakes."""
    mark = "✅" if case.status == PASSED else "➖" if case.status == NOT_ATTEMPTED else "❌"
    verdict = STATUS_WORDS.get(case.status, case.status)
    head = f"hidden case {number}: {verdict}" if case.visibility == HIDDEN else f"{case.name}: {verdict}"
    out = [f"- {mark} {head} ({case.points:g} / {case.max_points:g})\n"]
    again = said_before(case, said)
    if case.visibility == HIDDEN:
        if case.status != PASSED and case.diagnosis:
            out.append(f"  {SAME_MISTAKE}\n" if again else
                       _markdown_lines(case.diagnosis.message, first="  ", rest="  ", line=sentence_text))
        elif why_not_run(case, said):
            out.append(_markdown_lines(case.message, first="  ", rest="  "))
        if (where := hidden_where(case, said)):
            out.append(f"  {markdown_text(where)}\n")
        return "".join(out)
    if said is not None and case.status in (ERROR, CRASHED) and case.location:
        said.add(case.location.describe())  # a hidden case raising at the same place adds nothing
    if case.message and case.message not in told:
        out.append(_message_markdown(case))
    if case.diagnosis:
        out.append(f"  {SAME_MISTAKE}\n" if again else
                   _markdown_lines(case.diagnosis.message, first="  Likely mistake: ", rest="  ",
                                   line=sentence_text))
    if _where_untold(case):
        out.append(f"  At {markdown_text(case.location.describe())}.\n")
    if case.output and case.status != PASSED:
        out.append("  It printed:\n" + markdown_block(case.output[:FEEDBACK_OUTPUT_CHARS], indent="  "))
    return "".join(out)


def _message_markdown(case: CaseResult) -> str:
    """A public case's message in ``feedback.md``: ``_markdown_lines`` of it, but for an error
    whose line is not plain (NumPy's ``dtype('<U6')``) the grader's hints after its place ("Raised
    ... (cell 4 (In [2]), line 14, in f). The error is in ...") on a line of their own, as sentences
    (``sentence_text``): the whole line, hints included, was one code span (thirty-eighth session)."""
    message = case.message
    marker = f" ({case.location.describe()}). " if case.status == ERROR and case.location else ""
    cut = message.rfind(marker) if marker else -1
    if cut < 0 or all(_is_plain_line(line) for line in _text_lines(message)):
        return _markdown_lines(message, first="  ", rest="  ")
    end = cut + len(marker) - 1
    return (_markdown_lines(message[:end], first="  ", rest="  ")
            + _markdown_lines(message[end + 1:], first="  ", rest="  ", line=sentence_text))


#: What a case says in place of a likely mistake a case above it in the part named.
SAME_MISTAKE = "Likely mistake: the same as above."


def said_before(case: CaseResult, said: set[str] | None) -> bool:
    """Whether ``case``'s likely mistake is in ``said`` (the sentences written above it in its
    part), adding it if not; False for a case without one, or with no record kept."""
    if said is None or case.status == PASSED or not case.diagnosis:
        return False
    if case.diagnosis.message in said:
        return True
    said.add(case.diagnosis.message)
    return False


def student_notes(part: PartResult) -> tuple[str, ...]:
    """A part's notes as its student reads them: without the bonus's flags (`BONUS_FLAGS`, names
    for the class report; a sentence of the bonus's feedback above them says each)."""
    return tuple(note for note in part.notes if note not in BONUS_FLAGS)


def hidden_where(case: CaseResult, said: set[str] | None) -> str:
    """"At cell 56 (In [21]), line 22, in rnn_backward." for a hidden case that raised or crashed
    in the student's code, as feedback.html shows it ("Privacy of hidden cases" in docs/reports.md:
    the place in the student's own code, never the message); '' for any other case, or when
    ``said`` (the part's text above) already holds that place. Thirty-second session: a hidden
    case that raised where no public case did read only "raised an error (0 / 5)"."""
    if case.status not in (ERROR, CRASHED) or case.location is None:
        return ""
    where = case.location.describe()
    if said is not None:
        if where in said:
            return ""
        said.add(where)
    return f"At {where}."


def why_not_run(case: CaseResult, said: set[str] | None) -> bool:
    """Whether a hidden case the grader did not run shows why (the grader's own sentence, "an
    earlier case of this function ran out of time", which tells nothing of the case): at the
    first such case of its part only (``said`` records it), or a student reads a bare "not run"
    under a timed-out function's hidden cases and cannot tell why."""
    if said is None or case.status != SKIPPED or not case.message or case.message in said:
        return False
    said.add(case.message)
    return True


def _markdown_lines(text: str, *, first: str, rest: str, line: Callable[[str], str] | None = None) -> str:
    """``text`` line by line (each through ``line``, ``markdown_text`` by default), the first
    after ``first``, the others after ``rest``; a blank line stays blank."""
    shown = markdown_text if line is None else line
    out = []
    for k, line_text in enumerate(_text_lines(text)):
        if line_text.strip():
            out.append(f"{first if k == 0 else rest}{shown(line_text)}\n")
        else:
            out.append(f"{first.rstrip()}\n" if k == 0 else "\n")
    return "".join(out)


#: What ends a line for a Markdown reader (CommonMark: LF, CR LF, CR).
_LINE_END = re.compile(r"\r\n|\r|\n")
#: ASCII punctuation that means nothing to a Markdown reader inside a line (``[`` and ``]``
#: make a link only followed by ``(`` or ``[``, which ``_plain_outside_code`` looks for); ``#``,
#: ``<``, ``&``, ``\\``, ``|``, ``~``, ``$``, ``^``, ``{``, ``}``, ``@`` and the backtick may, and
#: ``_``, ``*``, ``:``, ``/`` are plain only where ``_plain_outside_code`` says.
_PLAIN_PUNCTUATION = frozenset(" ,;()'\"-+=?!%>.[]")
#: Unicode categories of characters beyond ASCII that a line may hold and stay plain text:
#: letters, marks, numbers, punctuation, maths and currency signs; not "other symbols"
#: (``So``: emoji and ticks such as ✅ ❌ ✓, which the grader's own verdicts use).
_PLAIN_CATEGORIES = ("L", "M", "N", "P", "Sm", "Sc")


def _text_lines(text: str) -> list[str]:
    """``text`` cut into lines where a Markdown reader cuts it."""
    return _LINE_END.split(str(text))


def _is_plain_line(line: str) -> bool:
    """Whether ``line`` reads as the same plain text in any Markdown renderer (CommonMark, GFM
    with its tables, autolinks, strikethrough, ``$`` maths and ``:emoji:``): it starts a
    paragraph line with a letter, a digit that starts no ordered list, ``(``, ``/``, a quote
    or a code span; holds code spans only as pairs of single backticks around text; and
    outside them only letters, digits, spaces and punctuation that makes nothing there (see
    ``_plain_outside_code``): ``_`` within a word or between spaces, ``*`` between spaces,
    ``[`` and ``]`` with no ``](`` nor ``][``, ``:`` not before a letter, a digit, ``/``, ``+``
    or ``-``, no ``//`` and no ``www.``.

    Not caught: a viewer that links bare domain names (markdown-it's ``linkify``, in VS Code's
    preview) makes ``evil.example`` a link, showing its own address; nothing is fetched.

    A line that fails is not necessarily dangerous: it is shown as a code span instead.
    """
    if not line or not line.isprintable() or line != line.strip():
        return False
    first = line[0]
    if first.isdigit():
        digits = len(line) - len(line.lstrip("0123456789"))
        if line[digits:digits + 1] in (".", ")"):
            return False
    elif not (first.isalpha() or first in "(`/'\""):
        return False
    pieces = line.split("`")
    if len(pieces) % 2 == 0:
        return False  # a backtick without its pair
    for index, piece in enumerate(pieces):
        if index % 2:  # inside a code span: anything printable but a backtick
            if not piece:
                return False
            continue
        if not piece:
            if 0 < index < len(pieces) - 1:
                return False  # two backticks in a row
            continue
        if not _plain_outside_code(piece):
            return False
    return True


def _plain_outside_code(text: str) -> bool:
    """Whether ``text`` (a line's piece outside its code spans) holds nothing a Markdown
    renderer would act on (see ``_is_plain_line``)."""
    if "](" in text or "][" in text or "www." in text.lower():
        return False  # a link or an image; a bare www. address that GitHub links
    last = len(text) - 1
    for i, c in enumerate(text):
        if c.isalnum() or c in _PLAIN_PUNCTUATION:
            continue
        before = text[i - 1] if i > 0 else ""
        after = text[i + 1] if i < last else ""
        if c == "_" and ((before.isalnum() and after.isalnum()) or before == after == " "):
            continue  # within a word (snake_case), or alone between spaces: no emphasis
        if c == "*" and before == after == " ":
            continue  # a product: between spaces it can neither open nor close emphasis
        if c == ":" and not (after.isalnum() or (after and after in "/+-")):
            continue  # not a scheme (http:, mailto:) nor an :emoji: name
        if c == "/" and before != "/" and after != "/":
            continue
        if ord(c) > 127 and unicodedata.category(c).startswith(_PLAIN_CATEGORIES):
            continue
        return False
    return True


def markdown_text(text: str) -> str:
    """One line of text that may hold the student's words, for a line of ``feedback.md``:
    ``text`` itself when it is plain (``_is_plain_line``), else a code span that shows it
    literally (non-printable characters written out, see ``grader.files.visible_text``), delimited by more
    backticks than any run of them inside, which therefore cannot close it early.

    Line ends are not expected here (callers split with ``_text_lines``); any left over is
    written out like another control character.
    """
    text = str(text)
    return (_short_markdown_text if len(text) <= _MEMO_CHARS else _literal_line)(text)


def sentence_text(text: str) -> str:
    """``markdown_text`` of a diagnosis, a sentence that names code (``(1 - a_next**2)``): where
    only some of its words are not plain Markdown, those words as code spans and the sentence
    plain around them, instead of the whole sentence in one code span, which ``feedback.md``
    showed backticks and all in a plain viewer. The result must still pass ``_is_plain_line``
    (else the whole line is a code span, as before), so nothing a renderer acts on gets through."""
    text = str(text)
    if _is_plain_line(text):
        return text
    words = [_word_span(word, parts) for word, parts in _bracket_groups(text.split(" "))]
    if any(word is None for word in words):
        return markdown_text(text)
    joined = " ".join(words)
    return joined if _is_plain_line(joined) else markdown_text(text)


#: A word of code a known mistake's sentence names: names, numbers, operators and brackets
#: (``np.tanh(a_next)**2``, ``dx[:, :, t]``); nothing that starts a link, a tag or a heading.
_CODE_WORD = re.compile(r"[A-Za-z0-9_.()\[\]*+\-/=,:]+", re.ASCII)


#: The most words a bracket ``_bracket_groups`` joins may span (a sentence's code is short).
_GROUP_WORDS = 8


def _bracket_groups(words: list[str]) -> list[tuple[str, tuple[str, str, str] | None]]:
    """``words``, where a bracket opened in one word and closed in a later one, within
    ``_GROUP_WORDS`` words, is joined into one word (with its spaces) when a word inside it would
    be a code span cut at the bracket: ``(1 - a_next)**2;`` read ``(1 - `a_next)**2`;`` and now
    reads ```(1 - a_next)**2`;``. A group each of whose words spans well stays apart
    (``(1 - a_next**2),`` reads ``(1 - `a_next**2`),``).

    Each word comes with its ``_span_parts`` when they were worked out here (None otherwise),
    so that ``_word_span`` does not work them out again."""
    out: list[tuple[str, tuple[str, str, str] | None]] = []
    parts: dict[int, tuple[str, str, str] | None] = {}
    i = 0
    while i < len(words):
        depth, j = _opened(words[i]), i + 1
        while depth > 0 and j < len(words) and j - i < _GROUP_WORDS:
            depth += _opened(words[j])
            j += 1
        if j > i + 1 and depth == 0 and any(_cut_at_bracket(words[k], parts, k) for k in range(i, j)):
            out.append((" ".join(words[i:j]), None))
            i = j
        else:
            out.append((words[i], parts.get(i)))
            i += 1
    return out


def _cut_at_bracket(word: str, parts: dict[int, tuple[str, str, str] | None], k: int) -> bool:
    """Whether ``_word_span`` would put ``word`` (the ``k``-th) in a code span whose brackets do
    not pair; its ``_span_parts`` are kept in ``parts[k]``."""
    if not word or "`" in word or _plain_outside_code(word):
        return False
    if k not in parts:
        parts[k] = _span_parts(word)
    core = parts[k][1]
    return core.count("(") != core.count(")") or core.count("[") != core.count("]")


def _opened(word: str) -> int:
    """How many brackets, round or square, ``word`` opens and does not close (negative: closes)."""
    return word.count("(") + word.count("[") - word.count(")") - word.count("]")


def _span_parts(word: str) -> tuple[str, str, str]:
    """``(lead, core, trail)`` of ``_word_span``: the opening brackets the word does not close,
    the code, and the punctuation and unopened brackets after it. Linear in the word's length
    (the brackets are counted once, then kept as each one is moved out of the core)."""
    opened, closed = word.count("("), word.count(")")
    start, end = 0, len(word)
    while start < end and word[start] == "(" and opened > closed:
        start, opened = start + 1, opened - 1
    while end > start and (word[end - 1] in ",;." or (word[end - 1] == ")" and closed > opened)):
        if word[end - 1] == ")":
            closed -= 1
        end -= 1
    return word[:start], word[start:end], word[end:]


def _word_span(word: str, parts: tuple[str, str, str] | None = None) -> str | None:
    """One word of ``sentence_text``: itself when plain, else a code span of its core, with an
    opening bracket it does not close before it and punctuation after it (``,;.`` and a bracket
    it does not open) outside the span: ``(1 - a_next**2);`` reads ``(1 - `a_next**2`);``.
    None for a word that is not code (``#``, ``<b>``, a link): the line is then shown whole as a
    code span, as any line that is not plain always was. ``parts``: the word's ``_span_parts``,
    when already worked out."""
    if not word or "`" in word or word in ("*", "_") or _plain_outside_code(word):
        return word  # a lone * or _ is plain between the spaces around it (a product)
    lead, core, trail = parts or _span_parts(word)
    # A word of ``_bracket_groups`` holds single spaces between its code words.
    if not core or not _CODE_WORD.fullmatch(core.replace(" ", "")) or "//" in core or "www." in core.lower() \
            or "  " in core:
        return None
    return f"{lead}`{core}`{trail}"


def _literal_line(text: str) -> str:
    """``markdown_text`` of one line, worked out."""
    if _is_plain_line(text):
        return text
    return markdown_code_span(visible_text(text))


#: Lines up to this long are remembered by ``_short_markdown_text``: the same sentences (a
#: hidden case's diagnosis, "bonus not attempted") recur in every feedback a worker writes.
_MEMO_CHARS = 400

#: ``_literal_line`` of a line of at most ``_MEMO_CHARS`` characters, remembered.
_short_markdown_text = functools.lru_cache(maxsize=4096)(_literal_line)


def markdown_code_span(text: str) -> str:
    """``text`` (one line, printable) as a Markdown code span showing exactly ``text``."""
    if not text:
        return ""
    fence = "`" * (_longest_run(text, "`") + 1)
    pad = " " if text[0] == "`" or text[-1] == "`" or (text[0] == text[-1] == " " and text.strip()) else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def markdown_block(text: str, *, indent: str = "") -> str:
    """``text`` (any number of lines) as a fenced code block, each line after ``indent``: its
    fence is longer than any run of backticks in it, so no line closes it early; lines are cut
    where a Markdown reader cuts them and non-printable characters written out (tabs kept)."""
    lines = _text_lines(text)
    if lines and lines[-1] == "":
        lines.pop()  # the line end of the last line
    fence = "`" * max(3, _longest_run(text, "`") + 1)
    body = "".join(f"{indent}{visible_text(line, tabs=True)}\n" if line else "\n" for line in lines)
    return f"{indent}{fence}\n{body}{indent}{fence}\n"


def _longest_run(text: str, char: str) -> int:
    """The length of the longest run of ``char`` in ``text``."""
    return max((len(run) for run in re.findall(f"{re.escape(char)}+", text)), default=0)


# --------------------------------------------------------------------------- gradebook


#: The columns a roster adds to ``grades.csv`` (``Gradebook.csv(roster=...)``), after the parts.
ROSTER_COLUMNS = ("student_id", "name", "email", "on_roster", "status")
#: ``status`` of a row: a result's status in words, or a roster student's lack of one.
ROW_STATUS = {GRADED: "graded", "unreadable": "unreadable", HARNESS: "grader failure"}
NO_SUBMISSION = "no submission"
NOT_GRADED_YET = "not graded yet"  # found by an interrupted run, before its turn came
#: A roster student whose folder an earlier run wrote, not among this run's submissions (a run
#: of one notebook into the class's folder): no score is written, as this run did not read it.
NOT_IN_THIS_RUN = "not in this run"
#: A roster student its excused column marks (withdrawn) who has no submission: no score, not a 0.
EXCUSED = "excused"
#: A roster student with more than one submission: their row of the roster's block has no score
#: (which counts is the course's rule), their submissions' rows follow the block.
SEVERAL_SUBMISSIONS = "several submissions"
#: The columns a TA's adjustments add to ``grades.csv`` (``grade.py --adjust``), after the parts'.
ADJUSTMENT_COLUMNS = ("adjustment", "adjustment_reason")
#: What a run writes beside ``grades.csv`` when scores changed from the earlier one (``Gradebook.write_changes``).
SCORE_CHANGES = "score-changes.csv"
#: The byte-order mark that tells Excel a CSV file is UTF-8 (``Gradebook.write(bom=True)``).
EXCEL_BOM = "\ufeff"


class Gradebook:
    """``grades.csv`` built one result at a time: a few short strings per submission are kept,
    never the results themselves (a class run streams them from its workers)."""

    def __init__(self, rubric: Rubric) -> None:
        """An empty gradebook with ``rubric``'s parts as its first columns."""
        self.parts = [p.name for p in rubric.parts]
        # The max_score of a roster student with no submission (a rubric as some tests build it
        # names its parts only: those rows then say 0).
        self.max_points = f"{getattr(rubric, 'max_points', 0):g}"
        self._rows: dict[str, tuple[str, str, tuple[tuple[str, str], ...], str]] = {}

    def add(self, result: SubmissionResult) -> None:
        """Record ``result``'s row (a later result for the same submission replaces it)."""
        self._rows[result.submission_id] = (
            f"{result.points:g}", f"{result.max_points:g}",
            tuple((sys.intern(part.name), f"{part.points:g}") for part in result.parts),
            ROW_STATUS.get(result.status, result.status))

    def __len__(self) -> int:
        """The number of submissions recorded."""
        return len(self._rows)

    def csv(self, *, roster: Any = None, adjustments: Mapping[str, Any] | None = None) -> str:
        """The gradebook's text: rows sorted by submission; a part not graded scores 0.

        With ``roster`` (a ``grader.discover.RosterMatch``), every student of the roster has one
        row, in the roster's order, so that the ``score`` column pasted beside the platform's export
        lines up (0 points and the status ``no submission`` when they have none; no score and the
        status ``several submissions`` when they have several), then the rows of those several
        submissions, then the submissions of students not on the roster, by id; the columns
        ``ROSTER_COLUMNS`` follow the parts'. Without it the file is what it always was, so that
        scripts reading it by position keep working.

        With ``adjustments`` (``grader.adjustments.Adjustments.by_submission``: a TA's points by
        hand, by submission cell), ``score`` holds them and the columns ``ADJUSTMENT_COLUMNS``
        follow the parts' (before the roster's)."""
        columns = ["submission", "score", "max_score"] + list(self.parts)
        known = set(columns)
        for sid in sorted(self._rows):
            for name, _ in self._rows[sid][2]:
                if name not in known:
                    columns.append(name)
                    known.add(name)
        if adjustments is not None:
            columns += list(ADJUSTMENT_COLUMNS)
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        if roster is None:
            writer.writerow(columns)
            for sid in sorted(self._rows):
                writer.writerow(self._row(sid, columns, adjustments))
            return out.getvalue()
        writer.writerow(columns + list(ROSTER_COLUMNS))
        for student, sid in self._roster_order(roster):
            if sid is None:  # several submissions: the roster's row, their rows below
                writer.writerow([""] * len(columns) + [spreadsheet_text(student.id), spreadsheet_text(student.name),
                                          spreadsheet_text(student.email), "yes", SEVERAL_SUBMISSIONS])
                continue
            if student is not None and not sid and student.id in roster.earlier:
                values = [spreadsheet_text(roster.earlier[student.id])] + [""] * (len(columns) - 1)
                writer.writerow(values + [spreadsheet_text(student.id), spreadsheet_text(student.name),
                                          spreadsheet_text(student.email), "yes", NOT_IN_THIS_RUN])
                continue
            if student is not None and not sid and student.excused:
                writer.writerow([""] * len(columns) + [spreadsheet_text(student.id), spreadsheet_text(student.name),
                                                       spreadsheet_text(student.email), "yes", EXCUSED])
                continue
            # A submission whose turn an interrupted run did not reach has no score yet: its
            # cells are left empty, not 0 (a 0 pasted into the platform would read as a grade).
            values = (self._row(sid, columns, adjustments) if sid in self._rows
                      else [spreadsheet_text(sid)] + [""] * (len(columns) - 1) if sid
                      else self._empty_row(sid, columns))
            if student is None:
                extra = ["", "", "", "no", self._rows[sid][3] if sid in self._rows else NOT_GRADED_YET]
            else:
                status = (self._rows[sid][3] if sid in self._rows else
                          NOT_GRADED_YET if sid else NO_SUBMISSION)
                extra = [spreadsheet_text(student.id), spreadsheet_text(student.name),
                         spreadsheet_text(student.email), "yes", status]
            writer.writerow(values + extra)
        return out.getvalue()

    @staticmethod
    def _roster_order(roster: Any) -> list[tuple[Any, str | None]]:
        """``(student, submission id)`` in the order of the rows: the roster's students, one row
        each, with their submission ("" when none, None when several), then the submissions of
        students with several, then those not on the roster. Until the thirty-third session a
        student with two submissions had two rows in the roster's block, and every score pasted
        below them into the platform's export (in the roster's order) was the next student's."""
        by_student = roster.submissions_of()
        order: list[tuple[Any, str | None]] = []
        several: list[tuple[Any, str | None]] = []
        for student in roster.roster.students:
            sids = by_student[student.id]
            order.append((student, None if len(sids) > 1 else sids[0] if sids else ""))
            if len(sids) > 1:
                several.extend((student, sid) for sid in sids)
        order.extend(several)
        order.extend((None, sid) for sid in roster.unlisted)
        return order

    def _row(self, sid: str, columns: list[str], adjustments: Mapping[str, Any] | None = None) -> list[str]:
        """The cells of submission ``sid``'s row under ``columns`` (its score adjusted)."""
        score, max_score, parts, _ = self._rows[sid]
        row = {"submission": spreadsheet_text(sid), "score": score, "max_score": max_score, **dict(parts),
               "adjustment_reason": ""}
        adjustment = adjustments.get(spreadsheet_text(sid)) if adjustments else None
        if adjustment is not None:
            row.update(score=f"{float(score) + adjustment.points:g}", adjustment=f"{adjustment.points:g}",
                       adjustment_reason=spreadsheet_text(visible_text("; ".join(adjustment.reasons))))
        return [row.get(c, "0") for c in columns]

    def _empty_row(self, sid: str, columns: list[str]) -> list[str]:
        """The cells of a roster student's row without a submission: 0 points."""
        row = {"submission": spreadsheet_text(sid), "score": "0", "max_score": self.max_points,
               "adjustment_reason": ""}
        return [row.get(c, "0") for c in columns]

    def adjusted_score(self, sid: str, adjustments: Mapping[str, Any] | None) -> float:
        """The score of submission ``sid`` as ``grades.csv`` writes it, ``adjustments`` added."""
        adjustment = adjustments.get(spreadsheet_text(sid)) if adjustments else None
        return float(self._rows[sid][0]) + (adjustment.points if adjustment is not None else 0.0)

    def scores_given(self, adjustments: Mapping[str, Any] | None = None) -> dict[str, float]:
        """Submission id -> its score as ``grades.csv`` writes it (``adjustments`` added), for the
        submissions that have one: graded, or unreadable (0); a grader failure has none."""
        return {sid: self.adjusted_score(sid, adjustments) for sid, row in self._rows.items()
                if row[3] in (ROW_STATUS[GRADED], ROW_STATUS["unreadable"])}

    def points(self) -> dict[str, tuple[float, float]]:
        """Submission id -> (score, max_score) as the grader gave them, adjustments aside."""
        return {sid: (float(row[0]), float(row[1])) for sid, row in self._rows.items()}

    def unmatched(self, adjustments: Mapping[str, Any]) -> tuple[str, ...]:
        """The submission cells of ``adjustments`` that are no submission of this gradebook."""
        cells = {spreadsheet_text(sid) for sid in self._rows}
        return tuple(sorted(cell for cell in adjustments if cell not in cells))

    def changed_scores(self, earlier: Mapping[str, tuple[float | None, float | None]],
                       adjustments: Mapping[str, Any] | None = None) -> list[scorechanges.ScoreChange]:
        """A ``grader.scorechanges.ScoreChange`` for each submission in both the ``earlier``
        gradebook (``gradebook_scores``) and this one whose score differs, in points or in percent
        of ``max_score`` (a part added: the same points are a smaller share), by id."""
        changed = []
        for sid in sorted(self._rows):
            before = earlier.get(spreadsheet_text(sid))
            if before is None or before[0] is None:
                continue
            change = scorechanges.ScoreChange(submission=sid, before=before[0], after=self.adjusted_score(
                sid, adjustments), max_before=before[1], max_after=float(self._rows[sid][1]))
            if change.moved:
                changed.append(change)
        return changed

    def changes_from(self, earlier: Mapping[str, tuple[float | None, float | None]],
                     adjustments: Mapping[str, Any] | None = None, *, listed: Path | None = None) -> str:
        """What changed between the ``earlier`` gradebook's scores (``gradebook_scores``) and
        this gradebook's for the submissions in both, as a sentence ("" when nothing did):
        ``grader.scorechanges.sentence`` (``listed``: the file that has every one, ``write_changes``)."""
        tops = set()
        for sid, (_score, max_score, _parts, _status) in self._rows.items():
            before = earlier.get(spreadsheet_text(sid))
            if before is not None and before[1] is not None and abs(before[1] - float(max_score)) > 1e-9:
                tops.add(f"{before[1]:g} -> {max_score}")
        return scorechanges.sentence(self.changed_scores(earlier, adjustments), tops=sorted(tops), listed=listed)

    def write_changes(self, out_dir: Path, earlier: Mapping[str, tuple[float | None, float | None]],
                      adjustments: Mapping[str, Any] | None = None, *, bom: bool = False) -> Path | None:
        """Write ``out_dir/score-changes.csv`` (``grader.scorechanges.changes_csv``): every score
        that differs from the ``earlier`` gradebook's, in points and in percent of ``max_score``,
        the largest loss first (what a rubric edit graded into a copy of the output folder would
        do to each student, before it is published); None, and no file, when none differs."""
        changed = self.changed_scores(earlier, adjustments)
        if not changed:
            return None
        path = Path(out_dir) / SCORE_CHANGES
        write_atomic(path, (EXCEL_BOM if bom else "") + scorechanges.changes_csv(changed, cell=spreadsheet_text))
        return path

    def write(self, out_dir: Path, *, roster: Any = None, bom: bool = False,
              adjustments: Mapping[str, Any] | None = None) -> Path:
        """Write ``out_dir/grades.csv`` atomically (see ``csv``); return its path. ``bom``: begin
        it with a UTF-8 byte-order mark, without which Excel reads the file in the computer's
        legacy encoding and shows accented names garbled (``--excel``)."""
        path = Path(out_dir) / "grades.csv"
        write_atomic(path, (EXCEL_BOM if bom else "") + self.csv(roster=roster, adjustments=adjustments))
        return path


def gradebook_submissions(path: Path) -> frozenset[str] | None:
    """The ``submission`` cells of the gradebook at ``path`` as written (``spreadsheet_text`` of
    each id; compare ``spreadsheet_text(id) in cells``), empty ones (a roster student with no
    submission) left out; None when there is no such file or it has no ``submission`` column."""
    scores = gradebook_scores(path)
    return None if scores is None else frozenset(scores)


def gradebook_scores(path: Path) -> dict[str, tuple[float | None, float | None]] | None:
    """``{submission cell: (score, max_score)}`` of the gradebook at ``path`` (see
    ``gradebook_submissions``; a cell that is no number, such as the empty score of a row 'not in
    this run', None); None when there is no such file or it has no ``submission`` column. Read as
    ``Gradebook.write`` writes it, with or without Excel's byte-order mark, and also when a
    spreadsheet saved it again separated by ``;`` or tabs, its numbers then with a decimal comma
    (``2,5``: in such a file a comma separates nothing)."""
    from grader.discover import csv_lines, csv_separator

    try:
        lines = csv_lines(Path(path).read_text("utf-8-sig"))
    except (OSError, UnicodeDecodeError):
        return None
    if not lines:
        return None
    separator = csv_separator(lines[0])
    rows = csv.reader(lines, delimiter=separator)

    def number(row: list[str], at: int | None) -> float | None:
        text = row[at].strip() if at is not None and at < len(row) else ""
        try:
            return float(text.replace(",", ".") if separator != "," else text)
        except ValueError:
            return None

    try:
        header = [cell.strip().casefold() for cell in next(rows)]
        at = header.index("submission")
        score, top = (header.index(name) if name in header else None for name in ("score", "max_score"))
        return {row[at]: (number(row, score), number(row, top)) for row in rows if at < len(row) and row[at]}
    except (ValueError, csv.Error, StopIteration):
        return None


def gradebook_csv(rubric: Rubric, results: Iterable[SubmissionResult]) -> str:
    """The text of ``grades.csv`` for ``results`` (see ``Gradebook``)."""
    book = Gradebook(rubric)
    for result in results:
        book.add(result)
    return book.csv()


def page_record(record: dict) -> dict:
    """``record`` (``result_to_dict`` of a result) with only what the grading process reads of
    it (the gradebook, the class report, ``feedback.html``): every part and every case, but a
    passed case without its checks, message, location, printed output and time (its page shows
    it as one line, from its name, visibility and points), and no timings nor ``extra`` (the
    functions' sources) but a harness failure's traceback (``GRADER_ERROR``). About 40 % of
    the record of a graded submission, which a worker sends to the grading process for each one."""
    parts = []
    for part in record["parts"]:
        cases = [case if case["status"] != PASSED else
                 {**case, "checks": [], "message": "", "location": None, "output": "", "seconds": 0.0}
                 for case in part["cases"]]
        parts.append({**part, "cases": cases})
    return {**record, "parts": parts, "timings": {}, "extra": kept_extra(record.get("extra", {}))}


def _plain_but(obj: Any, given: Mapping[str, Any]) -> dict:
    """``_plain(obj)`` of a dataclass instance, but each field named in ``given`` taken from
    there as it is."""
    fields = _fields(obj, _field_names(type(obj)))
    return {k: given[k] if k in given else v if type(v) in _SCALARS else _plain(v)
            for k, v in fields.items()}


def page_record_of(result: SubmissionResult) -> dict:
    """``page_record(result_to_dict(result))`` made from ``result`` itself: the dicts of a passed
    case's checks, which the page record leaves out, are never built (a worker writes
    ``result.full.json`` from the objects, ``record_json``, and builds no whole record)."""
    parts = []
    for part in result.parts:
        cases = [_plain(case) if case.status != PASSED else
                 _plain_but(case, {"checks": [], "message": "", "location": None, "output": "",
                                   "seconds": 0.0})
                 for case in part.cases]
        parts.append(_plain_but(part, {"cases": cases}))
    extra = result.extra
    return _plain_but(result, {"parts": parts, "timings": {},
                               "extra": {GRADER_ERROR: _plain(extra[GRADER_ERROR])}
                               if GRADER_ERROR in extra else {}})


def kept_extra(extra: Any) -> dict:
    """What a summary (and the class report) keeps of a result's ``extra``: what went wrong in
    the grader (``GRADER_ERROR``: a harness failure's traceback, or why a graded submission lost
    cases, for the class report's lists), nothing else (the functions' sources)."""
    return {GRADER_ERROR: extra[GRADER_ERROR]} if GRADER_ERROR in extra else {}


def summary_of(result: SubmissionResult) -> SubmissionResult:
    """``result`` without what only its own reports need (checks, printed output, messages and
    locations of cases, timings, extra but a harness failure's traceback): what the gradebook,
    the class report and the run's summary line read. A few kB, sent by each worker to the
    grading process."""
    parts = tuple(dataclasses.replace(
        part, location=None,
        cases=tuple(CaseResult(case_id=c.case_id, name=c.name, visibility=c.visibility,
                               status=c.status, points=c.points, max_points=c.max_points,
                               diagnosis=c.diagnosis) for c in part.cases))
        for part in result.parts)
    return dataclasses.replace(result, parts=parts, timings=MappingProxyType({}),
                               extra=MappingProxyType(kept_extra(result.extra)))


#: ``json.dumps`` with its default options but without its check for reference cycles, which
#: keeps every list and dict of the record in a dict of ids while it is written (1,000 of them
#: in a submission's record: 0.37 -> 0.27 ms). The same text for any value without a cycle, and
#: the records written here are trees made by ``result_to_dict`` and ``gradescope_results``.
_json_text = json.JSONEncoder(check_circular=False).encode


def write_submission(result: SubmissionResult, out_dir: Path) -> Path:
    """Write ``OUT/<id>/results.json``, ``feedback.md`` and our full record; return the folder."""
    folder = Path(out_dir) / result.submission_id
    write_submission_record(result, folder)
    return folder


def write_submission_record(result: SubmissionResult, folder: Path, *,
                            digests: dict[str, list] | None = None) -> None:
    """``write_submission`` into ``folder``.

    The JSON files are written without indentation: ``json`` then uses its C
    encoder (about five times faster on a full record); the full record straight from the
    objects (``record_json``). ``digests``, when given, receives
    ``{file name: [size, sha256]}`` of the bytes written (``grader.incremental.write_key``
    takes them instead of reading the files back).
    """
    folder = Path(folder)
    write_file = functools.partial(write_atomic, digests=digests)
    write_file(folder / "feedback.md", feedback_markdown(result))
    write_file(folder / "results.json", _json_text(gradescope_results(result)))
    # Written last: its presence marks the submission as completely graded.
    write_file(folder / RESULT_RECORD, record_json(result))


def read_submission(folder: Path) -> SubmissionResult | None:
    """The full record written by ``write_submission``, or None if absent or unreadable."""
    try:
        return result_from_dict(json.loads((Path(folder) / RESULT_RECORD).read_text("utf-8")))
    except (OSError, ValueError, TypeError, KeyError):
        return None


def write_gradebook(rubric: Rubric, results: Iterable[SubmissionResult], out_dir: Path) -> Path:
    """Write ``out_dir/grades.csv`` for ``results`` atomically; return its path."""
    path = Path(out_dir) / "grades.csv"
    write_atomic(path, gradebook_csv(rubric, results))
    return path
