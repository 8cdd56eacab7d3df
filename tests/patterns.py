"""A pattern rewritten to run in linear time (possessive, bound to its line) must match where the
old one did: compared on every text made of up to a few given pieces."""
from __future__ import annotations

import itertools
import re
from collections.abc import Sequence


def assert_same_matches(old: re.Pattern[str], new: re.Pattern[str], pieces: Sequence[str], *, most: int,
                        spans: bool = True) -> None:
    """``new.search`` finds what ``old.search`` finds (its span, or only whether, without ``spans``)
    on every text of 1 to ``most`` of ``pieces``."""
    for n in range(1, most + 1):
        for parts in itertools.product(pieces, repeat=n):
            text = "".join(parts)
            then, now = old.search(text), new.search(text)
            if spans:
                assert (then and then.span()) == (now and now.span()), repr(text)
            else:
                assert (then is None) == (now is None), repr(text)
