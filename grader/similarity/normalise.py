"""Normalisation of one function's source into a canonical token sequence.

The aim is that two pieces of code that differ only by disguises a copier uses
(renamed identifiers, comments, docstrings, blank lines, reordered independent
statements, ``np.dot`` versus ``@``, added dead code) give the same tokens,
while code that is written differently keeps different tokens.

Pipeline (each step works on the ``ast`` of the function):

1. ``Simplifier``: docstrings, bare constants, ``pass``, ``print(...)``
   statements, calls that set a module's state (``np.random.seed``), ``del`` of
   names, ``if False:`` / ``while False:`` blocks and code after
   ``return`` / ``raise`` / ``break`` / ``continue`` are dropped, a ``with
   np.errstate(...)`` gives way to its block, ``a = z = v`` is ``a = v; z = a``; the names a
   def unpacks from its ``*args`` (or reads by key from its ``**kwargs``), when
   that is all it reads of them, become its parameters
   (``promote_unpacked_parameters``).
2. ``Rewriter``: equivalent spellings are made one: ``np.dot(a, b)``,
   ``np.matmul(a, b)``, ``a.dot(b)`` -> ``a @ b``; ``np.add`` / ``np.multiply``
   ... -> operators; ``np.square(x)`` -> ``x ** 2``; ``np.transpose(x)`` and
   ``x.transpose()`` -> ``x.T``; ``x += y`` -> ``x = x + y``; ``numpy.`` ->
   ``np.``; keyword arguments sorted; ``a > b`` -> ``b < a``; list displays
   as tuples; integers as floats (``1`` ~ ``1.0``); ``0 * x`` -> ``0``,
   ``x + 0`` and ``x - 0`` -> ``x``.
3. ``remove_dead_code``: assignments whose target is never read (to a fixed
   point, so chains of dead temporaries go), assignments overwritten before
   any read, loops and ``if`` blocks left empty, unused imports and nested
   functions.
4. ``Canoniser``: operands of commutative operators (``+``, ``*``, ``and``,
   ``or``, ``==``) are sorted, and runs of statements are put in a canonical
   topological order of their data dependencies. Sort keys never contain local
   names: a local name is replaced by a *value signature*, a hash of the
   expression that defined it, so the keys are the same whatever the names and
   whatever the original order of independent statements; statements with
   equal keys are told apart by how the names they define are used later.
5. optional template stripping: simple statements identical (up to renaming)
   to a statement of the starter code are removed (after step 4, so that the
   signatures still know what the starter code's variables hold).
6. renaming: parameters become ``p0, p1, ...``: by position in a def named as
   a graded or provided function (``keep_names``; only as the function the text
   is compared for when ``compared_for`` is given), in an order of their uses in
   any other def (``parameter_spellings``); every other
   local is spelled after the *shape* of its first definition (the defining
   statement with all locals blanked, and the name's position among its
   targets), so that renaming, reordering or inserting a variable changes no
   other variable's spelling; locals without a definition (unknown globals)
   are numbered by first occurrence. Attribute names, dictionary keys,
   builtins, ``np`` and the names in ``keep_names`` (the graded and provided
   functions) are kept.
7. tokens: a pre-order walk emits one token per node, each with the line (in
   the given source, 1-based) of the node it came from.

If the source does not parse, a token-stream fallback (``tokenize``) gives
renamed names, numbers and operators without comments.

Where each step lives: 1 :mod:`~grader.similarity.simplify`; 2 :mod:`~grader.similarity.rewrite`
and :mod:`~grader.similarity.numpyreads` (NumPy read through aliases and hoisted lookups), with
:mod:`~grader.similarity.inline` (helpers and held state put in place) and
:mod:`~grader.similarity.loops` (counted loops) between 2 and 3; 3
:mod:`~grader.similarity.deadcode`; 4 :mod:`~grader.similarity.canonise`; 5 here; 6
:mod:`~grader.similarity.spellings`; 7 and the fallback :mod:`~grader.similarity.tokens`. Node
dumps and blocks: :mod:`~grader.similarity.nodetext`; the cheap key of a text:
:mod:`~grader.similarity.renamingkey`.
"""
from __future__ import annotations

import ast
import re
import textwrap

from grader.astnodes import stack_budget
from grader.similarity.canonise import Canoniser
from grader.similarity.deadcode import remove_dead_code
from grader.similarity.deepexpr import make_shallow
from grader.similarity.inline import inline_held_state, inline_helpers, inline_local_functions, inline_partials
from grader.similarity.loops import canonical_loops, may_count
from grader.similarity.nodetext import DEFAULT_KEEP_NAMES, NormalisedCode, dump, statement_blocks
from grader.similarity.numpyreads import join_shape_reads
from grader.similarity.renamingkey import RenamingKey, renaming_key
from grader.similarity.rewrite import Rewriter, canonical_reads
from grader.similarity.simplify import Simplifier, promote_unpacked_parameters
from grader.similarity.specialise import (bind_unpassed_defaults, callables_by_name, drop_leading_guards, drop_relays,
                                          drop_unread_parameters, may_test_inputs, specialise_for_calls)
from grader.similarity.spellings import (counted_locals, local_names, own_locals, parameter_spellings,
                                         shape_spellings)
from grader.similarity.syntax import defs_of
from grader.similarity.tokens import Tokeniser, fallback_tokens

__all__ = ["NormalisedCode", "Normaliser", "RenamingKey", "normalise_function", "renaming_key", "statement_shapes", "DEFAULT_KEEP_NAMES"]


# --------------------------------------------------------------------------- step 5


def _placeholder_dump(stmt: ast.AST, local: set[str], memo: dict | None = None) -> str:
    """Dump of a statement with every local name replaced by ``_`` (renaming-blind); ``memo`` as for ``dump``."""
    return dump(stmt, lambda n: "_" if n in local else n, None, memo)


def statement_shapes(source: str, *, keep_names: frozenset[str] = DEFAULT_KEEP_NAMES) -> set[str]:
    """The renaming-blind dumps of every simple statement in ``source`` (used for the starter code).

    ``source`` is any Python text (one or several defs, or a whole script);
    it is simplified and rewritten like a submission before dumping, but dead
    code is kept (the starter code has unused placeholders). Unparsable text
    gives an empty set.
    """
    tree = _parse(source)
    if tree is None:
        return set()
    tree.body = Simplifier().block(tree.body)
    tree = Rewriter().visit(tree)
    local = local_names(tree, keep_names)
    shapes = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.stmt) and not any(True for _ in statement_blocks(node)):
            shapes.add(_placeholder_dump(node, local))
    return shapes


def _strip_template(func: ast.AST, shapes: set[str], local: set[str], memo: dict | None = None) -> None:
    """Remove simple statements whose renaming-blind dump is one of the starter code's (``memo``: see ``dump``)."""
    for _field, block in list(statement_blocks(func)):
        kept = []
        for stmt in block:
            _strip_template(stmt, shapes, local, memo)
            if not any(True for _ in statement_blocks(stmt)) and _placeholder_dump(stmt, local, memo) in shapes:
                continue
            kept.append(stmt)
        block[:] = kept


# --------------------------------------------------------------------------- entry point


class Normaliser:
    """``normalise_function`` with fixed settings, memoised for a class of submissions.

    Results are cached by exact source text and by ``renaming_key``, so the
    work is done once per distinct function up to renaming, comments and
    blank lines (a renamed or commented copy, or two students who wrote the
    same code with different names, cost one normalisation; the cached lines
    are mapped to the new source's lines). Calling it gives exactly what
    ``normalise_function`` gives with the same settings. The cache lives in
    the instance.
    """

    def __init__(self, *, keep_names: frozenset[str] = DEFAULT_KEEP_NAMES,
                 template_shapes: frozenset[str] | set[str] = frozenset(), remove_dead: bool = True,
                 compared_for: str | None = None):
        self.keep_names = frozenset(keep_names)
        self.template_shapes = frozenset(template_shapes)
        self.remove_dead = remove_dead
        self.compared_for = compared_for
        self._by_source: dict[str, NormalisedCode] = {}
        self._by_key: dict[str, tuple[tuple[str, ...], tuple[int, ...]]] = {}
        #: How many sources were actually normalised (the others came from the cache).
        self.computed = 0

    def __call__(self, source: str, *, key: RenamingKey | None | bool = False) -> NormalisedCode:
        """Canonical tokens of ``source`` (see ``normalise_function``). ``key``: the
        ``renaming_key`` of ``source`` if already known (``False``: compute it when needed)."""
        found = self._by_source.get(source)
        if found is not None:
            return found
        if key is False:
            key = renaming_key(source, self.keep_names)
        cached = self._by_key.get(key.text) if key is not None else None
        if cached is not None:
            tokens, ordinals = cached
            found = NormalisedCode(tokens, tuple([key.lines[i] for i in ordinals]), True)
            self._by_source[source] = found
            return found
        self.computed += 1
        found = normalise_function(source, keep_names=self.keep_names, template_shapes=self.template_shapes,
                                   remove_dead=self.remove_dead, compared_for=self.compared_for)
        self.remember(source, found, key)
        return found

    def remember(self, source: str, code: NormalisedCode, key: RenamingKey | None | bool = False) -> None:
        """Record ``code``, the result of ``normalise_function(source)`` with these settings (computed elsewhere).

        ``key``: the ``renaming_key`` of ``source`` if already known (``False``: compute it).
        """
        self._by_source[source] = code
        if key is False:
            key = renaming_key(source, self.keep_names)
        if key is None or not code.parsed or key.text in self._by_key:
            return
        index = {line: i for i, line in enumerate(key.lines)}
        if all(line in index for line in code.lines):  # every token comes from a line with code
            self._by_key[key.text] = (code.tokens, tuple([index[line] for line in code.lines]))


#: ``textwrap``'s pattern of a line of spaces and tabs only, which ``textwrap.dedent`` empties.
_WHITESPACE_ONLY = re.compile("^[ \t]+$", re.MULTILINE)


def _dedent(source: str) -> str:
    """``textwrap.dedent(source)``, its usual case in one pass.

    When the first character is not a space, a tab or a line break, the first line has no
    indentation, so no common margin can be removed: ``textwrap.dedent`` then only empties
    the lines of spaces and tabs, which is done here without looking for a margin.
    """
    if source[:1] not in ("", " ", "\t", "\n"):
        return _WHITESPACE_ONLY.sub("", source)
    return textwrap.dedent(source)


def _parse(source: str) -> ast.Module | None:
    """Parse ``source`` (dedented); IPython magics and shell lines are blanked first. None if invalid."""
    text = _dedent(source)
    try:
        return ast.parse(text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        pass
    lines = ["" if line.lstrip().startswith(("%", "!")) else line for line in text.splitlines()]
    try:
        return ast.parse("\n".join(lines))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def normalise_function(
    source: str,
    *,
    keep_names: frozenset[str] = DEFAULT_KEEP_NAMES,
    template_shapes: frozenset[str] | set[str] = frozenset(),
    remove_dead: bool = True,
    compared_for: str | None = None,
) -> NormalisedCode:
    """Canonical tokens of ``source`` (a ``def``, or any Python text).

    ``keep_names``: global names kept as spelled (plus builtins).
    ``template_shapes``: renaming-blind statement dumps of the starter code
    (``statement_shapes``); matching simple statements are removed.
    ``remove_dead``: False keeps dead code (used to fingerprint the starter code itself).
    ``compared_for``: the function the text is compared as, when known: a def named as another
    function of ``keep_names`` in it (a copy of ``rnn_cell_forward`` defined as
    ``lstm_cell_forward`` or ``sigmoid`` behind a wrapper) is then numbered by use, as any helper
    is; None numbers every def of a kept name by position.

    Never raises for odd input: text that does not parse, or whose AST is too
    deep for the recursive passes, gets the token-stream fallback
    (``parsed=False``), so one strange submission cannot stop a class report.
    How deep is too deep does not depend on the caller (``grader.astnodes.stack_budget``).
    """
    by_position = keep_names if compared_for is None else keep_names & {compared_for}
    with stack_budget():
        return _normalise_source(source, keep_names=keep_names, template_shapes=template_shapes,
                                 remove_dead=remove_dead, by_position=by_position)


def _normalise_source(source: str, *, keep_names: frozenset[str], template_shapes: frozenset[str] | set[str],
                      remove_dead: bool, by_position: frozenset[str]) -> NormalisedCode:
    """``normalise_function``'s work, within the recursion limit it set."""
    tree = _parse(source)
    if tree is None:
        return fallback_tokens(source, keep_names)
    settings = dict(keep_names=keep_names, template_shapes=template_shapes, remove_dead=remove_dead,
                    by_position=by_position, tests_none="None" in source, tests_inputs=may_test_inputs(source),
                    loops=may_count(source), sizes=".shape[" in source, lambdas="lambda" in source,
                    nested=source.count("def ") > 1, partials="partial(" in source)
    try:
        return _normalise_tree(tree, **settings)
    except RecursionError:
        pass
    for keep_chains in (True, False):  # a sum of a thousand terms (``deepexpr``): its text normalised, not plain tokens
        tree = _parse(source)  # the passes changed the tree they gave up on
        make_shallow(tree, keep_chains=keep_chains)
        try:
            return _normalise_tree(tree, **settings)
        except RecursionError:
            pass
    return fallback_tokens(source, keep_names)


def _normalise_tree(tree: ast.Module, *, keep_names: frozenset[str], template_shapes: frozenset[str] | set[str],
                    remove_dead: bool, by_position: frozenset[str], tests_none: bool = True,
                    tests_inputs: bool = True, loops: bool = True, sizes: bool = True,
                    lambdas: bool = True, nested: bool = True, partials: bool = True) -> NormalisedCode:
    """Steps 1-7 of the module docstring on a parsed tree (modified in place). ``tests_none``:
    False when the text has no ``None`` (most), which spares ``specialise_for_calls`` a walk;
    ``tests_inputs`` when ``may_test_inputs`` finds nothing (most), ``loops`` when
    ``may_count`` finds nothing, ``sizes`` when the text holds no ``.shape[``, ``lambdas`` when no
    ``lambda``, ``nested`` when one ``def`` at most, ``partials`` when no ``partial(``."""
    specialise_for_calls(tree, by_position, tests_none=tests_none, tests_inputs=tests_inputs)
    own_locals(tree, keep_names)
    bind_unpassed_defaults(tree, by_position)
    tree.body = Simplifier().block(tree.body)
    if len(tree.body) > 1:
        inline_held_state(tree)
    drop_leading_guards(tree)
    promote_unpacked_parameters(tree)
    if partials:
        inline_partials(tree, keep_names)
    if lambdas or (nested and any(type(s) is ast.FunctionDef for unit in defs_of(tree) for s in unit.body)):
        inline_local_functions(tree, keep_names, lambdas=lambdas)
    if len(tree.body) > 1:
        inline_helpers(tree, keep_names)
    if loops:
        canonical_loops(tree)
    if sizes:
        join_shape_reads(tree)
    rewriter = Rewriter()
    tree = rewriter.visit(tree)
    if rewriter.reads_to_canonise() and canonical_reads(tree, rewriter):
        rewriter = Rewriter()  # what the reads became rewritten as the rest (``np.dot`` of ``dot``), counted again
        tree = rewriter.visit(tree)
    if remove_dead:
        remove_dead_code(tree, rewriter.counts, rewriter.protected)
        if len(tree.body) > 1:  # a def left a relay by the dead code gone
            drop_relays(tree, callables_by_name(tree.body)[0].values(), rewriter.counts)
        local = counted_locals(*rewriter.counts[1:], keep_names)
        drop_unread_parameters(tree, rewriter.counts[0])
    else:
        local = local_names(tree, keep_names)
    spelt, headers = parameter_spellings(tree, local, by_position)
    canoniser = Canoniser(local, spelt)
    tree.body = canoniser.canonise(tree.body)
    blind_memo: dict = {}  # renaming-blind dumps of subtrees, shared: the tree does not change in between
    shape_names = shape_spellings(tree.body, local, blind_memo, canoniser.heads, spelt)
    if template_shapes:
        _strip_template(tree, template_shapes, local, blind_memo)
    tokeniser = Tokeniser(local, keep_names, headers)
    tokeniser.preset(shape_names)
    tokeniser.walk(tree.body, 1)
    return NormalisedCode(tuple(tokeniser.tokens), tuple(tokeniser.lines), True)
