"""``files.read_sealed`` / ``write_sealed``: the framing both caches (rubric, fixtures) read."""

import os
import threading

import pytest

from grader import files, fixturecache

HEADER = b"test header\n"


def test_a_sealed_payload_reads_back_and_a_damaged_or_foreign_one_does_not(tmp_path):
    path = tmp_path / "c.marshal"
    assert files.write_sealed(path, HEADER, b"payload")
    assert files.read_sealed(path, HEADER, max_bytes=1 << 20) == b"payload"
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert files.read_sealed(path, b"other header\n", max_bytes=1 << 20) is None  # stale
    assert files.read_sealed(path, HEADER, max_bytes=8) is None  # over the limit
    data = path.read_bytes()
    path.write_bytes(data[:-1] + b"X")  # the payload changed under its seal
    assert files.read_sealed(path, HEADER, max_bytes=1 << 20) is None
    path.write_bytes(data[:len(HEADER) + 5])  # truncated within the seal
    assert files.read_sealed(path, HEADER, max_bytes=1 << 20) is None
    assert files.read_sealed(tmp_path / "missing", HEADER, max_bytes=1 << 20) is None


@pytest.mark.parametrize("swap", ["group_writable", "other_writable", "symlink", "other_owner"])
def test_a_file_someone_else_could_have_written_is_refused(tmp_path, swap):
    path = tmp_path / "c.marshal"
    files.write_sealed(path, HEADER, b"payload")
    if swap == "group_writable":
        path.chmod(0o620)
    elif swap == "other_writable":
        path.chmod(0o602)
    elif swap == "other_owner":
        if os.geteuid() != 0:
            pytest.skip("needs root to give the file to another user")
        os.chown(path, 12345, -1)
    else:
        elsewhere = tmp_path / "elsewhere"
        path.rename(elsewhere)
        path.symlink_to(elsewhere)
    assert files.read_sealed(path, HEADER, max_bytes=1 << 20) is None


def test_a_fifo_planted_at_a_fixture_cache_is_not_waited_on(tmp_path):
    # The fixture cache read with Path.read_bytes() until the eighteenth session: a FIFO there
    # would have held a class run before its first submission.
    fixture = tmp_path / "rnn.public.json"
    fixture.write_text("{}")
    cache = fixturecache.cache_path(fixture)
    cache.parent.mkdir()
    os.mkfifo(cache)
    done = []
    reader = threading.Thread(target=lambda: done.append(fixturecache.load_cached(fixture, b"{}")), daemon=True)
    reader.start()
    reader.join(10)
    try:
        assert done == [None], "the fixture cache waits for a writer of the FIFO"
    finally:
        if reader.is_alive():
            os.close(os.open(cache, os.O_WRONLY | os.O_NONBLOCK))
            reader.join(10)


def test_the_fixture_cache_still_round_trips(tmp_path):
    fixture = tmp_path / "rnn.public.json"
    content = {"case": {"x": [1.0, 2.0], "name": "a"}}
    assert fixturecache.store_cached(fixture, b"{...}", content)
    assert fixturecache.load_cached(fixture, b"{...}") == content
    assert fixturecache.load_cached(fixture, b"{changed}") is None
