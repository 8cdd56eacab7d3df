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
