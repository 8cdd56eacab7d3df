"""Finding the submissions in what an instructor hands to ``grade.py``.

A folder may hold notebooks (or ``.py`` files) directly, whose id is the file's
stem, and sub-folders holding one notebook each, whose id is the folder's name;
the other files of such a folder belong to that submission (for example an
``imdb_report.json``).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Mapping

SUBMISSION_SUFFIXES = (".ipynb", ".py")
_IGNORED_DIRS = {".ipynb_checkpoints", "__pycache__", "__MACOSX", ".git"}
_EXTRA_FILE_LIMIT = 1 * 2**20  # bytes read of each file beside a notebook


@dataclass(frozen=True)
class Submission:
    id: str
    path: Path  # the notebook or .py file; for an unusable folder, the folder itself
    extra_files: Mapping[str, Path] = field(default_factory=lambda: MappingProxyType({}))
    problem: str = ""  # set when the folder cannot be graded as it is (no or several notebooks)

    def read_extra_files(self) -> dict[str, bytes]:
        """The files beside the notebook, name -> first MiB of bytes."""
        data = {}
        for name, path in self.extra_files.items():
            try:
                with open(path, "rb") as handle:
                    data[name] = handle.read(_EXTRA_FILE_LIMIT)
            except OSError:
                continue
        return data


class DiscoveryError(Exception):
    """The path given holds no submission at all, or does not exist."""


def _visible(path: Path) -> bool:
    return not path.name.startswith(".") and path.name not in _IGNORED_DIRS


def _folder_submission(folder: Path) -> Submission:
    files = [p for p in sorted(folder.rglob("*"))
             if p.is_file() and all(_visible(part) for part in [*p.relative_to(folder).parents][:-1])
             and _visible(p)]
    notebooks = [p for p in files if p.suffix == ".ipynb"]
    if not notebooks:
        notebooks = [p for p in files if p.suffix == ".py"]
    if len(notebooks) != 1:
        names = ", ".join(p.name for p in notebooks) or "none"
        what = "no notebook" if not notebooks else f"{len(notebooks)} notebooks ({names})"
        return Submission(id=folder.name, path=folder,
                          problem=f"{folder}: the folder holds {what}; expected exactly one.")
    notebook = notebooks[0]
    extras = {str(p.relative_to(folder)): p for p in files if p != notebook}
    return Submission(id=folder.name, path=notebook, extra_files=MappingProxyType(extras))


def find_submissions(root: Path) -> list[Submission]:
    """Every submission under ``root`` (a folder, or a single notebook), sorted by id."""
    root = Path(root)
    if not root.exists():
        raise DiscoveryError(f"{root}: no such file or folder")
    if root.is_file():
        if root.suffix not in SUBMISSION_SUFFIXES:
            raise DiscoveryError(f"{root}: not a notebook (.ipynb) or Python file (.py)")
        return [Submission(id=root.stem, path=root)]
    found: dict[str, Submission] = {}
    for entry in sorted(root.iterdir()):
        if not _visible(entry):
            continue
        if entry.is_file() and entry.suffix in SUBMISSION_SUFFIXES:
            sub = Submission(id=entry.stem, path=entry)
        elif entry.is_dir():
            sub = _folder_submission(entry)
        else:
            continue
        if sub.id in found:  # e.g. alice.ipynb beside a folder alice/: keep both, apart
            sub = Submission(id=f"{sub.id}~{entry.suffix.lstrip('.') or 'folder'}", path=sub.path,
                             extra_files=sub.extra_files, problem=sub.problem)
        found[sub.id] = sub
    if not found:
        raise DiscoveryError(f"{root}: no submissions found (expected .ipynb or .py files, "
                             f"or folders holding one notebook each)")
    return [found[k] for k in sorted(found)]
