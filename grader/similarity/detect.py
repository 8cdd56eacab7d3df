"""Class-wide copied-code detection: fingerprints, exclusions, inverted index, scores, clusters.

See ``docs/similarity.md`` for the method, the defaults and the measured
precision and recall. A flag is evidence for a human to read, never a grade.
"""
from __future__ import annotations

import contextlib
import hashlib
import os
import re
import time
from array import array
from collections.abc import Mapping as _MappingBase
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Iterator, Mapping, Sequence

from grader.similarity.normalise import (
    DEFAULT_KEEP_NAMES,
    NormalisedCode,
    Normaliser,
    RenamingKey,
    normalise_function,
    renaming_key,
    statement_shapes,
)
from grader.similarity.ownwork import IDENTICAL_REASON, REACHED_TAIL, UNSEEN_NOTE
from grader.similarity.store import Entry
from grader.similarity.winnow import Fingerprint, fingerprints

if TYPE_CHECKING:  # NumPy is imported where the pairs are scored: the normalisation helpers
    import numpy as np  # import this module and never need it (about 0.1 s each)

__all__ = [
    "DEFAULT_MEASURE", "DEFAULT_THRESHOLD", "DEFAULT_COMMON_FRACTION", "DEFAULT_K", "DEFAULT_WINDOW", "DEFAULT_MIN_SHARED",
    "KNOWN_PREFIX", "SIMILAR_REASON", "LineRanges", "Regions", "PairMatch", "SimilarityReport", "find_similar",
]

#: Default flag threshold on the overall score. Measured (docs/similarity.md): every disguised copy
#: scores 1.0; the highest independent pair scored < 0.6 in classes of 150 and between 0.80 and 0.85
#: in a class of 1,000 generated students.
DEFAULT_THRESHOLD = 0.85
#: How a function's shared fingerprints are normalised: by the larger side (``max``), the mean
#: of the sides (``mean``, Dice) or the smaller side (``min``, containment).
DEFAULT_MEASURE = "max"
#: Fingerprints held by more than this share of the class are ignored (MOSS's base-file idea).
DEFAULT_COMMON_FRACTION = 0.3
#: k-gram length in canonical tokens.
DEFAULT_K = 12
#: Winnowing window (in k-grams): every shared run of ``k + w - 1`` tokens is seen.
DEFAULT_WINDOW = 4
#: A pair is flagged only if it shares at least this many counted fingerprints.
DEFAULT_MIN_SHARED = 8
#: Prefix of the ids of known sources in pairs and clusters.
KNOWN_PREFIX = "known:"
#: ``PairMatch.reason`` of a pair flagged on its score (``IDENTICAL_REASON``: on its own work).
SIMILAR_REASON = "similar code"

LineRanges = tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class Regions:
    """Matching lines of one function in a pair: 1-based inclusive ranges in each side's function source."""

    a: LineRanges
    b: LineRanges


@dataclass(frozen=True, slots=True)  # a class of 2,000 may list 90,000 pairs
class PairMatch:
    """Similarity of two submissions (or a submission and a known source).

    ``a`` and ``b`` are submission ids; ``b`` may be ``"known:<name>"``.
    ``scores``: function name -> score in [0, 1] for the functions both sides
    have, with fingerprints left after the exclusions on at least one side:
    shared fingerprints over the larger side's count (``measure="max"``);
    ``overall``: the same ratio with numerator and denominator summed over
    those functions (so longer functions weigh more);
    ``shared``: number of counted shared fingerprints; ``regions``: function ->
    matching line ranges; ``flagged``: overall >= threshold and shared >= min_shared, or the
    two submissions' own work is identical; ``reason``: why it is flagged,
    ``"identical own work"`` (``IDENTICAL_REASON``, whatever the score) or ``"similar code"``
    (``SIMILAR_REASON``), empty for a pair that is not flagged.
    """

    a: str
    b: str
    scores: Mapping[str, float]
    overall: float
    regions: Mapping[str, Regions]
    flagged: bool
    shared: int
    reason: str = ""

    @property
    def known(self) -> bool:
        """True if ``b`` is a known source rather than a classmate."""
        return self.b.startswith(KNOWN_PREFIX)


@dataclass(frozen=True)
class SimilarityReport:
    """Result of ``find_similar``.

    ``pairs``: flagged pairs first, then the most similar unflagged ones (up
    to ``settings["max_pairs"]`` in all), each group by decreasing overall
    score. ``clusters``: connected groups of flagged pairs, largest first.
    ``settings``: every parameter used. ``stats``: counts and timing
    (``submissions``, ``known``, ``fingerprints``, ``ignored_template``,
    ``ignored_common``, ``common_holders`` (the submissions holding a fingerprint that make it
    common), ``candidate_pairs``, ``flagged_pairs``, ``identical_groups``, ``identical_submissions``, ``identical_pairs``, ``unparsable``, ``seconds``).
    """

    pairs: tuple[PairMatch, ...]
    clusters: tuple[tuple[str, ...], ...]
    threshold: float
    settings: Mapping[str, object] = field(default_factory=dict)
    stats: Mapping[str, float] = field(default_factory=dict)

    @property
    def flagged(self) -> tuple[PairMatch, ...]:
        """The flagged pairs, most suspicious first."""
        return tuple(p for p in self.pairs if p.flagged)


@dataclass(frozen=True)
class _Doc:
    """Fingerprints of one function of one entity: value -> start positions, and the source line
    of each canonical token (``NormalisedCode.lines``: the tokens themselves are not kept once
    fingerprinted, about 25 MB in a class of 2,000)."""

    lines: tuple[int, ...]
    positions: Mapping[int, tuple[int, ...]]


def _template_parts(template: Mapping[str, str] | str | None, *, keep: frozenset[str],
                    k: int, w: int, cache: dict) -> tuple[frozenset[str], frozenset[int]]:
    """Renaming-blind statement shapes and fingerprint values of the starter code."""
    if template is None:
        return frozenset(), frozenset()
    sources = [template] if isinstance(template, str) else list(template.values())
    shapes: set[str] = set()
    values: set[int] = set()
    for source in sources:
        shapes |= statement_shapes(source, keep_names=keep)
        for remove_dead in (False, True):
            code = normalise_function(source, keep_names=keep, remove_dead=remove_dead)
            values |= {fp.value for fp in fingerprints(code.tokens, k=k, w=w, cache=cache)}
    return frozenset(shapes), frozenset(values)


def _normalise_batch(sources: Sequence[str], keep: frozenset[str], shapes: frozenset[str]) -> list[NormalisedCode]:
    """``normalise_function`` of each source of a batch (runs in a helper process)."""
    return [normalise_function(source, keep_names=keep, template_shapes=shapes) for source in sources]


#: Rows of the class's n x n denominators worked out at a time (a temporary of this many rows).
_ROW_BLOCK = 256

#: Fewer functions to normalise (distinct up to renaming) than this are normalised in this process
#: alone. A helper costs about 0.06 s of CPU to start and 0.1-0.2 s of wall, and a function about
#: 0.65 ms: in the real classes (real30 and real34, 249 and 312 to normalise) one cost 0.09 s of
#: CPU more than it saved this process, and on two idle cores it would save under 0.1 s of wall
#: (thirty-sixth session; 200 before).
_POOL_MIN = 400
#: Helpers are started before the renaming keys are worked out (about 0.1 ms a source, 0.2 s for
#: the generated class of 400), so that they start while this process works them out, when there
#: are at least this many distinct sources; they are stopped unstarted on their work when fewer
#: than ``_POOL_MIN`` are left to normalise. The real classes have about 0.67 keys a source.
_SPAWN_MIN = 600


def _prepare_all(sources: Sequence[str], *, keep: frozenset[str], shapes: frozenset[str], k: int, w: int,
                 workers: int, compared_for: str | None = None) -> dict[str, tuple[NormalisedCode, list[Fingerprint]]]:
    """``source -> (normalised code, fingerprints)`` for distinct sources, with ``workers`` processes if > 1.

    Sources are normalised once per renaming key (``Normaliser``): with
    workers, one source per key is normalised (``_normalise_shared``) and the
    others are derived from it here. The result does not depend on ``workers``
    (each source's result is what ``normalise_function`` gives; hashes are
    stable across processes). ``compared_for``: see ``normalise_function`` (such sources are
    few: they are normalised in this process).
    """
    normalise = Normaliser(keep_names=keep, template_shapes=shapes, compared_for=compared_for)
    keys: dict[str, RenamingKey | None] = {}
    if workers > 1 and len(sources) >= _SPAWN_MIN and compared_for is None:
        keys = _normalise_shared(sources, normalise, keep=keep, shapes=shapes, workers=workers)
    token_cache: dict[str, int] = {}
    done: dict[tuple[str, ...], list[Fingerprint]] = {}
    out: dict[str, tuple[NormalisedCode, list[Fingerprint]]] = {}
    for source in sources:
        code = normalise(source, key=keys.get(source, False))
        fps = done.get(code.tokens)
        if fps is None:
            fps = done[code.tokens] = fingerprints(code.tokens, k=k, w=w, cache=token_cache)
        out[source] = (code, fps)
    return out


#: A source and the function it is compared for when that matters (``_compared_for``), else None.
_Unit = tuple[str, "str | None"]
#: A def's name (``def f(``, ``async def f(``), where ``def`` starts a word (``_def_names``).
_DEF_NAME = re.compile(r"def\s+(\w+)")


def _def_names(source: str) -> list[str]:
    r"""``re.findall(r"\bdef\s+(\w+)", source)``, the same names, eight times faster (about 4 against
    35 us a function): a pattern that begins with ``\b`` is tried at every character, one that
    begins with ``def`` only where the text holds it. A match whose ``def`` ends a longer word is
    passed over as ``\b`` fails there, and the search goes on from its next character."""
    names: list[str] = []
    pos = 0
    while (found := _DEF_NAME.search(source, pos)) is not None:
        start = found.start()
        if start and (source[start - 1].isalnum() or source[start - 1] == "_"):  # ``\w`` exactly
            pos = start + 1
            continue
        names.append(found.group(1))
        pos = found.end()
    return names


def _compared_for(fname: str, source: str, keep: frozenset[str]) -> str | None:
    """``fname`` when ``source`` (compared for function ``fname``) may define another function of
    ``keep`` (``lstm_cell_forward``, ``sigmoid``), whose def is then numbered by use
    (``normalise_function(compared_for=)``); None otherwise, where the result cannot depend on it,
    so the source is normalised once whatever it is compared for."""
    return fname if any(name != fname and name in keep for name in _def_names(source)) else None


def _normalised(units: Sequence[_Unit], *, keep: frozenset[str], shapes: frozenset[str], k: int, w: int,
                workers: int, store: dict[bytes, Entry] | None
                ) -> dict[_Unit, tuple[tuple[int, ...], bool, Sequence[int], Sequence[int]]]:
    """``(source, compared_for) -> (each token's line, parsed, fingerprint values, their
    positions)`` for the distinct ``units``: from ``store`` where it holds them under these
    settings, the others by ``_prepare_all`` (and added to ``store``, which is then left with
    these units' keys only)."""
    groups: dict[str | None, list[str]] = {}
    for source, compared_for in units:
        groups.setdefault(compared_for, []).append(source)
    if store is None:
        return {(source, compared_for): (code.lines, code.parsed, [fp.value for fp in fps],
                                         [fp.position for fp in fps])
                for compared_for, sources in groups.items()
                for source, (code, fps) in _prepare_all(sources, keep=keep, shapes=shapes, k=k, w=w, workers=workers,
                                                        compared_for=compared_for).items()}
    keys: dict[_Unit, bytes] = {}
    for compared_for, sources in groups.items():
        # Without ``compared_for`` the settings are those of the sessions before: kept stores hold.
        settings = hashlib.blake2b(repr((sorted(keep), sorted(shapes), k, w) + (
            (compared_for,) if compared_for is not None else ())).encode("utf-8", "surrogatepass"),
            digest_size=16).digest()
        keys.update({(source, compared_for): hashlib.blake2b(source.encode("utf-8", "surrogatepass"), digest_size=16,
                                                             key=settings).digest() for source in sources})
        missing = [source for source in sources if keys[(source, compared_for)] not in store]
        for source, (code, fps) in _prepare_all(missing, keep=keep, shapes=shapes, k=k, w=w, workers=workers,
                                                compared_for=compared_for).items():
            store[keys[(source, compared_for)]] = (
                code.lines, code.parsed, array("q", [fp.value for fp in fps]).tobytes(),
                array("q", [fp.position for fp in fps]).tobytes())
    wanted = set(keys.values())
    for key in [key for key in store if key not in wanted]:
        del store[key]
    out = {}
    for unit in units:
        lines, parsed, values, starts = store[keys[unit]]
        out[unit] = (lines, parsed, array("q", values), array("q", starts))
    done = getattr(store, "done", None)  # a class's store keeps its entries now (``ClassStore``)
    if done is not None:
        done()
    return out


def _normalise_shared(sources: Sequence[str], normalise: Normaliser, *, keep: frozenset[str],
                      shapes: frozenset[str], workers: int) -> dict[str, RenamingKey | None]:
    """Normalise one source per renaming key of ``sources`` with this process and ``workers - 1``
    helpers (``_Helpers``), ``remember`` each result in ``normalise``, and return each source's
    key. The helpers start first, while this process works out the keys; when fewer than
    ``_POOL_MIN`` sources are left to normalise they are stopped and nothing is normalised here."""
    with _Helpers(workers - 1) as helpers:
        keys: dict[str, RenamingKey | None] = {}
        seen: set[str] = set()
        todo = []
        for source in sources:
            key = keys[source] = renaming_key(source, keep)
            if key is None or key.text not in seen:
                todo.append((source, key))
                if key is not None:
                    seen.add(key.text)
        if len(todo) < _POOL_MIN:
            return keys
        size = max(20, len(todo) // (8 * workers))
        batches = [[source for source, _key in todo[i:i + size]] for i in range(0, len(todo), size)]
        results = helpers.run(batches, keep=keep, shapes=shapes)
    codes = [code for batch in results for code in batch]
    for (source, key), code in zip(todo, codes):
        normalise.remember(source, code, key)
    return keys


#: Seconds this process waits for the batches' lock before it takes a helper for dead while
#: holding it (the OOM killer between the helper's acquire and release): the lock, a semaphore,
#: is then never released, and the next claim waited for ever. Holding it takes microseconds.
_CLAIM_WAIT = 5.0
#: What ``_claim`` gives when the lock could not be had within ``_CLAIM_WAIT``.
_LOCK_LOST = -1
#: Seconds the helpers are given, all together, to end once every batch is in.
_HELPERS_END_WAIT = 5.0


def _claim(ends, *, front: bool, wait: float | None = None) -> int | None:
    """The next batch to do, from the front of the list (a helper) or its back (this process),
    or None when every batch is claimed. ``ends``: a shared array ``[next from the front, one
    past the last unclaimed]``, read and written under its lock. With ``wait``, ``_LOCK_LOST``
    when the lock could not be had within that many seconds."""
    lock = ends.get_lock()
    if not lock.acquire(True, wait):
        return _LOCK_LOST
    try:
        first, stop = ends[0], ends[1]
        if first >= stop:
            return None
        if front:
            ends[0] = first + 1
            return first
        ends[1] = stop - 1
        return stop - 1
    finally:
        lock.release()


def _helper(conn, orders, ends) -> None:
    """A spawned helper's loop: read the path of the batches' file from ``orders`` (none: the
    helper is not needed, and ends), read the batches and settings from that file, claim batches
    from the front and send ``(index, codes)`` back until none is left. A batch that raises is left
    to the parent (which gives the error a single process would); Ctrl-C is the parent's to handle."""
    import marshal
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        try:
            path = orders.recv()
        except (EOFError, OSError):  # stopped before any work (too little to share), or the parent died
            return
        finally:
            orders.close()
        try:
            with open(path, "rb") as fh:
                batches, keep, shapes = marshal.load(fh)
        except OSError:  # removed: the parent did every batch while this helper started
            return
        keep, shapes = frozenset(keep), frozenset(shapes)
        while (index := _claim(ends, front=True)) is not None:
            try:
                codes = _normalise_batch(batches[index], keep, shapes)
            except Exception:  # noqa: BLE001 - done again by the parent, which reports it
                return
            try:
                conn.send((index, codes))
            except OSError:  # the parent has stopped listening (Ctrl-C, an error): nothing to say
                return
    finally:
        conn.close()


#: Bytes a helper's result pipe holds (Linux: ``F_SETPIPE_SZ``; 1 MiB is the most an unprivileged
#: process may ask by default, ``/proc/sys/fs/pipe-max-size``). A batch's result is about 95 kB,
#: more than the default 64 kB: a helper waited in ``send`` until this process, busy with a batch
#: of its own, read it (0.15-0.64 s of a helper's time per class of 400, review of the
#: twenty-fourth session).
_RESULT_PIPE_BYTES = 1 << 20


def _roomy(conn) -> None:
    """Let ``conn``'s pipe hold ``_RESULT_PIPE_BYTES`` where the kernel allows it; else as it is."""
    try:
        import fcntl

        fcntl.fcntl(conn.fileno(), getattr(fcntl, "F_SETPIPE_SZ", 1031), _RESULT_PIPE_BYTES)
    except (ImportError, OSError):  # not Linux, or over the user's pipe allowance: the default
        pass


def _start_deaf(proc) -> None:
    """Start ``proc`` with SIGINT blocked from its first instruction (a blocked signal mask is
    inherited through fork and exec; this thread's is put back at once, and a Ctrl-C that came
    meanwhile is then delivered here). A terminal's Ctrl-C reaches the whole process group: a
    helper still starting (importing the caller's main module, before ``_helper`` ignores SIGINT)
    printed its KeyboardInterrupt traceback. The interrupt is this process's to handle, as
    ``multiprocessing``'s resource tracker starts its own process."""
    import signal

    if not hasattr(signal, "pthread_sigmask"):
        proc.start()
        return
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        proc.start()
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def _run_batches(batches: Sequence[Sequence[str]], *, keep: frozenset[str], shapes: frozenset[str],
                 helpers: int) -> list[list[NormalisedCode]]:
    """``_normalise_batch`` of each of ``batches``, by this process and ``helpers`` spawned ones
    (``_Helpers``)."""
    with _Helpers(helpers) as started:
        return started.run(batches, keep=keep, shapes=shapes)


class _Helpers:
    """Spawned processes that normalise batches of sources with this one (``run``), started when
    the ``with`` block is entered, before their work is known, and gone when it ends.

    Helpers claim batches from the front and this process from the back (``_claim``), so neither
    waits for the other; results come back through one pipe per helper, read between this
    process's own batches. A batch whose helper died (the OOM killer, a crash) or never started is
    done here at the end: the report does not depend on the helpers. Helpers are spawned, not
    forked (the caller may hold threads or sandbox pipes), get only source text (they parse, never
    run it), start deaf to Ctrl-C (``_start_deaf``), and wait for the path of their batches' file on
    a pipe of their own (``orders``): a helper never sent one (the block ended without ``run``, too
    little work, an error, Ctrl-C) is killed unstarted on its work. The batches go through a private
    file, not the process's arguments: ``multiprocessing`` writes those into a pipe whose reading
    end it still holds, so a helper that died before reading them all (a caller's main module that
    spawns again when imported) left ``start`` waiting for ever; the path is a short message that a
    pipe holds whether or not its helper reads it. When that file cannot be written (a full
    or read-only ``/tmp``), this process does every batch, as with no helper, and the helpers are
    killed as those never sent their work are. (``concurrent.futures.ProcessPoolExecutor``
    was used until the twenty-third session: when one of its processes died, the batches left in
    its call queue blocked the queue's feeding thread, and the interpreter hung at exit, after
    every report was written.)
    """

    def __init__(self, count: int) -> None:
        self._count = count
        self._procs: list = []
        self._pipes: list = []  # results, one per live helper
        self._orders: list = []  # the batches' file's path, one per helper
        self._ends = None
        self._path: str | None = None  # the batches' file, removed once the helpers are gone
        self._finished = False  # the helpers were sent their work and are ending on their own

    def __enter__(self) -> _Helpers:
        import multiprocessing

        context = multiprocessing.get_context("spawn")
        self._ends = context.Array("i", [0, 0]) if self._count > 0 else None
        try:
            for _ in range(self._count):
                ours, theirs = context.Pipe(duplex=False)
                _roomy(ours)
                told, orders = context.Pipe(duplex=False)
                proc = context.Process(target=_helper, args=(theirs, told, self._ends), daemon=True)
                try:
                    _start_deaf(proc)
                except OSError:  # no process to be had: the batches are done here
                    for conn in (ours, orders):
                        conn.close()
                    break
                finally:
                    theirs.close()
                    told.close()
                self._procs.append(proc)
                self._pipes.append(ours)
                self._orders.append(orders)
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def _receive(self, results: list, timeout: float | None) -> None:
        from multiprocessing.connection import wait

        for conn in wait(self._pipes, timeout):
            try:
                index, codes = conn.recv()
            except (EOFError, OSError):  # the helper is done, or died
                self._pipes.remove(conn)
                conn.close()
                continue
            results[index] = codes

    def run(self, batches: Sequence[Sequence[str]], *, keep: frozenset[str],
            shapes: frozenset[str]) -> list[list[NormalisedCode]]:
        """``_normalise_batch`` of each of ``batches``, by this process and the helpers (once)."""
        import marshal
        import tempfile

        results: list[list[NormalisedCode] | None] = [None] * len(batches)
        if self._procs:
            try:
                fd, self._path = tempfile.mkstemp(prefix="grader-similarity-", suffix=".marshal")
                with os.fdopen(fd, "wb") as fh:
                    marshal.dump(([list(batch) for batch in batches], sorted(keep), sorted(shapes)), fh)
            except OSError:  # no room for the batches' file (a full or read-only /tmp): every batch
                pass          # is done here, and the helpers, never sent it, are killed at the end
            else:
                self._ends[1] = len(batches)
                for orders in self._orders:
                    with contextlib.suppress(OSError):  # a helper that died: its pipe is closed
                        orders.send(self._path)
                    orders.close()
                self._orders = []
                self._share(batches, results, keep=keep, shapes=shapes)
                self._finished = True  # (not on Ctrl-C or an error in ``_share``: killed then)
        return [batch if batch is not None else _normalise_batch(batches[i], keep, shapes)
                for i, batch in enumerate(results)]

    def _share(self, batches: Sequence[Sequence[str]], results: list, *, keep: frozenset[str],
               shapes: frozenset[str]) -> None:
        """Do batches from the back of the list while the helpers do them from the front, until
        every batch is claimed and every helper's result is in (or the helper is gone)."""
        while (index := _claim(self._ends, front=False, wait=_CLAIM_WAIT)) is not None:
            if index == _LOCK_LOST:  # a helper died holding the lock: every batch not in is done
                for index, batch in enumerate(batches):  # here (one a live helper also does
                    if results[index] is None:           # comes out the same)
                        results[index] = _normalise_batch(batch, keep, shapes)
                break
            results[index] = _normalise_batch(batches[index], keep, shapes)
            if self._pipes:
                self._receive(results, 0)
        while self._pipes and None in results:
            self._receive(results, None)

    def __exit__(self, *_exc) -> None:
        for conn in self._pipes + self._orders:
            conn.close()
        # A helper with nothing left to claim is ending: five seconds for all of them together,
        # since a helper waits for ever for a lock another took and died holding (``_CLAIM_WAIT``),
        # and four such helpers given five seconds each cost a run 20 s. One never sent its work,
        # or interrupted (Ctrl-C, an error here), is killed at once.
        deadline = time.monotonic() + _HELPERS_END_WAIT
        for proc in self._procs:
            if self._finished:
                proc.join(max(0.0, deadline - time.monotonic()))
            if proc.is_alive():
                proc.kill()
            proc.join()
        if self._path is not None:
            with contextlib.suppress(OSError):  # removed already, or never written
                os.unlink(self._path)


def _merge_lines(lines: set[int]) -> LineRanges:
    """Sorted line numbers -> inclusive ranges of consecutive lines."""
    ranges: list[tuple[int, int]] = []
    for line in sorted(lines):
        if ranges and line == ranges[-1][1] + 1:
            ranges[-1] = (ranges[-1][0], line)
        else:
            ranges.append((line, line))
    return tuple(ranges)


def _lines_of(doc: _Doc, values: set[int], k: int) -> set[int]:
    """Source lines covered by the k-grams of the given fingerprint values in ``doc``."""
    n = len(doc.lines)
    out: set[int] = set()
    for value in values:
        for pos in doc.positions.get(value, ()):
            out.update(doc.lines[pos:min(pos + k, n)])
    return out


def find_similar(
    submissions: Mapping[str, Mapping[str, str]],
    *,
    template: Mapping[str, str] | str | None = None,
    known: Mapping[str, Mapping[str, str]] | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    common_fraction: float = DEFAULT_COMMON_FRACTION,
    k: int = DEFAULT_K,
    window: int = DEFAULT_WINDOW,
    min_shared: int = DEFAULT_MIN_SHARED,
    max_pairs: int = 200,
    keep_names: frozenset[str] | None = None,
    measure: str = DEFAULT_MEASURE,
    workers: int = 1,
    own_work: Mapping[str, str | None] | None = None,
    store: dict[bytes, Entry] | None = None,
) -> SimilarityReport:
    """Find pairs of submissions (and submission/known-source pairs) whose code is suspiciously similar.

    ``submissions``: id -> {function name -> source of that function (a def)}.
    ``template``: the starter code, as function sources or one text; its
    statements and fingerprints are ignored. ``known``: name -> {function ->
    source} of solutions found online or from earlier years; they appear in
    pairs as ``"known:<name>"`` and are never paired with each other.
    ``threshold``: flag when the overall score reaches it (and at least
    ``min_shared`` fingerprints are shared). ``common_fraction``: fingerprints
    held by more than this share of the class submissions (and by more than
    two) are ignored. ``k`` / ``window``: k-gram length and winnowing window.
    ``max_pairs``: how many pairs the report keeps (all flagged pairs are kept
    even beyond it). ``keep_names``: global names not renamed (default: NumPy,
    the provided and graded functions, and every function name in the input).
    ``measure``: per-function denominator, ``"max"`` (larger side), ``"mean"``
    or ``"min"`` (smaller side; a function present on both sides but with no
    fingerprint left on one side then does not count). ``workers``: processes
    used to normalise (the result does not depend on it). ``own_work``: id ->
    digest of the submission's own work (``grader.similarity.ownwork``), None
    for one not to compare; submissions with equal digests are flagged whatever
    their score (reason ``"identical own work"``): a group of N is listed as the
    N - 1 pairs of its first id (in ``submissions``' order) with each other
    member, plus the pairs among them flagged on their score, and is one cluster.
    ``store``: normalised functions kept from an earlier run (``grader.similarity.store``):
    only the sources it lacks are normalised, and it is left holding exactly this run's (the
    report does not depend on it); one with a ``done`` method (``ClassStore``) is told when
    they are all there, before the pair stage.
    """
    import numpy as np

    if measure not in ("min", "mean", "max"):
        raise ValueError("measure must be 'min', 'mean' or 'max', not %r" % (measure,))
    started = time.perf_counter()
    known = known or {}
    functions = sorted({f for funcs in submissions.values() for f in funcs} | {f for funcs in known.values() for f in funcs})
    keep = frozenset(keep_names) if keep_names is not None else DEFAULT_KEEP_NAMES | frozenset(functions)
    shapes, template_values = _template_parts(template, keep=keep, k=k, w=window, cache={})

    ids = [str(s) for s in submissions] + [KNOWN_PREFIX + str(name) for name in known]
    sources = [submissions[s] for s in submissions] + [known[name] for name in known]
    n_class = len(submissions)
    is_known = np.array([i >= n_class for i in range(len(ids))], dtype=bool)

    unit_of: dict[tuple[str, str], _Unit] = {}  # (function, source) -> what is normalised
    for funcs in sources:
        for fname, src in funcs.items():
            if isinstance(src, str) and src.strip() and (fname, src) not in unit_of:
                unit_of[fname, src] = (src, _compared_for(fname, src, keep))
    unique = list(dict.fromkeys(unit_of.values()))
    normalised = _normalised(unique, keep=keep, shapes=shapes, k=k, w=window, workers=workers, store=store)
    docs: list[dict[str, _Doc]] = []
    total_fps = 0
    ignored_template = 0
    unparsable = 0
    # One document per distinct source, shared by every entity that holds it; the normalised
    # tokens and the fingerprint lists are dropped once the documents are made.
    made: dict[_Unit, tuple[_Doc, int, int, bool]] = {}
    for unit, (lines, parsed, values, starts) in normalised.items():
        positions: dict[int, list[int]] = {}
        in_template = 0
        for value, start in zip(values, starts):
            if value in template_values:
                in_template += 1
                continue
            positions.setdefault(value, []).append(start)
        made[unit] = (_Doc(lines, {v: tuple(p) for v, p in positions.items()}), len(values), in_template,
                      not parsed)
    del normalised
    noted: dict[str, list[int]] = {}  # function -> rows whose source of it holds what it reaches (_noted_terms)
    # A source begins with a comment only when it is noted: most classes have none to look at.
    noting = any(source.startswith("#") for source, _for in unique)
    for row, funcs in enumerate(sources):
        entity: dict[str, _Doc] = {}
        for fname, source in funcs.items():
            if not isinstance(source, str) or not source.strip():
                continue
            if noting and _holds_reached(source):
                noted.setdefault(fname, []).append(row)
            doc, count, in_template, broken = made[unit_of[fname, source]]
            total_fps += count
            ignored_template += in_template
            unparsable += broken
            entity[fname] = doc
        docs.append(entity)
    del made

    # document frequency over the class (known sources do not vote)
    common_limit = max(common_fraction * n_class, 2.0)
    ignored: dict[str, set[int]] = {}
    ignored_common = 0
    n = len(ids)
    # The class's shared counts, n x n in float32 (every term is a whole count far below 2**23:
    # the sums are exact), are the only n x n array: the denominators and the scores are worked
    # out a block of rows at a time (``_scored_rows``), and a listed pair's own scores are
    # counted from its two documents (``_pair``).
    shared_total = np.zeros((n, n), dtype=np.float32)
    sizes_of: dict[str, np.ndarray] = {}
    counted: list[tuple[np.ndarray, np.ndarray, np.ndarray | None]] = []  # each function's (sizes, present, noted)
    noted_of: dict[str, np.ndarray] = {}  # function -> which rows' source of it is noted, when any is
    for fname in functions:
        df: dict[int, int] = {}
        occurrences: dict[int, list[int]] = {}
        for row, entity in enumerate(docs):
            doc = entity.get(fname)
            if doc is None:
                continue
            for value in doc.positions:
                occurrences.setdefault(value, []).append(row)
                if row < n_class:
                    df[value] = df.get(value, 0) + 1
        bad = {v for v, count in df.items() if count > common_limit}
        ignored[fname] = bad
        sizes = np.zeros(n, dtype=np.float32)
        present = np.zeros(n, dtype=np.float32)
        for row, entity in enumerate(docs):
            doc = entity.get(fname)
            if doc is not None:
                kept = len(doc.positions) - len(doc.positions.keys() & bad) if bad else len(doc.positions)
                ignored_common += len(doc.positions) - kept
                sizes[row] = kept
                present[row] = 1.0
        if measure == "min":
            present *= sizes > 0
        sizes_of[fname] = np.where(present > 0, sizes, np.float32(-1.0))
        if fname in noted:
            noted_of[fname] = np.zeros(n, dtype=bool)
            noted_of[fname][noted[fname]] = True
        counted.append((sizes, present, noted_of.get(fname)))
        # A fingerprint two rows share is held by both: the counts need no mask.
        _cooccurrence([rows for v, rows in occurrences.items() if len(rows) > 1 and v not in bad],
                      n, into=shared_total)

    groups = _identical_groups(own_work or {}, ids[:n_class])
    scored = _Scored(max_pairs)
    for start in range(0, n, _ROW_BLOCK):
        scored.add(_scored_rows(start, min(n, start + _ROW_BLOCK), shared_total, counted, measure=measure,
                                is_known=is_known, groups=groups, threshold=threshold, min_shared=min_shared))
    del shared_total
    keep_count = min(max(max_pairs, scored.n_flagged), scored.n_candidates)
    order = sorted(scored.kept(), key=lambda e: (not e[4], not e[5], -e[2], -e[3], ids[e[0]], ids[e[1]]))
    pairs = []
    interned: dict[tuple[str, ...], tuple[str, ...]] = {}
    counted_of: dict[tuple[str, int], frozenset[int]] = {}
    # Each row's sizes and notes as Python values: a pair reads a dozen, each a NumPy scalar else.
    listed_sizes = {fname: sizes.tolist() for fname, sizes in sizes_of.items()}
    listed_noted = {fname: noted.tolist() for fname, noted in noted_of.items()}
    # r < c, and the known sources are the last rows, never paired with each other: a known source
    # is always c, on the b side.
    for r, c, value, count, flagged, same in order[:keep_count]:
        reason = IDENTICAL_REASON if same else SIMILAR_REASON if flagged else ""
        pairs.append(_pair(r, c, ids, docs, listed_sizes, ignored, value, count, flagged, k, measure, interned,
                           reason, noted_of=listed_noted, counted=counted_of))
    clusters = _clusters([(p.a, p.b) for p in pairs if p.flagged])
    settings = {
        "threshold": threshold, "common_fraction": common_fraction, "k": k, "window": window,
        "min_shared": min_shared, "max_pairs": max_pairs, "measure": measure, "template": template is not None,
        "known_sources": len(known),
    }
    stats = {
        "submissions": n_class, "known": len(known), "functions": len(functions), "fingerprints": total_fps,
        "ignored_template": ignored_template, "ignored_common": ignored_common,
        "common_holders": int(common_limit) + 1,  # a fingerprint held by this many is ignored
        "candidate_pairs": scored.n_candidates, "flagged_pairs": scored.n_flagged,
        "identical_groups": len(groups), "identical_submissions": sum(len(g) for g in groups),
        "identical_pairs": sum(1 for p in pairs if p.reason == IDENTICAL_REASON), "unparsable": unparsable,
        "seconds": round(time.perf_counter() - started, 3),
    }
    return SimilarityReport(tuple(pairs), clusters, threshold, settings, stats)


def _identical_groups(own_work: Mapping[str, str | None], class_ids: Sequence[str]) -> list[list[int]]:
    """The rows (class submissions, in ``class_ids``' order) of each own-work digest held by two or
    more, in row order, groups in the order of their first row. Ids of ``own_work`` that are not
    class submissions, and None digests, are left out."""
    rows_of: dict[str, list[int]] = {}
    for row, sid in enumerate(class_ids):
        digest = own_work.get(sid)
        if isinstance(digest, str) and digest:
            rows_of.setdefault(digest, []).append(row)
    return [rows for rows in rows_of.values() if len(rows) > 1]


@dataclass(frozen=True)
class _Candidates:
    """Candidate pairs (``rows[i] < cols[i]``, sharing a counted fingerprint) as parallel arrays:
    overall score (float64), shared count (float32), flagged, identical own work."""

    rows: np.ndarray
    cols: np.ndarray
    overall: np.ndarray
    shared: np.ndarray
    flagged: np.ndarray
    identical: np.ndarray

    def where(self, mask: np.ndarray) -> _Candidates:
        """The pairs ``mask`` selects."""
        return _Candidates(*(getattr(self, name)[mask] for name in _CANDIDATE_FIELDS))

    @staticmethod
    def joined(parts: Sequence[_Candidates]) -> _Candidates:
        """``parts`` one after the other."""
        import numpy as np

        return _Candidates(*(np.concatenate([getattr(p, name) for p in parts]) for name in _CANDIDATE_FIELDS))

    def entries(self) -> list[tuple[int, int, float, float, bool, bool]]:
        """``(row, column, overall, shared, flagged, identical)`` of each pair, as Python values."""
        return list(zip(*(getattr(self, name).tolist() for name in _CANDIDATE_FIELDS)))


_CANDIDATE_FIELDS = ("rows", "cols", "overall", "shared", "flagged", "identical")


def _scored_rows(start: int, stop: int, shared_total: np.ndarray,
                 counted: Sequence[tuple[np.ndarray, np.ndarray, np.ndarray | None]],
                 *, measure: str, is_known: np.ndarray, groups: Sequence[Sequence[int]], threshold: float,
                 min_shared: int) -> _Candidates:
    """The candidate pairs of rows ``start`` to ``stop`` (against every later row), scored.

    ``shared_total``: the n x n shared counts; ``counted``: each function's ``(sizes, present,
    noted)`` (length n, float32; ``noted`` None or bool, ``_noted_terms``), in the order the
    class totals add them, so each denominator is the
    float32 sum ``find_similar`` defines; ``groups``: rows of identical own work (each group's
    first row paired with every other member is flagged whatever its score; the other pairs
    within a group only when their score flags them). Temporaries are (stop - start) x n.
    """
    import numpy as np

    shared = shared_total[start:stop]
    denom = np.zeros(shared.shape, dtype=np.float32)
    term = np.empty(shared.shape, dtype=np.float32)
    for sizes, present, noted in counted:
        column = sizes[start:stop, None]
        if measure == "min":
            np.minimum(column, sizes[None, :], out=term)
        elif measure == "max":
            np.maximum(column, sizes[None, :], out=term)
        else:
            np.add(column, sizes[None, :], out=term)
            term /= 2
        if noted is not None:
            _noted_terms(term, column, sizes[None, :], noted[start:stop, None], noted[None, :])
        term *= present[start:stop, None]
        term *= present[None, :]
        denom += term
    overall = np.divide(shared, denom, out=np.zeros(shared.shape), where=denom > 0, dtype=np.float64)
    del denom, term
    n = shared.shape[1]
    candidates = (np.arange(n)[None, :] > np.arange(start, stop)[:, None]) & (shared > 0)
    candidates &= ~(is_known[start:stop, None] & is_known[None, :])
    flagged = candidates & (overall >= threshold - 1e-12) & (shared >= min_shared)
    same = np.zeros(shared.shape, dtype=bool)
    for members in groups:
        inside = [row - start for row in members if start <= row < stop]
        if inside:
            same[np.ix_(inside, members)] = True
        hub = members[0]
        for other in members[1:]:
            r, c = min(hub, other), max(hub, other)
            if start <= r < stop:
                flagged[r - start, c] = candidates[r - start, c] = True
    if groups:
        candidates &= ~same | flagged
    r_idx, c_idx = np.nonzero(candidates)
    return _Candidates(r_idx + start, c_idx, overall[r_idx, c_idx], shared[r_idx, c_idx], flagged[r_idx, c_idx],
                       same[r_idx, c_idx])


def _holds_reached(source: str) -> bool:
    """Whether a compared source holds the functions the code graded reaches, after the note
    saying so (``grader.gradedsource.unseen_note``): such a source is scored by containment."""
    return source.startswith(UNSEEN_NOTE) and source.split("\n", 1)[0].endswith(REACHED_TAIL)


def _noted_terms(term: np.ndarray, a: np.ndarray, b: np.ndarray, a_noted: np.ndarray, b_noted: np.ndarray) -> None:
    """Make ``term`` (the denominators of sides of sizes ``a`` and ``b``, broadcast) the other
    side's size where one side's source is noted and the smaller size where both are:
    containment. A noted source (its first line ``UNSEEN_NOTE`` ... ``REACHED_TAIL``)
    is a decorated decoy, or a class, with the functions its code reaches
    (``gradedsource.graded_source``); by the larger side, the decoy's own lines kept the copy beside it
    under the threshold (a 3-line decoy: 0.71; 40 lines: 0.3)."""
    import numpy as np

    np.copyto(term, np.broadcast_to(b, term.shape), where=a_noted & ~b_noted)
    np.copyto(term, np.broadcast_to(a, term.shape), where=~a_noted & b_noted)
    np.copyto(term, np.minimum(a, b), where=a_noted & b_noted)


class _Scored:
    """The candidate pairs of a class, gathered a block of rows at a time: every flagged pair,
    and of the others only those that may still be among the ``limit`` most similar (ties at the
    cut kept for the final order to break), so memory grows with the flagged pairs, not n x n."""

    def __init__(self, limit: int) -> None:
        """Keep at most about ``limit`` unflagged pairs (``find_similar``'s ``max_pairs``)."""
        self.limit = limit
        self.n_candidates = 0
        self.n_flagged = 0
        self._flagged: list[_Candidates] = []
        self._rest: _Candidates | None = None

    def add(self, block: _Candidates) -> None:
        """Count ``block``'s pairs and keep those that may be listed."""
        self.n_candidates += len(block.rows)
        self.n_flagged += int(block.flagged.sum())
        self._flagged.append(block.where(block.flagged))
        rest = block.where(~block.flagged)
        if self._rest is not None:
            rest = _Candidates.joined([self._rest, rest])
        if len(rest.overall) > self.limit:
            if self.limit <= 0:
                rest = rest.where(rest.overall < rest.overall)  # none
            else:
                import numpy as np

                cut = np.partition(rest.overall, len(rest.overall) - self.limit)[len(rest.overall) - self.limit]
                rest = rest.where(rest.overall >= cut)
        self._rest = rest

    def kept(self) -> list[tuple[int, int, float, float, bool, bool]]:
        """The kept pairs' entries (``_Candidates.entries``), flagged ones first, unordered."""
        parts = self._flagged + ([self._rest] if self._rest is not None else [])
        return [entry for part in parts for entry in part.entries()]


#: Entries of the 0/1 incidence matrix ``_cooccurrence`` builds at a time (8 MB of float32).
_INCIDENCE_ENTRIES = 2**21


def _cooccurrence(columns: Sequence[Sequence[int]], n: int, *, into: np.ndarray) -> None:
    """Add to ``into[i, j]`` (float32, n x n) the number of ``columns`` (each a list of the rows
    holding one fingerprint) held by both rows ``i`` and ``j``.

    Computed as ``M @ M.T`` for the 0/1 incidence matrix ``M`` (rows x fingerprints held by at
    least two rows), a block of columns at a time (n x block, ``_INCIDENCE_ENTRIES`` at most),
    each product added ``_ROW_BLOCK`` rows at a time: no n x n temporary. float32 is exact for
    counts below 2**24.
    """
    import numpy as np

    block = max(64, min(2048, _INCIDENCE_ENTRIES // max(n, 1)))
    for start in range(0, len(columns), block):
        chunk = columns[start:start + block]
        m = np.zeros((n, len(chunk)), dtype=np.float32)
        for j, rows in enumerate(chunk):
            m[rows, j] = 1.0
        for first in range(0, n, _ROW_BLOCK):
            into[first:first + _ROW_BLOCK] += m[first:first + _ROW_BLOCK] @ m.T


def _pair(r: int, c: int, ids: Sequence[str], docs: Sequence[Mapping[str, _Doc]],
          sizes_of: Mapping[str, Sequence[float]], ignored: Mapping[str, set[int]],
          overall: float, shared_count: float, flagged: bool, k: int, measure: str,
          interned: dict[tuple[str, ...], tuple[str, ...]], reason: str = "",
          noted_of: Mapping[str, Sequence[bool]] | None = None,
          counted: dict[tuple[str, int], frozenset[int]] | None = None) -> PairMatch:
    """Build the ``PairMatch`` of rows ``r`` and ``c`` with per-function scores and matching regions.

    ``sizes_of``: function -> each row's count of fingerprints left after the exclusions (float32
    values, in a list), -1 where the row does not count for that function (absent, or empty
    under ``"min"``). A function's score is its fingerprints shared by both sides (their documents' values, less
    the ignored ones: what ``find_similar``'s product counted) over the measure's denominator,
    both rounded to float32 as the class's totals hold them. ``overall``, ``shared_count``: the
    pair's class totals (``_Candidates``). ``interned``: the tuples of
    compared function names made so far, shared by the pairs that compare the same ones.
    ``noted_of``: function -> which rows' source is noted (``_noted_terms``), when any is.
    ``counted``: the documents' counted fingerprints made so far (``_counted``), kept by the
    caller for the report's pairs, while the documents live."""
    import numpy as np

    if counted is None:
        counted = {}

    names: list[str] = []
    quotients: list[float] = []
    for fname, sizes in sizes_of.items():
        a, b = sizes[r], sizes[c]
        if a < 0 or b < 0:
            continue
        denom = min(a, b) if measure == "min" else max(a, b) if measure == "max" else (a + b) / 2
        noted = noted_of.get(fname) if noted_of else None
        if noted is not None and (noted[r] or noted[c]):
            denom = min(a, b) if noted[r] and noted[c] else b if noted[r] else a
        if denom <= 0:
            continue
        counted_a = _counted(docs[r][fname], fname, ignored, counted)
        counted_b = _counted(docs[c][fname], fname, ignored, counted)
        shared = len(counted_a) if counted_a is counted_b else len(counted_a & counted_b)
        names.append(fname)
        quotients.append(shared / denom)
    # The quotients of float32 values worked out in float64, then rounded to float32: the float32
    # division's result exactly (53 bits >= 2 x 24 + 2), with one NumPy call a pair, not six.
    scores = {fname: round(q, 4) for fname, q in zip(names, np.array(quotients, dtype=np.float32).tolist())}
    compared = tuple(names)
    compared = interned.setdefault(compared, compared)
    return PairMatch(ids[r], ids[c], scores, round(float(overall), 4),
                     _LazyRegions(docs[r], docs[c], compared, ignored, k), flagged, int(shared_count), reason)


def _counted(doc: _Doc, fname: str, ignored: Mapping[str, set[int]],
             made: dict[tuple[str, int], frozenset[int]]) -> frozenset[int]:
    """The fingerprint values of ``doc`` (function ``fname``) that count, the ignored ones left
    out, made once a document: a listed pair then counts what its sides share with one set
    intersection (a class of 2,000 can list 90,000 pairs of six functions, each document in
    hundreds of them). ``made`` holds them by function and ``id(doc)``."""
    key = (fname, id(doc))
    values = made.get(key)
    if values is None:
        values = made[key] = frozenset(doc.positions.keys() - ignored[fname])
    return values


class _LazyRegions(_MappingBase):
    """``PairMatch.regions``, worked out on first use: function -> ``Regions`` of the shared fingerprints.

    Most pairs of a report are only listed (``similarity.csv`` has no regions); the matching
    lines are read for the few pairs shown side by side, so they are computed then. Reads like
    the plain dict it stands for (equality, ``repr``, pickling as a dict).
    """

    __slots__ = ("_a", "_b", "_names", "_ignored", "_k", "_regions")

    def __init__(self, a: Mapping[str, _Doc], b: Mapping[str, _Doc], names: tuple[str, ...],
                 ignored: Mapping[str, set[int]], k: int) -> None:
        """``a``, ``b``: each side's documents by function; ``names``: the functions compared, in
        order; ``ignored``: function -> fingerprint values not counted. All shared with the rest
        of the report (a class of 2,000 can list 90,000 pairs: a pair holds references, not
        copies)."""
        self._a, self._b, self._names, self._ignored, self._k = a, b, names, ignored, k
        self._regions: dict[str, Regions] | None = None

    def _found(self) -> dict[str, Regions]:
        """The regions, computed once (functions without a counted shared fingerprint are left out)."""
        if self._regions is None:
            regions: dict[str, Regions] = {}
            k = self._k
            for fname in self._names:
                doc_a, doc_b = self._a[fname], self._b[fname]
                common = (doc_a.positions.keys() & doc_b.positions.keys()) - self._ignored[fname]
                if common:
                    regions[fname] = Regions(_merge_lines(_lines_of(doc_a, common, k)),
                                             _merge_lines(_lines_of(doc_b, common, k)))
            self._regions = regions
            self._a = self._b = self._ignored = None
        return self._regions

    def __getitem__(self, fname: str) -> Regions:
        """The regions of function ``fname``."""
        return self._found()[fname]

    def __iter__(self) -> Iterator[str]:
        """The functions with regions, in the order they were compared."""
        return iter(self._found())

    def __len__(self) -> int:
        """How many functions have regions."""
        return len(self._found())

    def __repr__(self) -> str:
        """As the dict's."""
        return repr(self._found())

    def __reduce__(self) -> tuple:
        """Pickles as the plain dict."""
        return dict, (self._found(),)


def _clusters(edges: Sequence[tuple[str, str]]) -> tuple[tuple[str, ...], ...]:
    """Connected components of the flagged-pair graph, largest first, members sorted."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in edges:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    groups: dict[str, list[str]] = {}
    for x in parent:
        groups.setdefault(find(x), []).append(x)
    return tuple(sorted((tuple(sorted(g)) for g in groups.values()), key=lambda g: (-len(g), g)))
