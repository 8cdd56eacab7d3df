"""A new term (docs/rubrics.md, A new term): last term's fixtures were posted online, so every case
gets a new seed. Nothing of last term's fixtures may survive into this term's public file, which
the student kit carries: no array of last term's (public or hidden) that is not constant (a
mistake's zeros are the same in any term). Thirty-eighth session, tried on both shipped rubrics;
this pins it for rnn.yaml, so that a builder that ignores its seed is caught."""
from __future__ import annotations

import hashlib
import re
from typing import Any, Iterator

import numpy as np

from grader import plaindata
from grader import regenerate as rg
from tests.test_fixtures import RUBRICS, workspace  # noqa: F401 - fixtures


def _arrays(value: Any) -> Iterator[np.ndarray]:
    if isinstance(value, dict):
        for item in value.values():
            yield from _arrays(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _arrays(item)
    elif isinstance(value, np.ndarray) and value.dtype.kind == "f" and value.size > 1 and np.ptp(value) > 0:
        yield value


def _digests(data: bytes) -> set[str]:
    cases = plaindata.loads(data, readonly=True)["cases"]
    return {hashlib.sha256(np.ascontiguousarray(array).tobytes()).hexdigest() for array in _arrays(cases)}


def test_new_seeds_leave_nothing_of_last_terms_fixtures_in_the_public_file(workspace, capsys):
    rubric_path, fixtures_dir = workspace
    last = {name: (fixtures_dir / f"rnn.{name}.json").read_bytes() for name in ("public", "hidden")}
    text = rubric_path.read_text(encoding="utf-8")
    renewed = re.sub(r"seed: (\d+)", lambda m: f"seed: {int(m.group(1)) + 100}", text)
    assert "seed: 1," not in renewed and "seed: 101," in renewed
    rubric_path.write_text(renewed, encoding="utf-8")
    assert rg.main([str(rubric_path)]) == rg.EXIT_OK
    capsys.readouterr()
    now = _digests((fixtures_dir / "rnn.public.json").read_bytes())
    before = _digests(last["public"]) | _digests(last["hidden"])
    assert len(now) > 300 and not now & before, len(now & before)
    # The control: with last term's seeds kept, the public file is last term's.
    rubric_path.write_text(text, encoding="utf-8")
    assert rg.main([str(rubric_path)]) == rg.EXIT_OK
    assert _digests((fixtures_dir / "rnn.public.json").read_bytes()) <= before
