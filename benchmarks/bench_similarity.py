"""Timing of copied-code detection on a generated class of 1,000 submissions.

Usage (from the repository root)::

    python3 benchmarks/bench_similarity.py [--submissions 1000] [--seed 1] [--workers 1]
    python3 benchmarks/bench_similarity.py --outputs OUT [--workers 2] [--rounds 3]

The class comes from the generator of ``tests/test_similarity_corpus.py``:
independent students (six functions each, several hand-written styles with
random knobs and names) plus disguised copies (10% of the class). Prints the
time of ``find_similar`` (normalisation, fingerprints, inverted index,
scores), the fingerprint counts and how many pairs were flagged, and the
recall of the copies at the default threshold.

With ``--outputs``, the functions come from a graded class instead (the
``OUT/<id>/functions.json`` that ``grade.py`` writes): ``find_similar`` runs
``--rounds`` times as at the end of a class run, and each round prints its
wall time, the CPU of this process and of its helper processes, this process's
peak memory during the round (and before it), and a digest
of the report (the same whatever ``--workers``).
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from grader.similarity import find_similar  # noqa: E402
from tests.test_similarity_corpus import DISGUISES, TEMPLATE, make_corpus  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    """Generate the class, time ``find_similar`` on it, print the figures; returns 0."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=1, help="processes for the normalisation (default 1)")
    parser.add_argument("--outputs", type=Path, metavar="OUT",
                        help="compare the functions of a graded class (OUT/<id>/functions.json) instead")
    parser.add_argument("--rounds", type=int, default=3, help="with --outputs: runs of find_similar (default 3)")
    args = parser.parse_args(argv)
    if args.outputs:
        return graded_class(args.outputs, workers=args.workers, rounds=args.rounds)
    copies = max(1, args.submissions // 10 // len(DISGUISES))
    n_independent = args.submissions - copies * len(DISGUISES)
    started = time.perf_counter()
    corpus = make_corpus(seed=args.seed, n_independent=n_independent, copies_per_disguise=copies, n_known=5)
    generated = time.perf_counter() - started
    functions = sum(len(f) for f in corpus.submissions.values())
    print("generated %d submissions (%d functions, %d independent, %d copies) in %.1f s"
          % (len(corpus.submissions), functions, n_independent, copies * len(DISGUISES), generated))

    load_before = os.getloadavg()[0]
    started, cpu_started = time.perf_counter(), time.process_time()
    report = find_similar(corpus.submissions, template=TEMPLATE, known=corpus.known, workers=args.workers)
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    stats = report.stats
    print("find_similar: %.2f s wall, %.2f s CPU in this process (%.2f ms CPU per function); workers %d; "
          "%s cores; load average %.1f before, %.1f after"
          % (elapsed, cpu, 1000 * cpu / functions, args.workers, os.cpu_count(), load_before, os.getloadavg()[0]))
    print("fingerprints %d (ignored: %d starter code, %d common); candidate pairs %d; flagged pairs %d; clusters %d"
          % (stats["fingerprints"], stats["ignored_template"], stats["ignored_common"], stats["candidate_pairs"],
             stats["flagged_pairs"], len(report.clusters)))
    flagged = {(p.a, p.b) for p in report.flagged} | {(p.b, p.a) for p in report.flagged}
    family = corpus.family
    copy_ids = [s for s, kind in corpus.disguise.items() if kind != "independent"]
    found = sum(1 for c in copy_ids if any((c, o) in flagged for o in corpus.submissions if o != c and family[o] == family[c]))
    false = sum(1 for p in report.flagged if not p.known and family[p.a] != family[p.b])
    print("copies flagged with a member of their family: %d / %d; flagged pairs across families: %d"
          % (found, len(copy_ids), false))
    return 0


def _peak_mb() -> float | None:
    """This process's peak resident memory since the last ``_reset_peak`` (Linux's VmHWM, read
    as ``bench_grading`` reads every process's), in MB."""
    from benchmarks.bench_grading import _status

    peak = _status(os.getpid()).get("VmHWM")
    return int(peak.split()[0]) / 1024 if peak else None


def _reset_peak() -> float | None:
    """Reset the peak to the current resident memory (``/proc/self/clear_refs``, Linux 4.0 on);
    the current figure in MB, so that a round's peak is its own, not an earlier round's."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as refs:
            refs.write("5")
    except OSError:
        return None
    return _peak_mb()


def graded_class(out_dir: Path, *, workers: int, rounds: int) -> int:
    """Time ``find_similar`` on the functions a class run stored under ``out_dir``; returns 0."""
    submissions = {}
    for folder in sorted(out_dir.iterdir()):
        stored = folder / "functions.json"
        if stored.is_file():
            functions = json.loads(stored.read_text("utf-8")).get("functions") or {}
            if functions:
                submissions[folder.name] = functions
    count = sum(len(f) for f in submissions.values())
    distinct = len({src for f in submissions.values() for src in f.values()})
    print("%s: %d submissions, %d functions, %d distinct; workers %d; %s cores"
          % (out_dir, len(submissions), count, distinct, workers, os.cpu_count()))
    for _ in range(rounds):
        load = os.getloadavg()[0]
        before = _reset_peak()
        own, helpers = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        report = find_similar(submissions, workers=workers)
        elapsed = time.perf_counter() - started
        peak = _peak_mb()
        own_after, helpers_after = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = own_after.ru_utime + own_after.ru_stime - own.ru_utime - own.ru_stime
        helper_cpu = helpers_after.ru_utime + helpers_after.ru_stime - helpers.ru_utime - helpers.ru_stime
        stats = {k: v for k, v in report.stats.items() if k != "seconds"}
        digest = hashlib.sha256(repr((report.pairs, report.clusters, stats)).encode()).hexdigest()[:12]
        print("find_similar: %.2f s wall, CPU %.2f s here + %.2f s in helpers; peak memory of this process %s "
              "(%s before); %d flagged pairs; report %s; load average %.1f before"
              % (elapsed, cpu, helper_cpu, "%.0f MB" % peak if peak else "unknown",
                 "%.0f MB" % before if before else "unknown", stats["flagged_pairs"], digest, load))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
