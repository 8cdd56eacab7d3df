"""The class report's inline SVG charts (grader.charts): well-formed, the right bars, escaped."""
from __future__ import annotations

import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from grader.charts import Series, bars_svg, histogram_svg, nice_ticks

SVG = "{http://www.w3.org/2000/svg}"
REPO = Path(__file__).resolve().parents[1]


def _tree(svg: str) -> ET.Element:
    """The chart parsed as XML (it must be well-formed to be inline SVG)."""
    return ET.fromstring(svg)


def _bars(svg: str) -> list[tuple[float, float, float, float, str]]:
    """``(x, y, width, height, tooltip)`` of every rect that has a tooltip (the data's bars)."""
    out = []
    for rect in _tree(svg).iter(f"{SVG}rect"):
        tip = rect.find(f"{SVG}title")
        if tip is not None:
            out.append((*(float(rect.get(k)) for k in ("x", "y", "width", "height")), tip.text))
    return out


@pytest.mark.parametrize("top, count, integer, expected", [
    (100, 5, False, [0, 20, 40, 60, 80, 100]),
    (110, 8, False, [0, 20, 40, 60, 80, 100, 120]),
    (3, 4, True, [0, 1, 2, 3]),
    (1, 4, True, [0, 1]),
    (7, 4, True, [0, 2, 4, 6, 8]),
    (0.3, 5, False, [0, 0.1, 0.2, 0.3]),
    (0, 5, False, [0, 1]),
    (float("nan"), 5, False, [0, 1]),
])
def test_ticks_are_round_and_reach_the_top(top, count, integer, expected):
    assert nice_ticks(top, count=count, integer=integer) == expected


def test_histogram_counts_each_value_once_in_its_bin_and_stacks_the_layers():
    graded = Series("graded", (0.0, 50.0, 100.0, 100.0, 100.0, 99.0), "#111111")
    unreadable = Series("unreadable", (0.0, 0.0), "#222222")
    svg = histogram_svg([graded, unreadable], top=100, bins=20, xlabel="score (of 100)", mean=75.0,
                        title="Histogram of scores", ident="fig-histogram")
    bars = _bars(svg)
    tips = [tip for *_, tip in bars]
    assert tips == ["graded: 1 with a score from 0 to 5", "unreadable: 2 with a score from 0 to 5",
                    "graded: 1 with a score from 50 to 55", "graded: 4 with a score from 95 to 100"]
    (x0, y0, w0, h0, _), (x1, y1, w1, h1, _), _, (_, _, _, h4, _) = bars
    assert (x0, w0) == (x1, w1) and y1 + h1 == pytest.approx(y0)  # stacked on the same bin
    assert h1 == pytest.approx(2 * h0) and h4 == pytest.approx(4 * h0)  # heights count values
    texts = [t.text for t in _tree(svg).iter(f"{SVG}text")]
    assert "mean 75.0" in texts and "graded" in texts and "unreadable" in texts
    assert texts.count("score (of 100)") == 1


def test_histogram_of_one_series_has_no_legend_and_takes_odd_values():
    svg = histogram_svg([Series("graded", (-3.0, float("inf"), 12.0, float("nan")), "#111111")], top=10, bins=5,
                        xlabel="x", mean=None, title="t", ident="h")
    tips = [tip for *_, tip in _bars(svg)]
    assert tips == ["graded: 1 with a score from 0 to 2", "graded: 2 with a score from 8 to 10"]
    texts = [t.text for t in _tree(svg).iter(f"{SVG}text")]
    assert "graded" not in texts and not [t for t in texts if t.startswith("mean")]


def test_bars_show_each_rate_in_per_cent_coloured_by_group():
    svg = bars_svg(["a/1", "a/2", "b/1"], [0.25, 1.0, float("nan")], title="Passing",
                   ident="fig-cases", groups=["a", "a", "b"])
    bars = _bars(svg)
    assert [tip for *_, tip in bars] == ["a/1: 25% passed", "a/2: 100% passed", "b/1: 0% passed"]
    (_, _, quarter, *_), (_, _, whole, *_), (_, _, none, *_) = bars
    assert whole == pytest.approx(4 * quarter) and none == 0
    fills = [r.get("fill") for r in _tree(svg).iter(f"{SVG}rect") if r.find(f"{SVG}title") is not None]
    assert fills[0] == fills[1] != fills[2]
    root = _tree(svg)
    assert root.get("role") == "img" and root.get("aria-labelledby") == "fig-cases-title"
    assert root.find(f"{SVG}title").text == "Passing"


def test_labels_and_titles_are_escaped():
    evil = '<script>alert(1)</script>" onload="x()'
    svg = bars_svg([evil], [0.5], title=evil, ident='fig"><script>') + histogram_svg(
        [Series(evil, (1.0,), "#000"), Series("b", (), "#111")], top=1, bins=1, xlabel=evil,
        mean=None, title=evil, ident="h")
    assert "<script" not in svg and "onload=\"" not in svg
    assert svg.count("&lt;script&gt;") >= 6


_NO_MATPLOTLIB = r"""
import io, os, sys
from pathlib import Path
log = Path(sys.argv[1])

class Watch:
    # Every process of the run (the workers are forked from this one) notes an import of
    # matplotlib in the log.
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] == 'matplotlib':
            with open(log, 'a') as f:
                f.write(f'{os.getpid()} {name}\n')
        return None

sys.meta_path.insert(0, Watch())
sys.path.insert(0, os.getcwd())
from grader import commands
from tests import notebooks as nbs
subs = Path(sys.argv[2])
nbs.write(subs / 'ada.ipynb', nbs.course_notebook())
commands.grade_class(subs, out_dir=Path(sys.argv[3]), stream=io.StringIO(), jobs=1,
                     similarity=False)
"""


@pytest.mark.slow
def test_a_class_run_imports_no_plotting_library_and_its_report_has_the_charts(tmp_path):
    """Issue 9: no matplotlib import on the grading path. Until the eleventh session a forked
    figure process imported it during every class run."""
    log, out = tmp_path / "imports.log", tmp_path / "out"
    done = subprocess.run([sys.executable, "-c", _NO_MATPLOTLIB, str(log), str(tmp_path / "subs"),
                           str(out)], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    assert not log.exists(), log.read_text()
    page = (out / "report.html").read_text("utf-8")
    assert [m for m in re.findall(r'<svg[^>]* id="([^"]+)"', page)] == \
        ["fig-histogram", "fig-parts", "fig-cases"]
    assert "<img" not in page
