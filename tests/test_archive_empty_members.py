"""A student's zip of many empty members against the grading process: twenty-fourth session's
review. ``zipfile.ZipFile`` makes a ``ZipInfo`` of every member before the member limit is looked
at, so a 30 MB zip of 300,000 empty members cost the grading process 5.5 s and 250 MB for its
incremental key at every run (``zip_digest``), and as much again when unpacked at its turn, the
whole class waiting. Both now count the central directory's records first and refuse such a zip
unparsed; each test failed on b557f47."""
from __future__ import annotations

import zipfile

import pytest

from grader import archive
from grader.archive import ArchiveLimits, StudentZips, zip_digest


def _zip(path, members: int, *, prefix: bytes = b""):
    """A zip of ``members`` empty files and a notebook, each stamped with one fixed time: two zips made
    the same way are the same bytes (writestr's default stamp is the clock's, and a second ticking
    between two zips made them differ: the key test below failed now and then)."""
    path.write_bytes(prefix)
    with zipfile.ZipFile(path, "a") as zf:
        for i in range(members):
            zf.writestr(zipfile.ZipInfo(f"d/{i}.txt", date_time=_STAMP), b"")
        zf.writestr(zipfile.ZipInfo("rnn.ipynb", date_time=_STAMP), b"{}")
    return path


_STAMP = (2026, 11, 30, 0, 0, 0)


def _refuse_zipfile(monkeypatch) -> None:
    """``zipfile.ZipFile`` as archive.py sees it, refusing to be made: a zip over the member limit
    must be refused without it."""
    def refused(*args, **kwargs):
        raise AssertionError("zipfile.ZipFile parsed a zip over the member limit")

    monkeypatch.setattr(archive.zipfile, "ZipFile", refused)


@pytest.mark.parametrize("prefix", [b"", b"#!/bin/sh\nexit 0\n"])  # data before the zip, as zipfile allows
def test_a_zip_over_the_member_limit_is_refused_unparsed(tmp_path, prefix, monkeypatch):
    path = _zip(tmp_path / "many.zip", 300, prefix=prefix)
    _refuse_zipfile(monkeypatch)
    limits = ArchiveLimits(max_members=100)
    assert len(zip_digest(path, limits=limits)) == 32
    got = StudentZips(dest=tmp_path / "out", limits=limits)({"many.zip": path})
    assert not got.unpacked and list(got.files) == ["many.zip"]
    assert got.notes == ("many.zip was not unpacked: 301 members, over the limit of 100.",)


def test_a_zip_within_the_limit_is_read_as_before(tmp_path):
    path = _zip(tmp_path / "few.zip", 50)
    limits = ArchiveLimits(max_members=100)
    assert zip_digest(path, limits=limits) == zip_digest(path, limits=limits)
    got = StudentZips(dest=tmp_path / "out", limits=limits)({"few.zip": path})
    assert list(got.unpacked) == ["few.zip/rnn.ipynb"]


def test_the_key_of_a_refused_zip_follows_its_bytes(tmp_path):
    limits = ArchiveLimits(max_members=100)
    first = zip_digest(_zip(tmp_path / "a.zip", 300), limits=limits)
    again = zip_digest(_zip(tmp_path / "b.zip", 300), limits=limits)
    other = zip_digest(_zip(tmp_path / "c.zip", 301), limits=limits)
    assert first == again != other


def test_a_students_zips_share_one_member_allowance_for_the_key(tmp_path, monkeypatch):
    # Each zip of a student was keyed on its own allowance of 50,000 members: twenty zips of 49,999
    # empty members were each parsed whole (about 1 s each) at every run. Two zips here, 25,001 and
    # 25,000 members: the second is past what the first left, so it is keyed by its bytes, unparsed.
    from grader.discover import find_submissions
    from grader.incremental import BatchKey, submission_key

    folder = tmp_path / "class" / "ada"
    folder.mkdir(parents=True)
    _zip(folder / "one.zip", 25_000)
    _zip(folder / "two.zip", 24_999)
    sub = find_submissions(tmp_path / "class", defer=True)[0]
    assert sorted(sub.packed) == ["one.zip", "two.zip"]
    made = []
    real = archive.zipfile.ZipFile

    def counted(*args, **kwargs):
        made.append(args[0])
        return real(*args, **kwargs)

    monkeypatch.setattr(archive.zipfile, "ZipFile", counted)
    batch = BatchKey(rubric="r", fixtures="f", grader="g")
    key = submission_key(sub, batch=batch)
    assert key is not None and len(made) == 1, made
    assert submission_key(find_submissions(tmp_path / "class", defer=True)[0], batch=batch) == key
