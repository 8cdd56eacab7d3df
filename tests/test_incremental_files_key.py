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
