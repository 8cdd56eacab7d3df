"""The fixture files: inputs, expected values, reference traces and mutant outputs of every case.

One JSON file per rubric and visibility, ``rubrics/fixtures/<rubric name>.public.json``
and ``<rubric name>.hidden.json``, so that a student kit can carry the public
file alone. Values are encoded with :mod:`grader.plaindata` (no pickle); an array that
occurs several times in a file (a parameter matrix is in every cache and every
trace step) is written once and referenced after (``{"__ref__": k}``), and the
loaded arrays are read-only, since they may be shared.
Layout (one case per line, so that a regeneration diffs case by case)::

    {
    "format": 1,
    "rubric": "rnn",
    "visibility": "public",
    "generated": "2026-11-26T00:40:00+00:00",
    "numpy": "2.4.6",
    "mutants": {"mutant_id": "one-sentence message naming the mistake", ...},
    "cases": {
    "rnn_forward/public-1": {"spec_hash": "...", "spec": {...}, "args": ..., "expected": ...,
                             "traces": {"rnn_cell_forward": [[args, result], ...]},
                             "mutants": {"mutant_id": {"result": ...} or {"error": "Type: msg"}}},
    ...
    }
    }

The ``mutants`` header holds the feedback message of every mutant that occurs
in the file, so that a student's self-check can name a mistake without the
reference solution. ``spec_hash`` is the sha256 of the canonical JSON of ``Case.spec()`` (function,
builder, seed, dims): a case whose spec changed since the fixtures were made
is refused with the case's rubric line. Files are written by
``python3 -m grader.regenerate RUBRIC`` (``grader.regenerate``), which is the
only code that runs the reference solution; this module only reads and writes.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any, Iterable, Iterator, Mapping

from grader import plaindata
from grader.files import write_atomic
from grader.models import VISIBILITIES, Case, Rubric

__all__ = [
    "FORMAT",
    "CaseFixture",
    "Fixtures",
    "MutantError",
    "FixtureError",
    "spec_hash",
    "fixtures_dir_for",
    "fixture_path",
    "load_fixtures",
    "fixtures_digest",
    "encode_fixture_file",
    "write_fixture_file",
    "read_fixture_file",
    "decode_entry",
    "same_content",
]

#: Version of the fixture file layout.
FORMAT = 1


@dataclass(frozen=True)
class MutantError:
    """A mutant that raised on a case's inputs; ``message`` is ``"Type: message"``."""

    message: str


@dataclass(frozen=True)
class CaseFixture:
    """Everything the grader needs about one case, computed from the reference.

    ``args``: the positional arguments of the call (a tuple).
    ``expected``: the reference function's return value on ``args``.
    ``traces``: for each name in the part's ``depends``, the reference's calls of
    that per-step function in order, each ``(args_tuple, result)``.
    ``mutants``: for each known mistake of this function (``solution.mutants``),
    its return value on ``args``, or a :class:`MutantError` if it raised.
    """

    case_id: str
    args: tuple
    expected: Any
    traces: Mapping[str, tuple[tuple[tuple, Any], ...]]
    mutants: Mapping[str, Any]


class Fixtures(Mapping[str, CaseFixture]):
    """Read-only mapping case id -> :class:`CaseFixture`, plus the mutants' messages.

    ``mutant_messages`` maps a mutant id to the one sentence that names the
    mistake (stored in the fixture files by the generator).
    """

    __slots__ = ("_cases", "mutant_messages")

    def __init__(self, cases: Mapping[str, CaseFixture], mutant_messages: Mapping[str, str]):
        self._cases = dict(cases)
        self.mutant_messages: Mapping[str, str] = MappingProxyType(dict(mutant_messages))

    def __getitem__(self, case_id: str) -> CaseFixture:
        return self._cases[case_id]

    def __iter__(self) -> Iterator[str]:
        return iter(self._cases)

    def __len__(self) -> int:
        return len(self._cases)

    def __repr__(self) -> str:
        return f"Fixtures({len(self._cases)} cases, {len(self.mutant_messages)} mutant messages)"


class FixtureError(Exception):
    """Fixture files that are missing, unreadable, or out of date with the rubric."""


def spec_hash(case: Case) -> str:
    """sha256 of the canonical JSON of ``case.spec()`` (sorted keys, no spaces)."""
    text = json.dumps(case.spec(), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def fixtures_dir_for(rubric: Rubric) -> Path:
    """The default fixture directory: ``fixtures/`` beside the rubric file."""
    return Path(rubric.path).resolve().parent / "fixtures"


def fixture_path(rubric: Rubric, visibility: str, *, fixtures_dir: str | Path | None = None) -> Path:
    """``<fixtures_dir>/<rubric name>.<visibility>.json``."""
    if visibility not in VISIBILITIES:
        raise ValueError(f"visibility must be one of {VISIBILITIES}, not {visibility!r}")
    base = Path(fixtures_dir) if fixtures_dir is not None else fixtures_dir_for(rubric)
    return base / f"{rubric.name}.{visibility}.json"


def _regenerate_hint(rubric: Rubric) -> str:
    """What to do about fixtures that cannot be used: regenerate them where the generator is; in a
    student kit, which has neither it nor the reference, get the kit again (the command it named
    until the thirty-second session fails there with 'No module named grader.regenerate')."""
    import importlib.util

    if importlib.util.find_spec("grader.regenerate") is None:
        return ("this kit's files are damaged or out of date: get the kit again from your "
                "instructor, and unpack it whole")
    from grader.copycommands import module_command, quoted

    return f"run: {module_command('grader.regenerate')} {quoted(str(rubric.path))}"


# --------------------------------------------------------------------------- reading


def read_fixture_file(path: Path, *, cache: bool = False) -> dict:
    """Decode a fixture file into its header and ``cases`` (values decoded, entries raw dicts).

    ``cache``: take the decoded content from the file's cache when one made from exactly these
    bytes is there, and keep one otherwise (``grader.fixturecache``; the JSON stays the input,
    any cache that does not match it is ignored).
    """
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise FixtureError(f"{path}: fixture file not found") from None
    except OSError as exc:
        raise FixtureError(f"{path}: cannot read the fixture file: {exc.strerror or exc}") from None
    if not cache:
        return _decode_fixture_bytes(path, data)
    # Imported here: a class run's only; the student kit's self-check has no fixturecache module.
    from grader import fixturecache

    content = fixturecache.load_cached(path, data)
    if isinstance(content, dict) and isinstance(content.get("cases"), dict) and content.get("format") == FORMAT:
        return content
    content = _decode_fixture_bytes(path, data)
    fixturecache.store_cached(path, data, content)
    return content


def _decode_fixture_bytes(path: Path, data: bytes) -> dict:
    """A fixture file's JSON bytes decoded and checked as :func:`read_fixture_file` describes."""
    try:
        content = plaindata.loads(data, readonly=True)
    except plaindata.PlainDataError as exc:
        raise FixtureError(f"{path}: not a valid fixture file: {exc}") from None
    if not isinstance(content, dict) or not isinstance(content.get("cases"), dict):
        raise FixtureError(f"{path}: not a fixture file (no 'cases')")
    if content.get("format") != FORMAT:
        said = ("has no fixture format" if content.get("format") is None
                else f"is in fixture format {content.get('format')!r}")
        raise FixtureError(f"{path}: {said}, and this grader reads format {FORMAT}")
    return content


def decode_entry(case_id: str, entry: Any, path: Path) -> CaseFixture:
    """A decoded case entry of a fixture file as a :class:`CaseFixture`; FixtureError if malformed."""
    try:
        args = entry["args"]
        traces = {
            dep: tuple((tuple(call[0]), call[1]) for call in calls)
            for dep, calls in entry["traces"].items()
        }
        mutants = {}
        for mutant_id, outcome in entry["mutants"].items():
            if "error" in outcome:
                mutants[mutant_id] = MutantError(str(outcome["error"]))
            else:
                mutants[mutant_id] = outcome["result"]
        if not isinstance(args, tuple):
            raise TypeError("args is not a tuple")
        return CaseFixture(
            case_id=case_id,
            args=args,
            expected=entry["expected"],
            traces=MappingProxyType(traces),
            mutants=MappingProxyType(mutants),
        )
    except (KeyError, TypeError, IndexError, AttributeError) as exc:
        raise FixtureError(f"{path}: the entry of case {case_id!r} is malformed ({exc})") from None


def load_fixtures(
    rubric: Rubric,
    *,
    fixtures_dir: str | Path | None = None,
    visibilities: Iterable[str] = VISIBILITIES,
    cache: bool = False,
) -> Fixtures:
    """The fixtures of every case of ``rubric`` with one of ``visibilities``, by case id.

    Reads ``<fixtures_dir>/<rubric.name>.<visibility>.json`` (default directory:
    ``fixtures/`` beside the rubric file) for each visibility that has cases.
    Raises :class:`FixtureError` naming the file when it is missing or
    malformed, and naming the case's rubric line when the case has no entry
    or its ``spec_hash`` does not match (the rubric changed since the
    fixtures were generated); both say how to regenerate. ``cache``: see
    :func:`read_fixture_file` (a class run's; the same fixtures either way).
    """
    fixtures: dict[str, CaseFixture] = {}
    messages: dict[str, str] = {}
    for visibility in visibilities:
        cases = [case for case in rubric.cases if case.visibility == visibility]
        if not cases:
            continue
        path = fixture_path(rubric, visibility, fixtures_dir=fixtures_dir)
        try:
            content = read_fixture_file(path, cache=cache)
        except FixtureError as exc:
            raise FixtureError(f"{exc}; {_regenerate_hint(rubric)}") from None
        if content.get("rubric") != rubric.name:
            raise FixtureError(
                f"{path}: holds fixtures of rubric {content.get('rubric')!r}, not {rubric.name!r}; "
                f"{_regenerate_hint(rubric)}"
            )
        stored_messages = content.get("mutants", {})
        if not isinstance(stored_messages, dict):
            raise FixtureError(f"{path}: 'mutants' must map mutant ids to messages")
        messages.update({str(k): str(v) for k, v in stored_messages.items()})
        entries = content["cases"]
        for case in cases:
            entry = entries.get(case.id)
            where = f"{rubric.path}:{case.line}"
            if not isinstance(entry, dict):
                raise FixtureError(
                    f"{where}: case {case.id!r} has no fixture in {path}; {_regenerate_hint(rubric)}"
                )
            if entry.get("spec_hash") != spec_hash(case):
                problem = ("has no spec_hash" if "spec_hash" not in entry else
                           "is stale (the case's function, builder, seed or dims changed, or a case of its "
                           "part and visibility was added or deleted before it: ids count them in file order)")
                raise FixtureError(
                    f"{where}: the fixture of case {case.id!r} in {path} {problem}; "
                    f"{_regenerate_hint(rubric)}"
                )
            fixtures[case.id] = decode_entry(case.id, entry, path)
            unreachable = unreachable_output(rubric, case, fixtures[case.id].expected)
            if unreachable:
                raise FixtureError(unreachable)
            untraced = untraced_depends(rubric, case, fixtures[case.id], path)
            if untraced:
                raise FixtureError(f"{untraced}; {_regenerate_hint(rubric)}")
    return Fixtures(fixtures, messages)


def unreachable_output(rubric: Rubric, case: Case, expected: Any) -> str:
    """``"FILE:LINE: problem"`` for the first output ``case`` compares whose ``path`` is not in the
    reference's value ``expected`` (a typo such as ``"[3]"`` for a 3-tuple), else "".

    Such an output was accepted: a right answer matched the fixture whole and passed, a wrong
    one made the grader fail ("harness failure") for every student who got any output wrong."""
    from grader.checks import describe, get_path
    from grader.rubric import format_path

    part = next(p for p in rubric.parts if p.name == case.part)
    for spec in part.outputs:
        if spec.name not in case.outputs:
            continue
        try:
            get_path(expected, spec.path)
        except LookupError:
            return (f"{rubric.path}:{spec.line or part.line}: output {spec.name!r} has path "
                    f"{format_path(spec.path)!r}, which the reference's return value of case "
                    f"{case.id!r} does not have (it is {describe(expected)}); fix the path: \"[0]\" is "
                    f"the first element of a returned tuple, \"['dxt']\" a key of a returned dict")
    return ""


def untraced_depends(rubric: Rubric, case: Case, fixture: CaseFixture, path: Path) -> str:
    """``"FILE:LINE: problem"`` when ``case``'s part is isolated and ``depends`` on a function
    the fixture holds no reference trace of (``depends:`` edited without regenerating), else "".

    ``depends`` is no part of a case's spec, so its fixture did not read as stale: the runner
    then let the student's own function answer, and a wrong ``rnn_cell_forward`` cost
    ``rnn_forward`` all its points too, without a word."""
    part = next(p for p in rubric.parts if p.name == case.part)
    missing = [dep for dep in part.depends if dep not in fixture.traces] if part.isolate else []
    if not missing:
        return ""
    listed = ", ".join(missing)
    return (f"{rubric.path}:{part.line}: part {part.name!r} depends on {listed}, but the fixture of case "
            f"{case.id!r} in {path} holds no reference trace of {'it' if len(missing) == 1 else 'them'} "
            f"(depends changed after the fixtures were made); graded so, a student's own {listed} "
            f"would count against {part.function}")


def fixtures_digest(
    rubric: Rubric,
    *,
    fixtures_dir: str | Path | None = None,
    visibilities: Iterable[str] = VISIBILITIES,
) -> str:
    """sha256 over the fixture files of ``rubric`` (for incremental grading).

    Covers each visibility that has cases, in the order given; a missing file
    raises :class:`FixtureError`.
    """
    digest = hashlib.sha256()
    for visibility in visibilities:
        if not any(case.visibility == visibility for case in rubric.cases):
            continue
        path = fixture_path(rubric, visibility, fixtures_dir=fixtures_dir)
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise FixtureError(f"{path}: cannot read the fixture file: {exc.strerror or exc}; {_regenerate_hint(rubric)}") from None
        digest.update(f"{visibility}:{len(data)}:".encode())
        digest.update(data)
    return digest.hexdigest()


# --------------------------------------------------------------------------- writing


def _entry_json(case: Case, fixture: CaseFixture, pool: plaindata.ArrayPool) -> str:
    """One case's entry as compact JSON.

    Values are encoded in the order they appear in the entry, so that the
    pool's ``__ref__`` numbers follow document order (as the decoder sees them).
    """
    encode = plaindata.to_json_obj
    entry: dict[str, Any] = {"spec_hash": spec_hash(case), "spec": case.spec()}
    entry["args"] = encode(tuple(fixture.args), pool=pool)
    entry["expected"] = encode(fixture.expected, pool=pool)
    traces: dict[str, list] = {}
    for dep, calls in fixture.traces.items():
        traces[dep] = []
        for call_args, result in calls:
            encoded_args = encode(tuple(call_args), pool=pool)
            traces[dep].append([encoded_args, encode(result, pool=pool)])
    entry["traces"] = traces
    mutants: dict[str, Any] = {}
    for mutant_id in sorted(fixture.mutants):
        outcome = fixture.mutants[mutant_id]
        if isinstance(outcome, MutantError):
            mutants[mutant_id] = {"error": outcome.message}
        else:
            mutants[mutant_id] = {"result": encode(outcome, pool=pool)}
    entry["mutants"] = mutants
    return json.dumps(entry, allow_nan=False, ensure_ascii=False, separators=(",", ":"))


def encode_fixture_file(
    rubric: Rubric,
    visibility: str,
    fixtures: Mapping[str, CaseFixture],
    *,
    mutant_messages: Mapping[str, str],
    generated: str,
    numpy_version: str,
) -> bytes:
    """The bytes of a fixture file.

    Cases come in rubric order, one per line; the output depends only on the
    arguments, and only the ``generated`` and ``numpy`` header lines on the
    stamps (see :func:`same_content`). The
    ``mutants`` header holds the messages of the mutants that occur in these cases.
    """
    lines = []
    used: set[str] = set()
    pool = plaindata.ArrayPool()  # one pool per file: an array repeated anywhere in it is written once
    for case in rubric.cases:
        if case.visibility != visibility:
            continue
        if case.id not in fixtures:
            raise FixtureError(f"{rubric.path}:{case.line}: no fixture computed for case {case.id!r}")
        used.update(fixtures[case.id].mutants)
        lines.append(f"{json.dumps(case.id)}:{_entry_json(case, fixtures[case.id], pool)}")
    messages = {mutant_id: mutant_messages[mutant_id] for mutant_id in sorted(used)}
    cases = "{\n" + ",\n".join(lines) + "\n}"
    header = [
        f'"format":{FORMAT}',
        f'"rubric":{json.dumps(rubric.name)}',
        f'"visibility":{json.dumps(visibility)}',
        f'"generated":{json.dumps(generated)}',
        f'"numpy":{json.dumps(numpy_version)}',
        f'"mutants":{json.dumps(messages, ensure_ascii=False)}',
    ]
    text = "{\n" + ",\n".join(header) + ',\n"cases":' + cases + "\n}\n"
    return text.encode("utf-8")


def write_fixture_file(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically, flushed to disk, readable by all."""
    write_atomic(path, data, durable=True, mode=0o644)


def public_version(rubric_file: bytes, fixture_file: bytes) -> str:
    """The version of a student kit's public cases: the first 12 hex digits of the sha256 of its
    rubric file's bytes and its public fixture file's (their lengths between, so that no bytes
    moved from one to the other give the same). ``grader.kit`` names it when it writes the kit;
    the kit's self-check prints it from the files it reads, so a TA can ask which kit a student ran."""
    digest = hashlib.sha256(f"{len(rubric_file)}:".encode())
    digest.update(rubric_file)
    digest.update(f"{len(fixture_file)}:".encode())
    digest.update(fixture_file)
    return digest.hexdigest()[:12]


def same_content(old: bytes, new: bytes) -> bool:
    """Whether two encoded fixture files differ at most in their ``generated`` / ``numpy`` stamps.

    Used by the generator to keep a file (and its date) when nothing in it changed.
    """

    def strip(data: bytes) -> list[bytes]:
        header, sep, cases = data.partition(b'\n"cases":')
        kept = [
            line
            for line in header.split(b"\n")
            if not line.startswith((b'"generated":', b'"numpy":'))
        ]
        return kept + [sep, cases]

    return strip(old) == strip(new)
