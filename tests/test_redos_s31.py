"""The two slow patterns session 30 left, and the one of the patterns added since 10c891c that
was slow, where the grader reads them; a hint's parse that stopped grading (session 31, "redos")."""
from __future__ import annotations

import json
import random
import re
import time

import pytest

from grader import feedback_html
from grader.markdown_html import MarkdownToHTML, strip_files_prefix
from grader.models import SubmissionResult
from grader.similarity.normalise import normalise_function, renaming_key

#: The pattern ``strip_files_prefix`` used for markdown until this session (the reference).
_OLD_FILES_MARKDOWN = re.compile(r"(\[[^\n]*?\]\()/?files/([^\n]*?\))")


def _notebook(tmp_path, cells):
    path = tmp_path / "hostile.ipynb"
    path.write_text(json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": cells}), "utf-8")
    return path


def test_a_link_title_repeated_by_references_does_not_stall_the_feedback_page(tmp_path):
    # A reference's title of 8,000 "[" used 31 times: 8.2 kB of markdown (under the 10,000 a
    # cell may have rendered) whose HTML is one line of 248,000 "[" (under the growth limit).
    # The links' pattern scanned the rest of the line from each "[": 62,000 cost 10 s, this
    # line minutes. The page now costs well under a second.
    source = '[r]: /u "' + "[" * 8000 + '"\n\n' + "[x][r]" * 31 + " files/\n"
    assert len(source) < feedback_html.MAX_MARKDOWN_CHARS
    html = MarkdownToHTML()(source)
    assert len(html) <= feedback_html.MARKDOWN_GROWTH * len(source) + 4096 and html.count("[") > 240_000
    path = _notebook(tmp_path, [{"cell_type": "markdown", "metadata": {}, "source": source}])
    result = SubmissionResult("mallory", str(path), "graded", 0.0, 1.0, ())
    start = time.process_time()
    page = feedback_html.feedback_page(result, notebook_path=path)
    assert time.process_time() - start < 3.0
    assert page.count('title="' + "[" * 8000 + '"') == 31  # rendered as markdown, not as text


def test_links_to_files_lose_the_prefix_as_before():
    # Controls: what Jupyter's export does, and the old pattern's result on random text.
    assert strip_files_prefix('<img src="files/a.png"> [b](/files/c.txt) [d](e) ![f](files/g)') == (
        '<img src="a.png"> [b](c.txt) [d](e) ![f](g)')
    assert strip_files_prefix("[a](files/b\n) [c](files/d)") == "[a](files/b\n) [c](d)"
    atoms = ["[", "]", "(", ")", "/", "files/", "](", "](files/", "](/files/", "\n", "a", " ", "f", "\r", "//files/"]
    rng = random.Random(31)
    changed = 0
    for _ in range(20_000):
        text = "".join(rng.choice(atoms) for _ in range(rng.randint(0, 30)))
        want = _OLD_FILES_MARKDOWN.sub(r"\1\2", text)
        assert strip_files_prefix(text) == want, text
        changed += want != text
    assert changed > 1000


def _desynced(lines: int) -> str:
    # Parseable: Python ends the comment at the carriage return and reads a triple-quoted
    # string; the key's patterns read the comment to the line feed, then the string's lines
    # as code, where each \''' opens a string never closed.
    return 'def f(x):\n    #\r    s = """\n' + "\\'''\n" * lines + '"""\n    return x\n'


def test_a_carriage_return_gets_no_renaming_key_and_costs_little():
    source = _desynced(20_000)
    compile(source, "<cell>", "exec")
    assert len(source) > 100_000
    start = time.process_time()
    assert renaming_key(source) is None  # 15 s at this size before
    assert time.process_time() - start < 3.0


def test_code_after_a_carriage_return_is_not_taken_for_a_comment():
    # The two differ after "#\r": their keys were equal, so a cache by key gave one the other's tokens.
    plus, minus = ("def f(x):\n    #\r    return x %s 1\n" % op for op in "+-")
    assert normalise_function(plus).tokens != normalise_function(minus).tokens
    assert renaming_key(plus) is None and renaming_key(minus) is None
    # Controls: sources without one are keyed as before (a renamed copy keys the same).
    one = renaming_key("def f(a, b):\n    c = a + b  # sum\n    return c\n")
    two = renaming_key("def f(x, y):\n    z = x + y\n\n    return z\n")
    assert one is not None and one.text == two.text and one.lines == (1, 2, 3) and two.lines == (1, 2, 4)


def test_extraction_gives_the_similarity_check_no_carriage_return(tmp_path):
    # Where the grader reads it: the notebook's cell holds the desynchronising source; the
    # function the similarity check compares is extracted with its line ends made "\n", so
    # its key is read in step (quickly, as before this session).
    from grader.similaritystage import function_sources

    source = _desynced(15_000)
    path = _notebook(tmp_path, [{"cell_type": "code", "metadata": {}, "execution_count": 1, "outputs": [],
                                 "source": source}])
    extracted = function_sources(path)["f"]
    assert "\r" not in extracted and extracted.count("\\'''") == 15_000
    start = time.process_time()
    key = renaming_key(extracted)
    assert time.process_time() - start < 3.0
    assert key is not None and key.text.count("\\'''") == 15_000  # one string literal, verbatim


#: The pattern ``feedback_html.prose`` found code spans with until this session (the reference).
_OLD_CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)")


def test_a_hint_quoting_runs_of_backticks_is_shown_in_linear_time():
    # A line of the student's, np.concatenate(<string>, xt), is quoted by the hint for arrays
    # joined as separate arguments; its string holds runs of 1, 2, ... 439 backticks: the first
    # closes the hint's own span, none of the others is closed. The code-span pattern scanned
    # the rest of the line from each run: 0.3 s a case's sentence, and every failing case has
    # one (24 in the rubric; 30 sentences 9 s).
    import types

    import numpy as np

    from grader import hints

    runs = "".join("`" * k + "a" for k in range(1, 440))
    try:
        np.concatenate(runs, np.zeros(3))
    except TypeError as exc:
        outcome = types.SimpleNamespace(error_type="TypeError", message=str(exc))
    hint = hints.numpy_call_hint(outcome, f'    concat = np.concatenate("{runs}", xt)')
    assert runs in hint and len(hint) > 95_000
    message = f"Raised TypeError: {outcome.message} (cell 3 (In [2]), line 7). {hint}"
    start = time.process_time()
    shown = [feedback_html.prose(message) for _case in range(30)]
    assert time.process_time() - start < 3.0
    # as before, the string now quoted with the student's own double quote (thirty-fifth session)
    assert shown[0].count("<code>") == 2 and "<code>np.concatenate((&quot;</code>a``a```a" in shown[0]


def test_code_spans_are_shown_as_before():
    import html

    assert feedback_html.prose("Use `np.dot(Waa, a_prev)`, not ``a`b``; <x> & `y`") == (
        "Use <code>np.dot(Waa, a_prev)</code>, not <code>a`b</code>; &lt;x&gt; &amp; <code>y</code>")
    assert feedback_html.prose("`a\nb` ``c`") == "`a\nb<code> ``c</code>"  # a span stays on its line
    atoms = ["`", "``", "```", "a", " ", "\n", "<", "&", "x`", "`x", "\r"]
    rng = random.Random(31)
    spans = 0
    for _ in range(30_000):
        text = "".join(rng.choice(atoms) for _ in range(rng.randint(0, 16)))
        want = _OLD_CODE_SPAN.sub(lambda m: f"<code>{m.group(2)}</code>", html.escape(text))
        assert feedback_html.prose(text) == want, text
        spans += "<code>" in want
    assert spans > 5000


_RIGHT = "a_next = np.tanh(np.dot(Waa, a_prev) + np.dot(Wax, xt) + ba)"


@pytest.mark.parametrize("line, hinted", [
    # Found fuzzing the hints: a line too deep for ast.parse (10,000 unary "+", inside an
    # f-string whose expression raises on that line, so the function parses) or for
    # ast.unparse (1,500 "-"): MemoryError or RecursionError stopped grade_submission.
    ('s = f"""\n{np.concatenate(a_prev, xt)} ' + "+" * 20_000 + '1\n"""\n    ' + _RIGHT, False),
    # Quoted as written since the thirty-fifth session (no ast.unparse to recurse): hinted.
    ("a_next = np.concatenate(" + "-" * 1500 + "a_prev, xt)", True),
    ("a_next = np.concatenate(a_prev, xt)", True),  # control: the hint as before
])
def test_a_line_too_deep_for_the_parser_gets_no_hint_and_is_graded(tmp_path, context, sandbox, line, hinted):
    from grader.runner import grade_submission
    from tests import notebooks as nbs

    path = nbs.write(tmp_path / "student.ipynb", nbs.course_notebook(nbs.mutate("rnn_cell_forward", _RIGHT, line)))
    case = grade_submission(path, context=context, sandbox=sandbox).part("rnn_cell_forward").cases[0]
    assert case.status == "error" and case.message.startswith("Raised TypeError"), case.message
    assert ("takes the arrays to join in one tuple" in case.message) == hinted, case.message
