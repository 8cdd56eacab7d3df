"""grader.rubriccache: a class run's rubric read once from its YAML, kept in marshal form, never
trusted unless made from exactly the rubric bytes read now (counts of YAML readings and
imported modules, not clocks)."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path
from types import MappingProxyType

import pytest

from grader import rubric as rubric_module
from grader import rubriccache
from grader.rubric import RubricError, load_rubric

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def rubric_file(tmp_path):
    """A copy of rnn.yaml in tmp_path, without a cache."""
    shutil.copy(ROOT / "rubrics" / "rnn.yaml", tmp_path / "rnn.yaml")
    return tmp_path / "rnn.yaml"


@pytest.fixture
def readings(monkeypatch):
    """A list that grows by one for each rubric read from its YAML."""
    calls = []
    real = rubric_module.parse_rubric

    def counting(data, **options):
        calls.append(len(data))
        return real(data, **options)

    monkeypatch.setattr(rubric_module, "parse_rubric", counting)
    return calls


def same_rubric(a, b) -> bool:
    """Equal, and of the same types throughout (a mapping proxy is not a dict, a tuple not a list)."""
    return a == b and repr(a) == repr(b)


@pytest.mark.parametrize("name", ["rnn.yaml", "rnn_extended.yaml"])
def test_freeze_and_thaw_give_the_rubric_back(name):
    rubric = load_rubric(ROOT / "rubrics" / name)
    back = rubriccache.thaw(rubriccache.freeze(rubric))
    assert same_rubric(rubric, back)
    assert isinstance(back.imdb, MappingProxyType) or back.imdb is None
    assert isinstance(back.parts[0].cases[0].dims, MappingProxyType)


def test_a_second_cached_load_reads_no_yaml(rubric_file, readings, tmp_path):
    plain = load_rubric(rubric_file)
    first = load_rubric(rubric_file, cache=True)  # reads the YAML, keeps the cache
    assert len(readings) == 2
    assert rubriccache.cache_path(rubric_file).is_file()
    second = load_rubric(rubric_file, cache=True)
    assert len(readings) == 2  # from the cache
    assert same_rubric(plain, first) and same_rubric(plain, second)
    # The path is the one asked for, not the one the cache was made with.
    other = tmp_path / "elsewhere" / "rnn.yaml"
    other.parent.mkdir()
    shutil.copy(rubric_file, other)
    shutil.copytree(rubric_file.parent / rubriccache.CACHE_DIR, other.parent / rubriccache.CACHE_DIR)
    moved = load_rubric(str(other), cache=True)
    assert len(readings) == 2 and moved.path == str(other)
    assert same_rubric(load_rubric(str(other)), moved)


def test_a_changed_rubric_is_read_again_and_the_cache_replaced(rubric_file, readings):
    before = load_rubric(rubric_file, cache=True)
    text = rubric_file.read_text()
    assert "seed: 7," in text
    rubric_file.write_text(text.replace("seed: 7,", "seed: 107,", 1))
    after = load_rubric(rubric_file, cache=True)
    assert len(readings) == 2
    assert after != before and same_rubric(after, load_rubric(rubric_file))
    assert any(case.seed == 107 for case in after.cases)
    assert same_rubric(rubriccache.load_cached(rubric_file, rubric_file.read_bytes()), after)


def test_a_bad_rubric_is_reported_from_its_yaml_whatever_the_cache_holds(rubric_file, readings):
    load_rubric(rubric_file, cache=True)  # a cache of the good rubric
    text = rubric_file.read_text()
    lines = text.splitlines(keepends=True)
    number = next(i for i, line in enumerate(lines) if "seed: 7," in line) + 1
    lines[number - 1] = lines[number - 1].replace("seed: 7,", "sead: 7,")
    rubric_file.write_text("".join(lines))
    with pytest.raises(RubricError) as cached_error:
        load_rubric(rubric_file, cache=True)
    with pytest.raises(RubricError) as plain_error:
        load_rubric(rubric_file)
    assert str(cached_error.value) == str(plain_error.value)
    assert cached_error.value.line == number and "unknown key 'sead'" in str(cached_error.value)
    assert "did you mean 'seed'?" in str(cached_error.value)
    # Nothing was kept for the bad bytes: the next load reads them again, with the same error.
    assert rubriccache.load_cached(rubric_file, rubric_file.read_bytes()) is None
    with pytest.raises(RubricError, match=rf":{number}: unknown key 'sead'"):
        load_rubric(rubric_file, cache=True)


@pytest.mark.parametrize("damage", ["flip", "truncate", "empty", "header", "foreign"])
def test_a_damaged_or_foreign_cache_falls_back_to_the_yaml(rubric_file, readings, damage):
    plain = load_rubric(rubric_file)
    load_rubric(rubric_file, cache=True)
    cache = rubriccache.cache_path(rubric_file)
    data = cache.read_bytes()
    if damage == "flip":
        data = data[:-100] + bytes([data[-100] ^ 1]) + data[-99:]
    elif damage == "truncate":
        data = data[: len(data) // 2]
    elif damage == "empty":
        data = b""
    elif damage == "header":
        data = b"X" + data[1:]
    else:  # the cache of another rubric under this one's name
        other = rubric_file.parent / "other.yaml"
        shutil.copy(ROOT / "rubrics" / "rnn_extended.yaml", other)
        load_rubric(other, cache=True)
        data = rubriccache.cache_path(other).read_bytes()
    cache.write_bytes(data)
    del readings[:]
    assert same_rubric(plain, load_rubric(rubric_file, cache=True))
    assert len(readings) == 1


def test_a_payload_freeze_cannot_have_made_is_no_cache():
    for payload in ((b"Case", (1, 2)), (b"Nope", ()), (b"proxy", [1]), {1, 2}, b"x"):
        with pytest.raises((TypeError, ValueError)):
            rubriccache.thaw(payload)


def test_a_rubric_holding_what_marshal_should_not_keep_is_not_cached(rubric_file, readings):
    # A YAML date in the bonus's pass-through section: read as a datetime.date, kept by no cache.
    text = rubric_file.read_text()
    assert "\nimdb:\n" in text
    rubric_file.write_text(text.replace("\nimdb:\n", "\nimdb:\n  note_date: 2024-01-01\n", 1))
    with pytest.raises(TypeError):
        rubriccache.freeze(load_rubric(rubric_file))
    for _ in range(2):
        loaded = load_rubric(rubric_file, cache=True)
        assert loaded.imdb["note_date"].year == 2024
    assert len(readings) == 3 and not rubriccache.cache_path(rubric_file).exists()


def test_a_warm_class_run_context_imports_no_yaml(rubric_file):
    """What the cache is for: a class run's context (rubric, fixtures, the bonus's config) with
    the caches warm imports neither PyYAML nor logging in the grading process."""
    shutil.copytree(ROOT / "rubrics" / "fixtures", rubric_file.parent / "fixtures",
                    ignore=shutil.ignore_patterns(".cache"))
    code = ("import sys; from pathlib import Path; from grader.commands import load_context; "
            f"ctx = load_context(Path({str(rubric_file)!r}), fixture_cache=True); "
            "import grader.batch, grader.sandbox, grader.runner; "
            "assert ctx.imdb_config is not None; "
            "print(sorted(m for m in ('yaml', 'logging') if m in sys.modules))")
    runs = [subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
            for _ in range(2)]
    assert all(run.returncode == 0 for run in runs), runs[-1].stderr
    assert runs[0].stdout.strip() == "['yaml']"  # the first run reads the YAML and keeps it
    assert runs[1].stdout.strip() == "[]"


def _valid_cache(rubric_file):
    """A valid cache of ``rubric_file`` (made by a cached load) and its path."""
    load_rubric(rubric_file, cache=True)
    return rubriccache.cache_path(rubric_file)


@pytest.mark.parametrize("swap", ["group_writable", "other_owner", "symlink"])
def test_a_cache_someone_else_could_have_written_is_no_cache(rubric_file, readings, tmp_path, swap):
    # The header's digests tell a stale cache, not a forged one: a file that another user could
    # have written (or planted as a link) is not taken, valid as its bytes are.
    cache = _valid_cache(rubric_file)
    if swap == "group_writable":
        cache.chmod(0o620)
    elif swap == "other_owner":
        if os.geteuid() != 0:
            pytest.skip("needs root to give the file to another user")
        os.chown(cache, 12345, -1)
    else:
        elsewhere = tmp_path / "elsewhere.marshal"
        cache.rename(elsewhere)
        cache.symlink_to(elsewhere)
    del readings[:]
    load_rubric(rubric_file, cache=True)
    assert len(readings) == 1


def test_a_fifo_at_the_cache_path_is_not_waited_on(rubric_file, readings):
    cache = _valid_cache(rubric_file)
    cache.unlink()
    os.mkfifo(cache)
    done = []
    reader = threading.Thread(target=lambda: done.append(load_rubric(rubric_file, cache=True)), daemon=True)
    reader.start()
    reader.join(10)
    try:
        assert done, "load_rubric waits for a writer of the FIFO"
    finally:
        if reader.is_alive():  # free the blocked reader: a writer that opens and closes at once
            os.close(os.open(cache, os.O_WRONLY | os.O_NONBLOCK))
            reader.join(10)
