"""Students' own zips unpacked at each student's turn, not all at discovery (twenty-third session).

Before, a class run unpacked every student's zips while finding the submissions, under one
allowance for the class spent first come, first served: a few students whose zips expanded to
the most a student may unpack left every later student's zip refused (graded on nothing), and
the disk held every student's files until the run ended. Each test failed on baac9f1.
"""
from __future__ import annotations

import errno
import functools
import io
import json
import tempfile
import zipfile
from pathlib import Path

import pytest

import grade
from grader import archive, batch
from grader.archive import ArchiveLimits, StudentZips
from grader.discover import find_submissions
from grader.incremental import BatchKey, submission_key
from tests import notebooks as nbs

BATCH = BatchKey(rubric="r", fixtures="f", grader="g")
#: What each hostile student's zip expands to, and the allowances lowered around it: a class
#: allowance of four such zips (as 4 GiB is four students' 1 GiB), a student's just above one.
HOSTILE_BYTES = 250_000
LOW_STUDENT = ArchiveLimits(max_total_bytes=300_000, max_member_bytes=300_000, max_ratio=float("inf"))


def make_zip(path: Path, members: dict[str, bytes]) -> Path:
    """A zip of ``members`` (name -> bytes) at ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def course_bytes(overrides: dict[str, str] | None = None) -> bytes:
    """A full-marks notebook (or one with ``overrides``) as the bytes of a file."""
    return json.dumps(nbs.course_notebook(overrides)).encode()


def hostile_class(root: Path) -> None:
    """Four students (first in the listing) whose zips each expand to ``HOSTILE_BYTES`` of a
    notebook, then a student whose zip holds a full-marks notebook."""
    for k in range(4):
        make_zip(root / f"aaa{k}_1{k}_2{k}_work.zip", {"rnn.ipynb": bytes([65 + k]) * HOSTILE_BYTES})
    make_zip(root / "zoe_99_98_work.zip", {"rnn.ipynb": course_bytes()})


@pytest.fixture
def low_limits(monkeypatch, tmp_path):
    """Lower the allowances the class run unpacks within (a class of four hostile zips, a student
    just above one), pin the grader's digest, and keep the run's temporary folders in ``tmp``."""
    monkeypatch.setattr(archive, "StudentZips",
                        functools.partial(StudentZips, limits=LOW_STUDENT, class_bytes=4 * HOSTILE_BYTES))
    monkeypatch.setattr("grader.incremental.grader_digest", lambda *a, **k: "pinned")
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temporary))
    return temporary


def run(root: Path, out: Path) -> tuple[int, list[dict]]:
    """``grade.py root --out out`` with one job, no similarity, no HTML: exit status and rows."""
    status = grade.main([str(root), "--out", str(out), "--jobs", "1", "--no-similarity", "--no-html"])
    return status, list(by_id(out).values())


@pytest.mark.slow
def test_four_hostile_zips_cost_a_later_student_nothing(tmp_path, low_limits, monkeypatch):
    """On baac9f1 the four hostile zips used up the class's allowance and zoe's zip was refused:
    zoe scored 0 ("holds no notebook"). Now she is graded in full, the hostile ones on what they
    sent, and the disk holds one student's files at a time."""
    root, out = tmp_path / "class", tmp_path / "out"
    hostile_class(root)
    unpacked_while_grading: list[int] = []
    grade_submission = batch.grade_submission

    def counting(path, **kw):
        """Count the notebooks unpacked on the disk as each student is graded."""
        unpacked_while_grading.append(sum(1 for _ in low_limits.glob("grade-unzip-*/**/*.ipynb")))
        return grade_submission(path, **kw)

    monkeypatch.setattr(batch, "grade_submission", counting)
    status, rows = run(root, out)
    assert status == 0
    scored = {row["submission"]: row for row in rows}
    assert float(scored["zoe_99"]["score"]) == float(scored["zoe_99"]["max_score"]) > 0
    for k in range(4):  # graded on what they sent (a notebook that is no notebook), nothing refused
        feedback = (out / f"aaa{k}_1{k}" / "feedback.md").read_text()
        assert "Unpacked work.zip: rnn.ipynb." in feedback and "not unpacked" not in feedback
    assert unpacked_while_grading == [1] * 5  # each student's files alone, removed once written
    assert list(low_limits.iterdir()) == []  # nothing left in /tmp


@pytest.mark.slow
def test_the_regrade_keys_follow_each_students_own_zip(tmp_path, low_limits):
    """A run again regrades only the student whose zip changed. On baac9f1 zoe, refused in the
    first run for her neighbours' zips, had no key and was graded again each time."""
    root, out = tmp_path / "class", tmp_path / "out"
    hostile_class(root)
    assert run(root, out)[0] == 0
    make_zip(root / "aaa0_10_20_work.zip", {"rnn.ipynb": course_bytes()})  # one hostile student resubmits
    log = io.StringIO()
    from grader import commands

    summary = commands.grade_class(root, out_dir=out, jobs=1, similarity=False, feedback_html=False,
                                   stream=log)
    assert (summary.total, summary.skipped) == (5, 4), log.getvalue()
    assert summary.scores == (summary.max_score,) * 2  # aaa0's new notebook graded, zoe's kept
    # zoe changes her notebook inside her zip: she alone is graded again.
    make_zip(root / "zoe_99_98_work.zip", {"rnn.ipynb": course_bytes(nbs.mutate(
        "rnn_cell_forward", "np.tanh", "np.sinh"))})
    summary = commands.grade_class(root, out_dir=out, jobs=1, similarity=False, feedback_html=False,
                                   stream=io.StringIO())
    assert summary.skipped == 4 and min(summary.scores) < summary.max_score == max(summary.scores)
    assert float(by_id(out)["zoe_99"]["score"]) < summary.max_score
    assert list(low_limits.iterdir()) == []


def by_id(out: Path) -> dict[str, dict]:
    """The rows of ``out``'s gradebook by submission."""
    import csv

    with open(out / "grades.csv", newline="", encoding="utf-8") as handle:
        return {row["submission"]: row for row in csv.DictReader(handle)}


def test_the_key_of_a_packed_zip_is_read_from_the_zip(tmp_path):
    """Found packed (``defer``), a zipped submission's key depends on its zip's members, not on
    where or when the zip is unpacked; a graded member changed (same size) changes it."""
    from grader.archive import zip_digest
    from grader.discover import unpacked_submission

    root = tmp_path / "class"
    zipped = make_zip(root / "ada_1_2_work.zip", {"rnn.ipynb": b'{"v": 1}', "data/x.npz": b"0" * 500})
    sub = find_submissions(root, defer=True)[0]
    assert sub.packed and sub.id == "ada_1" and not sub.problem
    first = submission_key(sub, batch=BATCH)
    assert first is not None and submission_key(find_submissions(root, defer=True)[0], batch=BATCH) == first
    opened = unpacked_submission(sub, unpack=StudentZips(dest=tmp_path / "u"))
    assert opened.id == "ada_1" and opened.path.read_bytes() == b'{"v": 1}'
    make_zip(zipped, {"rnn.ipynb": b'{"v": 2}', "data/x.npz": b"0" * 500})
    assert submission_key(find_submissions(root, defer=True)[0], batch=BATCH) != first
    digest = zip_digest(zipped)
    assert zip_digest(zipped) == digest and len(digest) == 32


@pytest.mark.slow
def test_a_zip_that_cannot_be_unpacked_costs_only_its_student(tmp_path, low_limits, monkeypatch):
    """Unpacking that fails halfway (a full disk) leaves its student ungraded with a note and no
    key (the next run grades them again), and the others graded. On baac9f1 the OSError, raised
    while the submissions were found, ended the run before anyone was graded."""
    root, out = tmp_path / "class", tmp_path / "out"
    make_zip(root / "bad_1_2_work.zip", {"rnn.ipynb": course_bytes()})
    make_zip(root / "zoe_99_98_work.zip", {"rnn.ipynb": course_bytes()})
    extract_into = archive._extract_into

    def full_disk(path, dest, *args, **kw):
        """The disk fills up halfway through bad's zip."""
        if Path(path).name.startswith("bad_"):
            (Path(dest) / "half.ipynb").write_bytes(b"{")
            raise OSError(errno.ENOSPC, "No space left on device")
        return extract_into(path, dest, *args, **kw)

    monkeypatch.setattr(archive, "_extract_into", full_disk)
    status, rows = run(root, out)
    assert status == 0
    scored = {row["submission"]: row for row in rows}
    assert float(scored["zoe_99"]["score"]) == float(scored["zoe_99"]["max_score"])
    feedback = (out / "bad_1" / "feedback.md").read_text()
    assert "could not unpack" in feedback and "No space left on device" in feedback
    assert not (out / "bad_1" / "grading-key.json").exists()
    assert (out / "zoe_99" / "grading-key.json").exists()
    assert list(low_limits.iterdir()) == []


@pytest.mark.slow
def test_the_similarity_check_reads_a_kept_zipped_notebook(tmp_path, low_limits):
    """Students kept from a run without the similarity check have their notebooks read by the
    check of the next run: their zips are unpacked for that time and removed, and the pairs found
    are those of a run that grades everyone (passes on baac9f1 too, which unpacked everyone at
    discovery; guards the unpacking at each student's turn)."""
    root = tmp_path / "class"
    twin = nbs.course_notebook(extra_cells=[nbs.markdown_cell("My own words on the LSTM gates, "
                                                              "written at length for this test. " * 4)])
    for name in ("amy_1_2_work.zip", "bob_3_4_work.zip"):
        make_zip(root / name, {"rnn.ipynb": json.dumps(twin).encode()})
    make_zip(root / "cat_5_6_work.zip", {"rnn.ipynb": course_bytes(nbs.mutate(
        "rnn_cell_forward", "np.tanh", "np.sinh"))})
    from grader import commands

    kept, fresh = tmp_path / "kept", tmp_path / "fresh"
    commands.grade_class(root, out_dir=kept, jobs=1, similarity=False, feedback_html=False,
                         class_report=False, stream=io.StringIO())
    summary = commands.grade_class(root, out_dir=kept, jobs=1, similarity=True, feedback_html=False,
                                   class_report=False, stream=io.StringIO())
    assert summary.skipped == 3 and summary.flagged_pairs >= 1
    commands.grade_class(root, out_dir=fresh, jobs=1, feedback_html=False, class_report=False,
                         stream=io.StringIO())
    assert (kept / "similarity.csv").read_text() == (fresh / "similarity.csv").read_text()
    assert list(low_limits.iterdir()) == []


@pytest.mark.slow
def test_a_class_zip_of_students_zips_is_graded_and_kept_by_key(tmp_path, low_limits):
    """A Canvas download (one zip) holding students' zips: each is unpacked at its turn from the
    class zip's temporary folder, and a second run keeps both (the key reads the zips, not where
    the class zip was extracted to); nothing is left in the temporary folder."""
    inner = tmp_path / "inner"
    make_zip(inner / "amy_1_2_work.zip", {"rnn.ipynb": course_bytes()})
    make_zip(inner / "bob_3_4_hw.zip", {"hw/rnn.ipynb": course_bytes(), "hw/imdb.npz": b"0" * 999})
    download = make_zip(tmp_path / "submissions.zip", {p.name: p.read_bytes() for p in inner.iterdir()})
    from grader import commands

    out = tmp_path / "out"
    first = commands.grade_class(download, out_dir=out, jobs=1, similarity=False, feedback_html=False,
                                 stream=io.StringIO())
    assert first.scores == (first.max_score,) * 2
    again = commands.grade_class(download, out_dir=out, jobs=1, similarity=False, feedback_html=False,
                                 stream=io.StringIO())
    assert (again.total, again.skipped) == (2, 2)
    assert "Unpacked hw.zip: hw/rnn.ipynb (1 other file in it" in (out / "bob_3" / "feedback.md").read_text()
    assert list(low_limits.iterdir()) == []


@pytest.mark.slow
def test_ctrl_c_and_a_crash_leave_nothing_in_tmp(tmp_path, low_limits, monkeypatch):
    """Ctrl-C while a student is graded, and a bug of ours raised while a student's zip is
    unpacked at their turn, both leave the temporary folder empty."""
    root = tmp_path / "class"
    for k in range(3):
        make_zip(root / f"s{k}_1{k}_2{k}_work.zip", {"rnn.ipynb": course_bytes()})
    from grader import commands

    grade_submission = batch.grade_submission
    calls = []

    def interrupted(path, **kw):
        """Ctrl-C on the second student."""
        calls.append(path)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return grade_submission(path, **kw)

    monkeypatch.setattr(batch, "grade_submission", interrupted)
    summary = commands.grade_class(root, out_dir=tmp_path / "out", jobs=1, similarity=False,
                                   feedback_html=False, stream=io.StringIO())
    assert summary.interrupted and list(low_limits.iterdir()) == []
    monkeypatch.setattr(batch, "grade_submission", grade_submission)

    def broken(*args, **kw):
        """A bug while unpacking."""
        raise RuntimeError("a bug of ours")

    monkeypatch.setattr(archive, "_extract_into", broken)
    with pytest.raises(RuntimeError):
        commands.grade_class(root, out_dir=tmp_path / "out2", jobs=1, similarity=False,
                             feedback_html=False, stream=io.StringIO())
    assert list(low_limits.iterdir()) == []


@pytest.mark.slow
def test_zipped_students_graded_without_root(tmp_path):
    """The non-root mode: two workers as nobody grade two zipped students, unpacked at their
    turns into nobody's temporary folder, which is empty afterwards (skipped where nobody cannot
    run the interpreter or reach the repository, as the other non-root tests)."""
    import os
    import subprocess
    import sys

    from tests.test_sandbox_nonroot import REPO, _become_nobody, _nobody_folder

    with _nobody_folder("needs root to become nobody") as folder:
        root, temporary = folder / "class", folder / "tmp"
        for name in ("amy_1_2_work.zip", "bob_3_4_work.zip"):
            make_zip(root / name, {"rnn.ipynb": course_bytes()})
        temporary.mkdir()
        for path in (root, temporary, *root.iterdir()):
            os.chmod(path, 0o777 if path.is_dir() else 0o644)
        env = {"PATH": "/usr/bin:/bin", "HOME": str(folder), "LANG": "C.UTF-8",
               "PYTHONDONTWRITEBYTECODE": "1", "TMPDIR": str(temporary)}
        proc = subprocess.run(
            [sys.executable, "grade.py", str(root), "--out", str(folder / "out"), "--jobs", "2",
             "--no-similarity", "--no-html"],
            cwd=REPO, env=env, preexec_fn=_become_nobody, capture_output=True, text=True, timeout=300)
        text = proc.stdout + proc.stderr
        assert proc.returncode == 0, text[-3000:]
        assert "Graded 2 of 2" in text and "Sandbox: sandbox (non-root)" in text, text
        assert "min 100" in text, text
        assert list(temporary.iterdir()) == []
