"""A copy that reads its values otherwise than its original, against the similarity check
(thirty-second session, ``rewrite.canonical_reads`` and ``_split``).

Each case is a classmate's function (the course's code) graded in full, with the way it reads its
parameters or NumPy respelled; its score against the classmate at bcd1399 is in the comment (no
pair: no fingerprint shared). Each is flagged now, and scores 1.0.
"""
from __future__ import annotations

import pytest

from grader.similarity.normalise import normalise_function
from tests import notebooks as nbs
from tests.copies import flagged_against_classmate, graded_copy

_CELL = nbs.COURSE_CELLS["rnn_cell_forward"]
_LOOKUPS = ('    Wax = parameters["Wax"]\n    Waa = parameters["Waa"]\n    Wya = parameters["Wya"]\n'
            '    ba = parameters["ba"]\n    by = parameters["by"]\n')
_MATHS = ("    a_next = np.tanh(np.dot(Waa, a_prev) + np.dot(Wax, xt) + ba)\n"
          "    yt_pred = softmax(np.dot(Wya, a_next) + by)\n")
_INLINED = ('    a_next = np.tanh(np.dot(parameters["Waa"], a_prev) + np.dot(parameters["Wax"], xt) + parameters["ba"])\n'
            '    yt_pred = softmax(np.dot(parameters["Wya"], a_next) + parameters["by"])\n')
_BACKWARD = nbs.COURSE_CELLS["rnn_cell_backward"]
_GRADIENTS = ('dxt, da_prevt, dWaxt, dWaat, dbat = gradients["dxt"], gradients["da_prev"], gradients["dWax"], '
              'gradients["dWaa"], gradients["dba"]')


def _cell(old: str, new: str, *, function: str = "rnn_cell_forward") -> dict[str, str]:
    source = nbs.COURSE_CELLS[function]
    assert old in source, old
    return {function: source.replace(old, new, 1)}


#: function -> its cell, per case (score at bcd1399, graded, against the classmate).
CASES = {
    # One lookup written where its local was read (0.05).
    "one_lookup_inlined": {"rnn_cell_forward": _CELL.replace('    Wax = parameters["Wax"]\n', "").replace(
        "np.dot(Wax, xt)", 'np.dot(parameters["Wax"], xt)')},
    # Every lookup in place (no pair).
    "every_lookup_inlined": {"rnn_cell_forward": _CELL.replace(_LOOKUPS, "").replace(
        _MATHS.splitlines()[0], _INLINED.splitlines()[0]).replace(_MATHS.splitlines()[1], _INLINED.splitlines()[1])},
    # ``parameters.get("Wax")`` for each lookup (no pair).
    "get": {"rnn_cell_forward": _CELL.replace('parameters["', 'parameters.get("').replace('"]\n', '")\n')},
    # The five lookups as one tuple assignment, or a comprehension (no pair).
    "one_tuple": _cell(_LOOKUPS, '    Wax, Waa, Wya, ba, by = parameters["Wax"], parameters["Waa"], parameters["Wya"], '
                       'parameters["ba"], parameters["by"]\n'),
    "comprehension": _cell(_LOOKUPS, '    Wax, Waa, Wya, ba, by = [parameters[k] for k in ("Wax", "Waa", "Wya", "ba", "by")]\n'),
    # Thirty-sixth session: a ``map`` of the lookups (0.00 on main, aa62e07).
    "map_get": _cell(_LOOKUPS, '    Wax, Waa, Wya, ba, by = map(parameters.get, ("Wax", "Waa", "Wya", "ba", "by"))\n'),
    "map_lambda": _cell(_LOOKUPS, '    Wax, Waa, Wya, ba, by = map(lambda k: parameters[k], ("Wax", "Waa", "Wya", "ba", "by"))\n'),
    # The parameters under another name (0.25).
    "parameters_aliased": _cell(_LOOKUPS, "    p = parameters\n" + _LOOKUPS.replace("parameters[", "p[")),
    # ``tanh`` imported bare in another cell (0.41), through a local alias (0.30), ``dot`` too (0.21).
    "tanh_imported": {"rnn_cell_forward": "from numpy import tanh\n\n" + _CELL.replace("np.tanh(", "tanh(")},
    "tanh_aliased": {"rnn_cell_forward": _CELL.replace(_LOOKUPS, "    t = np.tanh\n" + _LOOKUPS).replace("np.tanh(", "t(")},
    "dot_imported": {"rnn_cell_forward": "from numpy import dot, tanh\n\n"
                     + _CELL.replace("np.tanh(", "tanh(").replace("np.dot(", "dot(")},
    # Thirty-seventh session: a key held in a name (0.18 on main, f03c756), or every key (no pair).
    "key_in_a_name": _cell('    Wax = parameters["Wax"]\n', '    k = "Wax"\n    Wax = parameters[k]\n'),
    "every_key_in_a_name": _cell(_LOOKUPS, "".join(f'    k_{n} = "{n}"\n' for n in ("Wax", "Waa", "Wya", "ba", "by"))
                                 + _LOOKUPS.replace('["Wax"]', "[k_Wax]").replace('["Waa"]', "[k_Waa]").replace(
                                     '["Wya"]', "[k_Wya]").replace('["ba"]', "[k_ba]").replace('["by"]', "[k_by]")),
    # Thirty-eighth session (main 164839a): the ``map`` of the lookups made a list first (no pair), one
    # lookup so and indexed (0.44); ``dict.get`` or ``dict.__getitem__`` called on the parameters (0.48 for
    # one lookup, no pair for every one).
    "list_of_map_get": _cell(_LOOKUPS, '    Wax, Waa, Wya, ba, by = list(map(parameters.get, ("Wax", "Waa", "Wya", "ba", "by")))\n'),
    "tuple_of_map_lambda": _cell(_LOOKUPS, '    Wax, Waa, Wya, ba, by = tuple(map(lambda k: parameters[k], '
                                 '["Wax", "Waa", "Wya", "ba", "by"]))\n'),
    "list_of_map_indexed": _cell('    Wax = parameters["Wax"]\n', '    Wax = list(map(parameters.get, ["Wax"]))[0]\n'),
    "map_indexed_each": _cell(_LOOKUPS, "".join(f'    {n} = list(map(parameters.get, ("Wax", "Waa", "Wya", "ba", "by")))[{i}]\n'
                                                for i, n in enumerate(("Wax", "Waa", "Wya", "ba", "by")))),
    "dict_get_called": _cell('parameters["Wax"]', 'dict.get(parameters, "Wax")'),
    "every_dict_get_called": _cell(_LOOKUPS, _LOOKUPS.replace('parameters["', 'dict.get(parameters, "').replace('"]\n', '")\n')),
    "dict_getitem_called": _cell(_LOOKUPS, _LOOKUPS.replace('parameters["', 'dict.__getitem__(parameters, "').replace(
        '"]\n', '")\n')),
}
#: The same in the backward functions: ``rnn_cell_backward`` reading the parameters it unpacks
#: from ``cache`` in place (0.35), and ``rnn_backward`` reading the gradients by a comprehension (0.63).
BACKWARD = {
    "backward_lookups_inlined": ("rnn_cell_backward", {"rnn_cell_backward": _BACKWARD.replace(
        '    Wax = parameters["Wax"]\n', "").replace('    Waa = parameters["Waa"]\n', "").replace(
        "np.dot(Wax.T", 'np.dot(parameters["Wax"].T').replace("np.dot(Waa.T", 'np.dot(parameters["Waa"].T')}),
    "gradients_by_comprehension": ("rnn_backward", _cell(_GRADIENTS, 'dxt, da_prevt, dWaxt, dWaat, dbat = [gradients[k] for k in '
                                                         '("dxt", "da_prev", "dWax", "dWaa", "dba")]', function="rnn_backward")),
}


@pytest.mark.parametrize("how", sorted(CASES))
def test_a_copy_reading_otherwise_is_flagged(tmp_path, context, sandbox, how):
    _path, _result, text = graded_copy(tmp_path, how, CASES[how]["rnn_cell_forward"], context=context, sandbox=sandbox)
    report = flagged_against_classmate(tmp_path, how, text)
    assert report.pairs[0].overall == 1.0, report.pairs


@pytest.mark.parametrize("how", sorted(BACKWARD))
def test_a_backward_copy_reading_otherwise_is_flagged(tmp_path, context, sandbox, how):
    function, cells = BACKWARD[how]
    _path, _result, text = graded_copy(tmp_path, how, cells[function], context=context, sandbox=sandbox,
                                       function=function)
    report = flagged_against_classmate(tmp_path, how, text, function=function)
    assert report.pairs[0].overall == 1.0, report.pairs


def _tokens(source: str) -> tuple[str, ...]:
    return normalise_function(source).tokens


_HEAD = "def f(xt, parameters):\n"


def test_what_reads_otherwise_is_kept():
    """A lookup of a dict the def writes, ``.get`` with a default, a lookup by a key that is not a
    constant, a name the text binds (its own ``tanh``), a name assigned twice and a swap of two names
    are not what they look like: each keeps its own tokens."""
    held = _HEAD + '    W = parameters["W"]\n    return W @ xt\n'
    assert _tokens(_HEAD + '    return parameters["W"] @ xt\n') == _tokens(held)
    assert _tokens(_HEAD + '    parameters["W"] = xt\n    return parameters["W"] @ xt\n') != _tokens(
        _HEAD + '    parameters["W"] = xt\n    W = parameters["W"]\n    return W @ xt\n')
    assert _tokens(_HEAD + '    return parameters.get("W", 0) @ xt\n') != _tokens(held)
    assert _tokens(_HEAD + '    return parameters.get("W") @ xt\n') == _tokens(held)
    assert _tokens(_HEAD + '    return parameters.get("W", None) @ xt\n') == _tokens(held)  # thirty-seventh session
    # Read for its size, a lookup stays in place (the course's ``*_forward`` read ``parameters["Wya"].shape``).
    assert _tokens(_HEAD + '    n = parameters["W"].shape\n    return n\n') != _tokens(
        _HEAD + '    W = parameters["W"]\n    n = W.shape\n    return n\n')
    own = "def tanh(z):\n    return z * 2\n\n\n"
    assert _tokens(own + _HEAD + "    return tanh(xt)\n") != _tokens(own + _HEAD + "    return np.tanh(xt)\n")
    assert _tokens(_HEAD + "    return tanh(xt)\n") == _tokens(_HEAD + "    return np.tanh(xt)\n")
    twice = _HEAD + "    p = parameters\n    p = xt\n    return p\n"
    assert _tokens(twice) != _tokens(_HEAD + "    return xt\n")
    assert _tokens(_HEAD + "    a, b = xt, parameters\n    a, b = b, a\n    return a - b\n") != _tokens(
        _HEAD + "    return parameters - xt\n")
    assert _tokens(_HEAD + "    a, b = xt, parameters\n    return a - b\n") == _tokens(_HEAD + "    return xt - parameters\n")
    # A key held in a name bound once is the key; bound twice, or to another constant, it stays.
    assert _tokens(_HEAD + '    k = "W"\n    return parameters[k] @ xt\n') == _tokens(held)
    assert _tokens(_HEAD + '    k = "W"\n    k = "V"\n    return parameters[k] @ xt\n') != _tokens(held)
    assert _tokens(_HEAD + '    k = 0\n    return parameters[k] @ xt\n') != _tokens(_HEAD + "    return parameters[0] @ xt\n")
    # A ``map`` of another function, over keys that are not constants, or as many keys as names no
    # more, stays (thirty-sixth session).
    pair = _HEAD + '    a, b = parameters["a"], parameters["b"]\n    return a @ b + xt\n'
    assert _tokens(_HEAD + '    a, b = map(parameters.get, ("a", "b"))\n    return a @ b + xt\n') == _tokens(pair)
    for other in ('map(parameters.pop, ("a", "b"))', 'map(lambda k: parameters[k] + 1, ("a", "b"))',
                  'map(parameters.get, (xt, "b"))', 'map(parameters.get, ("a", "b", "c"))',
                  'map(lambda k, j=1: parameters[k], ("a", "b"))'):
        assert _tokens(_HEAD + f"    a, b = {other}\n    return a @ b + xt\n") != _tokens(pair), other


#: A NumPy function named otherwise at the notebook's top level, outside the copied def: in the
#: imports cell, a cell of its own, or the def's cell (score on main before the fix, no flag).
_OUTSIDE = {
    # ``t = np.tanh`` in a cell of its own (0.41).
    "tanh_aliased_in_another_cell": ("t = np.tanh\n", "np.tanh(", "t("),
    # ``from numpy import tanh as th`` in a cell of its own (0.41).
    "tanh_imported_as_in_another_cell": ("from numpy import tanh as th\n", "np.tanh(", "th("),
    # ``d = numpy.dot`` (0.23).
    "dot_aliased_in_another_cell": ("import numpy\nd = numpy.dot\n", "np.dot(", "d("),
}


@pytest.mark.parametrize("how", sorted(_OUTSIDE))
def test_a_numpy_alias_bound_outside_the_copy_is_read_as_numpy(tmp_path, context, sandbox, how):
    setup, old, new = _OUTSIDE[how]
    _path, _result, text = graded_copy(tmp_path, how, _CELL.replace(old, new), context=context, sandbox=sandbox,
                                       extra_cells=[nbs.code_cell(setup)])
    report = flagged_against_classmate(tmp_path, how, text)
    assert report.pairs[0].overall == 1.0, report.pairs


def test_an_alias_in_the_functions_own_cell_is_read_as_numpy(tmp_path, context, sandbox):
    # Outside the def, in its cell: the extracted source is the def alone (0.41 on main).
    cell = "t = np.tanh\n\n" + _CELL.replace("np.tanh(", "t(")
    _path, _result, text = graded_copy(tmp_path, "same_cell", cell, context=context, sandbox=sandbox)
    assert flagged_against_classmate(tmp_path, "same_cell", text).pairs[0].overall == 1.0


def _aliases_of(tmp_path, *cells: str) -> dict[str, str]:
    from grader.extract import extract_file

    path = nbs.write(tmp_path / "aliases.ipynb", nbs.course_notebook(extra_cells=[nbs.code_cell(c) for c in cells]))
    return extract_file(path).numpy_aliases()


def test_only_names_bound_last_to_a_numpy_function_are_aliases(tmp_path):
    assert _aliases_of(tmp_path, "t = np.tanh\nimport numpy as npy\nd = npy.dot\nfrom numpy import exp as e\n") == {
        "t": "tanh", "d": "dot", "e": "exp", "npy": ""}  # NumPy itself: ``""`` (thirty-fourth session)
    # Another module's, imported under its own name from NumPy itself (the normaliser reads a bare
    # ``tanh`` as NumPy's already), a module, not a function: none is an alias.
    assert _aliases_of(tmp_path, "import math\nm = math.tanh\nfrom numpy import tanh\nc = 3\nimport numpy.linalg\n") == {}
    # NumPy's modules under a name (thirty-fourth session: ``la.multi_dot`` scored 0.33), a function's
    # own name imported bare from a module of NumPy's but not from NumPy itself (read as NumPy's already).
    assert _aliases_of(tmp_path, "import numpy.linalg as la\nfrom numpy import linalg\nfrom numpy import random as r\n"
                       "import numpy.random.mtrand as mt\n") == {
        "la": "linalg", "linalg": "linalg", "r": "random", "mt": "random.mtrand"}
    assert _aliases_of(tmp_path, "from numpy import linalg\n", "linalg = 3\n") == {}
    # Deeper than one attribute (thirty-third session): NumPy's modules spell it.
    assert _aliases_of(tmp_path, "r = np.random.randn\nfrom numpy.linalg import multi_dot\n"
                       "from numpy.linalg import norm as n\n") == {
        "r": "random.randn", "multi_dot": "linalg.multi_dot", "n": "linalg.norm"}
    # Bound again: the program the grader runs holds the last binding, so that is what is read:
    # a definition (constant, def) after any import, else the last import (thirty-third session:
    # an import and a constant, or two imports, gave no alias, and a copy reading it 0.41).
    assert _aliases_of(tmp_path, "t = np.tanh\n", "t = np.exp\n") == {"t": "exp"}
    assert _aliases_of(tmp_path, "from numpy import exp as t\n", "t = np.tanh\n") == {"t": "tanh"}
    assert _aliases_of(tmp_path, "t = np.tanh\n", "from numpy import exp as t\n") == {"t": "exp"}  # the constant dropped
    assert _aliases_of(tmp_path, "from numpy import exp as t\nfrom numpy import tanh as t\n") == {"t": "tanh"}
    assert _aliases_of(tmp_path, "t = np.tanh\n", "def t(z):\n    return z\n") == {}
    assert _aliases_of(tmp_path, "from numpy import tanh as t\n", "t = 3\n") == {}


_MULTI_DOT = _CELL.replace("np.dot(Waa, a_prev)", "np.linalg.multi_dot([Waa, a_prev])")
#: A classmate's function reading a function of NumPy's modules (``np.linalg.multi_dot``), copied
#: through a name bound elsewhere (score against the classmate on main: all 0.33), and ``tanh`` named
#: by an import and a constant (0.41). Cells: (the copy's, the notebook's others).
_BOUND_ELSEWHERE = {
    "deep_aliased": (_MULTI_DOT.replace("np.linalg.multi_dot(", "md("), ["md = np.linalg.multi_dot\n"]),
    "deep_imported": (_MULTI_DOT.replace("np.linalg.multi_dot(", "multi_dot("), ["from numpy.linalg import multi_dot\n"]),
    "deep_imported_as": (_MULTI_DOT.replace("np.linalg.multi_dot(", "md("), ["from numpy.linalg import multi_dot as md\n"]),
    "deep_imported_in_its_cell": ("from numpy.linalg import multi_dot\n\n"
                                  + _MULTI_DOT.replace("np.linalg.multi_dot(", "multi_dot("), []),
    "imported_then_assigned": (_CELL.replace("np.tanh(", "th("), ["from numpy import tanh as th\n", "th = np.tanh\n"]),
    # A module of NumPy's bound by a name (thirty-fourth session: each 0.33, not flagged).
    "module_imported_as": (_MULTI_DOT.replace("np.linalg.", "la."), ["import numpy.linalg as la\n"]),
    "module_imported_as_in_its_cell": ("import numpy.linalg as la\n\n" + _MULTI_DOT.replace("np.linalg.", "la."), []),
    "module_imported_from_numpy": (_MULTI_DOT.replace("np.linalg.", "linalg."), ["from numpy import linalg\n"]),
    "module_imported_from_numpy_in_its_cell": ("from numpy import linalg\n\n" + _MULTI_DOT.replace("np.linalg.", "linalg."),
                                               []),
}


@pytest.mark.parametrize("how", sorted(_BOUND_ELSEWHERE))
def test_a_numpy_function_bound_elsewhere_is_read_as_numpy(tmp_path, context, sandbox, how):
    from grader.similarity import find_similar

    cell, others = _BOUND_ELSEWHERE[how]
    _path, _result, text = graded_copy(tmp_path, how, cell, context=context, sandbox=sandbox,
                                       extra_cells=[nbs.code_cell(c) for c in others])
    original = _CELL if how == "imported_then_assigned" else _MULTI_DOT
    _path, _result, classmate = graded_copy(tmp_path, "classmate", original, context=context, sandbox=sandbox)
    report = find_similar({how: {"rnn_cell_forward": text}, "classmate": {"rnn_cell_forward": classmate}})
    assert [(p.a, p.b, p.flagged, p.overall) for p in report.pairs] == [(how, "classmate", True, 1.0)], report.pairs


def test_a_text_reading_no_alias_is_compared_as_before(tmp_path):
    from grader.extract import extract_file
    from grader.gradedsource import graded_source

    path = nbs.write(tmp_path / "aliases.ipynb", nbs.course_notebook(extra_cells=[nbs.code_cell("t = np.tanh\n")]))
    extraction = extract_file(path)
    aliases = extraction.numpy_aliases()
    assert aliases == {"t": "tanh"}
    for name in nbs.COURSE_CELLS:
        before = graded_source(extraction.functions, name, graded=list(nbs.COURSE_CELLS))
        assert graded_source(extraction.functions, name, graded=list(nbs.COURSE_CELLS), aliases=aliases) == before


_HEAD = "def rnn_cell_forward(xt, a_prev, parameters):\n"
#: NumPy itself (or one of its modules) under a name of the copier's (thirty-fourth session; the score
#: against the classmate on main in the comment). Cells: (the copy's, the notebook's others, the original's).
_NUMPY_RENAMED = {
    # ``import numpy as npy`` in another cell, then ``npy.tanh``, ``npy.dot`` (0.18).
    "numpy_renamed": (_CELL.replace("np.", "npy."), ["import numpy as npy\n"], _CELL),
    # The same import in the function's own cell (0.18), or in the def (0.20).
    "numpy_renamed_in_its_cell": ("import numpy as npy\n\n" + _CELL.replace("np.", "npy."), [], _CELL),
    "numpy_renamed_in_the_def": (_CELL.replace(_HEAD, _HEAD + "    import numpy as npy\n").replace("np.", "npy."),
                                 [], _CELL),
    # ``import numpy as np`` again in the def, as honest students write it too (0.50).
    "numpy_imported_in_the_def": (_CELL.replace(_HEAD, _HEAD + "    import numpy as np\n"), [], _CELL),
    # A module of NumPy's imported in the def (0.22; from another cell it is an alias, above).
    "linalg_imported_in_the_def": (_MULTI_DOT.replace(_HEAD, _HEAD + "    import numpy.linalg as la\n").replace(
        "np.linalg.", "la."), [], _MULTI_DOT),
}


@pytest.mark.parametrize("how", sorted(_NUMPY_RENAMED))
def test_numpy_under_a_name_of_the_copiers_is_read_as_numpy(tmp_path, context, sandbox, how):
    from grader.similarity import find_similar

    cell, others, original = _NUMPY_RENAMED[how]
    _path, _result, text = graded_copy(tmp_path, how, cell, context=context, sandbox=sandbox,
                                       extra_cells=[nbs.code_cell(c) for c in others])
    _path, _result, classmate = graded_copy(tmp_path, "classmate", original, context=context, sandbox=sandbox)
    report = find_similar({how: {"rnn_cell_forward": text}, "classmate": {"rnn_cell_forward": classmate}})
    assert [(p.a, p.b, p.flagged, p.overall) for p in report.pairs] == [(how, "classmate", True, 1.0)], report.pairs
