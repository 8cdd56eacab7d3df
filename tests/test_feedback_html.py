"""feedback.html: results beside each graded function, hidden cases private, student content escaped."""
from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import pytest

from grader import feedback_html
from grader.feedback_html import sanitize_html, write_feedback_html
from grader.files import html_utf8
from grader.models import (
    ERROR, FAILED, HIDDEN, MISSING, NOT_IMPLEMENTED, PASSED, CaseResult, CheckResult, Diagnosis,
    Location, PartResult, SubmissionResult,
)
from tests import nbconvert_pages as reference
from tests import notebooks as nbs
from tests.pages import non_blank, run_chromium
from tests.pages import parse as visible

SECRET_INPUT = "hidden-input-7.77777"
SECRET_EXPECTED = "expected 0.31415926"
SECRET_PRINT = "printed-in-a-hidden-case"
SECRET_NAME = "narrow hidden state n_a=2"


def case(cid, status, points, max_points, *, visibility="public", name="assignment example", **kw):
    """A CaseResult with defaults for the fields these tests do not care about."""
    return CaseResult(cid, name, visibility, status, points, max_points, **kw)


def course_cells():
    """markdown, the rnn_cell_forward cell, a test cell, the rnn_forward cell, a test cell."""
    return [
        nbs.markdown_cell("# My notebook"),
        nbs.code_cell(nbs.COURSE_CELLS["rnn_cell_forward"], [nbs.stream("cell one ran\n")], 1),
        nbs.code_cell("print('test of rnn_cell_forward')", [nbs.stream("MARK-AFTER-CELL-2\n")], 2),
        nbs.code_cell(nbs.COURSE_CELLS["rnn_forward"], [], 3),
        nbs.code_cell("print('test of rnn_forward')", [nbs.stream("MARK-AFTER-CELL-4\n")], 4),
    ]


def graded_result(path: Path) -> SubmissionResult:
    """rnn_cell_forward passed (cell 1); rnn_forward failed with a crash at cell 3 line 14 and a
    hidden failure full of secrets; lstm_forward missing."""
    public = case("rnn_forward/public-1", ERROR, 0.0, 3.0,
                  message="Raised IndexError: index 5 is out of bounds (cell 4, line 14)",
                  location=Location(3, 14, "rnn_forward"),
                  output="debug print from the student")
    hidden = case("rnn_forward/hidden-1", FAILED, 0.0, 4.0, visibility=HIDDEN, name=SECRET_NAME,
                  checks=(CheckResult("a", False, 0.0, 1.0, f"`a` differs: {SECRET_EXPECTED}"),),
                  message=f"`a` differs: {SECRET_EXPECTED} for x = {SECRET_INPUT}",
                  diagnosis=Diagnosis("rnn_forward/a_not_stored", "You never store a_next into a."),
                  output=SECRET_PRINT)
    hidden_crash = case("rnn_forward/hidden-2", ERROR, 0.0, 4.0, visibility=HIDDEN, name=SECRET_NAME,
                        message=f"Raised ValueError: shapes ({SECRET_INPUT}) (cell 4, line 14)",
                        location=Location(3, 14, "rnn_forward"), output=SECRET_PRINT)
    hidden_ok = case("rnn_forward/hidden-3", PASSED, 4.0, 4.0, visibility=HIDDEN, name=SECRET_NAME)
    ok = case("rnn_cell_forward/public-1", PASSED, 10.0, 10.0)
    missing = case("lstm_forward/public-1", MISSING, 0.0, 15.0,
                   message="No function named `lstm_forward` was found in the notebook.")
    return SubmissionResult(
        submission_id="ada", path=str(path), status="graded", points=14.0, max_points=40.0,
        parts=(
            PartResult("rnn_cell_forward", "rnn_cell_forward", PASSED, 10.0, 10.0, (ok,),
                       location=Location(1, 3, "rnn_cell_forward")),
            PartResult("rnn_forward", "rnn_forward", ERROR, 4.0, 15.0,
                       (public, hidden, hidden_crash, hidden_ok), location=Location(3, 3, "rnn_forward")),
            PartResult("lstm_forward", "lstm_forward", MISSING, 0.0, 15.0, (missing,),
                       notes=("No function named `lstm_forward` was found in the notebook.",)),
        ),
        messages=("`rnn_forward` is defined twice; the last definition is graded.",))


@pytest.fixture
def rendered(tmp_path):
    """The course notebook and its graded result, written as feedback.html: (path, page)."""
    path = nbs.write(tmp_path / "ada.ipynb", nbs.notebook(course_cells()))
    result = graded_result(path)
    out = write_feedback_html(result, notebook_path=path, out_path=tmp_path / "out" / "feedback.html")
    return out, out.read_text("utf-8")


def test_writes_the_page_and_returns_its_path(rendered):
    out, page = rendered
    assert out.name == "feedback.html" and out.is_file()
    assert page.startswith("<!DOCTYPE html>")
    assert "Score: 14 / 40" in page


def test_summary_table_then_the_blocks_follow_the_defining_cells(rendered):
    _, page = rendered
    text = "".join(visible(page).text)
    summary = text.index("Feedback for ada")
    notebook_start = text.index("My notebook")
    # The summary lists every part before the notebook, with points and verdicts.
    for name, pts in (("rnn_cell_forward", "10 / 10"), ("rnn_forward", "4 / 15"), ("lstm_forward", "0 / 15")):
        assert summary < text.index(name) < notebook_start
    assert summary < text.index("lstm_forward: 0 / 15, missing") < notebook_start
    # Each block comes right after its cell's outputs and before the next cell.
    ok_block = text.index("rnn_cell_forward: 10 / 10, passed")
    assert text.index("cell one ran") < ok_block < text.index("MARK-AFTER-CELL-2")
    bad_block = text.index("rnn_forward: 4 / 15, raised an error")
    assert text.index("caches = (caches, x)") < bad_block < text.index("MARK-AFTER-CELL-4")
    # The missing part's block is at the top, not inside the notebook.
    assert text.index("No function named lstm_forward") < notebook_start


def test_public_case_shows_message_diagnosis_output_and_the_quoted_line(rendered):
    _, page = rendered
    text = "".join(visible(page).text)
    assert "Raised IndexError: index 5 is out of bounds" in text
    assert "debug print from the student" in text
    # Line 14 of the rnn_forward cell is quoted and highlighted.
    line14 = nbs.COURSE_CELLS["rnn_forward"].split("\n")[13]
    assert line14.strip()
    hit = re.search(r'<span class="grader-hit"><b>14</b>(.*?)</span>', page)
    assert hit is not None
    assert hit.group(1).strip() == line14.strip().replace("'", "&#x27;").replace('"', "&quot;")


def test_hidden_cases_reveal_no_input_name_message_or_output(rendered):
    _, page = rendered
    for secret in (SECRET_INPUT, SECRET_EXPECTED, SECRET_PRINT, SECRET_NAME, "0.31415926", "7.77777"):
        assert secret not in page
    text = "".join(visible(page).text)
    assert "hidden case 1: failed" in text
    assert "You never store a_next into a." in text  # the diagnosis sentence is kept
    assert "hidden case 2: raised an error" in text
    assert "hidden case 3: passed" in text
    # The crash of a hidden case points at the student's own line, nothing more.
    assert text.count("At cell 4, line 14") == 2


def test_two_functions_in_one_cell_get_both_blocks_after_it(tmp_path):
    cell = nbs.COURSE_CELLS["rnn_cell_forward"] + "\n\n" + nbs.COURSE_CELLS["rnn_forward"]
    path = nbs.write(tmp_path / "g.ipynb", nbs.notebook([nbs.code_cell(cell), nbs.markdown_cell("AFTER")]))
    parts = tuple(PartResult(n, n, PASSED, 1.0, 1.0, (case(f"{n}/public-1", PASSED, 1.0, 1.0),),
                             location=Location(0, line, n))
                  for n, line in (("rnn_cell_forward", 3), ("rnn_forward", 26)))
    result = SubmissionResult("grace", str(path), "graded", 2.0, 2.0, parts)
    text = "".join(visible(feedback_html.feedback_page(result, notebook_path=path)).text)
    first = text.index("rnn_cell_forward: 1 / 1, passed")
    second = text.index("rnn_forward: 1 / 1, passed")
    assert text.index("return a, y_pred, caches") < first < second < text.index("AFTER")


def test_not_implemented_part_says_so_once_per_part(tmp_path):
    path = nbs.write(tmp_path / "e.ipynb", nbs.notebook([nbs.code_cell("def lstm_forward(x):\n    a = None\n")]))
    note = "`lstm_forward` still holds the template's placeholders (line 2: `a = None`): not implemented yet."
    cases = tuple(case(f"lstm_forward/{k}", NOT_IMPLEMENTED, 0.0, 1.0, message=note,
                       visibility=HIDDEN if k != "public-1" else "public")
                  for k in ("public-1", "hidden-1", "hidden-2"))
    result = SubmissionResult("e", str(path), "graded", 0.0, 3.0, (
        PartResult("lstm_forward", "lstm_forward", NOT_IMPLEMENTED, 0.0, 3.0, cases, notes=(note,),
                   location=Location(0, 1, "lstm_forward")),))
    text = "".join(visible(feedback_html.feedback_page(result, notebook_path=path)).text)
    assert text.count("not implemented yet") == 1
    # One line for the three cases, none of which ran (report.all_cases_line).
    assert "all 3 cases (assignment example and 2 hidden): not implemented (0 / 3)" in text
    assert "hidden case 2" not in text


HOSTILE_NAME = "f<script>alert('name')</script>"


def hostile_notebook() -> dict:
    """A notebook whose markdown, outputs, metadata and code all try to inject markup."""
    nb = nbs.notebook([
        nbs.markdown_cell("# Title <script>alert('md')</script>\n\n<img src=x onerror=alert('img')>"
                          "\n\n<a href=\"javascript:alert('a')\">click</a>"
                          "\n\n<iframe src=\"http://evil.example/\"></iframe>"
                          "\n\n![tracker](http://evil.example/pixel.png)"
                          "\n\n<div class=\"grader-result grader-ok\">FORGED 100/100</div>"
                          "\n\n<style>body{display:none}</style>"),
        nbs.code_cell("def f():\n    return '</pre><script>alert(\"code\")</script>'\n", [
            nbs.stream("<script>alert('stream')</script>\n"),
            {"output_type": "display_data", "metadata": {"filenames": {"image/png": "http://evil.example/x.png"}},
             "data": {"text/html": "<b>bold</b><script>alert('html')</script><svg onload=alert('svg')>",
                      "application/javascript": "alert('js')",
                      "text/vnd.mermaid": "<script>alert('mermaid')</script>",
                      "image/svg+xml": "<svg><script>alert('svgdata')</script></svg>",
                      "text/plain": "<script>alert('plain')</script>"}},
            {"output_type": "execute_result", "execution_count": "<script>alert('count')</script>",
             "metadata": {}, "data": {"text/markdown": "**md out** <script>alert('mdout')</script>"}},
            {"output_type": "error", "ename": "<script>alert('ename')</script>", "evalue": "<b>x</b>",
             "traceback": ["\x1b[31m<script>alert('tb')</script>\x1b[0m"]},
        ], 1),
        {"cell_type": "raw", "metadata": {"raw_mimetype": "text/html"}, "source": "<script>alert('raw')</script>"},
    ])
    nb["metadata"] = {"title": "<script>alert('title')</script>",
                      "widgets": {"application/vnd.jupyter.widget-state+json": {"state": {}}},
                      "language_info": {"name": "<script>alert('lang')</script>"}}
    nb["cells"][1]["id"] = "\"><script>alert('id')</script>"
    nb["cells"][1]["metadata"] = {"tags": ["<script>alert('tag')</script>"], "grader_index": 0,
                                  "jupyter": {"source_hidden": True}}
    return nb


def hostile_result(path: Path) -> SubmissionResult:
    """A result whose every string (ids, names, messages, output) tries to inject a script."""
    c = case("f/public-1", ERROR, 0.0, 1.0, name="<script>alert('case')</script>",
             message="Raised Exception: <script>alert('msg')</script>", location=Location(1, 2, HOSTILE_NAME),
             output="<script>alert('out')</script>",
             diagnosis=Diagnosis("<script>", "<script>alert('diag')</script>"))
    return SubmissionResult("<script>alert('sid')</script>", str(path), "graded", 0.0, 1.0, (
        PartResult(HOSTILE_NAME, HOSTILE_NAME, ERROR, 0.0, 1.0, (c,), notes=("<script>alert('note')</script>",),
                   location=Location(1, 1, HOSTILE_NAME)),),
        messages=("<script>alert('message')</script>",))


def assert_inert(page: str) -> None:
    """No element, attribute or URL from the student can run code or reach the network."""
    parsed = visible(page)
    tags = {tag for tag, _ in parsed.tags}
    assert not tags & {"script", "iframe", "object", "embed", "svg", "form", "link", "base"}
    for tag, attrs in parsed.tags:
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name)
            assert "javascript:" not in (value or "").lower(), (tag, name, value)
            if name in ("src", "href") and tag != "a":
                assert (value or "").startswith("data:"), (tag, name, value)
    assert "<script" not in page.lower()
    assert "evil.example/x.png" not in page and "evil.example/pixel.png\"" not in page
    # Only our own <style> elements: the student's stylesheet is left as inert text.
    assert not re.search(r"<style[^>]*>\s*body\s*\{\s*display", page)


def test_hostile_notebook_and_result_render_inert(tmp_path):
    path = tmp_path / "evil.ipynb"
    path.write_text(json.dumps(hostile_notebook()), "utf-8")
    page = feedback_html.feedback_page(hostile_result(path), notebook_path=path)
    assert_inert(page)
    text = "".join(visible(page).text)
    # The rendering did happen (not the fallback page), and the student's text is shown escaped.
    assert "Title" in text and "bold" in text and "md out" in text
    assert "alert('stream')" in text and "alert('case')" in text and "alert('diag')" in text
    assert "alert('tb')" in text  # the traceback, escaped
    # The forged result block lost its class: a student cannot fake a green block.
    assert "FORGED 100/100" in text
    forged = re.search(r"<(\w+)([^>]*)>FORGED", page)
    assert forged is not None and "grader" not in forged.group(2)
    assert page.count("grader-result grader-") == 1  # our one block, for the one part
    # The student's "hidden source" metadata is ignored: their code is shown beside the results.
    assert "return &#x27;&lt;/pre&gt;" in page or "&lt;/pre&gt;" in page


def test_hostile_results_on_the_fallback_pages_are_inert(tmp_path):
    broken = tmp_path / "evil.ipynb"
    broken.write_text(json.dumps(hostile_notebook())[:500], "utf-8")
    assert_inert(feedback_html.feedback_page(hostile_result(broken), notebook_path=broken))
    script = tmp_path / "evil.py"
    script.write_text("def f():\n    return '<script>alert(1)</script>'\n", "utf-8")
    page = feedback_html.feedback_page(hostile_result(script), notebook_path=script)
    assert_inert(page)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_sanitize_html_keeps_structure_and_drops_active_content():
    kept = sanitize_html("<h2>T</h2><p>a <em>b</em></p><table><tr><td>1</td></tr></table><pre><code>x</code></pre>")
    for tag in ("<h2>", "<p>", "<em>", "<table>", "<td>", "<pre>", "<code>"):
        assert tag in kept
    dropped = sanitize_html('<script>x()</script><img src="http://a/b.png" onerror="y()">'
                            '<p style="color:red" id="grader-summary" class="grader-ok ok">z</p>')
    assert "<script" not in dropped and "onerror" not in dropped and "http://a" not in dropped
    assert "style=" not in dropped and "id=" not in dropped and "grader-ok" not in dropped
    inline = sanitize_html('<img src="data:image/png;base64,AAAA" alt="plot">')
    assert 'src="data:image/png;base64,AAAA"' in inline


def test_truncated_notebook_gets_a_results_page(tmp_path):
    path = nbs.write(tmp_path / "donald.ipynb", nbs.notebook(course_cells()))
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    result = graded_result(path)
    page = feedback_html.feedback_page(result, notebook_path=path)
    text = "".join(visible(page).text)
    assert "Your notebook could not be shown" in text
    assert "rnn_forward: 4 / 15, raised an error" in text and "hidden case 1: failed" in text
    assert SECRET_INPUT not in page and SECRET_PRINT not in page


def test_python_file_shows_its_source_and_the_crash_line(tmp_path):
    source = "import numpy as np\n\ndef rnn_forward(x):\n    y = x[99]\n    return y\n"
    path = tmp_path / "linus.py"
    path.write_text(source, "utf-8")
    c = case("rnn_forward/public-1", ERROR, 0.0, 3.0, message="Raised IndexError", location=Location(0, 4, "rnn_forward"))
    result = SubmissionResult("linus", str(path), "graded", 0.0, 3.0, (
        PartResult("rnn_forward", "rnn_forward", ERROR, 0.0, 3.0, (c,), location=Location(0, 3, "rnn_forward")),))
    page = feedback_html.feedback_page(result, notebook_path=path)
    text = "".join(visible(page).text)
    assert "Your file" in text and "def rnn_forward(x):" in text
    assert re.search(r'<span class="grader-hit"><b>4</b>\s*y = x\[99\]</span>', page)


def test_unreadable_result_without_file_still_writes(tmp_path):
    result = SubmissionResult("ghost", str(tmp_path / "ghost.ipynb"), "unreadable", 0.0, 10.0,
                              messages=("ghost.ipynb: cannot read (No such file or directory)",))
    out = write_feedback_html(result, notebook_path=tmp_path / "ghost.ipynb", out_path=tmp_path / "f.html")
    assert "cannot read" in out.read_text("utf-8")


def test_cell_indexes_match_the_reader_for_odd_cells(tmp_path):
    """Location.cell counts every cell (raw and unknown kinds too), as grader.notebook does."""
    cells = [{"cell_type": "raw", "metadata": {}, "source": "raw text"},
             {"cell_type": "weird", "metadata": {}, "source": "odd"},
             nbs.code_cell("def g():\n    return 1\n"), nbs.markdown_cell("NEXT")]
    path = nbs.write(tmp_path / "odd.ipynb", nbs.notebook(cells))
    from grader.notebook import load
    assert [c.index for c in load(path).cells if c.kind == "code"] == [2]
    result = SubmissionResult("odd", str(path), "graded", 1.0, 1.0, (
        PartResult("g", "g", PASSED, 1.0, 1.0, (case("g/public-1", PASSED, 1.0, 1.0),), location=Location(2, 1, "g")),))
    text = "".join(visible(feedback_html.feedback_page(result, notebook_path=path)).text)
    assert text.index("return 1") < text.index("g: 1 / 1, passed") < text.index("NEXT")
    assert "raw text" in text


def test_version_3_notebook_is_rendered(tmp_path):
    nb3 = {"nbformat": 3, "nbformat_minor": 0, "metadata": {}, "worksheets": [{"cells": [
        {"cell_type": "code", "input": ["def g():\n", "    return 1\n"], "language": "python", "outputs": []},
        {"cell_type": "markdown", "source": ["NEXT"]}]}]}
    path = tmp_path / "old.ipynb"
    path.write_text(json.dumps(nb3), "utf-8")
    result = SubmissionResult("old", str(path), "graded", 1.0, 1.0, (
        PartResult("g", "g", PASSED, 1.0, 1.0, (case("g/public-1", PASSED, 1.0, 1.0),), location=Location(0, 1, "g")),))
    text = "".join(visible(feedback_html.feedback_page(result, notebook_path=path)).text)
    assert "could not be shown" not in text
    assert text.index("return 1") < text.index("g: 1 / 1, passed") < text.index("NEXT")


def test_renderer_is_built_once_per_process():
    assert feedback_html.default_renderer() is feedback_html.default_renderer()


# --------------------------------------------------------------------------- a real browser

PWN = "document.title='PWNED';document.body.setAttribute('data-pwned','1')"


def pwn_notebook() -> dict:
    """Every injection route of hostile_notebook, with payloads that would leave a mark in the DOM."""
    nb = hostile_notebook()
    text = json.dumps(nb).replace("alert(", "(function(){" + PWN.replace("'", "\\u0027") + "})(")
    return json.loads(text)


DOM_PROBE = """<script>
window.addEventListener('load', function () {
  var out = document.createElement('pre');
  out.id = 'probe';
  var handlers = 0;
  document.querySelectorAll('*').forEach(function (el) {
    for (var i = 0; i < el.attributes.length; i++) { if (/^on/i.test(el.attributes[i].name)) handlers++; }
  });
  out.textContent = 'SCRIPTS ' + document.scripts.length + ' HANDLERS ' + handlers +
    ' IFRAMES ' + document.querySelectorAll('iframe,object,embed').length +
    ' BLOCKS ' + document.querySelectorAll('section.grader-result').length +
    ' TITLE ' + document.title;
  document.body.appendChild(out);
});
</script>"""


@pytest.mark.slow
@pytest.mark.browser
def test_feedback_renders_in_chromium_and_student_scripts_stay_dead(tmp_path):
    good = nbs.write(tmp_path / "ada.ipynb", nbs.notebook(course_cells()))
    page = write_feedback_html(graded_result(good), notebook_path=good, out_path=tmp_path / "ada.html")
    shot = tmp_path / "ada.png"
    done = run_chromium(page, tmp_path, f"--screenshot={shot}", "--window-size=1100,1600")
    assert done.returncode == 0 and shot.is_file(), done.stderr[-2000:]
    assert non_blank(shot) > 10
    dom = run_chromium(page, tmp_path, "--dump-dom").stdout
    assert 'class="grader-summary"' in dom and dom.count('class="grader-result ') == 3
    assert "hidden case 1: failed" in dom and SECRET_INPUT not in dom

    evil = tmp_path / "evil.ipynb"
    evil.write_text(json.dumps(pwn_notebook()), "utf-8")
    result = hostile_result(evil)
    result = dataclasses.replace(result, messages=(f"<img src=x onerror=\"{PWN}\">",))
    page = write_feedback_html(result, notebook_path=evil, out_path=tmp_path / "evil.html")
    # Without our Content-Security-Policy, so that only the escaping and sanitising protect the page.
    html = re.sub(r'<meta[^>]*Content-Security-Policy[^>]*>', "", page.read_text("utf-8"))
    probed = tmp_path / "evil-probed.html"
    probed.write_text(html.replace("</body>", DOM_PROBE + "</body>"), "utf-8")
    dom = run_chromium(probed, tmp_path, "--dump-dom").stdout
    probe = re.search(r'<pre id="probe">(.*?)</pre>', dom)
    assert probe, dom[-2000:]
    assert probe.group(1).startswith("SCRIPTS 1 HANDLERS 0 IFRAMES 0 BLOCKS 1 TITLE Feedback for "), probe.group(1)
    # Had any payload run, the title would be "PWNED" and the body would carry data-pwned="1"
    # (the payloads' text does appear, escaped, in the page: that is the student's text shown).
    assert probe.group(1).split(" TITLE ", 1)[1] != "PWNED"
    assert 'data-pwned="1"' not in dom


def test_many_stream_outputs_are_merged_and_long_texts_cut(tmp_path):
    log = [nbs.stream(f"Epoch {k}/300 - loss 0.5\n") for k in range(300)]
    huge = nbs.stream("y" * (feedback_html.MAX_TEXT_CHARS + 5000))
    cells = [nbs.code_cell("train()", log, 1), nbs.code_cell("print(big)", [huge], 2)]
    path = nbs.write(tmp_path / "keras.ipynb", nbs.notebook(cells))
    result = SubmissionResult("k", str(path), "graded", 0.0, 0.0)
    page = feedback_html.feedback_page(result, notebook_path=path)
    assert page.count('data-mime-type="text/plain"') == 2  # one merged block per cell
    assert "Epoch 0/300" in page and "Epoch 299/300" in page
    assert "5000 more characters not shown" in page
    assert "y" * (feedback_html.MAX_TEXT_CHARS + 1) not in page


def test_function_defined_but_not_run_stays_beside_its_cell(tmp_path):
    """Status "missing" with a location: the definition exists but did not run (an error above it)."""
    path = nbs.write(tmp_path / "m.ipynb", nbs.notebook([
        nbs.code_cell("1/0\ndef g():\n    return 1\n"), nbs.markdown_cell("NEXT")]))
    message = "`g` was not defined when the notebook's definitions ran (an error above it in the same cell?)."
    result = SubmissionResult("m", str(path), "graded", 0.0, 1.0, (
        PartResult("g", "g", MISSING, 0.0, 1.0, (case("g/public-1", MISSING, 0.0, 1.0, message=message),),
                   location=Location(0, 2, "g")),))
    text = "".join(visible(feedback_html.feedback_page(result, notebook_path=path)).text)
    assert "Not found" not in text and "not found" not in text
    assert text.index("return 1") < text.index("g: 0 / 1, missing") < text.index("NEXT")
    assert "error above it" in text


# --------------------------------------------------------------------------- the memo of rendered cells


def student_notebook(k: int) -> dict:
    """The course notebook with one function cell and one output of student ``k``'s own; the
    other cells (markdown, imports, test cells) are the template's, at shifted positions and
    with other execution counts for odd ``k``."""
    nb = nbs.course_notebook({"rnn_forward": nbs.COURSE_CELLS["rnn_forward"] + f"\n# student {k}\n"})
    extra = [nbs.code_cell(f"print({k})", [nbs.stream(f"{k}\n")], 40 + k)]
    if k % 2:
        extra.insert(0, nbs.markdown_cell(f"### notes of student {k} <script>x()</script>"))
        for cell in nb["cells"]:
            if cell["cell_type"] == "code" and cell["execution_count"] is not None:
                cell["execution_count"] += 100
    nb["cells"] = extra + nb["cells"]
    return nb


def student_result(path: Path, nb: dict) -> SubmissionResult:
    """A result placing one block after the rnn_forward cell and one after the imports."""
    cells = ["".join(c["source"]) for c in nb["cells"]]
    forward = next(i for i, s in enumerate(cells) if "def rnn_forward" in s)
    imports = next(i for i, s in enumerate(cells) if s.startswith("import numpy"))
    parts = (PartResult("rnn_forward", "rnn_forward", FAILED, 0.0, 1.0,
                        (case("rnn_forward/public-1", FAILED, 0.0, 1.0, message="`a` differs"),),
                        location=Location(forward, 3, "rnn_forward")),
             PartResult("setup", "setup", PASSED, 1.0, 1.0, (case("setup/public-1", PASSED, 1.0, 1.0),),
                        location=Location(imports, 1, "setup")))
    return SubmissionResult(path.stem, str(path), "graded", 1.0, 2.0, parts)


def test_pages_are_what_the_template_renders_in_one_call(tmp_path):
    renderer = feedback_html.FeedbackRenderer()
    for k, nb in enumerate([nbs.course_notebook(extra_cells=nbs.imdb_cells()), hostile_notebook(),
                            student_notebook(1), student_notebook(2), nbs.notebook([])]):
        path = nbs.write(tmp_path / f"n{k}.ipynb", nb)
        cells = feedback_html.read_cells(path)
        after = {i: f'<section class="grader-result">block {i}</section>' for i in range(0, len(cells), 2)}
        for _ in range(2):  # from nothing, then from the memo
            page = renderer.render({"cells": cells}, title="T <&>", top="<p>top</p>", after=after)
            assert page == reference.render_direct(renderer, {"cells": cells}, title="T <&>", top="<p>top</p>", after=after)


def test_notebooks_sharing_cells_render_as_each_alone(tmp_path):
    paths = [nbs.write(tmp_path / f"s{k}.ipynb", student_notebook(k)) for k in range(4)]
    results = [student_result(p, student_notebook(k)) for k, p in enumerate(paths)]
    shared = feedback_html.FeedbackRenderer()
    together = [feedback_html.feedback_page(r, notebook_path=p, renderer=shared) for r, p in zip(results, paths)]
    again = [feedback_html.feedback_page(r, notebook_path=p, renderer=shared) for r, p in zip(results, paths)]
    for k, (result, path) in enumerate(zip(results, paths)):
        alone = feedback_html.feedback_page(result, notebook_path=path, renderer=feedback_html.FeedbackRenderer())
        assert together[k] == alone == again[k]
    # Each page keeps its own cell ids and execution counts, though the memo holds each template cell once.
    assert 'In&nbsp;[103]:' in together[1] and 'In&nbsp;[3]:' in together[2]
    assert 'In&nbsp;[3]:' not in together[1] and 'id="cell-id=c2"' in together[0]
    text = "".join(visible(together[2]).text)
    assert text.index("student 2") < text.index("rnn_forward: 0 / 1, failed")
    assert text.index("from rnn_utils import") < text.index("setup: 1 / 1, passed")
    assert len(shared.memo) < sum(len(feedback_html.read_cells(p)) for p in paths)


def test_memo_is_bounded_in_bytes_and_pages_stay_the_same(tmp_path):
    small = feedback_html.FeedbackRenderer(memo_bytes=60_000)
    for k in range(12):
        path = nbs.write(tmp_path / f"m{k}.ipynb", student_notebook(k))
        result = student_result(path, student_notebook(k))
        page = feedback_html.feedback_page(result, notebook_path=path, renderer=small)
        assert small.memo.nbytes <= 60_000 and small.lines.nbytes <= small.lines.max_bytes
        assert page == feedback_html.feedback_page(result, notebook_path=path,
                                                   renderer=feedback_html.FeedbackRenderer())
    assert 0 < len(small.memo) < 12 * 10


def test_only_cells_that_come_back_are_kept_in_the_memo(tmp_path):
    """A cell rendered once (a student's own code, notes and prints) is not kept; the template's
    cells, rendered again on the next page, are, and the pages stay the template's."""
    renderer = feedback_html.FeedbackRenderer()
    own, shared = set(), None
    for k in range(6):
        path = nbs.write(tmp_path / f"k{k}.ipynb", student_notebook(k))
        cells = feedback_html.read_cells(path)
        keys = {feedback_html.cell_key(cell) for cell in cells}
        own |= {feedback_html.cell_key(cell) for cell in cells
                if f"student {k}" in cell["source"] or f"print({k})" in cell["source"]}
        shared = keys if shared is None else shared & keys
        page = renderer.render({"cells": cells}, title="T", top="", after={})
        assert page == reference.render_direct(renderer, {"cells": cells}, title="T", top="", after={})
    assert own and shared and not own & shared
    assert all(renderer.memo.get(key) is None for key in own)
    assert all(renderer.memo.get(key) is not None for key in shared)


def test_fragment_memo_drops_the_least_recently_used_first():
    import sys

    values = {k: ("x" * 100, "") for k in (b"a", b"b", b"c", b"d")}
    entry = sys.getsizeof(b"a") + sys.getsizeof("x" * 100) + sys.getsizeof("") + feedback_html.FragmentMemo.ENTRY_OVERHEAD
    memo = feedback_html.FragmentMemo(max_bytes=3 * entry)  # room for three entries
    memo.put(b"a", values[b"a"])
    memo.put(b"b", values[b"b"])
    assert memo.get(b"a") == values[b"a"]  # a is now more recent than b
    memo.put(b"c", values[b"c"])
    memo.put(b"d", values[b"d"])
    assert memo.get(b"b") is None and memo.get(b"a") is not None and memo.get(b"d") is not None
    assert memo.nbytes <= memo.max_bytes
    memo.put(b"huge", ("y" * 5000, ""))  # bigger than the whole budget: not kept, nothing dropped
    assert memo.get(b"huge") is None and memo.get(b"d") is not None


def test_a_renderer_built_before_fork_renders_in_the_child(tmp_path):
    import os

    renderer = feedback_html.default_renderer()
    path = nbs.write(tmp_path / "ada.ipynb", nbs.notebook(course_cells()))
    result = graded_result(path)
    expected = feedback_html.feedback_page(result, notebook_path=path, renderer=renderer)
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: render with the inherited renderer, send the page back
        code = 1
        try:
            page = feedback_html.feedback_page(result, notebook_path=path, renderer=feedback_html.default_renderer())
            with os.fdopen(write, "wb") as out:
                out.write(page.encode("utf-8"))
            code = 0
        finally:
            os._exit(code)
    os.close(write)
    with os.fdopen(read, "rb") as pipe:
        page = pipe.read().decode("utf-8")
    _, status = os.waitpid(pid, 0)
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0
    assert page == expected and "rnn_forward: 4 / 15, raised an error" in "".join(visible(page).text)


def test_new_markdown_and_prints_need_no_parser_built(tmp_path, monkeypatch):
    """A student's own markdown goes through the one markdown parser the renderer keeps
    (nbconvert's filter built one per call, as costly as parsing a heading) and their printed
    text through grader.ansi; the pages are what nbconvert's template renders."""
    import mistune

    renderer = feedback_html.FeedbackRenderer()
    built = []
    build = mistune.Markdown.__init__

    def counted_build(self, *args, **kwargs):
        built.append(1)
        build(self, *args, **kwargs)

    monkeypatch.setattr(mistune.Markdown, "__init__", counted_build)
    for k in range(4):
        nb = nbs.notebook([
            nbs.markdown_cell(f"### My checks (student {k})\n\n*mine* <b>{k}</b> & `x` "
                              f"<script>alert({k})</script> $x_{k}$\n\n```python\nx = {k}\n```\n"),
            nbs.code_cell(f"print({k})", [nbs.stream(f"\x1b[31mred {k}\x1b[0m <&> \u00e9\n"),
                                          dict(nbs.stream(f"warning {k} <i>\n"), name="stderr")], 3)])
        cells = feedback_html.read_cells(nbs.write(tmp_path / f"o{k}.ipynb", nb))
        page = renderer.render({"cells": cells}, title="T", top="", after={0: "<p>b</p>"})
        assert built == []
        assert page == reference.render_direct(renderer, {"cells": cells}, title="T", top="", after={0: "<p>b</p>"})
        built.clear()  # nbconvert's filter builds its own
        assert f"My checks (student {k})" in page and f"red {k}" in page and "<script>alert" not in page
        assert f"warning {k} &lt;i&gt;" in page


def test_building_a_renderer_builds_no_python_lexer(monkeypatch):
    """The renderer's warm-up fences its code with a language whose lexer costs nothing:
    Pygments' Python lexer (0.06 s of CPU to build) is left to the pages that need it."""
    import pygments.lexers

    asked = []
    lexer_by_name = pygments.lexers.get_lexer_by_name

    def recorded(name, **options):
        asked.append(name)
        return lexer_by_name(name, **options)

    monkeypatch.setattr(pygments.lexers, "get_lexer_by_name", recorded)
    renderer = feedback_html.FeedbackRenderer()
    assert asked and not {"python", "python3", "ipython3", "py"} & set(asked)
    assert 'class="highlight"' in renderer._markdown("```python\nx = 1\n```\n")
    assert "python" in asked


def _markdown_notebook(directory: Path, cells: list[dict]) -> Path:
    """A notebook of ``cells`` written in ``directory`` (named for their count and length)."""
    path = directory / f"hostile-{len(cells)}-{sum(len(c['source']) for c in cells)}.ipynb"
    path.write_text(json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": cells}), "utf-8")
    return path


@pytest.mark.slow
def test_a_hostile_markdown_cell_costs_the_grading_process_little(tmp_path):
    """The attack: 64 kB of ``[a](`` in one markdown cell (a 50 MB notebook may hold far more).
    The grading process spent 11 s of CPU on it (0.65 s at 16 kB: four times the text, sixteen
    times the time); such a notebook of 1 MB would hold every page and key for most of an hour.
    Signal: a scaling test (CPU at 16 kB and 128 kB of ``[a](``, tests/scaling.py), not seconds."""
    from tests.scaling import assert_linear

    renderer = feedback_html.default_renderer()
    result = SubmissionResult("mallory", "hostile.ipynb", "graded", 0.0, 1.0, ())

    def make(count: int) -> Path:
        return _markdown_notebook(tmp_path, [{"cell_type": "markdown", "metadata": {}, "source": "[a](" * count}])

    assert "[a](" in feedback_html.feedback_page(result, notebook_path=make(16_000))
    assert_linear(lambda path: feedback_html.feedback_page(result, notebook_path=path), make, 4000,
                  setup=renderer.memo.clear, what="a feedback page of one markdown cell of n [a](")



def test_tex_left_open_is_counted_and_shown_as_plain_text_past_the_limit():
    """Openings of TeX that no closing one follows make the markdown parser search to the
    text's end from each (fifteenth session's review: ten cells of 10,000 characters of
    ``\\[`` cost the grading process 9 s): past ``MAX_UNCLOSED_TEX`` a cell is plain text.
    A notebook's own maths, however much of it, closes what it opens and renders as
    nbconvert's template renders it."""
    from grader.markdown_html import unclosed_tex

    assert unclosed_tex(r"\\[ x \\] and \\( y \\) \begin{align} z \end{align}") == 0
    assert unclosed_tex(r"\\] \\[ x") == 1 and unclosed_tex(r"\\[ x \\\\]") == 1
    assert unclosed_tex(r"\begin{align} x \end{equation}") == 1 and unclosed_tex("\\\\(" * 70) == 70
    limit = feedback_html.MAX_UNCLOSED_TEX
    open_tex = "Notes " + "\\\\[" * (limit + 1)
    maths = " ".join(f"$x_{i}$ and \\\\(y_{i}\\\\) \\\\[z_{i}\\\\]" for i in range(200))
    assert len(maths) < feedback_html.MAX_MARKDOWN_CHARS and unclosed_tex(maths) == 0
    cells = feedback_html.clean_cells({"cells": [
        {"cell_type": "markdown", "source": open_tex}, {"cell_type": "markdown", "source": maths},
        {"cell_type": "markdown", "source": "\\\\[" * limit}]})
    assert cells[0]["source"].startswith("```\n") and open_tex in cells[0]["source"]
    assert cells[1]["source"] == maths and cells[2]["source"] == "\\\\[" * limit
    renderer = feedback_html.FeedbackRenderer()
    page = renderer.render({"cells": cells}, title="T", top="", after={})
    assert page == reference.render_direct(renderer, {"cells": cells}, title="T", top="", after={})
    assert "$x_199$" in page and page.count("$$z_") == 200


@pytest.mark.slow
def test_a_markdown_cell_of_open_tex_costs_the_grading_process_little(tmp_path):
    """The attack of the fifteenth session's review: a markdown cell of ``\\[`` (or ``\\(``)
    never closed, within the cell's size limit. Quadratic before (each opening searched to
    the end); linear now. Signal: a scaling test (tests/scaling.py), not seconds."""
    from tests.scaling import assert_linear

    renderer = feedback_html.default_renderer()
    result = SubmissionResult("mallory", "hostile.ipynb", "graded", 0.0, 1.0, ())

    def make(count: int) -> Path:
        return _markdown_notebook(tmp_path, [{"cell_type": "markdown", "metadata": {},
                                              "source": "\\\\[" * count + "\n\n" + "\\\\(" * count}])

    assert_linear(lambda path: feedback_html.feedback_page(result, notebook_path=path), make, 200,
                  setup=renderer.memo.clear, what="a feedback page of one markdown cell of n open TeX")

@pytest.mark.slow
def test_many_hostile_markdown_and_raw_cells_cost_the_grading_process_little(tmp_path, monkeypatch):
    """Thirty markdown cells each just within the one-cell limit (beyond the notebook's
    markdown allowance after ten) and a raw cell of 800 kB, all of ``[a](``: plain text past
    the allowance, long lines broken, so the page costs seconds, not hours; the course's own
    markdown (4.3 kB at most per cell, 26 kB in all) stays within the allowance.
    Signal (no clock): what reaches the markdown renderer, counted: at most the allowance as
    markdown, and no longer line of ``[`` than the plain text's line width (the filters scan a
    line from each ``[`` in it: quadratic in a line's length)."""
    rendered: list[str] = []
    real = feedback_html.FeedbackRenderer._markdown

    def counting(self, source: str, **options) -> str:
        rendered.append(source)
        return real(self, source, **options)

    renderer = feedback_html.FeedbackRenderer()  # its warm-up's markdown is not the student's
    monkeypatch.setattr(feedback_html.FeedbackRenderer, "_markdown", counting)
    line = "[a](" * (feedback_html.MAX_MARKDOWN_CHARS // 4 - 1)
    cells = [{"cell_type": "markdown", "metadata": {}, "source": f"{k:02d}{line}"} for k in range(30)]  # distinct
    cells.append({"cell_type": "raw", "metadata": {}, "source": "[a](" * 200_000})
    path = _markdown_notebook(tmp_path, cells)
    result = SubmissionResult("mallory", str(path), "graded", 0.0, 1.0, ())
    page = feedback_html.feedback_page(result, notebook_path=path, renderer=renderer)
    assert page.count("[a](") > 30 * 1000
    assert "more characters not shown" in page
    as_markdown = [text for text in rendered if not text.startswith("```")]
    assert sum(map(len, as_markdown)) <= feedback_html.MAX_MARKDOWN_TOTAL
    assert max(map(len, as_markdown)) <= feedback_html.MAX_MARKDOWN_CHARS
    plain = [text for text in rendered if text.startswith("```")]
    assert plain and max(len(ln) for text in plain for ln in text.split("\n")) <= 1000
    assert sum(map(len, plain)) <= 1_100_000
    assert feedback_html.MAX_MARKDOWN_CHARS >= 2 * 4300 and feedback_html.MAX_MARKDOWN_TOTAL >= 2 * 26_000


def test_the_kept_markdown_parser_carries_nothing_from_one_student_to_the_next():
    """The renderer keeps one markdown parser for every cell of every student (eleventh session):
    a link reference or a footnote one student defines must not resolve in the next one's page."""
    renderer = feedback_html.default_renderer()
    first = renderer._markdown("[x][r]\n\n[r]: https://example.org/a\n\nsee[^1]\n\n[^1]: note of A\n")
    assert "https://example.org/a" in first
    second = renderer._markdown("[x][r] and see[^1]\n")
    assert "example.org" not in second and "note of A" not in second and "[x][r]" in second


def test_the_file_holds_the_page_in_utf8_when_it_is_written_piece_by_piece(tmp_path):
    """write_feedback_html encodes the page's pieces one by one (``files.html_utf8``): the file
    is still exactly the page's UTF-8, a lone surrogate as "?", with characters beyond ASCII in
    a function cell, a markdown cell, an output and the summary, and a surrogate pair split
    between two cells' outputs."""
    cells = [nbs.markdown_cell("# Ünïcode ✓ 😀"),
             nbs.code_cell(nbs.COURSE_CELLS["rnn_cell_forward"].replace("# ", "# (≈2 lines) ", 1),
                           [nbs.stream("π ≈ 3.14 \ud83d\n")], 1),
             nbs.code_cell("print('x')", [nbs.stream("\ude00 tail\n")], 2),
             nbs.code_cell(nbs.COURSE_CELLS["rnn_forward"], [], 3)]
    path = tmp_path / "ada.ipynb"
    path.write_text(json.dumps(nbs.notebook(cells)), "utf-8")  # ASCII JSON: the surrogates kept
    result = dataclasses.replace(graded_result(path), messages=("naïve ≈ résumé",))
    page = feedback_html.feedback_page(result, notebook_path=path)
    assert "≈" in page and "\ud83d" in page and "\ude00" in page
    digests: dict = {}
    out = write_feedback_html(result, notebook_path=path, out_path=tmp_path / "f.html", digests=digests)
    data = out.read_bytes()
    assert data == page.encode("utf-8", "replace")
    assert digests["f.html"][0] == len(data)
    pieces = ["a ≈ b", "\ud83d", "\ude00", "plain", "😀", ""]
    assert html_utf8(pieces) == "".join(pieces).encode("utf-8", "replace")


def test_a_cell_with_outputs_is_keyed_by_its_json_without_building_an_encoder(monkeypatch):
    """``cell_key`` of a cell with outputs digests the same text as ``json.dumps`` with its
    options gave, through one encoder made once (``json.dumps`` with options made one a call)."""
    import hashlib

    cells = [
        {"cell_type": "code", "source": "print('≈ é')\n", "outputs": [
            {"output_type": "stream", "name": "stdout", "text": "≈ \ud800 x\n"}]},
        {"cell_type": "code", "source": "1", "outputs": [
            {"output_type": "execute_result", "execution_count": 3,
             "data": {"text/plain": "1", "text/html": "<b>1</b>"}, "metadata": {}}]},
    ]
    expected = []
    for cell in cells:
        outputs = [{k: v for k, v in out.items() if k != "execution_count"} for out in cell["outputs"]]
        text = json.dumps([cell["cell_type"], cell["source"], outputs], ensure_ascii=False,
                          separators=(",", ":"))
        expected.append(hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=32).digest())
    made = []
    real_init = json.JSONEncoder.__init__

    def counted(self, *args, **kwargs):
        made.append(kwargs)
        real_init(self, *args, **kwargs)

    monkeypatch.setattr(json.JSONEncoder, "__init__", counted)
    assert [feedback_html.cell_key(cell) for cell in cells] == expected
    assert made == []  # json.dumps's own default encoder is made at import, not here


def test_clean_cells_joins_each_cells_source_once(monkeypatch):
    """A source given as a list of lines is joined once per cell (for the size limits and for
    the cell itself), not once for each."""
    text = feedback_html._text
    joined: list[int] = []
    monkeypatch.setattr(feedback_html, "_text", lambda value: joined.append(id(value)) or text(value))
    raw = {"cells": [{"cell_type": "code", "source": ["a = 1\n", "b = 2"], "outputs": []},
                     {"cell_type": "markdown", "source": ["# T\n", "x"]}]}
    cells = feedback_html.clean_cells(raw)
    assert [c["source"] for c in cells] == ["a = 1\nb = 2", "# T\nx"]
    assert [joined.count(id(cell["source"])) for cell in raw["cells"]] == [1, 1]


def test_the_cell_templates_fill_in_as_format_does():
    """The page's templates (``feedback_html._Template``) are filled by joining their pieces:
    the same text as ``str.format``, values beyond Latin-1 and braces included."""
    templates = [feedback_html._MARKDOWN_CELL, feedback_html._CODE_CELL, feedback_html._OUTPUT_AREA,
                 feedback_html._OUTPUT, feedback_html._PRINTED, *feedback_html._DISPLAYED.values()]
    for template in templates:
        names = re.findall(r"(?<!\{)\{(\w+)\}", template.text)
        assert names, template.text
        values = {name: f"{name} ≈ {{x}} é \U0001f600 <b>" for name in names}
        assert template.fill(**values) == template.text.format(**values)
