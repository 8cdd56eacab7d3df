"""Fixtures shared by the test modules: the default rubric's grading context and a sandbox
with the default limits, each made once per module, and Python's default recursion limit (a module that needs other limits or
the public context defines its own fixture of the same name, which takes precedence)."""
from __future__ import annotations

import sys

import pytest

from grader.classfiles import DEFAULT_RUBRIC
from grader.commands import load_context
from grader.sandbox import Sandbox


@pytest.fixture(scope="module")
def context():
    """The grading context of ``rubrics/rnn.yaml`` (public and hidden cases)."""
    return load_context(DEFAULT_RUBRIC)


@pytest.fixture(scope="module")
def sandbox():
    """A started sandbox with the default limits, closed after the module."""
    with Sandbox() as box:
        yield box


@pytest.fixture
def default_recursion_limit():
    """Python's default recursion limit (1,000) during the test, as a grading worker runs with:
    importing IPython, as earlier tests of the suite do, raises it to 3,000, and how deep the
    grader's recursive walks get before they give up depends on it."""
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(1000)
    try:
        yield
    finally:
        sys.setrecursionlimit(limit)
