"""The student kit runs on Python 3.10 (``grader.OLDEST_PYTHON``, docs/students.md): none of its
modules' regular expressions may use what ``re`` learnt in 3.11 (possessive quantifiers ``*+ ++ ?+
{m,n}+`` and atomic groups ``(?>...)``), which 3.10 refuses with "multiple repeat" when the pattern is
compiled. Two patterns of the thirty-seventh session's hostile review did, in ``extract`` and
``hints``, and a student on Ubuntu 22.04's python3 would have had a traceback where a hint was due."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import grader
from grader.kit import KIT_MODULES

GRADER = Path(grader.__file__).resolve().parent
#: Syntax of Python 3.11's ``re`` (an unescaped quantifier followed by ``+``, or ``(?>``).
NEWER = re.compile(r"(?<!\\)(?:[*+?}]\+|\(\?>)")
#: A character class (``[-*+]`` holds no quantifier): read as one character before ``NEWER`` is looked for.
CLASS = re.compile(r"\[\^?\]?(?:\\.|[^\]\\])*\]")


def _newer_syntax(source: str) -> list[tuple[int, str]]:
    """(line, text) of each string constant of ``source`` holding syntax only Python 3.11's ``re`` reads."""
    return [(node.lineno, node.value[:80]) for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
            and NEWER.search(CLASS.sub("C", node.value))]


def test_no_module_of_the_kit_uses_regular_expression_syntax_newer_than_python_3_10():
    found = {name: hits for name in KIT_MODULES
             if (hits := _newer_syntax((GRADER / name).read_text(encoding="utf-8")))}
    assert found == {}, found


def test_the_scan_sees_possessive_quantifiers_and_atomic_groups():
    # The scan itself: each 3.11 form is seen, in a plain string and in an f-string's text; the
    # same patterns without them are not.
    seen = _newer_syntax('import re\nre.compile(r"^[ \\t]*+x")\nre.compile(rf"{n}\\s++=")\n'
                         're.compile(r"(?>ab)c")\nre.compile(r"a{2,3}+")\n')
    assert sorted(line for line, _text in seen) == [2, 3, 4, 5], seen
    assert _newer_syntax('import re\nre.compile(r"^[ \\t]*x\\+")\nre.compile(r"(?:ab)+c")\n'
                         're.compile(r"^(?:[-*+]|#+)\\s+")\nre.compile(r"[A-Za-z*+\\-/]+")\n') == []


def test_a_class_run_on_python_3_10_says_it_needs_3_11(tmp_path, monkeypatch):
    """The reports' and the bonus's modules use possessive quantifiers, which 3.10's ``re`` refuses:
    a class run there ended in "re.error: multiple repeat" (thirty-seventh session's review). It is
    refused in a sentence, before anything is read or written; 3.11 and newer run."""
    import pytest

    from grader import class_run_too_old, classrun, commands
    from grader.exits import CommandError

    said = class_run_too_old((3, 10, 13, "final", 0))
    assert said.startswith("grading a class (or a Gradescope submission) needs Python 3.11 or newer") and \
        "is 3.10.13" in said and "--check, runs on 3.10" in said, said
    assert class_run_too_old((3, 11, 0, "final", 0)) is None and class_run_too_old() is None
    monkeypatch.setattr(classrun, "class_run_too_old", lambda: said)
    with pytest.raises(CommandError, match="needs Python 3.11 or newer"):
        classrun.grade_class(tmp_path / "subs", out_dir=tmp_path / "out")
    assert not (tmp_path / "out").exists()
    import grader

    monkeypatch.setattr(grader, "class_run_too_old", lambda: said)
    with pytest.raises(CommandError, match="needs Python 3.11 or newer"):
        commands.gradescope(root=tmp_path / "autograder")
