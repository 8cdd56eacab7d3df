"""What a class run counts of each result as it comes in: the class report's tally, the gradebook,
and which notebook a submission holding several had graded (``ClassBooks``)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Mapping

from grader.choice import ONE_OF_SEVERAL, chosen
from grader.discover import NONE_GRADED
from grader.report import Gradebook

if TYPE_CHECKING:
    from grader.models import SubmissionResult


class ClassBooks:
    """The class report's tally and the gradebook of one class run, and what the results say of
    submissions holding several notebooks.

    The tally and the gradebook are made at the first call of ``books``: once the workers have
    their first submissions (``WorkerPool.run``'s ``on_started``), unless results kept from an
    earlier run need them before (``absorb``). ``by_id``: the run's submissions by id.
    """

    def __init__(self, rubric: Any, *, by_id: Mapping[str, Any]) -> None:
        self._rubric = rubric
        self._by_id = by_id
        self._books: tuple = ()
        #: "id (what was graded, what not)" for the run's summary (``ClassSummary.one_of_several``).
        self.one_of_several: list[str] = []
        #: Submissions holding several notebooks, as their workers graded them (``choice.chosen``):
        #: the similarity check reads the notebook graded.
        self.graded_ones: dict[str, Any] = {}
        #: Several notebooks, none graded: no score to upload.
        self.unchosen: list[str] = []

    def books(self) -> tuple:
        """``(ClassTally, Gradebook)`` of the run, made at the first call."""
        if not self._books:
            from grader.classreport import ClassTally  # after the fork: the workers never need it

            self._books = (ClassTally(rubric=self._rubric), Gradebook(self._rubric))
        return self._books

    def absorb(self, result: SubmissionResult) -> None:
        """Count ``result`` (or its summary) in the class report and the gradebook, and note
        which of its notebooks was graded when it held several."""
        tally, book = self.books()
        tally.add(result)
        book.add(result)
        if (sub := self._by_id.get(result.submission_id)) is not None and sub.notebooks:
            self.graded_ones[sub.id] = chosen(sub, result)
        self.one_of_several.extend(f"{result.submission_id} ({m.removeprefix(ONE_OF_SEVERAL).rstrip('.')})"
                                   for m in result.messages if m.startswith(ONE_OF_SEVERAL))
        if result.status == "unreadable" and result.messages and NONE_GRADED in result.messages[0]:
            self.unchosen.append(result.submission_id)
