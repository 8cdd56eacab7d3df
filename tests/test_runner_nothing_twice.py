"""The grading worker's own work per submission (eleventh session): nothing computed twice.

These tests count calls (parses, compiles), never clocks.
"""
from __future__ import annotations

import pytest

from grader.imdb import ImdbConfig, score_imdb
from grader.imdb import source as imdb_source
from grader.notebook import Cell, Notebook, SourceMemo
from tests.notebooks import imdb_cells


def _bonus_notebook(tag: str) -> Notebook:
    """The bonus cells of ``tests.notebooks`` with a student's own comment inside every code
    cell (so no cell's text was met before), as a ``Notebook``."""
    cells = []
    for k, cell in enumerate(imdb_cells()):
        source = "".join(cell["source"])
        outputs = tuple("".join(out.get("text", "")) for out in cell.get("outputs", ()))
        if cell["cell_type"] == "code":
            source = f"# {tag}, cell {k}\n{source}"
        cells.append(Cell(index=k, kind=cell["cell_type"],
                          source=source, outputs=outputs))
    return Notebook(path=f"{tag}.ipynb", cells=tuple(cells), nbformat=(4, 5))


def test_memo_via_computes_a_miss_with_the_callers_function_under_the_same_rules():
    calls = []
    memo = SourceMemo(lambda text: calls.append(text) or text.upper())
    assert memo.via(lambda: "AB", "ab") == "AB" and calls == []  # first sight: not stored
    assert memo.via(lambda: "AB", "ab") == "AB" and len(memo) == 1  # second: stored
    assert memo("ab") == "AB" and memo.hits == 1 and calls == []
    assert memo.via(None, "cd") == "CD" and calls == ["cd"]


def test_a_bonus_cell_is_parsed_once_per_notebook(monkeypatch):
    """A cell the bonus parses to decide whether to walk the notebook, then walks, then reads
    for the numbers its code spells out, is parsed once (the memos keep a value only the
    second time it is asked for)."""
    imdb_source.clear_memos()
    parsed: list[str] = []
    real = imdb_source._parse_tolerant

    def counting(text, *args, **kwargs):
        parsed.append(text)
        return real(text, *args, **kwargs)

    monkeypatch.setattr(imdb_source, "_parse_tolerant", counting)
    notebook = _bonus_notebook("student 1")
    result = score_imdb(notebook, config=ImdbConfig(), extra_files={})
    assert result.points > 0 and [m.alternative for m in result.models] == ["SimpleRNN", "LSTM", "GRU"]
    code_cells = [c for c in notebook.cells if c.kind == "code"]
    assert parsed and len(parsed) == len(set(parsed)) <= len(code_cells)
    imdb_source.clear_memos()


@pytest.mark.parametrize("rounds", [2])
def test_parsing_once_keeps_the_bonus_s_result(rounds):
    """The same notebook scored with cold memos, then warm: the same result."""
    imdb_source.clear_memos()
    notebook = _bonus_notebook("student 2")
    results = [score_imdb(notebook, config=ImdbConfig(), extra_files={}) for _ in range(rounds)]
    assert all(r == results[0] for r in results)
