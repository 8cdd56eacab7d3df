"""A digest of every verdict in a grading output folder, to prove a speed-up changed no grade.

``python3 benchmarks/verdicts.py OUT [OUT2]`` prints one SHA-256 over every
``OUT/<id>/result.full.json`` (points, statuses, messages, diagnoses, locations,
captured output), leaving out what legitimately varies between runs: timings
and the seconds each call took. With two folders it lists the submissions whose
verdicts differ instead.
"""
from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

VARYING = frozenset({"timings", "seconds", "path", "extra"})


def _strip(value: object) -> object:
    """``value`` without the keys in ``VARYING`` (recursively)."""
    if isinstance(value, dict):
        return {k: _strip(v) for k, v in value.items() if k not in VARYING}
    if isinstance(value, list):
        return [_strip(v) for v in value]
    return value


def verdicts(out_dir: Path) -> dict[str, str]:
    """``{submission id: canonical JSON of its verdicts}`` for every graded submission in ``out_dir``."""
    found = {}
    for path in sorted(Path(out_dir).glob("*/result.full.json")):
        data = _strip(json.loads(path.read_text("utf-8")))
        found[path.parent.name] = json.dumps(data, sort_keys=True)
    return found


def digest(out_dir: Path) -> str:
    """One SHA-256 over the verdicts of every submission in ``out_dir``."""
    h = hashlib.sha256()
    for sid, text in verdicts(out_dir).items():
        h.update(sid.encode() + b"\0" + text.encode() + b"\n")
    return h.hexdigest()


def main(argv: list[str]) -> int:
    """Print the digest of one folder, or the differences between two."""
    if len(argv) == 1:
        found = verdicts(Path(argv[0]))
        print(f"{digest(Path(argv[0]))}  ({len(found)} submissions)")
        return 0
    if len(argv) == 2:
        a, b = verdicts(Path(argv[0])), verdicts(Path(argv[1]))
        differ = sorted(k for k in a.keys() | b.keys() if a.get(k) != b.get(k))
        for sid in differ:
            print(f"differs: {sid}")
        print(f"{len(differ)} of {len(a.keys() | b.keys())} submissions differ")
        return 1 if differ else 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
