"""Grading contexts whose time limits a loaded test machine cannot reach, for tests about what a
verdict says, not about time.

check() in Jupyter (``grader.live``) stops a call after its rubric timeout of wall time (0.5 s):
unlike the sandbox, which adds a call's wait for a busy CPU to its time, a kernel cannot tell that
wait apart. On the project's 2-core machine, a test run at ``nice -n 19`` beside two busy
processes had check() time out on correct functions of a few milliseconds, and tests comparing
check()'s verdicts with the grade's failed ('timeout' != 'passed'). Each test about the verdicts
grades with a timeout that only a loop that never ends reaches; a test about time keeps its
rubric's (or picks one that still fails on what it guards).
"""
from __future__ import annotations

import dataclasses

#: Seconds per call where the test is not about time: a correct call of the course's functions
#: takes milliseconds; 60 times the rubric's 0.5 s.
UNHURRIED = 30.0


def public_context(*, timeout: float = UNHURRIED):
    """The self-check's context of the default rubric (``load_public_context``), every case's
    timeout ``timeout``."""
    from grader.classfiles import DEFAULT_RUBRIC
    from grader.selfcheck import load_public_context

    return with_timeout(load_public_context(DEFAULT_RUBRIC), timeout=timeout)


def with_timeout(context, *, timeout: float = UNHURRIED):
    """``context`` (a ``GradingContext``) with every case's timeout ``timeout``; a new memo."""
    rubric = context.rubric
    parts = tuple(dataclasses.replace(part, cases=tuple(dataclasses.replace(case, timeout=timeout)
                                                        for case in part.cases))
                  for part in rubric.parts)
    return dataclasses.replace(context, rubric=dataclasses.replace(rubric, parts=parts), memo={})


def unhurried_checks(monkeypatch, *, timeout: float = UNHURRIED) -> None:
    """check() and ``run_check`` (``--check``) during the test, every case's timeout ``timeout``:
    both load their context through ``grader.selfcheck.load_public_context``, patched here."""
    from grader import selfcheck

    load = selfcheck.load_public_context

    def unhurried(rubric, **kwargs):
        """``load_public_context``'s context, with the test's timeout."""
        return with_timeout(load(rubric, **kwargs), timeout=timeout)

    monkeypatch.setattr(selfcheck, "load_public_context", unhurried)
