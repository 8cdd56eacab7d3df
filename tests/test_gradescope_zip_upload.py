"""``grade.py --gradescope`` when the student uploaded a zip (the TA's session, 27).

Gradescope puts what the student uploaded in ``/autograder/submission``: a ``.zip`` stays a zip
there. Before this session the grader looked for a notebook beside it, found none and gave the
student 0 ("the submission holds no notebook").
"""
from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

from grader.exits import EXIT_OK
from grader.gradescope import run_gradescope
from tests import notebooks as nbs


def zipped_layout(tmp_path: Path, members: dict[str, bytes], *, name: str = "work.zip") -> Path:
    """Gradescope's root with ``submission/NAME`` a zip holding ``members`` (name -> bytes)."""
    root = tmp_path / "autograder"
    (root / "submission").mkdir(parents=True)
    with zipfile.ZipFile(root / "submission" / name, "w", zipfile.ZIP_DEFLATED) as zf:
        for member, data in members.items():
            zf.writestr(member, data)
    return root


def notebook_bytes(nb: dict) -> bytes:
    """``nb`` as the bytes of an .ipynb file."""
    return json.dumps(nb).encode()


def graded(root: Path) -> tuple[dict, str]:
    """Run the autograder on ``root``: results.json and the instructor's log."""
    stream = io.StringIO()
    assert run_gradescope(root=root, stream=stream) == EXIT_OK
    return json.loads((root / "results" / "results.json").read_text()), stream.getvalue()


def test_the_notebook_inside_a_zip_is_graded(tmp_path):
    root = zipped_layout(tmp_path, {"RNN_assignment/RNN_assignment.ipynb": notebook_bytes(nbs.course_notebook()),
                                    "RNN_assignment/data/big.bin": b"\0" * 1000})
    payload, log = graded(root)
    numpy_tests = [t for t in payload["tests"] if not t["name"].startswith("imdb_report")]
    assert numpy_tests and all(t["status"] == "passed" for t in numpy_tests)
    assert payload["score"] >= 100
    # The student reads what was taken from their zip.
    assert "Unpacked work.zip: RNN_assignment/RNN_assignment.ipynb" in payload["output"]
    assert "(1 other file in it is not read for grading)" in payload["output"]
    # Nothing was unpacked beside the student's upload.
    assert sorted(p.name for p in (root / "submission").iterdir()) == ["work.zip"]


def test_a_zip_without_a_notebook_scores_zero_and_says_so(tmp_path):
    root = zipped_layout(tmp_path, {"notes.txt": b"I ran out of time"})
    payload, _ = graded(root)
    assert payload["score"] == 0
    assert "holds no notebook" in payload["output"]
    assert "Unpacked work.zip: it holds no notebook" in payload["output"]


def test_a_zip_with_two_notebooks_scores_zero_and_names_them(tmp_path):
    # Two different notebooks: the same bytes twice are one notebook, graded once (choice._identical_copies).
    root = zipped_layout(tmp_path, {"draft.ipynb": notebook_bytes(nbs.course_notebook()),
                                    "final.ipynb": notebook_bytes(nbs.alt_notebook())})
    payload, _ = graded(root)
    assert payload["score"] == 0
    assert "2 notebooks (work.zip/draft.ipynb, work.zip/final.ipynb)" in payload["output"]


def test_a_zip_that_is_not_a_zip_scores_zero_with_the_reason(tmp_path):
    root = tmp_path / "autograder"
    (root / "submission").mkdir(parents=True)
    (root / "submission" / "work.zip").write_bytes(b"PK\x03\x04 cut short")
    payload, _ = graded(root)
    assert payload["score"] == 0
    assert "work.zip was not unpacked: it is not a zip archive that can be read" in payload["output"]


def test_an_unsafe_member_is_left_out_and_the_notebook_graded(tmp_path):
    root = zipped_layout(tmp_path, {"../../escape.ipynb": b"{}",
                                    "rnn.ipynb": notebook_bytes(nbs.course_notebook())})
    payload, _ = graded(root)
    assert payload["score"] >= 100
    assert "Left out of work.zip" in payload["output"]
    assert not (tmp_path / "escape.ipynb").exists() and not (root / "escape.ipynb").exists()


def test_a_notebook_uploaded_beside_the_zip_is_the_one_graded(tmp_path):
    wrong = nbs.course_notebook(nbs.mutate("rnn_cell_forward", "np.tanh(", "np.sin("))
    root = zipped_layout(tmp_path, {"rnn.ipynb": notebook_bytes(wrong)})
    nbs.write(root / "submission" / "rnn.ipynb", nbs.course_notebook())
    payload, _ = graded(root)
    assert payload["score"] >= 100
    assert "the notebook uploaded beside the zip" in payload["output"]
