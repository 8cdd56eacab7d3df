"""The class report's charts as inline SVG: a stacked histogram and horizontal bars.

Three charts of a few dozen shapes each are written here as text, in about a millisecond.
They were drawn with matplotlib until the eleventh session; its import alone cost 0.5-1.3 s
of CPU in every class run (a forked process imported it while the workers graded), and
issue 9 asks for no matplotlib import on the grading path. Inline SVG also keeps the page
self-contained without base64 images: the text is real text (searchable, read by screen
readers), each bar carries a tooltip (``<title>``) with its figure, and the chart scales
with the page.

Every label is escaped. Sizes are in SVG user units, which the page shows as CSS pixels
until it scales the chart down to its width.
"""
from __future__ import annotations

import html
import math
from dataclasses import dataclass
from typing import Sequence

__all__ = ["Series", "bars_svg", "histogram_svg", "nice_ticks"]

#: Colours of the report (the per-part palette cycles for more parts than colours).
BLUE, GREY, RED, AXIS, GRID = "#3f7fbf", "#9e9e9e", "#c62828", "#555555", "#e6e6e6"
PALETTE = ("#3f7fbf", "#e08a2c", "#4f9a52", "#b0413e", "#7b5ea7", "#8c6d46", "#d16ba5", "#6f6f6f")
WIDTH = 800
FONT = 12
#: An upper estimate of a character's width in the sans-serif font at size ``FONT``: labels
#: are right-aligned against the axis, so a wide font eats into the margin, never the bars.
CHAR = 0.62 * FONT

e = html.escape


@dataclass(frozen=True)
class Series:
    """One stacked layer of a histogram: its values, its colour and its name in the legend."""

    name: str
    values: tuple[float, ...]
    colour: str


def nice_ticks(top: float, *, count: int = 5, integer: bool = False) -> list[float]:
    """Tick values from 0 to at least ``top``, about ``count`` of them, at steps of 1, 2 or 5
    times a power of ten (whole steps when ``integer``). ``top`` <= 0 gives ``[0, 1]``."""
    if not top > 0 or not math.isfinite(top):
        return [0.0, 1.0]
    raw = top / max(count, 1)
    power = 10.0 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw * (1 - 1e-9))
    if integer:
        step = max(1.0, float(math.ceil(step)))
    last = math.ceil(top / step - 1e-9)
    return [round(k * step, 10) for k in range(int(last) + 1)]


def _number(value: float) -> str:
    """A tick's or a coordinate's text: no trailing ``.0``, at most two decimals."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def _open(ident: str, title: str, *, height: float) -> list[str]:
    """The ``<svg>`` element's start and its accessible title."""
    return [f'<svg xmlns="http://www.w3.org/2000/svg" id="{e(ident)}" role="img" '
            f'aria-labelledby="{e(ident)}-title" viewBox="0 0 {WIDTH} {_number(height)}" '
            f'width="{WIDTH}" height="{_number(height)}" font-family="system-ui,sans-serif" '
            f'font-size="{FONT}">',
            f'<title id="{e(ident)}-title">{e(title)}</title>']


def histogram_svg(series: Sequence[Series], *, top: float, bins: int, xlabel: str,
                  mean: float | None, title: str, ident: str, height: float = 260) -> str:
    """A histogram of ``series`` stacked bottom to top, ``bins`` equal bins over ``[0, top]``
    (the last bin holds ``top`` itself; values outside the range go to the nearest end bin, a
    NaN nowhere),
    with a dashed line at ``mean`` when given and a legend when there is more than one series.

    ``top`` > 0; each series' values are scores. Returns the ``<svg>`` element."""
    top = top if top > 0 else 1.0
    counts = [[0] * bins for _ in series]
    for layer, s in zip(counts, series):
        for value in s.values:
            if math.isnan(value):
                continue
            index = bins - 1 if value >= top else 0 if value <= 0 else int(value / top * bins)
            layer[min(index, bins - 1)] += 1
    totals = [sum(layer[b] for layer in counts) for b in range(bins)]
    yticks = nice_ticks(max(totals, default=0) or 1, count=4, integer=True)
    xticks = nice_ticks(top, count=8)
    left, right, below = 56, 16, 44
    above = 30 if len(series) > 1 else 12  # a legend goes above the bars, never over them
    plot_w, plot_h = WIDTH - left - right, height - above - below
    ymax, xmax = yticks[-1], max(xticks[-1], top)

    def x(value: float) -> float:
        return left + plot_w * value / xmax

    def y(count: float) -> float:
        return above + plot_h * (1 - count / ymax)

    out = _open(ident, title, height=height)
    for tick in yticks:
        out.append(f'<line x1="{left}" x2="{WIDTH - right}" y1="{_number(y(tick))}" '
                   f'y2="{_number(y(tick))}" stroke="{GRID}"/>'
                   f'<text x="{left - 6}" y="{_number(y(tick) + 4)}" text-anchor="end">'
                   f'{_number(tick)}</text>')
    width = top / bins
    for b in range(bins):
        base = 0
        for layer, s in zip(counts, series):
            if layer[b]:
                lo, hi = b * width, (b + 1) * width
                out.append(f'<rect x="{_number(x(lo) + 0.5)}" y="{_number(y(base + layer[b]))}" '
                           f'width="{_number(x(hi) - x(lo) - 1)}" '
                           f'height="{_number(y(base) - y(base + layer[b]))}" fill="{s.colour}">'
                           f'<title>{e(s.name)}: {layer[b]} with a score from {_number(lo)} to '
                           f'{_number(hi)}</title></rect>')
                base += layer[b]
    out.append(f'<line x1="{left}" x2="{WIDTH - right}" y1="{_number(y(0))}" y2="{_number(y(0))}" '
               f'stroke="{AXIS}"/>')
    for tick in xticks:
        out.append(f'<text x="{_number(x(tick))}" y="{_number(y(0) + 16)}" text-anchor="middle">'
                   f'{_number(tick)}</text>')
    out.append(f'<text x="{_number(left + plot_w / 2)}" y="{_number(height - 6)}" '
               f'text-anchor="middle">{e(xlabel)}</text>')
    out.append(f'<text transform="translate(14 {_number(above + plot_h / 2)}) rotate(-90)" '
               f'text-anchor="middle">submissions</text>')
    if mean is not None and math.isfinite(mean):
        out.append(f'<line x1="{_number(x(mean))}" x2="{_number(x(mean))}" y1="{above}" '
                   f'y2="{_number(y(0))}" stroke="{RED}" stroke-dasharray="5 3"/>'
                   f'<text x="{_number(x(mean) + 4)}" y="{above + 12}" fill="{RED}">'
                   f'mean {mean:.1f}</text>')
    if len(series) > 1:
        at = WIDTH - right - sum(24 + CHAR * len(s.name) for s in series)
        for s in series:
            out.append(f'<rect x="{_number(at)}" y="6" width="10" height="10" fill="{s.colour}"/>'
                       f'<text x="{_number(at + 14)}" y="15">{e(s.name)}</text>')
            at += 24 + CHAR * len(s.name)
    out.append("</svg>")
    return "".join(out)


def bars_svg(labels: Sequence[str], values: Sequence[float], *, title: str, ident: str,
             groups: Sequence[str] | None = None) -> str:
    """Horizontal bars of rates in ``[0, 1]`` (shown in per cent), one per label from the top
    down, coloured by ``groups`` (one colour per distinct group, in order of appearance) when
    given. Returns the ``<svg>`` element."""
    colours = [BLUE] * len(labels)
    if groups is not None:
        order = list(dict.fromkeys(groups))
        colours = [PALETTE[order.index(g) % len(PALETTE)] for g in groups]
    row, bar = 22, 15
    left = min(int(14 + CHAR * max((len(label) for label in labels), default=1)), WIDTH // 2)
    right, above, below = 48, 30, 40
    plot_w = WIDTH - left - right
    height = above + row * max(len(labels), 1) + below
    bottom = above + row * len(labels)

    def x(percent: float) -> float:
        return left + plot_w * percent / 100

    out = _open(ident, title, height=height)
    out.append(f'<text x="{WIDTH // 2}" y="18" text-anchor="middle" font-weight="600">'
               f'{e(title)}</text>')
    for tick in range(0, 101, 20):
        out.append(f'<line x1="{_number(x(tick))}" x2="{_number(x(tick))}" y1="{above}" '
                   f'y2="{bottom}" stroke="{GRID}"/>'
                   f'<text x="{_number(x(tick))}" y="{bottom + 16}" text-anchor="middle">'
                   f'{tick}</text>')
    for k, (label, value, colour) in enumerate(zip(labels, values, colours)):
        percent = 100 * min(max(value, 0.0), 1.0) if math.isfinite(value) else 0.0
        top = above + row * k
        middle = top + row / 2 + 4
        out.append(f'<text x="{left - 6}" y="{_number(middle)}" text-anchor="end">{e(label)}</text>'
                   f'<rect x="{left}" y="{_number(top + (row - bar) / 2)}" '
                   f'width="{_number(x(percent) - left)}" height="{bar}" fill="{colour}">'
                   f'<title>{e(label)}: {percent:.0f}% passed</title></rect>'
                   f'<text x="{_number(x(percent) + 4)}" y="{_number(middle)}" font-size="11">'
                   f'{percent:.0f}%</text>')
    out.append(f'<line x1="{left}" x2="{left}" y1="{above}" y2="{bottom}" stroke="{AXIS}"/>'
               f'<text x="{_number(left + plot_w / 2)}" y="{height - 6}" text-anchor="middle">'
               f'passed (%)</text></svg>')
    return "".join(out)
