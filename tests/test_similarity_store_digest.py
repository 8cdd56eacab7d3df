"""Twenty-third session's review of the similarity store: the code digest in its header covers
every grader module that decides a stored entry, so a changed module means a stale store."""
from __future__ import annotations

import ast
from pathlib import Path

import grader
import grader.similarity.store as store

_GRADER = Path(grader.__file__).resolve().parent


def _grader_imports(path: Path) -> set[Path]:
    """The grader modules ``path`` imports (``from grader.x import ...`` and ``import grader.x``)."""
    out: set[Path] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = ([node.module] if isinstance(node, ast.ImportFrom) and node.module and node.level == 0
                 else [a.name for a in node.names] if isinstance(node, ast.Import) else [])
        for name in names:
            if name.startswith("grader."):
                module = _GRADER.joinpath(*name.split(".")[1:])
                out.add(module / "__init__.py" if module.is_dir() else module.with_suffix(".py"))
    return out


def _closure(start: set[Path]) -> set[Path]:
    """``start`` and every grader module they import, directly or not."""
    seen: set[Path] = set()
    todo = list(start)
    while todo:
        path = todo.pop()
        if path not in seen:
            seen.add(path)
            todo.extend(_grader_imports(path))
    return seen


def test_store_header_digests_every_module_normalisation_runs(monkeypatch):
    """The entries are what ``normalise_function`` and ``fingerprints`` return: their modules and
    every grader module those import (``grader.astnodes``, the syntax-tree walk the normaliser's
    tokens come from) must be in the header's code digest, or a change to one of them keeps
    reading entries the new code would not make."""
    digested: list[Path] = []
    real = store.sources_digest

    def spy(root, names):
        names = list(names)
        digested.extend((Path(root) / name).resolve() for name in names)
        return real(root, names)

    monkeypatch.setattr(store, "sources_digest", spy)
    store._header.cache_clear()
    try:
        store._header()
    finally:
        store._header.cache_clear()
    similarity = _GRADER / "similarity"
    needed = _closure({similarity / "normalise.py", similarity / "winnow.py"})
    assert _GRADER / "astnodes.py" in needed  # what the test is about: normalise walks trees with it
    missing = sorted(str(p.relative_to(_GRADER)) for p in needed - set(digested))
    assert missing == []
