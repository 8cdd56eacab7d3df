"""Names of the recurrent alternatives: canonical labels, and labels found in free text.

A model's *alternative* is the sequence of its recurrent layers written as one
label: ``"LSTM"``, ``"GRU"``, ``"SimpleRNN"``, ``"Bidirectional(LSTM)"``,
``"LSTM x2"`` (two stacked LSTMs), ``"LSTM+GRU"`` (mixed stack).  CuDNN layers
count as the plain layer they accelerate (``CuDNNLSTM`` is an ``LSTM``).
"""

from __future__ import annotations

import bisect
import re
from typing import Iterable, Sequence

__all__ = ["RECURRENT", "CELLS", "canonical", "stack_label", "family", "find_labels", "is_recurrent"]

# Keras layer class name -> canonical layer label
RECURRENT = {
    "SimpleRNN": "SimpleRNN", "LSTM": "LSTM", "GRU": "GRU",
    "CuDNNLSTM": "LSTM", "CuDNNGRU": "GRU", "ConvLSTM1D": "ConvLSTM", "ConvLSTM2D": "ConvLSTM",
}
CELLS = {"SimpleRNNCell": "SimpleRNN", "LSTMCell": "LSTM", "GRUCell": "GRU"}
WRAPPERS = ("Bidirectional",)


def canonical(layer: str) -> str:
    """Canonical label of one layer label (``"CuDNNLSTM"`` -> ``"LSTM"``; wrappers kept)."""
    m = re.fullmatch(r"Bidirectional\((\w*)\)", layer)
    if m:
        return f"Bidirectional({canonical(m.group(1))})" if m.group(1) else "Bidirectional"
    return RECURRENT.get(layer, CELLS.get(layer, layer))


def stack_label(layers: Sequence[str]) -> str | None:
    """One label for a stack of recurrent layer labels; ``None`` for no recurrent layer.

    ``["LSTM"]`` -> ``"LSTM"``, ``["LSTM", "LSTM"]`` -> ``"LSTM x2"``,
    ``["GRU", "LSTM"]`` -> ``"GRU+LSTM"``.
    """
    names = [canonical(x) for x in layers]
    if not names:
        return None
    if len(set(names)) == 1:
        return names[0] if len(names) == 1 else f"{names[0]} x{len(names)}"
    return "+".join(names)


def is_recurrent(label: str | None) -> bool:
    """True when ``label`` names at least one recurrent layer."""
    return bool(label) and any(k in label for k in ("RNN", "LSTM", "GRU", "Bidirectional"))


def family(label: str | None) -> str | None:
    """The label without stacking counts (``"LSTM x2"`` -> ``"LSTM"``), for loose matching."""
    if not label:
        return None
    parts = [re.sub(r" x\d+$", "", p) for p in label.split("+")]
    return "+".join(dict.fromkeys(parts))


# Free-text spellings, most specific first.  Each: (regex, label builder)
_BASE = r"(lstm|gru|simple\s*-?rnn|vanilla\s+rnn|basic\s+rnn|rnn)"
_TEXT_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # "[\s_-]*(?:\(\s*)?" reads what "[\s_-]*\(?\s*" read (without the "(", "\s*" adds nothing to
    # "[\s_-]*"), without trying every split of a run of spaces between the two: n² steps for
    # "bi" and n spaces, 7 s for n = 10,000.
    (re.compile(r"\bbi(?:[\s_-]?directional)?[\s_-]*(?:\(\s*)?(?:cudnn)?(lstm|gru|simple\s*-?rnn|rnn)\b", re.I), "bi"),
    (re.compile(r"\b(?:stacked|deep|two[\s-]*layers?|2[\s-]*layers?|double|two)[\s_-]*(?:cudnn)?"
                + _BASE + r"s?\b", re.I), "x2"),
    (re.compile(r"\b(?:cudnn)?" + _BASE + r"\s*(?:x\s*|\*\s*|×\s*)(\d)\b", re.I), "xn"),
    (re.compile(r"\b(?:cudnn)?" + r"(lstm|gru|simple\s*-?rnn|simplernn)\b", re.I), "plain"),
    (re.compile(r"\b(vanilla\s+rnn|basic\s+rnn|rnn)\b", re.I), "plain"),
)


#: Whether a text can name an alternative at all: every pattern of ``_TEXT_PATTERNS`` matches one
#: of these words (with the same flags, so the same case folding), so a text without any (most
#: lines of a training log) needs none of the five scans.
_MAY_NAME_ONE = re.compile(r"lstm|gru|rnn", re.I).search


def _base(word: str) -> str:
    """Canonical layer of a free-text spelling."""
    w = re.sub(r"[\s_-]", "", word.lower())
    return {"lstm": "LSTM", "gru": "GRU"}.get(w, "SimpleRNN")


def find_labels(text: str) -> list[tuple[int, int, str]]:
    """All alternatives named in ``text``: ``(start, end, label)``, non-overlapping, in order.

    The patterns are tried most specific first; a match that overlaps one already taken is
    dropped.  The matches of one pattern never overlap each other, so each is tested only
    against those of the patterns before it, by bisection in their sorted spans (once against
    every span taken, the test made a text of many labels cost n²).
    """
    found: list[tuple[int, int, str]] = []
    if _MAY_NAME_ONE(text) is None:  # every pattern names an lstm, a gru or an rnn
        return found
    for pattern, kind in _TEXT_PATTERNS:
        starts = [s for s, _, _ in found] if found else []  # found is sorted and its spans are
        ends = [e for _, e, _ in found] if found else []  # disjoint, so the ends are sorted too
        new: list[tuple[int, int, str]] = []
        for m in pattern.finditer(text):
            k = bisect.bisect_left(starts, m.end()) if found else 0  # spans [:k] start before m ends
            if k and ends[k - 1] > m.start():  # the last of them ends the latest
                continue
            base = _base(m.group(1))
            if kind == "bi":
                label = f"Bidirectional({base})"
            elif kind == "x2":
                label = f"{base} x2"
            elif kind == "xn":
                label = base if m.group(2) == "1" else f"{base} x{m.group(2)}"
            else:
                label = base
            new.append((m.start(), m.end(), label))
        if new:
            found = sorted(found + new)
    return found


def first_label(text: str) -> str | None:
    """The first alternative named in ``text``, or ``None``."""
    labels = find_labels(text)
    return labels[0][2] if labels else None


def distinct(labels: Iterable[str | None]) -> list[str]:
    """Distinct recurrent labels in first-seen order."""
    return list(dict.fromkeys(x for x in labels if is_recurrent(x)))
