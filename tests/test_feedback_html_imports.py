"""feedback.html's renderer imports nbconvert without the modules it never uses (nbclient,
jupyter_client, bs4, tornado), and the process still gets the real ones wherever it asks for them.

Each test runs in a fresh interpreter: what is imported is the point.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

#: After the renderer is built: the real execute preprocessor, nbclient, BeautifulSoup (through
#: nbconvert's own exporter, which calls it, and its markdown filter with embedded images,
#: which uses the bs4 module nbconvert kept) all work as without the renderer.
_REAL_MODULES_STILL_WORK = """
import base64, sys
from nbconvert.preprocessors import CellExecutionError, ExecutePreprocessor
import nbclient, nbclient.exceptions
assert issubclass(ExecutePreprocessor, nbclient.NotebookClient), ExecutePreprocessor.__mro__
assert CellExecutionError is nbclient.exceptions.CellExecutionError
import nbconvert.preprocessors.execute as execute
assert execute.ExecutePreprocessor is ExecutePreprocessor
from nbconvert.postprocessors import ServePostProcessor
import tornado.web
assert ServePostProcessor is not None and ServePostProcessor.__module__ == "nbconvert.postprocessors.serve"
import nbconvert, nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook
png = base64.b64encode(bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082")).decode()
folder = sys.argv[1]
with open(folder + "/dot.png", "wb") as out:
    out.write(base64.b64decode(png))
nb = new_notebook(cells=[new_markdown_cell("# Title\\n\\n![dot](dot.png)"), new_code_cell("1 + 1")])
body, _ = nbconvert.HTMLExporter().from_notebook_node(nb)
assert "Title" in body and "bs4" in sys.modules
body, _ = nbconvert.HTMLExporter(embed_images=True).from_notebook_node(
    nb, resources={"metadata": {"path": folder}})
assert "data:image/png;base64," in body, body[-3000:]
import bs4
assert bs4.BeautifulSoup("<p>x</p>", "html.parser").p.text == "x"
print("ok")
"""


def _run(code: str, *args: str) -> str:
    """Run ``code`` in a fresh interpreter at the repository's root; its standard output."""
    done = subprocess.run([sys.executable, "-c", code, *args], cwd=REPO, capture_output=True,
                          text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_renderer_leaves_nbclient_jupyter_client_and_bs4_out(tmp_path):
    """Building the renderer imports none of the four (they cost about 0.35 s of CPU), and the
    page it renders is still the template's own rendering in one call; afterwards the process
    gets the real modules wherever it asks for them."""
    code = """
import sys
from grader import feedback_html
renderer = feedback_html.FeedbackRenderer()
left = sorted(m for m in ("nbclient", "jupyter_client", "bs4", "tornado",
                          "nbconvert.preprocessors.execute", "nbconvert.postprocessors.serve")
              if m in sys.modules)
assert left == [], left
from tests import notebooks as nbs
cells = feedback_html.clean_cells(nbs.course_notebook())
page = renderer.render({"cells": cells}, title="T", top="<p>top</p>", after={1: "<p>after</p>"})
assert page == renderer.render_direct({"cells": cells}, title="T", top="<p>top</p>",
                                      after={1: "<p>after</p>"})
assert [m for m in ("nbclient", "jupyter_client", "bs4", "tornado") if m in sys.modules] == []
""" + _REAL_MODULES_STILL_WORK
    assert _run(code, str(tmp_path)).strip().endswith("ok")


def test_modules_already_imported_are_used_as_they_are(tmp_path):
    """A process that imported nbclient before the renderer keeps it: nbconvert's execute
    preprocessor is built on it at once."""
    code = """
import sys
import nbclient
from grader import feedback_html
feedback_html.FeedbackRenderer()
assert "nbconvert.preprocessors.execute" in sys.modules and "bs4" not in sys.modules
""" + _REAL_MODULES_STILL_WORK
    assert _run(code, str(tmp_path)).strip().endswith("ok")


def test_an_import_that_needs_more_than_the_stand_ins_is_done_the_ordinary_way(tmp_path):
    """A stand-in missing a name nbconvert takes from it (as another nbconvert version might)
    makes the import fail; it is then done again without stand-ins, and everything works."""
    code = """
import sys
from grader import feedback_html
unused = dict(feedback_html.UNUSED_BY_RENDERER,
              bs4=feedback_html.LeftOut({"bs4": {}}))  # no BeautifulSoup in it
feedback_html._import_nbconvert(unused)
assert "bs4" in sys.modules and type(sys.modules["bs4"]) is not feedback_html._StandIn
import nbconvert.exporters.html as html_exporter
assert html_exporter.BeautifulSoup is sys.modules["bs4"].BeautifulSoup
feedback_html.FeedbackRenderer()
""" + _REAL_MODULES_STILL_WORK
    assert _run(code, str(tmp_path)).strip().endswith("ok")
