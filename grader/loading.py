"""The student's program loaded into a sandbox session (:func:`loaded_session`): a top-level
statement that raises is blanked and the rest loaded again (at most ``LOAD_RETRIES`` times), and
what stopped the load is said at its cell and line."""
from __future__ import annotations

import contextlib
import dataclasses
from types import MappingProxyType
from typing import Any, Iterator, Mapping

from grader.failtexts import error_text
from grader.models import line_words


#: How many top-level statements that raise a submission's program may lose before what is left
#: is graded as it stands: each costs a new child (see ``loaded_session``).
LOAD_RETRIES = 3


@contextlib.contextmanager
def loaded_session(sandbox: Any, program: Any, source: str, messages: list[str], *,
                    prompts: Mapping[int, int] = MappingProxyType({}),
                    script: bool = False, exported: tuple = ()) -> Iterator[tuple[Any, dict[str, str]]]:
    """A session of ``source`` (``program``'s text) whose top level has run, past up to
    ``LOAD_RETRIES`` top-level statements that raised; yields it and, per function whose
    definition was one of them, what its cases report. What went wrong goes to ``messages``.

    Python stops a program at its first statement that raises (a default argument computed
    by a call that fails, a constant read from a file that is not there), but a notebook's
    later cells would still have run, and each function deserves to be graded on its own. So
    the statement's segment is left out (its lines blanked: every other line keeps its
    number) and the rest is run in a new child. Only an exception is worked around this way:
    a load that times out, crashes or exhausts memory is graded as it stands, and so is one
    whose failing line is not a top-level statement of the program (the child reports the
    frames, so it can name any line; it can only make its own program lose a statement).
    """
    load_errors: dict[str, str] = {}
    # The program's pieces, compiled in part by extraction, stand for its text unless the text was
    # changed (`legacy_aliases_replaced`).
    pieces = getattr(program, "pieces", ()) if source == program.source else ()
    with contextlib.ExitStack() as stack:  # holds the live session; closes it on any exit
        session = stack.enter_context(sandbox.session(source, filename="<submission>", pieces=pieces))
        for attempt in range(LOAD_RETRIES + 1):
            outcome = session.load
            if outcome.status == "ok":
                break
            if outcome.status == "timeout":
                messages.append(
                    f"Running the notebook's top level (its imports, constants, class bodies and "
                    f"default arguments) {_what_stopped(outcome, session.limits)}, "
                    f"so no function could be called: look for a slow import, or a loop there.")
                break
            segment = failing_segment(outcome, program)
            text = error_text(outcome)
            where = _load_where(outcome, program, prompts=prompts, script=script, exported=exported)
            retry = outcome.status == "error" and segment is not None and attempt < LOAD_RETRIES
            messages.append(f"Running the notebook's definitions failed: {text}{where}" + (
                "; the statement was left out and the rest of the notebook run and graded without it."
                if retry else ""))
            if not retry:
                break
            if segment.function is not None:
                load_errors.setdefault(segment.function, (
                    f"`{segment.function}` could not be defined: its definition raised {text}{where}."))
            source = without_segment(source, segment)
            # The next child spends what is left of this submission's budget, not a new one.
            limits = dataclasses.replace(session.limits, submission_timeout=max(
                session.limits.submission_timeout - session.seconds_spent, 0.0))
            stack.close()
            session = stack.enter_context(sandbox.session(source, filename="<submission>", limits=limits))
        yield session, load_errors


def _what_stopped(outcome: Any, limits: Any) -> str:
    """What stopped a top level that timed out, as the load's note says it: the CPU time limit
    (the child's ``RLIMIT_CPU``: computing threads spend CPU time faster than the clock runs)
    or the wall clock of a call (``outcome.seconds``, the time it was given)."""
    if outcome.error_type == "SIGXCPU":
        return (f"used up its CPU time limit ({limits.cpu_seconds:g} s of CPU, counted across all "
                f"its threads) and was stopped")
    return f"did not finish within {outcome.seconds or limits.call_timeout:g} s"


def top_level_broken(session: Any, outcome: Any) -> str | None:
    """Where to look, when ``outcome`` is that of a call never made because ``session``'s top
    level killed its child (a timeout, a crash, an exit): at its first load, whose note is at the
    top, or when its child was started again; None for a call that ran (its child's top level
    had finished: a call that timed out or crashed before a restart's load failed ran, and is
    told as such)."""
    broken = getattr(session, "broken_load", None)
    if broken is None or not getattr(outcome, "unrun", False):
        return None
    if broken is getattr(session, "load", None):
        return " (see the note at the top)"
    return " when the program was started again, after an earlier call had ended its process"


def without_segment(source: str, segment: Any) -> str:
    """``source`` with the lines of ``segment`` (a top-level statement that raised) blanked: every
    other line keeps its number."""
    lines = source.split("\n")
    lines[segment.first - 1:segment.last] = [""] * (segment.last - segment.first + 1)
    return "\n".join(lines)


def failing_segment(outcome: Any, program: Any) -> Any:
    """The program segment (a top-level statement) in which the load ``outcome`` stopped, from
    its outermost frame in the program's top level; None when that frame is not there (cut
    off by a deep traceback) or lies outside every segment, or in code the grader added (a
    course helper: the child names the line, and may name any)."""
    frames = tuple(outcome.frames)
    if not frames or frames[0][1] != "<module>":
        return None
    line = frames[0][0]
    return next((seg for seg in program.segments
                 if seg.first <= line <= seg.last and seg.cell_index is not None), None)


def _load_where(outcome: Any, program: Any, *, prompts: Mapping[int, int], script: bool = False,
                exported: tuple = ()) -> str:
    """`` (cell C, line L)`` of the innermost frame of a load ``outcome`` in the notebook's
    own code, or ""."""
    for line, _fn in reversed(tuple(outcome.frames)):
        cell, cell_line, _ = program.locate(line)
        if cell is not None:
            return f" ({line_words(cell, cell_line, prompts.get(cell), script=script, exported=exported)})"
    return ""
