"""The notebook graded when a student handed in several (``one_notebook``).

A folder holding the student's notebook and an ``Untitled.ipynb`` (a new notebook Jupyter
named, left empty or with a few lines tried out), or a checkpoint copy Jupyter saved, was "several
notebooks, none graded": a 0 until a TA stepped in. When exactly one of the notebooks defines
any of the rubric's graded functions, that one is graded; when none does, the one that holds
code and is neither a new notebook (``Untitled*.ipynb``) nor a checkpoint copy. The student's
feedback says which file was graded and which were not, and the run's summary names them.
Two notebooks that both define graded functions are still refused, naming them: which one
counts is the student's or the TA's to say.

Two uploads of one file to Canvas (``smithjane_12345_111_rnn.ipynb`` and ``..._222_rnn.ipynb``,
neither marked ``LATE`` or both: a second download of the class unzipped over the first) are not
the student's doing: Canvas's bulk download holds each student's latest submission, so the later
upload (the higher attachment id) is graded, as Canvas counts it, and the earlier one is left,
named (``_earlier_uploads``). An on-time and a late upload are still both named and neither graded:
whether the late one counts is the course's rule.

Reading a notebook here runs nothing: ``grader.extract`` finds the functions it defines. A class
run chooses in its workers (``grader.batch``), each at the student's turn, as the grading of one
notebook is bounded: in the grading process, before anyone was graded, a student's eight notebooks
at the size bounds cost the whole class about 6 s (thirty-fourth session). The grading process
takes the choice from the result (``chosen``) and reads none of the notebooks.
"""
from __future__ import annotations

import filecmp
import re
from dataclasses import dataclass, replace
from pathlib import Path
from types import MappingProxyType
from typing import Collection, Mapping

from grader.discover import NONE_GRADED, SEVERAL_NOTEBOOKS, Submission, listing, platform_name, readable_id
from grader.models import Rubric, SubmissionResult

#: The names Jupyter, JupyterLab and Colab give a new notebook (``Untitled.ipynb``,
#: ``Untitled1.ipynb``, ``Untitled0.ipynb``), and VS Code (``Untitled-1.ipynb``).
_NEW_NOTEBOOK = re.compile(r"^untitled(?:-?\d+)?\.ipynb$", re.IGNORECASE)
#: A checkpoint copy Jupyter saves (``.ipynb_checkpoints/rnn-checkpoint.ipynb``): the folder is
#: skipped, but a student may hand in the copy itself.
_CHECKPOINT_COPY = re.compile(r"-checkpoint\.ipynb$", re.IGNORECASE)
#: The first words of the note a student's feedback gets when one of their notebooks was graded;
#: the run's summary lists those notes.
ONE_OF_SEVERAL = "Of the notebooks handed in, "
#: The name unzipping gives a file beside one of its name (``rnn (1).ipynb``, ``rnn - Copy.ipynb``):
#: Windows' and 7-Zip's "keep both", a download of the class unzipped over an earlier one.
_UNZIP_COPY = re.compile(r"^(?P<stem>.+?)(?: \(\d+\)| - Copy(?: \(\d+\))?)(?P<suffix>\.ipynb)$", re.IGNORECASE)
#: The most notebooks of one submission read to choose one: each is extracted in the grading
#: process before any student is graded, and a zip may hold thousands (0.45 ms a small course
#: notebook, 9 s for 20,000; up to a second or two one at the size bounds). Past it, refused as
#: several notebooks are.
MOST_READ = 8


def graded_functions(rubric: Rubric) -> list[str]:
    """The names of the functions the rubric grades (those that choose a notebook, and those
    compared by the similarity check)."""
    return sorted({part.function for part in rubric.parts if part.cases})


@dataclass(frozen=True)
class NotebookCode:
    """What one of a student's notebooks holds, as far as choosing the one to grade goes."""

    readable: bool  # read as a notebook (or .py file)
    code: bool  # a code cell holds code
    graded: tuple[str, ...]  # the rubric's graded functions it defines, sorted


def notebook_code(path: Path, *, graded: Collection[str]) -> NotebookCode | None:
    """What the notebook at ``path`` holds of ``graded`` (function names); None when reading it
    failed on our side (a bug of the extractor: then nothing is chosen)."""
    from grader.extract import extract
    from grader.notebook import SubmissionError, load

    try:
        notebook = load(path)
        functions = extract(notebook).functions
    except SubmissionError:
        return NotebookCode(readable=False, code=False, graded=())
    except Exception:  # noqa: BLE001 - hostile input must not stop the run; the TA decides
        return None
    code = any(cell.source.strip() for cell in notebook.code_cells)
    return NotebookCode(readable=True, code=code, graded=tuple(sorted(set(functions) & set(graded))))


def _file_name(name: str) -> str:
    """The last part of a notebook's name among the student's files (``work.zip/Untitled.ipynb``)."""
    return name.replace("\\", "/").rsplit("/", 1)[-1]


#: A notebook's name as the messages give it (its folders kept: ``work.zip/rnn.ipynb``), readable.
_shown = readable_id


def _why_not(name: str, code: NotebookCode) -> str:
    """Why notebook ``name`` was not graded, for the feedback."""
    if _CHECKPOINT_COPY.search(name):
        return "a checkpoint copy Jupyter saves"
    if not code.readable:
        return "it cannot be read as a notebook"
    if not code.code:
        return "it holds no code"
    if _NEW_NOTEBOOK.match(_file_name(name)):
        return "a new notebook (Jupyter's name) without graded functions"
    return "it defines none of the graded functions"


def one_notebook(submission: Submission, *, graded: Collection[str]) -> Submission:
    """``submission`` to grade: when it holds several notebooks (``Submission.notebooks``) and one
    holds the work (see the module's text), that one, with a note for the feedback saying which
    were not graded; when two or more define graded functions, still refused, its problem naming
    them; any other submission as it is. ``graded``: the rubric's graded functions."""
    if not submission.notebooks or not graded:
        return submission
    if len(submission.notebooks) > MOST_READ:
        said = f"Of more than {MOST_READ} notebooks, none is read to find the one holding the work."
        return replace(submission, problem=submission.problem.replace(
            f" {SEVERAL_NOTEBOOKS}", f" {said} {SEVERAL_NOTEBOOKS}", 1))
    earlier = _earlier_uploads(submission.notebooks)
    names = [name for name in submission.notebooks if name not in earlier]
    if len(names) == 1:  # two downloads' copies of one upload, nothing else: the later graded
        return _graded_one(submission, names[0], notes=(*submission.notes, *_reupload_notes(names[0], earlier)))
    copies = _identical_copies(submission.notebooks, names)
    if len(names) - len(copies) == 1 and not earlier:  # one notebook, copied by the TA's unzipping
        chosen = next(name for name in names if name not in copies)
        return _graded_one(submission, chosen, notes=(*submission.notes, *_copy_notes(chosen, copies)))
    # Copies of the same bytes are one notebook (read once, named with the others left).
    earlier = {**earlier, **copies}
    names = [name for name in names if name not in copies]
    read = {name: notebook_code(submission.notebooks[name], graded=graded) for name in names}
    if any(code is None for code in read.values()):
        return submission
    codes = {name: code for name, code in read.items() if code is not None}
    originals = [name for name in names if not _CHECKPOINT_COPY.search(name)] or names
    holders = [name for name in originals if codes[name].graded]
    if len(holders) > 1:
        said = (f"{listing([_shown(n) for n in holders])} each define graded functions"
                if len(holders) > 2 else f"{_shown(holders[0])} and {_shown(holders[1])} both define graded functions")
        several = SEVERAL_NOTEBOOKS
        if unzipped := [n for n in holders if (m := _UNZIP_COPY.match(_file_name(n)))
                        and any(_file_name(o) == m["stem"] + m["suffix"] for o in holders)]:
            several = (f"{NONE_GRADED}. {listing([_shown(n) for n in unzipped])} is named as "
                       f"unzipping names a file it would otherwise replace: a download of the class "
                       f"unzipped over an earlier one, your instructor's to sort out, not yours.")
        problem = submission.problem.replace(f" {SEVERAL_NOTEBOOKS}", f" {said}{_upload_order({n: submission.notebooks[n] for n in holders})}. "
                                             f"{several}", 1)
        return replace(submission, problem=problem)
    if holders:
        chosen = holders[0]
        why = f"the only one that defines graded functions ({', '.join(codes[chosen].graded)})"
    else:
        work = [name for name in originals
                if codes[name].code and not _NEW_NOTEBOOK.match(_file_name(name))]
        if len(work) != 1:
            return submission
        chosen = work[0]
        why = "the only one that holds code and is not a new notebook Jupyter named (Untitled)"
    left = [name for name in names if name != chosen]
    notes = (f"{ONE_OF_SEVERAL}{_shown(chosen)} was graded, not {listing([_shown(n) for n in [*left, *earlier]])}.",
             f"{_shown(chosen)} is {why}; not graded: "
             f"{listing([f'{_shown(n)} ({_why_not(n, codes[n])})' for n in left] + [f'{_shown(n)} ({why_earlier})' for n, why_earlier in earlier.items()])}. Next time, hand "
             f"in only the notebook to grade.")
    return _graded_one(submission, chosen, notes=(*submission.notes, *notes))


def _earlier_uploads(notebooks: Collection[str]) -> dict[str, str]:
    """Of a student's notebooks (their names), those Canvas's names say are an earlier upload of a
    file also uploaded later (the same original name and student, a lower attachment id, the same
    ``LATE`` mark or none), each with why it is not graded. An on-time and a late upload of one
    name are left to the TA (none here), as are names of no Canvas download."""
    uploads: dict[tuple[str, str, bool], list[tuple[int, str]]] = {}
    for name in notebooks:
        named = platform_name(name)
        if named is not None and named.platform == "canvas" and named.original and named.attachment:
            uploads.setdefault((named.id, named.original, named.late), []).append((int(named.attachment), name))
    by_original: dict[tuple[str, str], set[bool]] = {}
    for sid, original, late in uploads:
        by_original.setdefault((sid, original), set()).add(late)
    earlier = {}
    for (sid, original, late), found in uploads.items():
        if len(found) < 2 or len(by_original[(sid, original)]) > 1:
            continue
        found.sort()
        later = found[-1][0]
        for attachment, name in found[:-1]:
            earlier[name] = (f"an earlier upload of {_shown(original)} to Canvas, attachment {attachment} "
                             f"before {later}")
    return earlier


def _identical_copies(notebooks: Mapping[str, Path], names: Collection[str]) -> dict[str, str]:
    """Of a student's notebooks ``names`` (``notebooks``: their files), those that hold another of
    them byte for byte, each with why it is not graded: one submission handed in under several names.
    Of each set of the same bytes the first is kept: a name that is no copy's (not ``rnn (1).ipynb``,
    ``_UNZIP_COPY``) nor a new notebook's (``Untitled.ipynb``) before one that is, then by name; a
    checkpoint copy is no copy here (left, named as one, by ``one_notebook``). A download unzipped over
    an earlier one (Moodle's, whose names carry no upload number) writes such copies: the
    thirty-seventh session's TA found the student given 0 and told to hand in one notebook; the same
    bytes under unrelated names (``rnn.ipynb`` and ``assignment4.ipynb``) were still refused until the
    thirty-eighth session."""
    kept: list[str] = []
    copies = {}
    for name in sorted((name for name in names if not _CHECKPOINT_COPY.search(name)),
                       key=lambda name: (_UNZIP_COPY.match(_file_name(name)) is not None,
                                         _NEW_NOTEBOOK.match(_file_name(name)) is not None, name)):
        try:
            same = next((first for first in kept
                         if filecmp.cmp(notebooks[first], notebooks[name], shallow=False)), None)
        except OSError:  # read at the student's turn, which says why
            return {}
        if same is None:
            kept.append(name)
        else:
            copies[name] = f"the same file as {_shown(same)}, byte for byte"
    return copies


def _copy_notes(chosen: str, copies: Mapping[str, str]) -> tuple[str, str]:
    """The notes of a submission whose notebooks are ``chosen`` and byte-for-byte ``copies`` of it:
    copies named as unzipping names them are the download's (the TA's), others the student's."""
    same = "the same file" if len(copies) == 1 else "each the same file"  # said once, not per copy
    first = f"{ONE_OF_SEVERAL}{_shown(chosen)} was graded, not {listing([_shown(n) for n in copies])}: {same}, byte for byte."
    if all(_UNZIP_COPY.match(_file_name(name)) for name in copies):
        return (first, "Your notebook was in the folder graded more than once, under other names (as when a "
                       "download of the class is unzipped over an earlier one, which renames the files it "
                       "would replace): the copies are the same work, graded once. Nothing for you to do.")
    return (first, "You handed in the same notebook more than once, under other names: the copies are the "
                   "same work, graded once. Next time, hand in only the notebook to grade.")


def _upload_order(notebooks: dict[str, Path]) -> str:
    """For notebooks of one student (by name, their files) that Canvas's file names number
    (``smithjane_12345_111_rnn.ipynb``, ``..._222_rnn-final.ipynb``): which was uploaded last, as a
    clause of the refusal ("" for others). Refused, since one Canvas submission may hold several
    files, but the TA is told what the numbers say: a download holds each student's latest
    submission only."""
    numbered = []
    for name, path in notebooks.items():
        named = platform_name(Path(path).name)
        if named is None or named.platform != "canvas" or not named.attachment:
            return ""
        numbered.append((int(named.attachment), named.id, name))
    if len(numbered) < 2 or len({sid for _, sid, _ in numbered}) > 1:
        return ""
    numbered.sort()
    return (f" (Canvas numbered their uploads {listing([str(n) for n, _, _ in numbered])}: a download of "
            f"the class holds each student's latest submission, so unless they were uploaded together, "
            f"{_shown(numbered[-1][2])} is the later upload, from a second download put in the same folder)")


def _reupload_notes(chosen: str, earlier: dict[str, str]) -> tuple[str, str]:
    """The notes of a submission whose one notebook ``chosen`` was uploaded to Canvas after the
    ``earlier`` ones (``_earlier_uploads``): the first as every choice's (``ONE_OF_SEVERAL``), the
    second saying why, and that the student has nothing to do."""
    return (f"{ONE_OF_SEVERAL}{_shown(chosen)} was graded, not {listing([_shown(n) for n in earlier])}: "
            f"{listing(list(earlier.values()))}.",
            "Your uploads to Canvas were in the folder graded more than once (as when two downloads of "
            "the class are put in one folder): the latest is graded, as Canvas counts your latest "
            "submission. Nothing for you to do.")


def _graded_one(submission: Submission, name: str, *, notes: tuple[str, ...]) -> Submission:
    """``submission`` (several notebooks) with its notebook ``name`` graded, the student's other
    files beside it, and ``notes``."""
    extras = {other: path for other, path in submission.files.items() if other != name}
    return replace(submission, path=submission.notebooks[name], problem="",
                   extra_files=MappingProxyType(extras), notes=notes,
                   notebooks=MappingProxyType({}), files=MappingProxyType({}))


def chosen(submission: Submission, result: SubmissionResult) -> Submission:
    """``submission`` as a worker graded it, from its ``result``: when it held several notebooks
    and the result says one was graded (its note ``ONE_OF_SEVERAL``...), that notebook with the
    others beside it (the notes the choice added are in the result); any other submission as it
    is. Reads nothing: the grading process's view of a choice ``one_notebook`` made in a worker.
    By the result's path, else by the name in its note: a zip's notebooks are unpacked into another
    folder on each run (and two names may read alike in a note, ``readable_id``: a raw ESC and the
    text ``\x1b``)."""
    if not submission.notebooks:
        return submission
    exact = [name for name, path in submission.notebooks.items() if str(path) == result.path]
    if len(exact) == 1:  # graded in this run, or from the same folder in an earlier one
        return _graded_one(submission, exact[0], notes=submission.notes)
    # The choice's two notes end the result's messages (``batch._graded`` adds the submission's
    # notes last); an earlier message may start as the note does (a zip's note starts with the
    # zip's name, which the student chose) and name a notebook that was not graded.
    said = result.messages[-2] if len(result.messages) >= 2 else ""
    picked = [name for name in submission.notebooks
              if said.startswith(f"{ONE_OF_SEVERAL}{_shown(name)} was graded, not ")]
    if len(picked) != 1:  # refused, or a note cut (grader.notes) or ambiguous: as it is
        return submission
    return _graded_one(submission, picked[0], notes=submission.notes)
