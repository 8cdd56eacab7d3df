"""The similarity check's store of normalised functions (grader.similarity.store): a run after a
late submission normalises only what changed, gives the same report, and never trusts a file it
did not write for these settings."""
from __future__ import annotations

import io
import os

import pytest

import grader.similarity.detect as detect
from grader import commands
from grader import classfiles
from grader.similarity import find_similar
from grader.similarity.store import load_store, save_store, store_path
from tests import notebooks as nbs
from tests.test_similarity_corpus import make_corpus


def _same(a, b) -> None:
    """Two reports alike in everything but their timing."""
    assert a.pairs == b.pairs
    assert a.clusters == b.clusters
    assert {k: v for k, v in a.stats.items() if k != "seconds"} == {k: v for k, v in b.stats.items() if k != "seconds"}


@pytest.fixture
def normalised(monkeypatch):
    """The sources each find_similar call normalises (``_prepare_all``'s input), call by call."""
    calls: list[list[str]] = []
    real = detect._prepare_all

    def spy(sources, **kwargs):
        calls.append(list(sources))
        return real(sources, **kwargs)

    monkeypatch.setattr(detect, "_prepare_all", spy)
    return calls


def test_a_stored_run_normalises_only_new_sources_and_reports_the_same(normalised):
    corpus = make_corpus(seed=11, n_independent=20, copies_per_disguise=1, n_known=1)
    plain = find_similar(corpus.submissions, known=corpus.known)
    store: dict = {}
    first = find_similar(corpus.submissions, known=corpus.known, store=store)
    distinct = {src for funcs in (*corpus.submissions.values(), *corpus.known.values()) for src in funcs.values()}
    assert len(store) == len(distinct)
    again = find_similar(corpus.submissions, known=corpus.known, store=store)
    _same(plain, first)
    _same(plain, again)
    assert [len(c) for c in normalised] == [len(distinct), len(distinct), 0]

    # a late submission: only its functions are normalised; one that left takes its keys along
    late = dict(corpus.submissions)
    gone = next(iter(late))
    late.pop(gone)
    late["late_student"] = {name: src.replace("return", "result = None\n    return", 1)
                            for name, src in corpus.submissions[gone].items()}
    normalised.clear()
    fresh = find_similar(late, known=corpus.known)
    stored = find_similar(late, known=corpus.known, store=store)
    _same(fresh, stored)
    new_sources = set(late["late_student"].values()) - distinct
    assert set(normalised[1]) == new_sources
    assert len(store) == len({src for funcs in (*late.values(), *corpus.known.values()) for src in funcs.values()})


def test_other_settings_find_nothing_of_the_last_run(normalised):
    corpus = make_corpus(seed=12, n_independent=8, copies_per_disguise=1)
    store: dict = {}
    find_similar(corpus.submissions, store=store)
    template = next(iter(corpus.submissions.values()))
    with_template = find_similar(corpus.submissions, template=template, store=store)
    _same(with_template, find_similar(corpus.submissions, template=template))
    assert len(normalised[1]) == len(normalised[0])  # all normalised again: other statements left out


def test_the_file_is_used_only_as_written(tmp_path):
    corpus = make_corpus(seed=13, n_independent=6, copies_per_disguise=1)
    store: dict = {}
    find_similar(corpus.submissions, store=store)
    assert save_store(tmp_path, store)
    path = store_path(tmp_path)
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert load_store(tmp_path) == store

    data = path.read_bytes()
    path.write_bytes(data[:-1] + bytes([data[-1] ^ 1]))  # damaged: its digest no longer matches
    assert load_store(tmp_path) == {}
    path.write_bytes(data)
    os.chmod(path, 0o620)  # another user could have written it
    assert load_store(tmp_path) == {}
    os.chmod(path, 0o600)
    assert load_store(tmp_path) == store
    path.unlink()
    assert load_store(tmp_path) == {}


def test_a_sealed_payload_of_another_shape_is_an_empty_store(tmp_path):
    assert save_store(tmp_path, {b"k" * 16: ((1, 2), True, b"\0" * 8, b"")})  # values without positions
    assert load_store(tmp_path) == {}
    assert save_store(tmp_path, {"not bytes": ((1,), True, b"", b"")})
    assert load_store(tmp_path) == {}


def test_a_class_run_after_a_late_submission_normalises_its_functions_only(tmp_path, normalised):
    subs, out = tmp_path / "subs", tmp_path / "out"
    nbs.write(subs / "ada.ipynb", nbs.course_notebook())
    nbs.write(subs / "alan.ipynb", nbs.course_notebook(nbs.mutate("rnn_cell_forward", "+ ba)", ")")))
    grade = dict(out_dir=out, jobs=1, class_report=False, feedback_html=False, stream=io.StringIO())
    commands.grade_class(subs, **grade)
    assert store_path(out).is_file()
    first = (out / classfiles.SIMILARITY_CSV).read_text()
    nbs.write(subs / "grace.ipynb", nbs.course_notebook(nbs.mutate("rnn_forward", "a_next, yt_pred", "a_next, yt")))
    commands.grade_class(subs, **grade)
    late_sources = set(normalised[-1])
    assert late_sources and all("yt" in src for src in late_sources)  # grace's changed function alone
    assert len(late_sources) == 1
    out_plain = tmp_path / "plain"
    commands.grade_class(subs, **{**grade, "out_dir": out_plain})
    assert (out / classfiles.SIMILARITY_CSV).read_text() == (out_plain / classfiles.SIMILARITY_CSV).read_text()
    assert first != ""
