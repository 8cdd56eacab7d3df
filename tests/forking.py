"""Limits for the tests whose children fork (the sweeps, a forked copy of the runtime): a child is
one process unless its limits say otherwise (``Limits.may_fork``, thirty-first session)."""
from __future__ import annotations

import dataclasses

from grader.sandbox import Limits, Sandbox


def forking(sandbox: Sandbox) -> Limits:
    """``sandbox``'s limits with forks allowed."""
    return dataclasses.replace(sandbox.limits, may_fork=True)
