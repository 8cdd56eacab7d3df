"""The similarity check's class store (``grader.similarity.store``) against a stale file:
twenty-third session's review. Each test failed on baac9f1."""
from __future__ import annotations

import ast
from pathlib import Path

import grader
from grader.similarity import store


def _grader_imports(path: Path) -> set[str]:
    """The ``grader.*`` modules the file at ``path`` imports."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("grader"):
            out.add(node.module)
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names if a.name.startswith("grader"))
    return out


def test_the_stores_header_changes_with_the_tree_walk_the_normalisation_uses(monkeypatch):
    # normalise.py walks trees with grader.astnodes.nodes, whose order decides the tokens: a
    # grader whose walk changed read the last run's entries (its header digested only the four
    # similarity modules), so its similarity report was the old code's, not its own.
    root = Path(grader.__file__).resolve().parent
    assert "grader.astnodes" in _grader_imports(root / "similarity" / "normalise.py")
    store._header.cache_clear()
    before = store._header()
    real = Path.read_bytes

    def read_bytes(self: Path) -> bytes:
        data = real(self)
        return data + b"\n# changed\n" if self.name == "astnodes.py" else data

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    store._header.cache_clear()
    try:
        assert store._header() != before
    finally:
        monkeypatch.undo()
        store._header.cache_clear()


def test_every_grader_module_an_entry_depends_on_is_digested(monkeypatch):
    # The closure of grader modules imported by the four modules that decide an entry.
    root = Path(grader.__file__).resolve().parent
    todo = ["grader.similarity.normalise", "grader.similarity.winnow", "grader.similarity.detect",
            "grader.similarity.store"]
    seen: set[str] = set()
    while todo:
        module = todo.pop()
        if module in seen or module in ("grader", "grader.similarity"):
            continue
        seen.add(module)
        todo.extend(_grader_imports(root.joinpath(*module.split(".")[1:]).with_suffix(".py")))
    # What an entry is made of: files.py (the sealed cache) and ownwork (a pair's reason) do not
    # change an entry; everything else must be in the digest.
    depends = {m for m in seen if m not in ("grader.files", "grader.similarity.ownwork")}
    read: list[str] = []
    real = Path.read_bytes

    def read_bytes(self: Path) -> bytes:
        read.append(self.resolve().relative_to(root).with_suffix("").as_posix().replace("/", "."))
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    store._header.cache_clear()
    try:
        store._header()
    finally:
        monkeypatch.undo()
        store._header.cache_clear()
    assert {"grader." + name for name in read} >= depends
