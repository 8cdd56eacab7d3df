"""grader.fixturecache: a class run's fixtures decoded once, kept in marshal form, never trusted
unless made from exactly the fixture bytes read now (counts of JSON decodings, not clocks)."""
from __future__ import annotations

import io
import shutil
import zipfile
from pathlib import Path

import numpy as np
import pytest

from grader import commands, fixturecache, plaindata
from grader import fixtures as fx
from grader.rubric import load_rubric
from tests import notebooks as nbs
from tests.test_fixtures import ROUND_TRIP, same

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def workspace(tmp_path):
    """A copy of rnn.yaml and its fixture files (no cache) in tmp_path: (rubric, fixtures dir)."""
    shutil.copy(ROOT / "rubrics" / "rnn.yaml", tmp_path / "rnn.yaml")
    (tmp_path / "fixtures").mkdir()
    for path in (ROOT / "rubrics" / "fixtures").glob("rnn.*.json"):
        shutil.copy(path, tmp_path / "fixtures" / path.name)
    return load_rubric(tmp_path / "rnn.yaml"), tmp_path / "fixtures"


@pytest.fixture
def decodings(monkeypatch):
    """A list that grows by one for each fixture file decoded from its JSON."""
    calls = []
    real = plaindata.loads

    def counting(text, **options):
        calls.append(len(text))
        return real(text, **options)

    monkeypatch.setattr(plaindata, "loads", counting)
    return calls


def same_fixtures(a: fx.Fixtures, b: fx.Fixtures) -> bool:
    """Same cases, values (types, dtypes, bytes) and messages; arrays read-only in both."""
    if list(a) != list(b) or dict(a.mutant_messages) != dict(b.mutant_messages):
        return False
    for case_id in a:
        x, y = a[case_id], b[case_id]
        for field in ("args", "expected"):
            if not same(getattr(x, field), getattr(y, field)):
                return False
        if not same(dict(x.traces), dict(y.traces)) or not same(dict(x.mutants), dict(y.mutants)):
            return False
        if isinstance(y.expected, np.ndarray) and y.expected.flags.writeable:
            return False
    return True


def test_freeze_and_thaw_give_what_the_json_decodes_to():
    for value in ROUND_TRIP:
        decoded = plaindata.loads(plaindata.dumps(value), readonly=True)
        assert same(decoded, fixturecache.thaw(fixturecache.freeze(decoded))), value


def test_thawed_arrays_are_read_only_aligned_and_shared_where_the_json_shares_them():
    text = plaindata.dumps({"w": np.arange(6.0).reshape(2, 3), "again": np.arange(6.0).reshape(2, 3),
                            "flag": np.array([True, False]), "x": np.float32(1.5)}, share_arrays=True)
    decoded = plaindata.loads(text, readonly=True)
    assert decoded["w"] is decoded["again"]
    back = fixturecache.thaw(fixturecache.freeze(decoded))
    assert same(decoded, back)
    assert back["w"] is back["again"]
    for name in ("w", "flag"):
        assert not back[name].flags.writeable and back[name].flags.aligned


def test_a_second_cached_load_decodes_no_json(workspace, decodings):
    rubric, folder = workspace
    plain = fx.load_fixtures(rubric, fixtures_dir=folder)
    assert len(decodings) == 2 and not (folder / fixturecache.CACHE_DIR).exists()
    first = fx.load_fixtures(rubric, fixtures_dir=folder, cache=True)  # decodes, keeps the caches
    assert len(decodings) == 4
    assert sorted(p.name for p in (folder / fixturecache.CACHE_DIR).iterdir()) == [
        ".gitignore", "rnn.hidden.json.marshal", "rnn.public.json.marshal"]  # .gitignore: session 30
    second = fx.load_fixtures(rubric, fixtures_dir=folder, cache=True)
    assert len(decodings) == 4  # both files from their caches
    assert same_fixtures(plain, first) and same_fixtures(plain, second)


def test_changed_fixtures_are_decoded_again_and_the_cache_replaced(workspace, decodings):
    rubric, folder = workspace
    fx.load_fixtures(rubric, fixtures_dir=folder, cache=True)
    path = folder / "rnn.public.json"
    data = path.read_bytes()
    stamp = data.index(b'"generated":')
    path.write_bytes(data[:stamp] + b'"generated":"another day",' + data[data.index(b"\n", stamp):].lstrip(b","))
    del decodings[:]
    reloaded = fx.load_fixtures(rubric, fixtures_dir=folder, cache=True)
    assert decodings == [len(path.read_bytes())]  # the changed file only
    assert fixturecache.load_cached(path, path.read_bytes()) is not None  # the new cache
    assert same_fixtures(fx.load_fixtures(rubric, fixtures_dir=folder), reloaded)


@pytest.mark.parametrize("damage", ["flip", "truncate", "empty", "header", "swap"])
def test_a_damaged_or_foreign_cache_falls_back_to_the_json(workspace, decodings, damage):
    rubric, folder = workspace
    plain = fx.load_fixtures(rubric, fixtures_dir=folder)
    fx.load_fixtures(rubric, fixtures_dir=folder, cache=True)
    cache = fixturecache.cache_path(folder / "rnn.hidden.json")
    data = cache.read_bytes()
    if damage == "flip":
        data = data[:-100] + bytes([data[-100] ^ 1]) + data[-99:]
    elif damage == "truncate":
        data = data[: len(data) // 2]
    elif damage == "empty":
        data = b""
    elif damage == "header":
        data = b"X" + data[1:]
    else:  # the public file's cache under the hidden file's name
        data = fixturecache.cache_path(folder / "rnn.public.json").read_bytes()
    cache.write_bytes(data)
    del decodings[:]
    loaded = fx.load_fixtures(rubric, fixtures_dir=folder, cache=True)
    assert decodings == [len((folder / "rnn.hidden.json").read_bytes())]
    assert same_fixtures(plain, loaded)


def test_a_cache_that_cannot_be_written_is_no_cache(workspace, decodings):
    rubric, folder = workspace
    (folder / fixturecache.CACHE_DIR).write_text("a file where the folder would be")
    plain = fx.load_fixtures(rubric, fixtures_dir=folder)
    for _ in range(2):
        assert same_fixtures(plain, fx.load_fixtures(rubric, fixtures_dir=folder, cache=True))
    assert len(decodings) == 6


def test_fixture_errors_still_name_the_file(workspace):
    rubric, folder = workspace
    fx.load_fixtures(rubric, fixtures_dir=folder, cache=True)
    (folder / "rnn.public.json").write_text("{not json")
    with pytest.raises(fx.FixtureError, match=r"rnn\.public\.json: not a valid fixture file"):
        fx.load_fixtures(rubric, fixtures_dir=folder, cache=True)


def test_only_a_class_run_keeps_a_cache(tmp_path, workspace):
    rubric, folder = workspace
    commands.load_context(Path(rubric.path))  # what --check and --gradescope load
    assert not (folder / fixturecache.CACHE_DIR).exists()
    subs = tmp_path / "subs"
    nbs.write(subs / "ada.ipynb", nbs.course_notebook())
    summary = commands.grade_class(subs, out_dir=tmp_path / "out", rubric=Path(rubric.path), jobs=1,
                                   similarity=False, feedback_html=False, class_report=False,
                                   stream=io.StringIO())
    assert summary.graded == 1
    assert (folder / fixturecache.CACHE_DIR / "rnn.hidden.json.marshal").is_file()


def test_the_gradescope_zip_carries_no_fixture_cache(tmp_path):
    from grader.gradescope import build_autograder_zip

    repo = tmp_path / "repo"
    for name in ("grade.py", "requirements.txt", "docs/gradescope/setup.sh",
                 "docs/gradescope/run_autograder", "grader/x.py", "rubrics/rnn.yaml",
                 "rubrics/fixtures/rnn.hidden.json",
                 f"rubrics/fixtures/{fixturecache.CACHE_DIR}/rnn.hidden.json.marshal"):
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(name)
    with zipfile.ZipFile(build_autograder_zip(tmp_path / "a.zip", repo=repo)) as zf:
        names = zf.namelist()
    assert "rubrics/fixtures/rnn.hidden.json" in names and "grader/x.py" in names
    assert not any(fixturecache.CACHE_DIR in name for name in names)
