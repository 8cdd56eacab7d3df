"""Review of the fourth session's changes (7843f5f..): attacks by a hostile student.

Tests marked ``xfail(strict=True)`` demonstrate a hole that exists now (the test asserts the
safe behaviour and fails); the others pin properties that held under attack and that the
existing tests did not cover. Each test says what the attack is and why it matters.
"""
from __future__ import annotations

import json
import random
import textwrap

import pytest

from grader.feedback_html import _cleaner, is_plain_markup, sanitize_html, write_feedback_html
from grader.report import write_submission_record
from grader.runner import grade_submission
from grader.sandbox import Limits, Sandbox
from tests import notebooks as nbs


@pytest.fixture(scope="module")
def sandbox():
    """One sandbox for the module."""
    with Sandbox(limits=Limits(call_timeout=5.0, submission_timeout=60.0)) as sb:
        yield sb


def _utf8_ok(text: str) -> bool:
    """Whether ``text`` can be written as UTF-8 (no lone surrogate)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


# ------------------------------------------------------------------ strings from the child


def test_strings_from_the_child_are_utf8_writable(sandbox):
    """The child's outcome header is JSON; ``"\\ud800"`` decodes to a lone surrogate, which no
    file written as UTF-8 can hold. Both a forged header and an honest exception whose message
    holds one (``raise ValueError('\\ud800')``) must come out as writable text."""
    program = """
        import os, json, time
        def honest():
            raise ValueError("bad \\ud800 value")
        def forged():
            head = json.dumps({"kind": "outcome", "status": "error", "aliases": [], "error_type": "E\\udc00",
                               "message": "forged \\ud800", "frames": [], "seq": 2}).encode()
            os.write(3, len(head).to_bytes(8, "big") + head)
            time.sleep(5)
    """
    with sandbox.session(textwrap.dedent(program), filename="attack.py") as s:
        honest = s.call("honest", ())
    with sandbox.session(textwrap.dedent(program), filename="attack.py") as s:
        forged = s.call("forged", (), timeout=2.0)
    assert honest.status == "error" and forged.status == "error"
    for outcome in (honest, forged):
        assert _utf8_ok(outcome.message) and _utf8_ok(outcome.error_type), outcome


def test_a_surrogate_in_a_students_exception_does_not_break_the_record(tmp_path, context, sandbox):
    body = nbs.COURSE_CELLS["rnn_cell_forward"].replace(
        "    # Retrieve parameters", "    raise ValueError('bad \\ud800 value')\n    # Retrieve parameters", 1)
    path = tmp_path / "sur.ipynb"
    path.write_text(json.dumps(nbs.course_notebook({"rnn_cell_forward": body})))  # \ud800 as a JSON escape
    result = grade_submission(path, context=context, sandbox=sandbox)
    assert result.part("rnn_cell_forward").points == 0
    folder = tmp_path / "out"
    folder.mkdir()
    write_submission_record(result, folder)  # raises UnicodeEncodeError now
    assert (folder / "feedback.md").is_file()


def test_infinity_in_a_forged_header_is_bad_output_not_an_exception(sandbox):
    program = """
        import os, time
        def forged():
            head = (b'{"kind":"outcome","status":"error","aliases":[],"error_type":"E","message":"m",'
                    b'"frames":[[Infinity,"f"]],"seq":2}')
            os.write(3, len(head).to_bytes(8, "big") + head)
            time.sleep(5)
    """
    with sandbox.session(textwrap.dedent(program), filename="attack.py") as s:
        outcome = s.call("forged", (), timeout=2.0)  # raises OverflowError now
    assert outcome.status == "bad_output" and outcome.error_type == "ProtocolError"


# ------------------------------------------------------------------ hidden cases


def test_hidden_inputs_do_not_reach_the_feedback_through_a_later_public_case(tmp_path, context, sandbox):
    """rnn_cell_forward writes a digest of every input it gets into a file of its directory;
    rnn_forward (graded next, in the same child) raises with that file in its message and
    prints it: its public case fails, and a failed public case shows message and output."""
    from solution.setups import BUILDERS

    cell = nbs.COURSE_CELLS["rnn_cell_forward"].replace(
        "    # Retrieve parameters",
        "    open('seen.txt', 'a').write('%r\\n' % (float(xt.sum()),))\n    # Retrieve parameters", 1)
    forward = nbs.COURSE_CELLS["rnn_forward"].replace(
        "    caches = []",
        "    import os\n"
        "    seen = open('seen.txt').read() if os.path.exists('seen.txt') else ''\n"
        "    print('SEEN', seen)\n"
        "    raise RuntimeError('SEEN ' + seen.replace(chr(10), ' '))\n"
        "    caches = []", 1)
    path = nbs.write(tmp_path / "leak.ipynb", nbs.course_notebook({"rnn_cell_forward": cell, "rnn_forward": forward}))
    result = grade_submission(path, context=context, sandbox=sandbox)
    part = next(p for p in context.rubric.parts if p.function == "rnn_cell_forward")
    hidden = [repr(float(BUILDERS[c.builder](seed=c.seed, **dict(c.dims))[0].sum()))
              for c in part.cases if c.visibility == "hidden"]
    assert hidden
    page = write_feedback_html(result, notebook_path=path, out_path=tmp_path / "feedback.html").read_text("utf-8")
    assert "SEEN" in page  # the public case's message or output is on the page
    leaked = [digest for digest in hidden if digest in page]
    assert leaked == [], f"hidden inputs of rnn_cell_forward on the student's page: {leaked}"


# ------------------------------------------------------------------ the zygote's children


def test_children_do_not_share_numpys_global_random_stream(sandbox):
    program = "import numpy as np\ndef draw():\n    return [float(v) for v in np.random.random(4)]\n"
    draws = []
    for _ in range(3):
        with sandbox.session(program, filename="a.py") as s:
            draws.append(tuple(s.call("draw", ()).value))
    assert len(set(draws)) == 3, draws


def test_a_child_holds_only_its_four_descriptors(sandbox):
    """The zygote now keeps O_PATH descriptors of every Landlock read path open for its
    lifetime and makes each child's ruleset before the fork, beside its control socket and
    wake-up pipe: none of them may reach a child (two children, to cover the second ruleset)."""
    program = """
        import os, stat
        def fds():
            found = {}
            for fd in range(1024):
                try:
                    mode = os.fstat(fd).st_mode
                except OSError:
                    continue
                found[str(fd)] = stat.S_IFMT(mode)
            return found
    """
    for _ in range(2):
        with sandbox.session(textwrap.dedent(program), filename="a.py") as s:
            found = s.call("fds", ()).value
        assert sorted(found, key=int) == ["0", "1", "2", "3"], found
        assert found["1"] == found["2"]  # the capture pipe


# ------------------------------------------------------------------ sanitize_html's shortcut


_SOUP = ["<p>", "</p>", "<h1>", "</h1>", "<h6>", "</h6>", "<ul>", "</ul>", "<ol>", "</ol>", "<li>", "</li>",
         "<em>", "</em>", "<strong>", "</strong>", "<code>", "</code>", "x", " ", "\n", "\t", '"', "'", "=", "`",
         "é", "\u2028", "\ufeff", "\u200b", "\U0001f600", "javascript:", "/", "\u00ad", "\U0001fffe",
         "\U0010ffff", "\u0085", "\r", "&", "<", ">", "<P>", "<p >", "<pre>", "<br>", "<a>", "</a>", "<b>",
         "<td>", "</td>", "<script>", "</script>", "<p/>", "<!--", "-->", "&lt;", "&#60;", "<em\n>", "</ul >"]


def test_markup_the_shortcut_passes_is_what_the_cleaner_writes_and_holds_no_other_tag():
    """Token soup (misnested and foreign tags, attributes' pieces, astral noncharacters,
    entities): whenever ``is_plain_markup`` lets a fragment skip the cleaner, the cleaner would
    have written exactly it, and it holds no ``<`` other than the eight plain tags."""
    import re

    clean = _cleaner().clean
    plain_tag = re.compile(r"</?(?:p|h[1-6]|ul|ol|li|em|strong|code)>")
    rng = random.Random(4)
    taken = 0
    for _ in range(6000):
        fragment = "".join(rng.choice(_SOUP) for _ in range(rng.randint(0, 10)))
        if not is_plain_markup(fragment):
            continue
        taken += 1
        assert clean(fragment) == fragment, fragment
        assert sanitize_html(fragment) == fragment
        assert "<" not in plain_tag.sub("", fragment) and "&" not in fragment, fragment
    assert taken > 200  # the shortcut was exercised
