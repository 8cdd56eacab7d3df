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
