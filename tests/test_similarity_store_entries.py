"""The similarity check's entries made by the grading workers (thirty-fifth session): each worker
normalises its submission's functions while the class is graded and stores what the check reads of
them in ``functions.json`` (``grader.similarity.store.ENTRIES_FIELD``); the check after the last
submission reads them instead of normalising the class then. The entries are the check's own, the
report is the same, and an entry this grader did not write, or malformed, is not used."""
from __future__ import annotations

import io
import json

import pytest

import grader.similarity.detect as detect
from grader import commands
from grader.similarity import find_similar
from grader.similarity import store as store_module
from grader.similarity.store import entries_from_json, entries_to_json
from tests import notebooks as nbs
from tests.test_similarity_corpus import TEMPLATE, make_corpus


@pytest.fixture
def normalised(monkeypatch):
    """The sources each ``find_similar`` call normalises (``_prepare_all``'s input), call by call."""
    calls: list[list[str]] = []
    real = detect._prepare_all

    def spy(sources, **kwargs):
        calls.append(list(sources))
        return real(sources, **kwargs)

    monkeypatch.setattr(detect, "_prepare_all", spy)
    return calls


@pytest.mark.parametrize("template", [None, TEMPLATE], ids=["no template", "template"])
def test_a_submission_s_entries_are_those_the_check_makes(template):
    corpus = make_corpus(seed=21, n_independent=12, copies_per_disguise=1)  # renamed copies share keys
    submissions = dict(corpus.submissions)
    # a helper defined inside under another graded name: normalised for the function it is compared as
    helper = next(iter(submissions.values()))["rnn_cell_forward"]
    submissions["wrapped"] = {"rnn_forward": helper.replace("def rnn_cell_forward", "def lstm_cell_forward")
                              + "\n\ndef rnn_forward(x, a0, parameters):\n    return lstm_cell_forward(x, a0, parameters)\n"}
    graded = sorted({name for funcs in submissions.values() for name in funcs})
    store: dict = {}
    find_similar(submissions, template=template, store=store)
    settings = detect.class_settings(graded=graded, template=template)
    made = {}
    for funcs in submissions.values():
        made.update(detect.submission_entries(funcs, settings))
    assert made == store  # every entry, keys and values, as the check made it
    assert detect._compared_for("rnn_forward", submissions["wrapped"]["rnn_forward"], settings.keep)


def test_the_report_is_the_same_from_the_entries():
    corpus = make_corpus(seed=22, n_independent=16, copies_per_disguise=1, n_known=1)
    settings = detect.class_settings(graded=sorted({n for f in corpus.submissions.values() for n in f}))
    store = {}
    for funcs in corpus.submissions.values():
        store.update(entries_from_json(json.loads(json.dumps(
            entries_to_json(detect.submission_entries(funcs, settings))))))
    plain = find_similar(corpus.submissions, known=corpus.known)
    stored = find_similar(corpus.submissions, known=corpus.known, store=store)
    assert plain.pairs == stored.pairs and plain.clusters == stored.clusters


def _class(folder):
    nbs.write(folder / "ada.ipynb", nbs.course_notebook())
    nbs.write(folder / "alan.ipynb", nbs.course_notebook(nbs.mutate("rnn_cell_forward", "+ ba)", ")")))
    nbs.write(folder / "grace.ipynb", nbs.course_notebook(nbs.mutate("rnn_forward", "a_next, yt_pred", "a_next, yt")))


@pytest.mark.parametrize("with_template", [False, True], ids=["no template", "template"])
def test_a_class_run_normalises_nothing_after_the_last_submission(tmp_path, normalised, monkeypatch, with_template):
    subs = tmp_path / "subs"
    _class(subs)
    template = nbs.write(tmp_path / "starter.ipynb", nbs.course_notebook()) if with_template else None
    grade = dict(jobs=1, class_report=False, feedback_html=False, stream=io.StringIO(), template=template)
    commands.grade_class(subs, out_dir=tmp_path / "out", **grade)
    assert normalised and all(call == [] for call in normalised)  # every function was in the entries
    stored = json.loads((tmp_path / "out" / "ada" / commands.SOURCES_FILE).read_text())
    assert len(entries_from_json(stored[commands.ENTRIES_FIELD])) == 6

    # the same report when the workers' normaliser fails: the check normalises them, as before
    def broken(functions, settings):
        raise RuntimeError("a bug of the normaliser")

    monkeypatch.setattr(detect, "submission_entries", broken)
    normalised.clear()
    commands.grade_class(subs, out_dir=tmp_path / "plain", **grade)
    assert sum(len(call) for call in normalised) > 0
    assert not list((tmp_path / "plain").glob("*/grader-errors.txt"))
    assert ((tmp_path / "out" / commands.SIMILARITY_CSV).read_text()
            == (tmp_path / "plain" / commands.SIMILARITY_CSV).read_text())
    assert "ada" in (tmp_path / "out" / commands.SIMILARITY_CSV).read_text()


def test_entries_are_used_only_as_this_grader_wrote_them(monkeypatch):
    funcs = next(iter(make_corpus(seed=23, n_independent=2, copies_per_disguise=0).submissions.values()))
    entries = detect.submission_entries(funcs, detect.class_settings(graded=list(funcs)))
    data = json.loads(json.dumps(entries_to_json(entries)))
    assert entries_from_json(data) == entries and len(entries) == len(funcs)

    first, second = list(data["entries"])[:2]
    damaged = json.loads(json.dumps(data))
    damaged["entries"][first][2] = "not base64!"
    damaged["entries"][second][0] = ["1", 2]  # a line that is no number
    damaged["entries"]["abcd"] = data["entries"][first]  # a key of another length
    damaged["entries"][list(data["entries"])[2]] = {"a": 1}
    kept = entries_from_json(damaged)
    assert len(kept) == len(entries) - 3 and set(kept.items()) <= set(entries.items())

    for other in (None, [], {"entries": data["entries"]}, {**data, "code": "0" * 32}, {**data, "entries": []}):
        assert entries_from_json(other) == {}
    monkeypatch.setattr(store_module, "_code_mark", lambda: "another grader's code")
    assert entries_from_json(data) == {}  # written by another version of the normaliser


def test_the_field_has_one_name():
    assert commands.ENTRIES_FIELD == store_module.ENTRIES_FIELD
