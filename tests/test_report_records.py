"""The worker's records made from the result objects: ``result.full.json`` is written without
building ``result_to_dict``'s dicts (``report.record_json``), and the page record a worker sends
is made from the objects (``report.page_record_of``); both must give exactly what the dicts give,
on results of every shape (seeded random ones here)."""
from __future__ import annotations

import dataclasses
import json
import math
import pickle
import random
from types import MappingProxyType

import pytest

from grader import batch, report
from grader.models import (
    CRASHED, ERROR, FAILED, GRADER_ERROR, HIDDEN, MISSING, PASSED, PUBLIC, TIMEOUT, CaseResult,
    CheckResult, Diagnosis, Location, PartResult, SubmissionResult,
)

#: Characters the records' texts are drawn from: plain ASCII, what JSON escapes (quotes, the
#: backslash, control characters, DEL), non-ASCII letters, a character beyond the BMP, a line
#: separator and a lone surrogate (which ``write_atomic`` writes as "?").
_CHARS = "abcXYZ019 _.,:`'\"\\\n\r\t\x00\x1b\x7féü日本\U0001f600\u2028\ud800"
_FLOATS = (0.0, -0.0, 1.0, 2.5, 1 / 7, 10 / 7, 1e-300, 1e300, 0.001688538999587763, 5.0,
           float("nan"), math.inf, -math.inf)


def _text(rng: random.Random) -> str:
    return "".join(rng.choice(_CHARS) for _ in range(rng.randrange(0, 12)))


def _location(rng: random.Random) -> Location | None:
    if rng.random() < 0.4:
        return None
    return Location(rng.choice((None, 0, 3)), rng.choice((None, 1, 17)), rng.choice((None, "", "f")))


def _case(rng: random.Random, k: int) -> CaseResult:
    status = rng.choice((PASSED, PASSED, PASSED, FAILED, ERROR, TIMEOUT, CRASHED, MISSING))
    checks = tuple(CheckResult(_text(rng), rng.random() < 0.5, rng.choice(_FLOATS), rng.choice(_FLOATS),
                               *((_text(rng),) if rng.random() < 0.5 else ()))
                   for _ in range(rng.randrange(0, 4)))
    diagnosis = Diagnosis(_text(rng), _text(rng)) if rng.random() < 0.2 else None
    return CaseResult(f"part/case-{k}", _text(rng), rng.choice((PUBLIC, HIDDEN)), status,
                      rng.choice(_FLOATS), rng.choice(_FLOATS), checks=checks, message=_text(rng),
                      diagnosis=diagnosis, location=_location(rng), output=_text(rng),
                      seconds=rng.choice(_FLOATS))


def _part(rng: random.Random, k: int) -> PartResult:
    cases = tuple(_case(rng, j) for j in range(rng.randrange(0, 5)))
    return PartResult(f"f{k}", rng.choice((f"f{k}", _text(rng))), rng.choice((PASSED, FAILED)),
                      rng.choice(_FLOATS), rng.choice(_FLOATS), cases,
                      notes=tuple(_text(rng) for _ in range(rng.randrange(0, 3))), location=_location(rng))


def _result(rng: random.Random, k: int) -> SubmissionResult:
    """A result as the runner makes one (mapping proxies), or as a caller may (plain dicts, a list
    and a nested record in ``extra``), with or without a grader error."""
    extra: dict = {"sources": MappingProxyType({"f": _text(rng), "g": _text(rng)})}
    if rng.random() < 0.3:
        extra[GRADER_ERROR] = _text(rng)
    if rng.random() < 0.2:
        extra["n"] = [1, 2.5, None, True, (3, _text(rng)), {"k": Location(1, 2, "f")}]
    timings = {"read": rng.choice(_FLOATS), "total": rng.choice(_FLOATS)}
    proxies = rng.random() < 0.7
    return SubmissionResult(
        f"s{k:04d}_{_text(rng)}", _text(rng), rng.choice(("graded", "unreadable", "harness_error")),
        rng.choice(_FLOATS), rng.choice(_FLOATS), tuple(_part(rng, j) for j in range(rng.randrange(0, 8))),
        messages=tuple(_text(rng) for _ in range(rng.randrange(0, 3))),
        timings=MappingProxyType(timings) if proxies else timings,
        extra=MappingProxyType(extra) if proxies else extra)


def _results(count: int = 300) -> list[SubmissionResult]:
    rng = random.Random(20)
    out = [_result(rng, k) for k in range(count)]
    # Read back as the grading process does (objects built from their dicts, fields in order),
    # and the summaries a worker may send.
    out += [report.result_from_dict(report.result_to_dict(r), trusted=True) for r in out[:40]]
    out += [report.summary_of(r) for r in out[:40]]
    return out


def test_the_record_json_is_the_text_of_the_whole_record():
    for result in _results():
        assert report.record_json(result) == json.dumps(report.result_to_dict(result)), result.submission_id


def test_the_record_json_reads_fields_one_by_one_when_an_object_holds_more():
    """An object with an attribute beyond its fields (set past its frozen ``__setattr__``) is
    written from its fields, as ``result_to_dict`` reads it; an object JSON cannot write is refused
    as ``json.dumps`` refuses it."""
    result = _result(random.Random(3), 1)
    object.__setattr__(result, "_memo", "not a field")
    object.__setattr__(result.parts[0], "_memo", 1) if result.parts else None
    assert report.record_json(result) == json.dumps(report.result_to_dict(result))
    odd = dataclasses.replace(result, extra={"x": object()})
    with pytest.raises(TypeError):
        report.record_json(odd)
    with pytest.raises(TypeError):
        json.dumps(report.result_to_dict(odd))


def test_the_page_record_from_the_objects_is_the_page_record_of_the_whole_record():
    for result in _results():
        sent = report.page_record_of(result)
        assert sent == report.page_record(report.result_to_dict(result)), result.submission_id
        assert json.dumps(sent) == json.dumps(report.page_record(report.result_to_dict(result)))
        assert pickle.dumps(sent) == pickle.dumps(report.page_record(report.result_to_dict(result)))


def test_a_worker_writes_and_sends_its_records_without_the_whole_dict(tmp_path, monkeypatch):
    """``write_submission_record`` and the page record a worker sends never build the whole
    record's dicts (``result_to_dict``), and what they write and send is what those dicts give."""
    results = _results(60)
    expected = [(json.dumps(report.result_to_dict(r)), report.page_record(report.result_to_dict(r)))
                for r in results]

    def refused(result):
        raise AssertionError("the whole record's dicts were built")

    monkeypatch.setattr(report, "result_to_dict", refused)
    monkeypatch.setattr(batch, "result_to_dict", refused)
    for k, (result, (text, page)) in enumerate(zip(results, expected)):
        folder = tmp_path / str(k)
        digests: dict = {}
        report.write_submission_record(result, folder, digests=digests)
        assert (folder / report.RESULT_RECORD).read_bytes() == text.encode("utf-8", "replace")
        assert set(digests) == {"feedback.md", "results.json", report.RESULT_RECORD}
        done = batch._summary(result, 0.5, records="page", files=digests)
        assert done.record == page and done.files is digests
