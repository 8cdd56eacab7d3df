"""A def specialised for the calls a notebook makes of it, before it is normalised
(:mod:`grader.similarity.normalise`, step 1).

What a copier adds around a classmate's function that the grader's calls never reach goes
before the comparison: parameters the grader never passes hold their defaults
(``bind_unpassed_defaults``), helpers called with constants are specialised for them and relays
that only pass the work on dropped (``specialise_for_calls``, ``drop_relays``), tests of the
inputs that the course's inputs decide folded (``may_test_inputs``, ``_KnownInputs``), leading
guards that only refuse other inputs dropped (``drop_leading_guards``), and parameters the def
never reads removed (``drop_unread_parameters``).
"""
from __future__ import annotations

import ast
import operator
import re
from typing import Callable, Collection, Iterable

from grader.astnodes import only_delegates
from grader.course import COURSE_ARITY
from grader.similarity.syntax import all_args, defs_of, stored_names, subnodes, tally


def bind_unpassed_defaults(tree: ast.Module, by_position: frozenset[str]) -> None:
    """In a def the grader calls (``defs_of`` named in ``by_position`` and ``COURSE_ARITY``), a
    parameter the grader never passes, one with a constant default after the course's arguments
    or keyword-only, holds its default: its reads become that constant when nothing in the def
    assigns it, so the branches it decides fold (``_Simplifier``) and it is left unread. A copy
    given ``junk=None`` read in a live branch (``if junk is not None: xt = junk``) scored 0.38
    against its original, graded in full (twenty-ninth session)."""
    for unit in defs_of(tree):
        arity = COURSE_ARITY.get(unit.name)
        if arity is None or unit.name not in by_position:
            continue
        args = unit.args
        positional = [*args.posonlyargs, *args.args]
        defaults = dict(zip([a.arg for a in positional[len(positional) - len(args.defaults):]], args.defaults))
        defaults.update((a.arg, d) for a, d in zip(args.kwonlyargs, args.kw_defaults) if d is not None)
        passed = {a.arg for a in positional[:arity]}
        bound = {name: value.value for name, value in defaults.items()
                 if name not in passed and type(value) is ast.Constant}
        if not bound:
            continue
        inside = [node for stmt in unit.body for node in subnodes(stmt)]
        stored = {n.id for n in inside if type(n) is ast.Name and type(n.ctx) is not ast.Load}
        stored |= {a.arg for n in inside if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
                   for a in all_args(n.args)}  # a nested def's own parameter of that name
        bound = {name: value for name, value in bound.items() if name not in stored}
        if bound:
            unit.body = [_ConstantsFor(bound).visit(stmt) for stmt in unit.body]


class _ConstantsFor(ast.NodeTransformer):
    """Reads of the given names become the given constants (``bind_unpassed_defaults``)."""

    def __init__(self, values: dict[str, object]) -> None:
        self.values = values

    def visit_Name(self, node: ast.Name) -> ast.AST:
        if type(node.ctx) is ast.Load and node.id in self.values:
            return ast.copy_location(ast.Constant(self.values[node.id]), node)
        return node


#: How many relays deep ``specialise_for_calls`` follows a parameter never None: each round reads
#: every call once, and a chain of 3,000 relays written last to first (100 kB) took 5 s to its fixed
#: point; a copy's wrapper is one or two deep.
_RELAY_ROUNDS = 8
#: A top-level unit of a text for ``specialise_for_calls``: a def, or ``name = lambda ...: ...``.
_Callable = ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda


def specialise_for_calls(tree: ast.Module, by_position: frozenset[str], *, tests_none: bool,
                          tests_inputs: bool = True) -> None:
    """Read each top-level def of the text as the text's calls make it, then leave out the relays.

    * A parameter of a def the grader does not call (not in ``by_position``) that every call of
      the text passes the same constant (a value, or its default when a call leaves it out)
      holds that constant, when the def is only ever called by its name (never passed as a value,
      bound again, or called with ``*``/``**``) and does not assign the parameter itself: the
      branches it decides fold (``_Simplifier``) and it is left unread.
    * A parameter that is never None: a course argument of a def the grader calls by position
      (``COURSE_ARITY``), or one that every call passes a parameter never None or a constant
      other than None: ``p is None`` and ``p is not None`` read as False and True there.
    * What a course argument is (``_COURSE_INPUTS``: an array of so many dimensions, the dict of
      parameters), in a def the grader calls by position or one every call passes such a
      parameter of its caller: the tests the grader's input decides (``x.ndim == 2``,
      ``len(x.shape) < 3``, ``isinstance(parameters, dict)``, ``"Wax" in parameters``,
      ``x.shape[0] > 0``) read as their value there (``_KnownInputs``).
    * The relays (defs, or ``name = lambda``, that only call functions by name and pass their
      results on, ``_is_relay``) are left out when the text holds a def that does work: the
      runner puts them after the work for these calls (``gradedsource._delegated_text``).

    A copy of ``rnn_cell_forward`` in ``if cell:`` of ``rnn_forward(x, a0, parameters,
    cell=False)`` behind ``return rnn_forward(xt, a_prev, parameters, True)`` scored 0.10, one
    under ``if x is not None:`` 0.76, one given a junk parameter the wrapper passes as None
    0.08 (thirtieth session). One under ``if x.ndim == 2:`` beside a body of its own in the
    ``else``, in the graded def or in ``rnn_forward`` behind a wrapper, 0.31-0.35 (thirty-first
    session)."""
    _drop_relay_methods(tree)
    body = tree.body
    units, named = callables_by_name(body)
    if len(units) < 2:  # most texts: one def, whose tests may fold (a walk only if the text has such a test)
        if (tests_none or tests_inputs) and units:
            (name, unit), = units.items()
            if name in by_position and name in COURSE_ARITY:
                assigned_here = _assigned_in(unit)
                if tests_none:
                    _fold_tests(units, {name: _course_arguments(unit, name, assigned_here)}, _NotNone)
                if tests_inputs:
                    _fold_tests(units, {name: _course_inputs(unit, name, assigned_here)}, _KnownInputs)
        return
    assigned = {name: _assigned_in(unit) for name, unit in units.items()}
    calls, callers, escapes = _calls_of(body, units, named)
    bound: dict[str, dict[str, object]] = {}
    plans: dict[str, dict[str, list[ast.AST]]] = {}
    for name, unit in units.items():
        if (name in by_position or name in escapes or name not in calls or type(unit) is ast.Lambda
                or unit.decorator_list or unit.args.vararg or unit.args.kwarg):
            continue
        plan = _arguments_passed(unit, calls[name])
        if plan is None:
            continue
        plans[name] = plan
        _star_for_displays(unit, plan, assigned[name])
        constants = {param: passed[0].value for param, passed in plan.items()
                     if param not in assigned[name] and all(type(p) is ast.Constant for p in passed)
                     and len({(type(p.value), repr(p.value)) for p in passed}) == 1}
        if constants:
            bound[name] = constants
    fixed = {name: assigned[name].union(bound.get(name, ())) for name in plans}
    if tests_none:
        seeds = {name: dict.fromkeys(_course_arguments(unit, name, assigned[name]), True)
                 for name, unit in units.items() if name in by_position}
        never_none = _passed_on(plans, callers, seeds, fixed, _never_none)
        _fold_tests(units, {name: set(known) for name, known in never_none.items()}, _NotNone)
    if tests_inputs:
        seeds = {name: _course_inputs(unit, name, assigned[name]) for name, unit in units.items()
                 if name in by_position}
        _fold_tests(units, _passed_on(plans, callers, seeds, fixed, _input_passed), _KnownInputs)
    for name, constants in bound.items():
        unit = units[name]
        unit.body = [_ConstantsFor(constants).visit(stmt) for stmt in unit.body]
        _drop_parameters(unit.args, set(constants))
    drop_relays(tree, units.values())


def drop_relays(tree: ast.Module, units: Iterable[_Callable],
                 counts: tuple[dict[str, int], dict[str, int], dict[str, int]] | None = None) -> None:
    """Leave the relays among ``units`` (``_is_relay``) out of the text when one of them is a def
    that does work (``specialise_for_calls``). Run again once dead code is gone
    (``_normalise_tree``), with the name ``counts`` to lower: a helper whose only work was
    ``xt = xt * 1.0`` (``x = x`` then, dead) is a relay too, and its lines beside the copy it
    hands the work to held that at 0.83 (thirty-first session). A def that calls two of the text's
    defs or more composes their work, and stays: its helpers are put in its place
    (``_inline_helpers``)."""
    units = list(units)
    defined = {stmt.name for stmt in tree.body if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef))}
    relays = {id(unit) for unit in units if _is_relay(unit) and len(
        {n.func.id for n in subnodes(unit) if type(n) is ast.Call and type(n.func) is ast.Name} & defined) < 2}
    if not relays or all(id(unit) in relays or type(unit) is ast.Lambda for unit in units):
        return
    kept = []
    for stmt in tree.body:
        if id(stmt) in relays or (type(stmt) is ast.Assign and id(stmt.value) in relays):
            if counts is not None:
                tally(stmt, counts, -1)
        else:
            kept.append(stmt)
    tree.body = kept


def callables_by_name(body: list[ast.stmt]) -> tuple[dict[str, _Callable], dict[str, int]]:
    """The top-level defs of a text and its ``name = lambda ...: ...``, by name (the last of a
    name), and how many times each name is so defined (``specialise_for_calls``)."""
    units: dict[str, _Callable] = {}
    named: dict[str, int] = {}
    for stmt in body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            name, unit = stmt.name, stmt
        elif (type(stmt) is ast.Assign and len(stmt.targets) == 1 and type(stmt.targets[0]) is ast.Name
              and type(stmt.value) is ast.Lambda):
            name, unit = stmt.targets[0].id, stmt.value
        else:
            continue
        named[name] = named.get(name, 0) + 1
        units[name] = unit
    return units, named


def _drop_relay_methods(tree: ast.Module) -> None:
    """Leave out the methods of the text's classes that only hand their work on by calls of plain
    names (``_is_relay``; a static or class method too) when the text holds a top-level def that
    does work: the relays the runner puts after the work (``gradedsource._delegated_text``), in a class.
    Since the thirty-first session a class body is never dead code (``_sweep_block``), and
    ``run(self, *a): return f9(*a)`` beside the copy ``f9`` held it at 0.80. A method handing on what
    the object holds (``return f9(x, a0, self.parameters)``) stays: ``inline.inline_held_state`` puts it
    in place of ``K(parameters).forward(x, a0)`` (thirty-eighth session: dropped, the call was left
    to a method no longer there, 0.75 against the copy's original)."""
    classes = [stmt for stmt in tree.body if type(stmt) is ast.ClassDef]
    if not classes or not any(isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)) and not _is_relay(stmt)
                              for stmt in tree.body):
        return
    for cls in classes:
        cls.body = [stmt for stmt in cls.body if not (
            isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef))
            and all(type(d) is ast.Name and d.id in ("staticmethod", "classmethod") for d in stmt.decorator_list)
            and only_delegates(stmt.body, by_name=True) and not _reads_held_state(stmt))]


def _reads_held_state(method: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """Whether ``method``, undecorated, reads an attribute of its first parameter (``self.p``)."""
    if method.decorator_list or not method.args.args:
        return False
    this = method.args.args[0].arg
    return any(type(node) is ast.Attribute and type(node.value) is ast.Name and node.value.id == this
               for stmt in method.body for node in subnodes(stmt))


def _star_for_displays(unit: ast.FunctionDef | ast.AsyncFunctionDef, plan: dict[str, list[ast.AST]],
                       assigned: set[str]) -> None:
    """Make ``unit``'s one parameter ``*z`` when every call passes it a tuple or list display
    (``f((xt, a_prev, parameters))``), or ``**z`` when a dict display with string keys, as if
    the caller had passed the items themselves: ``_promote_unpacked_parameters`` then reads what
    the def unpacks from it (``xt, a_prev, parameters = z``) as its parameters. A copy named
    ``sigmoid(z)`` so unpacking its one argument scored 0.08 (thirtieth session)."""
    args = unit.args
    if len(args.args) != 1 or args.posonlyargs or args.kwonlyargs or args.defaults:
        return
    only = args.args[0]
    if only.arg in assigned:
        return
    passed = plan[only.arg]
    if all(type(v) in (ast.Tuple, ast.List) and not any(type(e) is ast.Starred for e in v.elts) for v in passed):
        args.vararg, args.args = only, []
    elif all(type(v) is ast.Dict and all(type(k) is ast.Constant and type(k.value) is str for k in v.keys)
             for v in passed):
        args.kwarg, args.args = only, []


def _drop_parameters(args: ast.arguments, names: set[str]) -> None:
    """Leave the parameters ``names`` (and their defaults) out of a header: each call of the def
    passes them the constant its body now holds (``specialise_for_calls``), so that a junk
    parameter with a default reads as one without."""
    positional = [*args.posonlyargs, *args.args]
    first_default = len(positional) - len(args.defaults)
    args.defaults = [d for i, d in enumerate(args.defaults) if positional[first_default + i].arg not in names]
    args.posonlyargs = [a for a in args.posonlyargs if a.arg not in names]
    args.args = [a for a in args.args if a.arg not in names]
    kept = [(a, d) for a, d in zip(args.kwonlyargs, args.kw_defaults) if a.arg not in names]
    args.kwonlyargs, args.kw_defaults = [a for a, _d in kept], [d for _a, d in kept]


def _course_arguments(unit: _Callable, name: str, assigned: set[str]) -> set[str]:
    """The parameters of ``unit`` (named ``name``, called by the grader) that hold the course's
    arguments (its first ``COURSE_ARITY`` positional ones) and that it never assigns."""
    arity = COURSE_ARITY.get(name)
    if arity is None:
        return set()
    return {p.arg for p in [*unit.args.posonlyargs, *unit.args.args][:arity] if p.arg not in assigned}


def _assigned_in(unit: _Callable) -> set[str]:
    """The names ``unit`` binds in its body (assignments, loop targets, nested parameters...)."""
    if type(unit) is ast.Lambda:
        return stored_names(unit.body)
    return set().union(*map(stored_names, unit.body))


def _calls_of(body: list[ast.stmt], units: dict[str, _Callable], named: dict[str, int]
              ) -> tuple[dict[str, list[ast.Call]], dict[str, list[str | None]], set[str]]:
    """The calls of each of ``units`` by its name in the text, the name of the unit each sits in
    (None at the top level), and the units read otherwise than as a call's function (passed as a
    value, bound again, defined twice, called with ``*``/``**``): their calls are not all in sight."""
    calls: dict[str, list[ast.Call]] = {}
    callers: dict[str, list[str | None]] = {}
    escapes = {name for name, count in named.items() if count > 1}
    loads: dict[str, int] = {}
    for stmt in body:
        owner = None
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            owner = stmt.name
        elif type(stmt) is ast.Assign and type(stmt.value) is ast.Lambda and type(stmt.targets[0]) is ast.Name:
            owner = stmt.targets[0].id
        for node in subnodes(stmt):
            kind = type(node)
            if kind is ast.Name and node.id in units:
                if type(node.ctx) is ast.Load:
                    loads[node.id] = loads.get(node.id, 0) + 1
                elif not (type(stmt) is ast.Assign and type(stmt.value) is ast.Lambda and node is stmt.targets[0]):
                    escapes.add(node.id)  # bound again (``f9 = other``, a loop's target...)
            elif kind is ast.arg and node.arg in units:
                escapes.add(node.arg)
            elif kind is ast.alias and (node.asname or node.name).split(".")[0] in units:
                escapes.add((node.asname or node.name).split(".")[0])
            elif kind in (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef) and node is not stmt and node.name in units:
                escapes.add(node.name)
            elif kind is ast.Call and type(node.func) is ast.Name and node.func.id in units:
                calls.setdefault(node.func.id, []).append(node)
                callers.setdefault(node.func.id, []).append(owner if owner in units else None)
                if any(type(a) is ast.Starred for a in node.args) or any(k.arg is None for k in node.keywords):
                    escapes.add(node.func.id)
    escapes.update(name for name, count in loads.items() if count != len(calls.get(name, ())))
    return calls, callers, escapes


def _arguments_passed(unit: ast.FunctionDef | ast.AsyncFunctionDef, calls: list[ast.Call]
                      ) -> dict[str, list[ast.AST]] | None:
    """Parameter -> what each of ``calls`` passes it (its default where a call leaves it out), in
    the order of the calls; None when a call does not fit the header."""
    args = unit.args
    positional = [*args.posonlyargs, *args.args]
    defaults = dict(zip([a.arg for a in positional[len(positional) - len(args.defaults):]], args.defaults))
    defaults.update((a.arg, d) for a, d in zip(args.kwonlyargs, args.kw_defaults) if d is not None)
    names = [a.arg for a in positional] + [a.arg for a in args.kwonlyargs]
    by_keyword = set(names) - {a.arg for a in args.posonlyargs}
    plan: dict[str, list[ast.AST]] = {name: [] for name in names}
    for call in calls:
        if len(call.args) > len(positional):
            return None
        given = {positional[i].arg: value for i, value in enumerate(call.args)}
        for keyword in call.keywords:
            if keyword.arg not in by_keyword or keyword.arg in given:
                return None
            given[keyword.arg] = keyword.value
        for name in names:
            value = given.get(name, defaults.get(name))
            if value is None:
                return None
            plan[name].append(value)
    return plan


def _passed_on(plans: dict[str, dict[str, list[ast.AST]]], callers: dict[str, list[str | None]],
               seeds: dict[str, dict[str, object]], fixed: dict[str, set[str]],
               fact_of: Callable[[ast.AST, dict[str, object]], object]) -> dict[str, dict[str, object]]:
    """Facts about parameters (never None, what input they hold): ``seeds``'s, and a parameter's
    of a def of ``plans`` when every call passes a value of which ``fact_of`` (given the value and
    the caller's facts) says the same, not None; ``fixed``: the parameters a def assigns or holds a
    constant in, which keep none. A relay passes on what it was given, so this is iterated,
    ``_RELAY_ROUNDS`` deep."""
    facts = {name: dict(found) for name, found in seeds.items()}
    changed, rounds = True, 0
    while changed and rounds < _RELAY_ROUNDS:
        changed, rounds = False, rounds + 1
        for name, plan in plans.items():
            known = facts.setdefault(name, {})
            for param, passed in plan.items():
                if param in known or param in fixed[name]:
                    continue
                found = {fact_of(value, facts.get(caller, {}) if caller else {})
                         for value, caller in zip(passed, callers[name])}
                if len(found) == 1 and None not in found:
                    known[param] = found.pop()
                    changed = True
    return facts


def _never_none(value: ast.AST, known: dict[str, object]) -> bool | None:
    """True when ``value`` is never None: a constant other than None, or a name of ``known``, the
    caller's parameters known never to be None (``specialise_for_calls``); else None."""
    if type(value) is ast.Constant:
        return True if value.value is not None else None
    return True if type(value) is ast.Name and value.id in known else None


def _input_passed(value: ast.AST, known: dict[str, object]) -> object:
    """What course input ``value`` holds: that of the caller's parameter it names (``known``)."""
    return known.get(value.id) if type(value) is ast.Name else None


#: What the grader passes each graded function, by position (``COURSE_ARITY``'s arguments): an
#: array's number of dimensions, or the keys of the dict of parameters (``solution/setups.py``);
#: None for what the tests do not look into (a cache).
_RNN_KEYS = frozenset({"Waa", "Wax", "Wya", "ba", "by"})
_LSTM_KEYS = frozenset({"Wf", "Wi", "Wo", "Wc", "Wy", "bf", "bi", "bo", "bc", "by"})
_COURSE_INPUTS: dict[str, tuple[int | frozenset[str] | None, ...]] = {
    "rnn_cell_forward": (2, 2, _RNN_KEYS), "rnn_forward": (3, 2, _RNN_KEYS),
    "lstm_cell_forward": (2, 2, 2, _LSTM_KEYS), "lstm_forward": (3, 2, _LSTM_KEYS),
    "rnn_cell_backward": (2, None), "rnn_backward": (3, None),
    "lstm_cell_backward": (2, 2, None), "lstm_backward": (3, None)}
#: The comparisons ``_KnownInputs`` decides besides ``ndim`` and ``isinstance``: of ``len(p.shape)``
#: or ``p.shape[i]``, or a string ``in`` a dict.
_INPUT_TESTS = re.compile(r"len\s*\(\s*\w+\s*\.\s*shape\b|shape\s*\[[^\]\n]*\]\s*(?:[<>]|[!=]=)|"
                          r"(?:[<>]|[!=]=)=?\s*\w+\s*\.\s*shape\s*\[|['\"]\s*(?:not\s+)?in\b")


def may_test_inputs(source: str) -> bool:
    """A cheap look for the tests ``_KnownInputs`` decides, before any walk: most texts hold none
    (substrings first: a search of the whole pattern in every text cost 5 % of the normalisation)."""
    if "ndim" in source or "isinstance" in source:
        return True
    if not ("<" in source or ">" in source or "==" in source or "!=" in source or "' in " in source
            or '" in ' in source or "len" in source):
        return False
    return _INPUT_TESTS.search(source) is not None


def _course_inputs(unit: _Callable, name: str, assigned: set[str]) -> dict[str, object]:
    """The parameters of ``unit`` (named ``name``, called by the grader) that hold the course's
    arguments and that it never assigns, each with what it holds (``_COURSE_INPUTS``)."""
    kinds = _COURSE_INPUTS.get(name, ())
    return {p.arg: kind for p, kind in zip([*unit.args.posonlyargs, *unit.args.args], kinds)
            if kind is not None and p.arg not in assigned}


#: Names of the types ``isinstance`` may ask about: an array's, a dict's, and others neither is.
_ARRAY_TYPES = frozenset({"np.ndarray", "numpy.ndarray", "ndarray"})
_OTHER_TYPES = frozenset({"list", "tuple", "dict", "set", "int", "float", "str", "bool", "complex", "bytes"})
_DIMS_OPS = {ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le,
             ast.Gt: operator.gt, ast.GtE: operator.ge}


class _KnownInputs(ast.NodeTransformer):
    """Tests the grader's input decides, as constants (``_fold_tests``): for an array of n
    dimensions ``p.ndim`` and ``len(p.shape)`` compared with a number, ``p.shape[i]`` compared
    with 0 or 1 (every size is at least 1), ``isinstance(p, np.ndarray)``; for the dict of
    parameters ``isinstance(p, dict)`` and ``"Wax" in p`` (True for the course's keys; another
    key is left, as the test may hold it)."""

    def __init__(self, known: dict[str, object]) -> None:
        self.known = known

    def _held(self, node: ast.AST) -> object:
        return self.known.get(node.id) if type(node) is ast.Name else None

    def _dims(self, node: ast.AST) -> tuple[int, int] | None:
        """The range of values ``node`` takes: the number of dimensions (exact) or a size (1 and up)."""
        if type(node) is ast.Attribute and node.attr == "ndim" and type(self._held(node.value)) is int:
            return self._held(node.value), self._held(node.value)
        if (type(node) is ast.Call and type(node.func) is ast.Name and node.func.id == "len" and len(node.args) == 1
                and not node.keywords and type(node.args[0]) is ast.Attribute and node.args[0].attr == "shape"
                and type(self._held(node.args[0].value)) is int):
            return self._held(node.args[0].value), self._held(node.args[0].value)
        if (type(node) is ast.Subscript and type(node.value) is ast.Attribute and node.value.attr == "shape"
                and type(self._held(node.value.value)) is int and type(node.slice) is ast.Constant
                and type(node.slice.value) is int and -self._held(node.value.value) <= node.slice.value
                < self._held(node.value.value)):
            return 1, 2 ** 62
        return None

    def visit_Compare(self, node: ast.Compare) -> ast.AST:
        self.generic_visit(node)
        if len(node.ops) != 1:
            return node
        op, left, right = type(node.ops[0]), node.left, node.comparators[0]
        if op in (ast.In, ast.NotIn):
            keys = self._held(right)
            if (type(keys) is frozenset and type(left) is ast.Constant and type(left.value) is str
                    and left.value in keys):
                return ast.copy_location(ast.Constant(op is ast.In), node)
            return node
        if op not in _DIMS_OPS:
            return node
        if type(left) is ast.Constant:  # ``2 == x.ndim``: the other way round
            left, right = right, left
            op = {ast.Lt: ast.Gt, ast.Gt: ast.Lt, ast.LtE: ast.GtE, ast.GtE: ast.LtE}.get(op, op)
        span = self._dims(left)
        if span is None or type(right) is not ast.Constant or type(right.value) is not int:
            return node
        low, high = (_DIMS_OPS[op](value, right.value) for value in span)
        return ast.copy_location(ast.Constant(low), node) if low == high and (span[0] == span[1] or right.value <= 1) \
            else node

    def visit_Call(self, node: ast.Call) -> ast.AST:
        self.generic_visit(node)
        if not (type(node.func) is ast.Name and node.func.id == "isinstance" and len(node.args) == 2
                and not node.keywords):
            return node
        held = self._held(node.args[0])
        if held is None:
            return node
        kinds = node.args[1].elts if type(node.args[1]) is ast.Tuple else [node.args[1]]
        names = [ast.unparse(kind) for kind in kinds]
        own = _ARRAY_TYPES if type(held) is int else {"dict"}
        if any(name in own for name in names):
            return ast.copy_location(ast.Constant(True), node)
        if all(name in _OTHER_TYPES | _ARRAY_TYPES for name in names):
            return ast.copy_location(ast.Constant(False), node)
        return node


def _fold_tests(units: dict[str, _Callable], facts: dict[str, Collection[str]],
                fold: Callable[[Collection[str]], ast.NodeTransformer]) -> None:
    """In each of ``units``, the tests that what its parameters hold decides (``facts``: unit name
    -> its parameters never None, or what each holds) become constants (``fold``: ``_NotNone``,
    ``p is None`` / ``p is not None`` either way round -> False / True; ``_KnownInputs``)."""
    for name, known in facts.items():
        if known and name in units:
            unit = units[name]
            if type(unit) is ast.Lambda:
                unit.body = fold(known).visit(unit.body)
            else:
                unit.body = [fold(known).visit(stmt) for stmt in unit.body]


class _NotNone(ast.NodeTransformer):
    """``p is None`` -> False and ``p is not None`` -> True for the names given (``_fold_tests``)."""

    def __init__(self, names: set[str]) -> None:
        self.names = names

    def visit_Compare(self, node: ast.Compare) -> ast.AST:
        self.generic_visit(node)
        if len(node.ops) != 1 or type(node.ops[0]) not in (ast.Is, ast.IsNot):
            return node
        sides = (node.left, node.comparators[0])
        if not any(type(a) is ast.Name and a.id in self.names and type(b) is ast.Constant and b.value is None
                   for a, b in (sides, sides[::-1])):
            return node
        return ast.copy_location(ast.Constant(type(node.ops[0]) is ast.IsNot), node)


def _is_relay(unit: _Callable) -> bool:
    """Whether ``unit``, undecorated, only hands its work on (``only_delegates``) by calls of
    plain names (``f9(...)``, ``sigmoid(...)``, a course helper's name the runner follows to the
    work, an alias the text does not hold), not of attributes (``np.tanh(np.dot(W, x))`` is work)."""
    if type(unit) is ast.Lambda:
        body = [ast.Return(unit.body)]
    elif unit.decorator_list:
        return False
    else:
        body = unit.body
    return only_delegates(body, by_name=True)


def drop_leading_guards(tree: ast.Module) -> None:
    """Leave out of each def (``defs_of``) the guards its body begins with: ``if <test>: return X``
    or ``if <test>: raise ...``, where X is a name, a constant, a tuple of those or nothing, and
    ``assert`` statements. A guard with an ``else`` (or ``elif``) is left out and what its ``else``
    holds put in its place (the body always leaves the def, so that is the same code); a ``try``
    whose handlers only leave so gives way to its body (``is_guarded_try``).
    The grader calls a graded function with the course's arguments, so such a guard checks input
    it never gets; a copy given a junk parameter read only there (``def rnn_cell_forward(xt,
    a_prev, parameters, junk=None): if xt is None: return junk``, or the same behind a wrapper)
    kept the parameter read, which sent the helper's parameters to the order of their contexts
    and added a statement: 0.04-0.68 against its original, graded in full (twenty-seventh
    session's left item). Without the guard the parameter is unread and goes as the others
    do. Honest input checks are guards too: they leave both sides of a pair alike. The ``else``,
    ``elif``, ``assert`` and tuple forms kept the junk read until the twenty-ninth session
    (0.04-0.76)."""
    for unit in defs_of(tree):
        body = list(unit.body)
        start = 0
        while start < len(body):
            first = body[start]
            guard = _is_guard(first)
            if guard and first.orelse:
                body[start:start + 1] = first.orelse
            elif is_guarded_try(first):
                body[start:start + 1] = first.body
            elif start < len(body) - 1 and (guard or isinstance(first, ast.Assert)):  # a body of one guard stays
                start += 1
            else:
                break
        if start and body[start:]:
            unit.body = body[start:]
        elif body and body != unit.body:  # only blocks put in place of their guards
            unit.body = body


def _is_guard(stmt: ast.stmt) -> bool:
    """True for ``if <test>: return X`` (X a name, a constant, a tuple of those or nothing) or
    ``if <test>: raise ...``, with or without an ``else`` (``drop_leading_guards``)."""
    return isinstance(stmt, ast.If) and len(stmt.body) == 1 and _is_exit(stmt.body[0])


def is_guarded_try(stmt: ast.stmt) -> bool:
    """True for a ``try`` without ``else`` or ``finally`` each of whose handlers only leaves as a
    guard does (``_is_exit``): on the grader's input its body is what runs. ``try: xt.shape`` /
    ``except AttributeError: return junk``, or the whole copy in the ``try``, kept a junk
    parameter read: 0.71-0.73 (twenty-ninth session). Since the thirty-fifth session wherever it
    stands (``simplify.Simplifier``)."""
    return (type(stmt) is ast.Try and not stmt.orelse and not stmt.finalbody
            and all(len(h.body) == 1 and _is_exit(h.body[0]) for h in stmt.handlers))


def _is_exit(stmt: ast.stmt) -> bool:
    """``raise ...`` or ``return X``, X a name, a constant, a tuple of those or nothing."""
    if isinstance(stmt, ast.Raise):
        return True
    if not isinstance(stmt, ast.Return):
        return False
    value = stmt.value
    items = value.elts if isinstance(value, ast.Tuple) else [value]
    return value is None or all(isinstance(item, (ast.Name, ast.Constant)) for item in items)


def drop_unread_parameters(tree: ast.Module, loads: dict[str, int]) -> None:
    """Leave out of each def (``defs_of``) the positional parameters without a default that
    nothing reads once dead code is gone (``loads``: each name's reads left in the text), so
    that the def reads as it would without them. Numbered by position, a copy given one more
    leading parameter that it never reads (``cls`` of a class method, ``RNN.cell =
    classmethod(f9)``, or ``self``, or a junk first argument that a wrapper passes) had every
    parameter spelt one further: 0.05 against its original, graded in full (twenty-sixth
    session's review). A def not named as a graded function numbers its parameters by use since
    the twenty-seventh session (``_parameter_spellings``), a graded one by position still."""
    for unit in defs_of(tree):
        args = unit.args
        positional = [*args.posonlyargs, *args.args]
        unread = {id(p) for p in positional[:len(positional) - len(args.defaults)] if not loads.get(p.arg)}
        if unread:
            args.posonlyargs = [p for p in args.posonlyargs if id(p) not in unread]
            args.args = [p for p in args.args if id(p) not in unread]
