"""How a class was graded, remembered in its output folder (``OUT/grading-options.json``).

``--roster``, ``--adjust`` and ``--excel`` shape ``grades.csv`` and the upload files, and
``--template``, ``--known`` and ``--no-similarity`` the similarity check, but are part of no key,
so a later run given none of them (a regrade of one notebook, a late submission added) wrote a
gradebook without the roster's students and without the points by hand, and a similarity.csv
that flagged the starter code's lines as shared. A class run records the options it graded
with; a later run into the folder that does not name an option takes it from there, and one that
names it (``--roster OTHER.csv``, ``--no-roster``, ``--similarity``) records that instead. The
SUBMISSIONS of the last class run are recorded too (``sources``): ``grade.py --out OUT`` grades
them again, and a class run that leaves out one still there is refused (``sources_left_out``).
"""
from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from grader.copycommands import grade_command, quoted
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
    #: The SUBMISSIONS of the class's last class run (absolute paths): a run of one notebook or
    #: one student's folder, a regrade, leaves them as they were.
    sources: tuple[Path, ...] = ()
    #: Notebooks graded alone into the folder since, each a row of its own (an extension's late
    #: notebook, outside ``sources``): a later class run grades them with the class.
    late: tuple[Path, ...] = ()
    #: How the results the folder holds were graded: the sandbox of each kind of run that graded
    #: some (``SandboxCapabilities.describe``: without root, what is NOT enforced), for report.html.
    sandboxes: tuple[str, ...] = ()
    #: Of ``late``, those graded alone in place of a submission of ``sources`` (a late resubmission),
    #: each with that submission's digest (its bytes, ``classsources.bytes_digest``): while the
    #: sources hold it unchanged, a class run grades the late one in its place.
    late_over: tuple[tuple[Path, str], ...] = ()

    def flags(self) -> list[tuple[str, str]]:
        """The options that differ from a run given none, as a command line gives them, each with
        the option that drops it: (``--roster /x/class.csv``, ``--no-roster``), (``--no-similarity``,
        ``--similarity``)."""
        given = [(f"--{name} {quoted(str(path))}", f"--no-{name}") for name, path in
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
    except (OSError, ValueError, RecursionError) as exc:  # RecursionError: nested past the parser's depth
        raise OptionsError(f"{path}: the options of the class's earlier runs cannot be read ({exc}): "
                           f"delete it and give {_ALL} as the class needs them") from None
    if isinstance(data, dict):  # a file of the grader that remembered only the gradebook's options
        data = {**_DEFAULTS, **data}
    if isinstance(data, dict):  # nor in those of the thirty-fifth (and thirty-seventh) session's
        data = {"sources": [], "late": [], "sandboxes": [], "late_over": [], **data}
    if not (isinstance(data, dict) and all(k in data and (data[k] is None or _written_path(data[k])) for k in _PATHS)
            and isinstance(data.get("excel"), bool) and isinstance(data.get("similarity"), bool)
            and all(isinstance(data[k], list) and all(_written_path(s) for s in data[k])
                    for k in ("sources", "late"))
            and isinstance(data["sandboxes"], list) and all(isinstance(line, str) for line in data["sandboxes"])
            and isinstance(data["late_over"], list) and all(
                isinstance(pair, list) and len(pair) == 2 and _written_path(pair[0]) and isinstance(pair[1], str)
                for pair in data["late_over"])):
        raise OptionsError(f"{path}: not the options this grader writes: delete it and give {_ALL} "
                           f"as the class needs them")
    return ClassOptions(**{k: Path(data[k]) if data[k] else None for k in _PATHS},
                        excel=data["excel"], similarity=data["similarity"],
                        sources=tuple(Path(source) for source in data["sources"]),
                        late=tuple(Path(source) for source in data["late"]),
                        sandboxes=tuple(data["sandboxes"]),
                        late_over=tuple((Path(path), digest) for path, digest in data["late_over"]))


def _written_path(value: object) -> bool:
    """Whether ``value`` is a path as ``remember`` writes one: an absolute path's text, which the
    file system takes (no NUL, no lone surrogate but a file name's undecodable bytes). Thirty-sixth
    session: a key left out was a KeyError, a NUL or a surrogate a traceback where the path was
    looked at or said, and a relative path was read from wherever the run started."""
    if not (isinstance(value, str) and value and "\0" not in value and os.path.isabs(value)):
        return False
    try:
        os.fsencode(value)
    except UnicodeError:
        return False
    return True


_ALL = "--roster, --adjust, --excel, --template, --known and --no-similarity"


#: What a remembered file that moved leaves out, said with the option that drops it.
_WITHOUT = {"roster": "to write the gradebook without it", "adjust": "to write the gradebook without it",
            "template": "to check similarity without it", "known": "to check similarity without them"}


def resolve(out_dir: Path, **given: Path | bool | None) -> tuple[ClassOptions, ClassOptions]:
    """The options this run grades with, and those of them taken from the folder.

    ``given``: each of ``ClassOptions``'s fields as ``grader.classrun.grade_class`` takes it: a
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
           else (absolute(given[name]) if given[name] else None) for name in _PATHS},
        **{name: getattr(taken, name) if given.get(name) is None else bool(given[name])
           for name in ("excel", "similarity")})
    return dataclasses.replace(used, sources=earlier.sources, late=earlier.late, sandboxes=earlier.sandboxes,
                               late_over=earlier.late_over), taken


def remembered_sources(out_dir: Path) -> tuple[Path, ...]:
    """The SUBMISSIONS of the class graded into ``out_dir`` (``grade.py --out OUT`` grades them
    again). Raises ``OptionsError`` when the folder remembers none, or one of them is gone."""
    sources = (remembered(out_dir) or ClassOptions()).sources
    if not sources:
        raise OptionsError(f"give the submissions to grade (a folder, a notebook or a zip): {out_dir} "
                           f"remembers none (its {OPTIONS_FILE}, written by a class run)")
    if gone := [str(source) for source in sources if not source.exists()]:
        raise OptionsError(f"the class in {out_dir} was graded from {' and '.join(map(str, sources))} "
                           f"(remembered in {Path(out_dir) / OPTIONS_FILE}); {', '.join(gone)} is no "
                           f"longer there: give the submissions to grade")
    return sources


def sources_left_out(earlier: Sequence[Path], given: Sequence[Path], *, out_dir: Path) -> str | None:
    """Why a class run of ``given`` into ``out_dir`` is refused, None when it is not: it names some
    of the sources the class was graded from (``earlier``), not all, and the others are still
    there. Graded alone, a section's run left the other section's students out of ``grades.csv``
    ('not in this run', no score), and the upload file with it. A run of sources none of which
    the class was graded from (a new download) replaces them."""
    named = {absolute(source) for source in given}
    if not named & set(earlier):
        return None
    if not (left := [source for source in earlier if source not in named and source.exists()]):
        return None
    everything = " ".join(quoted(str(source)) for source in dict.fromkeys([*earlier, *named]) if source.exists())
    command, typed_out = grade_command(), quoted(str(out_dir))  # pasted into a shell: quoted (thirty-seventh session)
    # A zip of one student's work given in place of a section (late.zip beside sec1.zip): said by name,
    # as a zip graded alone is that student's regrade (until the thirty-eighth session only "one
    # student's notebook alone" was said, and a zip is what a late submission often comes in).
    from grader.archive import is_archive, students_in

    late = [source for source in dict.fromkeys(absolute(source) for source in given)
            if source not in earlier and source.is_file() and is_archive(source) and len(students_in(source)) < 2]
    alone = (f"; {' and '.join(map(str, late))} {'holds' if len(late) == 1 else 'hold'} one student's work: "
             f"grade {'it' if len(late) == 1 else 'each'} alone after the class "
             f"({'; '.join(f'{command} {quoted(str(zip_path))} --out {typed_out}' for zip_path in late)})" if late else "")
    return (f"the class in {out_dir} was graded from {' and '.join(map(str, earlier))} (remembered in "
            f"{Path(out_dir) / OPTIONS_FILE}); this run leaves out {' and '.join(map(str, left))}, whose "
            f"students would leave grades.csv: give every source ({command} {everything} --out "
            f"{typed_out}, or {command} --out {typed_out} for those of the last run; nothing unchanged is "
            f"graded again), one student's notebook or zip alone (a late submission: its row is updated, the "
            f"class kept){alone}, or another --out to grade these alone")


def few_students_for_the_class(earlier: Sequence[Path], given: Sequence[Path], *, out_dir: Path) -> str | None:
    """Why a class run of one zip into ``out_dir`` is refused, None when it is not: outside the
    sources the class was graded from (``earlier``, all still there), it holds the Canvas or Moodle
    files of two students or more, fewer than half the rows of the class's ``grades.csv``. Taken for
    a new download, it replaced the class: a student's late zip holding two classmates' platform
    names left grades.csv with those two rows (thirty-eighth session's review)."""
    from grader.archive import is_archive, students_in
    from grader.classfiles import GRADEBOOK
    from grader.report import gradebook_submissions

    if len(given) != 1 or not earlier or not all(source.exists() for source in earlier):
        return None
    source = absolute(given[0])
    if source in earlier or not source.is_file() or not is_archive(source):
        return None
    students = students_in(source)
    rows = gradebook_submissions(Path(out_dir) / GRADEBOOK) or ()
    if len(students) < 2 or 2 * len(students) >= len(rows):
        return None
    shown = ", ".join(students[:5]) + (", ..." if len(students) > 5 else "")
    command, typed_out = grade_command(), quoted(str(out_dir))  # pasted into a shell: quoted
    return (f"{source} holds the Canvas or Moodle files of {len(students)} students ({shown}), and the class "
            f"in {out_dir} has {len(rows)} rows, graded from {' and '.join(map(str, earlier))}: graded alone it "
            f"would replace the class. If it is one student's late work, unzip it and grade their notebook "
            f"alone, named after them ({command} ID.ipynb --out {typed_out}: their row updated, the class "
            f"kept); if it is a new download of the whole class, grade it into another --out")


def classmates_named_in(late_zip: Path, *, out_dir: Path) -> str | None:
    """Why a zip given alone into ``out_dir`` as one student's late work is refused, None when it is
    not: its name is no row of the class's ``grades.csv`` and notebooks in it are named as rows
    (``late.zip`` holding ``alice.ipynb`` and ``bob.ipynb``). A zip given alone is one student's,
    by its name (what a student names inside it never touches a classmate's row), so such a zip
    became a row ``late`` of no one, remembered and graded with every later class run (thirty-
    eighth session's review): a TA's packing of several students' late work, told before anything
    is graded."""
    from grader.archive import notebooks_named_in
    from grader.classfiles import GRADEBOOK
    from grader.discover import folder_id, listing, student_zip_id
    from grader.files import spreadsheet_text
    from grader.report import gradebook_submissions

    rows = gradebook_submissions(Path(out_dir) / GRADEBOOK)
    whose = student_zip_id(late_zip)
    if not rows or spreadsheet_text(whose) in rows:
        return None
    named = [stem for stem in notebooks_named_in(late_zip) if spreadsheet_text(folder_id(stem)) in rows]
    if not named:
        return None
    command, typed_out = grade_command(), quoted(str(out_dir))  # pasted into a shell: quoted
    return (f"{late_zip} holds notebooks named as students of the class in {out_dir} ({listing(named)}), but a zip "
            f"given alone is one student's work, named by the zip ({whose}, no row of the class): "
            f"unzip it and grade each student's notebook alone ({command} NOTEBOOK --out {typed_out}: "
            f"their row updated, the class kept), or name the zip after its one student")


def outside_sources(options: ClassOptions, path: Path) -> bool:
    """Whether ``path`` (a notebook, or a zip of one student's late work) is graded into a class
    whose class run is remembered (``options.sources``) without being one of its sources or
    inside one: graded alone, it is a regrade of its students, the class kept."""
    path = absolute(path)
    return bool(options.sources) and path.is_file() and not any(
        path == source or path.is_relative_to(source) for source in options.sources)


def at_top_of_a_source(options: ClassOptions, path: Path) -> bool:
    """Whether ``path`` is an entry at the top of one of the folders the class was graded from (a
    student's zip there, ``SUBMISSIONS/dan.zip``): graded alone, it is that student's regrade."""
    path = absolute(path)
    return any(path.parent == source and source.is_dir() for source in options.sources)


def remember(out_dir: Path, options: ClassOptions) -> None:
    """Record ``options`` in ``out_dir`` for the next run into it."""
    data = {**{name: str(getattr(options, name)) if getattr(options, name) else None for name in _PATHS},
            "excel": options.excel, "similarity": options.similarity,
            "sources": [str(source) for source in options.sources],
            "late": [str(source) for source in options.late], "sandboxes": list(options.sandboxes),
            "late_over": [[str(path), digest] for path, digest in options.late_over]}
    write_atomic(Path(out_dir) / OPTIONS_FILE, json.dumps(data, indent=1) + "\n")


def absolute(path: Path | bool) -> Path:
    """``path`` as given on the command line, made absolute: the next run may start elsewhere."""
    return Path(os.path.abspath(path))
