"""Hostile review of session 8's changes: each test is a case that went wrong before its fix."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from grader.discover import MAX_EXTRA_FILES, find_submissions


def test_a_report_file_is_read_whatever_else_the_folder_holds(tmp_path: Path):
    """The 64-file bound (``discover.MAX_EXTRA_FILES``) kept the shallowest files, then by
    name: a report beside a notebook in ``hw3/`` came after the ``data/`` files of the same
    depth (``"data/..." < "hw3/..."``) and was silently not read, so the IMDB bonus lost its
    claims and validation statement (and the student was not told). The files the grader
    reads by name (the bonus's report files) now come first."""
    folder = tmp_path / "eve"
    (folder / "data").mkdir(parents=True)
    (folder / "hw3").mkdir()
    (folder / "hw3" / "work.ipynb").write_text("{}")
    (folder / "hw3" / "imdb_report.json").write_text('{"LSTM": 0.85}')
    for k in range(MAX_EXTRA_FILES + 6):
        (folder / "data" / f"part{k:03d}.csv").write_text("1,2\n")
    (sub,) = find_submissions(tmp_path)
    read = sub.read_extra_files()
    assert len(read) == MAX_EXTRA_FILES
    assert read.get("hw3/imdb_report.json") == b'{"LSTM": 0.85}'


def test_the_report_names_read_first_are_the_bonus_s(tmp_path: Path):
    """One list of report names: what discover reads first is what the bonus looks for."""
    from grader.discover import REPORT_FILES as read_first
    from grader.imdb.claims import REPORT_FILES

    assert tuple(read_first) == tuple(REPORT_FILES)


def test_a_quote_inside_a_plain_value_is_not_blamed_for_a_later_syntax_error():
    """``title: a 5" screen`` is valid YAML (a quote inside a plain value opens nothing), but
    ``rubric._unclosed_quote`` took every line with an odd number of double quotes for a string
    left open: an indentation mistake two lines below was reported at the title's line, with
    the advice to close a quote that needs no closing. Only a quote that starts a value counts."""
    from grader.rubric import RubricError, parse_rubric

    text = 'version: 1\nname: rnn\ntitle: a 5" screen\nparts: 3\n bad: 1\n'
    with pytest.raises(RubricError) as info:
        parse_rubric(text, path="r.yaml")
    assert info.value.line == 5, str(info.value)
    assert "quote opened" not in str(info.value) and "close it" not in str(info.value), str(info.value)


def test_the_keys_of_a_file_that_is_not_a_rubric_are_quoted_short():
    """"this file is not a rubric ... (its keys: ...)" wrote each key in full: a YAML file whose
    key is 5,000 characters (an explicit ``? key``) gave a 5,200-character message. Each key is
    now cut as the quoted lines are (``rubric._shown``, 100 characters)."""
    from grader.rubric import RubricError, parse_rubric

    with pytest.raises(RubricError) as info:
        parse_rubric("? " + "k" * 5000 + "\n: 1\nother: 2\n", path="r.yaml")
    message = str(info.value)
    assert "not a rubric" in message and "other" in message, message[:300]
    assert len(message) < 600, len(message)


def _alias_bomb(levels: int) -> bytes:
    """A YAML report of a few hundred bytes whose ``validation`` holds 9 ** levels strings once
    its aliases are followed (each level a list of nine aliases of the one below)."""
    lines = ["l0: &l0 [" + ",".join(['"aaaaaaaaaa"'] * 9) + "]"]
    lines += [f"l{i}: &l{i} [" + ",".join([f"*l{i - 1}"] * 9) + "]" for i in range(1, levels)]
    lines.append(f"validation: {{split: 0.2, from: *l{levels - 1}}}")
    return "\n".join(lines).encode()


def test_a_yaml_report_file_with_aliases_is_not_read():
    """Attack: a 440-byte ``imdb_report.yaml`` whose aliases nest nine lists in nine lists seven
    deep. PyYAML shares the aliased lists, but the bonus wrote the validation statement with
    ``json.dumps`` (and ``str``), which follows every alias: 2 s and 230 MB of a worker at seven
    levels, nine times that at each level more (eight: 18 s and 1.5 GB; nine: the worker, or
    the machine, runs out of memory), outside the sandbox and its limits, for 500 bytes. A
    report file's YAML may now hold no alias: it is not read, and the feedback says why."""
    from grader.imdb.claims import read_report_file

    data, error = read_report_file("imdb_report.yaml", _alias_bomb(7))
    assert data is None and error is not None and "alias" in error, error


def test_a_scored_notebook_with_an_alias_bomb_beside_it_says_the_report_was_not_read():
    """The same file beside a notebook: the bonus's feedback names it, at no cost.
    Signal: a work count, the peak of memory allocated while scoring (tracemalloc): following
    the aliases built 200 MB; refusing them allocates about 20 kB (bound: 2 MB). Not seconds."""
    import tracemalloc

    from grader.imdb import score
    from grader.imdb.config import ImdbConfig
    from grader.notebook import Cell, Notebook

    nb = Notebook(path="student.ipynb", nbformat=(4, 5),
                  cells=(Cell(0, "markdown", "The LSTM reached 86% test accuracy.", ()),))
    score.clear_memos()
    score.score_imdb(nb, config=ImdbConfig(), extra_files={"imdb_report.yaml": b"test_accuracy: 0.86\n"})
    score.clear_memos()  # the imports and one scoring done: what is measured is this file's cost
    tracemalloc.start()
    try:
        result = score.score_imdb(nb, config=ImdbConfig(), extra_files={"imdb_report.yaml": _alias_bomb(7)})
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 2 * 2**20, peak
    assert any("imdb_report.yaml" in line and "alias" in line for line in result.feedback), result.feedback


def _notebook_of(sources: list[str]) -> Any:
    """A notebook of these code cells."""
    from grader.notebook import Cell, Notebook

    return Notebook(path="student.ipynb", nbformat=(4, 5),
                    cells=tuple(Cell(k, "code", src, ()) for k, src in enumerate(sources)))


def _sums_of_nones(terms: int, *, statements: int = 2) -> Any:
    """Two cells, each a function of ``statements`` statements ``y = None + ... + None`` of ``terms`` terms."""
    chain = "    y = " + " + ".join(["None"] * terms) + "\n"
    return _notebook_of([f"def f{c}(x):\n" + chain * statements + "    return y\n" for c in range(2)])


def _powers_of_nones(lines: int, *, statements: int = 1) -> Any:
    """Two cells, each a function of ``statements`` statements ``y = None ** \\`` over ``lines`` lines."""
    chain = "    y = " + "None ** \\\n        " * lines + "None\n"
    return _notebook_of([f"def f{c}(x):\n" + chain * statements + "    return y\n" for c in range(2)])


class _CountedLines(list):
    """A cell's lines that count how many of them are read."""

    def __init__(self, lines: Any, visits: list[int]) -> None:
        super().__init__(lines)
        self.visits = visits

    def __getitem__(self, index: Any) -> Any:
        self.visits[0] += 1
        return super().__getitem__(index)


def _nodes_written(notebook: Any, monkeypatch: pytest.MonkeyPatch) -> int:
    """How many tree nodes ``ast``'s unparser visits (the short snippet writer's and a plain
    ``ast.unparse``'s alike), plus how many lines the snippets are read from
    (``hintcode.written_text``, as ``placeholders`` calls it), while ``grader.extract.extract`` reads ``notebook``, memos emptied."""
    import ast

    from grader import placeholders
    from grader.extract import clear_memos, extract

    visits = [0]
    traverse = ast._Unparser.traverse
    written = placeholders.written_text

    def counted(self, node):
        visits[0] += 1
        return traverse(self, node)

    def counted_lines(node, lines, **bounds):
        return written(node, _CountedLines(lines, visits), **bounds)

    clear_memos()
    with monkeypatch.context() as patch:
        patch.setattr(ast._Unparser, "traverse", counted)
        patch.setattr(placeholders, "written_text", counted_lines)
        extract(notebook)
    clear_memos()
    return visits[0]


def test_a_long_chain_of_none_operands_costs_extraction_a_linear_time(monkeypatch, default_recursion_limit):
    """Attack: statements ``y = None + None + ... + None`` of 1,900 terms, seven to a function, in
    two cells within the size limits (186 kB of code). Every ``+`` is a placeholder candidate,
    and ``placeholders.none_placeholders`` wrote each one's snippet with ``ast.unparse`` of its whole
    subtree before keeping one finding per line: quadratic, 80 s of a worker's CPU for one
    submission, outside the sandbox (which a class of such notebooks multiplies). Now only the
    outermost candidate of a line is written out, and no further than a snippet needs.
    Signal: a work count, the nodes the unparser visits and the lines snippets are read from,
    the same for chains of 350 and 2,800 terms (not seconds)."""
    from grader.extract import extract

    extraction = extract(_sums_of_nones(400, statements=7))
    assert extraction.functions["f0"].placeholder
    # The student's text of the outermost `+` (as a short chain says it), not ast.unparse's.
    assert "line 2: `None + None + None" in extraction.functions["f0"].placeholder_detail
    assert "(and 4 more)" in extraction.functions["f0"].placeholder_detail
    short, long = (_nodes_written(_sums_of_nones(n, statements=1), monkeypatch) for n in (350, 2800))
    assert 0 < long == short, (short, long)


def test_a_chain_of_powers_over_many_lines_costs_extraction_a_linear_time(monkeypatch, default_recursion_limit):
    """The same with ``None ** \\`` on each of 1,500 lines (a right-nested chain: a candidate
    on every line, each ``ast.unparse`` writing the whole chain below it): 6 statements in two
    cells cost 30 s. Now each snippet is written only as far as it shows (and only for the
    lines the note shows).
    Signal: a work count, the nodes the unparser visits and the lines snippets are read from,
    the same for chains over 150 and 1,200 lines (not seconds)."""
    from grader.extract import extract

    detail = extract(_powers_of_nones(300, statements=3)).functions["f0"].placeholder_detail
    assert detail.startswith("line 2: `None ** None ** None") and detail.endswith("(and 897 more)"), detail
    short, long = (_nodes_written(_powers_of_nones(n), monkeypatch) for n in (150, 1200))
    assert 0 < long == short, (short, long)


def test_a_large_yaml_report_is_not_parsed():
    """rv8's finding 6: a 256 KiB YAML report (a flow list) took 5-6 s of a worker to parse with
    the pure-Python loader, three such files about 15 s. YAML over 16 KB is not read (a report
    is a few hundred bytes); JSON, parsed in C, keeps its 256 KB."""
    import json

    from grader.imdb.claims import read_report_file

    items = ", ".join("0.85" for _ in range(60_000))
    data = f"accuracies: [{items}]\n".encode()
    value, error = read_report_file("imdb_report.yaml", data)
    assert value is None and "larger than 16 KB" in error  # refused by its size, unread
    small = b"best_accuracy: 0.85\nvalidation_split: 0.2\n"
    assert read_report_file("imdb_report.yaml", small) == ({"best_accuracy": 0.85, "validation_split": 0.2}, None)
    as_json = json.dumps({"accuracies": [0.85] * 30_000}).encode()
    assert len(as_json) > 16 * 1024 and read_report_file("imdb_report.json", as_json)[1] is None
