"""The fixture sizes docs/rubrics.md states are those of the shipped files (a stat each, no
decoding). Thirty-eighth session: the page said 724 KB and 764 KB for rnn's files, their sizes
before the known mistakes added since the thirty-second session (752 KB and 813 KB)."""
from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PAGE = (REPO / "docs" / "rubrics.md").read_text(encoding="utf-8")
FIXTURES = REPO / "rubrics" / "fixtures"


def _kb(path: Path) -> int:
    """A file's size as the page writes it: whole kilobytes of 1,000 bytes."""
    return round(path.stat().st_size / 1000)


def test_the_fixture_sizes_the_page_states_are_the_files():
    said = re.search(r"\(rnn: ([\d,]+) KB public and ([\d,]+) KB hidden, rnn_extended: ([\d,]+) KB and "
                     r"([\d,]+) KB, with the (\d+) known mistakes;", PAGE)
    assert said, "docs/rubrics.md no longer states the fixtures' sizes in the sentence this test reads"
    stated = [int(number.replace(",", "")) for number in said.groups()]
    actual = [_kb(FIXTURES / f"{name}.{visibility}.json")
              for name in ("rnn", "rnn_extended") for visibility in ("public", "hidden")]
    assert stated[:4] == actual, f"docs/rubrics.md says {stated[:4]} KB, the files are {actual} KB"
    from solution.mutants import MUTANTS

    assert stated[4] == len(MUTANTS)
    assert f"known mistakes ({len(MUTANTS)})" in PAGE  # Known mistakes, the count it opens with
