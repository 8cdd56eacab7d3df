"""A graded copy compared with a classmate who wrote the course's own code: the similarity tests'
common step (the hostile reviews' and the similarity helpers' files since the twenty-second
session each wrote it out)."""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

from grader.similaritystage import function_sources
from grader.similarity import find_similar
from grader.similarity.detect import SimilarityReport
from tests import notebooks as nbs


def flagged_against_classmate(tmp_path: Path, name: str, source: str, *,
                              function: str = "rnn_cell_forward") -> SimilarityReport:
    """``find_similar`` of submission ``name`` (its ``function`` compared as ``source``) and a
    classmate whose notebook is the course's; asserts that their pair, the only one, is flagged,
    and returns the report for what a test asserts beyond that (its score)."""
    classmate = nbs.write(tmp_path / "classmate.ipynb", nbs.course_notebook())
    # The text a class run compares (``names=[function]`` gives the same since the thirty-fourth
    # session: it took the other graded functions for helpers of ``function`` before).
    report = find_similar({name: {function: source},
                           "classmate": {function: function_sources(classmate)[function]}})
    assert [(p.a, p.b, p.flagged) for p in report.pairs] == [(name, "classmate", True)], report.pairs
    return report


def graded_copy(tmp_path: Path, name: str, cell: str, *, context, sandbox,
                function: str = "rnn_cell_forward", extra_cells: list[dict] = ()) -> tuple[Path, object, str]:
    """The course notebook with ``function``'s cell replaced by ``cell`` (and ``extra_cells`` after
    the course's), written as ``name`` and graded: asserts that ``function`` passes (the copy is what is graded) and returns the
    notebook's path, the result and the text the similarity check compares for ``function``."""
    from grader.models import PASSED
    from grader.runner import grade_submission

    path = nbs.write(tmp_path / f"{name}.ipynb", nbs.course_notebook({function: cell}, extra_cells=extra_cells))
    result = grade_submission(path, context=context, sandbox=sandbox)
    assert result.part(function).status == PASSED, result.part(function)
    return path, result, result.extra["sources"][function]


def edited_copy_flagged(tmp_path: Path, how: str, function: str, old: str, new: str, *, context,
                        sandbox, more: Sequence[str] = ()) -> SimilarityReport:
    """The course's ``function`` with ``old`` replaced by ``new`` (one edit a copier makes; ``more``:
    further pairs of old and new text, in turn), graded in full as submission ``how``
    (``graded_copy``) and compared with the classmate (``flagged_against_classmate``): asserts that it
    passes and that their pair is flagged."""
    cell = nbs.COURSE_CELLS[function]
    edits = [(old, new), *zip(more[::2], more[1::2])]
    for before, after in edits:
        assert before in cell, before
        cell = cell.replace(before, after)
    _path, _result, text = graded_copy(tmp_path, how, cell, context=context, sandbox=sandbox,
                                       function=function)
    return flagged_against_classmate(tmp_path, how, text, function=function)


def body_tokens(body: str) -> tuple[str, ...]:
    """The normalised tokens of ``body`` (indented by four) as the body of ``def f(x, y):``."""
    from grader.similarity.normalise import normalise_function

    return normalise_function("def f(x, y):\n" + body).tokens
