"""The messages docs/rubrics.md shows (its "Errors" examples, the YAML syntax errors, the case
names written without quotes; its warnings are test_regenerate_blind_cases') are what the loader
says about the shipped ``rubrics/rnn.yaml`` edited the way each describes, line numbers included: a
reader who makes the edit finds the line the page names. Thirty-fifth session: five of the examples
named a line of the rubric holding no such thing (``rnn.yaml:83``, its ``outputs:``, for a key of a
case; ``rnn.yaml:1``, a comment, for ``version:``), and one stopped half-way through its message."""
from __future__ import annotations

from pathlib import Path

import pytest

from grader.rubric import RubricError, load_rubric

REPO = Path(__file__).resolve().parent.parent
PAGE = (REPO / "docs" / "rubrics.md").read_text(encoding="utf-8")
RUBRIC = (REPO / "rubrics" / "rnn.yaml").read_text(encoding="utf-8")

#: A distinctive part of each example -> the edit that makes it: (line, text of that line, replacement).
EDITS = {
    "unknown key 'point'": (88, "points: 3}", "point: 3}"),
    "rtol must not be negative": (65, "rtol: 1.0e-5", "rtol: -1.0e-5"),
    "seed must be a single value": (88, "seed: 1,", "seed: [1],"),
    "unknown output 'dxt_'": (132, "points: 5}", "points: 5, outputs: [dxt_]}"),
    "unknown check 'alclose'": (73, "weight: 1}", "weight: 1, check: alclose}"),
    "rubric version 2": (56, "version: 1", "version: 2"),
    "not 7.0": (77, "seed: 11,", "seed: 7.0,"),
    "is written `010`": (77, "seed: 11,", "seed: 010,"),
    "a part has no key 'points'": (139, "    mutation_weight: 0.1", "    points: 20\n    mutation_weight: 0.1"),
    "expected '-' indicator": (83, "    outputs:", "   outputs:"),
    "found a tab character": (83, "    outputs:", "\toutputs:"),
    "could not find expected ':'": (82, "mutation_weight: 0.1", "mutation_weight:0.1"),
    "after a quote opened": (58, 'Network"', "Network"),
    "unknown key 'a_next to 1e-9'": (78, "name: narrow hidden state", "name: narrow, a_next to 1e-9"),
    "case name must be a single value": (78, "name: narrow hidden state", "name: [m = 1]"),
    "case name is written `no`": (78, "name: narrow hidden state", "name: no"),
}


def examples(prefix: str) -> list[str]:
    """The lines of the page's code blocks that start with ``prefix``."""
    found, inside = [], False
    for line in PAGE.splitlines():
        if line.startswith("```"):
            inside = not inside
        elif inside and line.startswith(prefix):
            found.append(line)
    return found


def edited(tmp_path: Path, line: int, old: str, new: str) -> Path:
    """A copy of rubrics/rnn.yaml, named so, with ``old`` on ``line`` replaced by ``new``, beside
    a copy of its fixtures."""
    lines = RUBRIC.split("\n")
    assert old in lines[line - 1], (line, lines[line - 1])
    lines[line - 1] = lines[line - 1].replace(old, new, 1)
    folder = tmp_path / "rubrics"
    (folder / "fixtures").mkdir(parents=True)
    for name in ("rnn.public.json", "rnn.hidden.json"):
        (folder / "fixtures" / name).write_bytes((REPO / "rubrics" / "fixtures" / name).read_bytes())
    path = folder / "rnn.yaml"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def said_as_shown(said: str, shown: str) -> bool:
    """The page's line is what was said, or, where it writes ``...``, what was said around it."""
    if "..." not in shown:
        return said == shown
    start, end = shown.split("...", 1)
    return said.startswith(start) and said.endswith(end) and len(said) >= len(start) + len(end)


def test_the_examples_are_all_matched_to_an_edit():
    shown = examples("rubrics/rnn.yaml:")
    assert len(shown) == len(EDITS), shown
    assert sorted(next(k for k in EDITS if k in line) for line in shown) == sorted(EDITS)
    assert said_as_shown("a b (known keys: x, y)", "a b (known keys: ...)")
    assert not said_as_shown("a c", "a b ...")


@pytest.mark.parametrize("key", sorted(EDITS))
def test_each_error_example_is_what_the_loader_says(key, tmp_path):
    shown = next(line for line in examples("rubrics/rnn.yaml:") if key in line)
    path = edited(tmp_path, *EDITS[key])
    with pytest.raises(RubricError) as error:
        load_rubric(path)
    said = str(error.value).replace(str(path), "rubrics/rnn.yaml")
    assert said_as_shown(said, shown), (said, shown)


@pytest.mark.parametrize("written, refused", [("No", True), ("NO", True), ("nO", False), ("oFF", False)])
def test_the_spellings_the_page_says_yaml_reads_as_booleans(written, refused, tmp_path):
    # Thirty-eighth session: the page said YAML 1.1 reads yes, no, on and off "(any case)" as
    # booleans; PyYAML reads three spellings of each (no, No, NO), and `nO` is a name.
    assert "(so written, capitalised or in capitals: `No`, `NO`, not `nO`)" in PAGE
    path = edited(tmp_path, 78, "name: narrow hidden state", f"name: {written}")
    if refused:
        with pytest.raises(RubricError, match=f"case name is written `{written}`, which YAML reads as the boolean"):
            load_rubric(path)
    else:
        assert written in [case.name for part in load_rubric(path).parts for case in part.cases]
