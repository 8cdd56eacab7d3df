"""A decoded fixture file kept in ``marshal`` form, so that a class run skips the JSON.

Decoding a fixture file (``grader.fixtures.read_fixture_file``: 0.9 MB of JSON, every float
parsed from text and every array built from a list) is most of ``load_context``'s CPU, on
the grading process's path before the workers' fork. A class run
(``load_fixtures(..., cache=True)``) keeps what it decoded in
``<fixtures dir>/.cache/<fixture file name>.marshal``, beside the instructor's files, and
reads that instead the next time.

The cache is never trusted: it is used only when its header is exactly the one this grader
would write for these fixture bytes (the cache format, Python's version, a digest of the
decoding code and the sha256 of the JSON file as read now) and its payload's sha256 matches
the one in the header; anything else (missing, stale, truncated, corrupt, unreadable) falls
back to the JSON, which stays the only input: a cache can only hold what the JSON decoded to,
and a student cannot reach it (it lies with the fixtures, which the sandbox's children never
see). ``marshal`` holds plain Python data only (no code is loaded from it). Writing it is best
effort: a folder that cannot be written (a read-only checkout) only means no cache.

Payload: ``(tree, arrays, blob)``. ``tree`` is the decoded content with each array replaced
by ``bytes`` naming it (plain data holds no bytes, so a marker cannot be mistaken for a
value): ``b"a<k>"`` for the k-th array, ``b"s<k>"`` for a NumPy scalar held as the k-th
(0-d) array. ``arrays`` lists ``(dtype, shape, offset)`` into ``blob``, the arrays' bytes
one after another at 16-byte boundaries; an array shared in the JSON (``__ref__``) is one
array here too. Arrays are rebuilt read-only, as ``read_fixture_file`` makes them.
"""
from __future__ import annotations

import functools
import marshal
from pathlib import Path
from typing import Any

import numpy as np

from grader.files import (SEALED_CACHE_DIR, read_sealed, sealed_cache_path, sealed_header, sources_digest,
                          write_sealed)

__all__ = ["CACHE_DIR", "cache_path", "cache_header", "load_cached", "store_cached",
           "freeze", "thaw"]

#: Folder of the caches, inside the fixture files' folder.
CACHE_DIR = SEALED_CACHE_DIR
#: Version of the payload's layout; changing the layout means changing this.
CACHE_FORMAT = 1
_MAGIC = b"rnn-grader fixture cache\n"
_ALIGN = 16
#: Bytes a cache file may hold (the course's fixtures take a few megabytes).
_MAX_BYTES = 256 << 20


def cache_path(fixture_file: Path) -> Path:
    """Where the cache of ``fixture_file`` lives: ``<its folder>/.cache/<its name>.marshal``."""
    return sealed_cache_path(fixture_file)


@functools.lru_cache(maxsize=1)
def _code_digest() -> bytes:
    """sha256 of the modules that decide what a fixture file decodes to (this one included),
    read once a process (a class run's header is built for each fixture file, twice when it
    writes a cache)."""
    return sources_digest(Path(__file__).resolve().parent, ("fixturecache.py", "fixtures.py", "plaindata.py"))


def cache_header(json_bytes: bytes) -> bytes:
    """The header a cache of a fixture file holding ``json_bytes`` must start with."""
    return sealed_header(_MAGIC, layout=CACHE_FORMAT, code_digest=_code_digest(), source=json_bytes)


def freeze(content: Any) -> tuple:
    """The payload (see the module docstring) of decoded plain data ``content``."""
    arrays: list[tuple] = []
    chunks: list[bytes] = []
    index: dict[int, int] = {}  # id of an array -> its number (shared arrays stay shared)
    kept: list = []  # the arrays numbered, so that their ids stay theirs while freezing
    size = 0

    def array_number(arr: np.ndarray) -> int:
        nonlocal size
        number = index.get(id(arr))
        if number is None:
            data = np.ascontiguousarray(arr).tobytes()
            pad = -size % _ALIGN
            chunks.append(b"\0" * pad + data)
            size += pad
            arrays.append((arr.dtype.str, tuple(arr.shape), size))
            size += len(data)
            number = index[id(arr)] = len(kept)
            kept.append(arr)
        return number

    def walk(obj: Any) -> Any:
        if isinstance(obj, np.ndarray):
            return b"a%d" % array_number(obj)
        if isinstance(obj, np.generic):
            return b"s%d" % array_number(np.asarray(obj))
        if isinstance(obj, bytes):
            raise TypeError("bytes are not plain data")
        if isinstance(obj, list):
            return [walk(value) for value in obj]
        if isinstance(obj, tuple):
            return tuple(walk(value) for value in obj)
        if isinstance(obj, dict):
            return {key: walk(value) for key, value in obj.items()}
        return obj

    tree = walk(content)
    return tree, arrays, b"".join(chunks)


def thaw(payload: tuple) -> Any:
    """The decoded content a payload made by :func:`freeze` stands for (arrays read-only)."""
    tree, specs, blob = payload
    dtypes: dict[str, np.dtype] = {}
    markers: dict[bytes, Any] = {}
    for number, (dtype, shape, offset) in enumerate(specs):
        kind = dtypes.get(dtype) or dtypes.setdefault(dtype, np.dtype(dtype))
        # A view of the immutable blob: read-only, as read_fixture_file's arrays are, and
        # ten times cheaper than frombuffer and reshape.
        arr = np.ndarray(tuple(shape), kind, blob, offset)
        if not arr.flags.aligned:  # never with 16-byte offsets in a bytes object; kept safe
            arr = arr.copy()
            arr.flags.writeable = False
        markers[b"a%d" % number] = arr
        markers[b"s%d" % number] = arr[()] if arr.ndim == 0 else None

    def walk(obj: Any) -> Any:
        kind = type(obj)
        if kind is list:
            return [walk(value) for value in obj]
        if kind is dict:
            return {key: walk(value) for key, value in obj.items()}
        if kind is tuple:
            return tuple([walk(value) for value in obj])
        if kind is bytes:
            return markers[obj]
        return obj

    return walk(tree)


def load_cached(fixture_file: Path, json_bytes: bytes) -> Any | None:
    """The cached decoded content of ``fixture_file`` (whose bytes are ``json_bytes``), or None.

    None when there is no cache, or it is not exactly one this grader wrote for these bytes.
    """
    payload = read_sealed(cache_path(fixture_file), cache_header(json_bytes), max_bytes=_MAX_BYTES)
    if payload is None:
        return None
    try:
        return thaw(marshal.loads(payload))
    except Exception:  # noqa: BLE001 - any cache we cannot read is no cache: the JSON decides
        return None


def store_cached(fixture_file: Path, json_bytes: bytes, content: Any) -> bool:
    """Keep ``content`` (``json_bytes`` decoded) as ``fixture_file``'s cache; False if not written."""
    try:
        payload = marshal.dumps(freeze(content))
    except (TypeError, ValueError):
        return False
    return write_sealed(cache_path(fixture_file), cache_header(json_bytes), payload)
