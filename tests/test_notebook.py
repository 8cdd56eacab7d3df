"""Tests of grader.notebook: reading submissions, and every way a file can be broken.

All notebooks are built here with nbformat or by hand; nothing is copied.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import nbformat
import pytest
from nbformat import v3, v4

from grader.notebook import Cell, Notebook, SubmissionError, load


def _write_v4(path: Path, cells: list, minor: int = 5) -> Path:
    """Write ``cells`` as an nbformat 4.``minor`` notebook at ``path``."""
    nb = v4.new_notebook(cells=cells)
    nb.nbformat_minor = minor
    path.write_text(nbformat.writes(nb, version=4), encoding="utf-8")
    return path


def test_v4_cells_sources_and_outputs(tmp_path: Path) -> None:
    code = v4.new_code_cell(
        "x = 1\nprint(x)",
        outputs=[
            v4.new_output("stream", name="stdout", text="1\n"),
            v4.new_output("execute_result", data={"text/plain": "array([1, 2])", "text/html": "<b>x</b>"},
                          execution_count=1),
            v4.new_output("display_data", data={"image/png": "iVBORw0KGgo="}),
            v4.new_output("error", ename="NameError", evalue="name 'Wy' is not defined", traceback=[]),
        ],
    )
    path = _write_v4(tmp_path / "a.ipynb", [v4.new_markdown_cell("# Title"), code, v4.new_raw_cell("raw")])
    nb = load(path)
    assert isinstance(nb, Notebook)
    assert nb.path == str(path)
    assert nb.nbformat == (4, 5)
    assert [c.kind for c in nb.cells] == ["markdown", "code", "raw"]
    assert [c.index for c in nb.cells] == [0, 1, 2]
    cell = nb.cells[1]
    assert cell.source == "x = 1\nprint(x)"
    assert cell.outputs == ("1\n", "array([1, 2])", "", "NameError: name 'Wy' is not defined")
    assert nb.code_cells == (cell,)


def test_source_as_list_of_lines_is_joined(tmp_path: Path) -> None:
    raw = {
        "nbformat": 4, "nbformat_minor": 2, "metadata": {},
        "cells": [{"cell_type": "code", "metadata": {}, "execution_count": None,
                   "source": ["def f(x):\n", "    return x\n"],
                   "outputs": [{"output_type": "stream", "name": "stdout", "text": ["a\n", "b\n"]}]}],
    }
    path = tmp_path / "list.ipynb"
    path.write_text(json.dumps(raw), encoding="utf-8")
    nb = load(path)
    assert nb.cells[0].source == "def f(x):\n    return x\n"
    assert nb.cells[0].outputs == ("a\nb\n",)
    assert nb.nbformat == (4, 2)


@pytest.mark.parametrize("minor", [0, 1, 2, 3, 4, 5])
def test_every_v4_minor_version_reads(tmp_path: Path, minor: int) -> None:
    raw = {"nbformat": 4, "nbformat_minor": minor, "metadata": {},
           "cells": [{"cell_type": "code", "metadata": {}, "source": "y = 2", "outputs": [],
                      "execution_count": None}]}
    path = tmp_path / f"m{minor}.ipynb"
    path.write_text(json.dumps(raw), encoding="utf-8")
    nb = load(path)
    assert nb.nbformat == (4, minor)
    assert nb.cells[0].source == "y = 2"


def test_v3_notebook_is_converted(tmp_path: Path) -> None:
    ws = v3.new_worksheet(cells=[
        v3.new_text_cell("markdown", source="Intro"),
        v3.new_code_cell(input="def g():\n    return 3", outputs=[
            v3.new_output("stream", output_text="hello\n", stream="stdout"),
            v3.new_output("pyout", output_text="3", prompt_number=1),
            v3.new_output("pyerr", ename="ValueError", evalue="bad", traceback=[]),
        ]),
        v3.new_heading_cell("Part 2", level=2),
    ])
    nb3 = v3.new_notebook(worksheets=[ws])
    path = tmp_path / "old.ipynb"
    path.write_text(v3.writes_json(nb3), encoding="utf-8")
    nb = load(path)
    assert nb.nbformat[0] == 3
    assert [c.kind for c in nb.cells] == ["markdown", "code", "markdown"]
    assert nb.cells[1].source == "def g():\n    return 3"
    assert nb.cells[1].outputs == ("hello\n", "3", "ValueError: bad")


def test_py_file_is_one_code_cell(tmp_path: Path) -> None:
    path = tmp_path / "sub.py"
    path.write_text("# In[1]:\nimport numpy as np\n\n# In[2]:\ndef f():\n    return 1\n", encoding="utf-8")
    nb = load(path)
    assert nb.nbformat == (0, 0)
    assert len(nb.cells) == 1 and nb.cells[0].kind == "code"
    assert "def f()" in nb.cells[0].source


def test_outputs_keep_ansi_and_carriage_returns(tmp_path: Path) -> None:
    text = "\x1b[31mred\x1b[0m\rEpoch 1/3\b\n"
    code = v4.new_code_cell("print()", outputs=[v4.new_output("stream", name="stdout", text=text)])
    nb = load(_write_v4(tmp_path / "ansi.ipynb", [code]))
    assert nb.cells[0].outputs == (text,)


def test_results_are_frozen(tmp_path: Path) -> None:
    nb = load(_write_v4(tmp_path / "f.ipynb", [v4.new_code_cell("x = 1")]))
    with pytest.raises(AttributeError):
        nb.cells[0].source = "y"  # type: ignore[misc]
    assert isinstance(nb.cells, tuple) and isinstance(nb.cells[0], Cell)


# ---------------------------------------------------------------- broken files


def _expect_error(path: Path, fragment: str, **kw) -> str:
    """Assert load(path) raises SubmissionError naming the file and containing ``fragment``."""
    with pytest.raises(SubmissionError) as info:
        load(path, **kw)
    message = str(info.value)
    assert message.startswith(str(path) + ": "), message
    assert fragment in message, message
    return message


def test_not_json(tmp_path: Path) -> None:
    path = tmp_path / "x.ipynb"
    path.write_text("this is { not json", encoding="utf-8")
    _expect_error(path, "not JSON")


def test_truncated_json_names_the_byte(tmp_path: Path) -> None:
    full = _write_v4(tmp_path / "full.ipynb", [v4.new_code_cell("def f():\n    return 1\n" * 20)])
    data = full.read_bytes()
    for cut in (len(data) // 3, len(data) // 2, len(data) - 3):
        path = tmp_path / f"cut{cut}.ipynb"
        path.write_bytes(data[:cut])
        _expect_error(path, f"not JSON (truncated at byte {cut})")


def test_empty_and_whitespace_files(tmp_path: Path) -> None:
    for name, data in (("empty.ipynb", b""), ("blank.ipynb", b"  \n\n"), ("empty.py", b"")):
        path = tmp_path / name
        path.write_bytes(data)
        _expect_error(path, "empty file")


def test_binary_files(tmp_path: Path) -> None:
    png = tmp_path / "shot.ipynb"
    png.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    _expect_error(png, "binary")
    latin = tmp_path / "latin.ipynb"
    latin.write_bytes(b'{"cells": "\xe9\xff"}')
    _expect_error(latin, "not UTF-8")
    # Thirty-second session: both were "binary file, not a notebook (contains NUL bytes)".
    wide = tmp_path / "wide.ipynb"
    wide.write_bytes('{"cells": [], "nbformat": 4}'.encode("utf-16"))
    _expect_error(wide, "text in UTF-16 (as Windows PowerShell's `>` writes it)")
    packed = tmp_path / "packed.ipynb"
    import gzip

    packed.write_bytes(gzip.compress(b'{"cells": [], "nbformat": 4}'))
    _expect_error(packed, "a gzip-compressed file, not a notebook; unpack it")


@pytest.mark.parametrize("content, fragment", [
    ("[1, 2, 3]", "not a notebook"),
    ('{"hello": "world"}', "not a notebook"),
    ('{"cells": [], "metadata": {}}', "no nbformat version"),
    ('{"nbformat": 4, "nbformat_minor": 5, "metadata": {}}', '"cells" is missing'),
    ('{"nbformat": 4, "nbformat_minor": 5, "cells": [1, 2]}', "cell 0 is not an object"),
    ('{"nbformat": 5, "nbformat_minor": 0, "cells": []}', "unsupported notebook format 5.0"),
    ('{"nbformat": 2, "nbformat_minor": 0, "worksheets": []}', "unsupported notebook format 2.0"),
])
def test_json_that_is_not_a_notebook(tmp_path: Path, content: str, fragment: str) -> None:
    path = tmp_path / "odd.ipynb"
    path.write_text(content, encoding="utf-8")
    _expect_error(path, fragment)


def test_too_big(tmp_path: Path) -> None:
    path = _write_v4(tmp_path / "big.ipynb", [v4.new_code_cell("x = 1\n" * 1000)])
    _expect_error(path, "too big", max_bytes=1000)


def test_missing_file(tmp_path: Path) -> None:
    _expect_error(tmp_path / "nope.ipynb", "cannot read")


def test_tolerates_odd_cells(tmp_path: Path) -> None:
    raw = {"nbformat": 4, "nbformat_minor": 4, "metadata": {}, "cells": [
        {"cell_type": "code", "source": None, "outputs": "junk"},
        {"cell_type": "strange", "source": "x"},
        {"cell_type": "code", "source": ["a = 1"], "outputs": [{"output_type": "stream"}, 5]},
    ]}
    path = tmp_path / "odd_cells.ipynb"
    path.write_text(json.dumps(raw), encoding="utf-8")
    nb = load(path)
    assert [c.kind for c in nb.cells] == ["code", "raw", "code"]
    assert nb.cells[0].source == "" and nb.cells[0].outputs == ()
    assert nb.cells[2].outputs == ("",)


def test_lines_that_are_not_strings_are_left_out_of_a_source(tmp_path: Path) -> None:
    raw = {"nbformat": 4, "nbformat_minor": 4, "metadata": {}, "cells": [
        {"cell_type": "code", "source": ["a = 1\n", 7, None, "b = 2\n", ["c"]], "outputs": [
            {"output_type": "stream", "text": ["x", {"y": 1}, "z"]}]},
        {"cell_type": "markdown", "source": ["# t", "itle"]},
    ]}
    path = tmp_path / "mixed_lines.ipynb"
    path.write_text(json.dumps(raw), encoding="utf-8")
    nb = load(path)
    assert nb.cells[0].source == "a = 1\nb = 2\n" and nb.cells[0].outputs == ("xz",)
    assert nb.cells[1].source == "# title"


def test_the_size_limit_holds_at_the_byte_and_for_a_file_that_grows(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "exact.py"
    path.write_bytes(b"x = 1\n" * 100)  # 600 bytes
    assert load(path, max_bytes=600).cells[0].source == "x = 1\n" * 100
    _expect_error(path, "too big", max_bytes=599)
    # The file grew between the size check and the read: it is read on, up to the limit.
    import grader.notebook as notebook_module

    real_fstat = os.fstat

    class _Smaller:
        def __init__(self, st):
            self.st_size = st.st_size // 3
    monkeypatch.setattr(notebook_module.os, "fstat", lambda fd: _Smaller(real_fstat(fd)))
    assert notebook_module._read(str(path), 600) == b"x = 1\n" * 100
    with pytest.raises(SubmissionError, match="too big"):
        notebook_module._read(str(path), 599)


def _big_outputs_notebook(path: Path, megabytes: int) -> Path:
    """A notebook whose outputs weigh about ``megabytes`` MB (a training log printed forever)."""
    chunk = "Epoch 1/10 - loss: 0.6931 - accuracy: 0.5000\r" * 20 + "\n"
    per_output = chunk * (2**20 // len(chunk))
    cells = [v4.new_code_cell(f"def f{i}(x):\n    return x + {i}\n",
                              outputs=[v4.new_output("stream", name="stdout", text=per_output)])
             for i in range(megabytes)]
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(v4.new_notebook(cells=cells), fh)
    return path


def test_large_outputs_read_quickly(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """10 MB of outputs (a training log) are read as they are: JSON parsed once and walked by
    hand, no nbformat reading, conversion or validation (seconds of schema checks for such a
    file). Signal: a work count, calls of nbformat's readers and validators (none), not seconds."""
    import nbformat.reader
    import nbformat.validator

    path = _big_outputs_notebook(tmp_path / "log.ipynb", 10)
    calls: list[str] = []
    for module in (nbformat, nbformat.reader, nbformat.validator):
        for name in ("read", "reads", "validate", "iter_validate", "isvalid", "from_dict", "convert"):
            real = getattr(module, name, None)
            if real is not None:
                def spy(*args, _real=real, _name=f"{module.__name__}.{name}", **kwargs):
                    calls.append(_name)
                    return _real(*args, **kwargs)
                monkeypatch.setattr(module, name, spy)
    nb = load(path)
    assert calls == []
    assert len(nb.cells) == 10
    assert sum(len(o) for c in nb.cells for o in c.outputs) > 9 * 2**20
    assert nb.cells[3].outputs[0].startswith("Epoch 1/10 - loss: 0.6931 - accuracy: 0.5000\r")


@pytest.mark.slow
def test_hundred_megabytes_of_outputs(tmp_path: Path) -> None:
    path = _big_outputs_notebook(tmp_path / "huge.ipynb", 100)
    assert os.path.getsize(path) > 100 * 2**20
    nb = load(path)
    assert len(nb.cells) == 100
    _expect_error(path, "too big", max_bytes=50 * 2**20)


# -- per-process memos of pure functions of text ----------------------------------------------


def test_source_memo_stores_on_second_sight_and_returns_the_functions_value() -> None:
    from grader.notebook import SourceMemo

    calls: list[tuple] = []

    def shout(text: str, *extra: object) -> tuple:
        calls.append((text, *extra))
        return (text.upper(), extra)

    memo = SourceMemo(shout)
    assert memo("ab") == ("AB", ()) and len(memo) == 0  # first sight: computed, not stored
    assert memo("ab") == ("AB", ()) and len(memo) == 1  # second sight: stored
    assert memo("ab") == ("AB", ()) and calls.count(("ab",)) == 2 and memo.hits == 1
    # extra arguments are part of the key: another notebook's names give another value
    assert memo("ab", frozenset({"f"})) == ("AB", (frozenset({"f"}),))
    assert memo("ab", frozenset({"g"})) == ("AB", (frozenset({"g"}),))
    memo.clear()
    assert len(memo) == 0 and memo.chars == 0 and memo.hits == 0


def test_source_memo_kept_at_first_sight_computes_each_value_once() -> None:
    """A memo asked again within one submission (the hints of a failed part) keeps a value the first
    time: the default computed it twice, at the first two asks."""
    from grader.notebook import SourceMemo

    calls: list[str] = []
    memo = SourceMemo(lambda text: calls.append(text) or text.upper(), max_entries=2, keep_at_first_sight=True)
    assert memo("ab") == "AB" and len(memo) == 1 and memo("ab") == "AB" and calls == ["ab"] and memo.hits == 1
    for text in ("cd", "ef", "ab"):  # still bounded: "ab" went first
        memo(text)
    assert len(memo) == 2 and calls == ["ab", "cd", "ef", "ab"]


def test_source_memo_is_bounded_in_entries_characters_and_key_size() -> None:
    from grader.notebook import SourceMemo

    memo = SourceMemo(lambda t: len(t), max_entries=3, max_chars=10, max_key_chars=6)
    for text in ("a", "bb", "ccc", "dddd"):
        memo(text)
        memo(text)
    assert len(memo) <= 3 and memo.chars <= 10
    assert memo("a") == 1  # evicted or not, the value is the function's
    big = "x" * 7
    for _ in range(3):
        assert memo(big) == 7
    assert all(key != big for key in memo._store) and memo.chars <= 10  # too long to keep
    tuple_key = ("12345", "67")  # a tuple of strings counts its characters
    for _ in range(3):
        assert memo(tuple_key) == 2
    assert tuple_key not in memo._store


def test_source_memo_full_never_mixes_values_up() -> None:
    from grader.notebook import SourceMemo

    memo = SourceMemo(lambda t, n: f"{t}:{n}", max_entries=2)
    expected = {}
    for round_ in range(5):
        for k in range(7):
            text, n = f"cell {k % 4}", k % 3
            assert memo(text, n) == f"{text}:{n}"
            expected[(text, n)] = f"{text}:{n}"
    assert len(memo) == 2
    assert all(memo._store[key][1] == expected[key] for key in memo._store)


@pytest.mark.parametrize("source, kept", [
    ("x = 1\n# student 3: tested", "x = 1"),
    ("x = 1\n\n  # note\n\t\n", "x = 1"),
    ("# only a comment", ""),
    ("x = 1 \\\n# continued into the comment", "x = 1 \\\n# continued into the comment"),
    ("s = '''\n# inside the string'''", "s = '''\n# inside the string'''"),
    ("x = 1\n# it's quoted", "x = 1\n# it's quoted"),
    ("x = 1\n# a NUL \x00", "x = 1\n# a NUL \x00"),
    ("x = 1\n# sep \u2028 y = 2", "x = 1\n# sep \u2028 y = 2"),
    ("x = 1\n\u3000\n", "x = 1\n\u3000"),
    ("x = 1\n# note\ny = 2", "x = 1\n# note\ny = 2"),
])
def test_without_trailing_comments_drops_only_lines_that_cannot_matter(source: str, kept: str) -> None:
    import ast

    from grader.notebook import without_trailing_comments

    assert without_trailing_comments(source) == kept

    def parsed(text: str) -> str:
        try:
            return ast.dump(ast.parse(text), include_attributes=True)
        except (SyntaxError, ValueError) as exc:
            return type(exc).__name__

    if kept != source:
        assert parsed(kept) == parsed(source)


@pytest.mark.parametrize("source, said", [
    (42, "a number"), (None, "null"), ({"code": "x"}, "an object"), (True, "true"),
    (["a = 1\n", 7], "a list holding a number"),
])
def test_a_code_cell_whose_source_is_not_text_says_what_it_is(tmp_path: Path, source, said) -> None:
    raw = {"nbformat": 4, "nbformat_minor": 4, "metadata": {}, "cells": [
        {"cell_type": "code", "source": source, "outputs": []},
        {"cell_type": "code", "source": ["b = 2\n"], "outputs": []},  # the control: text, nothing said
        {"cell_type": "markdown", "source": 5},  # no code is lost in a markdown cell
        {"cell_type": "code", "outputs": []},  # no "source" at all: an empty cell
    ]}
    path = tmp_path / "odd_source.ipynb"
    path.write_text(json.dumps(raw), encoding="utf-8")
    cells = load(path).cells
    assert [c.unreadable for c in cells] == [said, "", "", ""]


def test_a_function_in_a_cell_saved_as_a_number_is_missing_with_the_reason(tmp_path, context, sandbox) -> None:
    """It was dropped silently: the student read "No function named `rnn_forward` was found" and
    looked at a notebook that, in Jupyter's memory, had it."""
    from grader.extract import extract
    from grader.models import MISSING, PASSED
    from grader.report import feedback_markdown
    from grader.runner import grade_submission
    from tests import notebooks as nbs

    nb = nbs.course_notebook()
    [cell] = [c for c in nb["cells"] if "".join(c["source"]).startswith("def rnn_forward")
              or "\ndef rnn_forward(" in "".join(c["source"])]
    cell["source"] = 42
    path = nbs.write(tmp_path / "ada.ipynb", nb)
    index = nb["cells"].index(cell)
    where = f"cell {index + 1} (In [{cell['execution_count']}])"
    [note] = [d for d in extract(load(path)).diagnostics if "not as text" in d.message]
    assert note.severity == "error" and note.cell_index == index
    assert note.message.startswith(f"The code of {where} is saved as a number, not as text, so the grader "
                                   "read no code in it: a function defined there counts as missing.")
    result = grade_submission(path, context=context, sandbox=sandbox)
    part = result.part("rnn_forward")
    assert part.status == MISSING
    assert part.cases[0].message == (
        f"No function named `rnn_forward` was found in the notebook. The code of {where} is not saved as "
        "text, so the grader could not read it all (see the note about it): it may be there.")
    assert result.part("rnn_cell_forward").status == PASSED  # the other cells are read as before
    assert feedback_markdown(result).count("is saved as a number") == 1


def test_a_notebook_with_git_merge_conflict_markers_is_named_as_such(tmp_path):
    """Thirty-fourth session (helper real): a real notebook held a merge's markers inside a cell's
    metadata and was told "not JSON (Expecting property name enclosed in double quotes at line 468,
    ...)", then to look for a damaged copy."""
    from grader.classsummary import unreadable_reason
    from tests import notebooks as nbs

    text = json.dumps(nbs.course_notebook(), indent=1).splitlines(keepends=True)
    text[5:5] = ["<<<<<<< HEAD\n", "=======\n", '    "collapsed": true,\n', ">>>>>>> 6aa74a2\n"]
    path = tmp_path / "merged.ipynb"
    path.write_text("".join(text), encoding="utf-8")
    with pytest.raises(SubmissionError) as raised:
        load(path)
    said = str(raised.value)
    assert said.endswith("merged.ipynb: git merge-conflict markers in the file (`<<<<<<<` at line 6): a merge left "
                         "both versions of some lines in it, which is not JSON; resolve the conflict (keep one "
                         "version, delete the marker lines), check that the notebook opens in Jupyter, and submit it "
                         "again"), said
    assert unreadable_reason([said]) == "git merge-conflict markers in the file"
    # Control: a "<<<<<<<" line with no "=======" and ">>>>>>>" after it is only broken JSON.
    path.write_text("".join(text[:6] + text[9:]), encoding="utf-8")
    with pytest.raises(SubmissionError, match=r"not JSON \("):
        load(path)
