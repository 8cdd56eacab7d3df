"""The similarity check's normalised functions kept between runs of one class, in the output folder.

A class run with the check normalises every distinct function of the class (about 1.4 ms of CPU
each: 2 s for the benchmark's class of 400, 15 s for 2,000), the run after a late submission too,
though one notebook changed. ``find_similar(..., store=...)`` takes a mapping from a function's
*key* (a digest of the normalisation's settings and the source text) to what the pair stage reads
of its normalisation: the source line of each canonical token, whether it parsed, and its
fingerprints' values and positions (``Entry``). It normalises only the sources the mapping lacks,
adds them, and leaves in it exactly the keys of the run, so the file does not grow with
resubmissions.

The file is ``OUT/.cache/similarity.marshal``, written and read with ``grader.files``'s sealed
caches: used only when its header is the one this grader writes (the layout, Python's version, a
digest of the normalising code) and its payload's digest matches, and only from a regular file
of this user's that no one else may write; anything else (missing, stale, damaged, too large,
a shape it does not expect) is an empty store: the check normalises everything, as without one.
The key holds the settings (names kept, the starter code's statements, k, window), so a run with
another template or rubric finds nothing of the last one's and replaces it.
"""
from __future__ import annotations

import functools
import marshal
from pathlib import Path
from typing import Any

from grader.files import SEALED_CACHE_DIR, read_sealed, sealed_header, sources_digest, write_sealed

__all__ = ["Entry", "STORE_NAME", "ClassStore", "store_path", "load_store", "save_store"]

#: A normalised function as the pair stage reads it: (each token's source line, whether the
#: source parsed, the fingerprints' values and their token positions as native int64 bytes).
Entry = tuple[tuple[int, ...], bool, bytes, bytes]

#: The file's name in ``OUT/.cache/``.
STORE_NAME = "similarity.marshal"
#: Version of the payload's layout; changing the layout means changing this.
STORE_FORMAT = 1
_MAGIC = b"rnn-grader similarity store\n"
#: The grader's files (under ``grader/``) whose code decides an entry: everything the
#: normalisation, the fingerprints and the settings' key import from the grader.
_CODE = tuple(f"similarity/{name}.py" for name in (
    "normalise", "nodetext", "simplify", "numpyreads", "rewrite", "deadcode", "canonise", "inline", "loops",
    "spellings", "tokens", "renamingkey", "specialise", "syntax", "winnow", "detect", "store", "deepexpr")) + (
    "astnodes.py", "course.py")
#: Bytes the file may hold: about 1.5 kB a function, so some 100,000 functions.
_MAX_BYTES = 256 << 20


def store_path(out_dir: Path) -> Path:
    """Where a class's store lives: ``OUT/.cache/similarity.marshal`` (no submission is named
    ``.cache``: hidden files are never submissions)."""
    return Path(out_dir) / SEALED_CACHE_DIR / STORE_NAME


@functools.lru_cache(maxsize=1)
def _header() -> bytes:
    """The header this grader writes: the format, Python's version and a digest of the code
    that decides a function's entry (its normalisation with the tree walk it uses, its
    fingerprints, the key of its settings in ``detect``, this module). Without ``astnodes.py``,
    whose walk orders the nodes the normalisation reads, a grader whose walk changed would have
    read the last run's entries as its own."""
    code = sources_digest(Path(__file__).resolve().parent.parent, _CODE)
    return sealed_header(_MAGIC, layout=STORE_FORMAT, code_digest=code, source=b"")


def _valid(entry: Any) -> bool:
    """Whether ``entry`` has the shape of an ``Entry`` (a sealed file is ours, but not
    necessarily of this shape if a layout change forgot ``STORE_FORMAT``)."""
    return (type(entry) is tuple and len(entry) == 4 and type(entry[0]) is tuple
            and type(entry[1]) is bool and type(entry[2]) is bytes and type(entry[3]) is bytes
            and len(entry[2]) == len(entry[3]) and len(entry[2]) % 8 == 0)


def load_store(out_dir: Path) -> dict[bytes, Entry]:
    """The entries kept by the last run into ``out_dir`` (empty when there is no usable file)."""
    payload = read_sealed(store_path(out_dir), _header(), max_bytes=_MAX_BYTES)
    if payload is None:
        return {}
    try:
        entries = marshal.loads(payload)
    except (ValueError, EOFError, TypeError):
        return {}
    if type(entries) is not dict:
        return {}
    return {key: entry for key, entry in entries.items() if type(key) is bytes and _valid(entry)}


def save_store(out_dir: Path, entries: dict[bytes, Entry]) -> bool:
    """Keep ``entries`` for the next run into ``out_dir``; False when it could not be written
    (the next run then normalises everything: nothing else depends on the file)."""
    path = store_path(out_dir)
    try:
        path.parent.mkdir(mode=0o700, exist_ok=True)
        payload = marshal.dumps(dict(entries))  # a plain dict: marshal refuses subclasses
    except (OSError, ValueError):
        return False
    if len(payload) > _MAX_BYTES - 1024:
        return False
    return write_sealed(path, _header(), payload)


class ClassStore(dict):
    """The store of the class graded into ``out_dir``: its entries as ``load_store`` read them;
    ``find_similar`` calls ``done`` once it has normalised the class's functions, which keeps
    the entries for the next run and lets go of them before the pair stage (about 20 MB for a
    class of 2,000, at the run's peak otherwise)."""

    def __init__(self, out_dir: Path) -> None:
        """The entries kept in ``out_dir`` (none when there is no usable file)."""
        super().__init__(load_store(out_dir))
        self.out_dir = Path(out_dir)

    def done(self) -> None:
        """Keep the entries for the next run (best effort: without the file the next run
        normalises everything), then forget them here."""
        save_store(self.out_dir, self)
        self.clear()
