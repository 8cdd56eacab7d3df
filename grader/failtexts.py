"""What a student is told of a call that returned no value to compare, and of a notebook the grader
could not read: an error at its line (with a NumPy typo or a legacy alias named), a time limit, a
crash, an answer over the wire's bounds; placeholders left in; what is said once for several
cases. Sentences only: the runner (:mod:`grader.runner`) decides when each is said."""
from __future__ import annotations

import bisect
import functools
import re
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

from grader import checks
from grader.copycommands import module_command, quoted
from grader.models import HARNESS, MISSING, NOT_IMPLEMENTED, CaseResult, PartResult, Rubric, SubmissionResult
from grader.notes import bounded_result


# NumPy 1.24 removed its aliases of Python's own types (np.float is float, ...): code written for
# the NumPy of the course's years ran with them, and they meant the builtins. The program the
# sandbox runs reads them as the builtins (see legacy_aliases_replaced); the lines stay put.
_LEGACY_ALIAS = re.compile(r"(?<![\w.])(?:np|numpy)\.(float|int|bool|object|complex|str)\b")
_LEGACY_HINTS = tuple(f"{module}.{name}" for module in ("np", "numpy")
                      for name in ("float", "int", "bool", "object", "complex", "str"))


#: Names a function reads and never computes that its notes tell together: an unfinished function
#: (a real notebook's lstm_cell_forward with its gates left out got seven notes, one a name).
UNSET_TOGETHER = 3


#: What a student is told to do about a file the grader could not read, by what was wrong with it
#: (``grader.notebook.SubmissionError.about``). Said after the reason, in the student's feedback.
_NOT_READ = "What to do: every part shows 0 because the file could not be read, not because of your code. "
_UNREADABLE_ADVICE = {
    "damaged": (_NOT_READ + "Check that the file you submitted is the notebook you worked on (.ipynb) "
                "and that it opens in Jupyter with your work in it; save it there (File > Save) and "
                "submit the saved file again. If it does not open, it was damaged when it was saved, "
                "copied or uploaded: the copy Jupyter keeps in the .ipynb_checkpoints folder beside it "
                "may be whole."),
    "damaged.py": (_NOT_READ + "Check that the file you submitted is the one you worked on and that "
                   "an editor opens it with your code in it; save it there as UTF-8 text and submit "
                   "it again."),
    "too_big": ("What to do: every part shows 0 because the file is over the size the grader reads, "
                "not because of your code. Outputs (printed arrays, images, training logs) make a "
                "notebook this big: in Jupyter, clear them (Edit > Clear All Outputs), save (File > "
                "Save) and submit the saved file again."),
    "grader_side": ("What to do: ask your instructor to grade it again. The grader could not open "
                    "the file on its side, which says nothing about your notebook."),
}


def timeout_text(function: str, seconds: float, own: Sequence[str] = (), *, place: str = "",
                 one_call: bool = False) -> str:
    """What a call that did not return in time says; ``own``: the student's functions it ran with
    (a composite's first call uses the student's own dependencies). "Look for a loop that never
    ends" alone sent a student whose code was only far too slow, or whose slow helper made the
    composite late, to look for a loop that was not there. ``place``: where the call was when it
    was stopped (``_running_place``), said first when known (thirty-fourth session); one sentence
    for the batch's feedback, the self-check and ``check()``. ``one_call``: nothing of the student's
    repeats at that place (``runner._in_no_loop``): the time went in one call made there (a power
    of a huge matrix, a sleep), and no loop is to be looked for (thirty-fifth session)."""
    if place and one_call:
        return (f"`{function}` did not return within {seconds:g} s. When the time ran out it was running {place}, "
                "which no loop of yours repeats: one call made on that line took the time. Check what that line "
                "computes and the sizes or counts it gives NumPy (a correct solution takes milliseconds here).")
    if place:
        return (f"`{function}` did not return within {seconds:g} s. When the time ran out it was running {place}: "
                "look there for a loop that never ends, or for code far slower than it needs to be (a correct "
                "solution takes milliseconds here).")
    where = ("in it or in the functions of yours it calls (" + ", ".join(f"`{name}`" for name in own) + ")"
             if own else "in it")
    return (f"`{function}` did not return within {seconds:g} s: look for a loop that never ends {where}, "
            "or for code far slower than it needs to be (a correct solution takes milliseconds here).")


def budget_text(session: Any) -> str:
    """What a case not run for want of time says: the words "total time budget" alone told a
    student neither how much time a notebook gets nor what used it."""
    limits = getattr(session, "limits", None)
    seconds = f"the {limits.submission_timeout:g} s" if limits is not None else "the time"
    return (f"Not run: the calls before it used up {seconds} the grader gives one notebook in all "
            "(its time budget). Code that is very slow or waits (sleep, input, a loop that never "
            "ends) used it: make that code faster and this case runs.")


def bad_output_text(outcome: Any) -> str:
    """What a case whose answer could not be taken says. A value that is not plain data is the
    student's to change; an answer the protocol refused (``ProtocolError``) is either one far too
    large (a shape gone wrong) or bytes written into, or a close of, the grader's own pipe:
    "the program interfered with the grader's channel" named neither in a student's words."""
    if outcome.error_type != "ProtocolError":
        # "not arrays, ... lists or dicts" contradicted a list that holds itself (s29's real notebooks)
        return ("Returned something the grader cannot take (arrays, numbers, tuples, lists and dicts "
                f"holding only those): {outcome.message}")
    from grader.conversation import ANSWER_TOO_LARGE
    from grader.sandbox import CHANNEL_INTERFERED

    message = outcome.message or ""
    if ANSWER_TOO_LARGE in message:
        return ("Returned more data than the grader takes from one call: check the shapes of the "
                "arrays it returns (one is likely far larger than the expected output's).")
    # The detail whole (a WireError's own text may hold ": ", which rsplit cut off)
    detail = message.removeprefix(CHANNEL_INTERFERED)
    return ("Its answer could not be read: code in the notebook wrote into, or closed, the pipe the "
            "grader reads answers from (a file descriptor it did not open itself). Leave file "
            f"descriptors you did not open alone. (What the grader saw: {detail}.)")


def unreadable_advice(about: str, path: str | Path) -> str:
    """What to tell the student whose file at ``path`` could not be read for reason ``about``
    (``SubmissionError.about``): the reason alone ("not JSON (truncated at byte 2793)") said
    what, not what to do, and every part's cases listed "missing" as if no function were there."""
    if about == "damaged" and str(path).lower().endswith(".py"):
        about = "damaged.py"
    return _UNREADABLE_ADVICE.get(about, _UNREADABLE_ADVICE["damaged"])


def unreadable_result(rubric: Rubric, *, submission_id: str, path: str, message: str,
                      status: str = "unreadable", advice: str = "") -> SubmissionResult:
    """A zero-score result for a submission that could not be graded at all; ``advice`` (what
    the student can do about it, ``unreadable_advice``) follows ``message`` among its messages."""
    parts = []
    for part in rubric.parts:
        cases = tuple(CaseResult(case_id=c.id, name=c.name, visibility=c.visibility,
                                 status=MISSING if status == "unreadable" else HARNESS,
                                 points=0.0, max_points=c.points, message=message)
                      for c in part.cases)
        parts.append(PartResult(part.name, part.function, cases[0].status if cases else MISSING,
                                0.0, part.max_points, cases, bonus=part.bonus))
    # The message can quote the file (a folder's name, what discovery found): bounded as every note.
    return bounded_result(SubmissionResult(submission_id=submission_id, path=path, status=status, points=0.0,
                                           max_points=rubric.max_points, parts=tuple(parts),
                                           messages=(message, advice) if advice else (message,)))


#: How a note about a name a function reads from outside begins, in the extraction's messages and
#: in the part's notes alike ("`rnn_cell_forward` uses `Wya`").
USES_HEAD = re.compile(r"`[^`]+` uses `[^`]+`")
#: How ``unset_note`` begins, its names in group 2 ("`f` uses `a`, `b` and `c`, which no line").
_UNSET_HEAD = re.compile(r"`([^`]+)` uses ((?:`[^`]+`(?:, | and ))*`[^`]+`)( and [\d,]+ more)?, which no line")
#: What extraction's note says of a name a function reads and does not assign (``extractnotes.free_message``).
_NOT_INSIDE = "`, which is not defined inside the function"


def helper_input() -> Any:
    """The one array a student's own course helper is called on (``_Grader._own_helpers_run``):
    columns and rows that differ, so that a sum over the wrong axis shows."""
    return checks.np.array([[-1.0, 2.0], [0.5, 0.0], [3.0, -2.0]])
#: What extraction's note says of a name nothing in the notebook assigns (``extractnotes.free_message``):
#: the part's own note says as much, with what to do; and the hint that may follow it.
NOWHERE = "so it will raise NameError"
STAR_HINT = re.compile(r"\(unless it comes from `from [^`]+ import \*`\)")


def not_said_again(messages: Sequence[str], parts: Sequence[PartResult]) -> list[str]:
    """``messages`` but those about a name a graded function reads from outside that its part's
    notes say already, with what to do ("read it from `parameters`", "fix that" of a definition
    with an error): every report showed it twice, at the top ("... will raise NameError") and
    under the function, and the case's NameError a third time."""
    said = {head.group(0) for part in parts for note in part.notes if (head := USES_HEAD.match(note))}
    said |= {f"`{told.group(1)}` uses `{name}`" for part in parts for note in part.notes
             if (told := _UNSET_HEAD.match(note)) for name in re.findall(r"`([^`]+)`", told.group(2))}
    # past the names the note shows ("and 1,991 more"): every name extraction says is not defined inside
    counted = {told.group(1) for part in parts for note in part.notes
               if (told := _UNSET_HEAD.match(note)) and told.group(3)}
    # A function left as the template's blank reads the names it was to compute (`dxt`, `dWax` ...
    # below an empty START CODE HERE): its part says "not implemented yet", and a real notebook's
    # top showed ten notes that each "will raise NameError".
    blank = {part.function for part in parts if part.status == NOT_IMPLEMENTED}
    if not said and not counted and not blank:
        return list(messages)
    return [m for m in messages if not ((head := USES_HEAD.match(m)) and head.group(0) in said)
            and not (m.split("`", 2)[1:2] and m.split("`", 2)[1] in counted and _NOT_INSIDE in m)
            and not (m.split("`", 2)[1:2] and m.split("`", 2)[1] in blank and _NOT_INSIDE in m and NOWHERE in m)]


def lost_cases(rubric: Rubric, fixtures: Mapping[str, Any], parts: Sequence[PartResult]) -> str:
    """What the instructor reads of the cases the grader could not grade for want of a fixture
    (the student reads ``CASE_GRADER_FAILED``): one line per case, with its id and name and how
    to regenerate the fixtures; "" when there is none. It says what the rubric's digest holds, not
    the case's line: a result is kept while the digest stays, and a comment added above the case
    moved the "rubric line 75" of a kept result onto another line (thirty-eighth session)."""
    if all(case.status != HARNESS for part in parts for case in part.cases):
        return ""
    names = {case.id: case.name for case in rubric.cases}
    return "\n".join(
        f"No fixture for case {case.case_id} (named {names[case.case_id]!r} in the rubric): regenerate the "
        f"fixtures: {module_command('grader.regenerate')} {quoted(str(rubric.path))}"
        for part in parts for case in part.cases
        if case.status == HARNESS and case.case_id in names and case.case_id not in fixtures)


def placeholder_warning(diagnostic: Any, extraction: Any) -> bool:
    """Whether ``diagnostic`` is the extraction's "`f` is not implemented yet" about a function
    whose template placeholders are left (``FunctionSource.placeholder``)."""
    fn = extraction.functions.get(diagnostic.function)
    return (fn is not None and fn.placeholder and diagnostic.severity == "warning"
            and diagnostic.message.startswith(f"`{fn.name}` is not implemented yet"))


def crash_text(function: str, outcome: Any) -> str:
    """What a student reads of a process that died: the sandbox's sentence ("the program ended its
    process (exit status 3)", "the process died with signal SIGSEGV"), and for an exit what to
    do. The kind used to stand before the sentence, which read "stopped: Exit the program ended
    its process" and "stopped: SIGSEGV the process died with signal SIGSEGV"."""
    said = str(outcome.message or "").strip().rstrip(".") or f"it crashed ({outcome.error_type or 'no reason given'})"
    text = f"The process running `{function}` stopped: {said}."
    if outcome.error_type == "Exit":
        text += " A graded function must return its result: take out the call that ends the program (`os._exit`)."
    return text


def error_text(outcome: Any) -> str:
    """``"ValueError: message"``: an outcome's exception as the student reads it (its type once,
    whether or not the child's message starts with it). Trailing blanks go: NumPy ends its
    broadcast error with a space, which stood before the place ("(3,10)  (cell 4, ...")."""
    message = outcome.message.rstrip()
    if message.startswith(outcome.error_type):
        return message
    return f"{outcome.error_type}: {message}".rstrip(": ")


def unset_note(function: str, names: Sequence[str]) -> str:
    """The one note of the names ``function`` reads and no line of it computes (its gates left
    out, say), the first of them named and the rest counted."""
    shown = [f"`{name}`" for name in names[:UNSET_TOGETHER * 3]]
    more = len(names) - len(shown)
    listed = (", ".join(shown[:-1]) + f" and {shown[-1]}" if not more
              else ", ".join(shown) + f" and {more:,} more")
    return (f"`{function}` uses {listed}, which no line of it computes (a graded function runs on its own: "
            f"what other cells set is not there when it is graded). Write the lines that compute them inside "
            f"the function.")


def line_hint(hint: Callable[..., str], *args: Any, **keywords: Any) -> str:
    """``hint(*args)`` (the outcome or its error, and the student's line), or "" when the student's
    line is too deep for Python to parse or
    write back (``ast.unparse``): RecursionError or MemoryError, which a line of 1,500 nested
    ``-`` (or, inside a string, 10,000 ``+``) raises and which stopped the grading of the
    submission. A hint is an extra, never a reason not to grade."""
    try:
        return hint(*args, **keywords)
    except (RecursionError, MemoryError):
        return ""


def numpy_typo(name: str) -> str:
    """``"np.zeros"`` for ``np_zeros`` (an underscore typed for the dot) when NumPy has that
    function or attribute; "" otherwise. NumPy's names are looked up in its listing, not with
    ``getattr``: the student's word must not make this process import a submodule (``np_f2py``)."""
    module, underscore, attribute = name.partition("_")
    if not underscore or module not in ("np", "numpy") or not attribute.isidentifier() \
            or attribute.startswith("_") or attribute not in _numpy_listing():
        return ""
    return f"{module}.{attribute}"


def legacy_aliases_replaced(source: str) -> tuple[str, tuple[str, ...]]:
    """``(source, names)``: ``source`` with ``np.float``, ``np.int``, ``np.bool``, ``np.object``,
    ``np.complex`` and ``np.str`` (also spelt ``numpy.``) written as the builtins they were
    aliases of, and the names replaced as the source spells them (``"np.float"``,
    ``"numpy.int"``), in order of first use; ``(source, ())`` when it has none.
    Nothing but those words changes, so every line keeps its number; comments and string
    literals (not f-strings, whose fields are code) are left as they are: a word there is no
    use of NumPy, and the student is not told it was replaced. A name the installed NumPy has is
    left alone: NumPy 2.0 brought ``np.bool`` back, as its own boolean type, not Python's."""
    if not any(hint in source for hint in _LEGACY_HINTS):  # most programs: 12 substring scans
        return source, ()
    inert = _comment_and_string_spans(source)  # in order, not overlapping
    inert_starts = [start for start, _end in inert]
    present = _numpy_listing()  # NumPy 2 has ``bool`` again
    found: dict[str, None] = {}

    def builtin(match: re.Match) -> str:
        k = bisect.bisect_right(inert_starts, match.start()) - 1  # the last span starting at or before it
        if match.group(1) in present or (k >= 0 and match.start() < inert[k][1]):
            return match.group(0)
        found[match.group(0)] = None
        return match.group(1)

    replaced = _LEGACY_ALIAS.sub(builtin, source)
    return replaced, tuple(found)


@functools.lru_cache(maxsize=1)
def _numpy_listing() -> frozenset[str]:
    """``dir(numpy)``, read once (60 us a call: a function may use thousands of names)."""
    import numpy

    return frozenset(dir(numpy))


def _comment_and_string_spans(source: str) -> list[tuple[int, int]]:
    """``[(start, end)]`` character offsets in ``source`` of its comments and of its string
    literals other than f-strings; ``[]`` when it does not tokenize (then nothing is exempt)."""
    import io
    import tokenize

    starts = [0]
    for line in source.split("\n"):
        starts.append(starts[-1] + len(line) + 1)
    spans = []
    try:
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type == tokenize.COMMENT or (
                    token.type == tokenize.STRING and "f" not in token.string.split("'")[0].split('"')[0].lower()):
                spans.append((starts[token.start[0] - 1] + token.start[1], starts[token.end[0] - 1] + token.end[1]))
    except (tokenize.TokenError, SyntaxError):
        return []
    return spans
