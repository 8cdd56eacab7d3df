"""A JSON codec for plain data, exact for floating point, without pickle.

Used for the fixture files (``grader.fixtures``). Supported values and their
JSON form:

==========================  ==========================================================
Python                      JSON
==========================  ==========================================================
``None``, bool, int, str     themselves
float                        itself if finite, else ``{"__float__": "nan" | "inf" | "-inf"}``
complex                      ``{"__complex__": [re, im]}`` (each part as a float above)
list                         a JSON list
tuple                        ``{"__tuple__": [...]}``
dict with str keys           a JSON object; one whose only key looks like a tag
                             (``"__name__"``) is written ``{"__dict__": [[key, value]]}``
``numpy.ndarray``            ``{"__ndarray__": {"dtype": "float64", "shape": [2, 3], "data": [...]}}``
                             with ``data`` flat in C order; dtypes bool, int*, uint*,
                             float16/32/64, complex64/128. Non-finite floats are the
                             strings ``"nan"``, ``"inf"``, ``"-inf"``; complex elements
                             are ``[re, im]`` pairs.
numpy scalar                 ``{"__scalar__": {"dtype": ..., "data": value}}``
a repeated array             ``{"__ref__": k}``, only when encoding with an :class:`ArrayPool`:
                             the k-th array written in full in the document (from 0)
==========================  ==========================================================

Floats are written with ``repr`` (what :mod:`json` does), which reads back to
the identical double, including ``-0.0``; float16/float32 values are widened
to doubles exactly and narrowed back exactly. Anything else (objects, sets,
non-str keys, object or string arrays) raises :class:`PlainDataError`.
"""
from __future__ import annotations

import json
import math
from typing import Any

import numpy as np

__all__ = ["PlainDataError", "ArrayPool", "to_json_obj", "from_json_obj", "dumps", "loads"]

_KINDS = frozenset("biufc")  # bool, int, uint, float, complex
_NONFINITE = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}


class PlainDataError(ValueError):
    """A value that is not plain data, or JSON that is not a valid encoding of plain data."""


# --------------------------------------------------------------------------- encoding


def _float(value: float) -> Any:
    if math.isfinite(value):
        return value
    return {"__float__": "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")}


def _element(value: float) -> Any:
    """An array element of a float dtype: the float, or its non-finite name."""
    if math.isfinite(value):
        return value
    return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")


def _encode_array(arr: np.ndarray, where: str) -> dict:
    kind = arr.dtype.kind
    if kind not in _KINDS:
        raise PlainDataError(f"{where}: arrays of dtype {arr.dtype} are not plain data")
    dtype = arr.dtype.newbyteorder("=") if arr.dtype.byteorder not in "=|" else arr.dtype
    flat = np.ascontiguousarray(arr, dtype=dtype).reshape(-1)
    if kind == "f":
        values = flat.astype(np.float64).tolist()
        if not np.isfinite(flat).all():
            values = [_element(v) for v in values]
    elif kind == "c":
        wide = flat.astype(np.complex128)
        values = [[_element(re), _element(im)] for re, im in zip(wide.real.tolist(), wide.imag.tolist())]
    else:  # b, i, u: tolist gives Python bools / ints, exact
        values = flat.tolist()
    return {"__ndarray__": {"dtype": dtype.name, "shape": list(arr.shape), "data": values}}


class ArrayPool:
    """Shares identical arrays among values written into one JSON document.

    Pass the same pool to successive :func:`to_json_obj` calls whose results
    are laid out in that order in one document: the second and later
    occurrences of an array equal to an earlier one (same dtype, shape and
    bytes) are written ``{"__ref__": k}``, k counting the arrays written in
    full, in document order, from 0. :func:`loads` resolves them to the same
    array object.
    """

    __slots__ = ("_seen",)

    def __init__(self) -> None:
        self._seen: dict[tuple, int] = {}

    def ref(self, arr: np.ndarray) -> int | None:
        """The index of an earlier equal array, or None after registering ``arr`` as the next one."""
        key = (arr.dtype.str, arr.shape, np.ascontiguousarray(arr).tobytes())
        found = self._seen.get(key)
        if found is None:
            self._seen[key] = len(self._seen)
        return found


def to_json_obj(obj: Any, *, pool: ArrayPool | None = None, _where: str = "value") -> Any:
    """Encode plain data as JSON-compatible Python objects (see the module docstring).

    With a ``pool``, repeated arrays become references (see :class:`ArrayPool`).
    """
    if obj is None or isinstance(obj, (bool, str)):
        return obj
    if isinstance(obj, np.ndarray):
        if obj.dtype.byteorder not in "=|":
            obj = obj.astype(obj.dtype.newbyteorder("="))
        if pool is not None and obj.dtype.kind in _KINDS:
            index = pool.ref(obj)
            if index is not None:
                return {"__ref__": index}
        return _encode_array(obj, _where)
    if isinstance(obj, np.generic):
        if obj.dtype.kind not in _KINDS:
            raise PlainDataError(f"{_where}: numpy scalars of dtype {obj.dtype} are not plain data")
        data = _encode_array(np.asarray(obj), _where)["__ndarray__"]["data"][0]
        return {"__scalar__": {"dtype": obj.dtype.name, "data": data}}
    if isinstance(obj, int):
        return int(obj)
    if isinstance(obj, float):
        return _float(float(obj))
    if isinstance(obj, complex):
        return {"__complex__": [_float(obj.real), _float(obj.imag)]}
    if isinstance(obj, tuple):
        return {
            "__tuple__": [to_json_obj(v, pool=pool, _where=f"{_where}[{i}]") for i, v in enumerate(obj)]
        }
    if isinstance(obj, list):
        return [to_json_obj(v, pool=pool, _where=f"{_where}[{i}]") for i, v in enumerate(obj)]
    if isinstance(obj, dict):
        out = {}
        for key, value in obj.items():
            if not isinstance(key, str):
                raise PlainDataError(f"{_where}: dict keys must be str, not {type(key).__name__} {key!r}")
            out[key] = to_json_obj(value, pool=pool, _where=f"{_where}[{key!r}]")
        if len(out) == 1 and _is_tag(next(iter(out))):
            # a user dict that would read back as a tag: written as [key, value] pairs
            return {"__dict__": [[key, value] for key, value in out.items()]}
        return out
    raise PlainDataError(f"{_where}: {type(obj).__module__}.{type(obj).__qualname__} is not plain data")


# --------------------------------------------------------------------------- decoding


def _decode_element(value: Any) -> float:
    if isinstance(value, str):
        try:
            return _NONFINITE[value]
        except KeyError:
            raise PlainDataError(f"bad array element {value!r}") from None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise PlainDataError(f"bad array element {value!r}")
    return float(value)


def _decode_float(value: Any) -> float:
    if isinstance(value, dict) and set(value) == {"__float__"}:
        return _decode_element(value["__float__"])
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise PlainDataError(f"bad float {value!r}")
    return float(value)


def _decode_array(spec: Any) -> np.ndarray:
    if not isinstance(spec, dict) or set(spec) != {"dtype", "shape", "data"}:
        raise PlainDataError("an __ndarray__ needs exactly the keys dtype, shape, data")
    try:
        dtype = np.dtype(spec["dtype"])
    except TypeError:
        raise PlainDataError(f"unknown dtype {spec['dtype']!r}") from None
    if dtype.kind not in _KINDS:
        raise PlainDataError(f"dtype {dtype} is not plain data")
    shape = spec["shape"]
    data = spec["data"]
    if not isinstance(shape, list) or not all(
        isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in shape
    ):
        raise PlainDataError(f"bad shape {shape!r}")
    if not isinstance(data, list) or len(data) != math.prod(shape):
        raise PlainDataError(f"an array of shape {tuple(shape)} needs {math.prod(shape)} values")
    if dtype.kind == "c":
        if not all(isinstance(p, list) and len(p) == 2 for p in data):
            raise PlainDataError("complex array elements must be [re, im] pairs")
        arr = np.empty(len(data), dtype=dtype)
        arr.real = [_decode_element(p[0]) for p in data]
        arr.imag = [_decode_element(p[1]) for p in data]
    elif dtype.kind == "f":
        arr = np.array(data) if data else np.zeros(0)
        if arr.ndim != 1 or arr.dtype.kind not in "fi":
            # non-finite names (strings), or something malformed: element by element
            arr = np.array([_decode_element(v) for v in data], dtype=np.float64)
        arr = arr.astype(dtype, copy=False)
    else:
        if dtype.kind == "b":
            ok = all(isinstance(v, bool) for v in data)
        else:
            ok = all(isinstance(v, int) and not isinstance(v, bool) for v in data)
        if not ok:
            kind = "bools" if dtype.kind == "b" else "integers"
            raise PlainDataError(f"values of an array of dtype {dtype} must all be {kind}")
        try:
            arr = np.array(data, dtype=dtype)
        except OverflowError:
            raise PlainDataError(f"a value does not fit dtype {dtype}") from None
    return arr.reshape(shape)


def _is_tag(key: str) -> bool:
    return key.startswith("__") and key.endswith("__") and len(key) > 4


class _Arrays:
    """The arrays decoded so far in one document, for ``__ref__``."""

    __slots__ = ("items", "readonly")

    def __init__(self, readonly: bool) -> None:
        self.items: list[np.ndarray] = []
        self.readonly = readonly


def _decode_tagged(tag: str, value: Any, arrays: _Arrays) -> Any:
    """Decode ``{tag: value}`` whose nested members are already decoded."""
    if tag == "__ndarray__":
        arr = _decode_array(value)
        if arrays.readonly:
            arr.flags.writeable = False
        arrays.items.append(arr)
        return arr
    if tag == "__ref__":
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < len(arrays.items):
            raise PlainDataError(f"__ref__ {value!r} names no earlier array")
        return arrays.items[value]
    if tag == "__tuple__":
        if not isinstance(value, list):
            raise PlainDataError("a __tuple__ must hold a list")
        return tuple(value)
    if tag == "__float__":
        return _decode_element(value)
    if tag == "__complex__":
        if not isinstance(value, list) or len(value) != 2:
            raise PlainDataError("a __complex__ must hold [re, im]")
        return complex(_decode_float(value[0]), _decode_float(value[1]))
    if tag == "__scalar__":
        if not isinstance(value, dict) or set(value) != {"dtype", "data"}:
            raise PlainDataError("a __scalar__ needs exactly the keys dtype, data")
        return _decode_array({"dtype": value["dtype"], "shape": [], "data": [value["data"]]})[()]
    if tag == "__dict__":
        if not isinstance(value, list) or not all(
            isinstance(p, list) and len(p) == 2 and isinstance(p[0], str) for p in value
        ):
            raise PlainDataError("a __dict__ must hold [key, value] pairs")
        return {key: item for key, item in value}
    raise PlainDataError(f"unknown tag {tag!r}")


def _raw_float_hook(name: str) -> float:
    raise PlainDataError(f"{name} is not valid JSON; non-finite floats are written as tags")


def from_json_obj(obj: Any, *, readonly: bool = False) -> Any:
    """Inverse of :func:`to_json_obj` for already-parsed JSON objects.

    ``readonly=True`` returns arrays that cannot be written to (useful when
    ``__ref__`` makes several places share one array).
    """
    return _from_json(obj, _Arrays(readonly))


def _from_json(obj: Any, arrays: _Arrays) -> Any:
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    if isinstance(obj, list):
        return [_from_json(v, arrays) for v in obj]
    if isinstance(obj, dict):
        if len(obj) == 1:
            ((tag, value),) = obj.items()
            if _is_tag(tag):
                if tag in ("__ndarray__", "__scalar__", "__float__", "__ref__"):
                    return _decode_tagged(tag, value, arrays)  # contents are raw, not encoded values
                return _decode_tagged(tag, _from_json(value, arrays), arrays)
        return {str(key): _from_json(value, arrays) for key, value in obj.items()}
    raise PlainDataError(f"{type(obj).__name__} is not JSON data")


def dumps(obj: Any, *, indent: int | None = None, share_arrays: bool = False) -> str:
    """Plain data -> JSON text (strict JSON: no NaN/Infinity literals; keys in insertion order).

    ``share_arrays=True`` writes repeated arrays once (see :class:`ArrayPool`).
    """
    pool = ArrayPool() if share_arrays else None
    return json.dumps(to_json_obj(obj, pool=pool), indent=indent, allow_nan=False, ensure_ascii=False)


def loads(text: str | bytes, *, readonly: bool = False) -> Any:
    """JSON text written by :func:`dumps` -> plain data (single pass, via an object hook).

    ``readonly=True`` returns arrays that cannot be written to.
    """
    arrays = _Arrays(readonly)

    def hook(obj: dict) -> Any:
        # json calls this for inner objects before outer ones, and finishes the
        # arrays in document order, so a __ref__ always follows its array. The raw
        # members of __ndarray__ / __scalar__ have several keys and pass untouched.
        if len(obj) == 1:
            ((tag, value),) = obj.items()
            if _is_tag(tag):
                return _decode_tagged(tag, value, arrays)
        return obj

    try:
        return json.loads(text, object_hook=hook, parse_constant=_raw_float_hook)
    except json.JSONDecodeError as exc:
        raise PlainDataError(f"not valid JSON: {exc}") from None
