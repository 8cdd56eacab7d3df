"""The bonus's points and thresholds: `ImdbConfig`, read from YAML with file:line errors.

The configuration comes either from its own file (``rubrics/imdb.yaml``) or from
the ``imdb:`` mapping of a main rubric, which `grader.rubric` passes through
unchecked.  Every unknown key and every bad value is reported with the file and
line it came from (a YAML file is read with :func:`yaml.compose`, so every node
keeps its mark); a plain mapping has no lines, so errors name the key path and
the ``source`` given by the caller.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from typing import Any, Mapping

__all__ = ["Band", "ImdbConfig", "ImdbConfigError", "load_imdb_config", "DEFAULT_BANDS"]


def _is_node(value: Any, kind: str) -> bool:
    """Whether ``value`` is a composed YAML node of class ``kind`` (``"MappingNode"``...).

    PyYAML is imported only to read a configuration file: a rubric's ``imdb:`` section comes
    as plain data (a class run whose rubric is cached imports no YAML at all), and no value
    can be a node while ``yaml`` is not imported.
    """
    yaml = sys.modules.get("yaml")
    return yaml is not None and isinstance(value, getattr(yaml, kind))


class ImdbConfigError(ValueError):
    """A bad ``imdb`` configuration; the message names the file, the line and the key."""


@dataclass(frozen=True)
class Band:
    """Best verified test accuracy at least ``min`` (a fraction) earns ``points``."""

    min: float
    points: float


# Defaults, with their sources (docs/imdb.md has the details):
#   0.85: Keras examples reach 0.85-0.88 on IMDB with recurrent layers
#         (examples/imdb_cnn_lstm.py: 0.8498 test accuracy after 2 epochs;
#          keras.io "Bidirectional LSTM on IMDB": val_acc 0.8778 after 10 epochs).
#   0.80: examples/imdb_bidirectional_lstm.py (Keras 2): "~0.8146" after 4 epochs on CPU.
#   0.70 and 0.60: a model that learned something, but well short of the references.
DEFAULT_BANDS = (Band(0.85, 5.0), Band(0.80, 4.0), Band(0.70, 2.5), Band(0.60, 1.0))


@dataclass(frozen=True)
class ImdbConfig:
    """Points and thresholds of the IMDB bonus (all accuracies are fractions in [0, 1]).

    - ``alternatives_points`` are shared equally by the first ``alternatives_required``
      distinct recurrent alternatives that were trained and whose accuracy was reported.
    - ``validation_points``: every counted model validates on data taken from the
      training set, and the size of that split is stated; ``validation_unstated_share``
      of them when the split comes from the training data but its size is not stated.
    - ``accuracy_points`` (the largest band) by ``bands`` on the best verified test accuracy.
    - ``claim_tolerance``: smallest distance at which a claimed accuracy still matches
      an accuracy in the outputs; a claim written with fewer digits gets one unit of its
      last digit (``"86%"`` matches 0.85-0.87).
    - ``code_only_alternatives``: for a notebook saved without outputs, count the
      alternatives that the code defines and trains (the accuracy cannot be verified).
    """

    part: str = "imdb_report"
    alternatives_points: float = 3.0
    alternatives_required: int = 3
    validation_points: float = 2.0
    validation_unstated_share: float = 0.5
    bands: tuple[Band, ...] = DEFAULT_BANDS
    claim_tolerance: float = 0.001
    code_only_alternatives: bool = True

    @property
    def accuracy_points(self) -> float:
        """The points of the best band (the most the accuracy item can give)."""
        return max((b.points for b in self.bands), default=0.0)

    @property
    def max_points(self) -> float:
        """Total of the three items."""
        return self.alternatives_points + self.validation_points + self.accuracy_points


# key -> (field, kind); kinds: "num" (>= 0), "share" (0..1), "int" (>= 1), "bool", "str"
_SCHEMA: dict[str, Any] = {
    "part": ("part", "str"),
    "alternatives": {"points": ("alternatives_points", "num"),
                     "required": ("alternatives_required", "int")},
    "validation": {"points": ("validation_points", "num"),
                   "unstated_share": ("validation_unstated_share", "share")},
    "accuracy": {"bands": ("bands", "bands"),
                 "claim_tolerance": ("claim_tolerance", "share")},
    "code_only_alternatives": ("code_only_alternatives", "bool"),
}


class _Where:
    """Turns a node (or a key path) into ``file:line`` text for error messages."""

    def __init__(self, source: str, base_line: int = 0) -> None:
        """``source`` names the file; ``base_line`` is the line of a pass-through section."""
        self.source = source
        self.base_line = base_line

    def at(self, node: Any, path: str) -> str:
        """``file:line: path`` for a YAML node, ``source (line N): path`` for plain data."""
        if _is_node(node, "Node"):
            return f"{self.source}:{node.start_mark.line + 1}: {path}"
        if self.base_line:
            return f"{self.source} (imdb section at line {self.base_line}): {path}"
        return f"{self.source}: {path}"


def _plain(node: Any) -> Any:
    """A composed YAML node (or plain data) as plain Python data, marks dropped."""
    if _is_node(node, "MappingNode"):
        return {_plain(k): _plain(v) for k, v in node.value}
    if _is_node(node, "SequenceNode"):
        return [_plain(v) for v in node.value]
    if _is_node(node, "ScalarNode"):
        import yaml

        return yaml.safe_load(yaml.serialize(node))
    return node


def _items(node: Any) -> list[tuple[Any, Any, Any]]:
    """``(key, key node, value node)`` of a mapping node or a plain mapping."""
    if _is_node(node, "MappingNode"):
        return [(_plain(k), k, v) for k, v in node.value]
    return [(k, node, v) for k, v in node.items()]


def _is_mapping(node: Any) -> bool:
    """True for a YAML mapping node or a plain mapping."""
    return _is_node(node, "MappingNode") or isinstance(node, Mapping)


def _is_sequence(node: Any) -> bool:
    """True for a YAML sequence node or a plain list/tuple."""
    return _is_node(node, "SequenceNode") or isinstance(node, (list, tuple))


def _seq(node: Any) -> list[Any]:
    """Elements of a sequence node or a plain sequence."""
    return list(node.value) if _is_node(node, "SequenceNode") else list(node)


def _value(node: Any, kind: str, where: _Where, path: str) -> Any:
    """Check one scalar against its kind and return it as Python data."""
    value = _plain(node)
    bad = ImdbConfigError
    if kind == "str":
        if not isinstance(value, str) or not value.strip():
            raise bad(f"{where.at(node, path)} must be a non-empty string, got {value!r}")
        return value
    if kind == "bool":
        if not isinstance(value, bool):
            raise bad(f"{where.at(node, path)} must be true or false, got {value!r}")
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise bad(f"{where.at(node, path)} must be a number, got {value!r}")
    if kind == "int":
        if int(value) != value or value < 1:
            raise bad(f"{where.at(node, path)} must be a whole number >= 1, got {value!r}")
        return int(value)
    if value != value or value < 0:
        raise bad(f"{where.at(node, path)} must be >= 0, got {value!r}")
    if kind == "share" and value > 1:
        raise bad(f"{where.at(node, path)} must be between 0 and 1 (a fraction), got {value!r}")
    return float(value)


def _bands(node: Any, where: _Where, path: str) -> tuple[Band, ...]:
    """Validate the band list: mappings ``{min, points}``, ``min`` strictly decreasing."""
    if not _is_sequence(node) or not _seq(node):
        raise ImdbConfigError(f"{where.at(node, path)} must be a non-empty list of {{min, points}}")
    bands: list[Band] = []
    for k, item in enumerate(_seq(node)):
        here = f"{path}[{k}]"
        if not _is_mapping(item):
            raise ImdbConfigError(f"{where.at(item, here)} must be a mapping with keys min and points")
        got = {}
        for key, key_node, value_node in _items(item):
            if key not in ("min", "points"):
                raise ImdbConfigError(f"{where.at(key_node, here + '.' + str(key))}: unknown key "
                                      f"(expected min, points)")
            got[key] = _value(value_node, "share" if key == "min" else "num", where, f"{here}.{key}")
        missing = [k2 for k2 in ("min", "points") if k2 not in got]
        if missing:
            raise ImdbConfigError(f"{where.at(item, here)} is missing {', '.join(missing)}")
        if bands and got["min"] >= bands[-1].min:
            raise ImdbConfigError(f"{where.at(item, here + '.min')} must be below the previous "
                                  f"band's min ({bands[-1].min}); list bands from best to worst")
        if bands and got["points"] > bands[-1].points:
            raise ImdbConfigError(f"{where.at(item, here + '.points')} must not exceed the previous "
                                  f"band's points ({bands[-1].points})")
        bands.append(Band(got["min"], got["points"]))
    return tuple(bands)


def _walk(node: Any, schema: Mapping[str, Any], where: _Where, path: str, out: dict[str, Any]) -> None:
    """Check a mapping against ``schema`` and collect ``field -> value`` into ``out``."""
    if not _is_mapping(node):
        raise ImdbConfigError(f"{where.at(node, path or 'imdb')} must be a mapping")
    for key, key_node, value_node in _items(node):
        here = f"{path}.{key}" if path else str(key)
        spec = schema.get(key) if isinstance(key, str) else None
        if spec is None:
            raise ImdbConfigError(f"{where.at(key_node, here)}: unknown key "
                                  f"(expected one of: {', '.join(schema)})")
        if isinstance(spec, dict):
            _walk(value_node, spec, where, here, out)
        elif spec[1] == "bands":
            out[spec[0]] = _bands(value_node, where, here)
        else:
            out[spec[0]] = _value(value_node, spec[1], where, here)


def load_imdb_config(path_or_mapping: str | os.PathLike[str] | Mapping[str, Any] | None = None, *,
                     source: str | None = None, line: int = 0) -> ImdbConfig:
    """Read and validate the bonus configuration.

    ``path_or_mapping`` is a YAML file (its top level is the configuration itself, or a
    mapping with a single ``imdb:`` key), or the plain ``imdb:`` mapping of a main rubric
    (then ``source`` and ``line`` name where it came from, for messages).  ``None`` gives
    the defaults.  Raises `ImdbConfigError` naming file, line and key.
    """
    if path_or_mapping is None:
        return ImdbConfig()
    if isinstance(path_or_mapping, Mapping):
        where = _Where(source or "<imdb mapping>", line)
        root: Any = path_or_mapping
    else:
        import yaml

        name = os.fspath(path_or_mapping)
        try:
            with open(name, encoding="utf-8") as handle:
                root = yaml.compose(handle)
        except OSError as exc:
            raise ImdbConfigError(f"{name}: cannot read ({exc.strerror or exc})") from None
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            at = f":{mark.line + 1}" if mark is not None else ""
            raise ImdbConfigError(f"{name}{at}: not valid YAML ({getattr(exc, 'problem', exc)})") from None
        where = _Where(name)
        if root is None:
            return ImdbConfig()
        if _is_node(root, "MappingNode") and [_plain(k) for k, _ in root.value] == ["imdb"]:
            root = root.value[0][1]
    out: dict[str, Any] = {}
    _walk(root, _SCHEMA, where, "", out)
    config = ImdbConfig(**out)
    if config.max_points <= 0:
        raise ImdbConfigError(f"{where.at(root, 'imdb')}: all points are zero")
    return config
