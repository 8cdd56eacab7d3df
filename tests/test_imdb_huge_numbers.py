"""Numbers too large for ``int``'s text conversion or for a float, in the IMDB bonus's inputs:
twenty-second session's review. Each test failed on 8e4d40d: the bonus raised, and the whole
submission became a harness failure (0 points, "a problem in the grader"), its functions
ungraded and kept out of the similarity check."""
from __future__ import annotations

import json

import pytest

from grader.imdb import load_imdb_config, score_imdb
from grader.models import HARNESS, PASSED
from grader.notebook import loads
from grader.runner import grade_submission
from tests import notebooks as nbs

HEX = "0x" + "f" * 4000  # 4,817 decimal digits: str() refuses it
DECIMAL = "1" + "0" * 400  # float() refuses it
DIGITS = "1" * 5000

CASES = {
    "report literal": ([nbs.code_cell(f"imdb_report = {{'test_accuracy': {HEX}}}\n")], {}),
    "report literal key": ([nbs.code_cell(f"imdb_report = {{{HEX}: 0.8}}\n")], {}),
    "report literal validation": ([nbs.code_cell(f"results = {{'validation': {{'from': {HEX}}}}}\n")], {}),
    "yaml report": ([], {"imdb_report.yaml": f"test_accuracy: {HEX}\n".encode()}),
    "printed epoch": ([nbs.code_cell("rnn_model.fit(x_train, y_train, epochs=2, validation_split=0.2)\n",
                                     outputs=[nbs.stream(f"Epoch {DIGITS}/2\n")])], {}),
    "printed samples": ([nbs.code_cell("rnn_model.fit(x_train, y_train, epochs=2, validation_split=0.2)\n",
                                       outputs=[nbs.stream(f"Train on {DIGITS} samples\n")])], {}),
    "validation_split": ([nbs.code_cell(f"rnn_model.fit(x_train, y_train, epochs=2, validation_split={DECIMAL})\n")], {}),
    "validation_split hex": ([nbs.code_cell(f"rnn_model.fit(x_train, y_train, epochs=2, validation_split=-{HEX})\n")], {}),
    "validation_data": ([nbs.code_cell(f"rnn_model.fit(x_train, y_train, epochs=2, validation_data=(x_train, {HEX}))\n")], {}),
    "positional split": ([nbs.code_cell("rnn_model.fit(x_train, y_train, 32, 2, 1, None, 'all')\n")], {}),
    "test_size": ([nbs.code_cell(f"x_a, x_b = train_test_split(x_train, test_size={DECIMAL})\n")], {}),
}


@pytest.mark.parametrize("case", list(CASES))
def test_the_bonus_reads_past_a_number_too_large(case):
    cells, files = CASES[case]
    nb = loads(json.dumps(nbs.course_notebook(extra_cells=nbs.imdb_cells() + cells)).encode(), path="x.ipynb")
    plain = loads(json.dumps(nbs.course_notebook(extra_cells=nbs.imdb_cells())).encode(), path="x.ipynb")
    config = load_imdb_config(None)
    # The course's own bonus cells score as they do without the added cell or file.
    assert score_imdb(nb, config=config, extra_files=files).points == \
        score_imdb(plain, config=config, extra_files={}).points


def test_a_one_line_report_no_longer_makes_the_submission_a_harness_failure(tmp_path, context, sandbox):
    cells = nbs.imdb_cells() + [nbs.code_cell(f"imdb_report = {{'test_accuracy': {HEX}}}\n")]
    path = nbs.write(tmp_path / "hex.ipynb", nbs.course_notebook(extra_cells=cells))
    result = grade_submission(path, context=context, sandbox=sandbox)
    assert result.status != HARNESS
    assert result.part("rnn_cell_forward").status == PASSED
    assert "rnn_cell_forward" in result.extra["sources"]  # compared for similarity
