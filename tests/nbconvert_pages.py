"""The reference the tests compare ``feedback.html`` with: the page nbconvert's HTML export
renders from the template in ``tests/templates/feedback`` (nbconvert's "lab" cell markup, our
head, sanitiser and code highlighter), the way the grader rendered its pages up to the
fifteenth session. Tests only: the grading process never imports nbconvert.
"""
from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

from grader.feedback_html import FeedbackRenderer, sanitize_html
from grader.highlight import highlight_code

TEMPLATES = Path(__file__).resolve().parent / "templates"
#: The template (a directory under TEMPLATES; its base is nbconvert's "lab").
TEMPLATE_NAME = "feedback"
#: The notebook metadata every rendered notebook carries (nothing of the student's).
NOTEBOOK_METADATA = {"language_info": {"name": "python", "pygments_lexer": "ipython3"}}


@functools.lru_cache(maxsize=1)
def exporter() -> Any:
    """One ``HTMLExporter`` configured as the grader's was: our template, our sanitiser as
    ``clean_html``, our highlighter, no preprocessors, no heading anchors, no embedded images;
    nor the BeautifulSoup pass over its output (which adds alt texts and tab stops)."""
    from nbconvert import HTMLExporter
    from nbconvert.exporters.exporter import Exporter
    from nbconvert.exporters.templateexporter import TemplateExporter

    class ReferenceExporter(HTMLExporter):
        """``HTMLExporter`` with only the configured preprocessors (none) and no pass after
        the template."""

        def _init_preprocessors(self) -> None:
            """Register only the configured preprocessors, not the template's."""
            Exporter._init_preprocessors(self)

        def from_notebook_node(self, nb: Any, resources: dict | None = None, **kw: Any) -> tuple[str, dict]:
            """The template's rendering of ``nb``, nothing after it."""
            return TemplateExporter.from_notebook_node(self, nb, resources, **kw)

    made = ReferenceExporter(default_preprocessors=[], template_name=TEMPLATE_NAME,
                             extra_template_basedirs=[str(TEMPLATES)], filters={"clean_html": sanitize_html},
                             sanitize_html=True, embed_images=False, exclude_anchor_links=True)
    made.register_filter("highlight_code", highlight_code)
    return made


def notebook(cells: list[dict]) -> Any:
    """An nbformat-4 ``NotebookNode`` of already cleaned ``cells``."""
    from nbformat import NotebookNode, from_dict

    return NotebookNode(nbformat=4, nbformat_minor=5, cells=[from_dict(cell) for cell in cells],
                        metadata=from_dict(json.loads(json.dumps(NOTEBOOK_METADATA))))


def render_direct(renderer: FeedbackRenderer, nb: Any, *, title: str, top: str, after: dict[int, str]) -> str:
    """The page :meth:`FeedbackRenderer.render` writes, rendered by nbconvert's template in one
    call (cell i is the one whose ``metadata.grader_index`` is i; ``renderer`` gives the
    stylesheet)."""
    import html

    if not hasattr(nb, "metadata"):
        nb = notebook(nb["cells"])
    resources = {"grader": {"css": renderer.css, "title": html.escape(title), "top": top, "after": after},
                 "metadata": {"name": ""}}
    body, _ = exporter().from_notebook_node(nb, resources=resources)
    return body
