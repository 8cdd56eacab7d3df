"""Twenty-first session, hostile student: the incremental key of the files beside a notebook."""
from __future__ import annotations

from grader.discover import find_submissions
from grader.incremental import BatchKey, submission_key


def test_file_names_cannot_make_two_different_folders_share_a_key(tmp_path):
    # Before the fix both folders added "extra/a:4:Q:0:" to the digest: one key, so a
    # resubmission changed from one to the other kept the stored result.
    for folder in ("first", "second"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "nb.ipynb").write_text("{}")
    (tmp_path / "first" / "a:4:Q").write_bytes(b"")
    (tmp_path / "second" / "a").write_bytes(b"Q:0:")
    batch = BatchKey(rubric="r", fixtures="f", grader="g")
    first, second = find_submissions(tmp_path)
    assert list(first.extra_files) == ["a:4:Q"] and list(second.extra_files) == ["a"]
    assert submission_key(first, batch=batch) != submission_key(second, batch=batch)
    assert submission_key(first, batch=batch) == submission_key(first, batch=batch)


def test_a_stray_file_beside_the_code_does_not_change_the_grader_digest(tmp_path) -> None:
    """A Finder's ``.DS_Store``, an editor's ``runner.py~`` or ``.runner.py.swp`` in ``grader/`` are not
    the grader: before ``incremental.CODE_SUFFIXES`` each changed the digest, and the next run
    regraded every student "with another version of the grader". A change to the code still does."""
    import shutil

    from grader.incremental import GRADER_DIR, grader_digest

    package = tmp_path / "grader"
    shutil.copytree(GRADER_DIR, package, ignore=shutil.ignore_patterns("__pycache__"))
    before = grader_digest(package)
    (package / ".DS_Store").write_bytes(b"\0Bud1")
    (package / "runner.py~").write_text("old text")
    (package / "similarity" / ".normalise.py.swp").write_bytes(b"b0VIM")
    (package / "extract.py.orig").write_text("merge leftovers")
    assert grader_digest(package) == before
    with open(package / "runner.py", "a") as handle:
        handle.write("\n# changed\n")
    assert grader_digest(package) != before


def test_a_notebook_over_the_size_bound_is_keyed_by_its_size_not_read(tmp_path):
    """Thirty-fourth session (hostile): a submission's key hashed its whole notebook, in the
    grading process before anyone was graded and on every run: a notebook of 3 GiB (refused unread
    as too big, ``notebook.DEFAULT_MAX_BYTES``, 200 MiB) cost it 5.8 s of CPU, 17 s of a class run's
    start, and a folder of eight such, which a worker now chooses among (``grader.choice``), eight
    times that. Past the bound the verdict is its size's: the key reads the bound's bytes at most,
    and several notebooks past it in all have no key (graded again on each run, in a worker)."""
    import time

    from grader.notebook import DEFAULT_MAX_BYTES

    batch = BatchKey(rubric="r", fixtures="f", grader="g")
    huge = tmp_path / "class" / "ada.ipynb"
    huge.parent.mkdir()
    with open(huge, "wb") as handle:
        handle.truncate(3 * 2**30)  # sparse: no disk
    (folder := tmp_path / "class" / "eve").mkdir()
    for k in range(8):
        with open(folder / f"n{k}.ipynb", "wb") as handle:
            handle.truncate(3 * 2**30)
    ada, eve = find_submissions(tmp_path / "class")
    start = time.process_time()  # the kernel's reading counts (tests.cpu's timer counts user time only)
    key = submission_key(ada, batch=batch)
    assert submission_key(eve, batch=batch) is None  # more than one notebook's bound: no key
    assert time.process_time() - start < 2.0  # 200 MiB read: 0.4 s here; 5.8 s for ada alone before
    with open(huge, "r+b") as handle:
        handle.truncate(3 * 2**30 + 1)
    assert None != submission_key(ada, batch=batch) != key
    small = tmp_path / "class" / "ada.ipynb"  # within the bound every byte counts
    small.write_bytes(b"{}" + b" " * (DEFAULT_MAX_BYTES // 2**10))
    before = submission_key(find_submissions(tmp_path / "class")[0], batch=batch)
    small.write_bytes(b"{}" + b" " * (DEFAULT_MAX_BYTES // 2**10 - 1) + b"\n")
    assert submission_key(find_submissions(tmp_path / "class")[0], batch=batch) != before
