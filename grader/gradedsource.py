"""The text of a graded function that the similarity check compares (:func:`graded_source`), and
the code facts it is read from: the function as the grader ran it, with the helpers of the
notebook it calls put in place of their calls, what it reaches of a class, the names NumPy is read
under, and a note for code the grader did not see (:func:`unseen_note`). Used by the runner, which
records it for each submission, and by ``grade.py``'s similarity check and the kit."""

from __future__ import annotations

import ast
import functools
import re
from types import CodeType, MappingProxyType
from typing import Any, Collection, Mapping, Sequence

from grader.astnodes import lambda_as_def, only_delegates
from grader.course import COURSE_HELPERS
from grader.notebook import SIZE_LIMITS, SourceMemo


def code_facts(source: str) -> tuple[tuple[str, ...], frozenset[str]]:
    """`_compiled_facts`, memoised per process by the source: a function a student left as
    the template wrote it is compiled once per worker, not once per notebook."""
    return _CODE_FACTS(source)


def _compiled_facts(source: str) -> tuple[tuple[str, ...], frozenset[str]]:
    """``(parameter names, names read)`` of the function defined by ``source``, from its bytecode.

    The parameters are the positional ones of the first function defined; the
    names are every global (and attribute) name the code and its nested code
    refer to, decorators and defaults included. Compiling is several times
    cheaper than ``ast.parse`` plus a walk of the tree, and locals are not
    mistaken for globals. ``((), frozenset())`` when the source does not compile.
    """
    try:
        code = compile(source, "<function>", "exec", dont_inherit=True)
    except (SyntaxError, ValueError):
        return (), frozenset()
    params: tuple[str, ...] | None = None
    names: set[str] = set()
    stack = [code]
    while stack:
        current = stack.pop()
        names.update(current.co_names)
        for const in current.co_consts:
            if isinstance(const, CodeType):
                if params is None and current is code and not const.co_name.startswith("<"):
                    params = const.co_varnames[:const.co_argcount]
                stack.append(const)
    return params or (), frozenset(names)


# Bounded in entries and characters (grader.notebook.SourceMemo); the values are immutable.
_CODE_FACTS = SourceMemo(_compiled_facts, keep_at_first_sight=True)


def aliased(functions: Mapping[str, Any], name: str) -> str:
    """The function whose parameters ``name``'s are: ``name`` itself, or the function an alias
    names (``rnn_cell_forward = rnn_cell_fwd``, which extraction keeps as a function of its
    own, ``FunctionSource.alias_of``), followed to its end (or until a name comes back); the
    messages then say ``parameters``, not ``argument 3``. Followed eight steps only, a chain
    of nine aliases gave the similarity check a one-line alias to compare."""
    seen = {name}
    while (target := getattr(functions[name], "alias_of", None)) in functions and target not in seen:
        seen.add(target)
        name = target
    return name


#: How a compared function source (``graded_source``) begins when the code graded may not
#: be the text compared (a decorated def, a member of a class a metaclass builds); the rest of
#: that line says why. A comment: the similarity check's normalisation drops it, and the class
#: report lists it for the TA (``grader.similarity.output``).
UNSEEN_NOTE = "# grader: "


#: How that line ends when the compared text holds the notebook's functions the code reaches (the
#: similarity check then scores it by containment, ``grader.similarity.detect._noted_terms``).
REACHED_TAIL = "; compared with the notebook's functions it reaches"


#: What follows the ``what`` of a note (``unseen_note``).
_NOTE_MIDDLE = ": what was graded is what that code made, which this text may not show"


def unseen_note(what: str, *, reached: bool = True) -> str:
    """The line ``UNSEEN_NOTE`` begins, saying ``what`` runs code the compared text may not show
    (and, when ``reached``, that the text holds the notebook's functions that code reaches)."""
    return f"{UNSEEN_NOTE}{what}{_NOTE_MIDDLE}{REACHED_TAIL if reached else ''}\n"


def graded_source(functions: Mapping[str, Any], name: str, *, graded: Collection[str] = (),
                  aliases: Mapping[str, str] = MappingProxyType({})) -> str:
    """The source the similarity check compares for function ``name``: that of the function an
    alias names (`aliased`), not the alias's one line, or a classmate's function copied under
    another name and aliased would never be compared. A function that only hands its work to the
    notebook's own helpers (`_only_delegates`) is compared as those helpers (`_helpers_of`: not
    the ``graded`` functions, compared on their own, nor the course's helpers): a classmate's
    function copied as ``_step`` behind ``return _step(xt, a_prev, parameters)`` went unseen.
    Other functions are compared alone, as before: a helper's text added to one side of a pair
    lowers its score (normalised by the larger side), and would hide as many copies as it shows.
    Except a def that is decorated, or a member of a class whose building runs code
    (``extract._runs_code_when_built``): what was graded is what that code made of the text, so
    the text is compared with the helpers it reaches, after a note (`_unseen_note`). And when the
    notebook's code reaches into functions or globals (``FunctionSource.reaches_in``: a
    ``setattr(rnn_cell_forward, "__code__", f9.__code__)`` in a default value, or in another
    graded function's body), the text is noted as possibly not what ran.

    The earlier definitions that ``name`` or a function it reaches runs first (a default
    ``impl=functools.partial(_impl)`` holding the ``_impl`` of its time, defined again later:
    ``FunctionSource.read_then``) come first, after a note: the last ``_impl`` may be a decoy.

    ``aliases``: the names the notebook binds at its top level to a NumPy function
    (``Extraction.numpy_aliases``); those the text reads are bound before it (`_with_numpy_aliases`)."""
    text = _compared_text(functions, name, graded)
    earlier = _read_then(functions, name)
    if earlier:
        text = unseen_note(f"`{name}` reads a definition the notebook replaces later") + "\n\n".join(
            [*earlier, text])
    reaches_in = getattr(functions[name], "reaches_in", "")
    if reaches_in and not text.startswith("#"):
        text = unseen_note(f"the notebook's code uses {reaches_in}, which can change what its functions run",
                           reached=False) + text
    return _with_numpy_aliases(functions, text, aliases) if aliases else text


def _with_numpy_aliases(functions: Mapping[str, Any], text: str, aliases: Mapping[str, str]) -> str:
    """``text`` with ``from numpy import tanh as t`` (``from numpy.linalg import norm as n`` for
    ``linalg.norm``, ``import numpy as npy`` for ``""``) for each name of ``aliases`` (name -> NumPy's
    function) that a function it holds reads as a global (``FunctionSource.uses``), after its note if
    it has one: the normaliser reads ``t(z)`` as ``np.tanh(z)`` then, and the import goes with the
    dead code (``rewrite.canonical_reads``). A classmate's function copied with ``t = np.tanh``
    or ``from numpy import tanh as th`` in another cell scored 0.41 (thirty-second session)."""
    read: set[str] = set()
    for fn in functions.values():
        if any(source and source in text for source in (fn.source, getattr(fn, "bound_source", None))):
            read.update(getattr(fn, "uses", ()))
    lines = "".join((f"from {'.'.join(('numpy', *aliases[n].split('.')[:-1]))} import {aliases[n].rsplit('.', 1)[-1]}"
                     if aliases[n] else "import numpy") + f" as {n}\n" for n in sorted(read.intersection(aliases)))
    if not lines:
        return text
    if text.startswith(UNSEEN_NOTE):
        note, _, rest = text.partition("\n")
        return f"{note}\n{lines}\n{rest}"
    return f"{lines}\n{text}"


def _compared_text(functions: Mapping[str, Any], name: str, graded: Collection[str]) -> str:
    """``graded_source`` but for the note on code that reaches into functions."""
    own = _own_text(functions, name)
    # A def's source begins with its decorators, a class's too; a comment only when it is noted.
    if own.startswith(("@", "class", "#")):
        if own.startswith(UNSEEN_NOTE):  # a class member, with what the class reaches (extract._with_reached)
            note, _, rest = own.partition("\n")  # the class's note, which names no function: this one
            return unseen_note(f"`{name}` is {note[len(UNSEEN_NOTE):].split(_NOTE_MIDDLE, 1)[0]}") + rest
        # The helpers first: the normalisation numbers names in order, so a copy among them
        # reads as its original does whatever the decoy before it named. A class the decorators
        # read (``@K``, ``@K.d``) comes with the functions it calls: either hands out a copy.
        classes = _classes_read(functions, name)
        return _unseen_note(own, name) + "\n\n".join(
            [_own_text(functions, helper) for helper in _helpers_of(functions, name, graded, classes=classes)]
            + classes + [own])
    # The helpers first: without any the answer is ``own`` whatever the body, and most functions
    # call none, so most are not parsed again (parsing every graded def cost a worker 1 ms a notebook).
    helpers = _helpers_of(functions, name, graded)
    if not helpers:
        # A function that only delegates to a class of the notebook's (`return _Obj().run(...)`,
        # or a member returning `H._impl(...)`) is compared as those classes.
        classes = _classes_read(functions, name)
        if classes and _delegates(functions, name, own):
            # With the functions those classes call: a method returning ``f9(*a)`` hid the copy.
            # And the def last when it passes the class what it holds (`_passes_state`).
            return "\n\n".join([_own_text(functions, helper)
                                for helper in _helpers_of(functions, name, graded, classes=classes)] + classes
                               + ([own] if _passes_state(own) else []))
        # A bound def that only delegates and reaches nothing of the notebook's the check compares.
        bound = getattr(functions[aliased(functions, name)], "bound_source", None)
        if not classes and bound is not None and own is bound and _delegates(functions, name, own):
            return unseen_note(f"`{name}` only hands its work to code this text does not hold",
                               reached=False) + own
        # One that only hands its work to graded functions is compared as them: a classmate's
        # ``rnn_cell_forward`` copied as ``def lstm_cell_forward(...)`` behind ``return
        # lstm_cell_forward(...)`` was compared as the wrapper's line (twenty-ninth session).
        if any(read in functions for read in _reads(functions[name])) and _delegates(functions, name, own):
            working = _working_names(functions, name, graded) if graded else []
            return _delegated_text(functions, name, working, graded) or own
        return own
    if not _delegates(functions, name, own):
        # Work of its own around one call of a helper that returns what the def returns (``xt =
        # xt * 1.0`` then ``return f9(xt, a_prev, parameters)``): the helper did the work, and
        # comes first, as the relays' work does; the normaliser puts it in place of its call.
        if _hands_over(own, helpers) or _inlined_helpers(own, {h: _own_text(functions, h) for h in helpers}):
            return "\n\n".join([*(_own_text(functions, helper) for helper in helpers), own])
        return own
    if graded and all(_delegates(functions, helper, _own_text(functions, helper)) for helper in helpers):
        # Helpers that only pass the work on, to graded functions too: ``return _g(xt, a_prev,
        # parameters)`` with ``def _g(a, b, c): return lstm_cell_forward(c, b, a)`` hid the copy.
        working = _working_names(functions, name, graded)
        if working:
            return _delegated_text(functions, name, working, graded)
    return _delegated_text(functions, name, helpers, graded)


def _working_names(functions: Mapping[str, Any], name: str, graded: Collection[str]) -> list[str]:
    """The notebook's functions ``name`` reaches, graded ones included, for a function that only
    delegates, through relays or not, to graded functions: a classmate's ``rnn_cell_forward``
    copied as ``def lstm_cell_forward(...)`` behind ``return lstm_cell_forward(...)`` was compared
    as the wrapper's line (twenty-ninth session). [] when it reaches no ``graded`` function (the
    helpers are compared as before)."""
    reached = _helpers_of(functions, name, ())
    return reached if set(reached).intersection(graded) else []


def _delegated_text(functions: Mapping[str, Any], name: str, reached: Sequence[str], graded: Collection[str]) -> str:
    """The text compared for ``name``, a function that only delegates, as the notebook's functions
    ``reached`` it hands its work to, in order, but the relays (``_is_relay``: those that only call
    plain names, and ``name``'s own text when it is one) last. The relays were left out since the
    twenty-ninth session (their lines beside the copy held it at 0.80); they are kept for the calls
    that pick what the work does (a constant argument, a ``True`` that selects a branch of
    ``rnn_forward`` holding a copy of ``rnn_cell_forward``: 0.06-0.10 without them), which the
    normaliser reads and then leaves the relays out (``specialise.specialise_for_calls``); the work
    comes first, so its lines are those of its own text. When none of ``reached`` does work, the
    course's helpers it reaches are looked at too: a copy named ``sigmoid(z)``, unpacking its one
    argument, is the course's helper by its arity alone (``_course_like``), and the wrapper's line
    was compared (thirtieth session). When nothing does work, ``reached`` as before ("" if empty)."""
    texts = [_own_text(functions, helper) for helper in reached]
    if all(_only_delegates(text) for text in texts):
        course = _helpers_of(functions, name, graded, course=True)
        if course != list(reached):
            found = [_own_text(functions, helper) for helper in course]
            texts = found if not all(_only_delegates(text) for text in found) else texts
        if all(_only_delegates(text) for text in texts):
            return "\n\n".join(texts)
    relays = [text for text in (*texts, _own_text(functions, name)) if _is_relay(text)]
    return "\n\n".join([*(text for text in texts if text not in relays), *relays])


def _hands_over(source: str, helpers: Sequence[str]) -> bool:
    """Whether the def in ``source`` calls the notebook's ``helpers`` once in all, by a statement
    of its own block that it ends with: ``return h(...)``, or ``y = h(...)`` and then ``return y``.
    A classmate's ``rnn_cell_forward`` copied as ``f9`` behind ``xt = xt * 1.0`` then ``out =
    f9(xt, a_prev, parameters)`` and ``return out`` was compared as those three lines (no pair;
    thirty-second session), where a helper that only computes part of the work (``dz =
    _dtanh(a_next, da_next)``, then the def's own maths) is the student's way of writing it,
    compared alone as before. Memoised per process (``_HANDS_OVER``)."""
    last, called = _HANDS_OVER(source)
    return last is not None and last in helpers and not called.intersection(helpers).difference({last})


def _handing_call(source: str) -> tuple[str | None, frozenset[str]]:
    """The plain names the def in ``source`` calls, and the one whose call's result it ends by
    returning (``return h(...)``, or ``y = h(...)`` then ``return y``, in its own block) when that
    is its only call of ``h``; None for that one otherwise."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None, frozenset()
    if len(tree.body) != 1 or not isinstance(tree.body[0], (ast.FunctionDef, ast.AsyncFunctionDef)):
        return None, frozenset()
    body = tree.body[0].body
    calls = [node.func.id for node in ast.walk(tree.body[0])
             if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)]
    call = body[-1].value if isinstance(body[-1], ast.Return) else None
    if isinstance(call, ast.Name) and len(body) > 1:
        before = body[-2]
        if (isinstance(before, ast.Assign) and len(before.targets) == 1
                and isinstance(before.targets[0], ast.Name) and before.targets[0].id == call.id):
            call = before.value
    if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Name)) or calls.count(call.func.id) != 1:
        return None, frozenset(calls)
    return call.func.id, frozenset(calls)


# Bounded in entries and characters (grader.notebook.SourceMemo), as ``_DELEGATES``.
_HANDS_OVER = SourceMemo(_handing_call)


def _inlined_helpers(source: str, helpers: Mapping[str, str]) -> bool:
    """Whether the similarity check's normaliser puts the body of each of ``helpers`` (name -> its
    text) in place of its calls in the def in ``source`` (``inline.inline_helpers``), so that
    compared with them the def reads as the work they compose, not diluted by their lines: each
    helper a def of positional parameters whose body ends with its only ``return``, holding no
    def, lambda, class, ``try`` or ``with`` and reading no other of ``helpers``
    (``_helper_shape``); the def reads each only as calls of one positional argument per
    parameter, and a helper of more than one statement only by a statement (``y = h(a)``,
    ``return h(a)``). A classmate's ``rnn_cell_forward`` computing ``np.tanh(_affine(Waa, a_prev,
    ...))``, or ``lstm_cell_forward`` its gates by ``ft = _gate(Wf, concat, bf)``, was compared
    without the helpers: 0.25 and 0.49 (thirty-third session)."""
    reads, calls = _CALL_FORMS(source)
    for name, text in helpers.items():
        shape = _HELPER_SHAPE(text)
        if shape is None or shape[0] != name or shape[3].intersection(helpers):
            return False
        found = [(count, statement) for callee, count, statement in calls if callee == name]
        if (not found or reads.get(name, 0) != len(found)
                or any(count != shape[1] or not (statement or shape[2]) for count, statement in found)):
            return False
    return True


def _call_forms(source: str) -> tuple[dict[str, int], tuple[tuple[str, int, bool], ...]]:
    """How often the def in ``source`` reads each name, and each call of a plain name it makes with
    positional arguments only: ``(name, how many, whether it is a statement of its own)``
    (``_inlined_helpers``)."""
    found = _lone_def(source)
    if found is None:
        return {}, ()  # a lambda's calls are not put in place of
    reads: dict[str, int] = {}
    statements: set[int] = set()
    calls: list[ast.Call] = []
    for node in ast.walk(found[0]):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            reads[node.id] = reads.get(node.id, 0) + 1
        elif isinstance(node, (ast.Return, ast.Expr)) or (isinstance(node, ast.Assign) and len(node.targets) == 1):
            statements.add(id(node.value))
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and not node.keywords
              and not any(isinstance(a, ast.Starred) for a in node.args)):
            calls.append(node)
    return reads, tuple((c.func.id, len(c.args), id(c) in statements) for c in calls)


def _helper_shape(text: str) -> tuple[str, int, bool, frozenset[str]] | None:
    """``(name, parameters, one line, names read)`` of the helper def ``text`` when its body can be
    put in place of its calls (``_inlined_helpers``), else None. A lambda bound at the top level
    (``act = lambda z: np.tanh(z)``) is a one-line def (``grader.astnodes.lambda_as_def``): its graded def was
    compared alone, 0.41 against the classmate it copied (thirty-sixth session)."""
    found = _lone_def(text)
    if found is None:
        found = _lone_lambda(text)
    if found is None:
        return None
    helper, body = found
    args = helper.args
    if (helper.decorator_list or args.posonlyargs or args.vararg or args.kwonlyargs or args.kwarg or args.defaults
            or not body or not isinstance(body[-1], ast.Return) or body[-1].value is None):
        return None
    params = {a.arg for a in args.args}
    reads: set[str] = set()
    for stmt in body:
        for node in ast.walk(stmt):
            if isinstance(node, _NOT_INLINED) or (isinstance(node, ast.Return) and node is not body[-1]):
                return None
            if isinstance(node, ast.Name):
                if node.id == helper.name or (node.id in params and not isinstance(node.ctx, ast.Load)):
                    return None
                reads.add(node.id)
    return helper.name, len(args.args), len(body) == 1, frozenset(reads)


def _lone_def(source: str) -> tuple[ast.FunctionDef, list[ast.stmt]] | None:
    """The one def ``source`` holds and its body without a docstring, or None (another text, or
    one that does not parse)."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    if len(tree.body) != 1 or not isinstance(tree.body[0], ast.FunctionDef):
        return None
    unit = tree.body[0]
    return unit, [stmt for stmt in unit.body if not (isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant))]


def _lone_lambda(source: str) -> tuple[ast.FunctionDef, list[ast.stmt]] | None:
    """``name = lambda ...: value``, the one statement of ``source``, as the def ``grader.astnodes.lambda_as_def``
    makes of it and its body, or None (another text, or a lambda of another shape)."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    unit = lambda_as_def(tree.body[0]) if len(tree.body) == 1 else None
    return None if unit is None else (unit, unit.body)


#: What a helper's body may not hold to be put in place of its calls (as ``inline._NOT_INLINED``).
_NOT_INLINED = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef, ast.Yield, ast.YieldFrom,
                ast.Await, ast.Global, ast.Nonlocal, ast.Try, ast.With, ast.Match, ast.Delete)
_CALL_FORMS = SourceMemo(_call_forms)
_HELPER_SHAPE = SourceMemo(_helper_shape)


def _classes_read(functions: Mapping[str, Any], name: str) -> list[str]:
    """The sources of the student's classes function ``name`` (or the function it is another name
    of) reads (``FunctionSource.classes_read``), each once."""
    root = aliased(functions, name)
    return list(dict.fromkeys((*getattr(functions[name], "classes_read", ()),
                               *(getattr(functions[root], "classes_read", ()) if root != name else ()))))


def _passes_state(source: str) -> bool:
    """Whether the def in ``source`` only returns ``K(a, ...).m(b, ...)`` (or names the object first,
    ``k = K(a, ...)`` then ``return k.m(b, ...)``), giving the class ``K`` something to hold (``Cell(parameters).forward(xt, a_prev)``): compared with the class, it says
    what the method's parameters and what it reads of ``self`` are, and the normaliser puts the
    method's work in its place (``inline.inline_held_state``; no pair without it, thirty-second
    session). ``K().m(...)`` gives nothing: compared as the class alone, as before."""
    found = _lone_def(source)
    if found is None:
        return False
    body = found[1]
    call = body[-1].value if body and len(body) <= 2 and isinstance(body[-1], ast.Return) else None
    if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)):
        return False
    made = call.func.value
    if len(body) == 2:  # ``k = K(a, ...)`` then ``return k.m(b, ...)`` (thirty-third session)
        first = body[0]
        if not (isinstance(first, ast.Assign) and len(first.targets) == 1 and isinstance(first.targets[0], ast.Name)
                and isinstance(made, ast.Name) and made.id == first.targets[0].id):
            return False
        made = first.value
    return isinstance(made, ast.Call) and isinstance(made.func, ast.Name) and bool(made.args)


def _unseen_note(own: str, name: str) -> str:
    """The note (``unseen_note``) put before the compared source of ``name`` when that is a
    decorated def or a class (a member ``_member_source`` did not find in its body): what was graded
    is what the decorators or the class made, which the text may not show, so it is compared with
    the notebook's functions it reaches and the class report tells the TA
    (``grader.similarity.output``). ``@(lambda f: f9)`` on a decoy def was graded as a copied ``f9``
    while the check compared the decoy alone."""
    what = ("is decorated" if own.startswith("@") else "is a member of a class that does not define it itself")
    return unseen_note(f"`{name}` {what}")


def _delegates(functions: Mapping[str, Any], name: str, own: str) -> bool:
    """``_only_delegates(own)``, ``own`` the text of function ``name`` (`_own_text`): False at
    once when ``own`` is the source extraction compiled and its bytecode shows work in the body
    (``FunctionSource.works``), which the parse would find too: most graded functions that call
    another loop or compute, and parsing each cost a worker about 0.5 ms a notebook."""
    bound = functions[aliased(functions, name)]
    if getattr(bound, "works", False) and own is bound.source:
        return False
    return _only_delegates(own)


def _only_delegates(source: str) -> bool:
    """Whether the def in ``source`` only calls functions and passes their results on (a docstring
    aside: no loop, branch, arithmetic or subscript), ``return _step(xt, a_prev, parameters)``; or
    the lambda of ``name = lambda ...: _step(...)``, read as a def returning its body (read only as
    a def, ``rnn_cell_forward = lambda *a: f9(*a)`` was compared as that one line). Memoised per
    process (``_DELEGATES``): since the twenty-ninth session most graded functions that call another
    are asked, and a text many students left as the course wrote it is parsed once."""
    return _DELEGATES(source)


def _parsed_only_delegates(source: str, *, by_name: bool = False) -> bool:
    """``_only_delegates``, worked out (``by_name``: ``_is_relay``'s)."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    if len(tree.body) != 1:
        return False
    first = tree.body[0]
    if isinstance(first, ast.Assign) and isinstance(first.value, ast.Lambda):
        return only_delegates([ast.Return(first.value.body)], by_name=by_name)
    if not isinstance(first, (ast.FunctionDef, ast.AsyncFunctionDef)) or (by_name and first.decorator_list):
        return False
    return only_delegates(first.body, by_name=by_name)


# Bounded in entries and characters (grader.notebook.SourceMemo); the values are booleans.
_DELEGATES = SourceMemo(_parsed_only_delegates)
#: ``_is_relay``'s memo, as ``_DELEGATES``.
_RELAYS = SourceMemo(functools.partial(_parsed_only_delegates, by_name=True))


def _is_relay(source: str) -> bool:
    """Whether the def in ``source`` only delegates by calls of plain names, undecorated (or is
    such a lambda): a relay the normaliser leaves out once it has read its calls
    (``specialise._is_relay``), so the only one ``_delegated_text`` puts after the work."""
    return _RELAYS(source)


#: The characters of the helpers ``graded_source`` compares in a function's place, at most: the
#: notebook's code bound, which its distinct definitions never pass together. A count (16 until
#: the twenty-fifth session) let sixteen one-line functions the wrapper also calls, named to sort
#: first, push the copy out of the text compared.
MAX_HELPER_CHARS = SIZE_LIMITS.max_code_chars


def _read_then(functions: Mapping[str, Any], name: str) -> list[str]:
    """The ``read_then`` sources of ``name`` and of the notebook's functions it reaches through the
    names they read (as ``_helpers_of`` follows them), each once, within ``MAX_HELPER_CHARS``."""
    if not any(getattr(fn, "read_then", ()) for fn in functions.values()):  # most notebooks
        return []
    found: dict[str, None] = {}
    seen = {name}
    queue = [name]
    while queue and sum(map(len, found)) < MAX_HELPER_CHARS:
        current = queue.pop(0)
        found.update(dict.fromkeys(getattr(functions[current], "read_then", ())))
        for read in sorted(_reads(functions[current])):
            if read in functions and read not in seen:
                seen.add(read)
                queue.append(read)
    return list(found)


def _own_text(functions: Mapping[str, Any], name: str) -> str:
    """The text of the def function ``name`` stands for (see ``graded_source``)."""
    bound = functions[aliased(functions, name)]
    return getattr(bound, "bound_source", None) or bound.source


def _helpers_of(functions: Mapping[str, Any], name: str, graded: Collection[str], *,
                classes: Sequence[str] = (), course: bool = False) -> list[str]:
    """The notebook's functions that ``name`` calls, directly or through each other (the global
    names each reads, ``FunctionSource.uses``), in the order first read, without ``name``'s other
    names, the ``graded`` functions and the course's helpers as the course writes them
    (`_course_like`, whose own calls are still followed); each text once (another name of a
    helper found adds none), until they hold ``MAX_HELPER_CHARS``.
    ``classes``: the sources of classes compared with ``name``, whose reads count as its own (a
    class's method returning ``f9(*a)`` hid the copy ``f9`` from the check). ``course``: the
    course's helpers are not left out (``_delegated_text``)."""
    root = aliased(functions, name)
    skip = set(graded)
    seen = {name, root}
    found: list[str] = []
    texts: set[int] = set()  # ids of the texts found (a function's own attribute: alive while it is)
    size = 0
    queue = [name, root]
    while queue and size < MAX_HELPER_CHARS:
        current = queue.pop(0)
        reads = _reads(functions[current])
        if current == name and classes:
            reads = reads.union(*(code_facts(text)[1] for text in classes))
        for other in sorted(reads):
            if other in seen or other not in functions:
                continue
            seen.add(other)
            target = aliased(functions, other)
            if other in skip or target == root or target in skip:  # another name of one not compared here
                continue
            queue.append(other)
            # A student's own copy of a course helper is the course's code in most notebooks, not work to compare.
            if course or not ((other in COURSE_HELPERS or target in COURSE_HELPERS)
                              and _course_like(functions, other)):
                text = _own_text(functions, other)
                if id(text) in texts:
                    continue
                texts.add(id(text))
                found.append(other)
                size += len(text)
                if size >= MAX_HELPER_CHARS:
                    break
    return found


def _reads(fn: Any) -> frozenset[str]:
    """The names function ``fn`` reads: its ``uses``, and those of the def an alias binds
    (``bound_source``, from its compiled code: the alias's own line reads only the class), so that
    ``rnn_cell_forward = H.rnn_cell_forward`` whose static method only returns ``f9(...)`` is
    compared as ``f9``, not as that one-line member."""
    uses = frozenset(getattr(fn, "uses", ()) or ())
    bound = getattr(fn, "bound_source", None)
    if not bound:
        return uses
    # Not the name the bound def binds (its compiled text stores it): read, a delegating member
    # ``def g(...): return f9(...)`` was its own helper, and its lines beside the copy held a
    # copied f9 to 0.80, under the threshold (twenty-sixth session's review).
    binds = _BINDS_FIRST.match(bound)
    return uses | (code_facts(bound)[1] - {binds.group(1) or binds.group(2)} if binds else code_facts(bound)[1])


#: The name the first statement of a bound source binds: ``def g(`` or ``g = lambda ...: ...``.
_BINDS_FIRST = re.compile(r"\s*(?:(?:async\s+)?def\s+(\w+)|(\w+)\s*=(?!=))")


def _course_like(functions: Mapping[str, Any], name: str) -> bool:
    """Whether the student's ``name`` (named as a course helper, ``sigmoid``) takes one argument
    as the course's helpers do, and is then taken for the course's code, not compared. Skipped by
    its name alone, a classmate's ``rnn_cell_forward`` copied as ``def sigmoid(xt, a_prev,
    parameters)`` behind ``return sigmoid(xt, a_prev, parameters)`` (or ``@(lambda f: sigmoid)``)
    was graded while the check compared the one-line wrapper. The parameters come from the memo
    of compiled facts, so a course text met in many notebooks is compiled once. Nor one that
    reads its argument as a record (``xt, a_prev, parameters = z``, ``z[0]``, ``z["xt"]``,
    ``z.get(...)``, ``*z``: ``_unpacks``), which the course's elementwise helpers never do: a copy
    so named behind a helper doing work of its own (``_decoy``: ``xt = xt * 1.0; return
    sigmoid((xt, a_prev, parameters))``) was left out of the text compared (thirty-first session)."""
    text = _own_text(functions, name)
    return len(code_facts(text)[0]) == 1 and "*" not in text.split(")", 1)[0] and not _UNPACKS(text)


def _parsed_unpacks(source: str) -> bool:
    """Whether the first def of ``source`` reads its first parameter as a record: unpacks it
    (``a, b, c = z``, ``for`` too), subscripts it with a constant, calls its ``get``, ``items``,
    ``values`` or ``keys``, or passes it as ``*z`` / ``**z`` (``_course_like``)."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    first = next((stmt for stmt in tree.body if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef))), None)
    if first is None or not first.args.args:
        return False
    own = first.args.args[0].arg

    def named(node: ast.AST) -> bool:
        return type(node) is ast.Name and node.id == own

    for node in ast.walk(first):
        kind = type(node)
        if kind is ast.Assign and named(node.value) and any(type(t) in (ast.Tuple, ast.List) for t in node.targets):
            return True
        if kind in (ast.For, ast.comprehension) and named(node.iter) and type(node.target) in (ast.Tuple, ast.List):
            return True
        if kind is ast.Subscript and named(node.value) and type(node.slice) is ast.Constant:
            return True
        if kind is ast.Attribute and named(node.value) and node.attr in ("get", "items", "values", "keys"):
            return True
        if kind is ast.Starred and named(node.value) or kind is ast.keyword and node.arg is None and named(node.value):
            return True
    return False


#: ``_parsed_unpacks``, memoised per process (a course helper's text is met in many notebooks).
_UNPACKS = SourceMemo(_parsed_unpacks)
