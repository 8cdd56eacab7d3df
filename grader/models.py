"""Frozen records that flow through the grader: the rubric, and the results.

No I/O and no behaviour beyond small derived properties: reading YAML lives in
``grader.rubric``, comparing in ``grader.checks``, writing in ``grader.report``.
"""
from __future__ import annotations

import dataclasses
import inspect
import re
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Collection, Iterable, Mapping

PUBLIC = "public"
HIDDEN = "hidden"
VISIBILITIES = (PUBLIC, HIDDEN)

#: The dimension names a case may set; builders accept all of them.
DIMENSIONS = ("n_x", "n_a", "n_y", "m", "T_x")

# --------------------------------------------------------------------------- shared wording

#: The key of ``SubmissionResult.extra`` that holds what went wrong in the grader (a harness
#: failure's traceback, the cases a rubric without fixtures lost): for the instructor
#: (``result.full.json``, the class report, Gradescope's log), never in what the student reads
#: (``feedback.md``, ``feedback.html``, ``results.json``, which show the result's messages).
#: Kept by the summaries a worker sends (``report.summary_of``, ``report.page_record``).
GRADER_ERROR = "grader_error"

_NOT_YOURS = ("because of a problem in the grader, not in your code: there is nothing for you to "
              "fix. Your instructor will grade it again; if this message is still here after that, "
              "please let them know.")
#: What the student reads when the grader failed on their whole submission (``grader.batch``).
GRADER_FAILED = "Your submission could not be graded " + _NOT_YOURS
#: What the student reads of one case the grader could not grade (no fixture: the rubric and
#: its fixtures disagree; ``grader.runner``).
CASE_GRADER_FAILED = "This case could not be graded " + _NOT_YOURS

#: Said after a known mistake's sentence when the mistake gives exactly the outputs that are
#: wrong but not the student's right ones (the renderers put "Likely mistake: " before it).
PARTIAL_MATCH = " This mistake explains the outputs that are wrong; the others are right."
# After the sentence of a known mistake that another case's outputs show, given to a case that
# raised the very error this mistake raises on its inputs (``rnn_forward/len_of_x``: IndexError
# when n_x > T_x).
RAISED_MATCH = " On these inputs this mistake raises the same error as your code; another case's outputs show it."


# --------------------------------------------------------------------------- records made per submission

#: The default of a field made by its ``default_factory``, in a ``frozen_record``'s ``__init__``.
_FROM_FACTORY = object()


def frozen_record(cls: type) -> type:
    """``@dataclass(frozen=True)`` whose ``__init__`` gives the instance its fields in one step.

    For the records a worker makes many times a submission and reads a few times each (a
    case's and a part's result, a call's outcome: about 90 a submission). A frozen dataclass's
    own ``__init__`` sets each field through ``object.__setattr__`` (its ``__setattr__``
    refuses): a call per field, about 3.6 us for a ``CaseResult`` on the course's machine
    against 0.8 here. This one stores the instance's ``__dict__`` at once: the same fields in
    the same order (``grader.report`` writes them in that order), the same signature, defaults and
    factories (called once per instance). Everything else is what ``dataclass(frozen=True)``
    makes (fields, equality, hash, repr, ``replace``, pickling; an assignment is refused).
    Refused (``TypeError``): a class with its own ``__init__`` or a ``__post_init__``, a field
    with ``init=False`` or ``kw_only``; ``InitVar`` pseudo-fields are not supported.
    """
    own_doc = cls.__dict__.get("__doc__")
    if "__init__" in cls.__dict__ or hasattr(cls, "__post_init__"):
        raise TypeError(f"{cls.__name__}: a frozen_record has the __init__ it makes and no __post_init__")
    cls = dataclass(frozen=True, init=False)(cls)
    fields = dataclasses.fields(cls)
    names: dict = {"__record_store__": object.__setattr__, "__record_factory__": _FROM_FACTORY}
    params, steps = [], []
    for f in fields:
        if not f.init or f.kw_only:
            raise TypeError(f"{cls.__name__}.{f.name}: a frozen_record's fields are all positional "
                            f"parameters of its __init__")
        if f.default is not dataclasses.MISSING:
            names[f"__record_default_{f.name}__"] = f.default
            params.append(f"{f.name}=__record_default_{f.name}__")
        elif f.default_factory is not dataclasses.MISSING:
            names[f"__record_make_{f.name}__"] = f.default_factory
            params.append(f"{f.name}=__record_factory__")
            steps.append(f"    if {f.name} is __record_factory__:\n"
                         f"        {f.name} = __record_make_{f.name}__()\n")
        else:
            params.append(f.name)
    stored = ", ".join(f"{f.name!r}: {f.name}" for f in fields)
    exec(f"def __init__(__record_self__, {', '.join(params)}):\n{''.join(steps)}"
         f"    __record_store__(__record_self__, '__dict__', {{{stored}}})\n", names)
    init = names["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__module__ = cls.__module__
    init.__annotations__ = {**{f.name: f.type for f in fields}, "return": None}
    cls.__init__ = init
    if own_doc is None:  # as dataclass writes it: the name and the signature
        cls.__doc__ = cls.__name__ + str(inspect.signature(cls)).replace(" -> None", "")
    return cls


# --------------------------------------------------------------------------- rubric


@dataclass(frozen=True)
class Tolerance:
    """``|student - expected| <= atol + rtol * |expected|``, elementwise."""

    rtol: float = 1e-5
    atol: float = 1e-7


@dataclass(frozen=True)
class OutputSpec:
    """One graded component of a function's return value.

    ``path`` indexes into the returned value: ``(0,)`` is the first element of
    the returned tuple, ``(2, 0)`` the first element of the third, ``("dxt",)``
    a key of a returned dict. The empty path is the whole value.
    """

    name: str
    path: tuple = ()
    weight: float = 1.0
    check: str = "allclose"  # a kind in grader.checks.CHECKS: allclose | shape | structure | exact
    line: int = 0


@dataclass(frozen=True)
class Case:
    """One seeded call of a graded function, compared with the reference."""

    id: str  # unique in the rubric, e.g. "rnn_forward/hidden-2"; keys the fixtures
    part: str
    function: str
    name: str
    visibility: str
    builder: str  # name in solution.setups.BUILDERS
    seed: int
    dims: Mapping[str, int]
    points: float
    tolerance: Tolerance
    outputs: tuple[str, ...]  # names of the part's OutputSpecs compared in this case
    timeout: float
    line: int = 0  # line of the case in the rubric file
    # Known mistakes (ids of solution.mutants) the case is meant not to tell from the reference:
    # the generator's warning about them is left out (``grader.blindspots``). Not in spec().
    blind_to: tuple[str, ...] = ()

    def spec(self) -> dict:
        """What determines the fixture of this case (its inputs and expected values)."""
        return {
            "function": self.function,
            "builder": self.builder,
            "seed": self.seed,
            "dims": dict(sorted(self.dims.items())),
        }


@dataclass(frozen=True)
class Part:
    """A graded function with its cases; its points are the sum of its cases'."""

    name: str  # the gradebook column; usually the function name
    function: str
    cases: tuple[Case, ...]
    outputs: tuple[OutputSpec, ...]
    depends: tuple[str, ...] = ()  # per-step functions it calls (rnn_forward -> rnn_cell_forward)
    isolate: bool = True  # replace `depends` by the reference trace
    mutation_weight: float = 0.0  # share of a case lost for writing into its inputs
    line: int = 0
    # Points of this part's cases that this rubric leaves out: its hidden cases', in a rubric
    # restricted by ``Rubric.only`` or in a student kit's (``withheld_points:``). Graded nowhere;
    # the self-check tells students what the public cases are worth against the whole part.
    withheld_points: float = 0.0
    # A bonus (``bonus: true``): its points add to a score but not to ``max_score`` (extra credit),
    # as the IMDB bonus's do.
    bonus: bool = False

    @property
    def max_points(self) -> float:
        return float(sum(case.points for case in self.cases))

    def output(self, name: str) -> OutputSpec:
        for spec in self.outputs:
            if spec.name == name:
                return spec
        raise KeyError(name)


@dataclass(frozen=True)
class Rubric:
    version: int
    name: str
    title: str
    path: str
    parts: tuple[Part, ...]
    digest: str  # sha256 of what the rubric says, not of its file's bytes (``grader.rubric.rubric_digest``)
    imdb: Mapping | None = None  # the raw `imdb:` section, validated by grader.imdb
    imdb_line: int = 0
    # sha256 of the file's bytes: the rubric's digest until the thirty-seventh session, which the
    # keys of a class graded before then hold (``grader.incremental.BatchKey.same_rubric``).
    file_digest: str = ""

    @property
    def cases(self) -> tuple[Case, ...]:
        return tuple(case for part in self.parts for case in part.cases)

    @property
    def max_points(self) -> float:
        """``max_score``: the points of the parts that are not a bonus."""
        return float(sum(part.max_points for part in self.parts if not part.bonus))

    @property
    def bonus_names(self) -> frozenset[str]:
        """The names of the bonus parts (``bonus: true``)."""
        return frozenset(part.name for part in self.parts if part.bonus)

    @property
    def bonus_points(self) -> float:
        """The points of the bonus parts (``bonus: true``), beyond ``max_points``; the IMDB bonus aside."""
        return float(sum(part.max_points for part in self.parts if part.bonus))

    def part(self, name: str) -> Part:
        for part in self.parts:
            if part.name == name:
                return part
        raise KeyError(name)

    def only(self, visibility: str, *, keep_empty: bool = False) -> "Rubric":
        """The same rubric restricted to cases of one visibility; each part's ``withheld_points``
        adds the points of the cases left out. A part left with no case is dropped, or with
        ``keep_empty`` kept with ``cases=()`` and all its points withheld: a student kit keeps a part
        graded on hidden cases only, so its self-check says so and counts its points."""
        parts = []
        for part in self.parts:
            cases = tuple(c for c in part.cases if c.visibility == visibility)
            if cases or keep_empty:
                left_out = sum(c.points for c in part.cases if c.visibility != visibility)
                parts.append(replace(part, cases=cases, withheld_points=part.withheld_points + left_out))
        return replace(self, parts=tuple(parts))

    def with_cases(self) -> "Rubric":
        """The same rubric without its parts that have no case (a kit's parts graded on hidden
        cases only, ``Rubric.only(..., keep_empty=True)``): the parts there is something to run."""
        if all(part.cases for part in self.parts):
            return self
        return replace(self, parts=tuple(part for part in self.parts if part.cases))


# --------------------------------------------------------------------------- results

#: Case statuses, each with its own message in the feedback.
PASSED = "passed"
FAILED = "failed"  # ran, some output wrong
ERROR = "error"  # the student's code raised
TIMEOUT = "timeout"
CRASHED = "crashed"  # the child process died (exit, signal, memory)
NOT_IMPLEMENTED = "not_implemented"  # template placeholder left
MISSING = "missing"  # no such function in the submission
#: The IMDB bonus's flags (``grader.imdb``): names for the class report's bonus section, carried
#: among the bonus part's notes after its feedback sentences. Each flag's sentence above it tells
#: the student the same, so the student's reports leave the flags out (``report.student_notes``):
#: until the thirty-second session a bare "validates on the test set" or "no outputs" ended the
#: bonus's feedback.
BONUS_FLAGS = ("validates on the test set", "validates on its training data", "claim contradicted by outputs",
               "unverified claim", "training stopped mid-epoch", "no outputs", "not tf.keras")
#: The status of an optional part (the IMDB bonus, a ``bonus: true`` part) that the submission did
#: not attempt, and of the cases of such a part (``marked_bonus``). 0 of its bonus points and no
#: failure: nothing was asked of the student.
NOT_ATTEMPTED = "not_attempted"
SKIPPED = "skipped"  # not run (an earlier case of the same function timed out)
HARNESS = "harness_error"  # our fault, never the student's
#: A submission's status (``SubmissionResult.status``) when the grader read it and graded its
#: parts: not "unreadable", not ``HARNESS``.
GRADED = "graded"

#: A part's or case's status in the words students and instructors read, one vocabulary for the
#: batch's reports (``feedback.md``, ``feedback.html``, ``results.json``, the class report) and the
#: self-check (``--check``, ``check()`` and its ``CheckSummary.verdicts``). Until the thirty-fourth
#: session the self-check said "error (time limit)" where the feedback said "timed out" ("error",
#: "error (crashed)", "error (not run)" and "grader problem" for "raised an error", "crashed",
#: "not run", "grader error").
STATUS_WORDS: Mapping[str, str] = MappingProxyType({
    PASSED: "passed",
    FAILED: "failed",
    ERROR: "raised an error",
    TIMEOUT: "timed out",
    CRASHED: "crashed",
    NOT_IMPLEMENTED: "not implemented",
    MISSING: "missing",
    NOT_ATTEMPTED: "not attempted",
    SKIPPED: "not run",
    HARNESS: "grader error",
})


#: What :func:`cell_words` says of the one cell of a ``.py`` submission, which its student never
#: saw as "cell 1" (thirty-fifth session: "cell 1, line 139" for line 139 of their file).
SCRIPT_WORDS = "the file"


def cell_words(index: int, prompt: int | None = None, *, script: bool = False) -> str:
    """``"cell 16"`` for the 0-based cell ``index``, or ``"cell 16 (In [10])"`` with the prompt the
    saved notebook shows beside it (``Location.prompt``); `SCRIPT_WORDS` in a ``.py`` submission."""
    if script:
        return SCRIPT_WORDS
    return f"cell {index + 1}" + (f" (In [{prompt}])" if prompt is not None else "")


def at_line(cell: str, line: int) -> str:
    """``"cell 16 (In [10]), line 12"`` for the words ``cell`` (:func:`cell_words`), or ``"line 12"``
    in a ``.py`` submission: its lines are the file's, as Python's tracebacks count them."""
    return f"line {line}" if cell == SCRIPT_WORDS else f"{cell}, line {line}"


def line_words(index: int, line: int, prompt: int | None = None, *, script: bool = False,
               exported: "Exported" = ()) -> str:
    """:func:`at_line` of cell ``index``: ``"cell 16 (In [10]), line 12"``, or ``"line 12"`` (``script``),
    ``"line 207 (In [10], line 12)"`` in a script Jupyter saved (``exported``: :func:`exported_cells`)."""
    if script:
        return script_line_words(line, exported_at(exported, line))
    return at_line(cell_words(index, prompt, script=script), line)


#: The cells of a script Jupyter saved (File > Save and Export as > Executable Script): the file's
#: line of each ``# In[12]:`` marker and the prompt it shows (None for ``# In[ ]:``, never run).
Exported = tuple[tuple[int, "int | None"], ...]

#: The line Jupyter writes before each code cell of a notebook saved as a script (``# In[12]:``),
#: then two blank lines; ``# In[ ]:`` for a cell never run.
_EXPORTED_CELL = re.compile(r"^# In\[(\d*) ?\]:[ \t]*$")


def exported_cells(source: str) -> Exported:
    """The ``# In[n]:`` markers of a ``.py`` file's ``source`` (:data:`Exported`); () for a script
    Jupyter did not write."""
    return tuple((k, int(m.group(1)) if m.group(1) else None) for k, text in enumerate(source.split("\n"), 1)
                 if text.startswith("# In[") and (m := _EXPORTED_CELL.match(text.rstrip("\r"))))


def exported_at(exported: Exported, line: int | None) -> tuple[int, int] | None:
    """``(prompt, line in that cell)`` of the file's ``line`` in a script Jupyter saved: the cell
    below the last marker above it (its code starts two blank lines below the marker); None where no
    marker is above, the cell was never run (no prompt), or ``line`` is None."""
    if line is None:
        return None
    above = [(k, count) for k, count in exported if k + 2 < line]
    if not above or above[-1][1] is None:
        return None
    mark, count = above[-1]
    return count, line - mark - 2


def script_line_words(line: int, at: tuple[int, int] | None) -> str:
    """``"line 207"``, or ``"line 207 (In [10], line 12)"`` with the exported cell's prompt and line
    (:func:`exported_at`): every place a script's feedback, self-check and notes name (only the
    self-check's "at" line said the cell until the thirty-eighth session)."""
    return f"line {line}" + (f" (In [{at[0]}], line {at[1]})" if at is not None else "")


@frozen_record
class Location:
    """Where in the student's notebook: cell index (0-based) and line in that cell (1-based).

    ``prompt`` is the execution count the saved notebook shows beside that cell (``In [7]``), when
    it has one: Jupyter numbers no cell, so "cell 23" alone had a student counting cells from the
    top, markdown included, where the prompt is what their screen shows.
    """

    cell: int | None
    line: int | None
    function: str | None = None
    prompt: int | None = None
    #: The submission is a ``.py`` file, read as one cell: its places are said as the file's lines
    #: ("line 139", as Python counts them), never as "cell 1".
    script: bool = False
    #: In a script Jupyter saved (``# In[10]:`` before each cell), the line in the cell whose prompt
    #: ``prompt`` is (:func:`exported_at`): said beside the file's line.
    cell_line: int | None = None

    def cell_label(self) -> str:
        """``"cell 4, In [2]"`` (a heading's words), or ``"cell 4"`` for a cell the notebook was
        saved without running (``""`` when the cell is not known); ``"line 19"`` in a script."""
        if self.script and self.line is not None:
            return f"line {self.line}" + (f", In [{self.prompt}]" if self.prompt is not None else "")
        if self.cell is None or self.script:
            return ""
        return f"cell {self.cell + 1}" + (f", In [{self.prompt}]" if self.prompt is not None else "")

    def place(self) -> str:
        """``"cell 4 (In [2]), line 3"``; in a script ``"line 207"``, or ``"line 207 (In [10], line 12)"``
        when Jupyter saved it (``cell_line``); "" when neither cell nor line is known."""
        if self.script:
            if self.line is None:
                return ""
            at = (self.prompt, self.cell_line) if self.prompt is not None and self.cell_line is not None else None
            return script_line_words(self.line, at)
        parts = [cell_words(self.cell, self.prompt)] if self.cell is not None else []
        if self.line is not None:
            parts.append(f"line {self.line}")
        return ", ".join(parts)

    def describe(self) -> str:
        """``"cell 4 (In [2]), line 3, in rnn_cell_forward"``."""
        parts = [self.place()] if self.place() else []
        if self.function:
            parts.append(f"in {self.function}")
        return ", ".join(parts) or "unknown location"


@frozen_record
class Diagnosis:
    """A known mistake whose outputs the student's outputs matched."""

    id: str
    message: str


@frozen_record
class CheckResult:
    name: str  # the output's name, e.g. "a_next", or "inputs unchanged"
    passed: bool
    points: float
    max_points: float
    message: str = ""


@frozen_record
class CaseResult:
    case_id: str
    name: str
    visibility: str
    status: str
    points: float
    max_points: float
    checks: tuple[CheckResult, ...] = ()
    message: str = ""
    diagnosis: Diagnosis | None = None
    location: Location | None = None
    output: str = ""  # what the student's code printed, truncated
    seconds: float = 0.0


@frozen_record
class PartResult:
    name: str
    function: str
    status: str  # PASSED if every case passed, else the worst case status
    points: float
    max_points: float
    cases: tuple[CaseResult, ...] = ()
    notes: tuple[str, ...] = ()  # free names, duplicate definitions, mutated inputs ...
    location: Location | None = None  # where the function is defined
    bonus: bool = False  # its points add to the score, not to max_points (``Part.bonus``, the IMDB bonus)


@frozen_record
class SubmissionResult:
    submission_id: str
    path: str
    status: str  # GRADED | "unreadable" | HARNESS
    points: float
    max_points: float
    parts: tuple[PartResult, ...] = ()
    messages: tuple[str, ...] = ()  # about the whole submission
    timings: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))
    extra: Mapping[str, object] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def graded(self) -> bool:
        """Whether the grader read the notebook and graded its parts (status :data:`GRADED`): not
        one it could not read, nor one it failed on, whose parts say nothing of the notebook."""
        return self.status == GRADED

    def part(self, name: str) -> PartResult | None:
        for part in self.parts:
            if part.name == name:
                return part
        return None


def marked_bonus(parts: Iterable[PartResult], bonus: Collection[str]) -> tuple[PartResult, ...]:
    """``parts`` with ``bonus`` True on those named in ``bonus`` (the rubric's bonus parts, the
    IMDB bonus's part): what every report reads to show a part's points beyond ``max_points``. A
    bonus function the notebook leaves out (missing, or the template's placeholders left: every
    case so) is ``NOT_ATTEMPTED``, it and its cases, as the IMDB bonus left out is: nothing was
    asked of the student, and "missing" in red read as a failure (thirty-sixth session; its cases
    still read "missing" under red crosses in feedback.md, feedback.html, results.json and the
    class report until the thirty-seventh)."""
    return tuple((_not_attempted(part) if _left_out(part) else replace(part, bonus=True))
                 if part.name in bonus and not part.bonus else part for part in parts)


_UNWRITTEN = (MISSING, NOT_IMPLEMENTED)


def _left_out(part: PartResult) -> bool:
    """Whether ``part``'s function is not in the notebook or still the template's, in every case."""
    return part.status in _UNWRITTEN and all(case.status in _UNWRITTEN for case in part.cases)


def _not_attempted(part: PartResult) -> PartResult:
    """``part``, a bonus left out, as not attempted: it and each of its cases."""
    return replace(part, bonus=True, status=NOT_ATTEMPTED,
                   cases=tuple(replace(case, status=NOT_ATTEMPTED) for case in part.cases))


def bonus_mark(part: PartResult) -> str:
    """``" (bonus)"`` after a bonus part's name where a report names it, else ""."""
    return " (bonus)" if part.bonus else ""


def counted_points(parts: Iterable[PartResult]) -> float:
    """A result's ``max_points``: the points of its parts that are not a bonus."""
    return round(sum(part.max_points for part in parts if not part.bonus), 6)
