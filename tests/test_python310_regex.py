"""The grader runs on Python 3.10 (``grader.OLDEST_PYTHON``, pyproject's requires-python,
docs/students.md): none of its regular expressions may use what ``re`` learnt in 3.11 (possessive
quantifiers ``*+ ++ ?+ {m,n}+`` and atomic groups ``(?>...)``), which 3.10 refuses with "multiple
repeat" when the pattern is compiled. Two patterns of the thirty-seventh session's hostile review
did, in the student kit's ``extract`` and ``hints`` (a student on Ubuntu 22.04's python3 would have
had a traceback where a hint was due), and five of the reports' and the bonus's since 2026-11-26 (a
class run on 3.10 ended in ``re.error``). A run that must be read whole is read atomically with
``(?=(X*))\\1``, which every version reads as ``X*+``."""
from __future__ import annotations

import ast
import itertools
import re
import sys
from pathlib import Path

import pytest

import grader
from tests.patterns import assert_same_matches

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


def test_no_module_of_the_grader_uses_regular_expression_syntax_newer_than_python_3_10():
    found = {str(path.relative_to(GRADER)): hits for path in sorted(GRADER.rglob("*.py"))
             if (hits := _newer_syntax(path.read_text(encoding="utf-8")))}
    assert found == {}, found


def test_the_scan_sees_possessive_quantifiers_and_atomic_groups():
    # The scan itself: each 3.11 form is seen, in a plain string and in an f-string's text; the
    # same patterns without them are not.
    seen = _newer_syntax('import re\nre.compile(r"^[ \\t]*+x")\nre.compile(rf"{n}\\s++=")\n'
                         're.compile(r"(?>ab)c")\nre.compile(r"a{2,3}+")\n')
    assert sorted(line for line, _text in seen) == [2, 3, 4, 5], seen
    assert _newer_syntax('import re\nre.compile(r"^[ \\t]*x\\+")\nre.compile(r"(?:ab)+c")\n'
                         're.compile(r"^(?:[-*+]|#+)\\s+")\nre.compile(r"[A-Za-z*+\\-/]+")\n') == []


@pytest.mark.skipif(sys.version_info < (3, 11), reason="the possessive patterns compared with need Python 3.11")
def test_the_patterns_read_atomically_match_as_the_possessive_ones_did():
    from grader.imdb import claims, outputs

    assert_same_matches(re.compile(r"\A(?:\s*+(?:%\s*+)?(?:test\s++|validation\s++)?acc)", re.I),
                        re.compile(r"\A(?:" + claims._ACC_AFTER.pattern + ")", re.I),
                        [" ", "%", "test", "validation", "acc", "\n", "x"], most=4)
    assert_same_matches(re.compile(r"\A(?:\s*+(?:%\s*+)?(?:epoch|layer|unit|word))", re.I),
                        re.compile(r"\A(?:" + claims._COUNT_AFTER.pattern + ")", re.I),
                        [" ", "%", "epoch", "word", "\n", "x"], most=4)
    old = re.compile(r"\W*+[\w() -]{1,40}?\W{0,4}\s*+(\d*+\.\d+|\d{1,3}(?:\.\d+)?\s*%)\s*+")
    pieces = [" ", ":", "(", "-", "LSTM", "x", "0", ".85", "85", "%", "\t", "="]
    for n in range(1, 5):
        for parts in itertools.product(pieces, repeat=n):
            text = "".join(parts)
            then, now = old.fullmatch(text), outputs._LABEL_NUMBER.fullmatch(text)
            assert (then and then.group(1)) == (now and now["number"]), repr(text)


def test_a_label_and_number_line_of_long_blank_runs_costs_little():
    """Read greedily, 2,000 spaces before "LSTM x" took 13 s (thirty-fourth session); read
    atomically as it was possessively, a line of 20,000 characters is read in a blink."""
    from grader.imdb import outputs
    from tests.cpu import cpu_budget

    with cpu_budget(1.0):
        for line in (" " * 20_000 + "LSTM x", "LSTM" + " " * 20_000 + "x", "(" * 10_000 + "LSTM: 0.85" + " " * 10_000):
            outputs._LABEL_NUMBER.fullmatch(line)
    assert outputs._LABEL_NUMBER.fullmatch("LSTM: 0.85")["number"] == "0.85"


def test_a_tag_name_is_read_whole_in_linear_time():
    """feedback_html's ``_MARKUP`` reads a tag's name whole (``(?=([^...]*))\\5``). Read greedily (a
    first version of this session's 3.10 rewrite), each ``<a`` of a run of them gave its name back
    one character at a time: 40,000 characters 11 s of CPU against 0.6 s possessively."""
    from grader import feedback_html
    from tests.cpu import cpu_budget

    text = "<a" * 10_000
    with cpu_budget(1.5):
        found = sum(1 for _ in feedback_html._MARKUP.finditer(text))
    assert found == 10_000


@pytest.mark.skipif(sys.version_info < (3, 11), reason="the possessive pattern compared with needs Python 3.11")
def test_a_tag_name_read_atomically_matches_as_the_possessive_one_did():
    import random

    from grader import feedback_html

    new = feedback_html._MARKUP
    start = new.pattern.index("|[A-Za-z](?=(")
    end = new.pattern.index(")\\5", start) + 3
    old = re.compile(new.pattern[:start] + "|[A-Za-z][^" + feedback_html._WS + "/>]*+" + new.pattern[end:], new.flags)
    pieces = ["<", "a", "b", " ", "/", ">", "=", '"', "x", "!--", "script", "\t"]
    rng = random.Random(37)
    for _ in range(20_000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 9)))
        then = [(m.span(), m.groups()) for m in old.finditer(text)]
        now = [(m.span(), m.groups()[:4] + m.groups()[5:]) for m in new.finditer(text)]
        assert then == now, repr(text)
