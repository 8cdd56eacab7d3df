"""Incremental grading: a submission is graded again only when something it depends on changed.

The *key* of a submission is a sha256 over everything that determines its
result: the bytes of its notebook and of the files beside it (those unpacked from its zips
among them, by their names in the zip, and the notes its feedback gives of them; for a class
run, which unpacks a student's zips only at their turn, the zips' own bytes instead:
``grader.archive.zip_digest``), the rubric
(``Rubric.digest``), the fixtures (``grader.fixtures.fixtures_digest``) and the
grader itself (the digest of its own files, so that updating the grader
regrades everyone: a fix may change results; ``grader.__version__`` is not
trusted to be bumped). The key is written to ``OUT/<id>/grading-key.json`` after
the submission's results, and removed before they are rewritten: a folder whose
key matches holds a complete result of exactly these inputs.

Surviving a killed machine without an ``fsync`` per file: the key file also
records the size and sha256 of every file of the folder it vouches for, and a
folder is kept only when its files still match. After a power cut, files whose
bytes never reached the disk (empty, missing or older ones) fail the check and
that submission is graded again; nothing damaged is ever kept, and the
grading path pays no synchronous write. (What was graded but not yet flushed by
the kernel when the machine died is graded again: the next run resumes.)
"""
from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Collection, Container, Iterable, Mapping, Sequence

from grader.discover import EXTRA_FILE_BYTES, Submission, listing, platform_name, readable_id
from grader.files import UNPACK_PREFIX, digest_of, read_bytes, sources_digest, spreadsheet_text, write_atomic
from grader.models import Rubric, SubmissionResult
from grader.notebook import DEFAULT_MAX_BYTES
from grader.report import RESULT_RECORD, read_submission

KEY_FILE = "grading-key.json"
GRADER_DIR = Path(__file__).resolve().parent


#: The kinds of file the grader's code is made of (Python, and any template or data file it may
#: ship): what ``grader_digest`` reads. A stray ``.DS_Store`` or an editor's ``runner.py~`` beside the
#: code changed the digest, and the next run regraded the whole class as "another version of the grader".
CODE_SUFFIXES = frozenset({".py", ".html", ".css", ".js", ".json", ".yaml", ".txt", ".j2", ".jinja"})


def grader_digest(package: Path = GRADER_DIR) -> str:
    """sha256 over the grader's own files: sources and templates (relative names and bytes, sorted);
    hidden files and files of other kinds (``CODE_SUFFIXES``) are not the grader's."""
    package = Path(package)
    names = [path.relative_to(package).as_posix() for path in sorted(package.rglob("*"))
             if "__pycache__" not in path.parts and path.is_file() and path.suffix in CODE_SUFFIXES
             and not any(part.startswith(".") for part in path.relative_to(package).parts)]
    return sources_digest(package, names).hex()


@dataclass(frozen=True)
class BatchKey:
    """What every submission of one run shares: rubric, fixtures and grader."""

    rubric: str
    fixtures: str
    grader: str
    options: str = ""  # anything else that changes results (e.g. feedback.html wanted or not)
    # The rubric file's sha256 (``Rubric.file_digest``), not in the key: what a key written before the
    # thirty-seventh session holds for the same rubric (``same_rubric``).
    rubric_file: str = ""

    def digest(self) -> str:
        """sha256 of the four parts."""
        text = json.dumps([self.rubric, self.fixtures, self.grader, self.options])
        return hashlib.sha256(text.encode()).hexdigest()

    def same_rubric(self, stored: object) -> bool:
        """Whether a key's rubric digest ``stored`` is this run's rubric: its digest, or the sha256 of
        its file, which a class graded before the thirty-seventh session holds (a late notebook graded
        into such a class is merged with it, not refused as graded with another rubric)."""
        return stored == self.rubric or (bool(self.rubric_file) and stored == self.rubric_file)


def batch_key(rubric: Rubric, *, fixtures_digest: str, options: str = "") -> BatchKey:
    """The shared part of the keys of a run with ``rubric`` and its fixtures."""
    return BatchKey(rubric=rubric.digest, fixtures=fixtures_digest, grader=grader_digest(),
                    options=options, rubric_file=rubric.file_digest)


def _update_file(digest, label: str, path: Path, *, limit: int | None = None) -> None:
    """Add ``label:<size>:`` and the bytes of ``path`` to ``digest``, a MiB at a time, only the
    first ``limit`` bytes when given (all that grading reads of a file beside a notebook, which
    may be a data set of some GB; of a notebook, ``DEFAULT_MAX_BYTES``: a larger one is refused
    by its size alone, which the key holds, and hashing 3 GiB cost 8 s of a run's start)."""
    with open(path, "rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        digest.update(f"{label}:{size}:".encode())
        left = size if limit is None else min(size, limit)
        while left > 0 and (chunk := handle.read(min(1 << 20, left))):
            digest.update(chunk)
            left -= len(chunk)


def submission_key(submission: Submission, *, batch: BatchKey) -> str | None:
    """The key of ``submission`` under ``batch``; None when it cannot be computed (always regrade).

    A submission with a problem (no notebook, too many) has no key: it costs
    nothing to report again. One holding several notebooks, of which its worker chooses
    one (``grader.choice``), has the key of everything that choice and grading read.
    """
    from grader.choice import MOST_READ

    if submission.problem and not 0 < len(submission.notebooks) <= MOST_READ:
        return None
    digest = hashlib.sha256(batch.digest().encode())
    if submission.packed:
        return _packed_key(submission, digest)
    if submission.notebooks:
        return _several_key(submission, digest)
    try:
        _update_file(digest, "submission", submission.path, limit=DEFAULT_MAX_BYTES)
        for name, path in sorted(submission.graded_extra_files()):
            # The name as a JSON string, which ends at its own quote: written as it is, an empty
            # file named "a:4:Q" and a file "a" holding "Q:0:" added the same bytes (one key).
            _update_file(digest, f"extra/{json.dumps(name)}", path, limit=EXTRA_FILE_BYTES)
        if submission.notes:  # what its zips held and left out: said in the feedback
            digest.update(json.dumps(["notes", *submission.notes]).encode())
    except OSError:
        return None
    return digest.hexdigest()


def _packed_key(submission: Submission, digest) -> str | None:
    """The key of a submission whose files hold zips not unpacked yet (``Submission.packed``),
    ``digest`` holding the batch's part: every file's name; the bytes of its loose notebooks
    (``.ipynb``, and a ``.py`` when it is the only one); the first ``EXTRA_FILE_BYTES`` of the other files grading may read
    (``Submission.graded_extra_files``) and of each zip; and each zip's ``zip_digest``. What
    grading reads of the student once the zips are unpacked, and the notes said of them, are
    worked out from these alone."""
    from grader.archive import student_zip_digests
    from grader.discover import is_zip_name

    files = submission.packed
    scripts = [name for name in files if name.endswith(".py")]  # several: none is graded
    notebooks = sorted([name for name in files if name.endswith(".ipynb")]
                       + (scripts if len(scripts) == 1 else []))
    others = Submission(id=submission.id, path=submission.path, extra_files={
        name: path for name, path in files.items() if name not in notebooks})
    read = sorted({name for name, _ in others.graded_extra_files()}
                  | {name for name in files if is_zip_name(name)})
    digest.update(json.dumps(["packed", sorted(files)]).encode())
    try:
        zips = [name for name in read if is_zip_name(name)]
        zipped = dict(zip(zips, student_zip_digests([files[name] for name in zips])))
        for name in notebooks:
            _update_file(digest, f"file/{json.dumps(name)}", files[name], limit=DEFAULT_MAX_BYTES)
        for name in read:
            _update_file(digest, f"extra/{json.dumps(name)}", files[name], limit=EXTRA_FILE_BYTES)
            if is_zip_name(name):
                digest.update(zipped[name])
    except OSError:
        return None
    return digest.hexdigest()


def _several_key(submission: Submission, digest) -> str | None:
    """The key of a submission holding several notebooks (``Submission.notebooks``), ``digest``
    holding the batch's part: every file's name, the bytes of each notebook, the first
    ``EXTRA_FILE_BYTES`` of the other files grading may read beside any of them, the notes. None
    when the notebooks hold more than ``DEFAULT_MAX_BYTES`` in all (one notebook's bound)."""
    digest.update(json.dumps(["several", sorted(submission.files), *submission.notes]).encode())
    try:
        if sum(os.path.getsize(path) for path in submission.notebooks.values()) > DEFAULT_MAX_BYTES:
            return None  # read in a worker on each run, rather than in this process before anyone
        for name, path in sorted(submission.notebooks.items()):
            _update_file(digest, f"file/{json.dumps(name)}", path, limit=DEFAULT_MAX_BYTES)
        for name, path in sorted(submission.graded_beside_notebooks()):
            _update_file(digest, f"extra/{json.dumps(name)}", path, limit=EXTRA_FILE_BYTES)
    except OSError:
        return None
    return digest.hexdigest()


def stored_key(folder: Path) -> str | None:
    """The key written in ``folder``, or None."""
    record = _key_record(folder)
    return record.get("key") if record else None


def stored_digest(folder: Path, part: str) -> str | None:
    """The digest ``part`` (``"rubric"``, ``"fixtures"``, ``"grader"``) of the key written in
    ``folder``, or None (no key: an unreadable submission, a folder never graded)."""
    record = _key_record(folder)
    value = record.get(part) if record else None
    return value if isinstance(value, str) else None


def _key_record(folder: Path) -> dict | None:
    """The key file of ``folder`` as a dict, or None."""
    try:
        record = json.loads((Path(folder) / KEY_FILE).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) else None


def _file_digests(folder: Path, known: Mapping[str, list] | None = None) -> dict[str, list]:
    """``{name: [size, sha256]}`` of the regular files of ``folder`` (not the key, not temporaries);
    a file named in ``known`` is taken from there (its writer's digest of the bytes it wrote) instead
    of being read back."""
    found = {}
    known = known or {}
    with os.scandir(folder) as entries:
        for entry in entries:
            if entry.name == KEY_FILE or entry.name.startswith(".") or not entry.is_file(follow_symlinks=False):
                continue
            if entry.name in known:
                found[entry.name] = list(known[entry.name])
                continue
            found[entry.name] = digest_of(read_bytes(entry.path, follow_links=False))
    return found


def files_intact(folder: Path, files: Mapping[str, Sequence]) -> bool:
    """True when every file listed (name -> [size, sha256]) is in ``folder`` with those bytes."""
    folder = Path(folder)
    try:
        for name, (size, digest) in files.items():
            path = folder / name
            if os.stat(path).st_size != size:
                return False
            if hashlib.sha256(read_bytes(path)).hexdigest() != digest:
                return False
    except (OSError, ValueError, TypeError):
        return False
    return bool(files)


def write_key(folder: Path, key: str, *, batch: BatchKey,
              written: Mapping[str, list] | None = None, pages: bool = True) -> None:
    """Mark ``folder`` as holding the complete result for ``key`` (written last), with the size
    and sha256 of each of its files. ``written``: ``{name: [size, sha256]}`` of files of the
    folder that this run has just written, digested from the bytes written (the files are not
    read back); every other file is read. ``pages``: whether the run wanted ``feedback.html``
    (``current_result``)."""
    record = {"key": key, "rubric": batch.rubric, "fixtures": batch.fixtures,
              "grader": batch.grader, "options": batch.options, PAGES: pages,
              "files": _file_digests(folder, written)}
    write_atomic(os.path.join(folder, KEY_FILE), json.dumps(record))


def add_to_key(folder: Path, key: str, written: Mapping[str, list], *,
               fields: Mapping[str, Any] | None = None) -> bool:
    """List files just written in ``folder`` (``{name: [size, sha256]}`` of the bytes written) in
    its key file, when that key is still ``key``: a file added to a kept folder (its
    ``functions.json``, written after a run without the similarity check) is then vouched for
    like every other file of the folder. ``fields``: set in the key file too (``key_field``
    reads them). Returns whether the key file was rewritten."""
    record = _key_record(folder)
    if record is None or record.get("key") != key or not isinstance(record.get("files"), dict):
        return False
    record.update(fields or {})
    record["files"] = {**record["files"], **{name: list(digest) for name, digest in written.items()}}
    write_atomic(Path(folder) / KEY_FILE, json.dumps(record))
    return True


def key_field(folder: Path, name: str, *, key: str | None) -> tuple[bool, Any]:
    """``(found, value)`` of the field ``name`` that ``add_to_key`` set in ``folder``'s key file
    when that key is ``key``: (True, None) when it was never set, (False, None) without such a key."""
    record = _key_record(folder)
    if key is None or record is None or record.get("key") != key:
        return False, None
    return True, record.get(name)


def clear_key(folder: Path) -> None:
    """Forget the key of ``folder`` before its results are rewritten."""
    try:
        (Path(folder) / KEY_FILE).unlink()
    except FileNotFoundError:
        pass


#: The key file's field saying whether its run wanted ``feedback.html`` (``grade.py --no-html``
#: did not). Not part of the key: a run with ``--no-html`` keeps a folder graded with its page (the
#: page is of the same result), and a run wanting pages grades again one graded without.
PAGES = "pages"


def current_result(folder: Path, key: str | None, *, pages: bool = False) -> SubmissionResult | None:
    """The stored result of ``folder`` when its key is ``key``, its files are intact and the
    record reads (and, with ``pages``, its run wanted ``feedback.html``); else None."""
    if key is None:
        return None
    record = _key_record(folder)
    if (record is None or record.get("key") != key or RESULT_RECORD not in record.get("files", {})
            or not files_intact(folder, record["files"]) or (pages and record.get(PAGES) is False)):
        return None
    return read_submission(folder)


def partition(submissions: Iterable[Submission], keys: Mapping[str, str | None], *, out_dir: Path,
              on_kept: Callable[[SubmissionResult], None] | None = None, pages: bool = False,
              ) -> tuple[list[Submission], dict[str, SubmissionResult | None]]:
    """Split into (to grade, already graded id -> stored result); ``pages``: see ``current_result``.

    With ``on_kept``, each stored result is handed to it as it is read and not
    kept (the dict's values are None), so memory does not grow with the class.
    """
    todo: list[Submission] = []
    done: dict[str, SubmissionResult | None] = {}
    for sub in submissions:
        result = current_result(Path(out_dir) / sub.id, keys.get(sub.id), pages=pages)
        if result is None:
            todo.append(sub)
        elif on_kept is not None:
            on_kept(result)
            done[sub.id] = None
        else:
            done[sub.id] = result
    return todo, done


def former_submissions(out_dir: Path, *, ids: Container[str]) -> tuple[str, ...]:
    """The ids, sorted, of the folders of ``out_dir`` that an earlier run wrote (a key or a result
    record in them) for a submission not among ``ids``: a student removed from the class."""
    try:
        with os.scandir(out_dir) as entries:
            gone = [entry for entry in entries if entry.name not in ids
                    and not entry.name.startswith(".") and entry.is_dir(follow_symlinks=False)]
    except OSError:
        return ()
    return tuple(sorted(entry.name for entry in gone
                        if os.path.exists(os.path.join(entry.path, KEY_FILE))
                        or os.path.exists(os.path.join(entry.path, RESULT_RECORD))))


def renamed_submissions(former: Sequence[str], *, ids: Collection[str]) -> dict[str, str]:
    """Of ``former`` (``former_submissions``), the folders an earlier grader wrote for a submission
    this run has under another id, each with that id: the id rules of the thirty-fourth and
    thirty-fifth sessions write ``ada:1`` as ``ada_1``, an id over 200 bytes cut, and the second of
    ``Bob`` and ``bob`` as ``bob~ipynb`` (``discover.folder_id``, ``folded_id``). Until the
    thirty-sixth session they were told as students no longer in the class, and a run of that one
    notebook kept the old folder's row beside the new one: the student twice in the gradebook."""
    from grader.discover import folded_id, folder_id

    renamed: dict[str, str] = {}
    folded = suffixed = None  # made at the first folder that needs them
    for name in former:
        now = folder_id(name)
        if now != name:
            if now in ids:
                renamed[name] = now
            continue
        if folded is None:
            folded = {folded_id(sid) for sid in ids}
            suffixed = {}
            for sid in ids:
                if "~" in sid:
                    suffixed.setdefault(sid.rsplit("~", 1)[0], []).append(sid)
        twins = suffixed.get(name, [])
        if folded_id(name) in folded and len(twins) == 1:  # Bob and bob: the second is bob~ipynb now
            renamed[name] = twins[0]
    return renamed


def has_keys(out_dir: Path) -> bool:
    """True when some ``OUT/<id>/`` holds a key (an earlier run may have graded it)."""
    try:
        with os.scandir(out_dir) as entries:
            return any(entry.is_dir(follow_symlinks=False)
                       and os.path.exists(os.path.join(entry.path, KEY_FILE)) for entry in entries)
    except OSError:
        return False


class EarlierClassError(Exception):
    """The earlier gradebook cannot take this run's notebook; the message says why and what to do."""


@dataclass(frozen=True)
class EarlierClass:
    """The submissions of the output folder's gradebook that a run of one notebook keeps as the
    earlier run graded them (``earlier_class``)."""

    submissions: tuple[Submission, ...]  # their id, the notebook graded then, its platform account
    keys: Mapping[str, str | None]  # id -> the key its folder was graded under (None: unreadable)
    other_grader: tuple[str, ...]  # ids graded by another version of the grader
    added: tuple[str, ...] = ()  # this run's ids the earlier gradebook did not list: new rows


def earlier_class(out_dir: Path, former: Sequence[str], *, batch: BatchKey, listed: Container[str],
                  on_kept: Callable[[SubmissionResult], None]) -> EarlierClass:
    """The folders of ``former`` (``former_submissions``) that the earlier gradebook lists
    (``listed``: its ``submission`` cells, ``grader.report.gradebook_submissions``), each result
    handed to ``on_kept``. A run of one notebook into the class's output folder merges it with
    these instead of writing a gradebook of one. Folders the gradebook does not list (a student
    who withdrew) are left out, as a class run leaves them.

    Raises ``EarlierClassError`` when a listed folder was graded with another rubric or other
    fixtures (the rubric's digest and the fixtures' of its key differ from ``batch``'s: a gradebook
    mixing the two would be wrong), checked before any result is read; or when its result is
    incomplete or damaged (no key for a graded result, files that do not match it)."""
    out_dir = Path(out_dir)
    ids = [sid for sid in former if spreadsheet_text(sid) in listed]
    records = {sid: _key_record(out_dir / sid) for sid in ids}
    other = [sid for sid, record in records.items() if record is not None
             and not (batch.same_rubric(record.get("rubric")) and record.get("fixtures") == batch.fixtures)]
    if other:
        raise EarlierClassError(
            f"{len(other)} of its {len(ids)} other submission(s) were graded with another rubric or "
            f"other fixtures than this run's ({listing(other)}), and one gradebook cannot mix the two")
    kept: list[Submission] = []
    keys: dict[str, str | None] = {}
    damaged: list[str] = []
    for sid in ids:
        record = records[sid]
        key = record.get("key") if record is not None else None
        # Without a key, only a result that is no grade (an unreadable notebook, which has no key;
        # a grader failure) is kept: a graded one without its key was cut short.
        result = current_result(out_dir / sid, key) if key is not None else read_submission(out_dir / sid)
        if result is None or (key is None and result.graded):
            damaged.append(sid)
            continue
        on_kept(result)
        keys[sid] = key
        kept.append(Submission(id=sid, path=Path(result.path), account=_account_of(sid, result.path)))
    if damaged:
        raise EarlierClassError(
            f"the results of {len(damaged)} of its other submission(s) are incomplete or damaged in "
            f"{out_dir} ({listing(damaged)})")
    return EarlierClass(submissions=tuple(kept), keys=keys,
                        other_grader=tuple(sid for sid in keys if records[sid] is not None
                                           and records[sid].get("grader") != batch.grader))


def _account_of(sid: str, path: str) -> str:
    """The Canvas or Moodle number of submission ``sid`` graded from ``path``, as
    ``find_submissions`` gives it: when a folder of ``path`` or its file bears the platform's
    name of ``sid``; else, when ``path`` is a folder of the grader's own (a student's zip was
    unpacked there: ``/tmp/grade-unzip-.../s1/z1/rnn.ipynb``), the number ``sid`` ends with
    (``smithbob_340934``), which only a platform's name gives a zip; else ""."""
    for name in reversed(Path(path).parts):
        named = platform_name(name)
        if named is not None and readable_id(named.id) == sid:
            return sid.rsplit("_", 1)[-1]
    unpacked = any(part.startswith(UNPACK_PREFIX) for part in Path(path).parts)
    number = re.fullmatch(r".+_(\d+)", sid)
    return number[1] if unpacked and number else ""


#: What ``regraded_because`` names of a key's parts that changed, in this order.
_KEY_PARTS = (("rubric", "another rubric"), ("fixtures", "other fixtures"),
              ("grader", "another version of the grader"))


#: What ``regraded_because`` says of a folder graded without ``feedback.html`` in a run wanting it.
WITHOUT_PAGES = "no feedback.html (--no-html)"


def regraded_because(out_dir: Path, ids: Iterable[str], *, batch: BatchKey,
                     pages: bool = False) -> dict[str, int]:
    """Why submissions ``ids`` (to grade) are graded again: ``{what changed: how many}`` of those
    whose folder's key was written with another rubric, other fixtures or another version of the
    grader (``_KEY_PARTS``' words), or, with ``pages``, by a run that did not want feedback.html
    (``WITHOUT_PAGES``); a folder without a key (a first run) counts for nothing, and one whose key
    differs in its notebook only (a new submission) neither."""
    found: dict[str, int] = {}
    for sid in ids:
        record = _key_record(Path(out_dir) / sid)
        if record is None:
            continue
        for part, words in _KEY_PARTS:
            if not (batch.same_rubric(record.get(part)) if part == "rubric" else record.get(part) == getattr(batch, part)):
                found[words] = found.get(words, 0) + 1
        if pages and record.get(PAGES) is False:
            found[WITHOUT_PAGES] = found.get(WITHOUT_PAGES, 0) + 1
    order = [words for _, words in _KEY_PARTS] + [WITHOUT_PAGES]
    return {words: found[words] for words in order if words in found}
