"""How a class was graded, remembered in its output folder (``OUT/grading-options.json``).

``--roster``, ``--adjust`` and ``--excel`` shape ``grades.csv`` and the upload files, and
``--template``, ``--known`` and ``--no-similarity`` the similarity check, but are part of no key,
so a later run given none of them (a regrade of one notebook, a late submission added) wrote a
gradebook without the roster's students and without the points by hand, and a similarity.csv
that flagged the starter code's lines as shared. A class run records the options it graded
with; a later run into the folder that does not name an option takes it from there, and one that
names it (``--roster OTHER.csv``, ``--no-roster``, ``--similarity``) records that instead.
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
class ClassOptions:
    """The options of a class run that are remembered: the roster and adjustments files, the
    starter notebook and the known solutions (absolute paths, or None), whether ``grades.csv``
    has Excel's byte-order mark and whether the similarity check runs."""

    roster: Path | None = None
    adjust: Path | None = None
    excel: bool = False
    template: Path | None = None
    known: Path | None = None
    similarity: bool = True

    def flags(self) -> list[tuple[str, str]]:
        """The options that differ from a run given none, as a command line gives them, each with
        the option that drops it: (``--roster /x/class.csv``, ``--no-roster``), (``--no-similarity``,
        ``--similarity``)."""
        given = [(f"--{name} {path}", f"--no-{name}") for name, path in
                 (("roster", self.roster), ("adjust", self.adjust), ("template", self.template),
                  ("known", self.known)) if path is not None]
        given += [("--excel", "--no-excel")] if self.excel else []
        return given + ([("--no-similarity", "--similarity")] if not self.similarity else [])


_PATHS = ("roster", "adjust", "template", "known")
_DEFAULTS = {"template": None, "known": None, "similarity": True}  # not in the files of the first grader


def remembered(out_dir: Path) -> ClassOptions | None:
    """The options an earlier run into ``out_dir`` recorded, None when none did. Raises
    ``OptionsError`` for a file that cannot be read as one this module writes."""
    path = Path(out_dir) / OPTIONS_FILE
    try:
        data = json.loads(read_bytes(path, limit=_MAX_BYTES, follow_links=False))
    except (FileNotFoundError, NotADirectoryError):  # no earlier run; an --out that is a file is told later
        return None
    except (OSError, ValueError) as exc:
        raise OptionsError(f"{path}: the options of the class's earlier runs cannot be read ({exc}): "
                           f"delete it and give {_ALL} as the class needs them") from None
    if isinstance(data, dict):  # a file of the grader that remembered only the gradebook's options
        data = {**_DEFAULTS, **data}
    if not (isinstance(data, dict) and all(isinstance(data.get(k), (str, type(None))) for k in _PATHS)
            and isinstance(data.get("excel"), bool) and isinstance(data.get("similarity"), bool)):
        raise OptionsError(f"{path}: not the options this grader writes: delete it and give {_ALL} "
                           f"as the class needs them")
    return ClassOptions(**{k: Path(data[k]) if data[k] else None for k in _PATHS},
                        excel=data["excel"], similarity=data["similarity"])


_ALL = "--roster, --adjust, --excel, --template, --known and --no-similarity"


#: What a remembered file that moved leaves out, said with the option that drops it.
_WITHOUT = {"roster": "to write the gradebook without it", "adjust": "to write the gradebook without it",
            "template": "to check similarity without it", "known": "to check similarity without them"}


def resolve(out_dir: Path, **given: Path | bool | None) -> tuple[ClassOptions, ClassOptions]:
    """The options this run grades with, and those of them taken from the folder.

    ``given``: each of ``ClassOptions``'s fields as ``grader.commands.grade_class`` takes it: a
    value given is used (``False``: none, ``--no-roster``); ``None`` takes the folder's remembered
    value. A remembered file that is no longer there (the known solutions: a folder, a zip or a
    notebook) raises ``OptionsError`` saying which option to give."""
    earlier = remembered(out_dir) or ClassOptions()
    blank = ClassOptions(excel=False, similarity=True)
    taken = ClassOptions(**{name: getattr(earlier if given.get(name) is None else blank, name)
                            for name in (*_PATHS, "excel", "similarity")})
    # The similarity check's files are read only by a run that checks: a remembered --template
    # that moved stopped a run given --no-similarity (kept for a later run with the check).
    checks = taken.similarity if given.get("similarity") is None else bool(given["similarity"])
    for flag in _PATHS if checks else ("roster", "adjust"):
        path = getattr(taken, flag)
        if path is not None and not (path.exists() if flag == "known" else path.is_file()):
            raise OptionsError(
                f"the class in {out_dir} was graded with --{flag} {path} (remembered in "
                f"{Path(out_dir) / OPTIONS_FILE}), which is no longer there: give --{flag} "
                f"{'DIR' if flag == 'known' else 'FILE'}, its new place, or --no-{flag} {_WITHOUT[flag]}")
    used = ClassOptions(
        **{name: getattr(taken, name) if given.get(name) is None
           else (_absolute(given[name]) if given[name] else None) for name in _PATHS},
        **{name: getattr(taken, name) if given.get(name) is None else bool(given[name])
           for name in ("excel", "similarity")})
    return used, taken


def remember(out_dir: Path, options: ClassOptions) -> None:
    """Record ``options`` in ``out_dir`` for the next run into it."""
    data = {**{name: str(getattr(options, name)) if getattr(options, name) else None for name in _PATHS},
            "excel": options.excel, "similarity": options.similarity}
    write_atomic(Path(out_dir) / OPTIONS_FILE, json.dumps(data, indent=1) + "\n")


def _absolute(path: Path | bool) -> Path:
    """``path`` as given on the command line, made absolute: the next run may start elsewhere."""
    return Path(os.path.abspath(path))
