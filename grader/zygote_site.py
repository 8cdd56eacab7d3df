"""The zygote's ``site``: what ``site.main()`` sets up, without running the code that ``.pth``
files may carry.

The zygote's interpreter starts with ``-I -S`` (``grader.zygote``) and needs from site-packages
only NumPy. ``site.main()`` would also execute every ``import`` line of every ``.pth`` file there
(a virtual environment's included): hooks installed for other programs (setuptools' distutils
shim; on the machine of docs/performance.md, a certificate injector that imports certifi,
pathlib, tempfile and zipfile: about 45 ms of the zygote's boot, which is on the path to a class
run's first result). Here ``site.main()`` itself runs, so that prefixes, virtual environments,
the builtins it adds and ``sitecustomize`` are exactly its own, with its reader of one ``.pth``
file swapped for one that adds the file's directory lines as it would and skips its code lines;
should NumPy then not be found (an install whose import hook lives in such a line), ``site.main()``
runs again as it is, as before.

Imported by the boot script before anything else of the grader's: standard library only.
"""

from __future__ import annotations

import os
import sys


def pth_directories(sitedir: str, name: str) -> list[str]:
    """The directories that the ``.pth`` file ``name`` of ``sitedir`` names, read as
    ``site.addpackage`` reads it (its encoding, comments and blank lines skipped), existing ones
    only; code lines (``import ...``) are left out, not run."""
    try:
        with open(os.path.join(sitedir, name), encoding="locale") as handle:
            lines = handle.readlines()
    except (OSError, UnicodeDecodeError):
        return []
    found = []
    for line in lines:
        if line.startswith("#") or not line.strip() or line.startswith(("import ", "import\t")):
            continue
        path = os.path.abspath(os.path.join(sitedir, line.rstrip()))
        if os.path.exists(path):
            found.append(path)
    return found


def _add_paths_only(sitedir: str, name: str, known_paths: set | None) -> set | None:
    """``site.addpackage`` without executing the file's code lines."""
    reset = known_paths is None
    known = set() if reset else known_paths
    for path in pth_directories(sitedir, name):
        if os.path.normcase(path) not in known:
            sys.path.append(path)
            known.add(os.path.normcase(path))
    return None if reset else known


def set_up(*, needed: str = "numpy") -> bool:
    """``site.main()`` with the ``.pth`` files' code lines skipped; if ``needed`` cannot be found
    then, ``site.main()`` as it is. Returns whether the lean set-up sufficed."""
    import site
    from importlib.machinery import PathFinder  # (importlib.util would import more)

    reader = site.addpackage
    site.addpackage = _add_paths_only
    try:
        site.main()
    finally:
        site.addpackage = reader
    if PathFinder.find_spec(needed) is not None:
        return True
    site.main()
    return False
