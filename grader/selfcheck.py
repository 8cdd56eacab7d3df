"""The students' self-check: the public cases of a rubric, one verdict per function.

``python3 grade.py --check NOTEBOOK`` calls :func:`run_check`; ``check()`` in
Jupyter (:mod:`grader.live`) grades the live functions and prints with the same
:func:`render`.  Only the public half of the rubric is loaded, and only the
public fixture file is read, so this works in the student kit where the hidden
file does not exist.  The engine is the instructors' one
(:func:`grader.runner.grade_submission` and its sandbox), so the verdicts are
the ones the grade will hold for the public cases.

Verdicts, per function, in the words of the batch's feedback (`grader.models.STATUS_WORDS`):
``passed``, ``failed`` (it ran; some output is wrong), ``not implemented`` (template
placeholders left), ``missing`` (no function of that name), ``raised an error``, ``timed out``,
``crashed`` (the process died).
"""
from __future__ import annotations

import logging
import os
import re
import tempfile
import time
import warnings
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any, Callable, Iterator, Mapping, Sequence, TextIO

from grader.copycommands import GRADE_PY, grade_command, python_command, quoted, shown_path, unquoted_path
from grader.models import (
    CASE_GRADER_FAILED, ERROR, MISSING, NOT_ATTEMPTED, NOT_IMPLEMENTED, PASSED, STATUS_WORDS, TIMEOUT, CaseResult,
    Location, PartResult, SubmissionResult, bonus_mark,
)

__all__ = [
    "EXIT_PASSED", "EXIT_FAILED", "EXIT_UNUSABLE", "CHECKER_FAILED", "checker_failed_text", "SelfCheckError",
    "CheckSummary",
    "load_public_context", "checked", "run_check", "render", "summarise", "verdict", "unsupported_system", "withheld_points",
    "UNFENCED",
    "missing_requirements", "REQUIREMENTS", "WINDOWS_DRIVES", "with_fixed_sizes", "unquoted_path",
    "check_command", "notebook_left_out",
]

#: Exit statuses of ``--check`` (the same numbers as grade.py's).
EXIT_PASSED = 0      # every public case of every (selected) function passed
EXIT_FAILED = 1      # some public case did not pass
EXIT_UNUSABLE = 2    # the notebook, the rubric or the fixtures cannot be read, or the checker failed

class SelfCheckError(Exception):
    """The self-check cannot run (rubric or fixtures unreadable, unknown function)."""


@dataclass(frozen=True)
class CheckSummary:
    """What a self-check found: one verdict per function, and the case counts.

    ``verdicts`` is ``((function, verdict word), ...)`` in rubric order;
    ``ok`` is True only when every public case passed; ``points`` is the public cases' score out of
    ``public_points``, and ``hidden_points`` what the hidden cases of the same functions are worth;
    ``bonus`` the bonus functions among them (``bonus: true``: their points add to a score beyond
    ``max_score``), whose hidden cases ``bonus_hidden`` is worth (not in ``hidden_points``);
    ``bonus_left`` those of them the notebook leaves out (missing, not implemented), whose
    ``bonus_left_cases`` public cases ``ok`` does not count: a bonus is optional; ``hidden_only``
    the functions the kit has no public case of (graded on hidden cases only), not checked and not
    in ``verdicts``, whose points are in ``hidden_points``.
    """

    verdicts: tuple[tuple[str, str], ...]
    cases_passed: int
    cases_total: int
    points: float = 0.0          # what the public cases earned, as the instructor's grading counts it
    public_points: float = 0.0   # what they are worth
    hidden_points: float = 0.0   # what the hidden cases of the same functions are worth (bonus ones aside)
    bonus: tuple[str, ...] = ()  # the bonus functions checked
    bonus_public: float = 0.0    # what their public cases are worth (within public_points)
    bonus_earned: float = 0.0    # what their public cases earned (within points)
    bonus_hidden: float = 0.0    # what their hidden cases are worth
    bonus_left: tuple[str, ...] = ()  # the bonus functions not written (missing, not implemented)
    bonus_left_cases: int = 0    # their public cases
    hidden_only: tuple[str, ...] = ()  # functions graded on hidden cases only (none public)

    @property
    def ok(self) -> bool:
        """Every public case of every checked function passed, a bonus function not written aside
        (a student who did all that is asked and no bonus was told to fix it, exit status 1)."""
        counted = self.cases_total - self.bonus_left_cases
        return counted > 0 and self.cases_passed == counted

    def verdict(self, function: str) -> str | None:
        """The verdict word of ``function``, or None if it was not checked."""
        return dict(self.verdicts).get(function)

    def __repr__(self) -> str:
        """One line: the case count and every verdict."""
        words = ", ".join(f"{f}: {v}" for f, v in self.verdicts)
        return f"CheckSummary({self.cases_passed}/{self.cases_total} public cases passed; {words})"


def verdict(status: str) -> str:
    """The student's word for a part or case status (``"not_implemented"`` -> ``"not implemented"``):
    the batch report's word (`grader.models.STATUS_WORDS`)."""
    return STATUS_WORDS.get(status, status)


def load_public_context(rubric: Path, *, function: str | None = None) -> Any:
    """The rubric restricted to its public cases (and to ``function``) with the public fixtures.

    Returns a :class:`grader.runner.GradingContext`; the hidden fixture file is
    never opened.  The rubric's bonus section (if any) is left out: the
    self-check is about the functions.  A part with no public case is kept with ``cases=()`` and
    its points withheld (:func:`withheld_points` counts them, :func:`render` says the function is
    graded on hidden cases only); grade :func:`checked` of the context.  Raises :class:`SelfCheckError`.
    """
    from grader.fixtures import FixtureError, load_fixtures
    from grader.rubric import RubricError, load_rubric
    from grader.runner import GradingContext

    try:
        full = load_rubric(Path(rubric))
    except (RubricError, OSError) as exc:
        raise SelfCheckError(str(exc)) from None
    public = replace(full.only("public", keep_empty=True), imdb=None)
    if not public.with_cases().parts:  # "0 of 0 public case(s) passed; all 0 functions pass", and exit 1
        raise SelfCheckError(f"{full.path}: the rubric has no public case, so there is nothing to check "
                             f"(its cases are all hidden)")
    if function is not None:
        chosen = tuple(p for p in public.parts if function in (p.function, p.name))
        if not chosen:
            checkable = [p.function for p in public.with_cases().parts]
            import difflib

            close = difflib.get_close_matches(function, checkable, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise SelfCheckError(f"no public case grades a function named {function!r}{hint} "
                                 f"(functions with public cases: {', '.join(checkable) or 'none'})")
        if not chosen[0].cases:
            raise SelfCheckError(f"{chosen[0].function} is graded on hidden cases only (its "
                                 f"{chosen[0].withheld_points:g} points): this kit has no public case to check it "
                                 f"with, so test it against the assignment's examples yourself")
        public = replace(public, parts=chosen)
    try:
        fixtures = load_fixtures(public, visibilities=("public",))
    except (FixtureError, OSError) as exc:
        raise SelfCheckError(str(exc)) from None
    return GradingContext(rubric=public, fixtures=fixtures,
                          mutant_messages=MappingProxyType(dict(fixtures.mutant_messages)))


def checked(context: Any) -> Any:
    """``context`` (:func:`load_public_context`'s) without its parts that have no public case: the
    parts to grade. Those are graded on hidden cases only, and a part of no case would read
    "passed"."""
    rubric = context.rubric.with_cases()
    return context if rubric is context.rubric else replace(context, rubric=rubric, memo={})


def summarise(result: SubmissionResult, *, withheld: Mapping[str, float] = MappingProxyType({})) -> CheckSummary:
    """The verdicts, case counts and points of a (public-only) result; ``withheld`` maps a
    function to the points of its hidden cases (``Part.withheld_points``). A function of
    ``withheld`` that ``result`` does not grade has no public case: it is ``hidden_only``, and its
    points are counted in ``hidden_points``."""
    verdicts = tuple((p.function, verdict(p.status)) for p in result.parts)
    hidden_only = tuple(f for f, points in withheld.items() if points > 0 and f not in dict(verdicts))
    cases = [c for p in result.parts for c in p.cases]
    bonus = [p for p in result.parts if p.bonus]
    left = [p for p in bonus if p.status in (MISSING, NOT_IMPLEMENTED, NOT_ATTEMPTED)]
    return CheckSummary(verdicts=verdicts, cases_passed=sum(c.status == PASSED for c in cases),
                        cases_total=len(cases), points=sum(p.points for p in result.parts),
                        public_points=sum(p.max_points for p in result.parts),
                        hidden_points=sum(withheld.get(p.function, 0.0) for p in result.parts if not p.bonus)
                        + sum(withheld[f] for f in hidden_only), hidden_only=hidden_only,
                        bonus=tuple(p.function for p in bonus), bonus_public=sum(p.max_points for p in bonus),
                        bonus_earned=sum(p.points for p in bonus),
                        bonus_hidden=sum(withheld.get(p.function, 0.0) for p in bonus),
                        bonus_left=tuple(p.function for p in left), bonus_left_cases=sum(len(p.cases) for p in left))


def withheld_points(rubric: Any) -> Mapping[str, float]:
    """Function -> the points of its cases that ``rubric`` (restricted to the public ones) leaves
    out: what :func:`render` tells students the hidden cases are worth. A bonus part with no public
    case is left out: its points are beyond the assignment's total."""
    return MappingProxyType({part.function: part.withheld_points for part in rubric.parts
                             if part.cases or not part.bonus})


def _indent(text: str, prefix: str) -> str:
    """``text`` with ``prefix`` before each non-empty line."""
    return "\n".join(prefix + line if line else line for line in text.splitlines())


def _describe_default(location: Location) -> str:
    """``cell 4, line 12, in rnn_forward`` (notebook cells counted from 1)."""
    return location.describe()


def render(result: SubmissionResult, *, stream: TextIO,
           describe: Callable[[Location], str] = _describe_default,
           line_of: Callable[[Location], str] = lambda location: "",
           title: str = "", withheld: Mapping[str, float] = MappingProxyType({})) -> CheckSummary:
    """Print one block per function of ``result`` to ``stream``; return the summary.

    For each function: its verdict, then for every case that did not pass the
    case's name and what went wrong (which output, what kind of difference),
    the diagnosed mistake, and where it happened (``describe``) with the
    student's own line of code (``line_of``, empty when unknown). The last two lines count the
    public cases passed and their points, and say what the hidden cases are worth
    (``withheld``: function -> points, :func:`withheld_points`) without a word of what they are.
    """
    write = stream.write
    summary = summarise(result, withheld=withheld)
    if title:
        write(title + "\n")
    width = max((len(f) for f in [p.function for p in result.parts] + list(summary.hidden_only)), default=0) + 2
    redefined = _redefined_notes(result)
    rows = {part.function: part for part in result.parts}
    for function in dict.fromkeys([*(f for f in withheld if f in rows or f in summary.hidden_only), *rows]):
        if function in rows:  # in the rubric's order, a function graded on hidden cases only in its place
            _render_part(rows[function], write, width, describe, line_of, first=redefined.get(function, ()))
            continue
        write(f"{function:<{width}}graded on hidden cases only\n"  # never "passed": nothing public to pass
              f"    This kit has no public case of `{function}`: your instructor grades it on hidden cases "
              f"only, worth {withheld[function]:g} points. Test it yourself, against the assignment's "
              f"examples.\n")
    unfinished = tuple(f"`{p.function}` is not implemented yet" for p in result.parts
                       if p.status == NOT_IMPLEMENTED)
    said_above = {m for notes in redefined.values() for m in notes}
    notes = [m for m in result.messages if not m.startswith(unfinished or ("\0",)) and m not in said_above]
    if notes:
        write("\nAbout the notebook:\n")
    for message in notes:  # placeholders are already said under their function
        write(_indent(f"- {message}", "  ") + "\n")
    failing = [f for f, v in summary.verdicts if v != "passed" and f not in summary.bonus_left]
    noted = [p.function for p in result.parts if p.status == PASSED and p.notes]
    write(f"\n{summary.cases_passed} of {summary.cases_total} public case(s) passed, {_points_said(summary)}")
    if not failing:
        write(_all_pass(summary))
    else:
        write(f"; to fix: {', '.join(failing)}.\n")
    if noted:  # a pass with a note is a pass the hidden cases may not give
        write(f"Read the note{'s' if len(noted) > 1 else ''} under {', '.join(noted)} too: "
              f"{'they say' if len(noted) > 1 else 'it says'} what hidden cases may fail.\n")
    write(_hidden_share(summary))
    return summary


def _points_said(summary: CheckSummary) -> str:
    """``"11 of their 23.5 points"``, the bonus's apart (``"5 of their 5 points and 0 of 2 bonus
    points"``): a bonus's points are beyond the assignment's total, and "5 of their 7 points" of a
    notebook whose every function asked for passed read as 2 points lost (thirty-sixth session's note)."""
    if summary.bonus_public <= 0:
        return f"{summary.points:g} of their {summary.public_points:g} points"
    return (f"{summary.points - summary.bonus_earned:g} of their {summary.public_points - summary.bonus_public:g} "
            f"points and {summary.bonus_earned:g} of {summary.bonus_public:g} bonus points")


def _redefined_notes(result: SubmissionResult) -> dict[str, tuple[str, ...]]:
    """Function -> the note that it is defined more than once, for each function that did not pass:
    said under it rather than at the end. Its verdict and likely mistake are of the last definition,
    and a student whose first definition was right read them against that one (thirty-fifth
    session, as a student: "leaves out the bias ba" of a cell that adds it, a scratch cell below
    defining it again)."""
    from grader.extract import defined_again_words

    return {part.function: told for part in result.parts if part.status not in (PASSED, MISSING, NOT_IMPLEMENTED)
            if (told := tuple(m for m in result.messages if m.startswith(defined_again_words(part.function))))}


def _hidden_share(summary: CheckSummary) -> str:
    """The last line: that hidden cases are graded too and, when the rubric says it, what they are
    worth ("the other 76.5 of the 100 points"). Students asked how much the self-check's verdicts
    weigh in the grade, and the output did not say a number."""
    bonus = ""
    if summary.bonus:
        names = ", ".join(f"`{function}`" for function in summary.bonus)
        bonus = (f"{names} {'is a bonus' if len(summary.bonus) == 1 else 'are bonuses'}: "
                 f"{'its' if len(summary.bonus) == 1 else 'their'} {summary.bonus_public + summary.bonus_hidden:g} "
                 f"points{' (hidden cases included)' if summary.bonus_hidden > 0 else ''} add to your score "
                 f"beyond the assignment's total.\n")
    if summary.hidden_points <= 0:
        return ("Your instructor also grades hidden cases with other inputs and sizes: "
                "passing the public ones is necessary, not sufficient.\n" + bonus)
    whole = summary.public_points - summary.bonus_public + summary.hidden_points
    counted = [function for function, _ in summary.verdicts if function not in summary.bonus] + list(summary.hidden_only)
    of = (f"`{counted[0]}`'s {whole:g} points" if len(counted) == 1
          else f"the {whole:g} points of {'these functions' if not summary.bonus else 'the other functions'}")
    return (f"Your instructor also grades hidden cases with other inputs and sizes, worth the other "
            f"{summary.hidden_points:g} of {of}: passing the public ones is necessary, not sufficient.\n" + bonus)


def _all_pass(summary: CheckSummary) -> str:
    """The end of the count line when nothing is to fix: "all 6 functions pass their public
    cases", or for one function (``--function``) its name ("all 1 function(s) pass" before)."""
    if summary.bonus_left:  # "all 2 functions pass" of a notebook without its bonus function
        left = ", ".join(f"`{function}`" for function in summary.bonus_left)
        one = len(summary.bonus_left) == 1
        return (f"; every function asked for passes its public cases, and {left} "
                f"({'a bonus' if one else 'bonuses'}) {'is' if one else 'are'} not written: "
                f"{'it is' if one else 'they are'} optional.\n")
    if len(summary.verdicts) == 1:
        cases = "its public case" if summary.cases_total == 1 else "its public cases"
        return f"; `{summary.verdicts[0][0]}` passes {cases}.\n"
    return f"; all {len(summary.verdicts)} functions pass their public cases.\n"


def _defined_at(location: Location, describe: Callable[[Location], str]) -> str:
    """Where a part left unimplemented is defined. The placeholder note above it counts lines from
    the top of the cell ("line 26: `cct = None`"): "defined at cell 10 (In [6]), line 3" read as
    another count, so the cell's line of the ``def`` is said as one of that same cell's lines."""
    if location.script:  # a .py file: the note's lines are the file's already
        return ""
    if location.line is None:
        return f"    defined at {describe(location)}\n"
    cell = describe(replace(location, line=None, function=None))
    if location.cell is None:  # a .py file: its lines
        return f"    `def {location.function}` is line {location.line} of the file\n"
    return f"    line numbers are those of {cell}, where `def {location.function}` is line {location.line}\n"


def _render_part(part: PartResult, write: Callable[[str], Any], width: int,
                 describe: Callable[[Location], str], line_of: Callable[[Location], str],
                 *, first: Sequence[str] = ()) -> None:
    """One function's verdict line, the notes ``first`` (which definition was graded), then what
    went wrong in each case that did not pass."""
    total = len(part.cases)
    passed = sum(c.status == PASSED for c in part.cases)
    word = verdict(part.status)
    head = f"{part.function:<{width}}{word}{bonus_mark(part)}"
    if part.status not in (PASSED, MISSING, NOT_IMPLEMENTED, NOT_ATTEMPTED):  # partial credit, as the grade says it
        head += (f"  ({passed} of {total} public case{'s' if total != 1 else ''}, "
                 f"{part.points:g} of {part.max_points:g} points)")
    write(head + "\n")
    for note in first:
        write(_indent(f"note: {note}", "    ") + "\n")
    if part.status in (MISSING, NOT_IMPLEMENTED, NOT_ATTEMPTED):  # a bonus left out: not a failure
        message = part.cases[0].message if part.cases else (part.notes[0] if part.notes else "")
        if message:
            write(_indent(message, "    ") + "\n")
        if part.status == NOT_IMPLEMENTED and part.location is not None:
            write(_defined_at(part.location, describe))
        return
    for case in part.cases:
        if case.status == PASSED:
            continue
        write(f"  - case \"{case.name}\": {verdict(case.status)}\n")
        failed_checks = [c for c in case.checks if not c.passed and c.message]
        if failed_checks:
            for check in failed_checks:
                write(_indent(check.message, "      ") + "\n")
        elif case.message == CASE_GRADER_FAILED:  # the batch's sentence ("will grade it again")
            write("      The kit lacks the expected values of this case: not your code's fault. Tell "
                  "your instructor, who will hand out the kit again.\n")
        elif case.message:
            write(_indent(_without_place(case, describe), "      ") + "\n")
        if case.diagnosis is not None:
            write(_indent(f"likely mistake: {case.diagnosis.message}", "      ") + "\n")
        if case.location is not None:
            if not (case.status == TIMEOUT and describe(case.location) in case.message):
                # a timeout's message says where the code was running: "at" said it again
                write(f"      at {describe(case.location)}\n")
            code = line_of(case.location).strip()
            if code:
                write(f"      >   {code}\n")
        elif case.status == ERROR and part.location is not None and case.message in part.notes:
            # A def that does not parse or compile: the message says its cell and line, and the
            # part's location is that line; its code was not shown (a notebook saved by VS Code
            # or Colab has no prompt to find the cell by).
            code = line_of(part.location).strip()
            if code:
                write(f"      >   {code}\n")
        if case.output.strip():
            write(_printed(case.output))
    said = {case.message for case in part.cases if case.status != PASSED}
    for note in part.notes:
        if note not in said:  # a syntax error is both the case's message and the part's note
            write(_indent(f"note: {note}", "    ") + "\n")


#: How many of the lines a case printed ``--check`` shows, and how much of each.
PRINTED_LINES, PRINTED_LINE_CHARS = 5, 100


def _printed(output: str) -> str:
    """The ``printed:`` line under a case: its first `PRINTED_LINES` lines, each cut at
    `PRINTED_LINE_CHARS` characters. A function that printed one line of 10 MB showed the 64 kB
    the sandbox keeps of it, on one line, and the verdicts above it scrolled out of the
    terminal (thirty-fourth session, as a student); the batch's feedback shows 2,000 characters.
    Several lines are shown one under the other, as printed: joined by " | " on one line, a printed
    array's rows wrapped into a wall of numbers (thirty-seventh session, as a student)."""
    shown = [line.rstrip() for line in output.strip("\n").splitlines()]
    cut = [line if len(line) <= PRINTED_LINE_CHARS else
           f"{line[:PRINTED_LINE_CHARS]}... ({len(line) - PRINTED_LINE_CHARS:,} more characters)"
           for line in shown[:PRINTED_LINES]]
    if len(shown) == 1:
        return f"      printed: {cut[0].strip()}\n"
    more = f"        (+{len(shown) - PRINTED_LINES} more lines)\n" if len(shown) > PRINTED_LINES else ""
    return "      printed:\n" + "".join(f"        {line}\n" for line in cut) + more


def _without_place(case: CaseResult, describe: Callable[[Location], str] = _describe_default) -> str:
    """An error's message without the place the runner wrote after the student's exception
    ("Raised KeyError: 'Wu' (cell 10, line 7, in f). ..."): the check says the place on the next
    line in its own words (``describe``: "In [7], line 7" in Jupyter) and quotes the line's code,
    and said it twice. The last occurrence is the runner's (an exception's message, before it,
    is the student's text); a crash's message has no such place. In Jupyter the message already
    says the place in ``describe``'s words (``live._in_jupyter_words``), which is looked for
    first: ``check()`` said the place twice until the thirty-sixth session."""
    if case.status != ERROR or case.location is None:
        return case.message
    for said in dict.fromkeys((describe(case.location), case.location.describe())):
        head, place, tail = case.message.rpartition(f" ({said})")
        if place:
            return head + tail
    return case.message


def with_fixed_sizes(result: SubmissionResult, rubric: Any, *, source_of: Callable[[PartResult], str],
                     place: Callable[[Location], str]) -> SubmissionResult:
    """``result`` with a note under each function that writes one of its public cases' sizes as a
    number where a size goes (:func:`grader.fixedsizes.fixed_sizes`): its public case passes, every
    hidden case with other sizes fails, and nothing the check printed said so. ``source_of`` gives
    the source a part's function is defined in (a cell, a file; "" when unknown), its lines
    numbered as ``place`` (a ``Location``'s cell, as the check names it, with ", ") counts them."""
    from grader.fixedsizes import example_sizes, fixed_sizes

    parts = []
    for part in result.parts:
        source = source_of(part) if part.location is not None and part.status not in (MISSING, NOT_IMPLEMENTED) else ""
        found = fixed_sizes(source, part.function, sizes=example_sizes(rubric, part.function)) if source else ()
        if not found:
            parts.append(part)
            continue
        said = "; ".join(f"{place(part.location) if k == 0 else ''}line {f.line}: `{f.code}`"
                         for k, f in enumerate(found))
        numbers = ", ".join(dict.fromkeys(str(n) for f in found for n in f.numbers))
        note = (f"`{part.function}` writes sizes as numbers ({numbers}), those of the public case: {said}. "
                f"A hidden case has other sizes and fails there: take every size from the arguments' "
                f"shapes (`.shape`).")
        parts.append(replace(part, notes=part.notes + (note,)))
    return replace(result, parts=tuple(parts))


def _cell_source(notebook: Any) -> Callable[[PartResult], str]:
    """``source_of`` for :func:`with_fixed_sizes` of a read notebook: the cell a part's function is
    defined in (a ``.py`` file is one cell)."""
    cells = {cell.index: cell for cell in notebook.cells}

    def source_of(part: PartResult) -> str:
        """The source of the cell of ``part``'s definition ("" when unknown)."""
        where = part.location
        cell = cells.get(where.cell) if where.cell is not None else (
            notebook.cells[0] if len(notebook.cells) == 1 else None)
        return cell.source if cell is not None else ""

    return source_of


def _cell_place(location: Location) -> str:
    """``"cell 7 (In [4]), "``: the cell of ``location`` as ``--check`` names cells ("" for a file)."""
    from grader.models import cell_words

    return f"{cell_words(location.cell, location.prompt)}, " if location.cell is not None and not location.script else ""


def _cells_line_of(notebook: Any) -> Callable[[Location], str]:
    """``line_of`` for a read notebook (:class:`grader.notebook.Notebook`): the text of a cell's line,
    from the very version that was graded (:func:`_read_once`)."""
    cells = {cell.index: cell for cell in notebook.cells}

    def line_of(location: Location) -> str:
        """The code of the cell line at ``location`` ("" when unknown)."""
        cell = cells.get(location.cell) if location.cell is not None and location.line is not None else None
        if cell is None:
            return ""
        lines = cell.source.splitlines()
        return lines[location.line - 1] if 0 < location.line <= len(lines) else ""

    return line_of


#: A notebook being saved while it is read: how many reads at most, and the pause between two.
_READS = 4
_READ_PAUSE = 0.25
#: A file whose last change is more recent than this many seconds may still be being written.
_JUST_SAVED = 3.0


def _stamp(path: Path) -> tuple[int, int, int]:
    """What changes when a file is written, in place or replaced: inode, size, modification time."""
    status = path.stat()
    return status.st_ino, status.st_size, status.st_mtime_ns


def _read_once(notebook: Path, folder: Path) -> tuple[Path, Any]:
    """``notebook`` read once, copied into ``folder`` under its own name, and parsed: the copy (what
    is graded) and its :class:`grader.notebook.Notebook` (what lines are quoted from).

    Jupyter saves the open notebook every two minutes and at each Ctrl-S. The check read the file
    three times (to say whether it is readable, to grade it, to quote a line of it), so a save
    during a check quoted a line of another version than the one graded, under the graded line's
    number; and a read in the middle of an in-place save (an editor that truncates, then writes)
    said "not JSON (truncated at byte ...)". A read that does not parse, of a file that changed
    during the read or was saved in the last seconds, is made again after a pause (up to 0.75 s);
    a file that changed meanwhile and never parsed says so. A missing file, a folder or a file too big is read as it is, for its message.
    Raises :class:`grader.notebook.SubmissionError` naming ``notebook``.
    """
    from grader.files import read_bytes
    from grader.notebook import DEFAULT_MAX_BYTES, SubmissionError, load

    copy = folder / notebook.name
    stamps: set[tuple[int, int, int]] = set()
    for attempt in range(_READS):
        try:
            if not notebook.is_file() or notebook.stat().st_size > DEFAULT_MAX_BYTES:
                return notebook, load(notebook)
            before = _stamp(notebook)
            copy.write_bytes(read_bytes(notebook, limit=DEFAULT_MAX_BYTES))
            stamps |= {before, _stamp(notebook)}
        except OSError:  # gone or unreadable meanwhile: the reader's own words
            return notebook, load(notebook)
        try:
            return copy, load(copy)
        except SubmissionError as exc:
            changed = len(stamps) > 1  # during a read, or between two
            if attempt == _READS - 1 or not (changed or time.time() - before[2] / 1e9 < _JUST_SAVED):
                said = str(exc).replace(str(copy), str(notebook))
                if changed:
                    said += "; it changed while it was read (Jupyter saving it?): run the check again in a moment"
                raise SubmissionError(said, about=exc.about) from None
        time.sleep(_READ_PAUSE)
    raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises


@contextmanager
def _quiet_capability_warning() -> Iterator[None]:
    """Silence the sandbox's 'not enforced' warning: on a laptop the code checked is the student's own."""
    logger = logging.getLogger("grader.sandbox")

    def drop(record: logging.LogRecord) -> bool:
        """False for the capability warning, True for anything else."""
        return not (record.levelno == logging.WARNING and "NOT enforced" in record.getMessage())

    logger.addFilter(drop)
    try:
        yield
    finally:
        logger.removeFilter(drop)


@contextmanager
def _sandbox_started(rubric: Path) -> Iterator[Callable[[], Any]]:
    """``grader.sandbox.started_in_thread`` for a ``Sandbox`` hiding ``rubric``'s fixtures, its
    capability warning silenced."""
    from grader.sandbox import Sandbox, started_in_thread

    # degraded_ok: on macOS the sandbox keeps what is portable (the student's own code, on the
    # student's own machine: isolation there guards the student's files from mistakes, not a grade).
    with _quiet_capability_warning(), \
            started_in_thread(Sandbox, protected_paths=_protected_paths(rubric), degraded_ok=True) as started:
        yield started


def _protected_paths(rubric: Path) -> list[Path]:
    """What a root sandbox hides from the student's code: the fixtures, and the reference if present."""
    rubric_dir = Path(rubric).resolve().parent
    paths = [rubric_dir]
    solution = Path(__file__).resolve().parent.parent / "solution"
    if solution.is_dir():
        paths.append(solution)
    return paths


def _unfenced(capabilities: Any) -> str:
    """The line that ends a check whose functions could reach the student's files, else "". Without
    root, Landlock is what keeps the separate process from reading and writing the user's files;
    where the kernel lacks it (Linux before 5.13, a kernel built without it) or on macOS, the check
    ran the code with the student's own rights and said nothing of it."""
    return "" if capabilities.landlock_abi or capabilities.mount_namespace else UNFENCED


#: What ends a check on a system that cannot fence the functions' process off from the user's files.
UNFENCED = ("\nNote: your functions ran in a separate process, but this system cannot fence it off "
            "from your files (no Landlock: an older Linux kernel, or macOS): like the notebook in "
            "Jupyter, they could read and change what you can.\n")


def unsupported_system() -> str | None:
    """Why the self-check cannot run on this system, None when it can. It runs the notebook's
    functions in child processes forked from a server process over Unix sockets, with Unix
    resource limits: Linux and macOS have all of it, Windows none (``os.fork`` is the test)."""
    import importlib.util
    import os
    import socket

    missing = [name for name, present in (
        ("os.fork", hasattr(os, "fork")), ("Unix sockets", hasattr(socket, "AF_UNIX")),
        ("the resource module", _importable(importlib.util, "resource")),
        ("the fcntl module", _importable(importlib.util, "fcntl"))) if not present]
    if not missing:
        return None
    return (f"it needs Linux or macOS, as it runs your functions in separate processes with what "
            f"this system lacks ({', '.join(missing)}). On Windows, run it inside WSL "
            f"(Windows Subsystem for Linux: `wsl --install`, then python3 grade.py --check there), "
            f"or call check() in your notebook (from grader import check; check()), which needs no "
            f"separate process.")


#: What the self-check imports beyond the standard library: (module, what pip installs).
REQUIREMENTS = (("numpy", "numpy"), ("yaml", "pyyaml"))


def missing_requirements() -> str | None:
    """What this Python lacks of :data:`REQUIREMENTS` and how to install it, None when nothing:
    said before anything imports them, instead of a ``ModuleNotFoundError`` traceback. A module
    that is there but cannot be imported (a broken install, a folder this user cannot read) is
    said as such, with the import error's last line: "does not have" would be untrue of it."""
    import sys

    problems = [(pip, _import_problem(module)) for module, pip in REQUIREMENTS]
    missing = [pip for pip, problem in problems if problem == ABSENT]
    broken = [f"{pip} is installed but could not be imported ({problem})"
              for pip, problem in problems if problem not in (None, ABSENT)]
    if not missing and not broken:
        return None
    python = quoted(sys.executable or "python3")
    lacks = f"does not have {' and '.join(missing)}" if missing else ""
    said = (f"this Python ({python}) {lacks}" if not broken else
            f"in this Python ({python}), {'; '.join(broken)}" + (f"; and it {lacks}" if missing else ""))
    old = pip_too_old()
    upgrade = f"    {python} -m pip install --upgrade pip\n" if old else ""
    return (f"{said}, which the check needs. "
            f"{'Reinstall' if broken else 'Install'} {'them' if len(missing) + len(broken) > 1 else 'it'} "
            f"with:\n{upgrade}    {python} -m pip install {'--force-reinstall ' if broken else ''}"
            f"{' '.join(pip for _, pip in REQUIREMENTS)}\n"
            + (f"(pip first: this Python's pip, {old}, does not take NumPy's ready-made packages and would "
               f"build NumPy from its source, which needs a C compiler.)\n" if old else "")
            + "and run the check again.")


#: The oldest pip that installs NumPy's current wheels (tagged ``manylinux_2_28``, PEP 600): an older
#: one takes the source archive and builds NumPy, which fails where there is no C compiler
#: ("Unable to get gcc pre-processor defines", pip 19.2.3 on Python 3.10, thirty-eighth session).
OLDEST_PIP = (20, 3)


def pip_too_old() -> str | None:
    """This Python's pip version ("19.2.3") when it is older than :data:`OLDEST_PIP`, else None
    (a pip that is current, absent or unreadable)."""
    from importlib import metadata

    try:
        version = metadata.version("pip")
    except Exception:  # noqa: BLE001 - no pip, or metadata unreadable: nothing to say of it
        return None
    numbers = tuple(int(part) for part in re.findall(r"\d+", version)[:2])
    return version if len(numbers) == 2 and numbers < OLDEST_PIP else None


#: What :func:`_import_problem` says of a module that is not installed at all.
ABSENT = "absent"


def _import_problem(module: str) -> str | None:
    """Why ``module`` cannot be imported here: :data:`ABSENT` when it is not installed, else the
    import error's last line; None when it imports. A folder of that name whose files this user
    cannot read imports as an empty namespace package: that is said too."""
    import importlib

    try:
        imported = importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name == module:
            return ABSENT
        return _last_line(f"{type(exc).__name__}: {exc}")
    except Exception as exc:  # noqa: BLE001 - whatever a broken install raises is what is said
        return _last_line(f"{type(exc).__name__}: {exc}")
    if getattr(imported, "__file__", None) is None:  # a namespace package: no readable __init__.py
        folders = list(getattr(imported, "__path__", []))
        return f"its folder {folders[0] if folders else module} holds no file this user can read"
    return None


def _zygote_import_error(detail: str) -> str | None:
    """What to tell the student when the separate process that runs their functions (the
    sandbox's zygote: this Python started isolated, ``-I``) failed to import NumPy, the one module
    it needs beyond the standard library, None for any other failure of that process. Its
    ``detail`` ends with the process's own traceback, whose last line is the import error."""
    last = _last_line(detail)
    if not last.startswith(("ModuleNotFoundError:", "ImportError:")):
        return None
    return ("numpy could not be imported in the separate process that runs your functions "
            f"({last}). That process runs this Python isolated ({python_command()} -I): it ignores "
            "PYTHONPATH and the packages of `pip install --user`, so numpy must be installed in "
            "this Python itself or in a virtual environment, as below. This is not a problem in "
            "your code.")


def _last_line(text: str) -> str:
    """The last non-blank line of ``text`` (an error's, or a traceback's), stripped."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else text.strip()


def _own_environment(notebook: Path) -> str:
    """The lines that follow :func:`missing_requirements` in a terminal: where pip is missing or
    refuses (Debian's and Ubuntu's own Python say "externally-managed-environment", a shared
    machine gives no administrator rights), the virtual environment README.md describes, as
    commands to copy with this ``grade.py`` and this notebook in them. The sentence used to send
    the student to "docs/students.md", a file of the instructors' repository that no kit holds."""
    import sys

    python = quoted(sys.executable or "python3")
    env = "~/rnn-check/bin/python3"
    return (f"If pip is missing or refuses (\"externally-managed-environment\", no administrator "
            f"rights), make a virtual environment of your own and check with its Python:\n"
            f"    {python} -m venv ~/rnn-check\n"
            f"    {env} -m pip install --upgrade pip\n"
            f"    {env} -m pip install {' '.join(pip for _, pip in REQUIREMENTS)}\n"
            f"    {env} {quoted(shown_path(GRADE_PY))} --check "
            f"{quoted(str(notebook))}\n"
            f"(README.md, beside grade.py, says what to do where venv is not available.)\n")


def check_command() -> str:
    """The command that runs this check again, as a command to copy: ``python3 grade.py --check``
    from the kit's folder with the ``python3`` of the PATH, else this Python's path and this
    ``grade.py``'s (:func:`grader.copycommands.grade_command`). A student who checks with a virtual
    environment's Python (``~/rnn-check/bin/python3 grade.py --check``, as README.md says) was told
    to type ``python3 grade.py --check``, whose Python has no NumPy (thirty-fifth session, as a student)."""
    return f"{grade_command()} --check"


def notebook_left_out() -> str:
    """What ``grade.py`` (the kit's, and the instructors' after ``--check``) says when no notebook is
    given: the command to copy."""
    return f"give your notebook: {check_command()} NOTEBOOK"


def _importable(util: Any, name: str) -> bool:
    """Whether module ``name`` can be imported here (``util`` is importlib.util)."""
    try:
        return util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def _unreadable(notebook: Path, problem: str) -> str:
    """What ``--check`` prints for a notebook it cannot read: the path once, the problem, and
    what to do about a file that is there but damaged (not for one that is missing)."""
    for prefix in (f"{notebook}: ", f"{notebook.name}: "):  # the reader names the file too
        problem = problem.removeprefix(prefix)
    if notebook.is_dir():
        return f"Self-check cannot read {notebook}: {_folder_given(notebook)}\n"
    if not notebook.exists() and not notebook.is_symlink():
        return f"Self-check cannot read {notebook}: {_no_such_file(notebook)}\n"
    zipped = _zip_given(notebook) if notebook.is_file() else None
    if zipped is not None:
        return f"Self-check cannot read {notebook}: {zipped}\n"
    text = f"Self-check cannot read {notebook}: {problem}\n"
    if notebook.is_file():
        text += ("  Is it the notebook you will submit? Open it in Jupyter, save it (File > Save), "
                 "and run the check on the saved .ipynb file.\n")
    return text


def _zip_given(path: Path) -> str | None:
    """What to say when ``--check`` is given a zip (the ``work.zip`` a student is about to upload,
    which a class run unpacks and grades the notebook of), or None for a file that is no zip: the
    notebooks it holds and the commands that unpack it and check one, with Python's own unzip (WSL
    may have no ``unzip``). It said "binary file, not a notebook (contains NUL bytes)" and to save
    the notebook again from Jupyter (thirty-fourth session, as a student)."""
    import zipfile

    try:
        if not zipfile.is_zipfile(path):
            return None
        with zipfile.ZipFile(path) as archive:
            names = [n for n in archive.namelist() if n.endswith(".ipynb") and "__MACOSX/" not in n
                     and ".ipynb_checkpoints/" not in n]
    except (OSError, zipfile.BadZipFile, ValueError):
        return None
    if not names:
        return "it is a zip archive, and it holds no notebook (.ipynb)."
    folder = path.with_suffix("") if path.suffix else path.with_name(path.name + "-unzipped")
    shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
    return (f"it is a zip archive, not a notebook; it holds {shown}. Unzip it and check the notebook: "
            f"{python_command()} -m zipfile -e {quoted(str(path))} {quoted(str(folder))} "
            f"&& {check_command()} {quoted(str(folder / names[0]))}")


def _folder_given(folder: Path) -> str:
    """What to say when ``--check`` is given a folder (``--check .``): that it wants the notebook
    file, with the notebooks the folder holds (a few, by name; a folder's .py files are more
    often modules than submissions); the reader's "cannot read (Is a directory)" did not say
    what to type instead. The command is quoted for the shell: Jupyter names a copy
    "Assignment 4 (1).ipynb", which typed as shown split into words at its spaces and stopped
    the shell at its parenthesis."""
    text = "it is a folder; give the notebook file itself"
    found = _notebooks_in(folder)
    if not found and not folder.is_absolute():  # `--check .` in the kit's folder: the notebooks are above
        above = _notebooks_in(folder / "..")
        if above:
            return (text + f" (no notebook, .ipynb, is in {_folder_words(folder)}; the folder above holds "
                    f"{_listed(above)}), for example: {check_command()} {quoted(os.path.join('..', above[0]))}.")
    if not found:
        return text + f" (no notebook, .ipynb, is in {_folder_words(folder)})."
    return (text + f", for example: {check_command()} {quoted(str(folder / found[0]))}"
            f" (the folder holds {_listed(found)}).")


def _notebooks_in(folder: Path) -> list[str]:
    """The names of the ``.ipynb`` files of ``folder``, sorted ([] when it cannot be listed)."""
    try:
        return sorted(p.name for p in folder.iterdir() if p.suffix == ".ipynb" and p.is_file())
    except OSError:
        return []


def _listed(names: Sequence[str]) -> str:
    """A few of ``names``, each quoted for the shell where it has spaces, and how many more."""
    return ", ".join(quoted(name) for name in names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")


def _folder_words(folder: Path) -> str:
    """``folder`` as said after "in": "the folder you are in" for ``.``, else its path."""
    return "the folder you are in" if str(folder) in ("", ".") else str(folder)


def _no_such_file(notebook: Path) -> str:
    """What to say of a notebook path where nothing is: the reader's "cannot read (No such file or
    directory)" came after "Self-check cannot read", the same words twice, and no hint. The
    notebooks of its folder are named (a few), since a misspelt name or a Jupyter copy
    ("... (1).ipynb") is the usual cause."""
    meant = _as_meant(str(notebook))
    if meant is not None:
        why, path = meant
        if path.is_file():
            return f"No such file: {why}. Check it with: {check_command()} {quoted(str(path))}"
        return f"No such file: {why}, and {path} is not a file either. Check the path."
    folder = notebook.parent
    # a name given alone: its folder is "."; "in .." read as a typo of the message (thirty-eighth session)
    where = "here" if str(folder) in ("", ".") else "in the folder above" if str(folder) == ".." else f"in {folder}"
    try:
        found = sorted(p.name for p in folder.iterdir() if p.suffix == ".ipynb" and p.is_file())
    except OSError:
        return "No such file or folder. Check the path."
    above = _in_the_folder_above(notebook)
    if above is not None and _is_file(above):
        return (f"No such file {where}, but the folder above has one of that name. Check it with: "
                f"{check_command()} {quoted(str(above))}")
    meant = _closest_name(notebook.name, found)
    if meant is not None:
        return (f"No such file {where}; the notebook {quoted(meant)} is. Check it with: "
                f"{check_command()} {quoted(str(notebook.with_name(meant)))}")
    near = _closest_name(notebook.name, _notebooks_in(above.parent)) if above is not None else None
    if near is not None:  # a typo made from inside the kit's folder, of the notebook beside the kit
        return (f"No such file {where}; the folder above has the notebook {quoted(near)}. Check it with: "
                f"{check_command()} {quoted(str(above.with_name(near)))}")
    if not found:
        return f"No such file, and no notebook (.ipynb) is {where}. Check the path."
    return f"No such file. Check the name: the notebooks {where} are {_listed(found)}."


def _in_the_folder_above(notebook: Path) -> Path | None:
    """``../NAME`` for a relative ``NAME`` (None for an absolute one or one already above), where a
    student in the kit's folder (as its README says to be) may have meant the notebook beside the kit:
    they were told "no notebook (.ipynb) is here. Check the path" (thirty-eighth session, as a student),
    for the exact name and for a typo of it."""
    if notebook.is_absolute() or notebook.parts[:1] == ("..",):
        return None
    return Path("..") / notebook


def _is_file(path: Path) -> bool:
    """``path.is_file()``, False where it cannot be asked (a folder one may not read)."""
    try:
        return path.is_file()
    except OSError:
        return False


def _closest_name(name: str, found: Sequence[str]) -> str | None:
    """The one of ``found`` that ``name`` meant: the same letters in another Unicode form (macOS
    writes "é" as "e" and an accent: the name looks the same and is not), or in other cases, else
    the one close name (``difflib``), else None. A notebook named with spaces and accents,
    typed in its other form, was told "No such file" beside a list holding a name that looked
    identical (thirty-eighth session, as a student)."""
    import difflib
    import unicodedata

    def key(text: str) -> str:
        return unicodedata.normalize("NFC", text).casefold()

    same = [other for other in found if key(other) == key(name)]
    if len(same) == 1:
        return same[0]
    close = difflib.get_close_matches(key(name), [key(other) for other in found], n=2, cutoff=0.75)
    if len(close) != 1:
        return None
    return next(other for other in found if key(other) == close[0])


#: Where WSL shows Windows' drives (``C:`` is ``/mnt/c``).
WINDOWS_DRIVES = Path("/mnt")


def _as_meant(given: str) -> tuple[str, Path] | None:
    """What a path that names nothing probably meant, and why, or None. Students on Windows check
    in WSL (``--check`` needs a Unix) and copy the notebook's path from Windows' Explorer
    (``C:\\Users\\ana\\rnn.ipynb``: in WSL ``/mnt/c/Users/ana/rnn.ipynb``) or type Windows'
    separator (``.\\rnn.ipynb``); a quoted ``"~/rnn.ipynb"`` is not expanded by the shell. All were
    told "no such file" and the notebooks of a folder that was not theirs."""
    import os
    import re

    drive = re.match(r"([A-Za-z]):[\\/]", given)
    if drive:
        letter = drive.group(1).lower()
        rest = given[3:].replace("\\", "/")
        return (f"it is a Windows path, and in WSL Windows' {letter.upper()}: drive is {WINDOWS_DRIVES / letter}",
                WINDOWS_DRIVES / letter / rest)
    if "\\" in given and not Path(given).exists():
        return ("Linux and macOS separate folders with / (\\ is Windows' separator)",
                Path(os.path.expanduser(given.replace("\\", "/"))))
    if given.startswith("~"):
        return ("~ is your home folder only where the shell expands it (not inside quotes)",
                Path(os.path.expanduser(given)))
    return None


def run_check(notebook: Path, *, rubric: Path, stream: TextIO, function: str | None = None) -> int:
    """Grade ``notebook`` on the public cases of ``rubric`` and print one verdict per function.

    Returns :data:`EXIT_PASSED` (0) only when every public case passes,
    :data:`EXIT_FAILED` (1) otherwise, :data:`EXIT_UNUSABLE` (2) when the
    notebook, the rubric or the public fixtures cannot be read or ``function``
    has no public case, and when the grader itself raises (:data:`CHECKER_FAILED`,
    then the traceback for the instructor).  Works without root (the sandbox
    degrades), on macOS (likewise), without TensorFlow, and imports neither
    matplotlib nor nbconvert; on a system without ``os.fork`` (Windows) it says
    what to use instead and returns :data:`EXIT_UNUSABLE`.
    """
    with warnings.catch_warnings():
        # This process runs none of the student's code (the separate one does): a warning here is
        # the grader's own business, and was printed above the verdicts as if it were theirs
        # (NumPy before 1.24 warns of the ragged sequences the checks probe, "VisibleDeprecationWarning:
        # Creating an ndarray from ragged nested sequences", at each check of a notebook with a mistake).
        warnings.simplefilter("ignore")
        return _run_check(notebook, rubric=rubric, stream=stream, function=function)


def _run_check(notebook: Path, *, rubric: Path, stream: TextIO, function: str | None) -> int:
    """:func:`run_check`'s work."""
    unsupported = unsupported_system()
    if unsupported is not None:
        stream.write(f"Self-check cannot run on this system: {unsupported}\n")
        return EXIT_UNUSABLE
    lacking = missing_requirements()
    if lacking is not None:
        stream.write(f"Self-check cannot run: {lacking}\n{_own_environment(Path(notebook))}")
        return EXIT_UNUSABLE
    from grader.sandbox import SandboxError

    notebook = Path(notebook)
    try:
        # The sandbox's zygote boots (0.2-0.3 s) while the rest of the grader is imported and
        # the rubric, the public fixtures and the notebook are read.
        with _sandbox_started(Path(rubric)) as started, \
                tempfile.TemporaryDirectory(prefix="selfcheck-") as folder:
            try:
                context = load_public_context(Path(rubric), function=function)
            except SelfCheckError as exc:
                stream.write(f"Self-check cannot run: {exc}\n")
                return EXIT_UNUSABLE
            from grader.notebook import SubmissionError

            try:  # an unreadable notebook is said before any of its code runs
                graded, cells = _read_once(notebook, Path(folder))
            except SubmissionError as exc:
                stream.write(_unreadable(notebook, str(exc)))
                return EXIT_UNUSABLE
            from grader.runner import grade_submission

            result = grade_submission(graded, context=checked(context), sandbox=started(),
                                      submission_id=notebook.stem)
            result = with_fixed_sizes(result, context.rubric, source_of=_cell_source(cells), place=_cell_place)
            unfenced = _unfenced(started().capabilities)
    except SandboxError as exc:
        not_imported = _zygote_import_error(str(exc))
        if not_imported is not None:
            stream.write(f"Self-check cannot run: {not_imported}\n{_own_environment(notebook)}")
            return EXIT_UNUSABLE
        # "the sandbox" is the grader's word: the student is told what failed in the course's
        # words, that it is not their code, and whom to send the detail (for the instructor) to.
        stream.write("Self-check cannot run: the separate process that runs your functions could not start "
                     "on this machine. This is not a problem in your code: send this message to your "
                     f"instructor.\n    detail: {exc}\n")
        return EXIT_UNUSABLE
    except BrokenPipeError:  # the reader of the output stopped (| head): not the checker's failure
        raise
    except Exception:  # noqa: BLE001 - a bug of the checker's, said as such (not the student's)
        stream.write(checker_failed_text())
        return EXIT_UNUSABLE
    if result.status == "unreadable":
        message = result.messages[0] if result.messages else "cannot read the notebook"
        stream.write(_unreadable(notebook, message))
        return EXIT_UNUSABLE
    title = (f"Self-check of {notebook.name}: public cases of {context.rubric.title} "
             f"({_functions_words(context.rubric)})"
             f"{kit_version_words(Path(rubric), context.rubric)}\n")
    try:
        summary = render(result, stream=stream, line_of=_cells_line_of(cells), title=title,
                         withheld=withheld_points(context.rubric))
        stream.write(unfenced + _outputs_note(cells.cells, script=cells.script) + _name_note(notebook)
                     + (_unchecked_note(cells.cells, context.rubric, script=cells.script) if function is None else ""))
    except BrokenPipeError:
        raise
    except Exception:  # noqa: BLE001 - likewise
        stream.write(checker_failed_text())
        return EXIT_UNUSABLE
    return EXIT_PASSED if summary.ok else EXIT_FAILED


#: The file that marks a student kit's folder (``grader.kit.MARKER``; kit.py is not in a kit).
_KIT_MARKER = ".student-kit"


def _functions_words(rubric: Any) -> str:
    """``"6 functions"`` checked, or ``"5 functions; 1 graded on hidden cases only"``: the title's count."""
    public = len(rubric.with_cases().parts)
    hidden = len(rubric.parts) - public
    return (f"{public} function{'s' if public != 1 else ''}"
            + (f"; {hidden} graded on hidden cases only" if hidden else ""))


def kit_version_words(rubric: Path, public: Any) -> str:
    """``", kit version 1a2b3c4d5e6f (grader 9f8e7d6c5b4a)"`` when ``rubric`` is a student kit's (its
    folder's parent holds the kit's marker), from the files the check read
    (``grader.fixtures.public_version``) and the kit's grader, which its ``grade.py`` runs
    (``grader.files.package_version``), so a TA can ask which kit a student ran; "" elsewhere or when
    they cannot be read. The header of ``--check`` and of ``check()`` in Jupyter (which named none
    until the thirty-sixth session)."""
    from grader.files import package_version
    from grader.fixtures import fixture_path, public_version

    kit = rubric.resolve().parent.parent
    if not (kit / _KIT_MARKER).is_file():
        return ""
    try:
        return (f", kit version {public_version(rubric.read_bytes(), fixture_path(public, 'public').read_bytes())} "
                f"(grader {package_version(kit / 'grader')})")
    except OSError:
        return ""


#: A call that trains a model (Keras' ``model.fit(...)``): its results are read from the outputs.
_TRAINS_RE = re.compile(r"\.fit\s*\(")


def _outputs_note(cells: Sequence[Any], *, script: bool = False) -> str:
    """The note ending the report of a notebook whose cells that train a model hold no output, or
    "". The check runs the functions and needs no output, but a class run reads the bonus's test
    accuracy from the outputs saved in the notebook: one saved without them (VS Code's "Clear All
    Outputs", a notebook never run in the session it was saved from) lost those points with no
    word from the check (thirty-fourth session, as a student)."""
    from grader.models import cell_words

    training = [c for c in cells if c.kind == "code" and not c.outputs and _TRAINS_RE.search(c.source)]
    if not training or any(c.outputs for c in cells if c.kind == "code" and _TRAINS_RE.search(c.source)):
        return ""
    if script:  # a .py file holds no output at all: there was no "cell 1" to run and save
        line = next(k for k, text in enumerate(training[0].source.splitlines(), 1) if _TRAINS_RE.search(text))
        return (f"\nNote: a .py file holds no outputs, and this one trains a model (line {line}): your instructor "
                f"reads training results, such as the bonus's test accuracy, from the outputs saved in a notebook, "
                f"and a result no output shows earns no points. If you did the bonus, submit the notebook (.ipynb) "
                f"saved with its outputs.\n")
    named = [cell_words(c.index, c.prompt) for c in training]
    which = named[0] if len(named) == 1 else ", ".join(named[:-1]) + " and " + named[-1]
    subject, verb, them = (("the cell that trains a model", "holds", "it") if len(named) == 1 else
                           ("the cells that train a model", "hold", "them"))
    return (f"\nNote: {subject} ({which}) {verb} no output (not run, or saved without outputs): your "
            f"instructor reads training results, such as the bonus's test accuracy, from the outputs saved in "
            f"the notebook, and a result no output shows earns no points. Run {them} and save the notebook with "
            f"the outputs before you submit it.\n")


def _unchecked_note(cells: Sequence[Any], rubric: Any, *, script: bool = False) -> str:
    """The note ending the report of a notebook that marks a function ``# GRADED FUNCTION: name``
    which the kit's rubric does not grade, or "". A kit handed out before the assignment gained a
    function checks the functions it knows and says "all 6 functions pass" of a notebook whose
    seventh is wrong (thirty-seventh session, as a student with an old kit and a newer notebook).
    Said without alarm: a kit of a quiz on some of the notebook's functions has the same note."""
    from grader.cellscan import graded_markers
    from grader.models import cell_words

    graded = {part.function for part in rubric.parts} | {part.name for part in rubric.parts}
    marked: dict[str, Any] = {}
    for cell in cells:
        if cell.kind == "code" and "raded" in cell.source.lower():
            for name in graded_markers(cell.source):
                if name not in graded:
                    marked.setdefault(name, cell)
    if not marked:
        return ""
    named = ", ".join(f"`{name}`" + ("" if script else f" ({cell_words(cell.index, cell.prompt)})")
                      for name, cell in marked.items())
    one = len(marked) == 1
    return (f"\nNote: the notebook marks {named} as {'a graded function' if one else 'graded functions'}, and this "
            f"kit does not check {'it' if one else 'them'}: if you are not sure {'it is' if one else 'they are'} "
            f"graded, ask your instructor (a kit older than the assignment checks fewer functions; the first "
            f"line names this one's version).\n")


def _name_note(notebook: Path) -> str:
    """The note ending the report of a notebook whose name a class run would not take for one
    (``rnn.ipynb.txt`` from a browser's download, ``rnn.IPYNB``, ``rnn.json``), or "". The check
    reads a notebook by its content and said "all 6 functions pass" of such a file, which a class
    run then graded 0, "the submission holds no notebook" (thirty-fourth session, as a student)."""
    from grader.notebook import SUBMISSION_SUFFIXES

    name = notebook.name
    if notebook.suffix in SUBMISSION_SUFFIXES:
        return ""
    low = name.lower()
    meant = (name[:-3] + ".py" if low.endswith(".py") else
             name[:low.index(".ipynb")] + ".ipynb" if ".ipynb" in low else
             (notebook.stem if notebook.suffix else name) + ".ipynb")
    return (f"\nNote: this file is named {name}, and your instructor's grader takes only a notebook whose name "
            f"ends in .ipynb (or a .py file): handed in under this name, it would be found to hold no notebook "
            f"and score 0. Rename it {meant} before you submit it.\n")


#: What ``--check`` says before the traceback of an exception inside the grader.
CHECKER_FAILED = ("Self-check failed because of a problem in the checker, not in your code. "
                  "Please send the lines below to your instructor.")


def checker_failed_text() -> str:
    """:data:`CHECKER_FAILED`, then the traceback of the exception being handled (the lines for
    the instructor), with characters a terminal would act on written out (``\\x1b``)."""
    import traceback

    from grader.files import visible_text

    detail = traceback.format_exc().rstrip("\n")
    shown = "\n".join(visible_text(line, tabs=True) for line in detail.split("\n"))
    return f"\n{CHECKER_FAILED}\n\n{shown}\n"
