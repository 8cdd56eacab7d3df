"""How a class's gradebook was written, remembered in its output folder (``OUT/grading-options.json``).

``--roster``, ``--adjust`` and ``--excel`` shape ``grades.csv`` and the upload files but are part
of no key, so a later run given none of them (a regrade of one notebook, a late submission added)
wrote a gradebook without the roster's students and without the points by hand, and the students'
feedback lost those points too. A class run records the options it wrote the gradebook with; a
later run into the folder that does not name an option takes it from there, and one that names
it (``--roster OTHER.csv``, ``--no-roster``) records that instead.
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from grader.files import read_bytes, write_atomic

OPTIONS_FILE = "grading-options.json"
_MAX_BYTES = 64 * 1024  # a few paths; a file larger than that is no file this module wrote


class OptionsError(Exception):
    """The remembered options cannot be used; the message names the file and what to give."""


@dataclass(frozen=True)
class GradebookOptions:
    """The options of a class run that shape its gradebook: the roster and adjustments files
    (absolute paths, or None) and whether ``grades.csv`` has Excel's byte-order mark."""

    roster: Path | None = None
    adjust: Path | None = None
    excel: bool = False

    def flags(self) -> list[str]:
        """The options as a command line gives them (``--roster /x/class.csv``, ``--excel``)."""
        given = [f"--roster {self.roster}"] if self.roster is not None else []
        given += [f"--adjust {self.adjust}"] if self.adjust is not None else []
        return given + (["--excel"] if self.excel else [])


def remembered(out_dir: Path) -> GradebookOptions | None:
    """The options an earlier run into ``out_dir`` recorded, None when none did. Raises
    ``OptionsError`` for a file that cannot be read as one this module writes."""
    path = Path(out_dir) / OPTIONS_FILE
    try:
        data = json.loads(read_bytes(path, limit=_MAX_BYTES, follow_links=False))
    except (FileNotFoundError, NotADirectoryError):  # no earlier run; an --out that is a file is told later
        return None
    except (OSError, ValueError) as exc:
        raise OptionsError(f"{path}: the options of the class's earlier runs cannot be read ({exc}): "
                           f"delete it and give --roster, --adjust and --excel as the class needs them") from None
    if not (isinstance(data, dict) and all(isinstance(data.get(k), (str, type(None))) for k in ("roster", "adjust"))
            and isinstance(data.get("excel"), bool)):
        raise OptionsError(f"{path}: not the options this grader writes: delete it and give --roster, "
                           f"--adjust and --excel as the class needs them")
    return GradebookOptions(roster=Path(data["roster"]) if data["roster"] else None,
                            adjust=Path(data["adjust"]) if data["adjust"] else None, excel=data["excel"])


def resolve(out_dir: Path, *, roster: Path | bool | None, adjust: Path | bool | None,
            excel: bool | None) -> tuple[GradebookOptions, GradebookOptions]:
    """The options this run writes the gradebook with, and those of them taken from the folder.

    Each argument as ``grader.commands.grade_class`` takes it: a value given is used (``False``:
    none, ``--no-roster``); ``None`` takes the folder's remembered value. A remembered file that
    is no longer there raises ``OptionsError`` saying which option to give."""
    earlier = remembered(out_dir) or GradebookOptions()
    taken = GradebookOptions(roster=earlier.roster if roster is None else None,
                             adjust=earlier.adjust if adjust is None else None,
                             excel=earlier.excel if excel is None else False)
    for flag, path in (("roster", taken.roster), ("adjust", taken.adjust)):
        if path is not None and not path.is_file():
            raise OptionsError(
                f"the class in {out_dir} was graded with --{flag} {path} (remembered in "
                f"{Path(out_dir) / OPTIONS_FILE}), which is no longer there: give --{flag} FILE, its "
                f"new place, or --no-{flag} to write the gradebook without it")
    used = GradebookOptions(
        roster=taken.roster if roster is None else (_absolute(roster) if roster else None),
        adjust=taken.adjust if adjust is None else (_absolute(adjust) if adjust else None),
        excel=taken.excel if excel is None else bool(excel))
    return used, taken


def remember(out_dir: Path, options: GradebookOptions) -> None:
    """Record ``options`` in ``out_dir`` for the next run into it."""
    data = {"roster": str(options.roster) if options.roster else None,
            "adjust": str(options.adjust) if options.adjust else None, "excel": options.excel}
    write_atomic(Path(out_dir) / OPTIONS_FILE, json.dumps(data, indent=1) + "\n")


def _absolute(path: Path | bool) -> Path:
    """``path`` as given on the command line, made absolute: the next run may start elsewhere."""
    return Path(os.path.abspath(path))
