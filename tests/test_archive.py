"""Safe extraction of bulk-download zips: traversal, absolute paths, links, bombs, nesting."""
from __future__ import annotations

import io
import stat
import zipfile
from pathlib import Path

import pytest

from grader.archive import (
    ArchiveError, ArchiveLimitError, ArchiveLimits, extract_archive, is_archive, safe_member_path,
)
from grader.discover import find_submissions


def make_zip(path, members: dict[str, bytes], *, links: dict[str, str] = ()) -> Path:
    """A zip with ``members`` (name -> bytes) and optional symbolic links (name -> target)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
        for name, target in dict(links).items():
            info = zipfile.ZipInfo(name)
            info.create_system = 3
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            zf.writestr(info, target)
    return path


@pytest.mark.parametrize("name, expected", [
    ("a/b.ipynb", "a/b.ipynb"),
    ("a\\b.ipynb", "a/b.ipynb"),
    ("./a//b.ipynb", "a/b.ipynb"),
    ("../evil.py", None),
    ("a/../../evil.py", None),
    ("/etc/passwd", None),
    ("C:/Windows/evil", None),
    ("__MACOSX/._a.ipynb", None),
    ("a/._a.ipynb", None),
])
def test_member_paths(name, expected):
    result = safe_member_path(name)
    assert (None if result is None else str(result)) == expected


def test_unsafe_members_are_skipped_and_named(tmp_path):
    archive = make_zip(tmp_path / "class.zip", {
        "alice.ipynb": b"{}", "../escape.txt": b"x", "/abs.txt": b"x",
        "__MACOSX/._alice.ipynb": b"junk", "bob/work.ipynb": b"{}",
    }, links={"link.ipynb": "/etc/passwd"})
    dest = tmp_path / "out"
    extracted = extract_archive(archive, dest=dest)
    names = sorted(p.relative_to(dest).as_posix() for p in dest.rglob("*") if p.is_file())
    assert names == ["alice.ipynb", "bob/work.ipynb"]
    assert not (tmp_path / "escape.txt").exists()
    assert any("escape.txt" in s and "unsafe" in s for s in extracted.skipped)
    assert any("link.ipynb" in s and "link" in s for s in extracted.skipped)
    assert not any("MACOSX" in s for s in extracted.skipped)  # junk, silently dropped
    assert extracted.files == 2


def test_a_zip_bomb_member_is_left_out_and_the_rest_extracted(tmp_path):
    """A member of 65 MiB of zeros (ratio about 1,000) is left out with a note; its neighbour
    is extracted: one student's file never costs the class zip its run."""
    archive = make_zip(tmp_path / "bomb.zip", {"a.ipynb": b"{}", "big.ipynb": b"\0" * (65 * 2**20)})
    dest = tmp_path / "out"
    extracted = extract_archive(archive, dest=dest)
    assert [p.name for p in dest.rglob("*") if p.is_file()] == ["a.ipynb"]
    assert any(s.startswith("bomb.zip:big.ipynb:") and "possible zip bomb" in s for s in extracted.skipped)


def test_a_notebook_that_deflates_far_is_extracted(tmp_path):
    """A real notebook can deflate 300 to 1 or more (one line printed 200,000 times): under
    64 MiB the ratio is not read, and it is extracted as it is. It had the whole class zip
    refused until the twenty-first session."""
    line = '    "epoch 1/1 - loss: 0.6931 - accuracy: 0.5000\\n",\n'
    body = ('{"cells": [{"cell_type": "code", "source": "for _ in range(200000): print()", '
            '"outputs": [{"output_type": "stream", "name": "stdout", "text": [\n'
            + line * 200_000 + '    "end"]}], "metadata": {}, "execution_count": 1}], '
            '"metadata": {}, "nbformat": 4, "nbformat_minor": 5}').encode()
    archive = make_zip(tmp_path / "class.zip", {"alice.ipynb": body, "bob.ipynb": b"{}"})
    info = zipfile.ZipFile(archive).getinfo("alice.ipynb")
    assert info.file_size > 2**20 and info.file_size / info.compress_size > 200
    extracted = extract_archive(archive, dest=tmp_path / "out")
    assert (tmp_path / "out" / "alice.ipynb").read_bytes() == body and not extracted.skipped


def test_total_and_member_limits_count_real_bytes(tmp_path):
    archive = make_zip(tmp_path / "c.zip", {f"s{i}.ipynb": bytes(range(256)) * 40 for i in range(5)})
    with pytest.raises(ArchiveLimitError, match="more than 20000 bytes"):
        extract_archive(archive, dest=tmp_path / "o1", limits=ArchiveLimits(max_total_bytes=20_000))
    with pytest.raises(ArchiveLimitError, match="members"):
        extract_archive(archive, dest=tmp_path / "o2", limits=ArchiveLimits(max_members=3))
    # a member over its limit is left out, not the archive
    extracted = extract_archive(archive, dest=tmp_path / "o3", limits=ArchiveLimits(max_member_bytes=1000))
    assert extracted.files == 0 and len(extracted.skipped) == 5
    assert all(note.endswith("bytes, over the limit of 1000") for note in extracted.skipped)


def test_lying_header_writes_nothing_beyond_it(tmp_path):
    """A member holding more bytes than its header claims is dropped, not written in full."""
    archive = tmp_path / "liar.zip"
    make_zip(archive, {"a.ipynb": b"A" * 5000, "b.ipynb": b"{}"})
    data = archive.read_bytes().replace((5000).to_bytes(4, "little"), (10).to_bytes(4, "little"))
    archive.write_bytes(data)
    dest = tmp_path / "out"
    extracted = extract_archive(archive, dest=dest, limits=ArchiveLimits(max_member_bytes=100))
    assert [p.name for p in dest.rglob("*") if p.is_file()] == ["b.ipynb"]
    assert any(s.startswith("liar.zip:a.ipynb: unreadable") or s.startswith("liar.zip:a.ipynb: expands beyond")
               for s in extracted.skipped), extracted.skipped


def test_not_a_zip(tmp_path):
    bogus = tmp_path / "x.zip"
    bogus.write_bytes(b"not a zip at all")
    assert not is_archive(bogus)
    with pytest.raises(ArchiveError, match="not a readable zip"):
        extract_archive(bogus, dest=tmp_path / "o")


def test_wrapper_folder_and_nested_student_zip(tmp_path):
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as zf:
        zf.writestr("project/rnn.ipynb", b"{}")
        zf.writestr("project/imdb_report.json", b"{}")
    archive = make_zip(tmp_path / "canvas.zip", {
        "submissions/smithjane_12345_67890_rnn.ipynb": b"{}",
        "submissions/doejohn_LATE_222_333_work.zip": inner.getvalue(),
    })
    extracted = extract_archive(archive, dest=tmp_path / "out")
    assert extracted.root.name == "submissions"
    subs = {s.id: s for s in find_submissions(extracted.root)}
    assert set(subs) == {"smithjane_12345", "doejohn_222"}
    assert subs["doejohn_222"].path.name == "rnn.ipynb"
    assert set(subs["doejohn_222"].extra_files) == {"project/imdb_report.json"}


def test_broken_nested_zip_stays_a_file(tmp_path):
    archive = make_zip(tmp_path / "c.zip", {"a.ipynb": b"{}", "lee_1_2_work.zip": b"garbage"})
    extracted = extract_archive(archive, dest=tmp_path / "out")
    assert (extracted.root / "lee_1_2_work.zip").is_file()
    assert any("lee_1_2_work.zip" in s for s in extracted.skipped)
