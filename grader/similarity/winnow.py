"""k-gram hashing and winnowing (Schleimer, Wilkerson and Aiken, SIGMOD 2003).

A document (here: the canonical tokens of one function) is cut into
overlapping k-grams of tokens; each k-gram is hashed. Winnowing slides a
window of ``w`` consecutive hashes along the sequence and, in each window,
selects the minimum hash (the rightmost one if the minimum occurs more than
once); a hash is recorded as a fingerprint only when the selected position
changes. Two guarantees follow from the paper:

* any shared substring of at least ``w + k - 1`` tokens shares at least one
  fingerprint (every window holds a selected hash);
* no match shorter than ``k`` tokens is detected (noise threshold).

Token hashes come from BLAKE2b, k-gram hashes from a polynomial rolling hash
modulo the Mersenne prime 2**61 - 1, so fingerprints are the same in every
process (Python's ``hash`` of strings is salted per process and is not used).
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import MutableMapping, Sequence

__all__ = ["Fingerprint", "token_hash", "kgram_hashes", "winnow", "fingerprints"]

_MOD = (1 << 61) - 1
_BASE = 1_000_003


@dataclass(frozen=True)
class Fingerprint:
    """One selected k-gram hash and the token position where its k-gram starts."""

    value: int
    position: int


def token_hash(token: str, cache: MutableMapping[str, int] | None = None) -> int:
    """Stable 61-bit hash of one token (memoised in ``cache`` if given)."""
    if cache is not None:
        found = cache.get(token)
        if found is not None:
            return found
    value = int.from_bytes(hashlib.blake2b(token.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "big") % _MOD
    if cache is not None:
        cache[token] = value
    return value


def kgram_hashes(token_values: Sequence[int], k: int) -> list[int]:
    """Rolling hashes of every k-gram: ``len(token_values) - k + 1`` values.

    A sequence shorter than ``k`` gives one hash of the whole sequence (so
    very short functions still have a fingerprint); an empty one gives none.
    """
    if k < 1:
        raise ValueError("k must be >= 1")
    n = len(token_values)
    if n == 0:
        return []
    if n < k:
        k = n
    top = pow(_BASE, k - 1, _MOD)
    h = 0
    for value in token_values[:k]:
        h = (h * _BASE + value) % _MOD
    out = [h]
    for i in range(k, n):
        h = ((h - token_values[i - k] * top) * _BASE + token_values[i]) % _MOD
        out.append(h)
    return out


def winnow(hashes: Sequence[int], w: int) -> list[Fingerprint]:
    """Robust winnowing with window ``w``: the rightmost minimum of each window, recorded once per position.

    A sequence shorter than one window gives its (rightmost) minimum.
    """
    if w < 1:
        raise ValueError("w must be >= 1")
    n = len(hashes)
    if n == 0:
        return []
    w = min(w, n)
    selected: list[Fingerprint] = []
    last = -1
    for start in range(n - w + 1):
        best = start + w - 1
        best_value = hashes[best]
        for i in range(start + w - 2, start - 1, -1):
            if hashes[i] < best_value:
                best, best_value = i, hashes[i]
        if best != last:
            selected.append(Fingerprint(best_value, best))
            last = best
    return selected


def fingerprints(tokens: Sequence[str], *, k: int, w: int,
                 cache: MutableMapping[str, int] | None = None) -> list[Fingerprint]:
    """Winnowed fingerprints of a token sequence (k-gram size ``k``, window ``w``)."""
    values = [token_hash(t, cache) for t in tokens]
    return winnow(kgram_hashes(values, k), w)
