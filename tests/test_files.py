"""grader.files.read_bytes: the one reader of whole files (notebooks, the key's digests)."""
from __future__ import annotations

import os

import pytest

from grader.files import read_bytes


def test_reads_the_whole_file_or_at_most_one_byte_past_the_limit(tmp_path):
    path = tmp_path / "f.bin"
    path.write_bytes(bytes(range(256)) * 1000)
    assert read_bytes(path) == bytes(range(256)) * 1000
    assert read_bytes(path, limit=10) == bytes(range(11))
    assert read_bytes(path, limit=256_000) == path.read_bytes()
    (tmp_path / "empty").write_bytes(b"")
    assert read_bytes(tmp_path / "empty") == b""


def test_a_link_is_followed_unless_refused(tmp_path):
    target = tmp_path / "target"
    target.write_bytes(b"secret")
    link = tmp_path / "link"
    os.symlink(target, link)
    assert read_bytes(link) == b"secret"
    with pytest.raises(OSError):
        read_bytes(link, follow_links=False)


# --------------------------------------------------------------------------- write_atomic


def test_a_file_already_holding_the_bytes_is_left_as_it_is(tmp_path):
    from grader.files import digest_of, write_atomic

    path = tmp_path / "results.json"
    write_atomic(path, '{"score": 1}')
    first = os.stat(path)
    digests = {}
    write_atomic(path, '{"score": 1}', digests=digests)
    assert os.stat(path).st_ino == first.st_ino and os.stat(path).st_mtime_ns == first.st_mtime_ns
    assert digests == {"results.json": digest_of(b'{"score": 1}')}
    write_atomic(path, '{"score": 2}')
    assert os.stat(path).st_ino != first.st_ino and path.read_text() == '{"score": 2}'
    assert os.listdir(tmp_path) == ["results.json"]


def test_what_write_atomic_would_not_leave_is_replaced_even_with_the_same_bytes(tmp_path):
    from grader.files import write_atomic

    data = b"same bytes"
    linked, other = tmp_path / "linked", tmp_path / "other-name"
    write_atomic(linked, data)
    os.link(linked, other)  # a second name (a backup made with cp -al): replaced, the other kept
    inode = os.stat(linked).st_ino
    write_atomic(linked, data)
    assert os.stat(linked).st_ino != inode and os.stat(other).st_ino == inode

    shared = tmp_path / "shared"
    write_atomic(shared, data)
    os.chmod(shared, 0o644)  # permissions someone changed: back to those of a new file
    write_atomic(shared, data)
    assert os.stat(shared).st_mode & 0o777 == 0o600

    target, link = tmp_path / "target", tmp_path / "link"
    target.write_bytes(data)
    link.symlink_to(target)
    write_atomic(link, data)  # a link at the name is replaced by a file, never followed
    assert not link.is_symlink() and link.read_bytes() == data and os.stat(target).st_nlink == 1

    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)  # never opened (it would block): replaced
    write_atomic(fifo, data)
    assert fifo.is_file() and fifo.read_bytes() == data

    durable = tmp_path / "fixture.json"
    write_atomic(durable, data, durable=True, mode=0o600)
    inode = os.stat(durable).st_ino
    write_atomic(durable, data, durable=True, mode=0o600)  # fixtures: always written and flushed
    assert os.stat(durable).st_ino != inode


def test_write_atomic_makes_no_path_object_when_its_folder_exists(tmp_path, monkeypatch):
    """The grading process writes two files a submission: the path is split as a string once,
    not rebuilt as pathlib objects (the parent, the temporary's path) at each step."""
    from grader import files

    def no_path(*args):
        raise AssertionError(f"Path{args} made")

    written = {}
    monkeypatch.setattr(files, "Path", no_path)
    files.write_atomic(tmp_path / "feedback.html", "<p>page</p>", digests=written)
    files.write_atomic(str(tmp_path / "feedback.html"), "<p>page</p>", digests=written)  # already there
    files.write_atomic(os.fspath(tmp_path / "grading-key.json"), b"{}")
    assert sorted(os.listdir(tmp_path)) == ["feedback.html", "grading-key.json"]
    assert written == {"feedback.html": files.digest_of(b"<p>page</p>")}


def test_write_atomic_makes_a_missing_folder_and_reads_a_trailing_slash_as_pathlib_does(tmp_path):
    from grader.files import write_atomic

    write_atomic(tmp_path / "new" / "deeper" / "results.json", "{}")
    assert (tmp_path / "new" / "deeper" / "results.json").read_text() == "{}"
    write_atomic(f"{tmp_path}/named/", "x")  # Path("a/") is Path("a")
    assert (tmp_path / "named").read_text() == "x"
    write_atomic(f"{tmp_path}/dotted/.", "y")  # and Path("a/.") too
    assert (tmp_path / "dotted").read_text() == "y"
    assert sorted(os.listdir(tmp_path)) == ["dotted", "named", "new"]
