"""Reading rendered pages in the tests: the text a reader sees, and a real headless browser."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest


class Visible(HTMLParser):
    """Visible text and the tags of a page."""

    def __init__(self) -> None:
        """Start with no text and no tags."""
        super().__init__()
        self.text: list[str] = []
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        """Record a tag and its attributes."""
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        """Record visible text."""
        self.text.append(data)


def parse(page: str) -> Visible:
    """Parse ``page``."""
    parser = Visible()
    parser.feed(page)
    return parser


CHROMIUM = "/usr/bin/chromium"


def chromium_or_skip() -> str:
    """The browser's path; outside CI a missing browser skips, in CI (CI=true) it fails."""
    path = shutil.which("chromium") or (CHROMIUM if os.path.exists(CHROMIUM) else None)
    if path:
        return path
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail("chromium is required in CI (.ci/run installs Debian's chromium)")
    pytest.skip("chromium not installed (apt-get install -y chromium); the browser tests need it")


def run_chromium(page: Path, tmp: Path, *args: str) -> subprocess.CompletedProcess:
    """Headless Chromium on ``page`` with the given extra arguments (--dump-dom, --screenshot=...)."""
    browser = chromium_or_skip()
    command = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--no-first-run", "--disable-dev-shm-usage",
               f"--user-data-dir={tmp / 'chromium-profile'}", "--virtual-time-budget=5000", *args,
               page.resolve().as_uri()]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


IMAGE_PROBE = """<script>
window.addEventListener('load', function () {
  var rows = [];
  document.querySelectorAll('img').forEach(function (img) {
    rows.push((img.id || '?') + ':' + img.naturalWidth + 'x' + img.naturalHeight + ':' + img.complete);
  });
  document.querySelectorAll('svg[role=img]').forEach(function (svg) {
    // An inline chart: its size on the page, and the width of its widest text as drawn (0 if
    // no text was laid out).
    var box = svg.getBoundingClientRect(), widest = 0;
    svg.querySelectorAll('text').forEach(function (t) { widest = Math.max(widest, t.getComputedTextLength()); });
    rows.push((svg.id || '?') + ':' + Math.round(box.width) + 'x' + Math.round(box.height) + ':' + Math.round(widest));
  });
  var out = document.createElement('pre');
  out.id = 'probe';
  out.textContent = 'IMAGES ' + rows.join(' ') + ' SECTIONS ' +
    Array.from(document.querySelectorAll('section[id], div[id=similarity]')).map(function (s) { return s.id; }).join(',');
  document.body.appendChild(out);
});
</script>"""


def probed_copy(page: Path, dest: Path) -> Path:
    """``page`` with its Content-Security-Policy removed and the image probe added (for the test only)."""
    html = page.read_text("utf-8")
    html = re.sub(r'<meta[^>]*Content-Security-Policy[^>]*>', "", html)
    dest.write_text(html.replace("</body>", IMAGE_PROBE + "</body>"), "utf-8")
    return dest


def non_blank(png: Path) -> float:
    """Standard deviation of the screenshot's grey levels (0 for a blank page)."""
    from PIL import Image, ImageStat

    with Image.open(png) as image:
        return ImageStat.Stat(image.convert("L")).stddev[0]
