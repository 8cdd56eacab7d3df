"""find_similar's scores against their definition, counted plainly from each side's fingerprints.

``find_similar`` adds up the class's shared counts with a matrix product and keeps no
per-function matrix: a listed pair's own scores are counted from its two documents. These tests
recompute every listed pair's per-function scores, its overall score and its shared count from
the definition in docs/similarity.md (fingerprints of the normalised function, less those held by
more than the common fraction of the class; shared over the measure's denominator), for each of
the three measures, so that a change in either path that moves a score fails here.
"""
from __future__ import annotations

import pytest

from grader.similarity import KNOWN_PREFIX, find_similar, normalise_function
from grader.similarity.detect import DEFAULT_K, DEFAULT_WINDOW
from grader.similarity.normalise import DEFAULT_KEEP_NAMES
from tests.test_similarity_corpus import make_corpus

COMMON_FRACTION = 0.3


def _definition(submissions: dict, known: dict, *, measure: str) -> dict:
    """(a, b) -> (per-function scores, overall, shared) for every pair with a shared fingerprint,
    counted from sets."""
    keep = DEFAULT_KEEP_NAMES | {f for funcs in (*submissions.values(), *known.values()) for f in funcs}
    from grader.similarity.winnow import fingerprints

    def values(source: str) -> frozenset[int]:
        tokens = normalise_function(source, keep_names=keep).tokens
        return frozenset(fp.value for fp in fingerprints(tokens, k=DEFAULT_K, w=DEFAULT_WINDOW))

    entities = {sid: {f: values(src) for f, src in funcs.items()} for sid, funcs in submissions.items()}
    entities.update({KNOWN_PREFIX + name: {f: values(src) for f, src in funcs.items()}
                     for name, funcs in known.items()})
    functions = sorted({f for funcs in entities.values() for f in funcs})
    limit = max(COMMON_FRACTION * len(submissions), 2.0)
    bad = {}
    for fname in functions:
        held: dict[int, int] = {}
        for sid in submissions:
            for value in entities[sid].get(fname, ()):
                held[value] = held.get(value, 0) + 1
        bad[fname] = {v for v, count in held.items() if count > limit}
    ids = list(entities)
    expected = {}
    for i, a in enumerate(ids):
        for b in ids[i + 1:]:
            if a.startswith(KNOWN_PREFIX) and b.startswith(KNOWN_PREFIX):
                continue
            scores, shared_sum, denom_sum = {}, 0, 0.0
            for fname in functions:
                if fname not in entities[a] or fname not in entities[b]:
                    continue
                left, right = entities[a][fname] - bad[fname], entities[b][fname] - bad[fname]
                if measure == "min":
                    if not left or not right:
                        continue
                    denom = min(len(left), len(right))
                elif measure == "max":
                    denom = max(len(left), len(right))
                else:
                    denom = (len(left) + len(right)) / 2
                shared = len(left & right)
                shared_sum += shared
                denom_sum += denom
                if denom > 0:
                    scores[fname] = shared / denom
            if shared_sum:
                expected[tuple(sorted((a, b)))] = (scores, shared_sum / denom_sum, shared_sum)
    return expected


@pytest.mark.parametrize("measure", ["max", "mean", "min"])
def test_every_listed_pair_scores_as_its_fingerprint_sets_say(measure):
    corpus = make_corpus(seed=7, n_independent=24, copies_per_disguise=1, n_known=2)
    report = find_similar(corpus.submissions, known=corpus.known, measure=measure, max_pairs=100_000,
                          common_fraction=COMMON_FRACTION)
    expected = _definition(corpus.submissions, corpus.known, measure=measure)
    listed = {tuple(sorted((p.a, p.b))): p for p in report.pairs}
    assert set(listed) == set(expected)  # every candidate pair is listed: max_pairs is above them
    assert report.stats["candidate_pairs"] == len(expected)
    for key, (scores, overall, shared) in expected.items():
        pair = listed[key]
        assert pair.shared == shared, key
        assert pair.overall == pytest.approx(overall, abs=6e-5), key
        assert set(pair.scores) == set(scores), key
        for fname, score in scores.items():
            assert pair.scores[fname] == pytest.approx(score, abs=6e-5), (key, fname)
        # the regions cover exactly the functions compared, those with a counted shared fingerprint
        assert set(pair.regions) == {f for f, s in scores.items() if s > 0}, key


def test_a_pairs_documents_are_shared_not_copied():
    """A listed pair refers to its sides' documents (a class of 2,000 lists 90,000 pairs):
    pairs that compare the same functions share one tuple of names."""
    corpus = make_corpus(seed=7, n_independent=24, copies_per_disguise=1)
    report = find_similar(corpus.submissions, max_pairs=100_000)
    names = {id(p.regions._names) for p in report.pairs if len(p.scores) == 6}
    assert len(names) == 1


@pytest.mark.parametrize("measure", ["max", "mean", "min"])
@pytest.mark.parametrize("max_pairs", [0, 1, 9, 60])
def test_a_short_list_is_the_start_of_the_full_one_whatever_the_row_blocks(monkeypatch, measure, max_pairs):
    """The pairs are scored a block of rows at a time and only the unflagged ones that may make the
    cut are kept (``_Scored``): with blocks of 4 rows and a few fingerprints a product, a report
    of ``max_pairs`` lists exactly the first pairs of the report that lists every candidate (the
    flagged ones, identical own work first, then the most similar), with the same counts."""
    from grader.similarity import detect
    from grader.similarity.ownwork import IDENTICAL_REASON

    corpus = make_corpus(seed=7, n_independent=24, copies_per_disguise=1, n_known=2)
    ids = list(corpus.submissions)
    own = {sid: "same" if i in (3, 9, 17) else str(i) for i, sid in enumerate(ids)}
    settings = dict(known=corpus.known, measure=measure, own_work=own, threshold=0.6,
                    common_fraction=COMMON_FRACTION)
    everything = find_similar(corpus.submissions, max_pairs=100_000, **settings)
    monkeypatch.setattr(detect, "_ROW_BLOCK", 4)
    monkeypatch.setattr(detect, "_INCIDENCE_ENTRIES", 64)
    short = find_similar(corpus.submissions, max_pairs=max_pairs, **settings)
    flagged = everything.stats["flagged_pairs"]
    assert 0 < flagged < everything.stats["candidate_pairs"]  # some pairs are left unflagged
    assert [p.reason for p in everything.pairs[:2]] == [IDENTICAL_REASON] * 2
    assert short.pairs == everything.pairs[:max(max_pairs, flagged)]
    assert short.clusters == everything.clusters
    assert {k: v for k, v in short.stats.items() if k != "seconds"} == \
        {k: v for k, v in everything.stats.items() if k != "seconds"}
