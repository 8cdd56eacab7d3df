"""docs/similarity.md's API section against ``grader.similarity``: the defaults its example call
gives, the ``stats`` keys it lists and the CSV columns (thirty-sixth session, the docs read against
the tool: cheap to drift, so pinned)."""
from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path

from grader.similarity import CSV_COLUMNS, find_similar

PAGE = (Path(__file__).resolve().parent.parent / "docs" / "similarity.md").read_text(encoding="utf-8")
API = PAGE[PAGE.index("## API"):PAGE.index("## Method")]


def test_the_example_call_gives_find_similar_s_defaults():
    call = re.search(r"report = find_similar\((.*?)\nwrite_similarity_csv", API, re.S).group(1)
    said = dict(re.findall(r"(\w+)=([\w.\"']+)", call))
    defaults = {name: param.default for name, param in inspect.signature(find_similar).parameters.items()}
    checked = 0
    for name, text in said.items():
        try:
            value = ast.literal_eval(text)
        except ValueError:
            continue  # a variable of the example (starter, digests)
        assert defaults[name] == value, (name, text, defaults[name])
        checked += 1
    assert checked >= 9  # threshold, common_fraction, k, window, min_shared, max_pairs, measure, ...


def test_the_stats_listed_are_find_similar_s():
    bullet = API[API.index("`stats` ("):]
    bullet = bullet[:bullet.index("\n* ")]
    named = set(re.findall(r"`(\w+)`", bullet))
    assert {"alike_with_common", "known_with_common"} <= named  # a small class's; a known solution's hidden pairs
    listed = named - {"stats", "alike_with_common", "known_with_common"}
    source = "def rnn_cell_forward(xt, a_prev, parameters):\n    return np.tanh(xt @ a_prev)\n"
    report = find_similar({"a": {"rnn_cell_forward": source}, "b": {"rnn_cell_forward": source}})
    assert listed == set(report.stats)


def test_the_csv_columns_listed_are_written():
    bullet = API[API.index("`similarity.csv` columns:"):]
    bullet = bullet[:bullet.index("\n* ")]
    said = re.sub(r"\([^()]*\)", "", bullet.split("columns:")[1].split("then")[0])  # (0/1), (as ...)
    listed = [name.strip() for span in re.findall(r"`([^`]+)`", said) for name in span.split(",")]
    assert tuple(listed) == CSV_COLUMNS
