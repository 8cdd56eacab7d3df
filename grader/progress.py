"""Progress of a batch: a bar on a terminal, one plain line per submission elsewhere (CI logs).

The bar is tqdm's when tqdm is installed and the stream is a terminal; tqdm is
imported only then, so the grader runs without it.
"""
from __future__ import annotations

import os
from typing import Any, TextIO

from grader.models import GRADED


def _verdict(done: Any) -> str:
    """``alice: 85/100 in 1.20s`` (with the status when it is not a plain grade)."""
    status = "" if done.status == GRADED else f" ({done.status})"
    return f"{done.submission_id}: {done.points:g}/{done.max_points:g}{status} in {done.seconds:.2f}s"


class Progress:
    """Reports each graded submission; use as a context manager around the batch.

    ``bar``: None chooses (a bar when ``stream`` is a terminal and tqdm is
    importable), False forces plain lines, True asks for the bar (plain lines
    if tqdm is missing).
    """

    def __init__(self, total: int, *, stream: TextIO, bar: bool | None = None) -> None:
        self.total = total
        self.stream = stream
        self.count = 0
        self._bar = None
        want = bar if bar is not None else _is_terminal(stream)
        if want and total > 0:
            try:
                from tqdm import tqdm
            except ImportError:
                tqdm = None
            if tqdm is not None:
                # A terminal that reports no size (some ptys) would get an empty bar.
                width = {"dynamic_ncols": True} if _columns(stream) else {"ncols": 80, "nrows": 24}
                self._bar = tqdm(total=total, file=stream, unit="nb", desc="Grading", leave=True,
                                 **width)

    @property
    def is_bar(self) -> bool:
        """True when a progress bar is drawn (not plain lines)."""
        return self._bar is not None

    def update(self, done: Any) -> None:
        """One submission finished (``done`` is a ``grader.batch.Done``)."""
        self.count += 1
        if self._bar is None:
            self.stream.write(f"[{self.count}/{self.total}] {_verdict(done)}\n")
            self.stream.flush()
            return
        if done.status != GRADED:  # worth a line of its own above the bar
            self._bar.write(_verdict(done), file=self.stream)
        self._bar.set_postfix_str(done.submission_id[:30], refresh=False)
        self._bar.update(1)

    def note(self, text: str) -> None:
        """A message that must not be drawn over by the bar."""
        if self._bar is None:
            self.stream.write(text.rstrip("\n") + "\n")
            self.stream.flush()
        else:
            self._bar.write(text.rstrip("\n"), file=self.stream)

    def close(self) -> None:
        """Finish the bar (idempotent)."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def __enter__(self) -> "Progress":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _is_terminal(stream: TextIO) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def _columns(stream: TextIO) -> int:
    """The terminal's width, or 0 when it cannot be told."""
    try:
        return os.get_terminal_size(stream.fileno()).columns
    except (AttributeError, ValueError, OSError):  # io.UnsupportedOperation is both of the last
        return 0

