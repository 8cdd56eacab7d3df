"""Each ``module.name`` a page gives in a code span (`runner.grade_submission`, `stephints.asked_key_hint`,
`gradedsource._reads`) names something that module defines: a function, a class, a constant, a
method or a field (thirty-seventh session: docs/security.md, docs/extraction.md and docs/fairness.md
gave eleven names that had moved to another module or gone, `runner._reads` for
`gradedsource._reads`, `extract._MEMORY_NAMES` for `reach._MEMORY_NAMES`, `placeholders._written`
for `hintcode.written_text`). A name the page says is gone or was renamed (`..., removed since`,
`` `x` then``, ``, now `y` ``) is history and passes."""
from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
#: The performance pages are left out: a log of what each session measured, in the names of then.
PAGES = [REPO / "README.md", *sorted(page for page in (REPO / "docs").glob("*.md")
                                     if not page.name.startswith("performance"))]
#: Names of other libraries a page gives in the same form: Keras's data set.
OTHERS = {"imdb.load_data()"}
#: What follows a name the page tells as history.
HISTORY = re.compile(r"^`?(?:,? removed|,? since removed| then|, now `|\) then"
                     r"|, since (?:the \w+(?:-\w+)? session )?`)")


def modules() -> dict[str, Path]:
    """Module name (``runner``, ``similarity.detect``, ``detect``, ``imdb.score``) -> its file."""
    found = {}
    for path in (REPO / "grader").rglob("*.py"):
        parts = path.relative_to(REPO / "grader").with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        if not parts:
            continue
        found.setdefault(".".join(parts), path)
        found.setdefault(parts[-1], path)  # `detect._pair` for grader/similarity/detect.py
    for path in (REPO / "solution").glob("*.py"):
        found.setdefault("solution." + path.stem, path)
    return found


def defines(text: str, name: str) -> bool:
    """``text`` defines ``name``: a def, a class, an assignment, an annotated field or an import
    (a package's ``__init__`` names what it exports in a list over several lines)."""
    if "__all__" in text and re.search(rf"[\"']{re.escape(name)}[\"']", text):
        return True
    return re.search(rf"(?m)^\s*(?:(?:async\s+)?def|class)\s+{re.escape(name)}\b|^\s*{re.escape(name)}\s*[:=]"
                     rf"|^\s*(?:from\s+\S+\s+)?import\s.*\b{re.escape(name)}\b", text) is not None


def named(page: Path) -> list[tuple[str, str, str]]:
    """(span, module, last name) of each ``module.name`` code span, history left out."""
    text = page.read_text(encoding="utf-8")
    found = []
    spans = r"`((?:grader\.)?((?:solution\.)?[a-z_]+(?:\.[a-z_]+)*?)\.([A-Za-z_]\w*)(?:\(\))?)`"
    for match in re.finditer(spans, text):
        span, module, name = match.groups()
        if HISTORY.match(text[match.end():match.end() + 60]) or span in OTHERS:
            continue
        found.append((span, module, name))
    return found


def test_the_code_names_the_pages_give_are_defined():
    known = modules()
    texts: dict[Path, str] = {}
    wrong, checked = [], 0
    for page in PAGES:
        for span, module, name in named(page):
            if f"{module}.{name}" in known:  # `grader.imdb.score`, a module
                continue
            head = module.split(".")
            # `runner._Grader._diagnose`: the module is the longest known prefix, the name the last part
            while head and ".".join(head) not in known:
                head.pop()
            if not head or name in ("py", "md", "html", "csv", "json", "yaml", "txt", "marshal", "sh", "zip"):
                continue
            path = known[".".join(head)]
            text = texts.setdefault(path, path.read_text(encoding="utf-8"))
            checked += 1
            if not defines(text, name):
                wrong.append(f"{page.name}: `{span}` ({path.relative_to(REPO)} defines no {name})")
    assert checked > 300, checked
    assert wrong == [], "\n".join(wrong)


def test_history_and_the_names_are_read():
    page = REPO / "docs" / "security.md"
    spans = [span for span, _, _ in named(page)]
    assert "gradedsource._reads" in spans and "archive.CLASS_UNPACK_BYTES" not in spans
    assert HISTORY.match("`, removed since)") and HISTORY.match(" then, since") and HISTORY.match(", now `g`")
    assert defines("class K:\n    def _diagnose(self):\n", "_diagnose") and defines("X: int = 1\n", "X")
    assert not defines("def _reads_more():\n", "_reads")
