"""The zygote's ``site``: the search path that ``site.main()`` would give it, without running the
code that ``.pth`` files may carry.

The zygote's interpreter starts with ``-I -S`` (``grader.zygote``) and needs from site-packages
only NumPy. ``site.main()`` would also execute every ``import`` line of every ``.pth`` file there:
hooks installed for other programs (setuptools' distutils shim; on the machine of
docs/performance.md, a certificate injector that imports certifi, pathlib, tempfile and zipfile:
about 45 ms of the zygote's boot, which is on the path to a class run's first result). Here the
``.pth`` files' directory lines are added as ``site`` adds them and their ``import`` lines are
skipped; should NumPy then not be found (an install whose import hook lives in such a line), the
interpreter is set up by ``site.main()`` after all, as before.

Imported by the boot script before anything else of the grader's: standard library only.
"""

from __future__ import annotations

import os
import sys


def pth_directories(sitedir: str) -> list[str]:
    """The directories that the ``.pth`` files of ``sitedir`` name, in ``site``'s order (files
    by name, hidden ones skipped; lines kept as ``site.addpackage`` reads them): existing ones
    only, code lines (``import ...``) and comments left out."""
    try:
        names = sorted(name for name in os.listdir(sitedir)
                       if name.endswith(".pth") and not name.startswith("."))
    except OSError:
        return []
    found = []
    for name in names:
        try:
            with open(os.path.join(sitedir, name), encoding="utf-8", errors="replace") as handle:
                lines = handle.read().splitlines()
        except OSError:
            continue
        for line in lines:
            if not line.strip() or line.startswith("#") or line.startswith(("import ", "import\t")):
                continue
            path = os.path.abspath(os.path.join(sitedir, line.rstrip()))
            if os.path.exists(path):
                found.append(path)
    return found


def set_up(*, needed: str = "numpy") -> bool:
    """Make sys.path what ``site.main()`` would (a virtual environment's site-packages included),
    without running ``.pth`` files' code, and the builtins it adds (``exit``, ``quit``, ``help``,
    ``copyright``...); if ``needed`` cannot be found that way, run ``site.main()`` itself. Returns
    whether the lean set-up sufficed."""
    import site
    from importlib.machinery import PathFinder  # (importlib.util would import more)

    known = site.removeduppaths()
    known = site.venv(known)  # a virtual environment's prefix, as site.main() reads it
    for sitedir in site.getsitepackages():
        if not os.path.isdir(sitedir):
            continue
        for path in (os.path.abspath(sitedir), *pth_directories(sitedir)):
            normal = os.path.normcase(path)
            if normal not in known:
                sys.path.append(path)
                known.add(normal)
    site.setquit()
    site.setcopyright()
    site.sethelper()
    if PathFinder.find_spec(needed) is not None:
        return True
    site.main()
    return False
