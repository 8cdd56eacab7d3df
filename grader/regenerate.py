"""Instructors' fixture generator: run the reference on every case of a rubric.

    python3 -m grader.regenerate rubrics/rnn.yaml           # (re)write the fixture files
    python3 -m grader.regenerate rubrics/rnn.yaml --check   # verify them; exit 1 if stale

For every case: ``args = BUILDERS[case.builder](seed=case.seed, **case.dims)``;
``expected = reference(*args)``; for each per-step function the part
``depends`` on, the reference's calls of it (``[args, result]`` in order),
recorded by running a copy of the reference function whose globals bind that
name to a recorder; and for each known mistake of the function
(``solution.mutants.MUTANTS``), the mutant's result on the same arguments or
the error it raised.

This is the only module of ``grader/`` that imports ``solution/``, and only
inside :func:`load_reference` (the student kit ships without it).
"""
from __future__ import annotations

import argparse
import copy
import datetime
import difflib
import sys
import types
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

import numpy as np

from grader import blindspots
from grader import fixtures as fx
from grader import plaindata
from grader.copycommands import grade_command, module_command, quoted
from grader.models import VISIBILITIES, Case, Part, Rubric
from grader.rubric import RubricError, load_rubric

__all__ = [
    "Reference",
    "RegenerateError",
    "CheckReport",
    "load_reference",
    "compute_fixtures",
    "regenerate",
    "check",
    "value_changes",
    "main",
]

EXIT_OK = 0
EXIT_STALE = 1  # --check found missing, stale or different fixtures
EXIT_ERROR = 2  # the rubric, a builder or the reference could not be used

#: Values in a stored fixture may differ from a fresh computation by this much (absolute and relative).
CHECK_TOLERANCE = 1e-12


class RegenerateError(Exception):
    """The fixtures cannot be computed; the message names the rubric file and line."""


@dataclass(frozen=True)
class Reference:
    """What the generator runs: reference functions, input builders, known mistakes.

    ``functions``: name -> reference function (``solution.rnn``).
    ``builders``: builder name -> ``f(*, seed, n_x, n_a, n_y, m, T_x) -> tuple``.
    ``mutants``: mutant id -> object with ``id``, ``function``, ``message``, ``fn``.
    """

    functions: Mapping[str, Callable]
    builders: Mapping[str, Callable]
    mutants: Mapping[str, Any]


def load_reference() -> Reference:
    """Import ``solution.rnn``, ``solution.setups`` and ``solution.mutants`` (lazily, here only)."""
    try:
        from solution import mutants, rnn, setups
    except ImportError as exc:
        raise RegenerateError(
            f"cannot import the reference solution ({exc}); run from the repository root"
        ) from None
    # Every public function solution/rnn.py defines, listed in its __all__ or not: a function an
    # instructor adds for a new part was "not in the reference" until __all__ named it too.
    functions = {
        name: value
        for name, value in vars(rnn).items()
        if isinstance(value, types.FunctionType) and not name.startswith("_")
        and (value.__module__ == rnn.__name__ or name in getattr(rnn, "__all__", ()))
    }
    return Reference(functions=functions, builders=setups.BUILDERS, mutants=mutants.MUTANTS)


# --------------------------------------------------------------------------- computing


def _error_text(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


def _rebind(fn: types.FunctionType, names: Mapping[str, Callable]) -> types.FunctionType:
    """A copy of ``fn`` whose global names in ``names`` are rebound (other globals shared)."""
    clone = types.FunctionType(
        fn.__code__, dict(fn.__globals__, **names), fn.__name__, fn.__defaults__, fn.__closure__
    )
    clone.__kwdefaults__ = copy.copy(fn.__kwdefaults__)
    return clone


def _recorder(target: Callable, calls: list) -> Callable:
    """Calls ``target`` and appends ``(copy of args, copy of result)`` to ``calls``."""

    def record(*args):
        before = copy.deepcopy(args)
        result = target(*args)
        calls.append((before, copy.deepcopy(result)))
        return result

    return record


def _where(rubric: Rubric, line: int) -> str:
    return f"{rubric.path}:{line}"


def _did_you_mean(name: str, known: Mapping[str, Any]) -> str:
    """``"; did you mean 'x'?"`` for the closest of ``known``, or ``""``."""
    close = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def compute_case(rubric: Rubric, part: Part, case: Case, reference: Reference) -> fx.CaseFixture:
    """The fixture of one case: args, expected value, dependency traces and mutant outputs."""
    where = _where(rubric, case.line)
    function = reference.functions.get(part.function)
    if function is None:  # before the builder, which is named after the function unless the case says
        raise RegenerateError(
            f"{_where(rubric, part.line)}: the reference solution (solution/rnn.py) has no function "
            f"{part.function!r}{_did_you_mean(part.function, reference.functions)} "
            f"(it has: {', '.join(sorted(reference.functions))})"
        )
    builder = reference.builders.get(case.builder)
    if builder is None:
        known = ", ".join(sorted(reference.builders))
        defaulted = (" (a case without builder: uses the function's name; add a builder to "
                     "solution/setups.py BUILDERS or name one)") if case.builder == part.function else ""
        raise RegenerateError(f"{where}: unknown builder {case.builder!r}"
                              f"{_did_you_mean(case.builder, reference.builders)}{defaulted} "
                              f"(known builders: {known})")
    try:
        args = builder(seed=case.seed, **dict(case.dims))
    except Exception as exc:  # noqa: BLE001 - any builder failure is reported at the case
        raise RegenerateError(f"{where}: builder {case.builder!r} failed: {_error_text(exc)}") from None
    if not isinstance(args, tuple):
        raise RegenerateError(f"{where}: builder {case.builder!r} returned {type(args).__name__}, not a tuple")

    pristine = copy.deepcopy(args)
    try:
        expected = function(*args)
    except Exception as exc:  # noqa: BLE001
        raise RegenerateError(
            f"{where}: the reference {part.function} raised on this case: {_error_text(exc)}"
        ) from None
    if not _same(args, pristine):
        raise RegenerateError(f"{where}: the reference {part.function} modified its inputs")
    expected = copy.deepcopy(expected)
    unreachable = fx.unreachable_output(rubric, case, expected)
    if unreachable:
        raise RegenerateError(unreachable)

    traces: dict[str, tuple] = {}
    if part.depends:
        if not isinstance(function, types.FunctionType):
            raise RegenerateError(f"{_where(rubric, part.line)}: cannot trace {part.function}: not a Python function")
        recorded: dict[str, list] = {}
        rebound: dict[str, Callable] = {}
        for dep in part.depends:
            target = function.__globals__.get(dep)
            if not callable(target):
                callables = {name: value for name, value in function.__globals__.items()
                             if callable(value) and not name.startswith("_")}
                raise RegenerateError(
                    f"{_where(rubric, part.line)}: depends names {dep!r}, which the reference "
                    f"{part.function} cannot call (no such global in its module)"
                    f"{_did_you_mean(dep, callables)}"
                )
            recorded[dep] = []
            rebound[dep] = _recorder(target, recorded[dep])
        traced_result = _rebind(function, rebound)(*copy.deepcopy(pristine))
        if not _same(traced_result, expected):
            raise RegenerateError(f"{where}: the traced run of {part.function} differs from the plain run")
        for dep in part.depends:
            if not recorded[dep]:
                raise RegenerateError(
                    f"{_where(rubric, part.line)}: depends names {dep!r}, but the reference "
                    f"{part.function} never calls it"
                )
            traces[dep] = tuple(recorded[dep])

    outcomes: dict[str, Any] = {}
    for mutant_id in sorted(reference.mutants):
        mutant = reference.mutants[mutant_id]
        if mutant.function != part.function:
            continue
        try:
            result = mutant.fn(*copy.deepcopy(pristine))
        except Exception as exc:  # noqa: BLE001 - a mutant that raises is recorded as such
            outcomes[mutant_id] = fx.MutantError(_error_text(exc))
        else:
            outcomes[mutant_id] = copy.deepcopy(result)

    return fx.CaseFixture(
        case_id=case.id,
        args=pristine,
        expected=expected,
        traces=types.MappingProxyType(traces),
        mutants=types.MappingProxyType(outcomes),
    )


def compute_fixtures(
    rubric: Rubric,
    *,
    reference: Reference,
) -> dict[str, fx.CaseFixture]:
    """Fixtures of every case of ``rubric``, by case id."""
    out: dict[str, fx.CaseFixture] = {}
    for part in rubric.parts:
        for case in part.cases:
            out[case.id] = compute_case(rubric, part, case, reference)
    return out


def _messages(reference: Reference) -> dict[str, str]:
    return {mutant_id: str(m.message) for mutant_id, m in reference.mutants.items()}


def _encode_all(
    rubric: Rubric, fixtures: Mapping[str, fx.CaseFixture], reference: Reference, *, generated: str
) -> dict[str, bytes]:
    """Visibility -> file bytes, for each visibility that has cases."""
    files = {}
    for visibility in VISIBILITIES:
        if any(case.visibility == visibility for case in rubric.cases):
            try:
                files[visibility] = fx.encode_fixture_file(
                    rubric,
                    visibility,
                    fixtures,
                    mutant_messages=_messages(reference),
                    generated=generated,
                    numpy_version=np.__version__,
                )
            except (ValueError, TypeError) as exc:
                raise RegenerateError(f"{rubric.path}: a fixture value is not plain data: {exc}") from None
    return files


def regenerate(
    rubric: Rubric,
    *,
    reference: Reference,
    fixtures_dir: str | Path | None = None,
    fixtures: Mapping[str, fx.CaseFixture] | None = None,
) -> list[tuple[Path, bool]]:
    """Compute and write the fixture files of ``rubric``; return ``(path, rewritten)`` pairs.

    A file whose content is unchanged as ``--check`` reads it (apart from its date stamp, and
    numbers within 1e-12: see :func:`alike`) is left alone. Files are written atomically.
    ``fixtures``: those :func:`compute_fixtures` gave for ``rubric``, when the caller has them.
    """
    fixtures = compute_fixtures(rubric, reference=reference) if fixtures is None else fixtures
    stamp = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0).isoformat()
    written = []
    for visibility, data in _encode_all(rubric, fixtures, reference, generated=stamp).items():
        path = fx.fixture_path(rubric, visibility, fixtures_dir=fixtures_dir)
        try:
            old = path.read_bytes()
        except OSError:
            old = None
        if old is not None and alike(old, data):
            written.append((path, False))
            continue
        fx.write_fixture_file(path, data)
        written.append((path, True))
    return written


def alike(old: bytes, new: bytes) -> bool:
    """Whether two encoded fixture files hold the same content as ``--check`` compares it:
    byte for byte apart from the ``generated`` and ``numpy`` stamps, or else decoded, with the
    structure, texts and hashes exactly and numbers within 1e-12.

    NumPy's vectorised ``exp`` and ``tanh`` round the last digit differently on different CPUs
    (regenerated on an AVX-512 machine, 3,547 numbers of the shipped files moved, by at most
    8.9e-16), so regenerating elsewhere must not rewrite every file an instructor committed.
    An ``old`` file that cannot be decoded is not alike."""
    if fx.same_content(old, new):
        return True
    stamps = ("generated", "numpy")
    try:
        old_content, new_content = (
            {key: value for key, value in plaindata.loads(data, readonly=True).items() if key not in stamps}
            for data in (old, new))
    except (plaindata.PlainDataError, AttributeError):
        return False
    return _difference(old_content, new_content) is None


def _stored(data: bytes | None) -> dict:
    """The decoded content of a fixture file's bytes, ``{}`` when there are none or they cannot be read."""
    if data is None:
        return {}
    try:
        content = plaindata.loads(data, readonly=True)
    except (plaindata.PlainDataError, AttributeError):
        return {}
    return content if isinstance(content, dict) and isinstance(content.get("cases"), dict) else {}


def _renamed_parts(was: Mapping[str, Any], now: Mapping[str, Any]) -> list[tuple[str, str]]:
    """``(old, new)`` for each part of the fixtures ``was`` that is gone from ``now`` while a part
    new in ``now`` has the same cases: the same id after the part's name, with the same inputs
    (``spec_hash``: function, builder, seed and dims). A part renamed (``name:``) keeps its
    cases' inputs; only their ids, which start with its name, change."""
    def by_part(cases: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
        parts: dict[str, dict[str, Any]] = {}
        for case_id, entry in cases.items():
            part, rest = case_id.rsplit("/", 1) if "/" in case_id else ("", case_id)
            parts.setdefault(part, {})[rest] = entry.get("spec_hash") if isinstance(entry, dict) else None
        return parts

    before, after = by_part(was), by_part(now)
    gone = {part: cases for part, cases in before.items() if part not in after}
    new = {part: cases for part, cases in after.items() if part not in before}
    pairs = []
    for old_part, cases in gone.items():
        same = [part for part, its in new.items() if its == cases and None not in cases.values()]
        if len(same) == 1:  # two new parts alike: which one is the old is not told apart
            pairs.append((old_part, same[0]))
            del new[same[0]]
    return pairs


def case_changes(rubric: Rubric, old: bytes | None, new: bytes) -> str:
    """What rewriting a fixture file from ``old`` to ``new`` changed, case by case, for the line
    regenerate prints (``"1 case added: rnn_forward/hidden-4 (line 92)"``), or "" when nothing
    is told apart. A case whose id now names other inputs, after a case of its part was deleted
    or inserted before it, is said to be one: the ids count in file order. A part renamed, whose
    cases are all the same but for the name their ids start with, is said to be renamed, not
    its cases removed and added."""
    before, after = _stored(old), _stored(new)
    if not before:
        return f"a new file, {len(after.get('cases', {}))} case(s)" if old is None else "the old file could not be read"
    was, now = before["cases"], after.get("cases", {})
    lines = {case.id: case.line for case in rubric.cases}

    def named(ids: list[str]) -> str:
        return ", ".join(f"{case_id} (line {lines[case_id]})" if case_id in lines else case_id for case_id in ids)

    added = [case_id for case_id in now if case_id not in was]
    removed = [case_id for case_id in was if case_id not in now]
    moved = [case_id for case_id in now if case_id in was and was[case_id].get("spec_hash") != now[case_id].get("spec_hash")]
    recomputed = [case_id for case_id in now if case_id in was and case_id not in moved
                  and _difference(was[case_id], now[case_id]) is not None]
    said = []
    for old_part, new_part in _renamed_parts(was, now):
        gone = {case_id for case_id in removed if case_id.rsplit("/", 1)[0] == old_part}
        came = {case_id for case_id in added if case_id.rsplit("/", 1)[0] == new_part}
        said.append(f"part {old_part} renamed to {new_part} (the same {len(came)} case(s), the same inputs)")
        removed = [case_id for case_id in removed if case_id not in gone]
        added = [case_id for case_id in added if case_id not in came]
    if added:
        said.append(f"{len(added)} case(s) added: {named(added)}")
    if moved:
        said.append(f"{len(moved)} case(s) with other inputs (function, builder, seed or dims): {named(moved)}")
    if removed:
        said.append(f"{len(removed)} removed: {named(removed)}")
    if recomputed:
        outputs = {case.id: rubric.part(case.part).outputs for case in rubric.cases}
        what = {case_id: recomputed_values(was[case_id], now[case_id], outputs=outputs.get(case_id, ()))
                for case_id in recomputed}
        said.append(f"{len(recomputed)} recomputed on the same inputs (the reference, its traces or its known "
                    f"mistakes changed): " + ", ".join(f"{named([case_id])}: {what[case_id]}" if what[case_id]
                                                         else named([case_id]) for case_id in recomputed))
    said += _message_changes(before, after)
    parts = {case_id.rsplit("/", 1)[0] for case_id in moved}
    if parts & {case_id.rsplit("/", 1)[0] for case_id in added + removed}:
        said.append("a case's id counts the cases of its part and visibility in file order, so deleting or "
                    "inserting one moves the ids of the cases after it, whose fixtures are made again (an id: "
                    "given in a case keeps it)")
    return "; ".join(said)


def recomputed_values(was: Mapping[str, Any], now: Mapping[str, Any], *, outputs: Sequence[Any] = ()) -> str:
    """What changed in one stored case recomputed on the same inputs, value by value: each output
    of ``outputs`` (the part's ``OutputSpec``s) whose expected value changed, by name, with how
    (``"expected a_next: values by up to 1.2e-06"``, ``"expected cache: float64 (5, 10) vs float64
    (6, 10)"``), then the inputs, the reference traces and the known mistakes' outputs that
    changed (``"the outputs of 2 known mistake(s): no_ba, no_by"``); "" when none is told apart.
    Until the thirty-seventh session regenerate said "recomputed" and nothing of what moved."""
    from grader.checks import get_path

    said = []
    expected = was.get("expected"), now.get("expected")
    if _difference(*expected) is not None:
        told = []
        for spec in outputs:
            try:
                old, new = (get_path(value, spec.path) for value in expected)
            except LookupError:
                continue
            found = _difference(old, new, spec.name)
            if found:
                told.append(found)
        said.append("expected " + ", ".join(told) if told else
                    f"expected values ({_difference(*expected, 'expected')})")
    for key, words in (("args", "inputs"), ("traces", "reference traces")):
        found = _difference(was.get(key), now.get(key), key)
        if found:
            said.append(f"{words} ({found})")
    mutants = was.get("mutants"), now.get("mutants")
    if isinstance(mutants[0], dict) and isinstance(mutants[1], dict):
        changed = sorted(m for m in set(mutants[0]) | set(mutants[1])
                         if _difference(mutants[0].get(m), mutants[1].get(m)) is not None)
        if changed:
            shown = [m.rsplit("/", 1)[-1] for m in changed[:4]] + (["..."] if len(changed) > 4 else [])
            said.append(f"the outputs of {len(changed)} known mistake(s): {', '.join(shown)}")
    elif _difference(*mutants) is not None:
        said.append("the known mistakes' outputs")
    return "; ".join(said)


def _message_changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[str]:
    """What changed of the known mistakes' messages between two decoded fixture files' headers:
    those edited, and those the file holds no more or holds now (a function whose last case of
    the file's visibility went, or whose first came: a public case made hidden). The three were
    one "the message(s) of 10 known mistake(s)", read as ten messages edited (thirty-eighth session)."""
    old, new = before.get("mutants", {}), after.get("mutants", {})
    edited = sorted(key for key in set(old) & set(new) if old[key] != new[key])
    gone, came = sorted(set(old) - set(new)), sorted(set(new) - set(old))
    said = [f"the message(s) of {len(edited)} known mistake(s): {', '.join(edited)}"] if edited else []
    said += [f"the message(s) of {len(gone)} known mistake(s) no longer held (no case of the file runs them): "
             f"{', '.join(gone)}"] if gone else []
    said += [f"the message(s) of {len(came)} known mistake(s) now held: {', '.join(came)}"] if came else []
    return said


#: What a stored case holds beside its spec, and the words a change of it is told in.
_VALUES = (("args", "inputs"), ("expected", "expected values"), ("traces", "reference traces"),
           ("mutants", "known mistakes' outputs"))


def value_changes(old: bytes | None, new: bytes | None) -> list[str]:
    """What differs between two encodings of one fixture file in its cases whose inputs are the
    same (the same id and ``spec_hash``: the reference or a known mistake was changed and the
    fixtures made again), each value by name (``"the expected values of 1 public case(s):
    rnn_forward/public-1"``), and the known mistakes whose message changed; ``[]`` when nothing
    differs or either file cannot be read. ``grader.kit`` says it to the instructor who writes a
    kit again."""
    before, after = _stored(old), _stored(new)
    if not before or not after:
        return []
    was, now = before["cases"], after["cases"]
    kept = [case_id for case_id in now if case_id in was and isinstance(was[case_id], dict)
            and isinstance(now[case_id], dict) and was[case_id].get("spec_hash") == now[case_id].get("spec_hash")]
    kind = f"{after.get('visibility')} " if after.get("visibility") in VISIBILITIES else ""
    said = []
    for key, words in _VALUES:
        changed = [case_id for case_id in kept if _difference(was[case_id].get(key), now[case_id].get(key)) is not None]
        if changed:
            said.append(f"the {words} of {len(changed)} {kind}case(s): {', '.join(changed)}")
    said += _message_changes(before, after)
    return said


# --------------------------------------------------------------------------- verifying


def _close(a: np.ndarray, b: np.ndarray) -> bool:
    if a.dtype.kind in "fc" or b.dtype.kind in "fc":
        return bool(np.allclose(a, b, rtol=CHECK_TOLERANCE, atol=CHECK_TOLERANCE, equal_nan=True))
    return bool(np.array_equal(a, b))


def _difference(a: Any, b: Any, where: str = "") -> str | None:
    """Where two plain-data values first differ (structure exactly, numbers within 1e-12), or None."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        if not (isinstance(a, np.ndarray) and isinstance(b, np.ndarray)):
            return f"{where or 'value'}: {type(a).__name__} vs {type(b).__name__}"
        if a.shape != b.shape or a.dtype != b.dtype:
            return f"{where or 'value'}: {a.dtype} {a.shape} vs {b.dtype} {b.shape}"
        return None if _close(a, b) else f"{where or 'value'}: {_by_how_much(a, b)}"
    if type(a) is not type(b):
        return f"{where or 'value'}: {type(a).__name__} vs {type(b).__name__}"
    if isinstance(a, (tuple, list)):
        if len(a) != len(b):
            return f"{where or 'value'}: length {len(a)} vs {len(b)}"
        for i, (x, y) in enumerate(zip(a, b)):
            found = _difference(x, y, f"{where}[{i}]")
            if found:
                return found
        return None
    if isinstance(a, dict):
        if list(a) != list(b):
            return f"{where or 'value'}: keys {list(a)} vs {list(b)}"
        for key in a:
            found = _difference(a[key], b[key], f"{where}[{key!r}]")
            if found:
                return found
        return None
    if isinstance(a, (float, complex, np.generic)):
        return None if _close(np.asarray(a), np.asarray(b)) else f"{where or 'value'}: {a!r} vs {b!r}"
    return None if a == b else f"{where or 'value'}: {a!r} vs {b!r}"


def _by_how_much(a: np.ndarray, b: np.ndarray) -> str:
    """How two arrays of one shape and dtype differ: "values by up to 0.031 (3 of 50)"; or which
    elements became or stopped being NaN or infinite."""
    if a.dtype.kind not in "fciub" or b.dtype.kind not in "fciub":
        return "values differ"
    x, y = a.astype(complex if "c" in a.dtype.kind + b.dtype.kind else float), \
        b.astype(complex if "c" in a.dtype.kind + b.dtype.kind else float)
    finite = np.isfinite(x) & np.isfinite(y)
    changed = int(np.count_nonzero(~np.isclose(x, y, rtol=CHECK_TOLERANCE, atol=CHECK_TOLERANCE, equal_nan=True)))
    if not finite.all() and (np.isfinite(x) != np.isfinite(y)).any():
        return f"{changed} of {x.size} value(s) differ, some now or before not finite (NaN or infinite)"
    largest = float(np.max(np.abs(x[finite] - y[finite]))) if finite.any() else 0.0
    return f"values by up to {largest:.2g} ({changed} of {x.size})"


def _same(a: Any, b: Any) -> bool:
    return _difference(a, b) is None


def _fixture_difference(stored: fx.CaseFixture, fresh: fx.CaseFixture) -> str | None:
    for label in ("args", "expected"):
        found = _difference(getattr(stored, label), getattr(fresh, label), label)
        if found:
            return found
    if list(stored.traces) != list(fresh.traces):
        return f"traces: {list(stored.traces)} vs {list(fresh.traces)}"
    for dep in fresh.traces:
        found = _difference(tuple(stored.traces[dep]), tuple(fresh.traces[dep]), f"traces[{dep!r}]")
        if found:
            return found
    if sorted(stored.mutants) != sorted(fresh.mutants):
        return f"mutants: {sorted(stored.mutants)} vs {sorted(fresh.mutants)}"
    for mutant_id in sorted(fresh.mutants):
        s, f = stored.mutants[mutant_id], fresh.mutants[mutant_id]
        if isinstance(s, fx.MutantError) or isinstance(f, fx.MutantError):
            if s != f:
                return f"mutants[{mutant_id!r}]: {s!r} vs {f!r}"
            continue
        found = _difference(s, f, f"mutants[{mutant_id!r}]")
        if found:
            return found
    return None


@dataclass(frozen=True)
class CheckReport:
    """Outcome of ``--check``: one ``(case id or file, problem)`` pair per problem found."""

    problems: tuple[tuple[str, str], ...]
    cases: int

    @property
    def ok(self) -> bool:
        return not self.problems


def check(
    rubric: Rubric,
    *,
    reference: Reference,
    fixtures_dir: str | Path | None = None,
    fixtures: Mapping[str, fx.CaseFixture] | None = None,
) -> CheckReport:
    """Recompute every case in memory (or take ``fixtures``, those :func:`compute_fixtures` gave)
    and compare with the stored fixture files."""
    fresh = compute_fixtures(rubric, reference=reference) if fixtures is None else fixtures
    messages = _messages(reference)
    problems: list[tuple[str, str]] = []
    for visibility in VISIBILITIES:
        cases = [c for c in rubric.cases if c.visibility == visibility]
        if not cases:
            continue
        path = fx.fixture_path(rubric, visibility, fixtures_dir=fixtures_dir)
        try:
            content = fx.read_fixture_file(path)
        except fx.FixtureError as exc:
            message = str(exc)  # "PATH: problem": the path is already the first column
            problems.append((str(path), message.removeprefix(f"{path}: ")))
            continue
        if content.get("rubric") != rubric.name:
            problems.append((str(path), f"holds fixtures of rubric {content.get('rubric')!r}"))
        stored_messages = content.get("mutants", {})
        entries = content["cases"]
        wanted = {c.id for c in cases}
        for extra in sorted(set(entries) - wanted):
            problems.append((extra, f"in {path.name} but not a {visibility} case of the rubric"))
        for case in cases:
            label = f"{case.id} ({rubric.path}:{case.line})"
            entry = entries.get(case.id)
            if entry is None:
                problems.append((label, f"missing from {path.name}"))
                continue
            if entry.get("spec_hash") != fx.spec_hash(case):
                problems.append((label, "stale: its function, builder, seed or dims changed, or a case of its part "
                                       "and visibility was added or deleted before it (ids count them in file order)"))
                continue
            try:
                stored = fx.decode_entry(case.id, entry, path)
            except fx.FixtureError as exc:
                problems.append((label, str(exc)))
                continue
            found = _fixture_difference(stored, fresh[case.id])
            if found:
                problems.append((label, f"differs: {found}"))
                continue
            for mutant_id in fresh[case.id].mutants:
                if stored_messages.get(mutant_id) != messages[mutant_id]:
                    problems.append((label, f"the message of mutant {mutant_id!r} changed"))
                    break
    return CheckReport(problems=tuple(problems), cases=len(fresh))


# --------------------------------------------------------------------------- command line


def main(argv: Sequence[str] | None = None) -> int:
    """``python3 -m grader.regenerate RUBRIC... [--check] [--fixtures-dir DIR]``; a folder given as
    RUBRIC stands for every rubric in it."""
    parser = argparse.ArgumentParser(
        prog=module_command("grader.regenerate"),
        description="Compute the fixtures of a rubric from the reference solution, or verify them.",
    )
    parser.add_argument("rubrics", nargs="+", type=Path, metavar="RUBRIC",
                        help="rubric YAML file(s), or a folder: every rubric in it (rubrics/: a new "
                             "rubric is verified without anyone naming it)")
    parser.add_argument("--check", action="store_true",
                        help="verify the stored fixtures; write nothing (exit 1 if they are stale)")
    parser.add_argument("--fixtures-dir", type=Path, default=None, metavar="DIR",
                        help="where the fixture files are (default: fixtures/ beside the rubric, "
                             "the only place grade.py reads them from)")
    options = parser.parse_args(argv)

    try:
        reference = load_reference()
    except RegenerateError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    statuses = [EXIT_OK]
    rubric_paths = []
    for given in options.rubrics:
        if not given.is_dir():
            rubric_paths.append(given)
            continue
        found, passed_over = rubrics_in(given)
        for path in passed_over:
            print(f"{path}: not a rubric (no parts:), passed over")
        if not found:
            print(f"error: {given}: no rubric in this folder (a .yaml file with parts:)", file=sys.stderr)
            statuses.append(EXIT_ERROR)
        rubric_paths.extend(found)
    # Each rubric on its own: one that cannot be used does not hide what the others' check finds.
    written = []
    for rubric_path in rubric_paths:
        try:
            statuses.append(_one_rubric(rubric_path, reference=reference, check_only=options.check,
                                        fixtures_dir=options.fixtures_dir))
            written.append(rubric_path)
        except (RubricError, RegenerateError, fx.FixtureError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            statuses.append(EXIT_ERROR)
    if written and not options.check:
        print(next_steps(written[0] if len(written) == 1 else None, fixtures_dir=options.fixtures_dir,
                         given=options.rubrics))
    return max(statuses)


def next_steps(rubric: Path | str | None, *, fixtures_dir: Path | str | None = None,
               given: Sequence[Path | str] = ()) -> str:
    """What to run after regenerating: verify, and see what the edit does to a class graded before
    (its scores in points and percent, ``score-changes.csv``) before publishing it; and make the
    student kit again, whose rubric holds the public cases' tolerances and points and what the
    hidden ones are worth (nothing here knows the rubric a kit was made from). ``rubric``: its path,
    quoted for the shell (thirty-eighth session: a folder ``fall term`` or a ``;`` in it was pasted
    as it was); None for several, written ``RUBRIC``. ``fixtures_dir``: the ``--fixtures-dir`` the
    fixtures were written to, which the check must read (thirty-eighth session: it was left out, and
    the command pasted checked the folder beside the rubric); grade.py reads none but that one.
    ``given``: the RUBRIC arguments as typed, which the check of several takes again (thirty-eighth
    session: ``regenerate rubrics/`` was told to run ``regenerate RUBRIC --check``)."""
    regenerate, grade = module_command("grader.regenerate"), grade_command()
    rubric = "RUBRIC" if rubric is None else quoted(str(rubric))
    checked = " ".join(quoted(str(path)) for path in given) if given and rubric == "RUBRIC" else rubric
    elsewhere = "" if fixtures_dir is None else f" --fixtures-dir {quoted(str(fixtures_dir))}"
    return (f"Next: {regenerate} {checked} --check{elsewhere}; for a class graded before, see what "
            f"the edit does to each student before publishing: cp -r OUT preview && {grade} "
            f"SUBMISSIONS --rubric {rubric} --out preview, then read preview/score-changes.csv (who gains, "
            f"who loses, in points and percent; docs/instructors.md, After editing the rubric). A student kit "
            f"made before checks the public cases with the rubric it was made from: after an edit of a public "
            f"case (its tolerance, outputs or points too) or of any points, make it again: {grade} "
            f"--student-kit DIR --rubric {rubric}")


#: A file beside a rubric larger than this is not read for its name (a rubric is some kB).
_SIBLING_BYTES = 1 << 20


def _yaml_files(folder: Path) -> list[Path]:
    return sorted({*folder.glob("*.yaml"), *folder.glob("*.yml")})


def _rubric_name(path: Path) -> str | None:
    """The ``name:`` of the rubric in ``path`` ("" when it has none), or None when the file is not
    a rubric (no ``parts``: ``rubrics/imdb.yaml``). A file that cannot be read or parsed, or is
    too large to be one, is taken for a rubric, so that the loader says what is wrong with it."""
    import yaml

    try:
        if path.stat().st_size > _SIBLING_BYTES:
            return ""
        content = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return ""
    if not isinstance(content, dict) or "parts" not in content:
        return None
    return str(content.get("name", ""))


def rubrics_in(folder: Path) -> tuple[list[Path], list[Path]]:
    """``(rubrics, others)``: the YAML files of ``folder`` that are rubrics (have ``parts``), and
    those that are not (``rubrics/imdb.yaml``, the bonus's configuration)."""
    files = _yaml_files(folder)
    others = [path for path in files if _rubric_name(path) is None]
    return [path for path in files if path not in others], others


def _other_rubrics(rubric: Rubric) -> list[Rubric]:
    """The other rubrics of ``rubric``'s folder that can be read (a course's exams and make-ups),
    each with its path written as ``rubric``'s is (``rubrics/makeup.yaml`` beside ``rubrics/rnn.yaml``):
    a warning named the one as given and the other by its absolute path (thirty-eighth session)."""
    own = Path(rubric.path).resolve()
    found = []
    for path in rubrics_in(own.parent)[0]:
        if path.resolve() == own:
            continue
        try:
            found.append(load_rubric(Path(rubric.path).parent / path.name))
        except (RubricError, OSError):
            continue  # said when that rubric itself is regenerated or checked
    return found


def _namesake(rubric: Rubric) -> Path | None:
    """Another rubric in ``rubric``'s folder with the same ``name:`` (a copy kept to try a change),
    whose fixtures, named by that name, the same folder holds; None when there is none. Files
    that are not rubrics (no ``parts``) or not YAML are passed over."""
    own = Path(rubric.path).resolve()
    for sibling in _yaml_files(own.parent):
        if sibling.resolve() != own and _rubric_name(sibling) == rubric.name:
            return sibling
    return None


def _name_line(path: str | Path) -> int:
    """The line of the top-level ``name:`` key of the rubric file ``path`` (1 when it cannot be told)."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return 1
    return next((k for k, line in enumerate(lines, 1) if line.startswith("name:")), 1)


def _refuse_namesake(rubric: Rubric, *, checking: bool = False) -> None:
    """Raise ``RegenerateError`` when another rubric of the folder has ``rubric``'s name: the two
    would write the same fixture files, each over the other's, and grading with the other one
    would then call its unchanged cases stale. ``checking`` (``--check``): the files would be
    verified against one rubric while ``grade.py`` reads them for both, so it is refused too."""
    other = _namesake(rubric)
    if other is not None:
        where = fx.fixture_path(rubric, "public").parent
        done = (f"Nothing was checked: grade.py reads {where}/{rubric.name}.*.json for both, and "
                f"regenerating one writes them over the other's" if checking else
                f"both would write {where}/{rubric.name}.*.json, each over the other's. Nothing was written")
        raise RegenerateError(
            f"{rubric.path}:{_name_line(rubric.path)}: this rubric's name {rubric.name!r} is also the "
            f"name of {Path(rubric.path).parent / other.name}:{_name_line(other)}, in the same folder: "
            f"{done}; give one of the two a name of its own (name: {rubric.name}_2, say), or move it "
            f"to a folder of its own")


def _global_names(code: types.CodeType) -> set[str]:
    """The global names ``code`` and the code nested in it (comprehensions, inner functions) read."""
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= _global_names(const)
    return names


def undeclared_calls(rubric: Rubric, *, reference: Reference) -> list[str]:
    """Warnings ``"FILE:LINE: ..."`` for the isolated parts whose reference function calls a
    function a student writes (a known per-step function, or another part's) that the part's
    ``depends`` does not list: that function is then the student's own when the part is graded,
    and one mistake in it costs twice (a quiz on ``rnn_forward`` without ``depends:
    [rnn_cell_forward]`` failed a correct loop over a wrong cell, without a word)."""
    from grader.rubric import KNOWN_STEP_FUNCTIONS

    written = set(KNOWN_STEP_FUNCTIONS) | {part.function for part in rubric.parts}
    said = []
    for part in rubric.parts:
        function = reference.functions.get(part.function)
        if not part.isolate or not isinstance(function, types.FunctionType):
            continue
        missing = sorted((_global_names(function.__code__) & written) - set(part.depends) - {part.function})
        if missing:
            listed = ", ".join(missing)
            said.append(f"{_where(rubric, part.line)}: {part.function} calls {listed} (the reference does), "
                        f"which its depends does not list, so a student's mistake in {listed} costs "
                        f"{part.function} too; add depends: [{', '.join(sorted(set(part.depends) | set(missing)))}] "
                        f"to grade it in isolation (docs/rubrics.md, Isolation), or isolate: false to say "
                        f"it is meant")
    return said


def without_known_mistakes(rubric: Rubric, *, reference: Reference) -> list[str]:
    """Warnings ``"FILE:LINE: ..."`` for the parts whose function has no known mistake in
    ``solution/mutants.py`` (a function the course added): its feedback names no likely mistake,
    and the generator cannot say which mistakes its cases miss."""
    have = {mutant.function for mutant in reference.mutants.values()}
    return [f"{_where(rubric, part.line)}: {part.function} has no known mistakes in solution/mutants.py, so its "
            f"feedback names no likely mistake and no warning here can say what its cases miss; add the "
            f"classic ones (docs/rubrics.md, Adding a rubric entry)"
            for part in rubric.parts if part.function not in have]


def points_line(rubric: Rubric) -> str:
    """``"100 points: rnn_cell_forward 10, ..."``: what a reweighting comes to, said on every run;
    a bonus part's points are said beyond them (``"100 points and 15 of bonus: ..., lstm_backward
    15 (bonus)"``)."""
    bonus = f" and {rubric.bonus_points:g} of bonus" if rubric.bonus_names else ""
    return (f"{rubric.max_points:g} points{bonus}: "
            + ", ".join(f"{part.name} {part.max_points:g}{' (bonus)' if part.bonus else ''}" for part in rubric.parts))


def odd_points(rubric: Rubric) -> str | None:
    """A warning when the rubric's points do not add up to a whole number (three cases of 33.33:
    every student's score is then out of 99.99), or None."""
    total = rubric.max_points
    if total <= 0 and rubric.bonus_names:
        return (f"{rubric.path}: every part is a bonus ({points_line(rubric)}): grades.csv's max_score will "
                f"read 0 and no score has a percent; make the parts that every student must do not bonus "
                f"(docs/rubrics.md, Bonus parts)")
    if abs(total - round(total)) < 1e-9:
        return None
    return (f"{rubric.path}: the points add up to {total:g}, not a whole number ({points_line(rubric)}): "
            f"grades.csv's max_score will read {total:g}; make the cases' points add up to the total you "
            f"mean (docs/rubrics.md, How rubrics/rnn.yaml is weighted)")


def _shown_fixtures_dir(rubric: Rubric, fixtures_dir: Path | None) -> Path:
    """The folder of ``rubric``'s fixtures as the user gave it: ``--fixtures-dir``, or ``fixtures/``
    beside the rubric's path as typed (``fixtures_dir_for`` resolves it: the files were printed
    absolute beside a relative rubric), unless that is another folder (a rubric through a symlink)."""
    if fixtures_dir is not None:
        return fixtures_dir
    resolved, typed = fx.fixtures_dir_for(rubric), Path(rubric.path).parent / "fixtures"
    try:
        return typed if typed.resolve() == resolved.resolve() else resolved
    except (OSError, RuntimeError):  # a loop of links
        return resolved


def _one_rubric(rubric_path: Path, *, reference: Reference, check_only: bool,
                fixtures_dir: Path | None) -> int:
    """Regenerate (or, with ``check_only``, verify) the fixtures of one rubric; its exit status."""
    rubric = load_rubric(rubric_path)
    if fixtures_dir is None:  # the fixtures beside the rubric, named by its name
        _refuse_namesake(rubric, checking=check_only)
    fresh = compute_fixtures(rubric, reference=reference)  # a function the reference lacks is said first
    unknown = blindspots.unknown_blind_to(rubric, reference.mutants)
    if unknown:
        raise RegenerateError(unknown)
    for warning in (*undeclared_calls(rubric, reference=reference), *filter(None, [odd_points(rubric)]),
                    *without_known_mistakes(rubric, reference=reference),
                    *blindspots.twin_case_warnings(rubric), *blindspots.idle_rtol_warnings(rubric, fresh),
                    *blindspots.hidden_only_warnings(rubric),
                    *blindspots.shared_case_warnings(rubric, _other_rubrics(rubric)),
                    *blindspots.blind_case_warnings(
                        rubric, fresh, compute=lambda part, case: compute_case(rubric, part, case, reference))):
        print(f"warning: {warning}", file=sys.stderr)
    if not check_only:
        old: dict[str, bytes | None] = {}
        for visibility in VISIBILITIES:
            try:
                old[visibility] = fx.fixture_path(rubric, visibility, fixtures_dir=fixtures_dir).read_bytes()
            except OSError:
                old[visibility] = None
        public_rewritten = False
        visibility_of = {fx.fixture_path(rubric, v, fixtures_dir=fixtures_dir): v for v in VISIBILITIES}
        shown = _shown_fixtures_dir(rubric, fixtures_dir)
        for path, rewritten in regenerate(rubric, reference=reference, fixtures_dir=fixtures_dir, fixtures=fresh):
            visibility = visibility_of[path]
            if not rewritten:
                print(f"{shown / path.name}: unchanged ({path.stat().st_size} bytes)")
                continue
            public_rewritten |= visibility == "public"
            changes = case_changes(rubric, old[visibility], path.read_bytes())
            print(f"{shown / path.name}: written ({path.stat().st_size} bytes){': ' + changes if changes else ''}")
        print(f"{rubric.path}: {points_line(rubric)}")
        if public_rewritten and old["public"] is None:  # a new rubric: no kit was made from it before
            print(f"{rubric.path}: its student kit, the public cases to check a notebook against: "
                  f"{grade_command()} --student-kit DIR --rubric {quoted(str(rubric.path))}")
        elif public_rewritten:
            print(f"{rubric.path}: its public cases changed: a student kit made before checks the old ones, not "
                  f"those graded; make the kit again "
                  f"({grade_command()} --student-kit DIR --rubric {quoted(str(rubric.path))}) and give it to the class")
        return EXIT_OK
    report = check(rubric, reference=reference, fixtures_dir=fixtures_dir, fixtures=fresh)
    if report.ok:
        print(f"{rubric.path}: {report.cases} case(s) verified; {points_line(rubric)}")
        return EXIT_OK
    print(f"{rubric.path}: {len(report.problems)} problem(s):", file=sys.stderr)
    for what, problem in report.problems:
        print(f"  {what}: {problem}", file=sys.stderr)
    print(f"  run: {module_command('grader.regenerate')} {quoted(str(rubric.path))}", file=sys.stderr)
    return EXIT_STALE


if __name__ == "__main__":
    sys.exit(main())
