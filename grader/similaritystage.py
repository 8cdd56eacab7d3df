"""The similarity stage of a class run: each graded submission's functions' sources (``functions.json``)
and its own-work digest, written by the workers; read back, with the template's, for
``grader.similarity``; ``similarity.csv`` written."""
from __future__ import annotations

import contextlib
import functools
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Collection, Mapping, Sequence, TextIO

from grader.classfiles import DEFAULT_RUBRIC, OWN_WORK_FIELD, SIMILARITY_CSV, SOURCES_FILE
from grader.classsources import opened_submissions, submissions_under
from grader.exits import CommandError

if TYPE_CHECKING:  # the records' module comes with the rest, after the zygotes are started
    from grader.models import Rubric, SubmissionResult


def function_sources(path: Path, *, names: Sequence[str] | None = None,
                     graded: Collection[str] | None = None) -> dict[str, str]:
    """``{function name: source}`` of the functions a notebook defines (only ``names`` if given),
    each the text a class run compares (``gradedsource.graded_source``).

    ``graded``: the functions the rubric grades, each compared on its own, never as a helper of
    another (what the runner passes: its rubric's); by default the default rubric's and ``names``
    (without that rubric, ``names``, or every function when ``names`` is None, as before).
    Until the thirty-fourth session ``names`` alone was that set, so ``rnn_forward`` asked for alone
    took ``rnn_cell_forward`` for its helper and held it: 0.56 against the same notebook graded.
    An unreadable notebook gives ``{}``.
    """
    from grader.extract import extract_file
    from grader.gradedsource import graded_source

    try:
        extraction = extract_file(path)
        functions = extraction.functions
        aliases = extraction.numpy_aliases()
    except Exception:  # noqa: BLE001 - unreadable notebooks are reported by grading, not here
        return {}
    if graded is None:
        default = _default_graded()
        if default:
            graded = default.union(names or ())
        else:  # no default rubric: as before the thirty-fourth session
            graded = functions.keys() if names is None else names
    return {name: graded_source(functions, name, graded=graded, aliases=aliases)
            for name in functions if names is None or name in names}


@functools.lru_cache(maxsize=1)
def _default_graded() -> frozenset[str]:
    """The functions the default rubric grades (``function_sources``), read once; none when it
    cannot be read (a copy of the grader without its rubrics)."""
    from grader.choice import graded_functions
    from grader.rubric import RubricError, load_rubric

    try:
        return frozenset(graded_functions(load_rubric(DEFAULT_RUBRIC)))
    except RubricError:
        return frozenset()


def write_sources(folder: Path, result: SubmissionResult, names: Sequence[str], *,
                  key: str | None = None, path: Path | None = None,
                  digests: dict[str, list] | None = None) -> dict:
    """Store the sources of ``names`` in ``OUT/<id>/functions.json`` for the similarity check.

    The sources are those the runner extracted (``result.extra["sources"]``);
    only a result without them (a harness failure) has its notebook ``path``
    extracted here. ``key`` is the submission's incremental key: the check uses
    the file only when the key is still the submission's. With the notebook's
    ``path``, the file also holds its own work (``own_work``: the digest of
    each code and markdown cell, ``grader.similarity.ownwork``, and whether
    any function of ``names`` was attempted), so that identical notebooks are
    found without reading any notebook again. Returns the record stored; ``digests``, when
    given, receives the file's ``[size, sha256]`` (``grader.files.write_atomic``).
    """
    import json

    from grader.files import write_atomic

    sources = result.extra.get("sources") if result.extra else None
    if sources is None:
        sources = function_sources(Path(path), names=names, graded=names) if path is not None else {}
    data = {"key": key, "functions": {name: src for name, src in sources.items() if name in names}}
    if path is not None:
        own = _own_work(Path(path), result, names)
        if own is not None:
            data[OWN_WORK_FIELD] = own
    write_atomic(Path(folder) / SOURCES_FILE, json.dumps(data), digests=digests)
    return data


def _own_work(path: Path, result: SubmissionResult, names: Sequence[str]) -> dict | None:
    """``{"cells": [[digest, chars], ...], "attempted": bool}`` of the notebook at ``path``
    (``grader.similarity.ownwork.notebook_cells``), or None when it cannot be read.
    ``attempted``: the result was graded and some function of ``names`` is neither missing
    nor left unimplemented, or a part outside them (the IMDB bonus) earned points
    (submissions that attempted nothing are alike by construction; an untouched starter
    whose code names IMDB has the bonus present, at 0 points). A submission that attempted
    nothing is never compared (``_own_work_digest``), so its notebook is not read again for
    cells: they are stored empty."""
    from grader.models import MISSING, NOT_IMPLEMENTED
    from grader.notebook import load
    from grader.similarity.ownwork import notebook_cells

    attempted = result.graded and any(
        part.status not in (MISSING, NOT_IMPLEMENTED) if part.function in names else part.points > 0
        for part in result.parts)
    if not attempted:
        return {"cells": [], "attempted": False}
    try:
        cells = notebook_cells(load(path))
    except Exception:  # noqa: BLE001 - an unreadable notebook has no own work to compare
        return None
    return {"cells": [list(cell) for cell in cells], "attempted": attempted}


def _stored_sources(folder: Path, submission, names: Sequence[str], key: str | None = None,
                    unpacked: Callable = contextlib.nullcontext) -> tuple[dict[str, str], Any]:
    """``(sources, own work)``: the sources stored by ``write_sources`` when they belong to this
    very notebook (same incremental ``key``), else extracted from the notebook again; the own
    work is the file's ``own_work`` entry as stored (None when there is none: it is checked
    by ``_own_work_digest``). A submission kept from a run without the similarity check (which
    writes no file and is not part of the key) has the file written now from its stored result
    (``write_sources``), once, and listed in the folder's key with the other files.
    ``unpacked(submission)``: a context that gives the submission with its notebook on the disk
    (a class run's packed submission, unpacked for the time it is read; ``TurnsOpener.reading``)."""
    import json

    try:
        data = json.loads((Path(folder) / SOURCES_FILE).read_text("utf-8"))
        if key is not None and data["key"] == key:
            return ({name: src for name, src in data["functions"].items() if name in names},
                    data.get(OWN_WORK_FIELD))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        pass
    with unpacked(submission) as readable:
        return _sources_read_again(folder, readable, names, key)


def _sources_read_again(folder: Path, submission, names: Sequence[str],
                        key: str | None) -> tuple[dict[str, str], Any]:
    """``_stored_sources`` when no stored file of this key is there: from the stored result
    (written into the file now) or the notebook."""
    from grader.choice import chosen
    from grader.incremental import add_to_key, current_result

    result = current_result(Path(folder), key)
    if result is None:
        return function_sources(submission.path, names=names, graded=names), None
    submission = chosen(submission, result)  # of a zip's several notebooks, the one graded
    written: dict[str, list] = {}
    try:
        data = write_sources(Path(folder), result, names, key=key, path=Path(submission.path),
                             digests=written)
    except OSError:  # compared all the same, worked out again on the next run
        return (function_sources(submission.path, names=names, graded=names),
                _own_work(Path(submission.path), result, names))
    try:
        add_to_key(Path(folder), key, written)
    except OSError:  # the file stays unlisted: read only when its own key matches, as above
        pass
    return data["functions"], data.get(OWN_WORK_FIELD)


def _own_work_digest(stored: Any, template: frozenset[str]) -> str | None:
    """The own-work digest of a submission from its stored ``own_work`` entry (``_own_work``),
    without the ``template``'s cells; None when the entry is missing or malformed, nothing was
    attempted, or too little own work is left (``grader.similarity.ownwork.own_work_digest``)."""
    from grader.similarity.ownwork import cells_from_json, own_work_digest

    if not isinstance(stored, dict) or stored.get("attempted") is not True:
        return None
    cells = cells_from_json(stored.get("cells"))
    return None if cells is None else own_work_digest(cells, template=template)


@dataclass(frozen=True)
class TemplateWork:
    """What the similarity check uses of the starter notebook, from one reading of it."""

    sources: Mapping[str, str]  # function name -> source (``function_sources``)
    cells: frozenset[str]  # digests of its code and markdown cells (``notebook_cells``)
    problem: str = ""  # why the file could not be read as a notebook, when it could not

    def no_function(self, template: Path) -> str:
        """The error of a template without a function: why, when the file is no notebook (a web
        page saved by a browser said only 'no function found in the template notebook')."""
        if self.problem:
            return f"the template cannot be read: {self.problem}"
        return f"{template}: no function found in the template notebook"


def read_template(template: Path) -> TemplateWork:
    """The starter notebook's functions and cell digests, read and parsed once (a class run needs
    both: the functions as soon as it starts, to refuse a template without any, and the cells at
    the end). What cannot be read gives none: no function (the caller says so), no cell."""
    from grader.extract import extract
    from grader.notebook import load
    from grader.similarity.ownwork import notebook_cells

    from grader.notebook import SubmissionError

    try:
        notebook = load(Path(template))
    except SubmissionError as exc:  # the problem names the file: said by the caller
        return TemplateWork(sources={}, cells=frozenset(), problem=str(exc))
    except Exception:  # noqa: BLE001 - as function_sources: no function, said by the caller
        return TemplateWork(sources={}, cells=frozenset())
    try:
        sources = {name: fn.source for name, fn in extract(notebook).functions.items()}
    except Exception:  # noqa: BLE001 - as function_sources
        sources = {}
    try:
        cells = frozenset(digest for digest, _ in notebook_cells(notebook))
    except Exception:  # noqa: BLE001 - as function_sources: no cell
        cells = frozenset()
    return TemplateWork(sources=sources, cells=cells)


def run_similarity(submissions: Sequence, *, rubric: Rubric, out_dir: Path,
                   template: Path | None = None, known: Path | None = None,
                   stream: TextIO | None = None, keys: Mapping[str, str | None] | None = None,
                   workers: int | None = None, template_work: TemplateWork | None = None,
                   unpacked: Callable = contextlib.nullcontext):
    """Compare the graded functions of every submission; write ``OUT/similarity.csv``.

    ``template``: the starter notebook (its code does not count). ``known``:
    a folder (or zip) of solutions found online or from earlier years.
    ``keys`` (id -> incremental key) lets the stored ``functions.json`` of each
    graded submission be used instead of extracting its notebook again.
    ``workers``: processes that normalise the functions (default: the machine's
    cores, idle once the class is graded; the report does not depend on it).
    Submissions whose own work (stored by the workers in ``functions.json``, the
    template's cells taken out) is identical are flagged whatever their score.
    ``template_work``: what ``read_template`` gave for ``template`` when the caller read it
    already (a class run reads it once). ``unpacked``: see ``_stored_sources``.
    Returns ``(report, sources, known_sources)``: the ``SimilarityReport`` and
    the function sources it compared (id -> function -> source), which the
    class report shows side by side.
    """
    from grader.choice import graded_functions
    from grader.similarity import find_similar, write_similarity_csv
    from grader.similarity.store import ClassStore

    stream = stream or sys.stderr
    names = graded_functions(rubric)
    keys = keys or {}
    stored = {sub.id: _stored_sources(Path(out_dir) / sub.id, sub, names, keys.get(sub.id), unpacked)
              for sub in submissions if not sub.problem}
    sources = {sid: funcs for sid, (funcs, _own) in stored.items() if funcs}
    if template and template_work is None:
        template_work = read_template(Path(template))
    template_sources = dict(template_work.sources) if template else None
    if template and not template_sources:
        raise CommandError(template_work.no_function(Path(template)))
    template_cells = template_work.cells if template else frozenset()
    own_work = {sid: _own_work_digest(own, template_cells) for sid, (_funcs, own) in stored.items()
                if sid in sources}
    known_sources = None
    if known:
        from grader.choice import one_notebook

        with opened_submissions(Path(known), stream=stream) as folder:
            # An earlier year's student folder holding an Untitled.ipynb beside the work is read
            # as a class run grades it (grader.choice): until the thirty-third session it was
            # left out, "no graded function could be read", while the class's was graded.
            found = [one_notebook(sub, graded=names) for sub in submissions_under(folder)]
            known_sources = {sub.id: function_sources(sub.path, names=names, graded=names)
                             for sub in found if not sub.problem}
        known_sources = {k: v for k, v in known_sources.items() if v}
        if len(known_sources) < len(found):  # were left out of the comparison without a word
            several = sorted(sub.id for sub in found if sub.problem and sub.notebooks)
            left = sorted(sub.id for sub in found if sub.id not in known_sources and sub.id not in several)
            parts = ([f"no graded function could be read from them): {', '.join(left[:10])}"
                      f"{' ...' if len(left) > 10 else ''}"] if left else [])
            parts += ([f"several notebooks that each define graded functions, or none holding the work; "
                       f"leave one in each folder): {', '.join(several[:10])}{' ...' if len(several) > 10 else ''}"]
                      if several else [])
            stream.write(f"Known solutions not compared ({len(left) + len(several)} of {len(found)} in "
                         f"{known}: {'; and ('.join(parts)}\n")
    # The functions normalised by the last run into this folder are not normalised again
    # (grader.similarity.store): a run after one late submission normalises its functions only.
    report = find_similar(sources, template=template_sources, known=known_sources,
                          workers=workers or os.cpu_count() or 1, own_work=own_work,
                          store=ClassStore(Path(out_dir)))
    write_similarity_csv(report, Path(out_dir) / SIMILARITY_CSV)
    return report, sources, known_sources
