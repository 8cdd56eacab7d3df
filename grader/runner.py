"""``grade_submission``: one submission through extraction, the sandbox and the checks.

The grading process holds the fixtures (inputs, expected values, reference
traces, mutant outputs); the sandbox child holds only the student's program.
Inputs go down, plain data comes back, and every comparison happens here.
"""
from __future__ import annotations

import ast
import dataclasses
import difflib
import pickle
import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Iterator, Mapping, Sequence

from grader import checks, formulahints, hints, loophints, stephints, valuehints, wire
from grader.childruntime import args_layout
from grader.course import COURSE_ARITY, COURSE_MODULES
from grader.failtexts import (NOWHERE, STAR_HINT, UNSET_TOGETHER, USES_HEAD, bad_output_text, budget_text,
                              crash_text, error_text, helper_input, legacy_aliases_replaced, line_hint, lost_cases,
                              not_said_again, numpy_typo, placeholder_warning, timeout_text, unreadable_advice,
                              unreadable_result, unset_note)
from grader.fastcheck import WireExpectation, expectation_for
from grader.fixedsizes import example_sizes
from grader.gradedsource import aliased, code_facts, graded_source
from grader.loading import loaded_session, top_level_broken
from grader.mistakeindex import MistakeIndex
from grader.mistakematch import agreement, matches, mistake_shows, mistake_twins, outputs_repeat
from grader.models import (
    CASE_GRADER_FAILED, CRASHED, ERROR, FAILED, GRADED, GRADER_ERROR, HARNESS, HIDDEN, MISSING, NOT_ATTEMPTED,
    NOT_IMPLEMENTED, PARTIAL_MATCH, PASSED, RAISED_MATCH, SKIPPED, TIMEOUT, Case, CaseResult, CheckResult, Diagnosis,
    Location, Part, PartResult, Rubric, SubmissionResult, cell_words, counted_points, exported_at, line_words,
    marked_bonus,
)
from grader.notes import bounded_result
from grader.outputnotes import (computes_nothing, dict_keys, hidden_message, inner_order, missing_key_hint, not_a_dict,
                                not_a_tuple, order_problem, positions_agree, repeated_value, returned_names,
                                returned_none, shape_of_another, normalised_elsewhere, square_for_column,
                                transposed_scaled_or_shifted)
from grader.rubric import format_path, parse_path

#: Worst first: a part's status is the worst of its cases'.
_SEVERITY = (HARNESS, MISSING, NOT_IMPLEMENTED, CRASHED, TIMEOUT, ERROR, SKIPPED, FAILED, NOT_ATTEMPTED,
             PASSED)

#: Check kinds that pass whenever the whole value matches the expected one within the tolerance.
_FAST_CHECKS = frozenset({"allclose", "shape", "structure"})

#: How many of extraction's warnings and errors a submission's feedback lists; the rest are counted.
MAX_EXTRACTION_MESSAGES = 20

#: Tolerance used to recognise a reference step in a stub call: the student
#: passes values computed from the reference's own outputs, so they agree closely.
_TRACE_RTOL, _TRACE_ATOL = 1e-7, 1e-10


@dataclass(frozen=True)
class GradingContext:
    """Everything ``grade_submission`` needs besides the submission; built once per batch."""

    rubric: Rubric
    fixtures: Mapping[str, Any]  # case id -> grader.fixtures.CaseFixture
    mutant_messages: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    imdb_config: Any = None  # grader.imdb.ImdbConfig, when the rubric grades the bonus
    #: What the runner works out once per process from the rubric and the fixtures and keeps:
    #: each case's plan (_CasePlan), expected values as grader.fastcheck sees them, trace
    #: steps' encoded answers, which known mistakes show on which case (and which coincide there),
    #: the parts split by phase (_phases). Filled on first use; bounded by the rubric's size.
    memo: dict = field(default_factory=dict, compare=False, repr=False)


def answer_layouts(context: GradingContext) -> tuple[str, ...]:
    """The layouts of the rubric's expected values (``grader.wire.layout``: nesting, shapes,
    which parts are one object; no number), distinct, for the sandbox's zygote to teach the
    children's encoders (``Sandbox(layouts=...)``): a usual answer then has its header ready."""
    return _fixture_layouts(context, lambda fixture: wire.layout(fixture.expected))


def argument_layouts(context: GradingContext) -> tuple[str, ...]:
    """The layouts of the rubric's call arguments (``grader.childruntime.args_layout``: nesting, shapes,
    which parts are one object; no number), distinct, for the sandbox's zygote to teach the
    children (``Sandbox(arg_layouts=...)``): a case's arguments then travel as their arrays' bytes."""
    def layout_of(fixture: Any) -> str | None:
        laid_out = args_layout(fixture.args)
        return laid_out[0] if laid_out is not None else None
    return _fixture_layouts(context, layout_of)


def _fixture_layouts(context: GradingContext, layout_of: Any) -> tuple[str, ...]:
    """``layout_of(fixture)`` for every case of the rubric that has a fixture, in the rubric's
    order, without repeats or Nones."""
    found = []
    for part in context.rubric.parts:
        for case in part.cases:
            fixture = context.fixtures.get(case.id)
            text = layout_of(fixture) if fixture is not None else None
            if text is not None:
                found.append(text)
    return tuple(dict.fromkeys(found))


def ordered_parts(rubric: Rubric) -> tuple[Part, ...]:
    """Parts in an order where every part comes after the parts it depends on.

    This matters for fairness and safety: within each phase of ``_grade_parts`` a
    dependency's stub is only offered to the child after the dependency's own cases of
    that phase are graded. A composite's public cases (first phase) may be answered by
    stubs before the dependency's hidden cases run; their answers are for other inputs
    (``tests/test_runner_phases.py`` checks the shipped rubrics' fixtures for that).
    """
    by_function = {part.function: part for part in rubric.parts}
    done: list[Part] = []
    seen: set[str] = set()

    def visit(part: Part, stack: tuple[str, ...] = ()) -> None:
        if part.name in seen or part.function in stack:
            return
        for dep in part.depends:
            if dep in by_function:
                visit(by_function[dep], stack + (part.function,))
        seen.add(part.name)
        done.append(part)

    for part in rubric.parts:
        visit(part)
    return tuple(done)


class TraceStub:
    """Answers a dependency's calls from the reference trace of one case.

    Called in the grading process with the arguments the student's function
    passed to its dependency. When they match a step of the reference run,
    the reference result of that step is returned; otherwise the child falls
    back to the student's own function (``FALLBACK``).
    """

    def __init__(self, function: str, trace: Sequence, fallback: object, *,
                 memo: dict | None = None, key: object = None) -> None:
        self.function = function
        self.trace = tuple(trace)
        self.fallback = fallback
        self.calls = 0
        self.misses: list[int] = []
        self.first_wrong_argument: int | None = None  # at the first miss, the first argument unlike the step's
        self.wrong_arguments: tuple[int, ...] = ()  # at the first miss, every argument unlike the step's
        self.wrong_argument_zeros = False  # that argument is all zeros where the step's is not
        self.wrong_argument_shapes: tuple[tuple, tuple] | None = None  # (passed, a correct run's), when they differ
        self.wanted_argument: object = None  # that argument as a correct run passes it
        self.missed_arguments: tuple = ()  # the arguments of the first call that missed
        self.memo = memo if memo is not None else {}  # (key, step) -> (WireExpectation | None, result bytes)
        self.key = key

    def quick(self, raw_args: bytes) -> bytes | None:
        """The pickled answer when the arguments, still as wire bytes, match the step
        a correct caller is at (``grader.fastcheck``); None to decide on the decoded arguments."""
        index = self.calls
        if index >= len(self.trace) or self.key is None:
            return None
        entry = self.memo.get((self.key, index))
        if entry is None:
            step_args, result = self.trace[index]
            try:
                frame = pickle.dumps(result, protocol=4)  # the child loads it (see conversation.answer_stub)
            except (pickle.PicklingError, TypeError, AttributeError):
                frame = None
            entry = self.memo[(self.key, index)] = (WireExpectation.of(tuple(step_args)), frame)
        expectation, frame = entry
        if expectation is None or frame is None or not expectation.accepts(
                raw_args, rtol=_TRACE_RTOL, atol=_TRACE_ATOL):
            return None
        self.calls += 1
        return frame

    def __call__(self, args: tuple) -> object:
        self.calls += 1
        args = tuple(args)
        # The step a correct caller is at comes next in the trace: try it first.
        order = list(range(self.calls - 1, len(self.trace))) + list(range(min(self.calls - 1, len(self.trace))))
        for index in order:
            step_args, result = self.trace[index]
            if checks.plain_equal(args, tuple(step_args), rtol=_TRACE_RTOL, atol=_TRACE_ATOL):
                return result
        if not self.misses and self.calls <= len(self.trace):
            step_args = tuple(self.trace[self.calls - 1][0])
            if len(step_args) == len(args):
                self.wrong_arguments = tuple(
                    k for k, (got, want) in enumerate(zip(args, step_args))
                    if not checks.plain_equal(got, want, rtol=_TRACE_RTOL, atol=_TRACE_ATOL))
                self.first_wrong_argument = self.wrong_arguments[0] if self.wrong_arguments else None
                if self.first_wrong_argument is not None:
                    got = args[self.first_wrong_argument]
                    self.wrong_argument_zeros = getattr(got, "ndim", 0) > 0 and got.size > 0 \
                        and got.dtype.kind in "fiub" and not got.any()  # a NumPy array, decoded
                    want = self.wanted_argument = step_args[self.first_wrong_argument]
                    self.missed_arguments = args
                    shapes = (getattr(got, "shape", None), getattr(want, "shape", None))
                    if None not in shapes and shapes[0] != shapes[1]:
                        self.wrong_argument_shapes = shapes
        self.misses.append(self.calls)
        return self.fallback


#: The most names from outside a graded function looked up for a "did you mean" (the others get
#: the plain note; ``notes.bounded_result`` counts the notes past its bound), and the most functions
#: of a notebook they are compared with (``difflib``, each with each, in both phases): 5,000 names
#: beside 2,500 defs cost a worker 126 s until the thirty-third session. Real notebooks: at most 8
#: such names a function, 9 functions.
_MOST_FREE_NAMES = 20
_MOST_NEAR_CANDIDATES = 200


#: The diagnoses that blame how a function normalises its prediction (the mutants of a softmax over
#: the wrong axis, ``outputnotes.normalised_elsewhere``).
_SOFTMAX_MISTAKE = re.compile(r"/softmax_(?:axis1|whole_array)$|^normalised-elsewhere$")


def _own_softmax_told(results: list[CaseResult], notes: Sequence[str], function: str) -> list[CaseResult]:
    """``results`` without their diagnosis of a softmax over the wrong axis when the part's ``notes``
    say already that ``function`` calls the student's own `softmax`, which does that
    (``valuehints.own_helper_hint``): a real notebook was told it twice, by the note ("... Fix yours,
    or delete it") and by each case ("Likely mistake: Your softmax normalises the whole matrix at
    once ...")."""
    if not any(note.startswith(f"`{function}` calls your own `softmax`") for note in notes):
        return results
    return [dataclasses.replace(r, diagnosis=None)
            if r.diagnosis is not None and _SOFTMAX_MISTAKE.search(r.diagnosis.id) else r for r in results]


def _worst(statuses: Sequence[str]) -> str:
    if not statuses:
        return PASSED
    return min(statuses, key=_SEVERITY.index)


#: A call of NumPy's append (``np.append(``, ``numpy.append(``).
_NP_APPEND = re.compile(r"\b(?:np|numpy)\s*\.\s*append\s*\(")
#: The name of the first def in a source.
_DEF_NAME = re.compile(r"^[ \t]*(?:async[ \t]+)?def[ \t]+(\w+)", re.M)


def _signature(functions: Mapping[str, Any], name: str, facts: Mapping[str, tuple]) -> "_ParameterNames":
    """The parameter names a call of function ``name`` binds its arguments to: those of the def an
    alias binds (``bound_source``: the method of ``rnn_cell_forward = RNN.cell``, a class method's
    ``cls`` left out, or the earlier ``f`` of ``rnn_cell_forward = f`` defined again), whose own
    one line has none, or messages about a method so bound said "argument 3" for ``parameters``;
    otherwise ``name``'s own."""
    fn = functions[name]
    bound = getattr(fn, "bound_source", None)
    if bound:
        return _ParameterNames(bound, None, drop=getattr(fn, "bound_skips", 0))
    return _ParameterNames(fn.source, facts.get(name))


def _parameter_names(source: str) -> tuple[str, ...]:
    """The positional parameter names of the function defined by ``source`` (``()`` if none)."""
    return code_facts(source)[0]


def _label_path(path: str, names: Sequence[str]) -> str:
    """``args[1]['Wax']`` -> ``a_prev['Wax']`` using the student's parameter names."""
    if path.startswith("args["):
        end = path.index("]")
        index = int(path[5:end])
        if index < len(names):
            return names[index] + path[end + 1:]
    return path


def _shape_of(value: Any) -> tuple | None:
    """An array's shape; None for anything else."""
    return getattr(value, "shape", None)


def _split_path(path: str) -> tuple[str, tuple]:
    """``"result[2][0]"`` -> ``("result", (2, 0))``; ``"args[1]['Wax']"`` -> ``("args", (1, "Wax"))``.

    The part after the head is a rubric output path; ValueError for anything else.
    """
    head, bracket, rest = path.partition("[")
    return head, parse_path(bracket + rest)


@dataclass(frozen=True)
class _CasePlan:
    """What grading a case needs that does not depend on the submission: worked out once per
    process (``GradingContext.memo``) instead of once per submission."""

    fixture: Any  # grader.fixtures.CaseFixture
    args: tuple  # the fixture's arguments, as sent to the child
    specs: tuple  # the case's OutputSpecs, in the case's order
    shares: tuple[float, ...]  # each spec's share of the case's points
    fast: bool  # every check passes when the whole value is within tolerance (grader.fastcheck)
    passed: tuple[CheckResult, ...]  # the checks' results when every output is right
    points: float  # what they add up to: the case's points (0 when no output weighs anything)
    traced: tuple[str, ...]  # dependencies the reference trace answers (isolated parts)

    @classmethod
    def of(cls, part: Part, case: Case, fixture: Any) -> "_CasePlan":
        """The plan of ``case`` of ``part`` with its fixture."""
        specs = tuple(part.output(name) for name in case.outputs)
        total_weight = sum(s.weight for s in specs)
        shares = tuple(case.points * spec.weight / total_weight if total_weight else 0.0 for spec in specs)
        passed = tuple(CheckResult(spec.name, True, share, share) for spec, share in zip(specs, shares))
        traced = tuple(dep for dep in part.depends if fixture.traces.get(dep) is not None) if part.isolate else ()
        # A right answer earns the case's points as the rubric wrote them: the shares' sum can
        # miss by a rounding (2/7 + 2/7 + 2/7 + 1/7 of 3 is 2.9999999999999996).
        return cls(fixture=fixture, args=tuple(fixture.args), specs=specs, shares=shares,
                   fast=all(spec.check in _FAST_CHECKS for spec in specs), passed=passed,
                   points=case.points if total_weight else 0.0, traced=traced)


class _Grader:
    """Grades one part of one submission against its cases; short-lived."""

    def __init__(self, *, part: Part, context: GradingContext, extraction: Any, program: Any,
                 session: Any, fallback: object, facts: dict[str, tuple] | None = None,
                 trusted: frozenset[str] = frozenset(), after_timeout: bool = False,
                 trial_failed: bool = False, load_errors: Mapping[str, str] | None = None) -> None:
        self.part = part
        # function -> why its definition was left out of the program (``loaded_session``)
        self.load_errors = load_errors or {}
        self.trusted = trusted  # functions whose cases passed: see _grade_case and grade_submission
        self.trial_failed = trial_failed  # a trial call of this part was not fully right: no more trials
        self.after_timeout = after_timeout  # an earlier case of this function (another phase) timed out
        self.facts = facts if facts is not None else {}
        self.alias_names: dict[str, tuple[str, ...]] = {}  # see _other_names
        self.context = context
        self.extraction = extraction
        self.program = program
        self.session = session
        self.fallback = fallback
        self.notes: list[str] = []
        self.prefetched: dict[str, Any] = {}  # case id -> outcome of its first call, sent ahead
        self.sent_ahead = False  # its first calls went to the child in a run of ``_send_ahead``
        self.raised_as: dict[str, tuple[str, ...]] = {}  # case id -> known mistakes raising its error
        self.twins: dict[str, tuple[str, ...]] = {}  # case id -> known mistakes its diagnosed one's outputs equal
        self.zeros_as: dict[str, tuple[str, ...]] = {}  # case id -> known mistakes matched there computing nothing
        self.loop_mistake: tuple[str, str] | None = None  # see _loop_mistake

    # ------------------------------------------------------------------ per part
    def grade(self) -> PartResult:
        part = self.part
        fn = self.extraction.functions.get(part.function)
        if fn is None:
            broken = self._extraction_error()
            if broken is not None:  # defined, but its def does not parse or compile
                return self._all_cases(ERROR, broken.message, location=self._location(
                    broken.cell_index, broken.line, part.function) if broken.cell_index is not None else None)
            # Never suggest renaming a function the rubric grades under its own name, nor one of
            # the course's functions (the optional ``lstm_cell_backward`` is no misspelt
            # ``rnn_cell_backward``).
            graded = {name for p in self.context.rubric.parts for name in (p.function, *p.depends)}
            graded.update(COURSE_ARITY)
            # Compared in lower case: `LSTM_forward_pass` is as near `lstm_forward` as `lstm_forward_pass`.
            others = {name.lower(): name for name in reversed(list(self.extraction.functions)) if name not in graded}
            near = [others[found] for found in difflib.get_close_matches(part.function.lower(), list(others), n=1)]
            hint = f" Did you mean to name `{near[0]}` `{part.function}`?" if near else ""
            if self.extraction.unread_cells or self.extraction.cells_left_out:
                hint = (" The grader did not read all of the notebook's code for its size (see the note "
                        "about it): it may be in the part not read.")
            unreadable = getattr(self.extraction, "unreadable_cells", ())
            if unreadable:
                cells = ", ".join(self._cell(c) for c in unreadable[:3])
                hint = (f" The code of {cells}{' and more' if len(unreadable) > 3 else ''} is not saved as text, so "
                        "the grader could not read it all (see the note about it): it may be there.")
            message = f"No function named `{part.function}` was found in the notebook.{hint}"
            imported = getattr(self.extraction, "imported_from_own_module", lambda _name: None)(part.function)
            if imported is not None and not hint:  # `from my_rnn import *`: the file beside it is not graded
                statement, cell, _ = imported
                where = self._cell(cell) if cell is not None else "the notebook"
                message = (f"No function named `{part.function}` is defined in the notebook; {where} imports "
                           f"{'it' if statement.endswith(' ' + part.function) else 'names'} from a module of yours "
                           f"(`{statement}`), and only the notebook is graded, not the files beside it. Define "
                           f"`{part.function}` in the notebook itself (copy its `def` into a cell).")
            inside = self._inside(part.function)
            if inside is not None:
                message = f"`{part.function}` {inside[0]}, so it is not graded: {inside[1]}."
            constant = getattr(self.extraction, "constant_values", lambda names: {})(
                names=(part.function,)).get(part.function)
            if constant is not None:  # `rnn_cell_forward = None` in a scratch cell, after the def
                value, cell, line = constant
                message = (f"`{part.function}` is set to {value!r} in {self._line(cell, line)}, "
                           f"and that replaces any `def {part.function}` above it, as when the notebook "
                           f"runs. Delete that line, or give the value another name, to have the function graded.")
            assigned = getattr(self.extraction, "assigned_in", {}).get(part.function)
            if assigned is not None and not (self.extraction.unread_cells or self.extraction.cells_left_out):
                line, statement, instead = getattr(self.extraction, "assigned_by", {}).get(
                    part.function, (None, None, None))
                where = (f"{self._cell(assigned)} by a statement" if statement is None
                         else f"{self._line(assigned, line)}, by `{statement}`, a statement")
                message = (
                    f"`{part.function}` is assigned in {where} the grader does not "
                    f"run: it runs the notebook's `def`s, classes, imports and constants, and "
                    f"`{part.function} = other` naming a function or class attribute defined before it, but "
                    f"not a call such as `functools.partial(...)`. Define it with "
                    + (f"`def {part.function}(...)` to have it graded." if instead is None
                       else f"a `def` calling yours to have it graded: `{instead}`."))
            return self._all_cases(MISSING, message, location=None)
        location = self._location(fn.cell_index, fn.first_line, part.function)
        if fn.placeholder:
            detail = f" ({fn.placeholder_detail})" if fn.placeholder_detail else ""
            message = f"`{part.function}` still holds the template's placeholders{detail}: not implemented yet."
            return self._all_cases(NOT_IMPLEMENTED, message, location=location)
        self._note_free_names(fn)
        named = aliased(self.extraction.functions, part.function)
        param_names = _signature(self.extraction.functions, named, self.facts)

        results: list[CaseResult] = []
        timed_out = self.after_timeout
        for case in part.cases:
            if timed_out:
                results.append(self._case(case, SKIPPED, 0.0, message=(
                    "Not run: an earlier case of this function ran out of time.")))
                continue
            result = self._grade_case(case, param_names)
            if result.status == TIMEOUT:
                timed_out = True
            results.append(result)
        failed = [r for r in results if r.status in (FAILED, ERROR)]
        if failed:
            self.notes.extend(self._outside_notes(hidden=any(r.visibility == HIDDEN for r in failed),
                                                  wrong=any(r.status == FAILED for r in failed)))
            results = _own_softmax_told(results, self.notes, part.function)
        points = sum(r.points for r in results)
        return _named_across_cases(PartResult(
            name=part.name, function=part.function,
            status=_worst([r.status for r in results]),
            points=round(points, 6), max_points=part.max_points,
            cases=tuple(results), notes=tuple(dict.fromkeys(self.notes)), location=location,
        ), self.raised_as, self.twins, self.context.mutant_messages, zeros_as=self.zeros_as)

    def _plan(self, case: Case) -> _CasePlan | None:
        """The case's plan (see ``_CasePlan``); None when the case has no fixture."""
        memo = self.context.memo
        key = ("plan", case.id)
        try:
            return memo[key]
        except KeyError:
            fixture = self.context.fixtures.get(case.id)
            found = memo[key] = _CasePlan.of(self.part, case, fixture) if fixture is not None else None
            return found

    def _stubs(self, plan: _CasePlan) -> dict[str, TraceStub]:
        """The trace stubs of a case: one per dependency the reference trace records (isolated parts)."""
        if not plan.traced:
            return {}
        fixture = plan.fixture
        return {dep: TraceStub(dep, fixture.traces[dep], self.fallback, memo=self.context.memo,
                               key=("trace", fixture.case_id, dep))
                for dep in plan.traced}

    def _call_stubs(self, stubs: dict[str, TraceStub]) -> dict[str, TraceStub]:
        """``stubs`` as the child gets them: each also under the other names the notebook gives its
        function (``rnn_cell_forward = my_cell``, or ``my_cell = rnn_cell_forward``: extraction's
        ``alias_of``), unless the rubric grades that name itself. A composite that called
        ``my_cell`` was never isolated from it: a wrong cell cost the student twice, in
        ``rnn_cell_forward`` and again in every output of ``rnn_forward``. The verdicts and
        diagnoses still read ``stubs`` (one stub a dependency)."""
        if not stubs:
            return stubs
        called = dict(stubs)
        for dep, stub in stubs.items():
            for name in self._other_names(dep):
                called.setdefault(name, stub)
        return called

    def _other_names(self, dep: str) -> tuple[str, ...]:
        """The names the notebook also gives dependency ``dep``'s function that the rubric does
        not grade (see ``_call_stubs``), worked out once per part: they are the same for every
        case, and each call of a composite asked again."""
        known = self.alias_names.get(dep)
        if known is None:
            functions = self.extraction.functions
            if dep not in functions:
                known = ()
            else:
                graded = {name for p in self.context.rubric.parts for name in (p.function, *p.depends)}
                root = aliased(functions, dep)
                known = tuple(name for name in functions
                              if name != dep and name not in graded and aliased(functions, name) == root)
            self.alias_names[dep] = known
        return known

    def _options(self) -> dict:
        if getattr(self.session, "deferred_aliases", False):
            # Fixture arguments never change: their encoding is reused across submissions;
            # the memory-sharing pairs are only needed to explain a failure (see _alias_problem).
            return {"aliases": False, "reuse_args": True, "raw_value": True}
        return {}

    def calls_ahead(self, trusted: frozenset[str]) -> tuple[list[tuple[Case, "_CasePlan"]], bool]:
        """``(cases, complete)``: the cases whose first call ``grade`` makes without stubs (a plain
        call, or a trial with the student's own dependencies) when the functions in ``trusted`` are
        trusted, in order up to the first case whose call would need stubs; ``complete`` when no
        case needs them. A part that makes no call (its function missing, or a placeholder; every
        case skipped after a timeout) has none, and is complete."""
        fn = self.extraction.functions.get(self.part.function)
        if self.after_timeout or fn is None or fn.placeholder:
            return [], True
        ahead = []
        for case in self.part.cases:
            plan = self._plan(case)
            if plan is None:
                continue  # graded as a harness failure without a call
            if plan.traced and (self.trial_failed or not all(dep in trusted for dep in plan.traced)):
                return ahead, False  # stubs are needed: the dependencies are not trusted, or a trial failed
            ahead.append((case, plan))
        return ahead, True

    def _first_call(self, case: Case, args: tuple, options: dict) -> Any:
        """The outcome of a case's first call without stubs: sent ahead (``_send_ahead``), or now."""
        outcome = self.prefetched.pop(case.id, None)
        if outcome is not None:
            return outcome
        return self.session.call(self.part.function, args, timeout=case.timeout, **options)

    def _extraction_error(self) -> Any:
        """The extraction's first error naming this part's function (a def that does not parse
        or compile, or one left out of the program), or None: what to tell the student instead
        of "not found" or "not defined"."""
        for found in self.extraction.diagnostics:
            if found.severity == "error" and found.function == self.part.function:
                return found
        return None

    def _all_cases(self, status: str, message: str, *, location: Location | None) -> PartResult:
        cases = tuple(self._case(case, status, 0.0, message=message) for case in self.part.cases)
        return PartResult(name=self.part.name, function=self.part.function, status=status,
                          points=0.0, max_points=self.part.max_points, cases=cases,
                          notes=(message,), location=location)

    def _note_free_names(self, fn: Any) -> None:
        if not fn.free_names:
            return
        keys: set[str] = set()
        for case in self.part.cases:
            fixture = self.context.fixtures.get(case.id)
            if fixture is not None:
                keys |= dict_keys(fixture.args)
        from grader.extractnotes import broken_definition_note  # loaded already

        broken, known = self._free_name_notes()
        graded = {p.function for p in self.context.rubric.parts}
        unset: dict[int, str] = {}  # place in the notes -> a name the function reads and never computes
        for k, name in enumerate(fn.free_names):
            if name in broken:
                self.notes.append(broken_definition_note(self.part.function, name, broken[name],
                                                         cell=lambda i: self._cell(i)))
            elif name in keys:
                self.notes.append(f"`{self.part.function}` uses `{name}` from outside the function: "
                                  f"read it from `parameters` (`parameters[\"{name}\"]`).")
            elif typo := numpy_typo(name):
                self.notes.append(f"`{self.part.function}` uses `{name}`, which nothing defines: "
                                  f"did you mean `{typo}`?")
            elif ((said := known.get(f"`{self.part.function}` uses `{name}`")) is not None
                  and NOWHERE not in said):
                # The unread parameter's hint for the first names only, as the lookups below: a
                # hostile function reading 4,400 names asked difflib 26,000 times (0.5 s of a worker).
                hint = (valuehints.unread_parameter_hint(fn.source, name=name)
                        or valuehints.unread_local_hint(fn.source, name=name, first_line=fn.first_line)) \
                    if k < _MOST_FREE_NAMES else ""
                unset.update({len(self.notes): name} if not hint else {})
                self.notes.append(said + hint)
            elif name in graded and not self._near_function(name):
                # Called by its right name and not found where the grader reads (its own part says
                # why): not "did you mean `rnn_cell_backward`?", another function the rubric grades.
                self.notes.append(self._graded_not_found(name))
            elif k < _MOST_FREE_NAMES and (inside := self._inside(name)):  # under `if True:`: not "nowhere"
                self.notes.append(f"`{self.part.function}` uses `{name}`, which {inside[0]}: {inside[1]}.")
            elif k < _MOST_FREE_NAMES and (near := self._near_function(name)):
                self.notes.append(f"`{self.part.function}` uses `{name}`, which nothing in the notebook defines: "
                                  f"did you mean `{near}`?")
            else:  # nowhere: the advice, with the hint of a star import extraction could not see into
                star = STAR_HINT.search(said or "")
                # Extraction says which when it knows: no cell's top level nor the function assigns it.
                where = ("nothing in the notebook defines (neither the function nor a cell's top level)"
                         if said is not None and NOWHERE in said else
                         "is defined outside the function (or nowhere)")
                # A value thrown away is named for the one name read from nowhere only (of an unfinished
                # function's several, each would be asked whether it was that value).
                hint = (valuehints.unread_parameter_hint(fn.source, name=name)
                        or (valuehints.dead_store_hint(fn.source, name=name, first_line=fn.first_line)
                            if len(fn.free_names) == 1 else "")
                        or valuehints.unread_local_hint(fn.source, name=name, first_line=fn.first_line)) \
                    if k < _MOST_FREE_NAMES else ""
                unset.update({len(self.notes): name} if not hint and not star else {})
                self.notes.append(f"`{self.part.function}` uses `{name}`, which {where}: compute it inside "
                                  f"or pass it in{' ' + star.group(0) if star else ''}.{hint}")
        if len(unset) >= UNSET_TOGETHER:  # an unfinished function: one note, not one a name
            first, told = min(unset), unset_note(self.part.function, list(unset.values()))
            self.notes[first:] = [told if k == first else note
                                  for k, note in enumerate(self.notes[first:], first) if k == first or k not in unset]

    def _free_name_notes(self) -> tuple[dict, dict[str, str]]:
        """``(broken, known)`` for ``_note_free_names``: extraction's broken definitions, and what
        it said of each name this part's function reads, when it knows more than "outside the
        function" (where a statement the grader does not run assigns it, or the test helper it
        comes from), keyed by the note's head. Extraction's notes are read once a submission, in
        its facts: each part scanned them all again (13,000 notes of a hostile notebook, 12 times,
        about a tenth of its grading; the perf helper's note, thirty-fourth session)."""
        from grader.extractnotes import broken_definitions  # loaded already

        key = "extraction's notes of free names"  # no function's name has a space
        found = self.facts.get(key)
        if found is None:
            by_function: dict[str | None, dict[str, str]] = {}
            for d in self.extraction.diagnostics:
                if (head := USES_HEAD.match(d.message)):
                    by_function.setdefault(d.function, {})[head.group(0)] = d.message
            found = self.facts[key] = (broken_definitions(self.extraction.diagnostics), by_function)
        return found[0], found[1].get(self.part.function, {})

    def _inside(self, name: str) -> tuple[str, str] | None:
        """``(where, what to do)`` for a function ``name`` the notebook defines where the grader
        does not read it (``Extraction.defined_inside``): inside an ``if`` or ``try`` block, or as
        a method of a class; None otherwise. Thirty-third session: the student read "No function
        named `rnn_cell_forward` was found in the notebook" for a def under ``if True:``."""
        found = getattr(self.extraction, "defined_inside", lambda _name: None)(name)
        if found is None:
            return None
        words, cell, line = found
        place = f"{self._line(cell, line)}"
        if words.endswith(" cell"):  # a def typed in a Markdown or raw cell
            return (f"is written in {self._cell(cell)}, {words}, not a code cell",
                    "Jupyter does not run it, nor does the grader; change the cell's type to Code (select it and "
                    "press Y) and run it")
        if words.startswith("the class"):
            return (f"is defined in {words} ({place}), as a method",
                    f"the grader calls a function `{name}` defined at the top level of a cell; define it outside "
                    f"the class (`def {name}(...)` at the start of its line, without `self`)")
        return (f"is defined inside {words} ({place}), not at the top level of a cell",
                "the grader runs a cell's top-level `def`s, not the statement around them; move the `def` out "
                "of the block, to the start of its line")

    def _graded_not_found(self, name: str) -> str:
        """The note of a graded function ``name`` that this part's function calls and the grader
        did not find: see its part; said to have been replaced here when the part is graded in
        isolation from it (thirty-third session: "did you mean `rnn_cell_backward`?")."""
        instead = (f" `{self.part.function}` was graded with a correct `{name}` in its place."
                   if self.part.isolate and name in self.part.depends else "")
        return (f"`{self.part.function}` uses `{name}`, which the grader did not find as a function of the "
                f"notebook (its own part says why).{instead}")

    def _outside_notes(self, *, hidden: bool, wrong: bool) -> list[str]:
        """For a part a case of which failed or raised (``hidden``: a hidden one; ``wrong``: one
        returned wrong values): what its function reads from outside itself that holds one value
        for every call (``valuehints.outside_size_hint``, when a hidden case failed: a size a cell sets,
        the example's, so the hidden cases' other sizes fail) or that is the student's in place of
        the course's (``valuehints.own_helper_hint``, when values were wrong: their own ``softmax``, with
        which the expected values were not computed; an error says where it was raised itself), or
        that keeps a value from one call to the next (``valuehints.global_state_hint``: ``global counter``).
        Read only once a case failed (thirty-third session)."""
        fn = self._own_function()
        if fn is None:
            return []
        notes = []
        constants = getattr(self.extraction, "constant_values", lambda names: {})(names=fn.uses) if hidden else {}
        # The sizes of the example the student ran (the public cases of the whole rubric: a part of
        # the hidden phase holds its hidden cases only).
        sizes = example_sizes(self.context.rubric, self.part.function)
        for name in sorted(fn.uses) if hidden else ():
            # A name the function calls is no size (`sigmoid = 3` in a cell: its call raises, told there).
            if name in constants and not re.search(rf"(?<![\w.]){re.escape(name)}\s*\(", fn.source):
                value, cell, line = constants[name]
                said = valuehints.outside_size_hint(self.part.function, name, value, sizes=sizes,
                                                    where=self._line(cell, line))
                if said:
                    notes.append(said)
        if hidden:  # the same sizes written out in the function itself
            said = valuehints.fixed_size_hint(fn.source, sizes=sizes, first_line=fn.first_line)
            if said:
                notes.append(said)
        for helper in sorted(fn.uses & set(COURSE_MODULES["rnn_utils"])) if wrong else ():
            own = self.extraction.functions.get(helper)
            if own is not None and own.cell_index is not None:
                said = self._own_helper(helper, own.cell_index)
                if said:
                    notes.append(said)
        said = valuehints.global_state_hint(fn.source, first_line=fn.first_line)  # `global counter`, changed
        if said:
            notes.append(said)
        if wrong and "=" in fn.source:
            said = self._cache_order(fn)
            if said:
                notes.append(said)
        return notes

    def _cache_order(self, fn: Any) -> str:
        """``stephints.cache_order_hint`` of the part's function against the notebook's functions that
        store a tuple under the name of the parameter it unpacks (``cache = (a_next, ...)`` in
        ``rnn_cell_forward``): the first 8 such functions of at most 20,000 characters each (a real
        one has about 1,000), each parsed (a hostile notebook's dozens of large ones are not)."""
        unpacked = line_hint(stephints.unpacked_order, fn.source)
        if not unpacked:
            return ""
        parameter = unpacked[0]
        functions = getattr(self.extraction, "functions", None) or {}
        makers = [(name, other) for name, other in functions.items()
                  if name != self.part.function and len(other.source) <= 20_000 and f"{parameter} =" in other.source
                  and other.cell_index is not None]
        for name, other in makers[:8]:
            stored = line_hint(stephints.stored_order, other.source, parameter)
            if stored:
                stored = (stored[0], stored[1] + other.first_line - 1)
                said = stephints.cache_order_hint(self.part.function, unpacked, stored, maker=name,
                                              first_line=fn.first_line,
                                              where=self._cell(other.cell_index))
                if said:
                    return said
        return ""

    def _own_helper(self, helper: str, cell: int) -> str:
        """``valuehints.own_helper_hint`` of the student's ``helper`` (defined in cell index ``cell``)
        against the course's on one array (``_own_helpers_run``); "" when the two agree or the
        helper's call did not end (out of time, a crash)."""
        ran = self._own_helpers_run()
        if helper not in ran:
            return ""
        status, value, error_type = ran[helper]
        if status not in ("ok", "error"):
            return ""
        course: dict[str, Any] = {"np": checks.np}
        exec(COURSE_MODULES["rnn_utils"][helper], course)  # the grader's own code, not the student's
        return valuehints.own_helper_hint(self.part.function, helper, where=self._cell(cell),
                                     got=value, expected=course[helper](helper_input()),
                                     raised=error_type if status == "error" else "")

    def _own_helpers_run(self) -> Mapping[str, tuple[str, Any, str]]:
        """What each course helper the notebook defines itself (``softmax``, ``sigmoid``) gives on
        one small array, by name: ``(status, value, error type)``. The calls are made together,
        once a submission, when a part that calls one first fails, and only in the phase of the
        public cases (what a helper gives once hidden cases ran could tell of them); {} before."""
        held = self.facts.get("own helpers")  # a key no function's name can be
        if held is not None:
            return held[0]
        if not any(c.visibility != HIDDEN for c in self.part.cases):
            return {}
        own = [name for name in COURSE_MODULES["rnn_utils"]
               if (f := self.extraction.functions.get(name)) is not None and f.cell_index is not None]
        timeout = self.part.cases[0].timeout
        args = (helper_input(),)
        many = getattr(self.session, "call_many", None)  # check()'s session calls one at a time
        outcomes = many([(name, args, timeout) for name in own]) if many is not None and len(own) > 1 \
            else [self.session.call(name, args, timeout=timeout) for name in own]
        ran = {name: (outcome.status, outcome.value, outcome.error_type)
               for name, outcome in zip(own, outcomes) if outcome is not None}
        self.facts["own helpers"] = (ran,)
        return ran

    def _near_function(self, name: str) -> str:
        """The notebook's function whose name is nearest ``name`` (a free name nothing defines,
        such as ``rnn_step_backward`` where ``rnn_cell_backward`` is meant), not the graded one
        itself, nor, for a name the rubric grades, another graded one (`rnn_cell_backward` for a
        `rnn_cell_forward` defined inside a class); "" when none is near (thirty-first session:
        told "compute it inside or pass it in")."""
        graded = {p.function for p in self.context.rubric.parts}
        others = [f for f in self.extraction.functions if f != self.part.function
                  and not (name in graded and f in graded)]
        if len(others) > _MOST_NEAR_CANDIDATES:
            return ""
        near = difflib.get_close_matches(name, others, n=1, cutoff=0.75)
        return near[0] if near and name not in self.extraction.functions else ""

    # ------------------------------------------------------------------ per case
    def _case(self, case: Case, status: str, points: float, **kw: Any) -> CaseResult:
        return CaseResult(case_id=case.id, name=case.name, visibility=case.visibility,
                          status=status, points=points, max_points=case.points, **kw)

    def _grade_case(self, case: Case, param_names: Sequence[str]) -> CaseResult:
        plan = self._plan(case)
        if plan is None:
            return self._case(case, HARNESS, 0.0, message=CASE_GRADER_FAILED)  # see lost_cases
        stubs = self._stubs(plan)
        options = self._options()
        args = plan.args
        own: tuple[str, ...] = ()  # the student's functions a call that timed out ran with
        if stubs and not self.trial_failed and all(dep in self.trusted for dep in stubs):
            # Every dependency passed all its own cases: call the function with the student's
            # own dependencies first (one message instead of one per time step). If every
            # output is right and the inputs are untouched, the isolated call could only
            # differ if two mistakes cancelled out exactly; otherwise grade it in isolation.
            trial, fast, raw = self._settle(case, plan, self._first_call(case, args, options))
            if trial.status in ("timeout", "budget"):
                # The loop is paid once, not again in isolation; the message names the student's
                # functions it ran with (each passed its own cases, so one can still be slow).
                own, stubs, outcome = tuple(stubs), {}, trial
            elif trial.status == "ok":
                judged = self._judge(case, plan, trial, {}, param_names,
                                     dict(output=trial.output, seconds=trial.seconds), only_if_passed=True,
                                     fast=fast, raw=raw)
                if judged is not None:
                    return judged
                outcome = None
            else:
                outcome = None
            self.trial_failed = outcome is None  # this composite is likely wrong: isolate the rest
            if outcome is None:
                outcome = self.session.call(self.part.function, args, stubs=self._call_stubs(stubs), timeout=case.timeout,
                                            **options)
        elif not stubs:
            outcome = self._first_call(case, args, options)
        else:
            outcome = self.session.call(self.part.function, args, stubs=self._call_stubs(stubs), timeout=case.timeout,
                                        **options)
        outcome, fast, raw = self._settle(case, plan, outcome)
        common = dict(output=outcome.output, seconds=outcome.seconds)
        status = outcome.status
        if status == "ok":
            return self._judge(case, plan, outcome, stubs, param_names, common, fast=fast, raw=raw)
        unloaded = top_level_broken(self.session, outcome)
        if unloaded is not None:
            # The call got the top level's outcome: the function itself never ran.
            return self._case(case, TIMEOUT if status == "timeout" else CRASHED, 0.0, message=(
                f"`{self.part.function}` was not called: the notebook's top level did not finish "
                f"running{unloaded}."), **common)
        if status == "timeout":
            fn = self._own_function()
            endless = line_hint(loophints.endless_loop_hint, fn.source, first_line=fn.first_line) if fn is not None else ""
            # Where the child was when stopped: its frames in the student's own cells, innermost first.
            places = [at for at in self._locations(outcome) if at.cell is not None][:20] if outcome.frames else []
            place, location = self._running_place(places)
            return self._case(case, TIMEOUT, 0.0, location=location, message=timeout_text(
                self.part.function, case.timeout, own, place=place,
                one_call=bool(place) and self._in_no_loop(places)) + endless, **common)
        if status == "budget":
            return self._case(case, TIMEOUT, 0.0, message=budget_text(self.session), **common)
        if status == "missing":
            broken = self._extraction_error()
            if broken is not None:  # its def parses but does not compile: an error, as one that does not parse
                return self._case(case, ERROR, 0.0, message=broken.message, **common)
            told = self.load_errors.get(self.part.function)
            return self._case(case, MISSING, 0.0, message=told or (
                f"`{self.part.function}` was not defined when the notebook's definitions ran "
                f"(an error above it in the same cell?)."), **common)
        location = self._locate(outcome)
        if status == "error":
            where = f" ({location.describe()})" if location else ""
            text = error_text(outcome)
            self.raised_as[case.id] = tuple(
                mutant_id for mutant_id, value in sorted(plan.fixture.mutants.items())
                if type(value).__name__ == "MutantError" and value.message == text)
            blame = self._other_step() or self._blame(location, stubs)
            shadowed = "" if blame else self._shadowed_hint(outcome, location)
            unpacked = "" if blame or shadowed else (self._unpacked_hint(outcome, location, plan.args, param_names)
                                                     or self._given_layout(outcome, location, plan.args, param_names)
                                                     or self._returned_order(location)
                                                     or self._asked_key(outcome, location))
            # A line blamed on its caller's inputs is not the mistake: how to write it (``np.dot(Waa,
            # a_prev)``, not ``np.dot(a_prev, Waa)``) sent the student to a function that is right.
            extra = [hint for hint in (blame, unpacked,
                                       "" if blame else missing_key_hint(outcome, plan.args, param_names),
                                       self._append_hint(outcome, location),
                                       "" if blame else line_hint(hints.numpy_call_hint, outcome, self._student_line(location)),
                                       "" if blame or unpacked else line_hint(hints.assignment_hint, outcome,
                                                                               self._student_line(location)),
                                       "" if blame or outcome.error_type != "ValueError" else line_hint(
                                           hints.swapped_sizes_hint, self._student_source(location),
                                           first_line=self._first_line(location)),
                                       "" if blame else line_hint(hints.bounds_hint, outcome, self._student_line(location),
                                                                   self._student_source(location)),
                                       "" if blame else line_hint(hints.other_key_hint, outcome.error_type,
                                                                   outcome.message or "", self._student_line(location),
                                                                   source=self._student_source(location),
                                                                   first_line=self._first_line(location)),
                                       "" if blame else line_hint(hints.square_product_hint, outcome.error_type,
                                                                   outcome.message or "", self._student_line(location),
                                                                   source=self._student_source(location),
                                                                   first_line=self._first_line(location),
                                                                   at=location.line if location else None),
                                       "" if blame else line_hint(hints.too_many_indices_hint, outcome.error_type,
                                                                   outcome.message or "", self._student_line(location),
                                                                   **self._function_of(location)),
                                       "" if blame else line_hint(hints.comma_tuple_hint, outcome.error_type,
                                                                   outcome.message or "", self._student_line(location),
                                                                   **self._function_of(location)),
                                       "" if blame else line_hint(hints.list_index_hint, outcome.error_type,
                                                                   outcome.message or "", self._student_line(location)),
                                       shadowed or ("" if blame else line_hint(
                                           hints.attribute_hint, outcome.error_type, outcome.message or "",
                                           self._student_line(location))),
                                       "" if blame or outcome.error_type != "TypeError" else line_hint(
                                           hints.not_callable_hint, outcome.error_type, outcome.message or "",
                                           self._student_line(location), source=self._student_source(location),
                                           first_line=self._first_line(location), assigned_at=self._assigned_at_top),
                                       line_hint(hints.none_from_list_method_hint, outcome.error_type,
                                                  outcome.message or "", self._student_source(location)),
                                       "" if blame else self._matrix_hint(outcome, location),
                                       hints.refused_hint(outcome.error_type),
                                       "" if blame else line_hint(hints.printed_sum_hint, self._student_line(location)),
                                       self._own_signature_hint(outcome, location, plan.args))
                     if hint]
            # Said of the line alone, a diagnosis: a hidden case shows it (`caches[1]` raises on T_x = 1 only).
            first = "" if blame else line_hint(hints.first_cache_hint, outcome.error_type, outcome.message or "",
                                                self._student_line(location))
            squeezed = "" if blame or first else self._squeezed(location, case.dims)
            diagnosis = Diagnosis("first-cache-index", first) if first else (
                Diagnosis("numpy/squeeze", squeezed) if squeezed else None)
            return self._case(case, ERROR, 0.0, location=location, message=(
                f"Raised {text}{where}" + (". " + " ".join(extra) if extra else "")),
                diagnosis=diagnosis, **common)
        if status == "memory":
            return self._case(case, CRASHED, 0.0, location=location, message=(
                "Ran out of memory: check the shapes of the arrays you create."), **common)
        if status == "bad_output":
            return self._case(case, ERROR, 0.0, message=bad_output_text(outcome), **common)
        return self._case(case, CRASHED, 0.0, location=location, message=crash_text(self.part.function, outcome),
                          **common)

    def _in_no_loop(self, places: Sequence[Location]) -> bool:
        """Whether every frame of a call out of time (``places``, innermost first, each in a function
        of the notebook) is at a line of its function that nothing repeats (``loophints.in_no_loop``),
        no function twice among them (recursion): the time went in one call at the innermost
        line. False when in doubt (a frame in a class, a lambda, code the grader added)."""
        functions = getattr(self.extraction, "functions", None) or {}
        if len({at.function for at in places}) != len(places):
            return False
        for at in places:
            held = functions.get(at.function) if at.function else None
            if (held is None or held.cell_index != at.cell or at.line is None
                    or not held.first_line <= at.line <= held.last_line
                    or not line_hint(loophints.in_no_loop, held.source, line=at.line, first_line=held.first_line)):
                return False
        return True

    def _running_place(self, places: Sequence[Location]) -> tuple[str, Location | None]:
        """Where a call out of time was when it was stopped (``places``: its frames in the student's
        cells, innermost first), in words, and the place the case shows: the innermost frame inside
        a loop, "cell 7 (In [4]), line 16, in rnn_forward, in the `while` loop of line 14 (`while t
        < T_x:`)", with the function it was calling from there when that is deeper (", in its call
        of `rnn_cell_forward` (cell 4 (In [2]), line 16)"); the innermost frame when no loop holds
        one (a slow statement); ("", None) when not known (the child did not say, or was only in
        code not the student's)."""
        if not places:
            return "", None
        functions = getattr(self.extraction, "functions", None) or {}
        for k, at in enumerate(places):
            held = functions.get(at.function) if at.function else None
            if (held is None or held.cell_index != at.cell or at.line is None
                    or not held.first_line <= at.line <= held.last_line):
                continue
            loop = line_hint(loophints.running_loop_hint, held.source, line=at.line, first_line=held.first_line)
            if loop:
                inner = places[0]
                called = (f", in its call of `{inner.function}` ({inner.place()})"
                          if k and inner.function else "")
                return at.describe() + loop + called, at
        return places[0].describe(), places[0]

    def _settle(self, case: Case, plan: _CasePlan, outcome: Any) -> tuple[Any, bool, bytes | None]:
        """``(outcome, fast, raw)``: an ok outcome whose value is still wire bytes is either
        accepted as it is (``fast``: ``grader.fastcheck`` vouches that every check passes and the
        inputs came back untouched) or decoded for the checks (``raw``: the bytes it was decoded
        from, for ``_diagnose``); malformed bytes become bad_output."""
        if outcome.status != "ok" or outcome.raw is None:
            return outcome, False, None
        if plan.fast and ((outcome.args_after is None and not outcome.args_unsent) or outcome.args_after is plan.args):
            expectation = expectation_for(self.context.memo, case.id, plan.fixture.expected)
            if expectation is not None and expectation.accepts(
                    outcome.raw, rtol=case.tolerance.rtol, atol=case.tolerance.atol):
                return outcome, True, None
        decode = getattr(self.session, "decode_value", None)
        try:
            value = decode(outcome) if decode is not None else wire.decode(outcome.raw)
        except wire.WireError as exc:
            from grader.sandbox import CHANNEL_INTERFERED

            return dataclasses.replace(outcome, status="bad_output", value=None, raw=None,
                                       error_type="ProtocolError",
                                       message=CHANNEL_INTERFERED + str(exc)), False, None
        return dataclasses.replace(outcome, value=value, raw=None), False, outcome.raw

    def _other_step(self) -> str:
        """``stephints.other_step_hint`` of the graded function: a composite that calls another part's
        function and never its own per-step one, worked out once a part (only a case that raised asks).
        Said in place of what the other function raised, as ``_blame``'s sentence is. ""."""
        key = f"other step of {self.part.function}"  # in the submission's facts: the hidden phase asks again
        found = self.facts.get(key)
        if found is None:
            fn = self._own_function()
            others = sorted({p.function for p in self.context.rubric.parts} - {self.part.function, *self.part.depends})
            found = self.facts[key] = (line_hint(stephints.other_step_hint, fn.source, steps=self.part.depends,
                                                 others=others, first_line=fn.first_line)
                                       if fn is not None and self.part.depends else "",)
        return found[0]

    def _blame(self, location: Location | None, stubs: Mapping[str, TraceStub]) -> str:
        """A sentence for an error raised inside the student's own dependency (say
        ``rnn_cell_backward``) that this part called with inputs no correct run passes (its
        isolation fell back to the student's function): the mistake is in the call, not in the
        dependency, which is graded on its own. "" otherwise."""
        dep = location.function if location is not None else None
        if dep and dep not in stubs:  # raised in a method a dependency's name is bound to (RNN.cell)
            dep = self._bound_to(dep, stubs) or dep
        stub = stubs.get(dep) if dep and dep != self.part.function else None
        if stub is None or not stub.misses:
            return ""
        # A dependency that fails its own cases may raise on any input: both mistakes are said, neither
        # hidden behind the other (thirty-seventh session: "it comes from what ... passed" alone).
        said = (f"The error is in your `{dep}`, which fails cases of its own too, and `{self.part.function}` passed "
                f"it" if self._wrong_too(dep) else
                f"The error is in your `{dep}`, but it comes from what `{self.part.function}` passed to it:")
        return (f"{said} inputs that differ from those of a correct run (first at call "
                f"{stub.misses[0]}{self._argument_named(dep, stub)}). Check the arguments you give "
                f"`{dep}` at each time step ({stephints.step_arguments(dep)}).{self._unchanged(dep, stub)}")

    def _wrong_too(self, dep: str) -> bool:
        """Whether ``dep``, a graded part, failed a case of its own (not trusted, and it has cases of this
        phase: in the public phase a part is trusted after its public cases, in the hidden one after all):
        what it answered for calls off the reference trace is then not a correct step's either."""
        part = next((part for part in self.context.rubric.parts if part.function == dep), None)
        if part is None or dep in self.trusted:
            return False
        if all(case.visibility != HIDDEN for case in self.part.cases):  # the public phase
            return any(case.visibility != HIDDEN for case in part.cases)
        return bool(part.cases)

    def _append_hint(self, outcome: Any, location: Location | None) -> str:
        """For NumPy's "inhomogeneous shape" ValueError raised on a line that calls ``np.append``
        (``caches = np.append(caches, cache)``, a real notebook's lstm_forward: 0 / 15 with only
        NumPy's words): what np.append does and the list's own append. "" otherwise."""
        if outcome.error_type != "ValueError" or "inhomogeneous" not in (outcome.message or ""):
            return ""
        if not _NP_APPEND.search(self._student_line(location)):
            return ""
        return ("`np.append` turns what it is given into one NumPy array, which arrays of different "
                "shapes (a cache) cannot be: to collect the caches, keep a list and add to it with the "
                "list's own append (`caches.append(cache)`).")

    def _student_line(self, location: Location | None) -> str:
        """The text of the line ``location`` names in the student's function, "" when the
        location is not in a function the extraction holds (a hint quotes only the student's own
        line, never a guess)."""
        fn = self.extraction.functions.get(location.function) if location and self.extraction else None
        if fn is None or fn.cell_index != location.cell or location.line is None:
            return ""
        lines = fn.source.splitlines()
        index = location.line - fn.first_line
        return lines[index] if 0 <= index < len(lines) else ""

    def _function_of(self, location: Location | None) -> dict[str, Any]:
        """``source`` and ``first_line`` of the student's function ``location`` is in, for a hint
        that reads the function around the line; {} when the extraction holds none."""
        fn = self._student_function(location)
        return {"source": fn.source, "first_line": fn.first_line} if fn is not None else {}

    def _squeezed(self, location: Location | None, dims: Mapping[str, int]) -> str:
        """``hints.squeeze_hint`` of the function the error was raised in, else of the graded one (a
        ``np.squeeze`` of the loop's slice raises in the step it is passed to); ""."""
        for fn in (self._student_function(location), self._own_function()):
            said = line_hint(hints.squeeze_hint, fn.source, dims=dims, first_line=fn.first_line) if fn else ""
            if said:
                return said
        return ""

    def _student_source(self, location: Location | None) -> str:
        """The text of the student's function ``location`` is in, "" when the extraction holds none."""
        fn = self._student_function(location)
        return fn.source if fn is not None else ""

    def _first_line(self, location: Location | None) -> int:
        """The cell line of the first line of the student's function ``location`` is in (1 if none)."""
        fn = self._student_function(location)
        return fn.first_line if fn is not None else 1

    def _student_function(self, location: Location | None) -> Any:
        """The extraction's ``FunctionSource`` of the function ``location`` is in, when the location
        is in its cell (its lines are that cell's); None otherwise."""
        fn = self.extraction.functions.get(location.function) if location and self.extraction else None
        return fn if fn is not None and fn.cell_index == location.cell else None

    def _matrix_hint(self, outcome: Any, location: Location | None) -> str:
        """``hints.matrix_hint`` for an error of NumPy's matrix type: read from the student's function
        the error is in, or from the graded function when it was raised in code not the student's
        (the course's ``softmax``, named as the function that refused the matrix). ""."""
        message = outcome.message or ""
        if "mat" not in message:
            return ""
        fn = self._student_function(location) or self._own_function()
        if fn is None:
            return ""
        refused_by = location.function if location is not None and location.cell is None and location.function else ""
        return line_hint(hints.matrix_hint, outcome.error_type or "", message, source=fn.source,
                          first_line=fn.first_line, refused_by=refused_by or "")

    def _given_layout(self, outcome: Any, location: Location | None, args: Sequence, names: Sequence[str]) -> str:
        """``hints.given_layout_hint`` for a ValueError of unpacking raised in the graded function itself,
        on one of its arguments. ""."""
        fn = self._student_function(location)
        if fn is None or location.function != self.part.function or outcome.error_type != "ValueError":
            return ""
        functions = {name: other.source for name, other in self.extraction.functions.items()}
        return line_hint(hints.given_layout_hint, outcome.error_type, outcome.message or "",
                         self._student_line(location), function=self.part.function,
                         arguments=dict(zip(names, args)), functions=functions)

    def _unpacked_hint(self, outcome: Any, location: Location | None, args: Sequence, names: Sequence[str]) -> str:
        """``hints.unpacked_argument_hint`` for a ValueError of unpacking or an AttributeError raised
        in the graded function itself, on a name taken out of one of its arguments. ""."""
        fn = self._student_function(location)
        if fn is None or location.function != self.part.function:
            return ""
        return line_hint(hints.unpacked_argument_hint, outcome.error_type or "", outcome.message or "",
                          self._student_line(location), source=fn.source, first_line=fn.first_line,
                          arguments=dict(zip(names, args)))

    def _returned_order(self, location: Location | None) -> str:
        """``stephints.returned_order_hint`` for a line of the graded function reading names unpacked from
        a call of another of the notebook's functions. ""."""
        fn = self._student_function(location)
        if fn is None or location.function != self.part.function:
            return ""
        # Kept in the submission's facts (a key no function's name can be): the other cases that raise
        # on the same line ask again, and the text scan and parses cost 0.15 ms a case.
        key = f"returned order at {location.function} {location.cell} {location.line}"
        found = self.facts.get(key)
        if found is None:
            functions = {name: other.source for name, other in self.extraction.functions.items()}
            found = self.facts[key] = (line_hint(stephints.returned_order_hint, self._student_line(location),
                                                  source=fn.source, first_line=fn.first_line, functions=functions,
                                                  asked=self._asked_outputs(int)),)
        return found[0]

    def _asked_outputs(self, kind: type) -> dict[str, list[str]]:
        """The per-step functions the grader answers for this part (its isolated dependencies), each
        with what it returns as the rubric names it: the values of a tuple in order (``kind`` int), or
        a dict's keys (``kind`` str)."""
        parts = {part.function: part for part in self.context.rubric.parts}
        return {dep: returned_names([spec for spec in parts[dep].outputs if spec.path and isinstance(spec.path[0], kind)])
                for dep in (self.part.depends if self.part.isolate else ()) if dep in parts}

    def _asked_key(self, outcome: Any, location: Location | None) -> str:
        """``stephints.asked_key_hint`` for a KeyError raised in the graded function itself. ""."""
        fn = self._student_function(location)
        if fn is None or location.function != self.part.function or outcome.error_type != "KeyError":
            return ""
        return line_hint(stephints.asked_key_hint, outcome.error_type, outcome.message or "",
                         self._student_line(location), source=fn.source, first_line=fn.first_line,
                         asked=self._asked_outputs(str))

    def _shadowed_hint(self, outcome: Any, location: Location | None) -> str:
        """``hints.shadowed_name_hint`` for an UnboundLocalError or an AttributeError of ``np.``
        raised in a function of the notebook, with the place of the notebook's ``np = ...`` outside
        its functions when there is one. ""."""
        fn = self._student_function(location)
        if fn is None or outcome.error_type not in ("UnboundLocalError", "AttributeError"):
            return ""
        return line_hint(hints.shadowed_name_hint, outcome.error_type, outcome.message or "",
                          self._student_line(location), source=fn.source, first_line=fn.first_line,
                          elsewhere=self._assigned_at_top("np", definitions=True), assigned_at=self._assigned_at_top,
                          at=location.line)

    def _assigned_at_top(self, name: str, *, definitions: bool = False) -> str:
        """``"cell 4 (In [2]), line 17,"``: where the program's top level last gives ``name`` a value
        (an assignment, a tuple's or an annotated one included, a ``for``; with ``definitions``, a
        def or class of that name too: "" when the last is one and ``definitions`` is false, the
        name then holding a function); "". The program is parsed once a submission, for every name (``_top_level_sets``):
        every case that raised an AttributeError asked again (24 cases beside 190 kB of constants:
        3.9 s of a worker, thirty-third session)."""
        source = getattr(self.program, "source", "")
        if name not in source:
            return ""
        key = "top-level sets"  # no function's name has a space
        found = self.facts.get(key)
        if found is None:
            found = self.facts[key] = _top_level_sets(source)
        line, definition = found.get(name, (None, False))
        if line is None or (definition and not definitions):
            return ""
        cell, cell_line, _function = self.program.locate(line)
        return f"{self._line(cell, cell_line)}," if cell is not None else ""

    def _bound_to(self, method: str, stubs: Mapping[str, TraceStub]) -> str | None:
        """The dependency in ``stubs`` whose name the notebook binds to a def named ``method``
        (``rnn_cell_forward = RNN.cell``: the error's frame is named ``cell``), or None."""
        functions = self.extraction.functions if self.extraction is not None else {}
        for dep in stubs:
            bound = getattr(functions.get(dep), "bound_source", None)
            found = _DEF_NAME.search(bound) if bound else None
            if found is not None and found.group(1) == method:
                return dep
        return None

    def _locate(self, outcome: Any) -> Location | None:
        """The student's innermost frame of a failed call. In a class (whose segment names no
        function) the frame's own function is named: an error in a static method reached through
        ``rnn_cell_forward = RNN.cell`` was said to be at "(cell 4, line 5)", in nothing."""
        return next(self._locations(outcome), None)

    def _locations(self, outcome: Any) -> Iterator[Location]:
        """The places of a call's frames that are the program's (the student's code or the course's
        helpers), innermost first (``_locate``)."""
        for line, frame_function in reversed(tuple(outcome.frames)):
            cell, cell_line, function = self.program.locate(line)
            if function is None and cell is not None and type(frame_function) is str \
                    and frame_function.isidentifier() and self._defined_at(line, frame_function):
                function = frame_function
            if cell is not None or function is not None:
                yield self._location(cell, cell_line, function)

    def _defined_at(self, line: int, name: str) -> bool:
        """Whether the program's segment holding ``line`` (a class's lines) has a ``def name``. A
        frame's function name is the code object's, which code can set to anything
        (``code.replace(co_name=...)``): taken as it came, it wrote a hidden case's inputs into that
        case's feedback ("in v690_466_32_407", thirty-third session). A name the student wrote
        before the call carries no more than the line does. True where the program keeps no source
        (``check()`` in the student's own kernel, public cases only)."""
        segments, source = getattr(self.program, "segments", None), getattr(self.program, "source", None)
        if segments is None or source is None:
            return True
        segment = next((seg for seg in segments if seg.first <= line <= seg.last), None)
        if segment is None:
            return False
        text = "\n".join(source.splitlines()[segment.first - 1:segment.last])
        return re.search(rf"^[ \t]*(?:async[ \t]+)?def[ \t]+{re.escape(name)}\b", text, re.MULTILINE) is not None

    @property
    def _script(self) -> bool:
        """A ``.py`` submission: places are the file's lines (``Location.script``)."""
        return getattr(self.extraction, "script", False)

    def _cell(self, cell: int) -> str:
        """``"cell 7 (In [5])"``, or ``"the file"`` in a ``.py`` submission."""
        return cell_words(cell, self._prompt(cell), script=self._script)

    def _line(self, cell: int, line: int) -> str:
        """``"cell 7 (In [5]), line 3"``, or ``"line 3"`` in a ``.py`` submission (the file's line, with
        the cell's prompt and line in a script Jupyter saved: ``"line 207 (In [10], line 12)"``)."""
        return line_words(cell, line, self._prompt(cell), script=self._script, exported=self._exported)

    @property
    def _exported(self) -> tuple:
        """The ``# In[n]:`` markers of a script Jupyter saved (``Extraction.exported``), else ()."""
        return getattr(self.extraction, "exported", ())

    def _location(self, cell: int | None, line: int | None, function: str | None) -> Location:
        """The :class:`Location` of ``line`` of ``cell`` in ``function``: with the cell's prompt, and in
        a script Jupyter saved, the prompt and line of the cell it was exported from."""
        if self._script and (at := exported_at(self._exported, line)) is not None:
            return Location(cell, line, function, at[0], True, at[1])
        return Location(cell, line, function, self._prompt(cell), self._script)

    def _prompt(self, cell: int | None) -> int | None:
        """The ``In [n]`` the saved notebook shows beside cell index ``cell``, if any."""
        return None if cell is None else getattr(self.extraction, "prompts", {}).get(cell)

    def _judge(self, case: Case, plan: _CasePlan, outcome: Any, stubs: Mapping[str, TraceStub],
               param_names: Sequence[str], common: dict, only_if_passed: bool = False,
               fast: bool = False, raw: bytes | None = None) -> CaseResult | None:
        """Compare an ok outcome with the case's expected value; with ``only_if_passed``,
        None (and no notes) unless every output is right and no input was changed.
        ``fast``: already known to pass every check with the inputs untouched (see ``_settle``),
        nothing to compare: the plan's results. ``raw``: the value's wire bytes (see ``_diagnose``)."""
        if fast:
            return self._case(case, PASSED, plan.points, checks=plan.passed, diagnosis=None,
                              message="", **common)
        part = self.part
        fixture = plan.fixture
        hidden = case.visibility == HIDDEN
        results: list[CheckResult] = []
        failed_specs = []
        said_none = False
        said_zero = False  # checks.ALL_ZERO: its advice once a case
        for spec, share, right in zip(plan.specs, plan.shares, plan.passed):
            expected = checks.get_path(fixture.expected, spec.path)
            try:
                student = checks.get_path(outcome.value, spec.path)
            except LookupError:
                if outcome.value is None:
                    # A function without a ``return`` (or one not reached): said once, for the
                    # case, not once an output ("`a_next` is missing from what ... returned (a
                    # NoneType)", three times).
                    message = "" if said_none else returned_none(part.function, plan.specs) + self._printed()
                    said_none = True
                    results.append(CheckResult(spec.name, False, 0.0, share, message))
                    failed_specs.append(spec)
                    continue
                if isinstance(outcome.value, (tuple, list)) and spec.path and isinstance(spec.path[0], str):
                    # A tuple where a dict is asked for: said once, with the dict's keys, not as each
                    # output "missing from what rnn_cell_backward returned (a tuple of 5)".
                    message = "" if said_none else not_a_dict(part.function, outcome.value, plan.specs)
                    said_none = True
                    results.append(CheckResult(spec.name, False, 0.0, share, message))
                    failed_specs.append(spec)
                    continue
                if isinstance(outcome.value, dict) and spec.path and isinstance(spec.path[0], int):
                    # The reverse: a dict where the values are read by position, said once, not as
                    # each output "missing from ... (a dict with keys ['a_next', ...])", which it holds.
                    message = "" if said_none else not_a_tuple(part.function, outcome.value, plan.specs)
                    said_none = True
                    results.append(CheckResult(spec.name, False, 0.0, share, message))
                    failed_specs.append(spec)
                    continue
                renamed = hints.renamed_key_hint(spec.path[0] if spec.path else None, outcome.value, plan.specs)
                mismatch = checks.Mismatch(spec.name, f"`{spec.name}` is missing from what "
                                           f"`{part.function}` returned ({checks.describe(outcome.value)}).{renamed}",
                                           "missing")
            else:
                mismatch = checks.CHECKS[spec.check](student, expected, tolerance=case.tolerance,
                                                     name=spec.name)
            if mismatch is None:
                results.append(right)
            else:
                failed_specs.append(spec)
                message = hidden_message(mismatch) if hidden else mismatch.message
                if mismatch.kind == "shape" and not hidden and len(spec.path) == 1:
                    message += self._created_shape(spec.path[0], student, expected, case)
                if message.endswith(checks.ALL_ZERO):
                    if said_zero:
                        message = message[:-len(checks.ALL_ZERO)] + checks.ALL_ZERO_AGAIN
                    said_zero = True
                results.append(CheckResult(spec.name, False, 0.0, share, message))

        mutated = self._mutations(fixture.args, outcome.args_after, param_names,
                                  unsent=outcome.args_unsent)
        if only_if_passed and (failed_specs or mutated):
            return None
        for text in mutated:
            self.notes.append(f"`{part.function}` {text}: work on copies (`x.copy()`) instead.")
        points = sum(r.points for r in results) if failed_specs else plan.points
        if mutated:
            # A penalty on what was earned, so a wrong answer cannot earn points for it.
            penalty = points * part.mutation_weight
            points -= penalty
            results.append(CheckResult("inputs unchanged", False, -round(penalty, 6), 0.0,
                                       "; ".join(mutated)))
        passed = all(r.passed for r in results)
        diagnosis = None
        if not passed:
            diagnosis = self._diagnose(case, plan, outcome, failed_specs, stubs, param_names, raw)
        if diagnosis is not None and diagnosis.id in self.context.mutant_messages:  # its sentence names the fix
            results = [dataclasses.replace(r, message=checks.fact_only(r.message)) if not r.passed else r
                       for r in results]
        status = PASSED if passed else FAILED
        message = "" if passed else "\n".join(r.message for r in results if not r.passed and r.message)
        return self._case(case, status, points, checks=tuple(results), diagnosis=diagnosis,
                          message=message, **common)

    def _mutations(self, args: Any, args_after: Any, names: Sequence[str], *, unsent: bool = False) -> list[str]:
        """How the call changed its inputs (``args_after`` against ``args``); ``unsent``: the
        child found them changed into something that is not plain data and could not send them."""
        if args_after is None:
            return ["changes its inputs in place (into something that is not plain data)"] if unsent else []
        found = []
        for i, (before, after) in enumerate(zip(args, args_after)):
            if not checks.plain_equal(before, after):
                name = names[i] if i < len(names) else f"argument {i + 1}"
                found.append(f"changes its input `{name}` in place")
        return found

    def _diagnose(self, case: Case, plan: _CasePlan, outcome: Any, failed: Sequence[Any],
                  stubs: Mapping[str, TraceStub], names: Sequence[str], raw: bytes | None = None) -> Diagnosis | None:
        """Why a case failed: a known mistake, memory sharing, or a dependency called with
        unexpected inputs. ``raw``, the value's wire bytes, lets a known mistake whose whole
        value the student's reproduces be recognised without walking the two values (see
        ``_reproduces``)."""
        fixture, specs = plan.fixture, plan.specs
        tol = case.tolerance
        # 0. A loop written so that only one step counts (a return inside it, a sum made again at
        #    each step, an append after it, a sum whose value is thrown away): its line, which a
        #    known mistake's sentence ("add them up: dWax += dWaxt") did not show.
        mistake_id, said = self._loop_mistake()
        if mistake_id:
            return Diagnosis(mistake_id, said)
        replaced = self._replaced_in_loop(outcome.value, fixture.expected, failed)
        if replaced:
            return Diagnosis("loop/one-step-kept", replaced)
        seen: dict = {}  # (mutant, output) -> whether the student's output is the mutant's
        # 1. A known mistake whose outputs the student's reproduce exactly (all outputs),
        #    then one that explains every failing output (said so after its sentence: the
        #    renderers already call it a likely mistake, so no second hedge before it). Both
        #    agree at every failing output: only the mistakes the case's index finds there are
        #    compared (the others cannot agree; those that raise on these inputs are not in it).
        index = self.context.memo.get(("mistake index", case.id))
        if index is None:  # depends on the fixtures only
            index = self.context.memo[("mistake index", case.id)] = MistakeIndex(
                mutants=fixture.mutants, expected=fixture.expected, tolerance=tol)
        tried = index.candidates(outcome.value, specs=failed)
        for subset, suffix in ((specs, ""), (failed, PARTIAL_MATCH)):
            for mutant_id in tried:
                value = fixture.mutants[mutant_id]
                key = ("mutant", case.id, mutant_id)
                quick = subset is specs and raw is not None and self._reproduces(case, plan, key, value, raw,
                                                                                   outcome.value, seen)
                if quick or matches(outcome.value, value, fixture.expected, subset, tol,
                                     memo=self.context.memo, key=key, seen=seen):
                    nothing = self.context.memo.get(("nothing",) + key)
                    if nothing is None:  # depends on the fixtures only
                        nothing = self.context.memo[("nothing",) + key] = computes_nothing(
                            value, fixture.expected, inputs=fixture.args)
                    if nothing:
                        # A mistake that leaves every array zero on this case (the first step skipped
                        # when T_x = 1) is what many mistakes give here: named only if another case
                        # shows it (_named_across_cases).
                        self.zeros_as[case.id] = (*self.zeros_as.get(case.id, ()), mutant_id)
                        continue
                    # A mistake whose two outputs hold equal arrays (`a[:, :, t] = c_next`) is
                    # imitated by one array under two names (`c = a`): the memory tells them apart.
                    if outputs_repeat(value, specs, memo=self.context.memo, key=key):
                        alias = self._alias_problem(fixture, outcome, names)
                        if alias:
                            return Diagnosis("aliasing", alias)
                    twins = mistake_twins(fixture, specs, tol, mutant_id, memo=self.context.memo, case_id=case.id)
                    if twins:
                        self.twins[case.id] = twins
                    message = self.context.mutant_messages.get(mutant_id, mutant_id)
                    return Diagnosis(mutant_id, message + suffix)
        # 2. A dependency called with inputs that a correct implementation would not pass: the
        #    earliest cause (memory shared with what was passed, below, is often its consequence).
        for dep, stub in stubs.items():
            if stub.misses:
                initial = self._initial_value(dep, stub, fixture.args, names)
                if initial:  # the line that set it before the loop says where, and what is wanted
                    return Diagnosis("dependency/initial-value", initial)
                # A backward step is given gradients and a cache, not a hidden state and a slice of x.
                passed = stephints.step_arguments(dep)
                seen = (f"`{self.part.function}` called `{dep}` with inputs that differ from those of a correct run "
                        f"(first at {self._first_miss(stub, hidden=case.visibility == HIDDEN)}"
                        f"{self._argument_named(dep, stub, hidden=case.visibility == HIDDEN)})")
                line = self._unchanged(dep, stub)
                # A sentence naming the line says the fix: first, and the general advice not again.
                return Diagnosis("unexpected-dependency-inputs", (
                    f"{line.strip()} So {seen}." if line else
                    f"{seen}: check what you pass at each time step ({passed}).")
                    + (f" Your `{dep}` fails cases of its own too, so what it returned for those calls is not a "
                       f"correct step's either: fix it, and this case then shows what `{self.part.function}` itself "
                       f"passes." if self._wrong_too(dep) else ""))
        # 2b. A formula read from the function's lines (a gate made with another's weights, a tanh applied
        #    twice, a bias added transposed), or an output normalised over another axis: before the cache's
        #    places below, which two gates made alike (`ft` with `Wi`) made equal (thirty-seventh session).
        formula = self._formula_mistake(outcome.value, fixture.expected, failed)
        if formula is not None:
            return formula
        # 3. Right values returned in another order (`return a_next, yt_pred, c_next, cache`): told
        #    only each one's wrong shape, or (before) an alias of two arrays that are meant to share.
        order = order_problem(outcome.value, fixture.expected, specs, failed, tol)
        if order:
            return Diagnosis("return-order", order)
        #    The same inside a returned tuple (a cache stored in another order): the student's own line
        #    written in the order asked for.
        inner = inner_order(outcome.value, fixture.expected, failed, tol)
        fn = self._own_function() if inner is not None else None
        if inner is not None:
            said = line_hint(valuehints.reordered_tuple_hint, fn.source if fn is not None else "", name=inner[0],
                             order=inner[1], first_line=fn.first_line if fn is not None else 1)
            if said:
                return Diagnosis("tuple-order", said)
        #    One value stored twice in a returned tuple (`cache = (a_next, a_next, xt, parameters)`).
        repeated = repeated_value(outcome.value, fixture.expected, failed, tol)
        if repeated is not None:
            fn = self._own_function()
            name, place, other = repeated
            length = len(checks.get_path(fixture.expected, next(spec.path for spec in failed if spec.name == name)))
            said = line_hint(valuehints.repeated_tuple_hint, fn.source if fn is not None else "", name=name,
                             place=place, other=other, length=length, first_line=fn.first_line if fn is not None else 1)
            if said:
                return Diagnosis("tuple-repeated", said)
        # 4. Memory shared between outputs that should differ: a view overwritten later.
        alias = self._alias_problem(fixture, outcome, names)
        if alias:
            return Diagnosis("aliasing", alias)
        # 5. An output with the shape another output should have (`dxt = np.dot(Waa.T, dtanh)`, the
        #    shape of `da_prev`): told the two shapes only (thirty-fourth session).
        borrowed = shape_of_another(outcome.value, fixture.expected, specs, failed)
        if borrowed:
            return Diagnosis("shape-of-another", borrowed)
        # 6. An output that is the right one transposed (square), times a constant, or its steps one slot
        #    late or early (thirty-eighth session: "values differ" alone).
        other = transposed_scaled_or_shifted(outcome.value, fixture.expected, failed, tol,
                                             hidden=case.visibility == HIDDEN)
        return Diagnosis("value/transposed-scaled-or-shifted", other) if other else None

    def _formula_mistake(self, value: Any, expected: Any, failed: Sequence[Any]) -> Diagnosis | None:
        """``formulahints``' sentences of the graded function's own source (the rules of its lines read
        once a part, kept in the submission's facts as ``_loop_mistake``'s; a transposed bias only for
        an output square where a column is expected), then ``outputnotes.normalised_elsewhere``. None."""
        fn = self._own_function()
        if fn is not None:
            key = f"formula mistake of {self.part.function}"
            found = self.facts.get(key)
            if found is None:
                found = self.facts[key] = next(
                    ((rule, said) for rule, hint in (("formula/gate-weights", formulahints.gate_weights_hint),
                                                     ("formula/tanh-twice", formulahints.tanh_twice_hint),
                                                     ("formula/carried-summed", formulahints.carried_summed_hint),
                                                     ("formula/broadcast-fill", formulahints.broadcast_fill_hint),
                                                     ("formula/derivative", formulahints.derivative_hint),
                                                     ("formula/gradient-for-input", formulahints.gradient_for_input_hint),
                                                     ("formula/step-gradient-recomputed",
                                                      formulahints.step_gradient_recomputed_hint),
                                                     ("formula/prediction", formulahints.prediction_hint))
                     if (said := line_hint(hint, fn.source, first_line=fn.first_line))), ("", ""))
            if found[0]:
                return Diagnosis(*found)
            if square_for_column(value, expected, failed):
                said = line_hint(formulahints.transposed_bias_hint, fn.source, first_line=fn.first_line)
                if said:
                    return Diagnosis("formula/bias-transposed", said)
        normalised = normalised_elsewhere(value, expected, failed)
        return Diagnosis("normalised-elsewhere", normalised) if normalised else None

    def _replaced_in_loop(self, value: Any, expected: Any, failed: Sequence[Any]) -> str:
        """``valuehints.replaced_in_loop_hint`` for the first failed output that is an array lacking the
        last axis of the expected one (the time steps); ""."""
        fn = self._own_function()
        for spec in failed if fn is not None else ():
            try:
                got, want = checks.get_path(value, spec.path), checks.get_path(expected, spec.path)
            except (LookupError, ValueError, TypeError):
                continue
            shape, wanted = getattr(got, "shape", None), getattr(want, "shape", None)
            if isinstance(shape, tuple) and isinstance(wanted, tuple) and len(wanted) >= 2 and shape == wanted[:-1] \
                    and len(spec.path) == 1:
                return line_hint(valuehints.replaced_in_loop_hint, fn.source, output=spec.path[0], axes=len(wanted),
                                  first_line=fn.first_line)
        return ""

    def _created_shape(self, output: Any, got: Any, expected: Any, case: Case) -> str:
        """``valuehints.created_shape_hint`` in the graded function for the output at ``output`` (its
        place in what the function returns), of shape ``got.shape`` where ``expected.shape`` is
        meant; ""."""
        fn = self._own_function()
        shape, wanted = getattr(got, "shape", None), getattr(expected, "shape", None)
        if fn is None or not isinstance(shape, tuple) or not isinstance(wanted, tuple):
            return ""
        return line_hint(valuehints.created_shape_hint, fn.source, output=output, got=shape, expected=wanted,
                         dims=case.dims, first_line=fn.first_line)

    def _unchanged(self, dep: str, stub: TraceStub) -> str:
        """`` " " +`` ``stephints.through_helper_hint`` when the graded function calls ``dep`` through a
        helper of the student's, else ``stephints.unchanged_argument_hint`` for the first wrong argument
        its loop passed to ``dep``, when no step changes it, or ``stephints.unfilled_slot_hint`` when it is the
        place of an array the loop fills after the call (``a[:, :, t]``, zeros at every step), or
        ``stephints.fixed_step_hint`` when it is indexed at a number (``x[:, :, 1]``), or
        ``stephints.carried_only_hint`` for a backward step given only the carried gradient, or
        ``stephints.step_only_hint`` for one given only its own step's; ""."""
        fn = self._own_function()
        if fn is None:
            return ""
        functions = {name: other.source for name, other in self.extraction.functions.items()}
        through = line_hint(stephints.through_helper_hint, fn.source, callee=dep, functions=functions,
                             first_line=fn.first_line)
        if through or stub.first_wrong_argument is None:
            return through
        said = line_hint(stephints.unchanged_argument_hint, fn.source, callee=dep, index=stub.first_wrong_argument,
                         first_line=fn.first_line, others=stub.wrong_arguments[1:]) or next(
            (found for hint in (stephints.repeated_argument_hint, stephints.unfilled_slot_hint,
                                stephints.fixed_step_hint, stephints.carried_only_hint, stephints.step_only_hint,
                                stephints.carried_gradient_hint)
             if (found := line_hint(hint, fn.source, callee=dep, index=stub.first_wrong_argument,
                                     first_line=fn.first_line))), "")
        return f" {said}" if said else ""

    def _initial_value(self, dep: str, stub: TraceStub, args: Sequence[Any], names: Sequence[str]) -> str:
        """``stephints.initial_value_hint`` when the first call of ``dep`` got a wrong argument that a
        correct run passes as one of the graded function's inputs (``args``, named ``names``: "`a0`")
        or as zeros, and the student's loop passes a name set before it; "". Not when that call
        passes what is wanted at another place (arguments in another order: their own sentence)."""
        fn = self._own_function()
        want, index = stub.wanted_argument, stub.first_wrong_argument
        shape = getattr(want, "shape", None)  # a NumPy array of the reference trace
        if fn is None or index is None or stub.misses[0] != 1 or not shape or any(
                k != index and getattr(arg, "shape", None) == shape and checks.plain_equal(arg, want)
                for k, arg in enumerate(stub.missed_arguments)):
            return ""
        given = next((k for k, arg in enumerate(args) if getattr(arg, "shape", None) == shape
                      and checks.plain_equal(arg, want)), None)
        if given is not None:
            wanted = f"`{names[given]}`" if given < len(names) else ""
        else:
            wanted = "an array of zeros" if want.size and not want.any() else ""
        return line_hint(stephints.initial_value_hint, fn.source, callee=dep, index=index, wanted=wanted,
                         first_line=fn.first_line) if wanted else ""

    def _printed(self) -> str:
        """``valuehints.printed_instead_hint`` of the graded function's own source: for a case that
        returned None, whether it printed its values instead. ""."""
        fn = self._own_function()
        tuple_specs = [spec for spec in self.part.outputs if spec.path and isinstance(spec.path[0], int)]
        return line_hint(valuehints.printed_instead_hint, fn.source, returned=returned_names(tuple_specs)) \
            if fn is not None else ""

    def _loop_mistake(self) -> tuple[str, str]:
        """``loophints.loop_mistake`` of the graded function's own source, worked out once a part
        (only a failed case asks); ``("", "")`` when the extraction holds no source of it."""
        if self.loop_mistake is None:
            # Kept in the submission's facts (one key that no function's name can be): the hidden
            # phase's grader of the part asks again, and a parse costs more than the rest.
            key = f"loop mistake of {self.part.function}"
            found = self.facts.get(key)
            if found is None:
                fn = self._own_function()
                found = self.facts[key] = line_hint(loophints.loop_mistake, fn.source, first_line=fn.first_line) \
                    if fn is not None else ("", "")
            self.loop_mistake = found if found else ("", "")
        return self.loop_mistake

    def _own_signature_hint(self, outcome: Any, location: Location | None, args: Sequence[Any]) -> str:
        """For a call of the graded function that Python refused before its first line (a
        ``TypeError`` of its arguments, no place in the student's code): the ``def`` graded, and
        that it is the last of the name's definitions when there are several (a Keras builder of
        the bonus named ``def lstm_forward(units=32)``: thirty-seventh session, as a student, told
        only "takes from 0 to 1 positional arguments but 3 were given"). "" otherwise."""
        from grader.extract import defined_again_words

        name = self.part.function
        fn = self._own_function()
        if (outcome.error_type != "TypeError" or location is not None or fn is None
                or not (outcome.message or "").startswith(f"TypeError: {name}()")):
            return ""
        header = next((line.strip() for line in fn.source.splitlines()
                       if _DEF_NAME.match(line) and _DEF_NAME.match(line).group(1) == name), "")
        shown = header.removesuffix(":")
        said = (f"The grader calls `{name}` with the assignment's {len(args)} arguments, and the definition "
                f"graded, `{shown}` ({self._line(fn.cell_index, fn.first_line)}), does not take them")
        again = any(d.message.startswith(defined_again_words(name)) for d in self.extraction.diagnostics)
        if again:
            return (f"{said}: it is the last function named `{name}` in the notebook. If it is a helper of your "
                    f"own (a model builder, a test), give it another name, so that your `{name}` is graded.")
        return f"{said}: keep the template's `def` line."

    def _own_function(self) -> Any:
        """The extraction's ``FunctionSource`` of the graded function (an alias followed to the def
        it names), when its lines are in the cell the part's heading names; None otherwise."""
        functions = self.extraction.functions if self.extraction is not None else {}
        named = functions.get(self.part.function)
        fn = functions.get(aliased(functions, self.part.function)) if named is not None else None
        return fn if fn is not None and fn.cell_index == named.cell_index else None

    @staticmethod
    def _first_miss(stub: TraceStub, *, hidden: bool) -> str:
        """``"call 3"``: the first call of a dependency that missed the reference trace. For a hidden
        case, a call past the trace's steps is told as such: the number is the student's code's to
        choose (a miss after any number of right calls), and the feedback of a hidden case says
        nothing code can spell (thirty-third session)."""
        first, steps = stub.misses[0], len(stub.trace)
        return f"a call after the {steps} of a correct run" if hidden and first > steps else f"call {first}"

    def _argument_named(self, dep: str, stub: TraceStub, *, hidden: bool = False) -> str:
        """``", in `a_prev`"``: the first argument of ``dep`` unlike a correct run's at the first
        call that missed the reference trace, by the parameter name of the student's ``dep``
        (``"argument 2"`` without one); "" when not known. For a ``hidden`` case, not the shape
        the student's code passed: code can build an empty array whose shape spells a hidden case's
        inputs, ``(0, 691, 466, 33, ...)`` (thirty-third session); a correct run's shape, the case's
        own, is known to the code already."""
        index = stub.first_wrong_argument
        if index is None:
            return ""
        functions = self.extraction.functions if self.extraction is not None else {}
        named = aliased(functions, dep) if dep in functions else dep
        names = _signature(functions, named, self.facts) if named in functions else ()
        if stub.wrong_argument_shapes is not None:
            # Zeros of the wrong shape (lstm_forward passing all of ``c``) were told "an array of
            # zeros", which is what a correct first step passes too: the shape is the mistake.
            passed, wanted = (tuple(shape) for shape in stub.wrong_argument_shapes)
            said = (f" (of another shape than the {wanted} a correct run passes)" if hidden else
                    f" (of shape {passed}, where a correct run passes {wanted})")
        else:
            said = " (an array of zeros)" if stub.wrong_argument_zeros else ""
        return (f", in `{names[index]}`" if index < len(names) else f", in argument {index + 1}") + said

    def _reproduces(self, case: Case, plan: _CasePlan, key: tuple, mutant: Any, raw: bytes, student: Any,
                    seen: dict) -> bool:
        """A shortcut to ``matches`` over every output (``key`` names the mistake): True only
        when the mistake shows on this case and ``grader.fastcheck`` accepts the student's whole
        value (``raw``, its wire bytes) against the mistake's value (every check of the case's
        outputs then passes between the two: they agree at every output). It is tried once the
        first output agrees (kept in ``seen`` as ``matches`` keeps it), which most mistakes a
        student did not make fail at once. False says nothing: ``matches`` decides, as it would
        have without this."""
        memo, tol = self.context.memo, case.tolerance
        if (not plan.fast or not mistake_shows(mutant, plan.fixture.expected, plan.specs, tol, memo=memo, key=key)
                or not agreement(seen, key, plan.specs[0], student, mutant, tol)):
            return False
        expectation = expectation_for(memo, ("mutant wire",) + key, mutant)
        return expectation is not None and expectation.accepts(raw, rtol=case.tolerance.rtol,
                                                                atol=case.tolerance.atol)

    def _alias_problem(self, fixture: Any, outcome: Any, names: Sequence[str]) -> str:
        """A returned value that is wrong *and* shares memory with another value.

        Sharing alone is normal (a cache holds a slice of the input); it is the
        mistake when the shared memory was overwritten after being stored.
        """
        tol = self.part.cases[0].tolerance if self.part.cases else None
        roots = {"result": fixture.expected, "args": tuple(fixture.args)}
        pairs = outcome.aliases
        if not pairs and getattr(self.session, "deferred_aliases", False):
            pairs = self.session.aliases(outcome)  # the child still holds this call's result
        # Memory of an input the call left as it came was never overwritten: a cache holding
        # the slice x[:, :, t] (as the reference's does), or x itself, is no mistake, even where
        # the cache is wrong for another reason (`caches = (caches, cache)`, a real notebook).
        after = getattr(outcome, "args_after", None)
        inputs_kept = after is not None and all(map(checks.plain_equal, fixture.args, after))
        of_inputs = {side for pair in pairs if inputs_kept for side in pair
                     if any(str(other).partition("[")[0] == "args" for other in pair)}
        for pair in pairs:
            for this, other in (pair, pair[::-1]):
                try:
                    head, path = _split_path(this)
                    other_head, other_path = _split_path(other)
                    if head != "result" or other_head not in roots or this in of_inputs or other in of_inputs:
                        continue
                    student = checks.get_path(outcome.value, path)
                    expected = checks.get_path(fixture.expected, path)
                    expected_other = checks.get_path(roots[other_head], other_path)
                except (LookupError, ValueError):
                    continue
                if not positions_agree(outcome.value, fixture.expected, path):
                    continue  # a list of another length (a cache appended twice): its places are not the reference's
                if checks.plain_equal(expected, expected_other):
                    continue  # the reference holds the same values there: sharing is harmless
                if _shape_of(student) != _shape_of(expected) or other_head == "result" and _shape_of(
                        checks.get_path(outcome.value, other_path)) != _shape_of(expected_other):
                    # One of the two places holds an array of another shape than belongs there: the
                    # other's, stored in the wrong place (`cache = (..., ot, c_next, parameters)`,
                    # c_next where xt goes), which that place's own note tells and no copy fixes.
                    continue
                label, whole = self._label_alias(head, path, names)
                other_label, other_whole = self._label_alias(other_head, other_path, names)
                # Within the case's tolerance: a student's own sigmoid is not bit for bit the
                # reference's, and `return a_next, yt_pred, c_next, cache` was told an alias.
                close = {"rtol": tol.rtol, "atol": tol.atol} if tol is not None else {}
                if checks.plain_equal(student, expected_other, **close) and not (whole and other_whole):
                    # What belongs in the other place, stored as it is (an input, or a cell's a_next
                    # kept where the next step's cache has its a_prev: a cache in another order):
                    # not overwritten. Two whole outputs holding one array are `c = a`.
                    continue
                if checks.check_allclose(student, expected, tolerance=tol, name=this) is not None:
                    if whole and other_whole:  # two outputs, one array: `c = a`
                        own = self._shared_assignment(path, other_path)
                        said = (f"your {own} gives" if own else
                                f"an assignment such as `{other_label} = {label}` gives")
                        return (f"`{label}` and `{other_label}` are one array, and `{label}` holds "
                                f"wrong values: {said} "
                                f"an array a second name, it does not copy, so what you stored in "
                                f"one overwrote the other. Create each with its own `np.zeros(...)`.")
                    view = self._view_assignment(other_path) if other_head == "result" and other_whole else ""
                    if view:  # `c_next = c[:, :, 0]`: the loop's c[:, :, 0] = c_next writes into the cache
                        return (f"`{label}` shares its memory with `{other_label}` and holds wrong values: "
                                f"your {view} is a view of `{other_label}`, not a copy, so what the loop "
                                f"writes into `{other_label}` changes it too. Start it from an array of its own "
                                f"(`np.zeros(...)`), not a slice of `{other_label}`.")
                    return (f"`{label}` shares its memory with `{other_label}` and holds wrong "
                            f"values: an assignment such as `x = y` or a slice gives an array a "
                            f"second name without copying it, so the two cannot differ and writing "
                            f"into one changes the other. Create each array on its own "
                            f"(`np.zeros(...)`) or store a copy (`.copy()`).")
        return ""

    def _shared_assignment(self, path: tuple, other_path: tuple) -> str:
        """``valuehints.shared_assignment`` in the graded function for two whole outputs at ``path`` and
        ``other_path`` of the returned value (the student's own ``c = a``, quoted); ""."""
        fn = self.extraction.functions.get(self.part.function) if self.extraction is not None else None
        if fn is None or not fn.source or len(path) != 1 or len(other_path) != 1:
            return ""
        return valuehints.shared_assignment(fn.source, outputs=(path[0], other_path[0]), first_line=fn.first_line)

    def _view_assignment(self, path: tuple) -> str:
        """``valuehints.view_assignment`` in the graded function for the whole output at ``path`` of the
        returned value (the student's own ``c_next = c[:, :, 0]``, quoted); ""."""
        fn = self.extraction.functions.get(self.part.function) if self.extraction is not None else None
        if fn is None or not fn.source or len(path) != 1:
            return ""
        return line_hint(valuehints.view_assignment, fn.source, output=path[0], first_line=fn.first_line)

    def _label_alias(self, head: str, path: tuple, names: Sequence[str]) -> tuple[str, bool]:
        """``(label, whole)`` for a value the child reported as shared memory: a returned value
        by the rubric's name of the output that holds it (``result[3][0][0]`` -> ``caches[0][0]``
        for the output ``caches`` at ``[3]``), an argument by the student's parameter name;
        ``whole`` when it is exactly one of the part's outputs."""
        if head == "result":
            for spec in self.part.outputs:
                if spec.path and path[:len(spec.path)] == spec.path:
                    return spec.name + format_path(path[len(spec.path):]), len(path) == len(spec.path)
        return _label_path(head + format_path(path), names), False


# ---------------------------------------------------------------------- entry point


def needed_functions(functions: Mapping[str, Any], roots: Sequence[str], *,
                     facts: dict[str, tuple] | None = None,
                     classes: Mapping[str, frozenset[str]] = MappingProxyType({})) -> set[str]:
    """The graded functions and every notebook function they call, transitively, also through
    the methods of the classes they read (``classes``: what each top-level class reads,
    ``Extraction.class_reads``); all of them once one of these calls ``globals``, ``vars``,
    ``eval`` or ``exec`` (``program.BY_NAME``: a name in a string is no call to follow).

    Only these go into the program the sandbox runs: a helper that builds a
    Keras model (and imports TensorFlow) must not cost seconds, or a load
    failure, to a submission whose graded functions never call it. The names a
    function reads come from the extraction's scope analysis (``uses``) when it
    has them, else from compiling it (``code_facts``, cached in ``facts``).
    """
    from grader.program import BY_NAME  # loaded already: the functions come from extraction

    needed: set[str] = set()
    seen: set[str] = set()
    stack = [name for name in roots if name in functions]
    while stack:
        name = stack.pop()
        if name in seen:
            continue
        seen.add(name)
        reads = classes.get(name, frozenset())
        if name in functions:
            needed.add(name)
            reads = reads | _function_reads(functions, name, facts)
        if not BY_NAME.isdisjoint(reads):  # may reach any of them by its name as a string
            reads = reads | functions.keys() | classes.keys()
        stack.extend(other for other in reads if (other in functions or other in classes) and other not in seen)
    return needed


def _function_reads(functions: Mapping[str, Any], name: str, facts: dict[str, tuple] | None) -> frozenset[str]:
    """The global names function ``name`` reads (see ``needed_functions``)."""
    reads = getattr(functions[name], "uses", None)
    if not reads:
        known = facts.get(name) if facts is not None else None
        if known is None:
            known = code_facts(functions[name].source)
            if facts is not None:
                facts[name] = known
        reads = known[1]
    return reads


class _ParameterNames(Sequence):
    """A function's positional parameter names, found (by compiling it) only when asked for:
    they only label messages about failures."""

    def __init__(self, source: str, known: tuple | None, *, drop: int = 0) -> None:
        """``known``: the source's ``code_facts`` if already worked out; ``drop``: how many
        leading parameters a call does not pass (a class method's ``cls``)."""
        self._source = source
        self._drop = drop
        self._names: tuple[str, ...] | None = known[0] if known is not None else None

    def _get(self) -> tuple[str, ...]:
        if self._names is None:
            self._names = _parameter_names(self._source)[self._drop:]
        return self._names

    def __getitem__(self, index):
        return self._get()[index]

    def __len__(self) -> int:
        return len(self._get())


def _grade_parts(rubric: Rubric, *, context: GradingContext, extraction: Any, program: Any,
                 session: Any, fallback: object, facts: dict[str, tuple],
                 load_errors: Mapping[str, str] | None = None) -> dict[str, PartResult]:
    """Every part graded in one session, in two phases: every part's public cases, then every
    part's hidden cases (each phase in dependency order, ``ordered_parts``).

    A hidden case is never followed by a public one in the child: what a function kept from a
    hidden case (its inputs, the reference answers of its stubs, in a global or a file) could
    otherwise be printed or raised by a later part's public case, whose output and message the
    feedback shows. In the first phase a dependency counts as trusted (a composite is first tried
    with the student's own dependencies, see ``_Grader._grade_case``) when it passed its public
    cases; in the second, when it passed every case. A trial is only a shortcut: a composite whose
    trial is not fully right is graded in isolation, so the verdicts do not depend on it.
    Within a phase, the parts' first calls go to the child together (``_send_ahead``).
    ``load_errors`` says, per function whose definition raised, what its cases report.
    """
    phases = _phases(rubric, context.memo)
    common = dict(context=context, extraction=extraction, program=program, session=session,
                  fallback=fallback, facts=facts, load_errors=load_errors)
    shown_graders = [_Grader(part=shown, **common) for _, shown, _ in phases]
    # In the first phase any part that makes calls may pass them all, and be trusted after it.
    steps = [(part.function, grader, True) for (part, _, _), grader in zip(phases, shown_graders)]
    first: dict[str, tuple[PartResult, _Grader]] = {}
    trusted: set[str] = set()
    for k, ((part, shown, _), grader) in enumerate(zip(phases, shown_graders)):
        grader.trusted = frozenset(trusted)
        if not grader.sent_ahead:
            _send_ahead(steps[k:], trusted)
        result = grader.grade()
        first[part.name] = (result, grader)
        if result.status == PASSED and shown.cases:
            trusted.add(part.function)
    hidden_graders = [None if hidden is None else _Grader(
        part=hidden, after_timeout=any(c.status == TIMEOUT for c in first[part.name][0].cases),
        trial_failed=first[part.name][1].trial_failed, **common) for part, _, hidden in phases]
    # Passing every case needs the public ones passed: a part that failed one is never trusted.
    steps = [(part.function, grader, first[part.name][0].status == PASSED)
             for (part, _, _), grader in zip(phases, hidden_graders)]
    graded: dict[str, PartResult] = {}
    trusted = set()
    for k, ((part, _, _), rest) in enumerate(zip(phases, hidden_graders)):
        result = first[part.name][0]
        if rest is not None:
            rest.trusted = frozenset(trusted)
            if not rest.sent_ahead:
                _send_ahead(steps[k:], trusted)
            result = _merged(part, result, rest.grade())
            # A hidden case's error may be the mistake a public case's outputs show, or the reverse.
            result = _named_across_cases(result, {**first[part.name][1].raised_as, **rest.raised_as},
                                         {**first[part.name][1].twins, **rest.twins}, context.mutant_messages,
                                         zeros_as={**first[part.name][1].zeros_as, **rest.zeros_as})
        graded[part.name] = result
        if result.status == PASSED and part.cases:
            trusted.add(part.function)
    return graded


def _send_ahead(steps: Sequence[tuple[str, "_Grader | None", bool]], trusted: set[str]) -> None:
    """Send together the first calls the graders of ``steps`` (``(function, its grader or None,
    whether it may end the phase trusted)``, in the phase's order, the first about to grade)
    make without stubs, when there are two or more: the child answers them one after the other
    without waiting for us (one message instead of one per part), in the order they would have
    been made one by one, and ``_first_call`` takes each outcome.

    The dependencies of a later part are counted as trusted when they are now, or when an
    earlier step may still make them so: a composite's trial goes with the run when it would
    follow had everything before it passed. Otherwise the composite is graded in isolation and
    the trial's outcome dropped, as a part's later trials are when its first one fails: the
    child ran it with the student's own functions and no reference answer, in the phase it
    belongs to. The run ends at the first case whose call needs stubs; the graders after that
    one send theirs when their turn comes."""
    ahead: list[tuple[_Grader, Case, _CasePlan]] = []
    may_trust = set(trusted)
    passed_through: list[_Grader] = []
    for function, grader, may_pass in steps:
        if grader is None:  # no cases in this phase: trusted as it stands (the caller's rule)
            if may_pass:
                may_trust.add(function)
            continue
        cases, complete = grader.calls_ahead(frozenset(may_trust))
        ahead += [(grader, case, plan) for case, plan in cases]
        passed_through.append(grader)
        if not complete:
            break
        if may_pass and cases:
            may_trust.add(function)
    session = passed_through[0].session if passed_through else None
    if len(ahead) < 2 or not hasattr(session, "call_many"):
        return
    outcomes = session.call_many([(grader.part.function, plan.args, case.timeout)
                                  for grader, case, plan in ahead], **passed_through[0]._options())
    for grader in passed_through:
        grader.sent_ahead = True
    for (grader, case, _), outcome in zip(ahead, outcomes):
        if outcome is not None:
            grader.prefetched[case.id] = outcome


def _phases(rubric: Rubric, memo: dict) -> tuple[tuple[Part, Part, Part | None], ...]:
    """``(part, its public cases, its hidden cases or None)`` for each part, in ``ordered_parts``
    order: what ``_grade_parts`` grades in each phase, worked out once per rubric and process
    (kept in ``memo``, the grading context's)."""
    found = memo.get("phases")
    if found is None or found[0] is not rubric:
        split = []
        for part in ordered_parts(rubric):
            hidden = tuple(c for c in part.cases if c.visibility == HIDDEN)
            split.append((part, dataclasses.replace(part, cases=tuple(c for c in part.cases if c.visibility != HIDDEN)),
                          dataclasses.replace(part, cases=hidden) if hidden else None))
        found = memo["phases"] = (rubric, tuple(split))
    return found[1]


def _named_across_cases(result: PartResult, raised_as: Mapping[str, tuple[str, ...]],
                        twins: Mapping[str, tuple[str, ...]], messages: Mapping[str, str], *,
                        zeros_as: Mapping[str, tuple[str, ...]] = MappingProxyType({})) -> PartResult:
    """``result`` with what one case's outputs cannot say about a known mistake said from the
    part's other cases: ``_twins_told_apart``, then ``_raised_mistakes_named``, then a mistake that
    computes nothing on a case (``zeros_as``: case id -> such mistakes its outputs equal,
    ``_Grader._diagnose``) named there when another case shows it (``rnn_backward/first_step_skipped``
    with T_x = 1; ``da0`` never set gives the same zeros, and is not told the loop's range)."""
    result = _lone_mistakes_dropped(_twins_told_apart(result, raised_as, twins, messages), messages)
    result = _raised_mistakes_named(result, raised_as, messages)
    return _named_where_shown(result, zeros_as, messages)


def _lone_mistakes_dropped(result: PartResult, messages: Mapping[str, str]) -> PartResult:
    """``result``, where a case diagnosed with a known mistake that no other case of the part shows,
    while the part's other failed cases, two at least, are all diagnosed with one other thing, loses
    that diagnosis:
    its outputs agree with the mistake's by chance there (``lstm_cell_forward(x[:, :, t], a_next,
    a_next, ...)`` gives the outputs of ``c0_from_a0`` when T_x = 1, and that case told a student who
    wrote ``c_next = np.zeros(...)`` to write it; thirty-fifth session). When that other thing is a known
    mistake its sentence (which names no case) is said instead. Points do not move."""
    told = {case.case_id: case.diagnosis.id for case in result.cases
            if case.status == FAILED and case.diagnosis is not None}
    if len(set(told.values())) != 2:
        return result
    cases = []
    for case in result.cases:
        mine = told.get(case.case_id)
        others = {told[other] for other in told if other != case.case_id}
        if mine in messages and len(others) == 1 and mine not in others:
            (other,) = others
            # The other thing shown twice at least: of two cases each told another thing, neither is by chance.
            if list(told.values()).count(mine) == 1 and list(told.values()).count(other) >= 2:
                diagnosis = Diagnosis(other, messages[other]) if other in messages else None
                case = dataclasses.replace(case, diagnosis=diagnosis)
        cases.append(case)
    return dataclasses.replace(result, cases=tuple(cases))

def _twins_told_apart(result: PartResult, raised_as: Mapping[str, tuple[str, ...]],
                      twins: Mapping[str, tuple[str, ...]], messages: Mapping[str, str]) -> PartResult:
    """``result``, where a case diagnosed with a known mistake whose outputs there equal another's
    (``twins``: case id -> those others, ``_Grader._diagnose``) is given the other's sentence when
    the part's other cases show the other (its outputs, or the error it raises: ``raised_as``) and
    not the one first found. ``range(len(x))`` with n_x = 3 and ``range(T_x - 1)`` with T_x = 4
    give the same outputs on the public case; the hidden cases, where ``len(x)`` raises, tell
    them apart. The sentence's suffix (``PARTIAL_MATCH``) is kept; points do not move."""
    if not twins:
        return result
    cases = []
    for case in result.cases:
        others = twins.get(case.case_id, ())
        if others and case.diagnosis is not None:
            elsewhere = {c.diagnosis.id for c in result.cases if c.case_id != case.case_id and c.diagnosis}
            elsewhere.update(m for c in result.cases if c.case_id != case.case_id and c.status == ERROR
                             for m in raised_as.get(c.case_id, ()))
            found = [m for m in others if m in elsewhere]
            if found and case.diagnosis.id not in elsewhere:
                said = messages.get(case.diagnosis.id, case.diagnosis.id)
                suffix = case.diagnosis.message[len(said):] if case.diagnosis.message.startswith(said) else ""
                diagnosis = Diagnosis(found[0], messages.get(found[0], found[0]) + suffix)
                case = dataclasses.replace(case, diagnosis=diagnosis)
        cases.append(case)
    return dataclasses.replace(result, cases=tuple(cases))


def _raised_mistakes_named(result: PartResult, raised_as: Mapping[str, tuple[str, ...]],
                           messages: Mapping[str, str]) -> PartResult:
    """``result``, where a case that raised the very error a known mistake raises on its inputs
    (``raised_as``: case id -> those mistakes' ids, ``_Grader._grade_case``) gets that mistake's
    sentence (from ``messages``) when another case's outputs show the same mistake
    (``rnn_forward/len_of_x``: wrong values when n_x < T_x, IndexError when n_x > T_x). The
    error alone names nothing: ``range(T_x + 1)`` raises the same one. Points do not move."""
    return _named_where_shown(result, raised_as, messages, suffix=RAISED_MATCH, status=ERROR)


def _named_where_shown(result: PartResult, candidates: Mapping[str, tuple[str, ...]],
                       messages: Mapping[str, str], *, suffix: str = "", status: str | None = None) -> PartResult:
    """``result``, where a case without a diagnosis (of ``status``, when given) gets the sentence of
    the first of its ``candidates`` (case id -> known mistakes its run agrees with) that another
    case of the part is diagnosed with, followed by ``suffix``. Points do not move."""
    shown = {case.diagnosis.id for case in result.cases if case.diagnosis is not None}
    if not shown or not candidates:
        return result
    cases = []
    for case in result.cases:
        found = [m for m in candidates.get(case.case_id, ()) if m in shown]
        if found and case.diagnosis is None and (status is None or case.status == status):
            case = dataclasses.replace(case, diagnosis=Diagnosis(found[0], messages.get(found[0], found[0]) + suffix))
        cases.append(case)
    return dataclasses.replace(result, cases=tuple(cases))

def _merged(part: Part, shown: PartResult, hidden: PartResult) -> PartResult:
    """One part's result from its two phases, its cases in the rubric's order."""
    by_id = {case.case_id: case for case in (*shown.cases, *hidden.cases)}
    cases = tuple(by_id[case.id] for case in part.cases)
    return PartResult(name=part.name, function=part.function, status=_worst([c.status for c in cases]),
                      points=round(sum(c.points for c in cases), 6), max_points=part.max_points,
                      cases=cases, notes=tuple(dict.fromkeys((*shown.notes, *hidden.notes))),
                      location=shown.location or hidden.location)


def _placed(d: Any, extraction: Any) -> str:
    """An extraction diagnostic's message with its place after it, unless the message says one:
    "(cell 7 (In [5]), line 3)", or "(line 3)" in a ``.py`` submission."""
    if d.cell_index is None or "cell " in d.message or (extraction.script and "line " in d.message):
        return d.message
    if d.line:
        return f"{d.message} ({line_words(d.cell_index, d.line, extraction.prompts.get(d.cell_index), script=extraction.script, exported=getattr(extraction, 'exported', ()))})"
    return f"{d.message} ({cell_words(d.cell_index, extraction.prompts.get(d.cell_index), script=extraction.script)})"


def grade_submission(path: str | Path, *, context: GradingContext, sandbox: Any,
                     submission_id: str | None = None,
                     extra_files: Mapping[str, bytes] | None = None) -> SubmissionResult:
    """Grade one notebook (or ``.py``) against ``context.rubric``; never raises for bad input.

    ``sandbox`` is a started ``grader.sandbox.Sandbox``; the submission's code
    runs only in its children.
    """
    from grader.extract import extract
    from grader.notebook import SubmissionError, load
    from grader.sandbox import FALLBACK

    path = Path(path)
    sid = submission_id or path.stem
    rubric = context.rubric
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    try:
        notebook = load(path)
    except SubmissionError as exc:
        # The student reads this: their file's name, not where the instructor keeps it.
        message = str(exc)
        if message.startswith(f"{path}:"):
            message = path.name + message[len(str(path)):]
        return unreadable_result(rubric, submission_id=sid, path=str(path), message=message,
                                 advice=unreadable_advice(exc.about, path))
    t1 = time.perf_counter()
    timings["read"] = t1 - t0
    extraction = extract(notebook)
    facts: dict[str, tuple] = {}  # function name -> code_facts, compiled once per submission
    needed = needed_functions(extraction.functions,
                              [f for part in rubric.parts for f in (part.function, *part.depends)],
                              facts=facts, classes=extraction.class_reads())
    program = extraction.program(omit=[name for name in extraction.functions if name not in needed])
    source, legacy = legacy_aliases_replaced(program.source)
    t2 = time.perf_counter()
    timings["extract"] = t2 - t1

    # A graded function's placeholders are said under its part (its note, its cases): not here too.
    parts_say = {part.function for part in rubric.parts}
    messages = list(dict.fromkeys(
        _placed(d, extraction) for d in extraction.diagnostics if d.severity in ("warning", "error")
        and (d.function is None or d.function in needed)
        and not (d.function in parts_say and placeholder_warning(d, extraction))))
    if len(messages) > MAX_EXTRACTION_MESSAGES:  # thousands of broken lines: the first ones say it
        more = len(messages) - MAX_EXTRACTION_MESSAGES
        messages[MAX_EXTRACTION_MESSAGES:] = [
            f"... and {more} more note{'s' if more > 1 else ''} like these about the notebook's code "
            f"(fix the ones above and check again)."]
    parts: list[PartResult] = []
    graded = {part.name: None for part in rubric.parts}
    if any(part.cases for part in rubric.parts):
        if legacy:  # the names as the student spelt them: np.float, numpy.int
            one = len(legacy) == 1
            builtins = ", ".join(dict.fromkeys(f"`{name.partition('.')[2]}`" for name in legacy))
            messages.append(
                f"{', '.join(f'`{name}`' for name in legacy)} {'is' if one else 'are'} gone from "
                f"NumPy 1.24 and later; your code was graded with Python's own {builtins}, which is "
                f"what {'it' if one else 'they'} meant. Write {builtins} instead to run it on a "
                f"current NumPy.")
        with loaded_session(sandbox, program, source, messages, prompts=extraction.prompts,
                             script=extraction.script, exported=extraction.exported) as (session, load_errors):
            t3 = time.perf_counter()
            timings["sandbox_start"] = t3 - t2
            graded.update(_grade_parts(rubric, context=context, extraction=extraction, program=program,
                                       session=session, fallback=FALLBACK, facts=facts,
                                       load_errors=load_errors))
            timings["checks"] = time.perf_counter() - t3
    parts = [graded[p.name] for p in rubric.parts if graded[p.name] is not None]

    if context.imdb_config is not None:
        t4 = time.perf_counter()
        parts.append(_grade_imdb(notebook, context.imdb_config, extra_files or {}))
        timings["imdb"] = time.perf_counter() - t4

    # A bonus part (``bonus: true``) and the IMDB part add points, but not to the maximum.
    parts = marked_bonus(parts, rubric.bonus_names | {getattr(context.imdb_config, "part", None)})
    points = round(sum(p.points for p in parts), 6)
    max_points = counted_points(parts)
    timings["total"] = time.perf_counter() - t0
    # The graded functions' sources, for the similarity check (no second extraction).
    compared = [part.function for part in rubric.parts if part.function in extraction.functions]
    aliases = extraction.numpy_aliases()
    sources = {name: graded_source(extraction.functions, name, graded=compared, aliases=aliases) for name in compared}
    extra: dict[str, Any] = {"sources": MappingProxyType(sources)}
    lost = lost_cases(rubric, context.fixtures, parts)
    if lost:  # the instructor's: result.full.json and the class report
        extra[GRADER_ERROR] = lost
    # Every note, message and check message of the result is bounded here, once, where the result
    # is made: they quote the student's names, keys and errors, and every report writes them.
    return bounded_result(SubmissionResult(submission_id=sid, path=str(path), status=GRADED, points=points,
                                           max_points=max_points, parts=tuple(parts),
                                           messages=tuple(dict.fromkeys(not_said_again(messages, parts))),
                                           timings=MappingProxyType(timings),
                                           extra=MappingProxyType(extra)))


def _grade_imdb(notebook: Any, config: Any, extra_files: Mapping[str, bytes]) -> PartResult:
    """The bonus as a part named ``imdb_report``: one case per scoring item."""
    from grader.imdb import score_imdb
    from grader.imdb.score import OTHER_FRAMEWORK

    result = score_imdb(notebook, config=config, extra_files=extra_files)
    cases = []
    for k, item in enumerate(result.items, 1):
        status = PASSED if item.points >= item.max_points else FAILED
        cases.append(CaseResult(case_id=f"{result.part}/{k}", name=item.name, visibility="public",
                                status=status, points=item.points, max_points=item.max_points,
                                message=item.message))
    status = _worst([c.status for c in cases]) if cases else MISSING
    if result.status == "absent":
        status = NOT_ATTEMPTED  # optional: not a failure (neither "missing" nor red on the page)
    elif result.status == OTHER_FRAMEWORK:
        status = FAILED  # attempted with PyTorch: not "missing"; its one note says why
    return PartResult(name=result.part, function=result.part, status=status,
                      points=result.points, max_points=result.max_points, cases=tuple(cases),
                      notes=tuple(result.feedback) + tuple(result.flags))


def _top_level_sets(source: str) -> dict[str, tuple[int, bool]]:
    """``{name: (line, definition)}``: the program line of the last top-level statement of ``source`` that gives
    each name a value (an assignment to it, alone, in a tuple or annotated, a ``for`` over it, a def
    or class of that name: ``definition``; not an import, the grader's own in front of every program). ``{}`` when
    the source does not parse. Only targets are walked: a statement's value may be any size."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return {}
    found: dict[str, tuple[int, bool]] = {}
    for stmt in tree.body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            found[stmt.name] = (stmt.lineno, True)
            continue
        targets = (stmt.targets if isinstance(stmt, ast.Assign) else
                   [stmt.target] if isinstance(stmt, (ast.AugAssign, ast.For, ast.AsyncFor)) or (
                       isinstance(stmt, ast.AnnAssign) and stmt.value is not None) else [])
        for target in targets:
            for node in ast.walk(target):
                if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                    found[node.id] = (stmt.lineno, False)
    return found
