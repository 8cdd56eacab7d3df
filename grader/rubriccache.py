"""A validated rubric kept in ``marshal`` form, so that a class run reads no YAML.

Reading a rubric (``grader.rubric.parse_rubric``) imports PyYAML (20-25 ms of CPU) and
composes and checks every node (5-9 ms), on the grading process's path before the workers'
fork, to build the same :class:`grader.models.Rubric` from the same bytes every run. A
class run (``load_rubric(..., cache=True)``) keeps the rubric it built in
``<rubric's folder>/.cache/<rubric file name>.marshal`` and reads that instead the next time.

As the fixture cache (``grader.fixturecache``), it is never trusted: it is used only when its
header is exactly the one this grader would write for these rubric bytes (the cache format,
Python's version, a digest of the code that reads a rubric, of PyYAML's own version file, and
the sha256 of the YAML as read now) and its payload's sha256 matches the one in the header;
and only from a regular file of this user's that no one else may write (``grader.files.read_sealed``:
the digests tell a stale cache, not a forged one);
anything else (missing, stale, truncated, corrupt, a type it does not know) falls back to the
YAML, which stays the only input. Only a rubric that was read without error is kept, so every
error an instructor sees (file, line, hint) comes from the YAML. Writing is best effort.

Payload: the rubric as plain data. A record of :mod:`grader.models` is ``(b"<class name>",
(field values...))`` in its fields' order and a ``MappingProxyType`` is ``(b"proxy", dict)``;
plain values stay themselves (a rubric holds no bytes, so a marker cannot be mistaken for a
value: anything bytes-like in a rubric means no cache).
"""
from __future__ import annotations

import dataclasses
import functools
import hashlib
import importlib.util
import marshal
from pathlib import Path
from types import MappingProxyType
from typing import Any

from grader.files import (SEALED_CACHE_DIR, read_sealed, sealed_cache_path, sealed_header, sources_digest,
                          write_sealed)
from grader.models import Case, OutputSpec, Part, Rubric, Tolerance

__all__ = ["CACHE_DIR", "cache_path", "cache_header", "load_cached", "store_cached", "freeze", "thaw"]

#: Folder of the caches, beside the rubric files.
CACHE_DIR = SEALED_CACHE_DIR
#: Version of the payload's layout; changing the layout means changing this.
CACHE_FORMAT = 1
_MAGIC = b"rnn-grader rubric cache\n"
#: The records a rubric is made of, by the marker of their class.
_RECORDS = {cls.__name__.encode(): cls for cls in (Rubric, Part, Case, OutputSpec, Tolerance)}
_PROXY = b"proxy"
_SCALARS = (str, int, float, bool, type(None))
#: Bytes a cache file may hold (a course's rubric takes tens of kilobytes).
_MAX_BYTES = 16 << 20


def cache_path(rubric_file: Path) -> Path:
    """Where the cache of ``rubric_file`` lives: ``<its folder>/.cache/<its name>.marshal``."""
    return sealed_cache_path(rubric_file)


@functools.lru_cache(maxsize=1)
def _code_digest() -> bytes:
    """sha256 of what decides the rubric a YAML file reads as: the grader's reading code and
    records (this module included) and PyYAML's version (its ``__init__.py``, found without
    importing it)."""
    grader = sources_digest(Path(__file__).resolve().parent,
                            ("rubriccache.py", "rubric.py", "models.py", "checks.py"))
    spec = importlib.util.find_spec("yaml")
    origin = spec.origin if spec is not None and spec.origin else ""
    yaml_init = Path(origin).read_bytes() if origin else b""
    return hashlib.sha256(grader + origin.encode() + b"\0" + yaml_init).digest()


def cache_header(yaml_bytes: bytes) -> bytes:
    """The header a cache of a rubric file holding ``yaml_bytes`` must start with."""
    return sealed_header(_MAGIC, layout=CACHE_FORMAT, code_digest=_code_digest(), source=yaml_bytes)


def freeze(value: Any) -> Any:
    """The payload (see the module docstring) of a rubric or of any value inside one;
    TypeError for a value of a type a rubric is not made of."""
    kind = type(value)
    if kind in _SCALARS:
        return value
    if kind is tuple:
        return tuple(freeze(item) for item in value)
    if kind is list:
        return [freeze(item) for item in value]
    if kind is dict or kind is MappingProxyType:
        plain = {}
        for key, item in value.items():
            if type(key) not in _SCALARS:
                raise TypeError(f"a key of type {type(key).__name__} in a rubric")
            plain[key] = freeze(item)
        return (_PROXY, plain) if kind is MappingProxyType else plain
    marker = kind.__name__.encode()
    if _RECORDS.get(marker) is kind:
        return marker, tuple(freeze(getattr(value, f.name)) for f in dataclasses.fields(kind))
    raise TypeError(f"a value of type {kind.__name__} in a rubric")


def thaw(payload: Any) -> Any:
    """The value a payload made by :func:`freeze` stands for; TypeError or ValueError for one
    :func:`freeze` cannot have made."""
    kind = type(payload)
    if kind in _SCALARS:
        return payload
    if kind is list:
        return [thaw(item) for item in payload]
    if kind is dict:
        return {key: thaw(item) for key, item in payload.items()}
    if kind is not tuple:
        raise TypeError(f"a value of type {kind.__name__} in a rubric cache")
    if payload and type(payload[0]) is bytes:
        marker, body = payload
        if marker == _PROXY and type(body) is dict:
            return MappingProxyType(thaw(body))
        cls = _RECORDS.get(marker)
        if cls is None or type(body) is not tuple:
            raise ValueError(f"unknown record {marker!r} in a rubric cache")
        names = [f.name for f in dataclasses.fields(cls)]
        if len(names) != len(body):
            raise ValueError(f"{len(body)} fields for {marker!r} in a rubric cache")
        return cls(**{name: thaw(item) for name, item in zip(names, body)})
    return tuple(thaw(item) for item in payload)


def load_cached(rubric_file: Path, yaml_bytes: bytes) -> Rubric | None:
    """The cached rubric of ``rubric_file`` (whose bytes are ``yaml_bytes``), or None.

    None when there is no cache, or it is not exactly one this grader wrote for these bytes.
    The rubric's ``path`` is the one it was stored with: the caller sets its own.
    """
    payload = read_sealed(cache_path(rubric_file), cache_header(yaml_bytes), max_bytes=_MAX_BYTES)
    if payload is None:
        return None
    try:
        rubric = thaw(marshal.loads(payload))
    except Exception:  # noqa: BLE001 - any cache we cannot read is no cache: the YAML decides
        return None
    return rubric if type(rubric) is Rubric else None


def store_cached(rubric_file: Path, yaml_bytes: bytes, rubric: Rubric) -> bool:
    """Keep ``rubric`` (``yaml_bytes`` read) as ``rubric_file``'s cache; False if not written."""
    try:
        payload = marshal.dumps(freeze(rubric))
    except (TypeError, ValueError):
        return False
    return write_sealed(cache_path(rubric_file), cache_header(yaml_bytes), payload)
