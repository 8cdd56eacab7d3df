"""Each graded submission's feedback.html and answer key, written by the grading process after its
worker wrote the rest (and the worker-side steps before and after a submission's files)."""
from __future__ import annotations

import collections
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Mapping, Sequence

from grader.classfiles import SOURCES_FILE
from grader.similaritystage import write_sources

if TYPE_CHECKING:  # the records' module comes with the rest, after the zygotes are started
    from grader.models import SubmissionResult


def finisher(*, names: Sequence[str] = ()) -> Callable:
    """The worker-side step after a submission's files are written: the functions' sources
    (for the similarity check). Neither feedback.html nor the key: the grading process
    writes both (``FeedbackPages``)."""
    from grader.batch import log_problem

    def finish(submission, result: SubmissionResult, folder: Path, key: str | None) -> None:
        if names and not submission.problem:
            try:
                write_sources(folder, result, names, key=key, path=Path(submission.path))
            except OSError as exc:  # the similarity check extracts it again
                log_problem(folder, f"{SOURCES_FILE} not written: {exc}")

    return finish


def _write_page_and_key(result: SubmissionResult, *, notebook_path: Path, folder: Path,
                        key: str | None, batch: Any, feedback_html: bool,
                        files: Mapping[str, list] | None = None) -> None:
    """The last steps of a submission: its feedback.html (a failure is logged in its folder,
    the grade stands), then its key, which vouches for every file of the folder (so none
    when the page could not be written for the machine's sake, a full disk: the next run
    grades the submission again and writes it; a renderer's bug would only fail again). ``files``:
    ``{name: [size, sha256]}`` of the files the worker wrote (``grader.batch.Done.files``),
    which the key takes as they are, with the page's, instead of reading them back."""
    from grader.batch import log_problem
    from grader.incremental import write_key

    written = dict(files or {})
    page_written = retry = False
    if feedback_html:
        try:
            from grader.feedback_html import write_feedback_html
        except ImportError as exc:
            log_problem(folder, f"feedback.html not written: grader.feedback_html is not "
                                f"available ({exc})")
        else:
            try:
                write_feedback_html(result, notebook_path=notebook_path,
                                    out_path=folder / "feedback.html", digests=written)
                page_written = True
            except OSError:  # a full disk, a folder made read-only: the next run tries again
                import traceback
                log_problem(folder, "feedback.html not written:\n" + traceback.format_exc(limit=8))
                retry = True
            except Exception:  # noqa: BLE001 - logged; the grade stands without the HTML
                import traceback
                log_problem(folder, "feedback.html not written:\n" + traceback.format_exc(limit=8))
    if not page_written:  # not wanted, or it failed: an earlier run's page shows an earlier
        # grading (another version of the notebook), and the key must not vouch for it
        (folder / "feedback.html").unlink(missing_ok=True)
    # A harness failure is our bug, and a page the disk had no room for leaves the folder
    # incomplete: neither is remembered, so the next run tries again.
    from grader.models import HARNESS

    if key is not None and result.status != HARNESS and not retry:
        try:
            write_key(folder, key, batch=batch, written=written, pages=feedback_html)
        except Exception:  # noqa: BLE001 - logged; without its key the submission is graded again
            import traceback
            log_problem(folder, traceback.format_exc(limit=8))


def _build_feedback_renderer() -> None:
    """Build ``feedback.html``'s renderer (its markdown parser, the sanitiser's import) before
    the first page; a failure is left to the page itself (logged per submission)."""
    try:
        from grader.feedback_html import default_renderer

        default_renderer()
    except Exception:  # noqa: BLE001 - an optimisation only
        pass


class FeedbackPages:
    """feedback.html and then the key of each graded submission, written by the grading process.

    The grading process is idle while the workers grade, so the pages are rendered here: the
    renderer (0.2 s of CPU; 0.8-1.1 s while it imported nbconvert) is built in a thread
    started after the workers are forked, instead of before the fork with nothing else
    running, and the first results come that much sooner; one renderer's memo of cells also
    serves the whole class. Results wait in a queue (each is dropped once its page is written) and their pages
    are written one at a time while no worker waits for this process (``write_one``, the
    pool's ``on_idle``): the few dozen that arrive before the renderer is ready are not
    written in one go while the workers run out of submissions. A folder whose page is not
    yet written has no key, so a run killed meanwhile grades it again.
    """

    #: Results left waiting at most once the renderer is ready (``add`` writes the oldest beyond).
    MAX_QUEUED = 32

    def __init__(self, *, batch: Any, feedback_html: bool) -> None:
        """Nothing queued; ``start`` builds the renderer."""
        self._batch = batch
        self._feedback_html = feedback_html
        self._queue: collections.deque[tuple] = collections.deque()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start building the renderer in a thread (if pages are wanted and it is not started).
        A class run starts it at the first result: earlier, it would take CPU from the
        sandboxes' boot (and the interpreter's lock from the finding and hashing of the
        submissions), on which the first result waits; it is not needed before then."""
        if self._feedback_html and self._thread is None:
            self._thread = threading.Thread(target=_build_feedback_renderer,
                                            name="feedback-renderer", daemon=True)
            self._thread.start()

    def ready(self) -> bool:
        """True once the renderer is built (or none is needed): no thread of ours is running."""
        return self._thread is None or not self._thread.is_alive()

    def wait(self) -> None:
        """Wait until the renderer is built (before a fork: no thread may hold a lock then)."""
        if self._thread is not None:
            self._thread.join()

    def add(self, result: SubmissionResult, *, notebook_path: Path, folder: Path,
            key: str | None, files: Mapping[str, list] | None = None,
            then: Callable[[], None] | None = None) -> None:
        """Queue ``result``'s page and key (``files``: see ``_write_page_and_key``) for
        ``write_one`` or ``flush``; once the renderer is ready, write the oldest beyond
        ``MAX_QUEUED``. ``then`` is called once they are written (or failed): the
        student's unpacked zips are removed then, the page having read the notebook."""
        self._queue.append((result, notebook_path, folder, key, files, then))
        while len(self._queue) > self.MAX_QUEUED and self.ready():
            self._write(self._queue.popleft())

    def write_one(self) -> bool:
        """Write the oldest queued page and key if the renderer is ready; whether more are
        queued then (False while the renderer is being built: nothing can be written yet)."""
        if not self._queue or not self.ready():
            return False
        self._write(self._queue.popleft())
        return bool(self._queue)

    def flush(self) -> None:
        """Wait for the renderer, then write every queued page and key, in order."""
        self.start()
        self.wait()
        while self._queue:
            self._write(self._queue.popleft())

    def _write(self, queued: tuple) -> None:
        """The page and key of one queued result."""
        result, notebook_path, folder, key, files, then = queued
        try:
            _write_page_and_key(result, notebook_path=notebook_path, folder=folder, key=key,
                                batch=self._batch, feedback_html=self._feedback_html, files=files)
        finally:
            if then is not None:
                then()


def prepare_folder(out_dir: Path) -> Callable:
    """The worker-side step before a submission's files are rewritten: forget its old key."""
    from grader.incremental import clear_key

    def prepare(submission) -> None:
        folder = Path(out_dir) / submission.id
        clear_key(folder)
        # Temporary files of an atomic write cut short by a kill -9 of an earlier run.
        for stale in folder.glob(".*.tmp"):
            stale.unlink(missing_ok=True)
    return prepare
