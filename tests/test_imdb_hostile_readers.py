"""The IMDB bonus's readers against a hostile notebook: twenty-eighth session's review of the
twenty-seventh session's new reads. Each test failed on d00b0f8."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from grader.imdb import load_imdb_config, score_imdb
from grader.imdb.claims import without_images
from grader.notebook import loads
from tests import notebooks as nbs

_ROOT = Path(__file__).resolve().parent.parent

#: A markdown cell that begins like a data URI with parameters and never says ``;base64,``.
_NOT_AN_IMAGE = "The test accuracy: data:a/b" + ";aaaaaaaaaa" * 12 + "; see above."

_SCORE = """
import json, sys
from grader.imdb import load_imdb_config, score_imdb
from grader.notebook import loads
nb = loads(sys.stdin.buffer.read(), path="x.ipynb")
print(score_imdb(nb, config=load_imdb_config(None), extra_files={}).points)
"""


def test_a_markdown_cell_like_a_data_uri_with_parameters_is_read_at_once(tmp_path):
    # The data URI's parameters (;name=value) were matched by [\w.+-]+=?[\w.+-]*, which splits a
    # name of n letters n ways: twelve names of ten letters took about 10**12 steps before the
    # grading process could score the bonus (8 of them: 24 s). Run in a process of its own,
    # killed after 60 s, so that the test fails rather than hangs on d00b0f8.
    nb = nbs.course_notebook(extra_cells=nbs.imdb_cells() + [nbs.markdown_cell(_NOT_AN_IMAGE)])
    data = json.dumps(nb).encode()
    done = subprocess.run([sys.executable, "-c", _SCORE], input=data, cwd=_ROOT, capture_output=True,
                          timeout=60, check=True)
    plain = score_imdb(loads(json.dumps(nbs.course_notebook(extra_cells=nbs.imdb_cells())).encode(),
                             path="x.ipynb"), config=load_imdb_config(None), extra_files={}).points
    assert float(done.stdout.decode().strip()) == plain


def test_data_uris_are_still_taken_out_with_their_parameters():
    text = "see ![fig](data:image/png;charset=utf-8;name=a.png;base64,iVBORacc==) and data:a/b;x;base64,QUNDacc"
    assert "acc" not in without_images(text)
    assert without_images(text).startswith("see ![fig]( ")



def test_a_split_followed_by_a_long_run_of_blanks_is_read_in_linear_time():
    # Thirty-seventh session: after a number and its "%", the patterns that tell an accuracy or a
    # count from a validation split (claims._ACC_AFTER, _COUNT_AFTER: \s*%?\s*...) split a run of
    # blanks every way between their two \s*: "The validation split was 20%" and 16,000 spaces cost
    # 5.9 s, the markdown's 300,000 characters about half an hour of a worker. Read possessively now.
    from grader.imdb.claims import claims_from_markdown
    from tests.cpu import cpu_budget

    text = "The validation split was 20%" + " " * 60_000 + "x. The LSTM test accuracy was 85.1 %" + "\t" * 60_000
    with cpu_budget(1.0):
        claims, statements = claims_from_markdown(text, "cell 3")
    assert [s.fraction for s in statements] == [0.2] and [c.value for c in claims] == [0.851], (claims, statements)
    nb = nbs.course_notebook(extra_cells=nbs.imdb_cells() + [nbs.markdown_cell(text[:290_000])])
    with cpu_budget(3.0):
        score_imdb(loads(json.dumps(nb).encode(), path="x.ipynb"), config=load_imdb_config(None), extra_files={})


def test_the_words_after_a_number_are_read_as_before():
    # Control: the possessive patterns match where the old ones did, and as far, on texts of the
    # blanks, "%" and words they read (every text of up to 4 pieces).
    import re

    from grader.imdb import claims
    from tests.patterns import assert_same_matches

    pieces = [" ", "\t", "%", " %", "acc", "test ", "validation ", "test\tacc", "epoch", "layers", "x", "\u2028"]
    # Anchored as the reader tries them (pattern.match at a number's end).
    assert_same_matches(re.compile(r"\A(?:\s*%?\s*(?:test\s+|validation\s+)?acc)", re.I),
                        re.compile(r"\A(?:" + claims._ACC_AFTER.pattern + ")", re.I), pieces, most=4)
    assert_same_matches(re.compile(r"\A(?:\s*%?\s*(?:epoch|layer|unit|word))", re.I),
                        re.compile(r"\A(?:" + claims._COUNT_AFTER.pattern + ")", re.I), pieces, most=4)
