"""Review of the fifth session's changes (6417810..): attacks by a hostile student.

Each test says what the attack is and why it matters. Tests for a hole failed before its fix
(named in the commit that added them); the others pin properties that held under attack and
that the existing tests did not cover.
"""
from __future__ import annotations

import json
import struct
import tracemalloc

import pytest

from grader import wire


def _message(root: object) -> bytes:
    """A wire message without buffers whose header holds ``root``."""
    header = json.dumps({"buffers": [], "root": root}, separators=(",", ":")).encode()
    return wire.MAGIC + struct.pack(">I", len(header)) + header


def _headers_of_many_nodes(decoder: wire.Decoder) -> list[bytes]:
    """Messages of ``decoder.size`` different headers of about MAX_PLANNED_HEADER bytes, each
    as many nodes as fit (``0,``)."""
    nodes = (wire.Decoder.MAX_PLANNED_HEADER - 40) // 2
    return [_message([0] * (nodes - 3) + [i]) for i in range(decoder.size)]


def test_the_plans_kept_hold_a_bounded_number_of_steps():
    """The plans of a child's largest headers (see below) hold at most MAX_PLANNED_STEPS steps in
    all, and the messages still decode as wire.decode decodes them."""
    decoder = wire.Decoder()
    for data in _headers_of_many_nodes(decoder):
        assert decoder.decode(data) == wire.decode(data)
        assert decoder.decode(data) == wire.decode(data)
    assert 0 < sum(len(plan.steps) for plan in decoder._plans.values()) <= wire.Decoder.MAX_PLANNED_STEPS
    assert wire.Decoder.MAX_PLANNED_STEPS * 100 < 8 * 2**20  # a step is a tuple of 2-4 (< 100 bytes)


@pytest.mark.slow
def test_a_childs_headers_cannot_make_the_decoder_hold_tens_of_megabytes():
    """wire.Decoder keeps a plan per header, per worker and across submissions, and promises
    "at most a few megabytes in all, whatever a child sends". A plan holds a tuple per node
    of its header, and a header of 16 KB can hold 8,000 nodes (``0,``): a child that sends
    128 such headers, each different, made every worker hold about 66 MB for the rest of the
    run. The plans are now bounded by their steps in all."""
    decoder = wire.Decoder()
    messages = _headers_of_many_nodes(decoder)
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        for data in messages:
            decoder.decode(data)
        held = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert held < 10 * 2**20, f"{held / 2**20:.1f} MB held by the decoder's plans"


def test_small_headers_are_still_planned_within_the_bound():
    """The bound leaves the usual case alone: a class's few small headers are all kept."""
    decoder = wire.Decoder()
    values = [[float(i)] * (i + 1) for i in range(50)]
    for value in values:
        assert decoder.decode(wire.encode(value)) == value
    assert len(decoder._plans) == 50
    for value in values:
        assert decoder.decode(wire.encode(value)) == value
