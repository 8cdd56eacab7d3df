"""Read a rubric YAML file into a validated, frozen :class:`grader.models.Rubric`.

Every problem is reported as ``RubricError("FILE:LINE: what is wrong")`` with
the 1-based line of the offending key or value, so that an instructor can jump
straight to it. The YAML is composed into nodes (which keep their positions)
and validated node by node; nothing is evaluated and no builder is looked up
here (the grader must run where ``solution/`` is absent; builder names are
checked by ``grader.regenerate``).

The schema is documented in ``docs/rubrics.md`` and at the top of
``rubrics/rnn.yaml``.
"""
from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import math
import re
from dataclasses import dataclass, replace
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Iterable, Mapping

from grader.checks import CHECKS
from grader.models import DIMENSIONS, VISIBILITIES, Case, OutputSpec, Part, Rubric, Tolerance

# PyYAML (20-25 ms of CPU to import) and difflib are imported where a rubric's YAML is read:
# a class run whose rubric is cached (``load_rubric(..., cache=True)``, ``grader.rubriccache``)
# imports neither, nor do the workers, which use only ``parse_path`` and ``format_path``.
if TYPE_CHECKING:
    import yaml

__all__ = [
    "RubricError",
    "load_rubric",
    "parse_rubric",
    "parse_path",
    "format_path",
    "SUPPORTED_VERSION",
    "KNOWN_STEP_FUNCTIONS",
]

#: The rubric format version this grader reads.
SUPPORTED_VERSION = 1

#: Per-step functions of the assignment a part may name in ``depends`` without grading them itself
#: (a name a letter away from one of them is refused as a slip; any other name the generator checks
#: against the reference).
KNOWN_STEP_FUNCTIONS = (
    "rnn_cell_forward",
    "rnn_cell_backward",
    "lstm_cell_forward",
    "lstm_cell_backward",
)

_TOP_KEYS = ("version", "name", "title", "defaults", "parts", "imdb")
_DEFAULT_KEYS = ("rtol", "atol", "timeout", "dims")
_PART_KEYS = (
    "function",
    "name",
    "depends",
    "isolate",
    "mutation_weight",
    "withheld_points",
    "bonus",
    "outputs",
    "cases",
    "rtol",
    "atol",
    "timeout",
    "dims",
)
_OUTPUT_KEYS = ("name", "path", "weight", "check")
_CASE_KEYS = (
    "name",
    "id",
    "visibility",
    "builder",
    "seed",
    "dims",
    "points",
    "rtol",
    "atol",
    "timeout",
    "outputs",
    "blind_to",
)

#: Keys an instructor writes for what the format does another way, or not at all: what to write instead.
_ANOTHER_WAY = {
    ("a part", "points"): "a part's points are the sum of its cases' `points:`; to move points between "
                          "parts, change the points of their cases",
    ("a part", "max_points"): "a part's points are the sum of its cases' `points:`; change those",
    ("a part", "weight"): "a part's points are the sum of its cases' `points:` (an output's `weight:` is its "
                          "share of each case); change the cases' points",
    ("a part", "extra_credit"): "a part is made extra credit by `bonus: true`: its points then add to the "
                                "score and not to max_score (docs/rubrics.md, Bonus parts)",
    ("a case", "bonus"): "a case cannot be a bonus on its own: a part is one (`bonus: true` in the part: all "
                         "its cases' points then add to the score and not to max_score; docs/rubrics.md, Bonus "
                         "parts); to grade one function partly as a bonus, grade it in two parts, or give the "
                         "case 0 points to show it without counting it",
    ("an output", "rtol"): "tolerances are set per case, per part or in `defaults:`, not per output; to hold one "
                           "output to its own, split the case in two (docs/rubrics.md, A tighter tolerance for "
                           "one output)",
    ("an output", "atol"): "tolerances are set per case, per part or in `defaults:`, not per output; to hold one "
                           "output to its own, split the case in two (docs/rubrics.md, A tighter tolerance for "
                           "one output)",
    ("an output", "points"): "an output's share of each case's points is its `weight:`; the points are the cases'",
}
for _key in ("hidden", "public"):
    _ANOTHER_WAY[("a case", _key)] = "a case is public or hidden by its `visibility:` (`visibility: hidden`)"
_ANOTHER_WAY[("a part", "optional")] = _ANOTHER_WAY[("a part", "extra_credit")]
for _key in ("extra_credit", "optional"):
    _ANOTHER_WAY[("a case", _key)] = _ANOTHER_WAY[("a case", "bonus")]

_BUILTIN_DEFAULTS = {"rtol": 1e-5, "atol": 1e-7, "timeout": 5.0}
_NAME_RE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*\Z")
_CASE_ID_RE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_./:-]*\Z")
#: The largest ``seed:``: the builders draw from ``np.random.RandomState(seed)``, which refuses more.
_SEED_MAX = 2**32 - 1
#: A known mistake in a case's ``blind_to``: ``a0_every_step`` or ``rnn_forward/a0_every_step``.
_MISTAKE_RE = re.compile(r"(?:(?P<function>[A-Za-z_][A-Za-z0-9_]*)/)?(?P<name>[A-Za-z0-9_]+)\Z")
_PATH_TOKEN = re.compile(
    r"""\[\s*(?:(?P<int>-?\d+)|'(?P<sq>[^'\\]*)'|"(?P<dq>[^"\\]*)")\s*\]"""
)


@functools.cache
def _loader_class() -> type:
    """PyYAML's loader of rubrics: libyaml's, several times faster, or else the pure-Python one."""
    import yaml

    try:
        return yaml.CSafeLoader
    except AttributeError:  # pragma: no cover - depends on how PyYAML was built
        return yaml.SafeLoader


def _did_you_mean(word: str, choices: Iterable[str]) -> str:
    """``"; did you mean 'x'?"`` for the closest of ``choices`` to a misspelt ``word``, or ``""``.
    difflib is imported here, by a rubric with a mistake only."""
    import difflib

    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def _misspelt(name: str, known: Iterable[str]) -> str:
    """The one of ``known`` that ``name``, not among them, is a slip of (a letter left out, added,
    changed or two swapped: ``rnn_cell_forwrd``), or "". Another name in ``depends`` (a per-step
    function the course added, ``gru_cell_forward``) is the generator's to check, against the
    reference: it was refused here, "did you mean 'rnn_cell_forward'?", until the thirty-seventh
    session, so a part could not be graded apart from a new per-step function that is not graded."""
    if name in known:
        return ""
    import difflib

    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.9)
    return close[0] if close and abs(len(close[0]) - len(name)) <= 1 else ""


class RubricError(Exception):
    """A rubric file that cannot be used; ``str(err)`` is ``"FILE:LINE: problem"``."""

    def __init__(self, path: str, line: int, problem: str):
        self.path = str(path)
        self.line = int(line)
        self.problem = problem
        # Line 0 means "the file as a whole" (it cannot be read): no line to jump to.
        where = f"{self.path}:{self.line}" if self.line > 0 else self.path
        super().__init__(f"{where}: {problem}")


# --------------------------------------------------------------------------- paths


def parse_path(text: str) -> tuple:
    """Parse an output path such as ``"[2][0]"`` or ``"['dxt']"`` into ``(2, 0)`` / ``("dxt",)``.

    The empty string (or only spaces) is the whole value, ``()``. Raises
    ``ValueError`` with a short explanation for anything else.
    """
    text = text.strip()
    keys: list = []
    pos = 0
    while pos < len(text):
        match = _PATH_TOKEN.match(text, pos)
        if match is None:
            raise ValueError(
                f"bad path {text!r} at character {pos + 1}: expected [N], ['key'] or [\"key\"]"
            )
        if match.group("int") is not None:
            keys.append(int(match.group("int")))
        elif match.group("sq") is not None:
            keys.append(match.group("sq"))
        else:
            keys.append(match.group("dq"))
        pos = match.end()
        while pos < len(text) and text[pos].isspace():
            pos += 1
    return tuple(keys)


def format_path(path: Iterable) -> str:
    """Inverse of :func:`parse_path`: ``(2, "dxt")`` -> ``"[2]['dxt']"``; ``()`` -> ``""``."""
    return "".join(f"[{key}]" if isinstance(key, int) else f"[{key!r}]" for key in path)


# --------------------------------------------------------------------------- node reading


@dataclass(frozen=True)
class _Entry:
    """A key of a YAML mapping with its key node and value node."""

    key: str
    key_node: yaml.Node
    value: yaml.Node


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


class _Reader:
    """Typed access to composed YAML nodes; every failure is a RubricError at the node's line."""

    def __init__(self, path: str, loader: yaml.BaseLoader, lines: tuple[str, ...] = ()):
        self.path = path
        self.loader = loader
        self.lines = lines  # the file's lines, for hints that quote what was written

    def error(self, node: yaml.Node | int, problem: str) -> RubricError:
        line = node if isinstance(node, int) else _line(node)
        return RubricError(self.path, line, problem)

    def scalar(self, node: yaml.Node, what: str = "this key", *, expect: str = "text") -> Any:
        """The node's one value; ``what`` names it when it is a list or a mapping instead.

        ``expect`` is what the key holds, ``"text"``, ``"number"``, ``"whole number"`` or ``"boolean"`` (or ``"any"``,
        for a hint's look): YAML 1.1 reads an unquoted yes, no, on, off, true or false (so written,
        capitalised or in capitals: No, NO; nO is text)
        as a boolean, which is meant where a boolean is expected (``isolate: no``) and refused
        elsewhere, saying what was written: a case named ``no`` read "must be a non-empty text,
        not False", a ``path: no`` was told to write "['False']" (thirty-eighth session)."""
        import yaml

        if not isinstance(node, yaml.ScalarNode):
            kind = "list" if isinstance(node, yaml.SequenceNode) else "mapping"
            raise self.error(node, f"{what} must be a single value, not a {kind}{self._bracket_hint(node)}")
        try:
            value = self.loader.construct_object(node, deep=True)
        except yaml.YAMLError as exc:
            raise self.error(node, f"unreadable value: {exc}") from None
        if isinstance(value, bool) and expect in ("text", "number", "whole number"):
            read = (f"`{node.value}`, which YAML reads as the boolean {str(value).lower()} (so are yes, no, on, off, "
                    f"true and false, unquoted)")
            raise self.error(node, f"{what} must be a {expect}, not {read}" if expect != "text" else
                             f"{what} is written {read}; put it in quotes to write the word: {_double_quoted(node.value)}")
        return value

    def plain(self, node: yaml.Node) -> Any:
        """The node as plain Python data (for pass-through sections such as ``imdb``)."""
        import yaml

        try:
            return self.loader.construct_object(node, deep=True)
        except yaml.YAMLError as exc:
            raise self.error(node, f"unreadable value: {exc}") from None

    def mapping(
        self,
        node: yaml.Node,
        what: str,
        allowed: tuple[str, ...],
        required: tuple[str, ...] = (),
    ) -> dict[str, _Entry]:
        """Entries of a mapping; unknown, duplicate and missing keys are errors."""
        import yaml

        if not isinstance(node, yaml.MappingNode):
            raise self.error(node, f"{what} must be a mapping of keys to values")
        entries: dict[str, _Entry] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":  # was "could not determine a constructor"
                raise self.error(key_node, f"a YAML merge key (`<<: *...`) is not read in {what}: write its "
                                           f"keys out (the keys of `defaults:` and of a part serve each of its "
                                           f"cases)")
            key = self.scalar(key_node, f"a key of {what}") if isinstance(key_node, yaml.ScalarNode) else None
            if not isinstance(key, str):
                raise self.error(key_node, f"keys of {what} must be words, not {key!r}"
                                 f"{self._decimal_comma(key, value_node, entries)}")
            if key in entries:
                raise self.error(
                    key_node,
                    f"duplicate key {key!r} in {what} (first at line {_line(entries[key].key_node)})",
                )
            if key not in allowed and (what, key) in _ANOTHER_WAY:
                raise self.error(key_node, f"{what} has no key {key!r}: {_ANOTHER_WAY[what, key]}")
            if key not in allowed:
                mean = _did_you_mean(key, allowed)
                comma = "" if mean else self._comma_hint(node, key_node, entries)
                raise self.error(key_node, f"unknown key {key!r} in {what}" + (
                    comma or f"{mean} (known keys: {', '.join(allowed)})"))
            entries[key] = _Entry(key, key_node, value_node)
        for key in required:
            if key not in entries:
                raise self.error(node, f"{what} is missing the required key {key!r}")
        return entries

    def sequence(self, node: yaml.Node, what: str, *, nonempty: bool = True) -> list[yaml.Node]:
        import yaml

        if isinstance(node, yaml.MappingNode):
            raise self.error(node, f"{what} must be a list, not a mapping")
        if isinstance(node, yaml.ScalarNode) and node.value.strip():
            # depends: rnn_cell_forward, outputs: a_next: one item without its brackets
            raise self.error(node, f"{what} must be a list, not {node.value!r}; write [{node.value}]")
        if not isinstance(node, yaml.SequenceNode):
            raise self.error(node, f"{what} must be a list")
        if nonempty and not node.value:
            raise self.error(node, f"{what} must not be empty")
        return list(node.value)

    def string(self, node: yaml.Node, what: str, *, pattern: re.Pattern | None = None) -> str:
        value = self.scalar(node, what)
        if not isinstance(value, str) or (not value.strip() and pattern is None):
            raise self.error(node, f"{what} must be a non-empty text, not {value!r}")
        if pattern is not None and not pattern.match(value):
            raise self.error(
                node,
                f"{what} {value!r} may hold only letters, digits and _ . - (and start with a letter or digit)",
            )
        return value

    def identifier(self, node: yaml.Node, what: str) -> str:
        value = self.scalar(node, what)
        if not isinstance(value, str) or not value.isidentifier():
            raise self.error(node, f"{what} must be a Python function name, not {value!r}")
        return value

    def _written(self, first: yaml.Node, last: yaml.Node) -> str | None:
        """The text of the file from ``first``'s start to ``last``'s end when both are on one
        line, else None."""
        start, end = first.start_mark, last.end_mark
        if start.line != end.line or not 0 <= start.line < len(self.lines):
            return None
        return self.lines[start.line][start.column:end.column]

    def _comma_hint(self, node: yaml.Node, key_node: yaml.Node, entries: dict[str, _Entry]) -> str:
        """The hint for a key with no value right after an entry of a ``{...}`` whose value is plain
        text: a comma inside an unquoted text (``{name: narrow, a_next to 1e-9, ...}``), which YAML
        reads as the end of the entry, the rest as keys. Says what to write: the text in quotes."""
        import yaml

        if not node.flow_style or not entries:
            return ""
        pairs = node.value
        at = next(k for k, (key, _) in enumerate(pairs) if key is key_node)
        name, entry = list(entries.items())[-1]
        if (at == 0 or pairs[at - 1][0] is not entry.key_node or not isinstance(entry.value, yaml.ScalarNode)
                or entry.value.style or not isinstance(self.scalar(entry.value, expect="any"), str)):
            return ""
        run = []  # the key with no value, and those that follow it: the rest of the text
        for key, value in pairs[at:]:
            if not (isinstance(key, yaml.ScalarNode) and not key.style and isinstance(value, yaml.ScalarNode)
                    and not value.value and not value.style):
                break
            run.append(key)
        if not run:
            return ""
        text = (self._written(entry.value, run[-1])
                or ", ".join([entry.value.value] + [key.value for key in run]))
        return (f": in `{{...}}` a comma ends an entry, so `{name}: {text}` reads as `{name}: "
                f"{entry.value.value}` and then the key{'s' if len(run) > 1 else ''} "
                f"{', '.join(repr(key.value) for key in run)}; put the text in quotes: "
                f"`{name}: {_double_quoted(text)}`")

    def _bracket_hint(self, node: yaml.Node) -> str:
        """The hint for a value written as ``[...]`` or ``{...}`` where text was meant (a case name
        written ``[m = 1]``): in YAML a value that starts with a bracket is a list or a
        mapping. Says what to write: the text in quotes."""
        if not node.flow_style:
            return ""
        text = self._written(node, node)
        if text is None:
            return ""
        return (f"; a value that starts with `{text[0]}` is a {'list' if text[0] == '[' else 'mapping'} in "
                f"YAML: to write it as text, put it in quotes ({_double_quoted(text)})")

    def _decimal_comma(self, key: object, value_node: yaml.Node, entries: dict[str, _Entry]) -> str:
        """The hint for a number read as a key with no value after an entry of a ``{...}``: the
        decimal comma of ``points: 2,5``, which YAML reads as ``points: 2`` and a key ``5``."""
        import yaml

        if (isinstance(key, bool) or not isinstance(key, int) or not entries
                or not isinstance(value_node, yaml.ScalarNode) or self.scalar(value_node, expect="any") is not None):
            return ""
        name, entry = list(entries.items())[-1]
        if not isinstance(entry.value, yaml.ScalarNode):
            return ""
        before = entry.value.value
        return (f"; in `{{...}}` a comma separates entries, so `{name}: {before},{key}` reads as "
                f"`{name}: {before}` and a key `{key}`: write a decimal number with a point (`{before}.{key}`)")

    def integer(self, node: yaml.Node, what: str, *, minimum: int | None = None,
                maximum: tuple[int, str] | None = None) -> int:
        """A whole number, at least ``minimum``; ``maximum`` is the largest allowed and why."""
        value = self.scalar(node, what, expect="whole number")
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.error(node, f"{what} must be a whole number, not {value!r}{_whole_hint(value, node)}")
        written = str(node.value).strip().replace("_", "")
        if not node.style and _NOT_DECIMAL.match(written):
            digits = written.lstrip("+-").lstrip("0")
            how = (f"write it without the leading 0 ({digits}), or {value} if {value} is meant"
                   if written.lstrip("+-").isdigit() else f"write it in decimal digits ({value})")
            raise self.error(node, f"{what} is written `{node.value}`, which YAML reads as {value} (a leading 0 "
                                   f"makes an octal number, 0x a hexadecimal one, a colon one in base 60); {how}")
        if minimum is not None and value < minimum:
            raise self.error(node, f"{what} must be at least {minimum}, not {value}")
        if maximum is not None and value > maximum[0]:
            allowed = f"from {minimum} to {maximum[0]}" if minimum is not None else f"at most {maximum[0]}"
            raise self.error(node, f"{what} must be {allowed} ({maximum[1]}), not {value}")
        return value

    def number(
        self,
        node: yaml.Node,
        what: str,
        *,
        positive: bool = False,
        maximum: float | None = None,
    ) -> float:
        """A finite non-negative number (positive if asked).

        PyYAML reads ``1e-5`` (no dot) as text; an unquoted value of that form
        is accepted as the number it obviously means.
        """
        value = self.scalar(node, what, expect="number")
        if isinstance(value, str) and not node.style:  # plain (unquoted) scalar
            try:
                value = float(value)
            except ValueError:
                pass
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.error(node, f"{what} must be a number, not {value!r}{_number_hint(value, node)}")
        value = float(value)
        if not math.isfinite(value):
            raise self.error(node, f"{what} must be a finite number, not {value!r}")
        if value < 0:
            raise self.error(node, f"{what} must not be negative, not {value:g}")
        if positive and value == 0:
            raise self.error(node, f"{what} must be greater than 0")
        if maximum is not None and value > maximum:
            raise self.error(node, f"{what} must be at most {maximum:g}, not {value:g}")
        return value

    def boolean(self, node: yaml.Node, what: str) -> bool:
        """``true`` or ``false``; YAML 1.1's yes, no, on and off too, unquoted: they mean the boolean."""
        value = self.scalar(node, what, expect="boolean")
        if not isinstance(value, bool):
            meant = _YAML_BOOLEANS.get(value.strip().lower()) if isinstance(value, str) else None
            hint = f"; a boolean in quotes is text: write {str(meant).lower()} without quotes" if meant is not None else ""
            raise self.error(node, f"{what} must be true or false, not {value!r}{hint}")
        return value

    def dims(self, node: yaml.Node, what: str) -> dict[str, int]:
        entries = self.mapping(node, what, DIMENSIONS)
        return {
            key: self.integer(entry.value, f"dimension {key}", minimum=1)
            for key, entry in entries.items()
        }


# --------------------------------------------------------------------------- loading


def load_rubric(path: str | Path, *, cache: bool = False) -> Rubric:
    """Read and validate the rubric file at ``path``.

    Returns a frozen :class:`grader.models.Rubric` whose ``path`` is ``str(path)``
    and whose ``digest`` is :func:`rubric_digest`'s, of what it says. Raises
    :class:`RubricError` (``"FILE:LINE: problem"``) for anything invalid,
    including a file that cannot be read (line 0, ``"FILE: problem"``).

    ``cache``: take the rubric from its cache when one made from exactly these bytes is
    there, and keep one otherwise (``grader.rubriccache``, a class run's: no YAML is read
    then). Only a valid rubric is kept, so every error comes from reading the YAML.
    """
    path_text = str(path)
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise RubricError(path_text, 0, f"cannot read the rubric: {exc.strerror or exc}") from None
    if not cache:
        return parse_rubric(data, path=path_text)
    # Imported here: a class run's only; the student kit's self-check has no rubriccache module.
    from grader import rubriccache

    cached = rubriccache.load_cached(Path(path), data)
    if cached is not None:
        return replace(cached, path=path_text)
    rubric = parse_rubric(data, path=path_text)
    rubriccache.store_cached(Path(path), data, rubric)
    return rubric


def parse_rubric(data: bytes | str, *, path: str = "<rubric>") -> Rubric:
    """Validate rubric YAML text (``path`` is only used in messages and ``Rubric.path``)."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RubricError(path, 1, f"the rubric is not UTF-8 text ({exc.reason})") from None
    import yaml

    loader = _loader_class()(text)
    try:
        try:
            root = loader.get_single_node()
        except yaml.MarkedYAMLError as exc:
            line, problem = _yaml_problem(exc, text)
            raise RubricError(path, line, f"not valid YAML: {problem}") from None
        except yaml.YAMLError as exc:
            raise RubricError(path, 1, f"not valid YAML: {exc}") from None
        if root is None:
            raise RubricError(path, 1, "the rubric file is empty")
        reader = _Reader(path, loader, tuple(_YAML_LINE_BREAK.split(text)))
        rubric = _read_rubric(reader, root)
        return replace(rubric, digest=rubric_digest(rubric), file_digest=hashlib.sha256(raw).hexdigest())
    finally:
        loader.dispose()


#: What a rubric's digest leaves out, by record: where a thing is written (the file, its lines) and
#: what only the fixtures' generator reads (``blind_to``: the known mistakes a case is meant not to
#: catch). A field added to the rubric's records is in the digest unless it is named here
#: (``tests/test_rubric_digest.py`` makes each new field a decision).
NOT_DIGESTED: Mapping[str, frozenset[str]] = MappingProxyType({
    "Rubric": frozenset({"path", "digest", "imdb_line", "file_digest"}), "Part": frozenset({"line"}),
    "Case": frozenset({"line", "blind_to"}), "OutputSpec": frozenset({"line"})})

#: The first line of what ``rubric_digest`` hashes: another form of it, another number.
_DIGEST_FORM = "rubric digest 1\n"


def _digested(value: Any) -> Any:
    """``value`` (a rubric record, or what one holds) as plain JSON data, without ``NOT_DIGESTED``."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        left_out = NOT_DIGESTED.get(type(value).__name__, frozenset())
        return {f.name: _digested(getattr(value, f.name)) for f in dataclasses.fields(value)
                if f.name not in left_out}
    if isinstance(value, Mapping):
        return {str(key): _digested(item) for key, item in value.items()}
    if isinstance(value, (tuple, list)):
        return [_digested(item) for item in value]
    return value


def rubric_digest(rubric: Rubric) -> str:
    """The sha256 of what ``rubric`` says (``Rubric.digest``): its parts, cases, outputs, points,
    tolerances, timeouts, names and titles, its ``imdb:`` section; not how its file writes them.
    A comment, a blank line, keys in another order, ``1e-5`` for ``1.0e-5``, or a ``blind_to``
    edited leave it as it was, so a class graded with the rubric is not graded again (the keys of
    ``grader.incremental`` hold it): until the thirty-seventh session it was the sha256 of the
    file's bytes, and a comment edited in ``rubrics/rnn.yaml`` regraded everyone."""
    text = json.dumps(_digested(rubric), sort_keys=True, ensure_ascii=False, default=repr)
    return hashlib.sha256((_DIGEST_FORM + text).encode("utf-8")).hexdigest()


#: Syntax errors whose mistake is where PyYAML's *context* starts, not where it gave up:
#: a key without ": " (the scanner notices on the next line), an unclosed quote, an unclosed
#: ``{...}`` or ``[...]`` (noticed on a later line).
_CONTEXT_IS_THE_MISTAKE = ("while scanning a simple key", "while scanning a quoted scalar",
                           "while parsing a flow mapping", "while parsing a flow sequence")


#: A whole number YAML 1.1 reads in another base: ``011`` (octal, 9), ``0x1f``, ``0b11``, ``1:30``
#: (base 60, 90). A seed written ``007`` was silently seed 7, ``010`` seed 8 (thirty-seventh session).
_NOT_DECIMAL = re.compile(r"[-+]?(0[0-9]|0[xXoObB]|[0-9]+:)")

#: The words YAML 1.1 (PyYAML) reads as booleans, unquoted, in lower case.
_YAML_BOOLEANS = {"true": True, "yes": True, "on": True, "false": False, "no": False, "off": False}

#: The line breaks YAML counts (``str.splitlines`` knows more, which would shift the lines shown).
_YAML_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")


def _yaml_hint(problem: str, context: str, *, at_tab: bool = False) -> str:
    """What an instructor most likely has to change for a PyYAML syntax error (or ""); ``at_tab``:
    the parser stopped on a tab (after spaces, where it says only "found character that cannot
    start any token")."""
    if "tab" in problem or at_tab:
        return "YAML indents with spaces only: replace the tab by spaces"
    if "could not find expected ':'" in problem:
        return "a key needs a colon and a space before its value (`seed: 7`)"
    if "quoted scalar" in context:
        return "a quote opened on this line is never closed"
    if "flow" in context:
        return ("a `{` or `[` opened on this line is not closed, a quote is not closed, or a value "
                "holds ': ' (put such a value in quotes)")
    if "mapping values are not allowed" in problem:
        return ("this line is indented deeper than the keys it belongs with, or a value holds ': ' "
                "(put such a value in quotes)")
    if "expected '-' indicator" in problem or "expected key" in problem or "expected <block end>" in problem:
        return ("check this line's indentation: a key lines up with the other keys of its mapping, "
                "a list item's '-' with the other items of its list")
    return ""


def _as_written(value: object, node: "yaml.Node") -> str:
    """``value`` as a message shows it: its ``repr``, or for a boolean what the rubric wrote and how
    YAML read it (```yes``` read as true), which ``True`` alone did not tell."""
    if isinstance(value, bool):
        return f"`{node.value}` (which YAML reads as the boolean {str(value).lower()})"
    return repr(value)


def _bare_path_hint(text: str) -> str:
    """What to write for an output path without its brackets (``path: 1``, ``path: dxt``), or ""."""
    plain = text.strip().strip("'\"")
    if plain.lstrip("-").isdigit():
        return f'; for element {plain} of a returned tuple write path: "[{plain}]"'
    if plain.isidentifier():
        return f"; for the key {plain} of a returned dict write path: \"['{plain}']\""
    return ""


def _double_quoted(text: str) -> str:
    """``text`` as a double-quoted YAML value."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _number_hint(value: object, node: "yaml.Node") -> str:
    """What to change when a number was written as text: quotes, or a decimal comma."""
    text = str(value).strip()
    for candidate, hint in ((text, "; a number in quotes is text: remove the quotes"),
                            (text.replace(",", ".", 1), "; write a decimal number with a point, not a comma")):
        try:
            float(candidate)
        except ValueError:
            continue
        if candidate == text and not getattr(node, "style", None):
            continue  # an unquoted number-like text: not the quotes' fault
        return hint
    return ""


def _whole_hint(value: object, node: "yaml.Node") -> str:
    """What to change when a whole number was written otherwise: ``11.0`` or ``"11"``."""
    if isinstance(value, float) and value.is_integer():
        return f"; write it without a decimal point: {int(value)}"
    if isinstance(value, str) and getattr(node, "style", None) and value.strip().isdigit():
        return f"; a number in quotes is text: remove the quotes ({value.strip()})"
    return ""


def _shown(line: str) -> str:
    """A rubric line as a message shows it: tabs visible, at most 100 characters."""
    shown = line.rstrip().replace("\t", "\\t")
    return shown if len(shown) <= 100 else shown[:97] + "..."


#: A double quote that starts a value (at the line's start, after a list's ``-``, a key's ``: ``,
#: or ``[``, ``{``, ``,``): one inside a plain value (``title: a 5" screen``) opens nothing.
_OPENING_QUOTE = re.compile(r'(?:^[ \t]*(?:-[ \t]+)*|:[ \t]+|[\[{,][ \t]*)"')


def _unclosed_quote(lines: list[str], first: int, last: int) -> int:
    """The first line in ``first`` .. ``last - 1`` (1-based) with an odd number of double quotes,
    one of which starts a value, outside a comment, or 0: where a string that swallowed the
    following lines was opened."""
    for number in range(max(first, 1), min(last, len(lines) + 1)):
        code = lines[number - 1]
        if code.lstrip().startswith("#"):
            continue
        if code.count('"') % 2 and _OPENING_QUOTE.search(code):
            return number
    return 0


def _yaml_problem(exc: yaml.MarkedYAMLError, text: str) -> tuple[int, str]:
    """``(line, message)`` for a YAML syntax error: the line most likely at fault (1-based), the
    parser's words, the line's text and a hint in plain words."""
    context = exc.context or ""
    problem = exc.problem or context or "unreadable"
    mark = exc.problem_mark or exc.context_mark
    if exc.context_mark is not None and context.startswith(_CONTEXT_IS_THE_MISTAKE):
        mark = exc.context_mark
    line = mark.line + 1 if mark is not None else 1
    lines = _YAML_LINE_BREAK.split(text)
    opened = _unclosed_quote(lines, exc.context_mark.line + 1 if exc.context_mark else 1, line)
    if opened:  # a "..." left open runs on, over line breaks, to the next quote: the mistake is earlier
        shown = _shown(lines[opened - 1])
        return opened, (f"{problem} at line {line}, after a quote opened in `{shown}` that is not closed "
                        f"on its line (YAML reads on to the next quote); close it")
    message = problem
    if context and exc.context_mark is not None and exc.context_mark.line + 1 != line and "tab" not in problem:
        where = {"while parsing a block collection": "in the list", "while parsing a block mapping":
                 "in the mapping"}.get(context, context)
        message += f" ({where} that starts at line {exc.context_mark.line + 1})"
    if 0 < line <= len(lines) and lines[line - 1].strip():
        message += f", in `{_shown(lines[line - 1])}`"
    text_at = lines[line - 1] if mark is not None and 0 < line <= len(lines) else ""
    at_tab = mark is not None and text_at[mark.column:mark.column + 1] == "\t"
    hint = _yaml_hint(problem, context, at_tab=at_tab)
    return line, f"{message}; {hint}" if hint else message


def _read_rubric(reader: _Reader, root: yaml.Node) -> Rubric:
    """The rubric ``root`` holds, its ``digest`` left empty (``parse_rubric`` gives it)."""
    import yaml

    if not isinstance(root, yaml.MappingNode):
        raise reader.error(root, "a rubric must be a mapping with keys version, name, parts, ...")
    # The version comes first: a newer format must fail with a version message, not unknown keys.
    version_entry = next(
        (
            (k, v)
            for k, v in root.value
            if isinstance(k, yaml.ScalarNode) and k.value == "version"
        ),
        None,
    )
    if version_entry is None:
        keys = [k.value for k, _ in root.value if isinstance(k, yaml.ScalarNode)]
        if not {"version", "name", "parts"} & set(keys):
            shown = ", ".join(_shown(str(k)) for k in keys[:8]) + (", ..." if len(keys) > 8 else "")
            raise reader.error(
                root,
                f"this file is not a rubric: it has none of the keys version, name, parts (its keys: "
                f"{shown}); see docs/rubrics.md (an IMDB bonus configuration such as "
                f"rubrics/imdb.yaml is read by grader.imdb and has no fixtures)")
        raise reader.error(root, f"the rubric is missing the required key 'version' (this grader reads version {SUPPORTED_VERSION})")
    version = reader.integer(version_entry[1], "version")
    if version > SUPPORTED_VERSION:
        raise reader.error(
            version_entry[1],
            f"rubric version {version} is too new for this grader, which reads version "
            f"{SUPPORTED_VERSION}; update the grader",
        )
    if version < SUPPORTED_VERSION:
        raise reader.error(
            version_entry[1],
            f"rubric version {version} is too old; this grader reads version {SUPPORTED_VERSION} "
            "(see docs/rubrics.md for the current format)",
        )

    top = reader.mapping(root, "the rubric", _TOP_KEYS, ("version", "name", "parts"))
    name = reader.string(top["name"].value, "the rubric name", pattern=_NAME_RE)
    title = reader.string(top["title"].value, "title") if "title" in top else name

    defaults = dict(_BUILTIN_DEFAULTS)
    default_dims: dict[str, int] = {}
    if "defaults" in top:
        entries = reader.mapping(top["defaults"].value, "defaults", _DEFAULT_KEYS)
        defaults.update(_read_limits(reader, entries))
        if "dims" in entries:
            default_dims = reader.dims(entries["dims"].value, "defaults: dims")

    imdb, imdb_line = None, 0
    if "imdb" in top:
        node = top["imdb"].value
        if not isinstance(node, yaml.MappingNode):
            raise reader.error(node, "imdb must be a mapping (its keys are checked by grader.imdb)")
        imdb, imdb_line = MappingProxyType(reader.plain(node)), _line(node)

    part_nodes = reader.sequence(top["parts"].value, "parts")
    parts: list[Part] = []
    seen_functions: dict[str, int] = {}
    seen_names: dict[str, int] = {}
    seen_ids: dict[str, int] = {}
    depends_nodes: list[tuple[yaml.Node, str]] = []
    for node in part_nodes:
        part = _read_part(
            reader, node, defaults, default_dims, seen_functions, seen_names, seen_ids, depends_nodes
        )
        parts.append(part)

    known = set(seen_functions) | set(KNOWN_STEP_FUNCTIONS)
    for node, dep in depends_nodes:
        typo = _misspelt(dep, known)
        if typo:
            raise reader.error(
                node,
                f"depends names {dep!r}, which is neither a graded function of this rubric "
                f"nor a known per-step function; did you mean {typo!r}?",
            )

    return Rubric(
        version=version,
        name=name,
        title=title,
        path=reader.path,
        parts=tuple(parts),
        digest="",
        imdb=imdb,
        imdb_line=imdb_line,
    )


def _read_limits(reader: _Reader, entries: Mapping[str, _Entry]) -> dict[str, float]:
    """The tolerance and timeout keys present among ``entries``."""
    limits: dict[str, float] = {}
    for key in ("rtol", "atol"):
        if key in entries:
            limits[key] = reader.number(entries[key].value, key)
    if "timeout" in entries:
        limits["timeout"] = reader.number(entries["timeout"].value, "timeout (seconds)", positive=True)
    return limits


def _read_part(
    reader: _Reader,
    node: yaml.Node,
    defaults: Mapping[str, float],
    default_dims: Mapping[str, int],
    seen_functions: dict[str, int],
    seen_names: dict[str, int],
    seen_ids: dict[str, int],
    depends_nodes: list[tuple[yaml.Node, str]],
) -> Part:
    """One entry of ``parts``; records its function and name in the ``seen_*`` maps."""
    entries = reader.mapping(node, "a part", _PART_KEYS, ("function", "outputs", "cases"))
    function_node = entries["function"].value
    function = reader.identifier(function_node, "function")
    if function in seen_functions:
        raise reader.error(
            function_node,
            f"function {function!r} is graded twice (first at line {seen_functions[function]})",
        )
    name_node = entries["name"].value if "name" in entries else function_node
    name = reader.string(name_node, "part name", pattern=_NAME_RE) if "name" in entries else function
    if name in seen_names:
        raise reader.error(
            name_node, f"part name {name!r} is used twice (first at line {seen_names[name]})"
        )
    seen_functions[function] = _line(node)
    seen_names[name] = _line(node)
    what = f"part {name!r}"

    depends: list[str] = []
    if "depends" in entries:
        for dep_node in reader.sequence(entries["depends"].value, f"depends of {what}", nonempty=False):
            dep = reader.identifier(dep_node, "a name in depends")
            if dep == function:
                raise reader.error(dep_node, f"{function} cannot depend on itself")
            if dep in depends:
                raise reader.error(dep_node, f"{dep!r} is listed twice in depends")
            depends.append(dep)
            depends_nodes.append((dep_node, dep))

    isolate = reader.boolean(entries["isolate"].value, "isolate") if "isolate" in entries else True
    mutation_weight = (
        reader.number(entries["mutation_weight"].value, "mutation_weight", maximum=1.0)
        if "mutation_weight" in entries
        else 0.0
    )

    withheld_points = (reader.number(entries["withheld_points"].value, "withheld_points")
                       if "withheld_points" in entries else 0.0)
    bonus = reader.boolean(entries["bonus"].value, "bonus") if "bonus" in entries else False

    limits = dict(defaults)
    limits.update(_read_limits(reader, entries))
    dims = dict(default_dims)
    if "dims" in entries:
        dims.update(reader.dims(entries["dims"].value, f"dims of {what}"))

    outputs: list[OutputSpec] = []
    for out_node in reader.sequence(entries["outputs"].value, f"outputs of {what}"):
        out = reader.mapping(out_node, "an output", _OUTPUT_KEYS, ("name",))
        out_name = reader.string(out["name"].value, "output name", pattern=_NAME_RE)
        if any(o.name == out_name for o in outputs):
            raise reader.error(out["name"].value, f"output {out_name!r} is listed twice in {what}")
        path: tuple = ()
        if "path" in out:
            text = reader.scalar(out["path"].value, "path")
            if text is None:
                text = ""
            if not isinstance(text, str):
                raise reader.error(out["path"].value, f"path must be text such as \"[0]\" or \"['dxt']\", not {text!r}"
                                   f"{_bare_path_hint(str(text))}")
            try:
                path = parse_path(text)
            except ValueError as exc:
                raise reader.error(out["path"].value, f"{exc}{_bare_path_hint(text)}") from None
        weight = reader.number(out["weight"].value, "output weight") if "weight" in out else 1.0
        check = "allclose"
        if "check" in out:
            check = reader.scalar(out["check"].value, "check", expect="any")
            if check not in CHECKS:
                raise reader.error(
                    out["check"].value,
                    f"unknown check {_as_written(check, out['check'].value)}{_did_you_mean(out['check'].value.value, sorted(CHECKS))} "
                    f"(known: {', '.join(sorted(CHECKS))})",
                )
        outputs.append(
            OutputSpec(name=out_name, path=path, weight=weight, check=check, line=_line(out_node))
        )
    if sum(o.weight for o in outputs) <= 0:
        raise reader.error(entries["outputs"].value, f"the output weights of {what} add up to 0")

    cases: list[Case] = []
    counters = {v: 0 for v in VISIBILITIES}
    case_names: dict[str, int] = {}
    # A student kit's part graded on hidden cases only (``grader.kit``) has `cases: []` and the
    # hidden cases' points in `withheld_points:`; any other part needs a case.
    case_nodes = reader.sequence(entries["cases"].value, f"cases of {what}", nonempty=withheld_points <= 0)
    for case_node in case_nodes:
        case = _read_case(reader, case_node, name, function, outputs, limits, dims, counters)
        if case.name in case_names:
            raise reader.error(
                case_node, f"case name {case.name!r} is used twice in {what} (first at line {case_names[case.name]}); "
                           f"students read it, so give each case of a part a name of its own"
            )
        if case.id in seen_ids:
            raise reader.error(case_node, f"case id {case.id!r} is used twice (first at line {seen_ids[case.id]}); "
                                          f"ids key the fixtures: give this case an id: of its own")
        case_names[case.name] = case.line
        seen_ids[case.id] = case.line
        cases.append(case)

    return Part(
        name=name,
        function=function,
        cases=tuple(cases),
        outputs=tuple(outputs),
        depends=tuple(depends),
        isolate=isolate,
        mutation_weight=mutation_weight,
        line=_line(node),
        withheld_points=withheld_points,
        bonus=bonus,
    )


def _read_case(
    reader: _Reader,
    node: yaml.Node,
    part: str,
    function: str,
    outputs: list[OutputSpec],
    limits: Mapping[str, float],
    part_dims: Mapping[str, int],
    counters: dict[str, int],
) -> Case:
    entries = reader.mapping(node, "a case", _CASE_KEYS, ("visibility", "seed", "points"))
    visibility = reader.scalar(entries["visibility"].value, "visibility", expect="any")
    if visibility not in VISIBILITIES:
        raise reader.error(
            entries["visibility"].value,
            f"visibility must be one of {', '.join(VISIBILITIES)}, not {_as_written(visibility, entries['visibility'].value)}",
        )
    counters[visibility] += 1
    if "id" in entries:
        case_id = reader.string(entries["id"].value, "case id", pattern=_CASE_ID_RE)
    else:
        case_id = f"{part}/{visibility}-{counters[visibility]}"
    name = (
        reader.string(entries["name"].value, "case name")
        if "name" in entries
        else f"{visibility} case {counters[visibility]}"
    )
    builder = (
        reader.identifier(entries["builder"].value, "builder")
        if "builder" in entries
        else function
    )
    seed = reader.integer(entries["seed"].value, "seed", minimum=0,
                          maximum=(_SEED_MAX, "2**32 - 1, the largest seed NumPy's RandomState takes"))
    points = reader.number(entries["points"].value, "points")

    dims = dict(part_dims)
    if "dims" in entries:
        dims.update(reader.dims(entries["dims"].value, "dims"))
    missing = [d for d in DIMENSIONS if d not in dims]
    if missing:
        where = entries["dims"].value if "dims" in entries else node
        raise reader.error(
            where,
            f"case {name!r} does not set the dimension(s) {', '.join(missing)} "
            "(give them in the case's dims, the part's dims or defaults: dims)",
        )

    own = _read_limits(reader, entries)
    rtol = own.get("rtol", limits["rtol"])
    atol = own.get("atol", limits["atol"])
    timeout = own.get("timeout", limits["timeout"])

    names = [o.name for o in outputs]
    if "outputs" in entries:
        chosen: list[str] = []
        for out_node in reader.sequence(entries["outputs"].value, "outputs of a case"):
            out_name = reader.scalar(out_node, "a name in a case's outputs")
            if out_name not in names:
                raise reader.error(
                    out_node,
                    f"unknown output {out_name!r}{_did_you_mean(str(out_name), names)} "
                    f"(the part's outputs: {', '.join(names)})",
                )
            if out_name in chosen:
                raise reader.error(out_node, f"output {out_name!r} is listed twice")
            chosen.append(out_name)
        case_outputs = tuple(chosen)
    else:
        case_outputs = tuple(names)
    blind_to = _read_blind_to(reader, entries["blind_to"].value, function) if "blind_to" in entries else ()

    return Case(
        id=case_id,
        part=part,
        function=function,
        name=name,
        visibility=visibility,
        builder=builder,
        seed=seed,
        dims=MappingProxyType({d: dims[d] for d in DIMENSIONS}),
        points=points,
        tolerance=Tolerance(rtol=rtol, atol=atol),
        outputs=case_outputs,
        timeout=timeout,
        line=_line(node),
        blind_to=blind_to,
    )


def _read_blind_to(reader: _Reader, node: "yaml.Node", function: str) -> tuple[str, ...]:
    """A case's ``blind_to``: known mistakes of ``function`` as full ids (``function/name``).
    Whether each is a known mistake is checked by the generator, which has ``solution/``."""
    ids: list[str] = []
    for item in reader.sequence(node, "blind_to (known mistakes of solution/mutants.py)", nonempty=False):
        text = reader.scalar(item, "a name in blind_to")
        found = _MISTAKE_RE.match(text) if isinstance(text, str) else None
        if found is None:
            raise reader.error(item, f"blind_to names known mistakes such as a0_every_step or "
                                     f"{function}/a0_every_step (ids of solution/mutants.py), not {text!r}")
        if found["function"] not in (None, function):
            raise reader.error(item, f"{text!r} is a known mistake of {found['function']}, "
                                     f"not of {function}, the function this case grades")
        mistake = f"{function}/{found['name']}"
        if mistake in ids:
            raise reader.error(item, f"{mistake!r} is listed twice in blind_to")
        ids.append(mistake)
    return tuple(ids)
