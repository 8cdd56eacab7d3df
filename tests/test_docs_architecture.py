"""docs/architecture.md against the code: every module of ``grader/`` has a row of its table, and
each name a row gives as public API is defined in that row's modules (thirty-sixth session: nine
modules had no row, ``configure_zygote`` was said to be ``sandbox``'s and ``unprotected_reason``
the sandbox row's, both ``grader.zygote``'s)."""
from __future__ import annotations

import builtins
import re
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PAGE = (REPO / "docs" / "architecture.md").read_text(encoding="utf-8")
ROWS = [[cell.strip() for cell in line.strip().strip("|").split("|")]
        for line in PAGE.splitlines() if line.startswith("| `")]


def row_files(cell: str) -> list[Path]:
    files: list[Path] = []
    for named in re.findall(r"`([\w/]+(?:\.py|/))`", cell):
        path = REPO / named
        assert path.exists(), f"docs/architecture.md names {named}, which does not exist"
        files += sorted(path.rglob("*.py")) if path.is_dir() else [path]
    return files


def defines(files: list[Path], name: str) -> bool:
    pattern = re.compile(rf"^\s*(?:def|class)\s+{name}\b|^\s*{name}\s*(?::[^=]*)?=", re.M)
    return any(pattern.search(path.read_text(encoding="utf-8")) for path in files)


def test_every_module_of_the_grader_has_a_row():
    named = {path for row in ROWS for path in row_files(row[0])}
    modules = [path for path in sorted((REPO / "grader").glob("*.py")) if path.name != "__init__.py"]
    packages = [path / "__init__.py" for path in sorted((REPO / "grader").iterdir()) if (path / "__init__.py").exists()]
    missing = [str(path.relative_to(REPO)) for path in [*modules, *packages] if path not in named]
    assert missing == [], f"no row of docs/architecture.md's table names {missing}"


def test_each_public_name_of_a_row_is_defined_in_its_modules():
    wrong = []
    for row in ROWS:
        files = row_files(row[0])
        for item in re.findall(r"`([^`]+)`", row[2]):
            if item.startswith(("python3 ", "grade.py ")) or re.match(r"\w\(", item):
                continue  # a command, or a builder's signature
            dotted = re.match(r"(grader(?:\.\w+)+)\.(\w+)", item)
            if dotted:  # a name given with its module
                where, name = [REPO / (dotted.group(1).replace(".", "/") + ".py")], dotted.group(2)
            else:
                head = re.match(r"(\w+)(?:\.(\w+))?", item)
                where, name = files, head.group(2) or head.group(1)
            if hasattr(builtins, name):
                continue
            if not defines(where, name):
                wrong.append(f"{row[0]}: {item}")
    assert wrong == [], wrong


def test_a_package_rows_public_names_are_the_packages():
    """A row of a package (``grader/similarity/``) gives the names imported from the package;
    one only a submodule exports is given with its module (``with_common_counted``, thirty-seventh
    session, is ``grader.similarity.smallclass``'s, not ``grader.similarity``'s)."""
    import importlib

    wrong = []
    for row in ROWS:
        package = re.fullmatch(r"`(grader/\w+)/`", row[0])
        if not package:
            continue
        module = importlib.import_module(package.group(1).replace("/", "."))
        for item in re.findall(r"`([^`]+)`", row[2]):
            name = re.match(r"\w+", item).group(0)
            if not item.startswith("grader.") and not hasattr(module, name):
                wrong.append(f"{row[0]}: {item}")
    assert wrong == [], wrong
