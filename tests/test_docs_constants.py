"""Each constant a document gives with its value (`` `NAME` = 2,000 ``, `` `report.NAME` = 4,000 ``)
has that value in the code: a bound changed in a module and not on the page fails here (thirty-sixth
session, the docs read against the tool)."""
from __future__ import annotations

import ast
import re
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PAGES = [REPO / "README.md", REPO / "tests" / "README.md", *sorted((REPO / "docs").glob("*.md"))]
CLAIM = re.compile(r"`((?:\w+\.)*)([A-Z][A-Z0-9_]{2,})` = (\d[\d,]*(?:\.\d+)?)\b")


def values_of(name: str) -> dict[Path, object]:
    """Module path -> the value a top-level ``NAME = <literal or arithmetic>`` gives it."""
    found = {}
    for path in [*(REPO / "grader").rglob("*.py"), *(REPO / "solution").rglob("*.py")]:
        text = path.read_text(encoding="utf-8")
        if f"{name} =" not in text and f"{name}:" not in text:
            continue
        known: dict = {}  # the module's constants so far: NOTES = 2 * FEEDBACK
        for node in ast.parse(text).body:
            target = node.targets[0] if isinstance(node, ast.Assign) else getattr(node, "target", None)
            if not isinstance(target, ast.Name) or getattr(node, "value", None) is None:
                continue
            try:
                known[target.id] = eval(compile(ast.Expression(node.value), str(path), "eval"),
                                        {"__builtins__": {}}, dict(known))
            except Exception:
                continue
            if target.id == name:
                found[path] = known[name]
    return found


def test_the_pages_give_some_constants():
    assert sum(len(CLAIM.findall(page.read_text(encoding="utf-8"))) for page in PAGES) >= 8


def test_each_constant_a_page_gives_has_that_value():
    wrong = []
    for page in PAGES:
        for lineno, line in enumerate(page.read_text(encoding="utf-8").splitlines(), 1):
            for module, name, said in CLAIM.findall(line):
                values = values_of(name)
                if module:  # `report.NAME`: that module's
                    values = {path: value for path, value in values.items()
                              if path.stem == module.rstrip(".").split(".")[-1]}
                number = float(said.replace(",", ""))
                if number not in values.values():  # a name two modules define: one of them
                    wrong.append(f"{page.relative_to(REPO)}:{lineno}: {module}{name} = {said}, "
                                 f"the code: {sorted((str(p.relative_to(REPO)), v) for p, v in values.items())}")
    assert wrong == [], "\n".join(wrong)


def test_the_count_of_known_mistakes_the_pages_give_is_solution_s():
    """docs/rubrics.md and docs/solution.md count ``solution.mutants.MUTANTS`` ("known mistakes (102)",
    "`MUTANTS` (102 known mistakes)"): they said 92 and 99 while the code held others (thirty-sixth
    and thirty-seventh sessions: each helper adding mistakes edits one page)."""
    from solution.mutants import MUTANTS

    said = []
    for page in PAGES:
        text = " ".join(page.read_text(encoding="utf-8").split())
        said += [(page.name, int(n)) for n in re.findall(r"known mistakes \((\d+)\)|\((\d+) known mistakes\)", text)
                 for n in n if n]
    assert {name for name, _ in said} >= {"rubrics.md", "solution.md"}, said
    assert [(name, n) for name, n in said if n != len(MUTANTS)] == [], (said, len(MUTANTS))
